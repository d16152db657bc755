#!/usr/bin/env bash
# Reload without downtime (issue 12): twinpathd on config/lab-bfd.conf
# (BGP and BFD on both links), BIRD 2 on up1 (BGP + BFD), FRR bgpd + bfdd
# on up2, a stream LAN host -> server across both links all along.
#  1. `twinpathctl reload` with link1's prepend 0 -> 2, link2's BFD
#     timers 50 -> 100 ms and its own announce list with 198.18.128.0/17
#     beside the /16: the exact answer; BIRD sees our AS three times, FRR
#     the /17;
#     FRR's bfdd shows the new remote timers after our Poll Sequence, its
#     session never left Up (uptime on, session-down counter unchanged).
#  2. SIGHUP to twinpathd with link1's local_pref 100 -> 150: ROUTE-REFRESH
#     to BIRD (logged), 198.51.100.0/24 moves to link1 with link2 its
#     backup (no longer ECMP over both); link2's own list removed: FRR
#     gets the /17 withdrawn.
#  3. An invalid file: refused with the loader's exact FILE:LINE line,
#     exit status 1; a restart-only change (dataplane.eal_args): refused
#     by name; nothing changes either time.
#  4. SIGHUP to twinpath-dp: it logs that it has nothing to reload and
#     goes on forwarding.
# Throughout: no BGP session re-established (our established_count, BIRD's
# since-time, FRR's connectionsEstablished), no BFD transition (ours,
# FRR's), and the stream loses nothing.
# Usage: BUILD=<build root> bash tests/integration/test_reload.sh
set -u
BUILD=${BUILD:-build}
LAB_NO_TRAP=1
source "$(dirname "$0")/../lab.sh"
source "$(dirname "$0")/tally.sh"
need_frr bgpd bfdd

SERVER=198.51.100.10
FLOWS=32
TTL=64
RATE=500 # pps
HOLD=9   # s, config/lab-bfd.conf's and the peers'
GW2=203.0.113.5
export LAB_BGP_TIMERS="$HOLD 3" LAB_BFD="50 50 3" LAB_UP2_FRR=1 \
	LAB_UP2_FRR_BFD=1
source "$(dirname "$0")/bgpctl.sh"

bfd_json() { lab_ctl --json show bfd >"$LAB_DIR/$1.bfd.json" 2>/dev/null; }
# bfd_get NAME LINK FIELD: one field of a link in a saved show bfd.
bfd_get() {
	j "$LAB_DIR/$1.bfd.json" "[l for l in j['links'] if l['name'] == '$2'][0]['$3']"
}
# frr_bfd NAME: FRR bfdd's peer toward us, with its counters, as one
# JSON object in $LAB_DIR/NAME.frrbfd.json.
frr_bfd() {
	LAB_VTYSH_DAEMON=bfdd lab_vtysh up2 "show bfd peers json" \
		>"$LAB_DIR/$1.frrpeers.json" 2>/dev/null &&
	LAB_VTYSH_DAEMON=bfdd lab_vtysh up2 "show bfd peers counters json" \
		>"$LAB_DIR/$1.frrcnt.json" 2>/dev/null &&
	python3 - "$LAB_DIR/$1" <<'PY'
import json, sys
b = sys.argv[1]
peer = [p for p in json.load(open(b + ".frrpeers.json")) if p["peer"] == "203.0.113.5"][0]
cnt = [p for p in json.load(open(b + ".frrcnt.json")) if p["peer"] == "203.0.113.5"][0]
peer.update({"counters": cnt})
json.dump(peer, open(b + ".frrbfd.json", "w"))
PY
}
frr_get() { j "$LAB_DIR/$1.frrbfd.json" "j$2"; }
# bird_since: the since-time of up1's gw_peer (changes on re-establishment).
bird_since() { lab_birdc up1 show protocols gw_peer | awk '$1 == "gw_peer" {print $5}'; }
# bird_path: the AS path up1's BIRD has for our 198.18.0.0/16.
bird_path() {
	lab_birdc up1 show route 198.18.0.0/16 all protocol gw_peer 2>/dev/null |
		sed -n 's/^[[:space:]]*BGP.as_path: //p'
}
bird_path_is() { [ "$(bird_path)" = "$1" ]; }
wait_bird_path() { within "$2" bird_path_is "$1"; } # WANT SECONDS
# frr_prefix: "present" or "absent", FRR's view of our 198.18.128.0/17.
frr_prefix() {
	lab_vtysh up2 "show bgp ipv4 unicast 198.18.128.0/17 json" 2>/dev/null |
		python3 -c 'import json,sys
try:
    p = json.load(sys.stdin).get("paths", [])
except ValueError:
    p = []
print("present" if p else "absent")'
}
frr_prefix_is() { [ "$(frr_prefix)" = "$1" ]; }
wait_frr_prefix() { within "$2" frr_prefix_is "$1"; } # WANT SECONDS
frr_established() {
	lab_vtysh up2 "show bgp neighbors $GW2 json" 2>/dev/null |
		j - "j['$GW2']['connectionsEstablished']"
}
# edit SRC DST PYTHON: DST is SRC with PYTHON applied to `s` (the text)
# and `l1`/`l2` (link1's and link2's parts of it).
edit() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys
src, dst, code = sys.argv[1:4]
s = open(src).read()
i = s.index('name = "link2"')
l1, l2 = s[:i], s[i:]
exec(code)
open(dst, "w").write(l1 + l2 if s == open(src).read() else s)
PY
}
# reload_ctl NAME: twinpathctl reload; stdout, stderr and status kept.
reload_ctl() {
	lab_ctl reload >"$LAB_DIR/$1.out" 2>"$LAB_DIR/$1.err"
	echo $? >"$LAB_DIR/$1.rc"
}
# same_text NAME FILE WANT WHAT: FILE holds exactly WANT.
same_text() {
	if [ "$(cat "$2")" = "$3" ]; then
		ok "$4"
	else
		ko "$4: got [$(cat "$2")], want [$3]"
	fi
}

