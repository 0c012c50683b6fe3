#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tunnel -> LAN (decapsulation) and hub transit (decap, then re-encap to
another spoke), through the real data plane with net_pcap ports."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib as P  # noqa: E402


def inner_ip(i, src, dst, size=64, ttl=64, tos=0, df=False):
    s = P.scapy()
    ip = s.IP(src=src, dst=dst, ttl=ttl, tos=tos, flags="DF" if df else 0, id=100 + i) / \
        s.UDP(sport=5000 + i, dport=53) / s.Raw(P.tag(i, size - 28))
    return s.IP(bytes(ip))


def forwarded(ip, dst_mac, src_mac):
    """The inner packet as it must leave: TTL - 1, checksum recomputed,
    nothing else changed, behind the neighbour's MAC."""
    s = P.scapy()
    out = s.IP(bytes(ip))
    out.ttl -= 1
    del out.chksum
    return bytes(s.Ether(dst=dst_mac, src=src_mac, type=0x0800) / s.Raw(bytes(out)))


def test_decap():
    s = P.scapy()
    inners, frames = [], []
    i = 0
    for size in (28, 64, 700, 1400):
        for src_nbma, src in ((P.HUB_PUB, P.HUB_LAN_HOST), (P.S2_PUB, P.S2_LAN_HOST),
                              (P.HUB_PUB, P.HUB_TUN)):
            ip = inner_ip(i, src, P.LAN_HOST, size=size, ttl=2 + i, tos=(i * 4) & 0xfc,
                          df=bool(i & 1))
            inners.append(ip)
            frames.append(P.gre_frame(ip, src=src_nbma))
            i += 1
    # Ethernet padding after a short GRE packet: the outer length wins, the
    # inner packet comes out without the padding.
    ip = inner_ip(i, P.HUB_LAN_HOST, P.LAN_HOST, size=28)
    inners.append(ip)
    short = P.gre_frame(ip)
    frames.append(s.Ether(bytes(short) + b"\x00" * (60 - len(bytes(short)))
                          if len(bytes(short)) < 60 else bytes(short) + b"\x00" * 6))
    n = len(frames)
    with P.Node("decap", lambda nd: P.spoke_conf(nd, pub_rx="pub_in")) as node:
        node.write_pcap("pub_in", frames)
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["decap_packets"] >= n
                           and j["dataplane"]["tx_packets"] >= n,
                           what="%d packets decapsulated" % n)["dataplane"]
        P.eq("rx", n, j["rx_packets"])
        P.eq("decap", n, j["decap_packets"])
        P.eq("encap", 0, j["encap_packets"])
        P.eq("drops", {}, node.drops())
        node.stop()
        out = [f for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        P.eq("frames on the LAN", n, len(out))
        for k, (ip, raw) in enumerate(zip(inners, out)):
            P.bytes_eq("packet %d from %s" % (k, ip.src), forwarded(ip, P.HOST_MAC, P.pcap_mac(1)),
                       raw)
        rows = P.tshark_fields(node.pcap("lan_out"), ["ip.checksum.status", "ip.ttl", "gre"],
                               "ip")
        P.eq("LAN frames are plain IPv4 with a good checksum", [("1", "")] * n,
             [(r["ip.checksum.status"], r["gre"]) for r in rows])
        pub = [f for f in P.read_pcap(node.pcap("pub_out"))
               if not P.is_arp(f) and not P.is_nhrp(f)]
        P.eq("nothing back into the tunnel (NHRP aside)", [], pub)


def run_transit(redirect):
    """Hub: GRE from spoke 1 to spoke 2's LAN leaves re-encapsulated to
    spoke 2's NBMA address (hub transit, DMVPN phase 1/2 before shortcuts)."""
    s = P.scapy()
    inners = [inner_ip(i, P.LAN_HOST, P.S2_LAN_HOST if i % 2 else P.S2_TUN, size=64 + 300 * i,
                       tos=0x10 * i) for i in range(4)]
    frames = [P.gre_frame(ip, src=P.SPOKE_PUB, dst=P.HUB_PUB) for ip in inners]
    n = len(frames)
    name = "transit-r" if redirect else "transit"
    with P.Node(name, lambda nd: P.hub_conf(nd, pub_rx="pub_in", redirect=redirect)) as node:
        node.write_pcap("pub_in", frames)
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["encap_packets"] >= n
                           and (not redirect or j["controller"]["punts"] >= 1),
                           what="%d packets re-encapsulated" % n)
        d = j["dataplane"]
        P.eq("decap", n, d["decap_packets"])
        P.eq("encap", n, d["encap_packets"])
        P.eq("drops", {}, node.drops())
        if redirect:
            # one hairpin event per (src, dst) pair and 100 ms: 2 pairs; the
            # NHRP module answers each with a Traffic Indication to the
            # source spoke (Phase 3 redirect)
            P.eq("hairpin events", 2, d["events"])
            node.wait_json("show dataplane", lambda j: j["controller"]["punts"] == 2,
                           what="2 hairpin events at the controller")
            node.wait_pcap("pub_out", lambda fs: sum(P.nhrp_type(f) == 8 for f in fs) >= 2,
                           what="2 NHRP Traffic Indications")
        else:
            P.eq("events (redirect off)", 0, d["events"])
        P.eq("spoke 2 adjacency packets", n, node.adjacencies()[P.S2_TUN]["packets"])
        P.eq("spoke 1 adjacency packets", 0, node.adjacencies()[P.SPOKE_TUN]["packets"])
        node.stop()
        out = [f for f in P.read_pcap(node.pcap("pub_out")) if P.is_gre_data(f)]
        P.eq("GRE frames out", n, len(out))
        for k, (ip, raw) in enumerate(zip(inners, out)):
            ip_id = int.from_bytes(raw[18:20], "big")
            want = P.expected_encap(s.Ether() / ip, P.S2_PUB, ip_id, src=P.HUB_PUB)
            P.bytes_eq("transit packet %d" % k, want, raw)
        lan = [f for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        P.eq("nothing on the hub's LAN", [], lan)
        rows = P.tshark_fields(node.pcap("pub_out"), [
            "ip.dst", "gre.key", "nhrp.hdr.chksum.status", "nhrp.src.prot.addr",
            "nhrp.dst.prot.addr"], "nhrp")
        if not redirect:
            P.eq("no NHRP from the hub", [], rows)
            return
        # Traffic Indication (type 8): to spoke 1, about the source host, the
        # quoted packet (outer IP of the NHRP, then the data packet's header)
        P.eq("Traffic Indications to spoke 1", [
            {"ip.dst": "%s,%s" % (P.SPOKE_PUB, dst), "gre.key": "0x000003e7",
             "nhrp.hdr.chksum.status": "1", "nhrp.src.prot.addr": P.HUB_TUN,
             "nhrp.dst.prot.addr": P.LAN_HOST} for dst in (P.S2_TUN, P.S2_LAN_HOST)],
            sorted(rows, key=lambda r: r["ip.dst"]))


def test_hub_transit():
    run_transit(False)


def test_hub_transit_redirect_event():
    run_transit(True)


if __name__ == "__main__":
    P.run_tests(globals())
