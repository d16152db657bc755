/* Sampled flows for link suspicion (see susflow.h): the main lcore's
 * scan (the forwarding lcore's note is inline in susflow.h). */
#include <string.h>

#include "susflow.h"

/* Flows of one link and the distinct remote addresses among them (a few
 * are enough: suspect.c asks for two). */
struct tally {
	uint32_t flows;
	uint32_t n_remotes;
	uint64_t remote[4];
};

static void tally_add(struct tally *t, uint64_t remote)
{
	uint32_t i;

	t->flows++;
	for (i = 0; i < t->n_remotes; i++)
		if (t->remote[i] == remote)
			return;
	if (t->n_remotes < 4)
		t->remote[t->n_remotes++] = remote;
}

static uint64_t age(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* Entry B (another lcore's view of the same flow) into A: the latest
 * packet each way. A flow's answer noted on one lcore cannot end the
 * wait noted on another, so a wait older than the latest answer there
 * is taken from the latest packet out instead (it errs towards
 * "answered"). */
static void merge(struct susflow_entry *a, const struct susflow_entry *b)
{
	if (b->out_tsc > a->out_tsc) {
		a->out_tsc = b->out_tsc;
		a->link = b->link;
		a->remote = b->remote;
		a->pending_tsc = b->pending_tsc;
	}
	if (b->in_tsc > a->in_tsc)
		a->in_tsc = b->in_tsc;
	if (a->pending_tsc != 0 && a->pending_tsc < a->in_tsc)
		a->pending_tsc = a->out_tsc > a->in_tsc ? a->out_tsc : 0;
	a->twoway |= b->twoway | (a->in_tsc != 0 && a->out_tsc != 0);
	if (b->srtt_tsc > a->srtt_tsc)
		a->srtt_tsc = b->srtt_tsc;
	if (b->distress_tsc > a->distress_tsc)
		a->distress_tsc = b->distress_tsc;
}

void susflow_scan(struct susflow_table *const *tables, unsigned int n,
		  uint64_t now_tsc, uint64_t tsc_hz, struct suspect_obs *obs,
		  unsigned int n_links)
{
	struct tally un[SUSPECT_MAX_LINKS], di[SUSPECT_MAX_LINKS];
	const uint64_t active = tsc_hz / 1000 * (SUSFLOW_ACTIVE_NS / 1000000);
	const uint64_t distress = tsc_hz / 1000 *
				  (SUSFLOW_DISTRESS_NS / 1000000);
	const uint64_t bound_min = tsc_hz / 1000 *
				   (SUSFLOW_UNANSWERED_MIN_NS / 1000000);
	struct susflow_entry f[8];
	unsigned int s, i, j, k, m, l;

	memset(un, 0, sizeof(un));
	memset(di, 0, sizeof(di));
	if (n > 8)
		n = 8;
	for (s = 0; s < SUSFLOW_SLOTS; s++) {
		/* this slot's flows over every lcore, merged by key */
		for (m = 0, i = 0; i < n; i++) {
			struct susflow_entry e = tables[i]->e[s];

			if (e.addrs == 0)
				continue;
			for (k = 0; k < m; k++)
				if (f[k].addrs == e.addrs &&
				    f[k].ports == e.ports &&
				    f[k].proto == e.proto && f[k].v6 == e.v6)
					break;
			if (k < m)
				merge(&f[k], &e);
			else
				f[m++] = e;
		}
		for (j = 0; j < m; j++) {
			const struct susflow_entry *e = &f[j];
			uint64_t bound = e->srtt_tsc * SUSFLOW_RTT_MULT;

			l = e->link;
			if (l >= n_links || age(now_tsc, e->out_tsc) > active)
				continue;
			if (bound < bound_min)
				bound = bound_min;
			if (e->twoway && e->pending_tsc != 0 &&
			    age(now_tsc, e->in_tsc) <= active &&
			    age(now_tsc, e->pending_tsc) > bound)
				tally_add(&un[l], e->remote);
			if (e->distress_tsc != 0 &&
			    age(now_tsc, e->distress_tsc) <= distress)
				tally_add(&di[l], e->remote);
		}
	}
	for (l = 0; l < n_links && l < SUSPECT_MAX_LINKS; l++) {
		obs[l].unanswered = un[l].flows;
		obs[l].unanswered_remotes = un[l].n_remotes;
		obs[l].distress = di[l].flows;
		obs[l].distress_remotes = di[l].n_remotes;
	}
}
