#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A spoke's NBMA (public) address changes (docs/nhrp.md "Unique", "Expiry,
# refresh, purge"):
#  A. spoke 1 (unique, the default) moves to another subnet by a reload
#     (the internet router's side moves too): it purges its registration
#     (N flag, the registration's request id) and registers again from
#     the new address; the hub takes it at once, no conflict;
#  B. spoke 2 (no_unique) restarts with another address, so nothing is
#     purged: the new NBMA simply takes over its registration;
#  C. spoke 1 restarts with yet another address, nothing purged: the hub
#     refuses the unique address (CIE code 14, unique_conflict counted,
#     the spoke's NHS down with last code 14) until the old registration
#     expires, then accepts the retry.
set -e
. "$(dirname "$0")/lib.sh"
setup
HOLD1=20
conf_gen_all
conf_set s1 nhrp "holdtime = $HOLD1;"
conf_set s2 nhrp "holdtime = 30;" "no_unique = true;"
nodes_start
wait_json hub "show ip nhrp" '[.entries[] | select(.kind == "registered")] | length == 2' 20 ||
	die "hub: the two spokes did not register"
assert_eq "hub: s1 entry unique" true "$(nhrp_entry hub "${TUN_ADDR[1]}" | jq '.flags | index("unique") != null')"
assert_eq "hub: s2 entry unique (no_unique)" false "$(nhrp_entry hub "${TUN_ADDR[2]}" | jq '.flags | index("unique") != null')"

wait_nbma() {	# ADDRESS NBMA TIMEOUT: the hub's registration of ADDRESS is at NBMA
	wait_json hub "show ip nhrp" "[.entries[] | select(.target == \"$1\" and .kind == \"registered\" and .nbma == \"$2\")] | length == 1" "$3"
}
ctr_snapshot() {
	purged0=$(nhrp_ctr hub purged)
	purge_rx0=$(nhrp_rcvd hub purge_request)
	conflict0=$(nhrp_ctr hub unique_conflict)
	accepted0=$(nhrp_ctr hub reg_accepted)
}

# ---- A: reload with a new address, in another subnet: purge, then register
OLD=${PUB_ADDR[1]}
reqid=$(nhs_get s1 "${TUN_ADDR[0]}" request_id)
ctr_snapshot
cap_start a "$P-ni" "${INET_IF[1]}" "ip proto 47"
inet_readdress s1 198.51.100.129/25
pub_readdress s1 198.51.100.130/25 198.51.100.129
ctl s1 reload >/dev/null
wait_nbma "${TUN_ADDR[1]}" "${PUB_ADDR[1]}" 10 || die "A: hub did not take s1's new address"
assert_eq "A: hub: purge requests received" $((purge_rx0 + 1)) "$(nhrp_rcvd hub purge_request)"
assert_eq "A: hub: entries purged" $((purged0 + 1)) "$(nhrp_ctr hub purged)"
assert_eq "A: hub: unique conflicts" "$conflict0" "$(nhrp_ctr hub unique_conflict)"
assert_eq "A: hub: s1 entry claimed / unique" "${PUB_ADDR[1]} true" \
	"$(nhrp_entry hub "${TUN_ADDR[1]}" | jq -r '"\(.claimed_nbma) \(.flags | index("unique") != null)"')"
assert_eq "A: hub: s1 adjacency" "${PUB_ADDR[1]} live" \
	"$(adj_json hub "${TUN_ADDR[1]}" | jq -r '"\(.nbma) \(.state)"')"
assert_eq "A: s1: NHS state / last code" "up 0" \
	"$(nhs_get s1 "${TUN_ADDR[0]}" state) $(nhs_get s1 "${TUN_ADDR[0]}" last_code)"
ping_wait h1 "${HOST_ADDR[0]}"
ping_check "A: h0 -> h1 at the new address" h0 "${HOST_ADDR[1]}" 10 -i 0.05
cap_wait a "nhrp.hdr.op.type == 4" 1
cap_stop a
nhrp_wire_check a 3 "${PUB_ADDR[1]}"
p=$(cap_fields a "nhrp.hdr.op.type == 5" ip.src nhrp.flag.n nhrp.reqid nhrp.client.prot.addr nhrp.client.nbma.addr)
log "A: purge request (outer source, N, request id, client): $p"
assert_eq "A: wire: purge (N, the registration's request id, s1, old NBMA)" \
	"1 $(printf 0x%08x "$reqid") ${TUN_ADDR[1]} $OLD" "$(cut -d' ' -f2- <<< "$p")"
