/* CLI server: renders status, nexthops, routes and BFD sessions as text
 * for a person or as JSON for scripts. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "log.h"
#include "reload.h"
#include "render.h"

static int mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int cli_listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	rc = mkdir_parent(path);
	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket file left by a killed twinpathd: only one twinpathd per
	 * instance can hold the channel, so by now it is stale. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 8) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	return fd;
}

/* A nexthop's MAC, NULL while unresolved (JSON null; text says
 * "incomplete", as ip neigh does). */
static const char *mac_str(const struct fp_nexthop *nh, char *buf,
			   size_t len)
{
	if (!nh->resolved)
		return NULL;
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", nh->mac[0],
		 nh->mac[1], nh->mac[2], nh->mac[3], nh->mac[4], nh->mac[5]);
	return buf;
}

static bool pid_alive(uint32_t pid)
{
	return pid != 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

static void show_status(struct twpd *d, struct render *r)
{
	const struct twp_config *cfg = d->cfg;
	const struct chan_header *h = d->chan.hdr;
	const struct fibpush *fp = d->fp;
	uint32_t dp_pid = __atomic_load_n(&h->dp_pid, __ATOMIC_RELAXED);
	uint64_t dp_hb = __atomic_load_n(&h->dp_heartbeat_ns, __ATOMIC_RELAXED);
	uint64_t now = chan_now_ns();
	long long age_ms = dp_hb ? (long long)((now - dp_hb) / 1000000) : -1;
	bool alive = pid_alive(dp_pid);
	const char *mode = cfg->mode == CFG_MODE_ACTIVE_ACTIVE ?
				   "active-active" : "active-standby";
	char a[64], b[64], m[32];
	unsigned int i;

	render_obj(r, NULL);
	render_s(r, "instance", "instance %s, ", cfg->instance);
	render_s(r, "mode", "mode %s, ", mode);
	render_s(r, "config", "config %s\n", cfg->path);
	render_obj(r, "channel");
	render_s(r, "name", "channel %s\n", d->chan.name);
	render_u(r, "generation_sent", "  generation sent     %llu\n",
		 h->generation);
	render_u(r, "generation_applied", "  generation applied  %llu",
		 h->applied_generation);
	render_text(r, "%s\n", h->applied_generation == h->generation ?
				       " (in sync)" : " (sync pending)");
	/* JSON has the three values either way; text says only "not
	 * attached" until a data plane has said hello */
	render_text(r, "  data plane          ");
	if (dp_pid == 0) {
		render_text(r, "not attached\n");
		render_ju(r, "dp_pid", dp_pid);
		render_bool(r, "dp_alive", alive, NULL, NULL);
		render_ji(r, "dp_heartbeat_age_ms", age_ms);
	} else {
		render_u(r, "dp_pid", "pid %llu ", dp_pid);
		render_bool(r, "dp_alive", alive, "alive", "DEAD");
		render_i(r, "dp_heartbeat_age_ms", ", heartbeat %lld ms ago\n",
			 age_ms);
	}
	render_u(r, "outbox_records", "  outbox              %llu records "
		 "waiting\n", fibpush_queued(fp));
	render_u(r, "ring_refusals", "  ring refusals       %llu\n",
		 h->c2d_refused);
	render_u(r, "records_rejected", "  records rejected    %llu\n",
		 h->rec_invalid);
	render_end(r);
	render_obj(r, "fib");
	render_u(r, "routes", "fib\n  routes              %llu (",
		 fibpush_route_count(fp));
	render_u(r, "static_routes", "%llu static, ", fp->n_static);
	/* JSON counts every BGP route, text the installed ones */
	render_ju(r, "bgp_routes", fp->n_bgp);
	render_text(r, "%u bgp installed, ", fp->n_bgp - fp->n_shadowed);
	render_u(r, "bgp_shadowed", "%llu bgp shadowed by static)\n",
		 fp->n_shadowed);
	render_u(r, "groups", "  groups              %llu of ", fp->n_grp);
	render_text(r, "%u (", FP_GROUP_ID_MAX - 1u);
	render_u(r, "group_table_full", "%llu changes refused: table full)\n",
		 fp->grp_table_full);
	render_u(r, "nexthops", "  nexthops            %llu of ", fp->n_nh);
	render_text(r, "%u (", FP_NH_ID_MAX - 1u);
	render_u(r, "nexthop_table_full", "%llu changes refused: table "
		 "full)\n", fp->nh_table_full);
	render_end(r);
	/* prefix-independent convergence (control/fibpush.c) */
	render_obj(r, "pic");
	render_u(r, "links_masked", "pic\n  links masked        %llu (bit "
		 "per link)\n", fp->masked);
	render_u(r, "link_down", "  link down           %llu: ",
		 fp->pic.link_down);
	render_u(r, "groups_down", "%llu groups rewritten, ",
		 fp->pic.groups_down);
	render_u(r, "groups_empty", "%llu left with no member, ",
		 fp->pic.groups_empty);
	render_u(r, "static_split", "%llu split from static routes, ",
		 fp->pic.static_split);
	render_u(r, "last_down_us", "last %llu us\n",
		 fp->pic.last_down_ns / 1000u);
	render_u(r, "link_up", "  link up             %llu: ",
		 fp->pic.link_up);
	render_u(r, "groups_up", "%llu groups rewritten, ",
		 fp->pic.groups_up);
	render_u(r, "routes_moved", "%llu routes moved, ",
		 fp->pic.routes_moved);
	render_u(r, "move_failed", "%llu left (no group id), ",
		 fp->pic.move_failed);
	render_u(r, "last_up_us", "last %llu us\n",
		 fp->pic.last_up_ns / 1000u);
	render_u(r, "routes_kept", "  routes kept         %llu (decisions "
		 "met by their group in place)\n", fp->pic.routes_kept);
	render_obj(r, "records");
	render_u(r, "route", "  records sent        %llu per route, ",
		 fp->pic.records[FP_CAUSE_ROUTE]);
	render_u(r, "link_down", "%llu link down, ",
		 fp->pic.records[FP_CAUSE_LINK_DOWN]);
	render_u(r, "link_up", "%llu link up, ",
		 fp->pic.records[FP_CAUSE_LINK_UP]);
	render_u(r, "other", "%llu other\n",
		 fp->pic.records[FP_CAUSE_OTHER]);
	render_end(r);
	render_end(r);
	/* NAME..LOCAL's widths: a second session's peer goes under PEER */
#define PEER_COLUMN "  " "             " "           " "     " \
		    "                     "
	render_text(r, "links\n  %-12s %-10s %-4s %-20s %-16s %-10s %-6s %-5s "
		    "%s\n", "NAME", "INTERFACE", "PORT", "LOCAL", "PEER",
		    "REMOTE-AS", "PREF", "MTU", "PEER-MAC");
	render_arr(r, "links");
	for (i = 0; i < cfg->n_links; i++) {
		const struct cfg_link *l = &cfg->links[i];

		render_obj(r, NULL);
		render_s(r, "name", "  %-12s ", l->name);
		render_s(r, "interface", "%-10s ", l->interface);
		render_u(r, "port", "%-4llu ", i);
		render_s(r, "local_address", "%-20s ",
			 cfg_addr_str(&l->local_address, a, sizeof(a)));
		render_s(r, "peer_address", "%-16s ",
			 cfg_addr_str(&l->peer_address, b, sizeof(b)));
		render_u(r, "remote_as", "%-10llu ", l->remote_as);
		render_u(r, "local_pref", "%-6llu ", l->local_pref);
		render_u(r, "mtu", "%-5llu ", l->mtu);
		render_sn(r, "peer_mac", "%s\n",
			  mac_str(&fp->nh[i], m, sizeof(m)), "incomplete");
		/* the second session's peer (a session per family), on a
		 * line of its own in text, under PEER; null in JSON without
		 * one */
		render_str_(r, "peer_address6",
			    PEER_COLUMN "%s (second session, IPv6 unicast)\n",
			    l->peer_address6.family == 0 ? NULL :
			    cfg_host_str(&l->peer_address6, b, sizeof(b)),
			    NULL);
		render_end(r);
	}
	render_end(r);
	render_end(r);
}

static void show_nexthops(struct twpd *d, struct render *r)
{
	char a[64], m[32];
	unsigned int i;

	render_text(r, "%-4s %-16s %-10s %-26s %s\n", "ID", "PORT",
		    "INTERFACE", "GATEWAY", "MAC");
	render_arr(r, NULL);
	for (i = 0; i < d->fp->n_nh; i++) {
		const struct fp_nexthop *nh = &d->fp->nh[i];
		/* text's PORT column is "port (via)", 16 wide */
		int w = snprintf(NULL, 0, "%u (%s)", nh->port, nh->label);

		render_obj(r, NULL);
		render_u(r, "id", "%-4llu ", nh->id);
		render_u(r, "port", "%llu (", nh->port);
		render_js(r, "source", nh->bgp ? "bgp" : "static");
		render_s(r, "via", "%s)", nh->label);
		render_text(r, "%*s ", w < 16 ? 16 - w : 0, "");
		render_s(r, "interface", "%-10s ", nh->ifname);
		render_s(r, "gateway", "%-26s ",
			 cfg_addr_str(&nh->gateway, a, sizeof(a)));
		render_bool(r, "resolved", nh->resolved, NULL, NULL);
		render_sn(r, "mac", "%s\n", mac_str(nh, m, sizeof(m)),
			  "incomplete");
		render_end(r);
	}
	render_end(r);
}

/* A member as a person names it: the link for a link's peer, the address
 * for a LAN gateway, address@link for another BGP next hop. */
static const char *member_name(struct twpd *d, const struct fp_nexthop *nh,
			       char *buf, size_t len)
{
	char a[64];

	if (nh->port == cfg_lan_port(d->cfg))
		return cfg_addr_str(&nh->gateway, buf, len);
	if (!nh->bgp)
		return nh->label;
	snprintf(buf, len, "%s@%s", cfg_addr_str(&nh->gateway, a, sizeof(a)),
		 nh->label);
	return buf;
}

/* A group's member list: JSON objects in the array the caller opened,
 * text "a,b" ("-" for none). */
static void members(struct twpd *d, struct render *r, const uint32_t *ids,
		    unsigned int n)
{
	char a[96];
	unsigned int i;

	if (n == 0)
		render_text(r, "-");
	for (i = 0; i < n; i++) {
		const struct fp_nexthop *nh = fibpush_nexthop(d->fp, ids[i]);

		render_text(r, "%s", i ? "," : "");
		render_obj(r, NULL);
		render_ju(r, "nexthop", ids[i]);
		render_s(r, "via", "%s", nh != NULL ?
			 member_name(d, nh, a, sizeof(a)) : "?");
		render_end(r);
	}
}

/* One installed route: a line, or a JSON object in the open array. A
 * static route that shadows a BGP one says so (bgp_group). */
static void show_route(struct twpd *d, struct render *r,
		       const struct cfg_addr *pfx, const struct fp_route *rt)
{
	const struct fp_group *g = fibpush_group(d->fp, rt->group_id);
	char p[64];

	if (g == NULL)
		return; /* cannot happen: routes hold their group */
	/* always show the length, even for a host route */
	cfg_addr_str(pfx, p, sizeof(p));
	if (strchr(p, '/') == NULL)
		snprintf(p + strlen(p), sizeof(p) - strlen(p), "/%u", pfx->len);
	render_obj(r, NULL);
	render_s(r, "prefix", "%-44s ", p);
	render_s(r, "source", "%-6s ",
		 rt->flags & FP_ROUTE_STATIC ? "static" : "bgp");
	render_u(r, "group", "%-5llu ", g->id);
	render_arr(r, "primary");
	members(d, r, g->primary, g->n_primary);
	render_end(r);
	/* JSON's backup is [] when empty, text leaves it out */
	render_arr(r, "backup");
	if (g->n_backup > 0) {
		render_text(r, " -> ");
		members(d, r, g->backup, g->n_backup);
	}
	render_end(r);
	if ((rt->flags & FP_ROUTE_STATIC) && rt->bgp_group_id != 0)
		render_u(r, "bgp_group", "  (shadows bgp group %llu)",
			 rt->bgp_group_id);
	render_text(r, "\n");
	render_end(r);
}

/* "show routes" over a full table would hold the loop for as long as a
 * million lines take to render (over a second on a loaded host: a BGP
 * hold timer of 3 s expires). So it is a walk, rendered CLI_ROUTES_SLICE
 * routes per loop step as the client reads (cli_client.walk): the
 * installed prefixes are copied when the request comes (18 bytes each,
 * not their text), and each is looked up again when its turn comes. A
 * route that left the FIB meanwhile is not shown, one added meanwhile
 * neither (the next request shows it), a changed one is shown as it is
 * when rendered; none is shown twice. */
struct cli_walk {
	struct render r;
	struct cfg_addr *pfx;
	size_t n, next;
};

void cli_walk_free(struct cli_walk *w)
{
	if (w == NULL)
		return;
	free(w->pfx);
	free(w);
}

/* The header and the copy of the installed prefixes; NULL (and the error
 * in OUT) when out of memory. */
static struct cli_walk *routes_begin(struct twpd *d, FILE *out, bool json)
{
	size_t n = fibpush_route_count(d->fp), cursor = 0;
	const struct cfg_addr *pfx;
	struct cli_walk *w = calloc(1, sizeof(*w));

	if (w != NULL && n > 0 &&
	    (w->pfx = malloc(n * sizeof(*w->pfx))) == NULL) {
		free(w);
		w = NULL;
	}
	if (w == NULL) {
		fprintf(out, "error: out of memory listing %zu routes\n", n);
		return NULL;
	}
	while (w->n < n && fibpush_route_next(d->fp, &cursor, &pfx) != NULL)
		w->pfx[w->n++] = *pfx;
	render_init(&w->r, out, json);
	render_text(&w->r, "%-44s %-6s %-5s %s\n", "PREFIX", "SOURCE", "GROUP",
		    "PRIMARY -> BACKUP");
	render_arr(&w->r, NULL);
	return w;
}

/* The walk's next MAX prefixes into OUT; true when it has ended (the
 * answer is then complete). */
static bool routes_step(struct twpd *d, struct cli_walk *w, FILE *out,
			size_t max)
{
	w->r.f = out;
	for (; max > 0 && w->next < w->n; max--) {
		const struct cfg_addr *pfx = &w->pfx[w->next++];
		const struct fp_route *rt = fibpush_route(d->fp, pfx);

		if (rt != NULL)
			show_route(d, &w->r, pfx, rt);
	}
	if (w->next < w->n)
		return false;
	render_end(&w->r);
	return true;
}

/* "1 minute(s), 3 second(s)", as FRR's show bfd peers (text only). */
static void duration(struct render *r, uint64_t ns)
{
	uint64_t s = ns / 1000000000ull;
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d)
		render_text(r, "%llu day(s), ", (unsigned long long)d);
	if (d || h)
		render_text(r, "%llu hour(s), ", (unsigned long long)h);
	if (d || h || m)
		render_text(r, "%llu minute(s), ", (unsigned long long)m);
	render_text(r, "%llu second(s)", (unsigned long long)(s % 60));
}

