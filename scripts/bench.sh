#!/bin/sh
# LAN -> GRE encapsulation benchmark of dmvpn-dataplane (BENCHMARKS.md).
# Not a test: prints cycles/packet and Mpps (median and min-max of N runs)
# for 64 B and 1400 B frames at 1, 1k and 10k adjacencies through one
# worker, net_pcap replay (infinite_rx=1) as the source and net_null as the
# sink, next to the I/O floor of the same vdevs (dpdk-testpmd io forwarding).
#
#   scripts/bench.sh [--runs N] [--warmup S] [--window S] [--sizes 64,1400]
#                    [--adjacencies 1,1000,10000] [--no-testpmd] [--profile]
#                    [--json FILE]
#   BENCH_BUILD=DIR   build directory (default build-bench, buildtype release)
#
# Needs root and free 2 MiB hugepages (scripts/setup.sh); uses lcores 0,1
# (--lcores to change), --no-pci, its own --file-prefix and --in-memory.
# On a shared machine, run it when nothing else does: the worker's TSC
# accounting counts the time it is preempted.
set -eu
cd "$(dirname "$0")/.."

BUILD=${BENCH_BUILD:-build-bench}
if [ "$(id -u)" != 0 ]; then
	echo "bench: needs root (DPDK hugepages)" >&2
	exit 1
fi
if [ ! -f "$BUILD/build.ninja" ]; then
	meson setup "$BUILD" --buildtype=release >/dev/null
fi
ninja -C "$BUILD" dataplane/dmvpn-dataplane controlplane/dmvpn-controller \
	controlplane/dmvpnctl >/dev/null

echo "== machine"
buildtype=$(meson introspect --buildoptions "$BUILD" 2>/dev/null |
	/usr/bin/python3 -c 'import json, sys
print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "buildtype"))' 2>/dev/null ||
	echo "?")
echo "cpu:      $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)," \
	"$(nproc) cpus online"
echo "tsc:      $(dmesg 2>/dev/null | sed -n 's/.*tsc: Refined TSC clocksource calibration: //p' |
	tail -1)" "(the data plane measures it: see the runs)"
echo "kernel:   $(uname -r)"
echo "dpdk:     $(pkg-config --modversion libdpdk 2>/dev/null || echo unknown)"
echo "build:    $BUILD, buildtype $buildtype, commit $(git rev-parse --short HEAD 2>/dev/null || echo ?)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1/5/15 min)"
echo
exec /usr/bin/python3 test/bench/dp_bench.py --build "$BUILD" "$@"
