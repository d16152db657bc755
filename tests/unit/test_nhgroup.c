/* Resilient nexthop groups (dataplane/nhgroup.[ch]): a dead member's
 * buckets, and only those, move, spread evenly over the survivors; a
 * returning member gets exactly its buckets back; the backup set takes
 * over when no primary is live and gives back when one returns; GROUP_SET
 * keeps the buckets of the members it keeps; the precomputed L2 entries
 * of the fast path agree with the failover walk, and a member's change
 * (MAC, resolution, deletion, sweep, port MAC) republishes its groups.
 * Buckets are addressed directly (hash = bucket) and flows by a
 * multiplicative hash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "nhg_fixture.h"
#include "nhgroup.h"

#define GROUP_ID 5u
#define FLOWS 10000u
#define ALL_LIVE 0xffffffffu
/* Member i of a test group is nexthop MEMBER(i), on port i. */
#define MEMBER(i) ((uint32_t)(i) + 1u)
#define BACKUP(i) ((uint32_t)(i) + 101u)

static int setup(void **state)
{
	struct nhg_table *t = nhg_fixture_table(NH_PORT_MAX);
	unsigned int i;

	if (t == NULL)
		return -1;
	for (i = 0; i < CHAN_GROUP_MAX_MEMBERS; i++) {
		/* backups share the ports of the primaries: the tests take
		 * primaries down by port and keep the backups' up */
		if (nhg_fixture_nexthop(t, MEMBER(i), (uint16_t)i) != 0 ||
		    nhg_fixture_nexthop(t, BACKUP(i), (uint16_t)
					(CHAN_GROUP_MAX_MEMBERS - 1 - i)) != 0)
			return -1;
	}
	*state = t;
	return 0;
}

static const struct nhgroup *group(struct nhg_table *t, unsigned int n,
				   unsigned int n_backup)
{
	struct chan_group g = {.id = GROUP_ID, .n_primary = (uint8_t)n,
			       .n_backup = (uint8_t)n_backup};
	unsigned int i;

	for (i = 0; i < n; i++)
		g.primary[i] = MEMBER(i);
	for (i = 0; i < n_backup; i++)
		g.backup[i] = BACKUP(i);
	assert_int_equal(nhg_group_set(t, &g, 1), 0);
	return t->grp[GROUP_ID];
}

/* The member the fast path takes for HASH among LIVE: the group's
 * precomputed entry when its home member is live, else the failover walk
 * (nhg_select_l2, as fwd.c). Both must agree with nhg_select_live. */
static uint32_t pick(const struct nhg_table *t, uint32_t hash, uint32_t live)
{
	const struct nhgroup *g = t->grp[GROUP_ID];
	enum nhg_result res = NHG_OK;
	uint32_t unresolved;
	struct nhg_l2 scratch;
	const struct nhg_l2 *e = nhg_select_l2(t, g, hash, live, &scratch,
					       &res, &unresolved);
	const struct nexthop *nh = nhg_select_live(t, g, hash, live, &res,
						   &unresolved);

	assert_int_equal(res, nh != NULL ? NHG_OK : NHG_NO_LIVE);
	if (nh == NULL) {
		assert_null(e);
		return 0;
	}
	assert_non_null(e);
	assert_int_equal(e->nh_id, nh->id);
	assert_int_equal(e->port, nh->port);
	assert_int_equal(e->usable, 1);
	assert_memory_equal(&e->dst, &nh->mac, sizeof(e->dst));
	assert_memory_equal(&e->src, &t->port_mac[nh->port], sizeof(e->src));
	return nh->id;
}

static void buckets(const struct nhg_table *t, uint32_t live,
		    uint32_t out[NHG_BUCKETS])
{
	unsigned int b;

	for (b = 0; b < NHG_BUCKETS; b++)
		out[b] = pick(t, b, live);
}

static uint32_t flow_hash(unsigned int i)
{
	return (i + 1) * 2654435761u;
}

