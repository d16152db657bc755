#!/usr/bin/env bash
# twinpathd's BGP speaker against BIRD 2 (issue 5), in both modes of the
# provider's guide. Active/standby (local-pref 200/100, prepend 2 and MED
# on the backup): sessions Established with GTSM on link1 and TCP MD5 on
# link2; routes learned with the attributes the config sets; BIRD sees our
# prefix with the prepend and MED; the data plane gets a primary + backup
# group and the traffic takes link1; BIRD withdraws a prefix and it leaves
# the FIB; BIRD freezes and the hold timer (3 s) takes link1 out, traffic
# on link2; bad OPENs get the right NOTIFICATION. Active/active: one
# two-member group and the flows split over both links.
# Usage: BUILD=<build root> bash tests/integration/test_bgp.sh [as|aa]...
set -u
BUILD=${BUILD:-build}
LAB_NO_TRAP=1
source "$(dirname "$0")/../lab.sh"
source "$(dirname "$0")/tally.sh"

SERVER=198.51.100.10
FLOWS=32
TTL=64
HOLD=3        # s, ours and BIRD's: the hold-timer test waits for it
MODES=${*:-as aa}
source "$(dirname "$0")/streams.sh"
source "$(dirname "$0")/bgpctl.sh"

export LAB_BGP_TIMERS="$HOLD 1" LAB_BGP_SECURE=1 LAB_BGP_EXTRA=1
EXTRA_PROTO=extra # BIRD's static protocol with 203.0.113.128/25

# path NAME PREFIX LINK EXPR: EXPR over p, LINK's path to PREFIX in the
# `show bgp routes` JSON NAME.
path() {
	python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
p = [p for r in j["routes"] if r["prefix"] == sys.argv[2]
     for p in r["paths"] if p["link"] == sys.argv[3]][0]
print(eval(sys.argv[4]))' "$LAB_DIR/$1.json" "$2" "$3" "$4"
}

# bird_route ROLE PREFIX: what BIRD learned from us for PREFIX.
bird_route() { lab_birdc "$1" show route "$2" all protocol gw_peer 2>/dev/null; }

# only_link NAME SENT LINK: the stream's packets all left on LINK.
only_link() {
	local name=$1 sent=$2 link=$3 d
	d=$(link_delta "$name.0" "$name.1" "$link")
	[ "$d" -eq "$sent" ] && ok "$name: all $sent packets left on $link" ||
		ko "$name: $link sent $d of $sent packets, want all"
}

# hand_peer ARGS...: tests/tools/bgp_open.py from up1's address (TTL 255:
# link1 has GTSM) once twinpathd waits for the peer again; its JSON in
# $LAB_DIR/open.json.
hand_peer() {
	# after an error the session may hold in Idle a while: wait until it
	# listens for the peer again
	wait_bgp listen 20 'N["link1"]["state"] in ("Active", "Connect")' ||
		ko "[as] link1 is $(nb listen link1 state), not waiting for the peer"
	lab_argv up1
	"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/bgp_open.py" --dst 203.0.113.1 \
		--src 203.0.113.2 --timeout 8 "$@" >"$LAB_DIR/open.json" 2>&1
}

# notification: "code/subcode" of the NOTIFICATION in open.json, or what
# happened instead.
notification() {
	j "$LAB_DIR/open.json" "'%d/%d' % (j['notification']['code'], j['notification']['subcode']) if j['notification'] else 'none: ' + str(j)"
}

# bad_open WHAT WANT ARGS...: a hand-made OPEN and the NOTIFICATION it must
# get, "code/subcode".
bad_open() {
	local what=$1 want=$2 got
	shift 2
	hand_peer "$@"
	got=$(notification)
	[ "$got" = "$want" ] && ok "[as] $what: NOTIFICATION $got" ||
		ko "[as] $what: got $got, want NOTIFICATION $want"
}

