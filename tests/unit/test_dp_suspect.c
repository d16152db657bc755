/* Link suspicion in twinpath-dp (fwd.c, health.c) on the EAL test bed
 * with two links and a LAN: a suspected link's flows leave on the other
 * link from the next burst while the other link's flows stay where they
 * were, a prefix only the suspected link reaches still goes out on it,
 * and the main lcore's observations (health_suspect_observe) are the
 * forwarding lcores' counters and the health map's session, exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_testbed.h"
#include "susflow.h"

#define LINK1 0u
#define LINK2 1u
#define LAN 2u
#define NH1 5u
#define NH2 6u
#define GROUP_BOTH 3u   /* 198.51.100.0/24 over both links */
#define GROUP_ONE 4u    /* 192.0.2.0/24 over link1 alone */
#define NH_LAN 7u
#define GROUP_LAN 8u    /* 198.18.1.0/24 on the LAN */
#define FLOWS 64u

volatile bool dp_quit;

static struct twp_config cfg;
static struct dp d;
static struct dp_testbed tb;
static struct health_map fake_health;

static const struct rte_ether_addr lan_host_mac = {{0x02, 0x10, 0, 0, 0, 1}};

static int route(const char *prefix, uint32_t group)
{
	struct chan_route r = {.family = AF_INET, .len = 24,
			       .group_id = group};

	inet_pton(AF_INET, prefix, r.prefix);
	return fib_route_add(&d, &r, 1);
}

static int route6(const char *prefix, uint32_t group)
{
	struct chan_route r = {.family = AF_INET6, .len = 48,
			       .group_id = group};

	inet_pton(AF_INET6, prefix, r.prefix);
	return fib_route_add(&d, &r, 1);
}

static int setup(void **state)
{
	struct chan_group both = {.id = GROUP_BOTH, .n_primary = 2,
				  .primary = {NH1, NH2}};
	struct chan_group one = {.id = GROUP_ONE, .n_primary = 1,
				 .primary = {NH1}};
	struct chan_group lan = {.id = GROUP_LAN, .n_primary = 1,
				 .primary = {NH_LAN}};

	(void)state;
	cfg.n_links = 2;
	cfg.dataplane.ipv4_routes_max = 1024;
	cfg.dataplane.ipv6_routes_max = 1024;
	cfg.links[0].bfd.enabled = true;
	cfg.links[1].bfd.enabled = true;
	d.cfg = &cfg;
	if (dp_testbed_up_ports(&tb, &d, "test_dp_suspect", 256, 1023, 3) != 0 ||
	    dp_testbed_nexthop(&d, NH1, LINK1, "203.0.113.2", 1) != 0 ||
	    dp_testbed_nexthop(&d, NH2, LINK2, "203.0.113.6", 2) != 0 ||
	    nhg_group_set(&d.nhg, &both, 1) != 0 ||
	    nhg_group_set(&d.nhg, &one, 1) != 0 ||
	    route("198.51.100.0", GROUP_BOTH) != 0 ||
	    route("192.0.2.0", GROUP_ONE) != 0 ||
	    dp_testbed_nexthop(&d, NH_LAN, LAN, "198.18.1.10", 0x10) != 0 ||
	    nhg_group_set(&d.nhg, &lan, 1) != 0 ||
	    route("198.18.1.0", GROUP_LAN) != 0 ||
	    route6("2001:db8:64::", GROUP_BOTH) != 0 ||
	    route6("2001:db8:1::", GROUP_LAN) != 0)
		return -1;
	d.health = &fake_health;
	d.health_fd = -1;
	d.nhg.bfd_ports = 0x3;
	fake_health.live_mask = 0x3;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	dp_testbed_down();
	return 0;
}

/* One burst of the forwarding lcore, and the main lcore's drain of its
 * sampled packets into the flow table (its tick's first step). */
static void burst(void)
{
	fwd_burst(&d, d.fwd_lcore);
	health_suspect_drain(&d);
}

/* Flow F (UDP source port 1000 + F) from SRC (host order) on the LAN
 * to DST (198.51.100.7, or 192.0.2.7 if DST_NET). */
