/* The FIB twinpathd pushes to twinpath-dp over the channel: nexthops,
 * groups and routes from the config's static routes and from BGP. Full
 * make-before-break sync on start and on the data plane's HELLO,
 * differences afterwards (a BGP route change costs one to four records),
 * and an outbox that holds records while the ring is full. */
#ifndef TWP_FIBPUSH_H
#define TWP_FIBPUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "config.h"
#include "fibdigest.h"

struct ptable;
struct rib_nhset;

/* The ids twinpath-dp accepts (NH_MAX and NHG_MAX of dataplane/nhgroup.h:
 * ids 1..4095). Repeated here because twinpathd does not build against the
 * data plane's headers; BGP nexthops and groups stay below them, the
 * static ones of a config are bounded by the config's own limits. */
#define FP_NH_ID_MAX 4096u
#define FP_GROUP_ID_MAX 4096u

struct fp_nexthop {
	uint32_t id;
	uint16_t port;
	bool bgp; /* created for a BGP next hop other than a link's peer */
	char label[CFG_NAME_MAX]; /* link name, or "lan" */
	char ifname[IFNAMSIZ];
	struct cfg_addr gateway;
	uint8_t mac[6];
	bool resolved;
	bool miss_logged;
};

/* A group has two pairs of member lists (prefix-independent convergence,
 * "BGP PIC"): BASE, the set as decided (what it is interned by), and the
 * EFFECTIVE lists, what the data plane holds: the base without the
 * members on links masked by fibpush_link_down (a primary list left
 * empty takes the backup's place, as the decision would give it). A
 * group with static routes on it is never masked (static routes do not
 * follow BGP sessions), so its two pairs stay equal. */
struct fp_group {
	uint32_t id;
	/* effective: what the data plane holds (GROUP_SET, digest, sync) */
	uint8_t n_primary, n_backup;
	uint32_t primary[CHAN_GROUP_MAX_MEMBERS]; /* nexthop ids, ascending */
	uint32_t backup[CHAN_GROUP_MAX_MEMBERS];
	/* base: the member lists it was interned for */
	uint8_t n_base_primary, n_base_backup;
	uint32_t base_primary[CHAN_GROUP_MAX_MEMBERS];
	uint32_t base_backup[CHAN_GROUP_MAX_MEMBERS];
	uint32_t refs;  /* routes naming it (static, BGP, shadowed BGP) */
	uint32_t srefs; /* static routes among REFS: never masked while > 0 */
	uint32_t links; /* bit per link a base member is on */
	uint32_t hash;  /* of the base member lists */
	uint32_t hnext; /* next group id in its hash chain, 0 at the end */
};

#define FP_ROUTE_STATIC 0x01u /* a static route of the config: installed */
#define FP_ROUTE_BGP 0x02u    /* a BGP route: installed unless STATIC */

/* A route table entry (the value in fp->routes, keyed by prefix). Group
 * ids fit 16 bits: BGP ones are below FP_GROUP_ID_MAX, static ones below
 * CFG_MAX_ROUTES + 1. */
struct fp_route {
	uint16_t group_id;     /* the installed group (static, else BGP) */
	uint16_t bgp_group_id; /* the BGP route's group, 0 when none;
				* remembered, not installed, under STATIC */
	uint8_t flags;         /* FP_ROUTE_* */
	uint8_t sync_mark;     /* == fp->sync_mark: sent in this full sync */
	/* Links (bit per link index, all masked) whose members the BGP
	 * decision no longer gives this prefix although its group's base
	 * has them: the prefix wants the base without them, which is what
	 * the data plane holds while those links are masked. 0: it wants
	 * the base. */
	uint16_t excl;
};

/* What fibpush sends a difference for (records counted per cause). */
enum fp_cause {
	FP_CAUSE_ROUTE = 0, /* a BGP prefix's decision */
	FP_CAUSE_LINK_DOWN, /* fibpush_link_down */
	FP_CAUSE_LINK_UP,   /* fibpush_link_up */
	FP_CAUSE_OTHER,     /* a MAC, a drain, a static route */
	FP_CAUSES,
};

/* Prefix-independent convergence (fibpush_link_down/_up), counted. */
struct fp_pic_stats {
	uint64_t records[FP_CAUSES]; /* differences sent, by enum fp_cause */
	uint64_t link_down, link_up; /* masks and unmasks that did work */
	uint64_t groups_down;  /* GROUP_SETs in place at link down */
	uint64_t groups_up;    /* GROUP_SETs in place at link up */
	uint64_t groups_empty; /* at link down, no member left: kept as
				* they were until their routes go */
	uint64_t routes_kept;  /* decisions met by the group in place */
	uint64_t routes_moved; /* moved at link up: not announced again */
	uint64_t move_failed;  /* of those, left in place (no group id) */
	uint64_t static_split; /* groups whose static routes moved off
				* so that the BGP ones could stay */
	uint64_t last_down_ns, last_up_ns; /* the last one's own time */
};

