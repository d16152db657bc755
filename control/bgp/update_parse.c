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

/* RFC 7606's per-attribute rules, one row per attribute type twinpathd
 * parses and one for every other type: the flags it must carry, the
 * length rule, and what each kind of error costs. bgp_attr_parse applies
 * them in this order before it reads the value:
 *   repeat     RFC 7606 §3 (g): a second occurrence
 *   flags      RFC 7606 §3 (c) (O and T bits) and RFC 4271 §4.3 (the
 *              Partial bit is 0 on well-known and optional non-transitive
 *              attributes; a set one is handled as a wrong O or T bit)
 *   as2_only   RFC 6793 §3: AS4_* from a 4-octet session is discarded
 *   length     the attribute's own RFC 7606 §7 section; a wrong length
 *              gets the malformed action
 * and the value checks that remain in bgp_attr_parse's switch (ORIGIN's
 * value, AS_PATH segments, AS 0, the MP_* contents) take the malformed
 * action from here too. */
enum bgp_attr_how {
	BGP_ATTR_WITHDRAW, /* treat-as-withdraw (RFC 7606 §2) */
	BGP_ATTR_DISCARD,  /* attribute discard (RFC 7606 §2) */
	BGP_ATTR_RESET,    /* session reset: NOTIFICATION 3/subcode */
};

struct bgp_attr_act {
	uint8_t how;     /* enum bgp_attr_how */
	uint8_t subcode; /* UPDATE Message Error subcode for a reset */
};

enum bgp_attr_len {
	BGP_LEN_ANY,   /* checked while the value is parsed */
	BGP_LEN_EXACT, /* len octets, len_as4 on a 4-octet session */
	BGP_LEN_MULT,  /* a non-zero multiple of len */
	BGP_LEN_MIN,   /* at least len */
};

struct bgp_attr_rule {
	const char *name;     /* for the warnings */
	uint8_t flags_mask;   /* the flag bits checked ... */
	uint8_t flags;        /* ... and the values they must have */
	bool as2_only;        /* discarded from a 4-octet session */
	uint8_t len_rule;     /* enum bgp_attr_len */
	uint8_t len, len_as4;
	struct bgp_attr_act bad_flags, malformed, repeat;
};

#define BGP_F_O BGP_ATTR_FLAG_OPTIONAL
#define BGP_F_T BGP_ATTR_FLAG_TRANSITIVE
#define BGP_F_P BGP_ATTR_FLAG_PARTIAL
/* RFC 4271 §5: well-known attributes are transitive; only optional
 * transitive ones may carry the Partial bit (§4.3) */
#define BGP_WELL_KNOWN .flags_mask = BGP_F_O | BGP_F_T | BGP_F_P, \
		       .flags = BGP_F_T
#define BGP_OPT_NONTRANS .flags_mask = BGP_F_O | BGP_F_T | BGP_F_P, \
			 .flags = BGP_F_O
#define BGP_OPT_TRANS .flags_mask = BGP_F_O | BGP_F_T, \
		      .flags = BGP_F_O | BGP_F_T
#define BGP_ANY .len_rule = BGP_LEN_ANY
#define BGP_EXACT_AS(n, n_as4) .len_rule = BGP_LEN_EXACT, .len = (n), \
			       .len_as4 = (n_as4)
#define BGP_EXACT(n) BGP_EXACT_AS(n, n)
#define BGP_MULT(n) .len_rule = BGP_LEN_MULT, .len = (n)
#define BGP_MIN(n) .len_rule = BGP_LEN_MIN, .len = (n)
#define BGP_WITHDRAW { BGP_ATTR_WITHDRAW, 0 }
#define BGP_DISCARD { BGP_ATTR_DISCARD, 0 }
#define BGP_RESET(sub) { BGP_ATTR_RESET, (sub) }

