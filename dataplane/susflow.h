/* Sampled flows for link suspicion (suspect.h): one flow in 16, picked
 * by what both directions of a flow share (fwd.c: the low 4 bits of
 * the xor of its ports' low bytes are zero). The forwarding lcore that
 * sees a sampled packet only copies its headers into a record (below)
 * and puts a burst's records in its own ring (an rte_ring of 16-byte
 * elements, one producer, one consumer); the main lcore's tick drains
 * every lcore's ring, in time order, into one table (health.c,
 * health_suspect_drain): the table has one writer and each flow one
 * entry, whichever lcores its two directions come through. An entry
 * knows the link its last packet out left on, when it was last
 * answered (a packet back on any link: the provider picks the return
 * link), its round-trip time, and TCP's signs of distress (a segment
 * sent again, a repeated SYN, data received twice). The main lcore's
 * scan turns the table into the per-link counts of suspect_obs: flows
 * unanswered past their bound and distressed flows, and the remote
 * addresses they go to.
 * IPv4 and IPv6 flows share the table: an IPv6 flow's key is a 64-bit
 * digest of its two addresses, so both fit one 80-byte entry. No EAL,
 * so the unit tests use their own clock. */
#ifndef TWP_SUSFLOW_H
#define TWP_SUSFLOW_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include "suspect.h"

#define SUSFLOW_SLOTS 1024u        /* power of 2 */
#define SUSFLOW_ACTIVE_NS 2000000000ull   /* a flow this quiet is gone */
#define SUSFLOW_DISTRESS_NS 500000000ull  /* distress counts this long */
#define SUSFLOW_UNANSWERED_MIN_NS 20000000ull
#define SUSFLOW_RTT_MULT 4u
#define SUSFLOW_NO_LINK 0xffu

struct susflow_entry {
	/* the flow's key: ADDRS, PORTS, PROTO and V6. IPv4: the lower
	 * address << 32 | the higher, host order; IPv6: a digest of the
	 * two (susflow_note6; two IPv6 flows of one slot, ports and
	 * protocol alike with the same 64-bit digest are taken for one:
	 * odds of 2^-64) */
	uint64_t addrs;
	uint32_t ports;        /* the lower address's port << 16 | other's */
	uint8_t proto;
	uint8_t link;          /* of the last packet out; NO_LINK: none */
	uint8_t twoway;        /* answered at least once */
	uint8_t syn;           /* a SYN out was seen (syn_seq) */
	/* the far end: an IPv4 address (below 2^32), or susflow_remote6
	 * of an IPv6 one (bit 63 set): the families never meet */
	uint64_t remote;
	uint32_t seq_out_end;  /* TCP: highest sequence sent, + length */
	uint32_t seq_in_end;   /* ... received */
	uint8_t v6;            /* an IPv6 flow */
	uint32_t syn_seq;      /* the sequence number of the last SYN out */
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

/* A sampled packet as the forwarding lcore keeps it (fwd.c), in 16-byte
 * ring elements: its IP header on, as in the packet (network order),
 * the TCP or UDP header right after the fixed header, the TTL or hop
 * limit byte replaced by the link it leaves on (SUSFLOW_NO_LINK: it came
 * in on a link). An IPv4 record may be copied after the packet's
 * rewrite (fwd.c): its header checksum is then the rewritten one, and
 * nothing reads it. IPv4: 48 bytes, the 20-byte header and 28 of TCP's
 * (its flags are byte 33); IPv6: 64 bytes, the 40-byte header and 24 of
 * TCP's (an IPv6 packet with extension headers is kept as if its TCP or
 * UDP header followed the fixed one: Next Header and Payload Length
 * rewritten). The version nibble tells which. Nothing is checked on the
 * forwarding lcore: susflow_note_rec checks what the note needs, within
 * the lengths of the header (bytes past the packet's end are copied but
 * never read). A burst's records follow one header element with the
 * clock read once for them. */
#define SUSFLOW_ELEM 16u
#define SUSFLOW_REC4_ELEMS 3u
#define SUSFLOW_REC6_ELEMS 4u
#define SUSFLOW_REC_OUT4 8u    /* the TTL byte */
#define SUSFLOW_REC_OUT6 7u    /* the hop limit byte */

struct susflow_burst {
	uint64_t tsc;          /* when the burst was forwarded */
	uint32_t n_elems;      /* elements of records that follow */
	uint32_t unused;       /* not written: a store a burst saved */
};

/* The ring's elements of a burst: its header and at most DP_BURST
 * records of either family. */
#define SUSFLOW_BURST_ELEMS(n) (1u + (n) * SUSFLOW_REC6_ELEMS)

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
	uint64_t x[2];

