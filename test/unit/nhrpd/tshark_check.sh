#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Every message type the NHRP engine emits, decoded by an independent
# decoder: nhrpd_tshark_gen runs a Phase 3 hub, a Phase 2 hub and three
# spokes and writes each packet an engine sends (Ethernet / IPv4 / GRE
# key 999); tshark must decode every field with a good checksum
# (status 1).  tshark skips a malformed CIE silently (test-harness.md
# 2.2), so the whole decode is compared field by field with the table
# below (request ids aside: the engine picks them).
#   tshark_check.sh path/to/nhrpd_tshark_gen        (exit 77: no tshark)
set -eu

GEN=$1
command -v tshark >/dev/null 2>&1 || { echo "tshark not found: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$GEN" "$dir/nhrpd.pcap" >/dev/null
tshark -r "$dir/nhrpd.pcap" -T fields -E separator='|' -E occurrence=a -E aggregator=',' \
	-e frame.number -e nhrp.hdr.op.type -e nhrp.hdr.chksum.status -e nhrp.hdr.hopcnt \
	-e nhrp.hdr.pktsz -e nhrp.hdr.extoff -e nhrp.flags \
	-e nhrp.src.nbma.addr -e nhrp.src.prot.addr -e nhrp.dst.prot.addr \
	-e nhrp.code -e nhrp.prefix -e nhrp.mtu -e nhrp.htime \
	-e nhrp.client.nbma.addr -e nhrp.client.prot.addr \
	-e nhrp.ext.type -e nhrp.ext.c -e nhrp.ext.len -e nhrp.auth_ext.spi \
	-e nhrp.err.code -e nhrp.err.offset -e _ws.malformed -e _ws.expert.message \
	2>"$dir/stderr" >"$dir/got"

# frame|type|cksum status|hop count|pktsz|extoff|flags|src NBMA|src proto|dst proto|
# CIE codes|prefixes|MTUs|hold times|client NBMA|client proto|ext types|C|ext lengths|
# auth "SPI" (Cisco's cleartext type 1 read the RFC way)|error code|offset|malformed|expert
#  1- 4  registrations of spoke 1 and 2 (U NAT, NAT ext = the NHS) and the hub's replies
#  5- 6  spoke 3 behind NAT: the reply's NAT extension has the post-NAT CIE (203.0.113.3)
#  7     the hub's Traffic Indication (IPv4 header + 8 octets quoted; 4, 5, 7, 9, End)
#  8-10  spoke 1's request, the hub's forward (hop 254, its CIE in Forward Transit), spoke
#        2's reply straight to spoke 1 (Q A D U S NAT, prefix 24, Responder = spoke 2)
# 11-12  an unknown address: the hub's NAK, CIE code 12
# 13-14  a Phase 2 hub: registration reply, then an answer from its cache
# 15     a purge reply
# 16     error 11 (bad password) quoting the request; End + 16 zero octets after it for
#        IOS (OpenNHRP): Wireshark says so in its two expert messages
# 17-20  spoke 2 moves: purges (N) to the hub and to the spoke it answered for
#        10.0.65.0/24, then it registers from its new address
cat >"$dir/want" <<'WANT'
1|3|1|255|108|52|0x8002|198.51.100.2|10.0.0.2|10.0.0.1|0,0|32,32|1400,1400|300,0|192.0.2.1|10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,0,0,12,20,0|1||||
2|4|1|255|128|52|0x8002|198.51.100.2|10.0.0.2|10.0.0.1|0,0,0|32,32,32|1400,1400,1400|300,300,0|192.0.2.1,192.0.2.1|10.0.0.1,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,0,0,12,20,0|1||||
3|3|1|255|108|52|0x8002|198.51.100.3|10.0.0.3|10.0.0.1|0,0|32,32|1400,1400|300,0|192.0.2.1|10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,0,0,12,20,0|1||||
4|4|1|255|128|52|0x8002|198.51.100.3|10.0.0.3|10.0.0.1|0,0,0|32,32,32|1400,1400,1400|300,300,0|192.0.2.1,192.0.2.1|10.0.0.1,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,0,0,12,20,0|1||||
5|3|1|255|108|52|0x8002|192.168.1.3|10.0.0.4|10.0.0.1|0,0|32,32|1400,1400|300,0|192.0.2.1|10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,0,0,12,20,0|1||||
6|4|1|255|148|52|0x8002|192.168.1.3|10.0.0.4|10.0.0.1|0,0,0,0|32,32,32,32|1400,1400,1400,1400|300,300,0,0|192.0.2.1,192.0.2.1,203.0.113.3|10.0.0.1,10.0.0.1,10.0.0.4|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,0,0,12,40,0|1||||
7|8|1|255|100|68||192.0.2.1|10.0.0.1|10.0.64.5|||||||0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,0,1|0,0,12,0,0|1||||
8|1|1|255|88|52|0xc802|198.51.100.2|10.0.0.2|10.0.65.5|0|0|1400|300|||0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,0,0,12,0,0|1||||
9|1|1|254|108|52|0xc802|198.51.100.2|10.0.0.2|10.0.65.5|0,0|0,0|1400,1400|300,300|192.0.2.1|10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,20,0,12,0,0|1||||
10|2|1|255|136|60|0xf802|198.51.100.2|10.0.0.2|10.0.65.5|0,0,0|24,0,0|1400,1400,1400|300,300,300|198.51.100.3,198.51.100.3,192.0.2.1|10.0.0.3,10.0.0.3,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,20,0,12,0,0|1||||
11|1|1|255|88|52|0xc802|198.51.100.2|10.0.0.2|10.0.0.99|0|0|1400|300|||0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,0,0,12,0,0|1||||
12|2|1|255|108|52|0x8800|198.51.100.2|10.0.0.2|10.0.0.99|12,0|0,0|1400,1400|300,300|192.0.2.1|10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,0,0,12,0,0|1||||
13|4|1|255|72|52|0x8002|198.51.100.7|10.0.0.7|10.0.0.9|0|32|1400|300|||0x0007,0x0000|1,1|12,0|1||||
14|2|1|255|104|60|0xf802|198.51.100.2|10.0.0.2|10.0.0.7|0,0|32,0|1400,1400|300,300|198.51.100.7,192.0.2.9|10.0.0.7,10.0.0.9|0x0003,0x0007,0x0000|1,1,1|20,12,0|1||||
15|6|1|255|100|56|0x0000|198.51.100.2|10.0.0.2|10.0.0.1|0,0|32,0|0,1400|0,300|192.0.2.1|10.0.0.2,10.0.0.1|0x0003,0x0007,0x0000|1,1,1|20,12,0|1||||
16|7,3|1,1|255,255|129,69|109,52|0x8002|192.0.2.1,198.51.100.2|10.0.0.1,10.0.0.2|10.0.0.2,10.0.0.1|0|32|1400|300|||0x0007,0x0000,0x0000|1,1,1|9,0,0|1|11|52|_ws.malformed,_ws.malformed|Extensions not allowed per RFC2332 section 5.2.7,Unknown Data (16 bytes)
17|5|1|255|92|60|0x8000|198.51.100.3|10.0.0.3|10.0.0.1|0|32|1400|0|198.51.100.3|10.0.0.3|0x0003,0x0004,0x0005,0x0007,0x0000|1,1,1,1,1|0,0,0,12,0|1||||
18|5|1|255|92|60|0x8000|198.51.100.3|10.0.0.3|10.0.0.2|0|24|1400|0|198.51.100.3|10.0.65.0|0x0003,0x0004,0x0005,0x0007,0x0000|1,1,1,1,1|0,0,0,12,0|1||||
19|3|1|255|108|52|0x8002|198.51.100.33|10.0.0.3|10.0.0.1|0,0|32,32|1400,1400|300,0|192.0.2.1|10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,0,0,12,20,0|1||||
20|4|1|255|128|52|0x8002|198.51.100.33|10.0.0.3|10.0.0.1|0,0,0|32,32,32|1400,1400,1400|300,300,0|192.0.2.1,192.0.2.1|10.0.0.1,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,0,0,12,20,0|1||||
WANT

if ! diff -u "$dir/want" "$dir/got"; then
	cat "$dir/stderr" >&2
	echo "FAIL: tshark decodes the engine's packets differently" >&2
	exit 1
fi
# The octets around the addresses: T/L octets, CIE preference, unused (0),
# client address T/L and protocol length; the GRE key on every frame.
tshark -r "$dir/nhrpd.pcap" -T fields -E separator='|' -E occurrence=a -E aggregator=',' \
	-e gre.key -e nhrp.hdr.shtl -e nhrp.hdr.sstl -e nhrp.hdr.version -e nhrp.pref \
	-e nhrp.unused 2>>"$dir/stderr" | LC_ALL=C sort -u >"$dir/got2"
cat >"$dir/want2" <<'WANT'
0x000003e7|4,4|0,0|1,1|0|0
0x000003e7|4|0|1|0,0,0,0|0,0,0,0
0x000003e7|4|0|1|0,0,0|0,0,0
0x000003e7|4|0|1|0,0|0,0
0x000003e7|4|0|1|0|0
0x000003e7|4|0|1||
WANT
if ! diff -u "$dir/want2" "$dir/got2"; then
	cat "$dir/stderr" >&2
	echo "FAIL: tshark decodes the engine's header / CIE octets differently" >&2
	exit 1
fi
# Belt and braces: 20 frames, every type 1..8 present, every checksum good,
# no hop count 0.
[ "$(wc -l <"$dir/got")" = 20 ] || { echo "FAIL: frame count" >&2; exit 1; }
[ "$(cut -d'|' -f2 "$dir/got" | cut -d, -f1 | sort -u | tr -d '\n')" = 12345678 ] ||
	{ echo "FAIL: a message type is missing" >&2; exit 1; }
[ "$(cut -d'|' -f3 "$dir/got" | tr ',' '\n' | sort -u)" = 1 ] || { echo "FAIL: checksum" >&2; exit 1; }
! cut -d'|' -f4 "$dir/got" | tr ',' '\n' | grep -qx 0 || { echo "FAIL: hop count 0" >&2; exit 1; }
echo "ok: every NHRP message type the engine emits decoded by $(tshark -v 2>/dev/null | head -1)"
