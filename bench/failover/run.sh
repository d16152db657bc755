#!/usr/bin/env bash
# make failover: the provider guide's step 6 ("failover testing is
# critical") as one command. For each gateway (twinpath, then a Linux
# kernel router with FRR) and each group (active/standby at BFD 50 and
# 300 ms x 3, active/active at 50 ms x 3; proc-50: active/standby at 50 ms
# x 3 under process faults instead, twinpath only) a fresh lab (tests/lab.sh: BIRD 2
# on up1, FRR bgpd+bfdd on up2, eBGP + BFD to the gateway, 10 prefixes)
# carries a 10 kpps, 64-flow UDP stream LAN -> srv while link faults are
# made at the far end of a link (fo_fault: carrier down, or XDP drop + tc
# egress shot) and undone. analyze.py cuts the receiver's record into
# scenarios, with verdicts; bench/out/failover.json, a table on stdout and
# bench/out/failover-<gateway>-<group>.png. Exit non-zero if a twinpath
# verdict fails (linux-frr rows are measured, never fatal).
#
#   bash bench/failover/run.sh BUILD
#   FAILOVER_GATEWAYS="twinpath linux-frr"  which gateways (default both)
#   FAILOVER_GROUPS="as-50 as-300 aa-50 proc-50"  which labs (mode-bfd_ms;
#     proc: active/standby, process faults instead of link faults, a
#     second stream srv -> LAN, BGP graceful restart on; twinpath only)
#   FAILOVER_SCENARIOS="carrier silent reverse"  which faults (reverse:
#     link2 fails while link1 carries; active/standby only)
#   FAILOVER_PROC_SCENARIOS="kill-cp kill-dp peer-gr"  proc's faults
#   FAILOVER_PPS=10000 FAILOVER_FLOWS=64
#   FAILOVER_FRR_KERNEL_NHG=1: the Linux gateway's zebra with kernel
#     nexthop objects, its default (see frr_gw_conf)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${1:-${BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
export BUILD
OUT=${FAILOVER_OUT:-$SRC/bench/out}
GATEWAYS=${FAILOVER_GATEWAYS:-twinpath linux-frr}
GROUPS_=${FAILOVER_GROUPS:-as-50 as-300 aa-50 proc-50}
SCENARIOS=${FAILOVER_SCENARIOS:-carrier silent reverse}
PPS=${FAILOVER_PPS:-10000}
FLOWS=${FAILOVER_FLOWS:-64}
MULT=3
HOLD=9 # s, BGP hold time on both sides; BFD is what detects
SERVER=198.51.100.10
PORT=9200
LANHOST=198.18.1.10 # the srv -> LAN stream's receiver (proc groups)
RPORT=9201
PREFIXES=10
FO=$BUILD/bench/failover

log() { echo "failover: $*" >&2; }

# ---------------------------------------------------------------- parent
if [ "${FAILOVER_CHILD:-}" = "" ]; then
	[ "$(id -u)" -eq 0 ] || { log "must run as root"; exit 1; }
	for t in fo_send fo_recv fo_fault fault.bpf.o; do
		[ -e "$FO/$t" ] || { log "$FO/$t missing: make build"; exit 1; }
	done
	command -v gnuplot >/dev/null || log "no gnuplot: no PNG (make deps)"
	mkdir -p "$OUT"
	rm -f "$OUT"/failover-*.json
	# A child takes the lab lock for its own lab, bounds its own time
	# and tears the lab down itself on exit or Ctrl-C (which reaches it
	# directly: it runs in the foreground); our trap runs once it is done.
	trap 'log interrupted; exit 130' INT TERM
	rc=0
	for gw in $GATEWAYS; do
		for g in $GROUPS_; do
			# a Linux router has no control plane apart from its
			# data plane to kill: its proc rows read "not applicable"
			case $gw-$g in linux-frr-proc-*) log "== $gw $g: not applicable"; continue ;; esac
			log "== $gw $g"
			FAILOVER_CHILD="$gw $g" bash "$0" "$BUILD" || {
				log "$gw $g: the run failed (status $?)"
				[ "$gw" = twinpath ] && rc=1
			}
		done
	done
	python3 "$HERE/analyze.py" table --out "$OUT/failover.json" \
		"$OUT"/failover-*.json || rc=1
	exit $rc
