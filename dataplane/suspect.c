/* Link suspicion (see suspect.h): the evidence of each link from its
 * counters and the health map, the two-stage decision and its dampening.
 * Main lcore only. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "suspect.h"

#define MS 1000000ull

void suspect_init(struct suspect *s, unsigned int n_links,
		  const struct cfg_suspect *params)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->n_links = n_links < SUSPECT_MAX_LINKS ? n_links : SUSPECT_MAX_LINKS;
	for (i = 0; i < s->n_links; i++)
		s->link[i].p = params[i];
}

const char *suspect_state_name(enum suspect_state st)
{
	switch (st) {
	case SUSPECT_CLEAR:
		return "clear";
	case SUSPECT_ON:
		return "suspect";
	case SUSPECT_HOLD:
		return "hold";
	}
	return "?";
}

const char *suspect_ev_names(uint32_t ev, char *buf, unsigned int len)
{
	static const char *const names[] = {
		"silence", "unanswered", "distress", "bfd_late",
	};
	unsigned int i, off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int n;

		if (!(ev & (1u << i)))
			continue;
		n = snprintf(buf + off, len - off, "%s%s", off ? "," : "",
			     names[i]);
		if (n < 0 || (unsigned int)n >= len - off)
			break;
		off += (unsigned int)n;
	}
	if (off == 0)
		snprintf(buf, len, "-");
	return buf;
}

/* Two kinds must agree. Silence with distress alone is what congestion
 * looks like (some packets lost both ways): it needs a third. */
bool suspect_agree(uint32_t ev)
{
	if (ev == (SUSPECT_EV_SILENCE | SUSPECT_EV_DISTRESS))
		return false;
	return __builtin_popcount(ev) >= 2;
}

/* Forget the bins older than SUSPECT_BINS seconds before NOW. */
static void bins_advance(struct suspect_link *l, uint64_t now_ns)
{
	uint64_t epoch = now_ns / SUSPECT_BIN_NS, e;

	if (epoch <= l->bin_epoch)
		return;
	if (epoch - l->bin_epoch >= SUSPECT_BINS) {
		memset(l->gap_max_ns, 0, sizeof(l->gap_max_ns));
	} else {
		for (e = l->bin_epoch + 1; e <= epoch; e++)
			l->gap_max_ns[e % SUSPECT_BINS] = 0;
	}
	l->bin_epoch = epoch;
}

uint64_t suspect_window_ns(const struct suspect_link *l)
{
	uint64_t w = (uint64_t)l->p.silence_min_ms * MS, q = 0, mean3;
	unsigned int i;

	if (l->rate_pps <= 0)
		return UINT64_MAX;
	for (i = 0; i < SUSPECT_BINS; i++)
		if (l->gap_max_ns[i] > q)
			q = l->gap_max_ns[i];
	if (q * l->p.silence_mult > w)
		w = q * l->p.silence_mult;
	/* three mean gaps: at 1 kpps 3 ms, at 100 pps 30 ms */
	mean3 = (uint64_t)(3e9 / l->rate_pps);
	return mean3 > w ? mean3 : w;
}

/* The link's traffic at this tick: rate, gaps, and the other links'
 * packets when it last had some (for the reroute guard). */
static void traffic_update(struct suspect_link *l, uint64_t rx_total,
			   uint64_t others, uint64_t now_ns)
{
	uint64_t drx, dt;
	double a;

	bins_advance(l, now_ns);
	if (!l->seen) {
		l->seen = true;
		l->rx_last = rx_total;
		l->last_tick_ns = now_ns;
		l->last_rx_ns = now_ns;
		l->others_at_last_rx = others;
		return;
	}
	dt = now_ns > l->last_tick_ns ? now_ns - l->last_tick_ns : 0;
	drx = rx_total - l->rx_last;
	if (dt > 0) {
		a = 1.0 - exp(-(double)dt / (double)SUSPECT_RATE_TAU_NS);
		l->rate_pps += a * ((double)drx * 1e9 / (double)dt -
				    l->rate_pps);
	}
	if (drx > 0) {
		uint64_t gap = now_ns - l->last_rx_ns;
		uint64_t *bin = &l->gap_max_ns[l->bin_epoch % SUSPECT_BINS];

		if (gap > *bin)
			*bin = gap;
		l->last_rx_ns = now_ns;
		l->others_at_last_rx = others;
	}
	l->rx_last = rx_total;
	l->last_tick_ns = now_ns;
}

static double ratio_cap(double r)
{
	return r < SUSPECT_RATIO_CAP ? r : SUSPECT_RATIO_CAP;
}

/* RFC 5880 §6.8.7: the peer sends at 75-100 % of its interval, so a
 * packet one whole interval overdue (older than twice the interval) is
 * late by more than any jitter. As a ratio: the age over the first late
 * age, 2 x interval + 1 ns, so that ratio >= 1 is exactly "late". */
