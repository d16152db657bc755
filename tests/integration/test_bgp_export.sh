#!/usr/bin/env bash
# What twinpathd announces per link (issue 12), checked in BIRD 2: with
# links.bgp.announce each link sends its own list (link1 the site /16 and
# its lower /17, link2 the /16 and the upper /17, neither the other's),
# and links.bgp.communities rides on every prefix of its link (link1
# 7224:7100 and the large community 65001:1:2, link2 7224:7300 only, as
# AWS Direct Connect's local-preference communities are used).
# Usage: BUILD=<build root> bash tests/integration/test_bgp_export.sh
set -u
BUILD=${BUILD:-build}
LAB_NO_TRAP=1
source "$(dirname "$0")/../lab.sh"
source "$(dirname "$0")/tally.sh"

HOLD=90
source "$(dirname "$0")/bgpctl.sh"
export LAB_BGP_SECURE=1 # the active/active example: GTSM link1, MD5 link2

# bird_route ROLE PREFIX: what BIRD learned from us for PREFIX.
bird_route() { lab_birdc "$1" show route "$2" all protocol gw_peer 2>/dev/null; }

# wait_bird ROLE PREFIX SECONDS: until BIRD has PREFIX from us.
wait_bird() {
	local deadline=$((SECONDS + $3))
	until bird_route "$1" "$2" | grep -q "BGP.as_path"; do
		[ $SECONDS -ge "$deadline" ] && return 1
		sleep 0.25
	done
}

# seen ROLE PREFIX WANT_COMMUNITY WANT_LARGE: BIRD's route from us carries
# exactly these BGP.community and BGP.large_community lines ("" = none).
seen() {
	local role=$1 prefix=$2 out c l
	out=$(bird_route "$role" "$prefix")
	c=$(sed -n 's/^[[:space:]]*BGP.community: //p' <<<"$out")
	l=$(sed -n 's/^[[:space:]]*BGP.large_community: //p' <<<"$out")
	[ "$c" = "$3" ] && [ "$l" = "$4" ] &&
		ok "$role sees $prefix with community '$c', large community '$l'" ||
		ko "$role sees $prefix: community '$c' large '$l', want '$3' '$4' ($(tr '\n' ' ' <<<"$out"))"
}

# absent ROLE PREFIX: BIRD has no route for PREFIX from us.
absent() {
	bird_route "$1" "$2" | grep -q "BGP.as_path" &&
		ko "$1 got $2, announced on the other link only" ||
		ok "$1 has no $2 (not in its link's announce list)"
}

LAB_PREFIX=twpexp$$
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
lab_up || fatal "lab did not come up"
conf=$LAB_DIR/gw-export.conf
gw_conf "$LAB_SRC/config/lab-bgp-active-active.conf" |
	python3 -c 'import sys
s = sys.stdin.read()
one = "      max_prefix_restart = 60;       # seconds idle after a max_prefix Cease\n"
two = "      password = \"twinpath-lab\";     # TCP MD5 (RFC 2385), as on the peer\n"
assert one in s and two in s
s = s.replace(one, one + "      announce = [\"198.18.0.0/16\", \"198.18.0.0/17\"];\n"
              "      communities = [\"7224:7100\", \"65001:1:2\"];\n", 1)
s = s.replace(two, two + "      announce = [\"198.18.0.0/16\", \"198.18.128.0/17\"];\n"
              "      communities = [\"7224:7300\"];\n", 1)
sys.stdout.write(s)' >"$conf" || fatal "cannot write $conf"
"$BUILD/control/twinpathd" --check "$conf" >/dev/null ||
	fatal "twinpathd --check refuses $conf"
gw_up_bgp "" "$conf"

echo "== each link's own announce list"
for p in 198.18.0.0/16 198.18.0.0/17; do
	wait_bird up1 "$p" 15 || ko "up1 never got $p"
done
for p in 198.18.0.0/16 198.18.128.0/17; do
	wait_bird up2 "$p" 15 || ko "up2 never got $p"
done
absent up1 198.18.128.0/17
absent up2 198.18.0.0/17

echo "== each link's communities on every prefix it announces"
seen up1 198.18.0.0/16 "(7224,7100)" "(65001, 1, 2)"
seen up1 198.18.0.0/17 "(7224,7100)" "(65001, 1, 2)"
seen up2 198.18.0.0/16 "(7224,7300)" ""
seen up2 198.18.128.0/17 "(7224,7300)" ""
exit 0
