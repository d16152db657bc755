#!/usr/bin/env bash
# BFD under stress (issue 13, item 4): BFD at 10 ms x 3 with BIRD on both
# links, BGP following it (RFC 5882, both ends), then for 60 s the core
# twinpath-dp's forwarding lcore is not on runs a CPU hog while BIRD on
# up1 announces a 1 M-prefix table and withdraws it again, and a
# 1000 pps stream crosses both links. Asserted: no BFD flap on either
# side (our up/down counts, BIRD's session log), no BGP session drop
# (hold time 3 s), our transmit gaps below what the peer tolerates, the
# table in twinpath-dp's FIB and out again (exact route counts), every
# packet of the stream delivered once. A flap passes only inside a host
# freeze the session could not survive (freeze_probe, as test_bfd.sh;
# README, Known limits), and then its BGP teardown and its loss are
# bounded by it. Measured: table load and withdrawal times, the largest
# transmit gap, the host's freezes, the hog's share of its core.
# Usage: BUILD=<build root> bash tests/integration/test_bfd_stress.sh
set -u
BUILD=${BUILD:-build}
LAB_NO_TRAP=1 # tally.sh's trap tears down and prints the tally
source "$(dirname "$0")/../lab.sh"

N=${TWP_STRESS_ROUTES:-1000000} # prefixes of the table
WINDOW_S=${TWP_STRESS_S:-60}    # s of hog, table and stream
TX=10                           # ms, BFD interval on both links
MULT=3
RATE=1000                       # pps of the stream
SERVER=198.51.100.10
FLOWS=32
TTL=64
HOLD=3 # s: a keepalive a second must keep flowing through it all
TAG="${TX}ms x $MULT stress"
export LAB_BFD="$TX $TX $MULT" LAB_BGP_TIMERS="$HOLD 1"
# the table is sent inside the window, not at the session's start
export LAB_BGP_BULK=$N LAB_BGP_BULK_OFF=1
LAB_PREFIX=twpstress$$
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
source "$(dirname "$0")/tally.sh"
source "$(dirname "$0")/streams.sh"
source "$(dirname "$0")/bgpctl.sh"
source "$(dirname "$0")/bfdcheck.sh"

# drops_no_live: twinpath-dp's no_live_nexthop drops so far.
drops_no_live() {
	lab_stats /twinpath/drops | lab_json - 'next(iter(j.values())).get("no_live_nexthop", 0)'
}

# drops_no_route: twinpath-dp's no_route drops so far.
drops_no_route() {
	lab_stats /twinpath/drops | lab_json - 'next(iter(j.values())).get("no_route", 0)'
}

# dp_routes: IPv4 routes in twinpath-dp's FIB (its telemetry).
dp_routes() { lab_tpstat /twinpath/fib --get routes_ipv4 2>/dev/null; }

# ms_since NS: milliseconds from CLOCK_MONOTONIC NS to now.
ms_since() { python3 -c "print(round(($(lab_now_ns) - $1) / 1e6))"; }

# fwd_cpus: the CPUs twinpath-dp's forwarding lcore may run on (EAL
# pins it; DPDK 22.11 names the thread rte-worker-N).
fwd_cpus() {
	local t pid
	pid=$(cat "$LAB_DIR/dp.pid")
	for t in /proc/"$pid"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in
		rte-worker-*) sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status" ;;
		esac
	done
}

# bird_bfd_changes ROLE FROM: lines of BIRD's BFD state changes in its
# log after byte FROM (debug { states } in tests/lab.sh's config).
bird_bfd_changes() {
	tail -c +"$(($2 + 1))" "$LAB_DIR/$1.bird.log" | grep -E "gw_bfd: Session to .* changed state"
}

echo "== [$TAG] lab up; BIRD BFD and twinpath at $TX ms x $MULT on both links, BGP hold $HOLD s, $N prefixes held back on up1"
lab_up || fatal "[$TAG] lab did not come up"
freeze_start
conf=$LAB_DIR/gw-stress.conf
# config/lab-bfd.conf at 10 ms x 3, the table accepted on both links (an
# import rule for 16.0.0.0/4's /24s), an IPv4 FIB sized for it
lab_gw_bfd_config "$conf.in" $TX $TX $MULT
gw_conf "$conf.in" |
	sed -E -e "s|import = \[|import = [\"16.0.0.0/4 ge 24 le 24\", |" \
		-e "s/(eal_args = .*)$/\1\n  ipv4_routes_max = $((N + 65536));/" >"$conf"
