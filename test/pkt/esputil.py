# SPDX-License-Identifier: BSD-3-Clause
"""ESP helpers of the packet tests (test_esp*.py), on top of pktlib.

One data plane node can hold many manually keyed SAs, each with its own
peer, transform set and profile: a "combo" is one peer with one algorithm,
mode and ESN setting, reached through a static NHRP map and a route to its
LAN.  What a test needs per combo:

  conf         the ipsec.transform_set / profile / sa entries, the map and route
  scapy_sa()   scapy SecurityAssociation for either direction (and ESN high half)
  uat()        the Wireshark esp_sa line for what we send (tshark has no ESN)
  peer_frame() an ESP frame the peer sends us (scapy), with scapy 2.5's
               UDP-length and HMAC+ESN gaps filled (see interop_scapy.py)

Addresses: peers 203.0.113.(10+k) behind the spoke's underlay gateway,
tunnel addresses 10.0.0.(10+k), LANs 10.(100+k).0.0/24 with host .10.
"""
import hashlib
import hmac
import os
import struct
import subprocess
import tempfile

import pktlib as P

# name, IOS transforms, scapy crypt, key octets (GCM: + 4 salt), scapy auth,
# auth key octets, Wireshark encryption, Wireshark authentication, hash, ICV
ALGS = {
    "gcm-128": ("esp-gcm 128", "AES-GCM", 20, None, 0,
                "AES-GCM with 16 octet ICV [RFC4106]", "NULL", None, 16),
    "gcm-256": ("esp-gcm 256", "AES-GCM", 36, None, 0,
                "AES-GCM with 16 octet ICV [RFC4106]", "NULL", None, 16),
    "cbc-128-sha1": ("esp-aes 128 esp-sha-hmac", "AES-CBC", 16, "HMAC-SHA1-96", 20,
                     "AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]", hashlib.sha1, 12),
    "cbc-256-sha1": ("esp-aes 256 esp-sha-hmac", "AES-CBC", 32, "HMAC-SHA1-96", 20,
                     "AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]", hashlib.sha1, 12),
    "cbc-128-sha256": ("esp-aes 128 esp-sha256-hmac", "AES-CBC", 16, "SHA2-256-128", 32,
                       "AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]", hashlib.sha256, 16),
    "cbc-256-sha256": ("esp-aes 256 esp-sha256-hmac", "AES-CBC", 32, "SHA2-256-128", 32,
                       "AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]", hashlib.sha256, 16),
    "null-sha256": ("esp-null esp-sha256-hmac", "NULL", 0, "SHA2-256-128", 32,
                    "NULL", "HMAC-SHA-256-128 [RFC4868]", hashlib.sha256, 16),
    "des-md5": ("esp-des esp-md5-hmac", "DES", 8, "HMAC-MD5-96", 16,
                "DES-CBC [RFC2405]", "HMAC-MD5-96 [RFC2403]", hashlib.md5, 12),
    "3des-sha1": ("esp-3des esp-sha-hmac", "3DES", 24, "HMAC-SHA1-96", 20,
                  "TripleDES-CBC [RFC2451]", "HMAC-SHA-1-96 [RFC2404]", hashlib.sha1, 12),
}
LEGACY = ("des-md5", "3des-sha1")
# mode name: (tunnel mode, UDP-encapsulated)
MODES = {"transport": (False, False), "tunnel": (True, False), "udp": (False, True),
         "udp-tunnel": (True, True)}
TUN_MTU = 1380          # room for the largest ESP framing (tunnel + UDP + CBC)


def key(n, seed):
    """Deterministic key material, distinct per seed."""
    return bytes((seed * 29 + i * 11 + 3) & 0xff for i in range(n))


