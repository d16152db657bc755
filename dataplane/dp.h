/* twinpath-dp: state shared between its modules. One struct dp per
 * process; per-lcore parts are indexed by lcore id and written only by
 * their lcore. */
#ifndef TWP_DP_H
#define TWP_DP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "bfdpkt.h"
#include "chan.h"
#include "config.h"
#include "health.h"
#include "nhgroup.h"
#include "suspect.h"

struct susflow_table;
struct health_flow_src;

#define DP_BURST 32u
#define DP_CHAN_BURST 256u /* records taken from the channel at once */
#define DP_PORT_MAX NH_PORT_MAX

/* Every reason a packet is dropped; the name is the telemetry key. */
#define DP_DROP_REASONS(X)                                                  \
	X(DROP_TRUNCATED, "truncated")           /* shorter than eth + ip */ \
	X(DROP_NOT_IP, "not_ip")                 /* neither IPv4 nor IPv6 */ \
	X(DROP_BAD_VERSION, "bad_version")                                   \
	X(DROP_BAD_IHL, "bad_ihl")                                           \
	X(DROP_BAD_TOTAL_LEN, "bad_total_len")                               \
	X(DROP_BAD_CHECKSUM, "bad_checksum")                                 \
	X(DROP_TTL_EXCEEDED, "ttl_exceeded")                                 \
	X(DROP_BAD_VERSION6, "bad_version6")   /* IPv6 ethertype, not v6 */ \
	X(DROP_BAD_PAYLOAD_LEN, "bad_payload_len") /* past the frame end */ \
	X(DROP_HOP_LIMIT_EXCEEDED, "hop_limit_exceeded")                     \
	X(DROP_L2_OTHER_HOST, "l2_other_host") /* unicast, not our MAC */   \
	X(DROP_L2_BROADCAST, "l2_broadcast")                                 \
	X(DROP_L2_MULTICAST, "l2_multicast")                                 \
	X(DROP_MARTIAN_SRC, "martian_src")     /* RFC 1812 §5.3.7 */       \
	X(DROP_MARTIAN_DST, "martian_dst")                                   \
	X(DROP_DIRECTED_BROADCAST, "directed_broadcast") /* RFC 2644 */      \
	X(DROP_BAD_FRAGMENT, "bad_fragment")  /* ends past 65535 bytes */   \
	X(DROP_BAD_OPTIONS, "bad_options")    /* option list malformed */  \
	X(DROP_SOURCE_ROUTE, "source_route")  /* LSRR, SSRR, IPv6 RH0 */   \
	X(DROP_BAD_EXT6, "bad_ext6")   /* IPv6 extension chain malformed */ \
	X(DROP_IP_OPTIONS, "ip_options")      /* dataplane.ip_options */   \
	X(DROP_SRC_OWN, "src_own")            /* our own address as source */ \
	X(DROP_SRC_SPOOFED, "src_spoofed")    /* a site source from a link */ \
	X(DROP_SRC_NOT_SITE, "src_not_site")  /* not a site source, LAN */  \
	X(DROP_NO_ROUTE, "no_route")                                         \
	X(DROP_NO_GROUP, "no_group")          /* route names a missing group */ \
	X(DROP_NO_LIVE_NEXTHOP, "no_live_nexthop")                           \
	X(DROP_NEXTHOP_UNRESOLVED, "nexthop_unresolved")                     \
	X(DROP_FRAG_NEEDED, "frag_needed")   /* DF, over the out MTU */     \
	X(DROP_TOO_BIG6, "too_big6")         /* IPv6 over the out MTU */    \
	X(DROP_FRAG_FAILED, "frag_failed")   /* no mbuf for a fragment */   \
	X(DROP_TX_FULL, "tx_full")

#define DP_DROP_ENUM(e, s) e,
enum dp_drop { DP_DROP_REASONS(DP_DROP_ENUM) DROP_MAX };
#undef DP_DROP_ENUM
extern const char *const dp_drop_names[DROP_MAX];

