/* twinpathd's control socket never makes its loop wait: a silent client,
 * a ninth client at once and a request too long each get their exact
 * answer or timeout while the others are served, and show routes over a
 * large table goes out a slice per loop step, equal to the one-shot
 * answer, with routes changing meanwhile shown once or not at all
 * (control/cli.c). Real Unix sockets; the loop's clock is given. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "bgp/rib.h"
#include "chan.h"
#include "cli.h"
#include "fibpush.h"

static char path[108];
static struct cli_server srv;
static struct twpd d; /* an unknown command reads nothing of it */

static int setup(void **state)
{
	int lfd;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/twp-test-cli-%d/ctl.sock",
		 (int)getpid());
	lfd = cli_listen(path);
	assert_true(lfd >= 0);
	cli_server_init(&srv, lfd);
	return 0;
}

static int teardown(void **state)
{
	char dir[108];

	(void)state;
	cli_server_close(&srv);
	close(srv.lfd);
	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	rmdir(dir);
	return 0;
}

static int client(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* one turn of the loop at NOW_MS: poll (not waiting), then handle */
static void pump(uint64_t now_ms)
{
	struct pollfd pfd[1 + CLI_MAX_CLIENTS];
	unsigned int n = cli_pollfds(&srv, pfd, 1 + CLI_MAX_CLIENTS);

	assert_true(poll(pfd, n, 0) >= 0);
	cli_handle(&srv, &d, pfd, n, now_ms);
}

/* everything the server sent until it closed (the test's side blocks,
 * with the server pumped in between) */
static void answer(int fd, char *buf, size_t len, uint64_t now_ms)
{
	size_t off = 0;
	ssize_t n;
	int i;

	for (i = 0; i < 100; i++) {
		pump(now_ms);
		n = recv(fd, buf + off, len - 1 - off, MSG_DONTWAIT);
		if (n == 0)
			break;
		if (n > 0)
			off += (size_t)n;
		else
			assert_true(errno == EAGAIN);
	}
	buf[off] = '\0';
}

static int unused_slots(void)
{
	int i, n = 0;

	for (i = 0; i < CLI_MAX_CLIENTS; i++)
		n += srv.c[i].fd < 0;
	return n;
}

/* A client that connects and says nothing holds its slot, not the loop:
 * the next client is answered at once, the silent one closed after
 * CLI_IDLE_MS and counted. */
static void test_silent_client_does_not_block(void **state)
{
	char buf[2048];
	int silent = client(), other;
	ssize_t n;

	(void)state;
	pump(1000);
	assert_int_equal(unused_slots(), CLI_MAX_CLIENTS - 1);
	other = client();
	assert_int_equal(send(other, "nonsense\n", 9, 0), 9);
	answer(other, buf, sizeof(buf), 1001);
	assert_memory_equal(buf, "error: unknown command 'nonsense' (commands: ",
			    45);
	assert_int_equal(srv.served, 1);
	close(other);
	/* just before the limit: still open */
	pump(1000 + CLI_IDLE_MS - 1);
	assert_int_equal(srv.timed_out, 0);
	pump(1000 + CLI_IDLE_MS);
	assert_int_equal(srv.timed_out, 1);
	assert_int_equal(unused_slots(), CLI_MAX_CLIENTS);
	n = recv(silent, buf, sizeof(buf), 0);
	assert_int_equal(n, 0); /* closed by the server */
	close(silent);
}

/* Only CLI_MAX_CLIENTS at once: the next one hears why, and is counted. */
static void test_busy(void **state)
{
	int fds[CLI_MAX_CLIENTS], extra, i;
	char buf[256];
	ssize_t n;

	(void)state;
	for (i = 0; i < CLI_MAX_CLIENTS; i++)
		fds[i] = client();
	pump(2000);
	assert_int_equal(unused_slots(), 0);
	extra = client();
	pump(2000);
	n = recv(extra, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "error: busy: too many control clients at "
				 "once, try again\n");
	assert_int_equal(srv.refused_busy, 1);
	close(extra);
	for (i = 0; i < CLI_MAX_CLIENTS; i++)
		close(fds[i]);
	pump(2001); /* each gone before asking: its slot freed */
	assert_int_equal(unused_slots(), CLI_MAX_CLIENTS);
	assert_int_equal(srv.served, 0);
}

/* 1023 bytes and no end of line: refused with its reason. */
static void test_request_too_long(void **state)
{
	char req[CLI_REQ_MAX], buf[256];
	int fd = client();

	(void)state;
	memset(req, 'x', sizeof(req));
	assert_int_equal(send(fd, req, sizeof(req), 0), (ssize_t)sizeof(req));
	answer(fd, buf, sizeof(buf), 3000);
	assert_string_equal(buf, "error: request longer than 1023 bytes\n");
	assert_int_equal(srv.too_long, 1);
	close(fd);
}

/* twinpathctl's way: the line, then its side shut down; and a request
 * that comes in pieces. */
static void test_line_in_pieces(void **state)
{
	char buf[2048];
	int fd = client();

	(void)state;
	assert_int_equal(send(fd, "nons", 4, 0), 4);
	pump(4000);
	assert_int_equal(srv.served, 0);
	assert_int_equal(send(fd, "ense", 4, 0), 4);
	shutdown(fd, SHUT_WR); /* no newline: the end of the request */
	answer(fd, buf, sizeof(buf), 4001);
	assert_memory_equal(buf, "error: unknown command 'nonsense' (commands: ",
			    45);
	assert_int_equal(srv.served, 1);
	close(fd);
}

/* show routes */

#define N_ROUTES 5000u
#define BIG (4u << 20)

static struct twp_config rcfg;
static struct chan rcp;
static char rchan[CHAN_NAME_MAX];

static void addr4(struct cfg_addr *a, const char *str, uint8_t len)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->len = len;
	assert_int_equal(inet_pton(AF_INET, str, a->addr), 1);
}

