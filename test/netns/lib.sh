# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
#
# dmvpn end-to-end harness: a hub and two spokes in network namespaces, each
# a real dmvpn-dataplane + dmvpn-controller pair, with a real Linux host on
# each LAN and a router namespace as the "internet".  Sourced by the
# scenarios (test/netns/t_*.sh), test/netns/run.sh and scripts/demo.sh.
# Modelled on WireGuard's tools/testing/selftests/wireguard/netns.sh.
#
#   h0 10.1.0.10/24           h1 10.0.64.10/24          h2 10.0.65.10/24
#       | eth0                    | eth0                    | eth0
#       |                         |                         |
#       | hub-lan 10.1.0.1        | s1-lan 10.0.64.1        | s2-lan 10.0.65.1
#   +---+------------------+  +---+------------------+  +---+------------------+
#   | n0: hub              |  | n1: spoke1           |  | n2: spoke2           |
#   | dmvpn-dataplane      |  | dmvpn-dataplane      |  | dmvpn-dataplane      |
#   | dmvpn-controller     |  | dmvpn-controller     |  | dmvpn-controller     |
#   | Tunnel0 10.0.0.1/24  |  | Tunnel0 10.0.0.2/24  |  | Tunnel0 10.0.0.3/24  |
#   +---+------------------+  +---+------------------+  +---+------------------+
#       | hub-pub 192.0.2.1       | s1-pub 198.51.100.2     | s2-pub 203.0.113.2
#       |                         |                         |
#       | inet-hub 192.0.2.254    | inet-s1 198.51.100.254  | inet-s2 203.0.113.254
#   +---+-------------------------+-------------------------+------------------+
#   | ni: "internet" router (ip_forward=1), plain IPv4 between the /24s         |
#   +---------------------------------------------------------------------------+
#
# Every line above is a veth pair created directly inside its two namespaces
# (nothing in the root namespace).  The data plane owns hub-pub/hub-lan (and
# the spokes' pairs) through net_af_packet: the kernel has no address on
# them.  Underlay: RFC 5737; tunnel and LANs: RFC 1918, as in conf/*.conf.
#
# Namespaces are "$P-ni", "$P-n0".."$P-n2", "$P-h0".."$P-h2" with
# P=dmvpn-<pid of the scenario>, so parallel runs and leftovers never clash.
# Everything a run makes lives in $T (configs, logs, pids, pcaps, run dir,
# shared-memory segment dir); cleanup() stops what was started (by PID),
# deletes the namespaces and $T.  KEEP=1 keeps all of it for debugging.
#
# Environment:
#   DMVPN_BUILD   build directory (default: <project>/build)
#   KEEP=1        on exit keep namespaces, processes and $T (prints how to
#                 remove them later: test/netns/run.sh --clean $T)
#   VERBOSE=1     trace (set -x)

NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$NETNS_DIR/../.." && pwd)
BUILD=${DMVPN_BUILD:-$ROOT/build}
DP_BIN=$BUILD/dataplane/dmvpn-dataplane
CTL_BIN=$BUILD/controlplane/dmvpn-controller
CLI_BIN=$BUILD/controlplane/dmvpnctl

P=dmvpn-$$
NODES="hub s1 s2"
T=""
MAIN_PID=""

[ "${VERBOSE:-0}" = 1 ] && set -x

# ---------------------------------------------------------------- small tools

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
log() { printf '[%s] %s\n' "$(date +%T.%3N)" "$*"; }
die() { printf '[%s] FAIL: %s\n' "$(date +%T.%3N)" "$*" >&2; exit 1; }

# Bare asserts, WireGuard style: assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
	[ "$2" = "$3" ] || die "$1: expected '$2', got '$3'"
	case $3 in
	*"
"*) log "ok: $1: the same $(printf '%s\n' "$3" | wc -l) lines" ;;
	*) log "ok: $1 = $3" ;;
	esac
}
assert_ge() {
	[ "$3" -ge "$2" ] 2>/dev/null || die "$1: expected >= $2, got '$3'"
	log "ok: $1 = $3 (>= $2)"
}
assert_gt() {
	[ "$3" -gt "$2" ] 2>/dev/null || die "$1: expected > $2, got '$3'"
	log "ok: $1 = $3 (> $2)"
}
assert_match() {	# assert_match WHAT ERE TEXT
	printf '%s' "$3" | grep -Eq -- "$2" || die "$1: '$3' does not match /$2/"
	log "ok: $1 matches /$2/"
}

# run_and_expect (FRR topotests): retry CMD every 100 ms until it succeeds,
# at most TIMEOUT seconds.  poll TIMEOUT CMD...
poll() {
	local t=$1 deadline
	shift
	deadline=$(( $(now_ms) + t * 1000 ))
	until "$@"; do
		[ "$(now_ms)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# ------------------------------------------------------------ namespaces, nodes

node_idx() {
	case $1 in
	hub|0) echo 0 ;;
	s1|1) echo 1 ;;
	s2|2) echo 2 ;;
	hub2|3) echo 3 ;;	# hub2_add (dual hub scenarios)
	*) die "unknown node '$1'" ;;
	esac
}
node_conf_src() {
	case $(node_idx "$1") in 0) echo hub ;; 1) echo spoke1 ;; 2) echo spoke2 ;; 3) echo hub2 ;; esac
}
node_ns() { echo "$P-n$(node_idx "$1")"; }
node_conf() { echo "$T/conf/$(node_conf_src "$1").conf"; }
node_instance() { echo "$(node_conf_src "$1")-$$"; }

