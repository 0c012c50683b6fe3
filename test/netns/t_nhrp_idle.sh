#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Shortcut lifetime (docs/nhrp.md "Expiry, refresh, purge"): a Phase 2
# shortcut lives for the holding time of the answer (the registration's,
# 20 s here).  A quarter before the end the data plane's last-used stamp
# of its adjacency is checked: while traffic flows it is resolved again
# and lives on past its first holding time; once traffic stops, the entry,
# its adjacency and the route through it are removed at expiry and the
# route is a glean entry again (traffic would go via the hub).
set -e
. "$(dirname "$0")/lib.sh"
setup
HOLD=20
conf_gen_all
for s in s1 s2; do conf_set "$s" nhrp "holdtime = $HOLD;"; done
nodes_start
wait_json hub "show ip nhrp" '[.entries[] | select(.kind == "registered")] | length == 2' 20 ||
	die "hub: the two spokes did not register"

shortcut_up() {	# NODE ADDRESS
	wait_json "$1" "show ip nhrp" "[.entries[] | select(.target == \"$2\" and .kind == \"shortcut\")] | length == 1" 10 ||
		die "$1: no shortcut to $2"
}
ping_wait h1 "${HOST_ADDR[2]}"
shortcut_up s1 "${TUN_ADDR[2]}"
shortcut_up s2 "${TUN_ADDR[1]}"
t_inst=$(now_ms)
assert_eq "s1: shortcut holding time" $HOLD "$(nhrp_entry s1 "${TUN_ADDR[2]}" | jq -r .holdtime)"
req0=$(nhrp_sent s1 resolution_request)

# Traffic for longer than the holding time: the shortcut is refreshed.
bg_start ping "$P-h1" "$T/log/ping.log" ping -n -i 0.2 "${HOST_ADDR[2]}"
wait_json s1 "show ip nhrp traffic" '.interfaces[0].counters.shortcut_refreshed >= 1' $((HOLD + 5)) ||
	die "s1: shortcut in use not refreshed within $((HOLD + 5)) s"
# (waiting for time itself: the entry must outlive its first holding time)
past_hold() { [ $(( $(now_ms) - t_inst )) -gt $(( (HOLD + 3) * 1000 )) ]; }
poll $((HOLD + 10)) past_hold
e=$(nhrp_entry s1 "${TUN_ADDR[2]}")
assert_eq "s1: shortcut still there $((HOLD + 3)) s after it was installed" shortcut \
	"$(jq -r .kind <<< "$e")"
assert_eq "s1: its adjacency" "shortcut live" \
	"$(adj_json s1 "${TUN_ADDR[2]}" | jq -r '"\(.flags[0]) \(.state)"')"
assert_ge "s1: resolution requests (refresh) since install" 1 $(( $(nhrp_sent s1 resolution_request) - req0 ))
assert_eq "s1: shortcuts expired while in use" 0 "$(nhrp_ctr s1 shortcut_expired)"
assert_eq "s1: shortcuts installed (one, refreshed in place)" 1 "$(nhrp_ctr s1 shortcut_installed)"
bg_stop ping INT
out=$(tail -n 3 "$T/log/ping.log")
assert_match "ping over the refreshed shortcut: no loss" ' 0% packet loss' "$out"

# Traffic stops: removed at expiry, not before.
left=$(nhrp_entry s1 "${TUN_ADDR[2]}" | jq -r .expires_in_s)
t0=$(now_ms)
wait_json s1 "show ip nhrp" "[.entries[] | select(.target == \"${TUN_ADDR[2]}\")] | length == 0" $((2 * HOLD + 5)) ||
	die "s1: idle shortcut not removed within $((2 * HOLD + 5)) s"
t=$(( $(now_ms) - t0 ))
log "REPORT idle shortcut removed $t ms after traffic stopped (holding time $HOLD s, $left s left)"
assert_ge "s1: idle shortcut kept until its expiry (ms, $left s were left)" $(( (left - 2) * 1000 )) "$t"
assert_eq "s1: shortcuts expired" 1 "$(nhrp_ctr s1 shortcut_expired)"
wait_json s1 "show adjacency" "[.adjacencies[] | select(.address == \"${TUN_ADDR[2]}\")] | length == 0" 5 ||
	die "s1: the shortcut's adjacency stayed"
assert_eq "s1: route 10.0.65.0/24 after expiry" "glean ${TUN_ADDR[2]}" \
	"$(route_json s1 10.0.65.0/24 | jq -r '"\(.type) \(.next_hop)"')"
wait_json s2 "show ip nhrp" "[.entries[] | select(.target == \"${TUN_ADDR[1]}\")] | length == 0" $((HOLD + 5)) ||
	die "s2: idle reverse shortcut not removed"
wait_json s2 "show adjacency" "[.adjacencies[] | select(.address == \"${TUN_ADDR[1]}\")] | length == 0" 5 ||
	die "s2: the reverse shortcut's adjacency stayed"
assert_eq "hub: both spokes still registered" 2 "$(jq_get hub "show ip nhrp summary" .registered)"
log "PASS"
