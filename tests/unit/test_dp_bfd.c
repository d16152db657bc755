/* BFD periodic transmission of twinpath-dp (dataplane/bfdpkt.c): the exact
 * bytes of the control packet for IPv4 and IPv6 (fields, TTL 255, IP and
 * UDP checksums computed here independently, by a Python reference at
 * authoring time), and the jittered interval of RFC 5880 §6.8.7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "bfdpkt.h"

/* Up, diag 0, mult 3, discs 0x11223344/0x55667788, 50 ms tx, 10 ms rx,
 * 203.0.113.1:49152 -> 203.0.113.2:3784, 02:..:01 -> 02:..:02 */
static const uint8_t expect_v4_up[66] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x08, 0x00, 0x45, 0xc0, 0x00, 0x34, 0x00, 0x00, 0x40, 0x00, 0xff, 0x11,
	0x02, 0xf4, 0xcb, 0x00, 0x71, 0x01, 0xcb, 0x00, 0x71, 0x02, 0xc0, 0x00,
	0x0e, 0xc8, 0x00, 0x20, 0x99, 0x52, 0x20, 0xc0, 0x03, 0x18, 0x11, 0x22,
	0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x00, 0x00, 0xc3, 0x50, 0x00, 0x00,
	0x27, 0x10, 0x00, 0x00, 0x00, 0x00,
};

/* Down, diag 1, mult 5, your disc 0, 20 ms desired -> 1 s on the wire
 * (slow start), 300 ms rx, [2001:db8:2::1]:49153 -> [2001:db8:2::]:3784 */
static const uint8_t expect_v6_down[86] = {
	0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x86, 0xdd, 0x6c, 0x00, 0x00, 0x00, 0x00, 0x20, 0x11, 0xff, 0x20, 0x01,
	0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x01, 0x0e, 0xc8, 0x00, 0x20,
	0xc2, 0xc9, 0x21, 0x40, 0x05, 0x18, 0x0a, 0x0b, 0x0c, 0x0d, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0f, 0x42, 0x40, 0x00, 0x04, 0x93, 0xe0, 0x00, 0x00,
	0x00, 0x00,
};

static const struct rte_ether_addr our_mac = {{2, 0, 0, 0, 0, 1}};
static const struct rte_ether_addr peer_mac = {{2, 0, 0, 0, 0, 2}};

static void link_v4_up(struct health_link *hl)
{
	memset(hl, 0, sizeof(*hl));
	hl->cfg_enabled = 1;
	hl->family = AF_INET;
	inet_pton(AF_INET, "203.0.113.1", hl->local_addr);
	inet_pton(AF_INET, "203.0.113.2", hl->peer_addr);
	hl->local_disc = 0x11223344;
	hl->remote_disc = 0x55667788;
	hl->desired_min_tx_us = 50000;
	hl->required_min_rx_us = 10000;
	hl->detect_mult = 3;
	hl->src_port = 49152;
	hl->state = BFD_STATE_UP;
	hl->remote_min_rx_us = 10000;
}

static void test_bfd_ctrl_ipv4_exact_bytes(void **state)
{
	struct health_link hl;
	uint8_t buf[BFD_FRAME_MAX];

	(void)state;
	link_v4_up(&hl);
	memset(buf, 0xee, sizeof(buf));
	assert_int_equal(bfd_ctrl_build(buf, sizeof(buf), &hl, &our_mac,
					&peer_mac), sizeof(expect_v4_up));
	assert_memory_equal(buf, expect_v4_up, sizeof(expect_v4_up));
}

static void test_bfd_ctrl_ipv6_exact_bytes(void **state)
{
	struct health_link hl;
	uint8_t buf[BFD_FRAME_MAX];

	(void)state;
	memset(&hl, 0, sizeof(hl));
	hl.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:2::1", hl.local_addr);
	inet_pton(AF_INET6, "2001:db8:2::", hl.peer_addr);
	hl.local_disc = 0x0a0b0c0d;
	hl.desired_min_tx_us = 20000;
	hl.required_min_rx_us = 300000;
	hl.detect_mult = 5;
	hl.src_port = 49153;
	hl.state = BFD_STATE_DOWN;
	hl.local_diag = BFD_DIAG_DETECT_EXPIRED;
	assert_int_equal(bfd_ctrl_build(buf, sizeof(buf), &hl, &our_mac,
					&peer_mac), sizeof(expect_v6_down));
	assert_memory_equal(buf, expect_v6_down, sizeof(expect_v6_down));
}

