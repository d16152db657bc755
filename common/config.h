/* The deployment file (libconfig), read by twinpathd and twinpath-dp alike
 * so both see one validated truth. The schema is documented in
 * docs/configuration.md (twinpath.conf(5)); every bad value is
 * "FILE:LINE: message". */
#ifndef TWP_CONFIG_H
#define TWP_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <net/if.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#define CFG_MAX_LINKS 16u
#define CFG_MAX_ROUTES 4096u
#define CFG_MAX_EAL_ARGS 32u
#define CFG_NAME_MAX 32u
#define CFG_ARG_MAX 256u

enum cfg_mode {
	CFG_MODE_ACTIVE_ACTIVE = 0, /* ECMP over all links of a route */
	CFG_MODE_ACTIVE_STANDBY,    /* highest local_pref primary, next backup */
};

struct cfg_addr {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t len;    /* prefix length; 32/128 for a plain address */
	uint8_t addr[16]; /* network byte order */
};

#define CFG_DEVICE_MAX 256u

/* BFD for a link (RFC 5880/5881 single hop), answered in XDP. */
struct cfg_bfd {
	bool enabled;           /* the link has a bfd { } group */
	bool admin_down;        /* session held in AdminDown */
	uint8_t multiplier;     /* detect multiplier */
	uint32_t min_tx_us;     /* Desired Min TX Interval */
	uint32_t min_rx_us;     /* Required Min RX Interval */
	/* dampening { }: present means on (RFC 5882 §3.2); off by default.
	 * A failure holds the BGP session down after BFD is Up again for
	 * a hold that starts at initial_hold_ms and doubles with every
	 * further failure up to max_hold_ms; each decay_s the session
	 * stays Up halves it, and below initial_hold_ms it is forgotten. */
	bool dampening;
	uint32_t damp_initial_hold_ms; /* 1..3600000, 1000 */
	uint32_t damp_max_hold_ms;     /* initial..3600000, 60000 */
	uint32_t damp_decay_s;         /* 1..86400, 60 */
};

/* Link suspicion (links.suspect { }, README "Link suspicion"): present
 * means on, and only with bfd { } (BFD confirms or clears a suspicion).
 * The defaults are safe on a provider link. */
/* links.suspect.steer_return: what twinpathd announces on the other
 * links while this one is suspected, so that the provider sends the
 * return traffic there before its own BFD fires. */
enum cfg_steer {
	CFG_STEER_OFF = 0,
	CFG_STEER_UNPREPEND,     /* our prefixes without prepend and MED */
	CFG_STEER_MORE_SPECIFIC, /* ... and both halves of each */
};

struct cfg_suspect {
	bool enabled;
	enum cfg_steer steer_return; /* "off" */
	uint32_t min_pps;        /* 1..10000000, 200: below, silence is no sign */
	uint32_t silence_min_ms; /* 1..60000, 10: the shortest silence window */
	uint32_t silence_mult;   /* 2..100, 4: x the longest quiet gap */
	uint32_t min_flows;      /* 2..1000, 3: unanswered or retransmitting */
	uint32_t hold_ms;        /* 1..3600000, 1000: first hold-down */
	uint32_t hold_max_ms;    /* hold_ms..3600000, 30000 */
	uint32_t decay_s;        /* 1..86400, 60 */
};

static inline void cfg_suspect_defaults(struct cfg_suspect *s)
{
	s->min_pps = 200;
	s->silence_min_ms = 10;
	s->silence_mult = 4;
	s->min_flows = 3;
	s->hold_ms = 1000;
	s->hold_max_ms = 30000;
	s->decay_s = 60;
}

/* Source validation of what a port receives (BCP 38 / RFC 2827,
 * RFC 3704), "ingress_filter" in lan and in each link; README has the
 * semantics. Zero (a config not from the loader) checks nothing. */
enum cfg_ingress {
	CFG_INGRESS_OFF = 0,
	CFG_INGRESS_LOOSE,   /* the gateway's own addresses refused */
	CFG_INGRESS_STRICT,  /* ... and sources on the wrong side of the site */
};