struct fp_static {
	struct cfg_addr prefix;
	uint32_t group_id;
};

typedef int (*fp_nh_cb)(void *arg, const struct fp_nexthop *nh);

struct fibpush {
	struct chan *chan;
	const struct twp_config *cfg;
	/* nh[i].id == i + 1. Grows; ids are never reused, so a nexthop keeps
	 * its id (and neighbour entry) for the life of the process. */
	struct fp_nexthop *nh;
	unsigned int n_nh, nh_cap;
	/* BGP nexthops by gateway (full-length key), per link: value is the
	 * nexthop id (uint32_t). */
	struct ptable *nh_by_gw[CFG_MAX_LINKS];
	/* grp[i].id == i + 1 for ids handed out (1..grp_top); a slot is in
	 * use while refs > 0. */
	struct fp_group *grp;
	unsigned int grp_top, grp_cap;
	unsigned int n_grp;   /* groups in use */
	uint32_t *grp_hash;   /* bucket -> first group id, 0 for none */
	/* Ids of deleted groups, oldest first (FIFO, see fibpush.c). */
	uint32_t grp_free[FP_GROUP_ID_MAX];
	unsigned int free_head, free_len;
	/* The config's static routes, in config order (full sync order). */
	struct fp_static route[CFG_MAX_ROUTES];
	unsigned int n_static;
	struct ptable *routes; /* prefix -> struct fp_route */
	unsigned int n_bgp;    /* BGP routes, installed or shadowed */
	unsigned int n_shadowed; /* BGP routes under a static route */
	fp_nh_cb nh_cb;
	void *nh_cb_arg;
	/* The data plane's nexthop (neighbour) and group tables are fixed,
	 * NH_MAX and NHG_MAX ids (mirrored by FP_NH_ID_MAX and
	 * FP_GROUP_ID_MAX): BGP route changes refused because one is full,
	 * counted each; logged once per episode (the flags). */
	uint64_t nh_table_full, grp_table_full;
	bool nh_nospc_logged, grp_nospc_logged;
	uint64_t generation; /* of our last SYNC_BEGIN */
	/* A full sync's BGP routes are streamed from the table as the ring
	 * takes them, not queued (a million records would be 150 MB). */
	bool sync_active;   /* SYNC_END not yet queued */
	uint8_t sync_mark;
	/* A full sync sends its BGP routes in prefix order (sync_sorted,
	 * set by fibpush_build) from sync_order, a sorted snapshot; without
	 * it (cleared, or no memory for the snapshot) sync_order is NULL and
	 * the table is walked in hash order with a cursor, again from the
	 * start when entries moved under it (sync_rescan). */
	bool sync_sorted;
	struct cfg_addr *sync_order;
	size_t sync_n, sync_pos;
	bool sync_rescan;
	size_t sync_cursor; /* in the route table */
	size_t sync_left;   /* BGP routes not yet sent in this sync */
	/* Records refused by a full ring, oldest first. */
	struct chan_rec *outbox;
	size_t ob_head, ob_len, ob_cap;
	bool ob_full_episode;
	/* links drained for maintenance (bit per link index): static
	 * routes' groups use them as BGP does its LOCAL_PREF 0 paths */
	uint32_t drained;
	/* Digest of the FIB this model describes (common/fibdigest.h),
	 * kept as it changes: what the data plane holds once it has
	 * applied every record sent (control/fibcheck.c compares). */
	struct fib_digest digest;
	/* Links masked (bit per link index): their members are out of
	 * every BGP group's effective lists (fibpush_link_down). */
	uint32_t masked;
	/* per link: routes whose excl has it (a walk at link up only
	 * when some route was not announced again) */
	size_t n_excl[CFG_MAX_LINKS];
	enum fp_cause cause; /* of the differences being sent */
	struct fp_pic_stats pic;
};

/* Computes nexthops, groups and routes from CFG (kept: the BGP side reads
 * its links). On a zeroed or freed FP. 0 or -errno. */
int fibpush_build(struct fibpush *fp, const struct twp_config *cfg,
		  struct chan *chan);
void fibpush_free(struct fibpush *fp);
/* SYNC_BEGIN (generation = hdr->generation + 1), the full state (every
 * nexthop, every group in use, every installed route, static and BGP),
 * SYNC_END. The BGP routes follow as fibpush_flush finds room in the ring;
 * changes meanwhile go out between them as usual. */
int fibpush_full_sync(struct fibpush *fp);
/* Queues CHAN_REC_DIGEST ID behind every record queued so far: the data
 * plane answers with its digest at that point (control/fibcheck.c).
 * 0 or -ENOMEM. */
