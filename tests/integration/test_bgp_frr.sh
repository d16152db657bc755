#!/usr/bin/env bash
# twinpathd's BGP speaker against FRR: the active/active lab with up2
# running FRR's bgpd (tests/lab.sh LAB_UP2_FRR=1, TCP MD5 on link2) while
# up1 keeps BIRD (GTSM on link1). Both sessions Established, on both
# sides; 198.51.100.0/24 learned from FRR with its AS path, next hop, MED
# 20 and community 35540:100; one two-member FIB group and a stream split
# over both links; FRR sees our 198.18.0.0/16 with AS path 65001; FRR
# withdraws and re-announces; our route refresh reaches FRR without a
# reset; FRR frozen (hold timer, 4/0) and killed: link1 alone carries it.
# Usage: BUILD=<build root> bash tests/integration/test_bgp_frr.sh
set -u
BUILD=${BUILD:-build}
LAB_NO_TRAP=1
source "$(dirname "$0")/../lab.sh"
source "$(dirname "$0")/tally.sh"
need_frr bgpd

SERVER=198.51.100.10
FLOWS=32
TTL=64
HOLD=3        # s, ours, BIRD's and FRR's: the hold-timer test waits for it
GW=203.0.113.5  # our address on link2, FRR's neighbor
FRR=203.0.113.6 # FRR's address, our link2 peer
source "$(dirname "$0")/streams.sh"
source "$(dirname "$0")/bgpctl.sh"

export LAB_UP2_FRR=1 LAB_BGP_TIMERS="$HOLD 1" LAB_BGP_SECURE=1

# path NAME PREFIX LINK EXPR: EXPR over p, LINK's path to PREFIX in the
# `show bgp routes` JSON NAME.
path() {
	python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
p = [p for r in j["routes"] if r["prefix"] == sys.argv[2]
     for p in r["paths"] if p["link"] == sys.argv[3]][0]
print(eval(sys.argv[4]))' "$LAB_DIR/$1.json" "$2" "$3" "$4"
}

# frr NAME CMD: FRR's answer to CMD (a `... json` show) in $LAB_DIR/NAME.json.
frr() { lab_vtysh up2 "$2" >"$LAB_DIR/$1.json" 2>"$LAB_DIR/$1.err"; }
# frr_nb NAME EXPR: EXPR over n, FRR's neighbor $GW in `show bgp neighbors
# $GW json` (frr NAME first).
frr_nb() { j "$LAB_DIR/$1.json" "(lambda n: $2)(j['$GW'])" 2>/dev/null; }
# frr_state: FRR's state of the session with us.
frr_state() {
	frr fsum "show bgp summary json" &&
		j "$LAB_DIR/fsum.json" "j['ipv4Unicast']['peers']['$GW']['state']" 2>/dev/null
}
# frr_net on|off: FRR announces 198.51.100.0/24 or withdraws it.
frr_net() {
	local no=
	[ "$1" = off ] && no="no "
	lab_vtysh up2 "configure terminal" "router bgp 35540" \
		"address-family ipv4 unicast" "${no}network 198.51.100.0/24" \
		>"$LAB_DIR/frr-net.out" 2>&1
}

