#!/usr/bin/env python3
"""Writes the seed corpora of the control-side fuzz targets (fuzz_fwd's
are make_corpus.py's): tests/fuzz/corpus/fuzz_bgp/ (valid BGP sessions
and messages of every type, and edge cases, in fuzz_bgp.c's input
format), tests/fuzz/corpus/fuzz_config/ (every shipped and every unit
test configuration), tests/fuzz/corpus/fuzz_chan/ (channel record
streams in fuzz_chan.c's format) and tests/fuzz/corpus/fuzz_cli/ (every
request the control socket serves). Plain struct packing.

    python3 tests/fuzz/make_seeds.py
"""
import glob
import ipaddress
import os
import shutil
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

# ---- fuzz_bgp -----------------------------------------------------------

# byte 0 (fuzz_bgp.c FB_*) and byte 1 (FO_*)
ESTABLISHED, AS4_PEER, GR, MAX_PREFIX, DRAINED, OTHER_LINK, WIDE = (
    0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40)
O_AS4, O_MP4, O_MP6, O_REFRESH, O_GR = 0x01, 0x02, 0x04, 0x08, 0x10

OUR_AS, PEER_AS2, PEER_AS4, AS_TRANS = 64496, 64500, 4200000001, 23456
OPEN, UPDATE, NOTIFICATION, KEEPALIVE, REFRESH = 1, 2, 3, 4, 5


def msg(mtype, body=b""):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def cap(code, value=b""):
    return struct.pack("!BB", code, len(value)) + value


def cap_mp(afi):
    return cap(1, struct.pack("!HBB", afi, 0, 1))


def cap_as4(asn):
    return cap(65, struct.pack("!I", asn))


def cap_gr(afis, restart_s=120, flags=0):
    v = struct.pack("!H", (flags << 12) | restart_s)
    for afi in afis:
        v += struct.pack("!HBB", afi, 1, 0x80)
    return cap(64, v)


def bgp_open(asn, caps=(), hold=90, bgp_id="192.0.2.2", version=4,
             params=None):
    if params is None:
        params = b"".join(struct.pack("!BB", 2, len(c)) + c for c in caps)
    return msg(OPEN, struct.pack("!BHH4sB", version, asn, hold,
                                 ipaddress.ip_address(bgp_id).packed,
                                 len(params)) + params)


def attr(flags, atype, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, atype, len(value)) + value
    return struct.pack("!BBB", flags, atype, len(value)) + value


def origin(v=0):
    return attr(0x40, 1, bytes([v]))


def aspath(asns, as4=True, seg_type=2):
    fmt = "!I" if as4 else "!H"
    return attr(0x40, 2, bytes([seg_type, len(asns)]) +
                b"".join(struct.pack(fmt, a) for a in asns))


def as4path(asns):
    return attr(0xc0, 17, bytes([2, len(asns)]) +
                b"".join(struct.pack("!I", a) for a in asns))


def nexthop(a="192.0.2.2"):
    return attr(0x40, 3, ipaddress.ip_address(a).packed)


def med(v):
    return attr(0x80, 4, struct.pack("!I", v))


def local_pref(v):
    return attr(0x40, 5, struct.pack("!I", v))


def communities(*vals):
    return attr(0xc0, 8, b"".join(struct.pack("!I", v) for v in vals))


def prefixes(*pfx):
    out = b""
    for p in pfx:
        n = ipaddress.ip_network(p)
        nb = (n.prefixlen + 7) // 8
        out += bytes([n.prefixlen]) + n.network_address.packed[:nb]
    return out


def mp_reach(nlri, nh="2001:db8:ffff::2", ll="fe80::2"):
    nhb = ipaddress.ip_address(nh).packed
    if ll:
        nhb += ipaddress.ip_address(ll).packed
    return attr(0x80, 14, struct.pack("!HBB", 2, 1, len(nhb)) + nhb +
                b"\0" + prefixes(*nlri))


