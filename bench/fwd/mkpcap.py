#!/usr/bin/env python3
"""mkpcap: the benchmark's traffic. Writes COUNT 64-byte Ethernet/IPv4/UDP
frames (60 bytes in the file, the 4-byte FCS is not captured) to a pcap
file: each destination is a random host inside a random route of the l3fwd
rule file RULES, sources and ports random, so every packet has a route, the
table is walked at random (not cache-hot) and ECMP has flows to spread.
usage: mkpcap.py RULES OUT.pcap [COUNT] [SEED]"""
import random
import struct
import sys

# The gateway's LAN port: twinpath-dp routes only frames sent to its
# port's own MAC (RFC 1812 §5.3.4). The LAN port of the benchmark is the
# process's only net_pcap device, and DPDK 22.11's pcap PMD gives its
# N-th device 02:70:63:61:70:N ("\x02pcap" + N); l3fwd does not look.
ETH_DST = bytes.fromhex("027063617000")
ETH_SRC = bytes.fromhex("02000000000a")   # a LAN host
LAN_NET = (198 << 24) | (18 << 16) | (1 << 8)  # 198.18.1.0/24
LINK_LOCAL = (169 << 24) | (254 << 16)          # 169.254.0.0/16
FRAME_LEN = 60                             # + FCS = 64 bytes on the wire


def ip_checksum(hdr):
    s = sum(struct.unpack("!10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def read_rules(path):
    routes = []
    with open(path) as f:
        for line in f:
            if not line.startswith("R"):
                continue
            pfx, _port = line[1:].split()
            addr, plen = pfx.split("/")
            a, b, c, d = (int(x) for x in addr.split("."))
            routes.append(((a << 24) | (b << 16) | (c << 8) | d, int(plen)))
    return routes


def frame(src, dst, sport, dport):
    payload = bytes(FRAME_LEN - 14 - 20 - 8)
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBHII", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     src, dst)
    ip = ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    return ETH_DST + ETH_SRC + b"\x08\x00" + ip + udp


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    routes = read_rules(sys.argv[1])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 32768
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    if not routes:
        sys.exit("mkpcap: no routes in %s" % sys.argv[1])
    with open(sys.argv[2], "wb") as out:
        # pcap global header: microsecond timestamps, Ethernet
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i in range(count):
            dst = LINK_LOCAL
            # 169.254/16 is never forwarded (RFC 3927 §7): twinpath-dp
            # counts it as martian_dst, l3fwd would forward it
            while dst >> 16 == LINK_LOCAL >> 16:
                pfx, plen = routes[rng.randrange(len(routes))]
                host = rng.getrandbits(32 - plen) if plen < 32 else 0
                dst = pfx | host
            src = LAN_NET | rng.randrange(2, 255)
            f = frame(src, dst, rng.randrange(1024, 65536),
                      rng.randrange(1, 65536))
            out.write(struct.pack("<IIII", i // 1000000, i % 1000000,
                                  len(f), len(f)))
            out.write(f)


if __name__ == "__main__":
    main()