/* IPv4 options other than source routes (RFC 7126): forwarded and
 * counted, or dropped; "dataplane.ip_options". */
enum cfg_ip_options {
	CFG_IP_OPTIONS_FORWARD = 0,
	CFG_IP_OPTIONS_DROP,
};

struct cfg_lan {
	char interface[IFNAMSIZ];
	/* DPDK device for the port instead of net_af_xdp on interface
	 * (e.g. "net_ring0", "net_null0", a PCI address); "" if unset. */
	char device[CFG_DEVICE_MAX];
	struct cfg_addr address; /* our address and the LAN subnet length */
	/* address6: our IPv6 address and subnet when address is IPv4
	 * (the source of ICMPv6 errors); family 0 if unset */
	struct cfg_addr address6;
	enum cfg_ingress ingress_filter;
};

#define CFG_MAX_PREFIX_RULES 64u
#define CFG_MAX_ANNOUNCE 64u
/* links.bgp.max_memory_mb default: room for 2 M routes with typical
 * attributes (docs: "Limits"; the bytes per route in control/bgp/rib.c) */
#define CFG_MAX_MEMORY_MB_DEFAULT 512u
#define CFG_PASSWORD_MAX 80u /* TCP_MD5SIG_MAXKEYLEN */
#define CFG_MAX_COMMUNITIES 32u /* of each kind, per link */

/* One import prefix rule, "PREFIX/LEN [ge N] [le N]": a route matches when
 * its prefix lies inside PREFIX/LEN and its length is in ge..le. Without
 * ge and le, an exact match; "ge N" alone means N..32/128 and "le N"
 * alone LEN..N, as in FRR's and Cisco's prefix lists. */
struct cfg_prefix_rule {
	struct cfg_addr prefix;
	uint8_t ge, le;
};

/* BGP for a link (links[i].bgp { }); present only when the top-level
 * bgp { } group exists. Import local-preference is the link's local_pref. */
struct cfg_link_bgp {
	bool passive;            /* never connect, only accept */
	bool ttl_security;       /* GTSM, RFC 5082: TTL 255 out, IP_MINTTL 255 */
	char password[CFG_PASSWORD_MAX + 1]; /* TCP MD5 (RFC 2385), "" = none */
	uint16_t hold_time_s;    /* 0 or 3..65535; overrides bgp.hold_time */
	/* import: RFC 8212, no rule = no route accepted */
	struct cfg_prefix_rule import[CFG_MAX_PREFIX_RULES];
	unsigned int n_import;
	uint32_t max_prefix;         /* 0 = no limit */
	uint32_t max_prefix_restart_s; /* idle after Cease/1, then reconnect */
	/* bytes the peer's routes may hold in twinpathd (paths and the
	 * attribute sets they use, as rib.c counts them); more: Cease/8
	 * (RFC 4486 "Out of Resources"), idle max_prefix_restart_s.
	 * "max_memory_mb" in the file, 512 MiB; 0 = no limit. */
	uint64_t max_memory_bytes;
	/* export */
	uint8_t prepend;         /* our AS this many extra times (0..16) */
	bool has_med;
	uint32_t med;            /* MULTI_EXIT_DISC sent to this peer */
	/* announce: this link's own list instead of bgp.announce (when
	 * has_announce; an empty list announces nothing on the link) */
	bool has_announce;
	struct cfg_addr announce[CFG_MAX_ANNOUNCE];
	unsigned int n_announce;
	/* communities attached to what we announce on this link:
	 * RFC 1997 "ASN:VALUE" as (ASN << 16 | VALUE), and RFC 8092 large
	 * communities "A:B:C" */
	uint32_t communities[CFG_MAX_COMMUNITIES];
	unsigned int n_communities;
	uint32_t large_communities[CFG_MAX_COMMUNITIES][3];
	unsigned int n_large_communities;
};

