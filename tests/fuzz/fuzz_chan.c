/* libFuzzer harness of twinpath-dp's end of the channel: records as
 * twinpathd pushes them (common/channel.h: SYNC_BEGIN/END, NEXTHOP_SET/DEL,
 * GROUP_SET/DEL, ROUTE_ADD/DEL) go through the real shared-memory ring
 * (chan_send on the control role) into channel_poll() (dataplane/
 * channel.c: chan_rec_validate, then the nexthop group table and the FIB)
 * on the data plane's test bed (tests/unit/dp_testbed.c, two ring ports).
 *
 * Input: records of 138 bytes, one after the other: the type (1 byte),
 * the generation (1 byte: 0 stays 0, "the current sync's"; else the input's
 * base + the byte, so every input has generations of its own), then the
 * 136 bytes of the record's union as they lie in memory.
 *
 * Invariants besides the sanitizers': every record is counted exactly
 * once (applied, invalid or failed); the records refused as invalid are
 * exactly those the contract of channel.h rules out (checked here with an
 * independent reading of it); a nexthop on a port the data plane does not
 * have is never applied; after each input a full sync with nothing in it
 * (SYNC_BEGIN g, SYNC_END g, g newer than everything) leaves no route, no
 * group and no nexthop: make-before-break sweeps all that is older. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dp.h"
#include "dp_testbed.h"
#include "fuzz.h"
#include "fuzz_util.h"

#define REC_BYTES (2u + sizeof(((struct chan_rec *)0)->u))
#define RECS_MAX 4096u /* under the ring's 8191 slots */
#define GEN_STEP 1000u

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

static struct twp_config cfg;
static struct dp d;
static struct dp_testbed tb;
static struct chan ctl;
static uint64_t base;

static struct {
	uint64_t inputs, records, applied, invalid, failed, routes_seen,
		groups_seen, nexthops_seen;
} tot;

static void teardown(void)
{
	channel_close(&d);
	chan_close(&ctl);
	chan_unlink(cfg.instance);
	dp_testbed_down();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	cfg.n_links = 2;
	cfg.dataplane.ipv4_routes_max = 1024;
	cfg.dataplane.ipv6_routes_max = 1024;
	snprintf(cfg.instance, sizeof(cfg.instance), "fuzz-chan-%d",
		 (int)getpid());
	d.cfg = &cfg;
	if (dp_testbed_up(&tb, &d, "fuzz_chan", 64, 512) != 0) {
		fprintf(stderr, "fuzz_chan: test bed setup failed\n");
		exit(1);
	}
	chan_unlink(cfg.instance);
	if (chan_open(&ctl, cfg.instance, CHAN_ROLE_CONTROL) != 0 ||
	    channel_init(&d) != 0) {
		fprintf(stderr, "fuzz_chan: channel setup failed\n");
		exit(1);
	}
	/* both ends are mapped: the name can go now, so a run that dies
	 * (a finding aborts) leaves nothing in /dev/shm */
	chan_unlink(cfg.instance);
	atexit(teardown);
	fuzz_quiet_logs();
	return 0;
}

/* channel.h's contract, read independently of chan_rec_validate: what
 * a record must be for the data plane to look at it at all. */
static bool id_ok(uint32_t id, uint32_t max)
{
	return id >= 1 && id < max;
}

static bool prefix_ok(uint8_t family, uint8_t len)
{
	return (family == AF_INET && len <= 32) ||
	       (family == AF_INET6 && len <= 128);
}

static bool contract_valid(const struct chan_rec *r)
{
	unsigned int i;

	switch (r->type) {
	case CHAN_REC_SYNC_BEGIN:
	case CHAN_REC_SYNC_END:
		return r->generation != 0;
	case CHAN_REC_NEXTHOP_SET:
		return id_ok(r->u.nh.id, NH_MAX) &&
		       (r->u.nh.family == AF_INET ||
			r->u.nh.family == AF_INET6);
	case CHAN_REC_NEXTHOP_DEL:
		return id_ok(r->u.id, NH_MAX);
	case CHAN_REC_GROUP_SET:
		if (!id_ok(r->u.grp.id, NHG_MAX) ||
		    r->u.grp.n_primary > CHAN_GROUP_MAX_MEMBERS ||
		    r->u.grp.n_backup > CHAN_GROUP_MAX_MEMBERS)
			return false;
		for (i = 0; i < r->u.grp.n_primary; i++)
			if (!id_ok(r->u.grp.primary[i], NH_MAX))
				return false;
		for (i = 0; i < r->u.grp.n_backup; i++)
			if (!id_ok(r->u.grp.backup[i], NH_MAX))
				return false;
		return true;
	case CHAN_REC_GROUP_DEL:
		return id_ok(r->u.id, NHG_MAX);
	case CHAN_REC_ROUTE_ADD:
		return id_ok(r->u.route.group_id, NHG_MAX) &&
		       prefix_ok(r->u.route.family, r->u.route.len);
	case CHAN_REC_ROUTE_DEL:
		return prefix_ok(r->u.route.family, r->u.route.len);
	case CHAN_REC_DIGEST:
		return true; /* any id: twinpathd's own numbering */
	default:
		return false;
	}
}

