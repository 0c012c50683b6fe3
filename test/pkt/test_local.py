#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Packets to our own addresses: ping (LAN address, tunnel address from the
LAN and through the tunnel, public address from the underlay), NHRP punted
to the controller.  ARP: test_arp.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib as P  # noqa: E402


def echo(src, dst, seq, size=64):
    s = P.scapy()
    return s.IP(src=src, dst=dst, ttl=64, id=0x700 + seq) / s.ICMP(type=8, id=0x1234, seq=seq) / \
        s.Raw(P.tag(seq, size - 28))


def check_reply(s, what, ip, req):
    P.eq(what + ": ICMP type/code", (0, 0), (ip[s.ICMP].type, ip[s.ICMP].code))
    P.eq(what + ": addresses swapped", (req[s.IP].dst, req[s.IP].src), (ip.src, ip.dst))
    P.eq(what + ": id/seq", (0x1234, req[s.ICMP].seq), (ip[s.ICMP].id, ip[s.ICMP].seq))
    P.eq(what + ": payload", bytes(req[s.ICMP].payload), bytes(ip[s.ICMP].payload))


def test_ping():
    s = P.scapy()
    lan_req = [echo(P.LAN_HOST, P.SPOKE_LAN, 1), echo(P.LAN_HOST, P.SPOKE_TUN, 2, size=1000)]
    tun_req = echo(P.HUB_TUN, P.SPOKE_TUN, 3)
    lan_in = [s.Ether(src=P.HOST_MAC, dst=P.pcap_mac(1)) / r for r in lan_req]
    # an echo *reply* to us is not answered (icmp-ignored)
    lan_in.append(s.Ether(src=P.HOST_MAC, dst=P.pcap_mac(1)) /
                  s.IP(src=P.LAN_HOST, dst=P.SPOKE_LAN) / s.ICMP(type=0, id=1, seq=9))
    pub_in = [P.gre_frame(tun_req)]
    conf = lambda nd: P.spoke_conf(nd, lan_rx="lan_in", pub_rx="pub_in")  # noqa: E731
    with P.Node("ping", conf) as node:
        node.write_pcap("lan_in", lan_in)
        node.write_pcap("pub_in", pub_in)
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["rx_packets"] >= 4
                           and j["dataplane"]["icmp_sent"] >= 3
                           and j["dataplane"]["tx_packets"] >= 3, what="3 echo replies",
                           timeout=10)["dataplane"]
        drops = node.drops()
        node.stop()
        lan = [s.Ether(f) for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        gre = [s.Ether(f) for f in P.read_pcap(node.pcap("pub_out")) if P.is_gre_data(f)]
        P.eq("echo replies on the LAN", 2, len(lan))
        for e, req in zip(lan, lan_req):
            check_reply(s, "LAN reply from %s" % req.dst, e[s.IP], req)
            P.eq("to the host's MAC", P.HOST_MAC, e.dst)
        P.eq("echo reply through the tunnel", 1, len(gre))
        P.eq("outer", (P.SPOKE_PUB, P.HUB_PUB), (gre[0][s.IP].src, gre[0][s.IP].dst))
        inner = s.IP(bytes(gre[0][s.IP].payload)[8:])
        check_reply(s, "tunnel reply", inner, tun_req)
        P.eq("drops", {"icmp-ignored": 1}, drops)
        P.eq("icmp_sent", 3, j["icmp_sent"])
        rows = P.tshark_fields(node.pcap("lan_out"), ["ip.checksum.status", "icmp.checksum.status"],
                               "icmp")
        P.eq("checksums of the LAN replies", [("1", "1")] * 2,
             [(r["ip.checksum.status"], r["icmp.checksum.status"]) for r in rows])


def test_ping_public_address():
    """classify.c: on the public port, ICMP echo to the port's address is
    answered, back to the station it came from (here the gateway's MAC).
    Was BUG-1 (reply routed in the overlay FIB, dropped no-route), fixed in
    the data plane by the lead."""
    s = P.scapy()
    req = echo(P.HUB_PUB, P.SPOKE_PUB, 4)
    conf = lambda nd: P.spoke_conf(nd, pub_rx="pub_in")  # noqa: E731
    with P.Node("ping-pub", conf) as node:
        node.write_pcap("pub_in", [s.Ether(src=P.GW_MAC, dst=P.pcap_mac(0)) / req])
        node.start()
        node.wait_json("show dataplane", lambda j: j["dataplane"]["rx_packets"] >= 1
                       and (j["dataplane"]["tx_packets"] >= 1 or node.drops()),
                       what="the echo request handled")
        P.eq("drops", {}, node.drops())
        node.stop()
        plain = [s.Ether(f) for f in P.read_pcap(node.pcap("pub_out"))
                 if not P.is_arp(f) and not P.is_gre(f)]
        P.eq("echo reply to the underlay (public address)", 1, len(plain))
        check_reply(s, "public reply", plain[0][s.IP], req)
        P.eq("public reply to the gateway's MAC", P.GW_MAC, plain[0].dst)


def test_nhrp_punt():
    """GRE protocol 0x2001 to us goes to the controller (punt ring), with
    nothing dropped; the data plane does not forward it anywhere."""
    # A registration request as a spoke would send it (fixed part only is
    # enough for the punt path: the data plane does not parse NHRP).
    nhrp = bytes.fromhex("0001 0800 0000 0000 00 00 0000 0000 0000 03 01 0000") + b"\x00" * 16
    frames = [P.gre_frame(nhrp, proto=0x2001)]
    conf = lambda nd: P.spoke_conf(nd, pub_rx="pub_in")  # noqa: E731
    with P.Node("nhrp", conf) as node:
        node.write_pcap("pub_in", frames)
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["controller"]["punts"] >= 1,
                           what="the controller got the punt")
        P.eq("data plane punted", 1, j["dataplane"]["punt_packets"])
        P.eq("controller punts", 1, j["controller"]["punts"])
        P.eq("decap/encap", (0, 0), (j["dataplane"]["decap_packets"],
                                     j["dataplane"]["encap_packets"]))
        P.eq("drops", {}, node.drops())
        node.stop()
        lan = [f for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        P.eq("nothing on the LAN", [], lan)


def test_nhrp_registration_from_cisco():
    """Punt -> controller -> inject through the real data plane: a Cisco IOL
    spoke's Registration Request (testdata NHRP_registration.pcap, frame 1:
    GRE key 2, auth "NHRPAUTH", spoke 155.1.0.1 at NBMA 169.254.100.1, NHS
    155.1.0.5 at 169.254.100.5) replayed into a hub configured as that NHS.
    The hub answers with a Registration Reply (code 0, same request id) that
    leaves GRE-encapsulated like Cisco's (key 2, TTL 255, TOS 0xc0) to the
    spoke's NBMA, and publishes a dynamic adjacency for the spoke."""
    s = P.scapy()
    cap = P.TESTDATA / "tcpdump" / "NHRP_registration.pcap"
    if not cap.exists():
        raise P.Skip("%s not found" % cap)
    req = s.rdpcap(str(cap))[0]
    # the capture has an 802.1Q tag: keep the IPv4 packet as is, new Ethernet
    frame = s.Ether(src="02:00:00:00:64:01", dst=P.pcap_mac(0), type=0x0800) / \
        s.Raw(bytes(req[s.IP]))

    def conf(nd):
        return {
            "dataplane": {"lcores": "0,1", "workers": 1, "memory_mb": 160, "mbufs": 4095},
            "interfaces": [
                {"name": "pub", "role": "public", "address": "169.254.100.5/24",
                 "device": "net_pcap0,rx_pcap=%s,tx_pcap=%s" % (nd.pcap("pub_in"),
                                                               nd.pcap("pub_out"))},
                {"name": "lan", "role": "lan", "address": "10.1.0.1/24",
                 "device": "net_pcap1,tx_pcap=%s" % nd.pcap("lan_out")},
            ],
            "tunnel": {"address": "155.1.0.5/24", "source": "pub", "key": 2, "mtu": 1400},
            "nhrp": {"authentication": "NHRPAUTH", "map_multicast": "dynamic",
                     "holdtime": 7200},
            "neighbors": [{"address": "169.254.100.1", "mac": "02:00:00:00:64:01",
                           "interface": "pub"}],
        }
    with P.Node("nhrpreg", conf) as node:
        node.write_pcap("pub_in", [frame])
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["adj_published"] >= 1
                           and j["dataplane"]["tx_packets"] >= 1,
                           what="the spoke's adjacency published and the reply sent")
        P.eq("controller punts", 1, j["controller"]["punts"])
        P.eq("drops", {}, node.drops())
        a = node.adjacencies()
        P.eq("adjacencies", ["155.1.0.1"], list(a))
        a = a["155.1.0.1"]
        P.eq("adjacency NBMA, state", ("169.254.100.1", "live"), (a["nbma"], a["state"]))
        P.check("adjacency is dynamic: %s" % a["flags"], "dynamic" in a["flags"])
        node.stop()
        rows = P.tshark_fields(node.pcap("pub_out"), [
            "eth.dst", "ip.src", "ip.dst", "ip.ttl", "ip.dsfield", "ip.checksum.status",
            "gre.key", "gre.proto", "nhrp.hdr.op.type", "nhrp.hdr.chksum.status", "nhrp.reqid",
            "nhrp.code", "nhrp.src.prot.addr", "nhrp.dst.prot.addr"], "nhrp")
        P.eq("NHRP frames out", 1, len(rows))
        r = rows[0]
        P.eq("reply", {
            "eth.dst": "02:00:00:00:64:01", "ip.src": "169.254.100.5",
            "ip.dst": "169.254.100.1", "ip.ttl": "255", "ip.dsfield": "0xc0",
            "ip.checksum.status": "1", "gre.key": "0x00000002", "gre.proto": "0x2001",
            "nhrp.hdr.op.type": "4", "nhrp.hdr.chksum.status": "1", "nhrp.reqid": "0x00000001",
            "nhrp.src.prot.addr": "155.1.0.1", "nhrp.dst.prot.addr": "155.1.0.5"},
            {k: v for k, v in r.items() if k != "nhrp.code"})
        P.check("CIE code(s) 0 (success): %r" % r["nhrp.code"],
                r["nhrp.code"] and set(r["nhrp.code"].split(",")) == {"0"})


if __name__ == "__main__":
    P.run_tests(globals())
