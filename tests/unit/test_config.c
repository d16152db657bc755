/* Config loader: a valid file loads into exact values (defaults too), and
 * each class of mistake is reported as one exact "FILE:LINE: message". */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "config.h"

#define CONFIGS TWP_TEST_DATA "/configs/"

static struct twp_config cfg; /* too large for the stack */
static char err[1024];

static void assert_addr(const struct cfg_addr *a, const char *want)
{
	char buf[64];

	assert_string_equal(cfg_addr_str(a, buf, sizeof(buf)), want);
}

/* Loads NAME from tests/unit/configs and expects exactly "PATH:MSG". */
static void assert_load_error(const char *name, const char *line_msg)
{
	char path[PATH_MAX], want[PATH_MAX + 512];

	snprintf(path, sizeof(path), "%s%s", CONFIGS, name);
	snprintf(want, sizeof(want), "%s:%s", path, line_msg);
	assert_int_equal(cfg_load(&cfg, path, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
}

static void test_config_valid_file_loads_every_key(void **state)
{
	char dir[PATH_MAX], want[PATH_MAX + 32];

	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "valid.conf", err,
				  sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(cfg.path, CONFIGS "valid.conf");
	assert_string_equal(cfg.instance, "site-a");
	assert_int_equal(cfg.local_as, 4200000000u);
	assert_memory_equal(cfg.router_id, ((uint8_t[]){192, 0, 2, 1}), 4);
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_STANDBY);

	assert_int_equal(cfg.dataplane.n_eal_args, 3);
	assert_string_equal(cfg.dataplane.eal_args[0], "-l");
	assert_string_equal(cfg.dataplane.eal_args[1], "0-1");
	assert_string_equal(cfg.dataplane.eal_args[2], "--no-pci");
	assert_non_null(realpath(TWP_TEST_DATA "/configs", dir));
	snprintf(want, sizeof(want), "%s/bpf/bfd.bpf.o", dir);
	assert_string_equal(cfg.dataplane.xdp_prog, want);
	assert_int_equal(cfg.dataplane.mbufs, 32767);
	assert_int_equal(cfg.dataplane.ipv4_routes_max, 65536);
	assert_int_equal(cfg.dataplane.ipv6_routes_max, 4096);
	assert_int_equal(cfg.dataplane.icmp_errors_per_s, 0);
	assert_int_equal(cfg.dataplane.icmp_burst, 1);
	assert_int_equal(cfg.dataplane.idle_sleep_us, 0);
	assert_int_equal(cfg.dataplane.rt_priority, 0);
	assert_string_equal(cfg.control.socket, "/tmp/twinpath-site-a.sock");
	assert_int_equal(cfg.control.fib_check_interval_s, 0);

	assert_string_equal(cfg.lan.interface, "eth0");
	assert_int_equal(cfg.lan.address.family, AF_INET6);
	assert_addr(&cfg.lan.address, "2001:db8:1::1/64");
	assert_int_equal(cfg_lan_port(&cfg), 2);

	assert_int_equal(cfg.n_links, 2);
	assert_string_equal(cfg.links[0].name, "pop-a");
	assert_string_equal(cfg.links[0].interface, "eth1");
	assert_addr(&cfg.links[0].local_address, "203.0.113.1/30");
	assert_addr(&cfg.links[0].peer_address, "203.0.113.2");
	assert_int_equal(cfg.links[0].peer_address.len, 32);
	assert_int_equal(cfg.links[0].remote_as, 35540);
	assert_int_equal(cfg.links[0].local_pref, 200);
	assert_int_equal(cfg.links[0].mtu, 9000);
	assert_true(cfg.links[0].bfd.enabled);
	assert_true(cfg.links[0].bfd.admin_down);
	assert_int_equal(cfg.links[0].bfd.min_tx_us, 50000);
	assert_int_equal(cfg.links[0].bfd.min_rx_us, 10000);
	assert_int_equal(cfg.links[0].bfd.multiplier, 5);
	assert_string_equal(cfg.links[0].device, "");
	assert_int_equal(cfg.links[0].line, 23);
	assert_string_equal(cfg.links[1].name, "pop_b");
	assert_string_equal(cfg.links[1].interface, "eth2");
	assert_addr(&cfg.links[1].local_address, "2001:db8:2::1/127");
	assert_addr(&cfg.links[1].peer_address, "2001:db8:2::");
	assert_int_equal(cfg.links[1].peer_address.len, 128);
	assert_int_equal(cfg.links[1].remote_as, 4294967295u);
	assert_int_equal(cfg.links[1].local_pref, 0);
	assert_int_equal(cfg.links[1].mtu, 576);
	assert_false(cfg.links[1].bfd.enabled);
	assert_string_equal(cfg.links[1].device, "net_ring0");

	assert_int_equal(cfg.n_routes, 3);
	assert_addr(&cfg.routes[0].prefix, "198.51.100.0/24");
	assert_int_equal(cfg.routes[0].n_via, 2);
	assert_int_equal(cfg.routes[0].via[0], 1);
	assert_int_equal(cfg.routes[0].via[1], 0);
	assert_int_equal(cfg.routes[0].gateway.family, 0);
	assert_addr(&cfg.routes[1].prefix, "0.0.0.0/0");
	assert_int_equal(cfg.routes[1].n_via, 1);
	assert_int_equal(cfg.routes[1].via[0], 0);
	assert_addr(&cfg.routes[2].prefix, "2001:db8:100::/48");
	assert_int_equal(cfg.routes[2].n_via, 0);
	assert_addr(&cfg.routes[2].gateway, "2001:db8:1::10");
	assert_int_equal(cfg.routes[2].line, 47);
}

static void test_config_optional_keys_take_defaults(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "defaults.conf", err,
				  sizeof(err)), 0);
	assert_string_equal(cfg.instance, "twinpath");
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_ACTIVE);
	assert_int_equal(cfg.dataplane.n_eal_args, 2);
	assert_string_equal(cfg.dataplane.eal_args[0], "-l");
	assert_string_equal(cfg.dataplane.eal_args[1], "0-1");
	assert_string_equal(cfg.dataplane.xdp_prog, TWP_XDP_PROG_DEFAULT);
	assert_int_equal(cfg.dataplane.mbufs, 16383);
	assert_int_equal(cfg.dataplane.ipv4_routes_max, 1u << 20);
	assert_int_equal(cfg.dataplane.ipv6_routes_max, 1u << 18);
	assert_int_equal(cfg.dataplane.icmp_errors_per_s, 100);
	assert_int_equal(cfg.dataplane.icmp_burst, 10);
	assert_int_equal(cfg.dataplane.ip_options, CFG_IP_OPTIONS_FORWARD);
	assert_int_equal(cfg.lan.ingress_filter, CFG_INGRESS_STRICT);
	assert_int_equal(cfg.links[0].ingress_filter, CFG_INGRESS_STRICT);
	assert_int_equal(cfg.dataplane.idle_sleep_us, 100);
	assert_int_equal(cfg.dataplane.rt_priority, 1);
	assert_string_equal(cfg.lan.device, "");
	assert_int_equal(cfg.lan.address6.family, 0);
	assert_int_equal(cfg.links[0].local_address6.family, 0);
	assert_string_equal(cfg.control.socket, "/run/twinpath/twinpath.sock");
	assert_int_equal(cfg.control.fib_check_interval_s, 5);
	assert_int_equal(cfg.n_links, 1);
	assert_int_equal(cfg.links[0].local_pref, 100);
	assert_int_equal(cfg.links[0].mtu, 1500);
	assert_false(cfg.links[0].bfd.enabled);
	assert_int_equal(cfg.n_routes, 0);
	/* no bgp group: no sessions, nothing set in the links' bgp part */
	assert_false(cfg.bgp.enabled);
	assert_int_equal(cfg.links[0].bgp.hold_time_s, 0);
	assert_int_equal(cfg.links[0].bgp.n_import, 0);
	/* no monitor group: its defaults; no capacity known */
	assert_int_equal(cfg.links[0].capacity_mbps, 0);
	assert_true(cfg.monitor.utilisation_warn == 0.8);
	assert_true(cfg.monitor.imbalance_warn == 0.2);
	assert_int_equal(cfg.monitor.imbalance_min_mbps, 1);
	assert_int_equal(cfg.monitor.interval_ms, 1000);
}

