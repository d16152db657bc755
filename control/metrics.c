/* Prometheus endpoint of twinpathd (see metrics.h): the exposition text,
 * the DPDK telemetry client that reads the data plane's counters, and the
 * libmicrohttpd glue. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>
#include <microhttpd.h>

#include "log.h"
#include "metrics.h"
#include "twinpathd.h"

/* Telemetry answers are bounded by the data plane's max_output_len
 * (16 KiB in DPDK 22.11). */
#define TEL_BUF METRICS_TEL_BUF
#define TEL_TIMEOUT_MS 500
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* ---- exposition text ---- */

static void family(FILE *f, const char *name, const char *type,
		   const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped (0.0.4). */
static void label_value(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void sample_u64(FILE *f, const char *name, const char *lname,
		       const char *lval, uint64_t v)
{
	fputs(name, f);
	if (lname != NULL) {
		fprintf(f, "{%s=\"", lname);
		label_value(f, lval);
		fputs("\"}", f);
	}
	fprintf(f, " %llu\n", (unsigned long long)v);
}

/* Seconds from integer nanoseconds, exact to the nanosecond (no float
 * rounding in the text): "0.03", "1", "0.000125". */
static void sample_ns(FILE *f, const char *name, const char *link,
		      uint64_t ns)
{
	char frac[16];
	size_t n;

	fprintf(f, "%s{link=\"", name);
	label_value(f, link);
	fprintf(f, "\"} %llu", (unsigned long long)(ns / 1000000000ull));
	if (ns % 1000000000ull != 0) {
		snprintf(frac, sizeof(frac), "%09llu",
			 (unsigned long long)(ns % 1000000000ull));
		n = strlen(frac);
		while (n > 0 && frac[n - 1] == '0')
			frac[--n] = '\0';
		fprintf(f, ".%s", frac);
	}
	fputc('\n', f);
}

/* Label values of the per-state gauges, in enum order: RFC 5880 §4.1's
 * State, RFC 4271 §8.2.2's FSM states (enum bgp_state). */
static const char *const bfd_states[] = {
	"admin_down", "down", "init", "up", NULL,
};
static const char *const bgp_states[] = {
	"idle", "connect", "active", "opensent", "openconfirm",
	"established", NULL,
};

/* The per-link families of twinpathd: one row each, rendered in this
 * order for every link the row's condition holds for. */
enum link_when { W_ALL, W_BFD, W_BFD_FAILED, W_BGP, W_BFD_DAMP };
enum link_fmt {
	F_U64,   /* the value as it is */
	F_NS,    /* nanoseconds, written as seconds */
	F_STATE, /* one sample per label of states, 1 for the value's */
};

struct link_family {
	const char *name, *type, *help;
	enum link_when when;
	enum link_fmt fmt;
	uint64_t (*get)(const struct metrics_link *l);
	const char *const *states; /* F_STATE */
};

#define GET(n, expr) \
	static uint64_t get_##n(const struct metrics_link *l) { return (expr); }
GET(bfd_up, l->bfd_state == 3)
GET(bfd_state, l->bfd_state)
GET(bfd_up_count, l->bfd_up_count)
GET(bfd_down_count, l->bfd_down_count)
GET(bfd_tx_ns, (uint64_t)l->bfd_tx_interval_us * 1000u)
GET(bfd_detect_ns, (uint64_t)l->bfd_detect_time_us * 1000u)
GET(bfd_gap_ns, l->bfd_last_gap_ns)
GET(live, l->live)
GET(bgp_established, l->bgp_established)
GET(bgp_state, l->bgp_state)
GET(bgp_establishments, l->bgp_establishments)
GET(bgp_drops, l->bgp_establishments - (l->bgp_established ? 1 : 0))
GET(bgp_received, l->bgp_received)
GET(bgp_accepted, l->bgp_accepted)
GET(bgp_installed, l->bgp_installed)
GET(bgp_admin_down, l->admin_down)
GET(drain, l->drain)
GET(fib_routes, l->fib_routes)
GET(bgp_memory, l->bgp_memory_bytes)
GET(bgp_memory_hits, l->bgp_max_memory_hits)
GET(bfd_damp_held, l->bfd_damp_held)
GET(bfd_damp_holds, l->bfd_damp_holds)
#undef GET

#define FAM(n, t, w, fmt, g, s, h) {"twinpath_" n, t, h, w, fmt, get_##g, s}
static const struct link_family link_families[] = {
	FAM("bfd_up", "gauge", W_BFD, F_U64, bfd_up, NULL,
	    "1 while the link's BFD session is Up (RFC 5880), else 0"),
	FAM("bfd_state", "gauge", W_BFD, F_STATE, bfd_state, bfd_states,
	    "BFD session state: 1 for the current one (RFC 5880 4.1)"),
	FAM("bfd_up_transitions_total", "counter", W_BFD, F_U64, bfd_up_count,
	    NULL, "BFD session transitions to Up"),
	FAM("bfd_down_transitions_total", "counter", W_BFD, F_U64,
	    bfd_down_count, NULL, "BFD session transitions from Up to Down"),
	FAM("bfd_tx_interval_seconds", "gauge", W_BFD, F_NS, bfd_tx_ns, NULL,
	    "Negotiated BFD transmit interval (RFC 5880 6.8.7)"),
	FAM("bfd_detection_time_seconds", "gauge", W_BFD, F_NS, bfd_detect_ns,
	    NULL, "BFD detection time (RFC 5880 6.8.4)"),
	FAM("bfd_last_detection_gap_seconds", "gauge", W_BFD_FAILED, F_NS,
	    bfd_gap_ns, NULL,
	    "At the last failure: time from the last valid packet to Down"),
	FAM("link_live", "gauge", W_BFD, F_U64, live, NULL,
	    "1 while the data plane may forward over the link "
	    "(health map live bit)"),
	FAM("bgp_established", "gauge", W_BGP, F_U64, bgp_established, NULL,
	    "1 while the link's BGP session is Established"),
	FAM("bgp_state", "gauge", W_BGP, F_STATE, bgp_state, bgp_states,
	    "BGP session state: 1 for the current one (RFC 4271 8.2.2)"),
	FAM("bgp_establishments_total", "counter", W_BGP, F_U64,
	    bgp_establishments, NULL, "BGP session transitions to Established"),
	FAM("bgp_session_drops_total", "counter", W_BGP, F_U64, bgp_drops,
	    NULL, "BGP sessions that left Established"),
	FAM("bgp_prefixes_received", "gauge", W_BGP, F_U64, bgp_received, NULL,
	    "Prefixes the peer announces (accepted and rejected)"),
	FAM("bgp_prefixes_accepted", "gauge", W_BGP, F_U64, bgp_accepted, NULL,
	    "Prefixes of the peer accepted by import policy"),
	FAM("bgp_prefixes_installed", "gauge", W_BGP, F_U64, bgp_installed,
	    NULL, "Prefixes whose forwarding set (multipath primary) uses the "
	    "link's path"),
	FAM("bgp_admin_down", "gauge", W_BGP, F_U64, bgp_admin_down, NULL,
	    "1 while the session is held down by 'bgp ADDR shutdown'"),
	FAM("bgp_memory_bytes", "gauge", W_BGP, F_U64, bgp_memory, NULL,
	    "Bytes the peer's routes hold (links.bgp.max_memory_mb)"),
	FAM("bgp_max_memory_hits_total", "counter", W_BGP, F_U64,
	    bgp_memory_hits, NULL,
	    "Sessions ended with Cease/Out of Resources for max_memory_mb"),
	FAM("bfd_dampening_held", "gauge", W_BFD_DAMP, F_U64, bfd_damp_held,
	    NULL, "1 while BFD is Up and BGP is held down by dampening"),
	FAM("bfd_dampening_holds_total", "counter", W_BFD_DAMP, F_U64,
	    bfd_damp_holds, NULL,
	    "BFD Ups whose BGP session was held down by dampening"),
	FAM("link_drain_state", "gauge", W_ALL, F_U64, drain, NULL,
	    "Link maintenance (RFC 8326): 0 in use, 1 draining (our routes "
	    "carry GRACEFUL_SHUTDOWN), 2 drained (out of the primary sets)"),
	FAM("fib_link_routes", "gauge", W_ALL, F_U64, fib_routes, NULL,
	    "Routes pushed to the data plane whose primary set forwards "
	    "over the link"),
};
#undef FAM

static bool link_when(const struct metrics_link *l, enum link_when w)
{
	switch (w) {
	case W_BFD:
		return l->bfd_known;
	case W_BFD_FAILED:
		return l->bfd_failed;
	case W_BGP:
		return l->bgp;
	case W_BFD_DAMP:
		return l->bfd_dampening;
	case W_ALL:
		break;
	}
	return true;
}

/* One row of family T for L: link="NAME", and peer="ADDR" on the BGP
 * families of a link with a session per family (links.peer_address6),
 * whose two sessions would otherwise be one series. */
static void render_link_row(const struct link_family *t,
			    const struct metrics_link *l, FILE *f)
{
	uint64_t v;
	unsigned int k;

	if (!link_when(l, t->when))
		return;
	v = t->get(l);
	if (t->fmt == F_NS) {
		sample_ns(f, t->name, l->name, v);
		return;
	}
	for (k = 0; t->fmt == F_U64 ? k < 1 : t->states[k] != NULL; k++) {
		fprintf(f, "%s{link=\"", t->name);
		label_value(f, l->name);
		if (t->when == W_BGP && l->peer[0] != '\0') {
			fputs("\",peer=\"", f);
			label_value(f, l->peer);
		}
		if (t->fmt == F_U64)
			fprintf(f, "\"} %llu\n", (unsigned long long)v);
		else
			fprintf(f, "\",state=\"%s\"} %d\n", t->states[k],
				v == k);
	}
}

static void render_links(const struct metrics_ctl *c, FILE *f)
{
	const struct link_family *t;
	unsigned int i;

	for (t = link_families;
	     t < link_families + sizeof(link_families) / sizeof(*t); t++) {
		family(f, t->name, t->type, t->help);
		for (i = 0; i < c->n_links; i++) {
			render_link_row(t, &c->link[i], f);
			if (t->when == W_BGP)
				render_link_row(t, &c->link2[i], f);
		}
	}
}

/* A float sample with a link and a direction label, or only a
 * direction (LINK NULL). */
static void sample_dir(FILE *f, const char *name, const char *link,
		       const char *dir, double v)
{
	fprintf(f, "%s{", name);
	if (link != NULL) {
		fputs("link=\"", f);
		label_value(f, link);
		fputs("\",", f);
	}
	fprintf(f, "direction=\"%s\"} %.9g\n", dir, v);
}

/* The link monitor's families (control/monitor.h): rates of the last
 * interval, utilisation and imbalance, and their warnings. */
static void render_monitor(const struct metrics_ctl *c, FILE *f)
{
	static const char *const dir[MON_DIRS] = {"rx", "tx"};
	const struct mon_result *r = &c->mon;
	unsigned int i, d;

#define EACH(cond) \
	for (i = 0; i < r->n_links && i < c->n_links; i++) \
		for (d = 0; d < MON_DIRS; d++) \
			if (cond)
	/* bytes, Prometheus' base unit (promtool's lint), where the
	 * config and the CLI say Mbit/s */
	family(f, "twinpath_link_capacity_bytes_per_second", "gauge",
	       "The link's ordered bandwidth (links.capacity_mbps)");
	for (i = 0; i < r->n_links && i < c->n_links; i++)
		if (r->link[i].capacity_mbps != 0)
			sample_u64(f, "twinpath_link_capacity_bytes_per_second",
				   "link", c->link[i].name,
				   r->link[i].capacity_mbps * 125000ull);
	family(f, "twinpath_link_bytes_per_second", "gauge",
	       "Bytes per second over the last monitor interval (Ethernet "
	       "frames as DPDK counts them)");
	EACH(r->link[i].known)
		sample_dir(f, "twinpath_link_bytes_per_second",
			   c->link[i].name, dir[d], r->link[i].bps[d] / 8);
	family(f, "twinpath_link_packets_per_second", "gauge",
	       "Packets forwarded per second over the last monitor interval");
	EACH(r->link[i].known)
		sample_dir(f, "twinpath_link_packets_per_second",
			   c->link[i].name, dir[d], r->link[i].pps[d]);
	family(f, "twinpath_link_utilisation_ratio", "gauge",
	       "Rate over the link's capacity, last monitor interval");
	EACH(r->link[i].known && r->link[i].capacity_mbps != 0)
		sample_dir(f, "twinpath_link_utilisation_ratio",
			   c->link[i].name, dir[d], r->link[i].util[d]);
	family(f, "twinpath_link_utilisation_warning", "gauge",
	       "1 from the interval utilisation reached monitor."
	       "utilisation_warn to the one it fell below");
	EACH(r->link[i].capacity_mbps != 0)
		sample_dir(f, "twinpath_link_utilisation_warning",
			   c->link[i].name, dir[d], r->link[i].util_warn[d]);
#undef EACH
	if (!r->active_active)
		return;
	family(f, "twinpath_links_imbalance_ratio", "gauge",
	       "Largest deviation of a usable link's share of the traffic "
	       "from its expected share (active/active)");
	for (d = 0; d < MON_DIRS; d++)
		if (r->imb[d].known)
			sample_dir(f, "twinpath_links_imbalance_ratio", NULL,
				   dir[d], r->imb[d].value);
	family(f, "twinpath_links_imbalance_warning", "gauge",
	       "1 from the interval the imbalance reached monitor."
	       "imbalance_warn to the one it fell below or became undefined");
	for (d = 0; d < MON_DIRS; d++)
		sample_dir(f, "twinpath_links_imbalance_warning", NULL, dir[d],
			   r->imb[d].warn);
}

static void render_dp(const struct metrics_dp *dp, FILE *f)
{
	unsigned int i;

	family(f, "twinpath_dp_rx_packets_total", "counter",
	       "Packets the data plane received on the port");
	for (i = 0; i < dp->n_ports; i++)
		sample_u64(f, "twinpath_dp_rx_packets_total", "link",
			   dp->port[i].name, dp->port[i].rx_packets);
	family(f, "twinpath_dp_tx_packets_total", "counter",
	       "Packets the data plane sent on the port");
	for (i = 0; i < dp->n_ports; i++)
		sample_u64(f, "twinpath_dp_tx_packets_total", "link",
			   dp->port[i].name, dp->port[i].tx_packets);
	family(f, "twinpath_dp_tx_dropped_total", "counter",
	       "Packets the port's transmit queue refused");
	for (i = 0; i < dp->n_ports; i++)
		sample_u64(f, "twinpath_dp_tx_dropped_total", "link",
			   dp->port[i].name, dp->port[i].tx_dropped);
	family(f, "twinpath_dp_rx_bytes_total", "counter",
	       "Bytes received on the port (DPDK ethdev statistics)");
	for (i = 0; i < dp->n_ports; i++)
		if (dp->port[i].have_bytes)
			sample_u64(f, "twinpath_dp_rx_bytes_total", "link",
				   dp->port[i].name, dp->port[i].rx_bytes);
	family(f, "twinpath_dp_tx_bytes_total", "counter",
	       "Bytes sent on the port (DPDK ethdev statistics)");
	for (i = 0; i < dp->n_ports; i++)
		if (dp->port[i].have_bytes)
			sample_u64(f, "twinpath_dp_tx_bytes_total", "link",
				   dp->port[i].name, dp->port[i].tx_bytes);
	family(f, "twinpath_dp_link_up", "gauge",
	       "1 while the port has carrier and is admin up");
	for (i = 0; i < dp->n_ports; i++)
		sample_u64(f, "twinpath_dp_link_up", "link", dp->port[i].name,
			   dp->port[i].link_up);
	family(f, "twinpath_link_suspect_state", "gauge",
	       "Link suspicion: 0 clear, 1 suspected (its flows on the other "
	       "links), 2 proved alive, flows back after the hold-down");
	for (i = 0; i < dp->n_ports; i++)
		if (dp->port[i].suspect)
			sample_u64(f, "twinpath_link_suspect_state", "link",
				   dp->port[i].name, dp->port[i].suspect_state);
	family(f, "twinpath_link_suspicions_total", "counter",
	       "Link suspicions, by outcome: confirmed (BFD went down), "
	       "cleared (it never did), abstained (evidence agreed, a guard "
	       "overruled it), all");
	for (i = 0; i < dp->n_ports; i++) {
		const struct metrics_port *p = &dp->port[i];
		const struct {
			const char *outcome;
			uint64_t v;
		} o[] = {{"all", p->suspicions},
			 {"confirmed", p->suspect_confirmed},
			 {"cleared", p->suspect_cleared},
			 {"abstained", p->suspect_abstained}};
		unsigned int k;

		for (k = 0; p->suspect && k < 4; k++) {
			fputs("twinpath_link_suspicions_total{link=\"", f);
			label_value(f, p->name);
			fprintf(f, "\",outcome=\"%s\"} %llu\n", o[k].outcome,
				(unsigned long long)o[k].v);
		}
	}
	family(f, "twinpath_dp_drops_total", "counter",
	       "Packets the data plane dropped, by reason");
	for (i = 0; i < dp->n_drops; i++)
		sample_u64(f, "twinpath_dp_drops_total", "reason",
			   dp->drop[i].reason, dp->drop[i].count);
}

/* A family of one unlabelled sample: a uint64_t at OFF in its struct. */
struct scalar {
	const char *name, *type, *help;
	size_t off;
};

#define CTL(n, t, f, h) {"twinpath_" n, t, h, offsetof(struct metrics_ctl, f)}
static const struct scalar ctl_scalars[] = {
	CTL("fib_routes", "gauge", fib_routes,
	    "Routes twinpathd installs (static and BGP)"),
	CTL("fib_groups", "gauge", fib_groups, "Nexthop groups in use"),
	CTL("fib_nexthops", "gauge", fib_nexthops, "Nexthops"),
	CTL("fib_generation_sent", "gauge", generation_sent,
	    "Generation of twinpathd's last full sync"),
	CTL("fib_generation_applied", "gauge", generation_applied,
	    "Generation the data plane confirmed applied"),
	CTL("fib_push_errors_total", "counter", bgp_fib_errors,
	    "BGP routes the FIB push refused"),
	CTL("fib_nexthop_table_full_total", "counter", fib_nexthop_table_full,
	    "BGP route changes refused: the nexthop (neighbour) table is full"),
	CTL("fib_group_table_full_total", "counter", fib_group_table_full,
	    "BGP route changes refused: the nexthop group table is full"),
	CTL("channel_outbox_records", "gauge", outbox,
	    "Records waiting for room in the channel ring"),
	CTL("channel_ring_refusals_total", "counter", ring_refusals,
	    "Records the full channel ring refused (kept and retried)"),
	CTL("channel_records_rejected_total", "counter", records_rejected,
	    "Records the data plane rejected as invalid"),
	CTL("fib_digest_checks_total", "counter", digest_checks,
	    "FIB digest comparisons with the data plane"),
	CTL("fib_digest_mismatch_total", "counter", digest_mismatches,
	    "FIB digest comparisons that differed (each repaired by a "
	    "full sync)"),
	CTL("fib_digest_unanswered_total", "counter", digest_unanswered,
	    "FIB digest questions the data plane did not answer in 30 s"),
};
#undef CTL

#define DP(n, f, h) {"twinpath_dp_" n, "gauge", h, offsetof(struct metrics_dp, f)}
static const struct scalar dp_scalars[] = {
	DP("fib_generation", fib_generation,
	   "FIB generation the data plane applied"),
	DP("fib_routes", fib_routes, "Routes in the data plane's FIB"),
	DP("fib_groups", fib_groups, "Nexthop groups in the data plane"),
	DP("fib_nexthops", fib_nexthops, "Nexthops in the data plane"),
	{"twinpath_dp_fib_records_failed_total", "counter",
	 "FIB records the data plane could not apply (a full route table: "
	 "dataplane.ipv4_routes_max, ipv6_routes_max)",
	 offsetof(struct metrics_dp, fib_records_failed)},
	DP("fib_bulk_pending", fib_bulk_pending,
	   "IPv4 route changes the data plane holds back from rte_fib, to "
	   "write them in prefix order"),
	{"twinpath_dp_fib_bulk_flushes_total", "counter",
	 "Bulks of IPv4 route changes the data plane wrote to rte_fib in "
	 "prefix order",
	 offsetof(struct metrics_dp, fib_bulk_flushes)},
	{"twinpath_dp_fib_bulk_written_total", "counter",
	 "Routes written to rte_fib by those bulks",
	 offsetof(struct metrics_dp, fib_bulk_written)},
	{"twinpath_dp_fib_bulk_failed_total", "counter",
	 "Routes rte_fib refused when a bulk was written (they left the "
	 "route table too)",
	 offsetof(struct metrics_dp, fib_bulk_failed)},
	{"twinpath_dp_fib_lookups_retried_total", "counter",
	 "Destinations the fast path looked up again: rte_fib answered a "
	 "read torn by a route change",
	 offsetof(struct metrics_dp, fib_lookups_retried)},
};
#undef DP

static void render_scalars(const struct scalar *t, size_t n, const void *obj,
			   FILE *f)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t v;

		memcpy(&v, (const char *)obj + t[i].off, sizeof(v));
		family(f, t[i].name, t[i].type, t[i].help);
		sample_u64(f, t[i].name, NULL, NULL, v);
	}
}

