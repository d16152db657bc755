/* FIB model and push. Nexthop ids: link i is i + 1 (port i); each distinct
 * LAN gateway follows (port = the LAN port); BGP next hops other than a
 * link's peer get ids after those, in order of first use, kept for good.
 * Groups are interned by member lists and counted by the routes naming
 * them; static ones are numbered in order of first use at build.
 *
 * Group ids of BGP groups are reused in FIFO order, fresh ids first. The
 * data plane would accept an id again at once: records are applied in
 * order on one lcore, and GROUP_DEL waits an RCU grace period before the
 * id stops resolving (dataplane/channel.c id_grace_period), so no
 * forwarding lcore still holds the old group's id when a GROUP_SET reuses
 * it. FIFO is for the cases outside that argument: a ROUTE_ADD/ROUTE_DEL
 * the data plane failed to apply (rte_fib out of tbl8s) leaves a prefix on
 * a deleted id, which drops traffic until the next full sync; an id
 * reused at once would send it to another group's members instead. FIFO
 * puts the longest time (every other free id) between a delete and its
 * reuse, and a group id in logs means one member set for as long as
 * possible.
 *
 * Nexthops grow in an array (realloc) rather than sit in fixed arrays:
 * static ones are bounded by the config, BGP ones by FP_NH_ID_MAX. Routes
 * live in a ptable; a full sync queues nexthops, groups and static routes
 * and streams the BGP routes from the table (sync_stream) in prefix order:
 * consecutive prefixes share most of their path in the data plane's
 * rte_fib trie, which then stays in cache; in hash order every add walks
 * it through cache misses, and a million-route sync is four times
 * slower (bench/fwd: fib_updates_per_s against fib_updates_per_s_random). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_jhash.h>

#include "fibpush.h"
#include "log.h"
#include "ptable.h"
#include "rib.h"

static void nh_digest_flip(struct fibpush *fp, const struct fp_nexthop *nh);

/* Group ids chained per bucket: at most a few thousand groups. */
#define FP_GRP_HASH_BUCKETS 8192u
#define FP_GRP_HASH_SEED 0x66706772u /* "fpgr" */

static struct fp_nexthop *nh_append(struct fibpush *fp)
{
	struct fp_nexthop *nh;

	if (fp->n_nh == fp->nh_cap) {
		unsigned int cap = fp->nh_cap ? fp->nh_cap * 2 : 64;

		nh = realloc(fp->nh, cap * sizeof(*nh));
		if (nh == NULL)
			return NULL;
		fp->nh = nh;
		fp->nh_cap = cap;
	}
	nh = &fp->nh[fp->n_nh++];
	memset(nh, 0, sizeof(*nh));
	nh->id = fp->n_nh;
	return nh;
}

static int nh_for_gateway(struct fibpush *fp, const struct twp_config *cfg,
			  const struct cfg_addr *gw, uint32_t *id)
{
	struct fp_nexthop *nh;
	unsigned int i;

	for (i = cfg->n_links; i < fp->n_nh; i++)
		if (fp->nh[i].gateway.family == gw->family &&
		    memcmp(fp->nh[i].gateway.addr, gw->addr, 16) == 0) {
			*id = fp->nh[i].id;
			return 0;
		}
	nh = nh_append(fp);
	if (nh == NULL)
		return -ENOMEM;
	nh->port = (uint16_t)cfg_lan_port(cfg);
	snprintf(nh->label, sizeof(nh->label), "lan");
	snprintf(nh->ifname, sizeof(nh->ifname), "%s", cfg->lan.interface);
	nh->gateway = *gw;
	nh_digest_flip(fp, nh);
	*id = nh->id;
	return 0;
}

/* Over a candidate's lists (primary/backup): a stored group's HASH is
 * this over the lists it was interned for, its base. */
static uint32_t group_hash(const struct fp_group *g)
{
	uint32_t h = rte_jhash_1word((uint32_t)g->n_primary << 8 | g->n_backup,
				     FP_GRP_HASH_SEED);

	h = rte_jhash_32b(g->primary, g->n_primary, h);
	return rte_jhash_32b(g->backup, g->n_backup, h);
}

static bool lists_eq(uint8_t na, const uint32_t *a, uint8_t nb,
		     const uint32_t *b)
{
	return na == nb && memcmp(a, b, nb * sizeof(b[0])) == 0;
}

/* Stored group S's base against candidate C's lists. */
static bool group_base_eq(const struct fp_group *s, const struct fp_group *c)
{
	return lists_eq(s->n_base_primary, s->base_primary, c->n_primary,
			c->primary) &&
	       lists_eq(s->n_base_backup, s->base_backup, c->n_backup,
			c->backup);
}

/* The effective lists (primary/backup) of A and B equal. */
static bool group_eff_eq(const struct fp_group *a, const struct fp_group *b)
{
	return lists_eq(a->n_primary, a->primary, b->n_primary, b->primary) &&
	       lists_eq(a->n_backup, a->backup, b->n_backup, b->backup);
}

/* The link nexthop ID forwards over, or -1 (a LAN gateway). */
static int nh_link(const struct fibpush *fp, uint32_t id)
{
	const struct fp_nexthop *nh;

	if (id == 0 || id > fp->n_nh)
		return -1;
	if (id <= fp->cfg->n_links)
		return (int)id - 1;
	nh = &fp->nh[id - 1];
	return nh->bgp ? nh->port : -1;
}

static uint32_t ids_links(const struct fibpush *fp, const uint32_t *ids,
			  unsigned int n)
{
	uint32_t links = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		int l = nh_link(fp, ids[i]);

		if (l >= 0)
			links |= 1u << l;
	}
	return links;
}

/* Copies the ids of IN not on a link of MASK to OUT; their number. */
static uint8_t ids_without(const struct fibpush *fp, const uint32_t *in,
			   uint8_t n, uint32_t mask, uint32_t *out)
{
	uint8_t i, k = 0;

	for (i = 0; i < n; i++) {
		int l = nh_link(fp, in[i]);

		if (l < 0 || !(mask >> l & 1u))
			out[k++] = in[i];
	}
	return k;
}

/* G's base without the members on the links of MASK, into OUT's
 * primary/backup. A primary list left empty takes the backup's place:
 * the decision does the same when the best tier's paths are gone
 * (rib.c decide: the next tier becomes the primary set, and a tier
 * below it, which the group never had, would become the backup; only
 * then do the two differ, and the prefix is re-pointed). False when no
 * member is left. */
static bool group_base_without(const struct fibpush *fp,
			       const struct fp_group *g, uint32_t mask,
			       struct fp_group *out)
{
	out->n_primary = ids_without(fp, g->base_primary, g->n_base_primary,
				     mask, out->primary);
	out->n_backup = ids_without(fp, g->base_backup, g->n_base_backup,
				    mask, out->backup);
	if (out->n_primary == 0) {
		memcpy(out->primary, out->backup,
		       out->n_backup * sizeof(out->backup[0]));
		out->n_primary = out->n_backup;
		out->n_backup = 0;
	}
	return out->n_primary > 0;
}

