#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Dual hub (seed 000 Examples 7-18/7-19, docs/nhrp.md "Registration"): a
# second hub (hub2: tunnel 10.0.0.254, NBMA 172.16.2.1) and both spokes
# registered to both (nhs = [10.0.0.1, 10.0.0.254], holdtime 30 s).  The
# spokes reach each other's LAN through the hubs: their routes point at
# 10.0.0.100, a tunnel address nobody registers (IOS would route via the
# hub its routing protocol prefers), so the data plane sends that traffic
# to the tunnel's NHS adjacency, the first NHS that is up, and each hub
# NAKs the resolution.  A ping h1 -> h2 runs through hub 1; hub 1 is killed
# (kill -9, data plane and controller); within the holdtime the spokes
# mark it down (NHS state down, flags E) and the traffic continues through
# hub 2, resolution requests go to hub 2.  Outage reported and bounded by
# the holdtime.
set -e
. "$(dirname "$0")/lib.sh"
setup
HOLD=30
VIA=10.0.0.100
hub2_add
conf_gen_all
for i in 1 2; do
	s=s$i
	conf_gen "$s" "${TUN_ADDR[3]}=${PUB_ADDR[3]}"
	conf_set "$s" nhrp "holdtime = $HOLD;" "nhs = [ \"${TUN_ADDR[0]}\", \"${TUN_ADDR[3]}\" ];" \
		"map_multicast = [ \"${PUB_ADDR[0]}\", \"${PUB_ADDR[3]}\" ];"
done
conf_edit s1 "s|(prefix = \"10.0.65.0/24\"; via = )\"${TUN_ADDR[2]}\"|\1\"$VIA\"|"
conf_edit s2 "s|(prefix = \"10.0.64.0/24\"; via = )\"${TUN_ADDR[1]}\"|\1\"$VIA\"|"
nodes_start
for h in hub hub2; do
	wait_json "$h" "show ip nhrp" '[.entries[] | select(.kind == "registered")] | length == 2' 20 ||
		die "$h: the two spokes did not register"
done
for s in s1 s2; do
	wait_json "$s" "show ip nhrp nhs" '[.interfaces[0].nhs[] | select(.state == "up")] | length == 2' 10 ||
		die "$s: not registered to both hubs"
	assert_eq "$s: NHS flags (hub, hub2)" "RE RE" \
		"$(nhs_get "$s" "${TUN_ADDR[0]}" flags) $(nhs_get "$s" "${TUN_ADDR[3]}" flags)"
done
assert_eq "hub2: s1 entry" "registered ${PUB_ADDR[1]}" \
	"$(nhrp_entry hub2 "${TUN_ADDR[1]}" | jq -r '"\(.kind) \(.nbma)"')"
assert_eq "s1: route 10.0.65.0/24 (unresolvable next hop)" "glean $VIA" \
	"$(route_json s1 10.0.65.0/24 | jq -r '"\(.type) \(.next_hop)"')"

# Traffic through hub 1 (the first NHS that is up).
cap_start h1cap "$P-ni" "${INET_IF[0]}" "ip proto 47"
cap_start h2cap "$P-ni" "${INET_IF[3]}" "ip proto 47"
ping_wait h1 "${HOST_ADDR[2]}"
N=10
ping_check "h1 -> h2 through hub 1" h1 "${HOST_ADDR[2]}" $N -i 0.05
cap_wait h1cap "icmp.type == 0 && ip.src == ${HOST_ADDR[2]}" $((2 * N))
cap_stop h1cap
assert_ge "hub link: h1 -> h2 echoes (in and out)" $((2 * N)) \
	"$(cap_fields h1cap "icmp.type == 8 && ip.src == ${HOST_ADDR[1]} && ip.dst == ${HOST_ADDR[2]}" frame.number | wc -l)"
assert_eq "hub2 link: h1 <-> h2 packets so far" 0 \
	"$(cap_fields h2cap "icmp && ip.addr == ${HOST_ADDR[1]} && ip.addr == ${HOST_ADDR[2]}" frame.number | wc -l)"
