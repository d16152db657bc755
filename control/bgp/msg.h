/* BGP wire format: parse and build every message twinpathd exchanges.
 * Parsing is bounds-checked everywhere and classifies each error the way
 * RFC 4271 §6 and RFC 7606 say: session reset (a NOTIFICATION to send),
 * treat-as-withdraw, or attribute-discard. Builders return the message
 * length or -ENOSPC; they never write past CAP. */
#ifndef TWP_BGP_MSG_H
#define TWP_BGP_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "bgp.h"

/* Capabilities of an OPEN (RFC 5492), and what a session negotiated. */
struct bgp_open {
	uint8_t version;          /* 4 */
	uint32_t asn;             /* 4-octet AS when cap_as4, else the 2-octet
	                           * field; the builder writes AS_TRANS in the
	                           * 2-octet field when asn > 65535 */
	uint16_t hold_time_s;
	uint8_t bgp_id[4];
	bool cap_mp[BGP_AF_MAX];  /* RFC 4760 <AFI, unicast> */
	bool cap_as4;             /* RFC 6793 */
	bool cap_route_refresh;   /* RFC 2918 (code 2) */
	bool cap_gr;              /* RFC 4724 */
	bool gr_restarting;       /* R bit */
	bool gr_notification;     /* N bit, RFC 8538 */
	uint16_t gr_restart_time_s; /* 12 bits */
	bool gr_af[BGP_AF_MAX];   /* <AFI, unicast> listed in the GR cap */
	bool gr_af_forwarding[BGP_AF_MAX]; /* its F bit */
	bool any_capability;      /* an optional parameter of type 2 seen */
};

/* What both sides of an Established session agreed on. */
struct bgp_caps {
	bool as4;
	bool af[BGP_AF_MAX];      /* address families enabled for NLRI */
	bool route_refresh;
};

#define BGP_UPDATE_PREFIX_MAX 4096u

/* One UPDATE after parsing (large: allocate once and reuse). Withdrawn
 * and announced prefixes of both families are listed together (IPv4
 * NLRI fields and MP_REACH/MP_UNREACH). */
struct bgp_update {
	struct bgp_attrs attrs;   /* valid when n_nlri > 0 */
	bool eor;                 /* End-of-RIB (RFC 4724 §2) for eor_af */
	uint8_t eor_af;           /* enum bgp_af */
	/* RFC 7606: a malformed attribute that makes the NLRI unusable; the
	 * parser has moved every announced prefix to withdrawn[] already. */
	bool treat_as_withdraw;
	unsigned int n_discarded; /* attributes dropped (attribute-discard) */
	/* prefixes of a family not negotiated (caps->af), left out of
	 * withdrawn[] and nlri[] (RFC 4760 §7) */
	unsigned int n_foreign_af;
	char warning[160];        /* what was wrong, when either is set */
	unsigned int n_withdrawn, n_nlri;
	struct cfg_addr withdrawn[BGP_UPDATE_PREFIX_MAX];
	struct cfg_addr nlri[BGP_UPDATE_PREFIX_MAX];
	/* storage for attrs.aspath and attrs.communities */
	uint8_t aspath_buf[2 * BGP_MSG_MAX];
	uint32_t comm_buf[BGP_MSG_MAX / 4];
	/* The NEXT_HOP attribute itself (family 0 if none). attrs.nexthop
	 * is MP_REACH's next hop when there is one, so in the rare UPDATE
	 * that carries both the IPv4 NLRI field and MP_REACH, this is the
	 * next hop of the AF_INET prefixes that came in the NLRI field:
	 * nlri[nlri_field_first..n_nlri) (RFC 4760 §3 keeps the two next
	 * hops apart). nlri[0..nlri_field_first) came in MP_REACH_NLRI. */
	struct cfg_addr nexthop_v4;
	unsigned int nlri_field_first;
};

/* Checks the 19-byte header of the message at BUF (LEN bytes available,
 * at least BGP_HDR_LEN): marker, length 19..4096 and the minimum/exact
 * length of its type, known type (RFC 4271 §6.1). Returns 0 and sets
 * *MSG_LEN and *TYPE, or -EBADMSG with ERR filled (1/1, 1/2 with the bad
 * length as data, 1/3 with the bad type as data). */
