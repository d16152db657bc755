/* The link monitor's arithmetic (control/monitor.c): rates from two
 * readings, the imbalance of monitor.h's definition with exact numbers,
 * and the threshold events: one line when a threshold is reached, one
 * when it clears, none in between, each line exact. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "monitor.h"

static void test_monitor_rates_from_two_readings(void **state)
{
	struct mon_counters a = {.known = true}, b = {.known = true};
	struct mon_link l = {0};

	(void)state;
	a.bytes[MON_RX] = 1000;
	a.bytes[MON_TX] = 2000;
	a.packets[MON_RX] = 10;
	a.packets[MON_TX] = 20;
	b.bytes[MON_RX] = 1000 + 125000;   /* 1 Mbit */
	b.bytes[MON_TX] = 2000 + 1250000;  /* 10 Mbit */
	b.packets[MON_RX] = 10 + 100;
	b.packets[MON_TX] = 20 + 1001;
	/* over half a second: twice as much per second */
	assert_int_equal(mon_rates(&a, &b, 500000000, &l), 0);
	assert_true(l.bps[MON_RX] == 2e6);
	assert_true(l.bps[MON_TX] == 2e7);
	assert_true(l.pps[MON_RX] == 200);
	assert_true(l.pps[MON_TX] == 2002);
	/* nothing moved: exactly zero */
	assert_int_equal(mon_rates(&b, &b, 100000000, &l), 0);
	assert_true(l.bps[MON_RX] == 0 && l.bps[MON_TX] == 0);
	assert_true(l.pps[MON_RX] == 0 && l.pps[MON_TX] == 0);
}

static void test_monitor_rates_refuse_unknown_or_reset_counters(void **state)
{
	struct mon_counters a = {.known = true}, b = {.known = true};
	struct mon_link l = {.bps = {7, 7}};

	(void)state;
	a.packets[MON_TX] = 5;
	b.packets[MON_TX] = 4; /* the data plane restarted */
	assert_int_equal(mon_rates(&a, &b, 1000000000, &l), -ERANGE);
	b.packets[MON_TX] = 5;
	b.known = false;
	assert_int_equal(mon_rates(&a, &b, 1000000000, &l), -ENODATA);
	b.known = true;
	assert_int_equal(mon_rates(&a, &b, 0, &l), -ENODATA);
	/* untouched by the refusals */
	assert_true(l.bps[MON_RX] == 7 && l.bps[MON_TX] == 7);
}

static void test_monitor_imbalance_equal_shares(void **state)
{
	const double rate[2] = {3e6, 1e6};
	const uint32_t cap[2] = {0, 0};
	const bool usable[2] = {true, true};
	struct mon_imbalance m;

	(void)state;
	/* 3/4 and 1/4 against 1/2 each: 0.25, link 0 first */
	assert_int_equal(mon_imbalance(rate, cap, usable, 2, 1e6, &m),
			 MON_IMB_OK);
	assert_true(m.known);
	assert_true(m.value == 0.25);
	assert_int_equal(m.link, 0);
	assert_true(m.share == 0.75);
	assert_true(m.expected == 0.5);
	assert_true(m.total_bps == 4e6);
}

static void test_monitor_imbalance_by_capacity(void **state)
{
	const uint32_t cap[2] = {1000, 3000};
	const bool usable[2] = {true, true};
	struct mon_imbalance m;

	(void)state;
	/* a 1:3 split over 1 and 3 Gbit/s links is perfect */
	assert_int_equal(mon_imbalance((const double[]){1e6, 3e6}, cap,
				       usable, 2, 0, &m), MON_IMB_OK);
	assert_true(m.value == 0);
	/* an even split is 0.25 off on both; the first is named */
	assert_int_equal(mon_imbalance((const double[]){2e6, 2e6}, cap,
				       usable, 2, 0, &m), MON_IMB_OK);
	assert_true(m.value == 0.25);
	assert_int_equal(m.link, 0);
	assert_true(m.share == 0.5);
	assert_true(m.expected == 0.25);
	/* a usable link without a capacity: equal shares for all */
	assert_int_equal(mon_imbalance((const double[]){1e6, 3e6},
				       (const uint32_t[]){1000, 0}, usable, 2,
				       0, &m), MON_IMB_OK);
	assert_true(m.value == 0.25);
	assert_true(m.expected == 0.5);
}

