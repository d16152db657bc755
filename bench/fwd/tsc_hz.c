/* tsc_hz: the TSC frequency, for cycles per packet = TSC Hz / pps. Counts
 * TSC ticks against CLOCK_MONOTONIC_RAW over 200 ms, as the EAL does when
 * the CPU does not say; no EAL needed. Prints Hz on stdout. */
#include <stdio.h>
#include <time.h>

#include <rte_cycles.h>

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(void)
{
	struct timespec pause = {0, 200000000};
	double t0, t1;
	uint64_t c0, c1;

	t0 = mono_s();
	c0 = rte_rdtsc_precise();
	nanosleep(&pause, NULL);
	t1 = mono_s();
	c1 = rte_rdtsc_precise();
	printf("%.0f\n", (double)(c1 - c0) / (t1 - t0));
	return 0;
}
