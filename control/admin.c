/* Maintenance without a flap (see admin.h): the CLI of "link NAME drain",
 * "bgp ADDR shutdown|enable" and "show links", and the watch that decides
 * when a draining link's return traffic has moved to the other links.
 *
 * RFC 8326 gives the community and the procedure but no rule for "the
 * traffic has moved". Ours: the link's received rate (the data plane's
 * rx_packets of the port: transit traffic only, since BFD, BGP and ARP stop
 * in XDP or the kernel), sampled once a second, stays at or below
 * bgp.drain_rx_floor_pps for bgp.drain_quiet seconds; or
 * bgp.drain_timeout seconds pass, so a provider that ignores
 * GRACEFUL_SHUTDOWN delays the maintenance by a bounded time only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"
#include "monitor.h"
#include "log.h"
#include "metrics.h"
#include "render.h"
#include "twinpathd.h"

/* The loop waits this long at most for the data plane's telemetry, once
 * a second and only while a link is draining. */
#define ADMIN_TEL_TIMEOUT_MS 100u

enum drain_verdict drain_step(struct bgp_drain_watch *w,
			      const struct drain_params *pp, uint64_t since_ms,
			      uint64_t now_ms, bool have_rx, uint64_t rx,
			      char *reason, size_t len)
{
	if (!have_rx) {
		/* nothing measured: only the timeout can end the wait */
		w->have_prev = w->have_rate = false;
		w->low_since_ms = 0;
	} else if (w->have_prev && rx >= w->prev_rx && now_ms > w->prev_ms) {
		w->rate_pps = (rx - w->prev_rx) * 1000u / (now_ms - w->prev_ms);
		w->have_rate = true;
		if (w->rate_pps > pp->rx_floor_pps)
			w->low_since_ms = 0;
		else if (w->low_since_ms == 0)
			w->low_since_ms = w->prev_ms;
	} else {
		/* the first sample, or the data plane restarted (its counter
		 * went back): measure again from here */
		w->have_rate = false;
		w->low_since_ms = 0;
	}
	if (have_rx) {
		w->have_prev = true;
		w->prev_rx = rx;
		w->prev_ms = now_ms;
	}
	if (w->low_since_ms != 0 && now_ms - w->low_since_ms >= pp->quiet_ms) {
		snprintf(reason, len, "return traffic at most %llu pps for "
			 "%llu s (last %llu pps)",
			 (unsigned long long)pp->rx_floor_pps,
			 (unsigned long long)(pp->quiet_ms / 1000u),
			 (unsigned long long)w->rate_pps);
		return DRAIN_MOVED;
	}
	if (now_ms - since_ms >= pp->timeout_ms) {
		if (w->have_rate)
			snprintf(reason, len, "drain timeout %llu s, return "
				 "traffic still %llu pps",
				 (unsigned long long)(pp->timeout_ms / 1000u),
				 (unsigned long long)w->rate_pps);
		else
			snprintf(reason, len, "drain timeout %llu s, return "
				 "traffic not measured (no data plane "
				 "telemetry)",
				 (unsigned long long)(pp->timeout_ms / 1000u));
		return DRAIN_TIMEOUT;
	}
	return DRAIN_WAIT;
}

/* Static routes via the drained links follow them out of the primary
 * sets (BGP routes do through LOCAL_PREF 0 in the decision). */
static void static_follow(struct twpd *d)
{
	uint32_t mask = 0;
	unsigned int i;
	int rc;

	for (i = 0; i < d->bgp->n_peers; i++)
		if (d->bgp->peer[i].drain == BGP_DRAIN_DRAINED)
			mask |= 1u << d->bgp->peer[i].link;
	rc = fibpush_set_drained(d->fp, mask);
	if (rc < 0)
		log_msg("drain: static routes not moved: %s", strerror(-rc));
}

static void params_of(const struct twp_config *cfg, struct drain_params *pp)
{
	pp->rx_floor_pps = cfg->bgp.drain_rx_floor_pps;
	pp->quiet_ms = cfg->bgp.drain_quiet_s * 1000ull;
	pp->timeout_ms = cfg->bgp.drain_timeout_s * 1000ull;
}

void admin_tick(struct twpd *d, uint64_t now_ms)
{
	static struct metrics_dp dp; /* large; main loop only */
	struct drain_params pp;
	char path[128], why[160];
	unsigned int i, k;
	bool any = false, have;
	int rc;

	if (d->bgp == NULL)
		return;
	for (i = 0; i < d->bgp->n_peers; i++)
		any |= d->bgp->peer[i].drain == BGP_DRAIN_DRAINING;
	if (!any)
		return;
	snprintf(path, sizeof(path), "/var/run/dpdk/twinpath-%s/"
		 "dpdk_telemetry.v2", d->cfg->instance);
	rc = metrics_dp_read(path, ADMIN_TEL_TIMEOUT_MS, &dp);
	params_of(d->cfg, &pp);
	for (i = 0; i < d->bgp->n_peers; i++) {
		struct bgp_peer *p = &d->bgp->peer[i];
		uint64_t rx = 0;

		/* a link's second session (peer_address6) follows its
		 * first one's drain (bgp_drain_set) */
		if (p->drain != BGP_DRAIN_DRAINING ||
		    p != &d->bgp->peer[p->link])
			continue;
		have = false;
		for (k = 0; rc == 0 && k < dp.n_ports; k++)
			if (strcmp(dp.port[k].name, p->lc->name) == 0) {
				rx = dp.port[k].rx_packets;
				have = true;
			}
		if (drain_step(&p->dw, &pp, p->drain_since_ms, now_ms, have, rx,
			       why, sizeof(why)) != DRAIN_WAIT) {
			bgp_drain_set(p, BGP_DRAIN_DRAINED, why);
			static_follow(d);
		}
	}
}

