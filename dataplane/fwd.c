/* The fast path of twinpath-dp, the packet's whole way in order, a burst
 * at a time and in stages so that no packet waits on another's loads:
 *   1. rx burst, the frame sent to the port's own MAC, Ethernet type,
 *      RFC 1812 §5.2.2 checks for IPv4 and the RFC 8200 ones for IPv6,
 *      martian addresses, directed broadcasts, fragments past 64 KiB,
 *      IPv4 options; the frame trimmed to its datagram; destinations,
 *      sources and flow hashes gathered per family (the header is in
 *      registers); four packets at once in SSE registers when all four
 *      are the common IPv4 packet (fwd_check4), else one by one; then, on
 *      a port with ingress_filter, one bulk lookup of the sources in the
 *      site table (filter.c);
 *   2. one bulk lookup per family (rte_fib, rte_fib6);
 *   3. per packet: nexthop group -> its bucket's precomputed L2 when the
 *      home member is live (ports live by link, admin and BFD state, read
 *      once per burst), else the failover walk -> L2 rewrite -> TTL
 *      decrement with incremental checksum (RFC 1624) or hop-limit
 *      decrement -> the out port's tx array;
 *   4. one rte_eth_tx_burst per out port.
 * No locks, syscalls, allocation or division; every drop is counted under
 * its reason in this lcore's counters. */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/prctl.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_fib.h>
#include <rte_fib6.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>
#include <rte_ring_peek_zc.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "dp.h"
#include "flowhash.h"
#include "icmp.h"
#include "ipv6ext.h"
#include "log.h"
#include "susflow.h"

#define PREFETCH_AHEAD 4u
/* Fragments of one packet at most: a 9000-byte frame into a 576 MTU */
#define FWD_FRAGS_MAX 32u
/* IPv6 extension headers the ingress check follows at most; past them
 * the packet is forwarded (RFC 7045 §2.2: a long chain is no reason to
 * drop), the bound only keeps the per-packet work fixed */
#define FWD_EXT6_MAX 16u
/* fwd_lcore.flow_out: a sampled packet not kept; a row's bytes, a power
 * of 2 so that the row is found with a shift */
#define FWD_FLOW_SKIP 0xfeu
#define FWD_FLOW_OUT_ROW 32u

/* Packets of one rx burst waiting for their out port's tx burst. */
struct fwd_lcore {
	struct rte_mbuf *tx[DP_PORT_MAX][DP_BURST];
	bool rx[DP_PORT_MAX];  /* this lcore polls the port, on queue rxq */
	uint16_t rxq;          /* its rx and tx queue on every port */
	uint16_t txq;
	bool bfd_drain;        /* the one lcore sending periodic BFD */
	bool ready;
	struct icmp_lcore icmp;  /* ICMP error buckets, one per in-port */
	/* d->flow_ring[lcore], the sampled packets' records for the main
	 * lcore (susflow.h): NULL, none */
	struct rte_ring *flow_ring;
	/* a sampled packet's out link in its record, by the port it came
	 * in on and the one it leaves on: from the LAN, a link with
	 * suspect { }; from a link, the LAN (an answer, SUSFLOW_NO_LINK);
	 * FWD_FLOW_SKIP: not kept */
	uint8_t flow_out[DP_PORT_MAX][FWD_FLOW_OUT_ROW];
	/* the room reserved in flow_ring for records, from FLOW_START to
	 * FLOW_END, the next burst's at FLOW_W (NULL: none reserved); with
	 * FLOW_DEFER, full bursts' records are published together
	 * (fwd_flows_end) */
	uint8_t *flow_w;
	uint8_t *flow_start;
	uint8_t *flow_end;
	bool flow_defer;
	/* a burst's records where the ring has no room in one piece for
	 * them (struct fwd_flow_w) */
	uint8_t flow_buf[SUSFLOW_BURST_ELEMS(DP_BURST)][SUSFLOW_ELEM]
		__rte_aligned(SUSFLOW_ELEM);
} __rte_cache_aligned;

static struct fwd_lcore fwd_lcores[RTE_MAX_LCORE];

/* The forwarding lcores: every EAL worker lcore, numbered 0..N-1 in
 * lcore order (number i uses queue i on every port); without a worker
 * the main lcore forwards alone. */
void fwd_lcores_pick(struct dp *d)
{
	unsigned int l;

	d->n_fwd_lcores = 0;
	RTE_LCORE_FOREACH_WORKER(l) {
		d->fwd_index[l] = d->n_fwd_lcores;
		d->fwd_lcores[d->n_fwd_lcores++] = l;
	}
	if (d->n_fwd_lcores == 0) {
		l = rte_get_main_lcore();
		d->fwd_index[l] = 0;
		d->fwd_lcores[d->n_fwd_lcores++] = l;
	}
	d->fwd_lcore = d->fwd_lcores[0];
}

/* A sampled packet's out link in its record when it came in on port IN
 * and leaves on OUT (fwd_lcore.flow_out). */
static uint8_t fwd_flow_out(const struct dp *d, uint16_t in, uint16_t out)
{
	const uint16_t lan = (uint16_t)d->cfg->n_links;

	if (in == lan && out < lan && ((d->flow_links >> out) & 1u))
		return (uint8_t)out;
	if (in != lan && out == lan)
		return SUSFLOW_NO_LINK;
	return FWD_FLOW_SKIP;
}

int fwd_init_lcore(struct dp *d, unsigned int lcore)
{
	struct fwd_lcore *fl = &fwd_lcores[lcore];
	uint16_t p, q;

	/* lcore number i has queue i each way; port.c made sure every port
	 * with tx has a tx queue per forwarding lcore, rx may have fewer */
	fl->txq = (uint16_t)d->fwd_index[lcore];
	fl->rxq = fl->txq;
	fl->bfd_drain = lcore == d->fwd_lcore;
	fl->flow_ring = d->flow_ring[lcore];
	fl->flow_w = NULL;
	/* alone, its ring is the only one: its records' order is time's.
	 * With two or more, the drain merges the rings by time, so each
	 * lcore publishes every burst (a burst held back could be older
	 * than another lcore's already noted) */
	fl->flow_defer = d->n_fwd_lcores == 1;
	RTE_BUILD_BUG_ON(DP_PORT_MAX > FWD_FLOW_OUT_ROW);
	for (q = 0; q < DP_PORT_MAX; q++)
		for (p = 0; p < DP_PORT_MAX; p++)
			fl->flow_out[q][p] = fwd_flow_out(d, q, p);
	for (p = 0; p < d->n_ports; p++)
		fl->rx[p] = dp_lcore_rxq(d, lcore, p, &q);
	fwd_icmp_rate_set(lcore, d->cfg->dataplane.icmp_errors_per_s,
			  d->cfg->dataplane.icmp_burst);
	if (rte_rcu_qsbr_thread_register(d->rcu, lcore) != 0)
		return -EINVAL;
	rte_rcu_qsbr_thread_online(d->rcu, lcore);
	fl->ready = true;
	return 0;
}

