/* twinpath-dp with two forwarding lcores (dataplane/fwd.c, port queues,
 * per-lcore counters, RCU) on the EAL test bed with two queues per ring
 * port: EAL lcores 0 (main) and 1, 2 (the forwarding workers, numbers 0
 * and 1, as main.c picks them). The test's one thread calls
 * fwd_burst(&d, lcore) for each in turn, so every interleaving below is
 * exact: lcore number i polls rx queue i of every port and sends on tx
 * queue i; its counters are its own and sum to the totals; a health
 * change and a route change made between bursts are seen by both on
 * their next burst; and a retired group is freed (through a deferred
 * queue as main.c's rcu_retire uses it) only once both lcores have
 * finished a burst since. */
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
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_testbed.h"

#define LINK 0u   /* twinpath port index of the one link */
#define LAN 1u
#define NH_PEER 5u
#define NH_OTHER 6u
#define GROUP 3u
#define GROUP_OTHER 4u
#define NQ 2u

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

static struct twp_config cfg;
static struct dp d;
static struct dp_testbed tb;
static struct health_map fake_health; /* the map, without the kernel */
static unsigned int lc_a, lc_b;       /* forwarding lcores number 0, 1 */

static const struct rte_ether_addr peer_mac = {{0x02, 0x50, 0, 0, 0, 0x02}};
static const struct rte_ether_addr other_mac = {{0x02, 0x50, 0, 0, 0, 0x03}};
static const struct rte_ether_addr lan_host_mac = {{0x02, 0x10, 0, 0, 0, 1}};

static void route_v4(struct chan_route *r, uint32_t group)
{
	memset(r, 0, sizeof(*r));
	r->family = AF_INET;
	r->len = 24;
	r->group_id = group;
	inet_pton(AF_INET, "198.51.100.0", r->prefix);
}

static int setup(void **state)
{
	(void)state;
	cfg.n_links = 1;
	cfg.dataplane.ipv4_routes_max = 1024;
	cfg.dataplane.ipv6_routes_max = 1024;
	cfg.links[0].bfd.enabled = true;
	d.cfg = &cfg;
	if (dp_testbed_up_queues(&tb, &d, "test_dp_lcores", 64, 1023, NQ) != 0)
		return -1;
	if (d.n_fwd_lcores != NQ || rte_lcore_count() != NQ + 1)
		return -1;
	lc_a = d.fwd_lcores[0];
	lc_b = d.fwd_lcores[1];
	if (lc_a == rte_get_main_lcore() || lc_b == rte_get_main_lcore() ||
	    d.fwd_lcore != lc_a || d.fwd_index[lc_a] != 0 ||
	    d.fwd_index[lc_b] != 1)
		return -1;
	return dp_testbed_one_link(&d, &fake_health, LINK, NH_PEER, GROUP,
				   &peer_mac);
}

static int teardown(void **state)
{
	(void)state;
	dp_testbed_down();
	return 0;
}

/* LAN host -> 198.51.100.7, UDP 1000 -> 2000, IP id ID, TTL TTL. */
static unsigned int make_udp(uint8_t *f, uint16_t id, uint8_t ttl)
{
	return dp_testbed_udp4(f, &d.ports[LAN].mac, &lan_host_mac, id, ttl);
}

/* IN as it must leave the link towards DST_MAC: MACs, TTL - 1, and the
 * checksum recomputed by the reference. */
static void rewritten(const uint8_t *in, unsigned int len, uint8_t *expect,
		      const struct rte_ether_addr *dst_mac)
{
	uint16_t c;

	memcpy(expect, in, len);
	memcpy(expect, dst_mac->addr_bytes, 6);
	memcpy(expect + 6, d.ports[LINK].mac.addr_bytes, 6);
	expect[14 + 8] = (uint8_t)(in[14 + 8] - 1);
	c = dp_testbed_ip_cksum(expect + 14);
	expect[14 + 10] = (uint8_t)(c >> 8);
	expect[14 + 11] = (uint8_t)c;
}

