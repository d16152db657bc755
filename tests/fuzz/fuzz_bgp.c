/* libFuzzer harness of twinpathd's BGP receive path: bytes as they come
 * from the peer's socket go through bgp_conn_receive() (session.c), so each
 * message meets the header check, its type's parser (msg.c) in the
 * session's state, and an UPDATE goes on into import policy (policy.c),
 * the RIB (rib.c) and the decision process (decision.c). Afterwards the
 * RIB, the forwarding sets it reports and every message twinpathd sent
 * back are checked, so a value parsed wrong that breaks a later stage is
 * found as well as a crash or a sanitizer report.
 *
 * Input: byte 0 chooses the session (FB_* below): a stream starting in
 * OpenSent (the input brings the peer's OPEN) or already Established by
 * an OPEN and KEEPALIVE the harness sends first with the capabilities of
 * byte 1 (FO_*); a 2-octet or a 4-octet peer AS; graceful restart; a
 * max-prefix of 4; the link drained (RFC 8326); paths of a second link
 * in the RIB to compare with; narrow or wide import rules. The rest is
 * the peer's byte stream, any number of messages back to back. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsm.h"
#include "fuzz.h"
#include "fuzz_util.h"

#define OUR_AS 64496u
#define PEER_AS2 64500u
#define PEER_AS4 4200000001u /* needs RFC 6793 on the session */
#define OTHER_AS 64501u

/* byte 0 */
#define FB_ESTABLISHED 0x01u /* the harness brings the session up first */
#define FB_AS4_PEER 0x02u    /* the link's remote_as is PEER_AS4 */
#define FB_GR 0x04u          /* bgp.graceful_restart */
#define FB_MAX_PREFIX 0x08u  /* max_prefix 4 */
#define FB_DRAINED 0x10u     /* the link DRAINED: LOCAL_PREF 0 */
#define FB_OTHER_LINK 0x20u  /* link 2's paths in the RIB */
#define FB_WIDE_IMPORT 0x40u /* 0.0.0.0/0 le 32, ::/0 le 128 */
/* byte 1, with FB_ESTABLISHED: the peer's OPEN */
#define FO_AS4 0x01u
#define FO_MP4 0x02u
#define FO_MP6 0x04u
#define FO_REFRESH 0x08u
#define FO_GR 0x10u          /* with F bits for both families */

#define SENT_MAX (1u << 20)

static struct twp_config cfg;
static struct bgp_update *sent_upd;
static uint8_t *sent;

/* what the inputs reached, for the replay's --every-outcome */
static struct {
	uint64_t inputs, established, updates, accepted, withdrawn, refused,
		notify_sent, notify_rcvd, refresh, eor, as4_sessions, ipv6,
		fib_sets, treat_as_withdraw;
} tot;

static void config(uint8_t mode)
{
	struct cfg_link *l;
	unsigned int i;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.instance, sizeof(cfg.instance), "fuzz");
	cfg.local_as = OUR_AS;
	cfg.router_id[0] = 198, cfg.router_id[1] = 18;
	cfg.router_id[2] = 1, cfg.router_id[3] = 1;
	cfg.bgp.enabled = true;
	cfg.bgp.hold_time_s = 90;
	cfg.bgp.connect_retry_s = 5;
	cfg.bgp.graceful_restart = mode & FB_GR;
	cfg.bgp.restart_time_s = 120;
	fuzz_addr(&cfg.bgp.announce[0], AF_INET, "198.18.0.0", 16);
	fuzz_addr(&cfg.bgp.announce[1], AF_INET6, "2001:db8:f::", 48);
	cfg.bgp.n_announce = 2;
	cfg.n_links = 2;
	for (i = 0; i < 2; i++) {
		l = &cfg.links[i];
		snprintf(l->name, sizeof(l->name), "link%u", i + 1);
		snprintf(l->interface, sizeof(l->interface), "lo");
		fuzz_addr(&l->local_address, AF_INET,
		     i == 0 ? "192.0.2.1" : "203.0.113.1", 24);
		fuzz_addr(&l->peer_address, AF_INET,
		     i == 0 ? "192.0.2.2" : "203.0.113.2", 32);
		l->remote_as = i == 1 ? OTHER_AS :
			       mode & FB_AS4_PEER ? PEER_AS4 : PEER_AS2;
		l->local_pref = 100;
		l->bgp.hold_time_s = 90;
		l->bgp.max_prefix = i == 0 && (mode & FB_MAX_PREFIX) ? 4 : 0;
		l->bgp.max_prefix_restart_s = 60;
		if (mode & FB_WIDE_IMPORT) {
			fuzz_addr(&l->bgp.import[0].prefix, AF_INET, "0.0.0.0", 0);
			l->bgp.import[0].le = 32;
			fuzz_addr(&l->bgp.import[1].prefix, AF_INET6, "::", 0);
			l->bgp.import[1].le = 128;
		} else {
			fuzz_addr(&l->bgp.import[0].prefix, AF_INET, "10.0.0.0", 8);
			l->bgp.import[0].ge = 8;
			l->bgp.import[0].le = 24;
			fuzz_addr(&l->bgp.import[1].prefix, AF_INET6, "2001:db8::",
			     32);
			l->bgp.import[1].ge = 32;
			l->bgp.import[1].le = 64;
		}
		l->bgp.n_import = 2;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet_logs();
	sent_upd = malloc(sizeof(*sent_upd));
	sent = malloc(SENT_MAX);
	if (sent_upd == NULL || sent == NULL)
		abort();
	return 0;
}

