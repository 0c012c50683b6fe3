#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Phase 2 spoke-to-spoke shortcut (docs/nhrp.md "Resolution", seed 000):
# the spokes know only the hub; spoke 1's route to spoke 2's LAN points at
# 10.0.0.3, unresolved (glean).  The first packets of h1 -> h2 go through
# the hub while spoke 1 resolves 10.0.0.3 at the hub (and spoke 2 resolves
# 10.0.0.2 for the replies); then the flow goes direct: the hub's link
# sees no more of it and the hub's adjacency counters stop growing, the
# spokes' shortcut adjacencies count it.  On the wire: Resolution Request
# (Q A S NAT) to the hub and its Reply with spoke 2's NBMA, code 0; every
# NHRP packet with the GRE key, TTL 255, TOS 0xc0, good checksum.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_all
for s in s1 s2; do conf_set "$s" nhrp "holdtime = 60;"; done
nodes_start
wait_json hub "show ip nhrp" '[.entries[] | select(.kind == "registered")] | length == 2' 20 ||
	die "hub: the two spokes did not register"

assert_eq "s1: route 10.0.65.0/24 before (unresolved)" "glean ${TUN_ADDR[2]}" \
	"$(route_json s1 10.0.65.0/24 | jq -r '"\(.type) \(.next_hop)"')"
assert_eq "s1: no entry for ${TUN_ADDR[2]} before" "" "$(nhrp_entry s1 "${TUN_ADDR[2]}")"

for i in 0 1 2; do cap_start "r$i" "$P-ni" "${INET_IF[$i]}" "ip proto 47"; done
hub_to_s1=$(adj_packets_out hub "${TUN_ADDR[1]}")
hub_to_s2=$(adj_packets_out hub "${TUN_ADDR[2]}")
# The first echo crosses the hub (glean via the NHS) and starts both
# resolutions; a few more until both shortcuts are in.
ping_wait h1 "${HOST_ADDR[2]}"
wait_json s1 "show ip nhrp" "[.entries[] | select(.target == \"${TUN_ADDR[2]}\" and .kind == \"shortcut\")] | length == 1" 10 ||
	die "s1: no shortcut to ${TUN_ADDR[2]}"
wait_json s2 "show ip nhrp" "[.entries[] | select(.target == \"${TUN_ADDR[1]}\" and .kind == \"shortcut\")] | length == 1" 10 ||
	die "s2: no shortcut to ${TUN_ADDR[1]}"
wait_adj_valid s1 2
wait_adj_valid s2 2
assert_ge "hub: s1 -> s2 packets it carried before the shortcut" 1 \
	$(( $(adj_packets_out hub "${TUN_ADDR[2]}") - hub_to_s2 ))
assert_ge "hub: s2 -> s1 packets it carried before the shortcut" 1 \
	$(( $(adj_packets_out hub "${TUN_ADDR[1]}") - hub_to_s1 ))
cap_wait r0 "icmp && ip.src == ${PUB_ADDR[1]}" 1
cap_wait r0 "nhrp.hdr.op.type == 2 && ip.dst == ${PUB_ADDR[2]}" 1
cap_stop r0
assert_ge "hub link: h1 -> h2 echoes before the shortcut" 1 \
	"$(cap_fields r0 "icmp.type == 8 && ip.src == ${HOST_ADDR[1]} && ip.dst == ${HOST_ADDR[2]}" frame.number | wc -l)"
nhrp_wire_check r0 4 "${PUB_ADDR[0]}"
for p in "1 2" "2 1"; do
	set -- $p
	assert_ge "wire: resolution request ${TUN_ADDR[$1]} for ${TUN_ADDR[$2]} to the hub (Q A S NAT)" 1 \
		"$(cap_fields r0 "nhrp.hdr.op.type == 1 && ip.src == ${PUB_ADDR[$1]} && ip.dst == ${PUB_ADDR[0]} &&
			nhrp.src.prot.addr == ${TUN_ADDR[$1]} && nhrp.dst.prot.addr == ${TUN_ADDR[$2]} &&
			nhrp.flags == 0xc802" frame.number | wc -l)"
	assert_ge "wire: resolution reply to ${PUB_ADDR[$1]}: ${TUN_ADDR[$2]} is at ${PUB_ADDR[$2]}, code 0" 1 \
		"$(cap_fields r0 "nhrp.hdr.op.type == 2 && ip.src == ${PUB_ADDR[0]} && ip.dst == ${PUB_ADDR[$1]} &&
			nhrp.code == 0 && nhrp.client.prot.addr == ${TUN_ADDR[$2]} &&
			nhrp.client.nbma.addr == ${PUB_ADDR[$2]}" frame.number | wc -l)"
