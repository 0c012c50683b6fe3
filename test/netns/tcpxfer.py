#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Byte-for-byte TCP transfer check (iperf3 -n reports what the receiver had
read when the sender finished writing, not what finally arrived).

  tcpxfer.py serve PORT            one connection: read to EOF, answer
                                   "<bytes> <sha256>\\n", exit
  tcpxfer.py send HOST PORT BYTES  send BYTES of a fixed pseudo-random
                                   stream, half-close, print the server's
                                   answer and "<bytes> <sha256>" of what was
                                   sent; exit 0 only if they are equal
"""
import hashlib
import random
import socket
import sys
import time


def serve(port):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(1)
    print("listening", flush=True)
    s, _ = ls.accept()
    h, n = hashlib.sha256(), 0
    while True:
        b = s.recv(65536)
        if not b:
            break
        h.update(b)
        n += len(b)
    s.sendall(f"{n} {h.hexdigest()}\n".encode())
    s.close()
    print(f"received {n} {h.hexdigest()}", flush=True)


def send(host, port, total):
    rnd = random.Random(2332)       # RFC 2332, any fixed seed does
    block = bytes(rnd.getrandbits(8) for _ in range(65536))
    s = socket.create_connection((host, port), timeout=60)
    h, n, t0 = hashlib.sha256(), 0, time.monotonic()
    while n < total:
        b = block[: min(len(block), total - n)]
        s.sendall(b)
        h.update(b)
        n += len(b)
    s.shutdown(socket.SHUT_WR)
    answer = s.makefile().readline().strip()
    secs = time.monotonic() - t0
    mine = f"{n} {h.hexdigest()}"
    print(f"server {answer}")
    print(f"sent {mine}")
    print(f"seconds {secs:.3f} mbps {n * 8 / secs / 1e6:.1f}")
    return 0 if answer == mine else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    elif len(sys.argv) == 5 and sys.argv[1] == "send":
        sys.exit(send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])))
    else:
        sys.exit(__doc__)
