/* The BGP decision process between two paths to one prefix (RFC 4271
 * §9.1.2.2, in its order) and the multipath rule the RIB builds its
 * primary and backup nexthop sets with. */
#include <string.h>
#include <sys/socket.h>

#include "msg.h"
#include "rib.h"

/* RFC 4271 §5.1.5: a missing LOCAL_PREF is a local matter; 100 is the
 * common default. Only for comparing: the path keeps no LOCAL_PREF. */
#define BGP_LOCAL_PREF_DEFAULT 100u

static uint32_t local_pref_of(const struct bgp_attrs *a)
{
	return (a->present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF)) ?
	       a->local_pref : BGP_LOCAL_PREF_DEFAULT;
}

/* RFC 4271 §9.1.2.2 (c): a missing MULTI_EXIT_DISC is the lowest value. */
static uint32_t med_of(const struct bgp_attrs *a)
{
	return (a->present & BGP_ATTR_P(BGP_ATTR_MED)) ? a->med : 0u;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b ? 1 : 0;
}

static int cmp_peer_addr(const struct cfg_addr *a, const struct cfg_addr *b)
{
	size_t n;
	int c;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	n = a->family == AF_INET6 ? 16u : 4u;
	c = memcmp(a->addr, b->addr, n);
	return c < 0 ? -1 : c > 0 ? 1 : 0;
}

int bgp_path_cmp(const struct bgp_attrs *a, const struct rib_peer *pa,
		 const struct bgp_attrs *b, const struct rib_peer *pb,
		 enum bgp_step *step)
{
	static const struct rib_peer none;
	enum bgp_step s;
	int c;

	if (!pa)
		pa = &none;
	if (!pb)
		pb = &none;
	/* §9.1.1: the degree of preference is LOCAL_PREF, higher wins */
	s = BGP_STEP_LOCAL_PREF;
	c = cmp_u32(local_pref_of(b), local_pref_of(a));
	if (c)
		goto out;
	/* §9.1.2.2 (a): fewer AS numbers in AS_PATH; an AS_SET counts 1 */
	s = BGP_STEP_AS_PATH;
	c = cmp_u32(bgp_aspath_hops(a->aspath, a->aspath_len),
		    bgp_aspath_hops(b->aspath, b->aspath_len));
	if (c)
		goto out;
	/* §9.1.2.2 (b): lowest ORIGIN */
	s = BGP_STEP_ORIGIN;
	c = cmp_u32(a->origin, b->origin);
	if (c)
		goto out;
	/* §9.1.2.2 (c): lowest MED, only between routes learned from the
	 * same neighbouring AS */
	s = BGP_STEP_MED;
	if (bgp_aspath_first(a->aspath, a->aspath_len) ==
	    bgp_aspath_first(b->aspath, b->aspath_len)) {
		c = cmp_u32(med_of(a), med_of(b));
		if (c)
			goto out;
	}
	/* §9.1.2.2 (d): a route learned over eBGP over one over iBGP */
	s = BGP_STEP_EBGP;
	c = (int)pa->ibgp - (int)pb->ibgp;
	if (c)
		goto out;
	/* §9.1.2.2 (e) (interior cost) does not apply: every next hop is on
	 * a directly connected link. (f): lowest BGP Identifier */
	s = BGP_STEP_ROUTER_ID;
	c = memcmp(pa->router_id, pb->router_id, sizeof(pa->router_id));
	c = c < 0 ? -1 : c > 0 ? 1 : 0;
	if (c)
		goto out;
	/* §9.1.2.2 (g): lowest peer address */
	s = BGP_STEP_PEER_ADDR;
	c = cmp_peer_addr(&pa->addr, &pb->addr);
	if (c)
		goto out;
	s = BGP_STEP_EQUAL;
out:
	if (step)
		*step = s;
	return c;
}

bool bgp_path_multipath_eq(const struct bgp_attrs *a,
			   const struct bgp_attrs *b)
{
	return local_pref_of(a) == local_pref_of(b) &&
	       bgp_aspath_hops(a->aspath, a->aspath_len) ==
	       bgp_aspath_hops(b->aspath, b->aspath_len);
}

const char *bgp_step_str(enum bgp_step s)
{
	static const char *const names[] = {
		[BGP_STEP_LOCAL_PREF] = "local-pref",
		[BGP_STEP_AS_PATH] = "as-path length",
		[BGP_STEP_ORIGIN] = "origin",
		[BGP_STEP_MED] = "med",
		[BGP_STEP_EBGP] = "ebgp over ibgp",
		[BGP_STEP_ROUTER_ID] = "router id",
		[BGP_STEP_PEER_ADDR] = "peer address",
		[BGP_STEP_EQUAL] = "equal",
	};

	if ((unsigned int)s >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[s];
}
