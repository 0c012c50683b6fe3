#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""LAN -> GRE encapsulation benchmark of dmvpn-dataplane (one worker).

Not a test: scripts/bench.sh runs it (method in BENCHMARKS.md).

For each (frame size, adjacency count):
  - a pcap of P >= 1024 frames from the LAN, P a multiple of N, each of the
    N adjacencies' LANs (10.128.0.0/9, one /24 per peer, routed via the
    peer's tunnel address) appearing P/N times, in a shuffled order so the
    FIB, adjacency and counter accesses miss the caches as real traffic does;
  - a config: LAN = net_pcap replaying it (infinite_rx=1, no tx file: the
    PMD drops), public = net_null (no-rx=1: a sink), N static nhrp.map
    entries, static neighbours, dataplane.idle = "poll", one worker;
  - per run: a fresh data plane + controller, wait in sync and traffic,
    WARMUP s, then a WINDOW s measurement from the worker's counters in the
    segment (dmvpnctl show dataplane --json, per-lcore): cycles/packet =
    delta busy_tsc / delta busy_packets (TSC spent in loop iterations that
    moved packets: rx, classify, FIB, encap, L2, tx), Mpps = delta rx /
    wall time.  Any drop fails the run.
The I/O floor: dpdk-testpmd io forwarding from the very same pcap
(infinite_rx) to net_null on one forwarding core (--record-core-cycles:
busy cycles per packet, the same accounting), before each configuration.

Output: one line per run, then a summary table (median, min-max).
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import struct
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAN_MAC = bytes.fromhex("027063617000")     # net_pcap0
HOST_MAC = bytes.fromhex("02000000400a")
SPOKE_PUB = "198.51.100.2"
GW = "198.51.100.254"


def nbma_of(i):
    # unique, unicast, never .0: 172.16.0.1 + i
    n = (172 << 24 | 16 << 16) + 1 + i
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)


def peer_tun(i):
    n = (100 << 24 | 64 << 16) + 2 + i
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff)


def peer_lan(i):
    return "10.%d.%d.0/24" % (128 + (i >> 8), i & 0xff)


def peer_host(i):
    return bytes([10, 128 + (i >> 8), i & 0xff, 10])


def ip_cksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def frame(dst4, ip_len, ident):
    """Ethernet + IPv4 (UDP, checksum 0) of IPv4 total length ip_len."""
    udp_len = ip_len - 20
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, ident & 0xffff, 0, 64, 17, 0,
                      bytes([10, 0, 64, 10]), dst4)
    hdr = hdr[:10] + struct.pack("!H", ip_cksum(hdr)) + hdr[12:]
    udp = struct.pack("!HHHH", 1024 + ident % 1000, 9, udp_len, 0)
    payload = bytes((ident + k) & 0xff for k in range(udp_len - 8))
    return LAN_MAC + HOST_MAC + b"\x08\x00" + hdr + udp + payload


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 0, k, len(fr), len(fr)))
            f.write(fr)


