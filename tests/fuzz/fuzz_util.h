/* Helpers of the control-side harnesses (fuzz_util.c). */
#ifndef TWP_FUZZ_UTIL_H
#define TWP_FUZZ_UTIL_H

#include <stdint.h>

#include "config.h"

/* From here on the project's log lines go to /dev/null unless
 * FUZZ_VERBOSE is set; fuzz_fail() still reports on the real stderr. */
void fuzz_quiet_logs(void);
/* "PROGRAM: invariant violated: MESSAGE", then abort() (a finding). */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2),
						    noreturn));
/* FAMILY's address S with prefix length LEN into A (zeroed first). */
void fuzz_addr(struct cfg_addr *a, uint8_t family, const char *s,
	       uint8_t len);

#endif
