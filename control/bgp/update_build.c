/* BGP wire format: UPDATE and End-of-RIB building (RFC 4271 §4.3,
 * RFC 4760, RFC 6793 §4.2.2, RFC 4724 §2); nothing is written past the
 * capacity given. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "msg_int.h"

/* ---- prefixes --------------------------------------------------------- */

static size_t bgp_prefix_wire_len(const struct cfg_addr *a)
{
	return 1u + (a->len + 7u) / 8u;
}

static void bgp_put_prefix(struct bgp_wr *w, const struct cfg_addr *a)
{
	uint8_t b[17];
	size_t n = (a->len + 7u) / 8u;

	b[0] = a->len;
	memcpy(b + 1, a->addr, n);
	if (a->len % 8) /* host bits go out as zero */
		b[n] &= (uint8_t)(0xff00u >> (a->len % 8));
	bgp_put(w, b, n + 1);
}

/* ---- UPDATE build ------------------------------------------------------ */

static bool bgp_aspath_valid(const uint8_t *p, size_t len)
{
	size_t off = 0;

	while (off < len) {
		if (len - off < 2 || p[off] < BGP_AS_SET ||
		    p[off] > BGP_AS_CONFED_SET ||
		    4u * p[off + 1] > len - off - 2)
			return false;
		off += 2 + 4u * p[off + 1];
	}
	return true;
}

/* RFC 6793 §4.2.2: does the path need AS4_PATH on a 2-octet session */
static bool bgp_aspath_needs_as4(const uint8_t *p, size_t len)
{
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		if (type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET)
			continue;
		for (size_t i = 0; i < cnt; i++)
			if (bgp_get32(p + off + 2 + 4 * i) > 0xffff)
				return true;
	}
	return false;
}

static void bgp_put_aspath(struct bgp_wr *w, const uint8_t *p, size_t len,
			   bool as4)
{
	size_t vlen = 0;

	if (as4) {
		bgp_put_attr_hdr(w, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_AS_PATH,
				 len);
		bgp_put(w, p, len);
		return;
	}
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		(void)type;
		vlen += 2 + 2 * cnt;
	}
	bgp_put_attr_hdr(w, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_AS_PATH, vlen);
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		bgp_put8(w, (uint8_t)type);
		bgp_put8(w, (uint8_t)cnt);
		for (size_t i = 0; i < cnt; i++) {
			uint32_t asn = bgp_get32(p + off + 2 + 4 * i);

			bgp_put16(w, asn > 0xffff ? BGP_AS_TRANS
						  : (uint16_t)asn);
		}
	}
}

/* RFC 6793 §4.2.2: on a 2-octet session, the real path when it has an
 * ASN above 65535, without confederation segments */
static void bgp_put_as4path(struct bgp_wr *w, const uint8_t *p, size_t len)
{
	size_t vlen = 0;

	if (!bgp_aspath_needs_as4(p, len))
		return;
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		if (type != BGP_AS_CONFED_SEQUENCE && type != BGP_AS_CONFED_SET)
			vlen += 2 + 4 * cnt;
	}
	bgp_put_attr_hdr(w, BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE,
			 BGP_ATTR_AS4_PATH, vlen);
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		if (type != BGP_AS_CONFED_SEQUENCE && type != BGP_AS_CONFED_SET)
			bgp_put(w, p + off, 2 + 4 * cnt);
	}
}

/* The path attributes other than MP_*, in type code order (RFC 4271 §5):
 * AS4_PATH, AS4_AGGREGATOR and LARGE_COMMUNITY last. */
static void bgp_put_attrs(struct bgp_wr *w, const struct bgp_attrs *a,
			  bool v4, bool as4)
{
	const uint8_t ot = BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE;
	bool agg = a->present & BGP_ATTR_P(BGP_ATTR_AGGREGATOR);

	bgp_put_attr_hdr(w, BGP_ATTR_FLAG_TRANSITIVE, BGP_ATTR_ORIGIN, 1);
	bgp_put8(w, a->origin);
	bgp_put_aspath(w, a->aspath, a->aspath_len, as4);
	if (v4) {
		bgp_put_attr_hdr(w, BGP_ATTR_FLAG_TRANSITIVE,
				 BGP_ATTR_NEXT_HOP, 4);
		bgp_put(w, a->nexthop.addr, 4);
	}
	if (a->present & BGP_ATTR_P(BGP_ATTR_MED)) {
		bgp_put_attr_hdr(w, BGP_ATTR_FLAG_OPTIONAL, BGP_ATTR_MED, 4);
		bgp_put32(w, a->med);
	}
	if (a->present & BGP_ATTR_P(BGP_ATTR_LOCAL_PREF)) {
		bgp_put_attr_hdr(w, BGP_ATTR_FLAG_TRANSITIVE,
				 BGP_ATTR_LOCAL_PREF, 4);
		bgp_put32(w, a->local_pref);
	}
	if (a->present & BGP_ATTR_P(BGP_ATTR_ATOMIC_AGGREGATE))
		bgp_put_attr_hdr(w, BGP_ATTR_FLAG_TRANSITIVE,
				 BGP_ATTR_ATOMIC_AGGREGATE, 0);
	if (agg) {
		bgp_put_attr_hdr(w, ot, BGP_ATTR_AGGREGATOR, as4 ? 8 : 6);
		if (as4)
			bgp_put32(w, a->aggregator_as);
		else
			bgp_put16(w, a->aggregator_as > 0xffff ?
					     BGP_AS_TRANS :
					     (uint16_t)a->aggregator_as);
		bgp_put(w, a->aggregator_addr, 4);
	}
	if (a->n_communities) {
		bgp_put_attr_hdr(w, ot, BGP_ATTR_COMMUNITIES,
				 4u * a->n_communities);
		for (unsigned int i = 0; i < a->n_communities; i++)
			bgp_put32(w, a->communities[i]);
	}
	if (!as4)
		bgp_put_as4path(w, a->aspath, a->aspath_len);
	if (!as4 && agg && a->aggregator_as > 0xffff) {
		/* RFC 6793 §4.2.2 */
		bgp_put_attr_hdr(w, ot, BGP_ATTR_AS4_AGGREGATOR, 8);
		bgp_put32(w, a->aggregator_as);
		bgp_put(w, a->aggregator_addr, 4);
	}
	if (a->n_large_communities) {
		/* RFC 8092 §3: optional transitive, 12 octets each */
		bgp_put_attr_hdr(w, ot, BGP_ATTR_LARGE_COMMUNITY,
				 12u * a->n_large_communities);
		for (unsigned int i = 0; i < a->n_large_communities; i++)
			for (unsigned int k = 0; k < 3; k++)
				bgp_put32(w, a->large_communities[i][k]);
	}
}

