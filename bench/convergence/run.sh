#!/usr/bin/env bash
# make convergence: prefix-independent convergence (issue 15 item 1) with
# a full table, measured in the lab. For each mode (active/active, then
# active/standby) a fresh lab (tests/lab.sh: BIRD 2 on up1 and up2, eBGP
# + BFD 50 ms x 3 to twinpath, 10 prefixes each) where both upstreams hold
# CONV_PREFIXES /24s back (LAB_BGP_BULK_OFF) until told; a 10 kpps,
# 64-flow stream LAN -> srv (bench/failover's fo_send/fo_recv) runs
# throughout. Steps, each waited for with probe.py inside the gateway:
#   learn     both BIRDs send the table (birdc enable bulk_feed); until
#             twinpath-dp holds it, both sessions brought it all, and the
#             control plane is settled (no decision pending, outbox empty,
#             generation sent == applied)
#   fail      silent loss on link1 at its far end (fo_fault silent-on:
#             XDP drop + tc egress shot, carrier up: BFD detects, 50 ms x
#             3); until link1 is masked, its session is down and the
#             control plane settled again
#   restore   the loss undone; until link1's session is back, BIRD sent
#             the table again and End-of-RIB, the link is unmasked and the
#             control plane settled
#   withdraw  both BIRDs withdraw the table (birdc disable bulk_feed);
#             until twinpath-dp holds only the routes it had before
# analyze.py turns the snapshots, twinpathd's log and the stream's record
# into bench/out/convergence-MODE.json, then all into
# bench/out/convergence.json with the verdicts, and prints a table. Exit
# non-zero if a verdict fails or a step did not finish.
#
#   bash bench/convergence/run.sh BUILD
#   CONV_MODES="active-active active-standby"   which labs
#   CONV_PREFIXES=1000000   the table (per upstream, the same prefixes)
#   CONV_FAULT=silent       or carrier (fo_fault carrier-down: the link
#                           poll sees it before BFD)
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${1:-${BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
export BUILD
OUT=${CONV_OUT:-$SRC/bench/out}
MODES=${CONV_MODES:-active-active active-standby}
N=${CONV_PREFIXES:-1000000}
FAULT=${CONV_FAULT:-silent}
BFD_MS=50
MULT=3
HOLD=9 # s, BGP hold time on both sides; BFD is what detects
PPS=10000
FLOWS=64
SERVER=198.51.100.10
PORT=9200
PREFIXES=10
FO=$BUILD/bench/failover

log() { echo "convergence: $*" >&2; }

# ---------------------------------------------------------------- parent
if [ "${CONV_CHILD:-}" = "" ]; then
	[ "$(id -u)" -eq 0 ] || { log "must run as root"; exit 1; }
	for t in fo_send fo_recv fo_fault fault.bpf.o; do
		[ -e "$FO/$t" ] || { log "$FO/$t missing: make build"; exit 1; }
	done
	case $FAULT in silent | carrier) ;; *) log "CONV_FAULT $FAULT: silent or carrier"; exit 2 ;; esac
	mkdir -p "$OUT"
	rm -f "$OUT"/convergence-*.json
	trap 'log interrupted; exit 130' INT TERM
	rc=0
	for m in $MODES; do
		log "== $m"
		CONV_CHILD=$m bash "$0" "$BUILD" || {
			log "$m: the run failed (status $?)"
			rc=1
		}
	done
	python3 "$HERE/analyze.py" table --out "$OUT/convergence.json" \
		"$OUT"/convergence-*.json || rc=1
	exit $rc
fi

# ----------------------------------------------------------------- child
MODE=$CONV_CHILD
case $MODE in active-active | active-standby) ;; *) log "unknown mode $MODE"; exit 2 ;; esac
# BIRD on both upstreams (FRR's bgpd takes a table from as many `network`
# lines, too slow here), its BFD thread at SCHED_FIFO 1 (lab.sh's
# default): with BIRD wholly at the default priority (LAB_BIRD_RT=0) up1's
# BFD went silent for 150 ms while the two tables loaded and link1 flapped
# in the middle of the learn step (measured here)
export LAB_PREFIX=twpcv$$ LAB_LINKS=2 LAB_BFD="$BFD_MS $BFD_MS $MULT"
export LAB_BGP_TIMERS="$HOLD 3" LAB_BGP_PREFIXES=$PREFIXES
export LAB_BGP_BULK=$N LAB_BGP_BULK_ALL=1 LAB_BGP_BULK_OFF=1
unset LAB_UP2_FRR LAB_UP2_FRR_BFD LAB_BGP_GR LAB_BIRD_RT
source "$SRC/tests/lab.sh"
TAG=$MODE
EV=$LAB_DIR/events.jsonl