class Combo:
    """One peer with its own SA pair: algorithm, mode, ESN."""

    def __init__(self, k, alg, mode="transport", esn=False, seq_out_start=0, seq_in_start=0,
                 replay=True, window=None, lifetime=None, extra_profile=None):
        self.k, self.alg, self.mode, self.esn = k, alg, mode, esn
        a = ALGS[alg]
        self.transforms, self.crypt, self.klen, self.auth, self.alen = a[:5]
        self.ws_enc, self.ws_auth, self.hash, self.icv = a[5:]
        self.tunnel, self.udp = MODES[mode]
        self.peer = "203.0.113.%d" % (10 + k)
        self.overlay = "10.0.0.%d" % (10 + k)
        self.lan_host = "10.%d.0.10" % (100 + k)
        self.spi_in, self.spi_out = 0x1000 + k, 0x2000 + k
        self.key_in, self.key_out = key(self.klen, 2 * k + 1), key(self.klen, 2 * k + 2)
        self.auth_in, self.auth_out = key(self.alen, 2 * k + 101), key(self.alen, 2 * k + 102)
        if alg == "3des-sha1":     # K1 != K2 != K3 (RFC 2451 2.3): the generator is periodic
            self.key_in = bytes.fromhex("0123456789abcdef23456789abcdef01456789abcdef0123")
            self.key_out = bytes.fromhex("89abcdef0123456745670123cdef89ab0123cdef456789ab")
        self.seq_out_start, self.seq_in_start = seq_out_start, seq_in_start
        self.replay, self.window, self.lifetime = replay, window, lifetime or {}
        self.extra_profile = extra_profile or {}

    def __repr__(self):
        return "%s/%s/esn=%d" % (self.alg, self.mode, self.esn)

    # -- config
    def tset(self):
        return {"name": "t%d" % self.k, "transforms": self.transforms,
                "mode": "tunnel" if self.tunnel else "transport"}

    def profile(self):
        p = {"name": "p%d" % self.k, "transform_set": "t%d" % self.k}
        if self.esn:
            p["esn"] = True
        if self.udp:
            p["udp_encap"] = True
        if not self.replay:
            p["replay"] = False
        if self.window:
            p["replay_window"] = self.window
        p.update(self.lifetime)
        p.update(self.extra_profile)
        return p

    def sa(self, spi_in=None, spi_out=None, key_in=None, key_out=None):
        s = {"peer": self.peer, "profile": "p%d" % self.k,
             "spi_in": spi_in or self.spi_in, "spi_out": spi_out or self.spi_out}
        if self.klen:
            s["cipher_key_in"] = (key_in or self.key_in).hex()
            s["cipher_key_out"] = (key_out or self.key_out).hex()
        if self.alen:
            s["auth_key_in"] = self.auth_in.hex()
            s["auth_key_out"] = self.auth_out.hex()
        if self.seq_out_start:
            s["seq_out_start"] = self.seq_out_start
        if self.seq_in_start:
            s["seq_in_start"] = self.seq_in_start
        return s

    # -- scapy, from the peer's point of view: its outbound is our inbound
    def scapy_sa(self, ours_out, hi=0, spi=None, ckey=None):
        from scapy.all import IP, UDP
        from scapy.layers.ipsec import ESP, SecurityAssociation
        if ours_out:
            src, dst, spi = P.SPOKE_PUB, self.peer, spi or self.spi_out
            ck, ak = ckey or self.key_out, self.auth_out
        else:
            src, dst, spi = self.peer, P.SPOKE_PUB, spi or self.spi_in
            ck, ak = ckey or self.key_in, self.auth_in
        kw = dict(crypt_algo=self.crypt, crypt_key=ck or None, auth_algo=self.auth or "NULL",
                  auth_key=ak or None)
        if self.tunnel:
            kw["tunnel_header"] = IP(src=src, dst=dst)
        if self.udp:
            kw["nat_t_header"] = UDP(sport=4500, dport=4500)
        if self.esn:
            kw.update(esn_en=True, esn=hi)
        return SecurityAssociation(ESP, spi=spi, **kw)

    def uat(self):
        """esp_sa UAT line for what we send to this peer."""
        auth = "0x" + self.auth_out.hex() if self.alen else ""
        enc = "0x" + self.key_out.hex() if self.klen else ""
        return '"IPv4","%s","%s","0x%08x","%s","%s","%s","%s"' % (
            P.SPOKE_PUB, self.peer, self.spi_out, self.ws_enc, enc, self.ws_auth, auth)

    # -- frames
    def gre_clear(self, inner, src=None, dst=None, key=P.KEY):
        """The GRE packet the peer protects: peer -> us, key 999."""
        s = P.scapy()
        return s.IP(bytes(s.IP(src=src or self.peer, dst=dst or P.SPOKE_PUB, ttl=255,
                               proto=47, id=77) / s.Raw(P.gre_header(key) + bytes(inner))))

    def peer_frame(self, clear_ip, seq, spi=None, ckey=None, tamper=None):
        """An ESP frame from this peer to our public port."""
        s = P.scapy()
        hi = seq >> 32
        sa = self.scapy_sa(False, hi, spi=spi, ckey=ckey)
        sa.seq_num = seq & 0xffffffff   # scapy 2.5 takes seq_num=0 as "not given"
        raw = fix_udp_len(bytes(sa.encrypt(clear_ip)))
        if self.esn and self.hash:
            raw = fix_icv(raw, self.auth_in, self.hash, self.icv, hi)
        if tamper:
            raw = tamper(raw)
        return bytes(s.Ether(src=P.GW_MAC, dst=P.pcap_mac(0), type=0x0800) / s.Raw(raw))

    def decrypt_ours(self, ip_raw, seq_hi=0):
        """Decrypt an IPv4 packet we sent to this peer with scapy; returns
        the decrypted IP packet (transport: outer + GRE + inner; tunnel: the
        inner GRE packet)."""
        s = P.scapy()
        sa = self.scapy_sa(True, seq_hi)
        verify = True
        if self.esn and self.hash:
            assert check_icv(ip_raw, self.auth_out, self.hash, self.icv, seq_hi), \
                "%r: ICV over ESP || seq_hi does not verify" % self
            verify = False
        pkt = s.IP(ip_raw)
        return sa.decrypt(pkt, verify=verify)


