/* bfd.bpf.o on random and mutated frames through BPF_PROG_TEST_RUN: BFD
 * control packets built valid and then changed field by field (state,
 * flags, discriminators, lengths, version, TTL, ports, addresses) and
 * byte by byte (Ethernet, IP and UDP headers included), cut short or
 * padded, against one session per run (IPv4, then IPv6), checked by
 * reading the frame independently of the program:
 *  - no XDP_TX for a packet RFC 5880 §6.8.6 or RFC 5881 §5 says to
 *    discard (or one not from the session's peer, not to us, not UDP
 *    without options and fragments, on a session held AdminDown);
 *  - every packet counted once: exactly one twp_xdp_stats counter moves,
 *    by one; when it is BFD_CONSUMED or BFD_TX exactly one of the
 *    session's rx_valid and drop[] moves, and none of them otherwise;
 *  - the session's state moves only along RFC 5880 §6.8.6's table for
 *    the state received, never on a discarded packet; the one other way
 *    is the detection timer (Init/Up -> Down, diagnostic 1), which a
 *    loaded machine may let fire between two packets;
 *  - a Final sent (XDP_TX) has TTL 255, F set and P clear, Your
 *    Discriminator the peer's My Discriminator, and correct checksums.
 * Deterministic: the seed is fixed (printed) unless TWP_BFD_SEED is set;
 * TWP_BFD_PACKETS sets how many packets per run (default 20000).
 * Needs root (CAP_BPF + CAP_SYS_ADMIN). */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <sys/mman.h>

#include <cmocka.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bfd.skel.h"
#include "health.h"
#include "xdp.h"

#define DEFAULT_SEED 0x7477705f62666401ull /* "twp_bfd\1" */
#define DEFAULT_PACKETS 20000u

#define LOCAL4 "203.0.113.1"
#define PEER4 "203.0.113.2"
#define LOCAL6 "2001:db8:1::1"
#define PEER6 "2001:db8:1::2"
#define OTHER4 "203.0.113.77" /* on the link, not the peer */
#define OTHER6 "2001:db8:1::77"
#define OUR_DISC 0x11110001u
#define PEER_DISC 0x22220002u

#define F_P 0x20
#define F_F 0x10
#define F_C 0x08
#define F_A 0x04
#define F_D 0x02
#define F_M 0x01

struct fixture {
	struct bfd *skel;
	int prog_fd;
	int ncpus;
	struct health_map *hm;
	size_t hm_len;
	int family;
	uint8_t local[16], peer[16], other[16];
	unsigned int alen;
	uint64_t rng;
};

/* xorshift64*: the same sequence for the same seed on every machine */
static uint64_t rnd(struct fixture *fx)
{
	fx->rng ^= fx->rng >> 12;
	fx->rng ^= fx->rng << 25;
	fx->rng ^= fx->rng >> 27;
	return fx->rng * 0x2545f4914f6cdd1dull;
}

static uint32_t below(struct fixture *fx, uint32_t n)
{
	return (uint32_t)(rnd(fx) % n);
}

static uint64_t env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	return s != NULL && *s != '\0' ? strtoull(s, NULL, 0) : dflt;
}

static int setup(struct fixture *fx, int family)
{
	struct xdp_local_key key = {.family = (uint8_t)family};
	struct health_link *l;
	uint32_t port = 0;

	memset(fx, 0, sizeof(*fx));
	fx->family = family;
	fx->alen = family == AF_INET ? 4 : 16;
	inet_pton(family, family == AF_INET ? LOCAL4 : LOCAL6, fx->local);
	inet_pton(family, family == AF_INET ? PEER4 : PEER6, fx->peer);
	inet_pton(family, family == AF_INET ? OTHER4 : OTHER6, fx->other);
	fx->skel = bfd__open();
	if (!fx->skel)
		return -1;
	/* private maps: never the pins a running twinpath-dp may own */
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
		bfd__destroy(fx->skel);
		return -1;
	}
	fx->prog_fd = bpf_program__fd(fx->skel->progs.twp_xdp);
	fx->ncpus = libbpf_num_possible_cpus();
	memcpy(key.addr, fx->local, fx->alen);
	if (bpf_map__update_elem(fx->skel->maps.twp_local_addrs, &key,
				 sizeof(key), &port, sizeof(port), BPF_ANY))
		return -1;
	/* session 0 on "lo", BPF_PROG_TEST_RUN's ingress without ctx_in */
	l = &fx->hm->link[0];
	l->ifindex = if_nametoindex("lo");
	l->family = (uint32_t)family;
	memcpy(l->local_addr, fx->local, fx->alen);
	memcpy(l->peer_addr, fx->peer, fx->alen);
	l->local_disc = OUR_DISC;
	l->desired_min_tx_us = 50000;
	l->required_min_rx_us = 40000;
	l->detect_mult = 3;
	l->src_port = 49500;
	l->cfg_gen = 1;
	l->cfg_enabled = 1;
	fx->rng = env_u64("TWP_BFD_SEED", DEFAULT_SEED) ^
		  (uint64_t)family * 0x9e3779b97f4a7c15ull;
	if (fx->rng == 0)
		fx->rng = 1;
	return 0;
}

