/* twinpathd's main-loop watchdog (loopwatch.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loopwatch.h"

static const char *const phase_names[LW_PHASES] = {
	[LW_POLL] = "idle in poll",     [LW_TOP] = "reload and poll set",
	[LW_NEIGH] = "neighbours",      [LW_CLI] = "cli",
	[LW_BGP_IN] = "bgp input",      [LW_BGP_TIMERS] = "bgp timers",
	[LW_RIB] = "route decisions",   [LW_FIB] = "fib push",
	[LW_TICK] = "tick",
};

void lw_init(struct loopwatch *w, uint64_t warn_ns,
	     const struct lw_sample *now)
{
	int fd = w->schedstat_tried ? w->schedstat_fd : -1;
	bool tried = w->schedstat_tried;

	memset(w, 0, sizeof(*w));
	w->schedstat_fd = fd;
	w->schedstat_tried = tried;
	w->warn_ns = warn_ns;
	w->start = *now;
	w->mark_ns = now->mono_ns;
}

void lw_phase(struct loopwatch *w, enum lw_phase ph, uint64_t mono_ns)
{
	if (mono_ns > w->mark_ns)
		w->phase_ns[ph] += mono_ns - w->mark_ns;
	w->mark_ns = mono_ns;
}

static uint64_t ms(uint64_t ns)
{
	return (ns + 500000u) / 1000000u;
}

bool lw_timers_ran(struct loopwatch *w, const struct lw_sample *now,
		   char *buf, size_t len)
{
	uint64_t gap = now->mono_ns - w->start.mono_ns;
	uint64_t cpu = now->cpu_ns - w->start.cpu_ns;
	uint64_t runq = now->runq_ns - w->start.runq_ns;
	uint64_t blocked = gap > cpu + runq ? gap - cpu - runq : 0;
	bool log = false;
	size_t off;
	int i, n;

	lw_phase(w, LW_BGP_TIMERS, now->mono_ns);
	if (gap > w->max_gap_ns)
		w->max_gap_ns = gap;
	if (gap >= w->warn_ns) {
		w->stalls++;
		w->unlogged++;
		if (w->last_log_ns == 0 ||
		    now->mono_ns - w->last_log_ns >=
			    LW_LOG_EVERY_MS * 1000000ull) {
			log = true;
			w->last_log_ns = now->mono_ns;
		}
	}
	if (log) {
		n = snprintf(buf, len, "main loop: %llu ms between BGP timer "
			     "runs (warn at %llu ms): on a cpu %llu ms, "
			     "waiting for one %llu ms, asleep or blocked "
			     "%llu ms;",
			     (unsigned long long)ms(gap),
			     (unsigned long long)ms(w->warn_ns),
			     (unsigned long long)ms(cpu),
			     (unsigned long long)ms(runq),
			     (unsigned long long)ms(blocked));
		off = n < 0 ? 0 : (size_t)n < len ? (size_t)n : len - 1;
		/* every phase that took a millisecond or more, in loop order */
		for (i = 0; i < LW_PHASES && off < len; i++) {
			if (ms(w->phase_ns[i]) == 0)
				continue;
			n = snprintf(buf + off, len - off, " %s %llu ms",
				     phase_names[i],
				     (unsigned long long)ms(w->phase_ns[i]));
			if (n < 0)
				break;
			off += (size_t)n < len - off ? (size_t)n : len - off - 1;
		}
		if (w->unlogged > 1 && off < len)
			snprintf(buf + off, len - off, " (%u such gaps since "
				 "the last line)", w->unlogged);
		w->unlogged = 0;
	}
	memset(w->phase_ns, 0, sizeof(w->phase_ns));
	w->start = *now;
	w->mark_ns = now->mono_ns;
	return log;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void lw_sample_now(struct loopwatch *w, struct lw_sample *s)
{
	char buf[96];
	ssize_t n;

	s->mono_ns = clock_ns(CLOCK_MONOTONIC);
	s->cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	s->runq_ns = 0;
	if (!w->schedstat_tried) {
		w->schedstat_fd = open("/proc/thread-self/schedstat",
				       O_RDONLY | O_CLOEXEC);
		w->schedstat_tried = true;
	}
	if (w->schedstat_fd < 0)
		return;
	/* "run_ns runq_ns timeslices" (Documentation/scheduler/sched-stats) */
	n = pread(w->schedstat_fd, buf, sizeof(buf) - 1, 0);
	if (n > 0) {
		unsigned long long run, runq;

		buf[n] = '\0';
		if (sscanf(buf, "%llu %llu", &run, &runq) == 2)
			s->runq_ns = runq;
	}
}

void lw_close(struct loopwatch *w)
{
	if (w->schedstat_tried && w->schedstat_fd >= 0)
		close(w->schedstat_fd);
	w->schedstat_fd = -1;
	w->schedstat_tried = true;
}
