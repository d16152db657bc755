#!/usr/bin/env bash
# The walking skeleton end to end (issue 2): LAN host -> twinpath-dp ->
# both links -> BIRD upstreams -> server, with twinpathd pushing the
# config's static routes. Checks zero loss, the ECMP split, the TTL, the
# ICMP Time Exceeded twinpath-dp sends for TTL 1 (and its rate limit), the
# ICMPv6 Time Exceeded and Packet Too Big it sends for IPv6 (its LAN port
# given an IPv6 address), that SIGKILL of twinpathd mid-stream costs
# nothing, and at the end that the kernel refused none of the AF_XDP
# descriptors of any port (/twinpath/xsk).
# Usage: BUILD=<build root> bash tests/integration/test_skeleton.sh
set -u
BUILD=${BUILD:-${1:-build}}
LAB_NO_TRAP=1 # our own trap below tears down and prints the tally
source "$(dirname "$0")/../lab.sh"

CONF=$LAB_SRC/config/lab-active-active.conf
SERVER=198.51.100.10
FLOWS=128
TTL=64
source "$(dirname "$0")/tally.sh"

source "$(dirname "$0")/streams.sh"

echo "== lab up, twinpath-dp and twinpathd with $(basename "$CONF")"
lab_up || fatal "lab did not come up"
# The provider links carry 1400 bytes, the LAN 1500 (as over a tunnel):
# twinpath-dp reads each port's MTU at start, see (c3).
LINK_MTU=1400
for i in 1 2; do
	gw_exec ip link set "link$i" mtu $LINK_MTU &&
		ip -n "$(lab_ns up$i)" link set eth0 mtu $LINK_MTU ||
		fatal "could not set link$i's MTU"
done
# IPv6 on the LAN (2001:db8:10::/64, our side 2001:db8:10::1: lan.address6
# in a copy of the config) and the provider's 2001:db8:100::/48 over both
# links, for the ICMPv6 errors of (c4); no DAD, so the addresses are
# usable at once. The kernel owns the address too, for Neighbour
# Discovery (XDP passes ND, multicast, to it).
CONF6=$LAB_DIR/lab-v6.conf
python3 - "$CONF" "$CONF6" <<'PY' || fatal "could not write $CONF6"
import sys
s = open(sys.argv[1]).read()
s = s.replace('address = "198.18.1.1/24";',
              'address = "198.18.1.1/24"; address6 = "2001:db8:10::1/64";', 1)
s = s.replace("static_routes = (\n",
              "static_routes = (\n"
              "  { prefix = \"2001:db8:100::/48\"; via = [\"link1\", \"link2\"]; },\n")
open(sys.argv[2], "w").write(s)
PY
CONF=$CONF6
lab_sysctl lan net.ipv6.conf.all.disable_ipv6=0 \
	net.ipv6.conf.default.disable_ipv6=0 net.ipv6.conf.eth0.disable_ipv6=0 \
	net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.eth0.accept_dad=0 &&
	lab_sysctl gw net.ipv6.conf.all.disable_ipv6=0 \
		net.ipv6.conf.lan0.disable_ipv6=0 net.ipv6.conf.lan0.accept_dad=0 &&
	ns_exec gw ip addr add 2001:db8:10::1/64 dev lan0 nodad &&
	ip -n "$(lab_ns lan)" addr add 2001:db8:10::10/64 dev eth0 nodad &&
	ip -n "$(lab_ns lan)" -6 route add 2001:db8::/32 via 2001:db8:10::1 ||
	fatal "could not give the LAN IPv6"
lab_start_dp "$CONF" || fatal "twinpath-dp did not start"
lab_start_cp "$CONF" || fatal "twinpathd did not start"
gen1=$(lab_wait_sync 1) || fatal "no sync from twinpathd"
ok "twinpathd synced the FIB (generation $gen1)"

echo "== (a)(b)(c) a stream over $FLOWS flows"
stream_start a 9000 6000 2000
stream_end a
check_stream a "$sent" "stream"
check_split a "$sent" "stream"
flows=$(j "$LAB_DIR/a.json" 'j["flows_seen"]')
[ "$flows" -eq $FLOWS ] && ok "all $FLOWS flows arrived" ||
	ko "$flows of $FLOWS flows arrived"
ttls=$(j "$LAB_DIR/a.json" 'sorted(j["ttl"])')
if [ "$ttls" = "['$((TTL - 2))']" ]; then
	ok "server saw TTL $((TTL - 2)) on every packet (sent $TTL: twinpath-dp and the upstream each took one)"
