#!/usr/bin/env python3
"""Send a bounded UDP stream: --count datagrams to --dst:--port at --rate
packets/s, spread round-robin over --flows flows (one source port each,
--sport-base + flow). Each payload carries a run id, the flow id, the
flow's sequence number, the packet's index in the run and its send time
(CLOCK_MONOTONIC ns, the clock bpf_ktime_get_ns and every namespace of the
lab share; see udp_sink.py). Prints a JSON summary.
Lab use only: send to addresses inside the lab's namespaces."""
import argparse
import errno
import json
import os
import signal
import socket
import struct
import sys
import time

# <linux/in.h>: Python's socket module does not name them
IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT, IP_PMTUDISC_WANT, IP_PMTUDISC_DO = 0, 1, 2
IPV6_MTU_DISCOVER = 23  # <linux/in6.h>, the same three values

MAGIC = b"TWPS"
# magic, run id, flow id, sequence within the flow, total packets sent in
# the run so far, send time (CLOCK_MONOTONIC ns): network byte order.
HEADER = struct.Struct("!4sIIIIQ")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--port", type=int, default=9000)
    ap.add_argument("--flows", type=int, default=64)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=1000.0, help="packets/s")
    ap.add_argument("--ttl", type=int, default=64)
    ap.add_argument("--size", type=int, default=64, help="payload bytes")
    ap.add_argument("--df", choices=("want", "do", "dont"), default="want",
                    help="path MTU discovery (IP_MTU_DISCOVER): 'dont' "
                    "sends without DF whatever the size")
    ap.add_argument("--sport-base", type=int, default=40000)
    ap.add_argument("--run", type=int, default=None, help="run id (random)")
    ap.add_argument("--max-seconds", type=float, default=120.0,
                    help="hard bound on the stream's duration")
    ap.add_argument("--until-stopped", action="store_true",
                    help="send until SIGINT/SIGTERM (or --count, or "
                    "--max-seconds), then report; a test stops the stream "
                    "once what it measures is over")
    args = ap.parse_args()
    stop = []
    if args.until_stopped:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.append(1))
    if not (1 <= args.flows <= 4096 and 0 < args.count <= 10_000_000
            and args.rate > 0 and 1 <= args.ttl <= 255):
        ap.error("flows 1..4096, count 1..10^7, rate > 0, ttl 1..255")
    run = args.run if args.run is not None else struct.unpack(
        "!I", os.urandom(4))[0]
    pad = b"\0" * max(0, args.size - HEADER.size)

    socks = []
    # an IPv6 --dst: an IPv6 stream, --ttl its hop limit
    v6 = ":" in args.dst
    pmtud = {"want": IP_PMTUDISC_WANT, "do": IP_PMTUDISC_DO,
             "dont": IP_PMTUDISC_DONT}[args.df]
    for f in range(args.flows):
        if v6:
            s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
            # its ports beside an IPv4 stream's, which may use the same
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS,
                         args.ttl)
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, pmtud)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, args.ttl)
            s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, pmtud)
        s.bind(("::" if v6 else "0.0.0.0", args.sport_base + f))
        s.connect((args.dst, args.port))
        socks.append(s)

    seq = [0] * args.flows
    sent = retries = 0
    start = time.monotonic()
    start_ns = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    deadline = start + args.max_seconds
    while sent < args.count and time.monotonic() < deadline and not stop:
        # Pace: never ahead of the schedule (bursts up to the lag).
        ahead = start + sent / args.rate - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
        f = sent % args.flows
        msg = HEADER.pack(MAGIC, run, f, seq[f], sent,
                          time.clock_gettime_ns(time.CLOCK_MONOTONIC)) + pad
        try:
            socks[f].send(msg)
        except OSError as e:
            # A full local queue or a neighbour not resolved yet is not
            # network loss: retry the same packet shortly.
            if e.errno in (errno.ENOBUFS, errno.EAGAIN, errno.EHOSTUNREACH,
                           errno.ECONNREFUSED):
                retries += 1
                time.sleep(0.001)
                continue
            raise
        seq[f] += 1
        sent += 1
    elapsed = time.monotonic() - start
    for s in socks:
        s.close()
    print(json.dumps({
        "run": run, "start_ns": start_ns, "dst": args.dst, "port": args.port, "flows": args.flows,
        "sent": sent, "requested": args.count, "retries": retries,
        "stopped": bool(stop),
        "end_ns": time.clock_gettime_ns(time.CLOCK_MONOTONIC),
        "ttl": args.ttl, "seconds": round(elapsed, 3),
        "rate_pps": round(sent / elapsed, 1) if elapsed > 0 else None,
    }))
    return 0 if sent == args.count or stop else 1


if __name__ == "__main__":
    sys.exit(main())
