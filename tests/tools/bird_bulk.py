#!/usr/bin/env python3
"""A BIRD 2 static protocol `bulk` with N distinct IPv4 /24 routes from
16.0.0.0/4 (1 048 576 of them at most; nothing else in the lab uses that
range), for the full-table tests: BIRD announces them over BGP like a
provider's full table. Writes the protocol to --out. With --held the
routes load into a table of their own at BIRD's start, and a disabled pipe
`bulk_feed` sends them on later (birdc enable bulk_feed) and withdraws
them (birdc disable bulk_feed): BIRD feeds a pipe in small steps, while a
static protocol enabled mid-session adds all its routes in one event of
its main loop (16 s for 1 M on this VM), sending no keepalive meanwhile."""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--via", required=True, help="the routes' next hop")
    ap.add_argument("--out", required=True)
    ap.add_argument("--held", action="store_true",
                    help="into table bulk4, sent on by pipe bulk_feed")
    args = ap.parse_args()
    if not 0 < args.count <= 1 << 20:
        print("bird_bulk.py: --count must be 1..1048576", file=sys.stderr)
        return 2
    base = 16 << 24
    with open(args.out, "w") as f:
        if args.held:
            f.write("ipv4 table bulk4;\n")
            f.write("protocol pipe bulk_feed {\n\tdisabled;\n"
                    "\ttable master4;\n\tpeer table bulk4;\n"
                    "\timport all;\n\texport none;\n}\n")
            f.write("protocol static bulk {\n\tipv4 { table bulk4; };\n")
        else:
            f.write("protocol static bulk {\n\tipv4;\n")
        for i in range(args.count):
            a = base + (i << 8)
            f.write("\troute %d.%d.%d.0/24 via %s;\n" % (
                a >> 24, (a >> 16) & 255, (a >> 8) & 255, args.via))
        f.write("}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
