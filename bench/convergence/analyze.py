#!/usr/bin/env python3
"""The convergence bench's analysis (bench/convergence/run.sh).

mode: one lab's run (events.jsonl, probe.py's snapshots and waits,
twinpathd's log cp.log, fo_send's send.bin and fo_recv's recv.bin in
--dir) turned into one record with its verdicts (--out, JSON).
table: the modes' records merged into one JSON object (--out), printed as
a table; status 1 if a verdict failed or a step did not finish.

Definitions (issue 15 item 1; times on CLOCK_MONOTONIC; twinpathd's log
lines carry CLOCK_REALTIME to the millisecond, turned into CLOCK_MONOTONIC
with the offset between the clocks when this runs: +-1 ms):
  learn_s         `birdc enable bulk_feed` on both upstreams -> the first
                  poll (every 200 ms) where twinpath-dp counts the table,
                  both sessions accepted all of it and the control plane
                  is settled (no decision pending, outbox empty,
                  generation sent == applied). learn_fib_count_s: the
                  first poll where twinpath-dp counted the table (the
                  first upstream's copy)
  bfd_down        the BFD health map's Down of link1 (twinpath-dp's BFD,
                  `show bfd` last_change_ns)
  fail_ms         bfd_down -> twinpathd's log line `link link1 down: ...`
                  (fibpush_link_down done: its GROUP_SETs in the ring;
                  twinpath-dp applies a record in microseconds). From then
                  on the data plane forwards every prefix as the RIB,
                  rid of link1's paths, decides it: the route records sent
                  after the mask until settled (fail_records_after_mask)
                  are the FIB changes that remain, 0 if PIC held
  fail_settled_ms bfd_down -> the first poll (50 ms) where the control
                  plane is settled again: the RIB decided the million
                  prefixes and the FIB push absorbed them
  fail_records    difference records twinpathd sent from 2 s before the
                  fault until 3 s after it settled (`show status`
                  pic.records: route + link_down + link_up + other; full
                  syncs are not in them); fail_records_applied: the data
                  plane's records_applied over the same span (also counts
                  the FIB digest questions, one a second)
  restore_ms_after_eor  twinpathd's `End-of-RIB ipv4 received` from
                  link1's peer -> its `link link1 up: ...` line (the
                  unmask's GROUP_SETs in the ring)
  restore_records the same count as fail_records, from 3 s after the
                  fail step settled to 1 s after the restore settled
  withdraw_s      `birdc disable bulk_feed` on both -> twinpath-dp back
                  to the routes it had before the table, settled (200 ms
                  polls)
  lost_after_bfd  packets sent from bfd_down + 1 ms (one burst of
                  fo_send) to the restore, never received: BFD's Down
                  moves traffic in twinpath-dp at once, the mask must not
                  lose any either
  lost_detection  packets sent from the fault to bfd_down + 1 ms, never
                  received (BFD's detection time: not a PIC figure)
  lost_restore    packets sent from the restore to 1 s after the link
                  was unmasked and the control plane settled
"""
import argparse
import datetime
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "failover"))
import analyze as fo  # noqa: E402  (bench/failover/analyze.py: Run)

MS = 1_000_000
LIMITS = {"fail_records": 1000, "fail_ms": 100, "restore_records": 1000,
          "restore_ms_after_eor": 1000}
TOP = ("mode", "prefixes", "fail_records", "fail_ms", "restore_records",
       "restore_ms_after_eor", "learn_s", "withdraw_s", "pass")
CAUSES = ("route", "link_down", "link_up", "other")
LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z \S+: (.*)$")


def load(d, name):
    try:
        return json.load(open(os.path.join(d, name + ".json")))
    except (OSError, ValueError):
        return None


def log_lines(path):
    """[(CLOCK_MONOTONIC ns, text)] of twinpathd's log"""
    off = time.time_ns() - time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    out = []
    for l in open(path, errors="replace"):
        m = LINE.match(l.rstrip("\n"))
        if not m:
            continue
        t = datetime.datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S.%f")
        t = t.replace(tzinfo=datetime.timezone.utc)
        ns = int(t.timestamp()) * 10**9 + t.microsecond * 1000
        out.append((ns - off, m.group(2)))
    return out


def first(lines, after, pat):
    r = re.compile(pat)
    for t, s in lines:
        if t >= after - MS and r.search(s):  # the log's ms truncation
            return t, s
    return None, None


def drops(lines, t0, t1):
    """["link1", ...]: sessions that went down in [t0, t1)"""
    r = re.compile(r"^bgp (link\d+) \S+: down: ")
    return [m.group(1) for t, s in lines if t0 <= t < t1 for m in [r.search(s)] if m]


def records(a, b):
    """pic.records deltas b - a, per cause and total"""
    ra, rb = a["status"]["pic"]["records"], b["status"]["pic"]["records"]
    d = {k: rb[k] - ra[k] for k in CAUSES}
    d["total"] = sum(d.values())
    return d


