#!/usr/bin/env bash
# make soak (issue 18 item 5): link suspicion's false positives, measured.
# The lab (tests/lab.sh) at the providers' timers, BFD 300 ms x 3 with
# BIRD 2 on both upstreams, active/active, `suspect = { };` (defaults) on
# both links, runs a traffic mix (tests/tools/traffic_mix.py: real TCP
# through the namespaces' stacks, UDP two-way and one-way) from the LAN
# host to three server addresses for SOAK_MINUTES, in slots of
# SOAK_SLOT_S seconds. Each slot has a traffic phase, in turn:
#   bulk    heavy-tailed TCP transfers (Pareto sizes, pauses) + TCP r/r
#   onoff   every source on/off (exponential, 2 s on / 3 s off)
#   idle    near idle: BFD and a trickle of UDP echoes to one address
#   twoway  TCP request/response and UDP echo over many flows
#   oneway  one-way UDP only (nothing to answer)
# and an event from SOAK_SLOT_S/6 to 5/6 of it, in turn:
#   reroute the server moves its return route from ECMP over up1+up2 to
#           one upstream (up2, then up1 the next time): one link gains
#           what the other loses
#   loss    5 % random loss both ways on a link (link1, then link2),
#           bench/soak/loss.bpf.c at its far end
#   dead    a remote host dies: 198.51.100.12 silently black-holed
#   none
# No link fails, so every suspicion is false. /twinpath/bfd (suspicions,
# abstained, the score's peak, suspect.h) and `show bfd` (Down
# transitions) are read every SOAK_POLL_S seconds; analyze.py writes
# bench/out/soak.json and a table; exit 1 unless no suspicion and no BFD
# Down happened.
#
#   bash bench/soak/run.sh BUILD
#   SOAK_MINUTES=20   the traffic's length (at least 3: 6 slots of 30 s
#                     give every phase and event at least once)
#   SOAK_SLOT_S=30    one slot
#   SOAK_POLL_S=5     telemetry period
#   SOAK_OUT=bench/out  where soak.json and the run's files (soak-run/) go
# The whole run is bounded: a watchdog ends it SOAK_MINUTES + 5 minutes
# after the lab is up (waiting for the lab lock: at most 900 s, lab.sh),
# and the lab is torn down on any exit or Ctrl-C.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
BUILD=${1:-${BUILD:-build}}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
export BUILD
MINUTES=${SOAK_MINUTES:-20}
SLOT=${SOAK_SLOT_S:-30}
POLL=${SOAK_POLL_S:-5}
OUT=${SOAK_OUT:-$SRC/bench/out}
WORK=$OUT/soak-run
TX=300
MULT=3
SRVS=(198.51.100.10 198.51.100.11 198.51.100.12)
DEAD=198.51.100.12
PHASES=(bulk onoff idle twoway oneway)
EVENTS=(reroute loss dead none)

log() { echo "soak: $*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "must run as root"; exit 1; }
case $MINUTES in '' | *[!0-9]*) log "SOAK_MINUTES must be whole minutes"; exit 1 ;; esac
[ -e "$BUILD/bench/soak/loss.bpf.o" ] || { log "$BUILD/bench/soak/loss.bpf.o missing: make build"; exit 1; }
NSLOTS=$((MINUTES * 60 / SLOT))
[ "$NSLOTS" -ge 6 ] || log "only $NSLOTS slots: not every phase and event will run (SOAK_MINUTES >= $((6 * SLOT / 60)))"
EV_ON=$((SLOT / 6))
EV_OFF=$((SLOT * 5 / 6))

export LAB_BFD="$TX $TX $MULT"
export LAB_BGP_TIMERS="9 3"
LAB_PREFIX=twpsoak$$
LAB_NO_TRAP=1 # our own traps below: the watchdog goes with the lab
source "$SRC/tests/lab.sh"

rm -rf "$WORK"
mkdir -p "$WORK"
WATCHDOG=
cleanup() {
	if [ -n "$WATCHDOG" ]; then
		# the watchdog first, then its sleep (which, killed, ends the
		# watchdog's `&&` without the kill)
		kill "$WATCHDOG" 2>/dev/null
		pkill -P "$WATCHDOG" 2>/dev/null
	fi
	lab_down
}
trap cleanup EXIT
trap 'cleanup; trap - EXIT; exit 130' INT
trap 'cleanup; trap - EXIT; exit 143' TERM

now_ns() { lab_now_ns; }
# event KIND DETAIL: one line of the timeline (CLOCK_MONOTONIC ns)
event() { printf '{"t_ns": %s, "kind": "%s", "detail": "%s"}\n' "$(now_ns)" "$1" "$2" >>"$WORK/events.jsonl"; }