/* A session twinpath-dp finds enabled before the XDP program has taken it
 * up reads state 0 in the map; what goes out is Down (RFC 5880 §6.8.1),
 * byte for byte the packet of a Down session: AdminDown is only sent
 * while we hold the session there. */
static void test_bfd_ctrl_fresh_entry_sends_down(void **state)
{
	struct health_link hl;
	uint8_t fresh[BFD_FRAME_MAX], down[BFD_FRAME_MAX];
	const uint8_t *bfd = fresh + 14 + 20 + 8;

	(void)state;
	link_v4_up(&hl);
	hl.remote_disc = 0;
	hl.state = BFD_STATE_ADMIN_DOWN;
	assert_int_equal(bfd_tx_state(&hl), BFD_STATE_DOWN);
	assert_int_equal(bfd_ctrl_build(fresh, sizeof(fresh), &hl, &our_mac,
					&peer_mac), 66);
	hl.state = BFD_STATE_DOWN;
	assert_int_equal(bfd_ctrl_build(down, sizeof(down), &hl, &our_mac,
					&peer_mac), 66);
	assert_memory_equal(fresh, down, 66);
	assert_int_equal(bfd[0], 1 << 5 | BFD_DIAG_NONE);
	assert_int_equal(bfd[1], BFD_STATE_DOWN << 6);
}

/* Held AdminDown: state 0, diag 7, and the slow interval on the wire. */
static void test_bfd_ctrl_admin_down(void **state)
{
	struct health_link hl;
	uint8_t buf[BFD_FRAME_MAX];
	const uint8_t *bfd = buf + 14 + 20 + 8;

	(void)state;
	link_v4_up(&hl);
	hl.cfg_admin_down = 1;
	assert_int_equal(bfd_ctrl_build(buf, sizeof(buf), &hl, &our_mac,
					&peer_mac), 66);
	assert_int_equal(bfd[0], 1 << 5 | BFD_DIAG_ADMIN_DOWN);
	assert_int_equal(bfd[1], BFD_STATE_ADMIN_DOWN << 6);
	assert_int_equal((bfd[12] << 24 | bfd[13] << 16 | bfd[14] << 8 |
			  bfd[15]), BFD_SLOW_TX_US);
}

/* RFC 5880 §6.5/§6.8.3: twinpathd changed our timers while Up (poll_seq
 * ahead of the XDP program's poll_final_seq): the periodic packet carries
 * P, and the new values. expect_v4_up with state byte 0xc0 | P (0x20):
 * the UDP checksum's 16-bit word sum grows by 0x0020, so the checksum
 * 0x9952 becomes 0x9932. */
static void test_bfd_ctrl_poll_pending_sets_p(void **state)
{
	struct health_link hl;
	uint8_t buf[BFD_FRAME_MAX], want[66];

	(void)state;
	link_v4_up(&hl);
	hl.poll_seq = 1;
	hl.poll_old_tx_us = 100000;
	hl.poll_old_rx_us = 10000;
	memcpy(want, expect_v4_up, sizeof(want));
	want[14 + 20 + 8 + 1] = 0xe0;
	want[14 + 20 + 6] = 0x99;
	want[14 + 20 + 7] = 0x32;
	assert_int_equal(bfd_ctrl_build(buf, sizeof(buf), &hl, &our_mac,
					&peer_mac), 66);
	assert_memory_equal(buf, want, sizeof(want));
	/* the Final ended it: P no more, the plain Up packet */
	hl.poll_final_seq = 1;
	assert_int_equal(bfd_ctrl_build(buf, sizeof(buf), &hl, &our_mac,
					&peer_mac), 66);
	assert_memory_equal(buf, expect_v4_up, sizeof(expect_v4_up));
}

/* Not Up: a pending Poll waits (no P) until the session is Up again. */
static void test_bfd_ctrl_no_p_while_not_up(void **state)
{
	struct health_link hl;
	uint8_t buf[BFD_FRAME_MAX];
	const uint8_t *bfd = buf + 14 + 20 + 8;

	(void)state;
	link_v4_up(&hl);
	hl.poll_seq = 3;
	hl.poll_final_seq = 2;
	hl.state = BFD_STATE_INIT;
	assert_int_equal(bfd_ctrl_build(buf, sizeof(buf), &hl, &our_mac,
					&peer_mac), 66);
	assert_int_equal(bfd[1], BFD_STATE_INIT << 6);
}

