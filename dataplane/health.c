/* The health map in twinpath-dp. After the ports start the pinned map of
 * bfd.bpf.o is mmapped (it exists only when an af_xdp port loaded the
 * program); the forwarding lcore reads its live_mask once per burst. The
 * main lcore sends each enabled session's periodic control packet
 * (RFC 5880 §6.8.7: XDP only answers) and hands it to the forwarding
 * lcore through a ring, so the link's tx queue keeps one writer and BFD
 * shares the data plane's fate. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>
#include <rte_ring.h>

#include "bfdpkt.h"
#include "dp.h"
#include "log.h"
#include "suspect.h"
#include "susflow.h"
#include "xdp.h"

#define HEALTH_TX_RING 64u /* > CFG_MAX_LINKS packets in flight */
/* Each forwarding lcore's ring of sampled packets' records, in 16-byte
 * elements (susflow.h: 3 an IPv4 packet, 4 an IPv6 one, and a burst's
 * header), drained every 1 ms tick: 32 768 elements (512 KiB) hold at
 * least 8 000 IPv4 packets (one a burst), 13 ms of a 10 Mpps lcore's
 * sampled packets at one flow in 16 (625 k/s) and room for a few late
 * ticks, or about 1 ms if all its traffic were sampled flows (full
 * bursts); what does not fit is counted (susflow_dropped), never
 * blocks. */
#define HEALTH_FLOW_RING 32768u

/* One forwarding lcore's ring as health_suspect_drain takes it: the
 * burst next in line. */
struct health_flow_src {
	struct rte_ring *r;
	unsigned int left;      /* elements still to take this drain */
	bool have;              /* B and REC hold a burst */
	struct susflow_burst b;
	uint8_t rec[DP_BURST * SUSFLOW_REC6_ELEMS][SUSFLOW_ELEM];
};
/* In an mbuf's hash.usr beside the interval (at most 60 s < 2^26 us):
 * built while the session was Up. */
#define HEALTH_TX_UP 0x80000000u

static size_t health_map_len(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (sizeof(struct health_map) + page - 1) & ~(page - 1);
}