static const char *lower_state(uint32_t st)
{
	switch (st) {
	case BFD_STATE_ADMIN_DOWN:
		return "admin down";
	case BFD_STATE_DOWN:
		return "down";
	case BFD_STATE_INIT:
		return "init";
	case BFD_STATE_UP:
		return "up";
	}
	return "?";
}

/* A consistent copy of one link's entry, field by field (the XDP program
 * and twinpath-dp keep writing it; each word is read once). */
static void snapshot(const struct health_link *src, struct health_link *dst)
{
	const volatile struct health_link *v = src;
	unsigned int k;

	memcpy(dst, (const void *)v, sizeof(*dst));
	for (k = 0; k < BFD_DROP_MAX; k++)
		dst->drop[k] = __atomic_load_n(&src->drop[k], __ATOMIC_RELAXED);
}

/* A BFD interval: microseconds under KEY in JSON; in text (when SHOW)
 * LABEL and the interval in ms as FRR prints it, "300ms" or "300.500ms". */
static void ms(struct render *r, bool show, const char *key,
	       const char *label, uint32_t us)
{
	render_ju(r, key, us);
	if (!show)
		return;
	render_text(r, "%s", label);
	if (us % 1000 == 0)
		render_text(r, "%ums", us / 1000);
	else
		render_text(r, "%.3fms", us / 1000.0);
}