[ "$(grep -c '16.0.0.0/4' "$conf")" -eq 2 ] && grep -q ipv4_routes_max "$conf" ||
	fatal "could not derive the test config ($conf)"
gw_up_bgp "[$TAG] " "$conf" 30
if wait_bfd start 10 'all(L[l]["state"] == "Up" and L[l]["live"] for l in ("link1", "link2"))'; then
	ok "[$TAG] both BFD sessions Up and live"
else
	fatal "[$TAG] BFD sessions not both Up: link1 $(bfd_get start link1 state), link2 $(bfd_get start link2 state)"
fi
for l in link1 link2; do
	[ "$(bfd_get start $l detect_time_us)" -eq $((TX * MULT * 1000)) ] &&
		ok "[$TAG] $l: detection time $((TX * MULT)) ms negotiated" ||
		ko "[$TAG] $l: detection time $(bfd_get start $l detect_time_us) us, want $((TX * MULT * 1000))"
done
bird_up up1 && bird_up up2 &&
	ok "[$TAG] BIRD agrees: its sessions to 203.0.113.1 and .5 are Up" ||
	fatal "[$TAG] BIRD's view differs: $(lab_birdc up1 show bfd sessions; lab_birdc up2 show bfd sessions)"
wait_fib base 20 198.51.100.0/24 "link1,link2||bgp" &&
	ok "[$TAG] 198.51.100.0/24 learned over BGP on both links" ||
	fatal "[$TAG] 198.51.100.0/24 is $(fib_route base 198.51.100.0/24), want link1,link2||bgp"
r0=$(dp_routes) || fatal "[$TAG] no route count from twinpath-dp's telemetry"
# BIRD loads the held-back table into a table of its own at its start
# (LAB_BGP_BULK_OFF); the window starts once it is all there
for i in $(seq 120); do
	lab_birdc up1 show route count table bulk4 2>/dev/null | grep -q "^$N of $N routes" && break
	sleep 1
done
lab_birdc up1 show route count table bulk4 | grep -q "^$N of $N routes" &&
	ok "[$TAG] BIRD on up1 holds the $N prefixes back, ready to send" ||
	fatal "[$TAG] BIRD on up1 did not load the $N prefixes: $(lab_birdc up1 show route count table bulk4 | tail -1)"

# The forwarding lcore has a core to itself on a real host; the other
# core is where everything else runs: twinpath-dp's main lcore (the BFD
# tick, the FIB updates), twinpathd, BIRD, the kernel's softirqs. That
# one gets the hog (TWP_STRESS_HOG_CPUS to choose).
fwd=$(fwd_cpus)
case $fwd in
'' | *[!0-9]*) fatal "[$TAG] forwarding lcore not pinned to one CPU ('$fwd')" ;;
esac
hog_cpus=${TWP_STRESS_HOG_CPUS:-$(seq 0 $(($(nproc) - 1)) | grep -vx "$fwd" | paste -sd ' ')}
echo "== [$TAG] $WINDOW_S s: a hog on cpu $hog_cpus (forwarding lcore on cpu $fwd), BIRD sends then withdraws $N prefixes, a $RATE pps stream over both links"

bfd_json w0
bgp w0 neighbors
nl0=$(drops_no_live)
nr0=$(drops_no_route)
off1=$(stat -c %s "$LAB_DIR/up1.bird.log")
off2=$(stat -c %s "$LAB_DIR/up2.bird.log")
t_win=$(lab_now_ns)
stream_start stress 9500 $((WINDOW_S * RATE)) $RATE
for c in $hog_cpus; do
	# a busy loop at nice 0, bounded by the window; it reports the CPU
	# time it got and its CPU's idle time meanwhile (ticks of 10 ms)
	taskset -c "$c" python3 -c 'import sys, time
def idle():
    for l in open("/proc/stat"):
        x = l.split()
        if x[0] == "cpu" + sys.argv[2]:
            return int(x[4]) + int(x[5])
