/* bfd.bpf.o on crafted frames through BPF_PROG_TEST_RUN: the verdict, the
 * exact change of twp_xdp_stats, the bytes that come out, and for BFD the
 * session state the program leaves in the mmapped health map. Every test
 * loads its own copy of the object, so no state or armed timer leaks from
 * one test into the next. Needs root (CAP_BPF + CAP_SYS_ADMIN). */
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
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bfd.skel.h"
#include "health.h"
#include "xdp.h"

#define LOCAL4 "203.0.113.1"
#define TRANSIT4 "198.51.100.10"
#define LOCAL6 "2001:db8:1::1"

struct fixture {
	struct bfd *skel;
	int prog_fd;
	int ncpus;
	struct health_map *hm; /* twp_health, mmapped as twinpathd does */
	size_t hm_len;
	int tap_fd; /* a second interface, see tap_open(); -1 if none */
	uint32_t tap_ifindex;
};

/* A frame: Ethernet + whatever follows, built into a fixed buffer. The
 * two bytes before it put the IP header on a 4-byte boundary (as the
 * kernel's NET_IP_ALIGN does), which struct iphdr and ipv6hdr need. */
struct frame {
	uint8_t ip_align[2];
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

/* Runs F through the program once, as received on interface IFINDEX (0:
 * no ctx_in, the kernel's default "lo" of this namespace); checks that
 * only the counter WHY moved, and by exactly one. Returns the verdict; the
 * frame that comes out is left in OUT. */
static int run_on(struct fixture *fx, const struct frame *f, uint32_t ifindex,
		  enum xdp_stat why, struct frame *out)
{
	uint64_t before[XDP_STAT_MAX], after[XDP_STAT_MAX];
	/* bpf_prog_test_run_xdp wants data at 0, data_end at the frame's
	 * length, no metadata, no egress interface. */
	struct xdp_md ctx = {
		.data_end = (uint32_t)f->len,
		.ingress_ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = f->buf,
		.data_size_in = (uint32_t)f->len,
		.data_out = out->buf,
		.data_size_out = sizeof(out->buf),
		.repeat = 1);

	if (ifindex) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	memset(out, 0, sizeof(*out));
	stats_read(fx, before);
	assert_int_equal(bpf_prog_test_run_opts(fx->prog_fd, &opts), 0);
	stats_read(fx, after);

	for (int k = 0; k < XDP_STAT_MAX; k++)
		assert_int_equal(after[k] - before[k], k == (int)why ? 1 : 0);
	out->len = opts.data_size_out;
	return (int)opts.retval;
}

static int run(struct fixture *fx, const struct frame *f, enum xdp_stat why,
	       struct frame *out)
{
	return run_on(fx, f, 0, why, out);
}

/* The verdict is ACTION, the counter WHY, and data_out == data_in. */
static void expect(struct fixture *fx, const struct frame *f, int action,
		   enum xdp_stat why)
{
	struct frame out;

	assert_int_equal(run(fx, f, why, &out), action);
	assert_int_equal(out.len, f->len);
	assert_memory_equal(out.buf, f->buf, f->len);
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
	bpf_map__set_pin_path(fx->skel->maps.twp_health, NULL);
	bpf_map__set_pin_path(fx->skel->maps.twp_bfd_timers, NULL);
	if (bfd__load(fx->skel)) {
		fprintf(stderr, "bfd__load: %s (run as root)\n", strerror(errno));
		bfd__destroy(fx->skel);
		return -1;
	}
	fx->hm_len = (sizeof(struct health_map) + 4095) & ~(size_t)4095;
	fx->hm = mmap(NULL, fx->hm_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      bpf_map__fd(fx->skel->maps.twp_health), 0);
	if (fx->hm == MAP_FAILED) {
		fprintf(stderr, "mmap twp_health: %s\n", strerror(errno));
		bfd__destroy(fx->skel);
		return -1;
	}
	fx->prog_fd = bpf_program__fd(fx->skel->progs.twp_xdp);
	fx->ncpus = libbpf_num_possible_cpus();
	fx->tap_fd = -1;
	local_add(fx, AF_INET, LOCAL4);
	local_add(fx, AF_INET6, LOCAL6);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	munmap(fx->hm, fx->hm_len);
	bfd__destroy(fx->skel);
	if (fx->tap_fd >= 0)
		close(fx->tap_fd); /* the device goes with it */
	free(fx);
	return 0;
}

/* A second interface to receive on. BPF_PROG_TEST_RUN takes ctx_in's
 * ingress_ifindex from the caller's network namespace and runs the frame
 * as if received on that device's rx queue (xdp_convert_md_to_buff: the
 * device must exist and its queue be registered for XDP, which every
 * registered netdev's is; it need not be up). Without ctx_in the frame
 * comes in on the namespace's "lo". A tap made with TUNSETIFF needs no
 * netlink and lives exactly as long as its descriptor: teardown closes
 * it, and the kernel picks a free name, so nothing is left behind. */
static uint32_t tap_open(struct fixture *fx)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };

	assert_int_equal(fx->tap_fd, -1);
	fx->tap_fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fx->tap_fd < 0)
		fail_msg("open /dev/net/tun: %s", strerror(errno));
	/* "%d": the kernel numbers it */
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", "twpbfd%d");
	if (ioctl(fx->tap_fd, TUNSETIFF, &ifr) < 0)
		fail_msg("TUNSETIFF: %s", strerror(errno));
	fx->tap_ifindex = if_nametoindex(ifr.ifr_name);
	assert_int_not_equal(fx->tap_ifindex, 0);
	assert_int_not_equal(fx->tap_ifindex, if_nametoindex("lo"));
	return fx->tap_ifindex;
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

/* ---- BFD (RFC 5880 / 5881) ---- */

#define PEER4 "203.0.113.2"
#define PEER6 "2001:db8:1::2"
#define OUR_DISC 0x11110001u
#define PEER_DISC 0x22220002u
#define OUR_SRC_PORT 49500
#define PEER_SRC_PORT 50123

#define F_P 0x20
#define F_F 0x10
#define F_A 0x04
#define F_M 0x01

/* The mandatory section of a control packet, on the wire (RFC 5880 §4.1). */
struct wire_bfd {
	uint8_t vers_diag;
	uint8_t flags;
	uint8_t mult;
	uint8_t len;
	uint32_t my_disc;
	uint32_t your_disc;
	uint32_t min_tx;
	uint32_t min_rx;
	uint32_t min_echo_rx;
};

/* What the peer puts in a packet; defaults from bfd_default(). */
struct peer_pkt {
	int family;
	uint8_t ttl;
	uint16_t dport;
	uint8_t state;
	uint8_t flags; /* P F C A D M, as on the wire */
	uint8_t version;
	uint8_t diag;  /* RFC 5880 §4.1 Diagnostic */
	uint8_t mult;
	uint8_t len;
	uint32_t my_disc;
	uint32_t your_disc;
	uint32_t min_tx_us;
	uint32_t min_rx_us;
	size_t udp_pad; /* bytes after the BFD section */
	size_t udp_short; /* UDP length that much shorter than sent */
	const char *src; /* NULL: PEER4/PEER6 */
	const char *dst; /* NULL: LOCAL4/LOCAL6 */
};