/* Link I's session: in text as FRR's show bfd peers lays one out, in
 * JSON one object. Values the map holds exist only with a map (JSON's
 * state is null without); those twinpathd holds are always in JSON.
 * Times are in JSON as integers (ns, us, ms) and in text in a person's
 * unit and precision, so those are two calls, one for each output. */
static void show_bfd_link(struct twpd *d, struct render *r, unsigned int i,
			  uint64_t now, uint64_t mask)
{
	const struct cfg_link *l = &d->cfg->links[i];
	const struct bfd_session *s = &d->bfd.s[i];
	const struct health_map *hm = d->bfd.hm;
	const struct cfg_addr *local;
	bool m = hm != NULL; /* text shows the session only with the map */
	bool damp;
	char a[64], b[64], who[192];
	struct health_link h;
	uint64_t first, k;

	render_obj(r, NULL);
	render_s(r, "peer_address", "\n\tpeer %s ",
		 cfg_addr_str(&l->peer_address, a, sizeof(a)));
	/* the session's own address (as FRR, without the subnet's
	 * length): local_address6 or our fe80:: toward an IPv6 peer, null
	 * (text "-") when the link-local one is missing */
	local = bfd_session_local(l, s);
	render_sn(r, "local_address", "local-address %s ",
		  local != NULL ? cfg_host_str(local, b, sizeof(b)) : NULL,
		  "-");
	render_s(r, "interface", "interface %s ", l->interface);
	render_s(r, "name", "(%s)\n", l->name);
	render_bool(r, "enabled", l->bfd.enabled, NULL,
		    "\t\tBFD not configured on this link\n");
	if (!l->bfd.enabled) {
		render_end(r);
		return;
	}
	render_u(r, "local_disc", "\t\tID: %llu\n", s->local_disc);
	if (hm == NULL) {
		render_text(r, "\t\tStatus: unknown (no health map)\n");
		render_null(r, "state");
	} else {
		snapshot(&hm->link[i], &h);
		render_u(r, "remote_disc", "\t\tRemote ID: %llu\n",
			 h.remote_disc);
		/* text in FRR's words, JSON in RFC 5880's */
		render_text(r, "\t\tStatus: %s", lower_state(h.state));
		render_js(r, "state", bfd_state_name(h.state));
	}
	render_bool(r, "admin_down", l->bfd.admin_down,
		    m ? " (admin_down in config)" : NULL, NULL);
	if (hm != NULL) {
		render_text(r, "\n\t\tRemote status: %s\n",
			    lower_state(h.remote_state));
		render_js(r, "remote_state", bfd_state_name(h.remote_state));
		render_ju(r, "last_change_ns", h.last_change_ns);
		render_ji(r, "since_change_ms", h.last_change_ns ?
			  (long long)(now - h.last_change_ns) / 1000000 : -1);
		render_ji(r, "uptime_ms",
			  h.state == BFD_STATE_UP && h.last_change_ns ?
				  (long long)(now - h.last_change_ns) / 1000000 :
				  -1);
		if (h.last_change_ns) {
			render_text(r, "\t\t%s: ", h.state == BFD_STATE_UP ?
					     "Uptime" : "Downtime");
			duration(r, now - h.last_change_ns);
			render_text(r, "\n");
		}
		render_js(r, "diag", bfd_diag_name(h.local_diag));
		render_text(r, "\t\tDiagnostics: %s\n", h.local_diag ?
			    bfd_diag_name(h.local_diag) : "ok");
		render_bool(r, "live", mask >> i & 1,
			    "\t\tIn forwarding (live bit): yes\n",
			    "\t\tIn forwarding (live bit): no\n");
		render_ju(r, "last_rx_ns", h.last_rx_ns);
		render_ji(r, "last_rx_age_ms", h.last_rx_ns ?
			  (long long)(now - h.last_rx_ns) / 1000000 : -1);
		if (h.last_rx_ns)
			render_text(r, "\t\tLast packet received: %.1f ms "
				    "ago\n", (now - h.last_rx_ns) / 1e6);
		else
			render_text(r, "\t\tLast packet received: never\n");
	}
	render_u(r, "src_port", RENDER_TEXT_IF(m, "\t\tSource port: %llu\n"),
		 s->src_port);
	/* the text line while dampening is on or has left a trace */
	damp = m && (l->bfd.dampening || s->damp_held || s->damp_holds);
	render_obj(r, "dampening");
	render_bool(r, "enabled", l->bfd.dampening,
		    damp ? "\t\tDampening: on" : NULL,
		    damp ? "\t\tDampening: off" : NULL);
	render_u(r, "hold_ms", RENDER_TEXT_IF(damp, ", next hold %llu ms"),
		 s->damp_hold_ms);
	render_u(r, "initial_hold_ms", RENDER_TEXT_IF(damp, " (%llu.."),
		 l->bfd.damp_initial_hold_ms);
	render_u(r, "max_hold_ms", RENDER_TEXT_IF(damp, "%llu ms, "),
		 l->bfd.damp_max_hold_ms);
	render_u(r, "decay_s",
		 RENDER_TEXT_IF(damp, "halved every %llu s Up); "),
		 l->bfd.damp_decay_s);
	render_bool(r, "bgp_held", s->damp_held,
		    damp ? "BGP held down; " : NULL,
		    damp ? "BGP follows BFD; " : NULL);
	render_u(r, "holds", RENDER_TEXT_IF(damp, "%llu holds, "),
		 s->damp_holds);
	render_u(r, "holds_cut",
		 RENDER_TEXT_IF(damp, "%llu cut short by a failure\n"),
		 s->damp_holds_cut);
	render_u(r, "hold_left_ms",
		 RENDER_TEXT_IF(m && s->damp_held,
				"\t\t\tBGP held down %llu ms more\n"),
		 bfd_damp_left_ms(s, now));
	render_end(r);
	/* ours as configured; the map's values of the same three keys
	 * follow below, so a reader keeping the last one (Python's json)
	 * gets what is in force whenever there is a map */
	render_u(r, "detect_mult", RENDER_TEXT_IF(m, "\t\tLocal timers:\n"
		 "\t\t\tDetect-multiplier: %llu\n"), l->bfd.multiplier);
	ms(r, m, "required_min_rx_us", "\t\t\tReceive interval: ",
	   l->bfd.min_rx_us);
	ms(r, m, "desired_min_tx_us", "\n\t\t\tTransmission interval: ",
	   l->bfd.min_tx_us);
	if (hm != NULL) {
		ms(r, true, "tx_interval_us", " (now ", bfd_tx_interval_us(&h));
		ms(r, true, "detect_time_us", ")\n\t\t\tDetection time: ",
		   bfd_detect_time_us(&h));
		render_u(r, "remote_mult", "\n\t\tRemote timers:\n"
			 "\t\t\tDetect-multiplier: %llu\n", h.remote_mult);
		ms(r, true, "remote_min_rx_us", "\t\t\tReceive interval: ",
		   h.remote_min_rx_us);
		ms(r, true, "remote_min_tx_us",
		   "\n\t\t\tTransmission interval: ", h.remote_min_tx_us);
		render_u(r, "up_count", "\n\t\tCounters:\n"
			 "\t\t\tUp transitions: %llu", h.up_count);
		render_u(r, "down_count", ", Down transitions: %llu\n",
			 h.down_count);
		render_u(r, "rx_valid", "\t\t\tControl packets received: "
			 "%llu", h.rx_valid);
		render_u(r, "tx_packets", ", sent: %llu\n", h.tx_packets);
		render_u(r, "finals_sent", "\t\t\tFinals sent: %llu",
			 h.finals_sent);
		render_u(r, "echo_reflected", ", Echo reflected: %llu\n",
			 h.echo_reflected);
	}
	render_u(r, "bgp_teardowns_requested",
		 RENDER_TEXT_IF(m, "\t\t\tBGP teardowns requested: %llu\n"),
		 s->bgp_teardowns_requested);
	if (hm != NULL) {
		render_text(r, "\t\t\tDropped:");
		render_obj(r, "drops");
		for (k = 0; k < BFD_DROP_MAX; k++) {
			render_text(r, "%s %s ", k ? "," : "",
				    bfd_drop_name((unsigned int)k));
			render_u(r, bfd_drop_name((unsigned int)k), "%llu",
				 h.drop[k]);
		}
		render_end(r);
		render_text(r, "\n");
		/* our transmit jitter where the packets leave: what the
		 * peer's detection timer sees of us */
		render_ju(r, "tx_gap_max_us", h.tx_gap_max_ns / 1000);
		render_ju(r, "tx_gap_interval_us", h.tx_gap_interval_us);
		render_ju(r, "tx_gap_end_ns", h.tx_gap_end_ns);
		render_text(r, "\t\tLargest gap between sent packets while Up "
			    "(last minute): %.1f ms (interval %.1f ms)\n",
			    h.tx_gap_max_ns / 1e6, h.tx_gap_interval_us / 1e3);
		render_js(r, "remote_diag", bfd_diag_name(h.remote_diag));
		render_ju(r, "last_tx_ns", h.last_tx_ns);
		render_ju(r, "cfg_gen", h.cfg_gen);
		/* ours as in the map, and the Poll of RFC 5880 §6.8.3 */
		render_ju(r, "desired_min_tx_us", h.desired_min_tx_us);
		render_ju(r, "required_min_rx_us", h.required_min_rx_us);
		render_ju(r, "detect_mult", h.detect_mult);
		render_bool(r, "poll_pending", health_poll_pending(&h), NULL,
			    NULL);
		render_ju(r, "polls_ended", h.polls_ended);
	}
	if (s->last_down_ns) {
		render_obj(r, "last_down");
		render_ju(r, "change_ns", s->last_down_ns);
		render_ju(r, "detection_us", s->last_down_detect_ns / 1000);
		render_s(r, "diag", RENDER_TEXT_IF(m, "\t\tLast failure: %s, "),
			    bfd_diag_name(s->last_down_diag));
		if (m)
			render_text(r, "Down %.1f ms after the last valid "
				    "packet, %.1f s ago\n\t\t\tDeclared by %s\n",
				    s->last_down_detect_ns / 1e6,
				    (now - s->last_down_ns) / 1e9,
				    bfd_down_who(s, who, sizeof(who)));
		render_js(r, "declared_by", bfd_down_by(s->last_down_diag));
		render_js(r, "remote_state",
			  bfd_state_name(s->last_down_remote_state));
		render_js(r, "remote_diag",
			  bfd_diag_name(s->last_down_remote_diag));
		render_end(r);
	} else {
		render_null(r, "last_down");
	}
	/* every failure still on record, oldest first (JSON only) */
	render_arr(r, "recent_downs");
	first = s->n_recent > BFD_DOWN_HISTORY ?
			s->n_recent - BFD_DOWN_HISTORY : 0;
	for (k = first; k < s->n_recent; k++) {
		const struct bfd_down_rec *dr = &s->recent[k % BFD_DOWN_HISTORY];

		render_obj(r, NULL);
		render_ju(r, "change_ns", dr->ns);
		render_ju(r, "detection_us", dr->detect_ns / 1000);
		render_js(r, "declared_by", bfd_down_by(dr->diag));
		render_ju(r, "up_ns", dr->up_ns);
		render_end(r);
	}
	render_end(r);
	render_end(r);
}