static const struct bgp_attr_rule bgp_attr_rules[256] = {
	/* RFC 7606 §7.1: 1 octet, a defined value (checked with the value) */
	[BGP_ATTR_ORIGIN] = {
		.name = "ORIGIN", BGP_WELL_KNOWN,
		BGP_EXACT(1),
		.bad_flags = BGP_WITHDRAW,
		.malformed = BGP_WITHDRAW,
		.repeat = BGP_DISCARD,
	},
	/* RFC 7606 §7.2: the segments are checked as they are read */
	[BGP_ATTR_AS_PATH] = {
		.name = "AS_PATH", BGP_WELL_KNOWN,
		BGP_ANY,
		.bad_flags = BGP_WITHDRAW,
		.malformed = BGP_WITHDRAW,
		.repeat = BGP_DISCARD,
	},
	/* RFC 7606 §7.3 */
	[BGP_ATTR_NEXT_HOP] = {
		.name = "NEXT_HOP", BGP_WELL_KNOWN,
		BGP_EXACT(4),
		.bad_flags = BGP_WITHDRAW,
		.malformed = BGP_WITHDRAW,
		.repeat = BGP_DISCARD,
	},
	/* RFC 7606 §7.4 */
	[BGP_ATTR_MED] = {
		.name = "MULTI_EXIT_DISC", BGP_OPT_NONTRANS,
		BGP_EXACT(4),
		.bad_flags = BGP_WITHDRAW,
		.malformed = BGP_WITHDRAW,
		.repeat = BGP_DISCARD,
	},
	/* RFC 7606 §7.5: from an external neighbour discarded whatever it
	 * holds; every twinpath peer is external (eBGP only, policy sets
	 * our own LOCAL_PREF), so a malformed one costs the route nothing */
	[BGP_ATTR_LOCAL_PREF] = {
		.name = "LOCAL_PREF", BGP_WELL_KNOWN,
		BGP_EXACT(4),
		.bad_flags = BGP_DISCARD,
		.malformed = BGP_DISCARD,
		.repeat = BGP_DISCARD,
	},
	/* RFC 7606 §7.6: a length other than 0 is discarded; wrong flags
	 * are §3 (c)'s treat-as-withdraw */
	[BGP_ATTR_ATOMIC_AGGREGATE] = {
		.name = "ATOMIC_AGGREGATE", BGP_WELL_KNOWN,
		BGP_EXACT(0),
		.bad_flags = BGP_WITHDRAW,
		.malformed = BGP_DISCARD,
		.repeat = BGP_DISCARD,
	},
	/* RFC 7606 §7.7: 6 octets, or 8 on a 4-octet session (RFC 6793);
	 * wrong flags are §3 (c)'s treat-as-withdraw */
	[BGP_ATTR_AGGREGATOR] = {
		.name = "AGGREGATOR", BGP_OPT_TRANS,
		BGP_EXACT_AS(6, 8),
		.bad_flags = BGP_WITHDRAW,
		.malformed = BGP_DISCARD,
		.repeat = BGP_DISCARD,
	},
	/* RFC 7606 §7.8: a non-zero multiple of 4 */
	[BGP_ATTR_COMMUNITIES] = {
		.name = "COMMUNITIES", BGP_OPT_TRANS,
		BGP_MULT(4),
		.bad_flags = BGP_WITHDRAW,
		.malformed = BGP_WITHDRAW,
		.repeat = BGP_DISCARD,
	},
	/* RFC 7606 §7.11 and §5.3: a malformed MP_* or NLRI in it can not
	 * be withdrawn, the session is reset (RFC 4760 §7 names Optional
	 * Attribute Error), as for wrong flags (3/4); §3 (g): a repeat is
	 * Malformed Attribute List. AFI, SAFI, next hop length and the
	 * reserved octet are 5 octets (RFC 4760 §3) */
	[BGP_ATTR_MP_REACH] = {
		.name = "MP_REACH_NLRI", BGP_OPT_NONTRANS,
		BGP_MIN(5),
		.bad_flags = BGP_RESET(BGP_ERR_UPD_ATTR_FLAGS),
		.malformed = BGP_RESET(BGP_ERR_UPD_OPTATTR),
		.repeat = BGP_RESET(BGP_ERR_UPD_ATTR_LIST),
	},
	/* RFC 7606 §7.11, §5.3, §3 (g) as MP_REACH; AFI and SAFI are 3
	 * octets (RFC 4760 §4) */
	[BGP_ATTR_MP_UNREACH] = {
		.name = "MP_UNREACH_NLRI", BGP_OPT_NONTRANS,
		BGP_MIN(3),
		.bad_flags = BGP_RESET(BGP_ERR_UPD_ATTR_FLAGS),
		.malformed = BGP_RESET(BGP_ERR_UPD_OPTATTR),
		.repeat = BGP_RESET(BGP_ERR_UPD_ATTR_LIST),
	},
	/* RFC 7606 has no section for AS4_*: RFC 6793 §6 discards a
	 * malformed one, and one with wrong flags; §3: not between NEW
	 * speakers. The segments are checked as they are read */
	[BGP_ATTR_AS4_PATH] = {
		.name = "AS4_PATH", BGP_OPT_TRANS, .as2_only = true,
		BGP_ANY,
		.bad_flags = BGP_DISCARD,
		.malformed = BGP_DISCARD,
		.repeat = BGP_DISCARD,
	},
	/* RFC 6793 §6 and §3 as AS4_PATH: 8 octets */
	[BGP_ATTR_AS4_AGGREGATOR] = {
		.name = "AS4_AGGREGATOR", BGP_OPT_TRANS, .as2_only = true,
		BGP_EXACT(8),
		.bad_flags = BGP_DISCARD,
		.malformed = BGP_DISCARD,
		.repeat = BGP_DISCARD,
	},
};

