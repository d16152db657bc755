/* twinpathd's link monitor (see monitor.h): rates, utilisation and
 * imbalance from the data plane's counters, threshold events, the thread
 * that reads them and `twinpathctl show links`. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "monitor.h"

#define MON_TEL_TIMEOUT_MS 500

static const char *const dir_name[MON_DIRS] = {"rx", "tx"};

/* ---- pure functions ---- */

int mon_rates(const struct mon_counters *a, const struct mon_counters *b,
	      uint64_t dt_ns, struct mon_link *l)
{
	unsigned int d;

	if (!a->known || !b->known || dt_ns == 0)
		return -ENODATA;
	for (d = 0; d < MON_DIRS; d++)
		if (b->bytes[d] < a->bytes[d] || b->packets[d] < a->packets[d])
			return -ERANGE;
	for (d = 0; d < MON_DIRS; d++) {
		l->bps[d] = (double)(b->bytes[d] - a->bytes[d]) * 8e9 /
			    (double)dt_ns;
		l->pps[d] = (double)(b->packets[d] - a->packets[d]) * 1e9 /
			    (double)dt_ns;
	}
	return 0;
}

enum mon_why mon_imbalance(const double *rate_bps,
			   const uint32_t *capacity_mbps, const bool *usable,
			   unsigned int n, double min_bps,
			   struct mon_imbalance *out)
{
	double total = 0, cap = 0;
	unsigned int i, k = 0;
	bool by_capacity = true;

	out->known = false;
	for (i = 0; i < n; i++) {
		if (!usable[i])
			continue;
		k++;
		total += rate_bps[i];
		cap += capacity_mbps[i];
		if (capacity_mbps[i] == 0)
			by_capacity = false;
	}
	out->total_bps = total;
	if (k < 2)
		return MON_IMB_FEW_LINKS;
	/* an idle or nearly idle set of links is not unbalanced: a few
	 * packets are bound to land on one link */
	if (total < min_bps || total <= 0)
		return MON_IMB_IDLE;
	out->value = -1;
	for (i = 0; i < n; i++) {
		double share, expected, dev;

		if (!usable[i])
			continue;
		share = rate_bps[i] / total;
		expected = by_capacity ? capacity_mbps[i] / cap : 1.0 / k;
		dev = fabs(share - expected);
		if (dev > out->value) {
			out->value = dev;
			out->link = i;
			out->share = share;
			out->expected = expected;
		}
	}
	out->known = true;
	return MON_IMB_OK;
}

enum mon_event mon_alarm(bool *raised, bool above)
{
	bool was = *raised;

	*raised = above;
	if (above && !was)
		return MON_EV_RAISED;
	if (!above && was)
		return MON_EV_CLEARED;
	return MON_EV_NONE;
}

