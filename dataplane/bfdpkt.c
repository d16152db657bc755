/* BFD control packet builder and transmit interval (see bfdpkt.h). */
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "bfdpkt.h"

/* RFC 5880 §4.1, the mandatory section. */
struct bfd_ctrl {
	uint8_t vers_diag;   /* version << 5 | diagnostic */
	uint8_t state_flags; /* state << 6 | P F C A D M */
	uint8_t detect_mult;
	uint8_t length;
	rte_be32_t my_disc;
	rte_be32_t your_disc;
	rte_be32_t desired_min_tx_us;
	rte_be32_t required_min_rx_us;
	rte_be32_t required_min_echo_rx_us;
} __attribute__((packed));

static void ctrl_fill(struct bfd_ctrl *c, const struct health_link *hl)
{
	uint32_t state = bfd_tx_state(hl);
	/* RFC 5880 §6.8.16: AdminDown says why */
	uint32_t diag = hl->cfg_admin_down ? BFD_DIAG_ADMIN_DOWN :
					     hl->local_diag;
	uint32_t tx = hl->desired_min_tx_us;

	/* RFC 5880 §6.8.3: at least one second while not Up */
	if (state != BFD_STATE_UP && tx < BFD_SLOW_TX_US)
		tx = BFD_SLOW_TX_US;
	c->vers_diag = (uint8_t)(BFD_VERSION << 5 | (diag & 0x1f));
	c->state_flags = (uint8_t)((state & 3) << 6); /* F = C = A = D = M = 0 */
	/* RFC 5880 §6.5, §6.8.3: our timers changed while Up: the Poll goes
	 * out in the periodic packets (no extra packet), until the peer's
	 * Final ends it (bpf/bfd.bpf.c) */
	if (state == BFD_STATE_UP && health_poll_pending(hl))
		c->state_flags |= BFD_FLAG_P;
	c->detect_mult = (uint8_t)hl->detect_mult;
	c->length = BFD_CTRL_LEN;
	c->my_disc = rte_cpu_to_be_32(hl->local_disc);
	c->your_disc = rte_cpu_to_be_32(hl->remote_disc);
	c->desired_min_tx_us = rte_cpu_to_be_32(tx);
	c->required_min_rx_us = rte_cpu_to_be_32(hl->required_min_rx_us);
	/* 0: we do not invite the peer to run the echo function (RFC 5880
	 * §6.8.9); echo that still arrives is reflected by the XDP program */
	c->required_min_echo_rx_us = 0;
}

size_t bfd_ctrl_build(uint8_t *buf, size_t room, const struct health_link *hl,
		      const struct rte_ether_addr *src,
		      const struct rte_ether_addr *dst)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	const uint16_t udp_len = sizeof(struct rte_udp_hdr) + BFD_CTRL_LEN;
	struct rte_udp_hdr *udp;
	size_t len;

	if (hl->family == AF_INET)
		len = sizeof(*eth) + sizeof(struct rte_ipv4_hdr) + udp_len;
	else if (hl->family == AF_INET6)
		len = sizeof(*eth) + sizeof(struct rte_ipv6_hdr) + udp_len;
	else
		return 0;
	if (room < len)
		return 0;
	memset(buf, 0, len);
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	if (hl->family == AF_INET) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->type_of_service = BFD_TOS;
		ip->total_length = rte_cpu_to_be_16(
			(uint16_t)(sizeof(*ip) + udp_len));
		ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
		ip->time_to_live = BFD_TTL; /* RFC 5881 §5 */
		ip->next_proto_id = IPPROTO_UDP;
		memcpy(&ip->src_addr, hl->local_addr, 4);
		memcpy(&ip->dst_addr, hl->peer_addr, 4);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp = (struct rte_udp_hdr *)(ip + 1);
	} else {
		struct rte_ipv6_hdr *ip6 = (struct rte_ipv6_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV6);
		ip6->vtc_flow = rte_cpu_to_be_32(6u << 28 | BFD_TOS << 20);
		ip6->payload_len = rte_cpu_to_be_16(udp_len);
		ip6->proto = IPPROTO_UDP;
		ip6->hop_limits = BFD_TTL; /* RFC 5881 §5 */
		memcpy(ip6->src_addr, hl->local_addr, 16);
		memcpy(ip6->dst_addr, hl->peer_addr, 16);
		udp = (struct rte_udp_hdr *)(ip6 + 1);
	}
	udp->src_port = rte_cpu_to_be_16((uint16_t)hl->src_port);
	udp->dst_port = rte_cpu_to_be_16(BFD_CTRL_PORT);
	udp->dgram_len = rte_cpu_to_be_16(udp_len);
	ctrl_fill((struct bfd_ctrl *)(udp + 1), hl);
	/* the checksum is mandatory over IPv6 (RFC 8200 §8.1); both helpers
	 * write 0xffff for a sum of 0, never the "no checksum" 0 */
	if (hl->family == AF_INET)
		udp->dgram_cksum = rte_ipv4_udptcp_cksum(
			(const struct rte_ipv4_hdr *)(eth + 1), udp);
	else
		udp->dgram_cksum = rte_ipv6_udptcp_cksum(
			(const struct rte_ipv6_hdr *)(eth + 1), udp);
	return len;
}

