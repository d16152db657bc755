/* twinpath-dp's packet path on real mbufs (dataplane/fwd.c, fib.c,
 * health.c) with the EAL up and two ring ports (rte_eth_from_rings): the
 * exact bytes of a forwarded IPv4 packet (MACs, TTL, checksum), the BFD
 * verdict taking a link out of forwarding between two bursts, and the
 * periodic BFD packet going out on the link through the forwarding
 * lcore, at most once per interval; each IPv4 drop reason and a header
 * with options; ICMP Time Exceeded (exact bytes, RFC 1812 suppression,
 * rate limit, a bucket per in-port); ICMPv6 Time Exceeded, Destination
 * Unreachable and Packet Too Big (exact bytes, RFC 4443 §2.4(e)
 * suppression, the shared bucket); IPv6: the rewrite, each drop reason,
 * route add/del and the sweep of both families. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <limits.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "bfdpkt.h"
#include "dp.h"
#include "dp_testbed.h"

#define LINK 0u   /* twinpath port index of the one link */
#define LAN 1u
#define NH_PEER 5u
#define GROUP 3u
#define NH_LAN 6u   /* the LAN host 198.18.1.10, for traffic from the link */
#define GROUP_LAN 4u

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

static struct twp_config cfg;
static struct dp d;
static struct dp_testbed tb;
static struct health_map fake_health; /* the map, without the kernel */

static const struct rte_ether_addr peer_mac = {{0x02, 0x50, 0, 0, 0, 0x02}};
static const struct rte_ether_addr lan_host_mac = {{0x02, 0x10, 0, 0, 0, 1}};

/* A cfg_addr from TEXT ("addr" or "addr/len"). */
static struct cfg_addr addr(const char *text)
{
	struct cfg_addr a;

	if (cfg_parse_prefix(text, &a) != 0)
		abort();
	return a;
}

/* The LAN, 198.18.1.10 (lan_host_mac) on the LAN port, reached by
 * 198.18.1.0/24 over group GROUP_LAN: the way back for link traffic
 * (ADD), or that route removed. */
static int lan_route(bool add)
{
	struct chan_nexthop nh = {.id = NH_LAN, .port = LAN,
				  .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED};
	struct chan_group g = {.id = GROUP_LAN, .n_primary = 1,
			       .primary = {NH_LAN}};
	struct chan_route r = {.family = AF_INET, .len = 24,
			       .group_id = GROUP_LAN};

	inet_pton(AF_INET, "198.18.1.10", nh.gateway);
	memcpy(nh.mac, lan_host_mac.addr_bytes, 6);
	inet_pton(AF_INET, "198.18.1.0", r.prefix);
	if (!add)
		return fib_route_del(&d, &r);
	if (nhg_nexthop_set(&d.nhg, &nh, 1) != 0 ||
	    nhg_group_set(&d.nhg, &g, 1) != 0 || fib_route_add(&d, &r, 1) != 0)
		return -1;
	return 0;
}

static int setup(void **state)
{
	(void)state;
	/* the site: LAN 198.18.1.0/24, announced 198.19.0.0/16 and
	 * 2001:db8:1::/48, 10.20.0.0/16 behind a LAN router; one link
	 * 203.0.113.0/30; both ports strict (the loader's default) */
	cfg.lan.address = addr("198.18.1.1/24");
	cfg.lan.ingress_filter = CFG_INGRESS_STRICT;
	cfg.links[0].local_address = addr("203.0.113.1/30");
	cfg.links[0].peer_address = addr("203.0.113.2");
	cfg.links[0].ingress_filter = CFG_INGRESS_STRICT;
	cfg.bgp.announce[0] = addr("198.19.0.0/16");
	cfg.bgp.announce[1] = addr("2001:db8:1::/48");
	cfg.bgp.n_announce = 2;
	cfg.routes[0].prefix = addr("10.20.0.0/16");
	cfg.routes[0].gateway = addr("198.18.1.20");
	cfg.n_routes = 1;
	cfg.n_links = 1;
	cfg.dataplane.ipv4_routes_max = 1024;
	cfg.dataplane.ipv6_routes_max = 1024;
	cfg.dataplane.icmp_errors_per_s = 100;
	cfg.dataplane.icmp_burst = 10;
	cfg.links[0].bfd.enabled = true;
	d.cfg = &cfg;
	if (dp_testbed_up(&tb, &d, "test_dp_fwd", 64, 1023) != 0 ||
	    dp_testbed_one_link(&d, &fake_health, LINK, NH_PEER, GROUP,
				&peer_mac) != 0 ||
	    filter_init(&d) != 0)
		return -1;
	/* health_init without bpffs: its ring, the map a plain struct */
	d.bfd_tx_ring = rte_ring_create("t_bfd", 64, 0,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
	return d.bfd_tx_ring == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	filter_free(&d);
	dp_testbed_down();
	return 0;
}

/* LAN host -> 198.51.100.7, UDP 1000 -> 2000, TTL TTL. */
static unsigned int make_udp(uint8_t *f, uint8_t ttl)
{
	return dp_testbed_udp4(f, &d.ports[LAN].mac, &lan_host_mac, 0x1234,
			       ttl);
}

static void inject(unsigned int port, const uint8_t *f, unsigned int len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(d.ports[0].pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	assert_int_equal(rte_ring_enqueue(tb.rx[port], m), 0);
}

/* What PORT sent since the last call: at most one frame, copied out. */
static unsigned int sent(unsigned int port, uint8_t *out)
{
	struct rte_mbuf *m;
	unsigned int len;

	if (rte_ring_dequeue(tb.tx[port], (void **)&m) != 0)
		return 0;
	len = rte_pktmbuf_pkt_len(m);
	memcpy(out, rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_ring_count(tb.tx[port]), 0);
	return len;
}

static uint64_t drops(enum dp_drop why)
{
	return d.stats[d.fwd_lcore].drop[why];
}

static void test_fwd_ipv4_rewrite_exact_bytes(void **state)
{
	uint8_t in[64], expect[64], out[2048];
	unsigned int len = make_udp(in, 64);
	uint16_t c;

	(void)state;
	memcpy(expect, in, len);
	memcpy(expect, peer_mac.addr_bytes, 6);
	memcpy(expect + 6, d.ports[LINK].mac.addr_bytes, 6);
	expect[14 + 8] = 63;
	c = dp_testbed_ip_cksum(expect + 14);
	expect[14 + 10] = (uint8_t)(c >> 8);
	expect[14 + 11] = (uint8_t)c;

	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	assert_memory_equal(out, expect, len);
	assert_int_equal(sent(LAN, out), 0);
}

/* NEXTHOP_SET with a new MAC for the group's member: the very next
 * packet carries it (the group's precomputed L2 entries are republished
 * with the record), and the source stays the link's. */
static void test_fwd_member_mac_change_is_seen_by_the_next_packet(
	void **state)
{
	static const uint8_t new_mac[6] = {0x02, 0x50, 0, 0, 0, 0x99};
	struct chan_nexthop nh = {.id = NH_PEER, .port = LINK,
				  .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED};
	uint8_t in[64], out[2048];
	unsigned int len = make_udp(in, 64);

	(void)state;
	fake_health.live_mask = 1u << LINK;
	inet_pton(AF_INET, "203.0.113.2", nh.gateway);
	memcpy(nh.mac, new_mac, 6);
	assert_int_equal(nhg_nexthop_set(&d.nhg, &nh, 1), 0);
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	assert_memory_equal(out, new_mac, 6);
	assert_memory_equal(out + 6, d.ports[LINK].mac.addr_bytes, 6);

	/* and back */
	memcpy(nh.mac, peer_mac.addr_bytes, 6);
	assert_int_equal(nhg_nexthop_set(&d.nhg, &nh, 1), 0);
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	assert_memory_equal(out, peer_mac.addr_bytes, 6);
	assert_int_equal(sent(LAN, out), 0);
}

static void test_fwd_bfd_bit_clear_stops_the_link_next_burst(void **state)
{
	uint8_t in[64], out[2048];
	unsigned int len = make_udp(in, 64);
	uint64_t no_live = drops(DROP_NO_LIVE_NEXTHOP);

	(void)state;
	/* the XDP program declares the session Down */
	__atomic_store_n(&fake_health.live_mask, 0, __ATOMIC_RELAXED);
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(drops(DROP_NO_LIVE_NEXTHOP), no_live + 1);
	/* admin down holds the link out even with BFD Up */
	__atomic_store_n(&fake_health.live_mask, 1u << LINK,
			 __ATOMIC_RELAXED);
	d.nhg.admin_down[LINK] = 1;
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(drops(DROP_NO_LIVE_NEXTHOP), no_live + 2);
	/* Up again: forwarded */
	d.nhg.admin_down[LINK] = 0;
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
}

static void test_fwd_bfd_periodic_packet_goes_out_on_its_link(void **state)
{
	struct health_link *hl = &fake_health.link[LINK];
	uint8_t out[2048], expect[BFD_FRAME_MAX];
	size_t len;

	(void)state;
	memset(hl, 0, sizeof(*hl));
	hl->family = AF_INET;
	inet_pton(AF_INET, "203.0.113.1", hl->local_addr);
	inet_pton(AF_INET, "203.0.113.2", hl->peer_addr);
	hl->local_disc = 7;
	hl->desired_min_tx_us = 50000;
	hl->required_min_rx_us = 50000;
	hl->detect_mult = 3;
	hl->src_port = 49200;
	hl->state = BFD_STATE_DOWN;

	/* not enabled by twinpathd: nothing */
	health_tick(&d);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);

	hl->cfg_enabled = 1;
	health_tick(&d);
	assert_int_equal(hl->tx_packets, 1);
	assert_true(hl->last_tx_ns != 0);
	assert_int_equal(sent(LINK, out), 0); /* the forwarding lcore sends */
	fwd_burst(&d, d.fwd_lcore);
	len = bfd_ctrl_build(expect, sizeof(expect), hl, &d.ports[LINK].mac,
			     &peer_mac);
	assert_int_equal(len, 66);
	assert_int_equal(sent(LINK, out), len);
	assert_memory_equal(out, expect, len);
	assert_int_equal(out[14 + 8], 255); /* GTSM */
	assert_int_equal(d.stats[d.fwd_lcore].bfd_tx[LINK], 1);
	/* and no forwarded-packet counter moved for it */

	/* at most one per interval (>= 750 ms while Down) */
	health_tick(&d);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(hl->tx_packets, 1);
	assert_int_equal(hl->tx_gap_max_ns, 0); /* one packet: no gap yet */

	/* Up: the forwarding lcore measures the gap between two packets
	 * built while Up where it sends them, with the interval the main
	 * lcore sent the second for (50 ms less 0-25 %) */
	hl->state = BFD_STATE_UP;
	hl->remote_min_rx_us = 50000;
	d.bfd_tx[LINK].last_tsc = 0;
	health_tick(&d);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	assert_int_equal(hl->tx_gap_max_ns, 0); /* the one before: Down */
	d.bfd_tx[LINK].last_tsc = 0;
	health_tick(&d);
	assert_int_equal(hl->tx_gap_max_ns, 0);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	assert_true(hl->tx_gap_max_ns > 0);
	assert_true(hl->tx_gap_max_ns < 1000000000ull);
	assert_in_range(hl->tx_gap_interval_us, 37500, 50000);
	hl->state = BFD_STATE_DOWN;
	hl->remote_min_rx_us = 0;
}

static void test_fwd_bfd_unresolved_peer_is_skipped_and_counted(void **state)
{
	struct health_link *hl = &fake_health.link[LINK];
	uint8_t out[2048];

	(void)state;
	/* a peer no nexthop leads to */
	inet_pton(AF_INET, "203.0.113.3", hl->peer_addr);
	d.bfd_tx[LINK].last_tsc = 0;
	health_tick(&d);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(d.bfd_tx[LINK].unresolved, 1);
	assert_int_equal(hl->tx_packets, 3);
}

/* The IPv4 header checksum: the NIC's verdict when it gave one. */
static void test_fwd_ipv4_checksum_from_flag_or_computed(void **state)
{
	uint8_t in[64], out[2048];
	unsigned int len = make_udp(in, 64);
	uint64_t bad = drops(DROP_BAD_CHECKSUM);
	struct rte_mbuf *m;

	(void)state;
	in[14 + 11] ^= 0x01; /* computed: wrong */
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(drops(DROP_BAD_CHECKSUM), bad + 1);
	in[14 + 11] ^= 0x01; /* right, but the NIC says bad */
	m = rte_pktmbuf_alloc(d.ports[0].pool);
	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), in, len);
	m->ol_flags |= RTE_MBUF_F_RX_IP_CKSUM_BAD;
	assert_int_equal(rte_ring_enqueue(tb.rx[LAN], m), 0);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(drops(DROP_BAD_CHECKSUM), bad + 2);
}

#define PFX6 "2001:db8:100::"

/* LAN host 2001:db8:1::10 -> DST, UDP 1000 -> 2000, hop limit HLIM. */
static unsigned int make_udp6(uint8_t *f, const char *dst, uint8_t hlim)
{
	memset(f, 0, 66);
	memcpy(f, d.ports[LAN].mac.addr_bytes, 6);
	memcpy(f + 6, lan_host_mac.addr_bytes, 6);
	f[12] = 0x86, f[13] = 0xdd;
	f[14] = 0x60, f[15] = 0x01, f[16] = 0x23, f[17] = 0x45; /* flow */
	f[18] = 0x00, f[19] = 12;                               /* payload */
	f[20] = 17;                                             /* UDP */
	f[21] = hlim;
	inet_pton(AF_INET6, "2001:db8:1::10", f + 22);
	inet_pton(AF_INET6, dst, f + 38);
	f[54] = 0x03, f[55] = 0xe8, f[56] = 0x07, f[57] = 0xd0;
	f[58] = 0x00, f[59] = 0x0c;
	memcpy(f + 62, "ping", 4);
	return 66;
}

