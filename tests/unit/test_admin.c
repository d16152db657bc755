/* When a draining link's return traffic counts as moved (control/admin.c
 * drain_step): exact verdicts for given samples of the link's received
 * packets, the floor, the quiet time and the timeout. And the commands'
 * answers (admin_cli) on a speaker that does not connect. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "admin.h"
#include "twinpathd.h"

/* floor 10 pps, quiet 5 s, timeout 60 s; the drain began at t = 1000 ms */
static const struct drain_params pp = {
	.rx_floor_pps = 10, .quiet_ms = 5000, .timeout_ms = 60000,
};
#define T0 1000u

static enum drain_verdict step(struct bgp_drain_watch *w, uint64_t t_ms,
			       bool have, uint64_t rx, char *why)
{
	return drain_step(w, &pp, T0, t_ms, have, rx, why, 160);
}

/* 500 pps while the provider still sends, then at most the floor: moved
 * once the rate has stayed low for 5 s counted from the start of the
 * first low interval, not before. */
static void test_drain_moved_after_quiet_time_at_or_below_floor(void **state)
{
	struct bgp_drain_watch w = {0};
	char why[160] = "";
	uint64_t rx = 1000000, t;

	(void)state;
	assert_int_equal(step(&w, 2000, true, rx, why), DRAIN_WAIT);
	assert_false(w.have_rate);
	rx += 500;
	assert_int_equal(step(&w, 3000, true, rx, why), DRAIN_WAIT);
	assert_true(w.have_rate);
	assert_int_equal(w.rate_pps, 500);
	assert_int_equal(w.low_since_ms, 0);
	/* from t = 3 s: 10 pps (the floor itself counts as low) */
	for (t = 4000; t < 8000; t += 1000) {
		rx += 10;
		assert_int_equal(step(&w, t, true, rx, why), DRAIN_WAIT);
		assert_int_equal(w.low_since_ms, 3000);
	}
	rx += 10;
	assert_int_equal(step(&w, 8000, true, rx, why), DRAIN_MOVED);
	assert_string_equal(why, "return traffic at most 10 pps for 5 s (last "
			    "10 pps)");
}

/* One second above the floor starts the quiet time again. */
static void test_drain_burst_above_floor_restarts_quiet_time(void **state)
{
	struct bgp_drain_watch w = {0};
	char why[160];
	uint64_t rx = 0;

	(void)state;
	assert_int_equal(step(&w, 2000, true, rx, why), DRAIN_WAIT);
	assert_int_equal(step(&w, 3000, true, rx, why), DRAIN_WAIT);
	assert_int_equal(step(&w, 4000, true, rx, why), DRAIN_WAIT);
	assert_int_equal(w.low_since_ms, 2000);
	rx += 11;
	assert_int_equal(step(&w, 5000, true, rx, why), DRAIN_WAIT);
	assert_int_equal(w.rate_pps, 11);
	assert_int_equal(w.low_since_ms, 0);
	assert_int_equal(step(&w, 6000, true, rx, why), DRAIN_WAIT);
	assert_int_equal(w.low_since_ms, 5000);
	assert_int_equal(step(&w, 9999, true, rx, why), DRAIN_WAIT);
	assert_int_equal(step(&w, 10000, true, rx, why), DRAIN_MOVED);
	assert_string_equal(why, "return traffic at most 10 pps for 5 s (last "
			    "0 pps)");
}

/* A provider that ignores GRACEFUL_SHUTDOWN: the bound ends the wait,
 * and says the rate it still saw. */
static void test_drain_timeout_with_traffic_still_flowing(void **state)
{
	struct bgp_drain_watch w = {0};
	char why[160];
	uint64_t rx = 0, t;

	(void)state;
	for (t = 2000; t < T0 + 60000; t += 1000) {
		assert_int_equal(step(&w, t, true, rx, why), DRAIN_WAIT);
		rx += 300;
	}
	assert_int_equal(step(&w, T0 + 60000, true, rx, why), DRAIN_TIMEOUT);
	assert_string_equal(why, "drain timeout 60 s, return traffic still "
			    "300 pps");
}

/* No data plane telemetry: nothing measured, so only the timeout; a
 * counter that goes back (the data plane restarted) measures again. */
