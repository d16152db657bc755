/* Adj-RIB-In of every link and the Loc-RIB in one prefix table: each
 * prefix holds one path per link that announced it, pointing at an
 * interned attribute set. Changes queue the prefix once; rib_process()
 * runs the decision process on a bounded batch and reports only the
 * prefixes whose primary/backup nexthop sets changed. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_jhash.h>

#include "msg.h"
#include "ptable.h"
#include "rib.h"

/* An interned attribute set: the attributes, then the AS path bytes and
 * the communities they point to, in one allocation shared by every path
 * of one link with the same attributes. Sets are interned per link, so
 * each is charged to exactly one peer (links.bgp.max_memory_mb); paths
 * of two links share a set only with the same NEXT_HOP, which two
 * provider links never have. */
struct rib_aset {
	struct rib_aset *next;  /* hash chain */
	uint32_t hash;
	uint32_t refcnt;
	uint8_t link;           /* the link whose paths hold it */
	struct bgp_attrs a;
	uint32_t data[];        /* communities, then aspath bytes */
};

/* One link's path to a prefix. */
struct rib_path {
	struct rib_aset *as;
	uint8_t link;
	uint8_t stale : 1;      /* RFC 4724: kept since the session went down */
	uint8_t nh_changed : 1; /* nexthop differs from the last report */
	uint8_t role : 2;       /* enum rib_role at the last rib_process() */
};

/* The value kept per prefix: 16 bytes, paths in link order. */
struct rib_entry {
	struct rib_path *paths;
	uint16_t rep_primary;   /* links in the last reported sets */
	uint16_t rep_backup;
	uint8_t n_paths;
	uint8_t dirty;
};

struct rib {
	unsigned int n_links;
	/* per link and family (a link may have a session per family) */
	struct rib_peer peers[CFG_MAX_LINKS][2];
	struct ptable *prefixes;        /* struct cfg_addr -> rib_entry */
	size_t link_count[CFG_MAX_LINKS];
	size_t link_count_af[CFG_MAX_LINKS][2]; /* by family */
	/* what LINK's routes hold: RIB_PATH_BYTES per path, aset_bytes()
	 * per attribute set (links.bgp.max_memory_mb) */
	size_t link_bytes[CFG_MAX_LINKS];
	/* prefixes whose last reported primary set holds the link */
	size_t installed[CFG_MAX_LINKS];
	size_t loc_count[2];            /* IPv4, IPv6 prefixes with a path */
	/* rib_process's look-ahead hook (rib_set_prefetch) */
	void (*prefetch)(void *arg, const struct cfg_addr *prefix);
	void *prefetch_arg;
	/* dirty prefixes, a FIFO: [dirty_head, dirty_tail) */
	struct cfg_addr *dirty;
	size_t dirty_head, dirty_tail, dirty_cap;
	/* interned attribute sets, chained */
	struct rib_aset **aset_buckets;
	size_t aset_mask, aset_count;
};

#define RIB_ASET_SEED 0x61736574u /* "aset" */

/* Memory charged to a link per path (links.bgp.max_memory_mb), as if the
 * link alone held the prefix, the worst case of the steady state:
 *   the prefix's ptable slot, 40 bytes (hash 4, key 18, value 16 at
 *     offset 24), at the lowest load of a doubling table, 3/8:    107
 *   the path in the prefix's paths array (16 bytes) with malloc's
 *     header and 16-byte rounding (a 1-path array is a 32-byte chunk): 32
 *   its share of the dirty queue (struct cfg_addr, 18 bytes)        18
 * = 157, rounded up to 160. test_bgp_rib measures a million prefixes of
 * one link against it. A table growing holds its old array too (+53
 * bytes a prefix until the move ends): transient, not charged. */
#define RIB_PATH_BYTES 160u

/* ---- attribute interning ---- */

/* The scalar attributes in a padding-free, canonical form: what is
 * absent reads as 0, so equal attributes hash equal. */
struct aset_key {
	uint32_t present;
	uint32_t med;
	uint32_t local_pref;
	uint32_t aggregator_as;
	uint8_t aggregator_addr[4];
	uint16_t aspath_len;
	uint16_t n_communities;
	struct cfg_addr nexthop;
	struct cfg_addr nexthop_ll;
	uint8_t origin;
	uint8_t link;           /* sets are interned per link */
	uint8_t pad[2];
};

