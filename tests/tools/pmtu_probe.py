#!/usr/bin/env python3
"""Path MTU discovery against a router, without a capture: sends one UDP
datagram of --size payload bytes with DF set (IP_PMTUDISC_DO) to
--dst:--port, up to --tries times a second apart, and waits on a raw ICMP
socket for Destination Unreachable / Fragmentation Needed (type 3 code 4,
RFC 1191) quoting it. Prints JSON: how many came, from which address, and
the next-hop MTU they carried. Bounded: --tries datagrams, --timeout s."""
import argparse
import json
import select
import socket
import struct
import sys
import time

# <linux/in.h>: Python's socket module does not name them
IP_MTU_DISCOVER = 10
IP_PMTUDISC_DONT, IP_PMTUDISC_WANT, IP_PMTUDISC_DO = 0, 1, 2


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--size", type=int, default=1472)
    ap.add_argument("--tries", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()
    dst = socket.inet_aton(args.dst)

    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER,
                 IP_PMTUDISC_DO)
    u.connect((args.dst, args.port))
    got, froms, mtus, sent, refused = 0, {}, [], 0, 0
    end = time.monotonic() + args.timeout
    next_send = 0.0
    while time.monotonic() < end and got == 0:
        now = time.monotonic()
        if sent < args.tries and now >= next_send:
            try:
                u.send(b"\0" * args.size)
                sent += 1
            except OSError:
                refused += 1  # EMSGSIZE: the kernel knows the PMTU
            next_send = now + 1.0
        r, _, _ = select.select([raw], [], [], 0.1)
        if not r:
            continue
        pkt, (src, _) = raw.recvfrom(4096)
        icmp = pkt[(pkt[0] & 0x0F) * 4:]
        if len(icmp) < 8 + 20 + 8 or icmp[0] != 3 or icmp[1] != 4:
            continue
        orig = icmp[8:]
        oihl = (orig[0] & 0x0F) * 4
        if orig[9] != 17 or orig[16:20] != dst:
            continue
        if struct.unpack("!H", orig[oihl + 2:oihl + 4])[0] != args.port:
            continue
        got += 1
        froms[src] = froms.get(src, 0) + 1
        mtus.append(struct.unpack("!H", icmp[6:8])[0])
    print(json.dumps({"frag_needed": got, "from": froms, "mtu": mtus,
                      "sent": sent, "refused": refused}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
