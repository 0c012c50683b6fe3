#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Wireshark as an independent ESP implementation: packets our engine
encrypted (through esp_tool) must decrypt in tshark with esp.icv_good == 1
and show the expected payload (GRE key 42 in transport mode, the inner
IPv4 packet in tunnel mode).  One SA per case, all in one esp_sa UAT
(reference/test-harness.md 2.1).  Without ESN: tshark has no ESN input.

  tshark_check.py ESP_TOOL
"""
import os
import shutil
import subprocess
import sys
import tempfile

from scapy.all import GRE, ICMP, IP, Ether, Raw, wrpcap

TOOL = sys.argv[1]
LOCAL, REMOTE = '192.0.2.1', '192.0.2.2'
GCM16 = 'AES-GCM with 16 octet ICV [RFC4106]'
CBC = 'AES-CBC [RFC3602]'
SHA1 = 'HMAC-SHA-1-96 [RFC2404]'
SHA256 = 'HMAC-SHA-256-128 [RFC4868]'

# spi, esp_tool cipher, key (GCM: key || salt), integ, auth key, mode, udp,
# UAT encryption, UAT authentication
CASES = [
    (0x2001, 'gcm', '00112233445566778899aabbccddeeff01020304', 'none', '', 'transport', False, GCM16, 'NULL'),
    (0x2002, 'gcm', '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0a0b0c0d',
     'none', '', 'tunnel', False, GCM16, 'NULL'),
    (0x2003, 'gcm', 'ffeeddccbbaa99887766554433221100cafebabe', 'none', '', 'transport', True, GCM16, 'NULL'),
    (0x2004, 'cbc', '0f0e0d0c0b0a09080706050403020100', 'sha1', '0123456789abcdef0123456789abcdef01234567',
     'transport', False, CBC, SHA1),
    (0x2005, 'cbc', '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'sha256',
     '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'tunnel', False, CBC, SHA256),
    (0x2006, 'cbc', '0f0e0d0c0b0a09080706050403020100', 'sha256',
     'ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100', 'transport', True, CBC, SHA256),
]
N = 4


def clear(i):
    inner = IP(src='10.0.0.1', dst='10.0.0.2') / ICMP(id=1, seq=i) / Raw(b'dmvpn-esp-' + bytes([65 + i]) * (i * 40))
    return IP(src=LOCAL, dst=REMOTE, proto=47, flags='DF') / GRE(key_present=1, key=42, proto=0x0800) / inner


def encrypt(case):
    spi, cipher, key, integ, akey, mode, udp = case[:7]
    args = [TOOL, 'encrypt', '--cipher', cipher, '--key', key, '--integ', integ, '--spi', hex(spi),
            '--mode', mode, '--local', LOCAL, '--remote', REMOTE]
    if akey:
        args += ['--auth-key', akey]
    if udp:
        args += ['--udp', '4500:4500']
    pkts = ''.join(bytes(clear(i)).hex() + '\n' for i in range(N))
    out = subprocess.run(args, input=pkts, capture_output=True, text=True, check=True).stdout.split()
    assert all(not line.startswith('ERR') for line in out), out
    return [bytes.fromhex(line) for line in out]


def uat_line(case):
    spi, key, enc, auth, akey = case[0], case[2], case[7], case[8], case[4]
    return '"IPv4","%s","%s","0x%08x","%s","0x%s","%s","%s"' % (
        LOCAL, REMOTE, spi, enc, key, auth, '0x' + akey if akey else '')


def main():
    if not shutil.which('tshark'):
        print('tshark not installed')
        return 77
    tmp = tempfile.mkdtemp(prefix='esp-tshark-')
    try:
        frames = []
        for case in CASES:
            frames += [Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02') / IP(raw) for raw in encrypt(case)]
        pcap = os.path.join(tmp, 'esp.pcap')
        wrpcap(pcap, frames)
        os.makedirs(os.path.join(tmp, 'cfg'))
        with open(os.path.join(tmp, 'cfg', 'esp_sa'), 'w') as f:
            f.write(''.join(uat_line(c) + '\n' for c in CASES))
        env = dict(os.environ, WIRESHARK_CONFIG_DIR=os.path.join(tmp, 'cfg'))
        r = subprocess.run(['tshark', '-r', pcap, '-o', 'esp.enable_encryption_decode:TRUE',
                            '-o', 'esp.enable_authentication_check:TRUE', '-T', 'fields', '-E', 'separator=,',
                            '-e', 'esp.spi', '-e', 'esp.sequence', '-e', 'esp.icv_good', '-e', 'esp.protocol',
                            '-e', 'gre.key', '-e', 'icmp.seq'],
                           capture_output=True, text=True, env=env, check=True)
        rows = [line.split(',') for line in r.stdout.split('\n') if line]
        bad = 0
        for n, row in enumerate(rows):
            case = CASES[n // N]
            spi, seq, good, proto, grekey, icmpseq = row
            want_proto = '0x04' if case[5] == 'tunnel' else '0x2f'
            ok = (int(spi, 16) == case[0] and int(seq) == n % N + 1 and good == '1' and
                  proto.lower() == want_proto and grekey.endswith('2a') and icmpseq == str(n % N))
            print(('ok   ' if ok else 'FAIL ') + ' '.join(row))
            bad += not ok
        bad += abs(len(rows) - len(CASES) * N)
        print(f'{len(rows)} frames, {bad} failures')
        return 1 if bad else 0
    finally:
        shutil.rmtree(tmp)


if __name__ == '__main__':
    sys.exit(main())