def mp_unreach(wd, afi=2):
    return attr(0x80, 15, struct.pack("!HB", afi, 1) + prefixes(*wd))


def update(withdrawn=(), attrs=b"", nlri=()):
    w = prefixes(*withdrawn)
    return msg(UPDATE, struct.pack("!H", len(w)) + w +
               struct.pack("!H", len(attrs)) + attrs + prefixes(*nlri))


def notification(code, sub, data=b""):
    return msg(NOTIFICATION, bytes([code, sub]) + data)


def refresh(afi=1, safi=1):
    return msg(REFRESH, struct.pack("!HBB", afi, 0, safi))


def ipv4_update(nlri, path=(PEER_AS2,), as4=True, nh="192.0.2.2",
                extra=b""):
    return update(attrs=origin() + aspath(path, as4) + nexthop(nh) + extra,
                  nlri=nlri)


def ipv6_update(nlri, path=(PEER_AS2,), as4=True, ll="fe80::2"):
    return update(attrs=origin() + aspath(path, as4) +
                  mp_reach(nlri, ll=ll))


EOR4 = update()
EOR6 = update(attrs=mp_unreach([]))
FULL_OPEN = bgp_open(PEER_AS2, [cap_mp(1), cap_mp(2), cap(2),
                                cap_as4(PEER_AS2), cap_gr([1, 2])])


def bgp_seed(mode, opt, *msgs):
    return bytes([mode, opt]) + b"".join(msgs)


