#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""LAN -> tunnel: GRE encapsulation through the real data plane.

A spoke (conf/spoke1.conf on net_pcap ports) reads crafted LAN frames from a
pcap and writes the public port's frames to another; every frame is checked
with tshark fields and byte for byte against the seed-style rewrite.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib as P  # noqa: E402

# destination -> NBMA address of the adjacency that must carry it
DESTS = [
    (P.HUB_LAN_HOST, P.HUB_PUB),      # 10.1.0.0/24 via 10.0.0.1 (hub)
    (P.S2_LAN_HOST, P.S2_PUB),        # 10.0.65.0/24 via 10.0.0.3 (spoke 2)
    (P.HUB_TUN, P.HUB_PUB),           # the hub's tunnel address itself
    (P.S2_TUN, P.S2_PUB),             # spoke 2's tunnel address itself
    ("10.1.0.200", P.HUB_PUB),
    ("10.0.65.77", P.S2_PUB),
]
TOS = [0x00, 0x28, 0xb8, 0xc0, 0x03]  # incl. ECN bits: copied as is


def encap_inputs():
    pkts, expect = [], []
    i = 0
    for size in (64, 512, 1400):          # 1400 = tunnel MTU: not fragmented
        for dst, nbma in DESTS:
            for df in (False, True):
                tos = TOS[i % len(TOS)]
                proto = "icmp" if i % 5 == 4 else "udp"
                pkts.append(P.lan_frame(dst, i=i, size=size, tos=tos, df=df, proto=proto,
                                        ttl=64 - i % 3))
                expect.append(nbma)
                i += 1
    # A minimum frame with Ethernet padding: the IPv4 total length wins.
    s = P.scapy()
    small = s.Ether(src=P.HOST_MAC, dst=P.pcap_mac(1)) / \
        s.IP(src=P.LAN_HOST, dst=P.HUB_LAN_HOST, ttl=9) / s.UDP(sport=7, dport=7) / \
        s.Padding(b"\xee" * 18)
    pkts.append(small)
    expect.append(P.HUB_PUB)
    return [s.Ether(bytes(p)) for p in pkts], expect      # built: lengths filled in


def strip_padding(frame):
    """The frame as the data plane must see it: without Ethernet padding."""
    s = P.scapy()
    f = s.Ether(bytes(frame))
    ip = bytes(f[s.IP])[:f[s.IP].len]
    return s.Ether(bytes(f)[:14] + ip)


