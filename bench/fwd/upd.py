#!/usr/bin/env python3
"""upd.py: FIB update rates of one or more builds of twinpath-dp, A/B
interleaved (issue 15 item 2). For each run, each build in turn: its
twinpath-dp started on make bench's vdevs (pcap replay forwarding), the
table of ROUTES loaded by its routegen, then full tables pushed back to
back in prefix order and in random order while it forwards (fwd.py's
updates()), then stopped. Interleaving the builds run by run lets slow
changes of a noisy host hit all alike; the report gives min-max per build
and order. Optionally records a perf profile of twinpath-dp during one
order's push. Uses hugepages: run it under flock /tmp/twp-lab.lock.

usage: upd.py --build NAME=DIR [--build NAME=DIR ...] [--routes N]
              [--links L] [--runs R] [--orders prefix,random]
              [--perf DIR]"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fwd  # noqa: E402


def one(args, build, work, config, perf_out, logname):
    """One build's update rates (a dict per order)."""
    a = argparse.Namespace(build=build, seed=args.seed,
                           update_seconds=args.update_seconds,
                           warmup=args.warmup)
    p, load = fwd.load_twinpath(a, work, config, args.routes, fwd.DP_PREFIX,
                                logname)
    res = {"load_per_s": round(load["routes_per_s"])}
    try:
        ports = fwd.egress_ports(fwd.DP_PREFIX)
        for order in args.orders.split(","):
            rec = None
            if perf_out is not None and order == args.perf_order:
                rec = subprocess.Popen(
                    ["perf", "record", "-e", "cpu-clock", "-g", "-o",
                     perf_out, "-p", str(p.pid)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            # the main lcore (the process's first thread) applies the
            # records: its CPU time over the pushes' time (the first
            # record to the last SYNC_DONE; its idle ticks while routegen
            # starts add a little)
            cpu0 = fwd.cpu_ns(p.pid, p.pid)
            u = fwd.updates(a, config, args.routes, p, ports, order)
            push_s = args.routes * u["pushes"] / u["routes_per_s"]
            main_share = (fwd.cpu_ns(p.pid, p.pid) - cpu0) / 1e9 / push_s
            if rec is not None:
                rec.send_signal(2)
                rec.wait(60)
            fib = fwd.tel(fwd.DP_PREFIX, "/twinpath/fib")
            res[order] = {"routes_per_s": round(u["routes_per_s"]),
                          "pushes": u["pushes"],
                          "mpps": round(u["rate"]["pps"] / 1e6, 3),
                          "drops": u["drops"],
                          "lookups_retried": u["lookups_retried"],
                          "main_cpu_share": round(main_share, 3),
                          "bulk_flushes": fib.get("bulk_flushes")}
    finally:
        fwd.stop(p)
        fwd.unlink_channel(fwd.INSTANCE)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", action="append", required=True,
                    help="NAME=DIR, a meson build directory")
    ap.add_argument("--routes", type=int, default=1000000)
    ap.add_argument("--links", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--orders", default="prefix,random")
    ap.add_argument("--update-seconds", type=float, default=2.0)
    ap.add_argument("--warmup", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--packets", type=int, default=32768)
    ap.add_argument("--mbufs", type=int, default=49151)
    ap.add_argument("--perf", default=None,
                    help="directory for perf.data of each build's first run")
    ap.add_argument("--perf-order", default="random")
    args = ap.parse_args()
    builds = [b.split("=", 1) for b in args.build]

    work = tempfile.mkdtemp(prefix="twp-upd.")
    fwd.log("work directory (logs): " + work)
    fwd.cleanup_all()
    config = os.path.join(work, "twinpath.conf")
    rules = os.path.join(work, "rules.txt")
    pcap = os.path.join(work, "traffic.pcap")
    fwd.write_config(config, args.links, pcap, args.mbufs)
    a = argparse.Namespace(build=builds[0][1], seed=args.seed)
    subprocess.run(fwd.routegen(a, config, args.routes,
                                ["--rules", rules, "--no-push"]), check=True)
    subprocess.run([sys.executable, os.path.join(fwd.HERE, "mkpcap.py"),
                    rules, pcap, str(args.packets), str(args.seed)],
                   check=True)
    runs = {name: [] for name, _ in builds}
    try:
        for run in range(args.runs):
            for name, build in builds:
                perf_out = None
                if args.perf is not None and run == 0:
                    perf_out = os.path.join(args.perf, "perf-%s.data" % name)
                r = one(args, build, work, config, perf_out,
                        "twinpath-dp-%s-%d.log" % (name, run))
                runs[name].append(r)
                fwd.log("run %d %s: %s" % (run, name, json.dumps(r)))
    finally:
        fwd.cleanup_all()
        # the logs stay (their directory is logged); the inputs go
        for f in (rules, pcap):
            if os.path.exists(f):
                os.unlink(f)
    summary = {}
    for name, _ in builds:
        summary[name] = {}
        for order in args.orders.split(","):
            v = [r[order]["routes_per_s"] for r in runs[name]]
            summary[name][order] = {"min": min(v), "max": max(v), "all": v}
    print(json.dumps({"routes": args.routes, "links": args.links,
                      "summary": summary, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