run() {
	local conf=$LAB_DIR/gw-aa.conf t0 got want
	echo "== active/active, up1 BIRD (GTSM), up2 FRR $(/usr/lib/frr/bgpd --version | awk 'NR == 1 {print $3}') (TCP MD5)"
	gw_conf "$LAB_SRC/config/lab-bgp-active-active.conf" "$conf"
	gw_up_bgp "" "$conf" 30 "$LAB_DIR/up2.frr.log"
	got=$(frr_state)
	[ "$got" = Established ] && ok "FRR: session with $GW Established" ||
		ko "FRR: session with $GW is '$got'"
	lab_birdc up1 show protocols gw_peer | grep -q Established &&
		ok "BIRD up1: gw_peer Established" ||
		ko "BIRD up1: $(lab_birdc up1 show protocols gw_peer | tail -1)"
	bgp nbrs neighbors
	[ "$(nb nbrs link2 md5)" = True ] && [ "$(nb nbrs link2 hold_time_s)" = $HOLD ] &&
		ok "link2: TCP MD5, negotiated hold time $HOLD s" ||
		ko "link2: md5 $(nb nbrs link2 md5), hold time $(nb nbrs link2 hold_time_s)"
	frr fnb0 "show bgp neighbors $GW json"
	# routeRefresh "...New": our OPEN has the RFC 2918 code (2) only,
	# not the pre-standard one (128) ("...OldNew" would be both)
	got=$(frr_nb fnb0 "(n['bgpTimerHoldTimeMsecs'], n['neighborCapabilities'].get('4byteAs'), n['neighborCapabilities'].get('routeRefresh'))")
	want="(3000, 'advertisedAndReceived', 'advertisedAndReceivedNew')"
	[ "$got" = "$want" ] && ok "FRR: hold time 3000 ms, 4-octet AS and route refresh (RFC 2918 code) advertised and received" ||
		ko "FRR: hold/4byteAs/routeRefresh $got, want $want"

	echo "== 198.51.100.0/24 learned from FRR"
	wait_fib mp 15 198.51.100.0/24 "link1,link2||bgp" &&
		ok "FIB: 198.51.100.0/24 one group over link1 and link2 (from BGP)" ||
		ko "FIB: 198.51.100.0/24 is $(fib_route mp 198.51.100.0/24), want link1,link2||bgp"
	bgp routes routes
	got=$(path routes 198.51.100.0/24 link2 "p['as_path'], p['nexthop'], p['local_pref'], p['origin'], p['med'], p['communities']" 2>&1)
	want="('35540', '$FRR', 100, 'IGP', 20, ['35540:100'])"
	[ "$got" = "$want" ] && ok "link2's path: AS path 35540, next hop $FRR, local-pref 100, IGP, MED 20, community 35540:100" ||
		ko "link2's path to 198.51.100.0/24: $got, want $want"
	got=$(j "$LAB_DIR/routes.json" "sorted(p['role'] for r in j['routes'] if r['prefix'] == '198.51.100.0/24' for p in r['paths'])")
	[ "$got" = "['best', 'multipath']" ] && ok "paths: best + multipath" ||
		ko "roles $got, want best + multipath"

	echo "== traffic over both links"
	stream_start aa1 9400 4000 2000
	stream_end aa1
	check_stream aa1 "$sent" "stream"
	check_split aa1 "$sent" "stream"

	echo "== what FRR learned from us"
	frr fr "show bgp ipv4 unicast 198.18.0.0/16 json"
	got=$(j "$LAB_DIR/fr.json" "[(p['aspath']['string'], p['nexthops'][0]['ip'], p.get('bestpath', {}).get('overall')) for p in j['paths']]" 2>&1)
	want="[('65001', '$GW', True)]"
	[ "$got" = "$want" ] && ok "FRR sees 198.18.0.0/16 with AS path 65001, next hop $GW, best" ||
		ko "FRR's 198.18.0.0/16: $got, want $want"

	echo "== FRR withdraws 198.51.100.0/24, then announces it again"
	frr_net off || ko "vtysh: no network: $(cat "$LAB_DIR/frr-net.out")"
	wait_fib wd 10 198.51.100.0/24 "link1||bgp" &&
		ok "withdrawn by FRR: 198.51.100.0/24 via link1 alone" ||
		ko "after FRR's withdraw: $(fib_route wd 198.51.100.0/24), want link1||bgp"
	frr_net on || ko "vtysh: network: $(cat "$LAB_DIR/frr-net.out")"
	wait_fib re 10 198.51.100.0/24 "link1,link2||bgp" &&
		ok "announced again: 198.51.100.0/24 over both links" ||
		ko "after FRR's re-announce: $(fib_route re 198.51.100.0/24), want link1,link2||bgp"

	echo "== route refresh toward FRR"
	local rr0 rr1 est0 est1 deadline lines0
	lines0=$(grep -c "rcvd route-refresh (REQUEST) for IPv4/unicast" "$LAB_DIR/up2.frr.log")
	frr fnb1 "show bgp neighbors $GW json"
	rr0=$(frr_nb fnb1 "n['messageStats']['routeRefreshRecv']")
	est0=$(frr_nb fnb1 "n['connectionsEstablished']")
	lab_ctl clear bgp $FRR soft >"$LAB_DIR/clear.out" 2>&1 ||
		ko "twinpathctl clear bgp $FRR soft: $(cat "$LAB_DIR/clear.out")"
	deadline=$((SECONDS + 10))
	while :; do
		frr fnb2 "show bgp neighbors $GW json"
		rr1=$(frr_nb fnb2 "n['messageStats']['routeRefreshRecv']")
		[ "${rr1:-0}" -gt "${rr0:-0}" ] 2>/dev/null && break
		[ $SECONDS -ge $deadline ] && break
		sleep 0.25
	done
	[ "${rr1:-0}" -gt "${rr0:-0}" ] 2>/dev/null &&
		ok "FRR counted the ROUTE-REFRESH (routeRefreshRecv $rr0 -> $rr1)" ||
		ko "FRR's routeRefreshRecv $rr0 -> $rr1 after clear bgp $FRR soft"
	[ "$(grep -c "rcvd route-refresh (REQUEST) for IPv4/unicast" "$LAB_DIR/up2.frr.log")" -gt "$lines0" ] &&
		ok "FRR logged it: $(grep "rcvd route-refresh (REQUEST)" "$LAB_DIR/up2.frr.log" | tail -1 | cut -d' ' -f4-)" ||
		ko "no 'rcvd route-refresh (REQUEST)' line in FRR's log"
	sleep 1
	frr fnb3 "show bgp neighbors $GW json"
	est1=$(frr_nb fnb3 "n['connectionsEstablished']")
	got=$(frr_nb fnb3 "n['bgpState']")
	bgp rr summary
	[ "$got" = Established ] && [ "$est1" = "$est0" ] &&
		[ "$(nb rr link2 state)" = Established ] &&
		ok "session stayed up through the refresh (FRR: $got, $est1 connections; ours: $(nb rr link2 state))" ||
		ko "after the refresh: FRR $got, connections $est0 -> $est1, ours $(nb rr link2 state)"
	wait_fib rr 5 198.51.100.0/24 "link1,link2||bgp" &&
		ok "after the refresh: 198.51.100.0/24 still over both links" ||
		ko "after the refresh: $(fib_route rr 198.51.100.0/24)"

	echo "== FRR freezes: the hold timer ($HOLD s) takes link2 out"
	local fpid dt
	fpid=$(cat "$LAB_DIR/up2.frr.pid")
	freeze_peer "" link2 "$fpid" FRR
	wait_fib hold 5 198.51.100.0/24 "link1||bgp" &&
		ok "198.51.100.0/24 now via link1 alone" ||
		ko "after the hold timer: $(fib_route hold 198.51.100.0/24), want link1||bgp"
	thaw_peer "" link2 "$fpid" FRR 198.51.100.0/24 "link1,link2||bgp"

	echo "== FRR killed (SIGKILL): link2 down, link1 alone"
	t0=$(date +%s%N)
	kill -KILL "$fpid"
	if wait_bgp dead $((HOLD + 3)) 'N["link2"]["state"] != "Established"'; then
		dt=$(python3 -c "print(round(($(date +%s%N) - $t0) / 1e9, 2))")
		echo "MEASURED link2 down $dt s after bgpd was killed ($(nb dead link2 last_error))"
		ok "link2 left Established after $dt s"
	else
		ko "link2 still Established $((HOLD + 3)) s after bgpd was killed"
	fi
	wait_fib dead 5 198.51.100.0/24 "link1||bgp" &&
		ok "198.51.100.0/24 via link1 alone" ||
		ko "after bgpd died: $(fib_route dead 198.51.100.0/24), want link1||bgp"
	stream_start k1 9401 2000 1000
	stream_end k1
	check_stream k1 "$sent" "stream after FRR died"
	[ "$(link_delta k1.0 k1.1 link1)" -eq "$sent" ] &&
		ok "all $sent packets left on link1" ||
		ko "link1 sent $(link_delta k1.0 k1.1 link1) of $sent packets, want all"
	# without zebra every next-hop registration fails: not our business
	local notes
	notes=$(grep -Ei "notification|error" "$LAB_DIR/up2.frr.log" | grep -v zclient | sort -u | tail -n 10)
	[ -n "$notes" ] && printf 'NOTE FRR log: %s\n' "$notes"
	return 0
}

LAB_PREFIX=twpfrr$$
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
lab_up || fatal "lab did not come up"
run
# FRR's log goes with the lab: keep what a reader needs in the output
[ "$failed" -gt 0 ] && tail -n 40 "$LAB_DIR/up2.frr.log"
exit 0