struct dp_lcore_stats {
	uint64_t drop[DROP_MAX];
	uint64_t rx[DP_PORT_MAX];
	uint64_t tx[DP_PORT_MAX];
	uint64_t tx_dropped[DP_PORT_MAX];
	/* ICMP errors sent back out of the port a packet came in on (the
	 * packet is counted under its drop reason as well) */
	uint64_t icmp_tx[DP_PORT_MAX];
	uint64_t icmp_time_exceeded; /* of those: Time Exceeded */
	uint64_t icmp_frag_needed;   /* ... Fragmentation Needed */
	uint64_t icmp_net_unreachable; /* ... Network Unreachable */
	uint64_t icmp6_time_exceeded; /* ... ICMPv6 Time Exceeded */
	uint64_t icmp6_too_big;      /* ... ICMPv6 Packet Too Big */
	uint64_t icmp6_unreachable;  /* ... ICMPv6 Destination Unreachable */
	uint64_t fragmented;         /* IPv4 packets sent as fragments */
	uint64_t ip_options;         /* IPv4 with options let through */
	uint64_t icmp_rate_limited; /* not sent: over the in-port's rate */
	uint64_t icmp_suppressed;   /* not sent: RFC 1812 §4.3.2.7, RFC 4443
				     * §2.4(e), or the port has no address
				     * of the family */
	uint64_t bfd_tx[DP_PORT_MAX];         /* periodic BFD sent */
	uint64_t bfd_tx_dropped[DP_PORT_MAX]; /* ... refused by the driver */
	/* link suspicion's sampled packets not kept: the lcore's ring to
	 * the main lcore was full (fwd_flows_note) */
	uint64_t susflow_dropped;
	/* destinations looked up again after rte_fib/rte_fib6 answered 0,
	 * which only a read torn by a route change gives (fib.c) */
	uint64_t fib_relookups;
	/* Packets dropped per nexthop id for want of its MAC; the main lcore
	 * turns changes into CHAN_EV_NEIGH_MISS. */
	uint32_t nh_miss[NH_MAX];
} __rte_cache_aligned;

enum port_kind {
	PORT_AF_XDP = 0,  /* net_af_xdp on ifname, bfd.bpf.o in front */
	PORT_VDEV,        /* config "device" net_...: --vdev */
	PORT_BUS,         /* config "device" anything else (PCI): -a */
};

struct dp_port {
	char name[CFG_NAME_MAX];      /* link name, or "lan" */
	char ifname[IFNAMSIZ];
	char vdev[RTE_ETH_NAME_MAX_LEN]; /* ethdev name */
	const char *device;           /* config device string, or "" */
	enum port_kind kind;
	uint16_t port_id;             /* ethdev port id */
	bool started;
	bool went_down;               /* carrier was lost since start */
	uint64_t up_hold_until_tsc;   /* carrier back: up once this passes */
	bool has_rx;                  /* the driver gave an rx queue */
	bool has_tx;                  /* ... and a tx queue */
	/* Queues set up each way; forwarding lcore number i (fwd_index)
	 * polls rx queue i and sends on tx queue i. 0 with has_rx/has_tx
	 * means one queue. */
	uint16_t n_rxq;
	uint16_t n_txq;
	struct rte_ether_addr mac;
	struct rte_mempool *pool;
	/* The port's IPv4 address (network order) from the config, 0 when
	 * it has none: the source of the ICMP errors sent out of it. */
	rte_be32_t ipv4;
	/* Its IPv6 address (lan.address6, links.local_address6, or the
	 * address when it is IPv6), all zeros when it has none: the source
	 * of the ICMPv6 errors sent out of it. */
	uint8_t ipv6[16];
	/* Largest IP packet the port sends (its interface MTU, or the
	 * device's); larger ones are fragmented or answered. */
	uint16_t mtu;
	bool tx_multi_seg;            /* the driver sends mbuf chains */
};

/* Has port P an IPv6 address (the config never gives ::)? */
static inline bool dp_port_has_ipv6(const struct dp_port *p)
{
	static const uint8_t none[16];

	return memcmp(p->ipv6, none, sizeof(none)) != 0;
}

/* What the fast path refuses beyond the header checks (filter.c builds
 * it from the config before forwarding starts; read-only after). */
enum filter_site {            /* values of the site FIBs, on sources */
	FILTER_OUTSIDE = 0,   /* none of the below (the default) */
	FILTER_SITE,          /* lan subnet, bgp.announce, LAN static routes */
	FILTER_OWN,           /* lan.address, links.local_address */
	FILTER_SITE_MAX,
};
#define FILTER_BCAST_SLOTS 4096u
struct dp_filter {
	/* Per port, bit v set: a source whose site value is v is refused
	 * (0: the port is not filtered, no lookup) */
	uint8_t refuse[DP_PORT_MAX];
	enum cfg_ingress mode[DP_PORT_MAX];
	struct rte_fib *site4;
	struct rte_fib6 *site6;
	/* Broadcast addresses of the connected IPv4 subnets (host order),
	 * and 1 at (address >> 2) & 4095 of each: the fast path's one-load
	 * test, exact only on a hit */
	uint8_t bcast_maybe[FILTER_BCAST_SLOTS];
	uint32_t bcast[CFG_MAX_LINKS + 1];
	unsigned int n_bcast;
	bool options_drop;    /* dataplane.ip_options = "drop" */
};

