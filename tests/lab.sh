#!/usr/bin/env bash
# The twinpath lab: a LAN host, the gateway, two upstream routers running
# BIRD 2 (AS 35540) and a server host, each in its own network namespace.
# Source it for the lab_* functions, or run `bash tests/lab.sh up|down PREFIX`.
# LAB_BFD="TX RX MULT" (ms, ms, count) gives each upstream's BIRD a BFD
# session toward the gateway's link address with those timers (LAB_BFD_UP2:
# other ones for up2 alone).
# BGP toward the gateway (config/lab-bgp-*.conf), unset = BIRD's defaults:
#   LAB_BGP_TIMERS="HOLD KEEPALIVE" (s): those timers in BIRD, and a quick
#     reconnect (connect retry and connect delay 1 s, error wait 1..2 s).
#   LAB_BGP_SECURE=1: GTSM (RFC 5082) on up1, TCP MD5 "twinpath-lab" on up2.
#   LAB_BGP_EXTRA=1: each upstream also announces 203.0.113.128/25 with
#     community (35540,100) and MED 10 (up1) / 20 (up2), protocol "extra".
#   LAB_BGP_BULK=N: up1 also announces N /24s of 16.0.0.0/4 (protocol "bulk").
#     LAB_BGP_BULK_OFF=1: held back in a table of its own until a test sends
#     it with `birdc enable bulk_feed` (a pipe) and withdraws it with
#     `birdc disable bulk_feed` (tests/tools/bird_bulk.py --held).
#   LAB_BGP_BULK_ALL=1 (with LAB_BGP_BULK): every BIRD upstream announces
#     them, not up1 alone: a full table from each provider, so every prefix
#     has a backup path.
#   LAB_LINKS=4: four links instead of two (two upstream pairs, the 99.99 %
#     tiers): up3 and up4 as well, each a BIRD peer like up1 (the same
#     announcements, BFD with LAB_BFD), the server behind all four:
#       gw link3 203.0.113.9/30 ── eth0 .10 up3 eth1 192.0.2.9/30 ── up3 .10 srv
#       gw link4 203.0.113.13/30 ── eth0 .14 up4 eth1 192.0.2.13/30 ── up4 .14 srv
#     (link N: 203.0.113.4N-3 ── .4N-2, upN eth1 192.0.2.4N-3 ── srv .4N-2).
#     LAB_BGP_V6 still covers link1 and link2 only.
#   LAB_BGP_V6=1: IPv6 on the links (gw link1 2001:db8:1::1/64 ── up1
#     2001:db8:1::2/64, link2 2001:db8:2::1/64 ── up2 2001:db8:2::2/64, and
#     their fe80:: addresses, no DAD) and an ipv6 channel on BIRD's gw_peer
#     (IPv6 NLRI over the IPv4 session) announcing 2001:db8:100::/48 from
#     protocol "announce6", next hop upN's global address + its link-local.
#     With LAB_UP2_FRR=1, up2's FRR announces it too (ipv6 unicast
#     activated on the IPv4 session, next hop 2001:db8:2::2).
#     LAB_V6_HOSTS=1: IPv6 on the LAN host, the server and the upstreams'
#     server side as LAB_BGP_V6_SESSION=1 gives them (below), beside
#     LAB_BGP_V6=1's IPv4 sessions: dual-stack streams, one session a link.
#   LAB_BGP_V6_SESSION=1 (implies LAB_BGP_V6=1; BIRD on up1, BIRD or FRR
#     on up2): the upstreams' one BGP session with the gateway runs over
#     IPv6 (upN 2001:db8:N::2 ── gw 2001:db8:N::1) and carries both
#     families: IPv4 (198.51.100.0/24, next hop upN's 203.0.113.x) and
#     IPv6 (2001:db8:100::/48, next hop 2001:db8:N::2 + its fe80::); BFD
#     (LAB_BFD) runs over IPv6 too. The rest of the lab gets IPv6 for
#     streams: lan eth0 2001:db8:ff::10/64 (default via gw lan0
#     2001:db8:ff::1), upN eth1 2001:db8:fN::1/64 ── srv upN
#     2001:db8:fN::2/64, srv lo 2001:db8:100::10; upN forward IPv6 and
#     route 2001:db8:100::/48 to srv, 2001:db8:ff::/48 to the gateway.
#     LAB_BGP_V6_SESSION=ll: the same, but link2's session (and BFD) runs
#     between link-local addresses, gw link2 fe80::1 ── up2 eth0 fe80::2
#     (the only fe80:: on either: addr_gen_mode none); BIRD, or FRR with
#     `neighbor fe80::1 interface eth0`.
#   LAB_BGP_V6_SESSION=dual (implies LAB_BGP_V6=1 and the IPv6 hosts of
#     LAB_BGP_V6_SESSION=1): a session per family on each link, as most
#     providers run a dual-stack link: gw_peer over IPv4 with the ipv4
#     channel alone, BFD over IPv4 (LAB_BFD), and gw_peer6 over IPv6
#     (upN 2001:db8:N::2 ── gw 2001:db8:N::1) with the ipv6 channel alone
#     and no BFD of its own (twinpath runs one BFD session per link, over
#     peer_address, standing for both). FRR on up2 (LAB_UP2_FRR=1): the
#     IPv4 neighbor in ipv4 unicast only, the IPv6 one in ipv6 unicast
#     only.
#   LAB_BGP_GR=1: graceful restart (RFC 4724) on the upstreams' side, as a
#     helper that keeps our routes while twinpathd restarts: BIRD's
#     `graceful restart on;` (its default `aware` lists no family), FRR's
#     `bgp graceful-restart`.
#   LAB_BIRD_KERNEL=1: each BIRD upstream forwards toward the site on what
#     it learned from the gateway (a kernel protocol exports gw_peer's
#     routes) instead of the lab's static route, so its traffic to the site
#     stops when BIRD drops our 198.18.0.0/16.
#   LAB_PROVIDER_CORE=1 (two links, BIRD on both upstreams; implies
#     LAB_BIRD_KERNEL=1): the provider's two PoPs are one network, as a
#     real provider's are. up1 and up2 hold an iBGP session (protocol
#     "core", AS 35540, across srv, next hop self) over which each learns
#     what the gateway announced to the other, and srv forwards between
#     them: a packet for the site that srv's ECMP handed to up1 reaches
#     the gateway over link1 while up1's own eBGP route stands, over srv
#     and up2 once up1 lost it (its BFD fired) or once up2 learned a more
#     specific route from us (links.suspect's steer_return). Packets
#     coming back to srv from up1 go to up2 and vice versa (policy
#     routing by input interface), the provider's backbone.
#   LAB_UP2_FRR=1: up2 runs FRR's bgpd (no zebra) instead of BIRD, with the
#     same peering (lab_frr_conf): 198.51.100.0/24 with MED 20 and community
#     35540:100, the MD5 password with LAB_BGP_SECURE=1; ask it with lab_vtysh.
#   LAB_UP2_FRR_BFD=1 (with LAB_UP2_FRR=1 and LAB_BFD): up2's FRR also runs
#     zebra and bfdd, and its BGP session follows a BFD session toward the
#     gateway at LAB_BFD's timers. LAB_UP2_FRR_MED=N: that MED instead of 20.
#   LAB_BGP_PREFIXES=N: each upstream announces N prefixes, 198.51.100.0/24
#     and N-1 /28s inside it (N <= 17).
#   LAB_GW=linux-frr: the gateway is a Linux router (ip_forward=1, L4
#     multipath hash, route to the site via the LAN host); the caller runs
#     its FRR (lab_start_frr_daemons gw ...) instead of twinpath.
#
#   lan  eth0 198.18.1.10/24 ── lan0 198.18.1.1/24   gw   link1 203.0.113.1/30 ── eth0 .2  up1  eth1 192.0.2.1/30 ── up1 .2  srv
#                                                          link2 203.0.113.5/30 ── eth0 .6  up2  eth1 192.0.2.5/30 ── up2 .6  (lo 198.51.100.10)
#
# The gateway's kernel does not forward (that is twinpath-dp's job). Its
# bpffs, /dev/shm, hugetlbfs, /run/dpdk and /run/twinpath are private to
# the run: a holder process keeps a mount namespace alive and every gateway
# command enters it with its network namespace (gw_exec), so twinpath-dp
# and twinpathd of one run share pins and the channel, and two runs never
# see each other's.

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LAB_TOOLS=$LAB_SRC/tests/tools
LAB_PREFIX=${LAB_PREFIX:-twp$$}
LAB_RUN_ROOT=${LAB_RUN_ROOT:-/tmp/twinpath-lab}
LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
LAB_ROLES=(lan gw up1 up2 srv)
# LAB_LINKS=4: the second upstream pair (see the top of this file)
LAB_LINKS=${LAB_LINKS:-2}
[ "$LAB_LINKS" = 4 ] && LAB_ROLES+=(up3 up4)
# Build root: absolute so it still means the same after a cd.
BUILD=${BUILD:-$LAB_SRC/build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac

lab_log() { echo "lab[$LAB_PREFIX]: $*" >&2; }
lab_die() { lab_log "ERROR: $*"; return 1; }

lab_ns() { echo "$LAB_PREFIX-$1"; }

# lab_argv ROLE: set LAB_ARGV to the command prefix that runs in ROLE.
# `"${LAB_ARGV[@]}" CMD &` forks straight into CMD: no bash subshell is
# left that would inherit (and run) the caller's signal traps.
lab_argv() {
	if [ "$1" = gw ]; then
		LAB_ARGV=(nsenter -t "$(lab_holder_pid)" -m -n --)
	else
		LAB_ARGV=(ip netns exec "$(lab_ns "$1")")
	fi
}

# ns_exec ROLE CMD...: run CMD in a role's namespace (gw: see gw_exec).
ns_exec() {
	local role=$1
	shift
	if [ "$role" = gw ]; then
		gw_exec "$@"
	else
		ip netns exec "$(lab_ns "$role")" "$@"
	fi
}

lab_holder_pid() { cat "$LAB_DIR/gw.holder.pid" 2>/dev/null; }

# gw_exec CMD...: run CMD in the gateway's network AND private mount
# namespace. nsenter without -p execs in place, so `gw_exec X &` leaves $!
# the pid of X itself.
gw_exec() {
	local holder
	holder=$(lab_holder_pid) || { lab_die "gateway holder not running"; return 1; }
	nsenter -t "$holder" -m -n -- "$@"
}

# lab_veth ROLE_A IF_A ROLE_B IF_B: one veth, each end created directly in
# its namespace so names inside are fixed and never meet the host's.
# LAB_VETH_QUEUES=N: N rx and N tx queues on each end (default 1).
lab_veth() {
	local q=${LAB_VETH_QUEUES:-1}
	ip link add "$2" netns "$(lab_ns "$1")" numrxqueues "$q" \
		numtxqueues "$q" type veth \
		peer name "$4" netns "$(lab_ns "$3")" numrxqueues "$q" \
		numtxqueues "$q"
}

lab_addr() { # ROLE IF ADDR
	ip -n "$(lab_ns "$1")" addr add "$3" dev "$2"
	ip -n "$(lab_ns "$1")" link set "$2" up
}

# A host veth whose packets cross the gateway: no tx checksum offload (a
# partial checksum loses its skb metadata through AF_XDP and the receiver
# drops the packet), and an XDP_PASS program when it faces a gateway port,
# or frames the gateway sends with XDP_TX/redirect never arrive.
lab_host_if() { # ROLE IF [faces_gw]
	ip netns exec "$(lab_ns "$1")" ethtool -K "$2" tx off >/dev/null
	if [ "${3:-}" = faces_gw ]; then
		ip -n "$(lab_ns "$1")" link set dev "$2" xdpdrv \
			obj "$BUILD/bpf/xdp_pass.bpf.o" sec xdp
	fi
}

lab_sysctl() { # ROLE KEY=VALUE...
	local role=$1
	shift
	ns_exec "$role" sysctl -q -w "$@" >/dev/null
}

# lab_bird_bgp_opts ROLE: the gw_peer lines that LAB_BGP_TIMERS and
# LAB_BGP_SECURE ask for (see the top of this file), each after a newline.
lab_bird_bgp_opts() {
	local hold keep
	if [ -n "${LAB_BGP_TIMERS:-}" ]; then
		read -r hold keep <<<"$LAB_BGP_TIMERS"
		# BIRD refuses incoming connections during its error wait (60 s
		# by default): a test that drops the session waits 1 s instead.
		printf '\n\thold time %s;\n\tkeepalive time %s;' "$hold" "$keep"
		printf '\n\tconnect retry time 1;\n\tconnect delay time 1;'
		printf '\n\terror wait time 1, 2;'
	fi
	# with BFD toward the gateway, BIRD's BGP follows it too (RFC 5882),
	# as twinpathd's does: both ends drop the session on a BFD failure
	[ -n "${LAB_BFD:-}" ] && printf '\n\tbfd on;'
	[ "${LAB_BGP_GR:-0}" = 1 ] && printf '\n\tgraceful restart on;'
	[ "${LAB_BGP_SECURE:-0}" = 1 ] || return 0
	case $1 in
	up1) printf '\n\tttl security on;' ;;        # GTSM, RFC 5082
	up2) printf '\n\tpassword "twinpath-lab";' ;; # TCP MD5, RFC 2385
	esac
}

