/* make bench-instr (bench/instr/run.sh): what link suspicion's evidence
 * gathering adds to the fast path, in instructions, which this VM's
 * noise does not touch. The real fwd_burst on the unit tests' EAL test
 * bed (three net_ring ports: two links and a LAN, no hugepages) forwards
 * PACKETS packets of a fixed pseudo-random traffic, the same in every
 * run: 4 096 flows (random addresses, ports and TCP/UDP), bursts of 32
 * alternately out of the LAN and back in on a link. Run under
 * valgrind --tool=callgrind --toggle-collect=fwd_burst, only the bursts
 * are counted: what the test bed does around them (building and
 * draining the packets, EAL setup) is not. With "on" both links have
 * suspect { } (the sampling and the records in fwd.c; the main lcore's
 * drain into the flow table after every burst, not counted), with
 * "off" neither. Prints one JSON line of what was forwarded, to check the run
 * did what it says, and the TSC cycles spent in fwd_burst (read around
 * it, so not counted by callgrind; meaningful in a native run).
 * Usage: suspect_instr on|off PACKETS v4|v6|mix */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"
#include "dp_testbed.h"
#include "susflow.h"

#define LINK1 0u
#define LINK2 1u
#define LAN 2u
#define NH1 5u
#define NH2 6u
#define NH_LAN 7u
#define GROUP_BOTH 3u
#define GROUP_LAN 8u
#define FLOWS 4096u
#define BURST 32u
#define PAYLOAD 64u

volatile bool dp_quit;

static struct twp_config cfg;
static struct dp d;
static struct dp_testbed tb;
static struct health_map health;

struct flow {
	uint8_t v6;
	uint8_t proto;
	uint16_t sport, dport;
	uint8_t site[16], remote[16];   /* IPv4: the first 4 bytes */
	uint32_t seq_out, seq_in;
};

static struct flow flows[FLOWS];

/* xorshift64*: the same traffic in every run */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

static int route(int family, const char *prefix, uint8_t len, uint32_t group)
{
	struct chan_route r = {.family = (uint8_t)family, .len = len,
			       .group_id = group};

	inet_pton(family, prefix, r.prefix);
	return fib_route_add(&d, &r, 1);
}

/* Remotes over 198.51.0.0/16 and 2001:db8:100::/40 (256 routes of
 * each family, /24 and /48), sites in 198.18.0.0/16 and 2001:db8:1::/48;
 * one flow in four IPv6 with MIX, all or none with V6/V4. */
static void make_flows(const char *mix)
{
	unsigned int i;

	for (i = 0; i < FLOWS; i++) {
		struct flow *f = &flows[i];
		uint32_t r = rnd();

		memset(f, 0, sizeof(*f));
		f->v6 = strcmp(mix, "v6") == 0 ||
			(strcmp(mix, "mix") == 0 && (r & 3u) == 0);
		f->proto = (r >> 2) % 5 == 0 ? IPPROTO_UDP : IPPROTO_TCP;
		f->sport = (uint16_t)(32768 + rnd() % 28232);
		f->dport = f->proto == IPPROTO_TCP ? (rnd() & 1 ? 443 : 80)
			   : (uint16_t)(1024 + rnd() % 60000);
		f->seq_out = rnd();
		f->seq_in = rnd();
		r = rnd();
		if (!f->v6) {
			f->site[0] = 198, f->site[1] = 18;
			f->site[2] = (uint8_t)r, f->site[3] = (uint8_t)(r >> 8);
			f->remote[0] = 198, f->remote[1] = 51;
			f->remote[2] = (uint8_t)(r >> 16);
			f->remote[3] = (uint8_t)(1 + (r >> 24) % 254);
		} else {
			static const uint8_t s6[6] = {0x20, 0x01, 0x0d, 0xb8,
						      0, 1};
			static const uint8_t r6[5] = {0x20, 0x01, 0x0d, 0xb8,
						      1};

			memcpy(f->site, s6, 6);
			memcpy(f->remote, r6, 5);
			f->remote[5] = (uint8_t)r;
			f->site[14] = (uint8_t)(r >> 8);
			f->site[15] = (uint8_t)(r >> 16);
			f->remote[15] = (uint8_t)(1 + (r >> 24) % 254);
			r = rnd();
			memcpy(f->site + 8, &r, 4);
			r = rnd();
			memcpy(f->remote + 8, &r, 4);
		}
	}
}