static void flows(const struct nhg_table *t, uint32_t live,
		  uint32_t out[FLOWS])
{
	unsigned int i;

	for (i = 0; i < FLOWS; i++)
		out[i] = pick(t, flow_hash(i), live);
}

/* Spread of the bucket counts over the n primaries live in LIVE. */
static unsigned int spread(const uint32_t owner[NHG_BUCKETS], unsigned int n,
			   uint32_t live)
{
	unsigned int count[CHAN_GROUP_MAX_MEMBERS] = {0};
	unsigned int b, i, lo = NHG_BUCKETS, hi = 0;

	for (b = 0; b < NHG_BUCKETS; b++) {
		assert_in_range(owner[b], MEMBER(0), MEMBER(n - 1));
		assert_true((live >> (owner[b] - 1)) & 1u);
		count[owner[b] - 1]++;
	}
	for (i = 0; i < n; i++)
		if ((live >> i) & 1u) {
			lo = count[i] < lo ? count[i] : lo;
			hi = count[i] > hi ? count[i] : hi;
		}
	return hi - lo;
}

/* Going from live set BEFORE to AFTER (AFTER a subset), every bucket and
 * flow whose member is still live keeps it; the others moved to a live
 * member. */
static void assert_only_dead_move(const uint32_t *before,
				  const uint32_t *after, unsigned int len,
				  uint32_t live_after)
{
	unsigned int i;

	for (i = 0; i < len; i++) {
		if ((live_after >> (before[i] - 1)) & 1u)
			assert_int_equal(after[i], before[i]);
		else
			assert_true((live_after >> (after[i] - 1)) & 1u);
	}
}

static void check_one_death(struct nhg_table *t, unsigned int n,
			    unsigned int dead)
{
	static uint32_t b0[NHG_BUCKETS], b1[NHG_BUCKETS];
	static uint32_t f0[FLOWS], f1[FLOWS];
	uint32_t live = ALL_LIVE & ~(1u << dead);

	buckets(t, ALL_LIVE, b0);
	flows(t, ALL_LIVE, f0);
	buckets(t, live, b1);
	flows(t, live, f1);
	assert_only_dead_move(b0, b1, NHG_BUCKETS, live);
	assert_only_dead_move(f0, f1, FLOWS, live);
	assert_in_range(spread(b1, n, live), 0, 1);
}

static void test_nhgroup_dead_member_moves_only_its_buckets_evenly(void **state)
{
	struct nhg_table *t = *state;
	unsigned int dead;

	group(t, 4, 0);
	for (dead = 0; dead < 4; dead++)
		check_one_death(t, 4, dead);
}

static void test_nhgroup_every_group_size_spreads_a_dead_member_evenly(
	void **state)
{
	struct nhg_table *t = *state;
	unsigned int n, dead;
	uint32_t b0[NHG_BUCKETS];

	for (n = 2; n <= CHAN_GROUP_MAX_MEMBERS; n++) {
		group(t, n, 0);
		buckets(t, ALL_LIVE, b0);
		assert_in_range(spread(b0, n, ALL_LIVE), 0, 1);
		for (dead = 0; dead < n; dead++)
			check_one_death(t, n, dead);
	}
}

static void test_nhgroup_returning_member_gets_exactly_its_buckets_back(
	void **state)
{
	struct nhg_table *t = *state;
	uint32_t b0[NHG_BUCKETS], b1[NHG_BUCKETS], b2[NHG_BUCKETS];
	unsigned int b, back = 0;

	group(t, 4, 0);
	buckets(t, ALL_LIVE, b0);
	buckets(t, ALL_LIVE & ~(1u << 2), b1);
	buckets(t, ALL_LIVE, b2);
	assert_memory_equal(b2, b0, sizeof(b0));
	for (b = 0; b < NHG_BUCKETS; b++)
		back += b2[b] != b1[b];
	assert_int_equal(back, NHG_BUCKETS / 4); /* its 64, no other */
}