/* monitor { } and links.capacity_mbps: exact values, a float or a whole
 * number where a number is asked, and each mistake at its line. */
static void test_config_monitor_loads(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "monitor.conf", err,
				  sizeof(err)), 0);
	assert_true(cfg.monitor.utilisation_warn == 0.9);
	assert_true(cfg.monitor.imbalance_warn == 0.25);
	assert_int_equal(cfg.monitor.imbalance_min_mbps, 50);
	assert_int_equal(cfg.monitor.interval_ms, 250);
	assert_int_equal(cfg.links[0].capacity_mbps, 10000);
	assert_int_equal(cfg.links[1].capacity_mbps, 0);
	assert_int_equal(cfg_load(&cfg, CONFIGS "monitor-interval-int.conf",
				  err, sizeof(err)), 0);
	assert_int_equal(cfg.monitor.interval_ms, 5000);
	assert_true(cfg.monitor.utilisation_warn == 1.0);
	assert_true(cfg.monitor.imbalance_warn == 0.2);
}

static void test_config_monitor_refused(void **state)
{
	(void)state;
	assert_load_error("monitor-utilisation-range.conf",
			  "5: utilisation_warn 1.5 out of range 0.01..1");
	assert_load_error("monitor-interval-range.conf",
			  "6: interval_s 0.05 out of range 0.1..60");
	assert_load_error("monitor-imbalance-type.conf",
			  "5: 'imbalance_warn' must be a number");
	assert_load_error("monitor-unknown-key.conf",
			  "5: unknown setting 'capacity_mbps'");
	assert_load_error("monitor-min-range.conf",
			  "5: imbalance_min_mbps -1 out of range 0..100000000");
	assert_load_error("capacity-zero.conf",
			  "13: capacity_mbps 0 out of range 1..10000000");
	assert_load_error("capacity-type.conf",
			  "13: 'capacity_mbps' must be an integer");
}

static void test_config_lab_active_active_loads(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, TWP_TEST_DATA
				  "/../../config/lab-active-active.conf", err,
				  sizeof(err)), 0);
	assert_string_equal(cfg.instance, "lab");
	assert_int_equal(cfg.local_as, 65001);
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_ACTIVE);
	assert_string_equal(cfg.lan.interface, "lan0");
	assert_addr(&cfg.lan.address, "198.18.1.1/24");
	assert_int_equal(cfg.n_links, 2);
	assert_addr(&cfg.links[0].peer_address, "203.0.113.2");
	assert_addr(&cfg.links[1].local_address, "203.0.113.5/30");
	assert_int_equal(cfg.links[0].local_pref, 100);
	assert_int_equal(cfg.links[1].local_pref, 100);
	assert_int_equal(cfg.n_routes, 2);
	assert_int_equal(cfg.routes[0].n_via, 2);
	assert_addr(&cfg.routes[1].gateway, "198.18.1.10");
	assert_string_equal(cfg.control.socket, "/run/twinpath/lab.sock");
}

static void test_config_lab_active_standby_prefers_link1(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, TWP_TEST_DATA
				  "/../../config/lab-active-standby.conf", err,
				  sizeof(err)), 0);
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_STANDBY);
	assert_int_equal(cfg.links[0].local_pref, 200);
	assert_int_equal(cfg.links[1].local_pref, 100);
}

static void test_config_unreadable_file_is_errno(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "no-such.conf", err,
				  sizeof(err)), -ENOENT);
	assert_string_equal(err, CONFIGS "no-such.conf: cannot read: "
				 "No such file or directory");
}

static void test_config_syntax_error(void **state)
{
	(void)state;
	assert_load_error("syntax-error.conf", "3: syntax error");
}

/* The same message when the token libconfig stops at is a string: the
 * parse whose leak inside libconfig the sanitizer build suppresses
 * (tests/sanitize/lsan.supp), so that build shows the suppression holds. */
static void test_config_syntax_error_at_string(void **state)
{
	(void)state;
	assert_load_error("syntax-error-string.conf", "4: syntax error");
}

static void test_config_unknown_key(void **state)
{
	(void)state;
	assert_load_error("unknown-key.conf",
			  "8: unknown setting 'local_prefs'");
}

static void test_config_missing_required_key(void **state)
{
	(void)state;
	assert_load_error("missing-key.conf",
			  "1: missing required setting 'router_id'");
}

static void test_config_wrong_type(void **state)
{
	(void)state;
	assert_load_error("wrong-type.conf",
			  "2: 'local_as' must be an integer");
}

static void test_config_as_out_of_range(void **state)
{
	(void)state;
	assert_load_error("as-out-of-range.conf",
			  "7: remote_as 4294967296 out of range 1..4294967295");
}

static void test_config_bad_address(void **state)
{
	(void)state;
	assert_load_error("bad-address.conf",
			  "7: peer_address '203.0.113.256' is not an IPv4 or "
			  "IPv6 address");
}

static void test_config_prefix_with_host_bits(void **state)
{
	(void)state;
	assert_load_error("host-bits.conf",
			  "10: prefix 198.51.100.1/24 has host bits set (did "
			  "you mean 198.51.100.0/24?)");
}

static void test_config_duplicate_link_name(void **state)
{
	(void)state;
	assert_load_error("duplicate-link.conf",
			  "8: duplicate link name 'link1' (first at line 6)");
}

static void test_config_unknown_link_in_via(void **state)
{
	(void)state;
	assert_load_error("unknown-via.conf", "13: via: unknown link 'link3'");
}

static void test_config_via_and_gateway_both_set(void **state)
{
	(void)state;
	assert_load_error("via-and-gateway.conf",
			  "11: static route 198.51.100.0/24: set either 'via' "
			  "or 'gateway', not both");
}

/* RFC 6286 §2.1: a BGP Identifier of 0 is refused by every peer
 * (NOTIFICATION 2/3), so the file is refused first. */
static void test_config_router_id_zero_refused(void **state)
{
	(void)state;
	assert_load_error("router-id-zero.conf",
			  "3: router_id 0.0.0.0 is not a BGP Identifier "
			  "(nonzero, RFC 6286 §2.1)");
}

/* An announce covering the link subnets: the message points at the
 * announce and names the first link's subnet with its line. */
static void test_config_announce_overlapping_link_subnet_refused(void **state)
{
	(void)state;
	assert_load_error("announce-overlaps-link.conf",
			  "7: announce: prefix 203.0.113.0/24 overlaps link "
			  "'link1' subnet 203.0.113.0/30 (line 11)");
	/* covered by a link's IPv6 subnet, the other direction */
	assert_load_error("announce-inside-link6.conf",
			  "6: announce: prefix 2001:db8:2:0:8000::/65 overlaps "
			  "link 'link2' subnet 2001:db8:2::/64 (line 14)");
}

/* An announce inside an import range of another link: refused, naming
 * the rule and its line; link1's 0.0.0.0/0 rule does not count. */
static void test_config_announce_overlapping_import_refused(void **state)
{
	(void)state;
	assert_load_error("announce-overlaps-import.conf",
			  "6: announce: prefix 198.51.100.128/25 overlaps link "
			  "'link2' import rule \"198.51.100.0/24 le 32\" (line "
			  "18): we would announce what we learn from the "
			  "provider");
}

/* A static route inside a link subnet; the default route before it is
 * not refused. */
static void test_config_static_route_overlapping_link_subnet(void **state)
{
	(void)state;
	assert_load_error("static-overlaps-link.conf",
			  "12: static route 203.0.113.2 overlaps link 'link1' "
			  "subnet 203.0.113.0/30 (line 7)");
}

/* links.bgp.communities: "ASN:VALUE" 16 bits each, "A:B:C" 32 bits
 * each; anything else, or a repeat, is refused. */