run_as() {
	local conf=$LAB_DIR/gw-as.conf sent t0 dt
	echo "== [as] active/standby: link1 local-pref 200, link2 100 with prepend 2 and MED 100"
	gw_conf "$LAB_SRC/config/lab-bgp-active-standby.conf" "$conf"
	gw_up_bgp "[as] " "$conf"
	for r in up1 up2; do
		lab_birdc $r show protocols gw_peer | grep -q Established &&
			ok "[as] BIRD $r: gw_peer Established" ||
			ko "[as] BIRD $r: $(lab_birdc $r show protocols gw_peer | tail -1)"
	done
	bgp nbrs neighbors
	[ "$(nb nbrs link1 gtsm)" = True ] && [ "$(nb nbrs link2 md5)" = True ] &&
		ok "[as] GTSM on link1, TCP MD5 on link2" ||
		ko "[as] gtsm link1 $(nb nbrs link1 gtsm), md5 link2 $(nb nbrs link2 md5)"
	[ "$(nb nbrs link1 hold_time_s)" = $HOLD ] &&
		ok "[as] negotiated hold time $HOLD s" ||
		ko "[as] hold time $(nb nbrs link1 hold_time_s), want $HOLD"

	echo "== [as] routes learned, with the attributes the config sets"
	wait_fib learned 15 198.51.100.0/24 "link1|link2|bgp" &&
		ok "[as] FIB: 198.51.100.0/24 primary link1, backup link2 (from BGP)" ||
		ko "[as] FIB: 198.51.100.0/24 is $(fib_route learned 198.51.100.0/24), want link1|link2|bgp"
	wait_fib learned 15 203.0.113.128/25 "link1|link2|bgp" &&
		ok "[as] FIB: 203.0.113.128/25 primary link1, backup link2" ||
		ko "[as] FIB: 203.0.113.128/25 is $(fib_route learned 203.0.113.128/25)"
	bgp routes routes
	local want got
	got=$(path routes 198.51.100.0/24 link1 "p['local_pref'], p['role'], p['as_path'], p['origin'], p['nexthop']" 2>&1)
	want="(200, 'best', '35540', 'IGP', '203.0.113.2')"
	[ "$got" = "$want" ] && ok "[as] link1's path: local-pref 200, best, AS path 35540, IGP, next hop 203.0.113.2" ||
		ko "[as] link1's path to 198.51.100.0/24: $got, want $want"
	got=$(path routes 198.51.100.0/24 link2 "p['local_pref'], p['role']" 2>&1)
	[ "$got" = "(100, 'backup')" ] && ok "[as] link2's path: local-pref 100, backup" ||
		ko "[as] link2's path to 198.51.100.0/24: $got, want (100, 'backup')"
	got=$(path routes 203.0.113.128/25 link1 "p['med'], p['communities']" 2>&1)
	[ "$got" = "(10, ['35540:100'])" ] && ok "[as] MED 10 and community 35540:100 learned from up1" ||
		ko "[as] 203.0.113.128/25 via link1: med/communities $got, want (10, ['35540:100'])"
	got=$(j "$LAB_DIR/routes.json" "sorted(r['prefix'] for r in j['routes'])")
	[ "$got" = "['198.51.100.0/24', '203.0.113.128/25']" ] &&
		ok "[as] exactly the prefixes the import rules allow ($got)" ||
		ko "[as] learned $got"

	echo "== [as] what BIRD learned from us"
	bird_route up1 198.18.0.0/16 >"$LAB_DIR/bird-up1.txt"
	bird_route up2 198.18.0.0/16 >"$LAB_DIR/bird-up2.txt"
	grep -Eq "BGP.as_path: 65001$" "$LAB_DIR/bird-up1.txt" &&
		! grep -q "BGP.med" "$LAB_DIR/bird-up1.txt" &&
		ok "[as] up1 sees 198.18.0.0/16 with AS path 65001 and no MED" ||
		ko "[as] up1 sees: $(tr '\n' ' ' <"$LAB_DIR/bird-up1.txt")"
	grep -Eq "BGP.as_path: 65001 65001 65001$" "$LAB_DIR/bird-up2.txt" &&
		grep -Eq "BGP.med: 100$" "$LAB_DIR/bird-up2.txt" &&
		ok "[as] up2 sees 198.18.0.0/16 with AS path 65001 65001 65001 (prepend 2) and MED 100" ||
		ko "[as] up2 sees: $(tr '\n' ' ' <"$LAB_DIR/bird-up2.txt")"

	echo "== [as] traffic takes the primary link"
	stream_start as1 9200 2000 1000
	stream_end as1
	check_stream as1 "$sent" "[as] stream"
	only_link as1 "$sent" link1

	echo "== [as] BIRD withdraws 203.0.113.128/25"
	lab_birdc up1 disable $EXTRA_PROTO >/dev/null
	wait_fib wd1 10 203.0.113.128/25 "link2||bgp" &&
		ok "[as] withdrawn by up1: 203.0.113.128/25 now via link2 alone" ||
		ko "[as] after up1's withdraw: $(fib_route wd1 203.0.113.128/25), want link2||bgp"
	lab_birdc up2 disable $EXTRA_PROTO >/dev/null
	wait_fib wd2 10 203.0.113.128/25 absent &&
		ok "[as] withdrawn by both: 203.0.113.128/25 gone from the FIB" ||
		ko "[as] after both withdraws: $(fib_route wd2 203.0.113.128/25), want absent"
	lab_birdc up1 enable $EXTRA_PROTO >/dev/null
	lab_birdc up2 enable $EXTRA_PROTO >/dev/null
	wait_fib wd3 10 203.0.113.128/25 "link1|link2|bgp" &&
		ok "[as] announced again: back in the FIB" ||
		ko "[as] re-announced: $(fib_route wd3 203.0.113.128/25)"

	echo "== [as] BIRD on up1 freezes: the hold timer ($HOLD s) takes link1 out"
	local bpid
	bpid=$(cat "$LAB_DIR/up1.bird.pid")
	stream_start as2 9201 8000 1000
	sleep 1
	freeze_peer "[as] " link1 "$bpid" BIRD
	wait_fib hold 5 198.51.100.0/24 "link2||bgp" &&
		ok "[as] 198.51.100.0/24 now via link2 alone" ||
		ko "[as] after the hold timer: $(fib_route hold 198.51.100.0/24), want link2||bgp"
	stream_end as2
	local lost
	lost=$(j "$LAB_DIR/as2.json" 'j["lost"]')
	echo "MEASURED [as] hold-timer failover: $lost of $sent packets lost (~$HOLD s at 1000 pps bound)"
	[ "$lost" -le $(((HOLD + 2) * 1000)) ] &&
		ok "[as] traffic moved to link2 ($lost lost, bound $(((HOLD + 2) * 1000)))" ||
		ko "[as] $lost lost: traffic did not move to link2"
	[ "$(link_delta as2.0 as2.1 link2)" -gt 0 ] &&
		ok "[as] link2 carried $(link_delta as2.0 as2.1 link2) packets after the failover" ||
		ko "[as] link2 carried nothing"
	thaw_peer "[as] " link1 "$bpid" BIRD 198.51.100.0/24 "link1|link2|bgp"

	echo "== [as] bad OPENs from up1's address"
	lab_birdc up1 disable gw_peer >/dev/null
	wait_bgp off 10 'N["link1"]["state"] != "Established"' ||
		ko "[as] link1 still Established after BIRD disabled it"
	bad_open "OPEN with AS 65999 (configured 35540)" 2/2 --asn 65999
	bad_open "OPEN with Hold Time 1" 2/6 --asn 35540 --hold 1
	bad_open "OPEN with version 3" 2/1 --asn 35540 --version 3
	bgp nbrs2 neighbors
	[ "$(nb nbrs2 link1 notifications_sent)" -ge 3 ] &&
		ok "[as] link1 counted $(nb nbrs2 link1 notifications_sent) NOTIFICATIONs sent" ||
		ko "[as] link1 notifications_sent $(nb nbrs2 link1 notifications_sent), want >= 3"

	echo "== [as] malformed UPDATEs from the hand-made peer"
	# attribute list length 10, 4 bytes of attributes: RFC 7606 §4 leaves
	# nothing to withdraw by, so the session is reset with 3/1
	hand_peer --asn 35540 --update-hex 0000000a40010100 --linger 3
	got=$(notification)
	[ "$got" = 3/1 ] && ok "[as] UPDATE with an overrunning attribute list: NOTIFICATION 3/1" ||
		ko "[as] UPDATE with an overrunning attribute list: got $got, want 3/1"
	# ORIGIN 5 (undefined) on 198.51.100.0/24: RFC 7606 §7.1 treat-as-
	# withdraw, the session stays up and the rejection is counted
	bgp tw0 neighbors
	local tw0
	tw0=$(j "$LAB_DIR/tw0.json" "[n for n in j['neighbors'] if n['link'] == 'link1'][0]['rejected']['treat_as_withdraw']")
	hand_peer --asn 35540 --linger 3 --update-hex \
		0000001440010105400206020100008ad4400304cb00710218c63364
	got=$(j "$LAB_DIR/open.json" "'established, no NOTIFICATION in 3 s' if j.get('no_notification_within_s') else str(j)")
	[ "$got" = "established, no NOTIFICATION in 3 s" ] &&
		ok "[as] UPDATE with ORIGIN 5: no NOTIFICATION, the session stayed up" ||
		ko "[as] UPDATE with ORIGIN 5: $got"
	bgp tw1 neighbors
	got=$(j "$LAB_DIR/tw1.json" "[n for n in j['neighbors'] if n['link'] == 'link1'][0]['rejected']['treat_as_withdraw']")
	[ "$got" -gt "$tw0" ] && ok "[as] ... and treated as withdraw (counter $tw0 -> $got)" ||
		ko "[as] treat_as_withdraw counter $tw0 -> $got"
	grep -q "treated as withdrawn (RFC 7606)" "$LAB_DIR/cp.log" &&
		ok "[as] ... and logged: $(grep "treated as withdrawn" "$LAB_DIR/cp.log" | tail -1 | cut -d' ' -f3-)" ||
		ko "[as] no treat-as-withdraw line in twinpathd's log"

	lab_birdc up1 enable gw_peer >/dev/null
	wait_bgp again 30 'N["link1"]["state"] == "Established"' &&
		ok "[as] link1 Established again after the bad OPENs" ||
		ko "[as] link1 not Established again"
}