/* 4 members: 1 dies, then 3, then 1 returns. Each step moves only the
 * buckets of the member that changed; the return gives back the state of
 * "only 3 dead". */
static void test_nhgroup_two_deaths_then_one_return(void **state)
{
	struct nhg_table *t = *state;
	uint32_t live1 = ALL_LIVE & ~0x2u, live13 = live1 & ~0x8u;
	uint32_t live3 = ALL_LIVE & ~0x8u;
	static uint32_t b0[NHG_BUCKETS], b1[NHG_BUCKETS], b13[NHG_BUCKETS],
		b3[NHG_BUCKETS], b3ref[NHG_BUCKETS];
	static uint32_t f1[FLOWS], f13[FLOWS], f3[FLOWS];
	unsigned int b;

	group(t, 4, 0);
	buckets(t, ALL_LIVE, b0);
	buckets(t, live3, b3ref);
	buckets(t, live1, b1);
	flows(t, live1, f1);
	buckets(t, live13, b13);
	flows(t, live13, f13);
	assert_only_dead_move(b1, b13, NHG_BUCKETS, live13);
	assert_only_dead_move(f1, f13, FLOWS, live13);
	print_message("2 of 4 dead: spread %u\n", spread(b13, 4, live13));
	assert_in_range(spread(b13, 4, live13), 0, 1);
	/* member 1 returns: only buckets that member 1 takes change */
	buckets(t, live3, b3);
	flows(t, live3, f3);
	for (b = 0; b < NHG_BUCKETS; b++)
		if (b3[b] != b13[b])
			assert_int_equal(b3[b], MEMBER(1));
	for (b = 0; b < FLOWS; b++)
		if (f3[b] != f13[b])
			assert_int_equal(f3[b], MEMBER(1));
	assert_memory_equal(b3, b3ref, sizeof(b3));
	/* and exactly the buckets it had with only member 3 dead */
	for (b = 0; b < NHG_BUCKETS; b++)
		assert_int_equal(b3[b] == MEMBER(1), b3ref[b] == MEMBER(1));
	(void)b0;
}

/* 16 members: every single death spreads within one bucket, every pair of
 * deaths within two, and the second death moves only its buckets. */
static void test_nhgroup_16_members_one_and_two_deaths(void **state)
{
	struct nhg_table *t = *state;
	static uint32_t b0[NHG_BUCKETS], b1[NHG_BUCKETS], b2[NHG_BUCKETS];
	unsigned int d, e, worst = 0;

	group(t, 16, 0);
	buckets(t, ALL_LIVE, b0);
	for (d = 0; d < 16; d++) {
		check_one_death(t, 16, d);
		buckets(t, ALL_LIVE & ~(1u << d), b1);
		for (e = 0; e < 16; e++) {
			uint32_t live = ALL_LIVE & ~(1u << d) & ~(1u << e);
			unsigned int s;

			if (e == d)
				continue;
			buckets(t, live, b2);
			assert_only_dead_move(b1, b2, NHG_BUCKETS, live);
			s = spread(b2, 16, live);
			worst = s > worst ? s : worst;
		}
	}
	print_message("16 members, 2 dead: worst spread %u\n", worst);
	assert_in_range(worst, 0, 2);
}

/* 16 members, any 3 dead at once: the survivors' counts stay within three
 * buckets of each other (about 20 each, so within 15 %). */
static void test_nhgroup_16_members_three_deaths_stay_balanced(void **state)
{
	struct nhg_table *t = *state;
	uint32_t b3[NHG_BUCKETS];
	unsigned int d, e, f, worst = 0;

	group(t, 16, 0);
	for (d = 0; d < 16; d++)
		for (e = d + 1; e < 16; e++)
			for (f = e + 1; f < 16; f++) {
				uint32_t live = ALL_LIVE & ~(1u << d) &
						~(1u << e) & ~(1u << f);
				unsigned int s;

				buckets(t, live, b3);
				s = spread(b3, 16, live);
				worst = s > worst ? s : worst;
			}
	print_message("16 members, 3 dead: worst spread %u\n", worst);
	assert_in_range(worst, 0, 3);
}