LAB_PREFIX=twpreload$$
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
lab_up || fatal "lab did not come up"
conf=$LAB_DIR/gw.conf
gw_conf "$LAB_SRC/config/lab-bfd.conf" "$conf"
cp "$conf" "$LAB_DIR/gw.0.conf"
gw_up_bgp "" "$conf" 30 "$LAB_DIR/up2.frr/frr.log"
deadline=$((SECONDS + 15))
until bfd_json up0 && [ "$(bfd_get up0 link1 state)/$(bfd_get up0 link2 state)" = Up/Up ]; do
	[ $SECONDS -ge $deadline ] && fatal "BFD not Up: link1 $(bfd_get up0 link1 state), link2 $(bfd_get up0 link2 state)"
	sleep 0.25
done
ok "BFD Up on both links (BIRD on up1, FRR bfdd on up2)"
wait_fib mp 15 198.51.100.0/24 "link1,link2||bgp" ||
	fatal "FIB: 198.51.100.0/24 is $(fib_route mp 198.51.100.0/24), want link1,link2||bgp"
wait_bird_path "65001" 15 || fatal "BIRD: our path is '$(bird_path)', want '65001'"
frr_bfd f0 || fatal "FRR bfdd: no peer 203.0.113.5"
[ "$(frr_get f0 "['status']")" = up ] || fatal "FRR bfdd: session $(frr_get f0 "['status']")"
ok "BIRD has 198.18.0.0/16 with path 65001; FRR's BFD session is up"

# what must not move
bgp b0 neighbors
est1=$(nb b0 link1 established_count)
est2=$(nb b0 link2 established_count)
since0=$(bird_since)
frr_est0=$(frr_established)
frr_down0=$(frr_get f0 "['counters']['session-down']")
frr_up0=$(frr_get f0 "['counters']['session-up']")
up1=$(bfd_get up0 link1 up_count)
up2=$(bfd_get up0 link2 up_count)
down1=$(bfd_get up0 link1 down_count)
down2=$(bfd_get up0 link2 down_count)
echo "MEASURED before: established $est1/$est2, BIRD since $since0, FRR established $frr_est0, FRR bfd up/down $frr_up0/$frr_down0, our bfd up $up1/$up2"

# until stopped, so it spans every step whatever the host's speed
port=$((20000 + $$ % 1000))
lab_sink srv s --bind $SERVER --port $port --expect $((RATE * 180)) \
	--flows $FLOWS --timeout 240 --idle 5 || fatal "sink at the server did not start"
lab_stream s.tx --dst $SERVER --port $port --flows $FLOWS \
	--count $((RATE * 180)) --rate $RATE --ttl $TTL --max-seconds 180 --until-stopped