/* AS path of one SEQUENCE of ASN in the 4-octet form the RIB keeps, in
 * a buffer of exactly its length (rib.c once hashed it reading past). */
static const uint8_t other_path[] = {2, 1, 0, 0, OTHER_AS >> 8,
				     OTHER_AS & 0xff};

static void other_link_paths(struct rib *rib)
{
	static const char *const pfx4[] = {"10.1.0.0", "10.2.0.0",
					   "192.0.2.128"};
	static const uint8_t len4[] = {16, 24, 25};
	struct rib_peer rp = {.asn = OTHER_AS, .router_id = {198, 51, 100, 9}};
	struct bgp_attrs a;
	struct cfg_addr pfx;
	unsigned int i;

	rp.addr = cfg.links[1].peer_address;
	rib_set_peer(rib, 1, RIB_KEEP_AF(BGP_AF_IPV4) | RIB_KEEP_AF(BGP_AF_IPV6), &rp);
	memset(&a, 0, sizeof(a));
	a.present = BGP_ATTR_P(BGP_ATTR_ORIGIN) | BGP_ATTR_P(BGP_ATTR_AS_PATH) |
		    BGP_ATTR_P(BGP_ATTR_NEXT_HOP) |
		    BGP_ATTR_P(BGP_ATTR_LOCAL_PREF);
	a.origin = BGP_ORIGIN_IGP;
	a.local_pref = 100;
	a.aspath = other_path;
	a.aspath_len = sizeof(other_path);
	a.nexthop = cfg.links[1].peer_address;
	for (i = 0; i < 3; i++) {
		fuzz_addr(&pfx, AF_INET, pfx4[i], len4[i]);
		if (rib_update(rib, 1, &pfx, &a) < 0)
			abort();
	}
	fuzz_addr(&pfx, AF_INET6, "2001:db8:1::", 48);
	fuzz_addr(&a.nexthop, AF_INET6, "2001:db8:ffff::2", 128);
	if (rib_update(rib, 1, &pfx, &a) < 0)
		abort();
}

/* The OPEN and KEEPALIVE of a peer whose capabilities are OPT (FO_*). */
static size_t peer_open(uint8_t *buf, size_t cap, uint8_t opt)
{
	struct bgp_open o = {.version = 4, .hold_time_s = 90,
			     .bgp_id = {192, 0, 2, 2}};
	int n, k;

	o.asn = cfg.links[0].remote_as;
	o.cap_as4 = opt & FO_AS4;
	o.cap_mp[BGP_AF_IPV4] = opt & FO_MP4;
	o.cap_mp[BGP_AF_IPV6] = opt & FO_MP6;
	o.cap_route_refresh = opt & FO_REFRESH;
	o.cap_gr = opt & FO_GR;
	o.gr_restart_time_s = 120;
	o.gr_af[BGP_AF_IPV4] = o.gr_af[BGP_AF_IPV6] = o.cap_gr;
	o.gr_af_forwarding[BGP_AF_IPV4] = o.cap_gr;
	o.gr_af_forwarding[BGP_AF_IPV6] = o.cap_gr;
	/* RFC 6793: without the capability the 2-octet field is all the
	 * peer has; a 4-octet AS cannot be told, the OPEN gets 2/2 */
	n = bgp_open_build(buf, cap, &o);
	if (n < 0)
		abort();
	k = bgp_keepalive_build(buf + n, cap - (size_t)n);
	if (k < 0)
		abort();
	return (size_t)n + (size_t)k;
}