static struct peer_pkt bfd_default(int family, uint8_t state, uint32_t your)
{
	return (struct peer_pkt){
		.family = family, .ttl = 255, .dport = 3784, .state = state,
		.version = 1, .mult = 3, .len = 24, .my_disc = PEER_DISC,
		.your_disc = your, .min_tx_us = 20000, .min_rx_us = 30000,
	};
}

/* RFC 1071 sum over LEN bytes, added to SUM (not folded). */
static uint32_t sum16(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (len & 1)
		sum += (uint32_t)(b[len - 1] << 8);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* UDP checksum of the datagram at UDP (length from its header) under the
 * given addresses; 0 when the checksum field is right. */
static uint16_t udp_check(int family, const void *src, const void *dst,
			  const struct udphdr *udp)
{
	size_t alen = family == AF_INET ? 4 : 16;
	uint16_t len = ntohs(udp->len);
	uint32_t sum = 0;

	sum = sum16(src, alen, sum);
	sum = sum16(dst, alen, sum);
	sum += 17 + len;
	sum = sum16(udp, len, sum);
	return fold(sum);
}

/* Builds a BFD frame from the peer (PEER4/PEER6, or pp->src) to us
 * (LOCAL4/LOCAL6, or pp->dst) with correct checksums. */
static void frame_bfd(struct frame *f, const struct peer_pkt *pp)
{
	size_t payload = sizeof(struct wire_bfd) + pp->udp_pad;
	struct udphdr *udp;
	struct wire_bfd *b;
	void *src, *dst;

	if (pp->family == AF_INET) {
		struct iphdr *ip;

		frame_eth(f, ETH_P_IP);
		ip = (struct iphdr *)(f->buf + f->len);
		ip->version = 4;
		ip->ihl = 5;
		ip->ttl = pp->ttl;
		ip->protocol = 17;
		ip->tot_len = htons((uint16_t)(sizeof(*ip) + sizeof(*udp) + payload));
		assert_int_equal(inet_pton(AF_INET, pp->src ? pp->src : PEER4,
					   &ip->saddr), 1);
		assert_int_equal(inet_pton(AF_INET, pp->dst ? pp->dst : LOCAL4,
					   &ip->daddr), 1);
		ip->check = htons(fold(sum16(ip, sizeof(*ip), 0)));
		src = &ip->saddr;
		dst = &ip->daddr;
		f->len += sizeof(*ip);
	} else {
		struct ipv6hdr *ip6;

		frame_eth(f, ETH_P_IPV6);
		ip6 = (struct ipv6hdr *)(f->buf + f->len);
		ip6->version = 6;
		ip6->hop_limit = pp->ttl;
		ip6->nexthdr = 17;
		ip6->payload_len = htons((uint16_t)(sizeof(*udp) + payload));
		assert_int_equal(inet_pton(AF_INET6, pp->src ? pp->src : PEER6,
					   &ip6->saddr), 1);
		assert_int_equal(inet_pton(AF_INET6, pp->dst ? pp->dst : LOCAL6,
					   &ip6->daddr), 1);
		src = &ip6->saddr;
		dst = &ip6->daddr;
		f->len += sizeof(*ip6);
	}
	udp = (struct udphdr *)(f->buf + f->len);
	udp->source = htons(PEER_SRC_PORT);
	udp->dest = htons(pp->dport);
	udp->len = htons((uint16_t)(sizeof(*udp) + payload - pp->udp_short));
	b = (struct wire_bfd *)(udp + 1);
	b->vers_diag = (uint8_t)(pp->version << 5 | (pp->diag & 0x1f));
	b->flags = (uint8_t)(pp->state << 6 | pp->flags);
	b->mult = pp->mult;
	b->len = pp->len;
	b->my_disc = htonl(pp->my_disc);
	b->your_disc = htonl(pp->your_disc);
	b->min_tx = htonl(pp->min_tx_us);
	b->min_rx = htonl(pp->min_rx_us);
	memset(b + 1, 0xee, pp->udp_pad);
	f->len += sizeof(*udp) + payload;
	udp->check = htons(udp_check(pp->family, src, dst, udp));
	if (!udp->check)
		udp->check = 0xffff;
}

/* Session IDX on interface IFINDEX between LOCAL and PEER, written
 * through the mmapped map the way twinpathd writes it. */
static struct health_link *session_add_at(struct fixture *fx, unsigned idx,
					  int family, uint32_t ifindex,
					  const char *local, const char *peer,
					  uint32_t disc)
{
	struct health_link *l = &fx->hm->link[idx];

	memset(l, 0, sizeof(*l));
	l->ifindex = ifindex;
	assert_int_not_equal(l->ifindex, 0);
	l->family = (uint32_t)family;
	assert_int_equal(inet_pton(family, local, l->local_addr), 1);
	assert_int_equal(inet_pton(family, peer, l->peer_addr), 1);
	l->local_disc = disc;
	l->desired_min_tx_us = 50000;
	l->required_min_rx_us = 40000;
	l->detect_mult = 3;
	l->src_port = OUR_SRC_PORT;
	l->cfg_gen = 1;
	l->cfg_enabled = 1;
	return l;
}

/* Session 0 on "lo" (BPF_PROG_TEST_RUN's ingress interface without
 * ctx_in), LOCAL4/6 to PEER4/6. */
static struct health_link *session_add(struct fixture *fx, int family)
{
	return session_add_at(fx, 0, family, if_nametoindex("lo"),
			      family == AF_INET ? LOCAL4 : LOCAL6,
			      family == AF_INET ? PEER4 : PEER6, OUR_DISC);
}

/* A valid control packet from the peer, consumed (not answered). */
static void peer_sends(struct fixture *fx, const struct peer_pkt *pp)
{
	struct frame f, out;

	frame_bfd(&f, pp);
	assert_int_equal(run(fx, &f, XDP_STAT_BFD_CONSUMED, &out), XDP_DROP);
}

/* Three-way handshake of RFC 5880 §6.2 from the peer's side. */
static struct health_link *session_up(struct fixture *fx, int family)
{
	struct health_link *l = session_add(fx, family);
	struct peer_pkt pp = bfd_default(family, BFD_STATE_DOWN, 0);

	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_INIT);
	pp = bfd_default(family, BFD_STATE_UP, OUR_DISC);
	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_UP);
	return l;
}