assert_ge "hub: NAKs for $VIA" 1 "$(nhrp_ctr hub res_nak)"
nak2=$(nhrp_ctr hub2 res_nak)
hub2_to_s2=$(adj_packets_out hub2 "${TUN_ADDR[2]}")

# Continuous traffic, then hub 1 dies.
INT=0.1
bg_start ping "$P-h1" "$T/log/ping.log" ping -n -i $INT "${HOST_ADDR[2]}"
poll 10 eval "[ \$(grep -c 'bytes from' '$T/log/ping.log') -ge 10 ]" || die "no echo replies before the kill"
log "killing hub 1 (data plane and controller, SIGKILL)"
t0=$(now_ms)
bg_stop hub-ctl KILL
bg_stop hub-dp KILL
for s in s1 s2; do
	wait_json "$s" "show ip nhrp nhs" ".interfaces[0].nhs[] | select(.address == \"${TUN_ADDR[0]}\") | .state == \"down\"" \
		$((HOLD + 5)) || die "$s: hub 1 not marked down within $((HOLD + 5)) s"
	log "REPORT $s: hub 1 marked down $(( $(now_ms) - t0 )) ms after the kill"
	assert_eq "$s: NHS flags (hub, hub2)" "E RE" \
		"$(nhs_get "$s" "${TUN_ADDR[0]}" flags) $(nhs_get "$s" "${TUN_ADDR[3]}" flags)"
done
# The traffic continues through hub 2.
via_hub2() { [ $(( $(adj_packets_out hub2 "${TUN_ADDR[2]}") - hub2_to_s2 )) -ge 10 ]; }
poll 10 via_hub2 || die "no traffic through hub 2 after the failover"
t_resume=$(( $(now_ms) - t0 ))
bg_stop ping INT
summary=$(grep -E 'packets transmitted' "$T/log/ping.log")
tx=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' <<< "$summary")
rx=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$summary")
lost_ms=$(awk -v t="$tx" -v r="$rx" -v i="$INT" 'BEGIN { printf "%d", (t - r) * i * 1000 }')
log "REPORT failover: $((tx - rx)) of $tx echoes lost (~$lost_ms ms at ${INT} s), traffic via hub 2 by $t_resume ms after the kill"
assert_ge "echo replies (continuous ping)" 20 "$rx"
[ "$lost_ms" -lt $((HOLD * 1000)) ] || die "outage $lost_ms ms not within the holdtime ($HOLD s)"
log "ok: outage (echoes lost x interval) $lost_ms ms < holdtime $HOLD s"
ping_check "h1 -> h2 through hub 2" h1 "${HOST_ADDR[2]}" $N -i 0.05
cap_wait h2cap "icmp.type == 0 && ip.src == ${HOST_ADDR[2]}" $((2 * N))
cap_wait h2cap "nhrp.hdr.op.type == 2 && ip.src == ${PUB_ADDR[3]}" 1
cap_stop h2cap
assert_ge "hub2 link: h1 -> h2 echoes" $((2 * N)) \
	"$(cap_fields h2cap "icmp.type == 8 && ip.src == ${HOST_ADDR[1]} && ip.dst == ${HOST_ADDR[2]}" frame.number | wc -l)"
assert_ge "hub2: NAKs for $VIA (resolutions now go to hub 2)" $((nak2 + 1)) "$(nhrp_ctr hub2 res_nak)"
assert_ge "wire: resolution request for $VIA from a spoke to hub 2" 1 \
	"$(cap_fields h2cap "nhrp.hdr.op.type == 1 && ip.dst == ${PUB_ADDR[3]} && nhrp.dst.prot.addr == $VIA" frame.number | wc -l)"
nhrp_wire_check h2cap 4 "${PUB_ADDR[3]}"
# hub 2 keeps both registrations (refreshed to it alone now).
assert_eq "hub2: registered spokes" 2 "$(jq_get hub2 "show ip nhrp summary" .registered)"
NODES="s1 s2 hub2"	# hub 1 is gone: no diag of it
log "PASS"
