/* What twinpath-dp refuses to forward beyond the header checks, built
 * once from the config: the site tables of source validation (BCP 38 /
 * RFC 2827, RFC 3704), two small rte_fib/rte_fib6 looked up in bulk on
 * sources; the broadcast addresses of the connected subnets (RFC 2644);
 * the IPv4 options policy (RFC 7126). fwd.c applies them. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_errno.h>
#include <rte_fib.h>
#include <rte_fib6.h>

#include "dp.h"
#include "log.h"

/* A handful of prefixes. A tbl8 holds the longer-than-/24 ones under one
 * /24 (the own /32s among them): with 1-byte values rte_fib has at most
 * 2^7 - 1, plenty for a site, and the IPv4 table is 16 MiB. */
#define FILTER_ROUTES_MAX (2u * CFG_MAX_ANNOUNCE + CFG_MAX_ROUTES + \
			   CFG_MAX_LINKS + 8u)
#define FILTER_TBL8 127u
#define FILTER_TBL8_6 256u

/* Adds PREFIX (the first LEN bits of A; A itself when LEN is -1) to
 * the site FIB of its family with value V. 0 or -errno. */
static int site_add(struct dp_filter *f, const struct cfg_addr *a, int len,
		    enum filter_site v)
{
	uint8_t depth = (uint8_t)(len < 0 ? a->len : len);
	uint32_t ip4;
	int rc;

	if (a->family == AF_INET) {
		memcpy(&ip4, a->addr, 4);
		ip4 = rte_be_to_cpu_32(ip4);
		if (depth < 32)
			ip4 &= depth == 0 ? 0 : ~0u << (32 - depth);
		rc = rte_fib_add(f->site4, ip4, depth, v);
	} else if (a->family == AF_INET6) {
		uint8_t ip6[16];
		unsigned int i;

		memcpy(ip6, a->addr, 16);
		for (i = 0; i < 16; i++) {
			if (i * 8 >= depth)
				ip6[i] = 0;
			else if (i * 8 + 8 > depth)
				ip6[i] &= (uint8_t)(0xff << (8 - (depth - i * 8)));
		}
		rc = rte_fib6_add(f->site6, ip6, depth, v);
	} else {
		return 0;
	}
	return rc < 0 ? rc : 0;
}

/* The site FIBs: what lies behind the LAN (its subnets, the prefixes we
 * announce, static routes through a LAN gateway) is SITE; the gateway's
 * own addresses, longer, OWN; everything else the default, OUTSIDE. */
