/* IPv4 FIB of twinpath-dp: rte_fib (DIR24_8) maps a destination to a
 * nexthop group id; a side table (rte_hash keyed by prefix/len) remembers
 * each route's group and sync generation so SYNC_END can sweep stale
 * routes. Main lcore only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "dp.h"
#include "log.h"

/* A tbl8 holds the /25../32 routes under one /24. With 2-byte next hops
 * rte_fib takes at most 2^15 - 1 of them; a route table rarely has more
 * than one such /24 in 32 routes. */
#define FIB_TBL8_MIN (1u << 12)
#define FIB_TBL8_MAX ((1u << 15) - 1)
#define FIB_ROUTES_PER_TBL8 32u

struct fib_key {
	uint32_t prefix; /* host byte order, masked */
	uint8_t len;
	uint8_t pad[3];
};

int fib_init(struct dp *d)
{
	/* dataplane.ipv4_routes_max, validated by the config loader */
	uint32_t routes_max = d->cfg->dataplane.ipv4_routes_max;
	struct rte_fib_conf fc = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = FIB_NO_ROUTE,
		.max_routes = (int)routes_max,
		.dir24_8 = {
			/* group ids < NHG_MAX fit in 2 bytes */
			.nh_sz = RTE_FIB_DIR24_8_2B,
			.num_tbl8 = RTE_MIN(FIB_TBL8_MAX,
				RTE_MAX(FIB_TBL8_MIN,
					routes_max / FIB_ROUTES_PER_TBL8)),
		},
	};
	struct rte_hash_parameters hp = {
		.name = "twp_routes",
		.entries = routes_max,
		.key_len = sizeof(struct fib_key),
		.hash_func = rte_hash_crc,
		.socket_id = (int)rte_socket_id(),
	};

	d->fib = rte_fib_create("twp_fib4", (int)rte_socket_id(), &fc);
	if (d->fib == NULL) {
		log_msg("fib: rte_fib_create: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	d->routes = rte_hash_create(&hp);
	if (d->routes == NULL) {
		log_msg("fib: rte_hash_create: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	d->route = rte_zmalloc("twp_route", sizeof(*d->route) * routes_max, 0);
	if (d->route == NULL)
		return -ENOMEM;
	return 0;
}

void fib_free(struct dp *d)
{
	rte_fib_free(d->fib);
	rte_hash_free(d->routes);
	rte_free(d->route);
	d->fib = NULL;
	d->routes = NULL;
	d->route = NULL;
}

static int route_key(const struct chan_route *r, struct fib_key *k)
{
	uint32_t a;

	if (r->family != AF_INET || r->len > 32)
		return -EAFNOSUPPORT;
	memset(k, 0, sizeof(*k));
	memcpy(&a, r->prefix, 4);
	a = rte_be_to_cpu_32(a);
	k->prefix = r->len == 0 ? 0 : a & (~0u << (32 - r->len));
	k->len = r->len;
	return 0;
}

int fib_route_add(struct dp *d, const struct chan_route *r, uint64_t gen)
{
	struct fib_key k;
	int32_t pos;
	int rc;

	rc = route_key(r, &k);
	if (rc < 0)
		return rc;
	pos = rte_hash_add_key(d->routes, &k);
	if (pos < 0)
		return pos;
	/* add replaces the value of an existing prefix in place: forwarding
	 * sees the old group or the new one, never no route */
	rc = rte_fib_add(d->fib, k.prefix, k.len, r->group_id);
	if (rc < 0) {
		if (d->route[pos].group_id == 0)
			rte_hash_del_key(d->routes, &k);
		return rc;
	}
	if (d->route[pos].group_id == 0)
		d->n_routes++;
	d->route[pos].group_id = r->group_id;
	d->route[pos].generation = gen;
	return 0;
}

static int route_remove(struct dp *d, const struct fib_key *k)
{
	int32_t pos = rte_hash_del_key(d->routes, k);
	int rc;

	if (pos < 0)
		return pos;
	rc = rte_fib_delete(d->fib, k->prefix, k->len);
	d->route[pos].group_id = 0;
	d->route[pos].generation = 0;
	d->n_routes--;
	return rc;
}

int fib_route_del(struct dp *d, const struct chan_route *r)
{
	struct fib_key k;
	int rc = route_key(r, &k);

	return rc < 0 ? rc : route_remove(d, &k);
}

void fib_sweep(struct dp *d, uint64_t generation)
{
	struct fib_key *stale;
	const void *key;
	void *data;
	uint32_t iter = 0, n = 0, i;
	int32_t pos;

	if (d->n_routes == 0)
		return;
	stale = calloc(d->n_routes, sizeof(*stale));
	if (stale == NULL) {
		log_msg("fib: sweep of generation < %lu skipped: out of memory",
			(unsigned long)generation);
		return;
	}
	while ((pos = rte_hash_iterate(d->routes, &key, &data, &iter)) >= 0)
		if (d->route[pos].generation < generation && n < d->n_routes)
			memcpy(&stale[n++], key, sizeof(*stale));
	for (i = 0; i < n; i++)
		route_remove(d, &stale[i]);
	free(stale);
}
