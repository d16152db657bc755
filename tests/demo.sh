#!/usr/bin/env bash
# `make demo`, in two labs:
#  1. active/active with BGP and BFD (config/lab-bfd.conf): twinpathd learns
#     the provider side from both upstreams' BIRD over eBGP, BFD runs at
#     50 ms x 3; a bounded UDP stream from the LAN host to the server over
#     many flows and what each link carried; then silent loss on link1
#     taken out of forwarding in milliseconds (measured), link1's BGP session
#     torn down by BFD (RFC 5882), and both back after the restore.
#  2. active/standby (config/lab-bgp-active-standby.conf): local-pref
#     200/100, the primary + backup group in the data plane, all traffic on
#     link1, and BIRD seeing our prefix prepended twice with MED 100 on link2.
#  3. dual-stack: each link's one BGP session runs over IPv6 and carries
#     IPv4 and IPv6 (BIRD on both upstreams), BFD over IPv6 at 50 ms x 3;
#     an IPv4 and an IPv6 stream, then silent loss on link1 taking both
#     families off it in the detection time.
# Tears everything down on the way out.
# Usage: bash tests/demo.sh BUILD
set -u
BUILD=${1:-${BUILD:-build}}
LAB_BFD="50 50 3"        # BIRD's side of config/lab-bfd.conf's bfd { }
export LAB_BGP_TIMERS="9 3" # and of its bgp { hold_time = 9; }
source "$(dirname "$0")/lab.sh"
j() { lab_json "$@"; }
HOLD=9
source "$(dirname "$0")/integration/bgpctl.sh"

CONF=$LAB_SRC/config/lab-bfd.conf
SERVER=198.51.100.10
FLOWS=64
COUNT=5000
RATE=2000

fail() {
	echo "demo: FAILED: $*" >&2
	exit 1
}

# demo_stream: $COUNT packets from the LAN host to the server, with the
# ports' counters before and after (before.json, after.json, demo*.json).
demo_stream() {
	lab_stats /twinpath/ports >"$LAB_DIR/before.json" || fail "telemetry"
	lab_sink srv demo --bind $SERVER --port 9000 --expect $COUNT --flows $FLOWS \
		--timeout 60 --idle 5 || fail "udp_sink"
	lab_stream demo_tx --dst $SERVER --port 9000 --flows $FLOWS --count $COUNT \
		--rate $RATE --ttl 64
	lab_sink_wait demo_tx >/dev/null
	lab_sink_wait demo >/dev/null
	lab_stats /twinpath/ports >"$LAB_DIR/after.json" || fail "telemetry"
}

lab_up || fail "lab did not come up"
lab_start_dp "$CONF" || fail "twinpath-dp did not start"
lab_start_cp "$CONF" || fail "twinpathd did not start"
lab_wait_sync 1 >/dev/null || fail "twinpathd never synced the FIB"