static void test_monitor_imbalance_counts_usable_links_only(void **state)
{
	const double rate[3] = {5e6, 1e6, 3e6};
	const uint32_t cap[3] = {100, 100, 100};
	struct mon_imbalance m;

	(void)state;
	/* link 0 is down: its (last) traffic and share are left out;
	 * 1/4 and 3/4 of 4 Mbit/s against 1/2 */
	assert_int_equal(mon_imbalance(rate, cap,
				       (const bool[]){false, true, true}, 3,
				       1e6, &m), MON_IMB_OK);
	assert_true(m.value == 0.25);
	assert_int_equal(m.link, 1);
	assert_true(m.share == 0.25);
	assert_true(m.total_bps == 4e6);
	/* one usable link has nothing to be balanced with */
	assert_int_equal(mon_imbalance(rate, cap,
				       (const bool[]){false, false, true}, 3,
				       0, &m), MON_IMB_FEW_LINKS);
	assert_false(m.known);
}

static void test_monitor_imbalance_undefined_below_the_floor(void **state)
{
	const double rate[2] = {999999, 0};
	const uint32_t cap[2] = {0, 0};
	const bool usable[2] = {true, true};
	struct mon_imbalance m;

	(void)state;
	/* 999 999 bit/s all on one link, below a 1 Mbit/s floor: idle */
	assert_int_equal(mon_imbalance(rate, cap, usable, 2, 1e6, &m),
			 MON_IMB_IDLE);
	assert_false(m.known);
	assert_true(m.total_bps == 999999);
	/* at the floor it counts */
	assert_int_equal(mon_imbalance((const double[]){1e6, 0}, cap, usable,
				       2, 1e6, &m), MON_IMB_OK);
	assert_true(m.value == 0.5);
	/* a floor of 0 still needs some traffic */
	assert_int_equal(mon_imbalance((const double[]){0, 0}, cap, usable, 2,
				       0, &m), MON_IMB_IDLE);
}

static void test_monitor_alarm_one_event_per_crossing(void **state)
{
	bool raised = false;

	(void)state;
	assert_int_equal(mon_alarm(&raised, false), MON_EV_NONE);
	assert_int_equal(mon_alarm(&raised, true), MON_EV_RAISED);
	assert_true(raised);
	assert_int_equal(mon_alarm(&raised, true), MON_EV_NONE);
	assert_int_equal(mon_alarm(&raised, true), MON_EV_NONE);
	assert_int_equal(mon_alarm(&raised, false), MON_EV_CLEARED);
	assert_false(raised);
	assert_int_equal(mon_alarm(&raised, false), MON_EV_NONE);
	assert_int_equal(mon_alarm(&raised, true), MON_EV_RAISED);
}

/* ---- mon_step: the lines of a run ---- */

static char lines[4096];

static void capture(void *arg, const char *line)
{
	(void)arg;
	strncat(lines, line, sizeof(lines) - strlen(lines) - 2);
	strcat(lines, "\n");
}

static struct twp_config cfg;

static void two_links(enum cfg_mode mode)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.mode = mode;
	cfg.n_links = 2;
	snprintf(cfg.links[0].name, sizeof(cfg.links[0].name), "link1");
	snprintf(cfg.links[1].name, sizeof(cfg.links[1].name), "link2");
	cfg.links[0].capacity_mbps = 10;
	cfg.links[1].capacity_mbps = 10;
	cfg.monitor.utilisation_warn = 0.8;
	cfg.monitor.imbalance_warn = 0.2;
	cfg.monitor.imbalance_min_mbps = 1;
	cfg.monitor.interval_ms = 1000;
}

/* The next reading, one second after S: link1 and link2 sent TX1 and TX2
 * Mbit in it (received nothing); link1 usable or not. */
static void next(struct mon_sample *s, unsigned int tx1, unsigned int tx2,
		 bool usable1)
{
	s->t_ns += 1000000000u;
	s->link[0].known = s->link[1].known = true;
	s->link[0].bytes[MON_TX] += tx1 * 125000u;
	s->link[1].bytes[MON_TX] += tx2 * 125000u;
	s->link[0].packets[MON_TX] += tx1;
	s->link[1].packets[MON_TX] += tx2;
	s->link[0].usable = usable1;
	s->link[1].usable = true;
}

/* One interval from *PREV to *CUR, CUR then becomes PREV; the lines it
 * logged must be WANT exactly. */
static void step(struct mon_sample *prev, struct mon_sample *cur,
		 struct mon_result *res, const char *want)
{
	lines[0] = '\0';
	mon_step(&cfg, prev, cur, res, capture, NULL);
	assert_string_equal(lines, want);
	*prev = *cur;
}

