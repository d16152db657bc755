/* Link suspicion: a head start on the provider's slow BFD from the data
 * plane's own evidence (README, "Link suspicion"). Run by the main lcore
 * once a tick for every link; its answer is a word of suspected ports
 * that the forwarding lcores read once per burst beside BFD's live mask,
 * so a suspected link's flows go to the surviving links while BGP and
 * BFD stay up. No EAL: the unit tests drive it with exact times.
 *
 * Two stages per link:
 *  - Suspect, when two independent kinds of evidence agree (see
 *    suspect_agree) and the guards hold: the link had enough traffic
 *    for its silence to mean something, another link is alive to take
 *    its flows, and our own forwarding polls (a stalled lcore makes
 *    every link look silent).
 *  - Clear, once the link proves alive: BFD stayed Up with fresh packets
 *    for a whole detection time after the suspicion (so the peer did not
 *    lose ours either) and packets arrive on the link again when it had
 *    traffic before. Flows return after a hold-down that doubles on every
 *    suspicion within decay_s of the last one (dampening).
 * A BFD Down ends a suspicion (the live mask takes over) and counts it
 * confirmed. Only links with BFD running are ever suspected: without it
 * nothing could confirm or clear a suspicion, and carrier alone decides. */
#ifndef TWP_SUSPECT_H
#define TWP_SUSPECT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

#define SUSPECT_MAX_LINKS 16
/* The longest quiet gap of a link is remembered per 1 s bin over the
 * last SUSPECT_BINS seconds: the silence window scales with it. */
#define SUSPECT_BINS 10u
#define SUSPECT_BIN_NS 1000000000ull
/* The rate is an exponentially weighted average with this time
 * constant: long enough that a silence of a detection time does not
 * wipe out the rate it is judged against. */
#define SUSPECT_RATE_TAU_NS 2000000000ull

/* Kinds of evidence, as bits. */
enum suspect_ev {
	SUSPECT_EV_SILENCE = 1u << 0,    /* nothing received for a window */
	SUSPECT_EV_UNANSWERED = 1u << 1, /* flows out of it get no reply */
	SUSPECT_EV_DISTRESS = 1u << 2,   /* TCP retransmits on its flows */
	SUSPECT_EV_BFD_LATE = 1u << 3,   /* peer's BFD overdue */
};
#define SUSPECT_KINDS 4

/* How close the evidence came to a suspicion (the margin of a soak).
 * Each tick every kind k gets a ratio r_k, 1 exactly where it is
 * raised, capped at SUSPECT_RATIO_CAP:
 *  silence     quiet time / the window, while silence is counted (rate
 *              at least min_pps, the others did not gain half of what
 *              the link lost), else 0;
 *  unanswered  min(flows / min_flows, remote addresses / 2);
 *  distress    the same with the distressed flows;
 *  bfd_late    age of the peer's last packet / (twice its interval
 *              + 1 ns), while BFD is Up (late is older than twice the
 *              interval), else 0.
 * The link's score is the largest min(r_a, r_b) over the pairs of
 * kinds that suspect_agree accepts: score >= 1 exactly when two kinds
 * agree as the rule says (every set it accepts holds such a pair). The
 * margin of a run is 1 - the highest score seen. */
#define SUSPECT_RATIO_CAP 2.0

enum suspect_state {
	SUSPECT_CLEAR = 0, /* used as carrier, admin state and BFD say */
	SUSPECT_ON,        /* its flows are on the other links */
	SUSPECT_HOLD,      /* proved alive, flows back when the hold ends */
};

/* What the main lcore saw of one link at this tick. */
struct suspect_obs {
	uint64_t rx_total;       /* packets received on it so far */
	bool live;               /* carrier, admin state and BFD say usable */
	bool bfd_up;             /* BFD runs on it and is Up */
	uint64_t bfd_last_rx_ns; /* the peer's last valid packet */
	uint32_t bfd_interval_us; /* the peer's transmit interval */
	uint32_t bfd_detect_us;   /* our detection time */
	/* From the sampled flows (susflow): flows out of this link with a
	 * packet unanswered past their bound, and towards how many remote
	 * addresses; flows with a retransmission, and their addresses.
	 * Each out of how many: the link's active two-way flows (those
	 * that could be unanswered) and its active TCP flows. A count
	 * above its population counts as the whole population. */
	uint32_t unanswered;
	uint32_t unanswered_remotes;
	uint32_t distress;
	uint32_t distress_remotes;
	uint32_t twoway_flows;
	uint32_t tcp_flows;
};

