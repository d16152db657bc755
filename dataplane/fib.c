/* FIB of twinpath-dp: rte_fib (DIR24_8) for IPv4 and rte_fib6 (TRIE) for
 * IPv6 map a destination to a nexthop group id; one side table (rte_hash
 * keyed by family/prefix/len) remembers each route's group and sync
 * generation so SYNC_END can sweep stale routes of both families. Main
 * lcore only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_fib.h>
#include <rte_fib6.h>
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

/* rte_fib6's trie spends one tbl8 (256 next hops) per distinct 8-bit
 * level below /24 that holds longer routes. A real IPv6 table (mostly
 * /32../48 under far fewer /24, /32 and /40 parents) needs well under one
 * per two routes. 2-byte next hops would cap tbl8s at 2^15 - 1, too few
 * for 256 k routes: 4-byte ones (tbl24 of 64 MiB) have no such cap. */
#define FIB6_TBL8_MIN 1024u
#define FIB6_ROUTES_PER_TBL8 2u

struct fib_key {
	uint8_t family;
	uint8_t len;
	uint8_t pad[2];
	uint8_t prefix[16]; /* network byte order, masked; IPv4 in 0..3 */
};

/* rte_hash_crc reads the key 8 bytes at a time, and fib_sweep hands
 * rte_hash keys from an array of 20-byte struct fib_key (every other one
 * 4 bytes off an 8-byte boundary: a misaligned uint64_t load, undefined
 * behaviour; found by fuzz_chan, UBSan). Hashed from an aligned copy:
 * the same value, and the same loads on x86. */
static uint32_t fib_key_hash(const void *key, uint32_t len, uint32_t init)
{
	uint64_t k[(sizeof(struct fib_key) + 7u) / 8u];

	memcpy(k, key, sizeof(struct fib_key));
	return rte_hash_crc(k, len, init);
}

