/* The reload's classification of config differences (control/reload.c):
 * what applies live (per link: export, import, BFD, limits) and what is
 * refused by name with the process to restart, as exact lines. The
 * running config is tests/unit/configs/valid-bgp.conf, loaded for real;
 * the new one is a copy changed field by field. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "reload.h"

static struct twp_config old, new;
static struct reload_plan plan;

static int setup(void **state)
{
	char err[1024];

	(void)state;
	assert_int_equal(cfg_load(&old, TWP_TEST_DATA "/configs/valid-bgp.conf",
				  err, sizeof(err)), 0);
	new = old;
	return 0;
}

/* reload_diff's return, its output into OUT (NUL-terminated). */
static int diff(char *out, size_t len)
{
	FILE *f = fmemopen(out, len, "w");
	int rc;

	assert_non_null(f);
	memset(out, 0, len);
	rc = reload_diff(&old, &new, &plan, f);
	fclose(f);
	return rc;
}

static void test_reload_same_file_changes_nothing(void **state)
{
	char out[512];
	unsigned int i;

	(void)state;
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(plan.n_changes, 0);
	assert_int_equal(plan.n_refused, 0);
	for (i = 0; i < CFG_MAX_LINKS; i++)
		assert_int_equal(plan.link[i], 0);
	assert_false(plan.connect_retry);
}

/* Lines moved (a comment added above the links): nothing changed. */
static void test_reload_line_numbers_are_not_changes(void **state)
{
	char out[512];

	(void)state;
	new.links[0].line += 3;
	new.links[2].line += 3;
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(plan.n_changes, 0);
}

/* Every policy key applies live, each on its own link and kind. */
static void test_reload_policy_changes_apply_live(void **state)
{
	char out[512];

	(void)state;
	new.links[0].bgp.prepend = 2;                /* export */
	new.links[1].local_pref = 150;               /* import */
	new.links[2].bgp.max_prefix = 10;            /* limit */
	new.bgp.connect_retry_s = 7;
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(plan.link[0], RELOAD_EXPORT);
	assert_int_equal(plan.link[1], RELOAD_IMPORT);
	assert_int_equal(plan.link[2], RELOAD_LIMIT);
	assert_true(plan.connect_retry);
	assert_int_equal(plan.n_changes, 4);

	new = old;
	new.links[0].bgp.has_med = false;            /* export */
	new.links[0].bgp.n_import = 1;               /* import */
	new.links[1].bgp.n_communities = 1;          /* export */
	new.links[1].bgp.communities[0] = 7224u << 16 | 7300u;
	new.links[2].bgp.n_large_communities = 1;    /* export */
	new.links[2].bgp.large_communities[0][0] = 65001;
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(plan.link[0], RELOAD_EXPORT | RELOAD_IMPORT);
	assert_int_equal(plan.link[1], RELOAD_EXPORT);
	assert_int_equal(plan.link[2], RELOAD_EXPORT);
	assert_int_equal(plan.n_changes, 3);
}

/* bgp.announce reaches only the links without their own list (link3);
 * link1 has its own, link2 its own empty one. */
static void test_reload_top_announce_reaches_links_without_their_own(
	void **state)
{
	char out[512];

	(void)state;
	new.bgp.n_announce = 1;
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(plan.link[0], 0);
	assert_int_equal(plan.link[1], 0);
	assert_int_equal(plan.link[2], RELOAD_EXPORT);
	/* link2 gets a list of its own */
	new = old;
	new.links[1].bgp.n_announce = 1;
	new.links[1].bgp.announce[0] = old.bgp.announce[0];
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_int_equal(plan.link[1], RELOAD_EXPORT);
}

static void test_reload_bfd_timers_apply_live(void **state)
{
	char out[512];

	(void)state;
	old.links[0].bfd = (struct cfg_bfd){.enabled = true, .multiplier = 3,
					    .min_tx_us = 10000,
					    .min_rx_us = 10000};
	new = old;
	new.links[0].bfd.min_tx_us = 50000;
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(plan.link[0], RELOAD_BFD);
	new.links[0].bfd.min_tx_us = 10000;
	new.links[0].bfd.admin_down = true;
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_int_equal(plan.link[0], RELOAD_BFD);
}