int fwd_frag_init(struct dp *d)
{
	/* direct: a fragment's Ethernet and IP headers, and its payload
	 * once linearized; indirect: its reference to the original's
	 * payload until then. A few bursts of jumbo frames' worth. */
	d->frag_direct = rte_pktmbuf_pool_create("twp_frag_direct", 4095, 64, 0,
		RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	d->frag_indirect = rte_pktmbuf_pool_create("twp_frag_indirect", 4095,
		64, 0, 0, (int)rte_socket_id());
	if (d->frag_direct == NULL || d->frag_indirect == NULL) {
		log_err("fragmentation pools: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}

void fwd_mtu_update(struct dp *d)
{
	uint16_t p, min = UINT16_MAX;

	for (p = 0; p < d->n_ports; p++)
		min = RTE_MIN(min, d->ports[p].mtu);
	/* read by the forwarding lcores once per burst */
	__atomic_store_n(&d->mtu_min, min, __ATOMIC_RELAXED);
}

void fwd_icmp_rate_set(unsigned int lcore, uint32_t per_s, uint32_t burst)
{
	icmp_rate_set(&fwd_lcores[lcore].icmp, per_s, burst);
}

/* RFC 1071 sum of the header at IP is all ones. The NIC's verdict when it
 * gave one; else computed. The common 20-byte header: its 16-bit words'
 * plain sum S passes exactly when S is a non-zero multiple of 0xffff
 * (what folding S to 16 bits with end-around carries tests). As 2^16,
 * 2^32 and 2^64 are all 1 modulo 0xffff, the header may be added as two
 * 64-bit words and a 32-bit one with end-around carries (add, adc) and
 * the total tested for divisibility by 0xffff, which the compiler makes
 * a multiply and a compare: 10 instructions with gcc 12, where splitting
 * the words into 32-bit halves and folding took 18 (make bench-instr:
 * 6.9 fewer a packet for IPv4). A version and IHL byte of 0x45 makes the
 * total non-zero. */
static inline bool ipv4_cksum_ok(const struct rte_mbuf *m,
				 const struct rte_ipv4_hdr *ip, uint32_t hlen)
{
	uint64_t flag = m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK;
	const uint8_t *h = (const uint8_t *)ip;
	uint64_t a, b, s;
	uint32_t c;
	bool carry;

	/* no verdict (virtio, af_xdp, vdevs): one test, then computed */
	if (unlikely(flag != RTE_MBUF_F_RX_IP_CKSUM_UNKNOWN)) {
		if (flag == RTE_MBUF_F_RX_IP_CKSUM_GOOD)
			return true;
		if (flag == RTE_MBUF_F_RX_IP_CKSUM_BAD)
			return false;
	}
	if (hlen != sizeof(*ip))
		return rte_raw_cksum(ip, hlen) == 0xffff;
	/* three loads straight from the header (an array copy made the
	 * compiler spill it to the stack and read it back word by word) */
	memcpy(&a, h, sizeof(a));
	memcpy(&b, h + 8, sizeof(b));
	memcpy(&c, h + 16, sizeof(c));
	/* c plus the first carry is below 2^33, and after the second
	 * carry's wrap s is below 2^33 too: adding it cannot carry again */
	carry = __builtin_add_overflow(a, b, &s);
	carry = __builtin_add_overflow(s, (uint64_t)c + carry, &s);
	s += carry;
	return s % 0xffff == 0;
}

/* RFC 1812 §5.3.7, RFC 3927 §7, RFC 6890: IPv4 addresses no router
 * forwards from or to: 0/8 "this network", 127/8 loopback, 169.254/16
 * link local, 224/4 multicast (we route none), 240/4 reserved with the
 * limited broadcast. A in host order; three compares, no branch. */
static inline bool ipv4_martian(uint32_t a)
{
	uint32_t top = a >> 24;

	return ((uint8_t)(top - 1) >= 223) | (top == 127) |
	       ((a >> 16) == 0xa9fe);
}

/* The fast path's version: 1 for a first octet that is martian or holds
 * a martian range (169: 169.254/16), one byte load per address; a hit
 * is made exact by ipv4_martian on the slow path, so 169/8 outside
 * 169.254/16 is forwarded, a little slower. */
static const uint8_t ipv4_octet_suspect[256] = {
	[0] = 1, [127] = 1, [169] = 1, [224 ... 255] = 1,
};

/* Might DST (host order) be the broadcast address of a connected subnet
 * (RFC 2644: directed broadcasts are not forwarded by default)? One byte
 * load from the filter's table; a hit is made exact by ipv4_bcast. */
static inline uint8_t ipv4_bcast_maybe(const struct dp_filter *f,
				       uint32_t dst)
{
	return f->bcast_maybe[(dst >> 2) & (FILTER_BCAST_SLOTS - 1)];
}

static bool ipv4_bcast(const struct dp_filter *f, uint32_t dst)
{
	unsigned int i;

	for (i = 0; i < f->n_bcast; i++)
		if (f->bcast[i] == dst)
			return true;
	return false;
}

/* RFC 791 §3.1: the options of a header, LEN bytes at OPT. A list whose
 * lengths run past the header is malformed (the length bytes are the
 * sender's word, not ours); loose and strict source routes are refused
 * (RFC 7126 §4.3, §4.4: they steer around filters); any other option as
 * dataplane.ip_options says (RFC 7126 §3). */
static enum dp_drop check_ipv4_options(const struct dp_filter *f,
				       const uint8_t *opt, uint32_t len)
{
	uint32_t i = 0;

	while (i < len) {
		uint8_t type = opt[i];

		if (type == 0)   /* End of Option List: the rest is padding */
			break;
		if (type == 1) { /* No Operation: one byte */
			i++;
			continue;
		}
		if (len - i < 2 || opt[i + 1] < 2 || opt[i + 1] > len - i)
			return DROP_BAD_OPTIONS;
		if (type == 131 || type == 137) /* LSRR, SSRR */
			return DROP_SOURCE_ROUTE;
		i += opt[i + 1];
	}
	return f->options_drop ? DROP_IP_OPTIONS : DROP_MAX;
}

/* The reason the IPv4 packet at IP, L3_LEN bytes, may not be forwarded,
 * in the order of the checks; DROP_MAX when it may (one with options
 * counted in ST). Out of line: the fast path's loop stays small. */
static __rte_noinline enum dp_drop
check_ipv4_why(const struct dp_filter *f, struct dp_lcore_stats *st,
	       const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
	       uint32_t l3_len)
{
	uint32_t hlen, total, src, dst, off;
	enum dp_drop why;

	if (unlikely(l3_len < sizeof(*ip)))
		return DROP_TRUNCATED;
	/* RFC 1812 §5.2.2: version, header length, total length, checksum */
	if (unlikely((ip->version_ihl >> 4) != 4))
		return DROP_BAD_VERSION;
	hlen = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
	       RTE_IPV4_IHL_MULTIPLIER;
	if (unlikely(hlen < sizeof(*ip) || hlen > l3_len))
		return DROP_BAD_IHL;
	total = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(total > l3_len || total < hlen))
		return DROP_BAD_TOTAL_LEN;
	if (unlikely(!ipv4_cksum_ok(m, ip, hlen)))
		return DROP_BAD_CHECKSUM;
	src = rte_be_to_cpu_32(ip->src_addr);
	dst = rte_be_to_cpu_32(ip->dst_addr);
	if (ipv4_martian(src))
		return DROP_MARTIAN_SRC;
	if (ipv4_martian(dst))
		return DROP_MARTIAN_DST;
	if (ipv4_bcast_maybe(f, dst) && ipv4_bcast(f, dst))
		return DROP_DIRECTED_BROADCAST;
	/* RFC 791 §3.1: a datagram is at most 65535 bytes, header included;
	 * a fragment ending past that cannot be reassembled, and
	 * refragmenting it would wrap the 13-bit offset into the flags */
	off = (uint32_t)(rte_be_to_cpu_16(ip->fragment_offset) &
			 RTE_IPV4_HDR_OFFSET_MASK) * 8;
	if (off + total > 65535)
		return DROP_BAD_FRAGMENT;
	if (hlen > sizeof(*ip)) {
		why = check_ipv4_options(f, (const uint8_t *)(ip + 1),
					 hlen - (uint32_t)sizeof(*ip));
		if (why != DROP_MAX)
			return why;
	}
	/* RFC 1812 §5.3.1: a router never forwards with TTL 0 after
	 * decrementing (answered with Time Exceeded by the caller) */
	if (unlikely(ip->time_to_live <= 1))
		return DROP_TTL_EXCEEDED;
	if (hlen > sizeof(*ip))
		st->ip_options++;
	return DROP_MAX;
}

/* DROP_MAX when the IPv4 packet at IP, L3_LEN bytes, may be forwarded,
 * and then its source, destination (host order) and total length in SRC,
 * DST and TOTAL (loaded and swapped once: the caller's stores to its
 * arrays could alias the header). The common packet (version 4, a
 * 20-byte header, no address with a martian first octet or a connected
 * broadcast's low bits, not a non-initial fragment) is judged with one
 * branch over all its checks; any other, or a failure, goes through
 * check_ipv4_why for the exact reason. */
static __rte_always_inline enum dp_drop
check_ipv4(const struct dp_filter *f, struct dp_lcore_stats *st,
	   const struct rte_mbuf *m, const struct rte_ipv4_hdr *ip,
	   uint32_t l3_len, uint32_t *src, uint32_t *dst, uint32_t *total)
{
	enum dp_drop why;

	if (likely(l3_len >= sizeof(*ip) &&
		   ip->version_ihl == (4 << 4 | 5))) {
		const uint8_t *a = (const uint8_t *)&ip->src_addr;
		bool bad;

		*total = rte_be_to_cpu_16(ip->total_length);
		*src = rte_be_to_cpu_32(ip->src_addr);
		*dst = rte_be_to_cpu_32(ip->dst_addr);
		/* the first octets straight from the header (a[0], a[4]);
		 * a non-initial fragment, rare, is judged on the slow path */
		bad = (*total > l3_len) | (*total < sizeof(*ip)) |
		      (ip->time_to_live <= 1) | ipv4_octet_suspect[a[0]] |
		      ipv4_octet_suspect[a[4]] | ipv4_bcast_maybe(f, *dst) |
		      ((ip->fragment_offset &
			rte_cpu_to_be_16(RTE_IPV4_HDR_OFFSET_MASK)) != 0);
		if (likely(!bad && ipv4_cksum_ok(m, ip, sizeof(*ip))))
			return DROP_MAX;
	}
	why = check_ipv4_why(f, st, m, ip, l3_len);
	if (why == DROP_MAX) {
		*total = rte_be_to_cpu_16(ip->total_length);
		*src = rte_be_to_cpu_32(ip->src_addr);
		*dst = rte_be_to_cpu_32(ip->dst_addr);
	}
	return why;
}

/* RFC 4291 §2.5.2, §2.5.3, §2.5.5.2, §2.5.6, §2.7; RFC 6890: IPv6
 * addresses no router forwards from or to: the unspecified ::, loopback
 * ::1, IPv4-mapped ::ffff:0:0/96, link-local fe80::/10 (never off its
 * link), multicast ff00::/8 (we route none). A in network order. */
static inline bool ipv6_martian(const uint8_t *a)
{
	uint64_t hi, lo;

	memcpy(&hi, a, sizeof(hi));
	memcpy(&lo, a + 8, sizeof(lo));
	hi = rte_be_to_cpu_64(hi);
	lo = rte_be_to_cpu_64(lo);
	return ((hi >> 54) == 0x3fa) | ((hi >> 56) == 0xff) |
	       ((hi == 0) & ((lo <= 1) | ((lo >> 32) == 0xffff)));
}

/* Why the extension-header chain of the IPv6 packet at IP (its payload
 * length checked) may not be forwarded; DROP_MAX when it may. RFC 5095
 * §3: a Type 0 Routing Header is refused whatever its Segments Left, as
 * IPv4 source routes are (other routing types go on untouched); RFC 8200
 * §4.1: Hop-by-Hop Options only right after the IPv6 header; a header
 * running past the payload is malformed. A chain ending in a non-first
 * fragment, ESP, No Next Header, an upper layer, or past FWD_EXT6_MAX
 * headers is forwarded (RFC 7045 §2.2). Out of line: rare. */
static __rte_noinline enum dp_drop
check_ipv6_ext(const struct rte_ipv6_hdr *ip)
{
	uint32_t off;
	uint8_t nh;

	switch (ipv6_ext_walk((const uint8_t *)ip,
			      (uint32_t)sizeof(*ip) +
				      rte_be_to_cpu_16(ip->payload_len),
			      FWD_EXT6_MAX, &nh, &off)) {
	case IPV6_EXT_RH0:
		return DROP_SOURCE_ROUTE;
	case IPV6_EXT_CUT:
	case IPV6_EXT_HBH_LATE:
		return DROP_BAD_EXT6;
	default:
		return DROP_MAX;
	}
}

/* DROP_MAX when the IPv6 packet at IP, L3_LEN bytes, may be forwarded.
 * The extension headers are walked only when the first Next Header names
 * one, so TCP, UDP and ICMPv6 pay one test; that rare branch also makes
 * link suspicion's sample byte at SAMPLE (NULL: none) 0, so that the
 * packet is picked and its ports found past the chain out of line
 * (fwd_flow_rec6_ext): the common packet's sample costs no test of its
 * Next Header (make bench-instr). Always inline, as check_ipv4
 * and flow_hash_ipv6: fwd_port is built twice (with and without link
 * suspicion's sample), and GCC's budget took them out of line then, 18
 * instructions a packet more (make bench-instr). */
static __rte_always_inline enum dp_drop
check_ipv6(const struct rte_ipv6_hdr *ip, uint32_t l3_len, uint8_t *sample)
{
	if (unlikely(l3_len < sizeof(*ip)))
		return DROP_TRUNCATED;
	/* RFC 8200 §3: version 6; the payload (extension headers included)
	 * follows the 40-byte header and must be in the frame */
	if (unlikely((*(const uint8_t *)ip >> 4) != 6))
		return DROP_BAD_VERSION6;
	if (unlikely(rte_be_to_cpu_16(ip->payload_len) >
		     l3_len - (uint32_t)sizeof(*ip)))
		return DROP_BAD_PAYLOAD_LEN;
	if (unlikely(ipv6_martian(ip->src_addr) | ipv6_martian(ip->dst_addr)))
		return ipv6_martian(ip->src_addr) ? DROP_MARTIAN_SRC
						  : DROP_MARTIAN_DST;
	if (unlikely(ipv6_ext_hdr(ip->proto))) {
		enum dp_drop why = check_ipv6_ext(ip);

		if (why != DROP_MAX)
			return why;
		if (sample != NULL)
			*sample = 0;
	}
	/* RFC 8200 §3, RFC 4443 §3.3: a router discards a packet whose hop
	 * limit would reach 0 (answered with Time Exceeded by the caller) */
	if (unlikely(ip->hop_limits <= 1))
		return DROP_HOP_LIMIT_EXCEEDED;
	return DROP_MAX;
}

/* The frame at ETH is not for port MAC: why it is dropped (RFC 1122
 * §3.3.6, RFC 1812 §5.3.4: a router forwards only what is sent to its
 * own link-layer address; a broadcast or multicast frame or one for
 * another station is not a request to route). */
static __rte_noinline enum dp_drop l2_why(const struct rte_ether_hdr *eth)
{
	if (rte_is_broadcast_ether_addr(&eth->dst_addr))
		return DROP_L2_BROADCAST;
	if (rte_is_multicast_ether_addr(&eth->dst_addr))
		return DROP_L2_MULTICAST;
	return DROP_L2_OTHER_HOST;
}

/* M cut to its first LEN bytes, all in its first segment (the checks saw
 * to it): Ethernet pads short frames (RFC 894) and a sender may trail
 * bytes; they are not the datagram and must not be sent, nor count in
 * any length decision. */
static __rte_noinline void fwd_trim(struct rte_mbuf *m, uint32_t len)
{
	if (m->next != NULL) {
		rte_pktmbuf_free(m->next);
		m->next = NULL;
		m->nb_segs = 1;
	}
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
}

/* TTL - 1 and the header checksum updated for it (RFC 1624): the 16-bit
 * word holding the TTL drops by 0x0100, so the checksum, its ones'
 * complement, grows by 0x0100 with the end-around carry. Taken as
 * stored: a ones'-complement sum is the same in either byte order.
 * Adding one more when the sum is 0xffff as well keeps the result off
 * 0xffff, as RFC 1624 eqn. 3 does (the same value for every input). */
static inline void ttl_decrement(struct rte_ipv4_hdr *ip)
{
	uint32_t sum = ip->hdr_checksum;

	ip->time_to_live--;
	sum += rte_cpu_to_be_16(0x0100);
	ip->hdr_checksum = (rte_be16_t)(sum + (sum >= 0xffff));
}

static inline void drop(struct dp_lcore_stats *st, struct rte_mbuf *m,
			enum dp_drop why)
{
	st->drop[why]++;
	rte_pktmbuf_free(m);
}

/* Where each port's next packet goes in its tx array (fwd_lcore.tx)
 * while fwd_port handles a burst: a pointer a port, so that a packet
 * is put there with a load, a store and an increment (an array of
 * counts and the arrays' base took 5 instructions a packet more, make
 * bench-instr). */
struct fwd_tx {
	struct rte_mbuf **at[DP_PORT_MAX];
};

/* Onto port IN's tx array (TX) when icmp4_error or icmp6_error made M
 * an answer (SENT); 1 or 0, for the caller's counter of that error. */
static inline unsigned int fwd_answer(struct fwd_tx *tx, uint16_t in,
				      struct rte_mbuf *m, bool sent)
{
	if (sent)
		*tx->at[in]++ = m;
	return sent;
}

/* The IPv4 packet M that came in on port IN has a TTL of 1 or 0: dropped,
 * counted, and answered Time Exceeded (RFC 1812 §5.3.1). */
static void icmp_time_exceeded(const struct dp *d, struct fwd_lcore *fl,
			       struct fwd_tx *tx, struct dp_lcore_stats *st,
			       uint16_t in, struct rte_mbuf *m)
{
	st->drop[DROP_TTL_EXCEEDED]++;
	st->icmp_time_exceeded += fwd_answer(tx, in, m,
		icmp4_error(d, &fl->icmp, st, in, m, ICMP4_TIME_EXCEEDED, 0,
			    0));
}

/* The IPv6 packet M that came in on port IN has a hop limit of 1 or 0:
 * dropped, counted, and answered Time Exceeded (RFC 4443 §3.3). */
static void icmp6_hop_limit_exceeded(const struct dp *d,
				     struct fwd_lcore *fl, struct fwd_tx *tx,
				     struct dp_lcore_stats *st, uint16_t in,
				     struct rte_mbuf *m)
{
	st->drop[DROP_HOP_LIMIT_EXCEEDED]++;
	st->icmp6_time_exceeded += fwd_answer(tx, in, m,
		icmp6_error(d, &fl->icmp, st, in, m, ICMP6_TIME_EXCEEDED, 0,
			    0));
}

/* Packets of one burst without a route, kept for an answer. */
struct fwd_unrouted {
	struct rte_mbuf *m[DP_BURST];
	uint16_t n;
};

/* The ports a burst may use: USE, live and not suspected; ALL, live
 * (link, admin and BFD state). A suspected link still carries what no
 * other live member can. */
struct fwd_live {
	uint32_t use;
	uint32_t all;
};

/* How often a destination read torn (0, see FIB_MISS) is looked up again: a
 * second tear needs another tbl8 group recycled within the lookup */
#define FWD_RELOOKUP_MAX 4u

/* M's destination looked up again after rte_fib or rte_fib6 answered
 * FIB_NO_ROUTE, a torn read (dp.h, FIB_MISS): the group id now, each try
 * counted. The table entry the torn read came through was rewritten
 * before the zeroes were, so the next read sees the new one. */
static __rte_noinline uint64_t fwd_relookup(const struct dp *d,
					    struct dp_lcore_stats *st,
					    const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	uint64_t gid = FIB_NO_ROUTE;
	unsigned int i;

	for (i = 0; i < FWD_RELOOKUP_MAX && gid == FIB_NO_ROUTE; i++) {
		st->fib_relookups++;
		if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)) {
			uint32_t dst = rte_be_to_cpu_32(
				((const struct rte_ipv4_hdr *)(eth + 1))
					->dst_addr);

			rte_fib_lookup_bulk(d->fib, &dst, &gid, 1);
		} else {
			uint8_t dst[1][RTE_FIB6_IPV6_ADDR_SIZE];

			memcpy(dst[0], ((const struct rte_ipv6_hdr *)(eth + 1))
					       ->dst_addr, sizeof(dst[0]));
			rte_fib6_lookup_bulk(d->fib6, dst, &gid, 1);
		}
	}
	return gid;
}

/* The slow path of fwd_select_bulk: the L2 for group GID, G (NULL: the
 * route's group is missing) and flow HASH among ports LIVE.use through
 * the whole failover order, else LIVE.all, in SCRATCH, or NULL with M
 * dropped and counted (without a route and with UNROUTED given, M goes
 * there instead of being freed). */
static const struct nhg_l2 *
fwd_select_slow(const struct dp *d, struct dp_lcore_stats *st,
		struct rte_mbuf *m, uint64_t gid, const struct nhgroup *g,
		uint32_t hash, struct fwd_live live, struct nhg_l2 *scratch,
		struct fwd_unrouted *unrouted)
{
	const struct nhg_l2 *e;
	enum nhg_result res;
	uint32_t unresolved;

	if (unlikely(gid == FIB_NO_ROUTE)) {
		gid = fwd_relookup(d, st, m);
		g = gid < NHG_MAX ? __atomic_load_n(&d->nhg.grp[gid],
						    __ATOMIC_ACQUIRE)
				  : NULL;
	}
	/* still torn after FWD_RELOOKUP_MAX reads: counted as no route */
	if (gid == FIB_MISS || gid == FIB_NO_ROUTE) {
		st->drop[DROP_NO_ROUTE]++;
		if (unrouted != NULL)
			unrouted->m[unrouted->n++] = m;
		else
			rte_pktmbuf_free(m);
		return NULL;
	}
	if (g == NULL) {
		drop(st, m, DROP_NO_GROUP);
		return NULL;
	}
	e = nhg_select_l2(&d->nhg, g, hash, live.use, scratch, &res,
			  &unresolved);
	if (e == NULL && live.all != live.use)
		e = nhg_select_l2(&d->nhg, g, hash, live.all, scratch, &res,
				  &unresolved);
	if (e == NULL) {
		if (res == NHG_UNRESOLVED) {
			st->nh_miss[unresolved]++;
			drop(st, m, DROP_NEXTHOP_UNRESOLVED);
		} else {
			drop(st, m, DROP_NO_LIVE_NEXTHOP);
		}
	}
	return e;
}

/* The groups of the N routes GID into G (NULL: none), all loaded before
 * any is used, so that the loads of many packets are in flight at once. */
static __rte_always_inline void
fwd_groups(const struct dp *d, const uint64_t *gid, const struct nhgroup **g,
	   uint16_t n)
{
	uint16_t i;

#pragma GCC unroll 4
	for (i = 0; i < n; i++)
		/* FIB_MISS is no group id, and grp[0] is never set */
		g[i] = likely(gid[i] < NHG_MAX) ?
		       __atomic_load_n(&d->nhg.grp[gid[i]], __ATOMIC_ACQUIRE) :
		       NULL;
}

/* The L2 of packet *M, route *GID, its group G (fwd_groups) and flow
 * hash HASH among ports LIVE, or NULL with *M dropped and counted (or
 * kept in UNROUTED, fwd_select_slow). The common case, the bucket's home
 * member usable on a live port, is one 16-byte entry of the group
 * (nhg_l2_home); the rest walks the failover order into SCRATCH. M and
 * GID by address: by value, gcc loaded them for every packet, though
 * only that rare path reads them. */
static __rte_always_inline const struct nhg_l2 *
fwd_select(const struct dp *d, struct dp_lcore_stats *st,
	   struct rte_mbuf *const *m, const uint64_t *gid,
	   const struct nhgroup *g, uint32_t hash, struct fwd_live live,
	   struct nhg_l2 *scratch, struct fwd_unrouted *unrouted)
{
	const struct nhg_l2 *e = NULL;

	if (likely(g != NULL))
		e = nhg_l2_home(g, hash, live.use);
	if (unlikely(e == NULL))
		e = fwd_select_slow(d, st, *m, *gid, g, hash, live, scratch,
				    unrouted);
	return e;
}

/* The L2 of each of the N packets M with routes GID and flow hashes HASH
 * (fwd_select) into L2, the groups loaded first (fwd_groups); SCRATCH
 * holds what the slow path computed. */
static __rte_always_inline void
fwd_select_bulk(const struct dp *d, struct dp_lcore_stats *st,
		struct rte_mbuf **m, const uint64_t *gid, const uint32_t *hash,
		struct fwd_live live, const struct nhg_l2 **l2,
		struct nhg_l2 *scratch, struct fwd_unrouted *unrouted,
		uint16_t n)
{
	const struct nhgroup *g[DP_BURST];
	uint16_t i;

	fwd_groups(d, gid, g, n);
	for (i = 0; i < n; i++)
		l2[i] = fwd_select(d, st, &m[i], &gid[i], g[i], hash[i], live,
				   &scratch[i], unrouted);
}

/* The record (susflow.h) of a sampled IPv6 packet at IP whose first
 * Next Header is an extension header, into REC: the chain walked as the
 * ingress check walks it (ipv6ext.h), the sample picked again by the
 * ports found after it, and the record made as if TCP or UDP followed
 * the fixed header. OUT_LINK as in the record. The elements written (0:
 * none, not TCP or UDP after a chain that ends, or not sampled). Out of
 * line: only such packets come here. */
static __rte_noinline unsigned int
fwd_flow_rec6_ext(uint8_t *rec, const struct rte_ipv6_hdr *ip,
		  uint8_t out_link)
{
	uint32_t l3 = (uint32_t)sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
	uint32_t off = sizeof(*ip), ports;
	uint8_t nh = ip->proto;
	rte_be16_t l4_len;

	if (ipv6_ext_walk((const uint8_t *)ip, l3, FWD_EXT6_MAX, &nh,
			  &off) != IPV6_EXT_UPPER ||
	    l3 - off < sizeof(ports) ||
	    (nh != IPPROTO_TCP && nh != IPPROTO_UDP))
		return 0;
	memcpy(&ports, (const uint8_t *)ip + off, sizeof(ports));
	if (((ports ^ (ports >> 16)) & 0x0f00u) != 0)
		return 0;
	memset(rec, 0, SUSFLOW_REC6_ELEMS * SUSFLOW_ELEM);
	memcpy(rec, ip, sizeof(*ip));
	l4_len = rte_cpu_to_be_16((uint16_t)(l3 - off));
	memcpy(rec + offsetof(struct rte_ipv6_hdr, payload_len), &l4_len,
	       sizeof(l4_len));
	rec[offsetof(struct rte_ipv6_hdr, proto)] = nh;
	rec[SUSFLOW_REC_OUT6] = out_link;
	memcpy(rec + sizeof(*ip), (const uint8_t *)ip + off,
	       RTE_MIN(l3 - off, SUSFLOW_REC6_ELEMS * SUSFLOW_ELEM -
				 (uint32_t)sizeof(*ip)));
	return SUSFLOW_REC6_ELEMS;
}

/* Link suspicion's sample (susflow.h): one flow in 16, picked by the
 * xor of the low bytes of its two ports (the same both ways) when its
 * low 4 bits are zero (fwd_flow_rec6_ext's test past extension headers is
 * the same on the 4 bytes read as one word). The check loop stores that
 * xor per packet (fwd_sample_byte: a load, an xor and a store, no
 * branch; an IPv6 packet with an extension header first gets 0 from
 * check_ipv6, so that it is looked at out of line, where its ports are
 * found past the chain), and one pass over the burst makes the bits of
 * the picked packets (fwd_sample_bits). The 4 bytes past a 20- or
 * 40-byte header lie in the mbuf's data room whatever the frame's
 * length (IPv6's are read before its checks); they only pick the
 * sample, the main lcore checks the lengths (susflow.h). */
static __rte_always_inline uint8_t fwd_sample_byte(const void *l4)
{
	const uint8_t *p = l4;

	return (uint8_t)(p[1] ^ p[3]);
}

/* Bit i set where the low 4 bits of X[i] are 0, of the N (<= 32) bytes
 * X. */
static __rte_always_inline uint32_t fwd_sample_bits(const uint8_t *x,
						    uint16_t n)
{
	uint32_t bits = 0;
#if defined(RTE_ARCH_X86_64)
	const __m128i zero = _mm_setzero_si128();
	const __m128i low = _mm_set1_epi8(0x0f);

	RTE_BUILD_BUG_ON(DP_BURST != 32);
	bits = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(
		_mm_loadu_si128((const __m128i *)(const void *)x), low),
		zero)) |
	       (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(
		_mm_loadu_si128((const __m128i *)(const void *)(x + 16)),
		low), zero)) << 16;
	return n >= 32 ? bits : bits & ((1u << n) - 1);
