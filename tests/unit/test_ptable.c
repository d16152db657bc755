/* Prefix table (common/ptable.c): values by prefix with host bits
 * ignored, families kept apart, growth and backward-shift deletion that
 * lose nothing, iteration that sees each entry once, and a million IPv4
 * prefixes in, out and counted. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "prefix_fixture.h"

#include "ptable.h"

struct val {
	uint64_t a;
	uint32_t b;
};

/* The I-th of many distinct IPv4 /24s (and /32s above 2^24). */
static struct cfg_addr v4_nth(uint32_t i)
{
	struct cfg_addr p;

	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	if (i < (1u << 24)) {
		uint32_t a = htonl(i << 8);

		p.len = 24;
		memcpy(p.addr, &a, 4);
	} else {
		uint32_t a = htonl(i);

		p.len = 32;
		memcpy(p.addr, &a, 4);
	}
	return p;
}

static void test_ptable_put_get_del(void **state)
{
	struct ptable *t = ptable_new(sizeof(struct val), 0);
	struct cfg_addr p = pfx("192.0.2.0", 24);
	struct val *v;
	bool created;

	(void)state;
	assert_non_null(t);
	assert_null(ptable_get(t, &p));
	v = ptable_put(t, &p, &created);
	assert_non_null(v);
	assert_true(created);
	assert_int_equal(v->a, 0);
	assert_int_equal(v->b, 0);
	v->a = 42;
	v->b = 7;
	v = ptable_put(t, &p, &created);
	assert_false(created);
	assert_int_equal(v->a, 42);
	v = ptable_get(t, &p);
	assert_non_null(v);
	assert_int_equal(v->b, 7);
	assert_int_equal(ptable_count(t), 1);
	assert_int_equal(ptable_del(t, &p), 0);
	assert_null(ptable_get(t, &p));
	assert_int_equal(ptable_del(t, &p), -ENOENT);
	assert_int_equal(ptable_count(t), 0);
	ptable_free(t);
}

static void test_ptable_host_bits_ignored(void **state)
{
	struct ptable *t = ptable_new(sizeof(struct val), 0);
	struct cfg_addr clean = pfx("198.51.100.0", 22);
	struct cfg_addr dirty = pfx("198.51.103.77", 22);
	struct cfg_addr six = pfx("2001:db8:1:ffff::1", 48);
	struct cfg_addr six_clean = pfx("2001:db8:1::", 48);
	const struct cfg_addr *key;
	struct val *v;
	size_t cur = 0;

	(void)state;
	v = ptable_put(t, &dirty, NULL);
	v->a = 1;
	v = ptable_get(t, &clean);
	assert_non_null(v);
	assert_int_equal(v->a, 1);
	/* the stored key is the masked one */
	assert_non_null(ptable_next(t, &cur, &key));
	assert_memory_equal(key, &clean, sizeof(clean));
	v = ptable_put(t, &six, NULL);
	v->a = 2;
	v = ptable_get(t, &six_clean);
	assert_non_null(v);
	assert_int_equal(v->a, 2);
	/* a different length is a different prefix */
	clean.len = 23;
	assert_null(ptable_get(t, &clean));
	assert_int_equal(ptable_del(t, &dirty), 0);
	assert_int_equal(ptable_del(t, &six_clean), 0);
	assert_int_equal(ptable_count(t), 0);
	ptable_free(t);
}

static void test_ptable_ipv4_ipv6_same_bits_distinct(void **state)
{
	struct ptable *t = ptable_new(sizeof(struct val), 0);
	struct cfg_addr v4 = pfx("10.1.2.0", 24);
	struct cfg_addr v6;
	struct val *a, *b;

	(void)state;
	memset(&v6, 0, sizeof(v6));
	v6.family = AF_INET6;
	v6.len = 24;
	memcpy(v6.addr, v4.addr, 4);
	a = ptable_put(t, &v4, NULL);
	a->a = 4;
	b = ptable_put(t, &v6, NULL);
	b->a = 6;
	assert_int_equal(ptable_count(t), 2);
	assert_int_equal(((struct val *)ptable_get(t, &v4))->a, 4);
	assert_int_equal(((struct val *)ptable_get(t, &v6))->a, 6);
	assert_int_equal(ptable_del(t, &v4), 0);
	assert_null(ptable_get(t, &v4));
	assert_int_equal(((struct val *)ptable_get(t, &v6))->a, 6);
	ptable_free(t);
}