static uint32_t *group_bucket(struct fibpush *fp, uint32_t hash)
{
	return &fp->grp_hash[hash & (FP_GRP_HASH_BUCKETS - 1)];
}

static void group_unlink(struct fibpush *fp, struct fp_group *g)
{
	uint32_t *p = group_bucket(fp, g->hash);

	while (*p != g->id)
		p = &fp->grp[*p - 1].hnext;
	*p = g->hnext;
	g->hnext = 0;
}

/* A fresh id, or for a BGP group (limited to what the data plane takes)
 * the oldest freed one. */
static int group_new_id(struct fibpush *fp, bool bgp, uint32_t *id)
{
	if (!bgp || fp->grp_top + 1 < FP_GROUP_ID_MAX) {
		if (fp->grp_top == fp->grp_cap) {
			unsigned int cap = fp->grp_cap ? fp->grp_cap * 2 : 64;
			struct fp_group *g = realloc(fp->grp,
						     cap * sizeof(*g));

			if (g == NULL)
				return -ENOMEM;
			fp->grp = g;
			fp->grp_cap = cap;
		}
		*id = ++fp->grp_top;
		return 0;
	}
	if (fp->free_len == 0)
		return -ENOSPC;
	*id = fp->grp_free[fp->free_head];
	fp->free_head = (fp->free_head + 1) % FP_GROUP_ID_MAX;
	fp->free_len--;
	return 0;
}

/* Appends to the outbox (a ring buffer that grows: nothing is dropped). */
static int outbox_push(struct fibpush *fp, const struct chan_rec *rec)
{
	if (fp->ob_len == fp->ob_cap) {
		size_t cap = fp->ob_cap ? fp->ob_cap * 2 : 1024, i;
		struct chan_rec *ob = malloc(cap * sizeof(*ob));

		if (ob == NULL)
			return -ENOMEM;
		for (i = 0; i < fp->ob_len; i++)
			ob[i] = fp->outbox[(fp->ob_head + i) % fp->ob_cap];
		free(fp->outbox);
		fp->outbox = ob;
		fp->ob_cap = cap;
		fp->ob_head = 0;
	}
	fp->outbox[(fp->ob_head + fp->ob_len) % fp->ob_cap] = *rec;
	fp->ob_len++;
	return 0;
}

/* Records go through the outbox so their order is kept even while some
 * older ones still wait for room. */
static int send_rec(struct fibpush *fp, struct chan_rec *rec)
{
	rec->generation = fp->generation;
	return outbox_push(fp, rec);
}

static void nh_rec(const struct fp_nexthop *nh, struct chan_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = CHAN_REC_NEXTHOP_SET;
	rec->u.nh.id = nh->id;
	rec->u.nh.port = nh->port;
	rec->u.nh.family = nh->gateway.family;
	rec->u.nh.flags = nh->resolved ? CHAN_NH_F_RESOLVED : 0;
	memcpy(rec->u.nh.gateway, nh->gateway.addr, 16);
	if (nh->resolved)
		memcpy(rec->u.nh.mac, nh->mac, 6);
}

/* The digest (common/fibdigest.h) follows the model as it changes, over
 * exactly what the records carry: every nexthop, every group in use,
 * every installed route (a shadowed BGP route is not one). Each flips
 * its entry's hash in when it appears and out when it goes; a change is
 * both. */
static void nh_digest_flip(struct fibpush *fp, const struct fp_nexthop *nh)
{
	struct chan_rec rec;

	nh_rec(nh, &rec);
	fib_digest_flip(&fp->digest, FIB_DIGEST_NEXTHOPS,
			fib_digest_nexthop(rec.u.nh.id, rec.u.nh.port,
					   rec.u.nh.family,
					   rec.u.nh.flags & CHAN_NH_F_RESOLVED,
					   rec.u.nh.gateway, rec.u.nh.mac));
}

static void group_digest_flip(struct fibpush *fp, const struct fp_group *g)
{
	fib_digest_flip(&fp->digest, FIB_DIGEST_GROUPS,
			fib_digest_group(g->id, g->n_primary, g->primary,
					 g->n_backup, g->backup));
}

/* PREFIX (a table key: masked) on group GID; none for 0. */
static void route_digest_flip(struct fibpush *fp,
			      const struct cfg_addr *prefix, uint32_t gid)
{
	if (gid != 0)
		fib_digest_flip(&fp->digest, FIB_DIGEST_ROUTES,
				fib_digest_route(prefix->family, prefix->len,
						 prefix->addr, gid));
}

/* A difference: sent after the first full sync only, which carries all
 * that came before it. */
static int emit(struct fibpush *fp, struct chan_rec *rec)
{
	if (fp->generation == 0)
		return 0;
	fp->pic.records[fp->cause]++;
	return send_rec(fp, rec);
}

static int emit_nh(struct fibpush *fp, const struct fp_nexthop *nh)
{
	struct chan_rec rec;

	nh_rec(nh, &rec);
	return emit(fp, &rec);
}

static void grp_rec(const struct fp_group *g, struct chan_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = CHAN_REC_GROUP_SET;
	rec->u.grp.id = g->id;
	rec->u.grp.n_primary = g->n_primary;
	rec->u.grp.n_backup = g->n_backup;
	memcpy(rec->u.grp.primary, g->primary, sizeof(g->primary));
	memcpy(rec->u.grp.backup, g->backup, sizeof(g->backup));
}

static void route_rec(uint16_t type, const struct cfg_addr *prefix,
		      uint32_t group_id, struct chan_rec *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->type = type;
	rec->u.route.family = prefix->family;
	rec->u.route.len = prefix->len;
	rec->u.route.group_id = group_id;
	memcpy(rec->u.route.prefix, prefix->addr, 16);
}

static int emit_route(struct fibpush *fp, uint16_t type,
		      const struct cfg_addr *prefix, uint32_t group_id)
{
	struct chan_rec rec;

	route_rec(type, prefix, group_id, &rec);
	return emit(fp, &rec);
}

/* Sends the outbox, oldest first, until the ring refuses one. */
static int outbox_send(struct fibpush *fp)
{
	while (fp->ob_len > 0) {
		struct chan_rec *rec = &fp->outbox[fp->ob_head];

		if (chan_send(fp->chan, rec) == -ENOBUFS)
			return -ENOBUFS;
		fp->ob_head = (fp->ob_head + 1) % fp->ob_cap;
		fp->ob_len--;
	}
	return 0;
}

static int addr_cmp(const void *a, const void *b)
{
	const struct cfg_addr *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (c != 0)
		return c;
	return (int)x->len - (int)y->len;
}

/* The full sync's order: every BGP route's prefix, sorted (family,
 * address, length). Not sorted, or without memory for it, the sync walks
 * the table in hash order instead (sync_order stays NULL). */
