/* twinpathctl's BGP commands: "show bgp summary|neighbors|routes" and
 * "clear bgp ADDR [soft]", as text close to what FRR and BIRD users read,
 * or as JSON for scripts (field names are a contract with the tests).
 * Each view is one walk over its values (render.h): a value in both
 * outputs is one call with its JSON key and its text format. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fsm.h"
#include "ptable.h"
#include "render.h"

#define ROUTES_MAX 20000u /* a full table is asked for by prefix */


/* S, or NULL (JSON's null, no text) for "": never set. */
static const char *str_or_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

/* JSON only: V, or null when there is none (HAVE false). */
static void ju_or_null(struct render *r, const char *key, bool have,
		       unsigned long long v)
{
	if (have)
		render_ju(r, key, v);
	else
		render_null(r, key);
}

/* A CLOCK_MONOTONIC time in ms, or null for 0 (never). */
static void ms_or_null(struct render *r, const char *key, uint64_t ms)
{
	ju_or_null(r, key, ms != 0, ms);
}

/* "198.51.100.0/24", "2001:db8::/32", "10.0.0.1/32": always a length. */
static const char *prefix_str(const struct cfg_addr *p, char *buf, size_t len)
{
	cfg_addr_str(p, buf, len);
	if (strchr(buf, '/') == NULL)
		snprintf(buf + strlen(buf), len - strlen(buf), "/%u", p->len);
	return buf;
}

/* A neighbor's address: "ADDR" (or "ADDR/32", "ADDR/128") into A. */
static int parse_neighbor(const char *s, struct cfg_addr *a)
{
	if (cfg_parse_prefix(s, a) < 0 || a->len != cfg_family_bits(a->family))
		return -EINVAL;
	return 0;
}

static double uptime_s(const struct bgp_peer *p, uint64_t now)
{
	return p->est != NULL ? (now - p->established_ms) / 1000.0 : 0.0;
}

/* "01:02:03", "3d04h05m" after a day; "never". */
static const char *updown(uint64_t since_ms, uint64_t now, char *buf,
			  size_t len)
{
	uint64_t s;

	if (since_ms == 0) {
		snprintf(buf, len, "never");
		return buf;
	}
	s = (now - since_ms) / 1000;
	if (s >= 86400)
		snprintf(buf, len, "%llud%02lluh%02llum",
			 (unsigned long long)(s / 86400),
			 (unsigned long long)(s / 3600 % 24),
			 (unsigned long long)(s / 60 % 60));
	else
		snprintf(buf, len, "%02llu:%02llu:%02llu",
			 (unsigned long long)(s / 3600),
			 (unsigned long long)(s / 60 % 60),
			 (unsigned long long)(s % 60));
	return buf;
}

/* Whole seconds until AT, rounded up; 0 once passed. */
static unsigned long long secs_left(uint64_t at, uint64_t now)
{
	return at > now ? (at - now + 999) / 1000 : 0;
}

static uint16_t hold_now(const struct bgp_peer *p)
{
	return p->est != NULL ? p->est->hold_s : p->hold_cfg_s;
}

static const char *hold_reason(const struct bgp_peer *p)
{
	switch (p->hold) {
	case BGP_HOLD_BACKOFF:
		return "backoff after an error";
	case BGP_HOLD_MAX_PREFIX:
		return p->held_for_memory ? "max-memory" : "max-prefix";
	case BGP_HOLD_BFD:
		return "BFD down";
	case BGP_HOLD_ADMIN:
		return "administratively down";
	default:
		return NULL;
	}
}

/* "198.18.1.1": a router ID or BGP Identifier. */
static const char *id_str(const uint8_t id[4], char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", id[0], id[1], id[2], id[3]);
	return buf;
}

static void cap_line(struct render *r, const char *name, bool adv,
		     bool rcvd)
{
	render_text(r, "      %s: %s\n", name,
		    adv && rcvd ? "advertised and received" :
		    adv ? "advertised" : rcvd ? "received" : "none");
}

/* JSON: the capabilities the session negotiated (all false until
 * Established); text, once Established: what each side advertised, as
 * FRR lists it. Not the same values, so each output has its own calls. */
