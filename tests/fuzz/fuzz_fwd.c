/* libFuzzer target for twinpath-dp's per-packet path: any burst of frames
 * through fwd_burst() (dataplane/fwd.c) on the EAL test bed
 * (tests/unit/dp_testbed.c: no hugepages, a per-process file prefix, ring
 * ports), and after every burst the invariants a router owes, checked on
 * the counters, on every frame that left and on the mbuf pools. Built by
 * `make fuzz` with clang -fsanitize=fuzzer,address,undefined, and with the
 * project's compiler beside replay.c as the unit test fuzz_fwd_replay.
 *
 * Input: byte 0 sets the knobs, the rest is up to DP_BURST frames, each a
 * 2-byte big-endian length and that many bytes (a length past the end
 * takes what is left; at most FRAME_MAX). A burst is received on one port.
 *   bits 0-1  in-port: 0 link A, 1 link B, 2 (and 3) the LAN
 *   bit  2    link A's BFD session down; bit 3 link B's
 *   bits 4-5  ICMP error tokens for the burst: 8, 1, none (rate 0), 32
 *   bits 6-7  link A's MTU: 1400, 1280, 576, 68
 *
 * The table (ports: 0 link A, 1 link B, 2 the LAN; MACs 02:d0:00:00:00:a0
 * + port, the test bed's):
 *   198.51.100.0/24, 2001:db8:100::/48  ECMP over link A and link B
 *   192.0.2.0/24, 2001:db8:200::/48     link A, link B its backup
 *   100.64.0.0/10, 2001:db8:300::/48    a nexthop on link B without MAC
 *   198.18.0.0/15, 2001:db8:1::/64      the LAN router
 *   10.0.0.0/8, 2001:db8:a00::/40       a group that does not exist
 *   anything else                       no route (no default)
 * Every port has an IPv4 address, so ICMP errors can be sent.
 *
 * FUZZ_FWD_HYGIENE=0 in the environment leaves out the three checks of
 * what a router may forward at all (martian source, the in-port's MAC,
 * frame length == the IP header's): on a fast path without them, fuzzing
 * then goes on past them to crashes, sanitizer reports and accounting. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_testbed.h"
#include "fuzz_fwd.h"

#define LINK_A 0u
#define LINK_B 1u
#define LAN 2u
#define N_PORTS 3u
/* one mbuf's data room: the largest frame a port without scatter rx
 * receives */
#define FRAME_MAX RTE_MBUF_DEFAULT_DATAROOM
/* tx rings hold a whole burst of packets cut in fwd.c's FWD_FRAGS_MAX
 * fragments each, so that nothing is refused */
#define FRAGS_MAX 32u
#define RING_SIZE 2048u
#define MBUFS 1023u

#define NH_A 1u      /* 203.0.113.2 on link A */
#define NH_B 2u      /* 203.0.113.130 on link B */
#define NH_UNRES 3u  /* 203.0.113.131 on link B, no MAC */
#define NH_LAN 4u    /* 198.18.1.254 on the LAN */
#define G_ECMP 1u
#define G_STANDBY 2u
#define G_UNRES 3u
#define G_LAN 4u
#define G_MISSING 7u /* routed to, never set */

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

static struct twp_config cfg;
static struct dp d;
static struct dp_testbed tb;
static struct health_map fake_health; /* the map, without the kernel */
static struct fuzz_fwd_totals totals;
static bool hygiene = true; /* FUZZ_FWD_HYGIENE=0: false */

/* The input under test, for the report of a violation. */
static const uint8_t *cur_data;
static size_t cur_size;

static const uint8_t peer_a_mac[6] = {0x02, 0x50, 0, 0, 0, 0x0a};
static const uint8_t peer_b_mac[6] = {0x02, 0x50, 0, 0, 0, 0x0b};
static const uint8_t lan_router_mac[6] = {0x02, 0x10, 0, 0, 0, 0xfe};

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						       noreturn));

/* A broken invariant: what, then the input, then abort() (libFuzzer
 * saves the input as crash-<sha1>; the replay test fails). */