static void teardown(struct fixture *fx)
{
	munmap(fx->hm, fx->hm_len);
	bfd__destroy(fx->skel);
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

/* buf holds an Ethernet frame: two bytes before it put the IP header on
 * a 4-byte boundary (as the kernel's NET_IP_ALIGN does), which struct
 * iphdr and ipv6hdr need (UBSan in the sanitizer build). */
struct frame {
	uint8_t ip_align[2];
	uint8_t buf[256];
	size_t len;
};

/* A control (or echo) packet from the peer to us, valid, then changed:
 * each field has a chance to take a value RFC 5880/5881 refuses or one
 * that drives the state machine elsewhere. */
static void build(struct fixture *fx, struct frame *f)
{
	bool v4 = fx->family == AF_INET;
	int fam = below(fx, 16) == 0 ? (v4 ? AF_INET6 : AF_INET) : fx->family;
	size_t l3 = fam == AF_INET ? 20 : 40, pad = below(fx, 8) == 0 ?
		below(fx, 40) : 0;
	struct ethhdr *eth = (struct ethhdr *)f->buf;
	uint8_t *ip = f->buf + 14, *src, *dst, *b;
	struct udphdr *udp = (struct udphdr *)(ip + l3);
	static const uint32_t mults[] = {3, 0, 1, 255};
	uint32_t r, your, my;

	memset(f, 0, sizeof(*f));
	memcpy(eth->h_dest, "\x02\x00\x00\x00\x00\x01", ETH_ALEN);
	memcpy(eth->h_source, "\x02\x00\x00\x00\x00\x02", ETH_ALEN);
	eth->h_proto = htons(fam == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	if (fam == AF_INET) {
		struct iphdr *h = (struct iphdr *)ip;

		h->version = 4;
		h->ihl = 5;
		h->ttl = 255;
		h->protocol = 17;
		h->tot_len = htons((uint16_t)(20 + 8 + 24 + pad));
		src = (uint8_t *)&h->saddr;
		dst = (uint8_t *)&h->daddr;
	} else {
		struct ipv6hdr *h = (struct ipv6hdr *)ip;

		h->version = 6;
		h->hop_limit = 255;
		h->nexthdr = 17;
		h->payload_len = htons((uint16_t)(8 + 24 + pad));
		src = (uint8_t *)&h->saddr;
		dst = (uint8_t *)&h->daddr;
	}
	if (fam == fx->family) {
		memcpy(src, fx->peer, fx->alen);
		memcpy(dst, fx->local, fx->alen);
		r = below(fx, 20);
		if (r == 0)
			memcpy(src, fx->other, fx->alen);
		else if (r == 1)
			memcpy(dst, fx->other, fx->alen);
		else if (r == 2)
			memcpy(dst, fx->peer, fx->alen); /* echo's usual */
	} else {
		src[0] = 0x20, dst[0] = 0x20; /* some other family's pair */
	}
	udp->source = htons((uint16_t)(49152 + below(fx, 16384)));
	r = below(fx, 10);
	udp->dest = htons(r < 7 ? 3784 : r < 9 ? 3785 : (uint16_t)rnd(fx));
	udp->len = htons((uint16_t)(8 + 24 + pad));
	b = (uint8_t *)(udp + 1);
	b[0] = (uint8_t)(1u << 5 | below(fx, 9));
	/* state: evenly; flags: P or F now and then, the refused ones rarely */
	b[1] = (uint8_t)(below(fx, 4) << 6);
	r = below(fx, 12);
	b[1] |= r == 0 ? F_P : r == 1 ? F_F : r == 2 ? F_P | F_F :
		r == 3 ? F_A : r == 4 ? F_M : r == 5 ? F_C | F_D : 0;
	b[2] = (uint8_t)mults[below(fx, 8) < 5 ? 0 : below(fx, 4)];
	b[3] = below(fx, 10) == 0 ? (uint8_t)rnd(fx) : 24;
	r = below(fx, 8);
	my = r == 0 ? 0 : r == 1 ? (uint32_t)rnd(fx) : PEER_DISC;
	r = below(fx, 8);
	your = r < 3 ? 0 : r < 7 ? OUR_DISC : (uint32_t)rnd(fx);
	*(uint32_t *)(b + 4) = htonl(my);
	*(uint32_t *)(b + 8) = htonl(your);
	*(uint32_t *)(b + 12) = htonl(below(fx, 4) == 0 ? (uint32_t)rnd(fx) :
				      20000);
	*(uint32_t *)(b + 16) = htonl(below(fx, 4) == 0 ? (uint32_t)rnd(fx) :
				      30000);
	memset(b + 24, 0xee, pad);
	f->len = 14 + l3 + 8 + 24 + pad;
	/* header fields a forwarded or forged packet may carry */
	if (below(fx, 10) == 0) {
		if (fam == AF_INET)
			((struct iphdr *)ip)->ttl = (uint8_t)(below(fx, 2) ? 254 :
							     rnd(fx));
		else
			((struct ipv6hdr *)ip)->hop_limit = 254;
	}
	if (below(fx, 10) == 0)
		b[0] = (uint8_t)rnd(fx); /* version and diag */
	if (below(fx, 12) == 0)
		udp->len = htons((uint16_t)(below(fx, 2) ? below(fx, 40) :
					    8 + 24 + pad + below(fx, 8)));
	if (fam == AF_INET) {
		struct iphdr *h = (struct iphdr *)ip;

		if (below(fx, 30) == 0)
			h->frag_off = htons((uint16_t)rnd(fx));
		h->check = htons(fold(sum16(h, 20, 0)));
	}
	{
		uint32_t s = sum16(src, fam == AF_INET ? 4 : 16, 0);

		s = sum16(dst, fam == AF_INET ? 4 : 16, s);
		s += 17 + (uint32_t)(8 + 24 + pad);
		udp->check = htons(fold(sum16(udp, 8 + 24 + pad, s)));
	}
	/* then bytes anywhere, Ethernet and IP headers included */
	for (r = below(fx, 4) == 0 ? 1 + below(fx, 3) : 0; r > 0; r--)
		f->buf[below(fx, (uint32_t)f->len)] ^= (uint8_t)(1 + below(fx,
									255));
	if (below(fx, 12) == 0) /* cut short: anywhere after Ethernet */
		f->len = 14 + below(fx, (uint32_t)(f->len - 14));
}

/* What an independent reading of F says about it. */
struct verdict_model {
	bool bfd;         /* UDP to 3784 / 3785 in the form the program takes */
	bool echo;
	bool from_peer;   /* source is the session's peer */
	bool to_local;    /* to the session's local address */
	bool to_peer;     /* to the peer's own address (echo) */
	bool must_discard; /* RFC 5880 §6.8.6 / 5881 §5 / binding */
	bool rfc_valid;   /* ... but for our AdminDown */
	uint8_t rstate;
	uint32_t my_disc;
	bool poll;
};

static void model(struct fixture *fx, const struct frame *f,
		  struct verdict_model *m)
{
	const uint8_t *ip = f->buf + 14, *src, *dst, *b;
	const struct udphdr *udp;
	size_t l3, avail;
	uint16_t proto = (uint16_t)(f->buf[12] << 8 | f->buf[13]);
	uint8_t ttl;
	uint32_t your, ulen;

	memset(m, 0, sizeof(*m));
	m->must_discard = true;
	if (f->len < 14)
		return;
	if (proto == ETH_P_IP && fx->family == AF_INET) {
		const struct iphdr *h = (const struct iphdr *)ip;

		if (f->len < 14 + 20 + 8 || h->protocol != 17 || h->ihl != 5 ||
		    (ntohs(h->frag_off) & 0x3fff))
			return;
		l3 = 20;
		ttl = h->ttl;
		src = (const uint8_t *)&h->saddr;
		dst = (const uint8_t *)&h->daddr;
	} else if (proto == ETH_P_IPV6 && fx->family == AF_INET6) {
		const struct ipv6hdr *h = (const struct ipv6hdr *)ip;

		if (f->len < 14 + 40 + 8 || h->nexthdr != 17)
			return;
		l3 = 40;
		ttl = h->hop_limit;
		src = (const uint8_t *)&h->saddr;
		dst = (const uint8_t *)&h->daddr;
	} else {
		return;
	}
	udp = (const struct udphdr *)(ip + l3);
	if (ntohs(udp->dest) != 3784 && ntohs(udp->dest) != 3785)
		return;
	m->bfd = true;
	m->echo = ntohs(udp->dest) == 3785;
	m->from_peer = memcmp(src, fx->peer, fx->alen) == 0;
	m->to_local = memcmp(dst, fx->local, fx->alen) == 0;
	m->to_peer = memcmp(dst, fx->peer, fx->alen) == 0;
	if (!m->from_peer || !(m->to_local || (m->echo && m->to_peer)))
		return; /* RFC 5881 §3/§4: not the session's */
	if (m->echo) {
		m->must_discard = fx->hm->link[0].cfg_admin_down;
		return;
	}
	avail = f->len - 14 - l3 - 8;
	b = (const uint8_t *)(udp + 1);
	ulen = ntohs(udp->len);
	if (ttl != 255 || avail < 24 || (b[0] >> 5) != 1 || ulen < 8 + 24 ||
	    ulen > f->len - 14 - l3 || b[3] < 24 ||
	    ((b[1] & F_A) && b[3] < 26) || b[3] > ulen - 8 || b[2] == 0 ||
	    (b[1] & F_M))
		return;
	m->my_disc = ntohl(*(const uint32_t *)(b + 4));
	your = ntohl(*(const uint32_t *)(b + 8));
	m->rstate = b[1] >> 6;
	if (m->my_disc == 0 || (your != 0 && your != OUR_DISC) ||
	    (your == 0 && m->rstate != BFD_STATE_DOWN &&
	     m->rstate != BFD_STATE_ADMIN_DOWN) || (b[1] & F_A) ||
	    ((b[1] & F_P) && (b[1] & F_F)))
		return;
	m->poll = b[1] & F_P;
	m->rfc_valid = true;
	/* RFC 5880 §6.8.6: "If bfd.SessionState is AdminDown, discard" */
	m->must_discard = fx->hm->link[0].cfg_admin_down;
}

/* RFC 5880 §6.8.6's state table: where a session in OLD goes on a valid
 * packet with state RSTATE (AdminDown of ours left first: Down). */
static uint32_t next_state(uint32_t old, uint8_t rstate)
{
	if (old == BFD_STATE_ADMIN_DOWN)
		old = BFD_STATE_DOWN;
	if (rstate == BFD_STATE_ADMIN_DOWN)
		return BFD_STATE_DOWN;
	switch (old) {
	case BFD_STATE_DOWN:
		return rstate == BFD_STATE_DOWN ? BFD_STATE_INIT :
		       rstate == BFD_STATE_INIT ? BFD_STATE_UP : old;
	case BFD_STATE_INIT:
		return rstate == BFD_STATE_DOWN ? old : BFD_STATE_UP;
	default:
		return rstate == BFD_STATE_DOWN ? BFD_STATE_DOWN : old;
	}
}

static uint64_t link_counted(const struct health_link *l)
{
	uint64_t n = l->rx_valid;

	for (int k = 0; k < BFD_DROP_MAX; k++)
		n += l->drop[k];
	return n;
}

/* The Final that left: TTL 255, F without P, our discriminators, and
 * checksums that add up (RFC 5880 §6.5, §6.8.7; RFC 5881 §5). */
static void check_final(struct fixture *fx, const struct frame *out,
			const struct verdict_model *m, uint64_t n)
{
	size_t l3 = fx->family == AF_INET ? 20 : 40;
	const uint8_t *ip = out->buf + 14, *b = ip + l3 + 8;
	const struct udphdr *udp = (const struct udphdr *)(ip + l3);
	uint32_t s;

	if (out->len != 14 + l3 + 8 + 24)
		fail_msg("packet %" PRIu64 ": a Final of %zu bytes", n,
			 out->len);
	if (fx->family == AF_INET) {
		if (ip[8] != 255 || fold(sum16(ip, 20, 0)) != 0)
			fail_msg("packet %" PRIu64 ": Final with TTL %u or a "
				 "bad IPv4 checksum", n, ip[8]);
		s = sum16(ip + 12, 8, 0);
	} else {
		if (ip[7] != 255)
			fail_msg("packet %" PRIu64 ": Final with hop limit %u",
				 n, ip[7]);
		s = sum16(ip + 8, 32, 0);
	}
	if (memcmp(ip + (fx->family == AF_INET ? 12 : 8), fx->local,
		   fx->alen) != 0)
		fail_msg("packet %" PRIu64 ": Final not from our address", n);
	s += 17 + 8 + 24;
	if (ntohs(udp->len) != 8 + 24 || fold(sum16(udp, 8 + 24, s)) != 0 ||
	    ntohs(udp->dest) != 3784)
		fail_msg("packet %" PRIu64 ": Final with UDP length %u, port "
			 "%u or a bad checksum", n, ntohs(udp->len),
			 ntohs(udp->dest));
	if ((b[1] & (F_P | F_F)) != F_F || (b[0] >> 5) != 1 || b[3] != 24)
		fail_msg("packet %" PRIu64 ": Final with flags 0x%02x", n,
			 b[1]);
	if (ntohl(*(const uint32_t *)(b + 4)) != OUR_DISC ||
	    ntohl(*(const uint32_t *)(b + 8)) != m->my_disc)
		fail_msg("packet %" PRIu64 ": Final with discriminators "
			 "0x%08x/0x%08x", n, ntohl(*(const uint32_t *)(b + 4)),
			 ntohl(*(const uint32_t *)(b + 8)));
}

static void run_random(int family)
{
	uint64_t packets = env_u64("TWP_BFD_PACKETS", DEFAULT_PACKETS), n;
	uint64_t before[XDP_STAT_MAX], after[XDP_STAT_MAX], seen[XDP_STAT_MAX];
	uint64_t moves = 0, timer_downs = 0, finals = 0;
	struct health_link *l;
	struct fixture fx;

	if (setup(&fx, family) != 0)
		fail_msg("setup failed (root needed)");
	printf("test_bfd_random: %s session, seed 0x%016" PRIx64 " (set "
	       "TWP_BFD_SEED to change), %" PRIu64 " packets\n",
	       family == AF_INET ? "IPv4" : "IPv6",
	       env_u64("TWP_BFD_SEED", DEFAULT_SEED), packets);
	fflush(stdout);
	l = &fx.hm->link[0];
	memset(seen, 0, sizeof(seen));
	for (n = 0; n < packets; n++) {
		struct frame f, out;
		struct verdict_model m;
		uint32_t old_state, new_state;
		uint64_t counted;
		int changed = -1;
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = f.buf,
			.data_size_out = sizeof(out.buf),
			.data_out = out.buf,
			.repeat = 1);

		/* now and then the operator holds the session AdminDown */
		if (below(&fx, 400) == 0)
			l->cfg_admin_down = !l->cfg_admin_down;
		build(&fx, &f);
		model(&fx, &f, &m);
		opts.data_size_in = (uint32_t)f.len;
		old_state = l->state;
		counted = link_counted(l);
		stats_read(&fx, before);
		assert_int_equal(bpf_prog_test_run_opts(fx.prog_fd, &opts), 0);
		stats_read(&fx, after);
		out.len = opts.data_size_out;
		new_state = l->state;

		for (int k = 0; k < XDP_STAT_MAX; k++) {
			uint64_t d = after[k] - before[k];

			if (d > 1 || (d == 1 && changed >= 0))
				fail_msg("packet %" PRIu64 ": counter %d moved "
					 "by %" PRIu64 " (and %d)", n, k, d,
					 changed);
			if (d == 1)
				changed = k;
		}
		if (changed < 0) {
			fail_msg("packet %" PRIu64 ": counted nowhere", n);
			return;
		}
		seen[changed]++;
		if (changed == XDP_STAT_BFD_CONSUMED ||
		    (changed == XDP_STAT_BFD_TX && !m.echo)) {
			if (link_counted(l) - counted != 1)
				fail_msg("packet %" PRIu64 ": consumed, the "
					 "session counted it %" PRIu64 " times",
					 n, link_counted(l) - counted);
		} else if (link_counted(l) != counted) {
			fail_msg("packet %" PRIu64 ": counter %d, yet the "
				 "session counted it", n, changed);
		}
		if (opts.retval == XDP_TX) {
			if (!m.bfd || m.must_discard)
				fail_msg("packet %" PRIu64 " (%zu bytes) is to be "
					 "discarded but was sent back (XDP_TX)",
					 n, f.len);
			if (changed != XDP_STAT_BFD_TX)
				fail_msg("packet %" PRIu64 ": XDP_TX counted "
					 "under %d", n, changed);
			if (!m.echo) {
				if (!m.poll)
					fail_msg("packet %" PRIu64 ": a Final "
						 "without a Poll", n);
				check_final(&fx, &out, &m, n);
				finals++;
			}
		} else if (changed == XDP_STAT_BFD_TX) {
			fail_msg("packet %" PRIu64 ": BFD_TX with verdict %u",
				 n, opts.retval);
		}

		/* the state machine */
		if (new_state == old_state)
			continue;
		moves++;
		if (new_state == BFD_STATE_DOWN &&
		    (old_state == BFD_STATE_INIT || old_state == BFD_STATE_UP) &&
		    l->local_diag == BFD_DIAG_DETECT_EXPIRED) {
			timer_downs++; /* §6.8.4: the detection timer */
			continue;
		}
		if (l->cfg_admin_down && new_state == BFD_STATE_ADMIN_DOWN &&
		    m.rfc_valid)
			continue; /* entered on a valid packet of the session */
		if (m.must_discard || m.echo || !m.bfd)
			fail_msg("packet %" PRIu64 ": state %u -> %u on a packet "
				 "to be discarded", n, old_state, new_state);
		if (new_state != next_state(old_state, m.rstate))
			fail_msg("packet %" PRIu64 ": state %u -> %u on "
				 "received state %u (RFC 5880 §6.8.6 says %u)",
				 n, old_state, new_state, m.rstate,
				 next_state(old_state, m.rstate));
	}
	printf("test_bfd_random: %" PRIu64 " packets: %" PRIu64 " consumed, %"
	       PRIu64 " sent back (%" PRIu64 " Finals), %" PRIu64
	       " without session, %" PRIu64 " passed on; %" PRIu64
	       " state changes (%" PRIu64 " by the detection timer), %"
	       PRIu64 " Up\n", packets, seen[XDP_STAT_BFD_CONSUMED],
	       seen[XDP_STAT_BFD_TX], finals, seen[XDP_STAT_BFD_NO_SESSION],
	       packets - seen[XDP_STAT_BFD_CONSUMED] - seen[XDP_STAT_BFD_TX] -
	       seen[XDP_STAT_BFD_NO_SESSION], moves, timer_downs,
	       (uint64_t)l->up_count);
	/* a run that never reached Up or never sent a Final tested little */
	if (packets >= 5000 && (l->up_count == 0 || finals == 0 ||
				l->rx_valid == 0))
		fail_msg("the random packets never brought the session Up "
			 "(%" PRIu64 ") or never got a Final (%" PRIu64 ")",
			 (uint64_t)l->up_count, finals);
	teardown(&fx);
}

static void test_bfd_random_ipv4_session(void **state)
{
	(void)state;
	run_random(AF_INET);
}

static void test_bfd_random_ipv6_session(void **state)
{
	(void)state;
	run_random(AF_INET6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bfd_random_ipv4_session),
		cmocka_unit_test(test_bfd_random_ipv6_session),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
