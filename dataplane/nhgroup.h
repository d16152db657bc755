/* Nexthops and nexthop groups of twinpath-dp, and the selection of a live
 * member for a flow. Written on the main lcore, read by the forwarding
 * lcores: entries are replaced whole (new object, pointer swap) and the old
 * one is handed to a retire callback that frees it after the readers'
 * grace period (rte_rcu_qsbr in twinpath-dp, immediately in unit tests).
 * No EAL needed.
 *
 * Resilient buckets (BGP PIC edge). A group's primary and backup sets each
 * have NHG_BUCKETS buckets; the flow hash picks one. Every bucket has a
 * fixed failover order: its home member first, then every other member of
 * the set once. A flow goes to the first member of its bucket's order that
 * is live in this burst's live-port word. Both the home table and the
 * orders are computed on the main lcore when the group is set, never when
 * liveness changes, so:
 *  - a change of the live word needs no rebuild, no RCU round and no
 *    coordination between forwarding lcores: the next burst avoids a dead
 *    link, and every lcore makes the same choice;
 *  - when a member dies only the buckets whose first live member it was
 *    move (flows on surviving members keep their member); when it returns
 *    the live set, and so every bucket, is again what it was before;
 *  - a bucket whose home is live costs one member check, as before; only
 *    a bucket whose home is dead walks its order (one check per dead
 *    member ahead of the first live one, at most the set's size).
 * The orders are built greedily, level by level: the k-th entry of a
 * bucket only matters when its first k members are all dead, so it goes
 * to the member with the fewest buckets for exactly that dead set. One
 * dead member's buckets are therefore spread so that the survivors' bucket
 * counts differ by at most one (any group size); for 16 members, any two
 * dead: at most one, any three: at most three (tests/unit/test_nhgroup.c).
 * Entries past the 4th only rotate: the build stays well under a
 * millisecond for 16 + 16 members.
 * The alternative, rebuilding an active table per live word on the main
 * lcore and publishing it with RCU, needs a deterministic stand-in during
 * the rebuild anyway and moves a dead member's flows twice; here the
 * stand-in is the answer.
 * When no primary member is live the backup set is walked the same way;
 * none live: NULL (the caller drops and counts no_live_nexthop).
 * GROUP_SET is minimally disruptive: the home table is derived from the
 * previous one, members kept (same nexthop id) keep their home buckets,
 * a removed member's buckets go to new members, and kept members give up
 * only what balance needs when members are added.
 *
 * The common case in one load. Each group also carries, per bucket, its
 * home primary member's L2 (struct nhg_l2: both MACs in wire order, out
 * port, usable flag), precomputed like l3fwd's per-port Ethernet header:
 * when that member is usable and its port live, the packet needs nothing
 * but that entry (nhg_l2_home); anything else walks the failover order
 * above through the nexthops themselves (nhg_select_l2). The entries copy
 * nexthop and port state, so whatever changes it republishes the groups
 * concerned as new objects (a changed MAC, port or resolution of a
 * primary member, its deletion or sweep, a port's MAC): the next burst
 * sees the change, and nothing published is ever written. */
#ifndef TWP_NHGROUP_H
#define TWP_NHGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "channel.h"
#include "config.h"
#include "fibdigest.h"

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

/* A member's L2 as the fast path uses it. The first 12 bytes are the
 * Ethernet header's destination and source, in wire order: the rewrite is
 * one copy. */
struct nhg_l2 {
	struct rte_ether_addr dst;  /* the nexthop's MAC */
	struct rte_ether_addr src;  /* the out port's */
	uint8_t port;               /* twinpath port index, < NH_PORT_MAX */
	uint8_t usable;             /* 1: the nexthop exists and is resolved */
	uint16_t nh_id;             /* the nexthop, < NH_MAX */
} __rte_aligned(16);

