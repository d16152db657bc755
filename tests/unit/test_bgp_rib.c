/* RIB (control/bgp/rib.c): primary and backup nexthop sets for
 * active/active, active/standby and prepended links, withdraw, flush,
 * graceful-restart stale paths (and a session down keeping one family),
 * budgeted processing that reports each change once and nothing else,
 * attribute interning, rib_walk filters, and the memory a million routes
 * take. */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "prefix_fixture.h"

#include "rib.h"

#define BOTH_AF (RIB_KEEP_AF(BGP_AF_IPV4) | RIB_KEEP_AF(BGP_AF_IPV6))

/* Attributes as import policy leaves them: ORIGIN IGP, AS_PATH of HOPS
 * times FIRST_AS, NEXT_HOP NH, LOCAL_PREF LP. */
struct route {
	struct bgp_attrs a;
	uint8_t path[2 + 4 * 16];
};

static struct bgp_attrs *route(struct route *r, uint32_t lp, const char *nh,
			       uint32_t first_as, unsigned int hops)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->path[0] = 2; /* AS_SEQUENCE */
	r->path[1] = (uint8_t)hops;
	for (i = 0; i < hops; i++) {
		uint32_t be = htonl(first_as);

		memcpy(&r->path[2 + 4 * i], &be, 4);
	}
	r->a.present = BGP_ATTR_P(BGP_ATTR_ORIGIN) |
		       BGP_ATTR_P(BGP_ATTR_AS_PATH) |
		       BGP_ATTR_P(BGP_ATTR_NEXT_HOP) |
		       BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
	r->a.origin = BGP_ORIGIN_IGP;
	r->a.aspath = r->path;
	r->a.aspath_len = (uint16_t)(2 + 4 * hops);
	r->a.local_pref = lp;
	r->a.nexthop = pfx(nh, strchr(nh, ':') ? 128 : 32);
	return &r->a;
}

/* What the FIB callback saw. */
#define MAX_CALLS 64
struct calls {
	unsigned int n;
	struct cfg_addr prefix[MAX_CALLS];
	bool withdrawn[MAX_CALLS];
	struct rib_nhset set[MAX_CALLS];
};

static void record(void *arg, const struct cfg_addr *prefix,
		   const struct rib_nhset *set)
{
	struct calls *c = arg;

	assert_true(c->n < MAX_CALLS);
	c->prefix[c->n] = *prefix;
	c->withdrawn[c->n] = set == NULL;
	if (set)
		c->set[c->n] = *set;
	c->n++;
}

static struct rib *rib_two_links(void)
{
	struct rib *r = rib_new(2);
	struct rib_peer p;
	unsigned int i;

	assert_non_null(r);
	for (i = 0; i < 2; i++) {
		memset(&p, 0, sizeof(p));
		p.asn = 64500 + i;
		p.router_id[0] = 10;
		p.router_id[3] = (uint8_t)(1 + i);
		p.addr = pfx(i ? "192.0.2.2" : "192.0.2.1", 32);
		rib_set_peer(r, i, BOTH_AF, &p);
	}
	return r;
}

static void assert_nh(const struct rib_nh *nh, uint16_t link, const char *a)
{
	struct cfg_addr want = pfx(a, strchr(a, ':') ? 128 : 32);

	assert_int_equal(nh->link, link);
	assert_memory_equal(&nh->addr, &want, sizeof(want));
}

/* Link 0 (next hop 192.0.2.1, AS 64500) and link 1 (192.0.2.2, AS 64501)
 * announce P with local-pref LPn and AS paths of HOPSn; then one
 * rib_process() into C. */
static void announce_two(struct rib *r, const struct cfg_addr *p,
			 uint32_t lp0, unsigned int hops0, uint32_t lp1,
			 unsigned int hops1, struct calls *c)
{
	struct route r0, r1;

	assert_int_equal(rib_update(r, 0, p, route(&r0, lp0, "192.0.2.1",
						    64500, hops0)), 0);
	assert_int_equal(rib_update(r, 1, p, route(&r1, lp1, "192.0.2.2",
						    64501, hops1)), 0);
	rib_process(r, 100, record, c);
}

static void test_rib_active_active_both_primary(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct calls c = {0};
	struct route r0, r1;
	struct rib *r = rib_two_links();

	(void)state;
	/* link 1 first: the set is still in link order */
	assert_int_equal(rib_update(r, 1, &p, route(&r1, 100, "192.0.2.2",
						     64501, 1)), 0);
	assert_int_equal(rib_update(r, 0, &p, route(&r0, 100, "192.0.2.1",
						     64500, 1)), 0);
	assert_int_equal(rib_pending(r), 1);
	assert_int_equal(rib_process(r, 100, record, &c), 0);
	assert_int_equal(c.n, 1);
	assert_memory_equal(&c.prefix[0], &p, sizeof(p));
	assert_int_equal(c.set[0].n_primary, 2);
	assert_int_equal(c.set[0].n_backup, 0);
	assert_nh(&c.set[0].primary[0], 0, "192.0.2.1");
	assert_nh(&c.set[0].primary[1], 1, "192.0.2.2");
	rib_free(r);
}

