#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bad inputs are dropped with their own counter (common/drops.def names)
and the data plane keeps forwarding: every bad frame is followed by a good
one carrying a sequence tag, and every good one must come out.

LAN side: frames from the LAN host; the good one is encapsulated to the hub.
Public side: GRE from the hub; the good one is decapsulated to the LAN host.
Expected drop counters are exactly the multiset of the cases' reasons (two
cases share gre-flags: the checksum bit and the sequence bit), and nothing
else is dropped.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib as P  # noqa: E402


def ip_bytes(pkt):
    return bytes(pkt)


def set_ihl_version(raw_ip, ver=None, ihl=None):
    b = bytearray(raw_ip)
    if ver is not None:
        b[0] = (ver << 4) | (b[0] & 0x0f)
    if ihl is not None:
        b[0] = (b[0] & 0xf0) | ihl
    return bytes(b)


def eth(raw, src=P.HOST_MAC, dst=None, etype=0x0800, port=1):
    s = P.scapy()
    return s.Ether(src=src, dst=dst or P.pcap_mac(port), type=etype) / s.Raw(raw)


def lan_cases(tag0):
    """(name, counter, frame) for the LAN port."""
    s = P.scapy()

    def ip(i, **kw):
        kw.setdefault("src", P.LAN_HOST)
        kw.setdefault("dst", P.HUB_LAN_HOST)
        return s.IP(**kw) / s.UDP(sport=1, dport=9) / s.Raw(P.tag(tag0 + i, 30))
    good = bytes(ip(0))
    bad_csum = bytearray(good)
    bad_csum[10] ^= 0x55
    trunc = s.IP(bytes(ip(1)))
    trunc_b = bytearray(bytes(trunc))
    trunc_b[2:4] = (len(trunc_b) + 40).to_bytes(2, "big")   # claims 40 more octets
    trunc_b[10:12] = b"\x00\x00"
    trunc_fixed = s.IP(bytes(trunc_b))
    del trunc_fixed.chksum                                  # good checksum, short frame
    return [
        ("runt (10-octet frame)", "runt", s.Raw(bytes.fromhex("02706361700102000000"))),
        ("IPv6 EtherType", "ethertype",
         s.Ether(src=P.HOST_MAC, dst=P.pcap_mac(1)) / s.IPv6(dst="2001:db8::1") / s.UDP()),
        ("unicast to another MAC", "l2-not-for-us", eth(good, dst="02:00:00:00:99:99")),
        ("IPv4 total length beyond the frame", "ip4-truncated",
         eth(bytes(trunc_fixed)[:len(bytes(trunc))])),
        ("IPv4 header cut short (12 octets)", "ip4-truncated", eth(good[:12])),
        ("bad IPv4 header checksum", "ip4-checksum", eth(bytes(bad_csum))),
        ("IP version 6 under EtherType IPv4", "ip4-version", eth(set_ihl_version(good, ver=6))),
        ("IHL 4", "ip4-header-length", eth(set_ihl_version(good, ihl=4))),
        ("IHL 15 beyond the packet", "ip4-header-length",
         eth(set_ihl_version(good, ihl=15)[:40])),
        ("no route (172.16.0.1)", "no-route", eth(bytes(ip(2, dst="172.16.0.1")))),
        ("TTL 1 into the tunnel", "ttl-expired", eth(bytes(ip(3, ttl=1)))),
        ("loopback source", "ip4-bad-source", eth(bytes(ip(4, src="127.0.0.1")))),
        ("multicast destination", "ip4-multicast", eth(bytes(ip(5, dst="224.0.0.5")))),
        ("UDP to our LAN address", "local-protocol", eth(bytes(ip(6, dst=P.SPOKE_LAN)))),
    ]


def pub_cases(tag0):
    """(name, counter, frame) for the public port: GRE from the hub."""
    s = P.scapy()

    def inner(i, **kw):
        kw.setdefault("src", P.HUB_LAN_HOST)
        kw.setdefault("dst", P.LAN_HOST)
        return bytes(s.IP(**kw) / s.UDP(sport=2, dport=9) / s.Raw(P.tag(tag0 + i, 30)))
    key = P.KEY.to_bytes(4, "big")
    bad_inner = bytearray(inner(0))
    bad_inner[10] ^= 0x01
    return [
        ("wrong GRE key (998)", "gre-key-mismatch", P.gre_frame(inner(1), key=998)),
        ("no GRE key", "gre-key-missing", P.gre_frame(inner(2), key=None)),
        ("GRE version 1 (PPTP)", "gre-version",
         P.gre_frame(inner(3), raw_gre=bytes.fromhex("20010800") + key)),
        ("GRE checksum bit", "gre-flags",
         P.gre_frame(inner(4), raw_gre=bytes.fromhex("a0000800") + b"\x00\x00\x00\x00" + key)),
        ("GRE sequence bit", "gre-flags",
         P.gre_frame(inner(5), raw_gre=bytes.fromhex("30000800") + key + b"\x00\x00\x00\x07")),
        ("GRE protocol IPv6", "gre-protocol", P.gre_frame(inner(6), proto=0x86dd)),
        ("GRE header cut after 4 octets", "gre-truncated",
         P.gre_frame(b"", raw_gre=bytes.fromhex("20000800"))),
        ("inner IPv4 with a bad checksum", "gre-inner-bad", P.gre_frame(bytes(bad_inner))),
        ("GRE to another underlay address", "underlay-not-for-us",
         P.gre_frame(inner(7), dst="198.51.100.99")),
        ("fragment of a GRE packet", "local-fragment", P.gre_frame(inner(8), flags="MF")),
        ("UDP to our public address", "local-protocol",
         s.Ether(src=P.GW_MAC, dst=P.pcap_mac(0)) /
         s.IP(src=P.HUB_PUB, dst=P.SPOKE_PUB) / s.UDP(sport=1, dport=2) / s.Raw(b"x" * 20)),
    ]


