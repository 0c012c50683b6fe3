#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Phase 3 (docs/nhrp.md "Phase 3", seed 001): the hub has `redirect`, the
# spokes `shortcut`, and the spokes route each other's LAN via the hub.
# The first packets of h1 -> h2 hairpin at the hub, which sends each
# sender a Traffic Indication; each spoke resolves the destination host,
# the hub forwards the request to the spoke that owns it, and that spoke
# answers directly with its LAN prefix: the requester installs the peer
# and a shortcut route overriding the routed next hop (flags rib nho).
# Then the flow goes direct: the hub's link sees no more of it and its
# adjacency counters stop growing.  On the wire: Traffic Indication from
# the hub quoting the data packet, the forwarded request (hop count 254),
# the direct reply with the prefix; every NHRP packet with the GRE key,
# TTL 255, TOS 0xc0 and a good checksum.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_all
conf_set hub nhrp "redirect = true;"
for s in s1 s2; do conf_set "$s" nhrp "holdtime = 60;" "shortcut = true;"; done
conf_edit s1 "s|(prefix = \"10.0.65.0/24\"; via = )\"${TUN_ADDR[2]}\"|\1\"${TUN_ADDR[0]}\"|"
conf_edit s2 "s|(prefix = \"10.0.64.0/24\"; via = )\"${TUN_ADDR[1]}\"|\1\"${TUN_ADDR[0]}\"|"
nodes_start
wait_json hub "show ip nhrp" '[.entries[] | select(.kind == "registered")] | length == 2' 20 ||
	die "hub: the two spokes did not register"
assert_eq "s1: route 10.0.65.0/24 before: via the hub" "adjacency ${TUN_ADDR[0]} static" \
	"$(route_json s1 10.0.65.0/24 | jq -r '"\(.type) \(.next_hop) \(.source)"')"

for i in 0 1 2; do cap_start "r$i" "$P-ni" "${INET_IF[$i]}" "ip proto 47"; done
hub_to_s2=$(adj_packets_out hub "${TUN_ADDR[2]}")
hub_to_s1=$(adj_packets_out hub "${TUN_ADDR[1]}")
ping_wait h1 "${HOST_ADDR[2]}"
for p in "1 2 10.0.65.0/24" "2 1 10.0.64.0/24"; do
	set -- $p
	wait_json "s$1" "show ip nhrp" "[.entries[] | select(.target == \"${3%/*}\" and .kind == \"route\")] | length == 1" 10 ||
		die "s$1: no shortcut route for $3"
done
set --
wait_adj_valid s1 2
wait_adj_valid s2 2
assert_ge "hub: h1 -> h2 packets it hairpinned" 1 $(( $(adj_packets_out hub "${TUN_ADDR[2]}") - hub_to_s2 ))
assert_ge "hub: h2 -> h1 packets it hairpinned" 1 $(( $(adj_packets_out hub "${TUN_ADDR[1]}") - hub_to_s1 ))
assert_ge "hub: traffic indications sent" 2 "$(nhrp_sent hub traffic_indication)"
assert_ge "hub: resolution requests forwarded" 2 "$(nhrp_ctr hub res_forwarded)"
assert_eq "hub: resolution requests answered from its cache (Phase 3 forwards)" 0 "$(nhrp_ctr hub res_answered)"
for i in 1 2; do
	assert_ge "s$i: traffic indications received" 1 "$(nhrp_rcvd "s$i" traffic_indication)"
	assert_ge "s$i: resolution requests answered as egress" 1 "$(nhrp_ctr "s$i" res_answered)"
	assert_eq "s$i: traffic indications ignored" 0 "$(nhrp_ctr "s$i" redirect_ignored)"
done