static void fail(const char *fmt, ...)
{
	va_list ap;
	size_t i;

	fprintf(stderr, "fuzz_fwd: invariant violated: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nfuzz_fwd: input of %zu bytes:", cur_size);
	for (i = 0; i < cur_size && i < 256; i++)
		fprintf(stderr, "%s%02x", i % 32 == 0 ? "\n  " : " ",
			cur_data[i]);
	fprintf(stderr, "%s\n", cur_size > 256 ? " ..." : "");
	/* the EAL's runtime directory goes, as at a normal exit */
	dp_testbed_down();
	abort();
}

static int nexthop(uint32_t id, uint16_t port, const char *gw,
		   const uint8_t *mac)
{
	struct chan_nexthop nh = {.id = id, .port = port, .family = AF_INET};

	inet_pton(AF_INET, gw, nh.gateway);
	if (mac != NULL) {
		memcpy(nh.mac, mac, 6);
		nh.flags = CHAN_NH_F_RESOLVED;
	}
	return nhg_nexthop_set(&d.nhg, &nh, 1);
}

static int group(uint32_t id, uint8_t n_primary, uint32_t p0, uint32_t p1,
		 uint32_t backup)
{
	struct chan_group g = {.id = id, .n_primary = n_primary,
			       .n_backup = backup != 0,
			       .primary = {p0, p1}, .backup = {backup}};

	return nhg_group_set(&d.nhg, &g, 1);
}

static int route(int family, const char *prefix, uint8_t len, uint32_t gid)
{
	struct chan_route r = {.family = (uint8_t)family, .len = len,
			       .group_id = gid};

	if (inet_pton(family, prefix, r.prefix) != 1)
		return -1;
	return fib_route_add(&d, &r, 1);
}

static int table_up(void)
{
	static const struct {
		int family;
		const char *prefix;
		uint8_t len;
		uint32_t gid;
	} routes[] = {
		{AF_INET, "198.51.100.0", 24, G_ECMP},
		{AF_INET, "192.0.2.0", 24, G_STANDBY},
		{AF_INET, "100.64.0.0", 10, G_UNRES},
		{AF_INET, "198.18.0.0", 15, G_LAN},
		{AF_INET, "10.0.0.0", 8, G_MISSING},
		{AF_INET6, "2001:db8:100::", 48, G_ECMP},
		{AF_INET6, "2001:db8:200::", 48, G_STANDBY},
		{AF_INET6, "2001:db8:300::", 48, G_UNRES},
		{AF_INET6, "2001:db8:1::", 64, G_LAN},
		{AF_INET6, "2001:db8:a00::", 40, G_MISSING},
	};
	unsigned int i;

	if (nexthop(NH_A, LINK_A, "203.0.113.2", peer_a_mac) != 0 ||
	    nexthop(NH_B, LINK_B, "203.0.113.130", peer_b_mac) != 0 ||
	    nexthop(NH_UNRES, LINK_B, "203.0.113.131", NULL) != 0 ||
	    nexthop(NH_LAN, LAN, "198.18.1.254", lan_router_mac) != 0 ||
	    group(G_ECMP, 2, NH_A, NH_B, 0) != 0 ||
	    group(G_STANDBY, 1, NH_A, 0, NH_B) != 0 ||
	    group(G_UNRES, 1, NH_UNRES, 0, 0) != 0 ||
	    group(G_LAN, 1, NH_LAN, 0, 0) != 0)
		return -1;
	for (i = 0; i < RTE_DIM(routes); i++)
		if (route(routes[i].family, routes[i].prefix, routes[i].len,
			  routes[i].gid) != 0)
			return -1;
	inet_pton(AF_INET, "203.0.113.1", &d.ports[LINK_A].ipv4);
	inet_pton(AF_INET, "203.0.113.129", &d.ports[LINK_B].ipv4);
	inet_pton(AF_INET, "198.18.1.1", &d.ports[LAN].ipv4);
	/* both links run BFD; the knobs set the verdict per burst */
	d.health = &fake_health;
	d.health_fd = -1;
	d.nhg.bfd_ports = 1u << LINK_A | 1u << LINK_B;
	return 0;
}

