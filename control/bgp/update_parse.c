/* BGP wire format: UPDATE parsing (RFC 4271 §4.3, RFC 4760 MP_REACH /
 * MP_UNREACH, RFC 6793 4-octet AS) with RFC 7606 error classification:
 * session reset, treat-as-withdraw or attribute discard. Nothing is read
 * past the lengths given. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "msg_int.h"

/* ---- prefixes --------------------------------------------------------- */

/* Parses the prefixes of one list (RFC 4271 §4.3, RFC 4760 §5) into
 * ARR at *N. -EBADMSG for a length beyond the family's or a prefix
 * running past LEN: RFC 7606 §5.3, the NLRI can not be trusted. */
static int bgp_prefixes_parse(const uint8_t *p, size_t len, uint8_t family,
			      struct cfg_addr *arr, unsigned int *n)
{
	unsigned int maxbits = family == AF_INET6 ? 128 : 32;
	size_t off = 0;

	while (off < len) {
		uint8_t plen = p[off];
		size_t nb = (plen + 7u) / 8u;
		struct cfg_addr *a;

		if (plen > maxbits || nb > len - off - 1 ||
		    *n >= BGP_UPDATE_PREFIX_MAX)
			return -EBADMSG;
		a = &arr[(*n)++];
		memset(a, 0, sizeof(*a));
		a->family = family;
		a->len = plen;
		memcpy(a->addr, p + off + 1, nb);
		if (plen % 8)
			a->addr[nb - 1] &= (uint8_t)(0xff00u >> (plen % 8));
		off += 1 + nb;
	}
	return 0;
}

/* ---- UPDATE parse ------------------------------------------------------ */

/* Optional and Transitive bits each known attribute must carry
 * (RFC 4271 §5, RFC 1997, RFC 4760, RFC 6793); 0xff = not checked. */
static uint8_t bgp_attr_ot(uint8_t type)
{
	switch (type) {
	case BGP_ATTR_ORIGIN: case BGP_ATTR_AS_PATH: case BGP_ATTR_NEXT_HOP:
	case BGP_ATTR_LOCAL_PREF: case BGP_ATTR_ATOMIC_AGGREGATE:
		return BGP_ATTR_FLAG_TRANSITIVE;
	case BGP_ATTR_MED: case BGP_ATTR_MP_REACH: case BGP_ATTR_MP_UNREACH:
		return BGP_ATTR_FLAG_OPTIONAL;
	case BGP_ATTR_AGGREGATOR: case BGP_ATTR_COMMUNITIES:
	case BGP_ATTR_AS4_PATH: case BGP_ATTR_AS4_AGGREGATOR:
		return BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE;
	default:
		return 0xff;
	}
}

static const char *bgp_attr_name(uint8_t type)
{
	switch (type) {
	case BGP_ATTR_ORIGIN: return "ORIGIN";
	case BGP_ATTR_AS_PATH: return "AS_PATH";
	case BGP_ATTR_NEXT_HOP: return "NEXT_HOP";
	case BGP_ATTR_MED: return "MULTI_EXIT_DISC";
	case BGP_ATTR_LOCAL_PREF: return "LOCAL_PREF";
	case BGP_ATTR_ATOMIC_AGGREGATE: return "ATOMIC_AGGREGATE";
	case BGP_ATTR_AGGREGATOR: return "AGGREGATOR";
	case BGP_ATTR_COMMUNITIES: return "COMMUNITIES";
	case BGP_ATTR_MP_REACH: return "MP_REACH_NLRI";
	case BGP_ATTR_MP_UNREACH: return "MP_UNREACH_NLRI";
	case BGP_ATTR_AS4_PATH: return "AS4_PATH";
	case BGP_ATTR_AS4_AGGREGATOR: return "AS4_AGGREGATOR";
	default: return "attribute";
	}
}

/* The first problem is the one worth logging; later ones are counted. */
__attribute__((format(printf, 2, 3)))
static void bgp_upd_warn(struct bgp_update *u, const char *fmt, ...)
{
	va_list ap;

	if (u->warning[0])
		return;
	va_start(ap, fmt);
	vsnprintf(u->warning, sizeof(u->warning), fmt, ap);
	va_end(ap);
}

static void bgp_upd_withdraw(struct bgp_update *u, const char *what,
			     uint8_t type)
{
	u->treat_as_withdraw = true;
	bgp_upd_warn(u, "%s %s: treat-as-withdraw (RFC 7606)", what,
		     bgp_attr_name(type));
}

