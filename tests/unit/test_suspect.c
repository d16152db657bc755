/* Link suspicion (dataplane/suspect.c) driven tick by tick with exact
 * times: which evidence each traffic pattern raises, when two kinds
 * agree and the guards let a suspicion through, how it is confirmed or
 * cleared, and how the hold-down grows on repeats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "suspect.h"

#define MS 1000000ull
#define TICK_NS MS
#define T0 (100ull * 1000 * MS)   /* a bin boundary */
#define BFD_US 300000u            /* the AWS / Azure timers: 300 ms x 3 */
#define DETECT_US 900000u

struct bed {
	struct suspect s;
	struct suspect_obs o[3];
	uint32_t every[3];   /* packets every N ticks on link i, 0: none */
	uint32_t per[3];     /* ... this many (1 unless said) */
	bool bfd_alive[3];   /* the peer's BFD packets arrive */
	bool fwd_alive;
	uint64_t now;
	uint64_t ticks;
	uint32_t mask;
};

static void bed_init(struct bed *b, unsigned int n)
{
	struct cfg_suspect p[3];
	unsigned int i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < 3; i++) {
		cfg_suspect_defaults(&p[i]);
		p[i].enabled = true;
	}
	suspect_init(&b->s, n, p);
	b->now = T0;
	b->fwd_alive = true;
	for (i = 0; i < n; i++) {
		b->o[i].live = true;
		b->o[i].bfd_up = true;
		b->o[i].bfd_interval_us = BFD_US;
		b->o[i].bfd_detect_us = DETECT_US;
		b->o[i].bfd_last_rx_ns = T0;
		b->every[i] = 1;
		b->per[i] = 1;
		b->bfd_alive[i] = true;
	}
}

/* N ticks of 1 ms; the mask after the last. */
static uint32_t run(struct bed *b, uint64_t n)
{
	unsigned int i;

	while (n-- > 0) {
		b->now += TICK_NS;
		b->ticks++;
		for (i = 0; i < b->s.n_links; i++) {
			if (b->every[i] != 0 && b->ticks % b->every[i] == 0)
				b->o[i].rx_total += b->per[i];
			if (b->bfd_alive[i] &&
			    b->now - b->o[i].bfd_last_rx_ns >= BFD_US * 1000ull)
				b->o[i].bfd_last_rx_ns = b->now;
		}
		b->mask = suspect_tick(&b->s, b->o, b->fwd_alive, b->now);
	}
	return b->mask;
}

/* Two links at 1 kpps each for 20 s: rates settled, every gap 1 ms. */
static void steady(struct bed *b)
{
	bed_init(b, 2);
	run(b, 20000);
	assert_int_equal(b->mask, 0);
}

/* The silent fault of the failover test: nothing comes in on link 0 and
 * its flows go unanswered. */
static void fail_link0(struct bed *b)
{
	b->every[0] = 0;
	b->bfd_alive[0] = false;
	b->o[0].unanswered = 3;
	b->o[0].unanswered_remotes = 2;
}

static void test_suspect_window_is_the_minimum_for_a_steady_link(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	/* gaps of 1 ms (x4 = 4 ms) and three mean gaps at ~1 kpps (3 ms)
	 * are both below silence_min_ms */
	assert_int_equal(suspect_window_ns(&b.s.link[0]), 10 * MS);
	assert_true(b.s.link[0].rate_pps > 999.0 &&
		    b.s.link[0].rate_pps < 1001.0);
	assert_int_equal(b.s.link[0].evidence, 0);
}

static void test_suspect_window_grows_with_the_links_own_quiet_gaps(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	b.every[0] = 0;
	run(&b, 5000);
	b.every[0] = 1;
	run(&b, 1);
	/* an on/off source that was quiet 5 s (5 001 ms from packet to
	 * packet): its silence means nothing for 4 x that while the gap is
	 * remembered ... */
	assert_int_equal(suspect_window_ns(&b.s.link[0]), 20004 * MS);
	/* ... which is SUSPECT_BINS seconds: the gap ended in the bin of
	 * 125 s, forgotten once the bin of 135 s begins */
	run(&b, 8999);
	assert_int_equal(suspect_window_ns(&b.s.link[0]), 20004 * MS);
	run(&b, 1000);
	assert_int_equal(suspect_window_ns(&b.s.link[0]), 10 * MS);
}

