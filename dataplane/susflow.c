/* Sampled flows for link suspicion (see susflow.h), the main lcore's
 * part: the forwarding lcores' records noted, the table scanned. */
#include <string.h>
#include <arpa/inet.h>

#include "susflow.h"

/* Flows of one link and the distinct remote addresses among them (a few
 * are enough: suspect.c asks for two). */
struct tally {
	uint32_t flows;
	uint32_t n_remotes;
	uint64_t remote[4];
};

static void tally_add(struct tally *t, uint64_t remote)
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

static uint16_t be16_at(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return ntohs(v);
}

static uint32_t be32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return ntohl(v);
}

/* TCP's fields of the header at L4, L4_LEN bytes of the datagram from
 * it on: false if it is too short for its own header. */
static bool tcp_fields(const uint8_t *l4, uint32_t l4_len, uint32_t *seq,
		       uint32_t *len, uint8_t *flags)
{
	uint32_t hl = (uint32_t)(l4[12] >> 4) * 4;

	if (l4_len < 20 || hl < 20 || hl > l4_len)
		return false;
	*seq = be32_at(l4 + 4);
	*len = l4_len - hl;
	*flags = l4[13];
	return true;
}

/* The checks the forwarding lcore made before it kept the packets'
 * fields itself (before issue 18's ring), on the copied header. */
static unsigned int note_rec4(struct susflow_table *t, const uint8_t *ip,
			      uint64_t tsc)
{
	uint32_t src = be32_at(ip + 12), dst = be32_at(ip + 16);
	uint32_t ports = be32_at(ip + 20), total = be16_at(ip + 2);
	uint32_t seq = 0, len = 0;
	uint8_t flags = 0, proto = ip[9];

	/* a 20-byte header; not a later fragment (RFC 791: offset 0) */
	if (ip[0] != (4 << 4 | 5) || (be16_at(ip + 6) & 0x1fffu) != 0)
		return SUSFLOW_REC4_ELEMS;
	if (proto == IPPROTO_TCP) {
		if (total < 20 || !tcp_fields(ip + 20, total - 20, &seq, &len,
					      &flags))
			return SUSFLOW_REC4_ELEMS;
	} else if (proto != IPPROTO_UDP || total < 20 + 8) {
		return SUSFLOW_REC4_ELEMS;
	}
	susflow_note4(t, susflow_hash4(src, dst, ports), src, dst, ports,
		      proto, ip[SUSFLOW_REC_OUT4], seq, len, flags, tsc);
	return SUSFLOW_REC4_ELEMS;
}

static unsigned int note_rec6(struct susflow_table *t, const uint8_t *ip,
			      uint64_t tsc)
{
	uint32_t l4_len = be16_at(ip + 4), ports = be32_at(ip + 40);
	uint32_t seq = 0, len = 0;
	uint8_t flags = 0, proto = ip[6];

	if (proto == IPPROTO_TCP) {
		if (!tcp_fields(ip + 40, l4_len, &seq, &len, &flags))
			return SUSFLOW_REC6_ELEMS;
	} else if (proto != IPPROTO_UDP || l4_len < 8) {
		return SUSFLOW_REC6_ELEMS;
	}
	susflow_note6(t, susflow_hash6(ip + 8, ip + 24, ports), ip + 8,
		      ip + 24, ports, proto, ip[SUSFLOW_REC_OUT6], seq, len,
		      flags, tsc);
	return SUSFLOW_REC6_ELEMS;
}

unsigned int susflow_note_rec(struct susflow_table *t, const uint8_t *rec,
			      uint64_t tsc)
{
	switch (rec[0] >> 4) {
	case 4:
		return note_rec4(t, rec, tsc);
	case 6:
		return note_rec6(t, rec, tsc);
	default:
		return 0;
	}
}

void susflow_scan(const struct susflow_table *t, uint64_t now_tsc,
		  uint64_t tsc_hz, struct suspect_obs *obs,
		  unsigned int n_links)
{
	struct tally un[SUSPECT_MAX_LINKS], di[SUSPECT_MAX_LINKS];
	uint32_t twoway[SUSPECT_MAX_LINKS], tcp[SUSPECT_MAX_LINKS];
	const uint64_t active = tsc_hz / 1000 * (SUSFLOW_ACTIVE_NS / 1000000);
	const uint64_t distress = tsc_hz / 1000 *
				  (SUSFLOW_DISTRESS_NS / 1000000);
	const uint64_t bound_min = tsc_hz / 1000 *
				   (SUSFLOW_UNANSWERED_MIN_NS / 1000000);
	unsigned int s, l;

	memset(un, 0, sizeof(un));
	memset(di, 0, sizeof(di));
	memset(twoway, 0, sizeof(twoway));
	memset(tcp, 0, sizeof(tcp));
	for (s = 0; s < SUSFLOW_SLOTS; s++) {
		const struct susflow_entry *e = &t->e[s];
		uint64_t bound;

		if (e->addrs == 0)
			continue;
		bound = e->srtt_tsc * SUSFLOW_RTT_MULT;
		l = e->link;
		if (l >= n_links || age(now_tsc, e->out_tsc) > active)
			continue;
		if (bound < bound_min)
			bound = bound_min;
		if (e->proto == IPPROTO_TCP)
			tcp[l]++;
		if (e->twoway && age(now_tsc, e->in_tsc) <= active) {
			twoway[l]++;
			if (e->pending_tsc != 0 &&
			    age(now_tsc, e->pending_tsc) > bound)
				tally_add(&un[l], e->remote);
		}
		if (e->distress_tsc != 0 &&
		    age(now_tsc, e->distress_tsc) <= distress)
			tally_add(&di[l], e->remote);
	}
	for (l = 0; l < n_links && l < SUSPECT_MAX_LINKS; l++) {
		obs[l].unanswered = un[l].flows;
		obs[l].unanswered_remotes = un[l].n_remotes;
		obs[l].distress = di[l].flows;
		obs[l].distress_remotes = di[l].n_remotes;
		obs[l].twoway_flows = twoway[l];
		obs[l].tcp_flows = tcp[l];
	}
}
