/* twinpathd's side of BFD: writes each link's session configuration into
 * the health map (common/health.h) that the XDP responder and twinpath-dp
 * run the sessions from, follows the sessions' state, and turns a failure
 * (Up -> Down, not AdminDown) into a BGP teardown request (RFC 5882). */
#ifndef TWP_BFDSESS_H
#define TWP_BFDSESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "health.h"

#define BFD_DOWN_HISTORY 8

struct bfd_session {
	/* Ours for the life of the process (or adopted from a running
	 * session, so a restart of twinpathd does not flap it). */
	uint32_t local_disc;
	uint16_t src_port;
	uint32_t ifindex; /* 0 while the interface does not exist */
	/* our fe80:: on the interface when the peer is link-local (RFC
	 * 5881 §4: the session's addresses are the link's); family 0 if
	 * the interface had none at bfd_init() */
	struct cfg_addr local_ll;

	/* What the last look at the map showed. */
	bool seen;
	uint32_t state;
	uint64_t up_count, down_count;

	/* RFC 5882 §3.2: a failure tears the link's BGP session down
	 * (through struct bfd's bgp_cb); requests are counted and logged. */
	uint64_t bgp_teardowns_requested;
	uint64_t last_teardown_ns;
	/* The last failure, as the map showed it when we noticed it. */
	uint64_t last_down_ns;        /* when it went Down */
	uint64_t last_down_detect_ns; /* since the last valid packet then */
	uint32_t last_down_diag;      /* 1: our timer, 3: the peer said so */
	uint32_t last_down_remote_state; /* the peer's state ... */
	uint32_t last_down_remote_diag;  /* ... and diagnostic then */
	uint32_t last_down_detect_time_us; /* the detection time then */
	/* The last BFD_DOWN_HISTORY failures (when, who, the gap), oldest
	 * first from recent[n_recent % BFD_DOWN_HISTORY]: a flap's record
	 * is not lost to the next one (show bfd's recent_downs). */
	struct bfd_down_rec {
		uint64_t ns, detect_ns;
		uint64_t up_ns; /* Up again (0: not yet) */
		uint32_t diag;
	} recent[BFD_DOWN_HISTORY];
	uint64_t n_recent;

	/* Dampening (links.bfd.dampening, RFC 5882 §3.2): after a failure,
	 * BGP follows the session Up only once a hold has passed; the hold
	 * starts at initial_hold_ms and doubles with each failure up to
	 * max_hold_ms, and halves for each decay_s the session stays Up
	 * with BGP following it (below initial_hold_ms: forgotten). */
	uint32_t damp_hold_ms;   /* the hold the next Up gets; 0: none */
	bool damp_held;          /* Up, BGP held down until damp_until_ns */
	uint64_t damp_until_ns;
	uint64_t damp_decay_ns;  /* when damp_hold_ms halves next; 0: never */
	uint64_t damp_holds;     /* Ups whose BGP was held */
	uint64_t damp_holds_cut; /* holds ended by a failure, not by time */

	/* Link suspicion as twinpath-dp writes it (health.h), and whether
	 * the return path is steered away from the link: from a suspicion
	 * until it clears with BFD Up (a suspicion BFD confirms keeps it
	 * steered until the session is Up again: the provider may not
	 * have noticed yet). */
	uint32_t suspect_state;
	bool steering;
};

/* RFC 5882 §3.2 hook into BGP: UP false on a failure of LINK's session
 * (Up -> Down, not AdminDown), true when it is Up again (also at the
 * first look at a map, so a hold is released after a re-attach). */
typedef void (*bfd_bgp_cb)(void *arg, unsigned int link, bool up);
/* The return path of LINK (links.suspect.steer_return not "off") is to
 * be steered away from it (ON) or no longer. */
typedef void (*bfd_steer_cb)(void *arg, unsigned int link, bool on);