static void test_nhgroup_backup_takes_over_when_all_primaries_die(
	void **state)
{
	struct nhg_table *t = *state;
	uint32_t none_primary = ALL_LIVE & ~0xfu;
	unsigned int b, on[2] = {0, 0};

	group(t, 4, 2);
	for (b = 0; b < NHG_BUCKETS; b++)
		assert_in_range(pick(t, b, ALL_LIVE), MEMBER(0), MEMBER(3));
	for (b = 0; b < NHG_BUCKETS; b++) {
		uint32_t id = pick(t, b, none_primary);

		assert_in_range(id, BACKUP(0), BACKUP(1));
		on[id - BACKUP(0)]++;
	}
	/* the backup set's own table splits evenly */
	assert_int_equal(on[0], NHG_BUCKETS / 2);
	assert_int_equal(on[1], NHG_BUCKETS / 2);
	/* one backup dies too (its port is 14): the other carries all */
	for (b = 0; b < NHG_BUCKETS; b++)
		assert_int_equal(pick(t, b, none_primary & ~(1u << 14)),
				 BACKUP(0));
}

static void test_nhgroup_traffic_returns_to_primaries_when_one_returns(
	void **state)
{
	struct nhg_table *t = *state;
	uint32_t none_primary = ALL_LIVE & ~0xfu;
	unsigned int b;

	group(t, 4, 2);
	for (b = 0; b < NHG_BUCKETS; b++)
		assert_in_range(pick(t, b, none_primary), BACKUP(0),
				BACKUP(1));
	/* member 2 returns: it carries everything, the backups nothing */
	for (b = 0; b < NHG_BUCKETS; b++)
		assert_int_equal(pick(t, b, none_primary | 0x4u), MEMBER(2));
	/* all return: the buckets are the ones before the failure */
	for (b = 0; b < NHG_BUCKETS; b++)
		assert_int_equal(pick(t, b, ALL_LIVE), MEMBER(b % 4));
}

static void test_nhgroup_no_live_member_is_no_nexthop(void **state)
{
	struct nhg_table *t = *state;
	enum nhg_result res;
	uint32_t unresolved;
	unsigned int b;

	group(t, 4, 2);
	for (b = 0; b < NHG_BUCKETS; b++) {
		assert_null(nhg_select_live(t, t->grp[GROUP_ID], b,
					    0xfu << 16, &res, &unresolved));
		assert_int_equal(res, NHG_NO_LIVE);
	}
	/* an empty group, too */
	group(t, 0, 0);
	assert_null(nhg_select_live(t, t->grp[GROUP_ID], 1, ALL_LIVE, &res,
				    &unresolved));
	assert_int_equal(res, NHG_NO_LIVE);
}

static void test_nhgroup_group_set_replacing_a_member_keeps_the_others(
	void **state)
{
	struct nhg_table *t = *state;
	struct chan_group g = {.id = GROUP_ID, .n_primary = 4,
			       .primary = {MEMBER(0), MEMBER(1), MEMBER(2),
					   MEMBER(3)}};
	uint32_t b0[NHG_BUCKETS], b1[NHG_BUCKETS];
	unsigned int b;

	assert_int_equal(nhg_group_set(t, &g, 1), 0);
	buckets(t, ALL_LIVE, b0);
	/* member 1 replaced by member 7, and the list reordered */
	g.primary[0] = MEMBER(3);
	g.primary[1] = MEMBER(7);
	g.primary[3] = MEMBER(0);
	assert_int_equal(nhg_group_set(t, &g, 2), 0);
	buckets(t, ALL_LIVE, b1);
	for (b = 0; b < NHG_BUCKETS; b++)
		assert_int_equal(b1[b],
				 b0[b] == MEMBER(1) ? MEMBER(7) : b0[b]);
}