static void inject_src(uint32_t src, uint8_t dst_net, unsigned int f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(d.ports[0].pool);
	uint8_t fr[64];
	unsigned int len = dp_testbed_udp4(fr, &d.ports[LAN].mac,
					   &lan_host_mac, 1, 64);
	uint16_t c, sport = (uint16_t)(1000 + f);

	assert_non_null(m);
	fr[14 + 12] = (uint8_t)(src >> 24), fr[14 + 13] = (uint8_t)(src >> 16);
	fr[14 + 14] = (uint8_t)(src >> 8), fr[14 + 15] = (uint8_t)src;
	if (dst_net != 0)     /* 192.0.2.7 instead of 198.51.100.7 */
		fr[14 + 16] = 192, fr[14 + 17] = 0, fr[14 + 18] = 2;
	c = dp_testbed_ip_cksum(fr + 14);
	fr[14 + 10] = (uint8_t)(c >> 8);
	fr[14 + 11] = (uint8_t)c;
	fr[34] = (uint8_t)(sport >> 8);
	fr[35] = (uint8_t)sport;
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), fr, len);
	assert_int_equal(rte_ring_enqueue(tb.rx[LAN], m), 0);
}

/* Flow F from the LAN host 198.18.1.10. */
static void inject(uint8_t dst_net, unsigned int f)
{
	inject_src(0xc612010au, dst_net, f);
}

/* The link flow F left on (or 0xff for none), one burst of the
 * forwarding lcore alone: its sampled packets stay in the ring. */
static uint8_t link_of_undrained(uint8_t dst_net, unsigned int f)
{
	struct rte_mbuf *m;
	uint8_t out = 0xff;
	unsigned int p;

	inject(dst_net, f);
	fwd_burst(&d, d.fwd_lcore);
	for (p = LINK1; p <= LINK2; p++)
		while (rte_ring_dequeue(tb.tx[p], (void **)&m) == 0) {
			assert_int_equal(out, 0xff);
			out = (uint8_t)p;
			rte_pktmbuf_free(m);
		}
	return out;
}

/* The same, and the main lcore's drain after it. */
static uint8_t link_of(uint8_t dst_net, unsigned int f)
{
	uint8_t out = link_of_undrained(dst_net, f);

	health_suspect_drain(&d);
	return out;
}

static void test_dp_suspect_moves_only_the_suspected_links_flows(void **st)
{
	uint8_t before[FLOWS];
	unsigned int f, on1 = 0;

	(void)st;
	for (f = 0; f < FLOWS; f++) {
		before[f] = link_of(0, f);
		assert_true(before[f] == LINK1 || before[f] == LINK2);
		on1 += before[f] == LINK1;
	}
	assert_true(on1 > 0 && on1 < FLOWS);
	/* the main lcore suspects link1: from the next burst every flow
	 * is on link2, and link2's own never moved */
	__atomic_store_n(&d.suspect_ports, 1u << LINK1, __ATOMIC_RELAXED);
	for (f = 0; f < FLOWS; f++)
		assert_int_equal(link_of(0, f), LINK2);
	/* cleared: each flow back on its own link */
	__atomic_store_n(&d.suspect_ports, 0, __ATOMIC_RELAXED);
	for (f = 0; f < FLOWS; f++)
		assert_int_equal(link_of(0, f), before[f]);
}

static void test_dp_suspect_link_still_carries_what_only_it_reaches(void **st)
{
	uint64_t no_live = d.stats[d.fwd_lcore].drop[DROP_NO_LIVE_NEXTHOP];

	(void)st;
	__atomic_store_n(&d.suspect_ports, 1u << LINK1, __ATOMIC_RELAXED);
	assert_int_equal(link_of(1, 0), LINK1);
	/* BFD Down is another matter: nothing is live */
	fake_health.live_mask = 1u << LINK2;
	assert_int_equal(link_of(1, 0), 0xff);
	assert_int_equal(d.stats[d.fwd_lcore].drop[DROP_NO_LIVE_NEXTHOP],
			 no_live + 1);
	fake_health.live_mask = 0x3;
	__atomic_store_n(&d.suspect_ports, 0, __ATOMIC_RELAXED);
}

static void test_dp_suspect_observations_are_exact(void **st)
{
	struct suspect_obs o[2];
	struct health_link *hl = &fake_health.link[LINK2];

	(void)st;
	d.stats[d.fwd_lcore].rx[LINK1] = 1000;
	d.stats[d.fwd_lcore].rx[LINK2] = 7;
	hl->state = BFD_STATE_UP;
	hl->last_rx_ns = 123456789;
	hl->remote_min_tx_us = 300000;   /* the peer's Desired Min TX */
	hl->required_min_rx_us = 50000;  /* our Required Min RX */
	hl->detect_time_us = 900000;
	fake_health.live_mask = 1u << LINK2;
	health_suspect_observe(&d, o, 2);
	assert_int_equal(o[0].rx_total, 1000);
	assert_false(o[0].live);
	assert_false(o[0].bfd_up);
	assert_int_equal(o[1].rx_total, 7);
	assert_true(o[1].live);
	assert_true(o[1].bfd_up);
	assert_int_equal(o[1].bfd_last_rx_ns, 123456789);
	/* RFC 5880 §6.8.7: it sends at the larger of the two */
	assert_int_equal(o[1].bfd_interval_us, 300000);
	assert_int_equal(o[1].bfd_detect_us, 900000);
	hl->required_min_rx_us = 500000;
	health_suspect_observe(&d, o, 2);
	assert_int_equal(o[1].bfd_interval_us, 500000);
	fake_health.live_mask = 0x3;
}

