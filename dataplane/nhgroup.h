/* Nexthops and nexthop groups of twinpath-dp, and the selection of a live
 * member for a flow. Written on the main lcore, read by the forwarding
 * lcores: entries are replaced whole (new object, pointer swap) and the old
 * one is handed to a retire callback that frees it after the readers'
 * grace period (rte_rcu_qsbr in twinpath-dp, immediately in unit tests).
 * No EAL needed. */
#ifndef TWP_NHGROUP_H
#define TWP_NHGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "channel.h"
#include "config.h"

#define NH_MAX 4096u          /* nexthop ids 1..NH_MAX-1 */
#define NHG_MAX 4096u         /* group ids 1..NHG_MAX-1 */
#define NHG_BUCKETS 256u      /* power of two: bucket = hash & mask */
#define NHG_BUCKET_MASK (NHG_BUCKETS - 1)
#define NH_PORT_MAX (CFG_MAX_LINKS + 1) /* links, then the LAN port */

struct nexthop {
	uint64_t generation;
	uint32_t id;
	uint16_t port;      /* twinpath port index */
	uint8_t family;
	bool resolved;      /* mac is the gateway's */
	uint8_t gateway[16];
	struct rte_ether_addr mac;
};

struct nhgroup {
	uint64_t generation;
	uint32_t id;
	uint8_t n_primary;
	uint8_t n_backup;
	uint32_t primary[CHAN_GROUP_MAX_MEMBERS]; /* nexthop ids */
	uint32_t backup[CHAN_GROUP_MAX_MEMBERS];
	/* Bucket -> index into primary[] / backup[]. Filled round-robin for
	 * now; a resilient fill only changes how these are computed. */
	uint8_t bucket[NHG_BUCKETS];
	uint8_t backup_bucket[NHG_BUCKETS];
};

struct nhg_table {
	struct nexthop *nh[NH_MAX];
	struct nhgroup *grp[NHG_MAX];
	/* Written by the main lcore's link poll, read once per burst. */
	volatile uint8_t link_up[NH_PORT_MAX];
	/* Set by the operator (telemetry); 0, the default, is admin up. */
	volatile uint8_t admin_down[NH_PORT_MAX];
	/* Ports (bit = port index) that are live only while their bit in
	 * the health map's live_mask is set: links with BFD configured,
	 * and only when the health map exists. Set once before forwarding. */
	uint32_t bfd_ports;
	uint16_t n_ports;
	uint32_t n_nexthops;
	uint32_t n_groups;
	/* Called with an object no longer reachable from the table. */
	void (*retire)(void *ctx, void *obj);
	void *retire_ctx;
};

enum nhg_result {
	NHG_OK = 0,
	NHG_NO_LIVE,    /* no member's port is up */
	NHG_UNRESOLVED, /* members on live ports, but no MAC known */
};

/* Control path: 0 or -errno (-EINVAL for bad ids/ports, -ENOMEM). */
void nhg_table_init(struct nhg_table *t, uint16_t n_ports,
		    void (*retire)(void *ctx, void *obj), void *retire_ctx);
void nhg_table_free(struct nhg_table *t);
int nhg_nexthop_set(struct nhg_table *t, const struct chan_nexthop *nh,
		    uint64_t generation);
int nhg_nexthop_del(struct nhg_table *t, uint32_t id);
int nhg_group_set(struct nhg_table *t, const struct chan_group *g,
		  uint64_t generation);
int nhg_group_del(struct nhg_table *t, uint32_t id);
/* Removes nexthops and groups stamped with a generation below GEN. */
void nhg_sweep(struct nhg_table *t, uint64_t generation);

/* Fast path, once per burst: the ports a member may use, one bit per
 * port index. A port is live when its link is up, it is admin up, and,
 * for a port in bfd_ports, its BFD session is live (BFD_LIVE, the health
 * map's live_mask: bit i is link i, the same numbering as ports). */
static inline uint32_t nhg_live_ports(const struct nhg_table *t,
				      uint64_t bfd_live)
{
	uint32_t live = 0;
	unsigned int p;

	for (p = 0; p < t->n_ports; p++)
		live |= (uint32_t)(t->link_up[p] & !t->admin_down[p]) << p;
	return live & (~t->bfd_ports | (uint32_t)bfd_live);
}

/* A member is live when its nexthop exists and is resolved and its port
 * is in LIVE (nhg_live_ports). */
static inline const struct nexthop *
nhg_member_live(const struct nhg_table *t, uint32_t nh_id, uint32_t live,
		uint32_t *unresolved)
{
	const struct nexthop *nh =
		__atomic_load_n(&t->nh[nh_id], __ATOMIC_ACQUIRE);

	if (nh == NULL || !((live >> nh->port) & 1u))
		return NULL;
	if (!nh->resolved) {
		*unresolved = nh_id;
		return NULL;
	}
	return nh;
}

/* Bucket HASH's member if live, else the next live member in bucket
 * order; NULL when no member is live. */
static inline const struct nexthop *
nhg_pick(const struct nhg_table *t, const uint32_t *members, uint8_t n,
	 const uint8_t *buckets, uint32_t hash, uint32_t live,
	 uint32_t *unresolved)
{
	const struct nexthop *nh_live[CHAN_GROUP_MAX_MEMBERS];
	bool any = false;
	uint32_t b;
	unsigned int i;

	for (i = 0; i < n; i++) {
		nh_live[i] = nhg_member_live(t, members[i], live, unresolved);
		any |= nh_live[i] != NULL;
	}
	if (!any)
		return NULL;
	/* Every member owns at least NHG_BUCKETS / CHAN_GROUP_MAX_MEMBERS
	 * buckets: this finds a live one within NHG_BUCKETS steps. */
	for (b = hash; ; b++) {
		i = buckets[b & NHG_BUCKET_MASK];
		if (nh_live[i] != NULL)
			return nh_live[i];
	}
}

/* The member for HASH (see nhg_pick) among ports LIVE, the backup set's
 * when no primary is live. On NHG_UNRESOLVED, *UNRESOLVED names a member
 * whose MAC is missing, for CHAN_EV_NEIGH_MISS. */
static inline const struct nexthop *
nhg_select_live(const struct nhg_table *t, const struct nhgroup *g,
		uint32_t hash, uint32_t live, enum nhg_result *res,
		uint32_t *unresolved)
{
	const struct nexthop *nh;

	*unresolved = 0;
	nh = nhg_pick(t, g->primary, g->n_primary, g->bucket, hash, live,
		      unresolved);
	if (nh == NULL)
		nh = nhg_pick(t, g->backup, g->n_backup, g->backup_bucket,
			      hash, live, unresolved);
	if (nh == NULL)
		*res = *unresolved != 0 ? NHG_UNRESOLVED : NHG_NO_LIVE;
	else
		*res = NHG_OK;
	return nh;
}

/* nhg_select_live over the ports live by link and admin state alone (no
 * BFD verdict): for callers outside the burst loop. */
static inline const struct nexthop *
nhg_select_why(const struct nhg_table *t, const struct nhgroup *g,
	       uint32_t hash, enum nhg_result *res, uint32_t *unresolved)
{
	return nhg_select_live(t, g, hash, nhg_live_ports(t, UINT64_MAX), res,
			       unresolved);
}

static inline const struct nexthop *
nhg_select(const struct nhg_table *t, const struct nhgroup *g, uint32_t hash,
	   enum nhg_result *res)
{
	uint32_t unresolved;

	return nhg_select_why(t, g, hash, res, &unresolved);
}

#endif