#else
	uint16_t i;

	for (i = 0; i < n; i++)
		bits |= (uint32_t)((x[i] & 0x0fu) == 0) << i;
	return bits;
#endif
}

/* Where fwd_port writes a burst's sampled packets' records (susflow.h),
 * both families behind one header: in the lcore's ring's own memory,
 * reserved for at least all the burst could keep, what is not written
 * given back when it is published (zero-copy, rte_ring_peek_zc.h: a
 * copy through a buffer and rte_ring_sp_enqueue_bulk_elem cost 0.6
 * instructions a packet more, make bench-instr), or, where that room is
 * not in one piece (at the ring's wrap, or nearly full), in the lcore's
 * flow_buf, put on the ring with one bulk enqueue (fwd_flows_enqueue). */
struct fwd_flow_w {
	uint8_t *hdr;          /* the header's element; the records follow */
	uint8_t *w;            /* the next record's */
	uint32_t recs;         /* records written */
};

/* Link suspicion's sampled flows: of the packets M (IPv6 if V6, else
 * IPv4) that leave as L2 says, those whose bit is set in SAMPLE
 * (fwd_sample_bits, or for IPv6 an extension header first, whose ports
 * fwd_flow_rec6_ext finds), a record each at FW (susflow.h: three or
 * four 16-byte copies of their headers' first bytes and the link's
 * byte). From the LAN they are kept with the link they leave on, if
 * that link has suspect { }; from any link as answers (the provider
 * picks the return link): OUT_OF, the row of FL's flow_out for the port
 * they came in on. Inline: one call a burst cost about 1.3 instructions
 * a packet more. */
