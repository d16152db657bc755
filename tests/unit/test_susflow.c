/* Sampled flows of link suspicion (dataplane/susflow.c) with a clock of
 * 1 GHz, so that a TSC value is nanoseconds: what a packet each way
 * leaves in a flow's entry, and which flows the scan counts against
 * which link: unanswered past their bound, or distressed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "susflow.h"

#define MS 1000000ull
#define HZ 1000000000ull
#define SITE 0xc612010au    /* 198.18.1.10 */
#define REMOTE1 0xc6336407u /* 198.51.100.7 */
#define REMOTE2 0xcb00710au /* 203.0.113.10 */
#define LINK1 0u
#define LINK2 1u

static struct susflow_table tab;

static int reset(void **state)
{
	(void)state;
	memset(&tab, 0, sizeof(tab));
	return 0;
}

/* A UDP packet of flow (SITE:SPORT, REMOTE:2000): out over LINK, or
 * back (LINK SUSFLOW_NO_LINK) at T ms. */
static void udp(struct susflow_table *t, uint32_t remote, uint16_t sport,
		uint8_t link, uint64_t t_ms)
{
	uint32_t ports = (uint32_t)sport << 16 | 2000u;

	if (link == SUSFLOW_NO_LINK)
		susflow_note4(t, susflow_hash4(remote, SITE,
					       ports << 16 | ports >> 16),
			      remote, SITE, ports << 16 | ports >> 16,
			      IPPROTO_UDP, link, 0, 0, 0, t_ms * MS);
	else
		susflow_note4(t, susflow_hash4(SITE, remote, ports), SITE,
			      remote, ports, IPPROTO_UDP, link, 0, 0, 0,
			      t_ms * MS);
}

static const struct susflow_entry *entry(uint32_t remote, uint16_t sport)
{
	uint32_t ports = (uint32_t)sport << 16 | 2000u;

	return &tab.e[(susflow_hash4(SITE, remote, ports) >> 10) &
		      (SUSFLOW_SLOTS - 1)];
}

static void scan(uint64_t t_ms, struct suspect_obs *o)
{
	memset(o, 0, sizeof(*o) * 2);
	susflow_scan(&tab, t_ms * MS, HZ, o, 2);
}

static void test_susflow_hash_is_the_same_both_ways(void **st)
{
	(void)st;
	assert_int_equal(susflow_hash4(SITE, REMOTE1, 1000u << 16 | 2000u),
			 susflow_hash4(REMOTE1, SITE, 2000u << 16 | 1000u));
	assert_int_not_equal(susflow_hash4(SITE, REMOTE1, 1000u << 16 | 2000u),
			     susflow_hash4(SITE, REMOTE1, 1001u << 16 | 2000u));
}

static void test_susflow_answer_makes_it_two_way_and_times_it(void **st)
{
	const struct susflow_entry *e = entry(REMOTE1, 1000);

	(void)st;
	udp(&tab, REMOTE1, 1000, LINK1, 100);
	assert_int_equal(e->link, LINK1);
	assert_int_equal(e->pending_tsc, 100 * MS);
	assert_int_equal(e->twoway, 0);
	udp(&tab, REMOTE1, 1000, LINK1, 101);   /* still waiting */
	assert_int_equal(e->pending_tsc, 100 * MS);
	udp(&tab, REMOTE1, 1000, SUSFLOW_NO_LINK, 104);
	assert_int_equal(e->twoway, 1);
	assert_int_equal(e->pending_tsc, 0);
	assert_int_equal(e->srtt_tsc, 4 * MS);
	assert_int_equal(e->in_tsc, 104 * MS);
	/* RFC 6298's gain of 1/8 */
	udp(&tab, REMOTE1, 1000, LINK1, 200);
	udp(&tab, REMOTE1, 1000, SUSFLOW_NO_LINK, 212);
	assert_int_equal(e->srtt_tsc, 4 * MS - 4 * MS / 8 + 12 * MS / 8);
	assert_int_equal(e->remote, REMOTE1);
	assert_int_equal(tab.noted, 5);
}

