/* twinpathd's BFD configuration: config -> health_link fields, exact, on a
 * plain struct health_map in memory (no BPF); discriminators and source
 * ports; admin down; links without BFD; state tracking and RFC 5882
 * teardown requests. */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <net/if.h>

#include <cmocka.h>

#include "bfdsess.h"
#include "config.h"
#include "health.h"

static struct twp_config cfg;
static struct health_map hm;
static struct bfd b;
static char err[1024];

/* Writes a config with N links to a temp file and loads it. Link 0 is on
 * "lo" (so its ifindex is known: 1). BFD per link: LINK_BFD[i] is the
 * bfd group's text, NULL for none. */
static void load_links(unsigned int n, const char *const *link_bfd)
{
	char path[] = "/tmp/test_bfdcfg.XXXXXX";
	unsigned int i;
	FILE *f;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fprintf(f, "local_as = 65001;\nrouter_id = \"198.18.1.1\";\n"
		   "lan = { interface = \"lan0\"; address = \"198.18.1.1/24\"; };\n"
		   "links = (\n");
	for (i = 0; i < n; i++) {
		char ifname[IFNAMSIZ];
		const char *bfd = link_bfd ? link_bfd[i] : NULL;

		if (i == 0)
			snprintf(ifname, sizeof(ifname), "lo");
		else
			snprintf(ifname, sizeof(ifname), "nosuch%u", i);
		fprintf(f, "%s{ name = \"link%u\"; interface = \"%s\";\n"
			"  local_address = \"203.0.%u.1/30\";\n"
			"  peer_address = \"203.0.%u.2\"; remote_as = 35540;\n"
			"  %s%s%s }\n", i ? "," : "", i + 1, ifname, i, i,
			bfd ? "bfd = " : "", bfd ? bfd : "", bfd ? ";" : "");
	}
	fprintf(f, ");\n");
	fclose(f);
	if (cfg_load(&cfg, path, err, sizeof(err)) < 0)
		fail_msg("config: %s", err);
	unlink(path);
}

static void setup_map(void)
{
	memset(&hm, 0, sizeof(hm));
	assert_int_equal(bfd_init(&b, &cfg, "/nonexistent"), 0);
	bfd_use_map(&b, &hm);
}

static void test_bfdcfg_fields_exact(void **state)
{
	static const char *const bfds[] = {
		"{ min_tx_ms = 50; min_rx_ms = 40; multiplier = 5; }",
		"{ }",
	};
	const struct health_link *l0 = &hm.link[0], *l1 = &hm.link[1];
	uint8_t want[16] = {203, 0, 0, 1};

	(void)state;
	load_links(2, bfds);
	setup_map();

	assert_int_equal(l0->cfg_enabled, 1);
	assert_int_equal(l0->cfg_admin_down, 0);
	assert_int_equal(l0->ifindex, 1); /* lo */
	assert_int_equal(l0->family, AF_INET);
	assert_memory_equal(l0->local_addr, want, 16);
	want[3] = 2;
	assert_memory_equal(l0->peer_addr, want, 16);
	assert_int_equal(l0->local_disc, b.s[0].local_disc);
	assert_int_equal(l0->desired_min_tx_us, 50000);
	assert_int_equal(l0->required_min_rx_us, 40000);
	assert_int_equal(l0->detect_mult, 5);
	assert_int_equal(l0->src_port, b.s[0].src_port);
	assert_true(l0->src_port >= 49152 && l0->src_port <= 65535);
	assert_int_equal(l0->cfg_gen, 1);

	/* the defaults: 300 ms x 3; an interface that does not exist: 0 */
	assert_int_equal(l1->cfg_enabled, 1);
	assert_int_equal(l1->ifindex, 0);
	want[2] = 1;
	want[3] = 1;
	assert_memory_equal(l1->local_addr, want, 16);
	assert_int_equal(l1->desired_min_tx_us, 300000);
	assert_int_equal(l1->required_min_rx_us, 300000);
	assert_int_equal(l1->detect_mult, 3);
	assert_int_equal(l1->cfg_gen, 1);

	/* of the XDP program's part only the start of a new session: Down,
	 * the peer's state Down too (RFC 5880 §6.8.1), never 0 (AdminDown);
	 * nothing past the links */
	assert_int_equal(l0->state, BFD_STATE_DOWN);
	assert_int_equal(l0->remote_state, BFD_STATE_DOWN);
	assert_int_equal(l0->local_diag, BFD_DIAG_NONE);
	assert_int_equal(l1->state, BFD_STATE_DOWN);
	assert_int_equal(l0->up_count, 0);
	assert_int_equal(hm.link[2].cfg_gen, 0);
	assert_int_equal(hm.live_mask, 0);
}