else
	ko "server saw TTLs $ttls, want only $((TTL - 2)) (sent $TTL)"
fi

# TTL at the upstream, without a capture: sent with TTL 2, a packet leaves
# twinpath-dp with 1 and the upstream router must answer Time Exceeded
# (which also crosses twinpath-dp back to the LAN). Had twinpath-dp taken
# two, it would have dropped them itself; none, the server would get them.
echo "== (c) TTL at the upstreams: TTL 2 runs out exactly there"
M=200
lab_listen lan te icmp_sink.py --dst $SERVER --port 9002 --expect $M \
	--timeout 30 --idle 5 || fatal "icmp sink did not start"
lab_sink srv te_srv --bind $SERVER --port 9002 --expect 1 --timeout 8 --idle 8
lab_stream te_tx --dst $SERVER --port 9002 --flows $FLOWS --count $M \
	--rate 200 --ttl 2
lab_sink_wait te_tx >/dev/null
lab_sink_wait te >/dev/null
lab_sink_wait te_srv >/dev/null
te=$(j "$LAB_DIR/te.json" 'j["time_exceeded"]')
from=$(j "$LAB_DIR/te.json" '" ".join(sorted(j["from"]))')
if [ "$te" -eq $M ] && [ "$from" = "203.0.113.2 203.0.113.6" ]; then
	ok "all $M TTL-2 packets expired at the upstreams ($(j "$LAB_DIR/te.json" 'j["from"]'))"
else
	ko "$te of $M TTL-2 packets reported expired, from '$from' (want both 203.0.113.2 and 203.0.113.6)"
fi
got=$(j "$LAB_DIR/te_srv.json" 'j["received"]')
[ "$got" -eq 0 ] && ok "no TTL-2 packet reached the server" ||
	ko "$got TTL-2 packets reached the server: TTL not decremented"

# TTL 1 runs out at twinpath-dp itself: it must answer ICMP Time Exceeded
# from its LAN address (RFC 1812 §5.3.1), within its rate limit (the
# default 100 a second per port and forwarding lcore, burst 10), and count
# each packet.
echo "== (c2) TTL 1 runs out at twinpath-dp: Time Exceeded from 198.18.1.1"
M=40
ttl0=$(lab_tpstat /twinpath/drops --get ttl_exceeded)
icmp0=$(lab_tpstat /twinpath/icmp --get time_exceeded_sent)
lab_listen lan te1 icmp_sink.py --dst $SERVER --port 9003 --expect $M \
	--timeout 20 --idle 5 || fatal "icmp sink did not start"
lab_stream te1_tx --dst $SERVER --port 9003 --flows 8 --count $M \
	--rate 40 --ttl 1
lab_sink_wait te1_tx >/dev/null
lab_sink_wait te1 >/dev/null
te=$(j "$LAB_DIR/te1.json" 'j["time_exceeded"]')
from=$(j "$LAB_DIR/te1.json" '" ".join(sorted(j["from"]))')
if [ "$te" -eq $M ] && [ "$from" = "198.18.1.1" ]; then
	ok "all $M TTL-1 packets answered Time Exceeded by twinpath-dp ($from)"
else
	ko "$te of $M TTL-1 packets answered, from '$from' (want all from 198.18.1.1)"
fi
ttl1=$(lab_tpstat /twinpath/drops --get ttl_exceeded)
icmp1=$(lab_tpstat /twinpath/icmp --get time_exceeded_sent)
[ $((ttl1 - ttl0)) -eq $M ] && [ $((icmp1 - icmp0)) -eq $M ] &&
	ok "twinpath-dp counted $M ttl_exceeded drops and $M Time Exceeded sent" ||
	ko "counted $((ttl1 - ttl0)) ttl_exceeded, $((icmp1 - icmp0)) Time Exceeded sent (want $M each)"
# 400 at 2000 a second: the bucket lets about 10 + 100/s through
lim0=$(lab_tpstat /twinpath/icmp --get rate_limited)
lab_listen lan te2 icmp_sink.py --dst $SERVER --port 9004 --expect 400 \
	--timeout 10 --idle 3 || fatal "icmp sink did not start"
lab_stream te2_tx --dst $SERVER --port 9004 --flows 8 --count 400 \
	--rate 2000 --ttl 1