# What the spokes installed: the peer, the route (rib nho) and, on the
# egress, the record of whom it answered (local).
for p in "1 2 10.0.65.0/24" "2 1 10.0.64.0/24"; do
	set -- $p
	e=$(nhrp_entry "s$1" "${3%/*}" 24)
	assert_eq "s$1: entry $3 type/kind/via/nbma" "dynamic route ${TUN_ADDR[$2]} ${PUB_ADDR[$2]}" \
		"$(jq -r '"\(.type) \(.kind) \(.via) \(.nbma)"' <<< "$e")"
	assert_eq "s$1: entry $3 flags rib nho" true "$(jq '.flags | contains(["rib", "nho"])' <<< "$e")"
	assert_eq "s$1: entry ${TUN_ADDR[$2]}" "shortcut ${PUB_ADDR[$2]}" \
		"$(nhrp_entry "s$1" "${TUN_ADDR[$2]}" | jq -r '"\(.kind) \(.nbma)"')"
	assert_eq "s$1: route $3 now" "adjacency ${TUN_ADDR[$2]} nhrp" \
		"$(route_json "s$1" "$3" | jq -r '"\(.type) \(.next_hop) \(.source)"')"
	assert_eq "s$2: local entry for $3 (answered s$1)" "local" \
		"$(nhrp_entry "s$2" "${3%/*}" 24 | jq -r .kind)"
done
set --

cap_wait r0 "nhrp.hdr.op.type == 1 && ip.src == ${PUB_ADDR[0]}" 2
cap_wait r1 "nhrp.hdr.op.type == 2 && ip.dst == ${PUB_ADDR[1]}" 1
cap_wait r2 "nhrp.hdr.op.type == 2 && ip.dst == ${PUB_ADDR[2]}" 1
for i in 0 1 2; do cap_stop "r$i"; done
nhrp_wire_check r0 6 "${PUB_ADDR[0]}"
nhrp_wire_check r1 3 "${PUB_ADDR[1]}"
nhrp_wire_check r2 3 "${PUB_ADDR[2]}"
for p in "1 2" "2 1"; do
	set -- $p
	assert_ge "wire: traffic indication hub -> s$1 about ${HOST_ADDR[$1]} -> ${HOST_ADDR[$2]}" 1 \
		"$(cap_fields r0 "nhrp.hdr.op.type == 8 && ip.src == ${PUB_ADDR[0]} && ip.dst == ${PUB_ADDR[$1]} &&
			nhrp.src.prot.addr == ${TUN_ADDR[0]} && nhrp.dst.prot.addr == ${HOST_ADDR[$1]} &&
			ip.src == ${HOST_ADDR[$1]} && ip.dst == ${HOST_ADDR[$2]}" frame.number | wc -l)"
	assert_ge "wire: s$1's request for ${HOST_ADDR[$2]} forwarded by the hub to s$2, hop count 254" 1 \
		"$(cap_fields r0 "nhrp.hdr.op.type == 1 && ip.src == ${PUB_ADDR[0]} && ip.dst == ${PUB_ADDR[$2]} &&
			nhrp.src.prot.addr == ${TUN_ADDR[$1]} && nhrp.dst.prot.addr == ${HOST_ADDR[$2]} &&
			nhrp.hdr.hopcnt == 254" frame.number | wc -l)"
	assert_ge "wire: s$2 answers s$1 directly: ${TUN_ADDR[$2]} at ${PUB_ADDR[$2]}, prefix 24, code 0" 1 \
		"$(cap_fields "r$1" "nhrp.hdr.op.type == 2 && ip.src == ${PUB_ADDR[$2]} && ip.dst == ${PUB_ADDR[$1]} &&
			nhrp.code == 0 && nhrp.prefix == 24 && nhrp.client.nbma.addr == ${PUB_ADDR[$2]} &&
			nhrp.client.prot.addr == ${TUN_ADDR[$2]}" frame.number | wc -l)"
done
set --
assert_eq "hub link: resolution replies (they go direct)" 0 \
	"$(cap_fields r0 "nhrp.hdr.op.type == 2" frame.number | wc -l)"

# Now the flow goes direct.
for i in 0 1 2; do cap_start "d$i" "$P-ni" "${INET_IF[$i]}" "ip proto 47"; done
hub_to_s1=$(adj_packets_out hub "${TUN_ADDR[1]}")
hub_to_s2=$(adj_packets_out hub "${TUN_ADDR[2]}")
N=20
ping_check "h1 -> h2 over the shortcut" h1 "${HOST_ADDR[2]}" $N -i 0.05
for i in 1 2; do cap_wait "d$i" "icmp" $((2 * N)); done
assert_eq "hub: packets to s2 during the direct flow" "$hub_to_s2" "$(adj_packets_out hub "${TUN_ADDR[2]}")"
assert_eq "hub: packets to s1 during the direct flow" "$hub_to_s1" "$(adj_packets_out hub "${TUN_ADDR[1]}")"
for i in 0 1 2; do cap_stop "d$i"; done
assert_eq "hub link: h1 <-> h2 packets on the shortcut" 0 \
	"$(cap_fields d0 "icmp && ip.addr == ${HOST_ADDR[1]} && ip.addr == ${HOST_ADDR[2]}" frame.number | wc -l)"
K=$(printf 0x%08x $TUNNEL_KEY)
for i in 1 2; do
	assert_eq "r$i: echo requests ${PUB_ADDR[1]} -> ${PUB_ADDR[2]}, key $TUNNEL_KEY" $N \
		"$(cap_fields "d$i" "icmp.type == 8 && ip.src == ${PUB_ADDR[1]} && ip.dst == ${PUB_ADDR[2]} && gre.key == $K" frame.number | wc -l)"
	assert_eq "r$i: echo replies ${PUB_ADDR[2]} -> ${PUB_ADDR[1]}, key $TUNNEL_KEY" $N \
		"$(cap_fields "d$i" "icmp.type == 0 && ip.src == ${PUB_ADDR[2]} && ip.dst == ${PUB_ADDR[1]} && gre.key == $K" frame.number | wc -l)"
done
log "PASS"
