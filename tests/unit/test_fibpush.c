/* FIB push: the exact records twinpathd sends for each mode, generations
 * of full syncs, MAC updates, back-pressure on a full ring, and the BGP
 * differences (a real channel, both roles opened in this process). */
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
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "chan.h"
#include "config.h"
#include "fibpush.h"
#include "ptable.h"
#include "rib.h"

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
	fibpush_free(&fp);
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

/* BGP */

static void addr4(struct cfg_addr *a, const char *s, uint8_t len)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->len = len;
	assert_int_equal(inet_pton(AF_INET, s, a->addr), 1);
}

/* The lab's peers: link1 (index 0) 203.0.113.2, link2 (1) 203.0.113.6;
 * pic-four-links.conf's link3 and link4 follow. */
static const char *const peer[] = {"203.0.113.2", "203.0.113.6",
				   "203.0.113.10", "203.0.113.14"};

/* A set from "link:address" words; "|" starts the backup set. */
static const struct rib_nhset *nhset(const char *spec)
{
	static struct rib_nhset set;
	char buf[256], *tok, *save = NULL;
	bool backup = false;

	memset(&set, 0, sizeof(set));
	snprintf(buf, sizeof(buf), "%s", spec);
	for (tok = strtok_r(buf, " ", &save); tok != NULL;
	     tok = strtok_r(NULL, " ", &save)) {
		struct rib_nh *nh;
		unsigned int link = (unsigned int)(tok[0] - '0');

		if (strcmp(tok, "|") == 0) {
			backup = true;
			continue;
		}
		nh = backup ? &set.backup[set.n_backup++] :
			      &set.primary[set.n_primary++];
		nh->link = (uint16_t)link;
		addr4(&nh->addr, tok[1] == ':' ? tok + 2 : peer[link], 32);
	}
	return &set;
}

static int bgp(const char *prefix, uint8_t len, const char *spec)
{
	struct cfg_addr p;

	addr4(&p, prefix, len);
	return fibpush_bgp_route(&fp, &p, spec ? nhset(spec) : NULL);
}

static void assert_route_del(const struct chan_rec *r, const char *prefix,
			     uint8_t len)
{
	uint8_t addr[16] = {0};

	assert_int_equal(r->type, CHAN_REC_ROUTE_DEL);
	assert_int_equal(r->u.route.family, AF_INET);
	assert_int_equal(r->u.route.len, len);
	assert_int_equal(inet_pton(AF_INET, prefix, addr), 1);
	assert_memory_equal(r->u.route.prefix, addr, 16);
}

static void assert_grp_del(const struct chan_rec *r, uint32_t id)
{
	assert_int_equal(r->type, CHAN_REC_GROUP_DEL);
	assert_int_equal(r->u.id, id);
}

/* The lab, synced, the channel drained: static groups 1 {1,2} and 2 {3}. */
static void lab_synced(void)
{
	load(LAB_AA);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(drain(), 9);
}

/* link drain (RFC 8326 §4.2) for static routes, active/active: the via
 * group moves to {link2} with link1 as backup, make-before-break (new
 * group, route, old group deleted); a full sync carries the new group;
 * restored, the route is back on both links (a freed-id pool group). */
static void test_fibpush_drained_link_leaves_static_primary_aa(void **s)
{
	static const uint32_t link1[] = {1}, link2[] = {2}, both[] = {1, 2};
	static const uint32_t lan_gw[] = {3};

	(void)s;
	lab_synced();
	assert_int_equal(fibpush_set_drained(&fp, 1u << 0), 1);
	assert_int_equal(drain(), 3);
	assert_grp(&recs[0], 3, 1, link2, 1, link1);
	assert_route(&recs[1], "198.51.100.0", 24, 3);
	assert_int_equal(recs[2].type, CHAN_REC_GROUP_DEL);
	assert_int_equal(recs[2].u.id, 1);
	assert_int_equal(fibpush_set_drained(&fp, 1u << 0), 0); /* no change */
	assert_int_equal(drain(), 0);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(drain(), 9);
	assert_grp(&recs[4], 2, 1, lan_gw, 0, NULL);
	assert_grp(&recs[5], 3, 1, link2, 1, link1);
	assert_route(&recs[6], "198.51.100.0", 24, 3);
	/* both drained: no link is better, both stay primary */
	assert_int_equal(fibpush_set_drained(&fp, 3u), 1);
	assert_int_equal(drain(), 3);
	assert_grp(&recs[0], 4, 2, both, 0, NULL);
	assert_route(&recs[1], "198.51.100.0", 24, 4);
	assert_int_equal(fibpush_set_drained(&fp, 0), 0); /* same group */
	assert_int_equal(drain(), 0);
}

/* Active/standby: the drained primary (local_pref 200) becomes the backup
 * of the standby; draining the standby changes nothing. */
static void test_fibpush_drained_link_leaves_static_primary_as(void **s)
{
	static const uint32_t link1[] = {1}, link2[] = {2};

	(void)s;
	load(LAB_AS);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(drain(), 9);
	assert_int_equal(fibpush_set_drained(&fp, 1u << 1), 0);
	assert_int_equal(drain(), 0);
	assert_int_equal(fibpush_set_drained(&fp, 1u << 0), 1);
	assert_int_equal(drain(), 3);
	assert_grp(&recs[0], 3, 1, link2, 1, link1);
	assert_route(&recs[1], "198.51.100.0", 24, 3);
	assert_int_equal(recs[2].type, CHAN_REC_GROUP_DEL);
	assert_int_equal(fibpush_set_drained(&fp, 0), 1);
	assert_int_equal(drain(), 3);
	assert_grp(&recs[0], 4, 1, link1, 1, link2);
}

static void test_fibpush_bgp_new_set_sends_group_then_route(void **s)
{
	static const uint32_t link1[] = {1};

	(void)s;
	lab_synced();
	assert_int_equal(bgp("10.0.0.0", 8, "0"), 0);
	assert_int_equal(drain(), 2);
	assert_grp(&recs[0], 3, 1, link1, 0, NULL);
	assert_route(&recs[1], "10.0.0.0", 8, 3);
	assert_int_equal(recs[0].generation, 1);
	assert_int_equal(recs[1].generation, 1);
	assert_int_equal(fibpush_route_count(&fp), 3);
}

static void test_fibpush_bgp_same_set_again_sends_only_the_route(void **s)
{
	(void)s;
	lab_synced();
	assert_int_equal(bgp("10.0.0.0", 8, "0"), 0);
	assert_int_equal(drain(), 2);
	assert_int_equal(bgp("10.1.0.0", 16, "0"), 0);
	assert_int_equal(drain(), 1);
	assert_route(&recs[0], "10.1.0.0", 16, 3);
	/* both links: the static route's group, interned */
	assert_int_equal(bgp("10.2.0.0", 16, "1 0"), 0);
	assert_int_equal(drain(), 1);
	assert_route(&recs[0], "10.2.0.0", 16, 1);
	/* the same set for the same prefix: nothing */
	assert_int_equal(bgp("10.1.0.0", 16, "0"), 0);
	assert_int_equal(drain(), 0);
	/* host bits do not make another prefix */
	assert_int_equal(bgp("10.1.2.3", 16, "0"), 0);
	assert_int_equal(drain(), 0);
	assert_int_equal(fibpush_group(&fp, 3)->refs, 2);
}

static void test_fibpush_bgp_set_change_moves_route_then_deletes_group(void **s)
{
	static const uint32_t link2[] = {2}, both[] = {1, 2}, link1[] = {1};

	(void)s;
	lab_synced();
	assert_int_equal(bgp("10.0.0.0", 8, "0"), 0);
	assert_int_equal(drain(), 2);
	assert_int_equal(bgp("10.0.0.0", 8, "1"), 0);
	assert_int_equal(drain(), 3);
	assert_grp(&recs[0], 4, 1, link2, 0, NULL);
	assert_route(&recs[1], "10.0.0.0", 8, 4);
	assert_grp_del(&recs[2], 3);
	assert_null(fibpush_group(&fp, 3));
	/* to a backup set: a group of its own */
	assert_int_equal(bgp("10.0.0.0", 8, "1 0 | 0"), 0);
	assert_int_equal(drain(), 3);
	assert_grp(&recs[0], 5, 2, both, 1, link1);
	assert_route(&recs[1], "10.0.0.0", 8, 5);
	assert_grp_del(&recs[2], 4);
}

