/* A full resync through the real channel (dataplane/channel.c) while
 * packets stream through the real packet path (fwd.c, fib.c) on two ring
 * ports with the EAL up: the test plays twinpathd, sends SYNC_BEGIN g+1,
 * the new state and SYNC_END one record at a time with a burst forwarded
 * after each, and checks that no packet met a missing route or group in
 * between (make-before-break) and that what the new generation left out
 * is gone after SYNC_END. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <limits.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dp.h"

#define LINK 0u /* twinpath port indexes */
#define LAN 1u
#define NH_OLD 5u
#define NH_NEW 7u
#define GROUP_OLD 3u
#define GROUP_NEW 4u
#define PER_DST 4u /* packets per destination per burst */

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

static struct twp_config cfg;
static struct dp d;
static struct chan ctl; /* twinpathd's end */
static struct rte_ring *rx_ring[2], *tx_ring[2];
static char instance[CFG_NAME_MAX];

static const struct rte_ether_addr old_mac = {{0x02, 0x50, 0, 0, 0, 0x05}};
static const struct rte_ether_addr new_mac = {{0x02, 0x50, 0, 0, 0, 0x07}};

static void retire_free(void *ctx, void *obj)
{
	(void)ctx;
	free(obj); /* one lcore: records are applied between bursts */
}

static int ring_port(unsigned int p)
{
	char name[32];
	struct rte_eth_conf conf;
	int id;

	snprintf(name, sizeof(name), "r_rx%u", p);
	rx_ring[p] = rte_ring_create(name, 256, 0,
				     RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "r_tx%u", p);
	tx_ring[p] = rte_ring_create(name, 256, 0,
				     RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (rx_ring[p] == NULL || tx_ring[p] == NULL)
		return -1;
	snprintf(name, sizeof(name), "net_r%u", p);
	id = rte_eth_from_rings(name, &rx_ring[p], 1, &tx_ring[p], 1, 0);
	if (id < 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure((uint16_t)id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup((uint16_t)id, 0, 256, 0, NULL,
				   d.ports[p].pool) != 0 ||
	    rte_eth_tx_queue_setup((uint16_t)id, 0, 256, 0, NULL) != 0 ||
	    rte_eth_dev_start((uint16_t)id) != 0)
		return -1;
	d.ports[p].port_id = (uint16_t)id;
	d.ports[p].has_rx = d.ports[p].has_tx = d.ports[p].started = true;
	d.ports[p].n_rxq = d.ports[p].n_txq = 1;
	d.ports[p].mac = (struct rte_ether_addr){{0x02, 0xd0, 0, 0, 0,
						  (uint8_t)(0xa0 + p)}};
	d.nhg.link_up[p] = 1;
	return 0;
}

static void send_rec(struct chan_rec *r)
{
	assert_int_equal(chan_send(&ctl, r), 0);
}

static void send_nexthop(uint32_t id, const struct rte_ether_addr *mac,
			 uint64_t gen)
{
	struct chan_rec r = {.type = CHAN_REC_NEXTHOP_SET, .generation = gen};

	r.u.nh = (struct chan_nexthop){.id = id, .port = LINK,
				       .family = AF_INET,
				       .flags = CHAN_NH_F_RESOLVED};
	inet_pton(AF_INET, "203.0.113.2", r.u.nh.gateway);
	memcpy(r.u.nh.mac, mac->addr_bytes, 6);
	send_rec(&r);
}

static void send_group(uint32_t id, uint32_t nh, uint64_t gen)
{
	struct chan_rec r = {.type = CHAN_REC_GROUP_SET, .generation = gen};

	r.u.grp = (struct chan_group){.id = id, .n_primary = 1,
				      .primary = {nh}};
	send_rec(&r);
}

static void send_route(const char *prefix, uint8_t len, uint32_t group,
		       uint64_t gen)
{
	struct chan_rec r = {.type = CHAN_REC_ROUTE_ADD, .generation = gen};

	r.u.route = (struct chan_route){.family = AF_INET, .len = len,
					.group_id = group};
	inet_pton(AF_INET, prefix, r.u.route.prefix);
	send_rec(&r);
}

static void send_sync(uint16_t type, uint64_t gen)
{
	struct chan_rec r = {.type = type, .generation = gen};

	send_rec(&r);
}

static uint16_t ip_cksum(const uint8_t *ip)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* One UDP packet from the LAN side to DST, source port SPORT. */
static void inject(const char *dst, uint16_t sport)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(d.ports[LAN].pool);
	uint8_t *f;
	uint16_t ck;

	assert_non_null(m);
	f = (uint8_t *)rte_pktmbuf_append(m, 14 + 20 + 8 + 18);
	assert_non_null(f);
	memset(f, 0, 60);
	memcpy(f, d.ports[LAN].mac.addr_bytes, 6);
	f[6] = 0x02;
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45;
	f[17] = 46; /* total length */
	f[22] = 64; /* TTL */
	f[23] = 17; /* UDP */
	inet_pton(AF_INET, "198.18.1.10", f + 26);
	inet_pton(AF_INET, dst, f + 30);
	ck = ip_cksum(f + 14);
	f[24] = (uint8_t)(ck >> 8);
	f[25] = (uint8_t)ck;
	f[34] = (uint8_t)(sport >> 8);
	f[35] = (uint8_t)sport;
	f[37] = 9;
	f[39] = 26;
	assert_int_equal(rte_ring_enqueue(rx_ring[LAN], m), 0);
}

/* Packets out on the link, counted by destination MAC; freed. */
static unsigned int drain_link(unsigned int *n_old, unsigned int *n_new)
{
	struct rte_mbuf *m;
	unsigned int n = 0;

	while (rte_ring_dequeue(tx_ring[LINK], (void **)&m) == 0) {
		const struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);

		if (rte_is_same_ether_addr(&eth->dst_addr, &old_mac))
			(*n_old)++;
		else if (rte_is_same_ether_addr(&eth->dst_addr, &new_mac))
			(*n_new)++;
		rte_pktmbuf_free(m);
		n++;
	}
	return n;
}

