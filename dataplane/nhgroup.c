/* Nexthop and nexthop-group tables (see nhgroup.h): the control-path side,
 * run on the main lcore. Objects are never modified once published. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nhgroup.h"

void nhg_table_init(struct nhg_table *t, uint16_t n_ports,
		    void (*retire)(void *ctx, void *obj), void *retire_ctx)
{
	memset(t, 0, sizeof(*t));
	t->n_ports = n_ports;
	t->retire = retire;
	t->retire_ctx = retire_ctx;
}

/* Only when no reader is left. */
void nhg_table_free(struct nhg_table *t)
{
	unsigned int i;

	for (i = 0; i < NH_MAX; i++) {
		free(t->nh[i]);
		t->nh[i] = NULL;
	}
	for (i = 0; i < NHG_MAX; i++) {
		free(t->grp[i]);
		t->grp[i] = NULL;
	}
	t->n_nexthops = t->n_groups = 0;
}

static void publish(struct nhg_table *t, void **slot, void *obj,
		    uint32_t *count)
{
	void *old = __atomic_exchange_n(slot, obj, __ATOMIC_ACQ_REL);

	if (old == NULL && obj != NULL)
		(*count)++;
	else if (old != NULL && obj == NULL)
		(*count)--;
	if (old != NULL)
		t->retire(t->retire_ctx, old);
}

int nhg_nexthop_set(struct nhg_table *t, const struct chan_nexthop *in,
		    uint64_t generation)
{
	struct nexthop *nh;

	if (in->id == 0 || in->id >= NH_MAX || in->port >= t->n_ports)
		return -EINVAL;
	nh = calloc(1, sizeof(*nh));
	if (nh == NULL)
		return -ENOMEM;
	nh->generation = generation;
	nh->id = in->id;
	nh->port = in->port;
	nh->family = in->family;
	nh->resolved = (in->flags & CHAN_NH_F_RESOLVED) != 0;
	memcpy(nh->gateway, in->gateway, sizeof(nh->gateway));
	memcpy(nh->mac.addr_bytes, in->mac, RTE_ETHER_ADDR_LEN);
	publish(t, (void **)&t->nh[in->id], nh, &t->n_nexthops);
	return 0;
}

static int unpublish(struct nhg_table *t, void **slot, uint32_t *count)
{
	if (*slot == NULL)
		return -ENOENT;
	publish(t, slot, NULL, count);
	return 0;
}

int nhg_nexthop_del(struct nhg_table *t, uint32_t id)
{
	if (id == 0 || id >= NH_MAX)
		return -EINVAL;
	return unpublish(t, (void **)&t->nh[id], &t->n_nexthops);
}

/* Round-robin: member i owns buckets i, i + n, i + 2n, ... */
static void fill_buckets(uint8_t *buckets, uint8_t n)
{
	unsigned int b;

	for (b = 0; b < NHG_BUCKETS; b++)
		buckets[b] = n != 0 ? (uint8_t)(b % n) : 0;
}

int nhg_group_set(struct nhg_table *t, const struct chan_group *in,
		  uint64_t generation)
{
	struct nhgroup *g;
	unsigned int i;

	if (in->id == 0 || in->id >= NHG_MAX ||
	    in->n_primary > CHAN_GROUP_MAX_MEMBERS ||
	    in->n_backup > CHAN_GROUP_MAX_MEMBERS)
		return -EINVAL;
	for (i = 0; i < in->n_primary; i++)
		if (in->primary[i] == 0 || in->primary[i] >= NH_MAX)
			return -EINVAL;
	for (i = 0; i < in->n_backup; i++)
		if (in->backup[i] == 0 || in->backup[i] >= NH_MAX)
			return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->generation = generation;
	g->id = in->id;
	g->n_primary = in->n_primary;
	g->n_backup = in->n_backup;
	memcpy(g->primary, in->primary, sizeof(g->primary));
	memcpy(g->backup, in->backup, sizeof(g->backup));
	fill_buckets(g->bucket, g->n_primary);
	fill_buckets(g->backup_bucket, g->n_backup);
	publish(t, (void **)&t->grp[in->id], g, &t->n_groups);
	return 0;
}

int nhg_group_del(struct nhg_table *t, uint32_t id)
{
	if (id == 0 || id >= NHG_MAX)
		return -EINVAL;
	return unpublish(t, (void **)&t->grp[id], &t->n_groups);
}

void nhg_sweep(struct nhg_table *t, uint64_t generation)
{
	unsigned int i;

	/* Groups first: they name nexthops. */
	for (i = 1; i < NHG_MAX; i++)
		if (t->grp[i] != NULL && t->grp[i]->generation < generation)
			publish(t, (void **)&t->grp[i], NULL, &t->n_groups);
	for (i = 1; i < NH_MAX; i++)
		if (t->nh[i] != NULL && t->nh[i]->generation < generation)
			publish(t, (void **)&t->nh[i], NULL, &t->n_nexthops);
}
