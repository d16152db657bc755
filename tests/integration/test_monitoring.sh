#!/usr/bin/env bash
# twinpathd watched by a real Prometheus (issue 12 item 4). The lab with
# BFD 50 ms x 3 and BGP on both links (config/lab-bfd.conf), plus
# capacity_mbps = 2 on each link and monitor { interval_s = 0.1; }; a
# Prometheus server from Debian, started here inside the gateway's network
# namespace on 127.0.0.1:9090 with its storage in this run's directory and
# config/prometheus/twinpath-alerts.yml loaded, scrapes twinpathd every
# second. Through Prometheus' HTTP API the test sees: both links' byte
# counters grow under a stream LAN -> server and twinpathd's rate gauges
# carry it on both links; then, within 2 s of link1's silent loss (from
# its last valid BFD packet, the health map's last_rx_ns), link1's
# BFD session Down, its BGP session out of Established (per-state gauge),
# its forwarded packet rate 0 and link2's carrying the stream; link1's
# counter stays still while link2's grows; TwinpathBfdDown fires for
# link1 alone; twinpathd logged link2 reaching its utilisation warning and
# `twinpathctl show links` says link1 is not usable.
#
# The 2 s budget: BFD detection 150 ms, the monitor's 100 ms interval
# (the first whole one after the switch ends at most 200 ms later), the
# /metrics snapshot published every 100 ms tick, one 1 s scrape interval,
# and this test's 100 ms polling of the API.
# Usage: BUILD=<build root> bash tests/integration/test_monitoring.sh
set -u
BUILD=${BUILD:-${1:-build}}
LAB_NO_TRAP=1 # tally.sh's trap tears down and prints the tally
LAB_PREFIX=twpmon$$
source "$(dirname "$0")/../lab.sh"

SERVER=198.51.100.10
FLOWS=64
TTL=64
RATE=2000 # pps of 106-byte frames: 1.696 Mbit/s, 0.85 of a 2 Mbit/s link
PROM=http://127.0.0.1:9090
export LAB_BFD="50 50 3"
export LAB_BGP_TIMERS="9 3"
source "$(dirname "$0")/tally.sh"

# prom_query EXPR...: one instant query per EXPR inside the gateway; prints
# one line per EXPR: its samples as "labels=value" separated by spaces,
# or "none".
prom_query() {
	gw_exec python3 - "$PROM" "$@" <<'PY'
import json, sys, urllib.parse, urllib.request
base = sys.argv[1]
for q in sys.argv[2:]:
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
    r = json.load(urllib.request.urlopen(url, timeout=5))
    res = r["data"]["result"]
    print(" ".join(",".join(f"{k}={v}" for k, v in sorted(s["metric"].items())
                            if k not in ("__name__", "instance", "job"))
                   + "=" + s["value"][1] for s in res) or "none")
PY
}

# prom_value EXPR: the value of a query with one sample, "none" otherwise.
prom_value() {
	gw_exec python3 - "$PROM" "$1" <<'PY'
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "/api/v1/query?" + urllib.parse.urlencode({"query": sys.argv[2]})
res = json.load(urllib.request.urlopen(url, timeout=5))["data"]["result"]
print(res[0]["value"][1] if len(res) == 1 else "none")
PY
}

# growth FROM TO: "link1:N link2:M", how much each link's sample grew
# between two prom_query lines of a per-link counter.
growth() {
	python3 - "$1" "$2" <<'PY'
import sys
def parse(s):
    return {k.split("=")[1]: int(float(v))
            for k, v in (x.rsplit("=", 1) for x in s.split())}
a, b = parse(sys.argv[1]), parse(sys.argv[2])
print(" ".join(f"{l}:{b.get(l, 0) - a.get(l, 0)}" for l in ("link1", "link2")))
PY
}

