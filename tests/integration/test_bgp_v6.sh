#!/usr/bin/env bash
# twinpathd's MP-BGP IPv6 unicast against BIRD 2: both upstreams announce
# 2001:db8:100::/48 over the existing IPv4 sessions (IPv6 NLRI over IPv4
# transport, RFC 4760; next hop global + link-local, RFC 2545), GTSM on
# link1 and TCP MD5 on link2 (tests/lab.sh LAB_BGP_V6=1). Checked: the IPv6
# capability negotiated on both sessions; the prefix learned from both
# links (AS path 35540, best + multipath) with a next hop of that link's
# peer; in the FIB as one group of the two peers' link-local addresses
# (RFC 2545: the one twinpathd forwards to); in twinpath-dp's IPv6 FIB;
# both next hops resolved by the kernel's ND to the peers' MACs; BIRD's
# withdraw from one upstream, then both, and the re-announcement.
# Usage: BUILD=<build root> bash tests/integration/test_bgp_v6.sh
set -u
BUILD=${BUILD:-build}
LAB_NO_TRAP=1
source "$(dirname "$0")/../lab.sh"
source "$(dirname "$0")/tally.sh"
HOLD=3
source "$(dirname "$0")/bgpctl.sh"

export LAB_BGP_TIMERS="$HOLD 1" LAB_BGP_SECURE=1 LAB_BGP_V6=1
P6=2001:db8:100::/48
LAB_PREFIX=twpv6$$
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX

# up_addrs N: upN eth0's IPv6 addresses (global and link-local), one a line.
up_addrs() {
	ip -n "$(lab_ns "up$1")" -j -6 addr show dev eth0 |
		j - "'\n'.join(a['local'] for i in j for a in i['addr_info'])"
}
# up_ll N: upN eth0's link-local address.
up_ll() { up_addrs "$1" | grep '^fe80:'; }
# up_mac N: upN eth0's MAC.
up_mac() { ip -n "$(lab_ns "up$1")" -j link show eth0 | j - "j[0]['address']"; }

# fib6 NAME: P6 in the FIB NAME as "primary|backup|source", each member
# list sorted by link (nexthop ids follow the order the paths arrived in).
fib6() { fib_route_by_link "$1" "$P6"; }
# wait_fib6 NAME SECONDS WANT: until fib6 is WANT.
wait_fib6() {
	local deadline=$((SECONDS + $2))
	while :; do
		fib "$1" && [ "$(fib6 "$1")" = "$3" ] && return 0
		[ $SECONDS -ge "$deadline" ] && return 1
		sleep 0.25
	done
}

echo "== lab up with IPv6 on the links; BIRD announces $P6 over the IPv4 sessions"
lab_up || fatal "lab did not come up"
for n in 1 2; do
	lab_birdc "up$n" show route "$P6" all >"$LAB_DIR/bird6-up$n.txt" 2>&1
	grep -q "$P6" "$LAB_DIR/bird6-up$n.txt" ||
		ko "BIRD up$n has no $P6: $(tr '\n' ' ' <"$LAB_DIR/bird6-up$n.txt")"
done
conf=$LAB_DIR/gw-v6.conf
gw_conf "$LAB_SRC/config/lab-bgp-active-active.conf" |
	sed -E "s|import = \[|import = [\"2001:db8:100::/48 le 64\", |" >"$conf"
[ "$(grep -c '"2001:db8:100::/48 le 64"' "$conf")" -eq 2 ] ||
	fatal "could not derive the test config ($conf)"
echo "== 1. sessions and the IPv6 capability"
gw_up_bgp "" "$conf"
bgp nbrs neighbors
for l in link1 link2; do
	got=$(nb nbrs $l capabilities)
	[ "$(j "$LAB_DIR/nbrs.json" "[n for n in j['neighbors'] if n['link'] == '$l'][0]['capabilities']['ipv6']")" = True ] &&
		ok "$l: IPv6 unicast negotiated ($got)" ||
		ko "$l: capabilities $got, want ipv6 true"
done
[ "$(nb nbrs link1 gtsm)" = True ] && [ "$(nb nbrs link2 md5)" = True ] &&
	ok "GTSM on link1, TCP MD5 on link2" ||
	ko "gtsm link1 $(nb nbrs link1 gtsm), md5 link2 $(nb nbrs link2 md5)"

echo "== 2. $P6 learned from both links"
deadline=$((SECONDS + 15))
while :; do
	bgp routes routes "$P6"
	n=$(j "$LAB_DIR/routes.json" "sum(len(r['paths']) for r in j['routes'] if r['prefix'] == '$P6')" 2>/dev/null)
	[ "${n:-0}" -ge 2 ] || [ $SECONDS -ge $deadline ] && break
	sleep 0.25