fi

# ----------------------------------------------------------------- child
read -r GW GROUP <<<"$FAILOVER_CHILD"
MODE=${GROUP%-*}
BFD_MS=${GROUP#*-}
PROC=0
case $MODE in
as) MODE=active-standby ;;
proc)
	# process faults (issue 13): active/standby, GR helpers upstream
	# (BIRD `graceful restart on;`, FRR `bgp graceful-restart`) and up1
	# forwarding to the site on the route BIRD learned from us, so a
	# helper that dropped our route would show as srv -> LAN loss
	MODE=active-standby PROC=1
	export LAB_BGP_GR=1 LAB_BIRD_KERNEL=1
	;;
aa) MODE=active-active ;;
*) log "unknown group $GROUP"; exit 2 ;;
esac
export LAB_PREFIX=twpfo$$
export LAB_BFD="$BFD_MS $BFD_MS $MULT" LAB_UP2_FRR=1 LAB_UP2_FRR_BFD=1
# up1's BIRD sends no MED: up2's FRR none either (0), so the gateways'
# own policy alone decides, and active/active is a true ECMP pair
export LAB_UP2_FRR_MED=0 LAB_BGP_TIMERS="$HOLD 3" LAB_BGP_PREFIXES=$PREFIXES
[ "$GW" = linux-frr ] && export LAB_GW=linux-frr
source "$SRC/tests/lab.sh"
TAG="$GW-$GROUP"
EV=$LAB_DIR/events.jsonl

# twinpath_conf OUT: config/lab-bgp-MODE.conf with BFD on both links at
# our timers, the lab's short BGP timers, and without GTSM and TCP MD5
# (the Linux gateway runs the same policy without them).
twinpath_conf() {
	python3 - "$SRC/config/lab-bgp-$MODE.conf" "$1" "$BFD_MS" "$MULT" "$HOLD" <<'PY'
import re, sys
src, out, ms, mult, hold = sys.argv[1:]
s = open(src).read()
s = re.sub(r"\n[^\n]*(ttl_security|password) = [^\n]*", "", s)
s = re.sub(r"(hold_time = )\d+", r"\g<1>" + hold, s)
s = re.sub(r"(connect_retry = )\d+", r"\g<1>1", s)
s = re.sub(r"(\n(\s*)remote_as = [^\n]*)",
           lambda m: m.group(1) + "\n%sbfd = { min_tx_ms = %s; min_rx_ms = %s; multiplier = %s; };"
           % (m.group(2), ms, ms, mult), s)
open(out, "w").write(s)
PY
}