/* 10.(I / 256).(I % 256).0/24 */
static void pfx(unsigned int i, struct cfg_addr *a)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "10.%u.%u.0", i / 256, i % 256);
	addr4(a, buf, 24);
}

/* I's route over link1, link2 or both (WHICH 1, 2, 3); 0 removes it. */
static void route(unsigned int i, unsigned int which)
{
	static const char *const peer[] = {"192.0.2.2", "198.51.100.2"};
	struct rib_nhset set;
	struct cfg_addr a;
	unsigned int l;

	memset(&set, 0, sizeof(set));
	for (l = 0; l < 2; l++)
		if (which & (1u << l)) {
			set.primary[set.n_primary].link = (uint16_t)l;
			addr4(&set.primary[set.n_primary++].addr, peer[l], 32);
		}
	pfx(i, &a);
	assert_int_equal(fibpush_bgp_route(d.fp, &a, which ? &set : NULL), 0);
}

/* A gateway with two links and N_ROUTES BGP routes (1, 2 or both). */
static int setup_routes(void **state)
{
	unsigned int i, l;

	setup(state);
	memset(&rcfg, 0, sizeof(rcfg));
	rcfg.local_as = 65001;
	rcfg.n_links = 2;
	for (l = 0; l < 2; l++) {
		struct cfg_link *k = &rcfg.links[l];

		snprintf(k->name, sizeof(k->name), "link%u", l + 1);
		snprintf(k->interface, sizeof(k->interface), "eth%u", l + 1);
		k->remote_as = 35540;
		k->local_pref = 100;
	}
	addr4(&rcfg.links[0].local_address, "192.0.2.1", 24);
	addr4(&rcfg.links[0].peer_address, "192.0.2.2", 32);
	addr4(&rcfg.links[1].local_address, "198.51.100.1", 24);
	addr4(&rcfg.links[1].peer_address, "198.51.100.2", 32);
	snprintf(rchan, sizeof(rchan), "twp-test-cli-%d", (int)getpid());
	chan_unlink(rchan);
	assert_int_equal(chan_open(&rcp, rchan, CHAN_ROLE_CONTROL), 0);
	d.cfg = &rcfg;
	d.fp = calloc(1, sizeof(*d.fp));
	assert_non_null(d.fp);
	assert_int_equal(fibpush_build(d.fp, &rcfg, &rcp), 0);
	for (i = 0; i < N_ROUTES; i++)
		route(i, i % 3 + 1);
	return 0;
}

static int teardown_routes(void **state)
{
	teardown(state);
	fibpush_free(d.fp);
	free(d.fp);
	d.fp = NULL;
	d.cfg = NULL;
	chan_close(&rcp);
	chan_unlink(rchan);
	return 0;
}

/* cli_answer's one-shot rendering of REQ (malloc'ed). */
static char *one_shot(const char *req)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(cli_answer(&d, req, f), 0);
	fclose(f);
	return buf;
}

/* The server's socket to its one client takes a whole slice at once
 * (a 4096-route slice is more than a Unix socket's default buffer), so
 * that what a loop step sends is what it rendered. */
static void server_sndbuf(void)
{
	int i, big = 16 << 20;

	for (i = 0; i < CLI_MAX_CLIENTS; i++)
		if (srv.c[i].fd >= 0)
			assert_int_equal(setsockopt(srv.c[i].fd, SOL_SOCKET,
				SO_SNDBUFFORCE, &big, sizeof(big)), 0);
}

/* Everything the client can read now, appended at *OFF. */
static void read_now(int fd, char *buf, size_t *off)
{
	ssize_t n;

	while ((n = recv(fd, buf + *off, BIG - 1 - *off, MSG_DONTWAIT)) > 0)
		*off += (size_t)n;
	buf[*off] = '\0';
}

static unsigned int count(const char *hay, const char *needle)
{
	unsigned int n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay += strlen(needle))
		n++;
	return n;
}

