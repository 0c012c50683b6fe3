#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# dmvpn netns suite: runs every scenario, or the named ones, each in its own
# process and its own fresh topology (test/netns/lib.sh), and prints
# PASS/FAIL per scenario and "N passed, N failed" last.  Needs root.
#
#   test/netns/run.sh                 all scenarios
#   test/netns/run.sh ping pmtu       only these
#   test/netns/run.sh --list          scenario names
#   test/netns/run.sh --clean DIR     remove what a KEEP=1 run left in DIR
#
# Environment: DMVPN_BUILD (build dir), KEEP=1, VERBOSE=1 (see lib.sh),
# NETNS_TIMEOUT (seconds per scenario, default 300),
# NETNS_LOGDIR (where scenario logs go, default a new /tmp/dmvpn-netns-logs.*).
set -u

NETNS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Order matters only for reading the output: each scenario is independent.
ALL="ping iperf pmtu ctl_kill dp_restart bad_config nhrp_register nhrp_phase2 nhrp_phase3
	nhrp_dualhub nhrp_nbma nhrp_nat nhrp_auth nhrp_idle esp"

usage() {
	echo "usage: $0 [--list | --clean DIR | SCENARIO...]" >&2
	echo "scenarios: $ALL" >&2
	exit 2
}

case ${1:-} in
--list) for s in $ALL; do echo "$s"; done; exit 0 ;;
--clean)
	[ $# = 2 ] || usage
	# shellcheck source=lib.sh
	. "$NETNS_DIR/lib.sh"
	clean_dir "$2"
	echo "cleaned $2"
	exit 0 ;;
-h|--help) usage ;;
esac

[ "$(id -u)" = 0 ] || { echo "netns tests need root: skipped" >&2; exit 77; }

list=${*:-$ALL}
for s in $list; do
	[ -f "$NETNS_DIR/t_$s.sh" ] || { echo "unknown scenario '$s'" >&2; usage; }
done

LOGDIR=${NETNS_LOGDIR:-$(mktemp -d /tmp/dmvpn-netns-logs.XXXXXX)}
mkdir -p "$LOGDIR"
TIMEOUT=${NETNS_TIMEOUT:-300}
child=""

# Ctrl-C / TERM: the scenario (a background job, so SIGINT does not reach
# it) gets TERM and cleans up after itself before we leave.
on_signal() {
	if [ -n "$child" ]; then
		kill -TERM "$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	echo "interrupted" >&2
	exit 130
}
trap on_signal INT TERM

alive() { kill -0 "$1" 2>/dev/null && ! grep -q ') Z' "/proc/$1/stat" 2>/dev/null; }

# Anything a scenario left behind is a failure of that scenario: namespaces
# with its prefix, or processes it recorded and did not stop.  Removed here
# by name of namespace / recorded PID (never by process name).
leftovers() {	# PID TDIR_FILE
	local pid=$1 ns left=""
	for ns in $(ip netns list | awk '{ print $1 }' | grep "^dmvpn-$pid-"); do
		left="$left netns:$ns"
	done
	d=$(cat "$2" 2>/dev/null)
	if [ -n "$d" ] && [ -d "$d/pids" ]; then
		if [ -n "$(ls -A "$d/pids" 2>/dev/null)" ] || [ -f "$d/netns" ]; then
			left="$left dir:$d"
		fi
	fi
	echo "$left"
}

pass=0
fail=0
failed=""
for s in $list; do
	start=$(date +%s)
	logf="$LOGDIR/$s.log"
	# The scenario writes its temp dir's path there: leftovers can be found.
	tfile="$LOGDIR/$s.tdir"
	rm -f "$tfile"
	DMVPN_NETNS_TDIR_FILE=$tfile bash "$NETNS_DIR/t_$s.sh" > "$logf" 2>&1 &
	child=$!
	deadline=$(( start + TIMEOUT ))
	while alive "$child" && [ "$(date +%s)" -lt "$deadline" ]; do
		sleep 0.2
	done
	if alive "$child"; then
		echo "timeout after ${TIMEOUT}s: TERM" >> "$logf"
		kill -TERM "$child"
	fi
	wait "$child"
	rc=$?
	secs=$(( $(date +%s) - start ))
	left=$(leftovers "$child" "$tfile")
	if [ -n "$left" ] && [ "${KEEP:-0}" != 1 ]; then
		echo "LEFTOVERS:$left" >> "$logf"
		for ns in $left; do
			case $ns in
			netns:*) ip netns del "${ns#netns:}" 2>/dev/null ;;
			dir:*) bash "$0" --clean "${ns#dir:}" >> "$logf" 2>&1 ;;
			esac
		done
		[ "$rc" = 0 ] && rc=1
	fi
	child=""
	if [ "$rc" = 0 ]; then
		pass=$((pass + 1))
		printf 'PASS %-14s %4ss\n' "$s" "$secs"
		grep -o 'REPORT .*' "$logf" | sed 's/^REPORT /     /'
	elif [ "$rc" = 77 ]; then
		printf 'SKIP %-14s %4ss  %s\n' "$s" "$secs" "$(tail -1 "$logf")"
	else
		fail=$((fail + 1))
		failed="$failed $s"
		printf 'FAIL %-14s %4ss  (rc %s, log %s)\n' "$s" "$secs" "$rc" "$logf"
		grep -o 'REPORT .*' "$logf" | sed 's/^REPORT /     /'
		tail -n 25 "$logf" | sed 's/^/     | /'
	fi
done

[ "$fail" = 0 ] && [ -z "${NETNS_LOGDIR:-}" ] && [ "${KEEP:-0}" != 1 ] && rm -rf "$LOGDIR"
[ "$fail" = 0 ] || echo "failed:$failed (logs in $LOGDIR)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