lab_sink_wait te2_tx >/dev/null
lab_sink_wait te2 >/dev/null
te=$(j "$LAB_DIR/te2.json" 'j["time_exceeded"]')
lim=$(( $(lab_tpstat /twinpath/icmp --get rate_limited) - lim0 ))
if [ "$te" -ge 10 ] && [ "$te" -le 60 ] && [ $((te + lim)) -eq 400 ]; then
	ok "a 2000/s burst of 400 TTL-1 packets: $te answered, $lim rate limited and counted"
else
	ko "a 2000/s burst of 400: $te answered, $lim rate limited (want 10..60 answered, the sum 400)"
fi

# No route at all (the lab's FIB has no default): Network Unreachable
# from the gateway (RFC 1812 §5.2.7.1), each packet counted as no_route.
echo "== (c2b) no route to 100.64.0.1: Network Unreachable from 198.18.1.1"
M=20
nr0=$(lab_tpstat /twinpath/drops --get no_route)
lab_listen lan nu icmp_sink.py --dst 100.64.0.1 --port 9008 --expect $M \
	--type 3 --code 0 --timeout 20 --idle 5 || fatal "icmp sink did not start"
lab_stream nu_tx --dst 100.64.0.1 --port 9008 --flows 4 --count $M --rate 20
lab_sink_wait nu_tx >/dev/null
lab_sink_wait nu >/dev/null
te=$(j "$LAB_DIR/nu.json" 'j["errors"]')
from=$(j "$LAB_DIR/nu.json" '" ".join(sorted(j["from"]))')
nr=$(( $(lab_tpstat /twinpath/drops --get no_route) - nr0 ))
if [ "$te" -eq $M ] && [ "$from" = "198.18.1.1" ] && [ "$nr" -eq $M ]; then
	ok "all $M packets without a route answered Network Unreachable by 198.18.1.1 and counted no_route"
else
	ko "$te of $M answered Network Unreachable, from '$from', $nr counted no_route (want $M, 198.18.1.1, $M)"
fi

# Datagrams of 1500 bytes toward 1400-byte links: without DF twinpath-dp
# fragments them and the server gets every one whole; with DF it answers
# Fragmentation Needed with the link's MTU (RFC 1191), from 198.18.1.1.
echo "== (c3) 1500-byte packets, $LINK_MTU-byte links: fragments, or Frag Needed"
M=50
frag0=$(lab_tpstat /twinpath/icmp --get fragmented)
lab_sink srv big --bind $SERVER --port 9005 --expect $M --timeout 20 --idle 5
lab_stream big_tx --dst $SERVER --port 9005 --flows 8 --count $M \
	--rate 100 --size 1472 --df dont
lab_sink_wait big_tx >/dev/null
lab_sink_wait big >/dev/null
got=$(j "$LAB_DIR/big.json" 'j["received"]')
frag=$(( $(lab_tpstat /twinpath/icmp --get fragmented) - frag0 ))
[ "$got" -eq $M ] && [ "$frag" -eq $M ] &&
	ok "all $M 1500-byte datagrams without DF arrived whole; twinpath-dp fragmented $frag" ||
	ko "$got of $M 1500-byte datagrams arrived, $frag fragmented (want $M each)"
fn0=$(lab_tpstat /twinpath/drops --get frag_needed)
lab_argv lan
"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/pmtu_probe.py" --dst $SERVER \
	--port 9006 --size 1472 >"$LAB_DIR/pmtu.json" 2>"$LAB_DIR/pmtu.err"
pm=$(j "$LAB_DIR/pmtu.json" '"%d %s %s" % (j["frag_needed"], " ".join(sorted(j["from"])), " ".join(str(m) for m in sorted(set(j["mtu"]))))')
fn=$(( $(lab_tpstat /twinpath/drops --get frag_needed) - fn0 ))
if [ "$pm" = "1 198.18.1.1 $LINK_MTU" ] && [ "$fn" -ge 1 ]; then
	ok "a DF 1500-byte datagram: Fragmentation Needed, MTU $LINK_MTU, from 198.18.1.1 ($fn counted frag_needed)"
else
	ko "DF 1500-byte datagram: '$pm' (want '1 198.18.1.1 $LINK_MTU'), $fn frag_needed"
fi