static double bfd_late_ratio(const struct suspect_obs *o, uint64_t now_ns)
{
	uint64_t limit = 2ull * o->bfd_interval_us * 1000u;

	if (!o->bfd_up || o->bfd_interval_us == 0 ||
	    now_ns <= o->bfd_last_rx_ns)
		return 0;
	return ratio_cap((double)(now_ns - o->bfd_last_rx_ns) /
			 (double)(limit + 1));
}

static bool bfd_late(const struct suspect_obs *o, uint64_t now_ns)
{
	return bfd_late_ratio(o, now_ns) >= 1.0;
}

/* Silence: nothing for the link's window while it had enough traffic,
 * and the others did not gain what it lost (a provider moving its
 * return path to the twin is not a failure). OTHERS_RATE is their rate,
 * OTHERS their packets so far. As a ratio: the quiet time over the
 * window while both guards hold, 0 otherwise. Times are below 2^53 ns,
 * exact in a double, so ratio >= 1 is exactly quiet >= window. */
static double silence_ratio(const struct suspect_link *l, uint64_t others,
			    double others_rate, uint64_t now_ns)
{
	uint64_t w = suspect_window_ns(l), quiet = now_ns - l->last_rx_ns;
	double quiet_s, gained;

	if (l->rate_pps < l->p.min_pps || w == UINT64_MAX)
		return 0;
	quiet_s = (double)quiet / 1e9;
	gained = (double)(others - l->others_at_last_rx) - others_rate * quiet_s;
	if (!(gained < 0.5 * l->rate_pps * quiet_s))
		return 0;
	return ratio_cap((double)quiet / (double)w);
}

/* Flows of a kind: raised at min_flows flows towards two remote
 * addresses at least (a dead remote host is one address) that are at
 * least SUSPECT_FLOW_SHARE of their POPULATION (5 % loss leaves most
 * flows answered). min_flows is at least 2 (config.c). */
static double flows_ratio(uint32_t flows, uint32_t remotes,
			  uint32_t population, uint32_t min_flows)
{
	double a = (double)flows / (double)min_flows, b = remotes / 2.0, c;

	if (population < flows)
		population = flows;
	c = population == 0 ? 0 :
	    (double)flows / ((double)population * SUSPECT_FLOW_SHARE);
	if (b < a)
		a = b;
	return ratio_cap(c < a ? c : a);
}

/* The ratio of every kind into L->ratio, and the kinds raised (ratio
 * >= 1). */
static uint32_t evidence(struct suspect_link *l, const struct suspect_obs *o,
			 uint64_t others, double others_rate, uint64_t now_ns)
{
	uint32_t ev = 0;
	unsigned int k;

	l->ratio[0] = silence_ratio(l, others, others_rate, now_ns);
	l->ratio[1] = flows_ratio(o->unanswered, o->unanswered_remotes,
				  o->twoway_flows,
				  l->p.min_flows);
	l->ratio[2] = flows_ratio(o->distress, o->distress_remotes,
				  o->tcp_flows,
				  l->p.min_flows);
	l->ratio[3] = bfd_late_ratio(o, now_ns);
	for (k = 0; k < SUSPECT_KINDS; k++)
		if (l->ratio[k] >= 1.0)
			ev |= 1u << k;
	return ev;
}

double suspect_score(const double *ratio, uint32_t *pair)
{
	double best = 0;
	unsigned int a, b;

	*pair = 0;
	for (a = 0; a < SUSPECT_KINDS; a++)
		for (b = a + 1; b < SUSPECT_KINDS; b++) {
			double m = ratio[a] < ratio[b] ? ratio[a] : ratio[b];

			if (!suspect_agree(1u << a | 1u << b) || m <= best)
				continue;
			best = m;
			*pair = 1u << a | 1u << b;
		}
	return best;
}

/* The score of L now, and its peaks while the rule could act on it. */
static void closeness(struct suspect_link *l, const struct suspect_obs *o,
		      uint64_t now_ns)
{
	uint32_t pair;
	unsigned int k;

	l->score = suspect_score(l->ratio, &pair);
	if (!l->p.enabled || !o->live || !o->bfd_up)
		return;
	if (l->score > l->peak_score) {
		l->peak_score = l->score;
		l->peak_pair = pair;
		l->peak_ns = now_ns;
	}
	for (k = 0; k < SUSPECT_KINDS; k++)
		if (l->ratio[k] > l->ratio_peak[k])
			l->ratio_peak[k] = l->ratio[k];
}

/* Is link J alive by its own measure, to take another link's flows:
 * usable, not suspected, and either receiving by its own rate or its
 * BFD fresh (an idle standby link receives nothing but BFD, which XDP
 * answers). */
static bool alive(const struct suspect_link *j, const struct suspect_obs *o,
		  uint64_t now_ns)
{
	if (!o->live || j->state != SUSPECT_CLEAR)
		return false;
	if (j->rate_pps >= j->p.min_pps &&
	    now_ns - j->last_rx_ns < suspect_window_ns(j))
		return true;
	return o->bfd_up && !bfd_late(o, now_ns);
}

