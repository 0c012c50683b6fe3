#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scripts/demo.sh: dmvpn end to end on one machine, as root.
#
# Installs what is missing (scripts/setup.sh), builds (meson + ninja in
# ./build), then brings up in network namespaces an "internet" router, a hub
# and two spokes (each a dmvpn-dataplane + dmvpn-controller) and a Linux host
# on each LAN.  The spokes know only the hub (their NHS): they register
# (NHRP), the hub learns them; spoke <-> spoke traffic first crosses the hub
# and the spokes resolve each other (Phase 2, as in the seeds), then goes
# direct.  Shows the hub's and a spoke's tables with dmvpnctl, pings host to
# host hub <-> spoke and spoke <-> spoke, prints a verdict and tears
# everything down (also on Ctrl-C or failure).
#
#   sudo scripts/demo.sh            the whole thing
#   KEEP=1 scripts/demo.sh          leave it running to explore (prints how
#                                   to get in and how to remove it)
#   DEMO_NO_SETUP=1 scripts/demo.sh skip package installation and build
#
# The topology and all helpers come from test/netns/lib.sh (the end-to-end
# test harness).
set -e
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

if [ "$(id -u)" != 0 ]; then
	echo "DEMO FAILED: run as root (namespaces, hugepages, packages)" >&2
	exit 1
fi

if [ "${DEMO_NO_SETUP:-0}" != 1 ]; then
	echo "== setup: packages and hugepages (scripts/setup.sh)"
	scripts/setup.sh
	echo "== build (meson, ninja)"
	[ -f build/build.ninja ] || meson setup build >/dev/null
	ninja -C build >/dev/null
fi

export DMVPN_BUILD=${DMVPN_BUILD:-$ROOT/build}
# shellcheck source=../test/netns/lib.sh
. "$ROOT/test/netns/lib.sh"

VERDICT=""
FAILS=""
demo_exit() {
	local rc=$?
	[ "$BASHPID" = "$MAIN_PID" ] || exit "$rc"	# see cleanup() in lib.sh
	set +e
	exec 1>&3 2>&4
	if [ -z "$VERDICT" ]; then
		echo "DEMO FAILED: ${FAILS:-interrupted or set-up error (exit $rc)}${T:+; logs in $T/log}"
		[ "$rc" = 0 ] && rc=1
	fi
	cleanup "$rc"
}

setup
trap demo_exit EXIT

echo
echo "== topology (namespaces $P-*)"
topo_print
echo

# The conf/ examples as they are (the spokes map only the hub); instance
# names and run directories are per run.
conf_gen_all
nodes_start
echo "== NHRP: the spokes register with the hub"
wait_json hub "show ip nhrp" '[.entries[] | select(.kind == "registered")] | length == 2' 20 ||
	FAILS="$FAILS registration"
for n in s1 s2; do wait_adj_valid "$n" 1 || FAILS="$FAILS $n-adjacency"; done

show() {	# NODE TITLE COMMAND...
	echo "== $2: dmvpnctl $3"
	# shellcheck disable=SC2086
	ctl "$1" $3 2>&1 | sed 's/^/   /' || true
	echo
}
show hub "hub" "show dmvpn"
show hub "hub" "show ip nhrp"
show hub "hub" "show adjacency detail"
show hub "hub" "show interfaces"

summary=""
demo_ping() {	# NAME HOSTFN DST
	local out tx rx rtt
	ping_wait "$2" "$3" 15 2>/dev/null || true
	out=$($2 ping -n -q -c 10 -i 0.1 -W 2 "$3" 2>&1) || true
	tx=$(printf '%s\n' "$out" | sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p')
	rx=$(printf '%s\n' "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	rtt=$(printf '%s\n' "$out" | sed -n 's|^rtt [^=]*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
	printf '   %-34s %s/%s replies, rtt avg %s ms\n' "$1" "${rx:-0}" "${tx:-0}" "${rtt:--}"
	if [ "${rx:-0}" = 10 ] && [ "$tx" = 10 ]; then
		summary="${summary:+$summary, }${1%% *} ${rtt} ms"
	else
		FAILS="$FAILS ping-$1"
	fi
}
echo "== pings host to host through the tunnel"
demo_ping "h1->h0 (spoke 1 -> hub LAN)" h1 10.1.0.10
demo_ping "h1->h2 (spoke 1 -> spoke 2 LAN)" h1 10.0.65.10
demo_ping "h2->h0 (spoke 2 -> hub LAN)" h2 10.1.0.10
echo
echo "== Phase 2: spoke 1 resolved spoke 2 through the hub; traffic now goes direct"
wait_json s1 "show ip nhrp" '[.entries[] | select(.kind == "shortcut")] | length >= 1' 10 ||
	FAILS="$FAILS shortcut"
show s1 "spoke 1" "show dmvpn"
show s1 "spoke 1" "show ip nhrp"
show s1 "spoke 1" "show ip cef"
show s1 "spoke 1" "show adjacency detail"
show s1 "spoke 1" "show ip arp"
show hub "hub, after the pings" "show ip nhrp traffic"
show hub "hub, after the pings" "show dataplane"

if [ -z "$FAILS" ]; then
	VERDICT="DEMO OK: hub and 2 spokes up, both spokes registered, spoke-to-spoke shortcut installed, 3/3 host-to-host pings with 0% loss (rtt avg $summary)"
	echo "$VERDICT"
	if [ "${KEEP:-0}" = 1 ]; then
		echo "KEEP=1: try   ip netns exec $P-h1 ping 10.0.65.10"
		echo "              $CLI_BIN -c $(node_conf hub) show adjacency"
	fi
	exit 0
fi
VERDICT="DEMO FAILED:$FAILS (logs in $T/log)"
echo "$VERDICT"
exit 1
