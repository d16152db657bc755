/* The EAL test bed of the data-plane tests that move real mbufs
 * (test_dp_fwd, test_dp_resync, test_dp_lcores): the EAL without
 * hugepages under a per-process file prefix, one mbuf pool, two
 * rte_eth_from_rings ports (twinpath ports 0 and 1) wired into a struct
 * dp, RCU, the FIB and the forwarding lcores: with one queue per port the
 * main lcore alone; with Q queues, Q worker lcores as twinpath-dp picks
 * them (main.c: workers in lcore order, number i on queue i of every
 * port), all mapped onto CPU 0 and driven by the test's own thread
 * through fwd_burst(d, lcore). */
#ifndef TWP_DP_TESTBED_H
#define TWP_DP_TESTBED_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_ring.h>

#include "dp.h"

#define DP_TESTBED_QMAX 4u
#define DP_TESTBED_PORTS_MAX 3u /* 2 unless dp_testbed_up_ports says */

struct dp_testbed {
	/* what a port receives: the test enqueues */
	struct rte_ring *rx[DP_TESTBED_PORTS_MAX];
	/* what a port sent: the test dequeues */
	struct rte_ring *tx[DP_TESTBED_PORTS_MAX];
	/* the same per queue (rx[p] is rxq[p][0], tx[p] is txq[p][0]) */
	struct rte_ring *rxq[DP_TESTBED_PORTS_MAX][DP_TESTBED_QMAX];
	struct rte_ring *txq[DP_TESTBED_PORTS_MAX][DP_TESTBED_QMAX];
	unsigned int n_queues;
};

/* D->cfg must be set (links, FIB sizes). RING_SIZE slots per ring, MBUFS
 * in the pool. Returns 0 or -1. */
int dp_testbed_up(struct dp_testbed *tb, struct dp *d, const char *name,
		  unsigned int ring_size, unsigned int mbufs);
/* The same with N_QUEUES (1..DP_TESTBED_QMAX) rx and tx queues per port
 * and, above 1, as many forwarding worker lcores (EAL lcores 1..N, the
 * main lcore 0 forwards not): d->fwd_lcores[], n_fwd_lcores, fwd_index[],
 * fwd_lcore set as main.c sets them, each lcore through fwd_init_lcore
 * (registered with RCU and online). */
int dp_testbed_up_queues(struct dp_testbed *tb, struct dp *d,
			 const char *name, unsigned int ring_size,
			 unsigned int mbufs, unsigned int n_queues);
/* dp_testbed_up with N_PORTS (2..DP_TESTBED_PORTS_MAX) ring ports,
 * twinpath ports 0..N_PORTS-1 (the fuzz target's two links and a LAN). */
int dp_testbed_up_ports(struct dp_testbed *tb, struct dp *d,
			const char *name, unsigned int ring_size,
			unsigned int mbufs, unsigned int n_ports);
/* EAL cleanup, and the EAL's runtime directory goes with the test. */
void dp_testbed_down(void);
/* RFC 1071 checksum of a 20-byte IPv4 header, the checksum field left
 * out: a reference independent of the code under test. */
uint16_t dp_testbed_ip_cksum(const uint8_t *ip);
/* Writes at F a 46-byte frame DST <- SRC: IPv4 198.18.1.10 (the LAN host)
 * -> 198.51.100.7, IP id ID, TTL TTL, a correct header checksum, UDP 1000
 * -> 2000 with the payload "ping". Returns its length. */
/* The forwarding tests' one-link table on D: nexthop NH_ID on port LINK
 * (gateway 203.0.113.2, MAC PEER_MAC, resolved), group GROUP over it
 * alone, 198.51.100.0/24 to that group (generation 1), and HEALTH standing
 * in for the BFD map with LINK's bit live. 0 or -1. */
int dp_testbed_one_link(struct dp *d, struct health_map *health,
			uint16_t link, uint32_t nh_id, uint32_t group,
			const struct rte_ether_addr *peer_mac);

/* Nexthop ID on port PORT, IPv4 gateway GW, resolved to the MAC
 * 02:50:00:00:00:LAST. 0 or -1. */
int dp_testbed_nexthop(struct dp *d, uint32_t id, uint16_t port,
		       const char *gw, uint8_t last);

unsigned int dp_testbed_udp4(uint8_t *f, const struct rte_ether_addr *dst,
			     const struct rte_ether_addr *src, uint16_t id,
			     uint8_t ttl);

#endif
