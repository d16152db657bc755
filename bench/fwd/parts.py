#!/usr/bin/env python3
"""make bench-fwd-parts: twinpath-dp against l3fwd in cycles a packet,
by part. One case of `make bench` (bench/fwd/run.sh) runs its rounds,
twinpath-dp and l3fwd forwarding in turns on one core, while perf
samples the whole host on a timer; each program's samples, split by
shared object (the harness: the replay's rx, the null ports' tx, the
drivers' thread-local reads, the kernel's share of the thread; then
`rte_fib` and the program's own code) and scaled to
its cycles a packet in that run, give cycles a packet by part. From
them: how much of its own work twinpath-dp may spend at issue 15's
bars (0.95 and 0.90 of l3fwd's cycles), given that the harness costs
both the same. Output: a table and bench/out/fwd_parts.json. Needs
root, hugepages, the dpdk-doc examples and perf (make deps); about a
minute at 1 k routes.
"""
import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_SH = os.path.join(HERE, "run.sh")
# the forwarding thread of each program (fwd.py: lcore 1 forwards; it is
# twinpath-dp's first worker and l3fwd's main lcore)
COMMS = {"twinpath": "rte-worker-1", "l3fwd": "l3fwd"}
# shared objects by part; the program's own binary and anything not
# named here is its own code
HARNESS = {"librte_net_pcap": "replay (net_pcap rx)",
           "librte_net_null": "null ports' tx (net_null)",
           "ld-linux": "__tls_get_addr (rte_lcore_id in the drivers)",
           "librte_ethdev": "ethdev", "librte_mempool": "mempool",
           "librte_mbuf": "mbuf",
           # the thread's time in the kernel: interrupts, being
           # stopped and resumed for the turns; not the program's code
           "[kernel": "kernel"}
FIB = "librte_fib"
BARS = (0.95, 0.90)
# fwd.py's log line as the rounds begin ("N programs, R rounds in turns")
ROUNDS_LINE = "rounds in turns"


def log(msg):
    print("parts: " + msg, file=sys.stderr, flush=True)


def part_of(dso):
    """The part a shared object's samples count under."""
    for prefix, name in HARNESS.items():
        if dso.startswith(prefix):
            return ("harness", name)
    if dso.startswith(FIB):
        return ("own", "rte_fib")
    return ("own", "own code")


def samples(perf_data):
    """{program: {dso: percent of all samples}} from perf's report."""
    out = subprocess.run(
        ["perf", "report", "-i", perf_data, "--stdio", "--sort",
         "comm,dso", "-t", ";"], capture_output=True, text=True, check=True)
    res = {name: {} for name in COMMS}
    for line in out.stdout.splitlines():
        if line.startswith("#") or ";" not in line:
            continue
        pct, comm, dso = (f.strip() for f in line.split(";")[:3])
        for name, c in COMMS.items():
            if comm == c:
                res[name][dso] = res[name].get(dso, 0.0) + \
                    float(pct.rstrip("%"))
    return res