	memcpy(x, a, sizeof(x));
	w[0] = __builtin_bswap64(x[0]);
	w[1] = __builtin_bswap64(x[1]);
}

/* An IPv6 remote address, as susflow_addr6 gives it, as an entry's
 * remote: a digest with bit 63 set (an IPv4 remote never has it). */
static inline uint64_t susflow_remote6_w(const uint64_t w[2])
{
	return susflow_fmix64(w[0] ^ susflow_fmix64(w[1])) | 1ull << 63;
}

/* The same of the address at A (16 bytes, network order). */
static inline uint64_t susflow_remote6(const uint8_t *a)
{
	uint64_t w[2];

	susflow_addr6(a, w);
	return susflow_remote6_w(w);
}

#define SUSFLOW_TCP_FIN 0x01u
#define SUSFLOW_TCP_SYN 0x02u
#define SUSFLOW_TCP_RST 0x04u
#define SUSFLOW_TCP_ACK 0x10u

/* Is sequence number A at or before B (RFC 9293 §3.4, modulo 2^32)? */
static inline bool susflow_seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* The note of one sampled packet into entry E of T, the flow's key
 * ADDRS, KEY_PORTS, PROTO, V6 (as in struct susflow_entry), REMOTE the
 * far end; the rest as susflow_note4. */
static inline void
susflow_note(struct susflow_table *t, struct susflow_entry *e, uint64_t addrs,
	     uint32_t key_ports, uint8_t proto, uint8_t v6, uint64_t remote,
	     uint8_t out_link, uint32_t seq, uint32_t len, uint8_t flags,
	     uint64_t tsc)
{
	t->noted++;
	if (e->addrs != addrs || e->ports != key_ports || e->proto != proto ||
	    e->v6 != v6) {
		if (e->addrs != 0)
			t->replaced++;
		memset(e, 0, sizeof(*e));
		e->addrs = addrs;
		e->ports = key_ports;
		e->proto = proto;
		e->v6 = v6;
		e->link = SUSFLOW_NO_LINK;
	}
	if (out_link != SUSFLOW_NO_LINK) {
		e->link = out_link;
		e->remote = remote;
		e->out_tsc = tsc;
		/* a reset ends the flow: nothing answers it (RFC 9293
		 * §3.10.7.1), nor what it aborted. Waiting for an answer
		 * there, a site whose flows all end by resets at once
		 * (an application stopping) looked like a dead link:
		 * silence and unanswered flows together (make soak) */
		if (proto == IPPROTO_TCP && (flags & SUSFLOW_TCP_RST)) {
			e->pending_tsc = 0;
			return;
		}
		/* nor does a bare acknowledgement (RFC 9293 §3.8.6.3: ACKs
		 * are not acknowledged): a request/response flow's delayed
		 * ACK after each answer waited for the next answer, a whole
		 * request period, and counted unanswered at every new
		 * connection, its srtt still the handshake's (make soak) */
		if (e->pending_tsc == 0 &&
		    (proto != IPPROTO_TCP || len > 0 ||
		     (flags & (SUSFLOW_TCP_SYN | SUSFLOW_TCP_FIN))))
			e->pending_tsc = tsc;
		if (proto != IPPROTO_TCP)
			return;
		/* a SYN again: the first got no SYN-ACK (RFC 9293 §3.8.1);
		 * one with another initial sequence number is a new
		 * connection on the same ports, whose sequence space has
		 * nothing to do with the last one's (make soak saw a reused
		 * source port counted as a retransmission) */
		if ((flags & (SUSFLOW_TCP_SYN | SUSFLOW_TCP_ACK)) ==
		    SUSFLOW_TCP_SYN) {
			if (e->syn && seq == e->syn_seq) {
				e->distress_tsc = tsc;
			} else {
				e->seq_out_end = 0;
				e->seq_in_end = 0;
			}
			e->syn = 1;
			e->syn_seq = seq;
		}
		/* data at or before what was sent: a retransmission */
		if (len > 0) {
			if (e->seq_out_end != 0 &&
			    susflow_seq_leq(seq + len, e->seq_out_end))
				e->distress_tsc = tsc;
			else
				e->seq_out_end = seq + len;
		}
		return;
	}
	/* an answer: it ends the wait, and times it */
	if (e->pending_tsc != 0 && tsc >= e->pending_tsc) {
		uint64_t rtt = tsc - e->pending_tsc;

		e->srtt_tsc = e->srtt_tsc == 0 ? rtt :
			      e->srtt_tsc - e->srtt_tsc / 8 + rtt / 8;
		e->twoway = 1;
	}
	e->pending_tsc = 0;
	e->in_tsc = tsc;
	/* data received twice: our acknowledgements did not get there */
	if (proto == IPPROTO_TCP && len > 0) {
		if (e->seq_in_end != 0 &&
		    susflow_seq_leq(seq + len, e->seq_in_end))
			e->distress_tsc = tsc;
		else
			e->seq_in_end = seq + len;
	}
}

