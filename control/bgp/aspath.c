/* BGP wire format: AS paths in twinpathd's internal form (4-octet
 * ASNs), their wire forms (RFC 4271 §4.3, RFC 6793) and the RFC 6793
 * §4.2.3 AS4_PATH merge. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "msg_int.h"

/* ---- AS paths (internal form: [type][count][count x u32 BE]) --------- */

unsigned int bgp_aspath_hops(const uint8_t *p, size_t len)
{
	unsigned int hops = 0;

	/* RFC 4271 §9.1.2.2 (a): a SET counts 1; RFC 5065 §5.3:
	 * confederation segments do not count */
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		if (type == BGP_AS_SEQUENCE)
			hops += cnt;
		else if (type == BGP_AS_SET)
			hops += 1;
	}
	return hops;
}

bool bgp_aspath_contains(const uint8_t *p, size_t len, uint32_t asn)
{
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		(void)type;
		for (size_t i = 0; i < cnt; i++)
			if (bgp_get32(p + off + 2 + 4 * i) == asn)
				return true;
	}
	return false;
}

uint32_t bgp_aspath_first(const uint8_t *p, size_t len)
{
	/* RFC 5065 §5.3: the neighbouring AS is found after any leading
	 * confederation segments */
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		if (type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET)
			continue;
		if (type == BGP_AS_SEQUENCE && cnt > 0)
			return bgp_get32(p + off + 2);
		return 0;
	}
	return 0;
}

bool bgp_aspath_has_confed(const uint8_t *p, size_t len)
{
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		(void)cnt;
		if (type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET)
			return true;
	}
	return false;
}

int bgp_aspath_prepend(uint8_t *out, size_t cap, const uint8_t *p,
		       size_t len, uint32_t asn, unsigned int times)
{
	size_t lead = 0, rest_off = 0, total, first, w = 0;
	const uint8_t *lead_asns = NULL;

	if (len >= 2 && p[0] == BGP_AS_SEQUENCE &&
	    2u + 4u * p[1] <= len) {
		lead = p[1];
		lead_asns = p + 2;
		rest_off = 2 + 4 * lead;
	}
	total = times + lead;
	if (total == 0) {
		if (len > cap)
			return -ENOSPC;
		if (len)
			memmove(out, p, len);
		return (int)len;
	}
	/* the first segment takes the remainder, so a full leading
	 * SEQUENCE stays whole and the new ASNs open a segment of their own */
	first = total % 255 ? total % 255 : 255;
	if ((total + 254) / 255 * 2 + 4 * total + (len - rest_off) > cap)
		return -ENOSPC;
	for (size_t i = 0, seg_left = 0, seg = 0; i < total; i++) {
		uint32_t a;

		if (seg_left == 0) {
			seg_left = seg++ == 0 ? first : 255;
			out[w++] = BGP_AS_SEQUENCE;
			out[w++] = (uint8_t)seg_left;
		}
		a = i < times ? asn : bgp_get32(lead_asns + 4 * (i - times));
		bgp_set32(out + w, a);
		w += 4;
		seg_left--;
	}
	if (len > rest_off)
		memcpy(out + w, p + rest_off, len - rest_off);
	return (int)(w + len - rest_off);
}

const char *bgp_aspath_str(const uint8_t *p, size_t len, char *buf,
			   size_t buflen)
{
	size_t w = 0;

	if (!buflen)
		return buf;
	buf[0] = '\0';
#define BGP_STR_ADD(...)                                                     \
	do {                                                                 \
		int n_ = snprintf(buf + w, buflen - w, __VA_ARGS__);         \
		if (n_ < 0 || (size_t)n_ >= buflen - w)                      \
			return buf;                                          \
		w += (size_t)n_;                                             \
	} while (0)
	BGP_ASPATH_FOREACH(p, len, off, type, cnt) {
		/* sets in braces, confederation sequences in parentheses,
		 * confederation sets in brackets (the usual notation) */
		const char *open = type == BGP_AS_SET ? "{" :
				   type == BGP_AS_CONFED_SEQUENCE ? "(" :
				   type == BGP_AS_CONFED_SET ? "[" : "";
		const char *close = type == BGP_AS_SET ? "}" :
				    type == BGP_AS_CONFED_SEQUENCE ? ")" :
				    type == BGP_AS_CONFED_SET ? "]" : "";

		BGP_STR_ADD("%s%s", w ? " " : "", open);
		for (size_t i = 0; i < cnt; i++)
			BGP_STR_ADD("%s%u", i ? " " : "",
				    bgp_get32(p + off + 2 + 4 * i));
		BGP_STR_ADD("%s", close);
	}
#undef BGP_STR_ADD
	return buf;
}

