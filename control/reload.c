/* Reload without downtime (issue 12): the config file is read again and
 * compared with the running one. Policy (import, local_pref, export
 * attributes, announce lists, max_prefix) and BFD timers apply live, on
 * the sessions as they run; everything else needs a restart of the
 * process that owns it and refuses the whole reload by name. The running
 * struct twp_config is overwritten in place, so the sessions, the BFD
 * sessions and the CLI keep their pointers and their runtime state. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "monitor.h"
#include "policy.h"
#include "reload.h"
#include "twinpathd.h"

#define R_DP "restart twinpath-dp"
#define R_CP "restart twinpathd"
#define R_BOTH "restart twinpath-dp and twinpathd"

struct differ {
	const struct twp_config *o, *n;
	struct reload_plan *plan;
	FILE *out;
};

static void refuse(struct differ *df, const char *restart, const char *fmt,
		   ...) __attribute__((format(printf, 3, 4)));

/* "reload refused: NAME changed (RESTART)" */
static void refuse(struct differ *df, const char *restart, const char *fmt,
		   ...)
{
	va_list ap;

	fprintf(df->out, "reload refused: ");
	va_start(ap, fmt);
	vfprintf(df->out, fmt, ap);
	va_end(ap);
	fprintf(df->out, " changed (%s)\n", restart);
	df->plan->n_refused++;
}

/* Fields compared as bytes: the loader zeroes the config first, so
 * unused array slots and string tails are zero on both sides. */
#define NE(f) (memcmp(&o->f, &n->f, sizeof(o->f)) != 0)
#define TOP(f, key, restart)                                                   \
	do {                                                                   \
		if (NE(f))                                                     \
			refuse(df, restart, "%s", key);                        \
	} while (0)
#define LINK(f, key, restart)                                                  \
	do {                                                                   \
		if (NE(links[i].f))                                            \
			refuse(df, restart, "links[%s].%s",                    \
			       n->links[i].name, key);                         \
	} while (0)

/* A strict ingress filter anywhere: twinpath-dp holds the site prefixes
 * (the announce lists among them) in its filter tables, built at start
 * (dataplane/filter.c). */
static bool site_strict(const struct twp_config *c)
{
	unsigned int i;

	if (c->lan.ingress_filter == CFG_INGRESS_STRICT)
		return true;
	for (i = 0; i < c->n_links; i++)
		if (c->links[i].ingress_filter == CFG_INGRESS_STRICT)
			return true;
	return false;
}

/* P lies inside Q (Q's length or longer, Q's bits). */
static bool prefix_within(const struct cfg_addr *p, const struct cfg_addr *q)
{
	unsigned int nb = q->len / 8u, rest = q->len % 8u;

	if (p->family != q->family || p->len < q->len ||
	    memcmp(p->addr, q->addr, nb) != 0)
		return false;
	return rest == 0 ||
	       ((p->addr[nb] ^ q->addr[nb]) & (uint8_t)(0xffu << (8u - rest))) == 0;
}

static bool site_covered_by(const struct cfg_addr *p, const struct cfg_addr *s,
			    unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (prefix_within(p, &s[i]))
			return true;
	return false;
}

/* The announced prefixes twinpath-dp's site table holds (bgp.announce and
 * every link's own list; the LAN subnets and static routes cannot change
 * live anyway), into S; returns how many. */
static unsigned int site_announced(const struct twp_config *c,
				   struct cfg_addr *s)
{
	unsigned int n = 0, i, k;

	for (i = 0; i < c->bgp.n_announce; i++)
		s[n++] = c->bgp.announce[i];
	for (i = 0; i < c->n_links; i++)
		for (k = 0; c->links[i].bgp.has_announce &&
			    k < c->links[i].bgp.n_announce; k++)
			s[n++] = c->links[i].bgp.announce[k];
	return n;
}

/* Whether the addresses the site table calls "site" stay the same: every
 * announced prefix of each side lies inside one of the other's, or inside
 * a LAN subnet. Moving a more-specific between links, or announcing a
 * more-specific of an aggregate, changes no lookup. */
static bool site_same(const struct twp_config *o, const struct twp_config *n)
{
	static struct cfg_addr so[CFG_MAX_ANNOUNCE * (CFG_MAX_LINKS + 1) + 2];
	static struct cfg_addr sn[CFG_MAX_ANNOUNCE * (CFG_MAX_LINKS + 1) + 2];
	unsigned int no = site_announced(o, so), nn = site_announced(n, sn), i;

	/* the LAN subnets are site on both sides */
	so[no++] = o->lan.address;
	so[no++] = o->lan.address6;
	sn[nn++] = n->lan.address;
	sn[nn++] = n->lan.address6;
	for (i = 0; i < nn - 2; i++)
		if (!site_covered_by(&sn[i], so, no))
			return false;
	for (i = 0; i < no - 2; i++)
		if (!site_covered_by(&so[i], sn, nn))
			return false;
	return true;
}