static void bgp_upd_discard(struct bgp_update *u, const char *what,
			    uint8_t type)
{
	u->n_discarded++;
	bgp_upd_warn(u, "%s %s: attribute discarded (RFC 7606)", what,
		     bgp_attr_name(type));
}

/* What the attribute loop learned beyond struct bgp_attrs. */
struct bgp_upd_ctx {
	uint8_t seen[32];         /* bitmap of attribute types */
	unsigned int n_attrs;
	bool mp_seen;             /* an MP_REACH or MP_UNREACH was read */
	bool mp_reach_nh;         /* attrs.nexthop came from MP_REACH */
	bool mp_unreach_empty;    /* an MP_UNREACH with no prefix */
	int mp_unreach_af;
	struct cfg_addr nh4;      /* NEXT_HOP */
	const uint8_t *as4path;
	size_t as4path_len;
	bool as4agg;
	uint32_t as4agg_as;
	uint8_t as4agg_addr[4];
};

static int bgp_mp_reach_parse(const uint8_t *v, size_t vlen,
			      const struct bgp_caps *caps, struct bgp_update *u,
			      struct bgp_upd_ctx *c)
{
	struct bgp_attrs *a = &u->attrs;
	size_t nhl;
	int af;

	/* RFC 4760 §3: AFI, SAFI, next hop length and address, reserved */
	if (vlen < 5)
		return -EBADMSG;
	nhl = v[3];
	if (nhl + 5 > vlen)
		return -EBADMSG;
	af = bgp_af_from_wire(bgp_get16(v), v[2]);
	/* RFC 4760 §7: a family not negotiated may be ignored (1) */
	if (af < 0 || !caps->af[af])
		return 1;
	if (af == BGP_AF_IPV4) {
		if (nhl != 4)
			return -EBADMSG; /* RFC 7606 §7.11 */
		memset(&a->nexthop, 0, sizeof(a->nexthop));
		a->nexthop.family = AF_INET;
		a->nexthop.len = 32;
		memcpy(a->nexthop.addr, v + 4, 4);
	} else {
		/* RFC 2545 §3: global, or global + link-local */
		if (nhl != 16 && nhl != 32)
			return -EBADMSG; /* RFC 7606 §7.11 */
		memset(&a->nexthop, 0, sizeof(a->nexthop));
		a->nexthop.family = AF_INET6;
		a->nexthop.len = 128;
		memcpy(a->nexthop.addr, v + 4, 16);
		memset(&a->nexthop_ll, 0, sizeof(a->nexthop_ll));
		/* only a real fe80::/10 address is kept as the link-local
		 * one (some speakers pad with zeros) */
		if (nhl == 32 && v[20] == 0xfe && (v[21] & 0xc0) == 0x80) {
			a->nexthop_ll.family = AF_INET6;
			a->nexthop_ll.len = 128;
			memcpy(a->nexthop_ll.addr, v + 20, 16);
		}
	}
	c->mp_reach_nh = true;
	return bgp_prefixes_parse(v + 5 + nhl, vlen - 5 - nhl,
				  bgp_af_family(af), u->nlri, &u->n_nlri);
}

static int bgp_mp_unreach_parse(const uint8_t *v, size_t vlen,
				const struct bgp_caps *caps,
				struct bgp_update *u, struct bgp_upd_ctx *c)
{
	int af;

	if (vlen < 3)
		return -EBADMSG;
	af = bgp_af_from_wire(bgp_get16(v), v[2]);
	if (af < 0 || !caps->af[af])
		return 1;
	if (vlen == 3) {
		c->mp_unreach_empty = true;
		c->mp_unreach_af = af;
	}
	return bgp_prefixes_parse(v + 3, vlen - 3, bgp_af_family(af),
				  u->withdrawn, &u->n_withdrawn);
}

/* One attribute. 0 to go on, -EBADMSG with ERR filled for a session
 * reset. ATTR/ALEN is the whole attribute (for NOTIFICATION data). */
static int bgp_attr_parse(uint8_t flags, uint8_t type, const uint8_t *v,
			  size_t vlen, const uint8_t *attr, size_t alen,
			  const struct bgp_caps *caps, struct bgp_update *u,
			  struct bgp_upd_ctx *c, struct bgp_notify *err)
{
	struct bgp_attrs *a = &u->attrs;
	uint8_t ot = bgp_attr_ot(type);
	bool mp = type == BGP_ATTR_MP_REACH || type == BGP_ATTR_MP_UNREACH;
	int rc;