static void test_config_bgp_communities_refused(void **state)
{
	(void)state;
	assert_load_error("bgp-communities-bad.conf",
			  "15: link 'link1': community '7224:70000' is neither "
			  "\"ASN:VALUE\" (0..65535 each, RFC 1997) nor "
			  "\"A:B:C\" (0..4294967295 each, RFC 8092)");
	assert_load_error("bgp-communities-large-bad.conf",
			  "15: link 'link1': community '1:2:4294967296' is "
			  "neither \"ASN:VALUE\" (0..65535 each, RFC 1997) nor "
			  "\"A:B:C\" (0..4294967295 each, RFC 8092)");
	assert_load_error("bgp-communities-twice.conf",
			  "16: link 'link1': community 7224:7100 listed twice");
	assert_load_error("bgp-communities-type.conf",
			  "15: 'communities' must be an array of strings "
			  "[\"64500:100\", \"64500:1:2\", ...]");
}

/* links.bgp.announce: the same rules as bgp.announce, and the address
 * plan checks name the link whose list it is. */
static void test_config_bgp_link_announce_refused(void **state)
{
	(void)state;
	assert_load_error("bgp-link-announce-host-bits.conf",
			  "15: link 'link1': announce: prefix 198.18.0.1/16 has "
			  "host bits set (did you mean 198.18.0.0/16?)");
	assert_load_error("bgp-link-announce-overlap.conf",
			  "15: link 'link1': announce: prefix 203.0.113.4/31 "
			  "overlaps link 'link2' subnet 203.0.113.4/30 (line "
			  "21)");
}

#define CONFIG_DIR TWP_TEST_DATA "/../../config/"

static void load_example(const char *name)
{
	assert_int_equal(cfg_load(&cfg, name, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

/* Every file in config/ loads as shipped (a new one too: they are
 * globbed), and the deployment scenarios are among them. */
static void test_config_every_example_loads(void **state)
{
	static const char *const scenarios[] = {
		"onprem-active-standby.conf", "onprem-active-active.conf",
		"sdwan-edge.conf", "aws-dx.conf", "azure-expressroute.conf",
		"gcp-interconnect-9999.conf",
	};
	unsigned int found = 0;
	glob_t g;
	size_t i, k;

	(void)state;
	assert_int_equal(glob(CONFIG_DIR "*.conf", 0, NULL, &g), 0);
	for (i = 0; i < g.gl_pathc; i++) {
		load_example(g.gl_pathv[i]);
		for (k = 0; k < sizeof(scenarios) / sizeof(scenarios[0]); k++)
			if (strcmp(strrchr(g.gl_pathv[i], '/') + 1,
				   scenarios[k]) == 0)
				found++;
	}
	globfree(&g);
	assert_int_equal(found, 6);
}

/* On-prem active/active: both 1 Gbit/s links watched, each warned at
 * half its capacity (it must be able to take its twin's share). */
static void test_config_onprem_active_active_monitor(void **state)
{
	(void)state;
	load_example(CONFIG_DIR "onprem-active-active.conf");
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_ACTIVE);
	assert_int_equal(cfg.links[0].capacity_mbps, 1000);
	assert_int_equal(cfg.links[1].capacity_mbps, 1000);
	assert_true(cfg.monitor.utilisation_warn == 0.5);
	assert_true(cfg.monitor.imbalance_warn == 0.2);
	assert_int_equal(cfg.monitor.imbalance_min_mbps, 10);
	assert_int_equal(cfg.monitor.interval_ms, 5000);
}

/* AWS Direct Connect: BFD 300 ms x 3, TTL 1 (no GTSM), MD5 on both,
 * no graceful restart with BFD, local-preference communities 7224:7300
 * on the primary and 7224:7100 on the backup, a private local ASN. */
static void test_config_aws_dx_scenario(void **state)
{
	unsigned int i;

	(void)state;
	load_example(CONFIG_DIR "aws-dx.conf");
	assert_in_range(cfg.local_as, 64512, 65534);
	assert_false(cfg.bgp.graceful_restart);
	assert_int_equal(cfg.bgp.hold_time_s, 90);
	assert_int_equal(cfg.n_links, 2);
	for (i = 0; i < 2; i++) {
		const struct cfg_link *l = &cfg.links[i];

		assert_true(l->bfd.enabled);
		assert_int_equal(l->bfd.min_tx_us, 300000);
		assert_int_equal(l->bfd.min_rx_us, 300000);
		assert_int_equal(l->bfd.multiplier, 3);
		assert_false(l->bgp.ttl_security);
		assert_true(l->bgp.password[0] != '\0');
		assert_int_equal(l->bgp.n_communities, 1);
		assert_int_not_equal(l->remote_as, cfg.local_as);
	}
	assert_int_equal(cfg.links[0].bgp.communities[0], 7224u << 16 | 7300u);
	assert_int_equal(cfg.links[1].bgp.communities[0], 7224u << 16 | 7100u);
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_STANDBY);
}

/* Azure ExpressRoute: Microsoft's AS 12076 on both links, BFD 300 ms x
 * 3, active/active, a local ASN outside Azure's 65515..65520. */
static void test_config_azure_expressroute_scenario(void **state)
{
	unsigned int i;

	(void)state;
	load_example(CONFIG_DIR "azure-expressroute.conf");
	assert_true(cfg.local_as < 65515 || cfg.local_as > 65520);
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_ACTIVE);
	assert_int_equal(cfg.n_links, 2);
	assert_true(cfg.bgp.n_announce <= 4000);
	for (i = 0; i < 2; i++) {
		assert_int_equal(cfg.links[i].remote_as, 12076);
		assert_int_equal(cfg.links[i].bfd.min_tx_us, 300000);
		assert_int_equal(cfg.links[i].bfd.min_rx_us, 300000);
		assert_int_equal(cfg.links[i].bfd.multiplier, 3);
		assert_true(cfg.links[i].bgp.max_prefix > 0);
	}
}

/* GCP 99.99 %: four links, MED 100 on metro 1 and 200 on metro 2, BFD
 * within Cloud Router's range (1 000..30 000 ms, multiplier 5..16),
 * metro 1 the primary tier. */
static void test_config_gcp_interconnect_scenario(void **state)
{
	static const uint32_t med[] = {100, 100, 200, 200};
	static const uint32_t pref[] = {200, 200, 100, 100};
	unsigned int i;

	(void)state;
	load_example(CONFIG_DIR "gcp-interconnect-9999.conf");
	assert_int_equal(cfg.n_links, 4);
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_STANDBY);
	for (i = 0; i < 4; i++) {
		const struct cfg_link *l = &cfg.links[i];

		assert_int_equal(l->remote_as, 16550);
		assert_true(l->bgp.has_med);
		assert_int_equal(l->bgp.med, med[i]);
		assert_int_equal(l->local_pref, pref[i]);
		assert_in_range(l->bfd.min_tx_us, 1000000, 30000000);
		assert_in_range(l->bfd.min_rx_us, 1000000, 30000000);
		assert_in_range(l->bfd.multiplier, 5, 16);
	}
}

/* SD-WAN edge: each link announces its own list with its carrier's
 * community; the top-level list holds both (the site). */
static void test_config_sdwan_edge_scenario(void **state)
{
	(void)state;
	load_example(CONFIG_DIR "sdwan-edge.conf");
	assert_int_equal(cfg.bgp.n_announce, 2);
	assert_true(cfg.links[0].bgp.has_announce);
	assert_int_equal(cfg.links[0].bgp.n_announce, 1);
	assert_addr(&cfg.links[0].bgp.announce[0], "198.18.20.0/24");
	assert_int_equal(cfg.links[0].bgp.communities[0], 64496u << 16 | 20u);
	assert_true(cfg.links[1].bgp.has_announce);
	assert_addr(&cfg.links[1].bgp.announce[0], "192.0.2.0/24");
	assert_int_equal(cfg.links[1].bgp.prepend, 2);
	assert_int_equal(cfg.links[1].bfd.min_tx_us, 1000000);
}

static void test_config_link_subnet_overlaps_lan(void **state)
{
	(void)state;
	assert_load_error("overlap-lan-link.conf",
			  "6: link 'link1': subnet 203.0.113.8/30 overlaps the "
			  "lan subnet 203.0.113.0/24");
}

/* lan.address6 and links.local_address6: stored with their lengths,
 * unset (family 0) where absent; a /127 has no Subnet-Router anycast
 * address (RFC 6164), so its ::0 end is a host. */