static void test_rib_active_standby_primary_and_backup(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct calls c = {0};
	struct rib *r = rib_two_links();

	(void)state;
	announce_two(r, &p, 200, 1, 100, 1, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.set[0].n_primary, 1);
	assert_int_equal(c.set[0].n_backup, 1);
	assert_nh(&c.set[0].primary[0], 0, "192.0.2.1");
	assert_nh(&c.set[0].backup[0], 1, "192.0.2.2");
	rib_free(r);
}

static void test_rib_prepended_side_is_backup_not_multipath(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct calls c = {0};
	struct rib *r = rib_two_links();

	(void)state;
	/* link 0 prepends twice: three hops against one */
	announce_two(r, &p, 100, 3, 100, 1, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.set[0].n_primary, 1);
	assert_int_equal(c.set[0].n_backup, 1);
	assert_nh(&c.set[0].primary[0], 1, "192.0.2.2");
	assert_nh(&c.set[0].backup[0], 0, "192.0.2.1");
	rib_free(r);
}

static void test_rib_backup_tier_is_next_best_and_its_equals(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct calls c = {0};
	struct route rt[4];
	struct rib *r = rib_new(4);
	unsigned int i;

	(void)state;
	/* link 0: lp 300; links 1, 2: lp 200 (tier 2); link 3: lp 100 */
	rib_update(r, 0, &p, route(&rt[0], 300, "192.0.2.1", 64500, 1));
	rib_update(r, 1, &p, route(&rt[1], 200, "192.0.2.2", 64501, 1));
	rib_update(r, 2, &p, route(&rt[2], 200, "192.0.2.3", 64502, 1));
	rib_update(r, 3, &p, route(&rt[3], 100, "192.0.2.4", 64503, 1));
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.set[0].n_primary, 1);
	assert_int_equal(c.set[0].primary[0].link, 0);
	assert_int_equal(c.set[0].n_backup, 2);
	for (i = 0; i < 2; i++)
		assert_int_equal(c.set[0].backup[i].link, 1 + i);
	rib_free(r);
}

/* RFC 8326 §4.2, a drained link: its paths at LOCAL_PREF 0 leave the
 * primary set for the backup one (active/active: the other link alone
 * forwards, the drained one stays precomputed as backup; active/standby
 * with the primary drained: the standby becomes primary); the link's
 * local_pref back restores the sets. Only changed prefixes are queued,
 * and each is reported once. */
static void test_rib_drained_link_local_pref_0_goes_backup(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24), q = pfx("198.51.100.0", 24);
	struct calls c = {0};
	struct rib *r = rib_two_links();

	(void)state;
	announce_two(r, &p, 100, 1, 100, 1, &c);
	assert_int_equal(c.set[0].n_primary, 2);
	assert_int_equal(rib_link_installed(r, 0), 1);
	assert_int_equal(rib_link_set_local_pref(r, 0, 0), 1);
	assert_int_equal(rib_link_set_local_pref(r, 0, 0), 0); /* no change */
	assert_int_equal(rib_pending(r), 1);
	memset(&c, 0, sizeof(c));
	assert_int_equal(rib_process(r, 100, record, &c), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.set[0].n_primary, 1);
	assert_int_equal(c.set[0].n_backup, 1);
	assert_nh(&c.set[0].primary[0], 1, "192.0.2.2");
	assert_nh(&c.set[0].backup[0], 0, "192.0.2.1");
	assert_int_equal(rib_link_installed(r, 0), 0);
	assert_int_equal(rib_link_set_local_pref(r, 0, 100), 1);
	memset(&c, 0, sizeof(c));
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.set[0].n_primary, 2);
	assert_int_equal(c.set[0].n_backup, 0);
	/* active/standby: 200 on link 0, 100 on link 1; link 0 drained */
	memset(&c, 0, sizeof(c));
	announce_two(r, &q, 200, 1, 100, 1, &c);
	assert_nh(&c.set[0].primary[0], 0, "192.0.2.1");
	assert_int_equal(rib_link_set_local_pref(r, 0, 0), 2);
	memset(&c, 0, sizeof(c));
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.set[0].n_primary, 1);
	assert_int_equal(c.set[1].n_primary, 1);
	assert_nh(&c.set[0].primary[0], 1, "192.0.2.2");
	assert_nh(&c.set[0].backup[0], 0, "192.0.2.1");
	assert_nh(&c.set[1].primary[0], 1, "192.0.2.2");
	/* a prefix only the drained link has keeps it: least preferred is
	 * still better than no path */
	assert_int_equal(rib_withdraw(r, 1, &q), 0);
	memset(&c, 0, sizeof(c));
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.set[0].n_primary, 1);
	assert_nh(&c.set[0].primary[0], 0, "192.0.2.1");
	rib_free(r);
}