static void sync_order_build(struct fibpush *fp)
{
	const struct cfg_addr *pfx;
	const struct fp_route *r;
	size_t c = 0, n = 0;

	free(fp->sync_order);
	fp->sync_order = NULL;
	fp->sync_n = fp->sync_pos = 0;
	if (!fp->sync_sorted)
		return;
	fp->sync_order = calloc(ptable_count(fp->routes) + 1,
				sizeof(*fp->sync_order));
	if (fp->sync_order == NULL) {
		log_warn("full sync: no memory to sort %zu prefixes: sending "
			"them in table order", ptable_count(fp->routes));
		return;
	}
	while ((r = ptable_next(fp->routes, &c, &pfx)) != NULL)
		if (!(r->flags & FP_ROUTE_STATIC))
			fp->sync_order[n++] = *pfx;
	qsort(fp->sync_order, n, sizeof(*fp->sync_order), addr_cmp);
	fp->sync_n = n;
}

/* The next route the full sync may have to send, with its prefix, and
 * in *NEXT where to go on from once it is sent; NULL when none is left.
 * From the sorted snapshot, the table looked up again (a route deleted
 * since is gone, one created since was marked and sent as a difference).
 * From the table itself: entries created or deleted while the walk is on
 * may move others behind the cursor (growth rehashes, deletion shifts
 * back), so the walk starts over until a pass sees no such change. */
static struct fp_route *sync_next(struct fibpush *fp,
				  const struct cfg_addr **pfx, size_t *next)
{
	struct fp_route *r;

	if (fp->sync_order != NULL) {
		for (; fp->sync_pos < fp->sync_n; fp->sync_pos++) {
			*pfx = &fp->sync_order[fp->sync_pos];
			r = ptable_get(fp->routes, *pfx);
			if (r != NULL) {
				*next = fp->sync_pos + 1;
				return r;
			}
		}
		return NULL;
	}
	for (;;) {
		*next = fp->sync_cursor;
		r = ptable_next(fp->routes, next, pfx);
		if (r != NULL || !fp->sync_rescan)
			return r;
		fp->sync_rescan = false;
		fp->sync_cursor = 0;
	}
}

/* The full sync's BGP routes not sent yet, straight into the ring (only
 * while the outbox is empty, so differences keep their order), then
 * SYNC_END. A skipped route would be swept by SYNC_END; a second
 * ROUTE_ADD costs nothing. */
static int sync_stream(struct fibpush *fp)
{
	/* we are the only producer: at least this much room */
	unsigned int room = chan_send_space(fp->chan);
	const struct cfg_addr *pfx;
	struct fp_route *r;
	struct chan_rec rec;
	size_t next;

	while (fp->sync_active) {
		r = sync_next(fp, &pfx, &next);
		if (r == NULL) {
			memset(&rec, 0, sizeof(rec));
			rec.type = CHAN_REC_SYNC_END;
			if (send_rec(fp, &rec) < 0)
				return -ENOMEM;
			fp->sync_active = false;
			free(fp->sync_order);
			fp->sync_order = NULL;
			return 0;
		}
		if (!(r->flags & FP_ROUTE_STATIC) &&
		    r->sync_mark != fp->sync_mark) {
			route_rec(CHAN_REC_ROUTE_ADD, pfx, r->group_id, &rec);
			rec.generation = fp->generation;
			/* a full ring is not counted as a refusal here:
			 * nothing waits, the table is the queue */
			if (room == 0 || chan_send(fp->chan, &rec) < 0)
				return -ENOBUFS;
			room--;
			r->sync_mark = fp->sync_mark;
			fp->sync_left--;
		}
		if (fp->sync_order != NULL)
			fp->sync_pos = next;
		else
			fp->sync_cursor = next;
	}
	return 0;
}

int fibpush_flush(struct fibpush *fp)
{
	int rc;

	do {
		rc = outbox_send(fp);
		if (rc == 0 && fp->sync_active)
			rc = sync_stream(fp);
	} while (rc == 0 && fp->ob_len > 0);
	if (rc == -ENOBUFS) {
		if (!fp->ob_full_episode)
			log_warn("channel full: %zu records waiting",
				fibpush_queued(fp));
		fp->ob_full_episode = true;
		return rc;
	}
	if (rc == 0 && fp->ob_full_episode)
		log_msg("channel drained: every waiting record sent");
	if (rc == 0)
		fp->ob_full_episode = false;
	return rc;
}

/* A BGP route's ROUTE_ADD went out as a difference: the full sync under
 * way need not send it again. */
static void route_sent(struct fibpush *fp, struct fp_route *r)
{
	if (r->sync_mark == fp->sync_mark)
		return;
	r->sync_mark = fp->sync_mark;
	if (fp->sync_active)
		fp->sync_left--;
}

/* G's effective lists become E's (its primary/backup). */
static void group_eff_copy(struct fp_group *g, const struct fp_group *e)
{
	memset(g->primary, 0, sizeof(g->primary));
	memset(g->backup, 0, sizeof(g->backup));
	g->n_primary = e->n_primary;
	g->n_backup = e->n_backup;
	memcpy(g->primary, e->primary, e->n_primary * sizeof(e->primary[0]));
	memcpy(g->backup, e->backup, e->n_backup * sizeof(e->backup[0]));
}

/* G's effective lists made what the mask now gives (the base while static
 * routes are on it); one GROUP_SET when they change. A group the mask
 * leaves without a member keeps the lists it has: the data plane's
 * health bits already steer its traffic, and its routes go with their
 * own decisions (counted by the caller). True when it changed. */
static bool group_refresh(struct fibpush *fp, struct fp_group *g,
			  int *sent, bool *empty)
{
	struct fp_group e;
	struct chan_rec rec;

	*empty = false;
	/* static routes on it: never masked */
	if (!group_base_without(fp, g, g->srefs > 0 ? 0 : fp->masked & g->links,
				&e)) {
		*empty = true;
		return false;
	}
	if (group_eff_eq(g, &e))
		return false;
	group_digest_flip(fp, g);
	group_eff_copy(g, &e);
	group_digest_flip(fp, g);
	grp_rec(g, &rec);
	*sent |= emit(fp, &rec);
	return true;
}

/* A new group for G's lists (its base), with one route (STAT: a static
 * one) on it, its effective lists what the mask gives: one GROUP_SET.
 * POOL: a BGP id (freed ids reused). */
static int group_create(struct fibpush *fp, const struct fp_group *g,
			bool pool, bool stat, uint32_t *id, int *sent)
{
	uint32_t hash = group_hash(g), *b = group_bucket(fp, hash), i;
	struct fp_group *n;
	struct chan_rec rec;
	int rc;

	rc = group_new_id(fp, pool, &i);
	if (rc == -ENOSPC) {
		fp->grp_table_full++;
		if (!fp->grp_nospc_logged)
			log_warn("out of nexthop group ids (%u in use): BGP "
				 "routes on new nexthop sets are not "
				 "installed (counted: group_table_full)",
				 fp->n_grp);
		fp->grp_nospc_logged = true;
	}
	if (rc < 0)
		return rc;
	n = &fp->grp[i - 1];
	memset(n, 0, sizeof(*n));
	n->n_base_primary = g->n_primary;
	n->n_base_backup = g->n_backup;
	memcpy(n->base_primary, g->primary,
	       g->n_primary * sizeof(g->primary[0]));
	memcpy(n->base_backup, g->backup, g->n_backup * sizeof(g->backup[0]));
	n->id = i;
	n->refs = 1;
	n->srefs = stat;
	n->links = ids_links(fp, g->primary, g->n_primary) |
		   ids_links(fp, g->backup, g->n_backup);
	n->hash = hash;
	n->hnext = *b;
	*b = i;
	fp->n_grp++;
	/* the base, or without the masked links' members while some are
	 * left: a decision that gives a masked link's path (a stale one,
	 * or one learned again before the link's End-of-RIB) is served
	 * by the data plane's health bits alone */
	n->n_primary = g->n_primary;
	n->n_backup = g->n_backup;
	memcpy(n->primary, n->base_primary, sizeof(n->primary));
	memcpy(n->backup, n->base_backup, sizeof(n->backup));
	if (!stat && (n->links & fp->masked)) {
		struct fp_group e;

		if (group_base_without(fp, n, fp->masked & n->links, &e))
			group_eff_copy(n, &e);
	}
	group_digest_flip(fp, n);
	grp_rec(n, &rec);
	*sent |= emit(fp, &rec);
	*id = i;
	return 0;
}