def partition(cases):
    """Split cases into runs where every counter appears once, so each case's
    counter is checked to be exactly 1 (no two cases can swap reasons)."""
    runs = []
    for c in cases:
        for r in runs:
            if all(c[1] != x[1] for x in r):
                r.append(c)
                break
        else:
            runs.append([c])
    return runs


def run_cases(run_no, lan_c, pub_c):
    s = P.scapy()
    lan, pub = [], []
    lan_good, pub_good = [], []
    # bad, good, bad, good, ...; good tags 1.. (LAN) and 101.. (public)
    for k, (_, _, frame) in enumerate(lan_c):
        lan.append(frame)
        lan.append(P.lan_frame(P.HUB_LAN_HOST, i=1 + k))
        lan_good.append(1 + k)
    for k, (_, _, frame) in enumerate(pub_c):
        pub.append(frame)
        pub.append(P.gre_frame(s.IP(src=P.HUB_LAN_HOST, dst=P.LAN_HOST) /
                               s.UDP(sport=3, dport=9) / s.Raw(P.tag(101 + k, 30))))
        pub_good.append(101 + k)
    expected = {c: 1 for _, c, _ in lan_c + pub_c}
    n = len(lan) + len(pub)
    ttl_case = any(c == "ttl-expired" for _, c, _ in lan_c)
    conf = lambda nd: P.spoke_conf(nd, lan_rx="lan_in" if lan else None,   # noqa: E731
                                   pub_rx="pub_in" if pub else None)
    with P.Node("bad%d" % run_no, conf) as node:
        if lan:
            node.write_pcap("lan_in", lan)
        if pub:
            node.write_pcap("pub_in", pub)
        node.start()
        j = node.wait_json("show dataplane",
                           lambda j: j["dataplane"]["rx_packets"] >= n
                           and j["dataplane"]["encap_packets"] >= len(lan_good)
                           and j["dataplane"]["decap_packets"] >= len(pub_good)
                           and j["dataplane"]["icmp_sent"] >= int(ttl_case),
                           what="all %d frames handled" % n)["dataplane"]
        drops = node.drops()
        for name, counter, _ in lan_c + pub_c:
            P.check("case '%s': counter %s is %s, expected 1 (all drops: %s)" %
                    (name, counter, drops.get(counter), drops), drops.get(counter) == 1)
        P.eq("drop counters, exactly", expected, drops)
        P.eq("rx", n, j["rx_packets"])
        P.eq("encap (the good LAN frames)", len(lan_good), j["encap_packets"])
        P.eq("decap (the good GRE frames)", len(pub_good), j["decap_packets"])
        P.eq("ICMP sent (time exceeded)", int(ttl_case), j["icmp_sent"])
        P.check("data plane still running", node.dp.alive())
        node.stop()

        gre = [f for f in P.read_pcap(node.pcap("pub_out")) if P.is_gre_data(f)]
        P.eq("good LAN frames out, in order", lan_good, [P.tag_of(f) for f in gre])
        lan_out = [f for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        udp = [f for f in lan_out if f[23] == 17]
        icmp = [f for f in lan_out if f[23] == 1]
        P.eq("good GRE frames decapsulated, in order", pub_good, [P.tag_of(f) for f in udp])
        P.eq("ICMP errors on the LAN", int(ttl_case), len(icmp))
        if not ttl_case:
            return
        # ttl-expired: ICMP time exceeded from our LAN address to the sender
        e = s.Ether(icmp[0])
        P.eq("ICMP type/code", (11, 0), (e[s.ICMP].type, e[s.ICMP].code))
        P.eq("ICMP from/to", (P.SPOKE_LAN, P.LAN_HOST), (e[s.IP].src, e[s.IP].dst))
        P.eq("ICMP to the host's MAC", P.HOST_MAC, e.dst)
        P.eq("quoted packet is the expired one", 1003, P.tag_of(bytes(e[s.ICMP].payload)))
        rows = P.tshark_fields(node.pcap("lan_out"), ["ip.checksum.status", "icmp.checksum.status"],
                               "icmp")
        P.eq("ICMP checksums good (outer IP, ICMP, quoted IP)",
             [("1,1", "1")], [(r["ip.checksum.status"], r["icmp.checksum.status"]) for r in rows])


def test_bad_inputs():
    cases = [("lan",) + c for c in lan_cases(1000)] + [("pub",) + c for c in pub_cases(2000)]
    runs = partition([(c[1], c[2], c[3], c[0]) for c in cases])
    P.check("every case runs once", sum(len(r) for r in runs) == len(cases))
    for k, r in enumerate(runs):
        lan_c = [(a, b, c) for a, b, c, port in r if port == "lan"]
        pub_c = [(a, b, c) for a, b, c, port in r if port == "pub"]
        P.log("run %d: %s" % (k, ", ".join(c for _, c, _ in lan_c + pub_c)))
        run_cases(k, lan_c, pub_c)


if __name__ == "__main__":
    P.run_tests(globals())
