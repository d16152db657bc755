# Shared by the BFD integration tests (source after tests/lab.sh and
# tally.sh): twinpathctl's `show bfd` polled and compared, host freezes
# measured by freeze_probe beside the sessions, and the no-flap verdict:
# a flap passes only when a freeze of this host that the session could
# not survive contains its Down (README, Known limits, 10 ms x 3).

# bfd_json NAME: twinpathctl --json show bfd into $LAB_DIR/NAME.bfd.json.
bfd_json() { lab_ctl --json show bfd >"$LAB_DIR/$1.bfd.json" 2>/dev/null; }

# bfd_get NAME LINK FIELD: one field of a link in a saved show bfd.
bfd_get() {
	j "$LAB_DIR/$1.bfd.json" "[l for l in j['links'] if l['name'] == '$2'][0]['$3']"
}

# wait_bfd NAME SECONDS EXPR: poll show bfd every 250 ms until EXPR (over
# `L`, the links by name) holds; the last answer stays in NAME.bfd.json.
# Not faster: each look costs a twinpathctl and a python3 start, and on 2
# cores that load alone can starve a 10 ms session (BIRD's or ours).
wait_bfd() {
	local name=$1 secs=$2 expr=$3 end
	end=$(($(date +%s%N) + secs * 1000000000))
	while [ "$(date +%s%N)" -lt $end ]; do
		if bfd_json "$name" && python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
L = {l["name"]: l for l in j["links"]}
sys.exit(0 if eval(sys.argv[2]) else 1)' "$LAB_DIR/$name.bfd.json" "$expr" 2>/dev/null; then
			return 0
		fi
		sleep 0.25
	done
	return 1
}

# freeze_start: freeze_probe beside the sessions, for the rest of the lab
# (lab_down ends it with the lab's other pid files); its lines go to
# $LAB_DIR/freeze.log.
freeze_start() {
	"$BUILD/tests/integration/freeze_probe" --min-ms 5 \
		>"$LAB_DIR/freeze.log" 2>&1 &
	echo $! >"$LAB_DIR/freeze.pid"
}

# freeze_max SINCE_NS: the longest freeze freeze_probe saw since SINCE_NS
# (CLOCK_MONOTONIC ns), "none" under 5 ms; whole (the CPU ran nothing) or
# rt (only its real-time threads stopped: the fair server).
freeze_max() {
	python3 - "$LAB_DIR/freeze.log" "$1" <<'PY'
import sys
since = int(sys.argv[2]) / 1e9
f = [l.split() for l in open(sys.argv[1]) if l.startswith("freeze ")]
f = [(float(x[2]), int(x[1]), float(x[4]), x[5]) for x in f
     if float(x[4]) >= since]
if f:
    late, cpu, end, kind = max(f)
    print("%.1f ms on cpu %d, %s (%d of 5 ms or more, %d rt only)"
          % (late, cpu, kind, len(f), sum(x[3] == "rt" for x in f)))
else:
    print("none of 5 ms or more")
PY
}

# The freezes of freeze.log that stopped a whole CPU (cpu, late_ms,
# start_ns, end_ns); a freeze of the real-time threads only (rt) is the
# fair server answering real-time work that starved normal tasks: it can
# be of our own making, so it explains nothing.
FREEZES_PY='
def whole_freezes(path):
    out = []
    for l in open(path):
        x = l.split()
        if x and x[0] == "freeze" and x[5] == "whole":
            late_ms, end_ns = float(x[2]), int(float(x[4]) * 1e9)
            out.append((int(x[1]), late_ms, end_ns - int(late_ms * 1e6), end_ns))
    return out
'

# host_froze BEFORE.json AFTER.json: succeeds, printing how, when every
# link's every Down between the two `show bfd` answers (recent_downs) is
# one that a freeze of this host explains: freeze_probe saw a whole CPU
# stop (not only its real-time threads) for at least the detection time
# less one interval, less 5 ms of jitter, and the Down (the health map's
# instant, CLOCK_MONOTONIC) fell within that freeze or 10 ms after it.
# The peer sends nothing while its CPU is frozen, nor do our timers run
# while ours is; the freeze alone outlasts what the session tolerates.
# Anything else fails, with the reason on stdout.
host_froze() {
	FREEZES_PY=$FREEZES_PY python3 - "$LAB_DIR/freeze.log" "$1" "$2" <<'PY'
import json, os, sys
exec(os.environ["FREEZES_PY"])
freezes = whole_freezes(sys.argv[1])
before = {l["name"]: l for l in json.load(open(sys.argv[2]))["links"]}
why = []
for l in json.load(open(sys.argv[3]))["links"]:
    n = l["down_count"] - before[l["name"]]["down_count"]
    if n == 0:
        continue
    # each Down on its own: the last N of show bfd's recent_downs
    recs = l.get("recent_downs", [])[-n:]
    if len(recs) < n:
        print("%s went down %d times, %d on record" % (l["name"], n, len(recs)))
        sys.exit(1)
    # the detection time less the peer's interval (detect / its mult)
    det = l["detect_time_us"]
    need_ms = (det - det / max(l["remote_mult"], 1)) / 1e3 - 5
    for r in recs:
        d = r["change_ns"]
        hit = [f for f in freezes
               if f[1] >= need_ms and f[2] <= d <= f[3] + 10_000_000]
        if not hit:
            print("%s's Down at %.3f s (declared by %s) matches no whole-CPU freeze of %.0f ms or more"
                  % (l["name"], d / 1e9, r["declared_by"], need_ms))
            sys.exit(1)
        cpu, late, a, b = max(hit, key=lambda f: f[1])
        why.append("%s Down (declared by %s) %.1f ms into a %.1f ms freeze of cpu %d"
                   % (l["name"], r["declared_by"], (d - a) / 1e6, late, cpu))
print("; ".join(why))
PY
}

