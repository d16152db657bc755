#!/usr/bin/env bash
# twinpathd as a graceful-restart restarting speaker (RFC 4724 §4.1):
# kill -9 twinpathd and start it again while a stream runs each way (LAN
# host -> server and server -> LAN host). The upstreams are GR helpers
# (tests/lab.sh LAB_BGP_GR=1): BIRD on up1, FRR's bgpd on up2. Asserts:
# BIRD and FRR keep our 198.18.0.0/16 throughout (sampled every few
# hundred ms), marked stale while twinpathd is gone; the new twinpathd's
# OPEN has R=1 and F=1 (as both peers read it); both sessions Established
# again; twinpath-dp keeps its FIB untouched until the new twinpathd's
# first full sync, which waits for End-of-RIB from both peers, then sweeps
# what the new twinpathd did not push (203.0.113.128/25, withdrawn by up1
# while twinpathd was gone); our UPDATEs and End-of-RIB follow the sync;
# and neither stream lost or duplicated a packet.
# Usage: BUILD=<build root> bash tests/integration/test_gr.sh
set -u
BUILD=${BUILD:-build}
LAB_NO_TRAP=1
source "$(dirname "$0")/../lab.sh"
source "$(dirname "$0")/tally.sh"
need_frr bgpd

SERVER=198.51.100.10
LANHOST=198.18.1.10
FLOWS=32
RATE=1000      # pps, each direction
HOLD=3         # s, ours, BIRD's and FRR's
GW2=203.0.113.5 # our address on link2, FRR's neighbor
SITE=198.18.0.0/16
EXTRA=203.0.113.128/25 # up1 only; withdrawn while twinpathd is gone
source "$(dirname "$0")/bgpctl.sh"

# LAB_BIRD_KERNEL: up1 forwards to the site on the route BIRD learned from
# us, so a BIRD that drops it also drops the server -> LAN flows via up1
# (FRR runs without zebra: up2 keeps the lab's static route)
export LAB_UP2_FRR=1 LAB_BGP_TIMERS="$HOLD 1" LAB_BGP_SECURE=1 \
	LAB_BGP_GR=1 LAB_BGP_EXTRA=1 LAB_BIRD_KERNEL=1

# frr NAME CMD: FRR's answer to CMD (a `... json` show) in $LAB_DIR/NAME.json.
frr() { lab_vtysh up2 "$2" >"$LAB_DIR/$1.json" 2>"$LAB_DIR/$1.err"; }
# frr_gr NAME EXPR: EXPR over g, FRR's gracefulRestartInfo of its neighbor
# $GW2 (fetched into NAME).
frr_gr() {
	frr "$1" "show bgp neighbors $GW2 json" &&
		j "$LAB_DIR/$1.json" "(lambda g: $2)(j['$GW2']['gracefulRestartInfo'])" 2>&1
}
# frr_site: "absent", or "stale"/"fresh" for FRR's path to $SITE.
frr_site() {
	lab_vtysh up2 "show bgp ipv4 unicast $SITE json" 2>/dev/null | python3 -c 'import json,sys
try:
    p = json.load(sys.stdin).get("paths", [])
except ValueError:
    p = []
print("absent" if not p else "stale" if p[0].get("stale") else "fresh")'
}
# bird_site: "present" if up1's BIRD has $SITE from gw_peer, else "absent".
bird_site() {
	lab_birdc up1 show route for $SITE protocol gw_peer 2>/dev/null |
		grep -q "^$SITE .*gw_peer" && echo present || echo absent
}
# dp_fib: "GENERATION ROUTES" of twinpath-dp's FIB.
dp_fib() {
	lab_tpstat /twinpath/fib 2>/dev/null | python3 -c 'import json,sys
f = json.load(sys.stdin)["/twinpath/fib"]
print(f["generation"], f["routes"])'
}

