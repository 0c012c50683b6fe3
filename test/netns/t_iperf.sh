#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# TCP throughput host to host through the tunnel, spoke -> hub and
# spoke -> spoke, with iperf3 -J.  The figure is reported (REPORT lines),
# not gated: the transfer must complete and move bytes, nothing more.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_mesh
nodes_start
for n in $NODES; do wait_adj_valid "$n" 2; done
ping_wait h1 10.1.0.10
ping_wait h1 10.0.65.10

SECS=${IPERF_SECS:-5}
tcp() {	# NAME CLIENT SERVERNS DST PORT
	local name=$1 cl=$2 sv=$3 dst=$4 port=$5 j mbps retr bytes
	iperf_server "srv-$name" "$sv" "$port"
	j=$($cl timeout $((SECS + 30)) iperf3 -J -c "$dst" -p "$port" -t "$SECS") ||
		die "$name: iperf3 failed: $(printf '%s' "$j" | jq -r '.error // empty')"
	printf '%s\n' "$j" > "$T/log/iperf-$name.json"
	bg_wait "srv-$name" 10 || die "$name: iperf3 server failed"
	bytes=$(printf '%s' "$j" | jq '.end.sum_received.bytes')
	mbps=$(printf '%s' "$j" | jq '.end.sum_received.bits_per_second / 1e6 | . * 10 | round / 10')
	retr=$(printf '%s' "$j" | jq '.end.sum_sent.retransmits')
	assert_gt "$name: bytes received" 0 "$bytes"
	log "REPORT iperf3 TCP $name: $mbps Mbit/s over ${SECS}s ($bytes bytes, $retr retransmits)"
}
tcp "h1->h0 (spoke->hub)" h1 h0 10.1.0.10 5201
tcp "h1->h2 (spoke->spoke)" h1 h2 10.0.65.10 5202
tcp "h0->h2 (hub->spoke)" h0 h2 10.0.65.10 5203
log "PASS"