static void test_config_address6_loads(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "address6.conf", err,
				  sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_addr(&cfg.lan.address, "198.18.1.1/24");
	assert_int_equal(cfg.lan.address6.family, AF_INET6);
	assert_addr(&cfg.lan.address6, "2001:db8:1::1/64");
	assert_int_equal(cfg.links[0].local_address6.family, AF_INET6);
	assert_addr(&cfg.links[0].local_address6, "2001:db8:2::/127");
	assert_int_equal(cfg.links[1].local_address6.family, 0);
}

static void test_config_address6_not_ipv6(void **state)
{
	(void)state;
	assert_load_error("address6-ipv4.conf",
			  "5: lan: address6 '198.18.2.1/24' is not an IPv6 "
			  "address/length (like 2001:db8:1::1/64)");
	assert_load_error("address6-no-length.conf",
			  "8: link 'link1': local_address6 '2001:db8:2::1' is "
			  "not an IPv6 address/length (like "
			  "2001:db8:1::1/64)");
}

static void test_config_address6_not_a_host(void **state)
{
	(void)state;
	assert_load_error("address6-anycast.conf",
			  "5: lan: address6 2001:db8:1::/64 is the subnet's "
			  "Subnet-Router anycast address (RFC 4291 §2.6.1), "
			  "not a host address");
	assert_load_error("address6-link-local.conf",
			  "8: link 'link1': local_address6 fe80::1/64 is a "
			  "link-local address, not a global or unique-local "
			  "unicast address");
}

static void test_config_address6_beside_ipv6_address(void **state)
{
	(void)state;
	assert_load_error("address6-twice.conf",
			  "5: lan: address6 is for a port whose address is "
			  "IPv4, and 2001:db8:1::1/64 is IPv6");
}

/* The IPv6 subnets of all ports do not overlap, whichever key holds
 * them: a link's address6 against the LAN's, a link's IPv6 address
 * against another link's address6. */
static void test_config_address6_subnets_overlap(void **state)
{
	(void)state;
	assert_load_error("address6-overlap-lan.conf",
			  "9: link 'link1': subnet 2001:db8:1:5::/64 overlaps "
			  "the lan subnet 2001:db8:1::/48");
	assert_load_error("address6-overlap-links.conf",
			  "10: link 'link2': subnet 2001:db8:2::8/126 "
			  "overlaps link 'link1' subnet 2001:db8:2::/64");
}

static void test_config_link_subnets_overlap(void **state)
{
	(void)state;
	assert_load_error("overlap-links.conf",
			  "8: link 'link2': subnet 203.0.113.0/29 overlaps "
			  "link 'link1' subnet 203.0.113.0/30");
}

static void test_config_peer_outside_link_subnet(void **state)
{
	(void)state;
	assert_load_error("peer-outside.conf",
			  "7: link 'link1': peer_address 203.0.113.6 is "
			  "outside local_address 203.0.113.1/30");
}

/* An IPv6 peer beside an IPv4 local_address: the session runs over
 * IPv6 from local_address6 and carries both families; a link-local peer
 * belongs to the link's interface, with or without its zone. */
static void test_config_peer6_loads(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "peer6.conf", err,
				  sizeof(err)), 0);
	assert_addr(&cfg.links[0].peer_address, "2001:db8:1::2");
	assert_int_equal(cfg.links[0].peer_address.len, 128);
	assert_ptr_equal(cfg_link_local_for_peer(&cfg.links[0]),
			 &cfg.links[0].local_address6);
	assert_ptr_equal(cfg_link_addr(&cfg.links[0], AF_INET),
			 &cfg.links[0].local_address);
	assert_addr(&cfg.links[1].peer_address, "fe80::2");
	assert_true(cfg_addr_link_local(&cfg.links[1].peer_address));
	assert_null(cfg_link_local_for_peer(&cfg.links[1]));
}

static void test_config_peer6_needs_address6(void **state)
{
	(void)state;
	assert_load_error("peer6-no-address6.conf",
			  "7: link 'link1': peer_address 2001:db8:1::2 is "
			  "IPv6 and the link has no IPv6 address "
			  "(local_address6)");
	assert_load_error("peer6-link-local-no-address6.conf",
			  "7: link 'link1': peer_address fe80::2 is IPv6 and "
			  "the link has no IPv6 address (local_address6)");
}

static void test_config_peer6_outside_or_own(void **state)
{
	(void)state;
	assert_load_error("peer6-outside.conf",
			  "8: link 'link1': peer_address 2001:db8:2::2 is "
			  "outside local_address6 2001:db8:1::1/64 and not "
			  "link-local (fe80::/10)");
	assert_load_error("peer6-own.conf",
			  "8: link 'link1': peer_address 2001:db8:1::1 is our "
			  "own local_address6");
}

static void test_config_peer6_zone(void **state)
{
	(void)state;
	assert_load_error("peer6-link-local-other-if.conf",
			  "8: link 'link1': peer_address fe80::2 is "
			  "link-local on interface 'link2', not on the link's "
			  "interface 'link1'");
	assert_load_error("peer6-zone-global.conf",
			  "8: link 'link1': peer_address 2001:db8:1::2: a zone "
			  "('%link1') is only for a link-local address "
			  "(fe80::/10)");
}

/* A session per family: peer_address6 beside an IPv4 peer_address,
 * inside local_address6 or link-local on the link's interface. */
static void test_config_dual_session_loads(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "dual-session.conf", err,
				  sizeof(err)), 0);
	assert_addr(&cfg.links[0].peer_address, "203.0.113.2");
	assert_addr(&cfg.links[0].peer_address6, "2001:db8:1::2");
	assert_int_equal(cfg.links[0].peer_address6.len, 128);
	assert_ptr_equal(cfg_link_local_for(&cfg.links[0],
					    &cfg.links[0].peer_address6),
			 &cfg.links[0].local_address6);
	assert_ptr_equal(cfg_link_local_for_peer(&cfg.links[0]),
			 &cfg.links[0].local_address);
	assert_addr(&cfg.links[1].peer_address6, "fe80::2");
	assert_null(cfg_link_local_for(&cfg.links[1],
				       &cfg.links[1].peer_address6));
	/* one session per link: no second peer */
	assert_int_equal(cfg_load(&cfg, CONFIGS "peer6.conf", err,
				  sizeof(err)), 0);
	assert_int_equal(cfg.links[0].peer_address6.family, 0);
}

static void test_config_dual_session_errors(void **state)
{
	(void)state;
	assert_load_error("dual-session-not-v6.conf",
			  "8: link 'link1': peer_address6 203.0.113.3 is not "
			  "an IPv6 address");
	assert_load_error("dual-session-beside-v6.conf",
			  "8: link 'link1': peer_address6 is for a second "
			  "session beside an IPv4 peer_address; peer_address "
			  "2001:db8:1::2 is IPv6 already (one session then "
			  "carries both families)");
	assert_load_error("dual-session-no-address6.conf",
			  "7: link 'link1': peer_address6 2001:db8:1::2 is "
			  "IPv6 and the link has no IPv6 address "
			  "(local_address6)");
	assert_load_error("dual-session-outside.conf",
			  "8: link 'link1': peer_address6 2001:db8:9::2 is "
			  "outside local_address6 2001:db8:1::1/64 and not "
			  "link-local (fe80::/10)");
	assert_load_error("dual-session-other-if.conf",
			  "8: link 'link1': peer_address6 fe80::2 is "
			  "link-local on interface 'link2', not on the link's "
			  "interface 'link1'");
}

/* Linux keys TCP MD5 by address alone: one link-local peer address on
 * two links needs one password. */
static void test_config_md5_link_local_peer_shared(void **state)
{
	(void)state;
	assert_load_error("md5-link-local-shared.conf",
			  "12: links 'link1' and 'link2' both have the "
			  "link-local peer fe80::2, with different "
			  "bgp.password values: Linux keys TCP MD5 by address "
			  "alone (an interface scope needs a VRF), so the two "
			  "sessions would share one key; use one password for "
			  "both, or global peer addresses");
}

static void test_config_too_many_links(void **state)
{
	(void)state;
	assert_load_error("too-many-links.conf",
			  "5: too many links: 17 (at most 16)");
}

static void test_config_gateway_outside_lan(void **state)
{
	(void)state;
	assert_load_error("gateway-outside-lan.conf",
			  "10: gateway 198.18.2.10 is outside the lan subnet "
			  "198.18.1.0/24");
}