def bgp_seeds():
    est = ESTABLISHED
    all4 = O_AS4 | O_MP4 | O_MP6 | O_REFRESH
    return {
        # OpenSent: the peer's OPEN, KEEPALIVE, IPv4 and IPv6 routes,
        # End-of-RIB for both, against a second link's paths
        "open_update_v4_v6_eor": bgp_seed(
            OTHER_LINK, 0, FULL_OPEN, msg(KEEPALIVE),
            ipv4_update(["10.1.0.0/16", "10.2.0.0/24"], extra=med(10)),
            ipv6_update(["2001:db8:5::/48"]), EOR4, EOR6),
        # a 4-octet peer AS: AS_TRANS in the OPEN, the AS in the cap
        "open_as4_peer": bgp_seed(
            AS4_PEER | WIDE, 0,
            bgp_open(AS_TRANS, [cap_mp(1), cap_as4(PEER_AS4)]),
            msg(KEEPALIVE),
            ipv4_update(["198.51.100.0/24", "0.0.0.0/0"],
                        path=(PEER_AS4, 174))),
        "open_without_capabilities": bgp_seed(
            0, 0, bgp_open(PEER_AS2, []), msg(KEEPALIVE),
            ipv4_update(["10.3.0.0/16"], as4=False)),
        # 2-octet session: AS4_PATH, AGGREGATOR, AS4_AGGREGATOR,
        # COMMUNITIES, ATOMIC_AGGREGATE, LOCAL_PREF (ignored from eBGP),
        # an unknown optional transitive attribute
        "two_octet_every_attribute": bgp_seed(
            est, O_MP4, update(
                attrs=origin(2) + aspath([PEER_AS2, AS_TRANS], False) +
                nexthop() + med(5) + local_pref(300) + attr(0x40, 6, b"") +
                attr(0xc0, 7, struct.pack("!H4s", AS_TRANS, bytes(
                    [192, 0, 2, 9]))) +
                communities(0xfde80001, 0xffffff01) +
                as4path([PEER_AS2, 4200000002]) +
                attr(0xc0, 18, struct.pack("!I4s", 4200000002, bytes(
                    [192, 0, 2, 9]))) +
                attr(0xc0, 99, b"opaque"),
                nlri=["10.4.0.0/16", "10.4.1.0/24"])),
        "four_octet_as_set": bgp_seed(
            est | OTHER_LINK, all4,
            ipv4_update(["10.1.0.0/16"], path=(PEER_AS2,)),
            update(attrs=origin() + attr(0x40, 2, bytes([2, 1]) +
                   struct.pack("!I", PEER_AS2) + bytes([1, 2]) +
                   struct.pack("!II", 65001, 65002)) + nexthop(),
                   nlri=["10.2.0.0/24"])),
        "announce_then_withdraw": bgp_seed(
            est | OTHER_LINK, all4,
            ipv4_update(["10.1.0.0/16", "10.9.0.0/16"]),
            ipv6_update(["2001:db8:1::/48"]),
            update(withdrawn=["10.1.0.0/16"]),
            update(attrs=mp_unreach(["2001:db8:1::/48"]))),
        "extended_length_attribute": bgp_seed(
            est, all4, update(attrs=origin() + struct.pack(
                "!BBH", 0x50, 2, 6) + bytes([2, 1]) +
                struct.pack("!I", PEER_AS2) + nexthop(),
                nlri=["10.5.0.0/16"])),
        # RFC 7606: ORIGIN 3 and a missing NEXT_HOP are treat-as-withdraw
        "bad_origin_treat_as_withdraw": bgp_seed(
            est, all4, ipv4_update(["10.6.0.0/16"]),
            update(attrs=origin(3) + aspath([PEER_AS2]) + nexthop(),
                   nlri=["10.6.0.0/16"])),
        "missing_nexthop": bgp_seed(
            est, all4, update(attrs=origin() + aspath([PEER_AS2]),
                              nlri=["10.6.0.0/16"])),
        "path_not_from_peer_as": bgp_seed(
            est, all4, ipv4_update(["10.7.0.0/16"], path=(65099,))),
        "policy_rejections": bgp_seed(
            est, all4,
            ipv4_update(["10.8.0.0/16"], path=(PEER_AS2, OUR_AS)),
            ipv4_update(["10.8.1.0/24"], nh="198.51.100.1"),
            ipv4_update(["172.16.0.0/12", "10.8.2.0/25"])),
        "max_prefix_exceeded": bgp_seed(
            est | MAX_PREFIX, all4,
            ipv4_update(["10.%d.0.0/16" % i for i in range(10, 15)])),
        "drained_link": bgp_seed(
            est | DRAINED | OTHER_LINK, all4,
            ipv4_update(["10.1.0.0/16", "10.2.0.0/24"])),
        "graceful_restart_then_down": bgp_seed(
            est | GR, all4 | O_GR, ipv4_update(["10.1.0.0/16"]),
            ipv6_update(["2001:db8:2::/48"], ll=None), EOR4,
            notification(6, 4)),
        "shutdown_communication": bgp_seed(
            est, all4, ipv4_update(["10.1.0.0/16"]),
            notification(6, 2, b"\x0bmaintenance")),
        "hard_reset": bgp_seed(
            est | GR, all4 | O_GR, ipv4_update(["10.1.0.0/16"]),
            notification(6, 9, bytes([6, 2, 3]) + b"bye")),
        "route_refresh": bgp_seed(
            est, all4, refresh(1), refresh(2), refresh(3), msg(KEEPALIVE)),
        "malformed_attribute_list": bgp_seed(
            est, all4, update(attrs=origin() + b"\x40\x02\x09\x02",
                              nlri=["10.1.0.0/16"])),
        "bad_marker": bgp_seed(
            est, all4, b"\xfe" + msg(KEEPALIVE)[1:]),
        "bad_length_and_type": bgp_seed(
            est, all4, b"\xff" * 16 + struct.pack("!HB", 18, 4),
            msg(9)),
        "update_in_opensent": bgp_seed(0, 0, ipv4_update(["10.1.0.0/16"])),
        "open_bad_version": bgp_seed(
            0, 0, bgp_open(PEER_AS2, [cap_mp(1)], version=3)),
        "open_hold_time_1": bgp_seed(
            0, 0, bgp_open(PEER_AS2, [cap_mp(1)], hold=1)),
        "open_wrong_as": bgp_seed(0, 0, bgp_open(65111, [cap_mp(1)])),
        "open_unknown_parameter": bgp_seed(
            0, 0, bgp_open(PEER_AS2, params=b"\x03\x02ab")),
        "prefix_lengths": bgp_seed(
            est | WIDE, all4,
            ipv4_update(["0.0.0.0/0", "10.0.0.1/32", "10.0.0.128/25",
                         "10.10.0.0/15"]),
            ipv6_update(["::/0", "2001:db8::1/128", "2001:db8:8000::/33"])),
        "nlri_and_mp_reach_together": bgp_seed(
            est, all4, update(attrs=origin() + aspath([PEER_AS2]) +
                              nexthop() + mp_reach(["2001:db8:3::/48"]),
                              nlri=["10.3.0.0/16"])),
        "partial_message_at_end": bgp_seed(
            est, all4, ipv4_update(["10.1.0.0/16"]),
            ipv4_update(["10.2.0.0/16"])[:30]),
        "notification_too_short": bgp_seed(
            est, all4, msg(NOTIFICATION, b"\x06")),
    }


