/* The fast path of twinpath-dp, the packet's whole way in order:
 * rx burst -> Ethernet/IPv4 checks (RFC 1812 §5.2.2) -> bulk FIB lookup
 * -> nexthop group -> live member by flow hash (ports live by link,
 * admin and BFD state, read once per burst) -> L2 rewrite -> TTL
 * decrement with incremental checksum (RFC 1624) -> buffered tx.
 * No locks, syscalls, allocation or division; every drop is counted under
 * its reason in this lcore's counters. */
#include <errno.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_fib.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "dp.h"
#include "flowhash.h"
#include "log.h"

#define PREFETCH_AHEAD 4u

struct fwd_lcore {
	struct rte_eth_dev_tx_buffer *txb[DP_PORT_MAX];
	struct dp_tx_ctx tx_ctx[DP_PORT_MAX];
	bool rx[DP_PORT_MAX];  /* this lcore polls the port, on queue rxq */
	uint16_t rxq;          /* its rx and tx queue on every port */
	uint16_t txq;
	bool bfd_drain;        /* the one lcore sending periodic BFD */
	bool ready;
};

static struct fwd_lcore fwd_lcores[RTE_MAX_LCORE];

/* Packets the driver would not take when a tx buffer was flushed. */
static void fwd_tx_unsent(struct rte_mbuf **unsent, uint16_t count,
			  void *userdata)
{
	struct dp_tx_ctx *ctx = userdata;

	ctx->stats->tx_dropped[ctx->port] += count;
	ctx->stats->drop[DROP_TX_FULL] += count;
	rte_pktmbuf_free_bulk(unsent, count);
}

int fwd_init_lcore(struct dp *d, unsigned int lcore)
{
	struct fwd_lcore *fl = &fwd_lcores[lcore];
	uint16_t p;

	/* lcore number i has queue i each way; port.c made sure every port
	 * with tx has a tx queue per forwarding lcore, rx may have fewer */
	fl->txq = (uint16_t)d->fwd_index[lcore];
	fl->rxq = fl->txq;
	fl->bfd_drain = lcore == d->fwd_lcore;
	for (p = 0; p < d->n_ports; p++) {
		uint16_t q;

		fl->rx[p] = dp_lcore_rxq(d, lcore, p, &q);
		fl->txb[p] = rte_zmalloc_socket("twp_txb",
				RTE_ETH_TX_BUFFER_SIZE(DP_BURST), 0,
				rte_lcore_to_socket_id(lcore));
		if (fl->txb[p] == NULL)
			return -ENOMEM;
		rte_eth_tx_buffer_init(fl->txb[p], DP_BURST);
		fl->tx_ctx[p].stats = &d->stats[lcore];
		fl->tx_ctx[p].port = p;
		rte_eth_tx_buffer_set_err_callback(fl->txb[p], fwd_tx_unsent,
						   &fl->tx_ctx[p]);
	}
	if (rte_rcu_qsbr_thread_register(d->rcu, lcore) != 0)
		return -EINVAL;
	rte_rcu_qsbr_thread_online(d->rcu, lcore);
	fl->ready = true;
	return 0;
}

/* DROP_MAX when the packet may be forwarded. */
static inline enum dp_drop check_ipv4(struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth =
		rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip;
	uint32_t l3_len, hlen, total;

	if (unlikely(m->data_len < sizeof(*eth) + sizeof(*ip))) {
		if (m->data_len >= sizeof(*eth) &&
		    eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
			goto not_ipv4;
		return DROP_TRUNCATED;
	}
	if (unlikely(eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4)))
		goto not_ipv4;
	ip = (const struct rte_ipv4_hdr *)(eth + 1);
	l3_len = m->data_len - (uint32_t)sizeof(*eth);
	/* RFC 1812 §5.2.2: version, header length, total length, checksum */
	if (unlikely((ip->version_ihl >> 4) != 4))
		return DROP_BAD_VERSION;
	hlen = (uint32_t)(ip->version_ihl & RTE_IPV4_HDR_IHL_MASK) *
	       RTE_IPV4_IHL_MULTIPLIER;
	if (unlikely(hlen < sizeof(*ip) || hlen > l3_len))
		return DROP_BAD_IHL;
	total = rte_be_to_cpu_16(ip->total_length);
	if (unlikely(total > l3_len || total < hlen))
		return DROP_BAD_TOTAL_LEN;
	if (unlikely(rte_raw_cksum(ip, hlen) != 0xffff))
		return DROP_BAD_CHECKSUM;
	/* RFC 1812 §5.3.1: a router never forwards with TTL 0 after
	 * decrementing (the ICMP time exceeded is a later issue) */
	if (unlikely(ip->time_to_live <= 1))
		return DROP_TTL_EXCEEDED;
	return DROP_MAX;
not_ipv4:
	if (eth->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6))
		return DROP_IPV6_UNSUPPORTED;
	return DROP_NOT_IP;
}

/* RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), m the 16-bit word holding
 * the TTL (TTL and protocol). */