static void test_bfd_down_and_remote_down_goes_init(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_INIT);
	assert_int_equal(l->local_diag, BFD_DIAG_NONE);
	assert_int_equal(l->remote_state, BFD_STATE_DOWN);
	assert_int_equal(l->remote_disc, PEER_DISC);
	assert_int_equal(l->remote_min_tx_us, 20000);
	assert_int_equal(l->remote_min_rx_us, 30000);
	assert_int_equal(l->remote_mult, 3);
	/* RFC 5880 §6.8.4: 3 x max(our 40 ms rx, its 20 ms tx). */
	assert_int_equal(l->detect_time_us, 120000);
	assert_int_equal(l->rx_valid, 1);
	assert_int_not_equal(l->last_rx_ns, 0);
	assert_int_not_equal(l->last_change_ns, 0);
	assert_int_equal(l->up_count, 0);
	assert_int_equal(fx->hm->live_mask, 0);
}

/* A session as twinpathd now starts it (RFC 5880 §6.8.1: Down, the peer
 * Down as far as we know) takes the same way as an all-zero entry: the
 * peer's Down makes it Init, a state change with its timestamp. */
static void test_bfd_session_started_down_goes_init(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	l->state = BFD_STATE_DOWN;
	l->remote_state = BFD_STATE_DOWN;
	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_INIT);
	assert_int_equal(l->local_diag, BFD_DIAG_NONE);
	assert_int_equal(l->remote_state, BFD_STATE_DOWN);
	assert_int_equal(l->rx_valid, 1);
	assert_int_not_equal(l->last_change_ns, 0);
	assert_int_equal(l->up_count, 0);
	assert_int_equal(l->down_count, 0);
	assert_int_equal(fx->hm->live_mask, 0);
}

static void test_bfd_init_and_remote_up_goes_up(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_UP, OUR_DISC);

	l->state = BFD_STATE_INIT;
	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_UP);
	assert_int_equal(l->up_count, 1);
	assert_int_equal(fx->hm->live_mask, 1);
}

static void test_bfd_down_and_remote_init_goes_up(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_INIT, OUR_DISC);

	l->state = BFD_STATE_DOWN;
	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_UP);
	assert_int_equal(l->up_count, 1);
	assert_int_equal(fx->hm->live_mask, 1);
}

static void test_bfd_ipv6_session_comes_up(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_up(fx, AF_INET6);

	assert_int_equal(l->rx_valid, 2);
	assert_int_equal(fx->hm->live_mask, 1);
}

static void test_bfd_up_and_remote_down_goes_down_with_diag_3(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_up(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, OUR_DISC);

	uint64_t prev_rx = l->last_rx_ns;

	/* the peer's timer expired on our packets: it says so (diag 1) */
	pp.diag = BFD_DIAG_DETECT_EXPIRED;
	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_DOWN);
	assert_int_equal(l->local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(l->down_count, 1);
	assert_int_equal(fx->hm->live_mask, 0);
	/* who declared it, kept as it was at that instant */
	assert_int_equal(l->remote_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(l->down_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(l->down_remote_state, BFD_STATE_DOWN);
	assert_int_equal(l->down_remote_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(l->down_ns, l->last_change_ns);
	assert_int_equal(l->down_rx_gap_ns, l->down_ns - prev_rx);

	/* the peer's next packet moves the state and the diagnostic on;
	 * the record of the Down stays */
	pp.diag = BFD_DIAG_NONE;
	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_INIT);
	assert_int_equal(l->local_diag, BFD_DIAG_NONE);
	assert_int_equal(l->remote_diag, BFD_DIAG_NONE);
	assert_int_equal(l->down_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(l->down_remote_diag, BFD_DIAG_DETECT_EXPIRED);
}

/* RFC 5882 §3.2: the peer's AdminDown is not a connectivity failure. */
static void test_bfd_remote_admin_down_goes_down_keeping_live_bit(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_up(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_ADMIN_DOWN,
					 OUR_DISC);

	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_DOWN);
	assert_int_equal(l->local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(l->remote_state, BFD_STATE_ADMIN_DOWN);
	assert_int_equal(l->down_count, 1);
	assert_int_equal(fx->hm->live_mask, 1);
}

static void test_bfd_peer_back_from_admin_down_clears_kept_live_bit(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_up(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_ADMIN_DOWN,
					 OUR_DISC);

	peer_sends(fx, &pp);
	pp = bfd_default(AF_INET, BFD_STATE_DOWN, OUR_DISC);
	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_INIT);
	assert_int_equal(fx->hm->live_mask, 0);
}

static void test_bfd_local_admin_down_ignores_packets(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_INIT, OUR_DISC);
	struct frame f, out;

	l->cfg_admin_down = 1;
	pp.flags = F_P; /* not even a Poll is answered */
	frame_bfd(&f, &pp);
	assert_int_equal(run(fx, &f, XDP_STAT_BFD_CONSUMED, &out), XDP_DROP);
	assert_int_equal(l->state, BFD_STATE_ADMIN_DOWN);
	assert_int_equal(l->local_diag, BFD_DIAG_ADMIN_DOWN);
	assert_int_equal(l->drop[BFD_DROP_DISABLED], 1);
	assert_int_equal(l->rx_valid, 0);
	assert_int_equal(l->finals_sent, 0);
	assert_int_equal(l->up_count, 0);
	assert_int_equal(fx->hm->live_mask, 0);
}

/* The packet is dropped, not answered, counted in drop[WHY] alone, and
 * the session is left as it was. */
static void expect_rejected(struct fixture *fx, const struct peer_pkt *pp,
			    enum bfd_drop why)
{
	struct health_link *l = &fx->hm->link[0];
	uint32_t before = l->state;
	struct frame f, out;

	frame_bfd(&f, pp);
	assert_int_equal(run(fx, &f, XDP_STAT_BFD_CONSUMED, &out), XDP_DROP);
	for (int d = 0; d < BFD_DROP_MAX; d++)
		assert_int_equal(l->drop[d], d == (int)why ? 1 : 0);
	assert_int_equal(l->rx_valid, 0);
	assert_int_equal(l->finals_sent, 0);
	assert_int_equal(l->state, before);
	assert_int_equal(l->remote_disc, 0);
}

static void test_bfd_drops_ipv4_ttl_not_255(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.ttl = 254;
	expect_rejected(*state, &pp, BFD_DROP_TTL);
}

static void test_bfd_drops_ipv6_hop_limit_not_255(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET6, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET6);
	pp.ttl = 64;
	expect_rejected(*state, &pp, BFD_DROP_TTL);
}

static void test_bfd_drops_version_not_1(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.version = 2;
	expect_rejected(*state, &pp, BFD_DROP_VERSION);
}

static void test_bfd_drops_length_below_24(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.len = 23;
	expect_rejected(*state, &pp, BFD_DROP_LENGTH);
}

static void test_bfd_drops_length_below_26_with_auth_bit(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.flags = F_A;
	pp.len = 24;
	expect_rejected(*state, &pp, BFD_DROP_LENGTH);
}

static void test_bfd_drops_length_beyond_udp_payload(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.len = 28; /* 24 bytes of UDP payload follow */
	expect_rejected(*state, &pp, BFD_DROP_LENGTH);
}

