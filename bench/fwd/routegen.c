/* routegen: a route table for the forwarding benchmark, without twinpathd.
 * Draws N distinct random IPv4 prefixes with lengths shaped like a real
 * table (mostly /24, some /16-/23, a few /25-/32), writes them as an
 * l3fwd rule file, and pushes them to twinpath-dp over the channel as one
 * full sync (nexthop per link, one group over all links, the routes in
 * prefix order as twinpathd sends them, or with --order random as drawn),
 * honouring back-pressure. With --family 6, IPv6 prefixes shaped like
 * today's IPv6 table instead (update rate only: no l3fwd rules). Prints
 * one JSON line: how long twinpath-dp took from the first record to its
 * SYNC_DONE, in routes per second. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "chan.h"
#include "config.h"

/* Prefix lengths per 10000 routes, roughly the shape of today's IPv4
 * table (about 60 % /24); longer than /24 is rare there but costs tbl8
 * groups in a DIR-24-8 FIB, so a few are kept in. */
static const struct {
	uint8_t len;
	uint16_t per10k;
} len_mix[] = {
	{16, 250}, {17, 150}, {18, 200}, {19, 350}, {20, 500}, {21, 600},
	{22, 1100}, {23, 1100}, {24, 5650}, {25, 25}, {26, 20}, {27, 15},
	{28, 10}, {29, 10}, {30, 10}, {31, 5}, {32, 5},
};

struct route {
	uint32_t prefix; /* host byte order, masked */
	uint8_t len;
	uint8_t prefix6[16]; /* --family 6: network byte order, masked */
};

static uint64_t rng_state;

static uint64_t rng_next(void) /* xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static uint8_t draw_len(void)
{
	uint32_t r = (uint32_t)(rng_next() % 10000), acc = 0;
	size_t i;

	for (i = 0; i < sizeof(len_mix) / sizeof(len_mix[0]); i++) {
		acc += len_mix[i].per10k;
		if (r < acc)
			return len_mix[i].len;
	}
	return 24;
}

/* Unicast space a table would carry: 1.0.0.0-223.255.255.255 without
 * 10/8 and 127/8. */
static uint32_t draw_addr(void)
{
	uint32_t first;

	do
		first = 1 + (uint32_t)(rng_next() % 223);
	while (first == 10 || first == 127);
	return first << 24 | (uint32_t)(rng_next() & 0xffffff);
}

/* Open-addressing set of nonzero 64-bit keys: the prefixes drawn so far,
 * so each route is distinct. Sized 4x the routes, a power of two. */
struct keyset {
	uint64_t *slot;
	uint64_t mask;
};

static int keyset_init(struct keyset *s, uint32_t n)
{
	uint64_t cap = 1;

	while (cap < 4ull * n)
		cap <<= 1;
	s->mask = cap - 1;
	s->slot = calloc(cap, sizeof(*s->slot));
	return s->slot != NULL ? 0 : -ENOMEM;
}

/* True when KEY was not in the set (and now is). */
static bool keyset_add(struct keyset *s, uint64_t key)
{
	uint64_t h = (key * 0x9E3779B97F4A7C15ULL) >> 20 & s->mask;

	while (s->slot[h] != 0 && s->slot[h] != key)
		h = (h + 1) & s->mask;
	if (s->slot[h] == key)
		return false;
	s->slot[h] = key;
	return true;
}

/* N distinct prefixes, deterministic for a seed. */
static int routes_draw(struct route *out, uint32_t n, uint64_t seed)
{
	struct keyset set;
	uint64_t tries = 0;
	uint32_t got = 0;

	if (keyset_init(&set, n) < 0)
		return -ENOMEM;
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	while (got < n) {
		uint8_t len = draw_len();
		uint32_t pfx = draw_addr() & (len == 0 ? 0 : ~0u << (32 - len));
		uint64_t key = (uint64_t)pfx << 8 | len | 1ull << 40;

		if (++tries > 64ull * n) {
			free(set.slot);
			return -ENOSPC;
		}
		if (!keyset_add(&set, key))
			continue;
		out[got].prefix = pfx;
		out[got].len = len;
		got++;
	}
	free(set.slot);
	return 0;
}