static __rte_always_inline void
fwd_flows_rec(struct fwd_flow_w *fw, const uint8_t *out_of,
	      struct rte_mbuf **m, const struct nhg_l2 **l2, uint32_t sample,
	      bool v6)
{
	const uint32_t size = (v6 ? SUSFLOW_REC6_ELEMS : SUSFLOW_REC4_ELEMS) *
			      SUSFLOW_ELEM;
	uint8_t *w = fw->w;
	uint32_t k = 0;

	for (; sample != 0; sample &= sample - 1) {
		size_t i = (size_t)__builtin_ctz(sample);
		const uint8_t *ip;
		uint8_t out;

		if (l2[i] == NULL)  /* dropped: M is gone */
			continue;
		out = out_of[l2[i]->port];
		if (out == FWD_FLOW_SKIP)
			continue;
		/* the copy may read past a short frame's end, inside the
		 * mbuf's data room (at least RTE_PKTMBUF_HEADROOM's 128
		 * bytes more than a frame needs): those bytes are never
		 * read, susflow_note_rec keeps within the header's lengths */
		ip = rte_pktmbuf_mtod_offset(m[i], const uint8_t *,
					     sizeof(struct rte_ether_hdr));
		if (v6) {
			if (unlikely(ipv6_ext_hdr(ip[offsetof(
					struct rte_ipv6_hdr, proto)]))) {
				/* the same size, or none */
				if (fwd_flow_rec6_ext(w,
					(const struct rte_ipv6_hdr *)ip,
					out) != 0) {
					w += size;
					k++;
				}
				continue;
			}
			memcpy(w, ip, size);
			w[SUSFLOW_REC_OUT6] = out;
		} else {
			memcpy(w, ip, size);
			w[SUSFLOW_REC_OUT4] = out;
		}
		w += size;
		k++;
	}
	fw->w = w;
	fw->recs += k;
}

/* Elements reserved at once in the ring when records may be published
 * together (fwd_lcore.flow_defer): room for two bursts of only sampled
 * IPv6 packets, some 30 bursts of a site's traffic (a few records
 * each). */
#define FWD_FLOW_ROOM (2u * SUSFLOW_BURST_ELEMS(DP_BURST))

/* What lcore FL has written in its room, put on its ring (rte_ring's
 * zero-copy finish: what it reserved and did not write is given back). */
static __rte_noinline void fwd_flows_publish(struct fwd_lcore *fl)
{
	rte_ring_enqueue_zc_elem_finish(fl->flow_ring, (unsigned int)
		((size_t)(fl->flow_w - fl->flow_start) / SUSFLOW_ELEM));
	fl->flow_w = NULL;
}

/* Room in lcore FL's ring for WANT elements in one piece, what was
 * written before published first: FLOW_ROOM elements when records are
 * published together, else WANT; flow_w NULL when the ring has not that
 * room in one piece (at its wrap, or nearly full). */
static __rte_noinline void fwd_flows_reserve(struct fwd_lcore *fl,
					     uint32_t want)
{
	struct rte_ring_zc_data zcd;
	uint32_t n = fl->flow_defer ? FWD_FLOW_ROOM : want;

	if (fl->flow_w != NULL)
		fwd_flows_publish(fl);
	if (rte_ring_enqueue_zc_bulk_elem_start(fl->flow_ring, SUSFLOW_ELEM,
						n, &zcd, NULL) == 0 &&
	    (n == want || rte_ring_enqueue_zc_bulk_elem_start(fl->flow_ring,
			SUSFLOW_ELEM, n = want, &zcd, NULL) == 0))
		return;
	if (zcd.n1 < want) {
		rte_ring_enqueue_zc_elem_finish(fl->flow_ring, 0);
		return;
	}
	fl->flow_start = zcd.ptr1;
	fl->flow_w = zcd.ptr1;
	fl->flow_end = fl->flow_start + RTE_MIN(n, zcd.n1) * SUSFLOW_ELEM;
}

/* Room at FW for WANT elements: a header and the records of the
 * packets a burst could keep. */
static __rte_always_inline void
fwd_flows_begin(struct fwd_lcore *fl, struct fwd_flow_w *fw, uint32_t want)
{
	RTE_BUILD_BUG_ON(sizeof(struct susflow_burst) != SUSFLOW_ELEM);
	RTE_BUILD_BUG_ON(FWD_FLOW_ROOM < SUSFLOW_BURST_ELEMS(DP_BURST));
	if (unlikely(fl->flow_w == NULL ||
		     fl->flow_w + want * SUSFLOW_ELEM > fl->flow_end))
		fwd_flows_reserve(fl, want);
	fw->recs = 0;
	fw->hdr = fl->flow_w != NULL ? fl->flow_w : fl->flow_buf[0];
	fw->w = fw->hdr + SUSFLOW_ELEM;
}

/* fwd_flows_end's bulk enqueue of the N elements in FL's flow_buf, or,
 * when the ring has no room for them at all, their RECS records counted
 * as susflow_dropped. */
static __rte_noinline void
fwd_flows_enqueue(struct fwd_lcore *fl, struct dp_lcore_stats *st,
		  uint32_t n, uint32_t recs)
{
	if (rte_ring_sp_enqueue_bulk_elem(fl->flow_ring, fl->flow_buf,
					  SUSFLOW_ELEM, n, NULL) == 0)
		st->susflow_dropped += recs;
}

/* The burst's records at FW behind their header (the clock, read once
 * for them, and their elements), all or none, so that the main lcore
 * never finds half a record (health_suspect_drain checks and notes
 * them); a full ring keeps none of them, counted in susflow_dropped.
 * A burst that filled its rx burst (FULL: the lcore is busy) leaves its
 * records in the room when the lcore has its ring alone, published with
 * those of the next bursts when the room cannot take another burst's,
 * or when a burst is not full or a poll finds nothing (fwd_burst):
 * the ring's protocol paid once for some 30 bursts instead of each
 * (about 40 instructions a burst, make bench-instr), the evidence at
 * most a room later, some 100 us at 10 Mpps. None kept: the header
 * alone is not worth the drain's time. */
static __rte_always_inline void
fwd_flows_end(struct fwd_lcore *fl, struct dp_lcore_stats *st,
	      struct fwd_flow_w *fw, bool full)
{
	struct susflow_burst *b = (struct susflow_burst *)(void *)fw->hdr;

	if (likely(fw->recs != 0)) {
		uint32_t n = (uint32_t)((size_t)(fw->w - fw->hdr) /
					SUSFLOW_ELEM);

		b->tsc = rte_rdtsc();
		b->n_elems = n - 1;
		if (unlikely(fl->flow_w == NULL)) {
			fwd_flows_enqueue(fl, st, n, fw->recs);
			return;
		}
		fl->flow_w = fw->w;
	}
	if (fl->flow_w != NULL && !(full && fl->flow_defer))
		fwd_flows_publish(fl);
}

