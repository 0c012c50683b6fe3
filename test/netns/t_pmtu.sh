#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Path MTU through the tunnel (ip mtu 1416, hosts at 1500):
#  - a TCP transfer between hosts that have not learnt the path MTU yet
#    completes byte for byte (count and SHA-256 checked by tcpxfer.py): its
#    first full-size segments hit the limit (the data plane's
#    mtu-exceeded-df counter grows) and the kernel caches mtu 1416 (PMTUD);
#  - a DF packet above 1416 gets ICMP fragmentation-needed with mtu 1416 from
#    the data plane's LAN address, and the counter grows;
#  - the largest DF packet that fits (1416 = 1388 + 28) goes through, one
#    byte more does not.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_mesh
nodes_start
for n in $NODES; do wait_adj_valid "$n" 2; done
ping_wait h1 10.1.0.10
ping_wait h0 10.0.64.10

# 1. TCP hub host -> spoke host first: neither end has a cached path MTU
# (a cached one would also lower the MSS the receiver advertises), so h0's
# 1500-byte segments meet the hub's tunnel MTU.
assert_eq "h0: no cached PMTU before" "" \
	"$(h0 ip route get 10.0.64.10 | grep -o "mtu $TUNNEL_MTU" || true)"
assert_eq "h1: no cached PMTU before" "" \
	"$(h1 ip route get 10.1.0.10 | grep -o "mtu $TUNNEL_MTU" || true)"
BYTES=$((4 * 1024 * 1024))
before=$(drop_count hub mtu-exceeded-df)
bg_start srv "$P-h1" "$T/log/tcp-srv.log" /usr/bin/python3 "$NETNS_DIR/tcpxfer.py" serve 5201
poll 10 grep -q listening "$T/log/tcp-srv.log" || die "tcpxfer server not listening"
out=$(h0 timeout 60 /usr/bin/python3 "$NETNS_DIR/tcpxfer.py" send 10.0.64.10 5201 $BYTES 2>&1) ||
	die "TCP with PMTUD did not complete or lost bytes: $out"
bg_wait srv 10 || die "tcpxfer server failed: $(cat "$T/log/tcp-srv.log")"
assert_match "TCP: the receiver got every byte (count, sha256)" "^server $BYTES [0-9a-f]{64}\$" \
	"$(printf '%s\n' "$out" | grep '^server')"
assert_ge "hub mtu-exceeded-df (+) during TCP" 1 $(( $(drop_count hub mtu-exceeded-df) - before ))
assert_match "h0: cached path MTU after TCP" "mtu $TUNNEL_MTU" "$(h0 ip route get 10.0.64.10)"
log "REPORT TCP 4 MiB with PMTUD h0->h1: $(printf '%s\n' "$out" | sed -n 's/^seconds \([0-9.]*\) mbps \([0-9.]*\)/\2 Mbit\/s in \1 s/p')"

# 2. ping -M "do" -s 1450 (1478 bytes) from spoke 1's host to the hub's host
before=$(drop_count s1 mtu-exceeded-df)
out=$(h1 ping -n -c 1 -W 2 -M "do" -s 1450 10.1.0.10 2>&1) && die "1478-byte DF ping went through: $out"
assert_match "h1: ICMP from the spoke's LAN address" \
	"From 10\.0\.64\.1 .*Frag needed and DF set \(mtu = $TUNNEL_MTU\)" "$out"
after=$(drop_count s1 mtu-exceeded-df)
assert_ge "s1 mtu-exceeded-df (+)" 1 $((after - before))
# The kernel now knows the path MTU.
assert_match "h1: cached path MTU" "mtu $TUNNEL_MTU" "$(h1 ip route get 10.1.0.10)"

# 3. exactly the tunnel MTU passes with DF, one byte more does not
ping_check "h1 -> h0 DF 1416 bytes" h1 10.1.0.10 5 -i 0.05 -M "do" -s $((TUNNEL_MTU - 28))
ping_check "h2 -> h0 DF 1416 bytes" h2 10.1.0.10 5 -i 0.05 -M "do" -s $((TUNNEL_MTU - 28))
before=$(drop_count s2 mtu-exceeded-df)
out=$(h2 ping -n -c 1 -W 2 -M "do" -s $((TUNNEL_MTU - 27)) 10.1.0.10 2>&1) && die "1417-byte DF ping went through: $out"
assert_match "h2: ICMP for 1417 bytes" \
	"From 10\.0\.65\.1 .*Frag needed and DF set \(mtu = $TUNNEL_MTU\)" "$out"
assert_ge "s2 mtu-exceeded-df (+)" 1 $(( $(drop_count s2 mtu-exceeded-df) - before ))

log "PASS"
