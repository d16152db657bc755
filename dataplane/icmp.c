/* ICMP and ICMPv6 errors of the forwarding lcores (see icmp.h): whether a
 * packet may be answered at all (RFC 1812 §4.3.2.7, RFC 4443 §2.4(e)),
 * the per-port token bucket (§4.3.2.8, §2.4(f)), and the answer built in
 * place in front of the quoted packet. */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

#include "icmp.h"
#include "ipv6ext.h"

#define ICMP_HDR_LEN 8u        /* type, code, checksum, 4 more bytes */
#define ICMP4_ANSWER_MAX 576u  /* RFC 1812 §4.3.2.3 */
#define ICMP6_ANSWER_MAX 1280u /* RFC 4443 §2.4(c): the IPv6 minimum MTU */
#define ICMP6_REDIRECT 137u    /* RFC 4861 §4.5 */
#define ICMP6_EXT_MAX 8u       /* extension headers walked at most */
/* TTL and hop limit of the answers: Linux's defaults (ip_default_ttl,
 * conf.*.hop_limit) for its own errors; 255 is for on-link ND
 * (RFC 4861), and an error may have to cross many routers */
#define ICMP_TTL 64u

void icmp_rate_set(struct icmp_lcore *il, uint32_t per_s, uint32_t burst)
{
	uint64_t now = rte_rdtsc();
	unsigned int p;

	for (p = 0; p < DP_PORT_MAX; p++) {
		struct icmp_bucket *b = &il->bucket[p];

		/* per_s 0: a bucket of no tokens, never refilled */
		b->tsc_per_token = rte_get_tsc_hz() / RTE_MAX(per_s, 1u);
		b->burst = per_s == 0 ? 0 : RTE_MAX(burst, 1u);
		b->tokens = b->burst;
		b->next_tsc = now + b->tsc_per_token;
	}
}

/* A token of bucket B, if any: refilled one per tsc_per_token, full
 * again after a long quiet spell (no division). */
static bool icmp_token(struct icmp_bucket *b)
{
	uint64_t now = rte_rdtsc();

	if (now >= b->next_tsc) {
		if (now - b->next_tsc >= b->burst * b->tsc_per_token) {
			b->tokens = b->burst;
			b->next_tsc = now + b->tsc_per_token;
		} else {
			if (b->tokens < b->burst)
				b->tokens++;
			b->next_tsc += b->tsc_per_token;
		}
	}
	if (b->tokens == 0)
		return false;
	b->tokens--;
	return true;
}

/* Both checks every answer needs, whatever the family: one segment to
 * cut, ADD bytes of headroom for the new headers in front, and a unicast
 * frame source to send it back to (the previous hop). */
static bool icmp_mbuf_ok(const struct rte_mbuf *m,
			 const struct rte_ether_hdr *eth, uint32_t add)
{
	return m->nb_segs == 1 && rte_pktmbuf_headroom(m) >= add &&
	       rte_is_unicast_ether_addr(&eth->src_addr);
}

/* The steps every answer takes. M may be answered (MAY) and takes a
 * token of port IN's bucket; else it is freed, counted as suppressed or
 * rate_limited, and false. */
static bool icmp_admit(struct icmp_lcore *il, struct dp_lcore_stats *st,
		       uint16_t in, struct rte_mbuf *m, bool may)
{
	if (!may) {
		st->icmp_suppressed++;
		rte_pktmbuf_free(m);
		return false;
	}
	if (!icmp_token(&il->bucket[in])) {
		st->icmp_rate_limited++;
		rte_pktmbuf_free(m);
		return false;
	}
	return true;
}

/* M cut to its Ethernet header and the KEEP bytes to quote, which stay
 * where they are: the new Ethernet header and ADD bytes of the new IP
 * and ICMP headers go in front of them, over the old Ethernet header,
 * addressed to the frame's source (the previous hop: the answer is not
 * routed) from port IN's MAC, ETHER_TYPE (host order). Its new
 * Ethernet header. */
static struct rte_ether_hdr *icmp_frame(const struct dp *d, uint16_t in,
					struct rte_mbuf *m, uint32_t keep,
					uint32_t add, uint16_t ether_type)
{
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ether_addr prev_hop = eth->src_addr;

	rte_pktmbuf_trim(m, (uint16_t)(m->data_len - sizeof(*eth) - keep));
	eth = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, (uint16_t)add);
	eth->dst_addr = prev_hop;
	eth->src_addr = d->ports[in].mac;
	eth->ether_type = rte_cpu_to_be_16(ether_type);
	m->ol_flags = 0;
	return eth;
}

/* ICMP types that are not errors (RFC 792, 950): echo and its reply,
 * timestamp, information and address mask request and reply. */
