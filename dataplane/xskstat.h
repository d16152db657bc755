/* The kernel's own counters of twinpath-dp's AF_XDP sockets
 * (getsockopt XDP_STATISTICS): what the kernel refused or dropped that
 * the af_xdp PMD never sees, a tx descriptor outside the UMEM first of
 * all (rte_eth_tx_burst took the packet, nothing left). Per port and
 * queue, read on the main lcore once a second, monotonic across a port's
 * re-creation. */
#ifndef TWP_XSKSTAT_H
#define TWP_XSKSTAT_H

#include <stdbool.h>
#include <stdint.h>

struct dp;

/* One socket's struct xdp_statistics, in twinpath's names. */
struct xsk_counters {
	uint64_t rx_dropped;    /* xsk_rx_dropped: no buffer, too long */
	uint64_t rx_invalid;    /* xsk_rx_invalid: rx_invalid_descs */
	uint64_t tx_invalid;    /* xsk_tx_invalid: tx desc refused */
	uint64_t rx_ring_full;  /* xsk_rx_ring_full: our rx ring was full */
	/* not drops: events (a fill-ring miss is also in rx_dropped) */
	uint64_t fill_empty;    /* xsk_fill_empty: fill ring was empty */
	uint64_t tx_ring_empty; /* xsk_tx_ring_empty */
};

/* What the kernel dropped or refused: the sum /twinpath/ports reports as
 * xsk_dropped (fill_empty and tx_ring_empty are no drops). */
static inline uint64_t xsk_counters_dropped(const struct xsk_counters *c)
{
	return c->rx_dropped + c->rx_invalid + c->tx_invalid + c->rx_ring_full;
}

/* An AF_XDP socket of this process: its fd and socket inode (an fd number
 * is reused, an inode is not while the socket lives). */
struct xsk_sock_id {
	int fd;
	uint64_t ino;
};
#define XSK_SCAN_MAX 256u
struct xsk_scan {
	unsigned int n;
	struct xsk_sock_id s[XSK_SCAN_MAX];
};

/* Every AF_XDP socket among the process's fds (/proc/self/fd, SO_DOMAIN
 * AF_XDP). 0 or -errno (-ENOSPC past XSK_SCAN_MAX). */
int xsk_scan(struct xsk_scan *out);
/* XDP_STATISTICS of socket FD into C; counters an older kernel does not
 * give stay 0. 0 or -errno. */
int xsk_read(int fd, struct xsk_counters *c);

/* One socket as twinpath-dp knows it. */
struct xsk_sock_info {
	uint16_t port;
	uint16_t queue;
	uint32_t ifindex;      /* the port's interface when claimed */
	int fd;                /* -1: gone, its counts kept */
	struct xsk_counters total; /* this socket's and those it replaced */
};

/* Around the creation of port P's queue Q (rte_eth_rx_queue_setup, where
 * the af_xdp PMD creates that queue's socket): xskstat_mark before,
 * xskstat_claim after. The kernel cannot say which interface and queue
 * an AF_XDP socket is bound to (getsockname fails with EOPNOTSUPP on
 * AF_XDP, and this kernel has no xdp_diag), so a socket is known by when
 * it appeared. Claim returns the number of new sockets given to (P, Q),
 * or -errno (-EINVAL without a mark). A re-created port's new socket continues the counts of its
 * predecessor on the same queue. Main thread, before forwarding. */
int xskstat_mark(void);
int xskstat_claim(const struct dp *d, uint16_t p, uint16_t q);
/* After the ports started: logs each af_xdp port whose sockets were not
 * all found (its kernel counters are then incomplete). The number of
 * ports short, 0 when all are complete. */
int xskstat_check(const struct dp *d);
/* Main lcore, once a second: reads every socket, notices a closed one,
 * logs (rate-limited) when xsk_tx_invalid or xsk_rx_invalid grows: that
 * is our bug, never expected. NOW_NS is CLOCK_MONOTONIC. BLOCK false:
 * skipped when telemetry holds the table (the main lcore never waits). */
void xskstat_poll(const struct dp *d, uint64_t now_ns, bool block);
/* One log line per af_xdp port with its counters (at exit). */
void xskstat_log_totals(const struct dp *d);
/* Telemetry side: port P's counters summed over its queues into SUM;
 * the number of sockets found (live or gone), live ones in *LIVE. */
unsigned int xskstat_port(uint16_t p, struct xsk_counters *sum,
			  unsigned int *live);
/* Entry I (0..) of the table into OUT; false past the end. */
bool xskstat_get(unsigned int i, struct xsk_sock_info *out);
/* Forget everything (tests). */
void xskstat_reset(void);

#endif
