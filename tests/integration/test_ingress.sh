#!/usr/bin/env bash
# Hostile frames at the gateway's ports (issue 19): while a UDP stream
# runs both ways (LAN host <-> server) over BGP routes with BFD on both
# links, tests/tools/hostile.py sends bounded bursts of frames no router
# may forward — martian IPv4/IPv6 sources, frames for another MAC, the
# broadcast MAC or a multicast MAC, spoofed sources, LSRR/SSRR, a fragment
# ending past 65535, a directed broadcast, malformed IPv4/IPv6 headers,
# IPv6 extension-header chains, BFD-shaped UDP carrying link1's
# discriminator on the wrong port — from the LAN host and from an
# upstream's end of a link. For each kind: its named drop counter grew by
# exactly the number sent (and no other counter moved); none of it is
# captured leaving the gateway on any far side (tcpdump inbound on the LAN
# host's and both upstreams' veths, which also captured the streams: the
# captures really ran); a padded frame (100-byte datagram in 1514 bytes,
# toward the 1400-byte links) arrives trimmed to its 100 bytes; the
# streams lose nothing; no BFD session and no BGP session flapped.
# Exact counts hold because nothing else in the lab reaches these
# counters: the kernels' own ARP, ND, MLD go to broadcast, multicast or
# link-local destinations (the XDP program passes them to the gateway's
# kernel before twinpath-dp), BGP and BFD go to the gateway's addresses,
# and the streams lose nothing (checked), so every drop is ours.
# Usage: BUILD=<build root> bash tests/integration/test_ingress.sh
set -u
BUILD=${BUILD:-build}
LAB_NO_TRAP=1 # our own trap (tally.sh) tears down and prints the tally
source "$(dirname "$0")/../lab.sh"
source "$(dirname "$0")/tally.sh"
HOLD=9
source "$(dirname "$0")/bgpctl.sh"

SERVER=198.51.100.10
LANHOST=198.18.1.10
P6=2001:db8:100::/48
DST6=2001:db8:100::10     # inside P6: routed to the links
SITE6=2001:db8:ff::/48    # the site's IPv6 prefix (bgp.announce)
LAN_SRC6=2001:db8:ff::10  # a LAN host's IPv6 source, inside SITE6
FLOWS=32
# Both streams at RATE pps for STREAM_S s: the hostile phase runs inside
# them (checked). 500 pps each way is what this 2-core machine carries
# without loss beside the captures and the senders.
RATE=${TWP_INGRESS_PPS:-500}
STREAM_S=${TWP_INGRESS_STREAM_S:-40}
ROUNDS=20      # rounds per kind: every variant of a kind ROUNDS times
HRATE=200      # hostile frames a second
LINK_MTU=1400
BFD_MS=100     # BFD 100 ms x 3 on both links: 300 ms detection
# scapy is Debian's python3-scapy: the system interpreter, whatever
# python3 comes first in PATH
SCAPY_PY=${TWP_SCAPY_PYTHON:-/usr/bin/python3}
export LAB_BFD="$BFD_MS $BFD_MS 3" LAB_BGP_TIMERS="$HOLD 3" LAB_BGP_V6=1
LAB_PREFIX=twping$$
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX

