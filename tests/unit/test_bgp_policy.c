/* Policy (control/bgp/policy.c): import refuses everything without a rule
 * (RFC 8212), matches prefix rules with ge/le, drops loops and next hops
 * off the link, sets LOCAL_PREF; export builds ORIGIN, the prepended
 * AS_PATH, our NEXT_HOP and the link's MED, and never a LOCAL_PREF. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "prefix_fixture.h"

#include "msg.h"
#include "policy.h"

#define LOCAL_AS 64600u

static struct twp_config cfg;

static void rule(struct cfg_link *l, const char *text, uint8_t len,
		 uint8_t ge, uint8_t le)
{
	struct cfg_prefix_rule *r = &l->bgp.import[l->bgp.n_import++];

	r->prefix = pfx(text, len);
	r->ge = ge;
	r->le = le;
}

/* Link 0: 192.0.2.10/24, local_pref 150, rules 203.0.113.0/24 (exact)
 * and 198.18.0.0/15 ge 16 le 24, and 2001:db8:100::/40 le 48.
 * Link 1: 2001:db8::10/64 with no import rule. */
static int setup(void **state)
{
	struct cfg_link *l;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.local_as = LOCAL_AS;
	cfg.n_links = 2;
	l = &cfg.links[0];
	l->local_address = pfx("192.0.2.10", 24);
	l->peer_address = pfx("192.0.2.1", 32);
	l->local_pref = 150;
	rule(l, "203.0.113.0", 24, 24, 24);
	rule(l, "198.18.0.0", 15, 16, 24);
	rule(l, "2001:db8:100::", 40, 40, 48);
	l = &cfg.links[1];
	l->local_address = pfx("2001:db8::10", 64);
	l->peer_address = pfx("2001:db8::1", 128);
	l->local_pref = 100;
	return 0;
}

struct learned {
	struct bgp_attrs a;
	uint8_t path[2 + 4 * 3];
};

/* A route from the provider: AS path "64500 64510 LAST", NEXT_HOP NH,
 * and a LOCAL_PREF of 999 the provider should not set. */
static struct bgp_attrs *learned(struct learned *r, const char *nh,
				 uint32_t last)
{
	uint32_t asn[3] = {htonl(64500), htonl(64510), htonl(last)};

	memset(r, 0, sizeof(*r));
	r->path[0] = 2;
	r->path[1] = 3;
	memcpy(&r->path[2], asn, sizeof(asn));
	r->a.present = BGP_ATTR_P(BGP_ATTR_ORIGIN) |
		       BGP_ATTR_P(BGP_ATTR_AS_PATH) |
		       BGP_ATTR_P(BGP_ATTR_NEXT_HOP) |
		       BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
	r->a.local_pref = 999;
	r->a.aspath = r->path;
	r->a.aspath_len = sizeof(r->path);
	r->a.nexthop = pfx(nh, strchr(nh, ':') ? 128 : 32);
	return &r->a;
}

static enum pol_verdict import(unsigned int link, const char *text,
			       uint8_t len, const char *nh)
{
	struct cfg_addr p = pfx(text, len);
	struct learned r;

	return policy_import(&cfg, link, &p, learned(&r, nh, 64520));
}

static void test_policy_no_import_rule_rejects_all(void **state)
{
	(void)state;
	/* RFC 8212 */
	assert_int_equal(import(1, "2001:db8:100::", 48, "2001:db8::1"),
			 POL_REJECT_NO_POLICY);
	assert_string_equal(policy_verdict_str(POL_REJECT_NO_POLICY),
			    "no import policy (RFC 8212)");
}

static void test_policy_exact_rule_matches_only_its_length(void **state)
{
	(void)state;
	assert_int_equal(import(0, "203.0.113.0", 24, "192.0.2.1"),
			 POL_ACCEPT);
	assert_int_equal(import(0, "203.0.113.0", 25, "192.0.2.1"),
			 POL_REJECT_PREFIX);
	assert_int_equal(import(0, "203.0.112.0", 23, "192.0.2.1"),
			 POL_REJECT_PREFIX);
}

