#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# A spoke behind NAT (docs/nhrp.md "NAT"): spoke 2's public link goes
# through a NAT namespace (nftables masquerade): spoke 2 is 192.168.2.2
# inside, 203.0.113.2 outside.  It registers; the hub keeps the observed
# address as its NBMA and the claimed one beside it (flag nat, `show ip
# nhrp` "(Claimed NBMA address: ...)"), counts it (nat_detected) and tells
# the spoke its outside address in the reply's NAT extension; spoke 2
# learns it (log) and puts it in the NAT extension of its resolution
# requests.  Spoke-to-spoke resolution through the hub works both ways
# with the NATed spoke: spoke 1 gets 203.0.113.2 for 10.0.0.3, and the
# hosts talk directly, through the NAT, not through the hub.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_all
for s in s1 s2; do conf_set "$s" nhrp "holdtime = 60;"; done
nat_add s2
INSIDE=${PUB_ADDR[2]}
OUTSIDE=${NAT_OUTSIDE[2]}
cap_start hub "$P-ni" "${INET_IF[0]}" "ip proto 47"
cap_start in "$P-x2" nat-in "ip proto 47"
nodes_start
wait_json hub "show ip nhrp" '[.entries[] | select(.kind == "registered")] | length == 2' 20 ||
	die "hub: the two spokes did not register"

e=$(nhrp_entry hub "${TUN_ADDR[2]}")
assert_eq "hub: s2 entry nbma (observed) / claimed" "$OUTSIDE $INSIDE" \
	"$(jq -r '"\(.nbma) \(.claimed_nbma)"' <<< "$e")"
assert_eq "hub: s2 entry flags registered nat" true "$(jq '.flags | contains(["registered", "nat"])' <<< "$e")"
assert_eq "hub: s1 entry not nat" false "$(nhrp_entry hub "${TUN_ADDR[1]}" | jq '.flags | index("nat") != null')"
assert_eq "hub: s2 adjacency nbma, nat" "$OUTSIDE true" \
	"$(adj_json hub "${TUN_ADDR[2]}" | jq -r '"\(.nbma) \(.flags | index("nat") != null)"')"
assert_ge "hub: registrations from behind NAT" 1 "$(nhrp_ctr hub nat_detected)"
assert_match "hub: show ip nhrp (text)" "NBMA address: $OUTSIDE \\(Claimed NBMA address: $INSIDE\\)" \
	"$(ctl hub show ip nhrp)"
poll 10 grep -q "behind NAT: our NBMA $INSIDE is seen as $OUTSIDE" "$T/log/s2-ctl.log" ||
	die "s2 did not learn its outside address (log: $T/log/s2-ctl.log)"
log "ok: s2 learned it is seen as $OUTSIDE"
ping_check "h0 -> h2 through the NAT" h0 "${HOST_ADDR[2]}" 5 -i 0.1

# Spoke to spoke, started from behind the NAT (its packets open the NAT's
# mapping for spoke 1's), then both ways.
ping_wait h2 "${HOST_ADDR[1]}" 20
for p in "1 2" "2 1"; do
	set -- $p
	wait_json "s$1" "show ip nhrp" "[.entries[] | select(.target == \"${TUN_ADDR[$2]}\" and .kind == \"shortcut\")] | length == 1" 10 ||
		die "s$1: no shortcut to ${TUN_ADDR[$2]}"
done
set --
assert_eq "s1: shortcut to s2 at its outside address" "$OUTSIDE" "$(nhrp_entry s1 "${TUN_ADDR[2]}" | jq -r .nbma)"
assert_eq "s1: adjacency to s2" "$OUTSIDE live" \
	"$(adj_json s1 "${TUN_ADDR[2]}" | jq -r '"\(.nbma) \(.state)"')"
assert_eq "s2: shortcut to s1" "${PUB_ADDR[1]}" "$(nhrp_entry s2 "${TUN_ADDR[1]}" | jq -r .nbma)"
wait_adj_valid s1 2
wait_adj_valid s2 2

cap_start out "$P-ni" "${INET_IF[2]}" "ip proto 47"
cap_start in2 "$P-x2" nat-in "ip proto 47"
hub_to_s2=$(adj_packets_out hub "${TUN_ADDR[2]}")
hub_to_s1=$(adj_packets_out hub "${TUN_ADDR[1]}")
N=20
ping_check "h2 -> h1 direct through the NAT" h2 "${HOST_ADDR[1]}" $N -i 0.05
ping_check "h1 -> h2 direct through the NAT" h1 "${HOST_ADDR[2]}" $N -i 0.05
assert_eq "hub: packets to s2 during the direct flows" "$hub_to_s2" "$(adj_packets_out hub "${TUN_ADDR[2]}")"
assert_eq "hub: packets to s1 during the direct flows" "$hub_to_s1" "$(adj_packets_out hub "${TUN_ADDR[1]}")"
cap_wait out icmp $((4 * N))
cap_wait in2 icmp $((4 * N))
cap_stop out
cap_stop in2
# Outside the NAT: GRE between the outside address and spoke 1; inside:
# the same packets with spoke 2's own address.
assert_eq "outside: echoes $OUTSIDE <-> ${PUB_ADDR[1]}" $((4 * N)) \
	"$(cap_fields out "icmp && ip.addr == $OUTSIDE && ip.addr == ${PUB_ADDR[1]}" frame.number | wc -l)"
assert_eq "inside: echoes $INSIDE <-> ${PUB_ADDR[1]}" $((4 * N)) \
	"$(cap_fields in2 "icmp && ip.addr == $INSIDE && ip.addr == ${PUB_ADDR[1]}" frame.number | wc -l)"

cap_wait hub "nhrp.hdr.op.type == 2 && ip.dst == $OUTSIDE" 1
cap_stop hub
cap_stop in
nhrp_wire_check hub 8 "${PUB_ADDR[0]}" "$OUTSIDE=253"
nhrp_wire_check in 4 "$INSIDE" "${PUB_ADDR[0]}=253"
# The hub tells spoke 2 what it saw: the reply's NAT extension (type 9)
# carries a CIE with the outside address for 10.0.0.3.
assert_ge "wire: registration reply to $OUTSIDE names $OUTSIDE for ${TUN_ADDR[2]}" 1 \
	"$(cap_fields hub "nhrp.hdr.op.type == 4 && ip.dst == $OUTSIDE && nhrp.ext.type == 9 &&
		nhrp.client.nbma.addr == $OUTSIDE && nhrp.client.prot.addr == ${TUN_ADDR[2]}" frame.number | wc -l)"
assert_ge "wire: s2's registration request claims $INSIDE (inside the NAT)" 1 \
	"$(cap_fields in "nhrp.hdr.op.type == 3 && ip.src == $INSIDE && nhrp.src.nbma.addr == $INSIDE" frame.number | wc -l)"
assert_ge "wire: s2's resolution request carries its outside address (NAT extension)" 1 \
	"$(cap_fields in "nhrp.hdr.op.type == 1 && ip.src == $INSIDE && nhrp.ext.type == 9 &&
		nhrp.client.nbma.addr == $OUTSIDE && nhrp.client.prot.addr == ${TUN_ADDR[2]}" frame.number | wc -l)"
assert_ge "wire: the hub answers s1 with s2's outside address" 1 \
	"$(cap_fields hub "nhrp.hdr.op.type == 2 && ip.dst == ${PUB_ADDR[1]} && nhrp.code == 0 &&
		nhrp.client.prot.addr == ${TUN_ADDR[2]} && nhrp.client.nbma.addr == $OUTSIDE" frame.number | wc -l)"
log "PASS"
