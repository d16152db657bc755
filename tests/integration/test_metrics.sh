#!/usr/bin/env bash
# twinpathd's Prometheus endpoint in the lab (issue 12): BFD (50 ms x 3)
# and BGP on both links (config/lab-bfd.conf). GET /metrics on the default
# 127.0.0.1:9342 inside the gateway answers 200 with the 0.0.4 content
# type and a page `promtool check metrics` finds nothing wrong with; any
# other path is 404, another method 405; both BFD sessions show Up with
# the configured timers and both BGP sessions Established; the data plane's
# drop reasons are exactly the telemetry's; a stream LAN -> server grows
# link1's and link2's tx counters and one server -> LAN their rx counters,
# together by exactly what each stream sent.
# Usage: BUILD=<build root> bash tests/integration/test_metrics.sh
set -u
BUILD=${BUILD:-${1:-build}}
LAB_NO_TRAP=1 # tally.sh's trap tears down and prints the tally
LAB_PREFIX=twpmet$$
source "$(dirname "$0")/../lab.sh"

SERVER=198.51.100.10
LANHOST=198.18.1.10
FLOWS=64
TTL=64
URL=http://127.0.0.1:9342
export LAB_BFD="50 50 3"
export LAB_BGP_TIMERS="9 3"
source "$(dirname "$0")/tally.sh"

# scrape NAME: GET /metrics in the gateway into $LAB_DIR/NAME.prom, the
# response headers into NAME.hdr; fails unless curl got a 200.
scrape() {
	gw_exec curl -sS --max-time 5 -D "$LAB_DIR/$1.hdr" \
		-o "$LAB_DIR/$1.prom" -w '%{http_code}' "$URL/metrics" \
		>"$LAB_DIR/$1.code" 2>"$LAB_DIR/$1.err" &&
		[ "$(cat "$LAB_DIR/$1.code")" = 200 ]
}

# value NAME SERIES: the value of one sample line ("name{labels}") in a
# saved scrape, "none" when absent.
value() {
	awk -v s="$2" '$1 == s { print $2; f = 1 } END { if (!f) print "none" }' \
		"$LAB_DIR/$1.prom"
}

# delta FROM TO SERIES: how much a sample grew between two scrapes.
delta() { echo $(( $(value "$2" "$3") - $(value "$1" "$3") )); }

# wait_metrics NAME SECONDS SERIES=VALUE...: scrape every 0.5 s until
# every listed sample has its value (the page follows the main loop's
# once-a-second snapshot); the last scrape stays in NAME.prom.
wait_metrics() {
	local name=$1 secs=$2 end kv all
	shift 2
	end=$((SECONDS + secs))
	while [ $SECONDS -lt $end ]; do
		if scrape "$name"; then
			all=1
			for kv in "$@"; do
				[ "$(value "$name" "${kv%=*}")" = "${kv##*=}" ] || all=0
			done
			[ $all = 1 ] && return 0
		fi
		sleep 0.5
	done
	return 1
}

echo "== lab up: BFD 50 ms x 3 and BGP on both links"
lab_up || fatal "lab did not come up"
# the reverse stream's flows spread over both upstreams (L4 hash)
lab_sysctl srv net.ipv4.fib_multipath_hash_policy=1 ||
	fatal "could not set the server's multipath hash"
CONF=$LAB_DIR/gw-bfd.conf
lab_gw_bfd_config "$CONF" 50 50 3
lab_start_dp "$CONF" || fatal "twinpath-dp did not start"
lab_start_cp "$CONF" || fatal "twinpathd did not start"
lab_wait_sync 1 >/dev/null || fatal "no FIB sync from twinpathd"

echo "== GET /metrics"
if wait_metrics up 20 \
	'twinpath_bfd_up{link="link1"}=1' 'twinpath_bfd_up{link="link2"}=1' \
	'twinpath_bgp_established{link="link1"}=1' \
	'twinpath_bgp_established{link="link2"}=1' 'twinpath_dp_up=1' \
	'twinpath_bgp_prefixes_installed{link="link1"}=1' \
	'twinpath_bgp_prefixes_installed{link="link2"}=1'; then
	ok "both BFD sessions Up, both BGP sessions Established with their route installed, data plane answering, as /metrics says"