static void test_nhgroup_group_set_adding_a_member_moves_only_its_share(
	void **state)
{
	struct nhg_table *t = *state;
	uint32_t b0[NHG_BUCKETS], b1[NHG_BUCKETS], b2[NHG_BUCKETS];
	unsigned int b, moved = 0;

	group(t, 3, 0);
	buckets(t, ALL_LIVE, b0);
	group(t, 4, 0);
	buckets(t, ALL_LIVE, b1);
	for (b = 0; b < NHG_BUCKETS; b++)
		if (b1[b] != b0[b]) {
			assert_int_equal(b1[b], MEMBER(3));
			moved++;
		}
	assert_int_equal(moved, NHG_BUCKETS / 4);
	assert_in_range(spread(b1, 4, ALL_LIVE), 0, 1);
	/* and removing it again gives its buckets out evenly, nothing else */
	group(t, 3, 0);
	buckets(t, ALL_LIVE, b2);
	assert_only_dead_move(b1, b2, NHG_BUCKETS, 0x7u);
	assert_in_range(spread(b2, 3, ALL_LIVE), 0, 1);
}

static void test_nhgroup_same_flow_same_member_across_calls_and_rebuild(
	void **state)
{
	struct nhg_table *t = *state;
	static uint32_t f0[FLOWS], f1[FLOWS], f2[FLOWS];
	uint32_t live = ALL_LIVE & ~(1u << 5) & ~(1u << 9);

	group(t, 16, 0);
	flows(t, live, f0);
	flows(t, live, f1);
	assert_memory_equal(f1, f0, sizeof(f0));
	group(t, 16, 0); /* GROUP_SET again, same members: new object */
	flows(t, live, f2);
	assert_memory_equal(f2, f0, sizeof(f0));
	/* and a group built from nothing with the same members agrees */
	assert_int_equal(nhg_group_del(t, GROUP_ID), 0);
	group(t, 16, 0);
	flows(t, live, f2);
	assert_memory_equal(f2, f0, sizeof(f0));
}

/* GROUP_SET runs on the main lcore between channel records: building the
 * largest group must stay well under a millisecond or two. */
static void test_nhgroup_group_set_of_16_members_is_fast(void **state)
{
	struct nhg_table *t = *state;
	struct timespec a, b;
	double ms;

	clock_gettime(CLOCK_MONOTONIC, &a);
	group(t, 16, 16);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ms = (double)(b.tv_sec - a.tv_sec) * 1e3 +
	     (double)(b.tv_nsec - a.tv_nsec) / 1e6;
	print_message("group_set 16+16 members: %.3f ms\n", ms);
	assert_true(ms < 50.0); /* generous: sanitizer and busy CI hosts */
}

/* A nexthop MEMBER(I) on port I, resolved to MAC ...:LAST. */
static void member_mac(struct nhg_table *t, unsigned int i, uint8_t last)
{
	struct chan_nexthop nh = {.id = MEMBER(i), .port = (uint16_t)i,
				  .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED,
				  .mac = {0x02, 0, 0, 0, 0x77, last}};

	assert_int_equal(nhg_nexthop_set(t, &nh, 1), 0);
}

/* Forwarding lcores may be reading the group a change replaces: the new
 * state comes as a new object, the old one is retired untouched. */
static void *retired[4];
static unsigned int n_retired;

static void retire_keep(void *ctx, void *obj)
{
	(void)ctx;
	assert_true(n_retired < 4);
	retired[n_retired++] = obj;
}