# lab_bird_extra_protos ROLE SERVER_NH: more static protocols to announce
# (after a newline). LAB_BGP_EXTRA=1: "extra", 203.0.113.128/25 with a
# community, in a protocol of its own so a test can withdraw it alone
# (birdc disable extra). LAB_BGP_BULK=N: "bulk" on up1 only, N /24s of
# 16.0.0.0/4 (tests/tools/bird_bulk.py), a full table from one peer.
lab_bird_extra_protos() {
	if [ "${LAB_BGP_EXTRA:-0}" = 1 ]; then
		printf '\nprotocol static extra {\n\tipv4;'
		printf '\n\troute 203.0.113.128/25 via %s {' "$2"
		printf '\n\t\tbgp_community.add((35540,100));\n\t};\n}'
	fi
	if [ "${LAB_BGP_V6:-0}" = 1 ]; then
		printf '\nprotocol static announce6 {\n\tipv6;'
		printf '\n\troute 2001:db8:100::/48 blackhole;\n}'
	fi
	if [ -n "${LAB_BGP_BULK:-}" ] && { [ "$1" = up1 ] || [ "${LAB_BGP_BULK_ALL:-0}" = 1 ]; }; then
		python3 "$LAB_TOOLS/bird_bulk.py" --count "$LAB_BGP_BULK" \
			--via "$2" --out "$LAB_DIR/$1.bulk.conf" \
			$([ "${LAB_BGP_BULK_OFF:-0}" = 1 ] && echo --held) || return 1
		printf '\ninclude "%s";' "$LAB_DIR/$1.bulk.conf"
	fi
	return 0
}

# lab_bird_kernel: LAB_BIRD_KERNEL=1, a kernel protocol (after a newline)
# that installs what gw_peer learned (our site prefix) in the upstream's
# kernel; lab_up_steps then leaves out the static route to the site.
# LAB_PROVIDER_CORE=1: what the iBGP session "core" learned as well.
lab_bird_kernel() {
	[ "${LAB_BIRD_KERNEL:-0}" = 1 ] || return 0
	printf '\nprotocol kernel {\n\tipv4 {\n\t\timport none;'
	printf '\n\t\texport where proto = "gw_peer" || proto = "core";\n\t};'
	# with GR, a BIRD restarted with -R (LAB_BIRD_RECOVER=1) keeps the
	# kernel route the last one left until its recovery ends, instead of
	# removing it at the first scan
	[ "${LAB_BGP_GR:-0}" = 1 ] && printf '\n\tgraceful restart;'
	printf '\n}'
}

# lab_bird_export ROLE: gw_peer's export, the static protocols above. BIRD
# sends a MED to an eBGP peer only when the export filter sets it (one set
# on the static route is dropped), so LAB_BGP_EXTRA's MED is set here.
lab_bird_export() {
	local med=10
	[ "$1" = up2 ] && med=20
	printf '\t\texport filter {'
	printf '\n\t\t\tif proto != "announce" && proto != "extra" &&'
	printf ' proto != "bulk" then reject;'
	[ "${LAB_BGP_EXTRA:-0}" = 1 ] &&
		printf '\n\t\t\tif net = 203.0.113.128/25 then bgp_med = %s;' "$med"
	printf '\n\t\t\taccept;\n\t\t};'
}

# lab_bird_v6_channel ROLE: LAB_BGP_V6=1, gw_peer's ipv6 channel (after a
# newline): IPv6 NLRI over the IPv4 session (RFC 4760; over the IPv6 one
# with LAB_BGP_V6_SESSION=1). The session's
# address is IPv4, so the IPv6 next hop is pinned with `next hop address`
# to upN eth0's global one (BIRD 2.0.12 on a direct session would also
# pick it from eth0); BIRD adds eth0's fe80:: (RFC 2545, 32-byte next hop:
# `birdc show protocols all gw_peer` "BGP Next hop: GLOBAL LINK-LOCAL").
lab_bird_v6_channel() {
	[ "${LAB_BGP_V6:-0}" = 1 ] || return 0
	# a session per family: IPv6 goes over gw_peer6 (lab_bird_peer6)
	lab_dual_session && return 0
	printf '\n\tipv6 {\n\t\timport all;'
	printf '\n\t\texport where proto = "announce6";'
	printf '\n\t\tnext hop address 2001:db8:%s::2;\n\t};' "${1#up}"
}