# poll: /twinpath/bfd and show bfd, one JSON line with the time read
poll() {
	local t
	t=$(now_ns)
	lab_stats /twinpath/bfd >"$WORK/poll.bfd" 2>/dev/null || return 0
	lab_ctl --json show bfd >"$WORK/poll.show" 2>/dev/null || echo '{}' >"$WORK/poll.show"
	python3 - "$t" "$WORK/poll.bfd" "$WORK/poll.show" >>"$WORK/polls.jsonl" <<'PY' || true
import json, sys
b = json.load(open(sys.argv[2]))["/twinpath/bfd"]
try:
    show = {l["name"]: l for l in json.load(open(sys.argv[3])).get("links", [])}
except ValueError:
    show = {}
for name, l in b.items():
    s = show.get(name, {})
    l["down_count"] = s.get("down_count")
print(json.dumps({"t_ns": int(sys.argv[1]), "links": b}))
PY
}

# sleep_until T_NS: polling every POLL seconds meanwhile
sleep_until() {
	local t left
	while :; do
		t=$(now_ns)
		[ "$t" -ge "$1" ] && return 0
		if [ $((t - LAST_POLL)) -ge $((POLL * 1000000000)) ]; then
			poll
			LAST_POLL=$t
			continue
		fi
		left=$(( ($1 - t) / 1000000 ))
		[ $left -gt 1000 ] && left=1000
		sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
	done
}

# profile PHASE K: traffic_mix.py client options for server address K
profile() {
	case $1 in
	bulk) echo "--bulk 4 --bulk-rate 200000 --heavy-tail --tail-min 32768 --rr 16 --rr-rate 2" ;;
	onoff) echo "--on-off 2:3 --bulk 2 --bulk-rate 150000 --rr 16 --rr-rate 4 --udp-rr-flows 8 --udp-rr-rate 100 --udp-oneway-flows 4 --udp-oneway-rate 150" ;;
	idle) [ "$2" = 0 ] && echo "--udp-rr-flows 1 --udp-rr-rate 2" ;;
	twoway) echo "--rr 48 --rr-rate 3 --udp-rr-flows 32 --udp-rr-rate 250" ;;
	oneway) echo "--udp-oneway-flows 32 --udp-oneway-rate 400" ;;
	esac
}

RR_UP=0
LOSS_LINK=0
# ev_on KIND / ev_off KIND: the slot's event
ev_on() {
	local srv
	srv=$(lab_ns srv)
	case $1 in
	reroute)
		RR_UP=$((RR_UP % 2 + 1))
		if [ $RR_UP = 2 ]; then
			ip -n "$srv" route replace 198.18.0.0/16 via 192.0.2.5 dev up2
		else
			ip -n "$srv" route replace 198.18.0.0/16 via 192.0.2.1 dev up1
		fi
		event reroute_on "srv returns over up$RR_UP only: link$RR_UP gains what link$((3 - RR_UP)) loses" ;;
	loss)
		LOSS_LINK=$((LOSS_LINK % 2 + 1))
		local up
		up=$(lab_ns "up$LOSS_LINK")
		ip -n "$up" -force link set dev eth0 xdpdrv obj "$BUILD/bench/soak/loss.bpf.o" sec xdp &&
			ip netns exec "$up" tc qdisc replace dev eth0 clsact &&
			ip netns exec "$up" tc filter add dev eth0 egress bpf da obj "$BUILD/bench/soak/loss.bpf.o" sec tc ||
			log "loss on link$LOSS_LINK: setup failed"
		event loss_on "5 % loss both ways on link$LOSS_LINK" ;;
	dead)
		ip -n "$srv" addr del $DEAD/32 dev lo &&
			ip -n "$srv" route add blackhole $DEAD/32 ||
			log "dead host: setup failed"
		event dead_on "$DEAD black-holed at srv" ;;
	none) ;;
	esac
}
ev_off() {
	local srv
	srv=$(lab_ns srv)
	case $1 in
	reroute)
		ip -n "$srv" route replace 198.18.0.0/16 \
			nexthop via 192.0.2.1 dev up1 nexthop via 192.0.2.5 dev up2
		event reroute_off "srv returns over up1+up2 again" ;;
	loss)
		local up
		up=$(lab_ns "up$LOSS_LINK")
		ip -n "$up" -force link set dev eth0 xdpdrv obj "$BUILD/bpf/xdp_pass.bpf.o" sec xdp
		ip netns exec "$up" tc qdisc del dev eth0 clsact 2>/dev/null
		event loss_off "link$LOSS_LINK without loss" ;;
	dead)
		ip -n "$srv" route del blackhole $DEAD/32
		ip -n "$srv" addr add $DEAD/32 dev lo
		event dead_off "$DEAD answers again" ;;
	none) ;;
	esac
}