static void emit(mon_log_fn log, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void emit(mon_log_fn log, void *arg, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	log(arg, line);
}

static void utilisation_step(const struct twp_config *cfg, unsigned int i,
			     struct mon_link *l, mon_log_fn log, void *arg)
{
	const double warn = cfg->monitor.utilisation_warn;
	unsigned int d;

	for (d = 0; d < MON_DIRS; d++) {
		enum mon_event ev;

		l->util[d] = l->bps[d] / ((double)l->capacity_mbps * 1e6);
		ev = mon_alarm(&l->util_warn[d], l->util[d] >= warn);
		if (ev == MON_EV_NONE)
			continue;
		emit(log, arg, "monitor: link '%s' %s utilisation %.3f %s "
		     "utilisation_warn %g%s (%.3f of %u Mbit/s)",
		     cfg->links[i].name, dir_name[d], l->util[d],
		     ev == MON_EV_RAISED ? "reached" : "below", warn,
		     ev == MON_EV_RAISED ? "" : " again", l->bps[d] / 1e6,
		     l->capacity_mbps);
	}
}

static void imbalance_step(const struct twp_config *cfg,
			   struct mon_result *res, unsigned int d,
			   mon_log_fn log, void *arg)
{
	const double warn = cfg->monitor.imbalance_warn;
	const double min_bps = cfg->monitor.imbalance_min_mbps * 1e6;
	struct mon_imbalance *m = &res->imb[d];
	double rate[CFG_MAX_LINKS];
	uint32_t cap[CFG_MAX_LINKS];
	bool usable[CFG_MAX_LINKS];
	enum mon_why why;
	unsigned int i;

	for (i = 0; i < res->n_links; i++) {
		rate[i] = res->link[i].bps[d];
		cap[i] = res->link[i].capacity_mbps;
		usable[i] = res->link[i].usable;
	}
	why = mon_imbalance(rate, cap, usable, res->n_links, min_bps, m);
	switch (mon_alarm(&m->warn, why == MON_IMB_OK && m->value >= warn)) {
	case MON_EV_RAISED:
		emit(log, arg, "monitor: %s imbalance %.3f reached "
		     "imbalance_warn %g: link '%s' carries %.3f of %.3f "
		     "Mbit/s, its expected share %.3f", dir_name[d], m->value,
		     warn, cfg->links[m->link].name, m->share,
		     m->total_bps / 1e6, m->expected);
		break;
	case MON_EV_CLEARED:
		if (why == MON_IMB_OK)
			emit(log, arg, "monitor: %s imbalance %.3f below "
			     "imbalance_warn %g again", dir_name[d], m->value,
			     warn);
		else if (why == MON_IMB_IDLE)
			emit(log, arg, "monitor: %s imbalance cleared: the "
			     "links carry %.3f Mbit/s, below "
			     "imbalance_min_mbps %u", dir_name[d],
			     m->total_bps / 1e6,
			     cfg->monitor.imbalance_min_mbps);
		else
			emit(log, arg, "monitor: %s imbalance cleared: fewer "
			     "than two links usable", dir_name[d]);
		break;
	case MON_EV_NONE:
		break;
	}
}

void mon_step(const struct twp_config *cfg, const struct mon_sample *prev,
	      const struct mon_sample *cur, struct mon_result *res,
	      mon_log_fn log, void *arg)
{
	unsigned int i, d;
	bool all = prev != NULL;

	res->n_links = cfg->n_links;
	res->active_active = cfg->mode == CFG_MODE_ACTIVE_ACTIVE;
	for (i = 0; i < cfg->n_links; i++) {
		struct mon_link *l = &res->link[i];

		l->capacity_mbps = cfg->links[i].capacity_mbps;
		l->usable = cur->link[i].usable;
		l->suspect = cur->link[i].suspect;
		l->known = prev != NULL &&
			   mon_rates(&prev->link[i], &cur->link[i],
				     cur->t_ns - prev->t_ns, l) == 0;
		if (!l->known)
			all = false;
	}
	/* a link whose counters are unknown (the data plane gone or
	 * restarted) leaves every threshold as it was: no evidence either
	 * way */
	if (!all) {
		for (i = 0; i < cfg->n_links; i++)
			res->link[i].known = false;
		for (d = 0; d < MON_DIRS; d++)
			res->imb[d].known = false;
		return;
	}
	res->known = true;
	res->window_s = (double)(cur->t_ns - prev->t_ns) / 1e9;
	for (i = 0; i < cfg->n_links; i++)
		if (res->link[i].capacity_mbps != 0)
			utilisation_step(cfg, i, &res->link[i], log, arg);
	if (res->active_active)
		for (d = 0; d < MON_DIRS; d++)
			imbalance_step(cfg, res, d, log, arg);
}

/* ---- the thread ---- */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void to_log(void *arg, const char *line)
{
	(void)arg;
	log_msg("%s", line);
}

/* One reading of the data plane's port counters into DP (FD is the
 * telemetry socket, -1: connect first; closed on a failure so the next
 * reading reconnects). Without the lock: it may wait on the socket.
 * false when nothing was read. */
static bool read_ports(struct monitor *m, int *fd, char *buf,
		       struct metrics_dp *dp)
{
	memset(dp, 0, sizeof(*dp));
	if (*fd < 0)
		*fd = metrics_tel_open(m->tel_path, MON_TEL_TIMEOUT_MS);
	if (*fd < 0)
		return false;
	if (metrics_dp_ports(*fd, MON_TEL_TIMEOUT_MS, dp, buf) < 0) {
		close(*fd);
		*fd = -1;
		return false;
	}
	return true;
}

/* CFG's links in DP's ports (read at T_NS) into S. Under the lock. */
static void fill_sample(const struct twp_config *cfg,
			const struct metrics_dp *dp, bool ok, uint64_t t_ns,
			struct mon_sample *s)
{
	unsigned int i, k;

	memset(s, 0, sizeof(*s));
	s->t_ns = t_ns;
	if (!ok)
		return;
	for (i = 0; i < cfg->n_links; i++) {
		struct mon_counters *c = &s->link[i];

		for (k = 0; k < dp->n_ports; k++) {
			const struct metrics_port *p = &dp->port[k];

			if (strcmp(p->name, cfg->links[i].name) != 0 ||
			    !p->have_bytes)
				continue;
			c->known = true;
			c->bytes[MON_RX] = p->rx_bytes;
			c->bytes[MON_TX] = p->tx_bytes;
			c->packets[MON_RX] = p->rx_packets;
			c->packets[MON_TX] = p->tx_packets;
			c->usable = p->link_up && (!p->bfd || p->bfd_live) &&
				    p->suspect_state == 0;
			c->suspect.known = p->suspect;
			c->suspect.state = (uint8_t)p->suspect_state;
			snprintf(c->suspect.raised_by,
				 sizeof(c->suspect.raised_by), "%s",
				 p->suspect_raised_by);
			c->suspect.suspicions = p->suspicions;
			c->suspect.confirmed = p->suspect_confirmed;
			c->suspect.cleared = p->suspect_cleared;
			c->suspect.abstained = p->suspect_abstained;
			c->suspect.peak_score_milli =
				p->suspect_peak_score_milli;
			snprintf(c->suspect.peak_pair,
				 sizeof(c->suspect.peak_pair), "%s",
				 p->suspect_peak_pair);
		}
	}
}

static void *monitor_main(void *arg)
{
	struct monitor *m = arg;
	uint64_t interval;
	static struct mon_sample sample[2]; /* one monitor per process */
	static struct metrics_dp dp;
	struct mon_result res;
	struct timespec until;
	unsigned int cur = 0;
	bool have_prev = false;
	uint64_t next;
	char *buf = malloc(METRICS_TEL_BUF);
	int fd = -1;

	if (buf == NULL) {
		log_msg("monitor: out of memory: no link rates");
		return NULL;
	}
	pthread_mutex_lock(&m->lock);
	res = m->res;
	pthread_mutex_unlock(&m->lock);
	next = now_ns();
	for (;;) {
		uint64_t t_ns = now_ns();
		bool ok = read_ports(m, &fd, buf, &dp);

		/* the config (capacities, thresholds, interval) only under
		 * the lock: a reload writes it in place */
		pthread_mutex_lock(&m->lock);
		fill_sample(m->cfg, &dp, ok, t_ns, &sample[cur]);
		mon_step(m->cfg, have_prev ? &sample[cur ^ 1] : NULL,
			 &sample[cur], &res, to_log, NULL);
		have_prev = true;
		cur ^= 1;
		m->res = res;
		interval = (uint64_t)m->cfg->monitor.interval_ms * 1000000u;
		/* fixed deadlines: a slow reading does not stretch the
		 * cadence; one that overran skips to the next deadline */
		next += interval;
		if (next < now_ns())
			next = now_ns() + interval;
		until.tv_sec = (time_t)(next / 1000000000u);
		until.tv_nsec = (long)(next % 1000000000u);
		while (!m->stop &&
		       pthread_cond_timedwait(&m->wake, &m->lock, &until) !=
			       ETIMEDOUT)
			;
		if (m->stop) {
			pthread_mutex_unlock(&m->lock);
			break;
		}
		pthread_mutex_unlock(&m->lock);
	}
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

int monitor_start(struct monitor *m, const struct twp_config *cfg)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	unsigned int i;
	int rc;

	memset(m, 0, sizeof(*m));
	m->cfg = cfg;
	snprintf(m->tel_path, sizeof(m->tel_path),
		 "/var/run/dpdk/twinpath-%s/dpdk_telemetry.v2", cfg->instance);
	m->res.n_links = cfg->n_links;
	m->res.active_active = cfg->mode == CFG_MODE_ACTIVE_ACTIVE;
	for (i = 0; i < cfg->n_links; i++)
		m->res.link[i].capacity_mbps = cfg->links[i].capacity_mbps;
	rc = pthread_mutex_init(&m->lock, NULL);
	if (rc != 0)
		return -rc;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	rc = pthread_cond_init(&m->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (rc != 0) {
		pthread_mutex_destroy(&m->lock);
		return -rc;
	}
	/* the thread inherits a mask without signals: SIGTERM and SIGINT
	 * reach the main loop, which stops us */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&m->thread, NULL, monitor_main, m);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&m->wake);
		pthread_mutex_destroy(&m->lock);
		return -rc;
	}
	m->running = true;
	return 0;
}