/* A static route via LINK: in active/standby its group's primary and
 * backup sets come from the links' local_pref (control/fibpush.c). */
static bool static_via(const struct twp_config *c, unsigned int link)
{
	unsigned int i, k;

	if (c->mode != CFG_MODE_ACTIVE_STANDBY)
		return false;
	for (i = 0; i < c->n_routes; i++)
		for (k = 0; k < c->routes[i].n_via; k++)
			if (c->routes[i].via[k] == link)
				return true;
	return false;
}

static bool addrs_eq(const struct cfg_addr *a, unsigned int na,
		     const struct cfg_addr *b, unsigned int nb)
{
	return na == nb && memcmp(a, b, na * sizeof(*a)) == 0;
}

static void diff_top(struct differ *df)
{
	const struct twp_config *o = df->o, *n = df->n;

	TOP(instance, "instance", R_BOTH);
	TOP(local_as, "local_as", R_CP);
	TOP(router_id, "router_id", R_CP);
	TOP(mode, "mode", R_CP);
	if (NE(dataplane.n_eal_args) || NE(dataplane.eal_args))
		refuse(df, R_DP, "dataplane.eal_args");
	TOP(dataplane.xdp_prog, "dataplane.xdp_prog", R_DP);
	TOP(dataplane.mbufs, "dataplane.mbufs", R_DP);
	TOP(dataplane.ipv4_routes_max, "dataplane.ipv4_routes_max", R_DP);
	TOP(dataplane.ipv6_routes_max, "dataplane.ipv6_routes_max", R_DP);
	TOP(dataplane.icmp_errors_per_s, "dataplane.icmp_errors_per_s", R_DP);
	TOP(dataplane.icmp_burst, "dataplane.icmp_burst", R_DP);
	TOP(dataplane.ip_options, "dataplane.ip_options", R_DP);
	TOP(dataplane.idle_sleep_us, "dataplane.idle_sleep_us", R_DP);
	TOP(dataplane.rt_priority, "dataplane.rt_priority", R_DP);
	TOP(control.socket, "control.socket", R_CP);
	TOP(control.metrics_listen, "control.metrics_listen", R_CP);
	TOP(control.fib_check_interval_s, "control.fib_check_interval_s",
	    R_CP);
	TOP(lan.interface, "lan.interface", R_DP);
	TOP(lan.device, "lan.device", R_DP);
	TOP(lan.address, "lan.address", R_DP);
	TOP(lan.address6, "lan.address6", R_DP);
	TOP(lan.ingress_filter, "lan.ingress_filter", R_DP);
	if (o->bgp.enabled != n->bgp.enabled)
		refuse(df, R_CP, "bgp (the group %s)",
		       n->bgp.enabled ? "added" : "removed");
	TOP(bgp.hold_time_s, "bgp.hold_time", R_CP);
	TOP(bgp.graceful_restart, "bgp.graceful_restart", R_CP);
	TOP(bgp.restart_time_s, "bgp.restart_time", R_CP);
	if (o->n_routes != n->n_routes) {
		refuse(df, R_CP, "static_routes");
	} else {
		unsigned int i;

		for (i = 0; i < n->n_routes; i++)
			if (NE(routes[i].prefix) || NE(routes[i].n_via) ||
			    NE(routes[i].via) || NE(routes[i].gateway)) {
				refuse(df, R_CP, "static_routes");
				break;
			}
	}
	if (o->bgp.connect_retry_s != n->bgp.connect_retry_s) {
		df->plan->connect_retry = true;
		df->plan->n_changes++;
	}
	if (NE(monitor)) {
		df->plan->monitor = true;
		df->plan->n_changes++;
	}
	if (NE(bgp.drain_rx_floor_pps) || NE(bgp.drain_quiet_s) ||
	    NE(bgp.drain_timeout_s)) {
		df->plan->drain = true;
		df->plan->n_changes++;
	}
}