static void teardown(void)
{
	dp_testbed_down();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cfg.n_links = 2;
	cfg.dataplane.ipv4_routes_max = 1024;
	cfg.dataplane.ipv6_routes_max = 1024;
	cfg.dataplane.icmp_errors_per_s = 1;
	cfg.dataplane.icmp_burst = 8;
	d.cfg = &cfg;
	if (getenv("FUZZ_FWD_HYGIENE") != NULL &&
	    strcmp(getenv("FUZZ_FWD_HYGIENE"), "0") == 0) {
		hygiene = false;
		fprintf(stderr, "fuzz_fwd: FUZZ_FWD_HYGIENE=0: martian, MAC "
			"and length invariants not checked\n");
	}
	if (dp_testbed_up_ports(&tb, &d, "fuzz_fwd", RING_SIZE, MBUFS,
				N_PORTS) != 0 || table_up() != 0) {
		fprintf(stderr, "fuzz_fwd: test bed setup failed\n");
		exit(1);
	}
	atexit(teardown);
	return 0;
}

/* Sources a router never forwards from (RFC 1812 §5.3.7, RFC 3927 §2.7,
 * RFC 4291 §2.5.2, §2.5.3, §2.5.6, §2.7): 0/8, 127/8, 169.254/16, 224/4
 * and 240/4 (with the limited broadcast); ::, ::1, fe80::/10, ff00::/8. */
static bool martian4(uint32_t a)
{
	return (a >> 24) == 0 || (a >> 24) == 127 || (a >> 16) == 0xa9fe ||
	       a >= 0xe0000000u;
}

static bool martian6(const uint8_t *a)
{
	static const uint8_t zero[15];

	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return true;
	return memcmp(a, zero, 15) == 0 && a[15] <= 1;
}

/* One IPv4 frame F of LEN bytes that port P sent. */
static void check_out4(unsigned int p, const uint8_t *f, uint32_t len)
{
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(f + 14);
	uint32_t hlen, total, src;
	char a[INET_ADDRSTRLEN];

	if (len < 14 + sizeof(*ip))
		fail("port %u sent an IPv4 frame of %u bytes", p, len);
	hlen = (ip->version_ihl & 0x0fu) * 4u;
	total = rte_be_to_cpu_16(ip->total_length);
	if ((ip->version_ihl >> 4) != 4 || hlen < sizeof(*ip) ||
	    14 + hlen > len)
		fail("port %u sent an IPv4 frame with version/IHL 0x%02x",
		     p, ip->version_ihl);
	/* the length agrees with the header: no padding, nothing cut */
	if (hygiene && len != 14 + total)
		fail("port %u sent an IPv4 frame of %u bytes, IP total length "
		     "%u (14 + total expected)", p, len, total);
	if (total > d.ports[p].mtu)
		fail("port %u (MTU %u) sent an IPv4 packet of %u bytes", p,
		     d.ports[p].mtu, total);
	/* RFC 1071: the header sums to all ones, TTL decrement included */
	if (rte_raw_cksum(ip, hlen) != 0xffff)
		fail("port %u sent an IPv4 header with a wrong checksum", p);
	if (ip->time_to_live == 0)
		fail("port %u sent an IPv4 packet with TTL 0", p);
	src = rte_be_to_cpu_32(ip->src_addr);
	if (hygiene && martian4(src))
		fail("port %u sent an IPv4 packet from martian source %s", p,
		     inet_ntop(AF_INET, &ip->src_addr, a, sizeof(a)));
}

/* One IPv6 frame F of LEN bytes that port P sent. */
static void check_out6(unsigned int p, const uint8_t *f, uint32_t len)
{
	const struct rte_ipv6_hdr *ip = (const struct rte_ipv6_hdr *)(f + 14);
	uint32_t payload;
	char a[INET6_ADDRSTRLEN];

	if (len < 14 + sizeof(*ip))
		fail("port %u sent an IPv6 frame of %u bytes", p, len);
	payload = rte_be_to_cpu_16(ip->payload_len);
	if ((f[14] >> 4) != 6)
		fail("port %u sent an IPv6 frame of version %u", p, f[14] >> 4);
	if (hygiene && len != 14 + sizeof(*ip) + payload)
		fail("port %u sent an IPv6 frame of %u bytes, payload length "
		     "%u (14 + 40 + payload expected)", p, len, payload);
	if (sizeof(*ip) + payload > d.ports[p].mtu)
		fail("port %u (MTU %u) sent an IPv6 packet of %u bytes", p,
		     d.ports[p].mtu, (unsigned int)sizeof(*ip) + payload);
	if (ip->hop_limits == 0)
		fail("port %u sent an IPv6 packet with hop limit 0", p);
	if (hygiene && martian6(ip->src_addr))
		fail("port %u sent an IPv6 packet from martian source %s", p,
		     inet_ntop(AF_INET6, ip->src_addr, a, sizeof(a)));
	totals.ipv6_forwarded++;
}

