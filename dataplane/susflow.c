/* Sampled flows for link suspicion (see susflow.h): the forwarding
 * lcore's note of a sampled packet, and the main lcore's scan. */
#include <netinet/in.h>
#include <string.h>

#include "susflow.h"

#define TCP_FIN 0x01u
#define TCP_SYN 0x02u
#define TCP_RST 0x04u
#define TCP_ACK 0x10u

/* Is sequence number A at or before B (RFC 9293 §3.4, modulo 2^32)? */
static inline bool seq_leq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

void susflow_note4(struct susflow_table *t, uint32_t h, uint32_t src,
		   uint32_t dst, uint32_t ports, uint8_t proto,
		   uint8_t out_link, uint32_t seq, uint32_t len,
		   uint8_t flags, uint64_t tsc)
{
	struct susflow_entry *e = &t->e[(h >> 10) & (SUSFLOW_SLOTS - 1)];
	bool src_low = src <= dst;
	uint64_t addrs = src_low ? (uint64_t)src << 32 | dst
				 : (uint64_t)dst << 32 | src;
	uint32_t key_ports = src_low ? ports : (ports << 16 | ports >> 16);

	t->noted++;
	if (e->addrs != addrs || e->ports != key_ports || e->proto != proto) {
		if (e->addrs != 0)
			t->replaced++;
		memset(e, 0, sizeof(*e));
		e->addrs = addrs;
		e->ports = key_ports;
		e->proto = proto;
		e->link = SUSFLOW_NO_LINK;
	}
	if (out_link != SUSFLOW_NO_LINK) {
		e->link = out_link;
		e->remote = dst;
		e->out_tsc = tsc;
		/* a reset ends the flow: nothing answers it (RFC 9293
		 * §3.10.7.1), nor what it aborted. Waiting for an answer
		 * there, a site whose flows all end by resets at once
		 * (an application stopping) looked like a dead link:
		 * silence and unanswered flows together (make soak) */
		if (proto == IPPROTO_TCP && (flags & TCP_RST)) {
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
		     (flags & (TCP_SYN | TCP_FIN))))
			e->pending_tsc = tsc;
		if (proto != IPPROTO_TCP)
			return;
		/* a SYN again: the first got no SYN-ACK (RFC 9293 §3.8.1);
		 * one with another initial sequence number is a new
		 * connection on the same ports, whose sequence space has
		 * nothing to do with the last one's (make soak saw a reused
		 * source port counted as a retransmission) */
		if ((flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
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
			    seq_leq(seq + len, e->seq_out_end))
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
		if (e->seq_in_end != 0 && seq_leq(seq + len, e->seq_in_end))
			e->distress_tsc = tsc;
		else
			e->seq_in_end = seq + len;
	}
}

/* Flows of one link and the distinct remote addresses among them (a few
 * are enough: suspect.c asks for two). */
struct tally {
	uint32_t flows;
	uint32_t n_remotes;
	uint32_t remote[4];
};

static void tally_add(struct tally *t, uint32_t remote)
{
	uint32_t i;

	t->flows++;
	for (i = 0; i < t->n_remotes; i++)
		if (t->remote[i] == remote)
			return;
	if (t->n_remotes < 4)
		t->remote[t->n_remotes++] = remote;
}

static uint64_t age(uint64_t now, uint64_t then)
{
	return now > then ? now - then : 0;
}

/* Entry B (another lcore's view of the same flow) into A: the latest
 * packet each way. A flow's answer noted on one lcore cannot end the
 * wait noted on another, so a wait older than the latest answer there
 * is taken from the latest packet out instead (it errs towards
 * "answered"). */
static void merge(struct susflow_entry *a, const struct susflow_entry *b)
{
	if (b->out_tsc > a->out_tsc) {
		a->out_tsc = b->out_tsc;
		a->link = b->link;
		a->remote = b->remote;
		a->pending_tsc = b->pending_tsc;
	}
	if (b->in_tsc > a->in_tsc)
		a->in_tsc = b->in_tsc;
	if (a->pending_tsc != 0 && a->pending_tsc < a->in_tsc)
		a->pending_tsc = a->out_tsc > a->in_tsc ? a->out_tsc : 0;
	a->twoway |= b->twoway | (a->in_tsc != 0 && a->out_tsc != 0);
	if (b->srtt_tsc > a->srtt_tsc)
		a->srtt_tsc = b->srtt_tsc;
	if (b->distress_tsc > a->distress_tsc)
		a->distress_tsc = b->distress_tsc;
}

void susflow_scan(struct susflow_table *const *tables, unsigned int n,
		  uint64_t now_tsc, uint64_t tsc_hz, struct suspect_obs *obs,
		  unsigned int n_links)
{
	struct tally un[SUSPECT_MAX_LINKS], di[SUSPECT_MAX_LINKS];
	const uint64_t active = tsc_hz / 1000 * (SUSFLOW_ACTIVE_NS / 1000000);
	const uint64_t distress = tsc_hz / 1000 *
				  (SUSFLOW_DISTRESS_NS / 1000000);
	const uint64_t bound_min = tsc_hz / 1000 *
				   (SUSFLOW_UNANSWERED_MIN_NS / 1000000);
	struct susflow_entry f[8];
	unsigned int s, i, j, k, m, l;

	memset(un, 0, sizeof(un));
	memset(di, 0, sizeof(di));
	if (n > 8)
		n = 8;
	for (s = 0; s < SUSFLOW_SLOTS; s++) {
		/* this slot's flows over every lcore, merged by key */
		for (m = 0, i = 0; i < n; i++) {
			struct susflow_entry e = tables[i]->e[s];

			if (e.addrs == 0)
				continue;
			for (k = 0; k < m; k++)
				if (f[k].addrs == e.addrs &&
				    f[k].ports == e.ports &&
				    f[k].proto == e.proto)
					break;
			if (k < m)
				merge(&f[k], &e);
			else
				f[m++] = e;
		}
		for (j = 0; j < m; j++) {
			const struct susflow_entry *e = &f[j];
			uint64_t bound = e->srtt_tsc * SUSFLOW_RTT_MULT;

			l = e->link;
			if (l >= n_links || age(now_tsc, e->out_tsc) > active)
				continue;
			if (bound < bound_min)
				bound = bound_min;
			if (e->twoway && e->pending_tsc != 0 &&
			    age(now_tsc, e->in_tsc) <= active &&
			    age(now_tsc, e->pending_tsc) > bound)
				tally_add(&un[l], e->remote);
			if (e->distress_tsc != 0 &&
			    age(now_tsc, e->distress_tsc) <= distress)
				tally_add(&di[l], e->remote);
		}
	}
	for (l = 0; l < n_links && l < SUSPECT_MAX_LINKS; l++) {
		obs[l].unanswered = un[l].flows;
		obs[l].unanswered_remotes = un[l].n_remotes;
		obs[l].distress = di[l].flows;
		obs[l].distress_remotes = di[l].n_remotes;
	}
}