def lost(run, t0, t1):
    """packets sent in [t0, t1) never received"""
    return None if run is None else run.tally(run.span(t0, t1))[0]


def ms(a, b):
    return None if a is None or b is None else round((b - a) / MS, 1)


def cmd_mode(a):
    d = a.dir
    evs = [json.loads(l) for l in open(os.path.join(d, "events.jsonl")) if l.strip()]
    head = evs[0]
    ev = {e["step"]: e for e in evs[1:] if "step" in e}
    steps = a.steps.split()
    rec = {"mode": head["mode"], "prefixes": head["prefixes"],
           "fault": head["fault_kind"], "bfd": "%d ms x %d" % (head["bfd_ms"], head["mult"]),
           "flows": head["flows"], "pps": head["pps"], "steps": steps,
           "base_routes": head["base_routes"]}
    snaps = {k: load(d, k) for k in ("base", "s0", "s1", "s2", "s3")}
    waits = {k: load(d, k) for k in ("learn", "fail", "restore", "withdraw")}
    lines = log_lines(os.path.join(d, "cp.log"))
    why = []
    try:
        run = fo.Run(d)
    except (OSError, ValueError, IndexError) as e:
        run = None
        why.append("no stream record (%s)" % e)

    if "learn" in ev and waits["learn"] and waits["learn"]["ok"]:
        t0 = ev["learn"]["start_ns"]
        w = waits["learn"]
        rec["learn_s"] = round((w["t_ns"] - t0) / 1e9, 2)
        fc = w["marks"].get("fib_count")
        rec["learn_fib_count_s"] = round((fc - t0) / 1e9, 2) if fc else None
        rec["lost_learn"] = lost(run, t0, w["t_ns"])
        rec["session_drops_learn"] = drops(lines, t0, w["t_ns"])
    else:
        why.append("the table never loaded")

    f = ev.get("fail")
    if f and snaps["s0"] and snaps["s1"]:
        fault, restore = f["fault"]["ns"], f["restore"]["ns"]
        bfd1 = [l for l in snaps["s1"]["bfd"]["links"] if l["name"] == "link1"][0]
        down = bfd1["last_change_ns"] if bfd1["last_change_ns"] > fault else None
        rec["detection_ms"] = ms(fault, down)
        t_seen, _ = first(lines, fault, r"^bfd link1: Up -> Down")
        t_mask, mline = first(lines, fault, r"^link link1 down: ")
        rec["mask_line"] = mline
        rec["bfd_seen_ms"] = ms(down, t_seen)
        rec["fail_ms"] = ms(down, t_mask)
        w = waits["fail"]
        rec["fail_settled_ms"] = ms(down, w["t_ns"]) if w and w["ok"] else None
        r = records(snaps["s0"], snaps["s1"])
        rec["fail_records"] = r["total"]
        rec["fail_records_by_cause"] = r
        rec["fail_records_after_mask"] = r["total"] - r["link_down"]
        rec["fail_records_applied"] = (snaps["s1"]["fib"]["records_applied"] -
                                       snaps["s0"]["fib"]["records_applied"])
        if down is not None:
            rec["lost_detection"] = lost(run, fault, down + MS)
            rec["lost_after_bfd"] = lost(run, down + MS, restore)
        rec["session_drops_fail"] = drops(lines, fault, restore)
        if rec["fail_ms"] is None:
            why.append("no BFD Down or no mask line")
    else:
        why.append("the fail step did not run")

    r_ev = ev.get("restore")
    if r_ev and snaps["s1"] and snaps["s2"]:
        restore = r_ev["restore"]["ns"]
        t_est, _ = first(lines, restore, r"^bgp link1 \S+: Established")
        t_eor, _ = first(lines, restore, r"^bgp link1 \S+: End-of-RIB ipv4 received")
        t_up, uline = first(lines, restore, r"^link link1 up: ")
        rec["unmask_line"] = uline
        rec["established_after_restore_s"] = None if t_est is None else round((t_est - restore) / 1e9, 2)
        rec["relearn_s"] = None if t_est is None or t_eor is None else round((t_eor - t_est) / 1e9, 2)
        rec["restore_ms_after_eor"] = ms(t_eor, t_up)
        w = waits["restore"]
        rec["restore_settled_ms_after_eor"] = ms(t_eor, w["t_ns"]) if w and w["ok"] else None
        r = records(snaps["s1"], snaps["s2"])
        rec["restore_records"] = r["total"]
        rec["restore_records_by_cause"] = r
        rec["restore_records_applied"] = (snaps["s2"]["fib"]["records_applied"] -
                                          snaps["s1"]["fib"]["records_applied"])
        rec["lost_restore"] = lost(run, restore, r_ev["end_ns"])
        rec["session_drops_restore"] = drops(lines, restore, r_ev["end_ns"])
        if run:
            fl = run.flow_links(r_ev["end_ns"] - fo.S, r_ev["end_ns"])
            rec["flows_per_link_after"] = fo.split(fl, run.flows, 2)
        if rec["restore_ms_after_eor"] is None:
            why.append("no End-of-RIB or no unmask line after the restore")
    else:
        why.append("the restore step did not run")

    wd = ev.get("withdraw")
    if wd and waits["withdraw"] and waits["withdraw"]["ok"]:
        rec["withdraw_s"] = round((waits["withdraw"]["t_ns"] - wd["start_ns"]) / 1e9, 2)
        rec["lost_withdraw"] = lost(run, wd["start_ns"], waits["withdraw"]["t_ns"])
        rec["session_drops_withdraw"] = drops(lines, wd["start_ns"], waits["withdraw"]["t_ns"])
    else:
        why.append("the withdrawal did not finish")

    last = snaps["s3"] or snaps["s2"] or snaps["s1"] or snaps["s0"]
    if last:
        rec["pic"] = last["status"]["pic"]
        m = last.get("metrics", {})
        rec["digest_checks"] = m.get("twinpath_fib_digest_checks_total")
        rec["digest_mismatches"] = m.get("twinpath_fib_digest_mismatch_total")
    rec["main_loop_warnings"] = sum(1 for _, s in lines if s.startswith("main loop: "))
    if run:
        rec["stream"] = {"sent": run.n, "received": sum(1 for c in run.count if c)}

    v = {}
    for k, lim in LIMITS.items():
        if rec.get(k) is not None:
            v[k] = rec[k] <= lim
            if not v[k]:
                why.append("%s %s > %s" % (k, rec[k], lim))
    for k in ("lost_after_bfd", "lost_restore"):
        if rec.get(k) is not None:
            v[k] = rec[k] == 0
            if rec[k]:
                why.append("%s %d" % (k, rec[k]))
    # the run measured what it meant to: the fault's one session drop
    # (link1) and no other (a flap while the table loads or comes back
    # would be BIRD's or the VM's, and its own episode)
    want_drops = {"learn": [], "fail": ["link1"], "restore": [], "withdraw": []}
    for k, w in want_drops.items():
        got = rec.get("session_drops_" + k)
        if got is not None and got != w:
            v["sessions_" + k] = False
            why.append("session drops in %s: %s, want %s" % (k, got or "none", w or "none"))
    if rec.get("digest_mismatches"):
        v["digest"] = False
        why.append("%d FIB digest mismatches" % rec["digest_mismatches"])
    want = {"active-active": lambda on: all(on),
            "active-standby": lambda on: on == [head["flows"], 0]}
    if rec.get("flows_per_link_after") is not None:
        v["flows_back"] = want[rec["mode"]](rec["flows_per_link_after"])
        if not v["flows_back"]:
            why.append("flows per link after the restore %s" % rec["flows_per_link_after"])
    rec["verdicts"] = v
    rec["pass"] = not why and len(steps) == 4
    rec["why"] = "; ".join(why)
    json.dump(rec, open(a.out, "w"), indent=1)
    return 0