# check_links NAME EXPR WHAT: `twinpathctl --json show links` into
# links.NAME.json; EXPR (over its JSON `j`) must hold.
check_links() {
	lab_ctl --json show links >"$LAB_DIR/links.$1.json" 2>&1
	# the link monitor's part of show links (the other: admin state)
	j "$LAB_DIR/links.$1.json" "(lambda j: $2)(j['rates'])" 2>/dev/null |
		grep -qx True &&
		ok "twinpathctl show links: $3" ||
		ko "twinpathctl show links, want $3: $(cat "$LAB_DIR/links.$1.json")"
}

# prom_wait SECONDS EXPR: until the query has a sample (PromQL filters:
# "x == 1" has one only while true).
prom_wait() {
	local end=$((SECONDS + $1))
	while [ $SECONDS -lt $end ]; do
		[ "$(prom_value "$2" 2>/dev/null)" != none ] && return 0
		sleep 0.5
	done
	return 1
}

echo "== lab up: BFD 50 ms x 3 and BGP on both links, 2 Mbit/s each"
lab_up || fatal "lab did not come up"
CONF=$LAB_DIR/gw-monitor.conf
lab_gw_bfd_config "$CONF" 50 50 3
python3 - "$CONF" <<'PY' || fatal "could not write $CONF"
import sys
p = sys.argv[1]
s = open(p).read()
assert s.count("local_pref = 100;") == 2
s = s.replace("local_pref = 100;", "local_pref = 100; capacity_mbps = 2;")
s = s.replace('mode = "active-active";',
              'mode = "active-active";\n'
              'monitor = { interval_s = 0.1; utilisation_warn = 0.6; };', 1)
open(p, "w").write(s)
PY
lab_start_dp "$CONF" || fatal "twinpath-dp did not start"
lab_start_cp "$CONF" || fatal "twinpathd did not start"
lab_wait_sync 1 >/dev/null || fatal "no FIB sync from twinpathd"

echo "== Prometheus in the gateway's namespace, scraping every second"
mkdir -p "$LAB_DIR/prometheus/data"
cat >"$LAB_DIR/prometheus/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $LAB_SRC/config/prometheus/twinpath-alerts.yml
scrape_configs:
  - job_name: twinpath
    static_configs:
      - targets: ["127.0.0.1:9342"]
EOF
lab_argv gw
"${LAB_ARGV[@]}" prometheus \
	--config.file="$LAB_DIR/prometheus/prometheus.yml" \
	--storage.tsdb.path="$LAB_DIR/prometheus/data" \
	--web.listen-address=127.0.0.1:9090 --log.level=warn \
	>"$LAB_DIR/prometheus.log" 2>&1 &
echo $! >"$LAB_DIR/prometheus.pid" # lab_down stops it
ready=0
for _ in $(seq 60); do
	gw_exec curl -sf --max-time 2 "$PROM/-/ready" >/dev/null 2>&1 &&
		{ ready=1; break; }
	lab_pid_alive "$(cat "$LAB_DIR/prometheus.pid")" || break
	sleep 0.5
done
[ $ready = 1 ] || { tail -5 "$LAB_DIR/prometheus.log"; fatal "Prometheus did not get ready"; }
ok "Prometheus $(prometheus --version 2>&1 | awk 'NR==1 {print $3}') ready on 127.0.0.1:9090 in the gateway's namespace"
if prom_wait 30 'twinpath_bgp_state{link="link1",state="established"} == 1 and on() twinpath_bgp_state{link="link2",state="established"} == 1 and on() twinpath_bfd_up{link="link1"} == 1 and on() twinpath_bfd_up{link="link2"} == 1'; then
	ok "Prometheus sees both BFD sessions Up and both BGP sessions in state established"
else
	fatal "within 30 s Prometheus did not see both links Up and Established: $(prom_query 'twinpath_bfd_up' 'twinpath_bgp_state == 1' 'up')"
fi
v=$(prom_query 'twinpath_link_capacity_bytes_per_second')
[ "$v" = "link=link1=250000 link=link2=250000" ] &&
	ok "capacity gauges: 2 Mbit/s = 250000 bytes/s on each link" ||
	ko "twinpath_link_capacity_bytes_per_second: '$v', want 250000 on each link"