uint32_t bfd_tx_interval_us(const struct health_link *hl, uint32_t rnd)
{
	uint32_t state = bfd_tx_state(hl);
	uint32_t remote_rx = hl->remote_min_rx_us;
	/* RFC 5880 §6.8.3: an increase waits for the Poll's Final */
	uint64_t interval = health_tx_in_force_us(hl), jittered;
	uint32_t cut_permille;

	/* RFC 5880 §6.8.7: the peer asked for no packets */
	if (remote_rx == 0 && state == BFD_STATE_UP)
		return 0;
	/* RFC 5880 §6.8.3: at least one second while not Up */
	if (state != BFD_STATE_UP && interval < BFD_SLOW_TX_US)
		interval = BFD_SLOW_TX_US;
	/* RFC 5880 §6.8.7: the larger of ours and the peer's RequiredMinRx */
	if (interval < remote_rx)
		interval = remote_rx;
	/* RFC 5880 §6.8.7: reduce by 0-25 % at random, by 10-25 % when the
	 * detect multiplier is 1, so the packet always beats the detection
	 * time */
	if (hl->detect_mult == 1)
		cut_permille = 100 + rnd % 151;
	else
		cut_permille = rnd % 251;
	jittered = interval * (1000 - cut_permille) / 1000;
	/* The floor is the peer's RequiredMinRx "less the applied jitter"
	 * (§6.8.7), not the RequiredMinRx itself: clamping there would
	 * strip the mandatory jitter whenever both sides ask for the same
	 * interval, the common case, and send in lockstep. */
	if (jittered == 0)
		jittered = 1;
	return jittered > UINT32_MAX ? UINT32_MAX : (uint32_t)jittered;
}

void bfd_txgap_note(struct bfd_txgap *g, uint64_t now_ns,
		    uint32_t interval_us, bool up, uint64_t *gap_ns,
		    uint64_t *end_ns, uint32_t *worst_interval_us)
{
	uint64_t epoch = now_ns / BFD_TXGAP_SLOT_NS + 1;
	int64_t worst = INT64_MIN;
	unsigned int i;

	if (g->last_ns != 0 && g->last_up && up && now_ns >= g->last_ns) {
		uint64_t gap = now_ns - g->last_ns;
		int64_t late = (int64_t)gap - (int64_t)interval_us * 1000;
		__typeof__(g->slot[0]) *s = &g->slot[epoch % BFD_TXGAP_SLOTS];

		if (s->epoch != epoch) {
			s->epoch = epoch;
			s->late_ns = INT64_MIN;
		}
		if (late > s->late_ns) {
			s->late_ns = late;
			s->gap_ns = gap;
			s->end_ns = now_ns;
			s->interval_us = interval_us;
		}
	}
	g->last_ns = now_ns;
	g->last_up = up;
	*gap_ns = 0;
	*end_ns = 0;
	*worst_interval_us = 0;
	for (i = 0; i < BFD_TXGAP_SLOTS; i++) {
		const __typeof__(g->slot[0]) *s = &g->slot[i];

		/* the current slot and the five before it */
		if (s->epoch == 0 || s->epoch + BFD_TXGAP_SLOTS <= epoch ||
		    s->late_ns <= worst)
			continue;
		worst = s->late_ns;
		*gap_ns = s->gap_ns;
		*end_ns = s->end_ns;
		*worst_interval_us = s->interval_us;
	}
}
