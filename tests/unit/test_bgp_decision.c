/* Decision process (control/bgp/decision.c): each RFC 4271 §9.1.2.2 step
 * decides in its turn on a pair of paths equal up to it, and the
 * multipath rule groups paths of equal local-pref and AS path length. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "rib.h"

/* An AS path of one segment of TYPE with N ASNs. */
struct path_buf {
	uint8_t b[64];
	uint16_t len;
};

static void seg_add(struct path_buf *p, uint8_t type, const uint32_t *asn,
		    unsigned int n)
{
	unsigned int i;

	p->b[p->len++] = type;
	p->b[p->len++] = (uint8_t)n;
	for (i = 0; i < n; i++) {
		uint32_t be = htonl(asn[i]);

		memcpy(&p->b[p->len], &be, 4);
		p->len += 4;
	}
}

struct side {
	struct bgp_attrs a;
	struct rib_peer peer;
	struct path_buf path;
};

/* Two paths from eBGP peers in AS 64500, AS path "64500 64510", origin
 * IGP, LOCAL_PREF 100, no MED, router ids 10.0.0.1/10.0.0.2, peer
 * addresses 192.0.2.1/192.0.2.2: equal down to the router id. */
static void pair(struct side *x, struct side *y)
{
	static const uint32_t seq[] = {64500, 64510};
	struct side *s[2] = {x, y};
	unsigned int i;

	for (i = 0; i < 2; i++) {
		memset(s[i], 0, sizeof(*s[i]));
		seg_add(&s[i]->path, 2, seq, 2);
		s[i]->a.present = BGP_ATTR_P(BGP_ATTR_ORIGIN) |
				  BGP_ATTR_P(BGP_ATTR_AS_PATH) |
				  BGP_ATTR_P(BGP_ATTR_NEXT_HOP) |
				  BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
		s[i]->a.local_pref = 100;
		s[i]->a.origin = BGP_ORIGIN_IGP;
		s[i]->a.aspath = s[i]->path.b;
		s[i]->a.aspath_len = s[i]->path.len;
		s[i]->peer.asn = 64500;
		s[i]->peer.router_id[0] = 10;
		s[i]->peer.router_id[3] = (uint8_t)(1 + i);
		s[i]->peer.addr.family = AF_INET;
		s[i]->peer.addr.len = 32;
		s[i]->peer.addr.addr[0] = 192;
		s[i]->peer.addr.addr[2] = 2;
		s[i]->peer.addr.addr[3] = (uint8_t)(1 + i);
	}
}

static void set_path(struct side *s, uint8_t type, const uint32_t *asn,
		     unsigned int n)
{
	s->path.len = 0;
	seg_add(&s->path, type, asn, n);
	s->a.aspath_len = s->path.len;
}

/* X must win over Y at STEP, and Y lose to X at the same step. */
static void assert_wins(struct side *x, struct side *y, enum bgp_step want)
{
	enum bgp_step step = BGP_STEP_EQUAL;

	assert_true(bgp_path_cmp(&x->a, &x->peer, &y->a, &y->peer, &step) < 0);
	assert_int_equal(step, want);
	step = BGP_STEP_EQUAL;
	assert_true(bgp_path_cmp(&y->a, &y->peer, &x->a, &x->peer, &step) > 0);
	assert_int_equal(step, want);
}

static void test_decision_higher_local_pref_wins(void **state)
{
	struct side x, y;

	(void)state;
	pair(&x, &y);
	x.a.local_pref = 200;
	/* worse in every later step, still better */
	y.path.len = 0;
	y.a.aspath_len = 0;
	x.a.origin = BGP_ORIGIN_INCOMPLETE;
	assert_wins(&x, &y, BGP_STEP_LOCAL_PREF);
}

static void test_decision_missing_local_pref_is_100(void **state)
{
	struct side x, y;

	(void)state;
	pair(&x, &y);
	y.a.present &= ~BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
	y.a.local_pref = 0;
	/* 100 vs absent: equal at local-pref, decided by the router id */
	assert_wins(&x, &y, BGP_STEP_ROUTER_ID);
	x.a.local_pref = 99;
	assert_wins(&y, &x, BGP_STEP_LOCAL_PREF);
}

static void test_decision_shorter_as_path_wins(void **state)
{
	static const uint32_t three[] = {64500, 64510, 64520};
	struct side x, y;

	(void)state;
	pair(&x, &y);
	set_path(&y, 2, three, 3);
	x.a.origin = BGP_ORIGIN_INCOMPLETE;
	assert_wins(&x, &y, BGP_STEP_AS_PATH);
}

static void test_decision_as_set_counts_one(void **state)
{
	static const uint32_t set[] = {64510, 64511, 64512, 64513};
	static const uint32_t head[] = {64500};
	static const uint32_t three[] = {64500, 64510, 64520};
	struct side x, y;

	(void)state;
	pair(&x, &y);
	/* x: "64500 {64510 64511 64512 64513}" = 2 hops */
	x.path.len = 0;
	seg_add(&x.path, 2, head, 1);
	seg_add(&x.path, 1, set, 4);
	x.a.aspath_len = x.path.len;
	/* equal to y's two hops: decided later, by the router id */
	assert_wins(&x, &y, BGP_STEP_ROUTER_ID);
	/* shorter than three hops */
	set_path(&y, 2, three, 3);
	assert_wins(&x, &y, BGP_STEP_AS_PATH);
}

