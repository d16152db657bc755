/* twinpathd's control socket never makes its loop wait: a silent client,
 * a ninth client at once and a request too long each get their exact
 * answer or timeout while the others are served (control/cli.c). Real
 * Unix sockets; the loop's clock is given. */
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

#include "cli.h"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
