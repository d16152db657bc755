#!/usr/bin/env python3
"""analyze.py's dual-stack rows (make failover, issue 16 item 4) on a
made-up group: an IPv4 and an IPv6 stream through a silent fault of
link1 in active/active, written as run.sh and fo_send/fo_recv write them,
so `make test` checks the per-family fields and verdicts without a lab.

  python3 bench/failover/test_analyze.py      (unit suite)"""
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MS = 1_000_000
S = 1_000_000_000
T0 = 100 * S          # the streams' start (CLOCK_MONOTONIC, made up)
FLOWS = 4             # flows 0, 1 on link1 (srv's up1), 2, 3 on link2
PPS = 1000            # one packet a ms: a send tick each, no pause
FAULT = T0 + 4 * S    # link1 silent
DOWN = FAULT + 120 * MS  # its BFD Down
RESTORE = T0 + 6 * S
END = T0 + 9 * S
IF_UP1, IF_UP2 = 2, 3

failures = 0


def check(what, ok):
    global failures
    print("%s: %s" % ("ok" if ok else "FAIL", what))
    failures += not ok


def stream(d, sfx, outage_ms=0, lost_link2=()):
    """fo_send's and fo_recv's files for one stream: link1's flows go
    over link2 from DOWN + 1 ms (nothing of them arrives from the fault
    until then, or until FAULT + OUTAGE_MS when given) to the restore;
    packets of LOST_LINK2 (indexes) never arrive"""
    n = (END - T0) // MS
    sent = [T0 + i * MS for i in range(n)]
    back = DOWN + MS if not outage_ms else FAULT + outage_ms * MS
    recs = []
    for i, t in enumerate(sent):
        flow = i % FLOWS
        link1 = flow < 2
        if i in lost_link2:
            continue
        if link1 and FAULT <= t < back:
            continue                     # lost in the dead link1
        ifi = IF_UP1 if link1 and not back <= t < RESTORE else IF_UP2
        recs.append(struct.pack("<QQQII", i, t, t + 50_000, ifi, flow))
    open(os.path.join(d, "send%s.bin" % sfx), "wb").write(struct.pack("<%dQ" % n, *sent))
    open(os.path.join(d, "recv%s.bin" % sfx), "wb").write(b"".join(recs))
    json.dump({"sent": n, "flows": FLOWS, "rate": PPS, "start_ns": T0, "end_ns": END,
               "late_max_us": 0, "send_errors": 0, "sport_base": 20000,
               "family": 6 if sfx == "6" else 4},
              open(os.path.join(d, "send%s.json" % sfx), "w"))
    json.dump({"received": len(recs), "malformed": 0,
               "ifaces": {str(IF_UP1): {"name": "up1", "packets": 0},
                          str(IF_UP2): {"name": "up2", "packets": 0}}},
              open(os.path.join(d, "recv%s.json" % sfx), "w"))


def group(d, v6):
    head = {"group": "aa-50", "gateway": "twinpath", "mode": "active-active",
            "bfd_ms": 50, "mult": 3, "links": 2, "prefixes": 10,
            "sessions": "Established Established Up Up", "flows": FLOWS, "pps": PPS,
            "v6": int(v6), "flows6": FLOWS, "pps6": PPS, "sus": 0, "wall_minus_mono_ns": 0}
    evs = [head, {"scenario": "normal", "end_ns": T0 + 3 * S},
           {"scenario": "silent", "kind": "silent", "link": 1,
            "fault": {"ns": FAULT, "t0_ns": FAULT, "t1_ns": FAULT},
            "restore": {"ns": RESTORE}, "bfd_down_ns": DOWN, "bfd_state": "Down",
            "back_ns": RESTORE + S, "end_ns": END}]
    with open(os.path.join(d, "events.jsonl"), "w") as f:
        for e in evs:
            f.write(json.dumps(e) + "\n")


def analyze(v6, **kw6):
    """the rows of a made-up group (IPv6 stream with KW6 if V6)"""
    with tempfile.TemporaryDirectory() as d:
        group(d, v6)
        stream(d, "")
        if v6:
            stream(d, "6", **kw6)
        out = os.path.join(d, "out.json")
        subprocess.run([sys.executable, os.path.join(HERE, "analyze.py"), "group",
                        "--dir", d, "--tag", "t", "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        return {r["scenario"]: r for r in json.load(open(out))}


def main():
    r = analyze(False)
    check("IPv4 alone: no ipv6 fields", not any("ipv6" in x for x in r.values()))
    check("IPv4 alone: silent passes (outage %s ms)" % r["silent"]["outage_ms"],
          r["silent"]["pass"])

    r = analyze(True)
    s = r["silent"]
    check("dual stack: every row has its IPv6 stream's fields",
          all("ipv6" in x for x in r.values()))
    check("dual stack: IPv4 fields unchanged (outage %s ms, %d lost)"
          % (s["outage_ms"], s["lost"]), s["outage_ms"] == analyze(False)["silent"]["outage_ms"])
    # link1's flows (index % 4 in 0, 1): the last sent before the fault
    # at FAULT - 3 ms, the first through link2 at DOWN + 1 ms
    check("dual stack: IPv6 outage %s ms, the affected flows' gap (124)" % s["ipv6"]["outage_ms"],
          s["ipv6"]["outage_ms"] == 124.0)
    check("dual stack: IPv6 reaction %s ms from the shared BFD Down" % s["ipv6"]["reaction_ms"],
          s["ipv6"]["reaction_ms"] is not None and s["ipv6"]["reaction_ms"] < 1.1)
    check("dual stack: IPv6 affected flows 2, none of link2's lost",
          s["ipv6"]["affected_flows"] == 2 and s["ipv6"]["lost_unaffected"] == 0)
    check("dual stack: every row passes", all(x["pass"] for x in r.values()))
    check("dual stack: restore back to ECMP in both families",
          r["restore-silent"]["flows_link1"] == 2 and r["restore-silent"]["ipv6"]["flows_link1"] == 2)

    # one packet of a link2 flow lost in the IPv6 stream alone, in the window
    i = (FAULT - T0) // MS + 2     # flow 2 (index % 4 == 2), link2
    r = analyze(True, lost_link2=(i,))
    s = r["silent"]
    check("IPv6 loss on link2's flows fails the row: %s" % s["why"],
          not s["pass"] and s["ipv6"]["lost_unaffected"] == 1 and s["lost_unaffected"] == 0
          and "IPv6: 1 lost on surviving flows" in s["why"])

    # the IPv6 stream's affected flows out for 200 ms: over the IPv4 bound
    r = analyze(True, outage_ms=200)
    s = r["silent"]
    check("IPv6 outage over the bound fails the row: %s" % s["why"],
          not s["pass"] and s["ipv6"]["outage_ms"] > s["limit_ms"]
          and "IPv6: outage" in s["why"] and s["outage_ms"] <= s["limit_ms"])
    print("%s" % ("all passed" if not failures else "%d failed" % failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
