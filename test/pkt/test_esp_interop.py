#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""ESP through the real data plane against two independent implementations,
for every algorithm (AES-GCM-128/256, AES-CBC-128/256 with HMAC-SHA1-96 and
HMAC-SHA-256-128, NULL with HMAC-SHA-256-128, legacy DES/3DES with the
switch) x every mode (transport, tunnel, UDP-encapsulated transport and
tunnel, RFC 3948) x ESN off/on, one peer (one SA pair) per combination, all
in one node:

  (a) LAN packets we encapsulate and encrypt decrypt in scapy's
      SecurityAssociation to exactly the expected GRE packet, and (ESN off:
      tshark has no ESN input) in tshark's esp_sa UAT with esp.icv_good == 1,
      GRE key 999 and the inner addresses;
  (b) packets scapy encrypts as the peer come out on our LAN byte-exact.

Plus the ESN rollover: outbound and inbound sequence numbers crossing 2^32
(the high half in the ICV / AAD only, RFC 4303 2.2.1, Appendix A2)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esputil as E  # noqa: E402
import pktlib as P  # noqa: E402

SIZES = (64, 1000)


def matrix():
    combos, k = [], 0
    for alg in E.ALGS:
        for mode in E.MODES:
            for esn in (False, True):
                combos.append(E.Combo(k, alg, mode, esn))
                k += 1
    return combos


def check_outbound(node, combos, lan_frames):
    s = P.scapy()
    out = P.read_pcap(node.pcap("pub_out"))
    for c in combos:
        frames = E.esp_frames(out, dst=c.peer)
        P.eq("%r: ESP frames to %s" % (c, c.peer), len(lan_frames[c.k]), len(frames))
        for n, (f, lf) in enumerate(zip(frames, lan_frames[c.k])):
            ip = E.ip_of(f)
            seq = c.seq_out_start + n + 1
            P.eq("%r pkt %d: SPI, sequence" % (c, n), (c.spi_out, seq & 0xffffffff),
                 E.esp_spi_seq(ip))
            P.eq("%r pkt %d: outer protocol" % (c, n), 17 if c.udp else 50, ip[9])
            dec = c.decrypt_ours(ip, seq >> 32)
            inner = E.expected_inner(lf)
            if c.tunnel:   # the whole GRE packet, its outer header as we built it
                P.eq("%r pkt %d: tunnel outer" % (c, n), (P.SPOKE_PUB, c.peer, 47),
                     (dec.src, dec.dst, dec.proto))
                P.bytes_eq("%r pkt %d: GRE + inner" % (c, n), P.gre_header() + inner,
                           bytes(dec)[20:])
            else:
                P.eq("%r pkt %d: transport header" % (c, n), (P.SPOKE_PUB, c.peer, 47),
                     (dec.src, dec.dst, dec.proto))
                P.bytes_eq("%r pkt %d: GRE + inner" % (c, n), P.gre_header() + inner,
                           bytes(dec[s.IP].payload))
    return out


def check_tshark(node, combos):
    rows = E.tshark_esp(node.pcap("pub_out"), combos, [
        "esp.spi", "esp.sequence", "esp.icv_good", "esp.protocol", "gre.key", "ip.src",
        "ip.dst", "udp.dstport"])
    by_spi = {}
    for r in rows:
        by_spi.setdefault(int(r["esp.spi"], 16), []).append(r)
    checked = 0
    for c in combos:
        if c.esn:
            continue
        got = by_spi.get(c.spi_out, [])
        P.eq("%r: tshark ESP rows" % c, len(SIZES), len(got))
        for r in got:
            # tshark 4.0.17 leaves some 3DES ICVs unchecked (neither good nor
            # bad) though they verify: a scapy packet with the same IV and
            # plaintext, byte-identical to ours, shows the same; scapy
            # verified all of ours above
            P.check("%r: tshark ICV not bad" % c, r["esp.icv_good"] == "1" or
                    (c.alg == "3des-sha1" and r["esp.icv_good"] == ""))
            if r["esp.icv_good"] == "1":
                P.eq("%r: tshark next header" % c, "0x04" if c.tunnel else "0x2f",
                     r["esp.protocol"])
            P.eq("%r: tshark GRE key" % c, "0x000003e7", r["gre.key"])
            srcs = r["ip.src"].split(",")
            P.eq("%r: tshark addresses" % c, [P.SPOKE_PUB, P.LAN_HOST],
                 [srcs[0], srcs[-1]])
            P.eq("%r: tshark inner destination" % c, c.lan_host, r["ip.dst"].split(",")[-1])
            if c.udp:
                P.eq("%r: UDP 4500" % c, "4500", r["udp.dstport"].split(",")[0])
            checked += 1
    return checked