static void route6(const char *pfx, uint8_t len, struct chan_route *r)
{
	memset(r, 0, sizeof(*r));
	r->family = AF_INET6;
	r->len = len;
	r->group_id = GROUP;
	assert_int_equal(inet_pton(AF_INET6, pfx, r->prefix), 1);
}

static uint64_t lookup6(const char *addr)
{
	uint8_t a[1][16];
	uint64_t gid;

	assert_int_equal(inet_pton(AF_INET6, addr, a[0]), 1);
	rte_fib6_lookup_bulk(d.fib6, a, &gid, 1);
	return gid;
}

static void test_fwd_ipv6_rewrite_exact_bytes(void **state)
{
	uint8_t in[80], expect[80], out[2048];
	struct chan_route r;
	unsigned int len = make_udp6(in, PFX6 "7", 64);

	(void)state;
	route6(PFX6, 48, &r);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);
	memcpy(expect, in, len);
	memcpy(expect, peer_mac.addr_bytes, 6);
	memcpy(expect + 6, d.ports[LINK].mac.addr_bytes, 6);
	expect[14 + 7] = 63; /* hop limit; no checksum in IPv6 */

	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	assert_memory_equal(out, expect, len);
	assert_int_equal(sent(LAN, out), 0);
	assert_int_equal(fib_route_del(&d, &r), 0);
}

/* One frame, one drop under REASON, nothing sent. */
static void expect_drop(const uint8_t *f, unsigned int len,
			enum dp_drop reason)
{
	uint8_t out[2048];
	uint64_t before = drops(reason);

	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(sent(LAN, out), 0);
	assert_int_equal(drops(reason), before + 1);
}

/* RFC 1071 sum of LEN bytes at P, complemented. */
static uint16_t cksum(const uint8_t *p, unsigned int len)
{
	uint32_t s = 0;
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len % 2)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The IPv4 header checksum of frame F set for its header as it is now
 * (over IHL words, here rather than the code under test's). */
static void fix_cksum(uint8_t *f)
{
	uint8_t *ip = f + 14;
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = cksum(ip, (ip[0] & 0x0fu) * 4u);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* The computed IPv4 checksum (fwd.c's ipv4_cksum_ok): a header whose
 * other words sum to 0xffff has checksum 0x0000, and 0xffff, its ones'
 * complement twin (RFC 1624 §3), is as right; 0x0001 there is wrong. */
static void test_fwd_ipv4_checksum_either_zero(void **state)
{
	uint8_t in[64], out[2048];
	unsigned int len = make_udp(in, 64);
	uint64_t bad = drops(DROP_BAD_CHECKSUM);
	uint32_t s = 0, id;
	unsigned int i;

	(void)state;
	/* the sum of the other words, then the ID raised to make it
	 * 0xffff (ones' complement addition) */
	in[14 + 10] = in[14 + 11] = 0;
	in[14 + 4] = in[14 + 5] = 0;
	for (i = 0; i < 20; i += 2)
		s += (uint32_t)(in[14 + i] << 8 | in[14 + i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	id = 0xffff - s;
	in[14 + 4] = (uint8_t)(id >> 8);
	in[14 + 5] = (uint8_t)id;
	assert_int_equal(cksum(in + 14, 20), 0x0000);
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	in[14 + 10] = in[14 + 11] = 0xff;
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	in[14 + 10] = 0x00, in[14 + 11] = 0x01;
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(drops(DROP_BAD_CHECKSUM), bad + 1);
}

/* make_udp's packet, to 192.0.2.7, which no route covers. */
static unsigned int make_udp_unrouted(uint8_t *f)
{
	unsigned int len = make_udp(f, 64);

	f[14 + 16] = 192, f[14 + 17] = 0, f[14 + 18] = 2;
	fix_cksum(f);
	return len;
}

/* RFC 1812 §5.2.2 and §5.3.1, one frame per reason: each is dropped and
 * counted under its own reason, nothing goes out. A header with options
 * passes the same checks and is forwarded, options intact. */
static void test_fwd_ipv4_each_drop_reason(void **state)
{
	uint8_t f[80], expect[80], out[2048];
	unsigned int len;

	(void)state;
	len = make_udp(f, 64);
	expect_drop(f, 14 + 19, DROP_TRUNCATED);   /* 19 bytes of IP */
	expect_drop(f, 13, DROP_TRUNCATED);        /* not even Ethernet */
	f[14] = 0x65;                              /* version 6 */
	expect_drop(f, len, DROP_BAD_VERSION);
	f[14] = 0x44;                              /* 16-byte header */
	expect_drop(f, len, DROP_BAD_IHL);
	f[14] = 0x4f;                              /* 60 bytes: past frame */
	expect_drop(f, len, DROP_BAD_IHL);
	len = make_udp(f, 64);
	f[14 + 3] = 33;                            /* past the frame */
	expect_drop(f, len, DROP_BAD_TOTAL_LEN);
	f[14 + 3] = 19;                            /* below the header */
	expect_drop(f, len, DROP_BAD_TOTAL_LEN);
	len = make_udp(f, 64);
	f[14 + 10] ^= 0x80;
	expect_drop(f, len, DROP_BAD_CHECKSUM);
	len = make_udp(f, 1);                      /* would leave with 0 */
	expect_drop(f, len, DROP_TTL_EXCEEDED);
	len = make_udp(f, 0);
	expect_drop(f, len, DROP_TTL_EXCEEDED);
	len = make_udp_unrouted(f);
	expect_drop(f, len, DROP_NO_ROUTE);
	len = make_udp(f, 64);
	d.nhg.admin_down[LINK] = 1;
	expect_drop(f, len, DROP_NO_LIVE_NEXTHOP);
	d.nhg.admin_down[LINK] = 0;

	/* 24-byte header: four NOP options between header and UDP */
	len = make_udp(f, 64);
	memmove(f + 38, f + 34, len - 34);
	memset(f + 34, 0x01, 4);
	len += 4;
	f[14] = 0x46;
	f[14 + 3] = 36;
	fix_cksum(f);
	memcpy(expect, f, len);
	memcpy(expect, peer_mac.addr_bytes, 6);
	memcpy(expect + 6, d.ports[LINK].mac.addr_bytes, 6);
	expect[14 + 8] = 63;
	fix_cksum(expect);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	assert_memory_equal(out, expect, len);
	/* the options are in the checksum: one changed, dropped */
	f[14 + 21] = 0x00;
	expect_drop(f, len, DROP_BAD_CHECKSUM);
}

static uint64_t icmp_sent_lan(void)
{
	return d.stats[d.fwd_lcore].icmp_tx[LAN];
}

/* Frames PORT sent since the last call, freed; how many. */
static unsigned int sent_count(unsigned int port)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(tb.tx[port], (void **)&m) == 0) {
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

/* A TTL-1 packet from the LAN host is dropped and answered with an ICMP
 * Time Exceeded out of the LAN port, byte for byte: to the host's MAC
 * and address, from the port's, quoting the whole datagram as received. */
static void test_fwd_ipv4_ttl_expiry_answers_time_exceeded(void **state)
{
	uint8_t in[64], out[2048], expect[128];
	unsigned int len = make_udp(in, 1), n;
	uint64_t ttl = drops(DROP_TTL_EXCEEDED), icmp = icmp_sent_lan();
	uint16_t c, id;

	(void)state;
	inet_pton(AF_INET, "198.18.1.1", &d.ports[LAN].ipv4);
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	n = sent(LAN, out);
	assert_int_equal(n, 14 + 20 + 8 + (len - 14));
	memset(expect, 0, sizeof(expect));
	memcpy(expect, lan_host_mac.addr_bytes, 6);
	memcpy(expect + 6, d.ports[LAN].mac.addr_bytes, 6);
	expect[12] = 0x08;
	expect[14] = 0x45, expect[15] = 0xc0;
	expect[16] = 0, expect[17] = (uint8_t)(28 + len - 14);
	expect[18] = out[18], expect[19] = out[19]; /* the lcore's id */
	expect[22] = 64, expect[23] = 1;
	inet_pton(AF_INET, "198.18.1.1", expect + 26);
	inet_pton(AF_INET, "198.18.1.10", expect + 30);
	c = cksum(expect + 14, 20);
	expect[24] = (uint8_t)(c >> 8), expect[25] = (uint8_t)c;
	expect[34] = 11; /* time exceeded, code 0 */
	memcpy(expect + 42, in + 14, len - 14); /* TTL 1 as it came */
	c = cksum(expect + 34, 8 + len - 14);
	expect[36] = (uint8_t)(c >> 8), expect[37] = (uint8_t)c;
	assert_memory_equal(out, expect, n);
	assert_int_equal(drops(DROP_TTL_EXCEEDED), ttl + 1);
	assert_int_equal(icmp_sent_lan(), icmp + 1);

	/* the next answer has the next IP id; TTL 0 is answered too */
	id = (uint16_t)(out[18] << 8 | out[19]);
	len = make_udp(in, 0);
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LAN, out), n);
	assert_int_equal((uint16_t)(out[18] << 8 | out[19]), (uint16_t)(id + 1));
	assert_int_equal(out[42 + 8], 0);
	d.ports[LAN].ipv4 = 0;
}

/* RFC 1812 §5.2.7.1: no route at all (no default either): dropped,
 * counted, answered Destination Unreachable / Network Unreachable out of
 * the port it came in on, quoting it; IPv6 without a route is counted
 * only while the port has no IPv6 address to answer from. */
static void test_fwd_ipv4_no_route_answers_net_unreachable(void **state)
{
	uint8_t f[80], out[2048];
	unsigned int len, n;
	uint64_t nr = drops(DROP_NO_ROUTE);
	uint64_t un = d.stats[d.fwd_lcore].icmp_net_unreachable;
	static const uint8_t gw[4] = {198, 18, 1, 1}, host[4] = {198, 18, 1, 10},
			     zero[4] = {0};
	uint16_t c;

	(void)state;
	inet_pton(AF_INET, "198.18.1.1", &d.ports[LAN].ipv4);
	len = make_udp_unrouted(f);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	n = sent(LAN, out);
	assert_int_equal(n, 14 + 20 + 8 + (len - 14));
	assert_memory_equal(out, lan_host_mac.addr_bytes, 6);
	assert_memory_equal(out + 6, d.ports[LAN].mac.addr_bytes, 6);
	assert_int_equal(out[14 + 9], 1);
	assert_memory_equal(out + 26, gw, 4);
	assert_memory_equal(out + 30, host, 4);
	assert_int_equal(cksum(out + 14, 20), 0);
	assert_int_equal(out[34], 3);                  /* unreachable */
	assert_int_equal(out[35], 0);                  /* network */
	assert_memory_equal(out + 38, zero, 4);
	assert_memory_equal(out + 42, f + 14, len - 14); /* as it came */
	c = (uint16_t)(out[36] << 8 | out[37]);
	out[36] = out[37] = 0;
	assert_int_equal(c, cksum(out + 34, 8 + len - 14));
	assert_int_equal(drops(DROP_NO_ROUTE), nr + 1);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_net_unreachable, un + 1);

	len = make_udp6(f, "2001:db8:200::7", 64);
	expect_drop(f, len, DROP_NO_ROUTE);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_net_unreachable, un + 1);
	d.ports[LAN].ipv4 = 0;
}

/* rte_fib answers FIB_MISS where no route covers an address, and 0 only
 * for a read torn by a route change (dp.h): the destination is looked up
 * again, FWD_RELOOKUP_MAX (4) times at most, each counted. A 0 that
 * stays (a route written with next hop 0, which twinpath-dp never
 * writes) ends as no route, answered Network Unreachable. */
static void test_fwd_zero_from_the_fib_is_looked_up_again(void **state)
{
	uint8_t f[80], out[2048];
	uint32_t net = 192u << 24 | 2u << 8; /* 192.0.2.0 */
	uint64_t nr = drops(DROP_NO_ROUTE);
	uint64_t re = d.stats[d.fwd_lcore].fib_relookups;
	unsigned int len;

	(void)state;
	assert_int_equal(rte_fib_add(d.fib, net, 24, FIB_NO_ROUTE), 0);
	len = make_udp_unrouted(f);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(drops(DROP_NO_ROUTE), nr + 1);
	assert_int_equal(d.stats[d.fwd_lcore].fib_relookups, re + 4);
	assert_int_equal(rte_fib_delete(d.fib, net, 24), 0);
	/* a plain miss is not looked up again */
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(drops(DROP_NO_ROUTE), nr + 2);
	assert_int_equal(d.stats[d.fwd_lcore].fib_relookups, re + 4);
	while (sent(LAN, out) != 0)
		;
}

/* The torn read itself: a thread adds and deletes 198.51.100.128/25
 * (another next hop) under 198.51.100.0/24 as fast as it can, so that
 * rte_fib gives the /24 a tbl8 group and recycles it again and again,
 * while packets to 198.51.100.7 (the /24's half) are forwarded. Each
 * one goes out on the link: none is dropped for no route, however the
 * lookups and the recycling interleave. (Without the second look, 441
 * of the 640 000 were, on this 2-core host; with it, 73 to 84 lookups
 * were looked up again.) */
#define TEAR_BURSTS 20000u
static volatile bool tear_stop;

static void *tear_writer(void *arg)
{
	const uint32_t half = 198u << 24 | 51u << 16 | 100u << 8 | 128u;
	unsigned long *cycles = arg;

	while (!tear_stop) {
		if (rte_fib_add(d.fib, half, 25, GROUP + 1) != 0 ||
		    rte_fib_delete(d.fib, half, 25) != 0)
			break;
		(*cycles)++;
	}
	return NULL;
}

static void test_fwd_route_changes_beside_lookups_drop_nothing(void **state)
{
	uint8_t f[80];
	uint64_t nr = drops(DROP_NO_ROUTE), tx0 = d.stats[d.fwd_lcore].tx[LINK];
	uint64_t re = d.stats[d.fwd_lcore].fib_relookups;
	unsigned long cycles = 0;
	unsigned int len = make_udp(f, 64), b, i, got = 0;
	struct rte_mbuf *m[DP_BURST];
	pthread_attr_t attr;
	cpu_set_t cpus;
	pthread_t t;

	(void)state;
	tear_stop = false;
	/* the EAL pinned this thread to one CPU: the writer gets the others
	 * (all of them on a one-CPU host), so the two really overlap */
	CPU_ZERO(&cpus);
	for (i = 0; i < (unsigned int)sysconf(_SC_NPROCESSORS_ONLN) &&
		    i < CPU_SETSIZE; i++)
		if ((int)i != sched_getcpu())
			CPU_SET(i, &cpus);
	if (CPU_COUNT(&cpus) == 0)
		CPU_SET(0, &cpus);
	assert_int_equal(pthread_attr_init(&attr), 0);
	assert_int_equal(pthread_attr_setaffinity_np(&attr, sizeof(cpus),
						     &cpus), 0);
	assert_int_equal(pthread_create(&t, &attr, tear_writer, &cycles), 0);
	pthread_attr_destroy(&attr);
	for (b = 0; b < TEAR_BURSTS; b++) {
		for (i = 0; i < DP_BURST; i++)
			inject(LAN, f, len);
		fwd_burst(&d, d.fwd_lcore);
		while ((i = rte_ring_dequeue_burst(tb.tx[LINK], (void **)m,
						   DP_BURST, NULL)) != 0) {
			got += i;
			rte_pktmbuf_free_bulk(m, i);
		}
	}
	tear_stop = true;
	assert_int_equal(pthread_join(t, NULL), 0);
	printf("tear: %lu add/delete cycles, %" PRIu64 " lookups retried\n",
	       cycles, d.stats[d.fwd_lcore].fib_relookups - re);
	assert_true(cycles > 0);
	assert_int_equal(drops(DROP_NO_ROUTE), nr);
	assert_int_equal(got, TEAR_BURSTS * DP_BURST);
	assert_int_equal(d.stats[d.fwd_lcore].tx[LINK] - tx0, got);
	assert_int_equal(rte_ring_count(tb.tx[LAN]), 0);
}

/* RFC 1812 §4.3.2.7: no ICMP error about an ICMP error, a non-initial
 * fragment, nor from a port without an address; each counted as
 * suppressed, the packet still counted as expired. A source that is no
 * single host and a link-layer broadcast never get that far (martian_src,
 * l2_broadcast). An echo request is answered. */
static void test_fwd_ipv4_time_exceeded_suppressed(void **state)
{
	uint8_t f[64];
	unsigned int len;
	uint64_t sup = d.stats[d.fwd_lcore].icmp_suppressed;
	uint64_t ttl = drops(DROP_TTL_EXCEEDED), icmp = icmp_sent_lan();
	uint64_t martian = drops(DROP_MARTIAN_SRC);
	uint64_t bcast = drops(DROP_L2_BROADCAST);

	(void)state;
	inet_pton(AF_INET, "198.18.1.1", &d.ports[LAN].ipv4);
	len = make_udp(f, 1);                      /* ICMP port unreachable */
	f[14 + 9] = 1, f[34] = 3, f[35] = 3;
	fix_cksum(f);
	inject(LAN, f, len);
	len = make_udp(f, 1);                      /* fragment at offset 8 */
	f[14 + 7] = 1;
	fix_cksum(f);
	inject(LAN, f, len);
	/* a martian source and an Ethernet broadcast are refused before
	 * the TTL is looked at: counted as such, never answered */
	len = make_udp(f, 1);                      /* from 127.0.0.1 */
	f[14 + 12] = 127, f[14 + 13] = 0, f[14 + 14] = 0, f[14 + 15] = 1;
	fix_cksum(f);
	inject(LAN, f, len);
	len = make_udp(f, 1);                      /* Ethernet broadcast */
	memset(f, 0xff, 6);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LAN) + sent_count(LINK), 0);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_suppressed, sup + 2);
	assert_int_equal(drops(DROP_MARTIAN_SRC), martian + 1);
	assert_int_equal(drops(DROP_L2_BROADCAST), bcast + 1);

	len = make_udp(f, 1);                      /* ICMP echo request */
	f[14 + 9] = 1, f[34] = 8, f[35] = 0;
	fix_cksum(f);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LAN), 1);
	assert_int_equal(icmp_sent_lan(), icmp + 1);

	d.ports[LAN].ipv4 = 0;                     /* no address */
	len = make_udp(f, 1);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LAN), 0);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_suppressed, sup + 3);
	assert_int_equal(drops(DROP_TTL_EXCEEDED), ttl + 4);
}