static void test_bfd_drops_udp_length_short_of_bfd_header(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.udp_short = 4;
	expect_rejected(*state, &pp, BFD_DROP_LENGTH);
}

static void test_bfd_drops_detect_mult_zero(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.mult = 0;
	expect_rejected(*state, &pp, BFD_DROP_DETECT_MULT);
}

static void test_bfd_drops_multipoint_bit(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.flags = F_M;
	expect_rejected(*state, &pp, BFD_DROP_MULTIPOINT);
}

static void test_bfd_drops_my_disc_zero(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.my_disc = 0;
	expect_rejected(*state, &pp, BFD_DROP_MY_DISC);
}

static void test_bfd_drops_your_disc_not_ours(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_UP, 0xdead);

	session_add(*state, AF_INET);
	expect_rejected(*state, &pp, BFD_DROP_YOUR_DISC);
}

static void test_bfd_drops_your_disc_zero_unless_down(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_INIT, 0);

	session_add(*state, AF_INET);
	expect_rejected(*state, &pp, BFD_DROP_YOUR_DISC_ZERO);
}

static void test_bfd_drops_auth_bit_without_auth(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.flags = F_A;
	pp.len = 26;
	pp.udp_pad = 2;
	expect_rejected(*state, &pp, BFD_DROP_AUTH);
}

static void test_bfd_drops_poll_and_final_together(void **state)
{
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	session_add(*state, AF_INET);
	pp.flags = F_P | F_F;
	expect_rejected(*state, &pp, BFD_DROP_POLL_FINAL);
}

static void test_bfd_without_session_dropped_and_counted(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f, out;

	frame_bfd(&f, &pp); /* no session configured */
	assert_int_equal(run(fx, &f, XDP_STAT_BFD_NO_SESSION, &out), XDP_DROP);
}

static void test_bfd_disabled_session_is_no_session(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f, out;

	session_add(fx, AF_INET)->cfg_enabled = 0;
	frame_bfd(&f, &pp);
	assert_int_equal(run(fx, &f, XDP_STAT_BFD_NO_SESSION, &out), XDP_DROP);
	assert_int_equal(fx->hm->link[0].state, 0);
}

/* UDP 3784 that is not addressed to us is transit like any other UDP. */
static void test_bfd_port_to_transit_address_is_transit(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f;
	struct iphdr *ip;

	session_add(fx, AF_INET);
	frame_bfd(&f, &pp);
	ip = (struct iphdr *)(f.buf + sizeof(struct ethhdr));
	assert_int_equal(inet_pton(AF_INET, TRANSIT4, &ip->daddr), 1);
	expect(fx, &f, XDP_PASS, XDP_STAT_NO_SOCKET);
	assert_int_equal(fx->hm->link[0].rx_valid, 0);
}

/* The Final: every field of RFC 5880 §4.1 and of the IP/UDP headers. */
static void check_final(const struct frame *in, const struct frame *out,
			int family, uint8_t want_state)
{
	const struct ethhdr *ie = (const void *)in->buf, *oe = (const void *)out->buf;
	size_t l3 = family == AF_INET ? sizeof(struct iphdr)
				      : sizeof(struct ipv6hdr);
	const struct udphdr *udp = (const void *)(out->buf + sizeof(*oe) + l3);
	const struct wire_bfd *b = (const void *)(udp + 1);

	assert_int_equal(out->len, sizeof(*oe) + l3 + sizeof(*udp) + 24);
	assert_memory_equal(oe->h_dest, ie->h_source, ETH_ALEN);
	assert_memory_equal(oe->h_source, ie->h_dest, ETH_ALEN);
	assert_int_equal(oe->h_proto, ie->h_proto);
	if (family == AF_INET) {
		const struct iphdr *iip = (const void *)(ie + 1);
		const struct iphdr *oip = (const void *)(oe + 1);

		assert_int_equal(oip->saddr, iip->daddr);
		assert_int_equal(oip->daddr, iip->saddr);
		assert_int_equal(oip->ttl, 255);
		assert_int_equal(ntohs(oip->tot_len), 20 + 8 + 24);
		assert_int_equal(fold(sum16(oip, sizeof(*oip), 0)), 0);
		assert_int_equal(udp_check(AF_INET, &oip->saddr, &oip->daddr,
					   udp), 0);
	} else {
		const struct ipv6hdr *iip = (const void *)(ie + 1);
		const struct ipv6hdr *oip = (const void *)(oe + 1);

		assert_memory_equal(&oip->saddr, &iip->daddr, 16);
		assert_memory_equal(&oip->daddr, &iip->saddr, 16);
		assert_int_equal(oip->hop_limit, 255);
		assert_int_equal(ntohs(oip->payload_len), 8 + 24);
		assert_int_not_equal(udp->check, 0); /* mandatory in IPv6 */
		assert_int_equal(udp_check(AF_INET6, &oip->saddr, &oip->daddr,
					   udp), 0);
	}
	assert_int_equal(ntohs(udp->source), OUR_SRC_PORT);
	assert_int_equal(ntohs(udp->dest), 3784);
	assert_int_equal(ntohs(udp->len), 8 + 24);
	assert_int_equal(b->vers_diag, 1 << 5);
	assert_int_equal(b->flags >> 6, want_state);
	assert_int_equal(b->flags & 0x3f, F_F); /* F, and no P C A D M */
	assert_int_equal(b->mult, 3);
	assert_int_equal(b->len, 24);
	assert_int_equal(ntohl(b->my_disc), OUR_DISC);
	assert_int_equal(ntohl(b->your_disc), PEER_DISC);
	assert_int_equal(ntohl(b->min_rx), 40000);
	assert_int_equal(ntohl(b->min_echo_rx), 0);
	/* RFC 5880 §6.8.3: 1 s until Up, then the configured 50 ms. */
	assert_int_equal(ntohl(b->min_tx),
			 want_state == BFD_STATE_UP ? 50000 : 1000000);
}

static void test_bfd_ipv4_poll_answered_with_final(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f, out;

	pp.flags = F_P;
	pp.udp_pad = 4; /* cut from the answer */
	frame_bfd(&f, &pp);
	assert_int_equal(run(fx, &f, XDP_STAT_BFD_TX, &out), XDP_TX);
	check_final(&f, &out, AF_INET, BFD_STATE_INIT);
	assert_int_equal(l->finals_sent, 1);
	assert_int_equal(l->rx_valid, 1);
}

static void test_bfd_ipv6_poll_answered_with_final(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_up(fx, AF_INET6);
	struct peer_pkt pp = bfd_default(AF_INET6, BFD_STATE_UP, OUR_DISC);
	struct frame f, out;

	pp.flags = F_P;
	frame_bfd(&f, &pp);
	assert_int_equal(run(fx, &f, XDP_STAT_BFD_TX, &out), XDP_TX);
	check_final(&f, &out, AF_INET6, BFD_STATE_UP);
	assert_int_equal(l->finals_sent, 1);
}

