/* BFD control packets that twinpath-dp sends periodically (RFC 5880
 * §6.8.7, RFC 5881 single hop): the packet built from a health_link and
 * the jittered interval to the next one. Pure functions, no EAL, so the
 * unit tests check exact bytes and bounds. */
#ifndef TWP_BFDPKT_H
#define TWP_BFDPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

#include "health.h"

#define BFD_CTRL_LEN 24u /* RFC 5880 §4.1, no authentication */
#define BFD_VERSION 1u
#define BFD_FLAG_P 0x20u /* Poll, RFC 5880 §4.1 */
/* Ethernet + IPv6 + UDP + BFD, the largest we build */
#define BFD_FRAME_MAX (14u + 40u + 8u + BFD_CTRL_LEN)
/* IP TOS / traffic class: precedence "internetwork control", as routing
 * protocols use, so queues treat BFD like BGP */
#define BFD_TOS 0xc0u

/* The state we send: AdminDown while the session is held there, and only
 * then: an entry that still reads 0 (AdminDown) without cfg_admin_down
 * has not been taken up by the XDP program and is Down (RFC 5880 §6.8.1:
 * a session starts in Down). */
static inline uint32_t bfd_tx_state(const struct health_link *hl)
{
	if (hl->cfg_admin_down)
		return BFD_STATE_ADMIN_DOWN;
	return hl->state == BFD_STATE_ADMIN_DOWN ? BFD_STATE_DOWN : hl->state;
}

/* Builds HL's control packet from SRC (our port's MAC) to DST (the
 * peer's) into BUF: Ethernet, IPv4 or IPv6 from local_addr to peer_addr
 * with TTL / hop limit 255, UDP src_port -> 3784 with its checksum, BFD
 * v1 with F = 0, and P = 1 while Up with a Poll Sequence of ours
 * pending (health_poll_pending(), RFC 5880 §6.8.3). Returns the frame
 * length, or 0 when ROOM is too small or HL's family is neither AF_INET
 * nor AF_INET6. */
size_t bfd_ctrl_build(uint8_t *buf, size_t room, const struct health_link *hl,
		      const struct rte_ether_addr *src,
		      const struct rte_ether_addr *dst);

/* Microseconds from HL's last control packet to its next one, RND a
 * random 32-bit value drawn once per packet: the larger of our Desired
 * Min TX in force (health_tx_in_force_us(); 1 s while not Up) and the
 * peer's Required Min RX, less 0-25 % (10-25 % with detect mult 1), so
 * never below 75 % of the peer's Required Min RX (RFC 5880 §6.8.7). 0
 * when nothing may be sent (the peer is Up and asked for no packets,
 * Required Min RX 0). */
uint32_t bfd_tx_interval_us(const struct health_link *hl, uint32_t rnd);

/* Our transmit jitter as the peer sees it: the gaps between the periodic
 * packets of one session where they are sent, over the last minute in
 * six 10-second slots. The worst gap is the one furthest past the
 * interval it was sent for (a 1 s gap while the session comes up is not
 * late; a 25 ms one at 10 ms is). One writer: the forwarding lcore. */
#define BFD_TXGAP_SLOTS 6u
#define BFD_TXGAP_SLOT_NS 10000000000ull

struct bfd_txgap {
	uint64_t last_ns; /* previous packet sent, 0: none yet */
	bool last_up;     /* ... while the session was Up */
	struct {
		uint64_t epoch;       /* now / BFD_TXGAP_SLOT_NS, + 1 */
		int64_t late_ns;      /* gap - interval of its worst gap */
		uint64_t gap_ns;
		uint64_t end_ns;      /* when the packet ending it left */
		uint32_t interval_us;
	} slot[BFD_TXGAP_SLOTS];
};

/* A packet of the session left at NOW_NS, sent for INTERVAL_US after the
 * one before, built while the session was Up or not (UP). Only a gap
 * between two packets built while Up counts: before Up the peer waits
 * seconds, and the first packet after Up follows a 1 s one at once.
 * Sets *GAP_NS, *END_NS (when it ended, NOW_NS's clock) and
 * *INTERVAL_US to the worst gap of the last minute (0, 0 and 0 while
 * there is none): a test lines the gap up with what the host did then. */
void bfd_txgap_note(struct bfd_txgap *g, uint64_t now_ns,
		    uint32_t interval_us, bool up, uint64_t *gap_ns,
		    uint64_t *end_ns, uint32_t *worst_interval_us);

#endif