/* The lcore's bucket: a burst of five expired packets with room for
 * three answers a second gets exactly three; the rest are counted. A
 * rate of 0 sends none. */
static void test_fwd_ipv4_time_exceeded_rate_limited(void **state)
{
	uint8_t f[64];
	unsigned int len, i;
	uint64_t lim = d.stats[d.fwd_lcore].icmp_rate_limited;

	(void)state;
	inet_pton(AF_INET, "198.18.1.1", &d.ports[LAN].ipv4);
	fwd_icmp_rate_set(d.fwd_lcore, 1, 3);
	for (i = 0; i < 5; i++) {
		len = make_udp(f, 1);
		inject(LAN, f, len);
	}
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LAN), 3);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_rate_limited, lim + 2);
	/* a rate of 0: none at all, every one counted as rate limited */
	fwd_icmp_rate_set(d.fwd_lcore, 0, 10);
	lim = d.stats[d.fwd_lcore].icmp_rate_limited;
	for (i = 0; i < 3; i++) {
		len = make_udp(f, 1);
		inject(LAN, f, len);
	}
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LAN), 0);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_rate_limited, lim + 3);
	fwd_icmp_rate_set(d.fwd_lcore, cfg.dataplane.icmp_errors_per_s,
			  cfg.dataplane.icmp_burst);
	d.ports[LAN].ipv4 = 0;
}

/* A bucket per lcore and in-port: a flood of expired packets from the
 * provider side (the link) uses up the link's answers only; the LAN's
 * are all still there, and then the LAN's run out on their own. */
static void test_fwd_icmp_buckets_are_per_port(void **state)
{
	uint8_t f[64];
	unsigned int len, i;
	uint64_t lim = d.stats[d.fwd_lcore].icmp_rate_limited;
	uint64_t link_tx = d.stats[d.fwd_lcore].icmp_tx[LINK];

	(void)state;
	inet_pton(AF_INET, "198.18.1.1", &d.ports[LAN].ipv4);
	inet_pton(AF_INET, "203.0.113.1", &d.ports[LINK].ipv4);
	fwd_icmp_rate_set(d.fwd_lcore, 1, 2);
	for (i = 0; i < 5; i++) {
		len = dp_testbed_udp4(f, &d.ports[LINK].mac, &peer_mac,
				      (uint16_t)i, 1);
		inject(LINK, f, len);
	}
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LINK), 2);
	assert_int_equal(sent_count(LAN), 0);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_tx[LINK], link_tx + 2);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_rate_limited, lim + 3);
	for (i = 0; i < 3; i++) {
		len = make_udp(f, 1);
		inject(LAN, f, len);
	}
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LAN), 2);
	assert_int_equal(sent_count(LINK), 0);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_rate_limited, lim + 4);
	fwd_icmp_rate_set(d.fwd_lcore, cfg.dataplane.icmp_errors_per_s,
			  cfg.dataplane.icmp_burst);
	d.ports[LAN].ipv4 = 0;
	d.ports[LINK].ipv4 = 0;
}

/* LAN host -> 198.51.100.7, an IPv4 datagram of TOTAL bytes (UDP, the
 * payload counting up), DF or not, TTL 64. */
static unsigned int make_big(uint8_t *f, unsigned int total, bool df)
{
	unsigned int i;

	make_udp(f, 64);
	for (i = 42; i < 14 + total; i++)
		f[i] = (uint8_t)i;
	f[14 + 2] = (uint8_t)(total >> 8), f[14 + 3] = (uint8_t)total;
	f[14 + 6] = df ? 0x40 : 0;
	f[38] = (uint8_t)((total - 20) >> 8), f[39] = (uint8_t)(total - 20);
	fix_cksum(f);
	return 14 + total;
}

/* Up to MAX frames PORT sent, each copied whole (chained or not) into
 * OUT[i], lengths in LEN[i]; how many. */
static unsigned int sent_frames(unsigned int port, uint8_t out[][256],
				unsigned int *len, unsigned int max)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while (n < max && rte_ring_dequeue(tb.tx[port], (void **)&m) == 0) {
		const void *p;

		len[n] = rte_pktmbuf_pkt_len(m);
		assert_true(len[n] <= 256);
		p = rte_pktmbuf_read(m, 0, len[n], out[n]);
		assert_non_null(p);
		if (p != out[n])
			memcpy(out[n], p, len[n]);
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

/* Over the out port's MTU (100 here), RFC 791/1191/1812: without DF the
 * packet leaves in fragments, byte for byte (8-byte multiples, MF, the
 * offsets, TTL - 1, each checksum); with DF it is dropped and answered
 * Fragmentation Needed with the MTU; exactly the MTU goes whole; IPv6
 * over it is counted, not answered without an IPv6 address on the port. */
static void test_fwd_ipv4_over_mtu_fragments_or_answers(void **state)
{
	uint8_t f[256], out[4][256], expect[256];
	unsigned int len, n, lens[4];
	uint64_t fn = drops(DROP_FRAG_NEEDED), big6 = drops(DROP_TOO_BIG6);
	uint64_t fragd = d.stats[d.fwd_lcore].fragmented;
	uint16_t c;
	struct chan_route r;

	(void)state;
	d.ports[LINK].mtu = 100;
	fwd_mtu_update(&d);
	inet_pton(AF_INET, "198.18.1.1", &d.ports[LAN].ipv4);

	/* exactly the MTU: whole */
	len = make_big(f, 100, true);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_frames(LINK, out, lens, 4), 1);
	assert_int_equal(lens[0], len);

	/* 140 bytes, no DF: fragments of 80 + 40 payload bytes */
	len = make_big(f, 140, false);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	n = sent_frames(LINK, out, lens, 4);
	assert_int_equal(n, 2);
	assert_int_equal(d.stats[d.fwd_lcore].fragmented, fragd + 1);
	/* first: the header with total 100, MF, offset 0, TTL 63 */
	memcpy(expect, peer_mac.addr_bytes, 6);
	memcpy(expect + 6, d.ports[LINK].mac.addr_bytes, 6);
	memcpy(expect + 12, f + 12, 22);
	expect[14 + 2] = 0, expect[14 + 3] = 100;
	expect[14 + 6] = 0x20, expect[14 + 7] = 0;
	expect[14 + 8] = 63;
	fix_cksum(expect);
	memcpy(expect + 34, f + 34, 80);
	assert_int_equal(lens[0], 14 + 100);
	assert_memory_equal(out[0], expect, 14 + 100);
	/* second: total 60, offset 80 / 8 = 10, no MF, the last 40 bytes */
	expect[14 + 2] = 0, expect[14 + 3] = 60;
	expect[14 + 6] = 0, expect[14 + 7] = 10;
	fix_cksum(expect);
	memcpy(expect + 34, f + 34 + 80, 40);
	assert_int_equal(lens[1], 14 + 60);
	assert_memory_equal(out[1], expect, 14 + 60);

	/* 140 bytes with DF: Fragmentation Needed, MTU 100, out of the LAN */
	len = make_big(f, 140, true);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_frames(LINK, out, lens, 4), 0);
	assert_int_equal(sent_frames(LAN, out, lens, 4), 1);
	assert_int_equal(drops(DROP_FRAG_NEEDED), fn + 1);
	assert_int_equal(lens[0], 14 + 20 + 8 + 140);
	assert_memory_equal(out[0], lan_host_mac.addr_bytes, 6);
	assert_int_equal(out[0][14 + 9], 1);           /* ICMP */
	assert_int_equal(out[0][34], 3);               /* unreachable */
	assert_int_equal(out[0][35], 4);               /* frag needed */
	assert_int_equal(out[0][38], 0);               /* unused */
	assert_int_equal(out[0][39], 0);
	assert_int_equal(out[0][40] << 8 | out[0][41], 100); /* MTU */
	assert_memory_equal(out[0] + 42, f + 14, 140);  /* as received */
	c = (uint16_t)(out[0][36] << 8 | out[0][37]);
	out[0][36] = out[0][37] = 0;
	assert_int_equal(c, cksum(out[0] + 34, 8 + 140));

	/* IPv6 over the MTU */
	route6(PFX6, 48, &r);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);
	len = make_udp6(f, PFX6 "7", 64);
	memset(f + 66, 0xab, 100);
	f[18] = 0, f[19] = 112;                        /* 40 + 112 > 100 */
	expect_drop(f, len + 100, DROP_TOO_BIG6);
	assert_int_equal(drops(DROP_TOO_BIG6), big6 + 1);
	assert_int_equal(fib_route_del(&d, &r), 0);

	d.ports[LINK].mtu = 1500;
	fwd_mtu_update(&d);
	d.ports[LAN].ipv4 = 0;
}