# sampler FILE: until FILE.stop exists, one line every 100 ms: monotonic
# ms, BIRD's and FRR's view of $SITE, twinpath-dp's generation and routes.
# One process on persistent control sockets (BIRD's, FRR bgpd's vty, DPDK
# telemetry), run in the gateway's namespaces for the telemetry socket: a
# birdc + vtysh + tpstat round costs seconds on 2 busy cores, this ~10 ms.
sampler() {
	cat >"$LAB_DIR/sampler.py" <<'PY'
import json, os, re, socket, sys, time
out, bird_ctl, frr_vty, tel, site = sys.argv[1:6]

def unix(path, kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_UNIX, kind)
    s.settimeout(2)
    s.connect(path)
    return s

bird = unix(bird_ctl)
bf = bird.makefile("rb")
bf.readline()  # 0001 BIRD ... ready.
frr = unix(frr_vty)
dp = unix(tel, socket.SOCK_SEQPACKET)
dp.recv(4096)  # greeting

def bird_site():
    bird.sendall(("show route for %s protocol gw_peer\n" % site).encode())
    found = "absent"
    while True:
        l = bf.readline().decode()
        if re.search(r"\b%s\b.*gw_peer" % re.escape(site), l):
            found = "present"
        if re.match(r"^\d{4} ", l) or not l:
            return found

def frr_site():
    # vtysh's protocol: the command and a NUL; the answer ends in 0 0 0 RC
    frr.sendall(("show bgp ipv4 unicast %s json" % site).encode() + b"\0")
    buf = b""
    while len(buf) < 4 or buf[-4:-1] != b"\0\0\0":
        c = frr.recv(65536)
        if not c:
            raise OSError("vty closed")
        buf += c
    try:
        p = json.loads(buf[:-4].decode()).get("paths", [])
    except ValueError:
        p = []
    return "absent" if not p else "stale" if p[0].get("stale") else "fresh"

def dp_fib():
    dp.send(b"/twinpath/fib")
    f = json.loads(dp.recv(65536).decode())["/twinpath/fib"]
    return "%d %d" % (f["generation"], f["routes"])

with open(out, "a") as o:
    while not os.path.exists(out + ".stop"):
        t = time.clock_gettime_ns(time.CLOCK_REALTIME) // 1000000
        o.write("%d %s %s %s\n" % (t, bird_site(), frr_site(), dp_fib()))
        o.flush()
        time.sleep(0.1)
PY
	gw_exec python3 "$LAB_DIR/sampler.py" "$1" "$LAB_DIR/up1.bird.ctl" \
		"$LAB_DIR/up2.frr/bgpd.vty" \
		"/var/run/dpdk/twinpath-$LAB_INSTANCE/dpdk_telemetry.v2" "$SITE" \
		2>"$1.err"
}

# stream_both NAME_UP NAME_DOWN PORT: sinks at the server and the LAN host,
# then a stream each way until stopped (bounded at 180 s).
stream_both() {
	local up=$1 down=$2 port=$3 count=$((RATE * 180))
	lab_sink srv "$up" --bind $SERVER --port "$port" --expect $count \
		--flows $FLOWS --timeout 200 --idle 4 || fatal "sink at the server did not start"
	lab_sink lan "$down" --bind $LANHOST --port $((port + 1)) --expect $count \
		--flows $FLOWS --timeout 200 --idle 4 || fatal "sink at the LAN host did not start"
	lab_stream "$up.tx" --dst $SERVER --port "$port" --flows $FLOWS \
		--count $count --rate $RATE --ttl 64 --max-seconds 180 --until-stopped
	lab_argv srv
	"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/udp_stream.py" --dst $LANHOST \
		--port $((port + 1)) --flows $FLOWS --count $count --rate $RATE \
		--ttl 64 --max-seconds 180 --until-stopped \
		>"$LAB_DIR/$down.tx.json" 2>"$LAB_DIR/$down.tx.err" &
	echo $! >"$LAB_DIR/$down.tx.sinkpid"
}

