#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Authentication mismatch (docs/nhrp.md "Authentication"): spoke 2 has
# another password than the hub.  Its registrations are dropped, counted
# (auth_fail) and answered with Error Indication code 11 (authentication
# failure), seen on the wire quoting spoke 2's request; it is not
# registered, gets no adjacency, its NHS stays down.  Spoke 1 (right
# password) registers meanwhile.  With the right password (reload) spoke 2
# registers.
set -e
. "$(dirname "$0")/lib.sh"
setup
conf_gen_all
for s in s1 s2; do conf_set "$s" nhrp "holdtime = 30;"; done
conf_set s2 nhrp 'authentication = "wrong-pw";'
cap_start hub "$P-ni" "${INET_IF[0]}" "ip proto 47"
nodes_start

wait_json hub "show ip nhrp" "[.entries[] | select(.target == \"${TUN_ADDR[1]}\" and .kind == \"registered\")] | length == 1" 20 ||
	die "hub: s1 did not register"
# Spoke 2 retries after 1, 2, 4 ... s: three refusals within 10 s.
wait_json hub "show ip nhrp traffic" '.interfaces[0].counters.auth_fail >= 3' 15 ||
	die "hub: fewer than 3 authentication failures"
assert_ge "hub: error indications sent" 3 "$(nhrp_sent hub error_indication)"
assert_eq "hub: registrations accepted (s1 only)" 1 "$(nhrp_ctr hub reg_accepted)"
assert_eq "hub: entry for s2" "" "$(nhrp_entry hub "${TUN_ADDR[2]}")"
assert_eq "hub: adjacency for s2" "" "$(adj_json hub "${TUN_ADDR[2]}")"
assert_eq "hub: registered entries" 1 "$(jq_get hub "show ip nhrp summary" .registered)"
assert_eq "s2: NHS state / replies" "down 0" \
	"$(nhs_get s2 "${TUN_ADDR[0]}" state) $(nhs_get s2 "${TUN_ADDR[0]}" replies)"
assert_ge "s2: registration requests sent" 3 "$(nhs_get s2 "${TUN_ADDR[0]}" requests)"
assert_eq "s1: NHS state" up "$(nhs_get s1 "${TUN_ADDR[0]}" state)"
h0 ping -n -q -c 3 -i 0.2 -W 1 "${HOST_ADDR[2]}" >/dev/null 2>&1 &&
	die "h0 -> h2 answered without a registration"
log "ok: h0 -> h2 unreachable (no registration, no adjacency)"

cap_wait hub "nhrp.hdr.op.type == 7" 3
cap_stop hub
nhrp_wire_check hub 6 "${PUB_ADDR[0]}"
ei=$(cap_fields hub "nhrp.hdr.op.type == 7 && ip.src == ${PUB_ADDR[0]} && ip.dst == ${PUB_ADDR[2]}" \
	nhrp.err.code nhrp.src.prot.addr nhrp.dst.prot.addr | sort -u)
assert_eq "wire: error indications hub -> s2 (code, source, destination)" \
	"11 ${TUN_ADDR[0]} ${TUN_ADDR[2]}" "$ei"
assert_ge "wire: error indications quote s2's registration request (type 3)" 3 \
	"$(cap_fields hub "nhrp.hdr.op.type == 7 && ip.dst == ${PUB_ADDR[2]} && nhrp.hdr.op.type == 3" frame.number | wc -l)"
assert_eq "wire: registration replies to s2" 0 \
	"$(cap_fields hub "nhrp.hdr.op.type == 4 && ip.dst == ${PUB_ADDR[2]}" frame.number | wc -l)"
assert_eq "wire: error indications to s1" 0 \
	"$(cap_fields hub "nhrp.hdr.op.type == 7 && ip.dst == ${PUB_ADDR[1]}" frame.number | wc -l)"

# The right password: spoke 2 registers (its next retry, at most 64 s).
conf_set s2 nhrp 'authentication = "nhrp-pwd";'
ctl s2 reload >/dev/null
fails=$(nhrp_ctr hub auth_fail)
t0=$(now_ms)
wait_json hub "show ip nhrp" "[.entries[] | select(.target == \"${TUN_ADDR[2]}\" and .kind == \"registered\")] | length == 1" 70 ||
	die "hub: s2 did not register with the right password"
log "REPORT s2 registered $(( $(now_ms) - t0 )) ms after the reload with the right password"
assert_eq "hub: authentication failures after the fix" "$fails" "$(nhrp_ctr hub auth_fail)"
wait_json s2 "show ip nhrp nhs" '.interfaces[0].nhs[0].state == "up"' 5 || die "s2: NHS not up"
ping_wait h0 "${HOST_ADDR[2]}"
log "PASS"