# ---- fuzz_chan ----------------------------------------------------------

# fuzz_chan.c: each record is 1 byte of type, 1 byte of generation (0:
# the sync's, else added to the input's base), then the 136 bytes of the
# record's union as little-endian fields (chan_rec in common/channel.h)
SYNC_BEGIN, SYNC_END, NH_SET, NH_DEL, GRP_SET, GRP_DEL, RT_ADD, RT_DEL = \
    range(1, 9)


def rec(rtype, generation, body):
    return struct.pack("<BB", rtype, generation) + body.ljust(136, b"\0")


def nh(nid, port, gw, mac=b"\x02\x50\0\0\0\x0a", resolved=True):
    a = ipaddress.ip_address(gw)
    fam = 2 if a.version == 4 else 10
    return struct.pack("<IHBB16s6s2x", nid, port, fam,
                       1 if resolved else 0, a.packed.ljust(16, b"\0"), mac)


def grp(gid, primary, backup=()):
    p = list(primary) + [0] * (16 - len(primary))
    b = list(backup) + [0] * (16 - len(backup))
    return struct.pack("<IBB2x16I16I", gid, len(primary), len(backup),
                       *(p + b))


def route(prefix, gid):
    n = ipaddress.ip_network(prefix, strict=False)
    fam = 2 if n.version == 4 else 10
    return struct.pack("<BB2xI16s", fam, n.prefixlen, gid,
                       n.network_address.packed.ljust(16, b"\0"))


