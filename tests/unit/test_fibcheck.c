/* The FIB self-check with both real ends in one process: twinpathd's
 * fibpush and fibcheck on one side of a real channel, twinpath-dp's
 * channel.c, fib.c and nhgroup.c on the EAL test bed on the other. The
 * test corrupts the data plane's FIB behind twinpathd's back (as memory
 * corruption or a lost record would) and sees the next check find it,
 * log both digests, count it, repair it with a full sync and find the
 * two equal again. */
#include <arpa/inet.h>
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

#include <rte_fib.h>

#include "dp.h"
#include "dp_testbed.h"
#include "fibcheck.h"
#include "fibpush.h"

#define CONF TWP_TEST_DATA "/configs/fibcheck.conf"
#define INTERVAL_MS 5000u

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

static struct twp_config cfg;
static struct dp d;
static struct dp_testbed tb;
static struct chan ctl; /* twinpathd's end */
static struct fibpush fp;
static struct fibcheck fc;
static uint64_t now_ms;

static const uint8_t peer_mac[6] = {0x02, 0x35, 0x54, 0, 0, 0x02};

/* stderr into a file while a step runs, to read its log lines */
static FILE *cap;
static int saved_fd = -1;
static char logbuf[8192];

static void capture_begin(void)
{
	fflush(stderr);
	cap = tmpfile();
	assert_non_null(cap);
	saved_fd = dup(2);
	assert_true(saved_fd >= 0);
	assert_int_equal(dup2(fileno(cap), 2), 2);
}

static const char *capture_end(void)
{
	ssize_t n;

	fflush(stderr);
	n = pread(fileno(cap), logbuf, sizeof(logbuf) - 1, 0);
	assert_int_equal(dup2(saved_fd, 2), 2);
	close(saved_fd);
	fclose(cap);
	assert_true(n >= 0);
	logbuf[n] = '\0';
	return logbuf;
}

static void assert_logged(const char *log, const char *line)
{
	if (strstr(log, line) == NULL)
		fail_msg("not logged: '%s'\nlog:\n%s", line, log);
}

/* Everything twinpathd queued, applied by the data plane. */
static void apply_all(void)
{
	do {
		fibpush_flush(&fp);
		while (channel_poll(&d))
			;
	} while (fibpush_queued(&fp) > 0);
}

/* The data plane's events, to fibcheck as twinpathd's loop hands them. */
static void pump(void)
{
	struct chan_event ev[64];
	unsigned int n, i;

	while ((n = chan_recv_events(&ctl, ev, 64)) > 0)
		for (i = 0; i < n; i++)
			fibcheck_event(&fc, &fp, &ev[i], now_ms);
}

/* One check now: asked, answered, compared. */
static void check_now(void)
{
	uint32_t id = fc.id;

	assert_int_equal(fibcheck_tick(&fc, &fp, now_ms), 0);
	assert_true(fc.pending);
	assert_int_equal(fc.id, id + 1);
	apply_all();
	pump();
	assert_false(fc.pending);
}

static void parts_str(const struct fib_digest *a, const struct fib_digest *b,
		      char *buf, size_t len)
{
	snprintf(buf, len, "routes 0x%08x %s 0x%08x, groups 0x%08x %s 0x%08x, "
		 "nexthops 0x%08x %s 0x%08x",
		 a->part[0], a->part[0] == b->part[0] ? "==" : "!=", b->part[0],
		 a->part[1], a->part[1] == b->part[1] ? "==" : "!=", b->part[1],
		 a->part[2], a->part[2] == b->part[2] ? "==" : "!=",
		 b->part[2]);
}

static uint32_t lookup(const char *dst)
{
	uint32_t a;
	uint64_t nh = FIB_NO_ROUTE;

	assert_int_equal(inet_pton(AF_INET, dst, &a), 1);
	a = ntohl(a);
	rte_fib_lookup_bulk(d.fib, &a, &nh, 1);
	return (uint32_t)nh;
}