#define LAN6 "2001:db8:1::1"       /* the LAN port's IPv6 address */
#define HOST6 "2001:db8:1::10"     /* make_udp6's source */

/* RFC 4443 §2.3 with an RFC 1071 sum of our own: the checksum over the
 * pseudo-header (RFC 8200 §8.1: source, destination, upper-layer length,
 * three zero bytes, next header 58) and the message after the IPv6
 * header at IP6, with its checksum field as it is. 0 when that field is
 * right. */
static uint16_t cksum6(const uint8_t *ip6)
{
	static uint8_t buf[40 + 2048];
	unsigned int plen = (unsigned int)(ip6[4] << 8 | ip6[5]);

	assert_true(plen <= 2048);
	memset(buf, 0, 40);
	memcpy(buf, ip6 + 8, 32);
	buf[34] = (uint8_t)(plen >> 8), buf[35] = (uint8_t)plen;
	buf[39] = 58;
	memcpy(buf + 40, ip6 + 40, plen);
	return cksum(buf, 40 + plen);
}

/* Into E, the frame the LAN port must send the LAN host for an ICMPv6
 * error TYPE/CODE with WORD in the header's last 32 bits, quoting QUOTE
 * bytes from Q (the offending packet from its IPv6 header, as received):
 * from LAN6 to HOST6, traffic class and flow label 0, hop limit 64, the
 * checksum ours. Its length. */
static unsigned int expect_icmp6(uint8_t *e, uint8_t type, uint8_t code,
				 uint32_t word, const uint8_t *q,
				 unsigned int quote)
{
	unsigned int plen = 8 + quote;
	uint16_t c;

	memset(e, 0, 62);
	memcpy(e, lan_host_mac.addr_bytes, 6);
	memcpy(e + 6, d.ports[LAN].mac.addr_bytes, 6);
	e[12] = 0x86, e[13] = 0xdd;
	e[14] = 0x60;
	e[18] = (uint8_t)(plen >> 8), e[19] = (uint8_t)plen;
	e[20] = 58, e[21] = 64;
	inet_pton(AF_INET6, LAN6, e + 22);
	inet_pton(AF_INET6, HOST6, e + 38);
	e[54] = type, e[55] = code;
	e[58] = (uint8_t)(word >> 24), e[59] = (uint8_t)(word >> 16);
	e[60] = (uint8_t)(word >> 8), e[61] = (uint8_t)word;
	memcpy(e + 62, q, quote);
	c = cksum6(e + 14);
	e[56] = (uint8_t)(c >> 8), e[57] = (uint8_t)c;
	return 62 + quote;
}

#define ST (&d.stats[d.fwd_lcore])

/* Every bucket full again (the config's rate and burst): a test that
 * counts answers does not depend on what the tests before it sent. */
static void icmp_buckets_refill(void)
{
	fwd_icmp_rate_set(d.fwd_lcore, cfg.dataplane.icmp_errors_per_s,
			  cfg.dataplane.icmp_burst);
}

/* Injects frame IN (LEN bytes) on the LAN port and expects exactly one
 * frame back out of it and nothing on the link: the ICMPv6 error
 * TYPE/CODE/WORD quoting QUOTE bytes of the packet (expect_icmp6), its
 * checksum right by our own sum. The answer's length. */
static unsigned int expect_icmp6_answer(const uint8_t *in, unsigned int len,
					uint8_t type, uint8_t code,
					uint32_t word, unsigned int quote)
{
	static uint8_t out[2048], expect[2048];
	unsigned int n;

	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	n = sent(LAN, out);
	assert_int_equal(n, expect_icmp6(expect, type, code, word, in + 14,
					 quote));
	assert_memory_equal(out, expect, n);
	assert_int_equal(cksum6(out + 14), 0);
	return n;
}

/* RFC 4443 §3.3: hop limit 1 (and 0) from the LAN host: dropped, counted
 * as before, and answered Time Exceeded code 0 byte for byte, quoting
 * the whole packet as received (hop limit 1). */
static void test_fwd_ipv6_hop_limit_answers_time_exceeded(void **state)
{
	uint8_t in[80];
	unsigned int len = make_udp6(in, PFX6 "7", 1);
	uint64_t hl = drops(DROP_HOP_LIMIT_EXCEEDED);
	uint64_t te = ST->icmp6_time_exceeded;
	uint64_t tx = icmp_sent_lan();

	(void)state;
	icmp_buckets_refill();
	inet_pton(AF_INET6, LAN6, d.ports[LAN].ipv6);
	assert_int_equal(expect_icmp6_answer(in, len, 3, 0, 0, len - 14),
			 14 + 40 + 8 + 52);
	assert_int_equal(drops(DROP_HOP_LIMIT_EXCEEDED), hl + 1);
	assert_int_equal(ST->icmp6_time_exceeded, te + 1);
	assert_int_equal(icmp_sent_lan(), tx + 1);

	len = make_udp6(in, PFX6 "7", 0);
	expect_icmp6_answer(in, len, 3, 0, 0, len - 14);
	assert_int_equal(ST->icmp6_time_exceeded, te + 2);
	memset(d.ports[LAN].ipv6, 0, 16);
}

/* RFC 4443 §3.1: no route at all: dropped as no_route, answered
 * Destination Unreachable code 0 (no route to destination). */
static void test_fwd_ipv6_no_route_answers_unreachable(void **state)
{
	uint8_t in[80];
	unsigned int len = make_udp6(in, "2001:db8:200::7", 64);
	uint64_t nr = drops(DROP_NO_ROUTE);
	uint64_t un = ST->icmp6_unreachable;

	(void)state;
	icmp_buckets_refill();
	inet_pton(AF_INET6, LAN6, d.ports[LAN].ipv6);
	expect_icmp6_answer(in, len, 1, 0, 0, len - 14);
	assert_int_equal(drops(DROP_NO_ROUTE), nr + 1);
	assert_int_equal(ST->icmp6_unreachable, un + 1);
	memset(d.ports[LAN].ipv6, 0, 16);
}

/* RFC 4443 §3.2, §2.4(c), RFC 8201: a 1500-byte packet for a link of MTU
 * 1280 is dropped as too_big6 and answered Packet Too Big with MTU 1280,
 * quoting its first 1232 bytes so that the answer is 1280 bytes; a
 * smaller one over a 100-byte MTU is quoted whole. One at the MTU goes
 * out whole. */
static void test_fwd_ipv6_over_mtu_answers_packet_too_big(void **state)
{
	static uint8_t in[1600], out[2048];
	unsigned int i;
	uint64_t big6 = drops(DROP_TOO_BIG6), tb = ST->icmp6_too_big;
	struct chan_route r;

	(void)state;
	icmp_buckets_refill();
	inet_pton(AF_INET6, LAN6, d.ports[LAN].ipv6);
	route6(PFX6, 48, &r);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);
	d.ports[LINK].mtu = 1280;
	fwd_mtu_update(&d);

	/* 40 + 1460 bytes */
	make_udp6(in, PFX6 "7", 64);
	for (i = 66; i < 14 + 1500; i++)
		in[i] = (uint8_t)i;
	in[18] = 1460 >> 8, in[19] = 1460 & 0xff;
	assert_int_equal(expect_icmp6_answer(in, 14 + 1500, 2, 0, 1280, 1232),
			 14 + 1280);
	assert_int_equal(drops(DROP_TOO_BIG6), big6 + 1);
	assert_int_equal(ST->icmp6_too_big, tb + 1);

	/* exactly the MTU: forwarded */
	in[18] = 1240 >> 8, in[19] = 1240 & 0xff;
	inject(LAN, in, 14 + 1280);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 14 + 1280);
	assert_int_equal(sent(LAN, out), 0);

	/* MTU 100: 40 + 112 bytes, quoted whole */
	d.ports[LINK].mtu = 100;
	fwd_mtu_update(&d);
	in[18] = 0, in[19] = 112;
	expect_icmp6_answer(in, 14 + 152, 2, 0, 100, 152);
	assert_int_equal(ST->icmp6_too_big, tb + 2);

	d.ports[LINK].mtu = 1500;
	fwd_mtu_update(&d);
	assert_int_equal(fib_route_del(&d, &r), 0);
	memset(d.ports[LAN].ipv6, 0, 16);
}

/* F, a frame of LEN bytes from make_udp6, with EXT (EXT_LEN bytes of
 * extension headers, their Next Header fields set) put between the IPv6
 * header and the UDP header, FIRST the IPv6 header's Next Header; the
 * new length. */
static unsigned int with_ext6(uint8_t *f, unsigned int len, uint8_t first,
			      const uint8_t *ext, unsigned int ext_len)
{
	unsigned int plen = (unsigned int)(f[18] << 8 | f[19]) + ext_len;

	memmove(f + 54 + ext_len, f + 54, len - 54);
	memcpy(f + 54, ext, ext_len);
	f[20] = first;
	f[18] = (uint8_t)(plen >> 8), f[19] = (uint8_t)plen;
	return len + ext_len;
}

/* An 8-byte Destination Options header (PadN) naming NH next. */
static void dstopt(uint8_t *e, uint8_t nh)
{
	static const uint8_t padn[8] = {0, 0, 1, 4, 0, 0, 0, 0};

	memcpy(e, padn, 8);
	e[0] = nh;
}

/* Injects the hop-limit-1 frame F and expects it answered (ANSWERED) or
 * suppressed, counted either way. */
static void expect_answer6(const uint8_t *f, unsigned int len, bool answered)
{
	uint64_t sup = ST->icmp_suppressed, te = ST->icmp6_time_exceeded;
	uint64_t hl = drops(DROP_HOP_LIMIT_EXCEEDED);

	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LINK), 0);
	assert_int_equal(sent_count(LAN), answered ? 1 : 0);
	assert_int_equal(ST->icmp6_time_exceeded, te + (answered ? 1 : 0));
	assert_int_equal(ST->icmp_suppressed, sup + (answered ? 0 : 1));
	assert_int_equal(drops(DROP_HOP_LIMIT_EXCEEDED), hl + 1);
}

/* RFC 4443 §2.4(e): no error about an ICMPv6 error (types < 128) or a
 * Redirect, found behind extension headers too; an echo request and UDP
 * behind them are answered. The walk stops after 8 extension headers
 * and at a later fragment that may hold ICMPv6: what it cannot tell is
 * not answered. */
static void test_fwd_ipv6_error_about_icmp6_error_suppressed(void **state)
{
	uint8_t f[256], ext[128];
	unsigned int len, i;

	(void)state;
	icmp_buckets_refill();
	inet_pton(AF_INET6, LAN6, d.ports[LAN].ipv6);
	len = make_udp6(f, PFX6 "7", 1);           /* ICMPv6 unreachable */
	f[20] = 58, f[54] = 1, f[55] = 3;
	expect_answer6(f, len, false);
	f[54] = 127;                               /* the last error type */
	expect_answer6(f, len, false);
	f[54] = 137, f[55] = 0;                    /* Redirect */
	expect_answer6(f, len, false);
	f[54] = 128;                               /* echo request */
	expect_answer6(f, len, true);

	/* Hop-by-Hop, Destination Options, then ICMPv6 / UDP */
	dstopt(ext, 60);
	dstopt(ext + 8, 58);
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 0, ext, 16);
	f[70] = 3;                                 /* Time Exceeded */
	expect_answer6(f, len, false);
	f[70] = 129;                               /* echo reply */
	expect_answer6(f, len, true);
	dstopt(ext + 8, 17);
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 0, ext, 16);
	expect_answer6(f, len, true);

	/* AH (RFC 4302: its length in 4-byte words, minus 2), 24 bytes,
	 * then an echo request: answered; then an error: not */
	memset(ext, 0, 24);
	ext[0] = 58, ext[1] = 4;
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 51, ext, 24);
	f[78] = 128;
	expect_answer6(f, len, true);
	f[78] = 4;
	expect_answer6(f, len, false);

	/* 8 Destination Options headers before UDP: walked; 9: not */
	for (i = 0; i < 9; i++)
		dstopt(ext + 8 * i, 60);
	ext[8 * 7] = 17;
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 60, ext, 64);
	expect_answer6(f, len, true);
	ext[8 * 7] = 60;
	ext[8 * 8] = 17;
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 60, ext, 72);
	expect_answer6(f, len, false);

	/* a later fragment (offset 8): of UDP answered, of ICMPv6 or of an
	 * extension header not (its first header is elsewhere) */
	memset(ext, 0, 8);
	ext[0] = 17, ext[3] = 0x08, ext[7] = 1;
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 44, ext, 8);
	expect_answer6(f, len, true);
	ext[0] = 58;
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 44, ext, 8);
	expect_answer6(f, len, false);
	ext[0] = 60;
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 44, ext, 8);
	expect_answer6(f, len, false);
	/* the first fragment holds the headers: an ICMPv6 error in it */
	ext[0] = 58, ext[3] = 0x01;
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 44, ext, 8);
	f[62] = 1;
	expect_answer6(f, len, false);
	/* a chain that runs past the packet is refused by the ingress
	 * check before the hop limit is looked at: no answer */
	dstopt(ext, 60);
	ext[1] = 10;                               /* 88 bytes: past the end */
	len = with_ext6(f, make_udp6(f, PFX6 "7", 1), 60, ext, 8);
	expect_drop(f, len, DROP_BAD_EXT6);
	memset(d.ports[LAN].ipv6, 0, 16);
}

