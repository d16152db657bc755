/* twinpath-dp's end of the channel: applies twinpathd's records on the
 * main lcore (never on a forwarding one) and answers with events. Every
 * entry is stamped with its sync generation; SYNC_END(g) sweeps what is
 * older than g only after the new state is in (make-before-break). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "dp.h"
#include "log.h"

/* Bounded time per call so the main lcore keeps polling links and
 * sending BFD on time while a full table streams in. */
#define CHAN_POLL_SLICE_US 500u

int channel_init(struct dp *d)
{
	int rc = chan_open(&d->chan, d->cfg->instance, CHAN_ROLE_DATA);

	if (rc < 0) {
		log_err("channel '%s': %s", d->cfg->instance, strerror(-rc));
		return rc;
	}
	d->chan_ok = true;
	/* a new data plane has applied nothing yet, whatever a previous
	 * instance left in the header */
	d->applied_generation = 0;
	__atomic_store_n(&d->chan.hdr->applied_generation, 0,
			 __ATOMIC_RELEASE);
	/* A restarted data plane has no state: ask for all of it. */
	rc = chan_send_event(&d->chan, CHAN_EV_HELLO, 0);
	log_msg("channel '%s' open (data role), hello %s", d->cfg->instance,
		rc == 0 ? "sent" : "refused: event ring full");
	return 0;
}

void channel_close(struct dp *d)
{
	if (d->chan_ok)
		chan_close(&d->chan);
	d->chan_ok = false;
}

static uint64_t stamp(const struct dp *d, const struct chan_rec *r)
{
	return r->generation != 0 ? r->generation : d->sync_generation;
}

/* A forwarding lcore may hold, within one burst, a group id it looked up
 * just before a route moved off that group, or a group naming a nexthop
 * being deleted. Before an id stops resolving, wait until every forwarding
 * lcore has finished the burst it was in (one burst, microseconds). The
 * main lcore waits (for all N forwarding lcores, each registered as a
 * reader); forwarding never does. When the main lcore forwards alone,
 * records are applied between bursts and there is nothing to wait for. */
static void id_grace_period(struct dp *d)
{
	if (d->fwd_lcore != rte_lcore_id())
		rte_rcu_qsbr_synchronize(d->rcu, RTE_QSBR_THRID_INVALID);
}

/* CHAN_REC_DIGEST: the digest of everything applied before this record
 * (records are applied in order, here only), one event per part. A
 * refused event leaves twinpathd without an answer: it asks again. */
static int digest_answer(struct dp *d, uint32_t id)
{
	static const uint16_t ev[FIB_DIGEST_PARTS] = {
		[FIB_DIGEST_ROUTES] = CHAN_EV_DIGEST_ROUTES,
		[FIB_DIGEST_GROUPS] = CHAN_EV_DIGEST_GROUPS,
		[FIB_DIGEST_NEXTHOPS] = CHAN_EV_DIGEST_NEXTHOPS,
	};
	unsigned int p;

	for (p = 0; p < FIB_DIGEST_PARTS; p++)
		if (chan_send_event(&d->chan, ev[p], (uint64_t)id << 32 |
				    d->nhg.digest.part[p]) < 0)
			return -ENOBUFS;
	return 0;
}

/* chan_recs[I]'s route position as the look-ahead found it
 * (channel_poll), or -1: not looked up, or a key left the table since. */
static int32_t route_pos(const struct dp *d, uint32_t i)
{
	if (i >= d->chan_prefetched || d->chan_pos_epoch[i] != d->routes_epoch)
		return -1;
	return d->chan_pos[i];
}

/* Record R; POS: its route's position in the route table, if known
 * (route_pos), else -1. */
