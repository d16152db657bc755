/* See dp_testbed.h. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dp_testbed.h"

/* Records are applied by the test's thread between bursts, nothing is in
 * flight (a test may install a deferred retire of its own). */
static void retire_free(void *ctx, void *obj)
{
	(void)ctx;
	free(obj);
}

static int ring_port(struct dp_testbed *tb, struct dp *d, unsigned int p,
		     unsigned int size)
{
	unsigned int nq = tb->n_queues, q;
	char name[32];
	struct rte_eth_conf conf;
	int id;

	for (q = 0; q < nq; q++) {
		snprintf(name, sizeof(name), "tb_rx%u_%u", p, q);
		tb->rxq[p][q] = rte_ring_create(name, size, 0,
						RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "tb_tx%u_%u", p, q);
		tb->txq[p][q] = rte_ring_create(name, size, 0,
						RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (tb->rxq[p][q] == NULL || tb->txq[p][q] == NULL)
			return -1;
	}
	tb->rx[p] = tb->rxq[p][0];
	tb->tx[p] = tb->txq[p][0];
	snprintf(name, sizeof(name), "net_tb%u", p);
	id = rte_eth_from_rings(name, tb->rxq[p], nq, tb->txq[p], nq, 0);
	if (id < 0)
		return -1;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure((uint16_t)id, (uint16_t)nq, (uint16_t)nq,
				  &conf) != 0)
		return -1;
	for (q = 0; q < nq; q++)
		if (rte_eth_rx_queue_setup((uint16_t)id, (uint16_t)q,
					   (uint16_t)size, 0, NULL,
					   d->ports[p].pool) != 0 ||
		    rte_eth_tx_queue_setup((uint16_t)id, (uint16_t)q,
					   (uint16_t)size, 0, NULL) != 0)
			return -1;
	if (rte_eth_dev_start((uint16_t)id) != 0)
		return -1;
	d->ports[p].port_id = (uint16_t)id;
	d->ports[p].has_rx = d->ports[p].has_tx = d->ports[p].started = true;
	d->ports[p].n_rxq = d->ports[p].n_txq = (uint16_t)nq;
	if (rte_eth_dev_get_mtu((uint16_t)id, &d->ports[p].mtu) != 0)
		return -1;
	d->ports[p].mac = (struct rte_ether_addr){{0x02, 0xd0, 0, 0, 0,
						   (uint8_t)(0xa0 + p)}};
	nhg_port_mac_set(&d->nhg, (uint16_t)p, &d->ports[p].mac);
	d->nhg.link_up[p] = 1;
	return 0;
}

static int testbed_up(struct dp_testbed *tb, struct dp *d, const char *name,
		      unsigned int ring_size, unsigned int mbufs,
		      unsigned int n_queues, unsigned int n_ports)
{
	char prefix[64], lcores[32];
	/* Q workers and the main lcore, all on CPU 0: they never run, the
	 * test's thread calls fwd_burst for each */
	char *argv[] = {(char *)name, "--no-huge", "-m", "256", "--no-pci",
			"-l", "0", "--no-shconf", "--log-level=lib.eal:error",
			prefix, NULL};
	unsigned int p, i;

	if (n_queues == 0 || n_queues > DP_TESTBED_QMAX || n_ports < 2 ||
	    n_ports > DP_TESTBED_PORTS_MAX)
		return -1;
	tb->n_queues = n_queues;
	snprintf(prefix, sizeof(prefix), "--file-prefix=%s_%d", name,
		 (int)getpid());
	if (n_queues > 1) {
		snprintf(lcores, sizeof(lcores), "--lcores=(0-%u)@0",
			 n_queues);
		argv[5] = lcores;
		argv[6] = "--main-lcore=0";
	}
	if (rte_eal_init(10, argv) < 0)
		return -1;
	d->n_ports = (uint16_t)n_ports;
	fwd_lcores_pick(d);
	if (d->n_fwd_lcores != n_queues)
		return -1;
	d->ports[0].pool = rte_pktmbuf_pool_create("tb_pool", mbufs, 0, 0,
						   RTE_MBUF_DEFAULT_BUF_SIZE,
						   0);
	if (d->ports[0].pool == NULL)
		return -1;
	for (p = 1; p < n_ports; p++)
		d->ports[p].pool = d->ports[0].pool;
	nhg_table_init(&d->nhg, d->n_ports, retire_free, NULL);
	for (p = 0; p < n_ports; p++)
		if (ring_port(tb, d, p, ring_size) < 0)
			return -1;
	d->rcu = calloc(1, rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE));
	if (d->rcu == NULL || rte_rcu_qsbr_init(d->rcu, RTE_MAX_LCORE) != 0 ||
	    fib_init(d) != 0 || fwd_frag_init(d) != 0)
		return -1;
	fwd_mtu_update(d);
	/* every forwarding lcore an RCU reader, online, as main.c does */
	for (i = 0; i < d->n_fwd_lcores; i++)
		if (fwd_init_lcore(d, d->fwd_lcores[i]) != 0)
			return -1;
	return 0;
}

