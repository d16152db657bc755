#!/usr/bin/env python3
"""The failover bench's analysis (bench/failover/run.sh).

group: one lab's run (events.jsonl, fo_send's send.bin, fo_recv's recv.bin
and summaries in --dir) cut into scenarios, one record each with its
verdict, written to --out (a JSON list); a gnuplot PNG of packets per
second per link over time with the faults and restores marked (--png).
table: the groups' records merged into one JSON list (--out), printed as a
table with twinpath and linux-frr side by side; status 1 if a twinpath
verdict failed.

Definitions (per scenario, over packets by their send time):
  affected flows  the flows that arrived over the failing link in the
                  second before the fault
  outage_ms       the largest send-time gap between consecutive received
                  packets of the affected flows, from 1 s before the
                  fault to the restore (all 64 flows together: ~0.1 ms
                  apart at 10 kpps), less the time the sender itself
                  paused inside that gap (fo_send paces a burst every
                  SEND_TICK_NS; a tick that came late is a pause of the
                  sender, not of the gateway: on this VM the host stops
                  a CPU for tens of ms at times)
  sender_pause_ms the pause removed from the outage's gap
  lost            sent in the window, never received (any flow)
  reordered       received after a later packet of its own flow
  duplicated      received more than once
  flows_moved     flows on another link at the end of the window than at
                  its start
  moved_unaffected  of those, flows whose own link never failed
  detection_ms    silent loss: the gateway's BFD state change of the link
                  (twinpath: the health map's; linux-frr: bfdd's log,
                  microseconds) minus the fault's instant (carrier loss
                  is seen by the link poll first: no BFD figure)
  reaction_ms     first packet of an affected flow over the other link
                  (its arrival) minus that BFD state change

Dual stack (groups as-*, aa-*; issue 16 item 4): an IPv6 stream (send6,
recv6: LAN host -> srv 2001:db8:100::10, its own flows) runs beside the
IPv4 one through the same faults. Every normal, fault and restore row is
computed for each stream alone with the definitions above and the same
verdicts (the IPv6 outage within the IPv4 bound, nothing lost on the
flows of the surviving link, ...); detection_ms is the link's BFD change,
shared by both families (one session a link). The fields above stay the
IPv4 stream's; the row's "ipv6" object holds the IPv6 stream's
(outage_ms, sender_pause_ms, lost, lost_unaffected, reordered,
duplicated, affected_flows, flows_moved, moved_unaffected, switch_ms,
reaction_ms, flows_link1, flows_link2, flows_in_use, back_ms, pass,
why), and the row passes only if both families do ("why" names an IPv6
failure "IPv6: ...").

Four links (group aa4-*): the same fault and restore rows for each link
in turn (record field "link"); arrival link up1..up4 by srv's interface;
the restore's ECMP verdict wants flows on all four links again.

Scale (group scale-*, active/standby): silent loss on link1 with the 10
prefixes, then a "bulk-load" row (both upstreams announce the full table
while the stream runs: lost, largest gap, load_s), then silent loss again
with the table (records carry "prefixes"). The full-table silent row
also has to keep, beyond the silent verdict,
  scale_extra_ms  (outage_ms - detection_ms) with the table minus the
                  same with 10 prefixes: what the table adds to the
                  outage after BFD's detection, <= SCALE_SLACK_MS. The raw
                  outages differ by BFD's phase alone (the fault lands
                  anywhere in a receive interval: detection varies by up
                  to one interval, 50 ms), so they are reported
                  (outage_10_ms) but the verdict subtracts each row's own
                  detection (linux-frr's from bfdd's log; its raw
                  outages when the log has no state change).

Link suspicion (group sus-*, issue 18): active/active at the providers'
BFD timers (300 ms x 3, 1 000 ms x 5), twinpath with links.suspect { },
the provider's PoPs joined by iBGP, and besides the LAN -> srv probe a
srv -> LAN one (send2, recv2) and tests/tools/traffic_mix.py's TCP and
UDP. The silent loss of link1 is made both ways (silent), for the site's
outbound traffic alone (silent-out) and for its inbound alone
(silent-in). Each fault row also carries
  cut             both, out (the site's outbound lost) or in
  two_way_pps     frames of the two-way flows through link1, both ways,
                  in the second before the fault (fo_fault count)
  suspect_ms      twinpath-dp's log line "link link1 suspected" minus
                  the fault (ms-precision wall clock); null: none
  suspect_evidence  the kinds it names
  bfd_down_ms     the BFD Down minus the fault; null: none
  outage_out_ms   outage_ms: the LAN -> srv probe flows on link1
  outage_in_ms    the srv -> LAN probe: the largest send-time gap of the
                  flows that lost a packet in the window, together (the
                  flows the provider sent over link1)
  lost_in         srv -> LAN packets lost in the window
  tcp_bulk_stall_ms, tcp_rr_stall_ms, udp_rr_stall_ms  traffic_mix.py's
                  longest stall of the class that overlaps the fault
  false_suspicions  suspicions in the whole run (until twinpath-dp
                  stopped, after the traffic) outside the faults of
                  their own link, from the fault to things as before
Verdicts (twinpath) beyond the silent ones: with two_way_pps >= 1000 and
the outbound direction cut, outage_out_ms <= a third of the detection
time; a suspicion never after BFD's Down; silent-in: nothing outbound
lost; no false suspicion.

Process faults (group proc-*, issue 13): two streams, LAN -> srv (send,
recv: arrival link up1/up2) and srv -> LAN (send2, recv2 on the LAN host:
its arrival interface is the gateway's LAN side, link 0 here), one record
per scenario and direction, over packets sent from 1 s before the fault
(kill, birdc) to the end of the scenario:
  outage_ms       the largest send-time gap between consecutive received
                  packets (all flows)
  via_link2       LAN -> srv packets that left over link2 (kill-cp must
                  keep link1: zero loss by GR, not by failover; peer-gr
                  reports it: the peer's BFD dies with its process and the
                  data plane moves to the backup, losslessly)
  back_ms         kill-dp: arrival of the first packet after that gap minus
                  the restart's instant (twinpath-dp started again)
"""
import argparse
import datetime
import json
import os
import re
import struct
import subprocess
import sys

