/* Channel (common/chan.c): records cross process boundaries intact, a full
 * ring refuses instead of overwriting, roles are exclusive, generations
 * persist, and an enqueue interrupted by kill -9 is discarded cleanly. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <rte_ring.h>

#include "chan.h"

static char chan_name[CHAN_NAME_MAX];

static int setup(void **state)
{
	static int n;

	(void)state;
	snprintf(chan_name, sizeof(chan_name), "twp-test-chan-%d-%d",
		 (int)getpid(), n++);
	chan_unlink(chan_name);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	chan_unlink(chan_name);
	return 0;
}

static struct chan_rec route_rec(uint32_t i)
{
	struct chan_rec r;

	memset(&r, 0, sizeof(r));
	r.type = CHAN_REC_ROUTE_ADD;
	r.generation = 7;
	r.u.route.family = AF_INET;
	r.u.route.len = 24;
	r.u.route.group_id = 1 + i % 100;
	r.u.route.prefix[0] = 198;
	r.u.route.prefix[1] = 18;
	r.u.route.prefix[2] = (uint8_t)i;
	return r;
}

/* Child: the data side. Receives COUNT records and checks each one. */
static int child_receive(const char *name, uint32_t count)
{
	struct chan_rec got[64];
	uint32_t seen = 0;
	struct chan c;
	int spins = 0;

	if (chan_open(&c, name, CHAN_ROLE_DATA) != 0)
		return 10;
	if (chan_send_event(&c, CHAN_EV_HELLO, 0) != 0)
		return 11;
	while (seen < count && spins < 5000000) {
		unsigned int n = chan_recv(&c, got, 64);

		for (unsigned int i = 0; i < n; i++, seen++) {
			struct chan_rec want = route_rec(seen);

			want.seq = seen + 1;
			if (memcmp(&want, &got[i], sizeof(want)) != 0)
				return 12;
		}
		if (n == 0) {
			spins++;
			usleep(10);
		}
	}
	if (seen != count)
		return 13;
	chan_send_event(&c, CHAN_EV_SYNC_DONE, 7);
	chan_close(&c);
	return 0;
}