# bird_up ROLE: BIRD's own view of its session toward the gateway.
bird_up() {
	lab_birdc "$1" show bfd sessions 2>/dev/null |
		grep -Eq "^203\.0\.113\.[15][[:space:]]+eth0[[:space:]]+Up"
}

# bfd_txgap_check TAG NAME: from show bfd NAME, our largest gap between
# sent BFD packets in the last minute (MEASURED), and none so late that
# the peer could have given up: past its interval by less than detection
# time - interval. Measured where twinpath-dp sends. A late one passes
# only when a whole-CPU freeze of this host (host_froze's kind) lay across
# the gap and the gap without it was on time: our lcores ran nothing then,
# which no sender survives; a freeze of the real-time threads only (the
# fair server, which our own real-time load can cause) excuses nothing.
bfd_txgap_check() {
	local tag=$1 f=$LAB_DIR/$2.bfd.json out
	echo "MEASURED [$tag] largest gap between our sent BFD packets in the last minute: $(j "$f" '", ".join("%s %.1f ms (interval %.1f ms)" % (l["name"], l["tx_gap_max_us"] / 1e3, l["tx_gap_interval_us"] / 1e3) for l in j["links"])')"
	if out=$(FREEZES_PY=$FREEZES_PY python3 - "$LAB_DIR/freeze.log" "$f" <<'PY'
import json, os, sys
exec(os.environ["FREEZES_PY"])
freezes = whole_freezes(sys.argv[1])
why = []
for l in json.load(open(sys.argv[2]))["links"]:
    gap, iv = l["tx_gap_max_us"] * 1000, l["tx_gap_interval_us"] * 1000
    room = (l["detect_time_us"] - l["tx_interval_us"]) * 1000
    if gap - iv < room:
        continue
    end = l["tx_gap_end_ns"]
    start = end - gap
    # the longest stretch of the gap a whole-CPU freeze covers
    cover = max([min(b, end) - max(a, start) for cpu, late, a, b in freezes
                 if a < end and b > start] or [0])
    if gap - cover - iv >= room:
        print("%s: %.1f ms gap ending at %.3f s, %.1f ms of it in a whole-CPU freeze: late without it"
              % (l["name"], gap / 1e6, end / 1e9, cover / 1e6))
        sys.exit(1)
    why.append("%s %.1f ms gap across a %.1f ms whole-CPU freeze (%.1f ms without it)"
               % (l["name"], gap / 1e6, cover / 1e6, (gap - cover) / 1e6))
print("; ".join(why))
PY
	); then
		[ -z "$out" ] &&
			ok "[$tag] our BFD packets left on time (late by less than detection time - interval)" ||
			ok "[$tag] our late BFD packet lies across a freeze of this host: $out"
	else
		ko "[$tag] a BFD packet of ours left late enough for the peer to declare Down: $out"
	fi
}

# bfd_noflap TAG WHAT BEFORE AFTER: the up/down counts of show bfd BEFORE
# and AFTER are the same (no flap in WHAT), or each link's one Down
# between them lies inside a host freeze (host_froze). Sets $bfd_flapped
# to 0 (no flap), 1 (a flap the freeze explains) or 2 (a flap of ours);
# on a flap of ours prints who declared it and BIRD's view.
bfd_noflap() {
	local tag=$1 what=$2 n0 n1
	n0=$(j "$LAB_DIR/$3.bfd.json" '[(l["up_count"], l["down_count"]) for l in j["links"]]')
	n1=$(j "$LAB_DIR/$4.bfd.json" '[(l["up_count"], l["down_count"]) for l in j["links"]]')
	why=
	if [ "$n0" = "$n1" ]; then
		bfd_flapped=0
		ok "[$tag] no flap in $what (up/down counts $n1)"
	elif why=$(host_froze "$LAB_DIR/$3.bfd.json" "$LAB_DIR/$4.bfd.json"); then
		# A session whose detection time is 30 ms cannot survive a
		# 20 ms freeze of the CPU its peer runs on: the flap is the
		# host's (README, Known limits), and twinpath's part (its
		# packets on time) is checked all the same.
		bfd_flapped=1
		ok "[$tag] flaps in $what, each across a freeze of this host: $why"
	else
		bfd_flapped=2
		ko "[$tag] flaps in $what: up/down counts $n0 -> $n1${why:+ ($why)}"
		# who declared it: our detection timer or the peer's Down
		lab_ctl show bfd | grep -E '^\s+peer |Largest gap|Last failure|Declared by'
		lab_birdc up1 show bfd sessions
		lab_birdc up2 show bfd sessions
	fi
}