/* One more route on the group with G's members (its base): an existing
 * group, or a new one. STAT: a static route, which never joins a group
 * the mask changed (static routes do not follow BGP sessions) and keeps
 * the group it is on from being masked; a BGP route prefers a group
 * without static routes (one that can be masked). POOL: a BGP id.
 * *SENT gets the outbox's verdict. */
static int group_acquire(struct fibpush *fp, const struct fp_group *g,
			 bool pool, bool stat, uint32_t *id, int *sent)
{
	uint32_t hash = group_hash(g), *b = group_bucket(fp, hash), i;
	struct fp_group *n, *pick = NULL;

	for (i = *b; i != 0; i = fp->grp[i - 1].hnext) {
		n = &fp->grp[i - 1];
		if (n->hash != hash || !group_base_eq(n, g))
			continue;
		if (stat) {
			if (n->srefs > 0 || group_eff_eq(n, g)) {
				pick = n;
				break;
			}
			continue;
		}
		if (n->srefs == 0) {
			pick = n;
			break;
		}
		if (pick == NULL)
			pick = n;
	}
	if (pick == NULL)
		return group_create(fp, g, pool, stat, id, sent);
	pick->refs++;
	pick->srefs += stat;
	*id = pick->id;
	return 0;
}

/* One route less on group ID (STAT: a static one); the last one out
 * deletes it (GROUP_DEL) and queues the id for reuse. */
static void group_release(struct fibpush *fp, uint32_t id, bool stat,
			  int *sent)
{
	struct fp_group *g = &fp->grp[id - 1];
	struct chan_rec rec;
	bool empty;

	g->srefs -= stat;
	if (--g->refs > 0) {
		/* the last static route gone: the mask applies again */
		if (stat && g->srefs == 0 && (g->links & fp->masked))
			group_refresh(fp, g, sent, &empty);
		return;
	}
	group_unlink(fp, g);
	group_digest_flip(fp, g);
	fp->n_grp--;
	memset(&rec, 0, sizeof(rec));
	rec.type = CHAN_REC_GROUP_DEL;
	rec.u.id = id;
	*sent |= emit(fp, &rec);
	if (id < FP_GROUP_ID_MAX) {
		fp->grp_free[(fp->free_head + fp->free_len) %
			     FP_GROUP_ID_MAX] = id;
		fp->free_len++;
		if (fp->grp_nospc_logged)
			log_msg("nexthop group ids free again (%llu BGP route "
				"changes refused while none was)",
				(unsigned long long)fp->grp_table_full);
		fp->grp_nospc_logged = false;
	}
}
/* A via link's tier: its local_pref, 0 while drained (RFC 8326 §4.2, as
 * for its BGP paths: least preferred). */
static uint32_t via_pref(const struct twp_config *cfg, uint32_t drained,
			 unsigned int link)
{
	return (drained >> link & 1u) ? 0u : cfg->links[link].local_pref;
}

/* Active-active: every via link is primary (ECMP); drained ones are the
 * backup while another via link is not drained. Active-standby: the via
 * links with the highest local_pref are primary, those of the next tier
 * are the precomputed backup; lower tiers are not used; a drained link
 * counts as local_pref 0. DRAINED: bit per link index. */
static void group_for_via(const struct twp_config *cfg,
			  const struct cfg_route *r, uint32_t drained,
			  struct fp_group *g)
{
	uint32_t best = 0, next = 0;
	bool have_next = false, any_live = false;
	unsigned int i;

	memset(g, 0, sizeof(*g));
	if (cfg->mode == CFG_MODE_ACTIVE_ACTIVE) {
		for (i = 0; i < r->n_via; i++)
			any_live |= !(drained >> r->via[i] & 1u);
		/* link-index order, so one set of links is one group */
		for (i = 0; i < cfg->n_links; i++)
			for (unsigned int k = 0; k < r->n_via; k++) {
				if (r->via[k] != i)
					continue;
				if (any_live && (drained >> i & 1u))
					g->backup[g->n_backup++] = i + 1;
				else
					g->primary[g->n_primary++] = i + 1;
			}
		return;
	}
	for (i = 0; i < r->n_via; i++)
		if (via_pref(cfg, drained, r->via[i]) > best)
			best = via_pref(cfg, drained, r->via[i]);
	for (i = 0; i < r->n_via; i++) {
		uint32_t lp = via_pref(cfg, drained, r->via[i]);

		if (lp < best && (!have_next || lp > next)) {
			next = lp;
			have_next = true;
		}
	}
	for (i = 0; i < cfg->n_links; i++) {
		for (unsigned int k = 0; k < r->n_via; k++) {
			uint32_t lp = via_pref(cfg, drained, i);

			if (r->via[k] != i)
				continue;
			if (lp == best)
				g->primary[g->n_primary++] = i + 1;
			else if (have_next && lp == next)
				g->backup[g->n_backup++] = i + 1;
		}
	}
}

int fibpush_build(struct fibpush *fp, const struct twp_config *cfg,
		  struct chan *chan)
{
	unsigned int i, k;
	int sent = 0, rc;

	memset(fp, 0, sizeof(*fp));
	fp->chan = chan;
	fp->cfg = cfg;
	fp->sync_sorted = true;
	fp->cause = FP_CAUSE_OTHER;
	fp->grp_hash = calloc(FP_GRP_HASH_BUCKETS, sizeof(*fp->grp_hash));
	fp->routes = ptable_new(sizeof(struct fp_route), cfg->n_routes);
	if (fp->grp_hash == NULL || fp->routes == NULL)
		return -ENOMEM;
	for (i = 0; i < cfg->n_links; i++) {
		struct fp_nexthop *nh = nh_append(fp);

		if (nh == NULL)
			return -ENOMEM;
		nh->port = (uint16_t)i;
		snprintf(nh->label, sizeof(nh->label), "%s",
			 cfg->links[i].name);
		snprintf(nh->ifname, sizeof(nh->ifname), "%s",
			 cfg->links[i].interface);
		nh->gateway = cfg->links[i].peer_address;
		nh_digest_flip(fp, nh);
	}
	for (i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];
		struct fp_route *e;
		struct fp_group g;
		struct cfg_addr pfx;
		uint32_t gid;
		bool created;

