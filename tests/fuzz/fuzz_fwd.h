/* What the fuzz_fwd harness (fuzz_fwd.c) counts over the inputs it ran;
 * its entry points are fuzz.h's. */
#ifndef TWP_FUZZ_FWD_H
#define TWP_FUZZ_FWD_H

#include <stddef.h>
#include <stdint.h>

#include "fuzz.h"

/* What the inputs run so far did, summed: the replay test asserts that
 * the committed corpus reaches every outcome. */
struct fuzz_fwd_totals {
	uint64_t inputs;
	uint64_t frames;
	uint64_t forwarded;    /* left whole, on some port */
	uint64_t fragmented;   /* left as fragments */
	uint64_t dropped;      /* under one drop reason, tx_full aside */
	uint64_t icmp_sent;    /* ICMP errors that left */
	uint64_t icmp_withheld; /* ... suppressed or rate limited */
	uint64_t ipv6_forwarded; /* IPv6 frames among the outputs */
};


#endif
