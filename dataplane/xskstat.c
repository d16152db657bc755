/* The kernel's drop counters of our AF_XDP sockets (XDP_STATISTICS). The
 * af_xdp PMD of DPDK 22.11 reports only rx_dropped (as imissed) and hides
 * its sockets, so a tx descriptor the kernel refuses (an mbuf outside the
 * UMEM) was a packet counted sent that never left. The sockets are ours:
 * they are found among the process's fds and attributed to the port and
 * queue whose setup created them (see xskstat.h for why not by address).
 * The main lcore reads them once a second; telemetry reads the table
 * under the same lock. */
#include <dirent.h>
#include <errno.h>
#include <net/if.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/if_xdp.h>

#include "dp.h"
#include "log.h"
#include "xskstat.h"

#ifndef AF_XDP
#define AF_XDP 44
#endif
#ifndef SOL_XDP
#define SOL_XDP 283
#endif

/* A port that keeps refusing descriptors is logged at most this often. */
#define XSKSTAT_LOG_EVERY_NS (60ull * 1000000000ull)
#define XSKSTAT_MAX XSK_SCAN_MAX

struct xsk_entry {
	struct xsk_sock_info info;     /* info.total is filled on read */
	uint64_t ino;
	struct xsk_counters base;      /* of the sockets gone before */
	struct xsk_counters last;      /* this socket's, last read */
};

static struct {
	pthread_mutex_t lock;
	unsigned int n;
	struct xsk_entry e[XSKSTAT_MAX];
	struct xsk_scan mark;
	bool mark_valid;              /* a mark waits for its claim */
	/* rate-limited log of refused descriptors, per port */
	uint64_t logged_invalid[DP_PORT_MAX];
	uint64_t next_log_ns[DP_PORT_MAX];
} xs = {.lock = PTHREAD_MUTEX_INITIALIZER};

int xsk_scan(struct xsk_scan *out)
{
	struct dirent *de;
	DIR *dir;
	int dfd, rc = 0;

	out->n = 0;
	dir = opendir("/proc/self/fd");
	if (dir == NULL)
		return -errno;
	dfd = dirfd(dir);
	while ((de = readdir(dir)) != NULL) {
		int fd, domain = 0;
		socklen_t len = sizeof(domain);
		struct stat st;
		char *end;
		long v;

		v = strtol(de->d_name, &end, 10);
		if (*end != '\0' || end == de->d_name || v < 0 || v == dfd ||
		    v > INT32_MAX)
			continue;
		fd = (int)v;
		if (fstat(fd, &st) < 0 || !S_ISSOCK(st.st_mode))
			continue;
		/* AF_XDP has no getsockname; SO_DOMAIN answers for any
		 * socket */
		if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len) < 0 ||
		    domain != AF_XDP)
			continue;
		if (out->n == XSK_SCAN_MAX) {
			rc = -ENOSPC;
			break;
		}
		out->s[out->n].fd = fd;
		out->s[out->n].ino = (uint64_t)st.st_ino;
		out->n++;
	}
	closedir(dir);
	return rc;
}

int xsk_read(int fd, struct xsk_counters *c)
{
	struct xdp_statistics st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (getsockopt(fd, SOL_XDP, XDP_STATISTICS, &st, &len) < 0)
		return -errno;
	/* Kernels before 5.9 answer only the first three fields (and say
	 * so in len); the rest stay 0. */
	if (len < offsetof(struct xdp_statistics, rx_ring_full))
		return -EPROTO;
	c->rx_dropped = st.rx_dropped;
	c->rx_invalid = st.rx_invalid_descs;
	c->tx_invalid = st.tx_invalid_descs;
	c->rx_ring_full = st.rx_ring_full;
	c->fill_empty = st.rx_fill_ring_empty_descs;
	c->tx_ring_empty = st.tx_ring_empty_descs;
	return 0;
}

static void counters_add(struct xsk_counters *to, const struct xsk_counters *c)
{
	to->rx_dropped += c->rx_dropped;
	to->rx_invalid += c->rx_invalid;
	to->tx_invalid += c->tx_invalid;
	to->rx_ring_full += c->rx_ring_full;
	to->fill_empty += c->fill_empty;
	to->tx_ring_empty += c->tx_ring_empty;
}