static void test_suspect_silence_and_unanswered_suspect_at_the_window(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	fail_link0(&b);
	assert_int_equal(run(&b, 9), 0);
	assert_int_equal(b.s.link[0].evidence, SUSPECT_EV_UNANSWERED);
	/* the 10th empty tick: 10 ms without a packet */
	assert_int_equal(run(&b, 1), 1u << 0);
	assert_int_equal(b.s.link[0].state, SUSPECT_ON);
	assert_int_equal(b.s.link[0].raised_by,
			 SUSPECT_EV_SILENCE | SUSPECT_EV_UNANSWERED);
	assert_int_equal(b.s.link[0].suspicions, 1);
	assert_int_equal(b.s.link[1].state, SUSPECT_CLEAR);
}

static void test_suspect_bfd_down_confirms(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	fail_link0(&b);
	assert_int_equal(run(&b, 10), 1u << 0);
	run(&b, 880);
	assert_int_equal(b.s.link[0].state, SUSPECT_ON);
	/* BFD's detection fires: the live mask takes over */
	b.o[0].live = false;
	b.o[0].bfd_up = false;
	assert_int_equal(run(&b, 1), 0);
	assert_int_equal(b.s.link[0].state, SUSPECT_CLEAR);
	assert_int_equal(b.s.link[0].confirmed, 1);
	assert_int_equal(b.s.link[0].cleared, 0);
}

static void test_suspect_clears_after_bfd_proves_alive_and_the_hold(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	fail_link0(&b);
	b.bfd_alive[0] = true;   /* a false alarm: the peer keeps talking */
	assert_int_equal(run(&b, 10), 1u << 0);
	b.o[0].unanswered = 0;   /* its flows left it */
	/* a whole detection time of fresh BFD, then the 1 s hold-down */
	assert_int_equal(run(&b, 899), 1u << 0);
	assert_int_equal(b.s.link[0].state, SUSPECT_ON);
	assert_int_equal(run(&b, 1), 1u << 0);
	assert_int_equal(b.s.link[0].state, SUSPECT_HOLD);
	assert_int_equal(run(&b, 999), 1u << 0);
	assert_int_equal(run(&b, 1), 0);
	assert_int_equal(b.s.link[0].state, SUSPECT_CLEAR);
	assert_int_equal(b.s.link[0].cleared, 1);
	assert_int_equal(b.s.link[0].confirmed, 0);
}

static void test_suspect_hold_doubles_on_repeats_and_decays(void **st)
{
	struct bed b;
	int k;

	(void)st;
	steady(&b);
	/* traffic keeps coming in (silence would stretch its own window
	 * with every episode): unanswered flows and retransmissions agree */
	for (k = 0; k < 6; k++) {
		b.o[0].unanswered = 3;
		b.o[0].unanswered_remotes = 2;
		b.o[0].distress = 3;
		b.o[0].distress_remotes = 2;
		assert_int_equal(run(&b, 1), 1u << 0);
		/* 1 s, 2 s, 4 s, 8 s, 16 s, then hold_max_ms */
		assert_int_equal(b.s.link[0].hold_ns,
				 (k < 5 ? 1000ull << k : 30000ull) * MS);
		b.o[0].unanswered = 0;
		b.o[0].distress = 0;
		run(&b, 900 + b.s.link[0].hold_ns / MS - 1);
		assert_int_equal(b.mask, 1u << 0);
		assert_int_equal(run(&b, 1), 0);
	}
	assert_int_equal(b.s.link[0].cleared, 6);
	assert_int_equal(b.s.link[0].repeats, 5);
	/* 130 s without a suspicion: two decay periods, two steps back */
	run(&b, 130000);
	b.o[0].unanswered = 3;
	b.o[0].distress = 3;
	assert_int_equal(run(&b, 1), 1u << 0);
	assert_int_equal(b.s.link[0].repeats, 3);
	assert_int_equal(b.s.link[0].hold_ns, 8000 * MS);
}

static void test_suspect_silence_alone_is_a_source_stopping(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	b.every[0] = 0;   /* one-way traffic that ends, BFD fine */
	assert_int_equal(run(&b, 2000), 0);
	assert_int_equal(b.s.link[0].evidence, SUSPECT_EV_SILENCE);
	assert_int_equal(b.s.link[0].suspicions, 0);
	assert_int_equal(b.s.link[0].abstained, 0);
}

static void test_suspect_silence_and_distress_is_congestion(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	b.every[0] = 0;
	b.o[0].distress = 5;
	b.o[0].distress_remotes = 3;
	assert_int_equal(run(&b, 100), 0);
	assert_int_equal(b.s.link[0].evidence,
			 SUSPECT_EV_SILENCE | SUSPECT_EV_DISTRESS);
	assert_false(suspect_agree(b.s.link[0].evidence));
}

