#!/usr/bin/env python3
"""Receive the datagrams of udp_stream.py: bind --bind:--port, stop after
--expect packets, --timeout seconds, or --idle seconds without a packet
once the first arrived. Records each packet's TTL (IP_RECVTTL) and counts
unique (flow, seq) and duplicates. With --flows it also knows which
packets of a stream of --expect were never seen. With --trace FILE it
also writes one line per packet received: index in the run, flow, seq,
send time and receive time (CLOCK_MONOTONIC ns) and the interface it came
in on (IP_PKTINFO; IPV6_PKTINFO when --bind is IPv6, the TTL then the hop
limit), for outage.py. With --echo each packet of the stream
is answered (its header and send time back to its source), so that its
flow is two-way, as a site's request/response traffic is. Prints a JSON
summary."""
import argparse
import json
import select
import socket
import struct
import sys
import time

MAGIC = b"TWPS"
HEADER = struct.Struct("!4sIIII")
SEND_NS = struct.Struct("!Q")  # after HEADER: send time, CLOCK_MONOTONIC
IP_RECVTTL = getattr(socket, "IP_RECVTTL", 12)  # Linux value
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)
# <linux/in6.h>
IPV6_RECVPKTINFO, IPV6_PKTINFO = 49, 50
IPV6_RECVHOPLIMIT, IPV6_HOPLIMIT = 51, 52


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bind", default="0.0.0.0")
    ap.add_argument("--port", type=int, default=9000)
    ap.add_argument("--expect", type=int, required=True)
    ap.add_argument("--flows", type=int, default=None,
                    help="the stream's flow count: report lost packets")
    ap.add_argument("--run", type=int, default=None,
                    help="count only this run id")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--idle", type=float, default=5.0)
    ap.add_argument("--trace", default=None,
                    help="per-packet lines: index flow seq send_ns recv_ns if")
    ap.add_argument("--echo", action="store_true",
                    help="answer each packet to its source")
    ap.add_argument("--ready-file", default=None,
                    help="created once the socket is bound")
    args = ap.parse_args()

    v6 = ":" in args.bind
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET,
                      socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    if v6:
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1)
        s.setsockopt(socket.IPPROTO_IPV6, IPV6_RECVPKTINFO, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
    trace = open(args.trace, "w") if args.trace else None
    ifnames = {i: n for i, n in socket.if_nameindex()}
    s.bind((args.bind, args.port))
    if args.ready_file:
        open(args.ready_file, "w").close()

    seen = set()
    received = duplicates = foreign = echoed = 0
    ttls = {}
    flows_seen = {}
    start = time.monotonic()
    last = None
    reason = "timeout"
    while True:
        now = time.monotonic()
        if len(seen) >= args.expect:
            reason = "expected"
            break
        if now - start >= args.timeout:
            break
        if last is not None and now - last >= args.idle:
            reason = "idle"
            break
        wait = args.timeout - (now - start)
        if last is not None:
            wait = min(wait, args.idle - (now - last))
        r, _, _ = select.select([s], [], [], max(wait, 0.0))
        if not r:
            continue
        data, anc, _, src = s.recvmsg(
            2048, socket.CMSG_SPACE(4) + socket.CMSG_SPACE(20))
        last = time.monotonic()
        if len(data) < HEADER.size or data[:4] != MAGIC:
            foreign += 1
            continue
        _, run, flow, seq, index = HEADER.unpack_from(data)
        if args.run is not None and run != args.run:
            foreign += 1
            continue
        received += 1
        if args.echo:
            try:
                s.sendto(data[:HEADER.size + SEND_NS.size], src)
                echoed += 1
            except OSError:
                pass
        ifindex = 0
        for level, ctype, cdata in anc:
            if (level, ctype) in ((socket.IPPROTO_IP, socket.IP_TTL),
                                  (socket.IPPROTO_IPV6, IPV6_HOPLIMIT)):
                ttl = struct.unpack("i", cdata[:4])[0]
                ttls[ttl] = ttls.get(ttl, 0) + 1
            elif level == socket.IPPROTO_IP and ctype == IP_PKTINFO:
                ifindex = struct.unpack_from("i", cdata)[0]
            elif level == socket.IPPROTO_IPV6 and ctype == IPV6_PKTINFO:
                # struct in6_pktinfo: the address, then the ifindex
                ifindex = struct.unpack_from("i", cdata, 16)[0]
        if trace is not None:
            send_ns = (SEND_NS.unpack_from(data, HEADER.size)[0]
                       if len(data) >= HEADER.size + SEND_NS.size else 0)
            if ifindex not in ifnames:
                ifnames = {i: n for i, n in socket.if_nameindex()}
            trace.write("%d %d %d %d %d %s\n" % (
                index, flow, seq, send_ns,
                time.clock_gettime_ns(time.CLOCK_MONOTONIC),
                ifnames.get(ifindex, "?")))
        if (flow, seq) in seen:
            duplicates += 1
        else:
            seen.add((flow, seq))
            flows_seen[flow] = flows_seen.get(flow, 0) + 1
    if trace is not None:
        trace.close()
    out = {
        "received": received, "unique": len(seen), "duplicates": duplicates,
        "expected": args.expect, "foreign": foreign, "stop": reason,
        "flows_seen": len(flows_seen),
        "ttl": {str(k): v for k, v in sorted(ttls.items())},
        "seconds": round(time.monotonic() - start, 3),
    }
    if args.echo:
        out["echoed"] = echoed
    if args.flows:
        # udp_stream sends packet k as (flow k % flows, seq k // flows).
        lost = [k for k in range(args.expect)
                if (k % args.flows, k // args.flows) not in seen]
        out["lost"] = len(lost)
        out["lost_first"] = lost[:20]
    else:
        out["lost"] = max(0, args.expect - len(seen))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