# lab_v6_links: LAB_BGP_V6=1, IPv6 on both links (see the top of this
# file): enabled in gw, up1, up2, without DAD (an address never waits
# tentative), then a bounded wait until every address, the kernel's own
# fe80:: ones included, is usable.
lab_v6_links() {
	local r n i
	for r in gw up1 up2; do
		lab_sysctl "$r" net.ipv6.conf.all.disable_ipv6=0 \
			net.ipv6.conf.default.disable_ipv6=0 \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	for n in 1 2; do
		lab_sysctl gw "net.ipv6.conf.link$n.disable_ipv6=0" \
			"net.ipv6.conf.link$n.accept_dad=0"
		lab_sysctl "up$n" net.ipv6.conf.eth0.disable_ipv6=0 \
			net.ipv6.conf.eth0.accept_dad=0
		ns_exec gw ip addr add "2001:db8:$n::1/64" dev "link$n" nodad
		ip -n "$(lab_ns "up$n")" addr add "2001:db8:$n::2/64" dev eth0 nodad
	done
	for i in $(seq 50); do
		lab_v6_ready && return 0
		sleep 0.1
	done
	lab_die "IPv6 link addresses not usable after 5 s"
}

# lab_v6_hosts: LAB_BGP_V6_SESSION=1, IPv6 on the LAN host, the server
# and the upstreams' server side, for IPv6 streams (see the top of this
# file). The gateway's lan0 gets its address too, so its kernel answers
# the LAN host's Neighbor Solicitations (as it answers ARP).
lab_v6_hosts() {
	local r n
	for r in lan srv; do
		lab_sysctl "$r" net.ipv6.conf.all.disable_ipv6=0 \
			net.ipv6.conf.default.disable_ipv6=0 \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
	done
	lab_sysctl lan net.ipv6.conf.eth0.disable_ipv6=0 net.ipv6.conf.eth0.accept_dad=0
	lab_sysctl gw net.ipv6.conf.lan0.disable_ipv6=0 net.ipv6.conf.lan0.accept_dad=0
	ns_exec gw ip addr add 2001:db8:ff::1/64 dev lan0 nodad
	ip -n "$(lab_ns lan)" addr add 2001:db8:ff::10/64 dev eth0 nodad
	ip -n "$(lab_ns lan)" -6 route add default via 2001:db8:ff::1
	ip -n "$(lab_ns srv)" addr add 2001:db8:100::10/128 dev lo
	for n in 1 2; do
		lab_sysctl "up$n" net.ipv6.conf.all.forwarding=1 \
			net.ipv6.conf.eth1.disable_ipv6=0 net.ipv6.conf.eth1.accept_dad=0
		lab_sysctl srv "net.ipv6.conf.up$n.disable_ipv6=0" \
			"net.ipv6.conf.up$n.accept_dad=0"
		ip -n "$(lab_ns "up$n")" addr add "2001:db8:f$n::1/64" dev eth1 nodad
		ip -n "$(lab_ns srv)" addr add "2001:db8:f$n::2/64" dev "up$n" nodad
		ip -n "$(lab_ns "up$n")" -6 route add 2001:db8:100::/48 via "2001:db8:f$n::2"
		ip -n "$(lab_ns "up$n")" -6 route add 2001:db8:ff::/48 via "2001:db8:$n::1"
	done
	ip -n "$(lab_ns srv)" -6 route add 2001:db8:ff::/48 \
		nexthop via 2001:db8:f1::1 dev up1 nexthop via 2001:db8:f2::1 dev up2
	[ "${LAB_BGP_V6_SESSION:-0}" = ll ] || return 0
	# link2's only link-local addresses: fe80::1 (gw) and fe80::2 (up2)
	lab_sysctl gw net.ipv6.conf.link2.addr_gen_mode=1
	lab_sysctl up2 net.ipv6.conf.eth0.addr_gen_mode=1
	ns_exec gw ip -6 addr flush dev link2 scope link
	ip -n "$(lab_ns up2)" -6 addr flush dev eth0 scope link
	ns_exec gw ip addr add fe80::1/64 dev link2 nodad
	ip -n "$(lab_ns up2)" addr add fe80::2/64 dev eth0 nodad
}

# lab_v6_ready: each link end has its fe80:: address and none is tentative.
lab_v6_ready() {
	local n
	for n in 1 2; do
		ns_exec gw ip -6 addr show dev "link$n" scope link | grep -q fe80:: &&
			ip -n "$(lab_ns "up$n")" -6 addr show dev eth0 scope link |
			grep -q fe80:: || return 1
	done
	[ -z "$(ns_exec gw ip -6 addr show tentative)$(ns_exec up1 ip -6 addr \
		show tentative)$(ns_exec up2 ip -6 addr show tentative)" ]
}

# lab_more_prefixes FORMAT: printf FORMAT once per extra prefix that
# LAB_BGP_PREFIXES asks for: the /28s of 198.51.100.0/24 in order (the
# server, .10, is in the first, so traffic follows a more specific route).
lab_more_prefixes() {
	local i
	for ((i = 0; i < ${LAB_BGP_PREFIXES:-1} - 1; i++)); do
		printf "$1" "198.51.100.$((16 * i))/28"
	done
}

# lab_bird_core ROLE: LAB_PROVIDER_CORE=1, the iBGP session "core" toward
# the other upstream's eth1 address across srv (after a newline): our
# routes from the gateway out with next hop self, theirs in, resolved
# through a static route to their /30 via srv (core_igp).
lab_bird_core() {
	local me other net via
	[ "${LAB_PROVIDER_CORE:-0}" = 1 ] || return 0
	case $1 in
	up1) me=192.0.2.1 other=192.0.2.5 net=192.0.2.4/30 via=192.0.2.2 ;;
	up2) me=192.0.2.5 other=192.0.2.1 net=192.0.2.0/30 via=192.0.2.6 ;;
	*) return 0 ;;
	esac
	printf '\nprotocol static core_igp {\n\tipv4;\n\troute %s via %s;\n}' "$net" "$via"
	printf '\nprotocol bgp core {\n\tlocal %s as 35540;\n\tneighbor %s as 35540;' "$me" "$other"
	printf '\n\tmultihop 2;\n\thold time 9;\n\tkeepalive time 3;'
	printf '\n\tconnect retry time 1;\n\tconnect delay time 1;\n\terror wait time 1, 2;'
	printf '\n\tipv4 {\n\t\timport all;\n\t\texport where proto = "gw_peer";'
	printf '\n\t\tnext hop self;\n\t\tgateway recursive;\n\t};\n}'
}

lab_bird_conf() { # ROLE ROUTER_ID NEIGHBOR SERVER_NH
	local tx rx mult
	cat >"$LAB_DIR/$1.bird.conf" <<EOF
# BIRD 2 for upstream $1 (generated by tests/lab.sh). No kernel protocol:
# the forwarding routes are static kernel routes set by the lab.
log "$LAB_DIR/$1.bird.log" all;
router id $2;
protocol device { }
protocol static announce {
	ipv4;
	route 198.51.100.0/24 via $4;$(lab_more_prefixes '\n\troute %s via '"$4"';')
}$(lab_bird_extra_protos "$1" "$4")$(lab_bird_kernel)$(lab_bird_core "$1")
protocol bgp gw_peer {
	local $(lab_session_addr "$1" "$2") as 35540;
	neighbor $(lab_session_addr "$1" "$3" gw) as 65001;$(lab_bird_ll_iface "$1")$(lab_bird_bgp_opts "$1")
	ipv4 {
		import all;$(lab_bird_v4_next_hop "$2")
$(lab_bird_export "$1")
	};$(lab_bird_v6_channel "$1")
}$(lab_bird_peer6 "$1")
EOF
	[ -n "${LAB_BFD:-}" ] || return 0
	read -r tx rx mult <<<"$LAB_BFD"
	# LAB_BFD_UP2: other timers on up2's session (link2) only
	[ "$1" = up2 ] && [ -n "${LAB_BFD_UP2:-}" ] &&
		read -r tx rx mult <<<"$LAB_BFD_UP2"
	# RFC 5881 single hop toward the gateway's link address; until Up
	# BIRD sends at its idle interval (1 s, RFC 5880 §6.8.3).
	cat >>"$LAB_DIR/$1.bird.conf" <<EOF
protocol bfd gw_bfd {
	debug { states, events };
	interface "eth0" {
		min rx interval $rx ms;
		min tx interval $tx ms;
		multiplier $mult;
	};
	neighbor $(lab_session_addr "$1" "$3" gw) dev "eth0" local $(lab_session_addr "$1" "$2");
}
EOF
}

# lab_session_addr ROLE ADDR [gw]: the address of upN's BGP and BFD
# sessions with the gateway: ADDR (IPv4), or with LAB_BGP_V6_SESSION=1
# the IPv6 one of the link, upN's 2001:db8:N::2 or the gateway's ::1.
lab_session_addr() {
	if [ "${LAB_BGP_V6_SESSION:-0}" = ll ] && [ "$1" = up2 ]; then
		[ "${3:-}" = gw ] && echo fe80::1 || echo fe80::2
	elif lab_v6_session; then
		[ "${3:-}" = gw ] && echo "2001:db8:${1#up}::1" || echo "2001:db8:${1#up}::2"
	else
		echo "$2"
	fi
}

# lab_v6_session: LAB_BGP_V6_SESSION is 1 or ll.
lab_v6_session() { [ "${LAB_BGP_V6_SESSION:-0}" = 1 ] || [ "${LAB_BGP_V6_SESSION:-0}" = ll ]; }
# lab_dual_session: LAB_BGP_V6_SESSION=dual, a session per family.
lab_dual_session() { [ "${LAB_BGP_V6_SESSION:-0}" = dual ]; }