/* Link I of both (same name, same place). */
static void diff_link(struct differ *df, unsigned int i)
{
	const struct twp_config *o = df->o, *n = df->n;
	const struct cfg_link *ol = &o->links[i], *nl = &n->links[i];
	const struct cfg_link_bgp *ob = &ol->bgp, *nb = &nl->bgp;
	const struct cfg_addr *oa, *na;
	unsigned int *c = &df->plan->link[i], noa, nna;

	LINK(interface, "interface", R_DP);
	LINK(device, "device", R_DP);
	LINK(local_address, "local_address", R_DP);
	LINK(local_address6, "local_address6", R_DP);
	LINK(mtu, "mtu", R_DP);
	LINK(ingress_filter, "ingress_filter", R_DP);
	if (ol->bfd.enabled != nl->bfd.enabled)
		refuse(df, R_DP, "links[%s].bfd (the group %s)", nl->name,
		       nl->bfd.enabled ? "added" : "removed");
	/* link suspicion is twinpath-dp's, read at its start */
	LINK(suspect, "suspect", R_DP);
	LINK(peer_address, "peer_address", R_CP);
	LINK(peer_address6, "peer_address6", R_CP);
	LINK(remote_as, "remote_as", R_CP);
	LINK(bgp.passive, "bgp.passive", R_CP);
	LINK(bgp.ttl_security, "bgp.ttl_security", R_CP);
	LINK(bgp.password, "bgp.password", R_CP);
	LINK(bgp.hold_time_s, "bgp.hold_time", R_CP);
	if (ol->local_pref != nl->local_pref) {
		if (static_via(o, i))
			refuse(df, R_CP, "links[%s].local_pref (static routes "
			       "via the link are grouped by it)", nl->name);
		*c |= RELOAD_IMPORT;
	}
	if (ob->n_import != nb->n_import || NE(links[i].bgp.import))
		*c |= RELOAD_IMPORT;
	if (ob->max_prefix != nb->max_prefix ||
	    ob->max_prefix_restart_s != nb->max_prefix_restart_s ||
	    ob->max_memory_bytes != nb->max_memory_bytes)
		*c |= RELOAD_LIMIT;
	/* what the link announces, its own list or the top-level one */
	oa = policy_announce(o, i, &noa);
	na = policy_announce(n, i, &nna);
	if (!addrs_eq(oa, noa, na, nna))
		*c |= RELOAD_EXPORT;
	if (ob->prepend != nb->prepend || ob->has_med != nb->has_med ||
	    ob->med != nb->med || ob->n_communities != nb->n_communities ||
	    NE(links[i].bgp.communities) ||
	    ob->n_large_communities != nb->n_large_communities ||
	    NE(links[i].bgp.large_communities))
		*c |= RELOAD_EXPORT;
	if (ol->bfd.enabled && nl->bfd.enabled &&
	    (ol->bfd.multiplier != nl->bfd.multiplier ||
	     ol->bfd.min_tx_us != nl->bfd.min_tx_us ||
	     ol->bfd.min_rx_us != nl->bfd.min_rx_us ||
	     ol->bfd.admin_down != nl->bfd.admin_down))
		*c |= RELOAD_BFD;
	if (ol->capacity_mbps != nl->capacity_mbps)
		*c |= RELOAD_CAPACITY;
	if (*c != 0)
		df->plan->n_changes++;
}

/* What is left different once every live setting and every line number
 * is taken from OLD: a setting no rule above knows. */
static bool unnamed_difference(const struct twp_config *o,
			       const struct twp_config *n)
{
	static struct twp_config t; /* large: not on the stack */
	unsigned int i;

	t = *n;
	memcpy(t.path, o->path, sizeof(t.path));
	t.bgp.connect_retry_s = o->bgp.connect_retry_s;
	t.monitor = o->monitor;
	t.bgp.drain_rx_floor_pps = o->bgp.drain_rx_floor_pps;
	t.bgp.drain_quiet_s = o->bgp.drain_quiet_s;
	t.bgp.drain_timeout_s = o->bgp.drain_timeout_s;
	memcpy(t.bgp.announce, o->bgp.announce, sizeof(t.bgp.announce));
	t.bgp.n_announce = o->bgp.n_announce;
	for (i = 0; i < n->n_routes && i < o->n_routes; i++)
		t.routes[i].line = o->routes[i].line;
	for (i = 0; i < n->n_links && i < o->n_links; i++) {
		struct cfg_link *tl = &t.links[i];
		const struct cfg_link *ol = &o->links[i];
		bool en = tl->bfd.enabled;

		tl->line = ol->line;
		tl->local_pref = ol->local_pref;
		tl->capacity_mbps = ol->capacity_mbps;
		tl->bfd = ol->bfd;
		tl->bfd.enabled = en;
		tl->bgp.n_import = ol->bgp.n_import;
		memcpy(tl->bgp.import, ol->bgp.import, sizeof(tl->bgp.import));
		tl->bgp.max_prefix = ol->bgp.max_prefix;
		tl->bgp.max_prefix_restart_s = ol->bgp.max_prefix_restart_s;
		tl->bgp.max_memory_bytes = ol->bgp.max_memory_bytes;
		tl->bgp.prepend = ol->bgp.prepend;
		tl->bgp.has_med = ol->bgp.has_med;
		tl->bgp.med = ol->bgp.med;
		tl->bgp.has_announce = ol->bgp.has_announce;
		tl->bgp.n_announce = ol->bgp.n_announce;
		memcpy(tl->bgp.announce, ol->bgp.announce,
		       sizeof(tl->bgp.announce));
		tl->bgp.n_communities = ol->bgp.n_communities;
		memcpy(tl->bgp.communities, ol->bgp.communities,
		       sizeof(tl->bgp.communities));
		tl->bgp.n_large_communities = ol->bgp.n_large_communities;
		memcpy(tl->bgp.large_communities, ol->bgp.large_communities,
		       sizeof(tl->bgp.large_communities));
	}
	return memcmp(&t, o, sizeof(t)) != 0;
}

