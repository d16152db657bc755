/* A full resync through the real channel (dataplane/channel.c) while
 * packets stream through the real packet path (fwd.c, fib.c) on two ring
 * ports with the EAL up: the test plays twinpathd, sends SYNC_BEGIN g+1,
 * the new state and SYNC_END one record at a time with a burst forwarded
 * after each, and checks that no packet met a missing route or group in
 * between (make-before-break) and that what the new generation left out
 * is gone after SYNC_END. Then the bulk (fib.c): IPv4 route changes held
 * back from rte_fib and written in prefix order, with exact rte_fib
 * contents before and after, what forces the write, and a route rte_fib
 * refuses leaving the route table too. */
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
#include <rte_fib.h>
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
#define GROUP_B 8u
#define GROUP_X 9u
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

/* Bulk */

#define BULK_N 500u

/* 10.(I / 256).(I % 256).0, into P */
static void bulk_prefix(unsigned int i, char *p, size_t len)
{
	snprintf(p, len, "10.%u.%u.0", i >> 8, i & 255);
}

/* rte_fib's group for the address 10.(I / 256).(I % 256).1 */
static uint64_t fib_group(unsigned int i)
{
	uint32_t ip = 10u << 24 | (i >> 8) << 16 | (i & 255) << 8 | 1u;
	uint64_t nh = 0;

	rte_fib_lookup_bulk(d.fib, &ip, &nh, 1);
	return nh;
}

static void send_route_del(unsigned int i)
{
	struct chan_rec r = {.type = CHAN_REC_ROUTE_DEL, .generation = 2};

	r.u.route = (struct chan_route){.family = AF_INET, .len = 24};
	r.u.route.prefix[0] = 10;
	r.u.route.prefix[1] = (uint8_t)(i >> 8);
	r.u.route.prefix[2] = (uint8_t)i;
	send_rec(&r);
}

/* Polls until the ring is empty and no flush runs; how many polls. */
static unsigned int poll_all(void)
{
	unsigned int n = 1;

	while (channel_poll(&d))
		n++;
	return n;
}

/* 500 routes in shuffled order while a bulk collects: all in the route
 * table at once, none in rte_fib, forwarding as before; a move, a
 * withdrawal, a withdrawal announced again of held-back routes: one
 * entry each. BULK_QUIET_POLLS polls that find no record write them all, in
 * prefix order; rte_fib then has exactly the table. Runs on the first
 * test's state: 198.51.100.0/24 via GROUP_NEW. */
static void test_bulk_holds_routes_then_writes_them(void **st)
{
	const uint64_t flushes = d.bulk.flushes, written = d.bulk.written;
	unsigned int i, n_old = 0, n_new = 0;
	uint16_t sport = 7000;
	char p[32];

	(void)st;
	assert_int_equal(d.n_routes, 1);
	send_group(GROUP_B, NH_NEW, 2);
	poll_all();
	assert_int_equal(fib_bulk_begin(&d), 0);
	for (i = 0; i < BULK_N; i++) {
		/* 7919 is prime: i * 7919 % 500 visits every index once */
		bulk_prefix(i * 7919u % BULK_N, p, sizeof(p));
		send_route(p, 24, GROUP_NEW, 2);
	}
	/* all of them: one poll, or more if the host took the CPU for
	 * longer than a poll's slice (CHAN_POLL_SLICE_US) meanwhile */
	poll_all();
	assert_true(fib_bulk_collecting(&d));
	assert_int_equal(d.n_routes, 1 + BULK_N);
	assert_int_equal(d.bulk.n, BULK_N);
	assert_int_equal(fib_bulk_lpm_delta(&d), BULK_N);
	for (i = 0; i < BULK_N; i++)
		assert_int_equal(fib_group(i), FIB_MISS);
	assert_int_equal(stream_step(&sport, &n_old, &n_new), PER_DST);
	assert_int_equal(n_new, PER_DST);
	/* 0 moves to GROUP_B, 1 is withdrawn, 2 withdrawn and back */
	bulk_prefix(0, p, sizeof(p));
	send_route(p, 24, GROUP_B, 2);
	send_route_del(1);
	send_route_del(2);
	bulk_prefix(2, p, sizeof(p));
	send_route(p, 24, GROUP_NEW, 2);
	assert_int_equal(channel_poll(&d), false);
	assert_int_equal(d.bulk.n, BULK_N + 1); /* 2's new entry */
	assert_int_equal(fib_bulk_lpm_delta(&d), BULK_N - 1);
	assert_int_equal(d.n_routes, BULK_N);
	/* nothing comes: written on the BULK_QUIET_POLLS-th empty poll */
	for (i = 1; i < BULK_QUIET_POLLS; i++)
		assert_int_equal(channel_poll(&d), false);
	assert_true(fib_bulk_collecting(&d));
	assert_int_equal(channel_poll(&d), true);
	assert_true(fib_bulk_flushing(&d));
	poll_all();
	assert_false(fib_bulk_collecting(&d) || fib_bulk_flushing(&d));
	assert_int_equal(d.bulk.flushes, flushes + 1);
	/* a write per entry with a group: 501 entries, less 1's and 2's
	 * withdrawals (2 is back through its second entry) */
	assert_int_equal(d.bulk.written, written + BULK_N - 1);
	assert_int_equal(d.bulk.n, 0);
	assert_int_equal(fib_bulk_lpm_delta(&d), 0);
	assert_int_equal(fib_group(0), GROUP_B);
	assert_int_equal(fib_group(1), FIB_MISS);
	for (i = 2; i < BULK_N; i++)
		assert_int_equal(fib_group(i), GROUP_NEW);
	assert_int_equal(d.n_routes, BULK_N);
	n_old = n_new = 0;
	assert_int_equal(stream_step(&sport, &n_old, &n_new), PER_DST);
}