void monitor_get(struct monitor *m, struct mon_result *out)
{
	if (!m->running) {
		memset(out, 0, sizeof(*out));
		return;
	}
	pthread_mutex_lock(&m->lock);
	*out = m->res;
	pthread_mutex_unlock(&m->lock);
}

void monitor_stop(struct monitor *m)
{
	if (!m->running)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = true;
	pthread_cond_signal(&m->wake);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->lock);
	m->running = false;
}

void monitor_cfg_lock(struct monitor *m)
{
	if (m != NULL && m->running)
		pthread_mutex_lock(&m->lock);
}

void monitor_cfg_unlock(struct monitor *m)
{
	if (m != NULL && m->running)
		pthread_mutex_unlock(&m->lock);
}

/* ---- twinpathctl show links ---- */

/* One link's row: the JSON object in bits and packets a second, the text
 * columns in Mbit/s and percent. */
/* A link's suspicion (suspect { } only): its own line in text. */
static void render_suspect(const struct mon_suspect *s, struct render *r)
{
	static const char *const state[] = {"clear", "suspected", "hold"};

	if (!s->known)
		return;
	render_obj(r, "suspect");
	render_text(r, "%-12s suspect: ", "");
	render_s(r, "state", "%s", state[s->state < 3 ? s->state : 0]);
	if (s->state == 1)
		render_s(r, "raised_by", " (%s): its flows are on the other "
			 "links", s->raised_by);
	else if (s->state == 2)
		render_s(r, "raised_by", " (%s): BFD proved it alive, flows "
			 "return after the hold-down", s->raised_by);
	else
		render_js(r, "raised_by", s->raised_by);
	render_u(r, "suspicions", "; %llu suspicions",
		 (unsigned long long)s->suspicions);
	render_u(r, "confirmed", ": %llu confirmed by BFD",
		 (unsigned long long)s->confirmed);
	render_u(r, "cleared", ", %llu cleared",
		 (unsigned long long)s->cleared);
	render_u(r, "abstained", ", %llu abstained\n",
		 (unsigned long long)s->abstained);
	/* how close the evidence came since start (1: a suspicion) */
	render_jf(r, "peak_score", 3, s->peak_score_milli / 1000.0);
	render_js(r, "peak_pair", s->peak_pair);
	render_end(r);
}