/* IPv6 lengths per 10000 routes, the shape of today's IPv6 table: mostly
 * /48, then /32 and /44, a few /29-/40 and /56-/64. */
static const struct {
	uint8_t len;
	uint16_t per10k;
} len6_mix[] = {
	{29, 200}, {32, 1500}, {36, 300}, {40, 500}, {44, 1000},
	{46, 300}, {48, 5800}, {56, 300}, {64, 100},
};

/* N distinct IPv6 prefixes under 2000::/3, deterministic for a seed. */
static int routes6_draw(struct route *out, uint32_t n, uint64_t seed)
{
	struct keyset set;
	uint64_t tries = 0;
	uint32_t got = 0;

	if (keyset_init(&set, n) < 0)
		return -ENOMEM;
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 6;
	while (got < n) {
		uint32_t r = (uint32_t)(rng_next() % 10000), acc = 0;
		uint64_t hi = rng_next();
		uint32_t parent;
		uint8_t len = 48;
		size_t i;

		for (i = 0; i < sizeof(len6_mix) / sizeof(len6_mix[0]); i++) {
			acc += len6_mix[i].per10k;
			if (r < acc) {
				len = len6_mix[i].len;
				break;
			}
		}
		/* Clustered like real allocations (and so the FIB's tbl8s are
		 * shared as in a real table): one of n/64 /32s under
		 * 2000::/3, one of four /40s in it, then random bits; masked
		 * to len (all lengths here are <= 64). */
		parent = (uint32_t)(rng_next() % (n / 64 + 1));
		hi = ((0x20000000ull |
		       ((parent * 0x9E3779B1u) & 0x1fffffffu)) << 32) |
		     (hi & 3ull << 24) | (hi & 0xffffffull);
		hi &= ~0ull << (64 - len);
		if (++tries > 64ull * n) {
			free(set.slot);
			return -ENOSPC;
		}
		if (!keyset_add(&set, (hi ^ len) | 1))
			continue;
		memset(&out[got], 0, sizeof(out[got]));
		for (i = 0; i < 8; i++)
			out[got].prefix6[i] = (uint8_t)(hi >> (56 - 8 * i));
		out[got].len = len;
		got++;
	}
	free(set.slot);
	return 0;
}

/* l3fwd's rule file: "R<prefix>/<len> <port>", route i on port 1 + i % L
 * (port 0 is the replayed input), so each egress port gets its share. */
static int rules_write(const char *path, const struct route *r, uint32_t n,
		       unsigned int links)
{
	FILE *f = fopen(path, "w");
	uint32_t i;

	if (f == NULL)
		return -errno;
	for (i = 0; i < n; i++)
		fprintf(f, "R%u.%u.%u.%u/%u %u\n", r[i].prefix >> 24,
			r[i].prefix >> 16 & 0xff, r[i].prefix >> 8 & 0xff,
			r[i].prefix & 0xff, r[i].len, 1 + i % links);
	return fclose(f) == 0 ? 0 : -errno;
}

static double now_s(void)
{
	return (double)chan_now_ns() / 1e9;
}

struct push {
	struct chan chan;
	uint64_t generation;
	uint64_t refused;   /* -ENOBUFS answers, each retried */
	uint64_t invalid;   /* REC_INVALID events */
	bool done;          /* SYNC_DONE(generation) seen */
};

static void events_poll(struct push *p)
{
	struct chan_event ev[64];
	unsigned int n, i;

	while ((n = chan_recv_events(&p->chan, ev, 64)) > 0)
		for (i = 0; i < n; i++) {
			if (ev[i].type == CHAN_EV_SYNC_DONE &&
			    ev[i].arg == p->generation)
				p->done = true;
			else if (ev[i].type == CHAN_EV_REC_INVALID)
				p->invalid++;
		}
}