/* Periodic BFD transmission of one link; main lcore only. */
struct health_tx {
	uint64_t last_tsc;   /* of the last packet (or skipped attempt) */
	uint32_t rnd;        /* jitter drawn for the next packet */
	uint32_t nh_id;      /* last nexthop found towards the peer */
	uint64_t unresolved; /* not sent: peer's nexthop missing/no MAC */
	uint64_t link_down;  /* not sent: the port has no carrier */
	uint64_t no_mbuf;
	uint64_t ring_full;
	uint64_t bad_config; /* family neither IPv4 nor IPv6 */
};

/* A forwarding lcore's idle back-off (fwd_loop): FWD_IDLE_SPIN_US after
 * its last packet it sleeps sleep_us between polls. A time, not a count
 * of polls: 128 empty polls were 200 us on a quiet host and 500 us on a
 * loaded one, so 1 400 packets a second (a 1000 pps stream and BFD at
 * 10 ms) kept the lcore busy 67 % of its core, and a SCHED_FIFO thread
 * that busy lets the kernel's fair server (Linux >= 6.12) stop it, and
 * every real-time thread of that CPU, for 50 ms at a time so that normal
 * tasks get their share: a BFD flap at 10 ms x 3 (docs/architecture.md,
 * "Real-time threads and the fair server"). */
#define FWD_IDLE_SPIN_US 50u
struct fwd_idle {
	uint32_t sleep_us;     /* dataplane.idle_sleep_us, 0: never sleeps */
	uint64_t spin_cycles;  /* FWD_IDLE_SPIN_US in TSC cycles */
	uint64_t last_rx;      /* TSC of the last poll with packets */
	uint64_t sleeps;
	uint64_t polls;        /* of its rx queues: it is not stalled */
} __rte_cache_aligned;

struct dp_tx_ctx {                    /* tx buffer error callback context */
	struct dp_lcore_stats *stats;
	uint16_t port;
};

/* fib.c's bulk: entries (prefix << 32 | len << 24 | in rte_fib before
 * << 16 | group, group 0: delete), their sort's scratch and state. */
struct fib_bulk {
	uint64_t *e, *tmp;
	uint32_t n, cap;
	uint16_t serial;     /* bulks begun (wraps) */
	uint8_t phase;       /* FIB_BULK_OFF, _COLLECT, _SORT, _APPLY */
	uint8_t pass;        /* sort: the byte of the prefix, 0 = lowest */
	bool scatter;        /* sort: counting done, scattering */
	uint32_t cursor;     /* sort or apply: the next entry */
	uint32_t count[256];
	int64_t lpm_delta;   /* fib_bulk_lpm_delta */
	uint64_t since_tsc;  /* collecting since */
	/* channel_poll's triggers: polls in a row that ended with
	 * records left, and polls in a row that found none */
	uint32_t busy_polls, quiet_polls;
	/* counted (telemetry /twinpath/fib) */
	uint64_t flushes, written, failed;
};

struct dp {
	const struct twp_config *cfg;
	struct dp_port ports[DP_PORT_MAX];
	uint16_t n_ports;
	uint16_t n_xdp_ports;          /* of kind PORT_AF_XDP */

	struct rte_fib *fib;
	struct rte_fib6 *fib6;
	struct rte_hash *routes;       /* family/prefix/len -> route[] index */
	struct fib_route *route;
	/* Written for every route record: a cache line of their own, not
	 * the one of fib/fib6 that every forwarding burst reads. */
	struct __rte_cache_aligned {
		uint32_t n_routes;     /* both families */
		uint32_t n_routes6;    /* ... of which IPv6 */
		/* Routes stamped with fresh_generation or newer (exact
		 * while it is not 0): when all are, SYNC_END has nothing
		 * to sweep. */
		uint64_t fresh_generation;
		uint32_t n_routes_fresh;
		uint64_t route_generation_max; /* newest stamp given */
	};

