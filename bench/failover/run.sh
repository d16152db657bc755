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
# Dual stack (issue 16 item 4) in the two-link link-fault groups (as-*,
# aa-*): the lab also runs IPv6 (tests/lab.sh LAB_BGP_V6=1
# LAB_V6_HOSTS=1: the upstreams announce 2001:db8:100::/48 over the same
# IPv4 sessions, so one BGP and one BFD session per link carry both
# families, as one session a link does in a dual-stack deployment) and a
# second stream, IPv6, LAN host 2001:db8:ff::10 -> srv 2001:db8:100::10,
# runs beside the IPv4 one through every fault of the group: both
# families fail over together, each measured and judged on its own.
#
#   bash bench/failover/run.sh BUILD
#   FAILOVER_GATEWAYS="twinpath linux-frr"  which gateways (default both)
#   FAILOVER_GROUPS="as-50 as-300 aa-50 proc-50 aa4-50 scale-50 sus-300
#     sus-1000"  which labs (mode-bfd_ms; proc: active/standby, process faults instead of
#     link faults, a second stream srv -> LAN, BGP graceful restart on;
#     twinpath only. aa4: active/active over four links (LAB_LINKS=4, two
#     upstream pairs), carrier and silent loss on each link in turn.
#     scale: active/standby, BIRD on both upstreams; silent loss with the
#     10 prefixes, then again after both upstreams announced
#     FAILOVER_SCALE_N more /24s each, a full table with a backup path)
#     sus: link suspicion (issue 18) at the providers' BFD timers, 300 ms
#     x 3 and 1 000 ms x 5, active/active, twinpath with links.suspect {
#     steer_return = "more-specific"; }, BIRD on both upstreams joined by
#     iBGP (LAB_PROVIDER_CORE: the provider's return traffic follows its
#     BGP), a mix of real TCP (bulk, request/response) and UDP
#     (request/response, one-way) from tests/tools/traffic_mix.py beside
#     the probe streams both ways, and the silent loss of link1 cut both
#     ways, in the site's outbound direction alone and in the inbound one
#     alone)
#   FAILOVER_SUS_SCENARIOS="silent silent-out silent-in"  the sus groups'
#     faults (silent-out: only frames from the gateway die at up1; in:
#     only frames to it)
#   FAILOVER_SUS_PPS=2000  the sus groups' probe streams, each way
#   FAILOVER_SCALE_N=1000000  the scale group's table (linux-frr:
#     FAILOVER_SCALE_N_FRR, default the same)
#   FAILOVER_SCENARIOS="carrier silent reverse"  which faults (reverse:
#     link2 fails while link1 carries; active/standby only)
#   FAILOVER_PROC_SCENARIOS="kill-cp kill-dp peer-gr"  proc's faults
#   FAILOVER_PPS=10000 FAILOVER_FLOWS=64
#   FAILOVER_PPS6=FAILOVER_PPS FAILOVER_FLOWS6=FAILOVER_FLOWS  the IPv6
#     stream of the as and aa groups (its own 64 source ports, port 9210);
#     FAILOVER_V6=0: IPv4 alone, as before
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
GROUPS_=${FAILOVER_GROUPS:-as-50 as-300 aa-50 proc-50 aa4-50 scale-50 sus-300 sus-1000}
SCENARIOS=${FAILOVER_SCENARIOS:-carrier silent reverse}
PPS=${FAILOVER_PPS:-10000}
FLOWS=${FAILOVER_FLOWS:-64}
PPS6=${FAILOVER_PPS6:-$PPS}
FLOWS6=${FAILOVER_FLOWS6:-$FLOWS}
MULT=3
HOLD=9 # s, BGP hold time on both sides; BFD is what detects
SERVER=198.51.100.10
SERVER_B=198.51.100.11 # sus: traffic_mix.py's second server address
PORT=9200
SERVER6=2001:db8:100::10 # the IPv6 stream's receiver (tests/lab.sh LAB_V6_HOSTS)
PORT6=9210
P6=2001:db8:100::/48 # the upstreams' IPv6 announcement, the server's
V6=0 # 1: the group runs dual stack (as, aa)
LANHOST=198.18.1.10 # the srv -> LAN stream's receiver (proc groups)
RPORT=9201
PREFIXES=10
LINKS=2
SCALE=0
SUS=0
TMIX_TCP=9300 # traffic_mix.py's ports on the server
TMIX_UDP=9301
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
as) MODE=active-standby V6=${FAILOVER_V6:-1} ;;
proc)
	# process faults (issue 13): active/standby, GR helpers upstream
	# (BIRD `graceful restart on;`, FRR `bgp graceful-restart`) and up1
	# forwarding to the site on the route BIRD learned from us, so a
	# helper that dropped our route would show as srv -> LAN loss
	MODE=active-standby PROC=1
	export LAB_BGP_GR=1 LAB_BIRD_KERNEL=1
	;;
aa) MODE=active-active V6=${FAILOVER_V6:-1} ;;
aa4)
	# four links, two upstream pairs (the 99.99 % tier): up1, up3, up4
	# BIRD, up2 FRR as in aa; equal local-pref, one four-member ECMP group
	MODE=active-active LINKS=4
	;;