else
	fatal "within 20 s /metrics said bfd_up $(value up 'twinpath_bfd_up{link="link1"}')/$(value up 'twinpath_bfd_up{link="link2"}'), bgp_established $(value up 'twinpath_bgp_established{link="link1"}')/$(value up 'twinpath_bgp_established{link="link2"}'), dp_up $(value up twinpath_dp_up), installed $(value up 'twinpath_bgp_prefixes_installed{link="link1"}')/$(value up 'twinpath_bgp_prefixes_installed{link="link2"}') (want 1 each; curl: $(cat "$LAB_DIR/up.err" 2>/dev/null))"
fi
ctype=$(tr -d '\r' <"$LAB_DIR/up.hdr" | sed -n 's/^[Cc]ontent-[Tt]ype: //p')
[ "$ctype" = "text/plain; version=0.0.4; charset=utf-8" ] &&
	ok "Content-Type: $ctype" ||
	ko "Content-Type '$ctype', want 'text/plain; version=0.0.4; charset=utf-8'"
if promtool check metrics <"$LAB_DIR/up.prom" >"$LAB_DIR/promtool.out" 2>&1; then
	ok "promtool check metrics: no problem in $(grep -vc '^#' "$LAB_DIR/up.prom") samples"
else
	ko "promtool check metrics: $(head -5 "$LAB_DIR/promtool.out")"
