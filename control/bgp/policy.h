/* Per-link policy from the config. Import: RFC 8212 (no rule, no route),
 * prefix rules, our own AS in the path, a NEXT_HOP that is not on the
 * link, then LOCAL_PREF set from the link's local_pref. Export: our site
 * prefixes with the link's prepend and MED, never a LOCAL_PREF to eBGP
 * and never a MED learned elsewhere (exported attributes are built fresh,
 * not copied from a learned path). */
#ifndef TWP_BGP_POLICY_H
#define TWP_BGP_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "bgp.h"

enum pol_verdict {
	POL_ACCEPT = 0,
	POL_REJECT_NO_POLICY,  /* RFC 8212: the link has no import rule */
	POL_REJECT_PREFIX,     /* no import rule matches */
	POL_REJECT_OWN_AS,     /* local_as in AS_PATH (loop) */
	POL_REJECT_NEXTHOP,    /* NEXT_HOP not on the link's subnet, or ours */
	POL_VERDICT_MAX,
};

/* "accepted", "no import policy (RFC 8212)", ... */
const char *policy_verdict_str(enum pol_verdict v);

/* True when PREFIX matches one of RULES[0..N). */
bool policy_prefix_match(const struct cfg_prefix_rule *rules, unsigned int n,
			 const struct cfg_addr *prefix);

/* Import policy of LINK for PREFIX; on POL_ACCEPT, A->local_pref is the
 * link's local_pref (and marked present). */
enum pol_verdict policy_import(const struct twp_config *cfg, unsigned int link,
			       const struct cfg_addr *prefix,
			       struct bgp_attrs *a);

/* The prefixes we announce on LINK: its own bgp.announce when it has
 * one, else the top-level bgp.announce. *N is set to their number. */
const struct cfg_addr *policy_announce(const struct twp_config *cfg,
				       unsigned int link, unsigned int *n);

/* The attributes we announce on LINK for our prefixes of FAMILY: ORIGIN
 * IGP, AS_PATH local_as x (1 + prepend) in ASPATH_BUF (CAP bytes),
 * NEXT_HOP our address of FAMILY on the link (local_address, or
 * local_address6 beside an IPv4 one; no link-local one), MED when the
 * link sets one, the
 * link's COMMUNITIES and LARGE_COMMUNITY (pointing into CFG), nothing
 * else. Returns 0, or -EAFNOSUPPORT when the link has no address of
 * FAMILY (the prefixes of that family are then not announced on it). */
int policy_export(const struct twp_config *cfg, unsigned int link,
		  uint8_t family, struct bgp_attrs *a, uint8_t *aspath_buf,
		  size_t cap);

/* RFC 8326: the well-known community GRACEFUL_SHUTDOWN, 65535:0
 * (0xFFFF0000); a peer configured per its §4.1 gives our paths carrying
 * it its lowest LOCAL_PREF. */
#define POL_GRACEFUL_SHUTDOWN 0xffff0000u
/* RFC 8326 §4.2: the LOCAL_PREF we give paths learned on a link under
 * maintenance once it is drained: the lowest, so they are used only when
 * no other path is left. */
#define POL_DRAIN_LOCAL_PREF 0u

/* A's COMMUNITIES plus GRACEFUL_SHUTDOWN (RFC 8326), built in BUF (CAP
 * values): the link's own communities first, in their order, 65535:0
 * after them unless already among them; A then points to BUF. 0, or
 * -ENOSPC. */
int policy_add_gshut(struct bgp_attrs *a, uint32_t *buf, size_t cap);

/* Return-path steering (links.suspect.steer_return) of the attributes
 * of policy_export: AS_PATH our AS once (no prepend), no MED, so that the
 * provider prefers this link's path to the suspected one's. 0 or
 * -ENOSPC. */
int policy_steer(const struct twp_config *cfg, struct bgp_attrs *a,
		 uint8_t *aspath_buf, size_t cap);

/* Both halves of each of the N prefixes of FAMILY at IN that has any
 * (shorter than a host route), into OUT (CAP entries, in order: the
 * lower half, then the upper); returns how many. More specific than
 * what the suspected link announces, they win the provider's longest
 * match whatever its preferences. */
unsigned int policy_halves(const struct cfg_addr *in, unsigned int n,
			   uint8_t family, struct cfg_addr *out,
			   unsigned int cap);

/* RFC 8326 §4.2: an accepted path of a drained link gets
 * POL_DRAIN_LOCAL_PREF instead of the link's local_pref. */
void policy_drained(struct bgp_attrs *a);

#endif