/* RFC 5880 §6.8.3: twinpathd lowered our Required Min RX while Up and
 * started a Poll (poll_seq, the old value kept). Until the peer's Final
 * the detection time stays on the old 40 ms; the packet with F ends the
 * Poll and the same packet's detection time uses the new 10 ms. */
static void test_bfd_final_ends_our_poll_and_reduced_rx_applies(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_up(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_UP, OUR_DISC);

	assert_int_equal(l->detect_time_us, 3 * 40000);
	l->poll_old_tx_us = l->desired_min_tx_us;
	l->poll_old_rx_us = l->required_min_rx_us;
	l->poll_seq = 1;
	l->required_min_rx_us = 10000;
	/* no F: the Poll runs on, the old Required Min RX counts */
	peer_sends(fx, &pp);
	assert_int_equal(l->poll_final_seq, 0);
	assert_int_equal(l->polls_ended, 0);
	assert_int_equal(l->detect_time_us, 3 * 40000);
	/* F: the Poll is over, max(10 ms ours, 20 ms the peer's TX) x 3 */
	pp.flags = F_F;
	peer_sends(fx, &pp);
	assert_int_equal(l->poll_final_seq, 1);
	assert_int_equal(l->polls_ended, 1);
	assert_int_equal(l->detect_time_us, 3 * 20000);
	assert_int_equal(l->state, BFD_STATE_UP);
	assert_int_equal(l->finals_sent, 0);
}

/* A Final when no Poll of ours runs (a late duplicate) ends nothing and
 * counts nothing; a raised Required Min RX applies at once (§6.8.3 holds
 * back only a reduction). */
static void test_bfd_final_without_our_poll_ends_nothing(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_up(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_UP, OUR_DISC);

	pp.flags = F_F;
	peer_sends(fx, &pp);
	assert_int_equal(l->poll_final_seq, 0);
	assert_int_equal(l->polls_ended, 0);
	l->poll_old_tx_us = l->desired_min_tx_us;
	l->poll_old_rx_us = l->required_min_rx_us;
	l->poll_seq = 1;
	l->required_min_rx_us = 100000;
	pp.flags = 0;
	peer_sends(fx, &pp);
	assert_int_equal(l->detect_time_us, 3 * 100000);
	assert_int_equal(l->poll_final_seq, 0);
}

/* Echo: the same bytes back, only the MAC and IP addresses swapped. */
static void expect_echo_reflected(struct fixture *fx, int family)
{
	struct health_link *l = session_add(fx, family);
	struct peer_pkt pp = bfd_default(family, BFD_STATE_DOWN, 0);
	struct frame f, want, out;
	struct ethhdr *eth;
	size_t alen = family == AF_INET ? 4 : 16;
	size_t aoff = sizeof(*eth) + (family == AF_INET ? 12 : 8);

	pp.dport = 3785;
	pp.ttl = 64;
	frame_bfd(&f, &pp);
	memset(f.buf + f.len - 24, 0x5a, 24); /* echo body is the peer's */
	want = f;
	eth = (struct ethhdr *)want.buf;
	memcpy(eth->h_dest, f.buf + ETH_ALEN, ETH_ALEN);
	memcpy(eth->h_source, f.buf, ETH_ALEN);
	memcpy(want.buf + aoff, f.buf + aoff + alen, alen);
	memcpy(want.buf + aoff + alen, f.buf + aoff, alen);

	assert_int_equal(run(fx, &f, XDP_STAT_BFD_TX, &out), XDP_TX);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.buf, want.buf, want.len);
	assert_int_equal(l->echo_reflected, 1);
	assert_int_equal(l->rx_valid, 0);
}

static void test_bfd_ipv4_echo_reflected_with_swapped_addresses(void **state)
{
	expect_echo_reflected(*state, AF_INET);
}

static void test_bfd_ipv6_echo_reflected_with_swapped_addresses(void **state)
{
	expect_echo_reflected(*state, AF_INET6);
}

/* ---- The session bound to its link (RFC 5881 §3/§4) ---- */

#define LAN4 "198.18.1.1"       /* our LAN address: local, not link 0's */
#define LAN_HOST4 "198.18.1.10"
#define LOCAL4_2 "203.0.113.5"  /* link 1 */
#define PEER4_2 "203.0.113.6"
#define LAN6 "2001:db8:100::1"
#define LOCAL6_2 "2001:db8:2::1"
#define PEER6_2 "2001:db8:2::2"
#define OUR_DISC_2 0x11110002u

/* Link IDX's session as if the three-way handshake had run, without the
 * detection timer armed: nothing changes the entry behind the test. */
static void established(struct fixture *fx, unsigned idx)
{
	struct health_link *l = &fx->hm->link[idx];

	l->state = BFD_STATE_UP;
	l->remote_state = BFD_STATE_UP;
	l->remote_disc = PEER_DISC;
	l->remote_min_rx_us = 30000;
	l->remote_min_tx_us = 20000;
	l->remote_mult = 3;
	l->detect_time_us = 120000;
	l->last_rx_ns = 1000;
	l->last_change_ns = 1000;
	l->up_count = 1;
	l->rx_valid = 2;
	fx->hm->live_mask |= 1ULL << idx;
}

/* A Down with the Poll bit and our discriminator: the packet that took
 * link 1 down in the lab, and one that would be answered if accepted. */
static struct peer_pkt down_poll(int family)
{
	struct peer_pkt pp = bfd_default(family, BFD_STATE_DOWN, OUR_DISC);

	pp.flags = F_P;
	return pp;
}

/* F received on IFINDEX is dropped and not answered (the frame comes out
 * as it went in, counted as consumed), counted in link IDX's drop[WHY]
 * alone, and nothing else in the health map moves: state, the peer's
 * fields, last_rx_ns and detect_time_us (the detection timer's inputs),
 * the transition counters, live_mask. */
static void expect_unbound(struct fixture *fx, const struct frame *f,
			   uint32_t ifindex, unsigned idx, enum bfd_drop why)
{
	struct health_map before;
	struct frame out;

	memcpy(&before, fx->hm, sizeof(before));
	assert_int_equal(run_on(fx, f, ifindex, XDP_STAT_BFD_CONSUMED, &out),
			 XDP_DROP);
	assert_int_equal(out.len, f->len);
	assert_memory_equal(out.buf, f->buf, f->len);
	before.link[idx].drop[why]++;
	assert_memory_equal(fx->hm, &before, sizeof(before));
}

/* The positive side of every test below: the ctx_in path really delivers
 * on the tap, and a session there takes what comes in on it. */
static void test_bfd_session_on_another_interface_takes_its_packets(void **state)
{
	struct fixture *fx = *state;
	uint32_t tap = tap_open(fx);
	struct health_link *l = session_add_at(fx, 0, AF_INET, tap, LOCAL4,
					       PEER4, OUR_DISC);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f, out;

	frame_bfd(&f, &pp);
	assert_int_equal(run_on(fx, &f, tap, XDP_STAT_BFD_CONSUMED, &out),
			 XDP_DROP);
	assert_int_equal(l->state, BFD_STATE_INIT);
	assert_int_equal(l->rx_valid, 1);
}

