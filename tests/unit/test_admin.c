/* When a draining link's return traffic counts as moved (control/admin.c
 * drain_step): exact verdicts for given samples of the link's received
 * packets, the floor, the quiet time and the timeout. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "admin.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_drain_moved_after_quiet_time_at_or_below_floor),
		cmocka_unit_test(
			test_drain_burst_above_floor_restarts_quiet_time),
		cmocka_unit_test(test_drain_timeout_with_traffic_still_flowing),
		cmocka_unit_test(test_drain_without_telemetry_or_counter_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