/* Every message twinpathd wrote back: well formed, and what it says can
 * be parsed by our own parser under the session's capabilities. */
static void check_sent(const struct bgp_peer *p, int fd)
{
	struct bgp_caps caps = {.as4 = p->peer_open.cap_as4};
	size_t len = 0, off = 0;
	ssize_t n;

	/* what the session negotiated (session.c's session_up; p->caps is
	 * cleared when the session goes down) */
	caps.af[BGP_AF_IPV4] = caps.af[BGP_AF_IPV6] = true;

	while (len < SENT_MAX &&
	       (n = read(fd, sent + len, SENT_MAX - len)) > 0)
		len += (size_t)n;
	while (off < len) {
		struct bgp_notify err;
		struct bgp_open o;
		uint16_t mlen;
		uint8_t type;
		int rc;

		if (len - off < BGP_HDR_LEN)
			fuzz_fail("twinpathd sent %zu bytes of a header", len - off);
		if (bgp_hdr_check(sent + off, len - off, &mlen, &type,
				  &err) < 0)
			fuzz_fail("twinpathd sent a message whose header we refuse "
			     "(%u/%u) at offset %zu", err.code, err.subcode,
			     off);
		if (len - off < mlen)
			fuzz_fail("twinpathd sent %zu bytes of a %u-byte message",
			     len - off, mlen);
		switch (type) {
		case BGP_MSG_OPEN:
			if (bgp_open_parse(sent + off, mlen, &o, &err) < 0)
				fuzz_fail("our OPEN does not parse: %u/%u",
				     err.code, err.subcode);
			if (o.asn != OUR_AS)
				fuzz_fail("our OPEN says AS %u", o.asn);
			break;
		case BGP_MSG_UPDATE:
			if (!p->have_peer_open)
				fuzz_fail("an UPDATE sent before Established");
			rc = bgp_update_parse(sent + off, mlen, &caps,
					      sent_upd, &err);
			if (rc < 0 || sent_upd->treat_as_withdraw ||
			    sent_upd->n_discarded > 0)
				fuzz_fail("our UPDATE does not parse cleanly: rc %d "
				     "%u/%u: %s", rc, err.code, err.subcode,
				     sent_upd->warning);
			break;
		case BGP_MSG_NOTIFICATION:
			tot.notify_sent++;
			break;
		default:
			break;
		}
		off += mlen;
	}
}

struct walk {
	const struct bgp_peer *p;
	const struct rib_peer *peers[2];
	size_t link_paths[2];
	bool processed;
};

static void check_prefix(const struct cfg_addr *pfx)
{
	unsigned int bits = cfg_family_bits(pfx->family), i;
	char s[64];

	if (bits == 0 || pfx->len > bits)
		fuzz_fail("a RIB prefix of family %u, length %u", pfx->family,
		     pfx->len);
	for (i = pfx->len; i < bits; i++)
		if (pfx->addr[i / 8] & (0x80u >> (i % 8)))
			fuzz_fail("RIB prefix %s has host bits set",
			     cfg_addr_str(pfx, s, sizeof(s)));
}

static bool usable(const struct bgp_attrs *a)
{
	return a->nexthop.family != 0 || a->nexthop_ll.family != 0;
}

