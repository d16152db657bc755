#!/usr/bin/env python3
"""A BIRD 2 static protocol `bulk` with N distinct IPv4 /24 routes from
16.0.0.0/4 (1 048 576 of them at most; nothing else in the lab uses that
range), for the full-table tests: BIRD announces them over BGP like a
provider's full table. Writes the protocol to --out; with --disabled it
starts disabled, for a test to send the table later (birdc enable bulk)."""
import argparse
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--via", required=True, help="the routes' next hop")
    ap.add_argument("--out", required=True)
    ap.add_argument("--disabled", action="store_true",
                    help="the protocol starts disabled")
    args = ap.parse_args()
    if not 0 < args.count <= 1 << 20:
        print("bird_bulk.py: --count must be 1..1048576", file=sys.stderr)
        return 2
    base = 16 << 24
    with open(args.out, "w") as f:
        f.write("protocol static bulk {\n\tipv4;\n")
        if args.disabled:
            f.write("\tdisabled;\n")
        for i in range(args.count):
            a = base + (i << 8)
            f.write("\troute %d.%d.%d.0/24 via %s;\n" % (
                a >> 24, (a >> 16) & 255, (a >> 8) & 255, args.via))
        f.write("}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