static void show_bfd(struct twpd *d, struct render *r)
{
	const struct health_map *hm = d->bfd.hm;
	/* one look at the live bits for the header and every link */
	uint64_t mask = hm ? __atomic_load_n(&hm->live_mask, __ATOMIC_RELAXED) :
			     0;
	uint64_t now = chan_now_ns();
	unsigned int i;

	render_obj(r, NULL);
	render_text(r, "BFD peers (health map ");
	render_obj(r, "map");
	render_bool(r, "attached", hm != NULL, NULL, NULL);
	if (hm == NULL)
		render_text(r, "%s not attached: is twinpath-dp running?)\n",
			    d->bfd.pin);
	render_u(r, "id", RENDER_TEXT_IF(hm != NULL, "id %llu, "),
		 d->bfd.map_id);
	render_u(r, "live_mask",
		 RENDER_TEXT_IF(hm != NULL, "live mask %#llx)\n"), mask);
	render_end(r);
	render_ju(r, "now_ns", now);
	render_arr(r, "links");
	for (i = 0; i < d->cfg->n_links; i++)
		show_bfd_link(d, r, i, now, mask);
	render_end(r);
	render_end(r);
}

int cli_request(struct twpd *d, const char *req, FILE *out,
		struct cli_walk **walk)
{
	char buf[256], *words[8], *save = NULL, *w;
	unsigned int n = 0, i = 0;
	bool json = false;
	int rc;

