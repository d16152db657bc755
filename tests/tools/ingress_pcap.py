#!/usr/bin/env python3
"""Read the captures of test_ingress.sh (classic pcap files, as tcpdump -w
writes them) and say what of hostile.py's frames each holds: per file, the
frames, those of udp_stream.py's streams (magic "TWPS": proof the capture
ran while the gateway forwarded), the hostile frames by KIND/VARIANT
(marker "TWPHOSTILE:" anywhere in the frame, or the BFD discriminators
hostile.py uses) split into frames carrying it as their own payload and
ICMP/ICMPv6 errors quoting one (with the error's source address), and for kind "padded" each frame's IPv4
total length and wire length. Prints JSON keyed by file name."""
import argparse
import json
import socket
import struct
import sys

MARK = b"TWPHOSTILE:"
BFD_MY_DISC = struct.pack("!I", 0x54575042)  # hostile.py's, "TWPB"
STREAM_MAGIC = b"TWPS"


def frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        if len(head) < 24:
            return
        magic = struct.unpack("<I", head[:4])[0]
        if magic in (0xa1b2c3d4, 0xa1b23c4d):
            endian = "<"
        elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
            endian = ">"
        else:
            sys.exit("%s: not a classic pcap file" % path)
        rec = struct.Struct(endian + "IIII")
        while True:
            h = f.read(16)
            if len(h) < 16:
                return
            _, _, incl, orig = rec.unpack(h)
            data = f.read(incl)
            if len(data) < incl:
                return  # cut short by the capture's end
            yield data, orig


def is_icmp(fr):
    """The frame is an ICMP or ICMPv6 message (an error quoting what it
    carries, not the hostile packet itself)."""
    if len(fr) < 34:
        return False
    et = fr[12:14]
    if et == b"\x08\x00":
        return fr[23] == 1
    if et == b"\x86\xdd" and len(fr) >= 54:
        return fr[20] == 58
    return False


def src_of(fr):
    """The frame's IPv4 or IPv6 source address, as text."""
    if fr[12:14] == b"\x08\x00":
        return socket.inet_ntop(socket.AF_INET, fr[26:30])
    return socket.inet_ntop(socket.AF_INET6, fr[22:38])


def tag_of(fr):
    i = fr.find(MARK)
    if i >= 0:
        end = fr.find(b"\0", i)
        return fr[i + len(MARK):end if end > 0 else len(fr)].decode(
            "ascii", "replace")
    i = fr.find(BFD_MY_DISC)
    # hostile.py's BFD packet: UDP to 3784, My Discriminator "TWPB"
    if i >= 4 and fr[i - 4] >> 5 == 1:
        return "bfd/down"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pcaps", nargs="+")
    args = ap.parse_args()
    out = {}
    for p in args.pcaps:
        r = {"frames": 0, "stream": 0, "marked": {}, "icmp_marked": {},
             "padded": []}
        for fr, orig in frames(p):
            r["frames"] += 1
            if len(fr) >= 46 and fr[12:14] == b"\x08\x00" and \
                    fr[23] == 17 and fr[42:46] == STREAM_MAGIC:
                r["stream"] += 1
                continue
            tag = tag_of(fr)
            if tag is None:
                continue
            where = "icmp_marked" if is_icmp(fr) else "marked"
            if where == "icmp_marked":
                tag += " from " + src_of(fr)
            r[where][tag] = r[where].get(tag, 0) + 1
            if where == "marked" and tag.startswith("padded/"):
                r["padded"].append([struct.unpack("!H", fr[16:18])[0],
                                    orig])
        out[p.rsplit("/", 1)[-1]] = r
    print(json.dumps(out, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
