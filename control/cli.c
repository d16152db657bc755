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
#include "json.h"
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

/* One line (or JSON object) per installed prefix, written as the table is
 * walked: a million routes never sit in a second copy here. A static
 * route that shadows a BGP one says so (bgp_group). */
static void show_routes(struct twpd *d, struct render *r)
{
	const struct cfg_addr *pfx;
	const struct fp_route *rt;
	size_t cursor = 0;
	char p[64];

	render_text(r, "%-44s %-6s %-5s %s\n", "PREFIX", "SOURCE", "GROUP",
		    "PRIMARY -> BACKUP");
	render_arr(r, NULL);
	while ((rt = fibpush_route_next(d->fp, &cursor, &pfx)) != NULL) {
		const struct fp_group *g = fibpush_group(d->fp, rt->group_id);

		if (g == NULL)
			continue; /* cannot happen: routes hold their group */
		/* always show the length, even for a host route */
		cfg_addr_str(pfx, p, sizeof(p));
		if (strchr(p, '/') == NULL)
			snprintf(p + strlen(p), sizeof(p) - strlen(p), "/%u",
				 pfx->len);
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
	render_end(r);
}

/* "1 minute(s), 3 second(s)", as FRR's show bfd peers. */
static void duration(FILE *f, uint64_t ns)
{
	uint64_t s = ns / 1000000000ull;
	uint64_t d = s / 86400, h = s / 3600 % 24, m = s / 60 % 60;

	if (d)
		fprintf(f, "%llu day(s), ", (unsigned long long)d);
	if (d || h)
		fprintf(f, "%llu hour(s), ", (unsigned long long)h);
	if (d || h || m)
		fprintf(f, "%llu minute(s), ", (unsigned long long)m);
	fprintf(f, "%llu second(s)", (unsigned long long)(s % 60));
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

static void show_bfd_dampening_json(FILE *f, const struct cfg_link *l,
				    const struct bfd_session *s, uint64_t now)
{
	fprintf(f, ",\"dampening\":{\"enabled\":%s,\"initial_hold_ms\":%u,"
		"\"max_hold_ms\":%u,\"decay_s\":%u,\"hold_ms\":%u,"
		"\"bgp_held\":%s,\"hold_left_ms\":%llu,\"holds\":%llu,"
		"\"holds_cut\":%llu}",
		l->bfd.dampening ? "true" : "false",
		l->bfd.damp_initial_hold_ms, l->bfd.damp_max_hold_ms,
		l->bfd.damp_decay_s, s->damp_hold_ms,
		s->damp_held ? "true" : "false",
		(unsigned long long)bfd_damp_left_ms(s, now),
		(unsigned long long)s->damp_holds,
		(unsigned long long)s->damp_holds_cut);
}

static void show_bfd_json(struct twpd *d, FILE *f, uint64_t now)
{
	uint64_t first, r;
	const struct twp_config *cfg = d->cfg;
	const struct health_map *hm = d->bfd.hm;
	uint64_t mask = hm ? __atomic_load_n(&hm->live_mask, __ATOMIC_RELAXED) :
			     0;
	char a[64], b[64];
	unsigned int i, k;

	fprintf(f, "{\"map\":{\"attached\":%s,\"id\":%u,\"live_mask\":%llu},"
		"\"now_ns\":%llu,\"links\":[", hm ? "true" : "false",
		d->bfd.map_id, (unsigned long long)mask,
		(unsigned long long)now);
	for (i = 0; i < cfg->n_links; i++) {
		const struct cfg_link *l = &cfg->links[i];
		const struct bfd_session *s = &d->bfd.s[i];
		struct health_link h;

		fprintf(f, "%s{\"name\":", i ? "," : "");
		json_str(f, l->name);
		fprintf(f, ",\"interface\":");
		json_str(f, l->interface);
		fprintf(f, ",\"local_address\":\"%s\",\"peer_address\":\"%s\","
			"\"enabled\":%s", cfg_addr_str(&l->local_address, a,
						       sizeof(a)),
			cfg_addr_str(&l->peer_address, b, sizeof(b)),
			l->bfd.enabled ? "true" : "false");
		if (!l->bfd.enabled) {
			fprintf(f, "}");
			continue;
		}
		fprintf(f, ",\"admin_down\":%s,\"local_disc\":%u,"
			"\"src_port\":%u,\"desired_min_tx_us\":%u,"
			"\"required_min_rx_us\":%u,\"detect_mult\":%u,"
			"\"bgp_teardowns_requested\":%llu,\"last_down\":",
			l->bfd.admin_down ? "true" : "false", s->local_disc,
			s->src_port, l->bfd.min_tx_us, l->bfd.min_rx_us,
			l->bfd.multiplier,
			(unsigned long long)s->bgp_teardowns_requested);
		if (s->last_down_ns)
			fprintf(f, "{\"change_ns\":%llu,\"detection_us\":%llu,"
				"\"diag\":\"%s\",\"declared_by\":\"%s\","
				"\"remote_state\":\"%s\","
				"\"remote_diag\":\"%s\"}",
				(unsigned long long)s->last_down_ns,
				(unsigned long long)s->last_down_detect_ns / 1000,
				bfd_diag_name(s->last_down_diag),
				bfd_down_by(s->last_down_diag),
				bfd_state_name(s->last_down_remote_state),
				bfd_diag_name(s->last_down_remote_diag));
		else
			fprintf(f, "null");
		/* every failure still on record, oldest first */
		fprintf(f, ",\"recent_downs\":[");
		first = s->n_recent > BFD_DOWN_HISTORY ?
				s->n_recent - BFD_DOWN_HISTORY : 0;
		for (r = first; r < s->n_recent; r++) {
			const struct bfd_down_rec *dr =
				&s->recent[r % BFD_DOWN_HISTORY];

			fprintf(f, "%s{\"change_ns\":%llu,\"detection_us\":"
				"%llu,\"declared_by\":\"%s\",\"up_ns\":%llu}",
				r == first ? "" : ",",
				(unsigned long long)dr->ns,
				(unsigned long long)dr->detect_ns / 1000,
				bfd_down_by(dr->diag),
				(unsigned long long)dr->up_ns);
		}
		fprintf(f, "]");
		show_bfd_dampening_json(f, l, s, now);
		if (hm == NULL) {
			fprintf(f, ",\"state\":null}");
			continue;
		}
		snapshot(&hm->link[i], &h);
		fprintf(f, ",\"state\":\"%s\",\"remote_state\":\"%s\","
			"\"diag\":\"%s\",\"remote_disc\":%u,\"live\":%s,"
			"\"tx_interval_us\":%u,\"detect_time_us\":%u,"
			"\"remote_min_tx_us\":%u,\"remote_min_rx_us\":%u,"
			"\"remote_mult\":%u,\"last_rx_ns\":%llu,"
			"\"last_change_ns\":%llu,\"last_tx_ns\":%llu,"
			"\"since_change_ms\":%lld,\"uptime_ms\":%lld,"
			"\"last_rx_age_ms\":%lld,\"up_count\":%llu,"
			"\"down_count\":%llu,\"rx_valid\":%llu,"
			"\"tx_packets\":%llu,\"finals_sent\":%llu,"
			"\"echo_reflected\":%llu,\"cfg_gen\":%u,"
			"\"remote_diag\":\"%s\",\"tx_gap_max_us\":%llu,"
			"\"tx_gap_interval_us\":%u,\"drops\":{",
			bfd_state_name(h.state), bfd_state_name(h.remote_state),
			bfd_diag_name(h.local_diag), h.remote_disc,
			mask >> i & 1 ? "true" : "false", bfd_tx_interval_us(&h),
			bfd_detect_time_us(&h), h.remote_min_tx_us,
			h.remote_min_rx_us, h.remote_mult,
			(unsigned long long)h.last_rx_ns,
			(unsigned long long)h.last_change_ns,
			(unsigned long long)h.last_tx_ns,
			h.last_change_ns ?
				(long long)(now - h.last_change_ns) / 1000000 :
				-1,
			h.state == BFD_STATE_UP && h.last_change_ns ?
				(long long)(now - h.last_change_ns) / 1000000 :
				-1,
			h.last_rx_ns ? (long long)(now - h.last_rx_ns) / 1000000 :
				       -1,
			(unsigned long long)h.up_count,
			(unsigned long long)h.down_count,
			(unsigned long long)h.rx_valid,
			(unsigned long long)h.tx_packets,
			(unsigned long long)h.finals_sent,
			(unsigned long long)h.echo_reflected, h.cfg_gen,
			bfd_diag_name(h.remote_diag),
			(unsigned long long)h.tx_gap_max_ns / 1000,
			h.tx_gap_interval_us);
		for (k = 0; k < BFD_DROP_MAX; k++)
			fprintf(f, "%s\"%s\":%llu", k ? "," : "",
				bfd_drop_name(k),
				(unsigned long long)h.drop[k]);
		/* ours as in the map, and the Poll of RFC 5880 §6.8.3 */
		fprintf(f, "},\"desired_min_tx_us\":%u,\"required_min_rx_us\":%u,"
			"\"detect_mult\":%u,\"poll_pending\":%s,"
			"\"polls_ended\":%llu}", h.desired_min_tx_us,
			h.required_min_rx_us, h.detect_mult,
			health_poll_pending(&h) ? "true" : "false",
			(unsigned long long)h.polls_ended);
	}
	fprintf(f, "]}\n");
}

static void ms(FILE *f, uint32_t us)
{
	if (us % 1000 == 0)
		fprintf(f, "%ums", us / 1000);
	else
		fprintf(f, "%.3fms", us / 1000.0);
}

static void show_bfd(struct twpd *d, struct render *rd)
{
	bool json = rd->json;
	FILE *f = rd->f;
	const struct twp_config *cfg = d->cfg;
	const struct health_map *hm = d->bfd.hm;
	uint64_t now = chan_now_ns();
	char a[64], b[64], who[192];
	unsigned int i, k;

	if (json) {
		show_bfd_json(d, f, now);
		return;
	}
	if (hm == NULL)
		fprintf(f, "BFD peers (health map %s not attached: is "
			"twinpath-dp running?)\n", d->bfd.pin);
	else
		fprintf(f, "BFD peers (health map id %u, live mask %#llx)\n",
			d->bfd.map_id,
			(unsigned long long)__atomic_load_n(&hm->live_mask,
							    __ATOMIC_RELAXED));
	for (i = 0; i < cfg->n_links; i++) {
		const struct cfg_link *l = &cfg->links[i];
		const struct bfd_session *s = &d->bfd.s[i];
		struct health_link h;

		fprintf(f, "\n\tpeer %s local-address %s interface %s (%s)\n",
			cfg_addr_str(&l->peer_address, a, sizeof(a)),
			cfg_addr_str(&l->local_address, b, sizeof(b)),
			l->interface, l->name);
		if (!l->bfd.enabled) {
			fprintf(f, "\t\tBFD not configured on this link\n");
			continue;
		}
		fprintf(f, "\t\tID: %u\n", s->local_disc);
		if (hm == NULL) {
			fprintf(f, "\t\tStatus: unknown (no health map)\n");
			continue;
		}
		snapshot(&hm->link[i], &h);
		fprintf(f, "\t\tRemote ID: %u\n", h.remote_disc);
		fprintf(f, "\t\tStatus: %s%s\n", lower_state(h.state),
			l->bfd.admin_down ? " (admin_down in config)" : "");
		fprintf(f, "\t\tRemote status: %s\n",
			lower_state(h.remote_state));
		if (h.last_change_ns) {
			fprintf(f, "\t\t%s: ", h.state == BFD_STATE_UP ?
					     "Uptime" : "Downtime");
			duration(f, now - h.last_change_ns);
			fprintf(f, "\n");
		}
		fprintf(f, "\t\tDiagnostics: %s\n",
			h.local_diag ? bfd_diag_name(h.local_diag) : "ok");
		fprintf(f, "\t\tIn forwarding (live bit): %s\n",
			hm->live_mask >> i & 1 ? "yes" : "no");
		if (h.last_rx_ns)
			fprintf(f, "\t\tLast packet received: %.1f ms ago\n",
				(now - h.last_rx_ns) / 1e6);
		else
			fprintf(f, "\t\tLast packet received: never\n");
		fprintf(f, "\t\tSource port: %u\n", s->src_port);
		if (l->bfd.dampening || s->damp_held || s->damp_holds)
			fprintf(f, "\t\tDampening: %s, next hold %u ms (%u..%u "
				"ms, halved every %u s Up); BGP %s; %llu holds, "
				"%llu cut short by a failure\n",
				l->bfd.dampening ? "on" : "off", s->damp_hold_ms,
				l->bfd.damp_initial_hold_ms,
				l->bfd.damp_max_hold_ms, l->bfd.damp_decay_s,
				s->damp_held ? "held down" : "follows BFD",
				(unsigned long long)s->damp_holds,
				(unsigned long long)s->damp_holds_cut);
		if (s->damp_held)
			fprintf(f, "\t\t\tBGP held down %llu ms more\n",
				(unsigned long long)bfd_damp_left_ms(s, now));
		fprintf(f, "\t\tLocal timers:\n\t\t\tDetect-multiplier: %u\n"
			"\t\t\tReceive interval: ", l->bfd.multiplier);
		ms(f, l->bfd.min_rx_us);
		fprintf(f, "\n\t\t\tTransmission interval: ");
		ms(f, l->bfd.min_tx_us);
		fprintf(f, " (now ");
		ms(f, bfd_tx_interval_us(&h));
		fprintf(f, ")\n\t\t\tDetection time: ");
		ms(f, bfd_detect_time_us(&h));
		fprintf(f, "\n\t\tRemote timers:\n\t\t\tDetect-multiplier: "
			"%u\n\t\t\tReceive interval: ", h.remote_mult);
		ms(f, h.remote_min_rx_us);
		fprintf(f, "\n\t\t\tTransmission interval: ");
		ms(f, h.remote_min_tx_us);
		fprintf(f, "\n\t\tCounters:\n"
			"\t\t\tUp transitions: %llu, Down transitions: %llu\n"
			"\t\t\tControl packets received: %llu, sent: %llu\n"
			"\t\t\tFinals sent: %llu, Echo reflected: %llu\n"
			"\t\t\tBGP teardowns requested: %llu\n"
			"\t\t\tDropped:",
			(unsigned long long)h.up_count,
			(unsigned long long)h.down_count,
			(unsigned long long)h.rx_valid,
			(unsigned long long)h.tx_packets,
			(unsigned long long)h.finals_sent,
			(unsigned long long)h.echo_reflected,
			(unsigned long long)s->bgp_teardowns_requested);
		for (k = 0; k < BFD_DROP_MAX; k++)
			fprintf(f, "%s %s %llu", k ? "," : "", bfd_drop_name(k),
				(unsigned long long)h.drop[k]);
		fprintf(f, "\n");
		/* our transmit jitter where the packets leave: what the
		 * peer's detection timer sees of us */
		fprintf(f, "\t\tLargest gap between sent packets while Up "
			"(last minute): %.1f ms (interval %.1f ms)\n",
			h.tx_gap_max_ns / 1e6, h.tx_gap_interval_us / 1e3);
		if (s->last_down_ns)
			fprintf(f, "\t\tLast failure: %s, Down %.1f ms after "
				"the last valid packet, %.1f s ago\n"
				"\t\t\tDeclared by %s\n",
				bfd_diag_name(s->last_down_diag),
				s->last_down_detect_ns / 1e6,
				(now - s->last_down_ns) / 1e9,
				bfd_down_who(s, who, sizeof(who)));
	}
}

int cli_answer(struct twpd *d, const char *req, FILE *out)
{
	char buf[256], *words[8], *save = NULL, *w;
	unsigned int n = 0, i = 0;
	bool json = false;
	int rc;

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
			show_routes(d, &r);
			return 0;
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
	c->fd = -1;
	c->ans = NULL;
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
				.events = c->ans != NULL ? POLLOUT : POLLIN};
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

/* Sends what the socket takes now; closes when all of it went. */
static void client_send(struct cli_server *s, struct cli_client *c,
			uint64_t now_ms)
{
	while (c->aoff < c->alen) {
		ssize_t w = send(c->fd, c->ans + c->aoff, c->alen - c->aoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return; /* POLLOUT again */
		if (w <= 0)
			break; /* the client went away */
		c->aoff += (size_t)w;
		c->last_ms = now_ms;
	}
	s->served++;
	drain_input(c);
	client_close(c);
}

/* The whole request is in: answer it (rendered here, sent as the socket
 * takes it). */
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
	cli_answer(d, c->req, out);
	fclose(out);
	c->aoff = 0;
	client_send(s, c, now_ms);
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
		client_send(s, c, now_ms);
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
				client_send(s, c, now_ms);
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