# The kinds sent from each side, and the drop counter each must grow
# ("-": none, the frame must be forwarded; "xdp:NAME": a twp_xdp_stats
# slot; "bfd:NAME": link1's BFD drop counter).
# IPv6 extension-header chains that must be refused (see counter)
EXT6_REFUSED="ext6_rh0 ext6_hbh_late ext6_trunc"
LAN_KINDS="martian4 martian6 l2_other l2_bcast l2_mcast spoof lsrr ssrr
frag_overflow padded bad_ihl bad_cksum bad_total_len bad_version runt
bad_version6 bad_payload_len6 ext6_long $EXT6_REFUSED bfd"
LINK_KINDS="martian4 martian6 l2_other l2_bcast l2_mcast spoof own lsrr ssrr
dbcast bad_ihl bad_cksum bad_total_len bad_version runt bad_version6
bad_payload_len6 ext6_long $EXT6_REFUSED"
UP2_KINDS="bfd"
FWD_KINDS="padded ext6_long" # counter "-": must cross the gateway
# counter SIDE KIND
counter() {
	case $2 in
	martian4 | martian6) echo martian_src ;;
	l2_other) echo l2_other_host ;;
	l2_bcast) echo l2_broadcast ;;
	l2_mcast) echo l2_multicast ;;
	spoof) [ "$1" = lan ] && echo src_not_site || echo src_spoofed ;;
	own) echo src_own ;;
	lsrr | ssrr) echo source_route ;;
	frag_overflow) echo bad_fragment ;;
	padded) echo - ;;
	dbcast) echo directed_broadcast ;;
	bad_ihl) echo bad_ihl ;;
	bad_cksum) echo bad_checksum ;;
	bad_total_len) echo bad_total_len ;;
	bad_version) echo bad_version ;;
	# shorter than an IPv4 header: the XDP program passes it to the
	# kernel (which drops it) before twinpath-dp could see it
	runt) echo xdp:pass_malformed ;;
	bad_version6) echo bad_version6 ;;
	bad_payload_len6) echo bad_payload_len ;;
	# RFC 5095: RH0 is IPv6's loose source route (refused like LSRR)
	ext6_rh0) echo source_route ;;
	# RFC 8200 §4: a chain that cannot be parsed (Hop-by-Hop not first,
	# a header running past the packet)
	ext6_hbh_late | ext6_trunc) echo bad_ext6 ;;
	# a well-formed chain, however long, is forwarded (RFC 7045 §2.2)
	ext6_long) echo - ;;
	bfd) echo bfd:wrong_if ;;
	esac
}

# xdp_stats OUT: the XDP program's verdict counters, summed over CPUs,
# by name (common/xdp.h enum xdp_stat order).
xdp_stats() {
	gw_exec bpftool -j map dump pinned /sys/fs/bpf/twp_xdp_stats |
		python3 -c 'import json, sys
names = ["pass_arp", "pass_local", "pass_mcast", "pass_other",
         "pass_malformed", "redirect", "no_socket", "bfd_consumed",
         "bfd_tx", "bfd_no_session"]
out = {}
for e in json.load(sys.stdin):
    e = e.get("formatted", e)
    k = e["key"] if isinstance(e["key"], int) else int.from_bytes(
        bytes(int(b, 16) for b in e["key"]), "little")
    tot = 0
    for v in e["values"]:
        val = v["value"]
        tot += val if isinstance(val, int) else int.from_bytes(
            bytes(int(b, 16) for b in val), "little")
    if k < len(names):
        out[names[k]] = tot
print(json.dumps(out))' >"$1"
}

# snap NAME: drop counters, XDP verdicts, BFD and BGP views.
snap() {
	lab_stats /twinpath/drops >"$LAB_DIR/$1.drops.json" &&
		xdp_stats "$LAB_DIR/$1.xdp.json" &&
		lab_ctl --json show bfd >"$LAB_DIR/$1.bfd.json" &&
		bgp "$1.bgp" neighbors
}

# burst_prepare ROLE NAME KINDS ARGS...: hostile.py in ROLE, out of its
# eth0 toward the gateway, started now (scapy's start-up, seconds of CPU,
# is out of the measured window) and sending only at burst_go NAME; its
# JSON in NAME.hostile.json.
burst_prepare() {
	local role=$1 name=$2 kinds=$3 mac i
	shift 3
	mac=$(ip -n "$(lab_ns "$role")" -j link show eth0 | j - 'j[0]["address"]')
	rm -f "$LAB_DIR/$name.go" "$LAB_DIR/$name.hready"
	lab_argv "$role"
	"${LAB_ARGV[@]}" "$SCAPY_PY" "$LAB_TOOLS/hostile.py" --iface eth0 \
		--src-mac "$mac" --kinds "$(echo $kinds | tr ' ' ,)" \
		--count $ROUNDS --rate $HRATE --go-file "$LAB_DIR/$name.go" \
		--ready-file "$LAB_DIR/$name.hready" "$@" \
		>"$LAB_DIR/$name.hostile.json" 2>"$LAB_DIR/$name.hostile.err" &
	echo $! >"$LAB_DIR/$name.hostilepid"
	for i in $(seq 300); do
		[ -e "$LAB_DIR/$name.hready" ] && return 0
		kill -0 $! 2>/dev/null || break
		sleep 0.1
	done
	cat "$LAB_DIR/$name.hostile.err" >&2
	fatal "hostile.py in $role did not get ready"
}