fi
want="twinpath_bfd_state{link=\"link1\",state=\"up\"} 1
twinpath_bfd_state{link=\"link1\",state=\"down\"} 0
twinpath_bfd_tx_interval_seconds{link=\"link1\"} 0.05
twinpath_bfd_detection_time_seconds{link=\"link1\"} 0.15
twinpath_bfd_tx_interval_seconds{link=\"link2\"} 0.05
twinpath_bfd_detection_time_seconds{link=\"link2\"} 0.15
twinpath_bgp_prefixes_accepted{link=\"link1\"} 1
twinpath_bgp_prefixes_accepted{link=\"link2\"} 1
twinpath_bgp_prefixes_installed{link=\"link1\"} 1
twinpath_bgp_prefixes_installed{link=\"link2\"} 1"
missing=$(grep -vxF -f "$LAB_DIR/up.prom" <<<"$want")
[ -z "$missing" ] &&
	ok "link1 BFD state up, both at 50 ms / 150 ms, each link's peer's 198.51.100.0/24 accepted and installed (ECMP)" ||
	ko "missing from /metrics: $(tr '\n' ';' <<<"$missing")"
lab_tpstat /twinpath/drops \
	>"$LAB_DIR/drops.json" || fatal "telemetry /twinpath/drops"
tel=$(j "$LAB_DIR/drops.json" '" ".join(sorted(j["/twinpath/drops"]))')
got=$(sed -nE 's/^twinpath_dp_drops_total\{reason="([^"]+)"\} [0-9]+$/\1/p' \
	"$LAB_DIR/up.prom" | sort | tr '\n' ' ' | sed 's/ $//')
[ -n "$tel" ] && [ "$got" = "$tel" ] &&
	ok "twinpath_dp_drops_total has every drop reason of /twinpath/drops ($(wc -w <<<"$got"))" ||
	ko "drop reasons in /metrics '$got', in telemetry '$tel'"

code=$(gw_exec curl -sS --max-time 5 -o /dev/null -w '%{http_code}' "$URL/")
[ "$code" = 404 ] && ok "GET / answers 404" || ko "GET / answers $code, want 404"
code=$(gw_exec curl -sS --max-time 5 -o /dev/null -w '%{http_code}' \
	-X POST --data x "$URL/metrics")
[ "$code" = 405 ] && ok "POST /metrics answers 405" ||
	ko "POST /metrics answers $code, want 405"

echo "== a stream LAN -> server: link1 and link2 tx grow"
scrape tx0 || fatal "scrape before the stream"
lab_sink srv fwd --bind $SERVER --port 9301 --expect 4000 --flows $FLOWS \
	--timeout 60 --idle 10 || fatal "sink fwd did not start"
lab_stream fwd.tx --dst $SERVER --port 9301 --flows $FLOWS --count 4000 \
	--rate 2000 --ttl $TTL
lab_sink_wait fwd.tx >/dev/null
lab_sink_wait fwd >/dev/null
sent=$(j "$LAB_DIR/fwd.tx.json" 'j["sent"]')
uniq=$(j "$LAB_DIR/fwd.json" 'j["unique"]')
[ "$sent" -eq 4000 ] && [ "$uniq" -eq "$sent" ] ||
	ko "stream LAN -> server: sent $sent of 4000, $uniq arrived"
# the data plane's counters are read at scrape time: no snapshot delay
scrape tx1 || fatal "scrape after the stream"
d_link1=$(delta tx0 tx1 'twinpath_dp_tx_packets_total{link="link1"}')
d_link2=$(delta tx0 tx1 'twinpath_dp_tx_packets_total{link="link2"}')
d_lan=$(delta tx0 tx1 'twinpath_dp_rx_packets_total{link="lan"}')
# exactly the stream on the links (BFD's packets are not port traffic,
# as in streams.sh's check_split); the LAN port may also see ARP
if [ "$d_link1" -gt 0 ] && [ "$d_link2" -gt 0 ] &&
	[ $((d_link1 + d_link2)) -eq "$sent" ] && [ "$d_lan" -ge "$sent" ]; then
	ok "tx grew by $d_link1 on link1 and $d_link2 on link2 (sum: the $sent sent), lan rx by $d_lan"
else
	ko "tx grew by $d_link1 on link1, $d_link2 on link2, lan rx by $d_lan (want each > 0, the links' sum $sent, lan >= $sent)"
fi
b=$(delta tx0 tx1 'twinpath_dp_tx_bytes_total{link="link1"}')
[ "$b" -gt 0 ] && ok "link1 tx bytes grew by $b (ethdev statistics)" ||
	ko "link1 tx bytes grew by $b"

echo "== a stream server -> LAN: link1 and link2 rx grow"
lab_sink lan rev --bind $LANHOST --port 9302 --expect 4000 --flows $FLOWS \
	--timeout 60 --idle 10 || fatal "sink rev did not start"
lab_argv srv
"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/udp_stream.py" --dst $LANHOST \
	--port 9302 --flows $FLOWS --count 4000 --rate 2000 --ttl $TTL \
	--max-seconds 30 >"$LAB_DIR/rev.tx.json" 2>"$LAB_DIR/rev.tx.err" &
echo $! >"$LAB_DIR/rev.tx.sinkpid"
lab_sink_wait rev.tx >/dev/null
lab_sink_wait rev >/dev/null
sent=$(j "$LAB_DIR/rev.tx.json" 'j["sent"]')
uniq=$(j "$LAB_DIR/rev.json" 'j["unique"]')
[ "$sent" -eq 4000 ] && [ "$uniq" -eq "$sent" ] ||
	ko "stream server -> LAN: sent $sent of 4000, $uniq arrived"
scrape rx1 || fatal "scrape after the reverse stream"
d_link1=$(delta tx1 rx1 'twinpath_dp_rx_packets_total{link="link1"}')
d_link2=$(delta tx1 rx1 'twinpath_dp_rx_packets_total{link="link2"}')
if [ "$d_link1" -gt 0 ] && [ "$d_link2" -gt 0 ] &&
	[ $((d_link1 + d_link2)) -eq "$sent" ]; then
	ok "rx grew by $d_link1 on link1 and $d_link2 on link2 (sum: the $sent sent)"
else
	ko "rx grew by $d_link1 on link1, $d_link2 on link2 (want each > 0, the sum $sent)"
fi
exit 0
