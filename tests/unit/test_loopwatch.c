/* twinpathd's main-loop watchdog: exact accounting and log lines from
 * given clocks (control/loopwatch.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "loopwatch.h"

#define MS 1000000ull

static struct lw_sample at(uint64_t mono_ms, uint64_t cpu_ms, uint64_t runq_ms)
{
	return (struct lw_sample){.mono_ns = mono_ms * MS,
				  .cpu_ns = cpu_ms * MS,
				  .runq_ns = runq_ms * MS};
}

static void init(struct loopwatch *w, uint64_t t_ms)
{
	struct lw_sample s = at(t_ms, 0, 0);

	memset(w, 0, sizeof(*w));
	w->schedstat_tried = true;
	w->schedstat_fd = -1;
	lw_init(w, LW_WARN_MS * MS, &s);
}

/* A short gap is neither logged nor counted; its longest is kept. */
static void test_short_gap_silent(void **state)
{
	struct loopwatch w;
	struct lw_sample s = at(1499, 300, 100);
	char buf[512] = "";

	(void)state;
	init(&w, 1000);
	lw_phase(&w, LW_POLL, 1200 * MS);
	lw_phase(&w, LW_BGP_IN, 1499 * MS);
	assert_false(lw_timers_ran(&w, &s, buf, sizeof(buf)));
	assert_string_equal(buf, "");
	assert_int_equal(w.stalls, 0);
	assert_int_equal(w.max_gap_ns, 499 * MS);
}

/* The line of a hold-timer flap in the making: where the 2.3 s went. */
static void test_stall_line(void **state)
{
	struct loopwatch w;
	struct lw_sample s = at(3300, 120, 2100);
	char buf[512];

	(void)state;
	init(&w, 1000);
	lw_phase(&w, LW_TOP, 1001 * MS);
	lw_phase(&w, LW_POLL, 1090 * MS);
	lw_phase(&w, LW_BGP_IN, 3000 * MS);
	lw_phase(&w, LW_RIB, 3290 * MS);
	assert_true(lw_timers_ran(&w, &s, buf, sizeof(buf)));
	assert_string_equal(buf,
		"main loop: 2300 ms between BGP timer runs (warn at 500 ms): "
		"on a cpu 120 ms, waiting for one 2100 ms, asleep or blocked "
		"80 ms; reload and poll set 1 ms idle in poll 89 ms bgp input "
		"1910 ms bgp timers 10 ms route decisions 290 ms");
	assert_int_equal(w.stalls, 1);
	assert_int_equal(w.max_gap_ns, 2300 * MS);
	/* the next gap starts from this run, with its phases cleared */
	assert_int_equal(w.start.mono_ns, 3300 * MS);
	assert_int_equal(w.phase_ns[LW_BGP_IN], 0);
}

/* One line per second at most; the next says how many it stands for. */
static void test_rate_limited(void **state)
{
	struct loopwatch w;
	struct lw_sample s;
	char buf[512];

	(void)state;
	init(&w, 0);
	s = at(600, 600, 0);
	assert_true(lw_timers_ran(&w, &s, buf, sizeof(buf)));
	s = at(1200, 1200, 0);
	assert_false(lw_timers_ran(&w, &s, buf, sizeof(buf)));
	s = at(1500, 1500, 0); /* short: not a stall */
	assert_false(lw_timers_ran(&w, &s, buf, sizeof(buf)));
	s = at(2100, 2100, 0);
	assert_true(lw_timers_ran(&w, &s, buf, sizeof(buf)));
	assert_string_equal(buf,
		"main loop: 600 ms between BGP timer runs (warn at 500 ms): "
		"on a cpu 600 ms, waiting for one 0 ms, asleep or blocked 0 "
		"ms; bgp timers 600 ms (2 such gaps since the last line)");
	assert_int_equal(w.stalls, 3);
	assert_int_equal(w.max_gap_ns, 600 * MS);
}

/* A buffer too small for the phases is cut, never overrun. */
static void test_small_buffer(void **state)
{
	struct loopwatch w;
	struct lw_sample s = at(2000, 0, 0);
	char buf[40];

	(void)state;
	init(&w, 0);
	lw_phase(&w, LW_BGP_IN, 1000 * MS);
	assert_true(lw_timers_ran(&w, &s, buf, sizeof(buf)));
	assert_string_equal(buf, "main loop: 2000 ms between BGP timer ru");
}

/* The clocks of this thread really are read. */
static void test_sample_now(void **state)
{
	struct loopwatch w = {0};
	struct lw_sample a, b;
	volatile uint64_t x = 0;
	unsigned int i;

	(void)state;
	lw_sample_now(&w, &a);
	for (i = 0; i < 10000000u; i++)
		x += i;
	lw_sample_now(&w, &b);
	assert_true(w.schedstat_tried);
	assert_true(w.schedstat_fd >= 0);
	assert_true(b.mono_ns > a.mono_ns);
	assert_true(b.cpu_ns > a.cpu_ns);
	assert_true(b.runq_ns >= a.runq_ns);
	lw_close(&w);
	assert_int_equal(w.schedstat_fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_gap_silent),
		cmocka_unit_test(test_stall_line),
		cmocka_unit_test(test_rate_limited),
		cmocka_unit_test(test_small_buffer),
		cmocka_unit_test(test_sample_now),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