static void aset_key_of(const struct bgp_attrs *a, struct aset_key *k)
{
	memset(k, 0, sizeof(*k));
	k->present = a->present;
	k->origin = a->origin;
	if (a->present & BGP_ATTR_P(BGP_ATTR_MED))
		k->med = a->med;
	if (a->present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF))
		k->local_pref = a->local_pref;
	if (a->present & BGP_ATTR_P(BGP_ATTR_AGGREGATOR)) {
		k->aggregator_as = a->aggregator_as;
		memcpy(k->aggregator_addr, a->aggregator_addr, 4);
	}
	k->aspath_len = a->aspath ? a->aspath_len : 0;
	k->n_communities = a->communities ? a->n_communities : 0;
	k->nexthop = a->nexthop;
	k->nexthop_ll = a->nexthop_ll;
}

static uint32_t aset_hash(const struct aset_key *k, const struct bgp_attrs *a)
{
	uint32_t h = rte_jhash(k, sizeof(*k), RIB_ASET_SEED);

	if (k->aspath_len) {
		/* rte_jhash reads a 4-aligned key in whole words, up to 3
		 * bytes past its length: an interned path (rib_aset, exact
		 * length) would be read past its allocation. The last
		 * partial word is hashed from a zero-padded copy. */
		uint32_t whole = k->aspath_len & ~3u, tail = 0;

		if (whole)
			h = rte_jhash(a->aspath, whole, h);
		if (k->aspath_len > whole) {
			memcpy(&tail, a->aspath + whole, k->aspath_len - whole);
			h = rte_jhash_1word(tail, h);
		}
	}
	if (k->n_communities)
		h = rte_jhash(a->communities,
			      k->n_communities * sizeof(uint32_t), h);
	return h;
}

static bool aset_eq(const struct rib_aset *s, const struct aset_key *k,
		    const struct bgp_attrs *a)
{
	struct aset_key sk;

	aset_key_of(&s->a, &sk);
	sk.link = s->link;
	return memcmp(&sk, k, sizeof(sk)) == 0 &&
	       (!k->aspath_len ||
		memcmp(s->a.aspath, a->aspath, k->aspath_len) == 0) &&
	       (!k->n_communities ||
		memcmp(s->a.communities, a->communities,
		       k->n_communities * sizeof(uint32_t)) == 0);
}

static int aset_table_grow(struct rib *r)
{
	size_t n = (r->aset_mask + 1u) * 2u, i;
	struct rib_aset **b = calloc(n, sizeof(*b));

	if (!b)
		return -ENOMEM;
	for (i = 0; i <= r->aset_mask; i++) {
		struct rib_aset *s = r->aset_buckets[i], *next;

		for (; s; s = next) {
			next = s->next;
			s->next = b[s->hash & (n - 1u)];
			b[s->hash & (n - 1u)] = s;
		}
	}
	free(r->aset_buckets);
	r->aset_buckets = b;
	r->aset_mask = n - 1u;
	return 0;
}

/* What an attribute set costs: the allocation with malloc's 8-byte
 * header, rounded up to malloc's 16-byte chunks. */
static size_t aset_bytes(uint16_t n_communities, uint16_t aspath_len)
{
	size_t n = sizeof(struct rib_aset) + n_communities * sizeof(uint32_t) +
		   aspath_len + 8u;

	return (n + 15u) & ~(size_t)15u;
}