static void test_rib_withdraw_best_promotes_backup(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct calls c = {0};
	struct rib *r = rib_two_links();

	(void)state;
	announce_two(r, &p, 200, 1, 100, 1, &c);
	assert_int_equal(rib_withdraw(r, 0, &p), 0);
	assert_int_equal(rib_withdraw(r, 0, &p), -ENOENT);
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.set[1].n_primary, 1);
	assert_int_equal(c.set[1].n_backup, 0);
	assert_nh(&c.set[1].primary[0], 1, "192.0.2.2");
	/* the last path gone: the prefix is withdrawn from the FIB */
	assert_int_equal(rib_withdraw(r, 1, &p), 0);
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 3);
	assert_true(c.withdrawn[2]);
	assert_int_equal(rib_loc_count(r, AF_INET), 0);
	rib_free(r);
}

/* The per-link installed count follows the primary sets as reported:
 * both links while equal, the better one alone, none once withdrawn. */
static void test_rib_link_installed_follows_primary_set(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct cfg_addr q = pfx("198.51.100.0", 24);
	struct calls c = {0};
	struct route rt;
	struct rib *r = rib_two_links();

	(void)state;
	announce_two(r, &p, 100, 1, 100, 1, &c);
	announce_two(r, &q, 200, 1, 100, 1, &c);
	assert_int_equal(rib_link_installed(r, 0), 2);
	assert_int_equal(rib_link_installed(r, 1), 1);
	/* decided, not yet processed: the count is the reported one */
	assert_int_equal(rib_update(r, 1, &q, route(&rt, 300, "192.0.2.2",
						     64501, 1)), 0);
	assert_int_equal(rib_link_installed(r, 0), 2);
	rib_process(r, 100, record, &c);
	assert_int_equal(rib_link_installed(r, 0), 1);
	assert_int_equal(rib_link_installed(r, 1), 2);
	assert_int_equal(rib_peer_flush(r, 1, BOTH_AF), 2);
	rib_process(r, 100, record, &c);
	assert_int_equal(rib_link_installed(r, 0), 2);
	assert_int_equal(rib_link_installed(r, 1), 0);
	assert_int_equal(rib_peer_flush(r, 0, BOTH_AF), 2);
	rib_process(r, 100, record, &c);
	assert_int_equal(rib_link_installed(r, 0), 0);
	assert_int_equal(rib_link_installed(r, 1), 0);
	assert_int_equal(rib_link_installed(r, 2), 0); /* no such link */
	rib_free(r);
}

static void test_rib_peer_flush_removes_every_path_of_link(void **state)
{
	struct calls c = {0};
	struct route r0, r1;
	struct rib *r = rib_two_links();
	unsigned int i;

	(void)state;
	route(&r0, 100, "192.0.2.1", 64500, 1);
	route(&r1, 100, "192.0.2.2", 64501, 1);
	for (i = 0; i < 3; i++) {
		struct cfg_addr p = pfx("203.0.113.0", 24);

		p.addr[2] = (uint8_t)i;
		rib_update(r, 0, &p, &r0.a);
		rib_update(r, 1, &p, &r1.a);
	}
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 3);
	assert_int_equal(rib_link_count(r, 0), 3);
	assert_int_equal(rib_peer_flush(r, 0, BOTH_AF), 3);
	assert_int_equal(rib_link_count(r, 0), 0);
	assert_int_equal(rib_link_count(r, 1), 3);
	assert_int_equal(rib_loc_count(r, AF_INET), 3);
	c.n = 0;
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(c.set[i].n_primary, 1);
		assert_int_equal(c.set[i].primary[0].link, 1);
	}
	assert_int_equal(rib_peer_flush(r, 1, BOTH_AF), 3);
	c.n = 0;
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 3);
	for (i = 0; i < 3; i++)
		assert_true(c.withdrawn[i]);
	assert_int_equal(rib_loc_count(r, 0), 0);
	rib_free(r);
}

static int count_stale(void *arg, const struct cfg_addr *prefix,
		       const struct rib_path_view *paths, unsigned int n)
{
	unsigned int *stale = arg, i;

	(void)prefix;
	for (i = 0; i < n; i++)
		*stale += paths[i].stale;
	return 0;
}

