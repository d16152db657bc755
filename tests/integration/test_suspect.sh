#!/usr/bin/env bash
# Link suspicion (issue 18) against BIRD 2 at the providers' timers, BFD
# 300 ms x 3 (900 ms detection), active/active, links.suspect {
# steer_return = "more-specific"; } on both links. Two-way traffic: two
# streams LAN -> srv at 1000 pps each over 128 flows (8 of each sampled),
# to two server addresses, every packet answered (udp_sink.py --echo; srv hashes its
# answers over both upstreams by ports). Quiet first: no suspicion
# without traffic. Then silent loss of link1 (carrier up): the data
# plane suspects link1 from its own traffic within a third of the
# detection time and before BFD's Down, with two kinds of evidence; its
# flows move to link2 within that time (the receiver's trace); up2's
# BIRD gets both halves of our /16 from link2 while link1 is steered
# away from; BFD confirms; restored, link1 is clear, Up and used again,
# the halves are withdrawn, and nothing else was ever suspected.
# Usage: BUILD=<build root> bash tests/integration/test_suspect.sh
set -u
BUILD=${BUILD:-build}
LAB_NO_TRAP=1 # tally.sh's trap tears down and prints the tally
source "$(dirname "$0")/../lab.sh"

TX=300
MULT=3
DETECT_MS=$((TX * MULT))
LIMIT_MS=$((DETECT_MS / 3))
SRV1=198.51.100.10
SRV2=198.51.100.11
FLOWS=128
RATE=1000
HOLD=9
export LAB_BGP_TIMERS="$HOLD 3"
export LAB_BFD="$TX $TX $MULT"
source "$(dirname "$0")/tally.sh"
source "$(dirname "$0")/bgpctl.sh"
source "$(dirname "$0")/bfdcheck.sh"
trap tally_finish EXIT INT TERM

# sus NAME: the data plane's /twinpath/bfd (its suspect_* keys) into
# $LAB_DIR/NAME.sus.json with the CLOCK_MONOTONIC ns it was read at;
# sus_get NAME LINK KEY.
sus() {
	local t
	t=$(lab_now_ns)
	lab_stats /twinpath/bfd >"$LAB_DIR/$1.sus.raw" 2>/dev/null
	python3 - "$LAB_DIR/$1.sus.raw" "$t" >"$LAB_DIR/$1.sus.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))["/twinpath/bfd"]
print(json.dumps({"t_ns": int(sys.argv[2]), "links": j}))
PY
}
sus_get() { j "$LAB_DIR/$1.sus.json" "j['links']['$2']['$3']"; }
bird_route() { lab_birdc "$1" show route "$2" 2>/dev/null | grep -c "$2"; }

echo "== lab up; BIRD BFD and twinpath at $TX ms x $MULT, active/active"
LAB_PREFIX=twpsus$$
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
lab_up || fatal "lab did not come up"
conf=$LAB_DIR/gw-sus.conf
lab_gw_bfd_config "$conf" $TX $TX $MULT 'suspect=steer_return = "more-specific";' ||
	fatal "could not write $conf"
# the server's answers spread over both upstreams by ports, as a
# provider's ECMP would
lab_argv srv
"${LAB_ARGV[@]}" sysctl -qw net.ipv4.fib_multipath_hash_policy=1 ||
	fatal "srv: fib_multipath_hash_policy"
ip -n "$(lab_ns srv)" addr add $SRV2/32 dev lo || fatal "srv: $SRV2"
lab_start_dp "$conf" || fatal "twinpath-dp did not start"
lab_start_cp "$conf" || fatal "twinpathd did not start"
wait_bfd start 10 'L["link1"]["state"] == "Up" and L["link2"]["state"] == "Up" and L["link1"]["live"] and L["link2"]["live"]' ||
	fatal "BFD not Up on both links"
lab_wait_sync 1 >/dev/null || fatal "no FIB sync"
wait_fib start 20 198.51.100.0/24 "link1,link2||bgp" ||
	fatal "198.51.100.0/24 is $(fib_route start 198.51.100.0/24), want link1,link2||bgp"
ok "both links Up (BFD $TX ms x $MULT) and 198.51.100.0/24 over both"

sus quiet0
[ "$(sus_get quiet0 link1 suspect_state)" = clear ] && [ "$(sus_get quiet0 link2 suspect_state)" = clear ] &&
	ok "suspect { } on both links, both clear" ||
	ko "suspect state: $(cat "$LAB_DIR/quiet0.sus.json")"
