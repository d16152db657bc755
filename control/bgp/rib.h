/* Adj-RIB-In (per link, after import policy) and Loc-RIB. Changes mark
 * prefixes dirty; rib_process() runs the decision process on a bounded
 * number of them per call, so a full table never blocks the sessions'
 * keepalives, and reports only the prefixes whose forwarding result
 * changed. Attribute sets are interned: a million routes with the same
 * attributes share one copy. */
#ifndef TWP_BGP_RIB_H
#define TWP_BGP_RIB_H

#include <stddef.h>
#include <stdint.h>

#include "bgp.h"

/* What the decision process needs to know about a link's peer; set when
 * its session reaches Established, for the families it carries. */
struct rib_peer {
	uint32_t asn;
	uint8_t router_id[4];   /* the peer's BGP Identifier */
	struct cfg_addr addr;   /* the peer's address */
	bool ibgp;
};

/* A forwarding nexthop: the link a path came from and the address to
 * send to (NEXT_HOP; for IPv6 the link-local one when present). */
struct rib_nh {
	uint16_t link;
	struct cfg_addr addr;
};

/* The forwarding result for a prefix: the multipath primary set (paths
 * equal to the best down to the AS path length step) and the backup set
 * (the paths of the next tier), each in link order. */
struct rib_nhset {
	uint8_t n_primary, n_backup;
	struct rib_nh primary[CFG_MAX_LINKS];
	struct rib_nh backup[CFG_MAX_LINKS];
};

/* SET is NULL when the prefix has no usable path any more. */
typedef void (*rib_fib_cb)(void *arg, const struct cfg_addr *prefix,
			   const struct rib_nhset *set);

struct rib;

struct rib *rib_new(unsigned int n_links);
void rib_free(struct rib *r);
/* AFS: RIB_KEEP_AF bits, the families the peer's session carries. */
void rib_set_peer(struct rib *r, unsigned int link, unsigned int afs,
		  const struct rib_peer *peer);

/* Adds or replaces LINK's path to PREFIX (attributes after import
 * policy; copied). 0 or -ENOMEM. */
int rib_update(struct rib *r, unsigned int link, const struct cfg_addr *prefix,
	       const struct bgp_attrs *a);
/* Removes LINK's path to PREFIX: 0, or -ENOENT when it had none. */
int rib_withdraw(struct rib *r, unsigned int link,
		 const struct cfg_addr *prefix);
/* Removes every path of LINK of the families in AFS (RIB_KEEP_AF bits:
 * the session that went down carried those); returns how many. */
size_t rib_peer_flush(struct rib *r, unsigned int link, unsigned int afs);
/* Graceful restart (RFC 4724 helper): marks LINK's paths stale; they stay
 * in use until refreshed by the peer or swept. Returns how many. */
size_t rib_peer_mark_stale(struct rib *r, unsigned int link);
/* Removes LINK's paths still stale, of family AF_INET/AF_INET6, or of
 * both when FAMILY is 0 (End-of-RIB, restart timer expiry). */
size_t rib_sweep_stale(struct rib *r, unsigned int link, uint8_t family);
/* A family (enum bgp_af) in rib_peer_down's KEEP. */
#define RIB_KEEP_AF(af) (1u << (af))
/* LINK's session carrying the families AFS went down with graceful
 * restart, in one walk of the table: its paths of the families in KEEP
 * are marked stale as by rib_peer_mark_stale, the others of AFS removed
 * as by rib_peer_flush. *STALE gets how many were marked; returns how
 * many were removed. */
size_t rib_peer_down(struct rib *r, unsigned int link, unsigned int afs,
		     unsigned int keep, size_t *stale);

/* Gives every path of LINK the LOCAL_PREF LP (RFC 8326 §4.2: a drained
 * link's paths become least preferred; back to the link's local_pref
 * when it is restored); changed prefixes are queued for the decision.
 * Returns how many paths changed, or -ENOMEM (those done so far keep
 * their new value). */
long rib_link_set_local_pref(struct rib *r, unsigned int link, uint32_t lp);

/* Runs the decision process on at most BUDGET dirty prefixes and calls
 * CB for those whose nexthop sets changed. Returns the number of dirty
 * prefixes left. */