/* A frame port P sent: a sound mbuf, from P's MAC, IPv4 or IPv6. */
static void check_out(unsigned int p, const struct rte_mbuf *m)
{
	static uint8_t buf[2 * FRAME_MAX];
	const char *why = NULL;
	const uint8_t *f;
	uint32_t len = rte_pktmbuf_pkt_len(m);
	uint16_t type;

	if (rte_mbuf_check(m, 1, &why) != 0)
		fail("port %u sent a broken mbuf: %s", p, why);
	if (len > sizeof(buf))
		fail("port %u sent a frame of %u bytes", p, len);
	f = rte_pktmbuf_read(m, 0, len, buf);
	if (f == NULL || len < RTE_ETHER_HDR_LEN)
		fail("port %u sent a frame of %u bytes", p, len);
	if (memcmp(f + 6, d.ports[p].mac.addr_bytes, 6) != 0)
		fail("port %u sent a frame from a MAC not its own", p);
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == RTE_ETHER_TYPE_IPV4)
		check_out4(p, f, len);
	else if (type == RTE_ETHER_TYPE_IPV6)
		check_out6(p, f, len);
	else
		fail("port %u sent a frame of Ethernet type 0x%04x", p, type);
}

/* The knobs of byte 0 (see the top of the file). */
static unsigned int knobs_apply(uint8_t k)
{
	static const uint16_t mtu_a[4] = {1400, 1280, 576, 68};
	static const uint32_t tokens[4] = {8, 1, 0, 32};
	unsigned int in = RTE_MIN(k & 3u, LAN);
	uint32_t t = tokens[(k >> 4) & 3u];

	fake_health.live_mask = (k & 4u ? 0 : 1u << LINK_A) |
				(k & 8u ? 0 : 1u << LINK_B);
	d.ports[LINK_A].mtu = mtu_a[k >> 6];
	fwd_mtu_update(&d);
	/* a full bucket of T tokens at 1/s: none comes back within a
	 * burst, so the answers a burst may send do not depend on time */
	fwd_icmp_rate_set(d.fwd_lcore, t == 0 ? 0 : 1, t);
	return in;
}

#define DELTA(field) (st->field - before->field)

/* Every frame counted exactly once. With N frames received on port IN,
 * V the drops under every reason but tx_full (one reason per frame; the
 * ICMP error that may answer a drop does not make it a second outcome),
 * G the packets sent as fragments and W the packets forwarded whole:
 *     rx[IN] = N = V + G + W,  with W >= 0.
 * What the ports were given (sent, or refused as tx_full) is
 *     sum tx + sum tx_dropped = W + fragments + I,
 * I the ICMP errors (all out of IN, each counted under exactly one of
 * time exceeded, fragmentation needed, network unreachable and their
 * ICMPv6 kin: time exceeded, packet too big, unreachable), fragments
 * >= 2G and <= FRAGS_MAX * G. Each drop that RFC 1812 or RFC 4443
 * answers (ttl exceeded, frag needed, no route, hop limit exceeded,
 * too big) is answered, suppressed (RFC 1812 §4.3.2.7, RFC 4443
 * §2.4(e)) or rate limited (§4.3.2.8, §2.4(f)), once:
 *     I + suppressed + rate_limited = ttl_exceeded + frag_needed
 *                       + no_route + hop_limit_exceeded + too_big6.
 * Unresolved drops name their nexthop.
 * Forwarding needs the frame addressed to IN's MAC: W + G <= the frames
 * that were. */
