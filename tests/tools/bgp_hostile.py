#!/usr/bin/env python3
"""A hostile BGP peer for tests/integration/test_hostile.sh: runs a list
of named cases against the gateway, each on a fresh TCP session from the
configured peer's address. A case is an OPEN handshake (or a bad OPEN),
then hostile bytes, then what came back: the NOTIFICATION (code, subcode,
data), or, when the session stayed up, what the gateway holds afterwards.
For the latter the case announces a sentinel prefix after the hostile
message and polls the gateway (--ctl, twinpathctl) until the sentinel is
there: messages on one TCP connection are handled in order, so by then
the hostile one has been too. Each case reports one line, its "verdict",
which the test compares with the RFC's answer. Bounded: every wait has a
timeout. Prints JSON: {case: {"verdict": ..., ...}}."""
import argparse
import json
import socket
import struct
import subprocess
import sys
import time

MARKER = b"\xff" * 16
PEER_AS = 35540
NH = socket.inet_aton("203.0.113.2")  # up1: the configured peer
P = "198.51.100.192/26"    # the prefix each UPDATE case is about
SENTINEL = "198.51.100.160/27"
V6 = "2001:db8:100::/48"   # IPv6: a family the hand peer never offers
AS_TRANS = 23456


def msg(mtype, body, length=None):
    n = 19 + len(body) if length is None else length
    return MARKER + struct.pack("!HB", n, mtype) + body


def keepalive():
    return msg(4, b"")