void metrics_render(const struct metrics_ctl *c, const struct metrics_dp *dp,
		    FILE *f)
{
	render_links(c, f);
	render_monitor(c, f);
	render_scalars(ctl_scalars, sizeof(ctl_scalars) / sizeof(ctl_scalars[0]),
		       c, f);
	family(f, "twinpath_dp_up", "gauge",
	       "1 when the data plane's telemetry answered this scrape");
	sample_u64(f, "twinpath_dp_up", NULL, NULL, dp != NULL && dp->up);
	if (dp == NULL || !dp->up)
		return;
	render_dp(dp, f);
	if (dp->have_fib)
		render_scalars(dp_scalars,
			       sizeof(dp_scalars) / sizeof(dp_scalars[0]), dp,
			       f);
}

/* ---- snapshot of twinpathd's state ---- */

void metrics_collect(const struct twpd *d, struct metrics_ctl *c)
{
	const struct twp_config *cfg = d->cfg;
	const struct health_map *hm = d->bfd.hm;
	const struct chan_header *h = d->chan.hdr;
	const struct fibpush *fp = d->fp;
	uint64_t mask = hm ? __atomic_load_n(&hm->live_mask, __ATOMIC_RELAXED) :
			     0;
	unsigned int i, g, k;

	memset(c, 0, sizeof(*c));
	c->n_links = cfg->n_links;
	for (i = 0; i < cfg->n_links; i++) {
		struct metrics_link *l = &c->link[i];
		const struct bfd_session *s = &d->bfd.s[i];

		snprintf(l->name, sizeof(l->name), "%s", cfg->links[i].name);
		l->bfd = cfg->links[i].bfd.enabled;
		if (l->bfd && hm != NULL) {
			struct health_link hl;

			/* each word read once; the XDP program keeps
			 * writing (as cli.c's snapshot) */
			memcpy(&hl, (const void *)(const volatile
						   struct health_link *)
						   &hm->link[i], sizeof(hl));
			l->bfd_known = true;
			l->bfd_state = hl.state;
			l->bfd_up_count = hl.up_count;
			l->bfd_down_count = hl.down_count;
			l->bfd_tx_interval_us = bfd_tx_interval_us(&hl);
			l->bfd_detect_time_us = bfd_detect_time_us(&hl);
			l->live = mask >> i & 1;
		}
		l->bfd_failed = s->last_down_ns != 0;
		l->bfd_last_gap_ns = s->last_down_detect_ns;
		l->bfd_dampening = l->bfd && cfg->links[i].bfd.dampening;
		l->bfd_damp_held = s->damp_held;
		l->bfd_damp_holds = s->damp_holds;
	}
	if (d->bgp != NULL) {
		for (i = 0; i < d->bgp->n_peers; i++) {
			const struct bgp_peer *p = &d->bgp->peer[i];
			/* a link's second session (peer_address6): its own
			 * series, both labelled by peer */
			struct metrics_link *l = i < cfg->n_links ?
						 &c->link[p->link] :
						 &c->link2[p->link];

			if (p->sibling != NULL) {
				snprintf(l->name, sizeof(l->name), "%s",
					 p->lc->name);
				cfg_addr_str(&p->addr, l->peer,
					     sizeof(l->peer));
			}
			l->bgp = true;
			l->bgp_established = p->state == BGP_ST_ESTABLISHED;
			l->bgp_state = p->state;
			l->bgp_establishments = p->st.established_count;
			l->bgp_received = bgp_peer_received(p);
			l->bgp_accepted = rib_link_count_af(d->rib, p->link,
							    p->afs);
			l->bgp_installed = rib_link_installed(d->rib, p->link);
			l->drain = (uint8_t)p->drain;
			l->admin_down = p->admin_down;
			l->bgp_memory_bytes = bgp_peer_bytes(p);
			l->bgp_max_memory_hits = p->st.max_memory_hits;
		}
	}
	/* Routes per link from the groups' reference counts: a few
	 * thousand groups at most, never the route table. */
	for (g = 0; g < fp->grp_top; g++) {
		const struct fp_group *grp = &fp->grp[g];
		uint32_t seen = 0;

		if (grp->refs == 0)
			continue;
		for (k = 0; k < grp->n_primary; k++) {
			const struct fp_nexthop *nh =
				fibpush_nexthop(fp,
						grp->primary[k]);

			if (nh == NULL || nh->port >= cfg->n_links ||
			    (seen >> nh->port & 1))
				continue;
			seen |= 1u << nh->port;
			c->link[nh->port].fib_routes += grp->refs;
		}
	}
	c->fib_routes = fibpush_route_count(fp);
	c->fib_groups = fp->n_grp;
	c->fib_nexthops = fp->n_nh;
	c->generation_sent = __atomic_load_n(&h->generation, __ATOMIC_RELAXED);
	c->generation_applied = __atomic_load_n(&h->applied_generation,
						__ATOMIC_RELAXED);
	c->outbox = fibpush_queued(fp);
	c->ring_refusals = __atomic_load_n(&h->c2d_refused, __ATOMIC_RELAXED);
	c->records_rejected = __atomic_load_n(&h->rec_invalid,
					      __ATOMIC_RELAXED);
	c->bgp_fib_errors = d->fib_errors;
	c->fib_nexthop_table_full = fp->nh_table_full;
	c->fib_group_table_full = fp->grp_table_full;
	c->digest_checks = d->check.checks;
	c->digest_mismatches = d->check.mismatches;
	c->digest_unanswered = d->check.unanswered;
}

