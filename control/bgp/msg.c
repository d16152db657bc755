/* BGP wire format: the header, OPEN with its capabilities, UPDATE (with
 * MP_REACH/MP_UNREACH, 4-octet AS and RFC 7606 error classification),
 * NOTIFICATION, KEEPALIVE and ROUTE-REFRESH, parsed and built without ever
 * reading or writing past the lengths given. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "msg.h"

/* ---- byte helpers --------------------------------------------------- */

static inline uint16_t bgp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t bgp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void bgp_set16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void bgp_set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* A bounded writer: once something does not fit, nothing more is written
 * and the builder returns -ENOSPC. */
struct bgp_wr {
	uint8_t *buf;
	size_t cap, len;
	bool full;
};

static void bgp_wr_init(struct bgp_wr *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap < BGP_MSG_MAX ? cap : BGP_MSG_MAX; /* RFC 4271 §4.1 */
	w->len = 0;
	w->full = false;
}

static void bgp_put(struct bgp_wr *w, const void *src, size_t n)
{
	if (n == 0)
		return;
	if (w->full || n > w->cap - w->len) {
		w->full = true;
		return;
	}
	memcpy(w->buf + w->len, src, n);
	w->len += n;
}

static void bgp_put8(struct bgp_wr *w, uint8_t v)
{
	bgp_put(w, &v, 1);
}

static void bgp_put16(struct bgp_wr *w, uint16_t v)
{
	uint8_t b[2];

	bgp_set16(b, v);
	bgp_put(w, b, 2);
}

static void bgp_put32(struct bgp_wr *w, uint32_t v)
{
	uint8_t b[4];

	bgp_set32(b, v);
	bgp_put(w, b, 4);
}

static void bgp_msg_begin(struct bgp_wr *w, uint8_t type)
{
	static const uint8_t marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};

	bgp_put(w, marker, sizeof(marker));
	bgp_put16(w, 0); /* filled by bgp_msg_end */
	bgp_put8(w, type);
}

static int bgp_msg_end(struct bgp_wr *w)
{
	if (w->full)
		return -ENOSPC;
	bgp_set16(w->buf + 16, (uint16_t)w->len);
	return (int)w->len;
}

/* An attribute header; the Extended Length bit only when the value needs
 * it, so the same attributes always give the same bytes. */
static void bgp_put_attr_hdr(struct bgp_wr *w, uint8_t flags, uint8_t type,
			     size_t vlen)
{
	if (vlen > 0xffff) {
		w->full = true;
		return;
	}
	if (vlen > 255) {
		bgp_put8(w, flags | BGP_ATTR_FLAG_EXTLEN);
		bgp_put8(w, type);
		bgp_put16(w, (uint16_t)vlen);
	} else {
		bgp_put8(w, flags);
		bgp_put8(w, type);
		bgp_put8(w, (uint8_t)vlen);
	}
}

static void bgp_set_err(struct bgp_notify *err, uint8_t code, uint8_t sub,
			const uint8_t *data, size_t len)
{
	if (!err)
		return;
	err->code = code;
	err->subcode = sub;
	if (len > BGP_NOTIFY_DATA_MAX)
		len = BGP_NOTIFY_DATA_MAX;
	err->data_len = (uint16_t)len;
	if (len)
		memcpy(err->data, data, len);
}

static void bgp_set_err16(struct bgp_notify *err, uint8_t code, uint8_t sub,
			  uint16_t v)
{
	uint8_t b[2];

	bgp_set16(b, v);
	bgp_set_err(err, code, sub, b, 2);
}

static int bgp_af_from_wire(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_AF_IPV4;
	if (afi == BGP_AFI_IPV6)
		return BGP_AF_IPV6;
	return -1;
}