# One-letter wrappers: ni (internet), n0..n2 (dmvpn nodes), h0..h2 (hosts).
ni() { ip netns exec "$P-ni" "$@"; }
n0() { ip netns exec "$P-n0" "$@"; }
n1() { ip netns exec "$P-n1" "$@"; }
n2() { ip netns exec "$P-n2" "$@"; }
h0() { ip netns exec "$P-h0" "$@"; }
h1() { ip netns exec "$P-h1" "$@"; }
h2() { ip netns exec "$P-h2" "$@"; }
n3() { ip netns exec "$P-n3" "$@"; }	# hub2_add
h3() { ip netns exec "$P-h3" "$@"; }

# Addresses of the plan (conf/*.conf); arrays indexed by node number.
# shellcheck disable=SC2034 # for the scenarios
# Index 3 is the second hub of the dual hub scenarios (hub2_add): its
# underlay is RFC 1918 (RFC 5737 has only the three /24s above).
PUB_ADDR=(192.0.2.1 198.51.100.2 203.0.113.2 172.16.2.1)
GW_ADDR=(192.0.2.254 198.51.100.254 203.0.113.254 172.16.2.254)
TUN_ADDR=(10.0.0.1 10.0.0.2 10.0.0.3 10.0.0.254)
LAN_GW=(10.1.0.1 10.0.64.1 10.0.65.1 10.2.0.1)
HOST_ADDR=(10.1.0.10 10.0.64.10 10.0.65.10 10.2.0.10)
PUB_IF=(hub-pub s1-pub s2-pub hub2-pub)
LAN_IF=(hub-lan s1-lan s2-lan hub2-lan)
INET_IF=(inet-hub inet-s1 inet-s2 inet-hub2)
# shellcheck disable=SC2034 # for the scenarios
TUNNEL_KEY=999
# shellcheck disable=SC2034 # for the scenarios
TUNNEL_MTU=1416

# af_packet sees GSO super-frames and CHECKSUM_PARTIAL otherwise: every veth
# on the path carries plain, fully checksummed frames.
veth_plain() {	# NS IFACE
	ip netns exec "$1" ethtool -K "$2" rx off tx off tso off gso off gro off >/dev/null 2>&1 ||
		ip netns exec "$1" ethtool -K "$2" rx off tx off tso off gso off >/dev/null ||
		die "ethtool -K $2 in $1"
}

netns_new() {	# NS: no IPv6 at all (no ND/MLD noise in the data plane's counters)
	ip netns add "$1"
	ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1
	ip -n "$1" link set lo up
}