/* Converts a wire AS_PATH/AS4_PATH of ASZ-octet ASNs to the internal form
 * in OUT (or only validates when OUT is NULL). RFC 7606 §7.2: malformed
 * when a segment type is unknown, a segment has no ASN, overruns the
 * attribute, or fewer than 2 octets are left over (-EBADMSG); RFC 7607
 * §2: malformed too when an ASN is 0 (-EDOM, so the log can say so). */
int bgp_aspath_from_wire(const uint8_t *v, size_t vlen, unsigned int asz,
				uint8_t *out, size_t cap)
{
	size_t off = 0, w = 0;

	while (off < vlen) {
		uint8_t type, cnt;

		if (vlen - off < 2)
			return -EBADMSG;
		type = v[off];
		cnt = v[off + 1];
		if (type < BGP_AS_SET || type > BGP_AS_CONFED_SET || cnt == 0 ||
		    (size_t)cnt * asz > vlen - off - 2)
			return -EBADMSG;
		if (out) {
			if (2 + 4 * (size_t)cnt > cap - w)
				return -ENOSPC;
			out[w++] = type;
			out[w++] = cnt;
		}
		for (unsigned int i = 0; i < cnt; i++) {
			const uint8_t *a = v + off + 2 + i * asz;
			uint32_t asn = asz == 4 ? bgp_get32(a) : bgp_get16(a);

			if (asn == 0)
				return -EDOM;
			if (out) {
				bgp_set32(out + w, asn);
				w += 4;
			}
		}
		off += 2 + (size_t)cnt * asz;
	}
	return (int)w;
}

/* Appends a segment, merging a SEQUENCE into a preceding SEQUENCE while
 * it stays within 255 ASNs. ASNS are big-endian u32s. */
static int bgp_seg_append(uint8_t *out, size_t cap, size_t *w, long *last,
			  uint8_t type, const uint8_t *asns, size_t cnt)
{
	if (cnt == 0)
		return 0;
	if (type == BGP_AS_SEQUENCE && *last >= 0 &&
	    out[*last] == BGP_AS_SEQUENCE && out[*last + 1] + cnt <= 255) {
		if (4 * cnt > cap - *w)
			return -ENOSPC;
		out[*last + 1] = (uint8_t)(out[*last + 1] + cnt);
	} else {
		if (2 + 4 * cnt > cap - *w)
			return -ENOSPC;
		*last = (long)*w;
		out[(*w)++] = type;
		out[(*w)++] = (uint8_t)cnt;
	}
	memcpy(out + *w, asns, 4 * cnt);
	*w += 4 * cnt;
	return 0;
}

/* RFC 6793 §4.2.3: keep as many leading ASNs of AS_PATH as it has more
 * than AS4_PATH, then AS4_PATH (whose confederation segments are dropped,
 * RFC 6793 §3). The caller has checked AS_PATH is not the shorter. */
int bgp_aspath_merge(const uint8_t *asp, size_t alen,
			    const uint8_t *as4, size_t a4len, uint8_t *out,
			    size_t cap)
{
	unsigned int need = bgp_aspath_hops(asp, alen) -
			    bgp_aspath_hops(as4, a4len);
	size_t w = 0;
	long last = -1;
	int rc;

	BGP_ASPATH_FOREACH(asp, alen, off, type, cnt) {
		size_t take = cnt;

		if (type == BGP_AS_SEQUENCE || type == BGP_AS_SET) {
			if (need == 0)
				break;
			if (type == BGP_AS_SEQUENCE)
				take = cnt < need ? cnt : need;
			need -= type == BGP_AS_SEQUENCE ? take : 1;
		}
		rc = bgp_seg_append(out, cap, &w, &last, (uint8_t)type,
				    asp + off + 2, take);
		if (rc)
			return rc;
	}
	BGP_ASPATH_FOREACH(as4, a4len, off, type, cnt) {
		if (type == BGP_AS_CONFED_SEQUENCE || type == BGP_AS_CONFED_SET)
			continue;
		rc = bgp_seg_append(out, cap, &w, &last, (uint8_t)type,
				    as4 + off + 2, cnt);
		if (rc)
			return rc;
	}
	return (int)w;
}