static void test_bfd_ipv4_down_from_peer_on_its_link_takes_session_down(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = down_poll(AF_INET);
	struct frame f, out;

	const struct wire_bfd *b;

	established(fx, 0);
	frame_bfd(&f, &pp);
	assert_int_equal(run(fx, &f, XDP_STAT_BFD_TX, &out), XDP_TX);
	/* The Final (every field: check_final) says Down, diagnostic 3. */
	b = (const void *)(out.buf + sizeof(struct ethhdr) +
			   sizeof(struct iphdr) + sizeof(struct udphdr));
	assert_int_equal(out.len, sizeof(struct ethhdr) + 20 + 8 + 24);
	assert_int_equal(b->vers_diag, 1 << 5 | BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(b->flags, BFD_STATE_DOWN << 6 | F_F);
	assert_int_equal(l->finals_sent, 1);
	assert_int_equal(l->state, BFD_STATE_DOWN);
	assert_int_equal(l->local_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_int_equal(l->down_count, 1);
	assert_int_equal(fx->hm->live_mask, 0);
}

static void test_bfd_ipv4_down_on_another_interface_dropped_as_wrong_if(void **state)
{
	struct fixture *fx = *state;
	uint32_t tap = tap_open(fx);
	struct peer_pkt pp = down_poll(AF_INET);
	struct frame f;

	session_add(fx, AF_INET);
	established(fx, 0);
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, tap, 0, BFD_DROP_WRONG_IF);
}

static void test_bfd_ipv4_down_from_another_source_dropped_as_wrong_src(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = down_poll(AF_INET);
	struct frame f;

	session_add(fx, AF_INET);
	established(fx, 0);
	pp.src = PEER4_2;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_SRC);
}

static void test_bfd_ipv4_down_to_another_local_address_dropped_as_wrong_dst(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = down_poll(AF_INET);
	struct frame f;

	session_add(fx, AF_INET);
	established(fx, 0);
	local_add(fx, AF_INET, LAN4);
	pp.dst = LAN4;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_DST);
}

/* The lab's reproduction: from the LAN host, to the gateway's LAN
 * address, in on the LAN port, TTL 255, link 0's discriminator. Counted
 * on the session it names, under the first check it fails. */
static void test_bfd_down_from_lan_host_to_lan_address_dropped_as_wrong_if(void **state)
{
	struct fixture *fx = *state;
	uint32_t lan_port = tap_open(fx);
	struct peer_pkt pp = down_poll(AF_INET);
	struct frame f;

	session_add(fx, AF_INET);
	established(fx, 0);
	local_add(fx, AF_INET, LAN4);
	pp.src = LAN_HOST4;
	pp.dst = LAN4;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, lan_port, 0, BFD_DROP_WRONG_IF);
}

/* The other half of the lab's reproduction: link 1's peer, on link 1, to
 * our address on link 1, naming link 0's session. Counted on link 0;
 * link 1's session, whose packet it otherwise is, is left alone too. */
static void test_bfd_other_links_peer_naming_our_session_dropped_as_wrong_if(void **state)
{
	struct fixture *fx = *state;
	uint32_t tap = tap_open(fx);
	struct peer_pkt pp = down_poll(AF_INET);
	struct frame f;

	session_add(fx, AF_INET);
	established(fx, 0);
	session_add_at(fx, 1, AF_INET, tap, LOCAL4_2, PEER4_2, OUR_DISC_2);
	established(fx, 1);
	local_add(fx, AF_INET, LOCAL4_2);
	pp.src = PEER4_2;
	pp.dst = LOCAL4_2;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, tap, 0, BFD_DROP_WRONG_IF);
}

static void test_bfd_ipv6_down_on_another_interface_dropped_as_wrong_if(void **state)
{
	struct fixture *fx = *state;
	uint32_t tap = tap_open(fx);
	struct peer_pkt pp = down_poll(AF_INET6);
	struct frame f;

	session_add(fx, AF_INET6);
	established(fx, 0);
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, tap, 0, BFD_DROP_WRONG_IF);
}

/* Even the peer's own link-local address is another source for a session
 * configured between global addresses: the session is its addresses. */
static void test_bfd_ipv6_down_from_another_source_dropped_as_wrong_src(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = down_poll(AF_INET6);
	struct frame f;

	session_add(fx, AF_INET6);
	established(fx, 0);
	pp.src = "fe80::2";
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_SRC);
}

static void test_bfd_ipv6_down_to_another_local_address_dropped_as_wrong_dst(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = down_poll(AF_INET6);
	struct frame f;

	session_add(fx, AF_INET6);
	established(fx, 0);
	local_add(fx, AF_INET6, LAN6);
	pp.dst = LAN6;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_DST);
}

/* An IPv4 packet naming an IPv6 session cannot come from its peer. */
static void test_bfd_ipv4_packet_naming_ipv6_session_dropped_as_wrong_src(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = down_poll(AF_INET);
	struct frame f;

	session_add(fx, AF_INET6);
	established(fx, 0);
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_SRC);
}

/* RFC 5881 §3: without Your Discriminator the interface selects the
 * session; a source other than its peer is counted there. */
static void test_bfd_your_disc_zero_from_another_source_dropped_as_wrong_src(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f;

	session_add(fx, AF_INET);
	established(fx, 0);
	pp.src = PEER4_2;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_SRC);
}

static void test_bfd_your_disc_zero_to_another_local_address_dropped_as_wrong_dst(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f;

	session_add(fx, AF_INET);
	established(fx, 0);
	local_add(fx, AF_INET, LAN4);
	pp.dst = LAN4;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_DST);
}

/* ... and on an interface without a session it names none: the global
 * no-session counter, every session untouched. */
static void test_bfd_your_disc_zero_on_link_without_session_is_no_session(void **state)
{
	struct fixture *fx = *state;
	uint32_t tap = tap_open(fx);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct health_map before;
	struct frame f, out;

	session_add(fx, AF_INET);
	established(fx, 0);
	memcpy(&before, fx->hm, sizeof(before));
	frame_bfd(&f, &pp);
	assert_int_equal(run_on(fx, &f, tap, XDP_STAT_BFD_NO_SESSION, &out),
			 XDP_DROP);
	assert_memory_equal(fx->hm, &before, sizeof(before));
}

/* Packets on another interface must not restart the detection timer: the
 * session goes Down when its own peer falls silent, whatever arrives
 * elsewhere with its discriminator (RFC 5880 §6.8.4). */