/* The answer to flow F: 198.51.100.7:2000 -> 198.18.1.10:1000+F, in
 * on link P. */
static void inject_answer(unsigned int p, unsigned int f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(d.ports[0].pool);
	static const struct rte_ether_addr peer = {{0x02, 0x50, 0, 0, 0, 1}};
	uint8_t fr[64], ip[4];
	unsigned int len = dp_testbed_udp4(fr, &d.ports[p].mac, &peer, 2, 64);
	uint16_t c, dport = (uint16_t)(1000 + f);

	assert_non_null(m);
	memcpy(ip, fr + 14 + 12, 4);           /* swap the addresses */
	memcpy(fr + 14 + 12, fr + 14 + 16, 4);
	memcpy(fr + 14 + 16, ip, 4);
	c = dp_testbed_ip_cksum(fr + 14);
	fr[14 + 10] = (uint8_t)(c >> 8);
	fr[14 + 11] = (uint8_t)c;
	fr[34] = 0x07, fr[35] = 0xd0;           /* 2000 */
	fr[36] = (uint8_t)(dport >> 8);
	fr[37] = (uint8_t)dport;
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), fr, len);
	assert_int_equal(rte_ring_enqueue(tb.rx[p], m), 0);
}

static void test_dp_suspect_sampled_flow_is_noted_both_ways(void **st)
{
	const struct susflow_table *t;
	const struct susflow_entry *e;
	struct rte_mbuf *m = NULL;
	uint32_t h;
	uint8_t link;

	(void)st;
	cfg.links[0].suspect.enabled = true;
	cfg.links[1].suspect.enabled = true;
	assert_int_equal(health_suspect_init(&d), 0);
	assert_int_equal(fwd_init_lcore(&d, d.fwd_lcore), 0);
	t = d.flows;
	assert_non_null(t);
	/* 1009 ^ 2000 ends in 0x21: not sampled; 1008 ^ 2000, 0x20: one
	 * in 16 of such port pairs is */
	link_of(0, 9);
	assert_int_equal(t->noted, 0);
	link = link_of(0, 8);
	assert_int_equal(t->noted, 1);
	h = susflow_hash4(0xc612010au, 0xc6336407u, 1008u << 16 | 2000u);
	e = &t->e[(h >> 10) & (SUSFLOW_SLOTS - 1)];
	assert_int_equal(e->link, link);
	assert_int_equal(e->proto, IPPROTO_UDP);
	assert_int_equal(e->remote, 0xc6336407u);
	assert_int_not_equal(e->pending_tsc, 0);
	assert_int_equal(e->twoway, 0);
	/* the answer, on the other link: the flow is two-way */
	inject_answer(link == LINK1 ? LINK2 : LINK1, 8);
	burst();
	assert_int_equal(rte_ring_dequeue(tb.tx[LAN], (void **)&m), 0);
	rte_pktmbuf_free(m);
	assert_int_equal(t->noted, 2);
	assert_int_equal(e->twoway, 1);
	assert_int_equal(e->pending_tsc, 0);
	assert_int_not_equal(e->in_tsc, 0);
	health_suspect_free(&d);
	assert_int_equal(fwd_init_lcore(&d, d.fwd_lcore), 0);
	cfg.links[0].suspect.enabled = false;
	cfg.links[1].suspect.enabled = false;
}

/* The suspect { } of links ON (bit = link) taken up as twinpath-dp
 * starts: the flow table, the rings and the forwarding lcore's copy. */
static void suspect_on(uint32_t on)
{
	health_suspect_free(&d);
	cfg.links[LINK1].suspect.enabled = (on >> LINK1) & 1u;
	cfg.links[LINK2].suspect.enabled = (on >> LINK2) & 1u;
	assert_int_equal(health_suspect_init(&d), 0);
	assert_int_equal(fwd_init_lcore(&d, d.fwd_lcore), 0);
}

