#!/usr/bin/env python3
"""ICMPv6 errors from a router, without a capture: sends one UDP datagram
of --size payload bytes to [--dst]:--port with hop limit --hops, never
fragmented by this host (IPV6_PMTUDISC_DO), up to --tries times a second
apart, and waits on a raw ICMPv6 socket (the kernel hands it only messages
whose checksum is right) for an error of --type/--code quoting it:
3/0 Time Exceeded, 2/0 Packet Too Big, 1/0 no route (RFC 4443). Prints
JSON: how many came, from which address, the MTU field of each.
Bounded: --tries datagrams, --timeout s."""
import argparse
import json
import select
import socket
import struct
import sys
import time

# <linux/in6.h>: Python's socket module does not name them
IPV6_MTU_DISCOVER = 23
IPV6_PMTUDISC_DO = 2


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--size", type=int, default=8)
    ap.add_argument("--hops", type=int, default=64)
    ap.add_argument("--type", type=int, required=True)
    ap.add_argument("--code", type=int, default=0)
    ap.add_argument("--tries", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()
    dst = socket.inet_pton(socket.AF_INET6, args.dst)

    raw = socket.socket(socket.AF_INET6, socket.SOCK_RAW,
                        socket.IPPROTO_ICMPV6)
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, args.hops)
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
        icmp, addr = raw.recvfrom(4096)
        # no IPv6 header on a raw ICMPv6 socket: the message, then the
        # quoted packet (IPv6 header, UDP header)
        if (len(icmp) < 8 + 40 + 8 or icmp[0] != args.type or
                icmp[1] != args.code):
            continue
        orig = icmp[8:]
        if orig[6] != 17 or orig[24:40] != dst:
            continue
        if struct.unpack("!H", orig[42:44])[0] != args.port:
            continue
        got += 1
        froms[addr[0]] = froms.get(addr[0], 0) + 1
        mtus.append(struct.unpack("!I", icmp[4:8])[0])
    print(json.dumps({"errors": got, "from": froms, "mtu": mtus,
                      "sent": sent, "refused": refused}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