static void test_bfd_wrong_interface_packets_do_not_hold_session_up(void **state)
{
	struct fixture *fx = *state;
	uint32_t tap = tap_open(fx);
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f, out;

	l->required_min_rx_us = 10000;
	pp.min_tx_us = 10000;
	peer_sends(fx, &pp);
	pp = bfd_default(AF_INET, BFD_STATE_UP, OUR_DISC);
	pp.min_tx_us = 10000;
	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_UP);
	assert_int_equal(l->detect_time_us, 30000);
	/* 20 x 5 ms, three detection times: accepted, each of these would
	 * have kept the session Up. */
	frame_bfd(&f, &pp);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(run_on(fx, &f, tap, XDP_STAT_BFD_CONSUMED,
					&out), XDP_DROP);
		usleep(5000);
	}
	usleep(30000);
	assert_int_equal(__atomic_load_n(&l->state, __ATOMIC_ACQUIRE),
			 BFD_STATE_DOWN);
	assert_int_equal(l->local_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(l->drop[BFD_DROP_WRONG_IF], 20);
	assert_int_equal(l->rx_valid, 2);
	assert_int_equal(fx->hm->live_mask, 0);
}

/* An echo packet of the peer's, to the peer's own address (what FRR
 * sends, RFC 5881 §4): looped back; the swap of two equal addresses
 * leaves the IP header as it was. */
static void test_bfd_echo_to_peer_own_address_reflected(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f, want, out;
	struct ethhdr *eth;

	pp.dport = 3785;
	pp.dst = PEER4;
	frame_bfd(&f, &pp);
	want = f;
	eth = (struct ethhdr *)want.buf;
	memcpy(eth->h_dest, f.buf + ETH_ALEN, ETH_ALEN);
	memcpy(eth->h_source, f.buf, ETH_ALEN);
	assert_int_equal(run(fx, &f, XDP_STAT_BFD_TX, &out), XDP_TX);
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.buf, want.buf, want.len);
	assert_int_equal(l->echo_reflected, 1);
}

static struct peer_pkt echo_default(int family)
{
	struct peer_pkt pp = bfd_default(family, BFD_STATE_DOWN, 0);

	pp.dport = 3785;
	return pp;
}

static void test_bfd_echo_on_link_without_session_not_reflected(void **state)
{
	struct fixture *fx = *state;
	uint32_t tap = tap_open(fx);
	struct peer_pkt pp = echo_default(AF_INET);
	struct health_map before;
	struct frame f, out;

	session_add(fx, AF_INET);
	memcpy(&before, fx->hm, sizeof(before));
	frame_bfd(&f, &pp);
	assert_int_equal(run_on(fx, &f, tap, XDP_STAT_BFD_NO_SESSION, &out),
			 XDP_DROP);
	assert_memory_equal(out.buf, f.buf, f.len);
	assert_memory_equal(fx->hm, &before, sizeof(before));
}

static void test_bfd_echo_from_another_source_dropped_as_wrong_src(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = echo_default(AF_INET);
	struct frame f;

	session_add(fx, AF_INET);
	pp.src = PEER4_2;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_SRC);
}

static void test_bfd_echo_to_another_local_address_dropped_as_wrong_dst(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = echo_default(AF_INET);
	struct frame f;

	session_add(fx, AF_INET);
	local_add(fx, AF_INET, LAN4);
	pp.dst = LAN4;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_DST);
}

static void test_bfd_ipv6_echo_from_another_source_dropped_as_wrong_src(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = echo_default(AF_INET6);
	struct frame f;

	session_add(fx, AF_INET6);
	pp.src = PEER6_2;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_SRC);
}

static void test_bfd_ipv6_echo_to_another_local_address_dropped_as_wrong_dst(void **state)
{
	struct fixture *fx = *state;
	struct peer_pkt pp = echo_default(AF_INET6);
	struct frame f;

	session_add(fx, AF_INET6);
	local_add(fx, AF_INET6, LOCAL6_2);
	pp.dst = LOCAL6_2;
	frame_bfd(&f, &pp);
	expect_unbound(fx, &f, 0, 0, BFD_DROP_WRONG_DST);
}

/* RFC 5880 §6.8.4 through the bpf_timer: 3 x 10 ms without a packet. */
static void test_bfd_detection_timer_expiry_goes_down(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	l->required_min_rx_us = 10000;
	pp.min_tx_us = 10000;
	peer_sends(fx, &pp);
	pp = bfd_default(AF_INET, BFD_STATE_UP, OUR_DISC);
	pp.min_tx_us = 10000;
	peer_sends(fx, &pp);
	assert_int_equal(l->state, BFD_STATE_UP);
	assert_int_equal(l->detect_time_us, 30000);
	assert_int_equal(fx->hm->live_mask, 1);

	usleep(30000 + 70000);
	assert_int_equal(__atomic_load_n(&l->state, __ATOMIC_ACQUIRE),
			 BFD_STATE_DOWN);
	assert_int_equal(l->local_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(l->down_count, 1);
	assert_int_equal(fx->hm->live_mask, 0);
	assert_true(l->last_change_ns >= l->last_rx_ns + 30000 * 1000ULL);
	/* declared by our timer: the gap since the last valid packet */
	assert_int_equal(l->down_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(l->down_detect_us, 30000);
	assert_int_equal(l->down_remote_state, BFD_STATE_UP);
	assert_int_equal(l->down_ns, l->last_change_ns);
	assert_int_equal(l->down_rx_gap_ns, l->down_ns - l->last_rx_ns);
	assert_true(l->down_rx_gap_ns >= 30000 * 1000ULL);
}

/* A packet within the detection time keeps the session Up. */
static void test_bfd_valid_packet_restarts_detection_timer(void **state)
{
	struct fixture *fx = *state;
	struct health_link *l = session_add(fx, AF_INET);
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);

	l->required_min_rx_us = 20000;
	pp.min_tx_us = 20000;
	peer_sends(fx, &pp);
	pp = bfd_default(AF_INET, BFD_STATE_UP, OUR_DISC);
	pp.min_tx_us = 20000;
	/* 12 x 10 ms: twice the 60 ms detection time, with a packet every
	 * sixth of it so a loaded machine does not flake the test. */
	for (int i = 0; i < 12; i++) {
		peer_sends(fx, &pp);
		usleep(10000);
	}
	assert_int_equal(l->state, BFD_STATE_UP);
	assert_int_equal(l->down_count, 0);
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
		/* the suite runs as root (make test): never skip silently */
		fail_msg("cannot mount a private bpffs at %s: %s", root,
			 strerror(errno));
	}
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = root);
	skel = bfd__open_opts(&oo);
	assert_non_null(skel);
	assert_int_equal(bfd__load(skel), 0);

	snprintf(path, sizeof(path), "%s/%s", root, XDP_MAP_LOCAL_ADDRS);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/%s", root, XDP_MAP_STATS);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/%s", root, HEALTH_MAP_NAME);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/%s", root, HEALTH_TIMER_MAP_NAME);
	assert_int_equal(stat(path, &st), 0);
	snprintf(path, sizeof(path), "%s/%s", root, XDP_MAP_XSKS);
	assert_int_not_equal(stat(path, &st), 0);

	bfd__destroy(skel);
	assert_int_equal(umount2(root, MNT_DETACH), 0);
	assert_int_equal(rmdir(root), 0);
}