static void test_bfdcfg_discriminators_unique_nonzero(void **state)
{
	const char *bfds[HEALTH_MAX_LINKS];
	unsigned int i, j, run;

	(void)state;
	for (i = 0; i < HEALTH_MAX_LINKS; i++)
		bfds[i] = "{ }";
	load_links(HEALTH_MAX_LINKS, bfds);
	for (run = 0; run < 200; run++) {
		setup_map();
		for (i = 0; i < HEALTH_MAX_LINKS; i++) {
			assert_int_not_equal(hm.link[i].local_disc, 0);
			assert_true(hm.link[i].src_port >= BFD_SRC_PORT_MIN &&
				    hm.link[i].src_port <= 65535);
			for (j = 0; j < i; j++) {
				assert_int_not_equal(hm.link[i].local_disc,
						     hm.link[j].local_disc);
				assert_int_not_equal(hm.link[i].src_port,
						     hm.link[j].src_port);
			}
		}
	}
}

static void test_bfdcfg_admin_down(void **state)
{
	static const char *const bfds[] = {"{ admin_down = true; }"};

	(void)state;
	load_links(1, bfds);
	setup_map();
	assert_int_equal(hm.link[0].cfg_enabled, 1);
	assert_int_equal(hm.link[0].cfg_admin_down, 1);
	assert_int_not_equal(hm.link[0].local_disc, 0);
	/* a new session held down starts in AdminDown, and says why */
	assert_int_equal(hm.link[0].state, BFD_STATE_ADMIN_DOWN);
	assert_int_equal(hm.link[0].local_diag, BFD_DIAG_ADMIN_DOWN);
}

static void test_bfdcfg_disabled_link_all_zero(void **state)
{
	static const char *const bfds[] = {NULL, "{ }"};
	struct health_link zero;

	(void)state;
	load_links(2, bfds);
	/* a map that held a session for link 1 before (another config) */
	memset(&hm, 0, sizeof(hm));
	hm.link[0].cfg_enabled = 1;
	hm.link[0].local_disc = 77;
	hm.link[0].cfg_gen = 4;
	hm.link[0].state = BFD_STATE_UP;
	assert_int_equal(bfd_init(&b, &cfg, "/nonexistent"), 0);
	assert_int_equal(b.n_enabled, 1);
	bfd_use_map(&b, &hm);
	memset(&zero, 0, sizeof(zero));
	assert_memory_equal(&hm.link[0], &zero,
			    offsetof(struct health_link, cfg_gen));
	assert_int_equal(hm.link[0].cfg_gen, 5);
	/* the XDP program's words are not ours */
	assert_int_equal(hm.link[0].state, BFD_STATE_UP);
	assert_int_equal(hm.link[1].cfg_enabled, 1);
}

/* An entry that an earlier session left in another state than 0 (and
 * perhaps with its live bit) is not reset to Down when enabled again:
 * state and live bit are the XDP program's to change together. */