/* RFC 4443 §2.4(e.3-e.6) names what is never answered: a multicast
 * destination, a link-layer multicast or broadcast frame, a source that
 * names no single node (::, ::1, multicast). The fast path refuses all of
 * them before the hop limit is looked at (they are never forwarded, so
 * never expire here): each is counted under its own drop, with no answer
 * and no hop_limit_exceeded. What remains for §2.4(e) is a port without
 * an IPv6 address: expired, counted as suppressed. */
static void test_fwd_ipv6_time_exceeded_suppressed(void **state)
{
	uint8_t f[80];
	unsigned int len;
	uint64_t hl = drops(DROP_HOP_LIMIT_EXCEEDED);
	uint64_t sup = ST->icmp_suppressed;

	(void)state;
	icmp_buckets_refill();
	inet_pton(AF_INET6, LAN6, d.ports[LAN].ipv6);
	len = make_udp6(f, "ff0e::1", 1);
	expect_drop(f, len, DROP_MARTIAN_DST);
	len = make_udp6(f, PFX6 "7", 1);
	f[0] = 0x33, f[1] = 0x33;                  /* link-layer multicast */
	expect_drop(f, len, DROP_L2_MULTICAST);
	memset(f, 0xff, 6);                        /* broadcast */
	expect_drop(f, len, DROP_L2_BROADCAST);
	len = make_udp6(f, PFX6 "7", 1);
	memset(f + 22, 0, 16);                     /* from :: */
	expect_drop(f, len, DROP_MARTIAN_SRC);
	f[37] = 1;                                 /* from ::1 */
	expect_drop(f, len, DROP_MARTIAN_SRC);
	inet_pton(AF_INET6, "ff02::1", f + 22);    /* from multicast */
	expect_drop(f, len, DROP_MARTIAN_SRC);
	assert_int_equal(drops(DROP_HOP_LIMIT_EXCEEDED), hl);
	assert_int_equal(ST->icmp_suppressed, sup);
	len = make_udp6(f, PFX6 "7", 1);           /* all fine: answered */
	expect_answer6(f, len, true);
	memset(d.ports[LAN].ipv6, 0, 16);          /* no address */
	expect_answer6(f, len, false);
}

/* Packet Too Big is the exception of RFC 4443 §2.4(e.3-e.5) for a
 * multicast destination, but twinpath routes no multicast: a packet to a
 * group, even with a route covering it and over the out MTU, is refused
 * as martian_dst with no answer of any kind. */
static void test_fwd_ipv6_multicast_refused_not_too_big(void **state)
{
	uint8_t f[256];
	unsigned int len;
	struct chan_route r;
	uint64_t tb = ST->icmp6_too_big;

	(void)state;
	icmp_buckets_refill();
	inet_pton(AF_INET6, LAN6, d.ports[LAN].ipv6);
	route6("ff0e::", 16, &r);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);
	d.ports[LINK].mtu = 100;
	fwd_mtu_update(&d);
	len = make_udp6(f, "ff0e::1", 64);
	memset(f + 66, 0xab, 100);
	f[18] = 0, f[19] = 112;
	expect_drop(f, len + 100, DROP_MARTIAN_DST);
	assert_int_equal(ST->icmp6_too_big, tb);
	d.ports[LINK].mtu = 1500;
	fwd_mtu_update(&d);
	assert_int_equal(fib_route_del(&d, &r), 0);
	memset(d.ports[LAN].ipv6, 0, 16);
}

/* RFC 4443 §2.4(f): ICMPv6 errors take tokens of the same per-port
 * bucket as the IPv4 ones; a rate of 0 sends none. */
static void test_fwd_ipv6_errors_share_the_port_bucket(void **state)
{
	uint8_t f[80];
	unsigned int len, i;
	uint64_t lim = ST->icmp_rate_limited;

	(void)state;
	inet_pton(AF_INET, "198.18.1.1", &d.ports[LAN].ipv4);
	inet_pton(AF_INET6, LAN6, d.ports[LAN].ipv6);
	fwd_icmp_rate_set(d.fwd_lcore, 1, 2);
	len = make_udp(f, 1);
	inject(LAN, f, len);
	for (i = 0; i < 2; i++) {
		len = make_udp6(f, PFX6 "7", 1);
		inject(LAN, f, len);
	}
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LAN), 2);
	assert_int_equal(ST->icmp_rate_limited, lim + 1);
	fwd_icmp_rate_set(d.fwd_lcore, 0, 10);
	for (i = 0; i < 3; i++) {
		len = make_udp6(f, PFX6 "7", 1);
		inject(LAN, f, len);
	}
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LAN), 0);
	assert_int_equal(ST->icmp_rate_limited, lim + 4);
	fwd_icmp_rate_set(d.fwd_lcore, cfg.dataplane.icmp_errors_per_s,
			  cfg.dataplane.icmp_burst);
	d.ports[LAN].ipv4 = 0;
	memset(d.ports[LAN].ipv6, 0, 16);
}

static void test_fwd_ipv6_each_drop_reason(void **state)
{
	uint8_t f[80];
	struct chan_route r;
	unsigned int len;

	(void)state;
	route6(PFX6, 48, &r);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);

	len = make_udp6(f, PFX6 "7", 64);
	expect_drop(f, 14 + 39, DROP_TRUNCATED);
	f[14] = 0x40; /* version 4 under the IPv6 Ethernet type */
	expect_drop(f, len, DROP_BAD_VERSION6);
	len = make_udp6(f, PFX6 "7", 64);
	f[19] = 13; /* one byte past the frame */
	expect_drop(f, len, DROP_BAD_PAYLOAD_LEN);
	len = make_udp6(f, PFX6 "7", 1);
	expect_drop(f, len, DROP_HOP_LIMIT_EXCEEDED);
	len = make_udp6(f, PFX6 "7", 0);
	expect_drop(f, len, DROP_HOP_LIMIT_EXCEEDED);
	len = make_udp6(f, "2001:db8:200::7", 64);
	expect_drop(f, len, DROP_NO_ROUTE);
	/* a group with no live member */
	len = make_udp6(f, PFX6 "7", 64);
	d.nhg.admin_down[LINK] = 1;
	expect_drop(f, len, DROP_NO_LIVE_NEXTHOP);
	d.nhg.admin_down[LINK] = 0;
	f[12] = 0x88, f[13] = 0xb5; /* neither IPv4 nor IPv6 */
	expect_drop(f, len, DROP_NOT_IP);
	assert_int_equal(fib_route_del(&d, &r), 0);
}

/* Routes of both families live in one table: add, replace, delete, and
 * a sweep that removes the stale ones of either family only. */
static void test_fib_ipv6_route_add_del_sweep(void **state)
{
	struct chan_route a, b, v4 = {.family = AF_INET, .len = 24,
				      .group_id = GROUP};
	uint32_t routes = d.n_routes;

	(void)state;
	inet_pton(AF_INET, "198.51.100.0", v4.prefix);
	route6("2001:db8:a::", 48, &a);
	route6("2001:db8:b::", 64, &b);
	assert_int_equal(lookup6("2001:db8:a::1"), FIB_MISS);
	assert_int_equal(fib_route_add(&d, &a, 5), 0);
	assert_int_equal(fib_route_add(&d, &a, 5), 0); /* replace: no count */
	assert_int_equal(fib_route_add(&d, &b, 6), 0);
	assert_int_equal(d.n_routes6, 2);
	assert_int_equal(d.n_routes, routes + 2);
	assert_int_equal(lookup6("2001:db8:a::1"), GROUP);
	assert_int_equal(lookup6("2001:db8:b::1"), GROUP);
	assert_int_equal(lookup6("2001:db8:b:1::1"), FIB_MISS);

	/* generation 6 keeps b and the IPv4 route (stamped again), not a */
	assert_int_equal(fib_route_add(&d, &v4, 6), 0);
	fib_sweep(&d, 6);
	assert_int_equal(lookup6("2001:db8:a::1"), FIB_MISS);
	assert_int_equal(lookup6("2001:db8:b::1"), GROUP);
	assert_int_equal(d.n_routes6, 1);
	assert_int_equal(d.n_routes, routes + 1);

	assert_int_equal(fib_route_del(&d, &b), 0);
	assert_int_equal(fib_route_del(&d, &b), -ENOENT);
	assert_int_equal(lookup6("2001:db8:b::1"), FIB_MISS);
	assert_int_equal(d.n_routes6, 0);
	assert_int_equal(d.n_routes, routes);
	/* the IPv4 route still forwards */
	test_fwd_ipv4_rewrite_exact_bytes(state);
}

/* ---- what the gateway refuses to forward (issue 19) ---- */

/* The frame F: UDP SRC -> DST (IPv4 text), TTL 64, arriving on FROM
 * (LAN or LINK) addressed to that port's MAC from its neighbour's. */
static unsigned int make_udp4(uint8_t *f, unsigned int from, const char *src,
			      const char *dst)
{
	unsigned int len = dp_testbed_udp4(f, &d.ports[from].mac,
					   from == LAN ? &lan_host_mac
						       : &peer_mac,
					   0x1234, 64);

	assert_int_equal(inet_pton(AF_INET, src, f + 26), 1);
	assert_int_equal(inet_pton(AF_INET, dst, f + 30), 1);
	fix_cksum(f);
	return len;
}

/* The IPv6 frame F from the LAN host, SRC -> DST. */
static unsigned int make_udp6_from(uint8_t *f, const char *src,
				   const char *dst)
{
	unsigned int len = make_udp6(f, dst, 64);

	assert_int_equal(inet_pton(AF_INET6, src, f + 22), 1);
	return len;
}

/* One frame in on FROM, one drop under REASON, nothing sent, no other
 * drop counted. */
static void expect_drop_on(unsigned int from, const uint8_t *f,
			   unsigned int len, enum dp_drop reason)
{
	uint8_t out[2048];
	uint64_t before[DROP_MAX];
	unsigned int r;

	for (r = 0; r < DROP_MAX; r++)
		before[r] = drops((enum dp_drop)r);
	inject(from, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(sent(LAN, out), 0);
	for (r = 0; r < DROP_MAX; r++)
		if (drops((enum dp_drop)r) !=
		    before[r] + (r == (unsigned int)reason))
			fail_msg("drop reason %u: %" PRIu64 " -> %" PRIu64
				 " (reason %u expected)", r, before[r],
				 drops((enum dp_drop)r), (unsigned int)reason);
}

/* F (LEN bytes) in on FROM goes out of TO to DST_MAC, byte for byte: the
 * MACs rewritten, TTL or hop limit - 1 (the IPv4 checksum with it), the
 * first OUT_LEN bytes only. */
static void expect_forward(unsigned int from, unsigned int to,
			   const uint8_t *f, unsigned int len,
			   unsigned int out_len,
			   const struct rte_ether_addr *dst_mac)
{
	uint8_t out[2048], expect[2048];

	memcpy(expect, f, out_len);
	memcpy(expect, dst_mac->addr_bytes, 6);
	memcpy(expect + 6, d.ports[to].mac.addr_bytes, 6);
	if (f[12] == 0x08) {
		expect[14 + 8]--;
		fix_cksum(expect);
	} else {
		expect[14 + 7]--;
	}
	inject(from, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(to, out), out_len);
	assert_memory_equal(out, expect, out_len);
	assert_int_equal(sent(from == to ? LINK + LAN - to : from, out), 0);
}

/* RFC 5095 §3, RFC 8200 §4.1, §4.5, RFC 7045 §2.2: the extension-header
 * chain of an IPv6 packet from the LAN. A Type 0 Routing Header is
 * refused as a source route whatever Segments Left says; a Hop-by-Hop
 * header anywhere but first, or a header running past the packet, as
 * bad_ext6; a type 2 Routing Header, a first Hop-by-Hop header, a long
 * well-formed chain, a chain past the walk's bound and a non-first
 * fragment (its payload is not headers) go out byte for byte. */
static void test_fwd_ipv6_ext_chain(void **state)
{
	static const uint8_t hbh[8] = {17, 0, 1, 4, 0, 0, 0, 0}; /* PadN */
	uint8_t f[256], ext[160];
	struct chan_route r;
	unsigned int len, i;

	(void)state;
	route6(PFX6, 48, &r);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);

	/* RH0 with one address: Segments Left 1, then 0 */
	memset(ext, 0, 24);
	ext[0] = 17, ext[1] = 2, ext[2] = 0, ext[3] = 1;
	inet_pton(AF_INET6, PFX6 "8", ext + 8);
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 43, ext, 24);
	expect_drop_on(LAN, f, len, DROP_SOURCE_ROUTE);
	f[54 + 3] = 0;
	expect_drop_on(LAN, f, len, DROP_SOURCE_ROUTE);
	/* behind a Destination Options header too */
	memmove(ext + 8, ext, 24);
	dstopt(ext, 43);
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 60, ext, 32);
	expect_drop_on(LAN, f, len, DROP_SOURCE_ROUTE);
	/* RFC 6275 §6.4: a type 2 Routing Header goes on untouched */
	memset(ext, 0, 24);
	ext[0] = 17, ext[1] = 2, ext[2] = 2, ext[3] = 1;
	inet_pton(AF_INET6, PFX6 "8", ext + 8);
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 43, ext, 24);
	expect_forward(LAN, LINK, f, len, len, &peer_mac);

	/* Hop-by-Hop first: forwarded; after Destination Options: not */
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 0, hbh, 8);
	expect_forward(LAN, LINK, f, len, len, &peer_mac);
	dstopt(ext, 0);
	memcpy(ext + 8, hbh, 8);
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 60, ext, 16);
	expect_drop_on(LAN, f, len, DROP_BAD_EXT6);

	/* Destination Options of (255 + 1) * 8 bytes in a 74-byte packet */
	dstopt(ext, 17);
	ext[1] = 255;
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 60, ext, 8);
	expect_drop_on(LAN, f, len, DROP_BAD_EXT6);

	/* 12 Destination Options headers: a long chain is no fault */
	for (i = 0; i < 12; i++)
		dstopt(ext + 8 * i, i == 11 ? 17 : 60);
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 60, ext, 96);
	expect_forward(LAN, LINK, f, len, len, &peer_mac);
	/* 16 of them, then a late Hop-by-Hop: past the bound, not walked */
	for (i = 0; i < 16; i++)
		dstopt(ext + 8 * i, i == 15 ? 0 : 60);
	memcpy(ext + 128, hbh, 8);
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 60, ext, 136);
	expect_forward(LAN, LINK, f, len, len, &peer_mac);
	/* 15, then the late Hop-by-Hop: within the bound, refused */
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 60, ext + 8, 128);
	expect_drop_on(LAN, f, len, DROP_BAD_EXT6);

	/* a non-first fragment (offset 8) naming Destination Options: what
	 * follows is payload (here the UDP ports, which read as a header
	 * would claim (0xe8 + 1) * 8 bytes), not walked */
	memset(ext, 0, 8);
	ext[0] = 60, ext[3] = 0x08, ext[7] = 1;
	len = with_ext6(f, make_udp6(f, PFX6 "7", 64), 44, ext, 8);
	expect_forward(LAN, LINK, f, len, len, &peer_mac);
	/* the same as a first fragment: its headers are walked */
	f[54 + 3] = 0x01;
	expect_drop_on(LAN, f, len, DROP_BAD_EXT6);

	assert_int_equal(fib_route_del(&d, &r), 0);
}