/* A full ring's first wait, and the longest: each wait that finds the
 * ring still full doubles, up to the longest. routegen shares the main
 * lcore's CPU, and each of its wake-ups takes the CPU from it: while
 * the data plane writes a bulk out (hundreds of ms at 1 M routes, no
 * record read) a fixed 100 us wait switched the main lcore out about
 * 5 000 times a second for nothing (measured: /proc's
 * nonvoluntary_ctxt_switches). 800 us stays under the time a full ring
 * (CHAN_C2D_SLOTS records) lasts the data plane while it collects a
 * bulk (about 160 ns a record: 1.3 ms) and under twinpathd's 1 ms
 * (control/twinpathd.c). */
#define SEND_WAIT_MIN_US 100u
#define SEND_WAIT_MAX_US 800u

/* Back-pressure: a full ring keeps the record here until the data plane
 * has drained some; nothing is skipped. */
static void send_rec(struct push *p, struct chan_rec *rec)
{
	unsigned int wait_us = SEND_WAIT_MIN_US;

	rec->generation = p->generation;
	while (chan_send(&p->chan, rec) == -ENOBUFS) {
		p->refused++;
		events_poll(p);
		usleep(wait_us);
		if (wait_us < SEND_WAIT_MAX_US)
			wait_us *= 2;
	}
}

/* The data plane is there when its pid is alive and it heartbeats. */
static int wait_data_plane(struct push *p, double timeout_s)
{
	double end = now_s() + timeout_s;

	while (now_s() < end) {
		uint32_t pid = __atomic_load_n(&p->chan.hdr->dp_pid,
					       __ATOMIC_RELAXED);
		uint64_t hb = __atomic_load_n(&p->chan.hdr->dp_heartbeat_ns,
					      __ATOMIC_RELAXED);

		if (pid != 0 && kill((pid_t)pid, 0) == 0 &&
		    chan_now_ns() - hb < 500000000ull)
			return 0;
		usleep(10000);
	}
	return -ETIMEDOUT;
}

/* One full sync: SYNC_BEGIN, a nexthop per link, the group, the routes,
 * SYNC_END, sent as the ring takes them (wait_done waits for the data
 * plane to have applied it). */
static void push_table(struct push *p, const struct twp_config *cfg,
		       const struct route *r, uint32_t n, int family,
		       uint32_t group_id)
{
	struct chan_rec rec;
	unsigned int i;
	uint32_t k;

	p->done = false;
	p->generation = p->chan.hdr->generation + 1;
	__atomic_store_n(&p->chan.hdr->generation, p->generation,
			 __ATOMIC_RELEASE);
	memset(&rec, 0, sizeof(rec));
	rec.type = CHAN_REC_SYNC_BEGIN;
	send_rec(p, &rec);
	for (i = 0; i < cfg->n_links; i++) {
		memset(&rec, 0, sizeof(rec));
		rec.type = CHAN_REC_NEXTHOP_SET;
		rec.u.nh.id = i + 1;
		rec.u.nh.port = (uint16_t)i;
		rec.u.nh.family = AF_INET;
		rec.u.nh.flags = CHAN_NH_F_RESOLVED;
		memcpy(rec.u.nh.gateway, cfg->links[i].peer_address.addr, 16);
		memcpy(rec.u.nh.mac, (uint8_t[6]){0x02, 0, 0, 0, 0x01,
						  (uint8_t)(i + 1)}, 6);
		send_rec(p, &rec);
	}
	memset(&rec, 0, sizeof(rec));
	rec.type = CHAN_REC_GROUP_SET;
	rec.u.grp.id = group_id;
	rec.u.grp.n_primary = (uint8_t)cfg->n_links;
	for (i = 0; i < cfg->n_links; i++)
		rec.u.grp.primary[i] = i + 1;
	send_rec(p, &rec);
	for (k = 0; k < n; k++) {
		uint32_t be = htonl(r[k].prefix);

		memset(&rec, 0, sizeof(rec));
		rec.type = CHAN_REC_ROUTE_ADD;
		rec.u.route.family = family;
		rec.u.route.len = r[k].len;
		rec.u.route.group_id = group_id;
		if (family == AF_INET6)
			memcpy(rec.u.route.prefix, r[k].prefix6, 16);
		else
			memcpy(rec.u.route.prefix, &be, 4);
		send_rec(p, &rec);
	}
	memset(&rec, 0, sizeof(rec));
	rec.type = CHAN_REC_SYNC_END;
	send_rec(p, &rec);
}