int health_init(struct dp *d)
{
	const struct twp_config *cfg = d->cfg;
	struct bpf_map_info info;
	uint32_t info_len = sizeof(info);
	char path[PATH_MAX];
	unsigned int i;
	void *mem;
	int fd, rc;

	d->health_fd = -1;
	if (d->n_xdp_ports == 0) {
		log_msg("health: no af_xdp port, so no BFD: link state alone "
			"decides");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", XDP_PIN_ROOT, HEALTH_MAP_NAME);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		log_warn("health: %s: %s: BFD off, link state alone decides",
			path, strerror(errno));
		return 0;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len) < 0 ||
	    info.type != BPF_MAP_TYPE_ARRAY || info.max_entries < 1 ||
	    info.value_size < sizeof(struct health_map) ||
	    !(info.map_flags & BPF_F_MMAPABLE)) {
		log_msg("health: %s is not a mmapable array of struct "
			"health_map (%zu bytes; value_size %u, flags %#x)",
			path, sizeof(struct health_map), info.value_size,
			info.map_flags);
		close(fd);
		return -EPROTO;
	}
	mem = mmap(NULL, health_map_len(), PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (mem == MAP_FAILED) {
		rc = -errno;
		log_err("health: mmap %s: %s", path, strerror(-rc));
		close(fd);
		return rc;
	}
	d->bfd_tx_ring = rte_ring_create("twp_bfd_tx", HEALTH_TX_RING,
					 (int)rte_socket_id(),
					 RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (d->bfd_tx_ring == NULL) {
		log_err("health: ring: %s", rte_strerror(rte_errno));
		munmap(mem, health_map_len());
		close(fd);
		return -rte_errno;
	}
	d->health_fd = fd;
	/* BFD is answered by the XDP program, which only af_xdp ports have:
	 * on a device port a session could never come Up and would keep the
	 * link out of forwarding for good */
	for (i = 0; i < cfg->n_links; i++) {
		if (!cfg->links[i].bfd.enabled)
			continue;
		if (d->ports[i].kind == PORT_AF_XDP)
			d->nhg.bfd_ports |= 1u << i;
		else
			log_msg("health: link %s is a device port without XDP: "
				"its bfd { } is ignored", cfg->links[i].name);
	}
	/* published last: the forwarding lcore starts after this anyway */
	__atomic_store_n(&d->health, (struct health_map *)mem,
			 __ATOMIC_RELEASE);
	log_msg("health: %s mapped; BFD decides for ports mask %#x", path,
		d->nhg.bfd_ports);
	return 0;
}

void health_close(struct dp *d)
{
	struct rte_mbuf *m;

	if (d->bfd_tx_ring != NULL) {
		while (rte_ring_dequeue(d->bfd_tx_ring, (void **)&m) == 0)
			rte_pktmbuf_free(m);
		rte_ring_free(d->bfd_tx_ring);
		d->bfd_tx_ring = NULL;
	}
	if (d->health != NULL)
		munmap(d->health, health_map_len());
	d->health = NULL;
	if (d->health_fd >= 0)
		close(d->health_fd);
	d->health_fd = -1;
}

static bool nh_is_peer(const struct nexthop *nh, uint16_t port,
		       const struct health_link *hl)
{
	return nh != NULL && nh->port == port && nh->family == hl->family &&
	       memcmp(nh->gateway, hl->peer_addr,
		      hl->family == AF_INET ? 4 : 16) == 0;
}

/* The nexthop of link P whose gateway is the BFD peer: its MAC is the
 * peer's. The last one found is tried first. Main lcore (the tables'
 * writer), so no lock. */
static const struct nexthop *peer_nexthop(struct dp *d, uint16_t p,
					  const struct health_link *hl)
{
	struct health_tx *tx = &d->bfd_tx[p];
	uint32_t id;

	if (nh_is_peer(d->nhg.nh[tx->nh_id], p, hl))
		return d->nhg.nh[tx->nh_id];
	for (id = 1; id < NH_MAX; id++)
		if (nh_is_peer(d->nhg.nh[id], p, hl)) {
			tx->nh_id = id;
			return d->nhg.nh[id];
		}
	return NULL;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	/* the clock of bpf_ktime_get_ns(), which last_rx_ns uses */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One link: send if its interval since the last packet has passed. */
static void health_tx_link(struct dp *d, uint16_t p, uint64_t now)
{
	struct health_link *hl = &d->health->link[p];
	struct health_tx *tx = &d->bfd_tx[p];
	const struct nexthop *nh;
	struct rte_mbuf *m;
	uint32_t interval_us;
	uint8_t *buf;
	size_t len;

	if (!__atomic_load_n(&hl->cfg_enabled, __ATOMIC_ACQUIRE)) {
		tx->last_tsc = 0; /* first packet at once when enabled */
		return;
	}
	/* the interval of the session as it is now, with the cut drawn for
	 * this packet: a session going Up shortens the wait at once */
	interval_us = bfd_tx_interval_us(hl, tx->rnd);
	if (interval_us == 0 || (tx->last_tsc != 0 &&
	    now - tx->last_tsc < rte_get_tsc_hz() / 1000000 * interval_us))
		return;
	tx->last_tsc = now;
	tx->rnd = (uint32_t)rte_rand();
	/* Nothing reaches a peer without carrier, and on a veth the af_xdp
	 * PMD's tx kick spins while the down peer's ring stays full: that
	 * would stall the forwarding lcore that drains these packets. */
	if (!d->nhg.link_up[p]) {
		tx->link_down++;
		return;
	}
	nh = peer_nexthop(d, p, hl);
	if (nh == NULL || !nh->resolved) {
		tx->unresolved++; /* retried one interval later */
		return;
	}
	m = rte_pktmbuf_alloc(d->ports[p].pool);
	if (m == NULL) {
		tx->no_mbuf++;
		return;
	}
	buf = (uint8_t *)rte_pktmbuf_append(m, BFD_FRAME_MAX);
	len = buf != NULL ? bfd_ctrl_build(buf, BFD_FRAME_MAX, hl,
					   &d->ports[p].mac, &nh->mac) : 0;
	if (len == 0) {
		tx->bad_config++;
		rte_pktmbuf_free(m);
		return;
	}
	rte_pktmbuf_trim(m, (uint16_t)(BFD_FRAME_MAX - len));
	m->port = p; /* twinpath port index, for the forwarding lcore */
	/* what it was sent for, and whether Up: its lateness */
	m->hash.usr = interval_us | (hl->state == BFD_STATE_UP ?
				     HEALTH_TX_UP : 0);
	if (rte_ring_sp_enqueue(d->bfd_tx_ring, m) != 0) {
		tx->ring_full++;
		rte_pktmbuf_free(m);
		return;
	}
	__atomic_store_n(&hl->tx_packets, hl->tx_packets + 1,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&hl->last_tx_ns, monotonic_ns(), __ATOMIC_RELAXED);
}

/* Main lcore, every tick. */
void health_tick(struct dp *d)
{
	uint64_t now;
	uint16_t p;

	if (d->health == NULL)
		return;
	now = rte_get_tsc_cycles();
	for (p = 0; p < d->cfg->n_links && p < HEALTH_MAX_LINKS; p++)
		health_tx_link(d, p, now);
}

/* Forwarding lcore: link P's packet, with USR its hash.usr, just left.
 * The gap since its last one is measured here, after the tick on the
 * main lcore, the ring and the forwarding lcore's own delays: what the
 * peer sees of our jitter. */
static void health_tx_gap(struct dp *d, uint16_t p, uint32_t usr)
{
	struct health_link *hl = &d->health->link[p];
	uint64_t gap_ns, end_ns;
	uint32_t gap_interval_us;

	bfd_txgap_note(&d->bfd_txgap[p], monotonic_ns(), usr & ~HEALTH_TX_UP,
		       (usr & HEALTH_TX_UP) != 0, &gap_ns, &end_ns,
		       &gap_interval_us);
	__atomic_store_n(&hl->tx_gap_max_ns, gap_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&hl->tx_gap_end_ns, end_ns, __ATOMIC_RELAXED);
	__atomic_store_n(&hl->tx_gap_interval_us, gap_interval_us,
			 __ATOMIC_RELAXED);
}

/* Forwarding lcore, once per burst: the BFD packets of the main lcore
 * go out on this lcore's tx queue, unbuffered so they are counted apart
 * from forwarded traffic. */
void health_tx_drain(struct dp *d, struct dp_lcore_stats *st)
{
	struct rte_mbuf *m[HEALTH_TX_RING / 4];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(d->bfd_tx_ring, (void **)m, RTE_DIM(m),
				      NULL);
	for (i = 0; i < n; i++) {
		uint16_t p = m[i]->port;
		uint32_t usr = m[i]->hash.usr;

		if (rte_eth_tx_burst(d->ports[p].port_id, 0, &m[i], 1) == 1) {
			st->bfd_tx[p]++;
			health_tx_gap(d, p, usr);
		} else {
			st->bfd_tx_dropped[p]++;
			rte_pktmbuf_free(m[i]);
		}
	}
}

int health_suspect_init(struct dp *d)
{
	struct cfg_suspect params[SUSPECT_MAX_LINKS] = {0};
	unsigned int i, n = RTE_MIN(d->cfg->n_links, (unsigned int)SUSPECT_MAX_LINKS);

	for (i = 0; i < n; i++) {
		params[i] = d->cfg->links[i].suspect;
		if (params[i].enabled && !((d->nhg.bfd_ports >> i) & 1u)) {
			/* nothing could confirm or clear a suspicion */
			log_msg("suspect: link %s has no BFD here: its "
				"suspect { } is ignored", d->cfg->links[i].name);
			params[i].enabled = false;
		}
	}
	suspect_init(&d->suspect, n, params);
	/* a map kept from an earlier run may say otherwise */
	for (i = 0; d->health != NULL && i < n; i++)
		__atomic_store_n(&d->health->link[i].suspect_state, 0,
				 __ATOMIC_RELAXED);
	/* the sampled flows: of the links with suspect { }, so that make
	 * bench measures their cost on ports without BFD too; none without
	 * such a link (the fast path skips them then) */
	d->flow_links = 0;
	for (i = 0; i < n; i++)
		if (d->cfg->links[i].suspect.enabled)
			d->flow_links |= 1u << i;
	if (d->flow_links == 0)
		return 0;
	d->flows = rte_zmalloc("twp_susflow", sizeof(struct susflow_table),
			       RTE_CACHE_LINE_SIZE);
	d->flow_src = rte_zmalloc("twp_susflow_src",
				  sizeof(struct health_flow_src) *
				  RTE_MAX(d->n_fwd_lcores, 1u),
				  RTE_CACHE_LINE_SIZE);
	if (d->flows == NULL || d->flow_src == NULL) {
		log_err("suspect: no memory for the sampled flows");
		return -ENOMEM;
	}
	for (i = 0; i < d->n_fwd_lcores; i++) {
		unsigned int l = d->fwd_lcores[i];
		char name[RTE_RING_NAMESIZE];

		snprintf(name, sizeof(name), "twp_susflow_%u", l);
		d->flow_ring[l] = rte_ring_create_elem(name, SUSFLOW_ELEM,
			HEALTH_FLOW_RING, (int)rte_lcore_to_socket_id(l),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (d->flow_ring[l] == NULL) {
			log_err("suspect: the sampled flows' ring of lcore %u: "
				"%s", l, rte_strerror(rte_errno));
			return -ENOMEM;
		}
	}
	return 0;
}

void health_suspect_free(struct dp *d)
{
	unsigned int l;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		rte_ring_free(d->flow_ring[l]);
		d->flow_ring[l] = NULL;
	}
	rte_free(d->flow_src);
	d->flow_src = NULL;
	rte_free(d->flows);
	d->flows = NULL;
	d->flow_links = 0;
}

/* Source S's next burst (its header and records) into S, if one of the
 * elements it had at the drain's start is left: false when none. The
 * producer enqueues a burst whole, so a header's records are there. */
static bool flow_src_next(struct health_flow_src *s)
{
	unsigned int n;

	s->have = false;
	if (s->left == 0 ||
	    rte_ring_sc_dequeue_bulk_elem(s->r, &s->b, SUSFLOW_ELEM, 1,
					  NULL) != 1) {
		s->left = 0;
		return false;
	}
	n = s->b.n_elems;
	if (n > RTE_DIM(s->rec) ||
	    (n != 0 && rte_ring_sc_dequeue_bulk_elem(s->r, s->rec,
						     SUSFLOW_ELEM, n,
						     NULL) != n)) {
		s->left = 0;  /* not a header: cannot happen */
		return false;
	}
	s->left = s->left > 1 + n ? s->left - 1 - n : 0;
	s->have = true;
	return true;
}

void health_suspect_drain(struct dp *d)
{
	struct health_flow_src *src = d->flow_src;
	unsigned int i, k, n = 0;

	if (d->flows == NULL)
		return;
	/* what is there now, not what comes meanwhile: the drain ends */
	for (i = 0; i < d->n_fwd_lcores; i++) {
		struct rte_ring *r = d->flow_ring[d->fwd_lcores[i]];

		if (r == NULL)
			continue;
		src[n].r = r;
		src[n].left = rte_ring_count(r);
		flow_src_next(&src[n++]);
	}
	/* the oldest burst first, of whichever lcore: a flow's packet out
	 * and its answer may come through two lcores, and the note needs
	 * them in their order */
	for (;;) {
		struct health_flow_src *s = NULL;
		uint32_t off;

		for (i = 0; i < n; i++)
			if (src[i].have && (s == NULL || src[i].b.tsc < s->b.tsc))
				s = &src[i];
		if (s == NULL)
			break;
		for (off = 0; off < s->b.n_elems; off += k) {
			k = susflow_note_rec(d->flows, s->rec[off], s->b.tsc);
			if (k == 0)
				break;
		}
		flow_src_next(s);
	}
}

/* Is every forwarding lcore polling? One that has not for 3 ms is
 * stalled (its longest sleep is 1 ms), and a stalled lcore makes every
 * link look silent. */
static bool fwd_polling(struct dp *d, uint64_t now_ns)
{
	bool alive = true;
	unsigned int i;

	for (i = 0; i < d->n_fwd_lcores; i++) {
		unsigned int l = d->fwd_lcores[i];
		uint64_t polls = __atomic_load_n(&d->fwd_idle[l].polls,
						 __ATOMIC_RELAXED);

		if (polls != d->suspect_polls[l] ||
		    d->suspect_polled_ns[l] == 0) {
			d->suspect_polls[l] = polls;
			d->suspect_polled_ns[l] = now_ns;
		} else if (now_ns - d->suspect_polled_ns[l] > 3000000u) {
			alive = false;
		}
	}
	return alive;
}

void health_suspect_observe(struct dp *d, struct suspect_obs *obs,
			    unsigned int n)
{
	const struct health_map *h = d->health;
	uint32_t live = nhg_live_ports(&d->nhg, health_live_mask(d));
	unsigned int i, l;

	memset(obs, 0, sizeof(*obs) * n);
	for (i = 0; i < n; i++) {
		const struct health_link *hl;
		struct suspect_obs *o = &obs[i];
		uint32_t tx;

		for (l = 0; l < d->n_fwd_lcores; l++)
			o->rx_total += d->stats[d->fwd_lcores[l]].rx[i];
		o->live = (live >> i) & 1u;
		if (h == NULL || !((d->nhg.bfd_ports >> i) & 1u))
			continue;
		hl = &h->link[i];
		o->bfd_up = __atomic_load_n(&hl->state, __ATOMIC_RELAXED) ==
			    BFD_STATE_UP;
		o->bfd_last_rx_ns = __atomic_load_n(&hl->last_rx_ns,
						    __ATOMIC_RELAXED);
		/* RFC 5880 §6.8.7: the peer sends at the larger of its
		 * Desired Min TX and our Required Min RX */
		tx = __atomic_load_n(&hl->remote_min_tx_us, __ATOMIC_RELAXED);
		o->bfd_interval_us = RTE_MAX(tx, health_rx_in_force_us(hl));
		o->bfd_detect_us = __atomic_load_n(&hl->detect_time_us,
						   __ATOMIC_RELAXED);
	}
}

/* Main lcore, every tick: the links' observations judged by
 * suspect_tick, the answer published, the changes logged. */
void health_suspect_tick(struct dp *d)
{
	struct suspect_obs obs[SUSPECT_MAX_LINKS];
	enum suspect_state before[SUSPECT_MAX_LINKS];
	unsigned int i, n = d->suspect.n_links;
	uint64_t now = monotonic_ns();
	bool polling;
	uint32_t mask;
	char ev[64];

	/* first, whatever else: the rings must not fill */
	health_suspect_drain(d);
	if (n == 0 || d->health == NULL)
		return;
	/* alone, the main lcore forwards itself: it is polling now */
	polling = d->fwd_lcore == rte_get_main_lcore() || fwd_polling(d, now);
	health_suspect_observe(d, obs, n);
	if (d->flows != NULL)
		susflow_scan(d->flows, rte_rdtsc(), rte_get_tsc_hz(), obs, n);
	for (i = 0; i < n; i++)
		before[i] = d->suspect.link[i].state;
	mask = suspect_tick(&d->suspect, obs, polling, now);
	__atomic_store_n(&d->suspect_ports, mask, __ATOMIC_RELAXED);
	for (i = 0; i < n; i++) {
		const struct suspect_link *sl = &d->suspect.link[i];

		if (sl->state == before[i])
			continue;
		/* twinpathd's view, for the return path (health.h) */
		__atomic_store_n(&d->health->link[i].suspect_state,
				 (uint32_t)sl->state, __ATOMIC_RELAXED);
		if (sl->state == SUSPECT_ON)
			log_msg("suspect: link %s suspected (%s): its flows "
				"move to the other links; BFD and BGP stay up",
				d->cfg->links[i].name,
				suspect_ev_names(sl->raised_by, ev, sizeof(ev)));
		else if (sl->state == SUSPECT_HOLD)
			log_msg("suspect: link %s proved alive by BFD: its "
				"flows return in %" PRIu64 " ms",
				d->cfg->links[i].name, sl->hold_ns / 1000000);
		else if (obs[i].live)
			log_msg("suspect: link %s cleared: its flows are back",
				d->cfg->links[i].name);
		else
			log_msg("suspect: link %s is down: the suspicion is "
				"confirmed", d->cfg->links[i].name);
	}
}