static void test_fibpush_bgp_removal_deletes_group_with_last_route(void **s)
{
	(void)s;
	lab_synced();
	assert_int_equal(bgp("10.0.0.0", 8, "0"), 0);
	assert_int_equal(bgp("10.1.0.0", 16, "0"), 0);
	assert_int_equal(drain(), 3);
	assert_int_equal(bgp("10.0.0.0", 8, NULL), 0);
	assert_int_equal(drain(), 1);
	assert_route_del(&recs[0], "10.0.0.0", 8);
	assert_int_equal(bgp("10.1.0.0", 16, NULL), 0);
	assert_int_equal(drain(), 2);
	assert_route_del(&recs[0], "10.1.0.0", 16);
	assert_grp_del(&recs[1], 3);
	/* gone already, or never there: nothing */
	assert_int_equal(bgp("10.1.0.0", 16, NULL), 0);
	assert_int_equal(bgp("198.51.100.0", 24, NULL), 0);
	assert_int_equal(drain(), 0);
	assert_int_equal(fibpush_route_count(&fp), 2);
	assert_int_equal(fp.n_grp, 2);
	assert_int_equal(fp.n_bgp, 0);
}

static void test_fibpush_bgp_static_route_wins(void **s)
{
	static const uint32_t link2[] = {2};
	const struct fp_route *r;
	struct cfg_addr p;

	(void)s;
	lab_synced();
	addr4(&p, "198.51.100.0", 24);
	/* the static route stays; the BGP one is remembered, its group
	 * held (and so on the data plane), no ROUTE_ADD */
	assert_int_equal(bgp("198.51.100.0", 24, "1"), 0);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 3, 1, link2, 0, NULL);
	r = fibpush_route(&fp, &p);
	assert_non_null(r);
	assert_int_equal(r->group_id, 1);
	assert_int_equal(r->bgp_group_id, 3);
	assert_int_equal(r->flags, FP_ROUTE_STATIC | FP_ROUTE_BGP);
	assert_int_equal(fp.n_shadowed, 1);
	assert_int_equal(fibpush_route_count(&fp), 2);
	/* the static route's own set: nothing new at all */
	assert_int_equal(bgp("198.51.100.0", 24, "0 1"), 0);
	assert_int_equal(drain(), 1);
	assert_grp_del(&recs[0], 3);
	/* withdrawn: the static route is untouched */
	assert_int_equal(bgp("198.51.100.0", 24, NULL), 0);
	assert_int_equal(drain(), 0);
	r = fibpush_route(&fp, &p);
	assert_int_equal(r->flags, FP_ROUTE_STATIC);
	assert_int_equal(r->group_id, 1);
	assert_int_equal(fibpush_group(&fp, 1)->refs, 1);
	assert_int_equal(fp.n_shadowed, 0);
}

static unsigned int nh_cb_calls;
static uint32_t nh_cb_last;
static int nh_cb_rc;

static int on_nh(void *arg, const struct fp_nexthop *nh)
{
	assert_ptr_equal(arg, &fp);
	nh_cb_calls++;
	nh_cb_last = nh->id;
	return nh_cb_rc;
}

static void test_fibpush_bgp_third_party_next_hop_is_made_once(void **s)
{
	static const uint32_t four[] = {4}, two_four[] = {2, 4};
	const struct fp_nexthop *nh;

	(void)s;
	lab_synced();
	nh_cb_calls = 0;
	nh_cb_rc = 0;
	fibpush_set_nh_cb(&fp, on_nh, &fp);
	assert_int_equal(bgp("10.0.0.0", 8, "0:203.0.113.9"), 0);
	assert_int_equal(drain(), 3);
	assert_nh(&recs[0], 4, 0, "203.0.113.9", 0);
	assert_grp(&recs[1], 3, 1, four, 0, NULL);
	assert_route(&recs[2], "10.0.0.0", 8, 3);
	assert_int_equal(nh_cb_calls, 1);
	assert_int_equal(nh_cb_last, 4);
	nh = fibpush_nexthop(&fp, 4);
	assert_true(nh->bgp);
	assert_string_equal(nh->label, "link1");
	assert_string_equal(nh->ifname, "link1");
	/* members in nexthop-id order whatever the link order */
	assert_int_equal(bgp("10.1.0.0", 16, "0:203.0.113.9 1"), 0);
	assert_int_equal(drain(), 2);
	assert_grp(&recs[0], 4, 2, two_four, 0, NULL);
	assert_route(&recs[1], "10.1.0.0", 16, 4);
	assert_int_equal(nh_cb_calls, 1);
	/* the same address on the other link is another nexthop */
	assert_int_equal(bgp("10.2.0.0", 16, "1:203.0.113.9"), 0);
	assert_int_equal(drain(), 3);
	assert_nh(&recs[0], 5, 1, "203.0.113.9", 0);
	assert_int_equal(nh_cb_calls, 2);
	/* a MAC learned for it goes out like a link's */
	assert_int_equal(fibpush_set_mac(&fp, 4, (const uint8_t[6]){2, 0, 0,
							     0, 0, 5}), 0);
	assert_int_equal(drain(), 1);
	assert_nh(&recs[0], 5, 1, "203.0.113.9", CHAN_NH_F_RESOLVED);
}

static void test_fibpush_bgp_refused_next_hop_is_undone(void **s)
{
	(void)s;
	lab_synced();
	nh_cb_calls = 0;
	nh_cb_rc = -ENOMEM;
	fibpush_set_nh_cb(&fp, on_nh, &fp);
	assert_int_equal(bgp("10.0.0.0", 8, "0:203.0.113.9"), -ENOMEM);
	assert_int_equal(drain(), 2);
	assert_nh(&recs[0], 4, 0, "203.0.113.9", 0);
	assert_int_equal(recs[1].type, CHAN_REC_NEXTHOP_DEL);
	assert_int_equal(recs[1].u.id, 4);
	assert_int_equal(fp.n_nh, 3);
	assert_int_equal(fibpush_route_count(&fp), 2);
	/* the next try gets the same id */
	nh_cb_rc = 0;
	assert_int_equal(bgp("10.0.0.0", 8, "0:203.0.113.9"), 0);
	assert_int_equal(nh_cb_last, 4);
	assert_int_equal(drain(), 3);
}

/* The digest of the model by a full walk (what fibpush's incremental
 * digest must always equal): every nexthop, every group in use, every
 * installed prefix with its group. */
static void digest_walk(struct fib_digest *d)
{
	const struct cfg_addr *pfx;
	const struct fp_route *r;
	size_t cursor = 0;
	unsigned int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < fp.n_nh; i++) {
		const struct fp_nexthop *nh = &fp.nh[i];
		static const uint8_t zero[6];

		fib_digest_flip(d, FIB_DIGEST_NEXTHOPS,
				fib_digest_nexthop(nh->id, nh->port,
						   nh->gateway.family,
						   nh->resolved,
						   nh->gateway.addr,
						   nh->resolved ? nh->mac : zero));
	}
	for (i = 1; i <= fp.grp_top; i++) {
		const struct fp_group *g = fibpush_group(&fp, i);

		if (g != NULL)
			fib_digest_flip(d, FIB_DIGEST_GROUPS,
					fib_digest_group(g->id, g->n_primary,
							 g->primary,
							 g->n_backup,
							 g->backup));
	}
	while ((r = fibpush_route_next(&fp, &cursor, &pfx)) != NULL)
		fib_digest_flip(d, FIB_DIGEST_ROUTES,
				fib_digest_route(pfx->family, pfx->len,
						 pfx->addr, r->group_id));
}

static void assert_digest_walks(void)
{
	struct fib_digest d;

	digest_walk(&d);
	assert_memory_equal(&fp.digest, &d, sizeof(d));
}

/* The incremental digest (control/fibcheck.c compares it with the data
 * plane's) equals a full walk of the model after every kind of change:
 * BGP routes added, moved to another set, given a backup set, over a
 * third-party next hop and one refused, shadowed by a static route,
 * removed; MACs learned and changed; a link drained and restored. */