static int fib4_create(struct dp *d, uint32_t routes_max)
{
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

	d->fib = rte_fib_create("twp_fib4", (int)rte_socket_id(), &fc);
	if (d->fib == NULL) {
		log_err("fib: rte_fib_create: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

static int fib6_create(struct dp *d, uint32_t routes_max)
{
	struct rte_fib6_conf fc = {
		.type = RTE_FIB6_TRIE,
		.default_nh = FIB_NO_ROUTE,
		.max_routes = (int)routes_max,
		.trie = {
			.nh_sz = RTE_FIB6_TRIE_4B,
			.num_tbl8 = RTE_MAX(FIB6_TBL8_MIN,
					    routes_max / FIB6_ROUTES_PER_TBL8),
		},
	};

	d->fib6 = rte_fib6_create("twp_fib6", (int)rte_socket_id(), &fc);
	if (d->fib6 == NULL) {
		log_err("fib: rte_fib6_create: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

int fib_init(struct dp *d)
{
	/* dataplane.ipv4_routes_max and ipv6_routes_max, validated by the
	 * config loader (at least 1024 each) */
	uint32_t max4 = RTE_MAX(d->cfg->dataplane.ipv4_routes_max, 1024u);
	uint32_t max6 = RTE_MAX(d->cfg->dataplane.ipv6_routes_max, 1024u);
	struct rte_hash_parameters hp = {
		.name = "twp_routes",
		.entries = max4 + max6,
		.key_len = sizeof(struct fib_key),
		.hash_func = fib_key_hash,
		.socket_id = (int)rte_socket_id(),
	};
	int rc;

	rc = fib4_create(d, max4);
	if (rc < 0)
		return rc;
	rc = fib6_create(d, max6);
	if (rc < 0)
		return rc;
	d->routes = rte_hash_create(&hp);
	if (d->routes == NULL) {
		log_err("fib: rte_hash_create: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	d->route = rte_zmalloc("twp_route", sizeof(*d->route) * hp.entries, 0);
	if (d->route == NULL)
		return -ENOMEM;
	return 0;
}

void fib_free(struct dp *d)
{
	rte_fib_free(d->fib);
	rte_fib6_free(d->fib6);
	rte_hash_free(d->routes);
	rte_free(d->route);
	d->fib = NULL;
	d->fib6 = NULL;
	d->routes = NULL;
	d->route = NULL;
}

/* The key of R: its prefix masked to its length. */
static int route_key(const struct chan_route *r, struct fib_key *k)
{
	unsigned int bytes, i;

	if (!((r->family == AF_INET && r->len <= 32) ||
	      (r->family == AF_INET6 && r->len <= 128)))
		return -EAFNOSUPPORT;
	memset(k, 0, sizeof(*k));
	k->family = r->family;
	k->len = r->len;
	bytes = r->len / 8;
	memcpy(k->prefix, r->prefix, bytes);
	if (r->len % 8 != 0) {
		i = bytes;
		k->prefix[i] = r->prefix[i] & (uint8_t)(0xff00u >> (r->len % 8));
	}
	return 0;
}

static uint32_t key_ipv4(const struct fib_key *k)
{
	uint32_t a;

	memcpy(&a, k->prefix, sizeof(a));
	return rte_be_to_cpu_32(a);
}

/* K -> GROUP's hash in the digest's routes part (0: no route, none). */
static uint32_t route_digest(const struct fib_key *k, uint32_t group)
{
	return group == FIB_NO_ROUTE ? 0 :
	       fib_digest_route(k->family, k->len, k->prefix, group);
}

static int lpm_add(struct dp *d, const struct fib_key *k, uint32_t group)
{
	if (k->family == AF_INET)
		return rte_fib_add(d->fib, key_ipv4(k), k->len, group);
	return rte_fib6_add(d->fib6, k->prefix, k->len, group);
}

static int lpm_del(struct dp *d, const struct fib_key *k)
{
	if (k->family == AF_INET)
		return rte_fib_delete(d->fib, key_ipv4(k), k->len);
	return rte_fib6_delete(d->fib6, k->prefix, k->len);
}

/* Keeps n_routes_fresh exact as a route's stamp goes from OLD to NEW
 * (0: no route). */
static void fresh_count(struct dp *d, uint64_t old, uint64_t new)
{
	uint64_t f = d->fresh_generation;

	if (f == 0)
		return;
	if (old < f && new >= f)
		d->n_routes_fresh++;
	else if (old >= f && new < f)
		d->n_routes_fresh--;
}

int fib_route_add(struct dp *d, const struct chan_route *r, uint64_t gen)
{
	struct fib_route *route;
	struct fib_key k;
	int32_t pos;
	int rc;

	rc = route_key(r, &k);
	if (rc < 0)
		return rc;
	if (r->group_id == FIB_NO_ROUTE)
		return -EINVAL;
	pos = rte_hash_add_key(d->routes, &k);
	if (pos < 0)
		return pos;
	route = &d->route[pos];
	/* A full sync re-adds most routes unchanged: only the stamp moves,
	 * the LPM is not walked. A changed one is replaced in place:
	 * forwarding sees the old group or the new one, never no route. */
	if (route->group_id != r->group_id) {
		rc = lpm_add(d, &k, r->group_id);
		if (rc < 0) {
			if (route->group_id == FIB_NO_ROUTE)
				rte_hash_del_key(d->routes, &k);
			return rc;
		}
		if (route->group_id == FIB_NO_ROUTE) {
			d->n_routes++;
			if (k.family == AF_INET6)
				d->n_routes6++;
		}
		fib_digest_flip(&d->nhg.digest, FIB_DIGEST_ROUTES,
				route_digest(&k, route->group_id) ^
				route_digest(&k, r->group_id));
		route->group_id = r->group_id;
	}
	fresh_count(d, route->generation, gen);
	route->generation = gen;
	if (gen > d->route_generation_max)
		d->route_generation_max = gen;
	return 0;
}

static int route_remove(struct dp *d, const struct fib_key *k)
{
	int32_t pos = rte_hash_del_key(d->routes, k);
	int rc;

	if (pos < 0)
		return pos;
	rc = lpm_del(d, k);
	fib_digest_flip(&d->nhg.digest, FIB_DIGEST_ROUTES,
			route_digest(k, d->route[pos].group_id));
	fresh_count(d, d->route[pos].generation, 0);
	d->route[pos].group_id = FIB_NO_ROUTE;
	d->route[pos].generation = 0;
	d->n_routes--;
	if (k->family == AF_INET6)
		d->n_routes6--;
	return rc;
}

int fib_route_del(struct dp *d, const struct chan_route *r)
{
	struct fib_key k;
	int rc = route_key(r, &k);

	return rc < 0 ? rc : route_remove(d, &k);
}

/* SYNC_BEGIN(g): count the routes stamped g or newer from here on, so
 * SYNC_END(g) knows without a walk whether any is stale. Exact only when
 * no route carries such a stamp yet (the usual case: generations grow). */
void fib_sync_begin(struct dp *d, uint64_t generation)
{
	d->fresh_generation =
		generation > d->route_generation_max ? generation : 0;
	d->n_routes_fresh = 0;
}

void fib_sweep(struct dp *d, uint64_t generation)
{
	struct fib_key *stale;
	const void *key;
	void *data;
	uint32_t iter = 0, n = 0, n_stale = d->n_routes, i;
	int32_t pos;

	/* counted since SYNC_BEGIN: the routes not stamped again, if any */
	if (d->fresh_generation != 0 && d->fresh_generation == generation)
		n_stale = d->n_routes - d->n_routes_fresh;
	if (n_stale == 0)
		return;
	stale = calloc(n_stale, sizeof(*stale));
	if (stale == NULL) {
		log_warn("fib: sweep of generation < %lu skipped: out of memory",
			(unsigned long)generation);
		return;
	}
	while (n < n_stale &&
	       (pos = rte_hash_iterate(d->routes, &key, &data, &iter)) >= 0)
		if (d->route[pos].generation < generation)
			memcpy(&stale[n++], key, sizeof(*stale));
	for (i = 0; i < n; i++)
		route_remove(d, &stale[i]);
	free(stale);
}