static void test_rib_stale_paths_swept_by_family(void **state)
{
	struct cfg_addr p4 = pfx("203.0.113.0", 24);
	struct cfg_addr p6 = pfx("2001:db8:100::", 48);
	struct calls c = {0};
	struct route r0, r1, r06, r16;
	struct rib *r = rib_two_links();
	unsigned int stale = 0;

	(void)state;
	rib_update(r, 0, &p4, route(&r0, 200, "192.0.2.1", 64500, 1));
	rib_update(r, 1, &p4, route(&r1, 100, "192.0.2.2", 64501, 1));
	rib_update(r, 0, &p6, route(&r06, 200, "2001:db8::1", 64500, 1));
	rib_update(r, 1, &p6, route(&r16, 100, "2001:db8::2", 64501, 1));
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 2);
	/* RFC 4724: the session went down; the paths stay in use */
	assert_int_equal(rib_peer_mark_stale(r, 0), 2);
	assert_int_equal(rib_pending(r), 0);
	rib_walk(r, NULL, count_stale, &stale);
	assert_int_equal(stale, 2);
	/* IPv4 End-of-RIB: only the IPv4 stale path goes */
	assert_int_equal(rib_sweep_stale(r, 0, AF_INET), 1);
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 3);
	assert_memory_equal(&c.prefix[2], &p4, sizeof(p4));
	assert_int_equal(c.set[2].n_primary, 1);
	assert_int_equal(c.set[2].primary[0].link, 1);
	assert_int_equal(rib_link_count(r, 0), 1);
	/* the IPv6 path refreshed (same attributes): not stale, no change */
	rib_update(r, 0, &p6, &r06.a);
	assert_int_equal(rib_sweep_stale(r, 0, 0), 0);
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 3);
	stale = 0;
	rib_walk(r, NULL, count_stale, &stale);
	assert_int_equal(stale, 0);
	rib_free(r);
}

/* Per prefix: whether link 0 and link 1 have a path, and its stale bit. */
struct link_paths {
	unsigned int n;
	struct cfg_addr prefix[8];
	bool has[8][2], stale[8][2];
};

static int walk_links(void *arg, const struct cfg_addr *prefix,
		      const struct rib_path_view *paths, unsigned int n)
{
	struct link_paths *w = arg;
	unsigned int i;

	assert_true(w->n < 8);
	w->prefix[w->n] = *prefix;
	for (i = 0; i < n; i++) {
		assert_true(paths[i].link < 2);
		w->has[w->n][paths[i].link] = true;
		w->stale[w->n][paths[i].link] = paths[i].stale;
	}
	w->n++;
	return 0;
}

/* What the walk saw of PREFIX, or -1. */
static int seen_at(const struct link_paths *w, const struct cfg_addr *p)
{
	unsigned int i;

	for (i = 0; i < w->n; i++)
		if (memcmp(&w->prefix[i], p, sizeof(*p)) == 0)
			return (int)i;
	return -1;
}

/* RFC 4724 §4.2 with IPv4 kept and IPv6 not: one rib_peer_down call marks
 * link 0's IPv4 paths stale, removes its IPv6 ones, leaves link 1 alone,
 * and queues exactly the IPv6 prefixes for the decision process. */
static void test_rib_peer_down_keeps_ipv4_stale_removes_ipv6(void **state)
{
	struct cfg_addr p4a = pfx("203.0.113.0", 24);
	struct cfg_addr p4b = pfx("198.51.100.0", 24);
	struct cfg_addr p6a = pfx("2001:db8:100::", 48);
	struct cfg_addr p6b = pfx("2001:db8:200::", 48);
	struct route r0, r1, r06, r16;
	struct link_paths w = {0};
	struct calls c = {0};
	struct rib *r = rib_two_links();
	size_t stale = 99;
	int i;

	(void)state;
	route(&r0, 200, "192.0.2.1", 64500, 1);
	route(&r1, 100, "192.0.2.2", 64501, 1);
	route(&r06, 200, "2001:db8::1", 64500, 1);
	route(&r16, 100, "2001:db8::2", 64501, 1);
	rib_update(r, 0, &p4a, &r0.a);
	rib_update(r, 0, &p4b, &r0.a);
	rib_update(r, 0, &p6a, &r06.a);
	rib_update(r, 0, &p6b, &r06.a);
	rib_update(r, 1, &p4a, &r1.a);
	rib_update(r, 1, &p6a, &r16.a);
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 4);

	assert_int_equal(rib_peer_down(r, 0, BOTH_AF,
				       RIB_KEEP_AF(BGP_AF_IPV4), &stale), 2);
	assert_int_equal(stale, 2);
	assert_int_equal(rib_link_count(r, 0), 2);
	assert_int_equal(rib_link_count(r, 1), 2);
	assert_int_equal(rib_pending(r), 2);

	/* the stale IPv4 paths still forward: only IPv6 is decided again */
	c.n = 0;
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 2);
	i = memcmp(&c.prefix[0], &p6a, sizeof(p6a)) == 0 ? 0 : 1;
	assert_memory_equal(&c.prefix[i], &p6a, sizeof(p6a));
	assert_false(c.withdrawn[i]);
	assert_int_equal(c.set[i].n_primary, 1);
	assert_nh(&c.set[i].primary[0], 1, "2001:db8::2");
	assert_memory_equal(&c.prefix[1 - i], &p6b, sizeof(p6b));
	assert_true(c.withdrawn[1 - i]);
	assert_int_equal(rib_loc_count(r, AF_INET), 2);
	assert_int_equal(rib_loc_count(r, AF_INET6), 1);

	rib_walk(r, NULL, walk_links, &w);
	assert_int_equal(w.n, 3);
	i = seen_at(&w, &p4a);
	assert_true(i >= 0);
	assert_true(w.has[i][0] && w.stale[i][0]);
	assert_true(w.has[i][1] && !w.stale[i][1]);
	i = seen_at(&w, &p4b);
	assert_true(i >= 0);
	assert_true(w.has[i][0] && w.stale[i][0]);
	assert_false(w.has[i][1]);
	i = seen_at(&w, &p6a);
	assert_true(i >= 0);
	assert_false(w.has[i][0]);
	assert_true(w.has[i][1] && !w.stale[i][1]);
	assert_int_equal(seen_at(&w, &p6b), -1);
	rib_free(r);
}

