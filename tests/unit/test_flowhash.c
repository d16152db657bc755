/* Flow hash + nexthop-group selection (dataplane/flowhash.c, nhgroup.c):
 * the member a flow gets is stable, flows spread evenly over the members,
 * fragments stay together, and only a dead member's flows move. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "flowhash.h"
#include "nhg_fixture.h"
#include "nhgroup.h"

#define NH_LINK1 1u
#define NH_LINK2 2u
#define GROUP_ID 7u

struct pkt {
	struct rte_ipv4_hdr ip;
	struct rte_udp_hdr udp;
} __attribute__((packed));

/* Two links (ports 0 and 1, both up), one nexthop on each, one group
 * with both as primary members. */
static int setup(void **state)
{
	struct nhg_table *t = nhg_fixture_table(3);
	struct chan_group g = {.id = GROUP_ID, .n_primary = 2,
			       .primary = {NH_LINK1, NH_LINK2}};

	if (t == NULL)
		return -1;
	t->link_up[0] = t->link_up[1] = 1;
	if (nhg_fixture_nexthop(t, NH_LINK1, 0) != 0 ||
	    nhg_fixture_nexthop(t, NH_LINK2, 1) != 0 ||
	    nhg_group_set(t, &g, 1) != 0)
		return -1;
	*state = t;
	return 0;
}

static void make_pkt(struct pkt *p, uint32_t src, uint32_t dst, uint8_t proto,
		     uint16_t sport, uint16_t dport, uint16_t frag)
{
	memset(p, 0, sizeof(*p));
	p->ip.version_ihl = RTE_IPV4_VHL_DEF;
	p->ip.total_length = rte_cpu_to_be_16(sizeof(*p));
	p->ip.fragment_offset = rte_cpu_to_be_16(frag);
	p->ip.time_to_live = 64;
	p->ip.next_proto_id = proto;
	p->ip.src_addr = rte_cpu_to_be_32(src);
	p->ip.dst_addr = rte_cpu_to_be_32(dst);
	p->udp.src_port = rte_cpu_to_be_16(sport);
	p->udp.dst_port = rte_cpu_to_be_16(dport);
}

static uint32_t member_of(const struct nhg_table *t, const struct pkt *p)
{
	enum nhg_result res;
	const struct nexthop *nh;

	nh = nhg_select(t, t->grp[GROUP_ID],
			flow_hash_ipv4(&p->ip, sizeof(*p)), &res);
	assert_int_equal(res, NHG_OK);
	assert_non_null(nh);
	return nh->id;
}

static void test_flowhash_same_flow_same_member(void **state)
{
	const struct nhg_table *t = *state;
	struct pkt p;
	uint32_t first;
	int i;

	make_pkt(&p, 0xc6120a0a, 0xc633640a, IPPROTO_UDP, 40000, 9000, 0);
	first = member_of(t, &p);
	for (i = 0; i < 1000; i++) {
		/* only fields outside the 5-tuple change */
		p.ip.packet_id = rte_cpu_to_be_16((uint16_t)i);
		p.ip.time_to_live = (uint8_t)(64 - i % 32);
		assert_int_equal(member_of(t, &p), first);
	}
}

static void test_flowhash_random_flows_split_evenly(void **state)
{
	const struct nhg_table *t = *state;
	unsigned int on_link1 = 0, i;
	struct pkt p;

	srandom(20261125); /* fixed seed: the same flows every run */
	for (i = 0; i < 10000; i++) {
		make_pkt(&p, 0xc6120000u | ((uint32_t)random() & 0xffff),
			 0xc6336400u | ((uint32_t)random() & 0xff),
			 (random() & 1) ? IPPROTO_UDP : IPPROTO_TCP,
			 (uint16_t)random(), (uint16_t)random(), 0);
		if (member_of(t, &p) == NH_LINK1)
			on_link1++;
	}
	print_message("link1 %u of 10000 flows\n", on_link1);
	assert_in_range(on_link1, 4500, 5500);
}

/* Flipping any one bit of the source port moves a flow to the other of
 * two members for about half of all flows. A linear hash (plain CRC)
 * fails this: a given bit then moves every flow or none, so structured
 * flow sets (ports stepping by a power of two) pile onto one link. */
static void test_flowhash_each_port_bit_moves_about_half_the_flows(void **state)
{
	const struct nhg_table *t = *state;
	unsigned int bit, i;
	struct pkt a, b;

	srandom(4271);
	for (bit = 0; bit < 16; bit++) {
		unsigned int moved = 0;

		for (i = 0; i < 2000; i++) {
			uint32_t src = 0xc6120000u | ((uint32_t)random() & 0xffff);
			uint16_t sport = (uint16_t)random();

			make_pkt(&a, src, 0xc633640a, IPPROTO_UDP, sport, 9000, 0);
			make_pkt(&b, src, 0xc633640a, IPPROTO_UDP,
				 (uint16_t)(sport ^ (1u << bit)), 9000, 0);
			if (member_of(t, &a) != member_of(t, &b))
				moved++;
		}
		assert_in_range(moved, 800, 1200);
	}
}

