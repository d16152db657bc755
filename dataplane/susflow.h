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
 * IPv4 only for now; no EAL, so the unit tests use their own clock. */
#ifndef TWP_SUSFLOW_H
#define TWP_SUSFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "suspect.h"

#define SUSFLOW_SLOTS 1024u        /* per forwarding lcore, power of 2 */
#define SUSFLOW_SAMPLE_BITS 4u     /* one flow in 16 */
#define SUSFLOW_ACTIVE_NS 2000000000ull   /* a flow this quiet is gone */
#define SUSFLOW_DISTRESS_NS 500000000ull  /* distress counts this long */
#define SUSFLOW_UNANSWERED_MIN_NS 20000000ull
#define SUSFLOW_RTT_MULT 4u
#define SUSFLOW_NO_LINK 0xffu

struct susflow_entry {
	uint64_t addrs;        /* lower address << 32 | higher, host order */
	uint32_t ports;        /* the lower address's port << 16 | other's */
	uint8_t proto;
	uint8_t link;          /* of the last packet out; NO_LINK: none */
	uint8_t twoway;        /* answered at least once */
	uint8_t syn;           /* a SYN out was seen ... */
	uint32_t syn_seq;      /* ... with this sequence number */
	uint32_t remote;       /* the far end's address */
	uint32_t seq_out_end;  /* TCP: highest sequence sent, + length */
	uint32_t seq_in_end;   /* ... received */
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
