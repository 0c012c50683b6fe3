# SPDX-License-Identifier: BSD-3-Clause
"""Packet tests through the real dmvpn-dataplane with net_pcap ports.

Run the scenario files with /usr/bin/python3 (the only Python with scapy on
the project's machines).  What this module gives them:

  Node          one data plane + controller pair in its own temp dir: config
                from a Python dict, per-test instance name, rundir and
                segment_dir inside the temp dir; processes by PID; cleanup in
                finally/atexit/SIGTERM.
  spoke_conf()  the standard spoke of the tests (spoke 1 of conf/spoke1.conf
  hub_conf()    with net_pcap ports), and the hub.
  pcap helpers  builders for frames (scapy), tshark field extraction,
                byte-exact comparison helpers.
  run_tests()   a tiny runner: every test_* function of the calling module,
                PASS/FAIL per function, exit 1 on failure, 77 to skip.

No sleeps order events: every wait is a bounded poll (wait_json / poll).
Processes are stopped by the PID we started, never by name.
"""

import atexit
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUILD = Path(os.environ.get("DMVPN_BUILD", ROOT / "build"))
DP_BIN = BUILD / "dataplane" / "dmvpn-dataplane"
CTL_BIN = BUILD / "controlplane" / "dmvpn-controller"
CLI_BIN = BUILD / "controlplane" / "dmvpnctl"
KEEP = os.environ.get("KEEP") == "1"
# shared test data, used in place (../shared/testdata from the project root)
TESTDATA = ROOT / ".." / "shared" / "testdata"

SKIP = 77

# net_pcap MACs are 02:70:63:61:70:NN, NN = index among the net_pcap vdevs.
def pcap_mac(n):
    return "02:70:63:61:70:%02x" % n

# --------------------------------------------------------------------------
# Addresses of the standard topology (conf/spoke1.conf, conf/hub.conf).
SPOKE_PUB = "198.51.100.2"      # our NBMA address (spoke 1)
SPOKE_GW = "198.51.100.254"     # underlay gateway of the spoke
SPOKE_LAN = "10.0.64.1"         # our LAN address
SPOKE_TUN = "10.0.0.2"          # our tunnel address
HUB_PUB = "192.0.2.1"
HUB_GW = "192.0.2.254"
HUB_LAN = "10.1.0.1"
HUB_TUN = "10.0.0.1"
S2_PUB = "203.0.113.2"
S2_TUN = "10.0.0.3"
LAN_HOST = "10.0.64.10"         # a host on the spoke's LAN (static neighbour)
HUB_LAN_HOST = "10.1.0.10"
S2_LAN_HOST = "10.0.65.10"
GW_MAC = "02:00:00:00:fe:fe"    # the underlay gateway
HOST_MAC = "02:00:00:00:40:0a"  # LAN_HOST
KEY = 999
TUN_MTU = 1400

# --------------------------------------------------------------------------
# Small helpers


def log(*a):
    print(*a, flush=True)


class Skip(Exception):
    pass


