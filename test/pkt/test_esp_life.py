#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""SA lifetimes and sequence number exhaustion through the real data plane.

(a) packet and byte lifetimes (the data plane counts and checks them): with
    traffic replayed forever both ways, the soft then the hard event reach
    the controller (logged, shown as events and status in `show crypto
    ipsec sa`), and the SA then refuses packets (esp-sa-expired) and its
    counters stop;
(b) a lifetime in seconds (the controller's): soft then hard, logged, and
    the SA withdrawn; the peer's traffic is never sent in clear;
(c) without ESN the outbound sequence number stops at 2^32 - 1: later
    packets are dropped (esp-seq-overflow) and the controller hears of it
    before (seq-high); with ESN the same start just carries on."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import esputil as E  # noqa: E402
import pktlib as P  # noqa: E402


def ctl_log(node):
    return open(node.path("controller.log"), errors="replace").read()


def test_packet_and_byte_lifetimes():
    a = E.Combo(0, "gcm-128", "transport", replay=False,
                lifetime={"lifetime_packets": 100000, "soft_percent": 50})
    b = E.Combo(1, "cbc-128-sha256", "transport", replay=False,
                lifetime={"lifetime_kilobytes": 20000, "soft_percent": 50})
    lan = [E.lan_frame_to(c, i, size=500) for i in range(8) for c in (a, b)]
    pub = []
    for c in (a, b):
        for i in range(8):
            pub.append(c.peer_frame(c.gre_clear(E.peer_inner(c, i, 500)), i + 1))

    def conf(nd):
        return E.node_conf(nd, [a, b],
                           lan_dev="net_pcap1,rx_pcap=%s,infinite_rx=1" % nd.pcap("lan"),
                           pub_dev="net_pcap0,rx_pcap=%s,infinite_rx=1" % nd.pcap("pub"))
    with P.Node("esp-life", conf) as node:
        P.write_pcap_raw(node.pcap("lan"), [bytes(f) for f in lan])
        P.write_pcap_raw(node.pcap("pub"), pub)
        node.start()

        def expired(j):
            sas = [s for p in j["interfaces"][0]["peers"] for s in p["inbound"] + p["outbound"]]
            return len(sas) == 4 and all(s["status"] == "expired" for s in sas)
        j = node.wait_json("show crypto ipsec sa", expired, timeout=60,
                           what="all four SAs expired")
        for p in j["interfaces"][0]["peers"]:
            for s in p["inbound"] + p["outbound"]:
                P.eq("%s 0x%x: events" % (p["peer"], s["spi"]), ["soft", "hard"], s["events"])
        first = {s["spi"]: s["packets"] for p in j["interfaces"][0]["peers"]
                 for s in p["inbound"] + p["outbound"]}
        P.check("packet lifetime: SA a counted at least its 100000 packets",
                all(first[c] >= 100000 for c in (a.spi_in, a.spi_out)))
        drops0 = node.drops().get("esp-sa-expired", 0)
        node.wait_json("show dataplane drops", lambda j: sum(
            d["packets"] for d in j["drops"] if d["name"] == "esp-sa-expired") > drops0 + 10000,
            timeout=20, what="esp-sa-expired growing")
        j = node.show("show crypto ipsec sa")
        now = {s["spi"]: s["packets"] for p in j["interfaces"][0]["peers"]
               for s in p["inbound"] + p["outbound"]}
        P.eq("SA packet counters stopped at the hard lifetime", first, now)
        log = ctl_log(node)
        for c in (a, b):
            for d, spi in (("in", c.spi_in), ("out", c.spi_out)):
                for what in ("soft", "hard"):
                    P.check("controller log: %s %s 0x%x %s lifetime" % (c.peer, d, spi, what),
                            "peer %s %s spi 0x%08x: %s lifetime reached" % (c.peer, d, spi, what)
                            in log)
        P.check("events reached the controller", node.show("show dataplane")["controller"]
                ["punts_events"] >= 4)
        node.stop()


def test_lifetime_seconds():
    c = E.Combo(0, "gcm-256", "transport", lifetime={"lifetime_seconds": 2})
    with P.Node("esp-secs", lambda nd: E.node_conf(nd, [c])) as node:
        node.start()
        t0 = time.monotonic()
        P.eq("published", 2, node.dataplane()["sa_published"])
        node.wait_json("show dataplane", lambda j: j["dataplane"]["sa_published"] == 0,
                       timeout=10, what="SAs withdrawn after 2 s")
        P.check("not before the lifetime", time.monotonic() - t0 >= 1.0)
        log = ctl_log(node)
        for d, spi in (("in", c.spi_in), ("out", c.spi_out)):
            P.check("soft (%s)" % d, "peer %s %s spi 0x%08x: soft lifetime reached (1 s)" %
                    (c.peer, d, spi) in log)
            P.check("hard (%s)" % d, "peer %s %s spi 0x%08x: hard lifetime reached (2 s): "
                    "SA withdrawn" % (c.peer, d, spi) in log)
        P.eq("no SA left in show", {}, E.sa_json(node))
        node.stop()
        pub = [f for f in P.read_pcap(node.pcap("pub_out")) if P.is_gre(f)]
        P.eq("nothing in clear", [], pub)


def test_seq_overflow():
    start = (1 << 32) - 1000
    plain = E.Combo(0, "gcm-128", "transport", seq_out_start=start)
    esn = E.Combo(1, "gcm-128", "transport", esn=True, seq_out_start=start)
    n = 2000
    lan = [E.lan_frame_to(c, i) for i in range(n) for c in (plain, esn)]
    with P.Node("esp-seq", lambda nd: E.node_conf(nd, [plain, esn], lan_rx="lan_in")) as node:
        P.write_pcap_raw(node.pcap("lan_in"), [bytes(f) for f in lan])
        node.start()
        node.wait_json("show dataplane", lambda j: j["dataplane"]["rx_packets"] >= 2 * n,
                       timeout=30, what="all packets in")
        P.eq("drops", {"esp-seq-overflow": n - 999}, node.drops())
        node.wait_json("show crypto ipsec sa", lambda j: any(
            "seq-high" in s["events"] for p in j["interfaces"][0]["peers"]
            for s in p["outbound"]), timeout=10, what="seq-high event")
        sas = E.sa_json(node)
        P.eq("events of the SA without ESN", ["seq-high"], sas[plain.peer]["outbound"][0]["events"])
        P.eq("events of the SA with ESN", [], sas[esn.peer]["outbound"][0]["events"])
        P.eq("send errors (overflow)", n - 999, sas[plain.peer]["send_errors"])
        P.check("logged", "sequence number" in ctl_log(node) and
                "near the end of its 32-bit space" in ctl_log(node))
        node.stop()
        out = P.read_pcap(node.pcap("pub_out"))
        seqs = [E.esp_spi_seq(E.ip_of(f))[1] for f in E.esp_frames(out, dst=plain.peer)]
        P.eq("without ESN: 999 packets, the last one 0xffffffff",
             list(range(start + 1, 1 << 32)), seqs)
        seqs = [E.esp_spi_seq(E.ip_of(f))[1] for f in E.esp_frames(out, dst=esn.peer)]
        P.eq("with ESN: all of them, wrapping on the wire",
             [(start + 1 + i) & 0xffffffff for i in range(n)], seqs)


if __name__ == "__main__":
    P.run_tests(globals())
