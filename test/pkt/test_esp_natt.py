#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""RFC 3948 on our public port, through the real data plane: NAT
keepalives (one octet 0xFF on UDP 4500) are consumed and counted
(nat-keepalive), IKE with the non-ESP marker on 4500 and IKE on 500 go to
the controller (punted, counted as IKE punts; no IKE module yet), a
too-short 4500 payload is dropped, and ESP-in-UDP from a NAT-translated
source port is decrypted and forwarded between all of them."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esputil as E  # noqa: E402
import pktlib as P  # noqa: E402

# An IKEv2 IKE_SA_INIT header (RFC 7296 3.1): SPIi, SPIr 0, next payload
# SA (33), version 0x20, exchange 34, flags I, message id 0, length 28.
IKE_HDR = bytes.fromhex("88694881497528ad") + bytes(8) + \
    bytes([33, 0x20, 34, 0x08]) + struct.pack("!II", 0, 28)


def udp(c, sport, dport, payload):
    s = P.scapy()
    return bytes(s.Ether(src=P.GW_MAC, dst=P.pcap_mac(0)) /
                 s.IP(src=c.peer, dst=P.SPOKE_PUB, id=5) /
                 s.UDP(sport=sport, dport=dport) / s.Raw(payload))


def test_keepalive_ike_and_natt_esp():
    c = E.Combo(0, "gcm-256", "udp")
    frames, expected, n_esp = [], [], 0

    def esp(sport=4500):
        nonlocal n_esp
        n_esp += 1
        inner = E.peer_inner(c, n_esp)
        raw = bytearray(c.peer_frame(c.gre_clear(inner), n_esp))
        raw[34:36] = struct.pack("!H", sport)       # the NAT's port
        raw[40:42] = b"\0\0"                        # UDP checksum 0 (RFC 3948 2.1)
        frames.append(bytes(raw))
        expected.append(E.lan_out_expected(inner))

    esp()
    for _ in range(3):
        frames.append(udp(c, 4500, 4500, b"\xff"))          # NAT keepalive
        esp()
    frames.append(udp(c, 4500, 4500, b"\0\0\0\0" + IKE_HDR))  # IKE, non-ESP marker
    esp(31000)
    frames.append(udp(c, 500, 500, IKE_HDR))                 # IKE on 500
    esp(31000)
    frames.append(udp(c, 4500, 4500, b"\x01\x02"))          # neither
    esp()
    with P.Node("esp-natt", lambda nd: E.node_conf(nd, [c], pub_rx="pub_in")) as node:
        node.write_pcap("pub_in", frames)
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["rx_packets"] >= len(frames)
                           and j["controller"]["punts_ike"] >= 2, timeout=20,
                           what="all frames in, 2 IKE punts at the controller")
        P.eq("drops", {"nat-keepalive": 3, "local-protocol": 1}, node.drops())
        P.eq("IKE datagrams punted by the data plane", 2, j["dataplane"]["punt_packets"])
        P.eq("IKE punts at the controller (no IKE module: unhandled)", (2, 2),
             (j["controller"]["punts_ike"], j["controller"]["punts_unhandled"]))
        P.eq("ESP-in-UDP decapsulated", n_esp, j["dataplane"]["decap_packets"])
        p = E.sa_json(node)[c.peer]
        P.eq("SA counters", (n_esp, 0), (p["pkts_decaps"], p["recv_errors"]))
        P.eq("port shown for a UDP-encapsulated SA", 4500, p["port"])
        node.stop()
        out = [f for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        P.eq("frames on the LAN", len(expected), len(out))
        for k, (want, got) in enumerate(zip(expected, out)):
            P.bytes_eq("ESP-in-UDP packet %d" % k, want, got)


if __name__ == "__main__":
    P.run_tests(globals())
