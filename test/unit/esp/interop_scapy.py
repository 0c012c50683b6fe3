#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Interop of the ESP engine (through esp_tool) with scapy 2.5's
scapy.layers.ipsec.SecurityAssociation, both ways, for every algorithm,
transport mode over GRE, tunnel mode, UDP encapsulation (RFC 3948) of both,
with and without ESN.

  interop_scapy.py ESP_TOOL

scapy 2.5 leaves the ESN high half out of HMAC ICVs (SecurityAssociation
calls auth_algo.sign()/verify() without esn_en; only AEAD AAD gets it), which
RFC 4303 2.2.1 requires.  For HMAC + ESN this script therefore recomputes
(scapy -> us) or checks (us -> scapy) the ICV with Python's hmac over
ESP || seq_hi itself and lets scapy do the cipher part only.

scapy 2.5 also freezes the RFC 3948 UDP header's length at 8 (it builds the
IP/UDP header with raw() before the ESP payload is attached).  The engine
refuses such packets (UDP length 8: no ESP in them, as Linux would); this
script sets the UDP length to what it should be before handing them over.
"""
import hashlib
import hmac
import struct
import subprocess
import sys

try:
    import cryptography  # noqa: F401 - scapy's ipsec layer needs it
    from scapy.all import GRE, ICMP, IP, UDP, Raw
    from scapy.layers.ipsec import ESP, SecurityAssociation
except ImportError as e:
    print(f'skipped: {e} (scripts/setup.sh installs python3-scapy, python3-cryptography)')
    sys.exit(77)

TOOL = sys.argv[1]
SPI = 0x00001001
LOCAL, REMOTE = '192.0.2.1', '192.0.2.2'


def key(n, seed):
    return bytes((seed * 29 + i * 11 + 3) & 0xff for i in range(n))


SALT = bytes.fromhex('01020304')
# name, scapy cipher, cipher key (GCM: key || salt), scapy auth, auth key,
# esp_tool cipher, esp_tool integ, hash for the ESN ICV fix, ICV octets
ALGS = [
    ('aes-gcm-128', 'AES-GCM', key(16, 1) + SALT, None, b'', 'gcm', 'none', None, 16),
    ('aes-gcm-192', 'AES-GCM', key(24, 2) + SALT, None, b'', 'gcm', 'none', None, 16),
    ('aes-gcm-256', 'AES-GCM', key(32, 3) + SALT, None, b'', 'gcm', 'none', None, 16),
    ('aes-cbc-128/sha1', 'AES-CBC', key(16, 4), 'HMAC-SHA1-96', key(20, 5), 'cbc', 'sha1', hashlib.sha1, 12),
    ('aes-cbc-256/sha1', 'AES-CBC', key(32, 6), 'HMAC-SHA1-96', key(20, 7), 'cbc', 'sha1', hashlib.sha1, 12),
    ('aes-cbc-128/sha256', 'AES-CBC', key(16, 8), 'SHA2-256-128', key(32, 9), 'cbc', 'sha256', hashlib.sha256, 16),
    ('aes-cbc-256/sha256', 'AES-CBC', key(32, 10), 'SHA2-256-128', key(32, 11), 'cbc', 'sha256', hashlib.sha256, 16),
    ('null/sha256', 'NULL', b'', 'SHA2-256-128', key(32, 12), 'null', 'sha256', hashlib.sha256, 16),
    ('null/sha1', 'NULL', b'', 'HMAC-SHA1-96', key(20, 13), 'null', 'sha1', hashlib.sha1, 12),
    ('3des/sha1 (legacy)', '3DES', bytes.fromhex('0123456789abcdef23456789abcdef01456789abcdef0123'),
     'HMAC-SHA1-96', key(20, 14), '3des', 'sha1', hashlib.sha1, 12),
    ('des/md5 (legacy)', 'DES', bytes.fromhex('0123456789abcdef'), 'HMAC-MD5-96', key(16, 15),
     'des', 'md5', hashlib.md5, 12),
    ('aes-cbc-128/md5 (legacy)', 'AES-CBC', key(16, 16), 'HMAC-MD5-96', key(16, 17), 'cbc', 'md5', hashlib.md5, 12),
]
MODES = [('transport', False, False), ('tunnel', True, False),
         ('udp-transport', False, True), ('udp-tunnel', True, True)]
SIZES = [0, 1, 13, 100, 1400]
ESN_HI = 1


def clear_packets():
    out = []
    for i, n in enumerate(SIZES):
        payload = bytes((j * 7 + i) & 0xff for j in range(n))
        inner = IP(src='10.0.0.1', dst='10.0.0.2', id=i) / ICMP(id=7, seq=i) / Raw(payload)
        out.append(IP(src=LOCAL, dst=REMOTE, id=0x100 + i, ttl=200, flags='DF', proto=47) /
                   GRE(key_present=1, key=42, proto=0x0800) / inner)
    return [IP(bytes(p)) for p in out]


def scapy_sa(alg, tunnel, udp, esn):
    name, crypt, ckey, auth, akey = alg[:5]
    kw = dict(crypt_algo=crypt, crypt_key=ckey, auth_algo=auth, auth_key=akey or None)
    if tunnel:
        kw['tunnel_header'] = IP(src=LOCAL, dst=REMOTE)
    if udp:
        kw['nat_t_header'] = UDP(sport=4500, dport=4500)
    if esn:
        kw.update(esn_en=True, esn=ESN_HI)
    return SecurityAssociation(ESP, spi=SPI, **kw)


def tool(cmd, alg, tunnel, udp, esn, pkts):
    args = [TOOL, cmd, '--cipher', alg[5], '--key', alg[2].hex() or '', '--integ', alg[6],
            '--spi', str(SPI), '--mode', 'tunnel' if tunnel else 'transport',
            '--local', LOCAL, '--remote', REMOTE]
    if alg[4]:
        args += ['--auth-key', alg[4].hex()]
    if udp:
        args += ['--udp', '4500:4500']
    if esn:
        args += ['--esn', '--seq', str(ESN_HI << 32)]
    r = subprocess.run(args, input=''.join(bytes(p).hex() + '\n' for p in pkts),
                       capture_output=True, text=True, check=True)
    return r.stdout.split('\n')[:-1]


def esp_offset(raw):
    ihl = (raw[0] & 15) * 4
    return ihl + (8 if raw[9] == 17 else 0)


def fix_udp_len(raw):
    """scapy -> us, UDP encapsulation: UDP length = IP payload length."""
    ihl = (raw[0] & 15) * 4
    if raw[9] != 17:
        return raw
    return raw[:ihl + 4] + struct.pack('!H', len(raw) - ihl) + raw[ihl + 6:]


def fix_icv(raw, alg):
    """scapy -> us, HMAC + ESN: the ICV over ESP || seq_hi (RFC 4303 2.2.1)."""
    off, n = esp_offset(raw), alg[8]
    body = raw[off:len(raw) - n]
    icv = hmac.new(alg[4], body + struct.pack('!I', ESN_HI), alg[7]).digest()[:n]
    return raw[:len(raw) - n] + icv


def check_icv(raw, alg):
    off, n = esp_offset(raw), alg[8]
    body, icv = raw[off:len(raw) - n], raw[len(raw) - n:]
    want = hmac.new(alg[4], body + struct.pack('!I', ESN_HI), alg[7]).digest()[:n]
    return hmac.compare_digest(icv, want)


def scapy_to_us(alg, mode, esn, clear):
    _, tunnel, udp = mode
    sa = scapy_sa(alg, tunnel, udp, esn)
    enc = []
    for i, p in enumerate(clear):
        raw = fix_udp_len(bytes(sa.encrypt(p, seq_num=i + 1)))
        if esn and alg[7]:
            raw = fix_icv(raw, alg)
        enc.append(raw)
    out = tool('decrypt', alg, tunnel, udp, esn, enc)
    bad = 0
    for i, (line, p) in enumerate(zip(out, clear)):
        if line != bytes(p).hex():
            print(f'  FAIL scapy->us {alg[0]} {mode[0]} esn={esn} pkt {i}: {line[:60]}')
            bad += 1
    return bad + abs(len(out) - len(clear))


def us_to_scapy(alg, mode, esn, clear):
    _, tunnel, udp = mode
    sa = scapy_sa(alg, tunnel, udp, esn)
    out = tool('encrypt', alg, tunnel, udp, esn, clear)
    bad = 0
    for i, (line, p) in enumerate(zip(out, clear)):
        try:
            raw = bytes.fromhex(line)
            esp = raw[esp_offset(raw):]
            spi, seq = struct.unpack('!II', esp[:8])
            assert spi == SPI and seq == i + 1, f'spi {spi:#x} seq {seq}'
            if esn and alg[7]:
                assert check_icv(raw, alg), 'ESN ICV'
                dec = sa.decrypt(IP(raw), verify=False)
            else:
                dec = sa.decrypt(IP(raw))
            assert bytes(dec) == bytes(p), 'plaintext differs'
        except Exception as e:  # noqa: BLE001 - report and count
            print(f'  FAIL us->scapy {alg[0]} {mode[0]} esn={esn} pkt {i}: {e}')
            bad += 1
    return bad + abs(len(out) - len(clear))


def main():
    clear = clear_packets()
    fails = cases = 0
    for alg in ALGS:
        for mode in MODES:
            for esn in (False, True):
                f = scapy_to_us(alg, mode, esn, clear) + us_to_scapy(alg, mode, esn, clear)
                cases += 2
                fails += f
                print(f'{"ok  " if not f else "FAIL"} {alg[0]:26} {mode[0]:14} esn={int(esn)}')
    print(f'{cases} directions x {len(SIZES)} packets, {fails} failures')
    return 1 if fails else 0


if __name__ == '__main__':
    sys.exit(main())
