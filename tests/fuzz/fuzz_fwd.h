/* The fuzz_fwd harness's entry points (fuzz_fwd.c), for libFuzzer and
 * for replay.c, the driver of the unit suite's corpus replay. */
#ifndef TWP_FUZZ_FWD_H
#define TWP_FUZZ_FWD_H

#include <stddef.h>
#include <stdint.h>

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

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
void fuzz_fwd_totals(struct fuzz_fwd_totals *out);

#endif