/* Flow F's next packet, out of the LAN (OUT) or back in, into M for
 * port P's MAC. */
static void build(struct rte_mbuf *m, struct flow *f, bool out,
		  unsigned int p)
{
	static const struct rte_ether_addr peer = {{0x02, 0x50, 0, 0, 0, 1}};
	static const struct rte_ether_addr host = {{0x02, 0x10, 0, 0, 0, 1}};
	unsigned int l4len = (f->proto == IPPROTO_TCP ? 20u : 8u) + PAYLOAD;
	unsigned int l3 = f->v6 ? 40u : 20u;
	const uint8_t *src = out ? f->site : f->remote;
	const uint8_t *dst = out ? f->remote : f->site;
	uint16_t sp = out ? f->sport : f->dport, dp_ = out ? f->dport : f->sport;
	uint8_t *b = (uint8_t *)rte_pktmbuf_append(m,
		(uint16_t)(14 + l3 + l4len));
	uint8_t *l4 = b + 14 + l3;

	memset(b, 0, 14 + l3 + l4len);
	memcpy(b, d.ports[p].mac.addr_bytes, 6);
	memcpy(b + 6, (out ? &host : &peer)->addr_bytes, 6);
	if (f->v6) {
		b[12] = 0x86, b[13] = 0xdd;
		b[14] = 0x60;
		b[18] = (uint8_t)(l4len >> 8), b[19] = (uint8_t)l4len;
		b[20] = f->proto;
		b[21] = 64;
		memcpy(b + 22, src, 16);
		memcpy(b + 38, dst, 16);
	} else {
		uint16_t c;

		b[12] = 0x08;
		b[14] = 0x45;
		b[16] = (uint8_t)((20 + l4len) >> 8);
		b[17] = (uint8_t)(20 + l4len);
		b[22] = 64;
		b[23] = f->proto;
		memcpy(b + 26, src, 4);
		memcpy(b + 30, dst, 4);
		c = dp_testbed_ip_cksum(b + 14);
		b[24] = (uint8_t)(c >> 8), b[25] = (uint8_t)c;
	}
	l4[0] = (uint8_t)(sp >> 8), l4[1] = (uint8_t)sp;
	l4[2] = (uint8_t)(dp_ >> 8), l4[3] = (uint8_t)dp_;
	if (f->proto == IPPROTO_TCP) {
		uint32_t seq = out ? f->seq_out : f->seq_in;

		l4[4] = (uint8_t)(seq >> 24), l4[5] = (uint8_t)(seq >> 16);
		l4[6] = (uint8_t)(seq >> 8), l4[7] = (uint8_t)seq;
		l4[12] = 5 << 4;
		l4[13] = 0x10;   /* ACK */
		if (out)
			f->seq_out += PAYLOAD;
		else
			f->seq_in += PAYLOAD;
	} else {
		l4[4] = (uint8_t)(l4len >> 8), l4[5] = (uint8_t)l4len;
	}
}