/* RFC 1122 §3.3.6, RFC 1812 §5.3.4: only a frame sent to the port's own
 * MAC is routed. Reproducer: Ether(dst=ff:ff:ff:ff:ff:ff)/IP(dst=
 * 198.51.100.10) from the LAN went out of the link. */
static void test_fwd_l2_frame_not_for_us_is_dropped(void **state)
{
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0, 0, 1};
	static const uint8_t other[6] = {0x02, 0xd0, 0, 0, 0, 0xa7};
	uint8_t f[128];
	unsigned int len;

	(void)state;
	len = make_udp4(f, LAN, "198.18.1.10", "198.51.100.10");
	memset(f, 0xff, 6);
	expect_drop_on(LAN, f, len, DROP_L2_BROADCAST);
	memcpy(f, mcast, 6);
	expect_drop_on(LAN, f, len, DROP_L2_MULTICAST);
	memcpy(f, other, 6);
	expect_drop_on(LAN, f, len, DROP_L2_OTHER_HOST);
	/* the gateway's other port's MAC is not this port's */
	memcpy(f, d.ports[LINK].mac.addr_bytes, 6);
	expect_drop_on(LAN, f, len, DROP_L2_OTHER_HOST);
	len = make_udp4(f, LINK, "192.0.2.33", "198.51.100.10");
	memset(f, 0xff, 6);
	expect_drop_on(LINK, f, len, DROP_L2_BROADCAST);
	len = make_udp6(f, PFX6 "7", 64);
	f[0] = 0x33, f[1] = 0x33;                  /* IPv6 multicast MAC */
	expect_drop_on(LAN, f, len, DROP_L2_MULTICAST);
	/* to the port's own MAC: forwarded */
	len = make_udp4(f, LAN, "198.18.1.10", "198.51.100.10");
	expect_forward(LAN, LINK, f, len, len, &peer_mac);
}

/* RFC 1812 §5.3.7, RFC 3927 §7: martian sources and destinations, from
 * the LAN and from the link. Reproducer: IP(src=127.0.0.1,
 * dst=198.51.100.10)/UDP() from the LAN went out of the link. The
 * addresses next to each range are not martian. */
static void test_fwd_ipv4_martian_source_and_destination(void **state)
{
	static const char *const bad[] = {
		"0.0.0.0", "0.255.255.255", "127.0.0.1", "127.255.255.254",
		"169.254.0.1", "169.254.255.255", "224.0.0.1",
		"239.255.255.255", "240.0.0.1", "255.255.255.255",
	};
	static const char *const near[] = {
		"1.0.0.1", "126.255.255.255", "128.0.0.1", "169.253.255.255",
		"169.255.0.0", "223.255.255.254",
	};
	uint8_t f[128];
	unsigned int len, i;

	(void)state;
	assert_int_equal(lan_route(true), 0);
	for (i = 0; i < RTE_DIM(bad); i++) {
		len = make_udp4(f, LAN, bad[i], "198.51.100.10");
		expect_drop_on(LAN, f, len, DROP_MARTIAN_SRC);
		len = make_udp4(f, LINK, bad[i], "198.18.1.10");
		expect_drop_on(LINK, f, len, DROP_MARTIAN_SRC);
		len = make_udp4(f, LAN, "198.18.1.10", bad[i]);
		expect_drop_on(LAN, f, len, DROP_MARTIAN_DST);
		len = make_udp4(f, LINK, "192.0.2.33", bad[i]);
		expect_drop_on(LINK, f, len, DROP_MARTIAN_DST);
	}
	/* no route to these, but they are not martian */
	for (i = 0; i < RTE_DIM(near); i++) {
		len = make_udp4(f, LAN, "198.18.1.10", near[i]);
		expect_drop_on(LAN, f, len, DROP_NO_ROUTE);
	}
	assert_int_equal(lan_route(false), 0);
}

/* RFC 4291 §2.5.2-§2.5.6, §2.7: the unspecified, loopback, IPv4-mapped,
 * link-local and multicast addresses are neither forwarded from nor to. */
static void test_fwd_ipv6_martian_source_and_destination(void **state)
{
	static const char *const bad[] = {
		"::", "::1", "::ffff:192.0.2.1", "fe80::1",
		"febf:ffff::1", "ff02::1", "ff0e::101",
	};
	struct chan_route r;
	uint8_t f[128];
	unsigned int len, i;

	(void)state;
	route6(PFX6, 48, &r);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);
	for (i = 0; i < RTE_DIM(bad); i++) {
		len = make_udp6_from(f, bad[i], PFX6 "7");
		expect_drop_on(LAN, f, len, DROP_MARTIAN_SRC);
		len = make_udp6_from(f, "2001:db8:1::10", bad[i]);
		expect_drop_on(LAN, f, len, DROP_MARTIAN_DST);
	}
	/* fec0::/10 (deprecated site-local) is not link-local: no route */
	len = make_udp6_from(f, "2001:db8:1::10", "fec0::1");
	expect_drop_on(LAN, f, len, DROP_NO_ROUTE);
	len = make_udp6_from(f, "2001:db8:1::10", PFX6 "7");
	expect_forward(LAN, LINK, f, len, len, &peer_mac);
	assert_int_equal(fib_route_del(&d, &r), 0);
}

/* RFC 791 §3.1: a fragment ending past 65535 bytes is dropped before any
 * fragmentation. Reproducer: 1500 bytes, MF, offset 8100 toward a
 * 1400-byte link left as two fragments, the second's offset wrapped
 * into the flags. A last fragment ending exactly at 65535 is refragmented
 * with its offsets intact. */
static void test_fwd_ipv4_fragment_past_64k_is_dropped(void **state)
{
	uint8_t f[1600], hdr[20];
	struct rte_mbuf *m[2];
	unsigned int len;

	(void)state;
	d.ports[LINK].mtu = 1400;
	fwd_mtu_update(&d);
	len = make_big(f, 1500, false);
	f[14 + 6] = 0x20 | (8100 >> 8), f[14 + 7] = 8100 & 0xff;
	fix_cksum(f);
	expect_drop_on(LAN, f, len, DROP_BAD_FRAGMENT);

	/* 8005 * 8 + 1495 = 65535 */
	len = make_big(f, 1495, false);
	f[14 + 6] = 8005 >> 8, f[14 + 7] = 8005 & 0xff;
	fix_cksum(f);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(rte_ring_dequeue_bulk(tb.tx[LINK], (void **)m, 2,
					       NULL), 2);
	assert_int_equal(rte_ring_count(tb.tx[LINK]), 0);
	/* 1376 payload bytes (172 units) with MF, then the other 99 */
	memcpy(hdr, rte_pktmbuf_mtod_offset(m[0], uint8_t *, 14), 20);
	assert_int_equal(hdr[2] << 8 | hdr[3], 1396);
	assert_int_equal(hdr[6] << 8 | hdr[7], 0x2000 | 8005);
	memcpy(hdr, rte_pktmbuf_mtod_offset(m[1], uint8_t *, 14), 20);
	assert_int_equal(hdr[2] << 8 | hdr[3], 20 + 99);
	assert_int_equal(hdr[6] << 8 | hdr[7], 8005 + 172);
	rte_pktmbuf_free_bulk(m, 2);
	d.ports[LINK].mtu = 1500;
	fwd_mtu_update(&d);
}

/* A frame longer than its datagram (Ethernet padding, trailing bytes)
 * leaves trimmed to the datagram. Reproducer: 100 bytes of IPv4 in a
 * 1514-byte frame toward a 1400-byte link went out as 1514 bytes. */
static void test_fwd_padded_frame_is_trimmed(void **state)
{
	struct chan_route r;
	uint8_t f[1600];
	unsigned int len;
	uint64_t tx = d.stats[d.fwd_lcore].tx[LINK];

	(void)state;
	d.ports[LINK].mtu = 1400;
	fwd_mtu_update(&d);
	len = make_big(f, 100, false);
	memset(f + len, 0xee, 1514 - len);
	expect_forward(LAN, LINK, f, 1514, len, &peer_mac);
	assert_int_equal(d.stats[d.fwd_lcore].tx[LINK], tx + 1);
	/* a 60-byte frame around a 46-byte datagram (the minimum padding) */
	len = make_udp(f, 64);
	memset(f + len, 0, 60 - len);
	expect_forward(LAN, LINK, f, 60, len, &peer_mac);
	/* IPv6: 40 + payload length */
	route6(PFX6, 48, &r);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);
	len = make_udp6(f, PFX6 "7", 64);
	memset(f + len, 0xee, 1514 - len);
	expect_forward(LAN, LINK, f, 1514, len, &peer_mac);
	assert_int_equal(fib_route_del(&d, &r), 0);
	d.ports[LINK].mtu = 1500;
	fwd_mtu_update(&d);
}

/* RFC 2644: the broadcast address of a connected subnet is not forwarded
 * to. Reproducer: 198.18.1.255 (the LAN's) from the link reached the LAN.
 * An address that shares its bitmap bit but is no broadcast forwards. */
static void test_fwd_directed_broadcast_is_dropped(void **state)
{
	struct chan_route r = {.family = AF_INET, .len = 24,
			       .group_id = GROUP};
	uint8_t f[128];
	unsigned int len;

	(void)state;
	assert_int_equal(lan_route(true), 0);
	len = make_udp4(f, LINK, "192.0.2.33", "198.18.1.255");
	expect_drop_on(LINK, f, len, DROP_DIRECTED_BROADCAST);
	len = make_udp4(f, LAN, "198.18.1.10", "203.0.113.3");
	expect_drop_on(LAN, f, len, DROP_DIRECTED_BROADCAST);
	/* a legitimate packet from the link, strict: to the LAN host */
	len = make_udp4(f, LINK, "192.0.2.33", "198.18.1.254");
	expect_forward(LINK, LAN, f, len, len, &lan_host_mac);
	/* 198.51.1.255: the same (address >> 2) & 4095 as 198.18.1.255 */
	inet_pton(AF_INET, "198.51.1.0", r.prefix);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);
	len = make_udp4(f, LAN, "198.18.1.10", "198.51.1.255");
	expect_forward(LAN, LINK, f, len, len, &peer_mac);
	assert_int_equal(fib_route_del(&d, &r), 0);
	assert_int_equal(lan_route(false), 0);
}

/* The LAN host's UDP packet with the options OPT (N bytes, a multiple of
 * 4) after its 20-byte header. */
static unsigned int make_opts(uint8_t *f, const uint8_t *opt, unsigned int n)
{
	unsigned int len = make_udp(f, 64);

	memmove(f + 34 + n, f + 34, len - 34);
	memcpy(f + 34, opt, n);
	f[14] = (uint8_t)(0x45 + n / 4);
	f[14 + 3] = (uint8_t)(f[14 + 3] + n);
	fix_cksum(f);
	return len + n;
}

/* RFC 791 §3.1, RFC 7126: source routes refused, a malformed list
 * refused, other options forwarded and counted, or refused with
 * dataplane.ip_options = "drop". */