def test_encap():
    pkts, nbmas = encap_inputs()
    n = len(pkts)
    with P.Node("encap", lambda nd: P.spoke_conf(nd, lan_rx="lan_in")) as node:
        node.write_pcap("lan_in", pkts)
        node.start()
        adj = node.adjacencies()
        P.eq("adjacencies", {P.HUB_TUN, P.S2_TUN}, set(adj))
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["encap_packets"] >= n,
                           what="%d packets encapsulated" % n)["dataplane"]
        P.eq("rx_packets", n, j["rx_packets"])
        P.eq("encap_packets", n, j["encap_packets"])
        P.eq("worker0 rx == encap", j["lcores"][0]["rx_packets"], j["lcores"][0]["encap_packets"])
        P.eq("drops", {}, node.drops())
        # per-adjacency counters (summed over the workers): the right peer each
        adj = node.adjacencies()
        for tun, nbma in ((P.HUB_TUN, P.HUB_PUB), (P.S2_TUN, P.S2_PUB)):
            want = sum(1 for x in nbmas if x == nbma)
            P.eq("adjacency %s packets" % tun, want, adj[tun]["packets"])
            P.eq("adjacency %s nbma" % tun, nbma, adj[tun]["nbma"])
        node.stop()

        out = [f for f in P.read_pcap(node.pcap("pub_out")) if P.is_gre_data(f)]
        P.eq("GRE frames on the public port", n, len(out))
        ids = []
        for k, (frame, nbma, raw) in enumerate(zip(pkts, nbmas, out)):
            ip_id = int.from_bytes(raw[18:20], "big")
            ids.append(ip_id)
            want = P.expected_encap(strip_padding(frame), nbma, ip_id)
            P.bytes_eq("packet %d (to %s via %s)" % (k, frame[P.scapy().IP].dst, nbma), want, raw)
        P.eq("outer IPv4 ids distinct", n, len(set(ids)))

        # The same through tshark's eyes (independent of our expected_encap()).
        rows = P.tshark_fields(node.pcap("pub_out"), [
            "eth.src", "eth.dst", "ip.src", "ip.dst", "ip.ttl", "ip.proto", "ip.flags.df",
            "ip.dsfield", "ip.checksum.status", "gre.flags_and_version", "gre.key", "gre.proto",
            "ip.len"], display_filter=P.DATA_FILTER)
        P.eq("tshark GRE rows", n, len(rows))
        for k, (r, frame, nbma) in enumerate(zip(rows, pkts, nbmas)):
            inner = frame[P.scapy().IP]
            src = r["ip.src"].split(",")
            dst = r["ip.dst"].split(",")
            ttl = r["ip.ttl"].split(",")
            P.eq("%d eth.src" % k, P.pcap_mac(0), r["eth.src"])
            P.eq("%d eth.dst (gateway)" % k, P.GW_MAC, r["eth.dst"])
            P.eq("%d outer src/dst" % k, [P.SPOKE_PUB, nbma], [src[0], dst[0]])
            P.eq("%d inner src/dst" % k, [inner.src, inner.dst], [src[1], dst[1]])
            P.eq("%d outer ttl" % k, "255", ttl[0])
            P.eq("%d inner ttl" % k, str(inner.ttl - 1), ttl[1])
            P.eq("%d outer proto" % k, "47", r["ip.proto"].split(",")[0])
            P.eq("%d outer DF" % k, "0", r["ip.flags.df"].split(",")[0])
            P.eq("%d inner DF" % k, "1" if inner.flags.DF else "0", r["ip.flags.df"].split(",")[1])
            P.eq("%d TOS outer,inner" % k, ["0x%02x" % inner.tos] * 2, r["ip.dsfield"].split(","))
            P.eq("%d checksums outer,inner good" % k, ["1", "1"],
                 r["ip.checksum.status"].split(","))
            P.eq("%d GRE flags" % k, "0x2000", r["gre.flags_and_version"])
            P.eq("%d GRE key" % k, "0x000003e7", r["gre.key"])
            P.eq("%d GRE proto" % k, "0x0800", r["gre.proto"])
            P.eq("%d outer, inner length" % k, [str(inner.len + 28), str(inner.len)],
                 r["ip.len"].split(","))
        # Nothing but ARP went back to the LAN.
        back = [f for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        P.eq("non-ARP frames on the LAN", [], back)


def test_glean_via_nhs():
    """A tunnel address without a map: sent via the NHS (the hub) meanwhile,
    and one miss event punted to the controller (RFC 2332 / seed 000), whose
    NHRP module sends a Resolution Request for it to the hub."""
    pkts = [P.lan_frame("10.0.0.9", i=i) for i in range(3)]
    with P.Node("glean", lambda nd: P.spoke_conf(nd, lan_rx="lan_in")) as node:
        node.write_pcap("lan_in", pkts)
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["encap_packets"] >= 3
                           and j["controller"]["punts"] >= 1, what="encap 3, 1 punt")
        P.eq("encap", 3, j["dataplane"]["encap_packets"])
        P.eq("miss events (held off: one per 100 ms per destination)", 1,
             j["dataplane"]["events"])
        P.eq("controller punts", 1, j["controller"]["punts"])
        P.eq("drops", {}, node.drops())
        P.eq("hub adjacency packets", 3, node.adjacencies()[P.HUB_TUN]["packets"])
        node.wait_pcap("pub_out", lambda fs: any(P.nhrp_type(f) == 1 for f in fs),
                       what="an NHRP Resolution Request on the public port")
        node.stop()
        rows = P.tshark_fields(node.pcap("pub_out"), ["ip.dst", "gre.key"], P.DATA_FILTER)
        P.eq("via the hub", [P.HUB_PUB + ",10.0.0.9"] * 3, [r["ip.dst"] for r in rows])
        rows = P.tshark_fields(node.pcap("pub_out"), [
            "ip.src", "ip.dst", "ip.ttl", "ip.dsfield", "gre.key", "nhrp.hdr.chksum.status",
            "nhrp.src.prot.addr", "nhrp.dst.prot.addr"], "nhrp.hdr.op.type == 1")
        P.eq("Resolution Request for 10.0.0.9 to the hub, as Cisco sends NHRP", [{
            "ip.src": P.SPOKE_PUB, "ip.dst": P.HUB_PUB, "ip.ttl": "255", "ip.dsfield": "0xc0",
            "gre.key": "0x000003e7", "nhrp.hdr.chksum.status": "1",
            "nhrp.src.prot.addr": P.SPOKE_TUN, "nhrp.dst.prot.addr": "10.0.0.9"}], rows)


if __name__ == "__main__":
    P.run_tests(globals())
