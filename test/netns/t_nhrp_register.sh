#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Dynamic registration (docs/nhrp.md "Registration"): the hub has no static
# map of the spokes; both spokes register (holdtime 30 s), the hub learns
# them as dynamic entries with their adjacencies and reaches their LANs
# through them; the registrations are refreshed at holdtime / 3 with a new
# request id; a spoke that goes away silently (its controller's exit sends
# no purge) expires at its holdtime, the other stays.  On the wire (tshark
# on the hub's link): Registration Requests (U and NAT flags) and Replies
# (code 0), every NHRP packet with the GRE key, TTL 255, TOS 0xc0 and a
# good checksum.
set -e
. "$(dirname "$0")/lib.sh"
setup
HOLD=30
conf_gen_all
for s in s1 s2; do conf_set "$s" nhrp "holdtime = $HOLD;"; done
cap_start hub "$P-ni" "${INET_IF[0]}" "ip proto 47"
nodes_start

wait_json hub "show ip nhrp" '[.entries[] | select(.kind == "registered")] | length == 2' 20 ||
	die "hub: the two spokes did not register"
for i in 1 2; do
	s=s$i
	wait_json "$s" "show ip nhrp nhs" \
		".interfaces[0].nhs[0] | .address == \"${TUN_ADDR[0]}\" and .state == \"up\"" 10 ||
		die "$s: NHS not up"
	assert_eq "$s: NHS flags" RE "$(nhs_get "$s" "${TUN_ADDR[0]}" flags)"
	assert_eq "$s: NHS last code" 0 "$(nhs_get "$s" "${TUN_ADDR[0]}" last_code)"
	e=$(nhrp_entry hub "${TUN_ADDR[$i]}")
	assert_eq "hub: $s entry type/kind/nbma/claimed/holdtime" \
		"dynamic registered ${PUB_ADDR[$i]} ${PUB_ADDR[$i]} $HOLD" \
		"$(jq -r '"\(.type) \(.kind) \(.nbma) \(.claimed_nbma) \(.holdtime)"' <<< "$e")"
	assert_eq "hub: $s entry flags (authoritative unique registered multicast)" true \
		"$(jq '.flags | contains(["authoritative", "unique", "registered", "multicast"])' <<< "$e")"
	assert_eq "hub: $s entry request id = the spoke's" \
		"$(nhs_get "$s" "${TUN_ADDR[0]}" request_id)" "$(jq -r .request_id <<< "$e")"
	a=$(adj_json hub "${TUN_ADDR[$i]}")
	assert_eq "hub: $s adjacency nbma/flags/state" \
		"${PUB_ADDR[$i]} dynamic,unique,multicast live" \
		"$(jq -r '"\(.nbma) \(.flags | join(",")) \(.state)"' <<< "$a")"
	assert_eq "hub: route ${TUN_ADDR[$i]}/32" "adjacency nhrp-adjacency" \
		"$(route_json hub "${TUN_ADDR[$i]}/32" | jq -r '"\(.type) \(.source)"')"
done
assert_eq "hub summary: dynamic registered static" "2 2 0" \
	"$(jq_get hub "show ip nhrp summary" '"\(.dynamic) \(.registered) \(.static)"')"
assert_eq "hub show dmvpn: type and peers UP, D" "Hub 2 2" \
	"$(jq_get hub "show dmvpn" '.interfaces[0] | "\(.type) \(.peers | length) \([.peers[] | select(.state == "UP" and .attributes == "D")] | length)"')"
assert_ge "hub: registrations accepted" 2 "$(nhrp_ctr hub reg_accepted)"
assert_eq "hub: authentication failures" 0 "$(nhrp_ctr hub auth_fail)"
assert_eq "hub: unique conflicts" 0 "$(nhrp_ctr hub unique_conflict)"

# The hub reaches the spokes' LANs through what it learned (no static map).
ping_wait h0 "${HOST_ADDR[1]}"
ping_wait h0 "${HOST_ADDR[2]}"
ping_check "h0 -> h1 via the registration" h0 "${HOST_ADDR[1]}" 10 -i 0.05
ping_check "h0 -> h2 via the registration" h0 "${HOST_ADDR[2]}" 10 -i 0.05