	c->n_attrs++;
	if (c->seen[type / 8] & (1u << (type % 8))) {
		/* RFC 7606 §3 (g): a second MP_* resets, any other repeat
		 * is dropped */
		if (mp) {
			bgp_set_err(err, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_LIST,
				    NULL, 0);
			return -EBADMSG;
		}
		bgp_upd_discard(u, "repeated", type);
		return 0;
	}
	c->seen[type / 8] |= (uint8_t)(1u << (type % 8));

	if (ot == 0xff) {
		/* RFC 4271 §6.3: an unrecognized well-known attribute */
		if (!(flags & BGP_ATTR_FLAG_OPTIONAL)) {
			bgp_set_err(err, BGP_ERR_UPDATE,
				    BGP_ERR_UPD_ATTR_UNRECOGNIZED, attr, alen);
			return -EBADMSG;
		}
		return 0; /* optional and unknown: ignored, not passed on */
	}
	/* RFC 4271 §4.3: the Partial bit is 0 on well-known and on optional
	 * non-transitive attributes, so only an optional transitive one may
	 * carry it; a set Partial bit elsewhere is a flags error like a
	 * wrong Optional or Transitive bit (RFC 4271 §6.3, Attribute Flags
	 * Error), and handled as RFC 7606 §3 (c) handles those. */
	if ((flags & (BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE)) !=
	    ot || ((flags & BGP_ATTR_FLAG_PARTIAL) &&
		   ot != (BGP_ATTR_FLAG_OPTIONAL | BGP_ATTR_FLAG_TRANSITIVE))) {
		/* RFC 7606 §3 (c): treat-as-withdraw, unless the attribute
		 * says otherwise: MP_* reset (§7.11), AS4_* are discarded
		 * (RFC 6793 §6), and so is LOCAL_PREF from an external
		 * neighbour (§7.5) */
		if (mp) {
			bgp_set_err(err, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_FLAGS,
				    attr, alen);
			return -EBADMSG;
		}
		if (type == BGP_ATTR_AS4_PATH ||
		    type == BGP_ATTR_AS4_AGGREGATOR ||
		    type == BGP_ATTR_LOCAL_PREF)
			bgp_upd_discard(u, "bad flags on", type);
		else
			bgp_upd_withdraw(u, "bad flags on", type);
		return 0;
	}

