/* A full resync through the real channel (dataplane/channel.c) while
 * packets stream through the real packet path (fwd.c, fib.c) on two ring
 * ports with the EAL up: the test plays twinpathd, sends SYNC_BEGIN g+1,
 * the new state and SYNC_END one record at a time with a burst forwarded
 * after each, and checks that no packet met a missing route or group in
 * between (make-before-break) and that what the new generation left out
 * is gone after SYNC_END. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <limits.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_testbed.h"

#define LINK 0u /* twinpath port indexes */
#define LAN 1u
#define NH_OLD 5u
#define NH_NEW 7u
#define GROUP_OLD 3u
#define GROUP_NEW 4u
#define PER_DST 4u /* packets per destination per burst */

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

static struct twp_config cfg;
static struct dp d;
static struct chan ctl; /* twinpathd's end */
static struct dp_testbed tb;
static char instance[CFG_NAME_MAX];

static const struct rte_ether_addr old_mac = {{0x02, 0x50, 0, 0, 0, 0x05}};
static const struct rte_ether_addr new_mac = {{0x02, 0x50, 0, 0, 0, 0x07}};

static void send_rec(struct chan_rec *r)
{
	assert_int_equal(chan_send(&ctl, r), 0);
}

static void send_nexthop(uint32_t id, const struct rte_ether_addr *mac,
			 uint64_t gen)
{
	struct chan_rec r = {.type = CHAN_REC_NEXTHOP_SET, .generation = gen};

	r.u.nh = (struct chan_nexthop){.id = id, .port = LINK,
				       .family = AF_INET,
				       .flags = CHAN_NH_F_RESOLVED};
	inet_pton(AF_INET, "203.0.113.2", r.u.nh.gateway);
	memcpy(r.u.nh.mac, mac->addr_bytes, 6);
	send_rec(&r);
}

static void send_group(uint32_t id, uint32_t nh, uint64_t gen)
{
	struct chan_rec r = {.type = CHAN_REC_GROUP_SET, .generation = gen};

	r.u.grp = (struct chan_group){.id = id, .n_primary = 1,
				      .primary = {nh}};
	send_rec(&r);
}

static void send_route(const char *prefix, uint8_t len, uint32_t group,
		       uint64_t gen)
{
	struct chan_rec r = {.type = CHAN_REC_ROUTE_ADD, .generation = gen};

	r.u.route = (struct chan_route){.family = AF_INET, .len = len,
					.group_id = group};
	inet_pton(AF_INET, prefix, r.u.route.prefix);
	send_rec(&r);
}

static void send_sync(uint16_t type, uint64_t gen)
{
	struct chan_rec r = {.type = type, .generation = gen};

	send_rec(&r);
}

/* One UDP packet from the LAN side to DST, source port SPORT. */
static void inject(const char *dst, uint16_t sport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(d.ports[LAN].pool);
	uint8_t *f;
	uint16_t ck;

	assert_non_null(m);
	f = (uint8_t *)rte_pktmbuf_append(m, 14 + 20 + 8 + 18);
	assert_non_null(f);
	memset(f, 0, 60);
	memcpy(f, d.ports[LAN].mac.addr_bytes, 6);
	f[6] = 0x02;
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	f[17] = 46; /* total length */
	f[22] = 64; /* TTL */
	f[23] = 17; /* UDP */
	inet_pton(AF_INET, "198.18.1.10", f + 26);
	inet_pton(AF_INET, dst, f + 30);
	ck = dp_testbed_ip_cksum(f + 14);
	f[24] = (uint8_t)(ck >> 8);
	f[25] = (uint8_t)ck;
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[37] = 9;
	f[39] = 26;
	assert_int_equal(rte_ring_enqueue(tb.rx[LAN], m), 0);
}