static void test_monitor_step_logs_each_crossing_once(void **state)
{
	static struct mon_sample prev, cur;
	static struct mon_result res;

	(void)state;
	two_links(CFG_MODE_ACTIVE_ACTIVE);
	memset(&cur, 0, sizeof(cur));
	memset(&res, 0, sizeof(res));
	next(&cur, 0, 0, true);
	/* the first reading: nothing to compare with */
	lines[0] = '\0';
	mon_step(&cfg, NULL, &cur, &res, capture, NULL);
	assert_string_equal(lines, "");
	assert_false(res.known);
	assert_false(res.link[0].known);
	prev = cur;

	/* 9 and 1 Mbit/s on two 10 Mbit/s links: link1 at 0.9 of its
	 * capacity, and 0.9 of the traffic where 0.5 was expected */
	next(&cur, 9, 1, true);
	step(&prev, &cur, &res,
	     "monitor: link 'link1' tx utilisation 0.900 reached "
	     "utilisation_warn 0.8 (9.000 of 10 Mbit/s)\n"
	     "monitor: tx imbalance 0.400 reached imbalance_warn 0.2: link "
	     "'link1' carries 0.900 of 10.000 Mbit/s, its expected share "
	     "0.500\n");
	assert_true(res.known);
	assert_true(res.window_s == 1);
	assert_true(res.link[0].bps[MON_TX] == 9e6);
	assert_true(res.link[0].pps[MON_TX] == 9);
	assert_true(res.link[0].util[MON_TX] == 0.9);
	assert_true(res.link[0].util_warn[MON_TX]);
	assert_false(res.link[0].util_warn[MON_RX]);
	assert_true(res.imb[MON_TX].known && res.imb[MON_TX].warn);
	/* nothing received: the rx imbalance is undefined, not an alarm */
	assert_false(res.imb[MON_RX].known);
	assert_false(res.imb[MON_RX].warn);

	/* the same again, and a bit more: no repeat */
	next(&cur, 9, 1, true);
	step(&prev, &cur, &res, "");
	next(&cur, 10, 1, true);
	step(&prev, &cur, &res, "");

	/* an even 5 and 5: both clear, once */
	next(&cur, 5, 5, true);
	step(&prev, &cur, &res,
	     "monitor: link 'link1' tx utilisation 0.500 below "
	     "utilisation_warn 0.8 again (5.000 of 10 Mbit/s)\n"
	     "monitor: tx imbalance 0.000 below imbalance_warn 0.2 again\n");
	next(&cur, 5, 5, true);
	step(&prev, &cur, &res, "");

	/* exactly at the threshold counts as reached */
	next(&cur, 8, 2, true);
	step(&prev, &cur, &res,
	     "monitor: link 'link1' tx utilisation 0.800 reached "
	     "utilisation_warn 0.8 (8.000 of 10 Mbit/s)\n"
	     "monitor: tx imbalance 0.300 reached imbalance_warn 0.2: link "
	     "'link1' carries 0.800 of 10.000 Mbit/s, its expected share "
	     "0.500\n");

	/* link1 lost (BFD Down): link2 takes everything; one link left
	 * has nothing to be unbalanced against */
	next(&cur, 0, 10, false);
	step(&prev, &cur, &res,
	     "monitor: link 'link1' tx utilisation 0.000 below "
	     "utilisation_warn 0.8 again (0.000 of 10 Mbit/s)\n"
	     "monitor: link 'link2' tx utilisation 1.000 reached "
	     "utilisation_warn 0.8 (10.000 of 10 Mbit/s)\n"
	     "monitor: tx imbalance cleared: fewer than two links usable\n");
	assert_false(res.link[0].usable);
	assert_false(res.imb[MON_TX].known);

	/* the data plane gone: rates unknown, every alarm as it was, no
	 * line */
	cur.t_ns += 1000000000u;
	cur.link[0].known = cur.link[1].known = false;
	step(&prev, &cur, &res, "");
	assert_false(res.link[1].known);
	assert_true(res.link[1].util_warn[MON_TX]);
	/* back (counters restarted from 0): one more reading first */
	memset(&cur.link, 0, sizeof(cur.link));
	next(&cur, 0, 9, true);
	step(&prev, &cur, &res, "");
	assert_false(res.link[1].known);
	next(&cur, 1, 1, true);
	step(&prev, &cur, &res,
	     "monitor: link 'link2' tx utilisation 0.100 below "
	     "utilisation_warn 0.8 again (1.000 of 10 Mbit/s)\n");
	assert_true(res.link[1].known);
}