static void test_flowhash_fragments_use_three_tuple(void **state)
{
	const struct nhg_table *t = *state;
	uint32_t first_member, h_first;
	struct pkt p;
	unsigned int i;

	/* First fragment (MF set, offset 0): carries ports, must ignore them */
	make_pkt(&p, 0xc6120a0a, 0xc633640a, IPPROTO_UDP, 40000, 9000,
		 RTE_IPV4_HDR_MF_FLAG);
	h_first = flow_hash_ipv4(&p.ip, sizeof(p));
	first_member = member_of(t, &p);
	for (i = 1; i < 200; i++) {
		/* other "ports" and later fragments: same hash, same member */
		make_pkt(&p, 0xc6120a0a, 0xc633640a, IPPROTO_UDP,
			 (uint16_t)(40000 + i), (uint16_t)(9000 + 7 * i),
			 (i & 1) ? (uint16_t)(RTE_IPV4_HDR_MF_FLAG | i) :
				   (uint16_t)i);
		assert_int_equal(flow_hash_ipv4(&p.ip, sizeof(p)), h_first);
		assert_int_equal(member_of(t, &p), first_member);
	}
}

static void test_flowhash_unfragmented_udp_uses_ports(void **state)
{
	const struct nhg_table *t = *state;
	unsigned int seen[2] = {0, 0};
	struct pkt p;
	uint16_t sport;

	/* Same 3-tuple, varying source port: both members get flows. */
	for (sport = 1024; sport < 1024 + 64; sport++) {
		make_pkt(&p, 0xc6120a0a, 0xc633640a, IPPROTO_UDP, sport, 9000,
			 0);
		seen[member_of(t, &p) == NH_LINK1 ? 0 : 1]++;
	}
	assert_true(seen[0] > 0 && seen[1] > 0);
}

static void make_flow(struct pkt *p, unsigned int i)
{
	make_pkt(p, 0xc6120000u | (i & 0xffff), 0xc633640a, IPPROTO_UDP,
		 (uint16_t)(1024 + i * 7), 9000, 0);
}

static void test_flowhash_dead_link_moves_only_its_flows(void **state)
{
	struct nhg_table *t = *state;
	uint32_t before[1000];
	unsigned int i, moved = 0;
	struct pkt p;

	for (i = 0; i < 1000; i++) {
		make_flow(&p, i);
		before[i] = member_of(t, &p);
	}
	t->link_up[1] = 0; /* link2's port goes down */
	for (i = 0; i < 1000; i++) {
		make_flow(&p, i);
		if (before[i] == NH_LINK1)
			assert_int_equal(member_of(t, &p), NH_LINK1);
		else
			moved += member_of(t, &p) == NH_LINK1;
	}
	/* every flow of link2 moved to link1, none of link1's changed */
	assert_int_not_equal(moved, 0);
	for (i = 0; i < 1000; i++)
		moved -= before[i] == NH_LINK2;
	assert_int_equal(moved, 0);
}

static void test_flowhash_backup_takes_over_when_primaries_die(void **state)
{
	struct nhg_table *t = *state;
	struct chan_nexthop nh = {.id = 3, .port = 2, .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED};
	struct chan_group g = {.id = GROUP_ID, .n_primary = 2, .n_backup = 1,
			       .primary = {NH_LINK1, NH_LINK2},
			       .backup = {3}};
	enum nhg_result res;
	struct pkt p;

	t->link_up[2] = 1;
	assert_int_equal(nhg_nexthop_set(t, &nh, 1), 0);
	assert_int_equal(nhg_group_set(t, &g, 1), 0);
	make_flow(&p, 1);
	assert_int_not_equal(member_of(t, &p), 3);
	t->link_up[0] = t->link_up[1] = 0;
	assert_int_equal(member_of(t, &p), 3);
	t->link_up[2] = 0;
	assert_null(nhg_select(t, t->grp[GROUP_ID],
			       flow_hash_ipv4(&p.ip, sizeof(p)), &res));
	assert_int_equal(res, NHG_NO_LIVE);
}

static void test_flowhash_unresolved_members_are_skipped(void **state)
{
	struct nhg_table *t = *state;
	struct chan_nexthop nh = {.id = NH_LINK2, .port = 1,
				  .family = AF_INET}; /* no MAC */
	enum nhg_result res;
	uint32_t unresolved;
	unsigned int i;
	struct pkt p;

	assert_int_equal(nhg_nexthop_set(t, &nh, 1), 0);
	for (i = 0; i < 100; i++) {
		make_flow(&p, i);
		assert_int_equal(member_of(t, &p), NH_LINK1);
	}
	t->link_up[0] = 0;
	assert_null(nhg_select_why(t, t->grp[GROUP_ID],
				   flow_hash_ipv4(&p.ip, sizeof(p)), &res,
				   &unresolved));
	assert_int_equal(res, NHG_UNRESOLVED);
	assert_int_equal(unresolved, NH_LINK2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_flowhash_same_flow_same_member, setup, nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_flowhash_random_flows_split_evenly, setup,
			nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_flowhash_each_port_bit_moves_about_half_the_flows,
			setup, nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_flowhash_fragments_use_three_tuple, setup,
			nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_flowhash_unfragmented_udp_uses_ports, setup,
			nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_flowhash_dead_link_moves_only_its_flows, setup,
			nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_flowhash_backup_takes_over_when_primaries_die,
			setup, nhg_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_flowhash_unresolved_members_are_skipped, setup,
			nhg_fixture_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