def make_pcap(path, n_adj, ip_len, seed=1):
    per = -(-1024 // n_adj)                       # ceil: P >= 1024, P = n * per
    dsts = [i for i in range(n_adj) for _ in range(per)]
    random.Random(seed).shuffle(dsts)
    write_pcap(path, [frame(peer_host(i), ip_len, k) for k, i in enumerate(dsts)])
    return len(dsts)


def lc(v, ind=0):
    pad = "\t" * ind
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"%s"' % v
    if isinstance(v, dict):
        return "{\n%s%s}" % ("".join("%s\t%s = %s;\n" % (pad, k, lc(x, ind + 1))
                                      for k, x in v.items()), pad)
    if v and isinstance(v[0], dict):
        return "(\n%s\n%s)" % (",\n".join(pad + "\t" + lc(x, ind + 1) for x in v), pad)
    return "[ %s ]" % ", ".join(lc(x) for x in v)


def make_conf(d, segdir, instance, pcap, n_adj, n_pkts, lcores, source="pcap"):
    conf = {
        "instance": instance,
        "rundir": str(d / "run"),
        "dataplane": {
            "lcores": lcores, "workers": 1, "idle": "poll", "burst": 32,
            "memory_mb": 512, "mbufs": 2 * n_pkts + 16384,
            "max_adjacencies": max(16384, n_adj + 64), "max_routes": 65536,
            # tmpfs: a segment on a disk file system takes write faults on
            # the counter pages whenever writeback cleans them
            "segment_dir": str(segdir),
        },
        "interfaces": [
            {"name": "pub", "device": "net_null0,no-rx=1", "role": "public",
             "address": SPOKE_PUB + "/24", "gateway": GW},
            {"name": "lan", "role": "lan", "address": "10.0.64.1/24",
             "device": "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap},
        ],
        "tunnel": {"address": "100.64.0.1/16", "source": "pub", "key": 999, "mtu": 1400},
        "nhrp": {"map": [{"protocol": peer_tun(i), "nbma": nbma_of(i)} for i in range(n_adj)]},
        "routes": [{"prefix": peer_lan(i), "via": peer_tun(i)} for i in range(n_adj)],
        "neighbors": [{"address": GW, "mac": "02:00:00:00:fe:fe", "interface": "pub"},
                      {"address": "10.0.64.10", "mac": "02:00:00:00:40:0a", "interface": "lan"}],
        "log": {"level": "warn"},
    }
    (d / "run").mkdir(exist_ok=True)
    path = d / "bench.conf"
    path.write_text("".join("%s = %s;\n" % (k, lc(v)) for k, v in conf.items()))
    return path


class Proc:
    def __init__(self, argv, log):
        self.logf = open(log, "ab")
        self.p = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)

    def stop(self, sig=signal.SIGTERM, timeout=20):
        if self.p.poll() is None:
            self.p.send_signal(sig)
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(10)
        self.logf.close()
        return self.p.returncode


def ctl(build, conf, *words):
    r = subprocess.run([str(build / "controlplane" / "dmvpnctl"), "-c", str(conf)] + list(words) +
                       ["--json"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)


def poll(fn, timeout, what):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise RuntimeError("timeout waiting for " + what)


def schedstat(pid, tid):
    """(ns on the CPU, ns waiting on a run queue) of one thread."""
    try:
        f = open("/proc/%d/task/%d/schedstat" % (pid, tid)).read().split()
        return int(f[0]), int(f[1])
    except (OSError, ValueError, TypeError):
        return None


def worker_sample(build, conf, pid=None):
    tid = worker_tid(pid) if pid else None
    s0 = schedstat(pid, tid) if tid else None
    t0 = time.monotonic()
    j = ctl(build, conf, "show", "dataplane")
    t1 = time.monotonic()
    s1 = schedstat(pid, tid) if tid else None
    d = j["dataplane"]
    w = [x for x in d["lcores"] if x["name"] == "worker0"][0]
    sched = None
    if s0 and s1:
        sched = ((s0[0] + s1[0]) / 2, (s0[1] + s1[1]) / 2)
    return {"t": (t0 + t1) / 2, "tsc_hz": d["tsc_hz"], "sched": sched, **w}


def cpu_figures(a, b, dpkts):
    """The same window seen by the scheduler: cycles per packet of the time
    the worker thread really ran (TSC rate x on-CPU ns), and the share of the
    window it spent preempted (waiting on the run queue).  busy_tsc counts
    preempted time as busy; this one does not."""
    if not a.get("sched") or not b.get("sched"):
        return {}
    run = b["sched"][0] - a["sched"][0]
    wait = b["sched"][1] - a["sched"][1]
    wall = (b["t"] - a["t"]) * 1e9
    return {"cycles_oncpu": run * a["tsc_hz"] / 1e9 / dpkts, "preempted": wait / wall}


def one_run(build, d, pcap, n_adj, n_pkts, args, tag, source):
    inst = "bench%d" % os.getpid()
    conf = make_conf(d, args.segdir, inst, pcap, n_adj, n_pkts, args.lcores, source)
    log = d / ("%s.log" % tag)
    dp = Proc([str(build / "dataplane" / "dmvpn-dataplane"), "-c", str(conf)], log)
    cp = None
    try:
        poll(lambda: (ctl(build, conf, "show", "dataplane") or {}).get("dataplane"), 120,
             "data plane up")
        cp = Proc([str(build / "controlplane" / "dmvpn-controller"), "-c", str(conf)], log)
        poll(lambda: (lambda j: j and j.get("controller") and j["controller"]["in_sync"])(
            ctl(build, conf, "show", "dataplane")), 300, "controller in sync")
        j = ctl(build, conf, "show", "dataplane")
        adj = j["dataplane"]["adj_published"]
        if adj != n_adj:
            raise RuntimeError("%d adjacencies published, expected %d" % (adj, n_adj))
        poll(lambda: worker_sample(build, conf)["rx_packets"] > 0, 30, "traffic")
        time.sleep(args.warmup)                 # benchmark warm-up, not ordering
        a = worker_sample(build, conf, dp.p.pid)
        if args.profile:
            profile(d, dp.p.pid, args, tag)
        else:
            time.sleep(args.window)             # the measurement window
        b = worker_sample(build, conf, dp.p.pid)
        drops = ctl(build, conf, "show", "dataplane", "drops")
        if drops["total"]:
            raise RuntimeError("drops during the run: %s" % drops["drops"])
        dpkts = b["busy_packets"] - a["busy_packets"]
        cyc = (b["busy_tsc"] - a["busy_tsc"]) / dpkts
        mpps = (b["rx_packets"] - a["rx_packets"]) / (b["t"] - a["t"]) / 1e6
        # rx is read before encap: rx ahead by more than two bursts = loss
        for x in (a, b):
            if x["rx_packets"] - x["encap_packets"] > 64:
                raise RuntimeError("rx %d ahead of encap %d" % (x["rx_packets"],
                                                               x["encap_packets"]))
        busy_polls = (b["polls"] - b["idle_polls"]) - (a["polls"] - a["idle_polls"])
        res = {"cycles": cyc, "mpps": mpps, "tsc_hz": a["tsc_hz"],
               # packets per busy iteration: below the burst size (32), the
               # source did not keep up and per-iteration costs weigh more
               "burst": dpkts / busy_polls if busy_polls else 0}
        res.update(cpu_figures(a, b, dpkts))
        return res
    finally:
        if cp:
            cp.stop()
        rc = dp.stop()
        if rc not in (0, None):
            tail = log.read_text(errors="replace").splitlines()[-8:]
            print("  data plane exit status %s, log %s:\n    %s" % (rc, log, "\n    ".join(tail)))


def worker_tid(pid):
    for t in os.listdir("/proc/%d/task" % pid):
        comm = open("/proc/%d/task/%s/comm" % (pid, t)).read().strip()
        if comm.startswith("lcore-worker") or comm.startswith("rte-worker"):
            return int(t)
    return None


def profile(d, pid, args, tag):
    """perf cpu-clock sampling of the worker thread for the window (no
    hardware counters in a VM: timer samples, ~10 kHz), flat profile by
    symbol, printed and kept in the log dir."""
    tid = worker_tid(pid)
    data = d / ("%s.perf" % tag)
    subprocess.run(["perf", "record", "-q", "-e", "cpu-clock", "-F", "20000", "-t", str(tid),
                    "-o", str(data), "--", "sleep", str(args.window)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=args.window + 60)
    print("---- perf profile of the worker (%s): by object, then by function" % tag)
    for sort in (["--sort", "dso"], ["--sort", "dso,symbol", "--percent-limit", "0.4"]):
        r = subprocess.run(["perf", "report", "-i", str(data), "--stdio", "--no-children"] + sort,
                           capture_output=True, text=True, timeout=120)
        print("\n".join(l.rstrip(" -") for l in r.stdout.splitlines()
                        if l.strip() and not l.startswith("#")))


def testpmd_run(d, pcap, args, tag):
    """dpdk-testpmd io forwarding pcap(infinite_rx) -> net_null on one core."""
    exe = shutil.which("dpdk-testpmd")
    if not exe:
        return None
    argv = [exe, "-l", args.lcores, "--no-pci", "--in-memory", "--no-telemetry",
            "--file-prefix=bench-testpmd-%d" % os.getpid(), "-m", "512",
            "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap,
            "--vdev", "net_null0,no-rx=1", "--",
            "--forward-mode=io", "--nb-cores=1", "--record-core-cycles", "--stats-period=1",
            "--burst=32", "--total-num-mbufs=%d" % 65536]
    log = d / ("%s.log" % tag)
    sched = []
    with open(log, "wb") as f:
        p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        try:
            # testpmd prints per-port throughput every second (--stats-period)
            time.sleep(args.warmup + 0.5)
            tid = worker_tid(p.pid)
            sched.append((time.monotonic(), schedstat(p.pid, tid) if tid else None))
            time.sleep(args.window)
            sched.append((time.monotonic(), schedstat(p.pid, tid) if tid else None))
        finally:
            p.send_signal(signal.SIGINT)
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(10)
    text = log.read_text(errors="replace")
    m = re.findall(r"CPU cycles/packet=([0-9.]+)", text)
    # port 0's Rx-pps of each period after the warm-up
    pps = [int(x) for x in re.findall(
        r"NIC statistics for port 0 .*?Rx-pps:\s+(\d+)", text, re.S)]
    pps = pps[int(args.warmup):]
    if not m or not pps:
        print("  testpmd output not understood, log %s" % log)
        return None
    res = {"cycles": float(m[-1]), "mpps": statistics.median(pps) / 1e6}
    (t0, s0), (t1, s1) = sched[0], sched[1]
    if s0 and s1:
        # on-CPU ns and packets of the window (pps x wall time); the TSC rate
        # is filled in from the data plane's runs (same machine)
        res["oncpu_ns_per_pkt"] = (s1[0] - s0[0]) / (res["mpps"] * 1e6 * (t1 - t0))
        res["preempted"] = (s1[1] - s0[1]) / ((t1 - t0) * 1e9)
    return res


def med_range(v, fmt):
    if not v:
        return "%*s" % (len(fmt % 0) * 3 + 4, "-")
    return (fmt + " [" + fmt + "-" + fmt + "]") % (statistics.median(v), min(v), max(v))


def summary(rows, tsc_hz):
    out = []
    hdr = "%-26s %4s  %-24s %-24s %-24s %9s" % (
        "configuration", "runs", "cycles/pkt (TSC busy)", "cycles/pkt (on-CPU)",
        "Mpps", "preempted")
    out.append(hdr)
    out.append("%-26s %4s  %-24s %-24s %-24s %9s" % ("", "", "median [min-max]",
                                                    "median [min-max]", "median [min-max]",
                                                    "median"))
    out.append("-" * len(hdr))
    for name, runs in rows:
        if not runs:
            out.append("%-26s %4d  failed" % (name, 0))
            continue
        for r in runs:
            if "oncpu_ns_per_pkt" in r and tsc_hz:
                r["cycles_oncpu"] = r["oncpu_ns_per_pkt"] * tsc_hz / 1e9
        c = [r["cycles"] for r in runs]
        o = [r["cycles_oncpu"] for r in runs if "cycles_oncpu" in r]
        m = [r["mpps"] for r in runs]
        p = [r["preempted"] for r in runs if "preempted" in r]
        out.append("%-26s %4d  %-24s %-24s %-24s %8s" % (
            name, len(runs), med_range(c, "%5.1f"), med_range(o, "%5.1f"),
            med_range(m, "%5.2f"), ("%.1f%%" % (100 * statistics.median(p))) if p else "-"))
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--window", type=float, default=3.0)
    ap.add_argument("--sizes", default="64,1400", help="frame sizes: 64 = 64-octet frame "
                    "(IPv4 46), larger = IPv4 total length")
    ap.add_argument("--adjacencies", default="1,1000,10000")
    ap.add_argument("--lcores", default="0,1")
    ap.add_argument("--sources", default="pcap",
                    help="pcap: net_pcap infinite_rx on the LAN port (the only source)")
    ap.add_argument("--no-testpmd", action="store_true")
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument("--profile", action="store_true",
                    help="perf-sample the worker during each window (figures then include "
                         "the sampling overhead)")
    args = ap.parse_args()
    build = Path(args.build).resolve()
    d = Path(tempfile.mkdtemp(prefix="dmvpn-bench."))
    args.segdir = Path(tempfile.mkdtemp(prefix="dmvpn-bench-seg.", dir="/dev/shm"))
    rows, raw = [], {}
    try:
        for size in [int(x) for x in args.sizes.split(",")]:
            ip_len = 46 if size == 64 else size
            for n_adj in [int(x) for x in args.adjacencies.split(",")]:
                pcap = d / ("lan-%d-%d.pcap" % (size, n_adj))
                n_pkts = make_pcap(pcap, n_adj, ip_len)
                if not args.no_testpmd:
                    # the I/O floor with the very same pcap (same pool size)
                    runs = []
                    for r in range(args.runs):
                        res = testpmd_run(d, pcap, args, "testpmd-%d-%d-%d" % (size, n_adj, r))
                        if res:
                            runs.append(res)
                            print("testpmd io %5d B (%5d frames) run %d: %6.1f cycles/packet "
                                  "%6.2f Mpps (preempted %s)" % (
                                      size, n_pkts, r, res["cycles"], res["mpps"],
                                      "%.1f%%" % (100 * res["preempted"])
                                      if "preempted" in res else "?"), flush=True)
                    name = "io floor %d B, %d fr" % (size, n_pkts)
                    rows.append((name, runs))
                    raw[name] = runs
                for source in args.sources.split(","):
                    runs = []
                    for r in range(args.runs):
                        try:
                            res = one_run(build, d, pcap, n_adj, n_pkts, args,
                                          "dp-%s-%d-%d-%d" % (source, size, n_adj, r), source)
                        except Exception as e:
                            print("encap %-4s %5d B %5d adj run %d: FAILED: %s" %
                                  (source, size, n_adj, r, e), flush=True)
                            continue
                        runs.append(res)
                        print("encap %-4s %5d B %5d adj run %d: %6.1f cycles/packet %6.2f Mpps "
                              "(on-CPU %s, preempted %s, %.1f pkts/burst; %d pcap frames, "
                              "TSC %.3f GHz)" % (
                                  source, size, n_adj, r, res["cycles"], res["mpps"],
                                  "%.1f" % res["cycles_oncpu"] if "cycles_oncpu" in res else "?",
                                  "%.1f%%" % (100 * res["preempted"])
                                  if "preempted" in res else "?", res["burst"],
                                  n_pkts, res["tsc_hz"] / 1e9), flush=True)
                    name = "encap %s %d B, %d adj" % (source, size, n_adj)
                    rows.append((name, runs))
                    raw[name] = runs
        print()
        tsc = [r["tsc_hz"] for _, runs in rows for r in runs if "tsc_hz" in r]
        print(summary(rows, tsc[0] if tsc else None))
        if args.json:
            Path(args.json).write_text(json.dumps(raw, indent=1))
    finally:
        if os.environ.get("KEEP") == "1":
            print("kept", d)
        else:
            shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(args.segdir, ignore_errors=True)


if __name__ == "__main__":
    main()