int bgp_update_build(uint8_t *buf, size_t cap, uint8_t family,
		     const struct bgp_attrs *a, const struct cfg_addr *nlri,
		     unsigned int n_nlri, const struct cfg_addr *wd,
		     unsigned int n_wd, bool as4)
{
	struct bgp_wr w;
	size_t nlri_sz = 0, wd_sz = 0, attrpos;
	bool v4 = family == AF_INET;

	if (family != AF_INET && family != AF_INET6)
		return -EINVAL;
	for (unsigned int i = 0; i < n_nlri; i++) {
		if (nlri[i].family != family || nlri[i].len > (v4 ? 32 : 128))
			return -EINVAL;
		nlri_sz += bgp_prefix_wire_len(&nlri[i]);
	}
	for (unsigned int i = 0; i < n_wd; i++) {
		if (wd[i].family != family || wd[i].len > (v4 ? 32 : 128))
			return -EINVAL;
		wd_sz += bgp_prefix_wire_len(&wd[i]);
	}
	if (n_nlri) {
		if (!bgp_aspath_valid(a->aspath, a->aspath_len) ||
		    (a->aspath_len && !a->aspath) ||
		    (a->n_communities && !a->communities) ||
		    (a->n_large_communities && !a->large_communities) ||
		    a->nexthop.family != family)
			return -EINVAL;
	}
	if (nlri_sz + wd_sz > BGP_MSG_MAX)
		return -ENOSPC;

	bgp_wr_init(&w, buf, cap);
	bgp_msg_begin(&w, BGP_MSG_UPDATE);
	bgp_put16(&w, v4 ? (uint16_t)wd_sz : 0);
	if (v4)
		for (unsigned int i = 0; i < n_wd; i++)
			bgp_put_prefix(&w, &wd[i]);
	attrpos = w.len;
	bgp_put16(&w, 0);
	if (!v4 && n_nlri) {
		/* RFC 7606 §5.1: MP_* first, so a receiver that meets a bad
		 * attribute later has the NLRI already */
		uint8_t nhl = a->nexthop_ll.family ? 32 : 16;

		bgp_put_attr_hdr(&w, BGP_ATTR_FLAG_OPTIONAL, BGP_ATTR_MP_REACH,
				 5u + nhl + nlri_sz);
		bgp_put16(&w, BGP_AFI_IPV6);
		bgp_put8(&w, BGP_SAFI_UNICAST);
		bgp_put8(&w, nhl);
		bgp_put(&w, a->nexthop.addr, 16);
		if (a->nexthop_ll.family)
			bgp_put(&w, a->nexthop_ll.addr, 16);
		bgp_put8(&w, 0);
		for (unsigned int i = 0; i < n_nlri; i++)
			bgp_put_prefix(&w, &nlri[i]);
	}
	if (!v4 && n_wd) {
		bgp_put_attr_hdr(&w, BGP_ATTR_FLAG_OPTIONAL,
				 BGP_ATTR_MP_UNREACH, 3u + wd_sz);
		bgp_put16(&w, BGP_AFI_IPV6);
		bgp_put8(&w, BGP_SAFI_UNICAST);
		for (unsigned int i = 0; i < n_wd; i++)
			bgp_put_prefix(&w, &wd[i]);
	}
	if (n_nlri)
		bgp_put_attrs(&w, a, v4, as4);
	if (w.full)
		return -ENOSPC;
	bgp_set16(w.buf + attrpos, (uint16_t)(w.len - attrpos - 2));
	if (v4)
		for (unsigned int i = 0; i < n_nlri; i++)
			bgp_put_prefix(&w, &nlri[i]);
	return bgp_msg_end(&w);
}

int bgp_eor_build(uint8_t *buf, size_t cap, enum bgp_af af)
{
	struct bgp_wr w;

	if ((int)af < 0 || af >= BGP_AF_MAX)
		return -EINVAL;
	bgp_wr_init(&w, buf, cap);
	bgp_msg_begin(&w, BGP_MSG_UPDATE);
	bgp_put16(&w, 0);
	if (af == BGP_AF_IPV4) {
		bgp_put16(&w, 0); /* RFC 4724 §2 */
	} else {
		bgp_put16(&w, 6);
		bgp_put_attr_hdr(&w, BGP_ATTR_FLAG_OPTIONAL,
				 BGP_ATTR_MP_UNREACH, 3);
		bgp_put16(&w, bgp_af_afi(af));
		bgp_put8(&w, BGP_SAFI_UNICAST);
	}
	return bgp_msg_end(&w);
}