# lab_bird_peer6 ROLE: LAB_BGP_V6_SESSION=dual, upN's IPv6 session with
# the gateway (after a newline): the ipv6 channel alone, the session's
# options without BFD (one BFD session per link, on gw_peer).
lab_bird_peer6() {
	local n=${1#up}
	lab_dual_session || return 0
	printf '\nprotocol bgp gw_peer6 {'
	printf '\n\tlocal 2001:db8:%s::2 as 35540;' "$n"
	printf '\n\tneighbor 2001:db8:%s::1 as 65001;' "$n"
	LAB_BFD='' lab_bird_bgp_opts "$1"
	printf '\n\tipv6 {\n\t\timport all;'
	printf '\n\t\texport where proto = "announce6";'
	printf '\n\t\tnext hop address 2001:db8:%s::2;\n\t};\n}' "$n"
}

# lab_bird_ll_iface ROLE: the gw_peer line (after a newline) that ties a
# link-local session to its interface (LAB_BGP_V6_SESSION=ll, up2).
lab_bird_ll_iface() {
	[ "${LAB_BGP_V6_SESSION:-0}" = ll ] && [ "$1" = up2 ] || return 0
	printf '\n\tinterface "eth0";'
}

# lab_bird_v4_next_hop ADDR: LAB_BGP_V6_SESSION=1, the ipv4 channel's
# next hop (after a newline): over an IPv6 session BIRD is told its IPv4
# address on the link, as the ipv6 channel is told its IPv6 one.
lab_bird_v4_next_hop() {
	lab_v6_session || return 0
	printf '\n\t\tnext hop address %s;' "$1"
}

# lab_frr_conf ROLE ROUTER_ID NEIGHBOR: FRR bgpd's config for an upstream
# (LAB_UP2_FRR=1), the peering of lab_bird_conf: AS 35540, 198.51.100.0/24
# announced (no zebra: no import check) with MED 20 and community
# 35540:100 (route-map GW_OUT), everything accepted (GW_IN: RFC 8212),
# LAB_BGP_TIMERS and, with LAB_BGP_SECURE=1, the TCP MD5 password.
lab_frr_conf() {
	local hold keep tx rx mult nbr nbr6
	nbr=$(lab_session_addr "$1" "$3" gw)
	nbr6="2001:db8:${1#up}::1"
	{
		printf '! FRR bgpd for upstream %s (generated by tests/lab.sh)\n' "$1"
		printf 'log file %s/%s.frr.log debugging\n' "$LAB_DIR" "$1"
		printf 'debug bgp neighbor-events\ndebug bgp updates\n'
		printf 'route-map GW_IN permit 10\nexit\n'
		printf 'ip prefix-list ANNOUNCE seq 5 permit 198.51.100.0/24 le 28\n'
		printf 'route-map GW_OUT permit 10\n match ip address prefix-list ANNOUNCE\n'
		printf ' set metric %s\n set community 35540:100\nexit\n' "${LAB_UP2_FRR_MED:-20}"

		printf 'route-map GW_OUT permit 20\nexit\n'
		# LAB_BGP_V6_SESSION=1: over the IPv6 session the IPv4 routes
		# go out with FRR's IPv4 address on the link as next hop
		# (RFC 4760 §3 keeps NEXT_HOP of the IPv4 family), the IPv6
		# ones with its global and link-local addresses (RFC 2545)
		if lab_v6_session; then
			printf 'route-map GW_OUT permit 5\n match ip address prefix-list ANNOUNCE\n'
			printf ' set metric %s\n set community 35540:100\n set ip next-hop %s\nexit\n' \
				"${LAB_UP2_FRR_MED:-20}" "$2"
			printf 'route-map GW_OUT6 permit 10\nexit\n'
		elif lab_dual_session; then
			printf 'route-map GW_OUT6 permit 10\nexit\n'
		elif [ "${LAB_BGP_V6:-0}" = 1 ]; then
			# LAB_BGP_V6=1: IPv6 over the IPv4 session, as BIRD's
			# ipv6 channel, its next hop our global address on the link
			printf 'route-map GW_OUT6 permit 10\n set ipv6 next-hop global 2001:db8:%s::2\nexit\n' "${1#up}"
		fi

		printf 'router bgp 35540\n bgp router-id %s\n' "$2"
		printf ' no bgp network import-check\n'
		[ "${LAB_BGP_GR:-0}" = 1 ] && printf ' bgp graceful-restart\n'
		if [ -n "${LAB_BGP_TIMERS:-}" ]; then
			read -r hold keep <<<"$LAB_BGP_TIMERS"
			printf ' timers bgp %s %s\n' "$keep" "$hold"
		fi
		printf ' neighbor %s remote-as 65001\n' "$nbr"
		# LAB_BGP_V6_SESSION=ll: a link-local neighbor is on eth0
		case $nbr in fe80:*) printf ' neighbor %s interface eth0\n' "$nbr" ;; esac
		if [ -n "${LAB_BGP_TIMERS:-}" ]; then
			printf ' neighbor %s timers connect 1\n' "$nbr"
		fi
		[ "${LAB_BGP_SECURE:-0}" = 1 ] &&
			printf ' neighbor %s password twinpath-lab\n' "$nbr"
		[ "${LAB_UP2_FRR_BFD:-0}" = 1 ] &&
			printf ' neighbor %s bfd profile gw\n' "$nbr"
		# a session per family: the IPv6 neighbor, no BFD of its own
		if lab_dual_session; then
			printf ' neighbor %s remote-as 65001\n' "$nbr6"
			[ -n "${LAB_BGP_TIMERS:-}" ] &&
				printf ' neighbor %s timers connect 1\n' "$nbr6"
			[ "${LAB_BGP_SECURE:-0}" = 1 ] &&
				printf ' neighbor %s password twinpath-lab\n' "$nbr6"
		fi
		printf ' address-family ipv4 unicast\n'
		printf '  network 198.51.100.0/24\n'
		lab_more_prefixes '  network %s\n'
		printf '  neighbor %s route-map GW_IN in\n' "$nbr"
		printf '  neighbor %s route-map GW_OUT out\n' "$nbr"
		lab_dual_session && printf '  no neighbor %s activate\n' "$nbr6"
		printf ' exit-address-family\n'
		if lab_dual_session; then
			printf ' address-family ipv6 unicast\n'
			printf '  network 2001:db8:100::/48\n'
			printf '  neighbor %s activate\n' "$nbr6"
			printf '  neighbor %s route-map GW_IN in\n' "$nbr6"
			printf '  neighbor %s route-map GW_OUT6 out\n' "$nbr6"
			printf ' exit-address-family\n'
		fi
		# LAB_BGP_V6=1 without an IPv6 session: IPv6 unicast over the
		# IPv4 session (a session per family has its own above)
		if lab_v6_session || { [ "${LAB_BGP_V6:-0}" = 1 ] && ! lab_dual_session; }; then
			printf ' address-family ipv6 unicast\n'
			printf '  network 2001:db8:100::/48\n'
			printf '  neighbor %s activate\n' "$nbr"
			printf '  neighbor %s route-map GW_IN in\n' "$nbr"
			printf '  neighbor %s route-map GW_OUT6 out\n' "$nbr"
			printf ' exit-address-family\n'
		fi
		printf 'exit\n'
	} >"$LAB_DIR/$1.frr.conf"
	[ "${LAB_UP2_FRR_BFD:-0}" = 1 ] || return 0
	# bfdd's own file: RFC 5881 single hop toward the gateway at
	# LAB_BFD's timers, the profile bgpd's neighbor names
	read -r tx rx mult <<<"$LAB_BFD"
	printf 'bfd\n profile gw\n  transmit-interval %s\n  receive-interval %s\n  detect-multiplier %s\n exit\nexit\n' \
		"$tx" "$rx" "$mult" >"$LAB_DIR/$1.bfdd.conf"
}

# lab_start_frr ROLE: FRR bgpd in ROLE, daemonized, without zebra (-Z) or
# kernel routes (-n: the lab sets those), as root (-S); pid in ROLE.frr.pid,
# vty socket in the directory ROLE.frr.
lab_start_frr() {
	local r=$1
	mkdir -p "$LAB_DIR/$r.frr"
	ns_exec "$r" /usr/lib/frr/bgpd -d -Z -n -S \
		-f "$LAB_DIR/$r.frr.conf" -i "$LAB_DIR/$r.frr.pid" \
		--vty_socket "$LAB_DIR/$r.frr" --log "file:$LAB_DIR/$r.frr.log" \
		>"$LAB_DIR/$r.frr.out" 2>&1 ||
		{ cat "$LAB_DIR/$r.frr.out" >&2; lab_die "bgpd in $r failed to start"; return 1; }
}