static int site_build(struct dp *d)
{
	const struct twp_config *cfg = d->cfg;
	struct dp_filter *f = &d->filter;
	struct rte_fib_conf c4 = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = FILTER_OUTSIDE,
		.max_routes = (int)FILTER_ROUTES_MAX,
		.dir24_8 = {.nh_sz = RTE_FIB_DIR24_8_1B,
			    .num_tbl8 = FILTER_TBL8},
	};
	struct rte_fib6_conf c6 = {
		.type = RTE_FIB6_TRIE,
		.default_nh = FILTER_OUTSIDE,
		.max_routes = (int)FILTER_ROUTES_MAX,
		.trie = {.nh_sz = RTE_FIB6_TRIE_2B, .num_tbl8 = FILTER_TBL8_6},
	};
	unsigned int i;
	int rc = 0;

	f->site4 = rte_fib_create("twp_site4", (int)rte_socket_id(), &c4);
	f->site6 = rte_fib6_create("twp_site6", (int)rte_socket_id(), &c6);
	if (f->site4 == NULL || f->site6 == NULL) {
		log_err("ingress filter: site tables: %s",
			rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc |= site_add(f, &cfg->lan.address, -1, FILTER_SITE);
	rc |= site_add(f, &cfg->lan.address6, -1, FILTER_SITE);
	for (i = 0; i < cfg->bgp.n_announce; i++)
		rc |= site_add(f, &cfg->bgp.announce[i], -1, FILTER_SITE);
	/* a link's own announce list is the site too (what we tell that
	 * provider we originate), whether or not bgp.announce repeats it */
	for (i = 0; i < cfg->n_links; i++) {
		const struct cfg_link_bgp *lb = &cfg->links[i].bgp;
		unsigned int k;

		for (k = 0; lb->has_announce && k < lb->n_announce; k++)
			rc |= site_add(f, &lb->announce[k], -1, FILTER_SITE);
	}
	for (i = 0; i < cfg->n_routes; i++)
		if (cfg->routes[i].gateway.family != 0)
			rc |= site_add(f, &cfg->routes[i].prefix, -1,
				       FILTER_SITE);
	/* added last and longest: an own address inside a site prefix is
	 * still OWN */
	rc |= site_add(f, &cfg->lan.address,
		       (int)cfg_family_bits(cfg->lan.address.family), FILTER_OWN);
	rc |= site_add(f, &cfg->lan.address6, 128, FILTER_OWN);
	for (i = 0; i < cfg->n_links; i++) {
		rc |= site_add(f, &cfg->links[i].local_address,
			       (int)cfg_family_bits(
				       cfg->links[i].local_address.family),
			       FILTER_OWN);
		rc |= site_add(f, &cfg->links[i].local_address6, 128,
			       FILTER_OWN);
	}
	if (rc != 0) {
		log_msg("ingress filter: the site prefixes do not fit the "
			"table (at most %u /24s may hold longer IPv4 site "
			"prefixes)", FILTER_TBL8);
		return -ENOSPC;
	}
	return 0;
}

/* A connected IPv4 subnet's broadcast address (all host bits set), when
 * it has one: /31 (RFC 3021) and /32 have none. */
static void bcast_add(struct dp_filter *f, const struct cfg_addr *a)
{
	uint32_t ip, b;

	if (a->family != AF_INET || a->len > 30 ||
	    f->n_bcast >= RTE_DIM(f->bcast))
		return;
	memcpy(&ip, a->addr, 4);
	b = rte_be_to_cpu_32(ip) | (a->len == 0 ? ~0u : ~0u >> a->len);
	f->bcast[f->n_bcast++] = b;
	f->bcast_maybe[(b >> 2) & (FILTER_BCAST_SLOTS - 1)] = 1;
}

int filter_init(struct dp *d)
{
	const struct twp_config *cfg = d->cfg;
	struct dp_filter *f = &d->filter;
	bool any = false;
	unsigned int i;
	uint16_t p;

	memset(f, 0, sizeof(*f));
	f->options_drop = cfg->dataplane.ip_options == CFG_IP_OPTIONS_DROP;
	for (p = 0; p < d->n_ports && p <= cfg->n_links; p++) {
		bool lan = p == cfg_lan_port(cfg);
		enum cfg_ingress m = lan ? cfg->lan.ingress_filter
					 : cfg->links[p].ingress_filter;

		f->mode[p] = m;
		f->refuse[p] = 0;
		if (m != CFG_INGRESS_OFF)
			f->refuse[p] |= 1u << FILTER_OWN;
		/* strict: from the LAN only the site's sources, from a link
		 * none of them (RFC 3704 §2.2, at the site's edge) */
		if (m == CFG_INGRESS_STRICT)
			f->refuse[p] |= 1u << (lan ? FILTER_OUTSIDE
						   : FILTER_SITE);
		any |= f->refuse[p] != 0;
	}
	bcast_add(f, &cfg->lan.address);
	for (i = 0; i < cfg->n_links; i++)
		bcast_add(f, &cfg->links[i].local_address);
	return any ? site_build(d) : 0;
}

void filter_free(struct dp *d)
{
	rte_fib_free(d->filter.site4);
	rte_fib6_free(d->filter.site6);
	d->filter.site4 = NULL;
	d->filter.site6 = NULL;
}