static void test_bfdcfg_reenabled_entry_keeps_xdp_state(void **state)
{
	static const char *const bfds[] = {"{ }"};

	(void)state;
	load_links(1, bfds);
	memset(&hm, 0, sizeof(hm));
	hm.link[0].state = BFD_STATE_UP;
	hm.link[0].remote_state = BFD_STATE_UP;
	hm.live_mask = 1;
	assert_int_equal(bfd_init(&b, &cfg, "/nonexistent"), 0);
	bfd_use_map(&b, &hm);
	assert_int_equal(hm.link[0].cfg_enabled, 1);
	assert_int_equal(hm.link[0].state, BFD_STATE_UP);
	assert_int_equal(hm.link[0].remote_state, BFD_STATE_UP);
	assert_int_equal(hm.live_mask, 1);
}

static void test_bfdcfg_rewrite_same_config_keeps_generation(void **state)
{
	static const char *const bfds[] = {"{ }", "{ }"};

	(void)state;
	load_links(2, bfds);
	setup_map();
	hm.link[0].state = BFD_STATE_UP;
	hm.link[0].rx_valid = 42;
	bfd_use_map(&b, &hm);
	assert_int_equal(hm.link[0].cfg_gen, 1);
	assert_int_equal(hm.link[0].state, BFD_STATE_UP);
	assert_int_equal(hm.link[0].rx_valid, 42);

	/* an interface index that changed: one rewrite, one bump */
	b.s[1].ifindex = 9;
	assert_true(bfd_write_link(&cfg.links[1], &b.s[1], &hm.link[1]));
	assert_int_equal(hm.link[1].ifindex, 9);
	assert_int_equal(hm.link[1].cfg_gen, 2);
	assert_false(bfd_write_link(&cfg.links[1], &b.s[1], &hm.link[1]));
	assert_int_equal(hm.link[1].cfg_gen, 2);
}

/* A restarted twinpathd keeps the discriminator of the running session. */
static void test_bfdcfg_restart_adopts_running_session(void **state)
{
	static const char *const bfds[] = {"{ }", "{ }"};
	uint32_t disc0, disc1;
	uint16_t port0;

	(void)state;
	load_links(2, bfds);
	setup_map();
	disc0 = b.s[0].local_disc;
	disc1 = b.s[1].local_disc;
	port0 = b.s[0].src_port;
	assert_int_equal(bfd_init(&b, &cfg, "/nonexistent"), 0);
	bfd_use_map(&b, &hm);
	assert_int_equal(b.s[0].local_disc, disc0);
	assert_int_equal(b.s[1].local_disc, disc1);
	assert_int_equal(b.s[0].src_port, port0);
	assert_int_equal(hm.link[0].cfg_gen, 1);
}

/* RFC 5882 §3.2: a failure asks for the BGP teardown, remote AdminDown
 * does not. */
