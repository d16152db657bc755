#!/usr/bin/env python3
"""The forwarding benchmark (`make bench`): twinpath-dp against DPDK's
l3fwd (LPM) on identical vdevs, routes and traffic, one forwarding lcore.

Input is a pcap of 64-byte IPv4/UDP frames to random destinations over the
route table, replayed from memory forever by net_pcap (infinite_rx=1) as
the LAN port / l3fwd's port 0; egress goes to net_null ports (no-rx=1),
one per link. Rates are read twice from each process's DPDK telemetry
socket (/ethdev/stats); cycles per packet = TSC Hz / forwarded pps. The
replay's own cost is in both numbers: DPDK's skeleton (basicfwd) on the same
vdevs measures it, and net = total - harness is reported beside totals.
Only ratios from one run are comparable. A second twinpath-dp with
dataplane.idle_sleep_us = 0 (twinpath_spin: its own instance, channel
and EAL prefix, the same routes) takes its turns too: idle_backoff_cost =
twinpath / twinpath_spin cycles per packet is what the idle back-off's
per-poll clock read costs at full rate. A third, twinpath_suspect, has
links.suspect { } on every link (link suspicion's sampled flows, one in
16 noted): suspect_cost = twinpath_suspect / twinpath cycles per packet
is what gathering that evidence costs. Beside twinpath-dp's update
rates, fibalone times rte_fib_add alone on the same routes (their
ceiling: what is left a route is rte_fib's). Writes OUT/fwd.json and
prints a Markdown table. Every process it starts is stopped, its
hugepage files, run directory and channel removed, on exit or Ctrl-C."""
import argparse
import datetime
import glob
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
INSTANCE = "benchfwd"            # twinpath-dp's channel, EAL prefix
DP_PREFIX = "twinpath-" + INSTANCE
# the same twinpath-dp with dataplane.idle_sleep_us = 0 (spins forever,
# as classic DPDK): the default back-off's per-poll cost at full rate is
# twinpath's cycles/pkt over this one's
SPIN_INSTANCE = INSTANCE + "-spin"
SPIN_PREFIX = "twinpath-" + SPIN_INSTANCE
# ... and with links.suspect { } (and the bfd { } it needs, ignored on a
# vdev) on every link: the evidence gathering's cost is this one's
# cycles/pkt over twinpath's
SUS_INSTANCE = INSTANCE + "-sus"
SUS_PREFIX = "twinpath-" + SUS_INSTANCE
# The variants of twinpath-dp measured beside it in the same rounds:
# (key, instance, EAL prefix, what differs, write_config's extra
# arguments, the cost's name, whether the cost is variant / twinpath)
VARIANTS = [
    ("twinpath_spin", SPIN_INSTANCE, SPIN_PREFIX, "idle_sleep_us 0",
     {"idle_sleep_us": 0}, "idle_backoff_cost", False),
    ("twinpath_suspect", SUS_INSTANCE, SUS_PREFIX,
     "links.suspect { } on every link", {"suspect": True}, "suspect_cost",
     True),
]
# --alt-build's twinpath-dp, another build's binary on twinpath's config:
# an A/B of two builds in the same rounds, its cost alt / twinpath
ALT_INSTANCE = INSTANCE + "-alt"
ALT_PREFIX = "twinpath-" + ALT_INSTANCE
ALT_VARIANT = ("twinpath_alt", ALT_INSTANCE, ALT_PREFIX,
               "the --alt-build binary", {}, "alt_cost", True)
L3FWD_PREFIX = "benchfwd-l3fwd"
SKEL_PREFIX = "benchfwd-skel"
RUN_DIR = "/var/run/dpdk"
FWD_LCORE = "1"                  # the forwarding lcore of every program
MAIN_LCORE = "0"                 # twinpath-dp's main lcore (its CPU)
# the EAL's memory: hugepages, unlinked once mapped
EAL_HUGE = ("--huge-unlink",)
LOAD_TIMEOUT_S = 400             # l3fwd's LPM loads 1 M rules in ~100 s

children = []                    # Popen objects still to stop


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


# --- DPDK telemetry ---------------------------------------------------------

def tel_path(prefix):
    return "%s/%s/dpdk_telemetry.v2" % (RUN_DIR, prefix)