/* The top-level bgp { } group: twinpathd runs one eBGP session per link. */
struct cfg_bgp {
	bool enabled;            /* the group exists */
	uint16_t hold_time_s;    /* proposed Hold Time: 0 or 3..65535, 90 */
	uint16_t connect_retry_s; /* ConnectRetry timer, 5 */
	bool graceful_restart;   /* RFC 4724 helper + restarting speaker, true */
	uint16_t restart_time_s; /* advertised Restart Time, 120 */
	/* "link NAME drain" (RFC 8326): the return traffic has moved once
	 * the link receives at most drain_rx_floor_pps (10) for
	 * drain_quiet_s (5), or drain_timeout_s (60) after the drain began */
	uint32_t drain_rx_floor_pps;
	uint16_t drain_quiet_s;
	uint16_t drain_timeout_s;
	/* site prefixes, on every link without its own bgp.announce */
	struct cfg_addr announce[CFG_MAX_ANNOUNCE];
	unsigned int n_announce;
};

struct cfg_link {
	char name[CFG_NAME_MAX];
	char interface[IFNAMSIZ];
	struct cfg_addr local_address; /* our address and the subnet length */
	struct cfg_addr local_address6; /* as cfg_lan.address6 */
	struct cfg_addr peer_address;  /* the provider router, len 32/128 */
	/* the provider router's IPv6 address for a second session beside
	 * an IPv4 peer_address (IPv4 unicast over one, IPv6 unicast over
	 * the other); family 0 when the link has one session */
	struct cfg_addr peer_address6;
	uint32_t remote_as;
	uint32_t local_pref;
	uint32_t mtu;
	uint32_t capacity_mbps; /* ordered bandwidth, for monitoring; 0 unset */
	char device[CFG_DEVICE_MAX]; /* as cfg_lan.device */
	struct cfg_bfd bfd;
	struct cfg_suspect suspect;
	struct cfg_link_bgp bgp;
	enum cfg_ingress ingress_filter;
	int line; /* where the link's group starts, for messages */
};

/* The top-level monitor { } group: twinpathd's link rates, utilisation
 * and imbalance (control/monitor.c). Present or not, the defaults hold. */
struct cfg_monitor {
	double utilisation_warn;     /* of capacity_mbps, 0.01..1, 0.8 */
	double imbalance_warn;       /* see monitor.h, 0.01..1, 0.2 */
	uint32_t imbalance_min_mbps; /* below this total: no imbalance, 1 */
	uint32_t interval_ms;        /* "interval_s" 0.1..60, 1 s */
};

struct cfg_route {
	struct cfg_addr prefix;
	uint32_t n_via;                /* links, or 0 when gateway is set */
	uint16_t via[CFG_MAX_LINKS];   /* link indexes */
	struct cfg_addr gateway;       /* on the LAN subnet; family 0 if unset */
	int line;
};

struct twp_config {
	char path[PATH_MAX];
	char instance[CFG_NAME_MAX]; /* names the channel, socket, EAL prefix */
	uint32_t local_as;
	uint8_t router_id[4];
	enum cfg_mode mode;
	struct {
		char eal_args[CFG_MAX_EAL_ARGS][CFG_ARG_MAX];
		unsigned int n_eal_args;
		char xdp_prog[PATH_MAX];
		uint32_t mbufs;
		uint32_t ipv4_routes_max; /* rte_fib sizing */
		uint32_t ipv6_routes_max; /* rte_fib6 sizing */
		/* ICMP errors per forwarding lcore: a second's worth and the
		 * burst (RFC 1812 §4.3.2.8); 0 a second: none are sent */
		uint32_t icmp_errors_per_s;
		uint32_t icmp_burst;
		enum cfg_ip_options ip_options;
		/* an idle forwarding lcore sleeps this long between polls
		 * (fwd_loop); 0: it spins */
		uint32_t idle_sleep_us;
		/* SCHED_FIFO priority of the main lcore (BFD tick) and the
		 * forwarding lcores (BFD send); 0: the default scheduler */
		uint32_t rt_priority;
	} dataplane;
	struct {
		char socket[sizeof(((struct sockaddr_un *)0)->sun_path)];
		/* Prometheus endpoint (control/metrics.c), "ADDR:PORT" as
		 * written; "" disables it (metrics_addr.family 0 then) */
		char metrics_listen[64];
		struct cfg_addr metrics_addr;
		uint16_t metrics_port;
		/* "fib_check_interval_s" 0..3600, 5: how often twinpathd
		 * compares its FIB digest with the data plane's
		 * (control/fibcheck.h); 0: never */
		uint32_t fib_check_interval_s;
	} control;
	struct cfg_bgp bgp;
	struct cfg_monitor monitor;
	struct cfg_lan lan;
	struct cfg_link links[CFG_MAX_LINKS];
	unsigned int n_links;
	struct cfg_route routes[CFG_MAX_ROUTES];
	unsigned int n_routes;
};