def test_all_algorithms_and_modes():
    combos = matrix()
    lan, lan_frames, pub, expected = [], {}, [], []
    i = 0
    for c in combos:
        lan_frames[c.k] = [E.lan_frame_to(c, i + n, size) for n, size in enumerate(SIZES)]
        lan += lan_frames[c.k]
        for n, size in enumerate(SIZES):
            inner = E.peer_inner(c, i + n, size)
            pub.append(c.peer_frame(c.gre_clear(inner), c.seq_in_start + n + 1))
            expected.append(E.lan_out_expected(inner))
        i += len(SIZES)
    n_out, n_in = len(lan), len(pub)
    with P.Node("esp-interop", lambda nd: E.node_conf(nd, combos, lan_rx="lan_in",
                                                      pub_rx="pub_in")) as node:
        node.write_pcap("lan_in", lan)
        node.write_pcap("pub_in", pub)
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["encap_packets"] >= n_out
                           and j["dataplane"]["decap_packets"] >= n_in, timeout=60,
                           what="%d encapsulated, %d decapsulated" % (n_out, n_in))["dataplane"]
        P.eq("drops", {}, node.drops())
        sas = E.sa_json(node)
        for c in combos:
            p = sas[c.peer]
            P.eq("%r: show crypto ipsec sa counters" % c,
                 (len(SIZES), len(SIZES), 0, 0, c.spi_out),
                 (p["pkts_encaps"], p["pkts_decaps"], p["send_errors"], p["recv_errors"],
                  p["current_outbound_spi"]))
            P.eq("%r: modes in show" % c, ("tunnel" if c.tunnel else "transport", c.udp, c.esn),
                 (p["inbound"][0]["mode"], p["inbound"][0]["udp_encap"], p["inbound"][0]["esn"]))
        node.stop()
        check_outbound(node, combos, lan_frames)
        checked = check_tshark(node, combos)
        P.log("tshark verified %d ESP packets of %d combos (ESN off)" % (checked, len(combos) // 2))
        lan_out = [f for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        P.eq("frames on the LAN", len(expected), len(lan_out))
        for k, (want, got) in enumerate(zip(expected, lan_out)):
            P.bytes_eq("LAN frame %d (%r)" % (k, combos[k // len(SIZES)]), want, got)
        P.eq("rx", n_out + n_in, j["rx_packets"])


def test_esn_rollover():
    """Sequence numbers crossing 2^32 both ways: the wire carries 0xffffffff,
    0, 1 and the high half goes into the ICV (HMAC) or the AAD (GCM)."""
    start = (1 << 32) - 2
    combos = [E.Combo(k, alg, mode, True, seq_out_start=start, seq_in_start=start)
              for k, (alg, mode) in enumerate([("gcm-128", "transport"),
                                               ("cbc-128-sha256", "tunnel"),
                                               ("cbc-256-sha1", "udp")])]
    n = 4
    lan, lan_frames, pub, expected = [], {}, [], []
    for c in combos:
        lan_frames[c.k] = [E.lan_frame_to(c, 10 * c.k + i) for i in range(n)]
        lan += lan_frames[c.k]
        for i in range(n):
            inner = E.peer_inner(c, 10 * c.k + i)
            pub.append(c.peer_frame(c.gre_clear(inner), start + 1 + i))
            expected.append(E.lan_out_expected(inner))
    with P.Node("esp-esn", lambda nd: E.node_conf(nd, combos, lan_rx="lan_in",
                                                  pub_rx="pub_in")) as node:
        node.write_pcap("lan_in", lan)
        node.write_pcap("pub_in", pub)
        node.start()
        node.wait_json("show dataplane", lambda j: j["dataplane"]["encap_packets"] >= len(lan)
                       and j["dataplane"]["decap_packets"] >= len(pub), timeout=30,
                       what="all packets through")
        P.eq("drops", {}, node.drops())
        node.stop()
        out = P.read_pcap(node.pcap("pub_out"))
        for c in combos:
            seqs = [E.esp_spi_seq(E.ip_of(f))[1] for f in E.esp_frames(out, dst=c.peer)]
            P.eq("%r: wire sequence numbers" % c, [0xffffffff, 0, 1, 2], seqs)
        check_outbound(node, combos, lan_frames)
        lan_out = [f for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        P.eq("frames on the LAN", len(expected), len(lan_out))
        for k, (want, got) in enumerate(zip(expected, lan_out)):
            P.bytes_eq("LAN frame %d" % k, want, got)


if __name__ == "__main__":
    P.run_tests(globals())
