/* twinpath-dp's packet path on real mbufs (dataplane/fwd.c, fib.c,
 * health.c) with the EAL up and two ring ports (rte_eth_from_rings): the
 * exact bytes of a forwarded IPv4 packet (MACs, TTL, checksum), the BFD
 * verdict taking a link out of forwarding between two bursts, and the
 * periodic BFD packet going out on the link through the forwarding
 * lcore, at most once per interval; each IPv4 drop reason and a header
 * with options; ICMP Time Exceeded (exact bytes, RFC 1812 suppression,
 * rate limit); IPv6: the rewrite, each drop reason, route add/del and
 * the sweep of both families. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_fib6.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "bfd.h"
#include "dp.h"
#include "dp_testbed.h"

#define LINK 0u   /* twinpath port index of the one link */
#define LAN 1u
#define NH_PEER 5u
#define GROUP 3u

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

static struct twp_config cfg;
static struct dp d;
static struct dp_testbed tb;
static struct health_map fake_health; /* the map, without the kernel */

static const struct rte_ether_addr peer_mac = {{0x02, 0x50, 0, 0, 0, 0x02}};
static const struct rte_ether_addr lan_host_mac = {{0x02, 0x10, 0, 0, 0, 1}};

static int setup(void **state)
{
	(void)state;
	cfg.n_links = 1;
	cfg.dataplane.ipv4_routes_max = 1024;
	cfg.dataplane.ipv6_routes_max = 1024;
	cfg.dataplane.icmp_errors_per_s = 100;
	cfg.dataplane.icmp_burst = 10;
	cfg.links[0].bfd.enabled = true;
	d.cfg = &cfg;
	if (dp_testbed_up(&tb, &d, "test_dp_fwd", 64, 1023) != 0 ||
	    dp_testbed_one_link(&d, &fake_health, LINK, NH_PEER, GROUP,
				&peer_mac) != 0)
		return -1;
	/* health_init without bpffs: its ring, the map a plain struct */
	d.bfd_tx_ring = rte_ring_create("t_bfd", 64, 0,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
	return d.bfd_tx_ring == NULL ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
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
	len = make_udp(f, 64);
	f[14 + 16] = 192, f[14 + 17] = 0, f[14 + 18] = 2; /* 192.0.2.7 */
	fix_cksum(f);
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
 * only (no ICMPv6). */
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
	len = make_udp(f, 64);
	f[14 + 16] = 192, f[14 + 17] = 0, f[14 + 18] = 2; /* 192.0.2.7 */
	fix_cksum(f);
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

/* RFC 1812 §4.3.2.7: no ICMP error about an ICMP error, a non-initial
 * fragment, a source that is no single host, a link-layer broadcast, nor
 * from a port without an address; each counted as suppressed, the packet
 * still counted as expired. An echo request is answered. */
static void test_fwd_ipv4_time_exceeded_suppressed(void **state)
{
	uint8_t f[64];
	unsigned int len;
	uint64_t sup = d.stats[d.fwd_lcore].icmp_suppressed;
	uint64_t ttl = drops(DROP_TTL_EXCEEDED), icmp = icmp_sent_lan();

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
	len = make_udp(f, 1);                      /* from 127.0.0.1 */
	f[14 + 12] = 127, f[14 + 13] = 0, f[14 + 14] = 0, f[14 + 15] = 1;
	fix_cksum(f);
	inject(LAN, f, len);
	len = make_udp(f, 1);                      /* Ethernet broadcast */
	memset(f, 0xff, 6);
	inject(LAN, f, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent_count(LAN) + sent_count(LINK), 0);
	assert_int_equal(d.stats[d.fwd_lcore].icmp_suppressed, sup + 4);

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
	assert_int_equal(d.stats[d.fwd_lcore].icmp_suppressed, sup + 5);
	assert_int_equal(drops(DROP_TTL_EXCEEDED), ttl + 6);
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
 * over it is counted (no ICMPv6 yet). */
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
	assert_int_equal(lookup6("2001:db8:a::1"), FIB_NO_ROUTE);
	assert_int_equal(fib_route_add(&d, &a, 5), 0);
	assert_int_equal(fib_route_add(&d, &a, 5), 0); /* replace: no count */
	assert_int_equal(fib_route_add(&d, &b, 6), 0);
	assert_int_equal(d.n_routes6, 2);
	assert_int_equal(d.n_routes, routes + 2);
	assert_int_equal(lookup6("2001:db8:a::1"), GROUP);
	assert_int_equal(lookup6("2001:db8:b::1"), GROUP);
	assert_int_equal(lookup6("2001:db8:b:1::1"), FIB_NO_ROUTE);

	/* generation 6 keeps b and the IPv4 route (stamped again), not a */
	assert_int_equal(fib_route_add(&d, &v4, 6), 0);
	fib_sweep(&d, 6);
	assert_int_equal(lookup6("2001:db8:a::1"), FIB_NO_ROUTE);
	assert_int_equal(lookup6("2001:db8:b::1"), GROUP);
	assert_int_equal(d.n_routes6, 1);
	assert_int_equal(d.n_routes, routes + 1);

	assert_int_equal(fib_route_del(&d, &b), 0);
	assert_int_equal(fib_route_del(&d, &b), -ENOENT);
	assert_int_equal(lookup6("2001:db8:b::1"), FIB_NO_ROUTE);
	assert_int_equal(d.n_routes6, 0);
	assert_int_equal(d.n_routes, routes);
	/* the IPv4 route still forwards */
	test_fwd_ipv4_rewrite_exact_bytes(state);
}

/* The forwarding lcore's idle back-off: it sleeps only after
 * FWD_IDLE_POLLS empty polls in a row, any packet keeps it spinning, and
 * dataplane.idle_sleep_us 0 never sleeps. */
static void test_fwd_idle_sleeps_only_after_empty_polls(void **state)
{
	struct fwd_idle idle = {.sleep_us = 100};
	unsigned int i;

	(void)state;
	for (i = 1; i < FWD_IDLE_POLLS; i++)
		assert_false(fwd_idle(&idle, 0));
	assert_true(fwd_idle(&idle, 0));
	assert_true(fwd_idle(&idle, 0)); /* idle: every poll sleeps */
	assert_int_equal(idle.sleeps, 2);
	assert_false(fwd_idle(&idle, 1)); /* a packet: spin again */
	for (i = 1; i < FWD_IDLE_POLLS; i++)
		assert_false(fwd_idle(&idle, 0));
	assert_false(fwd_idle(&idle, 32));
	assert_int_equal(idle.sleeps, 2);

	idle = (struct fwd_idle){.sleep_us = 0};
	for (i = 0; i < 4 * FWD_IDLE_POLLS; i++)
		assert_false(fwd_idle(&idle, 0));
	assert_int_equal(idle.sleeps, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fwd_ipv4_rewrite_exact_bytes),
		cmocka_unit_test(
			test_fwd_member_mac_change_is_seen_by_the_next_packet),
		cmocka_unit_test(test_fwd_bfd_bit_clear_stops_the_link_next_burst),
		cmocka_unit_test(test_fwd_bfd_periodic_packet_goes_out_on_its_link),
		cmocka_unit_test(test_fwd_bfd_unresolved_peer_is_skipped_and_counted),
		cmocka_unit_test(test_fwd_ipv4_checksum_from_flag_or_computed),
		cmocka_unit_test(test_fwd_ipv6_rewrite_exact_bytes),
		cmocka_unit_test(test_fwd_ipv4_each_drop_reason),
		cmocka_unit_test(test_fwd_ipv4_ttl_expiry_answers_time_exceeded),
		cmocka_unit_test(test_fwd_ipv4_time_exceeded_suppressed),
		cmocka_unit_test(test_fwd_ipv4_no_route_answers_net_unreachable),
		cmocka_unit_test(test_fwd_ipv4_time_exceeded_rate_limited),
		cmocka_unit_test(test_fwd_ipv4_over_mtu_fragments_or_answers),
		cmocka_unit_test(test_fwd_ipv6_each_drop_reason),
		cmocka_unit_test(test_fib_ipv6_route_add_del_sweep),
		cmocka_unit_test(test_fwd_idle_sleeps_only_after_empty_polls),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
