/* twinpathctl's BGP commands: "show bgp summary|neighbors|routes" and
 * "clear bgp ADDR [soft]", as text close to what FRR and BIRD users read,
 * or as JSON for scripts (field names are a contract with the tests). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "fsm.h"
#include "json.h"
#include "ptable.h"
#include "render.h"

#define ROUTES_MAX 20000u /* a full table is asked for by prefix */

static void json_str_or_null(FILE *f, const char *s)
{
	if (s[0] == '\0')
		fprintf(f, "null");
	else
		json_str(f, s);
}

/* A CLOCK_MONOTONIC time in ms, or null for 0 (never). */
static void json_ms_or_null(FILE *f, uint64_t ms)
{
	if (ms != 0)
		fprintf(f, "%llu", (unsigned long long)ms);
	else
		fprintf(f, "null");
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

static const char *const verdict_keys[POL_VERDICT_MAX] = {
	[POL_REJECT_NO_POLICY] = "no_policy",
	[POL_REJECT_PREFIX] = "prefix",
	[POL_REJECT_OWN_AS] = "own_as",
	[POL_REJECT_NEXTHOP] = "nexthop",
};

/* The fields summary and neighbors share. */
static void neighbor_json(const struct bgp_peer *p, uint64_t now, FILE *f)
{
	char a[64];

	fprintf(f, "{\"link\":");
	json_str(f, p->lc->name);
	fprintf(f, ",\"address\":\"%s\",\"remote_as\":%u,\"state\":\"%s\","
		"\"uptime_s\":%.1f,\"hold_time_s\":%u,\"keepalive_s\":%u,"
		"\"msgs_rcvd\":%llu,\"msgs_sent\":%llu,"
		"\"prefixes_received\":%zu,\"prefixes_accepted\":%zu,"
		"\"last_error\":",
		cfg_addr_str(&p->lc->peer_address, a, sizeof(a)),
		p->lc->remote_as, bgp_state_str(p->state), uptime_s(p, now),
		hold_now(p), hold_now(p) / 3,
		(unsigned long long)p->st.msgs_rcvd,
		(unsigned long long)p->st.msgs_sent, bgp_peer_received(p),
		rib_link_count(p->sp->rib, p->link));
	json_str_or_null(f, p->last_error);
}

static void neighbor_detail_json(const struct bgp_peer *p, uint64_t now,
				 FILE *f)
{
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	const struct bgp_open *o = &p->peer_open;
	const char *why = hold_reason(p);
	bool est = p->est != NULL;
	unsigned int v;

	neighbor_json(p, now, f);
	fprintf(f, ",\"router_id\":");
	if (p->have_peer_open)
		fprintf(f, "\"%u.%u.%u.%u\"", o->bgp_id[0], o->bgp_id[1],
			o->bgp_id[2], o->bgp_id[3]);
	else
		fprintf(f, "null");
	fprintf(f, ",\"capabilities\":{\"ipv4\":%s,\"ipv6\":%s,\"as4\":%s,"
		"\"route_refresh\":%s,\"graceful_restart\":%s}",
		est && p->caps.af[BGP_AF_IPV4] ? "true" : "false",
		est && p->caps.af[BGP_AF_IPV6] ? "true" : "false",
		est && p->caps.as4 ? "true" : "false",
		est && p->caps.route_refresh ? "true" : "false",
		est && o->cap_gr && p->sp->cfg->bgp.graceful_restart ?
			"true" : "false");
	fprintf(f, ",\"gtsm\":%s,\"md5\":%s,\"passive\":%s,\"rejected\":{",
		lb->ttl_security ? "true" : "false",
		lb->password[0] ? "true" : "false",
		lb->passive ? "true" : "false");
	for (v = POL_REJECT_NO_POLICY; v < POL_VERDICT_MAX; v++)
		fprintf(f, "\"%s\":%llu,", verdict_keys[v],
			(unsigned long long)p->st.rejected[v]);
	fprintf(f, "\"treat_as_withdraw\":%llu},\"notifications_sent\":%llu,"
		"\"notifications_rcvd\":%llu,\"last_notification_sent\":",
		(unsigned long long)p->st.treat_as_withdraw,
		(unsigned long long)p->st.notifications_sent,
		(unsigned long long)p->st.notifications_rcvd);
	json_str_or_null(f, p->last_notify_sent);
	fprintf(f, ",\"last_notification_rcvd\":");
	json_str_or_null(f, p->last_notify_rcvd);
	/* CLOCK_MONOTONIC, as show bfd's change_ns: a test or a tool
	 * lines the session's changes up with BFD's and its own clock */
	fprintf(f, ",\"established_count\":%llu,\"established_at_ms\":",
		(unsigned long long)p->st.established_count);
	json_ms_or_null(f, p->est != NULL ? p->established_ms : 0);
	fprintf(f, ",\"down_at_ms\":");
	json_ms_or_null(f, p->down_ms);
	fprintf(f, ",\"last_reset\":");
	json_str_or_null(f, p->last_reset);
	fprintf(f, ",\"recent_resets\":[");
	for (v = 0; v < p->n_resets; v++) {
		const struct bgp_reset *r = &p->resets[v];

		fprintf(f, "%s{\"down_at_ms\":%llu,\"reason\":", v ? "," : "",
			(unsigned long long)r->down_ms);
		json_str(f, r->why);
		fprintf(f, ",\"established_again_at_ms\":");
		json_ms_or_null(f, r->up_ms);
		fprintf(f, "}");
	}
	fprintf(f, "]");
	fprintf(f, ",\"stale\":%zu,\"restart_timer_s_left\":", p->stale);
	if (p->restart_at_ms != 0)
		fprintf(f, "%llu", secs_left(p->restart_at_ms, now));
	else
		fprintf(f, "null");
	fprintf(f, ",\"updates_rcvd\":%llu,\"updates_sent\":%llu,"
		"\"attributes_discarded\":%llu,\"max_prefix\":%u,"
		"\"max_prefix_hits\":%llu,\"memory_bytes\":%zu,"
		"\"max_memory_bytes\":%llu,\"max_memory_hits\":%llu,"
		"\"route_refresh_rcvd\":%llu,"
		"\"route_refresh_sent\":%llu,\"hold_late_reads\":%llu,"
		"\"idle_reason\":",
		(unsigned long long)p->st.updates_rcvd,
		(unsigned long long)p->st.updates_sent,
		(unsigned long long)p->st.attrs_discarded, lb->max_prefix,
		(unsigned long long)p->st.max_prefix_hits, bgp_peer_bytes(p),
		(unsigned long long)lb->max_memory_bytes,
		(unsigned long long)p->st.max_memory_hits,
		(unsigned long long)p->st.refresh_rcvd,
		(unsigned long long)p->st.refresh_sent,
		(unsigned long long)p->st.hold_late_reads);
	if (why != NULL)
		json_str(f, why);
	else
		fprintf(f, "null");
	fprintf(f, ",\"idle_s_left\":");
	if ((p->hold == BGP_HOLD_BACKOFF || p->hold == BGP_HOLD_MAX_PREFIX) &&
	    p->idle_until_ms > now)
		fprintf(f, "%llu", secs_left(p->idle_until_ms, now));
	else
		fprintf(f, "null");
	/* the operator's state: bgp ADDR shutdown, link NAME drain */
	fprintf(f, ",\"admin_down\":%s,\"admin_down_s\":",
		p->admin_down ? "true" : "false");
	if (p->admin_down)
		fprintf(f, "%llu,\"shutdown_message\":", (unsigned long long)
			((now - p->admin_since_ms) / 1000u));
	else
		fprintf(f, "null,\"shutdown_message\":");
	json_str_or_null(f, p->admin_down ? p->admin_msg : "");
	fprintf(f, ",\"drain\":\"%s\",\"drain_s\":", bgp_drain_str(p->drain));
	if (p->drain != BGP_DRAIN_NONE)
		fprintf(f, "%llu", (unsigned long long)
			((now - p->drain_since_ms) / 1000u));
	else
		fprintf(f, "null");
	fprintf(f, ",\"drain_reason\":");
	json_str_or_null(f, p->drain == BGP_DRAIN_DRAINED ? p->drain_reason :
			 "");
	fprintf(f, "}");
}

static void show_summary(struct bgp_speaker *sp, bool json, FILE *f)
{
	const struct twp_config *cfg = sp->cfg;
	uint64_t now = bgp_now_ms();
	char s[32], t[32];
	unsigned int i;

	if (json) {
		fprintf(f, "{\"local_as\":%u,\"router_id\":\"%u.%u.%u.%u\","
			"\"loc_rib\":{\"ipv4\":%zu,\"ipv6\":%zu},"
			"\"pending\":%zu,\"connections_refused\":%llu,"
			"\"neighbors\":[", cfg->local_as, cfg->router_id[0],
			cfg->router_id[1], cfg->router_id[2],
			cfg->router_id[3], rib_loc_count(sp->rib, AF_INET),
			rib_loc_count(sp->rib, AF_INET6),
			rib_pending(sp->rib),
			(unsigned long long)sp->conn_refused);
		for (i = 0; i < sp->n_peers; i++) {
			fprintf(f, "%s", i ? "," : "");
			neighbor_json(&sp->peer[i], now, f);
			fprintf(f, "}");
		}
		fprintf(f, "]}\n");
		return;
	}
	fprintf(f, "BGP router identifier %u.%u.%u.%u, local AS number %u\n",
		cfg->router_id[0], cfg->router_id[1], cfg->router_id[2],
		cfg->router_id[3], cfg->local_as);
	fprintf(f, "Loc-RIB: %zu IPv4 and %zu IPv6 prefixes, %zu waiting for "
		"the decision process\n\n", rib_loc_count(sp->rib, AF_INET),
		rib_loc_count(sp->rib, AF_INET6), rib_pending(sp->rib));
	fprintf(f, "%-26s %-8s %-10s %8s %8s %-10s %-14s %s\n", "Neighbor",
		"Link", "AS", "MsgRcvd", "MsgSent", "Up/Down", "State/PfxRcd",
		"PfxAcc");
	for (i = 0; i < sp->n_peers; i++) {
		const struct bgp_peer *p = &sp->peer[i];
		char a[64];

		if (p->est != NULL)
			snprintf(s, sizeof(s), "%zu", bgp_peer_received(p));
		else /* "Idle (Admin)" as FRR says it: bgp ADDR shutdown */
			snprintf(s, sizeof(s), "%s%s", bgp_state_str(p->state),
				 p->admin_down ? " (Admin)" : "");
		fprintf(f, "%-26s %-8s %-10u %8llu %8llu %-10s %-14s %zu\n",
			cfg_addr_str(&p->lc->peer_address, a, sizeof(a)),
			p->lc->name, p->lc->remote_as,
			(unsigned long long)p->st.msgs_rcvd,
			(unsigned long long)p->st.msgs_sent,
			updown(p->est ? p->established_ms : p->down_ms, now, t,
			       sizeof(t)), s, rib_link_count(sp->rib, p->link));
		if (p->est == NULL && p->last_error[0] != '\0')
			fprintf(f, "    last error: %s\n", p->last_error);
	}
}

static void cap_line(FILE *f, const char *name, bool adv, bool rcvd)
{
	fprintf(f, "      %s: %s\n", name,
		adv && rcvd ? "advertised and received" :
		adv ? "advertised" : rcvd ? "received" : "none");
}

static void neighbor_text(const struct bgp_peer *p, uint64_t now, FILE *f)
{
	const struct twp_config *cfg = p->sp->cfg;
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	const struct bgp_open *o = &p->peer_open;
	const char *why = hold_reason(p);
	struct cfg_addr local = p->local;
	char a[64], b[64], t[32], t2[64];
	unsigned int af, i;

	local.len = local.family == AF_INET ? 32 : 128;

	fprintf(f, "BGP neighbor is %s (%s), remote AS %u, local AS %u, "
		"external link\n",
		cfg_addr_str(&p->lc->peer_address, a, sizeof(a)), p->lc->name,
		p->lc->remote_as, cfg->local_as);
	fprintf(f, "  Local address %s, interface %s%s%s%s\n",
		cfg_addr_str(&local, b, sizeof(b)), p->lc->interface,
		lb->passive ? ", passive" : "",
		lb->ttl_security ? ", GTSM (TTL 255)" : ", TTL 1",
		lb->password[0] ? ", TCP MD5" : "");
	if (p->have_peer_open)
		fprintf(f, "  Remote router ID %u.%u.%u.%u\n", o->bgp_id[0],
			o->bgp_id[1], o->bgp_id[2], o->bgp_id[3]);
	fprintf(f, "  BGP state = %s", bgp_state_str(p->state));
	if (p->est != NULL)
		fprintf(f, ", up for %s", updown(p->established_ms, now, t,
						 sizeof(t)));
	else if (why != NULL)
		fprintf(f, " (%s%s)", why, p->hold == BGP_HOLD_BACKOFF ||
			p->hold == BGP_HOLD_MAX_PREFIX ? ", ends soon" : "");
	if (p->admin_down)
		fprintf(f, "\n  Administratively down since %s%s%s%s",
			bgp_since_str(p->admin_since_ms, now, t2, sizeof(t2)),
			p->admin_msg[0] ? ", Shutdown Communication \"" : "",
			p->admin_msg, p->admin_msg[0] ? "\"" : "");
	if (p->drain != BGP_DRAIN_NONE)
		fprintf(f, "\n  Link %s since %s%s%s%s", bgp_drain_str(p->drain),
			bgp_since_str(p->drain_since_ms, now, t2, sizeof(t2)),
			p->drain == BGP_DRAIN_DRAINED ? " (" : ": our routes "
			"carry GRACEFUL_SHUTDOWN 65535:0",
			p->drain == BGP_DRAIN_DRAINED ? p->drain_reason : "",
			p->drain == BGP_DRAIN_DRAINED ? "): our routes carry "
			"GRACEFUL_SHUTDOWN 65535:0, the link's paths "
			"LOCAL_PREF 0" : "");
	fprintf(f, "\n  Established %llu time(s)", (unsigned long long)
		p->st.established_count);
	if (p->last_reset[0] != '\0')
		fprintf(f, "; last reset: %s", p->last_reset);
	if (p->last_error[0] != '\0' &&
	    strcmp(p->last_error, p->last_reset) != 0)
		fprintf(f, "; last down: %s", p->last_error);
	for (i = 0; i < p->n_resets; i++) {
		const struct bgp_reset *r = &p->resets[i];
		char ago[32];

		fprintf(f, "\n  Reset %s ago: %s",
			bgp_since_str(r->down_ms, now, ago, sizeof(ago)),
			r->why);
		if (r->up_ms != 0)
			fprintf(f, "; Established again %llu ms later",
				(unsigned long long)(r->up_ms - r->down_ms));
	}
	fprintf(f, "\n  Hold time %u s, keepalive interval %u s (configured "
		"hold time %u s, connect retry %u s)\n", hold_now(p),
		hold_now(p) / 3, p->hold_cfg_s, cfg->bgp.connect_retry_s);
	if (p->est != NULL) {
		fprintf(f, "  Neighbor capabilities:\n");
		cap_line(f, "4 Byte AS", true, o->cap_as4);
		cap_line(f, "Route refresh", true, o->cap_route_refresh);
		for (af = 0; af < BGP_AF_MAX; af++)
			cap_line(f, af == BGP_AF_IPV4 ? "Address Family IPv4 "
				 "Unicast" : "Address Family IPv6 Unicast",
				 true, o->cap_mp[af]);
		if (cfg->bgp.graceful_restart)
			fprintf(f, "      Graceful Restart: advertised (IPv4, "
				"IPv6, F bit %s, N bit%s)",
				p->sp->gr_forwarding ? "set" : "clear",
				p->sp->gr_restarting ? ", R bit: restarting" :
						       "");
		else
			fprintf(f, "      Graceful Restart: not advertised");
		if (o->cap_gr)
			fprintf(f, ", received (restart time %u s%s%s%s)",
				o->gr_restart_time_s,
				o->gr_notification ? ", N bit" : "",
				o->gr_af[BGP_AF_IPV4] ? ", IPv4" : "",
				o->gr_af[BGP_AF_IPV6] ? ", IPv6" : "");
		fprintf(f, "\n");
	}
	fprintf(f, "  Message statistics: received %llu (%llu updates, %llu "
		"notifications, %llu route refresh), sent %llu (%llu updates, "
		"%llu notifications, %llu route refresh)\n",
		(unsigned long long)p->st.msgs_rcvd,
		(unsigned long long)p->st.updates_rcvd,
		(unsigned long long)p->st.notifications_rcvd,
		(unsigned long long)p->st.refresh_rcvd,
		(unsigned long long)p->st.msgs_sent,
		(unsigned long long)p->st.updates_sent,
		(unsigned long long)p->st.notifications_sent,
		(unsigned long long)p->st.refresh_sent);
	if (p->st.hold_late_reads > 0)
		fprintf(f, "  Hold timer: %llu time(s) found expired with the "
			"peer's messages unread (the loop was late): read "
			"first\n",
			(unsigned long long)p->st.hold_late_reads);
	if (p->last_notify_sent[0] != '\0')
		fprintf(f, "  Last NOTIFICATION sent: %s\n",
			p->last_notify_sent);
	if (p->last_notify_rcvd[0] != '\0')
		fprintf(f, "  Last NOTIFICATION received: %s\n",
			p->last_notify_rcvd);
	fprintf(f, "  Prefixes: %zu received, %zu accepted (import: %u "
		"rule(s)%s, max-prefix %u)\n", bgp_peer_received(p),
		rib_link_count(p->sp->rib, p->link), lb->n_import,
		lb->n_import ? "" : ", none: nothing accepted, RFC 8212",
		lb->max_prefix);
	fprintf(f, "  Memory: %zu bytes held (max-memory ", bgp_peer_bytes(p));
	if (lb->max_memory_bytes > 0)
		fprintf(f, "%llu MiB", (unsigned long long)(lb->max_memory_bytes
							    >> 20));
	else
		fprintf(f, "none");
	fprintf(f, ", %llu Cease/8 so far)\n",
		(unsigned long long)p->st.max_memory_hits);
	fprintf(f, "  Rejected: %llu no policy, %llu by prefix, %llu own AS, "
		"%llu next hop; %llu treated as withdrawn, %llu attributes "
		"discarded\n",
		(unsigned long long)p->st.rejected[POL_REJECT_NO_POLICY],
		(unsigned long long)p->st.rejected[POL_REJECT_PREFIX],
		(unsigned long long)p->st.rejected[POL_REJECT_OWN_AS],
		(unsigned long long)p->st.rejected[POL_REJECT_NEXTHOP],
		(unsigned long long)p->st.treat_as_withdraw,
		(unsigned long long)p->st.attrs_discarded);
	if (p->stale > 0 || p->restart_at_ms != 0)
		fprintf(f, "  Graceful restart: %zu stale path(s)%s", p->stale,
			p->restart_at_ms ? ", restart timer " : "\n");
	if (p->restart_at_ms != 0)
		fprintf(f, "%llu s left\n", secs_left(p->restart_at_ms, now));
}

static int show_neighbors(struct bgp_speaker *sp, const char *addr,
			  bool json, FILE *f)
{
	uint64_t now = bgp_now_ms();
	struct bgp_peer *only = NULL;
	struct cfg_addr a;
	unsigned int i, n = 0;

	if (addr != NULL) {
		if (parse_neighbor(addr, &a) < 0 ||
		    (only = bgp_peer_find(sp, &a)) == NULL) {
			fprintf(f, "error: no BGP neighbor %s\n", addr);
			return -EINVAL;
		}
	}
	if (json)
		fprintf(f, "{\"neighbors\":[");
	for (i = 0; i < sp->n_peers; i++) {
		const struct bgp_peer *p = &sp->peer[i];

		if (only != NULL && p != only)
			continue;
		if (json) {
			fprintf(f, "%s", n ? "," : "");
			neighbor_detail_json(p, now, f);
		} else {
			fprintf(f, "%s", n ? "\n" : "");
			neighbor_text(p, now, f);
		}
		n++;
	}
	if (json)
		fprintf(f, "]}\n");
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
		       const struct rib_path_view *v, const char *path)
{
	const struct bgp_attrs *a = v->attrs;
	const struct cfg_link *l = &cfg->links[v->link];
	const struct cfg_addr *gw = path_nexthop(a);
	char nh[64], peer[64], c[24];
	unsigned int k;

	if (gw->family != 0)
		cfg_addr_str(gw, nh, sizeof(nh));
	else
		snprintf(nh, sizeof(nh), "-");
	render_obj(r, NULL);
	render_js(r, "link", l->name);
	render_js(r, "peer", cfg_addr_str(&l->peer_address, peer,
					  sizeof(peer)));
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
		route_path(r, w->sp->cfg, &paths[i], path);
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
			show_summary(sp, json, out);
			return 0;
		}
		if ((n == 3 || n == 4) && strcmp(cmd, "neighbors") == 0)
			return show_neighbors(sp, n == 4 ? words[3] : NULL,
					      json, out);
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