def pfx(s):
    a, n = s.split("/")
    n = int(n)
    return bytes([n]) + socket.inet_aton(a)[:(n + 7) // 8]


def attr(flags, code, value):
    if len(value) > 255 or flags & 0x10:
        return struct.pack("!BBH", flags | 0x10, code, len(value)) + value
    return struct.pack("!BBB", flags, code, len(value)) + value


def seg(stype, asns, size):
    f = "!I" if size == 4 else "!H"
    return bytes([stype, len(asns)]) + b"".join(struct.pack(f, a)
                                                for a in asns)


def update(attrs=b"", nlri=b"", withdrawn=b"", attr_len=None):
    al = len(attrs) if attr_len is None else attr_len
    return msg(2, struct.pack("!H", len(withdrawn)) + withdrawn +
               struct.pack("!H", al) + attrs + nlri)


# Well-formed attributes (RFC 4271 §5), as a 4-octet session sends them
# unless as2 says otherwise.
def origin(v=0):
    return attr(0x40, 1, bytes([v]))


def aspath(asns=(PEER_AS,), size=4):
    return attr(0x40, 2, seg(2, list(asns), size))


def nexthop(nh=NH):
    return attr(0x40, 3, nh)


def communities(*cs):
    return attr(0xc0, 8, b"".join(struct.pack("!HH", *c) for c in cs))


def base(size=4):
    return origin() + aspath(size=size) + nexthop()


COMM = communities((PEER_AS, 1))


def cases():
    """name -> dict: open (overrides of the OPEN), as4 (offer the 4-octet
    AS capability), pre (announce P first), send (bytes after the
    handshake, or instead of the OPEN with raw_open), check (prefix to
    look up afterwards)."""
    c = {}

    def hdr(name, data):
        c[name] = {"send": data}

    # RFC 4271 §6.1: header errors, sent once the session is Established
    hdr("hdr_marker", b"\xff" * 15 + b"\x00" + struct.pack("!HB", 19, 4))
    hdr("hdr_len_18", msg(4, b"", 18))
    hdr("hdr_len_4097", msg(2, b"\0" * 8, 4097))
    hdr("hdr_keepalive_20", msg(4, b"\0"))
    hdr("hdr_open_28", msg(1, b"\0" * 9))
    hdr("hdr_update_22", msg(2, b"\0" * 3))
    hdr("hdr_notification_20", msg(3, b"\6"))
    hdr("hdr_type_9", msg(9, b""))
    # RFC 7313 §5: a ROUTE-REFRESH of the wrong length, 7/1 with the
    # whole message as data
    hdr("rr_len_24", msg(5, b"\0\1\0\1\0"))
    # RFC 6608: an OPEN once Established
    hdr("fsm_open_in_established", open_msg({}, True))

    # RFC 4271 §6.2 (and RFC 7607): OPEN errors, in place of our OPEN
    def bad_open(name, **kw):
        c[name] = {"open": kw, "open_error": True}

    bad_open("open_version_5", version=5)
    bad_open("open_peer_as", asn=65999)
    bad_open("open_as_0", asn=0)
    bad_open("open_bgp_id_0", router_id="0.0.0.0")
    bad_open("open_hold_1", hold=1)
    bad_open("open_hold_2", hold=2)
    bad_open("open_optparam_1", optparam=b"\x01\x02\x00\x00")
    bad_open("open_optlen_overrun", optlen_delta=1)
    bad_open("open_cap_overrun", cap_overrun=True)
    # RFC 6608: an UPDATE where the OPEN should be
    c["fsm_update_in_opensent"] = {"raw_open": update(base(), pfx(P))}
    # ... and right after our OPEN, before our KEEPALIVE: in OpenConfirm
    c["fsm_update_in_openconfirm"] = {"raw_open": open_msg({}, True) +
                                      update(base(), pfx(P))}

    # RFC 7606: UPDATE errors on P, announced well-formed first
    def upd(name, attrs, nlri=None, **kw):
        d = {"pre": True, "send": update(attrs, pfx(P) if nlri is None
                                         else nlri), "check": P}
        d.update(kw)
        c[name] = d

    # treat-as-withdraw (§2, §3, §7)
    upd("tw_origin_5", origin(5) + aspath() + nexthop() + COMM)
    upd("tw_origin_len_2_first", attr(0x40, 1, b"\0\0") + aspath() +
        nexthop() + COMM)
    upd("tw_origin_flags_optional", attr(0xc0, 1, b"\0") + aspath() +
        nexthop() + COMM)
    upd("tw_aspath_segment_type_5", origin() + attr(0x40, 2, bytes([5, 1]) +
        struct.pack("!I", PEER_AS)) + nexthop() + COMM)
    upd("tw_aspath_as_0", origin() + aspath((PEER_AS, 0)) + nexthop() + COMM)
    upd("tw_aspath_not_peer_first", origin() + aspath((64999,)) + nexthop() +
        COMM)
    upd("tw_nexthop_len_5_last", origin() + aspath() + COMM +
        attr(0x40, 3, NH + b"\0"))
    # RFC 4271 §6.3, RFC 7606 §7.3: a NEXT_HOP that is our own address,
    # or not on the link's subnet (single-hop eBGP): the route ignored
    upd("ignored_nexthop_own_address", origin() + aspath() +
        nexthop(socket.inet_aton("203.0.113.1")) + COMM)
    upd("ignored_nexthop_off_link", origin() + aspath() +
        nexthop(socket.inet_aton("192.0.2.77")) + COMM)
    # RFC 5065 §5.1 / RFC 7606 §7.2: confederation segments from a peer
    # outside our confederation
    upd("tw_aspath_confed", origin() + attr(0x40, 2, seg(3, [65000], 4) +
        seg(2, [PEER_AS], 4)) + nexthop() + COMM)
    upd("tw_nexthop_loopback", origin() + aspath() +
        nexthop(socket.inet_aton("127.0.0.1")) + COMM)
    upd("tw_med_len_3_first", attr(0x80, 4, b"\0\0\1") + base() + COMM)
    upd("tw_communities_len_5", base() + attr(0xc0, 8, b"\x8a\xd4\0\1\0"))
    upd("tw_missing_origin", aspath() + nexthop() + COMM)
    upd("tw_missing_nexthop", origin() + aspath() + COMM)
    # attribute discard (§7.5 from an external peer, §7.6, §7.7, §3 (g),
    # RFC 6793 §3): the route stays, without the attribute
    upd("ad_local_pref_len_5", base() + attr(0x40, 5, b"\0\0\0\x64\0") + COMM)
    upd("ad_atomic_aggregate_len_1", base() + attr(0x40, 6, b"\0") + COMM)
    upd("ad_aggregator_len_7_first", attr(0xc0, 7, b"\0\0\x8a\xd4\xc0\0\2")
        + base() + COMM)
    upd("ad_aggregator_len_7_last", base() + COMM +
        attr(0xc0, 7, b"\0\0\x8a\xd4\xc0\0\2"))
    upd("ad_aggregator_as_0", base() + attr(0xc0, 7, b"\0\0\0\0\xc0\0\2\1") +
        COMM)
    upd("ad_communities_repeated", base() + COMM +
        communities((PEER_AS, 2)))
    upd("ad_as4_path_on_4octet", base() + COMM +
        attr(0xc0, 17, seg(2, [4200000001], 4)))
    # well-formed, for contrast: ORIGIN with the Extended Length bit
    # (RFC 4271 §4.3 allows it for any length), AGGREGATOR and
    # ATOMIC_AGGREGATE kept
    upd("ok_origin_extended_length", attr(0x50, 1, b"\0") + aspath() +
        nexthop() + COMM)
    upd("ok_aggregator_atomic", base() + attr(0x40, 6, b"") +
        attr(0xc0, 7, struct.pack("!I", PEER_AS) + socket.inet_aton(
            "192.0.2.7")) + COMM)
    # session reset (§4, §5.3, §7.11, RFC 4271 §6.3)
    # Total Path Attribute Length past the message (RFC 4271 §6.3)
    c["rs_attr_list_past_message"] = {"pre": True, "check": P, "send": update(
        base() + COMM, attr_len=len(base() + COMM) + 9)}
    # AS_PATH's length (10) past the attribute list, no NLRI to withdraw
    # by (RFC 7606 §4, §5.2)
    upd("rs_attr_runs_past_list", origin() + b"\x40\x02\x0a\x02\x01\0\0",
        nlri=b"")
    upd("rs_nlri_len_33", base(), nlri=b"\x21" + b"\xc6\x33\x64\xc0\0")
    upd("rs_nlri_runs_past", base(), nlri=b"\x18\xc6\x33")
    c["rs_withdrawn_len_33"] = {"pre": True, "check": P, "send": update(
        withdrawn=b"\x21\xc6\x33\x64\xc0\0")}
    mp4 = attr(0x80, 14, b"\0\1\1\5" + NH + b"\0" + b"\0" + pfx(P))
    upd("rs_mp_reach_nh_len_5", base() + mp4, nlri=b"")
    mp4ok = b"\0\1\1\4" + NH + b"\0" + pfx(P)
    upd("rs_mp_reach_twice", origin() + aspath() + attr(0x80, 14, mp4ok) +
        attr(0x80, 14, mp4ok), nlri=b"")
    upd("rs_mp_reach_flags_transitive", origin() + aspath() +
        attr(0xc0, 14, mp4ok), nlri=b"")
    upd("rs_unknown_well_known", base() + attr(0x40, 99, b"\1\2"))
    # RFC 4760 §7 / RFC 4271 §6.3: IPv6 NLRI the session never
    # negotiated (our OPEN offered IPv4 unicast only): ignored, session up
    v6nh = socket.inet_pton(socket.AF_INET6, "2001:db8:1::2")
    v6 = socket.inet_pton(socket.AF_INET6, V6.split("/")[0])
    c["mp_ipv6_not_negotiated"] = {
        "pre": True, "check": V6, "send": update(
            origin() + aspath() + attr(0x80, 14, b"\0\2\1\x10" + v6nh + b"\0" +
                                       b"\x30" + v6[:6]))}

    # RFC 6793 §4.2.3 on a 2-octet session (no AS4 capability)
    def as2(name, attrs):
        c[name] = {"as4": False, "pre": True, "check": P,
                   "send": update(attrs, pfx(P))}

    o2 = origin() + nexthop()
    as2("as4_merge", o2 + aspath((PEER_AS, AS_TRANS, AS_TRANS), 2) +
        attr(0xc0, 7, struct.pack("!H", AS_TRANS) +
             socket.inet_aton("192.0.2.9")) +
        attr(0xc0, 17, seg(2, [4200000001, 4200000002], 4)) +
        attr(0xc0, 18, struct.pack("!I", 4200000009) +
             socket.inet_aton("192.0.2.9")))
    as2("as4_path_longer_ignored", o2 + aspath((PEER_AS, AS_TRANS), 2) +
        attr(0xc0, 17, seg(2, [4200000001, 4200000002, 4200000003], 4)))
    as2("as4_path_malformed_discarded", o2 +
        aspath((PEER_AS, AS_TRANS, AS_TRANS), 2) +
        attr(0xc0, 17, bytes([2, 3]) + struct.pack("!I", 4200000001)))
    as2("as4_aggregator_ignored_no_trans", o2 + aspath((PEER_AS,), 2) +
        attr(0xc0, 7, struct.pack("!H", 64512) +
             socket.inet_aton("192.0.2.9")) +
        attr(0xc0, 18, struct.pack("!I", 4200000009) +
             socket.inet_aton("192.0.2.9")))

    # RFC 4271 §6.8, RFC 4486: a second connection from the peer while
    # the session is Established is closed with Cease 6/7; the session
    # stays
    c["collision_established"] = {"collision": True, "check": SENTINEL}

    # floods
    c["flood_keepalive_100k"] = {"flood_keepalive": 100000, "check": SENTINEL}
    c["flood_rejected_100k"] = {"flood": (32 << 24, 100000), "check": SENTINEL}
    c["flood_max_prefix_100k"] = {"flood": (16 << 24, 100000)}
    return c


def open_msg(o, as4):
    asn = o.get("asn", PEER_AS)
    caps = b"\x01\x04\x00\x01\x00\x01"  # IPv4 unicast only
    if as4:
        caps += b"\x41\x04" + struct.pack("!I", asn)
    if o.get("cap_overrun"):
        caps += b"\x41\x09\0\0"  # 9 octets claimed, 2 there
    opt = b"\x02" + bytes([len(caps)]) + caps + o.get("optparam", b"")
    body = struct.pack("!BHH4sB", o.get("version", 4),
                       asn if asn < 65536 else AS_TRANS, o.get("hold", 90),
                       socket.inet_aton(o.get("router_id", "192.0.2.99")),
                       len(opt) + o.get("optlen_delta", 0)) + opt
    return msg(1, body)


class Session:
    def __init__(self, a):
        self.a = a
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, 255)  # GTSM
        self.s.bind((a.src, 0))
        self.s.settimeout(a.timeout)
        self.s.connect((a.dst, 179))
        self.buf = b""
        self.sent_after = 0   # messages sent since the handshake
        self.last_ka = time.monotonic()
        # no KEEPALIVE in answer (a flood's count stays exact; its
        # case ends well within the Hold Time)
        self.quiet = False

    def send(self, data, count=1):
        # blocking, bounded: read() may have left the socket non-blocking,
        # and a sendall cut short would leave half a message on the wire
        self.s.settimeout(self.a.timeout)
        self.s.sendall(data)
        self.sent_after += count

    def read(self, deadline):
        """One message, None at the deadline (after at least one look at
        the socket), or "closed"."""
        looked = False
        while True:
            if len(self.buf) >= 19:
                n = struct.unpack("!H", self.buf[16:18])[0]
                if n >= 19 and len(self.buf) >= n:
                    m, self.buf = self.buf[:n], self.buf[n:]
                    return m
            left = deadline - time.monotonic()
            if left <= 0 and looked:
                return None
            looked = True
            self.s.settimeout(max(left, 0.0))
            try:
                chunk = self.s.recv(65536)
            except (socket.timeout, BlockingIOError):
                continue
            except OSError:
                return "closed"
            if not chunk:
                return "closed"
            self.buf += chunk

    def close(self):
        self.s.close()


