/* BGP wire format: OPEN and its capabilities (RFC 4271 §4.2, RFC 5492,
 * RFC 9072 extended optional parameters), parsed and built without ever
 * reading or writing past the lengths given. */
#include <errno.h>
#include <string.h>

#include "msg_int.h"

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