static void test_monitor_step_idle_clears_imbalance(void **state)
{
	static struct mon_sample prev, cur;
	static struct mon_result res;

	(void)state;
	two_links(CFG_MODE_ACTIVE_ACTIVE);
	cfg.links[0].capacity_mbps = cfg.links[1].capacity_mbps = 0;
	cfg.monitor.imbalance_min_mbps = 2;
	memset(&cur, 0, sizeof(cur));
	memset(&res, 0, sizeof(res));
	next(&cur, 0, 0, true);
	prev = cur;
	/* 1 Mbit/s, all on link1: below the 2 Mbit/s floor, no alarm */
	next(&cur, 1, 0, true);
	mon_step(&cfg, &prev, &cur, &res, capture, NULL);
	prev = cur;
	assert_false(res.imb[MON_TX].known);
	lines[0] = '\0';
	next(&cur, 3, 0, true);
	step(&prev, &cur, &res,
	     "monitor: tx imbalance 0.500 reached imbalance_warn 0.2: link "
	     "'link1' carries 1.000 of 3.000 Mbit/s, its expected share "
	     "0.500\n");
	/* no capacity: no utilisation at all */
	assert_false(res.link[0].util_warn[MON_TX]);
	next(&cur, 1, 0, true);
	step(&prev, &cur, &res,
	     "monitor: tx imbalance cleared: the links carry 1.000 Mbit/s, "
	     "below imbalance_min_mbps 2\n");
}

static void test_monitor_step_no_imbalance_in_active_standby(void **state)
{
	static struct mon_sample prev, cur;
	static struct mon_result res;

	(void)state;
	two_links(CFG_MODE_ACTIVE_STANDBY);
	memset(&cur, 0, sizeof(cur));
	memset(&res, 0, sizeof(res));
	next(&cur, 0, 0, true);
	prev = cur;
	/* everything on the primary is how active/standby works */
	next(&cur, 5, 0, true);
	step(&prev, &cur, &res, "");
	assert_false(res.active_active);
	assert_false(res.imb[MON_TX].known);
	assert_false(res.imb[MON_TX].warn);
}

/* `twinpathctl show links` of a given result: the table, the imbalance
 * lines, and the JSON, exactly. */