S = 1_000_000_000
MS = 1_000_000
CARRIER_LIMIT_MS = 10
SILENT_SLACK_MS = 10
REACTION_LIMIT_MS = 5
SEND_TICK_NS = 1_000_000  # fo_send's pacing tick
SCALE_SLACK_MS = 5  # the full table may add this much to a failover


def load_group(d, sfx=""):
    ev = [json.loads(l) for l in open(os.path.join(d, "events.jsonl")) if l.strip()]
    head, evs = ev[0], ev[1:]
    send = json.load(open(os.path.join(d, "send%s.json" % sfx)))
    recv = json.load(open(os.path.join(d, "recv%s.json" % sfx)))
    raw = open(os.path.join(d, "send%s.bin" % sfx), "rb").read()
    sent_ns = list(struct.unpack("<%dQ" % (len(raw) // 8), raw))
    names = {int(k): v["name"] for k, v in recv["ifaces"].items()}
    link_of = {}
    for k, v in names.items():
        # srv's interface upN is link N's side (tests/lab.sh)
        link_of[k] = int(v[2:]) if v[:2] == "up" and v[2:].isdigit() else 0
    n = len(sent_ns)
    count = bytearray(n)         # times received
    via = bytearray(n)           # link 1 or 2 of the first arrival
    arrival = [0] * n            # recv ns of the first arrival
    reord = bytearray(n)         # arrived after a later packet of its flow
    flows = send.get("flows", head["flows"])
    top = [-1] * flows
    raw = open(os.path.join(d, "recv%s.bin" % sfx), "rb").read()
    for idx, _sns, rns, ifi, fl in struct.iter_unpack("<QQQII", raw):
        if idx >= n:
            continue
        if count[idx] == 0:
            via[idx] = link_of.get(ifi, 0)
            arrival[idx] = rns
        if count[idx] < 255:
            count[idx] += 1
        seq = idx // flows
        if seq < top[fl]:
            reord[idx] = 1
        elif seq > top[fl]:
            top[fl] = seq
    return head, evs, send, sent_ns, count, via, arrival, reord


class Run:
    def __init__(self, d, sfx="", direction="lan-to-srv"):
        (self.head, self.evs, self.send, self.sent_ns, self.count, self.via,
         self.arrival, self.reord) = load_group(d, sfx)
        self.direction = direction
        self.flows = self.send.get("flows", self.head["flows"])
        self.links = self.head.get("links", 2)
        self.n = len(self.sent_ns)
        # pause[i]: the sender's pauses (send gaps past one tick) up to
        # packet i, so pause[b] - pause[a] is the time it did not send
        # between packets a and b
        self.pause = [0] * self.n
        for i in range(1, self.n):
            d = self.sent_ns[i] - self.sent_ns[i - 1] - SEND_TICK_NS
            self.pause[i] = self.pause[i - 1] + (d if d > 0 else 0)

    def span(self, t0, t1):
        """indexes sent in [t0, t1) (send times grow with the index)"""
        import bisect
        return range(bisect.bisect_left(self.sent_ns, t0),
                     bisect.bisect_left(self.sent_ns, t1))

    def flow_links(self, t0, t1):
        """flow -> the link most of its packets sent in [t0, t1) took"""
        c = {}
        for i in self.span(t0, t1):
            if self.count[i]:
                k = (i % self.flows, self.via[i])
                c[k] = c.get(k, 0) + 1
        best = {}
        for (f, l), v in c.items():
            if v > best.get(f, (0, 0))[1]:
                best[f] = (l, v)
        return {f: l for f, (l, _) in best.items()}

    def tally(self, r):
        lost = sum(1 for i in r if not self.count[i])
        dup = sum(self.count[i] - 1 for i in r if self.count[i] > 1)
        reo = sum(1 for i in r if self.reord[i])
        return lost, reo, dup


def base_record(h, scenario, direction="lan-to-srv"):
    return {"gateway": h["gateway"], "mode": h["mode"], "scenario": scenario,
            "direction": direction,
            "bfd_ms": h["bfd_ms"], "mult": h["mult"], "links": h["links"], "prefixes": h["prefixes"],
            "outage_ms": None, "lost": 0, "reordered": 0, "duplicated": 0,
            "flows_moved": 0, "detection_ms": None, "reaction_ms": None,
            "pass": False}


def split(fl, flows, links=2):
    """flows on link 1..links"""
    return [sum(1 for f in range(flows) if fl.get(f) == l) for l in range(1, links + 1)]


def sessions_up(s, links):
    w = s.split()
    return w in (["Established"] * links + ["Up"] * links,
                 ["Established"] * links + ["up"] * links)


def set_flows(rec, on):
    rec["flows_link1"], rec["flows_link2"] = on[0], on[1]
    if len(on) > 2:
        rec["flows_per_link"] = on


def normal_row(run, start, end):
    h = run.head
    rec = base_record(h, "normal", run.direction)
    r = run.span(start, end)
    rec["lost"], rec["reordered"], rec["duplicated"] = run.tally(r)
    fl = run.flow_links(start, end)
    on = split(fl, run.flows, run.links)
    set_flows(rec, on)
    rec["sessions"] = h["sessions"]
    sess_ok = sessions_up(h["sessions"], run.links)
    if run.direction == "srv-to-lan":
        # arrival on the LAN host: the gateway's side, no link to check
        placed = len(fl) == run.flows
    elif h["mode"] == "active-standby":
        placed = on == [run.flows] + [0] * (run.links - 1)
    else:
        placed = all(on) and sum(on) == run.flows
    rec["pass"] = bool(sess_ok and placed and rec["lost"] == 0)
    rec["why"] = "" if rec["pass"] else \
        "sessions %s, flows per link %s, lost %d" % (h["sessions"], on, rec["lost"])
    return rec


def fault_row(run, ev):
    h = run.head
    fault, restore = ev["fault"]["ns"], ev["restore"]["ns"]
    bad = ev["link"]
    rec = base_record(h, ev["scenario"])
    rec["link"] = bad
    w0 = fault - S
    r = run.span(w0, restore)
    rec["lost"], rec["reordered"], rec["duplicated"] = run.tally(r)
    pre = run.flow_links(w0, fault)
    post = run.flow_links(restore - S, restore)
    affected = {f for f, l in pre.items() if l == bad}
    rec["affected_flows"] = len(affected)
    rec["flows_moved"] = sum(1 for f in pre if post.get(f) != pre[f])
    # flows whose link survived yet carry on over another one (four links:
    # a new group of the survivors hashes the flows anew)
    rec["moved_unaffected"] = sum(1 for f in pre if f not in affected and post.get(f) != pre[f])
    rec["lost_unaffected"] = sum(1 for i in r if not run.count[i]
                                 and i % run.flows not in affected)
    rec["fault_span_us"] = round((ev["fault"]["t1_ns"] - ev["fault"]["t0_ns"]) / 1e3, 1)
    gap, gap_pause, last, first_other = 0, 0, None, None
    for i in r:
        if i % run.flows not in affected or not run.count[i]:
            continue
        t = run.sent_ns[i]
        if last is not None:
            pause = run.pause[i] - run.pause[last_i]
            if t - last - pause > gap:
                gap, gap_pause = t - last - pause, pause
        last, last_i = t, i
        if first_other is None and run.via[i] != bad and run.arrival[i] > fault:
            first_other = run.arrival[i]
    # nothing of the affected flows came through from some time before
    # the restore to it: the gap runs to the window's last packet sent
    # (a gateway that never moved them before the restore)
    tail = [i for i in r if i % run.flows in affected]
    if affected and last is not None and tail and run.sent_ns[tail[-1]] > last:
        i = tail[-1]
        pause = run.pause[i] - run.pause[last_i]
        if run.sent_ns[i] - last - pause > gap:
            gap, gap_pause = run.sent_ns[i] - last - pause, pause
    rec["outage_ms"] = round(gap / MS, 2) if affected else 0.0
    rec["sender_pause_ms"] = round(gap_pause / MS, 2)
    rec["switch_ms"] = round((first_other - fault) / MS, 2) if first_other else None
    down = ev.get("bfd_down_ns") or 0
    # a carrier loss is seen by the link poll, before BFD: its BFD change
    # says nothing about the switch, so detection/reaction are silent's
    # (linux-frr: bfdd's logged state change, bench/failover/run.sh)
    if down > fault and ev["kind"].startswith("silent"):
        rec["detection_ms"] = round((down - fault) / MS, 2)
        if first_other:
            rec["reaction_ms"] = round((first_other - down) / MS, 2)
    detect_ms = h["bfd_ms"] * h["mult"]
    why = []
    if ev["scenario"] == "reverse":
        if rec["lost"]:
            why.append("lost %d" % rec["lost"])
        if rec["flows_moved"]:
            why.append("%d flows moved" % rec["flows_moved"])
    else:
        limit = CARRIER_LIMIT_MS if ev["kind"] == "carrier" else detect_ms + SILENT_SLACK_MS
        rec["limit_ms"] = limit
        if not affected:
            why.append("no flow on link%d before the fault" % bad)
        if rec["outage_ms"] > limit:
            why.append("outage %.2f ms > %s ms" % (rec["outage_ms"], limit))
        if ev["kind"] == "silent" and rec["reaction_ms"] is not None and \
                rec["reaction_ms"] > REACTION_LIMIT_MS:
            why.append("reaction %.2f ms > %d ms" % (rec["reaction_ms"], REACTION_LIMIT_MS))
        if rec["lost_unaffected"]:
            why.append("%d lost on surviving flows" % rec["lost_unaffected"])
        if rec["switch_ms"] is None and affected:
            why.append("affected flows never came over another link")
    rec["pass"] = not why
    rec["why"] = "; ".join(why)
    return rec


def restore_row(run, ev, normal_links):
    h = run.head
    restore, end = ev["restore"]["ns"], ev["end_ns"]
    rec = base_record(h, "restore-" + ev["scenario"])
    rec["link"] = ev["link"]
    r = run.span(restore, end)
    rec["lost"], rec["reordered"], rec["duplicated"] = run.tally(r)
    before = run.flow_links(restore - S, restore)
    final = run.flow_links(end - S, end)
    rec["flows_moved"] = sum(1 for f in final if before.get(f) != final[f])
    on = split(final, run.flows, run.links)
    set_flows(rec, on)
    rec["flows_in_use"] = len(final)
    rec["as_before_fault"] = sum(1 for f in final if normal_links.get(f) == final[f])
    back = [run.arrival[i] for i in r if run.count[i] and run.via[i] == ev["link"]]
    rec["back_ms"] = round((min(back) - restore) / MS, 1) if back else None
    why = []
    if rec["lost"]:
        why.append("lost %d" % rec["lost"])
    if len(final) != run.flows:
        why.append("%d of %d flows in use" % (len(final), run.flows))
    if h["mode"] == "active-standby" and on != [run.flows] + [0] * (run.links - 1):
        why.append("flows per link %s, want all on link1" % on)
    if h["mode"] == "active-active" and not all(on):
        why.append("ECMP not restored: flows per link %s" % on)
    rec["pass"] = not why
    rec["why"] = "; ".join(why)
    return rec


def load_row(run, ev):
    """scale: the full table announced while the stream runs"""
    h = run.head
    h["prefixes"] = ev["prefixes"]  # the rows after it have the table
    rec = base_record(h, ev["scenario"])
    r = run.span(ev["start_ns"], ev["end_ns"])
    rec["lost"], rec["reordered"], rec["duplicated"] = run.tally(r)
    gap, last = 0, None
    for i in r:
        if run.count[i]:
            t = run.sent_ns[i]
            if last is not None:
                gap = max(gap, t - last - (run.pause[i] - run.pause[last_i]))
            last, last_i = t, i
    rec["outage_ms"] = round(gap / MS, 2)
    rec["load_s"] = round((ev["loaded_ns"] - ev["start_ns"]) / S, 1)
    rec["sessions"], rec["vias"] = ev["sessions"], ev["vias"]
    final = run.flow_links(ev["end_ns"] - S, ev["end_ns"])
    on = split(final, run.flows, run.links)
    set_flows(rec, on)
    why = []
    if rec["lost"]:
        why.append("lost %d while the table loaded" % rec["lost"])
    if not sessions_up(ev["sessions"], run.links):
        why.append("sessions %s" % ev["sessions"])
    if on != [run.flows] + [0] * (run.links - 1):
        why.append("flows per link %s, want all on link1" % on)
    rec["pass"] = not why
    rec["why"] = "; ".join(why)
    return rec


def scale_verdict(recs):
    """the full table's silent row against the 10 prefixes' (docstring)"""
    sil = [r for r in recs if r["scenario"] == "silent"]
    if len(sil) != 2:
        return
    small, big = sorted(sil, key=lambda r: r["prefixes"])
    if small["outage_ms"] is None or big["outage_ms"] is None:
        return
    big["outage_10_ms"] = small["outage_ms"]
    if small["detection_ms"] is not None and big["detection_ms"] is not None:
        a = big["outage_ms"] - big["detection_ms"]
        b = small["outage_ms"] - small["detection_ms"]
        big["scale_compared"] = "outage_ms - detection_ms"
    else:
        a, b = big["outage_ms"], small["outage_ms"]
        big["scale_compared"] = "outage_ms"
    big["scale_extra_ms"] = round(a - b, 2)
    if a > b + SCALE_SLACK_MS:
        big["pass"] = False
        big["why"] = "; ".join(x for x in (big["why"], "%d prefixes add %.2f ms (%s) > %d ms" % (
            big["prefixes"], a - b, big["scale_compared"], SCALE_SLACK_MS)) if x)


SUS_MIN_TWO_WAY_PPS = 1000


def suspicions(d, wall_minus_mono):
    """twinpath-dp's suspicions from its log: [(mono ns, link, evidence)]"""
    out = []
    pat = re.compile(r"^(\S+?)Z .*suspect: link (\S+) suspected \(([^)]*)\)")
    try:
        lines = open(os.path.join(d, "dp.log"), errors="replace")
    except OSError:
        return out
    for line in lines:
        m = pat.search(line)
        if not m:
            continue
        t = datetime.datetime.fromisoformat(m.group(1)).replace(
            tzinfo=datetime.timezone.utc)
        wall = int(t.timestamp()) * S + t.microsecond * 1000
        out.append((wall - wall_minus_mono, m.group(2), m.group(3)))
    return out


def inbound_outage(rev, t0, t1):
    """srv -> LAN: (outage ms, lost) over packets sent in [t0, t1), the
    flows that lost a packet there taken together (module docstring)"""
    r = rev.span(t0, t1)
    hit = {i % rev.flows for i in r if not rev.count[i]}
    lost = sum(1 for i in r if not rev.count[i])
    gap, last = 0, None
    for i in r:
        if i % rev.flows not in hit or not rev.count[i]:
            continue
        t = rev.sent_ns[i]
        if last is not None:
            gap = max(gap, t - last - (rev.pause[i] - rev.pause[last_i]))
        last, last_i = t, i
    if hit and last is None:
        gap = t1 - t0
    tail = [i for i in r if i % rev.flows in hit]
    if hit and last is not None and rev.sent_ns[tail[-1]] > last:
        # nothing came through from some time to the window's end
        i = tail[-1]
        gap = max(gap, rev.sent_ns[i] - last - (rev.pause[i] - rev.pause[last_i]))
    return round(gap / MS, 2), lost


def tmix_stall(tm, cls, t0, t1):
    """traffic_mix.py's longest stall of CLS overlapping [t0, t1], ms"""
    c = (tm or {}).get(cls)
    if not c or not c.get("flows"):
        return None
    return round(max([(b - a) / MS for a, b in c["stalls"] if a < t1 and b > t0],
                     default=0.0), 2)


def false_suspicions(sus, evs):
    """suspicions outside every fault of their own link, from the fault
    to the end of the scenario's wait for things as before (back_ns):
    the whole run, the stop of the traffic at its end included"""
    win = [(e["fault"]["ns"], e["back_ns"], "link%d" % e["link"])
           for e in evs if "fault" in e and "link" in e]
    return sum(1 for t, link, _ in sus
               if not any(a <= t <= b and link == l for a, b, l in win))


def sus_fields(rec, run, rev, ev, sus, tm):
    """a sus group's fault row: the fields and verdicts of the docstring"""
    h = run.head
    fault, restore = ev["fault"]["ns"], ev["restore"]["ns"]
    rec["cut"] = {"silent": "both", "silent-out": "out", "silent-in": "in"}[ev["kind"]]
    rec["two_way_pps"] = ev["two_way_pps"]
    mine = [x for x in sus if x[1] == "link%d" % ev["link"] and fault <= x[0] <= restore]
    rec["suspect_ms"] = round((mine[0][0] - fault) / MS, 1) if mine else None
    rec["suspect_evidence"] = mine[0][2] if mine else None
    down = ev.get("bfd_down_ns") or 0
    rec["bfd_down_ms"] = round((down - fault) / MS, 1) if fault < down <= restore else None
    rec["outage_out_ms"] = rec["outage_ms"]
    rec["outage_in_ms"], rec["lost_in"] = inbound_outage(rev, fault - S, restore + S) \
        if rev else (None, None)
    for cls in ("tcp_bulk", "tcp_rr", "udp_rr"):
        rec[cls + "_stall_ms"] = tmix_stall(tm, cls, fault, restore)
    rec["false_suspicions"] = false_suspicions(sus, run.evs)
    if h["gateway"] != "twinpath":
        return
    why = [rec["why"]] if rec["why"] else []
    detect_ms = h["bfd_ms"] * h["mult"]
    if rec["cut"] in ("both", "out") and rec["two_way_pps"] >= SUS_MIN_TWO_WAY_PPS:
        rec["sus_limit_ms"] = round(detect_ms / 3, 1)
        if rec["outage_ms"] is None or rec["outage_ms"] > detect_ms / 3:
            why.append("outbound outage %s ms > a third of the detection time, %.1f ms (%d two-way pps)"
                       % (rec["outage_ms"], detect_ms / 3, rec["two_way_pps"]))
    if rec["suspect_ms"] is not None and rec["bfd_down_ms"] is not None and \
            rec["suspect_ms"] > rec["bfd_down_ms"]:
        why.append("suspected %.1f ms after the fault, after BFD's Down (%.1f ms)"
                   % (rec["suspect_ms"], rec["bfd_down_ms"]))
    if rec["cut"] == "in" and rec["lost"]:
        why.append("%d outbound packets lost with only the inbound direction cut" % rec["lost"])
    if rec["false_suspicions"]:
        why.append("%d false suspicions in the run" % rec["false_suspicions"])
    rec["pass"] = not why
    rec["why"] = "; ".join(why)


def proc_row(run, ev):
    """a process fault, one direction (module docstring)"""
    h = run.head
    fault, restore, back, end = ev["fault"]["ns"], ev["restore"]["ns"], ev["back_ns"], ev["end_ns"]
    rec = base_record(h, ev["scenario"], run.direction)
    rec["faults"] = "process"
    if run.direction == "srv-to-lan":
        rec["arrival"] = "link1 by srv's route; the LAN host sees the gateway's LAN side"
    r = run.span(fault - S, end)
    rec["lost"], rec["reordered"], rec["duplicated"] = run.tally(r)
    gap, last, after = 0, None, None
    for i in r:
        if not run.count[i]:
            continue
        t = run.sent_ns[i]
        if last is not None and t - last > gap:
            gap, after = t - last, i
        last = t
    rec["outage_ms"] = round(gap / MS, 2)
    # LAN -> srv packets that left over link2 (the backup) in the window
    rec["via_link2"] = sum(1 for i in r if run.count[i] and run.via[i] == 2)
    rec["restart_ms"] = round((restore - fault) / MS, 1)
    rec["settled_ms"] = round((back - fault) / MS, 1)
    rec["sessions"] = ev["sessions"]
    rec["vias"] = ev["vias"]
    rec["generation_sent"], rec["generation_applied"] = ev["gen_sent"], ev["gen_applied"]
    final = run.flow_links(end - S, end)
    on = split(final, run.flows)
    rec["flows_link1"], rec["flows_link2"] = on
    rec["flows_in_use"] = len(final)
    why = []
    if ev["sessions"].split() not in (["Established", "Established", "Up", "Up"],
                                      ["Established", "Established", "up", "up"]):
        why.append("sessions %s" % ev["sessions"])
    if ev["vias"] != "link1":
        why.append("route via %s, want link1" % ev["vias"])
    if len(final) != run.flows:
        why.append("%d of %d flows in use at the end" % (len(final), run.flows))
    if run.direction == "lan-to-srv" and on != [run.flows, 0]:
        why.append("flows on link1/link2 %s at the end, want all on link1" % on)
    if ev["scenario"] == "kill-dp":
        # outage = restart time, measured: no zero-loss verdict (issue 13)
        if after is not None and run.arrival[after] > restore:
            rec["back_ms"] = round((run.arrival[after] - restore) / MS, 1)
            if rec["back_ms"] > 30000:
                why.append("back %.1f ms after the restart > 30 s" % rec["back_ms"])
        lost_end = sum(1 for i in run.span(end - S, end) if not run.count[i])
        if lost_end:
            why.append("lost %d in the last second" % lost_end)
    else:
        if rec["lost"]:
            why.append("lost %d" % rec["lost"])
        # kill-cp: twinpath-dp and BFD never stopped, so link1 must
        # keep every packet (zero loss by GR, not by failover). peer-gr:
        # the peer's BFD stops with its process (a control-plane
        # dependent BFD, C bit clear), the data plane sees link1 dead and
        # uses the backup; the verdict is zero loss, and the
        # packets that went over link2 are reported (README, limits)
        if rec["via_link2"] and ev["scenario"] == "kill-cp":
            why.append("%d packets over link2: left link1" % rec["via_link2"])
        if ev["scenario"] == "kill-cp":
            if not (ev["gen_sent"] > 0 and ev["gen_sent"] == ev["gen_applied"]):
                why.append("generation sent %s applied %s" % (ev["gen_sent"], ev["gen_applied"]))
            if not ev.get("gr_full_sync"):
                why.append("no first full sync of the new twinpathd in cp.log")
    rec["pass"] = not why
    rec["why"] = "; ".join(why)
    return rec


# the IPv6 stream's fields of a row (module docstring, dual stack)
V6_FIELDS = ("outage_ms", "sender_pause_ms", "lost", "lost_unaffected", "reordered",
             "duplicated", "affected_flows", "flows_moved", "moved_unaffected",
             "switch_ms", "reaction_ms", "flows_link1", "flows_link2", "flows_in_use",
             "back_ms", "pass", "why")


def add_ipv6(rec, rec6):
    """the IPv6 stream's row REC6 into the IPv4 one's, REC (docstring)"""
    rec["ipv6"] = {k: rec6[k] for k in V6_FIELDS if k in rec6}
    if not rec6["pass"]:
        rec["pass"] = False
        rec["why"] = "; ".join(x for x in (rec["why"], "IPv6: " + rec6["why"]) if x)


def per_bin(run, start, bin_ns, nb):
    """RUN's packets (none without RUN) by send-time bin from START:
    (lost, [via link1, link2, link3, link4])"""
    lost, via = [0] * nb, [[0] * nb for _ in range(4)]
    for i, t in enumerate(run.sent_ns if run else []):
        b = (t - start) // bin_ns
        if not 0 <= b < nb:
            continue
        if not run.count[i]:
            lost[b] += 1
        elif 1 <= run.via[i] <= 4:
            via[run.via[i] - 1][b] += 1
    return lost, via


def plot(run, png, tag, rev=None, run6=None):
    if not png:
        return
    start = run.send["start_ns"]
    bin_ns = 10 * MS
    nb = (run.sent_ns[-1] - start) // bin_ns + 1
    r_ok, r_lost = [0] * nb, [0] * nb
    lost, (c1, c2, c3, c4) = per_bin(run, start, bin_ns, nb)
    vlost, (v1, v2, _, _) = per_bin(run6, start, bin_ns, nb)
    for i, t in enumerate(rev.sent_ns if rev else []):
        b = (t - start) // bin_ns
        if not 0 <= b < nb:
            continue
        if rev.count[i]:
            r_ok[b] += 1
        else:
            r_lost[b] += 1
    dat = png[:-4] + ".dat"
    k = S // bin_ns
    with open(dat, "w") as f:
        f.write("# t_s link1_pps link2_pps lost_pps srv_to_lan_pps srv_to_lan_lost_pps"
                " link3_pps link4_pps ipv6_link1_pps ipv6_link2_pps ipv6_lost_pps"
                " (by send time, 10 ms bins; link*, lost: the IPv4 stream)\n")
        for b in range(nb):
            f.write("%.3f %d %d %d %d %d %d %d %d %d %d\n" % (
                b * bin_ns / S, c1[b] * k, c2[b] * k, lost[b] * k,
                r_ok[b] * k, r_lost[b] * k, c3[b] * k, c4[b] * k,
                v1[b] * k, v2[b] * k, vlost[b] * k))
    marks = []
    for ev in run.evs:
        if ev.get("kind") == "load":
            for key, what in (("start_ns", "table announced"), ("loaded_ns", "%d prefixes in" % ev["prefixes"])):
                x = (ev[key] - start) / S
                marks.append('set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb "black" dt 3' % (x, x))
                marks.append('set label "%s" at %.3f, graph 0.97 rotate by 90 right tc rgb "black" font ",8"' % (what, x + 0.15))
            continue
        if "fault" not in ev:
            continue
        what = ev["scenario"] + (" link%d" % ev["link"] if "link" in ev else "")
        for key, color, what in (("fault", "red", what),
                                 ("restore", "dark-green", "restore")):
            x = (ev[key]["ns"] - start) / S
            marks.append('set arrow from %.3f, graph 0 to %.3f, graph 1 nohead lc rgb "%s" dt 2' % (x, x, color))
            marks.append('set label "%s" at %.3f, graph 0.97 rotate by 90 right tc rgb "%s" font ",8"' % (what, x + 0.15, color))
    h = run.head
    script = "\n".join([
        'set terminal png size 1400,480',
        'set output "%s"' % png,
        'set title "%s: %s, %d links, BFD %d ms x %d, %d pps over %d flows%s (10 ms bins, by send time)"' % (
            h["gateway"], h["mode"], run.links, h["bfd_ms"], h["mult"], h["pps"], h["flows"],
            " + IPv6 %d pps over %d flows" % (h["pps6"], h["flows6"]) if run6 else ""),
        'set xlabel "s since the stream started"', 'set ylabel "packets/s"',
        'set key outside right', 'set yrange [0:%d]' % int(max(h["pps"], h.get("pps6", 0)) * 1.3),
        'set grid',
    ] + marks + [
        'plot "%s" u 1:2 w steps lc rgb "blue" t "via link1 (up1)", '
        '"" u 1:3 w steps lc rgb "orange" t "via link2 (up2)", '
        '"" u 1:4 w impulses lc rgb "red" t "lost"' % dat
        + (', "" u 1:7 w steps lc rgb "dark-green" t "via link3 (up3)", '
           '"" u 1:8 w steps lc rgb "dark-violet" t "via link4 (up4)"' if run.links > 2 else "")
        + (', "" u 1:5 w steps lc rgb "dark-violet" t "srv -> LAN received", '
           '"" u 1:6 w impulses lc rgb "magenta" t "srv -> LAN lost"' if rev else "")
        + (', "" u 1:9 w steps lc rgb "web-blue" dt 2 t "IPv6 via link1", '
           '"" u 1:10 w steps lc rgb "dark-orange" dt 2 t "IPv6 via link2", '
           '"" u 1:11 w impulses lc rgb "dark-red" t "IPv6 lost"' if run6 else "")])
    try:
        subprocess.run(["gnuplot"], input=script.encode(), check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print("analyze: no PNG for %s: %s" % (tag, e), file=sys.stderr)


def cmd_group(a):
    run = Run(a.dir)
    h = run.head
    recs = []
    start = run.send["start_ns"]
    normal_end = run.evs[0]["end_ns"]
    recs.append(normal_row(run, start + S // 2, normal_end))
    normal_links = run.flow_links(start + S // 2, normal_end)
    run6 = normal_links6 = None
    if os.path.exists(os.path.join(a.dir, "send6.bin")):
        # dual stack: the IPv6 stream's rows go into the IPv4 ones'
        run6 = Run(a.dir, "6")
        add_ipv6(recs[-1], normal_row(run6, start + S // 2, normal_end))
        normal_links6 = run6.flow_links(start + S // 2, normal_end)
    rev = None
    if os.path.exists(os.path.join(a.dir, "send2.bin")):
        rev = Run(a.dir, "2", "srv-to-lan")
        recs.append(normal_row(rev, start + S // 2, normal_end))
    sus, tm = [], None
    if h.get("sus"):
        sus = suspicions(a.dir, h["wall_minus_mono_ns"])
        # the two clients' records (one per server address), merged
        tm = {}
        for k in ("a", "b"):
            try:
                one = json.load(open(os.path.join(a.dir, "tmix-%s.json" % k)))
            except (OSError, ValueError) as e:
                print("analyze: %s: no traffic_mix.py record %s: %s" % (a.tag, k, e),
                      file=sys.stderr)
                continue
            for cls in ("tcp_bulk", "tcp_rr", "udp_rr"):
                c = tm.setdefault(cls, {"flows": 0, "stalls": []})
                c["flows"] += one[cls]["flows"]
                c["stalls"] += one[cls]["stalls"]
    for ev in run.evs[1:]:
        if ev.get("kind") == "proc":
            recs.append(proc_row(run, ev))
            if rev:
                recs.append(proc_row(rev, ev))
            continue
        if ev.get("kind") == "load":
            recs.append(load_row(run, ev))
            continue
        recs.append(fault_row(run, ev))
        if run6:
            add_ipv6(recs[-1], fault_row(run6, ev))
        if h.get("sus"):
            sus_fields(recs[-1], run, rev, ev, sus, tm)
        recs.append(restore_row(run, ev, normal_links))
        if run6:
            add_ipv6(recs[-1], restore_row(run6, ev, normal_links6))
    if h["group"].startswith("scale-"):
        scale_verdict(recs)
    for r in recs:
        r["group"] = a.tag
        if h["group"].startswith("proc-"):
            r["faults"] = "process"
    summary = {"sent": run.n, "received": sum(1 for c in run.count if c),
               "send_late_max_us": run.send["late_max_us"],
               "send_errors": run.send["send_errors"]}
    summary2 = None
    if rev:
        summary2 = {"sent": rev.n, "received": sum(1 for c in rev.count if c),
                    "send_late_max_us": rev.send["late_max_us"],
                    "send_errors": rev.send["send_errors"]}
    summary6 = None
    if run6:
        summary6 = {"sent": run6.n, "received": sum(1 for c in run6.count if c),
                    "send_late_max_us": run6.send["late_max_us"],
                    "send_errors": run6.send["send_errors"]}
    for r in recs:
        r["stream"] = summary2 if r["direction"] == "srv-to-lan" else summary
        if "ipv6" in r:
            r["ipv6"]["stream"] = summary6
    json.dump(recs, open(a.out, "w"), indent=1)
    plot(run, a.png, a.tag, rev, run6)
    for r in recs:
        v6 = r.get("ipv6")
        print("%-26s %-16s %-10s outage %7s ms lost %6d reord %4d dup %3d moved %2d det %7s react %6s%s %s %s" % (
            a.tag, r["scenario"], r["direction"], r["outage_ms"], r["lost"], r["reordered"], r["duplicated"],
            r["flows_moved"], r["detection_ms"], r["reaction_ms"],
            " | IPv6 outage %7s ms lost %6d react %6s" % (v6["outage_ms"], v6["lost"], v6["reaction_ms"])
            if v6 else "", "PASS" if r["pass"] else "FAIL", r.get("why", "")))


def fmt(v):
    return "-" if v is None else str(v)


def both(r, k):
    """a cell: REC's K, and its IPv6 stream's after a slash (dual stack)"""
    if "ipv6" not in r:
        return fmt(r[k])
    return "%s / %s" % (fmt(r[k]), fmt(r["ipv6"].get(k)))


def det_react(r):
    """a cell: detection/reaction, the IPv6 stream's reaction after it"""
    c = "%s/%s" % (fmt(r["detection_ms"]), fmt(r["reaction_ms"]))
    v6 = r.get("ipv6", {}).get("reaction_ms")
    return c + (" (IPv6 react %s)" % v6 if v6 is not None else "")


def cmd_table(a):
    recs = []
    for p in a.inputs:
        recs += json.load(open(p))
    json.dump(recs, open(a.out, "w"), indent=1)
    keys = []
    by = {}
    def family(r):
        """2-link link faults, four links, scale, process faults"""
        if r.get("faults") == "process":
            return 3
        if r["group"].split("-")[-2].startswith("scale"):
            return 2
        return 1 if r["links"] == 4 else 0

    sus = [r for r in recs if r["group"].split("-")[-2] == "sus"]
    for r in recs:
        if r in sus:
            continue
        # scale: the table's rows apart from the 10 prefixes' (the scale
        # group's gateways may differ in N: FAILOVER_SCALE_N_FRR)
        size = "table" if r["prefixes"] > 1000 else "10"
        k = (family(r), r.get("faults", "link"), r["mode"], r["bfd_ms"], r["scenario"],
             r.get("direction", "lan-to-srv"), r.get("link", 0), size)
        if k not in keys:
            keys.append(k)
        by[k + (r["gateway"],)] = r
    # 2-link groups, active/standby first, then by timer, scenarios in
    # run order; four links, scale, then process faults
    keys.sort(key=lambda k: (k[0], k[2] != "active-standby", k[3]))
    # dual-stack rows: "IPv4 / IPv6" in the outage, lost and reaction cells
    print("| mode | BFD | scenario | twinpath outage ms | lost | det/react ms | verdict "
          "| linux-frr outage ms | lost | det/react ms | verdict | outage ratio linux/twinpath |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for k in keys:
        t = by.get(k + ("twinpath",))
        l = by.get(k + ("linux-frr",))
        ratio = "-"
        if t and l and t["outage_ms"] and l["outage_ms"] is not None:
            ratio = "%.1f" % (l["outage_ms"] / t["outage_ms"])
        fam, faults, mode, bfd, scen0, direction, link = k[:7]
        scen = scen0 if faults == "link" and direction == "lan-to-srv" else "%s %s" % (scen0, direction)
        if fam == 1 and link:
            scen += " link%d" % link
        if fam == 2:
            scen += " (%s prefixes)" % " / ".join(
                str(x["prefixes"]) for x in (t, l) if x)
        mode += {1: ", 4 links", 2: ", scale", 3: ", process faults"}.get(fam, "")
        if any("ipv6" in x for x in (t, l) if x):
            scen += " (IPv4 / IPv6)"
        cells = [mode, "%d ms x 3" % bfd, scen]
        cells += [both(t, "outage_ms"), both(t, "lost"), det_react(t),
                  ("PASS" if t["pass"] else "FAIL " + t["why"])] if t else ["", "", "", "not run"]
        cells += [both(l, "outage_ms"), both(l, "lost"), det_react(l),
                  ("pass" if l["pass"] else "fail " + l["why"])] if l else \
            ["", "", "", "not applicable" if faults == "process" else "not run"]
        cells.append(ratio)
        print("| " + " | ".join(cells) + " |")
    sus_table(sus)
    fails = [r for r in recs if r["gateway"] == "twinpath" and not r["pass"]]
    for r in fails:
        print("FAIL: twinpath %s %d ms %s%s: %s" % (r["mode"], r["bfd_ms"], r["scenario"],
                                                  " link%d" % r["link"] if r["links"] > 2 else "", r["why"]))
    print("%d records in %s; %d twinpath verdicts failed" % (len(recs), a.out, len(fails)))
    return 1 if fails or not recs else 0


def sus_table(recs):
    """the sus groups' fault rows: twinpath and linux-frr side by side"""
    rows = [r for r in recs if "cut" in r]
    if not rows:
        return
    keys, by = [], {}
    for r in rows:
        k = (r["bfd_ms"], r["mult"], r["scenario"])
        if k not in keys:
            keys.append(k)
        by[k + (r["gateway"],)] = r
    keys.sort(key=lambda k: k[0])
    print()
    print("Link suspicion (active/active, TCP + UDP two-way traffic, the provider's PoPs joined by iBGP):")
    print("| BFD | fault on link1 | two-way pps | twinpath suspected ms (evidence) | BFD Down ms "
          "| outage out ms | outage in ms | TCP bulk / rr stall ms | verdict "
          "| linux-frr BFD Down ms | outage out ms | outage in ms | TCP bulk / rr stall ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    cut = {"silent": "both ways", "silent-out": "outbound only", "silent-in": "inbound only"}
    for k in keys:
        t, l = by.get(k + ("twinpath",)), by.get(k + ("linux-frr",))
        cells = ["%d ms x %d" % (k[0], k[1]), cut.get(k[2], k[2])]
        cells.append(str(t["two_way_pps"]) if t else (str(l["two_way_pps"]) if l else "-"))
        if t:
            cells += ["%s (%s)" % (fmt(t["suspect_ms"]), t["suspect_evidence"] or "none"),
                      fmt(t["bfd_down_ms"]), fmt(t["outage_out_ms"]), fmt(t["outage_in_ms"]),
                      "%s / %s" % (fmt(t["tcp_bulk_stall_ms"]), fmt(t["tcp_rr_stall_ms"])),
                      "PASS" if t["pass"] else "FAIL " + t["why"]]
        else:
            cells += ["", "", "", "", "", "not run"]
        if l:
            cells += [fmt(l["bfd_down_ms"]), fmt(l["outage_out_ms"]), fmt(l["outage_in_ms"]),
                      "%s / %s" % (fmt(l["tcp_bulk_stall_ms"]), fmt(l["tcp_rr_stall_ms"]))]
        else:
            cells += ["", "", "", "not run"]
        print("| " + " | ".join(cells) + " |")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("group")
    g.add_argument("--dir", required=True)
    g.add_argument("--tag", required=True)
    g.add_argument("--out", required=True)
    g.add_argument("--png")
    t = sub.add_parser("table")
    t.add_argument("--out", required=True)
    t.add_argument("inputs", nargs="*")
    a = p.parse_args()
    if a.cmd == "group":
        cmd_group(a)
        return 0
    return cmd_table(a)


if __name__ == "__main__":
    sys.exit(main())