static int walk_cb(void *arg, const struct cfg_addr *pfx,
		   const struct rib_path_view *paths, unsigned int n)
{
	struct walk *w = arg;
	unsigned int i, best = 0;
	char s[64];

	check_prefix(pfx);
	for (i = 0; i < n; i++) {
		const struct rib_path_view *v = &paths[i];
		struct bgp_attrs a;

		if (v->link >= cfg.n_links)
			fuzz_fail("a path of link %u", v->link);
		w->link_paths[v->link]++;
		if (v->role == RIB_ROLE_BEST)
			best++;
		if (v->link != 0)
			continue;
		tot.ipv6 += pfx->family == AF_INET6;
		/* what session.c gave the RIB passed import policy and the
		 * eBGP first-AS rule (RFC 4271 §6.3) */
		a = *v->attrs;
		if (policy_import(&cfg, 0, pfx, &a) != POL_ACCEPT)
			fuzz_fail("%s from link 1 in the RIB, refused by the import "
			     "policy (%d)", cfg_addr_str(pfx, s, sizeof(s)),
			     policy_import(&cfg, 0, pfx, &a));
		if (bgp_aspath_first(a.aspath, a.aspath_len) !=
		    cfg.links[0].remote_as)
			fuzz_fail("%s in the RIB with a path not from the peer's AS",
			     cfg_addr_str(pfx, s, sizeof(s)));
		if (v->attrs->local_pref != cfg.links[0].local_pref)
			fuzz_fail("%s of link 1 (drained and undrained: %s) with "
			     "LOCAL_PREF %u", cfg_addr_str(pfx, s, sizeof(s)),
			     w->p->drain == BGP_DRAIN_NONE ? "yes" : "no",
			     v->attrs->local_pref);
	}
	/* rib_walk's order is best first by the decision process, the
	 * paths without a nexthop last */
	for (i = 0; i + 1 < n; i++) {
		const struct rib_peer *pa = w->peers[paths[i].link],
				      *pb = w->peers[paths[i + 1].link];
		bool ua = usable(paths[i].attrs), ub = usable(paths[i + 1].attrs);

		if (!ua && ub)
			fuzz_fail("%s: a path without nexthop before one with",
			     cfg_addr_str(pfx, s, sizeof(s)));
		if (ua == ub && pa != NULL && pb != NULL &&
		    bgp_path_cmp(paths[i].attrs, pa, paths[i + 1].attrs, pb,
				 NULL) > 0)
			fuzz_fail("%s: the path of link %u is listed before a "
			     "better one of link %u",
			     cfg_addr_str(pfx, s, sizeof(s)), paths[i].link + 1,
			     paths[i + 1].link + 1);
	}
	if (w->processed && n > 0 && usable(paths[0].attrs) &&
	    (best != 1 || paths[0].role != RIB_ROLE_BEST))
		fuzz_fail("%s: %u paths, %u of them best, the first %d",
		     cfg_addr_str(pfx, s, sizeof(s)), n, best, paths[0].role);
	return 0;
}