/* Every other type. RFC 4271 §6.3 (RFC 7606 keeps it): an unrecognized
 * well-known attribute (O bit clear) resets 3/2; an unknown optional one
 * is ignored and not passed on. RFC 7606 §3 (g): repeats are discarded. */
static const struct bgp_attr_rule bgp_attr_unknown = {
	.name = "attribute", .flags_mask = BGP_F_O, .flags = BGP_F_O,
	BGP_ANY,
	.bad_flags = BGP_RESET(BGP_ERR_UPD_ATTR_UNRECOGNIZED),
	.malformed = BGP_DISCARD, /* not used: not parsed */
	.repeat = BGP_DISCARD,
};

static const struct bgp_attr_rule *bgp_attr_rule(uint8_t type)
{
	const struct bgp_attr_rule *r = &bgp_attr_rules[type];

	return r->name ? r : &bgp_attr_unknown;
}

static const char *bgp_attr_name(uint8_t type)
{
	return bgp_attr_rule(type)->name;
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

/* Takes the action ACT of the table for attribute TYPE: 0 to go on, or
 * -EBADMSG with ERR filled for a session reset. ATTR/ALEN is the whole
 * attribute, the NOTIFICATION data of every UPDATE error subcode but
 * Malformed Attribute List, which has none (RFC 4271 §6.3). */
static int bgp_attr_act(const struct bgp_attr_act *act, const char *what,
			uint8_t type, const uint8_t *attr, size_t alen,
			struct bgp_update *u, struct bgp_notify *err)
{
	switch (act->how) {
	case BGP_ATTR_RESET:
		if (act->subcode == BGP_ERR_UPD_ATTR_LIST)
			bgp_set_err(err, BGP_ERR_UPDATE, act->subcode, NULL, 0);
		else
			bgp_set_err(err, BGP_ERR_UPDATE, act->subcode, attr,
				    alen);
		return -EBADMSG;
	case BGP_ATTR_DISCARD:
		bgp_upd_discard(u, what, type);
		return 0;
	default:
		bgp_upd_withdraw(u, what, type);
		return 0;
	}
}

/* The length rule of R for a value of VLEN octets. */
static bool bgp_attr_len_ok(const struct bgp_attr_rule *r, size_t vlen,
			    bool as4)
{
	switch (r->len_rule) {
	case BGP_LEN_EXACT:
		return vlen == (as4 ? r->len_as4 : r->len);
	case BGP_LEN_MULT:
		return vlen != 0 && vlen % r->len == 0;
	case BGP_LEN_MIN:
		return vlen >= r->len;
	default:
		return true;
	}
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

	/* RFC 4760 §3: AFI, SAFI, next hop length and address, reserved;
	 * the table has checked the 5 octets without the address */
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

	/* the table has checked AFI and SAFI are there (RFC 4760 §4) */
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
	const struct bgp_attr_rule *r = bgp_attr_rule(type);
	int rc;

	c->n_attrs++;
	if (c->seen[type / 8] & (1u << (type % 8)))
		return bgp_attr_act(&r->repeat, "repeated", type, attr, alen,
				    u, err);
	c->seen[type / 8] |= (uint8_t)(1u << (type % 8));
	if ((flags & r->flags_mask) != r->flags)
		return bgp_attr_act(&r->bad_flags, "bad flags on", type, attr,
				    alen, u, err);
	if (r == &bgp_attr_unknown)
		return 0; /* optional and unknown: ignored, not passed on */
	if (r->as2_only && caps->as4) {
		bgp_upd_discard(u, "4-octet session sent", type);
		return 0;
	}
	if (!bgp_attr_len_ok(r, vlen, caps->as4))
		return bgp_attr_act(&r->malformed, "malformed", type, attr,
				    alen, u, err);

	/* the values; a bad one takes the table's malformed action */
	switch (type) {
	case BGP_ATTR_ORIGIN:
		if (v[0] > BGP_ORIGIN_INCOMPLETE)
			return bgp_attr_act(&r->malformed, "malformed", type,
					    attr, alen, u, err);
		a->origin = v[0];
		break;
	case BGP_ATTR_AS_PATH:
		/* RFC 7607 §2: AS 0 makes it malformed, handled as RFC 7606
		 * says */
		rc = bgp_aspath_from_wire(v, vlen, caps->as4 ? 4 : 2,
					  u->aspath_buf, sizeof(u->aspath_buf));
		if (rc < 0)
			return bgp_attr_act(&r->malformed, rc == -EDOM ?
					    "AS 0 (RFC 7607) in" : "malformed",
					    type, attr, alen, u, err);
		a->aspath = u->aspath_buf;
		a->aspath_len = (uint16_t)rc;
		break;
	case BGP_ATTR_NEXT_HOP:
		c->nh4.family = AF_INET;
		c->nh4.len = 32;
		memcpy(c->nh4.addr, v, 4);
		break;
	case BGP_ATTR_MED:
		a->med = bgp_get32(v);
		break;
	case BGP_ATTR_LOCAL_PREF:
		a->local_pref = bgp_get32(v);
		break;
	case BGP_ATTR_ATOMIC_AGGREGATE:
		break;
	case BGP_ATTR_AGGREGATOR:
		/* RFC 7607 §2: AS 0 makes it malformed, handled as RFC 7606
		 * says */
		if ((caps->as4 ? bgp_get32(v) : bgp_get16(v)) == 0)
			return bgp_attr_act(&r->malformed, "AS 0 (RFC 7607) in",
					    type, attr, alen, u, err);
		a->aggregator_as = caps->as4 ? bgp_get32(v) : bgp_get16(v);
		memcpy(a->aggregator_addr, v + vlen - 4, 4);
		break;
	case BGP_ATTR_COMMUNITIES:
		/* comm_buf's size; a message can not hold more */
		if (vlen / 4 > BGP_MSG_MAX / 4)
			return bgp_attr_act(&r->malformed, "malformed", type,
					    attr, alen, u, err);
		for (size_t i = 0; i < vlen / 4; i++)
			u->comm_buf[i] = bgp_get32(v + 4 * i);
		a->communities = u->comm_buf;
		a->n_communities = (uint16_t)(vlen / 4);
		break;
	case BGP_ATTR_MP_REACH:
	case BGP_ATTR_MP_UNREACH:
		c->mp_seen = true;
		rc = type == BGP_ATTR_MP_REACH ?
			     bgp_mp_reach_parse(v, vlen, caps, u, c) :
			     bgp_mp_unreach_parse(v, vlen, caps, u, c);
		if (rc < 0)
			return bgp_attr_act(&r->malformed, "malformed", type,
					    attr, alen, u, err);
		if (rc > 0)
			return 0; /* a family we ignore: not present */
		break;
	case BGP_ATTR_AS4_PATH:
		/* RFC 7607 §2: AS 0 in AS4_PATH is malformed and handled
		 * as RFC 6793 says, so discarded like any malformed one */
		rc = bgp_aspath_from_wire(v, vlen, 4, NULL, 0);
		if (rc < 0)
			return bgp_attr_act(&r->malformed, rc == -EDOM ?
					    "AS 0 (RFC 7607) in" : "malformed",
					    type, attr, alen, u, err);
		c->as4path = v;
		c->as4path_len = vlen;
		break;
	case BGP_ATTR_AS4_AGGREGATOR:
		/* RFC 7607 §2 and RFC 6793 §6, as for AS4_PATH */
		if (bgp_get32(v) == 0)
			return bgp_attr_act(&r->malformed, "AS 0 (RFC 7607) in",
					    type, attr, alen, u, err);
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

/* RFC 4760 §7: a family the session did not negotiate may be ignored.
 * MP_REACH_NLRI and MP_UNREACH_NLRI of one are, whole, by their parsers;
 * here the IPv4 fields' prefixes (Withdrawn Routes, NLRI) on a session
 * without IPv4 (the IPv6 session of a link whose other session carries
 * IPv4) leave U, counted in n_foreign_af: the RIB is keyed by link, so
 * they would replace or withdraw the other session's paths. */
static void bgp_upd_keep_af(struct bgp_update *u, const struct bgp_caps *caps)
{
	unsigned int i, k;

	if (caps->af[BGP_AF_IPV4])
		return;
	/* nlri[nlri_field_first..n_nlri) came in the NLRI field */
	u->n_foreign_af += u->n_nlri - u->nlri_field_first;
	u->n_nlri = u->nlri_field_first;
	for (i = k = 0; i < u->n_withdrawn; i++) {
		if (u->withdrawn[i].family == AF_INET) {
			u->n_foreign_af++;
			continue;
		}
		u->withdrawn[k++] = u->withdrawn[i];
	}
	u->n_withdrawn = k;
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
	u->n_foreign_af = 0;
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
	bgp_upd_keep_af(u, caps);
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
