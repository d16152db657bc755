/* bfd.bpf.o on crafted frames through BPF_PROG_TEST_RUN: the verdict, the
 * exact change of twp_xdp_stats, and that the bytes come out untouched.
 * Needs root (CAP_BPF + CAP_SYS_ADMIN to load and test-run XDP). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bfd.skel.h"
#include "xdp.h"

#define LOCAL4 "203.0.113.1"
#define TRANSIT4 "198.51.100.10"
#define LOCAL6 "2001:db8:1::1"

struct fixture {
	struct bfd *skel;
	int prog_fd;
	int ncpus;
};

/* A frame: Ethernet + whatever follows, built into a fixed buffer. */
struct frame {
	uint8_t buf[256];
	size_t len;
};

static void frame_eth(struct frame *f, uint16_t proto)
{
	struct ethhdr *eth = (struct ethhdr *)f->buf;

	memset(f, 0, sizeof(*f));
	memcpy(eth->h_dest, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	memcpy(eth->h_source, "\x02\x00\x00\x00\x00\x02", ETH_ALEN);
	eth->h_proto = htons(proto);
	f->len = sizeof(*eth);
}

static void frame_ipv4(struct frame *f, const char *src, const char *dst)
{
	struct iphdr *ip;

	frame_eth(f, ETH_P_IP);
	ip = (struct iphdr *)(f->buf + f->len);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = 17;
	ip->tot_len = htons(sizeof(*ip) + 8);
	assert_int_equal(inet_pton(AF_INET, src, &ip->saddr), 1);
	assert_int_equal(inet_pton(AF_INET, dst, &ip->daddr), 1);
	f->len += sizeof(*ip) + 8; /* and an all-zero UDP header */
}

static void frame_ipv6(struct frame *f, const char *src, const char *dst)
{
	struct ipv6hdr *ip6;

	frame_eth(f, ETH_P_IPV6);
	ip6 = (struct ipv6hdr *)(f->buf + f->len);
	ip6->version = 6;
	ip6->hop_limit = 255;
	ip6->nexthdr = 58; /* ICMPv6 */
	ip6->payload_len = htons(8);
	assert_int_equal(inet_pton(AF_INET6, src, &ip6->saddr), 1);
	assert_int_equal(inet_pton(AF_INET6, dst, &ip6->daddr), 1);
	f->len += sizeof(*ip6) + 8;
}

static void stats_read(struct fixture *fx, uint64_t out[XDP_STAT_MAX])
{
	int fd = bpf_map__fd(fx->skel->maps.twp_xdp_stats);
	uint64_t percpu[fx->ncpus];

	for (uint32_t k = 0; k < XDP_STAT_MAX; k++) {
		assert_int_equal(bpf_map_lookup_elem(fd, &k, percpu), 0);
		out[k] = 0;
		for (int c = 0; c < fx->ncpus; c++)
			out[k] += percpu[c];
	}
}

/* Runs F through the program once; checks the verdict, that only the
 * counter WHY moved and by exactly one, and that data_out == data_in. */
static void expect(struct fixture *fx, const struct frame *f, int action,
		   enum xdp_stat why)
{
	uint64_t before[XDP_STAT_MAX], after[XDP_STAT_MAX];
	uint8_t out[sizeof(f->buf)];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = f->buf,
		.data_size_in = (uint32_t)f->len,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = 1);

	stats_read(fx, before);
	assert_int_equal(bpf_prog_test_run_opts(fx->prog_fd, &opts), 0);
	stats_read(fx, after);

	assert_int_equal(opts.retval, action);
	for (int k = 0; k < XDP_STAT_MAX; k++)
		assert_int_equal(after[k] - before[k], k == (int)why ? 1 : 0);
	assert_int_equal(opts.data_size_out, f->len);
	assert_memory_equal(out, f->buf, f->len);
}

static void local_add(struct fixture *fx, int family, const char *addr)
{
	struct xdp_local_key key = { .family = (uint8_t)family };
	uint32_t port = 0;

	assert_int_equal(inet_pton(family, addr, key.addr), 1);
	assert_int_equal(bpf_map__update_elem(fx->skel->maps.twp_local_addrs,
					      &key, sizeof(key), &port,
					      sizeof(port), BPF_ANY), 0);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	if (!fx)
		return -1;
	fx->skel = bfd__open();
	if (!fx->skel) {
		fprintf(stderr, "bfd__open: %s\n", strerror(errno));
		return -1;
	}
	/* Never touch the real /sys/fs/bpf pins (a running twinpath-dp may
	 * own them): the maps stay private to this test. Pinning itself is
	 * checked by test_maps_pinned_by_name_under_pin_root. */
	bpf_map__set_pin_path(fx->skel->maps.twp_local_addrs, NULL);
	bpf_map__set_pin_path(fx->skel->maps.twp_xdp_stats, NULL);
	if (bfd__load(fx->skel)) {
		fprintf(stderr, "bfd__load: %s (run as root)\n", strerror(errno));
		bfd__destroy(fx->skel);
		return -1;
	}
	fx->prog_fd = bpf_program__fd(fx->skel->progs.twp_xdp);
	fx->ncpus = libbpf_num_possible_cpus();
	local_add(fx, AF_INET, LOCAL4);
	local_add(fx, AF_INET6, LOCAL6);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	bfd__destroy(fx->skel);
	free(fx);
	return 0;
}

static void test_arp_goes_to_kernel(void **state)
{
	struct frame f;

	frame_eth(&f, ETH_P_ARP);
	memset(f.buf + f.len, 0xab, 28); /* body is not looked at */
	f.len += 28;
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_ARP);
}

