/* Software flow hash of twinpath-dp: picks a nexthop-group bucket so that
 * every packet of a flow takes the same link. CRC32 instructions through
 * rte_hash_crc; no EAL needed, so the unit tests use it as is. Inline:
 * it runs once per forwarded packet. */
#ifndef TWP_FLOWHASH_H
#define TWP_FLOWHASH_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>

#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
#include <nmmintrin.h>
#endif
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_1__)
#include <smmintrin.h>
#endif

#define FLOW_HASH_SEED 0x74777061u /* "twpa": any fixed value works */

/* rte_hash_crc_8byte's CRC32-C, without its run-time check of which
 * instruction set to use when the build already guarantees SSE4.2 (the
 * same value either way). */
static inline uint32_t flow_hash_crc8(uint64_t data, uint32_t h)
{
#if defined(RTE_ARCH_X86_64) && defined(__SSE4_2__)
	return (uint32_t)_mm_crc32_u64(h, data);
#else
	return rte_hash_crc_8byte(data, h);
#endif
}

/* CRC is linear over GF(2): on its own, the low bits that pick a bucket
 * are a fixed XOR of input bits, so a structured set of flows (ports
 * differing only in some bits) can land on one member. A multiply-xorshift
 * finalizer (murmur3's fmix32) breaks that. */
static inline uint32_t flow_hash_fmix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

/* flow_hash_fmix over the N hashes at H, in place: four at a time with
 * SSE4.1 (pmulld), so that the fast path finishes a burst's hashes in one
 * pass of a quarter of the instructions. */
static inline void flow_hash_fmix_bulk(uint32_t *h, unsigned int n)
{
	unsigned int i = 0;

#if defined(RTE_ARCH_X86_64) && defined(__SSE4_1__)
	const __m128i c1 = _mm_set1_epi32((int)0x85ebca6bu);
	const __m128i c2 = _mm_set1_epi32((int)0xc2b2ae35u);

	for (; i + 4 <= n; i += 4) {
		__m128i x = _mm_loadu_si128((const __m128i *)(void *)&h[i]);

		x = _mm_xor_si128(x, _mm_srli_epi32(x, 16));
		x = _mm_mullo_epi32(x, c1);
		x = _mm_xor_si128(x, _mm_srli_epi32(x, 13));
		x = _mm_mullo_epi32(x, c2);
		x = _mm_xor_si128(x, _mm_srli_epi32(x, 16));
		_mm_storeu_si128((__m128i *)(void *)&h[i], x);
	}
#endif
	for (; i < n; i++)
		h[i] = flow_hash_fmix(h[i]);
}

/* The CRC of the 4 bytes at L4 (sport and dport of TCP and UDP). */
static inline uint32_t flow_hash_ports(const void *l4, uint32_t h)
{
	uint32_t ports;

	memcpy(&ports, l4, sizeof(ports));
	return rte_hash_crc_4byte(ports, h);
}

/* flow_hash_ipv4_crc of the 8 bytes ADDRS (source and destination as
 * in the header, adjacent) and REST (the protocol, the ports as in the
 * header above it when they count, else 0): two 8-byte CRCs. fwd.c's
 * check of four packets at once makes both words in SSE registers. */
static __rte_always_inline uint32_t flow_hash_ipv4_crc_words(uint64_t addrs,
							     uint64_t rest)
{
	return flow_hash_crc8(rest, flow_hash_crc8(addrs, FLOW_HASH_SEED));
}

/* Hash of the IPv4 packet at IP, of which L3_LEN bytes are in memory
 * (flow_hash_ipv4; flow_hash_ipv4_crc is it before the finalizer).
 * TCP and UDP hash on the 5-tuple (src, dst, proto, sport, dport);
 * fragments and every other protocol on the 3-tuple (src, dst, proto),
 * since only the first fragment carries the ports and all fragments of a
 * datagram must take one path. The caller has checked the IHL. */
static inline uint32_t flow_hash_ipv4_crc(const struct rte_ipv4_hdr *ip,
					  uint32_t l3_len)
{
	uint32_t ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
		       RTE_IPV4_IHL_MULTIPLIER;
	bool is_fragment = (ip->fragment_offset &
			    rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG |
					     RTE_IPV4_HDR_OFFSET_MASK)) != 0;
	uint64_t addrs, rest = ip->next_proto_id;
	uint32_t ports;

	memcpy(&addrs, &ip->src_addr, sizeof(addrs));
	if (!is_fragment &&
	    (ip->next_proto_id == IPPROTO_TCP ||
	     ip->next_proto_id == IPPROTO_UDP) &&
	    l3_len >= ihl + 4) {
		memcpy(&ports, (const uint8_t *)ip + ihl, sizeof(ports));
		rest |= (uint64_t)ports << 32;
	}
	return flow_hash_ipv4_crc_words(addrs, rest);
}

static inline uint32_t flow_hash_ipv4(const struct rte_ipv4_hdr *ip,
				      uint32_t l3_len)
{
	return flow_hash_fmix(flow_hash_ipv4_crc(ip, l3_len));
}

/* Hash of the IPv6 packet at IP, of which L3_LEN (>= 40) bytes are in
 * memory. TCP and UDP right after the fixed header hash on the 5-tuple;
 * other next headers on the 3-tuple and the flow label (RFC 6438: the
 * source sets it per flow); a fragment header (RFC 8200 §4.5) on the
 * addresses only: only the first fragment carries the ports, and the
 * flow label of a fragmented datagram is not required to be set. Always
 * inline: fwd.c builds fwd_port twice, and GCC's budget would otherwise
 * call it out of line (make bench-instr). */
static __rte_always_inline uint32_t
flow_hash_ipv6(const struct rte_ipv6_hdr *ip, uint32_t l3_len)
{
	uint32_t h = FLOW_HASH_SEED;
	unsigned int i;

	/* src_addr and dst_addr are adjacent: 32 bytes, hashed 8 at a time.
	 * In a frame they sit 2 bytes off an 8-byte boundary, so a load
	 * through uint64_t * would be undefined behaviour; one memcpy per
	 * word compiles to the crc32q's own unaligned memory operand (a
	 * copy of all 32 bytes into an array first went through the stack
	 * with gcc 12) */
	for (i = 0; i < 4; i++) {
		uint64_t w;

		memcpy(&w, ip->src_addr + 8 * i, sizeof(w));
		h = flow_hash_crc8(w, h);
	}
	if (ip->proto == IPPROTO_FRAGMENT)
		return flow_hash_fmix(h);
	h = rte_hash_crc_1byte(ip->proto, h);
	if ((ip->proto == IPPROTO_TCP || ip->proto == IPPROTO_UDP) &&
	    l3_len >= sizeof(*ip) + 4)
		h = flow_hash_ports(ip + 1, h);
	else
		h = rte_hash_crc_4byte(ip->vtc_flow &
				       rte_cpu_to_be_32(RTE_IPV6_HDR_FL_MASK), h);
	return flow_hash_fmix(h);
}

#endif