/* ---- DPDK telemetry client (SOCK_SEQPACKET, one JSON reply per
 * command; DPDK's usertools/dpdk-telemetry.py protocol) ---- */

static int tel_recv(int fd, char *buf, size_t len, unsigned int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	ssize_t n;
	int rc = poll(&p, 1, (int)timeout_ms);

	if (rc < 0)
		return -errno;
	if (rc == 0)
		return -ETIMEDOUT;
	n = recv(fd, buf, len - 1, 0);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ECONNRESET;
	buf[n] = '\0';
	return 0;
}

/* Sends CMD, returns the parsed value of its reply's key (the command
 * without parameters), or NULL. *ROOT is to be released by the caller. */
static json_object *tel_query(int fd, const char *cmd, char *buf,
			      unsigned int timeout_ms, json_object **root)
{
	char key[64];
	json_object *v;

	*root = NULL;
	if (send(fd, cmd, strlen(cmd), MSG_NOSIGNAL) < 0 ||
	    tel_recv(fd, buf, TEL_BUF, timeout_ms) < 0)
		return NULL;
	*root = json_tokener_parse(buf);
	if (*root == NULL)
		return NULL;
	snprintf(key, sizeof(key), "%s", cmd);
	key[strcspn(key, ",")] = '\0';
	if (!json_object_object_get_ex(*root, key, &v) ||
	    !json_object_is_type(v, json_type_object))
		return NULL;
	return v;
}