/* The af_xdp PMD loads the object once per port: the copies share the
 * health map (and its timers) through the pins, so a packet on any port
 * moves the one session state twinpathd and twinpath-dp read. */
static void test_bfd_port_copies_share_health_map_through_pins(void **state)
{
	char root[] = "/tmp/twp-bpftest-XXXXXX";
	struct fixture a = {0}, b = {0};
	struct peer_pkt pp = bfd_default(AF_INET, BFD_STATE_DOWN, 0);
	struct frame f, out;
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = root);

	(void)state;
	assert_non_null(mkdtemp(root));
	if (mount("bpf", root, "bpf", 0, NULL)) {
		rmdir(root);
		fail_msg("cannot mount a private bpffs at %s: %s", root,
			 strerror(errno));
	}
	a.skel = bfd__open_opts(&oo);
	b.skel = bfd__open_opts(&oo);
	assert_non_null(a.skel);
	assert_non_null(b.skel);
	assert_int_equal(bfd__load(a.skel), 0);
	assert_int_equal(bfd__load(b.skel), 0);
	a.hm_len = (sizeof(struct health_map) + 4095) & ~(size_t)4095;
	a.hm = mmap(NULL, a.hm_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    bpf_map__fd(a.skel->maps.twp_health), 0);
	assert_true(a.hm != MAP_FAILED);
	b.prog_fd = bpf_program__fd(b.skel->progs.twp_xdp);
	b.ncpus = libbpf_num_possible_cpus();
	b.hm = a.hm;
	local_add(&b, AF_INET, LOCAL4);

	session_add(&a, AF_INET);
	frame_bfd(&f, &pp);
	assert_int_equal(run(&b, &f, XDP_STAT_BFD_CONSUMED, &out), XDP_DROP);
	assert_int_equal(a.hm->link[0].state, BFD_STATE_INIT);
	assert_int_equal(a.hm->link[0].rx_valid, 1);

	munmap(a.hm, a.hm_len);
	bfd__destroy(b.skel);
	bfd__destroy(a.skel);
	assert_int_equal(umount2(root, MNT_DETACH), 0);
	assert_int_equal(rmdir(root), 0);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_arp_goes_to_kernel),
		T(test_ipv4_to_local_address_goes_to_kernel),
		T(test_ipv4_transit_without_socket_passes_and_counts),
		T(test_ipv4_multicast_goes_to_kernel),
		T(test_ipv4_broadcast_goes_to_kernel),
		T(test_ipv6_neighbour_solicitation_goes_to_kernel),
		T(test_ipv6_link_local_goes_to_kernel),
		T(test_ipv6_to_local_address_goes_to_kernel),
		T(test_ipv6_transit_without_socket_passes_and_counts),
		T(test_truncated_ipv4_passes_and_counts_malformed),
		T(test_truncated_ipv6_passes_and_counts_malformed),
		T(test_non_ip_passes_and_counts_other),
		T(test_bfd_down_and_remote_down_goes_init),
		T(test_bfd_session_started_down_goes_init),
		T(test_bfd_init_and_remote_up_goes_up),
		T(test_bfd_down_and_remote_init_goes_up),
		T(test_bfd_ipv6_session_comes_up),
		T(test_bfd_up_and_remote_down_goes_down_with_diag_3),
		T(test_bfd_remote_admin_down_goes_down_keeping_live_bit),
		T(test_bfd_peer_back_from_admin_down_clears_kept_live_bit),
		T(test_bfd_local_admin_down_ignores_packets),
		T(test_bfd_drops_ipv4_ttl_not_255),
		T(test_bfd_drops_ipv6_hop_limit_not_255),
		T(test_bfd_drops_version_not_1),
		T(test_bfd_drops_length_below_24),
		T(test_bfd_drops_length_below_26_with_auth_bit),
		T(test_bfd_drops_length_beyond_udp_payload),
		T(test_bfd_drops_udp_length_short_of_bfd_header),
		T(test_bfd_drops_detect_mult_zero),
		T(test_bfd_drops_multipoint_bit),
		T(test_bfd_drops_my_disc_zero),
		T(test_bfd_drops_your_disc_not_ours),
		T(test_bfd_drops_your_disc_zero_unless_down),
		T(test_bfd_drops_auth_bit_without_auth),
		T(test_bfd_drops_poll_and_final_together),
		T(test_bfd_without_session_dropped_and_counted),
		T(test_bfd_disabled_session_is_no_session),
		T(test_bfd_port_to_transit_address_is_transit),
		T(test_bfd_ipv4_poll_answered_with_final),
		T(test_bfd_ipv6_poll_answered_with_final),
		T(test_bfd_final_ends_our_poll_and_reduced_rx_applies),
		T(test_bfd_final_without_our_poll_ends_nothing),
		T(test_bfd_ipv4_echo_reflected_with_swapped_addresses),
		T(test_bfd_ipv6_echo_reflected_with_swapped_addresses),
		T(test_bfd_session_on_another_interface_takes_its_packets),
		T(test_bfd_ipv4_down_from_peer_on_its_link_takes_session_down),
		T(test_bfd_ipv4_down_on_another_interface_dropped_as_wrong_if),
		T(test_bfd_ipv4_down_from_another_source_dropped_as_wrong_src),
		T(test_bfd_ipv4_down_to_another_local_address_dropped_as_wrong_dst),
		T(test_bfd_down_from_lan_host_to_lan_address_dropped_as_wrong_if),
		T(test_bfd_other_links_peer_naming_our_session_dropped_as_wrong_if),
		T(test_bfd_ipv6_down_on_another_interface_dropped_as_wrong_if),
		T(test_bfd_ipv6_down_from_another_source_dropped_as_wrong_src),
		T(test_bfd_ipv6_down_to_another_local_address_dropped_as_wrong_dst),
		T(test_bfd_ipv4_packet_naming_ipv6_session_dropped_as_wrong_src),
		T(test_bfd_your_disc_zero_from_another_source_dropped_as_wrong_src),
		T(test_bfd_your_disc_zero_to_another_local_address_dropped_as_wrong_dst),
		T(test_bfd_your_disc_zero_on_link_without_session_is_no_session),
		T(test_bfd_wrong_interface_packets_do_not_hold_session_up),
		T(test_bfd_echo_to_peer_own_address_reflected),
		T(test_bfd_echo_on_link_without_session_not_reflected),
		T(test_bfd_echo_from_another_source_dropped_as_wrong_src),
		T(test_bfd_echo_to_another_local_address_dropped_as_wrong_dst),
		T(test_bfd_ipv6_echo_from_another_source_dropped_as_wrong_src),
		T(test_bfd_ipv6_echo_to_another_local_address_dropped_as_wrong_dst),
		T(test_bfd_detection_timer_expiry_goes_down),
		T(test_bfd_valid_packet_restarts_detection_timer),
		T(test_bfd_port_copies_share_health_map_through_pins),
		T(test_maps_pinned_by_name_under_pin_root),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