static void test_rib_budget_reports_each_prefix_once(void **state)
{
	struct calls c = {0};
	struct route r0, r0b;
	struct rib *r = rib_two_links();
	unsigned int i, j, seen[10] = {0};

	(void)state;
	route(&r0, 100, "192.0.2.1", 64500, 1);
	route(&r0b, 100, "192.0.2.5", 64500, 1);
	for (i = 0; i < 10; i++) {
		struct cfg_addr p = pfx("198.18.0.0", 24);

		p.addr[2] = (uint8_t)i;
		rib_update(r, 0, &p, &r0.a);
		/* changed again before processing: still queued once */
		rib_update(r, 0, &p, &r0b.a);
	}
	assert_int_equal(rib_pending(r), 10);
	assert_int_equal(rib_process(r, 3, record, &c), 7);
	assert_int_equal(c.n, 3);
	assert_int_equal(rib_process(r, 3, record, &c), 4);
	assert_int_equal(rib_process(r, 3, record, &c), 1);
	assert_int_equal(rib_process(r, 3, record, &c), 0);
	assert_int_equal(c.n, 10);
	for (j = 0; j < c.n; j++) {
		seen[c.prefix[j].addr[2]]++;
		assert_nh(&c.set[j].primary[0], 0, "192.0.2.5");
	}
	for (i = 0; i < 10; i++)
		assert_int_equal(seen[i], 1);
	assert_int_equal(rib_process(r, 3, record, &c), 0);
	assert_int_equal(c.n, 10);
	rib_free(r);
}

static void test_rib_unchanged_reannounce_no_callback(void **state)
{
	struct cfg_addr p = pfx("203.0.113.0", 24);
	struct calls c = {0};
	struct route r0, r0med;
	struct rib *r = rib_two_links();

	(void)state;
	announce_two(r, &p, 100, 1, 100, 1, &c);
	assert_int_equal(c.n, 1);
	/* the same attributes again */
	assert_int_equal(rib_update(r, 0, &p, route(&r0, 100, "192.0.2.1",
						    64500, 1)), 0);
	assert_int_equal(rib_process(r, 100, record, &c), 0);
	assert_int_equal(c.n, 1);
	/* other attributes, same nexthop set: decided, not reported */
	route(&r0med, 100, "192.0.2.1", 64500, 1);
	r0med.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	r0med.a.med = 50;
	assert_int_equal(rib_update(r, 0, &p, &r0med.a), 0);
	assert_int_equal(rib_pending(r), 1);
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 1);
	/* a new next hop on the same link is a change */
	rib_update(r, 0, &p, route(&r0, 100, "192.0.2.9", 64500, 1));
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 2);
	assert_nh(&c.set[1].primary[0], 0, "192.0.2.9");
	assert_nh(&c.set[1].primary[1], 1, "192.0.2.2");
	rib_free(r);
}

static void test_rib_ipv6_link_local_nexthop_preferred(void **state)
{
	struct cfg_addr p = pfx("2001:db8:100::", 48);
	struct calls c = {0};
	struct route r0;
	struct rib *r = rib_two_links();

	(void)state;
	route(&r0, 100, "2001:db8::1", 64500, 1);
	r0.a.nexthop_ll = pfx("fe80::1", 128);
	rib_update(r, 0, &p, &r0.a);
	rib_process(r, 100, record, &c);
	assert_int_equal(c.n, 1);
	assert_nh(&c.set[0].primary[0], 0, "fe80::1");
	assert_int_equal(rib_loc_count(r, AF_INET6), 1);
	assert_int_equal(rib_loc_count(r, AF_INET), 0);
	rib_free(r);
}