static void suspect_start(struct suspect_link *l, uint32_t ev,
			  uint64_t now_ns)
{
	uint64_t decay = (uint64_t)l->p.decay_s * 1000 * MS, hold;

	/* dampening: a repeat within decay_s doubles the hold-down, every
	 * decay_s without one halves it back */
	if (l->last_suspect_ns != 0 && decay != 0) {
		uint64_t quiet = (now_ns - l->last_suspect_ns) / decay;

		if (quiet == 0)
			l->repeats = l->repeats < 31 ? l->repeats + 1 : 31;
		else
			l->repeats = quiet >= l->repeats ?
				0 : l->repeats - (uint32_t)quiet;
	}
	hold = (uint64_t)l->p.hold_ms * MS << l->repeats;
	if (hold > (uint64_t)l->p.hold_max_ms * MS || l->repeats >= 31)
		hold = (uint64_t)l->p.hold_max_ms * MS;
	l->hold_ns = hold;
	l->state = SUSPECT_ON;
	l->raised_by = ev;
	l->since_ns = now_ns;
	l->last_suspect_ns = now_ns;
	l->suspicions++;
}

/* Proved alive: BFD stayed Up with fresh packets for a whole detection
 * time since the suspicion (had our packets stopped reaching the peer,
 * its detection would have fired and told us Down), and nothing agrees
 * on a failure any more. */
static bool proved_alive(const struct suspect_link *l,
			 const struct suspect_obs *o, uint64_t now_ns)
{
	return o->bfd_up && !bfd_late(o, now_ns) &&
	       o->bfd_last_rx_ns > l->since_ns &&
	       now_ns - l->since_ns >= (uint64_t)o->bfd_detect_us * 1000u &&
	       !suspect_agree(l->evidence);
}

uint32_t suspect_tick(struct suspect *s, const struct suspect_obs *obs,
		      bool fwd_alive, uint64_t now_ns)
{
	uint64_t total = 0;
	double total_rate = 0;
	unsigned int i, j;
	uint32_t mask = 0;

	/* a hole in our own ticks: what arrived in it, and what it
	 * answered, is not seen yet */
	if (s->last_tick_ns != 0 && now_ns - s->last_tick_ns >
				    SUSPECT_TICK_GAP_NS) {
		s->stale_until_ns = now_ns + SUSPECT_STALE_NS;
		s->late_ticks++;
	}
	s->last_tick_ns = now_ns;
	if (now_ns < s->stale_until_ns)
		fwd_alive = false;
	for (i = 0; i < s->n_links; i++)
		total += obs[i].rx_total;
	for (i = 0; i < s->n_links; i++) {
		struct suspect_link *l = &s->link[i];

		traffic_update(l, obs[i].rx_total, total - obs[i].rx_total,
			       now_ns);
		total_rate += l->rate_pps;
	}
	for (i = 0; i < s->n_links; i++) {
		struct suspect_link *l = &s->link[i];

		l->evidence = evidence(l, &obs[i], total - obs[i].rx_total,
				       total_rate - l->rate_pps, now_ns);
		closeness(l, &obs[i], now_ns);
	}
	for (i = 0; i < s->n_links; i++) {
		struct suspect_link *l = &s->link[i];
		const struct suspect_obs *o = &obs[i];
		bool twin = false;

		if (!l->p.enabled)
			continue;
		if (l->state != SUSPECT_CLEAR && !o->live) {
			/* BFD (or carrier) took the link away: the live mask
			 * rules now; BFD Down confirms the suspicion */
			if (!o->bfd_up)
				l->confirmed++;
			l->state = SUSPECT_CLEAR;
			l->since_ns = now_ns;
		}
		switch (l->state) {
		case SUSPECT_CLEAR:
			if (!o->live || !o->bfd_up ||
			    !suspect_agree(l->evidence)) {
				l->abstaining = false;
				break;
			}
			for (j = 0; j < s->n_links && !twin; j++)
				twin = j != i && alive(&s->link[j], &obs[j],
						       now_ns);
			if (fwd_alive && twin) {
				suspect_start(l, l->evidence, now_ns);
				l->abstaining = false;
			} else if (!l->abstaining) {
				l->abstaining = true;
				l->abstained++;
			}
			break;
		case SUSPECT_ON:
			if (proved_alive(l, o, now_ns)) {
				l->state = SUSPECT_HOLD;
				l->alive_since_ns = now_ns;
			}
			break;
		case SUSPECT_HOLD:
			if (suspect_agree(l->evidence)) {
				suspect_start(l, l->evidence, now_ns);
			} else if (now_ns - l->alive_since_ns >= l->hold_ns) {
				l->state = SUSPECT_CLEAR;
				l->since_ns = now_ns;
				l->cleared++;
			}
			break;
		}
		if (l->state != SUSPECT_CLEAR)
			mask |= 1u << i;
	}
	s->mask = mask;
	return mask;
}