static void test_policy_ge_le_rule_bounds(void **state)
{
	(void)state;
	assert_int_equal(import(0, "198.18.0.0", 16, "192.0.2.1"), POL_ACCEPT);
	assert_int_equal(import(0, "198.19.255.0", 24, "192.0.2.1"),
			 POL_ACCEPT);
	/* shorter than ge, longer than le, outside the rule's prefix */
	assert_int_equal(import(0, "198.18.0.0", 15, "192.0.2.1"),
			 POL_REJECT_PREFIX);
	assert_int_equal(import(0, "198.18.5.128", 25, "192.0.2.1"),
			 POL_REJECT_PREFIX);
	assert_int_equal(import(0, "198.20.0.0", 16, "192.0.2.1"),
			 POL_REJECT_PREFIX);
	/* IPv6 rule, le 48 */
	assert_int_equal(import(0, "2001:db8:1ff::", 48, "2001:db8::1"),
			 POL_ACCEPT);
	assert_int_equal(import(0, "2001:db8:100::", 56, "2001:db8::1"),
			 POL_REJECT_PREFIX);
}

static void test_policy_rule_family_must_match(void **state)
{
	struct cfg_addr v6;

	(void)state;
	/* 203.0.113.0/24's bits as an IPv6 prefix */
	memset(&v6, 0, sizeof(v6));
	v6.family = AF_INET6;
	v6.len = 24;
	v6.addr[0] = 203;
	v6.addr[2] = 113;
	assert_false(policy_prefix_match(cfg.links[0].bgp.import,
					 cfg.links[0].bgp.n_import, &v6));
}

static void test_policy_own_as_in_path_rejected(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct learned r;

	(void)state;
	assert_int_equal(policy_import(&cfg, 0, &p,
				       learned(&r, "192.0.2.1", LOCAL_AS)),
			 POL_REJECT_OWN_AS);
	/* untouched: no LOCAL_PREF of ours on a rejected route */
	assert_int_equal(r.a.local_pref, 999);
}

static void test_policy_nexthop_off_link_rejected(void **state)
{
	(void)state;
	assert_int_equal(import(0, "203.0.113.0", 24, "198.51.100.1"),
			 POL_REJECT_NEXTHOP);
	assert_int_equal(import(0, "203.0.113.0", 24, "192.0.3.1"),
			 POL_REJECT_NEXTHOP);
	/* our own address is no next hop */
	assert_int_equal(import(0, "203.0.113.0", 24, "192.0.2.10"),
			 POL_REJECT_NEXTHOP);
	assert_int_equal(import(0, "203.0.113.0", 24, "192.0.2.254"),
			 POL_ACCEPT);
}

static void test_policy_ipv6_nexthop_accepted(void **state)
{
	(void)state;
	assert_int_equal(import(0, "2001:db8:100::", 48, "2001:db8:ffff::1"),
			 POL_ACCEPT);
}

/* RFC 4271 §6.3 as for IPv4: our own address is no next hop, in
 * MP_REACH_NLRI either (link 1 is 2001:db8::10/64) */
static void test_policy_ipv6_own_address_nexthop_rejected(void **state)
{
	(void)state;
	rule(&cfg.links[1], "2001:db8:100::", 40, 40, 48);
	assert_int_equal(import(1, "2001:db8:100::", 48, "2001:db8::10"),
			 POL_REJECT_NEXTHOP);
	assert_int_equal(import(1, "2001:db8:100::", 48, "2001:db8::1"),
			 POL_ACCEPT);
	/* on an IPv4 link there is no IPv6 address of ours to match */
	assert_int_equal(import(0, "2001:db8:100::", 48, "2001:db8::10"),
			 POL_ACCEPT);
}

static void test_policy_import_sets_link_local_pref(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct learned r;

	(void)state;
	learned(&r, "192.0.2.1", 64520);
	r.a.present &= ~BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
	assert_int_equal(policy_import(&cfg, 0, &p, &r.a), POL_ACCEPT);
	assert_int_equal(r.a.local_pref, 150);
	assert_true(r.a.present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF));
	/* the provider's own LOCAL_PREF is replaced */
	assert_int_equal(policy_import(&cfg, 0, &p,
				       learned(&r, "192.0.2.1", 64520)),
			 POL_ACCEPT);
	assert_int_equal(r.a.local_pref, 150);
}

