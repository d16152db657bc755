/* Per-link import and export policy from the config: what a provider may
 * announce to us (RFC 8212 default deny, prefix rules, loops, next hops
 * on the link) and the attributes we announce our site prefixes with. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "msg.h"
#include "policy.h"

const char *policy_verdict_str(enum pol_verdict v)
{
	static const char *const names[] = {
		[POL_ACCEPT] = "accepted",
		[POL_REJECT_NO_POLICY] = "no import policy (RFC 8212)",
		[POL_REJECT_PREFIX] = "no import rule matches",
		[POL_REJECT_OWN_AS] = "own AS in AS_PATH",
		[POL_REJECT_NEXTHOP] = "NEXT_HOP not on the link",
	};

	if ((unsigned int)v >= POL_VERDICT_MAX)
		return "?";
	return names[v];
}

/* Do the first LEN bits of A and B agree? */
static bool bits_eq(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	unsigned int nb = len / 8u, rest = len % 8u;

	if (memcmp(a, b, nb))
		return false;
	if (!rest)
		return true;
	return ((a[nb] ^ b[nb]) & (uint8_t)(0xffu << (8u - rest))) == 0;
}

bool policy_prefix_match(const struct cfg_prefix_rule *rules, unsigned int n,
			 const struct cfg_addr *prefix)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct cfg_prefix_rule *r = &rules[i];

		if (r->prefix.family == prefix->family &&
		    prefix->len >= r->prefix.len &&
		    prefix->len >= r->ge && prefix->len <= r->le &&
		    bits_eq(prefix->addr, r->prefix.addr, r->prefix.len))
			return true;
	}
	return false;
}

/* An IPv4 NEXT_HOP must be a neighbour on the link's IPv4 subnet and not
 * our own address (RFC 4271 §5.1.3, §6.3: a next hop that is ours or not
 * reachable over the shared subnet is not usable), whatever the family of
 * the session's transport: over an IPv6 session the IPv4 routes still
 * take an IPv4 next hop on the link (RFC 4760 §3). An IPv6 one (MP_REACH
 * global, RFC 2545 §3) must not be our own address either; it need not be
 * on the link's subnet, the session may run over IPv4 and the link-local
 * next hop is what reaches the neighbour. */
static bool nexthop_on_link(const struct cfg_link *l, const struct bgp_attrs *a)
{
	const struct cfg_addr *nh = &a->nexthop;
	const struct cfg_addr *local = cfg_link_addr(l, nh->family);

	if (nh->family == AF_INET6)
		return local == NULL || memcmp(nh->addr, local->addr, 16) != 0;
	if (nh->family == 0 && a->nexthop_ll.family == AF_INET6)
		return true;
	if (nh->family != AF_INET || local == NULL)
		return false;
	return bits_eq(nh->addr, local->addr, local->len) &&
	       memcmp(nh->addr, local->addr, 4) != 0;
}

enum pol_verdict policy_import(const struct twp_config *cfg, unsigned int link,
			       const struct cfg_addr *prefix,
			       struct bgp_attrs *a)
{
	const struct cfg_link *l = &cfg->links[link];

	/* RFC 8212 §3: no import policy, no route */
	if (l->bgp.n_import == 0)
		return POL_REJECT_NO_POLICY;
	if (!policy_prefix_match(l->bgp.import, l->bgp.n_import, prefix))
		return POL_REJECT_PREFIX;
	/* RFC 4271 §9.1.2: a route with our own AS in its path is a loop */
	if (bgp_aspath_contains(a->aspath, a->aspath_len, cfg->local_as))
		return POL_REJECT_OWN_AS;
	if (!nexthop_on_link(l, a))
		return POL_REJECT_NEXTHOP;
	/* RFC 4271 §5.1.5: LOCAL_PREF is ours to set (an eBGP peer's is
	 * ignored); the link's local_pref makes active/active or
	 * active/standby */
	a->local_pref = l->local_pref;
	a->present |= BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
	return POL_ACCEPT;
}

const struct cfg_addr *policy_announce(const struct twp_config *cfg,
				       unsigned int link, unsigned int *n)
{
	const struct cfg_link_bgp *b = &cfg->links[link].bgp;

	if (b->has_announce) {
		*n = b->n_announce;
		return b->announce;
	}
	*n = cfg->bgp.n_announce;
	return cfg->bgp.announce;
}