# frr_gw_conf: the Linux gateway's FRR (zebra, bfdd, bgpd) with twinpath's
# policy: local-pref 200/100 (equal for active/active, maximum-paths 2),
# our AS prepended twice and MED 100 toward up2 as backup; RFC 8212
# filters as twinpath's import/announce; BFD on both sessions.
frr_gw_conf() {
	local lp2=100 lp1=200
	[ "$MODE" = active-active ] && lp1=100
	printf 'hostname gw\n' >"$LAB_DIR/gw.zebra.conf"
	# Routes carry their own next hops, not kernel nexthop objects
	# (zebra's default, FAILOVER_FRR_KERNEL_NHG=1): with those, FRR 8.4
	# left an active/active route on link2 alone after link1's carrier
	# came back, while bgpd had both paths as multipath (measured here),
	# and every later row of the group measured nothing.
	[ "${FAILOVER_FRR_KERNEL_NHG:-0}" = 1 ] ||
		printf 'no zebra nexthop kernel enable\n' >>"$LAB_DIR/gw.zebra.conf"
	printf 'bfd\n profile fast\n  transmit-interval %s\n  receive-interval %s\n  detect-multiplier %s\n exit\nexit\n' \
		"$BFD_MS" "$BFD_MS" "$MULT" >"$LAB_DIR/gw.bfdd.conf"
	{
		printf 'hostname gw\n'
		printf 'ip prefix-list PROVIDER seq 5 permit 198.51.100.0/24 le 32\n'
		printf 'ip prefix-list SITE seq 5 permit 198.18.0.0/16\n'
		printf 'route-map UP1_IN permit 10\n match ip address prefix-list PROVIDER\n set local-preference %s\nexit\n' $lp1
		printf 'route-map UP2_IN permit 10\n match ip address prefix-list PROVIDER\n set local-preference %s\nexit\n' $lp2
		printf 'route-map UP1_OUT permit 10\n match ip address prefix-list SITE\nexit\n'
		printf 'route-map UP2_OUT permit 10\n match ip address prefix-list SITE\n'
		[ "$MODE" = active-standby ] &&
			printf ' set as-path prepend 65001 65001\n set metric 100\n'
		printf 'exit\n'
		printf 'router bgp 65001\n bgp router-id 198.18.1.1\n timers bgp 3 %s\n' $HOLD
		for n in 1 2; do
			p=203.0.113.$((4 * n - 2))
			printf ' neighbor %s remote-as 35540\n neighbor %s timers connect 1\n' $p $p
			printf ' neighbor %s bfd profile fast\n' $p
		done
		printf ' address-family ipv4 unicast\n  network 198.18.0.0/16\n'
		[ "$MODE" = active-active ] && printf '  maximum-paths 2\n'
		for n in 1 2; do
			p=203.0.113.$((4 * n - 2))
			printf '  neighbor %s route-map UP%s_IN in\n' $p $n
			printf '  neighbor %s route-map UP%s_OUT out\n' $p $n
		done
		printf ' exit-address-family\nexit\n'
	} >"$LAB_DIR/gw.bgpd.conf"
}

# vias: the gateway's next hops toward the server's prefix, "link1,link2"
vias() {
	if [ "$GW" = twinpath ]; then
		lab_ctl --json show routes 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
r = [r for r in j if r["prefix"] == "198.51.100.0/28"]
print(",".join(sorted(m["via"] for m in r[0]["primary"])) if r else "none")'
	else
		ns_exec gw ip -j route show 198.51.100.0/28 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
if not j: print("none"); sys.exit()
r = j[0]
d = [h["dev"] for h in r.get("nexthops", [])] or [r.get("dev")]
print(",".join(sorted(d)))'
	fi
}

# prefixes: BGP-learned prefixes toward the provider in the gateway's FIB
prefixes() {
	if [ "$GW" = twinpath ]; then
		lab_ctl --json show routes 2>/dev/null | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["prefix"].startswith("198.51.100.")))'
	else
		ns_exec gw ip route show proto bgp | grep -c '^198\.51\.100\.'
	fi
}

# sessions: "BGP1 BGP2 BFD1 BFD2" states as the gateway sees them
sessions() {
	if [ "$GW" = twinpath ]; then
		{ lab_ctl --json show bgp summary; echo; lab_ctl --json show bfd; } 2>/dev/null | python3 -c '
import json, sys
a, b = [json.loads(l) for l in sys.stdin.read().split("\n") if l.strip()][:2]
N = {n["link"]: n["state"] for n in a["neighbors"]}
L = {l["name"]: l["state"] for l in b["links"]}
print(N.get("link1"), N.get("link2"), L.get("link1"), L.get("link2"))'
	else
		{ lab_vtysh gw "show bgp summary json"; echo; LAB_VTYSH_DAEMON=bfdd lab_vtysh gw "show bfd peers json"; } 2>/dev/null | python3 -c '
import json, sys, re
t = sys.stdin.read()
i = t.index("\n[")
a, b = json.loads(t[:i]), json.loads(t[i:])
P = a["ipv4Unicast"]["peers"]
B = {p["peer"]: p["status"] for p in b}
st = lambda p: P.get(p, {}).get("state", "?")
print(st("203.0.113.2"), st("203.0.113.6"), B.get("203.0.113.2"), B.get("203.0.113.6"))'
	fi
}

# wait_vias WANT SECONDS: until the route toward the server is WANT
wait_vias() {
	local deadline=$((SECONDS + $2)) got
	while :; do
		got=$(vias)
		[ "$got" = "$1" ] && return 0
		[ $SECONDS -ge $deadline ] && { log "route via '$got', want '$1'"; return 1; }
		sleep 0.25
	done
}