struct nhgroup {
	/* Bucket -> its home primary member's L2 (usable 0 without one). */
	struct nhg_l2 l2[NHG_BUCKETS];
	uint64_t generation;
	uint32_t id;
	uint8_t n_primary;
	uint8_t n_backup;
	uint32_t primary[CHAN_GROUP_MAX_MEMBERS]; /* nexthop ids */
	uint32_t backup[CHAN_GROUP_MAX_MEMBERS];
	/* Bucket -> index into primary[] / backup[] of its home member:
	 * round-robin for a new group, derived from the previous table on
	 * GROUP_SET (see the top of this file). */
	uint8_t bucket[NHG_BUCKETS];
	uint8_t backup_bucket[NHG_BUCKETS];
	/* Bucket -> the other members' indexes, in failover order after the
	 * home member; entries past n_primary - 1 / n_backup - 1 unused. */
	uint8_t order[NHG_BUCKETS][CHAN_GROUP_MAX_MEMBERS - 1];
	uint8_t backup_order[NHG_BUCKETS][CHAN_GROUP_MAX_MEMBERS - 1];
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
	/* Source MAC of each port (nhg_port_mac_set), copied into the
	 * groups' L2 entries. */
	struct rte_ether_addr port_mac[NH_PORT_MAX];
	uint32_t n_nexthops;
	uint32_t n_groups;
	/* The data plane's FIB digest (common/fibdigest.h): the groups and
	 * nexthops parts kept here as entries are published, the routes
	 * part by fib.c; compared with twinpathd's on CHAN_REC_DIGEST. */
	struct fib_digest digest;
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
/* Port PORT's MAC (the source of what leaves through it); republishes
 * the groups whose entries change. */
int nhg_port_mac_set(struct nhg_table *t, uint16_t port,
		     const struct rte_ether_addr *mac);
/* Removes nexthops and groups stamped with a generation below GEN. */
int nhg_sweep(struct nhg_table *t, uint64_t generation);

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

/* The first live member in bucket HASH's failover order (home member,
 * then ORDER); NULL when no member is live. */
static inline const struct nexthop *
nhg_pick(const struct nhg_table *t, const uint32_t *members, uint8_t n,
	 const uint8_t *home, const uint8_t (*order)[CHAN_GROUP_MAX_MEMBERS - 1],
	 uint32_t hash, uint32_t live, uint32_t *unresolved)
{
	const struct nexthop *nh;
	uint32_t b = hash & NHG_BUCKET_MASK;
	unsigned int k;

	if (n == 0)
		return NULL;
	nh = nhg_member_live(t, members[home[b]], live, unresolved);
	for (k = 0; nh == NULL && k + 1u < n; k++)
		nh = nhg_member_live(t, members[order[b][k]], live, unresolved);
	return nh;
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
	nh = nhg_pick(t, g->primary, g->n_primary, g->bucket, g->order, hash,
		      live, unresolved);
	if (nh == NULL)
		nh = nhg_pick(t, g->backup, g->n_backup, g->backup_bucket,
			      g->backup_order, hash, live, unresolved);
	if (nh == NULL)
		*res = *unresolved != 0 ? NHG_UNRESOLVED : NHG_NO_LIVE;
	else
		*res = NHG_OK;
	return nh;
}

/* The L2 of NH, whose port's MAC is the source, into OUT. */
static inline void nhg_l2_fill(const struct nhg_table *t,
			       const struct nexthop *nh, struct nhg_l2 *out)
{
	out->dst = nh->mac;
	out->src = t->port_mac[nh->port];
	out->port = (uint8_t)nh->port;
	out->usable = nh->resolved;
	out->nh_id = (uint16_t)nh->id;
}

/* Fast path: bucket HASH's home member of G when it is usable and its
 * port is in LIVE, else NULL (nhg_select_l2 then walks the order). */
static inline const struct nhg_l2 *
nhg_l2_home(const struct nhgroup *g, uint32_t hash, uint32_t live)
{
	const struct nhg_l2 *e = &g->l2[hash & NHG_BUCKET_MASK];

	return ((live >> e->port) & e->usable) != 0 ? e : NULL;
}

/* The L2 of the member nhg_select_live picks, the home entry itself when
 * it is live, else copied into SCRATCH; NULL as nhg_select_live. RES and
 * UNRESOLVED are set only when NULL is returned. */
static inline const struct nhg_l2 *
nhg_select_l2(const struct nhg_table *t, const struct nhgroup *g,
	      uint32_t hash, uint32_t live, struct nhg_l2 *scratch,
	      enum nhg_result *res, uint32_t *unresolved)
{
	const struct nhg_l2 *e = nhg_l2_home(g, hash, live);
	const struct nexthop *nh;

	if (e != NULL)
		return e;
	nh = nhg_select_live(t, g, hash, live, res, unresolved);
	if (nh == NULL)
		return NULL;
	nhg_l2_fill(t, nh, scratch);
	return scratch;
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