static void test_chan_records_round_trip_between_processes(void **state)
{
	const uint32_t count = 3 * CHAN_C2D_SLOTS; /* forces wrap-around */
	struct chan_event ev[4];
	struct chan c;
	uint32_t sent = 0;
	int status, got_hello = 0, got_done = 0;
	pid_t pid;

	(void)state;
	assert_int_equal(chan_open(&c, chan_name, CHAN_ROLE_CONTROL), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_receive(chan_name, count));

	while (sent < count) {
		struct chan_rec r = route_rec(sent);

		if (chan_send(&c, &r) == 0) {
			assert_int_equal(r.seq, sent + 1);
			sent++;
		} else {
			usleep(50); /* back-pressure: retry the same record */
		}
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	for (unsigned int n; (n = chan_recv_events(&c, ev, 4)) > 0;) {
		for (unsigned int i = 0; i < n; i++) {
			assert_int_equal(ev[i].pid, (uint32_t)pid);
			if (ev[i].type == CHAN_EV_HELLO)
				got_hello++;
			if (ev[i].type == CHAN_EV_SYNC_DONE &&
			    ev[i].arg == 7)
				got_done++;
		}
	}
	assert_int_equal(got_hello, 1);
	assert_int_equal(got_done, 1);
	chan_close(&c);
}

static void test_chan_full_ring_refuses_and_counts(void **state)
{
	struct chan cp, dp;
	struct chan_rec r, out;
	uint32_t accepted = 0;

	(void)state;
	assert_int_equal(chan_open(&cp, chan_name, CHAN_ROLE_CONTROL), 0);
	assert_int_equal(chan_open(&dp, chan_name, CHAN_ROLE_DATA), 0);
	for (;;) {
		r = route_rec(accepted);
		if (chan_send(&cp, &r) != 0)
			break;
		accepted++;
	}
	/* rte_ring keeps one slot free: capacity is size - 1. */
	assert_int_equal(accepted, CHAN_C2D_SLOTS - 1);
	assert_int_equal(chan_send_space(&cp), 0);
	assert_int_equal(cp.hdr->c2d_refused, 1);
	r = route_rec(accepted);
	assert_int_equal(chan_send(&cp, &r), -ENOBUFS);
	assert_int_equal(cp.hdr->c2d_refused, 2);

	/* Nothing was overwritten: the oldest record is still first. */
	assert_int_equal(chan_recv(&dp, &out, 1), 1);
	assert_int_equal(out.seq, 1);
	assert_int_equal(out.u.route.prefix[2], 0);
	/* One slot freed, the refused record now goes in with the next seq. */
	assert_int_equal(chan_send(&cp, &r), 0);
	assert_int_equal(r.seq, CHAN_C2D_SLOTS);
	chan_close(&dp);
	chan_close(&cp);
}

static void test_chan_second_holder_of_a_role_is_busy(void **state)
{
	struct chan a, b;

	(void)state;
	assert_int_equal(chan_open(&a, chan_name, CHAN_ROLE_CONTROL), 0);
	assert_int_equal(chan_open(&b, chan_name, CHAN_ROLE_CONTROL), -EBUSY);
	/* The other role is free. */
	assert_int_equal(chan_open(&b, chan_name, CHAN_ROLE_DATA), 0);
	chan_close(&b);
	chan_close(&a);
	/* A closed (or killed) holder releases its role. */
	assert_int_equal(chan_open(&a, chan_name, CHAN_ROLE_CONTROL), 0);
	chan_close(&a);
}

/* twinpathd's F bit (RFC 4724 §3) rests on this: the data role is seen
 * held exactly while a data plane has the channel open. */
static void test_chan_peer_attached_follows_the_other_role(void **state)
{
	struct chan cp, dp;

	(void)state;
	assert_int_equal(chan_open(&cp, chan_name, CHAN_ROLE_CONTROL), 0);
	assert_false(chan_peer_attached(&cp));
	assert_int_equal(chan_open(&dp, chan_name, CHAN_ROLE_DATA), 0);
	assert_true(chan_peer_attached(&cp));
	assert_true(chan_peer_attached(&dp));
	chan_close(&dp);
	assert_false(chan_peer_attached(&cp));
	chan_close(&cp);
}

static void test_chan_generation_survives_control_restart(void **state)
{
	struct chan c;

	(void)state;
	assert_int_equal(chan_open(&c, chan_name, CHAN_ROLE_CONTROL), 0);
	assert_int_equal(c.hdr->generation, 0);
	c.hdr->generation = 41;
	chan_close(&c);
	assert_int_equal(chan_open(&c, chan_name, CHAN_ROLE_CONTROL), 0);
	assert_int_equal(c.hdr->generation, 41);
	assert_int_equal(c.hdr->cp_pid, (uint32_t)getpid());
	chan_close(&c);
}

static void test_chan_interrupted_enqueue_is_discarded_on_reopen(void **state)
{
	struct chan cp, dp;
	struct chan_rec r = route_rec(5), out;

	(void)state;
	assert_int_equal(chan_open(&cp, chan_name, CHAN_ROLE_CONTROL), 0);
	assert_int_equal(chan_send(&cp, &r), 0);
	/* A producer killed between moving head and publishing tail. */
	cp.c2d->prod.head += 3;
	chan_close(&cp);

	assert_int_equal(chan_open(&cp, chan_name, CHAN_ROLE_CONTROL), 0);
	assert_int_equal(cp.c2d->prod.head, cp.c2d->prod.tail);
	r = route_rec(6);
	assert_int_equal(chan_send(&cp, &r), 0);

	assert_int_equal(chan_open(&dp, chan_name, CHAN_ROLE_DATA), 0);
	assert_int_equal(chan_recv(&dp, &out, 1), 1);
	assert_int_equal(out.u.route.prefix[2], 5);
	assert_int_equal(chan_recv(&dp, &out, 1), 1);
	assert_int_equal(out.u.route.prefix[2], 6);
	assert_int_equal(chan_recv(&dp, &out, 1), 0);
	chan_close(&dp);
	chan_close(&cp);
}

static void test_chan_object_of_another_layout_is_eproto(void **state)
{
	char path[CHAN_NAME_MAX + 2];
	struct chan c;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "/%s", chan_name);
	fd = shm_open(path, O_RDWR | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
	assert_int_equal(chan_open(&c, chan_name, CHAN_ROLE_DATA), -EPROTO);
}

static void test_chan_bad_names_are_einval(void **state)
{
	struct chan c;

	(void)state;
	assert_int_equal(chan_open(&c, "", CHAN_ROLE_DATA), -EINVAL);
	assert_int_equal(chan_open(&c, "a/b", CHAN_ROLE_DATA), -EINVAL);
}

static void test_chan_rec_validate_rejects_bad_records(void **state)
{
	struct chan_rec r;

	(void)state;
	r = route_rec(1);
	assert_int_equal(chan_rec_validate(&r, 256, 256), 0);
	r.u.route.len = 33;
	assert_int_equal(chan_rec_validate(&r, 256, 256), -EINVAL);
	r = route_rec(1);
	r.u.route.group_id = 0;
	assert_int_equal(chan_rec_validate(&r, 256, 256), -EINVAL);
	r.u.route.group_id = 256;
	assert_int_equal(chan_rec_validate(&r, 256, 256), -EINVAL);
	r = route_rec(1);
	r.u.route.family = 99;
	assert_int_equal(chan_rec_validate(&r, 256, 256), -EINVAL);

	memset(&r, 0, sizeof(r));
	r.type = CHAN_REC_GROUP_SET;
	r.generation = 1;
	r.u.grp.id = 3;
	r.u.grp.n_primary = 2;
	r.u.grp.primary[0] = 1;
	r.u.grp.primary[1] = 2;
	assert_int_equal(chan_rec_validate(&r, 256, 256), 0);
	r.u.grp.primary[1] = 0; /* nexthop id 0 does not exist */
	assert_int_equal(chan_rec_validate(&r, 256, 256), -EINVAL);
	r.u.grp.primary[1] = 2;
	r.u.grp.n_backup = CHAN_GROUP_MAX_MEMBERS + 1;
	assert_int_equal(chan_rec_validate(&r, 256, 256), -EINVAL);

	memset(&r, 0, sizeof(r));
	r.type = CHAN_REC_SYNC_END; /* generation 0 is never used */
	assert_int_equal(chan_rec_validate(&r, 256, 256), -EINVAL);
	r.type = CHAN_REC_TYPE_MAX;
	r.generation = 1;
	assert_int_equal(chan_rec_validate(&r, 256, 256), -EINVAL);
	assert_string_equal(chan_rec_type_name(CHAN_REC_GROUP_SET), "group-set");
	assert_string_equal(chan_rec_type_name(999), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_chan_records_round_trip_between_processes, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_chan_full_ring_refuses_and_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_chan_second_holder_of_a_role_is_busy, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_chan_peer_attached_follows_the_other_role, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_chan_generation_survives_control_restart, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_chan_interrupted_enqueue_is_discarded_on_reopen,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_chan_object_of_another_layout_is_eproto, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_chan_bad_names_are_einval,
						setup, teardown),
		cmocka_unit_test(test_chan_rec_validate_rejects_bad_records),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
