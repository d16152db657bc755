# Shared by the BGP integration tests (source after tally.sh; needs HOLD):
# twinpathctl's BGP and FIB views polled until they show what a test
# expects, and the example configs with the test's short timers.

# gw_conf SRC [OUT]: the example config with the test's short timers,
# into OUT or on stdout.
gw_conf() {
	sed -E -e "s/(^[[:space:]]*hold_time = )[0-9]+/\1$HOLD/" \
		-e "s/(^[[:space:]]*connect_retry = )[0-9]+/\11/" "$1" >"${2:-/dev/stdout}"
}

# gw_conf_v6_session OUT [LL]: config/lab-bfd.conf (through gw_conf) for
# the lab's LAB_BGP_V6_SESSION: IPv6 peers (link2's link-local fe80::2 on
# link2 when LL is 1), local_address6 on both links, lan.address6, the
# site's IPv6 prefix announced and the provider's accepted. Fails if a
# change did not apply.
gw_conf_v6_session() {
	gw_conf "$LAB_SRC/config/lab-bfd.conf" | python3 -c 'import sys
s = sys.stdin.read()
for n, a in ((1, "203.0.113.2"), (2, "203.0.113.6")):
    peer = "2001:db8:%d::2" % n
    if n == 2 and sys.argv[1] == "1":
        peer = "fe80::2%link2"
    s = s.replace("peer_address = \"%s\";" % a,
                  "local_address6 = \"2001:db8:%d::1/64\";\n    "
                  "peer_address = \"%s\";" % (n, peer))
s = s.replace("import = [\"198.51.100.0/24 le 32\"]",
              "import = [\"198.51.100.0/24 le 32\", \"2001:db8:100::/48 le 64\"]")
s = s.replace("announce = [\"198.18.0.0/16\"]",
              "announce = [\"198.18.0.0/16\", \"2001:db8:ff::/48\"]")
s = s.replace("address = \"198.18.1.1/24\";",
              "address = \"198.18.1.1/24\";\n  address6 = \"2001:db8:ff::1/64\";")
print(s, end="")' "${2:-0}" >"$1"
	[ "$(grep -c 'peer_address = "2001:db8:\|peer_address = "fe80::2%link2"' "$1")" -eq 2 ] &&
		[ "$(grep -c '2001:db8:100::/48 le 64' "$1")" -eq 2 ] &&
		grep -q '"2001:db8:ff::/48"' "$1" && grep -q 'address6 = "2001:db8:ff::1/64"' "$1"
}

# gw_conf_dual_session OUT: config/lab-bfd.conf (through gw_conf) for
# the lab's LAB_BGP_V6_SESSION=dual: each link's IPv4 session as it is,
# a second session with peer_address6 2001:db8:N::2 from local_address6
# 2001:db8:N::1, lan.address6, the site's IPv6 prefix announced and the
# provider's accepted. Fails if a change did not apply.
gw_conf_dual_session() {
	gw_conf "$LAB_SRC/config/lab-bfd.conf" | python3 -c 'import sys
s = sys.stdin.read()
for n, a in ((1, "203.0.113.2"), (2, "203.0.113.6")):
    s = s.replace("peer_address = \"%s\";" % a,
                  "local_address6 = \"2001:db8:%d::1/64\";\n    "
                  "peer_address = \"%s\"; peer_address6 = \"2001:db8:%d::2\";"
                  % (n, a, n))
s = s.replace("import = [\"198.51.100.0/24 le 32\"]",
              "import = [\"198.51.100.0/24 le 32\", \"2001:db8:100::/48 le 64\"]")
s = s.replace("announce = [\"198.18.0.0/16\"]",
              "announce = [\"198.18.0.0/16\", \"2001:db8:ff::/48\"]")
s = s.replace("address = \"198.18.1.1/24\";",
              "address = \"198.18.1.1/24\";\n  address6 = \"2001:db8:ff::1/64\";")
print(s, end="")' >"$1"
	[ "$(grep -c 'peer_address6 = "2001:db8:[12]::2"' "$1")" -eq 2 ] &&
		[ "$(grep -c '2001:db8:100::/48 le 64' "$1")" -eq 2 ] &&
		grep -q '"2001:db8:ff::/48"' "$1" && grep -q 'address6 = "2001:db8:ff::1/64"' "$1"
}

# bgp NAME ARGS...: twinpathctl --json show bgp ARGS into $LAB_DIR/NAME.json.
bgp() {
	local name=$1
	shift
	lab_ctl --json show bgp "$@" >"$LAB_DIR/$name.json" 2>"$LAB_DIR/$name.err"
}

# nb NAME LINK FIELD: a field of a neighbour in a summary/neighbors JSON
# (the link's first session), or of the neighbour of address LINK.
nb() {
	j "$LAB_DIR/$1.json" "[n for n in j['neighbors'] if n['link'] == '$2' or n['address'] == '$2'][0]['$3']"
}

# wait_bgp NAME SECONDS PYEXPR: poll `show bgp summary` until PYEXPR (over
# N, the neighbours by link name, the link's first session, and by
# address) holds; the last answer stays in NAME.
wait_bgp() {
	local name=$1 deadline=$((SECONDS + $2)) expr=$3
	while :; do
		if bgp "$name" summary && python3 -c 'import json,sys
j = json.load(open(sys.argv[1]))
N = {}
for n in j["neighbors"]:
    N.setdefault(n["link"], n)
    N[n["address"]] = n
sys.exit(0 if eval(sys.argv[2]) else 1)' "$LAB_DIR/$name.json" "$expr" 2>/dev/null; then
			return 0
		fi
		[ $SECONDS -ge "$deadline" ] && return 1
		# not faster: on 2 cores the polling alone can starve 10 ms BFD
		sleep 0.25
	done
}

# fib NAME: the FIB twinpathd pushes (show routes --json).
fib() { lab_ctl --json show routes >"$LAB_DIR/$1.fib.json"; }
# fib_route NAME PREFIX: "primary-vias|backup-vias" of PREFIX, or "absent".
fib_route() {
	j "$LAB_DIR/$1.fib.json" "next(('%s|%s|%s' % (','.join(m['via'] for m in r['primary']), ','.join(m['via'] for m in r['backup']), r.get('source', '?')) for r in j if r['prefix'] == '$2'), 'absent')"
}
# fib_route_by_link NAME PREFIX: fib_route with each member list sorted
# by link (nexthop ids, and so the lists, follow the order of arrival).
fib_route_by_link() {
	j "$LAB_DIR/$1.fib.json" "next(('%s|%s|%s' % (','.join(sorted((m['via'] for m in r['primary']), key=lambda v: v.split('@')[-1])), ','.join(sorted((m['via'] for m in r['backup']), key=lambda v: v.split('@')[-1])), r.get('source', '?')) for r in j if r['prefix'] == '$2'), 'absent')"
}
# wait_fib NAME SECONDS PREFIX WANT: until fib_route is WANT.
wait_fib() {
	local deadline=$((SECONDS + $2)) got
	while :; do
		fib "$1" && got=$(fib_route "$1" "$3") && [ "$got" = "$4" ] && return 0
		[ $SECONDS -ge "$deadline" ] && return 1
		sleep 0.25
	done
}

# freeze_peer TAG LINK PID WHO: stop the peer process PID (SIGSTOP: its
# socket stays open, it just goes silent) and check that LINK's session
# goes down by our hold timer, with 4/0, within HOLD + 3 s (measured).
# The caller resumes it (kill -CONT PID).
freeze_peer() {
	local tag=$1 link=$2 pid=$3 who=$4 t0 dt got
	t0=$(date +%s%N)
	kill -STOP "$pid"
	if wait_bgp hold $((HOLD + 3)) "N[\"$link\"][\"state\"] != \"Established\""; then
		dt=$(python3 -c "print(round(($(date +%s%N) - $t0) / 1e9, 2))")
		echo "MEASURED ${tag}$link down $dt s after $who froze (hold time $HOLD s)"
		ok "${tag}$link left Established after $dt s"
	else
		ko "${tag}$link still Established $((HOLD + 3)) s after $who froze"
	fi
	got=$(nb hold "$link" last_error)
	case "$got" in
	*"4/0"*) ok "${tag}$link's last error: $got" ;;
	*) ko "${tag}$link's last error '$got', want hold timer expired (4/0)" ;;
	esac
}