	switch (type) {
	case BGP_ATTR_ORIGIN:
		/* RFC 7606 §7.1 */
		if (vlen != 1 || v[0] > BGP_ORIGIN_INCOMPLETE) {
			bgp_upd_withdraw(u, "malformed", type);
			return 0;
		}
		a->origin = v[0];
		break;
	case BGP_ATTR_AS_PATH:
		/* RFC 7606 §7.2 */
		rc = bgp_aspath_from_wire(v, vlen, caps->as4 ? 4 : 2,
					  u->aspath_buf, sizeof(u->aspath_buf));
		if (rc < 0) {
			/* RFC 7607 §2: AS 0 makes it malformed, handled as
			 * RFC 7606 says (§7.2: treat-as-withdraw) */
			bgp_upd_withdraw(u, rc == -EDOM ? "AS 0 (RFC 7607) in" :
					 "malformed", type);
			return 0;
		}
		a->aspath = u->aspath_buf;
		a->aspath_len = (uint16_t)rc;
		break;
	case BGP_ATTR_NEXT_HOP:
		/* RFC 7606 §7.3 */
		if (vlen != 4) {
			bgp_upd_withdraw(u, "malformed", type);
			return 0;
		}
		c->nh4.family = AF_INET;
		c->nh4.len = 32;
		memcpy(c->nh4.addr, v, 4);
		break;
	case BGP_ATTR_MED:
	case BGP_ATTR_LOCAL_PREF:
		/* RFC 7606 §7.4: a malformed MED is treat-as-withdraw. §7.5:
		 * a LOCAL_PREF from an external neighbour is discarded
		 * whatever it holds; every twinpath peer is external (eBGP
		 * only, policy sets our own LOCAL_PREF), so a malformed one
		 * costs the route nothing. */
		if (vlen != 4) {
			if (type == BGP_ATTR_LOCAL_PREF)
				bgp_upd_discard(u, "malformed", type);
			else
				bgp_upd_withdraw(u, "malformed", type);
			return 0;
		}
		if (type == BGP_ATTR_MED)
			a->med = bgp_get32(v);
		else
			a->local_pref = bgp_get32(v);
		break;
	case BGP_ATTR_ATOMIC_AGGREGATE:
		/* RFC 7606 §7.6 */
		if (vlen != 0) {
			bgp_upd_discard(u, "malformed", type);
			return 0;
		}
		break;
	case BGP_ATTR_AGGREGATOR:
		/* RFC 7606 §7.7: 6 octets, or 8 on a 4-octet session */
		if (vlen != (caps->as4 ? 8u : 6u)) {
			bgp_upd_discard(u, "malformed", type);
			return 0;
		}
		/* RFC 7607 §2: AS 0 makes it malformed, handled as RFC 7606
		 * says: §7.7, attribute discard */
		if ((caps->as4 ? bgp_get32(v) : bgp_get16(v)) == 0) {
			bgp_upd_discard(u, "AS 0 (RFC 7607) in", type);
			return 0;
		}
		a->aggregator_as = caps->as4 ? bgp_get32(v) : bgp_get16(v);
		memcpy(a->aggregator_addr, v + vlen - 4, 4);
		break;
	case BGP_ATTR_COMMUNITIES:
		/* RFC 7606 §7.8: a non-zero multiple of 4 */
		if (vlen == 0 || vlen % 4 || vlen / 4 > BGP_MSG_MAX / 4) {
			bgp_upd_withdraw(u, "malformed", type);
			return 0;
		}
		for (size_t i = 0; i < vlen / 4; i++)
			u->comm_buf[i] = bgp_get32(v + 4 * i);
		a->communities = u->comm_buf;
		a->n_communities = (uint16_t)(vlen / 4);
		break;
	case BGP_ATTR_MP_REACH:
	case BGP_ATTR_MP_UNREACH:
		/* RFC 7606 §7.11 and §5.3: a malformed MP_* or NLRI in it
		 * can not be withdrawn; the session is reset (RFC 4760 §7
		 * names Optional Attribute Error) */
		c->mp_seen = true;
		rc = type == BGP_ATTR_MP_REACH ?
			     bgp_mp_reach_parse(v, vlen, caps, u, c) :
			     bgp_mp_unreach_parse(v, vlen, caps, u, c);
		if (rc < 0) {
			bgp_set_err(err, BGP_ERR_UPDATE, BGP_ERR_UPD_OPTATTR,
				    attr, alen);
			return -EBADMSG;
		}
		if (rc > 0)
			return 0; /* a family we ignore: not present */
		break;
	case BGP_ATTR_AS4_PATH:
		/* RFC 6793 §3: not between NEW speakers; §6: malformed
		 * is discarded */
		if (caps->as4) {
			bgp_upd_discard(u, "4-octet session sent", type);
			return 0;
		}
		/* RFC 7607 §2: AS 0 in AS4_PATH is malformed and handled
		 * as RFC 6793 says, so discarded like any malformed one */
		rc = bgp_aspath_from_wire(v, vlen, 4, NULL, 0);
		if (rc < 0) {
			bgp_upd_discard(u, rc == -EDOM ? "AS 0 (RFC 7607) in" :
					"malformed", type);
			return 0;
		}
		c->as4path = v;
		c->as4path_len = vlen;
		break;
	case BGP_ATTR_AS4_AGGREGATOR:
		if (caps->as4) {
			bgp_upd_discard(u, "4-octet session sent", type);
			return 0;
		}
		if (vlen != 8) {
			bgp_upd_discard(u, "malformed", type);
			return 0;
		}
		/* RFC 7607 §2 and RFC 6793 §6, as for AS4_PATH */
		if (bgp_get32(v) == 0) {
			bgp_upd_discard(u, "AS 0 (RFC 7607) in", type);
			return 0;
		}
		c->as4agg = true;
		c->as4agg_as = bgp_get32(v);
		memcpy(c->as4agg_addr, v + 4, 4);
		return 0; /* merged below, not a present bit of its own */
	}
	if (type != BGP_ATTR_NEXT_HOP && type != BGP_ATTR_AS4_PATH)
		a->present |= BGP_ATTR_P(type);
	return 0;
}

/* RFC 6793 §4.2.3: a 2-octet session's AS_PATH and AGGREGATOR with
 * AS4_PATH and AS4_AGGREGATOR folded in. */