int bgp_hdr_check(const uint8_t *buf, size_t len, uint16_t *msg_len,
		  uint8_t *type, struct bgp_notify *err);

/* OPEN (RFC 4271 §4.2, §6.2). Checks version (2/1, data = 2-octet
 * version 4), Hold Time 1 or 2 (2/6), BGP Identifier 0 (2/3), optional
 * parameters well formed (2/4 for an unknown parameter type, 1/2 or 2/0
 * for lengths that run past the message), in the RFC 4271 form or the
 * RFC 9072 extended one (Non-Ext OP Type 255, 2-octet lengths; 2/0 when
 * its lengths do not add up), and AS 0 (2/2, RFC 7607 §2). The peer AS
 * is otherwise checked by the caller, who knows the config (2/2).
 * MSG/LEN is the whole message, header included. 0, or -EBADMSG with ERR
 * filled. The builder always uses the RFC 4271 form: our capabilities
 * take 34 octets at most. */
int bgp_open_parse(const uint8_t *msg, size_t len, struct bgp_open *o,
		   struct bgp_notify *err);
int bgp_open_build(uint8_t *buf, size_t cap, const struct bgp_open *o);

int bgp_keepalive_build(uint8_t *buf, size_t cap);

int bgp_notify_build(uint8_t *buf, size_t cap, const struct bgp_notify *n);
/* 0 or -EBADMSG (too short); data beyond BGP_NOTIFY_DATA_MAX is cut. */
int bgp_notify_parse(const uint8_t *msg, size_t len, struct bgp_notify *n);
/* "Cease/Administrative Reset (6/4)" and alike, for logs and the CLI. */
const char *bgp_notify_str(uint8_t code, uint8_t subcode, char *buf,
			   size_t len);

/* RFC 9003 §2: N's data becomes the Shutdown Communication MSG (a length
 * octet, then MSG's octets). 0; -EMSGSIZE when MSG is longer than
 * BGP_SHUTDOWN_MSG_MAX octets, -EILSEQ when it is not UTF-8 (RFC 3629). */
int bgp_shutdown_msg_build(struct bgp_notify *n, const char *msg);
/* The Shutdown Communication of a Cease 6/2 or 6/4 (RFC 9003 §2), also
 * inside an RFC 8538 Hard Reset (6/9), for logs: into OUT as text with
 * control characters, '"' and '\' escaped (\xNN). 0; -ENOENT when N has
 * none (another code, or a length of 0); -EBADMSG when the length octet
 * overruns the data or the text is not UTF-8: RFC 9003 §4 says to log
 * that, and the octets go into OUT as a hex dump, never verbatim. */
int bgp_shutdown_msg_parse(const struct bgp_notify *n, char *out, size_t len);
/* True when S[0..LEN) is well-formed UTF-8 (RFC 3629 §4: shortest form,
 * no surrogates, at most U+10FFFF). */
bool bgp_utf8_valid(const uint8_t *s, size_t len);

/* ROUTE-REFRESH (RFC 2918) for one family. Parse returns 0 with *AF set,
 * -ENOENT for an AFI/SAFI we do not speak (ignored per RFC 2918 §4), or
 * -EBADMSG with ERR (7/1 bad length, RFC 7313 §5). */
int bgp_refresh_build(uint8_t *buf, size_t cap, enum bgp_af af);
int bgp_refresh_parse(const uint8_t *msg, size_t len, enum bgp_af *af,
		      struct bgp_notify *err);

