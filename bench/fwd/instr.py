#!/usr/bin/env python3
"""make bench-fwd-instr: twinpath-dp against DPDK's l3fwd in instructions
per packet (issue 15 item 3), on make bench's virtual devices, and link
suspicion's cost there (issue 18: twinpath-dp with suspect { } on every
link over twinpath-dp, make bench's suspect_cost in instructions).

make bench compares the two in cycles, which this VM moves by up to 9 %
between two windows of the same binary. Instructions do not move: each
program runs under callgrind on the same devices as make bench (a pcap
of 64-byte IPv4/UDP packets replayed from memory by net_pcap into one
lcore, net_null ports out, one per link), the same routes (routegen's
table, l3fwd's rule file drawn from it), one after the other. Counted:
the instructions of the forwarding loop (twinpath-dp's fwd_loop,
l3fwd's lpm_main_loop), callgrind's counters zeroed once the program
forwards and dumped after a window; packets: what the net_null ports
sent in that window (DPDK telemetry, read just after the zero and just
before the dump: the packets between a read and the dump are the
window's error, in the JSON). Split by where the instructions go (their
callees' inclusive counts): the replay (net_pcap's rx), the null ports'
tx (freeing each mbuf), rte_fib (twinpath-dp's two lookups a packet,
destination and source; l3fwd's LPM is inline, in its own part), and
the program's own code, the rest.

Instructions are not cycles: they say how much work each does a
packet, not how long it stalls (cache misses do not show; a 1 M-route
table costs more cycles, hardly more instructions). Writes
OUT/fwd_instr.json and a table on stdout.

usage: instr.py --build DIR [--routes N] [--links L] [--seconds S]
                [--out DIR]"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import fwd  # noqa: E402

# no hugepages under valgrind: the EAL's memory from the heap
EAL_HEAP = ("--no-huge", "-m", "2048")
START_TIMEOUT_S = 240  # EAL start and table load under callgrind
# the parts of a program's instructions: callgrind_annotate's object
# names of the callees whose inclusive count is taken
PARTS = (("replay", "librte_net_pcap"), ("null_tx", "librte_net_null"),
         ("rte_fib", "librte_fib"))


def callgrind(out, loop):
    return ["valgrind", "--tool=callgrind", "--fair-sched=yes",
            "--callgrind-out-file=" + out, "--collect-atstart=no",
            "--toggle-collect=" + loop]


def window(prefix, p, seconds):
    """Counters zeroed, SECONDS of forwarding, dumped: the packets sent
    in the window and the relative error of that count. Callgrind takes
    a command some time after it is given: the packets sent are read
    before and after each, and the window counted from the middle of
    one pair to the middle of the other, give or take half of each."""
    ports = fwd.egress_ports(prefix)
    sent = lambda: fwd.tx_total(prefix, ports)  # noqa: E731
    reads = []
    for cmd, wait in (("-z", seconds), ("-d", 0)):
        a = sent()
        subprocess.run(["callgrind_control", cmd, str(p.pid)], check=True,
                       capture_output=True)
        reads.append((a, sent()))
        time.sleep(wait)
    (a0, a1), (b0, b1) = reads
    pkts = ((b0 + b1) - (a0 + a1)) / 2
    return pkts, ((a1 - a0) + (b1 - b0)) / 2 / pkts


def parts(dump):
    """The dump's instructions: its total and, per part (PARTS), the
    largest inclusive count of a function of that object (its entry:
    the rx or tx burst, rte_fib_lookup_bulk)."""
    out = subprocess.run(["callgrind_annotate", "--inclusive=yes",
                          "--threshold=100", dump], check=True,
                         capture_output=True, text=True).stdout
    total = int(re.search(r"([\d,]+) +(?:\(100\.0%\) +)?PROGRAM TOTALS",
                          out).group(1).replace(",", ""))
    got = {name: 0 for name, _ in PARTS}
    for line in out.splitlines():
        m = re.match(r"\s*([\d,]+) .*\[(.*)\]\s*$", line)
        if not m:
            continue
        n = int(m.group(1).replace(",", ""))
        for name, obj in PARTS:
            if obj in os.path.basename(m.group(2)):
                got[name] = max(got[name], n)
    return total, got


def measure(name, p, prefix, dump, seconds):
    pkts, err = window(prefix, p, seconds)
    total, got = parts(dump)
    res = {"packets": round(pkts), "window_error": round(err, 4),
           "instr_per_pkt": round(total / pkts, 1)}
    for k, v in got.items():
        res[k] = round(v / pkts, 1)
    res["own"] = round((total - sum(got.values())) / pkts, 1)
    fwd.log("%s: %.1f instructions a packet over %.0f packets"
            % (name, res["instr_per_pkt"], pkts))
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--refs", default=None)
    ap.add_argument("--routes", type=int, default=1000)
    ap.add_argument("--links", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--warmup", type=float, default=5.0)
    ap.add_argument("--packets", type=int, default=32768)
    ap.add_argument("--mbufs", type=int, default=49151)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "out"))
    ap.add_argument("--dumps", default=None,
                    help="a directory to keep callgrind's dumps in "
                    "(cg.NAME.1: callgrind_annotate --auto=yes reads "
                    "them by source line)")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.refs = args.refs or os.path.join(args.build, "bench-refs")
    subprocess.run(["bash", os.path.join(HERE, "refs.sh"), args.refs,
                    str(args.mbufs)], check=True)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, fwd.on_signal)
    work = tempfile.mkdtemp(prefix="twp-fwd-instr.")
    fwd.cleanup_all()
    config = os.path.join(work, "twinpath.conf")
    rules = os.path.join(work, "rules.txt")
    rules6 = fwd.write_rules6(work)
    pcap = os.path.join(work, "traffic.pcap")
    fwd.write_config(config, args.links, pcap, args.mbufs, eal=EAL_HEAP)
    fwd.traffic(args, config, args.routes, rules, pcap)
    sus_config = os.path.join(work, "twinpath-suspect.conf")
    fwd.write_config(sus_config, args.links, pcap, args.mbufs,
                     instance=fwd.SUS_INSTANCE, suspect=True, eal=EAL_HEAP)
    res = {"routes": args.routes, "links": args.links,
           "seconds": args.seconds}
    try:
        for name, conf, prefix in (
                ("twinpath", config, fwd.DP_PREFIX),
                ("twinpath_suspect", sus_config, fwd.SUS_PREFIX)):
            dump = os.path.join(work, "cg." + name)
            p, _ = fwd.load_twinpath(args, work, conf, args.routes, prefix,
                                     name + ".log",
                                     wrap=callgrind(dump, "fwd_loop"),
                                     timeout=START_TIMEOUT_S)
            time.sleep(args.warmup)
            res[name] = measure(name, p, prefix, dump + ".1", args.seconds)
            fwd.stop(p)
        dump = os.path.join(work, "cg.l3fwd")
        p, _ = fwd.start_l3fwd(args, work, rules, rules6, pcap, args.links,
                               wrap=callgrind(dump, "lpm_main_loop"),
                               eal=EAL_HEAP)
        time.sleep(args.warmup)
        res["l3fwd"] = measure("l3fwd", p, fwd.L3FWD_PREFIX, dump + ".1",
                               args.seconds)
        fwd.stop(p)
    finally:
        fwd.cleanup_all()
        if args.dumps:
            os.makedirs(args.dumps, exist_ok=True)
            for f in os.listdir(work):
                if f.startswith("cg."):
                    shutil.copy(os.path.join(work, f), args.dumps)
        shutil.rmtree(work, ignore_errors=True)
    tp, l3 = res["twinpath"], res["l3fwd"]
    res["ratio"] = round(tp["instr_per_pkt"] / l3["instr_per_pkt"], 3)
    res["suspect_cost"] = round(res["twinpath_suspect"]["instr_per_pkt"] /
                                tp["instr_per_pkt"], 4)
    harness = lambda r: r["replay"] + r["null_tx"]  # noqa: E731
    res["ratio_net"] = round((tp["instr_per_pkt"] - harness(tp)) /
                             (l3["instr_per_pkt"] - harness(l3)), 3)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "fwd_instr.json"), "w") as f:
        json.dump(res, f, indent=1)
    print("| program | instr/pkt | replay (net_pcap rx) | null tx | "
          "rte_fib | own code |")
    print("|---|---:|---:|---:|---:|---:|")
    for name in ("twinpath", "twinpath_suspect", "l3fwd"):
        r = res[name]
        print("| %s | %.1f | %.1f | %.1f | %.1f | %.1f |"
              % (name, r["instr_per_pkt"], r["replay"], r["null_tx"],
                 r["rte_fib"], r["own"]))
    print("\n%d routes, %d links: twinpath / l3fwd %.3f in instructions, "
          "%.3f net of the replay and the null ports' tx"
          % (args.routes, args.links, res["ratio"], res["ratio_net"]))
    print("link suspicion's cost (suspect { } on every link, as make "
          "bench's twinpath-suspect): %.4f in instructions (issue 18's "
          "bar: 1.03 in cycles)" % res["suspect_cost"])
    print("written: %s" % os.path.join(args.out, "fwd_instr.json"))


if __name__ == "__main__":
    main()