# IPv6 (RFC 4443): hop limit 1 runs out at twinpath-dp, Time Exceeded; no
# route to 2001:db8:300::/48, Destination Unreachable; 1500 bytes toward
# the 1400-byte links, Packet Too Big with MTU 1400 (IPv6 routers never
# fragment: RFC 8201 path MTU discovery lives on it). All from the LAN
# port's 2001:db8:10::1, each taken by the host's kernel (the raw socket
# sees only right checksums), each counted.
echo "== (c4) IPv6: Time Exceeded, Unreachable, Packet Too Big from 2001:db8:10::1"
te0=$(lab_tpstat /twinpath/icmp --get icmp6_time_exceeded)
hl0=$(lab_tpstat /twinpath/drops --get hop_limit_exceeded)
lab_argv lan
"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/icmp6_probe.py" --dst 2001:db8:100::10 \
	--port 9010 --hops 1 --type 3 >"$LAB_DIR/te6.json" 2>"$LAB_DIR/te6.err"
pm=$(j "$LAB_DIR/te6.json" '"%d %s" % (j["errors"], " ".join(sorted(j["from"])))')
te=$(( $(lab_tpstat /twinpath/icmp --get icmp6_time_exceeded) - te0 ))
hl=$(( $(lab_tpstat /twinpath/drops --get hop_limit_exceeded) - hl0 ))
if [ "$pm" = "1 2001:db8:10::1" ] && [ "$te" -ge 1 ] && [ "$hl" -eq "$te" ]; then
	ok "hop limit 1: ICMPv6 Time Exceeded from 2001:db8:10::1 ($te sent, $hl hop_limit_exceeded)"
else
	ko "hop limit 1: '$pm' (want '1 2001:db8:10::1'), $te icmp6_time_exceeded, $hl hop_limit_exceeded"
fi
un0=$(lab_tpstat /twinpath/icmp --get icmp6_unreachable)
"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/icmp6_probe.py" --dst 2001:db8:300::1 \
	--port 9012 --type 1 >"$LAB_DIR/un6.json" 2>"$LAB_DIR/un6.err"
pm=$(j "$LAB_DIR/un6.json" '"%d %s" % (j["errors"], " ".join(sorted(j["from"])))')
un=$(( $(lab_tpstat /twinpath/icmp --get icmp6_unreachable) - un0 ))
[ "$pm" = "1 2001:db8:10::1" ] && [ "$un" -ge 1 ] &&
	ok "no route to 2001:db8:300::1: Destination Unreachable from 2001:db8:10::1 ($un sent)" ||
	ko "no route to 2001:db8:300::1: '$pm' (want '1 2001:db8:10::1'), $un icmp6_unreachable"
tb0=$(lab_tpstat /twinpath/icmp --get icmp6_too_big)
big0=$(lab_tpstat /twinpath/drops --get too_big6)
"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/icmp6_probe.py" --dst 2001:db8:100::10 \
	--port 9011 --size 1452 --type 2 >"$LAB_DIR/ptb6.json" 2>"$LAB_DIR/ptb6.err"
pm=$(j "$LAB_DIR/ptb6.json" '"%d %s %s" % (j["errors"], " ".join(sorted(j["from"])), " ".join(str(m) for m in sorted(set(j["mtu"]))))')
tb=$(( $(lab_tpstat /twinpath/icmp --get icmp6_too_big) - tb0 ))
big=$(( $(lab_tpstat /twinpath/drops --get too_big6) - big0 ))
pmtu=$(ip -n "$(lab_ns lan)" -6 route get 2001:db8:100::10 | grep -o 'mtu [0-9]*')
if [ "$pm" = "1 2001:db8:10::1 $LINK_MTU" ] && [ "$tb" -ge 1 ] &&
	[ "$big" -eq "$tb" ] && [ "$pmtu" = "mtu $LINK_MTU" ]; then
	ok "1500 bytes of IPv6: Packet Too Big, MTU $LINK_MTU, from 2001:db8:10::1; the host's path MTU is now $LINK_MTU ($tb sent, $big too_big6)"
else
	ko "1500 bytes of IPv6: '$pm' (want '1 2001:db8:10::1 $LINK_MTU'), host '$pmtu', $tb icmp6_too_big, $big too_big6"
fi

# The links back at 1500: twinpath-dp sees it on its next link poll and
# stops fragmenting.
for i in 1 2; do
	gw_exec ip link set "link$i" mtu 1500 &&
		ip -n "$(lab_ns up$i)" link set eth0 mtu 1500 ||
		fatal "could not set link$i's MTU back"