/* LINK's interned copy of A with one more reference, or NULL on ENOMEM. */
static struct rib_aset *aset_get(struct rib *r, unsigned int link,
				 const struct bgp_attrs *a)
{
	struct rib_aset *s;
	struct aset_key k;
	uint32_t h;
	size_t i;

	aset_key_of(a, &k);
	k.link = (uint8_t)link;
	h = aset_hash(&k, a);
	for (s = r->aset_buckets[h & r->aset_mask]; s; s = s->next) {
		if (s->hash == h && aset_eq(s, &k, a)) {
			s->refcnt++;
			return s;
		}
	}
	if (r->aset_count + 1u > r->aset_mask + 1u && aset_table_grow(r) < 0)
		return NULL;
	s = malloc(sizeof(*s) + k.n_communities * sizeof(uint32_t) +
		   k.aspath_len);
	if (!s)
		return NULL;
	s->hash = h;
	s->refcnt = 1;
	s->link = (uint8_t)link;
	r->link_bytes[link] += aset_bytes(k.n_communities, k.aspath_len);
	s->a = *a;
	s->a.med = k.med;
	s->a.local_pref = k.local_pref;
	s->a.aggregator_as = k.aggregator_as;
	memcpy(s->a.aggregator_addr, k.aggregator_addr, 4);
	s->a.aspath_len = k.aspath_len;
	s->a.n_communities = k.n_communities;
	if (k.n_communities)
		memcpy(s->data, a->communities,
		       k.n_communities * sizeof(uint32_t));
	s->a.communities = k.n_communities ? s->data : NULL;
	s->a.aspath = (const uint8_t *)(s->data + k.n_communities);
	if (k.aspath_len)
		memcpy((uint8_t *)(s->data + k.n_communities), a->aspath,
		       k.aspath_len);
	i = h & r->aset_mask;
	s->next = r->aset_buckets[i];
	r->aset_buckets[i] = s;
	r->aset_count++;
	return s;
}

