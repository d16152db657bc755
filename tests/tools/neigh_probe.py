#!/usr/bin/env python3
"""Make the kernel resolve the given IPv4 neighbours (ARP) and wait until
each has a MAC: one UDP datagram to the discard port (9) per address. Used
in the lab's gateway so twinpathd finds its nexthops' MACs over netlink.
Exit 1 if some address stayed unresolved within --timeout seconds."""
import argparse
import socket
import subprocess
import sys
import time


def resolved(addr):
    out = subprocess.run(["ip", "-4", "neigh", "show", addr],
                         capture_output=True, text=True).stdout
    return "lladdr" in out and "FAILED" not in out and "INCOMPLETE" not in out


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("addrs", nargs="+")
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    deadline = time.monotonic() + args.timeout
    pending = list(args.addrs)
    while pending and time.monotonic() < deadline:
        for a in pending:
            try:
                s.sendto(b"twinpath-lab neighbour probe", (a, 9))
            except OSError:
                pass  # EHOSTUNREACH until ARP answers; retried below
        time.sleep(0.2)
        pending = [a for a in pending if not resolved(a)]
    if pending:
        print("neigh_probe: unresolved: " + " ".join(pending), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