static void test_config_icmp_burst_out_of_range(void **state)
{
	(void)state;
	assert_load_error("icmp-burst.conf",
			  "5: icmp_burst 0 out of range 1..100000");
}

/* ingress_filter per port (absent: strict), ip_options "drop". */
static void test_config_ingress_filter_and_ip_options(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "ingress-filter.conf", err,
				  sizeof(err)), 0);
	assert_int_equal(cfg.dataplane.ip_options, CFG_IP_OPTIONS_DROP);
	assert_int_equal(cfg.lan.ingress_filter, CFG_INGRESS_OFF);
	assert_int_equal(cfg.links[0].ingress_filter, CFG_INGRESS_LOOSE);
	assert_int_equal(cfg.links[1].ingress_filter, CFG_INGRESS_STRICT);
}

static void test_config_ingress_filter_bad_value(void **state)
{
	(void)state;
	assert_load_error("ingress-filter-bad.conf",
			  "12: link 'link1': ingress_filter 'strictest' must "
			  "be \"strict\", \"loose\" or \"off\"");
}

static void test_config_ingress_filter_not_string(void **state)
{
	(void)state;
	assert_load_error("ingress-filter-type.conf",
			  "7: 'ingress_filter' must be a string");
}

static void test_config_ip_options_bad_value(void **state)
{
	(void)state;
	assert_load_error("ip-options-bad.conf",
			  "5: ip_options 'allow' must be \"forward\" or "
			  "\"drop\"");
}

static void test_config_idle_sleep_out_of_range(void **state)
{
	(void)state;
	assert_load_error("idle-sleep.conf",
			  "5: idle_sleep_us 1001 out of range 0..1000");
}

static void test_config_rt_priority_out_of_range(void **state)
{
	(void)state;
	assert_load_error("rt-priority.conf",
			  "5: rt_priority 100 out of range 0..99");
}

static void test_config_metrics_listen(void **state)
{
	char a[64];

	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "defaults.conf", err,
				  sizeof(err)), 0);
	assert_string_equal(cfg.control.metrics_listen, "127.0.0.1:9342");
	assert_string_equal(cfg_addr_str(&cfg.control.metrics_addr, a,
					 sizeof(a)), "127.0.0.1");
	assert_int_equal(cfg.control.metrics_port, 9342);
	assert_int_equal(cfg_load(&cfg, CONFIGS "metrics-listen.conf", err,
				  sizeof(err)), 0);
	assert_string_equal(cfg.control.metrics_listen, "[::1]:9100");
	assert_int_equal(cfg.control.metrics_addr.family, AF_INET6);
	assert_string_equal(cfg_addr_str(&cfg.control.metrics_addr, a,
					 sizeof(a)), "::1");
	assert_int_equal(cfg.control.metrics_port, 9100);
	assert_int_equal(cfg_load(&cfg, CONFIGS "metrics-listen-off.conf", err,
				  sizeof(err)), 0);
	assert_string_equal(cfg.control.metrics_listen, "");
	assert_int_equal(cfg.control.metrics_addr.family, 0);
	assert_int_equal(cfg.control.metrics_port, 0);
}

static void test_config_metrics_listen_bad(void **state)
{
	(void)state;
	assert_load_error("metrics-listen-bad.conf",
			  "5: metrics_listen '127.0.0.1' must be \"ADDR:PORT\" "
			  "(like \"127.0.0.1:9342\" or \"[::1]:9342\", port "
			  "1..65535), or \"\" to disable it");
	assert_load_error("metrics-listen-port.conf",
			  "5: metrics_listen '127.0.0.1:65536' must be "
			  "\"ADDR:PORT\" (like \"127.0.0.1:9342\" or "
			  "\"[::1]:9342\", port 1..65535), or \"\" to "
			  "disable it");
	assert_load_error("metrics-listen-v6-bare.conf",
			  "5: metrics_listen '::1:9342' must be \"ADDR:PORT\" "
			  "(like \"127.0.0.1:9342\" or \"[::1]:9342\", port "
			  "1..65535), or \"\" to disable it");
}

static void test_config_fib_check_interval_out_of_range(void **state)
{
	(void)state;
	assert_load_error("fib-check-interval.conf",
			  "5: fib_check_interval_s 3601 out of range 0..3600");
}

static void test_config_bfd_interval_out_of_range(void **state)
{
	(void)state;
	assert_load_error("bfd-interval.conf",
			  "12: min_tx_ms 0 out of range 1..60000");
}

static void test_config_bfd_admin_down_not_bool(void **state)
{
	(void)state;
	assert_load_error("bfd-admin-down.conf",
			  "12: 'admin_down' must be true or false");
}

/* The limits of issue 14: a peer's memory share and BFD dampening. */
static void test_config_limits_memory_and_dampening(void **state)
{
	const struct cfg_bfd *d;

	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "limits.conf", err,
				  sizeof(err)), 0);
	assert_int_equal(cfg.links[0].bgp.max_memory_bytes, 64ull << 20);
	assert_int_equal(cfg.links[1].bgp.max_memory_bytes, 0);
	/* no bgp group on the link: the default, 512 MiB */
	assert_int_equal(cfg.links[2].bgp.max_memory_bytes, 512ull << 20);
	d = &cfg.links[0].bfd;
	assert_true(d->dampening);
	assert_int_equal(d->damp_initial_hold_ms, 250);
	assert_int_equal(d->damp_max_hold_ms, 8000);
	assert_int_equal(d->damp_decay_s, 30);
	d = &cfg.links[1].bfd;
	assert_true(d->dampening);
	assert_int_equal(d->damp_initial_hold_ms, 1000);
	assert_int_equal(d->damp_max_hold_ms, 60000);
	assert_int_equal(d->damp_decay_s, 60);
	/* off by default */
	assert_true(cfg.links[2].bfd.enabled);
	assert_false(cfg.links[2].bfd.dampening);
}

static void test_config_limits_out_of_range(void **state)
{
	(void)state;
	assert_load_error("bgp-max-memory.conf",
			  "14: max_memory_mb 1048577 out of range 0..1048576");
	assert_load_error("bfd-dampening-hold.conf",
			  "13: link 'link1': bfd.dampening: max_hold_ms 500 is "
			  "below initial_hold_ms 1000");
	assert_load_error("bfd-dampening-decay.conf",
			  "12: decay_s 0 out of range 1..86400");
}

/* links.suspect { }: set, empty (the defaults) and absent (off). */
static void test_config_suspect(void **state)
{
	const struct cfg_suspect *s;

	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "suspect.conf", err,
				  sizeof(err)), 0);
	s = &cfg.links[0].suspect;
	assert_true(s->enabled);
	assert_int_equal(s->min_pps, 1000);
	assert_int_equal(s->silence_min_ms, 20);
	assert_int_equal(s->silence_mult, 8);
	assert_int_equal(s->min_flows, 5);
	assert_int_equal(s->hold_ms, 500);
	assert_int_equal(s->hold_max_ms, 4000);
	assert_int_equal(s->decay_s, 120);
	assert_int_equal(s->steer_return, CFG_STEER_MORE_SPECIFIC);
	s = &cfg.links[1].suspect;
	assert_true(s->enabled);
	assert_int_equal(s->min_pps, 200);
	assert_int_equal(s->silence_min_ms, 10);
	assert_int_equal(s->silence_mult, 4);
	assert_int_equal(s->min_flows, 3);
	assert_int_equal(s->hold_ms, 1000);
	assert_int_equal(s->hold_max_ms, 30000);
	assert_int_equal(s->decay_s, 60);
	assert_int_equal(s->steer_return, CFG_STEER_OFF);
	assert_false(cfg.links[2].suspect.enabled);
}

static void test_config_suspect_errors(void **state)
{
	(void)state;
	assert_load_error("suspect-no-bfd.conf",
			  "12: link 'link1': suspect { } needs bfd { } on the "
			  "link: BFD confirms or clears a suspicion");
	assert_load_error("suspect-hold.conf",
			  "14: link 'link1': suspect: hold_max_ms 1000 is "
			  "below hold_ms 2000");
	assert_load_error("suspect-range.conf",
			  "13: silence_mult 1 out of range 2..100");
	assert_load_error("suspect-key.conf",
			  "13: unknown setting 'min_ppss'");
	assert_load_error("suspect-steer.conf",
			  "13: link 'link1': suspect: steer_return 'sideways' "
			  "must be \"off\", \"unprepend\" or "
			  "\"more-specific\"");
}