# lab_start_frr_daemons ROLE DAEMON...: FRR daemons (zebra, bfdd, bgpd)
# in ROLE, daemonized, each with its config ROLE.DAEMON.conf. They run as
# user frr (zebra has no -S, and as root it wants root in group frrvty), so
# everything they write is in the frr-owned directory ROLE.frr: zebra's
# API socket, bfdd's control socket, the vty sockets, pid files (copied to
# ROLE.DAEMON.pid for lab_down) and the log frr.log. Start zebra first.
# LAB_FRR_BGPD_ARGS: more bgpd options (-n: no kernel routes).
lab_start_frr_daemons() {
	local r=$1 d dir=$LAB_DIR/$1.frr extra i
	shift
	mkdir -p "$dir"
	chown frr:frr "$dir"
	for d in "$@"; do
		extra=()
		case $d in
		bfdd) extra=(--bfdctl "$dir/bfdd.sock") ;;
		bgpd) read -r -a extra <<<"${LAB_FRR_BGPD_ARGS:-}" ;;
		esac
		ns_exec "$r" "/usr/lib/frr/$d" -d -z "$dir/zserv.api" \
			-f "$LAB_DIR/$r.$d.conf" -i "$dir/$d.pid" \
			--vty_socket "$dir" --log "file:$dir/frr.log" \
			"${extra[@]}" >"$LAB_DIR/$r.$d.out" 2>&1 ||
			{ cat "$LAB_DIR/$r.$d.out" >&2; lab_die "$d in $r failed to start"; return 1; }
		for i in $(seq 50); do
			[ -s "$dir/$d.pid" ] && break
			sleep 0.1
		done
		cp "$dir/$d.pid" "$LAB_DIR/$r.$d.pid" 2>/dev/null ||
			{ lab_die "$d in $r wrote no pid file"; return 1; }
	done
}

# lab_vtysh ROLE CMD...: ask a role's FRR bgpd, one -c per CMD
# (LAB_VTYSH_DAEMON: another daemon, e.g. bfdd).
lab_vtysh() {
	local r=$1 a=() c
	shift
	for c in "$@"; do a+=(-c "$c"); done
	ns_exec "$r" vtysh --vty_socket "$LAB_DIR/$r.frr" \
		-d "${LAB_VTYSH_DAEMON:-bgpd}" "${a[@]}"
}

# lab_start_bird ROLE. With BFD (LAB_BFD) BIRD's BFD thread runs at
# SCHED_FIFO 1, as a router runs its BFD: on this 2-core VM under other
# load a nice-0 BIRD was seen to stall past 30 ms, and both ends' timers
# then expired at the same instant while our packets had left on time
# (tx gap <= 12 ms at 10 ms x 3): the peer's starvation, not what the test
# measures. Only that thread: BIRD 2.0 runs BFD in a thread of its own so
# that the rest of BIRD cannot delay it (proto/bfd/bfd.c), and its main
# thread (BGP, tables) at SCHED_FIFO 1 takes a CPU for tens of ms at a
# time while it loads a full table, which no SCHED_FIFO 1 thread pinned
# there (twinpath-dp's BFD tick and sender) can preempt: every 10 ms x 3
# session flapped in test_bfd_stress.sh so, with no host freeze.
# LAB_BIRD_RT=0 keeps the default scheduler, LAB_BIRD_RT=all puts the
# whole process at SCHED_FIFO 1 (as before, to compare).
lab_start_bird() { # ROLE
	local r=$1 rt=() rec=() pid t i
	[ -n "${LAB_BFD:-}" ] && [ "${LAB_BIRD_RT:-1}" = all ] && rt=(chrt -f 1)
	# LAB_BIRD_RECOVER=1: start after a `birdc graceful restart` (-R:
	# graceful restart recovery, RFC 4724 restarting speaker)
	[ "${LAB_BIRD_RECOVER:-0}" = 1 ] && rec=(-R)
	ns_exec "$r" "${rt[@]}" bird -c "$LAB_DIR/$r.bird.conf" \
		-s "$LAB_DIR/$r.bird.ctl" -P "$LAB_DIR/$r.bird.pid" "${rec[@]}" ||
		{ lab_die "bird in $r failed to start"; return 1; }
	[ -n "${LAB_BFD:-}" ] && [ "${LAB_BIRD_RT:-1}" = 1 ] || return 0
	# BIRD 2.0's one other thread is BFD's, started with the protocol
	for i in $(seq 50); do
		pid=$(cat "$LAB_DIR/$r.bird.pid" 2>/dev/null) || pid=
		[ -n "$pid" ] && for t in /proc/"$pid"/task/*; do
			t=${t##*/}
			[ "$t" = "$pid" ] && continue
			chrt -f -p 1 "$t" || { lab_die "chrt of BIRD's BFD thread $t failed"; return 1; }
			return 0
		done
		sleep 0.1
	done
	lab_die "BIRD in $r (pid ${pid:-?}) started no BFD thread in 5 s"
}

# birdc ROLE CMD...: ask a role's BIRD.
lab_birdc() {
	local r=$1
	shift
	ns_exec "$r" birdc -s "$LAB_DIR/$r.bird.ctl" "$@"
}

# lab_bird_routes ROLE [PREFIX]: what ROLE's BIRD learned from the gateway
# (all attributes: AS path, MED, communities), e.g. to check our prepend.
lab_bird_routes() {
	lab_birdc "$1" show route ${2:+"$2"} all protocol gw_peer
}

lab_start_holder() {
	# ip netns exec already unshares the mount namespace (slave to the
	# host's) and remounts /sys for the netns, so the mounts below are
	# seen by whoever enters this process's namespaces, and by nobody else.
	ip netns exec "$(lab_ns gw)" sh -c '
		set -e
		mount -t bpf bpf /sys/fs/bpf
		mount -t tmpfs tmpfs /dev/shm
		# Private hugepage files: two runs may use one EAL file prefix.
		if [ -d /dev/hugepages ]; then
			mount -t hugetlbfs nodev /dev/hugepages
		fi
		mkdir -p /run/dpdk /run/twinpath
		mount -t tmpfs tmpfs /run/dpdk
		mount -t tmpfs tmpfs /run/twinpath
		exec sleep infinity' >"$LAB_DIR/gw.holder.log" 2>&1 &
	echo $! >"$LAB_DIR/gw.holder.pid"
	local i
	for i in $(seq 50); do
		if [ "$(cat /proc/$!/comm 2>/dev/null)" = sleep ]; then
			return 0
		fi
		kill -0 $! 2>/dev/null || break
		sleep 0.1
	done
	cat "$LAB_DIR/gw.holder.log" >&2
	lab_die "gateway holder did not come up"
}

# The lab lock. Labs are isolated from each other (namespaces, a private
# bpffs), but not from each other's CPU: the BFD and hold-timer tests
# measure timing on a 2-core machine, and a second lab beside them is a
# flap that is not theirs. So every lab holds /tmp/twp-lab.lock while it
# is up: taken here unless the caller already holds it (`flock
# /tmp/twp-lab.lock CMD`, or bench/failover/run.sh's fd 9): an open file
# of this shell or of an ancestor on which the kernel lists the lock.
LAB_LOCK=${LAB_LOCK:-/tmp/twp-lab.lock}
lab_lock_held_by_us() {
	local p st fd lock
	lock=$(readlink -f "$LAB_LOCK")
	p=$BASHPID
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		for fd in /proc/"$p"/fd/*; do
			[ "$(readlink "$fd" 2>/dev/null)" = "$lock" ] || continue
			# the kernel lists a lock held through this fd here
			grep -q '^lock:.*FLOCK' "/proc/$p/fdinfo/${fd##*/}" 2>/dev/null &&
				return 0
		done
		# an ancestor may be gone (a parent that exited): not held
		{ st=$(<"/proc/$p/stat"); } 2>/dev/null || return 1
		st=${st##*) } # past "(comm)", which may hold spaces
		read -r _ p _ <<<"$st"
	done
	return 1
}
lab_lock() {
	local ready me=$BASHPID waited=0
	# a lab of this run (a subshell, or a script it started) has it
	[ -n "${LAB_LOCK_HOLDER:-}" ] && kill -0 "$LAB_LOCK_HOLDER" 2>/dev/null &&
		return 0
	lab_lock_held_by_us && return 0
	# Held by a process of its own, flock(1) -o waiting on this shell,
	# not by an fd of this shell: every daemon a lab starts inherits the
	# shell's fds, and one that outlived its lab (a BIRD left by a test
	# killed during its teardown) held the lock until killed by hand,
	# every later lab waiting its 900 s for it. The holder lets go when
	# this shell exits or lab_down kills it; bounded: a lab runs minutes,
	# a holder that never lets go is said rather than waited for until
	# CI's timeout. Waited for in short sleeps, so Ctrl-C and a test's
	# timeout still stop it. LAB_LOCK_NETNS (`lab.sh up`, whose shell
	# exits with the lab left up): held while that namespace exists too.
	ready=$(mktemp /tmp/twp-lab-lock.XXXXXX) || return 1
	flock -o -w 900 "$LAB_LOCK" sh -c 'echo held >"$1"
		while kill -0 "$2" 2>/dev/null ||
			{ [ -n "$3" ] && [ -e "/run/netns/$3" ]; }; do
			sleep 0.2
		done' lablock "$ready" "$me" "${LAB_LOCK_NETNS:-}" \
		</dev/null >/dev/null 2>&1 &
	LAB_LOCK_HOLDER=$! LAB_LOCK_OWNER=$me
	export LAB_LOCK_HOLDER
	while [ ! -s "$ready" ]; do
		if ! kill -0 "$LAB_LOCK_HOLDER" 2>/dev/null; then
			rm -f "$ready"
			LAB_LOCK_HOLDER=
			lab_die "$LAB_LOCK still held after 900 s"
			return 1
		fi
		[ $((waited += 1)) = 3 ] &&
			lab_log "waiting for $LAB_LOCK: another lab is up"
		sleep 0.2
	done
	rm -f "$ready"
}