/* The answer to flow F comes to the LAN. */
static void answer_through(unsigned int p, unsigned int f)
{
	struct rte_mbuf *m = NULL;

	inject_answer(p, f);
	burst();
	assert_int_equal(rte_ring_dequeue(tb.tx[LAN], (void **)&m), 0);
	rte_pktmbuf_free(m);
}

static void test_dp_suspect_flows_sampled_only_out_of_links_with_it(void **st)
{
	const struct susflow_table *t;
	const struct susflow_entry *e;
	uint32_t h = susflow_hash4(0xc612010au, 0xc6336407u,
				   1008u << 16 | 2000u);
	uint8_t link, other;

	(void)st;
	/* no link with suspect { }: no table, nothing noted */
	suspect_on(0);
	assert_null(d.flows);
	assert_int_equal(d.flow_links, 0);
	link = link_of(0, 8);   /* flow 8 is sampled (see above) */
	assert_true(link == LINK1 || link == LINK2);
	other = link == LINK1 ? LINK2 : LINK1;
	/* suspect { } on the other link only: flow 8 leaves on a link
	 * without it and is not noted; its answer, on any link, is */
	suspect_on(1u << other);
	assert_int_equal(d.flow_links, 1u << other);
	t = d.flows;
	assert_non_null(t);
	e = &t->e[(h >> 10) & (SUSFLOW_SLOTS - 1)];
	assert_int_equal(link_of(0, 8), link);
	assert_int_equal(t->noted, 0);
	assert_int_equal(e->addrs, 0);
	answer_through(other, 8);
	assert_int_equal(t->noted, 1);
	assert_int_equal(e->link, SUSFLOW_NO_LINK);
	assert_int_equal(e->out_tsc, 0);
	/* ... and on its own link: noted, with the link */
	suspect_on(1u << link);
	t = d.flows;
	e = &t->e[(h >> 10) & (SUSFLOW_SLOTS - 1)];
	assert_int_equal(link_of(0, 8), link);
	assert_int_equal(t->noted, 1);
	assert_int_equal(e->link, link);
	suspect_on(0);
	assert_null(d.flows);
}

/* Source validation drops packets from the middle of a burst
 * (fwd_refuse): the sample of each packet left moves with it. A spoofed
 * packet first, then sampled flow 8: flow 8 is noted. Spoofed flow 8
 * first, then flow 9 (not sampled): nothing is noted. */
static void test_dp_suspect_sample_follows_packets_past_refused_ones(void **st)
{
	const struct susflow_table *t;
	uint64_t refused;
	uint32_t h = susflow_hash4(0xc612010au, 0xc6336407u,
				   1008u << 16 | 2000u);
	uint8_t link;

	(void)st;
	suspect_on(1u << LINK1 | 1u << LINK2);
	t = d.flows;
	assert_int_equal(cfg_parse_prefix("198.18.1.1/24", &cfg.lan.address),
			 0);
	cfg.lan.ingress_filter = CFG_INGRESS_STRICT;
	assert_int_equal(filter_init(&d), 0);
	refused = d.stats[d.fwd_lcore].drop[DROP_SRC_NOT_SITE];
	/* a valid, sampled packet behind a refused one */
	inject_src(0x08080808u, 0, 9);    /* 8.8.8.8: not the site's */
	link = link_of(0, 8);
	assert_true(link == LINK1 || link == LINK2);
	assert_int_equal(d.stats[d.fwd_lcore].drop[DROP_SRC_NOT_SITE],
			 refused + 1);
	assert_int_equal(t->noted, 1);
	assert_int_equal(t->e[(h >> 10) & (SUSFLOW_SLOTS - 1)].link, link);
	/* a refused sampled packet, then a valid one not sampled */
	inject_src(0x08080808u, 0, 8);
	assert_int_not_equal(link_of(0, 9), 0xff);
	assert_int_equal(d.stats[d.fwd_lcore].drop[DROP_SRC_NOT_SITE],
			 refused + 2);
	assert_int_equal(t->noted, 1);
	filter_free(&d);
	cfg.lan.ingress_filter = CFG_INGRESS_OFF;
	memset(&cfg.lan.address, 0, sizeof(cfg.lan.address));
	assert_int_equal(filter_init(&d), 0);
	suspect_on(0);
}

static const uint8_t site6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,
				  0, 0, 0, 0, 0, 0, 0, 0x10};
static const uint8_t remote6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0,
				    0, 0, 0, 0, 0, 0, 0, 0x07};