static void bgp_as4_merge(struct bgp_update *u, struct bgp_upd_ctx *c)
{
	struct bgp_attrs *a = &u->attrs;
	uint8_t tmp[sizeof(u->aspath_buf)];
	int rc;

	if (a->present & BGP_ATTR_P(BGP_ATTR_AGGREGATOR)) {
		/* an AGGREGATOR that is not AS_TRANS was set by an OLD
		 * speaker after the AS4_* ones: both are ignored */
		if (a->aggregator_as != BGP_AS_TRANS)
			return;
		if (c->as4agg) {
			a->aggregator_as = c->as4agg_as;
			memcpy(a->aggregator_addr, c->as4agg_addr, 4);
		}
	}
	if (!c->as4path || !(a->present & BGP_ATTR_P(BGP_ATTR_AS_PATH)))
		return;
	/* fewer ASNs in AS_PATH than in AS4_PATH: AS4_PATH is ignored */
	if (bgp_aspath_hops(a->aspath, a->aspath_len) <
	    bgp_aspath_hops(c->as4path, c->as4path_len))
		return;
	memcpy(tmp, a->aspath, a->aspath_len);
	rc = bgp_aspath_merge(tmp, a->aspath_len, c->as4path, c->as4path_len,
			      u->aspath_buf, sizeof(u->aspath_buf));
	if (rc < 0) {
		memcpy(u->aspath_buf, tmp, a->aspath_len);
		bgp_upd_discard(u, "too long to merge", BGP_ATTR_AS4_PATH);
		return;
	}
	a->aspath_len = (uint16_t)rc;
}

/* RFC 4271 §6.3 / RFC 7606 §7.3: a NEXT_HOP that is no host address:
 * 0/8 (this network), 127/8 (loopback), 224/4 multicast and above. The
 * same for an IPv6 one (RFC 2545 §3 wants a global address): the
 * unspecified address ::, the loopback ::1 and ff00::/8 multicast
 * (RFC 4291 §2.5.2, §2.5.3, §2.7). */
static bool bgp_nexthop_bad(const struct cfg_addr *nh)
{
	static const uint8_t zero[15];
	uint8_t b = nh->addr[0];

	if (nh->family == AF_INET6)
		return b == 0xff || (memcmp(nh->addr, zero, 15) == 0 &&
				     nh->addr[15] <= 1);
	return b == 0 || b == 127 || b >= 224;
}

int bgp_update_parse(const uint8_t *msg, size_t len,
		     const struct bgp_caps *caps, struct bgp_update *u,
		     struct bgp_notify *err)
{
	struct bgp_upd_ctx c;
	const uint8_t *wd, *attrs, *nlri;
	size_t wdlen, attrlen, nlrilen, off = 0;
	unsigned int n_v4;
	int rc;

	memset(&u->attrs, 0, sizeof(u->attrs));
	u->eor = false;
	u->eor_af = 0;
	u->treat_as_withdraw = false;
	u->n_discarded = 0;
	u->warning[0] = '\0';
	u->n_withdrawn = 0;
	u->n_nlri = 0;
	u->nlri_field_first = 0;
	memset(&u->nexthop_v4, 0, sizeof(u->nexthop_v4));
	memset(&c, 0, sizeof(c));

	if (len < BGP_HDR_LEN + 4) {
		bgp_set_err16(err, BGP_ERR_HEADER, BGP_ERR_HDR_LENGTH,
			      (uint16_t)len);
		return -EBADMSG;
	}
	/* RFC 4271 §6.3: the two lengths must fit the message */
	wdlen = bgp_get16(msg + BGP_HDR_LEN);
	if (wdlen > len - BGP_HDR_LEN - 4)
		goto attr_list;
	wd = msg + BGP_HDR_LEN + 2;
	attrlen = bgp_get16(wd + wdlen);
	if (attrlen > len - BGP_HDR_LEN - 4 - wdlen)
		goto attr_list;
	attrs = wd + wdlen + 2;
	nlri = attrs + attrlen;
	nlrilen = len - BGP_HDR_LEN - 4 - wdlen - attrlen;

	if (bgp_prefixes_parse(wd, wdlen, AF_INET, u->withdrawn,
			       &u->n_withdrawn))
		goto network;