event() { echo "$1" >>"$EV"; }

# probe ARGS...: probe.py in the gateway (see there)
probe() { gw_exec python3 "$HERE/probe.py" "$@"; }

# snap NAME: a snapshot into $LAB_DIR/NAME.json
snap() { probe snap >"$LAB_DIR/$1.json"; }

# waitfor NAME TIMEOUT EXPR [--mark ...]: probe.py wait into NAME.json;
# status 1 (and a line) if EXPR did not hold within TIMEOUT s
waitfor() {
	local name=$1 t=$2 e=$3
	shift 3
	probe wait "$e" --timeout "$t" "$@" >"$LAB_DIR/$name.json" && return 0
	log "$TAG: $name: '$e' not true after $t s"
	return 1
}

# bulk_held ROLE: BIRD on ROLE loaded the held-back table (at its start)
bulk_held() {
	lab_birdc "$1" show route count table bulk4 2>/dev/null | grep -q "^$N of $N routes"
}

fault() {
	case $FAULT in
	silent) ip netns exec "$(lab_ns up1)" "$FO/fo_fault" silent-on eth0 "$FO/fault.bpf.o" ;;
	carrier) ip netns exec "$(lab_ns up1)" "$FO/fo_fault" carrier-down eth0 ;;
	esac
}

restore() {
	local out
	case $FAULT in
	silent) ip netns exec "$(lab_ns up1)" "$FO/fo_fault" silent-off eth0 "$FO/fault.bpf.o" ;;
	carrier)
		# up1's route to the site went with eth0
		out=$(ip netns exec "$(lab_ns up1)" "$FO/fo_fault" carrier-up eth0) || return 1
		ip -n "$(lab_ns up1)" route replace 198.18.0.0/16 via 203.0.113.1
		echo "$out"
		;;
	esac
}

mkdir -p "$OUT"
# the lab lock (COMMON.md), held by this shell and what it starts until
# the lab is down (as bench/failover/run.sh)
exec 9>>/tmp/twp-lab.lock
flock 9
# bounded once the lab is ours: 420 s, then as if Ctrl-C
(exec 9>&-; sleep 420; kill -INT $$) &
WATCHDOG=$!
lab_up || { kill $WATCHDOG; exit 1; }
trap 'kill $WATCHDOG 2>/dev/null; lab_down; exit 130' INT
trap 'kill $WATCHDOG 2>/dev/null; lab_down; exit 143' TERM
trap 'kill $WATCHDOG 2>/dev/null; lab_down' EXIT
python3 "$SRC/bench/failover/gwconf.py" "$SRC/config/lab-bgp-$MODE.conf" \
	"$LAB_DIR/gw.conf" $BFD_MS $MULT $HOLD 2 "$N" || exit 1
# the FIB digest (control/fibcheck.c) every second: twinpathd's model
# against twinpath-dp's tables all through the run
printf 'control = { fib_check_interval_s = 1; };\n' >>"$LAB_DIR/gw.conf"
lab_start_dp "$LAB_DIR/gw.conf" || exit 1
lab_start_cp "$LAB_DIR/gw.conf" || exit 1

BASE='nb(s,"link1")=="Established" and nb(s,"link2")=="Established" and bfd(s,"link1")=="Up" and bfd(s,"link2")=="Up"'
waitfor start 60 "$BASE and min(n['prefixes_accepted'] for n in s['summary']['neighbors']) >= $PREFIXES and settled(s)" ||
	exit 1
for i in $(seq 180); do bulk_held up1 && bulk_held up2 && break; sleep 1; done
bulk_held up1 && bulk_held up2 || { log "$TAG: BIRD did not load the $N held-back prefixes"; exit 1; }
sleep 1
snap base || exit 1
R0=$(lab_json "$LAB_DIR/base.json" 'j["fib"]["routes_ipv4"]')
log "$TAG: sessions up, $R0 IPv4 routes in twinpath-dp; the stream starts"
: >"$EV"
event "{\"gateway\":\"twinpath\",\"mode\":\"$MODE\",\"bfd_ms\":$BFD_MS,\"mult\":$MULT,\"links\":2,\"prefixes\":$N,\"base_routes\":$R0,\"fault_kind\":\"$FAULT\",\"sessions\":\"Established Established Up Up\",\"flows\":$FLOWS,\"pps\":$PPS}"

