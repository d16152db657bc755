/* The main loop's watchdog: how long twinpathd went between two runs of
 * the BGP timers (keepalives are sent and hold timers checked there), and
 * where that time went. A gap that nears a session's keepalive interval
 * is a flap in the making: the log line says whether the loop itself was
 * busy (which phase), waited for a CPU (run-queue time, from the kernel's
 * schedstat), or was blocked, so a hold-timer expiry has a cause on
 * record. FRR logs its "CPU HOG" tasks for the same reason. */
#ifndef TWP_LOOPWATCH_H
#define TWP_LOOPWATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A gap of this much is logged (and counted): a third of the smallest
 * keepalive interval we accept (1 s with a 3 s hold time) plus margin. */
#define LW_WARN_MS 500u
/* at most one such line per this long; the rest are counted in it */
#define LW_LOG_EVERY_MS 1000u

enum lw_phase {
	LW_TOP,        /* the loop's top: SIGHUP's reload, the poll set */
	LW_POLL,       /* waiting in poll(): idle */
	LW_NEIGH,      /* netlink neighbour input */
	LW_CLI,        /* twinpathctl requests */
	LW_BGP_IN,     /* BGP sockets: reading and handling messages */
	LW_BGP_TIMERS, /* keepalives, hold timers, connects */
	LW_RIB,        /* route decisions */
	LW_FIB,        /* records to the channel */
	LW_TICK,       /* the 100 ms tick: sync, neighbours, BFD, metrics */
	LW_PHASES
};

/* The calling thread's clocks at one moment. */
struct lw_sample {
	uint64_t mono_ns; /* CLOCK_MONOTONIC */
	uint64_t cpu_ns;  /* CLOCK_THREAD_CPUTIME_ID */
	uint64_t runq_ns; /* schedstat: time runnable but not running */
};

struct loopwatch {
	uint64_t warn_ns;
	struct lw_sample start; /* the last timer run */
	uint64_t mark_ns;       /* the last phase boundary */
	uint64_t phase_ns[LW_PHASES];
	uint64_t stalls;     /* gaps of warn_ns or more */
	uint64_t max_gap_ns; /* the longest gap since start */
	uint64_t last_log_ns;
	unsigned int unlogged; /* stalls since the last line */
	int schedstat_fd;      /* /proc/thread-self/schedstat, or -1 */
	bool schedstat_tried;  /* opened (or failed) once */
};

/* Starts watching from NOW (lw_sample_now, or given by a test). */
void lw_init(struct loopwatch *w, uint64_t warn_ns,
	     const struct lw_sample *now);
/* The time since the last boundary went to PH. */
void lw_phase(struct loopwatch *w, enum lw_phase ph, uint64_t mono_ns);
/* The BGP timers just ran at NOW: closes the gap since the last run.
 * Returns true, with the line to log in BUF, for a gap of warn_ns or
 * more that is not rate-limited. */
bool lw_timers_ran(struct loopwatch *w, const struct lw_sample *now,
		   char *buf, size_t len);
/* The calling thread's clocks (W's schedstat file opened on first use;
 * runq_ns stays 0 where the kernel has no schedstat). */
void lw_sample_now(struct loopwatch *w, struct lw_sample *s);
void lw_close(struct loopwatch *w);

#endif