static void test_fwd_ipv4_options_policy(void **state)
{
	static const uint8_t lsrr[] = {1, 131, 7, 4, 192, 0, 2, 1};
	static const uint8_t ssrr[] = {1, 137, 7, 4, 192, 0, 2, 1};
	static const uint8_t len0[] = {7, 0, 0, 0};
	static const uint8_t past[] = {7, 9, 4, 0};
	static const uint8_t nolen[] = {1, 1, 1, 7};
	static const uint8_t rr[] = {7, 7, 4, 0, 0, 0, 0, 0};
	static const uint8_t eol[] = {0, 131, 0, 0}; /* after EOL: padding */
	uint8_t f[128];
	unsigned int len;
	uint64_t opts = d.stats[d.fwd_lcore].ip_options;

	(void)state;
	len = make_opts(f, lsrr, sizeof(lsrr));
	expect_drop_on(LAN, f, len, DROP_SOURCE_ROUTE);
	len = make_opts(f, ssrr, sizeof(ssrr));
	expect_drop_on(LAN, f, len, DROP_SOURCE_ROUTE);
	len = make_opts(f, len0, sizeof(len0));
	expect_drop_on(LAN, f, len, DROP_BAD_OPTIONS);
	len = make_opts(f, past, sizeof(past));
	expect_drop_on(LAN, f, len, DROP_BAD_OPTIONS);
	len = make_opts(f, nolen, sizeof(nolen));
	expect_drop_on(LAN, f, len, DROP_BAD_OPTIONS);
	assert_int_equal(d.stats[d.fwd_lcore].ip_options, opts);
	len = make_opts(f, rr, sizeof(rr));
	expect_forward(LAN, LINK, f, len, len, &peer_mac);
	len = make_opts(f, eol, sizeof(eol));
	expect_forward(LAN, LINK, f, len, len, &peer_mac);
	assert_int_equal(d.stats[d.fwd_lcore].ip_options, opts + 2);
	d.filter.options_drop = true;
	len = make_opts(f, rr, sizeof(rr));
	expect_drop_on(LAN, f, len, DROP_IP_OPTIONS);
	len = make_opts(f, lsrr, sizeof(lsrr));
	expect_drop_on(LAN, f, len, DROP_SOURCE_ROUTE);
	d.filter.options_drop = false;
	assert_int_equal(d.stats[d.fwd_lcore].ip_options, opts + 2);
}

/* The filter rebuilt from the config with these ingress_filter modes. */
static void ingress_set(enum cfg_ingress lan, enum cfg_ingress link)
{
	filter_free(&d);
	cfg.lan.ingress_filter = lan;
	cfg.links[0].ingress_filter = link;
	assert_int_equal(filter_init(&d), 0);
}

/* A packet FROM (LAN or LINK) with SRC -> DST and what becomes of it:
 * dropped under WHY, or forwarded (DROP_MAX) to the other port. */
struct src_case {
	unsigned int from;
	const char *src, *dst;
	enum dp_drop why;
};

static void src_cases(const struct src_case *c, unsigned int n)
{
	uint8_t f[128];
	unsigned int i, len;

	for (i = 0; i < n; i++) {
		len = make_udp4(f, c[i].from, c[i].src, c[i].dst);
		if (c[i].why != DROP_MAX)
			expect_drop_on(c[i].from, f, len, c[i].why);
		else if (c[i].from == LAN)
			expect_forward(LAN, LINK, f, len, len, &peer_mac);
		else
			expect_forward(LINK, LAN, f, len, len, &lan_host_mac);
	}
}

/* BCP 38 / RFC 3704 strict (the default): from the LAN only the site's
 * sources (LAN subnet, announced prefixes, routes through a LAN router),
 * from the link none of them; the gateway's own addresses from neither. */
static void test_fwd_ingress_strict(void **state)
{
	static const struct src_case c[] = {
		{LAN, "8.8.8.8", "198.51.100.10", DROP_SRC_NOT_SITE},
		{LAN, "203.0.113.2", "198.51.100.10", DROP_SRC_NOT_SITE},
		{LAN, "198.18.1.1", "198.51.100.10", DROP_SRC_OWN},
		{LAN, "203.0.113.1", "198.51.100.10", DROP_SRC_OWN},
		{LAN, "198.19.7.7", "198.51.100.10", DROP_MAX},
		{LAN, "10.20.5.5", "198.51.100.10", DROP_MAX},
		{LAN, "198.18.1.10", "198.51.100.10", DROP_MAX},
		{LINK, "198.18.1.77", "198.18.1.10", DROP_SRC_SPOOFED},
		{LINK, "198.19.0.1", "198.18.1.10", DROP_SRC_SPOOFED},
		{LINK, "10.20.0.1", "198.18.1.10", DROP_SRC_SPOOFED},
		{LINK, "203.0.113.1", "198.18.1.10", DROP_SRC_OWN},
		{LINK, "198.18.1.1", "198.18.1.10", DROP_SRC_OWN},
		{LINK, "203.0.113.2", "198.18.1.10", DROP_MAX},
		{LINK, "8.8.8.8", "198.18.1.10", DROP_MAX},
	};
	uint8_t f[128];
	unsigned int len;

	(void)state;
	ingress_set(CFG_INGRESS_STRICT, CFG_INGRESS_STRICT);
	assert_int_equal(lan_route(true), 0);
	src_cases(c, RTE_DIM(c));
	/* IPv6: the announced 2001:db8:1::/48 is the site */
	len = make_udp6_from(f, "2001:db8:9::1", PFX6 "7");
	expect_drop_on(LAN, f, len, DROP_SRC_NOT_SITE);
	len = make_udp6_from(f, "2001:db8:1::10", PFX6 "7");
	memcpy(f, d.ports[LINK].mac.addr_bytes, 6);
	expect_drop_on(LINK, f, len, DROP_SRC_SPOOFED);
	assert_int_equal(lan_route(false), 0);
}

/* A link's own announce list (links.bgp.announce) is the site too, even
 * when bgp.announce does not repeat it: from the LAN it passes, from the
 * link it is spoofed. */
static void test_fwd_ingress_link_announce(void **state)
{
	static const struct src_case before[] = {
		{LAN, "192.0.2.77", "198.51.100.10", DROP_SRC_NOT_SITE},
	};
	static const struct src_case after[] = {
		{LAN, "192.0.2.77", "198.51.100.10", DROP_MAX},
		{LINK, "192.0.2.77", "198.18.1.10", DROP_SRC_SPOOFED},
		{LAN, "192.0.3.1", "198.51.100.10", DROP_SRC_NOT_SITE},
	};

	(void)state;
	ingress_set(CFG_INGRESS_STRICT, CFG_INGRESS_STRICT);
	assert_int_equal(lan_route(true), 0);
	src_cases(before, RTE_DIM(before));
	cfg.links[0].bgp.has_announce = true;
	cfg.links[0].bgp.announce[0] = addr("192.0.2.0/24");
	cfg.links[0].bgp.n_announce = 1;
	ingress_set(CFG_INGRESS_STRICT, CFG_INGRESS_STRICT);
	src_cases(after, RTE_DIM(after));
	cfg.links[0].bgp.has_announce = false;
	cfg.links[0].bgp.n_announce = 0;
	ingress_set(CFG_INGRESS_STRICT, CFG_INGRESS_STRICT);
	assert_int_equal(lan_route(false), 0);
}

/* The ports' IPv6 addresses (lan.address6, links.local_address6) feed
 * the site table like the IPv4 ones: the LAN's IPv6 subnet is the site
 * (spoofed when it comes from a link), each port's own address is ours
 * (refused from either side). */
static void test_fwd_ingress_strict_ipv6_port_addresses(void **state)
{
	uint8_t f[128];
	unsigned int len;

	(void)state;
	assert_int_equal(cfg_parse_prefix("2001:db8:10::1/64",
					  &cfg.lan.address6), 0);
	assert_int_equal(cfg_parse_prefix("2001:db8:ff::1/64",
					  &cfg.links[0].local_address6), 0);
	ingress_set(CFG_INGRESS_STRICT, CFG_INGRESS_STRICT);
	len = make_udp6_from(f, "2001:db8:10::20", PFX6 "7");
	memcpy(f, d.ports[LINK].mac.addr_bytes, 6);
	expect_drop_on(LINK, f, len, DROP_SRC_SPOOFED);
	len = make_udp6_from(f, "2001:db8:ff::1", PFX6 "7");
	memcpy(f, d.ports[LINK].mac.addr_bytes, 6);
	expect_drop_on(LINK, f, len, DROP_SRC_OWN);
	len = make_udp6_from(f, "2001:db8:10::1", PFX6 "7");
	expect_drop_on(LAN, f, len, DROP_SRC_OWN);
	memset(&cfg.lan.address6, 0, sizeof(cfg.lan.address6));
	memset(&cfg.links[0].local_address6, 0,
	       sizeof(cfg.links[0].local_address6));
	ingress_set(CFG_INGRESS_STRICT, CFG_INGRESS_STRICT);
}

/* loose: only the gateway's own addresses (and martians, always). */
static void test_fwd_ingress_loose(void **state)
{
	static const struct src_case c[] = {
		{LAN, "8.8.8.8", "198.51.100.10", DROP_MAX},
		{LAN, "198.18.1.1", "198.51.100.10", DROP_SRC_OWN},
		{LINK, "198.18.1.77", "198.18.1.10", DROP_MAX},
		{LINK, "203.0.113.1", "198.18.1.10", DROP_SRC_OWN},
	};

	(void)state;
	ingress_set(CFG_INGRESS_LOOSE, CFG_INGRESS_LOOSE);
	assert_int_equal(lan_route(true), 0);
	src_cases(c, RTE_DIM(c));
	assert_int_equal(lan_route(false), 0);
	ingress_set(CFG_INGRESS_STRICT, CFG_INGRESS_STRICT);
}

/* off: no source lookup at all; a spoofed source is forwarded. Martian
 * addresses stay refused (RFC 1812 §5.3.7 is no policy). One port strict
 * and the other off: each as its own. */
static void test_fwd_ingress_off_forwards_spoofed(void **state)
{
	static const struct src_case off[] = {
		{LINK, "198.18.1.77", "198.18.1.10", DROP_MAX},
		{LINK, "198.18.1.1", "198.18.1.10", DROP_MAX},
		{LAN, "8.8.8.8", "198.51.100.10", DROP_MAX},
		{LAN, "127.0.0.1", "198.51.100.10", DROP_MARTIAN_SRC},
	};
	static const struct src_case mixed[] = {
		{LINK, "198.18.1.77", "198.18.1.10", DROP_MAX},
		{LAN, "8.8.8.8", "198.51.100.10", DROP_SRC_NOT_SITE},
	};

	(void)state;
	ingress_set(CFG_INGRESS_OFF, CFG_INGRESS_OFF);
	assert_null(d.filter.site4);
	assert_int_equal(lan_route(true), 0);
	src_cases(off, RTE_DIM(off));
	ingress_set(CFG_INGRESS_STRICT, CFG_INGRESS_OFF);
	src_cases(mixed, RTE_DIM(mixed));
	assert_int_equal(lan_route(false), 0);
	ingress_set(CFG_INGRESS_STRICT, CFG_INGRESS_STRICT);
}

/* GROUP's members besides NH_PEER while test_fwd_four_at_once_as_one_by_one
 * runs: F4_MEMBERS - 1 more nexthops on the link, ids from NH_F4, each
 * with its own MAC, so that the flow hash shows (3 bits of it) in the
 * frames that leave. */
#define NH_F4 20u
#define F4_MEMBERS 8u
/* test_fwd_four_at_once_as_one_by_one's frames */
#define F4_FRAME 80u
#define F4_OUT 16u
/* the burst: two fours (fwd_check4) and one more (one by one); eight
 * sources and more at once in fwd_any_refused */
#define F4_BURST 9u

/* What bursts did: the frames each port sent, in order, and the change
 * in every counter of the lcore. */
struct f4_outcome {
	uint8_t frame[2][F4_OUT][F4_FRAME + 64];
	unsigned int len[2][F4_OUT];
	unsigned int n[2];
	uint64_t counters[offsetof(struct dp_lcore_stats, nh_miss) /
			  sizeof(uint64_t)];
};

/* One frame of the test: its bytes, length and the checksum verdict its
 * mbuf carries (ol_flags). */
struct f4_frame {
	uint8_t b[F4_FRAME];
	unsigned int len;
	uint64_t flags;
};

/* Frames sent since the last call from both ports onto O (their count
 * checked against F4_OUT). The LAN's are ICMP errors: their IPv4 ID
 * counts the answers, so it and the header checksum over it are left
 * out. */
static void f4_collect(struct f4_outcome *o)
{
	unsigned int p;
	struct rte_mbuf *m;

	for (p = 0; p < 2; p++)
		while (rte_ring_dequeue(tb.tx[p], (void **)&m) == 0) {
			uint8_t *f = o->frame[p][o->n[p]];

			assert_true(o->n[p] < F4_OUT);
			o->len[p][o->n[p]] = rte_pktmbuf_pkt_len(m);
			assert_true(o->len[p][o->n[p]] <= F4_FRAME + 64);
			memcpy(f, rte_pktmbuf_mtod(m, void *),
			       o->len[p][o->n[p]]);
			if (p == LAN)
				f[14 + 4] = f[14 + 5] = f[14 + 10] =
					f[14 + 11] = 0;
			o->n[p]++;
			rte_pktmbuf_free(m);
		}
}

/* The N frames F received on the LAN in bursts of BURST (1: each alone,
 * the per-packet path; 4: the four at once): what left, and the
 * counters' change, into O. */