f_purge=$(cap_fields a "nhrp.hdr.op.type == 5" frame.number)
f_reg=$(cap_fields a "nhrp.hdr.op.type == 3 && ip.src == ${PUB_ADDR[1]} && nhrp.src.nbma.addr == ${PUB_ADDR[1]}" frame.number | head -1)
assert_ge "A: wire: the registration from the new address follows the purge (frame)" $((f_purge + 1)) "$f_reg"

# ---- B: no_unique, restart with a new address (no purge): taken at once
ctr_snapshot
node_stop s2
pub_readdress s2 203.0.113.3/24 203.0.113.254
node_start s2
node_wait_up s2
wait_nbma "${TUN_ADDR[2]}" "${PUB_ADDR[2]}" 10 || die "B: hub did not take s2's new address"
assert_eq "B: hub: purge requests received" "$purge_rx0" "$(nhrp_rcvd hub purge_request)"
assert_eq "B: hub: unique conflicts" "$conflict0" "$(nhrp_ctr hub unique_conflict)"
assert_ge "B: hub: registrations accepted (+)" 1 $(( $(nhrp_ctr hub reg_accepted) - accepted0 ))
assert_eq "B: s2: NHS state / last code" "up 0" \
	"$(nhs_get s2 "${TUN_ADDR[0]}" state) $(nhs_get s2 "${TUN_ADDR[0]}" last_code)"
assert_eq "B: hub: s2 adjacency" "${PUB_ADDR[2]} live" \
	"$(adj_json hub "${TUN_ADDR[2]}" | jq -r '"\(.nbma) \(.state)"')"
ping_check "B: h0 -> h2 at the new address" h0 "${HOST_ADDR[2]}" 5 -i 0.05

# ---- C: unique, restart with a new address (no purge): code 14 until expiry
ctr_snapshot
OLD=${PUB_ADDR[1]}
cap_start c "$P-ni" "${INET_IF[1]}" "ip proto 47"
node_stop s1
left=$(nhrp_entry hub "${TUN_ADDR[1]}" | jq -r .expires_in_s)
t0=$(now_ms)
pub_readdress s1 198.51.100.131/25 198.51.100.129
node_start s1
node_wait_up s1
wait_json hub "show ip nhrp traffic" ".interfaces[0].counters.unique_conflict > $conflict0" 10 ||
	die "C: hub did not refuse s1's new address"
wait_json s1 "show ip nhrp nhs" '.interfaces[0].nhs[0] | .state == "down" and .last_code == 14 and .refused >= 1' 5 ||
	die "C: s1 does not see the refusal"
assert_eq "C: hub: s1 entry still at the old address" "$OLD" "$(nhrp_entry hub "${TUN_ADDR[1]}" | jq -r .nbma)"
assert_eq "C: hub: purge requests received" "$purge_rx0" "$(nhrp_rcvd hub purge_request)"
grep -q "registration of ${TUN_ADDR[1]} from ${PUB_ADDR[1]} refused: unique address registered by another NBMA" \
	"$T/log/hub-ctl.log" || die "C: no refusal in the hub's log"
# Retries after 1, 2, 4, 8, 16, 32 s: accepted at the first after expiry.
wait_nbma "${TUN_ADDR[1]}" "${PUB_ADDR[1]}" $((HOLD1 + 64 + 5)) ||
	die "C: hub did not take s1's new address after the old one expired"
t=$(( $(now_ms) - t0 ))
log "REPORT C: s1 registered from its new address $t ms after it stopped (old registration had $left s left)"
assert_ge "C: not before the old registration expired (ms, $left s were left)" $(( (left - 2) * 1000 )) "$t"
assert_ge "C: hub: registrations expired" 1 "$(nhrp_ctr hub reg_expired)"
refusals=$(( $(nhrp_ctr hub unique_conflict) - conflict0 ))
assert_ge "C: hub: refusals (code 14)" 1 "$refusals"
wait_json s1 "show ip nhrp nhs" '.interfaces[0].nhs[0] | .state == "up" and .last_code == 0' 5 ||
	die "C: s1's NHS not up"
ping_wait h1 "${HOST_ADDR[0]}"
ping_check "C: h0 -> h1 at the new address" h0 "${HOST_ADDR[1]}" 5 -i 0.05
cap_wait c "nhrp.hdr.op.type == 4 && nhrp.code == 0" 1
cap_stop c
nhrp_wire_check c 4 "${PUB_ADDR[1]}"
assert_eq "C: wire: replies with code 14 to ${PUB_ADDR[1]} (one per refusal)" "$refusals" \
	"$(cap_fields c "nhrp.hdr.op.type == 4 && ip.dst == ${PUB_ADDR[1]} && nhrp.code == 14" frame.number | wc -l)"
log "PASS"
