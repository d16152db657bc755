/* Types shared by twinpathd's BGP modules: msg.h (wire format), fsm.h
 * (sessions), rib.c + decision.c (paths, best path, multipath, backup),
 * policy.c (import/export). Addresses and prefixes are struct cfg_addr
 * (common/config.h), the type the config and the FIB push already use. */
#ifndef TWP_BGP_H
#define TWP_BGP_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

#define BGP_PORT 179
#define BGP_VERSION 4
#define BGP_HDR_LEN 19u
#define BGP_MSG_MAX 4096u        /* RFC 4271 §4.1 */
#define BGP_AS_TRANS 23456u      /* RFC 6793 */

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5, /* RFC 2918 */
};

/* The address families twinpath speaks (unicast only). */
enum bgp_af { BGP_AF_IPV4 = 0, BGP_AF_IPV6 = 1, BGP_AF_MAX };
#define BGP_AFI_IPV4 1u
#define BGP_AFI_IPV6 2u
#define BGP_SAFI_UNICAST 1u

/* NOTIFICATION error codes and subcodes (RFC 4271 §4.5, §6; RFC 4486
 * Cease subcodes; RFC 8538 Hard Reset; RFC 7313 is not used). */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7, /* RFC 7313 §5 */
};
enum { /* BGP_ERR_HEADER */
	BGP_ERR_HDR_SYNC = 1, BGP_ERR_HDR_LENGTH = 2, BGP_ERR_HDR_TYPE = 3,
};
enum { /* BGP_ERR_OPEN */
	BGP_ERR_OPEN_VERSION = 1, BGP_ERR_OPEN_PEER_AS = 2,
	BGP_ERR_OPEN_BGP_ID = 3, BGP_ERR_OPEN_OPTPARAM = 4,
	BGP_ERR_OPEN_HOLD_TIME = 6, BGP_ERR_OPEN_CAPABILITY = 7,
};
enum { /* BGP_ERR_UPDATE */
	BGP_ERR_UPD_ATTR_LIST = 1, BGP_ERR_UPD_ATTR_UNRECOGNIZED = 2,
	BGP_ERR_UPD_ATTR_MISSING = 3, BGP_ERR_UPD_ATTR_FLAGS = 4,
	BGP_ERR_UPD_ATTR_LENGTH = 5, BGP_ERR_UPD_ORIGIN = 6,
	BGP_ERR_UPD_NEXTHOP = 8, BGP_ERR_UPD_OPTATTR = 9,
	BGP_ERR_UPD_NETWORK = 10, BGP_ERR_UPD_ASPATH = 11,
};
enum { /* BGP_ERR_FSM, RFC 6608 */
	BGP_ERR_FSM_UNSPEC = 0, BGP_ERR_FSM_OPENSENT = 1,
	BGP_ERR_FSM_OPENCONFIRM = 2, BGP_ERR_FSM_ESTABLISHED = 3,
};
enum { /* BGP_ERR_CEASE, RFC 4486 and RFC 8538 */
	BGP_ERR_CEASE_MAX_PREFIX = 1, BGP_ERR_CEASE_SHUTDOWN = 2,
	BGP_ERR_CEASE_PEER_DECONF = 3, BGP_ERR_CEASE_RESET = 4,
	BGP_ERR_CEASE_REJECTED = 5, BGP_ERR_CEASE_CONFIG = 6,
	BGP_ERR_CEASE_COLLISION = 7, BGP_ERR_CEASE_RESOURCES = 8,
	BGP_ERR_CEASE_HARD_RESET = 9,
};

/* Room for the longest NOTIFICATION data we build or keep: an RFC 9003
 * Shutdown Communication (length octet + 255 octets) inside an RFC 8538
 * Hard Reset (2 more octets). Longer received data is cut. */
#define BGP_NOTIFY_DATA_MAX 260u
/* RFC 9003 §2: the Shutdown Communication is at most 255 octets (RFC
 * 8203, which it obsoletes, allowed 128). */
#define BGP_SHUTDOWN_MSG_MAX 255u

/* A NOTIFICATION to send or one received. */
struct bgp_notify {
	uint8_t code, subcode;
	uint16_t data_len;
	uint8_t data[BGP_NOTIFY_DATA_MAX];
};

/* Path attribute type codes. */
enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1, BGP_ATTR_AS_PATH = 2, BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4, BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6, BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8, BGP_ATTR_MP_REACH = 14,
	BGP_ATTR_MP_UNREACH = 15, BGP_ATTR_AS4_PATH = 17,
	BGP_ATTR_AS4_AGGREGATOR = 18,
	BGP_ATTR_LARGE_COMMUNITY = 32, /* RFC 8092; beyond .present's bits */
};
#define BGP_ATTR_FLAG_OPTIONAL 0x80u
#define BGP_ATTR_FLAG_TRANSITIVE 0x40u
#define BGP_ATTR_FLAG_PARTIAL 0x20u
#define BGP_ATTR_FLAG_EXTLEN 0x10u

/* Presence bits of struct bgp_attrs.present: bit (1u << type). */
#define BGP_ATTR_P(type) (1u << (type))

enum bgp_origin { BGP_ORIGIN_IGP = 0, BGP_ORIGIN_EGP = 1,
		  BGP_ORIGIN_INCOMPLETE = 2 };

/* AS_PATH segment types (RFC 4271, RFC 5065). */
enum { BGP_AS_SET = 1, BGP_AS_SEQUENCE = 2, BGP_AS_CONFED_SEQUENCE = 3,
       BGP_AS_CONFED_SET = 4 };

/* Path attributes of a route, after parsing. The AS path is always held
 * in 4-octet form (RFC 6793: a 2-octet peer's AS_PATH merged with its
 * AS4_PATH): segments of [type u8][count u8][count x u32 big-endian].
 * aspath and communities point into storage owned by whoever filled the
 * struct (the parse buffer, or the RIB's interned copy). */
struct bgp_attrs {
	uint32_t present;          /* BGP_ATTR_P(type) for each one seen */
	uint8_t origin;            /* enum bgp_origin */
	uint32_t med;
	uint32_t local_pref;
	struct cfg_addr nexthop;   /* NEXT_HOP or MP_REACH's global address,
	                            * len 32/128; family 0 if none */
	struct cfg_addr nexthop_ll; /* RFC 2545 link-local, family 0 if none */
	uint32_t aggregator_as;
	uint8_t aggregator_addr[4];
	uint16_t aspath_len;       /* bytes at aspath */
	uint16_t n_communities;
	const uint8_t *aspath;
	const uint32_t *communities; /* host byte order, RFC 1997 values */
	/* RFC 8092 large communities, 3 x u32 each, host byte order: built
	 * into what we announce only (the parser leaves them empty) */
	uint16_t n_large_communities;
	const uint32_t (*large_communities)[3];
};

#endif