static void test_bfdcfg_teardown_on_failure_not_admin_down(void **state)
{
	static const char *const bfds[] = {"{ }", "{ }"};
	struct health_link *l0 = &hm.link[0], *l1 = &hm.link[1];
	char who[192];

	(void)state;
	load_links(2, bfds);
	setup_map();
	bfd_watch(&b, 1); /* first look */
	l0->state = l1->state = BFD_STATE_UP;
	l0->up_count = l1->up_count = 1;
	bfd_watch(&b, 2);
	assert_int_equal(b.s[0].state, BFD_STATE_UP);
	assert_int_equal(b.s[0].bgp_teardowns_requested, 0);

	/* link 1: detection time expired */
	l0->state = BFD_STATE_DOWN;
	l0->local_diag = BFD_DIAG_DETECT_EXPIRED;
	l0->down_count = 1;
	l0->last_rx_ns = 1000000000ull;
	l0->last_change_ns = 1150000000ull;
	l0->detect_time_us = 150000;
	/* link 2: the peer went AdminDown */
	l1->state = BFD_STATE_DOWN;
	l1->remote_state = BFD_STATE_ADMIN_DOWN;
	l1->local_diag = BFD_DIAG_NEIGHBOR_DOWN;
	l1->down_count = 1;
	bfd_watch(&b, 3);
	assert_int_equal(b.s[0].bgp_teardowns_requested, 1);
	assert_int_equal(b.s[0].last_down_detect_ns, 150000000ull);
	assert_int_equal(b.s[0].last_down_diag, BFD_DIAG_DETECT_EXPIRED);
	assert_string_equal(bfd_down_by(b.s[0].last_down_diag), "local");
	assert_string_equal(bfd_down_who(&b.s[0], who, sizeof(who)),
			    "our detection timer: no valid packet for 150.0 "
			    "ms (detection time 150.0 ms)");
	assert_int_equal(b.s[1].bgp_teardowns_requested, 0);
	assert_int_equal(b.s[1].last_down_remote_state, BFD_STATE_ADMIN_DOWN);
	assert_string_equal(bfd_down_by(b.s[1].last_down_diag), "peer");

	/* the peer's Down, as the XDP program recorded it at that instant,
	 * although the session has moved on to Init since */
	l0->state = BFD_STATE_UP;
	l0->up_count = 2;
	l0->last_change_ns = 1600000000ull;
	bfd_watch(&b, 4);
	l0->state = BFD_STATE_INIT;
	l0->local_diag = BFD_DIAG_NONE;
	l0->remote_state = BFD_STATE_DOWN;
	l0->down_count = 2;
	l0->down_ns = 2000000000ull;
	l0->down_diag = BFD_DIAG_NEIGHBOR_DOWN;
	l0->down_remote_state = BFD_STATE_DOWN;
	l0->down_remote_diag = BFD_DIAG_DETECT_EXPIRED;
	l0->down_rx_gap_ns = 9800000ull;
	bfd_watch(&b, 5);
	assert_int_equal(b.s[0].bgp_teardowns_requested, 2);
	assert_int_equal(b.s[0].last_down_ns, 2000000000ull);
	assert_int_equal(b.s[0].last_down_diag, BFD_DIAG_NEIGHBOR_DOWN);
	assert_string_equal(bfd_down_by(b.s[0].last_down_diag), "peer");
	assert_string_equal(bfd_down_who(&b.s[0], who, sizeof(who)),
			    "the peer: it sent Down with diagnostic 'control "
			    "detection time expired' (its previous packet "
			    "9.8 ms before)");
	/* both failures of link 1 stay on record, oldest first */
	assert_int_equal(b.s[0].n_recent, 2);
	assert_int_equal(b.s[0].recent[0].ns, 1150000000ull);
	assert_int_equal(b.s[0].recent[0].detect_ns, 150000000ull);
	assert_int_equal(b.s[0].recent[0].diag, BFD_DIAG_DETECT_EXPIRED);
	assert_int_equal(b.s[0].recent[1].ns, 2000000000ull);
	assert_int_equal(b.s[0].recent[1].detect_ns, 9800000ull);
	assert_int_equal(b.s[0].recent[1].diag, BFD_DIAG_NEIGHBOR_DOWN);
	/* the first ended when the session was Up again; the second not */
	assert_int_equal(b.s[0].recent[0].up_ns, 1600000000ull);
	assert_int_equal(b.s[0].recent[1].up_ns, 0);
	l0->down_ns = 0;

	/* a flap between two looks: counted from the XDP counters */
	l0->state = BFD_STATE_UP;
	l0->up_count = 4;
	l0->down_count = 3;
	bfd_watch(&b, 6);
	assert_int_equal(b.s[0].bgp_teardowns_requested, 3);
	bfd_watch(&b, 7);
	assert_int_equal(b.s[0].bgp_teardowns_requested, 3);
}

/* What bfd_watch() told BGP: the tick and Up/Down of each call. */
static struct bgp_call {
	unsigned int link;
	bool up;
	uint64_t ns;
} calls[32];
static unsigned int n_calls;
static uint64_t tick_ns;

static void record_bgp(void *arg, unsigned int link, bool up)
{
	(void)arg;
	assert_true(n_calls < 32);
	calls[n_calls++] = (struct bgp_call){link, up, tick_ns};
}

static void watch_at(uint64_t ns)
{
	tick_ns = ns;
	bfd_watch(&b, ns);
}

#define MS 1000000ull