int dp_testbed_up_queues(struct dp_testbed *tb, struct dp *d,
			 const char *name, unsigned int ring_size,
			 unsigned int mbufs, unsigned int n_queues)
{
	return testbed_up(tb, d, name, ring_size, mbufs, n_queues, 2);
}

int dp_testbed_up_ports(struct dp_testbed *tb, struct dp *d,
			const char *name, unsigned int ring_size,
			unsigned int mbufs, unsigned int n_ports)
{
	return testbed_up(tb, d, name, ring_size, mbufs, 1, n_ports);
}

int dp_testbed_up(struct dp_testbed *tb, struct dp *d, const char *name,
		  unsigned int ring_size, unsigned int mbufs)
{
	return dp_testbed_up_queues(tb, d, name, ring_size, mbufs, 1);
}

void dp_testbed_down(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	DIR *dh;

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	dh = opendir(dir);
	if (dh == NULL)
		return;
	while ((e = readdir(dh)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(dh);
	rmdir(dir);
}

uint16_t dp_testbed_ip_cksum(const uint8_t *ip)
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

int dp_testbed_one_link(struct dp *d, struct health_map *health,
			uint16_t link, uint32_t nh_id, uint32_t group,
			const struct rte_ether_addr *peer_mac)
{
	struct chan_nexthop nh = {.id = nh_id, .port = link,
				  .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED};
	struct chan_group g = {.id = group, .n_primary = 1,
			       .primary = {nh_id}};
	struct chan_route r = {.family = AF_INET, .len = 24,
			       .group_id = group};

	inet_pton(AF_INET, "203.0.113.2", nh.gateway);
	memcpy(nh.mac, peer_mac->addr_bytes, 6);
	inet_pton(AF_INET, "198.51.100.0", r.prefix);
	if (nhg_nexthop_set(&d->nhg, &nh, 1) != 0 ||
	    nhg_group_set(&d->nhg, &g, 1) != 0 || fib_route_add(d, &r, 1) != 0)
		return -1;
	d->health = health;
	d->health_fd = -1;
	d->nhg.bfd_ports = 1u << link;
	health->live_mask = 1u << link;
	return 0;
}

int dp_testbed_nexthop(struct dp *d, uint32_t id, uint16_t port,
		       const char *gw, uint8_t last)
{
	struct chan_nexthop nh = {.id = id, .port = port, .family = AF_INET,
				  .flags = CHAN_NH_F_RESOLVED,
				  .mac = {0x02, 0x50, 0, 0, 0, last}};

	if (inet_pton(AF_INET, gw, nh.gateway) != 1)
		return -1;
	return nhg_nexthop_set(&d->nhg, &nh, 1) == 0 ? 0 : -1;
}

unsigned int dp_testbed_udp4(uint8_t *f, const struct rte_ether_addr *dst,
			     const struct rte_ether_addr *src, uint16_t id,
			     uint8_t ttl)
{
	static const uint8_t ip[20] = {0x45, 0x00, 0x00, 0x20, 0x00, 0x00,
				       0x00, 0x00, 0, 0x11, 0, 0,
				       198, 18, 1, 10, 198, 51, 100, 7};
	uint16_t c;

	memset(f, 0, 46);
	memcpy(f, dst->addr_bytes, 6);
	memcpy(f + 6, src->addr_bytes, 6);
	f[12] = 0x08;
	memcpy(f + 14, ip, 20);
	f[14 + 4] = (uint8_t)(id >> 8);
	f[14 + 5] = (uint8_t)id;
	f[14 + 8] = ttl;
	c = dp_testbed_ip_cksum(f + 14);
	f[14 + 10] = (uint8_t)(c >> 8);
	f[14 + 11] = (uint8_t)c;
	f[34] = 0x03, f[35] = 0xe8, f[36] = 0x07, f[37] = 0xd0;
	f[38] = 0x00, f[39] = 0x0c;
	memcpy(f + 42, "ping", 4);
	return 46;
}