scale)
	# the silent-loss failover at 10 prefixes and at a full table: BIRD
	# on both upstreams, each announcing SCALE_N /24s besides the 10, so
	# every prefix has its backup (BGP PIC edge: one shared group)
	MODE=active-standby SCALE=${FAILOVER_SCALE_N:-1000000}
	[ "$GW" = linux-frr ] && SCALE=${FAILOVER_SCALE_N_FRR:-$SCALE}
	# BIRD at its default priority: at SCHED_FIFO (lab.sh's default with
	# BFD) the two BIRDs loading a million routes each held both cores,
	# the gateway's BFD packets stopped and every session flapped in a
	# loop (measured: 83 BFD teardowns, the table never loaded)
	export LAB_BGP_BULK=$SCALE LAB_BGP_BULK_ALL=1 LAB_BIRD_RT=0
	;;
sus)
	# link suspicion at the providers' timers (issue 18): GCP's 1 000 ms
	# comes with a multiplier of 5, AWS's and Azure's 300 ms with 3
	MODE=active-active SUS=1 PPS=${FAILOVER_SUS_PPS:-2000}
	[ "$BFD_MS" -ge 1000 ] && MULT=5
	export LAB_PROVIDER_CORE=1
	;;
*) log "unknown group $GROUP"; exit 2 ;;
esac
export LAB_PREFIX=twpfo$$ LAB_LINKS=$LINKS
export LAB_BFD="$BFD_MS $BFD_MS $MULT" LAB_UP2_FRR=1 LAB_UP2_FRR_BFD=1
# scale: BIRD on up2 as well (FRR's bgpd takes its 1 M routes from as many
# `network` lines, too slow to load here)
[ "$SCALE" = 0 ] || unset LAB_UP2_FRR LAB_UP2_FRR_BFD
# sus: BIRD on up2 too, for the provider's iBGP between its two PoPs
[ "$SUS" = 0 ] || unset LAB_UP2_FRR LAB_UP2_FRR_BFD
# up1's BIRD sends no MED: up2's FRR none either (0), so the gateways'
# own policy alone decides, and active/active is a true ECMP pair
export LAB_UP2_FRR_MED=0 LAB_BGP_TIMERS="$HOLD 3" LAB_BGP_PREFIXES=$PREFIXES
[ "$GW" = linux-frr ] && export LAB_GW=linux-frr
# dual stack: IPv6 on the links, the hosts and the upstreams' announcements
# (IPv6 NLRI over the IPv4 sessions, up2's FRR as up1's BIRD)
[ "$V6" = 1 ] && export LAB_BGP_V6=1 LAB_V6_HOSTS=1
source "$SRC/tests/lab.sh"
TAG="$GW-$GROUP"
EV=$LAB_DIR/events.jsonl

# twinpath_conf OUT: config/lab-bgp-MODE.conf with BFD on both links at
# our timers, the lab's short BGP timers, and without GTSM and TCP MD5
# (the Linux gateway runs the same policy without them).
twinpath_conf() {
	python3 "$HERE/gwconf.py" $([ "$V6" = 1 ] && echo --v6) \
		"$SRC/config/lab-bgp-$MODE.conf" "$1" "$BFD_MS" "$MULT" "$HOLD" "$LINKS" "$SCALE" \
		$([ "$SUS" = 1 ] && echo more-specific)
}

