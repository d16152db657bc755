#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_fwd (tests/fuzz/corpus/fuzz_fwd/): valid
frames that reach each outcome of twinpath-dp's fast path against the
harness's table (see the top of fuzz_fwd.c), in its input format: byte 0
the knobs, then frames as a 2-byte big-endian length and the bytes.
Every seed keeps the invariants on any correct fast path (addressed to the
in-port's MAC, no martian source, length == the IP header's), so the
replay test passes on them. Plain struct packing: no scapy needed.

Also writes tests/fuzz/regressions/fuzz_fwd/: one frame per hygiene
invariant (padding, a foreign or broadcast destination MAC, each martian
source range) that a fast path without those checks forwards (main before
issue 19 did), replayed by the unit suite.

    python3 tests/fuzz/make_corpus.py
"""
import ipaddress
import os
import struct

PORT_MAC = [bytes([2, 0xd0, 0, 0, 0, 0xa0 + p]) for p in range(3)]
LINK_A, LINK_B, LAN = 0, 1, 2
LAN_HOST_MAC = bytes([2, 0x10, 0, 0, 0, 1])
PEER_A_MAC = bytes([2, 0x50, 0, 0, 0, 0x0a])
LAN_HOST, LAN_HOST6 = "198.18.1.10", "2001:db8:1::10"

# knobs (byte 0): in-port in bits 0-1, link A / B down in bits 2 / 3,
# ICMP tokens in bits 4-5 (0: 8), link A's MTU in bits 6-7 (0: 1400)
IN_LINK_A, IN_LAN = 0, 2
A_DOWN, B_DOWN = 0x04, 0x08
NO_TOKENS = 0x20
MTU_68 = 0xc0


def cksum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def eth(dst, src, etype, payload):
    return dst + src + struct.pack("!H", etype) + payload


def ipv4(src, dst, proto, payload, ttl=64, flags_off=0, options=b"",
         ident=0x1234):
    hlen = 20 + len(options)
    assert hlen % 4 == 0
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | hlen // 4, 0, hlen + len(payload),
                    ident, flags_off, ttl, proto, 0,
                    ipaddress.IPv4Address(src).packed,
                    ipaddress.IPv4Address(dst).packed) + options
    c = cksum(h)
    return h[:10] + struct.pack("!H", c) + h[12:] + payload


def udp4(src, dst, data, sport=1000, dport=2000):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = (ipaddress.IPv4Address(src).packed +
              ipaddress.IPv4Address(dst).packed +
              struct.pack("!BBH", 0, 17, len(u)))
    return u[:6] + struct.pack("!H", cksum(pseudo + u) or 0xffff) + u[8:]


def ipv6(src, dst, nh, payload, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60012345, len(payload), nh, hlim,
                       ipaddress.IPv6Address(src).packed,
                       ipaddress.IPv6Address(dst).packed) + payload


def udp6(src, dst, data, sport=1000, dport=2000):
    u = struct.pack("!HHHH", sport, dport, 8 + len(data), 0) + data
    pseudo = (ipaddress.IPv6Address(src).packed +
              ipaddress.IPv6Address(dst).packed +
              struct.pack("!IxxxB", len(u), 17))
    return u[:6] + struct.pack("!H", cksum(pseudo + u) or 0xffff) + u[8:]


def lan4(dst, proto=17, payload=None, **kw):
    """From the LAN host to DST, to the LAN port's MAC."""
    if payload is None:
        payload = udp4(LAN_HOST, dst, b"ping")
    return eth(PORT_MAC[LAN], LAN_HOST_MAC, 0x0800,
               ipv4(LAN_HOST, dst, proto, payload, **kw))


def lan6(dst, nh=17, payload=None, hlim=64):
    if payload is None:
        payload = udp6(LAN_HOST6, dst, b"ping")
    return eth(PORT_MAC[LAN], LAN_HOST_MAC, 0x86dd,
               ipv6(LAN_HOST6, dst, nh, payload, hlim))