# check_lossless NAME WHAT: the stream NAME.tx's packets all reached the
# sink NAME, each once.
check_lossless() {
	local name=$1 what=$2 sent uniq dup
	sent=$(j "$LAB_DIR/$name.tx.json" 'j["sent"]')
	uniq=$(j "$LAB_DIR/$name.json" 'j["unique"]')
	dup=$(j "$LAB_DIR/$name.json" 'j["duplicates"]')
	echo "MEASURED $what: sent $sent, received $uniq unique, $dup duplicates"
	[ "$sent" -gt $((RATE * 5)) ] ||
		ko "$what: only $sent packets sent: the stream did not span the restart"
	[ "$uniq" -eq "$sent" ] && ok "$what: all $sent packets arrived" ||
		ko "$what: $uniq of $sent packets arrived ($((sent - uniq)) lost)"
	[ "$dup" -eq 0 ] && ok "$what: no duplicates" || ko "$what: $dup duplicates"
}

run() {
	local conf=$LAB_DIR/gw-aa.conf got want gen0 routes0 gen1 routes1 t_kill
	local deadline s rx1 rx2
	echo "== active/active, up1 BIRD $(bird --version 2>&1 | awk '{print $3}'), up2 FRR $(/usr/lib/frr/bgpd --version | awk 'NR == 1 {print $3}'), both GR helpers"
	gw_conf "$LAB_SRC/config/lab-bgp-active-active.conf" "$conf"
	grep -q "graceful_restart = true" "$conf" || fatal "$conf: graceful_restart is not on"
	gw_up_bgp "" "$conf" 30 "$LAB_DIR/up2.frr.log"
	wait_fib mp 15 198.51.100.0/24 "link1,link2||bgp" ||
		fatal "FIB: 198.51.100.0/24 is $(fib_route mp 198.51.100.0/24), want link1,link2||bgp"
	wait_fib ex 15 $EXTRA "link1||bgp" ||
		fatal "FIB: $EXTRA is $(fib_route ex $EXTRA), want link1||bgp"
	ok "FIB: 198.51.100.0/24 over both links, $EXTRA via link1 (from BGP)"

	echo "== fresh start: what the peers read in our OPEN"
	lab_birdc up1 show protocols all gw_peer >"$LAB_DIR/bird0.txt"
	# BIRD lists the neighbor's GR families under "Neighbor capabilities"
	got=$(sed -n '/Neighbor capabilities/,/Session:/p' "$LAB_DIR/bird0.txt" |
		grep -E "AF supported|Restart recovery" | tr -s ' ' | tr '\n' ';')
	[ "$got" = " AF supported: ipv4 ipv6;" ] &&
		ok "BIRD: our GR capability lists ipv4 ipv6, no R bit (fresh start)" ||
		ko "BIRD: our GR capability reads '$got', want ' AF supported: ipv4 ipv6;'"
	got=$(frr_gr fgr0 "(g['remoteGrMode'], g['rBit'], g['nBit'])")
	[ "$got" = "('Restart', False, True)" ] &&
		ok "FRR: we are GR Restart capable, R=0, N=1 (fresh start)" ||
		ko "FRR: remoteGrMode/rBit/nBit $got, want ('Restart', False, True)"
	echo "MEASURED fresh start F bit as FRR read it: $(frr_gr fgr0b "g['ipv4Unicast']['fBit']") (1 only if the data plane had applied our first sync before this OPEN)"
	got="$(bird_site) $(frr_site)"
	[ "$got" = "present fresh" ] && ok "BIRD and FRR have our $SITE" ||
		fatal "BIRD/FRR view of $SITE: $got, want 'present fresh'"
	got=$(ip -n "$(lab_ns up1)" route show $SITE)
	case $got in
	"$SITE via 203.0.113.1 dev eth0 proto bird"*) ok "up1 forwards to $SITE on BIRD's route from us ($got)" ;;
	*) fatal "up1's route to $SITE: '$got', want BIRD's via 203.0.113.1" ;;
	esac
	read -r gen0 routes0 <<<"$(dp_fib)"
	[ "${gen0:-0}" -ge 1 ] && [ "${routes0:-0}" -ge 3 ] &&
		ok "twinpath-dp: generation $gen0, $routes0 routes" ||
		fatal "twinpath-dp FIB: generation '$gen0', routes '$routes0'"

	echo "== streams both ways at $RATE pps, then kill -9 twinpathd"
	lab_stats /twinpath/ports >"$LAB_DIR/p0.json"
	stream_both up down 9300
	sleep 2
	sampler "$LAB_DIR/samples" &
	local spid=$!
	sleep 1
	t_kill=$(($(date +%s%N) / 1000000))
	lab_kill_cp KILL || fatal "twinpathd did not die"
	# while we are gone up1 stops announcing EXTRA: the new twinpathd
	# never learns it, so the data plane's copy is ours to sweep
	lab_birdc up1 disable extra >"$LAB_DIR/extra.out" 2>&1 ||
		ko "birdc disable extra: $(cat "$LAB_DIR/extra.out")"
	sleep 2
	lab_birdc up1 show protocols all gw_peer >"$LAB_DIR/bird1.txt"
	grep -q "Neighbor graceful restart active" "$LAB_DIR/bird1.txt" &&
		[ "$(bird_site)" = present ] &&
		ok "BIRD, twinpathd gone: $SITE kept, stale (Neighbor graceful restart active)" ||
		ko "BIRD, twinpathd gone: $SITE $(bird_site), $(grep -c "graceful restart active" "$LAB_DIR/bird1.txt") GR-active lines"
	got=$(frr_site)
	[ "$got" = stale ] && ok "FRR, twinpathd gone: $SITE kept, stale" ||
		ko "FRR, twinpathd gone: $SITE is $got, want stale"
	read -r gen1 routes1 <<<"$(dp_fib)"
	[ "$gen1 $routes1" = "$gen0 $routes0" ] &&
		ok "twinpath-dp, twinpathd gone: still generation $gen0, $routes0 routes" ||
		ko "twinpath-dp, twinpathd gone: generation $gen1, $routes1 routes, want $gen0, $routes0"

	echo "== twinpathd again"
	lab_start_cp "$conf" || fatal "twinpathd did not start again"
	if wait_bgp back 30 'N["link1"]["state"] == "Established" and N["link2"]["state"] == "Established"'; then
		ok "both sessions Established again in $(( ($(date +%s%N) / 1000000 - t_kill) / 1000 )) s after the kill"
	else
		ko "sessions after the restart: link1 $(nb back link1 state), link2 $(nb back link2 state)"
	fi
	deadline=$((SECONDS + 40))
	until grep -q "graceful restart: first full sync" "$LAB_DIR/cp.log"; do
		[ $SECONDS -ge $deadline ] && break
		sleep 0.25
	done
	got=$(lab_wait_sync $((gen0 + 1)) 10) &&
		ok "twinpath-dp applied the new twinpathd's first full sync (generation $got)" ||
		ko "twinpath-dp never applied generation $((gen0 + 1))"
	# then our UPDATEs and End-of-RIB: the peers' stale marks go
	deadline=$((SECONDS + 10))
	while :; do
		s="$(bird_site) $(frr_site)"
		lab_birdc up1 show protocols all gw_peer >"$LAB_DIR/bird2.txt"
		[ "$s" = "present fresh" ] &&
			! grep -q "graceful restart active" "$LAB_DIR/bird2.txt" && break
		[ $SECONDS -ge $deadline ] && break
		sleep 0.25
	done
	[ "$s" = "present fresh" ] && ! grep -q "graceful restart active" "$LAB_DIR/bird2.txt" &&
		ok "after our End-of-RIB: BIRD's GR over, FRR's path to $SITE no longer stale" ||
		ko "after the restart: BIRD/FRR $s, BIRD GR active lines $(grep -c "graceful restart active" "$LAB_DIR/bird2.txt")"
	got=$(sed -n '/Neighbor capabilities/,/Session:/p' "$LAB_DIR/bird2.txt" |
		grep -E "AF supported|AF preserved|Restart recovery" | tr -s ' ' | tr '\n' ';')
	want=" Restart recovery; AF supported: ipv4 ipv6; AF preserved: ipv4 ipv6;"
	[ "$got" = "$want" ] && ok "BIRD: our OPEN after the restart: R bit, F bit for ipv4 and ipv6" ||
		ko "BIRD reads our GR capability as '$got', want '$want'"
	got=$(frr_gr fgr1 "(g['remoteGrMode'], g['rBit'], g['ipv4Unicast']['fBit'], g['ipv4Unicast']['endOfRibStatus']['endOfRibSentAfterUpdate'])")
	[ "$got" = "('Restart', True, True, True)" ] &&
		ok "FRR: our OPEN after the restart has R=1, F=1 (ipv4), and our End-of-RIB came after our UPDATE" ||
		ko "FRR: remoteGrMode/rBit/fBit/EoR-after-update $got, want ('Restart', True, True, True)"
	got=$(j "$LAB_DIR/fgr1.json" "j['$GW2']['bgpState']")
	[ "$got" = Established ] && ok "FRR: session Established" || ko "FRR: session $got"
	lab_birdc up1 show protocols gw_peer | grep -q Established &&
		ok "BIRD: gw_peer Established" || ko "BIRD: $(lab_birdc up1 show protocols gw_peer | tail -1)"

	echo "== the streams"
	sleep 2
	lab_stream_stop up.tx
	kill -INT "$(cat "$LAB_DIR/down.tx.sinkpid")" 2>/dev/null
	lab_sink_wait up.tx >/dev/null
	lab_sink_wait down.tx >/dev/null
	lab_sink_wait up >/dev/null
	lab_sink_wait down >/dev/null
	touch "$LAB_DIR/samples.stop"
	wait "$spid" || ko "the sampler failed: $(tail -3 "$LAB_DIR/samples.err")"
	lab_stats /twinpath/ports >"$LAB_DIR/p1.json"
	check_lossless up "LAN -> server"
	check_lossless down "server -> LAN"
	# the server hashes its flows over up1 and up2 (L4 policy, set after
	# lab_up): each upstream's kept route carried a part of them
	got=$(python3 -c 'import json,sys
a = json.load(open(sys.argv[1]))["/twinpath/ports"]
b = json.load(open(sys.argv[2]))["/twinpath/ports"]
print(*(b[l]["rx_packets"] - a[l]["rx_packets"] for l in ("link1", "link2")))' \
		"$LAB_DIR/p0.json" "$LAB_DIR/p1.json")
	read -r rx1 rx2 <<<"$got"
	echo "MEASURED server -> LAN received on link1 $rx1, link2 $rx2 (stream sent $(j "$LAB_DIR/down.tx.json" 'j["sent"]'))"
	[ "$rx1" -gt $((RATE * 2)) ] && [ "$rx2" -gt $((RATE * 2)) ] &&
		ok "server -> LAN came over both upstreams (link1 $rx1, link2 $rx2 packets)" ||
		ko "server -> LAN: link1 $rx1, link2 $rx2 packets: one upstream carried (almost) none"
	got=$(j "$LAB_DIR/down.tx.json" 'j["sent"]')
	[ $((rx1 + rx2)) -eq "$got" ] &&
		ok "the links received exactly the $got packets of the server -> LAN stream" ||
		ko "the links received $((rx1 + rx2)) packets for a server -> LAN stream of $got"

	echo "== BIRD, FRR and twinpath-dp sampled from 1 s before the kill to the end"
	python3 - "$LAB_DIR/samples" "$t_kill" "$gen0" "$routes0" >"$LAB_DIR/samples.verdict" <<'PY'
import sys
path, t_kill, gen0, routes0 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rows = [l.split() for l in open(path) if len(l.split()) == 5]
bird_gone = [r for r in rows if r[1] != "present"]
frr_gone = [r for r in rows if r[2] == "absent"]
stale = [r for r in rows if r[2] == "stale"]
# before the new generation, the data plane must hold exactly what it had
old = [r for r in rows if int(r[3]) == gen0]
moved = [r for r in old if int(r[4]) != routes0]
after = [r for r in rows if int(r[0]) > t_kill and int(r[3]) == gen0]
print(len(rows), len(bird_gone), len(frr_gone), len(stale), len(after), len(moved))
PY
	read -r n bgone fgone nstale nafter nmoved <"$LAB_DIR/samples.verdict"
	echo "MEASURED $n samples; $nstale with FRR's path stale; $nafter after the kill on the old generation"
	[ "$n" -ge 50 ] && [ "$nafter" -ge 10 ] ||
		ko "too few samples ($n, $nafter during the restart): the sampling says nothing"
	[ "$bgone" -eq 0 ] && ok "BIRD had $SITE in all $n samples" ||
		ko "BIRD lacked $SITE in $bgone of $n samples"
	[ "$fgone" -eq 0 ] && ok "FRR had $SITE in all $n samples" ||
		ko "FRR lacked $SITE in $fgone of $n samples"
	[ "$nstale" -ge 1 ] && ok "FRR's path was stale in $nstale samples (the restart was seen)" ||
		ko "FRR's path never seen stale"
	[ "$nmoved" -eq 0 ] &&
		ok "twinpath-dp kept its $routes0 routes in every sample until the new sync (nothing withdrawn in between)" ||
		ko "twinpath-dp's route count moved in $nmoved samples before the new sync"

	echo "== stale entries swept"
	read -r gen1 routes1 <<<"$(dp_fib)"
	lab_ctl --json show status >"$LAB_DIR/status.json"
	got=$(j "$LAB_DIR/status.json" "(j['channel']['generation_sent'], j['channel']['generation_applied'], j['fib']['routes'])")
	[ "$got" = "($gen1, $gen1, $routes1)" ] &&
		ok "twinpath-dp holds exactly what twinpathd pushed: generation $gen1, $routes1 routes" ||
		ko "twinpathd (sent, applied, routes) $got, twinpath-dp generation $gen1 with $routes1 routes"
	[ "$routes1" -eq $((routes0 - 1)) ] &&
		ok "twinpath-dp: $routes0 -> $routes1 routes ($EXTRA swept)" ||
		ko "twinpath-dp: $routes0 -> $routes1 routes, want $((routes0 - 1))"
	fib after
	[ "$(fib_route after $EXTRA)" = absent ] && [ "$(fib_route after 198.51.100.0/24)" = "link1,link2||bgp" ] &&
		ok "FIB: $EXTRA gone, 198.51.100.0/24 over both links" ||
		ko "FIB after the restart: $EXTRA $(fib_route after $EXTRA), 198.51.100.0/24 $(fib_route after 198.51.100.0/24)"

	echo "== what the logs say"
	for want in "holds FIB generation $gen0: it keeps forwarding on it; nothing is withdrawn" \
		"restarting speaker: OPENs with R=1 and F=1 for IPv4 and IPv6 unicast" \
		"link1 203.0.113.2: graceful restart: we are restarting" \
		"link2 203.0.113.6: graceful restart: we are restarting" \
		"every session converged" \
		"graceful restart: first full sync (generation $((gen0 + 1)), route selection done)" \
		"link1 203.0.113.2: graceful restart: route selection done" \
		"link2 203.0.113.6: graceful restart: route selection done"; do
		grep -qF "$want" "$LAB_DIR/cp.log" && ok "twinpathd log: ...$want..." ||
			ko "twinpathd log lacks '$want'"
	done
	for want in "$GW2(Unknown) graceful restart timer started for 120 sec" \
		"$GW2 Peer has restarted. Restart Time: 120, N-bit set: yes"; do
		grep -qF "$want" "$LAB_DIR/up2.frr.log" && ok "FRR log: $want" ||
			ko "FRR log lacks '$want'"
	done
	return 0
}

LAB_PREFIX=twpgr$$
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
lab_up || fatal "lab did not come up"
# the server spreads its flows to the site over up1 and up2 by port too
lab_sysctl srv net.ipv4.fib_multipath_hash_policy=1
run
[ "$failed" -gt 0 ] && tail -n 40 "$LAB_DIR/up2.frr.log"
exit 0