static uint64_t get_u64(json_object *o, const char *key, bool *found)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int)) {
		if (found != NULL)
			*found = false;
		return 0;
	}
	if (found != NULL)
		*found = true;
	return json_object_get_uint64(v);
}

int metrics_tel_open(const char *path, unsigned int timeout_ms)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char greeting[1024];
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* the greeting: version, pid, max_output_len */
	rc = tel_recv(fd, greeting, sizeof(greeting), timeout_ms);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	return fd;
}

/* Link suspicion in a link's /twinpath/bfd entry B (suspect.h), when
 * the link has suspect { }. */
static void bfd_suspect(struct metrics_port *p, json_object *b)
{
	json_object *x;
	const char *st;

	if (!json_object_object_get_ex(b, "suspect_state", &x) ||
	    !json_object_is_type(x, json_type_string))
		return;
	p->suspect = true;
	st = json_object_get_string(x);
	p->suspect_state = strcmp(st, "suspect") == 0 ? 1 :
			   strcmp(st, "hold") == 0 ? 2 : 0;
	if (json_object_object_get_ex(b, "suspect_raised_by", &x) &&
	    json_object_is_type(x, json_type_string))
		snprintf(p->suspect_raised_by, sizeof(p->suspect_raised_by),
			 "%s", json_object_get_string(x));
	p->suspicions = get_u64(b, "suspicions", NULL);
	p->suspect_confirmed = get_u64(b, "suspect_confirmed", NULL);
	p->suspect_cleared = get_u64(b, "suspect_cleared", NULL);
	p->suspect_abstained = get_u64(b, "suspect_abstained", NULL);
	p->suspect_peak_score_milli = get_u64(b, "suspect_peak_score_milli",
					      NULL);
	if (json_object_object_get_ex(b, "suspect_peak_pair", &x) &&
	    json_object_is_type(x, json_type_string))
		snprintf(p->suspect_peak_pair, sizeof(p->suspect_peak_pair),
			 "%s", json_object_get_string(x));
}

