/* ICMP (RFC 792, RFC 1812) and ICMPv6 (RFC 4443) errors of the forwarding
 * lcores: built in the offending packet's own mbuf, sent back out of the
 * port it came in on, rate-limited per lcore and per in-port. */
#ifndef TWP_ICMP_H
#define TWP_ICMP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "dp.h"

#define ICMP4_DEST_UNREACH 3u   /* RFC 792 */
#define ICMP4_NET_UNREACH 0u    /* ... code: network unreachable */
#define ICMP4_FRAG_NEEDED 4u    /* ... code: fragmentation needed, DF set */
#define ICMP4_TIME_EXCEEDED 11u /* RFC 792; code 0: TTL exceeded in transit */
#define ICMP6_DEST_UNREACH 1u   /* RFC 4443 §3.1; code 0: no route */
#define ICMP6_PACKET_TOO_BIG 2u /* §3.2, code 0, the MTU in the header */
#define ICMP6_TIME_EXCEEDED 3u  /* §3.3; code 0: hop limit exceeded */

/* One in-port's token bucket: a token every tsc_per_token, at most
 * burst; the next one due at next_tsc. */
struct icmp_bucket {
	uint32_t tokens, burst;
	uint64_t tsc_per_token, next_tsc;
};

/* A forwarding lcore's ICMP state: a bucket per in-port, so that a flood
 * arriving on one port cannot use up the answers of another (RFC 1812
 * §4.3.2.8, RFC 4443 §2.4(f)), and the IPv4 id of its answers. */
struct icmp_lcore {
	struct icmp_bucket bucket[DP_PORT_MAX];
	uint16_t ip_id;
};

/* Every bucket of IL: at most PER_S answers a second after a burst of
 * BURST, none with PER_S 0. */
void icmp_rate_set(struct icmp_lcore *il, uint32_t per_s, uint32_t burst);

/* Turns the IPv4 packet M that came in on port IN (checked; its drop
 * already counted) in place into an ICMP error TYPE/CODE to its source,
 * NEXT_MTU in the last 16 bits of the header (RFC 1191), counted in
 * st->icmp_tx[IN], and returns true: the caller sends M out of IN. Or
 * frees it, counted as suppressed or rate_limited, and returns false. */
bool icmp4_error(const struct dp *d, struct icmp_lcore *il,
		 struct dp_lcore_stats *st, uint16_t in, struct rte_mbuf *m,
		 uint8_t type, uint8_t code, uint16_t next_mtu);

/* The same for the IPv6 packet M (checked: version 6, payload within the
 * frame) and an ICMPv6 error TYPE/CODE, MTU in the header's last 32 bits
 * (Packet Too Big), from port IN's IPv6 address. */
bool icmp6_error(const struct dp *d, struct icmp_lcore *il,
		 struct dp_lcore_stats *st, uint16_t in, struct rte_mbuf *m,
		 uint8_t type, uint8_t code, uint32_t mtu);

#endif
