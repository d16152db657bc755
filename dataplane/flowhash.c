/* Flow hash (see flowhash.h). */
#include <netinet/in.h>
#include <stdbool.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_hash_crc.h>

#include "flowhash.h"

#define FLOW_HASH_SEED 0x74777061u /* "twpa": any fixed value works */

uint32_t flow_hash_ipv4(const struct rte_ipv4_hdr *ip, uint32_t l3_len)
{
	uint32_t ihl = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
		       RTE_IPV4_IHL_MULTIPLIER;
	uint32_t h = FLOW_HASH_SEED;
	uint16_t frag = rte_be_to_cpu_16(ip->fragment_offset);
	bool is_fragment = (frag & (RTE_IPV4_HDR_MF_FLAG |
				    RTE_IPV4_HDR_OFFSET_MASK)) != 0;

	h = rte_hash_crc_4byte(ip->src_addr, h);
	h = rte_hash_crc_4byte(ip->dst_addr, h);
	h = rte_hash_crc_1byte(ip->next_proto_id, h);
	if (!is_fragment &&
	    (ip->next_proto_id == IPPROTO_TCP ||
	     ip->next_proto_id == IPPROTO_UDP) &&
	    l3_len >= ihl + 4) {
		/* sport and dport are the first 4 bytes of TCP and UDP */
		uint32_t ports;

		memcpy(&ports, (const uint8_t *)ip + ihl, sizeof(ports));
		h = rte_hash_crc_4byte(ports, h);
	}
	/* CRC is linear over GF(2): on its own, the low bits that pick a
	 * bucket are a fixed XOR of input bits, so a structured set of flows
	 * (ports differing only in some bits) can land on one member. A
	 * multiply-xorshift finalizer (murmur3's fmix32) breaks that. */
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}