static void aset_put(struct rib *r, struct rib_aset *s)
{
	struct rib_aset **pp;

	if (--s->refcnt)
		return;
	for (pp = &r->aset_buckets[s->hash & r->aset_mask]; *pp;
	     pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	r->aset_count--;
	r->link_bytes[s->link] -= aset_bytes(s->a.n_communities,
					     s->a.aspath_len);
	free(s);
}

size_t rib_attr_count(const struct rib *r)
{
	return r->aset_count;
}

/* ---- prefixes, paths, the dirty queue ---- */

static inline unsigned int fam_idx(uint8_t family)
{
	return family == AF_INET6 ? 1u : 0u;
}

/* The address a path forwards to: the RFC 2545 link-local next hop when
 * the route has one, else NEXT_HOP. */
static inline const struct cfg_addr *path_nh(const struct bgp_attrs *a)
{
	return a->nexthop_ll.family ? &a->nexthop_ll : &a->nexthop;
}

static bool nh_eq(const struct cfg_addr *x, const struct cfg_addr *y)
{
	return x->family == y->family && x->len == y->len &&
	       memcmp(x->addr, y->addr, sizeof(x->addr)) == 0;
}

static int dirty_push(struct rib *r, const struct cfg_addr *prefix)
{
	if (r->dirty_tail == r->dirty_cap) {
		size_t live = r->dirty_tail - r->dirty_head;

		if (r->dirty_head >= r->dirty_cap / 2u && r->dirty_head) {
			memmove(r->dirty, r->dirty + r->dirty_head,
				live * sizeof(*r->dirty));
		} else {
			size_t cap = r->dirty_cap ? r->dirty_cap * 2u : 1024u;
			struct cfg_addr *d = realloc(r->dirty,
						     cap * sizeof(*d));

			if (!d)
				return -ENOMEM;
			r->dirty = d;
			r->dirty_cap = cap;
			if (r->dirty_head)
				memmove(r->dirty, r->dirty + r->dirty_head,
					live * sizeof(*r->dirty));
		}
		r->dirty_head = 0;
		r->dirty_tail = live;
	}
	r->dirty[r->dirty_tail++] = *prefix;
	return 0;
}

/* Queues E (the value of PREFIX) for the decision process, once. On
 * ENOMEM the prefix is not queued and keeps its old forwarding result
 * until its next change. */
static void mark_dirty(struct rib *r, struct rib_entry *e,
		       const struct cfg_addr *prefix)
{
	if (e->dirty)
		return;
	if (dirty_push(r, prefix) == 0)
		e->dirty = 1;
}

static int path_find(const struct rib_entry *e, unsigned int link)
{
	unsigned int i;

	for (i = 0; i < e->n_paths; i++)
		if (e->paths[i].link == link)
			return (int)i;
	return -1;
}

/* Drops path I of E (the prefix stays until rib_process reports it). */
static void path_remove(struct rib *r, struct rib_entry *e, unsigned int i,
			const struct cfg_addr *prefix)
{
	unsigned int link = e->paths[i].link;

	aset_put(r, e->paths[i].as);
	memmove(&e->paths[i], &e->paths[i + 1],
		(e->n_paths - i - 1u) * sizeof(e->paths[0]));
	e->n_paths--;
	r->link_count[link]--;
	r->link_count_af[link][fam_idx(prefix->family)]--;
	r->link_bytes[link] -= RIB_PATH_BYTES;
	if (e->n_paths == 0) {
		free(e->paths);
		e->paths = NULL;
		r->loc_count[fam_idx(prefix->family)]--;
	}
	mark_dirty(r, e, prefix);
}

struct rib *rib_new(unsigned int n_links)
{
	struct rib *r;

	if (n_links > CFG_MAX_LINKS)
		return NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->n_links = n_links;
	r->prefixes = ptable_new(sizeof(struct rib_entry), 0);
	r->aset_mask = 63;
	r->aset_buckets = calloc(r->aset_mask + 1u, sizeof(*r->aset_buckets));
	if (!r->prefixes || !r->aset_buckets) {
		rib_free(r);
		return NULL;
	}
	return r;
}

void rib_free(struct rib *r)
{
	const struct cfg_addr *prefix;
	struct rib_entry *e;
	size_t cur = 0;

	if (!r)
		return;
	if (r->prefixes) {
		while ((e = ptable_next(r->prefixes, &cur, &prefix))) {
			unsigned int i;

			for (i = 0; i < e->n_paths; i++)
				aset_put(r, e->paths[i].as);
			free(e->paths);
		}
		ptable_free(r->prefixes);
	}
	free(r->aset_buckets);
	free(r->dirty);
	free(r);
}

void rib_set_peer(struct rib *r, unsigned int link, unsigned int afs,
		  const struct rib_peer *peer)
{
	if (link >= r->n_links)
		return;
	if (afs & RIB_KEEP_AF(BGP_AF_IPV4))
		r->peers[link][0] = *peer;
	if (afs & RIB_KEEP_AF(BGP_AF_IPV6))
		r->peers[link][1] = *peer;
}

int rib_update(struct rib *r, unsigned int link, const struct cfg_addr *prefix,
	       const struct bgp_attrs *a)
{
	struct rib_entry *e;
	struct rib_aset *s;
	struct rib_path *p;
	bool created;
	int i;

	if (link >= r->n_links)
		return -EINVAL;
	s = aset_get(r, link, a);
	if (!s)
		return -ENOMEM;
	e = ptable_put(r->prefixes, prefix, &created);
	if (!e) {
		aset_put(r, s);
		return -errno;
	}
	i = path_find(e, link);
	if (i >= 0) {
		p = &e->paths[i];
		/* RFC 4724 §4.2: a refreshed path is no longer stale */
		p->stale = 0;
		if (p->as == s) {
			/* the same attributes again: nothing to decide */
			aset_put(r, s);
			return 0;
		}
		if (!nh_eq(path_nh(&p->as->a), path_nh(&s->a)))
			p->nh_changed = 1;
		aset_put(r, p->as);
		p->as = s;
		mark_dirty(r, e, prefix);
		return 0;
	}
	p = realloc(e->paths, (e->n_paths + 1u) * sizeof(*p));
	if (!p) {
		aset_put(r, s);
		if (created)
			ptable_del(r->prefixes, prefix);
		return -ENOMEM;
	}
	e->paths = p;
	/* keep link order: the nexthop sets are reported in it */
	for (i = e->n_paths; i > 0 && p[i - 1].link > link; i--)
		p[i] = p[i - 1];
	memset(&p[i], 0, sizeof(p[i]));
	p[i].as = s;
	p[i].link = (uint8_t)link;
	p[i].nh_changed = 1;
	if (e->n_paths++ == 0)
		r->loc_count[fam_idx(prefix->family)]++;
	r->link_count[link]++;
	r->link_count_af[link][fam_idx(prefix->family)]++;
	r->link_bytes[link] += RIB_PATH_BYTES;
	mark_dirty(r, e, prefix);
	return 0;
}

int rib_withdraw(struct rib *r, unsigned int link,
		 const struct cfg_addr *prefix)
{
	struct rib_entry *e;
	int i;

	if (link >= r->n_links)
		return -EINVAL;
	e = ptable_get(r->prefixes, prefix);
	if (!e)
		return -ENOENT;
	i = path_find(e, link);
	if (i < 0)
		return -ENOENT;
	path_remove(r, e, (unsigned int)i, prefix);
	return 0;
}

/* Removes LINK's paths of FAMILY (0: both), only the stale ones when
 * STALE_ONLY. The prefixes stay in the table until rib_process(). */
static size_t remove_paths(struct rib *r, unsigned int link, uint8_t family,
			   bool stale_only)
{
	const struct cfg_addr *prefix;
	struct rib_entry *e;
	size_t cur = 0, n = 0;

	if (link >= r->n_links || r->link_count[link] == 0)
		return 0;
	while ((e = ptable_next(r->prefixes, &cur, &prefix))) {
		int i;

		if (family && prefix->family != family)
			continue;
		i = path_find(e, link);
		if (i < 0 || (stale_only && !e->paths[i].stale))
			continue;
		path_remove(r, e, (unsigned int)i, prefix);
		n++;
	}
	return n;
}

/* Whether AFS (RIB_KEEP_AF bits) holds PREFIX's family. */
static bool afs_has(unsigned int afs, const struct cfg_addr *prefix)
{
	return (afs & RIB_KEEP_AF(prefix->family == AF_INET6 ? BGP_AF_IPV6 :
							     BGP_AF_IPV4)) != 0;
}

size_t rib_peer_flush(struct rib *r, unsigned int link, unsigned int afs)
{
	size_t n = 0;

	if (afs & RIB_KEEP_AF(BGP_AF_IPV4))
		n += remove_paths(r, link, AF_INET, false);
	if (afs & RIB_KEEP_AF(BGP_AF_IPV6))
		n += remove_paths(r, link, AF_INET6, false);
	return n;
}

size_t rib_peer_down(struct rib *r, unsigned int link, unsigned int afs,
		     unsigned int keep, size_t *stale)
{
	const struct cfg_addr *prefix;
	struct rib_entry *e;
	size_t cur = 0, n = 0;

	*stale = 0;
	if (link >= r->n_links || r->link_count[link] == 0)
		return 0;
	/* Removing a path leaves its prefix in the table (rib_process
	 * deletes it), so the walk is not disturbed. */
	while ((e = ptable_next(r->prefixes, &cur, &prefix))) {
		int i = path_find(e, link);

		if (i < 0 || !afs_has(afs, prefix))
			continue;
		if (afs_has(keep, prefix)) {
			/* RFC 4724 §4.2: the route stays in forwarding,
			 * only marked */
			e->paths[i].stale = 1;
			(*stale)++;
		} else {
			path_remove(r, e, (unsigned int)i, prefix);
			n++;
		}
	}
	return n;
}

size_t rib_peer_mark_stale(struct rib *r, unsigned int link)
{
	unsigned int both = RIB_KEEP_AF(BGP_AF_IPV4) | RIB_KEEP_AF(BGP_AF_IPV6);
	size_t n;

	rib_peer_down(r, link, both, both, &n);
	return n;
}

size_t rib_sweep_stale(struct rib *r, unsigned int link, uint8_t family)
{
	return remove_paths(r, link, family, true);
}

/* ---- the decision process ---- */

long rib_link_set_local_pref(struct rib *r, unsigned int link, uint32_t lp)
{
	const struct cfg_addr *prefix;
	struct rib_entry *e;
	size_t cur = 0;
	long n = 0;

	if (link >= r->n_links || r->link_count[link] == 0)
		return 0;
	while ((e = ptable_next(r->prefixes, &cur, &prefix))) {
		int i = path_find(e, link);
		struct rib_path *p;
		struct rib_aset *s;
		struct bgp_attrs a;

		if (i < 0)
			continue;
		p = &e->paths[i];
		if ((p->as->a.present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF)) &&
		    p->as->a.local_pref == lp)
			continue;
		/* the copy points into P's set, held until replaced */
		a = p->as->a;
		a.local_pref = lp;
		a.present |= BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
		s = aset_get(r, link, &a);
		if (!s)
			return -ENOMEM;
		aset_put(r, p->as);
		p->as = s;
		mark_dirty(r, e, prefix);
		n++;
	}
	return n;
}

