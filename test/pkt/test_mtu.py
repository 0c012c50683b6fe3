#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tunnel MTU (tunnel.mtu = 1400, IOS `ip mtu`): a DF packet above it gets
ICMP fragmentation needed with next-hop MTU 1400 (RFC 1191) and is counted
mtu-exceeded-df; a packet without DF is fragmented before encapsulation
(RFC 791), each fragment encapsulated on its own; the fragments reassemble
(scapy defragment) to the original with TTL - 1."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib as P  # noqa: E402


def udp(i, size, df, options=None):
    s = P.scapy()
    ip = s.IP(src=P.LAN_HOST, dst=P.HUB_LAN_HOST, ttl=64, flags="DF" if df else 0, id=0x4000 + i,
              options=options or [])
    hl = len(bytes(ip))
    pkt = ip / s.UDP(sport=4000 + i, dport=9) / s.Raw(P.tag(i, size - hl - 8))
    return s.Ether(bytes(s.Ether(src=P.HOST_MAC, dst=P.pcap_mac(1)) / pkt))


def test_mtu():
    s = P.scapy()
    # Router Alert (0x94) has the copied flag, Record Route (0x07) does not.
    opts = [s.IPOption_Router_Alert(), s.IPOption_RR(pointer=4, routers=["0.0.0.0"])]
    cases = [
        # (frame, DF, fragments expected)
        (udp(0, 1400, True), True, 1),       # exactly the MTU: untouched
        (udp(1, 1401, True), True, 0),       # DF above the MTU: ICMP 3/4
        (udp(2, 1500, True), True, 0),
        (udp(3, 1401, False), False, 2),     # 1400-ish + a small one
        (udp(4, 1500, False), False, 2),
        (udp(5, 4000, False), False, 3),     # multi-segment mbuf on input
        (udp(6, 1500, False, opts), False, 2),
    ]
    frames = [c[0] for c in cases]
    n_df = sum(1 for _, df, nf in cases if nf == 0)
    n_frag = sum(nf for _, df, nf in cases if not df)
    n_encap = sum(nf for _, _, nf in cases)
    conf = lambda nd: P.spoke_conf(nd, lan_rx="lan_in", lan_mtu=9000)  # noqa: E731
    with P.Node("mtu", conf) as node:
        node.write_pcap("lan_in", frames)
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["encap_packets"] >= n_encap
                           and j["dataplane"]["icmp_sent"] >= n_df,
                           what="%d GRE packets and %d ICMP errors" % (n_encap, n_df))
        d = j["dataplane"]
        P.eq("drops", {"mtu-exceeded-df": n_df}, node.drops())
        P.eq("fragments made", n_frag, d["fragments"])
        P.eq("encap", n_encap, d["encap_packets"])
        P.eq("ICMP sent", n_df, d["icmp_sent"])
        node.stop()

        gre = [s.Ether(f) for f in P.read_pcap(node.pcap("pub_out")) if P.is_gre_data(f)]
        P.eq("GRE packets", n_encap, len(gre))
        for g in gre:
            outer = g[s.IP]
            P.check("outer packet %d <= tunnel MTU + 28" % outer.len, outer.len <= P.TUN_MTU + 28)
            P.eq("outer DF clear", 0, int(outer.flags.DF))
            inner = s.IP(bytes(outer.payload)[8:])
            P.check("inner packet %d <= tunnel MTU" % inner.len, inner.len <= P.TUN_MTU)
        # Reassemble the inner packets per original (ID) and compare.
        inners = {}
        for g in gre:
            inner = s.IP(bytes(g[s.IP].payload)[8:])
            inners.setdefault(inner.id, []).append(inner)
        for (frame, df, nf) in cases:
            orig = frame[s.IP]
            if nf == 0:
                P.check("DF packet id %#x not forwarded" % orig.id, orig.id not in inners)
                continue
            frags = inners.get(orig.id, [])
            P.eq("fragments of id %#x (%d octets)" % (orig.id, orig.len), nf, len(frags))
            want = s.IP(bytes(orig))
            want.ttl -= 1
            del want.chksum
            want = s.IP(bytes(want))
            if nf == 1:
                P.bytes_eq("unfragmented id %#x" % orig.id, bytes(want), bytes(frags[0]))
                continue
            for f in frags:
                if f.frag:
                    # later fragments: only options with the copied flag
                    P.eq("later fragment options", [0x94] if orig.options else [],
                         [o.option | (o.copy_flag << 7) | (o.optclass << 5)
                          for o in f.options if o.option != 0])
            whole = s.defragment(frags)
            P.eq("reassembled id %#x" % orig.id, 1, len(whole))
            got = whole[0]
            P.eq("reassembled payload id %#x" % orig.id, bytes(want.payload), bytes(got.payload))
            P.eq("reassembled header fields", (want.src, want.dst, want.ttl, want.tos, want.id),
                 (got.src, got.dst, got.ttl, got.tos, got.id))
        rows = P.tshark_fields(node.pcap("pub_out"), ["ip.checksum.status"], P.DATA_FILTER)
        P.eq("outer and inner checksums good", ["1,1"] * n_encap,
             [r["ip.checksum.status"] for r in rows])

        # ICMP fragmentation needed back to the host, next-hop MTU 1400.
        lan = [s.Ether(f) for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        P.eq("ICMP errors on the LAN", n_df, len(lan))
        df_ids = [c[0][s.IP].id for c in cases if c[2] == 0]
        for e, want_id in zip(lan, df_ids):
            ic = e[s.ICMP]
            P.eq("type/code", (3, 4), (ic.type, ic.code))
            P.eq("next-hop MTU", P.TUN_MTU, ic.nexthopmtu)
            P.eq("from our LAN address to the host", (P.SPOKE_LAN, P.LAN_HOST),
                 (e[s.IP].src, e[s.IP].dst))
            P.eq("to the host's MAC", P.HOST_MAC, e.dst)
            q = ic[s.IPerror]
            P.eq("quoted header", (P.LAN_HOST, P.HUB_LAN_HOST, want_id, 17),
                 (q.src, q.dst, q.id, q.proto))
            P.check("ICMP error at most 576 octets", e[s.IP].len <= 576)
        rows = P.tshark_fields(node.pcap("lan_out"), ["icmp.checksum.status", "icmp.mtu"], "icmp")
        P.eq("ICMP checksum good, MTU field", [("1", str(P.TUN_MTU))] * n_df,
             [(r["icmp.checksum.status"], r["icmp.mtu"]) for r in rows])


if __name__ == "__main__":
    P.run_tests(globals())
