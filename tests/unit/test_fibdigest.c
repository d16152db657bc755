/* The FIB digest's arithmetic (common/fibdigest.h): an entry added and
 * removed leaves the digest as it was, the same entries in any order give
 * the same digest, and each field an entry's meaning depends on changes
 * its hash. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "fibdigest.h"

struct route {
	const char *prefix;
	uint8_t len;
	uint32_t group;
};

static const struct route routes[] = {
	{"198.51.100.0", 24, 1},
	{"198.18.0.0", 16, 2},
	{"203.0.113.0", 24, 1},
	{"192.0.2.128", 25, 3},
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

static uint32_t route_hash(const struct route *r)
{
	uint8_t a[16] = {0};

	assert_int_equal(inet_pton(AF_INET, r->prefix, a), 1);
	return fib_digest_route(AF_INET, r->len, a, r->group);
}

static void add_in_order(struct fib_digest *d, const unsigned int *order)
{
	unsigned int i;

	memset(d, 0, sizeof(*d));
	for (i = 0; i < N_ROUTES; i++)
		fib_digest_flip(d, FIB_DIGEST_ROUTES,
				route_hash(&routes[order[i]]));
}

static void test_fibdigest_add_then_delete_returns_to_the_old_value(void **s)
{
	static const unsigned int order[] = {0, 1, 2, 3};
	static const uint32_t primary[] = {1, 2}, backup[] = {3};
	struct fib_digest d, before;
	uint32_t h = fib_digest_group(7, 2, primary, 1, backup);

	(void)s;
	add_in_order(&d, order);
	fib_digest_flip(&d, FIB_DIGEST_GROUPS, h);
	before = d;
	/* a route added: only the routes part moves */
	fib_digest_flip(&d, FIB_DIGEST_ROUTES,
			route_hash(&(struct route){"198.51.101.0", 24, 4}));
	assert_int_not_equal(d.part[FIB_DIGEST_ROUTES],
			     before.part[FIB_DIGEST_ROUTES]);
	assert_int_equal(d.part[FIB_DIGEST_GROUPS],
			 before.part[FIB_DIGEST_GROUPS]);
	assert_int_equal(d.part[FIB_DIGEST_NEXTHOPS], 0);
	/* ... and deleted again */
	fib_digest_flip(&d, FIB_DIGEST_ROUTES,
			route_hash(&(struct route){"198.51.101.0", 24, 4}));
	assert_memory_equal(&d, &before, sizeof(d));
	/* the group deleted, then every route: nothing left */
	fib_digest_flip(&d, FIB_DIGEST_GROUPS, h);
	assert_int_equal(d.part[FIB_DIGEST_GROUPS], 0);
	for (unsigned int i = 0; i < N_ROUTES; i++)
		fib_digest_flip(&d, FIB_DIGEST_ROUTES, route_hash(&routes[i]));
	assert_int_equal(d.part[FIB_DIGEST_ROUTES], 0);
}

static void test_fibdigest_same_set_in_another_order_is_equal(void **s)
{
	static const unsigned int a[] = {0, 1, 2, 3}, b[] = {3, 1, 0, 2},
				  c[] = {2, 3, 1, 0};
	struct fib_digest da, db, dc;

	(void)s;
	add_in_order(&da, a);
	add_in_order(&db, b);
	add_in_order(&dc, c);
	assert_int_not_equal(da.part[FIB_DIGEST_ROUTES], 0);
	assert_memory_equal(&da, &db, sizeof(da));
	assert_memory_equal(&da, &dc, sizeof(da));
}

/* A route moved to another group is another entry. */
static void test_fibdigest_route_hash_covers_prefix_length_and_group(void **s)
{
	const struct route r = {"198.51.100.0", 24, 1};
	uint32_t h = route_hash(&r);

	(void)s;
	assert_int_not_equal(h, route_hash(&(struct route){"198.51.100.0", 24,
							  2}));
	assert_int_not_equal(h, route_hash(&(struct route){"198.51.100.0", 25,
							  1}));
	assert_int_not_equal(h, route_hash(&(struct route){"198.51.101.0", 24,
							  1}));
	assert_int_equal(h, route_hash(&r));
}

/* The member order places members in buckets: it counts; so does which
 * list a member is in. */
static void test_fibdigest_group_hash_covers_members_and_order(void **s)
{
	static const uint32_t p12[] = {1, 2}, p21[] = {2, 1}, p1[] = {1},
			      p2[] = {2};
	uint32_t h = fib_digest_group(5, 2, p12, 0, NULL);

	(void)s;
	assert_int_not_equal(h, fib_digest_group(5, 2, p21, 0, NULL));
	assert_int_not_equal(h, fib_digest_group(6, 2, p12, 0, NULL));
	assert_int_not_equal(h, fib_digest_group(5, 1, p1, 1, p2));
	assert_int_not_equal(h, fib_digest_group(5, 1, p12, 0, NULL));
	assert_int_equal(h, fib_digest_group(5, 2, p12, 0, NULL));
}

/* An unresolved nexthop's MAC is never used: it does not count. */
static void test_fibdigest_nexthop_mac_counts_only_when_resolved(void **s)
{
	static const uint8_t mac1[6] = {0x02, 0, 0, 0, 0, 1},
			     mac2[6] = {0x02, 0, 0, 0, 0, 2};
	uint8_t gw[16] = {0};
	uint32_t h;

	(void)s;
	assert_int_equal(inet_pton(AF_INET, "203.0.113.2", gw), 1);
	h = fib_digest_nexthop(1, 0, AF_INET, true, gw, mac1);
	assert_int_not_equal(h, fib_digest_nexthop(1, 0, AF_INET, true, gw,
						   mac2));
	assert_int_not_equal(h, fib_digest_nexthop(1, 1, AF_INET, true, gw,
						   mac1));
	assert_int_not_equal(h, fib_digest_nexthop(2, 0, AF_INET, true, gw,
						   mac1));
	assert_int_not_equal(h, fib_digest_nexthop(1, 0, AF_INET, false, gw,
						   mac1));
	assert_int_equal(fib_digest_nexthop(1, 0, AF_INET, false, gw, mac1),
			 fib_digest_nexthop(1, 0, AF_INET, false, gw, mac2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_fibdigest_add_then_delete_returns_to_the_old_value),
		cmocka_unit_test(
			test_fibdigest_same_set_in_another_order_is_equal),
		cmocka_unit_test(
			test_fibdigest_route_hash_covers_prefix_length_and_group),
		cmocka_unit_test(
			test_fibdigest_group_hash_covers_members_and_order),
		cmocka_unit_test(
			test_fibdigest_nexthop_mac_counts_only_when_resolved),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