lab_argv srv
"${LAB_ARGV[@]}" "$FO/fo_recv" $PORT 400 "$LAB_DIR/recv.bin" "$LAB_DIR/recv.ready" \
	>"$LAB_DIR/recv.json" 2>"$LAB_DIR/recv.err" &
RECV=$!
for _ in $(seq 50); do [ -e "$LAB_DIR/recv.ready" ] && break; sleep 0.1; done
lab_argv lan
"${LAB_ARGV[@]}" "$FO/fo_send" $SERVER $PORT "$FLOWS" "$PPS" 400 "$LAB_DIR/send.bin" \
	>"$LAB_DIR/send.json" 2>"$LAB_DIR/send.err" &
SEND=$!
sleep 2
STEPS=""

# learn: the dirty prefixes stream into the FIB push; the table is in
# when twinpath-dp counts it and both sessions brought it all
log "$TAG: both upstreams send $N prefixes"
t0=$(lab_now_ns)
lab_birdc up1 enable bulk_feed >/dev/null && lab_birdc up2 enable bulk_feed >/dev/null ||
	{ log "$TAG: birdc enable bulk_feed failed"; exit 1; }
WANT="routes(s) == $R0 + $N"
ALL="min(n['prefixes_accepted'] for n in s['summary']['neighbors']) == $N + $PREFIXES"
if waitfor learn 240 "$BASE and $WANT and $ALL and settled(s)" --interval 0.2 \
	--mark fib_count="$WANT"; then
	STEPS="$STEPS learn"
	event "{\"step\":\"learn\",\"start_ns\":$t0}"
	sleep 2
	snap s0 || exit 1
	log "$TAG: fault ($FAULT) on link1"
	f=$(fault) || { log "$TAG: fault failed"; exit 1; }
	# settled again: link1 masked and its session gone, every decision
	# made, the outbox empty, the data plane at the generation sent
	if waitfor fail 60 "masked(s) & 1 and nb(s,'link1') != 'Established' and $WANT and settled(s)" \
		--interval 0.05 --mark bfd_down="bfd(s,'link1') != 'Up'" \
		--mark masked="masked(s) & 1"; then
		STEPS="$STEPS fail"
	fi
	# the fault stays 3 s: BIRD's side has seen it as well
	sleep 3
	snap s1 || exit 1
	r=$(restore) || { log "$TAG: restore failed"; exit 1; }
	event "{\"step\":\"fail\",\"fault\":$f,\"restore\":$r}"
	log "$TAG: link1 restored; BIRD sends the table again"
	if waitfor restore 120 "$BASE and masked(s) == 0 and $WANT and $ALL and settled(s)" \
		--interval 0.05 --mark established="nb(s,'link1') == 'Established'" \
		--mark unmasked="masked(s) == 0"; then
		STEPS="$STEPS restore"
	fi
	back=$(lab_now_ns)
	sleep 1
	snap s2 || exit 1
	event "{\"step\":\"restore\",\"restore\":$r,\"back_ns\":$back,\"end_ns\":$(lab_now_ns)}"
	log "$TAG: both upstreams withdraw the table"
	t1=$(lab_now_ns)
	lab_birdc up1 disable bulk_feed >/dev/null && lab_birdc up2 disable bulk_feed >/dev/null ||
		{ log "$TAG: birdc disable bulk_feed failed"; exit 1; }
	if waitfor withdraw 240 "routes(s) == $R0 and settled(s)" --interval 0.2; then
		STEPS="$STEPS withdraw"
	fi
	event "{\"step\":\"withdraw\",\"start_ns\":$t1,\"end_ns\":$(lab_now_ns)}"
	sleep 1
	snap s3
fi
kill -INT $SEND
wait $SEND
sleep 0.5
kill -INT $RECV
wait $RECV
# the daemons' logs beside the result (the lab's directory goes with it)
cp "$LAB_DIR/cp.log" "$OUT/convergence-$MODE.cp.log"
cp "$LAB_DIR/dp.log" "$OUT/convergence-$MODE.dp.log"
python3 "$HERE/analyze.py" mode --dir "$LAB_DIR" --steps "$STEPS" \
	--out "$OUT/convergence-$MODE.json"
