#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""LAN -> GRE (-> ESP) and ESP -> GRE -> LAN benchmark of dmvpn-dataplane (one worker).

Not a test: scripts/bench.sh runs it (method in BENCHMARKS.md sections 1 and 2).

Paths (--paths):
  encap    LAN -> FIB -> GRE -> public (section 1)
  encrypt  LAN -> FIB -> GRE -> ESP (AES-GCM-128, transport mode, one
           manually keyed SA pair per adjacency, tunnel.protection) -> public
  decrypt  public -> ESP (the same SAs' inbound halves, anti-replay off) ->
           GRE -> FIB -> LAN; the public port replays a pcap of ESP packets
           from the N peers, encrypted here (python3-cryptography) with the
           keys of the config

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
Anchors for the ESP paths (--anchors): dpdk-test-crypto-perf (AES-GCM-128
encrypt/decrypt on the ESP payload sizes, crypto only) and DPDK's example
ipsec-secgw (built by scripts/bench.sh into BUILD/ipsec-secgw) on the same
net_pcap -> net_null vdevs with equivalent SAs.

Output: one line per run, then a summary table (median, min-max).
"""
import argparse
import hashlib
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

try:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError:                 # only the decrypt path needs it
    AESGCM = None

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


def peer_net(i):
    # one /24 per peer: 10.128.0.0/9 holds 32768 of them, then 10.64.0.0/10
    if i < 32768:
        return 128 + (i >> 8), i & 0xff
    return 64 + ((i - 32768) >> 8), (i - 32768) & 0xff


def peer_lan(i):
    return "10.%d.%d.0/24" % peer_net(i)


def peer_host(i):
    return bytes([10, *peer_net(i), 10])


LAN_HOST = bytes([10, 0, 64, 10])
GW_MAC = bytes.fromhex("02000000fefe")
# ESP paths: tunnel MTU such that a 1420-octet inner packet fits the 1500
# underlay with GRE (key) and ESP AES-GCM transport framing (1488 octets)
ESP_TUN_MTU = 1420


def sa_spi_out(i):
    return 0x100000 + i


def sa_spi_in(i):
    return 0x200000 + i


def sa_key(i, direction):
    """AES-GCM-128 key + 4-octet salt (RFC 4106 8.1) of SA i, "in" or "out"."""
    return hashlib.sha256(b"dmvpn-bench %d %s" % (i, direction.encode())).digest()[:20]


def ip_cksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def ip_packet(src4, dst4, ip_len, ident):
    """IPv4 (UDP, checksum 0) of total length ip_len."""
    udp_len = ip_len - 20
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, ip_len, ident & 0xffff, 0, 64, 17, 0,
                      src4, dst4)
    hdr = hdr[:10] + struct.pack("!H", ip_cksum(hdr)) + hdr[12:]
    udp = struct.pack("!HHHH", 1024 + ident % 1000, 9, udp_len, 0)
    payload = bytes((ident + k) & 0xff for k in range(udp_len - 8))
    return hdr + udp + payload


def frame(dst4, ip_len, ident):
    """Ethernet + IPv4 (UDP, checksum 0) of IPv4 total length ip_len."""
    return LAN_MAC + HOST_MAC + b"\x08\x00" + ip_packet(LAN_HOST, dst4, ip_len, ident)


def esp_frame(i, inner, seq, gre=True):
    """What peer i sends us: Ethernet + IPv4 (NBMA i -> our public address) +
    ESP AES-GCM-128 (RFC 4106) with SA i's inbound key, transport mode over
    GRE (key 999) as DMVPN does, or (gre=False) tunnel mode of the bare
    inner packet (ipsec-secgw's inbound anchor)."""
    if gre:
        payload, nh = struct.pack("!HHI", 0x2000, 0x0800, 999) + inner, 47
    else:
        payload, nh = inner, 4
    padlen = -(len(payload) + 2) % 4
    clear = payload + bytes(range(1, padlen + 1)) + bytes([padlen, nh])
    spi, k = sa_spi_in(i), sa_key(i, "in")
    iv = struct.pack("!Q", seq)
    head = struct.pack("!II", spi, seq)
    esp = head + iv + AESGCM(k[:16]).encrypt(k[16:] + iv, clear, head)
    src = bytes(int(x) for x in nbma_of(i).split("."))
    dst = bytes(int(x) for x in SPOKE_PUB.split("."))
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(esp), seq & 0xffff, 0x4000, 64, 50,
                      0, src, dst)
    hdr = hdr[:10] + struct.pack("!H", ip_cksum(hdr)) + hdr[12:]
    return LAN_MAC + GW_MAC + b"\x08\x00" + hdr + esp


def write_pcap(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 0, k, len(fr), len(fr)))
            f.write(fr)