static void test_reload_refuses_eal_args_by_name(void **state)
{
	char out[512];

	(void)state;
	snprintf(new.dataplane.eal_args[new.dataplane.n_eal_args++],
		 CFG_ARG_MAX, "--no-huge");
	assert_int_equal(diff(out, sizeof(out)), -EPERM);
	assert_string_equal(out, "reload refused: dataplane.eal_args changed "
				 "(restart twinpath-dp)\n");
	assert_int_equal(plan.n_refused, 1);
}

/* The FIB digest check's interval is read once at start. */
static void test_reload_refuses_fib_check_interval_by_name(void **state)
{
	char out[512];

	(void)state;
	new.control.fib_check_interval_s = old.control.fib_check_interval_s + 1;
	assert_int_equal(diff(out, sizeof(out)), -EPERM);
	assert_string_equal(out, "reload refused: control.fib_check_interval_s "
				 "changed (restart twinpathd)\n");
	assert_int_equal(plan.n_refused, 1);
}

/* Every refused setting is named, in the file's order, with the process
 * that takes it; live changes beside them change nothing either. */
static void test_reload_refuses_each_restart_setting(void **state)
{
	char out[2048];

	(void)state;
	snprintf(new.instance, sizeof(new.instance), "other");
	new.local_as = 65002;
	new.dataplane.mbufs = 4096;
	snprintf(new.control.socket, sizeof(new.control.socket), "/run/x");
	new.lan.ingress_filter = CFG_INGRESS_LOOSE;
	new.bgp.hold_time_s = 90;
	snprintf(new.links[0].interface, sizeof(new.links[0].interface),
		 "eth9");
	new.links[0].local_address.addr[3] = 2;
	new.links[0].bgp.prepend = 1; /* live, but the reload is refused */
	snprintf(new.links[0].bgp.password, sizeof(new.links[0].bgp.password),
		 "other");
	new.links[1].mtu = 9000;
	new.links[1].suspect.enabled = true;
	new.links[1].remote_as = 64511;
	new.links[2].bgp.passive = true;
	new.links[2].bfd.enabled = true;
	assert_int_equal(diff(out, sizeof(out)), -EPERM);
	assert_string_equal(out,
		"reload refused: instance changed (restart twinpath-dp and "
		"twinpathd)\n"
		"reload refused: local_as changed (restart twinpathd)\n"
		"reload refused: dataplane.mbufs changed (restart twinpath-dp)\n"
		"reload refused: control.socket changed (restart twinpathd)\n"
		"reload refused: lan.ingress_filter changed (restart "
		"twinpath-dp)\n"
		"reload refused: bgp.hold_time changed (restart twinpathd)\n"
		"reload refused: links[link1].interface changed (restart "
		"twinpath-dp)\n"
		"reload refused: links[link1].local_address changed (restart "
		"twinpath-dp)\n"
		"reload refused: links[link1].bgp.password changed (restart "
		"twinpathd)\n"
		"reload refused: links[link2].mtu changed (restart "
		"twinpath-dp)\n"
		"reload refused: links[link2].suspect changed (restart "
		"twinpath-dp)\n"
		"reload refused: links[link2].remote_as changed (restart "
		"twinpathd)\n"
		"reload refused: links[link3].bfd (the group added) changed "
		"(restart twinpath-dp)\n"
		"reload refused: links[link3].bgp.passive changed (restart "
		"twinpathd)\n");
	assert_int_equal(plan.n_refused, 14);
}

static void test_reload_refuses_links_added_or_renamed(void **state)
{
	char out[512];

	(void)state;
	new.n_links = 2;
	assert_int_equal(diff(out, sizeof(out)), -EPERM);
	assert_string_equal(out, "reload refused: links (3 -> 2) changed "
				 "(restart twinpath-dp and twinpathd)\n");
	new = old;
	snprintf(new.links[1].name, sizeof(new.links[1].name), "pop-b");
	assert_int_equal(diff(out, sizeof(out)), -EPERM);
	assert_string_equal(out, "reload refused: links (link 2 named pop-b, "
				 "was link2) changed (restart twinpath-dp "
				 "and twinpathd)\n");
}

/* Active/standby groups of static routes take their primary and backup
 * sets from local_pref (control/fibpush.c): live only without them. */
