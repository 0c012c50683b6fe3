#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Cross-check the NHRP builder with an independent decoder: nhrp_tshark_gen
# writes one packet of every type 1..8 (Ethernet / IPv4 / GRE key 42), and
# tshark must decode every field with a good checksum (status 1).  tshark
# skips a malformed CIE without a warning (test-harness.md 2.2), so the
# whole decode is compared, field by field, with the table below; the last
# two columns (_ws.malformed, _ws.expert.message) must stay empty.
#   tshark_check.sh path/to/nhrp_tshark_gen        (exit 77: no tshark)
set -eu

GEN=$1
command -v tshark >/dev/null 2>&1 || { echo "tshark not found: skipped"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$GEN" "$dir/nhrp.pcap"
tshark -r "$dir/nhrp.pcap" -T fields -E separator='|' -E occurrence=a -E aggregator=',' \
	-e frame.number -e gre.key -e nhrp.hdr.op.type -e nhrp.hdr.chksum.status \
	-e nhrp.hdr.pktsz -e nhrp.hdr.extoff -e nhrp.flags -e nhrp.reqid \
	-e nhrp.src.nbma.addr -e nhrp.src.prot.addr -e nhrp.dst.prot.addr \
	-e nhrp.code -e nhrp.prefix -e nhrp.mtu -e nhrp.htime \
	-e nhrp.client.nbma.addr -e nhrp.client.prot.addr \
	-e nhrp.ext.type -e nhrp.ext.c -e nhrp.ext.len -e nhrp.auth_ext.spi \
	-e nhrp.err.code -e nhrp.err.offset -e _ws.malformed -e _ws.expert.message \
	2>"$dir/stderr" >"$dir/got"

# frame|key|type|cksum status|pktsz|extoff|flags|reqid|src nbma|src proto|dst proto|
# CIE codes|prefixes|MTUs|hold times|client NBMA|client proto|ext types|C|ext lengths|
# auth "SPI" (Cisco's cleartext type 1 read the RFC way)|error code|error offset|malformed|expert
# Per frame: the Mandatory Part CIE first, then Forward Transit (hub), Responder and
# Reverse Transit (hub) on replies, NAT (203.0.113.99 / 10.0.0.1, hold 0) last.
# Frame 7 (Error Indication) quotes frame 6, which tshark decodes again (the ",6").
cat >"$dir/want" <<'WANT'
1|0x0000002a|1|1|125|52|0xc802|0x00000101|192.0.2.1|10.0.0.1|10.0.0.2|0,0,0|32,32,32|1401,1514,1514|7199,7200,0|203.0.113.1,203.0.113.99|10.0.0.254,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,20,0,9,20,0|1||||
2|0x0000002a|2|1|173|60|0xf802|0x00000102|192.0.2.2|10.0.0.1|10.0.0.2|0,0,0,0,0|32,32,32,32,32|1402,1514,1514,1514,1514|7198,7200,7200,7200,0|198.51.100.2,203.0.113.1,203.0.113.1,203.0.113.1,203.0.113.99|10.0.0.2,10.0.0.254,10.0.0.254,10.0.0.254,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,20,20,9,20,0|1||||
3|0x0000002a|3|1|125|52|0x8002|0x00000103|192.0.2.3|10.0.0.1|10.0.0.2|0,0,0|32,32,32|1403,1514,1514|7197,7200,0|203.0.113.1,203.0.113.99|10.0.0.254,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,20,0,9,20,0|1||||
4|0x0000002a|4|1|173|60|0x8002|0x00000104|192.0.2.4|10.0.0.1|10.0.0.2|0,0,0,0,0|32,32,32,32,32|1404,1514,1514,1514,1514|7196,7200,7200,7200,0|198.51.100.2,203.0.113.1,203.0.113.1,203.0.113.1,203.0.113.99|10.0.0.2,10.0.0.254,10.0.0.254,10.0.0.254,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,20,20,9,20,0|1||||
5|0x0000002a|5|1|129|56|0x8000|0x00000105|192.0.2.5|10.0.0.1|10.0.0.2|0,0,0|32,32,32|1405,1514,1514|7195,7200,0|203.0.113.1,203.0.113.99|10.0.0.9,10.0.0.254,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,20,0,9,20,0|1||||
6|0x0000002a|6|1|169|56|0x0000|0x00000106|192.0.2.6|10.0.0.1|10.0.0.2|0,0,0,0,0|32,32,32,32,32|1406,1514,1514,1514,1514|7194,7200,7200,7200,0|203.0.113.1,203.0.113.1,203.0.113.1,203.0.113.99|10.0.0.9,10.0.0.254,10.0.0.254,10.0.0.254,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,20,20,9,20,0|1||||
7|0x0000002a|7,6|1,1|209,169|0,56|0x0000|0x00000106|192.0.2.7,192.0.2.6|10.0.0.1,10.0.0.1|10.0.0.2,10.0.0.2|0,0,0,0,0|32,32,32,32,32|1406,1514,1514,1514,1514|7194,7200,7200,7200,0|203.0.113.1,203.0.113.1,203.0.113.1,203.0.113.99|10.0.0.9,10.0.0.254,10.0.0.254,10.0.0.254,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|20,20,20,9,20,0|1|11|60||
8|0x0000002a|8|1|141|68|||192.0.2.8|10.0.0.1|10.0.0.2|0,0|32,32|1514,1514|7200,0|203.0.113.1,203.0.113.99|10.0.0.254,10.0.0.1|0x0003,0x0004,0x0005,0x0007,0x0009,0x0000|1,1,1,1,0,1|0,20,0,9,20,0|1||||
WANT

if ! diff -u "$dir/want" "$dir/got"; then
	cat "$dir/stderr" >&2
	echo "FAIL: tshark decodes the builder's packets differently" >&2
	exit 1
fi
# The octets around the addresses: hop count, T/L octets, CIE preference,
# unused (must be 0), client address T/L and protocol length.
tshark -r "$dir/nhrp.pcap" -T fields -E separator='|' -E occurrence=a -E aggregator=',' \
	-e frame.number -e nhrp.hdr.hopcnt -e nhrp.hdr.shtl -e nhrp.hdr.sstl -e nhrp.pref \
	-e nhrp.unused -e nhrp.cli.addr_tl -e nhrp.prot.len 2>>"$dir/stderr" >"$dir/got2"
cat >"$dir/want2" <<'WANT'
1|255|4|0|0,0,0|0,0,0|0,4,4|0,4,4
2|255|4|0|0,0,0,0,0|0,0,0,0,0|4,4,4,4,4|4,4,4,4,4
3|255|4|0|0,0,0|0,0,0|0,4,4|0,4,4
4|255|4|0|0,0,0,0,0|0,0,0,0,0|4,4,4,4,4|4,4,4,4,4
5|255|4|0|0,0,0|0,0,0|0,4,4|4,4,4
6|255|4|0|0,0,0,0,0|0,0,0,0,0|0,4,4,4,4|4,4,4,4,4
7|255,255|4,4|0,0|0,0,0,0,0|0,0,0,0,0|0,4,4,4,4|4,4,4,4,4
8|255|4|0|0,0|0,0|4,4|4,4
WANT
if ! diff -u "$dir/want2" "$dir/got2"; then
	cat "$dir/stderr" >&2
	echo "FAIL: tshark decodes the builder's CIE octets differently" >&2
	exit 1
fi

# Belt and braces: every frame has a good checksum and a decoded CIE.
[ "$(cut -d'|' -f4 "$dir/got" | tr ',' '\n' | sort -u)" = 1 ] || { echo "FAIL: checksum" >&2; exit 1; }
[ "$(cut -d'|' -f14 "$dir/got" | grep -c .)" = 8 ] || { echo "FAIL: MTU missing" >&2; exit 1; }
echo "ok: 8 NHRP types decoded by $(tshark -v 2>/dev/null | head -1)"