/* Is entry E's socket still the one at its fd? */
static bool entry_alive(const struct xsk_entry *e)
{
	struct stat st;

	return e->info.fd >= 0 && fstat(e->info.fd, &st) == 0 &&
	       S_ISSOCK(st.st_mode) && (uint64_t)st.st_ino == e->ino;
}

/* E's socket is closed: its last counts stay, in base. */
static void entry_gone(struct xsk_entry *e)
{
	counters_add(&e->base, &e->last);
	memset(&e->last, 0, sizeof(e->last));
	e->info.fd = -1;
	e->ino = 0;
}

int xskstat_mark(void)
{
	int rc;

	pthread_mutex_lock(&xs.lock);
	rc = xsk_scan(&xs.mark);
	xs.mark_valid = rc == 0;
	pthread_mutex_unlock(&xs.lock);
	return rc;
}

static bool marked(const struct xsk_sock_id *s)
{
	unsigned int i;

	for (i = 0; i < xs.mark.n; i++)
		if (xs.mark.s[i].fd == s->fd && xs.mark.s[i].ino == s->ino)
			return true;
	return false;
}

/* The entry a new socket of (P, Q) goes to: one of (P, Q) whose socket
 * is gone (the port was re-created: the counts go on), else a new one. */
static struct xsk_entry *entry_for(uint16_t p, uint16_t q)
{
	unsigned int i;

	for (i = 0; i < xs.n; i++) {
		struct xsk_entry *e = &xs.e[i];

		if (e->info.port != p || e->info.queue != q)
			continue;
		if (e->info.fd >= 0 && entry_alive(e))
			continue;
		if (e->info.fd >= 0)
			entry_gone(e);
		return e;
	}
	if (xs.n == XSKSTAT_MAX)
		return NULL;
	memset(&xs.e[xs.n], 0, sizeof(xs.e[0]));
	xs.e[xs.n].info.port = p;
	xs.e[xs.n].info.queue = q;
	return &xs.e[xs.n++];
}

int xskstat_claim(const struct dp *d, uint16_t p, uint16_t q)
{
	struct xsk_scan *now;
	unsigned int i;
	int rc, n = 0;

	now = malloc(sizeof(*now));
	if (now == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&xs.lock);
	rc = xs.mark_valid ? xsk_scan(now) : -EINVAL;
	for (i = 0; rc == 0 && i < now->n; i++) {
		struct xsk_entry *e;

		if (marked(&now->s[i]))
			continue;
		e = entry_for(p, q);
		if (e == NULL) {
			rc = -ENOSPC;
			break;
		}
		e->info.fd = now->s[i].fd;
		e->ino = now->s[i].ino;
		e->info.ifindex = if_nametoindex(d->ports[p].ifname);
		memset(&e->last, 0, sizeof(e->last));
		n++;
	}
	xs.mark_valid = false;
	pthread_mutex_unlock(&xs.lock);
	free(now);
	return rc < 0 ? rc : n;
}

/* Caller holds xs.lock. */
static unsigned int port_sum(uint16_t p, struct xsk_counters *sum,
			     unsigned int *live)
{
	unsigned int i, n = 0;

	memset(sum, 0, sizeof(*sum));
	*live = 0;
	for (i = 0; i < xs.n; i++) {
		if (xs.e[i].info.port != p)
			continue;
		counters_add(sum, &xs.e[i].base);
		counters_add(sum, &xs.e[i].last);
		*live += xs.e[i].info.fd >= 0;
		n++;
	}
	return n;
}

int xskstat_check(const struct dp *d)
{
	unsigned int live, want;
	struct xsk_counters sum;
	int short_ports = 0;
	uint16_t p;

	for (p = 0; p < d->n_ports; p++) {
		const struct dp_port *port = &d->ports[p];

		if (port->kind != PORT_AF_XDP || !port->started)
			continue;
		pthread_mutex_lock(&xs.lock);
		port_sum(p, &sum, &live);
		pthread_mutex_unlock(&xs.lock);
		want = RTE_MAX(port->n_rxq, (uint16_t)1);
		if (live == want)
			continue;
		log_msg("port %s: %u AF_XDP sockets found for %u queues: the "
			"kernel's drop counters of %s (/twinpath/xsk) are "
			"incomplete", port->name, live, want, port->ifname);
		short_ports++;
	}
	return short_ports;
}