static void test_fibpush_digest_follows_every_change(void **s)
{
	static const uint8_t mac1[6] = {2, 0, 0, 0, 0, 1},
			     mac2[6] = {2, 0, 0, 0, 0, 2};
	struct fib_digest empty = {{0}};

	(void)s;
	lab_synced();
	assert_memory_not_equal(&fp.digest, &empty, sizeof(empty));
	assert_digest_walks();
	fibpush_set_nh_cb(&fp, on_nh, &fp);
	nh_cb_rc = 0;
	assert_int_equal(bgp("10.0.0.0", 8, "0"), 0);
	assert_digest_walks();
	assert_int_equal(bgp("10.1.0.0", 16, "0"), 0);
	assert_int_equal(bgp("10.0.0.0", 8, "1"), 0);
	assert_digest_walks();
	assert_int_equal(bgp("10.0.0.0", 8, "1 0 | 0"), 0);
	assert_digest_walks();
	assert_int_equal(bgp("10.2.0.0", 16, "0:203.0.113.9 1"), 0);
	assert_digest_walks();
	nh_cb_rc = -ENOMEM;
	assert_int_equal(bgp("10.3.0.0", 16, "1:203.0.113.77"), -ENOMEM);
	assert_digest_walks();
	nh_cb_rc = 0;
	assert_int_equal(bgp("198.51.100.0", 24, "1"), 0); /* shadowed */
	assert_digest_walks();
	assert_int_equal(fibpush_set_mac(&fp, 0, mac1), 0);
	assert_digest_walks();
	assert_int_equal(fibpush_set_mac(&fp, 0, mac2), 0);
	assert_int_equal(fibpush_set_mac(&fp, 3, mac1), 0);
	assert_digest_walks();
	assert_int_equal(fibpush_set_drained(&fp, 1u << 0), 1);
	assert_digest_walks();
	assert_int_equal(fibpush_set_drained(&fp, 0), 1);
	assert_digest_walks();
	assert_int_equal(bgp("198.51.100.0", 24, NULL), 0);
	assert_int_equal(bgp("10.0.0.0", 8, NULL), 0);
	assert_int_equal(bgp("10.1.0.0", 16, NULL), 0);
	assert_int_equal(bgp("10.2.0.0", 16, NULL), 0);
	assert_digest_walks();
	/* a full sync sends the model as it is: the digest stays */
	{
		struct fib_digest before = fp.digest;

		assert_int_equal(fibpush_full_sync(&fp), 0);
		assert_memory_equal(&fp.digest, &before, sizeof(before));
	}
}

static void test_fibpush_bgp_before_first_sync_waits_for_it(void **s)
{
	(void)s;
	load(LAB_AA);
	assert_int_equal(bgp("10.0.0.0", 8, "0:203.0.113.9"), 0);
	assert_int_equal(bgp("10.1.0.0", 16, "1"), 0);
	assert_int_equal(bgp("10.1.0.0", 16, NULL), 0);
	assert_int_equal(drain(), 0);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(drain(), 1 + 4 + 3 + 3 + 1);
}

static void test_fibpush_full_sync_carries_bgp_state(void **s)
{
	static const uint32_t both[] = {1, 2}, lan_gw[] = {3}, four[] = {4},
			      link1[] = {1};
	unsigned int i;

	(void)s;
	lab_synced();
	assert_int_equal(bgp("10.0.0.0", 8, "0:203.0.113.9"), 0); /* g3 */
	assert_int_equal(bgp("10.1.0.0", 16, "1"), 0);            /* g4 */
	assert_int_equal(bgp("10.2.0.0", 16, "0"), 0);            /* g5 */
	assert_int_equal(bgp("10.2.0.0", 16, NULL), 0);           /* -g5 */
	assert_int_equal(bgp("10.1.0.0", 16, "0"), 0);    /* g6, -g4 */
	assert_int_equal(bgp("198.18.0.0", 16, "1"), 0);  /* shadowed, g4 */
	drain();
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(drain(), 1 + 4 + 5 + 2 + 2 + 1);
	for (i = 0; i < 15; i++)
		assert_int_equal(recs[i].generation, 2);
	assert_int_equal(recs[0].type, CHAN_REC_SYNC_BEGIN);
	assert_nh(&recs[4], 4, 0, "203.0.113.9", 0);
	assert_grp(&recs[5], 1, 2, both, 0, NULL);
	assert_grp(&recs[6], 2, 1, lan_gw, 0, NULL);
	assert_grp(&recs[7], 3, 1, four, 0, NULL);
	/* 4 and 5 were freed, but fresh ids come first: 10.1/16 moved to
	 * 6, the shadowed route's {2} is 7 */
	assert_int_equal(recs[8].u.grp.id, 6);
	assert_grp(&recs[8], 6, 1, link1, 0, NULL);
	assert_int_equal(recs[9].u.grp.id, 7);
	/* static routes first, in config order, then BGP in prefix order */
	assert_route(&recs[10], "198.51.100.0", 24, 1);
	assert_route(&recs[11], "198.18.0.0", 16, 2);
	assert_route(&recs[12], "10.0.0.0", 8, 3);
	assert_route(&recs[13], "10.1.0.0", 16, 6);
	assert_int_equal(recs[14].type, CHAN_REC_SYNC_END);
}

/* A /32 per I under 100.64.0.0/10 (4 M of them). */
static void pfx_of(uint32_t i, struct cfg_addr *p)
{
	uint32_t a = htonl(0x64400000u + i);

	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->len = 32;
	memcpy(p->addr, &a, 4);
}

static void test_fibpush_bgp_out_of_group_ids_is_enospc_and_fifo(void **s)
{
	char spec[64];
	unsigned int i, j, n = 0;
	uint32_t freed[2];
	struct cfg_addr p;
	int rc = 0;

	(void)s;
	load(LAB_AA); /* not synced: only the ids matter here */
	/* pairs of 100 third-party next hops: more sets than ids */
	for (i = 0; i < 100 && rc == 0; i++)
		for (j = i + 1; j < 100 && rc == 0; j++) {
			snprintf(spec, sizeof(spec),
				 "0:10.9.0.%u 0:10.9.0.%u", i + 1, j + 1);
			pfx_of(n, &p);
			rc = fibpush_bgp_route(&fp, &p, nhset(spec));
			n++;
		}
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(fp.grp_table_full, 1);
	assert_true(fp.grp_nospc_logged);
	assert_int_equal(fp.nh_table_full, 0);
	assert_int_equal(fp.n_grp, FP_GROUP_ID_MAX - 1);
	assert_int_equal(n - 1, FP_GROUP_ID_MAX - 1 - 2);
	assert_null(fibpush_route(&fp, &p)); /* the refused one */
	/* the prefix of a refused change keeps its route */
	pfx_of(0, &p);
	assert_int_equal(fibpush_bgp_route(&fp, &p, nhset("0:10.9.1.1 "
							  "0:10.9.1.2")),
			 -ENOSPC);
	assert_int_equal(fp.grp_table_full, 2);
	assert_int_equal(fibpush_route(&fp, &p)->group_id, 3);
	/* an existing set still takes routes while the table is full */
	pfx_of(200000, &p);
	assert_int_equal(fibpush_bgp_route(&fp, &p,
					   nhset("0:10.9.0.1 0:10.9.0.2")), 0);
	assert_int_equal(fibpush_route(&fp, &p)->group_id, 3);
	assert_int_equal(fp.grp_table_full, 2);
	/* ids come back oldest first */
	for (i = 0; i < 2; i++) {
		pfx_of(10 + i, &p);
		freed[i] = fibpush_route(&fp, &p)->group_id;
		assert_int_equal(fibpush_bgp_route(&fp, &p, NULL), 0);
	}
	/* room again: the episode is over, the next one logs again */
	assert_false(fp.grp_nospc_logged);
	for (i = 0; i < 2; i++) {
		snprintf(spec, sizeof(spec), "0:10.9.2.%u", i + 1);
		pfx_of(100000 + i, &p);
		assert_int_equal(fibpush_bgp_route(&fp, &p, nhset(spec)), 0);
		assert_int_equal(fibpush_route(&fp, &p)->group_id, freed[i]);
	}
	pfx_of(100002, &p);
	assert_int_equal(fibpush_bgp_route(&fp, &p, nhset("0:10.9.2.9")),
			 -ENOSPC);
	assert_int_equal(fp.grp_table_full, 3);
	assert_true(fp.grp_nospc_logged);
}

