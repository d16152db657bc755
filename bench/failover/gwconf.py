#!/usr/bin/env python3
"""twinpath's lab config for the benches (bench/failover/run.sh,
bench/convergence/run.sh): config/lab-bgp-MODE.conf with BFD on both
links at the given timers, the lab's short BGP timers, and without GTSM
and TCP MD5 (the Linux gateway runs the same policy without them).
LINKS 4: links 3 and 4 as link2. SCALE > 0: the full table of
tests/tools/bird_bulk.py (16.0.0.0/4's /24s) accepted on every link.

  gwconf.py SRC OUT BFD_MS MULT HOLD LINKS SCALE"""
import re, sys
src, out, ms, mult, hold, links, scale = sys.argv[1:8]
steer = sys.argv[8] if len(sys.argv) > 8 else None
s = open(src).read()
s = re.sub(r"\n[^\n]*(ttl_security|password) = [^\n]*", "", s)
if links == "4":
    # links 3 and 4: link2's entry with the lab's addresses (tests/lab.sh,
    # LAB_LINKS=4), local_pref as link2's (active/active: all equal)
    m = re.search(r"\n  \{\n    name = \"link2\";.*?\n  \}", s, re.S)
    more = ""
    for n in (3, 4):
        a = 4 * n - 4
        more += "," + m.group(0).replace('"link2"', '"link%d"' % n) \
            .replace("203.0.113.5/30", "203.0.113.%d/30" % (a + 1)) \
            .replace('"203.0.113.6"', '"203.0.113.%d"' % (a + 2))
    s = s[:m.end()] + more + s[m.end():]
if scale != "0":
    # the full table on both links (16.0.0.0/4's /24s, tests/tools/
    # bird_bulk.py), max_prefix above it, an IPv4 FIB sized for it
    n = int(scale)
    s = s.replace("import = [", 'import = ["16.0.0.0/4 ge 24 le 24", ')
    s = re.sub(r"(max_prefix = )\d+", r"\g<1>%d" % (n + 1000), s)
    s = re.sub(r"(eal_args = [^\n]*)", r"\1\n  ipv4_routes_max = %d;" % (n + 65536), s)
s = re.sub(r"(hold_time = )\d+", r"\g<1>" + hold, s)
s = re.sub(r"(connect_retry = )\d+", r"\g<1>1", s)
s = re.sub(r"(\n(\s*)remote_as = [^\n]*)",
           lambda m: m.group(1) + "\n%sbfd = { min_tx_ms = %s; min_rx_ms = %s; multiplier = %s; };"
           % (m.group(2), ms, ms, mult)
           + ("\n%ssuspect = { steer_return = \"%s\"; };" % (m.group(2), steer) if steer else ""), s)
open(out, "w").write(s)