/* Port P's refused descriptors grew: say so, at most once a minute.
 * Caller holds xs.lock. */
static void log_invalid(const struct dp *d, uint16_t p, uint64_t now_ns)
{
	struct xsk_counters sum;
	unsigned int live;
	uint64_t inv;

	port_sum(p, &sum, &live);
	inv = sum.tx_invalid + sum.rx_invalid;
	if (inv <= xs.logged_invalid[p] || now_ns < xs.next_log_ns[p])
		return;
	log_warn("port %s: the kernel refused %lu more descriptors of its "
		"AF_XDP sockets (xsk_tx_invalid %lu, xsk_rx_invalid %lu): a "
		"descriptor outside the UMEM or malformed, a bug of "
		"twinpath-dp; those packets were counted sent and never left "
		"(said at most once a minute)", d->ports[p].name,
		(unsigned long)(inv - xs.logged_invalid[p]),
		(unsigned long)sum.tx_invalid, (unsigned long)sum.rx_invalid);
	xs.logged_invalid[p] = inv;
	xs.next_log_ns[p] = now_ns + XSKSTAT_LOG_EVERY_NS;
}

void xskstat_poll(const struct dp *d, uint64_t now_ns, bool block)
{
	bool seen[DP_PORT_MAX] = {false};
	unsigned int i;
	uint16_t p;

	if (block)
		pthread_mutex_lock(&xs.lock);
	else if (pthread_mutex_trylock(&xs.lock) != 0)
		return;
	for (i = 0; i < xs.n; i++) {
		struct xsk_entry *e = &xs.e[i];
		struct xsk_counters c;

		if (e->info.fd < 0)
			continue;
		if (!entry_alive(e) || xsk_read(e->info.fd, &c) < 0) {
			entry_gone(e);
			continue;
		}
		e->last = c;
		if (e->info.port < DP_PORT_MAX)
			seen[e->info.port] = true;
	}
	for (p = 0; p < d->n_ports && p < DP_PORT_MAX; p++)
		if (seen[p])
			log_invalid(d, p, now_ns);
	pthread_mutex_unlock(&xs.lock);
}

unsigned int xskstat_port(uint16_t p, struct xsk_counters *sum,
			  unsigned int *live)
{
	unsigned int n;

	pthread_mutex_lock(&xs.lock);
	n = port_sum(p, sum, live);
	pthread_mutex_unlock(&xs.lock);
	return n;
}

void xskstat_log_totals(const struct dp *d)
{
	struct xsk_counters c;
	unsigned int live;
	uint16_t p;

	for (p = 0; p < d->n_ports; p++) {
		if (d->ports[p].kind != PORT_AF_XDP || !d->ports[p].started)
			continue;
		xskstat_port(p, &c, &live);
		log_msg("port %s: kernel AF_XDP counters: xsk_tx_invalid %lu, "
			"xsk_rx_invalid %lu, xsk_rx_dropped %lu, "
			"xsk_rx_ring_full %lu, xsk_fill_empty %lu, "
			"xsk_tx_ring_empty %lu", d->ports[p].name,
			(unsigned long)c.tx_invalid,
			(unsigned long)c.rx_invalid,
			(unsigned long)c.rx_dropped,
			(unsigned long)c.rx_ring_full,
			(unsigned long)c.fill_empty,
			(unsigned long)c.tx_ring_empty);
	}
}

bool xskstat_get(unsigned int i, struct xsk_sock_info *out)
{
	bool ok;

	pthread_mutex_lock(&xs.lock);
	ok = i < xs.n;
	if (ok) {
		*out = xs.e[i].info;
		out->total = xs.e[i].base;
		counters_add(&out->total, &xs.e[i].last);
	}
	pthread_mutex_unlock(&xs.lock);
	return ok;
}

void xskstat_reset(void)
{
	pthread_mutex_lock(&xs.lock);
	xs.n = 0;
	xs.mark_valid = false;
	memset(xs.logged_invalid, 0, sizeof(xs.logged_invalid));
	memset(xs.next_log_ns, 0, sizeof(xs.next_log_ns));
	pthread_mutex_unlock(&xs.lock);
}