static void test_nhgroup_member_mac_change_republishes_its_groups(
	void **state)
{
	struct nhg_table *t = *state;
	struct chan_group other = {.id = GROUP_ID + 1, .n_primary = 2,
				   .primary = {MEMBER(2), MEMBER(3)}};
	const struct nhgroup *g0, *g1, *o0;
	unsigned int b, i;

	for (i = 0; i < 4; i++)
		member_mac(t, i, (uint8_t)i);
	g0 = group(t, 4, 0);
	assert_int_equal(nhg_group_set(t, &other, 1), 0);
	o0 = t->grp[GROUP_ID + 1];
	n_retired = 0;
	t->retire = retire_keep;

	/* the same nexthop again (a full sync): nothing republished */
	member_mac(t, 1, 1);
	assert_ptr_equal(t->grp[GROUP_ID], g0);
	assert_int_equal(n_retired, 1); /* the nexthop object only */
	free(retired[0]);
	n_retired = 0;

	/* member 1's MAC changes: its group is a new object whose member-1
	 * buckets carry the new MAC; the other group does not name it */
	member_mac(t, 1, 0x42);
	g1 = t->grp[GROUP_ID];
	assert_ptr_not_equal(g1, g0);
	assert_ptr_equal(t->grp[GROUP_ID + 1], o0);
	assert_int_equal(n_retired, 2); /* old nexthop, old group */
	assert_ptr_equal(retired[1], g0);
	for (b = 0; b < NHG_BUCKETS; b++) {
		assert_int_equal(g1->l2[b].nh_id, g0->l2[b].nh_id);
		assert_int_equal(g1->l2[b].dst.addr_bytes[5],
				 g1->l2[b].nh_id == MEMBER(1) ? 0x42 :
				 g1->l2[b].nh_id - 1);
		/* the retired object still reads as before */
		assert_int_equal(g0->l2[b].dst.addr_bytes[5],
				 g0->l2[b].nh_id - 1);
		assert_int_equal(pick(t, b, ALL_LIVE), g1->l2[b].nh_id);
	}
	assert_memory_equal(g1->bucket, g0->bucket, sizeof(g0->bucket));
	assert_memory_equal(g1->order, g0->order, sizeof(g0->order));
	for (i = 0; i < n_retired; i++)
		free(retired[i]);
	t->retire = nhg_fixture_retire;
}

static void test_nhgroup_unresolved_or_deleted_member_leaves_the_fast_path(
	void **state)
{
	struct nhg_table *t = *state;
	struct chan_nexthop nh = {.id = MEMBER(2), .port = 2,
				  .family = AF_INET};
	uint32_t b0[NHG_BUCKETS], b1[NHG_BUCKETS];
	enum nhg_result res;
	uint32_t unresolved;
	unsigned int b;

	group(t, 4, 0);
	buckets(t, ALL_LIVE, b0);
	/* member 2 loses its MAC: its buckets, and only those, move (the
	 * walk sees it unresolved), the others stay on their entries */
	assert_int_equal(nhg_nexthop_set(t, &nh, 1), 0);
	for (b = 0; b < NHG_BUCKETS; b++) {
		const struct nhg_l2 *e = nhg_l2_home(t->grp[GROUP_ID], b,
						     ALL_LIVE);

		if (b0[b] == MEMBER(2)) {
			assert_null(e);
			assert_int_equal(t->grp[GROUP_ID]->l2[b].usable, 0);
		} else {
			assert_non_null(e);
		}
	}
	buckets(t, ALL_LIVE, b1);
	assert_only_dead_move(b0, b1, NHG_BUCKETS, ALL_LIVE & ~(1u << 2));
	/* alone in a group, unresolved is a miss to report */
	{
		struct chan_group g1 = {.id = GROUP_ID, .n_primary = 1,
					.primary = {MEMBER(2)}};
		struct nhg_l2 scratch;

		assert_int_equal(nhg_group_set(t, &g1, 1), 0);
		assert_null(nhg_select_l2(t, t->grp[GROUP_ID], 7, ALL_LIVE,
					  &scratch, &res, &unresolved));
		assert_int_equal(res, NHG_UNRESOLVED);
		assert_int_equal(unresolved, MEMBER(2));
	}
	/* deleted: the same buckets move as when it was unresolved (the
	 * group rebuilt from nothing, as at first) */
	assert_int_equal(nhg_group_del(t, GROUP_ID), 0);
	group(t, 4, 0);
	assert_int_equal(nhg_nexthop_del(t, MEMBER(2)), 0);
	buckets(t, ALL_LIVE, b0);
	assert_memory_equal(b0, b1, sizeof(b0));
	/* back, resolved: every bucket is its home member's entry again */
	assert_int_equal(nhg_fixture_nexthop(t, MEMBER(2), 2), 0);
	for (b = 0; b < NHG_BUCKETS; b++)
		assert_non_null(nhg_l2_home(t->grp[GROUP_ID], b, ALL_LIVE));
}

