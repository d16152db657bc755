/* FIB push: the exact records twinpathd sends for each mode, generations
 * of full syncs, MAC updates, and back-pressure on a full ring (a real
 * channel, both roles opened in this process). */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "chan.h"
#include "config.h"
#include "fibpush.h"

#define LAB_AA TWP_TEST_DATA "/../../config/lab-active-active.conf"
#define LAB_AS TWP_TEST_DATA "/../../config/lab-active-standby.conf"

static struct twp_config cfg;
static struct fibpush fp;
static struct chan cp, dp;
static char chan_name[CHAN_NAME_MAX];
static struct chan_rec recs[16384];

static int setup(void **state)
{
	(void)state;
	snprintf(chan_name, sizeof(chan_name), "twp-test-fibpush-%d",
		 (int)getpid());
	chan_unlink(chan_name);
	if (chan_open(&cp, chan_name, CHAN_ROLE_CONTROL) != 0 ||
	    chan_open(&dp, chan_name, CHAN_ROLE_DATA) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fibpush_free(&fp);
	chan_close(&dp);
	chan_close(&cp);
	chan_unlink(chan_name);
	return 0;
}

static void load(const char *path)
{
	char err[512];

	assert_int_equal(cfg_load(&cfg, path, err, sizeof(err)), 0);
	assert_int_equal(fibpush_build(&fp, &cfg, &cp), 0);
}

static unsigned int drain(void)
{
	unsigned int n = 0, got;

	while ((got = chan_recv(&dp, recs + n, 256)) > 0)
		n += got;
	return n;
}

static void assert_nh(const struct chan_rec *r, uint32_t id, uint16_t port,
		      const char *gw, uint8_t flags)
{
	uint8_t addr[16] = {0};

	assert_int_equal(r->type, CHAN_REC_NEXTHOP_SET);
	assert_int_equal(r->u.nh.id, id);
	assert_int_equal(r->u.nh.port, port);
	assert_int_equal(r->u.nh.family, AF_INET);
	assert_int_equal(r->u.nh.flags, flags);
	assert_int_equal(inet_pton(AF_INET, gw, addr), 1);
	assert_memory_equal(r->u.nh.gateway, addr, 16);
}

static void assert_grp(const struct chan_rec *r, uint32_t id,
		       unsigned int n_primary, const uint32_t *primary,
		       unsigned int n_backup, const uint32_t *backup)
{
	assert_int_equal(r->type, CHAN_REC_GROUP_SET);
	assert_int_equal(r->u.grp.id, id);
	assert_int_equal(r->u.grp.n_primary, n_primary);
	assert_int_equal(r->u.grp.n_backup, n_backup);
	if (n_primary > 0)
		assert_memory_equal(r->u.grp.primary, primary,
				    n_primary * sizeof(uint32_t));
	if (n_backup > 0)
		assert_memory_equal(r->u.grp.backup, backup,
				    n_backup * sizeof(uint32_t));
}

static void assert_route(const struct chan_rec *r, const char *prefix,
			 uint8_t len, uint32_t group)
{
	uint8_t addr[16] = {0};

	assert_int_equal(r->type, CHAN_REC_ROUTE_ADD);
	assert_int_equal(r->u.route.family, AF_INET);
	assert_int_equal(r->u.route.len, len);
	assert_int_equal(r->u.route.group_id, group);
	assert_int_equal(inet_pton(AF_INET, prefix, addr), 1);
	assert_memory_equal(r->u.route.prefix, addr, 16);
}

/* The lab's full sync, with the via group's members as given. */
static void assert_lab_sync(uint64_t gen, unsigned int n_primary,
			    const uint32_t *primary, unsigned int n_backup,
			    const uint32_t *backup)
{
	static const uint32_t lan_gw[] = {3};
	unsigned int i;

	assert_int_equal(drain(), 9);
	for (i = 0; i < 9; i++) {
		assert_int_equal(recs[i].generation, gen);
		assert_int_equal(chan_rec_validate(&recs[i], 1024, 1024), 0);
	}
	assert_int_equal(recs[0].type, CHAN_REC_SYNC_BEGIN);
	assert_nh(&recs[1], 1, 0, "203.0.113.2", 0);
	assert_nh(&recs[2], 2, 1, "203.0.113.6", 0);
	assert_nh(&recs[3], 3, 2, "198.18.1.10", 0);
	assert_grp(&recs[4], 1, n_primary, primary, n_backup, backup);
	assert_grp(&recs[5], 2, 1, lan_gw, 0, NULL);
	assert_route(&recs[6], "198.51.100.0", 24, 1);
	assert_route(&recs[7], "198.18.0.0", 16, 2);
	assert_int_equal(recs[8].type, CHAN_REC_SYNC_END);
	assert_int_equal(cp.hdr->generation, gen);
}

static void test_fibpush_active_active_puts_every_via_link_primary(void **s)
{
	static const uint32_t both[] = {1, 2};

	(void)s;
	load(LAB_AA);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_lab_sync(1, 2, both, 0, NULL);
}

static void test_fibpush_active_standby_backs_up_with_next_tier(void **s)
{
	static const uint32_t link1[] = {1}, link2[] = {2};

	(void)s;
	load(LAB_AS);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_lab_sync(1, 1, link1, 1, link2);
}

static void test_fibpush_resync_takes_the_next_generation(void **s)
{
	static const uint32_t both[] = {1, 2};

	(void)s;
	load(LAB_AA);
	cp.hdr->generation = 41; /* as left by a killed twinpathd */
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_lab_sync(42, 2, both, 0, NULL);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_lab_sync(43, 2, both, 0, NULL);
}

static void test_fibpush_learned_mac_sends_one_resolved_nexthop(void **s)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 1, 2};

	(void)s;
	load(LAB_AA);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(drain(), 9);
	assert_int_equal(fibpush_set_mac(&fp, 1, mac), 0);
	assert_int_equal(drain(), 1);
	assert_nh(&recs[0], 2, 1, "203.0.113.6", CHAN_NH_F_RESOLVED);
	assert_memory_equal(recs[0].u.nh.mac, mac, 6);
	assert_int_equal(recs[0].generation, 1);
	/* the same MAC again is no change: nothing is sent */
	assert_int_equal(fibpush_set_mac(&fp, 1, mac), 0);
	assert_int_equal(drain(), 0);
	assert_false(fibpush_all_resolved(&fp));
}