	/* IPv4 route changes held back from rte_fib while a long run of
	 * route records streams in, written in prefix order (fib.c) */
	struct fib_bulk bulk;

	struct nhg_table nhg;
	struct rte_rcu_qsbr *rcu;
	struct rte_rcu_qsbr_dq *rcu_dq;

	struct chan chan;
	bool chan_ok;
	/* records received and not applied yet (channel_poll): the rest of
	 * a burst, kept while a bulk is written out */
	struct chan_rec chan_recs[DP_CHAN_BURST];
	uint32_t chan_next, chan_n;
	uint32_t chan_prefetched; /* chan_recs[] up to here prefetched */
	/* chan_recs[i]'s route in the route table as fib_route_prefetch
	 * found it (-1: not there, or no route record), to be trusted only
	 * while routes_epoch is still chan_pos_epoch[i] */
	int32_t chan_pos[DP_CHAN_BURST];
	uint32_t chan_pos_epoch[DP_CHAN_BURST];
	/* moves whenever a key leaves the route table: rte_hash may give
	 * its position to the next key added */
	uint32_t routes_epoch;
	uint64_t sync_generation;      /* of the last SYNC_BEGIN */
	uint64_t applied_generation;
	uint64_t records_applied;
	uint64_t records_invalid;
	uint64_t records_failed;       /* valid but not applicable */
	/* records failing (a full route table: dataplane.ipv4_routes_max,
	 * ipv6_routes_max) since the first one of the episode, which is the
	 * one logged; the episode ends when a route fits again */
	bool records_failing;
	uint64_t records_failed_before;
	uint32_t nh_miss_reported[NH_MAX];

	/* Held by the main lcore while it changes tables, and by telemetry
	 * while it reads them; the forwarding lcores never take it. */
	pthread_mutex_t ctl_lock;

	/* The health map (NULL: BFD off), its fd, and the ring of BFD
	 * packets from the main lcore to the forwarding lcore. */
	struct health_map *health;
	int health_fd;
	struct rte_ring *bfd_tx_ring;
	struct rte_mempool *frag_direct, *frag_indirect;
	struct dp_filter filter;
	/* the smallest port MTU (fwd_mtu_update): a burst whose frames all
	 * fit skips the per-packet MTU check */
	uint16_t mtu_min;
	struct health_tx bfd_tx[CFG_MAX_LINKS];
	/* where those packets leave: the forwarding lcore's alone */
	struct bfd_txgap bfd_txgap[CFG_MAX_LINKS];

	unsigned int fwd_lcore;        /* first forwarding lcore: drains
					* the BFD ring on its queue 0 */
	unsigned int n_fwd_lcores;
	unsigned int fwd_lcores[RTE_MAX_LCORE]; /* lcore ids, in order */
	unsigned int fwd_index[RTE_MAX_LCORE];  /* lcore id -> its number */
	struct dp_lcore_stats stats[RTE_MAX_LCORE];
	struct fwd_idle fwd_idle[RTE_MAX_LCORE];

	/* Link suspicion (suspect.h), judged by the main lcore every tick
	 * (health_suspect_tick); suspect_ports, one bit per link (= port
	 * index), is read once per burst beside BFD's live mask. */
	struct suspect suspect;
	uint32_t suspect_ports;
	uint64_t suspect_polls[RTE_MAX_LCORE];   /* fwd_idle.polls seen */
	uint64_t suspect_polled_ns[RTE_MAX_LCORE]; /* ... when it changed */
	/* The sampled flows (susflow.h), written by the main lcore alone:
	 * each forwarding lcore puts its sampled packets' records in its
	 * flow_ring, the main lcore's tick drains them into flows
	 * (health_suspect_drain). NULL when no link has suspect { }: the
	 * fast path skips them then. */
	struct susflow_table *flows;
	struct rte_ring *flow_ring[RTE_MAX_LCORE];
	struct health_flow_src *flow_src; /* the drain's, per fwd lcore */
	/* The links with suspect { } (bit = port index): only flows
	 * leaving on them are sampled; answers are, on any link. */
	uint32_t flow_links;
};

extern struct dp dp;
extern volatile bool dp_quit;

/* port.c */
int port_check_bpffs(void);
void port_xdp_recover(const struct twp_config *cfg);
int port_eal_args(struct dp *d, int extra_argc, char **extra_argv,
		  char ***argv_out);