log "== lab up: BIRD BFD and twinpath at $TX ms x $MULT, active/active, suspect { } on both links"
lab_up || { log "lab did not come up"; exit 1; }
# the watchdog, from when the lab lock is ours (lab_up waits up to 900 s
# for it): its TERM reaches the trap above (lab down, exit 143)
# (`&&`: a sleep killed by cleanup ends it quietly; with `;` the 20-minute
# run of 06:12 was stopped by its own watchdog just after its last slot,
# before the analysis, when cleanup killed the sleep before the subshell)
( sleep $((MINUTES * 60 + 300)) && { log "watchdog: $((MINUTES + 5)) min passed, stopping"; kill -TERM $$; } ) &
WATCHDOG=$!
conf=$LAB_DIR/gw-soak.conf
lab_gw_bfd_config "$conf" $TX $TX $MULT "suspect=" || exit 1
cp "$conf" "$WORK/gw.conf"
lab_argv srv
"${LAB_ARGV[@]}" sysctl -qw net.ipv4.fib_multipath_hash_policy=1 || { log "srv: multipath hash"; exit 1; }
ip -n "$(lab_ns srv)" addr add 198.51.100.11/32 dev lo
ip -n "$(lab_ns srv)" addr add $DEAD/32 dev lo
lab_start_dp "$conf" || { log "twinpath-dp did not start"; exit 1; }
lab_start_cp "$conf" || { log "twinpathd did not start"; exit 1; }
up=0
for _ in $(seq 120); do
	if lab_ctl --json show bfd 2>/dev/null | python3 -c '
import json, sys
L = {l["name"]: l for l in json.load(sys.stdin)["links"]}
sys.exit(0 if all(L[n]["state"] == "Up" for n in ("link1", "link2")) else 1)' 2>/dev/null &&
		lab_ctl --json show routes 2>/dev/null | python3 -c '
import json, sys
r = [r for r in json.load(sys.stdin) if r["prefix"] == "198.51.100.0/24"]
sys.exit(0 if r and sorted(m["via"] for m in r[0]["primary"]) == ["link1", "link2"] else 1)' 2>/dev/null; then
		up=1
		break
	fi
	sleep 0.5
done
[ $up = 1 ] || { log "BFD not Up on both links or 198.51.100.0/24 not over both within 60 s"; exit 1; }
log "both links Up, 198.51.100.0/24 over both"
for k in 0 1 2; do
	lab_listen srv "srv$k" traffic_mix.py server --bind "${SRVS[$k]}" \
		--duration $((MINUTES * 60 + 120)) || { log "server ${SRVS[$k]} did not start"; exit 1; }
done

T0=$(now_ns)
LAST_POLL=0
event start "$NSLOTS slots of $SLOT s"
poll
for ((i = 0; i < NSLOTS; i++)); do
	ts=$((T0 + i * SLOT * 1000000000))
	sleep_until $ts
	phase=${PHASES[$((i % ${#PHASES[@]}))]}
	ev=${EVENTS[$((i % ${#EVENTS[@]}))]}
	log "slot $((i + 1))/$NSLOTS: $phase, event $ev"
	event phase "$phase"
	pids=()
	for k in 0 1 2; do
		args=$(profile "$phase" $k)
		[ -n "$args" ] || continue
		lab_argv lan
		# shellcheck disable=SC2086 # the profile is words
		"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/traffic_mix.py" client \
			--server "${SRVS[$k]}" --duration $((SLOT - 2)) $args \
			--sport-base $((20000 + 2000 * k + 1000 * (i % 2))) \
			--seed $((i * 3 + k + 1)) --out "$WORK/slot$i-$phase-$k.json" \
			2>"$WORK/slot$i-$k.err" &
		pids+=($!)
	done
	sleep_until $((ts + EV_ON * 1000000000))
	ev_on "$ev"
	sleep_until $((ts + EV_OFF * 1000000000))
	ev_off "$ev"
	sleep_until $((ts + (SLOT - 1) * 1000000000))
	for p in "${pids[@]}"; do wait "$p"; done
done
sleep_until $((T0 + NSLOTS * SLOT * 1000000000))
poll
event end ""
cp "$LAB_DIR/dp.log" "$WORK/dp.log" 2>/dev/null
grep -h "suspect:" "$LAB_DIR/dp.log" >"$WORK/suspect.log" 2>/dev/null
for k in 0 1 2; do
	lab_stop_pidfile "$LAB_DIR/srv$k.sinkpid" 2>/dev/null
	cp "$LAB_DIR/srv$k.json" "$WORK/srv$k.json" 2>/dev/null
done
cleanup
trap - EXIT INT TERM
python3 "$HERE/analyze.py" --work "$WORK" --out "$OUT/soak.json" --minutes "$MINUTES" \
	--slot "$SLOT" --commit "$(git -C "$SRC" describe --always --dirty 2>/dev/null || echo unknown)"