veth_new() {	# NS_A IF_A NS_B IF_B
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	veth_plain "$1" "$2"
	veth_plain "$3" "$4"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

topo_up() {
	local i
	log "topology $P up"
	for i in ni n0 n1 n2 h0 h1 h2; do
		netns_new "$P-$i"
		echo "$P-$i" >> "$T/netns"
	done
	ni sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.default.rp_filter=0
	for i in 0 1 2; do
		veth_new "$P-n$i" "${PUB_IF[$i]}" "$P-ni" "${INET_IF[$i]}"
		ni ip addr add "${GW_ADDR[$i]}/24" dev "${INET_IF[$i]}"
		veth_new "$P-n$i" "${LAN_IF[$i]}" "$P-h$i" eth0
		ip -n "$P-h$i" addr add "${HOST_ADDR[$i]}/24" dev eth0
		ip -n "$P-h$i" route add default via "${LAN_GW[$i]}"
	done
}

# The drawing at the top of this file.
topo_print() {
	awk '/^#   h0 / { on = 1 } on { print substr($0, 2) } on && done { exit }
	     /ni: "internet"/ { done = 1 }' "$NETNS_DIR/lib.sh"
}

# Every namespace of this run: those recorded, and any other "$P-*" (the
# prefix holds the PID of the run, so no other run has it).
topo_down() {
	local ns
	[ -n "$T" ] && [ -n "$P" ] || return 0
	{ cat "$T/netns" 2>/dev/null; ip netns list | awk '{ print $1 }' | grep "^$P-"; } |
		sort -u | while read -r ns; do
			ip netns del "$ns" 2>/dev/null || true
		done
	rm -f "$T/netns"
}

# ------------------------------------------------------------------- configs
#
# The one place test configs are made: from conf/<node>.conf, with
#  - instance "<node>-<pid>" (also the DPDK --file-prefix: no clash between runs),
#  - rundir $T/run (sockets, doorbell) and dataplane.segment_dir $T/shm,
#  - a data plane that shares the machine: lcores "0,1" (main + 1 worker),
#    256 MiB, adaptive idle, whatever the example says (three run at once),
#  - extra static NHRP maps (CONF_MAPS_<node>="proto=nbma ...") when a
#    scenario wants them, e.g. spoke <-> spoke without resolution.
# The interface names of conf/ are kept: the veths have the same names inside
# each node's namespace.  Each generated file is checked with -n.

conf_gen() {	# NODE [MAPS]
	local node=$1 maps=${2:-} src dst inst entries="" m
	src="$ROOT/conf/$(node_conf_src "$node").conf"
	# a node without an example of its own (hub2_add) has one made in $T
	[ -f "$T/conf/src/$(node_conf_src "$node").conf" ] &&
		src="$T/conf/src/$(node_conf_src "$node").conf"
	dst=$(node_conf "$node")
	inst=$(node_instance "$node")
	[ -f "$src" ] || die "no example config $src"
	for m in $maps; do
		# already in the example (the spokes' map of the hub)
		grep -Eq "protocol[[:space:]]*=[[:space:]]*\"${m%%=*}\"" "$src" && continue
		entries="$entries{ protocol = \"${m%%=*}\"; nbma = \"${m#*=}\"; }, "
	done
	entries=${entries%, }
	awk -v inst="$inst" -v rundir="$T/run" -v segdir="$T/shm" -v maps="$entries" '
		BEGIN { in_nhrp = 0; in_dp = 0; mapped = 0 }
		/^[[:space:]]*rundir[[:space:]]*=/ { next }
		/^instance[[:space:]]*=/ {
			print "instance = \"" inst "\";"
			print "rundir = \"" rundir "\";"
			next
		}
		/^dataplane[[:space:]]*=[[:space:]]*\{/ {
			in_dp = 1
			print
			print "\tsegment_dir = \"" segdir "\";"
			print "\tlcores = \"0,1\";"
			print "\tworkers = 1;"
			print "\tmemory_mb = 256;"
			print "\tidle = \"adaptive\";"
			next
		}
		in_dp && /^[[:space:]]*(segment_dir|lcores|main_lcore|workers|memory_mb|idle)[[:space:]]*=/ { next }
		in_dp && /^\};/ { in_dp = 0 }
		/^nhrp[[:space:]]*=[[:space:]]*\{/ { in_nhrp = 1; print; next }
		in_nhrp && /^[[:space:]]*map[[:space:]]*=[[:space:]]*\(/ && maps != "" {
			print; print "\t\t" maps ","; mapped = 1; next
		}
		in_nhrp && /^\};/ {
			if (maps != "" && !mapped) print "\tmap = ( " maps " );"
			in_nhrp = 0
		}
		{ print }
	' "$src" > "$dst"
	grep -q '^rundir' "$dst" && grep -q 'segment_dir' "$dst" ||
		die "conf_gen: $src has no instance or dataplane section to rewrite"
	"$DP_BIN" -n -c "$dst" > "$T/log/conf-$node.log" 2>&1 ||
		die "conf_gen: generated $dst is refused: $(cat "$T/log/conf-$node.log")"
}

# Static maps for a full mesh (every node knows every other's NBMA address).
conf_gen_mesh() {
	local i j maps
	for i in 0 1 2; do
		maps=""
		for j in 0 1 2; do
			[ "$i" = "$j" ] && continue
			maps="$maps ${TUN_ADDR[$j]}=${PUB_ADDR[$j]}"
		done
		conf_gen "$i" "$maps"
	done
}

conf_gen_all() { local n; for n in $NODES; do conf_gen "$n"; done; }

# ------------------------------------------------- config and topology edits
#
# For scenarios that need more than the examples (the NHRP ones: Phase 3,
# dual hub, NAT, NBMA change).  Every edit works on a node's generated file
# (after conf_gen) and checks it again with -n.

conf_check() {	# NODE: the generated file still loads
	"$DP_BIN" -n -c "$(node_conf "$1")" > "$T/log/conf-$1.log" 2>&1 ||
		die "config of $1 refused after an edit: $(cat "$T/log/conf-$1.log")"
}

# conf_set NODE GROUP 'key = value;'...: in the top-level group GROUP
# ("nhrp", "tunnel", "dataplane", "log"), each one-line setting given
# replaces the setting of that name, or is added.
conf_set() {
	local node=$1 grp=$2 f
	shift 2
	f=$(node_conf "$node")
	grep -Eq "^${grp}[[:space:]]*=[[:space:]]*[{]" "$f" || die "conf_set: no group $grp in $f"
	printf '%s\n' "$@" > "$T/conf/.set"
	awk -v grp="$grp" -v setf="$T/conf/.set" '
		BEGIN {
			while ((getline l < setf) > 0) {
				k = l; sub(/[[:space:]]*=.*/, "", k); set[k] = l; order[++n] = k
			}
		}
		$0 ~ "^" grp "[[:space:]]*=[[:space:]]*[{]" { in_g = 1; print; next }
		in_g && /^[}];/ { for (i = 1; i <= n; i++) print "\t" set[order[i]]; in_g = 0 }
		in_g { k = $1; sub(/=.*/, "", k); if (k in set) next }
		{ print }' "$f" > "$f.new"
	mv "$f.new" "$f"
	conf_check "$node"
}

# conf_edit NODE SED_EXPR...: sed -E on the generated file (routes, addresses).
conf_edit() {
	local node=$1 f a=()
	shift
	f=$(node_conf "$node")
	for e in "$@"; do a+=(-e "$e"); done
	sed -E -i "${a[@]}" "$f"
	conf_check "$node"
}

# pub_readdress NODE ADDR/LEN GATEWAY: the node's public interface gets
# another address and gateway in its generated file (underlay routes via
# the old gateway follow).  PUB_ADDR / GW_ADDR follow too.  Apply with a
# reload (ctl NODE reload) or a start.
pub_readdress() {
	local i
	i=$(node_idx "$1")
	conf_edit "$1" "s|address = \"${PUB_ADDR[$i]}/[0-9]+\"|address = \"$2\"|" \
		"s|\"${GW_ADDR[$i]}\"|\"$3\"|g"
	PUB_ADDR[$i]=${2%/*}
	GW_ADDR[$i]=$3
}

# inet_readdress NODE GW/LEN: the internet router's side of the node's
# public link gets another address (the node moved to another subnet).
inet_readdress() {
	local i
	i=$(node_idx "$1")
	ni ip addr flush dev "${INET_IF[$i]}"
	ni ip addr add "$2" dev "${INET_IF[$i]}"
	ni ip neigh flush dev "${INET_IF[$i]}"
}

# A second hub (seed 000 Example 7-19's vpn-gw2-west): node "hub2" in
# namespace n3 with a host h3 on its LAN (10.2.0.10), its public link to the
# internet router (172.16.2.1/24, gateway .254), and an example made from
# conf/hub.conf: tunnel address 10.0.0.254, the same key, NHRP and routes.
# Before conf_gen.
hub2_add() {
	local ns
	need_hugepages 512
	for ns in n3 h3; do
		netns_new "$P-$ns"
		echo "$P-$ns" >> "$T/netns"
	done
	veth_new "$P-n3" "${PUB_IF[3]}" "$P-ni" "${INET_IF[3]}"
	ni ip addr add "${GW_ADDR[3]}/24" dev "${INET_IF[3]}"
	veth_new "$P-n3" "${LAN_IF[3]}" "$P-h3" eth0
	ip -n "$P-h3" addr add "${HOST_ADDR[3]}/24" dev eth0
	ip -n "$P-h3" route add default via "${LAN_GW[3]}"
	mkdir -p "$T/conf/src"
	sed -E -e 's/hub-(pub|lan)/hub2-\1/g' \
		-e "s|\"${PUB_ADDR[0]}/24\"|\"${PUB_ADDR[3]}/24\"|" \
		-e "s|\"${GW_ADDR[0]}\"|\"${GW_ADDR[3]}\"|" \
		-e "s|\"${LAN_GW[0]}/24\"|\"${LAN_GW[3]}/24\"|" \
		-e "s|\"${TUN_ADDR[0]}/24\"|\"${TUN_ADDR[3]}/24\"|" \
		"$ROOT/conf/hub.conf" > "$T/conf/src/hub2.conf"
	NODES="$NODES hub2"
}

# nat_add NODE: the node's public link goes through a NAT namespace x<i>
# (nftables masquerade, as a home router does): node 192.168.<i>.2/24 --
# nat-in 192.168.<i>.254 | x<i> | nat-out <the node's old public address>
# -- the internet router.  The node's generated config is readdressed
# (pub_readdress); NAT_OUTSIDE[i] is the address the world sees.
# shellcheck disable=SC2034 # for the scenarios
NAT_OUTSIDE=()
nat_add() {
	local node=$1 i ns
	i=$(node_idx "$node")
	ns=$P-x$i
	netns_new "$ns"
	echo "$ns" >> "$T/netns"
	ip -n "$P-ni" link del "${INET_IF[$i]}"	# and its peer in the node
	veth_new "$P-n$i" "${PUB_IF[$i]}" "$ns" nat-in
	veth_new "$ns" nat-out "$P-ni" "${INET_IF[$i]}"
	ni ip addr add "${GW_ADDR[$i]}/24" dev "${INET_IF[$i]}"
	ip -n "$ns" addr add "${PUB_ADDR[$i]}/24" dev nat-out
	ip -n "$ns" route add default via "${GW_ADDR[$i]}"
	ip -n "$ns" addr add "192.168.$i.254/24" dev nat-in
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$ns" nft -f - <<-EOF
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "nat-out" masquerade
		}
	}
	EOF
	# shellcheck disable=SC2034 # for the scenarios
	NAT_OUTSIDE[$i]=${PUB_ADDR[$i]}
	pub_readdress "$node" "192.168.$i.2/24" "192.168.$i.254"
}

# ---------------------------------------------------------------- processes
#
# Every background process is started with `ip netns exec NS cmd &`: ip
# execs into cmd, so $! is the process itself.  Its PID and binary go to
# $T/pids/<name>; stopping checks /proc/PID/cmdline still names that binary
# (no PID reuse accident) and never signals anything else.

pid_alive() {	# PID: running and not a zombie
	local st
	[ -r "/proc/$1/stat" ] || return 1
	st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

pid_is() {	# PID BINARY: /proc says PID runs BINARY
	tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null | grep -qxF -- "$2"
}

bg_start() {	# NAME NS LOGFILE CMD...: start in background, record PID
	local name=$1 ns=$2 logf=$3
	shift 3
	ip netns exec "$ns" "$@" >> "$logf" 2>&1 &
	echo "$! $1" > "$T/pids/$name"
	echo "$!" >> "$T/pids.all"
}

bg_pid() { [ -f "$T/pids/$1" ] && cut -d' ' -f1 "$T/pids/$1"; }

# bg_stop NAME [SIGNAL] [TIMEOUT]: SIGNAL (TERM), wait up to TIMEOUT s (10),
# then SIGKILL.  Returns 0 if it went on the first signal.
bg_stop() {
	local name=$1 sig=${2:-TERM} t=${3:-10} pid bin rc=0
	[ -f "$T/pids/$name" ] || return 0
	read -r pid bin < "$T/pids/$name"
	rm -f "$T/pids/$name"
	if pid_alive "$pid" && pid_is "$pid" "$bin"; then
		kill -"$sig" "$pid" 2>/dev/null || true
		if ! poll "$t" eval "! pid_alive $pid"; then
			log "$name ($pid) still alive ${t}s after SIG$sig: SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			poll 5 eval "! pid_alive $pid" || log "$name ($pid) survives SIGKILL"
			rc=1
		fi
	fi
	wait "$pid" 2>/dev/null || true
	return $rc
}

# Exit status of a background job that has ended (waits for it).
bg_wait() {	# NAME TIMEOUT
	local pid
	pid=$(bg_pid "$1") || die "bg_wait: no job $1"
	poll "$2" eval "! pid_alive $pid" || die "$1 ($pid) did not end within $2 s"
	rm -f "$T/pids/$1"
	wait "$pid"
}

# ---------------------------------------------------------------- dmvpn nodes

ctl() {	# NODE ARGS...: dmvpnctl inside the node's namespace
	local node=$1
	shift
	if [ "${CTL_BY_NAME:-0}" = 1 ]; then
		ctl_cli "$node" "$@"
		return
	fi
	ip netns exec "$(node_ns "$node")" "$CLI_BIN" -c "$(node_conf "$node")" "$@"
}

ctl_json() { ctl "$1" "${@:2}" --json; }

# wait_json NODE "show ..." JQ_FILTER [TIMEOUT]: bounded poll until the
# filter is true on `dmvpnctl ... --json`.
wait_json() {
	local node=$1 cmd=$2 filter=$3 t=${4:-15} deadline out=""
	deadline=$(( $(now_ms) + t * 1000 ))
	while :; do
		# shellcheck disable=SC2086
		if out=$(ctl "$node" $cmd --json 2>&1) &&
			printf '%s' "$out" | jq -e "$filter" >/dev/null 2>&1; then
			return 0
		fi
		[ "$(now_ms)" -lt "$deadline" ] || break
		sleep 0.1
	done
	printf "wait_json: %s '%s' not '%s' after %ss; last output:\n%s\n" \
		"$node" "$cmd" "$filter" "$t" "$out" >&2
	return 1
}

# jq_get NODE "show ..." FILTER: one value from one dmvpnctl call.
jq_get() {
	local out
	# shellcheck disable=SC2086
	out=$(ctl "$1" $2 --json) || die "dmvpnctl $1 $2 failed: $out"
	printf '%s' "$out" | jq -r "$3"
}

dp_start() {
	local node=$1
	bg_start "$node-dp" "$(node_ns "$node")" "$T/log/$node-dp.log" \
		"$DP_BIN" -c "$(node_conf "$node")"
}

ctl_start() {
	local node=$1
	bg_start "$node-ctl" "$(node_ns "$node")" "$T/log/$node-ctl.log" \
		"$CTL_BIN" -c "$(node_conf "$node")"
}

dp_stop() { bg_stop "$1-dp" "${2:-TERM}"; }
ctl_stop() { bg_stop "$1-ctl" "${2:-TERM}"; }

# ------------------------------------------- dmvpnctl JSON (docs/cli.md)
# The one place that knows the field names.

# Up: the data plane forwards with a complete table set and the controller
# has replayed its whole state into it.
NODE_UP_FILTER='.dataplane.state == "ready" and .dataplane.heartbeat_alive == true and
	.controller.in_sync == true'

# ... and the data plane is the process we started last: after a kill -9 its
# stale segment still says "ready" until the new one replaces it.
node_wait_up() {	# NODE [TIMEOUT]
	local pid
	pid=$(bg_pid "$1-dp") || die "node $1: no data plane started"
	wait_json "$1" "show dataplane" "$NODE_UP_FILTER and .dataplane.pid == $pid" "${2:-30}" ||
		die "node $1 not up; logs: $T/log/$1-dp.log $T/log/$1-ctl.log"
}

dp_epoch() { jq_get "$1" "show dataplane" '.dataplane.epoch'; }

# Every drop reason with its counter, one "name packets" per line.
drops_snapshot() { jq_get "$1" "show dataplane drops --all" '.drops[] | "\(.name) \(.packets)"'; }

drop_count() {	# NODE REASON
	jq_get "$1" "show dataplane drops --all" \
		"[.drops[] | select(.name == \"$2\") | .packets] | add // 0"
}

# N adjacencies, all acknowledged by the data plane (state live).
wait_adj_valid() {	# NODE N [TIMEOUT]
	wait_json "$1" "show adjacency" \
		"(.adjacencies | length) == $2 and all(.adjacencies[]; .state == \"live\")" \
		"${3:-15}" || die "$1: not $2 live adjacencies"
}

adj_packets_out() {	# NODE OVERLAY_ADDRESS: packets sent through it
	jq_get "$1" "show adjacency" \
		"[.adjacencies[] | select(.address == \"$2\") | .packets] | add // 0"
}

# Adjacencies without counters or times, sorted; with "slots" also the slot
# and the generation that published it (unchanged when a restarted
# controller adopts the data plane's slots).
# (Both exit non-zero when dmvpnctl fails: use them as x=$(adj_table ...).)
adj_table() {	# NODE [slots]
	local keep='address, prefix_len, nbma, nbma_port, flags, state, rewrite' a
	[ "${2:-}" = slots ] && keep="$keep, slot, epoch"
	a=$(jq_get "$1" "show adjacency" "[.adjacencies[] | {$keep}] | sort_by(.address) | .[]") || exit 1
	printf '%s\n' "$a" | jq -c .
}

# Overlay and underlay FIB without counters or versions, sorted.
route_table() {	# NODE
	local f='.routes | map({prefix, type, next_hop, interface, source}) | sort_by(.prefix) | .[]' o u
	o=$(jq_get "$1" "show ip cef" "$f") || exit 1
	u=$(jq_get "$1" "show ip cef underlay" "$f") || exit 1
	printf '%s\n%s\n' "$o" "$u" | jq -c .
}

# NHRP (docs/nhrp.md "Show commands").  Each prints one value or one
# compact JSON object; an entry or adjacency that does not exist prints
# nothing (test with [ -z ... ]).
nhrp_entry() {	# NODE TARGET [PLEN]: the cache entry of TARGET/PLEN (32)
	jq_get "$1" "show ip nhrp" \
		"[.entries[] | select(.target == \"$2\" and .prefix_len == ${3:-32})][0] // empty | tojson"
}

nhrp_ctr() {	# NODE COUNTER: show ip nhrp traffic "counters" (nhrp_stats.def, lower case)
	jq_get "$1" "show ip nhrp traffic" ".interfaces[0].counters.$2"
}

nhrp_sent() {	# NODE TYPE: NHRP packets of TYPE (registration_request, ...) sent
	jq_get "$1" "show ip nhrp traffic" ".interfaces[0].sent.$2"
}

nhrp_rcvd() {	# NODE TYPE
	jq_get "$1" "show ip nhrp traffic" ".interfaces[0].rcvd.$2"
}

nhs_get() {	# NODE NHS_ADDRESS FIELD: state, flags, requests, replies, refused, last_code ...
	jq_get "$1" "show ip nhrp nhs" "[.interfaces[0].nhs[] | select(.address == \"$2\")][0].$3"
}

adj_json() {	# NODE OVERLAY_ADDRESS: the adjacency (show adjacency)
	jq_get "$1" "show adjacency" "[.adjacencies[] | select(.address == \"$2\")][0] // empty | tojson"
}

route_json() {	# NODE PREFIX/LEN: the overlay FIB entry (show ip cef)
	jq_get "$1" "show ip cef" "[.routes[] | select(.prefix == \"$2\")][0] // empty | tojson"
}

# Every NHRP packet of capture NAME as the data plane must send it
# (docs/nhrp.md, DESIGN.md "Controller -> wire"): GRE key, TOS 0xc0, NHRP
# checksum good, and TTL 255 at the sender: 255 from LOCAL_NBMA (the node
# on the captured link), 254 from the others (one router, the internet
# namespace, on the way) unless given as ADDR=TTL (a NAT box on the way).
# At least MIN packets; sets NHRP_WIRE_N.
nhrp_wire_check() {	# NAME MIN LOCAL_NBMA [ADDR=TTL...]
	local name=$1 min=$2 local=$3 lines bad
	shift 3
	lines=$(cap_fields "$name" nhrp ip.src gre.key ip.ttl ip.dsfield nhrp.hdr.chksum.status)
	NHRP_WIRE_N=$(printf '%s' "$lines" | grep -c . || true)
	assert_ge "$name: NHRP packets" "$min" "$NHRP_WIRE_N"
	bad=$(printf '%s\n' "$lines" | awk -v key="$(printf '0x%08x' "$TUNNEL_KEY")" \
		-v local="$local" -v ttls="$*" '
		BEGIN { n = split(ttls, a, " "); for (i = 1; i <= n; i++) { split(a[i], kv, "="); t[kv[1]] = kv[2] } }
		NF {
			want = $1 == local ? 255 : ($1 in t ? t[$1] : 254)
			if ($2 != key || $3 != want || $4 != "0xc0" || $5 != 1) { print; bad++ }
		}
		END { exit bad > 0 }') || true
	[ -z "$bad" ] || log "bad NHRP packets (src key ttl tos cksum):
$bad"
	assert_eq "$name: NHRP packets not (key $TUNNEL_KEY, TTL 255 at the sender, TOS 0xc0, checksum good)" \
		0 "$(printf '%s' "$bad" | grep -c . || true)"
}

# dmvpnctl by instance name and directories, without reading the node's
# config file (dmvpnctl -c refuses a file that does not load): for when that
# file is broken on purpose (t_bad_config.sh).  CTL_BY_NAME=1 makes every
# ctl / wait_json / jq_get call go this way.
ctl_cli() {	# NODE ARGS...
	local node=$1
	shift
	ip netns exec "$(node_ns "$node")" "$CLI_BIN" -i "$(node_instance "$node")" \
		--rundir "$T/run" --segment-dir "$T/shm" "$@"
}

node_start() {	# NODE: data plane, then controller
	[ -f "$(node_conf "$1")" ] || conf_gen "$1"
	dp_start "$1"
	ctl_start "$1"
}

node_stop() { ctl_stop "$1"; dp_stop "$1"; }

nodes_start() {
	local n
	for n in $NODES; do node_start "$n"; done
	for n in $NODES; do node_wait_up "$n"; done
	log "nodes up: $NODES"
}

# ------------------------------------------------------------------ capture

# cap_start NAME NS IFACE FILTER: tshark to $T/NAME.pcap, returns when the
# capture is live.  cap_stop NAME flushes and stops it (by PID).
cap_start() {
	local name=$1 ns=$2 ifc=$3 filter=$4
	bg_start "cap-$name" "$ns" "$T/log/cap-$name.log" \
		tshark -q -n -i "$ifc" -f "$filter" -w "$T/$name.pcap" -F pcap
	poll 20 grep -q "Capturing on" "$T/log/cap-$name.log" ||
		die "tshark on $ns/$ifc did not start: $(cat "$T/log/cap-$name.log")"
}

# tshark ignores SIGINT when started in the background by a script: TERM.
cap_stop() { bg_stop "cap-$1" TERM 10; }

# The capture lands in the file a block at a time (TPACKET_V3 block
# timeout), and stopping tshark drops what is not written yet: before
# cap_stop, wait until the file holds at least MIN packets matching FILTER.
cap_wait() {	# NAME DISPLAY_FILTER MIN [TIMEOUT]
	poll "${4:-10}" eval "[ \$(cap_fields $1 '$2' frame.number | wc -l) -ge $3 ]" ||
		log "cap_wait $1: fewer than $3 packets '$2' after ${4:-10}s"
}

# cap_fields NAME DISPLAY_FILTER FIELD...: one line per packet, outer header
# first (occurrence f = first IP header, the underlay one).
cap_fields() {
	local name=$1 filter=$2 args=() f
	shift 2
	for f in "$@"; do args+=(-e "$f"); done
	tshark -n -r "$T/$name.pcap" -Y "$filter" -T fields -E occurrence=f \
		-E separator=' ' "${args[@]}" 2>/dev/null
}

# ------------------------------------------------------------------- traffic

# ping_check NAME HOSTFN DST COUNT [ARGS...]: COUNT echoes, 0% loss asserted;
# sets PING_RTT (avg ms) and logs the summary.
ping_check() {
	local name=$1 host=$2 dst=$3 count=$4 out tx rx
	shift 4
	out=$($host ping -n -q -c "$count" -W 2 "$@" "$dst" 2>&1) || true
	tx=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
	rx=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	PING_RTT=$(printf '%s\n' "$out" | sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
	[ "$tx" = "$count" ] && [ "$rx" = "$count" ] ||
		die "$name: ping $dst: $rx of $tx received: $out"
	log "ok: $name: $rx/$tx received, rtt avg ${PING_RTT} ms"
}

# Waits for the first echo reply through a freshly built path (ARP on the way).
ping_wait() {	# HOSTFN DST [TIMEOUT]
	poll "${3:-15}" "$1" ping -n -q -c 1 -W 1 "$2" >/dev/null 2>&1 ||
		die "no echo reply from $2 within ${3:-15}s"
}

# Kernel SNMP counter of a namespace: snmp NS_SUFFIX PROTO FIELD, e.g.
# snmp h0 Udp RcvbufErrors (/proc/net is per namespace).
snmp() {
	ip netns exec "$P-$1" cat /proc/net/snmp |
		awk -v p="$2:" -v f="$3" '$1 == p && !n { for (i = 2; i <= NF; i++) h[$i] = i; n = 1; next }
			$1 == p && n { print $h[f]; exit }'
}

# Packets arriving in a namespace, counted by nftables at prerouting: what
# the wire delivered, whatever the sockets then do with it (UDP InDatagrams
# counts only what an application read).
#   nft_count_add h0 iperf-udp udp dport 5201 ... nft_count h0 iperf-udp
nft_count_add() {	# NS_SUFFIX NAME MATCH...
	local ns=$P-$1 name=$2
	shift 2
	if ! ip netns exec "$ns" nft list table inet dmvpn_test >/dev/null 2>&1; then
		ip netns exec "$ns" nft add table inet dmvpn_test
		ip netns exec "$ns" nft add chain inet dmvpn_test pre \
			'{ type filter hook prerouting priority -300; }'
	fi
	ip netns exec "$ns" nft add rule inet dmvpn_test pre "$@" counter comment "\"$name\""
}

nft_count() {	# NS_SUFFIX NAME: packets so far
	ip netns exec "$P-$1" nft -j list chain inet dmvpn_test pre |
		jq -r --arg n "$2" '.nftables[] | select(.rule.comment? == $n) |
			.rule.expr[] | select(.counter?) | .counter.packets'
}

# Kernel counters by name (nstat, absolute, history untouched): "name value, ..."
nstat_line() {	# NS_SUFFIX COUNTER...
	local ns=$1
	shift
	ip netns exec "$P-$ns" nstat -asz "$@" | awk 'NR > 1 { printf "%s%s %s", sep, $1, $2; sep = ", " }'
}

# iperf3 server in host HOSTFN, one test, port PORT; returns once listening.
iperf_server() {	# NAME HOSTNS_SUFFIX PORT
	local name=$1 h=$2 port=$3
	bg_start "$name" "$P-$h" "$T/log/$name.log" iperf3 -s -1 -p "$port"
	poll 10 eval "ip netns exec $P-$h ss -ltn | grep -q ':$port '" ||
		die "iperf3 server $name not listening"
}

# ------------------------------------------------------------ setup/cleanup

need_root() {
	[ "$(id -u)" = 0 ] || { echo "netns tests need root" >&2; exit 77; }
}

need_bins() {
	local b
	for b in "$DP_BIN" "$CTL_BIN" "$CLI_BIN"; do
		[ -x "$b" ] || die "missing $b (build first: meson setup build && ninja -C build, or set DMVPN_BUILD)"
	done
	for b in ip ethtool tshark iperf3 jq ping ss nft; do
		command -v "$b" >/dev/null || die "missing tool $b (scripts/setup.sh)"
	done
}

# Three data planes at memory_mb 256 each want ~384 free 2 MiB pages
# (a fourth, hub2_add, 128 more).
need_hugepages() {	# [PAGES]
	local free want=${1:-384}
	free=$(awk '/^HugePages_Free/ { print $2 }' /proc/meminfo)
	[ "${free:-0}" -ge "$want" ] ||
		die "only ${free:-0} free 2 MiB hugepages, $want needed (scripts/setup.sh reserves them)"
}

cleanup() {	# [EXIT_STATUS]: the status to exit with (default $?)
	local rc=${1:-$?} f
	# A signal can land while a $(...) subshell runs: only the main shell
	# cleans up, and it writes to the scenario's own stdout/stderr (fds 3
	# and 4), whatever redirection was active when the signal came.
	[ "$BASHPID" = "$MAIN_PID" ] || exit "$rc"
	# A second Ctrl-C must not cut the cleanup short (it is bounded).
	trap - EXIT
	trap '' INT TERM
	set +e
	exec 1>&3 2>&4
	[ -n "$T" ] || exit "$rc"
	if [ "${KEEP:-0}" = 1 ]; then
		echo "KEEP=1: namespaces $P-*, processes and $T kept;"\
			"remove with: test/netns/run.sh --clean $T" >&2
		exit "$rc"
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -d "$T/log" ]; then
		diag > "$T/log/diag.txt" 2>&1
		echo "state at failure: $T/log/diag.txt" >&2
	fi
	# Captures, traffic, then controllers before data planes.
	for f in "$T"/pids/cap-* "$T"/pids/*; do
		[ -f "$f" ] || continue
		case ${f##*/} in *-dp) continue ;; esac
		bg_stop "${f##*/}" TERM 5
	done
	for f in "$T"/pids/*-dp; do
		[ -f "$f" ] && bg_stop "${f##*/}" TERM 10
	done
	topo_down
	if [ "$rc" = 0 ]; then
		rm -rf "$T"
	else
		echo "logs kept in $T/log" >&2
		rm -rf "$T/shm" "$T/run"
	fi
	exit "$rc"
}