static void test_ptable_rejects_bad_prefix(void **state)
{
	struct ptable *t = ptable_new(sizeof(struct val), 0);
	struct cfg_addr p = pfx("10.0.0.0", 8);

	(void)state;
	p.len = 33;
	assert_null(ptable_put(t, &p, NULL));
	assert_int_equal(ptable_del(t, &p), -EINVAL);
	p.family = 0;
	p.len = 8;
	assert_null(ptable_get(t, &p));
	assert_int_equal(ptable_count(t), 0);
	ptable_free(t);
}

static void test_ptable_grow_keeps_values(void **state)
{
	struct ptable *t = ptable_new(sizeof(struct val), 0);
	uint32_t i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		struct cfg_addr p = v4_nth(i);
		struct val *v = ptable_put(t, &p, NULL);

		assert_non_null(v);
		v->a = i;
	}
	assert_int_equal(ptable_count(t), 10000);
	for (i = 0; i < 10000; i++) {
		struct cfg_addr p = v4_nth(i);
		struct val *v = ptable_get(t, &p);

		assert_non_null(v);
		assert_int_equal(v->a, i);
	}
	ptable_free(t);
}

static void test_ptable_delete_keeps_probe_chains(void **state)
{
	struct ptable *t = ptable_new(sizeof(struct val), 0);
	uint32_t i;

	(void)state;
	/* a small table at its fill limit: long runs, many shifts */
	for (i = 0; i < 12; i++) {
		struct cfg_addr p = v4_nth(i);

		((struct val *)ptable_put(t, &p, NULL))->a = i;
	}
	for (i = 0; i < 12; i += 2) {
		struct cfg_addr p = v4_nth(i);

		assert_int_equal(ptable_del(t, &p), 0);
	}
	for (i = 0; i < 12; i++) {
		struct cfg_addr p = v4_nth(i);
		struct val *v = ptable_get(t, &p);

		if (i % 2) {
			assert_non_null(v);
			assert_int_equal(v->a, i);
		} else {
			assert_null(v);
		}
	}
	assert_int_equal(ptable_count(t), 6);
	ptable_free(t);
}

static void test_ptable_iteration_visits_each_once(void **state)
{
	struct ptable *t = ptable_new(sizeof(struct val), 0);
	const struct cfg_addr *key;
	uint8_t seen[3000] = {0};
	size_t cur = 0, n = 0;
	struct val *v;
	uint32_t i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		struct cfg_addr p = v4_nth(i);

		((struct val *)ptable_put(t, &p, NULL))->a = i;
	}
	while ((v = ptable_next(t, &cur, &key))) {
		struct cfg_addr p;

		assert_true(v->a < 3000);
		p = v4_nth((uint32_t)v->a);
		assert_memory_equal(key, &p, sizeof(p));
		seen[v->a]++;
		n++;
	}
	assert_int_equal(n, 3000);
	for (i = 0; i < 3000; i++)
		assert_int_equal(seen[i], 1);
	ptable_free(t);
}

#define MILLION 1000000u

/* Growth a step at a time: while the old array is being moved over,
 * every entry is found (in either array), gets its value, can be
 * deleted from either array and is visited once by a walk; a lookup of
 * an existing key moves nothing; the move ends within (old capacity /
 * PT_MIGRATE_STEP) creating puts and dels. */