run_aa() {
	local conf=$LAB_DIR/gw-aa.conf t0
	echo "== [aa] active/active: equal local-pref on both links"
	gw_conf "$LAB_SRC/config/lab-bgp-active-active.conf" "$conf"
	gw_up_bgp "[aa] " "$conf"
	wait_fib mp 15 198.51.100.0/24 "link1,link2||bgp" &&
		ok "[aa] FIB: 198.51.100.0/24 one group with two primary members" ||
		ko "[aa] FIB: 198.51.100.0/24 is $(fib_route mp 198.51.100.0/24), want link1,link2||bgp"
	bgp routes routes
	got=$(j "$LAB_DIR/routes.json" "sorted(p['role'] for r in j['routes'] if r['prefix'] == '198.51.100.0/24' for p in r['paths'])")
	[ "$got" = "['best', 'multipath']" ] && ok "[aa] paths: best + multipath" ||
		ko "[aa] roles $got, want best + multipath"
	stream_start aa1 9300 4000 2000
	stream_end aa1
	check_stream aa1 "$sent" "[aa] stream"
	check_split aa1 "$sent" "[aa] stream"

	echo "== [aa] kill -9 twinpathd mid-stream: the data plane keeps the BGP routes"
	local gen0 gen1 routes0
	stream_start aa2 9301 8000 1000
	sleep 2
	gen0=$(lab_fib_generation)
	routes0=$(lab_tpstat /twinpath/fib --get routes)
	lab_kill_cp KILL && ok "[aa] twinpathd killed with SIGKILL mid-stream" ||
		ko "[aa] twinpathd did not die from SIGKILL"
	sleep 1
	lab_start_cp "$conf" || fatal "[aa] twinpathd did not restart"
	if gen1=$(lab_wait_sync $((gen0 + 1)) 40); then
		ok "[aa] the restarted twinpathd resynced (generation $gen0 -> $gen1)"
	else
		ko "[aa] no resync after the restart (generation $gen0)"
	fi
	# make-before-break: the new generation carries every route at once;
	# had it come before the BGP routes, its sweep would have dropped them
	grep -q "sync $gen1 applied: $routes0 routes" "$LAB_DIR/dp.log" &&
		ok "[aa] generation $gen1 applied with all $routes0 routes (BGP ones included)" ||
		ko "[aa] generation $gen1: $(grep -o "sync $gen1 applied: [0-9]* routes" "$LAB_DIR/dp.log"), want $routes0 routes"
	grep -q "every session converged" "$LAB_DIR/cp.log" &&
		ok "[aa] its first full sync waited for both sessions' End-of-RIB ($(grep -o "converged [0-9.]* s after start" "$LAB_DIR/cp.log" | tail -1))" ||
		ko "[aa] its first full sync did not wait for BGP to converge"
	stream_end aa2
	check_stream aa2 "$sent" "[aa] stream across kill -9, restart and BGP resync"
	fib aa2
	[ "$(fib_route aa2 198.51.100.0/24)" = "link1,link2||bgp" ] &&
		ok "[aa] 198.51.100.0/24 over both links after the resync" ||
		ko "[aa] after the resync: $(fib_route aa2 198.51.100.0/24)"
}

for mode in $MODES; do
	LAB_PREFIX=twpbgp$$-$mode
	LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
	lab_up || fatal "lab did not come up"
	"run_$mode"
	lab_down
done
exit 0
