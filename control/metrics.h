/* twinpathd's Prometheus endpoint: GET /metrics on control.metrics_listen,
 * served by libmicrohttpd on its own thread from a snapshot the main loop
 * publishes once a second, plus the data plane's counters read from its
 * DPDK telemetry socket at scrape time (on the HTTP thread, never the
 * BGP/BFD loop). Text exposition format 0.0.4. */
#ifndef TWP_METRICS_H
#define TWP_METRICS_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "monitor.h"

#define METRICS_MAX_PORTS (CFG_MAX_LINKS + 1) /* links and the lan */
#define METRICS_MAX_DROPS 64
#define METRICS_NAME_MAX 48

/* One link as twinpathd sees it (no data plane counters). */
struct metrics_link {
	char name[CFG_NAME_MAX];
	/* the BGP session's peer, set when the link has two (a session per
	 * family, links.peer_address6): its BGP series carry it as a label */
	char peer[INET6_ADDRSTRLEN];
	bool bfd;              /* BFD configured on the link */
	bool bfd_known;        /* the health map is attached: fields below */
	uint32_t bfd_state;    /* enum bfd_state */
	uint64_t bfd_up_count, bfd_down_count;
	uint32_t bfd_tx_interval_us, bfd_detect_time_us;
	bool bfd_failed;       /* a failure was seen: last_gap is valid */
	uint64_t bfd_last_gap_ns; /* last valid packet -> Down, last failure */
	bool live;             /* its bit in the health map's live mask */
	bool bgp;              /* a BGP session runs on the link */
	bool bgp_established;
	uint32_t bgp_state;    /* enum bgp_state */
	uint64_t bgp_establishments;
	uint64_t bgp_received, bgp_accepted;
	uint64_t bgp_installed; /* its path in the prefix's primary set */
	uint64_t fib_routes;   /* routes forwarding over it (primary set) */
	uint8_t drain;         /* enum bgp_drain: 0 none, 1 draining, 2 drained */
	bool admin_down;       /* "bgp ADDR shutdown": held Idle */
	/* limits (issue 14): the peer's memory share, BFD dampening */
	uint64_t bgp_memory_bytes, bgp_max_memory_hits;
	bool bfd_dampening;    /* links.bfd.dampening: the fields below */
	bool bfd_damp_held;    /* BFD Up, BGP held down by the dampening */
	uint64_t bfd_damp_holds;
};

/* Everything twinpathd itself knows, copied by the main loop. */
struct metrics_ctl {
	struct metrics_link link[CFG_MAX_LINKS];
	/* the BGP rows of links' second sessions (links.peer_address6);
	 * bgp false on a link with one session */
	struct metrics_link link2[CFG_MAX_LINKS];
	unsigned int n_links;
	uint64_t fib_routes, fib_groups, fib_nexthops;
	uint64_t generation_sent, generation_applied;
	uint64_t outbox, ring_refusals, records_rejected;
	uint64_t bgp_fib_errors;
	/* BGP route changes refused: nexthop / group table full */
	uint64_t fib_nexthop_table_full, fib_group_table_full;
	/* the FIB self-check (control/fibcheck.h) */
	uint64_t digest_checks, digest_mismatches, digest_unanswered;
	/* the link monitor's last result, filled at scrape time */
	struct mon_result mon;
};

/* What the data plane's telemetry said at one scrape. */
struct metrics_port {
	char name[METRICS_NAME_MAX]; /* the link's name, or "lan" */
	uint64_t rx_packets, tx_packets, tx_dropped;
	bool have_bytes;       /* /ethdev/stats answered */
	uint64_t rx_bytes, tx_bytes;
	bool link_up;
	bool bfd;              /* BFD enabled on it (/twinpath/bfd) */
	bool bfd_live;         /* its live bit (health map) */
	/* link suspicion (/twinpath/bfd suspect_*), with suspect { } */
	bool suspect;
	uint64_t suspect_state;  /* 0 clear, 1 suspect, 2 hold */
	char suspect_raised_by[48];
	uint64_t suspicions, suspect_confirmed, suspect_cleared,
		suspect_abstained;
	/* how close the evidence came (suspect.h), in thousandths */
	uint64_t suspect_peak_score_milli;
	char suspect_peak_pair[48];
};

struct metrics_drop {
	char reason[METRICS_NAME_MAX];
	uint64_t count;
};

struct metrics_dp {
	bool up;               /* /twinpath/ports answered */
	struct metrics_port port[METRICS_MAX_PORTS];
	unsigned int n_ports;
	struct metrics_drop drop[METRICS_MAX_DROPS];
	unsigned int n_drops;
	bool have_fib;
	uint64_t fib_generation, fib_routes, fib_groups, fib_nexthops;
	uint64_t fib_records_failed; /* refused, as by a full route table */
	/* IPv4 route changes held back and written in prefix order */
	uint64_t fib_bulk_pending, fib_bulk_flushes, fib_bulk_written;
	uint64_t fib_bulk_failed;
	uint64_t fib_lookups_retried; /* after a torn rte_fib read */
};

/* The running endpoint. */
struct metrics {
	struct MHD_Daemon *mhd;
	char tel_path[128];    /* the data plane's telemetry socket */
	pthread_mutex_t lock;  /* guards ctl */
	bool lock_init;
	struct metrics_ctl ctl;
	struct monitor *mon;   /* the link monitor, or NULL */
	uint64_t scrapes;      /* HTTP thread only */
};

/* Writes the exposition of CTL and DP (DP may be NULL: no data plane
 * section but twinpath_dp_up 0). Pure: the unit test's subject. */
void metrics_render(const struct metrics_ctl *ctl, const struct metrics_dp *dp,
		    FILE *f);

/* Reads /twinpath/ports, /ethdev/stats,N, /twinpath/drops and
 * /twinpath/fib from the telemetry socket PATH into DP, each answer
 * waiting at most TIMEOUT_MS. 0, or -errno when the socket does not
 * answer /twinpath/ports (DP->up false). */
int metrics_dp_read(const char *path, unsigned int timeout_ms,
		    struct metrics_dp *dp);

/* The parts of metrics_dp_read, for a client that keeps its socket
 * (control/monitor.c): a connected telemetry socket past its greeting
 * (fd or -errno), and /twinpath/ports, /ethdev/stats,N and /twinpath/bfd
 * into DP (not zeroed first) with BUF of METRICS_TEL_BUF bytes. */
#define METRICS_TEL_BUF 65536
int metrics_tel_open(const char *path, unsigned int timeout_ms);
int metrics_dp_ports(int fd, unsigned int timeout_ms, struct metrics_dp *dp,
		     char *buf);

struct twpd;
/* Fills CTL from twinpathd's state (main loop). */
void metrics_collect(const struct twpd *d, struct metrics_ctl *ctl);

/* Starts the endpoint of CFG (control.metrics_listen; M->mhd stays NULL
 * when it is ""), with MON's results in each scrape (MON may be NULL).
 * 0 or -errno. */
int metrics_start(struct metrics *m, const struct twp_config *cfg,
		  struct monitor *mon);
/* Replaces the published snapshot (main loop, once a second). */
void metrics_publish(struct metrics *m, const struct metrics_ctl *ctl);
void metrics_stop(struct metrics *m);

#endif