struct bfd {
	const struct twp_config *cfg;
	bfd_bgp_cb bgp_cb;     /* NULL: BGP not running, only counted */
	void *bgp_arg;
	bfd_steer_cb steer_cb; /* NULL: nobody steers */
	void *steer_arg;
	struct bfd_session s[CFG_MAX_LINKS];
	unsigned int n_enabled;

	struct health_map *hm; /* NULL while no map is attached */
	int map_fd;
	uint32_t map_id;
	size_t map_len;        /* of the mapping; 0: not ours (tests) */
	char pin[128];
	uint64_t attach_ns;
};

/* Picks a nonzero, unique discriminator and a source port in
 * 49152..65535 for every link with BFD, and the interface indexes.
 * No map yet. 0 or -errno. */
int bfd_init(struct bfd *b, const struct twp_config *cfg, const char *pin);

/* Uses HM (a mapped health map, or plain memory in tests): adopts the
 * discriminators of sessions already running there for the same link,
 * writes every link's configuration (only where it differs, then a
 * cfg_gen bump) and restarts state tracking. */
void bfd_use_map(struct bfd *b, struct health_map *hm);

/* Our address of link L's BFD session S (RFC 5881 §4, the BGP
 * session's): of the peer's family, our link-local one for a link-local
 * peer; NULL when there is none. */
const struct cfg_addr *bfd_session_local(const struct cfg_link *l,
					 const struct bfd_session *s);

/* Writes the configuration part of HL for config link L with session S;
 * returns true if anything changed (cfg_gen was bumped). A change of
 * Desired Min TX or Required Min RX while the session is Up starts a Poll
 * Sequence (RFC 5880 §6.8.3: poll_seq bumped, the values in force kept
 * until the peer's Final); during a running one the timers are held back
 * and bfd_watch() writes them after its Final. */
bool bfd_write_link(const struct cfg_link *l, const struct bfd_session *s,
		    struct health_link *hl);

/* Looks at the pinned map: maps a new one (first time, or twinpath-dp
 * recreated it), lets go of one that disappeared. 1 when a new map was
 * configured, 0 when nothing changed, -errno on a map that does not fit
 * the contract. Cheap: call it every second. */
int bfd_attach(struct bfd *b);
void bfd_detach(struct bfd *b);

/* Every tick: logs each state transition, counts teardown requests and
 * calls bgp_cb for failures and for sessions Up again (with dampening,
 * once the hold that follows a failure has passed, at the first tick at
 * or after it). */
void bfd_watch(struct bfd *b, uint64_t now_ns);

/* While S's BGP is held down by dampening: the milliseconds left of the
 * hold at NOW_NS, rounded up (1 until the hold's last nanosecond); 0
 * when not held. For show bfd. */
uint64_t bfd_damp_left_ms(const struct bfd_session *s, uint64_t now_ns);

/* Re-resolves interface indexes (an interface created after start);
 * rewrites the configuration of links whose index changed. */
void bfd_refresh_ifindex(struct bfd *b);

const char *bfd_state_name(uint32_t state);
const char *bfd_diag_name(uint32_t diag);
const char *bfd_drop_name(unsigned int drop);
/* "local" when our detection timer declared the session Down (diag 1),
 * "peer" when the peer's Down or AdminDown did (diag 3), else "local
 * admin" / "other". */
const char *bfd_down_by(uint32_t diag);
/* Who declared S's last failure and why, for a log line or show bfd:
 * "our detection timer: no valid packet for 31.2 ms (detection time
 * 30 ms)", or "the peer: it sent Down with diagnostic 'control detection
 * time expired' (its previous packet 9.8 ms before)". Into BUF. */
const char *bfd_down_who(const struct bfd_session *s, char *buf,
			 size_t len);

/* Negotiated transmit interval (RFC 5880 §6.8.2/§6.8.3): ours once Up,
 * at least 1 s before, never faster than the peer's RequiredMinRx. */
uint32_t bfd_tx_interval_us(const struct health_link *hl);
/* Detection time (RFC 5880 §6.8.4), from the map or recomputed. */
uint32_t bfd_detect_time_us(const struct health_link *hl);

#endif