static void test_fibpush_bgp_out_of_nexthop_ids_is_enospc(void **s)
{
	char spec[64];
	struct cfg_addr p;
	unsigned int i;
	int rc = 0;

	(void)s;
	load(LAB_AA);
	for (i = 0; rc == 0; i++) {
		snprintf(spec, sizeof(spec), "1:10.%u.%u.%u", i >> 16 & 255,
			 i >> 8 & 255, i & 255);
		pfx_of(i, &p);
		rc = fibpush_bgp_route(&fp, &p, nhset(spec));
	}
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(fp.nh_table_full, 1);
	assert_true(fp.nh_nospc_logged);
	assert_int_equal(fp.n_nh, FP_NH_ID_MAX - 1);
	assert_int_equal(i - 1, FP_NH_ID_MAX - 1 - 3);
	assert_null(fibpush_route(&fp, &p));
	/* a second new next hop: counted again, the table unchanged */
	pfx_of(i + 1, &p);
	assert_int_equal(fibpush_bgp_route(&fp, &p, nhset("1:10.255.0.1")),
			 -ENOSPC);
	assert_int_equal(fp.nh_table_full, 2);
	assert_int_equal(fp.n_nh, FP_NH_ID_MAX - 1);
	/* known next hops still work, uncounted */
	assert_int_equal(fibpush_bgp_route(&fp, &p, nhset("1:10.0.0.7")), 0);
	assert_non_null(fibpush_route(&fp, &p));
	assert_int_equal(fp.nh_table_full, 2);
}

/* A data plane in miniature: applies records in order, stamps entries
 * with their generation and sweeps older ones at SYNC_END. */
struct model_route {
	uint32_t group;
	uint64_t gen;
};

static struct {
	struct ptable *routes;
	struct {
		bool set;
		uint64_t gen;
		struct chan_group g;
	} grp[FP_GROUP_ID_MAX];
	uint64_t applied;
} model;

static void model_apply(const struct chan_rec *r)
{
	struct model_route *m;
	struct cfg_addr p;
	size_t c;
	unsigned int i;

	switch (r->type) {
	case CHAN_REC_GROUP_SET:
		model.grp[r->u.grp.id].set = true;
		model.grp[r->u.grp.id].gen = r->generation;
		model.grp[r->u.grp.id].g = r->u.grp;
		break;
	case CHAN_REC_GROUP_DEL:
		model.grp[r->u.id].set = false;
		break;
	case CHAN_REC_ROUTE_ADD:
	case CHAN_REC_ROUTE_DEL:
		memset(&p, 0, sizeof(p));
		p.family = r->u.route.family;
		p.len = r->u.route.len;
		memcpy(p.addr, r->u.route.prefix, 16);
		if (r->type == CHAN_REC_ROUTE_DEL) {
			ptable_del(model.routes, &p);
			break;
		}
		/* make-before-break: a route never names a missing group */
		assert_true(model.grp[r->u.route.group_id].set);
		m = ptable_put(model.routes, &p, NULL);
		m->group = r->u.route.group_id;
		m->gen = r->generation;
		break;
	case CHAN_REC_SYNC_END: {
		const struct cfg_addr *k;
		struct cfg_addr *stale = calloc(ptable_count(model.routes) + 1,
						sizeof(*stale));
		size_t n = 0;

		c = 0;
		while ((m = ptable_next(model.routes, &c, &k)) != NULL)
			if (m->gen < r->generation)
				stale[n++] = *k;
		for (c = 0; c < n; c++)
			ptable_del(model.routes, &stale[c]);
		free(stale);
		for (i = 1; i < FP_GROUP_ID_MAX; i++)
			if (model.grp[i].set && model.grp[i].gen < r->generation)
				model.grp[i].set = false;
		model.applied = r->generation;
		break;
	}
	default:
		break;
	}
}

/* Applies up to MAX records from the ring; returns how many. */
static unsigned int model_drain(unsigned int max)
{
	struct chan_rec buf[256];
	unsigned int n = 0, got, k;

	while (n < max &&
	       (got = chan_recv(&dp, buf, max - n < 256 ? max - n : 256)) > 0) {
		for (k = 0; k < got; k++)
			model_apply(&buf[k]);
		n += got;
	}
	return n;
}

/* The model holds what fibpush holds: every installed route on a group
 * with the same members, nothing more. */
static void assert_model_matches(void)
{
	const struct cfg_addr *pfx;
	const struct fp_route *r;
	struct model_route *m;
	size_t cursor = 0, n = 0;

	while ((r = fibpush_route_next(&fp, &cursor, &pfx)) != NULL) {
		const struct fp_group *g = fibpush_group(&fp, r->group_id);

		m = ptable_get(model.routes, pfx);
		assert_non_null(m);
		assert_int_equal(m->group, r->group_id);
		assert_true(model.grp[m->group].set);
		assert_int_equal(model.grp[m->group].g.n_primary, g->n_primary);
		assert_memory_equal(model.grp[m->group].g.primary, g->primary,
				    g->n_primary * sizeof(uint32_t));
		n++;
	}
	assert_int_equal(n, ptable_count(model.routes));
}

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

/* A full sync streams its BGP routes while routes come, go and move:
 * deletions and growth shift table entries under the walk, a second sync
 * starts before the first is through, and the data side still ends with
 * exactly fibpush's table. */
static void full_sync_streams_under_churn(bool sorted)
{
	static const char *const sets[] = {"0", "1", "0 1", "0:203.0.113.9"};
	struct rib_nhset set[4];
	struct cfg_addr p;
	uint32_t x = 12345;
	unsigned int i, round;

	memset(&model, 0, sizeof(model));
	model.routes = ptable_new(sizeof(struct model_route), 0);
	assert_non_null(model.routes);
	for (i = 0; i < 4; i++)
		set[i] = *nhset(sets[i]);
	load(LAB_AA);
	fp.sync_sorted = sorted;
	assert_int_equal(fibpush_full_sync(&fp), 0);
	/* near 3/4 load: long probe runs, so deletions shift entries
	 * across the walk's cursor, and growth comes during the churn */
	for (i = 0; i < 45000; i++) {
		pfx_of(i, &p);
		assert_int_equal(fibpush_bgp_route(&fp, &p, &set[i % 4]), 0);
		if (i % 1024 == 0) {
			model_drain(UINT32_MAX);
			fibpush_flush(&fp);
		}
	}
	while (fibpush_queued(&fp) > 0) {
		model_drain(UINT32_MAX);
		fibpush_flush(&fp);
	}
	model_drain(UINT32_MAX);
	assert_model_matches();

	/* the table grows (rehashes) with the walk half way */
	assert_int_equal(fibpush_full_sync(&fp), 0);
	for (i = 0; i < 20000;) {
		i += model_drain(UINT32_MAX);
		fibpush_flush(&fp);
	}
	assert_true(fp.sync_active);
	for (i = 0; i < 10000; i++) {
		pfx_of(100000 + i, &p);
		assert_int_equal(fibpush_bgp_route(&fp, &p, &set[i % 4]), 0);
		if (i % 1024 == 0)
			model_drain(UINT32_MAX);
	}
	while (fibpush_queued(&fp) > 0) {
		model_drain(UINT32_MAX);
		fibpush_flush(&fp);
	}
	model_drain(UINT32_MAX);
	assert_int_equal(model.applied, fp.generation);
	assert_model_matches();

	for (round = 0; round < 3; round++) {
		assert_int_equal(fibpush_full_sync(&fp), 0);
		for (i = 0; i < 200; i++) {
			unsigned int k;

			/* the data plane takes a bit, twinpathd changes a
			 * few hundred routes */
			model_drain(1 + lcg(&x) % 1000);
			for (k = 0; k < 100; k++) {
				uint32_t n = lcg(&x) % 75000, op = lcg(&x) % 3;

				pfx_of(n, &p);
				assert_int_equal(fibpush_bgp_route(&fp, &p,
					op == 0 ? NULL : &set[lcg(&x) % 4]), 0);
			}
			fibpush_flush(&fp);
			if (round == 1 && i == 30)
				assert_int_equal(fibpush_full_sync(&fp), 0);
		}
		while (fibpush_queued(&fp) > 0) {
			model_drain(1 + lcg(&x) % 3000);
			fibpush_flush(&fp);
		}
		model_drain(UINT32_MAX);
		assert_int_equal(model.applied, fp.generation);
		assert_model_matches();
	}
	ptable_free(model.routes);
}