def notification(m):
    return "notification %d/%d data %s" % (m[19], m[20], m[21:].hex() or "-")


def handshake(sess, case):
    """OPEN both ways and KEEPALIVE: 'up', or the verdict that ended it."""
    sess.s.sendall(case.get("raw_open") or open_msg(case.get("open", {}),
                                                    case.get("as4", True)))
    deadline = time.monotonic() + sess.a.timeout
    got_open = False
    while True:
        m = sess.read(deadline)
        if m is None:
            return "no answer in %.0f s" % sess.a.timeout
        if m == "closed":
            return "closed without NOTIFICATION"
        t = m[18]
        if t == 3:
            return notification(m)
        if t == 1:
            got_open = True
            sess.send(keepalive(), 0)
        elif t == 4 and got_open and not case.get("raw_open"):
            return "up"


def ctl(a, *args):
    r = subprocess.run(a.ctl.split() + ["--json"] + list(args),
                       capture_output=True, timeout=10)
    return json.loads(r.stdout)


def link1(a):
    return [n for n in ctl(a, "show", "bgp", "neighbors")["neighbors"]
            if n["link"] == a.link][0]


def paths(a, prefix):
    for r in ctl(a, "show", "bgp", "routes")["routes"]:
        if r["prefix"] == prefix:
            return [p for p in r["paths"] if p["link"] == a.link]
    return []