/* Until twinpath-dp said SYNC_DONE for the last push. */
static int wait_done(struct push *p, double timeout_s)
{
	double end = now_s() + timeout_s;

	while (!p->done && now_s() < end) {
		events_poll(p);
		if (!p->done)
			usleep(100);
	}
	if (!p->done) {
		fprintf(stderr, "routegen: no SYNC_DONE for generation %" PRIu64
			" within %.0f s\n", p->generation, timeout_s);
		return -ETIMEDOUT;
	}
	return 0;
}

/* Pushes the table once, or (repeat_s > 0) over and over for at least
 * repeat_s seconds with the group id alternating between GROUP_ID and
 * GROUP_ID + 1, so every push rewrites every route (rte_fib skips an add
 * that changes nothing). Pushes go back to back, as fast as the data
 * plane takes them; the clock stops at the last one's SYNC_DONE. With
 * wait_go, says "ready" on stdout and waits for a line on stdin first, so
 * a caller can start its clock exactly. */
static int push(const struct twp_config *cfg, const struct route *r,
		uint32_t n, int family, uint32_t group_id, double timeout_s,
		double repeat_s, bool wait_go)
{
	struct push p;
	double t0, t1;
	unsigned int pushes = 0;
	char line[16];
	int rc;

	memset(&p, 0, sizeof(p));
	rc = chan_open(&p.chan, cfg->instance, CHAN_ROLE_CONTROL);
	if (rc < 0) {
		fprintf(stderr, "routegen: channel '%s': %s%s\n", cfg->instance,
			strerror(-rc), rc == -EBUSY ? " (is twinpathd running?)"
						    : "");
		return rc;
	}
	if (wait_data_plane(&p, timeout_s) < 0) {
		fprintf(stderr, "routegen: no twinpath-dp on channel '%s'\n",
			cfg->instance);
		chan_close(&p.chan);
		return -ETIMEDOUT;
	}
	events_poll(&p); /* HELLO and older news */
	if (wait_go) {
		printf("ready\n");
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL) {
			chan_close(&p.chan);
			return -EPIPE;
		}
	}
	t0 = now_s();
	do {
		push_table(&p, cfg, r, n, family, group_id + pushes % 2);
		pushes++;
	} while (now_s() - t0 < repeat_s);
	rc = wait_done(&p, timeout_s);
	t1 = now_s();
	chan_close(&p.chan);
	if (rc < 0)
		return rc;
	/* routes_per_s: route records applied per second, first record of
	 * the first push to SYNC_DONE of the last */
	printf("{\"routes\": %u, \"family\": %d, \"links\": %u, \"pushes\": %u, "
	       "\"generation\": %" PRIu64 ", \"seconds\": %.6f, "
	       "\"routes_per_s\": %.0f, \"refused\": %" PRIu64
	       ", \"invalid\": %" PRIu64 "}\n",
	       n, family == AF_INET6 ? 6 : 4, cfg->n_links, pushes,
	       p.generation, t1 - t0,
	       (double)n * pushes / (t1 - t0), p.refused, p.invalid);
	return p.invalid == 0 ? 0 : -EINVAL;
}

/* Prefix order, the order of twinpathd's full sync (control/fibpush.c). */
static int route_cmp(const void *a, const void *b)
{
	const struct route *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return (int)x->len - (int)y->len;
}

