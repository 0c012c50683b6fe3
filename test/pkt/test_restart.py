#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The two restart properties of DESIGN.md, under traffic.

Traffic: the LAN port is net_pcap replaying a pcap forever (infinite_rx=1,
no tx file: the PMD drops what would go back to the LAN); the public port is
net_null with no-rx=1 (a sink).  Every packet goes to one of ten static
adjacencies, so the worker's rx must equal its encap count and no drop
counter may move.  Counters are read live from the segment while the worker
runs: rx is read before encap (field order of the per-lcore JSON), so a
sample may show encap ahead of rx (the reader was preempted in between), but
rx ahead of encap by more than what is in flight (two bursts, TORN) means
packets taken from the port and never encapsulated nor counted as dropped.

(a) kill -9 the controller while traffic flows, then restart it: rx keeps
    increasing while it is gone, nothing is dropped, and the restarted
    controller adopts the published slots (same slot ids, adjacency packet
    counters not reset: no republish; adj_live and route counts never move).
(b) kill -9 the data plane and start it again: the same controller notices
    (heartbeat, new epoch), replays its whole state, and traffic flows again
    with the same adjacencies and routes, within a bounded poll.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pktlib as P  # noqa: E402

BURST = 32
TORN = 2 * BURST
PEERS = ["10.0.0.%d" % (10 + i) for i in range(8)]
ABSENCE_S = 1.5            # how long the controller stays dead under traffic


def flow_conf(node):
    maps = [{"protocol": P.HUB_TUN, "nbma": P.HUB_PUB}, {"protocol": P.S2_TUN, "nbma": P.S2_PUB}]
    maps += [{"protocol": a, "nbma": "192.0.2.%d" % (100 + i)} for i, a in enumerate(PEERS)]
    return P.spoke_conf(
        node, maps=maps,
        pub_dev="net_null0,no-rx=1",
        # the only net_pcap vdev: MAC 02:70:63:61:70:00
        lan_dev="net_pcap0,rx_pcap=%s,infinite_rx=1" % node.pcap("flow"),
        dataplane={"burst": BURST, "mbufs": 8191})


def flow_frames():
    dsts = [P.HUB_LAN_HOST, P.S2_LAN_HOST, P.HUB_TUN, P.S2_TUN] + PEERS
    return [P.lan_frame(dsts[i % len(dsts)], i=i, size=64 + (i % 4) * 100, lan_port=0)
            for i in range(64)]


def sample(node):
    """One reading of the worker and the tables (controller or segment)."""
    j = node.show("show dataplane")
    d = j["dataplane"]
    w = node.lcore("worker0", d)
    return {
        "source": j["source"], "t": time.monotonic(), "rx": w["rx_packets"],
        "encap": w["encap_packets"], "state": d["state"], "epoch": d["epoch"], "pid": d["pid"],
        "adj_live": d["adj_published"], "routes": d["routes_overlay"],
        "routes_ul": d["routes_underlay"], "drops": node.drops(),
        "controller": j.get("controller"),
    }


def check_sample(what, s, ref):
    P.eq(what + ": drops", {}, s["drops"])
    P.check("%s: rx %d is ahead of encap %d by more than %d (loss)" %
            (what, s["rx"], s["encap"], TORN), s["rx"] - s["encap"] <= TORN)
    if ref is not None:
        P.eq(what + ": adj_live", ref["adj_live"], s["adj_live"])
        P.eq(what + ": routes", (ref["routes"], ref["routes_ul"]), (s["routes"], s["routes_ul"]))


def wait_flowing(node, min_rx=100000, timeout=30):
    return node.wait_json("show dataplane",
                          lambda j: node.lcore("worker0", j["dataplane"])["rx_packets"] >= min_rx,
                          timeout=timeout, what="traffic flowing (rx >= %d)" % min_rx)


def adj_view(node):
    return {a: (v["slot"], v["state"], v["nbma"]) for a, v in node.adjacencies().items()}