static void assert_aspath_local_as(const struct bgp_attrs *a,
				   unsigned int times)
{
	unsigned int i;

	assert_int_equal(a->aspath_len, 2 + 4 * times);
	assert_int_equal(a->aspath[0], 2); /* AS_SEQUENCE */
	assert_int_equal(a->aspath[1], times);
	for (i = 0; i < times; i++) {
		uint32_t be;

		memcpy(&be, &a->aspath[2 + 4 * i], 4);
		assert_int_equal(ntohl(be), LOCAL_AS);
	}
}

static void test_policy_export_prepend_and_med(void **state)
{
	struct cfg_addr nh = pfx("192.0.2.10", 32);
	uint8_t buf[64];
	struct bgp_attrs a;

	(void)state;
	cfg.links[0].bgp.prepend = 2;
	cfg.links[0].bgp.has_med = true;
	cfg.links[0].bgp.med = 40;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_int_equal(a.present, BGP_ATTR_P(BGP_ATTR_ORIGIN) |
				    BGP_ATTR_P(BGP_ATTR_AS_PATH) |
				    BGP_ATTR_P(BGP_ATTR_NEXT_HOP) |
				    BGP_ATTR_P(BGP_ATTR_MED));
	assert_int_equal(a.origin, BGP_ORIGIN_IGP);
	assert_ptr_equal(a.aspath, buf);
	assert_aspath_local_as(&a, 3);
	assert_memory_equal(&a.nexthop, &nh, sizeof(nh));
	assert_int_equal(a.nexthop_ll.family, 0);
	assert_int_equal(a.med, 40);
	assert_int_equal(a.n_communities, 0);
}

static void test_policy_export_without_med(void **state)
{
	uint8_t buf[64];
	struct bgp_attrs a;

	(void)state;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_false(a.present & BGP_ATTR_P(BGP_ATTR_MED));
	assert_int_equal(a.med, 0);
	assert_aspath_local_as(&a, 1);
}

static void test_policy_export_never_local_pref(void **state)
{
	struct cfg_addr nh = pfx("2001:db8::10", 128);
	uint8_t buf[64];
	struct bgp_attrs a;

	(void)state;
	cfg.links[1].local_pref = 300;
	assert_int_equal(policy_export(&cfg, 1, AF_INET6, &a, buf,
				       sizeof(buf)), 0);
	assert_false(a.present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF));
	assert_int_equal(a.local_pref, 0);
	assert_memory_equal(&a.nexthop, &nh, sizeof(nh));
}

static void test_policy_export_needs_link_address_of_family(void **state)
{
	uint8_t buf[64];
	struct bgp_attrs a;

	(void)state;
	assert_int_equal(policy_export(&cfg, 0, AF_INET6, &a, buf, sizeof(buf)),
			 -EAFNOSUPPORT);
	assert_int_equal(policy_export(&cfg, 1, AF_INET, &a, buf, sizeof(buf)),
			 -EAFNOSUPPORT);
}

/* A dual-stack link whose session runs over IPv6 (peer_address IPv6,
 * local_address IPv4, local_address6 IPv6): each family is announced
 * with our address of that family as next hop (RFC 4760 §3), whatever
 * the transport, and each family's next hops are checked against the
 * link's address of that family. */
static void dual_stack(struct cfg_link *l)
{
	l->local_address = pfx("203.0.113.1", 30);
	l->local_address6 = pfx("2001:db8:1::1", 64);
	l->peer_address = pfx("2001:db8:1::2", 128);
	l->bgp.n_import = 0;
	rule(l, "198.51.100.0", 24, 24, 32);
	rule(l, "2001:db8:100::", 48, 48, 64);
}