static uint64_t drops(enum dp_drop why)
{
	return d.stats[d.fwd_lcore].drop[why];
}

/* One step of the stream: PER_DST packets to the kept prefix and to the
 * one the new generation leaves out, one burst forwarded; how many left
 * on the link. */
static unsigned int stream_step(uint16_t *sport, unsigned int *n_old,
				unsigned int *n_new)
{
	unsigned int i;

	for (i = 0; i < PER_DST; i++) {
		inject("198.51.100.1", (*sport)++);
		inject("198.51.101.1", (*sport)++);
	}
	fwd_burst(&d, d.fwd_lcore);
	return drain_link(n_old, n_new);
}

static int setup(void **state)
{
	char prefix[64];
	char *argv[] = {"test_dp_resync", "--no-huge", "-m", "256",
			"--no-pci", "-l", "0", "--no-shconf",
			"--log-level=lib.eal:error", prefix, NULL};
	size_t sz;
	unsigned int p;

	(void)state;
	snprintf(prefix, sizeof(prefix), "--file-prefix=test_dp_resync_%d",
		 (int)getpid());
	if (rte_eal_init(10, argv) < 0)
		return -1;
	snprintf(instance, sizeof(instance), "twp-resync-%d", (int)getpid());
	snprintf(cfg.instance, sizeof(cfg.instance), "%s", instance);
	cfg.n_links = 1;
	cfg.dataplane.ipv4_routes_max = 1024;
	cfg.dataplane.ipv6_routes_max = 1024;
	d.cfg = &cfg;
	d.n_ports = 2;
	d.fwd_lcore = rte_lcore_id();
	d.n_fwd_lcores = 1;
	d.fwd_lcores[0] = d.fwd_lcore;
	d.ports[0].pool = rte_pktmbuf_pool_create("r_pool", 2047, 0, 0,
						  RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (d.ports[0].pool == NULL)
		return -1;
	d.ports[1].pool = d.ports[0].pool;
	nhg_table_init(&d.nhg, d.n_ports, retire_free, NULL);
	for (p = 0; p < 2; p++)
		if (ring_port(p) < 0)
			return -1;
	sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	d.rcu = calloc(1, sz);
	if (d.rcu == NULL || rte_rcu_qsbr_init(d.rcu, RTE_MAX_LCORE) != 0 ||
	    fib_init(&d) != 0 || fwd_init_lcore(&d, d.fwd_lcore) != 0)
		return -1;
	chan_unlink(instance);
	if (chan_open(&ctl, instance, CHAN_ROLE_CONTROL) != 0 ||
	    channel_init(&d) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	DIR *dh;

	(void)state;
	channel_close(&d);
	chan_close(&ctl);
	chan_unlink(instance);
	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	dh = opendir(dir);
	if (dh == NULL)
		return 0;
	while ((e = readdir(dh)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(dh);
	rmdir(dir);
	return 0;
}

static void test_resync_sweeps_stale_routes_without_a_lookup_miss(void **st)
{
	unsigned int n_old = 0, n_new = 0, out, steps = 0;
	uint16_t sport = 1000;

	(void)st;
	/* generation 1: both prefixes on the old group and nexthop */
	send_sync(CHAN_REC_SYNC_BEGIN, 1);
	send_nexthop(NH_OLD, &old_mac, 1);
	send_group(GROUP_OLD, NH_OLD, 1);
	send_route("198.51.100.0", 24, GROUP_OLD, 1);
	send_route("198.51.101.0", 24, GROUP_OLD, 1);
	send_sync(CHAN_REC_SYNC_END, 1);
	channel_poll(&d);
	assert_int_equal(d.applied_generation, 1);
	out = stream_step(&sport, &n_old, &n_new);
	assert_int_equal(out, 2 * PER_DST);
	assert_int_equal(n_old, 2 * PER_DST);

	/* generation 2 replaces the nexthop, the group and the kept route
	 * and leaves 198.51.101.0/24 out: one record applied per burst */
	for (steps = 0; steps < 4; steps++) {
		switch (steps) {
		case 0:
			send_sync(CHAN_REC_SYNC_BEGIN, 2);
			break;
		case 1:
			send_nexthop(NH_NEW, &new_mac, 2);
			break;
		case 2:
			send_group(GROUP_NEW, NH_NEW, 2);
			break;
		case 3:
			send_route("198.51.100.0", 24, GROUP_NEW, 2);
			break;
		}
		channel_poll(&d);
		n_old = n_new = 0;
		out = stream_step(&sport, &n_old, &n_new);
		/* every packet of the stream left, on the old or new path */
		assert_int_equal(out, 2 * PER_DST);
		assert_int_equal(drops(DROP_NO_ROUTE), 0);
		assert_int_equal(drops(DROP_NO_GROUP), 0);
	}
	/* the kept prefix moved to the new path, the stale one still works */
	assert_int_equal(n_new, PER_DST);
	assert_int_equal(n_old, PER_DST);
	assert_int_equal(d.n_routes, 2);

	send_sync(CHAN_REC_SYNC_END, 2);
	channel_poll(&d);
	assert_int_equal(d.applied_generation, 2);
	/* stale route, group and nexthop of generation 1 are gone */
	assert_int_equal(d.n_routes, 1);
	assert_null(d.nhg.grp[GROUP_OLD]);
	assert_null(d.nhg.nh[NH_OLD]);
	assert_non_null(d.nhg.grp[GROUP_NEW]);
	n_old = n_new = 0;
	out = stream_step(&sport, &n_old, &n_new);
	assert_int_equal(out, PER_DST);
	assert_int_equal(n_new, PER_DST);
	assert_int_equal(drops(DROP_NO_ROUTE), PER_DST); /* 198.51.101.1 */
	assert_int_equal(drops(DROP_NO_GROUP), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_resync_sweeps_stale_routes_without_a_lookup_miss),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