static void test_config_bfd_missing_defaults(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "bfd-defaults.conf", err,
				  sizeof(err)), 0);
	assert_true(cfg.links[0].bfd.enabled);
	assert_false(cfg.links[0].bfd.admin_down);
	assert_int_equal(cfg.links[0].bfd.min_tx_us, 300000);
	assert_int_equal(cfg.links[0].bfd.min_rx_us, 300000);
	assert_int_equal(cfg.links[0].bfd.multiplier, 3);
}

static void test_config_device_with_space(void **state)
{
	(void)state;
	assert_load_error("device-space.conf",
			  "11: device 'net_ring0 x' must be 1..255 characters "
			  "without spaces (like \"net_ring0\" or "
			  "\"0000:01:00.0\")");
}

static void assert_rule(const struct cfg_prefix_rule *r, const char *prefix,
			unsigned int ge, unsigned int le)
{
	assert_addr(&r->prefix, prefix);
	assert_int_equal(r->ge, ge);
	assert_int_equal(r->le, le);
}

static void test_config_bgp_valid_file_loads_every_key(void **state)
{
	const struct cfg_link_bgp *b;

	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "valid-bgp.conf", err,
				  sizeof(err)), 0);
	assert_true(cfg.bgp.enabled);
	assert_int_equal(cfg.bgp.hold_time_s, 30);
	assert_int_equal(cfg.bgp.connect_retry_s, 2);
	assert_false(cfg.bgp.graceful_restart);
	assert_int_equal(cfg.bgp.restart_time_s, 4095);
	assert_int_equal(cfg.bgp.drain_rx_floor_pps, 0);
	assert_int_equal(cfg.bgp.drain_quiet_s, 3);
	assert_int_equal(cfg.bgp.drain_timeout_s, 600);
	assert_int_equal(cfg.bgp.n_announce, 2);
	assert_addr(&cfg.bgp.announce[0], "198.18.0.0/16");
	assert_addr(&cfg.bgp.announce[1], "2001:db8:100::/48");
	assert_int_equal(cfg.bgp.announce[1].family, AF_INET6);
	assert_int_equal(cfg.n_links, 3);

	b = &cfg.links[0].bgp;
	assert_int_equal(cfg.links[0].local_pref, 200);
	assert_true(b->passive);
	assert_true(b->ttl_security);
	assert_string_equal(b->password, "twinpath-lab");
	assert_int_equal(b->hold_time_s, 0);
	assert_int_equal(b->n_import, 6);
	assert_rule(&b->import[0], "0.0.0.0/0", 0, 32);
	assert_rule(&b->import[1], "198.51.100.0/24", 24, 24);
	assert_rule(&b->import[2], "10.0.0.0/8", 16, 24);
	assert_rule(&b->import[3], "172.16.0.0/12", 20, 32);
	assert_rule(&b->import[4], "192.168.0.0/16", 16, 24);
	assert_rule(&b->import[5], "2001:db8:8000::/33", 40, 48);
	assert_int_equal(b->max_prefix, 4000000000u);
	assert_int_equal(b->max_prefix_restart_s, 65535);
	assert_int_equal(b->prepend, 16);
	assert_true(b->has_med);
	assert_int_equal(b->med, 4294967295u);
	assert_true(b->has_announce);
	assert_int_equal(b->n_announce, 2);
	assert_addr(&b->announce[0], "198.18.0.0/17");
	assert_addr(&b->announce[1], "2001:db8:100::/48");
	assert_int_equal(b->n_communities, 3);
	assert_int_equal(b->communities[0], 7224u << 16 | 7100u);
	assert_int_equal(b->communities[1], 0xffffff01u); /* NO_EXPORT */
	assert_int_equal(b->communities[2], 0);
	assert_int_equal(b->n_large_communities, 1);
	assert_memory_equal(b->large_communities[0],
			    ((uint32_t[]){4200000000u, 1, 2}),
			    3 * sizeof(uint32_t));

	/* a group with some keys: the rest default, hold_time to bgp's */
	b = &cfg.links[1].bgp;
	assert_false(b->passive);
	assert_false(b->ttl_security);
	assert_string_equal(b->password, "");
	assert_int_equal(b->hold_time_s, 3);
	assert_int_equal(b->n_import, 0);
	assert_int_equal(b->max_prefix, 0);
	assert_int_equal(b->max_prefix_restart_s, 60);
	assert_int_equal(b->prepend, 0);
	assert_true(b->has_med);
	assert_int_equal(b->med, 0);
	assert_true(b->has_announce); /* an empty list: nothing announced */
	assert_int_equal(b->n_announce, 0);
	assert_int_equal(b->n_communities, 0);

	/* no group on the link: still a session, with every default */
	b = &cfg.links[2].bgp;
	assert_int_equal(b->hold_time_s, 30);
	assert_int_equal(b->n_import, 0);
	assert_int_equal(b->max_prefix_restart_s, 60);
	assert_false(b->has_med);
	assert_false(b->has_announce); /* bgp.announce applies */
	assert_int_equal(b->n_large_communities, 0);
}

static void test_config_bgp_empty_groups_take_defaults(void **state)
{
	const struct cfg_link_bgp *b = &cfg.links[0].bgp;

	(void)state;
	assert_int_equal(cfg_load(&cfg, CONFIGS "bgp-defaults.conf", err,
				  sizeof(err)), 0);
	assert_true(cfg.bgp.enabled);
	assert_int_equal(cfg.bgp.hold_time_s, 90);
	assert_int_equal(cfg.bgp.connect_retry_s, 5);
	assert_true(cfg.bgp.graceful_restart);
	assert_int_equal(cfg.bgp.restart_time_s, 120);
	assert_int_equal(cfg.bgp.drain_rx_floor_pps, 10);
	assert_int_equal(cfg.bgp.drain_quiet_s, 5);
	assert_int_equal(cfg.bgp.drain_timeout_s, 60);
	assert_int_equal(cfg.bgp.n_announce, 0);
	assert_false(b->passive);
	assert_false(b->ttl_security);
	assert_string_equal(b->password, "");
	assert_int_equal(b->hold_time_s, 90);
	assert_int_equal(b->n_import, 0); /* RFC 8212: accept nothing */
	assert_int_equal(b->max_prefix, 0);
	assert_int_equal(b->max_prefix_restart_s, 60);
	assert_int_equal(b->prepend, 0);
	assert_false(b->has_med);
	assert_int_equal(cfg.links[0].local_pref, 100);
}

static void assert_lab_bgp_common(void)
{
	unsigned int i;

	assert_string_equal(cfg.instance, "lab");
	assert_true(cfg.bgp.enabled);
	assert_int_equal(cfg.bgp.hold_time_s, 90);
	assert_int_equal(cfg.bgp.connect_retry_s, 2);
	assert_int_equal(cfg.bgp.n_announce, 1);
	assert_addr(&cfg.bgp.announce[0], "198.18.0.0/16");
	assert_int_equal(cfg.n_links, 2);
	for (i = 0; i < 2; i++) {
		assert_int_equal(cfg.links[i].bgp.n_import, 2);
		assert_rule(&cfg.links[i].bgp.import[0], "198.51.100.0/24",
			    24, 32);
		assert_rule(&cfg.links[i].bgp.import[1], "203.0.113.128/25",
			    25, 32);
	}
	assert_true(cfg.links[0].bgp.ttl_security);
	assert_string_equal(cfg.links[0].bgp.password, "");
	assert_false(cfg.links[1].bgp.ttl_security);
	assert_string_equal(cfg.links[1].bgp.password, "twinpath-lab");
	/* the provider side comes from BGP: only the LAN route is static */
	assert_int_equal(cfg.n_routes, 1);
	assert_addr(&cfg.routes[0].prefix, "198.18.0.0/16");
	assert_addr(&cfg.routes[0].gateway, "198.18.1.10");
}