static int collect_attrs(void *arg, const struct cfg_addr *prefix,
			 const struct rib_path_view *paths, unsigned int n)
{
	const struct bgp_attrs **seen = arg;

	(void)prefix;
	assert_int_equal(n, 1);
	if (!seen[0])
		seen[0] = paths[0].attrs;
	else
		seen[1] = paths[0].attrs;
	return 0;
}

static void test_rib_interned_attrs_shared(void **state)
{
	const struct bgp_attrs *seen[2] = {NULL, NULL};
	uint32_t comm[2] = {0xfde80001u, 0xfde80002u};
	struct route r0, r0copy, r1;
	struct rib *r = rib_two_links();
	unsigned int i;

	(void)state;
	route(&r0, 100, "192.0.2.1", 64500, 2);
	r0.a.communities = comm;
	r0.a.n_communities = 2;
	route(&r1, 100, "192.0.2.2", 64501, 1);
	for (i = 0; i < 1000; i++) {
		struct cfg_addr p = pfx("198.18.0.0", 24);

		p.addr[1] = (uint8_t)(18 + i / 256);
		p.addr[2] = (uint8_t)i;
		/* a fresh copy each time, as from a new UPDATE */
		r0copy = r0;
		r0copy.a.aspath = r0copy.path;
		rib_update(r, 0, &p, &r0copy.a);
		if (i < 2)
			rib_update(r, 1, &p, &r1.a);
	}
	assert_int_equal(rib_attr_count(r), 2);
	assert_int_equal(rib_link_count(r, 0), 1000);
	rib_process(r, 2000, NULL, NULL);
	rib_peer_flush(r, 1, BOTH_AF);
	assert_int_equal(rib_attr_count(r), 1);
	rib_process(r, 2000, NULL, NULL);
	/* two prefixes, one copy: the same attributes, aspath and
	 * communities storage */
	{
		struct cfg_addr a = pfx("198.18.0.0", 24);
		struct cfg_addr b = pfx("198.18.1.0", 24);

		rib_walk(r, &a, collect_attrs, seen);
		rib_walk(r, &b, collect_attrs, seen);
	}
	assert_non_null(seen[0]);
	assert_ptr_equal(seen[0], seen[1]);
	assert_ptr_not_equal(seen[0]->aspath, r0.path);
	assert_int_equal(seen[0]->n_communities, 2);
	assert_int_equal(seen[0]->communities[1], 0xfde80002u);
	/* other attributes: another set; all gone: none */
	r0copy.a.med = 5;
	r0copy.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	{
		struct cfg_addr a = pfx("198.18.0.0", 24);

		rib_update(r, 0, &a, &r0copy.a);
	}
	assert_int_equal(rib_attr_count(r), 2);
	rib_peer_flush(r, 0, BOTH_AF);
	assert_int_equal(rib_attr_count(r), 0);
	rib_free(r);
}

struct walk_seen {
	unsigned int n;
	struct cfg_addr prefix[8];
	unsigned int n_paths[8];
	struct rib_path_view first[8], second[8];
};

static int walk_record(void *arg, const struct cfg_addr *prefix,
		       const struct rib_path_view *paths, unsigned int n)
{
	struct walk_seen *w = arg;

	assert_true(w->n < 8);
	w->prefix[w->n] = *prefix;
	w->n_paths[w->n] = n;
	w->first[w->n] = paths[0];
	if (n > 1)
		w->second[w->n] = paths[1];
	w->n++;
	return 0;
}

static int walk_stop(void *arg, const struct cfg_addr *prefix,
		     const struct rib_path_view *paths, unsigned int n)
{
	(void)prefix;
	(void)paths;
	(void)n;
	(*(unsigned int *)arg)++;
	return 1;
}

