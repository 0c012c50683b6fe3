#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# ESP in the fast path (docs/ipsec.md): hub and two spokes with manually
# keyed SAs, transport mode over GRE, full mesh of static NHRP maps.
#   hub <-> spoke:     esp-aes esp-sha-hmac (seed 004's transform set mySet)
#   spoke <-> spoke:   esp-gcm 128 (a second profile, ipsec.sa[].profile)
# One SA pair per peer: the hub has two, each spoke two (hub, other spoke).
#
#  1. host-to-host pings hub <-> spoke and spoke <-> spoke, 0% loss;
#  2. on the underlay (tshark on the internet router's veths) not one GRE
#     frame, only ESP, each (source, destination, SPI) one of the configured
#     SAs between the right NBMA addresses, every configured SA seen;
#  3. show crypto ipsec sa --json: encrypted / decrypted packets counted per
#     peer, no send / receive / replay / auth errors; no esp-* drop counter
#     of any data plane moved;
#  4. iperf3 TCP host to host, encrypted: the figure is reported, not gated;
#  5. manual rekey (SA swap) of the hub <-> spoke 1 pair under traffic: new
#     SPIs and keys written into both configs, both controllers reloaded
#     (controlplane/ipsec_manual.c: make-before-break).  A ping every 10 ms
#     and a UDP stream h1 -> h0 across the whole swap lose nothing, no esp-*
#     drop counter moves; afterwards only the new SPIs are on the wire and
#     in show crypto ipsec sa (the old SAs withdrawn), the other pairs are
#     untouched;
#  6. policy: a cleartext GRE packet to the protected hub is dropped
#     (esp-required) and never reaches the hub's LAN.
set -e
. "$(dirname "$0")/lib.sh"
setup

# ------------------------------------------------------------- SA material
#
# The SPI of the SA from node I to node J (0 hub, 1 spoke 1, 2 spoke 2) in
# generation G: 0xG0IJ with I, J counted from 1 (hub -> spoke 1 in
# generation 1: 0x1012; its reverse 0x1021).  Keys: SHA-256 of a label.
GEN01=1	# hub <-> spoke 1
GEN02=1	# hub <-> spoke 2
GEN12=1	# spoke 1 <-> spoke 2
pair_gen() {	# I J
	case "$(( $1 < $2 ? $1 : $2 ))$(( $1 < $2 ? $2 : $1 ))" in
	01) echo "$GEN01" ;; 02) echo "$GEN02" ;; 12) echo "$GEN12" ;;
	esac
}
spi_of() {	# I J GEN
	echo $(( $3 * 0x1000 + ($1 + 1) * 0x10 + $2 + 1 ))
}
spi_hex() { printf '0x%08x' "$(spi_of "$@")"; }
key_of() {	# I J GEN WHAT OCTETS: hex
	printf 'dmvpn-netns-esp %s %s %s %s' "$1" "$2" "$3" "$4" | sha256sum |
		cut -c1-$(( $5 * 2 ))
}

