/* What the control-side harnesses share: how an invariant fails, the
 * daemons' logs kept out of a fuzz run, addresses from text. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "fuzz_util.h"

static FILE *report;

void fuzz_quiet_logs(void)
{
	report = stderr;
	/* twinpathd and twinpath-dp log every event on stderr: millions of
	 * lines. libFuzzer and the sanitizers write to the FILE or the
	 * descriptor they took at start, so only the project's logs go.
	 * FUZZ_VERBOSE=1 keeps them (to replay one input). */
	if (getenv("FUZZ_VERBOSE") == NULL) {
		FILE *null = fopen("/dev/null", "w");

		if (null != NULL)
			stderr = null;
	}
}

void fuzz_fail(const char *fmt, ...)
{
	FILE *f = report != NULL ? report : stderr;
	va_list ap;

	fprintf(f, "%s: invariant violated: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fprintf(f, "\n");
	fflush(f);
	abort();
}

void fuzz_addr(struct cfg_addr *a, uint8_t family, const char *s,
	       uint8_t len)
{
	memset(a, 0, sizeof(*a));
	a->family = family;
	a->len = len;
	if (inet_pton(family, s, a->addr) != 1)
		fuzz_fail("bad address '%s' in the harness", s);
}