int metrics_dp_ports(int fd, unsigned int timeout_ms, struct metrics_dp *dp,
		     char *buf)
{
	json_object *root, *v;
	unsigned int i;

	v = tel_query(fd, "/twinpath/ports", buf, timeout_ms, &root);
	if (v == NULL) {
		json_object_put(root);
		return -EPROTO;
	}
	{
		json_object_object_foreach(v, name, port) {
			struct metrics_port *p;

			if (dp->n_ports == METRICS_MAX_PORTS ||
			    !json_object_is_type(port, json_type_object))
				continue;
			p = &dp->port[dp->n_ports++];
			snprintf(p->name, sizeof(p->name), "%s", name);
			p->rx_packets = get_u64(port, "rx_packets", NULL);
			p->tx_packets = get_u64(port, "tx_packets", NULL);
			p->tx_dropped = get_u64(port, "tx_dropped", NULL);
			p->link_up = get_u64(port, "link_up", NULL) != 0 &&
				     get_u64(port, "admin_up", NULL) != 0;
			/* the port id, kept in rx_bytes until asked */
			p->rx_bytes = get_u64(port, "port_id", &p->have_bytes);
		}
	}
	json_object_put(root);
	dp->up = true;
	/* /twinpath/ports has packets only: bytes from DPDK's ethdev
	 * statistics of the same port */
	for (i = 0; i < dp->n_ports; i++) {
		struct metrics_port *p = &dp->port[i];
		char cmd[48];
		bool ok_rx = false, ok_tx = false;

		if (!p->have_bytes) {
			p->rx_bytes = 0;
			continue;
		}
		snprintf(cmd, sizeof(cmd), "/ethdev/stats,%llu",
			 (unsigned long long)p->rx_bytes);
		v = tel_query(fd, cmd, buf, timeout_ms, &root);
		p->rx_bytes = v ? get_u64(v, "ibytes", &ok_rx) : 0;
		p->tx_bytes = v ? get_u64(v, "obytes", &ok_tx) : 0;
		p->have_bytes = ok_rx && ok_tx;
		json_object_put(root);
	}
	/* which links the data plane may forward over: a link with BFD
	 * only while its live bit is set (health.h) */
	v = tel_query(fd, "/twinpath/bfd", buf, timeout_ms, &root);
	for (i = 0; v != NULL && i < dp->n_ports; i++) {
		struct metrics_port *p = &dp->port[i];
		json_object *b;

		if (json_object_object_get_ex(v, p->name, &b) &&
		    json_object_is_type(b, json_type_object) &&
		    get_u64(b, "enabled", NULL) != 0) {
			p->bfd = true;
			p->bfd_live = get_u64(b, "live", NULL) != 0;
			bfd_suspect(p, b);
		}
	}
	json_object_put(root);
	return 0;
}

