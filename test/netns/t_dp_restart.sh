#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Restart of a data plane under a running controller: the controller sees
# the new segment (new epoch), replays its whole state into it, and pings
# through that node recover with no manual step.  Twice on the hub (a clean
# SIGTERM stop, then kill -9 which leaves a stale segment behind) and once
# on a spoke.  The controller stays the same process throughout, and the
# new data plane ends up with the same adjacencies and routes as the old.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_mesh
nodes_start
for n in $NODES; do wait_adj_valid "$n" 2; done
ping_wait h1 10.1.0.10
ping_wait h2 10.0.64.10

restart() {	# NODE SIGNAL
	local node=$1 sig=$2 ctl_pid epoch t0 adj routes
	ctl_pid=$(bg_pid "$node-ctl")
	epoch=$(dp_epoch "$node")
	adj=$(adj_table "$node")
	routes=$(route_table "$node")
	log "$node: stopping data plane $(bg_pid "$node-dp") with SIG$sig"
	dp_stop "$node" "$sig"
	dp_start "$node"
	t0=$(now_ms)
	node_wait_up "$node" 30
	assert_eq "$node: a new segment (epoch changed)" 1 \
		"$(jq_get "$node" "show dataplane" ".dataplane.epoch != \"$epoch\" | if . then 1 else 0 end")"
	wait_adj_valid "$node" 2
	log "REPORT $node data plane restart (SIG$sig): synced $(( $(now_ms) - t0 )) ms after start"
	pid_alive "$ctl_pid" || die "$node: controller died with the data plane"
	assert_eq "$node controller PID" "$ctl_pid" "$(bg_pid "$node-ctl")"
	assert_eq "$node adjacencies after replay" "$adj" "$(adj_table "$node")"
	assert_eq "$node routes after replay" "$routes" "$(route_table "$node")"
}

recovers() {	# NAME HOSTFN DST
	local t0
	t0=$(now_ms)
	ping_wait "$2" "$3" 20
	log "REPORT $1: first echo reply $(( $(now_ms) - t0 )) ms after sync"
	ping_check "$1" "$2" "$3" 20 -i 0.05
}

restart hub TERM
recovers "h1 -> h0 after hub restart" h1 10.1.0.10
recovers "h0 -> h2 after hub restart" h0 10.0.65.10

restart hub KILL
recovers "h1 -> h0 after hub kill -9" h1 10.1.0.10
recovers "h2 -> h0 after hub kill -9" h2 10.1.0.10

restart s1 TERM
recovers "h1 -> h0 after spoke restart" h1 10.1.0.10
recovers "h2 -> h1 after spoke restart" h2 10.0.64.10
log "PASS"