static void render_link(const struct twp_config *cfg,
			const struct mon_link *l, unsigned int i,
			struct render *r)
{
	char cap[16] = "-";
	unsigned int d;

	if (l->capacity_mbps != 0)
		snprintf(cap, sizeof(cap), "%u M", l->capacity_mbps);
	render_obj(r, NULL);
	render_s(r, "name", "%-12s", cfg->links[i].name);
	render_ju(r, "capacity_mbps", l->capacity_mbps);
	render_bool(r, "usable", l->usable, " yes   ", " no    ");
	render_text(r, " %10s", cap);
	for (d = 0; d < MON_DIRS && l->known; d++) {
		char key[32];

		snprintf(key, sizeof(key), "%s_bps", dir_name[d]);
		render_jf(r, key, 0, l->bps[d]);
		snprintf(key, sizeof(key), "%s_pps", dir_name[d]);
		render_jf(r, key, 0, l->pps[d]);
		if (l->capacity_mbps == 0)
			continue;
		snprintf(key, sizeof(key), "%s_utilisation", dir_name[d]);
		render_jf(r, key, 4, l->util[d]);
		snprintf(key, sizeof(key), "%s_utilisation_warn", dir_name[d]);
		render_bool(r, key, l->util_warn[d], NULL, NULL);
	}
	if (!l->known) {
		render_text(r, " %10s %10s %10s %10s %8s %8s\n", "-", "-", "-",
			    "-", "-", "-");
		render_suspect(&l->suspect, r);
		render_end(r);
		return;
	}
	render_text(r, " %10.3f %10.3f %10.0f %10.0f", l->bps[MON_RX] / 1e6,
		    l->bps[MON_TX] / 1e6, l->pps[MON_RX], l->pps[MON_TX]);
	for (d = 0; d < MON_DIRS; d++) {
		char u[16] = "-";

		if (l->capacity_mbps != 0)
			snprintf(u, sizeof(u), "%.1f%%%s", l->util[d] * 100,
				 l->util_warn[d] ? "!" : "");
		render_text(r, " %8s", u);
	}
	render_text(r, "\n");
	render_suspect(&l->suspect, r);
	render_end(r);
}