static int apply(struct dp *d, const struct chan_rec *r, int32_t pos)
{
	switch (r->type) {
	case CHAN_REC_SYNC_BEGIN:
		d->sync_generation = r->generation;
		fib_sync_begin(d, r->generation);
		log_msg("sync %lu begins", (unsigned long)r->generation);
		return 0;
	case CHAN_REC_SYNC_END:
		/* routes first: they name groups, groups name nexthops */
		fib_sweep(d, r->generation);
		id_grace_period(d);
		if (nhg_sweep(&d->nhg, r->generation) < 0)
			log_warn("sync %lu: a group's L2 entries could not be "
				"refreshed: out of memory",
				(unsigned long)r->generation);
		d->applied_generation = r->generation;
		__atomic_store_n(&d->chan.hdr->applied_generation,
				 r->generation, __ATOMIC_RELEASE);
		if (chan_send_event(&d->chan, CHAN_EV_SYNC_DONE,
				    r->generation) < 0)
			log_warn("sync %lu done, but the event ring is full",
				(unsigned long)r->generation);
		log_msg("sync %lu applied: %u routes, %u groups, %u nexthops",
			(unsigned long)r->generation, d->n_routes,
			d->nhg.n_groups, d->nhg.n_nexthops);
		return 0;
	case CHAN_REC_NEXTHOP_SET:
		return nhg_nexthop_set(&d->nhg, &r->u.nh, stamp(d, r));
	case CHAN_REC_NEXTHOP_DEL:
		id_grace_period(d);
		return nhg_nexthop_del(&d->nhg, r->u.id);
	case CHAN_REC_GROUP_SET:
		return nhg_group_set(&d->nhg, &r->u.grp, stamp(d, r));
	case CHAN_REC_GROUP_DEL:
		id_grace_period(d);
		return nhg_group_del(&d->nhg, r->u.id);
	case CHAN_REC_ROUTE_ADD:
		return fib_route_add_at(d, &r->u.route, stamp(d, r), pos);
	case CHAN_REC_ROUTE_DEL:
		return fib_route_del(d, &r->u.route);
	case CHAN_REC_DIGEST:
		return digest_answer(d, r->u.id);
	default:
		return -EINVAL;
	}
}

/* Record R checked, applied (POS as apply's) and counted. */
static void apply_counted(struct dp *d, const struct chan_rec *r,
			  int32_t pos)
{
	uint32_t routes;
	int rc;

	if (chan_rec_validate(r, NH_MAX, NHG_MAX) < 0) {
		d->records_invalid++;
		__atomic_fetch_add(&d->chan.hdr->rec_invalid, 1,
				   __ATOMIC_RELAXED);
		chan_send_event(&d->chan, CHAN_EV_REC_INVALID, r->seq);
		log_warn("record seq %u (%s) invalid: ignored", r->seq,
			 chan_rec_type_name(r->type));
		return;
	}
	routes = d->n_routes;
	rc = apply(d, r, pos);
	if (rc < 0) {
		/* a full route table refuses every add of a full sync: one
		 * line per episode, each counted (records_failed in
		 * /twinpath/fib) */
		if (!d->records_failing)
			log_warn("record seq %u (%s) not applied: %s (%u "
				 "routes); more are counted (records_failed), "
				 "not logged, until a route fits again",
				 r->seq, chan_rec_type_name(r->type),
				 strerror(-rc), d->n_routes);
		d->records_failing = true;
		d->records_failed++;
		return;
	}
	d->records_applied++;
	if (d->records_failing && d->n_routes > routes) {
		log_msg("routes fit again (%u): %llu records were not applied",
			d->n_routes, (unsigned long long)(d->records_failed -
				d->records_failed_before));
		d->records_failing = false;
		d->records_failed_before = d->records_failed;
	}
}

/* A group being deleted may still be named by a held-back route; SYNC_END
 * sweeps rte_fib too and reports the state applied; a digest answers for
 * what forwarding uses. */
static bool needs_fib_in_step(const struct chan_rec *r)
{
	return r->type == CHAN_REC_GROUP_DEL ||
	       r->type == CHAN_REC_SYNC_END || r->type == CHAN_REC_DIGEST;
}

/* After a poll that left records (MORE) or received RECEIVED. True when
 * a flush starts: the caller polls again at once. */
static bool bulk_triggers(struct dp *d, bool more, uint32_t received)
{
	struct fib_bulk *b = &d->bulk;

	b->busy_polls = more ? b->busy_polls + 1 : 0;
	b->quiet_polls = received == 0 ? b->quiet_polls + 1 : 0;
	if (fib_bulk_collecting(d)) {
		if (b->quiet_polls >= BULK_QUIET_POLLS ||
		    rte_get_tsc_cycles() - b->since_tsc >=
			    rte_get_tsc_hz() / 1000 * BULK_MAX_MS) {
			fib_bulk_flush_start(d);
			return true;
		}
	} else if (!fib_bulk_flushing(d) && b->busy_polls >= BULK_BUSY_POLLS &&
		   fib_bulk_begin(d) < 0 && b->busy_polls == BULK_BUSY_POLLS) {
		log_warn("fib: no memory to hold %u route changes back: they "
			 "go to rte_fib one by one",
			 d->cfg->dataplane.ipv4_routes_max);
	}
	return false;
}

