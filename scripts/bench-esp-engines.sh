#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ESP engine choice (BENCHMARKS.md section 4, issue 5): our engine on
# intel-ipsec-mb (test/bench/esp_bench.c) and DPDK's librte_ipsec in
# CPU-crypto mode (test/bench/rte_ipsec_bench.c), AES-GCM-128, the same
# packets, back to back on the same core, ROUNDS times over.  Each round
# prints the load average first; compare rounds to see the noise.
#
#   scripts/bench-esp-engines.sh [--rounds 3] [--cpu 1] [--runs 7]
#                                [--vdevs crypto_aesni_gcm0,crypto_aesni_mb0]
#                                [--4k] [--wait-quiet SECS]
#   BENCH_BUILD=DIR   build directory (default build-ripsec, release)
#
# After each binary: its wall and user seconds and involuntary context
# switches (/usr/bin/time): user well below wall, or many switches, means
# the core was shared and the figures are noisy.  --wait-quiet waits, before
# each round and for at most SECS seconds, until both CPUs were at least
# 90 % idle over a second (the machine is shared).
# --4k runs rte_ipsec_bench with -N (no huge pages: its sessions on 4 KiB
# pages like esp_bench's SA records) after the huge-page run.
# Needs free 2 MiB hugepages (about 64 MiB) unless only --4k figures are
# wanted.  Not a test.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=3 cpu=1 runs=7 vdevs=crypto_aesni_gcm0,crypto_aesni_mb0 small=0 quiet=0
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) rounds=$2; shift 2 ;;
	--cpu) cpu=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--vdevs) vdevs=$2; shift 2 ;;
	--4k) small=1; shift ;;
	--wait-quiet) quiet=$2; shift 2 ;;
	*) echo "usage: $0 [--rounds N] [--cpu C] [--runs R] [--vdevs a,b] [--4k]" \
		"[--wait-quiet SECS]" >&2; exit 2 ;;
	esac
done

build=${BENCH_BUILD:-build-ripsec}
[ -d "$build" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" test/unit/esp/esp_bench test/unit/esp/rte_ipsec_bench >/dev/null
ours=$build/test/unit/esp/esp_bench
theirs=$build/test/unit/esp/rte_ipsec_bench

# idle jiffies of all CPUs, total jiffies
idle_total() { awk '/^cpu /{ t = 0; for (i = 2; i <= NF; i++) t += $i; print $5 + $6, t }' /proc/stat; }

wait_quiet() {
	local end=$((SECONDS + $1)) i0 t0 i1 t1
	while [ $SECONDS -lt "$end" ]; do
		read -r i0 t0 < <(idle_total); sleep 1; read -r i1 t1 < <(idle_total)
		if [ $(((i1 - i0) * 100)) -ge $(((t1 - t0) * 90)) ]; then
			echo "(quiet: $(((i1 - i0) * 100 / (t1 - t0))) % idle)"; return
		fi
	done
	echo "(not quiet after $1 s: noisy round)"
}

timed() {
	local t; t=$(mktemp)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -o "$t" -f '(%e s wall, %U s user, %c involuntary switches)' "$@"
		cat "$t"
	else
		"$@"
	fi
	rm -f "$t"
}

for r in $(seq 1 "$rounds"); do
	[ "$quiet" = 0 ] || wait_quiet "$quiet"
	echo "=== round $r: $(uptime)"
	echo "--- ours: esp_bench -a aes-gcm-128"
	timed taskset -c "$cpu" "$ours" -r "$runs" -a aes-gcm-128 | grep -v '^sequence counter'
	for v in ${vdevs//,/ }; do
		echo "--- rte_ipsec: $v, huge pages"
		timed taskset -c "$cpu" "$theirs" -r "$runs" -v "$v" 2>/dev/null
		if [ "$small" = 1 ]; then
			echo "--- rte_ipsec: $v, 4 KiB pages"
			timed taskset -c "$cpu" "$theirs" -r "$runs" -v "$v" -N 2>/dev/null
		fi
	done
done