def test_controller_kill9_under_traffic():
    with P.Node("rs-ctl", flow_conf) as node:
        node.write_pcap("flow", flow_frames())
        node.start()
        wait_flowing(node)
        before = sample(node)
        check_sample("before", before, None)
        adj0 = adj_view(node)
        pkts0 = {a: v["packets"] for a, v in node.adjacencies().items()}
        P.eq("adjacencies", 2 + len(PEERS), len(adj0))
        P.check("all live", all(v[1] == "live" for v in adj0.values()))
        old_ctl = node.ctl

        node.ctl.send_signal(9)
        old_ctl.stop(timeout=5)                 # reap it
        # While it is gone: dmvpnctl reads the segment; the worker keeps going.
        gone = []
        t0 = time.monotonic()
        while True:
            s = sample(node)
            P.eq("source while the controller is gone", "segment", s["source"])
            check_sample("controller gone #%d" % len(gone), s, before)
            P.eq("data plane state", "ready", s["state"])
            gone.append(s)
            if time.monotonic() - t0 >= ABSENCE_S and len(gone) >= 5:
                break
        rxs = [s["rx"] for s in gone]
        P.check("rx keeps increasing without the controller: %s" % rxs,
                all(b > a for a, b in zip(rxs, rxs[1:])) and rxs[0] > before["rx"])

        # Restart: sample the tables continuously until it is in sync again.
        node.start_controller(wait=False)
        during = []

        def synced():
            s = sample(node)
            during.append(s)
            c = s["controller"]
            return s["source"] == "controller" and c and c["in_sync"] and c["pid"] == node.ctl.pid
        P.poll(synced, 30, interval=0.01, what="restarted controller in sync")
        for k, s in enumerate(during):
            check_sample("restart sample #%d (%s)" % (k, s["source"]), s, before)
            P.eq("same data plane", (before["pid"], before["epoch"]), (s["pid"], s["epoch"]))
        after = sample(node)
        check_sample("after", after, before)
        P.check("rx still increasing", after["rx"] > gone[-1]["rx"])
        # Reconciled, not republished: same slots; packet counters continue
        # (adj_publish clears them).
        P.eq("adjacency slots after the restart", adj0, adj_view(node))
        pkts1 = {a: v["packets"] for a, v in node.adjacencies().items()}
        for a in pkts0:
            P.check("adjacency %s packets %d -> %d (reset: republished?)" %
                    (a, pkts0[a], pkts1[a]), pkts1[a] > pkts0[a])
        c = after["controller"]
        P.eq("controller view: adjacencies, slots", (len(adj0), len(adj0)),
             (c["adjacencies"], c["slots_used"]))
        P.eq("no message refused", 0, c["messages_refused"])
        cef = node.show("show ip cef")
        P.eq("show ip cef routes", before["routes"], len(cef["routes"]))
        P.log("REPORT controller absent %.1f s: worker rx +%d meanwhile, %d samples during the "
              "restart, 0 drops" % (ABSENCE_S, gone[-1]["rx"] - before["rx"], len(during)))
        node.stop()


def test_dataplane_kill9_replay():
    with P.Node("rs-dp", flow_conf) as node:
        node.write_pcap("flow", flow_frames())
        node.start()
        wait_flowing(node)
        before = sample(node)
        check_sample("before", before, None)
        adj0 = adj_view(node)
        c0 = before["controller"]
        ctl_pid = node.ctl.pid
        old_dp = node.dp

        old_dp.send_signal(9)
        old_dp.stop(timeout=5)                  # reap it; its segment file stays
        node.wait_json("show dataplane", lambda j: j["controller"]["losses"] == c0["losses"] + 1,
                       timeout=10, what="the controller noticed the data plane's death")
        t0 = time.monotonic()
        node.start_dataplane(wait=False)
        j = node.wait_json(
            "show dataplane",
            lambda j: j["dataplane"] and j["dataplane"]["pid"] == node.dp.pid
            and j["dataplane"]["state"] == "ready" and j["controller"]["in_sync"],
            timeout=60, what="new data plane replayed and in sync")
        t_sync = time.monotonic() - t0
        d, c = j["dataplane"], j["controller"]
        P.check("new epoch", d["epoch"] != before["epoch"])
        P.eq("same controller", ctl_pid, c["pid"])
        P.check("controller still running", node.ctl.alive())
        P.eq("attaches", c0["attaches"] + 1, c["attaches"])
        wait_flowing(node)
        t_flow = time.monotonic() - t0
        after = sample(node)
        check_sample("after", after, before)
        P.eq("adjacencies after the replay", adj0, adj_view(node))
        P.eq("routes after the replay", (before["routes"], before["routes_ul"]),
             (after["routes"], after["routes_ul"]))
        later = sample(node)
        check_sample("later", later, before)
        P.check("traffic flows", later["rx"] > after["rx"])
        P.log("REPORT data plane restarted: in sync after %.2f s, 100k packets forwarded after "
              "%.2f s" % (t_sync, t_flow))
        node.stop()


if __name__ == "__main__":
    P.run_tests(globals())