static void test_policy_export_dual_stack_next_hop_per_family(void **state)
{
	uint8_t buf[64];
	struct bgp_attrs a;

	(void)state;
	dual_stack(&cfg.links[1]);
	assert_int_equal(policy_export(&cfg, 1, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_true(cfg_addr_eq(&a.nexthop, &cfg.links[1].local_address));
	assert_int_equal(a.nexthop.len, 32);
	assert_int_equal(a.nexthop_ll.family, 0);
	assert_int_equal(policy_export(&cfg, 1, AF_INET6, &a, buf,
				       sizeof(buf)), 0);
	assert_true(cfg_addr_eq(&a.nexthop, &cfg.links[1].local_address6));
	assert_int_equal(a.nexthop.len, 128);
}

static void test_policy_import_dual_stack_next_hops(void **state)
{
	(void)state;
	dual_stack(&cfg.links[1]);
	/* IPv4 routes over the IPv6 session: an IPv4 next hop on the
	 * link's IPv4 subnet, not ours */
	assert_int_equal(import(1, "198.51.100.0", 24, "203.0.113.2"),
			 POL_ACCEPT);
	assert_int_equal(import(1, "198.51.100.0", 24, "203.0.113.1"),
			 POL_REJECT_NEXTHOP);
	assert_int_equal(import(1, "198.51.100.0", 24, "192.0.2.2"),
			 POL_REJECT_NEXTHOP);
	/* IPv6: anything but our local_address6 */
	assert_int_equal(import(1, "2001:db8:100::", 48, "2001:db8:1::2"),
			 POL_ACCEPT);
	assert_int_equal(import(1, "2001:db8:100::", 48, "2001:db8:1::1"),
			 POL_REJECT_NEXTHOP);
}

/* links.suspect.steer_return: the export of a link while another is
 * suspected, our AS once and no MED, the rest as configured. */
static void test_policy_steer_drops_prepend_and_med(void **state)
{
	uint8_t buf[64];
	struct bgp_attrs a;

	(void)state;
	cfg.links[0].bgp.prepend = 2;
	cfg.links[0].bgp.has_med = true;
	cfg.links[0].bgp.med = 40;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_aspath_local_as(&a, 3);
	assert_int_equal(policy_steer(&cfg, &a, buf, sizeof(buf)), 0);
	assert_aspath_local_as(&a, 1);
	assert_int_equal(a.present, BGP_ATTR_P(BGP_ATTR_ORIGIN) |
				    BGP_ATTR_P(BGP_ATTR_AS_PATH) |
				    BGP_ATTR_P(BGP_ATTR_NEXT_HOP));
	assert_int_equal(a.med, 0);
	assert_int_equal(policy_steer(&cfg, &a, buf, 4), -ENOSPC);
}

static void test_policy_halves(void **state)
{
	struct cfg_addr in[4] = {pfx("198.18.0.0", 16), pfx("192.0.2.7", 32),
				 pfx("2001:db8:1::", 48),
				 pfx("203.0.113.0", 31)};
	struct cfg_addr out[8], want;

	(void)state;
	assert_int_equal(policy_halves(in, 4, AF_INET, out, 8), 4);
	want = pfx("198.18.0.0", 17);
	assert_memory_equal(&out[0], &want, sizeof(want));
	want = pfx("198.18.128.0", 17);
	assert_memory_equal(&out[1], &want, sizeof(want));
	/* a /32 has no halves; a /31 has two /32s */
	want = pfx("203.0.113.0", 32);
	assert_memory_equal(&out[2], &want, sizeof(want));
	want = pfx("203.0.113.1", 32);
	assert_memory_equal(&out[3], &want, sizeof(want));
	assert_int_equal(policy_halves(in, 4, AF_INET6, out, 8), 2);
	want = pfx("2001:db8:1::", 49);
	assert_memory_equal(&out[0], &want, sizeof(want));
	want = pfx("2001:db8:1:8000::", 49);
	assert_memory_equal(&out[1], &want, sizeof(want));
	/* room for one pair only */
	assert_int_equal(policy_halves(in, 4, AF_INET, out, 3), 2);
}

static void test_policy_export_path_too_long_for_buffer(void **state)
{
	uint8_t buf[8];
	struct bgp_attrs a;

	(void)state;
	cfg.links[0].bgp.prepend = 2;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 -ENOSPC);
}

/* The link's communities go into the UPDATE we send for our prefixes:
 * the whole message, byte for byte (RFC 1997 COMMUNITIES type 8 and
 * RFC 8092 LARGE_COMMUNITY type 32, both optional transitive, 0xc0). */
static void test_policy_export_communities_exact_update(void **state)
{
	struct cfg_addr nl = pfx("198.18.0.0", 16);
	struct cfg_link_bgp *b = &cfg.links[0].bgp;
	uint8_t buf[64], msg[BGP_MSG_MAX];
	const uint8_t want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x48, 0x02,             /* length 72, UPDATE */
		0x00, 0x00,                   /* no withdrawn routes */
		0x00, 0x2e,                   /* 46 octets of attributes */
		0x40, 0x01, 0x01, 0x00,       /* ORIGIN IGP */
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfc, 0x58,
		0x40, 0x03, 0x04, 192, 0, 2, 10, /* NEXT_HOP, ours */
		0xc0, 0x08, 0x08,             /* COMMUNITIES */
		0x1c, 0x38, 0x1b, 0xbc,       /* 7224:7100 */
		0xfc, 0x58, 0x00, 0x01,       /* 64600:1 */
		0xc0, 0x20, 0x0c,             /* LARGE_COMMUNITY */
		0x00, 0x00, 0xfc, 0x58, 0x00, 0x00, 0x00, 0x01,
		0x00, 0x00, 0x00, 0x02,       /* 64600:1:2 */
		0x10, 198, 18,                /* NLRI 198.18.0.0/16 */
	};
	struct bgp_attrs a;
	int n;

	(void)state;
	b->communities[0] = 7224u << 16 | 7100u;
	b->communities[1] = LOCAL_AS << 16 | 1u;
	b->n_communities = 2;
	b->large_communities[0][0] = LOCAL_AS;
	b->large_communities[0][1] = 1;
	b->large_communities[0][2] = 2;
	b->n_large_communities = 1;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_true(a.present & BGP_ATTR_P(BGP_ATTR_COMMUNITIES));
	n = bgp_update_build(msg, sizeof(msg), AF_INET, &a, &nl, 1, NULL, 0,
			     true);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(msg, want, sizeof(want));
}

