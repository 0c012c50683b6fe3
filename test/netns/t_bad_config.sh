#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A configuration with an error is refused with FILE:LINE, and the running
# node keeps forwarding (DESIGN.md: a bad file never stops a running node).
#  1. `-n` on copies of the hub's config with one error each (table below):
#     both binaries exit 1 and print FILE:LINE of the error.
#  2. The hub's own file gets an error while it runs, with a ping through
#     the hub all along: `dmvpnctl reload` fails with FILE:LINE, so does
#     SIGHUP (logged), the controller stays up with its old state and sends
#     the data plane nothing, and the ping loses nothing.  The good file back: reload succeeds.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_mesh
nodes_start
for n in $NODES; do wait_adj_valid "$n" 2; done
ping_wait h1 10.1.0.10

GOOD=$(node_conf hub)
cp "$GOOD" "$T/conf/hub.good"
KEYLINE=$(grep -n '^[[:space:]]*key = 999;' "$GOOD" | cut -d: -f1)
[ -n "$KEYLINE" ] || die "no 'key = 999;' in $GOOD"

# break NAME LINE SED: a copy of the good file with one error at LINE
break_conf() {
	sed "$3" "$T/conf/hub.good" > "$T/conf/$1.conf"
	cmp -s "$T/conf/$1.conf" "$T/conf/hub.good" && die "break_conf $1: nothing changed"
	return 0
}

# 1. -n, one numbered case per line: NAME LINE SED-EXPRESSION
while read -r num name line expr; do
	[ -n "$num" ] || continue
	break_conf "$name" "$line" "$expr"
	f=$T/conf/$name.conf
	for bin in "$CTL_BIN" "$DP_BIN"; do
		rc=0
		out=$("$bin" -n -c "$f" 2>&1) || rc=$?
		assert_eq "case $num $name: ${bin##*/} -n exit status" 1 "$rc"
		assert_match "case $num $name: ${bin##*/} -n names FILE:LINE" "$f:$line:" "$out"
		log "    $(printf '%s\n' "$out" | grep -m1 -F "$f:$line:")"
	done
done <<EOF
1 key-type    $KEYLINE  ${KEYLINE}s/key = 999;/key = "nine-nine-nine";/
2 key-range   $KEYLINE  ${KEYLINE}s/key = 999;/key = -5;/
3 syntax      $KEYLINE  ${KEYLINE}s/key = 999;/key = 999 999;/
4 unknown     $KEYLINE  ${KEYLINE}s/key = 999;/key = 999; bogus_setting = 1;/
EOF

# 2. the running hub's file goes bad under traffic
bg_start ping "$P-h1" "$T/log/ping.log" ping -n -q -i 0.02 -c 250 -W 2 10.1.0.10
ctl_pid=$(bg_pid hub-ctl)
adj=$(adj_table hub)
routes=$(route_table hub)
sent=$(jq_get hub "show dataplane" '.controller.messages_sent')

sed "${KEYLINE}s/key = 999;/key = \"nine-nine-nine\";/" "$T/conf/hub.good" > "$GOOD"
# Reach the controller by instance name while the file is broken.
# shellcheck disable=SC2034 # read by ctl() in lib.sh
CTL_BY_NAME=1
rc=0
out=$(ctl_cli hub reload 2>&1) || rc=$?
assert_eq "reload of a bad file: dmvpnctl -i exit status" 1 "$rc"
assert_match "reload of a bad file names FILE:LINE" "$GOOD:$KEYLINE:" "$out"
log "    $out"
# The same asked with -c of the broken file: dmvpnctl warns with FILE:LINE,
# still finds the node from the file's instance name (docs/cli.md), and the
# controller refuses the reload (exit 1).
rc=0
out=$(CTL_BY_NAME=0 ctl hub reload 2>&1) || rc=$?
assert_eq "reload of a bad file: dmvpnctl -c exit status" 1 "$rc"
assert_match "reload with -c of a bad file names FILE:LINE" "$GOOD:$KEYLINE:" "$out"

kill -HUP "$ctl_pid"
poll 10 grep -q "$GOOD:$KEYLINE:" "$T/log/hub-ctl.log" ||
	die "SIGHUP with a bad file: no FILE:LINE in the controller's log"
log "ok: SIGHUP refused: $(grep -m1 "$GOOD:$KEYLINE:" "$T/log/hub-ctl.log")"
assert_eq "messages sent to the data plane by the refused reloads" 0 \
	$(( $(jq_get hub "show dataplane" '.controller.messages_sent') - sent ))
pid_alive "$ctl_pid" || die "controller died on a bad reload"
assert_eq "hub adjacencies kept" "$adj" "$(adj_table hub)"
assert_eq "hub routes kept" "$routes" "$(route_table hub)"

bg_wait ping 30 || true
assert_match "ping through the hub during the bad reloads" \
	"^250 packets transmitted, 250 received" "$(grep 'packets transmitted' "$T/log/ping.log")"

cp "$T/conf/hub.good" "$GOOD"
# shellcheck disable=SC2034 # read by ctl() in lib.sh
CTL_BY_NAME=0
out=$(ctl_cli hub reload 2>&1) || die "reload of the good file failed: $out"
node_wait_up hub 10
ping_check "h1 -> h0 after the good reload" h1 10.1.0.10 10 -i 0.05
log "PASS"