static void test_bfd_ctrl_refuses_bad_family_and_short_room(void **state)
{
	struct health_link hl;
	uint8_t buf[BFD_FRAME_MAX];

	(void)state;
	link_v4_up(&hl);
	assert_int_equal(bfd_ctrl_build(buf, 65, &hl, &our_mac, &peer_mac), 0);
	hl.family = 0;
	assert_int_equal(bfd_ctrl_build(buf, sizeof(buf), &hl, &our_mac,
					&peer_mac), 0);
}

/* Every random draw: [lo, hi] permille of BASE, so never below the
 * peer's RequiredMinRx less the jitter (RFC 5880 §6.8.7), and the whole
 * range is used, not one end of it. */
static void check_range(const struct health_link *hl, uint64_t base,
			unsigned int lo, unsigned int hi)
{
	uint32_t r, min = UINT32_MAX, max = 0;

	for (r = 0; r < 100000; r++) {
		uint32_t rnd = r * 2654435761u; /* spread over 32 bits */
		uint32_t v = bfd_tx_interval_us(hl, rnd);

		assert_true((uint64_t)v * 1000 >=
			    (uint64_t)hl->remote_min_rx_us * lo);
		assert_true((uint64_t)v * 1000 >= base * lo);
		assert_true((uint64_t)v * 1000 <= base * hi);
		min = v < min ? v : min;
		max = v > max ? v : max;
	}
	assert_true((uint64_t)min * 1000 < base * (lo + 10));
	assert_true((uint64_t)max * 1000 > base * (hi - 10));
}

static void test_bfd_interval_jitter_0_to_25_percent(void **state)
{
	struct health_link hl;

	(void)state;
	link_v4_up(&hl);
	hl.remote_min_rx_us = 1000;
	check_range(&hl, 50000, 750, 1000);
}

static void test_bfd_interval_jitter_10_to_25_percent_with_mult_1(void **state)
{
	struct health_link hl;

	(void)state;
	link_v4_up(&hl);
	hl.remote_min_rx_us = 1000;
	hl.detect_mult = 1;
	check_range(&hl, 50000, 750, 900);
}

static void test_bfd_interval_one_second_until_up(void **state)
{
	struct health_link hl;

	(void)state;
	link_v4_up(&hl);
	hl.state = BFD_STATE_INIT;
	check_range(&hl, BFD_SLOW_TX_US, 750, 1000);
	hl.state = BFD_STATE_UP;
	hl.cfg_admin_down = 1;
	check_range(&hl, BFD_SLOW_TX_US, 750, 1000);
}

/* The peer's RequiredMinRx above our rate sets the interval; jitter
 * still applies (equal timers on both sides must not send in lockstep)
 * and takes a packet at most 25 % below it (10-25 % with mult 1). */
static void test_bfd_interval_peer_min_rx_sets_it_jitter_kept(void **state)
{
	struct health_link hl;

	(void)state;
	link_v4_up(&hl);
	hl.desired_min_tx_us = 10000;
	hl.remote_min_rx_us = 300000;
	check_range(&hl, 300000, 750, 1000);
	/* equal timers, the common case */
	hl.desired_min_tx_us = 50000;
	hl.remote_min_rx_us = 50000;
	check_range(&hl, 50000, 750, 1000);
	hl.detect_mult = 1;
	check_range(&hl, 50000, 750, 900);
}

/* RFC 5880 §6.8.3: a raised Desired Min TX waits for the Final (the
 * packets go on at the old 50 ms), a lowered one applies at once. */
static void test_bfd_interval_raise_waits_for_final(void **state)
{
	struct health_link hl;

	(void)state;
	link_v4_up(&hl);
	hl.remote_min_rx_us = 1000;
	hl.poll_old_tx_us = 50000;
	hl.desired_min_tx_us = 200000;
	hl.poll_seq = 1;
	check_range(&hl, 50000, 750, 1000);
	hl.poll_final_seq = 1;
	check_range(&hl, 200000, 750, 1000);
	/* lowered: at once, Poll or not */
	hl.poll_old_tx_us = 200000;
	hl.desired_min_tx_us = 20000;
	hl.poll_seq = 2;
	check_range(&hl, 20000, 750, 1000);
}