static void test_reload_refuses_local_pref_of_static_via_links(void **state)
{
	char out[512];

	(void)state;
	old.mode = CFG_MODE_ACTIVE_STANDBY;
	old.n_routes = 1;
	old.routes[0].n_via = 2;
	old.routes[0].via[0] = 0;
	old.routes[0].via[1] = 2;
	new = old;
	new.links[1].local_pref = 50; /* link2 carries no static route */
	assert_int_equal(diff(out, sizeof(out)), 0);
	new.links[2].local_pref = 50;
	assert_int_equal(diff(out, sizeof(out)), -EPERM);
	assert_string_equal(out, "reload refused: links[link3].local_pref "
				 "(static routes via the link are grouped by "
				 "it) changed (restart twinpathd)\n");
	new.links[2].local_pref = old.links[2].local_pref;
	new.routes[0].via[1] = 1;
	assert_int_equal(diff(out, sizeof(out)), -EPERM);
	assert_string_equal(out, "reload refused: static_routes changed "
				 "(restart twinpathd)\n");
}

/* The (default) strict ingress filter holds the announced prefixes as
 * the site in twinpath-dp (dataplane/filter.c): an announce change that
 * keeps the site's addresses (a more-specific of the /16, moved or
 * added) applies live; one that adds addresses is refused. */
static void test_reload_refuses_announce_that_changes_the_site(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(old.lan.ingress_filter, CFG_INGRESS_STRICT);
	assert_int_equal(cfg_parse_prefix("198.18.128.0/17",
					  &new.links[1].bgp.announce[0]), 0);
	new.links[1].bgp.n_announce = 1;
	new.links[0].bgp.n_announce = 1; /* 198.18.0.0/17 stays */
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_int_equal(plan.link[0], RELOAD_EXPORT);
	assert_int_equal(plan.link[1], RELOAD_EXPORT);
	assert_int_equal(cfg_parse_prefix("192.0.2.0/24",
					  &new.links[1].bgp.announce[1]), 0);
	new.links[1].bgp.n_announce = 2;
	assert_int_equal(diff(out, sizeof(out)), -EPERM);
	assert_string_equal(out,
		"reload refused: the site prefixes (bgp.announce, "
		"links[].bgp.announce) changed (restart twinpath-dp: a strict "
		"ingress_filter holds them)\n");
	/* with every filter loose, the site table is not used */
	old.lan.ingress_filter = CFG_INGRESS_LOOSE;
	for (unsigned int i = 0; i < old.n_links; i++)
		old.links[i].ingress_filter = CFG_INGRESS_LOOSE;
	new.lan.ingress_filter = CFG_INGRESS_LOOSE;
	for (unsigned int i = 0; i < new.n_links; i++)
		new.links[i].ingress_filter = CFG_INGRESS_LOOSE;
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_string_equal(out, "");
}

/* A difference no rule names (here a field only the loader derives) is
 * refused too: nothing is ever half applied. */
static void test_reload_refuses_an_unnamed_difference(void **state)
{
	char out[512];

	(void)state;
	new.control.metrics_port = 9999;
	assert_int_equal(diff(out, sizeof(out)), -EPERM);
	assert_string_equal(out, "reload refused: a setting that cannot be "
				 "applied live changed (restart twinpath-dp "
				 "and twinpathd)\n");
}

/* The link monitor's thresholds, the links' capacities (the monitor
 * reads them under its lock from its next interval) and the drain rule
 * (read when a drain runs) apply live. */
static void test_reload_monitor_and_capacity_apply_live(void **state)
{
	char out[512];

	(void)state;
	new.monitor.utilisation_warn = 0.5;
	new.links[1].capacity_mbps = 1000;
	new.bgp.drain_quiet_s = 9;
	assert_int_equal(diff(out, sizeof(out)), 0);
	assert_string_equal(out, "");
	assert_true(plan.monitor);
	assert_true(plan.drain);
	assert_int_equal(plan.link[0], 0);
	assert_int_equal(plan.link[1], RELOAD_CAPACITY);
	assert_int_equal(plan.n_changes, 3);
	assert_int_equal(plan.n_refused, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_reload_same_file_changes_nothing),
		T(test_reload_line_numbers_are_not_changes),
		T(test_reload_policy_changes_apply_live),
		T(test_reload_top_announce_reaches_links_without_their_own),
		T(test_reload_bfd_timers_apply_live),
		T(test_reload_refuses_eal_args_by_name),
		T(test_reload_refuses_fib_check_interval_by_name),
		T(test_reload_refuses_each_restart_setting),
		T(test_reload_refuses_links_added_or_renamed),
		T(test_reload_refuses_local_pref_of_static_via_links),
		T(test_reload_refuses_announce_that_changes_the_site),
		T(test_reload_refuses_an_unnamed_difference),
		T(test_reload_monitor_and_capacity_apply_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