i0 = idle()
end = time.monotonic() + float(sys.argv[1])
while time.monotonic() < end:
    pass
print(time.process_time(), idle() - i0)' "$WINDOW_S" "$c" >"$LAB_DIR/hog$c.out" 2>&1 &
	echo $! >"$LAB_DIR/hog$c.pid"
done
lab_birdc up1 enable bulk_feed >/dev/null || ko "[$TAG] birdc enable bulk_feed failed"
t_load=$(lab_now_ns)
# One loop to the end of the window (and past it, bounded, while the
# table is still moving): the FIB's route count every 0.5 s, our
# show bfd every 10 s (its largest transmit gap covers only the last
# minute). Not faster: each look costs a python3 start on 2 cores.
phase=load load_ms= wd_ms= n= k=0
end_ns=$((t_win + WINDOW_S * 1000000000))
limit_ns=$((t_win + 180 * 1000000000))
while :; do
	now=$(lab_now_ns)
	[ "$phase" = done ] && [ "$now" -ge $end_ns ] && break
	[ "$now" -ge $limit_ns ] && break
	n=$(dp_routes) || n=?
	if [ "$phase" = load ] && [ "$n" = $((r0 + N)) ]; then
		load_ms=$(ms_since "$t_load")
		phase=withdraw
		lab_birdc up1 disable bulk_feed >/dev/null || ko "[$TAG] birdc disable bulk_feed failed"
		t_wd=$(lab_now_ns)
	elif [ "$phase" = withdraw ] && [ "$n" = "$r0" ]; then
		wd_ms=$(ms_since "$t_wd")
		phase=done
	fi
	if [ $((k % 20)) -eq 0 ]; then
		bfd_json "s$k"
	fi
	k=$((k + 1))
	sleep 0.5
done
bfd_json w1
bgp w1 neighbors
stream_end stress

if [ -n "$load_ms" ]; then
	echo "MEASURED [$TAG] table load: $N prefixes in twinpath-dp's FIB $((load_ms / 1000)).$((load_ms % 1000 / 100)) s after birdc enable bulk_feed"
	ok "[$TAG] the table reached twinpath-dp's FIB: exactly $((r0 + N)) IPv4 routes ($r0 + $N)"
else
	ko "[$TAG] twinpath-dp has $n IPv4 routes 180 s into the window, want $((r0 + N)) ($r0 + $N)"
fi
if [ -n "$wd_ms" ]; then
	echo "MEASURED [$TAG] withdrawal: twinpath-dp back to $r0 IPv4 routes $((wd_ms / 1000)).$((wd_ms % 1000 / 100)) s after birdc disable bulk_feed"
	ok "[$TAG] the withdrawn table left twinpath-dp's FIB: exactly $r0 IPv4 routes again"
elif [ -n "$load_ms" ]; then
	ko "[$TAG] twinpath-dp has $n IPv4 routes after the withdrawal, want $r0"
fi
# the table moved inside the window, where the hog ran
[ -n "$wd_ms" ] && [ $((load_ms + wd_ms)) -le $((WINDOW_S * 1000)) ] &&
	ok "[$TAG] table sent and withdrawn within the $WINDOW_S s window ($(((load_ms + wd_ms) / 1000)) s)" ||
	ko "[$TAG] the table's load and withdrawal did not fit in the $WINDOW_S s window"

for c in $hog_cpus; do
	wait "$(cat "$LAB_DIR/hog$c.pid")" 2>/dev/null
	read -r got idle <"$LAB_DIR/hog$c.out"
	echo "MEASURED [$TAG] the hog on cpu $c got $got s of CPU in $WINDOW_S s; cpu $c idle $((idle * 10)) ms in the window"
	# the other core really was loaded: a runnable hog pinned there
	# leaves it no idle time (1 % of the window allowed: the hog's
	# start and end)
	[ -n "$idle" ] && [ "$idle" -le $((WINDOW_S)) ] &&
		ok "[$TAG] cpu $c was loaded: idle $((idle * 10)) ms of $WINDOW_S s" ||
		ko "[$TAG] cpu $c was idle ${idle:-?} ticks of 10 ms in $WINDOW_S s: the hog did not load it ($(cat "$LAB_DIR/hog$c.out"))"