# Refresh at holdtime / 3: a new request id, the entry's expiry pushed back.
id1=$(nhs_get s1 "${TUN_ADDR[0]}" request_id)
wait_json hub "show ip nhrp traffic" ".interfaces[0].counters.reg_refreshed >= 2" \
	$((HOLD / 3 + 10)) || die "hub: no refresh of both registrations within $((HOLD / 3 + 10)) s"
wait_json s1 "show ip nhrp nhs" ".interfaces[0].nhs[0].request_id != $id1 and
	.interfaces[0].nhs[0].state == \"up\"" 5 || die "s1: refresh without a new request id"
e=$(nhrp_entry hub "${TUN_ADDR[1]}")
assert_eq "hub: s1 entry request id after refresh" \
	"$(nhs_get s1 "${TUN_ADDR[0]}" request_id)" "$(jq -r .request_id <<< "$e")"
assert_ge "hub: s1 expires_in_s after refresh" $((HOLD - 3)) "$(jq -r .expires_in_s <<< "$e")"

# On the wire: requests from each spoke, replies to each, all well formed.
for i in 1 2; do
	cap_wait hub "nhrp.hdr.op.type == 4 && ip.dst == ${PUB_ADDR[$i]}" 2
done
cap_stop hub
nhrp_wire_check hub 8 "${PUB_ADDR[0]}"
for i in 1 2; do
	assert_ge "wire: registration requests ${PUB_ADDR[$i]} -> ${PUB_ADDR[0]} with U and NAT" 2 \
		"$(cap_fields hub "nhrp.hdr.op.type == 3 && ip.src == ${PUB_ADDR[$i]} && ip.dst == ${PUB_ADDR[0]} &&
			nhrp.flag.u == 1 && nhrp.flag.nat == 1 && nhrp.src.prot.addr == ${TUN_ADDR[$i]}" frame.number | wc -l)"
	assert_ge "wire: registration replies ${PUB_ADDR[0]} -> ${PUB_ADDR[$i]}, code 0" 2 \
		"$(cap_fields hub "nhrp.hdr.op.type == 4 && ip.src == ${PUB_ADDR[0]} && ip.dst == ${PUB_ADDR[$i]} &&
			nhrp.code == 0" frame.number | wc -l)"
done
assert_eq "wire: registration replies with a code other than 0" 0 \
	"$(cap_fields hub "nhrp.hdr.op.type == 4 && nhrp.code != 0" frame.number | wc -l)"

# Spoke 2 goes away without a word: its registration expires at the
# holdtime, its adjacency and route go with it; spoke 1 stays registered.
left=$(nhrp_entry hub "${TUN_ADDR[2]}" | jq -r .expires_in_s)
node_stop s2
t0=$(now_ms)
wait_json hub "show ip nhrp" "[.entries[] | select(.target == \"${TUN_ADDR[2]}\")] | length == 0" \
	$((HOLD + 5)) || die "hub: s2's registration did not expire within $((HOLD + 5)) s"
t=$(( $(now_ms) - t0 ))
log "REPORT s2 registration expired $t ms after s2 stopped (holdtime $HOLD s, $left s left)"
assert_ge "hub: s2 kept until its expiry (ms, $left s were left)" $(( (left - 2) * 1000 )) "$t"
assert_eq "hub: purge requests received (a controller's exit sends none)" 0 \
	"$(nhrp_rcvd hub purge_request)"
assert_eq "hub: registrations expired" 1 "$(nhrp_ctr hub reg_expired)"
wait_json hub "show adjacency" "[.adjacencies[] | select(.address == \"${TUN_ADDR[2]}\")] | length == 0" 5 ||
	die "hub: s2's adjacency stayed"
assert_eq "hub: route ${TUN_ADDR[2]}/32 after expiry" "" "$(route_json hub "${TUN_ADDR[2]}/32")"
assert_eq "hub: s1 still registered" registered "$(nhrp_entry hub "${TUN_ADDR[1]}" | jq -r .kind)"
ping_check "h0 -> h1 after s2 left" h0 "${HOST_ADDR[1]}" 5 -i 0.05
log "PASS"