static void test_suspect_unanswered_needs_flows_to_two_remotes(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	fail_link0(&b);
	b.bfd_alive[0] = true;
	b.o[0].unanswered = 40;   /* a remote host that died */
	b.o[0].unanswered_remotes = 1;
	assert_int_equal(run(&b, 100), 0);
	assert_int_equal(b.s.link[0].evidence, SUSPECT_EV_SILENCE);
	b.o[0].unanswered_remotes = 2;
	b.o[0].unanswered = 2;    /* below min_flows */
	assert_int_equal(run(&b, 1), 0);
	b.o[0].unanswered = 3;
	assert_int_equal(run(&b, 1), 1u << 0);
}

/* 5 % random loss on a busy link: a few of its flows wait a
 * retransmission timeout (unanswered) and then retransmit (distress),
 * enough of them towards enough remotes for the counts, but a small
 * share of the link's flows; a dead direction takes them all. */
static void test_suspect_flows_must_be_half_of_the_links(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	b.o[0].twoway_flows = 40;
	b.o[0].tcp_flows = 30;
	b.o[0].unanswered = 6;
	b.o[0].unanswered_remotes = 4;
	b.o[0].distress = 6;
	b.o[0].distress_remotes = 4;
	assert_int_equal(run(&b, 100), 0);
	assert_int_equal(b.s.link[0].evidence, 0);
	/* 6 of 40 two-way flows: 6 / (40 x 0.5) = 0.3; 6 of 30 TCP: 0.4 */
	assert_int_equal((int)(b.s.link[0].ratio[1] * 1000 + 0.5), 300);
	assert_int_equal((int)(b.s.link[0].ratio[2] * 1000 + 0.5), 400);
	/* half of each: both kinds, and they agree */
	b.o[0].unanswered = 19;
	b.o[0].distress = 15;
	assert_int_equal(run(&b, 1), 0);
	assert_int_equal(b.s.link[0].evidence, SUSPECT_EV_DISTRESS);
	b.o[0].unanswered = 20;
	assert_int_equal(run(&b, 1), 1u << 0);
	assert_int_equal(b.s.link[0].raised_by,
			 SUSPECT_EV_UNANSWERED | SUSPECT_EV_DISTRESS);
}

/* A count above its population (the scan never gives one) is the whole
 * population: a test bed that sets no population judges by counts. */
static void test_suspect_flows_without_a_population_count_whole(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	b.o[0].twoway_flows = 2;
	b.o[0].unanswered = 3;
	b.o[0].unanswered_remotes = 2;
	b.o[0].distress = 3;
	b.o[0].distress_remotes = 2;
	assert_int_equal(run(&b, 1), 1u << 0);
	assert_int_equal(b.s.link[0].raised_by,
			 SUSPECT_EV_UNANSWERED | SUSPECT_EV_DISTRESS);
}

static void test_suspect_provider_reroute_is_no_silence(void **st)
{
	struct bed b;

	(void)st;
	bed_init(&b, 2);
	b.every[1] = 4;   /* link 1 at 250 pps, link 0 at 1 kpps */
	run(&b, 20000);
	/* the provider moves link 0's return traffic to link 1 */
	b.every[0] = 0;
	b.per[1] = 5;
	assert_int_equal(run(&b, 50), 0);
	assert_int_equal(b.s.link[0].evidence, 0);
	/* had link 1 gained only a quarter of it, link 0 would be silent */
	bed_init(&b, 2);
	b.every[1] = 4;
	run(&b, 20000);
	b.every[0] = 0;
	b.per[1] = 2;
	assert_int_equal(run(&b, 50), 0);
	assert_int_equal(b.s.link[0].evidence, SUSPECT_EV_SILENCE);
}

static void test_suspect_abstains_without_a_live_twin(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	b.o[1].live = false;
	b.o[1].bfd_up = false;
	b.every[1] = 0;
	fail_link0(&b);
	assert_int_equal(run(&b, 500), 0);
	assert_true(suspect_agree(b.s.link[0].evidence));
	assert_int_equal(b.s.link[0].abstained, 1);
	assert_int_equal(b.s.link[0].suspicions, 0);
}

static void test_suspect_abstains_while_forwarding_stalls(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	fail_link0(&b);
	b.fwd_alive = false;
	assert_int_equal(run(&b, 50), 0);
	assert_int_equal(b.s.link[0].abstained, 1);
	b.fwd_alive = true;
	assert_int_equal(run(&b, 1), 1u << 0);
}