def seed(knobs, *frames):
    return bytes([knobs]) + b"".join(struct.pack("!H", len(f)) + f
                                     for f in frames)


def seeds():
    big = bytes(range(256)) * 6
    tcp_syn = struct.pack("!HHIIBBHHH", 40000, 443, 1, 0, 0x50, 0x02,
                          64240, 0, 0)
    echo = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"abcdefgh"
    echo = echo[:2] + struct.pack("!H", cksum(echo)) + echo[4:]
    # port unreachable quoting a UDP header
    unreach = struct.pack("!BBHI", 3, 3, 0, 0) + bytes(28)
    unreach = unreach[:2] + struct.pack("!H", cksum(unreach)) + unreach[4:]
    # IPv4 options: Record Route with room for one address, then NOP
    rr = bytes([7, 7, 4, 0, 0, 0, 0, 1])
    hbh = bytes([17, 0, 1, 4, 0, 0, 0, 0])  # PadN; then UDP
    frag6 = struct.pack("!BBHI", 17, 0, 0x0001, 0xabcd)  # M, offset 0
    s = {
        "v4_udp_ecmp": seed(IN_LAN, lan4("198.51.100.7")),
        "v4_tcp_standby": seed(IN_LAN, lan4("192.0.2.9", 6, tcp_syn)),
        "v4_standby_backup": seed(IN_LAN | A_DOWN, lan4("192.0.2.9")),
        "v4_both_links_down": seed(IN_LAN | A_DOWN | B_DOWN,
                                   lan4("198.51.100.7")),
        "v4_options_rr": seed(IN_LAN, lan4("198.51.100.7", options=rr)),
        "v4_icmp_echo": seed(IN_LAN, lan4("198.51.100.7", 1, echo)),
        "v4_fragment_first": seed(IN_LAN, lan4(
            "198.51.100.7", payload=udp4(LAN_HOST, "198.51.100.7", big[:64]),
            flags_off=0x2000)),
        "v4_fragment_later": seed(IN_LAN, lan4(
            "198.51.100.7", payload=big[:40], flags_off=185)),
        # 1500 bytes to link A (MTU 1400): fragmented, or answered with DF
        "v4_over_mtu_fragmented": seed(IN_LAN, lan4(
            "192.0.2.9", payload=udp4(LAN_HOST, "192.0.2.9", big[:1472]))),
        "v4_over_mtu_df": seed(IN_LAN, lan4(
            "192.0.2.9", payload=udp4(LAN_HOST, "192.0.2.9", big[:1472]),
            flags_off=0x4000)),
        # the edges: exactly link A's MTU goes whole, 8 bytes over it not
        "v4_exactly_mtu": seed(IN_LAN, lan4(
            "192.0.2.9", payload=udp4(LAN_HOST, "192.0.2.9", big[:1372]))),
        "v4_mtu_plus_8": seed(IN_LAN, lan4(
            "192.0.2.9", payload=udp4(LAN_HOST, "192.0.2.9", big[:1380]))),
        # link A's MTU 68: thirteen fragments of 48 bytes
        "v4_mtu68_fragments": seed(IN_LAN | MTU_68, lan4(
            "192.0.2.9", payload=udp4(LAN_HOST, "192.0.2.9", big[:572]))),
        "v4_ttl1": seed(IN_LAN, lan4("198.51.100.7", ttl=1)),
        # no ICMP error about an ICMP error (RFC 1812 §4.3.2.7), and none
        # without a token (§4.3.2.8)
        "v4_ttl1_icmp_error_suppressed": seed(IN_LAN, lan4(
            "198.51.100.7", 1, unreach, ttl=1)),
        "v4_ttl1_rate_limited": seed(IN_LAN | NO_TOKENS,
                                     lan4("198.51.100.7", ttl=1)),
        "v4_no_route": seed(IN_LAN, lan4("8.8.8.8")),
        "v4_unresolved": seed(IN_LAN, lan4("100.64.1.1")),
        "v4_missing_group": seed(IN_LAN, lan4("10.1.2.3")),
        "v4_link_to_lan": seed(IN_LINK_A, eth(
            PORT_MAC[LINK_A], PEER_A_MAC, 0x0800,
            ipv4("198.51.100.7", LAN_HOST, 17,
                 udp4("198.51.100.7", LAN_HOST, b"pong")))),
        "v6_udp_ecmp": seed(IN_LAN, lan6("2001:db8:100::7")),
        "v6_hop_by_hop": seed(IN_LAN, lan6(
            "2001:db8:200::9", 0, hbh + udp6(LAN_HOST6, "2001:db8:200::9",
                                             b"ping"))),
        "v6_fragment": seed(IN_LAN, lan6(
            "2001:db8:100::7", 44, frag6 + udp6(LAN_HOST6, "2001:db8:100::7",
                                                big[:32]))),
        "v6_hop_limit1": seed(IN_LAN, lan6("2001:db8:100::7", hlim=1)),
        "v6_too_big": seed(IN_LAN, lan6(
            "2001:db8:200::9", payload=udp6(LAN_HOST6, "2001:db8:200::9",
                                            big[:1400]))),
        "v6_no_route": seed(IN_LAN, lan6("2001:db8:ffff::1")),
        "arp": seed(IN_LAN, eth(b"\xff" * 6, LAN_HOST_MAC, 0x0806, struct.pack(
            "!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, LAN_HOST_MAC,
            ipaddress.IPv4Address(LAN_HOST).packed, b"\0" * 6,
            ipaddress.IPv4Address("198.18.1.1").packed))),
    }
    # one burst of several: IPv4 and IPv6, forwarded, answered, dropped
    s["burst_mixed"] = seed(IN_LAN, lan4("198.51.100.7"),
                            lan6("2001:db8:100::8"), lan4("192.0.2.9", ttl=1),
                            lan4("8.8.4.4"), lan6("2001:db8:1::20"),
                            lan4("198.18.1.20"), lan4(
                                "192.0.2.10",
                                payload=udp4(LAN_HOST, "192.0.2.10",
                                             big[:1472])),
                            lan4("198.51.100.9", ttl=2))
    return s


