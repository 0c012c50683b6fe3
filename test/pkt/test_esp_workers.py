#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Two workers encrypting with one outbound SA: the sequence numbers on the
wire stay unique and dense (one atomic counter per SA shared by every lcore,
docs/ipsec.md "Sequence numbers and workers").

The LAN port is net_pcap with two rx files = two rx queues, queue q polled
by worker q (dataplane/port.c), both sending to the same peer; three lcores
on this two-CPU machine through dataplane.lcores "0@0,1@0,2@1" (worker 0
shares CPU 0 with the main lcore, worker 1 runs on CPU 1: the two workers
draw numbers truly at the same time)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esputil as E  # noqa: E402
import pktlib as P  # noqa: E402

N = 20000       # packets per worker


def test_two_workers_one_sa():
    c = E.Combo(0, "gcm-128", "transport")
    frames = {}
    tpl = bytes(P.lan_frame(c.lan_host, 0, size=100))
    for q in range(2):
        frames[q] = P.tagged_copies(tpl, q * N, N)

    def conf(nd):
        lan_dev = "net_pcap1,rx_pcap=%s,rx_pcap=%s" % (nd.pcap("lan_a"), nd.pcap("lan_b"))
        return E.node_conf(nd, [c], lan_dev=lan_dev,
                           workers={"workers": 2, "lcores": "0@0,1@0,2@1", "mbufs": 16383})
    with P.Node("esp-workers", conf) as node:
        P.write_pcap_raw(node.pcap("lan_a"), frames[0])
        P.write_pcap_raw(node.pcap("lan_b"), frames[1])
        node.start()
        j = node.wait_json("show dataplane", lambda j: j["dataplane"]["rx_packets"] >= 2 * N
                           and j["dataplane"]["tx_packets"] >= 2 * N, timeout=60,
                           what="%d packets through" % (2 * N))["dataplane"]
        per = {lc["name"]: lc["encap_packets"] for lc in j["lcores"]}
        P.eq("encapsulated by worker0, worker1", (N, N), (per["worker0"], per["worker1"]))
        P.eq("drops", {}, node.drops())
        p = E.sa_json(node)[c.peer]
        P.eq("SA packets (summed over the workers)", 2 * N, p["pkts_encaps"])
        node.stop()
        out = E.esp_frames(P.read_pcap(node.pcap("pub_out")), dst=c.peer)
        seqs = [E.esp_spi_seq(E.ip_of(f))[1] for f in out]
        P.eq("ESP frames", 2 * N, len(seqs))
        P.eq("duplicate sequence numbers", 0, len(seqs) - len(set(seqs)))
        P.eq("sequence numbers 1..%d, none missing" % (2 * N), list(range(1, 2 * N + 1)),
             sorted(seqs))
        # which worker sent each number: the tag of the decrypted payload
        # (worker q sent tags q*N .. q*N + N - 1)
        by_seq = sorted((seq, gcm_tag(c, E.ip_of(f))) for seq, f in zip(seqs, out))
        owners = [tag // N for _, tag in by_seq]
        P.eq("every packet decrypts to its tag", sorted(range(2 * N)),
             sorted(tag for _, tag in by_seq))
        runs = 1 + sum(1 for a, b in zip(owners, owners[1:]) if a != b)
        P.log("sequence space: %d runs of one worker's packets" % runs)
        P.check("both workers drew numbers at the same time (the counter was shared "
                "while they ran concurrently): %d runs" % runs, runs > 2)


def gcm_tag(c, ip):
    """Decrypt one of our AES-GCM transport packets (RFC 4106) and return
    the tag() number in it: fast enough for every packet."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    esp = ip[20:]
    nonce = c.key_out[-4:] + esp[8:16]
    pt = AESGCM(c.key_out[:-4]).decrypt(nonce, esp[16:], esp[:8])
    return P.tag_of(pt)

if __name__ == "__main__":
    P.run_tests(globals())