static void fib_cb(void *arg, const struct cfg_addr *pfx,
		   const struct rib_nhset *set)
{
	unsigned int i, j;

	(void)arg;
	check_prefix(pfx);
	tot.fib_sets++;
	if (set == NULL)
		return;
	if (set->n_primary == 0 || set->n_primary > cfg.n_links ||
	    set->n_backup > cfg.n_links)
		fuzz_fail("a forwarding set of %u primary and %u backup paths",
		     set->n_primary, set->n_backup);
	for (i = 0; i < set->n_primary + set->n_backup; i++) {
		const struct rib_nh *nh = i < set->n_primary ?
			&set->primary[i] : &set->backup[i - set->n_primary];

		if (nh->link >= cfg.n_links ||
		    cfg_family_bits(nh->addr.family) == 0)
			fuzz_fail("a nexthop on link %u of family %u", nh->link,
			     nh->addr.family);
		for (j = 0; j < set->n_backup && i < set->n_primary; j++)
			if (set->backup[j].link == nh->link)
				fuzz_fail("link %u both primary and backup",
				     nh->link + 1);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_opts opts = {.no_listen = true};
	uint8_t mode, opt, hello[256];
	struct bgp_speaker *sp;
	struct rib_peer rp0;
	struct bgp_peer *p;
	struct walk w;
	struct rib *rib;
	int sv[2];
	long rc;

	if (size < 2)
		return 0;
	mode = data[0];
	opt = data[1];
	data += 2;
	size -= 2;
	tot.inputs++;
	config(mode);
	rib = rib_new(cfg.n_links);
	sp = rib != NULL ? bgp_new(&cfg, rib, &opts) : NULL;
	if (sp == NULL)
		abort();
	if (mode & FB_OTHER_LINK)
		other_link_paths(rib);
	p = &sp->peer[0];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
		       sv) < 0 || bgp_conn_attach(p, sv[0]) < 0)
		abort();
	if (mode & FB_DRAINED)
		bgp_drain_set(p, BGP_DRAIN_DRAINED, "fuzz");
	if (mode & FB_ESTABLISHED) {
		size_t n = peer_open(hello, sizeof(hello), opt);

		rc = bgp_conn_receive(p, &p->in, hello, n);
		/* a 4-octet AS without the capability is 2/2: the input
		 * goes to a closed session, nothing happens then */
		if (rc >= 0 && p->est != &p->in)
			fuzz_fail("the harness's OPEN did not bring the session up");
	}
	if (p->in.fd >= 0)
		bgp_conn_receive(p, &p->in, data, size);
	/* RFC 8326: undrained, the link's paths get their LOCAL_PREF back
	 * (rib_link_set_local_pref re-interns every path's attributes) */
	if (mode & FB_DRAINED)
		bgp_drain_set(p, BGP_DRAIN_NONE, NULL);

	check_sent(p, sv[1]);
	if (p->have_peer_open) {
		tot.established++;
		tot.as4_sessions += p->caps.as4;
	}
	tot.updates += p->st.updates_rcvd;
	tot.notify_rcvd += p->st.notifications_rcvd;
	tot.refresh += p->st.refresh_rcvd;
	tot.treat_as_withdraw += p->st.treat_as_withdraw;
	tot.eor += p->eor_rcvd[0] + p->eor_rcvd[1];
	for (unsigned int v = 1; v < POL_VERDICT_MAX; v++)
		tot.refused += p->st.rejected[v];

	/* RFC 4271 §8.2.2 / RFC 4724: down without graceful restart, the
	 * peer's routes are gone; with it, they may stay (stale) */
	if (p->est == NULL && !(mode & FB_GR) && rib_link_count(rib, 0) != 0)
		fuzz_fail("session down, no graceful restart, %zu paths of link 1 "
		     "still in the RIB", rib_link_count(rib, 0));
	if (p->est != NULL && (mode & FB_MAX_PREFIX) &&
	    rib_link_count(rib, 0) > cfg.links[0].bgp.max_prefix)
		fuzz_fail("Established with %zu paths over max-prefix %u",
		     rib_link_count(rib, 0), cfg.links[0].bgp.max_prefix);

	memset(&w, 0, sizeof(w));
	w.p = p;
	if (p->have_peer_open) {
		memset(&rp0, 0, sizeof(rp0));
		rp0.asn = p->peer_open.asn;
		memcpy(rp0.router_id, p->peer_open.bgp_id, 4);
		rp0.addr = cfg.links[0].peer_address;
		w.peers[0] = &rp0;
	}
	{
		static struct rib_peer rp1 = {.asn = OTHER_AS,
					      .router_id = {198, 51, 100, 9}};

		rp1.addr = cfg.links[1].peer_address;
		w.peers[1] = &rp1;
	}
	rib_process(rib, SIZE_MAX, fib_cb, NULL);
	if (rib_pending(rib) != 0)
		fuzz_fail("%zu prefixes pending after an unbounded rib_process",
		     rib_pending(rib));
	w.processed = true;
	rib_walk(rib, NULL, walk_cb, &w);
	tot.accepted += w.link_paths[0];
	if (w.link_paths[0] != rib_link_count(rib, 0))
		fuzz_fail("rib_link_count says %zu paths of link 1, the walk saw "
		     "%zu", rib_link_count(rib, 0), w.link_paths[0]);

	bgp_free(sp);
	rib_free(rib);
	close(sv[1]);
	return 0;
}

int fuzz_replay_summary(bool every)
{
	printf("replay: %" PRIu64 " sessions Established (%" PRIu64
	       " with 4-octet AS), %" PRIu64 " UPDATEs, %" PRIu64
	       " paths in the RIB (%" PRIu64 " IPv6 prefixes), %" PRIu64
	       " refused by policy, %" PRIu64 " treated as withdrawn, %"
	       PRIu64 " End-of-RIB, %" PRIu64 " ROUTE-REFRESH, %" PRIu64
	       " NOTIFICATIONs received, %" PRIu64 " sent, %" PRIu64
	       " forwarding sets\n", tot.established, tot.as4_sessions,
	       tot.updates, tot.accepted, tot.ipv6, tot.refused,
	       tot.treat_as_withdraw, tot.eor, tot.refresh, tot.notify_rcvd,
	       tot.notify_sent, tot.fib_sets);
	if (every && (tot.established == 0 || tot.as4_sessions == 0 ||
		      tot.accepted == 0 || tot.ipv6 == 0 || tot.refused == 0 ||
		      tot.treat_as_withdraw == 0 || tot.eor == 0 ||
		      tot.refresh == 0 || tot.notify_rcvd == 0 ||
		      tot.notify_sent == 0 || tot.fib_sets == 0))
		return -1;
	return 0;
}