# lab_up: build the namespaces, links, addresses, routes and BIRD peers.
# Installs a trap that tears everything down on exit, error or Ctrl-C
# (unless LAB_NO_TRAP=1, as `lab.sh up` needs).
lab_up() {
	[ "$(id -u)" -eq 0 ] || { lab_die "must run as root"; return 1; }
	lab_lock || return 1
	[ -f "$BUILD/bpf/xdp_pass.bpf.o" ] ||
		{ lab_die "$BUILD/bpf/xdp_pass.bpf.o missing: build first"; return 1; }
	[ -e "$LAB_DIR" ] && { lab_die "$LAB_DIR exists: prefix in use"; return 1; }
	[ "${LAB_PROVIDER_CORE:-0}" = 1 ] && LAB_BIRD_KERNEL=1
	{ lab_v6_session || lab_dual_session; } && LAB_BGP_V6=1
	mkdir -p "$LAB_DIR"
	if [ "${LAB_NO_TRAP:-0}" != 1 ]; then
		trap 'lab_down' EXIT
		trap 'lab_down; trap - EXIT; exit 130' INT
		trap 'lab_down; trap - EXIT; exit 143' TERM
	fi
	lab_log "up in $LAB_DIR (build $BUILD)"
	# A fresh bash: inside a caller's `if`/`||` set -e would be ignored,
	# even in a subshell, and a half-built lab must stop at the first error.
	LAB_PREFIX=$LAB_PREFIX LAB_RUN_ROOT=$LAB_RUN_ROOT BUILD=$BUILD LAB_BFD=${LAB_BFD:-} \
		LAB_BFD_UP2=${LAB_BFD_UP2:-} \
		LAB_BGP_TIMERS=${LAB_BGP_TIMERS:-} LAB_BGP_SECURE=${LAB_BGP_SECURE:-} \
		LAB_BGP_EXTRA=${LAB_BGP_EXTRA:-} LAB_BGP_BULK=${LAB_BGP_BULK:-} \
		LAB_BGP_BULK_OFF=${LAB_BGP_BULK_OFF:-} \
		LAB_BGP_BULK_ALL=${LAB_BGP_BULK_ALL:-} LAB_LINKS=$LAB_LINKS \
		LAB_UP2_FRR=${LAB_UP2_FRR:-} LAB_BGP_V6=${LAB_BGP_V6:-} \
		LAB_BGP_V6_SESSION=${LAB_BGP_V6_SESSION:-} LAB_V6_HOSTS=${LAB_V6_HOSTS:-} \
		LAB_BGP_GR=${LAB_BGP_GR:-} LAB_BIRD_KERNEL=${LAB_BIRD_KERNEL:-} \
		LAB_PROVIDER_CORE=${LAB_PROVIDER_CORE:-} \
		LAB_UP2_FRR_BFD=${LAB_UP2_FRR_BFD:-} LAB_UP2_FRR_MED=${LAB_UP2_FRR_MED:-} \
		LAB_BGP_PREFIXES=${LAB_BGP_PREFIXES:-} LAB_GW=${LAB_GW:-} \
		LAB_BIRD_RT=${LAB_BIRD_RT:-1} \
		bash -eE -c 'source "$1"; trap '\''lab_log "failed: $BASH_COMMAND"'\'' ERR; lab_up_steps' \
		lab_up "$LAB_SRC/tests/lab.sh" ||
		{ lab_die "lab_up failed"; return 1; }
}

lab_up_steps() {
	local r
	for r in "${LAB_ROLES[@]}"; do
		ip netns add "$(lab_ns "$r")"
		ip -n "$(lab_ns "$r")" link set lo up
	done
	lab_start_holder

	lab_veth lan eth0 gw lan0
	lab_veth gw link1 up1 eth0
	lab_veth gw link2 up2 eth0
	lab_veth up1 eth1 srv up1
	lab_veth up2 eth1 srv up2

	lab_addr lan eth0 198.18.1.10/24
	lab_addr gw lan0 198.18.1.1/24
	lab_addr gw link1 203.0.113.1/30
	lab_addr gw link2 203.0.113.5/30
	lab_addr up1 eth0 203.0.113.2/30
	lab_addr up2 eth0 203.0.113.6/30
	lab_addr up1 eth1 192.0.2.1/30
	lab_addr up2 eth1 192.0.2.5/30
	lab_addr srv up1 192.0.2.2/30
	lab_addr srv up2 192.0.2.6/30
	ip -n "$(lab_ns srv)" addr add 198.51.100.10/32 dev lo

	lab_host_if lan eth0 faces_gw
	lab_host_if up1 eth0 faces_gw
	lab_host_if up2 eth0 faces_gw
	lab_host_if up1 eth1
	lab_host_if up2 eth1
	lab_host_if srv up1
	lab_host_if srv up2

	ip -n "$(lab_ns lan)" route add default via 198.18.1.1
	ip -n "$(lab_ns up1)" route add 198.51.100.0/24 via 192.0.2.2
	# with LAB_BIRD_KERNEL=1 a BIRD upstream's route to the site is BGP's
	[ "${LAB_BIRD_KERNEL:-0}" = 1 ] ||
		ip -n "$(lab_ns up1)" route add 198.18.0.0/16 via 203.0.113.1
	ip -n "$(lab_ns up2)" route add 198.51.100.0/24 via 192.0.2.6
	[ "${LAB_BIRD_KERNEL:-0}" = 1 ] && [ "${LAB_UP2_FRR:-0}" != 1 ] ||
		ip -n "$(lab_ns up2)" route add 198.18.0.0/16 via 203.0.113.5
	if [ "$LAB_LINKS" = 4 ]; then
		lab_up_pair2
	else
		ip -n "$(lab_ns srv)" route add 198.18.0.0/16 \
			nexthop via 192.0.2.1 dev up1 nexthop via 192.0.2.5 dev up2
	fi

	if [ "${LAB_PROVIDER_CORE:-0}" = 1 ]; then
		# the PoPs reach each other across srv, which forwards what one
		# hands back toward the site to the other (see the top)
		ip -n "$(lab_ns up1)" route add 192.0.2.4/30 via 192.0.2.2
		ip -n "$(lab_ns up2)" route add 192.0.2.0/30 via 192.0.2.6
		# srv's own packets come back to it through a PoP that fell
		# back to the other one: accepted, not martians (their source
		# is local)
		lab_sysctl srv net.ipv4.ip_forward=1 net.ipv4.conf.all.accept_local=1 \
			net.ipv4.conf.up1.accept_local=1 net.ipv4.conf.up2.accept_local=1
		ip -n "$(lab_ns srv)" rule add iif up1 lookup 101 pref 101
		ip -n "$(lab_ns srv)" rule add iif up2 lookup 102 pref 102
		ip -n "$(lab_ns srv)" route add 198.18.0.0/16 via 192.0.2.5 dev up2 table 101
		ip -n "$(lab_ns srv)" route add 198.18.0.0/16 via 192.0.2.1 dev up1 table 102
	fi

	# rp_filter off everywhere: ECMP return paths are asymmetric by design.
	for r in "${LAB_ROLES[@]}"; do
		lab_sysctl "$r" net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0
	done
	lab_sysctl up1 net.ipv4.ip_forward=1
	lab_sysctl up2 net.ipv4.ip_forward=1
	# Every Time Exceeded the routers owe is sent, so tests can count them.
	lab_sysctl up1 net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000
	lab_sysctl up2 net.ipv4.icmp_ratelimit=0 net.ipv4.icmp_msgs_per_sec=100000
	if [ "${LAB_GW:-}" = linux-frr ]; then
		# the kernel forwards; flows spread over ECMP paths by their
		# ports (L4 hash), as twinpath's flow hash does
		lab_sysctl gw net.ipv4.ip_forward=1 net.ipv4.fib_multipath_hash_policy=1
		ns_exec gw ip route add 198.18.0.0/16 via 198.18.1.10
	else
		lab_sysctl gw net.ipv4.ip_forward=0
	fi
	[ "${LAB_BGP_V6:-0}" != 1 ] || lab_v6_links
	! { lab_v6_session || lab_dual_session; } && [ "${LAB_V6_HOSTS:-0}" != 1 ] ||
		lab_v6_hosts

	lab_bird_conf up1 203.0.113.2 203.0.113.1 192.0.2.2
	if [ "${LAB_UP2_FRR:-0}" = 1 ]; then
		lab_frr_conf up2 203.0.113.6 203.0.113.5
	else
		lab_bird_conf up2 203.0.113.6 203.0.113.5 192.0.2.6
	fi
	lab_start_bird up1
	if [ "${LAB_UP2_FRR_BFD:-0}" = 1 ]; then
		# zebra (no kernel routes from bgpd: -n) and bfdd with bgpd
		cp "$LAB_DIR/up2.frr.conf" "$LAB_DIR/up2.bgpd.conf"
		printf 'hostname up2\n' >"$LAB_DIR/up2.zebra.conf"
		LAB_FRR_BGPD_ARGS=-n lab_start_frr_daemons up2 zebra bfdd bgpd
	elif [ "${LAB_UP2_FRR:-0}" = 1 ]; then
		lab_start_frr up2
	else
		lab_start_bird up2
	fi

	if [ "$LAB_LINKS" = 4 ]; then
		lab_bird_conf up3 203.0.113.10 203.0.113.9 192.0.2.10
		lab_bird_conf up4 203.0.113.14 203.0.113.13 192.0.2.14
		lab_start_bird up3
		lab_start_bird up4
	fi

	# Fill the gateway's neighbour table with its nexthops while the kernel
	# path still answers: twinpathd reads the MACs from it (netlink).
	# (No ping on a minimal Debian: one UDP datagram to the discard port
	# makes the kernel resolve the neighbour just as well.)
	gw_exec python3 "$LAB_TOOLS/neigh_probe.py" 203.0.113.2 203.0.113.6 198.18.1.10 \
		$([ "$LAB_LINKS" = 4 ] && echo 203.0.113.10 203.0.113.14)
}