/* Without communities configured, none are sent. */
static void test_policy_export_no_communities_by_default(void **state)
{
	uint8_t buf[64];
	struct bgp_attrs a;

	(void)state;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_false(a.present & BGP_ATTR_P(BGP_ATTR_COMMUNITIES));
	assert_int_equal(a.n_communities, 0);
	assert_int_equal(a.n_large_communities, 0);
	assert_null(a.large_communities);
}

/* A link's own announce list replaces bgp.announce on that link only;
 * an empty own list announces nothing. */
static void test_policy_announce_per_link_list(void **state)
{
	const struct cfg_addr *p;
	unsigned int n = 99;

	(void)state;
	cfg.bgp.announce[0] = pfx("198.18.0.0", 16);
	cfg.bgp.n_announce = 1;
	cfg.links[0].bgp.has_announce = true;
	cfg.links[0].bgp.announce[0] = pfx("198.18.0.0", 17);
	cfg.links[0].bgp.announce[1] = pfx("198.18.128.0", 17);
	cfg.links[0].bgp.n_announce = 2;
	p = policy_announce(&cfg, 0, &n);
	assert_ptr_equal(p, cfg.links[0].bgp.announce);
	assert_int_equal(n, 2);
	p = policy_announce(&cfg, 1, &n);
	assert_ptr_equal(p, cfg.bgp.announce);
	assert_int_equal(n, 1);
	cfg.links[0].bgp.n_announce = 0;
	policy_announce(&cfg, 0, &n);
	assert_int_equal(n, 0);
}

/* RFC 8326 §4.2: a drained link's UPDATE carries GRACEFUL_SHUTDOWN
 * (65535:0) after the link's own communities, byte for byte. */