/* The main lcore stopped for 100 ms (a host freeze): the answers held
 * up with it are not sent yet, so nothing new is suspected for
 * SUSPECT_STALE_NS after the late tick. */
static void test_suspect_abstains_after_a_hole_in_its_own_ticks(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	fail_link0(&b);
	b.now += 100 * MS;       /* no tick for 100 ms: this one is 101 late */
	assert_int_equal(run(&b, 1), 0);
	assert_int_equal(b.s.late_ticks, 1);
	assert_int_equal(run(&b, 19), 0);
	assert_int_equal(b.s.link[0].abstained, 1);
	/* 20 ms after the late tick */
	assert_int_equal(run(&b, 1), 1u << 0);
	/* a tick 5 ms after the one before is not late */
	steady(&b);
	b.now += 4 * MS;
	run(&b, 1);
	assert_int_equal(b.s.late_ticks, 0);
}

static void test_suspect_idle_standby_twin_is_alive_by_its_bfd(void **st)
{
	struct bed b;

	(void)st;
	bed_init(&b, 2);
	b.every[1] = 0;   /* active/standby: link 1 carries nothing */
	run(&b, 20000);
	fail_link0(&b);
	assert_int_equal(run(&b, 10), 1u << 0);
	/* and not once its BFD is late too */
	bed_init(&b, 2);
	b.every[1] = 0;
	run(&b, 20000);
	b.bfd_alive[1] = false;
	run(&b, 700);
	fail_link0(&b);
	assert_int_equal(run(&b, 1000), 0);
	assert_int_equal(b.s.link[0].abstained, 1);
}

static void test_suspect_low_rate_link_waits_for_bfd(void **st)
{
	struct bed b;
	uint64_t last_bfd;

	(void)st;
	bed_init(&b, 2);
	b.every[0] = 10;   /* 100 pps: below min_pps */
	run(&b, 20000);
	fail_link0(&b);
	b.o[0].unanswered = 0;
	last_bfd = b.o[0].bfd_last_rx_ns;
	/* BFD late (two intervals since its last packet) with nothing
	 * else is one kind: still no suspicion ... */
	run(&b, (last_bfd + 2 * BFD_US * 1000ull - b.now) / MS + 1);
	assert_int_equal(b.s.link[0].evidence, SUSPECT_EV_BFD_LATE);
	assert_int_equal(b.mask, 0);
}

static void test_suspect_one_way_traffic_suspects_when_bfd_is_late(void **st)
{
	struct bed b;
	uint64_t last_bfd;

	(void)st;
	steady(&b);
	fail_link0(&b);
	b.o[0].unanswered = 0;  /* one-way UDP: no flow is two-way */
	last_bfd = b.o[0].bfd_last_rx_ns;
	/* 600 ms after the peer's last packet, before its 900 ms
	 * detection */
	run(&b, (last_bfd + 2 * BFD_US * 1000ull - b.now) / MS);
	assert_int_equal(b.mask, 0);
	assert_int_equal(run(&b, 1), 1u << 0);
	assert_int_equal(b.s.link[0].raised_by,
			 SUSPECT_EV_SILENCE | SUSPECT_EV_BFD_LATE);
}

static void test_suspect_never_suspects_every_link(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	fail_link0(&b);
	b.every[1] = 0;
	b.bfd_alive[1] = false;
	b.o[1].unanswered = 3;
	b.o[1].unanswered_remotes = 2;
	assert_int_equal(run(&b, 10), 1u << 0);
	assert_int_equal(run(&b, 1000), 1u << 0);
	assert_int_equal(b.s.link[1].abstained, 1);
}

static void test_suspect_disabled_link_is_never_suspected(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	b.s.link[0].p.enabled = false;
	fail_link0(&b);
	assert_int_equal(run(&b, 100), 0);
	assert_int_equal(b.s.link[0].suspicions, 0);
}

/* The first late age of the peer's BFD at BFD_US: twice the interval
 * and 1 ns (suspect.h): bfd_late's ratio is age / this. */
#define LATE_NS (2ull * BFD_US * 1000 + 1)

/* score >= 1 exactly when suspect_agree accepts the kinds at ratio 1:
 * every set of kinds, the others just below 1. */