def pump(sess, until):
    """Answer the gateway (keepalives) until UNTIL; a NOTIFICATION or a
    close ends it early: returns its verdict, else None."""
    while True:
        m = sess.read(until)
        if m is None:
            return None
        if m == "closed":
            return "closed without NOTIFICATION"
        if m[18] == 3:
            return notification(m)
        if m[18] == 4 and not sess.quiet and \
                time.monotonic() - sess.last_ka > 1:
            sess.send(keepalive())
            sess.last_ka = time.monotonic()


def wait_route(sess, a, prefix, present=True):
    """Poll the gateway until PREFIX is (or is not) link1's path, keeping
    the session alive meanwhile. None when it happened, else a verdict."""
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        if bool(paths(a, prefix)) == present:
            return None
        v = pump(sess, time.monotonic() + 0.1)
        if v:
            return v
    return "%s %s after %.0f s" % (prefix, "never learned" if present else
                                   "still there", a.timeout)


def describe(p):
    return ("kept: origin %s, as_path %s, aggregator %s, atomic %s, "
            "communities %s" % (p["origin"], p["as_path"] or "-",
                                p.get("aggregator") or "-",
                                p.get("atomic_aggregate"),
                                ",".join(p["communities"]) or "-"))


def second_connection(a):
    """Connect again beside the Established session and say what the
    gateway answers (it speaks first: its OPEN, or a NOTIFICATION)."""
    try:
        s2 = Session(a)
    except OSError as e:
        return "connect failed: %s" % e
    try:
        m = s2.read(time.monotonic() + a.timeout)
        if m is None:
            return "no answer in %.0f s" % a.timeout
        if m == "closed":
            return "closed without NOTIFICATION"
        return notification(m) if m[18] == 3 else "message type %d" % m[18]
    finally:
        s2.close()