# lab_up_pair2: LAB_LINKS=4, links 3 and 4 with up3 and up4 wired like
# up1 (top of this file), and srv's route to the site over all four.
lab_up_pair2() {
	local n a
	for n in 3 4; do
		a=$((4 * n - 4)) # the /30's network address, last octet
		lab_veth gw "link$n" "up$n" eth0
		lab_veth "up$n" eth1 srv "up$n"
		lab_addr gw "link$n" "203.0.113.$((a + 1))/30"
		lab_addr "up$n" eth0 "203.0.113.$((a + 2))/30"
		lab_addr "up$n" eth1 "192.0.2.$((a + 1))/30"
		lab_addr srv "up$n" "192.0.2.$((a + 2))/30"
		lab_host_if "up$n" eth0 faces_gw
		lab_host_if "up$n" eth1
		lab_host_if srv "up$n"
		lab_sysctl "up$n" net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 \
			net.ipv4.icmp_msgs_per_sec=100000
		ip -n "$(lab_ns "up$n")" route add 198.51.100.0/24 via "192.0.2.$((a + 2))"
		[ "${LAB_BIRD_KERNEL:-0}" = 1 ] ||
			ip -n "$(lab_ns "up$n")" route add 198.18.0.0/16 via "203.0.113.$((a + 1))"
	done
	ip -n "$(lab_ns srv)" route add 198.18.0.0/16 \
		nexthop via 192.0.2.1 dev up1 nexthop via 192.0.2.5 dev up2 \
		nexthop via 192.0.2.9 dev up3 nexthop via 192.0.2.13 dev up4
}

# lab_gw_bfd_config OUT TX_MS RX_MS MULT [static] [suspect=BODY]:
# config/lab-bfd.conf with other BFD timers on both links, for a test run
# (it has no relative paths, so it works from any directory). With
# "static": without BGP, the provider side as a static route over both
# links instead. With suspect=BODY: each link gets `suspect = { BODY };`
# (link suspicion, issue 18; BODY may be empty: the defaults).
lab_gw_bfd_config() {
	local out=$1 static=0 suspect= opt
	sed -E -e "s/(min_tx_ms = )[0-9]+/\1$2/" -e "s/(min_rx_ms = )[0-9]+/\1$3/" \
		-e "s/(multiplier = )[0-9]+/\1$4/" "$LAB_SRC/config/lab-bfd.conf" >"$out"
	shift 4
	for opt in "$@"; do
		case $opt in
		"") ;;
		static) static=1 ;;
		suspect=) suspect="suspect = { };" ;;
		suspect=*) suspect="suspect = { ${opt#suspect=} };" ;;
		*) lab_die "lab_gw_bfd_config: unknown option '$opt'"; return 1 ;;
		esac
	done
	python3 - "$out" "$static" "$suspect" <<'PY'
import re, sys
p, static, suspect = sys.argv[1:4]
s = open(p).read()
if suspect:
    mark = "    bgp = {                          # RFC 5882"
    assert s.count(mark) == 2, "lab-bfd.conf: no bgp group per link"
    s = s.replace(mark, "    " + suspect + "\n" + mark)
if static == "1":
    # the top-level bgp group and every link's, then the static route back
    s = re.sub(r"\n\s*bgp = \{[^{}]*\};[^\n]*", "", s)
    s = s.replace("static_routes = (\n",
                  "static_routes = (\n"
                  "  { prefix = \"198.51.100.0/24\"; via = [\"link1\", \"link2\"]; },\n")
open(p, "w").write(s)
PY
}

# lab_silent_loss on|off N: 100 % loss on link N, carrier up. The qdisc
# (pfifo limit 0) on both veth ends drops what either kernel sends;
# twinpath-dp's AF_XDP frames bypass the qdisc, so the far end (upN eth0)
# also swaps its XDP_PASS program for XDP_DROP (tests/tools/xdp_drop.bpf.c).
lab_silent_loss() {
	local ns
	ns=$(lab_ns "up$2")
	if [ "$1" = on ]; then
		ns_exec gw tc qdisc replace dev "link$2" root pfifo limit 0 &&
			ip netns exec "$ns" tc qdisc replace dev eth0 root pfifo limit 0 &&
			ip -n "$ns" -force link set dev eth0 xdpdrv \
				obj "$BUILD/tests/integration/xdp_drop.bpf.o" sec xdp
	else
		ip -n "$ns" -force link set dev eth0 xdpdrv \
			obj "$BUILD/bpf/xdp_pass.bpf.o" sec xdp || return 1
		ns_exec gw tc qdisc del dev "link$2" root 2>/dev/null
		ip netns exec "$ns" tc qdisc del dev eth0 root 2>/dev/null
		return 0
	fi
}

# lab_carrier down|up N: the far end of link N (upN eth0) goes down, so
# the gateway's veth loses its carrier, or comes back (with upN's route to
# the site, which the kernel dropped with the interface).
lab_carrier() {
	local ns
	ns=$(lab_ns "up$2")
	ip -n "$ns" link set eth0 "$1" || return 1
	[ "$1" = up ] && ip -n "$ns" route replace 198.18.0.0/16 \
		via "203.0.113.$((4 * $2 - 3))" 2>/dev/null
	return 0
}

# lab_now_ns: CLOCK_MONOTONIC in ns, the clock of bpf_ktime_get_ns and of
# udp_stream.py's send times.
lab_now_ns() { python3 -c 'import time; print(time.clock_gettime_ns(time.CLOCK_MONOTONIC))'; }

# lab_ctl ARGS...: twinpathctl in the gateway, on the lab's socket.
lab_ctl() {
	gw_exec "$BUILD/control/twinpathctl" \
		--socket "/run/twinpath/${LAB_INSTANCE:-lab}.sock" "$@"
}

lab_pid_alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# lab_stop_pidfile FILE: stop one process we started (TERM, then KILL).
lab_stop_pidfile() {
	local pid i
	pid=$(cat "$1" 2>/dev/null) || return 0
	lab_pid_alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null
	for i in $(seq 30); do
		lab_pid_alive "$pid" || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
}

# lab_down: stop everything this run started and delete its namespaces.
# Safe to call twice and on a half-built lab.
lab_down() {
	local r ns pid f
	# only the traps lab.sh installed: a caller's own (LAB_NO_TRAP) stay
	[ -n "${LAB_NO_TRAP:-}" ] || trap - EXIT INT TERM
	[ -d "$LAB_DIR" ] || [ -n "$(ip netns list | grep "^$LAB_PREFIX-")" ] ||
		{ lab_unlock; return 0; }
	lab_log "down"
	for f in "$LAB_DIR"/*.pid; do
		[ -e "$f" ] || continue
		case $f in */gw.holder.pid) continue ;; esac
		lab_stop_pidfile "$f"
	done
	# Anything else still inside our namespaces was started by this run.
	for r in "${LAB_ROLES[@]}"; do
		ns=$(lab_ns "$r")
		ip netns list | grep -q "^$ns\b" || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null
		done
	done
	lab_stop_pidfile "$LAB_DIR/gw.holder.pid"
	for r in "${LAB_ROLES[@]}"; do
		ns=$(lab_ns "$r")
		ip netns list | grep -q "^$ns\b" && ip netns del "$ns"
	done
	if [ "${LAB_KEEP:-0}" = 1 ]; then
		lab_log "logs kept in $LAB_DIR"
	else
		rm -rf "$LAB_DIR"
	fi
	lab_unlock
	return 0
}