/* A record that needs rte_fib as the records before it left it writes
 * the bulk first, in the same poll: the group a held-back route moved
 * off is deleted only once rte_fib no longer names it. Then the 500
 * routes leave again, through a bulk, for the next test. */
static void test_bulk_written_before_a_group_deleted(void **st)
{
	const uint64_t flushes = d.bulk.flushes;
	struct chan_rec del = {.type = CHAN_REC_GROUP_DEL, .generation = 2};
	unsigned int i;
	char p[32];

	(void)st;
	send_group(GROUP_X, NH_NEW, 2);
	bulk_prefix(3, p, sizeof(p));
	send_route(p, 24, GROUP_X, 2);
	poll_all();
	assert_int_equal(fib_group(3), GROUP_X);
	assert_int_equal(fib_bulk_begin(&d), 0);
	send_route(p, 24, GROUP_NEW, 2);
	del.u.id = GROUP_X;
	send_rec(&del);
	channel_poll(&d);
	assert_int_equal(d.bulk.flushes, flushes + 1);
	assert_int_equal(fib_group(3), GROUP_NEW);
	assert_null(d.nhg.grp[GROUP_X]);
	assert_int_equal(d.records_failed, d.records_failed_before);
	/* and all of them away */
	assert_int_equal(fib_bulk_begin(&d), 0);
	for (i = 0; i < BULK_N; i++)
		send_route_del(i);
	while (d.bulk.n < BULK_N - 1)
		channel_poll(&d);
	assert_int_equal(fib_group(4), GROUP_NEW); /* not yet */
	fib_bulk_flush_start(&d);
	poll_all();
	assert_int_equal(d.n_routes, 1);
	for (i = 0; i < BULK_N; i++)
		assert_int_equal(fib_group(i), FIB_MISS);
}

/* Route records are looked up in the route table a window of
 * FIB_PREFETCH_MAX ahead of being applied (fib_route_prefetch): that
 * changes nothing. One burst of more than three windows adds 64
 * prefixes, withdraws every other one, announces every fourth again on
 * another group, and adds, withdraws, announces and withdraws one more
 * within a window; applied directly, then the same through a bulk. */
#define WIN_N 64u
#define WIN_Q 100u /* the prefix changed four times in a window */

/* The routes the burst leaves, as the digest's routes part counts them,
 * XORed into DIGEST; checks rte_fib's group of each of them. */
static uint32_t win_check(uint32_t digest, uint32_t grp_odd, uint32_t grp4)
{
	unsigned int i;

	for (i = 0; i < WIN_N; i++) {
		uint8_t k[16] = {10, (uint8_t)(i >> 8), (uint8_t)i};
		uint32_t want = i % 2 ? grp_odd : i % 4 == 0 ? grp4 :
						FIB_MISS;

		assert_int_equal(fib_group(i), want);
		if (want != FIB_MISS)
			digest ^= fib_digest_route(AF_INET, 24, k, want);
	}
	assert_int_equal(fib_group(WIN_Q), FIB_MISS);
	return digest;
}

static void win_send(uint32_t grp_odd, uint32_t grp4)
{
	unsigned int i;
	char p[32];

	for (i = 0; i < WIN_N; i++) {
		bulk_prefix(i, p, sizeof(p));
		send_route(p, 24, grp_odd, 2);
	}
	for (i = 0; i < WIN_N; i += 2)
		send_route_del(i);
	for (i = 0; i < WIN_N; i += 4) {
		bulk_prefix(i, p, sizeof(p));
		send_route(p, 24, grp4, 2);
	}
	bulk_prefix(WIN_Q, p, sizeof(p));
	send_route(p, 24, GROUP_NEW, 2);
	send_route_del(WIN_Q);
	send_route(p, 24, GROUP_B, 2);
	send_route_del(WIN_Q);
}

