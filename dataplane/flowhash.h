/* Software flow hash of twinpath-dp: picks a nexthop-group bucket so that
 * every packet of a flow takes the same link. CRC32 instructions through
 * rte_hash_crc; no EAL needed, so the unit tests use it as is. */
#ifndef TWP_FLOWHASH_H
#define TWP_FLOWHASH_H

#include <stdint.h>

#include <rte_ip.h>

/* Hash of the IPv4 packet at IP, of which L3_LEN bytes are in memory.
 * TCP and UDP hash on the 5-tuple (src, dst, proto, sport, dport);
 * fragments and every other protocol on the 3-tuple (src, dst, proto),
 * since only the first fragment carries the ports and all fragments of a
 * datagram must take one path. The caller has checked the IHL. */
uint32_t flow_hash_ipv4(const struct rte_ipv4_hdr *ip, uint32_t l3_len);

#endif