		if (r->n_via > 0) {
			group_for_via(cfg, r, 0, &g);
		} else {
			memset(&g, 0, sizeof(g));
			g.n_primary = 1;
			rc = nh_for_gateway(fp, cfg, &r->gateway,
					    &g.primary[0]);
			if (rc < 0)
				return rc;
		}
		rc = ptable_key(&r->prefix, &pfx);
		if (rc < 0)
			return rc;
		rc = group_acquire(fp, &g, false, true, &gid, &sent);
		if (rc < 0)
			return rc;
		e = ptable_put(fp->routes, &pfx, &created);
		if (e == NULL)
			return -ENOMEM;
		if (created) {
			fp->route[fp->n_static].prefix = pfx;
			fp->route[fp->n_static++].group_id = gid;
		} else {
			/* the same prefix twice: the later one wins, as it
			 * did on the data plane when both were sent */
			group_release(fp, e->group_id, true, &sent);
			for (k = 0; k < fp->n_static; k++)
				if (cfg_addr_eq(&fp->route[k].prefix, &pfx) &&
				    fp->route[k].prefix.len == pfx.len)
					fp->route[k].group_id = gid;
			route_digest_flip(fp, &pfx, e->group_id);
		}
		route_digest_flip(fp, &pfx, gid);
		e->group_id = (uint16_t)gid;
		e->flags = FP_ROUTE_STATIC;
	}
	return 0;
}

int fibpush_set_drained(struct fibpush *fp, uint32_t drained)
{
	const struct twp_config *cfg = fp->cfg;
	unsigned int i, k, n = 0;
	int sent = 0, rc;

	if (drained == fp->drained)
		return 0;
	fp->drained = drained;
	for (i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];
		struct fp_route *e;
		struct fp_group g;
		struct cfg_addr pfx;
		uint32_t gid, old;
		bool later = false;

		if (r->n_via == 0 || ptable_key(&r->prefix, &pfx) < 0)
			continue;
		/* the same prefix twice: the later route is the one in use */
		for (k = i + 1; k < cfg->n_routes && !later; k++)
			later = cfg_addr_eq(&cfg->routes[k].prefix, &r->prefix) &&
				cfg->routes[k].prefix.len == r->prefix.len;
		e = ptable_get(fp->routes, &pfx);
		if (later || e == NULL)
			continue;
		group_for_via(cfg, r, drained, &g);
		if (group_base_eq(&fp->grp[e->group_id - 1], &g))
			continue;
		/* make-before-break: the new group, the route onto it, then
		 * the old group goes with its last route. Its id comes from
		 * the BGP pool (freed ids reused), so drains and restores
		 * never run out of the ids the data plane accepts. */
		rc = group_acquire(fp, &g, true, true, &gid, &sent);
		if (rc < 0)
			return rc;
		old = e->group_id;
		route_digest_flip(fp, &pfx, old);
		route_digest_flip(fp, &pfx, gid);
		e->group_id = (uint16_t)gid;
		for (k = 0; k < fp->n_static; k++)
			if (fp->route[k].group_id == old &&
			    cfg_addr_eq(&fp->route[k].prefix, &pfx) &&
			    fp->route[k].prefix.len == pfx.len)
				fp->route[k].group_id = gid;
		sent |= emit_route(fp, CHAN_REC_ROUTE_ADD, &pfx, gid);
		group_release(fp, old, true, &sent);
		n++;
	}
	if (n > 0)
		log_msg("drained links 0x%x: %u static route(s) onto new groups",
			drained, n);
	if (sent < 0)
		return -ENOMEM;
	fibpush_flush(fp);
	return (int)n;
}

void fibpush_free(struct fibpush *fp)
{
	unsigned int i;

	free(fp->outbox);
	fp->outbox = NULL;
	fp->ob_head = fp->ob_len = fp->ob_cap = 0;
	free(fp->nh);
	fp->nh = NULL;
	fp->n_nh = fp->nh_cap = 0;
	for (i = 0; i < CFG_MAX_LINKS; i++) {
		ptable_free(fp->nh_by_gw[i]);
		fp->nh_by_gw[i] = NULL;
	}
	free(fp->grp);
	fp->grp = NULL;
	fp->grp_top = fp->grp_cap = fp->n_grp = 0;
	free(fp->grp_hash);
	fp->grp_hash = NULL;
	fp->free_head = fp->free_len = 0;
	ptable_free(fp->routes);
	fp->routes = NULL;
	free(fp->sync_order);
	fp->sync_order = NULL;
	fp->sync_n = fp->sync_pos = 0;
	fp->n_static = fp->n_bgp = fp->n_shadowed = 0;
}

size_t fibpush_queued(const struct fibpush *fp)
{
	return fp->ob_len + (fp->sync_active ? fp->sync_left + 1 : 0);
}

bool fibpush_all_resolved(const struct fibpush *fp)
{
	unsigned int i;

	for (i = 0; i < fp->n_nh; i++)
		if (!fp->nh[i].resolved)
			return false;
	return true;
}

const struct fp_group *fibpush_group(const struct fibpush *fp, uint32_t id)
{
	return (id >= 1 && id <= fp->grp_top && fp->grp[id - 1].refs > 0) ?
		       &fp->grp[id - 1] : NULL;
}

const struct fp_nexthop *fibpush_nexthop(const struct fibpush *fp,
					 uint32_t id)
{
	return (id >= 1 && id <= fp->n_nh) ? &fp->nh[id - 1] : NULL;
}

size_t fibpush_route_count(const struct fibpush *fp)
{
	return fp->routes != NULL ? ptable_count(fp->routes) : 0;
}

const struct fp_route *fibpush_route(const struct fibpush *fp,
				     const struct cfg_addr *prefix)
{
	return fp->routes != NULL ? ptable_get(fp->routes, prefix) : NULL;
}

/* Cursor: below n_static, a static route's index; from there on, n_static
 * plus the table's own cursor. */
const struct fp_route *fibpush_route_next(const struct fibpush *fp,
					  size_t *cursor,
					  const struct cfg_addr **prefix)
{
	const struct fp_route *r;
	size_t c;

	if (fp->routes == NULL)
		return NULL;
	if (*cursor < fp->n_static) {
		*prefix = &fp->route[*cursor].prefix;
		(*cursor)++;
		return ptable_get(fp->routes, *prefix);
	}
	c = *cursor - fp->n_static;
	while ((r = ptable_next(fp->routes, &c, prefix)) != NULL &&
	       (r->flags & FP_ROUTE_STATIC))
		;
	*cursor = c + fp->n_static;
	return r;
}