static void test_suspect_score_is_one_exactly_where_the_rule_agrees(void **st)
{
	uint32_t ev, pair;
	unsigned int k;

	(void)st;
	for (ev = 0; ev < 1u << SUSPECT_KINDS; ev++) {
		double r[SUSPECT_KINDS], score;

		for (k = 0; k < SUSPECT_KINDS; k++)
			r[k] = ev & 1u << k ? 1.0 : 0.999;
		score = suspect_score(r, &pair);
		assert_int_equal(score >= 1.0, suspect_agree(ev));
		if (suspect_agree(ev)) {
			assert_true(score == 1.0);
			assert_true((pair & ev) == pair);
		} else {
			assert_true(score == 0.999);
		}
	}
	/* the smaller of the best accepted pair; silence with distress is
	 * not a pair */
	{
		double r[SUSPECT_KINDS] = {2.0, 0.25, 1.5, 0.5};

		assert_true(suspect_score(r, &pair) == 0.5);
		assert_int_equal(pair, SUSPECT_EV_SILENCE | SUSPECT_EV_BFD_LATE);
	}
}

static void test_suspect_score_of_steady_traffic_is_zero(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	assert_true(b.s.link[0].score == 0.0);
	assert_true(b.s.link[0].peak_score == 0.0);
	assert_int_equal(b.s.link[0].peak_pair, 0);
	assert_int_equal(b.s.link[0].peak_ns, 0);
	/* BFD every 300 ms: its oldest seen at a tick is 299 ms */
	assert_true(b.s.link[0].ratio_peak[3] == 299e6 / (double)LATE_NS);
	assert_true(b.s.link[0].ratio_peak[0] == 0.0);
}

static void test_suspect_score_reaches_one_at_the_suspicion(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	fail_link0(&b);
	/* 9 ms of a 10 ms window, and unanswered flows at min_flows
	 * towards two remotes (ratio 1) */
	assert_int_equal(run(&b, 9), 0);
	assert_true(b.s.link[0].ratio[0] == 0.9);
	assert_true(b.s.link[0].ratio[1] == 1.0);
	assert_true(b.s.link[0].score == 0.9);
	assert_true(b.s.link[0].peak_score == 0.9);
	assert_int_equal(b.s.link[0].peak_pair,
			 SUSPECT_EV_SILENCE | SUSPECT_EV_UNANSWERED);
	assert_int_equal(run(&b, 1), 1u << 0);
	assert_true(b.s.link[0].peak_score == 1.0);
	assert_int_equal(b.s.link[0].peak_ns, b.now);
	/* silence is capped at 2, the pair at its smaller ratio */
	run(&b, 100);
	assert_true(b.s.link[0].ratio[0] == SUSPECT_RATIO_CAP);
	assert_true(b.s.link[0].score == 1.0);
	assert_true(b.s.link[1].peak_score == 0.0);
}

static void test_suspect_score_of_a_dead_remote_host_is_half(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	/* its flows unanswered, all towards one address; the link's
	 * traffic stops too (the worst case), BFD fine */
	b.every[0] = 0;
	b.o[0].unanswered = 40;
	b.o[0].unanswered_remotes = 1;
	assert_int_equal(run(&b, 1000), 0);
	/* min(40 / 3 flows, 1 / 2 remotes) = 0.5; BFD at most 299 ms of
	 * 600 ms + 1 ns stays below it */
	assert_true(b.s.link[0].ratio[1] == 0.5);
	assert_true(b.s.link[0].peak_score == 0.5);
	assert_int_equal(b.s.link[0].peak_pair,
			 SUSPECT_EV_SILENCE | SUSPECT_EV_UNANSWERED);
	assert_int_equal(b.s.link[0].suspicions, 0);
}

static void test_suspect_score_of_congestion_is_bfds(void **st)
{
	struct bed b;
	double bfd;

	(void)st;
	steady(&b);
	b.every[0] = 0;
	b.o[0].distress = 5;
	b.o[0].distress_remotes = 3;
	run(&b, 100);
	/* silence (2) and distress (1.5) are no pair: what is left is
	 * either with BFD's lateness */
	bfd = (double)(b.now - b.o[0].bfd_last_rx_ns) / (double)LATE_NS;
	assert_true(b.s.link[0].ratio[2] == 1.5);
	assert_true(b.s.link[0].score == bfd);
	assert_true(b.s.link[0].score < 1.0);
}

/* BFD's lateness crosses 1 at the first nanosecond past twice the
 * interval, where bfd_late raises it. */