/* UDP over IPv6 SRC:SPORT -> DST:DPORT, into port P (to its MAC),
 * after a Destination Options header (8 bytes of PadN) if DSTOPTS. */
static void inject6(unsigned int p, const uint8_t *src, const uint8_t *dst,
		    uint16_t sport, uint16_t dport, bool dstopts)
{
	static const struct rte_ether_addr peer = {{0x02, 0x50, 0, 0, 0, 1}};
	struct rte_mbuf *m = rte_pktmbuf_alloc(d.ports[0].pool);
	const struct rte_ether_addr *from = p == LAN ? &lan_host_mac : &peer;
	unsigned int o = 54, len;
	uint8_t f[80];

	assert_non_null(m);
	memset(f, 0, sizeof(f));
	memcpy(f, d.ports[p].mac.addr_bytes, 6);
	memcpy(f + 6, from->addr_bytes, 6);
	f[12] = 0x86, f[13] = 0xdd;
	f[14] = 0x60;
	f[19] = dstopts ? 20 : 12;                  /* payload length */
	f[20] = dstopts ? IPPROTO_DSTOPTS : IPPROTO_UDP;
	f[21] = 64;                                 /* hop limit */
	memcpy(f + 22, src, 16);
	memcpy(f + 38, dst, 16);
	if (dstopts) {   /* RFC 8200 §4.6: next UDP, 8 bytes, PadN of 6 */
		f[54] = IPPROTO_UDP, f[55] = 0, f[56] = 1, f[57] = 4;
		o += 8;
	}
	f[o] = (uint8_t)(sport >> 8), f[o + 1] = (uint8_t)sport;
	f[o + 2] = (uint8_t)(dport >> 8), f[o + 3] = (uint8_t)dport;
	f[o + 5] = 12;                              /* UDP length */
	memcpy(f + o + 8, "ping", 4);
	len = o + 12;
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	assert_int_equal(rte_ring_enqueue(tb.rx[p], m), 0);
}

/* One burst; the port what was received left on (0xff: none). */
static uint8_t through(void)
{
	struct rte_mbuf *m;
	uint8_t out = 0xff;
	unsigned int p;

	burst();
	for (p = LINK1; p <= LAN; p++)
		while (rte_ring_dequeue(tb.tx[p], (void **)&m) == 0) {
			assert_int_equal(out, 0xff);
			out = (uint8_t)p;
			rte_pktmbuf_free(m);
		}
	return out;
}

/* An IPv6 flow through fwd: out of the LAN, answered on the other link
 * (the answer counts wherever it comes), then its answers stop: the
 * flow's link has one unanswered flow once its wait passes 20 ms, on
 * the clock the forwarding lcore noted its packets with; with a
 * Destination Options header before UDP, the same. */
static void ipv6_flow_unanswered(bool dstopts, uint16_t sport)
{
	const uint64_t hz = rte_get_tsc_hz();
	uint64_t bound = hz / 1000 * 20;          /* max(20 ms, 4 x srtt) */
	uint32_t ports = (uint32_t)sport << 16 | 2000u;
	uint32_t h = susflow_hash6(site6, remote6, ports);
	struct susflow_table *t;
	const struct susflow_entry *e;
	struct suspect_obs o[2];
	uint8_t link, other;
	uint64_t noted;

	suspect_on(1u << LINK1 | 1u << LINK2);
	t = d.flows;
	e = &t->e[(h >> 10) & (SUSFLOW_SLOTS - 1)];
	inject6(LAN, site6, remote6, sport, 2000, dstopts);
	link = through();
	assert_true(link == LINK1 || link == LINK2);
	other = link == LINK1 ? LINK2 : LINK1;
	assert_int_equal(t->noted, 1);
	assert_int_equal(e->v6, 1);
	assert_int_equal(e->proto, IPPROTO_UDP);
	assert_int_equal(e->link, link);
	assert_int_equal(e->remote, susflow_remote6(remote6));
	assert_int_equal(e->twoway, 0);
	assert_int_not_equal(e->pending_tsc, 0);
	inject6(other, remote6, site6, 2000, sport, dstopts);
	assert_int_equal(through(), LAN);
	assert_int_equal(t->noted, 2);
	assert_int_equal(e->twoway, 1);
	assert_int_equal(e->pending_tsc, 0);
	/* while it is answered, nothing waits */
	susflow_scan(t, e->in_tsc + hz, hz, o, 2);
	assert_int_equal(o[link].unanswered, 0);
	/* out again, no answer: past the bound it counts on its link */
	inject6(LAN, site6, remote6, sport, 2000, dstopts);
	assert_int_equal(through(), link);
	assert_int_equal(t->noted, 3);
	/* its answer time was the forwarding's (some microseconds, more
	 * under valgrind or a sanitizer): the bound is what it makes */
	if (e->srtt_tsc * SUSFLOW_RTT_MULT > bound)
		bound = e->srtt_tsc * SUSFLOW_RTT_MULT;
	susflow_scan(t, e->pending_tsc + bound, hz, o, 2);
	assert_int_equal(o[link].unanswered, 0);
	susflow_scan(t, e->pending_tsc + bound + 1, hz, o, 2);
	assert_int_equal(o[link].unanswered, 1);
	assert_int_equal(o[link].unanswered_remotes, 1);
	assert_int_equal(o[other].unanswered, 0);
	/* a flow of the other 15 in 16 is not noted */
	noted = t->noted;
	inject6(LAN, site6, remote6, (uint16_t)(sport + 1), 2000, dstopts);
	assert_int_not_equal(through(), 0xff);
	assert_int_equal(t->noted, noted);
	suspect_on(0);
}