# wait_sessions SECONDS: until both BGP sessions are Established and
# both BFD sessions Up, as the gateway sees them
wait_sessions() {
	local deadline=$((SECONDS + $1))
	while :; do
		case $(sessions) in
		"Established Established Up Up" | "Established Established up up") return 0 ;;
		esac
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.25
	done
}

# bfd_change LINK: twinpath's health map timestamp of LINK's last state
# change (CLOCK_MONOTONIC ns) and its state: "NS STATE"
bfd_change() {
	[ "$GW" = twinpath ] || { echo "0 -"; return; }
	lab_ctl --json show bfd 2>/dev/null | python3 -c '
import json, sys
l = [l for l in json.load(sys.stdin)["links"] if l["name"] == sys.argv[1]][0]
print(l["last_change_ns"], l["state"].replace(" ", "_"))' "$1"
}

# diag: the gateway's view of the server's route, for a failure message
diag() {
	if [ "$GW" = twinpath ]; then
		lab_ctl show bgp summary
		lab_ctl show routes
	else
		lab_vtysh gw "show bgp summary" "show bgp ipv4 unicast 198.51.100.0/28"
		LAB_VTYSH_DAEMON=zebra lab_vtysh gw "show ip route 198.51.100.0/28"
		ns_exec gw ip route show 198.51.100.0/28
	fi
}

event() { echo "$1" >>"$EV"; }

# fault KIND N: make the fault on link N at its far end (upN eth0)
fault() {
	local ns
	ns=$(lab_ns "up$2")
	case $1 in
	carrier) ip netns exec "$ns" "$FO/fo_fault" carrier-down eth0 ;;
	silent) ip netns exec "$ns" "$FO/fo_fault" silent-on eth0 "$FO/fault.bpf.o" ;;
	esac
}

# restore KIND N: undo it (upN's route to the site goes with eth0 down)
restore() {
	local ns out
	ns=$(lab_ns "up$2")
	case $1 in
	carrier)
		out=$(ip netns exec "$ns" "$FO/fo_fault" carrier-up eth0) || return 1
		ip -n "$ns" route replace 198.18.0.0/16 via "203.0.113.$((4 * $2 - 3))"
		echo "$out"
		;;
	silent) ip netns exec "$ns" "$FO/fo_fault" silent-off eth0 "$FO/fault.bpf.o" ;;
	esac
}

# scenario NAME KIND N: fault on link N, 3 s, restore, wait until the route
# is back as before, 2 s more. Events for analyze.py.
scenario() {
	local name=$1 kind=$2 n=$3 f r down back st
	log "$TAG: $name ($kind on link$n)"
	f=$(fault "$kind" "$n") || { log "fault $kind link$n failed"; return 1; }
	sleep 3
	read -r down st <<<"$(bfd_change "link$n")"
	r=$(restore "$kind" "$n") || { log "restore $kind link$n failed"; return 1; }
	wait_vias "$BASE" 30 || {
		log "$TAG: $name: route not back as '$BASE' 30 s after the restore"
		diag >"$LAB_DIR/$name.diag" 2>&1
		sed 's/^/    /' "$LAB_DIR/$name.diag" >&2
	}
	# and the other link's sessions too (reverse: link1 never left)
	wait_sessions 30 || log "$TAG: $name: sessions $(sessions) 30 s after the restore"
	back=$(lab_now_ns)
	sleep 2
	event "{\"scenario\":\"$name\",\"kind\":\"$kind\",\"link\":$n,\"fault\":$f,\"restore\":$r,\"bfd_down_ns\":$down,\"bfd_state\":\"$st\",\"back_ns\":$back,\"end_ns\":$(lab_now_ns)}"
}

# gen_state: twinpathd's "generation_sent generation_applied"
gen_state() {
	lab_ctl --json show status 2>/dev/null | python3 -c '
import json, sys
c = json.load(sys.stdin)["channel"]
print(c["generation_sent"], c["generation_applied"])' || echo "0 -1"
}