static void test_suspect_score_bfd_late_at_the_nanosecond(void **st)
{
	struct bed b;
	uint64_t last_bfd;

	(void)st;
	steady(&b);
	fail_link0(&b);
	b.o[0].unanswered = 0;
	last_bfd = b.o[0].bfd_last_rx_ns;
	run(&b, (last_bfd + 2 * BFD_US * 1000ull - b.now) / MS);
	assert_int_equal(b.now, last_bfd + 2 * BFD_US * 1000ull);
	assert_int_equal(b.mask, 0);
	assert_true(b.s.link[0].score == (LATE_NS - 1) / (double)LATE_NS);
	assert_int_equal(b.s.link[0].peak_pair,
			 SUSPECT_EV_SILENCE | SUSPECT_EV_BFD_LATE);
	b.now += 1;
	assert_int_equal(suspect_tick(&b.s, b.o, true, b.now), 1u << 0);
	assert_true(b.s.link[0].score == 1.0);
	assert_int_equal(b.s.link[0].peak_ns, b.now);
}

/* A link that is down or without BFD cannot be suspected: its score is
 * kept, its peak not. */
static void test_suspect_peak_only_where_the_rule_could_act(void **st)
{
	struct bed b;

	(void)st;
	steady(&b);
	fail_link0(&b);
	b.o[0].live = false;
	b.o[0].bfd_up = false;
	run(&b, 50);
	assert_true(b.s.link[0].score == 1.0);
	assert_true(b.s.link[0].peak_score == 0.0);
	assert_true(b.s.link[0].ratio_peak[0] == 0.0);
}

static void test_suspect_names(void **st)
{
	char buf[64];

	(void)st;
	assert_string_equal(suspect_ev_names(0, buf, sizeof(buf)), "-");
	assert_string_equal(suspect_ev_names(SUSPECT_EV_SILENCE |
					     SUSPECT_EV_BFD_LATE, buf,
					     sizeof(buf)),
			    "silence,bfd_late");
	assert_string_equal(suspect_state_name(SUSPECT_HOLD), "hold");
	assert_true(suspect_agree(SUSPECT_EV_UNANSWERED | SUSPECT_EV_DISTRESS));
	assert_false(suspect_agree(SUSPECT_EV_BFD_LATE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suspect_window_is_the_minimum_for_a_steady_link),
		cmocka_unit_test(test_suspect_window_grows_with_the_links_own_quiet_gaps),
		cmocka_unit_test(test_suspect_silence_and_unanswered_suspect_at_the_window),
		cmocka_unit_test(test_suspect_bfd_down_confirms),
		cmocka_unit_test(test_suspect_clears_after_bfd_proves_alive_and_the_hold),
		cmocka_unit_test(test_suspect_hold_doubles_on_repeats_and_decays),
		cmocka_unit_test(test_suspect_silence_alone_is_a_source_stopping),
		cmocka_unit_test(test_suspect_silence_and_distress_is_congestion),
		cmocka_unit_test(test_suspect_unanswered_needs_flows_to_two_remotes),
		cmocka_unit_test(test_suspect_flows_must_be_half_of_the_links),
		cmocka_unit_test(test_suspect_flows_without_a_population_count_whole),
		cmocka_unit_test(test_suspect_provider_reroute_is_no_silence),
		cmocka_unit_test(test_suspect_abstains_without_a_live_twin),
		cmocka_unit_test(test_suspect_abstains_while_forwarding_stalls),
		cmocka_unit_test(test_suspect_abstains_after_a_hole_in_its_own_ticks),
		cmocka_unit_test(test_suspect_idle_standby_twin_is_alive_by_its_bfd),
		cmocka_unit_test(test_suspect_low_rate_link_waits_for_bfd),
		cmocka_unit_test(test_suspect_one_way_traffic_suspects_when_bfd_is_late),
		cmocka_unit_test(test_suspect_never_suspects_every_link),
		cmocka_unit_test(test_suspect_disabled_link_is_never_suspected),
		cmocka_unit_test(test_suspect_score_is_one_exactly_where_the_rule_agrees),
		cmocka_unit_test(test_suspect_score_of_steady_traffic_is_zero),
		cmocka_unit_test(test_suspect_score_reaches_one_at_the_suspicion),
		cmocka_unit_test(test_suspect_score_of_a_dead_remote_host_is_half),
		cmocka_unit_test(test_suspect_score_of_congestion_is_bfds),
		cmocka_unit_test(test_suspect_score_bfd_late_at_the_nanosecond),
		cmocka_unit_test(test_suspect_peak_only_where_the_rule_could_act),
		cmocka_unit_test(test_suspect_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
