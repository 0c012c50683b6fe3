#!/bin/sh
# Data plane benchmark of dmvpn-dataplane (BENCHMARKS.md sections 1 and 2).
# Not a test: prints cycles/packet, Mpps and Gbit/s (median and min-max of N
# runs) through one worker, net_pcap replay (infinite_rx=1) as the source
# and net_null as the sink, next to the I/O floor of the same vdevs
# (dpdk-testpmd io forwarding).  Paths: encap (LAN -> GRE, the default),
# encrypt (LAN -> GRE -> ESP AES-GCM-128), decrypt (ESP -> GRE -> LAN);
# anchors for the ESP paths: dpdk-test-crypto-perf and DPDK's ipsec-secgw
# example (built here from the dpdk-doc package into BUILD/ipsec-secgw).
#
#   scripts/bench.sh [--paths encap,encrypt,decrypt] [--runs N] [--warmup S]
#                    [--window S] [--sizes 64,imix,1400]
#                    [--adjacencies 1,1000,10000,40000] [--no-testpmd]
#                    [--anchors cryptoperf,secgw] [--profile] [--json FILE]
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

# DPDK's ipsec-secgw example, out of the packaged source tree: a copy in
# BUILD/ipsec-secgw, one local change (the example asks every port for rx
# checksum offload, which net_pcap does not have; the ESP paths never use it)
SECGW_SRC=/usr/share/dpdk/examples
SECGW=$BUILD/ipsec-secgw/src/build/ipsec-secgw
case " $* " in
*secgw*)
	if [ ! -x "$SECGW" ] && [ -d "$SECGW_SRC/ipsec-secgw" ]; then
		mkdir -p "$BUILD/ipsec-secgw"
		rm -rf "$BUILD/ipsec-secgw/src" "$BUILD/ipsec-secgw/common"
		cp -r "$SECGW_SRC/ipsec-secgw" "$BUILD/ipsec-secgw/src"
		cp -r "$SECGW_SRC/common" "$BUILD/ipsec-secgw/common"
		sed -i 's/^\t\t\.offloads = RTE_ETH_RX_OFFLOAD_CHECKSUM,/\t\t.offloads = 0,/' \
			"$BUILD/ipsec-secgw/src/ipsec-secgw.c"
		make -C "$BUILD/ipsec-secgw/src" -j2 shared >"$BUILD/ipsec-secgw/make.log" 2>&1 ||
			echo "bench: ipsec-secgw did not build, see $BUILD/ipsec-secgw/make.log" >&2
	fi
	;;
esac

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
exec /usr/bin/python3 test/bench/dp_bench.py --build "$BUILD" --secgw "$SECGW" "$@"