/* L2 rewrite of M's frame at FRAME (both addresses in one copy) and
 * onto the out port's tx array (TX: the caller's, local, so that the
 * packet writes cannot alias it and it needs no reload after each
 * rewrite). FRAME is the caller's: computed here, after the caller's
 * TTL store into the packet, the compiler reloaded the mbuf's buffer
 * address and offset (a byte store may alias them), 3 instructions a
 * packet (make bench-instr). */
static __rte_always_inline void fwd_out(struct fwd_tx *tx,
					struct rte_mbuf *m, void *frame,
					const struct nhg_l2 *e)
{
	*tx->at[e->port]++ = m;
	memcpy(frame, e, 2 * RTE_ETHER_ADDR_LEN);
}

/* Sends N packets PKTS out of port OUT now, counting what the driver
 * refuses as tx_full. */
static void fwd_tx_now(const struct dp *d, struct fwd_lcore *fl,
		       struct dp_lcore_stats *st, uint16_t out,
		       struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t sent = rte_eth_tx_burst(d->ports[out].port_id, fl->txq, pkts,
					 n);

	st->tx[out] += sent;
	if (unlikely(sent < n)) {
		st->tx_dropped[out] += n - sent;
		st->drop[DROP_TX_FULL] += n - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
}

/* The IPv4 packet M, for member L2 (port OUT), is longer than OUT's MTU
 * by its frame: with DF, dropped and answered Fragmentation Needed with
 * the MTU (RFC 1191) out of port IN; else fragmented (RFC 791, DPDK's
 * rte_ipv4_fragment_packet: each fragment a header of its own and a
 * reference to the payload, then made one segment) and the fragments
 * sent at once, after what waits for OUT so the flow keeps its order. */
static void fwd_too_big4(const struct dp *d, struct fwd_lcore *fl,
			 struct dp_lcore_stats *st, struct fwd_tx *tx,
			 uint16_t in,
			 struct rte_mbuf *m, const struct nhg_l2 *e)
{
	struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv4_hdr *, sizeof(struct rte_ether_hdr));
	uint16_t out = e->port, i;
	uint16_t mtu = __atomic_load_n(&d->ports[out].mtu, __ATOMIC_RELAXED);
	uint32_t total = rte_be_to_cpu_16(ip->total_length);
	struct rte_mbuf *frag[FWD_FRAGS_MAX];
	int32_t n;

	/* stage 1 cut the frame to its datagram, so total is what the
	 * caller compared; it fits only if the port's MTU grew between the
	 * caller's load and ours (a link poll on the main lcore) */
	if (total <= mtu) {
		ttl_decrement(ip);
		fwd_out(tx, m, rte_pktmbuf_mtod(m, void *), e);
		return;
	}
	if (ip->fragment_offset & rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG)) {
		st->drop[DROP_FRAG_NEEDED]++;
		st->icmp_frag_needed += fwd_answer(tx, in, m,
			icmp4_error(d, &fl->icmp, st, in, m,
				    ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED,
				    mtu));
		return;
	}
	ttl_decrement(ip);
	rte_pktmbuf_adj(m, sizeof(struct rte_ether_hdr));
	n = d->frag_direct == NULL ? -ENOMEM :
	    rte_ipv4_fragment_packet(m, frag, FWD_FRAGS_MAX, mtu,
				     d->frag_direct, d->frag_indirect);
	rte_pktmbuf_free(m); /* the fragments hold their own references */
	if (n <= 0) {
		st->drop[DROP_FRAG_FAILED]++;
		return;
	}
	for (i = 0; i < n; i++) {
		struct rte_ether_hdr *h = (struct rte_ether_hdr *)
			rte_pktmbuf_prepend(frag[i], sizeof(*h));
		struct rte_ipv4_hdr *fip = (struct rte_ipv4_hdr *)(h + 1);

		/* the direct mbuf holds the headers: headroom is there, but
		 * a fragment that cannot take its Ethernet header is counted,
		 * not sent */
		if (unlikely(h == NULL)) {
			rte_pktmbuf_free_bulk(frag, (unsigned int)n);
			st->drop[DROP_FRAG_FAILED]++;
			return;
		}
		memcpy(h, e, 2 * RTE_ETHER_ADDR_LEN);
		h->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		fip->hdr_checksum = 0;
		fip->hdr_checksum = rte_ipv4_cksum(fip);
		/* one segment when it fits the direct mbuf (any fragment of
		 * a link MTU up to ~2000): drivers without multi-segment tx
		 * (af_xdp) send a segment's data only */
		if (rte_pktmbuf_linearize(frag[i]) != 0 &&
		    !d->ports[out].tx_multi_seg) {
			rte_pktmbuf_free_bulk(frag, (unsigned int)n);
			st->drop[DROP_FRAG_FAILED]++;
			return;
		}
	}
	if (tx->at[out] != fl->tx[out]) {
		fwd_tx_now(d, fl, st, out, fl->tx[out],
			   (uint16_t)(tx->at[out] - fl->tx[out]));
		tx->at[out] = fl->tx[out];
	}
	fwd_tx_now(d, fl, st, out, frag, (uint16_t)n);
	st->fragmented++;
}

/* Is the IPv6 packet M, for port OUT, longer than OUT's MTU (its frame's
 * padding does not count)? Then it is dropped and answered Packet Too
 * Big with that MTU out of port IN (RFC 4443 §3.2: IPv6 routers never
 * fragment; RFC 8201 path MTU discovery lives on this answer), and true. */
static bool fwd_too_big6(const struct dp *d, struct fwd_lcore *fl,
			 struct dp_lcore_stats *st, struct fwd_tx *tx,
			 uint16_t in,
			 struct rte_mbuf *m, uint16_t out)
{
	const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(m,
		const struct rte_ipv6_hdr *, sizeof(struct rte_ether_hdr));
	uint16_t mtu = __atomic_load_n(&d->ports[out].mtu, __ATOMIC_RELAXED);

	if (sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len) <= mtu)
		return false;
	st->drop[DROP_TOO_BIG6]++;
	st->icmp6_too_big += fwd_answer(tx, in, m,
		icmp6_error(d, &fl->icmp, st, in, m, ICMP6_PACKET_TOO_BIG, 0,
			    mtu));
	return true;
}

/* Stage 3 for the IPv4 packet M that leaves as member L2 says: TTL,
 * rewrite, onto the out port's tx array; with CHECK_MTU, a packet over
 * its out port's MTU takes fwd_too_big4 instead. */
static __rte_always_inline void
fwd_rewrite4(const struct dp *d, struct fwd_lcore *fl,
	     struct dp_lcore_stats *st, struct fwd_tx *tx, uint16_t in,
	     struct rte_mbuf *m, const struct nhg_l2 *l2, bool check_mtu)
{
	struct rte_ether_hdr *eth;

	if (check_mtu &&
	    unlikely(m->pkt_len - sizeof(struct rte_ether_hdr) >
		     __atomic_load_n(&d->ports[l2->port].mtu,
				     __ATOMIC_RELAXED))) {
		fwd_too_big4(d, fl, st, tx, in, m, l2);
		return;
	}
	eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	ttl_decrement((struct rte_ipv4_hdr *)(eth + 1));
	fwd_out(tx, m, eth, l2);
}

/* fwd_rewrite4, each length checked, for the N IPv4 packets M with
 * their members' L2 entries (NULL: dropped): link suspicion's third
 * pass when a frame is over the smallest MTU (fwd_port). */
static __rte_always_inline void
fwd_rewrite4_bulk(const struct dp *d, struct fwd_lcore *fl,
		  struct dp_lcore_stats *st, struct fwd_tx *tx, uint16_t in,
		  struct rte_mbuf **m4, const struct nhg_l2 **l2, uint16_t n)
{
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (unlikely(l2[i] == NULL))
			continue;
		fwd_rewrite4(d, fl, st, tx, in, m4[i], l2[i], true);
	}
}

/* Stage 3 in one pass for the N IPv4 packets M with routes GID and flow
 * hashes HASH: member (fwd_select), then at once the rewrite
 * (fwd_rewrite4), no array of members between the two (6.3 instructions
 * a packet fewer than fwd_select_bulk and fwd_rewrite4_bulk, make
 * bench-instr, suspect off, IPv4); the members into L2 too unless it is
 * NULL (link suspicion's records, written after). */
static __rte_always_inline void
fwd_route4(const struct dp *d, struct fwd_lcore *fl,
	   struct dp_lcore_stats *st, struct fwd_tx *tx, uint16_t in,
	   struct rte_mbuf **m4, const uint64_t *gid, const uint32_t *hash,
	   struct fwd_live live, struct nhg_l2 *scratch,
	   struct fwd_unrouted *unrouted, const struct nhg_l2 **l2, uint16_t n,
	   bool check_mtu)
{
	const struct nhgroup *g[DP_BURST];
	const struct nhg_l2 *e;
	uint16_t i;

	fwd_groups(d, gid, g, n);
#pragma GCC unroll 4
	for (i = 0; i < n; i++) {
		e = fwd_select(d, st, &m4[i], &gid[i], g[i], hash[i], live,
			       &scratch[i], unrouted);
		if (l2 != NULL)
			l2[i] = e;
		if (likely(e != NULL))
			fwd_rewrite4(d, fl, st, tx, in, m4[i], e, check_mtu);
	}
}

/* One tx burst per port with packets waiting; what the driver refuses is
 * counted as tx_full and freed. */
static void fwd_tx_flush(const struct dp *d, struct fwd_lcore *fl,
			 struct dp_lcore_stats *st, const struct fwd_tx *tx)
{
	uint16_t p, n, sent;

	for (p = 0; p < d->n_ports; p++) {
		n = (uint16_t)(tx->at[p] - fl->tx[p]);
		if (n == 0)
			continue;
		sent = rte_eth_tx_burst(d->ports[p].port_id, fl->txq, fl->tx[p],
					n);
		st->tx[p] += sent;
		if (unlikely(sent < n)) {
			st->tx_dropped[p] += n - sent;
			st->drop[DROP_TX_FULL] += n - sent;
			rte_pktmbuf_free_bulk(&fl->tx[p][sent], n - sent);
		}
	}
}

/* What a refused source is counted under, by its site value. */
static const enum dp_drop src_refused[FILTER_SITE_MAX] = {
	[FILTER_OUTSIDE] = DROP_SRC_NOT_SITE,
	[FILTER_SITE] = DROP_SRC_SPOOFED,
	[FILTER_OWN] = DROP_SRC_OWN,
};

/* Does a port refusing the site values REFUSE refuse any of the N
 * sources whose values are V? Nearly always not: inline, the verdict of
 * each value read from a table of FILTER_SITE_MAX bytes (a shift of
 * REFUSE by each value, in a call, took 8.9 instructions a packet, make
 * bench-instr with ingress_filter strict); with SSE4.1 eight values at a
 * time, packed to bytes and looked up in the table with one shuffle.
 * The site FIBs hold values below FILTER_SITE_MAX only. */
