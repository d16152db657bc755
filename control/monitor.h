/* twinpathd's link monitor (issue 12): per-link bit and packet rates from
 * two readings of the data plane's counters, utilisation against the
 * link's ordered bandwidth (links.capacity_mbps), and in active/active the
 * imbalance between the links; one log line when a threshold of monitor { }
 * is crossed and one when it clears. A thread of its own reads the DPDK
 * telemetry every monitor.interval_s, so the BGP/BFD loop never waits on
 * it; /metrics and `twinpathctl show links` read its last result.
 *
 * Imbalance, per direction (tx: what our ECMP hash sends over the links;
 * rx: what the provider's ECMP sends back): over the links the data plane
 * may use at the end of the interval (carrier and admin up, and with BFD
 * the health map's live bit) -- at least two of them -- and only while
 * their total rate is at least monitor.imbalance_min_mbps,
 *
 *   imbalance = max over those links i of | r_i / R - e_i |
 *
 * with r_i the link's bits per second, R their sum, and e_i its expected
 * share: c_i / C by capacity when every one of them has a capacity_mbps,
 * else 1 / n. 0 is a perfect split; two equal links with all traffic on
 * one give 0.5. Otherwise the imbalance is undefined (not exported, never
 * a warning). */
#ifndef TWP_MONITOR_H
#define TWP_MONITOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"
#include "render.h"

enum mon_dir { MON_RX = 0, MON_TX = 1, MON_DIRS };

/* One link's counters at one instant. */
/* Link suspicion as the data plane reports it (/twinpath/bfd). */
struct mon_suspect {
	bool known;            /* the link has suspect { } */
	uint8_t state;         /* 0 clear, 1 suspected, 2 hold */
	char raised_by[48];    /* evidence of the last suspicion */
	uint64_t suspicions, confirmed, cleared, abstained;
	uint64_t peak_score_milli; /* the evidence's closest (suspect.h) */
	char peak_pair[48];    /* ... and its two kinds */
};

struct mon_counters {
	bool known;            /* the data plane reported the port */
	uint64_t bytes[MON_DIRS];   /* DPDK ethdev ibytes / obytes */
	uint64_t packets[MON_DIRS]; /* forwarded: /twinpath/ports rx/tx */
	bool usable;           /* carrier, admin up, BFD live (or no BFD) */
	struct mon_suspect suspect;
};

struct mon_sample {
	uint64_t t_ns;         /* CLOCK_MONOTONIC of the reading */
	struct mon_counters link[CFG_MAX_LINKS];
};

struct mon_link {
	uint32_t capacity_mbps; /* 0: unknown, no utilisation */
	bool known;            /* rates valid (two good readings) */
	bool usable;           /* ... and not suspected */
	struct mon_suspect suspect;
	double bps[MON_DIRS], pps[MON_DIRS];
	double util[MON_DIRS]; /* bps / capacity, when capacity_mbps */
	bool util_warn[MON_DIRS]; /* utilisation_warn crossed, not cleared */
};

struct mon_imbalance {
	bool known;            /* defined for this interval (see above) */
	double value;
	unsigned int link;     /* the link furthest from its share */
	double share, expected; /* that link's r_i / R and e_i */
	double total_bps;      /* R */
	bool warn;             /* imbalance_warn crossed, not cleared */
};

enum mon_why {              /* why an imbalance is undefined */
	MON_IMB_OK = 0,
	MON_IMB_FEW_LINKS,      /* fewer than two usable links */
	MON_IMB_IDLE,           /* total below imbalance_min_mbps */
};

struct mon_result {
	bool known;            /* at least one interval computed */
	bool active_active;    /* imbalance is computed */
	double window_s;       /* length of the last interval */
	unsigned int n_links;
	struct mon_link link[CFG_MAX_LINKS];
	struct mon_imbalance imb[MON_DIRS];
};

/* ---- pure functions: the unit test's subject ---- */

/* Rates over DT_NS between readings A and B into L (bps, pps). 0, or
 * -ENODATA when either reading lacks the port, -ERANGE when a counter
 * went back (the data plane restarted): L's rates are then untouched. */
int mon_rates(const struct mon_counters *a, const struct mon_counters *b,
	      uint64_t dt_ns, struct mon_link *l);

/* The imbalance of RATE_BPS[0..N) (see the top of this file) over the
 * links with USABLE[i], weighted by CAPACITY_MBPS when each of those has
 * one. Fills OUT (known, value, link, share, expected, total_bps; not
 * warn) and returns MON_IMB_OK, or why it is undefined (OUT->known
 * false). */
enum mon_why mon_imbalance(const double *rate_bps,
			   const uint32_t *capacity_mbps, const bool *usable,
			   unsigned int n, double min_bps,
			   struct mon_imbalance *out);

enum mon_event { MON_EV_NONE = 0, MON_EV_RAISED, MON_EV_CLEARED };

/* A threshold's state: *RAISED follows ABOVE; the event says whether it
 * just changed. No hysteresis: a value that stays on one side gives no
 * event, whatever it does there. */
enum mon_event mon_alarm(bool *raised, bool above);

/* One interval: the rates from PREV to CUR, utilisation, imbalance and
 * the alarms of CFG's thresholds, into RES (whose alarm flags carry over
 * from the last interval). Each raised or cleared alarm is one line to
 * LOG. Without a usable PREV (PREV NULL, or a link unknown in either)
 * the rates stay unknown and the alarms as they were. */
typedef void (*mon_log_fn)(void *arg, const char *line);
void mon_step(const struct twp_config *cfg, const struct mon_sample *prev,
	      const struct mon_sample *cur, struct mon_result *res,
	      mon_log_fn log, void *arg);

/* ---- the thread ---- */

struct monitor {
	const struct twp_config *cfg;
	char tel_path[128];
	pthread_t thread;
	bool running;
	/* guards res, stop and the thread's reads of *cfg (a reload
	 * overwrites it in place under this lock: monitor_cfg_lock) */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	struct mon_result res;
};

/* Starts the thread (reads the telemetry socket of CFG's instance every
 * monitor.interval_s). 0 or -errno. */
int monitor_start(struct monitor *m, const struct twp_config *cfg);
/* The last result (a copy, under the lock). */
void monitor_get(struct monitor *m, struct mon_result *out);
void monitor_stop(struct monitor *m);
/* Around a reload's in-place write of the config the thread reads: its
 * capacities and thresholds apply from the next interval. No-ops when M
 * is NULL or not running. */
void monitor_cfg_lock(struct monitor *m);
void monitor_cfg_unlock(struct monitor *m);

/* `twinpathctl show links`' rates: RES of CFG's links through R, as the
 * member KEY of the answer's object (NULL: the whole answer). */
void monitor_render(const struct twp_config *cfg, const struct mon_result *res,
		    struct render *r, const char *key);
/* The same as a whole answer, text or JSON, on F. */
void monitor_show(const struct twp_config *cfg, const struct mon_result *res,
		  bool json, FILE *f);
/* From M's last result (twinpathd's CLI). */
void monitor_cli(struct monitor *m, const struct twp_config *cfg,
		 struct render *r, const char *key);

#endif