static bool path_usable(const struct rib_path *p)
{
	return path_nh(&p->as->a)->family != 0;
}

/* Sorts the indexes IDX[0..N) of E's paths best first (unusable paths
 * last); insertion sort, N <= 16. */
static void sort_paths(const struct rib *r, const struct rib_entry *e,
		       uint8_t family, uint8_t *idx, unsigned int n)
{
	unsigned int f = fam_idx(family);
	unsigned int i, j;

	for (i = 1; i < n; i++) {
		uint8_t x = idx[i];
		const struct rib_path *px = &e->paths[x];

		for (j = i; j > 0; j--) {
			const struct rib_path *py = &e->paths[idx[j - 1]];
			bool ux = path_usable(px), uy = path_usable(py);

			if (ux == uy &&
			    bgp_path_cmp(&px->as->a, &r->peers[px->link][f],
					 &py->as->a, &r->peers[py->link][f],
					 NULL) >= 0)
				break;
			if (!ux && uy)
				break;
			idx[j] = idx[j - 1];
		}
		idx[j] = x;
	}
}

static void fill_nh(struct rib_nh *nh, const struct rib_path *p)
{
	nh->link = p->link;
	nh->addr = *path_nh(&p->as->a);
}

/* Decides E's primary and backup sets, sets the roles, and tells whether
 * they differ from the last report (links or nexthop addresses). */
