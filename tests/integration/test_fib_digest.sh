#!/usr/bin/env bash
# The FIB self-check in the lab (issue 14 item 6): both daemons on the
# static active/active example with control.fib_check_interval_s = 1 and
# twinpath-dp started with --debug-corrupt. Their digests agree and the
# checks run; then /twinpath/debug_corrupt deletes 198.51.100.0/24 from
# the data plane behind twinpathd's back. Within a few checks twinpathd
# logs the mismatch with both digests (the routes part differs, and its
# own side is the digest the data plane showed before), counts it
# (twinpath_fib_digest_mismatch_total 1), repairs it with full sync
# generation 2, logs the match, and the data plane's digest and route
# count are again exactly those of before; a stream to the server over the
# repaired route arrives whole, and later checks find nothing more.
# Usage: BUILD=<build root> bash tests/integration/test_fib_digest.sh
set -u
BUILD=${BUILD:-${1:-build}}
LAB_NO_TRAP=1 # tally.sh's trap tears down and prints the tally
LAB_PREFIX=twpdig$$
source "$(dirname "$0")/../lab.sh"
source "$(dirname "$0")/tally.sh"

SERVER=198.51.100.10
URL=http://127.0.0.1:9342

# metric NAME: one sample of twinpathd's /metrics, "none" when absent.
metric() {
	gw_exec curl -sS --max-time 5 "$URL/metrics" 2>/dev/null |
		awk -v s="$1" '$1 == s { print $2; f = 1 } END { if (!f) print "none" }'
}

# wait_metric SECONDS NAME PYEXPR: until PYEXPR holds for the value v.
wait_metric() {
	local end=$((SECONDS + $1)) v
	while [ $SECONDS -lt $end ]; do
		v=$(metric "$2")
		[ "$v" != none ] && python3 -c "import sys; v = $v; sys.exit(0 if ($3) else 1)" &&
			{ echo "$v"; return 0; }
		sleep 0.25
	done
	echo "$v"
	return 1
}

# fib NAME: /twinpath/fib into $LAB_DIR/NAME.json.
fib() { lab_tpstat /twinpath/fib >"$LAB_DIR/$1.json"; }
# fibv NAME KEY
fibv() { j "$LAB_DIR/$1.json" "j['/twinpath/fib']['$2']"; }

# wait_log SECONDS REGEX: until twinpathd's log has a line matching REGEX
# (grep -E); prints it.
wait_log() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -lt $end ]; do
		grep -E -m1 "$2" "$LAB_DIR/cp.log" && return 0
		sleep 0.25
	done
	return 1
}

echo "== lab up: static active/active, checks every second"
lab_up || fatal "lab did not come up"
CONF=$LAB_DIR/gw-digest.conf
{ cat "$LAB_SRC/config/lab-active-active.conf"
  echo 'control = { fib_check_interval_s = 1; };'; } >"$CONF"
"$BUILD/control/twinpathd" --check "$CONF" >/dev/null ||
	fatal "twinpathd --check refuses $CONF"
LAB_DP_ARGS=--debug-corrupt lab_start_dp "$CONF" ||
	fatal "twinpath-dp did not start"
lab_start_cp "$CONF" || fatal "twinpathd did not start"
lab_wait_sync 1 >/dev/null || fatal "no FIB sync from twinpathd"

echo "== both sides agree"
v=$(wait_metric 20 twinpath_fib_digest_checks_total 'v >= 2') ||
	fatal "twinpath_fib_digest_checks_total $v after 20 s, want >= 2"
m=$(metric twinpath_fib_digest_mismatch_total)
[ "$m" = 0 ] && ok "$v checks, twinpath_fib_digest_mismatch_total 0" ||
	ko "twinpath_fib_digest_mismatch_total $m before any corruption"
# every MAC known, so no NEXTHOP_SET moves the digests from here on
end=$((SECONDS + 15))
until lab_tpstat /twinpath/nexthops >"$LAB_DIR/nh.json" &&
	[ "$(j "$LAB_DIR/nh.json" "len(j['/twinpath/nexthops']) == 3 and all(n['resolved'] for n in j['/twinpath/nexthops'].values())")" = True ]; do
	[ $SECONDS -ge $end ] && fatal "nexthops not all resolved in 15 s: $(cat "$LAB_DIR/nh.json")"
	sleep 0.5