done
mtus=""
for t in $(seq 20); do
	mtus=$(lab_tpstat /twinpath/ports | lab_json - '" ".join(str(j["/twinpath/ports"][l]["mtu"]) for l in ("link1", "link2"))')
	[ "$mtus" = "1500 1500" ] && break
	sleep 0.1
done
frag0=$(lab_tpstat /twinpath/icmp --get fragmented)
lab_sink srv big2 --bind $SERVER --port 9007 --expect 20 --timeout 20 --idle 5
lab_stream big2_tx --dst $SERVER --port 9007 --flows 8 --count 20 \
	--rate 100 --size 1472 --df dont
lab_sink_wait big2_tx >/dev/null
lab_sink_wait big2 >/dev/null
got=$(j "$LAB_DIR/big2.json" 'j["received"]')
frag=$(( $(lab_tpstat /twinpath/icmp --get fragmented) - frag0 ))
[ "$mtus" = "1500 1500" ] && [ "$got" -eq 20 ] && [ "$frag" -eq 0 ] &&
	ok "links back at MTU 1500, seen at run time ($mtus): 20 datagrams of 1500 bytes go whole" ||
	ko "links back at 1500: twinpath-dp says '$mtus', $got of 20 arrived, $frag fragmented (want 1500 1500, 20, 0)"

echo "== (d) kill -9 twinpathd mid-stream, restart, resync"
stream_start d 9001 8000 1000
sleep 2
lab_kill_cp KILL && ok "twinpathd killed with SIGKILL mid-stream" ||
	ko "twinpathd did not die from SIGKILL"
sleep 1
dp_pid=$(cat "$LAB_DIR/dp.pid")
lab_pid_alive "$dp_pid" && ok "twinpath-dp kept running headless" ||
	ko "twinpath-dp died with twinpathd"
gen_before=$(lab_fib_generation)
lab_start_cp "$CONF" || fatal "twinpathd did not restart"
if gen2=$(lab_wait_sync $((gen_before + 1))); then
	ok "restarted twinpathd resynced with a higher generation ($gen_before -> $gen2)"
else
	ko "no resync after restart (generation stayed $gen_before)"
fi
stream_end d
check_stream d "$sent" "stream across kill -9 and resync"

echo "== after the resync"
stream_start e 9003 4000 2000
stream_end e
check_stream e "$sent" "stream after resync"
check_split e "$sent" "stream after resync"

echo "== the kernel refused none of our AF_XDP descriptors"
# xsk_tx_invalid / xsk_rx_invalid count descriptors the kernel refused: a
# frame twinpath-dp counted sent that never left (an mbuf outside the
# UMEM), our bug. The main lcore reads them once a second: wait past one
# read after the last stream.
sleep 1.2
lab_tpstat /twinpath/ports >"$LAB_DIR/xsk.ports.json" &&
	lab_tpstat /twinpath/xsk >"$LAB_DIR/xsk.json" ||
	fatal "telemetry /twinpath/xsk"
while IFS= read -r line; do
	case $line in
	PASS:*) ok "${line#PASS: }" ;;
	*) ko "${line#FAIL: }" ;;
	esac
done < <(python3 - "$LAB_DIR/xsk.ports.json" "$LAB_DIR/xsk.json" <<'PY'
import json, sys
ports = json.load(open(sys.argv[1]))["/twinpath/ports"]
xsk = json.load(open(sys.argv[2]))["/twinpath/xsk"]
want = sorted(n for n, p in ports.items() if p["device"] == "")
got = sorted(xsk)
if not want or got != want:
    print("FAIL: /twinpath/xsk lists %s, the af_xdp ports are %s" % (got, want))
for n in got:
    x = xsk[n]
    found = x["sockets_live"] == x["queues"] >= 1
    refused = (x["xsk_tx_invalid"], x["xsk_rx_invalid"])
    what = ("%s: %d of %d AF_XDP sockets found, xsk_tx_invalid %d, "
            "xsk_rx_invalid %d (xsk_dropped %d, xsk_fill_empty %d)" %
            (n, x["sockets_live"], x["queues"], refused[0], refused[1],
             x["xsk_dropped"], x["xsk_fill_empty"]))
    print(("PASS: " if found and refused == (0, 0) else "FAIL: ") + what)
    if "xsk_dropped" not in ports[n]:
        print("FAIL: %s: /twinpath/ports has no xsk_dropped" % n)
PY
)
exit 0