static void neighbor_caps(struct render *r, const struct bgp_peer *p)
{
	const struct twp_config *cfg = p->sp->cfg;
	const struct bgp_open *o = &p->peer_open;
	bool est = p->est != NULL;
	unsigned int af;

	render_obj(r, "capabilities");
	render_bool(r, "ipv4", est && p->caps.af[BGP_AF_IPV4], NULL, NULL);
	render_bool(r, "ipv6", est && p->caps.af[BGP_AF_IPV6], NULL, NULL);
	render_bool(r, "as4", est && p->caps.as4, NULL, NULL);
	render_bool(r, "route_refresh", est && p->caps.route_refresh, NULL,
		    NULL);
	render_bool(r, "graceful_restart",
		    est && o->cap_gr && cfg->bgp.graceful_restart, NULL, NULL);
	render_end(r);
	if (!est)
		return;
	render_text(r, "  Neighbor capabilities:\n");
	cap_line(r, "4 Byte AS", true, o->cap_as4);
	cap_line(r, "Route refresh", true, o->cap_route_refresh);
	for (af = 0; af < BGP_AF_MAX; af++)
		cap_line(r, af == BGP_AF_IPV4 ? "Address Family IPv4 Unicast" :
			 "Address Family IPv6 Unicast", true, o->cap_mp[af]);
	if (cfg->bgp.graceful_restart)
		render_text(r, "      Graceful Restart: advertised (IPv4, "
			    "IPv6, F bit %s, N bit%s)",
			    p->sp->gr_forwarding ? "set" : "clear",
			    p->sp->gr_restarting ? ", R bit: restarting" : "");
	else
		render_text(r, "      Graceful Restart: not advertised");
	if (o->cap_gr)
		render_text(r, ", received (restart time %u s%s%s%s)",
			    o->gr_restart_time_s,
			    o->gr_notification ? ", N bit" : "",
			    o->gr_af[BGP_AF_IPV4] ? ", IPv4" : "",
			    o->gr_af[BGP_AF_IPV6] ? ", IPv6" : "");
	render_text(r, "\n");
}

/* show bgp neighbors: the session's ends, its state and why, the
 * operator's state, and its history (between the remote AS and the hold
 * time of neighbor()). */
