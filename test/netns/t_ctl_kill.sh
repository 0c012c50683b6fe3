#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# kill -9 of the hub's controller in the middle of traffic, then restart:
# the fast path does not lose a packet (DESIGN.md: the controller can crash
# without the fast path losing a packet) and the new controller adopts the
# data plane's tables instead of rebuilding them.
#
# Traffic through the hub during the whole window, all of it countable:
#  - UDP h1 -> h0, iperf3 at a fixed rate: packets received == sent, 0 lost;
#  - ping h2 -> h0 every 10 ms: every echo answered;
#  - TCP h0 -> h2, iperf3 paced at 20 Mbit/s: completes, no 1-second
#    interval below half that rate (no stall); rate and retransmits reported.
# Order, without sleeps: the kill happens once the hub host has received
# KILL_AFTER more packets (kernel counter), the restart once it has received
# as many again with no controller; then we wait for the new controller to
# report the data plane synced.
# Asserted too: no drop counter moved on any data plane, the hub's data plane
# is the same process with the same segment epoch, and the restarted
# controller shows the same adjacencies and routes as before the kill.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_mesh
nodes_start
for n in $NODES; do wait_adj_valid "$n" 2; done
ping_wait h1 10.1.0.10
ping_wait h2 10.1.0.10
ping_wait h0 10.0.65.10
# Path MTU learnt before the window: PMTUD's own drops (mtu-exceeded-df)
# and retransmits must not blur the counts.
h0 ping -n -q -c 1 -W 2 -M "do" -s 1450 10.0.65.10 >/dev/null 2>&1 || true
assert_match "h0: path MTU to h2 learnt" "mtu $TUNNEL_MTU" "$(h0 ip route get 10.0.65.10)"

SECS=10
UDP_RATE=8M		# 1000-byte datagrams: 1000 packets/s
PINGS=800		# every 10 ms: 8 s
KILL_AFTER=1500		# packets at h0 before the kill, and again before the restart

# UDP datagrams to the iperf3 port that reached h0 (nftables counter).
nft_count_add h0 iperf-udp udp dport 5201
udp_in_h0() { nft_count h0 iperf-udp; }
udp_in_grew() { [ $(( $(udp_in_h0) - $1 )) -ge "$2" ]; }
rx_h0() { h0 ip -j -s link show eth0 | jq '.[0].stats64.rx.packets'; }
rx_grew() { [ $(( $(rx_h0) - $1 )) -ge "$2" ]; }

for n in $NODES; do drops_snapshot "$n" > "$T/drops-$n.before"; done
adj_table hub slots > "$T/adj-hub.before"
route_table hub > "$T/routes-hub.before"
epoch=$(dp_epoch hub)
dp_pid=$(bg_pid hub-dp)
ctl_pid=$(bg_pid hub-ctl)

udp_base=$(udp_in_h0)
rcvbuf_base=$(snmp h0 Udp RcvbufErrors)
iperf_server srv-udp h0 5201
iperf_server srv-tcp h2 5202
bg_start udp "$P-h1" "$T/log/udp.json" iperf3 -J -u -c 10.1.0.10 -p 5201 -b $UDP_RATE -l 1000 -t $SECS
bg_start tcp "$P-h0" "$T/log/tcp.json" iperf3 -J -c 10.0.65.10 -p 5202 -b 20M -t $SECS
bg_start ping "$P-h2" "$T/log/ping.log" ping -n -q -i 0.01 -c $PINGS -W 2 10.1.0.10

base=$(rx_h0)
poll 10 rx_grew "$base" $KILL_AFTER || die "traffic did not start"
log "kill -9 hub controller ($ctl_pid)"
bg_stop hub-ctl KILL 5
pid_alive "$ctl_pid" && die "controller $ctl_pid survived kill -9"
base=$(rx_h0)
poll 10 rx_grew "$base" $KILL_AFTER || die "traffic stopped with the controller dead"
log "hub host received $KILL_AFTER packets more with no controller; restarting it"
ctl_start hub
node_wait_up hub 20
log "controller $(bg_pid hub-ctl) synced"