	*walk = NULL;
	/* link ..., bgp ADDR shutdown|enable, show links: control/admin.c
	 * (it needs the raw line: a shutdown message keeps its spaces) */
	if ((rc = admin_cli(d, req, out)) != 1)
		return rc;
	snprintf(buf, sizeof(buf), "%s", req);
	for (w = strtok_r(buf, " \t\r\n", &save); w != NULL && n < 8;
	     w = strtok_r(NULL, " \t\r\n", &save))
		words[n++] = w;
	if (n > 0 && strcmp(words[0], "json") == 0) {
		json = true;
		i = 1;
	}
	/* show bgp ..., clear bgp ...: control/bgp/show.c */
	if (n - i >= 2 && strcmp(words[i + 1], "bgp") == 0 &&
	    (strcmp(words[i], "show") == 0 || strcmp(words[i], "clear") == 0))
		return bgp_cli(d->bgp, words + i, n - i, json, out);
	if (n - i == 1 && strcmp(words[i], "reload") == 0)
		return reload_run(d, out);
	if (n - i == 2 && strcmp(words[i], "show") == 0) {
		struct render r;

		render_init(&r, out, json);
		if (strcmp(words[i + 1], "status") == 0) {
			show_status(d, &r);
			return 0;
		}
		if (strcmp(words[i + 1], "nexthops") == 0) {
			show_nexthops(d, &r);
			return 0;
		}
		if (strcmp(words[i + 1], "routes") == 0) {
			*walk = routes_begin(d, out, json);
			return *walk != NULL ? 0 : -ENOMEM;
		}
		if (strcmp(words[i + 1], "bfd") == 0) {
			show_bfd(d, &r);
			return 0;
		}
	}
	fprintf(out, "error: unknown command '%s' (commands: show status, "
		"show nexthops, show routes, show bfd, show bgp summary, "
		"show bgp neighbors [ADDR], show bgp routes [PREFIX], "
		"clear bgp ADDR [soft], reload, show links, link NAME "
		"drain|undrain, bgp ADDR shutdown [MESSAGE], bgp ADDR enable)\n",
		req);
	return -EINVAL;
}

