/* libFuzzer harness of the configuration loader (common/config.c,
 * cfg_load: libconfig's parser, then every validation the loader does).
 * The input is the file's text, written to a private directory and
 * loaded from there as twinpathd --check would. Invariants besides the
 * sanitizers': cfg_load returns 0 or -EINVAL; a refusal is one line
 * "PATH:LINE: message" naming a line of the file (README: every error
 * says where); an accepted file gives counts within their bounds,
 * addresses and prefixes of a known family and length, and loading it
 * again gives the very same struct (nothing depends on uninitialised
 * memory or leftover state). Leaks: libconfig 1.5 leaks in its scanner
 * on some parse errors, suppressed by tests/sanitize/lsan.supp. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"
#include "fuzz_util.h"

static char dir[64], path[96];
static struct twp_config cfg, again;
static struct {
	uint64_t inputs, accepted, refused, links, routes, bgp;
} tot;

static void cleanup(void)
{
	unlink(path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(dir, sizeof(dir), "/tmp/fuzz_config.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("fuzz_config: mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/in.conf", dir);
	atexit(cleanup);
	return 0;
}

static void check_addr(const struct cfg_addr *a, bool may_be_empty,
		       const char *what, unsigned int i)
{
	unsigned int bits = cfg_family_bits(a->family);

	if (bits == 0 && (!may_be_empty || a->family != 0))
		fuzz_fail("%s of item %u: family %u", what, i, a->family);
	if (a->len > bits)
		fuzz_fail("%s of item %u: length %u over %u bits", what, i, a->len,
		     bits);
}

static void check_accepted(const struct twp_config *c)
{
	unsigned int i, j;

	if (c->n_links == 0 || c->n_links > CFG_MAX_LINKS)
		fuzz_fail("%u links accepted", c->n_links);
	if (c->n_routes > CFG_MAX_ROUTES)
		fuzz_fail("%u routes accepted", c->n_routes);
	if (c->bgp.n_announce > CFG_MAX_ANNOUNCE)
		fuzz_fail("%u announced prefixes", c->bgp.n_announce);
	for (i = 0; i < c->bgp.n_announce; i++)
		check_addr(&c->bgp.announce[i], false, "bgp.announce", i);
	for (i = 0; i < c->n_links; i++) {
		const struct cfg_link *l = &c->links[i];

		if (l->name[0] == '\0' ||
		    memchr(l->name, '\0', sizeof(l->name)) == NULL)
			fuzz_fail("link %u has no name, or an unterminated one", i);
		for (j = 0; j < i; j++)
			if (strcmp(l->name, c->links[j].name) == 0)
				fuzz_fail("two links named '%s'", l->name);
		check_addr(&l->local_address, true, "local_address", i);
		check_addr(&l->peer_address, true, "peer_address", i);
		if (l->bgp.n_import > CFG_MAX_PREFIX_RULES ||
		    l->bgp.n_announce > CFG_MAX_ANNOUNCE ||
		    l->bgp.n_communities > CFG_MAX_COMMUNITIES ||
		    l->bgp.n_large_communities > CFG_MAX_COMMUNITIES)
			fuzz_fail("link %u: %u import rules, %u announce, %u+%u "
			     "communities", i, l->bgp.n_import,
			     l->bgp.n_announce, l->bgp.n_communities,
			     l->bgp.n_large_communities);
		for (j = 0; j < l->bgp.n_import; j++) {
			const struct cfg_prefix_rule *r = &l->bgp.import[j];
			unsigned int bits = cfg_family_bits(r->prefix.family);

			check_addr(&r->prefix, false, "import", j);
			if (r->le > bits || r->ge > bits)
				fuzz_fail("link %u import rule %u: ge %u le %u on "
				     "/%u", i, j, r->ge, r->le, r->prefix.len);
		}
		for (j = 0; j < l->bgp.n_announce; j++)
			check_addr(&l->bgp.announce[j], false, "announce", j);
	}
	for (i = 0; i < c->n_routes; i++)
		check_addr(&c->routes[i].prefix, false, "route", i);
}

/* ERR is "PATH:LINE: message" with LINE a line of the file. */
static void check_refusal(const char *err, const uint8_t *data, size_t size)
{
	size_t plen = strlen(path), lines = 1, i;
	unsigned long line;
	char *end;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (strncmp(err, path, plen) != 0 || err[plen] != ':')
		fuzz_fail("refused with '%s': not PATH:LINE: message", err);
	line = strtoul(err + plen + 1, &end, 10);
	if (end == err + plen + 1 || strncmp(end, ": ", 2) != 0 ||
	    end[2] == '\0')
		fuzz_fail("refused with '%s': not PATH:LINE: message", err);
	if (line < 1 || line > lines)
		fuzz_fail("refused with '%s': the file has %zu lines", err, lines);
	if (strchr(err, '\n') != NULL)
		fuzz_fail("refused with '%s': more than one line", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], err2[512];
	FILE *f;
	int rc, rc2;

	/* a NUL ends the text for libconfig (config_read_string): what
	 * follows is never seen, an input with one is not worth running */
	if (memchr(data, '\0', size) != NULL)
		return 0;
	f = fopen(path, "w");
	if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
		fuzz_fail("cannot write %s", path);
	tot.inputs++;
	rc = cfg_load(&cfg, path, err, sizeof(err));
	if (rc != 0 && rc != -EINVAL)
		fuzz_fail("cfg_load returned %d (%s)", rc, err);
	if (rc == 0) {
		tot.accepted++;
		tot.links += cfg.n_links;
		tot.routes += cfg.n_routes;
		tot.bgp += cfg.bgp.enabled;
		check_accepted(&cfg);
	} else {
		tot.refused++;
		check_refusal(err, data, size);
	}
	rc2 = cfg_load(&again, path, err2, sizeof(err2));
	if (rc2 != rc || strcmp(err, err2) != 0 ||
	    (rc == 0 && memcmp(&cfg, &again, sizeof(cfg)) != 0))
		fuzz_fail("a second load of the same file differs: %d '%s', then "
		     "%d '%s'", rc, err, rc2, err2);
	return 0;
}

int fuzz_replay_summary(bool every)
{
	printf("replay: %" PRIu64 " files accepted (%" PRIu64 " links, %"
	       PRIu64 " routes, %" PRIu64 " with bgp), %" PRIu64
	       " refused\n", tot.accepted, tot.links, tot.routes, tot.bgp,
	       tot.refused);
	if (every && (tot.accepted == 0 || tot.refused == 0 ||
		      tot.routes == 0 || tot.bgp == 0))
		return -1;
	return 0;
}