static uint16_t bgp_af_afi(int af)
{
	return af == BGP_AF_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

static uint8_t bgp_af_family(int af)
{
	return af == BGP_AF_IPV6 ? AF_INET6 : AF_INET;
}

/* ---- header --------------------------------------------------------- */

int bgp_hdr_check(const uint8_t *buf, size_t len, uint16_t *msg_len,
		  uint8_t *type, struct bgp_notify *err)
{
	uint16_t l;
	uint8_t t;
	bool bad_len;

	if (len < BGP_HDR_LEN)
		return -EINVAL;
	/* RFC 4271 §6.1: the marker is all ones */
	for (unsigned int i = 0; i < 16; i++) {
		if (buf[i] != 0xff) {
			bgp_set_err(err, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC,
				    NULL, 0);
			return -EBADMSG;
		}
	}
	l = bgp_get16(buf + 16);
	t = buf[18];
	if (l < BGP_HDR_LEN || l > BGP_MSG_MAX) {
		bgp_set_err(err, BGP_ERR_HEADER, BGP_ERR_HDR_LENGTH, buf + 16,
			    2);
		return -EBADMSG;
	}
	/* RFC 4271 §6.1: the length too short (or not 19 for KEEPALIVE)
	 * for the type. ROUTE-REFRESH lengths are 7/1, its parser's. */
	switch (t) {
	case BGP_MSG_OPEN:
		bad_len = l < 29;
		break;
	case BGP_MSG_UPDATE:
		bad_len = l < 23;
		break;
	case BGP_MSG_NOTIFICATION:
		bad_len = l < 21;
		break;
	case BGP_MSG_KEEPALIVE:
		bad_len = l != BGP_HDR_LEN;
		break;
	case BGP_MSG_ROUTE_REFRESH:
		bad_len = false;
		break;
	default:
		bgp_set_err(err, BGP_ERR_HEADER, BGP_ERR_HDR_TYPE, &buf[18], 1);
		return -EBADMSG;
	}
	if (bad_len) {
		bgp_set_err(err, BGP_ERR_HEADER, BGP_ERR_HDR_LENGTH, buf + 16,
			    2);
		return -EBADMSG;
	}
	*msg_len = l;
	*type = t;
	return 0;
}

/* ---- OPEN ----------------------------------------------------------- */

enum {
	BGP_OPT_CAPABILITIES = 2, /* RFC 5492 */
	BGP_OPT_EXTENDED = 255,   /* RFC 9072 §2: Non-Ext OP Type */
	BGP_CAP_MP = 1, BGP_CAP_ROUTE_REFRESH = 2, BGP_CAP_GR = 64,
	BGP_CAP_AS4 = 65, BGP_CAP_ROUTE_REFRESH_OLD = 128,
};
#define BGP_OPEN_MIN_LEN 29u
#define BGP_GR_R_BIT 0x8000u
#define BGP_GR_N_BIT 0x4000u
#define BGP_GR_TIME_MASK 0x0fffu
#define BGP_GR_AF_F_BIT 0x80u

static int bgp_caps_parse(const uint8_t *p, size_t len, struct bgp_open *o,
			  struct bgp_notify *err)
{
	size_t off = 0;

	while (off < len) {
		uint8_t code, clen;
		const uint8_t *v;

		/* RFC 5492 §4 / RFC 4271 §6.2: a capability that runs past
		 * its parameter is malformed (2/0) */
		if (len - off < 2 || (size_t)p[off + 1] > len - off - 2)
			goto malformed;
		code = p[off];
		clen = p[off + 1];
		v = p + off + 2;
		off += 2u + clen;
		switch (code) {
		case BGP_CAP_MP: {
			int af;

			if (clen != 4)
				goto malformed;
			af = bgp_af_from_wire(bgp_get16(v), v[3]);
			if (af >= 0)
				o->cap_mp[af] = true;
			break;
		}
		case BGP_CAP_ROUTE_REFRESH:
		case BGP_CAP_ROUTE_REFRESH_OLD:
			o->cap_route_refresh = true;
			break;
		case BGP_CAP_AS4:
			if (clen != 4)
				goto malformed;
			o->cap_as4 = true;
			o->asn = bgp_get32(v);
			break;
		case BGP_CAP_GR: {
			uint16_t fl;

			/* RFC 4724 §3: Restart Flags + Time, then
			 * <AFI, SAFI, Flags> tuples */
			if (clen < 2 || (clen - 2) % 4)
				goto malformed;
			fl = bgp_get16(v);
			o->cap_gr = true;
			o->gr_restarting = fl & BGP_GR_R_BIT;
			o->gr_notification = fl & BGP_GR_N_BIT; /* RFC 8538 */
			o->gr_restart_time_s = fl & BGP_GR_TIME_MASK;
			for (unsigned int i = 2; i + 4 <= clen; i += 4) {
				int af = bgp_af_from_wire(bgp_get16(v + i),
							  v[i + 2]);

				if (af < 0)
					continue;
				o->gr_af[af] = true;
				o->gr_af_forwarding[af] =
					v[i + 3] & BGP_GR_AF_F_BIT;
			}
			break;
		}
		default:
			/* RFC 5492 §4: unknown capabilities are ignored */
			break;
		}
	}
	return 0;
malformed:
	bgp_set_err(err, BGP_ERR_OPEN, 0, NULL, 0);
	return -EBADMSG;
}

int bgp_open_parse(const uint8_t *msg, size_t len, struct bgp_open *o,
		   struct bgp_notify *err)
{
	const uint8_t *p;
	size_t optlen, off = 0, plen_sz = 1;
	bool ext = false;
	int rc;

	memset(o, 0, sizeof(*o));
	if (len < BGP_OPEN_MIN_LEN) {
		bgp_set_err16(err, BGP_ERR_HEADER, BGP_ERR_HDR_LENGTH,
			      (uint16_t)len);
		return -EBADMSG;
	}
	p = msg + BGP_HDR_LEN;
	o->version = p[0];
	o->asn = bgp_get16(p + 1);
	o->hold_time_s = bgp_get16(p + 3);
	memcpy(o->bgp_id, p + 5, 4);
	optlen = p[9];
	/* RFC 4271 §6.2: data is the largest version we support below the
	 * peer's bid, or our smallest: 4 either way */
	if (o->version != BGP_VERSION) {
		bgp_set_err16(err, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION,
			      BGP_VERSION);
		return -EBADMSG;
	}
	/* RFC 4271 §6.2: Hold Time 1 and 2 are unacceptable */
	if (o->hold_time_s == 1 || o->hold_time_s == 2) {
		bgp_set_err(err, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD_TIME, NULL, 0);
		return -EBADMSG;
	}
	/* RFC 6286 §2.2: only 0 is an invalid BGP Identifier */
	if (bgp_get32(o->bgp_id) == 0) {
		bgp_set_err(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID, NULL, 0);
		return -EBADMSG;
	}
	p += 10;
	/* RFC 9072 §2: a non-zero Non-Ext OP Len followed by a Non-Ext OP
	 * Type of 255 is the extended form, whatever that length says: a
	 * 2-octet Extended Opt. Parm. Length, and 2-octet lengths in every
	 * parameter. Anything else is the RFC 4271 form. */
	if (optlen != 0 && len > BGP_OPEN_MIN_LEN &&
	    p[0] == BGP_OPT_EXTENDED) {
		ext = true;
		if (len < BGP_OPEN_MIN_LEN + 3) {
			bgp_set_err(err, BGP_ERR_OPEN, 0, NULL, 0);
			return -EBADMSG;
		}
		optlen = bgp_get16(p + 1);
		p += 3;
		plen_sz = 2;
	}
	/* RFC 4271 §6.2 (and RFC 9072 §2 for the extended length): the
	 * optional parameters fill the rest of the message exactly, or the
	 * OPEN is malformed (2/0) */
	if (BGP_OPEN_MIN_LEN + (ext ? 3u : 0u) + optlen != len) {
		bgp_set_err(err, BGP_ERR_OPEN, 0, NULL, 0);
		return -EBADMSG;
	}
	while (off < optlen) {
		size_t plen;
		uint8_t ptype;

		/* a parameter header or value running past the optional
		 * parameters: 2/0 (RFC 9072 §3 keeps RFC 4271's handling) */
		if (optlen - off < 1 + plen_sz) {
			bgp_set_err(err, BGP_ERR_OPEN, 0, NULL, 0);
			return -EBADMSG;
		}
		ptype = p[off];
		plen = ext ? bgp_get16(p + off + 1) : p[off + 1];
		if (plen > optlen - off - 1 - plen_sz) {
			bgp_set_err(err, BGP_ERR_OPEN, 0, NULL, 0);
			return -EBADMSG;
		}
		if (ptype != BGP_OPT_CAPABILITIES) {
			/* RFC 4271 §6.2; type 1 (authentication) is gone,
			 * and 255 inside the parameters is no parameter */
			bgp_set_err(err, BGP_ERR_OPEN, BGP_ERR_OPEN_OPTPARAM,
				    NULL, 0);
			return -EBADMSG;
		}
		o->any_capability = true;
		rc = bgp_caps_parse(p + off + 1 + plen_sz, plen, o, err);
		if (rc)
			return rc;
		off += 1 + plen_sz + plen;
	}
	/* RFC 7607 §2: AS 0 as the peer's AS is Bad Peer AS (2/2), in the
	 * My Autonomous System field or in the 4-octet AS capability */
	if (o->asn == 0 || bgp_get16(msg + BGP_HDR_LEN + 1) == 0) {
		bgp_set_err(err, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS, NULL, 0);
		return -EBADMSG;
	}
	return 0;
}

int bgp_open_build(uint8_t *buf, size_t cap, const struct bgp_open *o)
{
	struct bgp_wr w;
	size_t optpos, cappos;

	bgp_wr_init(&w, buf, cap);
	bgp_msg_begin(&w, BGP_MSG_OPEN);
	bgp_put8(&w, BGP_VERSION);
	/* RFC 6793 §4.1: AS_TRANS when the AS does not fit in 2 octets */
	bgp_put16(&w, o->asn > 0xffff ? BGP_AS_TRANS : (uint16_t)o->asn);
	bgp_put16(&w, o->hold_time_s);
	bgp_put(&w, o->bgp_id, 4);
	optpos = w.len;
	bgp_put8(&w, 0);
	/* all capabilities in one parameter (RFC 5492 §4 allows either) */
	bgp_put8(&w, BGP_OPT_CAPABILITIES);
	cappos = w.len;
	bgp_put8(&w, 0);
	for (int af = 0; af < BGP_AF_MAX; af++) {
		if (!o->cap_mp[af])
			continue;
		bgp_put8(&w, BGP_CAP_MP);
		bgp_put8(&w, 4);
		bgp_put16(&w, bgp_af_afi(af));
		bgp_put8(&w, 0);
		bgp_put8(&w, BGP_SAFI_UNICAST);
	}
	if (o->cap_route_refresh) {
		bgp_put8(&w, BGP_CAP_ROUTE_REFRESH);
		bgp_put8(&w, 0);
	}
	if (o->cap_gr) {
		uint16_t fl = o->gr_restart_time_s & BGP_GR_TIME_MASK;
		uint8_t n_af = 0;

		for (int af = 0; af < BGP_AF_MAX; af++)
			n_af += o->gr_af[af];
		if (o->gr_restarting)
			fl |= BGP_GR_R_BIT;
		if (o->gr_notification)
			fl |= BGP_GR_N_BIT;
		bgp_put8(&w, BGP_CAP_GR);
		bgp_put8(&w, (uint8_t)(2 + 4 * n_af));
		bgp_put16(&w, fl);
		for (int af = 0; af < BGP_AF_MAX; af++) {
			if (!o->gr_af[af])
				continue;
			bgp_put16(&w, bgp_af_afi(af));
			bgp_put8(&w, BGP_SAFI_UNICAST);
			bgp_put8(&w, o->gr_af_forwarding[af] ?
					     BGP_GR_AF_F_BIT : 0);
		}
	}
	if (o->cap_as4) {
		bgp_put8(&w, BGP_CAP_AS4);
		bgp_put8(&w, 4);
		bgp_put32(&w, o->asn);
	}
	if (w.full)
		return -ENOSPC;
	if (w.len == cappos + 1) {
		w.len = optpos + 1; /* no capability: no parameter */
	} else {
		w.buf[cappos] = (uint8_t)(w.len - cappos - 1);
		w.buf[optpos] = (uint8_t)(w.len - optpos - 1);
	}
	return bgp_msg_end(&w);
}

/* ---- KEEPALIVE, NOTIFICATION, ROUTE-REFRESH ------------------------- */

int bgp_keepalive_build(uint8_t *buf, size_t cap)
{
	struct bgp_wr w;

	bgp_wr_init(&w, buf, cap);
	bgp_msg_begin(&w, BGP_MSG_KEEPALIVE);
	return bgp_msg_end(&w);
}

int bgp_notify_build(uint8_t *buf, size_t cap, const struct bgp_notify *n)
{
	struct bgp_wr w;
	size_t dlen = n->data_len;

	if (dlen > BGP_NOTIFY_DATA_MAX)
		dlen = BGP_NOTIFY_DATA_MAX;
	bgp_wr_init(&w, buf, cap);
	bgp_msg_begin(&w, BGP_MSG_NOTIFICATION);
	bgp_put8(&w, n->code);
	bgp_put8(&w, n->subcode);
	bgp_put(&w, n->data, dlen);
	return bgp_msg_end(&w);
}

int bgp_notify_parse(const uint8_t *msg, size_t len, struct bgp_notify *n)
{
	size_t dlen;

	if (len < BGP_HDR_LEN + 2)
		return -EBADMSG;
	n->code = msg[BGP_HDR_LEN];
	n->subcode = msg[BGP_HDR_LEN + 1];
	dlen = len - BGP_HDR_LEN - 2;
	if (dlen > BGP_NOTIFY_DATA_MAX)
		dlen = BGP_NOTIFY_DATA_MAX;
	n->data_len = (uint16_t)dlen;
	memcpy(n->data, msg + BGP_HDR_LEN + 2, dlen);
	return 0;
}

static const char *const bgp_err_names[] = {
	[BGP_ERR_HEADER] = "Message Header Error",
	[BGP_ERR_OPEN] = "OPEN Message Error",
	[BGP_ERR_UPDATE] = "UPDATE Message Error",
	[BGP_ERR_HOLD] = "Hold Timer Expired",
	[BGP_ERR_FSM] = "Finite State Machine Error",
	[BGP_ERR_CEASE] = "Cease",
	[BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH Message Error",
};

static const char *bgp_suberr_name(uint8_t code, uint8_t sub)
{
	static const char *const hdr[] = {
		[1] = "Connection Not Synchronized",
		[2] = "Bad Message Length", [3] = "Bad Message Type",
	};
	static const char *const open[] = {
		[1] = "Unsupported Version Number", [2] = "Bad Peer AS",
		[3] = "Bad BGP Identifier",
		[4] = "Unsupported Optional Parameter",
		[6] = "Unacceptable Hold Time",
		[7] = "Unsupported Capability",
	};
	static const char *const upd[] = {
		[1] = "Malformed Attribute List",
		[2] = "Unrecognized Well-known Attribute",
		[3] = "Missing Well-known Attribute",
		[4] = "Attribute Flags Error", [5] = "Attribute Length Error",
		[6] = "Invalid ORIGIN Attribute",
		[8] = "Invalid NEXT_HOP Attribute",
		[9] = "Optional Attribute Error",
		[10] = "Invalid Network Field", [11] = "Malformed AS_PATH",
	};
	static const char *const fsm[] = {
		[1] = "Unexpected Message in OpenSent",
		[2] = "Unexpected Message in OpenConfirm",
		[3] = "Unexpected Message in Established",
	};
	static const char *const cease[] = {
		[1] = "Maximum Number of Prefixes Reached",
		[2] = "Administrative Shutdown", [3] = "Peer De-configured",
		[4] = "Administrative Reset", [5] = "Connection Rejected",
		[6] = "Other Configuration Change",
		[7] = "Connection Collision Resolution",
		[8] = "Out of Resources", [9] = "Hard Reset",
	};
	static const char *const rr[] = { [1] = "Invalid Message Length" };
#define BGP_SUB(tab) (sub < sizeof(tab) / sizeof(tab[0]) ? tab[sub] : NULL)
	switch (code) {
	case BGP_ERR_HEADER: return BGP_SUB(hdr);
	case BGP_ERR_OPEN: return BGP_SUB(open);
	case BGP_ERR_UPDATE: return BGP_SUB(upd);
	case BGP_ERR_FSM: return BGP_SUB(fsm);
	case BGP_ERR_CEASE: return BGP_SUB(cease);
	case BGP_ERR_ROUTE_REFRESH: return BGP_SUB(rr);
	default: return NULL;
	}
#undef BGP_SUB
}

const char *bgp_notify_str(uint8_t code, uint8_t subcode, char *buf,
			   size_t len)
{
	const char *c = code < sizeof(bgp_err_names) / sizeof(bgp_err_names[0])
				? bgp_err_names[code] : NULL;
	const char *s = bgp_suberr_name(code, subcode);

	if (!c)
		snprintf(buf, len, "Unknown error (%u/%u)", code, subcode);
	else if (s)
		snprintf(buf, len, "%s/%s (%u/%u)", c, s, code, subcode);
	else if (subcode == 0)
		snprintf(buf, len, "%s (%u/%u)", c, code, subcode);
	else
		snprintf(buf, len, "%s/Unknown subcode (%u/%u)", c, code,
			 subcode);
	return buf;
}

bool bgp_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		unsigned int n, k;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1, cp = c & 0x1fu, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2, cp = c & 0x0fu, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3, cp = c & 0x07u, min = 0x10000;
		} else {
			return false; /* continuation, C0/C1 overlong, > F4 */
		}
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0u) != 0x80u)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3fu);
		}
		/* RFC 3629 §3: the shortest form only, no UTF-16 surrogates,
		 * nothing above U+10FFFF */
		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp > 0x10ffff)
			return false;
		i += n + 1;
	}
	return true;
}