/* Packets out on the link, counted by destination MAC; freed. */
static unsigned int drain_link(unsigned int *n_old, unsigned int *n_new)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(tb.tx[LINK], (void **)&m) == 0) {
		const struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (rte_is_same_ether_addr(&eth->dst_addr, &old_mac))
			(*n_old)++;
		else if (rte_is_same_ether_addr(&eth->dst_addr, &new_mac))
			(*n_new)++;
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static uint64_t drops(enum dp_drop why)
{
	return d.stats[d.fwd_lcore].drop[why];
}

/* One step of the stream: PER_DST packets to the kept prefix and to the
 * one the new generation leaves out, one burst forwarded; how many left
 * on the link. */
static unsigned int stream_step(uint16_t *sport, unsigned int *n_old,
				unsigned int *n_new)
{
	unsigned int i;

	for (i = 0; i < PER_DST; i++) {
		inject("198.51.100.1", (*sport)++);
		inject("198.51.101.1", (*sport)++);
	}
	fwd_burst(&d, d.fwd_lcore);
	return drain_link(n_old, n_new);
}

static int setup(void **state)
{
	(void)state;
	snprintf(instance, sizeof(instance), "twp-resync-%d", (int)getpid());
	snprintf(cfg.instance, sizeof(cfg.instance), "%s", instance);
	cfg.n_links = 1;
	cfg.dataplane.ipv4_routes_max = 1024;
	cfg.dataplane.ipv6_routes_max = 1024;
	d.cfg = &cfg;
	if (dp_testbed_up(&tb, &d, "test_dp_resync", 256, 2047) != 0)
		return -1;
	chan_unlink(instance);
	if (chan_open(&ctl, instance, CHAN_ROLE_CONTROL) != 0 ||
	    channel_init(&d) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	channel_close(&d);
	chan_close(&ctl);
	chan_unlink(instance);
	dp_testbed_down();
	return 0;
}

static void test_resync_sweeps_stale_routes_without_a_lookup_miss(void **st)
{
	unsigned int n_old = 0, n_new = 0, out, steps = 0;
	uint16_t sport = 1000;

	(void)st;
	/* generation 1: both prefixes on the old group and nexthop */
	send_sync(CHAN_REC_SYNC_BEGIN, 1);
	send_nexthop(NH_OLD, &old_mac, 1);
	send_group(GROUP_OLD, NH_OLD, 1);
	send_route("198.51.100.0", 24, GROUP_OLD, 1);
	send_route("198.51.101.0", 24, GROUP_OLD, 1);
	send_sync(CHAN_REC_SYNC_END, 1);
	channel_poll(&d);
	assert_int_equal(d.applied_generation, 1);
	out = stream_step(&sport, &n_old, &n_new);
	assert_int_equal(out, 2 * PER_DST);
	assert_int_equal(n_old, 2 * PER_DST);

	/* generation 2 replaces the nexthop, the group and the kept route
	 * and leaves 198.51.101.0/24 out: one record applied per burst */
	for (steps = 0; steps < 4; steps++) {
		switch (steps) {
		case 0:
			send_sync(CHAN_REC_SYNC_BEGIN, 2);
			break;
		case 1:
			send_nexthop(NH_NEW, &new_mac, 2);
			break;
		case 2:
			send_group(GROUP_NEW, NH_NEW, 2);
			break;
		case 3:
			send_route("198.51.100.0", 24, GROUP_NEW, 2);
			break;
		}
		channel_poll(&d);
		n_old = n_new = 0;
		out = stream_step(&sport, &n_old, &n_new);
		/* every packet of the stream left, on the old or new path */
		assert_int_equal(out, 2 * PER_DST);
		assert_int_equal(drops(DROP_NO_ROUTE), 0);
		assert_int_equal(drops(DROP_NO_GROUP), 0);
	}
	/* the kept prefix moved to the new path, the stale one still works */
	assert_int_equal(n_new, PER_DST);
	assert_int_equal(n_old, PER_DST);
	assert_int_equal(d.n_routes, 2);

	send_sync(CHAN_REC_SYNC_END, 2);
	channel_poll(&d);
	assert_int_equal(d.applied_generation, 2);
	/* stale route, group and nexthop of generation 1 are gone */
	assert_int_equal(d.n_routes, 1);
	assert_null(d.nhg.grp[GROUP_OLD]);
	assert_null(d.nhg.nh[NH_OLD]);
	assert_non_null(d.nhg.grp[GROUP_NEW]);
	n_old = n_new = 0;
	out = stream_step(&sport, &n_old, &n_new);
	assert_int_equal(out, PER_DST);
	assert_int_equal(n_new, PER_DST);
	assert_int_equal(drops(DROP_NO_ROUTE), PER_DST); /* 198.51.101.1 */
	assert_int_equal(drops(DROP_NO_GROUP), 0);
}

/* dataplane.ipv4_routes_max (1024 here): the routes past what rte_fib
 * holds are refused one by one, each counted in records_failed (and
 * logged once for the episode); the routes already in keep forwarding,
 * and once one is deleted a new route fits again, which ends the
 * episode. Runs on the previous test's state: 198.51.100.0/24 via the
 * new group. */
static void test_resync_full_route_table_counts_and_keeps_forwarding(
	void **st)
{
	unsigned int i, n_old = 0, n_new = 0, out;
	uint64_t failed0 = d.records_failed;
	uint32_t applied;
	uint16_t sport = 5000;
	char p[32];

	(void)st;
	assert_int_equal(d.n_routes, 1);
	for (i = 0; i < 1200; i++) {
		snprintf(p, sizeof(p), "10.%u.%u.0", i >> 8, i & 255);
		send_route(p, 24, GROUP_NEW, 2);
	}
	while (channel_poll(&d))
		;
	/* 1024 routes in (the one before and 1023 of ours), the other 177
	 * refused (rte_fib: ENOMEM) and counted, none lost */
	assert_int_equal(d.n_routes, 1024);
	assert_int_equal(d.records_failed - failed0, 177);
	assert_true(d.records_failing);
	/* the routes that fit forward as before */
	out = stream_step(&sport, &n_old, &n_new);
	assert_int_equal(out, PER_DST);
	assert_int_equal(n_new, PER_DST);
	assert_non_null(d.nhg.grp[GROUP_NEW]);

	/* one route out, one more in: the table has room, the episode ends */
	{
		struct chan_rec r = {.type = CHAN_REC_ROUTE_DEL,
				     .generation = 2};

		r.u.route = (struct chan_route){.family = AF_INET, .len = 24};
		inet_pton(AF_INET, "10.0.0.0", r.u.route.prefix);
		send_rec(&r);
	}
	applied = d.n_routes;
	send_route("10.200.0.0", 24, GROUP_NEW, 2);
	while (channel_poll(&d))
		;
	assert_int_equal(d.n_routes, applied);
	assert_int_equal(applied, 1024);
	assert_false(d.records_failing);
	assert_int_equal(d.records_failed - failed0, 177);
	assert_int_equal(d.records_failed_before, d.records_failed);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_resync_sweeps_stale_routes_without_a_lookup_miss),
		cmocka_unit_test(
			test_resync_full_route_table_counts_and_keeps_forwarding),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
