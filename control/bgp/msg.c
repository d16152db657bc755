/* BGP wire format, the parts every message shares: the byte helpers
 * and bounded writer (declared in msg_int.h), the header, KEEPALIVE,
 * NOTIFICATION (with RFC 9003 shutdown communications) and
 * ROUTE-REFRESH. OPEN is in msg_open.c, AS paths in aspath.c, UPDATE in
 * update_parse.c and update_build.c; msg.h is the interface to them all.
 * Everything is parsed and built without ever reading or writing past
 * the lengths given. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "msg_int.h"

/* ---- byte helpers --------------------------------------------------- */


void bgp_wr_init(struct bgp_wr *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap < BGP_MSG_MAX ? cap : BGP_MSG_MAX; /* RFC 4271 §4.1 */
	w->len = 0;
	w->full = false;
}

void bgp_put(struct bgp_wr *w, const void *src, size_t n)
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

void bgp_put8(struct bgp_wr *w, uint8_t v)
{
	bgp_put(w, &v, 1);
}

void bgp_put16(struct bgp_wr *w, uint16_t v)
{
	uint8_t b[2];

	bgp_set16(b, v);
	bgp_put(w, b, 2);
}

void bgp_put32(struct bgp_wr *w, uint32_t v)
{
	uint8_t b[4];

	bgp_set32(b, v);
	bgp_put(w, b, 4);
}

void bgp_msg_begin(struct bgp_wr *w, uint8_t type)
{
	static const uint8_t marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};

	bgp_put(w, marker, sizeof(marker));
	bgp_put16(w, 0); /* filled by bgp_msg_end */
	bgp_put8(w, type);
}

int bgp_msg_end(struct bgp_wr *w)
{
	if (w->full)
		return -ENOSPC;
	bgp_set16(w->buf + 16, (uint16_t)w->len);
	return (int)w->len;
}

/* An attribute header; the Extended Length bit only when the value needs
 * it, so the same attributes always give the same bytes. */
void bgp_put_attr_hdr(struct bgp_wr *w, uint8_t flags, uint8_t type,
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

void bgp_set_err(struct bgp_notify *err, uint8_t code, uint8_t sub,
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

void bgp_set_err16(struct bgp_notify *err, uint8_t code, uint8_t sub,
			  uint16_t v)
{
	uint8_t b[2];

	bgp_set16(b, v);
	bgp_set_err(err, code, sub, b, 2);
}

int bgp_af_from_wire(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return -1;
	if (afi == BGP_AFI_IPV4)
		return BGP_AF_IPV4;
	if (afi == BGP_AFI_IPV6)
		return BGP_AF_IPV6;
	return -1;
}

uint16_t bgp_af_afi(int af)
{
	return af == BGP_AF_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

uint8_t bgp_af_family(int af)
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
