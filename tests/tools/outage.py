#!/usr/bin/env python3
"""What a link failure cost a udp_stream.py stream, from udp_sink.py's
--trace: the flows the failed link carried (those that came in on --iface
before --event-ns), the outage they saw (the largest gap between the send
times of consecutive received packets of those flows, between --event-ns
minus a margin and --restore-ns), and where every lost packet lies (its
send time is bracketed by the received packets just before and after it
in the run). Times are CLOCK_MONOTONIC ns, the clock of bpf_ktime_get_ns,
so they compare with the health map's last_rx_ns and last_change_ns.
Prints JSON."""
import argparse
import bisect
import json
import statistics
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--trace", required=True)
    ap.add_argument("--iface", required=True,
                    help="the server's interface behind the failed link")
    ap.add_argument("--flows", type=int, required=True)
    ap.add_argument("--count", type=int, required=True,
                    help="packets the stream sent")
    ap.add_argument("--event-ns", type=int, required=True,
                    help="when the failure was set up")
    ap.add_argument("--restore-ns", type=int, required=True,
                    help="when the link was restored")
    ap.add_argument("--margin-ms", type=float, default=200.0,
                    help="look for the gap from this long before the event")
    args = ap.parse_args()

    pkts = {}  # index -> (flow, send_ns, recv_ns, ifname)
    with open(args.trace) as f:
        for line in f:
            idx, flow, _seq, send_ns, recv_ns, ifname = line.split()
            pkts.setdefault(int(idx), (int(flow), int(send_ns),
                                       int(recv_ns), ifname))
    before = [p for p in pkts.values() if p[1] < args.event_ns]
    affected = sorted({p[0] for p in before if p[3] == args.iface})
    aff = set(affected)

    # The outage of the affected flows: largest send-time gap.
    lo = args.event_ns - int(args.margin_ms * 1e6)
    times = sorted(p[1] for p in pkts.values() if p[0] in aff)
    gap = (0, 0)
    normal = []
    for a, b in zip(times, times[1:]):
        if b < lo or a > args.restore_ns:
            normal.append(b - a)
            continue
        if b - a > gap[1] - gap[0]:
            gap = (a, b)
    # A short outage (carrier loss is seen within milliseconds) can be
    # smaller than the flows' normal jitter, so the largest gap may be
    # noise. When packets of the failed link's flows were lost between the
    # event and the restore, the outage is what brackets them exactly: from
    # the last of those flows' packets that arrived before the first loss
    # to the first that arrived after the last loss.
    got_aff = sorted(k for k, p in pkts.items() if p[0] in aff)
    lost_aff = []
    for k in range(args.count):
        if k in pkts or k % args.flows not in aff:
            continue
        i = bisect.bisect_left(got_aff, k)
        if 0 < i < len(got_aff) and \
                lo <= pkts[got_aff[i - 1]][1] <= args.restore_ns:
            lost_aff.append(k)
    if lost_aff:
        i = bisect.bisect_left(got_aff, lost_aff[0])
        j = bisect.bisect_right(got_aff, lost_aff[-1])
        if 0 < i and j < len(got_aff):
            gap = (pkts[got_aff[i - 1]][1], pkts[got_aff[j]][1])
    else:
        # Nothing lost (a carrier loss seen before any packet went to the
        # dead link): the outage is the switch itself, from the last of
        # those flows' packets sent before the first one that came in on
        # another interface to that one. Jitter elsewhere is not it.
        seq = sorted((p[1], p[3]) for p in pkts.values()
                     if p[0] in aff and lo <= p[1] <= args.restore_ns)
        for n, (t, ifname) in enumerate(seq):
            if ifname != args.iface and t >= args.event_ns:
                if n > 0:
                    gap = (seq[n - 1][0], t)
                break
    gap_end_if = next((p[3] for p in pkts.values()
                       if p[1] == gap[1] and p[0] in aff), None)

    # Every lost packet, bracketed by its received neighbours in the run.
    got = sorted(pkts)
    lost = [k for k in range(args.count) if k not in pkts]
    outside = []
    unaffected = []
    for k in lost:
        i = bisect.bisect_left(got, k)
        t_lo = pkts[got[i - 1]][1] if i > 0 else 0
        t_hi = pkts[got[i]][1] if i < len(got) else 1 << 62
        if k % args.flows not in aff:
            unaffected.append(k)
        # inside the outage: sent after the last packet that made it and
        # before the first one that made it again
        if not (t_lo >= gap[0] - 2_000_000 and t_hi <= gap[1] + 2_000_000):
            outside.append(k)
    during = sum(1 for p in pkts.values()
                 if p[3] == args.iface and gap[1] < p[1] < args.restore_ns)
    after = sum(1 for p in pkts.values()
                if p[3] == args.iface and p[1] > args.restore_ns)
    print(json.dumps({
        "received": len(pkts), "count": args.count,
        "affected_flows": len(affected), "flows": args.flows,
        "outage_ms": round((gap[1] - gap[0]) / 1e6, 3),
        "gap_start_ns": gap[0], "gap_end_ns": gap[1],
        "gap_end_iface": gap_end_if,
        "normal_gap_ms": round(statistics.median(normal) / 1e6, 3)
        if normal else None,
        "lost": len(lost), "lost_unaffected": len(unaffected),
        "lost_outside_outage": len(outside), "lost_outside_first": outside[:10],
        "via_iface_during_outage": during,
        "via_iface_after_restore": after,
        "last_send_ns": max((p[1] for p in pkts.values()), default=0),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