# burst_go NAME: let it send, wait until it is done.
burst_go() {
	touch "$LAB_DIR/$1.go"
	wait "$(cat "$LAB_DIR/$1.hostilepid")" ||
		{ cat "$LAB_DIR/$1.hostile.err" >&2; fatal "hostile.py ($1) failed"; }
}

# check_counters SIDE KINDS BEFORE AFTER HOSTILE: every kind's counter
# grew by exactly what was sent of it, and no other drop counter moved.
check_counters() {
	local side=$1 kinds=$2 before=$3 after=$4 hostile=$5 spec="" k line
	for k in $kinds; do spec="$spec $k=$(counter "$side" "$k")"; done
	while IFS= read -r line; do
		case $line in
		PASS:*) ok "${line#PASS: }" ;;
		*) ko "${line#FAIL: }" ;;
		esac
	done < <(python3 - "$LAB_DIR" "$before" "$after" "$hostile" "$side" $spec <<'PY'
import json, sys
d, before, after, hostile, side = sys.argv[1:6]
def load(name, kind):
    return json.load(open("%s/%s.%s.json" % (d, name, kind)))
drops = [next(iter(load(n, "drops").values())) for n in (before, after)]
xdp = [load(n, "xdp") for n in (before, after)]
def bfd1(name):
    return [l for l in load(name, "bfd")["links"] if l["name"] == "link1"][0]["drops"]
bfd = [bfd1(n) for n in (before, after)]
sent = json.load(open("%s/%s.hostile.json" % (d, hostile)))["sent"]
want = {}          # counter -> (frames, [kinds])
for kv in sys.argv[6:]:
    k, c = kv.split("=", 1)
    n, ks = want.get(c, (0, []))
    want[c] = (n + sent[k], ks + ["%s %d" % (k, sent[k])])
for c, (n, ks) in sorted(want.items()):
    if c == "-":
        continue
    src, name = ("drops", c)
    a, b = drops
    if c.startswith("xdp:"):
        src, name = "XDP verdict", c[4:]
        a, b = xdp
    elif c.startswith("bfd:"):
        src, name = "link1's BFD drops", c[4:]
        a, b = bfd
    what = "from %s: %s" % (side, ", ".join(ks))
    if name not in b:
        print("FAIL: %s: no counter %s in %s" % (what, name, src))
        continue
    got = b[name] - a.get(name, 0)
    print("%s: %s: %s %s +%d (want +%d)" % (
        "PASS" if got == n else "FAIL", what, src, name, got, n))
# nothing else moved: every drop reason not named above stays put
other = {k: drops[1][k] - drops[0].get(k, 0) for k in drops[1]
         if k not in want and drops[1][k] != drops[0].get(k, 0)}
print("%s: from %s: no other drop counter moved%s" % (
    "FAIL" if other else "PASS", side,
    (": " + ", ".join("%s +%d" % kv for kv in sorted(other.items())))
    if other else ""))
PY
)
}

# cap_start NAME ROLE: tcpdump of what ROLE's eth0 receives from the
# gateway (-Q in), into NAME.pcap; returns once it listens.
cap_start() {
	local name=$1 role=$2 i
	lab_argv "$role"
	"${LAB_ARGV[@]}" tcpdump -i eth0 -Q in -n -U -Z root \
		-w "$LAB_DIR/$name.pcap" >"$LAB_DIR/$name.tcpdump.log" 2>&1 &
	echo $! >"$LAB_DIR/$name.cappid"
	for i in $(seq 50); do
		grep -q "listening on" "$LAB_DIR/$name.tcpdump.log" && return 0
		sleep 0.1
	done
	cat "$LAB_DIR/$name.tcpdump.log" >&2
	fatal "tcpdump on $role eth0 did not start"
}

# cap_stop NAME: stop it (SIGINT: it flushes and reports); prints the
# packets the kernel dropped before tcpdump read them.
cap_stop() {
	local pid
	pid=$(cat "$LAB_DIR/$1.cappid")
	kill -INT "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sed -nE 's/^([0-9]+) packets? dropped by kernel$/\1/p' "$LAB_DIR/$1.tcpdump.log"
}

