#!/usr/bin/env python3
"""A hand-made BGP speaker for negative tests: connects to a BGP speaker
(from the namespace of a configured peer), sends one OPEN built from the
options (a wrong AS, a Hold Time of 1, a bad version...), optionally
completes the handshake and sends raw UPDATE bytes, and prints as JSON the
NOTIFICATION it got back (code, subcode, data) or what happened instead.
Bounded: every wait has a timeout."""
import argparse
import json
import socket
import struct
import sys
import time

MARKER = b"\xff" * 16


def msg(mtype, body):
    return MARKER + struct.pack("!HB", 19 + len(body), mtype) + body


def open_msg(args):
    caps = b""
    # multiprotocol IPv4 unicast, 4-octet AS
    caps += b"\x01\x04\x00\x01\x00\x01"
    if not args.no_as4:
        caps += b"\x41\x04" + struct.pack("!I", args.asn)
    opt = b"\x02" + bytes([len(caps)]) + caps
    as2 = args.asn if args.asn < 65536 else 23456
    body = struct.pack("!BHH4sB", args.version, as2, args.hold,
                       socket.inet_aton(args.router_id), len(opt)) + opt
    return msg(1, body)


def read_msg(s, deadline, buf):
    while True:
        if len(buf) >= 19:
            mlen = struct.unpack("!H", buf[16:18])[0]
            if len(buf) >= mlen:
                return buf[:mlen], buf[mlen:]
        left = deadline - time.monotonic()
        if left <= 0:
            return None, buf
        s.settimeout(left)
        try:
            chunk = s.recv(4096)
        except socket.timeout:
            return None, buf
        except ConnectionResetError:
            return None, buf
        if not chunk:
            return None, buf
        buf += chunk


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--src")
    ap.add_argument("--port", type=int, default=179)
    ap.add_argument("--asn", type=int, required=True)
    ap.add_argument("--hold", type=int, default=90)
    ap.add_argument("--version", type=int, default=4)
    ap.add_argument("--router-id", default="192.0.2.99")
    ap.add_argument("--no-as4", action="store_true")
    ap.add_argument("--ttl", type=int, default=255)
    ap.add_argument("--update-hex",
                    help="after the handshake, send an UPDATE with this "
                    "body (hex, without the 19-byte header)")
    ap.add_argument("--linger", type=float, default=0.0,
                    help="after the UPDATE, wait this long for a "
                    "NOTIFICATION; none by then is reported as such")
    ap.add_argument("--timeout", type=float, default=10.0)
    args = ap.parse_args()

    out = {"connected": False, "notification": None, "got": []}
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, args.ttl)
    if args.src:
        s.bind((args.src, 0))
    s.settimeout(args.timeout)
    deadline = time.monotonic() + args.timeout
    try:
        s.connect((args.dst, args.port))
    except OSError as e:
        out["error"] = str(e)
        print(json.dumps(out))
        return 1
    out["connected"] = True
    s.sendall(open_msg(args))
    rest = b""
    sent_update = False
    while True:
        m, rest = read_msg(s, deadline, rest)
        if m is None:
            if sent_update and time.monotonic() >= deadline:
                out["no_notification_within_s"] = args.linger
            else:
                out["closed_without_notification"] = True
            break
        mtype = m[18]
        out["got"].append({1: "OPEN", 2: "UPDATE", 3: "NOTIFICATION",
                           4: "KEEPALIVE"}.get(mtype, str(mtype)))
        if mtype == 3:
            out["notification"] = {"code": m[19], "subcode": m[20],
                                   "data": m[21:].hex()}
            break
        if mtype == 1:
            s.sendall(msg(4, b""))  # KEEPALIVE: accept their OPEN
        elif mtype == 4 and args.update_hex and not sent_update:
            s.sendall(msg(2, bytes.fromhex(args.update_hex)))
            sent_update = True
            out["established"] = True
            if args.linger > 0:
                deadline = min(deadline, time.monotonic() + args.linger)
        elif mtype == 4 and sent_update:
            # keep the session up while lingering: the daemon's hold timer
            # (as short as 3 s in the tests) must not be what ends it
            s.sendall(msg(4, b""))
        elif mtype == 4 and not args.update_hex:
            # handshake complete and nothing to provoke: done
            out["established"] = True
            break
    s.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