static void test_fibpush_full_sync_streams_under_churn(void **s)
{
	(void)s;
	full_sync_streams_under_churn(true);
}

/* The same in table (hash) order, the fallback without memory to sort. */
static void test_fibpush_full_sync_table_order_streams_under_churn(void **s)
{
	(void)s;
	full_sync_streams_under_churn(false);
}

/* A full sync sends the BGP routes of both families in prefix order
 * (family, address, length), each once, whatever order they came in, and
 * one created or withdrawn half way keeps that order for the rest. */
static void test_fibpush_full_sync_sends_bgp_in_prefix_order(void **s)
{
	struct rib_nhset set = *nhset("0 1");
	struct cfg_addr p, last;
	uint32_t x = 777, a;
	unsigned int i, n, got, k, routes = 0, n_static_seen = 0;

	(void)s;
	lab_synced();
	for (i = 0; i < 3000; i++) {
		memset(&p, 0, sizeof(p));
		if (i % 3 == 2) {
			p.family = AF_INET6;
			p.len = (uint8_t)(32 + lcg(&x) % 33);
			p.addr[0] = 0x20;
			p.addr[1] = 0x01;
			for (k = 2; k < 8; k++)
				p.addr[k] = (uint8_t)lcg(&x);
		} else {
			p.family = AF_INET;
			p.len = (uint8_t)(8 + lcg(&x) % 25);
			a = htonl(lcg(&x) << 8 ^ lcg(&x));
			memcpy(p.addr, &a, 4);
		}
		assert_int_equal(fibpush_bgp_route(&fp, &p, &set), 0);
		drain();
	}
	n = (unsigned int)fibpush_route_count(&fp) - fp.n_static;
	assert_true(n > 2900); /* random draws rarely repeat a prefix */
	assert_int_equal(fibpush_full_sync(&fp), 0);
	memset(&last, 0, sizeof(last));
	for (;;) {
		got = drain();
		if (got == 0 && fibpush_queued(&fp) == 0)
			break;
		for (k = 0; k < got; k++) {
			if (recs[k].type != CHAN_REC_ROUTE_ADD)
				continue;
			if (n_static_seen < fp.n_static) {
				n_static_seen++; /* they come first */
				continue;
			}
			memset(&p, 0, sizeof(p));
			p.family = recs[k].u.route.family;
			p.len = recs[k].u.route.len;
			memcpy(p.addr, recs[k].u.route.prefix, 16);
			if (routes > 0) {
				assert_true(p.family >= last.family);
				if (p.family == last.family) {
					int c = memcmp(p.addr, last.addr, 16);

					assert_true(c > 0 ||
						    (c == 0 && p.len > last.len));
				}
			}
			last = p;
			routes++;
		}
		fibpush_flush(&fp);
	}
	assert_int_equal(routes, n);
}

/* The walk has sent the K-th BGP route (A) and stops for room; A is then
 * withdrawn. Backward-shift deletion may pull the next entry of A's probe
 * run into A's slot, behind the cursor: it must still be sent in this
 * sync (else SYNC_END would sweep it). Tried for many K at high load, so
 * that many of them have a displaced neighbour. */
static void test_fibpush_full_sync_misses_no_route_shifted_by_delete(void **s)
{
	const struct rib_nhset *set;
	struct rib_nhset copy;
	struct chan_rec junk;
	struct cfg_addr p;
	unsigned int i, k;

	(void)s;
	load(LAB_AA);
	fp.sync_sorted = false; /* the hash-order walk this is about */
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(drain(), 9);
	copy = *nhset("0");
	set = &copy;
	for (i = 0; i < 2900; i++) { /* table of 4096 slots, 71 % full */
		pfx_of(i, &p);
		assert_int_equal(fibpush_bgp_route(&fp, &p, set), 0);
		if (i % 1024 == 0)
			drain();
	}
	while (fibpush_queued(&fp) > 0) {
		drain();
		fibpush_flush(&fp);
	}
	drain();
	memset(&junk, 0, sizeof(junk));
	junk.type = CHAN_REC_NEXTHOP_DEL;
	junk.u.id = 4000;
	for (k = 1; k <= 300; k += 3) {
		const struct cfg_addr *a = NULL, *pfx;
		struct ptable *seen = ptable_new(1, 4096);
		size_t cursor = 0, n_seen = 0;
		unsigned int m = 1 + fp.n_nh + fp.n_grp + fp.n_static, got, j;
		struct cfg_addr a_copy;

		/* room for the sync's first part and exactly K routes */
		while (chan_send_space(&cp) > m + k)
			assert_int_equal(chan_send(&cp, &junk), 0);
		assert_int_equal(fibpush_full_sync(&fp), 0);
		assert_true(fp.sync_active);
		for (j = 0; j < fp.n_static + k; j++)
			assert_non_null(fibpush_route_next(&fp, &cursor, &a));
		a_copy = *a;
		assert_int_equal(fibpush_bgp_route(&fp, &a_copy, NULL), 0);
		for (;;) {
			bool done = fibpush_queued(&fp) == 0;

			while ((got = chan_recv(&dp, recs, 256)) > 0)
				for (j = 0; j < got; j++) {
					memset(&p, 0, sizeof(p));
					p.family = AF_INET;
					p.len = recs[j].u.route.len;
					memcpy(p.addr, recs[j].u.route.prefix, 4);
					if (recs[j].type == CHAN_REC_ROUTE_ADD &&
					    recs[j].generation == fp.generation)
						ptable_put(seen, &p, NULL);
				}
			if (done)
				break;
			fibpush_flush(&fp);
		}
		cursor = 0;
		while (fibpush_route_next(&fp, &cursor, &pfx) != NULL) {
			assert_non_null(ptable_get(seen, pfx));
			n_seen++;
		}
		assert_int_equal(n_seen, fibpush_route_count(&fp));
		ptable_free(seen);
	}
}

/* Everything the data side holds now, counted by type. */
static void drain_count(uint64_t *count)
{
	struct chan_rec buf[512];
	unsigned int got, k;

	while ((got = chan_recv(&dp, buf, 512)) > 0)
		for (k = 0; k < got; k++)
			count[buf[k].type < CHAN_REC_TYPE_MAX ? buf[k].type :
								0]++;
}

static double since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

#define MILLION 1000000u

/* A million BGP routes in and out, as diffs and as one full sync, the
 * data side drained as a data plane would. Times are printed, not
 * asserted (2 shared cores). */