static char *show(const struct mon_result *r, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	monitor_show(&cfg, r, json, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_monitor_show_links(void **state)
{
	static struct mon_result r;
	char *text;

	(void)state;
	two_links(CFG_MODE_ACTIVE_ACTIVE);
	memset(&r, 0, sizeof(r));
	r.n_links = 2;
	r.active_active = true;
	r.link[0].capacity_mbps = 10;
	text = show(&r, false);
	assert_string_equal(text,
		"no rates yet (the data plane's counters are read every "
		"1.0 s)\n"
		"link         usable   capacity  rx Mbit/s  tx Mbit/s   rx pkt/s   tx pkt/s  rx util  tx util\n"
		"link1        no           10 M          -          -          -          -        -        -\n"
		"link2        no              -          -          -          -          -        -        -\n"
		"rx imbalance: -\n"
		"tx imbalance: -\n");
	free(text);
	r.known = true;
	r.window_s = 0.1;
	r.link[0].known = r.link[0].usable = true;
	r.link[0].bps[MON_TX] = 9e6;
	r.link[0].pps[MON_TX] = 1000;
	r.link[0].util[MON_TX] = 0.9;
	r.link[0].util_warn[MON_TX] = true;
	r.link[1].known = true;
	r.link[1].bps[MON_RX] = 2.5e5;
	r.link[1].pps[MON_RX] = 50;
	r.link[1].bps[MON_TX] = 1e6;
	r.link[1].pps[MON_TX] = 100;
	r.imb[MON_TX].known = r.imb[MON_TX].warn = true;
	r.imb[MON_TX].value = 0.4;
	r.imb[MON_TX].share = 0.9;
	r.imb[MON_TX].expected = 0.5;
	r.imb[MON_TX].total_bps = 1e7;
	text = show(&r, false);
	assert_string_equal(text,
		"rates over the last 0.100 s\n"
		"link         usable   capacity  rx Mbit/s  tx Mbit/s   rx pkt/s   tx pkt/s  rx util  tx util\n"
		"link1        yes          10 M      0.000      9.000          0       1000     0.0%   90.0%!\n"
		"link2        no              -      0.250      1.000         50        100        -        -\n"
		"rx imbalance: -\n"
		"tx imbalance: 0.400 above imbalance_warn (link 'link1' carries 0.900 of 10.000 Mbit/s, expected 0.500)\n");
	free(text);
	text = show(&r, true);
	assert_string_equal(text,
		"{\"known\":true,\"window_s\":0.100,\"links\":["
		"{\"name\":\"link1\",\"capacity_mbps\":10,\"usable\":true,"
		"\"rx_bps\":0,\"rx_pps\":0,\"rx_utilisation\":0.0000,"
		"\"rx_utilisation_warn\":false,\"tx_bps\":9000000,"
		"\"tx_pps\":1000,\"tx_utilisation\":0.9000,"
		"\"tx_utilisation_warn\":true},"
		"{\"name\":\"link2\",\"capacity_mbps\":0,\"usable\":false,"
		"\"rx_bps\":250000,\"rx_pps\":50,\"tx_bps\":1000000,"
		"\"tx_pps\":100}],"
		"\"rx_imbalance\":null,"
		"\"tx_imbalance\":{\"value\":0.4000,\"link\":\"link1\","
		"\"share\":0.9000,\"expected\":0.5000,\"total_bps\":10000000,"
		"\"warn\":true}}\n");
	free(text);
}

/* Links with suspect { }: a line each under their rates, and an object
 * in JSON; links without it have neither. */
static void test_monitor_show_links_suspect(void **state)
{
	static struct mon_result r;
	char *text;

	(void)state;
	two_links(CFG_MODE_ACTIVE_STANDBY);
	memset(&r, 0, sizeof(r));
	r.n_links = 2;
	r.link[0].suspect = (struct mon_suspect){
		.known = true, .state = 1, .raised_by = "silence,unanswered",
		.suspicions = 3, .confirmed = 1, .cleared = 1,
		.peak_score_milli = 1000, .peak_pair = "silence,unanswered"};
	r.link[1].usable = true;
	r.link[1].suspect = (struct mon_suspect){
		.known = true, .raised_by = "-", .abstained = 2,
		.peak_score_milli = 734, .peak_pair = "silence,bfd_late"};
	text = show(&r, false);
	assert_string_equal(text,
		"no rates yet (the data plane's counters are read every "
		"1.0 s)\n"
		"link         usable   capacity  rx Mbit/s  tx Mbit/s   rx pkt/s   tx pkt/s  rx util  tx util\n"
		"link1        no              -          -          -          -          -        -        -\n"
		"             suspect: suspected (silence,unanswered): its flows are on the other links; 3 suspicions: 1 confirmed by BFD, 1 cleared, 0 abstained\n"
		"link2        yes             -          -          -          -          -        -        -\n"
		"             suspect: clear; 0 suspicions: 0 confirmed by BFD, 0 cleared, 2 abstained\n");
	free(text);
	text = show(&r, true);
	assert_string_equal(text,
		"{\"known\":false,\"window_s\":0.000,\"links\":["
		"{\"name\":\"link1\",\"capacity_mbps\":0,\"usable\":false,"
		"\"suspect\":{\"state\":\"suspected\","
		"\"raised_by\":\"silence,unanswered\",\"suspicions\":3,"
		"\"confirmed\":1,\"cleared\":1,\"abstained\":0,"
		"\"peak_score\":1.000,\"peak_pair\":\"silence,unanswered\"}},"
		"{\"name\":\"link2\",\"capacity_mbps\":0,\"usable\":true,"
		"\"suspect\":{\"state\":\"clear\",\"raised_by\":\"-\","
		"\"suspicions\":0,\"confirmed\":0,\"cleared\":0,"
		"\"abstained\":2,\"peak_score\":0.734,"
		"\"peak_pair\":\"silence,bfd_late\"}}]}\n");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monitor_rates_from_two_readings),
		cmocka_unit_test(
			test_monitor_rates_refuse_unknown_or_reset_counters),
		cmocka_unit_test(test_monitor_imbalance_equal_shares),
		cmocka_unit_test(test_monitor_imbalance_by_capacity),
		cmocka_unit_test(
			test_monitor_imbalance_counts_usable_links_only),
		cmocka_unit_test(
			test_monitor_imbalance_undefined_below_the_floor),
		cmocka_unit_test(test_monitor_alarm_one_event_per_crossing),
		cmocka_unit_test(test_monitor_step_logs_each_crossing_once),
		cmocka_unit_test(test_monitor_step_idle_clears_imbalance),
		cmocka_unit_test(
			test_monitor_step_no_imbalance_in_active_standby),
		cmocka_unit_test(test_monitor_show_links),
		cmocka_unit_test(test_monitor_show_links_suspect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