static void test_bfd_interval_peer_asks_for_nothing(void **state)
{
	struct health_link hl;

	(void)state;
	link_v4_up(&hl);
	hl.remote_min_rx_us = 0;
	assert_int_equal(bfd_tx_interval_us(&hl, 12345), 0);
	/* not Up: nothing heard yet, the slow start goes on */
	hl.state = BFD_STATE_DOWN;
	assert_true(bfd_tx_interval_us(&hl, 12345) >= BFD_SLOW_TX_US * 3 / 4);
}

/* Our tx gaps over the last minute: the worst is the one furthest past
 * the interval it was sent for, only gaps between packets built while Up
 * count, and it ages out after six 10 s slots. */
static void test_bfd_txgap_worst_late_gap_of_the_last_minute(void **state)
{
	static struct bfd_txgap g;
	const uint64_t ms = 1000000, t0 = 100000 * ms; /* slot-aligned */
	uint64_t gap, end;
	uint32_t iv;

	(void)state;
	bfd_txgap_note(&g, t0, 10000, true, &gap, &end, &iv);
	assert_int_equal(gap, 0); /* one packet: no gap yet */
	assert_int_equal(end, 0);
	assert_int_equal(iv, 0);
	bfd_txgap_note(&g, t0 + 9 * ms, 9000, true, &gap, &end, &iv);
	assert_int_equal(gap, 9 * ms);
	assert_int_equal(end, t0 + 9 * ms);
	assert_int_equal(iv, 9000);
	/* 25 ms for an interval of 8 ms: 17 ms late */
	bfd_txgap_note(&g, t0 + 34 * ms, 8000, true, &gap, &end, &iv);
	assert_int_equal(gap, 25 * ms);
	assert_int_equal(end, t0 + 34 * ms); /* when it ended */
	assert_int_equal(iv, 8000);
	/* Down for a second, then Up again at once: the peer was not
	 * waiting on those gaps (1 s packets before Up, then the first
	 * fast one right away) */
	bfd_txgap_note(&g, t0 + 1034 * ms, 1000000, false, &gap, &end, &iv);
	bfd_txgap_note(&g, t0 + 2034 * ms, 8000, true, &gap, &end, &iv);
	assert_int_equal(gap, 25 * ms);
	assert_int_equal(iv, 8000);
	/* 48 s later (on time), still within the minute */
	bfd_txgap_note(&g, t0 + 50034 * ms, 48000000, true, &gap, &end, &iv);
	assert_int_equal(gap, 25 * ms);
	assert_int_equal(end, t0 + 34 * ms); /* the worst's, not the last */
	assert_int_equal(iv, 8000);
	/* 60 s after it, its slot is out of the window: the worst is now
	 * this 10 s gap, 10 ms past its interval */
	bfd_txgap_note(&g, t0 + 60034 * ms, 9990000, true, &gap, &end, &iv);
	assert_int_equal(gap, 10000 * ms);
	assert_int_equal(end, t0 + 60034 * ms);
	assert_int_equal(iv, 9990000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bfd_ctrl_ipv4_exact_bytes),
		cmocka_unit_test(test_bfd_ctrl_ipv6_exact_bytes),
		cmocka_unit_test(test_bfd_ctrl_admin_down),
		cmocka_unit_test(test_bfd_ctrl_fresh_entry_sends_down),
		cmocka_unit_test(test_bfd_ctrl_poll_pending_sets_p),
		cmocka_unit_test(test_bfd_ctrl_no_p_while_not_up),
		cmocka_unit_test(test_bfd_ctrl_refuses_bad_family_and_short_room),
		cmocka_unit_test(test_bfd_interval_raise_waits_for_final),
		cmocka_unit_test(test_bfd_interval_jitter_0_to_25_percent),
		cmocka_unit_test(test_bfd_interval_jitter_10_to_25_percent_with_mult_1),
		cmocka_unit_test(test_bfd_interval_one_second_until_up),
		cmocka_unit_test(test_bfd_interval_peer_min_rx_sets_it_jitter_kept),
		cmocka_unit_test(test_bfd_interval_peer_asks_for_nothing),
		cmocka_unit_test(test_bfd_txgap_worst_late_gap_of_the_last_minute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