echo "== lab up: BGP (IPv4 and IPv6 routes) and BFD $BFD_MS ms x 3 on both links, links at MTU $LINK_MTU"
lab_up || fatal "lab did not come up"
for i in 1 2; do
	gw_exec ip link set "link$i" mtu $LINK_MTU &&
		ip -n "$(lab_ns up$i)" link set eth0 mtu $LINK_MTU ||
		fatal "could not set link$i's MTU"
done
# the server answers from its service address, not its transfer nets
ip -n "$(lab_ns srv)" route replace 198.18.0.0/16 src $SERVER \
	nexthop via 192.0.2.1 dev up1 nexthop via 192.0.2.5 dev up2 ||
	fatal "could not set the server's route"
conf=$LAB_DIR/gw-ingress.conf
lab_gw_bfd_config "$conf" $BFD_MS $BFD_MS 3
# IPv6 routes from BGP; the site's IPv6 prefix announced, so the LAN
# host's IPv6 packets pass the strict ingress filter (twinpathd does not
# announce it: the links have no IPv6 address in the config; it logs so)
sed -i -E -e "s|import = \[|import = [\"$P6 le 64\", |" \
	-e "s|(announce = \[\"198.18.0.0/16\")|\1, \"$SITE6\"|" "$conf"
[ "$(grep -c "\"$P6 le 64\"" "$conf")" -eq 2 ] &&
	[ "$(grep -c "\"$SITE6\"" "$conf")" -eq 1 ] ||
	fatal "could not derive the test config ($conf)"
gw_up_bgp "" "$conf"
wait_fib start 20 198.51.100.0/24 "link1,link2||bgp" ||
	fatal "198.51.100.0/24 is $(fib_route start 198.51.100.0/24), want link1,link2||bgp"
deadline=$((SECONDS + 20))
until [ "$(lab_tpstat /twinpath/fib --get routes_ipv6 2>/dev/null)" = 1 ]; do
	[ $SECONDS -lt $deadline ] || fatal "no IPv6 route in twinpath-dp's FIB"
	sleep 0.3
done
deadline=$((SECONDS + 10))
until lab_ctl --json show bfd 2>/dev/null | j - 'all(l["state"] == "Up" and l["live"] for l in j["links"])' | grep -q True; do
	[ $SECONDS -lt $deadline ] || fatal "BFD not Up on both links"
	sleep 0.3
done
ok "BGP Established, 198.51.100.0/24 and $P6 over both links, BFD Up on both"
disc1=$(lab_ctl --json show bfd | j - '[l for l in j["links"] if l["name"] == "link1"][0]["local_disc"]')
lan_gw_mac=$(gw_exec ip -j link show lan0 | j - 'j[0]["address"]')
link1_gw_mac=$(gw_exec ip -j link show link1 | j - 'j[0]["address"]')
link2_gw_mac=$(gw_exec ip -j link show link2 | j - 'j[0]["address"]')
# the no-flap baseline: from here to the end nothing may flap
snap sb || fatal "could not read the counters"

echo "== hostile.py ready in the LAN host, up1 and up2"
burst_prepare lan lan "$LAN_KINDS" --gw-mac "$lan_gw_mac" \
	--src4 $LANHOST --dst4 $SERVER --src6 $LAN_SRC6 --dst6 $DST6 \
	--spoof-src 192.0.2.99 --bfd-dst 198.18.1.1 --bfd-your "$disc1"
burst_prepare up1 up1 "$LINK_KINDS" --gw-mac "$link1_gw_mac" \
	--src4 203.0.113.2 --dst4 $LANHOST --src6 2001:db8:1::2 --dst6 $DST6 \
	--spoof-src 198.18.1.77 --own-src 198.18.1.1 --bcast-dst 198.18.1.255
burst_prepare up2 up2 "$UP2_KINDS" --gw-mac "$link2_gw_mac" \
	--src4 203.0.113.6 --dst4 $LANHOST --src6 2001:db8:2::2 --dst6 $DST6 \
	--bfd-dst 203.0.113.5 --bfd-your "$disc1"