static void test_config_lab_bgp_standby_prepends_on_link2(void **state)
{
	(void)state;
	assert_int_equal(cfg_load(&cfg, TWP_TEST_DATA
				  "/../../config/lab-bgp-active-standby.conf",
				  err, sizeof(err)), 0);
	assert_lab_bgp_common();
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_STANDBY);
	assert_int_equal(cfg.links[0].local_pref, 200);
	assert_int_equal(cfg.links[0].bgp.prepend, 0);
	assert_false(cfg.links[0].bgp.has_med);
	assert_int_equal(cfg.links[1].local_pref, 100);
	assert_int_equal(cfg.links[1].bgp.prepend, 2);
	assert_true(cfg.links[1].bgp.has_med);
	assert_int_equal(cfg.links[1].bgp.med, 100);
}

static void test_config_lab_bgp_active_active_symmetric(void **state)
{
	unsigned int i;

	(void)state;
	assert_int_equal(cfg_load(&cfg, TWP_TEST_DATA
				  "/../../config/lab-bgp-active-active.conf",
				  err, sizeof(err)), 0);
	assert_lab_bgp_common();
	assert_int_equal(cfg.mode, CFG_MODE_ACTIVE_ACTIVE);
	for (i = 0; i < 2; i++) {
		assert_int_equal(cfg.links[i].local_pref, 100);
		assert_int_equal(cfg.links[i].bgp.prepend, 0);
		assert_false(cfg.links[i].bgp.has_med);
	}
}

static void test_config_bgp_not_a_group(void **state)
{
	(void)state;
	assert_load_error("bgp-not-group.conf",
			  "5: 'bgp' must be a group { ... }");
}

static void test_config_bgp_unknown_key(void **state)
{
	(void)state;
	assert_load_error("bgp-unknown-key.conf",
			  "7: unknown setting 'hold_tme'");
}

static void test_config_bgp_hold_time_1_or_2_refused(void **state)
{
	(void)state;
	assert_load_error("bgp-hold-time.conf",
			  "6: hold_time: 1 is not allowed (0 or 3..65535, "
			  "RFC 4271 §4.2)");
}

static void test_config_bgp_connect_retry_out_of_range(void **state)
{
	(void)state;
	assert_load_error("bgp-connect-retry.conf",
			  "6: connect_retry 0 out of range 1..65535");
}

static void test_config_bgp_restart_time_out_of_range(void **state)
{
	(void)state;
	assert_load_error("bgp-restart-time.conf",
			  "6: restart_time 4096 out of range 0..4095");
}

static void test_config_bgp_drain_quiet_out_of_range(void **state)
{
	(void)state;
	assert_load_error("bgp-drain-quiet.conf",
			  "6: drain_quiet 0 out of range 1..3600");
}

static void test_config_bgp_graceful_restart_not_bool(void **state)
{
	(void)state;
	assert_load_error("bgp-graceful-restart.conf",
			  "6: 'graceful_restart' must be true or false");
}

static void test_config_bgp_announce_not_array(void **state)
{
	(void)state;
	assert_load_error("bgp-announce-type.conf",
			  "6: 'announce' must be an array of strings "
			  "[\"198.18.0.0/16\", ...]");
}

static void test_config_bgp_announce_without_length(void **state)
{
	(void)state;
	assert_load_error("bgp-announce-bad.conf",
			  "9: announce '198.19.0.0' is not an address/length "
			  "(like 192.0.2.1/24 or 2001:db8::1/64)");
}

static void test_config_bgp_announce_host_bits(void **state)
{
	(void)state;
	assert_load_error("bgp-announce-host-bits.conf",
			  "9: announce: prefix 198.19.1.0/16 has host bits set "
			  "(did you mean 198.19.0.0/16?)");
}

static void test_config_bgp_announce_twice(void **state)
{
	(void)state;
	assert_load_error("bgp-announce-twice.conf",
			  "10: announce: 198.18.0.0/16 listed twice");
}

static void test_config_bgp_announce_too_many(void **state)
{
	(void)state;
	assert_load_error("bgp-announce-too-many.conf",
			  "6: announce: too many prefixes 65 (at most 64)");
}

static void test_config_bgp_link_group_without_top_level(void **state)
{
	(void)state;
	assert_load_error("bgp-link-without-top.conf",
			  "12: link 'link1': a bgp group needs the top-level "
			  "bgp = { ... } group");
}

static void test_config_bgp_link_unknown_key(void **state)
{
	(void)state;
	assert_load_error("bgp-link-unknown-key.conf",
			  "15: unknown setting 'local_pref'");
}

static void test_config_bgp_ibgp_refused(void **state)
{
	(void)state;
	assert_load_error("bgp-ibgp.conf",
			  "12: link 'link1': remote_as 65001 is our local_as "
			  "(only eBGP is supported)");
}

static void test_config_bgp_link_hold_time_refused(void **state)
{
	(void)state;
	assert_load_error("bgp-link-hold-time.conf",
			  "14: hold_time: 2 is not allowed (0 or 3..65535, "
			  "RFC 4271 §4.2)");
}

static void test_config_bgp_password_too_long(void **state)
{
	(void)state;
	assert_load_error("bgp-password-long.conf",
			  "14: link 'link1': password is 81 characters (at "
			  "most 80, TCP_MD5SIG_MAXKEYLEN)");
}

static void test_config_bgp_passive_not_bool(void **state)
{
	(void)state;
	assert_load_error("bgp-passive-type.conf",
			  "14: 'passive' must be true or false");
}

static void test_config_bgp_import_rule_syntax(void **state)
{
	(void)state;
	assert_load_error("bgp-import-syntax.conf",
			  "17: import '10.0.0.0/8 ge' is not a prefix rule "
			  "\"PREFIX/LEN [ge N] [le N]\" (like \"10.0.0.0/8 ge "
			  "16 le 24\")");
}

static void test_config_bgp_import_rule_lengths(void **state)
{
	(void)state;
	assert_load_error("bgp-import-lengths.conf",
			  "16: import '10.0.0.0/8 ge 16 le 12': need 8 <= ge "
			  "<= le <= 32 (ge 16, le 12)");
}

static void test_config_bgp_import_rule_bad_prefix(void **state)
{
	(void)state;
	assert_load_error("bgp-import-bad-prefix.conf",
			  "16: import prefix '10.0.0/8' is not an "
			  "address/length (like 192.0.2.1/24 or "
			  "2001:db8::1/64)");
}

static void test_config_bgp_import_rule_host_bits(void **state)
{
	(void)state;
	assert_load_error("bgp-import-host-bits.conf",
			  "16: import: prefix 10.1.0.0/8 has host bits set "
			  "(did you mean 10.0.0.0/8?)");
}

static void test_config_bgp_max_prefix_out_of_range(void **state)
{
	(void)state;
	assert_load_error("bgp-max-prefix.conf",
			  "14: max_prefix 4294967296 out of range "
			  "0..4294967295");
}

static void test_config_bgp_max_prefix_restart_range(void **state)
{
	(void)state;
	assert_load_error("bgp-max-prefix-restart.conf",
			  "14: max_prefix_restart 0 out of range 1..65535");
}

static void test_config_bgp_prepend_out_of_range(void **state)
{
	(void)state;
	assert_load_error("bgp-prepend.conf",
			  "14: prepend 17 out of range 0..16");
}

static void test_config_bgp_med_out_of_range(void **state)
{
	(void)state;
	assert_load_error("bgp-med.conf",
			  "14: med -1 out of range 0..4294967295");
}

/* cfg_parse_prefix keeps what the text says: host bits stay, the rest of
 * the address is zero. */
