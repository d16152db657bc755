/* Internal to twinpathd's BGP wire format, not an interface: what the
 * five files behind msg.h share (msg.c, msg_open.c, aspath.c,
 * update_parse.c, update_build.c). Not installed and included by nothing
 * else; the rest of twinpathd and the tests use msg.h. */
#ifndef TWP_BGP_MSG_INT_H
#define TWP_BGP_MSG_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

/* msg.c: byte helpers */

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

void bgp_wr_init(struct bgp_wr *w, uint8_t *buf, size_t cap);
void bgp_put(struct bgp_wr *w, const void *src, size_t n);
void bgp_put8(struct bgp_wr *w, uint8_t v);
void bgp_put16(struct bgp_wr *w, uint16_t v);
void bgp_put32(struct bgp_wr *w, uint32_t v);
void bgp_msg_begin(struct bgp_wr *w, uint8_t type);
int bgp_msg_end(struct bgp_wr *w);
void bgp_put_attr_hdr(struct bgp_wr *w, uint8_t flags, uint8_t type,
		      size_t vlen);
void bgp_set_err(struct bgp_notify *err, uint8_t code, uint8_t sub,
		 const uint8_t *data, size_t len);
void bgp_set_err16(struct bgp_notify *err, uint8_t code, uint8_t sub,
		   uint16_t v);
int bgp_af_from_wire(uint16_t afi, uint8_t safi);
uint16_t bgp_af_afi(int af);
uint8_t bgp_af_family(int af);

/* aspath.c: AS paths (internal form: [type][count][count x u32 BE]) */

/* Walks the segments of a well-formed internal path; stops at the first
 * one that would run past LEN. */
#define BGP_ASPATH_FOREACH(p, len, off, type, cnt)                          \
	for (size_t off = 0, type, cnt;                                     \
	     off + 2 <= (len) && (type = (p)[off], cnt = (p)[off + 1],      \
				  off + 2 + 4 * cnt <= (len));              \
	     off += 2 + 4 * cnt)

int bgp_aspath_from_wire(const uint8_t *v, size_t vlen, unsigned int asz,
			 uint8_t *out, size_t cap);
int bgp_aspath_merge(const uint8_t *asp, size_t alen, const uint8_t *as4,
		     size_t a4len, uint8_t *out, size_t cap);

#endif