static void neighbor_session(struct render *r, const struct bgp_peer *p,
			     uint64_t now)
{
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	const char *why = hold_reason(p);
	bool est = p->est != NULL;
	bool drained = p->drain == BGP_DRAIN_DRAINED;
	char b[64], t[64];
	unsigned int i;

	render_text(r, ", local AS %u, external link\n  Local address %s, "
		    "interface %s", p->sp->cfg->local_as,
		    cfg_host_str(&p->local, b, sizeof(b)), p->lc->interface);
	render_bool(r, "passive", lb->passive, ", passive", "");
	render_bool(r, "gtsm", lb->ttl_security, ", GTSM (TTL 255)", ", TTL 1");
	render_bool(r, "md5", lb->password[0], ", TCP MD5", "");
	render_text(r, "\n");
	render_sn(r, "router_id", "  Remote router ID %s\n", p->have_peer_open ?
		  id_str(p->peer_open.bgp_id, b, sizeof(b)) : NULL, NULL);

	render_s(r, "state", "  BGP state = %s", bgp_state_str(p->state));
	if (est)
		render_text(r, ", up for %s", updown(p->established_ms, now, t,
						     sizeof(t)));
	render_sn(r, "idle_reason", RENDER_TEXT_IF(!est, " (%s"), why, NULL);
	if (!est && why != NULL)
		render_text(r, "%s)", p->hold == BGP_HOLD_BACKOFF ||
			    p->hold == BGP_HOLD_MAX_PREFIX ? ", ends soon" :
							     "");
	ju_or_null(r, "idle_s_left", (p->hold == BGP_HOLD_BACKOFF ||
				      p->hold == BGP_HOLD_MAX_PREFIX) &&
		   p->idle_until_ms > now, secs_left(p->idle_until_ms, now));

	/* the operator's state: bgp ADDR shutdown, link NAME drain */
	render_bool(r, "admin_down", p->admin_down, NULL, NULL);
	ju_or_null(r, "admin_down_s", p->admin_down,
		   (now - p->admin_since_ms) / 1000u);
	if (p->admin_down)
		render_text(r, "\n  Administratively down since %s",
			    bgp_since_str(p->admin_since_ms, now, t,
					  sizeof(t)));
	render_sn(r, "shutdown_message", ", Shutdown Communication \"%s\"",
		  p->admin_down ? str_or_null(p->admin_msg) : NULL, NULL);
	render_s(r, "drain",
		 RENDER_TEXT_IF(p->drain != BGP_DRAIN_NONE, "\n  Link %s"),
		 bgp_drain_str(p->drain));
	ju_or_null(r, "drain_s", p->drain != BGP_DRAIN_NONE,
		   (now - p->drain_since_ms) / 1000u);
	if (p->drain != BGP_DRAIN_NONE)
		render_text(r, " since %s",
			    bgp_since_str(p->drain_since_ms, now, t,
					  sizeof(t)));
	if (p->drain == BGP_DRAIN_DRAINING)
		render_text(r, ": our routes carry GRACEFUL_SHUTDOWN 65535:0");
	render_sn(r, "drain_reason",
		  RENDER_TEXT_IF(drained, " (%s): our routes carry "
				 "GRACEFUL_SHUTDOWN 65535:0, the link's paths "
				 "LOCAL_PREF 0"),
		  drained ? str_or_null(p->drain_reason) : NULL, "");

	render_u(r, "established_count", "\n  Established %llu time(s)",
		 p->st.established_count);
	/* CLOCK_MONOTONIC, as show bfd's change_ns: a test or a tool
	 * lines the session's changes up with BFD's and its own clock */
	ms_or_null(r, "established_at_ms", est ? p->established_ms : 0);
	ms_or_null(r, "down_at_ms", p->down_ms);
	render_sn(r, "last_reset", "; last reset: %s",
		  str_or_null(p->last_reset), NULL);
	render_sn(r, "last_error",
		  RENDER_TEXT_IF(strcmp(p->last_error, p->last_reset) != 0,
				 "; last down: %s"),
		  str_or_null(p->last_error), NULL);
	render_arr(r, "recent_resets");
	for (i = 0; i < p->n_resets; i++) {
		const struct bgp_reset *x = &p->resets[i];
		char ago[64];

		render_obj(r, NULL);
		render_ju(r, "down_at_ms", x->down_ms);
		render_text(r, "\n  Reset %s",
			    bgp_since_str(x->down_ms, now, ago, sizeof(ago)));
		render_s(r, "reason", ": %s", x->why);
		ms_or_null(r, "established_again_at_ms", x->up_ms);
		if (x->up_ms != 0)
			render_text(r, "; Established again %llu ms later",
				    (unsigned long long)(x->up_ms -
							 x->down_ms));
		render_end(r);
	}
	render_end(r);
}

/* show bgp neighbors after the prefix counts: the limits, what import
 * rejected, graceful restart. */
static void neighbor_limits(struct render *r, const struct bgp_peer *p,
			    uint64_t now)
{
	const struct cfg_link_bgp *lb = &p->lc->bgp;

	render_text(r, " (import: %u rule(s)%s, max-prefix ", lb->n_import,
		    lb->n_import ? "" : ", none: nothing accepted, RFC 8212");
	render_u(r, "max_prefix", "%llu)\n", lb->max_prefix);
	render_ju(r, "max_prefix_hits", p->st.max_prefix_hits);
	render_u(r, "memory_bytes", "  Memory: %llu bytes held (max-memory ",
		 bgp_peer_bytes(p));
	render_ju(r, "max_memory_bytes", lb->max_memory_bytes);
	if (lb->max_memory_bytes > 0)
		render_text(r, "%llu MiB",
			    (unsigned long long)(lb->max_memory_bytes >> 20));
	else
		render_text(r, "none");
	render_u(r, "max_memory_hits", ", %llu Cease/8 so far)\n",
		 p->st.max_memory_hits);
	render_obj(r, "rejected");
	render_u(r, "no_policy", "  Rejected: %llu no policy, ",
		 p->st.rejected[POL_REJECT_NO_POLICY]);
	render_u(r, "prefix", "%llu by prefix, ",
		 p->st.rejected[POL_REJECT_PREFIX]);
	render_u(r, "own_as", "%llu own AS, ",
		 p->st.rejected[POL_REJECT_OWN_AS]);
	render_u(r, "nexthop", "%llu next hop; ",
		 p->st.rejected[POL_REJECT_NEXTHOP]);
	render_u(r, "treat_as_withdraw", "%llu treated as withdrawn, ",
		 p->st.treat_as_withdraw);
	render_u(r, "family_not_negotiated", "%llu of a family not "
		 "negotiated, ", p->st.foreign_af);
	render_end(r);
	render_u(r, "attributes_discarded", "%llu attributes discarded\n",
		 p->st.attrs_discarded);
	render_u(r, "stale",
		 RENDER_TEXT_IF(p->stale > 0 || p->restart_at_ms != 0,
				"  Graceful restart: %llu stale path(s)"),
		 p->stale);
	if (p->restart_at_ms != 0) {
		render_u(r, "restart_timer_s_left", ", restart timer %llu s "
			 "left\n", secs_left(p->restart_at_ms, now));
	} else {
		render_null(r, "restart_timer_s_left");
		if (p->stale > 0)
			render_text(r, "\n");
	}
}

