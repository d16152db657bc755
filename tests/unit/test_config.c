/* Config loader: a valid file loads into exact values (defaults too), and
 * each class of mistake is reported as one exact "FILE:LINE: message". */
#include <arpa/inet.h>
#include <errno.h>
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
	assert_string_equal(cfg.control.socket, "/tmp/twinpath-site-a.sock");

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
	assert_int_equal(cfg.links[0].line, 21);
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
	assert_int_equal(cfg.routes[2].line, 45);
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
	assert_string_equal(cfg.lan.device, "");
	assert_string_equal(cfg.control.socket, "/run/twinpath/twinpath.sock");
	assert_int_equal(cfg.n_links, 1);
	assert_int_equal(cfg.links[0].local_pref, 100);
	assert_int_equal(cfg.links[0].mtu, 1500);
	assert_false(cfg.links[0].bfd.enabled);
	assert_int_equal(cfg.n_routes, 0);
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

static void test_config_link_subnet_overlaps_lan(void **state)
{
	(void)state;
	assert_load_error("overlap-lan-link.conf",
			  "6: link 'link1': subnet 203.0.113.8/30 overlaps the "
			  "lan subnet 203.0.113.0/24");
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_valid_file_loads_every_key),
		cmocka_unit_test(test_config_optional_keys_take_defaults),
		cmocka_unit_test(test_config_lab_active_active_loads),
		cmocka_unit_test(test_config_lab_active_standby_prefers_link1),
		cmocka_unit_test(test_config_unreadable_file_is_errno),
		cmocka_unit_test(test_config_syntax_error),
		cmocka_unit_test(test_config_unknown_key),
		cmocka_unit_test(test_config_missing_required_key),
		cmocka_unit_test(test_config_wrong_type),
		cmocka_unit_test(test_config_as_out_of_range),
		cmocka_unit_test(test_config_bad_address),
		cmocka_unit_test(test_config_prefix_with_host_bits),
		cmocka_unit_test(test_config_duplicate_link_name),
		cmocka_unit_test(test_config_unknown_link_in_via),
		cmocka_unit_test(test_config_via_and_gateway_both_set),
		cmocka_unit_test(test_config_link_subnet_overlaps_lan),
		cmocka_unit_test(test_config_link_subnets_overlap),
		cmocka_unit_test(test_config_peer_outside_link_subnet),
		cmocka_unit_test(test_config_too_many_links),
		cmocka_unit_test(test_config_gateway_outside_lan),
		cmocka_unit_test(test_config_bfd_interval_out_of_range),
		cmocka_unit_test(test_config_bfd_admin_down_not_bool),
		cmocka_unit_test(test_config_bfd_missing_defaults),
		cmocka_unit_test(test_config_device_with_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