static void test_config_parse_prefix_keeps_host_bits(void **state)
{
	static const uint8_t v4[16] = {192, 0, 2, 77};
	struct cfg_addr a;

	(void)state;
	memset(&a, 0xff, sizeof(a));
	assert_int_equal(cfg_parse_prefix("192.0.2.77/24", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.len, 24);
	assert_memory_equal(a.addr, v4, 16);

	assert_int_equal(cfg_parse_prefix("2001:db8::1/64", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.len, 64);
	assert_addr(&a, "2001:db8::1/64");

	assert_int_equal(cfg_parse_prefix("0.0.0.0/0", &a), 0);
	assert_int_equal(a.len, 0);
	assert_int_equal(cfg_parse_prefix("2001:db8::/128", &a), 0);
	assert_int_equal(a.len, 128);
}

/* A bare address is a host route: the family's full length. */
static void test_config_parse_prefix_bare_address_is_full_length(void **state)
{
	struct cfg_addr a;

	(void)state;
	assert_int_equal(cfg_parse_prefix("203.0.113.2", &a), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(a.len, 32);
	assert_addr(&a, "203.0.113.2");

	assert_int_equal(cfg_parse_prefix("2001:db8:2::", &a), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(a.len, 128);
	assert_addr(&a, "2001:db8:2::");
}

/* Each kind of bad text is -EINVAL: no address, not an address, an empty
 * or non-decimal length, one past the family's width, trailing text, an
 * overflowing length. */
static void test_config_parse_prefix_refuses_bad_input(void **state)
{
	static const char *const bad[] = {
		"", "/24", "192.0.2.1/", "/",
		"example.net", "192.0.2.256", "192.0.2", "2001:db8:::1/64",
		"192.0.2.0 /24", "fe80::1%eth0",
		"192.0.2.0/+24", "192.0.2.0/-0", "192.0.2.0/ 24",
		"192.0.2.0/0x18",
		"192.0.2.0/33", "2001:db8::/129",
		"192.0.2.0/24x", "192.0.2.0/24/8",
		"192.0.2.0/99999999999999999999999",
	};
	struct cfg_addr a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (cfg_parse_prefix(bad[i], &a) != -EINVAL)
			fail_msg("'%s' was not refused", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_valid_file_loads_every_key),
		cmocka_unit_test(test_config_optional_keys_take_defaults),
		cmocka_unit_test(test_config_monitor_loads),
		cmocka_unit_test(test_config_monitor_refused),
		cmocka_unit_test(test_config_onprem_active_active_monitor),
		cmocka_unit_test(test_config_lab_active_active_loads),
		cmocka_unit_test(test_config_lab_active_standby_prefers_link1),
		cmocka_unit_test(test_config_unreadable_file_is_errno),
		cmocka_unit_test(test_config_syntax_error),
		cmocka_unit_test(test_config_syntax_error_at_string),
		cmocka_unit_test(test_config_unknown_key),
		cmocka_unit_test(test_config_missing_required_key),
		cmocka_unit_test(test_config_wrong_type),
		cmocka_unit_test(test_config_as_out_of_range),
		cmocka_unit_test(test_config_bad_address),
		cmocka_unit_test(test_config_prefix_with_host_bits),
		cmocka_unit_test(test_config_duplicate_link_name),
		cmocka_unit_test(test_config_unknown_link_in_via),
		cmocka_unit_test(test_config_via_and_gateway_both_set),
		cmocka_unit_test(test_config_router_id_zero_refused),
		cmocka_unit_test(
			test_config_announce_overlapping_link_subnet_refused),
		cmocka_unit_test(test_config_announce_overlapping_import_refused),
		cmocka_unit_test(test_config_static_route_overlapping_link_subnet),
		cmocka_unit_test(test_config_bgp_communities_refused),
		cmocka_unit_test(test_config_bgp_link_announce_refused),
		cmocka_unit_test(test_config_every_example_loads),
		cmocka_unit_test(test_config_aws_dx_scenario),
		cmocka_unit_test(test_config_azure_expressroute_scenario),
		cmocka_unit_test(test_config_gcp_interconnect_scenario),
		cmocka_unit_test(test_config_sdwan_edge_scenario),
		cmocka_unit_test(test_config_link_subnet_overlaps_lan),
		cmocka_unit_test(test_config_link_subnets_overlap),
		cmocka_unit_test(test_config_address6_loads),
		cmocka_unit_test(test_config_address6_not_ipv6),
		cmocka_unit_test(test_config_address6_not_a_host),
		cmocka_unit_test(test_config_address6_beside_ipv6_address),
		cmocka_unit_test(test_config_address6_subnets_overlap),
		cmocka_unit_test(test_config_peer6_loads),
		cmocka_unit_test(test_config_dual_session_loads),
		cmocka_unit_test(test_config_dual_session_errors),
		cmocka_unit_test(test_config_md5_link_local_peer_shared),
		cmocka_unit_test(test_config_peer6_needs_address6),
		cmocka_unit_test(test_config_peer6_outside_or_own),
		cmocka_unit_test(test_config_peer6_zone),
		cmocka_unit_test(test_config_peer_outside_link_subnet),
		cmocka_unit_test(test_config_too_many_links),
		cmocka_unit_test(test_config_gateway_outside_lan),
		cmocka_unit_test(test_config_icmp_burst_out_of_range),
		cmocka_unit_test(test_config_ingress_filter_and_ip_options),
		cmocka_unit_test(test_config_ingress_filter_bad_value),
		cmocka_unit_test(test_config_ingress_filter_not_string),
		cmocka_unit_test(test_config_ip_options_bad_value),
		cmocka_unit_test(test_config_idle_sleep_out_of_range),
		cmocka_unit_test(test_config_rt_priority_out_of_range),
		cmocka_unit_test(test_config_metrics_listen),
		cmocka_unit_test(test_config_metrics_listen_bad),
		cmocka_unit_test(test_config_fib_check_interval_out_of_range),
		cmocka_unit_test(test_config_bfd_interval_out_of_range),
		cmocka_unit_test(test_config_bfd_admin_down_not_bool),
		cmocka_unit_test(test_config_bfd_missing_defaults),
		cmocka_unit_test(test_config_device_with_space),
		cmocka_unit_test(test_config_bgp_valid_file_loads_every_key),
		cmocka_unit_test(test_config_bgp_empty_groups_take_defaults),
		cmocka_unit_test(test_config_lab_bgp_standby_prepends_on_link2),
		cmocka_unit_test(test_config_lab_bgp_active_active_symmetric),
		cmocka_unit_test(test_config_bgp_not_a_group),
		cmocka_unit_test(test_config_bgp_unknown_key),
		cmocka_unit_test(test_config_bgp_hold_time_1_or_2_refused),
		cmocka_unit_test(test_config_bgp_connect_retry_out_of_range),
		cmocka_unit_test(test_config_bgp_restart_time_out_of_range),
		cmocka_unit_test(test_config_bgp_drain_quiet_out_of_range),
		cmocka_unit_test(test_config_bgp_graceful_restart_not_bool),
		cmocka_unit_test(test_config_bgp_announce_not_array),
		cmocka_unit_test(test_config_bgp_announce_without_length),
		cmocka_unit_test(test_config_bgp_announce_host_bits),
		cmocka_unit_test(test_config_bgp_announce_twice),
		cmocka_unit_test(test_config_bgp_announce_too_many),
		cmocka_unit_test(test_config_bgp_link_group_without_top_level),
		cmocka_unit_test(test_config_bgp_link_unknown_key),
		cmocka_unit_test(test_config_bgp_ibgp_refused),
		cmocka_unit_test(test_config_bgp_link_hold_time_refused),
		cmocka_unit_test(test_config_bgp_password_too_long),
		cmocka_unit_test(test_config_bgp_passive_not_bool),
		cmocka_unit_test(test_config_bgp_import_rule_syntax),
		cmocka_unit_test(test_config_bgp_import_rule_lengths),
		cmocka_unit_test(test_config_bgp_import_rule_bad_prefix),
		cmocka_unit_test(test_config_bgp_import_rule_host_bits),
		cmocka_unit_test(test_config_bgp_max_prefix_out_of_range),
		cmocka_unit_test(test_config_limits_memory_and_dampening),
		cmocka_unit_test(test_config_suspect),
		cmocka_unit_test(test_config_suspect_errors),
		cmocka_unit_test(test_config_limits_out_of_range),
		cmocka_unit_test(test_config_bgp_max_prefix_restart_range),
		cmocka_unit_test(test_config_bgp_prepend_out_of_range),
		cmocka_unit_test(test_config_bgp_med_out_of_range),
		cmocka_unit_test(test_config_parse_prefix_keeps_host_bits),
		cmocka_unit_test(
			test_config_parse_prefix_bare_address_is_full_length),
		cmocka_unit_test(test_config_parse_prefix_refuses_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