static void test_nhgroup_swept_member_leaves_the_fast_path(void **state)
{
	struct nhg_table *t = *state;
	struct chan_nexthop nh = {.id = MEMBER(0), .port = 0,
				  .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED};
	struct chan_group g = {.id = GROUP_ID, .n_primary = 2,
			       .primary = {MEMBER(0), MEMBER(1)}};
	unsigned int b;

	/* generation 2 restamps the group and member 0, not member 1 */
	assert_int_equal(nhg_nexthop_set(t, &nh, 2), 0);
	assert_int_equal(nhg_group_set(t, &g, 2), 0);
	assert_int_equal(nhg_sweep(t, 2), 0);
	assert_null(t->nh[MEMBER(1)]);
	for (b = 0; b < NHG_BUCKETS; b++)
		assert_int_equal(pick(t, b, ALL_LIVE), MEMBER(0));
	for (b = 1; b < NHG_BUCKETS; b += 2)
		assert_null(nhg_l2_home(t->grp[GROUP_ID], b, ALL_LIVE));
}

static void test_nhgroup_port_mac_is_the_source_of_every_entry(void **state)
{
	struct nhg_table *t = *state;
	const struct rte_ether_addr mac = {{0x02, 0xaa, 0, 0, 0, 0x01}};
	const struct nhgroup *g0;
	unsigned int b;

	g0 = group(t, 4, 0);
	assert_int_equal(nhg_port_mac_set(t, 1, &mac), 0);
	assert_ptr_not_equal(t->grp[GROUP_ID], g0);
	for (b = 0; b < NHG_BUCKETS; b++) {
		const struct nhg_l2 *e = &t->grp[GROUP_ID]->l2[b];

		assert_true(rte_is_same_ether_addr(&e->src, e->port == 1 ?
			&mac : &t->port_mac[0]));
		assert_int_equal(pick(t, b, ALL_LIVE), e->nh_id);
	}
	assert_int_equal(nhg_port_mac_set(t, NH_PORT_MAX, &mac), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, nhg_fixture_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_nhgroup_dead_member_moves_only_its_buckets_evenly),
		T(test_nhgroup_every_group_size_spreads_a_dead_member_evenly),
		T(test_nhgroup_returning_member_gets_exactly_its_buckets_back),
		T(test_nhgroup_two_deaths_then_one_return),
		T(test_nhgroup_16_members_one_and_two_deaths),
		T(test_nhgroup_16_members_three_deaths_stay_balanced),
		T(test_nhgroup_backup_takes_over_when_all_primaries_die),
		T(test_nhgroup_traffic_returns_to_primaries_when_one_returns),
		T(test_nhgroup_no_live_member_is_no_nexthop),
		T(test_nhgroup_group_set_replacing_a_member_keeps_the_others),
		T(test_nhgroup_group_set_adding_a_member_moves_only_its_share),
		T(test_nhgroup_same_flow_same_member_across_calls_and_rebuild),
		T(test_nhgroup_group_set_of_16_members_is_fast),
		T(test_nhgroup_member_mac_change_republishes_its_groups),
		T(test_nhgroup_unresolved_or_deleted_member_leaves_the_fast_path),
		T(test_nhgroup_swept_member_leaves_the_fast_path),
		T(test_nhgroup_port_mac_is_the_source_of_every_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
