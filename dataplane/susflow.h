/* Sampled flows for link suspicion (suspect.h): one flow in
 * 1 << SUSFLOW_SAMPLE_BITS, picked by a hash both directions of a flow
 * share, is followed by the forwarding lcore that sees it in a small
 * table of its own (no lock: one writer; the main lcore reads it, a torn
 * observation only blurs one flow of many). An entry knows the link its
 * last packet out left on, when it was last answered (a packet back on
 * any link: the provider picks the return link), its round-trip time,
 * and TCP's signs of distress (a segment sent again, a repeated SYN,
 * data received twice). The main lcore's scan turns the tables into the
 * per-link counts of suspect_obs: flows unanswered past their bound and
 * distressed flows, and the remote addresses they go to.
 * IPv4 and IPv6 flows share the table: an IPv6 flow's key is a 64-bit
 * digest of its two addresses, so an entry keeps the IPv4 size and an
 * IPv4 note does the same work as before. No EAL, so the unit tests use
 * their own clock. */
#ifndef TWP_SUSFLOW_H
#define TWP_SUSFLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "suspect.h"

#define SUSFLOW_SLOTS 1024u        /* per forwarding lcore, power of 2 */
#define SUSFLOW_SAMPLE_BITS 4u     /* one flow in 16 */
#define SUSFLOW_ACTIVE_NS 2000000000ull   /* a flow this quiet is gone */
#define SUSFLOW_DISTRESS_NS 500000000ull  /* distress counts this long */
#define SUSFLOW_UNANSWERED_MIN_NS 20000000ull
#define SUSFLOW_RTT_MULT 4u
#define SUSFLOW_NO_LINK 0xffu

struct susflow_entry {
	/* the flow's key: ADDRS, PORTS, PROTO and V6. IPv4: the lower
	 * address << 32 | the higher, host order; IPv6: susflow_key6 of
	 * the two (two IPv6 flows of one slot, ports and protocol alike
	 * with the same 64-bit digest are taken for one: odds of 2^-64) */
	uint64_t addrs;
	uint32_t ports;        /* the lower address's port << 16 | other's */
	uint8_t proto;
	uint8_t link;          /* of the last packet out; NO_LINK: none */
	uint8_t twoway;        /* answered at least once */
	uint8_t syn;           /* a SYN out was seen */
	/* the far end: an IPv4 address (below 2^32), or susflow_remote6
	 * of an IPv6 one (bit 63 set): the families never meet */
	uint64_t remote;
	uint32_t seq_out_end;  /* TCP: highest sequence sent, + length */
	uint32_t seq_in_end;   /* ... received */
	uint8_t v6;            /* an IPv6 flow */
	uint64_t out_tsc;      /* last packet out (site -> link) */
	uint64_t pending_tsc;  /* first packet out since the last answer */
	uint64_t in_tsc;       /* last packet in (link -> site) */
	uint64_t srtt_tsc;     /* smoothed answer time (RFC 6298 gains) */
	uint64_t distress_tsc; /* last retransmission, SYN or duplicate */
};

struct susflow_table {
	struct susflow_entry e[SUSFLOW_SLOTS];
	uint64_t noted;        /* sampled packets noted */
	uint64_t replaced;     /* entries taken over by another flow */
};

/* The sample hash of an IPv4 flow: the same both ways (addresses and
 * ports combined by xor, which ignores their order). */
static inline uint32_t susflow_hash4(uint32_t src, uint32_t dst,
				     uint32_t ports)
{
	return (src ^ dst ^ (ports >> 16) ^ (ports & 0xffffu)) * 0x9e3779b1u;
}

/* The same for IPv6: the xor of the two addresses' eight 32-bit words
 * (network order, as in the packet) and the ports. */
static inline uint32_t susflow_hash6(const uint8_t *src, const uint8_t *dst,
				     uint32_t ports)
{
	uint32_t a[4], b[4];

	memcpy(a, src, sizeof(a));
	memcpy(b, dst, sizeof(b));
	return susflow_hash4(a[0] ^ a[1] ^ a[2] ^ a[3],
			     b[0] ^ b[1] ^ b[2] ^ b[3], ports);
}

/* MurmurHash3's 64-bit finalizer: every input bit moves every output
 * bit, so a digest of 128 bits or more folded through it keeps its
 * addresses apart. */
static inline uint64_t susflow_fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return k;
}

/* The IPv6 address at A (16 bytes, network order) as two host-order
 * words, the first the most significant. */
static inline void susflow_addr6(const uint8_t *a, uint64_t w[2])
{
	uint64_t hi = 0, lo = 0;
	unsigned int i;

	for (i = 0; i < 8; i++) {
		hi = hi << 8 | a[i];
		lo = lo << 8 | a[8 + i];
	}
	w[0] = hi;
	w[1] = lo;
}

/* An IPv6 remote address A as an entry's remote: a digest with bit 63
 * set (an IPv4 remote never has it). */
static inline uint64_t susflow_remote6(const uint8_t *a)
{
	uint64_t w[2];

	susflow_addr6(a, w);
	return susflow_fmix64(w[0] ^ susflow_fmix64(w[1])) | 1ull << 63;
}

static inline bool susflow_sampled(uint32_t h)
{
	return (h >> (32 - SUSFLOW_SAMPLE_BITS)) == 0;
}

/* One sampled IPv4 packet of SRC -> DST (host order), PORTS as on the
 * wire read in host order (sport << 16 | dport; 0 for other protocols),
 * PROTO, at TSC. OUT_LINK: the link it leaves on (a packet from the
 * site), or SUSFLOW_NO_LINK for one that came in on a link. TCP: SEQ,
 * the payload length LEN and FLAGS (TCP header byte 13). */
void susflow_note4(struct susflow_table *t, uint32_t h, uint32_t src,
		   uint32_t dst, uint32_t ports, uint8_t proto,
		   uint8_t out_link, uint32_t seq, uint32_t len,
		   uint8_t flags, uint64_t tsc);

/* One sampled IPv6 packet of SRC -> DST (16 bytes each, network order),
 * H = susflow_hash6, the rest as susflow_note4 (PORTS and SEQ of the
 * TCP or UDP header that follows the fixed header and the extension
 * headers, LEN its payload). */
void susflow_note6(struct susflow_table *t, uint32_t h, const uint8_t *src,
		   const uint8_t *dst, uint32_t ports, uint8_t proto,
		   uint8_t out_link, uint32_t seq, uint32_t len,
		   uint8_t flags, uint64_t tsc);

/* The per-link flow evidence of TABLES (N of them, one per forwarding
 * lcore) at NOW_TSC, TSC_HZ cycles a second, into OBS[0..N_LINKS-1]
 * (unanswered, unanswered_remotes, distress, distress_remotes; the
 * rest untouched). A flow is unanswered when it was answered before,
 * was answered within SUSFLOW_ACTIVE_NS, and its first packet out since
 * then has waited longer than max(SUSFLOW_UNANSWERED_MIN_NS,
 * SUSFLOW_RTT_MULT x its srtt). The same flow in several tables (its two
 * directions on two lcores) is judged once, merged. */
void susflow_scan(struct susflow_table *const *tables, unsigned int n,
		  uint64_t now_tsc, uint64_t tsc_hz, struct suspect_obs *obs,
		  unsigned int n_links);

#endif
