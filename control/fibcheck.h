/* The self-check of the FIB (issue 14 item 6): every
 * control.fib_check_interval_s twinpathd asks the data plane for the
 * digest (common/fibdigest.h) of what it has applied, compares it with
 * its own, and repairs a difference with a full sync, then checks again.
 *
 * The question travels in the channel itself, as a CHAN_REC_DIGEST record
 * after every record sent so far, and twinpathd remembers its own digest
 * at that moment. The data plane applies records in order on one lcore,
 * so when it meets the record its tables are exactly what those records
 * make of them: both digests describe the same point of the stream, with
 * no history of digests per sequence number and no need to wait for a
 * quiet channel (BGP churn may go on). The one stretch where the two
 * legitimately differ is a full sync under way (until SYNC_END the data
 * plane still holds the older generation's entries): no question is
 * asked then, and one asked before it is forgotten, its answer too (the
 * sync clears the outbox it may wait in; a restarted data plane may
 * answer it from the ring with empty tables). */
#ifndef TWP_FIBCHECK_H
#define TWP_FIBCHECK_H

#include <stdbool.h>
#include <stdint.h>

#include "channel.h"
#include "fibdigest.h"

struct fibpush;

/* An answer not back after this long is given up (its events were
 * refused by a full event ring, or the data plane is stuck); the next
 * check asks again. */
#define FIBCHECK_ANSWER_MS 30000u
/* A mismatch found again right after its own full sync is one the sync
 * cannot repair (the data plane refuses a record: see its log, "not
 * applied"). Each is still repaired, but the next check waits twice as
 * long as the last, from 2 intervals up to this, so a million-route sync
 * does not run back to back. */
#define FIBCHECK_BACKOFF_MAX_MS 300000u

struct fibcheck {
	uint32_t interval_ms;   /* 0: no checks */
	uint64_t next_ms;       /* the next check is due */
	/* the question in flight */
	bool pending;
	uint32_t id;            /* of the last question */
	uint64_t asked_ms;
	uint64_t generation;    /* fp->generation when asked */
	struct fib_digest expect; /* twinpathd's digest when asked */
	struct fib_digest got;  /* the data plane's, part by part */
	unsigned int got_mask;  /* bit per enum fib_digest_part */
	bool repairing;         /* a mismatch's full sync is under way */
	unsigned int streak;    /* mismatches in a row */
	/* counters (twinpath_fib_digest_*_total) */
	uint64_t checks;        /* answered and compared */
	uint64_t mismatches;    /* ... that differed */
	uint64_t unanswered;    /* given up after FIBCHECK_ANSWER_MS */
};

void fibcheck_init(struct fibcheck *fc, uint32_t interval_ms);
/* The loop's tick: asks when a check is due, the first full sync is out,
 * no full sync is under way, no question is in flight and a data plane
 * is attached. 0, or -ENOMEM (the question could not be queued). */
int fibcheck_tick(struct fibcheck *fc, struct fibpush *fp, uint64_t now_ms);
/* An event from the data plane. CHAN_EV_DIGEST_*: true (ours), and once
 * the three parts of the question in flight are in, the comparison: a
 * match is counted; a mismatch is logged (both digests, every part),
 * counted and repaired by fibpush_full_sync, and the next check is due as
 * soon as that sync has gone out (after a mismatch in a row, later: see
 * FIBCHECK_BACKOFF_MAX_MS). Any other event: false. */
bool fibcheck_event(struct fibcheck *fc, struct fibpush *fp,
		    const struct chan_event *ev, uint64_t now_ms);

#endif