static void test_rib_walk_filters(void **state)
{
	struct cfg_addr p8 = pfx("10.0.0.0", 8), p16 = pfx("10.1.0.0", 16);
	struct cfg_addr p24 = pfx("10.1.2.0", 24), q;
	struct route r0, r1;
	struct walk_seen w;
	struct rib *r = rib_two_links();
	unsigned int n = 0;

	(void)state;
	route(&r0, 100, "192.0.2.1", 64500, 1);
	route(&r1, 200, "192.0.2.2", 64501, 1);
	rib_update(r, 0, &p8, &r0.a);
	rib_update(r, 0, &p16, &r0.a);
	rib_update(r, 0, &p24, &r0.a);
	rib_update(r, 1, &p24, &r1.a);
	rib_process(r, 100, NULL, NULL);

	memset(&w, 0, sizeof(w));
	rib_walk(r, NULL, walk_record, &w);
	assert_int_equal(w.n, 3);

	/* a host address: the longest prefix containing it, best first */
	memset(&w, 0, sizeof(w));
	q = pfx("10.1.2.3", 32);
	rib_walk(r, &q, walk_record, &w);
	assert_int_equal(w.n, 1);
	assert_memory_equal(&w.prefix[0], &p24, sizeof(p24));
	assert_int_equal(w.n_paths[0], 2);
	assert_int_equal(w.first[0].link, 1);
	assert_int_equal(w.first[0].role, RIB_ROLE_BEST);
	assert_int_equal(w.second[0].link, 0);
	assert_int_equal(w.second[0].role, RIB_ROLE_BACKUP);

	memset(&w, 0, sizeof(w));
	q = pfx("10.1.9.9", 32);
	rib_walk(r, &q, walk_record, &w);
	assert_int_equal(w.n, 1);
	assert_memory_equal(&w.prefix[0], &p16, sizeof(p16));

	/* a prefix: only itself, host bits ignored */
	memset(&w, 0, sizeof(w));
	q = pfx("10.1.7.7", 16);
	rib_walk(r, &q, walk_record, &w);
	assert_int_equal(w.n, 1);
	assert_memory_equal(&w.prefix[0], &p16, sizeof(p16));
	assert_int_equal(w.first[0].role, RIB_ROLE_BEST);

	memset(&w, 0, sizeof(w));
	q = pfx("10.2.0.0", 16);
	rib_walk(r, &q, walk_record, &w);
	assert_int_equal(w.n, 0);
	q = pfx("11.0.0.1", 32);
	rib_walk(r, &q, walk_record, &w);
	assert_int_equal(w.n, 0);

	/* a non-zero return stops the walk */
	rib_walk(r, NULL, walk_stop, &n);
	assert_int_equal(n, 1);
	rib_free(r);
}

static size_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks + mi.hblkhd;
}

struct fib_count {
	size_t n;
};

static void count_cb(void *arg, const struct cfg_addr *prefix,
		     const struct rib_nhset *set)
{
	(void)prefix;
	if (set && set->n_primary == 2)
		((struct fib_count *)arg)->n++;
}

#define MILLION 1000000u

/* The Ith of a million /24s, from 16.0.0.0 on. */
static struct cfg_addr million_pfx(uint32_t i)
{
	struct cfg_addr p;
	uint32_t a = htonl((i + (1u << 20)) << 8);

	memset(&p, 0, sizeof(p));
	p.family = AF_INET;
	p.len = 24;
	memcpy(p.addr, &a, 4);
	return p;
}

static void test_rib_million_routes_two_links_memory(void **state)
{
	struct fib_count fc = {0};
	struct route r0, r1;
	struct rib *r;
	size_t before, after;
	uint32_t i;

	(void)state;
	before = heap_bytes();
	r = rib_two_links();
	route(&r0, 100, "192.0.2.1", 64500, 2);
	route(&r1, 100, "192.0.2.2", 64501, 3);
	r1.a.present |= BGP_ATTR_P(BGP_ATTR_MED);
	for (i = 0; i < MILLION; i++) {
		struct cfg_addr p = million_pfx(i);

		assert_int_equal(rib_update(r, 0, &p, &r0.a), 0);
		if (i % 2 == 0)
			assert_int_equal(rib_update(r, 1, &p, &r1.a), 0);
	}
	while (rib_process(r, 65536, count_cb, &fc))
		;
	after = heap_bytes();
	/* r1's longer path: never in the primary set */
	assert_int_equal(fc.n, 0);
	assert_int_equal(rib_loc_count(r, AF_INET), MILLION);
	assert_int_equal(rib_attr_count(r), 2);
	print_message("rib: %u prefixes, %u paths: %zu bytes (%.1f per "
		      "prefix)\n", MILLION, MILLION + MILLION / 2,
		      after - before, (double)(after - before) / MILLION);
	/* a few hundred MB at most for a million prefixes */
	assert_true(after - before < 200u * 1024 * 1024);
	rib_free(r);
}

/* links.bgp.max_memory_mb: a link is charged a fixed amount per path and
 * each attribute set once, its own (sets are interned per link); another
 * link's routes, even with the same attributes, are not its. */