done
fib before || fatal "telemetry /twinpath/fib"
routes=$(fibv before routes)
d_routes=$(fibv before digest_routes)
d_groups=$(fibv before digest_groups)
d_nh=$(fibv before digest_nexthops)
[ "$routes" = 2 ] && [ "$(fibv before generation)" = 1 ] &&
	ok "data plane: generation 1, 2 routes, digest routes $(printf 0x%08x "$d_routes") groups $(printf 0x%08x "$d_groups") nexthops $(printf 0x%08x "$d_nh")" ||
	ko "data plane: generation $(fibv before generation), $routes routes (want 1, 2)"

echo "== a route deleted behind twinpathd's back"
lab_tpstat /twinpath/debug_corrupt,route_del,198.51.100.0/24 \
	>"$LAB_DIR/corrupt.json" || fatal "telemetry /twinpath/debug_corrupt"
rc=$(j "$LAB_DIR/corrupt.json" "j['/twinpath/debug_corrupt']['rc']")
left=$(j "$LAB_DIR/corrupt.json" "j['/twinpath/debug_corrupt']['routes']")
[ "$rc" = 0 ] && [ "$left" = 1 ] &&
	ok "198.51.100.0/24 deleted in the data plane (1 route left)" ||
	fatal "debug_corrupt: rc $rc, $left routes left (want 0, 1)"

want=$(printf 'fib digest mismatch at check [0-9]+ \\(twinpathd vs data plane, generation 1\\): routes 0x%08x != 0x[0-9a-f]{8}, groups 0x%08x == 0x%08x, nexthops 0x%08x == 0x%08x: full sync to repair \\(1 mismatch so far\\)' \
	"$d_routes" "$d_groups" "$d_groups" "$d_nh" "$d_nh")
line=$(wait_log 10 "$want") &&
	ok "logged: ${line#*twinpathd: }" ||
	ko "no log line /$want/ in 10 s"
v=$(wait_metric 5 twinpath_fib_digest_mismatch_total 'v == 1') &&
	ok "twinpath_fib_digest_mismatch_total 1" ||
	ko "twinpath_fib_digest_mismatch_total $v, want 1"

echo "== repaired by a full sync and checked again"
gen=$(lab_wait_sync 2 10) && [ "$gen" = 2 ] &&
	ok "full sync generation 2 applied" ||
	ko "fib generation ${gen:-?} after 10 s, want 2"
want=$(printf 'fib digest check [0-9]+: the data plane matches again after the full sync \\(twinpathd == data plane: routes 0x%08x == 0x%08x, groups 0x%08x == 0x%08x, nexthops 0x%08x == 0x%08x\\)' \
	"$d_routes" "$d_routes" "$d_groups" "$d_groups" "$d_nh" "$d_nh")
line=$(wait_log 10 "$want") &&
	ok "logged: ${line#*twinpathd: }" ||
	ko "no log line /$want/ in 10 s"
fib after || fatal "telemetry /twinpath/fib"
[ "$(fibv after routes)" = 2 ] &&
	[ "$(fibv after digest_routes)" = "$d_routes" ] &&
	[ "$(fibv after digest_groups)" = "$d_groups" ] &&
	[ "$(fibv after digest_nexthops)" = "$d_nh" ] &&
	ok "data plane: 2 routes again, its digest exactly that of before" ||
	ko "data plane: $(fibv after routes) routes, digest $(fibv after digest_routes)/$(fibv after digest_groups)/$(fibv after digest_nexthops), want 2, $d_routes/$d_groups/$d_nh"

lab_sink srv fwd --bind $SERVER --port 9311 --expect 500 --flows 16 \
	--timeout 30 --idle 5 || fatal "sink did not start"
lab_stream fwd.tx --dst $SERVER --port 9311 --flows 16 --count 500 \
	--rate 500 --ttl 64
lab_sink_wait fwd.tx >/dev/null
lab_sink_wait fwd >/dev/null
sent=$(j "$LAB_DIR/fwd.tx.json" 'j["sent"]')
uniq=$(j "$LAB_DIR/fwd.json" 'j["unique"]')
[ "$sent" = 500 ] && [ "$uniq" = 500 ] &&
	ok "500 packets LAN -> $SERVER over the repaired route, 500 arrived" ||
	ko "LAN -> $SERVER: sent $sent of 500, $uniq arrived"

c=$(metric twinpath_fib_digest_checks_total)
v=$(wait_metric 10 twinpath_fib_digest_checks_total "v >= $c + 3") ||
	ko "checks_total $v after 10 s, want >= $((c + 3))"
m=$(metric twinpath_fib_digest_mismatch_total)
[ "$m" = 1 ] && ok "$((v - c)) more checks, still 1 mismatch" ||
	ko "twinpath_fib_digest_mismatch_total $m after the repair, want 1"
exit 0
