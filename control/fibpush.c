/* FIB model and push. Nexthop ids: link i is i + 1 (port i); each distinct
 * LAN gateway follows (port = the LAN port). Group ids in order of first
 * use: one per distinct via set, one per LAN gateway. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fibpush.h"
#include "log.h"

static uint32_t nh_for_gateway(struct fibpush *fp,
			       const struct twp_config *cfg,
			       const struct cfg_addr *gw)
{
	struct fp_nexthop *nh;
	unsigned int i;

	for (i = cfg->n_links; i < fp->n_nh; i++)
		if (fp->nh[i].gateway.family == gw->family &&
		    memcmp(fp->nh[i].gateway.addr, gw->addr, 16) == 0)
			return fp->nh[i].id;
	nh = &fp->nh[fp->n_nh++];
	nh->id = fp->n_nh;
	nh->port = (uint16_t)cfg_lan_port(cfg);
	snprintf(nh->label, sizeof(nh->label), "lan");
	snprintf(nh->ifname, sizeof(nh->ifname), "%s", cfg->lan.interface);
	nh->gateway = *gw;
	return nh->id;
}

static uint32_t group_intern(struct fibpush *fp, const struct fp_group *g)
{
	unsigned int i;

	for (i = 0; i < fp->n_grp; i++) {
		const struct fp_group *o = &fp->grp[i];

		if (o->n_primary == g->n_primary &&
		    o->n_backup == g->n_backup &&
		    memcmp(o->primary, g->primary,
			   g->n_primary * sizeof(g->primary[0])) == 0 &&
		    memcmp(o->backup, g->backup,
			   g->n_backup * sizeof(g->backup[0])) == 0)
			return o->id;
	}
	fp->grp[fp->n_grp] = *g;
	fp->grp[fp->n_grp].id = fp->n_grp + 1;
	return ++fp->n_grp;
}

/* Active-active: every via link is primary (ECMP). Active-standby: the via
 * links with the highest local_pref are primary, those of the next tier
 * are the precomputed backup; lower tiers are not used. */
