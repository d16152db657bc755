/* The EAL test bed of the data-plane tests that move real mbufs
 * (test_dp_fwd, test_dp_resync): the EAL without hugepages under a
 * per-process file prefix, one mbuf pool, two rte_eth_from_rings ports
 * (twinpath ports 0 and 1) wired into a struct dp, RCU, the FIB and one
 * forwarding lcore (the main one). */
#ifndef TWP_DP_TESTBED_H
#define TWP_DP_TESTBED_H

#include <stdint.h>

#include <rte_ring.h>

#include "dp.h"

struct dp_testbed {
	struct rte_ring *rx[2]; /* what a port receives: the test enqueues */
	struct rte_ring *tx[2]; /* what a port sent: the test dequeues */
};

/* D->cfg must be set (links, FIB sizes). RING_SIZE slots per ring, MBUFS
 * in the pool. Returns 0 or -1. */
int dp_testbed_up(struct dp_testbed *tb, struct dp *d, const char *name,
		  unsigned int ring_size, unsigned int mbufs);
/* EAL cleanup, and the EAL's runtime directory goes with the test. */
void dp_testbed_down(void);
/* RFC 1071 checksum of a 20-byte IPv4 header, the checksum field left
 * out: a reference independent of the code under test. */
uint16_t dp_testbed_ip_cksum(const uint8_t *ip);

#endif
