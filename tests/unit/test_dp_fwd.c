/* twinpath-dp's packet path on real mbufs (dataplane/fwd.c, fib.c,
 * health.c) with the EAL up and two ring ports (rte_eth_from_rings): the
 * exact bytes of a forwarded IPv4 packet (MACs, TTL, checksum), the BFD
 * verdict taking a link out of forwarding between two bursts, and the
 * periodic BFD packet going out on the link through the forwarding
 * lcore, at most once per interval. */
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

#include "bfd.h"
#include "dp.h"

#define LINK 0u   /* twinpath port index of the one link */
#define LAN 1u
#define NH_PEER 5u
#define GROUP 3u

volatile bool dp_quit; /* fwd.c's stop flag, main.c's in twinpath-dp */

static struct twp_config cfg;
static struct dp d;
static struct rte_ring *rx_ring[2], *tx_ring[2];
static struct health_map fake_health; /* the map, without the kernel */

static const struct rte_ether_addr peer_mac = {{0x02, 0x50, 0, 0, 0, 0x02}};
static const struct rte_ether_addr lan_host_mac = {{0x02, 0x10, 0, 0, 0, 1}};

static void retire_free(void *ctx, void *obj)
{
	(void)ctx;
	free(obj);
}

static int ring_port(unsigned int p)
{
	char name[32];
	struct rte_eth_conf conf;
	int id;

	snprintf(name, sizeof(name), "t_rx%u", p);
	rx_ring[p] = rte_ring_create(name, 64, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "t_tx%u", p);
	tx_ring[p] = rte_ring_create(name, 64, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (rx_ring[p] == NULL || tx_ring[p] == NULL)
		return -1;
	snprintf(name, sizeof(name), "net_t%u", p);
	id = rte_eth_from_rings(name, &rx_ring[p], 1, &tx_ring[p], 1, 0);
	if (id < 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure((uint16_t)id, 1, 1, &conf) != 0 ||
	    rte_eth_rx_queue_setup((uint16_t)id, 0, 64, 0, NULL,
				   d.ports[p].pool) != 0 ||
	    rte_eth_tx_queue_setup((uint16_t)id, 0, 64, 0, NULL) != 0 ||
	    rte_eth_dev_start((uint16_t)id) != 0)
		return -1;
	d.ports[p].port_id = (uint16_t)id;
	d.ports[p].has_rx = d.ports[p].has_tx = d.ports[p].started = true;
	d.ports[p].mac = (struct rte_ether_addr){{0x02, 0xd0, 0, 0, 0,
						  (uint8_t)(0xa0 + p)}};
	d.nhg.link_up[p] = 1;
	return 0;
}

static int setup(void **state)
{
	char prefix[64];
	char *argv[] = {"test_dp_fwd", "--no-huge", "-m", "256", "--no-pci",
			"-l", "0", "--no-shconf", "--log-level=lib.eal:error",
			prefix, NULL};
	struct chan_nexthop nh = {.id = NH_PEER, .port = LINK,
				  .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED};
	struct chan_group g = {.id = GROUP, .n_primary = 1,
			       .primary = {NH_PEER}};
	struct chan_route r = {.family = AF_INET, .len = 24,
			       .group_id = GROUP};
	size_t sz;
	unsigned int p;

	(void)state;
	snprintf(prefix, sizeof(prefix), "--file-prefix=test_dp_fwd_%d",
		 (int)getpid());
	if (rte_eal_init(10, argv) < 0)
		return -1;
	cfg.n_links = 1;
	cfg.dataplane.ipv4_routes_max = 1024;
	cfg.links[0].bfd.enabled = true;
	d.cfg = &cfg;
	d.n_ports = 2;
	d.fwd_lcore = rte_lcore_id();
	d.ports[0].pool = rte_pktmbuf_pool_create("t_pool", 1023, 0, 0,
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
	inet_pton(AF_INET, "203.0.113.2", nh.gateway);
	memcpy(nh.mac, peer_mac.addr_bytes, 6);
	inet_pton(AF_INET, "198.51.100.0", r.prefix);
	if (nhg_nexthop_set(&d.nhg, &nh, 1) != 0 ||
	    nhg_group_set(&d.nhg, &g, 1) != 0 ||
	    fib_route_add(&d, &r, 1) != 0)
		return -1;
	/* health_init without bpffs: the same fields, a plain struct */
	d.bfd_tx_ring = rte_ring_create("t_bfd", 64, 0,
					RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (d.bfd_tx_ring == NULL)
		return -1;
	d.health = &fake_health;
	d.health_fd = -1;
	d.nhg.bfd_ports = 1u << LINK;
	fake_health.live_mask = 1u << LINK;
	return 0;
}

/* The EAL's runtime directory goes with the test. */
static int teardown(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	DIR *dh;

	(void)state;
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

/* RFC 1071 sum of the IPv4 header, our own reference. */
static uint16_t ref_ip_cksum(const uint8_t *ip)
{
	uint32_t s = 0;
	unsigned int i;

	for (i = 0; i < 20; i += 2)
		if (i != 10)
			s += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* LAN host -> 198.51.100.7, UDP 1000 -> 2000, TTL TTL. */
static unsigned int make_udp(uint8_t *f, uint8_t ttl)
{
	static const uint8_t ip[20] = {0x45, 0x00, 0x00, 0x20, 0x12, 0x34,
				       0x00, 0x00, 0, 0x11, 0, 0,
				       198, 18, 1, 10, 198, 51, 100, 7};
	uint16_t c;

	memset(f, 0, 46);
	memcpy(f, d.ports[LAN].mac.addr_bytes, 6);
	memcpy(f + 6, lan_host_mac.addr_bytes, 6);
	f[12] = 0x08;
	memcpy(f + 14, ip, 20);
	f[14 + 8] = ttl;
	c = ref_ip_cksum(f + 14);
	f[14 + 10] = (uint8_t)(c >> 8);
	f[14 + 11] = (uint8_t)c;
	f[34] = 0x03, f[35] = 0xe8, f[36] = 0x07, f[37] = 0xd0;
	f[38] = 0x00, f[39] = 0x0c;
	memcpy(f + 42, "ping", 4);
	return 46;
}

static void inject(unsigned int port, const uint8_t *f, unsigned int len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(d.ports[0].pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_append(m, (uint16_t)len), f, len);
	assert_int_equal(rte_ring_enqueue(rx_ring[port], m), 0);
}

/* What PORT sent since the last call: at most one frame, copied out. */
static unsigned int sent(unsigned int port, uint8_t *out)
{
	struct rte_mbuf *m;
	unsigned int len;

	if (rte_ring_dequeue(tx_ring[port], (void **)&m) != 0)
		return 0;
	len = rte_pktmbuf_pkt_len(m);
	memcpy(out, rte_pktmbuf_mtod(m, void *), len);
	rte_pktmbuf_free(m);
	assert_int_equal(rte_ring_count(tx_ring[port]), 0);
	return len;
}

static uint64_t drops(enum dp_drop why)
{
	return d.stats[d.fwd_lcore].drop[why];
}

static void test_fwd_ipv4_rewrite_exact_bytes(void **state)
{
	uint8_t in[64], expect[64], out[2048];
	unsigned int len = make_udp(in, 64);
	uint16_t c;

	(void)state;
	memcpy(expect, in, len);
	memcpy(expect, peer_mac.addr_bytes, 6);
	memcpy(expect + 6, d.ports[LINK].mac.addr_bytes, 6);
	expect[14 + 8] = 63;
	c = ref_ip_cksum(expect + 14);
	expect[14 + 10] = (uint8_t)(c >> 8);
	expect[14 + 11] = (uint8_t)c;

	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
	assert_memory_equal(out, expect, len);
	assert_int_equal(sent(LAN, out), 0);
}

static void test_fwd_bfd_bit_clear_stops_the_link_next_burst(void **state)
{
	uint8_t in[64], out[2048];
	unsigned int len = make_udp(in, 64);
	uint64_t no_live = drops(DROP_NO_LIVE_NEXTHOP);

	(void)state;
	/* the XDP program declares the session Down */
	__atomic_store_n(&fake_health.live_mask, 0, __ATOMIC_RELAXED);
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(drops(DROP_NO_LIVE_NEXTHOP), no_live + 1);
	/* admin down holds the link out even with BFD Up */
	__atomic_store_n(&fake_health.live_mask, 1u << LINK,
			 __ATOMIC_RELAXED);
	d.nhg.admin_down[LINK] = 1;
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(drops(DROP_NO_LIVE_NEXTHOP), no_live + 2);
	/* Up again: forwarded */
	d.nhg.admin_down[LINK] = 0;
	inject(LAN, in, len);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), len);
}

static void test_fwd_bfd_periodic_packet_goes_out_on_its_link(void **state)
{
	struct health_link *hl = &fake_health.link[LINK];
	uint8_t out[2048], expect[BFD_FRAME_MAX];
	size_t len;

	(void)state;
	memset(hl, 0, sizeof(*hl));
	hl->family = AF_INET;
	inet_pton(AF_INET, "203.0.113.1", hl->local_addr);
	inet_pton(AF_INET, "203.0.113.2", hl->peer_addr);
	hl->local_disc = 7;
	hl->desired_min_tx_us = 50000;
	hl->required_min_rx_us = 50000;
	hl->detect_mult = 3;
	hl->src_port = 49200;
	hl->state = BFD_STATE_DOWN;

	/* not enabled by twinpathd: nothing */
	health_tick(&d);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);

	hl->cfg_enabled = 1;
	health_tick(&d);
	assert_int_equal(hl->tx_packets, 1);
	assert_true(hl->last_tx_ns != 0);
	assert_int_equal(sent(LINK, out), 0); /* the forwarding lcore sends */
	fwd_burst(&d, d.fwd_lcore);
	len = bfd_ctrl_build(expect, sizeof(expect), hl, &d.ports[LINK].mac,
			     &peer_mac);
	assert_int_equal(len, 66);
	assert_int_equal(sent(LINK, out), len);
	assert_memory_equal(out, expect, len);
	assert_int_equal(out[14 + 8], 255); /* GTSM */
	assert_int_equal(d.stats[d.fwd_lcore].bfd_tx[LINK], 1);
	/* and no forwarded-packet counter moved for it */

	/* at most one per interval (>= 750 ms while Down) */
	health_tick(&d);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(hl->tx_packets, 1);
}

static void test_fwd_bfd_unresolved_peer_is_skipped_and_counted(void **state)
{
	struct health_link *hl = &fake_health.link[LINK];
	uint8_t out[2048];

	(void)state;
	/* a peer no nexthop leads to */
	inet_pton(AF_INET, "203.0.113.3", hl->peer_addr);
	d.bfd_tx[LINK].last_tsc = 0;
	health_tick(&d);
	fwd_burst(&d, d.fwd_lcore);
	assert_int_equal(sent(LINK, out), 0);
	assert_int_equal(d.bfd_tx[LINK].unresolved, 1);
	assert_int_equal(hl->tx_packets, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fwd_ipv4_rewrite_exact_bytes),
		cmocka_unit_test(test_fwd_bfd_bit_clear_stops_the_link_next_burst),
		cmocka_unit_test(test_fwd_bfd_periodic_packet_goes_out_on_its_link),
		cmocka_unit_test(test_fwd_bfd_unresolved_peer_is_skipped_and_counted),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