static void test_susflow_unanswered_past_the_bound(void **st)
{
	struct suspect_obs o[2];

	(void)st;
	udp(&tab, REMOTE1, 1000, LINK1, 100);
	udp(&tab, REMOTE1, 1000, SUSFLOW_NO_LINK, 101);  /* srtt 1 ms */
	udp(&tab, REMOTE1, 1000, LINK1, 300);
	/* the bound: max(20 ms, 4 x 1 ms) */
	scan(320, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	scan(321, o);
	assert_int_equal(o[LINK1].unanswered, 1);
	assert_int_equal(o[LINK1].unanswered_remotes, 1);
	assert_int_equal(o[LINK2].unanswered, 0);
	/* a slow flow waits 4 x its own srtt: 4 x 50 ms */
	reset(NULL);
	udp(&tab, REMOTE1, 1000, LINK1, 100);
	udp(&tab, REMOTE1, 1000, SUSFLOW_NO_LINK, 150);
	udp(&tab, REMOTE1, 1000, LINK1, 300);
	scan(500, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	scan(501, o);
	assert_int_equal(o[LINK1].unanswered, 1);
}

static void test_susflow_counts_flows_and_their_remotes_per_link(void **st)
{
	struct suspect_obs o[2];
	uint16_t sp[] = {1000, 1001, 1002};
	unsigned int i;

	(void)st;
	for (i = 0; i < 3; i++) {
		uint32_t r = i < 2 ? REMOTE1 : REMOTE2;

		udp(&tab, r, sp[i], LINK1, 100);
		udp(&tab, r, sp[i], SUSFLOW_NO_LINK, 101);
		udp(&tab, r, sp[i], LINK1, 200);
	}
	/* one more on link 2, answered */
	udp(&tab, REMOTE1, 1003, LINK2, 100);
	udp(&tab, REMOTE1, 1003, SUSFLOW_NO_LINK, 101);
	/* one-way on link 1: not a two-way flow */
	udp(&tab, REMOTE2, 1004, LINK1, 150);
	scan(300, o);
	assert_int_equal(o[LINK1].unanswered, 3);
	assert_int_equal(o[LINK1].unanswered_remotes, 2);
	assert_int_equal(o[LINK2].unanswered, 0);
	/* out of how many: the two-way flows out of each link */
	assert_int_equal(o[LINK1].twoway_flows, 3);
	assert_int_equal(o[LINK2].twoway_flows, 1);
	assert_int_equal(o[LINK1].tcp_flows, 0);
	/* a flow whose last packet out is over 2 s old is no longer on its
	 * link (link 2's, out at 100 ms), one whose last answer is, no
	 * longer two-way (link 1's, answered at 101 ms) */
	scan(2100, o);
	assert_int_equal(o[LINK1].twoway_flows, 3);
	assert_int_equal(o[LINK2].twoway_flows, 1);
	scan(2101, o);
	assert_int_equal(o[LINK1].twoway_flows, 3);
	assert_int_equal(o[LINK2].twoway_flows, 0);
	scan(2102, o);
	assert_int_equal(o[LINK1].twoway_flows, 0);
	assert_int_equal(o[LINK2].twoway_flows, 0);
}

static void test_susflow_one_way_and_quiet_flows_do_not_count(void **st)
{
	struct suspect_obs o[2];

	(void)st;
	/* one-way UDP: never answered */
	udp(&tab, REMOTE1, 1000, LINK1, 100);
	udp(&tab, REMOTE1, 1000, LINK1, 1000);
	/* answered, then nothing out for over 2 s */
	udp(&tab, REMOTE2, 1001, LINK1, 100);
	udp(&tab, REMOTE2, 1001, SUSFLOW_NO_LINK, 101);
	udp(&tab, REMOTE2, 1001, LINK1, 102);
	scan(1100, o);
	assert_int_equal(o[LINK1].unanswered, 1);
	scan(2103, o);
	assert_int_equal(o[LINK1].unanswered, 0);
}

static void tcp(struct susflow_table *t, uint16_t sport, uint8_t link,
		uint32_t seq, uint32_t len, uint8_t flags, uint64_t t_ms)
{
	uint32_t ports = (uint32_t)sport << 16 | 443u;

	if (link == SUSFLOW_NO_LINK)
		susflow_note4(t, susflow_hash4(REMOTE1, SITE,
					       ports << 16 | ports >> 16),
			      REMOTE1, SITE, ports << 16 | ports >> 16,
			      IPPROTO_TCP, link, seq, len, flags, t_ms * MS);
	else
		susflow_note4(t, susflow_hash4(SITE, REMOTE1, ports), SITE,
			      REMOTE1, ports, IPPROTO_TCP, link, seq, len,
			      flags, t_ms * MS);
}

static void test_susflow_tcp_distress(void **st)
{
	struct suspect_obs o[2];

	(void)st;
	/* a segment sent again */
	tcp(&tab, 40000, LINK1, 1000, 100, 0x10, 100);
	tcp(&tab, 40000, LINK1, 1100, 100, 0x10, 101);
	scan(102, o);
	assert_int_equal(o[LINK1].distress, 0);
	/* out of the link's TCP flows: this one, answered or not */
	assert_int_equal(o[LINK1].tcp_flows, 1);
	assert_int_equal(o[LINK1].twoway_flows, 0);
	tcp(&tab, 40000, LINK1, 1100, 100, 0x10, 300);
	scan(301, o);
	assert_int_equal(o[LINK1].distress, 1);
	assert_int_equal(o[LINK1].tcp_flows, 1);
	/* counted for 500 ms */
	scan(800, o);
	assert_int_equal(o[LINK1].distress, 1);
	scan(801, o);
	assert_int_equal(o[LINK1].distress, 0);
	/* a repeated SYN */
	tcp(&tab, 40001, LINK1, 5000, 0, 0x02, 1000);
	scan(1001, o);
	assert_int_equal(o[LINK1].distress, 0);
	tcp(&tab, 40001, LINK1, 5000, 0, 0x02, 2000);
	scan(2001, o);
	assert_int_equal(o[LINK1].distress, 1);
	/* data received twice (sequence numbers wrap) */
	tcp(&tab, 40002, LINK2, 1, 0, 0x10, 3000);
	tcp(&tab, 40002, SUSFLOW_NO_LINK, 0xffffff00u, 0x200, 0x10, 3001);
	scan(3002, o);
	assert_int_equal(o[LINK2].distress, 0);
	tcp(&tab, 40002, SUSFLOW_NO_LINK, 0xffffff80u, 0x100, 0x10, 3100);
	scan(3101, o);
	assert_int_equal(o[LINK2].distress, 1);
}

/* A reset out awaits no answer, and ends the wait of what it aborts. */
static void test_susflow_reset_out_is_not_unanswered(void **st)
{
	struct suspect_obs o[2];

	(void)st;
	tcp(&tab, 40003, LINK1, 1000, 64, 0x18, 100);
	tcp(&tab, 40003, SUSFLOW_NO_LINK, 5000, 256, 0x18, 101);
	/* a request unanswered, then the site aborts the flow */
	tcp(&tab, 40003, LINK1, 1064, 64, 0x18, 200);
	tcp(&tab, 40003, LINK1, 1128, 0, 0x04, 210);
	scan(1000, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	/* the same without the reset waits past its bound */
	tcp(&tab, 40004, LINK1, 1000, 64, 0x18, 100);
	tcp(&tab, 40004, SUSFLOW_NO_LINK, 5000, 256, 0x18, 101);
	tcp(&tab, 40004, LINK1, 1064, 64, 0x18, 200);
	scan(1000, o);
	assert_int_equal(o[LINK1].unanswered, 1);
	/* a reset (with ACK) right after an answer opens no wait */
	reset(NULL);
	tcp(&tab, 40003, LINK1, 1000, 64, 0x18, 100);
	tcp(&tab, 40003, SUSFLOW_NO_LINK, 5000, 256, 0x18, 101);
	tcp(&tab, 40003, LINK1, 1064, 0, 0x14, 150);
	scan(1000, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	assert_int_equal(o[LINK1].distress, 0);
}

/* A bare ACK out expects no answer: the delayed ACK after a response
 * does not wait for the next one. */
static void test_susflow_bare_ack_out_awaits_nothing(void **st)
{
	struct suspect_obs o[2];

	(void)st;
	tcp(&tab, 40005, LINK1, 1000, 64, 0x18, 100);
	tcp(&tab, 40005, SUSFLOW_NO_LINK, 5000, 256, 0x18, 101); /* srtt 1 */
	tcp(&tab, 40005, LINK1, 1064, 0, 0x10, 141);
	scan(433, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	/* the next request waits: past max(20 ms, 4 x 1 ms) */
	tcp(&tab, 40005, LINK1, 1064, 64, 0x18, 433);
	scan(453, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	scan(454, o);
	assert_int_equal(o[LINK1].unanswered, 1);
	/* a FIN awaits its acknowledgement */
	reset(NULL);
	tcp(&tab, 40005, LINK1, 1000, 64, 0x18, 100);
	tcp(&tab, 40005, SUSFLOW_NO_LINK, 5000, 256, 0x18, 101);
	tcp(&tab, 40005, LINK1, 1064, 0, 0x11, 200);
	scan(221, o);
	assert_int_equal(o[LINK1].unanswered, 1);
}

/* A new connection on the same ports (a reused source port): its SYN
 * has another initial sequence number, and its data is new, not sent
 * again; the same SYN twice is still distress. */
static void test_susflow_new_connection_on_the_same_ports(void **st)
{
	struct suspect_obs o[2];

	(void)st;
	tcp(&tab, 40006, LINK1, 5000, 0, 0x02, 100);
	tcp(&tab, 40006, SUSFLOW_NO_LINK, 9000, 0, 0x12, 101);
	tcp(&tab, 40006, LINK1, 5001, 100000, 0x10, 102);
	tcp(&tab, 40006, LINK1, 105001, 0, 0x14, 200);
	tcp(&tab, 40006, LINK1, 3000, 0, 0x02, 2000);
	tcp(&tab, 40006, SUSFLOW_NO_LINK, 7000, 0, 0x12, 2001);
	tcp(&tab, 40006, LINK1, 3001, 100, 0x18, 2002);
	tcp(&tab, 40006, SUSFLOW_NO_LINK, 7001, 100, 0x18, 2003);
	scan(2004, o);
	assert_int_equal(o[LINK1].distress, 0);
	tcp(&tab, 40007, LINK1, 3000, 0, 0x02, 3000);
	tcp(&tab, 40007, LINK1, 3000, 0, 0x02, 4000);
	scan(4001, o);
	assert_int_equal(o[LINK1].distress, 1);
}

static void test_susflow_other_flow_takes_the_slot(void **st)
{
	struct susflow_entry *e;
	uint32_t h = susflow_hash4(SITE, REMOTE1, 1000u << 16 | 2000u);

	(void)st;
	udp(&tab, REMOTE1, 1000, LINK1, 100);
	e = &tab.e[(h >> 10) & (SUSFLOW_SLOTS - 1)];
	/* another flow with the same slot (the hash given as is) */
	susflow_note4(&tab, h, SITE, REMOTE2, 7u << 16 | 8u, IPPROTO_UDP,
		      LINK2, 0, 0, 0, 200 * MS);
	assert_int_equal(tab.replaced, 1);
	assert_int_equal(e->link, LINK2);
	assert_int_equal(e->pending_tsc, 200 * MS);
}

/* A flow's packets out on one forwarding lcore and its answers on
 * another: the main lcore's drain notes both lcores' records in time
 * order (health_suspect_drain), into the one table. */
static void test_susflow_two_lcores_one_flow(void **st)
{
	struct suspect_obs o[2];

	(void)st;
	/* out on lcore 0, its answers on lcore 1 */
	udp(&tab, REMOTE1, 1000, LINK1, 100);
	udp(&tab, REMOTE1, 1000, SUSFLOW_NO_LINK, 101);
	udp(&tab, REMOTE1, 1000, LINK1, 200);
	udp(&tab, REMOTE1, 1000, SUSFLOW_NO_LINK, 201);
	scan(250, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	/* answers stop: the wait is taken from the last packet out */
	udp(&tab, REMOTE1, 1000, LINK1, 300);
	scan(320, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	scan(321, o);
	assert_int_equal(o[LINK1].unanswered, 1);
}

/* IPv6: the site 2001:db8:1::10 and remotes 2001:db8:64::7, ...::8 and
 * 2001:db8:71::10; one in the same /64 as another, and one whose
 * 32-bit-word xor equals REMOTE6_1's (its words permuted), so that
 * neither a prefix nor the sample hash's fold can pass for the address. */
static const uint8_t site6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0,
				  0, 0, 0, 0, 0, 0, 0, 0x10};
static const uint8_t remote6_1[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0,
				      0, 0, 0, 0, 0, 0, 0, 0x07};
static const uint8_t remote6_2[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0,
				      0, 0, 0, 0, 0, 0, 0, 0x08};
static const uint8_t remote6_3[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x71, 0, 0,
				      0, 0, 0, 0, 0, 0, 0, 0x10};
/* remote6_1's last two 32-bit words swapped: the same xor fold */
static const uint8_t remote6_1p[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x64, 0, 0,
				       0, 0, 0, 0x07, 0, 0, 0, 0};

/* A UDP (or, with TCP set, TCP) packet of flow (site6:SPORT, R:2000)
 * out over LINK, or back (LINK SUSFLOW_NO_LINK), at T ms. */
static void pkt6(struct susflow_table *t, const uint8_t *r, uint16_t sport,
		 uint8_t proto, uint8_t link, uint32_t seq, uint32_t len,
		 uint8_t flags, uint64_t t_ms)
{
	uint32_t ports = (uint32_t)sport << 16 | 2000u;
	uint32_t back = ports << 16 | ports >> 16;

	if (link == SUSFLOW_NO_LINK)
		susflow_note6(t, susflow_hash6(r, site6, back), r, site6, back,
			      proto, link, seq, len, flags, t_ms * MS);
	else
		susflow_note6(t, susflow_hash6(site6, r, ports), site6, r,
			      ports, proto, link, seq, len, flags, t_ms * MS);
}

static void udp6(struct susflow_table *t, const uint8_t *r, uint16_t sport,
		 uint8_t link, uint64_t t_ms)
{
	pkt6(t, r, sport, IPPROTO_UDP, link, 0, 0, 0, t_ms);
}

static const struct susflow_entry *entry6(const uint8_t *r, uint16_t sport)
{
	uint32_t ports = (uint32_t)sport << 16 | 2000u;

	return &tab.e[(susflow_hash6(site6, r, ports) >> 10) &
		      (SUSFLOW_SLOTS - 1)];
}

static void test_susflow_ipv6_hash_and_key_are_the_same_both_ways(void **st)
{
	const struct susflow_entry *e = entry6(remote6_1, 1000);

	(void)st;
	assert_int_equal(susflow_hash6(site6, remote6_1, 1000u << 16 | 2000u),
			 susflow_hash6(remote6_1, site6, 2000u << 16 | 1000u));
	assert_int_not_equal(susflow_hash6(site6, remote6_1,
					   1000u << 16 | 2000u),
			     susflow_hash6(site6, remote6_1,
					   1001u << 16 | 2000u));
	/* one entry for both ways: out, then its answer */
	udp6(&tab, remote6_1, 1000, LINK1, 100);
	udp6(&tab, remote6_1, 1000, SUSFLOW_NO_LINK, 103);
	assert_int_equal(tab.noted, 2);
	assert_int_equal(tab.replaced, 0);
	assert_int_equal(e->v6, 1);
	assert_int_equal(e->proto, IPPROTO_UDP);
	assert_int_equal(e->ports, 1000u << 16 | 2000u); /* site6 is lower */
	assert_int_equal(e->remote, susflow_remote6(remote6_1));
	assert_true(e->remote >> 63);
	/* a remote is its whole address: neither its /64 nor its fold */
	assert_int_not_equal(susflow_remote6(remote6_1),
			     susflow_remote6(remote6_2));
	assert_int_not_equal(susflow_remote6(remote6_1),
			     susflow_remote6(remote6_1p));
}

static void test_susflow_ipv6_answered_then_unanswered(void **st)
{
	const struct susflow_entry *e = entry6(remote6_1, 1000);
	struct suspect_obs o[2];

	(void)st;
	udp6(&tab, remote6_1, 1000, LINK1, 100);
	assert_int_equal(e->link, LINK1);
	assert_int_equal(e->pending_tsc, 100 * MS);
	assert_int_equal(e->twoway, 0);
	/* answered in 2 ms, on whichever link */
	udp6(&tab, remote6_1, 1000, SUSFLOW_NO_LINK, 102);
	assert_int_equal(e->twoway, 1);
	assert_int_equal(e->pending_tsc, 0);
	assert_int_equal(e->srtt_tsc, 2 * MS);
	assert_int_equal(e->in_tsc, 102 * MS);
	udp6(&tab, remote6_1, 1000, LINK1, 300);
	udp6(&tab, remote6_1, 1000, SUSFLOW_NO_LINK, 301);
	scan(400, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	/* answers stop: the bound is max(20 ms, 4 x srtt) */
	udp6(&tab, remote6_1, 1000, LINK1, 500);
	udp6(&tab, remote6_1, 1000, LINK1, 510);
	scan(520, o);
	assert_int_equal(o[LINK1].unanswered, 0);
	scan(521, o);
	assert_int_equal(o[LINK1].unanswered, 1);
	assert_int_equal(o[LINK1].unanswered_remotes, 1);
	assert_int_equal(o[LINK2].unanswered, 0);
}

static void test_susflow_ipv6_tcp_distress(void **st)
{
	struct suspect_obs o[2];

	(void)st;
	/* a segment sent again */
	pkt6(&tab, remote6_1, 40000, IPPROTO_TCP, LINK1, 1000, 100, 0x10, 100);
	pkt6(&tab, remote6_1, 40000, IPPROTO_TCP, LINK1, 1100, 100, 0x10, 101);
	scan(102, o);
	assert_int_equal(o[LINK1].distress, 0);
	pkt6(&tab, remote6_1, 40000, IPPROTO_TCP, LINK1, 1100, 100, 0x10, 300);
	scan(301, o);
	assert_int_equal(o[LINK1].distress, 1);
	assert_int_equal(o[LINK1].distress_remotes, 1);
	scan(801, o);
	assert_int_equal(o[LINK1].distress, 0);
	/* a repeated SYN */
	pkt6(&tab, remote6_2, 40001, IPPROTO_TCP, LINK1, 5000, 0, 0x02, 1000);
	scan(1001, o);
	assert_int_equal(o[LINK1].distress, 0);
	pkt6(&tab, remote6_2, 40001, IPPROTO_TCP, LINK1, 5000, 0, 0x02, 2000);
	scan(2001, o);
	assert_int_equal(o[LINK1].distress, 1);
	/* data received twice */
	pkt6(&tab, remote6_3, 40002, IPPROTO_TCP, LINK2, 1, 0, 0x10, 3000);
	pkt6(&tab, remote6_3, 40002, IPPROTO_TCP, SUSFLOW_NO_LINK, 7000, 500,
	     0x10, 3001);
	scan(3002, o);
	assert_int_equal(o[LINK2].distress, 0);
	pkt6(&tab, remote6_3, 40002, IPPROTO_TCP, SUSFLOW_NO_LINK, 7000, 500,
	     0x10, 3100);
	scan(3101, o);
	assert_int_equal(o[LINK2].distress, 1);
	assert_int_equal(o[LINK2].distress_remotes, 1);
}

/* IPv4 and IPv6 flows in one table, on one link: each counted, and the
 * remotes of both families apart, an IPv6 remote by its whole address */
static void test_susflow_ipv4_and_ipv6_flows_counted_together(void **st)
{
	struct suspect_obs o[2];
	const uint8_t *r6[] = {remote6_1, remote6_2, remote6_1p};
	unsigned int i;

	(void)st;
	for (i = 0; i < 3; i++) {
		udp6(&tab, r6[i], (uint16_t)(1000 + i), LINK1, 100);
		udp6(&tab, r6[i], (uint16_t)(1000 + i), SUSFLOW_NO_LINK, 101);
		udp6(&tab, r6[i], (uint16_t)(1000 + i), LINK1, 200);
	}
	scan(300, o);
	assert_int_equal(o[LINK1].unanswered, 3);
	assert_int_equal(o[LINK1].unanswered_remotes, 3);
	/* an IPv4 flow beside them, to a fourth remote; and one IPv6 flow
	 * to a remote already counted */
	udp(&tab, REMOTE1, 1000, LINK1, 100);
	udp(&tab, REMOTE1, 1000, SUSFLOW_NO_LINK, 101);
	udp(&tab, REMOTE1, 1000, LINK1, 200);
	udp6(&tab, remote6_1, 1010, LINK1, 100);
	udp6(&tab, remote6_1, 1010, SUSFLOW_NO_LINK, 101);
	udp6(&tab, remote6_1, 1010, LINK1, 200);
	scan(300, o);
	assert_int_equal(o[LINK1].unanswered, 5);
	assert_int_equal(o[LINK1].unanswered_remotes, 4);
	assert_int_equal(tab.replaced, 0);
	/* the IPv4 flow answered again: four left */
	udp(&tab, REMOTE1, 1000, SUSFLOW_NO_LINK, 299);
	scan(300, o);
	assert_int_equal(o[LINK1].unanswered, 4);
	assert_int_equal(o[LINK1].unanswered_remotes, 3);
	assert_int_equal(o[LINK2].unanswered, 0);
}

/* An IPv6 flow and an IPv4 flow with the same slot, ports and protocol
 * are two flows: the one takes the other's entry. */
static void test_susflow_ipv6_flow_is_not_an_ipv4_flow(void **st)
{
	uint32_t ports = 1000u << 16 | 2000u;
	uint32_t h = susflow_hash6(site6, remote6_1, ports);
	struct susflow_entry *e = &tab.e[(h >> 10) & (SUSFLOW_SLOTS - 1)];

	(void)st;
	susflow_note6(&tab, h, site6, remote6_1, ports, IPPROTO_UDP, LINK1, 0,
		      0, 0, 100 * MS);
	susflow_note4(&tab, h, SITE, REMOTE1, ports, IPPROTO_UDP, LINK2, 0, 0,
		      0, 200 * MS);
	assert_int_equal(tab.replaced, 1);
	assert_int_equal(e->v6, 0);
	assert_int_equal(e->remote, REMOTE1);
	assert_int_equal(e->link, LINK2);
	susflow_note6(&tab, h, site6, remote6_1, ports, IPPROTO_UDP, LINK1, 0,
		      0, 0, 300 * MS);
	assert_int_equal(tab.replaced, 2);
	assert_int_equal(e->v6, 1);
	assert_int_equal(e->pending_tsc, 300 * MS);
}

static void test_susflow_ipv6_two_lcores_one_flow(void **st)
{
	struct suspect_obs o[2];

	(void)st;
	udp6(&tab, remote6_1, 1000, LINK2, 100);
	udp6(&tab, remote6_1, 1000, SUSFLOW_NO_LINK, 101);
	udp6(&tab, remote6_1, 1000, LINK2, 300);
	scan(320, o);
	assert_int_equal(o[LINK2].unanswered, 0);
	scan(321, o);
	assert_int_equal(o[LINK2].unanswered, 1);
	assert_int_equal(o[LINK2].unanswered_remotes, 1);
}

/* What the forwarding lcore keeps of a packet (susflow.h's record: the
 * IP header on as in the packet, the TTL byte the link) is noted as the
 * packet's fields: an IPv4 TCP segment out, then one not noted (a later
 * fragment), then IPv6 UDP back. */
static void test_susflow_record_is_noted_as_its_packet(void **st)
{
	uint8_t rec[SUSFLOW_REC6_ELEMS * SUSFLOW_ELEM];
	const struct susflow_entry *e;
	uint32_t h = susflow_hash4(SITE, REMOTE1, 40000u << 16 | 443u);

	(void)st;
	memset(rec, 0, sizeof(rec));
	rec[0] = 0x45;
	rec[3] = 20 + 20 + 100;                   /* total length */
	rec[SUSFLOW_REC_OUT4] = LINK2;
	rec[9] = IPPROTO_TCP;
	rec[12] = 198, rec[13] = 18, rec[14] = 1, rec[15] = 10;
	rec[16] = 198, rec[17] = 51, rec[18] = 100, rec[19] = 7;
	rec[20] = 40000 >> 8, rec[21] = 40000 & 0xff, rec[23] = 443 & 0xff;
	rec[22] = 443 >> 8;
	rec[27] = 0x10;                           /* seq 16 */
	rec[32] = 5 << 4, rec[33] = 0x10;        /* ACK */
	assert_int_equal(susflow_note_rec(&tab, rec, 100 * MS),
			 SUSFLOW_REC4_ELEMS);
	e = &tab.e[(h >> 10) & (SUSFLOW_SLOTS - 1)];
	assert_int_equal(tab.noted, 1);
	assert_int_equal(e->link, LINK2);
	assert_int_equal(e->proto, IPPROTO_TCP);
	assert_int_equal(e->remote, REMOTE1);
	assert_int_equal(e->seq_out_end, 16 + 100);
	assert_int_equal(e->pending_tsc, 100 * MS);
	/* a later fragment: taken, not noted */
	rec[7] = 1;
	assert_int_equal(susflow_note_rec(&tab, rec, 101 * MS),
			 SUSFLOW_REC4_ELEMS);
	assert_int_equal(tab.noted, 1);
	/* IPv6 UDP, remote6_1:2000 -> site6:1000, in on a link */
	memset(rec, 0, sizeof(rec));
	rec[0] = 0x60;
	rec[5] = 8 + 4;                           /* payload length */
	rec[6] = IPPROTO_UDP;
	rec[SUSFLOW_REC_OUT6] = SUSFLOW_NO_LINK;
	memcpy(rec + 8, remote6_1, 16);
	memcpy(rec + 24, site6, 16);
	rec[40] = 2000 >> 8, rec[41] = 2000 & 0xff;
	rec[42] = 1000 >> 8, rec[43] = 1000 & 0xff;
	assert_int_equal(susflow_note_rec(&tab, rec, 102 * MS),
			 SUSFLOW_REC6_ELEMS);
	assert_int_equal(tab.noted, 2);
	e = entry6(remote6_1, 1000);
	assert_int_equal(e->v6, 1);
	assert_int_equal(e->in_tsc, 102 * MS);
	assert_int_equal(e->link, SUSFLOW_NO_LINK);
	/* not a record */
	rec[0] = 0;
	assert_int_equal(susflow_note_rec(&tab, rec, 103 * MS), 0);
	assert_int_equal(tab.noted, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_susflow_hash_is_the_same_both_ways, reset),
		cmocka_unit_test_setup(test_susflow_answer_makes_it_two_way_and_times_it, reset),
		cmocka_unit_test_setup(test_susflow_unanswered_past_the_bound, reset),
		cmocka_unit_test_setup(test_susflow_counts_flows_and_their_remotes_per_link, reset),
		cmocka_unit_test_setup(test_susflow_one_way_and_quiet_flows_do_not_count, reset),
		cmocka_unit_test_setup(test_susflow_tcp_distress, reset),
		cmocka_unit_test_setup(test_susflow_reset_out_is_not_unanswered, reset),
		cmocka_unit_test_setup(test_susflow_bare_ack_out_awaits_nothing, reset),
		cmocka_unit_test_setup(test_susflow_new_connection_on_the_same_ports, reset),
		cmocka_unit_test_setup(test_susflow_other_flow_takes_the_slot, reset),
		cmocka_unit_test_setup(test_susflow_two_lcores_one_flow, reset),
		cmocka_unit_test_setup(test_susflow_ipv6_hash_and_key_are_the_same_both_ways, reset),
		cmocka_unit_test_setup(test_susflow_ipv6_answered_then_unanswered, reset),
		cmocka_unit_test_setup(test_susflow_ipv6_tcp_distress, reset),
		cmocka_unit_test_setup(test_susflow_ipv4_and_ipv6_flows_counted_together, reset),
		cmocka_unit_test_setup(test_susflow_ipv6_flow_is_not_an_ipv4_flow, reset),
		cmocka_unit_test_setup(test_susflow_ipv6_two_lcores_one_flow, reset),
		cmocka_unit_test_setup(test_susflow_record_is_noted_as_its_packet, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
