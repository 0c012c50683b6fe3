#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tampered and unwanted ESP through the real data plane: a flipped bit in
the outer header, SPI, sequence number, IV, ciphertext and ICV, truncation,
a wrong SPI, a replayed and a too old sequence number, bad padding and a
wrong next header under a valid ICV, cleartext GRE on a protected tunnel,
decrypted traffic that is not GRE between the SA's addresses, ESP-in-UDP on
a plain SA and the reverse.  Each is dropped with exactly its counter and
never forwarded; a good packet after each one still is; the data plane
survives it all (clean exit).  Also: the window moves only after the ICV
verified (a forged packet does not burn its sequence number)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esputil as E  # noqa: E402
import pktlib as P  # noqa: E402


def flip(off, bit=0):
    """Tamper function: flip one bit at `off` of the IP packet (negative:
    from the end)."""
    def t(raw):
        b = bytearray(raw)
        b[off] ^= 1 << bit
        return bytes(b)
    return t


def esp_off(c):
    return 20 + (8 if c.udp else 0)


def iv_len(c):
    return {"AES-GCM": 8, "AES-CBC": 16, "NULL": 0}[c.crypt]


def fix_len(raw):
    """IPv4 total length and checksum made right for the bytes there are."""
    s = P.scapy()
    ip = s.IP(raw)
    ip.len = len(raw)
    del ip.chksum
    return bytes(ip)


class Seq:
    """The tamper cases in order, with what each must do."""

    def __init__(self, combos):
        self.frames, self.expect, self.drops = [], [], {}
        self.seq = {c.k: 0 for c in combos}
        self.i = 0
        self.log = []

    def next_seq(self, c, step=1):
        self.seq[c.k] += step
        return self.seq[c.k]

    def inner(self, c):
        self.i += 1
        return E.peer_inner(c, self.i, 80 + self.i)

    def good(self, c, seq=None):
        inner = self.inner(c)
        self.frames.append(c.peer_frame(c.gre_clear(inner), seq or self.next_seq(c)))
        self.expect.append(E.lan_out_expected(inner))

    def bad(self, name, reason, frame):
        self.frames.append(frame)
        self.drops[reason] = self.drops.get(reason, 0) + 1
        self.log.append((name, reason))

    def tampered(self, name, reason, c, tamper, seq=None):
        inner = self.inner(c)
        self.bad(name, reason, c.peer_frame(c.gre_clear(inner), seq or self.next_seq(c),
                                            tamper=tamper))
        return inner


