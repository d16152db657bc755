/* fibalone: rte_fib_add on its own, the ceiling of twinpath-dp's update
 * rate (issue 15 item 2). Reads the routes of an l3fwd rule file
 * (routegen --rules: in the order drawn), puts them into a DIR-24-8
 * rte_fib made as twinpath-dp makes its own under make bench's config
 * (fib.c: 2-byte next hops, FIB_MISS as the default, the most tbl8
 * groups; sized for these routes), then rewrites every route twice,
 * each pass timed: once in prefix order, as twinpath-dp's bulk writes a
 * sorted batch, once in the file's (random) order, as a router writing
 * each change as it comes would. No channel, no route table, no producer on
 * the CPU: what is left of twinpath-dp's time a route is rte_fib's.
 * Also times rte_fib_create and rte_fib_free: with the load, what a
 * fresh FIB built beside the live one and swapped in would cost instead
 * of the rewrite (issue 15's other candidate design). Prints one JSON
 * line. EAL arguments first, then "-- RULES". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_fib.h>

#include "dp.h" /* FIB_MISS */

struct rule {
	uint32_t prefix; /* host order */
	uint8_t len;
};

/* The "R<a.b.c.d>/<len> <port>" lines of PATH (others skipped) into a
 * new array; its length in *N. NULL with errno on failure. */
static struct rule *rules_read(const char *path, uint32_t *n)
{
	unsigned int a, b, c, dd, len, port;
	struct rule *r = NULL, *t;
	uint32_t cap = 0;
	char line[128];
	FILE *f = fopen(path, "r");

	*n = 0;
	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "R%u.%u.%u.%u/%u %u", &a, &b, &c, &dd, &len,
			   &port) != 6 || len > 32)
			continue;
		if (*n == cap) {
			cap = cap == 0 ? 4096 : cap * 2;
			t = realloc(r, sizeof(*r) * cap);
			if (t == NULL) {
				free(r);
				fclose(f);
				errno = ENOMEM;
				return NULL;
			}
			r = t;
		}
		r[*n].prefix = a << 24 | b << 16 | c << 8 | dd;
		r[(*n)++].len = (uint8_t)len;
	}
	fclose(f);
	if (*n == 0) {
		free(r);
		errno = ENOENT;
		return NULL;
	}
	return r;
}

static int rule_cmp(const void *x, const void *y)
{
	const struct rule *a = x, *b = y;

	if (a->prefix != b->prefix)
		return a->prefix < b->prefix ? -1 : 1;
	return (int)a->len - (int)b->len;
}

/* Every route of R to NH, in R's order: routes per second, or -1 when
 * rte_fib refused one. */
static double pass(struct rte_fib *fib, const struct rule *r, uint32_t n,
		   uint64_t nh)
{
	uint64_t t0 = rte_rdtsc_precise(), t1;
	uint32_t i;

	for (i = 0; i < n; i++)
		if (rte_fib_add(fib, r[i].prefix, r[i].len, nh) < 0) {
			fprintf(stderr, "fibalone: rte_fib_add %u/%u: %s\n",
				r[i].prefix, r[i].len, rte_strerror(rte_errno));
			return -1;
		}
	t1 = rte_rdtsc_precise();
	return (double)n * (double)rte_get_tsc_hz() / (double)(t1 - t0);
}

static double ms_since(uint64_t t0)
{
	return (double)(rte_rdtsc_precise() - t0) * 1e3 /
	       (double)rte_get_tsc_hz();
}

int main(int argc, char **argv)
{
	struct rte_fib_conf fc = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = FIB_MISS,
		.dir24_8 = {
			.nh_sz = RTE_FIB_DIR24_8_2B,
			.num_tbl8 = (1u << 15) - 1,
		},
	};
	struct rule *drawn, *sorted;
	double load, prefix, random, create_ms, free_ms;
	uint64_t t0;
	struct rte_fib *fib;
	uint32_t n;
	int k;

	k = rte_eal_init(argc, argv);
	if (k < 0) {
		fprintf(stderr, "fibalone: EAL: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= k;
	argv += k;
	if (argc != 2) {
		fprintf(stderr, "usage: fibalone EAL-ARGS -- RULES\n");
		return 2;
	}
	drawn = rules_read(argv[1], &n);
	sorted = drawn != NULL ? malloc(sizeof(*sorted) * n) : NULL;
	if (sorted == NULL) {
		fprintf(stderr, "fibalone: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	memcpy(sorted, drawn, sizeof(*sorted) * n);
	qsort(sorted, n, sizeof(*sorted), rule_cmp);
	fc.max_routes = (int)n;
	t0 = rte_rdtsc_precise();
	fib = rte_fib_create("fibalone", (int)rte_socket_id(), &fc);
	create_ms = ms_since(t0);
	if (fib == NULL) {
		fprintf(stderr, "fibalone: rte_fib_create: %s\n",
			rte_strerror(rte_errno));
		return 1;
	}
	/* next hops 1, 2, 3: every pass changes every route (an add that
	 * changes nothing returns before the write) */
	load = pass(fib, sorted, n, 1);
	prefix = pass(fib, sorted, n, 2);
	random = pass(fib, drawn, n, 3);
	if (load < 0 || prefix < 0 || random < 0)
		return 1;
	t0 = rte_rdtsc_precise();
	rte_fib_free(fib);
	free_ms = ms_since(t0);
	printf("{\"routes\": %u, \"load_per_s\": %.0f, "
	       "\"rewrite_prefix_order_per_s\": %.0f, "
	       "\"rewrite_random_order_per_s\": %.0f, "
	       "\"create_ms\": %.1f, \"free_ms\": %.1f}\n",
	       n, load, prefix, random, create_ms, free_ms);
	free(sorted);
	free(drawn);
	rte_eal_cleanup();
	return 0;
}