def chan_seeds():
    full = [rec(SYNC_BEGIN, 1, b""),
            rec(NH_SET, 0, nh(1, 0, "203.0.113.2")),
            rec(NH_SET, 0, nh(2, 1, "198.51.100.2")),
            rec(NH_SET, 0, nh(3, 0, "2001:db8:ffff::2")),
            rec(GRP_SET, 0, grp(1, [1, 2])),
            rec(GRP_SET, 0, grp(2, [1], [2])),
            rec(GRP_SET, 0, grp(3, [3])),
            rec(RT_ADD, 0, route("198.51.100.0/24", 1)),
            rec(RT_ADD, 0, route("0.0.0.0/0", 2)),
            rec(RT_ADD, 0, route("10.0.0.1/32", 2)),
            rec(RT_ADD, 0, route("2001:db8:100::/48", 3)),
            rec(SYNC_END, 1, b"")]
    return {
        "full_sync": b"".join(full),
        "resync_sweeps_old": b"".join(full) + b"".join([
            rec(SYNC_BEGIN, 2, b""),
            rec(NH_SET, 0, nh(1, 0, "203.0.113.2")),
            rec(GRP_SET, 0, grp(1, [1])),
            rec(RT_ADD, 0, route("198.51.100.0/24", 1)),
            rec(SYNC_END, 2, b"")]),
        "incremental_changes": b"".join(full) + b"".join([
            rec(RT_DEL, 0, route("10.0.0.1/32", 0)),
            rec(RT_ADD, 0, route("192.0.2.0/24", 1)),
            rec(GRP_DEL, 0, struct.pack("<I", 3)),
            rec(NH_DEL, 0, struct.pack("<I", 3)),
            rec(NH_SET, 0, nh(2, 1, "198.51.100.2", resolved=False))]),
        "invalid_records": b"".join([
            rec(0, 0, b""), rec(9, 0, b""),
            rec(NH_SET, 0, nh(0, 0, "203.0.113.2")),
            rec(NH_SET, 0, nh(1, 9, "203.0.113.2")),
            rec(GRP_SET, 0, grp(1, [])),
            rec(GRP_SET, 0, grp(1, [1] * 16, [2] * 16)),
            rec(RT_ADD, 0, struct.pack("<BB2xI16s", 2, 33, 1, b"")),
            rec(RT_ADD, 0, struct.pack("<BB2xI16s", 7, 8, 1, b""))]),
        "route_to_missing_group": b"".join(
            [rec(RT_ADD, 0, route("10.0.0.0/8", 77)),
             rec(GRP_SET, 0, grp(5, [42])),
             rec(NH_DEL, 0, struct.pack("<I", 9))]),
    }


# ---- fuzz_cli -----------------------------------------------------------

def cli_seeds():
    reqs = ["show status", "show nexthops", "show routes", "show bfd",
            "json show status", "json show routes", "json show bfd",
            "show bgp summary", "json show bgp summary",
            "show bgp neighbors", "show bgp neighbors 192.0.2.2",
            "json show bgp neighbors 192.0.2.2", "show bgp routes",
            "show bgp routes 10.1.0.0/16", "show bgp routes 10.1.2.3",
            "json show bgp routes", "clear bgp 192.0.2.2",
            "clear bgp 192.0.2.2 soft", "clear bgp 2001:db8::9",
            "show links", "json show links", "link link1 drain",
            "link link1 undrain", "link nosuch drain",
            "bgp 192.0.2.2 shutdown", "bgp 192.0.2.2 shutdown maintenance "
            "window 42", "bgp 192.0.2.2 enable", "show", "",
            "show bgp", "frobnicate now", "json", "reload",
            "link link1 drain\njson show links\nshow bgp summary\n"
            "link link1 undrain\nbgp 192.0.2.2 shutdown \"quoted\"\t\n"
            "json show links\nbgp 192.0.2.2 enable",
            "bgp 192.0.2.2 shutdown " + "\u00e9" * 200]
    return {"req_%02d" % i: r.encode() for i, r in enumerate(reqs)}


def config_seeds():
    out = {}
    for f in sorted(glob.glob(os.path.join(ROOT, "config", "*.conf")) +
                    glob.glob(os.path.join(ROOT, "tests", "unit", "configs",
                                           "*.conf"))):
        with open(f, "rb") as fh:
            data = fh.read()
        if b"@include" in data or b"\0" in data:
            continue
        out[os.path.basename(os.path.dirname(f)) + "_" +
            os.path.basename(f)] = data
    return out


def write(name, inputs):
    out = os.path.join(HERE, "corpus", name)
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for n, data in sorted(inputs.items()):
        with open(os.path.join(out, n), "wb") as f:
            f.write(data)
    os.makedirs(os.path.join(HERE, "regressions", name), exist_ok=True)
    print("%s: %d seeds" % (name, len(inputs)))


def main():
    write("fuzz_bgp", bgp_seeds())
    write("fuzz_config", config_seeds())
    write("fuzz_chan", chan_seeds())
    write("fuzz_cli", cli_seeds())


if __name__ == "__main__":
    main()