echo "== a $RATE pps stream LAN -> server over $FLOWS flows"
lab_sink srv mon --bind $SERVER --port 9400 --expect $((RATE * 120)) \
	--flows $FLOWS --timeout 150 --idle 5 || fatal "sink did not start"
lab_stream mon.tx --dst $SERVER --port 9400 --flows $FLOWS \
	--count $((RATE * 120)) --rate $RATE --ttl $TTL --max-seconds 120 \
	--until-stopped
sleep 3
q='twinpath_dp_tx_bytes_total{link=~"link1|link2"}'
b0=$(prom_query "$q")
sleep 3
# the highest rate of the last 3 s: one 100 ms interval in which a busy
# host let the sender sleep is not the stream's split
b1=$(prom_query "$q" \
	'max_over_time(twinpath_link_packets_per_second{direction="tx"}[3s])' \
	'twinpath_links_imbalance_ratio{direction="tx"}')
grow=$(growth "$b0" "$(sed -n 1p <<<"$b1")")
if [[ $grow =~ ^link1:([0-9]+)\ link2:([0-9]+)$ ]] &&
	[ "${BASH_REMATCH[1]}" -gt 0 ] && [ "${BASH_REMATCH[2]}" -gt 0 ]; then
	ok "Prometheus saw both links' tx byte counters grow in 3 s ($grow bytes)"
else
	ko "tx byte counters in Prometheus grew by '$grow' (before '$b0', after '$(sed -n 1p <<<"$b1")')"
fi
pps=$(sed -n 2p <<<"$b1")
python3 - "$pps" <<'PY' &&
import sys
v = {dict(kv.split("=") for kv in k.split(","))["link"]: float(x)
     for k, x in (s.rsplit("=", 1) for s in sys.argv[1].split())}
sys.exit(0 if v.get("link1", 0) > 0 and v.get("link2", 0) > 0 else 1)
PY
	ok "twinpathd's tx packet rate was above 0 on both links in the last 3 s (highest: $pps), imbalance now $(sed -n 3p <<<"$b1")" ||
	ko "tx packet rates in Prometheus: '$pps', want both above 0"
check_links before 'j["known"] and all(l["usable"] and "tx_bps" in l for l in j["links"])' \
	"both links usable, with rates"

echo "== link1's silent loss"
# The poller runs before the loss and looks at the API every 100 ms: for
# each condition the CLOCK_MONOTONIC time it was first seen, and the first
# time all four held at once. The loss's moment is link1's last valid BFD
# packet (the health map's last_rx_ns, the same clock): the link died
# after it, so measuring from it can only make the 2 s stricter.
lab_argv gw
"${LAB_ARGV[@]}" python3 - "$PROM" >"$LAB_DIR/after.json" \
	2>"$LAB_DIR/after.err" <<'PY' &
import json, sys, time, urllib.parse, urllib.request
base = sys.argv[1]
conds = {
    "bfd_down": 'twinpath_bfd_up{link="link1"} == 0',
    "bgp_not_established":
        'twinpath_bgp_state{link="link1",state="established"} == 0',
    "link1_tx_pps_zero":
        'twinpath_link_packets_per_second{link="link1",direction="tx"} == 0',
    "link2_tx_pps_up":
        'twinpath_link_packets_per_second{link="link2",direction="tx"} > 0',
}
first, all_at, polls = {}, None, 0
now = lambda: time.clock_gettime_ns(time.CLOCK_MONOTONIC)
end = now() + 12_000_000_000
while now() < end:
    held = {}
    for name, q in conds.items():
        url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": q})
        held[name] = len(json.load(urllib.request.urlopen(url, timeout=2))
                         ["data"]["result"]) == 1
    t = now()
    polls += 1
    if polls == 1 and held["bfd_down"]:
        break  # already down before we looked: nothing to measure
    for name, h in held.items():
        if h and name not in first:
            first[name] = t
    if all(held.values()):
        all_at = t
        break
    time.sleep(0.1)