static void test_decision_lower_origin_wins(void **state)
{
	struct side x, y;

	(void)state;
	pair(&x, &y);
	x.a.origin = BGP_ORIGIN_EGP;
	y.a.origin = BGP_ORIGIN_INCOMPLETE;
	x.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	x.a.med = 1000;
	assert_wins(&x, &y, BGP_STEP_ORIGIN);
}

static void test_decision_lower_med_wins_same_neighbour_as(void **state)
{
	struct side x, y;

	(void)state;
	pair(&x, &y);
	x.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	y.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	x.a.med = 10;
	y.a.med = 20;
	/* y has the lower router id, but MED decides first */
	memcpy(y.peer.router_id, (uint8_t[]){1, 0, 0, 0}, 4);
	assert_wins(&x, &y, BGP_STEP_MED);
}

static void test_decision_missing_med_is_lowest(void **state)
{
	struct side x, y;

	(void)state;
	pair(&x, &y);
	y.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	y.a.med = 1;
	memcpy(y.peer.router_id, (uint8_t[]){1, 0, 0, 0}, 4);
	assert_wins(&x, &y, BGP_STEP_MED);
}

static void test_decision_med_ignored_different_neighbour_as(void **state)
{
	static const uint32_t other[] = {64501, 64510};
	struct side x, y;

	(void)state;
	pair(&x, &y);
	set_path(&y, 2, other, 2);
	x.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	y.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	x.a.med = 500;
	y.a.med = 5;
	/* y's lower MED does not count: the router id decides, for x */
	assert_wins(&x, &y, BGP_STEP_ROUTER_ID);
}

static void test_decision_ebgp_over_ibgp(void **state)
{
	struct side x, y;

	(void)state;
	pair(&x, &y);
	y.peer.ibgp = true;
	memcpy(y.peer.router_id, (uint8_t[]){1, 0, 0, 0}, 4);
	assert_wins(&x, &y, BGP_STEP_EBGP);
}

static void test_decision_lower_router_id_wins(void **state)
{
	struct side x, y;

	(void)state;
	pair(&x, &y);
	/* x 10.0.0.1 < y 10.0.0.2, though x's peer address is higher */
	x.peer.addr.addr[3] = 200;
	assert_wins(&x, &y, BGP_STEP_ROUTER_ID);
}

static void test_decision_lower_peer_address_wins(void **state)
{
	struct side x, y;

	(void)state;
	pair(&x, &y);
	memcpy(y.peer.router_id, x.peer.router_id, 4);
	assert_wins(&x, &y, BGP_STEP_PEER_ADDR);
}

static void test_decision_identical_paths_equal(void **state)
{
	enum bgp_step step = BGP_STEP_LOCAL_PREF;
	struct side x, y;

	(void)state;
	pair(&x, &y);
	y.peer = x.peer;
	assert_int_equal(bgp_path_cmp(&x.a, &x.peer, &y.a, &y.peer, &step), 0);
	assert_int_equal(step, BGP_STEP_EQUAL);
}

static void test_decision_multipath_equal_lp_and_length(void **state)
{
	static const uint32_t other[] = {64501, 64520};
	struct side x, y;

	(void)state;
	pair(&x, &y);
	/* different ASNs, origin and MED: still multipath-equal */
	set_path(&y, 2, other, 2);
	y.a.origin = BGP_ORIGIN_INCOMPLETE;
	y.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	y.a.med = 7;
	assert_true(bgp_path_multipath_eq(&x.a, &y.a));
	assert_true(bgp_path_multipath_eq(&y.a, &x.a));
}

static void test_decision_multipath_differs_on_lp_or_length(void **state)
{
	static const uint32_t prepended[] = {64500, 64500, 64510};
	struct side x, y;

	(void)state;
	pair(&x, &y);
	y.a.local_pref = 200;
	assert_false(bgp_path_multipath_eq(&x.a, &y.a));
	pair(&x, &y);
	set_path(&y, 2, prepended, 3);
	assert_false(bgp_path_multipath_eq(&x.a, &y.a));
	/* missing LOCAL_PREF is 100 here too */
	pair(&x, &y);
	y.a.present &= ~BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
	assert_true(bgp_path_multipath_eq(&x.a, &y.a));
}

static void test_decision_step_names(void **state)
{
	(void)state;
	assert_string_equal(bgp_step_str(BGP_STEP_LOCAL_PREF), "local-pref");
	assert_string_equal(bgp_step_str(BGP_STEP_AS_PATH), "as-path length");
	assert_string_equal(bgp_step_str(BGP_STEP_MED), "med");
	assert_string_equal(bgp_step_str(BGP_STEP_EQUAL), "equal");
	assert_string_equal(bgp_step_str((enum bgp_step)99), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_higher_local_pref_wins),
		cmocka_unit_test(test_decision_missing_local_pref_is_100),
		cmocka_unit_test(test_decision_shorter_as_path_wins),
		cmocka_unit_test(test_decision_as_set_counts_one),
		cmocka_unit_test(test_decision_lower_origin_wins),
		cmocka_unit_test(test_decision_lower_med_wins_same_neighbour_as),
		cmocka_unit_test(test_decision_missing_med_is_lowest),
		cmocka_unit_test(test_decision_med_ignored_different_neighbour_as),
		cmocka_unit_test(test_decision_ebgp_over_ibgp),
		cmocka_unit_test(test_decision_lower_router_id_wins),
		cmocka_unit_test(test_decision_lower_peer_address_wins),
		cmocka_unit_test(test_decision_identical_paths_equal),
		cmocka_unit_test(test_decision_multipath_equal_lp_and_length),
		cmocka_unit_test(test_decision_multipath_differs_on_lp_or_length),
		cmocka_unit_test(test_decision_step_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