/* Session I of the map goes Up (UP true) or fails (detection time). */
static void flip(unsigned int i, bool up)
{
	struct health_link *l = &hm.link[i];

	if (up) {
		l->state = BFD_STATE_UP;
		l->local_diag = BFD_DIAG_NONE;
		l->up_count++;
	} else {
		l->state = BFD_STATE_DOWN;
		l->local_diag = BFD_DIAG_DETECT_EXPIRED;
		l->down_count++;
	}
}

static void assert_call(unsigned int k, unsigned int link, bool up,
			uint64_t ns)
{
	assert_true(k < n_calls);
	assert_int_equal(calls[k].link, link);
	assert_int_equal(calls[k].up, up);
	assert_int_equal(calls[k].ns, ns);
}

/* links.bfd.dampening (RFC 5882 §3.2): after each failure BGP follows the
 * session Up only after a hold, 100 ms, then doubled per failure up to
 * 350 ms, a failure during a hold cutting it short; each 2 s Up with BGP
 * back halves the next hold, and below 100 ms it is forgotten. Link 2
 * without dampening (the default) follows at once. */
static void test_bfdcfg_dampening_holds_with_exponential_backoff(
	void **state)
{
	static const char *const bfds[] = {
		"{ dampening = { initial_hold_ms = 100; max_hold_ms = 350; "
		"decay_s = 2; }; }",
		"{ }"};
	const uint64_t s0 = 1000 * MS;

	(void)state;
	load_links(2, bfds);
	assert_true(cfg.links[0].bfd.dampening);
	assert_false(cfg.links[1].bfd.dampening);
	setup_map();
	n_calls = 0;
	b.bgp_cb = record_bgp;
	watch_at(s0); /* first look: both Down */
	assert_int_equal(n_calls, 0);

	/* Up with no failure on record: BGP follows at once */
	flip(0, true), flip(1, true);
	watch_at(s0 + 10 * MS);
	assert_int_equal(n_calls, 2);
	assert_call(0, 0, true, s0 + 10 * MS);
	assert_call(1, 1, true, s0 + 10 * MS);

	/* failure 1: BGP down at once; Up again: held 100 ms */
	flip(0, false), flip(1, false);
	watch_at(s0 + 20 * MS);
	assert_int_equal(n_calls, 4);
	assert_call(2, 0, false, s0 + 20 * MS);
	assert_call(3, 1, false, s0 + 20 * MS);
	assert_int_equal(b.s[0].damp_hold_ms, 100);
	assert_int_equal(b.s[1].damp_hold_ms, 0);
	flip(0, true), flip(1, true);
	watch_at(s0 + 30 * MS);
	assert_int_equal(n_calls, 5);
	assert_call(4, 1, true, s0 + 30 * MS); /* undampened: at once */
	assert_true(b.s[0].damp_held);
	assert_int_equal(b.s[0].damp_until_ns, s0 + 130 * MS);
	assert_int_equal(b.s[0].damp_holds, 1);
	/* show bfd's "held down N ms more", rounded up */
	assert_int_equal(bfd_damp_left_ms(&b.s[0], s0 + 30 * MS), 100);
	assert_int_equal(bfd_damp_left_ms(&b.s[0], s0 + 30 * MS + 1), 100);
	assert_int_equal(bfd_damp_left_ms(&b.s[0], s0 + 129 * MS), 1);
	assert_int_equal(bfd_damp_left_ms(&b.s[0], s0 + 130 * MS - 1), 1);
	assert_int_equal(bfd_damp_left_ms(&b.s[1], s0 + 30 * MS), 0);
	watch_at(s0 + 130 * MS - 1);
	assert_int_equal(n_calls, 5);
	watch_at(s0 + 130 * MS);
	assert_int_equal(n_calls, 6);
	assert_call(5, 0, true, s0 + 130 * MS);
	assert_false(b.s[0].damp_held);
	assert_int_equal(bfd_damp_left_ms(&b.s[0], s0 + 130 * MS), 0);
	assert_int_equal(b.s[0].damp_decay_ns, s0 + 2130 * MS);

	/* failure 2: 200 ms; failure 3 during that hold cuts it: 350 ms
	 * (400 capped), and BGP is never told Up in between */
	flip(0, false);
	watch_at(s0 + 200 * MS);
	assert_call(6, 0, false, s0 + 200 * MS);
	assert_int_equal(b.s[0].damp_hold_ms, 200);
	assert_int_equal(b.s[0].damp_decay_ns, 0);
	flip(0, true);
	watch_at(s0 + 210 * MS);
	assert_int_equal(b.s[0].damp_until_ns, s0 + 410 * MS);
	flip(0, false);
	watch_at(s0 + 300 * MS);
	assert_int_equal(n_calls, 8);
	assert_call(7, 0, false, s0 + 300 * MS);
	assert_false(b.s[0].damp_held);
	assert_int_equal(b.s[0].damp_holds_cut, 1);
	assert_int_equal(b.s[0].damp_hold_ms, 350);
	flip(0, true);
	watch_at(s0 + 310 * MS);
	watch_at(s0 + 410 * MS); /* the cut hold's end: nothing */
	watch_at(s0 + 660 * MS - 1);
	assert_int_equal(n_calls, 8);
	watch_at(s0 + 660 * MS);
	assert_int_equal(n_calls, 9);
	assert_call(8, 0, true, s0 + 660 * MS);
	assert_int_equal(b.s[0].damp_holds, 3);

	/* stable: 350 -> 175 after 2 s Up, then 87 < 100: forgotten */
	watch_at(s0 + 2660 * MS - 1);
	assert_int_equal(b.s[0].damp_hold_ms, 350);
	watch_at(s0 + 2660 * MS);
	assert_int_equal(b.s[0].damp_hold_ms, 175);
	assert_int_equal(b.s[0].damp_decay_ns, s0 + 4660 * MS);
	watch_at(s0 + 4660 * MS);
	assert_int_equal(b.s[0].damp_hold_ms, 0);
	assert_int_equal(b.s[0].damp_decay_ns, 0);
	/* the next failure starts again at 100 ms */
	flip(0, false);
	watch_at(s0 + 5000 * MS);
	assert_int_equal(b.s[0].damp_hold_ms, 100);
	assert_int_equal(n_calls, 10);
	assert_int_equal(b.s[0].bgp_teardowns_requested, 4);
	assert_int_equal(b.s[1].damp_holds, 0);
	b.bgp_cb = NULL;
}