def tel(prefix, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    try:
        s.connect(tel_path(prefix))
        hello = json.loads(s.recv(4096).decode())
        s.send(cmd.encode())
        reply = json.loads(s.recv(int(hello.get("max_output_len", 16384))
                                  + 1).decode())
    finally:
        s.close()
    return reply[cmd.split(",")[0]]


def heap_mib(prefix):
    """Hugepage memory the EAL of PREFIX holds (socket 0's heap); for
    the log only, so NaN rather than an error if telemetry lacks it."""
    try:
        return tel(prefix, "/eal/heap_info,0")["Heap_size"] / 2**20
    except (OSError, ValueError, KeyError, TypeError):
        return float("nan")


def huge_free():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                return int(line.split()[1])
    return -1


def egress_ports(prefix):
    """Port ids of the net_null ports: where forwarded packets leave."""
    ports = []
    for pid in tel(prefix, "/ethdev/list"):
        if tel(prefix, "/ethdev/info,%d" % pid)["name"].startswith("net_null"):
            ports.append(pid)
    return ports


def tx_total(prefix, ports):
    return sum(tel(prefix, "/ethdev/stats,%d" % p)["opackets"] for p in ports)


def fwd_thread(pid):
    """The forwarding lcore's thread: DPDK's rte-worker-N when the
    program has a main lcore besides it, else the main thread. A thread
    may exit between the listing and the read (EAL and driver helpers
    do): it is not the one we want."""
    for task in glob.glob("/proc/%d/task/*" % pid):
        try:
            with open(task + "/comm") as f:
                comm = f.read().strip()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if comm == "rte-worker-" + FWD_LCORE:
            return int(os.path.basename(task))
    return pid


def cpu_ns(pid, tid):
    """Time the thread has spent on a CPU (schedstat), in ns."""
    with open("/proc/%d/task/%d/schedstat" % (pid, tid)) as f:
        return int(f.read().split()[0])


class Sample:
    """Packets forwarded over a window, with the forwarding thread's CPU
    time in it: pps per CPU-second is what the lcore costs per packet
    even when the 2-core machine's other jobs take some of its time."""

    def __init__(self, prefix, ports, pid, tid):
        self.args = (prefix, ports, pid, tid)
        self.pkts = tx_total(prefix, ports)
        self.cpu = cpu_ns(pid, tid)
        self.wall = time.monotonic()

    def since(self, a):
        pkts, cpu = self.pkts - a.pkts, (self.cpu - a.cpu) / 1e9
        wall = self.wall - a.wall
        return {"pps": pkts / cpu if cpu > 0 else 0.0,
                "pps_wall": pkts / wall, "cpu_share": cpu / wall}


def rate(prefix, ports, proc, seconds, samples):
    """The best of SAMPLES windows that together last SECONDS: other jobs
    on the machine only ever add cycles (cache, preemption), so the least
    disturbed window is the closest to the program's own cost."""
    tid = fwd_thread(proc.pid)
    best = None
    for _ in range(samples):
        a = Sample(prefix, ports, proc.pid, tid)
        time.sleep(seconds / samples)
        r = Sample(prefix, ports, proc.pid, tid).since(a)
        if best is None or r["pps"] > best["pps"]:
            best = r
    return best


def wait_telemetry(prefix, proc, timeout, ready=None):
    """Until the telemetry socket answers (and READY() is true)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %d" % (prefix, proc.returncode))
        try:
            tel(prefix, "/eal/params")
            if ready is None or ready():
                return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.2)
    raise RuntimeError("%s: not ready within %d s" % (prefix, timeout))


# --- processes --------------------------------------------------------------

def start(argv, logpath, prefix):
    f = open(logpath, "w")
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT,
                         start_new_session=True)
    p.logfile = f
    p.prefix = prefix
    children.append(p)
    return p


def stop(p):
    """SIGTERM, then SIGKILL after 10 s; then the EAL's leftovers."""
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            os.killpg(p.pid, signal.SIGCONT)  # if paused (interleave)
        except ProcessLookupError:
            pass
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    p.logfile.close()
    if p in children:
        children.remove(p)
    eal_cleanup(p.prefix)


def eal_cleanup(prefix):
    """Hugepage files and run directory of the EAL file prefix PREFIX."""
    assert prefix.startswith(("benchfwd", "twinpath-benchfwd"))
    for f in glob.glob("/dev/hugepages/%smap_*" % prefix):
        os.unlink(f)
    shutil.rmtree("%s/%s" % (RUN_DIR, prefix), ignore_errors=True)


def cleanup_all():
    for p in list(children):
        stop(p)
    for prefix in (DP_PREFIX, SPIN_PREFIX, SUS_PREFIX, ALT_PREFIX,
                   L3FWD_PREFIX, SKEL_PREFIX):
        eal_cleanup(prefix)
    for instance in (INSTANCE, SPIN_INSTANCE, SUS_INSTANCE, ALT_INSTANCE):
        unlink_channel(instance)


def unlink_channel(instance):
    try:
        os.unlink("/dev/shm/" + instance)
    except FileNotFoundError:
        pass


# --- inputs -----------------------------------------------------------------

def write_config(path, links, pcap, mbufs, instance=INSTANCE,
                 idle_sleep_us=None, suspect=False, eal=EAL_HUGE):
    """A twinpath-dp config whose ports are DPDK vdevs. rt_priority 0:
    l3fwd and the harness run at the default scheduler, so twinpath-dp
    must too for the ratio to compare forwarding, not priorities.
    IDLE_SLEEP_US None leaves dataplane.idle_sleep_us at its default;
    SUSPECT puts bfd { } and suspect { } on every link; EAL: the EAL's
    memory options."""
    idle = ("" if idle_sleep_us is None
            else " idle_sleep_us = %d;" % idle_sleep_us)
    sus = " bfd = { }; suspect = { };" if suspect else ""
    link_groups = []
    for i in range(links):
        link_groups.append(
            '  { name = "link%d"; interface = "blink%d"; '
            'device = "net_null%d,no-rx=1"; local_address = "203.0.113.%d/30"; '
            'peer_address = "203.0.113.%d"; remote_as = 35540;%s }'
            % (i + 1, i + 1, i + 1, 4 * i + 1, 4 * i + 2, sus))
    with open(path, "w") as f:
        f.write('instance = "%s";\nlocal_as = 65001;\nrouter_id = '
                '"198.18.1.1";\nmode = "active-active";\n'
                'dataplane = { eal_args = ["-l", "%s-%s", %s]; '
                'mbufs = %d; ipv4_routes_max = 1048576; '
                'ipv6_routes_max = 262144; rt_priority = 0;%s };\n'
                'lan = { interface = "blan0"; device = '
                '"net_pcap0,rx_pcap=%s,infinite_rx=1"; address = '
                '"198.18.1.1/24"; };\nlinks = (\n%s\n);\n'
                % (instance, MAIN_LCORE, FWD_LCORE,
                   ", ".join('"%s"' % a for a in eal), mbufs, idle, pcap,
                   ",\n".join(link_groups)))


def write_rules6(work):
    """l3fwd's IPv6 rule file in WORK: one rule (it wants at least one)."""
    path = os.path.join(work, "rules6.txt")
    with open(path, "w") as f:
        f.write("R2001:db8::/32 1\n")
    return path


def traffic(args, config, routes, rules, pcap):
    """The case's ROUTES as l3fwd's rule file RULES (routegen, on
    CONFIG's links) and, unless it is there, the pcap PCAP of packets to
    them (mkpcap.py)."""
    subprocess.run(routegen(args, config, routes,
                            ["--rules", rules, "--no-push"]), check=True)
    if not os.path.exists(pcap):
        subprocess.run([sys.executable, os.path.join(HERE, "mkpcap.py"),
                        rules, pcap, str(args.packets), str(args.seed)],
                       check=True)


def routegen(args, config, routes, extra):
    return [os.path.join(args.build, "bench/fwd/routegen"), "--config",
            config, "--routes", str(routes), "--seed", str(args.seed)] + extra


# --- the three programs -----------------------------------------------------

def run_harness(args, work, pcap):
    """basicfwd: rx burst -> tx burst, nothing else."""
    exe = os.path.join(args.refs, "skeleton/build/basicfwd")
    p = start([exe, "-l", FWD_LCORE, "-n", "1", "--no-pci", "--huge-unlink",
               "--file-prefix=" + SKEL_PREFIX,
               "--vdev", "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap,
               "--vdev", "net_null1,no-rx=1"], os.path.join(work, "skel.log"),
              SKEL_PREFIX)
    try:
        wait_telemetry(SKEL_PREFIX, p, 60)
        time.sleep(args.warmup)
        return rate(SKEL_PREFIX, egress_ports(SKEL_PREFIX), p, args.seconds,
                    args.samples)
    finally:
        stop(p)


def start_l3fwd(args, work, rules, rules6, pcap, links, wrap=(),
                eal=EAL_HUGE):
    """l3fwd started (under the command WRAP, if any; EAL: the EAL's
    memory options) and its routes loaded; returns (process, load s)."""
    exe = os.path.join(args.refs, "l3fwd/build/l3fwd")
    argv = (list(wrap) + [exe, "-l", FWD_LCORE, "-n", "1", "--no-pci"] +
            list(eal) + ["--file-prefix=" + L3FWD_PREFIX, "--vdev",
                         "net_pcap0,rx_pcap=%s,infinite_rx=1" % pcap])
    for i in range(links):
        argv += ["--vdev", "net_null%d,no-rx=1" % (i + 1)]
    # one lcore, one tx queue per port (net_pcap with only rx_pcap has one)
    argv += ["--", "-p", hex((1 << (links + 1)) - 1), "--config=(0,0,%s)"
             % FWD_LCORE, "--lookup=lpm", "--parse-ptype",
             "--rule_ipv4=" + rules, "--rule_ipv6=" + rules6]
    logpath = os.path.join(work, "l3fwd-%d.log" % links)
    p = start(argv, logpath, L3FWD_PREFIX)
    t0 = time.monotonic()

    def in_main_loop():
        with open(logpath) as f:
            return "entering main loop" in f.read()
    try:
        wait_telemetry(L3FWD_PREFIX, p, LOAD_TIMEOUT_S, in_main_loop)
    except BaseException:
        stop(p)
        raise
    return p, time.monotonic() - t0


def pause(p):
    os.killpg(p.pid, signal.SIGSTOP)


def resume(p):
    os.killpg(p.pid, signal.SIGCONT)


def interleave(args, contenders):
    """Forwarding rates of CONTENDERS, (name, process, EAL prefix)
    tuples, measured in turns: ROUNDS times each in order, every other
    one stopped (SIGSTOP: all forward on the same core). Slow changes of
    the machine (a neighbour's load) then hit all alike; the best window
    of each counts. Returns {name: best rate}; all are left running."""
    best = {}
    for _ in range(args.rounds):
        for name, p, prefix in contenders:
            for _, other, _ in contenders:
                if other is not p:
                    pause(other)
            resume(p)
            time.sleep(args.warmup)
            r = rate(prefix, egress_ports(prefix), p, args.seconds,
                     args.samples)
            if name not in best or r["pps"] > best[name]["pps"]:
                best[name] = r
    for _, p, _ in contenders:
        resume(p)
    return best


def drops(prefix):
    return tel(prefix, "/twinpath/drops")


# The group pair each order's pushes alternate between. The pairs
# differ, so that the first push of an order moves every route whatever
# the other order's last push left: with one pair for both, an odd number
# of prefix-order pushes left the routes on the group the random-order
# pushes start with, and that first push changed nothing (only the
# stamps) yet counted a million updates.
UPDATE_GROUPS = {"prefix": 2, "random": 4}


def updates(args, config, routes, p, ports, order):
    """Full tables pushed back to back in ORDER while twinpath-dp
    forwards: routes applied per second, forwarding rate and drops."""
    gen = subprocess.Popen(
        routegen(args, config, routes,
                 ["--group", str(UPDATE_GROUPS[order]),
                  "--repeat-for", str(args.update_seconds),
                  "--wait-go", "--order", order]),
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if gen.stdout.readline().strip() != "ready":
        raise RuntimeError("routegen did not get ready")
    tid = fwd_thread(p.pid)
    r0 = tel(DP_PREFIX, "/twinpath/fib").get("lookups_retried", 0)
    d0, a = drops(DP_PREFIX), Sample(DP_PREFIX, ports, p.pid, tid)
    gen.stdin.write("go\n")
    gen.stdin.flush()
    upd = gen.stdout.readline()
    rate = Sample(DP_PREFIX, ports, p.pid, tid).since(a)
    d1 = drops(DP_PREFIX)
    r1 = tel(DP_PREFIX, "/twinpath/fib").get("lookups_retried", 0)
    if gen.wait(60) != 0 or not upd:
        raise RuntimeError("routegen update push (%s order) failed" % order)
    upd = json.loads(upd)
    return {"routes_per_s": upd["routes_per_s"], "pushes": upd["pushes"],
            "rate": rate,
            "drops": {k: d1[k] - d0[k] for k in d1 if d1[k] != d0[k]},
            # torn rte_fib reads looked up again (not dropped)
            "lookups_retried": r1 - r0}


def fib_alone(args, rules):
    """rte_fib_add alone (fibalone: no channel, no route table, no
    producer) on the routes of RULES, on the main lcore's CPU while
    twinpath-dp forwards beside it: the ceiling of its update rates."""
    out = subprocess.run(
        [os.path.join(args.build, "bench/fwd/fibalone"), "-l", MAIN_LCORE,
         "--no-pci", "--in-memory", "--log-level=1", "--", rules],
        capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        raise RuntimeError("fibalone: %s" % out.stderr.strip())
    return json.loads(out.stdout)


def load_twinpath(args, work, config, routes, prefix, logname, wrap=(),
                  timeout=60, build=None):
    """A twinpath-dp started on CONFIG (EAL prefix PREFIX; under the
    command WRAP, if any) and its table of ROUTES pushed by routegen;
    returns (process, routegen's report). The process is stopped if it
    does not get there within TIMEOUT s. BUILD: the build directory whose
    twinpath-dp runs (args.build's by default)."""
    exe = os.path.join(build or args.build, "dataplane/twinpath-dp")
    logpath = os.path.join(work, logname)
    p = start(list(wrap) + [exe, "--config", config], logpath, prefix)
    try:
        wait_telemetry(prefix, p, timeout)
        out = subprocess.run(routegen(args, config, routes, []),
                             capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            with open(logpath) as f:
                tail = "".join(f.readlines()[-5:])
            raise RuntimeError("routegen: %s\ntwinpath-dp log:\n%s"
                               % (out.stderr.strip(), tail))
        fib = tel(prefix, "/twinpath/fib")
        if fib["routes"] != routes:
            raise RuntimeError("twinpath-dp holds %d of %d routes (see %s)"
                               % (fib["routes"], routes, logpath))
        return p, json.loads(out.stdout)
    except BaseException:
        stop(p)
        raise


def start_twinpath(args, work, config, routes):
    """twinpath-dp started, the table loaded and the update rates
    measured while it forwards; returns (process, results)."""
    p, load = load_twinpath(args, work, config, routes, DP_PREFIX,
                            "twinpath-dp.log")
    res = {}
    try:
        res["fib_load_per_s"] = load["routes_per_s"]
        ports = egress_ports(DP_PREFIX)
        time.sleep(args.warmup)

        # Updates while forwarding: full tables back to back, every route
        # moved between two groups, for at least update_seconds; in
        # prefix order (twinpathd's full sync), then in random order (a
        # peer's updates as they come)
        for order, key in (("prefix", ""), ("random", "_random")):
            u = updates(args, config, routes, p, ports, order)
            res["fib_updates_per_s" + key] = u["routes_per_s"]
            res["during_updates" + key] = u["rate"]
            res["update_pushes" + key] = u["pushes"]
            res["drops_during_updates" + key] = u["drops"]
            res["lookups_retried_during_updates" + key] = \
                u["lookups_retried"]
        return p, res
    except BaseException:
        stop(p)
        raise


def ipv6_updates(args, config):
    """IPv6 routes through the channel: update rate only, and last,
    since an IPv6-only full sync sweeps the IPv4 routes the replayed
    traffic needs. The first push loads the table (and sweeps IPv4), the
    timed ones move every route between two groups."""
    for extra in (["--group", "1"],
                  ["--group", "2", "--repeat-for",
                   str(args.update_seconds)]):
        out = subprocess.run(
            routegen(args, config, args.ipv6_routes,
                     ["--family", "6"] + extra),
            capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise RuntimeError("routegen --family 6: %s"
                               % out.stderr.strip())
    fib = tel(DP_PREFIX, "/twinpath/fib")
    if fib["routes_ipv6"] != args.ipv6_routes:
        raise RuntimeError("twinpath-dp holds %d of %d IPv6 routes"
                           % (fib["routes_ipv6"], args.ipv6_routes))
    return json.loads(out.stdout)["routes_per_s"]


# --- report -----------------------------------------------------------------

def table(result):
    h = result["harness_cycles_per_pkt"]
    lines = [
        "| routes | links | lcores | twinpath Mpps | twinpath cyc/pkt (net) "
        "| l3fwd Mpps | l3fwd cyc/pkt (net) | ratio | ratio net "
        "| FIB updates/s | Mpps during updates "
        "| FIB updates/s, random order "
        "| twinpath-spin cyc/pkt (net) | idle back-off cost "
        "| twinpath-suspect cyc/pkt (net) | suspect cost |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
        "---:|---:|---:|---:|"]
    for c in result["cases"]:
        cols = []
        for key, _, _, _, _, cost, _ in VARIANTS:
            if key == ALT_VARIANT[0]:
                continue
            if c[cost] is None:
                cols.append("- | -")
            else:
                cols.append("%.1f (%.1f) | %.3f" % (
                    c[key + "_cycles_per_pkt"],
                    c[key + "_net_cycles_per_pkt"], c[cost]))
        spin = " | ".join(cols)
        lines.append(
            "| %s | %d | %d | %.2f | %.1f (%.1f) | %.2f | %.1f (%.1f) | "
            "%.2f | %.2f | %s | %.2f | %s | %s |" % (
                "{:,}".format(c["routes"]), c["links"], c["lcores"],
                c["twinpath_mpps"], c["twinpath_cycles_per_pkt"],
                c["twinpath_cycles_per_pkt"] - h, c["l3fwd_mpps"],
                c["l3fwd_cycles_per_pkt"], c["l3fwd_cycles_per_pkt"] - h,
                c["ratio"], c["ratio_net"],
                "{:,.0f}".format(c["fib_updates_per_s"]),
                c["mpps_during_updates"],
                "{:,.0f}".format(c["fib_updates_per_s_random"]), spin))
    lines.append("")
    lines.append("Harness (DPDK skeleton, pcap replay -> null): %.2f Mpps, "
                 "%.1f cycles/pkt; net = total - harness. TSC %.3f GHz, "
                 "64-byte IPv4/UDP, %d packets to random destinations. "
                 "twinpath: default dataplane.idle_sleep_us; twinpath-spin: "
                 "idle_sleep_us 0; idle back-off cost = twinpath / "
                 "twinpath-spin cycles/pkt; twinpath-suspect: "
                 "links.suspect { } on every link; suspect cost = "
                 "twinpath-suspect / twinpath cycles/pkt."
                 % (result["harness_mpps"], h, result["tsc_hz"] / 1e9,
                    result["packets"]))
    lines.append("Over every case: worst ratio %.2f (issue 15's bar: 0.95), "
                 "lowest random-order update rate %.2f M/s (bar: 2 M/s)."
                 % (result["ratio_max"],
                    result["fib_updates_per_s_random_min"] / 1e6))
    return "\n".join(lines)


def on_signal(sig, frame):
    """Exit through main's cleanup, which must then run to its end: a
    Ctrl-C reaches us twice (from the terminal and forwarded by run.sh's
    timeout, which shares our process group with --foreground), and a
    second SystemExit inside cleanup_all left programs stopped with
    their hugepages held."""
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, signal.SIG_IGN)
    sys.exit(128 + sig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--refs", required=True,
                    help="scratch dir where refs.sh built l3fwd/basicfwd")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "out"))
    ap.add_argument("--routes", default="1000,100000,1000000")
    ap.add_argument("--links", default="2,4")
    ap.add_argument("--packets", type=int, default=32768)
    ap.add_argument("--mbufs", type=int, default=49151)
    ap.add_argument("--seconds", type=float, default=1.5)
    ap.add_argument("--samples", type=int, default=3,
                    help="windows per measurement; the best one counts")
    ap.add_argument("--rounds", type=int, default=5,
                    help="turns of twinpath-dp and l3fwd forwarding")
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--update-seconds", type=float, default=2.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ipv6-routes", type=int, default=100000,
                    help="IPv6 table pushed for its update rate (0: skip)")
    ap.add_argument("--spin-routes", default=None,
                    help="route counts whose cases also measure twinpath-dp "
                    "with idle_sleep_us 0 and with links.suspect "
                    "(default: all; '' none)")
    ap.add_argument("--alt-build", default=None,
                    help="a second build directory whose twinpath-dp is "
                    "measured in the same rounds (an A/B), in the cases "
                    "of --spin-routes: one more twinpath-dp, about 1.3 "
                    "GiB of hugepages (run.sh's BENCH_HUGEPAGES)")
    args = ap.parse_args()
    if args.alt_build:
        args.alt_build = os.path.abspath(args.alt_build)
        VARIANTS.append(ALT_VARIANT)
    route_counts = [int(x) for x in args.routes.split(",")]
    spin_counts = (route_counts if args.spin_routes is None else
                   [int(x) for x in args.spin_routes.split(",") if x])
    link_counts = [int(x) for x in args.links.split(",")]

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)
    work = tempfile.mkdtemp(prefix="twp-bench.")
    cleanup_all()
    try:
        tsc_hz = float(subprocess.check_output(
            [os.path.join(args.build, "bench/fwd/tsc_hz")]).decode())
        rules6 = write_rules6(work)
        cases = []
        skipped = []
        harness = None
        for routes in route_counts:
            pcap = os.path.join(work, "traffic-%d.pcap" % routes)
            for links in link_counts:
                config = os.path.join(work, "twinpath-%d-%d.conf"
                                      % (routes, links))
                rules = os.path.join(work, "rules-%d-%d.txt" % (routes, links))
                write_config(config, links, pcap, args.mbufs)
                # the variants' configs, where this case measures them
                vconf = {}
                for key, inst, _, _, extra, _, _ in VARIANTS:
                    if routes in spin_counts:
                        vconf[key] = os.path.join(
                            work, "%s-%d-%d.conf" % (inst, routes, links))
                        write_config(vconf[key], links, pcap, args.mbufs,
                                     inst, **extra)
                traffic(args, config, routes, rules, pcap)
                if harness is None:
                    log("harness (skeleton)")
                    harness = run_harness(args, work, pcap)
                log("twinpath-dp: %d routes, %d links" % (routes, links))
                tp_p, tp = start_twinpath(args, work, config, routes)
                # in the updates' conditions: twinpath-dp still forwards
                log("rte_fib_add alone: %d routes" % routes)
                tp["fib_alone"] = fib_alone(args, rules)
                pause(tp_p)
                contenders = [("twinpath", tp_p, DP_PREFIX)]
                vproc = {}
                for key, inst, pre, what, _, _, _ in VARIANTS:
                    if key not in vconf:
                        continue
                    # the same routes (same seed) through its own channel
                    log("twinpath-dp, %s: %d routes, %d links"
                        % (what, routes, links))
                    try:
                        vp, _ = load_twinpath(
                            args, work, vconf[key], routes, pre,
                            "%s.log" % inst,
                            build=(args.alt_build
                                   if key == ALT_VARIANT[0] else None))
                    except RuntimeError as e:
                        # e.g. no hugepages left for another program: the
                        # case still measures twinpath-dp against l3fwd,
                        # the run fails at the end (skipped, in the JSON)
                        log("twinpath-dp, %s, SKIPPED: %s" % (what, e))
                        skipped.append({"routes": routes, "links": links,
                                        "variant": key, "error": str(e)})
                        unlink_channel(inst)
                        continue
                    pause(vp)
                    vproc[key] = vp
                    contenders.append((key, vp, pre))
                log("l3fwd: %d routes, %d links" % (routes, links))
                l3_p, l3_load = start_l3fwd(args, work, rules, rules6,
                                            pcap, links)
                log("%d programs, %d rounds in turns"
                    % (len(contenders) + 1, args.rounds))
                # a stopped process does not answer telemetry
                for _, p, _ in contenders:
                    resume(p)
                d0 = {pre: drops(pre) for _, _, pre in contenders}
                contenders.insert(0, ("l3fwd", l3_p, L3FWD_PREFIX))
                log("hugepage memory (MiB): %s; %d huge pages free"
                    % (", ".join("%s %.0f" % (n, heap_mib(pre))
                                 for n, _, pre in contenders),
                       huge_free()))
                best = interleave(args, contenders)
                d1 = {pre: drops(pre) for pre in d0}
                lost = {pre: sum(d1[pre][k] - d0[pre][k] for k in d1[pre])
                        for pre in d1}
                tp["fwd"], l3 = best["twinpath"], best["l3fwd"]
                tp["drops"] = lost[DP_PREFIX]
                stop(l3_p)
                # before the IPv6 updates, which twinpath-dp alone must
                # run on the forwarding core
                for key, inst, _, _, _, _, _ in VARIANTS:
                    if key in vproc:
                        stop(vproc[key])
                        unlink_channel(inst)
                if args.ipv6_routes > 0:
                    tp["fib6_updates_per_s"] = ipv6_updates(args, config)
                stop(tp_p)
                unlink_channel(INSTANCE)
                h = tsc_hz / harness["pps"]
                tp_c = tsc_hz / tp["fwd"]["pps"]
                l3_c = tsc_hz / l3["pps"]
                upd = tp["during_updates"]
                spin = {}
                for key, _, pre, _, _, cost, over in VARIANTS:
                    vc = None
                    if key in vproc:
                        v = best[key]
                        vc = tsc_hz / v["pps"]
                    spin.update({
                        key + "_mpps":
                            round(v["pps"] / 1e6, 3) if vc else None,
                        key + "_cycles_per_pkt": round(vc, 1) if vc else None,
                        key + "_net_cycles_per_pkt":
                            round(vc - h, 1) if vc else None,
                        cost: (round(vc / tp_c if over else tp_c / vc, 3)
                               if vc else None),
                        key + "_drops_while_measuring":
                            lost[pre] if vc else None,
                        key + "_cpu_share":
                            round(v["cpu_share"], 3) if vc else None})
                cases.append({
                    "routes": routes, "links": links, "lcores": 1,
                    "twinpath_mpps": round(tp["fwd"]["pps"] / 1e6, 3),
                    "twinpath_cycles_per_pkt": round(tp_c, 1),
                    "l3fwd_mpps": round(l3["pps"] / 1e6, 3),
                    "l3fwd_cycles_per_pkt": round(l3_c, 1),
                    "ratio": round(tp_c / l3_c, 3),
                    "twinpath_net_cycles_per_pkt": round(tp_c - h, 1),
                    "l3fwd_net_cycles_per_pkt": round(l3_c - h, 1),
                    "ratio_net": round((tp_c - h) / (l3_c - h), 3),
                    "fib_updates_per_s": round(tp["fib_updates_per_s"]),
                    "fib_updates_order": "prefix",
                    "fib_updates_per_s_random":
                        round(tp["fib_updates_per_s_random"]),
                    "mpps_during_updates_random":
                        round(tp["during_updates_random"]["pps"] / 1e6, 3),
                    "update_pushes_random": tp["update_pushes_random"],
                    "drops_during_updates_random":
                        tp["drops_during_updates_random"],
                    "lookups_retried_during_updates_random":
                        tp["lookups_retried_during_updates_random"],
                    "fib_load_per_s": round(tp["fib_load_per_s"]),
                    # the same routes through rte_fib_add alone, every
                    # one rewritten in prefix order (as twinpath-dp's
                    # bulk writes them) and in random order
                    "rte_fib_alone_load_per_s":
                        tp["fib_alone"]["load_per_s"],
                    "rte_fib_alone_per_s":
                        tp["fib_alone"]["rewrite_prefix_order_per_s"],
                    "rte_fib_alone_per_s_random":
                        tp["fib_alone"]["rewrite_random_order_per_s"],
                    # a fresh FIB instead: create, load, free the old
                    "rte_fib_alone_create_ms": tp["fib_alone"]["create_ms"],
                    "rte_fib_alone_free_ms": tp["fib_alone"]["free_ms"],
                    "updates_random_over_rte_fib_alone": round(
                        tp["fib_updates_per_s_random"] /
                        tp["fib_alone"]["rewrite_prefix_order_per_s"], 3),
                    "ipv6_routes": args.ipv6_routes,
                    "fib6_updates_per_s":
                        round(tp.get("fib6_updates_per_s", 0)),
                    "mpps_during_updates": round(upd["pps"] / 1e6, 3),
                    "mpps_wall_during_updates":
                        round(upd["pps_wall"] / 1e6, 3),
                    "update_pushes": tp["update_pushes"],
                    "drops_during_updates": tp["drops_during_updates"],
                    "lookups_retried_during_updates":
                        tp["lookups_retried_during_updates"],
                    "twinpath_drops_while_measuring": tp["drops"],
                    "twinpath_cpu_share": round(tp["fwd"]["cpu_share"], 3),
                    "l3fwd_cpu_share": round(l3["cpu_share"], 3),
                    "l3fwd_route_load_s": round(l3_load, 1),
                })
                cases[-1].update(spin)
                log("  twinpath %.1f cyc/pkt, l3fwd %.1f, ratio %.2f; "
                    "updates/s %.0f IPv4 (%.0f in random order), %.0f IPv6; "
                    "rte_fib_add alone %.0f (%.0f in random order)"
                    % (tp_c, l3_c, tp_c / l3_c, tp["fib_updates_per_s"],
                       tp["fib_updates_per_s_random"],
                       tp.get("fib6_updates_per_s", 0),
                       tp["fib_alone"]["rewrite_prefix_order_per_s"],
                       tp["fib_alone"]["rewrite_random_order_per_s"]))
                for key, _, _, _, _, cost, _ in VARIANTS:
                    if spin[cost] is not None:
                        log("  %s %.1f cyc/pkt, %s %.3f"
                            % (key.replace("_", "-"),
                               spin[key + "_cycles_per_pkt"],
                               cost.replace("_", " "), spin[cost]))
        result = {
            "date": datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "host": platform.node(), "cpus": os.cpu_count(),
            "tsc_hz": round(tsc_hz), "packets": args.packets,
            "packet_bytes": 64, "seconds": args.seconds,
            "samples": args.samples, "rounds": args.rounds,
            "harness_mpps": round(harness["pps"] / 1e6, 3),
            "harness_cycles_per_pkt": round(tsc_hz / harness["pps"], 1),
            "rates": "packets per CPU-second of the forwarding lcore's "
                     "thread (schedstat), best of the windows",
            "twinpath_suspect": "twinpath-dp with links.suspect { } on "
                                "every link, in the same rounds; "
                                "suspect_cost = twinpath_suspect / "
                                "twinpath cycles/pkt; null where not run "
                                "(--spin-routes) or skipped",
            "twinpath_spin": "twinpath-dp with dataplane.idle_sleep_us 0, "
                             "in the same rounds; idle_backoff_cost = "
                             "twinpath (default idle_sleep_us) / "
                             "twinpath_spin cycles/pkt; null where not run",
            "rte_fib_alone": "rte_fib_add alone (bench/fwd/fibalone) on "
                             "the case's routes, on the main lcore's CPU "
                             "while twinpath-dp forwards: load (prefix "
                             "order, empty FIB), every route rewritten in "
                             "prefix order (rte_fib_alone_per_s, as "
                             "twinpath-dp's bulk writes) and in random "
                             "order; create_ms and free_ms of that FIB. "
                             "updates_random_over_rte_fib_alone = "
                             "fib_updates_per_s_random / "
                             "rte_fib_alone_per_s",
            "cases": cases,
            "skipped": skipped,
        }
        if args.alt_build:
            result["alt_build"] = args.alt_build
            result["twinpath_alt"] = ("the twinpath-dp of alt_build on "
                                      "twinpath's config, in the same "
                                      "rounds; alt_cost = twinpath_alt / "
                                      "twinpath cycles/pkt")
        # top-level summary: the largest table, most links
        big = max(cases, key=lambda c: (c["routes"], c["links"]))
        result["fib_updates_per_s"] = big["fib_updates_per_s"]
        result["mpps_during_updates"] = big["mpps_during_updates"]
        result["fib_updates_per_s_random"] = big["fib_updates_per_s_random"]
        # issue 15's bars over every case: the worst ratio (<= 0.95) and
        # the lowest random-order update rate (>= 2 M/s)
        result["ratio_max"] = max(c["ratio"] for c in cases)
        result["fib_updates_per_s_random_min"] = min(
            c["fib_updates_per_s_random"] for c in cases)
        os.makedirs(args.out, exist_ok=True)
        with open(os.path.join(args.out, "fwd.json"), "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        print(table(result))
        log("wrote %s" % os.path.normpath(os.path.join(args.out, "fwd.json")))
        if skipped:
            log("FAILED: %d variant run(s) could not start (skipped in "
                "fwd.json): %s" % (len(skipped), "; ".join(
                    "%s at %d routes/%d links: %s" % (k["variant"],
                    k["routes"], k["links"], k["error"]) for k in skipped)))
            sys.exit(1)
    finally:
        cleanup_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
