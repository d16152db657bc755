/* IPv6 extension-header chains (RFC 8200 §4): one bounded walk shared by
 * the fast path's ingress checks (fwd.c) and the ICMPv6 error rules
 * (icmp.c), so both read a chain the same way. */
#ifndef TWP_IPV6EXT_H
#define TWP_IPV6EXT_H

#include <stdbool.h>
#include <stdint.h>

#include <netinet/in.h>

#define IPV6_EXT_MOBILITY 135u /* RFC 6275 §6.1 */
#define IPV6_EXT_HIP 139u      /* RFC 7401 §5.1 */
#define IPV6_EXT_SHIM6 140u    /* RFC 5533 §5 */

/* RFC 8200 §4, RFC 7045 §2.1: is NH an extension header (Hop-by-Hop,
 * Routing, Fragment, Destination Options, AH, Mobility, HIP, Shim6 and
 * the two experimental values 253, 254 of RFC 3692)? ESP is not walked:
 * what follows it is encrypted, so it is an upper layer here. */
static inline bool ipv6_ext_hdr(uint8_t nh)
{
	switch (nh) {
	case IPPROTO_HOPOPTS: case IPPROTO_ROUTING: case IPPROTO_FRAGMENT:
	case IPPROTO_DSTOPTS: case IPPROTO_AH: case IPV6_EXT_MOBILITY:
	case IPV6_EXT_HIP: case IPV6_EXT_SHIM6: case 253: case 254:
		return true;
	default:
		return false;
	}
}

/* Where a walk of a chain ended. */
enum ipv6_ext_end {
	IPV6_EXT_UPPER,      /* NH is no extension header: an upper layer,
			      * ESP or No Next Header (59), at OFF */
	IPV6_EXT_LATER_FRAG, /* a non-first fragment (RFC 8200 §4.5): NH
			      * names the first header of its fragmentable
			      * part, which is in another fragment */
	IPV6_EXT_LONG,       /* more than MAX headers: not followed on */
	IPV6_EXT_CUT,        /* a header runs past the packet */
	IPV6_EXT_HBH_LATE,   /* Hop-by-Hop Options not first (§4.1) */
	IPV6_EXT_RH0,        /* a Type 0 Routing Header (RFC 5095 §3) */
};

/* Walks the extension headers of the IPv6 packet at P, LEN bytes (the
 * 40-byte header included, LEN >= 40), at most MAX of them; NH and OFF
 * are where the walk stopped: the Next Header value and the offset of
 * the header it names. The lengths are the sender's word: every header
 * is checked to lie within LEN before it is read or skipped. */
static inline enum ipv6_ext_end ipv6_ext_walk(const uint8_t *p, uint32_t len,
					      unsigned int max, uint8_t *nh,
					      uint32_t *off)
{
	uint32_t o = 40, hlen;
	uint8_t n = p[6];
	unsigned int i;

	for (i = 0;; i++) {
		*nh = n;
		*off = o;
		if (!ipv6_ext_hdr(n))
			return IPV6_EXT_UPPER;
		if (i == max)
			return IPV6_EXT_LONG;
		/* RFC 8200 §4.1: Hop-by-Hop only right after the header */
		if (n == IPPROTO_HOPOPTS && i != 0)
			return IPV6_EXT_HBH_LATE;
		if (len - o < 8) /* every extension header is >= 8 bytes */
			return IPV6_EXT_CUT;
		if (n == IPPROTO_FRAGMENT) {
			/* RFC 8200 §4.5: only a first fragment (offset 0)
			 * holds the headers after this one */
			hlen = 8;
			if ((p[o + 2] << 8 | (p[o + 3] & 0xf8)) != 0) {
				*nh = p[o];
				*off = o + hlen;
				return IPV6_EXT_LATER_FRAG;
			}
		} else if (n == IPPROTO_AH) {
			hlen = (p[o + 1] + 2u) * 4u; /* RFC 4302 §2.2 */
		} else {
			hlen = (p[o + 1] + 1u) * 8u; /* RFC 8200 §4.3 */
		}
		if (hlen > len - o)
			return IPV6_EXT_CUT;
		/* RFC 5095 §3: RH0 is refused whatever Segments Left says */
		if (n == IPPROTO_ROUTING && p[o + 2] == 0)
			return IPV6_EXT_RH0;
		n = p[o];
		o += hlen;
	}
}

#endif