/* The routes win_send left, withdrawn. */
static void win_clear(void)
{
	unsigned int i;

	for (i = 0; i < WIN_N; i++)
		if (i % 4 != 2)
			send_route_del(i);
	poll_all();
}

/* win_send(A, B) through one bulk: its entries (one per prefix, one more
 * for each announced again after its withdrawal), then written: the
 * bulk count at FLUSHES, the routes and digest as win_send leaves them
 * over ROUTES0 and DIGEST0. */
static void win_bulk(uint32_t a, uint32_t b, uint64_t flushes,
		     uint32_t routes0, uint32_t digest0)
{
	assert_int_equal(fib_bulk_begin(&d), 0);
	win_send(a, b);
	poll_all(); /* one poll, or more if the host took the CPU */
	assert_int_equal(d.bulk.n, WIN_N + WIN_N / 4 + 2);
	fib_bulk_flush_start(&d);
	poll_all();
	assert_int_equal(d.bulk.flushes, flushes);
	assert_int_equal(d.n_routes, routes0 + WIN_N / 2 + WIN_N / 4);
	assert_int_equal(d.nhg.digest.part[FIB_DIGEST_ROUTES],
			 win_check(digest0, a, b));
}

static void test_route_records_across_prefetch_windows_apply_in_order(
	void **st)
{
	const uint32_t digest0 = d.nhg.digest.part[FIB_DIGEST_ROUTES];
	const uint32_t routes0 = d.n_routes;
	const uint64_t failed = d.records_failed, flushes = d.bulk.flushes;

	(void)st;
	assert_true(WIN_N + WIN_N / 2 + WIN_N / 4 + 4 > 3 * FIB_PREFETCH_MAX);
	/* applied one by one, no bulk */
	win_send(GROUP_NEW, GROUP_B);
	poll_all();
	assert_int_equal(d.bulk.flushes, flushes);
	assert_int_equal(d.n_routes, routes0 + WIN_N / 2 + WIN_N / 4);
	assert_int_equal(d.nhg.digest.part[FIB_DIGEST_ROUTES],
			 win_check(digest0, GROUP_NEW, GROUP_B));
	win_clear();
	assert_int_equal(d.n_routes, routes0);
	assert_int_equal(d.nhg.digest.part[FIB_DIGEST_ROUTES], digest0);

	/* the same through a bulk: an entry per prefix, and one more for
	 * each announced again after its withdrawal (the slot it is given
	 * may be another's) */
	win_bulk(GROUP_NEW, GROUP_B, flushes + 1, routes0, digest0);
	/* a second bulk, groups swapped: the first bulk's entry numbers
	 * the routes still carry name other prefixes' entries now, or
	 * none; each prefix gets entries of its own as in the first */
	win_bulk(GROUP_B, GROUP_NEW, flushes + 2, routes0, digest0);
	assert_int_equal(d.records_failed, failed);
	win_clear();
	assert_int_equal(d.n_routes, routes0);
	assert_int_equal(d.nhg.digest.part[FIB_DIGEST_ROUTES], digest0);
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

/* A bulk of routes past what rte_fib holds (the previous test left it
 * full): the table takes them, rte_fib refuses each when written, and
 * each leaves the table again, counted; the two agree. */
static void test_bulk_route_refused_leaves_the_table(void **st)
{
	const uint64_t failed = d.records_failed, bfailed = d.bulk.failed;
	const uint32_t routes = d.n_routes;
	unsigned int i;
	char p[32];

	(void)st;
	assert_int_equal(routes, 1024);
	assert_int_equal(fib_bulk_begin(&d), 0);
	for (i = 0; i < 20; i++) {
		snprintf(p, sizeof(p), "11.0.%u.0", i);
		send_route(p, 24, GROUP_NEW, 2);
	}
	channel_poll(&d);
	assert_int_equal(d.n_routes, routes + 20);
	fib_bulk_flush_start(&d);
	poll_all();
	assert_int_equal(d.n_routes, routes);
	assert_int_equal(d.bulk.failed - bfailed, 20);
	assert_int_equal(d.records_failed - failed, 20);
	assert_int_equal(fib_bulk_lpm_delta(&d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_resync_sweeps_stale_routes_without_a_lookup_miss),
		cmocka_unit_test(test_bulk_holds_routes_then_writes_them),
		cmocka_unit_test(test_bulk_written_before_a_group_deleted),
		cmocka_unit_test(
			test_route_records_across_prefetch_windows_apply_in_order),
		cmocka_unit_test(
			test_resync_full_route_table_counts_and_keeps_forwarding),
		cmocka_unit_test(test_bulk_route_refused_leaves_the_table),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