# lab_unlock: the lab is down (or was never up): let the next one have the
# lock now, not when this shell exits. Only the shell that took it (not a
# subshell or a script of its lab, which inherit LAB_LOCK_HOLDER).
lab_unlock() {
	[ -n "${LAB_LOCK_HOLDER:-}" ] && [ "${LAB_LOCK_OWNER:-}" = "$BASHPID" ] ||
		return 0
	pkill -P "$LAB_LOCK_HOLDER" 2>/dev/null # its watcher
	kill "$LAB_LOCK_HOLDER" 2>/dev/null
	LAB_LOCK_HOLDER=
}

# Instance name of a config (names the channel, EAL prefix and socket).
lab_config_instance() {
	sed -nE 's/^[[:space:]]*instance[[:space:]]*=[[:space:]]*"([^"]+)".*/\1/p' "$1" | head -1
}

# tpstat ARGS...: the telemetry client, run in the gateway.
lab_tpstat() {
	gw_exec python3 "$LAB_TOOLS/tpstat.py" ${LAB_INSTANCE:+--instance "$LAB_INSTANCE"} "$@"
}

# lab_stats [COMMAND]: telemetry JSON (default /twinpath/ports).
lab_stats() { lab_tpstat "${1:-/twinpath/ports}"; }

lab_fib_generation() { lab_tpstat /twinpath/fib --get generation 2>/dev/null; }

lab_tail() { # NAME: last lines of a daemon's log, for a failure message
	lab_log "--- tail of $LAB_DIR/$1.log"
	tail -n 30 "$LAB_DIR/$1.log" >&2 2>/dev/null
}

# lab_start_dp CONFIG: start twinpath-dp in the gateway, in the background,
# logging to $LAB_DIR/dp.log; return when its telemetry answers
# /twinpath/fib (and, with LAB_DP_WAIT_GEN=N, shows generation >= N), or
# fail after LAB_DP_TIMEOUT seconds (default 60) with the log's tail.
# LAB_DP_ARGS: more options for twinpath-dp (test_fib_digest's
# --debug-corrupt).
lab_start_dp() {
	local conf=$1 pid deadline gen
	LAB_INSTANCE=$(lab_config_instance "$conf")
	[ -x "$BUILD/dataplane/twinpath-dp" ] ||
		{ lab_die "$BUILD/dataplane/twinpath-dp missing"; return 1; }
	[ "$(cat /proc/sys/vm/nr_hugepages)" -gt 0 ] ||
		{ lab_die "no hugepages reserved: run make deps"; return 1; }
	lab_argv gw
	# the build's XDP object: the default is the installed one
	"${LAB_ARGV[@]}" "$BUILD/dataplane/twinpath-dp" \
		--config "$conf" --xdp-prog "$BUILD/bpf/bfd.bpf.o" \
		${LAB_DP_ARGS:-} >"$LAB_DIR/dp.log" 2>&1 &
	pid=$!
	echo "$pid" >"$LAB_DIR/dp.pid"
	deadline=$((SECONDS + ${LAB_DP_TIMEOUT:-60}))
	while [ $SECONDS -lt $deadline ]; do
		if ! lab_pid_alive "$pid"; then
			lab_tail dp
			lab_die "twinpath-dp exited during start"
			return 1
		fi
		gen=$(lab_fib_generation) &&
			[ "${gen:-0}" -ge "${LAB_DP_WAIT_GEN:-0}" ] && {
			lab_log "twinpath-dp up (pid $pid, fib generation $gen)"
			return 0
		}
		sleep 0.5
	done
	lab_tail dp
	lab_die "twinpath-dp telemetry did not answer in time"
}

# lab_start_cp CONFIG: start twinpathd in the gateway, in the background,
# logging to $LAB_DIR/cp.log (appending across restarts).
lab_start_cp() {
	local conf=$1 pid
	LAB_INSTANCE=${LAB_INSTANCE:-$(lab_config_instance "$conf")}
	[ -x "$BUILD/control/twinpathd" ] ||
		{ lab_die "$BUILD/control/twinpathd missing"; return 1; }
	lab_argv gw
	"${LAB_ARGV[@]}" "$BUILD/control/twinpathd" \
		--config "$conf" >>"$LAB_DIR/cp.log" 2>&1 &
	pid=$!
	echo "$pid" >"$LAB_DIR/cp.pid"
	sleep 0.2
	lab_pid_alive "$pid" || { lab_tail cp; lab_die "twinpathd exited at start"; return 1; }
	lab_log "twinpathd started (pid $pid)"
}

# lab_kill_cp [SIGNAL]: signal twinpathd (default TERM), wait until gone.
lab_kill_cp() {
	local sig=${1:-TERM} pid i
	pid=$(cat "$LAB_DIR/cp.pid" 2>/dev/null) || return 0
	kill -s "$sig" "$pid" 2>/dev/null
	for i in $(seq 100); do
		lab_pid_alive "$pid" || { wait "$pid" 2>/dev/null; rm -f "$LAB_DIR/cp.pid"; return 0; }
		sleep 0.1
	done
	lab_die "twinpathd (pid $pid) still alive after SIG$sig"
}

# lab_wait_sync GEN [TIMEOUT]: wait until twinpath-dp applied a full sync
# of generation >= GEN; prints the generation.
lab_wait_sync() {
	local want=$1 deadline=$((SECONDS + ${2:-30})) gen
	while [ $SECONDS -lt $deadline ]; do
		gen=$(lab_fib_generation) && [ "${gen:-0}" -ge "$want" ] && {
			echo "$gen"
			return 0
		}
		sleep 0.3
	done
	lab_tail cp
	lab_die "fib generation ${gen:-?} never reached $want"
}

# lab_listen ROLE NAME TOOL ARGS...: start a listening tool of tests/tools
# (udp_sink.py, icmp_sink.py: both take --ready-file) in ROLE in the
# background; its JSON goes to $LAB_DIR/NAME.json; returns once it listens.
lab_listen() {
	local role=$1 name=$2 tool=$3 i
	shift 3
	rm -f "$LAB_DIR/$name.ready" "$LAB_DIR/$name.json"
	lab_argv "$role"
	"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/$tool" \
		--ready-file "$LAB_DIR/$name.ready" "$@" \
		>"$LAB_DIR/$name.json" 2>"$LAB_DIR/$name.err" &
	echo $! >"$LAB_DIR/$name.sinkpid"
	for i in $(seq 50); do
		[ -e "$LAB_DIR/$name.ready" ] && return 0
		sleep 0.1
	done
	cat "$LAB_DIR/$name.err" >&2
	lab_die "$tool ($name) did not start listening"
}

# lab_sink ROLE NAME ARGS...: a udp_sink.py (see lab_listen).
lab_sink() {
	local role=$1 name=$2
	shift 2
	lab_listen "$role" "$name" udp_sink.py "$@"
}

# lab_stream NAME ARGS...: udp_stream.py from the LAN host, in the
# background; JSON in $LAB_DIR/NAME.json; lab_sink_wait NAME waits for it.
lab_stream() {
	local name=$1
	shift
	lab_argv lan
	"${LAB_ARGV[@]}" python3 "$LAB_TOOLS/udp_stream.py" "$@" \
		>"$LAB_DIR/$name.json" 2>"$LAB_DIR/$name.err" &
	echo $! >"$LAB_DIR/$name.sinkpid"
}

# lab_stream_stop NAME: end a stream started with --until-stopped (it
# reports what it sent); lab_sink_wait NAME then collects it.
lab_stream_stop() {
	kill -INT "$(cat "$LAB_DIR/$1.sinkpid")" 2>/dev/null
}

# lab_sink_wait NAME: wait for a sink or stream to finish; prints its JSON.
lab_sink_wait() {
	wait "$(cat "$LAB_DIR/$1.sinkpid")"
	rm -f "$LAB_DIR/$1.sinkpid"
	cat "$LAB_DIR/$1.json"
}

# lab_json FILE_OR_- EXPR: evaluate a Python expression over JSON `j`.
lab_json() {
	python3 -c 'import json,sys
src = sys.argv[1]
j = json.load(sys.stdin if src == "-" else open(src))
print(eval(sys.argv[2]))' "$@"
}

# CLI: bash tests/lab.sh up|down [PREFIX]
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	cmd=${1:-}
	if [ -n "${2:-}" ]; then
		LAB_PREFIX=$2
		LAB_DIR=$LAB_RUN_ROOT/$LAB_PREFIX
	fi
	case $cmd in
	up)
		LAB_NO_TRAP=1
		LAB_LOCK_NETNS=$(lab_ns gw) # the lock outlives this shell
		if ! lab_up; then
			lab_down
			exit 1
		fi
		echo "lab $LAB_PREFIX up; namespaces: $(ip netns list | grep -o "^$LAB_PREFIX-[a-z0-9]*" | tr '\n' ' ')"
		echo "gateway: nsenter -t $(lab_holder_pid) -m -n -- CMD"
		echo "remove:  bash $0 down $LAB_PREFIX"
		;;
	down) lab_down ;;
	*)
		echo "usage: $0 up|down [PREFIX]   (env BUILD=build root)" >&2
		exit 2
		;;
	esac
fi
