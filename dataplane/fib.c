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
#include <rte_cycles.h>
#include <rte_debug.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>

#include "dp.h"
#include "log.h"

/* A tbl8 holds the /25../32 routes under one /24. With 2-byte next hops
 * rte_fib takes at most 2^15 - 1 of them; a route table rarely has more
 * than one such /24 in 32 routes. */
#define FIB_TBL8_MIN (1u << 12)
#define FIB_TBL8_MAX ((1u << 15) - 1)
#define FIB_ROUTES_PER_TBL8 32u

/* a group id fits struct fib_route's 16 bits (and rte_fib's 2-byte next
 * hops); one rte_hash_lookup_bulk takes a prefetch window */
_Static_assert(NHG_MAX <= 1u << 16, "group ids wider than 16 bits");
/* rte_fib's 2-byte next hops hold 15 bits */
_Static_assert(FIB_MISS >= NHG_MAX && FIB_MISS < 1u << 15,
	       "FIB_MISS a group id, or too wide for rte_fib");
_Static_assert(FIB_PREFETCH_MAX <= RTE_HASH_LOOKUP_BULK_MAX,
	       "prefetch window larger than rte_hash_lookup_bulk takes");

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
		.default_nh = FIB_MISS,
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
		.default_nh = FIB_MISS,
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
	free(d->bulk.e);
	free(d->bulk.tmp);
	memset(&d->bulk, 0, sizeof(d->bulk));
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