# wait_gen SECONDS: until twinpathd answers with generation sent == applied > 0
wait_gen() {
	local deadline=$((SECONDS + $1)) s a
	while :; do
		read -r s a <<<"$(gen_state)"
		[ "$s" -gt 0 ] && [ "$s" = "$a" ] && return 0
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.25
	done
}

# full_syncs: twinpathd's first full syncs after a graceful restart so far
full_syncs() { grep -c "graceful restart: first full sync" "$LAB_DIR/cp.log"; }

# bird_gone ROLE: until ROLE's BIRD exited (10 s)
bird_gone() {
	local pid i
	pid=$(cat "$LAB_DIR/$1.bird.pid" 2>/dev/null) || return 0
	for i in $(seq 100); do
		lab_pid_alive "$pid" || return 0
		sleep 0.1
	done
	return 1
}

# proc_scenario NAME: a process fault (issue 13), then wait until the
# route, both sessions and the FIB push are back; 2 s more. Events for
# analyze.py: fault = the kill (or birdc), restore = the restart.
proc_scenario() {
	local name=$1 f r back pid syncs0 sess vias_ gs ga synced=false
	log "$TAG: $name"
	syncs0=$(full_syncs)
	f=$(lab_now_ns)
	case $name in
	kill-cp)
		lab_kill_cp KILL || return 1
		sleep 1
		r=$(lab_now_ns)
		lab_start_cp "$LAB_DIR/gw.conf" || return 1
		;;
	kill-dp)
		pid=$(cat "$LAB_DIR/dp.pid")
		kill -KILL "$pid"
		wait "$pid" 2>/dev/null
		r=$(lab_now_ns)
		lab_start_dp "$LAB_DIR/gw.conf" || return 1
		;;
	peer-gr)
		# BIRD 2.0.12's CLI `graceful restart`: shut down leaving its
		# kernel routes, then a new BIRD with -R (restarting speaker)
		lab_birdc up1 graceful restart >"$LAB_DIR/$name.birdc" 2>&1
		bird_gone up1 || { log "up1's BIRD still running"; return 1; }
		r=$(lab_now_ns)
		LAB_BIRD_RECOVER=1 lab_start_bird up1 || return 1
		;;
	esac
	wait_vias link1 30 || log "$TAG: $name: route not back on link1 30 s after the restart"
	wait_sessions 30 || log "$TAG: $name: sessions $(sessions) 30 s after the restart"
	wait_gen 10 || log "$TAG: $name: generation sent/applied $(gen_state) 10 s after"
	back=$(lab_now_ns)
	sess=$(sessions)
	vias_=$(vias)
	read -r gs ga <<<"$(gen_state)"
	# kill-cp: the data plane holds what the new twinpathd pushed
	[ "$name" = kill-cp ] && [ "$(full_syncs)" -gt "$syncs0" ] && synced=true
	[ "$name" = kill-cp ] || synced=null
	sleep 2
	event "{\"scenario\":\"$name\",\"kind\":\"proc\",\"fault\":{\"ns\":$f},\"restore\":{\"ns\":$r},\"back_ns\":$back,\"sessions\":\"$sess\",\"vias\":\"$vias_\",\"gen_sent\":$gs,\"gen_applied\":$ga,\"gr_full_sync\":$synced,\"end_ns\":$(lab_now_ns)}"
}

mkdir -p "$OUT"
# the lab lock (COMMON.md), held by this shell and whatever it starts until
# the lab is down: a flock wrapper killed by Ctrl-C would leave us running
exec 9>>/tmp/twp-lab.lock
flock 9
# bounded once the lab is ours: 300 s, then as if Ctrl-C (without the lock)
(exec 9>&-; sleep 300; kill -INT $$) &
WATCHDOG=$!
lab_up || { kill $WATCHDOG; exit 1; }
trap 'kill $WATCHDOG 2>/dev/null; lab_down; exit 130' INT
trap 'kill $WATCHDOG 2>/dev/null; lab_down; exit 143' TERM
trap 'kill $WATCHDOG 2>/dev/null; lab_down' EXIT
if [ "$GW" = twinpath ]; then
	twinpath_conf "$LAB_DIR/gw.conf"
	lab_start_dp "$LAB_DIR/gw.conf" || exit 1
	lab_start_cp "$LAB_DIR/gw.conf" || exit 1
