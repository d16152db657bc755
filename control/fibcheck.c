/* The FIB self-check (see fibcheck.h): question, answer, comparison,
 * repair. Runs on twinpathd's main loop. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fibcheck.h"
#include "fibpush.h"
#include "log.h"

void fibcheck_init(struct fibcheck *fc, uint32_t interval_ms)
{
	memset(fc, 0, sizeof(*fc));
	fc->interval_ms = interval_ms;
}

int fibcheck_tick(struct fibcheck *fc, struct fibpush *fp, uint64_t now_ms)
{
	int rc;

	/* a full sync since the question cleared the outbox it may have
	 * waited in, or the answer is lost: either way ask again */
	if (fc->pending && (fp->generation != fc->generation ||
			    now_ms - fc->asked_ms >= FIBCHECK_ANSWER_MS)) {
		if (fp->generation == fc->generation) {
			fc->unanswered++;
			log_warn("fib digest check %u: no answer from the data "
				"plane in %u s: asking again", fc->id,
				FIBCHECK_ANSWER_MS / 1000u);
		}
		fc->pending = false;
	}
	if (fc->interval_ms == 0 || fc->pending || now_ms < fc->next_ms ||
	    fp->generation == 0 || fp->sync_active ||
	    !chan_peer_attached(fp->chan))
		return 0;
	fc->id++;
	rc = fibpush_send_digest(fp, fc->id);
	if (rc < 0)
		return rc;
	fc->pending = true;
	fc->asked_ms = now_ms;
	fc->generation = fp->generation;
	fc->expect = fp->digest;
	fc->got_mask = 0;
	fc->next_ms = now_ms + fc->interval_ms;
	return 0;
}

/* "routes 0x1 != 0x2, groups 0x3 == 0x3, ..." into BUF. */
static void parts_str(const struct fib_digest *a, const struct fib_digest *b,
		      char *buf, size_t len)
{
	unsigned int p;
	size_t n = 0;

	buf[0] = '\0';
	for (p = 0; p < FIB_DIGEST_PARTS && n < len; p++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s 0x%08x %s 0x%08x",
				      p ? ", " : "", fib_digest_part_name(p),
				      a->part[p],
				      a->part[p] == b->part[p] ? "==" : "!=",
				      b->part[p]);
}

/* 0 for the first mismatch, then 2, 4, 8 ... intervals, at most
 * FIBCHECK_BACKOFF_MAX_MS. */
static uint64_t backoff_ms(const struct fibcheck *fc)
{
	uint64_t ms;

	if (fc->streak <= 1)
		return 0;
	ms = (uint64_t)fc->interval_ms << (fc->streak - 1 < 20 ?
					   fc->streak - 1 : 20);
	return ms < FIBCHECK_BACKOFF_MAX_MS ? ms : FIBCHECK_BACKOFF_MAX_MS;
}

static void compare(struct fibcheck *fc, struct fibpush *fp, uint64_t now_ms)
{
	char parts[160];
	int rc;

	fc->pending = false;
	fc->checks++;
	parts_str(&fc->expect, &fc->got, parts, sizeof(parts));
	if (memcmp(&fc->expect, &fc->got, sizeof(fc->got)) == 0) {
		if (fc->repairing)
			log_msg("fib digest check %u: the data plane matches "
				"again after the full sync (twinpathd == data "
				"plane: %s)", fc->id, parts);
		fc->repairing = false;
		fc->streak = 0;
		return;
	}
	fc->mismatches++;
	fc->streak++;
	log_warn("fib digest mismatch at check %u (twinpathd vs data plane, "
		"generation %llu): %s: full sync to repair (%llu mismatch%s "
		"so far)", fc->id, (unsigned long long)fc->generation, parts,
		(unsigned long long)fc->mismatches,
		fc->mismatches == 1 ? "" : "es");
	rc = fibpush_full_sync(fp);
	if (rc < 0)
		log_warn("fib digest: full sync not started: %s",
			strerror(-rc));
	fc->repairing = true;
	/* check again as soon as the sync's SYNC_END is queued; a mismatch
	 * that survived a sync: later and later */
	fc->next_ms = now_ms + backoff_ms(fc);
	if (fc->streak > 1)
		log_warn("fib digest: the mismatch persists after %u full "
			"sync%s: next check in %llu s", fc->streak - 1,
			fc->streak == 2 ? "" : "s",
			(unsigned long long)((fc->next_ms - now_ms) / 1000u));
}

bool fibcheck_event(struct fibcheck *fc, struct fibpush *fp,
		    const struct chan_event *ev, uint64_t now_ms)
{
	enum fib_digest_part part;

	switch (ev->type) {
	case CHAN_EV_DIGEST_ROUTES:
		part = FIB_DIGEST_ROUTES;
		break;
	case CHAN_EV_DIGEST_GROUPS:
		part = FIB_DIGEST_GROUPS;
		break;
	case CHAN_EV_DIGEST_NEXTHOPS:
		part = FIB_DIGEST_NEXTHOPS;
		break;
	default:
		return false;
	}
	/* An answer to a question given up is not this one's; nor is one
	 * to a question a full sync superseded: a restarted data plane may
	 * answer it from the ring its predecessor left, with its tables
	 * still empty, just after its HELLO started that sync. */
	if (!fc->pending || (uint32_t)(ev->arg >> 32) != fc->id ||
	    fp->generation != fc->generation) {
		fc->pending = fc->pending && fp->generation == fc->generation;
		return true;
	}
	fc->got.part[part] = (uint32_t)ev->arg;
	fc->got_mask |= 1u << part;
	if (fc->got_mask == (1u << FIB_DIGEST_PARTS) - 1u)
		compare(fc, fp, now_ms);
	return true;
}