static void check_accounting(const struct dp_lcore_stats *st,
			     const struct dp_lcore_stats *before,
			     unsigned int in, uint32_t n,
			     uint32_t to_us, const uint32_t *out)
{
	uint64_t verdict = 0, frag, fwd, icmp = 0, tried, answered, refused = 0;
	uint64_t sent = 0, given, frags;
	unsigned int p, r;

	for (r = 0; r < DROP_MAX; r++)
		if (r != DROP_TX_FULL)
			verdict += DELTA(drop[r]);
	frag = DELTA(fragmented);
	for (p = 0; p < N_PORTS; p++) {
		if (DELTA(rx[p]) != (p == in ? n : 0))
			fail("port %u counted %" PRIu64 " frames received, "
			     "%u were", p, DELTA(rx[p]), p == in ? n : 0);
		if (DELTA(tx[p]) != out[p])
			fail("port %u counted %" PRIu64 " frames sent, %u left",
			     p, DELTA(tx[p]), out[p]);
		if (p != in && DELTA(icmp_tx[p]) != 0)
			fail("an ICMP error left by port %u, not the in-port",
			     p);
		icmp += DELTA(icmp_tx[p]);
		refused += DELTA(tx_dropped[p]);
		sent += out[p];
	}
	if (verdict + frag > n)
		fail("%u frames, %" PRIu64 " drops and %" PRIu64
		     " fragmented: a frame counted twice", n, verdict, frag);
	fwd = n - verdict - frag;
	if (refused != DELTA(drop[DROP_TX_FULL]))
		fail("%" PRIu64 " refused by the ports, tx_full %" PRIu64,
		     refused, DELTA(drop[DROP_TX_FULL]));
	if (icmp != DELTA(icmp_time_exceeded) + DELTA(icmp_frag_needed) +
		    DELTA(icmp_net_unreachable) + DELTA(icmp6_time_exceeded) +
		    DELTA(icmp6_too_big) + DELTA(icmp6_unreachable))
		fail("%" PRIu64 " ICMP errors sent, %" PRIu64 " + %" PRIu64
		     " + %" PRIu64 " + %" PRIu64 " + %" PRIu64 " + %" PRIu64
		     " by type", icmp, DELTA(icmp_time_exceeded),
		     DELTA(icmp_frag_needed), DELTA(icmp_net_unreachable),
		     DELTA(icmp6_time_exceeded), DELTA(icmp6_too_big),
		     DELTA(icmp6_unreachable));
	if (DELTA(icmp_time_exceeded) > DELTA(drop[DROP_TTL_EXCEEDED]) ||
	    DELTA(icmp_frag_needed) > DELTA(drop[DROP_FRAG_NEEDED]) ||
	    DELTA(icmp_net_unreachable) + DELTA(icmp6_unreachable) >
		    DELTA(drop[DROP_NO_ROUTE]) ||
	    DELTA(icmp6_time_exceeded) >
		    DELTA(drop[DROP_HOP_LIMIT_EXCEEDED]) ||
	    DELTA(icmp6_too_big) > DELTA(drop[DROP_TOO_BIG6]))
		fail("more ICMP errors of a type than drops they answer");
	tried = icmp + DELTA(icmp_suppressed) + DELTA(icmp_rate_limited);
	answered = DELTA(drop[DROP_TTL_EXCEEDED]) +
		   DELTA(drop[DROP_FRAG_NEEDED]) + DELTA(drop[DROP_NO_ROUTE]) +
		   DELTA(drop[DROP_HOP_LIMIT_EXCEEDED]) +
		   DELTA(drop[DROP_TOO_BIG6]);
	if (tried != answered)
		fail("%" PRIu64 " ICMP errors sent, suppressed or rate limited"
		     " for %" PRIu64 " drops that are answered", tried,
		     answered);
	given = sent + refused;
	if (given < fwd + icmp)
		fail("%" PRIu64 " frames left for %" PRIu64 " forwarded and %"
		     PRIu64 " ICMP errors", given, fwd, icmp);
	frags = given - fwd - icmp;
	if (frag == 0 ? frags != 0 :
	    frags < 2 * frag || frags > FRAGS_MAX * frag)
		fail("%" PRIu64 " fragments left for %" PRIu64
		     " fragmented packets", frags, frag);
	if (DELTA(nh_miss[NH_UNRES]) != DELTA(drop[DROP_NEXTHOP_UNRESOLVED]))
		fail("%u misses of the unresolved nexthop, %" PRIu64
		     " nexthop_unresolved", DELTA(nh_miss[NH_UNRES]),
		     DELTA(drop[DROP_NEXTHOP_UNRESOLVED]));
	if (hygiene && fwd + frag > to_us)
		fail("%" PRIu64 " frames forwarded, only %u of %u addressed "
		     "to port %u's MAC", fwd + frag, to_us, n, in);
	totals.frames += n;
	totals.forwarded += fwd;
	totals.fragmented += frag;
	totals.dropped += verdict;
	totals.icmp_sent += icmp;
	totals.icmp_withheld += tried - icmp;
}