int port_attach_xdp(struct dp *d);
int port_setup_all(struct dp *d);
/* Port pool of N mbufs; AF_XDP: laid out as the PMD's UMEM needs it. */
struct rte_mempool *port_pool_create(const char *name, uint32_t n,
				     int socket, bool af_xdp);
int port_local_addrs_insert(struct dp *d);
void port_link_poll(struct dp *d, bool mtu_too);
void port_close_all(struct dp *d);

/* fib.c */
struct fib_route {
	uint16_t group_id;   /* < NHG_MAX */
	/* the bulk (fib_bulk.serial) bulk_idx was given in: an index from
	 * an older one is not looked at (a cache miss a record) */
	uint16_t bulk_serial;
	/* 1 + its entry in fib_bulk.e while one may be there (checked
	 * against the entry's prefix), 0 for none */
	uint32_t bulk_idx;
	uint64_t generation;
};
#define FIB_NO_ROUTE 0u /* group ids start at 1 */
/* What rte_fib and rte_fib6 answer where no route covers an address
 * (their default next hop): not FIB_NO_ROUTE, and no group id. DPDK
 * 22.11's DIR-24-8 and trie, when a route change leaves a tbl8 group
 * uniform, point its parent entry at the value and then zero the group
 * (tbl8_recycle), with no RCU: a lookup that read the parent entry just
 * before reads a zero. So 0 means a torn read, and the fast path looks
 * the destination up again (fwd.c). */
#define FIB_MISS 0x7fffu
int fib_init(struct dp *d);
void fib_free(struct dp *d);
int fib_route_add(struct dp *d, const struct chan_route *r, uint64_t gen);
/* fib_route_add with POS, the route's position in the route table when
 * known to be current (its key there, and none removed from the table
 * since it was looked up), else -1: the route is then not looked up a
 * second time. */
int fib_route_add_at(struct dp *d, const struct chan_route *r, uint64_t gen,
		     int32_t pos);
int fib_route_del(struct dp *d, const struct chan_route *r);
/* The route records among RECS[0..N-1] (at most FIB_PREFETCH_MAX of
 * them) are about to be applied: their route-table entries are brought
 * into the cache together (rte_hash_lookup_bulk overlaps the misses of
 * every key's buckets and key slot; one rte_hash_add_key waits for each
 * of its own in turn), and their struct fib_route after them. POS[i]:
 * RECS[i]'s position in the route table, -1 if none (for
 * fib_route_add_at, while the table's keys stay as they are). Changes
 * nothing. */
#define FIB_PREFETCH_MAX 32u /* <= RTE_HASH_LOOKUP_BULK_MAX */
void fib_route_prefetch(struct dp *d, const struct chan_rec *recs,
			unsigned int n, int32_t *pos);
void fib_sync_begin(struct dp *d, uint64_t generation);
void fib_sweep(struct dp *d, uint64_t generation);
/* Bulk (issue 15 item 2): rte_fib takes random-order routes at a
 * fraction of its prefix-order rate (every add walks its rte_rib trie
 * from the root, a cache miss a level). While a long run of route records
 * streams in, the IPv4 ones change the route table (and the digest) as
 * always, but rte_fib only later: fib_bulk_begin starts holding them,
 * one entry per prefix (its last group, or none), and the flush sorts
 * them by prefix (radix, in slices) and writes them in that order, in
 * slices, with no record applied meanwhile. Forwarding uses the routes
 * as they were until then, as it would with the records still queued. */
/* channel_poll's triggers: a backlog of records for BULK_BUSY_POLLS
 * polls in a row (each a full slice, some 2 ms in all) starts a bulk; it
 * is written once BULK_QUIET_POLLS polls in a row found no record (a
 * tick each, some 10 ms), or BULK_MAX_MS after the first, or before a
 * record that needs rte_fib as the records before it left it. */
#define BULK_BUSY_POLLS 4u
#define BULK_QUIET_POLLS 10u
#define BULK_MAX_MS 500u
bool fib_bulk_collecting(const struct dp *d);
bool fib_bulk_flushing(const struct dp *d);
/* Holding from now on; -ENOMEM (and nothing held) without memory. */
int fib_bulk_begin(struct dp *d);
/* No room for another entry: time to flush. */
bool fib_bulk_full(const struct dp *d);
void fib_bulk_flush_start(struct dp *d);
/* The flush's next slice, until DEADLINE (TSC); true once it is done. */
bool fib_bulk_flush(struct dp *d, uint64_t deadline);
/* IPv4 routes in the route table that rte_fib does not have yet, less
 * those it still has that the table no longer does. */