static void test_fibpush_bgp_million_routes(void **s)
{
	static const char *const sets[] = {"0", "1", "0 1", "0:203.0.113.9",
					   "0 | 1", "1 | 0"};
	uint64_t count[CHAN_REC_TYPE_MAX];
	const struct rib_nhset *set[6];
	struct rib_nhset copy[6];
	struct timespec t0;
	struct cfg_addr p;
	unsigned int i;

	(void)s;
	lab_synced();
	for (i = 0; i < 6; i++) {
		copy[i] = *nhset(sets[i]);
		set[i] = &copy[i];
	}
	memset(count, 0, sizeof(count));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < MILLION; i++) {
		pfx_of(i, &p);
		assert_int_equal(fibpush_bgp_route(&fp, &p, set[i % 6]), 0);
		if (i % 2048 == 2047) {
			drain_count(count);
			fibpush_flush(&fp);
		}
	}
	drain_count(count);
	assert_int_equal(fibpush_flush(&fp), 0);
	drain_count(count);
	print_message("1M BGP route adds: %.3f s\n", since(&t0));
	assert_int_equal(count[CHAN_REC_ROUTE_ADD], MILLION);
	/* {1,2} is the static route's group: five new groups, one new
	 * nexthop */
	assert_int_equal(count[CHAN_REC_GROUP_SET], 5);
	assert_int_equal(count[CHAN_REC_NEXTHOP_SET], 1);
	assert_int_equal(fibpush_route_count(&fp), MILLION + 2);

	memset(count, 0, sizeof(count));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	print_message("1M-route full sync queued: %.3f s (%zu records "
		      "waiting)\n", since(&t0), fibpush_queued(&fp));
	while (fibpush_queued(&fp) > 0) {
		drain_count(count);
		fibpush_flush(&fp);
	}
	drain_count(count);
	print_message("1M-route full sync sent and drained: %.3f s\n",
		      since(&t0));
	assert_int_equal(count[CHAN_REC_SYNC_BEGIN], 1);
	assert_int_equal(count[CHAN_REC_NEXTHOP_SET], 4);
	assert_int_equal(count[CHAN_REC_GROUP_SET], 7);
	assert_int_equal(count[CHAN_REC_ROUTE_ADD], MILLION + 2);
	assert_int_equal(count[CHAN_REC_SYNC_END], 1);

	memset(count, 0, sizeof(count));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < MILLION; i++) {
		pfx_of(i, &p);
		assert_int_equal(fibpush_bgp_route(&fp, &p, NULL), 0);
		if (i % 2048 == 2047) {
			drain_count(count);
			fibpush_flush(&fp);
		}
	}
	drain_count(count);
	assert_int_equal(fibpush_flush(&fp), 0);
	drain_count(count);
	print_message("1M BGP route deletes: %.3f s\n", since(&t0));
	assert_int_equal(count[CHAN_REC_ROUTE_DEL], MILLION);
	assert_int_equal(count[CHAN_REC_GROUP_DEL], 5);
	assert_int_equal(count[CHAN_REC_ROUTE_ADD], 0);
	assert_int_equal(fibpush_route_count(&fp), 2);
	assert_int_equal(fp.n_grp, 2);
	assert_int_equal(fp.n_bgp, 0);
}

/* ---- prefix-independent convergence (issue 15 item 1) ---- */

#define LAB_BGP_AA TWP_TEST_DATA "/../../config/lab-bgp-active-active.conf"
#define PIC_FOUR TWP_TEST_DATA "/configs/pic-four-links.conf"
#define PIC_N 1000u

/* The I-th of the test's prefixes: 10.x.y.0/24. */
static void pic_prefix(unsigned int i, struct cfg_addr *p, char *buf,
		       size_t len)
{
	snprintf(buf, len, "10.%u.%u.0", i >> 8 & 255u, i & 255u);
	addr4(p, buf, 24);
}

/* Prefixes FROM..TO-1 get SPEC (NULL: withdrawn), as the RIB's decisions
 * would arrive one by one. */
static void pic_decide(unsigned int from, unsigned int to, const char *spec)
{
	struct rib_nhset set;
	struct cfg_addr p;
	char buf[32];
	unsigned int i;

	if (spec != NULL)
		set = *nhset(spec);
	for (i = from; i < to; i++) {
		pic_prefix(i, &p, buf, sizeof(buf));
		assert_int_equal(fibpush_bgp_route(&fp, &p,
						   spec ? &set : NULL), 0);
	}
}

static uint32_t pic_group_of(unsigned int i)
{
	struct cfg_addr p;
	char buf[32];

	pic_prefix(i, &p, buf, sizeof(buf));
	assert_non_null(fibpush_route(&fp, &p));
	return fibpush_route(&fp, &p)->group_id;
}

/* CONF loaded, synced, the channel drained; then PIC_N prefixes on SPEC:
 * one GROUP_SET (id GID) and a ROUTE_ADD each. */
static void pic_start(const char *conf, unsigned int sync_recs,
		      const char *spec, uint32_t gid)
{
	load(conf);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(drain(), sync_recs);
	pic_decide(0, PIC_N, spec);
	assert_int_equal(drain(), PIC_N + 1);
	assert_int_equal(recs[0].type, CHAN_REC_GROUP_SET);
	assert_int_equal(recs[0].u.grp.id, gid);
	assert_int_equal(pic_group_of(0), gid);
}

/* Link1's session drops with 1 k prefixes on {link1, link2}: one
 * GROUP_SET for the group, and nothing at all while the 1 k decisions
 * ({link2}) arrive; it comes back, every prefix is announced again
 * ({link1, link2}, nothing sent each), End-of-RIB: one GROUP_SET. */
static void test_fibpush_pic_link_down_and_back_two_links(void **s)
{
	static const uint32_t link2[] = {2}, both[] = {1, 2};

	(void)s;
	pic_start(LAB_BGP_AA, 7, "0 1", 2);
	assert_int_equal(fibpush_link_down(&fp, 0), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 2, 1, link2, 0, NULL);
	assert_int_equal(fp.masked, 1u);
	/* the same link again: nothing more */
	assert_int_equal(fibpush_link_down(&fp, 0), 0);
	assert_int_equal(drain(), 0);
	pic_decide(0, PIC_N, "1");
	assert_int_equal(drain(), 0);
	assert_int_equal(fp.pic.routes_kept, PIC_N);
	assert_int_equal(fp.n_excl[0], PIC_N);
	assert_int_equal(pic_group_of(PIC_N - 1), 2);
	assert_digest_walks();
	/* the session is back: relearned prefix by prefix */
	pic_decide(0, PIC_N, "0 1");
	assert_int_equal(drain(), 0);
	assert_int_equal(fp.n_excl[0], 0);
	assert_int_equal(fp.pic.routes_kept, 2 * PIC_N);
	/* End-of-RIB: the group gets link1 back; no route moves */
	assert_int_equal(fibpush_link_up(&fp, 0), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 2, 2, both, 0, NULL);
	assert_int_equal(fp.masked, 0);
	assert_int_equal(fibpush_link_up(&fp, 0), 0);
	assert_int_equal(drain(), 0);
	assert_digest_walks();
	assert_int_equal(fp.pic.link_down, 1);
	assert_int_equal(fp.pic.link_up, 1);
	assert_int_equal(fp.pic.groups_down, 1);
	assert_int_equal(fp.pic.groups_up, 1);
	assert_int_equal(fp.pic.routes_moved, 0);
	assert_int_equal(fp.pic.records[FP_CAUSE_LINK_DOWN], 1);
	assert_int_equal(fp.pic.records[FP_CAUSE_LINK_UP], 1);
	assert_int_equal(fp.pic.records[FP_CAUSE_ROUTE], PIC_N + 1);
	assert_int_equal(fibpush_link_down(&fp, 2), -EINVAL);
	assert_int_equal(fibpush_link_up(&fp, 2), -EINVAL);
}

/* Ten prefixes are not announced again before End-of-RIB: those ten, and
 * nothing else, move to a group of their own set ({link2}: GROUP_SET
 * once, ROUTE_ADD each) before the group gets link1 back. */
static void test_fibpush_pic_not_announced_again_move_at_link_up(void **s)
{
	static const uint32_t link2[] = {2}, both[] = {1, 2};
	bool seen[10] = {false};
	unsigned int i;

	(void)s;
	pic_start(LAB_BGP_AA, 7, "0 1", 2);
	assert_int_equal(fibpush_link_down(&fp, 0), 1);
	pic_decide(0, PIC_N, "1");
	assert_int_equal(drain(), 1);
	pic_decide(10, PIC_N, "0 1");
	assert_int_equal(drain(), 0);
	assert_int_equal(fp.n_excl[0], 10);
	assert_int_equal(fibpush_link_up(&fp, 0), 1);
	assert_int_equal(drain(), 12);
	assert_grp(&recs[0], 3, 1, link2, 0, NULL);
	for (i = 1; i <= 10; i++) {
		unsigned int k = recs[i].u.route.prefix[2] |
				 (unsigned int)recs[i].u.route.prefix[1] << 8;

		assert_int_equal(recs[i].type, CHAN_REC_ROUTE_ADD);
		assert_int_equal(recs[i].u.route.group_id, 3);
		assert_int_equal(recs[i].u.route.len, 24);
		assert_true(k < 10);
		assert_false(seen[k]);
		seen[k] = true;
	}
	assert_grp(&recs[11], 2, 2, both, 0, NULL);
	for (i = 0; i < 10; i++)
		assert_int_equal(pic_group_of(i), 3);
	assert_int_equal(pic_group_of(10), 2);
	assert_int_equal(fibpush_group(&fp, 2)->refs, PIC_N - 10);
	assert_int_equal(fp.n_excl[0], 0);
	assert_int_equal(fp.pic.routes_moved, 10);
	assert_int_equal(fp.pic.records[FP_CAUSE_LINK_UP], 12);
	assert_digest_walks();
}