/* The return path of a link with suspect.steer_return: steered away
 * when the data plane suspects the link (health map suspect_state 1 or
 * 2), kept steered while a confirmed suspicion leaves BFD Down, released
 * once the link is clear and Up; a link with steer_return "off" never
 * calls. */
static unsigned int steers;
static bool steer_on[8];
static unsigned int steer_link[8];

static void record_steer(void *arg, unsigned int link, bool on)
{
	(void)arg;
	if (steers < 8) {
		steer_link[steers] = link;
		steer_on[steers] = on;
	}
	steers++;
}

/* What the code under test logs (stderr) between stderr_to_file and
 * stderr_back: into a temporary file, read back into BUF. */
static int saved_stderr = -1;
static FILE *captured;

static void stderr_to_file(void)
{
	captured = tmpfile();
	assert_non_null(captured);
	fflush(stderr);
	saved_stderr = dup(2);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(captured), 2) == 2);
}

static void stderr_back(char *buf, size_t size)
{
	size_t n;

	fflush(stderr);
	assert_true(dup2(saved_stderr, 2) == 2);
	close(saved_stderr);
	rewind(captured);
	n = fread(buf, 1, size - 1, captured);
	buf[n] = 0;
	fclose(captured);
}

static void test_bfdcfg_suspicion_steers_the_return_path(void **state)
{
	char logged[4096];
	const char *p;
	unsigned int lines = 0;

	static const char *const bfds[] = {
		"{ }; suspect = { steer_return = \"unprepend\"; }",
		"{ }; suspect = { }"};
	struct health_link *l0 = &hm.link[0], *l1 = &hm.link[1];

	(void)state;
	load_links(2, bfds);
	setup_map();
	steers = 0;
	b.steer_cb = record_steer;
	l0->state = l1->state = BFD_STATE_UP;
	l0->up_count = l1->up_count = 1;
	bfd_watch(&b, 1);
	assert_int_equal(steers, 0);
	stderr_to_file();
	/* suspected, then proved alive and held: steered throughout */
	l0->suspect_state = 1;
	l1->suspect_state = 1;      /* steer_return "off": no call */
	bfd_watch(&b, 2);
	assert_int_equal(steers, 1);
	assert_int_equal(steer_link[0], 0);
	assert_true(steer_on[0]);
	l0->suspect_state = 2;
	bfd_watch(&b, 3);
	assert_int_equal(steers, 1);
	/* cleared with BFD Up: released */
	l0->suspect_state = 0;
	bfd_watch(&b, 4);
	assert_int_equal(steers, 2);
	assert_false(steer_on[1]);
	/* suspected again, and BFD confirms: steered until it is Up */
	l0->suspect_state = 1;
	bfd_watch(&b, 5);
	assert_int_equal(steers, 3);
	l0->suspect_state = 0;
	l0->state = BFD_STATE_DOWN;
	l0->down_count = 1;
	bfd_watch(&b, 6);
	assert_int_equal(steers, 3);
	assert_true(b.s[0].steering);
	l0->state = BFD_STATE_UP;
	l0->up_count = 2;
	bfd_watch(&b, 7);
	assert_int_equal(steers, 4);
	assert_false(steer_on[3]);
	assert_false(b.s[1].steering);
	assert_int_equal(b.s[1].suspect_state, 1);
	b.steer_cb = NULL;
	/* the suspicion itself is twinpath-dp's to log: twinpathd logs
	 * what it does, the four steering changes (beside the sessions'
	 * own Down and Up), and no word of the suspicion's states */
	stderr_back(logged, sizeof(logged));
	for (p = logged; (p = strstr(p, "return path")) != NULL; p++)
		lines++;
	assert_int_equal(lines, 4);
	assert_non_null(strstr(logged, "bfd link1: return path steered to "
				       "the other links"));
	assert_non_null(strstr(logged, "bfd link1: return path no longer "
				       "steered"));
	assert_null(strstr(logged, "suspicion"));
	assert_null(strstr(logged, "link2"));
}

