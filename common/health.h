/* The health map: per-link BFD session configuration and state, and the
 * one word of live links the data plane reads once per burst. A pinned
 * BPF_F_MMAPABLE array of one struct health_map, shared by the XDP program
 * (writes session state), twinpathd (writes session configuration) and
 * twinpath-dp (reads the live mask, sends the periodic packets).
 * Included by BPF and C code: fixed-width kernel types only. */
#ifndef TWP_HEALTH_H
#define TWP_HEALTH_H

#include <linux/types.h>

#define HEALTH_MAP_NAME "twp_health"
/* The XDP program's detection timers (struct bpf_timer cannot live in an
 * mmapable map), pinned by name beside HEALTH_MAP_NAME so every port's
 * copy of the program shares them. No user-space reader; listed here so
 * whoever removes stale pins removes this one too. */
#define HEALTH_TIMER_MAP_NAME "twp_bfd_timers"
#define HEALTH_MAX_LINKS 16

#define BFD_CTRL_PORT 3784 /* RFC 5881 §4 */
#define BFD_ECHO_PORT 3785
#define BFD_SRC_PORT_MIN 49152 /* RFC 5881 §4: source port range */
#define BFD_TTL 255            /* RFC 5881 §5: GTSM */
#define BFD_SLOW_TX_US 1000000 /* RFC 5880 §6.8.3: >= 1 s while not Up */

/* RFC 5880 §4.1 state values, as on the wire. */
enum bfd_state {
	BFD_STATE_ADMIN_DOWN = 0,
	BFD_STATE_DOWN = 1,
	BFD_STATE_INIT = 2,
	BFD_STATE_UP = 3,
};

/* RFC 5880 §4.1 diagnostic codes used here. */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_DETECT_EXPIRED = 1,
	BFD_DIAG_ECHO_FAILED = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3,
	BFD_DIAG_ADMIN_DOWN = 7,
};

/* Why a BFD packet on a link was discarded: RFC 5880 §6.8.6 in order,
 * then GTSM (RFC 5881 §5), then the session's binding to its link (RFC
 * 5881 §3/§4; checked first, right after the session is selected).
 * Packets that match no link are counted in twp_xdp_stats instead. */
enum bfd_drop {
	BFD_DROP_TTL = 0,        /* TTL / hop limit not 255 */
	BFD_DROP_VERSION,        /* version not 1 */
	BFD_DROP_LENGTH,         /* < 24, > UDP payload, or < 26 with A bit */
	BFD_DROP_DETECT_MULT,    /* Detect Mult 0 */
	BFD_DROP_MULTIPOINT,     /* M bit set */
	BFD_DROP_MY_DISC,        /* My Discriminator 0 */
	BFD_DROP_YOUR_DISC,      /* Your Discriminator not ours */
	BFD_DROP_YOUR_DISC_ZERO, /* Your Discriminator 0, state not Down/AdminDown */
	BFD_DROP_AUTH,           /* A bit set: no authentication configured */
	BFD_DROP_POLL_FINAL,     /* P and F both set */
	BFD_DROP_DISABLED,       /* session not configured or admin down */
	BFD_DROP_WRONG_IF,       /* arrived on another interface than the link's */
	BFD_DROP_WRONG_SRC,      /* source is not the session's peer address */
	BFD_DROP_WRONG_DST,      /* to another of our addresses than the local one */
	BFD_DROP_MAX,
};

struct health_link {
	/* Written by twinpathd: the session's configuration. */
	__u32 cfg_enabled;        /* 1: BFD runs on this link */
	__u32 cfg_admin_down;     /* 1: we hold the session in AdminDown */
	__u32 ifindex;            /* kernel interface of the link */
	__u32 family;             /* AF_INET (2) or AF_INET6 (10) */
	__u8 local_addr[16];      /* network byte order */
	__u8 peer_addr[16];
	__u32 local_disc;         /* My Discriminator: nonzero, unique */
	__u32 desired_min_tx_us;  /* once Up; 1 s before (RFC 5880 §6.8.3) */
	__u32 required_min_rx_us;
	__u32 detect_mult;
	__u32 src_port;           /* our UDP source port, 49152..65535 */
	/* RFC 5880 §6.8.3: Desired Min TX or Required Min RX changed while
	 * Up, so a Poll Sequence (§6.5) runs: bumped once per change, the
	 * values in force before it kept beside, until the peer's Final
	 * (poll_final_seq, the XDP program's) ends it. */
	__u32 poll_seq;
	__u32 poll_old_tx_us;
	__u32 poll_old_rx_us;
	__u32 cfg_gen;            /* bumped after every configuration write */