def fmt(v):
    return "-" if v is None else str(v)


def cmd_table(a):
    recs = [json.load(open(f)) for f in a.files]
    # the fields at the top, from the first mode run
    # (active/active by default); every mode's record under "modes"
    top = {k: recs[0].get(k) for k in TOP} if recs else {}
    top.update({"limits": LIMITS, "modes": recs})
    json.dump(top, open(a.out, "w"), indent=1)
    cols = ["prefixes", "learn_s", "fail_records", "fail_ms", "fail_settled_ms",
            "lost_after_bfd", "restore_records", "restore_ms_after_eor",
            "relearn_s", "lost_restore", "withdraw_s"]
    print("| mode | " + " | ".join(cols) + " | verdict |")
    print("|" + " --- |" * (len(cols) + 2))
    bad = not recs
    for r in recs:
        print("| %s | %s | %s |" % (r["mode"], " | ".join(fmt(r.get(c)) for c in cols),
                                    "PASS" if r["pass"] else "FAIL: " + r["why"]))
        bad |= not r["pass"]
    print("limits: " + ", ".join("%s <= %s" % kv for kv in LIMITS.items()) +
          ", lost_after_bfd = lost_restore = 0")
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("mode")
    m.add_argument("--dir", required=True)
    m.add_argument("--steps", default="")
    m.add_argument("--out", required=True)
    t = sub.add_parser("table")
    t.add_argument("--out", required=True)
    t.add_argument("files", nargs="*")
    a = ap.parse_args()
    return cmd_mode(a) if a.cmd == "mode" else cmd_table(a)


if __name__ == "__main__":
    sys.exit(main())