static void test_ipv4_to_local_address_goes_to_kernel(void **state)
{
	struct frame f;

	frame_ipv4(&f, "203.0.113.2", LOCAL4);
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_LOCAL);
}

/* A real AF_XDP socket cannot be put in xsks_map here (it needs a bound
 * XSK on a real interface queue), so transit sees the no-socket branch:
 * the kernel gets it and the counter says why. The redirect itself is
 * covered by the integration test through twinpath-dp. */
static void test_ipv4_transit_without_socket_passes_and_counts(void **state)
{
	struct frame f;

	frame_ipv4(&f, "198.18.1.10", TRANSIT4);
	expect(*state, &f, XDP_PASS, XDP_STAT_NO_SOCKET);
}

static void test_ipv4_multicast_goes_to_kernel(void **state)
{
	struct frame f;

	frame_ipv4(&f, "203.0.113.2", "224.0.0.5");
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_MCAST);
}

static void test_ipv4_broadcast_goes_to_kernel(void **state)
{
	struct frame f;

	frame_ipv4(&f, "0.0.0.0", "255.255.255.255");
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_MCAST);
}

static void test_ipv6_neighbour_solicitation_goes_to_kernel(void **state)
{
	struct frame f;

	/* Solicited-node multicast, as ND sends it. */
	frame_ipv6(&f, "fe80::2", "ff02::1:ff00:1");
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_MCAST);
}

static void test_ipv6_link_local_goes_to_kernel(void **state)
{
	struct frame f;

	frame_ipv6(&f, "fe80::2", "fe80::1");
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_MCAST);
}

static void test_ipv6_to_local_address_goes_to_kernel(void **state)
{
	struct frame f;

	frame_ipv6(&f, "2001:db8:1::2", LOCAL6);
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_LOCAL);
}

static void test_ipv6_transit_without_socket_passes_and_counts(void **state)
{
	struct frame f;

	frame_ipv6(&f, "2001:db8:1::2", "2001:db8:ffff::1");
	expect(*state, &f, XDP_PASS, XDP_STAT_NO_SOCKET);
}

/* BPF_PROG_TEST_RUN refuses frames shorter than an Ethernet header
 * (EINVAL), so the shortest truncation the program can be shown is an
 * Ethernet header announcing an IP packet that is not there. */
static void test_truncated_ipv4_passes_and_counts_malformed(void **state)
{
	struct frame f;

	frame_eth(&f, ETH_P_IP);
	memset(f.buf + f.len, 0x45, 19); /* one byte short of a header */
	f.len += 19;
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_MALFORMED);
}

static void test_truncated_ipv6_passes_and_counts_malformed(void **state)
{
	struct frame f;

	frame_eth(&f, ETH_P_IPV6);
	memset(f.buf + f.len, 0x60, 39);
	f.len += 39;
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_MALFORMED);
}

static void test_non_ip_passes_and_counts_other(void **state)
{
	struct frame f;

	frame_eth(&f, 0x88cc); /* LLDP */
	memset(f.buf + f.len, 0, 46);
	f.len += 46;
	expect(*state, &f, XDP_PASS, XDP_STAT_PASS_OTHER);
}

/* LIBBPF_PIN_BY_NAME puts the shared maps under the pin root by their
 * names, and leaves xsks_map (one per port) unpinned. A private bpffs
 * stands in for /sys/fs/bpf. */
static void test_maps_pinned_by_name_under_pin_root(void **state)
{
	char root[] = "/tmp/twp-bpftest-XXXXXX";
	char path[sizeof(root) + 32];
	struct stat st;
	struct bfd *skel;

	(void)state;
	assert_non_null(mkdtemp(root));
	if (mount("bpf", root, "bpf", 0, NULL)) {
		rmdir(root);
		skip(); /* no CAP_SYS_ADMIN: nothing private to pin into */
	}
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = root);
	skel = bfd__open_opts(&oo);
	assert_non_null(skel);
	assert_int_equal(bfd__load(skel), 0);

	snprintf(path, sizeof(path), "%s/%s", root, XDP_MAP_LOCAL_ADDRS);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/%s", root, XDP_MAP_STATS);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/%s", root, XDP_MAP_XSKS);
	assert_int_not_equal(stat(path, &st), 0);

	bfd__destroy(skel);
	assert_int_equal(umount2(root, MNT_DETACH), 0);
	assert_int_equal(rmdir(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arp_goes_to_kernel),
		cmocka_unit_test(test_ipv4_to_local_address_goes_to_kernel),
		cmocka_unit_test(test_ipv4_transit_without_socket_passes_and_counts),
		cmocka_unit_test(test_ipv4_multicast_goes_to_kernel),
		cmocka_unit_test(test_ipv4_broadcast_goes_to_kernel),
		cmocka_unit_test(test_ipv6_neighbour_solicitation_goes_to_kernel),
		cmocka_unit_test(test_ipv6_link_local_goes_to_kernel),
		cmocka_unit_test(test_ipv6_to_local_address_goes_to_kernel),
		cmocka_unit_test(test_ipv6_transit_without_socket_passes_and_counts),
		cmocka_unit_test(test_truncated_ipv4_passes_and_counts_malformed),
		cmocka_unit_test(test_truncated_ipv6_passes_and_counts_malformed),
		cmocka_unit_test(test_non_ip_passes_and_counts_other),
		cmocka_unit_test(test_maps_pinned_by_name_under_pin_root),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