static void test_bfdcfg_timers(void **state)
{
	struct health_link h;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.desired_min_tx_us = 50000;
	h.required_min_rx_us = 50000;
	h.remote_min_rx_us = 10000;
	h.remote_min_tx_us = 70000;
	h.remote_mult = 3;
	h.state = BFD_STATE_INIT;
	/* RFC 5880 §6.8.3: at least 1 s while not Up */
	assert_int_equal(bfd_tx_interval_us(&h), 1000000);
	h.state = BFD_STATE_UP;
	assert_int_equal(bfd_tx_interval_us(&h), 50000);
	h.remote_min_rx_us = 80000;
	assert_int_equal(bfd_tx_interval_us(&h), 80000);
	assert_int_equal(bfd_detect_time_us(&h), 210000);
	h.detect_time_us = 150000;
	assert_int_equal(bfd_detect_time_us(&h), 150000);
}

/* show bfd and its JSON print every drop counter under bfd_drop_name():
 * one exact name per reason, none left as "?" when the enum grows. */
/* RFC 5880 §6.8.3 from twinpathd's side: new timers for an Up session
 * start a Poll (poll_seq + 1, the values in force kept); a second change
 * while it runs is held back, and bfd_watch() writes it, with a Poll of
 * its own, once the XDP program has recorded the Final. Not Up: written
 * at once, no Poll. */
