/* libFuzzer harness of twinpathd's control socket, its attack surface
 * to local clients: each request line goes to cli_answer() (control/
 * cli.c: admin.c's link/bgp commands, show.c's BGP commands, cli.c's
 * own, reload) as cli_serve() hands it over: at most 1023 bytes, cut at
 * the first CR or LF (or NUL). One input is up to 8 requests, one per
 * line, each a connection of its own, so state changes (drain, shutdown,
 * enable) meet the commands that show them. The daemon is twinpathd's
 * state without its sockets: two links with BGP (a speaker that never
 * connects), a FIB push over a real channel, a config path that does not
 * exist (a reload is refused with its error line).
 *
 * Invariants besides the sanitizers': cli_answer returns 0 or -errno
 * (never admin.c's 1, "not mine"); the answer is not empty
 * and is text (no NUL); a refusal (< 0) starts "error: " and an answer
 * that starts so is a refusal; a "json ..." request answered 0 is one
 * valid JSON document (json-c) and a newline. twinpathctl's own argument
 * parsing is not here: it passes the words through unparsed. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "fuzz.h"
#include "fuzz_util.h"

#define REQ_MAX 1024u /* cli_serve's buffer */
#define REQS_PER_INPUT 8u

static struct twp_config cfg;
static struct chan cp, dp;
static struct fibpush fp;
static char chan_name[CHAN_NAME_MAX];

static struct {
	uint64_t requests, answered, refused, json_docs;
} tot;

static void teardown(void)
{
	fibpush_free(&fp);
	chan_close(&dp);
	chan_close(&cp);
	chan_unlink(chan_name);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int i;

	(void)argc;
	(void)argv;
	snprintf(cfg.instance, sizeof(cfg.instance), "fuzzcli");
	snprintf(cfg.path, sizeof(cfg.path), "/nonexistent/fuzz_cli.conf");
	cfg.local_as = 64496;
	cfg.router_id[0] = 198, cfg.router_id[3] = 1;
	cfg.bgp.enabled = true;
	cfg.bgp.hold_time_s = 90;
	cfg.bgp.connect_retry_s = 5;
	cfg.bgp.graceful_restart = true;
	cfg.bgp.drain_rx_floor_pps = 10;
	cfg.bgp.drain_quiet_s = 5;
	cfg.bgp.drain_timeout_s = 60;
	fuzz_addr(&cfg.bgp.announce[0], AF_INET, "198.18.0.0", 16);
	cfg.bgp.n_announce = 1;
	cfg.n_links = 2;
	for (i = 0; i < 2; i++) {
		struct cfg_link *l = &cfg.links[i];

		snprintf(l->name, sizeof(l->name), "link%u", i + 1);
		snprintf(l->interface, sizeof(l->interface), "eth%u", i + 1);
		fuzz_addr(&l->local_address, AF_INET,
		     i == 0 ? "192.0.2.1" : "203.0.113.1", 24);
		fuzz_addr(&l->peer_address, AF_INET,
		     i == 0 ? "192.0.2.2" : "203.0.113.2", 32);
		l->remote_as = 64500 + i;
		l->local_pref = 100;
		l->bgp.passive = true; /* never connects */
		fuzz_addr(&l->bgp.import[0].prefix, AF_INET, "10.0.0.0", 8);
		l->bgp.import[0].le = 32;
		l->bgp.n_import = 1;
	}
	snprintf(chan_name, sizeof(chan_name), "twp-fuzz-cli-%d",
		 (int)getpid());
	chan_unlink(chan_name);
	if (chan_open(&cp, chan_name, CHAN_ROLE_CONTROL) != 0 ||
	    chan_open(&dp, chan_name, CHAN_ROLE_DATA) != 0 ||
	    fibpush_build(&fp, &cfg, &cp) != 0) {
		fprintf(stderr, "fuzz_cli: setup failed\n");
		exit(1);
	}
	/* both ends are mapped: the name can go now, so a run that dies
	 * (a finding aborts) leaves nothing in /dev/shm */
	chan_unlink(chan_name);
	atexit(teardown);
	fuzz_quiet_logs();
	return 0;
}

static void check_answer(const char *req, int rc, const char *ans,
			 size_t len)
{
	bool json = strncmp(req + strspn(req, " \t"), "json", 4) == 0;
	bool err = strncmp(ans, "error: ", 7) == 0;

	if (rc > 0)
		fuzz_fail("'%s': cli_answer returned %d", req, rc);
	if (len == 0)
		fuzz_fail("'%s': an empty answer (rc %d)", req, rc);
	if (strlen(ans) != len)
		fuzz_fail("'%s': a NUL inside the answer", req);
	if ((rc < 0) != err)
		fuzz_fail("'%s': rc %d with the answer '%.80s'", req, rc, ans);
	if (rc < 0)
		return;
	tot.answered++;
	if (json && len > 0 && ans[0] == '{') {
		struct json_tokener *tok = json_tokener_new();
		struct json_object *o;
		size_t used;

		if (tok == NULL)
			abort();
		o = json_tokener_parse_ex(tok, ans, (int)len);
		used = (size_t)json_tokener_get_parse_end(tok);
		if (o == NULL ||
		    json_tokener_get_error(tok) != json_tokener_success ||
		    ans[len - 1] != '\n' ||
		    ans[used + strspn(ans + used, "\n")] != '\0')
			fuzz_fail("'%s': the answer is not one JSON document and a "
			     "newline (%s at byte %zu): ...%.200s", req,
			     json_tokener_error_desc(
				     json_tokener_get_error(tok)), used,
			     ans + (used > 100 ? used - 100 : 0));
		json_object_put(o);
		json_tokener_free(tok);
		tot.json_docs++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_opts o = {.no_listen = true};
	struct twpd d = {.cfg = &cfg, .cfg_live = &cfg, .fp = &fp};
	static struct twp_config saved;
	unsigned int n;

	saved = cfg; /* a reload must not change it: restored anyway */
	d.chan = cp;
	d.rib = rib_new(cfg.n_links);
	d.bgp = d.rib != NULL ? bgp_new(&cfg, d.rib, &o) : NULL;
	if (d.bgp == NULL)
		abort();
	for (n = 0; n < REQS_PER_INPUT && size > 0; n++) {
		char req[REQ_MAX], *ans = NULL;
		size_t len = size < REQ_MAX - 1 ? size : REQ_MAX - 1, anslen = 0;
		const uint8_t *nl = memchr(data, '\n', len);
		size_t take = nl != NULL ? (size_t)(nl - data) + 1 : len;
		FILE *out;
		int rc;

		/* cli_serve: one recv, NUL-terminated, cut at CR or LF */
		memcpy(req, data, len);
		req[len] = '\0';
		req[strcspn(req, "\r\n")] = '\0';
		data += take;
		size -= take;
		out = open_memstream(&ans, &anslen);
		if (out == NULL)
			abort();
		rc = cli_answer(&d, req, out);
		if (fclose(out) != 0)
			abort();
		tot.requests++;
		if (rc < 0)
			tot.refused++;
		check_answer(req, rc, ans, anslen);
		free(ans);
	}
	bgp_free(d.bgp);
	rib_free(d.rib);
	cfg = saved;
	return 0;
}

int fuzz_replay_summary(bool every)
{
	printf("replay: %" PRIu64 " requests: %" PRIu64 " answered (%" PRIu64
	       " JSON documents), %" PRIu64 " refused\n", tot.requests,
	       tot.answered, tot.json_docs, tot.refused);
	if (every && (tot.answered == 0 || tot.json_docs == 0 ||
		      tot.refused == 0))
		return -1;
	return 0;
}