	/* Written by the XDP program: the session's state. */
	__u32 state;              /* enum bfd_state */
	__u32 remote_state;
	__u32 local_diag;         /* enum bfd_diag */
	__u32 remote_disc;
	__u32 remote_min_rx_us;   /* peer's Required Min RX Interval */
	__u32 remote_min_tx_us;   /* peer's Desired Min TX Interval */
	__u32 remote_mult;
	__u32 detect_time_us;     /* remote_mult x max(our rx, peer's tx) */
	__u64 last_rx_ns;         /* bpf_ktime_get_ns() of the last valid packet */
	__u64 last_change_ns;     /* of the last state change */
	__u64 up_count;           /* transitions to Up */
	__u64 down_count;         /* transitions from Up to Down */
	__u64 rx_valid;           /* control packets accepted */
	__u64 finals_sent;        /* Polls answered with a Final (XDP_TX) */
	__u64 echo_reflected;
	__u64 drop[BFD_DROP_MAX];

	/* Written by twinpath-dp: periodic transmission. */
	__u64 tx_packets;
	__u64 last_tx_ns;

	/* Written by the XDP program: who declared the last Up -> Down.
	 * Kept as it was at that instant: the next packets move local_diag,
	 * last_rx_ns and the state on within milliseconds. */
	__u32 remote_diag;        /* Diagnostic of the peer's last valid packet */
	__u32 down_diag;          /* our diagnostic at the last Up -> Down: 1
				   * our detection timer, 3 the peer said Down */
	__u32 down_remote_state;  /* the peer's state then ... */
	__u32 down_remote_diag;   /* ... and its diagnostic (RFC 5880 §4.1) */
	__u32 down_detect_us;     /* the detection time then */
	__u32 down_pad;
	__u64 down_ns;            /* bpf_ktime_get_ns() of that Up -> Down */
	__u64 down_rx_gap_ns;     /* from the last valid packet before it */

	/* Written by twinpath-dp's forwarding lcore, where the periodic
	 * packets leave: the largest gap between two of them sent while
	 * Up over the last minute (the one furthest past its interval),
	 * that interval, and when the gap ended (CLOCK_MONOTONIC, as
	 * last_tx_ns): tests line it up with the host's freezes. */
	__u64 tx_gap_max_ns;
	__u32 tx_gap_interval_us;
	__u32 tx_gap_pad;
	__u64 tx_gap_end_ns;

	/* Written by the XDP program: the poll_seq that the peer's Final
	 * ended (RFC 5880 §6.8.6: "If the Final (F) bit is set, terminate
	 * the Poll Sequence"), and how many Polls of ours ended so. */
	__u32 poll_final_seq;
	__u32 poll_pad;
	__u64 polls_ended;

	/* Written by twinpath-dp's main lcore: link suspicion (its
	 * suspect.h), 0 clear, 1 suspected (the link's flows moved), 2
	 * proved alive by BFD, flows back after a hold-down. twinpathd
	 * steers the return path on it (links.suspect.steer_return). */
	__u32 suspect_state;
	__u32 suspect_pad;
};

/* A Poll Sequence of ours runs (RFC 5880 §6.5): P in our periodic
 * packets until the peer answers with F. */
static inline int health_poll_pending(const struct health_link *l)
{
	return l->poll_seq != l->poll_final_seq;
}

/* RFC 5880 §6.8.3: "If bfd.DesiredMinTxInterval is increased and
 * bfd.SessionState is Up, the actual transmission interval used MUST NOT
 * change until the Poll Sequence ... has terminated": the Desired Min TX
 * our periodic packets are timed by (the packets carry the new value). A
 * decrease applies at once. */
static inline __u32 health_tx_in_force_us(const struct health_link *l)
{
	if (health_poll_pending(l) && l->desired_min_tx_us > l->poll_old_tx_us)
		return l->poll_old_tx_us;
	return l->desired_min_tx_us;
}

/* RFC 5880 §6.8.3: "If bfd.RequiredMinRxInterval is reduced and
 * bfd.SessionState is Up, the previous value ... MUST be used when
 * calculating the Detection Time for the remote system until the Poll
 * Sequence ... has terminated": the Required Min RX our detection time is
 * computed from. An increase applies at once. */
static inline __u32 health_rx_in_force_us(const struct health_link *l)
{
	if (health_poll_pending(l) && l->required_min_rx_us < l->poll_old_rx_us)
		return l->poll_old_rx_us;
	return l->required_min_rx_us;
}

struct health_map {
	/* Bit i set: link i's BFD session is Up (or, per RFC 5882 §3.2, Down
	 * only because the peer signalled AdminDown). Set and cleared by the
	 * XDP program with atomic operations. The data plane uses a link
	 * with BFD enabled only while its bit is set; links without BFD
	 * ignore it. */
	__u64 live_mask;
	__u64 pad[7];
	struct health_link link[HEALTH_MAX_LINKS];
};

#endif