# bfd_field LINK [FIELD]: a field (default state) of show bfd --json.
bfd_field() {
	lab_ctl --json show bfd | lab_json - "[l for l in j['links'] if l['name'] == '$1'][0]['${2:-state}']"
}
# wait_state LINK STATE SECONDS
wait_state() {
	local i
	for i in $(seq $(($3 * 20))); do
		[ "$(bfd_field "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# A link with BFD carries traffic once its session is Up (about a second:
# BIRD sends at 1 s until then, RFC 5880 §6.8.3).
wait_state link1 Up 5 && wait_state link2 Up 5 || fail "BFD sessions not Up"
wait_bgp up 30 'N["link1"]["state"] == "Established" and N["link2"]["state"] == "Established"' ||
	fail "BGP sessions not Established"
wait_fib learned 20 198.51.100.0/24 "link1,link2||bgp" ||
	fail "198.51.100.0/24 not learned over BGP on both links"

echo
echo "== 1. active/active, BGP + BFD: twinpathctl show bgp summary"
lab_ctl show bgp summary || fail "show bgp summary"
echo
echo "== twinpathctl show bgp routes (learned from BIRD, AS 35540)"
lab_ctl show bgp routes || fail "show bgp routes"
echo
echo "== twinpathctl show routes (the FIB pushed to twinpath-dp)"
lab_ctl show routes || fail "show routes"

echo
echo "== twinpathctl show status (in the gateway)"
gw_exec "$BUILD/control/twinpathctl" --socket /run/twinpath/lab.sock show status ||
	fail "twinpathctl show status"

echo
echo "== $COUNT UDP packets over $FLOWS flows: LAN host 198.18.1.10 -> server $SERVER"
demo_stream

python3 - "$LAB_DIR" <<'PY' || fail "traffic did not cross both links end to end"
import json, sys
d = sys.argv[1]
load = lambda n: json.load(open(f"{d}/{n}.json"))
a, b = load("before")["/twinpath/ports"], load("after")["/twinpath/ports"]
tx, rx = load("demo_tx"), load("demo")
links = sorted(k for k in b if k != "lan")
print()
print(f"{'link':<8}{'interface':<11}{'packets':>9}{'share':>8}")
delta = {k: b[k]["tx_packets"] - a[k]["tx_packets"] for k in links}
for k in links:
    share = 100.0 * delta[k] / max(1, sum(delta.values()))
    print(f"{k:<8}{b[k]['interface']:<11}{delta[k]:>9}{share:>7.1f}%")
print()
print(f"sent {tx['sent']}, received {rx['unique']}, lost {rx['lost']}, "
      f"duplicates {rx['duplicates']}, TTL at server {sorted(rx['ttl'])}")
ok = (all(delta[k] > 0 for k in links) and rx["lost"] == 0
      and rx["unique"] == tx["sent"] == tx["requested"])
sys.exit(0 if ok else 1)
PY
echo
echo "demo: traffic crossed both links, nothing lost"

echo
echo "== BFD with the upstreams' BIRD: twinpathctl show bfd"
lab_ctl show bfd || fail "twinpathctl show bfd"
echo
echo "== and BIRD's view on upstream 1"
lab_birdc up1 show bfd sessions

FCOUNT=20000 # 10 s: link1 is back, BGP included, well before the end
echo
echo "== silent loss on link1 (carrier stays up) under a 2000 pps stream over $FLOWS flows"
lab_sink srv fail --bind $SERVER --port 9001 --expect $FCOUNT --flows $FLOWS \
	--timeout 60 --idle 5 --trace "$LAB_DIR/fail.trace" || fail "udp_sink"
lab_stream fail_tx --dst $SERVER --port 9001 --flows $FLOWS --count $FCOUNT \
	--rate 2000 --ttl 64
sleep 2
EV=$(lab_now_ns)
lab_silent_loss on 1 || fail "silent loss"
wait_state link1 Down 3 || fail "link1 did not go Down"
sleep 0.3
lab_ctl --json show bfd >"$LAB_DIR/down.json"
lab_ctl show bfd | sed -n '/interface link1/,/Last failure/p' | grep -E "peer|Status|Diagnostics|forwarding|Detection time|BGP teardowns|Last failure"
wait_bgp bgpdown 3 'N["link1"]["state"] != "Established"' ||
	fail "BFD Down did not take link1's BGP session down"
echo
echo "== RFC 5882: link1's BGP session went down with BFD, its routes with it"
lab_ctl show bgp summary
wait_fib fibdown 3 198.51.100.0/24 "link2||bgp" || fail "link1's routes stayed in the FIB"
lab_ctl show routes | grep -E "PREFIX|198.51.100"
sleep 1
RS=$(lab_now_ns)
echo
echo "== loss removed: link1 comes back"
lab_silent_loss off 1 || fail "restore"
wait_state link1 Up 6 || fail "link1 did not come back Up"
wait_bgp bgpup 20 'N["link1"]["state"] == "Established"' ||
	fail "link1's BGP session did not come back"
wait_fib fibup 10 198.51.100.0/24 "link1,link2||bgp" ||
	fail "198.51.100.0/24 not over both links again"
echo "BFD Up, BGP Established again, 198.51.100.0/24 over both links again"
lab_sink_wait fail_tx >/dev/null
lab_sink_wait fail >/dev/null
python3 "$LAB_TOOLS/outage.py" --trace "$LAB_DIR/fail.trace" --iface up1 \
	--flows $FLOWS --count "$(lab_json "$LAB_DIR/fail_tx.json" 'j["sent"]')" \
	--event-ns "$EV" --restore-ns "$RS" >"$LAB_DIR/outage.json" || fail "outage.py"
python3 - "$LAB_DIR" <<'PY' || fail "link1's failure was not contained"
import json, sys
d = sys.argv[1]
bfd = {l["name"]: l for l in json.load(open(f"{d}/down.json"))["links"]}
o = json.load(open(f"{d}/outage.json"))
l1 = bfd["link1"]
det = (l1["last_change_ns"] - l1["last_rx_ns"]) / 1e6
print()
print(f"link1 Down {det:.1f} ms after its last valid BFD packet "
      f"(detection time {l1['detect_time_us'] / 1000:.0f} ms), "
      f"diagnostic: {l1['diag']}")
print(f"link1's {o['affected_flows']} of {o['flows']} flows saw an outage of "
      f"{o['outage_ms']:.1f} ms, then went on over link2; "
      f"{o['lost']} of {o['count']} packets lost, all of them in that window"
      if o["lost_outside_outage"] == 0 and o["lost_unaffected"] == 0 else
      f"lost {o['lost']} packets, {o['lost_outside_outage']} outside the outage")
print(f"after the restore link1 carried {o['via_iface_after_restore']} packets again")
sys.exit(0 if o["lost_outside_outage"] == 0 and o["lost_unaffected"] == 0
         and o["outage_ms"] <= l1["detect_time_us"] / 1000 + 10 else 1)
PY
echo
echo "demo: BFD took link1 out of forwarding in milliseconds and back in after the restore"

# 2. active/standby in a lab of its own: BIRD without BFD, with GTSM on
# up1 and TCP MD5 on up2 as config/lab-bgp-active-standby.conf asks.
lab_down
LAB_BFD=
export LAB_BGP_SECURE=1 LAB_BGP_TIMERS="9 3"
LAB_PREFIX=twpdemo$$-as
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
CONF=$LAB_DIR/gw-as.conf
echo
echo "== 2. active/standby: link1 local-pref 200; link2 100, prepend 2, MED 100"
lab_up || fail "lab did not come up"
gw_conf "$LAB_SRC/config/lab-bgp-active-standby.conf" "$CONF"
lab_start_dp "$CONF" || fail "twinpath-dp did not start"
lab_start_cp "$CONF" || fail "twinpathd did not start"
wait_bgp up 30 'N["link1"]["state"] == "Established" and N["link2"]["state"] == "Established"' ||
	fail "BGP sessions not Established"
wait_fib learned 20 198.51.100.0/24 "link1|link2|bgp" ||
	fail "198.51.100.0/24 is $(fib_route learned 198.51.100.0/24), want link1 primary, link2 backup"
lab_ctl show bgp summary
echo
lab_ctl show bgp routes 198.51.100.0/24
echo
echo "== the FIB: primary -> backup (BGP PIC edge: one group for every prefix of this path set)"
lab_ctl show routes
echo
echo "== what upstream 2's BIRD learned from us (its return path avoids link2)"
lab_birdc up2 show route 198.18.0.0/16 all protocol gw_peer | grep -E "198.18|as_path|med"
echo
echo "== $COUNT UDP packets over $FLOWS flows: all on the primary link"
demo_stream
python3 - "$LAB_DIR" <<'PY' || fail "active/standby did not keep the traffic on link1"
import json, sys
d = sys.argv[1]
load = lambda n: json.load(open(f"{d}/{n}.json"))
a, b = load("before")["/twinpath/ports"], load("after")["/twinpath/ports"]
rx = load("demo")
delta = {k: b[k]["tx_packets"] - a[k]["tx_packets"] for k in ("link1", "link2")}
print(f"link1 carried {delta['link1']}, link2 {delta['link2']}; "
      f"received {rx['unique']}, lost {rx['lost']}")
sys.exit(0 if delta["link2"] == 0 and rx["lost"] == 0 else 1)
PY
echo
echo "demo: active/standby keeps the traffic on link1, link2 is the precomputed backup"

# 3. dual-stack in a lab of its own (tests/lab.sh LAB_BGP_V6_SESSION=1):
# peer_address IPv6 on both links, IPv4 and IPv6 unicast over that one
# session, BFD over IPv6; the LAN host and the server have IPv6 too.
lab_down
unset LAB_BGP_SECURE
LAB_BFD="50 50 3"
export LAB_BGP_V6_SESSION=1 LAB_BGP_TIMERS="9 3"
LAB_PREFIX=twpdemo$$-v6
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
CONF=$LAB_DIR/gw-v6.conf
SERVER6=2001:db8:100::10
echo
echo "== 3. dual-stack: one BGP session per link over IPv6 carries IPv4 and IPv6; BFD over IPv6"
lab_up || fail "lab did not come up"
gw_conf_v6_session "$CONF" || fail "could not derive $CONF"
grep -E "peer_address|local_address6|address6" "$CONF" | sed 's/^ */  /'
lab_start_dp "$CONF" || fail "twinpath-dp did not start"
lab_start_cp "$CONF" || fail "twinpathd did not start"
wait_state link1 Up 5 && wait_state link2 Up 5 || fail "BFD sessions over IPv6 not Up"
wait_bgp up 30 'N["link1"]["state"] == "Established" and N["link2"]["state"] == "Established"' ||
	fail "BGP sessions over IPv6 not Established"
# the provider's IPv4 and IPv6 prefixes over both links
deadline=$((SECONDS + 15))
until fib v6 && [ "$(fib_route_by_link v6 198.51.100.0/24)" = "203.0.113.2@link1,203.0.113.6@link2||bgp" ] &&
	[ "$(fib_route_by_link v6 2001:db8:100::/48 | cut -d'|' -f1 | tr ',' '\n' | grep -c '@link')" -eq 2 ]; do
	[ $SECONDS -ge $deadline ] && fail "the provider's prefixes not over both links: $(fib_route_by_link v6 198.51.100.0/24), $(fib_route_by_link v6 2001:db8:100::/48)"
	sleep 0.25
done
lab_ctl show bgp summary
echo
lab_ctl show routes | grep -E "PREFIX|198.51.100|2001:db8:100"
echo
lab_ctl show bfd | grep -E "^\s+peer "
echo
# both families at once, 2000 pps each over 32 flows (a packet of link1's
# flows every ms or so: the outage measured to the ms), link1 silent
# after 2.5 s, back 2 s later
echo "== an IPv4 and an IPv6 stream, LAN host -> server; silent loss on link1"
rate=2000 secs=10 count=20000
for f in 4 6; do
	dst=$SERVER
	[ $f = 6 ] && dst=$SERVER6
	lab_sink srv v6loss$f --bind $dst --port $((9310 + f)) --expect $count \
		--flows 32 --timeout $((secs + 30)) --idle 3 \
		--trace "$LAB_DIR/v6loss$f.trace" || fail "udp_sink"
	lab_stream v6loss$f.tx --dst $dst --port $((9310 + f)) --flows 32 \
		--count $count --rate $rate --ttl 64
done
sleep 2.5
EV=$(lab_now_ns)
lab_silent_loss on 1 || fail "silent loss"
wait_state link1 Down 3 || fail "link1 did not go Down"
wait_bgp v6down 3 'N["link1"]["state"] != "Established"' ||
	fail "BFD Down did not take link1's session over IPv6 down"
lab_ctl --json show bfd >"$LAB_DIR/v6down.json"
sleep 2
RS=$(lab_now_ns)
lab_silent_loss off 1 || fail "restore"
for f in 4 6; do
	lab_sink_wait v6loss$f.tx >/dev/null
	lab_sink_wait v6loss$f >/dev/null
	python3 "$LAB_TOOLS/outage.py" --trace "$LAB_DIR/v6loss$f.trace" \
		--iface up1 --flows 32 \
		--count "$(lab_json "$LAB_DIR/v6loss$f.tx.json" 'j["sent"]')" \
		--event-ns "$EV" --restore-ns "$RS" >"$LAB_DIR/v6outage$f.json" ||
		fail "outage.py"
done
python3 - "$LAB_DIR" <<'PY' || fail "link1's failure was not contained in both families"
import json, sys
d = sys.argv[1]
l1 = {l["name"]: l for l in json.load(open(f"{d}/v6down.json"))["links"]}["link1"]
det = (l1["last_change_ns"] - l1["last_rx_ns"]) / 1e6
limit = l1["detect_time_us"] / 1000 + 10
print(f"link1's BFD over IPv6 (from {l1['local_address']} to {l1['peer_address']}) "
      f"Down {det:.1f} ms after its last valid packet (detection time "
      f"{l1['detect_time_us'] / 1000:.0f} ms); its one session went down "
      f"with both families")
ok = True
for f in (4, 6):
    o = json.load(open(f"{d}/v6outage{f}.json"))
    print(f"IPv{f}: link1's {o['affected_flows']} of {o['flows']} flows out "
          f"for {o['outage_ms']:.1f} ms, then over link2; {o['lost']} of "
          f"{o['count']} packets lost, {o['lost_unaffected']} of them on "
          f"link2's flows")
    ok = ok and o["lost_outside_outage"] == 0 and o["lost_unaffected"] == 0 \
        and o["outage_ms"] <= limit
sys.exit(0 if ok else 1)
PY
echo
echo "demo: dual-stack over one IPv6 session per link, both families off link1 within BFD's detection time"
