#!/usr/bin/python3
"""Send bounded bursts of hostile frames out of one lab interface toward
the gateway (tests/integration/test_ingress.sh): martian sources, frames
for another MAC, spoofed sources, source routes, a fragment ending past
64 KiB, a padded frame, a directed broadcast, malformed IPv4/IPv6 headers,
IPv6 extension-header chains and BFD-shaped UDP. --kinds says which, each
--count times (every variant of a kind once per round), paced at --rate
frames a second. Every frame but the runt and the BFD one carries the
marker "TWPHOSTILE:KIND/VARIANT" in its payload (ingress_pcap.py finds it
in a capture); the BFD one is found by its discriminators. Prints JSON:
frames sent per kind. Lab use only: destinations must lie in the lab's
documentation and benchmarking ranges (checked)."""
import argparse
import errno
import ipaddress
import json
import os
import socket
import struct
import sys
import time

from scapy.all import (IP, UDP, Ether, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPOption_LSRR, IPOption_SSRR, Raw, raw)

MARK = b"TWPHOSTILE:"
MARK_LEN = 40  # marker field, zero-padded: same size whatever the kind
# The lab's address plan (tests/lab.sh): nothing is sent anywhere else.
LAB_NETS = [ipaddress.ip_network(n) for n in (
    "198.18.0.0/16", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24",
    "2001:db8::/32")]
# RFC 1812 §5.3.7 / RFC 4291 sources no router forwards
MARTIAN4 = ("127.0.0.1", "0.0.0.1", "224.0.0.1", "240.0.0.1",
            "255.255.255.255")
MARTIAN6 = ("fe80::1", "::1", "::", "ff02::1")
OTHER_MAC = "02:00:5e:10:00:99"    # unicast, locally administered, nobody's
MCAST_MAC = "01:00:5e:00:00:fb"    # an IPv4 multicast MAC (RFC 1112 §6.4)
BFD_MY_DISC = 0x54575042           # "TWPB": ours, found in captures
SPORT = 47000


def marker(kind, variant):
    m = MARK + ("%s/%s" % (kind, variant)).encode()
    return m + b"\0" * (MARK_LEN - len(m))


def bfd_ctrl(your_disc):
    """RFC 5880 §4.1: version 1, diag 0, state Down, no flags, Detect
    Mult 3, length 24, 1 s intervals, no echo."""
    return struct.pack("!BBBBIIIII", 1 << 5, 1 << 6, 3, 24, BFD_MY_DISC,
                       your_disc, 1000000, 1000000, 0)