int policy_export(const struct twp_config *cfg, unsigned int link,
		  uint8_t family, struct bgp_attrs *a, uint8_t *aspath_buf,
		  size_t cap)
{
	static const uint8_t empty_path[1];
	const struct cfg_link *l = &cfg->links[link];
	const struct cfg_addr *own = cfg_link_addr(l, family);
	int len;

	if (own == NULL)
		return -EAFNOSUPPORT;
	memset(a, 0, sizeof(*a));
	/* RFC 4271 §5.1.1: our own prefixes are of origin IGP */
	a->origin = BGP_ORIGIN_IGP;
	/* RFC 4271 §5.1.2: to an external peer, our AS in front, and the
	 * link's prepend on top */
	len = bgp_aspath_prepend(aspath_buf, cap, empty_path, 0, cfg->local_as,
				 1u + l->bgp.prepend);
	if (len < 0)
		return len;
	a->aspath = aspath_buf;
	a->aspath_len = (uint16_t)len;
	/* RFC 4271 §5.1.3: our address of the family on the shared link,
	 * whatever the session runs over (for IPv6 it goes into
	 * MP_REACH_NLRI, RFC 4760 §3; the caller adds the link-local one,
	 * RFC 2545 §3) */
	a->nexthop = *own;
	a->nexthop.len = family == AF_INET6 ? 128 : 32;
	a->present = BGP_ATTR_P(BGP_ATTR_ORIGIN) | BGP_ATTR_P(BGP_ATTR_AS_PATH) |
		     BGP_ATTR_P(BGP_ATTR_NEXT_HOP);
	/* RFC 4271 §5.1.4: a MED we choose for this peer; §5.1.5: never a
	 * LOCAL_PREF to an external peer */
	if (l->bgp.has_med) {
		a->med = l->bgp.med;
		a->present |= BGP_ATTR_P(BGP_ATTR_MED);
	}
	/* RFC 1997 / RFC 8092: the link's communities, e.g. the provider's
	 * action communities choosing how it routes back to us */
	if (l->bgp.n_communities) {
		a->communities = l->bgp.communities;
		a->n_communities = (uint16_t)l->bgp.n_communities;
		a->present |= BGP_ATTR_P(BGP_ATTR_COMMUNITIES);
	}
	if (l->bgp.n_large_communities) {
		a->large_communities = l->bgp.large_communities;
		a->n_large_communities =
			(uint16_t)l->bgp.n_large_communities;
	}
	return 0;
}

int policy_add_gshut(struct bgp_attrs *a, uint32_t *buf, size_t cap)
{
	size_t n = a->communities ? a->n_communities : 0, i;

	for (i = 0; i < n; i++)
		if (a->communities[i] == POL_GRACEFUL_SHUTDOWN)
			return 0; /* configured already: once is enough */
	if (n + 1 > cap)
		return -ENOSPC;
	if (n > 0)
		memmove(buf, a->communities, n * sizeof(*buf));
	buf[n] = POL_GRACEFUL_SHUTDOWN;
	a->communities = buf;
	a->n_communities = (uint16_t)(n + 1);
	a->present |= BGP_ATTR_P(BGP_ATTR_COMMUNITIES);
	return 0;
}

void policy_drained(struct bgp_attrs *a)
{
	a->local_pref = POL_DRAIN_LOCAL_PREF;
	a->present |= BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
}

int policy_steer(const struct twp_config *cfg, struct bgp_attrs *a,
		 uint8_t *aspath_buf, size_t cap)
{
	static const uint8_t empty_path[1];
	int len;

	len = bgp_aspath_prepend(aspath_buf, cap, empty_path, 0,
				 cfg->local_as, 1);
	if (len < 0)
		return len;
	a->aspath = aspath_buf;
	a->aspath_len = (uint16_t)len;
	a->present &= ~BGP_ATTR_P(BGP_ATTR_MED);
	a->med = 0;
	return 0;
}

unsigned int policy_halves(const struct cfg_addr *in, unsigned int n,
			   uint8_t family, struct cfg_addr *out,
			   unsigned int cap)
{
	unsigned int i, k = 0, max = family == AF_INET6 ? 128 : 32;

	for (i = 0; i < n && k + 2 <= cap; i++) {
		if (in[i].family != family || in[i].len >= max)
			continue;
		out[k] = in[i];
		out[k].len = (uint8_t)(in[i].len + 1);
		out[k + 1] = out[k];
		/* the bit right after the prefix: the upper half */
		out[k + 1].addr[in[i].len / 8] |=
			(uint8_t)(0x80u >> (in[i].len % 8));
		k += 2;
	}
	return k;
}