# frr_gw_conf: the Linux gateway's FRR (zebra, bfdd, bgpd) with twinpath's
# policy: local-pref 200/100 (equal for active/active, maximum-paths
# LINKS), our AS prepended twice and MED 100 toward up2 as backup; RFC 8212
# filters as twinpath's import/announce (scale: the full table too); BFD
# on every session. Dual stack: the same policy for IPv6 (2001:db8:100::/48
# in, 2001:db8:ff::/48 out) in route-map entries of their own, ipv6
# unicast activated on the IPv4 sessions.
frr_gw_conf() {
	local lp2=100 lp1=200 n p f seq af pin pout
	[ "$MODE" = active-active ] && lp1=100
	printf 'hostname gw\n' >"$LAB_DIR/gw.zebra.conf"
	# Routes carry their own next hops, not kernel nexthop objects
	# (zebra's default, FAILOVER_FRR_KERNEL_NHG=1): with those, FRR 8.4
	# left an active/active route on link2 alone after link1's carrier
	# came back, while bgpd had both paths as multipath (measured here),
	# and every later row of the group measured nothing.
	[ "${FAILOVER_FRR_KERNEL_NHG:-0}" = 1 ] ||
		printf 'no zebra nexthop kernel enable\n' >>"$LAB_DIR/gw.zebra.conf"
	# bfdd logs its sessions' state changes (debug bfd peer: no packet
	# is logged) with microseconds: detection and reaction, as twinpath's
	# (a log file of its own: --log's target ignores the precision)
	printf 'log file %s debugging\nlog timestamp precision 6\ndebug bfd peer\nbfd\n profile fast\n  transmit-interval %s\n  receive-interval %s\n  detect-multiplier %s\n exit\nexit\n' \
		"$LAB_DIR/gw.frr/bfdd.log" "$BFD_MS" "$BFD_MS" "$MULT" >"$LAB_DIR/gw.bfdd.conf"
	{
		printf 'hostname gw\n'
		printf 'ip prefix-list PROVIDER seq 5 permit 198.51.100.0/24 le 32\n'
		[ "$SCALE" = 0 ] ||
			printf 'ip prefix-list PROVIDER seq 10 permit 16.0.0.0/4 ge 24 le 24\n'
		printf 'ip prefix-list SITE seq 5 permit 198.18.0.0/16\n'
		if [ "$V6" = 1 ]; then
			printf 'ipv6 prefix-list PROVIDER6 seq 5 permit 2001:db8:100::/48 le 64\n'
			printf 'ipv6 prefix-list SITE6 seq 5 permit 2001:db8:ff::/48\n'
		fi
		# seq 10 IPv4, seq 20 the same for IPv6 (dual stack)
		for f in "10 ip PROVIDER SITE" "20 ipv6 PROVIDER6 SITE6"; do
			read -r seq af pin pout <<<"$f"
			[ "$af" = ip ] || [ "$V6" = 1 ] || continue
			printf 'route-map UP1_IN permit %s\n match %s address prefix-list %s\n set local-preference %s\nexit\n' $seq $af $pin $lp1
			for n in $(seq 2 $LINKS); do
				printf 'route-map UP%s_IN permit %s\n match %s address prefix-list %s\n set local-preference %s\nexit\n' $n $seq $af $pin $lp2
			done
			printf 'route-map UP1_OUT permit %s\n match %s address prefix-list %s\nexit\n' $seq $af $pout
			for n in $(seq 3 $LINKS); do
				printf 'route-map UP%s_OUT permit %s\n match %s address prefix-list %s\nexit\n' $n $seq $af $pout
			done
			printf 'route-map UP2_OUT permit %s\n match %s address prefix-list %s\n' $seq $af $pout
			[ "$MODE" = active-standby ] &&
				printf ' set as-path prepend 65001 65001\n set metric 100\n'
			printf 'exit\n'
		done
		printf 'router bgp 65001\n bgp router-id 198.18.1.1\n timers bgp 3 %s\n' $HOLD
		for n in $(seq $LINKS); do
			p=203.0.113.$((4 * n - 2))
			printf ' neighbor %s remote-as 35540\n neighbor %s timers connect 1\n' $p $p
			printf ' neighbor %s bfd profile fast\n' $p
		done
		printf ' address-family ipv4 unicast\n  network 198.18.0.0/16\n'
		[ "$MODE" = active-active ] && printf '  maximum-paths %s\n' $LINKS
		for n in $(seq $LINKS); do
			p=203.0.113.$((4 * n - 2))
			printf '  neighbor %s route-map UP%s_IN in\n' $p $n
			printf '  neighbor %s route-map UP%s_OUT out\n' $p $n
		done
		printf ' exit-address-family\n'
		if [ "$V6" = 1 ]; then
			printf ' address-family ipv6 unicast\n  network 2001:db8:ff::/48\n'
			[ "$MODE" = active-active ] && printf '  maximum-paths %s\n' $LINKS
			for n in $(seq $LINKS); do
				p=203.0.113.$((4 * n - 2))
				printf '  neighbor %s activate\n' $p
				printf '  neighbor %s route-map UP%s_IN in\n' $p $n
				printf '  neighbor %s route-map UP%s_OUT out\n' $p $n
			done
			printf ' exit-address-family\n'
		fi
		printf 'exit\n'
	} >"$LAB_DIR/gw.bgpd.conf"
}

# vias [PREFIX]: the gateway's next hops toward the server's prefix (IPv4,
# or PREFIX: the IPv6 one), "link1,link2" (scale, twinpath: the RIB's best
# and multipath paths, `show bgp routes PREFIX`, and wait_fib_synced for
# the data plane: `show routes` would print the whole table)
vias() {
	local pfx=${1:-198.51.100.0/28}
	if [ "$GW" = twinpath ] && [ "$SCALE" != 0 ]; then
		lab_ctl --json show bgp routes 198.51.100.0/28 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
j = j.get("routes", j) if isinstance(j, dict) else j
r = [r for r in j if r["prefix"] == "198.51.100.0/28"]
p = r[0]["paths"] if r else []
print(",".join(sorted(x["link"] for x in p if x["role"] in ("best", "multipath"))) or "none")'
	elif [ "$GW" = twinpath ]; then
		# an IPv6 next hop's via is ADDR@LINK (its link-local address)
		lab_ctl --json show routes 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
r = [r for r in j if r["prefix"] == sys.argv[1]]
print(",".join(sorted(m["via"].split("@")[-1] for m in r[0]["primary"])) if r else "none")' "$pfx"
	else
		ns_exec gw ip -j $([ "$pfx" = "${pfx#*:}" ] || echo -6) route show "$pfx" 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
if not j: print("none"); sys.exit()
r = j[0]
d = [h["dev"] for h in r.get("nexthops", [])] or [r.get("dev")]
print(",".join(sorted(d)))'
	fi
}

# prefixes: BGP-learned prefixes toward the provider in the gateway's FIB
# (scale: every BGP prefix, the twinpath RIB's / the kernel's count)
prefixes() {
	if [ "$SCALE" != 0 ]; then
		if [ "$GW" = twinpath ]; then
			lab_ctl --json show bgp summary 2>/dev/null | python3 -c '
import json, sys
print(json.load(sys.stdin)["loc_rib"]["ipv4"])'
		else
			ns_exec gw ip -4 route show proto bgp | wc -l
		fi
	elif [ "$GW" = twinpath ]; then
		lab_ctl --json show routes 2>/dev/null | python3 -c '
import json, sys
print(sum(1 for r in json.load(sys.stdin) if r["prefix"].startswith("198.51.100.")))'
	else
		ns_exec gw ip route show proto bgp | grep -c '^198\.51\.100\.'
	fi
}