static void drain_events(void)
{
	struct chan_event ev[64];

	while (chan_recv_events(&ctl, ev, 64) > 0)
		;
}

static void send_all(const struct chan_rec *recs, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct chan_rec r = recs[i];

		if (chan_send(&ctl, &r) != 0)
			fuzz_fail("the ring refused record %u of %u", i, n);
	}
	while (channel_poll(&d))
		;
	drain_events();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct chan_rec recs[RECS_MAX];
	uint64_t a0 = d.records_applied, i0 = d.records_invalid,
		 f0 = d.records_failed, want_invalid = 0, bad_port = 0;
	unsigned int n = 0, k;
	struct chan_rec sweep[2];

	base += GEN_STEP;
	tot.inputs++;
	for (; size >= REC_BYTES && n < RECS_MAX; size -= REC_BYTES,
	     data += REC_BYTES) {
		struct chan_rec *r = &recs[n++];

		memset(r, 0, sizeof(*r));
		r->type = data[0];
		r->seq = n;
		r->generation = data[1] ? base + data[1] : 0;
		memcpy(&r->u, data + 2, sizeof(r->u));
		if (!contract_valid(r))
			want_invalid++;
		else if (r->type == CHAN_REC_NEXTHOP_SET &&
			 r->u.nh.port >= d.nhg.n_ports)
			bad_port++;
	}
	send_all(recs, n);
	tot.records += n;
	tot.applied += d.records_applied - a0;
	tot.invalid += d.records_invalid - i0;
	tot.failed += d.records_failed - f0;
	tot.routes_seen += d.n_routes;
	tot.groups_seen += d.nhg.n_groups;
	tot.nexthops_seen += d.nhg.n_nexthops;
	if ((d.records_applied - a0) + (d.records_invalid - i0) +
	    (d.records_failed - f0) != n)
		fuzz_fail("%u records: %" PRIu64 " applied, %" PRIu64 " invalid, %"
		     PRIu64 " failed", n, d.records_applied - a0,
		     d.records_invalid - i0, d.records_failed - f0);
	if (d.records_invalid - i0 != want_invalid)
		fuzz_fail("%" PRIu64 " records refused as invalid, the contract "
		     "rules out %" PRIu64, d.records_invalid - i0,
		     want_invalid);
	if (d.records_failed - f0 < bad_port)
		fuzz_fail("%" PRIu64 " nexthops on a port the data plane does not "
		     "have, only %" PRIu64 " records failed", bad_port,
		     d.records_failed - f0);
	if (d.nhg.n_nexthops > NH_MAX || d.nhg.n_groups > NHG_MAX ||
	    d.n_routes > cfg.dataplane.ipv4_routes_max +
				 cfg.dataplane.ipv6_routes_max)
		fuzz_fail("%u nexthops, %u groups, %u routes", d.nhg.n_nexthops,
		     d.nhg.n_groups, d.n_routes);

	/* a full sync of nothing: everything older goes */
	memset(sweep, 0, sizeof(sweep));
	for (k = 0; k < 2; k++) {
		sweep[k].type = k == 0 ? CHAN_REC_SYNC_BEGIN : CHAN_REC_SYNC_END;
		sweep[k].generation = base + GEN_STEP - 1;
	}
	a0 = d.records_applied;
	send_all(sweep, 2);
	if (d.records_applied - a0 != 2)
		fuzz_fail("the sweeping sync was not applied");
	if (d.n_routes != 0 || d.n_routes6 != 0 || d.nhg.n_groups != 0 ||
	    d.nhg.n_nexthops != 0)
		fuzz_fail("after an empty full sync: %u routes (%u IPv6), %u groups, "
		     "%u nexthops", d.n_routes, d.n_routes6, d.nhg.n_groups,
		     d.nhg.n_nexthops);
	return 0;
}

int fuzz_replay_summary(bool every)
{
	printf("replay: %" PRIu64 " records: %" PRIu64 " applied, %" PRIu64
	       " invalid, %" PRIu64 " failed; after the inputs %" PRIu64
	       " routes, %" PRIu64 " groups, %" PRIu64 " nexthops in all\n",
	       tot.records, tot.applied, tot.invalid, tot.failed,
	       tot.routes_seen, tot.groups_seen, tot.nexthops_seen);
	if (every && (tot.applied == 0 || tot.invalid == 0 ||
		      tot.failed == 0 || tot.routes_seen == 0 ||
		      tot.groups_seen == 0 || tot.nexthops_seen == 0))
		return -1;
	return 0;
}