/* One neighbor: its row of show bgp summary or, with DETAIL, its
 * paragraph of show bgp neighbors. The summary's fields are the ones the
 * two views share, written here once for both (scripts read the same
 * keys from either); DETAIL adds the rest. The state and the last error
 * sit at other places in the two text layouts, so each layout writes
 * them where it shows them. */
static void neighbor(struct render *r, const struct bgp_peer *p, uint64_t now,
		     bool detail)
{
	const struct twp_config *cfg = p->sp->cfg;
	const char *state = bgp_state_str(p->state);
	bool est = p->est != NULL;
	char a[64], t[32];

	render_obj(r, NULL);
	render_s(r, "address", detail ? "BGP neighbor is %s" : "%-26s ",
		 cfg_addr_str(&p->addr, a, sizeof(a)));
	render_s(r, "link", detail ? " (%s)" : "%-8s ", p->lc->name);
	render_u(r, "remote_as", detail ? ", remote AS %llu" : "%-10llu ",
		 p->lc->remote_as);
	if (detail)
		neighbor_session(r, p, now);
	render_jf(r, "uptime_s", 1, uptime_s(p, now));
	render_u(r, "hold_time_s",
		 RENDER_TEXT_IF(detail, "\n  Hold time %llu s"), hold_now(p));
	render_u(r, "keepalive_s",
		 RENDER_TEXT_IF(detail, ", keepalive interval %llu s"),
		 hold_now(p) / 3);
	if (detail) {
		render_text(r, " (configured hold time %u s, connect retry "
			    "%u s)\n", p->hold_cfg_s, cfg->bgp.connect_retry_s);
		neighbor_caps(r, p);
	}
	render_u(r, "msgs_rcvd", detail ? "  Message statistics: received %llu"
		 : "%8llu ", p->st.msgs_rcvd);
	if (detail) {
		render_u(r, "updates_rcvd", " (%llu updates",
			 p->st.updates_rcvd);
		render_u(r, "notifications_rcvd", ", %llu notifications",
			 p->st.notifications_rcvd);
		render_u(r, "route_refresh_rcvd", ", %llu route refresh)",
			 p->st.refresh_rcvd);
	}
	render_u(r, "msgs_sent", detail ? ", sent %llu" : "%8llu ",
		 p->st.msgs_sent);
	if (detail) {
		render_u(r, "updates_sent", " (%llu updates",
			 p->st.updates_sent);
		render_u(r, "notifications_sent", ", %llu notifications",
			 p->st.notifications_sent);
		render_u(r, "route_refresh_sent", ", %llu route refresh)\n",
			 p->st.refresh_sent);
		render_u(r, "hold_late_reads",
			 RENDER_TEXT_IF(p->st.hold_late_reads > 0,
					"  Hold timer: %llu time(s) found "
					"expired with the peer's messages "
					"unread (the loop was late): read "
					"first\n"), p->st.hold_late_reads);
		render_sn(r, "last_notification_sent", "  Last NOTIFICATION "
			  "sent: %s\n", str_or_null(p->last_notify_sent), NULL);
		render_sn(r, "last_notification_rcvd", "  Last NOTIFICATION "
			  "received: %s\n", str_or_null(p->last_notify_rcvd),
			  NULL);
	} else {
		/* FRR's Up/Down, then State/PfxRcd: the prefixes received
		 * once Established, else the state ("Idle (Admin)" as FRR
		 * says it: bgp ADDR shutdown) in 14 columns */
		size_t len = strlen(state);

		render_text(r, "%-10s ", updown(est ? p->established_ms :
						p->down_ms, now, t, sizeof(t)));
		render_s(r, "state", RENDER_TEXT_IF(!est, "%s"), state);
		if (!est)
			render_text(r, "%-*s ", len < 14 ? (int)(14 - len) : 0,
				    p->admin_down ? " (Admin)" : "");
	}
	render_u(r, "prefixes_received", detail ? "  Prefixes: %llu received, "
		 : RENDER_TEXT_IF(est, "%-14llu "), bgp_peer_received(p));
	render_u(r, "prefixes_accepted", detail ? "%llu accepted" : "%llu\n",
		 rib_link_count_af(p->sp->rib, p->link, p->afs));
	if (detail)
		neighbor_limits(r, p, now);
	else
		render_sn(r, "last_error",
			  RENDER_TEXT_IF(!est, "    last error: %s\n"),
			  str_or_null(p->last_error), NULL);
	render_end(r);
}