# sessions: "BGP1 BGP2 BFD1 BFD2" states as the gateway sees them (four
# links: BGP1..BGP4 BFD1..BFD4)
sessions() {
	if [ "$GW" = twinpath ]; then
		{ lab_ctl --json show bgp summary; echo; lab_ctl --json show bfd; } 2>/dev/null | python3 -c '
import json, sys
a, b = [json.loads(l) for l in sys.stdin.read().split("\n") if l.strip()][:2]
N = {n["link"]: n["state"] for n in a["neighbors"]}
L = {l["name"]: l["state"] for l in b["links"]}
k = ["link%d" % i for i in range(1, int(sys.argv[1]) + 1)]
print(*([N.get(x) for x in k] + [L.get(x) for x in k]))' "$LINKS"
	else
		{ lab_vtysh gw "show bgp summary json"; echo; LAB_VTYSH_DAEMON=bfdd lab_vtysh gw "show bfd peers json"; } 2>/dev/null | python3 -c '
import json, sys, re
t = sys.stdin.read()
i = t.index("\n[")
a, b = json.loads(t[:i]), json.loads(t[i:])
P = a["ipv4Unicast"]["peers"]
B = {p["peer"]: p["status"] for p in b}
st = lambda p: P.get(p, {}).get("state", "?")
k = ["203.0.113.%d" % (4 * i - 2) for i in range(1, int(sys.argv[1]) + 1)]
print(*([st(x) for x in k] + [B.get(x) for x in k]))' "$LINKS"
	fi
}

# sessions_up: what sessions says with every session Established and Up
sessions_up() {
	local n
	for n in $(seq $LINKS); do printf 'Established '; done
	for n in $(seq $LINKS); do printf '%s ' "$1"; done
}

# wait_vias WANT SECONDS: until the route toward the server is WANT (dual
# stack: the IPv6 one too)
wait_vias() {
	local deadline=$((SECONDS + $2)) got got6=
	while :; do
		got=$(vias)
		[ "$V6" = 1 ] && [ "$got" = "$1" ] && got6=$(vias $P6)
		[ "$got" = "$1" ] && { [ "$V6" = 0 ] || [ "$got6" = "$1" ]; } && return 0
		[ $SECONDS -ge $deadline ] && {
			log "route via '$got'${got6:+, IPv6 via '$got6'}, want '$1'"
			return 1
		}
		sleep 0.25
	done
}

# wait_resolved SECONDS: until twinpathd has every next hop's MAC
wait_resolved() {
	local deadline=$((SECONDS + $1))
	while :; do
		lab_ctl --json show nexthops 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
sys.exit(0 if j and all(n["resolved"] for n in j) else 1)' && return 0
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.25
	done
}

# wait_sessions SECONDS: until both BGP sessions are Established and
# both BFD sessions Up, as the gateway sees them
wait_sessions() {
	local deadline=$((SECONDS + $1))
	local up=$(sessions_up Up) up_frr=$(sessions_up up) got
	while :; do
		got="$(sessions) "
		[ "$got" = "$up" ] || [ "$got" = "$up_frr" ] && return 0
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.25
	done
}

# bfd_change LINK: twinpath's health map timestamp of LINK's last state
# change (CLOCK_MONOTONIC ns) and its state: "NS STATE"
bfd_change() {
	[ "$GW" = twinpath ] || { frr_bfd_change "$1"; return; }
	lab_ctl --json show bfd 2>/dev/null | python3 -c '
import json, sys
l = [l for l in json.load(sys.stdin)["links"] if l["name"] == sys.argv[1]][0]
print(l["last_change_ns"], l["state"].replace(" ", "_"))' "$1"
}

# frr_bfd_change linkN: the Linux + FRR gateway's last BFD state change
# toward linkN's peer, from bfdd's log ("state-change: [... peer:ADDR
# ...] up -> down reason:..."), its wall-clock time (microseconds, local
# time) turned into CLOCK_MONOTONIC ns like the fault's: "NS STATE", or
# "0 -" when the log has none.
frr_bfd_change() {
	python3 - "$LAB_DIR/gw.frr/bfdd.log" "203.0.113.$((4 * ${1#link} - 2))" <<'PY'
import re, sys, time
last = None
pat = re.compile(r"^(\d{4}/\d\d/\d\d \d\d:\d\d:\d\d)\.(\d{6}) .*state-change: "
                 r"\[.*peer:" + re.escape(sys.argv[2]) + r"[ \]].*\] \S+ -> (\S+)")
try:
    for line in open(sys.argv[1], errors="replace"):
        m = pat.search(line)
        if m:
            last = m
except OSError:
    pass
if last is None:
    print("0 -")
    sys.exit(0)
wall_ns = int(time.mktime(time.strptime(last.group(1), "%Y/%m/%d %H:%M:%S"))) * 10**9 \
    + int(last.group(2)) * 1000
# the same instant on CLOCK_MONOTONIC (the fault's clock)
off = time.time_ns() - time.clock_gettime_ns(time.CLOCK_MONOTONIC)
print(wall_ns - off, last.group(3))
PY
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
		if [ "$V6" = 1 ]; then
			lab_vtysh gw "show bgp ipv6 unicast $P6"
			ns_exec gw ip -6 route show $P6
		fi
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
	# one direction alone: the site's outbound traffic (frames from the
	# gateway, dropped at upN's XDP), or its inbound (frames to it)
	silent-out) ip netns exec "$ns" "$FO/fo_fault" silent-on eth0 "$FO/fault.bpf.o" in ;;
	silent-in) ip netns exec "$ns" "$FO/fo_fault" silent-on eth0 "$FO/fault.bpf.o" out ;;
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
		# IPv6: the link's prefix route comes back with the carrier,
		# a moment later than the address (keep_addr_on_down)
		[ "$V6" = 1 ] && for _ in $(seq 20); do
			ip -n "$ns" -6 route replace 2001:db8:ff::/48 via "2001:db8:$2::1" 2>/dev/null && break
			sleep 0.05
		done
		echo "$out"
		;;
	silent*) ip netns exec "$ns" "$FO/fo_fault" silent-off eth0 "$FO/fault.bpf.o" ;;
	esac
}