static void test_dp_suspect_ipv6_flow_unanswered_on_its_link(void **st)
{
	(void)st;
	ipv6_flow_unanswered(false, 1008);
}

static void test_dp_suspect_ipv6_after_extension_headers(void **st)
{
	(void)st;
	ipv6_flow_unanswered(true, 1024);
}

/* A forwarding lcore whose ring is full keeps nothing of its sampled
 * packets and counts them; nothing is noted of them, and once the main
 * lcore has drained the ring, the next one is noted again. */
static void test_dp_suspect_full_ring_drops_and_counts(void **st)
{
	const struct susflow_burst empty = {.tsc = 1};
	struct rte_ring *r;
	const struct susflow_table *t;
	uint64_t *dropped = &d.stats[d.fwd_lcore].susflow_dropped;
	uint64_t before = *dropped;
	unsigned int free_elems;

	(void)st;
	suspect_on(1u << LINK1 | 1u << LINK2);
	t = d.flows;
	r = d.flow_ring[d.fwd_lcore];
	assert_non_null(r);
	/* the ring filled with empty bursts but for 3 elements: a sampled
	 * IPv4 packet's burst needs 4 (its header and its record) */
	free_elems = rte_ring_free_count(r);
	while (free_elems-- > 3)
		assert_int_equal(rte_ring_sp_enqueue_bulk_elem(r, &empty,
			SUSFLOW_ELEM, 1, NULL), 1);
	fwd_burst(&d, d.fwd_lcore);          /* nothing sampled: no change */
	assert_int_not_equal(link_of_undrained(0, 8), 0xff);
	assert_int_equal(*dropped, before + 1);
	assert_int_not_equal(link_of_undrained(0, 8), 0xff);
	assert_int_equal(*dropped, before + 2);
	/* a flow not sampled takes nothing from the ring */
	assert_int_not_equal(link_of_undrained(0, 9), 0xff);
	assert_int_equal(*dropped, before + 2);
	health_suspect_drain(&d);
	assert_int_equal(rte_ring_count(r), 0);
	assert_int_equal(t->noted, 0);
	/* drained: kept and noted again */
	assert_int_not_equal(link_of(0, 8), 0xff);
	assert_int_equal(*dropped, before + 2);
	assert_int_equal(t->noted, 1);
	suspect_on(0);
}

/* At the ring's wrap the room a burst could need is not in one piece:
 * its records go through a buffer and one bulk enqueue, and are noted
 * the same. */
static void test_dp_suspect_records_across_the_rings_wrap(void **st)
{
	const struct susflow_burst empty = {.tsc = 1};
	const struct susflow_table *t;
	uint64_t dropped = d.stats[d.fwd_lcore].susflow_dropped;
	struct rte_ring *r;
	unsigned int i;

	(void)st;
	suspect_on(1u << LINK1 | 1u << LINK2);
	t = d.flows;
	r = d.flow_ring[d.fwd_lcore];
	/* the ring's next element 2 before its end: a sampled IPv4 burst
	 * needs 4 (its header and its record) */
	for (i = 0; i < rte_ring_get_size(r) - 2; i++) {
		assert_int_equal(rte_ring_sp_enqueue_bulk_elem(r, &empty,
			SUSFLOW_ELEM, 1, NULL), 1);
		health_suspect_drain(&d);
	}
	assert_int_not_equal(link_of(0, 8), 0xff);
	assert_int_equal(d.stats[d.fwd_lcore].susflow_dropped, dropped);
	assert_int_equal(t->noted, 1);
	assert_int_equal(rte_ring_count(r), 0);
	/* and the next one, past the wrap, in the ring's own memory */
	assert_int_not_equal(link_of(0, 8), 0xff);
	assert_int_equal(t->noted, 2);
	suspect_on(0);
}