def size_lens(size, mtu):
    """IPv4 total lengths of one size pattern: "64" = a 64-octet frame with
    FCS (IPv4 46), "imix" = 28 x 64 + 16 x 570 + 4 x 1518-octet frames
    (IPv4 46, 552, 1500; the 1500 capped at the tunnel MTU), a number N > 64
    = IPv4 total length N."""
    if size == "imix":
        return [46] * 28 + [552] * 16 + [min(1500, mtu)] * 4
    n = int(size)
    return [46 if n == 64 else n]


def pcap_plan(n_adj, lens, seed=1):
    """(peer, IPv4 length) of each of the P frames: P >= 1024 (1056 = 22
    IMIX patterns), P = n * per, each peer per times, shuffled (fixed seed);
    the lengths cycle through the pattern, shuffled independently."""
    base = 1024 if len(lens) == 1 else 1056
    per = -(-base // n_adj)                       # ceil
    dsts = [i for i in range(n_adj) for _ in range(per)]
    random.Random(seed).shuffle(dsts)
    ls = [lens[k % len(lens)] for k in range(len(dsts))]
    random.Random(seed + 1).shuffle(ls)
    return list(zip(dsts, ls))


def make_pcap(path, n_adj, lens, seed=1):
    plan = pcap_plan(n_adj, lens, seed)
    write_pcap(path, [frame(peer_host(i), l, k) for k, (i, l) in enumerate(plan)])
    return len(plan)


def make_esp_pcap(path, n_adj, lens, seed=1, gre=True):
    """The decrypt path's source: the same plan, each frame as peer i would
    send it to us (inner packet: peer i's LAN host -> our LAN host), SA i's
    sequence numbers counting from 1.  A replay repeats them: the SAs run
    with anti-replay off (profile replay = false)."""
    if AESGCM is None:
        raise RuntimeError("python3-cryptography is needed for the decrypt path")
    plan = pcap_plan(n_adj, lens, seed)
    seq = [0] * n_adj
    frames = []
    for k, (i, l) in enumerate(plan):
        seq[i] += 1
        frames.append(esp_frame(i, ip_packet(peer_host(i), LAN_HOST, l, k), seq[i], gre))
    write_pcap(path, frames)
    return len(plan)


def frame_octets(n_adj, lens):
    """Mean clear frame on the LAN (Ethernet 14 + IPv4 + FCS 4) of a plan."""
    plan = pcap_plan(n_adj, lens)
    return sum(l + 18 for _, l in plan) / len(plan)


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


def ipsec_conf(n_adj):
    """One transform set (AES-GCM-128, transport) and profile for the
    tunnel, one manually keyed SA pair per peer; anti-replay off (the pcap
    replay repeats sequence numbers), no lifetimes (a 1420-octet run would
    use up IOS's default 4.6 GB within seconds)."""
    return {
        "transform_set": [{"name": "ts", "transforms": "esp-gcm 128", "mode": "transport"}],
        "profile": [{"name": "bench", "transform_set": "ts", "replay": False}],
        "sa": [{"peer": nbma_of(i), "profile": "bench", "spi_in": sa_spi_in(i),
                "spi_out": sa_spi_out(i), "cipher_key_in": sa_key(i, "in").hex(),
                "cipher_key_out": sa_key(i, "out").hex()} for i in range(n_adj)],
    }


def make_conf(d, segdir, instance, pcap, n_adj, n_pkts, lcores, source="pcap", path="encap"):
    conf = {
        "instance": instance,
        "rundir": str(d / "run"),
        "dataplane": {
            "lcores": lcores, "workers": 1, "idle": "poll", "burst": 32,
            "memory_mb": 512, "mbufs": 2 * n_pkts + 16384,
            # routes: one /24 per peer LAN and the peer's /32 (its adjacency)
            "max_adjacencies": max(16384, n_adj + 64),
            "max_routes": max(65536, 2 * n_adj + 1024),
            "max_sas": max(16384, 2 * n_adj + 64),
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
    if path != "encap":
        conf["tunnel"].update({"protection": "bench", "mtu": ESP_TUN_MTU})
        conf["ipsec"] = ipsec_conf(n_adj)
    if path == "decrypt":
        # ESP arrives on the public port (the pcap), the clear packets
        # leave on the LAN port (the sink)
        conf["interfaces"][0]["device"] = "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap
        conf["interfaces"][1]["device"] = "net_null0,no-rx=1"
    (d / "run").mkdir(exist_ok=True)
    p = d / "bench.conf"
    p.write_text("".join("%s = %s;\n" % (k, lc(v)) for k, v in conf.items()))
    return p


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


def one_run(build, d, pcap, n_adj, n_pkts, args, tag, source, path="encap"):
    inst = "bench%d" % os.getpid()
    conf = make_conf(d, args.segdir, inst, pcap, n_adj, n_pkts, args.lcores, source, path)
    # the per-packet counter that must keep up with rx
    done = "decap_packets" if path == "decrypt" else "encap_packets"
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
        if path != "encap":
            # an SA pair per peer: 2 n SA slots published
            poll(lambda: (ctl(build, conf, "show", "dataplane") or {}).get(
                "dataplane", {}).get("sa_published", 0) >= 2 * n_adj, 300, "SAs published")
        poll(lambda: worker_sample(build, conf)[done] > 0, 30, "traffic")
        time.sleep(args.warmup)                 # benchmark warm-up, not ordering
        drops0 = ctl(build, conf, "show", "dataplane", "drops")
        a = worker_sample(build, conf, dp.p.pid)
        if args.profile:
            profile(d, dp.p.pid, args, tag)
        else:
            time.sleep(args.window)             # the measurement window
        b = worker_sample(build, conf, dp.p.pid)
        drops = ctl(build, conf, "show", "dataplane", "drops")
        if drops["total"] != drops0["total"]:
            raise RuntimeError("drops during the window: %s" % drops["drops"])
        if drops["total"]:
            # before the window: packets that arrived before the controller
            # had installed everything; reported, the window is clean
            print("  %s: %d drops before the window: %s" % (tag, drops["total"],
                                                           drops["drops"]))
        dpkts = b["busy_packets"] - a["busy_packets"]
        cyc = (b["busy_tsc"] - a["busy_tsc"]) / dpkts
        mpps = (b["rx_packets"] - a["rx_packets"]) / (b["t"] - a["t"]) / 1e6
        # rx is read before encap: rx ahead by more than two bursts = loss
        for x in (a, b):
            if x["rx_packets"] - x[done] > 64:
                raise RuntimeError("rx %d ahead of %s %d" % (x["rx_packets"], done, x[done]))
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


def tsc_hz_guess():
    """TSC rate when no data plane run reported it (anchors only): the
    kernel's calibration."""
    r = subprocess.run(["dmesg"], capture_output=True, text=True)
    m = re.findall(r"tsc: (?:Refined TSC clocksource calibration:|Detected) ([0-9.]+) MHz",
                   r.stdout)
    return float(m[-1]) * 1e6 if m else None


def esp_clear_len(ip_len):
    """Octets AES-GCM encrypts for an inner packet: GRE with key (8) + the
    packet + pad length and next header, padded to 4 (RFC 4303 2.4)."""
    return (ip_len + 8 + 2 + 3) // 4 * 4


def cryptoperf_runs(d, path, sizes, args, tsc_hz):
    """dpdk-test-crypto-perf, throughput test, AES-GCM-128 (12-octet IV,
    8-octet AAD = SPI + sequence number, 16-octet ICV) on the aesni_gcm
    vdev (intel-ipsec-mb, as our engine), one lcore, bursts of 32, on
    buffers of the sizes our engine encrypts (esp_clear_len); IMIX with
    crypto-perf's --imix and the same 28/16/4 weights.  Cycles/packet =
    TSC rate / ops per second (crypto-perf's own Cycles/Buf is kept too)."""
    exe = shutil.which("dpdk-test-crypto-perf")
    out = []
    if not exe:
        print("dpdk-test-crypto-perf not found: no crypto-only anchor")
        return out
    op = "encrypt" if path == "encrypt" else "decrypt"
    for size in sizes:
        lens = size_lens(size, ESP_TUN_MTU)
        bufs = sorted(set(esp_clear_len(l) for l in lens))
        octets = frame_octets(1, lens)
        extra = ["--buffer-sz", ",".join(str(b) for b in bufs)]
        if len(bufs) > 1:
            extra += ["--imix", ",".join(str(lens.count(l)) for l in sorted(set(lens)))]
        ops = 4000000 if max(bufs) < 256 else 1500000
        runs = []
        for r in range(args.runs):
            argv = [exe, "-l", args.lcores, "--no-pci", "--in-memory", "--no-telemetry",
                    "--file-prefix=bench-cperf-%d" % os.getpid(), "-m", "256",
                    "--vdev", "crypto_aesni_gcm0", "--",
                    "--ptest", "throughput", "--devtype", "crypto_aesni_gcm",
                    "--optype", "aead", "--aead-algo", "aes-gcm", "--aead-op", op,
                    "--aead-key-sz", "16", "--aead-iv-sz", "12", "--aead-aad-sz", "8",
                    "--digest-sz", "16", "--burst-sz", "32", "--total-ops", str(ops),
                    "--silent"] + extra
            log = d / ("cperf-%s-%s-%d.log" % (path, size, r))
            with open(log, "wb") as f:
                rc = subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, timeout=300).returncode
            rows = re.findall(r"^\s*\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+\d+\s+([0-9.]+)\s+"
                              r"([0-9.]+)\s+([0-9.]+)\s*$", log.read_text(errors="replace"), re.M)
            if rc != 0 or len(rows) != 1:
                print("  crypto-perf %s %s: exit %s, output not understood, log %s" % (
                    path, size, rc, log))
                continue
            mops = float(rows[0][0])
            res = {"mpps": mops, "cycles": tsc_hz / (mops * 1e6), "gbps": mops * octets * 8 / 1e3,
                   "cperf_cycles_buf": float(rows[0][2])}
            runs.append(res)
            print_run("crypto-perf aes-gcm-128 %s %s B (buffers %s)" % (
                op, size, "/".join(str(b) for b in bufs)), r, res,
                ", crypto-perf's Cycles/Buf %.1f" % res["cperf_cycles_buf"])
        out.append(("crypto-perf %s %s B (%s)" % (op, size, "/".join(str(b) for b in bufs)),
                    runs))
    return out


def secgw_conf(path, n_adj):
    """ipsec-secgw's SP/SA/RT for the same N peers and keys: an SA pair per
    peer (secgw refuses an unprotected port without inbound SAs),
    AES-GCM-128, IPv4 tunnel mode (the DMVPN equivalent: one outer header
    to the peer's NBMA address per SA; secgw has no GRE), lookaside-none on
    the aesni_gcm cryptodev.  Outbound: one SP per peer LAN (10.x.y.0/24)
    -> its SA; inbound: one SP per SA for what it carries."""
    lines = []
    for i in range(n_adj):
        ko = ":".join("%02x" % b for b in sa_key(i, "out"))
        ki = ":".join("%02x" % b for b in sa_key(i, "in"))
        lines.append("sp ipv4 out esp protect %d pri 1 dst %s sport 0:65535 dport 0:65535"
                     % (sa_spi_out(i), peer_lan(i)))
        lines.append("sa out %d aead_algo aes-128-gcm aead_key %s mode ipv4-tunnel "
                     "src %s dst %s" % (sa_spi_out(i), ko, SPOKE_PUB, nbma_of(i)))
        lines.append("sp ipv4 in esp protect %d pri 1 src %s dst 10.0.64.0/24 "
                     "sport 0:65535 dport 0:65535" % (sa_spi_in(i), peer_lan(i)))
        lines.append("sa in %d aead_algo aes-128-gcm aead_key %s mode ipv4-tunnel "
                     "src %s dst %s" % (sa_spi_in(i), ki, nbma_of(i), SPOKE_PUB))
    lines.append("rt ipv4 dst 172.16.0.0/12 port 1" if path == "encrypt" else
                 "rt ipv4 dst 10.0.64.0/24 port 1")
    return "\n".join(lines) + "\n"


def telemetry(sock_path, cmd):
    import socket
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(sock_path)
    s.recv(65536)                                   # the greeting
    s.send(cmd.encode())
    r = json.loads(s.recv(1 << 20).decode())
    s.close()
    return r


def secgw_runs(d, path, size, lens, n_adj, octets, args):
    """DPDK's ipsec-secgw example (librte_ipsec code path, -l) from a
    net_pcap replay (port 0) to net_null (port 1) on lcore 1: encrypt =
    clear frames in on protected port 0, ESP out on port 1; decrypt = ESP
    (tunnel mode, made here with the SAs' keys) in on unprotected port 0,
    clear out on port 1; replay window 0 (off, its default).  Figures from
    port 1's opackets (telemetry) and the lcore's on-CPU time: secgw keeps
    no busy-cycle count, so cycles/packet here is the on-CPU figure."""
    exe = args.secgw
    if not exe or not os.access(exe, os.X_OK):
        print("ipsec-secgw not built: no secgw anchor")
        return []
    pcap = d / ("secgw-%s-%s-%d.pcap" % (path, size, n_adj))
    if path == "encrypt":
        n_pkts = make_pcap(pcap, n_adj, lens)
    else:
        n_pkts = make_esp_pcap(pcap, n_adj, lens, gre=False)
    cfg = d / ("secgw-%s-%d.cfg" % (path, n_adj))
    cfg.write_text(secgw_conf(path, n_adj))
    runs = []
    for r in range(args.runs):
        prefix = "bench-secgw-%d" % os.getpid()
        # one lcore, the main one, forwards: secgw wants a tx queue per
        # lcore and net_pcap without a tx file has one
        lcore = args.lcores.split(",")[-1]
        argv = [exe, "-l", lcore, "--no-pci", "--in-memory",
                "--file-prefix=" + prefix, "-m", "1024",
                "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap,
                "--vdev", "net_null0,no-rx=1", "--vdev", "crypto_aesni_gcm0", "--",
                "-p", "0x3", "-P", "-l", "-u", "0x2" if path == "encrypt" else "0x1",
                "-s", str(max(32768, 2 * n_pkts + 16384)), "-f", str(cfg),
                "--config", "(0,0,%s),(1,0,%s)" % (lcore, lcore)]
        log = d / ("secgw-%s-%s-%d-%d.log" % (path, size, n_adj, r))
        sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % prefix
        with open(log, "wb") as f:
            p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL)
            try:
                def opk():
                    return telemetry(sock, "/ethdev/stats,1")["/ethdev/stats"]["opackets"]
                poll(lambda: os.path.exists(sock) and opk() > 0, 120, "ipsec-secgw traffic")
                time.sleep(args.warmup)
                tid = p.pid                     # the main lcore's thread
                t0, s0, o0 = time.monotonic(), schedstat(p.pid, tid), opk()
                time.sleep(args.window)
                t1, s1, o1 = time.monotonic(), schedstat(p.pid, tid), opk()
                ip = telemetry(sock, "/ethdev/stats,0")["/ethdev/stats"]
            except Exception as e:
                print("  ipsec-secgw %s %s B %d SA run %d: FAILED: %s (log %s)" % (
                    path, size, n_adj, r, e, log))
                continue
            finally:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(30)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait(10)
        pk = o1 - o0
        tsc = tsc_hz_guess()
        res = {"mpps": pk / (t1 - t0) / 1e6, "tsc_hz": tsc,
               "cycles": (s1[0] - s0[0]) * tsc / 1e9 / pk,
               "preempted": (s1[1] - s0[1]) / ((t1 - t0) * 1e9),
               "port0_ipackets": ip.get("ipackets"), "port0_imissed": ip.get("imissed")}
        res["cycles_oncpu"] = res["cycles"]
        res["gbps"] = res["mpps"] * octets * 8 / 1e3
        runs.append(res)
        print_run("ipsec-secgw %s %s B %5d SA" % (path, size, n_adj), r, res,
                  "; %d pcap frames" % n_pkts)
    return runs


def med_range(v, fmt):
    if not v:
        return "%*s" % (len(fmt % 0) * 3 + 4, "-")
    return (fmt + " [" + fmt + "-" + fmt + "]") % (statistics.median(v), min(v), max(v))


def summary(rows, tsc_hz):
    out = []
    fmt = "%-34s %4s  %-24s %-24s %-22s %-22s %9s"
    hdr = fmt % ("configuration", "runs", "cycles/pkt (TSC busy)", "cycles/pkt (on-CPU)",
                 "Mpps", "Gbit/s (clear frames)", "preempted")
    out.append(hdr)
    out.append(fmt % ("", "", "median [min-max]", "median [min-max]", "median [min-max]",
                      "median [min-max]", "median"))
    out.append("-" * len(hdr))
    for name, runs in rows:
        if not runs:
            out.append("%-34s %4d  failed" % (name, 0))
            continue
        for r in runs:
            if "oncpu_ns_per_pkt" in r and tsc_hz:
                r["cycles_oncpu"] = r["oncpu_ns_per_pkt"] * tsc_hz / 1e9
        c = [r["cycles"] for r in runs]
        o = [r["cycles_oncpu"] for r in runs if "cycles_oncpu" in r]
        m = [r["mpps"] for r in runs]
        g = [r["gbps"] for r in runs if "gbps" in r]
        p = [r["preempted"] for r in runs if "preempted" in r]
        out.append(fmt % (
            name, len(runs), med_range(c, "%5.1f"), med_range(o, "%5.1f"),
            med_range(m, "%5.2f"), med_range(g, "%5.2f"),
            ("%.1f%%" % (100 * statistics.median(p))) if p else "-"))
    return "\n".join(out)


def print_run(what, r, res, extra=""):
    print("%s run %d: %6.1f cycles/packet %6.2f Mpps %6.2f Gbit/s (on-CPU %s, preempted %s%s)" % (
        what, r, res["cycles"], res["mpps"], res.get("gbps", 0),
        "%.1f" % res["cycles_oncpu"] if "cycles_oncpu" in res else "?",
        "%.1f%%" % (100 * res["preempted"]) if "preempted" in res else "?", extra), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--window", type=float, default=3.0)
    ap.add_argument("--paths", default="encap",
                    help="encap (LAN -> GRE), encrypt (LAN -> GRE -> ESP), decrypt "
                         "(ESP -> GRE -> LAN)")
    ap.add_argument("--sizes", default="64,1400", help="frame sizes: 64 = 64-octet frame "
                    "(IPv4 46), imix = 28 x 64 + 16 x 570 + 4 x 1518 (capped at the tunnel "
                    "MTU), larger = IPv4 total length")
    ap.add_argument("--adjacencies", default="1,1000,10000",
                    help="adjacencies (with an SA pair each on the ESP paths), up to 49152")
    ap.add_argument("--lcores", default="0,1")
    ap.add_argument("--sources", default="pcap",
                    help="pcap: net_pcap infinite_rx on the LAN port (the only source)")
    ap.add_argument("--no-testpmd", action="store_true")
    ap.add_argument("--anchors", default="",
                    help="ESP anchors, comma-separated: cryptoperf (dpdk-test-crypto-perf), "
                         "secgw (DPDK's ipsec-secgw, see --secgw)")
    ap.add_argument("--secgw", help="the ipsec-secgw binary (scripts/bench.sh builds it)")
    ap.add_argument("--json", help="write the raw results here")
    ap.add_argument("--profile", action="store_true",
                    help="perf-sample the worker during each window (figures then include "
                         "the sampling overhead)")
    args = ap.parse_args()
    build = Path(args.build).resolve()
    d = Path(tempfile.mkdtemp(prefix="dmvpn-bench."))
    args.segdir = Path(tempfile.mkdtemp(prefix="dmvpn-bench-seg.", dir="/dev/shm"))
    anchors = [a for a in args.anchors.split(",") if a]
    rows, raw = [], {}

    def record(name, runs):
        rows.append((name, runs))
        raw[name] = runs

    try:
        for path in args.paths.split(","):
            mtu = 1400 if path == "encap" else ESP_TUN_MTU
            for size in args.sizes.split(","):
                lens = size_lens(size, mtu)
                for n_adj in [int(x) for x in args.adjacencies.split(",")]:
                    octets = frame_octets(n_adj, lens)
                    pcap = d / ("%s-%s-%d.pcap" % (path, size, n_adj))
                    if path == "decrypt":
                        n_pkts = make_esp_pcap(pcap, n_adj, lens)
                    else:
                        n_pkts = make_pcap(pcap, n_adj, lens)
                    if not args.no_testpmd:
                        # the I/O floor with the very same pcap (same pool size)
                        runs = []
                        for r in range(args.runs):
                            res = testpmd_run(d, pcap, args, "testpmd-%s-%s-%d-%d" % (
                                path, size, n_adj, r))
                            if res:
                                res["gbps"] = res["mpps"] * octets * 8 / 1e3
                                runs.append(res)
                                print_run("testpmd io %-8s %5s B (%5d frames)" % (
                                    path, size, n_pkts), r, res)
                        record("io floor %s %s B, %d fr" % (path, size, n_pkts), runs)
                    if "secgw" in anchors and path != "encap":
                        record("ipsec-secgw %s %s B, %d SA" % (path, size, n_adj),
                               secgw_runs(d, path, size, lens, n_adj, octets, args))
                    for source in args.sources.split(","):
                        runs = []
                        for r in range(args.runs):
                            tag = "dp-%s-%s-%s-%d-%d" % (path, source, size, n_adj, r)
                            try:
                                res = one_run(build, d, pcap, n_adj, n_pkts, args, tag, source,
                                              path)
                            except Exception as e:
                                print("%s %-4s %5s B %5d adj run %d: FAILED: %s" %
                                      (path, source, size, n_adj, r, e), flush=True)
                                continue
                            res["gbps"] = res["mpps"] * octets * 8 / 1e3
                            runs.append(res)
                            print_run("%s %-4s %5s B %5d adj" % (path, source, size, n_adj), r,
                                      res, ", %.1f pkts/burst; %d pcap frames, TSC %.3f GHz" % (
                                          res["burst"], n_pkts, res["tsc_hz"] / 1e9))
                        record("%s %s %s B, %d adj" % (path, source, size, n_adj), runs)
        tsc = [r["tsc_hz"] for _, runs in rows for r in runs if "tsc_hz" in r]
        tsc_hz = tsc[0] if tsc else tsc_hz_guess()
        if "cryptoperf" in anchors:
            for path in [p for p in args.paths.split(",") if p != "encap"]:
                for name, runs in cryptoperf_runs(d, path, args.sizes.split(","), args, tsc_hz):
                    record(name, runs)
        print()
        print(summary(rows, tsc_hz))
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