print(json.dumps({"first_ns": first, "all_ns": all_at, "polls": polls}))
PY
poller=$!
sleep 1.5
lab_silent_loss on 1 || ko "could not set up silent loss"
wait $poller
lab_ctl --json show bfd >"$LAB_DIR/after.bfd.json" 2>&1
loss=$(j "$LAB_DIR/after.bfd.json" "[l for l in j['links'] if l['name'] == 'link1'][0]['last_rx_ns']")
res=$(python3 - "$LAB_DIR/after.json" "$loss" <<'PY'
import json, sys
j, loss = json.load(open(sys.argv[1])), int(sys.argv[2])
ms = lambda t: round((t - loss) / 1e6)
print(ms(j["all_ns"]) if j["all_ns"] else "none")
print(" ".join(f"{k} {ms(v)} ms" for k, v in j["first_ns"].items()) or "nothing")
PY
)
all=$(sed -n 1p <<<"$res")
firsts=$(sed -n 2p <<<"$res")
echo "MEASURED seen in Prometheus after link1's last valid BFD packet: $firsts"
if [ "$all" != none ] && [ "$all" -le 2000 ]; then
	ok "within 2 s ($all ms) of the loss Prometheus showed link1's BFD Down, its BGP session out of Established, its tx packet rate 0 and link2's above 0"
else
	ko "after the loss Prometheus showed: $firsts (all four together: $all ms, want <= 2000; poller: $(cat "$LAB_DIR/after.json" "$LAB_DIR/after.err"))"
fi
q='twinpath_dp_tx_packets_total{link=~"link1|link2"}'
p0=$(prom_query "$q")
sleep 3
p1=$(prom_query "$q")
grow=$(growth "$p0" "$p1")
# 3 s of the stream, less what one scrape interval at either end may
# leave out: link2 carries it all, link1 nothing
if [[ $grow =~ ^link1:([0-9]+)\ link2:([0-9]+)$ ]] &&
	[ "${BASH_REMATCH[1]}" -eq 0 ] && [ "${BASH_REMATCH[2]}" -gt $((RATE * 1)) ]; then
	ok "over the next 3 s link1 forwarded nothing and link2 ${BASH_REMATCH[2]} packets"
else
	ko "over 3 s after the failover the tx packet counters grew by '$grow' (want link1 0, link2 above $RATE)"
fi
if prom_wait 10 'ALERTS{alertname="TwinpathBfdDown",alertstate="firing",link="link1"}'; then
	v=$(prom_query 'ALERTS{alertname="TwinpathBfdDown",alertstate="firing"}')
	[ "$v" = "alertname=TwinpathBfdDown,alertstate=firing,link=link1,severity=critical=1" ] &&
		ok "alert TwinpathBfdDown firing for link1 alone" ||
		ko "TwinpathBfdDown firing: '$v', want link1 alone"
else
	ko "TwinpathBfdDown not firing for link1 10 s after the loss: $(prom_query 'ALERTS')"
fi
check_links after '[l["usable"] for l in j["links"]] == [False, True]' \
	"link1 not usable, link2 usable"
# all of the stream on one 2 Mbit/s link: 0.85 >= utilisation_warn 0.6
line=$(grep -c "monitor: link 'link2' tx utilisation [0-9.]* reached utilisation_warn 0.6 " "$LAB_DIR/cp.log")
[ "$line" -ge 1 ] &&
	ok "twinpathd logged link2 reaching its tx utilisation warning: $(grep -m1 "monitor: link 'link2' tx utilisation" "$LAB_DIR/cp.log" | cut -d' ' -f2-)" ||
	ko "no 'link2 tx utilisation reached' line in twinpathd's log"
lab_stream_stop mon.tx
lab_sink_wait mon.tx >/dev/null
lab_sink_wait mon >/dev/null
lab_silent_loss off 1 || ko "could not remove the loss"
echo "--- twinpathd's monitor lines"
grep "monitor:" "$LAB_DIR/cp.log" | cut -d' ' -f2- | head -20
exit 0