size_t rib_process(struct rib *r, size_t budget, rib_fib_cb cb, void *arg);
/* How far ahead of its work rib_process() prefetches: each prefix's
 * entry is a miss to memory in a full table, and a few in flight at once
 * overlap. */
#define RIB_LOOKAHEAD 8u
/* A hint that PREFIX is about to be updated or withdrawn (a caller
 * walking an UPDATE's prefixes, RIB_LOOKAHEAD ahead). */
void rib_prefetch(const struct rib *r, const struct cfg_addr *prefix);
/* PF(ARG, PREFIX) for every prefix rib_process() is about to decide,
 * RIB_LOOKAHEAD ahead: the FIB push prefetches its own entry for it. */
void rib_set_prefetch(struct rib *r,
		      void (*pf)(void *arg, const struct cfg_addr *prefix),
		      void *arg);
size_t rib_pending(const struct rib *r);

/* Counters for the CLI. */
size_t rib_loc_count(const struct rib *r, uint8_t family); /* with a path */
size_t rib_link_count(const struct rib *r, unsigned int link); /* accepted */
/* accepted, of the families in AFS (RIB_KEEP_AF bits) */
size_t rib_link_count_af(const struct rib *r, unsigned int link,
			 unsigned int afs);
/* Bytes LINK's routes hold: a fixed charge per path (its prefix slot,
 * path and queue entry) plus each attribute set its paths use (sets are
 * interned per link); links.bgp.max_memory_mb is checked against it. */
size_t rib_link_bytes(const struct rib *r, unsigned int link);
/* Prefixes whose forwarding result (the multipath primary set last
 * reported to the FIB callback) uses LINK. */
size_t rib_link_installed(const struct rib *r, unsigned int link);
/* Distinct interned attribute sets (shared by all paths equal in them). */
size_t rib_attr_count(const struct rib *r);

enum rib_role {
	RIB_ROLE_NONE = 0,  /* not used for forwarding */
	RIB_ROLE_BEST,      /* the best path (also in the primary set) */
	RIB_ROLE_MULTIPATH, /* in the primary set, not the best */
	RIB_ROLE_BACKUP,    /* in the backup set */
};

struct rib_path_view {
	unsigned int link;
	const struct bgp_attrs *attrs;
	bool stale;
	enum rib_role role; /* as of the last rib_process() of the prefix */
};

/* Visits prefixes in no particular order; with FILTER, only FILTER
 * itself when FILTER->len is less than full width, or the longest prefix
 * containing FILTER when it is a host address. PATHS are sorted best
 * first. CB returns non-zero to stop the walk. */
typedef int (*rib_walk_cb)(void *arg, const struct cfg_addr *prefix,
			   const struct rib_path_view *paths, unsigned int n);
void rib_walk(const struct rib *r, const struct cfg_addr *filter,
	      rib_walk_cb cb, void *arg);

/* Decision process (decision.c), RFC 4271 §9.1.2.2: highest LOCAL_PREF,
 * shortest AS path, lowest ORIGIN, lowest MED (only between paths from
 * the same neighbouring AS), eBGP over iBGP, lowest router id, lowest
 * peer address. */
enum bgp_step {
	BGP_STEP_LOCAL_PREF = 0,
	BGP_STEP_AS_PATH,
	BGP_STEP_ORIGIN,
	BGP_STEP_MED,
	BGP_STEP_EBGP,
	BGP_STEP_ROUTER_ID,
	BGP_STEP_PEER_ADDR,
	BGP_STEP_EQUAL,
};
/* < 0 when A is better than B, > 0 when B is, 0 when equal to the end;
 * *STEP (if not NULL) gets the rule that decided. */
int bgp_path_cmp(const struct bgp_attrs *a, const struct rib_peer *pa,
		 const struct bgp_attrs *b, const struct rib_peer *pb,
		 enum bgp_step *step);
/* True when A and B are equal down to the AS path length step: the
 * multipath rule (same local-pref, same AS path length). */
bool bgp_path_multipath_eq(const struct bgp_attrs *a,
			   const struct bgp_attrs *b);
const char *bgp_step_str(enum bgp_step s);

#endif