static unsigned int pools_avail(unsigned int *direct, unsigned int *indirect)
{
	*direct = rte_mempool_avail_count(d.frag_direct);
	*indirect = rte_mempool_avail_count(d.frag_indirect);
	return rte_mempool_avail_count(d.ports[0].pool);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dp_lcore_stats before;
	struct dp_lcore_stats *st = &d.stats[d.fwd_lcore];
	struct rte_mbuf *pkts[DP_BURST], *m;
	uint32_t n = 0, to_us = 0, out[N_PORTS] = {0};
	unsigned int in, p, a0, d0, i0, a1, d1, i1;
	size_t off = 1;

	if (size == 0)
		return 0;
	cur_data = data;
	cur_size = size;
	totals.inputs++;
	in = knobs_apply(data[0]);
	a0 = pools_avail(&d0, &i0);
	memcpy(&before, st, sizeof(before));
	while (size - off >= 2 && n < DP_BURST) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		char *f;

		off += 2;
		len = RTE_MIN(RTE_MIN(len, size - off), (size_t)FRAME_MAX);
		m = rte_pktmbuf_alloc(d.ports[0].pool);
		if (m == NULL)
			fail("the mbuf pool is empty: mbufs leaked");
		f = rte_pktmbuf_append(m, (uint16_t)len);
		if (f == NULL)
			fail("no room for a frame of %zu bytes", len);
		memcpy(f, data + off, len);
		if (len >= 6 && memcmp(f, d.ports[in].mac.addr_bytes, 6) == 0)
			to_us++;
		off += len;
		pkts[n++] = m;
	}
	if (n != 0 && rte_ring_enqueue_bulk(tb.rx[in], (void **)pkts, n,
					    NULL) != n)
		fail("the in-port's rx ring is full");

	fwd_burst(&d, d.fwd_lcore);

	if (rte_ring_count(tb.rx[in]) != 0)
		fail("%u frames left unread on port %u",
		     rte_ring_count(tb.rx[in]), in);
	for (p = 0; p < N_PORTS; p++)
		while (rte_ring_dequeue(tb.tx[p], (void **)&m) == 0) {
			check_out(p, m);
			rte_pktmbuf_free(m);
			out[p]++;
		}
	check_accounting(st, &before, in, n, to_us, out);
	/* every mbuf back where it came from: nothing leaked, nothing
	 * freed twice */
	a1 = pools_avail(&d1, &i1);
	if (a1 != a0 || d1 != d0 || i1 != i0)
		fail("mbufs available before/after the burst: %u/%u, "
		     "fragment headers %u/%u, fragment references %u/%u",
		     a0, a1, d0, d1, i0, i1);
	return 0;
}

int fuzz_replay_summary(bool every)
{
	const struct fuzz_fwd_totals *t = &totals;

	printf("replay: %" PRIu64 " frames: %" PRIu64 " forwarded (%" PRIu64
	       " IPv6 out), %" PRIu64 " fragmented, %" PRIu64 " dropped, %"
	       PRIu64 " ICMP errors sent, %" PRIu64 " withheld\n", t->frames,
	       t->forwarded, t->ipv6_forwarded, t->fragmented, t->dropped,
	       t->icmp_sent, t->icmp_withheld);
	if (every && (t->forwarded == 0 || t->fragmented == 0 ||
		      t->dropped == 0 || t->icmp_sent == 0 ||
		      t->icmp_withheld == 0 || t->ipv6_forwarded == 0))
		return -1;
	return 0;
}