# scenario NAME KIND N: fault on link N, 3 s, restore, wait until the route
# is back as before, 2 s more. Events for analyze.py.
scenario() {
	local name=$1 kind=$2 n=$3 f r down back st
	log "$TAG: $name ($kind on link$n)"
	f=$(fault "$kind" "$n") || { log "fault $kind link$n failed"; return 1; }
	sleep 3
	# scale, full table: the fault stays until the route toward the
	# server is on link2 (<= FAILOVER_SCALE_HOLD s, 60), so a gateway
	# slower than 3 s is measured, not cut short by the restore
	if [ "$SCALE" != 0 ] && [ "$(prefixes)" -gt $PREFIXES ]; then
		wait_vias link2 "${FAILOVER_SCALE_HOLD:-60}" ||
			log "$TAG: $name: route not on link2 ${FAILOVER_SCALE_HOLD:-60} s after the fault"
	fi
	read -r down st <<<"$(bfd_change "link$n")"
	r=$(restore "$kind" "$n") || { log "restore $kind link$n failed"; return 1; }
	wait_vias "$BASE" 30 || {
		log "$TAG: $name: route not back as '$BASE' 30 s after the restore"
		diag >"$LAB_DIR/$name.diag" 2>&1
		sed 's/^/    /' "$LAB_DIR/$name.diag" >&2
	}
	# and the other link's sessions too (reverse: link1 never left)
	wait_sessions 30 || log "$TAG: $name: sessions $(sessions) 30 s after the restore"
	# scale, full table: until it is all back on link1 in the data plane
	[ "$SCALE" != 0 ] && [ "$(prefixes)" -gt $PREFIXES ] && { wait_table 45 ||
		log "$TAG: $name: the table not back on link1 45 s after the restore"; }
	back=$(lab_now_ns)
	sleep 2
	event "{\"scenario\":\"$name\",\"kind\":\"$kind\",\"link\":$n,\"fault\":$f,\"restore\":$r,\"bfd_down_ns\":$down,\"bfd_state\":\"$st\",\"back_ns\":$back,\"end_ns\":$(lab_now_ns)}"
}

# twoway: "NS IN OUT", the two-way traffic's frames through link1 so far
# (fo_fault count at srv's interface toward up1: in, the site's; out, the
# server's answers), for a record's two_way_pps
twoway() {
	ip netns exec "$(lab_ns srv)" "$FO/fo_fault" count up1 | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(j["ns"], j["in"], j["out"])'
}

# suspect_states: twinpath's suspicion state of every link, "clear clear"
suspect_states() {
	lab_tpstat /twinpath/bfd 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)["/twinpath/bfd"]
print(*[j.get("link%d" % i, {}).get("suspect_state", "-") for i in range(1, int(sys.argv[1]) + 1)])' "$LINKS"
}

# wait_clear SECONDS: until no link is suspected or in its hold-down
wait_clear() {
	local deadline=$((SECONDS + $1)) want
	want=$(for n in $(seq $LINKS); do printf 'clear '; done)
	while :; do
		[ "$(suspect_states) " = "$want" ] && return 0
		[ $SECONDS -ge $deadline ] && { log "suspicion states $(suspect_states)"; return 1; }
		sleep 0.25
	done
}