/* ---- CLI ---- */

static struct bgp_peer *peer_of_link(struct twpd *d, const char *name)
{
	unsigned int i;

	for (i = 0; d->bgp != NULL && i < d->bgp->n_peers; i++)
		if (strcmp(d->bgp->peer[i].lc->name, name) == 0)
			return &d->bgp->peer[i];
	return NULL;
}

/* "link NAME drain|undrain" */
static int cli_link(struct twpd *d, const char *name, const char *verb,
		    FILE *out)
{
	struct bgp_peer *p;
	struct drain_params pp;
	unsigned int i;

	for (i = 0; i < d->cfg->n_links; i++)
		if (strcmp(d->cfg->links[i].name, name) == 0)
			break;
	if (i == d->cfg->n_links) {
		fprintf(out, "error: no link named '%s'\n", name);
		return -EINVAL;
	}
	p = peer_of_link(d, name);
	if (p == NULL) {
		/* RFC 8326 is a BGP procedure: without BGP nothing tells the
		 * provider to move its traffic */
		fprintf(out, "error: link drain needs BGP on the link (the "
			"config has no bgp group)\n");
		return -EINVAL;
	}
	params_of(d->cfg, &pp);
	if (strcmp(verb, "drain") == 0) {
		if (p->drain != BGP_DRAIN_NONE) {
			fprintf(out, "link %s is already %s\n", name,
				bgp_drain_str(p->drain));
			return 0;
		}
		bgp_drain_set(p, BGP_DRAIN_DRAINING, NULL);
		fprintf(out, "link %s draining: our prefixes announced with "
			"GRACEFUL_SHUTDOWN 65535:0 (RFC 8326); drained once "
			"the link receives at most %llu pps for %llu s, or "
			"after %llu s\n", name,
			(unsigned long long)pp.rx_floor_pps,
			(unsigned long long)(pp.quiet_ms / 1000u),
			(unsigned long long)(pp.timeout_ms / 1000u));
		return 0;
	}
	if (p->drain == BGP_DRAIN_NONE) {
		fprintf(out, "link %s is not drained\n", name);
		return 0;
	}
	bgp_drain_set(p, BGP_DRAIN_NONE, NULL);
	static_follow(d);
	fprintf(out, "link %s restored: our prefixes announced without "
		"GRACEFUL_SHUTDOWN, the link's paths at LOCAL_PREF %u again\n",
		name, p->lc->local_pref);
	return 0;
}

/* "bgp ADDR shutdown [MESSAGE]", "bgp ADDR enable" */
static int cli_bgp(struct twpd *d, const char *addr, const char *verb,
		   const char *rest, FILE *out)
{
	struct cfg_addr a;
	struct bgp_peer *p;
	char msg[512];
	int rc;

	if (d->bgp == NULL) {
		fprintf(out, "error: BGP is not enabled (no bgp group in the "
			"config)\n");
		return -EINVAL;
	}
	if (cfg_parse_prefix(addr, &a) < 0 ||
	    a.len != cfg_family_bits(a.family)) {
		fprintf(out, "error: not an address: %s\n", addr);
		return -EINVAL;
	}
	p = bgp_peer_find(d->bgp, &a);
	if (p == NULL) {
		fprintf(out, "error: no BGP neighbor %s\n", addr);
		return -EINVAL;
	}
	if (strcmp(verb, "enable") == 0) {
		if (*rest != '\0') {
			fprintf(out, "error: 'bgp ADDR enable' takes nothing "
				"more\n");
			return -EINVAL;
		}
		rc = bgp_admin_enable(p, msg, sizeof(msg));
	} else {
		rc = bgp_admin_shutdown(p, rest, msg, sizeof(msg));
	}
	if (rc < 0 && rc != -EALREADY) {
		fprintf(out, "error: %s\n", msg);
		return -EINVAL;
	}
	fprintf(out, "%s\n", msg);
	return 0;
}

/* "show links": each link's admin and drain state, then the link
 * monitor's rates (control/monitor.c), one walk for text and JSON
 * (common/render.h). JSON: {"admin": [...], "rates": {...} or null
 * without a monitor}. */