static bool decide(const struct rib *r, struct rib_entry *e, uint8_t family,
		   uint16_t *primary, uint16_t *backup)
{
	uint8_t idx[CFG_MAX_LINKS];
	unsigned int i, n = e->n_paths, k;
	const struct rib_path *best, *second = NULL;
	bool nh_changed = false;

	*primary = *backup = 0;
	for (i = 0; i < n; i++) {
		idx[i] = (uint8_t)i;
		e->paths[i].role = RIB_ROLE_NONE;
	}
	sort_paths(r, e, family, idx, n);
	if (n == 0 || !path_usable(&e->paths[idx[0]]))
		goto out;
	best = &e->paths[idx[0]];
	e->paths[idx[0]].role = RIB_ROLE_BEST;
	*primary |= (uint16_t)(1u << best->link);
	for (k = 1; k < n; k++) {
		struct rib_path *p = &e->paths[idx[k]];

		if (!path_usable(p))
			break;
		if (!second && bgp_path_multipath_eq(&best->as->a,
						     &p->as->a)) {
			p->role = RIB_ROLE_MULTIPATH;
			*primary |= (uint16_t)(1u << p->link);
			continue;
		}
		/* the next tier: its best, and the paths multipath-equal
		 * to that */
		if (!second)
			second = p;
		else if (!bgp_path_multipath_eq(&second->as->a, &p->as->a))
			break;
		p->role = RIB_ROLE_BACKUP;
		*backup |= (uint16_t)(1u << p->link);
	}
out:
	for (i = 0; i < n; i++) {
		if (e->paths[i].role != RIB_ROLE_NONE && e->paths[i].nh_changed)
			nh_changed = true;
		e->paths[i].nh_changed = 0;
	}
	return nh_changed || *primary != e->rep_primary ||
	       *backup != e->rep_backup;
}

void rib_prefetch(const struct rib *r, const struct cfg_addr *prefix)
{
	ptable_prefetch(r->prefixes, prefix);
}

void rib_set_prefetch(struct rib *r,
		      void (*pf)(void *arg, const struct cfg_addr *prefix),
		      void *arg)
{
	r->prefetch = pf;
	r->prefetch_arg = arg;
}