static void group_for_via(const struct twp_config *cfg,
			  const struct cfg_route *r, struct fp_group *g)
{
	uint32_t best = 0, next = 0;
	bool have_next = false;
	unsigned int i;

	memset(g, 0, sizeof(*g));
	if (cfg->mode == CFG_MODE_ACTIVE_ACTIVE) {
		/* link-index order, so one set of links is one group */
		for (i = 0; i < cfg->n_links; i++)
			for (unsigned int k = 0; k < r->n_via; k++)
				if (r->via[k] == i)
					g->primary[g->n_primary++] = i + 1;
		return;
	}
	for (i = 0; i < r->n_via; i++)
		if (cfg->links[r->via[i]].local_pref > best)
			best = cfg->links[r->via[i]].local_pref;
	for (i = 0; i < r->n_via; i++) {
		uint32_t lp = cfg->links[r->via[i]].local_pref;

		if (lp < best && (!have_next || lp > next)) {
			next = lp;
			have_next = true;
		}
	}
	for (i = 0; i < cfg->n_links; i++) {
		for (unsigned int k = 0; k < r->n_via; k++) {
			uint32_t lp = cfg->links[i].local_pref;

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
	unsigned int i;

	memset(fp, 0, sizeof(*fp));
	fp->chan = chan;
	for (i = 0; i < cfg->n_links; i++) {
		struct fp_nexthop *nh = &fp->nh[fp->n_nh++];

		nh->id = i + 1;
		nh->port = (uint16_t)i;
		snprintf(nh->label, sizeof(nh->label), "%s",
			 cfg->links[i].name);
		snprintf(nh->ifname, sizeof(nh->ifname), "%s",
			 cfg->links[i].interface);
		nh->gateway = cfg->links[i].peer_address;
	}
	for (i = 0; i < cfg->n_routes; i++) {
		const struct cfg_route *r = &cfg->routes[i];
		struct fp_group g;

		if (r->n_via > 0) {
			group_for_via(cfg, r, &g);
		} else {
			memset(&g, 0, sizeof(g));
			g.primary[g.n_primary++] =
				nh_for_gateway(fp, cfg, &r->gateway);
		}
		fp->route[i].prefix = r->prefix;
		fp->route[i].group_id = group_intern(fp, &g);
	}
	fp->n_route = cfg->n_routes;
	return 0;
}

void fibpush_free(struct fibpush *fp)
{
	free(fp->outbox);
	fp->outbox = NULL;
	fp->ob_head = fp->ob_len = fp->ob_cap = 0;
}

size_t fibpush_queued(const struct fibpush *fp)
{
	return fp->ob_len;
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
	return (id >= 1 && id <= fp->n_grp) ? &fp->grp[id - 1] : NULL;
}

const struct fp_nexthop *fibpush_nexthop(const struct fibpush *fp,
					 uint32_t id)
{
	return (id >= 1 && id <= fp->n_nh) ? &fp->nh[id - 1] : NULL;
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

int fibpush_flush(struct fibpush *fp)
{
	while (fp->ob_len > 0) {
		struct chan_rec *rec = &fp->outbox[fp->ob_head];

		if (chan_send(fp->chan, rec) == -ENOBUFS) {
			if (!fp->ob_full_episode)
				log_msg("channel full: %zu records waiting",
					fp->ob_len);
			fp->ob_full_episode = true;
			return -ENOBUFS;
		}
		fp->ob_head = (fp->ob_head + 1) % fp->ob_cap;
		fp->ob_len--;
	}
	if (fp->ob_full_episode)
		log_msg("channel drained: every waiting record sent");
	fp->ob_full_episode = false;
	return 0;
}

/* Records go through the outbox so their order is kept even while some
 * older ones still wait for room. */
static int send_rec(struct fibpush *fp, struct chan_rec *rec)
{
	int rc;

	rec->generation = fp->generation;
	rc = outbox_push(fp, rec);
	if (rc < 0)
		return rc;
	return 0;
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

int fibpush_full_sync(struct fibpush *fp)
{
	struct chan_rec rec;
	unsigned int i;
	int rc = 0;

	/* A full sync carries the whole state: records still waiting from
	 * before are contained in it, and sending them after a newer
	 * SYNC_BEGIN would only repeat them. */
	if (fp->ob_len > 0)
		log_msg("full sync supersedes %zu waiting records",
			fp->ob_len);
	fp->ob_head = fp->ob_len = 0;

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
	for (i = 0; i < fp->n_grp; i++) {
		const struct fp_group *g = &fp->grp[i];

		memset(&rec, 0, sizeof(rec));
		rec.type = CHAN_REC_GROUP_SET;
		rec.u.grp.id = g->id;
		rec.u.grp.n_primary = g->n_primary;
		rec.u.grp.n_backup = g->n_backup;
		memcpy(rec.u.grp.primary, g->primary, sizeof(g->primary));
		memcpy(rec.u.grp.backup, g->backup, sizeof(g->backup));
		rc |= send_rec(fp, &rec);
	}
	for (i = 0; i < fp->n_route; i++) {
		memset(&rec, 0, sizeof(rec));
		rec.type = CHAN_REC_ROUTE_ADD;
		rec.u.route.family = fp->route[i].prefix.family;
		rec.u.route.len = fp->route[i].prefix.len;
		rec.u.route.group_id = fp->route[i].group_id;
		memcpy(rec.u.route.prefix, fp->route[i].prefix.addr, 16);
		rc |= send_rec(fp, &rec);
	}
	memset(&rec, 0, sizeof(rec));
	rec.type = CHAN_REC_SYNC_END;
	rc |= send_rec(fp, &rec);
	if (rc < 0)
		return -ENOMEM;
	log_msg("full sync generation %llu: %u nexthops, %u groups, "
		"%u routes", (unsigned long long)fp->generation, fp->n_nh,
		fp->n_grp, fp->n_route);
	fibpush_flush(fp);
	return 0;
}

int fibpush_set_mac(struct fibpush *fp, unsigned int idx,
		    const uint8_t mac[6])
{
	struct fp_nexthop *nh;
	struct chan_rec rec;
	int rc;

	if (idx >= fp->n_nh)
		return -EINVAL;
	nh = &fp->nh[idx];
	if (nh->resolved && memcmp(nh->mac, mac, 6) == 0)
		return 0;
	memcpy(nh->mac, mac, 6);
	nh->resolved = true;
	nh->miss_logged = false;
	if (fp->generation == 0)
		return 0; /* not synced yet: the full sync will carry it */
	nh_rec(nh, &rec);
	rc = send_rec(fp, &rec);
	if (rc < 0)
		return rc;
	fibpush_flush(fp);
	return 0;
}