static void show_summary(struct bgp_speaker *sp, struct render *r)
{
	const struct twp_config *cfg = sp->cfg;
	uint64_t now = bgp_now_ms();
	char id[32];
	unsigned int i;

	render_obj(r, NULL);
	render_s(r, "router_id", "BGP router identifier %s, ",
		 id_str(cfg->router_id, id, sizeof(id)));
	render_u(r, "local_as", "local AS number %llu\n", cfg->local_as);
	render_obj(r, "loc_rib");
	render_u(r, "ipv4", "Loc-RIB: %llu IPv4 and ",
		 rib_loc_count(sp->rib, AF_INET));
	render_u(r, "ipv6", "%llu IPv6 prefixes, ",
		 rib_loc_count(sp->rib, AF_INET6));
	render_end(r);
	render_u(r, "pending", "%llu waiting for the decision process\n\n",
		 rib_pending(sp->rib));
	render_ju(r, "connections_refused", sp->conn_refused);
	render_text(r, "%-26s %-8s %-10s %8s %8s %-10s %-14s %s\n", "Neighbor",
		    "Link", "AS", "MsgRcvd", "MsgSent", "Up/Down",
		    "State/PfxRcd", "PfxAcc");
	render_arr(r, "neighbors");
	for (i = 0; i < sp->n_peers; i++)
		neighbor(r, &sp->peer[i], now, false);
	render_end(r);
	render_end(r);
}

static int show_neighbors(struct bgp_speaker *sp, const char *addr,
			  struct render *r)
{
	uint64_t now = bgp_now_ms();
	struct bgp_peer *only = NULL;
	struct cfg_addr a;
	unsigned int i, n = 0;

	if (addr != NULL) {
		if (parse_neighbor(addr, &a) < 0 ||
		    (only = bgp_peer_find(sp, &a)) == NULL) {
			fprintf(r->f, "error: no BGP neighbor %s\n", addr);
			return -EINVAL;
		}
	}
	render_obj(r, NULL);
	render_arr(r, "neighbors");
	for (i = 0; i < sp->n_peers; i++) {
		const struct bgp_peer *p = &sp->peer[i];

		if (only != NULL && p != only)
			continue;
		if (n++ > 0)
			render_text(r, "\n");
		neighbor(r, p, now, true);
	}
	render_end(r);
	render_end(r);
	return 0;
}

struct routes_walk {
	struct bgp_speaker *sp;
	struct render *r;
	unsigned int n;
	bool truncated;
};

static const char *const role_names[] = {
	[RIB_ROLE_NONE] = "none", [RIB_ROLE_BEST] = "best",
	[RIB_ROLE_MULTIPATH] = "multipath", [RIB_ROLE_BACKUP] = "backup",
};

static const char *origin_name(uint8_t o)
{
	return o == BGP_ORIGIN_IGP ? "IGP" : o == BGP_ORIGIN_EGP ? "EGP" :
	       "INCOMPLETE";
}

static const struct cfg_addr *path_nexthop(const struct bgp_attrs *a)
{
	return a->nexthop.family != 0 ? &a->nexthop : &a->nexthop_ll;
}

/* FRR's status codes, text only (JSON: "stale" and "role"): S stale or
 * * valid, then > best, = multipath, b backup. */