/* UPDATE (RFC 4271 §4.3, §6.3; RFC 4760; RFC 6793; RFC 7606). CAPS says
 * whether AS numbers are 4 octets on this session and which families are
 * enabled. Returns 0 (the update may carry treat_as_withdraw or
 * n_discarded with a warning), or -EBADMSG when the session must be reset,
 * with ERR filled with the NOTIFICATION to send (RFC 7606 §3 (a)-(j):
 * unparseable attribute list, NLRI/withdrawn lengths, MP_REACH/UNREACH
 * malformed, ...). Rules include: a missing well-known mandatory attribute
 * with NLRI present -> treat-as-withdraw; ORIGIN, AS_PATH, NEXT_HOP,
 * AS4_PATH errors -> treat-as-withdraw (AS4_PATH: attribute-discard);
 * MED/LOCAL_PREF length -> treat-as-withdraw; ATOMIC_AGGREGATE,
 * AGGREGATOR, AS4_AGGREGATOR length -> attribute-discard; AS 0 (RFC 7607
 * §2) in AS_PATH -> treat-as-withdraw, in AGGREGATOR, AS4_PATH or
 * AS4_AGGREGATOR -> attribute-discard; flags errors, the Partial bit on a
 * well-known or optional non-transitive attribute included (RFC 4271
 * §4.3) -> treat-as-withdraw (MP_*: reset 3/4, AS4_*: discard); a NEXT_HOP
 * or MP_REACH_NLRI next hop that is no host address (0/8, 127/8, 224/4;
 * ::, ::1, ff00::/8) -> treat-as-withdraw; a repeated
 * attribute other than MP_* -> the later copies discarded; COMMUNITIES
 * length not a multiple of 4 -> treat-as-withdraw. An UPDATE with only an
 * empty withdrawn list (IPv4) or an empty MP_UNREACH is End-of-RIB. */
int bgp_update_parse(const uint8_t *msg, size_t len,
		     const struct bgp_caps *caps, struct bgp_update *u,
		     struct bgp_notify *err);

/* Builds one UPDATE for ONE family (FAMILY is AF_INET or AF_INET6, as in
 * struct cfg_addr): announces NLRI[0..N_NLRI) with the
 * attributes A (IPv4: ORIGIN, AS_PATH, NEXT_HOP, MED if present,
 * LOCAL_PREF if present, ATOMIC_AGGREGATE and AGGREGATOR if present,
 * COMMUNITIES if any, and the IPv4 NLRI field;
 * IPv6: the same in MP_REACH_NLRI with A->nexthop and A->nexthop_ll)
 * and withdraws WD[0..N_WD) (IPv4 field or MP_UNREACH_NLRI). A->aspath is
 * 4-octet; when AS4 is false it is written with 2-octet ASNs, AS_TRANS
 * for those above 65535, plus AS4_PATH (RFC 6793 §4.2.2). All prefixes
 * must be of FAMILY. Returns the length, or -ENOSPC when it does not fit
 * in CAP or in 4096 bytes (send fewer prefixes per message). */
int bgp_update_build(uint8_t *buf, size_t cap, uint8_t family,
		     const struct bgp_attrs *a, const struct cfg_addr *nlri,
		     unsigned int n_nlri, const struct cfg_addr *wd,
		     unsigned int n_wd, bool as4);
/* End-of-RIB for AF: an empty UPDATE (IPv4) or an empty MP_UNREACH. */
int bgp_eor_build(uint8_t *buf, size_t cap, enum bgp_af af);

/* AS path helpers on the 4-octet segment form of struct bgp_attrs. */
/* Length for the decision process: a SEQUENCE counts its ASNs, a SET
 * counts 1, confederation segments 0 (RFC 4271 §9.1.2.2, RFC 5065). */
unsigned int bgp_aspath_hops(const uint8_t *p, size_t len);
bool bgp_aspath_contains(const uint8_t *p, size_t len, uint32_t asn);
/* The AS the path was received from (first ASN of a leading SEQUENCE),
 * 0 if none: "same neighbouring AS" for MED comparison. */
uint32_t bgp_aspath_first(const uint8_t *p, size_t len);
/* Writes ASN TIMES times in front of the path P into OUT (CAP bytes),
 * merging into a leading SEQUENCE and starting new segments at 255 ASNs.
 * Returns the new length or -ENOSPC. */
int bgp_aspath_prepend(uint8_t *out, size_t cap, const uint8_t *p,
		       size_t len, uint32_t asn, unsigned int times);
/* True when the path has an AS_CONFED_SEQUENCE or AS_CONFED_SET
 * segment (RFC 5065 §3): never from an external peer (RFC 5065 §5.1). */
bool bgp_aspath_has_confed(const uint8_t *p, size_t len);
/* "35540 64500 {64501 64502}" ("" for an empty path). BUFLEN of
 * BGP_ASPATH_STR_MAX(len) always holds the whole path; a smaller buffer
 * gets the leading whole ASNs that fit. */
#define BGP_ASPATH_STR_MAX(len) (3u * (size_t)(len) + 1u)
const char *bgp_aspath_str(const uint8_t *p, size_t len, char *buf,
			   size_t buflen);

#endif