echo "== 1. twinpathctl reload: link1 prepend 2, link2 BFD 100 ms"
edit "$LAB_DIR/gw.0.conf" "$LAB_DIR/gw.1.conf" '
l1 = l1.replace("# the provider side (RFC 8212)\n", "# the provider side (RFC 8212)\n      prepend = 2;\n", 1)
l2 = l2.replace("min_tx_ms = 50;", "min_tx_ms = 100;").replace("min_rx_ms = 50;", "min_rx_ms = 100;")
l2 = l2.replace("# the provider side (RFC 8212)\n", "# the provider side (RFC 8212)\n      announce = [\"198.18.0.0/16\", \"198.18.128.0/17\"];\n", 1)'
grep -q '"198.18.128.0/17"' "$LAB_DIR/gw.1.conf" || fatal "edit: no announce in gw.1.conf"
grep -q "prepend = 2" "$LAB_DIR/gw.1.conf" || fatal "edit: no prepend in gw.1.conf"
sleep 3
cp "$LAB_DIR/gw.1.conf" "$conf"
reload_ctl r1
same_text r1 "$LAB_DIR/r1.rc" 0 "reload: exit status 0"
same_text r1 "$LAB_DIR/r1.out" "reloaded $conf: 2 change(s) applied
link1: bgp: 0 prefix(es) withdrawn, 1 announced again
link2: bgp: 0 prefix(es) withdrawn, 2 announced again
link2: bfd: Poll Sequence started (RFC 5880 §6.8.3): Desired Min TX 50000 -> 100000 us, Required Min RX 50000 -> 100000 us, detect multiplier 3" \
	"reload: the exact answer (export re-sent on link1 and link2, a Poll on link2)"
wait_frr_prefix present 10 &&
	ok "FRR has 198.18.128.0/17, in link2's new announce list" ||
	ko "FRR: 198.18.128.0/17 $(frr_prefix), want present"
wait_bird_path "65001 65001 65001" 10 &&
	ok "BIRD sees 198.18.0.0/16 with path 65001 65001 65001 (prepend 2)" ||
	ko "BIRD's path is '$(bird_path)', want '65001 65001 65001'"
deadline=$((SECONDS + 10))
until bfd_json p1 && [ "$(bfd_get p1 link2 poll_pending)" = False ] &&
	[ "$(bfd_get p1 link2 polls_ended)" = 1 ]; do
	[ $SECONDS -ge $deadline ] && break
	sleep 0.25
done
got="$(bfd_get p1 link2 poll_pending) $(bfd_get p1 link2 polls_ended) $(bfd_get p1 link2 desired_min_tx_us) $(bfd_get p1 link2 required_min_rx_us) $(bfd_get p1 link2 tx_interval_us)"
[ "$got" = "False 1 100000 100000 100000" ] &&
	ok "link2: FRR's Final ended our Poll; 100 ms in force (poll_pending, polls_ended, tx, rx, interval: $got)" ||
	ko "link2: poll_pending polls_ended tx rx interval = $got, want False 1 100000 100000 100000"
deadline=$((SECONDS + 10))
until frr_bfd f1 && [ "$(frr_get f1 "['remote-transmit-interval']")/$(frr_get f1 "['remote-receive-interval']")" = 100/100 ]; do
	[ $SECONDS -ge $deadline ] && break
	sleep 0.5
done
got="$(frr_get f1 "['remote-transmit-interval']")/$(frr_get f1 "['remote-receive-interval']")/$(frr_get f1 "['transmit-interval']")"
[ "$got" = "100/100/50" ] &&
	ok "FRR shows our new timers: remote transmit/receive 100/100 ms (its own transmit-interval 50 as configured)" ||
	ko "FRR remote-transmit/remote-receive/transmit = $got, want 100/100/50 ($(cat "$LAB_DIR/f1.frrbfd.json"))"