echo "== streams both ways at $RATE pps for $STREAM_S s, captures on the far sides"
cap_start cap_lan lan
cap_start cap_up1 up1
cap_start cap_up2 up2
count=$((RATE * STREAM_S))
lab_sink srv up --bind $SERVER --port 9200 --expect $count --flows $FLOWS \
	--timeout $((STREAM_S + 40)) --idle 10 || fatal "sink at the server did not start"
lab_sink lan down --bind $LANHOST --port 9201 --expect $count --flows $FLOWS \
	--timeout $((STREAM_S + 40)) --idle 10 || fatal "sink at the LAN host did not start"
lab_stream up.tx --dst $SERVER --port 9200 --flows $FLOWS --count $count \
	--rate "$RATE"
lab_argv srv
"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/udp_stream.py" --dst $LANHOST --port 9201 \
	--flows $FLOWS --count $count --rate "$RATE" \
	>"$LAB_DIR/down.tx.json" 2>"$LAB_DIR/down.tx.err" &
echo $! >"$LAB_DIR/down.tx.sinkpid"
sleep 2
snap s0 || fatal "could not read the counters"

echo "== from the LAN host: $(echo $LAN_KINDS | wc -w) kinds x $ROUNDS"
burst_go lan
sleep 1
snap s1 || fatal "could not read the counters"
check_counters lan "$LAN_KINDS" s0 s1 lan

echo "== from upstream 1's end of link1: $(echo $LINK_KINDS | wc -w) kinds x $ROUNDS"
burst_go up1
sleep 1
snap s2 || fatal "could not read the counters"
check_counters link "$LINK_KINDS" s1 s2 up1

echo "== from upstream 2's end of link2: a BFD Down with link1's discriminator ($disc1) to 203.0.113.5"
burst_go up2
sleep 1
snap s3 || fatal "could not read the counters"
check_counters link "$UP2_KINDS" s2 s3 up2

# the hostile phase ran inside both streams
for s in up.tx down.tx; do
	kill -0 "$(cat "$LAB_DIR/$s.sinkpid")" 2>/dev/null ||
		ko "stream $s ended before the hostile phase did: raise STREAM_S"
done

echo "== the streams"
lab_sink_wait up.tx >/dev/null
lab_sink_wait down.tx >/dev/null
lab_sink_wait up >/dev/null
lab_sink_wait down >/dev/null
for s in up down; do
	sent=$(j "$LAB_DIR/$s.tx.json" 'j["sent"]')
	lost=$(j "$LAB_DIR/$s.json" 'j["lost"]')
	dup=$(j "$LAB_DIR/$s.json" 'j["duplicates"]')
	what="LAN host -> server"
	[ $s = down ] && what="server -> LAN host"
	[ "$sent" -eq $count ] && [ "$lost" -eq 0 ] && [ "$dup" -eq 0 ] &&
		ok "stream $what: all $sent packets arrived once" ||
		ko "stream $what: sent $sent of $count, $lost lost (first: $(j "$LAB_DIR/$s.json" 'j["lost_first"]')), $dup duplicates"
done
snap s4 || fatal "could not read the counters"

echo "== nothing leaked past the gateway"
for c in cap_lan cap_up1 cap_up2; do
	dropped=$(cap_stop $c)
	[ "$dropped" = 0 ] && ok "$c: tcpdump lost nothing (0 dropped by kernel)" ||
		ko "$c: tcpdump reports '${dropped:-?}' dropped by kernel: $(tail -3 "$LAB_DIR/$c.tcpdump.log" | tr '\n' ' ')"
done
python3 "$LAB_TOOLS/ingress_pcap.py" "$LAB_DIR"/cap_{lan,up1,up2}.pcap \
	>"$LAB_DIR/pcap.json" || fatal "ingress_pcap.py failed"