static bool icmp_is_query(uint8_t type)
{
	return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

/* May the IPv4 packet M (header IP, HLEN bytes, checked) that came in on
 * port IN be answered? RFC 1812 §4.3.2.7: not a link-layer or IP
 * broadcast or multicast, not from an address that names no single host,
 * not a non-initial fragment, not itself an ICMP error. And we need an
 * address on the port, one segment and headroom. */
static bool icmp4_may_answer(const struct dp *d, uint16_t in,
			     const struct rte_mbuf *m,
			     const struct rte_ether_hdr *eth,
			     const struct rte_ipv4_hdr *ip, uint32_t hlen)
{
	uint32_t src = rte_be_to_cpu_32(ip->src_addr);
	uint32_t dst = rte_be_to_cpu_32(ip->dst_addr);
	uint32_t total = rte_be_to_cpu_16(ip->total_length);

	if (d->ports[in].ipv4 == 0 ||
	    !icmp_mbuf_ok(m, eth, sizeof(*ip) + ICMP_HDR_LEN) ||
	    !rte_is_unicast_ether_addr(&eth->dst_addr))
		return false;
	/* 0/8 "this network", 127/8 loopback, 224/4 multicast, 240/4
	 * reserved and the limited broadcast */
	if ((src >> 24) == 0 || (src >> 24) == 127 || src >= 0xe0000000u ||
	    dst >= 0xe0000000u)
		return false;
	if ((rte_be_to_cpu_16(ip->fragment_offset) &
	     RTE_IPV4_HDR_OFFSET_MASK) != 0)
		return false;
	if (ip->next_proto_id == IPPROTO_ICMP &&
	    (total <= hlen ||
	     !icmp_is_query(*((const uint8_t *)ip + hlen))))
		return false;
	return true;
}

bool icmp4_error(const struct dp *d, struct icmp_lcore *il,
		 struct dp_lcore_stats *st, uint16_t in, struct rte_mbuf *m,
		 uint8_t type, uint8_t code, uint16_t next_mtu)
{
	const uint32_t add = sizeof(struct rte_ipv4_hdr) + ICMP_HDR_LEN;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1), *nip;
	uint32_t hlen = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
			RTE_IPV4_IHL_MULTIPLIER;
	/* RFC 1812 §4.3.2.3: the header and as much of the rest as keeps
	 * the answer within 576 bytes */
	uint32_t keep = RTE_MIN((uint32_t)rte_be_to_cpu_16(ip->total_length),
				ICMP4_ANSWER_MAX - add);
	struct rte_icmp_hdr *icmp;
	rte_be32_t to = ip->src_addr;

	if (!icmp_admit(il, st, in, m,
			icmp4_may_answer(d, in, m, eth, ip, hlen)))
		return false;
	eth = icmp_frame(d, in, m, keep, add, RTE_ETHER_TYPE_IPV4);
	nip = (struct rte_ipv4_hdr *)(eth + 1);
	nip->version_ihl = RTE_IPV4_VHL_DEF;
	nip->type_of_service = 0xc0; /* internetwork control, as Linux */
	nip->total_length = rte_cpu_to_be_16((uint16_t)(add + keep));
	nip->packet_id = rte_cpu_to_be_16(il->ip_id++);
	nip->fragment_offset = 0;
	nip->time_to_live = ICMP_TTL;
	nip->next_proto_id = IPPROTO_ICMP;
	nip->hdr_checksum = 0;
	nip->src_addr = d->ports[in].ipv4;
	nip->dst_addr = to;
	nip->hdr_checksum = rte_ipv4_cksum(nip);
	icmp = (struct rte_icmp_hdr *)(nip + 1);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_cksum = 0;
	icmp->icmp_ident = 0; /* unused */
	icmp->icmp_seq_nb = rte_cpu_to_be_16(next_mtu);
	icmp->icmp_cksum = (uint16_t)~rte_raw_cksum(icmp, ICMP_HDR_LEN + keep);
	st->icmp_tx[in]++;
	return true;
}

/* RFC 4443 §2.4(e.1, e.2): is the IPv6 packet at IP, LEN bytes, an
 * ICMPv6 error (types below 128, §2.1) or a Redirect — or can we not
 * tell? True then: it is not answered. The extension headers are walked
 * (ipv6ext.h) only to find the upper layer, at most ICMP6_EXT_MAX of them
 * and within LEN; a longer chain, a malformed one (which the ingress
 * checks have dropped already), or a later fragment whose first header
 * may be ICMPv6 cannot be told apart. */