done
got=$(j "$LAB_DIR/routes.json" "sorted((p['link'], p['as_path'], p['role']) for r in j['routes'] if r['prefix'] == '$P6' for p in r['paths'])" 2>&1)
case "$got" in
"[('link1', '35540', 'best'), ('link2', '35540', 'multipath')]" | \
	"[('link1', '35540', 'multipath'), ('link2', '35540', 'best')]")
	ok "two paths, AS path 35540, best + multipath: $got" ;;
*) ko "paths to $P6: $got, want link1 and link2, AS path 35540, best + multipath" ;;
esac
for n in 1 2; do
	nh=$(j "$LAB_DIR/routes.json" "[p['nexthop'] for r in j['routes'] if r['prefix'] == '$P6' for p in r['paths'] if p['link'] == 'link$n'][0]" 2>&1)
	if up_addrs $n | grep -qxF -- "$nh"; then
		case $nh in fe80:*) kind=link-local ;; *) kind=global ;; esac
		ok "link$n's path: next hop $nh ($kind), an address of up$n eth0"
	else
		ko "link$n's path: next hop '$nh', not one of up$n eth0's: $(up_addrs $n | tr '\n' ' ')"
	fi
done

echo "== 3. FIB: one group of the two peers' link-local next hops"
ll1=$(up_ll 1) ll2=$(up_ll 2)
# a next hop other than the link's configured peer_address (IPv4) is named
# ADDR@LINK; RFC 2545: twinpathd forwards to the link-local one
want="$ll1@link1,$ll2@link2||bgp"
wait_fib6 fib1 15 "$want" &&
	ok "FIB: $P6 is $want" ||
	ko "FIB: $P6 is $(fib6 fib1), want $want"
fib_route fib1 198.51.100.0/24 | grep -qx "link1,link2||bgp" &&
	ok "FIB: 198.51.100.0/24 still link1,link2||bgp beside it" ||
	ko "FIB: 198.51.100.0/24 is $(fib_route fib1 198.51.100.0/24)"

echo "== 4. twinpath-dp's IPv6 FIB"
deadline=$((SECONDS + 10))
while :; do
	r6=$(lab_tpstat /twinpath/fib --get routes_ipv6 2>/dev/null)
	[ "${r6:-0}" -ge 1 ] || [ $SECONDS -ge $deadline ] && break
	sleep 0.25
done
[ "${r6:-0}" -ge 1 ] && ok "twinpath-dp: routes_ipv6 = $r6" ||
	ko "twinpath-dp: routes_ipv6 = ${r6:-?}, want >= 1"

echo "== 5. the IPv6 next hops resolved (kernel ND in the gateway)"
nh6() { # N: "resolved mac" of the nexthop to upN's link-local on linkN
	j "$LAB_DIR/nh.json" "next(('%s %s' % (n['resolved'], n['mac']) for n in j if n['gateway'] == '$(up_ll "$1")' and n['via'] == 'link$1'), 'none')"
}
mac1=$(up_mac 1) mac2=$(up_mac 2)
t0=$SECONDS
deadline=$((SECONDS + 15))
while :; do
	lab_ctl --json show nexthops >"$LAB_DIR/nh.json"
	[ "$(nh6 1)" = "True $mac1" ] && [ "$(nh6 2)" = "True $mac2" ] && break
	[ $SECONDS -ge $deadline ] && break
	sleep 0.25
done
for n in 1 2; do
	mac=$(up_mac $n)
	[ "$(nh6 $n)" = "True $mac" ] &&
		ok "link$n: next hop $(up_ll $n) resolved to $mac (up$n eth0) within $((SECONDS - t0)) s" ||
		ko "link$n: next hop $(up_ll $n): $(nh6 $n), want True $mac (waited $((SECONDS - t0)) s)"
done

echo "== 6. BIRD withdraws $P6"
lab_birdc up1 disable announce6 >/dev/null
wait_fib6 wd1 10 "$ll2@link2||bgp" &&
	ok "withdrawn by up1: $P6 via link2 alone ($(fib6 wd1))" ||
	ko "after up1's withdraw: $(fib6 wd1), want $ll2@link2||bgp"
lab_birdc up2 disable announce6 >/dev/null
wait_fib6 wd2 10 absent &&
	ok "withdrawn by both: $P6 gone from the FIB" ||
	ko "after both withdraws: $(fib6 wd2), want absent"
r6=$(lab_tpstat /twinpath/fib --get routes_ipv6 2>/dev/null)
echo "INFO twinpath-dp routes_ipv6 after both withdraws: ${r6:-?}"
lab_birdc up1 enable announce6 >/dev/null
lab_birdc up2 enable announce6 >/dev/null
wait_fib6 wd3 10 "$want" &&
	ok "announced again: $P6 back over both links" ||
	ko "re-announced: $(fib6 wd3), want $want"

bgp end neighbors
for l in link1 link2; do
	[ "$(nb end $l state)" = Established ] && [ "$(nb end $l established_count)" -eq 1 ] &&
		ok "$l stayed Established throughout" ||
		ko "$l: state $(nb end $l state), established $(nb end $l established_count) times, last error $(nb end $l last_error)"
done
exit 0