int fibpush_full_sync(struct fibpush *fp)
{
	struct chan_rec rec;
	unsigned int i;
	int rc = 0;

	/* A full sync carries the whole state: records still waiting from
	 * before are contained in it, and sending them after a newer
	 * SYNC_BEGIN would only repeat them. */
	if (fp->ob_len > 0 || fp->sync_active)
		log_msg("full sync supersedes %zu waiting records",
			fibpush_queued(fp));
	fp->ob_head = fp->ob_len = 0;
	if (fp->sync_active) {
		struct fp_route *r;
		size_t c = 0;

		/* one mark for all again, so that flipping it below makes
		 * every route unsent */
		while ((r = ptable_next(fp->routes, &c, NULL)) != NULL)
			r->sync_mark = fp->sync_mark;
		fp->sync_active = false;
	}

	fp->generation = fp->chan->hdr->generation + 1;
	__atomic_store_n(&fp->chan->hdr->generation, fp->generation,
			 __ATOMIC_RELEASE);
	memset(&rec, 0, sizeof(rec));
	rec.type = CHAN_REC_SYNC_BEGIN;
	rc |= send_rec(fp, &rec);
	for (i = 0; i < fp->n_nh; i++) {
		nh_rec(&fp->nh[i], &rec);
		rc |= send_rec(fp, &rec);
	}
	for (i = 0; i < fp->grp_top; i++) {
		if (fp->grp[i].refs == 0)
			continue;
		grp_rec(&fp->grp[i], &rec);
		rc |= send_rec(fp, &rec);
	}
	/* static routes in config order, from the outbox (a few thousand
	 * at most); the BGP ones stream from the table */
	for (i = 0; i < fp->n_static; i++) {
		const struct fp_route *r =
			ptable_get(fp->routes, &fp->route[i].prefix);

		route_rec(CHAN_REC_ROUTE_ADD, &fp->route[i].prefix,
			  r->group_id, &rec);
		rc |= send_rec(fp, &rec);
	}
	if (rc < 0)
		return -ENOMEM;
	fp->sync_mark ^= 1u;
	fp->sync_cursor = 0;
	fp->sync_rescan = false;
	sync_order_build(fp);
	fp->sync_left = fp->n_bgp - fp->n_shadowed;
	fp->sync_active = true;
	log_msg("full sync generation %llu: %u nexthops, %u groups, "
		"%zu routes (%zu bgp)", (unsigned long long)fp->generation,
		fp->n_nh, fp->n_grp, fibpush_route_count(fp), fp->sync_left);
	fibpush_flush(fp);
	return 0;
}

int fibpush_send_digest(struct fibpush *fp, uint32_t id)
{
	struct chan_rec rec;

	memset(&rec, 0, sizeof(rec));
	rec.type = CHAN_REC_DIGEST;
	rec.u.id = id;
	/* through the outbox: after every record queued before it */
	if (send_rec(fp, &rec) < 0)
		return -ENOMEM;
	fibpush_flush(fp);
	return 0;
}

int fibpush_set_mac(struct fibpush *fp, unsigned int idx,
		    const uint8_t mac[6])
{
	struct fp_nexthop *nh;
	int rc;

	if (idx >= fp->n_nh)
		return -EINVAL;
	nh = &fp->nh[idx];
	if (nh->resolved && memcmp(nh->mac, mac, 6) == 0)
		return 0;
	nh_digest_flip(fp, nh);
	memcpy(nh->mac, mac, 6);
	nh->resolved = true;
	nh_digest_flip(fp, nh);
	nh->miss_logged = false;
	rc = emit_nh(fp, nh);
	if (rc < 0)
		return rc;
	fibpush_flush(fp);
	return 0;
}

void fibpush_set_nh_cb(struct fibpush *fp, fp_nh_cb cb, void *arg)
{
	fp->nh_cb = cb;
	fp->nh_cb_arg = arg;
}

/* The nexthop for BGP next hop RN: the link's own when it is the link's
 * peer (the common eBGP case, no lookup), else the one made for this
 * address on this link, created on first use. */
static int nh_for_rib(struct fibpush *fp, const struct rib_nh *rn,
		      uint32_t *id, int *sent)
{
	const struct cfg_link *l;
	struct fp_nexthop *nh;
	struct cfg_addr gw;
	uint32_t *v;
	bool created;
	int rc;

	if (rn->link >= fp->cfg->n_links || cfg_family_bits(rn->addr.family) == 0)
		return -EINVAL;
	l = &fp->cfg->links[rn->link];
	if (cfg_addr_eq(&rn->addr, &l->peer_address)) {
		*id = rn->link + 1u;
		return 0;
	}
	gw = rn->addr;
	gw.len = (uint8_t)cfg_family_bits(gw.family);
	if (fp->nh_by_gw[rn->link] == NULL) {
		fp->nh_by_gw[rn->link] = ptable_new(sizeof(uint32_t), 16);
		if (fp->nh_by_gw[rn->link] == NULL)
			return -ENOMEM;
	}
	v = ptable_get(fp->nh_by_gw[rn->link], &gw);
	if (v != NULL) {
		*id = *v;
		return 0;
	}
	if (fp->n_nh + 1 >= FP_NH_ID_MAX) {
		/* ids are kept for good: the episode lasts until restart */
		fp->nh_table_full++;
		if (!fp->nh_nospc_logged)
			log_warn("out of nexthop ids (%u): BGP routes via new "
				 "next hops are not installed (counted: "
				 "nexthop_table_full)", fp->n_nh);
		fp->nh_nospc_logged = true;
		return -ENOSPC;
	}
	v = ptable_put(fp->nh_by_gw[rn->link], &gw, &created);
	if (v == NULL)
		return -ENOMEM;
	nh = nh_append(fp);
	if (nh == NULL) {
		ptable_del(fp->nh_by_gw[rn->link], &gw);
		return -ENOMEM;
	}
	nh->port = rn->link;
	nh->bgp = true;
	snprintf(nh->label, sizeof(nh->label), "%s", l->name);
	snprintf(nh->ifname, sizeof(nh->ifname), "%s", l->interface);
	nh->gateway = gw;
	nh_digest_flip(fp, nh);
	*v = nh->id;
	/* NEXTHOP_SET before the callback: a MAC it learns at once then
	 * follows the unresolved record instead of being overwritten. */
	*sent |= emit_nh(fp, nh);
	if (fp->nh_cb != NULL) {
		rc = fp->nh_cb(fp->nh_cb_arg, nh);
		if (rc < 0) {
			struct chan_rec rec;

			/* undone, so nexthop and neighbour numbering stay
			 * one and the same */
			memset(&rec, 0, sizeof(rec));
			rec.type = CHAN_REC_NEXTHOP_DEL;
			rec.u.id = nh->id;
			*sent |= emit(fp, &rec);
			nh_digest_flip(fp, nh);
			fp->n_nh--;
			ptable_del(fp->nh_by_gw[rn->link], &gw);
			return rc;
		}
	}
	*id = nh->id;
	return 0;
}

static void sort_ids(uint32_t *ids, uint8_t *n)
{
	unsigned int i, j, k = 0;

	/* insertion sort of at most 16, dropping repeats */
	for (i = 0; i < *n; i++) {
		uint32_t x = ids[i];

		for (j = k; j > 0 && ids[j - 1] > x; j--)
			ids[j] = ids[j - 1];
		if (j > 0 && ids[j - 1] == x) {
			memmove(&ids[j], &ids[j + 1], (k - j) * sizeof(*ids));
			continue;
		}
		ids[j] = x;
		k++;
	}
	*n = (uint8_t)k;
}