static uint32_t group_of(const char *prefix, uint8_t len)
{
	struct cfg_addr p = {.family = AF_INET, .len = len};
	const struct fp_route *r;

	assert_int_equal(inet_pton(AF_INET, prefix, p.addr), 1);
	r = fibpush_route(&fp, &p);
	assert_non_null(r);
	return r->group_id;
}

static int setup(void **state)
{
	char err[512];

	(void)state;
	if (cfg_load(&cfg, CONF, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(cfg.instance, sizeof(cfg.instance), "twp-fibcheck-%d",
		 (int)getpid());
	d.cfg = &cfg;
	if (dp_testbed_up(&tb, &d, "test_fibcheck", 256, 2047) != 0)
		return -1;
	chan_unlink(cfg.instance);
	if (chan_open(&ctl, cfg.instance, CHAN_ROLE_CONTROL) != 0 ||
	    channel_init(&d) != 0 || fibpush_build(&fp, &cfg, &ctl) != 0)
		return -1;
	fibcheck_init(&fc, INTERVAL_MS);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fibpush_free(&fp);
	channel_close(&d);
	chan_close(&ctl);
	chan_unlink(cfg.instance);
	dp_testbed_down();
	return 0;
}

/* No question before the first full sync (nothing was sent), then the
 * two digests agree, and the next check waits for the interval. */
static void test_fibcheck_equal_after_first_sync_and_paced(void **s)
{
	(void)s;
	now_ms = 1000;
	assert_int_equal(fibcheck_tick(&fc, &fp, now_ms), 0);
	assert_false(fc.pending);
	assert_int_equal(fc.id, 0);

	assert_int_equal(fibpush_set_mac(&fp, 0, peer_mac), 0);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	apply_all();
	pump();
	assert_int_equal(d.applied_generation, 1);
	assert_int_equal(d.n_routes, 2);
	assert_int_equal(d.nhg.n_groups, 2);
	assert_int_equal(d.nhg.n_nexthops, 2);
	/* the same FIB kept apart on both sides gives the same digest */
	assert_int_not_equal(fp.digest.part[FIB_DIGEST_ROUTES], 0);
	assert_int_not_equal(fp.digest.part[FIB_DIGEST_GROUPS], 0);
	assert_int_not_equal(fp.digest.part[FIB_DIGEST_NEXTHOPS], 0);
	assert_memory_equal(&fp.digest, &d.nhg.digest, sizeof(fp.digest));

	check_now();
	assert_int_equal(fc.checks, 1);
	assert_int_equal(fc.mismatches, 0);
	assert_int_equal(fp.generation, 1);

	now_ms += INTERVAL_MS - 1;
	assert_int_equal(fibcheck_tick(&fc, &fp, now_ms), 0);
	assert_false(fc.pending);
	now_ms += 1;
	check_now();
	assert_int_equal(fc.checks, 2);
	assert_int_equal(fc.mismatches, 0);
}

/* A route lost on the data plane: found, logged with both digests and
 * the part that differs, counted, repaired, checked again at once. */
static void test_fibcheck_lost_route_is_found_and_repaired(void **s)
{
	struct chan_route r = {.family = AF_INET, .len = 24};
	struct fib_digest ours, theirs;
	uint32_t gid = group_of("198.51.100.0", 24);
	char want[512], parts[256];
	const char *log;
	uint64_t checks = fc.checks;

	(void)s;
	assert_int_equal(lookup("198.51.100.7"), gid);
	assert_int_equal(inet_pton(AF_INET, "198.51.100.0", r.prefix), 1);
	r.group_id = gid;
	assert_int_equal(fib_route_del(&d, &r), 0);
	assert_int_equal(lookup("198.51.100.7"), FIB_MISS);
	assert_int_equal(d.n_routes, 1);
	ours = fp.digest;
	theirs = d.nhg.digest;
	assert_int_not_equal(ours.part[FIB_DIGEST_ROUTES],
			     theirs.part[FIB_DIGEST_ROUTES]);

	now_ms += INTERVAL_MS;
	capture_begin();
	check_now();
	log = capture_end();
	assert_int_equal(fc.checks, checks + 1);
	assert_int_equal(fc.mismatches, 1);
	assert_true(fc.repairing);
	assert_int_equal(fp.generation, 2); /* the full sync went out */
	parts_str(&ours, &theirs, parts, sizeof(parts));
	snprintf(want, sizeof(want), "fib digest mismatch at check %u "
		 "(twinpathd vs data plane, generation 1): %s: full sync to "
		 "repair (1 mismatch so far)", fc.id, parts);
	assert_logged(log, want);
	assert_non_null(strstr(parts, "routes")); /* and it is the one */
	assert_non_null(strstr(parts, "!= ")); /* that differs */

	/* the sync applied, the next check is due at once: equal again */
	apply_all();
	pump();
	assert_int_equal(d.applied_generation, 2);
	capture_begin();
	check_now();
	log = capture_end();
	assert_int_equal(fc.checks, checks + 2);
	assert_int_equal(fc.mismatches, 1);
	assert_false(fc.repairing);
	assert_memory_equal(&fp.digest, &d.nhg.digest, sizeof(fp.digest));
	assert_memory_equal(&d.nhg.digest, &ours, sizeof(ours));
	parts_str(&ours, &ours, parts, sizeof(parts));
	snprintf(want, sizeof(want), "fib digest check %u: the data plane "
		 "matches again after the full sync (twinpathd == data plane: "
		 "%s)", fc.id, parts);
	assert_logged(log, want);
	assert_int_equal(d.n_routes, 2);
	assert_int_equal(lookup("198.51.100.7"), gid);
}

/* A nexthop's MAC changed on the data plane: the nexthops part alone
 * differs, and the full sync puts the right MAC back. */
static void test_fibcheck_wrong_mac_is_found_in_nexthops(void **s)
{
	static const uint8_t wrong[6] = {0x02, 0xba, 0xd0, 0, 0, 0x01};
	struct chan_nexthop nh = {.id = 1, .port = 0, .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED};
	struct fib_digest ours = fp.digest, theirs;
	char want[512], parts[256];
	const char *log;

	(void)s;
	assert_int_equal(inet_pton(AF_INET, "203.0.113.2", nh.gateway), 1);
	memcpy(nh.mac, wrong, 6);
	assert_memory_equal(d.nhg.nh[1]->mac.addr_bytes, peer_mac, 6);
	assert_int_equal(nhg_nexthop_set(&d.nhg, &nh, d.applied_generation),
			 0);
	theirs = d.nhg.digest;
	assert_int_equal(theirs.part[FIB_DIGEST_ROUTES],
			 ours.part[FIB_DIGEST_ROUTES]);
	assert_int_equal(theirs.part[FIB_DIGEST_GROUPS],
			 ours.part[FIB_DIGEST_GROUPS]);

	now_ms += INTERVAL_MS;
	capture_begin();
	check_now();
	log = capture_end();
	assert_int_equal(fc.mismatches, 2);
	parts_str(&ours, &theirs, parts, sizeof(parts));
	assert_non_null(strstr(parts, "nexthops 0x"));
	snprintf(want, sizeof(want), "fib digest mismatch at check %u "
		 "(twinpathd vs data plane, generation 2): %s: full sync to "
		 "repair (2 mismatches so far)", fc.id, parts);
	assert_logged(log, want);

	apply_all();
	pump();
	assert_int_equal(d.applied_generation, 3);
	check_now();
	assert_int_equal(fc.mismatches, 2);
	assert_memory_equal(&d.nhg.digest, &ours, sizeof(ours));
	assert_memory_equal(d.nhg.nh[1]->mac.addr_bytes, peer_mac, 6);
}

/* A difference a full sync cannot repair (here the data plane's digest
 * word itself damaged, so no record puts it right): each check finds it
 * and starts a sync, but the checks after the first recheck come 2, then
 * 4 intervals later, not back to back; a match ends the series. */
static void test_fibcheck_persistent_mismatch_backs_off(void **s)
{
	uint64_t m = fc.mismatches, gen = fp.generation;
	const char *log;
	char want[128];

	(void)s;
	d.nhg.digest.part[FIB_DIGEST_GROUPS] ^= 1u;
	now_ms += INTERVAL_MS;
	check_now();			/* found: sync, recheck at once */
	assert_int_equal(fc.mismatches, m + 1);
	assert_int_equal(fc.next_ms, now_ms);
	apply_all();
	pump();
	capture_begin();
	check_now();			/* still there: sync, 2 intervals */
	log = capture_end();
	assert_int_equal(fc.mismatches, m + 2);
	assert_int_equal(fp.generation, gen + 2);
	snprintf(want, sizeof(want), "fib digest: the mismatch persists after "
		 "1 full sync: next check in %u s", 2 * INTERVAL_MS / 1000);
	assert_logged(log, want);
	apply_all();
	pump();
	now_ms += 2 * INTERVAL_MS - 1;
	assert_int_equal(fibcheck_tick(&fc, &fp, now_ms), 0);
	assert_false(fc.pending);
	now_ms += 1;
	check_now();			/* 4 intervals next */
	assert_int_equal(fc.mismatches, m + 3);
	assert_int_equal(fc.next_ms, now_ms + 4 * INTERVAL_MS);
	apply_all();
	pump();
	d.nhg.digest.part[FIB_DIGEST_GROUPS] ^= 1u; /* put right */
	now_ms += 4 * INTERVAL_MS;
	check_now();
	assert_int_equal(fc.mismatches, m + 3);
	assert_int_equal(fc.streak, 0);
	assert_int_equal(fc.next_ms, now_ms + INTERVAL_MS);
	assert_memory_equal(&fp.digest, &d.nhg.digest, sizeof(fp.digest));
}

/* A question a full sync overtook (the data plane restarted and said
 * hello, say) is not compared: its answer describes a FIB the sync is
 * about to replace. Here the answer would have differed. */
static void test_fibcheck_question_superseded_by_a_sync_is_dropped(void **s)
{
	struct chan_route r = {.family = AF_INET, .len = 16};
	uint64_t checks = fc.checks, m = fc.mismatches, gen = fp.generation;

	(void)s;
	now_ms += INTERVAL_MS;
	assert_int_equal(fibcheck_tick(&fc, &fp, now_ms), 0);
	assert_true(fc.pending);
	assert_int_equal(inet_pton(AF_INET, "198.18.0.0", r.prefix), 1);
	r.group_id = group_of("198.18.0.0", 16);
	assert_int_equal(fib_route_del(&d, &r), 0);
	assert_int_equal(fibpush_full_sync(&fp), 0);
	apply_all(); /* the answer (routes differ), then the sync */
	pump();
	assert_false(fc.pending);
	assert_int_equal(fc.checks, checks);
	assert_int_equal(fc.mismatches, m);
	assert_int_equal(d.applied_generation, gen + 1);
	assert_int_equal(lookup("198.18.7.1"), r.group_id);
	now_ms += INTERVAL_MS;
	check_now();
	assert_int_equal(fc.checks, checks + 1);
	assert_int_equal(fc.mismatches, m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fibcheck_equal_after_first_sync_and_paced),
		cmocka_unit_test(test_fibcheck_lost_route_is_found_and_repaired),
		cmocka_unit_test(test_fibcheck_wrong_mac_is_found_in_nexthops),
		cmocka_unit_test(test_fibcheck_persistent_mismatch_backs_off),
		cmocka_unit_test(
			test_fibcheck_question_superseded_by_a_sync_is_dropped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