# State of everything when a scenario fails, before it is torn down:
# $T/log/diag.txt (each node's dmvpnctl views, every namespace's links and
# kernel counters).  Bounded: dmvpnctl has its own timeout.
diag() {
	local n ns
	for n in $NODES; do
		for c in "show dataplane" "show dataplane drops" "show interfaces" \
			"show adjacency detail" "show ip cef detail"; do
			echo "=== $n: dmvpnctl $c"
			# shellcheck disable=SC2086
			CTL_BY_NAME=1 ctl "$n" --timeout 3 $c 2>&1
		done
	done
	for ns in $(ip netns list | awk '{ print $1 }' | grep "^$P-"); do
		echo "=== $ns: ip -s link"
		ip -n "$ns" -s link
		echo "=== $ns: ip -s neigh"
		ip -n "$ns" -s neigh
		echo "=== $ns: arp_cache"
		ip netns exec "$ns" cat /proc/net/stat/arp_cache
		echo "=== $ns: nstat"
		ip netns exec "$ns" nstat -asz 'Udp*' 'Ip*Discards' 'TcpRetransSegs' \
			'TcpExtTCPLossProbes' 'TcpExtTCPDSACKRecv' 2>&1
	done
}

# Called first by every scenario: temp dir, trap, namespaces.
setup() {
	need_root
	need_bins
	need_hugepages
	T=$(mktemp -d /tmp/dmvpn-netns.XXXXXX)
	[ -z "${DMVPN_NETNS_TDIR_FILE:-}" ] || echo "$T" > "$DMVPN_NETNS_TDIR_FILE"
	mkdir -p "$T/conf" "$T/log" "$T/pids" "$T/run" "$T/shm"
	echo "$P" > "$T/prefix"
	MAIN_PID=$BASHPID
	exec 3>&1 4>&2
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	log "run $P, files in $T"
	topo_up
}

# For run.sh --clean DIR: what a KEEP=1 run left.
clean_dir() {
	local f pid bin
	T=$1
	[ -f "$T/prefix" ] || die "$T is not a netns run directory"
	P=$(cat "$T/prefix")
	for f in "$T"/pids/*; do
		[ -f "$f" ] || continue
		read -r pid bin < "$f"
		if pid_alive "$pid" && pid_is "$pid" "$bin"; then
			kill -TERM "$pid"
			poll 10 eval "! pid_alive $pid" || kill -KILL "$pid"
		fi
		rm -f "$f"
	done
	topo_down
	rm -rf "$T"
}
