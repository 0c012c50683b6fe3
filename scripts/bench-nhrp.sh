#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# NHRP control plane benchmark (BENCHMARKS.md "NHRP control plane"): a
# hub's real data plane + controller in a network namespace, and the load
# generator test/nhrp_load in another, joined by one veth.  For each N
# (spokes) and each run, a fresh hub: N registrations (registrations/s),
# then N resolutions between registered spokes (resolutions/s), the
# hub's memory per registered spoke (controller RSS delta / N), and the
# hub's state checked (N registered, N adjacencies published, no drops).
# Then the restart figure: R spokes registered, the hub (data plane and
# controller) stopped and started again, the same spokes register again.
# Not a test: prints one line per run and a table of medians [min-max].
#
#   scripts/bench-nhrp.sh [--runs 5] [--spokes 10000,100000] [--window 256]
#                         [--restart-spokes 10000] [--no-restart] [--profile]
#                         [--json FILE]
#   BENCH_BUILD=DIR   build directory (default build-bench-nhrp, release)
#
# CPU placement (2 cores): core 0 runs the hub's control path, the data
# plane's main lcore (punt ring, control ring, injects, ARP) and the
# controller (pinned with taskset); core 1 runs the data plane's worker
# (rx, classify, punt to the main lcore; adaptive idle: it sleeps when
# idle) and the generator (taskset).  The registration path is thus
# measured on one core.  --profile samples the controller with perf
# (cpu-clock) during the registration phase of each run and prints its
# top functions.
#
# Needs root, free 2 MiB hugepages (512 MiB for the hub's data plane), ip,
# ethtool, nft, jq.  Namespaces nhrpb-<pid>-{hub,gen} are removed on exit,
# processes stopped by PID.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BENCH_BUILD:-build-bench-nhrp}
RUNS=5
SPOKES=10000,100000
WINDOW=256
RESTART_SPOKES=10000
RESTART=1
PROFILE=0
JSON_OUT=""
while [ $# -gt 0 ]; do
	case $1 in
	--runs) RUNS=$2; shift ;;
	--spokes) SPOKES=$2; shift ;;
	--window) WINDOW=$2; shift ;;
	--restart-spokes) RESTART_SPOKES=$2; shift ;;
	--no-restart) RESTART=0 ;;
	--profile) PROFILE=1 ;;
	--json) JSON_OUT=$2; shift ;;
	-h|--help) sed -n '3,32p' "$0"; exit 0 ;;
	*) echo "bench-nhrp: unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
[ "$(id -u)" = 0 ] || { echo "bench-nhrp: needs root" >&2; exit 1; }
for t in ip ethtool nft jq taskset; do
	command -v $t >/dev/null || { echo "bench-nhrp: missing $t" >&2; exit 1; }
done
free=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
[ "${free:-0}" -ge 256 ] || { echo "bench-nhrp: $free free 2 MiB hugepages, 256 needed" >&2; exit 1; }

if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" dataplane/dmvpn-dataplane controlplane/dmvpn-controller \
	controlplane/dmvpnctl test/nhrp_load/nhrp_load >/dev/null
DP_BIN=$ROOT/$BUILD/dataplane/dmvpn-dataplane
CTL_BIN=$ROOT/$BUILD/controlplane/dmvpn-controller
CLI_BIN=$ROOT/$BUILD/controlplane/dmvpnctl
GEN_BIN=$ROOT/$BUILD/test/nhrp_load/nhrp_load

P=nhrpb-$$
NS_HUB=$P-hub
NS_GEN=$P-gen
T=$(mktemp -d /tmp/nhrp-bench.XXXXXX)
mkdir -p "$T/run" "$T/shm" "$T/log"
DP_PID=""
CTL_PID=""
PERF_PID=""
PERF_PID2=""

log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