int bgp_shutdown_msg_build(struct bgp_notify *n, const char *msg)
{
	size_t len = strlen(msg);

	if (len > BGP_SHUTDOWN_MSG_MAX)
		return -EMSGSIZE;
	if (!bgp_utf8_valid((const uint8_t *)msg, len))
		return -EILSEQ;
	n->data[0] = (uint8_t)len;
	memcpy(n->data + 1, msg, len);
	n->data_len = (uint16_t)(len + 1);
	return 0;
}

int bgp_shutdown_msg_parse(const struct bgp_notify *n, char *out, size_t len)
{
	const uint8_t *d = n->data;
	size_t dlen = n->data_len, mlen, i, o = 0;

	if (len == 0)
		return -EINVAL;
	out[0] = '\0';
	if (n->code != BGP_ERR_CEASE)
		return -ENOENT;
	if (n->subcode == BGP_ERR_CEASE_HARD_RESET) {
		/* RFC 8538 §3: the original code and subcode, then its data */
		if (dlen < 2 || d[0] != BGP_ERR_CEASE)
			return -ENOENT;
		if (d[1] != BGP_ERR_CEASE_SHUTDOWN &&
		    d[1] != BGP_ERR_CEASE_RESET)
			return -ENOENT;
		d += 2;
		dlen -= 2;
	} else if (n->subcode != BGP_ERR_CEASE_SHUTDOWN &&
		   n->subcode != BGP_ERR_CEASE_RESET) {
		return -ENOENT;
	}
	/* RFC 9003 §2: no data, or a length of 0, is no communication */
	if (dlen == 0 || d[0] == 0)
		return -ENOENT;
	mlen = d[0];
	if (mlen > dlen - 1 || !bgp_utf8_valid(d + 1, mlen)) {
		/* RFC 9003 §4: log the event; the data (length octet
		 * first) as a hex dump */
		for (i = 0; i < dlen && o + 3 < len; i++)
			o += (size_t)snprintf(out + o, len - o, "%s%02x",
					      i ? " " : "", d[i]);
		return -EBADMSG;
	}
	for (i = 0; i < mlen; i++) {
		uint8_t c = d[1 + i];
		size_t need = c < 0x20 || c == 0x7f || c == '"' ||
			      c == '\\' ? 4 : 1;

		if (o + need >= len)
			break;
		if (need == 4)
			o += (size_t)snprintf(out + o, len - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

int bgp_refresh_build(uint8_t *buf, size_t cap, enum bgp_af af)
{
	struct bgp_wr w;

	if ((int)af < 0 || af >= BGP_AF_MAX)
		return -EINVAL;
	bgp_wr_init(&w, buf, cap);
	bgp_msg_begin(&w, BGP_MSG_ROUTE_REFRESH);
	bgp_put16(&w, bgp_af_afi(af));
	bgp_put8(&w, 0);
	bgp_put8(&w, BGP_SAFI_UNICAST);
	return bgp_msg_end(&w);
}

int bgp_refresh_parse(const uint8_t *msg, size_t len, enum bgp_af *af,
		      struct bgp_notify *err)
{
	int a;

	/* RFC 7313 §5: the data is the whole bad message */
	if (len != BGP_HDR_LEN + 4) {
		bgp_set_err(err, BGP_ERR_ROUTE_REFRESH, 1, msg, len);
		return -EBADMSG;
	}
	/* RFC 2918 §4: an AFI/SAFI we did not advertise is ignored. The
	 * reserved octet (RFC 7313's subtype) is not looked at. */
	a = bgp_af_from_wire(bgp_get16(msg + BGP_HDR_LEN),
			     msg[BGP_HDR_LEN + 3]);
	if (a < 0)
		return -ENOENT;
	*af = (enum bgp_af)a;
	return 0;
}

/* ---- AS paths (internal form: [type][count][count x u32 BE]) --------- */

/* Walks the segments of a well-formed internal path; stops at the first
 * one that would run past LEN. */
#define BGP_ASPATH_FOREACH(p, len, off, type, cnt)                          \
	for (size_t off = 0, type, cnt;                                     \
	     off + 2 <= (len) && (type = (p)[off], cnt = (p)[off + 1],      \
				  off + 2 + 4 * cnt <= (len));              \
	     off += 2 + 4 * cnt)

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
static int bgp_aspath_from_wire(const uint8_t *v, size_t vlen, unsigned int asz,
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
static int bgp_aspath_merge(const uint8_t *asp, size_t alen,
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