static void test_policy_drain_gshut_after_link_communities_exact_update(
	void **state)
{
	struct cfg_addr nl = pfx("198.18.0.0", 16);
	struct cfg_link_bgp *b = &cfg.links[0].bgp;
	uint8_t buf[64], msg[BGP_MSG_MAX];
	uint32_t comm[CFG_MAX_COMMUNITIES + 1];
	const uint8_t want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x3d, 0x02,             /* length 61, UPDATE */
		0x00, 0x00,                   /* no withdrawn routes */
		0x00, 0x23,                   /* 35 octets of attributes */
		0x40, 0x01, 0x01, 0x00,       /* ORIGIN IGP */
		0x40, 0x02, 0x06, 0x02, 0x01, 0x00, 0x00, 0xfc, 0x58,
		0x40, 0x03, 0x04, 192, 0, 2, 10, /* NEXT_HOP, ours */
		0xc0, 0x08, 0x0c,             /* COMMUNITIES, 3 */
		0x1c, 0x38, 0x1b, 0xbc,       /* 7224:7100 */
		0xfc, 0x58, 0x00, 0x01,       /* 64600:1 */
		0xff, 0xff, 0x00, 0x00,       /* 65535:0 GRACEFUL_SHUTDOWN */
		0x10, 198, 18,                /* NLRI 198.18.0.0/16 */
	};
	struct bgp_attrs a;
	int n;

	(void)state;
	b->communities[0] = 7224u << 16 | 7100u;
	b->communities[1] = LOCAL_AS << 16 | 1u;
	b->n_communities = 2;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_int_equal(policy_add_gshut(&a, comm, sizeof(comm) /
					  sizeof(comm[0])), 0);
	n = bgp_update_build(msg, sizeof(msg), AF_INET, &a, &nl, 1, NULL, 0,
			     true);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(msg, want, sizeof(want));
	/* the config is left as it was */
	assert_int_equal(b->n_communities, 2);
}

/* Without communities of its own the link sends 65535:0 alone; one
 * already configured is not repeated; no room is an error. */
static void test_policy_drain_gshut_alone_once_and_bounded(void **state)
{
	uint8_t buf[64];
	uint32_t comm[2];
	struct bgp_attrs a;

	(void)state;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_int_equal(policy_add_gshut(&a, comm, 2), 0);
	assert_true(a.present & BGP_ATTR_P(BGP_ATTR_COMMUNITIES));
	assert_int_equal(a.n_communities, 1);
	assert_int_equal(a.communities[0], 0xffff0000u);
	cfg.links[0].bgp.communities[0] = 0xffff0000u;
	cfg.links[0].bgp.n_communities = 1;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_int_equal(policy_add_gshut(&a, comm, 2), 0);
	assert_int_equal(a.n_communities, 1);
	assert_ptr_equal(a.communities, cfg.links[0].bgp.communities);
	cfg.links[0].bgp.communities[0] = 7224u << 16 | 7100u;
	cfg.links[0].bgp.communities[1] = 7224u << 16 | 7300u;
	cfg.links[0].bgp.n_communities = 2;
	assert_int_equal(policy_export(&cfg, 0, AF_INET, &a, buf, sizeof(buf)),
			 0);
	assert_int_equal(policy_add_gshut(&a, comm, 2), -ENOSPC);
}

/* RFC 8326 §4.2: a drained link's accepted paths get LOCAL_PREF 0. */
static void test_policy_drained_local_pref_zero(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct learned r;
	struct bgp_attrs *a = learned(&r, "192.0.2.1", 64520);

	(void)state;
	assert_int_equal(policy_import(&cfg, 0, &p, a), POL_ACCEPT);
	assert_int_equal(a->local_pref, 150);
	policy_drained(a);
	assert_true(a->present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF));
	assert_int_equal(a->local_pref, 0);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_policy_no_import_rule_rejects_all),
		T(test_policy_exact_rule_matches_only_its_length),
		T(test_policy_ge_le_rule_bounds),
		T(test_policy_rule_family_must_match),
		T(test_policy_own_as_in_path_rejected),
		T(test_policy_nexthop_off_link_rejected),
		T(test_policy_ipv6_nexthop_accepted),
		T(test_policy_ipv6_own_address_nexthop_rejected),
		T(test_policy_import_sets_link_local_pref),
		T(test_policy_export_prepend_and_med),
		T(test_policy_export_without_med),
		T(test_policy_export_never_local_pref),
		T(test_policy_export_needs_link_address_of_family),
		T(test_policy_export_dual_stack_next_hop_per_family),
		T(test_policy_import_dual_stack_next_hops),
		T(test_policy_export_path_too_long_for_buffer),
		T(test_policy_steer_drops_prepend_and_med),
		T(test_policy_halves),
		T(test_policy_export_communities_exact_update),
		T(test_policy_export_no_communities_by_default),
		T(test_policy_announce_per_link_list),
		T(test_policy_drain_gshut_after_link_communities_exact_update),
		T(test_policy_drain_gshut_alone_once_and_bounded),
		T(test_policy_drained_local_pref_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