else
	frr_gw_conf
	lab_start_frr_daemons gw zebra bfdd bgpd || exit 1
fi
BASE=link1
[ "$MODE" = active-active ] && BASE=link1,link2
wait_vias "$BASE" 60 || { log "$TAG: never converged"; exit 1; }
wait_sessions 30 || log "$TAG: sessions $(sessions) 30 s after the start"
sleep 1
SESS=$(sessions)
NPFX=$(prefixes)
log "$TAG: converged; route via $BASE, $NPFX prefixes, sessions $SESS"
: >"$EV"
event "{\"group\":\"$GROUP\",\"gateway\":\"$GW\",\"mode\":\"$MODE\",\"bfd_ms\":$BFD_MS,\"mult\":$MULT,\"links\":2,\"prefixes\":$NPFX,\"sessions\":\"$SESS\",\"flows\":$FLOWS,\"pps\":$PPS}"

lab_argv srv
"${LAB_ARGV[@]}" "$FO/fo_recv" $PORT 600 "$LAB_DIR/recv.bin" "$LAB_DIR/recv.ready" \
	>"$LAB_DIR/recv.json" 2>"$LAB_DIR/recv.err" &
RECV=$!
for _ in $(seq 50); do [ -e "$LAB_DIR/recv.ready" ] && break; sleep 0.1; done
lab_argv lan
"${LAB_ARGV[@]}" "$FO/fo_send" $SERVER $PORT "$FLOWS" "$PPS" 600 "$LAB_DIR/send.bin" \
	>"$LAB_DIR/send.json" 2>"$LAB_DIR/send.err" &
SEND=$!
if [ $PROC = 1 ]; then
	# the second stream, srv -> LAN host: pinned to up1 (srv's own route
	# is ECMP over both, one hash for all flows), so it crosses BIRD's
	# kernel route to the site (LAB_BIRD_KERNEL) and link1, the primary
	ip -n "$(lab_ns srv)" route replace $LANHOST/32 via 192.0.2.1 dev up1
	lab_argv lan
	"${LAB_ARGV[@]}" "$FO/fo_recv" $RPORT 600 "$LAB_DIR/recv2.bin" "$LAB_DIR/recv2.ready" \
		>"$LAB_DIR/recv2.json" 2>"$LAB_DIR/recv2.err" &
	RECV2=$!
	for _ in $(seq 50); do [ -e "$LAB_DIR/recv2.ready" ] && break; sleep 0.1; done
	lab_argv srv
	"${LAB_ARGV[@]}" "$FO/fo_send" $LANHOST $RPORT "$FLOWS" "$PPS" 600 "$LAB_DIR/send2.bin" 30000 \
		>"$LAB_DIR/send2.json" 2>"$LAB_DIR/send2.err" &
	SEND2=$!
fi
sleep 3
event "{\"scenario\":\"normal\",\"end_ns\":$(lab_now_ns)}"
[ $PROC = 1 ] && SCENARIOS=${FAILOVER_PROC_SCENARIOS:-kill-cp kill-dp peer-gr}
for s in $SCENARIOS; do
	case $s in
	reverse) [ "$MODE" = active-standby ] && scenario reverse silent 2 ;;
	carrier | silent) scenario "$s" "$s" 1 ;;
	kill-cp | kill-dp | peer-gr) proc_scenario "$s" || log "$TAG: $s failed" ;;
	*) log "unknown scenario $s (FAILOVER_SCENARIOS)" ;;
	esac
done
kill -INT $SEND
wait $SEND
[ $PROC = 1 ] && { kill -INT $SEND2; wait $SEND2; }
sleep 0.5
kill -INT $RECV
wait $RECV
[ $PROC = 1 ] && { kill -INT $RECV2; wait $RECV2; }
python3 "$HERE/analyze.py" group --dir "$LAB_DIR" --tag "$TAG" \
	--out "$OUT/failover-$TAG.json" --png "$OUT/failover-$TAG.png"