def split(shares, cycles):
    """Cycles a packet by part, of a program whose samples by shared
    object are SHARES and which spent CYCLES a packet in all."""
    total = sum(shares.values())
    parts = {}
    for dso, pct in shares.items():
        key = part_of(dso)
        parts[key] = parts.get(key, 0.0) + pct / total * cycles
    harness = sum(v for (k, _), v in parts.items() if k == "harness")
    own = sum(v for (k, _), v in parts.items() if k == "own")
    return {"parts": {n: round(v, 2) for (_, n), v in sorted(parts.items())},
            "harness": round(harness, 2), "own": round(own, 2),
            "samples_percent": {d: round(p, 2) for d, p in shares.items()}}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "out"))
    ap.add_argument("--routes", type=int, default=1000)
    ap.add_argument("--links", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=8,
                    help="make bench's turns of the two programs; perf "
                    "samples inside them")
    ap.add_argument("--seconds", type=float, default=25.0,
                    help="how long perf samples")
    args = ap.parse_args()
    if shutil.which("perf") is None:
        sys.exit("parts: perf not found (make deps installs linux-perf)")

    work = tempfile.mkdtemp(prefix="twp-parts.")
    bench_log = os.path.join(work, "bench.log")
    perf_data = os.path.join(work, "perf.data")
    argv = ["bash", RUN_SH, args.build, "--routes", str(args.routes),
            "--links", str(args.links), "--ipv6-routes", "0",
            "--spin-routes", "", "--rounds", str(args.rounds),
            "--out", work]
    bench = None
    try:
        with open(bench_log, "w") as f:
            bench = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        # the rounds start once both programs hold their tables
        deadline = time.monotonic() + 900
        while True:
            with open(bench_log) as f:
                text = f.read()
            if ROUNDS_LINE in text:
                break
            if bench.poll() is not None or time.monotonic() > deadline:
                sys.exit("parts: make bench's case did not reach its "
                         "rounds:\n" + text[-2000:])
            time.sleep(1)
        # past the first program's warm-up
        time.sleep(3)
        log("perf samples the host for %.0f s of the rounds" % args.seconds)
        subprocess.run(["perf", "record", "-a", "-F", "10000", "-e",
                        "cpu-clock", "-o", perf_data, "--", "sleep",
                        str(args.seconds)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rc = bench.wait(timeout=900)
        if rc != 0:
            with open(bench_log) as f:
                sys.exit("parts: make bench's case failed:\n"
                         + f.read()[-2000:])
        with open(os.path.join(work, "fwd.json")) as f:
            case = json.load(f)["cases"][0]
        cycles = {"twinpath": case["twinpath_cycles_per_pkt"],
                  "l3fwd": case["l3fwd_cycles_per_pkt"]}
        shares = samples(perf_data)
        for name in COMMS:
            if not shares[name]:
                sys.exit("parts: no samples of %s's thread %s"
                         % (name, COMMS[name]))
        res = {name: split(shares[name], cycles[name]) for name in COMMS}
        tp, l3 = res["twinpath"], res["l3fwd"]
        result = {
            "date": datetime.datetime.utcnow().strftime(
                "%Y-%m-%dT%H:%M:%SZ"),
            "host": platform.node(), "routes": args.routes,
            "links": args.links, "rounds": args.rounds,
            "perf_seconds": args.seconds,
            "how": "perf record -a -F 10000 -e cpu-clock during make "
                   "bench's rounds; each program's samples by shared "
                   "object, scaled to its cycles a packet in that run",
            "twinpath_cycles_per_pkt": cycles["twinpath"],
            "l3fwd_cycles_per_pkt": cycles["l3fwd"],
            "ratio": case["ratio"],
            "twinpath": tp, "l3fwd": l3,
            "own_ratio": round(tp["own"] / l3["own"], 3),
        }
        # the bar allows twinpath-dp bar * l3fwd's cycles, of which its
        # own harness takes what it takes
        for bar in BARS:
            allowed = bar * cycles["l3fwd"] - tp["harness"]
            result["own_allowed_at_%.2f" % bar] = round(allowed, 2)
            result["own_allowed_over_l3fwd_own_at_%.2f" % bar] = \
                round(allowed / l3["own"], 3)
            result["own_cut_needed_at_%.2f" % bar] = \
                round(1 - allowed / tp["own"], 3)
        os.makedirs(args.out, exist_ok=True)
        path = os.path.join(args.out, "fwd_parts.json")
        with open(path, "w") as f:
            json.dump(result, f, indent=1)
            f.write("\n")
        order = list(HARNESS.values()) + ["rte_fib", "own code"]
        names = [n for n in order if n in tp["parts"] or n in l3["parts"]]
        print("| part, TSC cycles a packet | twinpath-dp | l3fwd |")
        print("|---|---:|---:|")
        for n in names:
            print("| %s | %s | %s |" % (
                n, tp["parts"].get(n, "-"), l3["parts"].get(n, "-")))
        print("| **harness** | %.2f | %.2f |" % (tp["harness"], l3["harness"]))
        print("| **own work** | %.2f | %.2f |" % (tp["own"], l3["own"]))
        print("| all | %.1f | %.1f |" % (cycles["twinpath"],
                                        cycles["l3fwd"]))
        print()
        print("%d routes, %d links: ratio %.3f; own work %.3f of l3fwd's. "
              "At 0.95 twinpath-dp's own work may be %.3f of l3fwd's (a "
              "cut of %.0f %%), at 0.90 %.3f (%.0f %%)." % (
                  args.routes, args.links, case["ratio"],
                  result["own_ratio"],
                  result["own_allowed_over_l3fwd_own_at_0.95"],
                  100 * result["own_cut_needed_at_0.95"],
                  result["own_allowed_over_l3fwd_own_at_0.90"],
                  100 * result["own_cut_needed_at_0.90"]))
        log("wrote %s" % os.path.normpath(path))
    finally:
        # the whole case (run.sh, timeout, fwd.py): fwd.py stops its
        # programs and cleans up on SIGTERM
        if bench is not None and bench.poll() is None:
            os.killpg(bench.pid, signal.SIGTERM)
            bench.wait(timeout=120)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