int metrics_dp_read(const char *path, unsigned int timeout_ms,
		    struct metrics_dp *dp)
{
	json_object *root, *v;
	char *buf;
	int fd, rc;

	memset(dp, 0, sizeof(*dp));
	buf = malloc(TEL_BUF);
	if (buf == NULL)
		return -ENOMEM;
	fd = metrics_tel_open(path, timeout_ms);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	rc = metrics_dp_ports(fd, timeout_ms, dp, buf);
	if (rc < 0)
		goto out;
	v = tel_query(fd, "/twinpath/drops", buf, timeout_ms, &root);
	if (v != NULL) {
		json_object_object_foreach(v, reason, cnt) {
			struct metrics_drop *d;

			if (dp->n_drops == METRICS_MAX_DROPS ||
			    !json_object_is_type(cnt, json_type_int))
				continue;
			d = &dp->drop[dp->n_drops++];
			snprintf(d->reason, sizeof(d->reason), "%s", reason);
			d->count = json_object_get_uint64(cnt);
		}
	}
	json_object_put(root);
	v = tel_query(fd, "/twinpath/fib", buf, timeout_ms, &root);
	if (v != NULL) {
		dp->have_fib = true;
		dp->fib_generation = get_u64(v, "generation", NULL);
		dp->fib_routes = get_u64(v, "routes", NULL);
		dp->fib_groups = get_u64(v, "groups", NULL);
		dp->fib_nexthops = get_u64(v, "nexthops", NULL);
		dp->fib_records_failed = get_u64(v, "records_failed", NULL);
		dp->fib_bulk_pending = get_u64(v, "bulk_pending", NULL);
		dp->fib_bulk_flushes = get_u64(v, "bulk_flushes", NULL);
		dp->fib_bulk_written = get_u64(v, "bulk_written", NULL);
		dp->fib_bulk_failed = get_u64(v, "bulk_failed", NULL);
		dp->fib_lookups_retried =
			get_u64(v, "lookups_retried", NULL);
	}
	json_object_put(root);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* ---- HTTP (libmicrohttpd, MHD_USE_INTERNAL_POLLING_THREAD) ---- */

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code,
			     const char *type, char *body, size_t len,
			     bool allow_get)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow_get)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET");
	ret = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text_reply(struct MHD_Connection *conn,
				  unsigned int code, const char *msg,
				  bool allow_get)
{
	char *body = strdup(msg);

	if (body == NULL)
		return MHD_NO;
	return reply(conn, code, "text/plain; charset=utf-8", body,
		     strlen(body), allow_get);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **con_cls)
{
	struct metrics *m = cls;
	static struct metrics_ctl ctl; /* HTTP thread only; large */
	static struct metrics_dp dp;
	char *body = NULL;
	size_t len = 0;
	FILE *f;

	(void)version;
	(void)upload;
	/* RFC 9110 §15.5.5: 404 for anything but /metrics; §15.5.6: 405
	 * with Allow for another method there. A body is not read. */
	if (*con_cls == NULL) {
		*con_cls = m;
		if (strcmp(url, "/metrics") == 0 &&
		    (strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		     strcmp(method, MHD_HTTP_METHOD_HEAD) == 0))
			return MHD_YES;
	}
	*upload_len = 0;
	if (strcmp(url, "/metrics") != 0)
		return text_reply(conn, MHD_HTTP_NOT_FOUND, "not found: only "
				  "/metrics is served\n", false);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return text_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "method not allowed: GET /metrics\n", true);
	/* the data plane first, without the lock: the main loop never
	 * waits on a slow telemetry answer */
	metrics_dp_read(m->tel_path, TEL_TIMEOUT_MS, &dp);
	pthread_mutex_lock(&m->lock);
	ctl = m->ctl;
	pthread_mutex_unlock(&m->lock);
	if (m->mon != NULL)
		monitor_get(m->mon, &ctl.mon);
	m->scrapes++;
	f = open_memstream(&body, &len);
	if (f == NULL)
		return MHD_NO;
	metrics_render(&ctl, &dp, f);
	if (fclose(f) != 0) {
		free(body);
		return MHD_NO;
	}
	return reply(conn, MHD_HTTP_OK, CONTENT_TYPE, body, len, false);
}