done
set -- 
assert_ge "hub: resolution requests answered" 2 "$(nhrp_ctr hub res_answered)"
assert_ge "hub: resolution replies sent" 2 "$(nhrp_sent hub resolution_reply)"
assert_eq "hub: NAKs" 0 "$(nhrp_ctr hub res_nak)"

# What the spokes installed.
for p in "1 2 10.0.65.0/24" "2 1 10.0.64.0/24"; do
	set -- $p
	e=$(nhrp_entry "s$1" "${TUN_ADDR[$2]}")
	assert_eq "s$1: entry ${TUN_ADDR[$2]} type/kind/nbma" "dynamic shortcut ${PUB_ADDR[$2]}" \
		"$(jq -r '"\(.type) \(.kind) \(.nbma)"' <<< "$e")"
	assert_eq "s$1: entry flags (router, not registered)" "true false" \
		"$(jq -r '"\(.flags | index("router") != null) \(.flags | index("registered") != null)"' <<< "$e")"
	assert_eq "s$1: adjacency ${TUN_ADDR[$2]} nbma/flags/state" "${PUB_ADDR[$2]} shortcut live" \
		"$(adj_json "s$1" "${TUN_ADDR[$2]}" | jq -r '"\(.nbma) \(.flags[0]) \(.state)"')"
	assert_eq "s$1: route $3 now" "adjacency ${TUN_ADDR[$2]}" \
		"$(route_json "s$1" "$3" | jq -r '"\(.type) \(.next_hop)"')"
	assert_ge "s$1: shortcuts installed" 1 "$(nhrp_ctr "s$1" shortcut_installed)"
done
set --

# Now the flow goes direct: the hub sees none of it.
for i in 0 1 2; do cap_start "d$i" "$P-ni" "${INET_IF[$i]}" "ip proto 47"; done
hub_to_s1=$(adj_packets_out hub "${TUN_ADDR[1]}")
hub_to_s2=$(adj_packets_out hub "${TUN_ADDR[2]}")
s1_to_s2=$(adj_packets_out s1 "${TUN_ADDR[2]}")
s2_to_s1=$(adj_packets_out s2 "${TUN_ADDR[1]}")
N=20
ping_check "h1 -> h2 over the shortcut" h1 "${HOST_ADDR[2]}" $N -i 0.05
for i in 1 2; do cap_wait "d$i" "icmp" $((2 * N)); done
assert_eq "hub: packets to s2 during the direct flow" "$hub_to_s2" "$(adj_packets_out hub "${TUN_ADDR[2]}")"
assert_eq "hub: packets to s1 during the direct flow" "$hub_to_s1" "$(adj_packets_out hub "${TUN_ADDR[1]}")"
assert_ge "s1: shortcut adjacency packets (+)" $N $(( $(adj_packets_out s1 "${TUN_ADDR[2]}") - s1_to_s2 ))
assert_ge "s2: shortcut adjacency packets (+)" $N $(( $(adj_packets_out s2 "${TUN_ADDR[1]}") - s2_to_s1 ))
for i in 0 1 2; do cap_stop "d$i"; done
K=$(printf 0x%08x $TUNNEL_KEY)
assert_eq "hub link: h1 <-> h2 packets on the shortcut" 0 \
	"$(cap_fields d0 "icmp && ip.addr == ${HOST_ADDR[1]} && ip.addr == ${HOST_ADDR[2]}" frame.number | wc -l)"
for i in 1 2; do
	assert_eq "r$i: echo requests ${PUB_ADDR[1]} -> ${PUB_ADDR[2]}, key $TUNNEL_KEY" $N \
		"$(cap_fields "d$i" "icmp.type == 8 && ip.src == ${PUB_ADDR[1]} && ip.dst == ${PUB_ADDR[2]} && gre.key == $K" frame.number | wc -l)"
	assert_eq "r$i: echo replies ${PUB_ADDR[2]} -> ${PUB_ADDR[1]}, key $TUNNEL_KEY" $N \
		"$(cap_fields "d$i" "icmp.type == 0 && ip.src == ${PUB_ADDR[2]} && ip.dst == ${PUB_ADDR[1]} && gre.key == $K" frame.number | wc -l)"
done
log "PASS"