def esp_offset(raw):
    ihl = (raw[0] & 15) * 4
    return ihl + (8 if raw[9] == 17 else 0)


def esp_spi_seq(ip_raw):
    off = esp_offset(ip_raw)
    return struct.unpack("!II", ip_raw[off:off + 8])


def fix_udp_len(raw):
    """scapy 2.5 freezes the RFC 3948 UDP length at 8: set it right."""
    ihl = (raw[0] & 15) * 4
    if raw[9] != 17:
        return raw
    return raw[:ihl + 4] + struct.pack("!H", len(raw) - ihl) + raw[ihl + 6:]


def fix_icv(raw, akey, hfn, n, hi):
    """scapy 2.5 leaves seq_hi out of HMAC ICVs (RFC 4303 2.2.1): redo it."""
    off = esp_offset(raw)
    body = raw[off:len(raw) - n]
    icv = hmac.new(akey, body + struct.pack("!I", hi), hfn).digest()[:n]
    return raw[:len(raw) - n] + icv


def check_icv(raw, akey, hfn, n, hi):
    off = esp_offset(raw)
    body, icv = raw[off:len(raw) - n], raw[len(raw) - n:]
    want = hmac.new(akey, body + struct.pack("!I", hi), hfn).digest()[:n]
    return hmac.compare_digest(icv, want)


def ip_of(frame):
    """IPv4 packet (bytes) of an Ethernet frame."""
    return bytes(frame[14:])


def esp_frames(frames, dst=None):
    """Frames carrying ESP (IP proto 50, or UDP 4500 with a non-zero SPI)."""
    out = []
    for f in frames:
        if len(f) < 34 or f[12:14] != b"\x08\x00":
            continue
        ip = f[14:]
        if dst and ip[16:20] != bytes(int(x) for x in dst.split(".")):
            continue
        if ip[9] == 50 or (ip[9] == 17 and len(ip) > 32 and ip[22:24] == b"\x11\x94" and
                           ip[28:32] != b"\0\0\0\0"):
            out.append(f)
    return out


def node_conf(node, combos, legacy=None, workers=None, pub_rx=None, lan_rx=None, extra=None,
              pub_dev=None, lan_dev=None, switch_timeout_ms=None, drain_ms=None):
    """A spoke (spoke 1's addresses) with one SA per combo, no NHS (static
    maps only, so no NHRP registration traffic), protection on."""
    maps = [{"protocol": c.overlay, "nbma": c.peer} for c in combos]
    routes = [{"prefix": "10.%d.0.0/24" % (100 + c.k), "via": c.overlay} for c in combos]
    conf = P.spoke_conf(node, lan_rx=lan_rx, pub_rx=pub_rx, maps=maps, routes=routes,
                        pub_dev=pub_dev, lan_dev=lan_dev,
                        tunnel={"protection": "p%d" % combos[0].k, "mtu": TUN_MTU},
                        dataplane=workers)
    del conf["nhrp"]["nhs"]
    ip = {"transform_set": [c.tset() for c in combos],
          "profile": [c.profile() for c in combos],
          "sa": [c.sa() for c in combos]}
    if legacy or any(c.alg in LEGACY for c in combos):
        ip = {"legacy": True, **ip}
    if switch_timeout_ms is not None:
        ip["switch_timeout_ms"] = switch_timeout_ms
    if drain_ms is not None:
        ip["drain_ms"] = drain_ms
    conf["ipsec"] = ip
    if extra:
        extra(conf)
    return conf


def lan_frame_to(c, i, size=120):
    """A LAN packet from our LAN host to the combo's LAN host."""
    return P.lan_frame(c.lan_host, i, size=size)