static void path_status(struct render *r, const struct rib_path_view *v)
{
	render_text(r, "%c%c  ", v->stale ? 'S' : '*',
		    v->role == RIB_ROLE_BEST ? '>' :
		    v->role == RIB_ROLE_MULTIPATH ? '=' :
		    v->role == RIB_ROLE_BACKUP ? 'b' : ' ');
}

/* One path: a line of FRR's table, an object of "paths". The JSON keeps
 * its order (a unit test holds the exact answer) and the text FRR's
 * columns; the two disagree on where the link and the AS path go, so
 * those two are written once for each output. */
static void route_path(struct render *r, const struct twp_config *cfg,
		       uint8_t family, const struct rib_path_view *v,
		       const char *path)
{
	const struct bgp_attrs *a = v->attrs;
	const struct cfg_link *l = &cfg->links[v->link];
	/* the session the path came over: a link's second session
	 * (peer_address6) carries its IPv6 prefixes */
	const struct cfg_addr *from = family == AF_INET6 &&
				      l->peer_address6.family != 0 ?
				      &l->peer_address6 : &l->peer_address;
	const struct cfg_addr *gw = path_nexthop(a);
	char nh[64], peer[64], c[24];
	unsigned int k;

	if (gw->family != 0)
		cfg_addr_str(gw, nh, sizeof(nh));
	else
		snprintf(nh, sizeof(nh), "-");
	render_obj(r, NULL);
	render_js(r, "link", l->name);
	render_js(r, "peer", cfg_addr_str(from, peer, sizeof(peer)));
	render_s(r, "nexthop", "%-18s ", nh);
	render_text(r, "%-8s ", l->name);
	render_js(r, "as_path", path);
	render_js(r, "origin", origin_name(a->origin));
	if (a->present & BGP_ATTR_P(BGP_ATTR_MED)) {
		render_u(r, "med", "%10llu ", a->med);
	} else {
		render_null(r, "med");
		render_text(r, "%10s ", "");
	}
	/* text: the value even when absent, as the decision process
	 * reads it */
	if (a->present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF)) {
		render_u(r, "local_pref", "%7llu ", a->local_pref);
	} else {
		render_null(r, "local_pref");
		render_text(r, "%7u ", a->local_pref);
	}
	render_text(r, "%s%s%c", path, path[0] ? " " : "",
		    a->origin == BGP_ORIGIN_IGP ? 'i' :
		    a->origin == BGP_ORIGIN_EGP ? 'e' : '?');
	render_arr(r, "communities");
	for (k = 0; k < a->n_communities; k++) {
		snprintf(c, sizeof(c), "%u:%u", a->communities[k] >> 16,
			 a->communities[k] & 0xffff);
		render_s(r, NULL, k ? " %s" : "  communities %s", c);
	}
	render_end(r);
	/* what RFC 7606's attribute discard leaves out */
	if (a->present & BGP_ATTR_P(BGP_ATTR_AGGREGATOR)) {
		snprintf(c, sizeof(c), "%u:%u.%u.%u.%u", a->aggregator_as,
			 a->aggregator_addr[0], a->aggregator_addr[1],
			 a->aggregator_addr[2], a->aggregator_addr[3]);
		render_js(r, "aggregator", c);
	} else {
		render_null(r, "aggregator");
	}
	render_bool(r, "atomic_aggregate",
		    a->present & BGP_ATTR_P(BGP_ATTR_ATOMIC_AGGREGATE), NULL,
		    NULL);
	render_js(r, "role", role_names[v->role]);
	render_bool(r, "stale", v->stale, NULL, NULL);
	render_text(r, "\n");
	render_end(r);
}