bg_wait udp $((SECS + 20)) || die "iperf3 UDP failed: $(cat "$T/log/udp.json")"
bg_wait tcp $((SECS + 20)) || die "iperf3 TCP failed: $(cat "$T/log/tcp.json")"
bg_wait ping 20 || true
bg_wait srv-udp 10 || true
bg_wait srv-tcp 10 || true

# 1. nothing lost: every datagram and echo arrived, no drop counter moved
# UDP: counted as they arrive at h0 (nftables), not by the iperf3 server,
# which stops reading when the client's end-of-test message overtakes the
# last datagrams (then it reports fewer than sent with no gap; the kernel's
# UDP InDatagrams misses them too, it counts what the application read).
# The count includes iperf3's one UDP "connect" datagram before the data.
udp=$T/log/udp.json
sent=$(jq '.end.sum_sent.packets' "$udp")
assert_ge "UDP datagrams sent" $((SECS * 900)) "$sent"
poll 5 udp_in_grew "$udp_base" $((sent + 1)) || true
assert_eq "UDP datagrams received by h0 (data + 1 connect)" $((sent + 1)) \
	$(( $(udp_in_h0) - udp_base ))
# iperf3's sequence gaps are datagrams its server did not read: each one
# must be a receive-buffer overflow of h0's socket (the server process
# scheduled out on two busy cores), none missing on the way.
gaps=$(jq '.end.sum_received.lost_packets' "$udp")
rcvbuf=$(( $(snmp h0 Udp RcvbufErrors) - rcvbuf_base ))
assert_eq "UDP sequence gaps not explained by h0's socket buffer" 0 \
	$((gaps > rcvbuf ? gaps - rcvbuf : 0))
assert_match "ping through the hub" "^$PINGS packets transmitted, $PINGS received" \
	"$(grep 'packets transmitted' "$T/log/ping.log")"
for n in $NODES; do
	drops_snapshot "$n" > "$T/drops-$n.after"
	assert_eq "$n drop counters changed" "" \
		"$(diff "$T/drops-$n.before" "$T/drops-$n.after" | grep '^[<>]' || true)"
done

# 2. TCP went on: no 1-second interval below half the paced rate.  Its
# retransmits are reported, not gated: a scheduling hiccup on two shared
# cores can fire a tail-loss probe with nothing lost (the counts above
# prove nothing was).
tcp=$T/log/tcp.json
assert_gt "TCP bytes received" 0 "$(jq '.end.sum_received.bytes' "$tcp")"
assert_eq "TCP intervals below half the paced rate (stalls)" 0 \
	"$(jq '[.intervals[].sum | select(.bits_per_second < 10e6)] | length' "$tcp")"
log "REPORT across kill -9: UDP $sent/$sent datagrams arrived ($rcvbuf dropped by h0's full socket buffer); ping $PINGS/$PINGS, rtt" \
	"$(sed -n 's|^rtt [^=]*= \([0-9./]*\) ms|\1 ms (min/avg/max/mdev)|p' "$T/log/ping.log");" \
	"TCP $(jq '.end.sum_received.bits_per_second / 1e6 | . * 10 | round / 10' "$tcp") Mbit/s," \
	"$(jq '.end.sum_sent.retransmits' "$tcp") retransmits"
# What the sender's kernel made of them: loss probes, and DSACKs (the
# receiver already had the segment: the retransmit was spurious).
log "REPORT TCP sender h0: $(nstat_line h0 TcpRetransSegs TcpExtTCPLossProbes \
	TcpExtTCPDSACKRecv TcpExtTCPTimeouts)"

# 3. same data plane, same tables, adopted by the new controller
assert_eq "hub data plane PID" "$dp_pid" "$(bg_pid hub-dp)"
pid_alive "$dp_pid" || die "hub data plane died"
assert_eq "hub data plane epoch" "$epoch" "$(dp_epoch hub)"
adj_table hub slots > "$T/adj-hub.after"
route_table hub > "$T/routes-hub.after"
assert_eq "hub adjacencies after restart" "" "$(diff "$T/adj-hub.before" "$T/adj-hub.after" || true)"
assert_eq "hub routes after restart" "" "$(diff "$T/routes-hub.before" "$T/routes-hub.after" || true)"
ping_check "h1 -> h0 after restart" h1 10.1.0.10 10 -i 0.05
log "PASS"