static void test_fibpush_full_ring_queues_in_order_and_loses_nothing(void **s)
{
	unsigned int i, n, total;
	uint32_t next_seq = 1;

	(void)s;
	load(LAB_AA);
	/* 4096 routes, each to its own LAN gateway: 3 records per route,
	 * more than the ring holds. */
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", cfg.lan.address.addr),
			 1);
	cfg.lan.address.family = AF_INET6;
	cfg.lan.address.len = 64;
	cfg.n_routes = CFG_MAX_ROUTES;
	for (i = 0; i < CFG_MAX_ROUTES; i++) {
		struct cfg_route *r = &cfg.routes[i];

		memset(r, 0, sizeof(*r));
		r->prefix.family = AF_INET;
		r->prefix.len = 32;
		r->prefix.addr[0] = 10;
		r->prefix.addr[2] = (uint8_t)(i >> 8);
		r->prefix.addr[3] = (uint8_t)i;
		r->gateway = cfg.lan.address;
		r->gateway.len = 128;
		r->gateway.addr[14] = (uint8_t)((i + 2) >> 8);
		r->gateway.addr[15] = (uint8_t)(i + 2);
	}
	assert_int_equal(fibpush_build(&fp, &cfg, &cp), 0);
	total = 1 + (2 + CFG_MAX_ROUTES) + CFG_MAX_ROUTES + CFG_MAX_ROUTES + 1;

	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(fibpush_queued(&fp), total - (CHAN_C2D_SLOTS - 1));
	assert_true(cp.hdr->c2d_refused >= 1);
	assert_int_equal(fibpush_flush(&fp), -ENOBUFS);

	/* the data plane drains, twinpathd retries: everything arrives in
	 * order, exactly once */
	for (n = 0; n < total;) {
		unsigned int got = drain(), k;

		for (k = 0; k < got; k++)
			assert_int_equal(recs[k].seq, next_seq++);
		if (n == 0)
			assert_int_equal(recs[0].type, CHAN_REC_SYNC_BEGIN);
		n += got;
		if (n == total)
			assert_int_equal(recs[got - 1].type, CHAN_REC_SYNC_END);
		fibpush_flush(&fp);
		assert_true(got > 0);
	}
	assert_int_equal(n, total);
	assert_int_equal(fibpush_queued(&fp), 0);
	assert_int_equal(fibpush_flush(&fp), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_fibpush_active_active_puts_every_via_link_primary,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_active_standby_backs_up_with_next_tier,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_resync_takes_the_next_generation, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_learned_mac_sends_one_resolved_nexthop,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_full_ring_queues_in_order_and_loses_nothing,
			setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