static int route_cb(void *arg, const struct cfg_addr *prefix,
		    const struct rib_path_view *paths, unsigned int n)
{
	struct routes_walk *w = arg;
	struct render *r = w->r;
	char pfx[64], *path;
	size_t plen = 1;
	unsigned int i;

	if (w->n >= ROUTES_MAX) {
		w->truncated = true;
		return 1;
	}
	/* every path whole, however long: a cut one would show a path that
	 * was never sent. Sized before anything is printed, so running out
	 * of memory ends the listing as ROUTES_MAX does. */
	for (i = 0; i < n; i++)
		if (BGP_ASPATH_STR_MAX(paths[i].attrs->aspath_len) > plen)
			plen = BGP_ASPATH_STR_MAX(paths[i].attrs->aspath_len);
	path = malloc(plen);
	if (path == NULL) {
		w->truncated = true;
		return 1;
	}
	render_obj(r, NULL);
	/* the prefix goes on its first path's line, after that path's
	 * status codes (rib_walk gives a prefix with one path at least) */
	path_status(r, &paths[0]);
	render_s(r, "prefix", "%-24s ", prefix_str(prefix, pfx, sizeof(pfx)));
	render_arr(r, "paths");
	for (i = 0; i < n; i++) {
		if (i > 0) {
			path_status(r, &paths[i]);
			render_text(r, "%-24s ", "");
		}
		bgp_aspath_str(paths[i].attrs->aspath,
			       paths[i].attrs->aspath_len, path, plen);
		route_path(r, w->sp->cfg, prefix->family, &paths[i], path);
	}
	render_end(r);
	render_end(r);
	free(path);
	w->n++;
	return 0;
}

static int show_routes(struct bgp_speaker *sp, const char *filter,
		       struct render *r)
{
	struct routes_walk w = {.sp = sp, .r = r};
	struct cfg_addr a;

	if (filter != NULL && cfg_parse_prefix(filter, &a) < 0) {
		fprintf(r->f, "error: not a prefix or address: %s\n", filter);
		return -EINVAL;
	}
	render_obj(r, NULL);
	render_text(r, "Status codes: * valid, > best, = multipath, b backup, "
		    "S stale\n     %-24s %-18s %-8s %10s %7s %s\n", "Network",
		    "Next Hop", "Link", "MED", "LocPrf", "Path");
	render_arr(r, "routes");
	rib_walk(sp->rib, filter ? &a : NULL, route_cb, &w);
	render_end(r);
	/* text: the count, or where the listing stopped; JSON: only that
	 * it stopped */
	if (w.truncated) {
		render_text(r, "... first %u prefixes only: ask for one with "
			    "show bgp routes PREFIX\n", ROUTES_MAX);
		render_bool(r, "truncated", true, NULL, NULL);
	} else {
		render_text(r, "\n%u prefix(es)\n", w.n);
	}
	render_end(r);
	return 0;
}

int bgp_cli(struct bgp_speaker *sp, char **words, unsigned int n, bool json,
	    FILE *out)
{
	const char *cmd = n >= 3 ? words[2] : "";
	struct render r;
	char msg[256];
	int rc;

	/* errors stay one plain line in both modes, as twinpathctl prints
	 * them (fprintf to OUT, not through the render) */
	render_init(&r, out, json);

	if (sp == NULL) {
		fprintf(out, "error: BGP is not running (no bgp { } group in "
			"the config)\n");
		return -EINVAL;
	}
	if (strcmp(words[0], "show") == 0) {
		if (n == 3 && strcmp(cmd, "summary") == 0) {
			show_summary(sp, &r);
			return 0;
		}
		if ((n == 3 || n == 4) && strcmp(cmd, "neighbors") == 0)
			return show_neighbors(sp, n == 4 ? words[3] : NULL,
					      &r);
		if ((n == 3 || n == 4) && strcmp(cmd, "routes") == 0)
			return show_routes(sp, n == 4 ? words[3] : NULL, &r);
	} else if (strcmp(words[0], "clear") == 0 && (n == 3 || n == 4) &&
		   (n == 3 || strcmp(words[3], "soft") == 0)) {
		struct cfg_addr a;

		if (parse_neighbor(words[2], &a) < 0) {
			fprintf(out, "error: not an address: %s\n", words[2]);
			return -EINVAL;
		}
		rc = bgp_clear(sp, &a, n == 4, msg, sizeof(msg));
		if (rc < 0) {
			fprintf(out, "error: %s\n", msg);
			return -EINVAL;
		}
		render_obj(&r, NULL);
		render_s(&r, "result", "%s\n", msg);
		render_end(&r);
		return 0;
	}
	fprintf(out, "error: unknown command (bgp commands: show bgp summary, "
		"show bgp neighbors [ADDR], show bgp routes [PREFIX], "
		"clear bgp ADDR [soft])\n");
	return -EINVAL;
}