static void f4_run(const struct f4_frame *f, unsigned int n,
		   unsigned int burst, struct f4_outcome *o)
{
	struct dp_lcore_stats before = d.stats[d.fwd_lcore];
	const uint64_t *b = (const uint64_t *)&before;
	const uint64_t *a = (const uint64_t *)&d.stats[d.fwd_lcore];
	unsigned int i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(d.ports[0].pool);

		assert_non_null(m);
		memcpy(rte_pktmbuf_append(m, (uint16_t)f[i].len), f[i].b,
		       f[i].len);
		m->ol_flags |= f[i].flags;
		assert_int_equal(rte_ring_enqueue(tb.rx[LAN], m), 0);
		if ((i + 1) % burst == 0 || i + 1 == n) {
			assert_int_equal(fwd_burst(&d, d.fwd_lcore),
					 (i % burst) + 1);
			f4_collect(o);
		}
	}
	for (i = 0; i < RTE_DIM(o->counters); i++)
		o->counters[i] = a[i] - b[i];
}

/* LAN host -> 198.51.100.X over UDP (PROTO 17), TCP (6) or ICMP (1),
 * ports SPORT -> 2000 where they are. */
static void f4_good(struct f4_frame *f, uint8_t x, uint8_t proto,
		    uint16_t sport)
{
	memset(f, 0, sizeof(*f));
	f->len = make_udp(f->b, 64);
	f->b[14 + 9] = proto;
	f->b[14 + 19] = x;
	f->b[34] = (uint8_t)(sport >> 8);
	f->b[35] = (uint8_t)sport;
	fix_cksum(f->b);
}

/* Variant V of the frame F, a flow of its own for place K: each way a
 * packet can differ from the common IPv4 one that fwd.c checks four at a
 * time, and the edges of what that check passes. 1, or 0 when V is past
 * them. */
static unsigned int f4_variant(struct f4_frame *f, unsigned int v,
			       unsigned int k)
{
	uint8_t *ip = f->b + 14;

	f4_good(f, (uint8_t)(7 + k), 17, (uint16_t)(1000 + k));
	switch (v) {
	case 0: /* the common packet itself */
		break;
	case 1: /* checksum wrong */
		ip[10] ^= 0x40;
		return 1;
	case 2: /* TTL 1: Time Exceeded to the LAN */
		ip[8] = 1;
		break;
	case 3: /* TTL 2: the lowest forwarded */
		ip[8] = 2;
		break;
	case 4: /* martian destinations and sources, first octets */
	case 5:
	case 6:
	case 7:
		ip[16] = (uint8_t[]){127, 169, 224, 255}[v - 4];
		ip[17] = 254;
		break;
	case 8:
		ip[12] = 0;
		break;
	case 9: /* 169.1/16 is no martian: the exact test passes it */
		ip[16] = 169;
		ip[17] = 1;
		break;
	case 10: /* the LAN's broadcast */
		memcpy(ip + 16, (uint8_t[]){198, 18, 1, 255}, 4);
		break;
	case 11: /* first fragment: the 3-tuple hash */
		ip[6] = 0x20;
		break;
	case 12: /* a later fragment: the exact test */
		ip[6] = 0x20;
		ip[7] = 0x01;
		break;
	case 13: /* DF: forwarded as is, the 5-tuple hash */
		ip[6] = 0x40;
		break;
	case 14: /* total length past the frame, then below the header */
		ip[3] = 33;
		break;
	case 15:
		ip[3] = 19;
		break;
	case 16: /* a 22-byte datagram: the ports not whole, 3-tuple */
		ip[3] = 22;
		f->len = 14 + 22;
		break;
	case 17: /* 24 bytes, the ports whole; padded to 60 (trimmed) */
		ip[3] = 24;
		f->len = 60;
		break;
	case 18: /* options (IHL 6), a NOP word */
		memmove(ip + 24, ip + 20, 12);
		memset(ip + 20, 1, 4);
		ip[0] = 0x46;
		ip[3] = 36;
		f->len += 4;
		break;
	case 19: /* version 6 behind the IPv4 type */
		ip[0] = 0x65;
		break;
	case 20: /* another host's frame */
		f->b[5] ^= 1;
		return 1;
	case 21: /* the second source byte of the MAC is not looked at */
		f->b[7] ^= 1;
		return 1;
	case 22: /* ARP, then IPv6 that is no header */
		f->b[13] = 0x06;
		return 1;
	case 23:
		f->b[12] = 0x86, f->b[13] = 0xdd;
		return 1;
	case 24: /* the driver's verdicts: good over a wrong sum, bad over
		  * a right one, none (computed) */
		ip[10] ^= 0x40;
		f->flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD;
		return 1;
	case 25:
		f->flags = RTE_MBUF_F_RX_IP_CKSUM_BAD;
		return 1;
	case 26:
		ip[10] ^= 0x40;
		f->flags = RTE_MBUF_F_RX_IP_CKSUM_NONE;
		return 1;
	case 27: /* shorter than Ethernet and than IPv4 */
		f->len = 13;
		return 1;
	case 28:
		f->len = 14 + 19;
		return 1;
	case 29: /* a source not of the site (ingress strict) */
		ip[12] = 192, ip[13] = 0, ip[14] = 2, ip[15] = 1;
		break;
	default:
		return 0;
	}
	fix_cksum(f->b);
	return 1;
}

/* fwd.c checks the common IPv4 packet four at a time (fwd_check4) and
 * any other one by one, and the sources' site values eight at a time
 * (fwd_any_refused): a burst of nine behaves exactly as its frames one
 * by one, whatever frame stands among eight common ones, and in
 * whichever place: the same frames out of each port in the same order,
 * byte for byte (the member the flow hash picks is in the MAC), and the
 * same change in every counter. */
static void test_fwd_four_at_once_as_one_by_one(void **state)
{
	struct chan_group g8 = {.id = GROUP, .n_primary = F4_MEMBERS,
				.primary = {NH_PEER}};
	struct chan_group g1 = {.id = GROUP, .n_primary = 1,
				.primary = {NH_PEER}};
	static struct f4_outcome one, four;
	struct f4_frame f[F4_BURST];
	unsigned int v, k, p, i, members = 0;

	(void)state;
	/* ICMP errors (TTL 1, no route) answered every time, so that both
	 * runs of a burst send the same: a bucket that does not run dry */
	inet_pton(AF_INET, "198.18.1.1", &d.ports[LAN].ipv4);
	fwd_icmp_rate_set(d.fwd_lcore, 1, 1u << 16);
	assert_int_equal(lan_route(true), 0);
	for (i = 1; i < F4_MEMBERS; i++) {
		g8.primary[i] = NH_F4 + i;
		assert_int_equal(dp_testbed_nexthop(&d, NH_F4 + i, LINK,
						    "203.0.113.3",
						    (uint8_t)(0x10 + i)), 0);
	}
	assert_int_equal(nhg_group_set(&d.nhg, &g8, 1), 0);
	/* common packets of UDP, TCP and ICMP: more than one member, and
	 * alike at once */
	for (i = 0; i < F4_BURST; i++)
		f4_good(&f[i], (uint8_t)(7 + i),
			(uint8_t[]){17, 6, 1}[i % 3], (uint16_t)(1000 + i));
	f4_run(f, F4_BURST, 1, &one);
	f4_run(f, F4_BURST, F4_BURST, &four);
	assert_int_equal(one.n[LINK], F4_BURST);
	for (i = 0; i < F4_BURST; i++)
		members |= 1u << (one.frame[LINK][i][5] & 0x0f);
	assert_true(__builtin_popcount(members) > 1);
	assert_memory_equal(&one, &four, sizeof(one));
	for (v = 0; f4_variant(&f[0], v, 0) != 0; v++)
		for (k = 0; k < F4_BURST; k++) {
			/* variant V in place K, common flows around it */
			for (i = 0, p = 0; i < F4_BURST; i++) {
				if (i == k) {
					f4_variant(&f[i], v, k);
					continue;
				}
				f4_good(&f[i], (uint8_t)(20 + p), 17,
					(uint16_t)(3000 + 7 * p));
				p++;
			}
			f4_run(f, F4_BURST, 1, &one);
			f4_run(f, F4_BURST, F4_BURST, &four);
			if (memcmp(&one, &four, sizeof(one)) != 0)
				fail_msg("variant %u in place %u: a burst "
					 "differs from one by one", v, k);
			/* TTL 1 answered: the answers compared too */
			if (v == 2)
				assert_int_equal(four.n[LAN], 1);
		}
	fwd_icmp_rate_set(d.fwd_lcore, cfg.dataplane.icmp_errors_per_s,
			  cfg.dataplane.icmp_burst);
	assert_int_equal(nhg_group_set(&d.nhg, &g1, 1), 0);
	assert_int_equal(lan_route(false), 0);
}

/* The forwarding lcore's idle back-off: it sleeps only once
 * FWD_IDLE_SPIN_US (here 1000 cycles) have passed since its last packet,
 * then at every empty poll; any packet keeps it spinning again, and
 * dataplane.idle_sleep_us 0 never sleeps. */
static void test_fwd_idle_sleeps_only_after_the_spin_time(void **state)
{
	struct fwd_idle idle = {.sleep_us = 100, .spin_cycles = 1000,
				.last_rx = 4000};
	uint64_t t;

	(void)state;
	assert_false(fwd_idle(&idle, 0, 4999));
	assert_true(fwd_idle(&idle, 0, 5000));
	assert_true(fwd_idle(&idle, 0, 5001)); /* idle: every poll sleeps */
	assert_int_equal(idle.sleeps, 2);
	assert_false(fwd_idle(&idle, 1, 10000)); /* a packet: spin again */
	assert_int_equal(idle.last_rx, 10000);
	for (t = 10001; t < 11000; t += 37)
		assert_false(fwd_idle(&idle, 0, t));
	assert_false(fwd_idle(&idle, 0, 10999));
	assert_false(fwd_idle(&idle, 32, 10999)); /* packets: from here */
	assert_false(fwd_idle(&idle, 0, 11998));
	assert_true(fwd_idle(&idle, 0, 11999));
	assert_int_equal(idle.sleeps, 3);

	idle = (struct fwd_idle){.sleep_us = 0, .spin_cycles = 1000};
	for (t = 0; t < 100000; t += 999)
		assert_false(fwd_idle(&idle, 0, t));
	assert_int_equal(idle.sleeps, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fwd_ipv4_rewrite_exact_bytes),
		cmocka_unit_test(test_fwd_zero_from_the_fib_is_looked_up_again),
		cmocka_unit_test(
			test_fwd_route_changes_beside_lookups_drop_nothing),
		cmocka_unit_test(
			test_fwd_member_mac_change_is_seen_by_the_next_packet),
		cmocka_unit_test(test_fwd_bfd_bit_clear_stops_the_link_next_burst),
		cmocka_unit_test(test_fwd_bfd_periodic_packet_goes_out_on_its_link),
		cmocka_unit_test(test_fwd_bfd_unresolved_peer_is_skipped_and_counted),
		cmocka_unit_test(test_fwd_ipv4_checksum_from_flag_or_computed),
		cmocka_unit_test(test_fwd_ipv6_rewrite_exact_bytes),
		cmocka_unit_test(test_fwd_ipv4_each_drop_reason),
		cmocka_unit_test(test_fwd_ipv4_checksum_either_zero),
		cmocka_unit_test(test_fwd_ipv4_ttl_expiry_answers_time_exceeded),
		cmocka_unit_test(test_fwd_ipv4_time_exceeded_suppressed),
		cmocka_unit_test(test_fwd_ipv4_no_route_answers_net_unreachable),
		cmocka_unit_test(test_fwd_ipv4_time_exceeded_rate_limited),
		cmocka_unit_test(test_fwd_icmp_buckets_are_per_port),
		cmocka_unit_test(test_fwd_ipv4_over_mtu_fragments_or_answers),
		cmocka_unit_test(test_fwd_ipv6_hop_limit_answers_time_exceeded),
		cmocka_unit_test(test_fwd_ipv6_no_route_answers_unreachable),
		cmocka_unit_test(test_fwd_ipv6_over_mtu_answers_packet_too_big),
		cmocka_unit_test(
			test_fwd_ipv6_error_about_icmp6_error_suppressed),
		cmocka_unit_test(test_fwd_ipv6_time_exceeded_suppressed),
		cmocka_unit_test(
			test_fwd_ipv6_multicast_refused_not_too_big),
		cmocka_unit_test(test_fwd_ipv6_errors_share_the_port_bucket),
		cmocka_unit_test(test_fwd_ipv6_each_drop_reason),
		cmocka_unit_test(test_fib_ipv6_route_add_del_sweep),
		cmocka_unit_test(test_fwd_ipv6_ext_chain),
		cmocka_unit_test(test_fwd_l2_frame_not_for_us_is_dropped),
		cmocka_unit_test(test_fwd_ipv4_martian_source_and_destination),
		cmocka_unit_test(test_fwd_ipv6_martian_source_and_destination),
		cmocka_unit_test(test_fwd_ipv4_fragment_past_64k_is_dropped),
		cmocka_unit_test(test_fwd_padded_frame_is_trimmed),
		cmocka_unit_test(test_fwd_directed_broadcast_is_dropped),
		cmocka_unit_test(test_fwd_ipv4_options_policy),
		cmocka_unit_test(test_fwd_ingress_strict),
		cmocka_unit_test(test_fwd_ingress_link_announce),
		cmocka_unit_test(test_fwd_ingress_strict_ipv6_port_addresses),
		cmocka_unit_test(test_fwd_ingress_loose),
		cmocka_unit_test(test_fwd_ingress_off_forwards_spoofed),
		cmocka_unit_test(test_fwd_four_at_once_as_one_by_one),
		cmocka_unit_test(test_fwd_idle_sleeps_only_after_the_spin_time),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