	while (off < attrlen) {
		size_t rem = attrlen - off, hl, vlen;
		uint8_t flags = attrs[off];

		hl = flags & BGP_ATTR_FLAG_EXTLEN ? 4 : 3;
		if (rem < hl)
			goto overrun;
		vlen = hl == 4 ? bgp_get16(attrs + off + 2) : attrs[off + 2];
		if (vlen > rem - hl)
			goto overrun;
		rc = bgp_attr_parse(flags, attrs[off + 1], attrs + off + hl,
				    vlen, attrs + off, hl + vlen, caps, u, &c,
				    err);
		if (rc)
			return rc;
		off += hl + vlen;
	}
	goto attrs_done;
overrun:
	/* RFC 7606 §4: an attribute running past Total Path Attribute
	 * Length is treat-as-withdraw, but that needs every NLRI: when no
	 * MP_* was read (it may be in the unreadable rest) and the NLRI
	 * field is empty there is nothing reliable to withdraw (§5.2). */
	if (!c.mp_seen && nlrilen == 0)
		goto attr_list;
	u->treat_as_withdraw = true;
	bgp_upd_warn(u, "attribute runs past the attribute list: "
		     "treat-as-withdraw (RFC 7606 §4)");
attrs_done:
	u->nlri_field_first = u->n_nlri;
	if (bgp_prefixes_parse(nlri, nlrilen, AF_INET, u->nlri, &u->n_nlri))
		goto network;
	n_v4 = u->n_nlri - u->nlri_field_first;

	if (!caps->as4)
		bgp_as4_merge(u, &c);

	if (c.nh4.family) {
		u->nexthop_v4 = c.nh4;
		u->attrs.present |= BGP_ATTR_P(BGP_ATTR_NEXT_HOP);
		if (!c.mp_reach_nh)
			u->attrs.nexthop = c.nh4;
		if (n_v4 && bgp_nexthop_bad(&c.nh4))
			bgp_upd_withdraw(u, "invalid address in",
					 BGP_ATTR_NEXT_HOP);
	}
	/* MP_REACH_NLRI's next hop gets the NEXT_HOP checks: the same
	 * outcome, treat-as-withdraw, as a semantically wrong NEXT_HOP
	 * (RFC 4271 §6.3: the routes are not used, no NOTIFICATION) */
	if (c.mp_reach_nh && u->nlri_field_first > 0 &&
	    bgp_nexthop_bad(&u->attrs.nexthop))
		bgp_upd_withdraw(u, "invalid address in", BGP_ATTR_MP_REACH);
	/* RFC 7606 §3 (d): a missing well-known mandatory attribute;
	 * NEXT_HOP only when the IPv4 NLRI field is used (RFC 4760 §3) */
	if (u->n_nlri) {
		static const uint8_t mand[] = { BGP_ATTR_ORIGIN,
						BGP_ATTR_AS_PATH,
						BGP_ATTR_NEXT_HOP };

		for (unsigned int i = 0; i < sizeof(mand); i++) {
			if (mand[i] == BGP_ATTR_NEXT_HOP && !n_v4)
				continue;
			if (!(u->attrs.present & BGP_ATTR_P(mand[i])))
				bgp_upd_withdraw(u, "missing", mand[i]);
		}
	}
	if (u->treat_as_withdraw) {
		for (unsigned int i = 0; i < u->n_nlri; i++) {
			if (u->n_withdrawn >= BGP_UPDATE_PREFIX_MAX)
				break; /* can not happen: 1 octet each */
			u->withdrawn[u->n_withdrawn++] = u->nlri[i];
		}
		u->n_nlri = 0;
		u->nlri_field_first = 0;
	}
	/* RFC 4724 §2: End-of-RIB is an UPDATE with nothing in it (IPv4)
	 * or with only an empty MP_UNREACH_NLRI */
	if (wdlen == 0 && nlrilen == 0) {
		if (attrlen == 0) {
			u->eor = true;
			u->eor_af = BGP_AF_IPV4;
		} else if (c.n_attrs == 1 && c.mp_unreach_empty) {
			u->eor = true;
			u->eor_af = (uint8_t)c.mp_unreach_af;
		}
	}
	return 0;

attr_list:
	bgp_set_err(err, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_LIST, NULL, 0);
	return -EBADMSG;
network:
	/* RFC 7606 §5.3: an NLRI or withdrawn field that can not be
	 * parsed resets the session */
	bgp_set_err(err, BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK, NULL, 0);
	return -EBADMSG;
}
