/* The session machine of twinpathd's BGP (RFC 4271 §8) and its message
 * handlers: how a session ends (keeping routes stale, RFC 4724 §4.2 and
 * RFC 8538 §4), Established, UPDATE into import policy and the RIB
 * (RFC 7606, RFC 4486 max-prefix), OPEN with collision detection
 * (RFC 4271 §6.8), NOTIFICATION (RFC 9003) and ROUTE-REFRESH (RFC 2918). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "fsm_int.h"
#include "ptable.h"

#define STABLE_MS 60000u /* Established this long resets the backoff */

static const char *const state_names[] = {
	[BGP_ST_IDLE] = "Idle",           [BGP_ST_CONNECT] = "Connect",
	[BGP_ST_ACTIVE] = "Active",       [BGP_ST_OPENSENT] = "OpenSent",
	[BGP_ST_OPENCONFIRM] = "OpenConfirm",
	[BGP_ST_ESTABLISHED] = "Established",
};

const char *bgp_state_str(enum bgp_state s)
{
	return (unsigned int)s <= BGP_ST_ESTABLISHED ? state_names[s] : "?";
}

uint64_t bgp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* bgp_notify_str() plus the RFC 9384 subcode msg.c does not name. */
static const char *notify_str(const struct bgp_notify *n, char *buf,
			      size_t len)
{
	if (n->code == BGP_ERR_CEASE && n->subcode == BGP_ERR_CEASE_BFD_DOWN) {
		snprintf(buf, len, "Cease/BFD Down (6/10)");
		return buf;
	}
	return bgp_notify_str(n->code, n->subcode, buf, len);
}

/* Appends to BUF, for a Cease 6/2 or 6/4 (also inside a Hard Reset),
 * its RFC 9003 Shutdown Communication: ' "text"', or the malformed one
 * as a hex dump (§4: never verbatim). */
static void append_shutdown_msg(const struct bgp_notify *n, char *buf,
				size_t len)
{
	char msg[4 * BGP_SHUTDOWN_MSG_MAX + 4];
	size_t l = strlen(buf);
	int rc = bgp_shutdown_msg_parse(n, msg, sizeof(msg));

	if (rc == 0)
		snprintf(buf + l, len - l, " \"%s\"", msg);
	else if (rc == -EBADMSG)
		snprintf(buf + l, len - l, " (malformed Shutdown "
			 "Communication, RFC 9003 §4: %s)", msg);
}

/* notify_str() with the Shutdown Communication, if any. */
const char *notify_text(const struct bgp_notify *n, char *buf,
			       size_t len)
{
	notify_str(n, buf, len);
	append_shutdown_msg(n, buf, len);
	return buf;
}

const char *bgp_drain_str(enum bgp_drain d)
{
	return d == BGP_DRAIN_DRAINING ? "draining" :
	       d == BGP_DRAIN_DRAINED ? "drained" : "none";
}