static void show_admin_link(struct twpd *d, const struct cfg_link *l,
			    uint64_t now, struct render *r)
{
	const struct bgp_peer *p = peer_of_link(d, l->name);
	enum bgp_drain dr = p ? p->drain : BGP_DRAIN_NONE;
	char a[64], t[64];

	render_obj(r, NULL);
	render_s(r, "name", "%-12s ", l->name);
	render_s(r, "interface", "%-10s ", l->interface);
	render_s(r, "peer", "%-16s ",
		 cfg_addr_str(&l->peer_address, a, sizeof(a)));
	render_sn(r, "bgp_state", "%-12s ", p ? bgp_state_str(p->state) : NULL,
		  "-");
	render_bool(r, "admin_down", p && p->admin_down, "down   ",
		    "up     ");
	/* the message ends the line in text, after the drain state */
	render_js(r, "shutdown_message",
		  p && p->admin_down ? p->admin_msg : NULL);
	render_s(r, "drain", "%-9s ", bgp_drain_str(dr));
	/* seconds for scripts, "since" as a person reads it */
	if (dr != BGP_DRAIN_NONE) {
		render_ju(r, "drain_s", (now - p->drain_since_ms) / 1000u);
		render_text(r, "%s", bgp_since_str(p->drain_since_ms, now, t,
						    sizeof(t)));
	} else {
		render_null(r, "drain_s");
		render_text(r, "-");
	}
	if (dr == BGP_DRAIN_DRAINING)
		render_text(r, "; return traffic ");
	if (dr == BGP_DRAIN_DRAINING && p->dw.have_rate) {
		render_u(r, "rx_pps", "%llu pps", p->dw.rate_pps);
	} else {
		render_null(r, "rx_pps");
		if (dr == BGP_DRAIN_DRAINING)
			render_text(r, "not measured yet");
	}
	if (dr == BGP_DRAIN_DRAINED)
		render_s(r, "drain_reason", "; %s", p->drain_reason);
	else
		render_null(r, "drain_reason");
	if (p && p->admin_down)
		render_text(r, "; shut down since %s%s%s%s",
			    bgp_since_str(p->admin_since_ms, now, t, sizeof(t)),
			    p->admin_msg[0] ? ": \"" : "", p->admin_msg,
			    p->admin_msg[0] ? "\"" : "");
	render_text(r, "\n");
	render_end(r);
}

static void show_links(struct twpd *d, struct render *r)
{
	const struct twp_config *cfg = d->cfg;
	uint64_t now = bgp_now_ms();
	unsigned int i;

	render_obj(r, NULL);
	render_text(r, "%-12s %-10s %-16s %-12s %-6s %-9s %s\n", "NAME",
		    "INTERFACE", "PEER", "BGP", "ADMIN", "DRAIN", "SINCE");
	render_arr(r, "admin");
	for (i = 0; i < cfg->n_links; i++)
		show_admin_link(d, &cfg->links[i], now, r);
	render_end(r);
	if (d->mon != NULL) {
		render_text(r, "\n");
		monitor_cli(d->mon, cfg, r, "rates");
	} else {
		render_null(r, "rates");
	}
	render_end(r);
}

/* The next word of *S (spaces skipped); *S moves past it. */
static size_t next_word(const char **s, char *w, size_t cap)
{
	size_t n = 0;

	while (**s == ' ' || **s == '\t')
		(*s)++;
	while (**s != '\0' && **s != ' ' && **s != '\t') {
		if (n + 1 < cap)
			w[n++] = **s;
		(*s)++;
	}
	w[n] = '\0';
	return n;
}

int admin_cli(struct twpd *d, const char *req, FILE *out)
{
	const char *s = req;
	char w1[32], w2[64], w3[32], w4[8];
	struct render r;
	bool json = false;

	next_word(&s, w1, sizeof(w1));
	if (strcmp(w1, "json") == 0) {
		json = true;
		next_word(&s, w1, sizeof(w1));
	}
	if (strcmp(w1, "show") == 0) {
		next_word(&s, w2, sizeof(w2));
		if (strcmp(w2, "links") != 0 || next_word(&s, w3, sizeof(w3)))
			return 1;
		render_init(&r, out, json);
		show_links(d, &r);
		return 0;
	}
	if (strcmp(w1, "link") != 0 && strcmp(w1, "bgp") != 0)
		return 1;
	next_word(&s, w2, sizeof(w2));
	next_word(&s, w3, sizeof(w3));
	if (strcmp(w1, "link") == 0) {
		if ((strcmp(w3, "drain") != 0 && strcmp(w3, "undrain") != 0) ||
		    next_word(&s, w4, sizeof(w4)))
			return 1;
		return cli_link(d, w2, w3, out);
	}
	if (strcmp(w3, "shutdown") != 0 && strcmp(w3, "enable") != 0)
		return 1;
	/* RFC 9003: the rest of the line, as typed, is the message */
	while (*s == ' ' || *s == '\t')
		s++;
	return cli_bgp(d, w2, w3, s, out);
}