for c in lan up1 up2; do
	st=$(j "$LAB_DIR/pcap.json" "j['cap_$c.pcap']['stream']")
	[ "$st" -gt 0 ] && ok "capture at $c eth0 ran: it holds $st stream packets" ||
		ko "capture at $c eth0 holds no stream packet: it did not run"
	leaked=$(j "$LAB_DIR/pcap.json" "', '.join('%s %d' % kv for kv in sorted(j['cap_$c.pcap']['marked'].items()) if kv[0].split('/')[0] not in '$FWD_KINDS'.split())")
	[ -z "$leaked" ] && ok "no hostile frame reached $c eth0" ||
		ko "hostile frames leaked to $c eth0: $leaked"
	# nothing refused is answered (RFC 1812 §4.3.2.7 forbids it for
	# martians and link-layer broadcasts; twinpath-dp answers none of
	# these); errors from the hosts that got forwarded frames are theirs
	icmp=$(j "$LAB_DIR/pcap.json" "', '.join('%s %d' % kv for kv in sorted(j['cap_$c.pcap']['icmp_marked'].items()))")
	[ -z "$icmp" ] || echo "   ($c eth0 got ICMP errors quoting hostile frames: $icmp)"
	case " $icmp" in
	*" from 198.18.1.1 "* | *" from 203.0.113.1 "* | *" from 203.0.113.5 "*)
		ko "the gateway answered hostile frames with ICMP errors to $c: $icmp" ;;
	*) ok "no ICMP error from the gateway about a hostile frame reached $c" ;;
	esac
done
# what must be forwarded was, each frame once, on some far side
for k in $FWD_KINDS; do
	nk=$(cat "$LAB_DIR"/{lan,up1,up2}.hostile.json | python3 -c 'import json, sys
print(sum(json.loads(l)["sent"].get(sys.argv[1], 0) for l in sys.stdin))' "$k")
	got=$(j "$LAB_DIR/pcap.json" "sum(n for c in j.values() for t, n in c['marked'].items() if t.split('/')[0] == '$k')")
	[ "$got" -eq "$nk" ] && ok "all $nk '$k' frames forwarded past the gateway" ||
		ko "'$k': $got of $nk frames forwarded past the gateway"
done
# the padded frames from the LAN: each on one link, trimmed to its datagram
npad=$(j "$LAB_DIR/lan.hostile.json" 'j["sent"]["padded"]')
pads=$(j "$LAB_DIR/pcap.json" "sorted(set(tuple(p) for c in ('cap_up1.pcap', 'cap_up2.pcap') for p in j[c]['padded']))")
npads=$(j "$LAB_DIR/pcap.json" "sum(len(j[c]['padded']) for c in ('cap_up1.pcap', 'cap_up2.pcap'))")
[ "$npads" -eq "$npad" ] && [ "$pads" = "[(100, 114)]" ] &&
	ok "all $npad padded frames (100-byte datagram in 1514 bytes) forwarded to the $LINK_MTU-byte links trimmed: IP length 100 in 114 bytes" ||
	ko "padded frames: $npads of $npad forwarded, as (IP length, frame length) $pads (want [(100, 114)])"

echo "== no flap"
n0=$(j "$LAB_DIR/sb.bfd.json" '[(l["name"], l["up_count"], l["down_count"]) for l in j["links"]]')
n4=$(j "$LAB_DIR/s4.bfd.json" '[(l["name"], l["up_count"], l["down_count"]) for l in j["links"]]')
st4=$(j "$LAB_DIR/s4.bfd.json" '" ".join(l["state"] for l in j["links"])')
[ "$n0" = "$n4" ] && [ "$st4" = "Up Up" ] &&
	ok "no BFD flap: (link, up, down) counts $n4, both Up" ||
	ko "BFD flapped: (link, up, down) counts $n0 -> $n4, states $st4"
for l in link1 link2; do
	e0=$(nb sb.bgp $l established_count)
	e4=$(nb s4.bgp $l established_count)
	u0=$(nb sb.bgp $l uptime_s)
	u4=$(nb s4.bgp $l uptime_s)
	s4=$(nb s4.bgp $l state)
	if [ "$e0" = "$e4" ] && [ "$s4" = Established ] &&
		python3 -c "import sys; sys.exit(0 if $u4 > $u0 else 1)"; then
		ok "$l's BGP session did not flap (established $e4 times, uptime $u0 -> $u4 s)"
	else
		ko "$l's BGP session flapped: established $e0 -> $e4 times, uptime $u0 -> $u4 s, now $s4 ($(nb s4.bgp $l last_error))"
	fi
done
echo "== twinpath-dp drops over the run: $(j "$LAB_DIR/s4.drops.json" '", ".join("%s %s" % (k, v) for k, v in sorted(next(iter(j.values())).items()) if v) or "none"')"
exit 0