/* What the decision really changes is still sent per prefix: a prefix
 * whose new set is not its group's without link1 (another next hop on
 * link2) is re-pointed; one only link1 had is withdrawn, and its group
 * (left with no member by the mask: kept as it was) goes with it. */
static void test_fibpush_pic_real_changes_are_still_per_prefix(void **s)
{
	static const uint32_t link1[] = {1}, link2[] = {2};

	(void)s;
	pic_start(LAB_BGP_AA, 7, "0 1", 2);
	assert_int_equal(bgp("10.200.0.0", 24, "0"), 0);
	assert_int_equal(drain(), 2);
	assert_grp(&recs[0], 3, 1, link1, 0, NULL);
	assert_int_equal(fibpush_link_down(&fp, 0), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 2, 1, link2, 0, NULL);
	assert_int_equal(fp.pic.groups_empty, 1);
	/* group 3 ({link1}) has nothing left: it stays {link1} */
	assert_int_equal(fibpush_group(&fp, 3)->n_primary, 1);
	assert_int_equal(fibpush_group(&fp, 3)->primary[0], 1);
	pic_decide(1, PIC_N, "1");
	assert_int_equal(drain(), 0);
	/* prefix 0: link2's path has another next hop */
	pic_decide(0, 1, "1:203.0.113.7");
	assert_int_equal(drain(), 3);
	assert_nh(&recs[0], 4, 1, "203.0.113.7", 0);
	assert_grp(&recs[1], 4, 1, (const uint32_t[]){4}, 0, NULL);
	assert_route(&recs[2], "10.0.0.0", 24, 4);
	assert_int_equal(bgp("10.200.0.0", 24, NULL), 0);
	assert_int_equal(drain(), 2);
	assert_route_del(&recs[0], "10.200.0.0", 24);
	assert_grp_del(&recs[1], 3);
	assert_digest_walks();
}

/* Active/standby: primary link1, backup link2. Link1 down: the group is
 * {link2} (the backup in the primary's place, as the decision gives it);
 * link2 down instead: {link1} with no backup. No route record. */
static void test_fibpush_pic_active_standby(void **s)
{
	static const uint32_t link1[] = {1}, link2[] = {2};

	(void)s;
	pic_start(LAB_BGP_AA, 7, "0 | 1", 2);
	assert_int_equal(fibpush_link_down(&fp, 0), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 2, 1, link2, 0, NULL);
	pic_decide(0, PIC_N, "1");
	assert_int_equal(drain(), 0);
	pic_decide(0, PIC_N, "0 | 1");
	assert_int_equal(fibpush_link_up(&fp, 0), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 2, 1, link1, 1, link2);
	assert_int_equal(fibpush_link_down(&fp, 1), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 2, 1, link1, 0, NULL);
	pic_decide(0, PIC_N, "0");
	assert_int_equal(drain(), 0);
	assert_int_equal(fp.n_excl[1], PIC_N);
	pic_decide(0, PIC_N, "0 | 1");
	assert_int_equal(fibpush_link_up(&fp, 1), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 2, 1, link1, 1, link2);
	assert_int_equal(fp.pic.records[FP_CAUSE_ROUTE], PIC_N + 1);
	assert_digest_walks();
}

/* Four links, two groups ({1,2,3,4} and {1,3}), two links down in turn
 * and back in the other order, every prefix's decision following: a
 * GROUP_SET per group holding the link each time, never a route. */
static void test_fibpush_pic_four_links_two_down(void **s)
{
	static const uint32_t all[] = {1, 2, 3, 4}, no1[] = {2, 3, 4},
			      no12[] = {3, 4}, no2[] = {1, 3, 4},
			      a13[] = {1, 3}, a3[] = {3};

	(void)s;
	pic_start(PIC_FOUR, 9, "0 1 2 3", 2);
	pic_decide(PIC_N, 2 * PIC_N, "0 2");
	assert_int_equal(drain(), PIC_N + 1);
	assert_grp(&recs[0], 3, 2, a13, 0, NULL);
	/* link1 down: both groups */
	assert_int_equal(fibpush_link_down(&fp, 0), 2);
	assert_int_equal(drain(), 2);
	assert_grp(&recs[0], 2, 3, no1, 0, NULL);
	assert_grp(&recs[1], 3, 1, a3, 0, NULL);
	pic_decide(0, PIC_N, "1 2 3");
	pic_decide(PIC_N, 2 * PIC_N, "2");
	assert_int_equal(drain(), 0);
	/* link2 down: the group holding it */
	assert_int_equal(fibpush_link_down(&fp, 1), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 2, 2, no12, 0, NULL);
	pic_decide(0, PIC_N, "2 3");
	assert_int_equal(drain(), 0);
	assert_int_equal(fp.masked, 3u);
	/* link1 back first, its prefixes relearned, End-of-RIB */
	pic_decide(0, PIC_N, "0 2 3");
	pic_decide(PIC_N, 2 * PIC_N, "0 2");
	assert_int_equal(drain(), 0);
	assert_int_equal(fp.n_excl[0], 0);
	assert_int_equal(fp.n_excl[1], PIC_N);
	assert_int_equal(fibpush_link_up(&fp, 0), 2);
	assert_int_equal(drain(), 2);
	assert_grp(&recs[0], 2, 3, no2, 0, NULL);
	assert_grp(&recs[1], 3, 2, a13, 0, NULL);
	pic_decide(0, PIC_N, "0 1 2 3");
	assert_int_equal(fibpush_link_up(&fp, 1), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 2, 4, all, 0, NULL);
	assert_int_equal(fp.pic.records[FP_CAUSE_ROUTE], 2 * (PIC_N + 1));
	assert_int_equal(fp.pic.routes_moved, 0);
	assert_digest_walks();
}

/* The digest of what a full sync sent (nexthops, groups, routes): what
 * the data plane holds after applying it. */
static void digest_of_records(unsigned int n, struct fib_digest *d)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < n; i++) {
		const struct chan_rec *r = &recs[i];

		if (r->type == CHAN_REC_NEXTHOP_SET)
			fib_digest_flip(d, FIB_DIGEST_NEXTHOPS,
					fib_digest_nexthop(
						r->u.nh.id, r->u.nh.port,
						r->u.nh.family,
						r->u.nh.flags &
							CHAN_NH_F_RESOLVED,
						r->u.nh.gateway, r->u.nh.mac));
		else if (r->type == CHAN_REC_GROUP_SET)
			fib_digest_flip(d, FIB_DIGEST_GROUPS,
					fib_digest_group(r->u.grp.id,
							 r->u.grp.n_primary,
							 r->u.grp.primary,
							 r->u.grp.n_backup,
							 r->u.grp.backup));
		else if (r->type == CHAN_REC_ROUTE_ADD)
			fib_digest_flip(d, FIB_DIGEST_ROUTES,
					fib_digest_route(r->u.route.family,
							 r->u.route.len,
							 r->u.route.prefix,
							 r->u.route.group_id));
	}
}

/* A full sync while link1 is masked sends the effective lists (what the
 * data plane must hold), and the digest of what it sent is the model's. */