/* A direction's imbalance (active/active only). */
static void render_imbalance(const struct twp_config *cfg,
			     const struct mon_imbalance *m, unsigned int d,
			     struct render *r)
{
	char key[32];

	snprintf(key, sizeof(key), "%s_imbalance", dir_name[d]);
	render_text(r, "%s imbalance: ", dir_name[d]);
	if (!m->known) {
		render_null(r, key);
		render_text(r, "-\n");
		return;
	}
	render_obj(r, key);
	render_f(r, "value", 4, "%.3f", m->value);
	render_text(r, "%s", m->warn ? " above imbalance_warn" : "");
	render_s(r, "link", " (link '%s'", cfg->links[m->link].name);
	render_f(r, "share", 4, " carries %.3f", m->share);
	render_text(r, " of %.3f Mbit/s", m->total_bps / 1e6);
	render_f(r, "expected", 4, ", expected %.3f)\n", m->expected);
	render_jf(r, "total_bps", 0, m->total_bps);
	render_bool(r, "warn", m->warn, NULL, NULL);
	render_end(r);
}

void monitor_render(const struct twp_config *cfg, const struct mon_result *res,
		    struct render *r, const char *key)
{
	unsigned int i, d;

	render_obj(r, key);
	render_bool(r, "known", res->known, NULL, NULL);
	if (res->known) {
		render_f(r, "window_s", 3, "rates over the last %.3f s\n",
			 res->window_s);
	} else {
		render_jf(r, "window_s", 3, 0.0);
		render_text(r, "no rates yet (the data plane's counters are "
			    "read every %.1f s)\n",
			    cfg->monitor.interval_ms / 1e3);
	}
	render_text(r, "%-12s %-6s %10s %10s %10s %10s %10s %8s %8s\n",
		    "link", "usable", "capacity", "rx Mbit/s", "tx Mbit/s",
		    "rx pkt/s", "tx pkt/s", "rx util", "tx util");
	render_arr(r, "links");
	for (i = 0; i < cfg->n_links; i++)
		render_link(cfg, &res->link[i], i, r);
	render_end(r);
	for (d = 0; d < MON_DIRS && res->active_active; d++)
		render_imbalance(cfg, &res->imb[d], d, r);
	render_end(r);
}

void monitor_show(const struct twp_config *cfg, const struct mon_result *res,
		  bool json, FILE *f)
{
	struct render r;

	render_init(&r, f, json);
	monitor_render(cfg, res, &r, NULL);
}

void monitor_cli(struct monitor *m, const struct twp_config *cfg,
		 struct render *r, const char *key)
{
	struct mon_result res;

	monitor_get(m, &res);
	if (!m->running)
		res.n_links = cfg->n_links;
	monitor_render(cfg, &res, r, key);
}
