/* The failover tools' shared clock and stop flag: every timestamp is
 * CLOCK_MONOTONIC, the clock of bpf_ktime_get_ns and so of twinpath's
 * health map, so fault, send, receive and BFD times compare directly. */
#ifndef FO_CLOCK_H
#define FO_CLOCK_H

#include <signal.h>
#include <stdint.h>
#include <time.h>

static inline uint64_t fo_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* set by SIGINT/SIGTERM: the run.sh way of ending a stream */
static volatile sig_atomic_t fo_stop;

static inline void fo_on_signal(int sig)
{
	(void)sig;
	fo_stop = 1;
}

static inline void fo_catch_stop(void)
{
	signal(SIGINT, fo_on_signal);
	signal(SIGTERM, fo_on_signal);
}

#endif
