#!/usr/bin/env python3
"""twinpath's lab config for the benches (bench/failover/run.sh,
bench/convergence/run.sh): config/lab-bgp-MODE.conf with BFD on both
links at the given timers, the lab's short BGP timers, and without GTSM
and TCP MD5 (the Linux gateway runs the same policy without them).
LINKS 4: links 3 and 4 as link2. SCALE > 0: the full table of
tests/tools/bird_bulk.py (16.0.0.0/4's /24s) accepted on every link.
STEER: links.suspect's steer_return on every link. --v6: dual stack over
the IPv4 sessions (tests/lab.sh LAB_BGP_V6=1 LAB_V6_HOSTS=1): link1 and
link2 get local_address6 2001:db8:N::1/64, the LAN 2001:db8:ff::1/64,
the provider's 2001:db8:100::/48 is accepted and the site's
2001:db8:ff::/48 announced.

  gwconf.py [--v6] SRC OUT BFD_MS MULT HOLD LINKS SCALE [STEER]"""
import re, sys
argv = [a for a in sys.argv[1:] if a != "--v6"]
v6 = len(argv) < len(sys.argv) - 1
src, out, ms, mult, hold, links, scale = argv[0:7]
steer = argv[7] if len(argv) > 7 else None
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
if v6:
    n = s.count('import = ["198.51.100.0/24 le 32"')
    s = s.replace('import = ["198.51.100.0/24 le 32"',
                  'import = ["198.51.100.0/24 le 32", "2001:db8:100::/48 le 64"')
    s = s.replace('announce = ["198.18.0.0/16"]', 'announce = ["198.18.0.0/16", "2001:db8:ff::/48"]')
    s = re.sub(r'(\n(\s*)address = "198\.18\.1\.1/24";[^\n]*)',
               r'\1\n\2address6 = "2001:db8:ff::1/64";', s)
    for k, a in ((1, "203.0.113.1/30"), (2, "203.0.113.5/30")):
        s = re.sub(r'(\n(\s*)local_address = "%s";[^\n]*)' % re.escape(a),
                   r'\1\n\2local_address6 = "2001:db8:%d::1/64";' % k, s)
    if n < 2 or s.count("local_address6") != 2 or "address6 = \"2001:db8:ff::1/64\"" not in s \
            or "2001:db8:ff::/48" not in s:
        sys.exit("gwconf.py: --v6: %s is not shaped as expected" % src)
s = re.sub(r"(hold_time = )\d+", r"\g<1>" + hold, s)
s = re.sub(r"(connect_retry = )\d+", r"\g<1>1", s)
s = re.sub(r"(\n(\s*)remote_as = [^\n]*)",
           lambda m: m.group(1) + "\n%sbfd = { min_tx_ms = %s; min_rx_ms = %s; multiplier = %s; };"
           % (m.group(2), ms, ms, mult)
           + ("\n%ssuspect = { steer_return = \"%s\"; };" % (m.group(2), steer) if steer else ""), s)
open(out, "w").write(s)
