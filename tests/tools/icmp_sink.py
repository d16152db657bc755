#!/usr/bin/env python3
"""Count ICMP errors (Time Exceeded, type 11 code 0, unless --type and
--code say another) about our own UDP stream:
a raw socket receives them, and the quoted original header must be UDP to
--dst:--port. Stops after --expect of them, --timeout seconds, or --idle
seconds of silence once the first came. Prints JSON: how many, and from
which router address. Lets a test see where a packet's TTL ran out without
a capture."""
import argparse
import json
import select
import socket
import struct
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--expect", type=int, required=True)
    ap.add_argument("--timeout", type=float, default=30.0)
    ap.add_argument("--idle", type=float, default=3.0)
    ap.add_argument("--ready-file", default=None)
    ap.add_argument("--type", type=int, default=11)
    ap.add_argument("--code", type=int, default=0)
    args = ap.parse_args()
    dst = socket.inet_aton(args.dst)

    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    if args.ready_file:
        open(args.ready_file, "w").close()
    by_source = {}
    total = other = 0
    start = time.monotonic()
    last = None
    while total < args.expect:
        now = time.monotonic()
        if now - start >= args.timeout or (
                last is not None and now - last >= args.idle):
            break
        r, _, _ = select.select([s], [], [], 0.2)
        if not r:
            continue
        pkt, (src, _) = s.recvfrom(2048)
        last = time.monotonic()
        ihl = (pkt[0] & 0x0F) * 4
        icmp = pkt[ihl:]
        # type 11 code 0: TTL exceeded in transit (or --type/--code);
        # then 4 unused bytes and the original IP header + 8 bytes
        # (RFC 792).
        if (len(icmp) < 8 + 20 + 8 or icmp[0] != args.type
                or icmp[1] != args.code):
            other += 1
            continue
        orig = icmp[8:]
        oihl = (orig[0] & 0x0F) * 4
        if orig[9] != 17 or orig[16:20] != dst or len(orig) < oihl + 4:
            other += 1
            continue
        dport = struct.unpack("!H", orig[oihl + 2:oihl + 4])[0]
        if dport != args.port:
            other += 1
            continue
        total += 1
        by_source[src] = by_source.get(src, 0) + 1
    out = {"errors": total, "type": args.type, "code": args.code,
           "from": by_source, "other_icmp": other,
           "seconds": round(time.monotonic() - start, 3)}
    if args.type == 11:
        out["time_exceeded"] = total  # the name the TTL tests read
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