done

# our transmit gaps over the whole window: of each link, the worst of
# every show bfd taken in it
python3 - "$LAB_DIR" "$LAB_DIR/txgap.bfd.json" <<'PY'
import glob, json, sys
best = {}
for p in glob.glob(sys.argv[1] + "/s*.bfd.json") + [sys.argv[1] + "/w1.bfd.json"]:
    try:
        links = json.load(open(p))["links"]
    except (OSError, ValueError):
        continue
    for l in links:
        o = best.get(l["name"])
        if o is None or l["tx_gap_max_us"] - l["tx_gap_interval_us"] > \
                o["tx_gap_max_us"] - o["tx_gap_interval_us"]:
            best[l["name"]] = l
json.dump({"links": sorted(best.values(), key=lambda l: l["name"])},
          open(sys.argv[2], "w"))
PY
bfd_txgap_check "$TAG" txgap
echo "MEASURED [$TAG] longest host freeze in the window: $(freeze_max "$t_win")"
echo "MEASURED [$TAG] host freezes of 10 ms or more in the window: $(python3 - "$LAB_DIR/freeze.log" "$t_win" <<'PY'
import sys
since = int(sys.argv[2]) / 1e9
f = [l.split() for l in open(sys.argv[1]) if l.startswith("freeze ")]
f = ["cpu %s %.1f ms %s" % (x[1], float(x[2]), x[5]) for x in f
     if float(x[4]) >= since and float(x[2]) >= 10]