# sus_scenario KIND: the sus groups' silent fault on link1 (silent: both
# ways; silent-out, silent-in: one), held the BFD detection time and 2 s
# more so BFD's verdict comes in, then restored; then wait until the
# route, the sessions and (twinpath) the suspicion states are as before,
# 2 s more for the restore row, and SUSPECT_QUIET_S more before the next
# fault (a link's silence window scales with its longest quiet gap of
# the last 10 s: the fault's own gap would blunt the next suspicion)
SUSPECT_QUIET_S=11
sus_scenario() {
	local kind=$1 f r down st t0 a0 b0 t1 a1 b1 tw hold_ms back
	log "$TAG: $kind on link1"
	read -r t0 a0 b0 <<<"$(twoway)"
	sleep 1
	read -r t1 a1 b1 <<<"$(twoway)"
	tw=$(((a1 - a0 + b1 - b0) * 1000000000 / (t1 - t0)))
	f=$(fault "$kind" 1) || { log "fault $kind link1 failed"; return 1; }
	hold_ms=$((BFD_MS * MULT + 2000))
	sleep "$((hold_ms / 1000)).$(printf %03d $((hold_ms % 1000)))"
	read -r down st <<<"$(bfd_change link1)"
	r=$(restore "$kind" 1) || { log "restore $kind link1 failed"; return 1; }
	wait_vias "$BASE" 30 || log "$TAG: $kind: route not back as '$BASE' 30 s after the restore"
	wait_sessions 60 || log "$TAG: $kind: sessions $(sessions) 60 s after the restore"
	[ "$GW" = twinpath ] && { wait_clear 30 || log "$TAG: $kind: link suspicion not clear 30 s after the restore"; }
	back=$(lab_now_ns)
	sleep 2
	event "{\"scenario\":\"$kind\",\"kind\":\"$kind\",\"link\":1,\"fault\":$f,\"restore\":$r,\"bfd_down_ns\":$down,\"bfd_state\":\"$st\",\"two_way_pps\":$tw,\"back_ns\":$back,\"end_ns\":$(lab_now_ns)}"
	sleep $SUSPECT_QUIET_S
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

# table_state: "ACCEPTED_MIN FIB_ROUTES SETTLED" while the scale group's
# table loads: the fewer prefixes either session brought, the routes in
# the data plane's FIB (twinpath: its telemetry; linux-frr: the kernel's
# BGP routes via link1, the primary, all of them once settled), and
# whether the control plane is done (twinpath: no RIB work pending and
# generation sent == applied; linux-frr: 1)
table_state() {
	local acc fib settled=1 s a
	if [ "$GW" = twinpath ]; then
		read -r acc settled <<<"$(lab_ctl --json show bgp summary 2>/dev/null | python3 -c '
import json, sys
j = json.load(sys.stdin)
print(min(n["prefixes_accepted"] for n in j["neighbors"]), 1 if not j["pending"] else 0)')"
		fib=$(lab_tpstat /twinpath/fib --get routes_ipv4 2>/dev/null)
		read -r s a <<<"$(gen_state)"
		[ "$s" = "$a" ] || settled=0
	else
		acc=$(lab_vtysh gw "show bgp summary json" 2>/dev/null | python3 -c '
import json, sys
print(min(p.get("pfxRcd", 0) for p in json.load(sys.stdin)["ipv4Unicast"]["peers"].values()))')
		fib=$(ns_exec gw ip -4 route show proto bgp dev link1 | wc -l)
	fi
	echo "${acc:-0} ${fib:-0} ${settled:-0}"
}

# wait_table SECONDS: until table_state says the full table (SCALE +
# PREFIXES) is in, on the primary, and settled
wait_table() {
	local want=$((SCALE + PREFIXES)) acc fib settled deadline=$((SECONDS + $1))
	while :; do
		read -r acc fib settled <<<"$(table_state)"
		[ "$acc" -ge $want ] && [ "$fib" -ge $want ] && [ "$settled" = 1 ] && return 0
		[ $SECONDS -ge $deadline ] && {
			log "$TAG: table not in after $1 s: accepted $acc, FIB $fib, settled $settled; want $want"
			return 1
		}
		sleep 1
	done
}

# bulk_load: the scale group's second phase. Both upstreams announce
# their SCALE /24s (BIRD `enable bulk`); wait (<= 300 s) until both
# sessions brought them all, the data plane's FIB holds them and the
# control plane is idle, 2 s more. The stream runs on: the event is the
# "bulk-load" row (no packet may be lost while the table loads).
bulk_load() {
	local t0 t1
	log "$TAG: both upstreams announce $SCALE more prefixes"
	t0=$(lab_now_ns)
	lab_birdc up1 enable bulk >/dev/null && lab_birdc up2 enable bulk >/dev/null ||
		{ log "$TAG: birdc enable bulk failed"; return 1; }
	wait_table 300 || return 1
	t1=$(lab_now_ns)
	wait_sessions 30 || log "$TAG: sessions $(sessions) after the table load"
	NPFX=$(prefixes)
	log "$TAG: $NPFX prefixes loaded in $(((t1 - t0) / 1000000)) ms; sessions $(sessions)"
	sleep 2
	event "{\"scenario\":\"bulk-load\",\"kind\":\"load\",\"prefixes\":$NPFX,\"start_ns\":$t0,\"loaded_ns\":$t1,\"sessions\":\"$(sessions)\",\"vias\":\"$(vias)\",\"end_ns\":$(lab_now_ns)}"
}

# start_reverse_probe: the srv -> LAN host stream (proc and sus groups),
# its route pinned to up1; RECV2 and SEND2 its receiver and sender
start_reverse_probe() {
	ip -n "$(lab_ns srv)" route replace $LANHOST/32 via 192.0.2.1 dev up1
	start_stream 2 lan srv $LANHOST $RPORT "$FLOWS" "$PPS" "" 30000
}

# start_stream SFX RX TX DST PORT FLOWS PPS [FAMILY [SPORT_BASE]]: fo_recv
# in role RX (FAMILY 6: an IPv6 socket), once it is bound fo_send in role
# TX toward DST:PORT; their files recvSFX.* and sendSFX.* in the lab
# directory (analyze.py's names), their pids in RECVSFX and SENDSFX
start_stream() {
	local sfx=$1 rx=$2 tx=$3 dst=$4 port=$5 flows=$6 pps=$7 fam=${8:-} sport=${9:-}
	lab_argv "$rx"
	"${LAB_ARGV[@]}" "$FO/fo_recv" "$port" 600 "$LAB_DIR/recv$sfx.bin" "$LAB_DIR/recv$sfx.ready" $fam \
		>"$LAB_DIR/recv$sfx.json" 2>"$LAB_DIR/recv$sfx.err" &
	printf -v "RECV$sfx" %s $!
	for _ in $(seq 50); do [ -e "$LAB_DIR/recv$sfx.ready" ] && break; sleep 0.1; done
	lab_argv "$tx"
	"${LAB_ARGV[@]}" "$FO/fo_send" "$dst" "$port" "$flows" "$pps" 600 "$LAB_DIR/send$sfx.bin" $sport \
		>"$LAB_DIR/send$sfx.json" 2>"$LAB_DIR/send$sfx.err" &
	printf -v "SEND$sfx" %s $!
}

mkdir -p "$OUT"
# the lab lock (COMMON.md), held by this shell and whatever it starts until
# the lab is down: a flock wrapper killed by Ctrl-C would leave us running
exec 9>>/tmp/twp-lab.lock
flock 9
# bounded once the lab is ours: 300 s (scale: 600 s, two full tables to
# load), then as if Ctrl-C (without the lock)
LIMIT=300
[ "$SCALE" = 0 ] || LIMIT=600
[ "$SUS" = 0 ] || LIMIT=420
(exec 9>&-; sleep $LIMIT; kill -INT $$) &
WATCHDOG=$!
lab_up || { kill $WATCHDOG; exit 1; }
trap 'kill $WATCHDOG 2>/dev/null; lab_down; exit 130' INT
trap 'kill $WATCHDOG 2>/dev/null; lab_down; exit 143' TERM
trap 'kill $WATCHDOG 2>/dev/null; lab_down' EXIT
if [ "$V6" = 1 ]; then
	# a carrier fault clears IFF_UP on upN eth0, and the kernel would
	# drop its IPv6 addresses with it (their default): the upstream's
	# next hop, as a router keeps its configured addresses
	for n in 1 2; do lab_sysctl "up$n" net.ipv6.conf.eth0.keep_addr_on_down=1; done
	if [ "$GW" = linux-frr ]; then
		# IPv6 forwarding as IPv4's (tests/lab.sh LAB_GW=linux-frr):
		# flows spread by their ports, the site behind the LAN host
		lab_sysctl gw net.ipv6.conf.all.forwarding=1 net.ipv6.fib_multipath_hash_policy=1
		ns_exec gw ip -6 route add 2001:db8:ff::/48 via 2001:db8:ff::10
	fi
fi
# scale: the 10 prefixes first; the table is announced once they are
# measured (BIRD's `bulk` protocols off before the gateway peers)
if [ "$SCALE" != 0 ]; then
	lab_birdc up1 disable bulk >/dev/null && lab_birdc up2 disable bulk >/dev/null ||
		{ log "$TAG: could not disable BIRD's bulk protocols"; exit 1; }
fi
if [ "$GW" = twinpath ]; then
	twinpath_conf "$LAB_DIR/gw.conf"
	lab_start_dp "$LAB_DIR/gw.conf" || exit 1
	lab_start_cp "$LAB_DIR/gw.conf" || exit 1
else
	frr_gw_conf
	lab_start_frr_daemons gw zebra bfdd bgpd || exit 1
fi
BASE=link1
[ "$MODE" = active-active ] && BASE=$(seq -s, -f 'link%g' $LINKS)
wait_vias "$BASE" 60 || { log "$TAG: never converged"; exit 1; }
wait_sessions 30 || log "$TAG: sessions $(sessions) 30 s after the start"
# dual stack, twinpath: the IPv6 next hops (the peers' link-local
# addresses) resolved by the kernel's ND before the streams start
[ "$V6" = 1 ] && [ "$GW" = twinpath ] && { wait_resolved 15 ||
	log "$TAG: next hops not all resolved 15 s after the start"; }
sleep 1
SESS=$(sessions)
NPFX=$(prefixes)
log "$TAG: converged; route via $BASE, $NPFX prefixes, sessions $SESS"
: >"$EV"
# the wall clock's offset from CLOCK_MONOTONIC now, for twinpath-dp's
# log lines (wall-clock milliseconds) of a suspicion
OFFSET=$(python3 -c 'import time; print(time.time_ns() - time.clock_gettime_ns(time.CLOCK_MONOTONIC))')
event "{\"group\":\"$GROUP\",\"gateway\":\"$GW\",\"mode\":\"$MODE\",\"bfd_ms\":$BFD_MS,\"mult\":$MULT,\"links\":$LINKS,\"prefixes\":$NPFX,\"sessions\":\"$SESS\",\"flows\":$FLOWS,\"pps\":$PPS,\"v6\":$V6,\"flows6\":$FLOWS6,\"pps6\":$PPS6,\"sus\":$SUS,\"wall_minus_mono_ns\":$OFFSET}"

start_stream "" srv lan $SERVER $PORT "$FLOWS" "$PPS"
# dual stack: the IPv6 stream beside it, LAN host -> srv, its own receiver
[ "$V6" = 1 ] && start_stream 6 srv lan $SERVER6 $PORT6 "$FLOWS6" "$PPS6" 6
if [ $SUS = 1 ]; then
	# the server's answers and its stream to the site spread over both
	# PoPs by ports, as a provider's ECMP does
	lab_argv srv
	"${LAB_ARGV[@]}" sysctl -qw net.ipv4.fib_multipath_hash_policy=1
	ip netns exec "$(lab_ns srv)" "$FO/fo_fault" count-on up1 "$FO/fault.bpf.o" ||
		{ log "$TAG: no two-way counter on srv's up1"; exit 1; }
	# the inbound probe, srv -> LAN host, 64 flows: all through up1, as
	# a provider's traffic entering at link1's PoP (a raw socket's
	# packets carry no ports for the multipath hash: one path anyway),
	# so outage_in is how long the provider keeps it in a dead link1
	start_reverse_probe
	# what a site sends: real TCP through the namespaces' stacks (bulk
	# and request/response) and UDP request/response, two-way, from the
	# ports fo_cut.h counts (FO_TWOWAY_PORT_LO..); one-way UDP apart
	# Two server addresses (link suspicion wants unanswered flows toward
	# two remote addresses at least: a single dead host is not a dead
	# link), a server and a client each, 110 two-way flows each
	ip -n "$(lab_ns srv)" addr add $SERVER_B/32 dev lo
	TMIXS= TMIXC=
	for k in a b; do
		dst=$SERVER base=50000
		[ $k = b ] && dst=$SERVER_B base=50500
		lab_argv srv
		"${LAB_ARGV[@]}" python3 "$SRC/tests/tools/traffic_mix.py" server --bind $dst \
			--tcp-port $TMIX_TCP --udp-port $TMIX_UDP --duration 600 \
			--ready-file "$LAB_DIR/tmix-$k.ready" >"$LAB_DIR/tmix-server-$k.json" \
			2>"$LAB_DIR/tmix-server-$k.err" &
		TMIXS="$TMIXS $!"
		for _ in $(seq 50); do [ -e "$LAB_DIR/tmix-$k.ready" ] && break; sleep 0.1; done
		lab_argv lan
		"${LAB_ARGV[@]}" python3 "$SRC/tests/tools/traffic_mix.py" client --server $dst \
			--tcp-port $TMIX_TCP --udp-port $TMIX_UDP --duration 600 \
			--bulk 6 --bulk-rate 100000 --rr 40 --rr-rate 20 \
			--udp-rr-flows 64 --udp-rr-rate 640 --sport-base $base \
			--out "$LAB_DIR/tmix-$k.json" 2>"$LAB_DIR/tmix-$k.err" &
		TMIXC="$TMIXC $!"
	done
	# one-way UDP, from ports the two-way counter leaves out
	"${LAB_ARGV[@]}" python3 "$SRC/tests/tools/traffic_mix.py" client --server $SERVER \
		--tcp-port $TMIX_TCP --udp-port $TMIX_UDP --duration 600 \
		--udp-oneway-flows 16 --udp-oneway-rate 500 --sport-base 51000 \
		--out "$LAB_DIR/tmix-oneway.json" 2>"$LAB_DIR/tmix-oneway.err" &
	TMIXC="$TMIXC $!"
fi
if [ $PROC = 1 ]; then
	# the second stream, srv -> LAN host: pinned to up1 (srv's own route
	# is ECMP over both, one hash for all flows), so it crosses BIRD's
	# kernel route to the site (LAB_BIRD_KERNEL) and link1, the primary
	start_reverse_probe
fi
sleep 3
# sus: link1's own quiet gaps, the stream's start among them, are known
# after SUSPECT_QUIET_S (suspect_scenario)
[ $SUS = 1 ] && sleep $SUSPECT_QUIET_S
event "{\"scenario\":\"normal\",\"end_ns\":$(lab_now_ns)}"
[ $SUS = 1 ] && SCENARIOS=${FAILOVER_SUS_SCENARIOS:-silent silent-out silent-in}
[ $PROC = 1 ] && SCENARIOS=${FAILOVER_PROC_SCENARIOS:-kill-cp kill-dp peer-gr}
# scale: silent loss only, at 10 prefixes, then at the full table
[ "$SCALE" = 0 ] || SCENARIOS=silent
for s in $SCENARIOS; do
	[ $SUS = 1 ] && { sus_scenario "$s"; continue; }
	case $s in
	reverse) [ "$MODE" = active-standby ] && [ "$SCALE" = 0 ] && scenario reverse silent 2 ;;
	carrier | silent)
		# four links: each fails in turn
		for n in $(seq $((LINKS == 4 ? LINKS : 1))); do
			scenario "$s" "$s" $n
		done
		;;
	kill-cp | kill-dp | peer-gr) proc_scenario "$s" || log "$TAG: $s failed" ;;
	*) log "unknown scenario $s (FAILOVER_SCENARIOS)" ;;
	esac
done
if [ "$SCALE" != 0 ]; then
	bulk_load && scenario silent silent 1
fi
kill -INT $SEND
wait $SEND
[ "$V6" = 1 ] && { kill -INT $SEND6; wait $SEND6; }
[ $PROC = 1 ] || [ $SUS = 1 ] && { kill -INT $SEND2; wait $SEND2; }
[ $SUS = 1 ] && { kill -INT $TMIXC; wait $TMIXC; }
sleep 0.5
kill -INT $RECV
wait $RECV
[ "$V6" = 1 ] && { kill -INT $RECV6; wait $RECV6; }
[ $PROC = 1 ] || [ $SUS = 1 ] && { kill -INT $RECV2; wait $RECV2; }
[ $SUS = 1 ] && { kill -INT $TMIXS; wait $TMIXS; }
python3 "$HERE/analyze.py" group --dir "$LAB_DIR" --tag "$TAG" \
	--out "$OUT/failover-$TAG.json" --png "$OUT/failover-$TAG.png"