/* One sampled IPv4 packet of SRC -> DST (host order), PORTS as on the
 * wire read in host order (sport << 16 | dport; 0 for other protocols),
 * PROTO, at TSC. OUT_LINK: the link it leaves on (a packet from the
 * site), or SUSFLOW_NO_LINK for one that came in on a link. TCP: SEQ,
 * the payload length LEN and FLAGS (TCP header byte 13). */
static inline void
susflow_note4(struct susflow_table *t, uint32_t h, uint32_t src, uint32_t dst,
	      uint32_t ports, uint8_t proto, uint8_t out_link, uint32_t seq,
	      uint32_t len, uint8_t flags, uint64_t tsc)
{
	bool src_low = src <= dst;
	uint64_t addrs = src_low ? (uint64_t)src << 32 | dst
				 : (uint64_t)dst << 32 | src;
	uint32_t key_ports = src_low ? ports : (ports << 16 | ports >> 16);

	susflow_note(t, &t->e[(h >> 10) & (SUSFLOW_SLOTS - 1)], addrs,
		     key_ports, proto, 0, dst, out_link, seq, len, flags, tsc);
}

/* One sampled IPv6 packet of SRC -> DST (16 bytes each, network order),
 * H = susflow_hash6, the rest as susflow_note4 (PORTS and SEQ of the
 * TCP or UDP header that follows the fixed header and the extension
 * headers, LEN its payload). */
static inline void
susflow_note6(struct susflow_table *t, uint32_t h, const uint8_t *src,
	      const uint8_t *dst, uint32_t ports, uint8_t proto,
	      uint8_t out_link, uint32_t seq, uint32_t len, uint8_t flags,
	      uint64_t tsc)
{
	uint64_t s[2], d[2];
	const uint64_t *lo, *hi;
	bool src_low;
	uint64_t addrs;

	susflow_addr6(src, s);
	susflow_addr6(dst, d);
	src_low = s[0] < d[0] || (s[0] == d[0] && s[1] <= d[1]);
	/* the lower address first, as IPv4's key has it: the same digest
	 * both ways; each word through a multiply by its own odd constant
	 * (a bijection), the sum through the finalizer */
	lo = src_low ? s : d;
	hi = src_low ? d : s;
	addrs = susflow_fmix64(lo[0] * 0x9e3779b97f4a7c15ull +
			       lo[1] * 0xc2b2ae3d27d4eb4full +
			       hi[0] * 0x165667b19e3779f9ull +
			       hi[1] * 0xd6e8feb86659fd93ull);
	/* 0 marks a free slot */
	if (addrs == 0)
		addrs = 1;
	susflow_note(t, &t->e[(h >> 10) & (SUSFLOW_SLOTS - 1)], addrs,
		     src_low ? ports : (ports << 16 | ports >> 16), proto, 1,
		     out_link != SUSFLOW_NO_LINK ? susflow_remote6_w(d) : 0,
		     out_link, seq, len, flags, tsc);
}


/* One record REC (struct susflow_burst's elements: SUSFLOW_REC4_ELEMS or
 * SUSFLOW_REC6_ELEMS of them, by its version nibble) of a burst
 * forwarded at TSC into T, if it is one the note takes: TCP or UDP
 * whole enough to read (IPv4: a 20-byte header, not a later fragment).
 * Returns the elements it took (0: not a record). */
unsigned int susflow_note_rec(struct susflow_table *t, const uint8_t *rec,
			      uint64_t tsc);

/* The per-link flow evidence of table T at NOW_TSC, TSC_HZ cycles a
 * second, into OBS[0..N_LINKS-1] (unanswered, unanswered_remotes,
 * distress, distress_remotes, twoway_flows, tcp_flows; the rest
 * untouched). A flow counts for the link its last packet out left on
 * while that packet is younger than SUSFLOW_ACTIVE_NS: in tcp_flows if
 * TCP, in twoway_flows if it was answered before and within
 * SUSFLOW_ACTIVE_NS. Such a flow is unanswered when its first packet
 * out since then has waited longer than max(SUSFLOW_UNANSWERED_MIN_NS,
 * SUSFLOW_RTT_MULT x its srtt). */
void susflow_scan(const struct susflow_table *t, uint64_t now_tsc,
		  uint64_t tsc_hz, struct suspect_obs *obs,
		  unsigned int n_links);

#endif