static void test_drain_without_telemetry_or_counter_reset(void **state)
{
	struct bgp_drain_watch w = {0};
	char why[160];

	(void)state;
	assert_int_equal(step(&w, 2000, true, 5000, why), DRAIN_WAIT);
	assert_int_equal(step(&w, 3000, true, 5000, why), DRAIN_WAIT);
	assert_int_equal(w.low_since_ms, 2000);
	assert_int_equal(step(&w, 4000, true, 10, why), DRAIN_WAIT);
	assert_int_equal(w.low_since_ms, 0);
	assert_false(w.have_rate);
	assert_int_equal(step(&w, 5000, false, 0, why), DRAIN_WAIT);
	assert_false(w.have_prev);
	assert_int_equal(step(&w, 30000, false, 0, why), DRAIN_WAIT);
	assert_int_equal(step(&w, T0 + 60000, false, 0, why), DRAIN_TIMEOUT);
	assert_string_equal(why, "drain timeout 60 s, return traffic not "
			    "measured (no data plane telemetry)");
}

static struct twp_config ccfg;

static void addr4(struct cfg_addr *a, const char *s, uint8_t len)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->len = len;
	assert_int_equal(inet_pton(AF_INET, s, a->addr), 1);
}

/* ANSWER of admin_cli(REQ), its return value RC. */
static void cli(struct twpd *d, const char *req, int rc, const char *answer)
{
	char buf[4096] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	assert_int_equal(admin_cli(d, req, f), rc);
	fclose(f);
	assert_string_equal(buf, answer);
}

/* An answer whose middle holds a wall-clock time ("since ..."): its
 * exact start HEAD and end TAIL, and one line more than HEAD has. */
static void cli_around(struct twpd *d, const char *req, const char *head,
		       const char *tail)
{
	char buf[4096] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	size_t n, t = strlen(tail);
	const char *c;
	unsigned int lines = 0;

	assert_non_null(f);
	assert_int_equal(admin_cli(d, req, f), 0);
	fclose(f);
	n = strlen(buf);
	assert_true(n >= strlen(head) + t);
	assert_memory_equal(buf, head, strlen(head));
	assert_string_equal(buf + n - t, tail);
	for (c = buf; *c != '\0'; c++)
		lines += *c == '\n';
	for (c = head; *c != '\0'; c++)
		lines -= *c == '\n';
	assert_int_equal(lines, 1);
}

/* The commands on link1 (peer 192.0.2.2, BGP, not connecting): drain,
 * the same again, undrain; a shutdown whose message keeps its spaces,
 * shown in show links' JSON, then enable; and what is refused. */