const char *bgp_since_str(uint64_t since_ms, uint64_t now_ms, char *buf,
			  size_t len)
{
	uint64_t age_ms = now_ms > since_ms ? now_ms - since_ms : 0;
	time_t t = time(NULL) - (time_t)(age_ms / 1000u);
	struct tm tm;
	char iso[32];

	gmtime_r(&t, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(buf, len, "%s (%llu s ago)", iso,
		 (unsigned long long)(age_ms / 1000u));
	return buf;
}

/* ---- session state ---- */

enum bgp_state peer_derive(const struct bgp_peer *p)
{
	enum bgp_state s = BGP_ST_IDLE;

	if (p->est != NULL)
		return BGP_ST_ESTABLISHED;
	if (p->out.fd >= 0 && p->out.state > s)
		s = p->out.state;
	if (p->in.fd >= 0 && p->in.state > s)
		s = p->in.state;
	if (s != BGP_ST_IDLE)
		return s;
	if (p->hold != BGP_HOLD_NONE)
		return BGP_ST_IDLE;
	return BGP_ST_ACTIVE;
}

/* Logs the states that mean progress; the way down is logged with its
 * reason where it happens. */
void peer_report(struct bgp_peer *p)
{
	enum bgp_state s = peer_derive(p);

	if (s == p->state)
		return;
	if (s >= BGP_ST_OPENSENT && s > p->state)
		plog(p, "%s", bgp_state_str(s));
	p->state = s;
}

static unsigned int backoff_s(const struct bgp_peer *p)
{
	unsigned int s = p->sp->cfg->bgp.connect_retry_s, i;

	if (s == 0)
		s = 1;
	for (i = 1; i < p->failures && s < BGP_BACKOFF_MAX_S; i++)
		s *= 2;
	return s < BGP_BACKOFF_MAX_S ? s : BGP_BACKOFF_MAX_S;
}

/* RFC 4724 §4.2 and RFC 8538 §4: keep the routes as stale when the peer
 * can restart gracefully and the session ended without a NOTIFICATION
 * (TCP closed or reset, hold timer expired), or with one that is not a
 * Hard Reset while the N bit was exchanged both ways. */
static bool keep_stale(const struct bgp_peer *p, const struct bgp_end *e)
{
	const struct bgp_notify *n = e->sent ? e->sent : e->rcvd;

	if (!p->sp->cfg->bgp.graceful_restart || !p->est->open.cap_gr ||
	    e->flush)
		return false;
	if (n == NULL || e->hold_expired)
		return true;
	return p->gr_n_both && !(n->code == BGP_ERR_CEASE &&
				 n->subcode == BGP_ERR_CEASE_HARD_RESET);
}

/* Whether Q, the other session of a link, still has paths in the RIB
 * that forward (Established, or down with stale paths kept). */
bool peer_holds_paths(const struct bgp_peer *q)
{
	return q != NULL && (q->est != NULL || q->stale > 0);
}

void peer_link_event(struct bgp_peer *p, bool up)
{
	struct bgp_speaker *sp = p->sp;
	uint32_t bit = 1u << p->link;

	if (up) {
		if (!p->pic_masked)
			return;
		p->pic_masked = false;
		p->pic_up_at_ms = 0;
		if (!(sp->link_masked & bit))
			return;
		/* the first session of the link back with all it has: the
		 * link is back in the groups; the other session's family
		 * relearns (or moves away) prefix by prefix */
		if (p->sibling != NULL) {
			p->sibling->pic_masked = false;
			p->sibling->pic_up_at_ms = 0;
		}
		sp->link_masked &= ~bit;
		if (sp->link_cb != NULL)
			sp->link_cb(sp->link_cb_arg, p->link, true);
		return;
	}
	if (sp->link_masked & bit) {
		p->pic_masked = true;
		return;
	}
	/* the link's other session still forwards its family: the link
	 * stays in the groups, and this session's paths go prefix by
	 * prefix */
	if (peer_holds_paths(p->sibling))
		return;
	peer_link_mask(sp, p->link);
}

void peer_link_mask(struct bgp_speaker *sp, unsigned int link)
{
	uint32_t bit = 1u << link;
	unsigned int i;

	if (sp->link_masked & bit)
		return;
	sp->link_masked |= bit;
	/* whichever session of the link comes back first with its
	 * End-of-RIB unmasks it */
	for (i = 0; i < sp->n_peers; i++)
		if (sp->peer[i].link == link) {
			sp->peer[i].pic_masked = true;
			sp->peer[i].pic_up_at_ms = 0;
		}
	if (sp->link_cb != NULL)
		sp->link_cb(sp->link_cb_arg, link, false);
}

size_t peer_sweep_stale(struct bgp_peer *p)
{
	size_t n = 0;
	unsigned int af;

	for (af = 0; af < BGP_AF_MAX; af++)
		if (p->afs & RIB_KEEP_AF(af))
			n += rib_sweep_stale(p->sp->rib, p->link,
					     af_family(af));
	return n;
}

static void session_lost(struct bgp_peer *p, const struct bgp_end *e)
{
	struct bgp_speaker *sp = p->sp;
	const struct bgp_open *o = &p->est->open;
	size_t n, swept;
	unsigned int af, keep = 0;

	if (keep_stale(p, e)) {
		/* only the families the peer said it keeps forwarding for,
		 * and none when it gives itself no time to restart */
		for (af = 0; af < BGP_AF_MAX; af++)
			if (o->gr_af[af] && o->gr_restart_time_s != 0)
				keep |= RIB_KEEP_AF(af);
		/* nothing kept: every path goes, as below. Some kept: the
		 * rest go prefix by prefix (a link is masked whole) */
		if (keep == 0)
			peer_link_event(p, false);
		swept = rib_peer_down(sp->rib, p->link, p->afs, keep,
				      &p->stale);
		p->restart_at_ms = p->stale > 0 ?
			sp->now_ms + o->gr_restart_time_s * 1000ull : 0;
		p->stale_at_ms = 0;
		plog(p, "graceful restart: %zu paths kept as stale for %u s "
		     "(peer's restart time)%s", p->stale, o->gr_restart_time_s,
		     swept == 0 ? "" :
		     o->gr_restart_time_s == 0 ?
			     ", the rest flushed (restart time 0)" :
			     ", the rest flushed (families not in its "
			     "graceful restart capability)");
	} else {
		/* before the flush: the groups lose the link first, so the
		 * prefixes' decisions that follow find them as they want */
		peer_link_event(p, false);
		n = rib_peer_flush(sp->rib, p->link, p->afs);
		p->stale = 0;
		p->restart_at_ms = p->stale_at_ms = 0;
		if (n > 0)
			plog(p, "%zu paths flushed", n);
	}
	if (p->rejected_set != NULL) {
		ptable_free(p->rejected_set);
		p->rejected_set = NULL;
	}
	if (sp->now_ms - p->established_ms >= STABLE_MS)
		p->failures = 0;
	p->est = NULL;
	p->established_ms = 0;
	p->pic_up_at_ms = 0;
	p->down_ms = sp->now_ms;
	memset(&p->caps, 0, sizeof(p->caps));
}

static void peer_next(struct bgp_peer *p, const struct bgp_end *e)
{
	uint64_t now = p->sp->now_ms;

	/* the operator's shutdown outlasts every other reason to wait */
	if (p->admin_down) {
		p->hold = BGP_HOLD_ADMIN;
		return;
	}
	switch (e->next) {
	case BGP_HOLD_NONE:
		p->hold = BGP_HOLD_NONE;
		p->connect_at_ms = now;
		break;
	case BGP_HOLD_BACKOFF:
		p->failures++;
		p->hold = BGP_HOLD_BACKOFF;
		p->idle_until_ms = now + backoff_s(p) * 1000ull;
		break;
	case BGP_HOLD_MAX_PREFIX:
		p->hold = BGP_HOLD_MAX_PREFIX;
		p->idle_until_ms = now + e->hold_s * 1000ull;
		break;
	case BGP_HOLD_BFD:
	case BGP_HOLD_ADMIN:
		p->hold = e->next;
		break;
	}
}

/* Ends connection C of P as E says. The session goes on if the other
 * connection is alive (collision), otherwise E->next applies. */
void conn_end(struct bgp_peer *p, struct bgp_conn *c,
		     const struct bgp_end *e)
{
	struct bgp_conn *other = c == &p->out ? &p->in : &p->out;
	bool was_est = c == p->est, was_open = c->state >= BGP_ST_OPENSENT;

	if (c->fd < 0)
		return;
	if (e->sent != NULL && c->state != BGP_ST_CONNECT)
		send_notify(p, c, e->sent);
	if (was_est || (was_open && other->fd < 0)) {
		plog(p, "down: %s", e->why);
		snprintf(p->last_error, sizeof(p->last_error), "%s", e->why);
	}
	if (was_est) {
		struct bgp_reset *r;

		snprintf(p->last_reset, sizeof(p->last_reset), "%s", e->why);
		if (p->n_resets == BGP_RESETS_KEPT)
			memmove(p->resets, p->resets + 1,
				(BGP_RESETS_KEPT - 1) * sizeof(p->resets[0]));
		else
			p->n_resets++;
		r = &p->resets[p->n_resets - 1];
		r->down_ms = p->sp->now_ms;
		r->up_ms = 0;
		snprintf(r->why, sizeof(r->why), "%s", e->why);
		session_lost(p, e);
	}
	conn_close(p->sp, c, e->sent != NULL);
	if (!was_est && was_open && other->fd >= 0)
		plog(p, "closing %s connection: %s",
		     c == &p->out ? "our" : "the peer's", e->why);
	if (other->fd < 0)
		peer_next(p, e);
	peer_report(p);
}

/* Ends every connection of P with the same NOTIFICATION. */
void peer_stop(struct bgp_peer *p, const struct bgp_end *e)
{
	if (p->est == NULL && p->out.fd < 0 && p->in.fd < 0) {
		peer_next(p, e); /* nothing to close: only what follows */
		peer_report(p);
		return;
	}
	if (p->est != NULL)
		conn_end(p, p->est, e);
	if (p->out.fd >= 0)
		conn_end(p, &p->out, e);
	if (p->in.fd >= 0)
		conn_end(p, &p->in, e);
}

static void conn_error(struct bgp_peer *p, struct bgp_conn *c,
		       const struct bgp_notify *n, const char *what)
{
	char s[96], why[160];
	struct bgp_end e = {.why = why, .sent = n, .next = BGP_HOLD_BACKOFF};

	snprintf(why, sizeof(why), "%s: %s", what, notify_str(n, s, sizeof(s)));
	conn_end(p, c, &e);
}

static void fsm_error(struct bgp_peer *p, struct bgp_conn *c, uint8_t type)
{
	/* RFC 6608: the subcode names the state the message came in */
	struct bgp_notify n = {.code = BGP_ERR_FSM};
	char what[64];

	n.subcode = c->state == BGP_ST_OPENSENT ? BGP_ERR_FSM_OPENSENT :
		    c->state == BGP_ST_OPENCONFIRM ? BGP_ERR_FSM_OPENCONFIRM :
						    BGP_ERR_FSM_ESTABLISHED;
	snprintf(what, sizeof(what), "message type %u in %s", type,
		 bgp_state_str(c->state));
	conn_error(p, c, &n, what);
}

/* ---- Established ---- */

static void session_up(struct bgp_peer *p, struct bgp_conn *c)
{
	struct bgp_speaker *sp = p->sp;
	const struct twp_config *cfg = sp->cfg;
	const struct bgp_open *o = &c->open;
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	struct bgp_conn *other = c == &p->out ? &p->in : &p->out;
	struct rib_peer rp = {.asn = o->asn};
	unsigned int af;
	bool any_mp = false;
	size_t swept = 0;
	char fams[32] = "";

	c->state = BGP_ST_ESTABLISHED;
	p->est = c;
	p->peer_open = *o;
	p->have_peer_open = true;
	memset(&p->caps, 0, sizeof(p->caps));
	p->caps.as4 = o->cap_as4;
	p->caps.route_refresh = o->cap_route_refresh;
	for (af = 0; af < BGP_AF_MAX; af++) {
		/* what both offered (we offer the families of p->afs) */
		p->caps.af[af] = o->cap_mp[af] &&
				 (p->afs & RIB_KEEP_AF(af)) != 0;
		any_mp |= o->cap_mp[af];
	}
	/* RFC 4760 §8 in practice: a peer without any multiprotocol
	 * capability speaks IPv4 unicast only. */
	if (!any_mp)
		p->caps.af[BGP_AF_IPV4] =
			(p->afs & RIB_KEEP_AF(BGP_AF_IPV4)) != 0;
	p->gr_n_both = cfg->bgp.graceful_restart && o->cap_gr &&
		       o->gr_notification;
	memcpy(rp.router_id, o->bgp_id, 4);
	rp.addr = p->addr;
	rp.ibgp = false;
	rib_set_peer(sp->rib, p->link, p->afs, &rp);
	p->st.established_count++;
	p->established_ms = sp->now_ms;
	if (p->n_resets > 0 && p->resets[p->n_resets - 1].up_ms == 0)
		p->resets[p->n_resets - 1].up_ms = sp->now_ms;
	p->hold = BGP_HOLD_NONE;
	p->last_connect_err[0] = '\0';
	memset(p->eor_rcvd, 0, sizeof(p->eor_rcvd));
	if (p->pic_masked)
		p->pic_up_at_ms = sp->now_ms + BGP_PIC_EOR_WAIT_S * 1000ull;
	peer_report(p);
	/* RFC 4271 §6.8: the other connection, still waiting for the peer's
	 * OPEN, loses against an Established one */
	if (other->fd >= 0) {
		struct bgp_notify n = {.code = BGP_ERR_CEASE,
				       .subcode = BGP_ERR_CEASE_COLLISION};
		struct bgp_end e = {.why = "connection collision: the session "
				    "is Established on the other connection "
				    "(6/7)", .sent = &n,
				    .next = BGP_HOLD_NONE};

		conn_end(p, other, &e);
	}

	/* RFC 4724 §4.2: back before the restart timer ran out. Stale
	 * routes of a family the peer no longer keeps forwarding state for
	 * (no F bit, not negotiated) go now; the others wait for End-of-RIB
	 * or the stale path timer. */
	if (p->restart_at_ms != 0 || p->stale > 0) {
		p->restart_at_ms = 0;
		for (af = 0; af < BGP_AF_MAX; af++)
			/* this session's families only: the link's other
			 * session (peer_address6) keeps its own */
			if ((p->afs & RIB_KEEP_AF(af)) &&
			    !(o->cap_gr && o->gr_af[af] &&
			      o->gr_af_forwarding[af] && p->caps.af[af]))
				swept += rib_sweep_stale(sp->rib, p->link,
							 af_family(af));
		p->stale -= swept < p->stale ? swept : p->stale;
		if (swept > 0)
			plog(p, "graceful restart: %zu stale paths swept "
			     "(forwarding state not kept by the peer)", swept);
		if (p->stale > 0)
			p->stale_at_ms = sp->now_ms + BGP_STALEPATH_S * 1000ull;
	}
	for (af = 0; af < BGP_AF_MAX; af++)
		if (p->caps.af[af])
			snprintf(fams + strlen(fams), sizeof(fams) - strlen(fams),
				 " %s", af_name(af));
	plog(p, "AS %u, hold %u s, keepalive %u s, families%s%s%s%s", o->asn,
	     c->hold_s, c->hold_s / 3, fams[0] ? fams : " none",
	     p->caps.as4 ? ", 4-octet AS" : "",
	     p->caps.route_refresh ? ", route refresh" : "",
	     o->cap_gr ? ", peer graceful restart" : "");
	if (lb->n_import == 0)
		plog(p, "warning: no import rule on this link: no route will "
		     "be accepted (RFC 8212)");
	else
		plog(p, "import policy: %u prefix rule(s), local_pref %u, "
		     "max-prefix %u", lb->n_import, p->lc->local_pref,
		     lb->max_prefix);

	p->export_deferred = false;
	if (sp->gr_restarting && o->cap_gr) {
		/* RFC 4724 §4.1: the restarting speaker defers its route
		 * selection until End-of-RIB from every peer, and sends its
		 * UPDATEs and End-of-RIB after it; the peer keeps our routes
		 * (stale) meanwhile, and the data plane forwards on its FIB.
		 * A peer without the capability is no helper: it flushed
		 * our routes, so waiting would only keep them from it. */
		p->export_deferred = true;
		plog(p, "graceful restart: we are restarting: our UPDATEs and "
		     "End-of-RIB wait for the route selection (RFC 4724 "
		     "§4.1)");
		return;
	}
	export_all(p);
}

void bgp_gr_set_forwarding(struct bgp_speaker *sp, bool kept)
{
	sp->gr_forwarding = kept;
}

bool bgp_gr_restart_begin(struct bgp_speaker *sp)
{
	if (!sp->cfg->bgp.graceful_restart)
		return false;
	sp->gr_restarting = true;
	return true;
}

void bgp_gr_restart_end(struct bgp_speaker *sp)
{
	unsigned int i;

	if (!sp->gr_restarting)
		return;
	sp->gr_restarting = false;
	sp->now_ms = bgp_now_ms();
	for (i = 0; i < sp->n_peers; i++) {
		struct bgp_peer *p = &sp->peer[i];

		if (!p->export_deferred)
			continue;
		p->export_deferred = false;
		if (p->est == NULL)
			continue;
		plog(p, "graceful restart: route selection done: our "
		     "UPDATEs and End-of-RIB now");
		export_all(p);
	}
}

/* ---- UPDATE ---- */

static void prefix_withdraw(struct bgp_peer *p, const struct cfg_addr *pfx)
{
	if (p->rejected_set != NULL && ptable_del(p->rejected_set, pfx) == 0)
		return;
	rib_withdraw(p->sp->rib, p->link, pfx);
}

static void prefix_reject(struct bgp_peer *p, const struct cfg_addr *pfx,
			  enum pol_verdict v)
{
	uint8_t *val;

	p->st.rejected[v]++;
	rib_withdraw(p->sp->rib, p->link, pfx);
	if (p->rejected_set == NULL)
		p->rejected_set = ptable_new(1, 1024);
	if (p->rejected_set != NULL &&
	    (val = ptable_put(p->rejected_set, pfx, NULL)) != NULL)
		*val = (uint8_t)v;
}

static void max_prefix_exceeded(struct bgp_peer *p, uint8_t family)
{
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	struct bgp_notify n = {.code = BGP_ERR_CEASE,
			       .subcode = BGP_ERR_CEASE_MAX_PREFIX};
	struct bgp_end e = {.sent = &n, .flush = true,
			    .next = BGP_HOLD_MAX_PREFIX,
			    .hold_s = lb->max_prefix_restart_s};
	char why[128];
	uint32_t max = htonl(lb->max_prefix);
	uint16_t afi = htons(family == AF_INET ? BGP_AFI_IPV4 : BGP_AFI_IPV6);

	/* RFC 4486 §4: AFI, SAFI and the upper bound as data */
	memcpy(n.data, &afi, 2);
	n.data[2] = BGP_SAFI_UNICAST;
	memcpy(n.data + 3, &max, 4);
	n.data_len = 7;
	notify_hard(p, &n);
	p->st.max_prefix_hits++;
	p->held_for_memory = false;
	plog(p, "max-prefix %u exceeded (%zu accepted): session down, idle "
	     "for %u s", lb->max_prefix,
	     rib_link_count_af(p->sp->rib, p->link, p->afs),
	     lb->max_prefix_restart_s);
	snprintf(why, sizeof(why), "max-prefix %u exceeded (6/1)",
		 lb->max_prefix);
	e.why = why;
	peer_stop(p, &e);
}

size_t bgp_peer_bytes(const struct bgp_peer *p)
{
	size_t n = rib_link_bytes(p->sp->rib, p->link);

	if (p->rejected_set != NULL)
		n += ptable_count(p->rejected_set) * BGP_REJECTED_BYTES;
	return n;
}

/* links.bgp.max_memory_mb: the peer's routes hold more than its share.
 * RFC 4486 §4 "Out of Resources" is the Cease for it; the session goes
 * down as for max-prefix (routes flushed, Idle for max_prefix_restart)
 * and the other sessions keep theirs. */
static void max_memory_exceeded(struct bgp_peer *p)
{
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	struct bgp_notify n = {.code = BGP_ERR_CEASE,
			       .subcode = BGP_ERR_CEASE_RESOURCES};
	struct bgp_end e = {.sent = &n, .flush = true,
			    .next = BGP_HOLD_MAX_PREFIX,
			    .hold_s = lb->max_prefix_restart_s};
	unsigned long long max = (unsigned long long)lb->max_memory_bytes;
	char why[128], lim[32];

	/* the config says MiB; a test may set any number of bytes */
	if (max % (1u << 20) == 0)
		snprintf(lim, sizeof(lim), "%llu MiB", max >> 20);
	else
		snprintf(lim, sizeof(lim), "%llu bytes", max);

	notify_hard(p, &n);
	p->st.max_memory_hits++;
	plog(p, "max-memory %s exceeded (%zu bytes held by %zu accepted "
	     "prefixes): Cease/Out of Resources, session down, idle for %u s",
	     lim, bgp_peer_bytes(p),
	     rib_link_count_af(p->sp->rib, p->link, p->afs),
	     lb->max_prefix_restart_s);
	snprintf(why, sizeof(why), "max-memory %s exceeded (6/8)", lim);
	e.why = why;
	peer_stop(p, &e);
	p->held_for_memory = true;
}

static void end_of_rib(struct bgp_peer *p, unsigned int af)
{
	size_t swept = 0;
	bool all = true;
	unsigned int i;

	p->eor_rcvd[af] = true;
	for (i = 0; i < BGP_AF_MAX; i++)
		if (p->caps.af[i] && !p->eor_rcvd[i])
			all = false;
	if (p->stale == 0) {
		plog(p, "End-of-RIB %s received", af_name(af));
	} else {
		/* RFC 4724 §4.2: what is still stale of this family is
		 * gone */
		swept = rib_sweep_stale(p->sp->rib, p->link, af_family(af));
		p->stale -= swept < p->stale ? swept : p->stale;
		if (all) {
			p->stale = 0;
			p->stale_at_ms = 0;
		}
		plog(p, "End-of-RIB %s received: %zu stale paths swept",
		     af_name(af), swept);
	}
	/* the peer said all it has: the link can be back in the groups */
	if (all)
		peer_link_event(p, true);
}

/* 0, or -1 when the connection was closed. */
static int handle_update(struct bgp_peer *p, struct bgp_conn *c,
			 const uint8_t *msg, size_t len)
{
	struct bgp_speaker *sp = p->sp;
	struct bgp_update *u = sp->upd;
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	struct bgp_notify err;
	const char *bad = NULL;
	unsigned int i;

	if (bgp_update_parse(msg, len, &p->caps, u, &err) < 0) {
		conn_error(p, c, &err, "malformed UPDATE");
		return -1;
	}
	p->st.updates_rcvd++;
	if (u->n_discarded > 0) {
		p->st.attrs_discarded += u->n_discarded;
		pwarn(p, "UPDATE: %s (attribute discarded, RFC 7606)",
		      u->warning);
	}
	if (u->n_foreign_af > 0) {
		p->st.foreign_af += u->n_foreign_af;
		pwarn(p, "UPDATE: %u prefix(es) of a family not negotiated on "
		      "this session ignored (RFC 4760 §7)", u->n_foreign_af);
	}
	if (u->treat_as_withdraw) {
		p->st.treat_as_withdraw += u->n_withdrawn;
		pwarn(p, "UPDATE: %s: %u prefix(es) treated as withdrawn "
		      "(RFC 7606)", u->warning, u->n_withdrawn);
	}
	if (u->n_nlri > 0) {
		/* RFC 4271 §6.3: the leftmost AS of an eBGP path is the
		 * peer's; RFC 7606 §7.2 makes a bad AS_PATH (and an empty one
		 * from an external peer) treat-as-withdraw. */
		if (u->attrs.aspath_len == 0)
			bad = "empty AS_PATH from an eBGP peer";
		else if (bgp_aspath_has_confed(u->attrs.aspath,
					       u->attrs.aspath_len))
			/* RFC 5065 §5.1: a malformed AS_PATH (RFC 7606
			 * §7.2) from a peer outside our confederation,
			 * which every peer of ours is */
			bad = "AS_CONFED_SEQUENCE or AS_CONFED_SET from an "
			      "eBGP peer (RFC 5065 §5.1)";
		else if (bgp_aspath_first(u->attrs.aspath,
					  u->attrs.aspath_len) !=
			 p->lc->remote_as)
			bad = "AS_PATH does not start with the peer's AS "
			      "(RFC 4271 §6.3)";
		if (bad != NULL) {
			char path[128];

			p->st.treat_as_withdraw += u->n_nlri;
			pwarn(p, "UPDATE: %s (path \"%s\"): %u prefix(es) "
			      "treated as withdrawn (RFC 7606)", bad,
			      bgp_aspath_str(u->attrs.aspath,
					     u->attrs.aspath_len, path,
					     sizeof(path)), u->n_nlri);
			for (i = 0; i < u->n_nlri; i++)
				prefix_withdraw(p, &u->nlri[i]);
			u->n_nlri = 0;
		}
	}
	/* a full table's entries are misses to memory: RIB_LOOKAHEAD
	 * prefixes ahead on their way while these are applied */
	for (i = 0; i < u->n_withdrawn; i++) {
		if (i + RIB_LOOKAHEAD < u->n_withdrawn)
			rib_prefetch(sp->rib, &u->withdrawn[i + RIB_LOOKAHEAD]);
		prefix_withdraw(p, &u->withdrawn[i]);
	}
	for (i = 0; i < u->n_nlri; i++) {
		struct bgp_attrs a = u->attrs;
		enum pol_verdict v;
		int rc;

		if (i + RIB_LOOKAHEAD < u->n_nlri)
			rib_prefetch(sp->rib, &u->nlri[i + RIB_LOOKAHEAD]);

		/* RFC 4760 §3: the prefixes of the IPv4 NLRI field take
		 * NEXT_HOP, never MP_REACH_NLRI's next hop */
		if (i >= u->nlri_field_first) {
			a.nexthop = u->nexthop_v4;
			memset(&a.nexthop_ll, 0, sizeof(a.nexthop_ll));
		}
		v = policy_import(sp->cfg, p->link, &u->nlri[i], &a);

		if (v != POL_ACCEPT) {
			prefix_reject(p, &u->nlri[i], v);
			continue;
		}
		if (p->rejected_set != NULL)
			ptable_del(p->rejected_set, &u->nlri[i]);
		if (p->drain == BGP_DRAIN_DRAINED)
			policy_drained(&a);
		rc = rib_update(sp->rib, p->link, &u->nlri[i], &a);
		if (rc < 0)
			pwarn(p, "RIB: %s", strerror(-rc));
	}
	if (u->n_nlri > 0 && lb->max_prefix > 0 &&
	    rib_link_count_af(sp->rib, p->link, p->afs) > lb->max_prefix) {
		max_prefix_exceeded(p, u->nlri[0].family);
		return -1;
	}
	if (u->n_nlri > 0 && lb->max_memory_bytes > 0 &&
	    bgp_peer_bytes(p) > lb->max_memory_bytes) {
		max_memory_exceeded(p);
		return -1;
	}
	if (u->eor && u->eor_af < BGP_AF_MAX)
		end_of_rib(p, u->eor_af);
	return 0;
}

/* ---- OPEN, NOTIFICATION, ROUTE-REFRESH ---- */

/* Whether the peer's OPEN O offers a family P carries (RFC 4760 §8 in
 * practice: no multiprotocol capability at all means IPv4 unicast). */
static bool open_af_common(const struct bgp_peer *p, const struct bgp_open *o)
{
	unsigned int af;
	bool any_mp = false;

	for (af = 0; af < BGP_AF_MAX; af++) {
		if (o->cap_mp[af] && (p->afs & RIB_KEEP_AF(af)))
			return true;
		any_mp |= o->cap_mp[af];
	}
	return !any_mp && (p->afs & RIB_KEEP_AF(BGP_AF_IPV4));
}

static int handle_open(struct bgp_peer *p, struct bgp_conn *c,
		       const uint8_t *msg, size_t len)
{
	struct bgp_speaker *sp = p->sp;
	const struct twp_config *cfg = sp->cfg;
	struct bgp_conn *other = c == &p->out ? &p->in : &p->out;
	struct bgp_notify err;
	struct bgp_open o;
	uint64_t now = sp->now_ms;

	if (bgp_open_parse(msg, len, &o, &err) < 0) {
		conn_error(p, c, &err, "bad OPEN");
		return -1;
	}
	if (o.asn != p->lc->remote_as) {
		/* RFC 4271 §6.2: Bad Peer AS */
		char what[96];

		memset(&err, 0, sizeof(err));
		err.code = BGP_ERR_OPEN;
		err.subcode = BGP_ERR_OPEN_PEER_AS;
		snprintf(what, sizeof(what), "OPEN from AS %u, expected %u",
			 o.asn, p->lc->remote_as);
		conn_error(p, c, &err, what);
		return -1;
	}
	if (!open_af_common(p, &o)) {
		/* RFC 5492 §3: a capability the session needs is not
		 * there (a session per family, and the peer offered the
		 * other one) */
		char what[128];

		memset(&err, 0, sizeof(err));
		err.code = BGP_ERR_OPEN;
		err.subcode = BGP_ERR_OPEN_CAPABILITY;
		snprintf(what, sizeof(what), "no address family in common: "
			 "this session carries %s only, the peer offered %s",
			 p->afs & RIB_KEEP_AF(BGP_AF_IPV4) ? "ipv4" : "ipv6",
			 o.cap_mp[BGP_AF_IPV4] || o.cap_mp[BGP_AF_IPV6] ?
			 (o.cap_mp[BGP_AF_IPV4] ? "ipv4" : "ipv6") :
			 "ipv4 (no multiprotocol capability)");
		conn_error(p, c, &err, what);
		return -1;
	}
	c->open = o;
	c->hold_s = o.hold_time_s < p->hold_cfg_s ? o.hold_time_s :
						      p->hold_cfg_s;

	/* RFC 4271 §6.8 connection collision: an OPEN on one connection
	 * while the other is in OpenConfirm (so the peer's BGP Identifier is
	 * known). The connection opened by the speaker with the higher
	 * Identifier stays (RFC 6286 §2.3: the higher AS on a tie). An
	 * attempt still in Connect is simply given up. */
	if (other->fd >= 0 && other->state == BGP_ST_CONNECT) {
		conn_close(sp, other, false);
	} else if (other->fd >= 0 && other->state >= BGP_ST_OPENCONFIRM) {
		uint32_t local_id, remote_id;
		bool peer_dominant, keep_new;
		struct bgp_notify n = {.code = BGP_ERR_CEASE,
				       .subcode = BGP_ERR_CEASE_COLLISION};
		struct bgp_end e = {.sent = &n, .next = BGP_HOLD_NONE};

		memcpy(&local_id, cfg->router_id, 4);
		memcpy(&remote_id, o.bgp_id, 4);
		local_id = ntohl(local_id);
		remote_id = ntohl(remote_id);
		peer_dominant = local_id < remote_id ||
				(local_id == remote_id &&
				 cfg->local_as < o.asn);
		keep_new = other->state != BGP_ST_ESTABLISHED &&
			   peer_dominant == !c->outgoing;
		e.why = peer_dominant ? "connection collision: the peer's "
					"BGP Identifier is higher (6/7)" :
					"connection collision: ours is "
					"higher (6/7)";
		conn_end(p, keep_new ? other : c, &e);
		if (!keep_new)
			return -1;
	}
	send_keepalive(p, c);
	c->state = BGP_ST_OPENCONFIRM;
	c->hold_at_ms = c->hold_s ? now + c->hold_s * 1000ull : 0;
	c->keepalive_at_ms = c->hold_s ? now + c->hold_s * 1000ull / 3 : 0;
	peer_report(p);
	return 0;
}

static int handle_notify(struct bgp_peer *p, struct bgp_conn *c,
			 const uint8_t *msg, size_t len)
{
	struct bgp_notify n;
	struct bgp_end e = {.rcvd = &n, .next = BGP_HOLD_BACKOFF};
	char s[sizeof(p->last_notify_rcvd)], why[sizeof(p->last_error)];

	if (bgp_notify_parse(msg, len, &n) < 0) {
		memset(&n, 0, sizeof(n));
		snprintf(s, sizeof(s), "(too short)");
	} else {
		notify_str(&n, s, sizeof(s));
	}
	p->st.notifications_rcvd++;
	if (n.code == BGP_ERR_CEASE && n.subcode == BGP_ERR_CEASE_HARD_RESET &&
	    n.data_len >= 2) {
		struct bgp_notify inner = {.code = n.data[0],
					   .subcode = n.data[1]};
		char si[96];

		snprintf(s + strlen(s), sizeof(s) - strlen(s), " [%s]",
			 notify_str(&inner, si, sizeof(si)));
	}
	/* RFC 9003: the peer's Shutdown Communication, for the operator */
	append_shutdown_msg(&n, s, sizeof(s));
	snprintf(p->last_notify_rcvd, sizeof(p->last_notify_rcvd), "%s", s);
	plog(p, "NOTIFICATION received: %s", s);
	snprintf(why, sizeof(why), "NOTIFICATION received: %s", s);
	e.why = why;
	conn_end(p, c, &e);
	return -1;
}

static int handle_refresh(struct bgp_peer *p, struct bgp_conn *c,
			  const uint8_t *msg, size_t len)
{
	struct bgp_notify err;
	enum bgp_af af;
	int rc = bgp_refresh_parse(msg, len, &af, &err);

	if (rc == -EBADMSG) {
		conn_error(p, c, &err, "bad ROUTE-REFRESH");
		return -1;
	}
	p->st.refresh_rcvd++;
	/* RFC 2918 §4: an AFI/SAFI we did not advertise is ignored */
	if (rc < 0 || !p->caps.af[af])
		return 0;
	plog(p, "ROUTE-REFRESH %s received: %u prefix(es) announced again",
	     af_name(af), export_af(p, af));
	return 0;
}

/* One whole message (header checked). 0, or -1 when C was closed. */
static int handle_msg(struct bgp_peer *p, struct bgp_conn *c, uint8_t type,
		      const uint8_t *msg, size_t len)
{
	uint64_t now = p->sp->now_ms;

	p->st.msgs_rcvd++;
	if (type == BGP_MSG_NOTIFICATION)
		return handle_notify(p, c, msg, len);
	/* RFC 4271 §4.4: every KEEPALIVE or UPDATE restarts the Hold Timer */
	if (c->state >= BGP_ST_OPENCONFIRM && c->hold_s)
		c->hold_at_ms = now + c->hold_s * 1000ull;
	switch (c->state) {
	case BGP_ST_OPENSENT:
		if (type != BGP_MSG_OPEN)
			break;
		return handle_open(p, c, msg, len);
	case BGP_ST_OPENCONFIRM:
		if (type != BGP_MSG_KEEPALIVE)
			break;
		session_up(p, c);
		return 0;
	case BGP_ST_ESTABLISHED:
		if (type == BGP_MSG_KEEPALIVE)
			return 0;
		if (type == BGP_MSG_UPDATE)
			return handle_update(p, c, msg, len);
		if (type == BGP_MSG_ROUTE_REFRESH)
			return handle_refresh(p, c, msg, len);
		break;
	default:
		break;
	}
	fsm_error(p, c, type);
	return -1;
}

long bgp_conn_receive(struct bgp_peer *p, struct bgp_conn *c,
		      const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (len - off >= BGP_HDR_LEN) {
		struct bgp_notify err;
		uint16_t mlen;
		uint8_t type;

		if (bgp_hdr_check(buf + off, len - off, &mlen, &type,
				  &err) < 0) {
			conn_error(p, c, &err, "bad message header");
			return -1;
		}
		if (len - off < mlen)
			break;
		if (handle_msg(p, c, type, buf + off, mlen) < 0)
			return -1; /* C was closed */
		off += mlen;
	}
	return (long)off;
}

void conn_input(struct bgp_peer *p, struct bgp_conn *c)
{
	/* One read of at most BGP_READ_CHUNK per readiness: the loop runs
	 * the timers between two, and a full table arriving (about 2 us of
	 * parsing, policy and RIB per prefix) must not keep it from them.
	 * Four 64 KB reads were 150 ms of CPU in one go, and on a host
	 * whose other core was busy the loop then went 2.3 s between
	 * keepalives (control/loopwatch.c said so): a hold-timer flap at
	 * 3 s. 16 KB is about 10 ms; the next iteration goes on. */
	size_t room = BGP_CONN_RBUF - c->rlen;
	ssize_t n = recv(c->fd, c->rbuf + c->rlen,
			 room < BGP_READ_CHUNK ? room : BGP_READ_CHUNK,
			 0);
	long off;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR &&
		       errno != EWOULDBLOCK)) {
		char why[96];
		struct bgp_end e = {.why = why,
				    .next = BGP_HOLD_BACKOFF};

		if (n == 0)
			snprintf(why, sizeof(why),
				 "connection closed by the peer");
		else
			snprintf(why, sizeof(why), "receive: %s",
				 strerror(errno));
		conn_end(p, c, &e);
		return;
	}
	if (n < 0)
		return;
	c->rlen += (size_t)n;
	off = bgp_conn_receive(p, c, c->rbuf, c->rlen);
	if (off < 0)
		return; /* C was closed */
	memmove(c->rbuf, c->rbuf + off, c->rlen - (size_t)off);
	c->rlen -= (size_t)off;
}