def hygiene_seeds():
    """Frames a router must not forward as they are (see fuzz_fwd.c)."""
    dst, dst6 = "198.51.100.7", "2001:db8:100::7"
    s = {
        # 14 and 6 bytes of Ethernet padding after the IP packet
        "v4_ethernet_padding": seed(IN_LAN, lan4(dst) + bytes(14)),
        "v6_ethernet_padding": seed(IN_LAN, lan6(dst6) + bytes(6)),
        "v4_foreign_dst_mac": seed(IN_LAN, bytes([2, 0x99, 0x99, 0x99, 0x99,
                                                  0x99]) + lan4(dst)[6:]),
        "v4_broadcast_dst_mac": seed(IN_LAN, b"\xff" * 6 + lan4(dst)[6:]),
    }
    for name, src in [("0", "0.1.2.3"), ("127", "127.0.0.1"),
                      ("169_254", "169.254.1.1"), ("224", "224.0.0.5"),
                      ("240", "240.0.0.1")]:
        s["v4_martian_src_" + name] = seed(IN_LAN, eth(
            PORT_MAC[LAN], LAN_HOST_MAC, 0x0800,
            ipv4(src, dst, 17, udp4(src, dst, b"ping"))))
    for name, src in [("unspec", "::"), ("loopback", "::1"),
                      ("link_local", "fe80::1"), ("multicast", "ff02::1")]:
        s["v6_martian_src_" + name] = seed(IN_LAN, eth(
            PORT_MAC[LAN], LAN_HOST_MAC, 0x86dd,
            ipv6(src, dst6, 17, udp6(src, dst6, b"ping"))))
    return s


def write(out, inputs):
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(inputs.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print("%d inputs in %s" % (len(inputs), out))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(here, "corpus", "fuzz_fwd"), seeds())
    write(os.path.join(here, "regressions", "fuzz_fwd"), hygiene_seeds())


if __name__ == "__main__":
    main()