sleep 2
sus quiet1
[ "$(sus_get quiet1 link1 suspicions)" = 0 ] && [ "$(sus_get quiet1 link2 suspicions)" = 0 ] &&
	ok "quiet links (nothing but BFD) are never suspected" ||
	ko "suspicions on quiet links: $(cat "$LAB_DIR/quiet1.sus.json")"

echo "== two-way streams, then silent loss of link1"
count=$((RATE * 60))
for k in 1 2; do
	eval srv=\$SRV$k
	lab_sink srv "s$k" --bind "$srv" --port 9100 --expect $count \
		--flows $FLOWS --timeout 90 --idle 3 --echo \
		--trace "$LAB_DIR/s$k.trace" || fatal "sink s$k did not start"
	lab_stream "s$k.tx" --dst "$srv" --port 9100 --flows $FLOWS \
		--count $count --rate $RATE --ttl 64 --max-seconds 60 \
		--sport-base $((40000 + 1000 * k)) --until-stopped
done
# a link's silence counts once its own quiet gaps are known: the
# stream's start ended a long one, remembered for SUSPECT_BINS (10 s)
sleep 12
sus before
[ "$(sus_get before link1 suspicions)" = 0 ] && [ "$(sus_get before link2 suspicions)" = 0 ] &&
	ok "steady two-way traffic: no suspicion (link1 $(sus_get before link1 suspect_rx_pps) pps in, link2 $(sus_get before link2 suspect_rx_pps) pps in)" ||
	ko "suspected under steady traffic: $(cat "$LAB_DIR/before.sus.json")"
bfd_json before
# both clocks at once: BFD's times and the receiver's are CLOCK_MONOTONIC,
# the data plane's log lines wall-clock milliseconds. The fault itself
# is the last of lab_silent_loss's three commands (the far end's
# XDP_DROP, a BPF load: tens of ms); when it took hold is the receiver's
# gap start below, and the suspicion is measured from there.
ev=$(lab_now_ns)
ev_real=$(date +%s%N)
lab_silent_loss on 1 || ko "could not set up silent loss"
# the suspicion's time is its log line's (polling the telemetry under
# this load takes longer than the suspicion does)
line=
for _ in $(seq 40); do
	line=$(grep -m1 "suspect: link link1 suspected (" "$LAB_DIR/dp.log")
	[ -n "$line" ] && break
	sleep 0.05
done
# the suspicion's time on CLOCK_MONOTONIC; empty: never suspected
t_sus=
if [ -n "$line" ]; then
	# on CLOCK_MONOTONIC, through the two clocks read together at ev
	t_sus=$(python3 - "$line" "$ev_real" "$ev" <<'PY'
import datetime, sys
ts = sys.argv[1].split()[0].rstrip("Z")
t = datetime.datetime.fromisoformat(ts).replace(tzinfo=datetime.timezone.utc)
print(int(t.timestamp() * 1e9 - int(sys.argv[2]) + int(sys.argv[3])))
PY
)
	raised=$(echo "$line" | sed -E 's/.*suspected \(([^)]*)\).*/\1/')
	case $raised in
	*,*) ok "two kinds of evidence agreed: $raised" ;;
	*) ko "raised by $raised alone" ;;
	esac
else
	ko "link1 not suspected within 2 s of the fault (no log line)"
fi
sus during
[ "$(sus_get during link2 suspect_state)" = clear ] && ok "link2 stays clear" ||
	ko "link2 is $(sus_get during link2 suspect_state)"
# steered: up2's BIRD learns both halves of 198.18.0.0/16 from us
steered=0
for _ in $(seq 20); do
	[ "$(bird_route up2 198.18.0.0/17)" -ge 1 ] && [ "$(bird_route up2 198.18.128.0/17)" -ge 1 ] &&
		{ steered=1; break; }
	sleep 0.1
done
[ $steered = 1 ] && ok "return path: up2's BIRD has 198.18.0.0/17 and 198.18.128.0/17 from link2" ||
	ko "up2's BIRD: $(lab_birdc up2 show route 198.18.0.0/16 all 2>&1 | tr '\n' ' ')"
if wait_bfd down 3 'L["link1"]["state"] != "Up"'; then
	down_ns=$(bfd_get down link1 last_change_ns)
	echo "MEASURED BFD Down $(python3 -c "print(round(($down_ns - $ev) / 1e6, 1))") ms after the fault commands began"
	[ -n "$t_sus" ] && python3 -c "import sys; sys.exit(0 if $t_sus < $down_ns else 1)" &&
		ok "suspected $(python3 -c "print(round(($down_ns - $t_sus) / 1e6, 1))") ms before BFD's Down" ||
		ko "not suspected before BFD's Down"