static __rte_always_inline bool fwd_any_refused(uint8_t refuse,
						const uint64_t *v, uint16_t n)
{
	uint8_t refused[16] = {0};
	uint32_t any = 0;
	uint16_t i;

	RTE_BUILD_BUG_ON(FILTER_SITE_MAX > 16);
	for (i = 0; i < FILTER_SITE_MAX; i++)
		refused[i] = (refuse >> i) & 1;
	i = 0;
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_1__)
	{
		const __m128i table = _mm_loadu_si128(
			(const __m128i *)(const void *)refused);
		/* each value's upper bytes, after packing: 0x80, which
		 * the shuffle turns to 0 */
		const __m128i pad = _mm_set1_epi16((short)0x8000);
		__m128i hit = _mm_setzero_si128();

		for (; i + 8 <= n; i += 8) {
			const __m128i *p = (const __m128i *)(const void *)&v[i];
			__m128i w = _mm_packus_epi16(
				_mm_packus_epi32(_mm_loadu_si128(p),
						 _mm_loadu_si128(p + 1)),
				_mm_packus_epi32(_mm_loadu_si128(p + 2),
						 _mm_loadu_si128(p + 3)));

			hit = _mm_or_si128(hit, _mm_shuffle_epi8(table,
				_mm_or_si128(w, pad)));
		}
		any = !_mm_testz_si128(hit, hit);
	}
#endif
	for (; i < n; i++)
		any |= refused[v[i]];
	return any != 0;
}

/* Source validation (BCP 38, RFC 3704) of the N packets M that came in
 * on a port refusing the site values REFUSE, their sources' values in V,
 * some refused (fwd_any_refused): those dropped and counted, the rest
 * kept in order with their destinations DST (DST_SZ bytes each), flow
 * hashes HASH and sample bytes SAMPLE. How many are kept. */
static __rte_noinline uint16_t
fwd_refuse(struct dp_lcore_stats *st, uint8_t refuse, const uint64_t *v,
	   struct rte_mbuf **m, void *dst, size_t dst_sz, uint32_t *hash,
	   uint8_t *sample, uint16_t n)
{
	uint8_t *d = dst;
	uint16_t i, k = 0;

	for (i = 0; i < n; i++) {
		if ((refuse >> v[i]) & 1) {
			drop(st, m[i], src_refused[v[i]]);
			continue;
		}
		m[k] = m[i];
		memmove(d + k * dst_sz, d + i * dst_sz, dst_sz);
		sample[k] = sample[i];
		hash[k++] = hash[i];
	}
	return k;
}

#if defined(RTE_ARCH_X86_64) && defined(__SSE4_1__)
#define FWD_CHECK4 1

/* What fwd_check4 did with four packets. */
enum fwd_four {
	FWD_FOUR_KEPT,     /* all four the common IPv4 packet, kept */
	FWD_FOUR_EACH,     /* not: the loop judges them one by one */
	FWD_FOUR_NOT_IPV4, /* one is not IPv4 (IPv6 among IPv4): one by one,
			    * and the rest of the burst too */
};

/* The 4-byte word at P, unaligned. */
static __rte_always_inline int fwd_ld32(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return (int)w;
}

/* The 4-byte words at byte OFF of the four frames E, a lane each. */
static __rte_always_inline __m128i fwd_lanes(const uint8_t *const *e,
					     size_t off)
{
	__m128i x = _mm_cvtsi32_si128(fwd_ld32(e[0] + off));

	x = _mm_insert_epi32(x, fwd_ld32(e[1] + off), 1);
	x = _mm_insert_epi32(x, fwd_ld32(e[2] + off), 2);
	return _mm_insert_epi32(x, fwd_ld32(e[3] + off), 3);
}

/* The sum of the 16-bit halves of the five 4-byte words V (each lane
 * one header) folded once: 0xffff where the header checksum holds, as
 * ipv4_cksum_ok's test (the header's first byte 0x45 makes the sum
 * non-zero, and the byte order of the words does not matter). */
static __rte_always_inline __m128i fwd_cksum4(const __m128i *v)
{
	const __m128i lo = _mm_set1_epi32(0xffff);
	__m128i s = _mm_setzero_si128();
	unsigned int k;

#pragma GCC unroll 5
	for (k = 0; k < 5; k++)
		s = _mm_add_epi32(s, _mm_add_epi32(_mm_and_si128(v[k], lo),
						   _mm_srli_epi32(v[k], 16)));
	/* ten words: below 2^20. Folded once, 1 to 0xffff + 9 and the same
	 * modulo 0xffff: a multiple of 0xffff (the checksum holds) only if
	 * 0xffff, so no second fold is needed */
	return _mm_add_epi32(_mm_and_si128(s, lo), _mm_srli_epi32(s, 16));
}

/* Stage 1 for the four packets M at once, as l3fwd reads its headers
 * four at a time: true when each is the common IPv4 packet the check
 * loop's first branch passes (check_ipv4: sent to MAC under MAC_MASK,
 * Ethernet type IPv4, version 4 with a 20-byte header, total length
 * within the frame, TTL above 1, no martian first octet, no connected
 * broadcast's low bits, not a non-initial fragment, checksum good by
 * the driver's flag or computed), and then their sources, destinations
 * (host order), flow hashes, sample bytes and longest frame kept as the
 * loop keeps them, each frame trimmed to its datagram (FWD_FOUR_KEPT).
 * Nothing is kept when any is not: the loop judges the four one by one,
 * so every verdict, counter and order stays the loop's. The Ethernet
 * types are judged first, so that IPv6 traffic pays only their loads
 * (FWD_FOUR_NOT_IPV4: the caller tries no more fours in the burst). The words of the four
 * headers are loaded a lane each and checked in SSE registers, where
 * the flow hashes' words are made too; each hash is then two CRC32
 * instructions. The words are read before any length is known: up to
 * byte 37 of a frame, in the mbuf's data room whatever the frame's
 * length (as fwd_sample_byte's), and used only where the lengths hold.
 * M has room for PREFETCH_AHEAD past the four (fwd_port). */
static __rte_always_inline enum fwd_four
fwd_check4(const struct dp_filter *f, struct rte_mbuf *const *m,
	   uint64_t mac, uint64_t mac_mask, uint32_t *src, uint32_t *dst,
	   uint32_t *hash, uint8_t *smp, __m128i *len_max, bool sampling)
{
	/* the four words' bytes swapped, for addresses and lengths */
	const __m128i bswap32 = _mm_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10,
					      9, 8, 15, 14, 13, 12);
	const __m128i total16 = _mm_setr_epi8(3, 2, -1, -1, 7, 6, -1, -1, 11,
					      10, -1, -1, 15, 14, -1, -1);
	const __m128i byte0 = _mm_set1_epi32(0xff);
	const uint8_t *e[4];
	__m128i v[5], type, l3, total, len, octets, ok, flags, good, bad;
	__m128i ports_ok, mf, ports, addrs[2], rest[2];
	uint64_t l2 = 0, w;
	uint32_t bcast = 0, trim;
	unsigned int k;

#pragma GCC unroll 4
	for (k = 0; k < 4; k++)
		e[k] = rte_pktmbuf_mtod(m[k], const uint8_t *);
	/* the Ethernet types first: the upper half of the word that ends
	 * with them */
	type = _mm_srli_epi32(fwd_lanes(e, offsetof(struct rte_ether_hdr,
						    ether_type) - 2), 16);
	if (unlikely(_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(type,
		_mm_set1_epi32(rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))))) !=
		     0xf))
		return FWD_FOUR_NOT_IPV4;
#pragma GCC unroll 4
	for (k = 0; k < 4; k++) {
		rte_prefetch0(rte_pktmbuf_mtod(m[k + PREFETCH_AHEAD], void *));
		memcpy(&w, e[k], sizeof(w));
		l2 |= (w ^ mac) & mac_mask;
	}
	/* the header's five words */
#pragma GCC unroll 5
	for (k = 0; k < 5; k++)
		v[k] = fwd_lanes(e, sizeof(struct rte_ether_hdr) + 4 * k);
	l3 = _mm_sub_epi32(_mm_setr_epi32(m[0]->data_len, m[1]->data_len,
					  m[2]->data_len, m[3]->data_len),
			   _mm_set1_epi32(sizeof(struct rte_ether_hdr)));
	total = _mm_shuffle_epi8(v[0], total16);
	/* each test's lanes all ones where it passes */
	ok = _mm_cmpeq_epi32(_mm_and_si128(v[0], byte0),
			     _mm_set1_epi32(4 << 4 | 5));
	ok = _mm_andnot_si128(_mm_cmpgt_epi32(total, l3), ok);
	ok = _mm_andnot_si128(_mm_cmplt_epi32(total, _mm_set1_epi32(
		sizeof(struct rte_ipv4_hdr))), ok);
	/* TTL, the third word's first byte */
	ok = _mm_and_si128(ok, _mm_cmpgt_epi32(_mm_and_si128(v[2], byte0),
					       _mm_set1_epi32(1)));
	/* the fragment offset, the second word's last 13 bits */
	ok = _mm_and_si128(ok, _mm_cmpeq_epi32(_mm_and_si128(v[1],
		_mm_set1_epi32((int)((uint32_t)rte_cpu_to_be_16(
			RTE_IPV4_HDR_OFFSET_MASK) << 16))),
		_mm_setzero_si128()));
	/* the first octets of source and destination as two 16-bit words:
	 * martian (ipv4_octet_suspect) are 0, 127, 169 and 224 up */
	octets = _mm_or_si128(_mm_and_si128(v[3], byte0),
			      _mm_slli_epi32(_mm_and_si128(v[4], byte0), 16));
	octets = _mm_or_si128(
		_mm_or_si128(_mm_cmpeq_epi16(octets, _mm_setzero_si128()),
			     _mm_cmpeq_epi16(octets, _mm_set1_epi16(127))),
		_mm_or_si128(_mm_cmpeq_epi16(octets, _mm_set1_epi16(169)),
			     _mm_cmpgt_epi16(octets, _mm_set1_epi16(223))));
	ok = _mm_and_si128(ok, _mm_cmpeq_epi32(octets, _mm_setzero_si128()));
	/* the checksum: the driver's GOOD, or not its BAD and computed
	 * (the flags are in the low 32 bits) */
	flags = _mm_and_si128(_mm_setr_epi32((int)m[0]->ol_flags,
					     (int)m[1]->ol_flags,
					     (int)m[2]->ol_flags,
					     (int)m[3]->ol_flags),
			      _mm_set1_epi32((int)RTE_MBUF_F_RX_IP_CKSUM_MASK));
	good = _mm_cmpeq_epi32(flags, _mm_set1_epi32(
		(int)RTE_MBUF_F_RX_IP_CKSUM_GOOD));
	bad = _mm_cmpeq_epi32(flags, _mm_set1_epi32(
		(int)RTE_MBUF_F_RX_IP_CKSUM_BAD));
	ok = _mm_and_si128(ok, _mm_or_si128(good, _mm_andnot_si128(bad,
		_mm_cmpeq_epi32(fwd_cksum4(v), _mm_set1_epi32(0xffff)))));
	/* a connected broadcast's low bits: a byte of the filter's table
	 * each (ipv4_bcast_maybe) */
	_mm_storeu_si128((__m128i *)(void *)dst,
			 _mm_shuffle_epi8(v[4], bswap32));
