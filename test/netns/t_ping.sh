#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# hub <-> spoke and spoke <-> spoke with static NHRP maps (full mesh):
# host-to-host pings with 0% loss, and on the underlay (tshark on the
# internet router's veths) exactly those echoes as GRE, key 999, protocol
# 0x0800, between the right NBMA addresses; spoke <-> spoke goes direct
# (never through the hub's link).  The adjacencies count the packets.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_mesh
nodes_start
for n in $NODES; do wait_adj_valid "$n" 2; done

# Warm the paths (ARP on the LANs and the underlay) before capturing, so
# the capture holds exactly the counted echoes.
ping_wait h1 10.1.0.10
ping_wait h2 10.1.0.10
ping_wait h1 10.0.65.10

for i in 0 1 2; do
	cap_start "u$i" "$P-ni" "${INET_IF[$i]}" "ip proto 47"
done
adj_s1_hub=$(adj_packets_out s1 10.0.0.1)
N=20
ping_check "h1 -> h0 (spoke -> hub)" h1 10.1.0.10 $N -i 0.05
log "REPORT ping h1->h0 rtt avg $PING_RTT ms"
ping_check "h0 -> h2 (hub -> spoke)" h0 10.0.65.10 $N -i 0.05
log "REPORT ping h0->h2 rtt avg $PING_RTT ms"
ping_check "h1 -> h2 (spoke -> spoke)" h1 10.0.65.10 $N -i 0.05
log "REPORT ping h1->h2 rtt avg $PING_RTT ms"
# Each link carries 4 x N echoes (two flows, requests and replies).
for i in 0 1 2; do
	cap_wait "u$i" "gre && icmp" $((4 * N))
	cap_stop "u$i"
done

# outer src, outer dst, key, GRE protocol, inner src, inner dst, ICMP type
flows() {	# CAPTURE
	tshark -n -r "$T/$1.pcap" -Y "gre && icmp" -T fields -E separator=' ' \
		-e ip.src -e ip.dst -e gre.key -e gre.proto -e icmp.type 2>/dev/null |
		awk '{ split($1, s, ","); split($2, d, ",");
		       print s[1], d[1], $3, $4, s[2], d[2], $5 }'
}
count() {	# CAPTURE "FLOW"
	flows "$1" | grep -cxF -- "$2" || true
}
K="$(printf 0x%08x $TUNNEL_KEY) 0x0800"
# spoke 1 <-> hub, on spoke 1's link and on the hub's
for c in u1 u0; do
	assert_eq "$c: h1->h0 requests s1->hub" $N "$(count $c "198.51.100.2 192.0.2.1 $K 10.0.64.10 10.1.0.10 8")"
	assert_eq "$c: h1->h0 replies hub->s1" $N "$(count $c "192.0.2.1 198.51.100.2 $K 10.1.0.10 10.0.64.10 0")"
done
# hub <-> spoke 2
for c in u0 u2; do
	assert_eq "$c: h0->h2 requests hub->s2" $N "$(count $c "192.0.2.1 203.0.113.2 $K 10.1.0.10 10.0.65.10 8")"
	assert_eq "$c: h0->h2 replies s2->hub" $N "$(count $c "203.0.113.2 192.0.2.1 $K 10.0.65.10 10.1.0.10 0")"
done
# spoke 1 <-> spoke 2 directly, never on the hub's link
for c in u1 u2; do
	assert_eq "$c: h1->h2 requests s1->s2" $N "$(count $c "198.51.100.2 203.0.113.2 $K 10.0.64.10 10.0.65.10 8")"
	assert_eq "$c: h1->h2 replies s2->s1" $N "$(count $c "203.0.113.2 198.51.100.2 $K 10.0.65.10 10.0.64.10 0")"
done
assert_eq "hub link: spoke <-> spoke packets" 0 \
	"$(flows u0 | awk '$5 ~ /^10\.0\.6[45]\./ && $6 ~ /^10\.0\.6[45]\./' | wc -l)"
# Nothing else: every GRE packet anywhere carries key 999.
for c in u0 u1 u2; do
	assert_eq "$c: GRE packets with another key" 0 \
		"$(cap_fields $c "gre && gre.key != $TUNNEL_KEY" frame.number | wc -l)"
	assert_ge "$c: GRE packets with key $TUNNEL_KEY" $((4 * N)) \
		"$(cap_fields $c "gre && gre.key == $TUNNEL_KEY" frame.number | wc -l)"
done

# The data plane counted them on the adjacency (and maybe a few more).
adj_now=$(adj_packets_out s1 10.0.0.1)
assert_ge "s1 adjacency 10.0.0.1 packets out (+)" $N $((adj_now - adj_s1_hub))
log "PASS"