echo "== 2. SIGHUP to twinpathd: link1 local_pref 150, link2's own announce list gone"
edit "$LAB_DIR/gw.1.conf" "$LAB_DIR/gw.2.conf" '
l1 = l1.replace("local_pref = 100;", "local_pref = 150;", 1)
l2 = l2.replace("      announce = [\"198.18.0.0/16\", \"198.18.128.0/17\"];\n", "", 1)'
grep -q '"198.18.128.0/17"' "$LAB_DIR/gw.2.conf" && fatal "edit: announce still in gw.2.conf"
cp "$LAB_DIR/gw.2.conf" "$conf"
kill -HUP "$(cat "$LAB_DIR/cp.pid")"
wait_fib lp 10 198.51.100.0/24 "link1|link2|bgp" &&
	ok "SIGHUP: 198.51.100.0/24 via link1, link2 its backup (local_pref 150 over 100)" ||
	ko "SIGHUP: 198.51.100.0/24 is $(fib_route lp 198.51.100.0/24), want link1|link2|bgp"
grep -qxF "reload: link1: bgp: route refresh asked for ipv4" <(sed 's/^[^ ]* twinpathd: //' "$LAB_DIR/cp.log") &&
	ok "SIGHUP: logged 'link1: bgp: route refresh asked for ipv4'" ||
	ko "SIGHUP: no route refresh line in the log ($(grep reload: "$LAB_DIR/cp.log" | tail -5))"
grep -qxF "reload: link2: bgp: 1 prefix(es) withdrawn, 1 announced again" <(sed 's/^[^ ]* twinpathd: //' "$LAB_DIR/cp.log") &&
	ok "SIGHUP: logged 'link2: bgp: 1 prefix(es) withdrawn, 1 announced again'" ||
	ko "SIGHUP: no withdrawal line in the log ($(grep reload: "$LAB_DIR/cp.log" | tail -5))"
wait_frr_prefix absent 10 &&
	ok "FRR: 198.18.128.0/17 withdrawn" ||
	ko "FRR: 198.18.128.0/17 $(frr_prefix), want absent"
bgp b2 neighbors
[ "$(nb b2 link1 route_refresh_sent)" = 1 ] && [ "$(nb b2 link2 route_refresh_sent)" = 0 ] &&
	ok "ROUTE-REFRESH counted: 1 to link1's peer, 0 to link2's" ||
	ko "route_refresh_sent link1 $(nb b2 link1 route_refresh_sent), link2 $(nb b2 link2 route_refresh_sent), want 1 and 0"
kill -0 "$(cat "$LAB_DIR/cp.pid")" && ok "twinpathd alive after SIGHUP" || fatal "twinpathd died of SIGHUP"

echo "== 3. refused: an invalid file, a restart-only change"
edit "$LAB_DIR/gw.2.conf" "$LAB_DIR/gw.3.conf" '
l2 = l2.replace("# the provider side (RFC 8212)\n", "# the provider side (RFC 8212)\n      prepend = 17;\n", 1)'
line=$(grep -n "prepend = 17" "$LAB_DIR/gw.3.conf" | cut -d: -f1)
cp "$LAB_DIR/gw.3.conf" "$conf"
reload_ctl r3
same_text r3 "$LAB_DIR/r3.rc" 1 "invalid file: exit status 1"
same_text r3 "$LAB_DIR/r3.err" "error: reload of $conf refused: the running configuration stays
$conf:$line: prepend 17 out of range 0..16" "invalid file: refused with the loader's exact line"
edit "$LAB_DIR/gw.2.conf" "$LAB_DIR/gw.4.conf" '
s = s.replace("eal_args = [\"-l\", \"0-1\"];", "eal_args = [\"-l\", \"0\"];", 1)'
grep -q 'eal_args = \["-l", "0"\]' "$LAB_DIR/gw.4.conf" || fatal "edit: eal_args unchanged"
cp "$LAB_DIR/gw.4.conf" "$conf"
reload_ctl r4
same_text r4 "$LAB_DIR/r4.rc" 1 "eal_args: exit status 1"
same_text r4 "$LAB_DIR/r4.err" "error: reload of $conf refused: the running configuration stays
reload refused: dataplane.eal_args changed (restart twinpath-dp)" "eal_args: refused by name"
grep -qxF "reload: reload refused: dataplane.eal_args changed (restart twinpath-dp)" <(sed 's/^[^ ]* twinpathd: //' "$LAB_DIR/cp.log") &&
	ok "the refusal is logged" || ko "the refusal is not in the log"
cp "$LAB_DIR/gw.2.conf" "$conf"
sleep 1
[ "$(bird_path)" = "65001 65001 65001" ] && ok "after the refusals BIRD's path is still 65001 65001 65001" ||
	ko "after the refusals BIRD's path is '$(bird_path)'"