# The ipsec section of node I; its SA with J uses spi_out = spi(I, J),
# spi_in = spi(J, I) and the keys of each direction.
ipsec_section() {	# I
	local i=$1 j g sep=""
	cat <<-EOF
	ipsec = {
		switch_timeout_ms = 4000;
		drain_ms = 1000;
		transform_set = (
			{ name = "dmvpn-trans"; transforms = "esp-aes esp-sha-hmac"; mode = "transport"; },
			{ name = "s2s-trans"; transforms = "esp-gcm 128"; mode = "transport"; }
		);
		profile = (
			{ name = "dmvpn-profile"; transform_set = "dmvpn-trans"; },
			{ name = "s2s-profile"; transform_set = "s2s-trans"; }
		);
		sa = (
	EOF
	for j in 0 1 2; do
		[ "$i" = "$j" ] && continue
		g=$(pair_gen "$i" "$j")
		printf '%s' "$sep"
		if [ "$i" != 0 ] && [ "$j" != 0 ]; then
			# AES-GCM-128: 16-octet key + 4-octet salt (RFC 4106 8.1)
			printf '\t\t{ peer = "%s"; profile = "s2s-profile"; spi_in = %s; spi_out = %s;\n' \
				"${PUB_ADDR[$j]}" "$(spi_hex "$j" "$i" "$g")" "$(spi_hex "$i" "$j" "$g")"
			printf '\t\t  cipher_key_in = "%s"; cipher_key_out = "%s"; }' \
				"$(key_of "$j" "$i" "$g" enc 20)" "$(key_of "$i" "$j" "$g" enc 20)"
		else
			# AES-CBC-128 + HMAC-SHA1-96: the tunnel's profile (default)
			printf '\t\t{ peer = "%s"; spi_in = %s; spi_out = %s;\n' \
				"${PUB_ADDR[$j]}" "$(spi_hex "$j" "$i" "$g")" "$(spi_hex "$i" "$j" "$g")"
			printf '\t\t  cipher_key_in = "%s"; cipher_key_out = "%s";\n' \
				"$(key_of "$j" "$i" "$g" enc 16)" "$(key_of "$i" "$j" "$g" enc 16)"
			printf '\t\t  auth_key_in = "%s"; auth_key_out = "%s"; }' \
				"$(key_of "$j" "$i" "$g" auth 20)" "$(key_of "$i" "$j" "$g" auth 20)"
		fi
		sep=$',\n'
	done
	printf '\n\t);\n};\n'
}

# Node I's config: what conf_gen made (kept as .base, tunnel protection
# on) plus the ipsec section of the current generations; replaced whole,
# checked with -n, for a start or a reload.
esp_conf_write() {	# I
	local f
	f=$(node_conf "$1")
	[ -f "$f.base" ] || {
		sed -E 's|^[[:space:]]*#[[:space:]]*protection = "dmvpn-profile";.*|\tprotection = "dmvpn-profile";|' \
			"$f" > "$f.base"
		grep -q '^[[:space:]]protection = "dmvpn-profile";' "$f.base" ||
			die "no protection line to enable in $f"
	}
	{ cat "$f.base"; echo; ipsec_section "$1"; } > "$f.new"
	mv "$f.new" "$f"
	conf_check "$1"
}

conf_gen_mesh
for i in 0 1 2; do esp_conf_write "$i"; done
nodes_start
for n in $NODES; do wait_adj_valid "$n" 2; done

# ------------------------------------------------------------ helpers

# Peer PEER_NBMA's block of `show crypto ipsec sa --json` on NODE.
# shellcheck disable=SC2016 # $p is jq's (--arg p)
SA_PEER='.interfaces[0].peers[] | select(.peer == $p)'
sa_peer() {	# NODE PEER_NBMA JQ_EXPR
	local out
	out=$(ctl "$1" show crypto ipsec sa --json) || die "$1: show crypto ipsec sa failed: $out"
	printf '%s' "$out" | jq -r --arg p "$2" "[$SA_PEER] | if length == 1 then .[0] | $3 else \"no-peer\" end"
}
# esp-* drop counters, "name packets" per line.
esp_drops() { drops_snapshot "$1" | grep '^esp-' || true; }
esp_drops_save() { for n in $NODES; do esp_drops "$n" > "$T/esp-drops-$n.$1"; done; }
esp_drops_check() {	# TAG_BEFORE WHAT
	local n
	for n in $NODES; do
		assert_eq "$n: esp-* drop counters that moved ($2)" "" \
			"$(esp_drops "$n" | diff "$T/esp-drops-$n.$1" - | grep '^[<>]' || true)"
	done
}
# (source, destination, SPI) of every ESP frame of a capture, distinct, sorted.
esp_flows() {	# CAPTURE
	local s d spi
	cap_fields "$1" esp ip.src ip.dst esp.spi | while read -r s d spi; do
		printf '%s %s 0x%08x\n' "$s" "$d" "$((spi))"
	done | sort -u
}
# What esp_flows must show on the link of node K for the pairs listed
# ("I-J ..."), both directions, current generations.
esp_flows_want() {	# K PAIR...
	local k=$1 p i j
	shift
	for p in "$@"; do
		i=${p%-*} j=${p#*-}
		[ "$i" = "$k" ] || [ "$j" = "$k" ] || continue
		echo "${PUB_ADDR[$i]} ${PUB_ADDR[$j]} $(spi_hex "$i" "$j" "$(pair_gen "$i" "$j")")"
		echo "${PUB_ADDR[$j]} ${PUB_ADDR[$i]} $(spi_hex "$j" "$i" "$(pair_gen "$i" "$j")")"
	done | sort -u
}
# Every SA counter of every node: "node peer pkts_encrypt pkts_decrypt".
sa_ctrs() {
	local n i
	for n in $NODES; do
		i=$(node_idx "$n")
		ctl "$n" show crypto ipsec sa --json | jq -r --arg n "$n" \
			'.interfaces[0].peers[] | "\($n) \(.peer) \(.pkts_encrypt) \(.pkts_decrypt)"'
	done
}
sa_ctr() {	# FILE NODE PEER enc|dec
	awk -v n="$2" -v p="$3" -v f="$4" '$1 == n && $2 == p { print (f == "enc" ? $3 : $4) }' "$1"
}

# ------------------------------------------------- 0. the SAs are installed
for n in $NODES; do
	i=$(node_idx "$n")
	for j in 0 1 2; do
		[ "$i" = "$j" ] && continue
		assert_eq "$n: SA with ${PUB_ADDR[$j]} (state, spi in, spi out, sending)" \
			"stable 1 $(spi_of "$j" "$i" 1) $(spi_of "$i" "$j" 1) $(spi_of "$i" "$j" 1)" \
			"$(sa_peer "$n" "${PUB_ADDR[$j]}" \
				'"\(.phase) \(.generation) \([.inbound[].spi] | join(",")) \([.outbound[].spi] | join(",")) \(.current_outbound_spi)"')"
	done
done
assert_eq "hub: crypto map entries (peer profile transform set)" \
	"${PUB_ADDR[1]} dmvpn-profile dmvpn-trans
${PUB_ADDR[2]} dmvpn-profile dmvpn-trans" \
	"$(jq_get hub "show crypto map" '.entries[] | "\(.peer) \(.profile) \(.transform_set)"')"
assert_eq "s1: transforms (peer transform)" \
	"${PUB_ADDR[0]} esp-aes esp-sha-hmac
${PUB_ADDR[2]} esp-gcm 128" \
	"$(jq_get s1 "show crypto ipsec sa" '.interfaces[0].peers[] | "\(.peer) \(.outbound[0].transform)"')"

# Warm the paths (ARP on the LANs and the underlay).
ping_wait h1 10.1.0.10
ping_wait h2 10.1.0.10
ping_wait h1 10.0.65.10

# ---------------------------------------------- 1-3. pings, wire, counters
esp_drops_save start
sa_ctrs > "$T/ctr.0"
for i in 0 1 2; do
	cap_start "u$i" "$P-ni" "${INET_IF[$i]}" "ip"
done
N=20
ping_check "h1 -> h0 (spoke -> hub)" h1 10.1.0.10 $N -i 0.05
log "REPORT ESP ping h1->h0 rtt avg $PING_RTT ms"
ping_check "h0 -> h2 (hub -> spoke)" h0 10.0.65.10 $N -i 0.05
log "REPORT ESP ping h0->h2 rtt avg $PING_RTT ms"
ping_check "h1 -> h2 (spoke -> spoke)" h1 10.0.65.10 $N -i 0.05
log "REPORT ESP ping h1->h2 rtt avg $PING_RTT ms"
# Each link carries 4 x N echoes, now as ESP.
for i in 0 1 2; do
	cap_wait "u$i" esp $((4 * N))
	cap_stop "u$i"
done
sa_ctrs > "$T/ctr.1"

for i in 0 1 2; do
	assert_eq "u$i: GRE frames on the underlay (cleartext)" 0 \
		"$(cap_fields "u$i" "gre || ip.proto == 47" frame.number | wc -l)"
	assert_ge "u$i: ESP frames" $((4 * N)) "$(cap_fields "u$i" "esp" frame.number | wc -l)"
	assert_eq "u$i: IP frames neither ESP nor ICMP from the router" 0 \
		"$(cap_fields "u$i" "ip && !esp && !(icmp && ip.src == ${GW_ADDR[$i]})" frame.number | wc -l)"
done
# Every ESP flow is a configured SA between the right NBMA addresses, and
# every configured SA carried packets: spoke <-> spoke direct, never on
# the hub's link.
assert_eq "u0 (hub link): ESP (src dst spi)" "$(esp_flows_want 0 0-1 0-2)" "$(esp_flows u0)"
assert_eq "u1 (spoke 1 link): ESP (src dst spi)" "$(esp_flows_want 1 0-1 1-2)" "$(esp_flows u1)"
assert_eq "u2 (spoke 2 link): ESP (src dst spi)" "$(esp_flows_want 2 0-2 1-2)" "$(esp_flows u2)"
# Each echo crosses one SA per direction: N requests and N replies.
for pr in "hub ${PUB_ADDR[1]}" "s1 ${PUB_ADDR[0]}" "hub ${PUB_ADDR[2]}" "s2 ${PUB_ADDR[0]}" \
	"s1 ${PUB_ADDR[2]}" "s2 ${PUB_ADDR[1]}"; do
	# shellcheck disable=SC2086 # words wanted
	set -- $pr
	for d in enc dec; do
		assert_ge "$1 -> $2: pkts_${d}rypt (+)" $N \
			$(( $(sa_ctr "$T/ctr.1" "$1" "$2" "$d") - $(sa_ctr "$T/ctr.0" "$1" "$2" "$d") ))
	done
	assert_eq "$1 -> $2: send/recv/replay/verify errors" "0 0 0 0" \
		"$(sa_peer "$1" "$2" '"\(.send_errors) \(.recv_errors) \(.replay_failed) \(.verify_failed)"')"
done
esp_drops_check start "pings"

# ------------------------------------------------------ 4. iperf3 TCP
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
	log "REPORT iperf3 TCP ESP $name: $mbps Mbit/s over ${SECS}s ($bytes bytes, $retr retransmits)"
}
sa_ctrs > "$T/ctr.2"
tcp "h1->h0 (spoke->hub, aes-cbc-sha1)" h1 h0 10.1.0.10 5201
tcp "h1->h2 (spoke->spoke, aes-gcm-128)" h1 h2 10.0.65.10 5202
sa_ctrs > "$T/ctr.3"
# The bytes went through the SAs: at least one segment per 1.4 kB.
assert_ge "s1 -> hub: pkts_encrypt during TCP (+)" 1000 \
	$(( $(sa_ctr "$T/ctr.3" s1 "${PUB_ADDR[0]}" enc) - $(sa_ctr "$T/ctr.2" s1 "${PUB_ADDR[0]}" enc) ))
assert_ge "s2 <- s1: pkts_decrypt during TCP (+)" 1000 \
	$(( $(sa_ctr "$T/ctr.3" s2 "${PUB_ADDR[1]}" dec) - $(sa_ctr "$T/ctr.2" s2 "${PUB_ADDR[1]}" dec) ))
esp_drops_check start "pings and TCP"

# ------------------------------------ 5. SA swap of hub <-> spoke 1 under traffic
SWAP_PINGS=1500		# every 10 ms: 15 s, longer than the swap (switch 4 s + drain 1 s)
UDP_SECS=15
nft_count_add h0 swap-udp udp dport 5205
udp_in_h0() { nft_count h0 swap-udp; }
udp_in_grew() { [ $(( $(udp_in_h0) - $1 )) -ge "$2" ]; }
udp_base=$(udp_in_h0)
rcvbuf_base=$(snmp h0 Udp RcvbufErrors)
esp_drops_save swap
old_hub_out=$(spi_of 0 1 1) old_hub_in=$(spi_of 1 0 1)

cap_start swap "$P-ni" "${INET_IF[1]}" "ip"
iperf_server srv-udp h0 5205
bg_start udp "$P-h1" "$T/log/udp.json" iperf3 -J -u -c 10.1.0.10 -p 5205 -b 2M -l 500 -t $UDP_SECS
bg_start ping "$P-h1" "$T/log/ping.log" ping -n -q -i 0.01 -c $SWAP_PINGS -W 2 10.1.0.10
poll 10 udp_in_grew "$udp_base" 200 || die "UDP stream did not start"

GEN01=2
esp_conf_write 0
esp_conf_write 1
new_hub_out=$(spi_of 0 1 2) new_hub_in=$(spi_of 1 0 2)
t0=$(now_ms)
out=$(ctl hub reload) || die "hub reload: $out"
log "hub: $out"
# The hub holds the new SAs and keeps sending with the old one while
# traffic goes on (100 more datagrams at h0, ~0.4 s): a node that switched
# at once would lose what it sends until the spoke's reload.
mark=$(udp_in_h0)
poll 10 udp_in_grew "$mark" 100 || die "UDP stream stalled after the hub's reload"
assert_eq "hub: s1 phase before the spoke's reload" switching "$(sa_peer hub "${PUB_ADDR[1]}" .phase)"
assert_eq "hub: still sending with the old SA while switching" "$old_hub_out" \
	"$(sa_peer hub "${PUB_ADDR[1]}" .current_outbound_spi)"
out=$(ctl s1 reload) || die "s1 reload: $out"
log "s1: $out"
# Both ends: stable again, only the new pair left (old ones withdrawn).
wait_swap() {	# NODE PEER IN OUT
	local deadline=$(( $(now_ms) + 30000 )) out
	while :; do
		out=$(ctl "$1" show crypto ipsec sa --json 2>&1) &&
			printf '%s' "$out" | jq -e --arg p "$2" "[$SA_PEER][0] | .phase == \"stable\" and
				.generation == 2 and ([.inbound[].spi] == [$3]) and
				([.outbound[].spi] == [$4]) and .current_outbound_spi == $4" >/dev/null &&
			return 0
		[ "$(now_ms)" -lt "$deadline" ] || break
		sleep 0.1
	done
	printf '%s\n' "$out" >&2
	die "$1: the swap with $2 did not complete within 30 s"
}
wait_swap hub "${PUB_ADDR[1]}" "$new_hub_in" "$new_hub_out"
wait_swap s1 "${PUB_ADDR[0]}" "$new_hub_out" "$new_hub_in"
swap_ms=$(( $(now_ms) - t0 ))
log "swap complete on both ends ${swap_ms} ms after the hub's reload"
# The streams must have covered the whole swap.
pid_alive "$(bg_pid ping)" || die "the ping ended before the swap completed: window too short"
pid_alive "$(bg_pid udp)" || die "the UDP stream ended before the swap completed: window too short"

bg_wait udp $((UDP_SECS + 20)) || die "iperf3 UDP failed: $(cat "$T/log/udp.json")"
bg_wait ping 60 || true
bg_wait srv-udp 10 || true
cap_wait swap "esp && ip.src == ${PUB_ADDR[1]} && esp.spi == $new_hub_in" 1
cap_stop swap

assert_match "ping h1 -> h0 across the swap" "^$SWAP_PINGS packets transmitted, $SWAP_PINGS received" \
	"$(grep 'packets transmitted' "$T/log/ping.log")"
udp=$T/log/udp.json
sent=$(jq '.end.sum_sent.packets' "$udp")
assert_ge "UDP datagrams sent across the swap" $((UDP_SECS * 400)) "$sent"
poll 5 udp_in_grew "$udp_base" $((sent + 1)) || true
# counted at h0's prerouting (nftables): the data + iperf3's one connect datagram
assert_eq "UDP datagrams received by h0 across the swap (data + 1 connect)" $((sent + 1)) \
	$(( $(udp_in_h0) - udp_base ))
gaps=$(jq '.end.sum_received.lost_packets' "$udp")
rcvbuf=$(( $(snmp h0 Udp RcvbufErrors) - rcvbuf_base ))
assert_eq "UDP sequence gaps not explained by h0's socket buffer" 0 \
	$((gaps > rcvbuf ? gaps - rcvbuf : 0))
esp_drops_check swap "SA swap"
# On the wire during the swap: the old and the new SAs, nothing else.
assert_eq "u1 during the swap: ESP hub <-> s1 (src dst spi)" \
	"$(printf '%s\n' "${PUB_ADDR[0]} ${PUB_ADDR[1]} $(printf 0x%08x "$old_hub_out")" \
		"${PUB_ADDR[0]} ${PUB_ADDR[1]} $(printf 0x%08x "$new_hub_out")" \
		"${PUB_ADDR[1]} ${PUB_ADDR[0]} $(printf 0x%08x "$old_hub_in")" \
		"${PUB_ADDR[1]} ${PUB_ADDR[0]} $(printf 0x%08x "$new_hub_in")" | sort)" \
	"$(esp_flows swap | grep -v "${PUB_ADDR[2]}")"
assert_eq "u1 during the swap: GRE frames" 0 "$(cap_fields swap "ip.proto == 47" frame.number | wc -l)"
log "REPORT SA swap hub<->s1 under traffic: ${swap_ms} ms to stable on both ends; ping $SWAP_PINGS/$SWAP_PINGS, UDP $sent/$sent datagrams arrived ($rcvbuf dropped by h0's full socket buffer)"

# After the swap: only the new SPIs between hub and spoke 1, the other
# pairs unchanged, counters on the new SAs.
for i in 0 1 2; do
	cap_start "v$i" "$P-ni" "${INET_IF[$i]}" "ip"
done
sa_ctrs > "$T/ctr.4"
ping_check "h1 -> h0 after the swap" h1 10.1.0.10 $N -i 0.05
ping_check "h0 -> h2 after the swap" h0 10.0.65.10 $N -i 0.05
ping_check "h1 -> h2 after the swap" h1 10.0.65.10 $N -i 0.05
for i in 0 1 2; do
	cap_wait "v$i" esp $((4 * N))
	cap_stop "v$i"
done
sa_ctrs > "$T/ctr.5"
assert_eq "v0 (hub link) after the swap: ESP (src dst spi)" "$(esp_flows_want 0 0-1 0-2)" "$(esp_flows v0)"
assert_eq "v1 (spoke 1 link) after the swap: ESP (src dst spi)" "$(esp_flows_want 1 0-1 1-2)" "$(esp_flows v1)"
assert_eq "v2 (spoke 2 link) after the swap: ESP (src dst spi)" "$(esp_flows_want 2 0-2 1-2)" "$(esp_flows v2)"
assert_match "v1: new hub -> s1 SPI on the wire" "$(printf 0x%08x "$new_hub_out")" "$(esp_flows v1)"
for i in 0 1 2; do
	assert_eq "v$i: GRE frames after the swap" 0 "$(cap_fields "v$i" "ip.proto == 47" frame.number | wc -l)"
done
for pr in "hub ${PUB_ADDR[1]}" "s1 ${PUB_ADDR[0]}"; do
	# shellcheck disable=SC2086 # words wanted
	set -- $pr
	for d in enc dec; do
		assert_ge "$1 -> $2: pkts_${d}rypt on the new SAs (+)" $N \
			$(( $(sa_ctr "$T/ctr.5" "$1" "$2" "$d") - $(sa_ctr "$T/ctr.4" "$1" "$2" "$d") ))
	done
done
for pr in "hub ${PUB_ADDR[2]} 2 0" "s2 ${PUB_ADDR[0]} 0 2" "s1 ${PUB_ADDR[2]} 2 1" "s2 ${PUB_ADDR[1]} 1 2"; do
	# shellcheck disable=SC2086 # words wanted
	set -- $pr
	assert_eq "$1 with $2 untouched (phase generation in out)" \
		"stable 1 $(spi_of "$3" "$4" 1) $(spi_of "$4" "$3" 1)" \
		"$(sa_peer "$1" "$2" '"\(.phase) \(.generation) \([.inbound[].spi] | join(",")) \([.outbound[].spi] | join(","))"')"
done
esp_drops_check start "whole run"

# ------------------------------------------------------------- 6. policy
# A cleartext GRE packet (key 999, IPv4 inside, from spoke 1's NBMA
# address) to the protected hub: dropped as esp-required, never forwarded.
req=$(drop_count hub esp-required)
nft_count_add h0 clear-gre icmp type echo-request ip saddr 10.0.64.99
ni /usr/bin/python3 - "${PUB_ADDR[1]}" "${PUB_ADDR[0]}" <<-'EOF' >> "$T/log/scapy.log" 2>&1 ||
	import sys
	from scapy.all import IP, GRE, ICMP, send, conf
	conf.verb = 0
	p = IP(src=sys.argv[1], dst=sys.argv[2]) / GRE(key_present=1, key=999, proto=0x0800) / \
	    IP(src="10.0.64.99", dst="10.1.0.10") / ICMP()
	send(p, count=5)
	EOF
	die "scapy: $(cat "$T/log/scapy.log")"
poll 5 eval "[ \$(drop_count hub esp-required) -ge $((req + 5)) ]" || true
assert_eq "hub: esp-required drops (+)" 5 $(( $(drop_count hub esp-required) - req ))
assert_eq "h0: cleartext echoes that got through" 0 "$(nft_count h0 clear-gre)"
log "PASS"