static inline void ttl_decrement(struct rte_ipv4_hdr *ip)
{
	uint16_t old = rte_be_to_cpu_16(*(const unaligned_uint16_t *)
					&ip->time_to_live);
	uint16_t new;
	uint32_t sum;

	ip->time_to_live--;
	new = (uint16_t)(old - 0x0100);
	sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum);
	sum += (uint16_t)~old;
	sum += new;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
}

static inline void drop(struct dp_lcore_stats *st, struct rte_mbuf *m,
			enum dp_drop why)
{
	st->drop[why]++;
	rte_pktmbuf_free(m);
}

static void fwd_port(struct dp *d, struct fwd_lcore *fl,
		     struct dp_lcore_stats *st, uint16_t in, uint32_t live)
{
	struct rte_mbuf *pkts[DP_BURST], *ok[DP_BURST];
	uint32_t dst[DP_BURST];
	uint64_t gid[DP_BURST];
	uint16_t n, i, n_ok = 0;

	n = rte_eth_rx_burst(d->ports[in].port_id, fl->rxq, pkts, DP_BURST);
	if (n == 0)
		return;
	st->rx[in] += n;
	for (i = 0; i < PREFETCH_AHEAD && i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		enum dp_drop why;

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD],
						       void *));
		why = check_ipv4(m);
		if (unlikely(why != DROP_MAX)) {
			drop(st, m, why);
			continue;
		}
		dst[n_ok] = rte_be_to_cpu_32(rte_pktmbuf_mtod_offset(m,
				const struct rte_ipv4_hdr *,
				sizeof(struct rte_ether_hdr))->dst_addr);
		ok[n_ok++] = m;
	}
	if (n_ok == 0)
		return;
	rte_fib_lookup_bulk(d->fib, dst, gid, n_ok);

	for (i = 0; i < n_ok; i++) {
		struct rte_mbuf *m = ok[i];
		struct rte_ether_hdr *eth =
			rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
		const struct nhgroup *g;
		const struct nexthop *nh;
		enum nhg_result res;
		uint32_t unresolved;
		uint16_t out;

		if (unlikely(gid[i] == FIB_NO_ROUTE)) {
			drop(st, m, DROP_NO_ROUTE);
			continue;
		}
		g = gid[i] < NHG_MAX ?
			    __atomic_load_n(&d->nhg.grp[gid[i]],
					    __ATOMIC_ACQUIRE) : NULL;
		if (unlikely(g == NULL)) {
			drop(st, m, DROP_NO_GROUP);
			continue;
		}
		nh = nhg_select_live(&d->nhg, g,
				     flow_hash_ipv4(ip, m->data_len -
						    (uint32_t)sizeof(*eth)),
				     live, &res, &unresolved);
		if (unlikely(nh == NULL)) {
			if (res == NHG_UNRESOLVED) {
				st->nh_miss[unresolved]++;
				drop(st, m, DROP_NEXTHOP_UNRESOLVED);
			} else {
				drop(st, m, DROP_NO_LIVE_NEXTHOP);
			}
			continue;
		}
		out = nh->port;
		rte_ether_addr_copy(&nh->mac, &eth->dst_addr);
		rte_ether_addr_copy(&d->ports[out].mac, &eth->src_addr);
		ttl_decrement(ip);
		st->tx[out] += rte_eth_tx_buffer(d->ports[out].port_id,
						 fl->txq, fl->txb[out], m);
	}
}

void fwd_burst(struct dp *d, unsigned int lcore)
{
	struct fwd_lcore *fl = &fwd_lcores[lcore];
	struct dp_lcore_stats *st = &d->stats[lcore];
	/* which ports members may use, fixed for the whole burst: link and
	 * admin state, and the XDP program's BFD verdict */
	uint32_t live = nhg_live_ports(&d->nhg, health_live_mask(d));
	uint16_t p;

	for (p = 0; p < d->n_ports; p++)
		if (fl->rx[p])
			fwd_port(d, fl, st, p, live);
	if (fl->bfd_drain && d->bfd_tx_ring != NULL)
		health_tx_drain(d, st);
	for (p = 0; p < d->n_ports; p++)
		st->tx[p] += rte_eth_tx_buffer_flush(d->ports[p].port_id,
						     fl->txq, fl->txb[p]);
	/* nothing of the tables is held past this point */
	rte_rcu_qsbr_quiescent(d->rcu, lcore);
}

/* A worker lcore: forward until asked to stop. */
int fwd_loop(void *arg)
{
	struct dp *d = arg;
	unsigned int lcore = rte_lcore_id();

	log_msg("forwarding on lcore %u over %u ports", lcore, d->n_ports);
	while (!__atomic_load_n(&dp_quit, __ATOMIC_RELAXED))
		fwd_burst(d, lcore);
	rte_rcu_qsbr_thread_offline(d->rcu, lcore);
	rte_rcu_qsbr_thread_unregister(d->rcu, lcore);
	return 0;
}