def build(c0, c1, c2, c3):
    q = Seq([c0, c1, c2, c3])
    for c in (c0, c1, c2, c3):
        q.good(c)
    # a flipped bit anywhere
    for c in (c0, c1, c2, c3):
        o, iv = esp_off(c), iv_len(c)
        q.tampered("%r: outer TTL bit" % c, "ip4-checksum", c, flip(8))
        q.good(c)
        q.tampered("%r: SPI bit" % c, "esp-bad-spi", c, flip(o + 2, 3))
        q.good(c)
        q.tampered("%r: sequence bit 31" % c, "esp-auth-failed", c, flip(o + 4, 7))
        q.good(c)
        if iv:
            q.tampered("%r: IV bit" % c, "esp-auth-failed", c, flip(o + 8 + iv - 1, 5))
            q.good(c)
        q.tampered("%r: ciphertext bit" % c, "esp-auth-failed", c, flip(o + 8 + iv + 3, 1))
        q.good(c)
        q.tampered("%r: ICV bit" % c, "esp-auth-failed", c, flip(-1, 6))
        q.good(c)
    # the UDP header (RFC 3948): not our port any more
    q.tampered("UDP destination port bit", "local-protocol", c2, flip(22, 0))
    q.good(c2)
    # truncation
    q.tampered("frame shorter than its IPv4 length", "ip4-truncated", c0, lambda r: r[:-10])
    q.good(c0)
    q.tampered("CBC: last 4 octets cut (length fixed)", "esp-bad-length", c1,
               lambda r: fix_len(r[:-4]))
    q.good(c1)
    q.tampered("GCM: last 4 octets cut (length fixed)", "esp-auth-failed", c0,
               lambda r: fix_len(r[:-4]))
    q.good(c0)
    q.tampered("ESP header only", "esp-truncated", c0, lambda r: fix_len(r[:20 + 12]))
    q.good(c0)
    # wrong SPI
    inner = q.inner(c0)
    q.bad("unknown SPI 0x7777", "esp-bad-spi",
          c0.peer_frame(c0.gre_clear(inner), q.next_seq(c0), spi=0x7777))
    q.good(c0)
    # replay, then too old
    inner = q.inner(c0)
    f = c0.peer_frame(c0.gre_clear(inner), q.next_seq(c0))
    q.frames.append(f)
    q.expect.append(E.lan_out_expected(inner))
    q.bad("replayed packet", "esp-replay", f)
    q.good(c0, seq=q.next_seq(c0, 3000))
    inner = q.inner(c0)
    q.bad("2000 behind (window 1024)", "esp-too-old",
          c0.peer_frame(c0.gre_clear(inner), q.seq[c0.k] - 2000))
    q.good(c0)
    # the window moves only after the ICV verified: a forged copy first,
    # then the genuine packet with the same number goes through
    s = q.next_seq(c0)
    q.tampered("forged, sequence number of the next good one", "esp-auth-failed", c0,
               flip(-3, 2), seq=s)
    q.good(c0, seq=s)
    # padding and next header under a valid ICV (built by hand)
    for c, payload, nh in ((c0, lambda inner: P.gre_header() + bytes(inner), 47),
                           (c1, lambda inner: bytes(c1.gre_clear(inner)), 4)):
        for name, bad_pad, padlen in (("padding octet wrong", True, None),
                                      ("pad length beyond the payload", False, 250)):
            inner = q.inner(c)
            raw = E.esp_build(c, q.next_seq(c), payload(inner), nh, bad_pad=bad_pad,
                              padlen=padlen)
            q.bad("%r: %s" % (c, name), "esp-bad-padding", E.frame(raw))
            q.good(c)
        inner = q.inner(c)
        q.bad("%r: next header 6" % c, "esp-bad-next-header",
              E.frame(E.esp_build(c, q.next_seq(c), payload(inner), 6)))
        q.good(c)
    # policy: decrypted, but not GRE between the SA's two addresses
    s = P.scapy()
    inner = q.inner(c0)
    q.bad("transport, outer source not the SA's peer", "esp-policy",
          c0.peer_frame(c0.gre_clear(inner, src="203.0.113.99"), q.next_seq(c0)))
    q.good(c0)
    icmp = s.IP(bytes(s.IP(src=c1.peer, dst=P.SPOKE_PUB) / s.ICMP(id=1, seq=1) / (b"x" * 20)))
    q.bad("tunnel, inner ICMP instead of GRE", "esp-policy",
          c1.peer_frame(icmp, q.next_seq(c1)))
    q.good(c1)
    inner = q.inner(c1)
    q.bad("tunnel, inner GRE to another address", "esp-policy",
          c1.peer_frame(c1.gre_clear(inner, dst="198.51.100.77"), q.next_seq(c1)))
    q.good(c1)
    # cleartext GRE where protection is configured
    inner = q.inner(c0)
    q.bad("cleartext GRE", "esp-required", P.gre_frame(inner, src=c0.peer))
    q.good(c0)
    # encapsulation mismatch (RFC 3948): ESP-in-UDP to a plain SA and back
    udp_c0 = E.Combo(c0.k, c0.alg, "udp")
    inner = q.inner(c0)
    q.bad("ESP-in-UDP on a plain SA", "esp-encap-mismatch",
          udp_c0.peer_frame(udp_c0.gre_clear(inner), q.next_seq(c0)))
    q.good(c0)
    plain_c2 = E.Combo(c2.k, c2.alg, "transport")
    inner = q.inner(c2)
    q.bad("plain ESP on a UDP SA", "esp-encap-mismatch",
          plain_c2.peer_frame(plain_c2.gre_clear(inner), q.next_seq(c2)))
    q.good(c2)
    return q


def test_tamper():
    c0 = E.Combo(0, "gcm-256", "transport")
    c1 = E.Combo(1, "cbc-256-sha256", "tunnel")
    c2 = E.Combo(2, "cbc-128-sha1", "udp")
    c3 = E.Combo(3, "null-sha256", "transport")
    combos = [c0, c1, c2, c3]
    q = build(*combos)
    P.log("%d frames: %d good, %d bad (%s)" % (len(q.frames), len(q.expect),
                                             len(q.frames) - len(q.expect), q.drops))
    with P.Node("esp-tamper", lambda nd: E.node_conf(nd, combos, pub_rx="pub_in")) as node:
        node.write_pcap("pub_in", q.frames)
        node.start()
        node.wait_json("show dataplane", lambda j: j["dataplane"]["rx_packets"] >= len(q.frames)
                       and j["dataplane"]["tx_packets"] >= len(q.expect), timeout=30,
                       what="all %d frames in" % len(q.frames))
        P.eq("drops, one counter per tamper case", q.drops, node.drops())
        sas = E.sa_json(node)
        auth = {c.k: 0 for c in combos}
        replay = {c.k: 0 for c in combos}
        for name, reason in q.log:
            for c in combos:
                if name.startswith("%r:" % c) and reason == "esp-auth-failed":
                    auth[c.k] += 1
        auth[c0.k] += 2     # truncated GCM, forged copy
        replay[c0.k] = 2    # replayed, too old
        for c in combos:
            P.eq("%r: verify failed, replay failed" % c, (auth[c.k], replay[c.k]),
                 (sas[c.peer]["verify_failed"], sas[c.peer]["replay_failed"]))
        P.check("data plane alive", node.dp.alive())
        node.stop()
        out = [f for f in P.read_pcap(node.pcap("lan_out")) if not P.is_arp(f)]
        P.eq("frames forwarded to the LAN (the good ones only)", len(q.expect), len(out))
        for k, (want, got) in enumerate(zip(q.expect, out)):
            P.bytes_eq("good packet %d" % k, want, got)
        pub = E.esp_frames(P.read_pcap(node.pcap("pub_out")))
        P.eq("nothing sent back into the tunnel", [], pub)


if __name__ == "__main__":
    P.run_tests(globals())
