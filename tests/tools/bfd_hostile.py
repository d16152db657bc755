#!/usr/bin/env python3
"""Hostile BFD control packets for tests/integration/test_hostile.sh: from
the namespace of a link's peer, one packet per named case, each what
RFC 5880 §6.8.6 or RFC 5881 §5 says to discard, and each otherwise the
peer's own (its discriminators, state, timers, read from the gateway
with --ctl) with the Poll bit set, so a packet that got through would be
answered at once with a Final (§6.5). Per case it reads the session's
drop counters and Finals sent before and after, and captures for
--listen seconds what the gateway sends back with F set. The case
"valid_poll" is the control: a well-formed Poll that must be answered.
Prints JSON: {case: {"drops": {counter: delta}, "finals": delta,
"finals_seen": n}}. Lab use only: sends to the address given, one packet
per case."""
import argparse
import ipaddress
import json
import socket
import struct
import subprocess
import sys
import time

LAB_NETS = [ipaddress.ip_network(n) for n in (
    "198.18.0.0/16", "198.51.100.0/24", "203.0.113.0/24", "192.0.2.0/24")]
# RFC 5880 §4.1: Sta(2) P F C A D M
P_BIT, F_BIT, A_BIT, M_BIT = 0x20, 0x10, 0x04, 0x01
STATE_UP = 3


def ctrl(s, version=1, flags=None, mult=None, length=24, my=None, your=None,
         state=STATE_UP, extra=b""):
    """A control packet (RFC 5880 §4.1) as the session's peer sends it."""
    fl = (state << 6) | (P_BIT if flags is None else flags)
    return struct.pack("!BBBBIIIII", version << 5, fl,
                       s["remote_mult"] if mult is None else mult, length,
                       s["remote_disc"] if my is None else my,
                       s["local_disc"] if your is None else your,
                       s["remote_min_tx_us"], s["remote_min_rx_us"],
                       0) + extra


def csum(b):
    """RFC 1071 Internet checksum."""
    if len(b) % 2:
        b += b"\0"
    n = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while n >> 16:
        n = (n & 0xffff) + (n >> 16)
    return ~n & 0xffff


def frame(src_mac, dst_mac, src, dst, ttl, dport, payload):
    """Ethernet, IPv4 (no options, DF clear) and UDP from port 49999
    (RFC 5881 §4's range), both checksums right."""
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    ulen = 8 + len(payload)
    ph = s + d + struct.pack("!BBH", 0, 17, ulen)
    udp = struct.pack("!HHHH", 49999, dport, ulen, 0) + payload
    udp = udp[:6] + struct.pack("!H", csum(ph + udp) or 0xffff) + udp[8:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0, ttl, 17, 0,
                     s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return (bytes.fromhex(dst_mac.replace(":", "")) +
            bytes.fromhex(src_mac.replace(":", "")) + b"\x08\x00" + ip + udp)


def cases(s):
    """name -> (expected drop counter or None, BFD payload, ip/udp
    overrides)."""
    c = {
        # RFC 5881 §5: GTSM, TTL 255 only
        "ttl_254": ("ttl", ctrl(s), {"ttl": 254}),
        # RFC 5880 §6.8.6, in its order
        "version_0": ("version", ctrl(s, version=0), {}),
        "version_2": ("version", ctrl(s, version=2), {}),
        "length_23": ("length", ctrl(s, length=23), {}),
        "length_past_payload": ("length", ctrl(s, length=48), {}),
        "udp_payload_20": ("length", ctrl(s)[:20], {}),
        "auth_bit_length_24": ("length", ctrl(s, flags=P_BIT | A_BIT), {}),
        "detect_mult_0": ("detect_mult", ctrl(s, mult=0), {}),
        "multipoint": ("multipoint", ctrl(s, flags=P_BIT | M_BIT), {}),
        "my_disc_0": ("my_disc", ctrl(s, my=0), {}),
        "your_disc_unknown": ("your_disc",
                              ctrl(s, your=s["local_disc"] ^ 0x5a5a0000), {}),
        "your_disc_0_state_up": ("your_disc_zero", ctrl(s, your=0), {}),
        # A bit with a well-formed simple password section (type 1,
        # length 6, key id 1, "ab"), no authentication configured
        "auth_bit_no_auth": ("auth", ctrl(s, flags=P_BIT | A_BIT, length=30,
                                          extra=b"\1\6\1\0ab"), {}),
        "poll_and_final": ("poll_final", ctrl(s, flags=P_BIT | F_BIT), {}),
        # RFC 5881 §3: a session is bound to its peer's address
        "wrong_source": ("wrong_src", ctrl(s), {"src": "203.0.113.3"}),
        # not BFD at all: the control packet to another port
        "port_3786": (None, ctrl(s), {"dport": 3786}),
        # the control: the peer's own Poll, answered with a Final
        "valid_poll": ("", ctrl(s), {}),
    }
    return c


def ctl(a, *args):
    r = subprocess.run(a.ctl.split() + ["--json"] + list(args),
                       capture_output=True, timeout=10)
    return json.loads(r.stdout)


def session(a):
    return [x for x in ctl(a, "show", "bfd")["links"] if x["name"] == a.link][0]


def finals_seen(rx, a, until):
    """Frames from the gateway to BFD's control port with F set."""
    n = 0
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return n
        rx.settimeout(left)
        try:
            f = rx.recv(2048)
        except socket.timeout:
            return n
        if len(f) < 14 + 20 + 8 + 2 or f[12:14] != b"\x08\x00":
            continue
        ihl = (f[14] & 0x0f) * 4
        if f[14 + 9] != 17 or socket.inet_ntoa(f[26:30]) != a.dst:
            continue
        u = 14 + ihl
        if struct.unpack("!H", f[u + 2:u + 4])[0] != 3784:
            continue
        if f[u + 8 + 1] & F_BIT:
            n += 1


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--src-mac", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--link", default="link1")
    ap.add_argument("--listen", type=float, default=0.3)
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    if not any(ipaddress.ip_address(a.dst) in n for n in LAB_NETS):
        ap.error("%s is not a lab address" % a.dst)
    s0 = session(a)
    allc = cases(s0)
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((a.iface, 0))
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
    rx.bind((a.iface, 0))
    res = {}
    for name in a.cases or list(allc):
        want, payload, o = allc[name]
        before = session(a)
        # drain what the capture holds from before this case
        rx.setblocking(False)
        try:
            while rx.recv(2048):
                pass
        except BlockingIOError:
            pass
        tx.send(frame(a.src_mac, a.dst_mac, o.get("src", a.src), a.dst,
                      o.get("ttl", 255), o.get("dport", 3784), payload))
        seen = finals_seen(rx, a, time.monotonic() + a.listen)
        after = session(a)
        d = {k: after["drops"][k] - before["drops"][k]
             for k in after["drops"] if after["drops"][k] != before["drops"][k]}
        res[name] = {"want": want, "drops": d,
                     "finals": after["finals_sent"] - before["finals_sent"],
                     "finals_seen": seen}
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