/* Loads and validates PATH into CFG (zeroed first). On error returns
 * -EINVAL (or -errno when the file cannot be read) and writes one line,
 * "PATH:LINE: message", into ERR. */
int cfg_load(struct twp_config *cfg, const char *path, char *err,
	     size_t errlen);

/* Bits in an address of FAMILY: 32 (AF_INET), 128 (AF_INET6), else 0. */
static inline unsigned int cfg_family_bits(uint8_t family)
{
	return family == AF_INET ? 32u : family == AF_INET6 ? 128u : 0u;
}

/* Same family and address; len is not compared (a prefix's caller checks
 * it when it matters). Only the family's bytes count, so what lies past an
 * IPv4 address in addr[] does not. */
static inline bool cfg_addr_eq(const struct cfg_addr *a,
			       const struct cfg_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->addr, b->addr, cfg_family_bits(a->family) / 8) == 0;
}

/* An IPv6 link-local unicast address (fe80::/10, RFC 4291 §2.5.6). */
static inline bool cfg_addr_link_local(const struct cfg_addr *a)
{
	return a->family == AF_INET6 && a->addr[0] == 0xfe &&
	       (a->addr[1] & 0xc0) == 0x80;
}

/* The link's own address of FAMILY (its subnet in len): local_address,
 * or local_address6 beside an IPv4 one; NULL when it has none. */
static inline const struct cfg_addr *cfg_link_addr(const struct cfg_link *l,
						   uint8_t family)
{
	if (l->local_address.family == family)
		return &l->local_address;
	if (l->local_address6.family == family)
		return &l->local_address6;
	return NULL;
}

/* Our address toward PEER (one of the link's peer addresses): of its
 * family (the BGP session's and the BFD session's source), NULL for a
 * link-local peer, which is reached from our link-local address on the
 * interface. */
static inline const struct cfg_addr *cfg_link_local_for(
	const struct cfg_link *l, const struct cfg_addr *peer)
{
	if (cfg_addr_link_local(peer))
		return NULL;
	return cfg_link_addr(l, peer->family);
}

/* cfg_link_local_for() the link's peer_address. */
static inline const struct cfg_addr *cfg_link_local_for_peer(
	const struct cfg_link *l)
{
	return cfg_link_local_for(l, &l->peer_address);
}

/* The kernel's link-local address (fe80::/10) of interface IFNAME into
 * OUT: the IPv6 next hop beside the global one (RFC 2545 §3) and the
 * source toward a link-local peer. Runtime state, not configuration:
 * false when the interface has none (no IPv6 on it, or no such kernel
 * interface). */
bool cfg_if_link_local(const char *ifname, struct cfg_addr *out);

/* "1.2.3.4" / "2001:db8::1", with "/len" when len is not the full width. */
const char *cfg_addr_str(const struct cfg_addr *a, char *buf, size_t len);
/* A as a host address: without its subnet's length ("192.0.2.1" for
 * 192.0.2.1/24), as the address of a session is shown. */
const char *cfg_host_str(const struct cfg_addr *a, char *buf, size_t len);

/* "ADDR" or "ADDR/LEN", IPv4 or IPv6, into OUT (zeroed first). A bare
 * address gets the full width as len; LEN is decimal digits only, at most
 * 32/128. Host bits are kept: a caller that wants a network checks them.
 * 0 or -EINVAL. */
int cfg_parse_prefix(const char *text, struct cfg_addr *out);

/* Index of the LAN port in twinpath port numbering (after the links). */
static inline unsigned int cfg_lan_port(const struct twp_config *cfg)
{
	return cfg->n_links;
}

#endif