int cli_answer(struct twpd *d, const char *req, FILE *out)
{
	struct cli_walk *w;
	int rc = cli_request(d, req, out, &w);

	if (w != NULL) {
		while (!routes_step(d, w, out, SIZE_MAX))
			;
		cli_walk_free(w);
	}
	return rc;
}

void cli_server_init(struct cli_server *s, int lfd)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->lfd = lfd;
	for (i = 0; i < CLI_MAX_CLIENTS; i++)
		s->c[i].fd = -1;
}

static void client_close(struct cli_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->ans);
	cli_walk_free(c->walk);
	c->fd = -1;
	c->ans = NULL;
	c->walk = NULL;
	c->rlen = c->alen = c->aoff = 0;
}

unsigned int cli_pollfds(const struct cli_server *s, struct pollfd *pfd,
			 unsigned int max)
{
	unsigned int i, n = 0;

	if (max == 0)
		return 0;
	pfd[n++] = (struct pollfd){.fd = s->lfd, .events = POLLIN};
	for (i = 0; i < CLI_MAX_CLIENTS && n < max; i++) {
		const struct cli_client *c = &s->c[i];

		if (c->fd >= 0)
			pfd[n++] = (struct pollfd){
				.fd = c->fd,
				.events = c->ans != NULL || c->walk != NULL
						  ? POLLOUT : POLLIN};
	}
	return n;
}

