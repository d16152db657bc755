/* The channel contract: twinpathd (control) -> twinpath-dp (data plane).
 * One shared-memory object per instance holds a header and two DPDK
 * element rings; records travel by value, never as pointers. */
#ifndef TWP_CHANNEL_H
#define TWP_CHANNEL_H

#include <stdbool.h>
#include <stdint.h>

#define CHAN_MAGIC 0x43505754u /* "TWPC" little-endian */
#define CHAN_VERSION 1u

/* Ring sizes are powers of two (rte_ring requirement); usable slots are
 * size - 1. */
#define CHAN_C2D_SLOTS 8192u
#define CHAN_D2C_SLOTS 1024u

#define CHAN_GROUP_MAX_MEMBERS 16u
#define CHAN_NAME_MAX 64u

enum chan_role {
	CHAN_ROLE_CONTROL = 0, /* producer of records, consumer of events */
	CHAN_ROLE_DATA = 1,    /* consumer of records, producer of events */
};

/* Records, control -> data. */
enum chan_rec_type {
	CHAN_REC_SYNC_BEGIN = 1, /* generation: the full state follows */
	CHAN_REC_SYNC_END,       /* generation: sweep entries of older ones */
	CHAN_REC_NEXTHOP_SET,    /* create or replace a nexthop */
	CHAN_REC_NEXTHOP_DEL,
	CHAN_REC_GROUP_SET,      /* create or replace a nexthop group */
	CHAN_REC_GROUP_DEL,
	CHAN_REC_ROUTE_ADD,      /* add or replace a prefix -> group */
	CHAN_REC_ROUTE_DEL,
	CHAN_REC_DIGEST,         /* id: answer with the digest of what is
				  * applied up to here (common/fibdigest.h) */
	CHAN_REC_TYPE_MAX,
};

#define CHAN_NH_F_RESOLVED 0x01u /* mac is valid */

struct chan_nexthop {
	uint32_t id;       /* 1..CHAN_NEXTHOP_MAX-1; 0 is never used */
	uint16_t port;     /* twinpath port index: links 0..n-1 in config
	                    * order, then the LAN port (index n_links) */
	uint8_t family;    /* AF_INET or AF_INET6 */
	uint8_t flags;     /* CHAN_NH_F_* */
	uint8_t gateway[16]; /* network byte order, IPv4 in the first 4 */
	uint8_t mac[6];    /* the gateway's MAC when RESOLVED */
	uint8_t pad[2];
};

struct chan_group {
	uint32_t id;         /* 1..CHAN_GROUP_ID_MAX-1 */
	uint8_t n_primary;   /* members used while any of them is live */
	uint8_t n_backup;    /* precomputed backup set */
	uint8_t pad[2];
	uint32_t primary[CHAN_GROUP_MAX_MEMBERS]; /* nexthop ids */
	uint32_t backup[CHAN_GROUP_MAX_MEMBERS];
};

struct chan_route {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t len;    /* prefix length */
	uint8_t pad[2];
	uint32_t group_id;
	uint8_t prefix[16]; /* network byte order */
};

struct chan_rec {
	uint16_t type;       /* enum chan_rec_type */
	uint16_t pad;
	uint32_t seq;        /* per-producer sequence, for diagnostics */
	uint64_t generation; /* the sync generation this record belongs to */
	union {
		struct chan_nexthop nh;
		struct chan_group grp;
		struct chan_route route;
		uint32_t id; /* NEXTHOP_DEL, GROUP_DEL, DIGEST */
	} u;
};

/* Events, data -> control. */
enum chan_ev_type {
	CHAN_EV_HELLO = 1,   /* data plane (re)started: send the full state */
	CHAN_EV_SYNC_DONE,   /* arg = generation whose SYNC_END was applied */
	CHAN_EV_NEIGH_MISS,  /* arg = nexthop id used while unresolved */
	CHAN_EV_REC_INVALID, /* arg = seq of a record that was rejected */
	/* Answers to CHAN_REC_DIGEST, one per part: arg = the record's id
	 * << 32 | that part of the data plane's digest */
	CHAN_EV_DIGEST_ROUTES,
	CHAN_EV_DIGEST_GROUPS,
	CHAN_EV_DIGEST_NEXTHOPS,
	CHAN_EV_TYPE_MAX,
};

struct chan_event {
	uint16_t type; /* enum chan_ev_type */
	uint16_t pad;
	uint32_t pid;  /* sender's pid */
	uint64_t arg;
};

/* Head of the shared object. Rings follow at c2d_off and d2c_off. */
struct chan_header {
	uint32_t magic;
	uint32_t version;
	uint64_t size;          /* bytes of the whole mapping */
	uint64_t c2d_off;
	uint64_t d2c_off;
	uint32_t rec_size;      /* sizeof(struct chan_rec) at creation */
	uint32_t ev_size;       /* sizeof(struct chan_event) at creation */
	/* Written by control. */
	uint64_t generation;    /* last generation control started */
	uint64_t cp_heartbeat_ns; /* CLOCK_MONOTONIC */
	uint32_t cp_pid;
	uint32_t pad0;
	uint64_t c2d_refused;   /* enqueues refused because the ring was full */
	/* Written by data. */
	uint64_t applied_generation; /* last SYNC_END applied */
	uint64_t dp_heartbeat_ns;
	uint32_t dp_pid;
	uint32_t pad1;
	uint64_t d2c_refused;
	uint64_t rec_invalid;   /* records the data plane rejected */
};

#endif