print(", ".join(f) or "none")
PY
)"
bfd_noflap "$TAG" "$WINDOW_S s of stress" w0 w1
# the links whose session went down in the window
flapped=$(python3 -c 'import json, sys
a = {l["name"]: l for l in json.load(open(sys.argv[1]))["links"]}
print(" ".join(l["name"] for l in json.load(open(sys.argv[2]))["links"]
               if l["down_count"] != a[l["name"]]["down_count"]))' \
	"$LAB_DIR/w0.bfd.json" "$LAB_DIR/w1.bfd.json")

# the peer's view: BIRD logs every state change of its sessions
bird_saw="" # the links whose BIRD saw the flap the freeze explains
for r in up1 up2; do
	off=$off1
	[ $r = up2 ] && off=$off2
	ch=$(bird_bfd_changes $r "$off")
	l=link${r#up}
	if [ -z "$ch" ]; then
		ok "[$TAG] BIRD on $r: no BFD state change in the window"
	elif [ "$bfd_flapped" = 1 ] && [[ " $flapped " == *" $l "* ]]; then
		bird_saw="$bird_saw $l"
		ok "[$TAG] BIRD on $r saw the flap the host freeze explains: $(echo "$ch" | sed 's/.*changed state/changed state/' | tr '\n' ';')"
	else
		ko "[$TAG] BIRD on $r: BFD state changes in the window: $(echo "$ch" | tr '\n' ';')"
	fi
	bird_up $r && ok "[$TAG] BIRD on $r: its session is Up at the end" ||
		ko "[$TAG] BIRD on $r: its session is not Up at the end: $(lab_birdc $r show bfd sessions | tail -n +3)"
done

# no BGP session dropped: still Established, never re-established. A
# flap the freeze explains tears its link's session down (RFC 5882): every
# end of a session in the window (show bgp neighbors' recent_resets) must
# be such a flap's: within 500 ms of a BFD Down of that link, by our
# teardown ("BFD down", 6/10) or by BIRD's, whose BFD saw the flap first
# (BIRD closes the session with a bare Cease, 6/0, at its BFD Down):
# from 500 ms before a BFD Down of that link to 5 s after it.
bgp_ends=$(python3 - "$LAB_DIR/w0.json" "$LAB_DIR/w1.json" "$LAB_DIR/w0.bfd.json" "$LAB_DIR/w1.bfd.json" "$t_win" "$bird_saw" <<'PY'
import json, sys
e0 = {n["link"]: n["established_count"] for n in json.load(open(sys.argv[1]))["neighbors"]}
a = {l["name"]: l for l in json.load(open(sys.argv[3]))["links"]}
bfd = {l["name"]: l for l in json.load(open(sys.argv[4]))["links"]}
since_ms, bird_saw = int(sys.argv[5]) / 1e6, set(sys.argv[6].split())
for n in json.load(open(sys.argv[2]))["neighbors"]:
    l = n["link"]
    ends = [r for r in n["recent_resets"] if r["down_at_ms"] >= since_ms]
    k = bfd[l]["down_count"] - a[l]["down_count"]
    downs = [r["change_ns"] / 1e6
             for r in bfd[l].get("recent_downs", [])[-k:]] if k > 0 else []
    # twinpathd acts on a Down, and reads BIRD's Cease, when its loop
    # gets there (1.4 s late seen during the table's load); BIRD's BFD
    # may see the flap first, by up to its detection time
    bad = [r["reason"] for r in ends
           if not (any(-500 <= r["down_at_ms"] - d <= 5000 for d in downs) and
                   (r["reason"].startswith("BFD down") or
                    (r["reason"] == "NOTIFICATION received: Cease (6/0)"
                     and l in bird_saw)))]
    if n["established_count"] - e0[l] > len(ends):
        bad.append("%d re-establishments, %d ends on record" %
                   (n["established_count"] - e0[l], len(ends)))
    print(l, n["state"], len(ends),
          "|".join(sorted(set(r["reason"] for r in ends))).replace(" ", "_") or "-",
          "|".join(bad).replace(" ", "_") or "-")
PY
)
bgp_reset=0 # a session ended in the window: its routes went with it
while read -r l state n why bad; do
	if [ "$state" = Established ] && [ "$n" = 0 ] && [ "$bad" = - ]; then
		ok "[$TAG] $l's BGP session stayed Established (hold time $HOLD s), established $(nb w1 $l established_count) times in all"
	elif [ "$state" = Established ] && [ "$bad" = - ]; then
		bgp_reset=1
		ok "[$TAG] $l's BGP session went down $n time(s), each with a BFD flap the freeze explains (${why//_/ }), and is Established again"
	else
		ko "[$TAG] $l's BGP session: state $state, $n end(s) in the window, not explained by a BFD flap: ${bad//_/ }"
	fi
done <<<"$bgp_ends"

# the stream: every packet once. With flaps the freezes explain, the loss
# is bounded by them, flap by flap (show bfd's recent_downs): while
# another link is live, the freeze, the detection time and 10 ms at the
# stream's rate per flapped link (its flows move over at the Down); when
# one freeze took every link down, also the time no link was live (until
# the first is Up again: BFD's 1 s packets until Up, RFC 5880 6.8.3),
# and when every flap was such, each lost packet a no_live_nexthop drop.
lost=$(j "$LAB_DIR/stress.json" 'j["lost"]')
nl1=$(drops_no_live)
if [ "$bfd_flapped" = 1 ] && [ "$lost" -gt 0 ]; then
	bound=$(python3 - "$LAB_DIR/freeze.log" "$t_win" "$RATE" "$LAB_DIR/w0.bfd.json" "$LAB_DIR/w1.bfd.json" "$LAB_DIR/w1.json" <<'PY2'
import json, math, sys
since, rate = int(sys.argv[2]) / 1e9, int(sys.argv[3])
# a session that ended with a flap (ours or BIRD's teardown): its routes
# were gone from its end until it was Established again
resets = {n["link"]: [r for r in n["recent_resets"]
                      if r["down_at_ms"] >= since * 1e3]
          for n in json.load(open(sys.argv[6]))["neighbors"]}

def reset_of(link, t0_ns, t1_ns):
    for r in resets.get(link, []):
        if t0_ns - 500e6 <= r["down_at_ms"] * 1e6 <= t1_ns + 5000e6:
            return r
    return None
f = [float(l.split()[2]) for l in open(sys.argv[1])
     if l.startswith("freeze ") and float(l.split()[4]) >= since]
a = {l["name"]: l for l in json.load(open(sys.argv[4]))["links"]}
links = json.load(open(sys.argv[5]))["links"]
det_ms = max(l["detect_time_us"] for l in links) / 1e3
# every Down of the window: each link's last N of recent_downs (N its
# count's change), with the instant it was Up again
downs = []
for l in links:
    n = l["down_count"] - a[l["name"]]["down_count"]
    if n > 0:
        downs += [(r["change_ns"], r["up_ns"], l["name"])
                  for r in l.get("recent_downs", [])[-n:]]
downs.sort()
# one freeze takes one link or all of them down: Downs within 200 ms of
# each other are one flap
flaps = []
for d in downs:
    if flaps and d[0] - flaps[-1][-1][0] <= 200_000_000:
        flaps[-1].append(d)
    else:
        flaps.append([d])
b, dead, why = 0.0, 1, []
for g in flaps:
    names = {d[2] for d in g}
    if len(names) == len(links):
        # a link is usable again at its BFD Up, or, when its session
        # ended with the flap, once that is Established again (and its
        # routes with it, 100 ms: the UPDATE, the decision, the push);
        # the outage runs from the last of the Downs, or from a session
        # end before it (BIRD's Cease when its BFD saw the freeze first)
        t0, t1 = min(d[0] for d in g), max(d[0] for d in g)
        ups, start, ended = [], t1, []
        for d in g:
            r = reset_of(d[2], t0, t1)
            up = d[1] or float("inf")
            if r is not None:
                ended.append(d[2])
                start = min(start, r["down_at_ms"] * 1e6)
                back = r["established_again_at_ms"]
                up = max(up, back * 1e6 + 100e6 if back else float("inf"))
            ups.append(up)
        dead_s = (min(ups) - start) / 1e9 if min(ups) < float("inf") else 0
        b += rate * (max(dead_s, 0) + (det_ms + 10) / 1e3)
        why.append("no live link for %.0f ms%s" % (dead_s * 1e3,
                   ", sessions down: " + " ".join(sorted(ended))
                   if ended else ""))
    else:
        # the others carry the flows: no no_live_nexthop drop expected
        dead = 0
        b += rate * (max(f, default=0) + det_ms + 10) / 1e3 * len(names)
        why.append("%d of %d links down" % (len(names), len(links)))
print(math.ceil(b), dead if flaps else 0, "; ".join(why))
PY2
)
	read -r bound dead why <<<"$bound"
	nr1=$(drops_no_route)
	if [ "$dead" = 1 ] && [ "$bgp_reset" = 1 ]; then
		# the routes went with the session: no_route while they were gone
		[ "$lost" -le "$bound" ] && [ $((nl1 - nl0 + nr1 - nr0)) -eq "$lost" ] &&
			ok "[$TAG] stream: $lost of $sent lost, each a no_live_nexthop ($((nl1 - nl0))) or no_route ($((nr1 - nr0))) drop, within the flap's bound of $bound ($why)" ||
			ko "[$TAG] stream: $lost of $sent lost ($((nl1 - nl0)) no_live_nexthop, $((nr1 - nr0)) no_route drops), want each one of those and at most the flap's bound of $bound ($why)"
	elif [ "$dead" = 1 ]; then
		[ "$lost" -le "$bound" ] && [ $((nl1 - nl0)) -eq "$lost" ] &&
			ok "[$TAG] stream: $lost of $sent lost, each a no_live_nexthop drop, within the flap's bound of $bound ($why)" ||
			ko "[$TAG] stream: $lost of $sent lost ($((nl1 - nl0)) no_live_nexthop drops), want each a no_live_nexthop drop and at most the flap's bound of $bound ($why)"
	else
		[ "$lost" -le "$bound" ] &&
			ok "[$TAG] stream: $lost of $sent lost, within the flap's bound of $bound ($why)" ||
			ko "[$TAG] stream: $lost of $sent lost, more than the flap's bound of $bound ($why)"
	fi
else
	check_stream stress "$sent" "[$TAG] stream through the stress"
fi
# the data plane's drops by reason over the run: a stall or a FIB hole
# shows here
echo "== [$TAG] twinpath-dp drops: $(lab_stats /twinpath/drops | lab_json - '", ".join("%s %s" % (k, v) for k, v in sorted(next(iter(j.values())).items()) if v) or "none"')"
echo "== [$TAG] BFD counters: $(j "$LAB_DIR/w1.bfd.json" '", ".join("%s rx %d tx %d drops %d" % (l["name"], l["rx_valid"], l["tx_packets"], sum(l["drops"].values())) for l in j["links"])')"
exit 0