int reload_diff(const struct twp_config *old, const struct twp_config *new,
		struct reload_plan *plan, FILE *out)
{
	struct differ df = {.o = old, .n = new, .plan = plan, .out = out};
	unsigned int i;

	memset(plan, 0, sizeof(*plan));
	diff_top(&df);
	if (old->n_links != new->n_links) {
		refuse(&df, R_BOTH, "links (%u -> %u)", old->n_links,
		       new->n_links);
		return -EPERM;
	}
	for (i = 0; i < new->n_links; i++)
		if (strcmp(old->links[i].name, new->links[i].name) != 0) {
			refuse(&df, R_BOTH, "links (link %u named %s, was %s)",
			       i + 1, new->links[i].name, old->links[i].name);
			return -EPERM;
		}
	for (i = 0; i < new->n_links; i++)
		diff_link(&df, i);
	if (site_strict(old) && !site_same(old, new))
		refuse(&df, R_DP ": a strict ingress_filter holds them",
		       "the site prefixes (bgp.announce, links[].bgp.announce)");
	if (plan->n_refused == 0 && unnamed_difference(old, new))
		refuse(&df, R_BOTH, "a setting that cannot be applied live");
	return plan->n_refused > 0 ? -EPERM : 0;
}

/* The prefixes OLD announced on LINK that NEW no longer does, into WD. */
static unsigned int announce_gone(const struct twp_config *old,
				  const struct twp_config *new,
				  unsigned int link, struct cfg_addr *wd)
{
	const struct cfg_addr *oa, *na;
	unsigned int no, nn, i, k, n = 0;

	oa = policy_announce(old, link, &no);
	na = policy_announce(new, link, &nn);
	for (i = 0; i < no; i++) {
		for (k = 0; k < nn; k++)
			if (cfg_addr_eq(&oa[i], &na[k]) &&
			    oa[i].len == na[k].len)
				break;
		if (k == nn)
			wd[n++] = oa[i];
	}
	return n;
}

static void apply_bfd(struct twpd *d, unsigned int i, FILE *out)
{
	const struct cfg_link *l = &d->cfg->links[i];
	struct health_link *hl;
	uint32_t seq;

	if (d->bfd.hm == NULL) {
		fprintf(out, "%s: bfd: no health map yet: written when "
			"twinpath-dp maps one\n", l->name);
		return;
	}
	hl = &d->bfd.hm->link[i];
	seq = hl->poll_seq;
	if (health_poll_pending(hl) &&
	    (l->bfd.min_tx_us != hl->desired_min_tx_us ||
	     l->bfd.min_rx_us != hl->required_min_rx_us)) {
		bfd_write_link(l, &d->bfd.s[i], hl);
		fprintf(out, "%s: bfd: a Poll Sequence runs: Desired Min TX "
			"%u us, Required Min RX %u us follow its Final\n",
			l->name, l->bfd.min_tx_us, l->bfd.min_rx_us);
		return;
	}
	bfd_write_link(l, &d->bfd.s[i], hl);
	if (hl->poll_seq != seq)
		fprintf(out, "%s: bfd: Poll Sequence started (RFC 5880 "
			"§6.8.3): Desired Min TX %u -> %u us, Required Min RX "
			"%u -> %u us, detect multiplier %u\n", l->name,
			hl->poll_old_tx_us, hl->desired_min_tx_us,
			hl->poll_old_rx_us, hl->required_min_rx_us,
			hl->detect_mult);
	else
		fprintf(out, "%s: bfd: written (Desired Min TX %u us, Required "
			"Min RX %u us, detect multiplier %u, %s)\n", l->name,
			hl->desired_min_tx_us, hl->required_min_rx_us,
			hl->detect_mult, hl->cfg_admin_down ? "admin down" :
			"no Poll: the session is not Up or its timers are "
			"unchanged");
}