def expected_inner(lan_frame):
    """The inner packet as the peer must get it: TTL - 1, checksum fixed."""
    s = P.scapy()
    ip = s.IP(bytes(lan_frame[s.IP]))
    ip.ttl -= 1
    del ip.chksum
    return bytes(ip)


def lan_out_expected(inner_ip):
    """A packet the peer sent, as it must leave on our LAN."""
    s = P.scapy()
    ip = s.IP(bytes(inner_ip))
    ip.ttl -= 1
    del ip.chksum
    return bytes(s.Ether(dst=P.HOST_MAC, src=P.pcap_mac(1), type=0x0800) / s.Raw(bytes(ip)))


def peer_inner(c, i, size=100, dst=P.LAN_HOST):
    """An inner packet from the combo's LAN host to ours."""
    s = P.scapy()
    return s.IP(bytes(s.IP(src=c.lan_host, dst=dst, ttl=64, id=300 + i) /
                      s.UDP(sport=7000 + i, dport=9) / s.Raw(P.tag(i, size - 28))))


def tshark_esp(pcap, combos, fields, display_filter="esp"):
    """tshark over our output with every non-ESN combo's SA in the esp_sa
    UAT (a file in a private WIRESHARK_CONFIG_DIR)."""
    with tempfile.TemporaryDirectory(prefix="dmvpn-ws.") as d:
        with open(os.path.join(d, "esp_sa"), "w") as f:
            for c in combos:
                if not c.esn:
                    f.write(c.uat() + "\n")
        env = dict(os.environ, WIRESHARK_CONFIG_DIR=d)
        argv = ["tshark", "-n", "-r", pcap, "-o", "esp.enable_encryption_decode:TRUE",
                "-o", "esp.enable_authentication_check:TRUE", "-T", "fields",
                "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,",
                "-Y", display_filter]
        for fl in fields:
            argv += ["-e", fl]
        r = subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)
        if r.returncode != 0:
            raise RuntimeError("tshark failed: %s" % r.stderr)
    rows = []
    for line in r.stdout.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(fields) - len(cols))
        rows.append(dict(zip(fields, cols)))
    return rows


def sa_json(node, peer=None):
    """show crypto ipsec sa --json: {peer: peer object}."""
    j = node.show("show crypto ipsec sa" + (" peer " + peer if peer else ""))
    return {p["peer"]: p for p in j["interfaces"][0]["peers"]}


def esp_build(c, seq, payload, next_header, bad_pad=False, padlen=None, src=None, dst=None,
              spi=None):
    """An ESP packet from the peer built by hand (not scapy), so that the
    trailer can be wrong under a valid ICV: payload (bytes after the ESP
    framing: GRE packet in transport mode, IP packet in tunnel mode),
    padding 1, 2, 3, ... to the block (bad_pad: at least one octet, the
    last one wrong), the pad length octet (`padlen`, default the padding's
    length), the next header.
    AES-GCM or AES-CBC + HMAC, transport or tunnel, no UDP, no ESN."""
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    s = P.scapy()
    gcm = c.crypt == "AES-GCM"
    blk = 4 if gcm else 16
    n = (-(len(payload) + 2)) % blk or (blk if bad_pad else 0)
    pad = bytes(range(1, n + 1))
    if bad_pad:
        pad = pad[:-1] + bytes([pad[-1] ^ 0x08])
    pt = payload + pad + bytes([len(pad) if padlen is None else padlen, next_header])
    spi = spi or c.spi_in
    hdr = struct.pack("!II", spi, seq)
    if gcm:
        k, salt = c.key_in[:-4], c.key_in[-4:]
        iv = os.urandom(8)
        esp = hdr + iv + AESGCM(k).encrypt(salt + iv, pt, hdr)
    else:
        iv = os.urandom(16)
        enc = Cipher(algorithms.AES(c.key_in), modes.CBC(iv)).encryptor()
        body = hdr + iv + enc.update(pt) + enc.finalize()
        esp = body + hmac.new(c.auth_in, body, c.hash).digest()[:c.icv]
    return bytes(s.IP(src=src or c.peer, dst=dst or P.SPOKE_PUB, proto=50, ttl=64) / s.Raw(esp))


def frame(ip_raw):
    """Ethernet frame from the underlay gateway to our public port."""
    s = P.scapy()
    return bytes(s.Ether(src=P.GW_MAC, dst=P.pcap_mac(0), type=0x0800) / s.Raw(bytes(ip_raw)))