static void test_bfdcfg_timer_change_while_up_starts_a_poll(void **state)
{
	static const char *const bfds[] = {
		"{ min_tx_ms = 50; min_rx_ms = 40; multiplier = 5; }",
	};
	struct health_link *l = &hm.link[0];

	(void)state;
	load_links(1, bfds);
	setup_map();
	/* not Up: no Poll */
	cfg.links[0].bfd.min_tx_us = 60000;
	assert_true(bfd_write_link(&cfg.links[0], &b.s[0], l));
	assert_int_equal(l->desired_min_tx_us, 60000);
	assert_int_equal(l->poll_seq, 0);

	l->state = BFD_STATE_UP;
	cfg.links[0].bfd.min_tx_us = 100000;
	cfg.links[0].bfd.min_rx_us = 10000;
	assert_true(bfd_write_link(&cfg.links[0], &b.s[0], l));
	assert_int_equal(l->poll_seq, 1);
	assert_int_equal(l->poll_old_tx_us, 60000);
	assert_int_equal(l->poll_old_rx_us, 40000);
	assert_int_equal(l->desired_min_tx_us, 100000);
	assert_int_equal(l->required_min_rx_us, 10000);
	assert_int_equal(health_tx_in_force_us(l), 60000);
	assert_int_equal(health_rx_in_force_us(l), 40000);

	/* a change during the Poll: the multiplier goes in, the timers wait */
	cfg.links[0].bfd.min_tx_us = 20000;
	cfg.links[0].bfd.multiplier = 4;
	assert_true(bfd_write_link(&cfg.links[0], &b.s[0], l));
	assert_int_equal(l->poll_seq, 1);
	assert_int_equal(l->desired_min_tx_us, 100000);
	assert_int_equal(l->detect_mult, 4);
	bfd_watch(&b, 0);
	assert_int_equal(l->desired_min_tx_us, 100000);

	/* the Final (the XDP program's write): the held timers and a Poll */
	l->poll_final_seq = 1;
	assert_int_equal(health_tx_in_force_us(l), 100000);
	assert_int_equal(health_rx_in_force_us(l), 10000);
	bfd_watch(&b, 0);
	assert_int_equal(l->poll_seq, 2);
	assert_int_equal(l->poll_old_tx_us, 100000);
	assert_int_equal(l->desired_min_tx_us, 20000);
	/* a lower Desired Min TX is in force at once */
	assert_int_equal(health_tx_in_force_us(l), 20000);
}

static void test_bfdcfg_every_drop_reason_named(void **state)
{
	static const char *const want[] = {
		"ttl", "version", "length", "detect_mult", "multipoint",
		"my_disc", "your_disc", "your_disc_zero", "auth", "poll_final",
		"disabled", "wrong_if", "wrong_src", "wrong_dst",
	};
	unsigned int k;

	(void)state;
	assert_int_equal(BFD_DROP_MAX, sizeof(want) / sizeof(want[0]));
	for (k = 0; k < BFD_DROP_MAX; k++)
		assert_string_equal(bfd_drop_name(k), want[k]);
	assert_string_equal(bfd_drop_name(BFD_DROP_MAX), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bfdcfg_fields_exact),
		cmocka_unit_test(test_bfdcfg_discriminators_unique_nonzero),
		cmocka_unit_test(test_bfdcfg_admin_down),
		cmocka_unit_test(test_bfdcfg_disabled_link_all_zero),
		cmocka_unit_test(test_bfdcfg_rewrite_same_config_keeps_generation),
		cmocka_unit_test(test_bfdcfg_reenabled_entry_keeps_xdp_state),
		cmocka_unit_test(test_bfdcfg_restart_adopts_running_session),
		cmocka_unit_test(test_bfdcfg_teardown_on_failure_not_admin_down),
		cmocka_unit_test(test_bfdcfg_suspicion_steers_the_return_path),
		cmocka_unit_test(test_bfdcfg_timers),
		cmocka_unit_test(
			test_bfdcfg_dampening_holds_with_exponential_backoff),
		cmocka_unit_test(test_bfdcfg_timer_change_while_up_starts_a_poll),
		cmocka_unit_test(test_bfdcfg_every_drop_reason_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