void fib_route_prefetch(struct dp *d, const struct chan_rec *recs,
			unsigned int n, int32_t *pos)
{
	struct fib_key keys[FIB_PREFETCH_MAX];
	const void *kp[FIB_PREFETCH_MAX];
	int32_t found[FIB_PREFETCH_MAX];
	uint8_t rec_of[FIB_PREFETCH_MAX];
	unsigned int i, m = 0;

	for (i = 0; i < n; i++) {
		pos[i] = -1;
		if (m == FIB_PREFETCH_MAX ||
		    (recs[i].type != CHAN_REC_ROUTE_ADD &&
		     recs[i].type != CHAN_REC_ROUTE_DEL) ||
		    route_key(&recs[i].u.route, &keys[m]) < 0)
			continue;
		kp[m] = &keys[m];
		rec_of[m++] = (uint8_t)i;
	}
	if (m == 0 || rte_hash_lookup_bulk(d->routes, kp, m, found) < 0)
		return;
	for (i = 0; i < m; i++)
		if (found[i] >= 0) {
			rte_prefetch0(&d->route[found[i]]);
			pos[rec_of[i]] = found[i];
		}
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

static int32_t table_remove(struct dp *d, const struct fib_key *k);

/* Bulk (dp.h). An entry: prefix (host order) << 32 | len << 24 |
 * (rte_fib had the prefix when the entry was made) << 16 | the group the
 * route table has for it now (0: none). */
enum { FIB_BULK_OFF, FIB_BULK_COLLECT, FIB_BULK_SORT, FIB_BULK_APPLY };
#define BULK_KEY_MASK (~(uint64_t)0xffffff)
#define BULK_HAD (1ull << 16)
/* entries between two looks at the clock */
#define BULK_CLOCK_EVERY 2048u

bool fib_bulk_collecting(const struct dp *d)
{
	return d->bulk.phase == FIB_BULK_COLLECT;
}

bool fib_bulk_flushing(const struct dp *d)
{
	return d->bulk.phase == FIB_BULK_SORT || d->bulk.phase == FIB_BULK_APPLY;
}

bool fib_bulk_full(const struct dp *d)
{
	return d->bulk.phase == FIB_BULK_COLLECT && d->bulk.n == d->bulk.cap;
}

int64_t fib_bulk_lpm_delta(const struct dp *d)
{
	return d->bulk.lpm_delta;
}

int fib_bulk_begin(struct dp *d)
{
	struct fib_bulk *b = &d->bulk;

	if (b->phase != FIB_BULK_OFF)
		return 0;
	if (b->e == NULL) {
		/* one entry per IPv4 route the FIB holds: more (a prefix
		 * withdrawn and announced again) only flushes earlier */
		uint32_t cap = RTE_MAX(d->cfg->dataplane.ipv4_routes_max, 1024u);

		b->e = malloc(sizeof(*b->e) * cap);
		b->tmp = malloc(sizeof(*b->tmp) * cap);
		if (b->e == NULL || b->tmp == NULL) {
			free(b->e);
			free(b->tmp);
			b->e = b->tmp = NULL;
			return -ENOMEM;
		}
		b->cap = cap;
	}
	b->n = 0;
	b->serial++;
	b->lpm_delta = 0;
	b->since_tsc = rte_rdtsc();
	b->phase = FIB_BULK_COLLECT;
	return 0;
}

/* The route at ROUTE (key K) now has GROUP in the table (FIB_NO_ROUTE:
 * removed): its entry says so, made on its first change of the bulk,
 * when rte_fib still has what the table had. The caller checked
 * fib_bulk_full before the record. */
static void bulk_note(struct dp *d, const struct fib_key *k,
		      struct fib_route *route, uint32_t group)
{
	struct fib_bulk *b = &d->bulk;
	uint64_t key = (uint64_t)key_ipv4(k) << 32 | (uint64_t)k->len << 24;
	uint64_t *e;

	if (route->bulk_idx != 0 && route->bulk_serial == b->serial &&
	    route->bulk_idx <= b->n &&
	    (b->e[route->bulk_idx - 1] & BULK_KEY_MASK) == key) {
		e = &b->e[route->bulk_idx - 1];
	} else {
		RTE_VERIFY(b->n < b->cap);
		e = &b->e[b->n++];
		route->bulk_idx = b->n;
		route->bulk_serial = b->serial;
		*e = key | (route->group_id != FIB_NO_ROUTE ? BULK_HAD : 0) |
		     route->group_id;
	}
	/* in the table and not in rte_fib: +1; the reverse: -1 */
	b->lpm_delta += (group != FIB_NO_ROUTE) - ((*e & 0xffff) != 0);
	*e = (*e & ~(uint64_t)0xffff) | group;
}

void fib_bulk_flush_start(struct dp *d)
{
	struct fib_bulk *b = &d->bulk;

	if (b->phase != FIB_BULK_COLLECT)
		return;
	if (b->n == 0) {
		b->phase = FIB_BULK_OFF; /* nothing held */
		return;
	}
	b->phase = FIB_BULK_SORT;
	b->pass = 0;
	b->scatter = false;
	b->cursor = 0;
	memset(b->count, 0, sizeof(b->count));
}

/* The sort's next step, until DEADLINE: an LSD radix sort of the
 * entries by prefix, a byte a pass (stable: of two entries of one
 * prefix, the older stays first). True once sorted. */
static bool bulk_sort(struct fib_bulk *b, uint64_t deadline)
{
	while (b->pass < 4) {
		const unsigned int shift = 32u + 8u * b->pass;
		uint32_t end, i;

		end = RTE_MIN(b->n, b->cursor + BULK_CLOCK_EVERY);
		if (!b->scatter)
			for (i = b->cursor; i < end; i++)
				b->count[(b->e[i] >> shift) & 0xff]++;
		else
			for (i = b->cursor; i < end; i++)
				b->tmp[b->count[(b->e[i] >> shift) & 0xff]++] =
					b->e[i];
		b->cursor = end;
		if (b->cursor == b->n) {
			if (!b->scatter) {
				uint32_t sum = 0, c;

				for (i = 0; i < 256; i++) {
					c = b->count[i];
					b->count[i] = sum;
					sum += c;
				}
				b->scatter = true;
			} else {
				uint64_t *t = b->e;

				b->e = b->tmp;
				b->tmp = t;
				b->scatter = false;
				memset(b->count, 0, sizeof(b->count));
				b->pass++;
			}
			b->cursor = 0;
		}
		if (rte_rdtsc() >= deadline)
			return b->pass == 4;
	}
	return true;
}

/* Entry E's prefix as a route key. */
static void bulk_key(uint64_t e, struct fib_key *k)
{
	uint32_t a = rte_cpu_to_be_32((uint32_t)(e >> 32));

	memset(k, 0, sizeof(*k));
	k->family = AF_INET;
	k->len = (uint8_t)(e >> 24);
	memcpy(k->prefix, &a, sizeof(a));
}

/* Entry E into rte_fib. A route rte_fib refuses (no tbl8 or room left)
 * leaves the table too, and rte_fib keeps nothing of it either (not an
 * older group): the two agree, the digest with them, and twinpathd's
 * check sees the route missing. */
static void bulk_write(struct dp *d, uint64_t e)
{
	struct fib_bulk *b = &d->bulk;
	uint32_t group = (uint32_t)(e & 0xffff);
	uint32_t ip = (uint32_t)(e >> 32);
	uint8_t len = (uint8_t)(e >> 24);
	struct fib_key k;
	int32_t pos;
	int rc;

	b->lpm_delta -= (group != FIB_NO_ROUTE) - ((e & BULK_HAD) != 0);
	if (group == FIB_NO_ROUTE) {
		if (e & BULK_HAD)
			rte_fib_delete(d->fib, ip, len);
		return;
	}
	rc = rte_fib_add(d->fib, ip, len, group);
	b->written++;
	if (rc == 0)
		return;
	bulk_key(e, &k);
	if (e & BULK_HAD)
		rte_fib_delete(d->fib, ip, len);
	pos = table_remove(d, &k);
	if (pos >= 0)
		memset(&d->route[pos], 0, sizeof(d->route[pos]));
	b->failed++;
	d->records_failed++;
	if (!d->records_failing)
		log_warn("fib: route %u.%u.%u.%u/%u not written: %s (%u "
			 "routes); it leaves the route table too, counted "
			 "(records_failed)", ip >> 24, (ip >> 16) & 0xff,
			 (ip >> 8) & 0xff, ip & 0xff, len, strerror(-rc),
			 d->n_routes);
	d->records_failing = true;
}

bool fib_bulk_flush(struct dp *d, uint64_t deadline)
{
	struct fib_bulk *b = &d->bulk;

	if (b->phase == FIB_BULK_SORT) {
		if (!bulk_sort(b, deadline))
			return false;
		b->phase = FIB_BULK_APPLY;
		b->cursor = 0;
	}
	if (b->phase != FIB_BULK_APPLY)
		return true;
	while (b->cursor < b->n) {
		uint32_t end = RTE_MIN(b->n, b->cursor + BULK_CLOCK_EVERY / 8);

		for (; b->cursor < end; b->cursor++)
			bulk_write(d, b->e[b->cursor]);
		if (b->cursor < b->n && rte_rdtsc() >= deadline)
			return false;
	}
	b->flushes++;
	log_msg("fib: %u route changes written in prefix order, %.1f ms "
		"after the first (%u routes)", b->n,
		(double)(rte_rdtsc() - b->since_tsc) * 1e3 / rte_get_tsc_hz(),
		d->n_routes);
	b->n = 0;
	b->lpm_delta = 0;
	b->phase = FIB_BULK_OFF;
	return true;
}

int fib_route_add_at(struct dp *d, const struct chan_route *r, uint64_t gen,
		     int32_t pos)
{
	struct fib_route *route;
	struct fib_key k;
	int rc;

	rc = route_key(r, &k);
	if (rc < 0)
		return rc;
	if (r->group_id == FIB_NO_ROUTE || r->group_id >= NHG_MAX)
		return -EINVAL;
	/* the position looked up a window ahead (fib_route_prefetch) saves
	 * a second hash and key compare a record */
	if (pos < 0) {
		pos = rte_hash_add_key(d->routes, &k);
		if (pos < 0)
			return pos;
	}
	route = &d->route[pos];
	/* A full sync re-adds most routes unchanged: only the stamp moves,
	 * the LPM is not walked. A changed one is replaced in place:
	 * forwarding sees the old group or the new one, never no route.
	 * While a bulk collects, an IPv4 one reaches rte_fib later. */
	if (route->group_id != r->group_id) {
		if (k.family == AF_INET && fib_bulk_collecting(d))
			bulk_note(d, &k, route, r->group_id);
		else if ((rc = lpm_add(d, &k, r->group_id)) < 0) {
			if (route->group_id == FIB_NO_ROUTE) {
				rte_hash_del_key(d->routes, &k);
				d->routes_epoch++;
			}
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
		route->group_id = (uint16_t)r->group_id;
	}
	fresh_count(d, route->generation, gen);
	route->generation = gen;
	if (gen > d->route_generation_max)
		d->route_generation_max = gen;
	return 0;
}

int fib_route_add(struct dp *d, const struct chan_route *r, uint64_t gen)
{
	return fib_route_add_at(d, r, gen, -1);
}

/* K out of the route table (the LPM is the caller's): its position, or
 * -ENOENT. */
static int32_t table_remove(struct dp *d, const struct fib_key *k)
{
	int32_t pos = rte_hash_del_key(d->routes, k);

	if (pos < 0)
		return pos;
	d->routes_epoch++;
	fib_digest_flip(&d->nhg.digest, FIB_DIGEST_ROUTES,
			route_digest(k, d->route[pos].group_id));
	fresh_count(d, d->route[pos].generation, 0);
	d->n_routes--;
	if (k->family == AF_INET6)
		d->n_routes6--;
	return pos;
}

static int route_remove(struct dp *d, const struct fib_key *k)
{
	int32_t pos = table_remove(d, k);
	struct fib_route *route;
	int rc = 0;

	if (pos < 0)
		return pos;
	route = &d->route[pos];
	if (k->family == AF_INET && fib_bulk_collecting(d))
		bulk_note(d, k, route, FIB_NO_ROUTE);
	else
		rc = lpm_del(d, k);
	route->group_id = FIB_NO_ROUTE;
	route->bulk_idx = 0; /* the slot's next route has no entry yet */
	route->generation = 0;
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