/* What the client sent past its request (the rest of a line too long):
 * read before the close, as a Unix socket closed with unread input
 * resets the peer, which may then lose the answer. Bounded. */
static void drain_input(struct cli_client *c)
{
	char scratch[4096];
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (recv(c->fd, scratch, sizeof(scratch), MSG_DONTWAIT) <= 0)
			break;
}

/* A walk's next slice into the answer buffer (what was sent of the last
 * one is let go). -ENOMEM, else 0; the walk is freed when it ends. */
static int client_slice(struct twpd *d, struct cli_client *c)
{
	FILE *out;
	bool done;

	free(c->ans);
	c->ans = NULL;
	c->alen = c->aoff = 0;
	out = open_memstream(&c->ans, &c->alen);
	if (out == NULL)
		return -ENOMEM;
	done = routes_step(d, c->walk, out, CLI_ROUTES_SLICE);
	if (fclose(out) != 0)
		return -ENOMEM;
	if (done) {
		cli_walk_free(c->walk);
		c->walk = NULL;
	}
	return 0;
}

/* Sends what the socket takes now. A walk renders its next slice once
 * the last one has gone, one slice per call: the rest on the next loop
 * steps (POLLOUT). Closes when all of it went. */
static void client_send(struct cli_server *s, struct twpd *d,
			struct cli_client *c, uint64_t now_ms)
{
	bool sliced = false;