static void test_fibpush_pic_full_sync_while_masked(void **s)
{
	static const uint32_t link2[] = {2}, lan_gw[] = {3};
	struct fib_digest d;

	(void)s;
	pic_start(LAB_BGP_AA, 7, "0 1", 2);
	assert_int_equal(fibpush_link_down(&fp, 0), 1);
	pic_decide(0, PIC_N / 2, "1");
	assert_int_equal(drain(), 1);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	while (fibpush_queued(&fp) > 0)
		fibpush_flush(&fp);
	/* SYNC_BEGIN, 3 nexthops, 2 groups, the static route, the BGP
	 * ones, SYNC_END */
	assert_int_equal(drain(), 8 + PIC_N);
	assert_int_equal(recs[0].type, CHAN_REC_SYNC_BEGIN);
	assert_grp(&recs[4], 1, 1, lan_gw, 0, NULL);
	assert_grp(&recs[5], 2, 1, link2, 0, NULL);
	assert_int_equal(recs[7 + PIC_N].type, CHAN_REC_SYNC_END);
	digest_of_records(8 + PIC_N, &d);
	assert_memory_equal(&d, &fp.digest, sizeof(d));
	assert_digest_walks();
}

/* The last route leaving a masked group deletes it (GROUP_DEL after the
 * last ROUTE_DEL), as any group. */
static void test_fibpush_pic_masked_group_deleted_with_last_route(void **s)
{
	(void)s;
	pic_start(LAB_BGP_AA, 7, "0 1", 2);
	assert_int_equal(fibpush_link_down(&fp, 0), 1);
	pic_decide(0, PIC_N, "1");
	assert_int_equal(drain(), 1);
	pic_decide(0, PIC_N, NULL);
	assert_int_equal(drain(), PIC_N + 1);
	assert_route_del(&recs[PIC_N - 1], "10.3.231.0", 24);
	assert_grp_del(&recs[PIC_N], 2);
	assert_null(fibpush_group(&fp, 2));
	assert_int_equal(fp.n_excl[0], 0);
	/* back up with nothing on it: nothing to send */
	assert_int_equal(fibpush_link_up(&fp, 0), 0);
	assert_int_equal(drain(), 0);
	assert_digest_walks();
}

/* BGP prefixes on the group of a static route over the links (the lab's
 * 198.51.100.0/24 via link1 and link2): at link down the static route
 * (one) moves to a group of its own, make before break, and the group
 * is masked for the BGP prefixes (a thousand), which stay. */
static void test_fibpush_pic_static_route_leaves_the_masked_group(void **s)
{
	static const uint32_t both[] = {1, 2}, link2[] = {2};

	(void)s;
	lab_synced();
	pic_decide(0, PIC_N, "0 1");
	assert_int_equal(drain(), PIC_N);
	assert_int_equal(pic_group_of(0), 1);
	assert_int_equal(fibpush_link_down(&fp, 0), 1);
	assert_int_equal(drain(), 3);
	assert_grp(&recs[0], 3, 2, both, 0, NULL);
	assert_route(&recs[1], "198.51.100.0", 24, 3);
	assert_grp(&recs[2], 1, 1, link2, 0, NULL);
	assert_int_equal(fp.pic.static_split, 1);
	assert_int_equal(fp.route[0].group_id, 3);
	assert_int_equal(fibpush_group(&fp, 3)->srefs, 1);
	assert_int_equal(fibpush_group(&fp, 1)->srefs, 0);
	pic_decide(0, PIC_N, "1");
	assert_int_equal(drain(), 0);
	pic_decide(0, PIC_N, "0 1");
	assert_int_equal(fibpush_link_up(&fp, 0), 1);
	assert_int_equal(drain(), 1);
	assert_grp(&recs[0], 1, 2, both, 0, NULL);
	/* a drain of link1 (static routes only) still works on its group */
	assert_int_equal(fibpush_set_drained(&fp, 1u << 0), 1);
	assert_digest_walks();
}

/* Prefixes FROM..TO-1 of pfx_of get SET (NULL: withdrawn), the data side
 * drained as a data plane would, records counted into COUNT. */
static void pic_million_decide(unsigned int from, unsigned int to,
			       const struct rib_nhset *set, uint64_t *count)
{
	struct cfg_addr p;
	unsigned int i;

	for (i = from; i < to; i++) {
		pfx_of(i, &p);
		assert_int_equal(fibpush_bgp_route(&fp, &p, set), 0);
		if (i % 2048 == 2047) {
			drain_count(count);
			fibpush_flush(&fp);
		}
	}
	assert_int_equal(fibpush_flush(&fp), 0);
	drain_count(count);
}

/* The numbers at full scale: a million prefixes on {link1,
 * link2}; link1 fails and its million decisions arrive: one record in
 * all (target: at most 1000); it comes back with all but ten announced
 * again: those ten move (one new group) and the group gets link1 back;
 * once more with every prefix announced: one record. Times printed, not
 * asserted (2 shared cores). */
static void test_fibpush_pic_million_prefixes(void **s)
{
	uint64_t count[CHAN_REC_TYPE_MAX];
	struct rib_nhset both, link2;
	struct timespec t0;

	(void)s;
	load(LAB_BGP_AA);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	assert_int_equal(drain(), 7);
	both = *nhset("0 1");
	link2 = *nhset("1");
	memset(count, 0, sizeof(count));
	pic_million_decide(0, MILLION, &both, count);
	assert_int_equal(count[CHAN_REC_ROUTE_ADD], MILLION);

	memset(count, 0, sizeof(count));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fibpush_link_down(&fp, 0), 1);
	print_message("1M prefixes, link down: %.6f s\n", since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pic_million_decide(0, MILLION, &link2, count);
	print_message("1M decisions without link1: %.3f s\n", since(&t0));
	assert_int_equal(count[CHAN_REC_GROUP_SET], 1);
	assert_int_equal(count[CHAN_REC_ROUTE_ADD], 0);
	assert_int_equal(count[CHAN_REC_ROUTE_DEL], 0);
	assert_int_equal(fp.pic.records[FP_CAUSE_LINK_DOWN], 1);

	memset(count, 0, sizeof(count));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pic_million_decide(10, MILLION, &both, count);
	print_message("1M-10 decisions with link1 again: %.3f s\n",
		      since(&t0));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fibpush_link_up(&fp, 0), 1);
	drain_count(count);
	print_message("link up, 10 prefixes moved (a table walk): %.6f s\n",
		      since(&t0));
	assert_int_equal(count[CHAN_REC_GROUP_SET], 2);
	assert_int_equal(count[CHAN_REC_ROUTE_ADD], 10);
	assert_int_equal(fp.pic.routes_moved, 10);

	memset(count, 0, sizeof(count));
	assert_int_equal(fibpush_link_down(&fp, 0), 1);
	pic_million_decide(10, MILLION, &link2, count);
	pic_million_decide(10, MILLION, &both, count);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(fibpush_link_up(&fp, 0), 1);
	drain_count(count);
	print_message("link up, every prefix announced again: %.6f s\n",
		      since(&t0));
	assert_int_equal(count[CHAN_REC_GROUP_SET], 2);
	assert_int_equal(count[CHAN_REC_ROUTE_ADD], 0);
	assert_int_equal(fp.pic.routes_moved, 10);
	assert_digest_walks();
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
		cmocka_unit_test_setup_teardown(
			test_fibpush_drained_link_leaves_static_primary_aa,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_drained_link_leaves_static_primary_as,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_new_set_sends_group_then_route,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_same_set_again_sends_only_the_route,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_set_change_moves_route_then_deletes_group,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_removal_deletes_group_with_last_route,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_static_route_wins,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_third_party_next_hop_is_made_once,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_refused_next_hop_is_undone,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_digest_follows_every_change,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_before_first_sync_waits_for_it,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_full_sync_carries_bgp_state,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_out_of_group_ids_is_enospc_and_fifo,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_out_of_nexthop_ids_is_enospc,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_full_sync_streams_under_churn,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_full_sync_table_order_streams_under_churn,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_full_sync_sends_bgp_in_prefix_order,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_full_sync_misses_no_route_shifted_by_delete,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_bgp_million_routes,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_pic_link_down_and_back_two_links,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_pic_not_announced_again_move_at_link_up,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_pic_real_changes_are_still_per_prefix,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_pic_active_standby,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_pic_four_links_two_down,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_pic_full_sync_while_masked,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_pic_masked_group_deleted_with_last_route,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_pic_static_route_leaves_the_masked_group,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_fibpush_pic_million_prefixes,
			setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