# thaw_peer TAG LINK PID WHO PREFIX WANT: resume the peer freeze_peer
# stopped; LINK's session must be Established again within 30 s and
# PREFIX's FIB entry back to WANT (fib_route form) within 10 s more.
thaw_peer() {
	local tag=$1 link=$2 pid=$3 who=$4 prefix=$5 want=$6
	kill -CONT "$pid"
	if wait_bgp back 30 "N[\"$link\"][\"state\"] == \"Established\""; then
		ok "${tag}$who back: $link Established again"
	else
		ko "${tag}$link not Established 30 s after $who resumed ($(nb back "$link" state))"
	fi
	wait_fib back 10 "$prefix" "$want" &&
		ok "${tag}$prefix back to $want" ||
		ko "${tag}after $who resumed: $(fib_route back "$prefix"), want $want"
}

# gw_up_bgp TAG CONF [SECONDS [LOG]]: twinpath-dp and twinpathd on CONF,
# then both sessions Established within SECONDS (30): a PASS with the time
# taken, or fatal (with the tail of the peer's LOG, if given).
gw_up_bgp() {
	local tag=$1 conf=$2 t0
	lab_start_dp "$conf" || fatal "${tag}twinpath-dp did not start"
	t0=$SECONDS
	lab_start_cp "$conf" || fatal "${tag}twinpathd did not start"
	if ! wait_bgp up "${3:-30}" 'N["link1"]["state"] == "Established" and N["link2"]["state"] == "Established"'; then
		[ -n "${4:-}" ] && tail -n 20 "$4" >&2
		fatal "${tag}sessions not Established: link1 $(nb up link1 state), link2 $(nb up link2 state)"
	fi
	ok "${tag}both sessions Established in $((SECONDS - t0)) s"
}

# bird_same_since OLD NEW: true when two readings of a BIRD protocol's
# "since" (the `show protocols` line, or just its HH:MM:SS.mmm) name the
# same instant and the same state. BIRD keeps the instant on its
# monotonic clock and prints it as wall time computed at each command
# (now_real - (now_mono - t)), so one instant reads 1 ms apart between
# two commands (seen), more if the wall clock is slewed meanwhile; a
# re-establishment moves it by at least BIRD's error wait after the drop
# (1 s and more), hence 0.5 s.
bird_same_since() {
	python3 - "$1" "$2" <<'PY'
import re, sys
def parse(s):
    m = re.search(r'(\d\d):(\d\d):(\d\d(?:\.\d+)?)', s)
    if not m:
        return None, s
    t = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return t, (s[:m.start()] + s[m.end():]).split()
(a, ra), (b, rb) = parse(sys.argv[1]), parse(sys.argv[2])
sys.exit(0 if a is not None and b is not None and abs(a - b) <= 0.5
         and ra == rb else 1)
PY
}

# within SECONDS CMD...: until CMD succeeds, polled every 0.2 s; 1 when
# SECONDS pass first.
within() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge "$deadline" ] && return 1
		sleep 0.2
	done
}