/* The forwarded packets of both links and the LAN, freed. */
static void tx_free(void)
{
	struct rte_mbuf *m;
	unsigned int p;

	for (p = 0; p <= LAN; p++)
		while (rte_ring_dequeue(tb.tx[p], (void **)&m) == 0)
			rte_pktmbuf_free(m);
}

/* A lone forwarding lcore that is busy (full rx bursts) keeps its
 * bursts' records in the room it reserved and publishes them together:
 * when a burst is not full, or a poll finds nothing; the main lcore
 * then notes every one of them, none lost. */
static void test_dp_suspect_busy_lone_lcore_publishes_together(void **st)
{
	const unsigned int full = 1 + DP_BURST * SUSFLOW_REC4_ELEMS;
	const uint64_t dropped = d.stats[d.fwd_lcore].susflow_dropped;
	const struct susflow_table *t;
	struct rte_ring *r;
	unsigned int i;

	(void)st;
	assert_int_equal(d.n_fwd_lcores, 1);
	suspect_on(1u << LINK1 | 1u << LINK2);
	t = d.flows;
	r = d.flow_ring[d.fwd_lcore];
	/* a full burst of flow 8 (every packet sampled): held back */
	for (i = 0; i < DP_BURST; i++)
		inject(0, 8);
	burst();
	assert_int_equal(rte_ring_count(r), 0);
	assert_int_equal(t->noted, 0);
	/* a poll that finds nothing publishes it */
	burst();
	assert_int_equal(t->noted, DP_BURST);
	assert_int_equal(rte_ring_count(r), 0);
	/* two full bursts, then one of a packet: all three published by
	 * the third, the records in the order they were forwarded */
	for (i = 0; i < DP_BURST; i++)
		inject(0, 8);
	fwd_burst(&d, d.fwd_lcore);
	for (i = 0; i < DP_BURST; i++)
		inject(0, 8);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(rte_ring_count(r), 0);
	inject(0, 8);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(rte_ring_count(r), 2 * full + 1 + SUSFLOW_REC4_ELEMS);
	health_suspect_drain(&d);
	assert_int_equal(t->noted, 3 * DP_BURST + 1);
	assert_int_equal(d.stats[d.fwd_lcore].susflow_dropped, dropped);
	tx_free();
	suspect_on(0);
}

/* A full burst of flows 0..DP_BURST-1, a packet each (fwd.c checks them
 * four at a time, fwd_check4): exactly the flows whose ports pick them
 * are noted, 8 and 24 (source ports 1008 and 1024, destination port
 * 2000), each on the link its packet left by. */
static void test_dp_suspect_sample_of_a_burst_of_flows(void **st)
{
	const struct susflow_table *t;
	uint8_t out[DP_BURST];
	struct rte_mbuf *m;
	unsigned int f, p;
	uint16_t sport;

	(void)st;
	suspect_on(1u << LINK1 | 1u << LINK2);
	t = d.flows;
	for (f = 0; f < DP_BURST; f++)
		inject(0, f);
	fwd_burst(&d, d.fwd_lcore);
	fwd_burst(&d, d.fwd_lcore); /* a poll that finds nothing publishes */
	health_suspect_drain(&d);
	memset(out, 0xff, sizeof(out));
	for (p = LINK1; p <= LINK2; p++)
		while (rte_ring_dequeue(tb.tx[p], (void **)&m) == 0) {
			const uint8_t *fr = rte_pktmbuf_mtod(m, uint8_t *);

			sport = (uint16_t)(fr[34] << 8 | fr[35]);
			assert_true(sport >= 1000 && sport < 1000 + DP_BURST);
			out[sport - 1000] = (uint8_t)p;
			rte_pktmbuf_free(m);
		}
	for (f = 0; f < DP_BURST; f++)
		assert_true(out[f] == LINK1 || out[f] == LINK2);
	assert_int_equal(t->noted, 2);
	for (f = 8; f < DP_BURST; f += 16) {
		uint32_t h = susflow_hash4(0xc612010au, 0xc6336407u,
					   (1000u + f) << 16 | 2000u);

		assert_int_equal(t->e[(h >> 10) & (SUSFLOW_SLOTS - 1)].link,
				 out[f]);
	}
	suspect_on(0);
}