static int setup(bool on)
{
	struct chan_group both = {.id = GROUP_BOTH, .n_primary = 2,
				  .primary = {NH1, NH2}};
	struct chan_group lan = {.id = GROUP_LAN, .n_primary = 1,
				 .primary = {NH_LAN}};
	char pfx[64];
	unsigned int i;

	cfg.n_links = 2;
	cfg.dataplane.ipv4_routes_max = 4096;
	cfg.dataplane.ipv6_routes_max = 4096;
	for (i = 0; i < 2; i++) {
		cfg.links[i].bfd.enabled = true;
		cfg_suspect_defaults(&cfg.links[i].suspect);
		cfg.links[i].suspect.enabled = on;
	}
	d.cfg = &cfg;
	if (dp_testbed_up_ports(&tb, &d, "suspect_instr", 1024, 4095, 3) != 0 ||
	    dp_testbed_nexthop(&d, NH1, LINK1, "203.0.113.2", 1) != 0 ||
	    dp_testbed_nexthop(&d, NH2, LINK2, "203.0.113.6", 2) != 0 ||
	    dp_testbed_nexthop(&d, NH_LAN, LAN, "198.18.0.2", 0x10) != 0 ||
	    nhg_group_set(&d.nhg, &both, 1) != 0 ||
	    nhg_group_set(&d.nhg, &lan, 1) != 0 ||
	    route(AF_INET, "198.18.0.0", 16, GROUP_LAN) != 0 ||
	    route(AF_INET6, "2001:db8:1::", 48, GROUP_LAN) != 0)
		return -1;
	for (i = 0; i < 256; i++) {
		snprintf(pfx, sizeof(pfx), "198.51.%u.0", i);
		if (route(AF_INET, pfx, 24, GROUP_BOTH) != 0)
			return -1;
		snprintf(pfx, sizeof(pfx), "2001:db8:1%02x::", i);
		if (route(AF_INET6, pfx, 48, GROUP_BOTH) != 0)
			return -1;
	}
	d.health = &health;
	d.health_fd = -1;
	d.nhg.bfd_ports = 0x3;
	health.live_mask = 0x3;
	if (health_suspect_init(&d) != 0 ||
	    fwd_init_lcore(&d, d.fwd_lcore) != 0)
		return -1;
	return (d.flows != NULL) == on ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct rte_mbuf *m[BURST];
	unsigned long long packets, sent = 0, out = 0, noted = 0, dropped = 0;
	unsigned long long cycles = 0;
	bool on;
	unsigned int i, k, p;
	uint64_t t0;

	if (argc != 4 || (strcmp(argv[1], "on") != 0 &&
			  strcmp(argv[1], "off") != 0) ||
	    (strcmp(argv[3], "v4") != 0 && strcmp(argv[3], "v6") != 0 &&
	     strcmp(argv[3], "mix") != 0)) {
		fprintf(stderr, "usage: %s on|off PACKETS v4|v6|mix\n",
			argv[0]);
		return 2;
	}
	on = strcmp(argv[1], "on") == 0;
	packets = strtoull(argv[2], NULL, 10) / BURST * BURST;
	make_flows(argv[3]);
	if (setup(on) != 0) {
		fprintf(stderr, "suspect_instr: test bed setup failed\n");
		return 1;
	}
	for (k = 0; sent < packets; k++) {
		/* out of the LAN, then back on a link (random), in turns */
		bool from_lan = (k & 1u) == 0;
		unsigned int in = from_lan ? LAN : (rnd() & 1u);

		if (rte_pktmbuf_alloc_bulk(d.ports[0].pool, m, BURST) != 0)
			return 1;
		for (i = 0; i < BURST; i++)
			build(m[i], &flows[rnd() % FLOWS], from_lan, in);
		if (rte_ring_enqueue_bulk(tb.rx[in], (void **)m, BURST,
					  NULL) != BURST)
			return 1;
		/* the clock outside fwd_burst, so callgrind does not count
		 * it: the cycles of a run without it (run.py, native) */
		t0 = rte_rdtsc();
		fwd_burst(&d, d.fwd_lcore);
		cycles += rte_rdtsc() - t0;
		/* the main lcore's tick, uncounted (outside fwd_burst): it
		 * drains the sampled packets' records and notes them */
		health_suspect_drain(&d);
		sent += BURST;
		for (p = 0; p < 3; p++) {
			struct rte_mbuf *t[BURST];
			unsigned int n;

			while ((n = rte_ring_dequeue_burst(tb.tx[p], (void **)t,
							   BURST, NULL)) > 0) {
				out += n;
				rte_pktmbuf_free_bulk(t, n);
			}
		}
	}
	/* a poll that finds nothing publishes the records a busy lcore
	 * held back (fwd.c, fwd_flows_end): all are noted, as in
	 * twinpath-dp once its traffic pauses */
	fwd_burst(&d, d.fwd_lcore);
	health_suspect_drain(&d);
	if (on) {
		noted = d.flows->noted;
		dropped = d.stats[d.fwd_lcore].susflow_dropped;
	}
	printf("{\"suspect\": \"%s\", \"traffic\": \"%s\", \"packets\": %llu, "
	       "\"forwarded\": %llu, \"noted\": %llu, \"dropped\": %llu, "
	       "\"fwd_cycles\": %llu}\n",
	       argv[1], argv[3], sent, out, noted, dropped, cycles);
	health_suspect_free(&d);
	dp_testbed_down();
	return out == sent ? 0 : 1;
}