def flood(sess, first, count, per_msg=1000):
    """COUNT /24s from FIRST (an IPv4 address as an int), PER_MSG to an
    UPDATE. Stops at a NOTIFICATION: returns its verdict, else None."""
    attrs = base() + COMM
    i = 0
    while i < count:
        n = min(per_msg, count - i)
        nlri = b"".join(b"\x18" + struct.pack("!I", first + ((i + k) << 8))[:3]
                        for k in range(n))
        try:
            sess.send(update(attrs, nlri))
        except OSError:
            break
        i += n
        v = pump(sess, time.monotonic())
        if v:
            return v
    return pump(sess, time.monotonic() + 2)


def run_case(a, name, case):
    out = {}
    try:
        sess = Session(a)
    except OSError as e:
        return {"verdict": "connect failed: %s" % e}
    try:
        v = handshake(sess, case)
        size = 4 if case.get("as4", True) else 2
        if v != "up" or case.get("open_error") or case.get("raw_open"):
            out["verdict"] = v
            return out
        if case.get("pre"):
            sess.send(update(base(size) + COMM, pfx(P)))
            v = wait_route(sess, a, P)
            if v:
                out["verdict"] = "pre-announcement failed: " + v
                return out
        sess.quiet = "flood" in case or "flood_keepalive" in case
        n0 = link1(a)
        t0 = n0["rejected"]
        if case.get("collision"):
            out["second"] = second_connection(a)
        elif "flood_keepalive" in case:
            k = case["flood_keepalive"]
            sess.send(keepalive() * k, k)
        elif "flood" in case:
            v = flood(sess, *case["flood"])
            if v:
                out["verdict"] = v
                return out
        else:
            sess.send(case["send"])
        if "check" not in case:
            out["verdict"] = pump(sess, time.monotonic() + 3) or "up"
            return out
        sess.send(update(base(size), pfx(SENTINEL)))
        v = wait_route(sess, a, SENTINEL)
        if v:
            out["verdict"] = v
            return out
        n1 = link1(a)
        t1 = n1["rejected"]
        out["treat_as_withdraw"] = t1["treat_as_withdraw"] - t0["treat_as_withdraw"]
        out["discarded"] = n1["attributes_discarded"] - n0["attributes_discarded"]
        out["rejected"] = sum(t1[k] - t0[k] for k in t1 if k != "treat_as_withdraw")
        out["msgs_rcvd"] = n1["msgs_rcvd"] - n0["msgs_rcvd"]
        out["sent"] = sess.sent_after
        got = paths(a, case["check"])
        if case.get("collision"):
            out["verdict"] = "second connection: %s; the first up" % (
                out["second"])
        elif "flood_keepalive" in case or "flood" in case:
            out["verdict"] = ("up; %d messages counted of %d sent, %d "
                              "rejected by policy" % (out["msgs_rcvd"],
                                                       out["sent"],
                                                       out["rejected"]))
        else:
            out["verdict"] = ("up; %s %s; withdrawn +%d, discarded +%d, "
                              "rejected +%d" % (
                                  case["check"],
                                  describe(got[0]) if got else "absent",
                                  out["treat_as_withdraw"], out["discarded"],
                                  out["rejected"]))
        return out
    except OSError as e:
        out["verdict"] = "error: %s" % e
        return out
    finally:
        sess.close()
        wait_gone(a)


def wait_gone(a):
    """Until the gateway has ended the case's session: one incoming
    connection per peer at a time, and its routes flushed with it."""
    deadline = time.monotonic() + a.timeout
    while time.monotonic() < deadline:
        if link1(a)["state"] in ("Idle", "Active", "Connect"):
            return
        time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--src", required=True)
    ap.add_argument("--ctl", required=True,
                    help="command that runs twinpathctl on the gateway")
    ap.add_argument("--link", default="link1")
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("cases", nargs="*")
    a = ap.parse_args()
    allc = cases()
    if a.list:
        print("\n".join(allc))
        return 0
    res = {}
    for name in a.cases or list(allc):
        if name not in allc:
            ap.error("no case %s" % name)
        t = time.monotonic()
        res[name] = run_case(a, name, allc[name])
        res[name]["seconds"] = round(time.monotonic() - t, 2)
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