static void inject(unsigned int port, unsigned int q, const uint8_t *f,
		   unsigned int len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(d.ports[0].pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	assert_int_equal(rte_ring_enqueue(tb.rxq[port][q], m), 0);
}

/* One frame PORT sent on tx queue Q, copied out; 0 when none. */
static unsigned int sent(unsigned int port, unsigned int q, uint8_t *out)
{
	struct rte_mbuf *m;
	unsigned int len;

	if (rte_ring_dequeue(tb.txq[port][q], (void **)&m) != 0)
		return 0;
	len = rte_pktmbuf_pkt_len(m);
	memcpy(out, rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	return len;
}

/* Nothing left on any tx ring of either port. */
static void assert_nothing_sent(void)
{
	unsigned int p, q;

	for (p = 0; p < 2; p++)
		for (q = 0; q < NQ; q++)
			assert_int_equal(rte_ring_count(tb.txq[p][q]), 0);
}

/* The total telemetry.c reports for one counter: its SUM, every lcore's
 * slot read relaxed, stride sizeof(struct dp_lcore_stats). */
static uint64_t summed(const uint64_t *first)
{
	const size_t stride = sizeof(struct dp_lcore_stats) / sizeof(uint64_t);
	uint64_t s = 0;
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++)
		s += __atomic_load_n(first + l * stride, __ATOMIC_RELAXED);
	return s;
}

/* One packet to each queue, both lcores burst: not forwarded, and one
 * no_live_nexthop each. */
static void expect_both_drop_no_live(void)
{
	uint64_t a = d.stats[lc_a].drop[DROP_NO_LIVE_NEXTHOP];
	uint64_t b = d.stats[lc_b].drop[DROP_NO_LIVE_NEXTHOP];
	uint8_t in[64];
	unsigned int len = make_udp(in, 1, 64);

	inject(LAN, 0, in, len);
	inject(LAN, 1, in, len);
	fwd_burst(&d, lc_a);
	fwd_burst(&d, lc_b);
	assert_nothing_sent();
	assert_int_equal(d.stats[lc_a].drop[DROP_NO_LIVE_NEXTHOP], a + 1);
	assert_int_equal(d.stats[lc_b].drop[DROP_NO_LIVE_NEXTHOP], b + 1);
}

/* One packet to each queue, both lcores burst: each leaves on its own
 * queue towards DST_MAC, bytes exact. */
static void expect_both_forward(const struct rte_ether_addr *dst_mac)
{
	uint8_t in0[64], in1[64], e0[64], e1[64], out[2048];
	unsigned int len = make_udp(in0, 0x100, 64);

	make_udp(in1, 0x101, 64);
	rewritten(in0, len, e0, dst_mac);
	rewritten(in1, len, e1, dst_mac);
	inject(LAN, 0, in0, len);
	inject(LAN, 1, in1, len);
	fwd_burst(&d, lc_a);
	fwd_burst(&d, lc_b);
	assert_int_equal(sent(LINK, 0, out), len);
	assert_memory_equal(out, e0, len);
	assert_int_equal(sent(LINK, 1, out), len);
	assert_memory_equal(out, e1, len);
	assert_nothing_sent();
}

/* Each lcore polls its own rx queue only and sends on its own tx queue
 * only, in whichever order they run. */
static void test_each_lcore_forwards_its_own_queue(void **state)
{
	uint8_t in0[64], in1[64], e0[64], e1[64], out[2048];
	unsigned int len = make_udp(in0, 0x1000, 64);

	(void)state;
	make_udp(in1, 0x1001, 17);
	rewritten(in0, len, e0, &peer_mac);
	rewritten(in1, len, e1, &peer_mac);
	inject(LAN, 0, in0, len);
	inject(LAN, 1, in1, len);

	/* B first: queue 1 only, out on queue 1; queue 0 is left alone */
	fwd_burst(&d, lc_b);
	assert_int_equal(rte_ring_count(tb.rxq[LAN][0]), 1);
	assert_int_equal(rte_ring_count(tb.rxq[LAN][1]), 0);
	assert_int_equal(sent(LINK, 0, out), 0);
	assert_int_equal(sent(LINK, 1, out), len);
	assert_memory_equal(out, e1, len);
	assert_int_equal(out[14 + 8], 16);
	assert_nothing_sent();

	/* B again: nothing of queue 0 */
	fwd_burst(&d, lc_b);
	assert_int_equal(rte_ring_count(tb.rxq[LAN][0]), 1);
	assert_nothing_sent();

	/* A: queue 0, out on queue 0 */
	fwd_burst(&d, lc_a);
	assert_int_equal(rte_ring_count(tb.rxq[LAN][0]), 0);
	assert_int_equal(sent(LINK, 1, out), 0);
	assert_int_equal(sent(LINK, 0, out), len);
	assert_memory_equal(out, e0, len);
	assert_int_equal(out[14 + 8], 63);
	assert_nothing_sent();

	/* and the other order */
	inject(LAN, 0, in0, len);
	inject(LAN, 1, in1, len);
	fwd_burst(&d, lc_a);
	assert_int_equal(rte_ring_count(tb.rxq[LAN][1]), 1);
	assert_int_equal(sent(LINK, 1, out), 0);
	assert_int_equal(sent(LINK, 0, out), len);
	assert_memory_equal(out, e0, len);
	fwd_burst(&d, lc_b);
	assert_int_equal(sent(LINK, 1, out), len);
	assert_memory_equal(out, e1, len);
	assert_nothing_sent();
}

/* rx/tx per port and drops per reason in each lcore's own counters; the
 * summed read is their total; the main lcore's stay zero. */
static void test_counters_are_per_lcore_and_sum_to_the_total(void **state)
{
	static const struct dp_lcore_stats zero;
	struct dp_lcore_stats a0 = d.stats[lc_a], b0 = d.stats[lc_b];
	const struct dp_lcore_stats *a = &d.stats[lc_a], *b = &d.stats[lc_b];
	uint8_t f[64], out[2048];
	unsigned int len, i, p, r, n0 = 0, n1 = 0;

	(void)state;
	/* queue 0: 3 forwarded, 1 bad checksum */
	for (i = 0; i < 3; i++) {
		len = make_udp(f, (uint16_t)(0x2000 + i), 64);
		inject(LAN, 0, f, len);
	}
	f[14 + 11] ^= 0x01;
	inject(LAN, 0, f, len);
	/* queue 1: 2 forwarded, 2 TTL exceeded (1 and 0) */
	for (i = 0; i < 2; i++) {
		len = make_udp(f, (uint16_t)(0x2100 + i), 64);
		inject(LAN, 1, f, len);
	}
	len = make_udp(f, 0x2200, 1);
	inject(LAN, 1, f, len);
	len = make_udp(f, 0x2201, 0);
	inject(LAN, 1, f, len);

	fwd_burst(&d, lc_a);
	fwd_burst(&d, lc_b);
	while (sent(LINK, 0, out) != 0)
		n0++;
	while (sent(LINK, 1, out) != 0)
		n1++;
	assert_int_equal(n0, 3);
	assert_int_equal(n1, 2);
	assert_nothing_sent();

	assert_int_equal(a->rx[LAN] - a0.rx[LAN], 4);
	assert_int_equal(a->tx[LINK] - a0.tx[LINK], 3);
	assert_int_equal(a->drop[DROP_BAD_CHECKSUM] -
			 a0.drop[DROP_BAD_CHECKSUM], 1);
	assert_int_equal(a->drop[DROP_TTL_EXCEEDED] -
			 a0.drop[DROP_TTL_EXCEEDED], 0);
	assert_int_equal(b->rx[LAN] - b0.rx[LAN], 4);
	assert_int_equal(b->tx[LINK] - b0.tx[LINK], 2);
	assert_int_equal(b->drop[DROP_TTL_EXCEEDED] -
			 b0.drop[DROP_TTL_EXCEEDED], 2);
	assert_int_equal(b->drop[DROP_BAD_CHECKSUM] -
			 b0.drop[DROP_BAD_CHECKSUM], 0);
	/* nothing else moved on either, nothing on the other port */
	for (r = 0; r < DROP_MAX; r++)
		if (r != DROP_BAD_CHECKSUM && r != DROP_TTL_EXCEEDED) {
			assert_int_equal(a->drop[r], a0.drop[r]);
			assert_int_equal(b->drop[r], b0.drop[r]);
		}
	assert_int_equal(a->rx[LINK], a0.rx[LINK]);
	assert_int_equal(b->rx[LINK], b0.rx[LINK]);
	assert_int_equal(a->tx[LAN], a0.tx[LAN]);
	assert_int_equal(b->tx[LAN], b0.tx[LAN]);

	/* the totals are exactly the two lcores' counters */
	for (p = 0; p < d.n_ports; p++) {
		assert_int_equal(summed(&d.stats[0].rx[p]),
				 a->rx[p] + b->rx[p]);
		assert_int_equal(summed(&d.stats[0].tx[p]),
				 a->tx[p] + b->tx[p]);
		assert_int_equal(summed(&d.stats[0].tx_dropped[p]),
				 a->tx_dropped[p] + b->tx_dropped[p]);
	}
	for (r = 0; r < DROP_MAX; r++)
		assert_int_equal(summed(&d.stats[0].drop[r]),
				 a->drop[r] + b->drop[r]);
	assert_int_equal(summed(&d.stats[0].drop[DROP_TTL_EXCEEDED]),
			 b->drop[DROP_TTL_EXCEEDED]);
	/* the main lcore forwards not: its slot never moved */
	assert_memory_equal(&d.stats[rte_get_main_lcore()], &zero,
			    sizeof(zero));
}

/* The BFD verdict, the admin flag and the carrier, each changed between
 * bursts: both lcores act on it from their next burst. */
static void test_health_change_is_seen_by_both_lcores(void **state)
{
	(void)state;
	expect_both_forward(&peer_mac);

	__atomic_store_n(&fake_health.live_mask, 0, __ATOMIC_RELAXED);
	expect_both_drop_no_live();
	__atomic_store_n(&fake_health.live_mask, 1u << LINK,
			 __ATOMIC_RELAXED);
	expect_both_forward(&peer_mac);

	d.nhg.admin_down[LINK] = 1;
	expect_both_drop_no_live();
	d.nhg.admin_down[LINK] = 0;
	expect_both_forward(&peer_mac);

	d.nhg.link_up[LINK] = 0;
	expect_both_drop_no_live();
	d.nhg.link_up[LINK] = 1;
	expect_both_forward(&peer_mac);
}

/* twinpath-dp's retire path (main.c rcu_init/rcu_retire/rcu_free and
 * channel_poll's reclaim), here with counters. */
static unsigned int n_retired, n_freed;

static void dq_free(void *p, void *e, unsigned int n)
{
	unsigned int i;

	(void)p;
	for (i = 0; i < n; i++) {
		free(((void **)e)[i]);
		n_freed++;
	}
}

static void dq_retire(void *ctx, void *obj)
{
	struct dp *dd = ctx;

	assert_int_equal(rte_rcu_qsbr_dq_enqueue(dd->rcu_dq, &obj), 0);
	n_retired++;
}

static unsigned int reclaim(void)
{
	unsigned int freed = 0, pending = 0;

	assert_int_equal(rte_rcu_qsbr_dq_reclaim(d.rcu_dq, UINT32_MAX,
						 &freed, &pending, NULL), 0);
	return pending;
}

/* A route moved to another group and back, and deleted, between bursts:
 * both lcores follow from their next burst. A group replaced is freed
 * only once both lcores have finished a burst since, whichever goes
 * first. */
static void test_route_change_and_rcu_reclaim_wait_for_both(void **state)
{
	struct rte_rcu_qsbr_dq_parameters p = {
		.name = "t_rcu_dq",
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,
		.size = 2 * (NH_MAX + NHG_MAX),
		.esize = sizeof(void *),
		.trigger_reclaim_limit = 1024,
		.max_reclaim_size = 2 * (NH_MAX + NHG_MAX),
		.free_fn = dq_free,
		.p = &d,
		.v = d.rcu,
	};
	struct chan_nexthop nh = {.id = NH_OTHER, .port = LINK,
				  .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED};
	struct chan_group g = {.id = GROUP_OTHER, .n_primary = 1,
			       .primary = {NH_OTHER}};
	struct chan_group g_same = {.id = GROUP, .n_primary = 1,
				    .primary = {NH_PEER}};
	void (*saved_retire)(void *, void *) = d.nhg.retire;
	void *saved_ctx = d.nhg.retire_ctx;
	uint64_t no_route_a = d.stats[lc_a].drop[DROP_NO_ROUTE];
	uint64_t no_route_b = d.stats[lc_b].drop[DROP_NO_ROUTE];
	uint8_t in[64];
	struct chan_route r;
	uint64_t token;
	unsigned int len;

	(void)state;
	d.rcu_dq = rte_rcu_qsbr_dq_create(&p);
	assert_non_null(d.rcu_dq);
	d.nhg.retire = dq_retire;
	d.nhg.retire_ctx = &d;

	/* the route to another group, then deleted, then back */
	inet_pton(AF_INET, "203.0.113.3", nh.gateway);
	memcpy(nh.mac, other_mac.addr_bytes, 6);
	assert_int_equal(nhg_nexthop_set(&d.nhg, &nh, 1), 0);
	assert_int_equal(nhg_group_set(&d.nhg, &g, 1), 0);
	expect_both_forward(&peer_mac);
	route_v4(&r, GROUP_OTHER);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);
	expect_both_forward(&other_mac);
	assert_int_equal(fib_route_del(&d, &r), 0);
	len = make_udp(in, 7, 64);
	inject(LAN, 0, in, len);
	inject(LAN, 1, in, len);
	fwd_burst(&d, lc_a);
	fwd_burst(&d, lc_b);
	assert_nothing_sent();
	assert_int_equal(d.stats[lc_a].drop[DROP_NO_ROUTE], no_route_a + 1);
	assert_int_equal(d.stats[lc_b].drop[DROP_NO_ROUTE], no_route_b + 1);
	route_v4(&r, GROUP);
	assert_int_equal(fib_route_add(&d, &r, 1), 0);
	expect_both_forward(&peer_mac);
	/* nothing was retired so far (new objects only): all reclaimed */
	assert_int_equal(n_retired, 0);
	assert_int_equal(reclaim(), 0);

	/* GROUP replaced: its old object retired, not freed while either
	 * lcore may still hold it; A's burst alone does not do */
	assert_int_equal(nhg_group_set(&d.nhg, &g_same, 1), 0);
	assert_int_equal(n_retired, 1);
	token = rte_rcu_qsbr_start(d.rcu);
	assert_int_equal(reclaim(), 1);
	assert_int_equal(n_freed, 0);
	assert_int_equal(rte_rcu_qsbr_check(d.rcu, token, false), 0);
	fwd_burst(&d, lc_a);
	fwd_burst(&d, lc_a);
	assert_int_equal(rte_rcu_qsbr_check(d.rcu, token, false), 0);
	assert_int_equal(reclaim(), 1);
	assert_int_equal(n_freed, 0);
	fwd_burst(&d, lc_b);
	assert_int_equal(rte_rcu_qsbr_check(d.rcu, token, false), 1);
	assert_int_equal(reclaim(), 0);
	assert_int_equal(n_freed, 1);

	/* the other order, B first, with traffic through the new group */
	assert_int_equal(nhg_group_set(&d.nhg, &g_same, 1), 0);
	assert_int_equal(n_retired, 2);
	token = rte_rcu_qsbr_start(d.rcu);
	inject(LAN, 1, in, len);
	fwd_burst(&d, lc_b);
	assert_int_equal(rte_ring_count(tb.txq[LINK][1]), 1);
	assert_int_equal(reclaim(), 1);
	assert_int_equal(rte_rcu_qsbr_check(d.rcu, token, false), 0);
	assert_int_equal(n_freed, 1);
	inject(LAN, 0, in, len);
	fwd_burst(&d, lc_a);
	assert_int_equal(rte_ring_count(tb.txq[LINK][0]), 1);
	assert_int_equal(rte_rcu_qsbr_check(d.rcu, token, false), 1);
	assert_int_equal(reclaim(), 0);
	assert_int_equal(n_freed, 2);
	{
		uint8_t out[2048];

		assert_int_equal(sent(LINK, 0, out), len);
		assert_int_equal(sent(LINK, 1, out), len);
		assert_memory_equal(out, peer_mac.addr_bytes, 6);
	}
	assert_nothing_sent();

	/* an lcore gone offline no longer holds reclamation back */
	assert_int_equal(nhg_group_set(&d.nhg, &g_same, 1), 0);
	fwd_burst(&d, lc_a);
	assert_int_equal(reclaim(), 1);
	rte_rcu_qsbr_thread_offline(d.rcu, lc_b);
	assert_int_equal(reclaim(), 0);
	assert_int_equal(n_freed, 3);
	rte_rcu_qsbr_thread_online(d.rcu, lc_b);
	expect_both_forward(&peer_mac);

	d.nhg.retire = saved_retire;
	d.nhg.retire_ctx = saved_ctx;
	assert_int_equal(rte_rcu_qsbr_dq_delete(d.rcu_dq), 0);
	d.rcu_dq = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_lcore_forwards_its_own_queue),
		cmocka_unit_test(
			test_counters_are_per_lcore_and_sum_to_the_total),
		cmocka_unit_test(test_health_change_is_seen_by_both_lcores),
		cmocka_unit_test(
			test_route_change_and_rcu_reclaim_wait_for_both),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