int metrics_start(struct metrics *m, const struct twp_config *cfg,
		  struct monitor *mon)
{
	const struct cfg_addr *a = &cfg->control.metrics_addr;
	struct sockaddr_storage ss = {0};
	int rc;

	memset(m, 0, sizeof(*m));
	m->mon = mon;
	rc = pthread_mutex_init(&m->lock, NULL);
	if (rc != 0)
		return -rc;
	m->lock_init = true;
	snprintf(m->tel_path, sizeof(m->tel_path),
		 "/var/run/dpdk/twinpath-%s/dpdk_telemetry.v2", cfg->instance);
	if (a->family == 0)
		return 0;
	if (a->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(cfg->control.metrics_port);
		memcpy(&s4->sin_addr, a->addr, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(cfg->control.metrics_port);
		memcpy(&s6->sin6_addr, a->addr, 16);
	}
	m->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				  MHD_USE_ERROR_LOG |
				  (a->family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  cfg->control.metrics_port, NULL, NULL,
				  on_request, m,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_LIMIT, 8u,
				  MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_END);
	if (m->mhd == NULL) {
		rc = errno ? -errno : -EADDRINUSE;
		metrics_stop(m);
		return rc;
	}
	return 0;
}

void metrics_publish(struct metrics *m, const struct metrics_ctl *ctl)
{
	pthread_mutex_lock(&m->lock);
	m->ctl = *ctl;
	pthread_mutex_unlock(&m->lock);
}

void metrics_stop(struct metrics *m)
{
	if (m->mhd != NULL)
		MHD_stop_daemon(m->mhd); /* joins its thread */
	m->mhd = NULL;
	if (m->lock_init)
		pthread_mutex_destroy(&m->lock);
	m->lock_init = false;
}