pid_alive() { [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }

stop_pid() {	# PID [SIGNAL]: by PID, SIGKILL after 10 s
	local pid=$1 sig=${2:-TERM} i
	[ -n "$pid" ] || return 0
	pid_alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -"$sig" "$pid" 2>/dev/null || true
	for i in $(seq 100); do
		pid_alive "$pid" || break
		sleep 0.1
	done
	pid_alive "$pid" && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	stop_pid "$PERF_PID" INT
	stop_pid "$PERF_PID2" INT
	stop_pid "$CTL_PID"
	stop_pid "$DP_PID"
	ip netns del "$NS_HUB" 2>/dev/null
	ip netns del "$NS_GEN" 2>/dev/null
	if [ "${KEEP:-0}" = 1 ] || [ $rc != 0 ]; then
		echo "logs in $T/log" >&2
	else
		rm -rf "$T"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- topology: hub-pub (hub) <-> gen0 (generator), nothing in the root namespace
ip netns add "$NS_HUB"
ip netns add "$NS_GEN"
for ns in "$NS_HUB" "$NS_GEN"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$ns" link set lo up
done
ip link add hub-pub netns "$NS_HUB" type veth peer name gen0 netns "$NS_GEN"
for x in "$NS_HUB hub-pub" "$NS_GEN gen0"; do
	set -- $x
	ip netns exec "$1" ethtool -K "$2" rx off tx off tso off gso off gro off >/dev/null 2>&1 || true
	ip -n "$1" link set "$2" up
done
# The hub's gateway is this namespace: the kernel answers its ARP.  The
# replies to the spokes' NBMA addresses (172.16.0.0/12) need no kernel
# processing: dropped at prerouting, after AF_PACKET (the generator) saw
# them (a netdev ingress rule would hide them from AF_PACKET too).
ip -n "$NS_GEN" addr add 192.0.2.254/24 dev gen0
ip netns exec "$NS_GEN" nft -f - <<-EOF
table ip nhrpbench {
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		ip protocol gre drop
	}
}
EOF
HUB_MAC=$(ip -n "$NS_HUB" -j link show hub-pub | jq -r '.[0].address')

CONF=$T/hub.conf
cat > "$CONF" <<-EOF
instance = "$P";
rundir = "$T/run";
dataplane = {
	segment_dir = "$T/shm";
	lcores = "0,1";			# main lcore on core 0 (with the controller), worker on core 1
	workers = 1;
	memory_mb = 512;
	idle = "adaptive";		# the worker shares core 1 with the generator
	max_adjacencies = 131072;
	max_routes = 262144;
	fib_tbl8 = 4096;
	mbufs = 16383;
};
interfaces = (
	{
		name = "hub-pub";
		device = "net_af_packet0,iface=hub-pub,framecnt=4096,qdisc_bypass=1";
		role = "public";
		address = "192.0.2.1/24";
		gateway = "192.0.2.254";
	}
);
tunnel = {
	name = "Tunnel0";
	address = "10.0.0.1/15";
	source = "hub-pub";
	key = 999;
	mtu = 1416;
};
nhrp = {
	network_id = 1;
	holdtime = 7200;
	authentication = "nhrp-pwd";
	map_multicast = "dynamic";
};
log = {
	level = "warn";
};
EOF
"$DP_BIN" -n -c "$CONF" >/dev/null || die "hub config refused"

ctl() { ip netns exec "$NS_HUB" "$CLI_BIN" -c "$CONF" "$@"; }

hub_start() {
	ip netns exec "$NS_HUB" "$DP_BIN" -c "$CONF" >> "$T/log/dp.log" 2>&1 &
	DP_PID=$!
	ip netns exec "$NS_HUB" taskset -c 0 "$CTL_BIN" -c "$CONF" >> "$T/log/ctl.log" 2>&1 &
	CTL_PID=$!
}

hub_wait_up() {	# TIMEOUT_S
	local deadline=$(( $(now_ms) + $1 * 1000 ))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		if ctl show dataplane --json 2>/dev/null | jq -e --argjson p "$DP_PID" \
			'.dataplane.state == "ready" and .controller.in_sync == true and .dataplane.pid == $p' \
			>/dev/null 2>&1; then
			return 0
		fi
		sleep 0.02
	done
	die "hub not up within $1 s (logs $T/log)"
}

hub_stop() {
	stop_pid "$CTL_PID"
	CTL_PID=""
	stop_pid "$DP_PID"
	DP_PID=""
}

# kB of the controller: VmRSS RssAnon RssShmem
ctl_rss() { awk '/^(VmRSS|RssAnon|RssShmem):/ { printf "%s ", $2 }' "/proc/$CTL_PID/status"; }

threads_cpu() {	# PID: "comm ns-on-cpu" per thread (schedstat)
	local t
	for t in /proc/"$1"/task/*; do
		echo "$(tr ' ' '_' < "$t/comm") $(cut -d' ' -f1 "$t/schedstat")"
	done
}

# The data plane's threads: main lcore (dmvpn-dataplan), worker (lcore-worker-1)
cpu_snapshot() {	# FILE
	{ threads_cpu "$DP_PID" | sed 's/^/dp:/'; threads_cpu "$CTL_PID" | sed 's/^/ctl:/'; } > "$1"
}
cpu_delta() {	# BEFORE AFTER N: "thread=us" CPU microseconds per request, threads that ran
	awk -v n="$3" 'NR == FNR { b[$1] += $2; next } { a[$1] += $2 } END {
		for (k in a) if (a[k] - b[k] > 1e6) printf "%s=%.2f ", k, (a[k] - b[k]) / 1e3 / n }' "$1" "$2"
}

gen() {	# ARGS...: the generator on core 1, JSON lines on stdout
	ip netns exec "$NS_GEN" taskset -c 1 "$GEN_BIN" -i gen0 --hub-mac "$HUB_MAC" \
		--window "$WINDOW" --json "$@"
}

# --profile: cpu-clock samples of the two threads of core 0, the
# controller and the data plane's main lcore (its main thread), during the
# registration phase (the VM has no hardware counters: perf stat -e
# instructions says "not supported").
perf_start() {
	[ "$PROFILE" = 1 ] || return 0
	perf record -e cpu-clock -F 4999 -g -p "$CTL_PID" -o "$T/perf-ctl-$1.data" >/dev/null 2>&1 &
	PERF_PID=$!
	perf record -e cpu-clock -F 4999 -g -t "$DP_PID" -o "$T/perf-main-$1.data" >/dev/null 2>&1 &
	PERF_PID2=$!
	sleep 0.5
}
perf_stop() {
	local w
	[ "$PROFILE" = 1 ] || return 0
	stop_pid "$PERF_PID" INT
	stop_pid "$PERF_PID2" INT
	PERF_PID=""
	PERF_PID2=""
	for w in ctl main; do
		echo "== profile of the $w thread ($1): functions by self time"
		perf report -i "$T/perf-$w-$1.data" --no-children --sort dso,symbol --stdio 2>/dev/null |
			grep -E '^ +[0-9.]+%' | head -30
	done
}

echo "== machine"
echo "cpu:    $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cpus"
echo "kernel: $(uname -r)"
echo "build:  $BUILD ($(meson introspect --buildoptions "$BUILD" | jq -r '.[] | select(.name == "buildtype") | .value')), commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "load:   $(cut -d' ' -f1-3 /proc/loadavg)"
echo "window: $WINDOW outstanding requests; placement: core 0 = controller + main lcore, core 1 = worker + generator"
echo

RESULTS=$T/results.jsonl
: > "$RESULTS"
run_one() {	# N RUN
	local n=$1 r=$2 rss0 rss1 out reg res st c0 c1 c2 cpu_reg cpu_res
	hub_start
	hub_wait_up 60
	rss0=$(ctl_rss)
	perf_start "$n-$r"
	cpu_snapshot "$T/cpu0"
	out=$(gen -n "$n" --phases reg --deadline-s 300) || die "registration phase failed: $out"
	cpu_snapshot "$T/cpu1"
	perf_stop "$n-$r"
	reg=$(grep '^{' <<< "$out")
	# the hub's view: every spoke registered, every adjacency published, no drop
	st=$(ctl show ip nhrp summary --json | jq -r .registered)
	[ "$st" = "$n" ] || die "hub: $st registered, $n expected"
	for i in $(seq 50); do
		st=$(ctl show dataplane --json | jq -r '.dataplane.adj_published')
		[ "$st" = "$n" ] && break
		sleep 0.1
	done
	[ "$st" = "$n" ] || die "data plane: $st adjacencies published, $n expected"
	rss1=$(ctl_rss)
	cpu_snapshot "$T/cpu1"
	out=$(gen -n "$n" --phases res --reqid $((n + 1)) --deadline-s 300) || die "resolution phase failed: $out"
	cpu_snapshot "$T/cpu2"
	res=$(grep '^{' <<< "$out")
	drops=$(ctl show dataplane drops --json | jq -c '[.drops[] | select(.packets > 0) | {(.name): .packets}] | add // {}')
	cpu_reg=$(cpu_delta "$T/cpu0" "$T/cpu1" "$n")
	cpu_res=$(cpu_delta "$T/cpu1" "$T/cpu2" "$n")
	jq -nc --argjson n "$n" --argjson r "$r" --argjson reg "$reg" --argjson res "$res" \
		--arg rss0 "$rss0" --arg rss1 "$rss1" --argjson drops "$drops" \
		--arg cpu_reg "$cpu_reg" --arg cpu_res "$cpu_res" '
		($rss0 | split(" ") | map(select(. != "") | tonumber)) as $a |
		($rss1 | split(" ") | map(select(. != "") | tonumber)) as $b |
		{spokes: $n, run: $r, reg_rate: $reg.rate, reg_s: $reg.seconds, reg_resent: $reg.resent,
		 reg_p99_us: $reg.lat_p99_us, res_rate: $res.rate, res_s: $res.seconds,
		 res_resent: $res.resent, res_p99_us: $res.lat_p99_us,
		 rss_kb: $b[0], rss_delta_b_per_spoke: (($b[0] - $a[0]) * 1024 / $n),
		 anon_delta_b_per_spoke: (($b[1] - $a[1]) * 1024 / $n),
		 shmem_delta_b_per_spoke: (($b[2] - $a[2]) * 1024 / $n),
		 cpu_reg: $cpu_reg, cpu_res: $cpu_res, drops: $drops}' >> "$RESULTS"
	tail -1 "$RESULTS" | jq -r '"N=\(.spokes) run \(.run): registrations \(.reg_rate | floor)/s (\(.reg_s) s, \(.reg_resent) resent, p99 <= \(.reg_p99_us) us), resolutions \(.res_rate | floor)/s (\(.res_resent) resent), controller RSS +\(.rss_delta_b_per_spoke | floor) B/spoke (anon +\(.anon_delta_b_per_spoke | floor), segment +\(.shmem_delta_b_per_spoke | floor)); CPU us per registration: \(.cpu_reg), per resolution: \(.cpu_res); drops \(.drops)"'
	hub_stop
}

for n in ${SPOKES//,/ }; do
	for r in $(seq "$RUNS"); do
		run_one "$n" "$r"
	done
done

restart_one() {	# N RUN
	local n=$1 r=$2 t0 t1 out rec
	hub_start
	hub_wait_up 60
	gen -n "$n" --phases reg >/dev/null || die "restart: first registration failed"
	hub_stop
	t0=$(now_ms)
	hub_start
	hub_wait_up 60
	t1=$(now_ms)
	out=$(gen -n "$n" --phases reg --reqid $((n + 1)) --deadline-s 300) || die "restart: registration failed: $out"
	rec=$(grep '^{' <<< "$out")
	jq -nc --argjson n "$n" --argjson r "$r" --argjson up "$((t1 - t0))" --argjson reg "$rec" \
		'{restart_spokes: $n, run: $r, up_ms: $up, reg_ms: ($reg.seconds * 1000), total_ms: ($up + $reg.seconds * 1000), rate: $reg.rate}' >> "$RESULTS"
	tail -1 "$RESULTS" | jq -r '"restart N=\(.restart_spokes) run \(.run): hub up (in sync) \(.up_ms) ms after start, \(.restart_spokes) registered \(.reg_ms | floor) ms later: \(.total_ms | floor) ms in all"'
	hub_stop
}
if [ "$RESTART" = 1 ]; then
	for r in $(seq "$RUNS"); do
		restart_one "$RESTART_SPOKES" "$r"
	done
fi

# ---- table: median [min-max]
echo
echo "== NHRP control plane: median [min-max] of $RUNS runs"
stat() {	# JQ_SELECT FIELD FORMAT
	jq -r "select($1) | .$2" "$RESULTS" | sort -g | awk -v fmt="$3" '
		{ v[NR] = $1 } END { if (!NR) exit; m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf fmt " [" fmt "-" fmt "]", m, v[1], v[NR] }'
}
printf '| spokes | registrations/s | resolutions/s | controller RSS / spoke (B) | of which heap (anon) |\n'
printf '|---|---|---|---|---|\n'
for n in ${SPOKES//,/ }; do
	printf '| %s | %s | %s | %s | %s |\n' "$n" "$(stat ".spokes == $n" reg_rate %.0f)" \
		"$(stat ".spokes == $n" res_rate %.0f)" "$(stat ".spokes == $n" rss_delta_b_per_spoke %.0f)" \
		"$(stat ".spokes == $n" anon_delta_b_per_spoke %.0f)"
done
if [ "$RESTART" = 1 ]; then
	printf '\n| restart, %s spokes | hub up (ms) | then all registered (ms) | total (ms) |\n|---|---|---|---|\n' "$RESTART_SPOKES"
	printf '| | %s | %s | %s |\n' "$(stat ".restart_spokes" up_ms %.0f)" "$(stat ".restart_spokes" reg_ms %.0f)" \
		"$(stat ".restart_spokes" total_ms %.0f)"
fi
[ -z "$JSON_OUT" ] || cp "$RESULTS" "$JSON_OUT"