/* `"prefix":"10.X.Y.0/24"` of route I */
static const char *key(unsigned int i)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "\"prefix\":\"10.%u.%u.0/24\"", i / 256,
		 i % 256);
	return buf;
}

/* One slice per loop step: the first step sends the header and
 * CLI_ROUTES_SLICE routes, no more; the whole answer, read as it comes,
 * is byte for byte the one-shot answer, in JSON and in text. */
static void test_show_routes_a_slice_per_step(void **state)
{
	static const char *const reqs[] = {"json show routes", "show routes"};
	char *buf = malloc(BIG);
	unsigned int k;

	(void)state;
	assert_non_null(buf);
	for (k = 0; k < 2; k++) {
		char *want = one_shot(reqs[k]);
		size_t off = 0;
		int fd = client();
		unsigned int steps = 1;

		assert_int_equal(count(want, k == 0 ? "\"prefix\"" : "/24 "),
				 N_ROUTES);
		assert_int_equal(send(fd, reqs[k], strlen(reqs[k]), 0),
				 (ssize_t)strlen(reqs[k]));
		assert_int_equal(send(fd, "\n", 1, 0), 1);
		pump(5000); /* accepted */
		server_sndbuf();
		pump(5000); /* the request read and answered */
		read_now(fd, buf, &off);
		assert_int_equal(count(buf, k == 0 ? "\"prefix\"" : "/24 "),
				 CLI_ROUTES_SLICE);
		assert_int_equal(srv.served, k);
		while (steps < 100) {
			ssize_t n;

			pump(5000);
			steps++;
			read_now(fd, buf, &off);
			n = recv(fd, buf + off, 1, MSG_DONTWAIT);
			if (n == 0)
				break;
			assert_true(n < 0 && errno == EAGAIN);
		}
		/* a step per slice; the last one ends the answer */
		assert_int_equal(steps, (N_ROUTES + CLI_ROUTES_SLICE - 1) /
				 CLI_ROUTES_SLICE);
		assert_string_equal(buf, want);
		assert_int_equal(srv.served, k + 1);
		close(fd);
		free(want);
	}
	free(buf);
}

/* Routes change while the walk is under way: the ones rendered stay as
 * they were; of the rest, a withdrawn one is left out, a moved one shows
 * its new group, a new one waits for the next request; 3 000 more make
 * the table grow mid-walk, and still every other route comes exactly
 * once and the JSON closes. */
static void test_show_routes_table_changes_midway(void **state)
{
	char *buf = malloc(BIG);
	size_t off = 0;
	unsigned int i, gone = N_ROUTES, moved = N_ROUTES, steps;
	int fd = client();
	const char *at;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(send(fd, "json show routes\n", 17, 0), 17);
	pump(6000); /* accepted */
	server_sndbuf();
	pump(6000); /* the request read and answered */
	read_now(fd, buf, &off);
	assert_int_equal(count(buf, "\"prefix\""), CLI_ROUTES_SLICE);
	/* two of the routes not sent yet, both over both links (i % 3 ==
	 * 2): one withdrawn, one moved to link2 alone */
	for (i = 2; i < N_ROUTES && moved == N_ROUTES; i += 3) {
		if (strstr(buf, key(i)) != NULL)
			continue;
		if (gone == N_ROUTES)
			gone = i;
		else
			moved = i;
	}
	assert_true(moved < N_ROUTES);
	route(gone, 0);
	route(moved, 2);
	for (i = N_ROUTES; i < N_ROUTES + 3000; i++)
		route(i, 1);
	for (steps = 0; steps < 100; steps++) {
		ssize_t n;

		pump(6000);
		read_now(fd, buf, &off);
		n = recv(fd, buf + off, 1, MSG_DONTWAIT);
		if (n == 0)
			break;
		assert_true(n < 0 && errno == EAGAIN);
	}
	assert_true(steps < 100);
	assert_int_equal(count(buf, "\"prefix\""), N_ROUTES - 1);
	for (i = 0; i < N_ROUTES + 3000; i++)
		assert_int_equal(count(buf, key(i)),
				 i < N_ROUTES && i != gone ? 1 : 0);
	at = strstr(buf, key(moved));
	assert_non_null(at);
	assert_memory_equal(strstr(at, "\"primary\""),
			    "\"primary\":[{\"nexthop\":2,\"via\":\"link2\"}],",
			    40);
	assert_string_equal(buf + off - 3, "}]\n");
	/* the next request has them all, the new ones too */
	free(buf);
	buf = one_shot("json show routes");
	assert_int_equal(count(buf, "\"prefix\""), N_ROUTES - 1 + 3000);
	free(buf);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_silent_client_does_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_too_long, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_line_in_pieces, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_show_routes_a_slice_per_step, setup_routes,
			teardown_routes),
		cmocka_unit_test_setup_teardown(
			test_show_routes_table_changes_midway, setup_routes,
			teardown_routes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