def poll(fn, timeout, interval=0.02, what="condition"):
    """Call fn() until it returns a true value; return that value.  Raises
    AssertionError after `timeout` seconds (bounded wait, no ordering sleep)."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            v = fn()
        except Exception as e:          # a transient failure counts as "not yet"
            v, last = None, e
        if v:
            return v
        if time.monotonic() >= deadline:
            raise AssertionError("timeout after %.1f s waiting for %s%s" %
                                 (timeout, what, " (last error: %s)" % last if last else ""))
        time.sleep(interval)


def eq(what, expected, actual):
    if expected != actual:
        raise AssertionError("%s: expected %r, got %r" % (what, expected, actual))


def ge(what, minimum, actual):
    if not actual >= minimum:
        raise AssertionError("%s: expected >= %r, got %r" % (what, minimum, actual))


def check(what, cond):
    if not cond:
        raise AssertionError(what)


def hexdiff(a, b, width=16):
    """First differing offsets of two byte strings, for assertion messages."""
    out = []
    if len(a) != len(b):
        out.append("length %d != %d" % (len(a), len(b)))
    for i in range(min(len(a), len(b))):
        if a[i] != b[i]:
            out.append("offset %d: 0x%02x != 0x%02x" % (i, a[i], b[i]))
            if len(out) >= 8:
                break
    return "; ".join(out)


def bytes_eq(what, expected, actual):
    expected, actual = bytes(expected), bytes(actual)
    if expected != actual:
        raise AssertionError("%s: bytes differ (%s)\n expected %s\n actual   %s" %
                             (what, hexdiff(expected, actual), expected.hex(), actual.hex()))


# --------------------------------------------------------------------------
# libconfig text from a Python dict.  dict -> group, list of dicts -> list
# ( {..}, {..} ), list of scalars -> array [ .. ], str -> "quoted",
# bool -> true/false, int -> decimal.


def _lc_value(v, indent):
    pad = "\t" * indent
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return '"%s"' % v.replace("\\", "\\\\").replace('"', '\\"')
    if isinstance(v, dict):
        inner = "".join("%s\t%s = %s;\n" % (pad, k, _lc_value(x, indent + 1)) for k, x in v.items())
        return "{\n%s%s}" % (inner, pad)
    if isinstance(v, (list, tuple)):
        if v and all(isinstance(x, dict) for x in v):
            items = ",\n".join(pad + "\t" + _lc_value(x, indent + 1) for x in v)
            return "(\n%s\n%s)" % (items, pad)
        return "[ %s ]" % ", ".join(_lc_value(x, indent) for x in v)
    raise TypeError("libconfig: cannot write %r" % (v,))


def libconfig_text(conf):
    return "".join("%s = %s;\n" % (k, _lc_value(v, 0)) for k, v in conf.items())


# --------------------------------------------------------------------------
# Environment checks


def require_env():
    """Raise Skip when the machine cannot run packet tests."""
    if os.geteuid() != 0:
        raise Skip("needs root (DPDK, hugepages)")
    for b in (DP_BIN, CTL_BIN, CLI_BIN):
        if not b.exists():
            raise Skip("%s not built" % b)
    if shutil.which("tshark") is None:
        raise Skip("tshark not installed")
    try:
        import scapy  # noqa: F401
    except ImportError:
        raise Skip("scapy not importable (run with /usr/bin/python3)")
    free = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("HugePages_Free:"):
                free = int(line.split()[1])
    except OSError:
        pass
    if free < 64:
        raise Skip("not enough free 2 MiB hugepages (%d): scripts/setup.sh" % free)


# --------------------------------------------------------------------------
# Processes


_live_nodes = []


def _cleanup_all():
    for n in list(_live_nodes):
        try:
            n.close()
        except Exception:
            traceback.print_exc()


atexit.register(_cleanup_all)


def _on_term(sig, frame):
    # meson's timeout sends SIGTERM: unwind through finally/atexit.
    raise SystemExit(128 + sig)


signal.signal(signal.SIGTERM, _on_term)


class Proc:
    """A child process we started, stopped only through its PID."""

    def __init__(self, name, argv, logfile):
        self.name = name
        self.logfile = logfile
        self.logf = open(logfile, "ab")
        self.p = subprocess.Popen(argv, stdout=self.logf, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
        self.pid = self.p.pid

    def alive(self):
        return self.p.poll() is None

    def send_signal(self, sig):
        if self.alive():
            os.kill(self.pid, sig)

    def stop(self, sig=signal.SIGTERM, timeout=10.0):
        """SIGTERM (or `sig`), bounded wait, then SIGKILL.  Returns the exit
        status."""
        if self.alive():
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.p.wait(timeout)
            except subprocess.TimeoutExpired:
                log("%s (pid %d) did not exit in %.0f s after signal %d: SIGKILL" %
                    (self.name, self.pid, timeout, sig))
                os.kill(self.pid, signal.SIGKILL)
                self.p.wait(10)
        if not self.logf.closed:
            self.logf.close()
        return self.p.returncode

    def tail(self, n=30):
        try:
            return "".join(open(self.logfile, errors="replace").readlines()[-n:])
        except OSError:
            return ""


class Node:
    """One dmvpn node: data plane + controller with a generated config.

        with Node("encap", spoke_conf) as n:      # conf_fn(node) -> dict
            n.write_pcap("lan_in", pkts)            # before start
            n.start()
            ...
    """

    def __init__(self, name, conf_fn=None, conf=None):
        self.name = name
        self.dir = Path(tempfile.mkdtemp(prefix="dmvpn-pkt-%s." % name))
        self.instance = ("%s-%d" % (name, os.getpid()))[-24:].lstrip("-_") or "pkt"
        self.rundir = self.dir / "run"
        self.segdir = self.dir / "seg"
        self.rundir.mkdir()
        self.segdir.mkdir()
        self.dp = None
        self.ctl = None
        self.old_dps = []
        self.conf = None
        self.conf_path = self.dir / "node.conf"
        self._conf_fn = conf_fn
        self._conf = conf
        self.failed = False
        _live_nodes.append(self)

    # -- paths
    def path(self, name):
        return str(self.dir / name)

    def pcap(self, name):
        return str(self.dir / (name + ".pcap"))

    def write_pcap(self, name, pkts):
        from scapy.all import wrpcap
        wrpcap(self.pcap(name), list(pkts), linktype=1)     # DLT_EN10MB
        return self.pcap(name)

    # -- config
    def make_conf(self):
        conf = self._conf if self._conf is not None else self._conf_fn(self)
        conf = dict(conf)
        conf["instance"] = self.instance
        conf["rundir"] = str(self.rundir)
        dp = dict(conf.get("dataplane", {}))
        dp["segment_dir"] = str(self.segdir)
        conf["dataplane"] = dp
        # instance and rundir first, as in the examples
        ordered = {"instance": conf.pop("instance"), "rundir": conf.pop("rundir")}
        ordered.update(conf)
        self.conf = ordered
        self.conf_path.write_text(libconfig_text(ordered))
        r = subprocess.run([str(CTL_BIN), "-c", str(self.conf_path), "-n"],
                           capture_output=True, text=True, timeout=30)
        if r.returncode != 0:
            raise AssertionError("generated config refused: %s\n%s" %
                                 (r.stderr.strip(), self.conf_path.read_text()))

    # -- processes
    def start_dataplane(self, wait=True):
        if self.conf is None:
            self.make_conf()
        if self.dp is not None:
            self.old_dps.append(self.dp)
        self.dp = Proc("dataplane", [str(DP_BIN), "-c", str(self.conf_path)],
                       self.path("dataplane.log"))
        if wait:
            # the segment exists and the data plane waits for the controller
            self.wait_json("show dataplane",
                           lambda j: j.get("dataplane") and j["dataplane"]["pid"] == self.dp.pid
                           and j["dataplane"]["state"] in ("waiting for the controller", "ready"),
                           timeout=60, what="data plane %d up" % self.dp.pid)

    def start_controller(self, wait=True):
        self.ctl = Proc("controller", [str(CTL_BIN), "-c", str(self.conf_path)],
                        self.path("controller.log"))
        if wait:
            self.wait_synced()

    def wait_synced(self, timeout=30):
        return self.wait_json(
            "show dataplane",
            lambda j: j.get("source") == "controller" and j.get("dataplane")
            and j["dataplane"]["state"] == "ready" and j["controller"]["in_sync"]
            and j["controller"]["pid"] == self.ctl.pid and j["dataplane"]["pid"] == self.dp.pid,
            timeout=timeout, what="controller %d in sync with data plane %d" %
            (self.ctl.pid, self.dp.pid))

    def start(self):
        self.start_dataplane()
        self.start_controller()
        return self

    def stop(self):
        """Controller then data plane, SIGTERM with a bound (flushes the tx
        pcaps: net_pcap closes its dumpers when the port is closed)."""
        if self.ctl:
            self.ctl.stop()
        if self.dp:
            rc = self.dp.stop()
            if rc not in (0, None) and not self.failed:
                raise AssertionError("data plane exited with status %s:\n%s" %
                                     (rc, self.dp.tail()))

    def close(self):
        if self in _live_nodes:
            _live_nodes.remove(self)
        for p in [self.ctl, self.dp] + self.old_dps:
            if p is not None:
                try:
                    p.stop(timeout=5)
                except Exception:
                    traceback.print_exc()
        if self.failed:
            for p in [self.dp, self.ctl]:
                if p is not None:
                    log("---- %s log (%s), last lines:\n%s" % (p.name, p.logfile, p.tail()))
        if KEEP or (self.failed and os.environ.get("KEEP_FAILED") == "1"):
            log("kept %s" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        self.failed = et is not None
        self.close()
        return False

    # -- dmvpnctl
    def cli(self, *words, json_out=True, timeout=10, check=True):
        argv = [str(CLI_BIN), "-c", str(self.conf_path), "--timeout", str(max(1, int(timeout)))]
        argv += list(words)
        if json_out:
            argv.append("--json")
        r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout + 5)
        if check and r.returncode != 0:
            raise RuntimeError("dmvpnctl %s: exit %d: %s" % (" ".join(words), r.returncode,
                                                             r.stderr.strip()))
        if not json_out:
            return r
        return json.loads(r.stdout) if r.returncode == 0 else None

    def show(self, cmd):
        return self.cli(*cmd.split())

    def wait_json(self, cmd, predicate, timeout=10, what=None):
        """Bounded polling of `dmvpnctl <cmd> --json` until predicate(json)."""
        last = [None]

        def once():
            j = self.show(cmd)
            last[0] = j
            return j if predicate(j) else None
        try:
            return poll(once, timeout, interval=0.05, what=what or cmd)
        except AssertionError as e:
            raise AssertionError("%s; last %s: %s" % (e, cmd, json.dumps(last[0])[:2000]))

    # -- counters
    def dataplane(self):
        return self.show("show dataplane")["dataplane"]

    def drops(self):
        """{name: packets} of every non-zero drop counter (all lcores)."""
        j = self.show("show dataplane drops")
        return {d["name"]: d["packets"] for d in j["drops"]}

    def drops_per_lcore(self):
        """{name: {lcore: packets}} of every non-zero drop counter."""
        j = self.show("show dataplane drops")
        return {d["name"]: {lc: n for lc, n in zip(j["lcores"], d["per_lcore"]) if n}
                for d in j["drops"]}

    def lcore(self, name="worker0", j=None):
        j = j or self.dataplane()
        for lc in j["lcores"]:
            if lc["name"] == name:
                return lc
        raise KeyError(name)

    def wait_rx(self, n, timeout=20):
        """Until the workers took exactly n packets from the ports (a finite
        rx pcap has been read entirely)."""
        return self.wait_json("show dataplane",
                              lambda j: j["dataplane"]["rx_packets"] >= n, timeout,
                              what="rx_packets >= %d" % n)

    def wait_pcap(self, name, predicate, timeout=10, what=None):
        """Bounded polling of an output pcap while the node runs (net_pcap
        flushes its dumper after every burst) until predicate(frames)."""
        return poll(lambda: predicate(read_pcap(self.pcap(name))), timeout,
                    what=what or "frames in %s.pcap" % name)

    def adjacencies(self):
        return {a["address"]: a for a in self.show("show adjacency")["adjacencies"]}


# --------------------------------------------------------------------------
# Standard configurations


def spoke_conf(node, lan_rx=None, pub_rx=None, lan_tx=True, pub_tx=True, lan_dev=None,
               pub_dev=None, static_gw=True, maps=None, routes=None, neighbors=None,
               tunnel=None, dataplane=None, lan_mtu=None):
    """Spoke 1 of conf/spoke1.conf on net_pcap ports: net_pcap0 = public,
    net_pcap1 = LAN.  *_rx: name of an input pcap in the node dir (None: no
    rx file, the PMD gives a dummy queue); *_tx: write <name>_out.pcap."""
    def dev(idx, rx, tx, outname):
        d = "net_pcap%d" % idx
        if rx:
            d += ",rx_pcap=" + node.pcap(rx)
        if tx:
            d += ",tx_pcap=" + node.pcap(outname)
        return d
    pub = {"name": "pub", "device": pub_dev or dev(0, pub_rx, pub_tx, "pub_out"),
           "role": "public", "address": SPOKE_PUB + "/24", "gateway": SPOKE_GW}
    lan = {"name": "lan", "device": lan_dev or dev(1, lan_rx, lan_tx, "lan_out"),
           "role": "lan", "address": SPOKE_LAN + "/24"}
    if lan_mtu:
        lan["mtu"] = lan_mtu
    nbrs = [{"address": LAN_HOST, "mac": HOST_MAC, "interface": "lan"}]
    if static_gw:
        nbrs.append({"address": SPOKE_GW, "mac": GW_MAC, "interface": "pub"})
    if neighbors:
        nbrs += neighbors
    tun = {"name": "Tunnel0", "address": SPOKE_TUN + "/24", "source": "pub", "key": KEY,
           "mtu": TUN_MTU}
    if tunnel:
        tun.update(tunnel)
    dpc = {"lcores": "0,1", "workers": 1, "memory_mb": 160, "mbufs": 4095}
    if dataplane:
        dpc.update(dataplane)
    conf = {
        "dataplane": dpc,
        "interfaces": [pub, lan],
        "tunnel": tun,
        "nhrp": {
            "map": maps if maps is not None else [
                {"protocol": HUB_TUN, "nbma": HUB_PUB},
                {"protocol": S2_TUN, "nbma": S2_PUB},
            ],
            "nhs": [HUB_TUN],
        },
        "routes": routes if routes is not None else [
            {"prefix": "10.1.0.0/24", "via": HUB_TUN},
            {"prefix": "10.0.65.0/24", "via": S2_TUN},
        ],
        "neighbors": nbrs,
        "log": {"level": "info"},
    }
    if not conf["nhrp"]["map"]:
        del conf["nhrp"]
    if not conf["routes"]:
        del conf["routes"]
    return conf


def hub_conf(node, pub_rx=None, lan_rx=None, redirect=False):
    """The hub of conf/hub.conf on net_pcap ports, with static maps for the
    two spokes (as the netns suite's full mesh)."""
    def dev(idx, rx, outname):
        d = "net_pcap%d" % idx
        if rx:
            d += ",rx_pcap=" + node.pcap(rx)
        return d + ",tx_pcap=" + node.pcap(outname)
    return {
        "dataplane": {"lcores": "0,1", "workers": 1, "memory_mb": 160, "mbufs": 4095},
        "interfaces": [
            {"name": "pub", "device": dev(0, pub_rx, "pub_out"), "role": "public",
             "address": HUB_PUB + "/24", "gateway": HUB_GW},
            {"name": "lan", "device": dev(1, lan_rx, "lan_out"), "role": "lan",
             "address": HUB_LAN + "/24"},
        ],
        "tunnel": {"address": HUB_TUN + "/24", "source": "pub", "key": KEY, "mtu": TUN_MTU},
        "nhrp": {"map": [{"protocol": SPOKE_TUN, "nbma": SPOKE_PUB},
                         {"protocol": S2_TUN, "nbma": S2_PUB}],
                 "map_multicast": "dynamic", "redirect": redirect},
        "routes": [{"prefix": "10.0.64.0/24", "via": SPOKE_TUN},
                   {"prefix": "10.0.65.0/24", "via": S2_TUN}],
        "neighbors": [{"address": HUB_GW, "mac": GW_MAC, "interface": "pub"},
                      {"address": HUB_LAN_HOST, "mac": HOST_MAC, "interface": "lan"}],
        "log": {"level": "info"},
    }


# --------------------------------------------------------------------------
# Frames (scapy).  Imported lazily so require_env() can skip cleanly.


def scapy():
    import scapy.all as s
    s.conf.verb = 0
    return s


def tag(i, size=0):
    """Payload carrying a recognisable sequence number, padded to `size`."""
    b = b"dmvpn-pkt-%08d;" % i
    return b + bytes((j * 7 + i) & 0xff for j in range(max(0, size - len(b))))


def tag_of(raw):
    """Sequence number of a tag() payload inside raw bytes, or None."""
    raw = bytes(raw)
    k = raw.find(b"dmvpn-pkt-")
    if k < 0 or len(raw) < k + 18:
        return None
    try:
        return int(raw[k + 10:k + 18])
    except ValueError:
        return None


def lan_frame(dst, i=0, size=64, src=LAN_HOST, ttl=64, tos=0, df=False, proto="udp",
              dst_mac=None, src_mac=HOST_MAC, lan_port=1):
    """An Ethernet frame from a LAN host to our LAN MAC.  size = IPv4 total
    length (64 -> 50-byte payload after IPv4 + UDP headers)."""
    s = scapy()
    l4 = s.UDP(sport=1024 + i % 1000, dport=9) if proto == "udp" else s.ICMP(id=7, seq=i)
    payload_len = max(0, size - 20 - 8)
    ip = s.IP(src=src, dst=dst, ttl=ttl, tos=tos, flags="DF" if df else 0, id=(i + 1) & 0xffff)
    return s.Ether(src=src_mac, dst=dst_mac or pcap_mac(lan_port)) / ip / l4 / s.Raw(tag(i, payload_len))


def gre_header(key=KEY, proto=0x0800, flags=None):
    """The GRE header DMVPN sends: flags 0x2000 (K) + protocol + key."""
    if flags is None:
        flags = 0x2000 if key is not None else 0
    gre = flags.to_bytes(2, "big") + proto.to_bytes(2, "big")
    if key is not None:
        gre += key.to_bytes(4, "big")
    return gre


def gre_frame(inner, src=HUB_PUB, dst=SPOKE_PUB, key=KEY, proto=0x0800, ttl=255,
              dst_mac=None, pub_port=0, raw_gre=None, frag=0, flags=0):
    """GRE as a peer sends it to our public port.  `inner` is an IP packet
    (scapy) or raw bytes; `raw_gre` replaces the whole GRE header."""
    s = scapy()
    gre = raw_gre if raw_gre is not None else gre_header(key, proto)
    outer = s.IP(src=src, dst=dst, ttl=ttl, proto=47, id=4242, frag=frag, flags=flags) / \
        s.Raw(gre + bytes(inner))
    return s.Ether(src=GW_MAC, dst=dst_mac or pcap_mac(pub_port)) / outer


def expected_encap(inner_frame, nbma, ip_id, src=SPOKE_PUB, key=KEY, dst_mac=GW_MAC,
                   src_mac=None, pub_port=0):
    """What the data plane must send for a LAN frame: the seed-style rewrite
    (seed 000 Example 7-17, `show adjacency detail`: 4500 .... FF2F ....
    2000 0800 000003E7) in front of the inner packet with TTL - 1 and its
    checksum fixed.  Outer TOS = inner TOS, DF clear, TTL 255, id as sent."""
    s = scapy()
    inner = s.IP(bytes(inner_frame[s.IP]))
    inner.ttl -= 1
    del inner.chksum
    inner_b = bytes(inner)
    gre = bytes.fromhex("20000800") + key.to_bytes(4, "big")
    outer = s.IP(version=4, ihl=5, tos=inner.tos, len=20 + 8 + len(inner_b), id=ip_id,
                 flags=0, frag=0, ttl=255, proto=47, src=src, dst=nbma)
    return bytes(s.Ether(dst=dst_mac, src=src_mac or pcap_mac(pub_port), type=0x0800) /
                 s.Raw(bytes(outer) + gre + inner_b))


def write_pcap_raw(path, frames):
    """A pcap (Ethernet, microsecond timestamps) of raw frames, fast enough
    for tens of thousands of frames."""
    import struct
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for k, fr in enumerate(frames):
            f.write(struct.pack("<IIII", k // 1000000, k % 1000000, len(fr), len(fr)))
            f.write(fr)
    return path


def tagged_copies(template, first, count):
    """count copies of a frame built with tag(first), each with its own
    sequence number in place (UDP checksum must be 0 in the template)."""
    template = bytes(template)
    k = template.find(b"dmvpn-pkt-")
    assert k > 0
    head, tail = template[:k + 10], template[k + 18:]
    return [head + b"%08d" % (first + i) + tail for i in range(count)]


def read_pcap(path):
    """Raw frames of a pcap (bytes), in order (classic pcap as net_pcap
    writes it: either byte order, micro- or nanosecond timestamps)."""
    import struct
    if not os.path.exists(path):
        return []
    data = open(path, "rb").read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = ">"
    else:
        raise AssertionError("%s: not a pcap file (magic %#x)" % (path, magic))
    out, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


def is_arp(raw):
    return len(raw) >= 14 and raw[12:14] == b"\x08\x06"


def is_gre(raw):
    return len(raw) >= 34 and raw[12:14] == b"\x08\x00" and raw[23] == 47


def gre_proto(raw):
    """GRE protocol type of an Ethernet + IPv4 + GRE frame, else None."""
    if not is_gre(raw):
        return None
    off = 14 + (raw[14] & 0x0f) * 4
    return int.from_bytes(raw[off + 2:off + 4], "big") if len(raw) >= off + 4 else None


def is_gre_data(raw):
    """GRE carrying IPv4: what the data plane forwards (not NHRP)."""
    return gre_proto(raw) == 0x0800


def is_nhrp(raw):
    """GRE carrying NHRP (0x2001): the controller's messages, sent by the
    data plane from the inject ring."""
    return gre_proto(raw) == 0x2001


DATA_FILTER = "gre.proto == 0x0800"     # tshark: GRE data frames, not NHRP


def nhrp_type(raw):
    """NHRP packet type (ar$op.type, RFC 2332 5.2.0.1) of a GRE/NHRP frame."""
    if not is_nhrp(raw):
        return None
    off = 14 + (raw[14] & 0x0f) * 4
    flags = int.from_bytes(raw[off:off + 2], "big")
    off += 4 + (4 if flags & 0x2000 else 0) + (4 if flags & 0x8000 else 0)
    return raw[off + 17] if len(raw) > off + 17 else None


def tshark_fields(path, fields, display_filter=None, extra=()):
    """Rows of tshark -T fields (every occurrence, comma separated), with the
    IPv4 checksum checked (ip.checksum.status 1 = good, 0 = bad)."""
    argv = ["tshark", "-n", "-r", path, "-o", "ip.check_checksum:TRUE", "-T", "fields",
            "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    argv += list(extra)
    if display_filter:
        argv += ["-Y", display_filter]
    for f in fields:
        argv += ["-e", f]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError("tshark failed: %s" % r.stderr)
    rows = []
    for line in r.stdout.splitlines():
        cols = line.split("\t")
        cols += [""] * (len(fields) - len(cols))
        rows.append(dict(zip(fields, cols)))
    return rows


# --------------------------------------------------------------------------
# Runner


def xfail(bug):
    """Marks a test function as failing because of a known bug (named in
    `bug`): its failure is reported as XFAIL, and its unexpected success as a
    failure (XPASS) so the mark is removed once the bug is fixed."""
    def mark(fn):
        fn.xfail = bug
        return fn
    return mark


def run_tests(module_globals, argv=None):
    """Runs every test_* function of the calling module (or those named on
    the command line).  Exit: 0 all passed, 1 a failure, 77 skipped."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        require_env()
    except Skip as e:
        log("SKIP: %s" % e)
        sys.exit(SKIP)
    tests = [(n, f) for n, f in module_globals.items()
             if n.startswith("test_") and callable(f)]
    if argv:
        tests = [(n, f) for n, f in tests if n in argv or n[5:] in argv]
    failed = []
    for name, fn in tests:
        t0 = time.monotonic()
        log("=== %s" % name)
        bug = getattr(fn, "xfail", None)
        try:
            fn()
            if bug:
                log("XPASS %s: expected to fail (%s) but passed: remove the mark" % (name, bug))
                failed.append(name)
            else:
                log("PASS %s (%.1f s)" % (name, time.monotonic() - t0))
        except Skip as e:
            log("SKIP %s: %s" % (name, e))
        except Exception:
            traceback.print_exc(file=sys.stdout)
            if bug:
                log("XFAIL %s (known bug: %s)" % (name, bug))
            else:
                log("FAIL %s (%.1f s)" % (name, time.monotonic() - t0))
                failed.append(name)
    log("%d passed, %d failed%s" % (len(tests) - len(failed), len(failed),
                                    (": " + ", ".join(failed)) if failed else ""))
    sys.exit(1 if failed else 0)