/* The group for SET: its members as nexthop ids, each list ascending. */
static int group_for_set(struct fibpush *fp, const struct rib_nhset *set,
			 struct fp_group *g, int *sent)
{
	unsigned int i;
	int rc;

	if (set->n_primary > CHAN_GROUP_MAX_MEMBERS ||
	    set->n_backup > CHAN_GROUP_MAX_MEMBERS)
		return -EINVAL;
	memset(g, 0, sizeof(*g));
	for (i = 0; i < set->n_primary; i++) {
		rc = nh_for_rib(fp, &set->primary[i], &g->primary[i], sent);
		if (rc < 0)
			return rc;
	}
	for (i = 0; i < set->n_backup; i++) {
		rc = nh_for_rib(fp, &set->backup[i], &g->backup[i], sent);
		if (rc < 0)
			return rc;
	}
	g->n_primary = set->n_primary;
	g->n_backup = set->n_backup;
	sort_ids(g->primary, &g->n_primary);
	sort_ids(g->backup, &g->n_backup);
	return 0;
}

/* Whether a prefix on group CUR whose decision now gives G's lists can
 * stay: G is CUR's base (excl 0), or CUR's base without the members on
 * some masked links (excl: those links), which is what the data plane
 * holds for CUR, or will once those links are unmasked one by one. */
static bool pic_fits(const struct fibpush *fp, const struct fp_group *cur,
		     const struct fp_group *g, uint16_t *excl)
{
	struct fp_group e;
	uint32_t x;

	if (group_base_eq(cur, g)) {
		*excl = 0;
		return true;
	}
	if (cur->srefs > 0)
		return false;
	x = cur->links & ~(ids_links(fp, g->primary, g->n_primary) |
			   ids_links(fp, g->backup, g->n_backup));
	if (x == 0 || (x & ~fp->masked) != 0 ||
	    !group_base_without(fp, cur, x, &e) || !group_eff_eq(&e, g))
		return false;
	*excl = (uint16_t)x;
	return true;
}

static void route_set_excl(struct fibpush *fp, struct fp_route *r,
			   uint16_t excl)
{
	uint32_t diff = (uint32_t)(r->excl ^ excl);
	unsigned int l;

	for (l = 0; diff != 0; l++, diff >>= 1)
		if (diff & 1u) {
			if (excl >> l & 1u)
				fp->n_excl[l]++;
			else
				fp->n_excl[l]--;
		}
	r->excl = excl;
}

/* At link up: route R (PFX), which no longer has the link's path, onto
 * the group of the set it wants (its group's base without R->excl), make
 * before break. */
static int route_move_wanted(struct fibpush *fp, struct fp_route *r,
			     const struct cfg_addr *pfx, int *sent)
{
	uint32_t old = r->bgp_group_id, gid;
	struct fp_group w;
	int rc;

	memset(&w, 0, sizeof(w));
	if (!group_base_without(fp, &fp->grp[old - 1], r->excl, &w))
		return -EINVAL; /* pic_fits never lets that happen */
	rc = group_acquire(fp, &w, true, false, &gid, sent);
	if (rc < 0)
		return rc;
	r->bgp_group_id = (uint16_t)gid;
	route_set_excl(fp, r, 0);
	if (!(r->flags & FP_ROUTE_STATIC)) {
		route_digest_flip(fp, pfx, r->group_id);
		route_digest_flip(fp, pfx, gid);
		r->group_id = (uint16_t)gid;
		*sent |= emit_route(fp, CHAN_REC_ROUTE_ADD, pfx, gid);
		route_sent(fp, r);
	}
	group_release(fp, old, false, sent);
	return 0;
}

/* Group GID holds static routes and BGP routes, and a link of it is being
 * masked: the static routes (a few) move to a group of their own with
 * GID's lists, make before break (GROUP_SET, ROUTE_ADD each), so that GID
 * can be masked for the BGP routes (up to a full table) in place. */
static int group_split_static(struct fibpush *fp, uint32_t gid, int *sent)
{
	const struct fp_group *g = &fp->grp[gid - 1];
	struct fp_group c;
	uint32_t nid;
	unsigned int k;
	int rc;

	memset(&c, 0, sizeof(c));
	c.n_primary = g->n_base_primary;
	c.n_backup = g->n_base_backup;
	memcpy(c.primary, g->base_primary, sizeof(c.primary));
	memcpy(c.backup, g->base_backup, sizeof(c.backup));
	rc = group_create(fp, &c, true, true, &nid, sent);
	if (rc < 0)
		return rc;
	/* group_create counted one static route: the loop counts them */
	fp->grp[nid - 1].refs = fp->grp[nid - 1].srefs = 0;
	for (k = 0; k < fp->n_static; k++) {
		const struct cfg_addr *pfx = &fp->route[k].prefix;
		struct fp_route *e;

		if (fp->route[k].group_id != gid)
			continue;
		e = ptable_get(fp->routes, pfx);
		route_digest_flip(fp, pfx, gid);
		route_digest_flip(fp, pfx, nid);
		e->group_id = (uint16_t)nid;
		fp->route[k].group_id = nid;
		*sent |= emit_route(fp, CHAN_REC_ROUTE_ADD, pfx, nid);
		fp->grp[nid - 1].refs++;
		fp->grp[nid - 1].srefs++;
		fp->grp[gid - 1].refs--;
		fp->grp[gid - 1].srefs--;
	}
	fp->pic.static_split++;
	return 0;
}

/* Every BGP group with a member on LINK made what the mask gives: how
 * many changed (*EMPTY: how many the mask left without a member). SPLIT
 * (link down): a group static routes share is split first. */
static unsigned int groups_refresh_link(struct fibpush *fp,
					unsigned int link, bool split,
					unsigned int *empty, int *sent)
{
	unsigned int i, n = 0;
	bool e;

	*empty = 0;
	for (i = 0; i < fp->grp_top; i++) {
		struct fp_group *g = &fp->grp[i];

		if (g->refs == 0 || !(g->links >> link & 1u))
			continue;
		if (g->srefs > 0) {
			/* static only, or no id for the split: the BGP
			 * routes on it are re-pointed one by one */
			if (!split || g->refs == g->srefs ||
			    group_split_static(fp, i + 1, sent) < 0 ||
			    fp->grp[i].srefs > 0)
				continue;
			g = &fp->grp[i]; /* the array may have moved */
		}
		if (group_refresh(fp, g, sent, &e))
			n++;
		else if (e)
			(*empty)++;
	}
	return n;
}

