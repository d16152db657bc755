/* freeze_probe: how long this host's CPUs stop running anything.
 *
 * One thread per online CPU, pinned there at SCHED_FIFO 99 (above BIRD,
 * twinpath-dp and everything else the lab runs), sleeps 1 ms at a time
 * and notes each wake-up that came more than --min-ms late. Such a delay
 * is time that CPU ran nothing of ours or the peer's real-time threads.
 * Beside it on each CPU a witness at SCHED_OTHER (nice -20) sleeps 1 ms
 * at a time too and notes when it last ran. A freeze during which the
 * witness ran stopped the real-time threads only ("rt"): since Linux 6.12
 * the scheduler's fair server does that when real-time work starves
 * normal tasks (docs/architecture.md, "Real-time threads and the fair
 * server"), so such a freeze can be of our own making. One during which
 * the witness did not run either stopped the whole CPU ("whole"): a
 * non-preemptible kernel path or the hypervisor taking the vCPU away.
 * The integration tests run it beside 10 ms x 3 BFD sessions (30 ms
 * detection time), which no implementation survives across a freeze of
 * 20 ms or more of the CPU its peer runs on, to tell such a flap from
 * one of ours.
 *
 * Each freeze, as it ends, on stdout (flushed):
 *   freeze CPU LATE_MS END_REALTIME_S END_MONOTONIC_S whole|rt
 * On SIGTERM/SIGINT or after --seconds, one line per CPU:
 *   max CPU LATE_MS
 * Usage: freeze_probe [--min-ms MS] [--seconds S]
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PROBE_SLEEP_NS 1000000LL
#define PROBE_MAX_CPUS 64

static volatile sig_atomic_t stop;
static double min_ms = 5.0;
static long long end_ns; /* CLOCK_MONOTONIC, 0: until a signal */
static double max_late[PROBE_MAX_CPUS];
/* CLOCK_MONOTONIC ns of each CPU's witness's last wake-up */
static long long witness_ns[PROBE_MAX_CPUS];
/* a witness wake-up this long after the probe went to sleep fell inside
 * the probe's freeze (which is at least --min-ms, 5 ms, past its 1 ms) */
#define WITNESS_MARGIN_NS 2000000LL
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static long long now_ns(clockid_t c)
{
	struct timespec t;

	clock_gettime(c, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int pin(long cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* The normal task beside the probe: it runs whenever the CPU runs
 * normal tasks at all (nice -20 is picked first among them). */
static void *witness(void *arg)
{
	long cpu = (long)arg;
	int rc = pin(cpu);

	if (rc == 0 &&
	    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), -20) != 0)
		rc = errno;
	if (rc != 0) {
		fprintf(stderr, "freeze_probe: witness cpu %ld: %s\n", cpu,
			strerror(rc));
		return NULL;
	}
	while (!stop) {
		struct timespec d = {0, PROBE_SLEEP_NS};

		while (nanosleep(&d, &d) != 0 && errno == EINTR && !stop)
			;
		__atomic_store_n(&witness_ns[cpu], now_ns(CLOCK_MONOTONIC),
				 __ATOMIC_RELAXED);
		if (end_ns != 0 && witness_ns[cpu] >= end_ns)
			break;
	}
	return NULL;
}

static void *probe(void *arg)
{
	long cpu = (long)arg;
	struct sched_param sp = {.sched_priority = 99};
	int rc = pin(cpu);

	if (rc == 0)
		rc = pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
	if (rc != 0) {
		fprintf(stderr, "freeze_probe: cpu %ld: %s\n", cpu, strerror(rc));
		return NULL;
	}
	while (!stop) {
		struct timespec d = {0, PROBE_SLEEP_NS};
		long long t0 = now_ns(CLOCK_MONOTONIC), t1;
		double late;

		while (nanosleep(&d, &d) != 0 && errno == EINTR && !stop)
			;
		t1 = now_ns(CLOCK_MONOTONIC);
		late = (double)(t1 - t0 - PROBE_SLEEP_NS) / 1e6;
		if (late > max_late[cpu])
			max_late[cpu] = late;
		if (late >= min_ms) {
			long long w = __atomic_load_n(&witness_ns[cpu],
						      __ATOMIC_RELAXED);
			bool rt_only = w > t0 + PROBE_SLEEP_NS +
						   WITNESS_MARGIN_NS &&
				       w < t1;

			pthread_mutex_lock(&out_lock);
			printf("freeze %ld %.3f %.6f %.6f %s\n", cpu, late,
			       (double)now_ns(CLOCK_REALTIME) / 1e9,
			       (double)t1 / 1e9, rt_only ? "rt" : "whole");
			fflush(stdout);
			pthread_mutex_unlock(&out_lock);
		}
		if (end_ns != 0 && t1 >= end_ns)
			stop = 1;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[PROBE_MAX_CPUS], wt[PROBE_MAX_CPUS];
	long n = sysconf(_SC_NPROCESSORS_ONLN), i;
	struct sigaction sa;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "--min-ms") == 0 && a + 1 < argc)
			min_ms = atof(argv[++a]);
		else if (strcmp(argv[a], "--seconds") == 0 && a + 1 < argc)
			end_ns = now_ns(CLOCK_MONOTONIC) +
				 (long long)(atof(argv[++a]) * 1e9);
		else {
			fprintf(stderr, "usage: freeze_probe [--min-ms MS] "
					"[--seconds S]\n");
			return 2;
		}
	}
	if (n < 1 || n > PROBE_MAX_CPUS) {
		fprintf(stderr, "freeze_probe: %ld CPUs\n", n);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (i = 0; i < n; i++)
		if (pthread_create(&wt[i], NULL, witness, (void *)i) != 0 ||
		    pthread_create(&th[i], NULL, probe, (void *)i) != 0) {
			fprintf(stderr, "freeze_probe: thread %ld\n", i);
			return 1;
		}
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < n; i++)
		pthread_join(wt[i], NULL);
	for (i = 0; i < n; i++)
		printf("max %ld %.3f\n", i, max_late[i]);
	return 0;
}
