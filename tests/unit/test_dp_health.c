/* The live-port mask of twinpath-dp (dataplane/nhgroup.h): link state,
 * admin flag and the health map's BFD live_mask combine per burst; a link
 * whose BFD bit clears loses only its own buckets' flows, and a link
 * without BFD ignores the mask. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "nhg_fixture.h"
#include "nhgroup.h"

#define NH_LINK1 1u
#define NH_LINK2 2u
#define NH_LINK3 3u
#define GROUP_ID 9u
#define FLOWS 4096u

/* Links 0, 1 and 2 up, one nexthop each, one group of the three; links 0
 * and 1 run BFD, link 2 does not. */
static int setup(void **state)
{
	struct nhg_table *t = nhg_fixture_table(4);
	struct chan_group g = {.id = GROUP_ID, .n_primary = 3,
			       .primary = {NH_LINK1, NH_LINK2, NH_LINK3}};
	uint16_t p;

	if (t == NULL)
		return -1;
	for (p = 0; p < 3; p++) {
		t->link_up[p] = 1;
		if (nhg_fixture_nexthop(t, NH_LINK1 + p, p) != 0)
			return -1;
	}
	t->bfd_ports = 0x3;
	if (nhg_group_set(t, &g, 1) != 0)
		return -1;
	*state = t;
	return 0;
}

/* Port of each flow hash 0..FLOWS-1 under BFD_LIVE; 0xffff for none. */
static void ports_of(const struct nhg_table *t, uint64_t bfd_live,
		     uint16_t *port)
{
	uint32_t live = nhg_live_ports(t, bfd_live), h;
	enum nhg_result res;
	uint32_t unresolved;

	for (h = 0; h < FLOWS; h++) {
		const struct nexthop *nh =
			nhg_select_live(t, t->grp[GROUP_ID], h * 2654435761u,
					live, &res, &unresolved);
		port[h] = nh != NULL ? nh->port : 0xffff;
	}
}

static void test_health_mask_combines_link_admin_and_bfd(void **state)
{
	struct nhg_table *t = *state;

	assert_int_equal(nhg_live_ports(t, 0x3), 0x7);
	/* a BFD link's bit gates it; link 2 has no BFD: mask ignored */
	assert_int_equal(nhg_live_ports(t, 0x1), 0x5);
	assert_int_equal(nhg_live_ports(t, 0x0), 0x4);
	assert_int_equal(nhg_live_ports(t, 0x4), 0x4);
	/* bits above the links change nothing */
	assert_int_equal(nhg_live_ports(t, ~0ull), 0x7);
	/* link down wins over a live BFD bit */
	t->link_up[0] = 0;
	assert_int_equal(nhg_live_ports(t, 0x3), 0x6);
	t->link_up[0] = 1;
	/* admin down wins too */
	t->admin_down[1] = 1;
	assert_int_equal(nhg_live_ports(t, 0x3), 0x5);
	t->admin_down[1] = 0;
	/* no health map: bfd_ports is 0, every up link is live */
	t->bfd_ports = 0;
	assert_int_equal(nhg_live_ports(t, 0), 0x7);
}

static void test_health_bfd_bit_clear_moves_only_its_buckets(void **state)
{
	struct nhg_table *t = *state;
	static uint16_t before[FLOWS], after[FLOWS], back[FLOWS];
	unsigned int h, moved = 0, on_link1 = 0;

	ports_of(t, 0x3, before);
	ports_of(t, 0x2, after); /* link 0's session goes Down */
	for (h = 0; h < FLOWS; h++) {
		assert_int_not_equal(after[h], 0);
		assert_int_not_equal(after[h], 0xffff);
		if (before[h] == 0) {
			moved++;
		} else {
			/* flows of the surviving links keep their link */
			assert_int_equal(after[h], before[h]);
		}
		on_link1 += before[h] == 0;
	}
	assert_int_equal(moved, on_link1);
	assert_true(on_link1 > FLOWS / 4); /* link 0 really carried flows */
	/* Up again: every flow is back where it was */
	ports_of(t, 0x3, back);
	assert_memory_equal(back, before, sizeof(before));
}

/* The flows of the link whose BFD bit clears split about evenly over the
 * two survivors (its buckets are spread, not handed to one neighbour). */
static void test_health_bfd_bit_clear_spreads_its_flows_evenly(void **state)
{
	struct nhg_table *t = *state;
	static uint16_t before[FLOWS], after[FLOWS];
	unsigned int h, to1 = 0, to2 = 0;

	ports_of(t, 0x3, before);
	ports_of(t, 0x2, after);
	for (h = 0; h < FLOWS; h++)
		if (before[h] == 0) {
			to1 += after[h] == 1;
			to2 += after[h] == 2;
		}
	print_message("link 0's flows: %u to link 1, %u to link 2\n", to1,
		      to2);
	assert_true(to1 * 10 >= (to1 + to2) * 4);
	assert_true(to2 * 10 >= (to1 + to2) * 4);
}

static void test_health_no_live_member_when_all_bits_clear(void **state)
{
	struct nhg_table *t = *state;
	uint32_t unresolved;
	enum nhg_result res;

	t->link_up[2] = 0; /* the link without BFD is down */
	assert_null(nhg_select_live(t, t->grp[GROUP_ID], 1,
				    nhg_live_ports(t, 0), &res, &unresolved));
	assert_int_equal(res, NHG_NO_LIVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_health_mask_combines_link_admin_and_bfd, setup,
			nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_health_bfd_bit_clear_moves_only_its_buckets, setup,
			nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_health_bfd_bit_clear_spreads_its_flows_evenly,
			setup, nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_health_no_live_member_when_all_bits_clear, setup,
			nhg_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