static void test_ptable_growth_in_steps(void **state)
{
	struct ptable *t = ptable_new(sizeof(struct val), 0);
	const struct cfg_addr *pfx;
	struct cfg_addr p;
	struct val *v;
	size_t c = 0, seen = 0;
	uint32_t i, n = 0, steps = 0;
	uint8_t *visit;
	bool created;

	(void)state;
	assert_non_null(t);
	/* fill until a growth starts */
	while (!ptable_growing(t)) {
		p = v4_nth(n);
		v = ptable_put(t, &p, &created);
		assert_non_null(v);
		v->a = n++;
	}
	/* an existing key, old or new: found, nothing moves */
	for (i = 0; i < n; i++) {
		p = v4_nth(i);
		v = ptable_put(t, &p, &created);
		assert_non_null(v);
		assert_false(created);
		assert_int_equal(v->a, i);
	}
	assert_true(ptable_growing(t));
	/* delete one of the first (still in the old array) and the last
	 * (in the new one): both gone, the rest intact */
	p = v4_nth(0);
	assert_int_equal(ptable_del(t, &p), 0);
	assert_null(ptable_get(t, &p));
	assert_int_equal(ptable_del(t, &p), -ENOENT);
	p = v4_nth(n - 1);
	assert_int_equal(ptable_del(t, &p), 0);
	assert_null(ptable_get(t, &p));
	assert_int_equal(ptable_count(t), n - 2);
	for (i = 1; i < n - 1; i++) {
		p = v4_nth(i);
		v = ptable_get(t, &p);
		assert_non_null(v);
		assert_int_equal(v->a, i);
	}
	/* a walk mid-growth sees each entry once */
	visit = calloc(n, 1);
	assert_non_null(visit);
	while ((v = ptable_next(t, &c, &pfx)) != NULL) {
		assert_true(v->a > 0 && v->a < n - 1);
		assert_int_equal(visit[v->a]++, 0);
		seen++;
	}
	assert_int_equal(seen, n - 2);
	free(visit);
	/* creating puts finish the move: the old capacity was 3/4 full at
	 * most, PT_MIGRATE_STEP (64) slots a call */
	while (ptable_growing(t)) {
		p = v4_nth(n + steps);
		v = ptable_put(t, &p, &created);
		assert_non_null(v);
		assert_true(created);
		v->a = n + steps++;
	}
	assert_true(steps <= (n * 4 / 3 + 63) / 64 + 1);
	for (i = 1; i < n - 1 + steps; i++) {
		if (i == n - 1)
			continue;
		p = v4_nth(i);
		v = ptable_get(t, &p);
		assert_non_null(v);
		assert_int_equal(v->a, i);
	}
	ptable_free(t);
}

static void test_ptable_million_ipv4(void **state)
{
	struct ptable *t = ptable_new(sizeof(uint32_t), 0);
	size_t cur = 0, n = 0;
	uint32_t i, *v;

	(void)state;
	assert_non_null(t);
	for (i = 0; i < MILLION; i++) {
		struct cfg_addr p = v4_nth(i * 7u); /* spread over the space */

		v = ptable_put(t, &p, NULL);
		assert_non_null(v);
		*v = i;
	}
	assert_int_equal(ptable_count(t), MILLION);
	for (i = 0; i < MILLION; i++) {
		struct cfg_addr p = v4_nth(i * 7u);

		v = ptable_get(t, &p);
		assert_non_null(v);
		assert_int_equal(*v, i);
	}
	for (i = 0; i < MILLION; i += 2) {
		struct cfg_addr p = v4_nth(i * 7u);

		assert_int_equal(ptable_del(t, &p), 0);
	}
	assert_int_equal(ptable_count(t), MILLION / 2);
	while ((v = ptable_next(t, &cur, NULL))) {
		assert_int_equal(*v % 2, 1);
		n++;
	}
	assert_int_equal(n, MILLION / 2);
	for (i = 1; i < MILLION; i += 2) {
		struct cfg_addr p = v4_nth(i * 7u);

		assert_non_null(ptable_get(t, &p));
	}
	ptable_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ptable_put_get_del),
		cmocka_unit_test(test_ptable_host_bits_ignored),
		cmocka_unit_test(test_ptable_ipv4_ipv6_same_bits_distinct),
		cmocka_unit_test(test_ptable_rejects_bad_prefix),
		cmocka_unit_test(test_ptable_grow_keeps_values),
		cmocka_unit_test(test_ptable_delete_keeps_probe_chains),
		cmocka_unit_test(test_ptable_iteration_visits_each_once),
		cmocka_unit_test(test_ptable_growth_in_steps),
		cmocka_unit_test(test_ptable_million_ipv4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
