#!/usr/bin/env python3
"""make soak's verdict (bench/soak/run.sh): from the run's timeline
(events.jsonl), the telemetry read every few seconds (polls.jsonl: each
link's /twinpath/bfd with the suspect_* keys and show bfd's down_count)
and the traffic tools' reports, write soak.json and print a table.

No link fails in a soak, so every suspicion is false. The margin is
1 - the highest score a link's evidence reached (suspect.h: 1 is two
kinds agreeing as the rule says); it says how close the run came to a
false suspicion, so whether a longer run is worth it. Exit 1 unless no
suspicion happened and no BFD Down outside a loss episode on its
own link (one inside is BFD's verdict on a lossy link: reported)."""
import argparse
import glob
import json
import os
import re
import sys

KINDS = ("silence", "unanswered", "distress", "bfd_late")


def load_lines(path):
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as fh:
        for line in fh:
            line = line.strip()
            if line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--work", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--minutes", type=float, required=True)
    ap.add_argument("--slot", type=float, required=True)
    ap.add_argument("--commit", default="unknown")
    args = ap.parse_args()

    events = load_lines(os.path.join(args.work, "events.jsonl"))
    polls = load_lines(os.path.join(args.work, "polls.jsonl"))
    if not events or not polls:
        print("soak: no timeline or no telemetry: the run did not happen",
              file=sys.stderr)
        return 1
    t0 = next(e["t_ns"] for e in events if e["kind"] == "start")
    ends = [e["t_ns"] for e in events if e["kind"] == "end"]
    t_end = ends[0] if ends else polls[-1]["t_ns"]
    completed = bool(ends)
    first, last = polls[0]["links"], polls[-1]["links"]
    links = sorted(last)

    def rel(t):
        return round((t - t0) / 1e9, 3)

    # what ran at time T: the slot's phase and the event then on
    def during(t):
        phase = None
        on = {}
        for e in events:
            if e["t_ns"] > t:
                break
            if e["kind"] == "phase":
                phase = e["detail"]
            elif e["kind"].endswith("_on"):
                on[e["kind"][:-3]] = e["detail"]
            elif e["kind"].endswith("_off"):
                on.pop(e["kind"][:-4], None)
        return {"phase": phase, "events": list(on.values())}

    per_link = {}
    suspicions = abstained = downs = 0
    peak = None
    for name in links:
        l, f = last[name], first.get(name, {})
        if "suspect_state" not in l:
            continue
        d0 = f.get("down_count") or 0
        d1 = l.get("down_count")
        if d1 is None:  # the last show bfd failed: the latest known
            d1 = max((p["links"][name].get("down_count") or 0)
                     for p in polls if name in p["links"])
        score = l["suspect_peak_score_milli"] / 1000.0
        pl = {
            "suspicions": l["suspicions"],
            "confirmed": l["suspect_confirmed"],
            "cleared": l["suspect_cleared"],
            "abstained": l["suspect_abstained"],
            "bfd_downs": d1 - d0,
            "peak_score": score,
            "peak_pair": l["suspect_peak_pair"],
            "margin": round(1.0 - score, 3),
            "kind_peaks": {k: l["suspect_peak_%s_milli" % k] / 1000.0
                           for k in KINDS},
            "state_at_end": l["suspect_state"],
            "late_ticks": l["suspect_late_ticks"],
        }
        if l["suspect_peak_ns"]:
            pl["peak_t_s"] = rel(l["suspect_peak_ns"])
            pl["peak_during"] = during(l["suspect_peak_ns"])
        # the highest score seen at a poll, and when: how often it is near
        polled = [(p["links"][name].get("suspect_score_milli", 0), p["t_ns"])
                  for p in polls if name in p["links"]]
        pl["polled_max_score"] = max(polled)[0] / 1000.0 if polled else 0.0
        per_link[name] = pl
        suspicions += pl["suspicions"]
        abstained += pl["abstained"]
        downs += pl["bfd_downs"]
        if peak is None or score > peak[1]:
            peak = (name, score)

    duration_s = (t_end - t0) / 1e9
    n_links = len(per_link)
    timeline = [{"t_s": rel(e["t_ns"]), "kind": e["kind"],
                 "detail": e["detail"]} for e in events]
    counts = {}
    for e in events:
        if e["kind"] == "phase":
            counts[e["detail"]] = counts.get(e["detail"], 0) + 1
        elif e["kind"].endswith("_on"):
            counts[e["kind"][:-3]] = counts.get(e["kind"][:-3], 0) + 1

    # the traffic, per phase: what the tools did and how long they stalled
    traffic = {}
    for path in sorted(glob.glob(os.path.join(args.work, "slot*-*-*.json"))):
        m = re.match(r"slot(\d+)-(\w+)-(\d)\.json", os.path.basename(path))
        if not m:
            continue
        try:
            j = json.load(open(path))
        except ValueError:
            continue
        t = traffic.setdefault(m.group(2), {})
        for cls in ("tcp_bulk", "tcp_rr", "udp_rr", "udp_oneway"):
            c = j.get(cls, {})
            if not c.get("flows"):
                continue
            a = t.setdefault(cls, {"done": 0, "stalls": 0,
                                   "max_stall_ms": 0.0, "pps_est": 0.0})
            a["done"] += c.get("bytes", c.get("transactions",
                                              c.get("datagrams", 0)))
            a["stalls"] += len(c["stalls"])
            a["max_stall_ms"] = max(a["max_stall_ms"], c["max_stall_ms"])
            a["pps_est"] += c["pps_est"]
    nslots = counts.get("bulk", 0) + counts.get("onoff", 0) + \
        counts.get("idle", 0) + counts.get("twoway", 0) + \
        counts.get("oneway", 0)
    for ph, t in traffic.items():
        n = counts.get(ph, 1) or 1
        for a in t.values():
            # pps summed over the tools of all slots of the phase
            a["pps_est"] = round(a["pps_est"] / n, 1)
    servers = {}
    for path in sorted(glob.glob(os.path.join(args.work, "srv*.json"))):
        try:
            servers[os.path.basename(path)[:-5]] = json.load(open(path))
        except ValueError:
            pass

    # each BFD Down in the run (show bfd's recent_downs, the last eight
    # per link, CLOCK_MONOTONIC) with what was running then
    downs_detail = []
    try:
        show = json.load(open(os.path.join(args.work, "poll.show")))
        for sl in show.get("links", []):
            for d in sl.get("recent_downs") or []:
                if t0 <= d["change_ns"] <= t_end:
                    downs_detail.append({
                        "link": sl["name"], "t_s": rel(d["change_ns"]),
                        "declared_by": d.get("declared_by"),
                        "up_again_s": (rel(d["up_ns"]) if d.get("up_ns")
                                       else None),
                        "during": during(d["change_ns"])})
            ld = sl.get("last_down") or {}
            for x in downs_detail:
                if x["link"] == sl["name"] and ld.get("diag"):
                    x.setdefault("last_diag", ld["diag"])
    except (OSError, ValueError, KeyError):
        pass
    max_score = max((p["peak_score"] for p in per_link.values()),
                    default=0.0)
    # A BFD Down while the soak drops 5 % of that link's packets both
    # ways is BFD's own verdict on a lossy link (three of the peer's
    # packets lost in a row, some 0.05^3 a packet): reported, never a
    # suspicion. One anywhere else means something else broke.
    for x in downs_detail:
        x["in_loss_episode"] = any(
            e.startswith("5 % loss") and e.endswith(x["link"])
            for e in (x.get("during") or {}).get("events", []))
    unexplained = downs - sum(1 for x in downs_detail if x["in_loss_episode"])
    verdict = "pass" if suspicions == 0 and unexplained == 0 and completed \
        else "fail"
    out = {
        "verdict": verdict,
        "link_hours": round(n_links * duration_s / 3600.0, 4),
        "suspicions": suspicions,
        "false_suspicions": suspicions,  # no link failed in a soak
        "abstained": abstained,
        "bfd_downs": downs,
        "bfd_downs_detail": downs_detail,
        "bfd_downs_outside_loss": unexplained,
        "min_margin": round(1.0 - max_score, 3),
        "peak": ({"link": peak[0], "score": peak[1],
                  "pair": per_link[peak[0]]["peak_pair"],
                  "t_s": per_link[peak[0]].get("peak_t_s"),
                  "during": per_link[peak[0]].get("peak_during")}
                 if peak else None),
        "duration_s": round(duration_s, 1),
        "minutes_planned": args.minutes,
        "completed": completed,
        "slot_s": args.slot,
        "slots": nslots,
        "links": per_link,
        "counts": counts,
        "bfd": "300 ms x 3, BIRD 2 on both upstreams, active/active",
        "suspect": "suspect = { }; defaults on both links",
        "commit": args.commit,
        "events": timeline,
        "traffic": traffic,
        "servers": servers,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")

    print("| link | suspicions | abstained | BFD Downs | peak score | pair "
          "| margin | peak at | during |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, pl in per_link.items():
        d = pl.get("peak_during") or {}
        print("| %s | %d | %d | %d | %.3f | %s | %.3f | %s | %s |" % (
            name, pl["suspicions"], pl["abstained"], pl["bfd_downs"],
            pl["peak_score"], pl["peak_pair"], pl["margin"],
            "%.1f s" % pl["peak_t_s"] if "peak_t_s" in pl else "-",
            "%s%s" % (d.get("phase") or "-",
                      "".join(", " + x for x in d.get("events", [])))))
    print("soak: %s: %.3f link-hours, %d false suspicion(s), %d BFD Down(s), "
          "min margin %.3f (%s)" % (
              verdict.upper(), out["link_hours"], suspicions, downs,
              out["min_margin"], args.out))
    for x in downs_detail:
        d = x["during"]
        print("soak: BFD Down on %s at %.1f s (%s), during %s%s" % (
            x["link"], x["t_s"], x.get("last_diag", "?"), d.get("phase"),
            "".join(", " + e for e in d.get("events", []))))
    if not completed:
        print("soak: the run ended early: not a verdict", file=sys.stderr)
    return 0 if verdict == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
