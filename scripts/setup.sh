#!/bin/sh
# Install what dmvpn needs to build, run and test on Debian 12, and reserve hugepages.
# Idempotent: a second run installs nothing and changes nothing.
#   scripts/setup.sh            packages + hugepages
#   scripts/setup.sh --no-hugepages
set -eu

PKGS="build-essential pkg-config meson ninja-build clang libclang-rt-14-dev llvm
libdpdk-dev dpdk dpdk-dev dpdk-doc libipsec-mb-dev librte-crypto-ipsec-mb23
libconfig-dev check libssl-dev libpcap-dev
iproute2 nftables iputils-ping iperf3 procps jq ethtool
tshark python3-scapy python3-cryptography tcpreplay
strongswan-swanctl strongswan-charon libcharon-extra-plugins
libstrongswan-extra-plugins libstrongswan-standard-plugins"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

[ "${1:-}" = "--no-hugepages" ] && exit 0

# 2 MiB hugepages: each dmvpn-dataplane instance takes what its config asks for
# (dataplane.memory_mb, default 256 MiB); tests run several at once.
want=${DMVPN_HUGEPAGES:-1024}
have=$(cat /proc/sys/vm/nr_hugepages)
if [ "$have" -lt "$want" ]; then
	echo "$want" > /proc/sys/vm/nr_hugepages
	echo "setup: hugepages $have -> $(cat /proc/sys/vm/nr_hugepages)"
fi
mkdir -p /dev/hugepages
mountpoint -q /dev/hugepages || mount -t hugetlbfs nodev /dev/hugepages