int fibpush_link_down(struct fibpush *fp, unsigned int link)
{
	uint64_t t0 = chan_now_ns(), rec0;
	unsigned int n, empty;
	int sent = 0;

	if (fp->cfg == NULL || link >= fp->cfg->n_links)
		return -EINVAL;
	if (fp->masked >> link & 1u)
		return 0;
	fp->masked |= 1u << link;
	fp->cause = FP_CAUSE_LINK_DOWN;
	rec0 = fp->pic.records[FP_CAUSE_LINK_DOWN];
	n = groups_refresh_link(fp, link, true, &empty, &sent);
	fp->cause = FP_CAUSE_OTHER;
	fp->pic.link_down++;
	fp->pic.groups_down += n;
	fp->pic.groups_empty += empty;
	fp->pic.last_down_ns = chan_now_ns() - t0;
	log_msg("link %s down: %u group(s) rewritten in place, %u left with "
		"no member (kept until their routes go), %llu record(s), "
		"%.3f ms", fp->cfg->links[link].name, n, empty,
		(unsigned long long)(fp->pic.records[FP_CAUSE_LINK_DOWN] -
				     rec0),
		fp->pic.last_down_ns / 1e6);
	fibpush_flush(fp);
	return sent < 0 ? -ENOMEM : (int)n;
}

int fibpush_link_up(struct fibpush *fp, unsigned int link)
{
	uint64_t t0 = chan_now_ns(), rec0, moved = 0, failed = 0;
	uint32_t bit = 1u << link;
	unsigned int n, empty;
	int sent = 0;

	if (fp->cfg == NULL || link >= fp->cfg->n_links)
		return -EINVAL;
	if (!(fp->masked & bit))
		return 0;
	fp->masked &= ~bit;
	fp->cause = FP_CAUSE_LINK_UP;
	rec0 = fp->pic.records[FP_CAUSE_LINK_UP];
	/* first the prefixes the peer did not announce again, onto groups
	 * without the link, so that none of them ever points at it; a
	 * table walk only when there are some */
	if (fp->n_excl[link] > 0) {
		const struct cfg_addr *pfx;
		struct fp_route *r;
		size_t c = 0;

		while ((r = ptable_next(fp->routes, &c, &pfx)) != NULL) {
			if (!(r->excl & bit))
				continue;
			if (route_move_wanted(fp, r, pfx, &sent) == 0) {
				moved++;
				continue;
			}
			/* left where it is, on the link again: counted,
			 * and no longer waiting for anything */
			route_set_excl(fp, r, 0);
			failed++;
		}
	}
	n = groups_refresh_link(fp, link, false, &empty, &sent);
	fp->cause = FP_CAUSE_OTHER;
	fp->pic.link_up++;
	fp->pic.groups_up += n;
	fp->pic.routes_moved += moved;
	fp->pic.move_failed += failed;
	fp->pic.last_up_ns = chan_now_ns() - t0;
	log_msg("link %s up: %llu route(s) not announced again moved%s, %u "
		"group(s) rewritten in place, %llu record(s), %.3f ms",
		fp->cfg->links[link].name, (unsigned long long)moved,
		failed ? " (some left in place: out of group ids)" : "", n,
		(unsigned long long)(fp->pic.records[FP_CAUSE_LINK_UP] - rec0),
		fp->pic.last_up_ns / 1e6);
	fibpush_flush(fp);
	return sent < 0 ? -ENOMEM : (int)n;
}

void fibpush_prefetch(const struct fibpush *fp, const struct cfg_addr *prefix)
{
	if (fp->routes != NULL)
		ptable_prefetch(fp->routes, prefix);
}

int fibpush_bgp_route(struct fibpush *fp, const struct cfg_addr *prefix,
		      const struct rib_nhset *set)
{
	struct cfg_addr pfx;
	struct fp_route *r;
	struct fp_group g;
	uint32_t gid = 0, old;
	bool created = false;
	uint16_t excl;
	int sent = 0, rc;

	rc = ptable_key(prefix, &pfx);
	if (rc < 0)
		return rc;
	fp->cause = FP_CAUSE_ROUTE;
	if (set != NULL && set->n_primary + set->n_backup > 0) {
		rc = group_for_set(fp, set, &g, &sent);
		if (rc < 0)
			goto out;
		/* the normal way of a path lost or back on a masked link:
		 * the group in place already is (or will be, at the link's
		 * End-of-RIB) what the prefix wants */
		r = ptable_get(fp->routes, &pfx);
		if (r != NULL && r->bgp_group_id != 0 &&
		    pic_fits(fp, &fp->grp[r->bgp_group_id - 1], &g, &excl)) {
			if (excl != r->excl) {
				route_set_excl(fp, r, excl);
				fp->pic.routes_kept++;
			}
			goto out;
		}
		rc = group_acquire(fp, &g, true, false, &gid, &sent);
		if (rc < 0)
			goto out;
		r = ptable_put(fp->routes, &pfx, &created);
		if (r == NULL) {
			group_release(fp, gid, false, &sent);
			rc = -ENOMEM;
			goto out;
		}
		if (created) {
			r->sync_mark = fp->sync_mark; /* its ROUTE_ADD follows */
			if (fp->sync_active)
				fp->sync_rescan = true;
		}
	} else {
		r = ptable_get(fp->routes, &pfx);
		if (r == NULL)
			goto out; /* BGP never had it */
	}
	old = r->bgp_group_id;
	if (old == gid) {
		/* same set again (a path changed, not its nexthops) */
		if (gid != 0)
			group_release(fp, gid, false, &sent);
		goto out;
	}
	route_set_excl(fp, r, 0); /* on a group of its own set now */
	if (old == 0) {
		fp->n_bgp++;
		if (r->flags & FP_ROUTE_STATIC)
			fp->n_shadowed++;
	} else if (gid == 0) {
		fp->n_bgp--;
		if (r->flags & FP_ROUTE_STATIC)
			fp->n_shadowed--;
	}
	r->bgp_group_id = (uint16_t)gid;
	if (r->flags & FP_ROUTE_STATIC) {
		r->flags = gid ? FP_ROUTE_STATIC | FP_ROUTE_BGP :
				 FP_ROUTE_STATIC;
	} else if (gid != 0) {
		r->flags = FP_ROUTE_BGP;
		route_digest_flip(fp, &pfx, r->group_id);
		route_digest_flip(fp, &pfx, gid);
		r->group_id = (uint16_t)gid;
		sent |= emit_route(fp, CHAN_REC_ROUTE_ADD, &pfx, gid);
		route_sent(fp, r);
	} else {
		sent |= emit_route(fp, CHAN_REC_ROUTE_DEL, &pfx, 0);
		route_digest_flip(fp, &pfx, r->group_id);
		route_sent(fp, r); /* nothing left to send for it */
		ptable_del(fp->routes, &pfx);
		if (fp->sync_active)
			fp->sync_rescan = true;
	}
	/* after the route moved off it: GROUP_DEL comes last */
	if (old != 0)
		group_release(fp, old, false, &sent);
out:
	fp->cause = FP_CAUSE_OTHER;
	/* Only when all the outbox fits: with the ring full, every call
	 * would count a refusal; twinpathd's tick flushes the rest. A full
	 * sync under way streams on here too. */
	if ((fp->ob_len > 0 || fp->sync_active) &&
	    chan_send_space(fp->chan) >= fp->ob_len)
		fibpush_flush(fp);
	if (rc == 0 && sent < 0)
		rc = -ENOMEM; /* the table changed; a full sync repairs */
	return rc;
}