static void test_rib_link_bytes_counts_paths_and_own_sets(void **state)
{
	struct cfg_addr a = pfx("198.18.0.0", 24), b = pfx("198.18.1.0", 24);
	struct cfg_addr c = pfx("198.18.2.0", 24);
	struct route r0, r0b;
	struct rib *r;
	size_t one, set;

	(void)state;
	r = rib_two_links();
	route(&r0, 100, "192.0.2.1", 64500, 2);
	route(&r0b, 100, "192.0.2.1", 64500, 5);
	assert_int_equal(rib_link_bytes(r, 0), 0);
	assert_int_equal(rib_update(r, 0, &a, &r0.a), 0);
	one = rib_link_bytes(r, 0);
	/* a path (160) and its set: the set at least the attributes */
	set = one - 160u;
	assert_true(set >= sizeof(struct bgp_attrs) + r0.a.aspath_len);
	assert_int_equal(set % 16u, 0);
	/* the same attributes again: one more path, no new set */
	assert_int_equal(rib_update(r, 0, &b, &r0.a), 0);
	assert_int_equal(rib_link_bytes(r, 0), one + 160u);
	/* a longer AS path: a set 12 bytes longer, rounded to 16 */
	assert_int_equal(rib_update(r, 0, &c, &r0b.a), 0);
	assert_int_equal(rib_link_bytes(r, 0),
			 one + 160u + 160u + ((set + 12u + 15u) & ~15u));
	/* link 1 with the very same attributes: its own set, its own bytes */
	assert_int_equal(rib_update(r, 1, &a, &r0.a), 0);
	assert_int_equal(rib_link_bytes(r, 1), one);
	assert_int_equal(rib_attr_count(r), 3);
	/* replacing c's attributes frees the longer set */
	assert_int_equal(rib_update(r, 0, &c, &r0.a), 0);
	assert_int_equal(rib_link_bytes(r, 0), one + 2u * 160u);
	assert_int_equal(rib_withdraw(r, 0, &b), 0);
	assert_int_equal(rib_link_bytes(r, 0), one + 160u);
	rib_peer_flush(r, 0, BOTH_AF);
	assert_int_equal(rib_link_bytes(r, 0), 0);
	assert_int_equal(rib_link_bytes(r, 1), one);
	rib_process(r, 100, NULL, NULL);
	rib_peer_flush(r, 1, BOTH_AF);
	assert_int_equal(rib_link_bytes(r, 1), 0);
	rib_free(r);
}

/* The charge is not an under-estimate: a million prefixes of one link,
 * one attribute set per 4 prefixes (a full table has about that many
 * distinct paths; AS path of 5, two communities), take no more heap than
 * rib_link_bytes() says, decision queue included. */
static void test_rib_million_routes_one_link_within_charge(void **state)
{
	static uint32_t comm[2] = {0xfde80001u, 0xfde80002u};
	struct route r0;
	struct rib *r;
	size_t before, after, charged;
	uint32_t i;

	(void)state;
	before = heap_bytes();
	r = rib_two_links();
	route(&r0, 100, "192.0.2.1", 64500, 5);
	r0.a.present |= BGP_ATTR_P(BGP_ATTR_COMMUNITIES) |
			BGP_ATTR_P(BGP_ATTR_MED);
	r0.a.communities = comm;
	r0.a.n_communities = 2;
	for (i = 0; i < MILLION; i++) {
		struct cfg_addr p = million_pfx(i);

		r0.a.med = i / 4u;
		assert_int_equal(rib_update(r, 0, &p, &r0.a), 0);
	}
	while (rib_process(r, 65536, NULL, NULL))
		;
	after = heap_bytes();
	charged = rib_link_bytes(r, 0);
	assert_int_equal(rib_attr_count(r), MILLION / 4u);
	print_message("rib: one link, %u prefixes, %u sets: heap %zu bytes "
		      "(%.1f per route), charged %zu (%.1f per route)\n",
		      MILLION, MILLION / 4u, after - before,
		      (double)(after - before) / MILLION, charged,
		      (double)charged / MILLION);
	assert_true(after - before <= charged);
	rib_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rib_active_active_both_primary),
		cmocka_unit_test(test_rib_active_standby_primary_and_backup),
		cmocka_unit_test(test_rib_prepended_side_is_backup_not_multipath),
		cmocka_unit_test(test_rib_backup_tier_is_next_best_and_its_equals),
		cmocka_unit_test(test_rib_withdraw_best_promotes_backup),
		cmocka_unit_test(test_rib_drained_link_local_pref_0_goes_backup),
		cmocka_unit_test(test_rib_link_installed_follows_primary_set),
		cmocka_unit_test(test_rib_peer_flush_removes_every_path_of_link),
		cmocka_unit_test(test_rib_stale_paths_swept_by_family),
		cmocka_unit_test(
			test_rib_peer_down_keeps_ipv4_stale_removes_ipv6),
		cmocka_unit_test(test_rib_budget_reports_each_prefix_once),
		cmocka_unit_test(test_rib_unchanged_reannounce_no_callback),
		cmocka_unit_test(test_rib_ipv6_link_local_nexthop_preferred),
		cmocka_unit_test(test_rib_interned_attrs_shared),
		cmocka_unit_test(test_rib_walk_filters),
		cmocka_unit_test(test_rib_million_routes_two_links_memory),
		cmocka_unit_test(test_rib_link_bytes_counts_paths_and_own_sets),
		cmocka_unit_test(
			test_rib_million_routes_one_link_within_charge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