/* The share of a link's sampled flows that must be unanswered (of its
 * two-way ones) or in distress (of its TCP ones) for the kind to count:
 * a dead direction takes them all, random loss or congestion a few at a
 * time (make soak: under 5 % loss the same flows waited a retransmission
 * timeout, unanswered, and then retransmitted, distress, so counts alone
 * had both kinds agree on a link that was fine). */
#define SUSPECT_FLOW_SHARE 0.5

struct suspect_link {
	struct cfg_suspect p;

	/* traffic */
	bool seen;               /* rx_last is set */
	uint64_t rx_last;        /* rx_total at the last tick */
	uint64_t last_rx_ns;     /* last tick that found packets */
	uint64_t last_tick_ns;
	double rate_pps;
	uint64_t gap_max_ns[SUSPECT_BINS]; /* longest gap ended in each bin */
	uint64_t bin_epoch;      /* now / SUSPECT_BIN_NS of gap_max_ns[i] */
	/* packets on the other links when this one last had some */
	uint64_t others_at_last_rx;

	/* decision */
	enum suspect_state state;
	uint32_t evidence;       /* raised at the last tick */
	uint32_t raised_by;      /* evidence of the current suspicion */
	uint64_t since_ns;       /* the current state's start */
	uint64_t alive_since_ns; /* 0: not proved alive */
	uint32_t repeats;        /* suspicions counted by the dampening */
	uint64_t last_suspect_ns;
	uint64_t hold_ns;        /* of the current hold */
	bool abstaining;         /* evidence agreed, a guard said no */

	/* closeness (SUSPECT_RATIO_CAP above) */
	double ratio[SUSPECT_KINDS]; /* each kind's ratio at the last tick */
	double score;            /* at the last tick */
	/* The highest since start, over the ticks where the rule could
	 * act on it (suspect { } on, the link live and its BFD Up), with
	 * its pair of kinds and time; and each kind's highest ratio. */
	double peak_score;
	uint32_t peak_pair;      /* suspect_ev bits, 0 while peak_score 0 */
	uint64_t peak_ns;
	double ratio_peak[SUSPECT_KINDS];

	/* counts */
	uint64_t suspicions;
	uint64_t confirmed;      /* ended by BFD Down */
	uint64_t cleared;        /* ended without BFD ever going down */
	uint64_t abstained;      /* agreed evidence a guard overruled */
};

/* A tick later than this after the one before: our own view has a hole
 * (the host stopped the main lcore's CPU, and what else ran there, an
 * answering host in the lab). Back first at real-time priority, the
 * main lcore would see every link silent before those answers go out:
 * no new suspicion for SUSPECT_STALE_NS after such a tick. */
#define SUSPECT_TICK_GAP_NS 5000000ull
#define SUSPECT_STALE_NS 20000000ull

struct suspect {
	unsigned int n_links;
	struct suspect_link link[SUSPECT_MAX_LINKS];
	uint32_t mask;           /* links in SUSPECT_ON or SUSPECT_HOLD */
	uint64_t last_tick_ns;
	uint64_t stale_until_ns; /* no new suspicion before this */
	uint64_t late_ticks;     /* ticks after a hole in our view */
};

/* N_LINKS links with the settings PARAMS[i] (links.suspect). */
void suspect_init(struct suspect *s, unsigned int n_links,
		  const struct cfg_suspect *params);
/* One tick at NOW_NS (CLOCK_MONOTONIC, as the health map's times) with
 * OBS[i] for link i; FWD_ALIVE false when a forwarding lcore has not
 * polled lately. No new suspicion while either our forwarding or our own
 * ticks have a hole (SUSPECT_TICK_GAP_NS). Returns the mask of suspected
 * links. */
uint32_t suspect_tick(struct suspect *s, const struct suspect_obs *obs,
		      bool fwd_alive, uint64_t now_ns);

/* Building blocks, exposed for the tests and show links. */
/* The silence window of L now: max(silence_min_ms, silence_mult x the
 * longest quiet gap of the last SUSPECT_BINS seconds, 3 mean gaps at
 * rate_pps); UINT64_MAX when it has no rate. */
uint64_t suspect_window_ns(const struct suspect_link *l);
/* Do the kinds in EV agree enough to suspect? */
bool suspect_agree(uint32_t ev);
/* The score of RATIO (one per kind, bit i of suspect_ev is ratio[i]);
 * the pair that gives it into *PAIR (0 when the score is 0). */
double suspect_score(const double *ratio, uint32_t *pair);
const char *suspect_state_name(enum suspect_state s);
/* "silence,unanswered" into BUF (LEN bytes), "-" for none. */
const char *suspect_ev_names(uint32_t ev, char *buf, unsigned int len);

#endif