static void test_admin_cli_answers(void **state)
{
	struct bgp_opts o = {.no_listen = true};
	struct twpd d = {.cfg = &ccfg};
	struct chan cp, dp;
	struct bgp_peer *p;
	char name[CHAN_NAME_MAX];

	(void)state;
	memset(&ccfg, 0, sizeof(ccfg));
	ccfg.local_as = 65001;
	ccfg.bgp.enabled = true;
	ccfg.bgp.connect_retry_s = 5;
	ccfg.bgp.drain_rx_floor_pps = 10;
	ccfg.bgp.drain_quiet_s = 5;
	ccfg.bgp.drain_timeout_s = 60;
	ccfg.n_links = 1;
	snprintf(ccfg.links[0].name, sizeof(ccfg.links[0].name), "link1");
	snprintf(ccfg.links[0].interface, sizeof(ccfg.links[0].interface),
		 "eth1");
	addr4(&ccfg.links[0].local_address, "192.0.2.1", 24);
	addr4(&ccfg.links[0].peer_address, "192.0.2.2", 32);
	ccfg.links[0].remote_as = 35540;
	ccfg.links[0].local_pref = 100;
	ccfg.links[0].bgp.passive = true; /* never connects */
	snprintf(name, sizeof(name), "twp-test-admin-%d", (int)getpid());
	chan_unlink(name);
	assert_int_equal(chan_open(&cp, name, CHAN_ROLE_CONTROL), 0);
	assert_int_equal(chan_open(&dp, name, CHAN_ROLE_DATA), 0);
	d.fp = calloc(1, sizeof(*d.fp));
	assert_non_null(d.fp);
	assert_int_equal(fibpush_build(d.fp, &ccfg, &cp), 0);
	d.rib = rib_new(1);
	assert_non_null(d.rib);
	d.bgp = bgp_new(&ccfg, d.rib, &o);
	assert_non_null(d.bgp);
	p = &d.bgp->peer[0];

	cli(&d, "link link1 drain", 0, "link link1 draining: our prefixes "
	    "announced with GRACEFUL_SHUTDOWN 65535:0 (RFC 8326); drained "
	    "once the link receives at most 10 pps for 5 s, or after 60 s\n");
	assert_int_equal(p->drain, BGP_DRAIN_DRAINING);
	cli(&d, "link link1 drain", 0, "link link1 is already draining\n");
	cli(&d, "json show links", 0, "{\"admin\":[{\"name\":\"link1\",\"interface\":"
	    "\"eth1\",\"peer\":\"192.0.2.2\",\"bgp_state\":\"Active\","
	    "\"admin_down\":false,\"shutdown_message\":null,\"drain\":"
	    "\"draining\",\"drain_s\":0,\"rx_pps\":null,\"drain_reason\":"
	    "null}],\"rates\":null}\n");
	/* the same walk as text: no rate measured yet is said so */
	cli_around(&d, "show links", "NAME         INTERFACE  PEER             "
		   "BGP          ADMIN  DRAIN     SINCE\n"
		   "link1        eth1       192.0.2.2        Active       up     "
		   "draining  ", " (0 s ago); return traffic not measured yet\n");
	cli(&d, "link link1 undrain", 0, "link link1 restored: our prefixes "
	    "announced without GRACEFUL_SHUTDOWN, the link's paths at "
	    "LOCAL_PREF 100 again\n");
	cli(&d, "link link1 undrain", 0, "link link1 is not drained\n");
	cli(&d, "link link9 drain", -EINVAL, "error: no link named 'link9'\n");
	cli(&d, "bgp 192.0.2.2 shutdown  new fibre,  PoP A ", 0,
	    "link1 192.0.2.2 shut down: no session was up; held Idle (no "
	    "connect, incoming refused) until 'bgp ADDR enable'\n");
	assert_string_equal(p->admin_msg, "new fibre,  PoP A ");
	assert_int_equal(p->hold, BGP_HOLD_ADMIN);
	cli(&d, "json show links", 0, "{\"admin\":[{\"name\":\"link1\",\"interface\":"
	    "\"eth1\",\"peer\":\"192.0.2.2\",\"bgp_state\":\"Idle\","
	    "\"admin_down\":true,\"shutdown_message\":\"new fibre,  PoP A \","
	    "\"drain\":\"none\",\"drain_s\":null,\"rx_pps\":null,"
	    "\"drain_reason\":null}],\"rates\":null}\n");
	cli_around(&d, "show links", "NAME         INTERFACE  PEER             "
		   "BGP          ADMIN  DRAIN     SINCE\n"
		   "link1        eth1       192.0.2.2        Idle         down   "
		   "none      -; shut down since ", " (0 s ago): \"new fibre,  "
		   "PoP A \"\n");
	cli(&d, "bgp 192.0.2.2 shutdown", 0, "link1 192.0.2.2 is already "
	    "administratively down (since 0 s)\n");
	cli(&d, "bgp 192.0.2.2 enable", 0, "link1 192.0.2.2 enabled: waiting "
	    "for the peer (passive)\n");
	cli(&d, "bgp 192.0.2.2 enable now", -EINVAL, "error: 'bgp ADDR enable' "
	    "takes nothing more\n");
	cli(&d, "bgp 192.0.2.9 enable", -EINVAL,
	    "error: no BGP neighbor 192.0.2.9\n");
	cli(&d, "bgp 192.0.2.0/24 shutdown", -EINVAL,
	    "error: not an address: 192.0.2.0/24\n");
	/* not ours: cli.c goes on with its own commands */
	cli(&d, "show bgp summary", 1, "");
	cli(&d, "link link1", 1, "");
	cli(&d, "bgp 192.0.2.2", 1, "");

	bgp_free(d.bgp);
	rib_free(d.rib);
	fibpush_free(d.fp);
	free(d.fp);
	chan_close(&dp);
	chan_close(&cp);
	chan_unlink(name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_drain_moved_after_quiet_time_at_or_below_floor),
		cmocka_unit_test(
			test_drain_burst_above_floor_restarts_quiet_time),
		cmocka_unit_test(test_drain_timeout_with_traffic_still_flowing),
		cmocka_unit_test(test_drain_without_telemetry_or_counter_reset),
		cmocka_unit_test(test_admin_cli_answers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