int64_t fib_bulk_lpm_delta(const struct dp *d);

/* filter.c */
/* d->filter from d->cfg: per-port ingress modes, the site FIBs (only
 * when a port filters), the connected broadcasts, the options policy.
 * On a zeroed d->filter or after filter_free. 0 or -errno. */
int filter_init(struct dp *d);
void filter_free(struct dp *d);

/* channel.c */
int channel_init(struct dp *d);
bool channel_poll(struct dp *d);
void channel_report_neigh_miss(struct dp *d);
void channel_close(struct dp *d);

/* Does forwarding lcore LCORE poll port P, and on which rx queue. */
static inline bool dp_lcore_rxq(const struct dp *d, unsigned int lcore,
				uint16_t p, uint16_t *queue)
{
	const struct dp_port *port = &d->ports[p];
	unsigned int i = d->fwd_index[lcore];

	if (!port->has_rx || i >= RTE_MAX(port->n_rxq, (uint16_t)1))
		return false;
	*queue = (uint16_t)i;
	return true;
}

/* fwd.c */
/* Sets fwd_lcores[], n_fwd_lcores, fwd_index[] and fwd_lcore from the
 * EAL's lcores: every worker, numbered 0..N-1 in lcore order (number i
 * uses queue i on every port); without a worker the main lcore alone. */
void fwd_lcores_pick(struct dp *d);
int fwd_init_lcore(struct dp *d, unsigned int lcore);
/* ICMP and ICMPv6 errors of LCORE, for each port whose packets it answers: at most
 * PER_S a second after a burst of BURST, none with PER_S 0
 * (fwd_init_lcore sets the config's dataplane.icmp_errors_per_s and
 * icmp_burst). */
void fwd_icmp_rate_set(unsigned int lcore, uint32_t per_s, uint32_t burst);
/* The mbuf pools of IPv4 fragmentation (headers, and references to the
 * original's payload). 0 or -errno. */
int fwd_frag_init(struct dp *d);
/* mtu_min again, after a port's mtu was set or changed. */
void fwd_mtu_update(struct dp *d);
/* One poll of every rx queue of LCORE; the packets received. */
unsigned int fwd_burst(struct dp *d, unsigned int lcore);
/* The calling thread to SCHED_FIFO PRIORITY (0: left as it is); logs
 * a refusal for WHAT. 0 or -errno. */
int fwd_sched_rt(uint32_t priority, const char *what);
/* After a poll that received N_RX packets: true when the lcore should
 * sleep IDLE->sleep_us before the next one. */
bool fwd_idle(struct fwd_idle *idle, unsigned int n_rx, uint64_t now);
int fwd_loop(void *arg);

/* health.c */
int health_init(struct dp *d);
void health_close(struct dp *d);
void health_tick(struct dp *d);
void health_tx_drain(struct dp *d, struct dp_lcore_stats *st);
/* Link suspicion: d->suspect from the config's links.suspect; then,
 * main lcore every tick, the links' evidence judged and suspect_ports
 * published. */
int health_suspect_init(struct dp *d);
void health_suspect_free(struct dp *d);
void health_suspect_tick(struct dp *d);
/* Main lcore: every forwarding lcore's sampled packets noted in
 * d->flows, in time order across lcores; the tick's first step (unit
 * tests call it after their bursts). */
void health_suspect_drain(struct dp *d);
/* What the main lcore sees of links 0..N-1 now: packets received (every
 * forwarding lcore's counter), usable, and their BFD sessions. */
void health_suspect_observe(struct dp *d, struct suspect_obs *obs,
			    unsigned int n);

/* Once per burst: the links suspected (suspect.h), one relaxed load. */
static inline uint32_t health_suspect_ports(const struct dp *d)
{
	return __atomic_load_n(&d->suspect_ports, __ATOMIC_RELAXED);
}

/* Once per burst: the BFD verdict, one relaxed load (0 without map). */
static inline uint64_t health_live_mask(const struct dp *d)
{
	const struct health_map *h = d->health;

	return h != NULL ? __atomic_load_n(&h->live_mask, __ATOMIC_RELAXED) : 0;
}

/* telemetry.c */
/* DEBUG_CORRUPT (--debug-corrupt, tests only) adds
 * /twinpath/debug_corrupt. */
int telemetry_init(bool debug_corrupt);

#endif