	for (;;) {
		while (c->aoff < c->alen) {
			ssize_t w = send(c->fd, c->ans + c->aoff,
					 c->alen - c->aoff,
					 MSG_NOSIGNAL | MSG_DONTWAIT);

			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return; /* POLLOUT again */
			if (w <= 0)
				goto end; /* the client went away */
			c->aoff += (size_t)w;
			c->last_ms = now_ms;
		}
		if (c->walk == NULL)
			break;
		if (sliced)
			return; /* the next slice on the next loop step */
		if (client_slice(d, c) != 0) {
			log_warn("control socket: out of memory rendering "
				 "show routes: answer cut short");
			break;
		}
		sliced = true;
	}
end:
	s->served++;
	drain_input(c);
	client_close(c);
}

/* The whole request is in: answer it (rendered here, sent as the socket
 * takes it; show routes a slice at a time). */
static void client_answer(struct cli_server *s, struct twpd *d,
			  struct cli_client *c, uint64_t now_ms)
{
	FILE *out;

	c->req[c->rlen] = '\0';
	c->req[strcspn(c->req, "\r\n")] = '\0';
	out = open_memstream(&c->ans, &c->alen);
	if (out == NULL) {
		client_close(c);
		return;
	}
	cli_request(d, c->req, out, &c->walk);
	fclose(out);
	c->aoff = 0;
	client_send(s, d, c, now_ms);
}

static void client_read(struct cli_server *s, struct twpd *d,
			struct cli_client *c, uint64_t now_ms)
{
	ssize_t n = recv(c->fd, c->req + c->rlen, CLI_REQ_MAX - 1 - c->rlen,
			 MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		      errno == EINTR))
		return;
	if (n < 0 || (n == 0 && c->rlen == 0)) {
		client_close(c); /* gone before asking anything */
		return;
	}
	c->rlen += (size_t)n;
	c->last_ms = now_ms;
	/* a line, or the client's end of the request (twinpathctl shuts
	 * its side down after the line) */
	if (n == 0 || memchr(c->req + c->rlen - (size_t)n, '\n',
			     (size_t)n) != NULL) {
		client_answer(s, d, c, now_ms);
		return;
	}
	if (c->rlen == CLI_REQ_MAX - 1) {
		static const char msg[] = "error: request longer than 1023 "
					  "bytes\n";

		s->too_long++;
		log_warn("control socket: a request longer than %u bytes "
			 "refused (%llu so far)", CLI_REQ_MAX - 1,
			 (unsigned long long)s->too_long);
		c->ans = malloc(sizeof(msg) - 1);
		if (c->ans == NULL) {
			client_close(c);
			return;
		}
		memcpy(c->ans, msg, sizeof(msg) - 1);
		c->alen = sizeof(msg) - 1;
		c->aoff = 0;
		client_send(s, d, c, now_ms);
	}
}

static void accept_all(struct cli_server *s, uint64_t now_ms)
{
	for (;;) {
		static const char busy[] = "error: busy: too many control "
					   "clients at once, try again\n";
		unsigned int i;
		int fd = accept4(s->lfd, NULL, NULL,
				 SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0)
			return;
		for (i = 0; i < CLI_MAX_CLIENTS && s->c[i].fd >= 0; i++)
			;
		if (i == CLI_MAX_CLIENTS) {
			/* best effort: the socket's buffer takes this line */
			(void)!send(fd, busy, sizeof(busy) - 1,
				    MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			s->refused_busy++;
			log_warn("control socket: a client refused, %u are "
				 "being served (%llu refused so far)",
				 CLI_MAX_CLIENTS,
				 (unsigned long long)s->refused_busy);
			continue;
		}
		s->c[i].fd = fd;
		s->c[i].last_ms = now_ms;
	}
}

void cli_handle(struct cli_server *s, struct twpd *d,
		const struct pollfd *pfd, unsigned int n, uint64_t now_ms)
{
	unsigned int i, k;

	for (k = 1; k < n; k++) {
		if (pfd[k].revents == 0)
			continue;
		for (i = 0; i < CLI_MAX_CLIENTS; i++) {
			struct cli_client *c = &s->c[i];

			if (c->fd != pfd[k].fd)
				continue;
			if (c->ans != NULL)
				client_send(s, d, c, now_ms);
			else
				client_read(s, d, c, now_ms);
			break;
		}
	}
	if (n > 0 && pfd[0].revents != 0)
		accept_all(s, now_ms);
	for (i = 0; i < CLI_MAX_CLIENTS; i++) {
		struct cli_client *c = &s->c[i];

		if (c->fd < 0 || now_ms - c->last_ms < CLI_IDLE_MS)
			continue;
		s->timed_out++;
		log_warn("control socket: a client %s for %u s: closed (%llu "
			 "so far)", c->ans != NULL ? "read nothing of its answer"
						   : "sent no whole request",
			 CLI_IDLE_MS / 1000, (unsigned long long)s->timed_out);
		client_close(c);
	}
}

void cli_server_close(struct cli_server *s)
{
	unsigned int i;

	for (i = 0; i < CLI_MAX_CLIENTS; i++)
		client_close(&s->c[i]);
}