#pragma GCC unroll 4
	for (k = 0; k < 4; k++)
		bcast |= ipv4_bcast_maybe(f, dst[k]);
	if (unlikely(_mm_movemask_ps(_mm_castsi128_ps(ok)) != 0xf || l2 != 0 ||
		     bcast != 0))
		return FWD_FOUR_EACH;

	_mm_storeu_si128((__m128i *)(void *)src,
			 _mm_shuffle_epi8(v[3], bswap32));
	len = _mm_add_epi32(total,
			    _mm_set1_epi32(sizeof(struct rte_ether_hdr)));
	*len_max = _mm_max_epu32(*len_max, len);
	/* the datagram only: a padded frame's pad off (fwd_trim) */
	trim = (uint32_t)_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpeq_epi32(len,
		_mm_setr_epi32((int)m[0]->pkt_len, (int)m[1]->pkt_len,
			       (int)m[2]->pkt_len, (int)m[3]->pkt_len))));
	if (unlikely(trim != 0xf)) {
		uint32_t l[4];

		_mm_storeu_si128((__m128i *)(void *)l, len);
		for (k = 0; k < 4; k++)
			if (!(trim & 1u << k))
				fwd_trim(m[k], l[k]);
	}
	/* the ports count for TCP and UDP that are not a fragment and have
	 * them in the frame (flow_hash_ipv4_crc) */
	v[2] = _mm_and_si128(_mm_srli_epi32(v[2], 8), byte0);
	ports_ok = _mm_or_si128(_mm_cmpeq_epi32(v[2],
						_mm_set1_epi32(IPPROTO_TCP)),
				_mm_cmpeq_epi32(v[2],
						_mm_set1_epi32(IPPROTO_UDP)));
	mf = _mm_set1_epi32((int)((uint32_t)rte_cpu_to_be_16(
		RTE_IPV4_HDR_MF_FLAG) << 16));
	ports_ok = _mm_andnot_si128(_mm_cmpeq_epi32(_mm_and_si128(v[1], mf),
						    mf), ports_ok);
	ports_ok = _mm_and_si128(ports_ok, _mm_cmpgt_epi32(l3,
		_mm_set1_epi32(sizeof(struct rte_ipv4_hdr) + 3)));
	/* the hash's words (flow_hash_ipv4_crc_words): the addresses as in
	 * the header, and the protocol with the ports above it where they
	 * count */
	ports = _mm_and_si128(fwd_lanes(e, sizeof(struct rte_ether_hdr) +
					   sizeof(struct rte_ipv4_hdr)),
			      ports_ok);
	addrs[0] = _mm_unpacklo_epi32(v[3], v[4]);
	addrs[1] = _mm_unpackhi_epi32(v[3], v[4]);
	rest[0] = _mm_unpacklo_epi32(v[2], ports);
	rest[1] = _mm_unpackhi_epi32(v[2], ports);
#pragma GCC unroll 2
	for (k = 0; k < 2; k++) {
		hash[2 * k] = flow_hash_ipv4_crc_words(
			(uint64_t)_mm_cvtsi128_si64(addrs[k]),
			(uint64_t)_mm_cvtsi128_si64(rest[k]));
		hash[2 * k + 1] = flow_hash_ipv4_crc_words(
			(uint64_t)_mm_extract_epi64(addrs[k], 1),
			(uint64_t)_mm_extract_epi64(rest[k], 1));
	}
	if (sampling) {
#pragma GCC unroll 4
		for (k = 0; k < 4; k++)
			smp[k] = fwd_sample_byte(e[k] +
				sizeof(struct rte_ether_hdr) +
				sizeof(struct rte_ipv4_hdr));
	}
	return FWD_FOUR_KEPT;
}
#endif

/* The N (> 0) packets PKTS port IN received, their whole way. PKTS has
 * room for PREFETCH_AHEAD more (below). SAMPLING: the lcore has a ring
 * for sampled packets (link suspicion); a constant, so that without
 * suspect { } the packets pay nothing for it (fwd_port_sampling,
 * fwd_port_plain). */
static __rte_always_inline void
fwd_port(struct dp *d, struct fwd_lcore *fl, struct dp_lcore_stats *st,
	 uint16_t in, struct fwd_live live, struct rte_mbuf **pkts, uint16_t n,
	 bool sampling)
{
	struct rte_mbuf *m4[DP_BURST], *m6[DP_BURST];
	uint32_t dst4[DP_BURST], src4[DP_BURST];
	uint8_t dst6[DP_BURST][RTE_FIB6_IPV6_ADDR_SIZE];
	uint8_t src6[DP_BURST][RTE_FIB6_IPV6_ADDR_SIZE];
	const struct dp_filter *f = &d->filter;
	/* the port's MAC as the first 6 bytes in memory, and those bytes */
	uint64_t mac = 0, mac_mask = 0;
	uint8_t refuse = f->refuse[in];
	uint64_t gid4[DP_BURST], gid6[DP_BURST];
	uint32_t hash4[DP_BURST], hash6[DP_BURST];
	const struct nhg_l2 *l2_4[DP_BURST], *l2_6[DP_BURST];
	struct nhg_l2 scratch[DP_BURST], scratch6[DP_BURST];
	uint16_t i, n4 = 0, n6 = 0;
	struct fwd_tx tx;
	uint32_t len_max = 0; /* the burst's longest frame */
#ifdef FWD_CHECK4
	__m128i len_max4 = _mm_setzero_si128(); /* fwd_check4's */
	/* where the next four is tried: n (none) after a four with a packet
	 * that is not IPv4 (fwd_check4) */
	uint16_t next4 = 0;
#endif
	uint16_t mtu_min;
	bool fits;  /* every frame within the smallest MTU */
	/* IPv6's: its own with link suspicion (below) */
	struct fwd_unrouted unrouted, unrouted6;
	struct fwd_unrouted *u6 = sampling ? &unrouted6 : &unrouted;
	/* link suspicion's sample bytes (fwd_sample_byte) of m4/m6, the
	 * bits of the picked ones, and where their records go */
	uint8_t smp4[DP_BURST], smp6[DP_BURST];
	uint32_t sample4 = 0, sample6 = 0;
	struct fwd_flow_w fw;

	memcpy(&mac, &d->ports[in].mac, RTE_ETHER_ADDR_LEN);
	memset(&mac_mask, 0xff, RTE_ETHER_ADDR_LEN);
	st->rx[in] += n;
	for (i = 0; i < d->n_ports; i++)
		tx.at[i] = fl->tx[i];

	/* 1. checks, destinations by family. The last packet stands in for
	 * the PREFETCH_AHEAD past the end, so that the loop prefetches
	 * without a test of its index (3 instructions a packet, make
	 * bench-instr) */
	for (i = n; i < n + PREFETCH_AHEAD; i++)
		pkts[i] = pkts[n - 1];
	for (i = 0; i < PREFETCH_AHEAD; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
#ifdef FWD_CHECK4
		/* each four from the first: at once when all four are the
		 * common IPv4 packet (fwd_check4), else one by one below;
		 * after a four with a packet that is not IPv4, the rest of
		 * the burst one by one too */
		if (i == next4 && i + 4 <= n) {
			enum fwd_four r = fwd_check4(f, &pkts[i], mac, mac_mask,
						     &src4[n4], &dst4[n4],
						     &hash4[n4], &smp4[n4],
						     &len_max4, sampling);

			if (likely(r == FWD_FOUR_KEPT)) {
				memcpy(&m4[n4], &pkts[i], 4 * sizeof(m4[0]));
				n4 += 4;
				next4 = i + 4;
				i += 3; /* and the loop's one */
				continue;
			}
			next4 = r == FWD_FOUR_NOT_IPV4 ? n : i + 4;
		}
#endif
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		uint32_t l3_len = (uint32_t)m->data_len - sizeof(*eth);
		uint32_t src, dst, total;
		uint64_t l2_dst;
		enum dp_drop why;

		rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
					       void *));
		if (unlikely(m->data_len < sizeof(*eth))) {
			drop(st, m, DROP_TRUNCATED);
			continue;
		}
		/* the destination MAC and the first two bytes of the source
		 * in one load, the latter masked off: a third of the
		 * instructions of rte_is_same_ether_addr */
		memcpy(&l2_dst, eth, sizeof(l2_dst));
		if (unlikely(((l2_dst ^ mac) & mac_mask) != 0)) {
			drop(st, m, l2_why(eth));
			continue;
		}
		if (likely(eth->ether_type ==
			   rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))) {
			const struct rte_ipv4_hdr *ip =
				(const struct rte_ipv4_hdr *)(eth + 1);

			why = check_ipv4(f, st, m, ip, l3_len, &src, &dst,
					 &total);
			if (unlikely(why != DROP_MAX)) {
				if (why == DROP_TTL_EXCEEDED)
					icmp_time_exceeded(d, fl, &tx, st, in,
							   m);
				else
					drop(st, m, why);
				continue;
			}
			/* the datagram only, before any length decision */
			if (unlikely(m->pkt_len != sizeof(*eth) + total))
				fwd_trim(m, sizeof(*eth) + total);
			/* compared in 32 bits: in 64 the loop needed one
			 * more register, and with the sample's byte it gave
			 * one up (make bench-instr) */
			len_max = RTE_MAX(len_max,
					  (uint32_t)sizeof(*eth) + total);
			dst4[n4] = dst;
			src4[n4] = src;
			/* finalized for the whole burst below */
			hash4[n4] = flow_hash_ipv4_crc(ip, l3_len);
			if (sampling)
				smp4[n4] = fwd_sample_byte(ip + 1);
			m4[n4++] = m;
		} else if (eth->ether_type ==
			   rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6)) {
			const struct rte_ipv6_hdr *ip =
				(const struct rte_ipv6_hdr *)(eth + 1);

			/* the sample byte first: the check zeroes it for an
			 * extension header (a dropped packet's is overwritten
			 * by the next one's) */
			if (sampling)
				smp6[n6] = fwd_sample_byte(ip + 1);
			why = check_ipv6(ip, l3_len,
					 sampling ? &smp6[n6] : NULL);
			if (unlikely(why != DROP_MAX)) {
				if (why == DROP_HOP_LIMIT_EXCEEDED)
					icmp6_hop_limit_exceeded(d, fl, &tx, st,
								 in,
								 m);
				else
					drop(st, m, why);
				continue;
			}
			if (unlikely(m->pkt_len != sizeof(*eth) + sizeof(*ip) +
				     rte_be_to_cpu_16(ip->payload_len)))
				fwd_trim(m, sizeof(*eth) + sizeof(*ip) +
					 rte_be_to_cpu_16(ip->payload_len));
			len_max = RTE_MAX(len_max, m->pkt_len);
			memcpy(dst6[n6], ip->dst_addr, sizeof(dst6[n6]));
			memcpy(src6[n6], ip->src_addr, sizeof(src6[n6]));
			hash6[n6] = flow_hash_ipv6(ip, l3_len);
			m6[n6++] = m;
		} else {
			drop(st, m, DROP_NOT_IP);
		}
	}
#ifdef FWD_CHECK4
	len_max4 = _mm_max_epu32(len_max4, _mm_srli_si128(len_max4, 8));
	len_max4 = _mm_max_epu32(len_max4, _mm_srli_si128(len_max4, 4));
	len_max = RTE_MAX(len_max, (uint32_t)_mm_cvtsi128_si32(len_max4));