size_t rib_process(struct rib *r, size_t budget, rib_fib_cb cb, void *arg)
{
	while (budget && r->dirty_head < r->dirty_tail) {
		struct cfg_addr prefix = r->dirty[r->dirty_head++];

		/* the prefix RIB_LOOKAHEAD places on: its entry (and the
		 * FIB push's) on the way from memory while these are
		 * decided */
		if (r->dirty_head + RIB_LOOKAHEAD <= r->dirty_tail) {
			const struct cfg_addr *ahead =
				&r->dirty[r->dirty_head + RIB_LOOKAHEAD - 1u];

			ptable_prefetch(r->prefixes, ahead);
			if (r->prefetch != NULL)
				r->prefetch(r->prefetch_arg, ahead);
		}
		uint16_t primary, backup;
		struct rib_entry *e;
		struct rib_nhset set;
		unsigned int i;

		budget--;
		e = ptable_get(r->prefixes, &prefix);
		if (!e)
			continue;
		e->dirty = 0;
		if (!decide(r, e, prefix.family, &primary, &backup)) {
			if (e->n_paths == 0)
				ptable_del(r->prefixes, &prefix);
			continue;
		}
		for (i = 0; i < r->n_links; i++)
			r->installed[i] += (size_t)(primary >> i & 1) -
					   (size_t)(e->rep_primary >> i & 1);
		e->rep_primary = primary;
		e->rep_backup = backup;
		if (!primary) {
			if (e->n_paths == 0)
				ptable_del(r->prefixes, &prefix);
			if (cb)
				cb(arg, &prefix, NULL);
			continue;
		}
		set.n_primary = set.n_backup = 0;
		for (i = 0; i < e->n_paths; i++) {
			const struct rib_path *p = &e->paths[i];

			if (p->role == RIB_ROLE_BEST ||
			    p->role == RIB_ROLE_MULTIPATH)
				fill_nh(&set.primary[set.n_primary++], p);
			else if (p->role == RIB_ROLE_BACKUP)
				fill_nh(&set.backup[set.n_backup++], p);
		}
		if (cb)
			cb(arg, &prefix, &set);
	}
	if (r->dirty_head == r->dirty_tail)
		r->dirty_head = r->dirty_tail = 0;
	return r->dirty_tail - r->dirty_head;
}

size_t rib_pending(const struct rib *r)
{
	return r->dirty_tail - r->dirty_head;
}

size_t rib_loc_count(const struct rib *r, uint8_t family)
{
	if (family == AF_INET)
		return r->loc_count[0];
	if (family == AF_INET6)
		return r->loc_count[1];
	return r->loc_count[0] + r->loc_count[1];
}

size_t rib_link_count_af(const struct rib *r, unsigned int link,
			 unsigned int afs)
{
	size_t n = 0;

	if (link >= r->n_links)
		return 0;
	if (afs & RIB_KEEP_AF(BGP_AF_IPV4))
		n += r->link_count_af[link][0];
	if (afs & RIB_KEEP_AF(BGP_AF_IPV6))
		n += r->link_count_af[link][1];
	return n;
}

size_t rib_link_count(const struct rib *r, unsigned int link)
{
	return link < r->n_links ? r->link_count[link] : 0;
}

size_t rib_link_bytes(const struct rib *r, unsigned int link)
{
	return link < r->n_links ? r->link_bytes[link] : 0;
}

size_t rib_link_installed(const struct rib *r, unsigned int link)
{
	return link < r->n_links ? r->installed[link] : 0;
}

/* ---- walking ---- */

static int walk_one(const struct rib *r, const struct cfg_addr *prefix,
		    const struct rib_entry *e, rib_walk_cb cb, void *arg)
{
	struct rib_path_view v[CFG_MAX_LINKS];
	uint8_t idx[CFG_MAX_LINKS];
	unsigned int i;

	for (i = 0; i < e->n_paths; i++)
		idx[i] = (uint8_t)i;
	sort_paths(r, e, prefix->family, idx, e->n_paths);
	for (i = 0; i < e->n_paths; i++) {
		const struct rib_path *p = &e->paths[idx[i]];

		v[i].link = p->link;
		v[i].attrs = &p->as->a;
		v[i].stale = p->stale;
		v[i].role = (enum rib_role)p->role;
	}
	return cb(arg, prefix, v, e->n_paths);
}

void rib_walk(const struct rib *r, const struct cfg_addr *filter,
	      rib_walk_cb cb, void *arg)
{
	const struct cfg_addr *prefix;
	const struct rib_entry *e;
	struct cfg_addr p;
	size_t cur = 0;
	int len;

	if (!filter) {
		while ((e = ptable_next(r->prefixes, &cur, &prefix)))
			if (e->n_paths && walk_one(r, prefix, e, cb, arg))
				return;
		return;
	}
	/* a prefix: only itself; a host address: the longest prefix
	 * containing it */
	p = *filter;
	len = filter->len < cfg_family_bits(filter->family) ? filter->len : 0;
	for (p.len = filter->len; (int)p.len >= len; p.len--) {
		e = ptable_get(r->prefixes, &p);
		if (e && e->n_paths) {
			struct cfg_addr key;

			ptable_key(&p, &key); /* reported as stored */
			walk_one(r, &key, e, cb, arg);
			return;
		}
		if (p.len == 0)
			break;
	}
}