static bool icmp6_is_error_or_unknown(const struct rte_ipv6_hdr *ip,
				      uint32_t len)
{
	const uint8_t *p = (const uint8_t *)ip;
	uint32_t off;
	uint8_t nh;

	switch (ipv6_ext_walk(p, len, ICMP6_EXT_MAX, &nh, &off)) {
	case IPV6_EXT_UPPER: /* another upper layer, or none (59) */
		return nh == IPPROTO_ICMPV6 &&
		       (off >= len || p[off] < 128 || p[off] == ICMP6_REDIRECT);
	case IPV6_EXT_LATER_FRAG:
		return nh == IPPROTO_ICMPV6 || ipv6_ext_hdr(nh);
	default:
		return true;
	}
}

/* Is the IPv6 address A the unspecified (::) or the loopback (::1)
 * address? */
static bool ipv6_unspec_or_loopback(const uint8_t *a)
{
	static const uint8_t zero[15];

	return memcmp(a, zero, sizeof(zero)) == 0 && a[15] <= 1;
}

/* May the IPv6 packet M (header IP, checked) that came in on port IN be
 * answered with an ICMPv6 error of TYPE? RFC 4443 §2.4(e): not an ICMPv6
 * error or Redirect (e.1, e.2); not to a multicast address nor sent as
 * link-layer multicast or broadcast, but for Packet Too Big, which
 * multicast path MTU discovery needs (e.3-e.5); not from an address that
 * names no single node: ::, ::1, multicast (e.6). And the port needs an
 * IPv6 address, the mbuf one segment and headroom. */
static bool icmp6_may_answer(const struct dp *d, uint16_t in,
			     const struct rte_mbuf *m,
			     const struct rte_ether_hdr *eth,
			     const struct rte_ipv6_hdr *ip, uint8_t type)
{
	bool ptb = type == ICMP6_PACKET_TOO_BIG;

	if (!dp_port_has_ipv6(&d->ports[in]) ||
	    !icmp_mbuf_ok(m, eth, sizeof(*ip) + ICMP_HDR_LEN))
		return false;
	if (!ptb && (!rte_is_unicast_ether_addr(&eth->dst_addr) ||
		     ip->dst_addr[0] == 0xff))
		return false;
	if (ip->src_addr[0] == 0xff || ipv6_unspec_or_loopback(ip->src_addr))
		return false;
	return !icmp6_is_error_or_unknown(ip, sizeof(*ip) +
					  rte_be_to_cpu_16(ip->payload_len));
}

bool icmp6_error(const struct dp *d, struct icmp_lcore *il,
		 struct dp_lcore_stats *st, uint16_t in, struct rte_mbuf *m,
		 uint8_t type, uint8_t code, uint32_t mtu)
{
	const uint32_t add = sizeof(struct rte_ipv6_hdr) + ICMP_HDR_LEN;
	struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(eth + 1), *nip;
	/* RFC 4443 §2.4(c): as much of the packet as keeps the answer
	 * within the IPv6 minimum MTU */
	uint32_t keep = RTE_MIN(sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len),
				ICMP6_ANSWER_MAX - add);
	struct rte_icmp_hdr *icmp;
	uint8_t to[16];
	rte_be32_t word;

	if (!icmp_admit(il, st, in, m,
			icmp6_may_answer(d, in, m, eth, ip, type)))
		return false;
	memcpy(to, ip->src_addr, sizeof(to));
	eth = icmp_frame(d, in, m, keep, add, RTE_ETHER_TYPE_IPV6);
	nip = (struct rte_ipv6_hdr *)(eth + 1);
	/* traffic class and flow label 0: RFC 4443 asks for neither */
	nip->vtc_flow = rte_cpu_to_be_32(6u << 28);
	nip->payload_len = rte_cpu_to_be_16((uint16_t)(ICMP_HDR_LEN + keep));
	nip->proto = IPPROTO_ICMPV6;
	nip->hop_limits = ICMP_TTL;
	memcpy(nip->src_addr, d->ports[in].ipv6, sizeof(nip->src_addr));
	memcpy(nip->dst_addr, to, sizeof(nip->dst_addr));
	icmp = (struct rte_icmp_hdr *)(nip + 1);
	icmp->icmp_type = type;
	icmp->icmp_code = code;
	icmp->icmp_cksum = 0;
	/* §3.2: the MTU; unused (zero) in the other errors */
	word = rte_cpu_to_be_32(mtu);
	memcpy((uint8_t *)icmp + 4, &word, sizeof(word));
	/* §2.3: over the pseudo-header (RFC 8200 §8.1) and the message */
	icmp->icmp_cksum = rte_ipv6_udptcp_cksum(nip, icmp);
	st->icmp_tx[in]++;
	return true;
}