/* A UDP answer record (susflow.h) of flow 8, 198.51.100.7:2000 ->
 * 198.18.1.10:1008, in on a link, alone in a burst forwarded at TSC. */
struct answer_burst {
	struct susflow_burst b;
	uint8_t rec[SUSFLOW_REC4_ELEMS][SUSFLOW_ELEM];
};

static void answer_burst(struct answer_burst *a, uint64_t tsc)
{
	uint8_t *ip = a->rec[0];

	memset(a, 0, sizeof(*a));
	a->b.tsc = tsc;
	a->b.n_elems = SUSFLOW_REC4_ELEMS;
	ip[0] = 0x45;
	ip[3] = 20 + 8 + 4;                         /* total length */
	ip[SUSFLOW_REC_OUT4] = SUSFLOW_NO_LINK;
	ip[9] = IPPROTO_UDP;
	ip[12] = 198, ip[13] = 51, ip[14] = 100, ip[15] = 7;
	ip[16] = 198, ip[17] = 18, ip[18] = 1, ip[19] = 10;
	ip[20] = 2000 >> 8, ip[21] = 2000 & 0xff;
	ip[22] = 1008 >> 8, ip[23] = 1008 & 0xff;
}

/* Two forwarding lcores: flow 8 leaves through this one while its
 * answers come through another, one before it and one after. The drain
 * takes the bursts oldest first across the lcores, so the flow is
 * two-way, answered and timed (taken lcore by lcore, the answers would
 * have come before the packet out, or after all of them). */
static void test_dp_suspect_drain_takes_lcores_in_time_order(void **st)
{
	const unsigned int other = d.fwd_lcore + 1;
	uint32_t h = susflow_hash4(0xc612010au, 0xc6336407u,
				   1008u << 16 | 2000u);
	struct answer_burst early, late;
	const struct susflow_entry *e;
	uint64_t t0;

	(void)st;
	d.fwd_lcores[1] = other;
	d.n_fwd_lcores = 2;
	suspect_on(1u << LINK1 | 1u << LINK2);
	assert_non_null(d.flow_ring[other]);
	t0 = rte_rdtsc();
	assert_int_not_equal(link_of_undrained(0, 8), 0xff);
	answer_burst(&early, t0 - 1);
	answer_burst(&late, rte_rdtsc() + 1000);
	assert_int_equal(rte_ring_sp_enqueue_bulk_elem(d.flow_ring[other],
		&early, SUSFLOW_ELEM, 1 + SUSFLOW_REC4_ELEMS, NULL),
		1 + SUSFLOW_REC4_ELEMS);
	assert_int_equal(rte_ring_sp_enqueue_bulk_elem(d.flow_ring[other],
		&late, SUSFLOW_ELEM, 1 + SUSFLOW_REC4_ELEMS, NULL),
		1 + SUSFLOW_REC4_ELEMS);
	health_suspect_drain(&d);
	e = &d.flows->e[(h >> 10) & (SUSFLOW_SLOTS - 1)];
	assert_int_equal(d.flows->noted, 3);
	assert_true(e->out_tsc > t0);
	assert_int_equal(e->twoway, 1);
	assert_int_equal(e->pending_tsc, 0);
	assert_int_equal(e->in_tsc, late.b.tsc);
	assert_int_equal(e->srtt_tsc, late.b.tsc - e->out_tsc);
	suspect_on(0);
	d.n_fwd_lcores = 1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dp_suspect_moves_only_the_suspected_links_flows),
		cmocka_unit_test(test_dp_suspect_link_still_carries_what_only_it_reaches),
		cmocka_unit_test(test_dp_suspect_observations_are_exact),
		cmocka_unit_test(test_dp_suspect_sampled_flow_is_noted_both_ways),
		cmocka_unit_test(test_dp_suspect_flows_sampled_only_out_of_links_with_it),
		cmocka_unit_test(test_dp_suspect_sample_follows_packets_past_refused_ones),
		cmocka_unit_test(test_dp_suspect_ipv6_flow_unanswered_on_its_link),
		cmocka_unit_test(test_dp_suspect_ipv6_after_extension_headers),
		cmocka_unit_test(test_dp_suspect_full_ring_drops_and_counts),
		cmocka_unit_test(test_dp_suspect_records_across_the_rings_wrap),
		cmocka_unit_test(test_dp_suspect_busy_lone_lcore_publishes_together),
		cmocka_unit_test(test_dp_suspect_sample_of_a_burst_of_flows),
		cmocka_unit_test(test_dp_suspect_drain_takes_lcores_in_time_order),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