fib rf
[ "$(fib_route rf 198.51.100.0/24)" = "link1|link2|bgp" ] && ok "after the refusals 198.51.100.0/24 still via link1, backup link2" ||
	ko "after the refusals 198.51.100.0/24 is $(fib_route rf 198.51.100.0/24)"
bfd_json rf
[ "$(bfd_get rf link2 desired_min_tx_us)/$(bfd_get rf link2 poll_pending)" = 100000/False ] &&
	ok "after the refusals link2's BFD is unchanged (100 ms, no Poll)" ||
	ko "after the refusals link2: tx $(bfd_get rf link2 desired_min_tx_us), poll $(bfd_get rf link2 poll_pending)"

echo "== 4. SIGHUP to twinpath-dp"
kill -HUP "$(cat "$LAB_DIR/dp.pid")"
sleep 2
kill -0 "$(cat "$LAB_DIR/dp.pid")" && ok "twinpath-dp alive after SIGHUP" || fatal "twinpath-dp died of SIGHUP"
grep -q "SIGHUP: nothing to reload in twinpath-dp" "$LAB_DIR/dp.log" &&
	ok "twinpath-dp logged that it has nothing to reload" ||
	ko "twinpath-dp: no SIGHUP line in its log"
sleep 3

lab_stream_stop s.tx
lab_sink_wait s.tx >/dev/null
lab_sink_wait s >/dev/null
sent=$(j "$LAB_DIR/s.tx.json" 'j["sent"]')
uniq=$(j "$LAB_DIR/s.json" 'j["unique"]')
dup=$(j "$LAB_DIR/s.json" 'j["duplicates"]')
echo "MEASURED stream: sent $sent, received $uniq unique, $dup duplicates"
[ "$sent" -gt $((RATE * 10)) ] || ko "only $sent packets sent: the stream did not span the reloads"
[ "$uniq" -eq "$sent" ] && ok "stream across the reloads and both SIGHUPs: all $sent packets arrived" ||
	ko "stream across the reloads and both SIGHUPs: $uniq of $sent arrived ($((sent - uniq)) lost)"
[ "$dup" -eq 0 ] && ok "stream: no duplicates" || ko "stream: $dup duplicates"

echo "== nothing re-established, nothing flapped"
bgp b9 neighbors
got="$(nb b9 link1 established_count)/$(nb b9 link2 established_count) $(nb b9 link1 state)/$(nb b9 link2 state)"
[ "$got" = "$est1/$est2 Established/Established" ] &&
	ok "our sessions: established_count $got, as before" ||
	ko "our sessions: $got, want $est1/$est2 Established/Established"
bird_same_since "$since0" "$(bird_since)" && ok "BIRD: gw_peer up since $since0, unchanged" ||
	ko "BIRD: gw_peer since $(bird_since), was $since0"
[ "$(frr_established)" = "$frr_est0" ] && ok "FRR: connectionsEstablished $frr_est0, unchanged" ||
	ko "FRR: connectionsEstablished $(frr_established), was $frr_est0"
frr_bfd f9
got="$(frr_get f9 "['status']") $(frr_get f9 "['counters']['session-up']")/$(frr_get f9 "['counters']['session-down']")"
[ "$got" = "up $frr_up0/$frr_down0" ] &&
	ok "FRR bfdd: session up, up/down transitions $frr_up0/$frr_down0 unchanged (uptime $(frr_get f9 "['uptime']") s, was $(frr_get f0 "['uptime']") s)" ||
	ko "FRR bfdd: $got, want up $frr_up0/$frr_down0"
[ "$(frr_get f9 "['uptime']")" -gt "$(frr_get f0 "['uptime']")" ] &&
	ok "FRR bfdd: uptime kept counting" || ko "FRR bfdd: uptime $(frr_get f9 "['uptime']") s, was $(frr_get f0 "['uptime']") s"
bfd_json e
got="$(bfd_get e link1 up_count)/$(bfd_get e link2 up_count) $(bfd_get e link1 down_count)/$(bfd_get e link2 down_count)"
[ "$got" = "$up1/$up2 $down1/$down2" ] && ok "our BFD: up/down transitions $got, unchanged" ||
	ko "our BFD: up_count link1/link2, down_count = $got, want $up1/$up2 $down1/$down2"