else
	ko "BFD never went Down on link1"
fi
sleep 0.5
sus confirmed
[ "$(sus_get confirmed link1 suspect_confirmed)" = 1 ] && ok "the suspicion counted confirmed by BFD" ||
	ko "confirmed count $(sus_get confirmed link1 suspect_confirmed)"

echo "== restore link1"
rs=$(lab_now_ns)
lab_silent_loss off 1 || ko "could not remove the loss"
wait_bfd up 10 'L["link1"]["state"] == "Up" and L["link1"]["live"]' ||
	ko "link1 not Up 10 s after the restore"
wait_bgp bgpup 20 'N["link1"]["state"] == "Established"' ||
	ko "link1's BGP session not back"
wait_fib fibup 10 198.51.100.0/24 "link1,link2||bgp" &&
	ok "198.51.100.0/24 over both links again" ||
	ko "198.51.100.0/24 is $(fib_route fibup 198.51.100.0/24) after the restore"
unsteered=0
for _ in $(seq 30); do
	[ "$(bird_route up2 198.18.0.0/17)" = 0 ] && [ "$(bird_route up2 198.18.128.0/17)" = 0 ] &&
		{ unsteered=1; break; }
	sleep 0.1
done
[ $unsteered = 1 ] && ok "return path: the halves withdrawn once link1 is clear and Up" ||
	ko "up2's BIRD still has the halves: $(lab_birdc up2 show route 198.18.0.0/16 all 2>&1 | tr '\n' ' ')"
sleep 2
for k in 1 2; do
	lab_stream_stop "s$k.tx"
	lab_sink_wait "s$k.tx" >/dev/null
	lab_sink_wait "s$k" >/dev/null
done
sus final
[ "$(sus_get final link1 suspect_state)" = clear ] && [ "$(sus_get final link1 suspicions)" = 1 ] &&
	ok "link1 clear again, one suspicion in all" ||
	ko "link1: $(cat "$LAB_DIR/final.sus.json")"
[ "$(sus_get final link2 suspicions)" = 0 ] && ok "link2 never suspected" ||
	ko "link2 suspected $(sus_get final link2 suspicions) time(s)"
echo "MEASURED main lcore ticks more than 5 ms late: $(sus_get final link1 suspect_late_ticks)"
grep -q "suspect: link link1 is down: the suspicion is confirmed" "$LAB_DIR/dp.log" &&
	ok "twinpath-dp logged the confirmation" ||
	ko "no confirmation line in dp.log"
# the outbound outage of link1's flows, at the receiver
for k in 1 2; do
	sent=$(j "$LAB_DIR/s$k.tx.json" 'j["sent"]')
	python3 "$LAB_TOOLS/outage.py" --trace "$LAB_DIR/s$k.trace" --iface up1 \
		--flows $FLOWS --count "$sent" --event-ns "$ev" --restore-ns "$rs" \
		>"$LAB_DIR/s$k.outage.json" || { ko "outage.py s$k failed"; continue; }
	o=$LAB_DIR/s$k.outage.json
	outage=$(j "$o" 'j["outage_ms"]')
	echo "MEASURED stream $k: outage of link1's $(j "$o" 'j["affected_flows"]') flows $outage ms; lost $(j "$o" 'j["lost"]') of $sent"
	python3 -c "import sys; sys.exit(0 if $outage <= $LIMIT_MS else 1)" &&
		ok "stream $k: link1's flows out of link1 after $outage ms (limit $LIMIT_MS ms; BFD alone: $DETECT_MS)" ||
		ko "stream $k: outage $outage ms, want <= $LIMIT_MS ms"
	if [ -n "$t_sus" ]; then
		after=$(python3 -c "print(round(($t_sus - $(j "$o" 'j["gap_start_ns"]')) / 1e6, 1))")
		echo "MEASURED stream $k: link1 suspected $after ms after its last packet through link1 (the fault's start)"
		python3 -c "import sys; sys.exit(0 if $after <= $LIMIT_MS else 1)" &&
			ok "stream $k: link1 suspected $after ms after the fault took hold (limit a third of the detection time, $LIMIT_MS ms)" ||
			ko "stream $k: link1 suspected $after ms after the fault took hold, want <= $LIMIT_MS ms"
	fi
	[ "$(j "$o" 'j["lost_unaffected"]')" -eq 0 ] &&
		ok "stream $k: nothing lost on link2's flows" ||
		ko "stream $k: $(j "$o" 'j["lost_unaffected"]') lost on link2's flows"
done
exit 0
