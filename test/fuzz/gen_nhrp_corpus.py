#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the NHRP fuzz seeds: the NHRP bytes of every frame of the tcpdump
NHRP captures (duplicates dropped), and, with --gen, one packet of each type
made by our builder (nhrp_tshark_gen).  No scapy needed: pcap and pcapng are
read by hand.

  test/fuzz/gen_nhrp_corpus.py [--testdata ../shared/testdata]
                               [--gen build/test/unit/nhrp/nhrp_tshark_gen]
                               [--out test/fuzz/corpus/nhrp]
"""
import argparse
import hashlib
import os
import struct
import subprocess
import sys
import tempfile

CAPTURES = ['ios_nhrp.pcap', 'NHRP_registration.pcap', 'NHRP-responder-address.pcap',
            'nhrp-trace.pcap', 'nhrp.pcapng', 'pb_nhrp_1.pcap']


def pcap_frames(data):
    magic = data[:4]
    if magic == b'\x0a\x0d\x0d\x0a':
        yield from pcapng_frames(data)
        return
    end = {b'\xd4\xc3\xb2\xa1': '<', b'\xa1\xb2\xc3\xd4': '>',
           b'\x4d\x3c\xb2\xa1': '<', b'\xa1\xb2\x3c\x4d': '>'}[magic]
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(end + 'I', data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + incl]
        off += 16 + incl


def pcapng_frames(data):
    off, end = 0, '<'
    while off + 12 <= len(data):
        btype = struct.unpack(end + 'I', data[off:off + 4])[0]
        if btype == 0x0a0d0d0a:
            end = '<' if data[off + 8:off + 12] == b'\x4d\x3c\x2b\x1a' else '>'
        blen = struct.unpack(end + 'I', data[off + 4:off + 8])[0]
        if btype == 6:      # Enhanced Packet Block
            caplen = struct.unpack(end + 'I', data[off + 20:off + 24])[0]
            yield data[off + 28:off + 28 + caplen]
        elif btype == 3:    # Simple Packet Block
            yield data[off + 12:off + blen - 4]
        off += blen


def nhrp_payload(frame):
    """Ethernet [802.1Q] / IPv4 / (GRE 0x2001 | IP proto 54) -> NHRP bytes."""
    off = 12
    etype = struct.unpack('>H', frame[off:off + 2])[0]
    off += 2
    if etype == 0x8100:
        etype = struct.unpack('>H', frame[off + 2:off + 4])[0]
        off += 4
    if etype != 0x0800:
        return None
    ihl = (frame[off] & 0x0f) * 4
    total = struct.unpack('>H', frame[off + 2:off + 4])[0]
    proto = frame[off + 9]
    ip_end = min(len(frame), off + total)
    off += ihl
    if proto == 54:
        return frame[off:ip_end]
    if proto != 47:
        return None
    flags, gproto = struct.unpack('>HH', frame[off:off + 4])
    off += 4 + (4 if flags & 0x8000 else 0) + (4 if flags & 0x2000 else 0) + \
        (4 if flags & 0x1000 else 0)
    return frame[off:ip_end] if gproto == 0x2001 else None


def main():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    ap = argparse.ArgumentParser()
    ap.add_argument('--testdata', default=os.path.join(root, '..', 'shared', 'testdata'))
    ap.add_argument('--gen', help='nhrp_tshark_gen binary: add builder-made seeds')
    ap.add_argument('--out', default=os.path.join(root, 'test', 'fuzz', 'corpus', 'nhrp'))
    args = ap.parse_args()

    os.makedirs(args.out, exist_ok=True)
    seen = set()
    for cap in CAPTURES:
        with open(os.path.join(args.testdata, 'tcpdump', cap), 'rb') as f:
            frames = list(pcap_frames(f.read()))
        stem = os.path.splitext(cap)[0]
        for i, frame in enumerate(frames, 1):
            nhrp = nhrp_payload(frame)
            digest = hashlib.sha1(nhrp or b'').digest()
            if nhrp is None or digest in seen:
                continue
            seen.add(digest)
            with open(os.path.join(args.out, '%s-%d.bin' % (stem, i)), 'wb') as f:
                f.write(nhrp)
    if args.gen:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([args.gen, os.path.join(tmp, 'gen.pcap'), args.out], check=True)
    print('%d seeds in %s' % (len(os.listdir(args.out)), args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