int fibpush_send_digest(struct fibpush *fp, uint32_t id);
/* A nexthop's MAC was learned or changed: NEXTHOP_SET if different. */
int fibpush_set_mac(struct fibpush *fp, unsigned int idx,
		    const uint8_t mac[6]);
/* Sends what waits in the outbox, then the rest of a full sync; -ENOBUFS
 * while the ring stays full. */
int fibpush_flush(struct fibpush *fp);
/* Records waiting: the outbox and what a full sync has still to stream. */
size_t fibpush_queued(const struct fibpush *fp);
bool fibpush_all_resolved(const struct fibpush *fp);
/* A group in use, or NULL. */
const struct fp_group *fibpush_group(const struct fibpush *fp, uint32_t id);
const struct fp_nexthop *fibpush_nexthop(const struct fibpush *fp,
					 uint32_t id);

/* BGP route PREFIX -> SET (NULL, or a set with no member, removes it).
 * Interns the nexthops and the group and sends only what changed, in this
 * order: NEXTHOP_SET for each new nexthop, GROUP_SET for a new group,
 * ROUTE_ADD (or ROUTE_DEL), GROUP_DEL when the last route left the old
 * group. A static route of the config for the same prefix wins: the BGP
 * route is remembered (its group stays referenced, so it is on the data
 * plane too) but not installed; it would be installed if the static route
 * went away, and static routes never go away, so it stays shadowed.
 * Before the first full sync nothing is sent: that sync carries it.
 * Removing a prefix BGP never set is a no-op. 0 or -errno: -EINVAL (bad
 * prefix, link out of range), -ENOSPC (out of nexthop or group ids; logged
 * once per shortage; the prefix keeps its previous state), -ENOMEM. */
/* A hint: fibpush_bgp_route() for PREFIX comes soon (its route entry is
 * prefetched; rib_set_prefetch). */
void fibpush_prefetch(const struct fibpush *fp, const struct cfg_addr *prefix);
int fibpush_bgp_route(struct fibpush *fp, const struct cfg_addr *prefix,
		      const struct rib_nhset *set);
/* Called for every nexthop created after fibpush_build (a BGP next hop
 * other than a link's peer address): twinpathd starts resolving its MAC
 * (neighbour entry index == nexthop id - 1). A negative return undoes the
 * nexthop (so the two numberings stay aligned) and fails the route. */
void fibpush_set_nh_cb(struct fibpush *fp, fp_nh_cb cb, void *arg);
/* "link NAME drain" (RFC 8326 §4.2) for static routes: the via groups
 * computed again with the links of DRAINED (bit per link index) least
 * preferred (active/active: backup while another via link is not
 * drained; active/standby: local_pref 0), each changed route moved onto
 * its new group make-before-break (GROUP_SET, ROUTE_ADD, GROUP_DEL).
 * Returns how many routes moved, or -errno. */
int fibpush_set_drained(struct fibpush *fp, uint32_t drained);
/* Prefix-independent convergence (issue 15 item 1). LINK's session left
 * Established with its paths flushed, or BFD tore it down: called before
 * the RIB drops the paths. Every BGP group with a member on LINK gets
 * one GROUP_SET with that member taken out (the data plane keeps the
 * buckets of the members that stay), and as the per-prefix decisions
 * arrive, a prefix whose new set is its group's lists without LINK
 * stays where it is, with no record. A group left with no member keeps
 * its lists until its routes go (counted: groups_empty). Returns the
 * groups rewritten, or -errno (-EINVAL: no such link). Masking a masked
 * link does nothing. */
int fibpush_link_down(struct fibpush *fp, unsigned int link);
/* LINK's peer sent End-of-RIB (or the wait for it ended) and the RIB has
 * decided what it sent: prefixes announced again are back on their
 * group's base (no record each); those still without a path over LINK
 * move to a group of their own set (GROUP_SET if new, ROUTE_ADD, per
 * prefix: few), then every group with a member on LINK gets it back
 * (one GROUP_SET each). Returns the groups rewritten, or -errno.
 * Unmasking a link not masked does nothing. */
int fibpush_link_up(struct fibpush *fp, unsigned int link);
/* Installed prefixes (static and BGP; a shadowed BGP route is not one
 * more). */
size_t fibpush_route_count(const struct fibpush *fp);
/* PREFIX's entry, or NULL. */
const struct fp_route *fibpush_route(const struct fibpush *fp,
				     const struct cfg_addr *prefix);
/* Every installed prefix once: static routes in config order, then the
 * BGP ones in table order. Start with *CURSOR = 0; sets *PREFIX; NULL at
 * the end. The table must not change meanwhile. */
const struct fp_route *fibpush_route_next(const struct fibpush *fp,
					  size_t *cursor,
					  const struct cfg_addr **prefix);

#endif