#endif

	/* source validation (filter.c): one bulk lookup per family of the
	 * sources, none on a port with ingress_filter "off" */
	if (refuse != 0) {
		uint64_t v[DP_BURST];

		if (n4 != 0) {
			rte_fib_lookup_bulk(f->site4, src4, v, n4);
			if (unlikely(fwd_any_refused(refuse, v, n4)))
				n4 = fwd_refuse(st, refuse, v, m4, dst4,
						sizeof(dst4[0]), hash4, smp4,
						n4);
		}
		if (unlikely(n6 != 0)) {
			rte_fib6_lookup_bulk(f->site6, src6, v, n6);
			if (unlikely(fwd_any_refused(refuse, v, n6)))
				n6 = fwd_refuse(st, refuse, v, m6, dst6,
						sizeof(dst6[0]), hash6, smp6,
						n6);
		}
	}

	/* 2. bulk lookups */
	flow_hash_fmix_bulk(hash4, n4);
	if (n4 != 0)
		rte_fib_lookup_bulk(d->fib, dst4, gid4, n4);
	if (unlikely(n6 != 0))
		rte_fib6_lookup_bulk(d->fib6, dst6, gid6, n6);

	/* 3. member, rewrite. Every frame within the smallest MTU (nearly
	 * always): IPv4 in one pass, each packet's member and at once its
	 * rewrite (fwd_route4), no length checked. Link suspicion's records
	 * (below) copy the headers after that rewrite, from the members the
	 * pass keeps: a record replaces the TTL with the link, and the
	 * rewrite's other change, the header checksum, is not read
	 * (susflow_note_rec). A frame over the smallest MTU may be
	 * fragmented or refused (fwd_too_big4), so then, with suspicion,
	 * the members first, the records, and the rewrite last; without
	 * it the one pass checks each length */
	unrouted.n = 0;
	mtu_min = __atomic_load_n(&d->mtu_min, __ATOMIC_RELAXED);
	fits = len_max <= mtu_min + sizeof(struct rte_ether_hdr);
	if (likely(fits))
		fwd_route4(d, fl, st, &tx, in, m4, gid4, hash4, live, scratch,
			   &unrouted, sampling ? l2_4 : NULL, n4, false);
	else if (!sampling)
		fwd_route4(d, fl, st, &tx, in, m4, gid4, hash4, live, scratch,
			   &unrouted, NULL, n4, true);
	else
		fwd_select_bulk(d, st, m4, gid4, hash4, live, l2_4, scratch,
				&unrouted, n4);
	/* any resolved member serves IPv6: the MAC is what counts,
	 * whatever the family of its gateway address. With link suspicion
	 * here, before the records (below), else where its packets are
	 * rewritten: the order that costs least either way (a select here
	 * without suspicion cost 3.4 instructions a packet more, make
	 * bench-instr), with a scratch and unrouted list of its own */
	if (sampling && unlikely(n6 != 0)) {
		unrouted6.n = 0;
		fwd_select_bulk(d, st, m6, gid6, hash6, live, l2_6, scratch6,
				&unrouted6, n6);
	}
	/* link suspicion: both families' picked packets' records behind
	 * one header, before any packet is sent (and any IPv6 packet, or
	 * an IPv4 one over the smallest MTU, is rewritten) */
	if (sampling) {
		sample4 = fwd_sample_bits(smp4, n4);
		if (unlikely(n6 != 0))
			sample6 = fwd_sample_bits(smp6, n6);
		if ((sample4 | sample6) != 0) {
			fwd_flows_begin(fl, &fw, 1 +
				(uint32_t)__builtin_popcount(sample4) *
					SUSFLOW_REC4_ELEMS +
				(uint32_t)__builtin_popcount(sample6) *
					SUSFLOW_REC6_ELEMS);
			if (sample4 != 0)
				fwd_flows_rec(&fw, fl->flow_out[in], m4, l2_4,
					      sample4, false);
			if (sample6 != 0)
				fwd_flows_rec(&fw, fl->flow_out[in], m6, l2_6,
					      sample6, true);
			fwd_flows_end(fl, st, &fw, n == DP_BURST);
		}
		if (unlikely(!fits))
			fwd_rewrite4_bulk(d, fl, st, &tx, in, m4, l2_4, n4);
	}
	/* RFC 1812 §5.2.7.1: no route at all, Network Unreachable */
	for (i = 0; i < unrouted.n; i++)
		st->icmp_net_unreachable += fwd_answer(&tx, in,
			unrouted.m[i],
			icmp4_error(d, &fl->icmp, st, in, unrouted.m[i],
				    ICMP4_DEST_UNREACH, ICMP4_NET_UNREACH, 0));
	if (unlikely(n6 != 0)) {
		if (!sampling) {
			unrouted.n = 0;
			fwd_select_bulk(d, st, m6, gid6, hash6, live, l2_6,
					scratch, &unrouted, n6);
		}
		for (i = 0; i < n6; i++) {
			struct rte_mbuf *m = m6[i];
			struct rte_ether_hdr *eth;

			if (unlikely(l2_6[i] == NULL))
				continue;
			if (unlikely(!fits) &&
			    fwd_too_big6(d, fl, st, &tx, in, m,
					 l2_6[i]->port))
				continue;
			/* no header checksum in IPv6 */
			eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
			((struct rte_ipv6_hdr *)(eth + 1))->hop_limits--;
			fwd_out(&tx, m, eth, l2_6[i]);
		}
		/* RFC 4443 §3.1: no route, Destination Unreachable code 0 */
		for (i = 0; i < u6->n; i++)
			st->icmp6_unreachable += fwd_answer(&tx, in,
				u6->m[i],
				icmp6_error(d, &fl->icmp, st, in, u6->m[i],
					    ICMP6_DEST_UNREACH, 0, 0));
	}

	/* 4. tx */
	fwd_tx_flush(d, fl, st, &tx);
}

static __rte_noinline void
fwd_port_sampling(struct dp *d, struct fwd_lcore *fl,
		  struct dp_lcore_stats *st, uint16_t in, struct fwd_live live,
		  struct rte_mbuf **pkts, uint16_t n)
{
	fwd_port(d, fl, st, in, live, pkts, n, true);
}

static __rte_noinline void
fwd_port_plain(struct dp *d, struct fwd_lcore *fl, struct dp_lcore_stats *st,
	       uint16_t in, struct fwd_live live, struct rte_mbuf **pkts,
	       uint16_t n)
{
	fwd_port(d, fl, st, in, live, pkts, n, false);
}

unsigned int fwd_burst(struct dp *d, unsigned int lcore)
{
	struct fwd_lcore *fl = &fwd_lcores[lcore];
	struct dp_lcore_stats *st = &d->stats[lcore];
	/* which ports members may use, fixed for the whole burst: link and
	 * admin state, and the XDP program's BFD verdict; of those, the
	 * ones not suspected (suspect.h) first */
	struct fwd_live live;
	/* received here, so that an empty poll does not pay fwd_port's
	 * entry (its frame and registers); room past the burst for its
	 * prefetch (fwd_port) */
	struct rte_mbuf *pkts[DP_BURST + PREFETCH_AHEAD];
	unsigned int n = 0;
	uint16_t p, k;

	live.all = nhg_live_ports(&d->nhg, health_live_mask(d));
	live.use = live.all & ~health_suspect_ports(d);
	for (p = 0; p < d->n_ports; p++) {
		if (!fl->rx[p])
			continue;
		k = rte_eth_rx_burst(d->ports[p].port_id, fl->rxq, pkts,
				     DP_BURST);
		if (k == 0)
			continue;
		if (fl->flow_ring != NULL)
			fwd_port_sampling(d, fl, st, p, live, pkts, k);
		else
			fwd_port_plain(d, fl, st, p, live, pkts, k);
		n += k;
	}
	/* nothing came: the records waiting in the room are published
	 * (fwd_flows_end) */
	if (n == 0 && fl->flow_w != NULL)
		fwd_flows_publish(fl);
	if (fl->bfd_drain && d->bfd_tx_ring != NULL)
		health_tx_drain(d, st);
	/* nothing of the tables is held past this point */
	rte_rcu_qsbr_quiescent(d->rcu, lcore);
	return n;
}

int fwd_sched_rt(uint32_t priority, const char *what)
{
	struct sched_param sp = {.sched_priority = (int)priority};
	int rc;

	if (priority == 0)
		return 0;
	rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (rc != 0) {
		log_warn("%s: SCHED_FIFO priority %u: %s: BFD packets may leave "
			"late on a loaded host", what, priority, strerror(rc));
		return -rc;
	}
	return 0;
}

bool fwd_idle(struct fwd_idle *idle, unsigned int n_rx, uint64_t now)
{
	if (n_rx != 0) {
		idle->last_rx = now;
		return false;
	}
	if (idle->sleep_us == 0 || now - idle->last_rx < idle->spin_cycles)
		return false;
	idle->sleeps++;
	return true;
}

/* A worker lcore: forward until asked to stop. Idle (FWD_IDLE_SPIN_US
 * without a packet) it sleeps dataplane.idle_sleep_us between polls
 * instead of spinning, so the core it shares on a small host (BIRD or
 * FRR, twinpathd, the kernel's softirqs, our own BFD tick) gets it back,
 * and the scheduler wakes it on time as a sleeper rather than leaving a
 * spinning thread to wait out other tasks' slices while a BFD packet
 * waits in its ring. A packet waits at most that long (plus the timer's
 * slack) to be polled; under load it never sleeps. */
int fwd_loop(void *arg)
{
	struct dp *d = arg;
	unsigned int lcore = rte_lcore_id();
	struct fwd_idle *idle = &d->fwd_idle[lcore];

	idle->sleep_us = d->cfg->dataplane.idle_sleep_us;
	idle->spin_cycles = rte_get_tsc_hz() / 1000000u * FWD_IDLE_SPIN_US;
	idle->last_rx = rte_rdtsc();
	/* it sends the periodic BFD packets: a loaded host's other tasks
	 * must not hold them back past the peer's detection time */
	fwd_sched_rt(d->cfg->dataplane.rt_priority, "forwarding lcore");
	/* nanosleep's default 50 us slack would double a short sleep */
	if (idle->sleep_us != 0)
		prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	log_msg("forwarding on lcore %u over %u ports; idle sleep %u us",
		lcore, d->n_ports, idle->sleep_us);
	while (!__atomic_load_n(&dp_quit, __ATOMIC_RELAXED)) {
		unsigned int n = fwd_burst(d, lcore);

		/* read by the main lcore's link suspicion: not stalled */
		__atomic_store_n(&idle->polls, idle->polls + 1,
				 __ATOMIC_RELAXED);
		if (!fwd_idle(idle, n, rte_rdtsc()))
			continue;
		/* asleep, it holds nothing: no grace period waits for it */
		rte_rcu_qsbr_thread_offline(d->rcu, lcore);
		rte_delay_us_sleep(idle->sleep_us);
		rte_rcu_qsbr_thread_online(d->rcu, lcore);
	}
	rte_rcu_qsbr_thread_offline(d->rcu, lcore);
	rte_rcu_qsbr_thread_unregister(d->rcu, lcore);
	return 0;
}