/* Applies what the ring holds for up to CHAN_POLL_SLICE_US, or writes a
 * bulk out (fib.c; no record is applied meanwhile). Returns true when it
 * stopped for time with work left, so the caller polls again at once
 * instead of sleeping a tick. */
bool channel_poll(struct dp *d)
{
	uint32_t received = 0;
	uint64_t deadline;
	bool more = false;
	/* records left from the last poll (a bulk was written first): the
	 * ring may hold more behind them */
	bool last_full = d->chan_next < d->chan_n;

	if (!d->chan_ok)
		return false;
	chan_heartbeat(&d->chan);
	deadline = rte_get_tsc_cycles() +
		   rte_get_tsc_hz() / 1000000 * CHAN_POLL_SLICE_US;
	for (;;) {
		const struct chan_rec *r;
		int32_t pos;

		if (fib_bulk_flushing(d) && !fib_bulk_flush(d, deadline)) {
			more = true;
			break;
		}
		if (d->chan_next == d->chan_n) {
			if (received > 0 && rte_get_tsc_cycles() >= deadline) {
				more = last_full;
				break;
			}
			d->chan_n = chan_recv(&d->chan, d->chan_recs,
					      DP_CHAN_BURST);
			d->chan_next = 0;
			d->chan_prefetched = 0;
			received += d->chan_n;
			last_full = d->chan_n == DP_CHAN_BURST;
			if (d->chan_n == 0)
				break;
		}
		/* the route table's entries of the records a window ahead:
		 * theirs are in the cache by the time they are applied */
		while (d->chan_prefetched < d->chan_n &&
		       d->chan_prefetched <= d->chan_next + FIB_PREFETCH_MAX) {
			uint32_t m = RTE_MIN(d->chan_n - d->chan_prefetched,
					     FIB_PREFETCH_MAX), i;

			fib_route_prefetch(d, &d->chan_recs[d->chan_prefetched],
					   m, &d->chan_pos[d->chan_prefetched]);
			for (i = d->chan_prefetched;
			     i < d->chan_prefetched + m; i++)
				d->chan_pos_epoch[i] = d->routes_epoch;
			d->chan_prefetched += m;
		}
		r = &d->chan_recs[d->chan_next];
		if (fib_bulk_collecting(d) &&
		    (needs_fib_in_step(r) || fib_bulk_full(d))) {
			fib_bulk_flush_start(d);
			continue;
		}
		pos = route_pos(d, d->chan_next++);
		apply_counted(d, r, pos);
		if (d->chan_next == d->chan_n && !last_full)
			break; /* the ring is empty */
	}
	if (d->chan_next < d->chan_n)
		more = true;
	if (bulk_triggers(d, more, received))
		more = true;
	/* free what the forwarding lcores can no longer see */
	if (d->rcu_dq != NULL)
		rte_rcu_qsbr_dq_reclaim(d->rcu_dq, UINT32_MAX, NULL, NULL,
					NULL);
	return more;
}

/* About every 100 ms: tell twinpathd which unresolved nexthops traffic
 * wanted since the last look, so it can resolve them (at most one event
 * per nexthop per call). */
void channel_report_neigh_miss(struct dp *d)
{
	unsigned int id, i;

	if (!d->chan_ok)
		return;
	for (id = 1; id < NH_MAX; id++) {
		uint32_t now = 0;

		/* per lcore, summed (wrapping is fine: only change counts) */
		for (i = 0; i < d->n_fwd_lcores; i++)
			now += __atomic_load_n(
				&d->stats[d->fwd_lcores[i]].nh_miss[id],
				__ATOMIC_RELAXED);

		if (now == d->nh_miss_reported[id])
			continue;
		if (chan_send_event(&d->chan, CHAN_EV_NEIGH_MISS, id) < 0)
			return; /* ring full: the rest next time */
		d->nh_miss_reported[id] = now;
	}
}