static int route6_cmp(const void *a, const void *b)
{
	const struct route *x = a, *y = b;
	int c = memcmp(x->prefix6, y->prefix6, sizeof(x->prefix6));

	return c != 0 ? c : (int)x->len - (int)y->len;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: routegen --config FILE --routes N [--seed S] "
		"[--group ID]\n"
		"                [--rules FILE] [--no-push] [--timeout SEC]\n"
		"                [--repeat-for SEC] [--wait-go]\n"
		"  --rules FILE  also write the routes as an l3fwd rule file\n"
		"  --no-push     only write files, do not talk to twinpath-dp\n"
		"  --group ID    group id the routes point to (default 1); a\n"
		"                second push with another id rewrites every "
		"route\n"
		"  --repeat-for SEC  push again and again (groups ID, ID+1) "
		"for SEC\n"
		"  --wait-go     print 'ready', wait for a line on stdin, "
		"then push\n"
		"  --family 6    IPv6 prefixes (shaped like today's table) "
		"instead;\n"
		"                no rule file, and a push replaces the IPv4 "
		"routes\n"
		"  --order random  push in the order drawn, not in prefix "
		"order\n"
		"                (twinpathd's full sync sends prefix order)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"routes", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 's'},
		{"group", required_argument, NULL, 'g'},
		{"rules", required_argument, NULL, 'r'},
		{"no-push", no_argument, NULL, 'N'},
		{"timeout", required_argument, NULL, 't'},
		{"repeat-for", required_argument, NULL, 'R'},
		{"wait-go", no_argument, NULL, 'W'},
		{"family", required_argument, NULL, 'f'},
		{"order", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct twp_config cfg;
	const char *config = NULL, *rules = NULL;
	unsigned long n = 0, group = 1;
	unsigned long long seed = 1;
	double timeout_s = 120, repeat_s = 0;
	bool do_push = true, wait_go = false, sorted = true;
	int family = AF_INET;
	struct route *r;
	char err[512];
	int c, rc;

	while ((c = getopt_long(argc, argv, "c:n:s:g:r:Nt:R:Wf:o:h", opts, NULL)) !=
	       -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'g': group = strtoul(optarg, NULL, 0); break;
		case 'r': rules = optarg; break;
		case 'N': do_push = false; break;
		case 't': timeout_s = strtod(optarg, NULL); break;
		case 'R': repeat_s = strtod(optarg, NULL); break;
		case 'W': wait_go = true; break;
		case 'f': family = atoi(optarg) == 6 ? AF_INET6 : AF_INET; break;
		case 'o':
			if (strcmp(optarg, "random") != 0 &&
			    strcmp(optarg, "prefix") != 0) {
				usage(stderr);
				return 2;
			}
			sorted = strcmp(optarg, "prefix") == 0;
			break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (config == NULL || n == 0 || n > (1ul << 24) || group == 0 ||
	    group >= 0xffff || (family == AF_INET6 && rules != NULL)) {
		usage(stderr);
		return 2;
	}
	if (cfg_load(&cfg, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	r = calloc(n, sizeof(*r));
	if (r == NULL)
		return 1;
	rc = family == AF_INET6 ? routes6_draw(r, (uint32_t)n, seed)
				: routes_draw(r, (uint32_t)n, seed);
	if (rc < 0) {
		fprintf(stderr, "routegen: %lu distinct prefixes: %s\n", n,
			strerror(-rc));
		return 1;
	}
	if (rules != NULL) {
		rc = rules_write(rules, r, (uint32_t)n, cfg.n_links);
		if (rc < 0) {
			fprintf(stderr, "routegen: %s: %s\n", rules,
				strerror(-rc));
			return 1;
		}
	}
	if (sorted)
		qsort(r, n, sizeof(*r), family == AF_INET6 ? route6_cmp
							   : route_cmp);
	rc = do_push ? push(&cfg, r, (uint32_t)n, family, (uint32_t)group,
			    timeout_s, repeat_s, wait_go) : 0;
	free(r);
	return rc < 0 ? 1 : 0;
}