/* The new config is in place; PREV is the one it replaced. */
static void apply(struct twpd *d, const struct twp_config *prev,
		  const struct reload_plan *plan, FILE *out)
{
	const struct twp_config *cfg = d->cfg;
	struct cfg_addr wd[CFG_MAX_ANNOUNCE];
	char msg[256];
	unsigned int i, n_wd;

	for (i = 0; i < cfg->n_links; i++) {
		unsigned int c = plan->link[i];
		const struct cfg_link *l = &cfg->links[i];

		if ((c & (RELOAD_EXPORT | RELOAD_IMPORT)) && d->bgp != NULL) {
			n_wd = announce_gone(prev, cfg, i, wd);
			bgp_soft_reset(d->bgp, i, c & RELOAD_IMPORT,
				       c & RELOAD_EXPORT, wd, n_wd, msg,
				       sizeof(msg));
			fprintf(out, "%s: bgp: %s\n", l->name, msg);
		}
		if ((c & RELOAD_LIMIT) && d->rib != NULL)
			fprintf(out, "%s: bgp: max_prefix %u (%zu accepted now), "
				"max_memory_mb %llu (%zu bytes held now), "
				"checked at the next UPDATE\n", l->name,
				l->bgp.max_prefix, rib_link_count(d->rib, i),
				(unsigned long long)(l->bgp.max_memory_bytes >>
						     20),
				rib_link_bytes(d->rib, i));
		if (c & RELOAD_BFD)
			apply_bfd(d, i, out);
		if (c & RELOAD_CAPACITY)
			fprintf(out, "%s: capacity_mbps %u, for the link "
				"monitor from its next interval\n", l->name,
				l->capacity_mbps);
	}
	if (plan->connect_retry)
		fprintf(out, "bgp.connect_retry: %u s from the next attempt\n",
			cfg->bgp.connect_retry_s);
	if (plan->drain)
		fprintf(out, "bgp.drain_rx_floor_pps %u, drain_quiet %u s, "
			"drain_timeout %u s: from the next check of a drain\n",
			cfg->bgp.drain_rx_floor_pps, cfg->bgp.drain_quiet_s,
			cfg->bgp.drain_timeout_s);
	if (plan->monitor)
		fprintf(out, "monitor: utilisation_warn %g, imbalance_warn %g, "
			"imbalance_min_mbps %u, interval_s %g, from the next "
			"interval\n", cfg->monitor.utilisation_warn,
			cfg->monitor.imbalance_warn,
			cfg->monitor.imbalance_min_mbps,
			cfg->monitor.interval_ms / 1e3);
}

/* Writes TEXT into OUT and each of its lines into the log. */
static void emit(FILE *out, const char *text)
{
	const char *p = text, *e;

	fputs(text, out);
	while (*p != '\0') {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		log_msg("reload: %.*s", (int)(e - p), p);
		p = *e ? e + 1 : e;
	}
}

int reload_run(struct twpd *d, FILE *out)
{
	static struct twp_config next, prev; /* large: not on the stack */
	struct twp_config *live = d->cfg_live;
	struct reload_plan plan;
	char err[1024], *text = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	mem = open_memstream(&text, &len);
	if (mem == NULL)
		return -ENOMEM;
	rc = cfg_load(&next, live->path, err, sizeof(err));
	if (rc < 0)
		fprintf(mem, "%s\n", err);
	else
		rc = reload_diff(live, &next, &plan, mem);
	if (rc == 0) {
		prev = *live;
		monitor_cfg_lock(d->mon);
		*live = next;
		monitor_cfg_unlock(d->mon);
		apply(d, &prev, &plan, mem);
	}
	if (fclose(mem) != 0) {
		free(text);
		return -ENOMEM;
	}
	if (rc < 0) {
		char head[PATH_MAX + 80];

		snprintf(head, sizeof(head), "error: reload of %s refused: the "
			 "running configuration stays\n", live->path);
		emit(out, head);
	} else {
		fprintf(out, "reloaded %s: %u change(s) applied\n", live->path,
			plan.n_changes);
		log_msg("reload: %s: %u change(s) applied", live->path,
			plan.n_changes);
	}
	emit(out, text);
	free(text);
	return rc;
}