def kinds(a):
    """Every kind: a list of (variant, frame bytes)."""
    eth = Ether(src=a.src_mac, dst=a.gw_mac)
    udp = UDP(sport=SPORT, dport=a.port)

    def v4(kind, var, src=None, dst=None, mac=None, **ip):
        e = eth if mac is None else Ether(src=a.src_mac, dst=mac)
        return (var, raw(e / IP(src=src or a.src4, dst=dst or a.dst4,
                                ttl=64, **ip) / udp /
                         Raw(marker(kind, var))))

    def v6(kind, var, src=None, ext=None, **ip):
        p = IPv6(src=src or a.src6, dst=a.dst6, hlim=64, **ip)
        if ext is not None:
            p = p / ext
        return (var, raw(eth / p / udp / Raw(marker(kind, var))))

    def patch(frame, off, value):
        b = bytearray(frame)
        b[off] = value
        return bytes(b)

    def ip4_cksum(frame):
        """The IPv4 header's checksum recomputed (RFC 1071) after a patch,
        so only the patched field is wrong."""
        b = bytearray(frame)
        hl = 20
        b[24:26] = b"\0\0"
        s = sum(struct.unpack("!%dH" % (hl // 2), bytes(b[14:14 + hl])))
        while s >> 16:
            s = (s & 0xffff) + (s >> 16)
        b[24:26] = struct.pack("!H", ~s & 0xffff)
        return bytes(b)

    k = {}
    k["martian4"] = [v4("martian4", s, src=s) for s in MARTIAN4]
    k["martian6"] = [v6("martian6", s, src=s) for s in MARTIAN6]
    k["l2_other"] = [v4("l2_other", "unicast", mac=OTHER_MAC)]
    k["l2_bcast"] = [v4("l2_bcast", "broadcast", mac="ff:ff:ff:ff:ff:ff")]
    k["l2_mcast"] = [v4("l2_mcast", "multicast", mac=MCAST_MAC)]
    if a.spoof_src:
        k["spoof"] = [v4("spoof", a.spoof_src, src=a.spoof_src)]
    if a.own_src:
        k["own"] = [v4("own", a.own_src, src=a.own_src)]
    # RFC 791 §3.1: one hop of route data, then End of Option List
    k["lsrr"] = [v4("lsrr", "lsrr",
                    options=[IPOption_LSRR(routers=[a.dst4])])]
    k["ssrr"] = [v4("ssrr", "ssrr",
                    options=[IPOption_SSRR(routers=[a.dst4])])]
    # MF, offset 8100 (64800 bytes), 1500 bytes: ends at 66280 > 65535
    k["frag_overflow"] = [("mf8100", raw(
        eth / IP(src=a.src4, dst=a.dst4, ttl=64, proto=17, flags="MF",
                 frag=8100) /
        Raw(marker("frag_overflow", "mf8100").ljust(1480, b"\x5a"))))]
    # a 100-byte datagram (DF) in a 1514-byte frame: the rest is padding
    pad = raw(eth / IP(src=a.src4, dst=a.dst4, ttl=64, flags="DF") / udp /
              Raw(marker("padded", "1514").ljust(100 - 28, b"\0")))
    k["padded"] = [("1514", pad + b"\0" * (1514 - len(pad)))]
    if a.bcast_dst:
        k["dbcast"] = [v4("dbcast", a.bcast_dst, dst=a.bcast_dst)]
    good = v4("bad_ihl", "ihl4")[1]
    k["bad_ihl"] = [("ihl4", ip4_cksum(patch(good, 14, 0x44)))]
    good = v4("bad_cksum", "cksum")[1]
    b = bytearray(good)
    b[24] ^= 0x5a
    k["bad_cksum"] = [("cksum", bytes(b))]
    good = v4("bad_total_len", "len+64")[1]
    b = bytearray(good)
    b[16:18] = struct.pack("!H", len(good) - 14 + 64)
    k["bad_total_len"] = [("len+64", ip4_cksum(bytes(b)))]
    good = v4("bad_version", "v5")[1]
    k["bad_version"] = [("v5", ip4_cksum(patch(good, 14, 0x55)))]
    # 14 + 16: the IPv4 header cut short (no marker room)
    k["runt"] = [("ip16", v4("runt", "ip16")[1][:14 + 16])]
    good = v6("bad_version6", "v4")[1]
    k["bad_version6"] = [("v4", patch(good, 14, (good[14] & 0x0f) | 0x40))]
    good = v6("bad_payload_len6", "plen+64")[1]
    b = bytearray(good)
    b[18:20] = struct.pack("!H", len(good) - 54 + 64)
    k["bad_payload_len6"] = [("plen+64", bytes(b))]
    # IPv6 extension-header chains (RFC 8200 §4)
    k["ext6_rh0"] = [v6("ext6_rh0", "rh0", ext=IPv6ExtHdrRouting(
        type=0, segleft=1, addresses=[a.dst6]))]
    k["ext6_hbh_late"] = [v6("ext6_hbh_late", "dst-hbh",
                             ext=IPv6ExtHdrDestOpt() / IPv6ExtHdrHopByHop())]
    chain = IPv6ExtHdrDestOpt()
    for _ in range(11):
        chain = chain / IPv6ExtHdrDestOpt()
    k["ext6_long"] = [v6("ext6_long", "12dstopt", ext=chain)]
    # a Destination Options header claiming 2048 bytes in a short packet
    good = v6("ext6_trunc", "dstopt-len255", ext=IPv6ExtHdrDestOpt())[1]
    b = bytearray(good)
    b[54 + 1] = 255
    k["ext6_trunc"] = [("dstopt-len255", bytes(b))]
    if a.bfd_your is not None:
        f = raw(eth / IP(src=a.src4, dst=a.bfd_dst, ttl=255) /
                UDP(sport=49999, dport=3784) / Raw(bfd_ctrl(a.bfd_your)))
        k["bfd"] = [("down", f)]
    return k


def in_lab(addr):
    ip = ipaddress.ip_address(addr)
    return any(ip in n for n in LAB_NETS if n.version == ip.version)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--gw-mac", required=True)
    ap.add_argument("--src4", required=True)
    ap.add_argument("--dst4", required=True)
    ap.add_argument("--src6", required=True)
    ap.add_argument("--dst6", required=True)
    ap.add_argument("--port", type=int, default=9300)
    ap.add_argument("--spoof-src", help="kind spoof: this source")
    ap.add_argument("--own-src", help="kind own: the gateway's address")
    ap.add_argument("--bcast-dst", help="kind dbcast: a subnet broadcast")
    ap.add_argument("--bfd-dst", help="kind bfd: the gateway's address")
    ap.add_argument("--bfd-your", type=int, help="kind bfd: Your Disc")
    ap.add_argument("--kinds", required=True, help="comma-separated")
    ap.add_argument("--count", type=int, default=20, help="rounds per kind")
    ap.add_argument("--rate", type=float, default=200.0, help="frames/s")
    ap.add_argument("--go-file", help="build everything, then send only "
                    "once this file exists (scapy's start-up out of the "
                    "measured window); at most --go-timeout s")
    ap.add_argument("--go-timeout", type=float, default=300.0)
    ap.add_argument("--ready-file", help="created once ready to send")
    args = ap.parse_args()
    if not (1 <= args.count <= 1000 and 0 < args.rate <= 2000):
        ap.error("count 1..1000, rate up to 2000 frames/s")
    for d in (args.dst4, args.dst6, args.bcast_dst, args.bfd_dst):
        if d is not None and not in_lab(d):
            ap.error("%s is outside the lab's address plan" % d)
    if args.bfd_your is not None and args.bfd_dst is None:
        ap.error("--bfd-your needs --bfd-dst")
    table = kinds(args)
    want = args.kinds.split(",")
    for w in want:
        if w not in table:
            ap.error("unknown or unconfigured kind %s (have %s)" %
                     (w, ",".join(sorted(table))))

    # protocol 0: a socket that only sends (it receives nothing)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
    s.bind((args.iface, 0))
    if args.ready_file:
        open(args.ready_file, "w").close()
    if args.go_file:
        deadline = time.monotonic() + args.go_timeout
        while not os.path.exists(args.go_file):
            if time.monotonic() > deadline:
                sys.exit("hostile.py: no %s after %g s" %
                         (args.go_file, args.go_timeout))
            time.sleep(0.01)
    sent = {w: 0 for w in want}
    n = retries = 0
    start = time.monotonic()
    for w in want:
        for _ in range(args.count):
            for _, frame in table[w]:
                ahead = start + n / args.rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
                while True:
                    try:
                        s.send(frame)
                        break
                    except OSError as e:
                        if e.errno not in (errno.ENOBUFS, errno.EAGAIN):
                            raise
                        retries += 1
                        time.sleep(0.001)
                sent[w] += 1
                n += 1
    s.close()
    print(json.dumps({
        "sent": sent, "frames": n, "retries": retries,
        "variants": {w: [v for v, _ in table[w]] for w in want},
        "seconds": round(time.monotonic() - start, 3)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
