/* BGP sessions: one eBGP session per link, or two (links.peer_address6:
 * IPv4 unicast over one, IPv6 unicast over the other) (RFC 4271 §8 FSM), the TCP
 * connections under it (active open, passive listeners, collision
 * detection §6.8), timers, the UPDATE glue into import policy and the RIB,
 * the graceful restart helper (RFC 4724, RFC 8538) and the export of our
 * site prefixes. Single-threaded, non-blocking; driven by the caller's
 * poll loop through bgp_pollfds() / bgp_handle() / bgp_tick().
 * Implemented in conn.c (TCP connections), session.c (the §8 machine and
 * its message handlers), export.c (our prefixes) and speaker.c (the poll
 * loop, BFD and the CLI's clear); fsm_int.h is what they share. */
#ifndef TWP_BGP_FSM_H
#define TWP_BGP_FSM_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bgp.h"
#include "msg.h"
#include "policy.h"
#include "rib.h"

enum bgp_state {
	BGP_ST_IDLE = 0,
	BGP_ST_CONNECT,
	BGP_ST_ACTIVE,
	BGP_ST_OPENSENT,
	BGP_ST_OPENCONFIRM,
	BGP_ST_ESTABLISHED,
};
const char *bgp_state_str(enum bgp_state s);

/* RFC 4271 §8.2.2: the Hold Timer while waiting for the peer's OPEN. */
#define BGP_OPEN_HOLD_S 240u
/* RFC 4724 §4.2: how long re-announced routes may stay stale after the
 * session came back (waiting for End-of-RIB); FRR's stalepath-time. */
#define BGP_STALEPATH_S 360u
/* Prefix-independent convergence: how long a link whose paths were all
 * flushed stays masked in the FIB push once its session is Established
 * again, waiting for the peer's End-of-RIB for every family (a peer that
 * sends none: its routes are relearned by then, or moved one by one).
 * Sized for a full table: a million prefixes arrive in well under it. */
#define BGP_PIC_EOR_WAIT_S 60u
/* Most a failing peer waits before the next attempt (backoff cap). */
#define BGP_BACKOFF_MAX_S 120u
/* RFC 9384: Cease subcode "BFD Down". */
#define BGP_ERR_CEASE_BFD_DOWN 10
/* What a rejected prefix costs in the peer's rejected set (ptable slot
 * of 32 bytes at the lowest load of a doubling table, 3/8), charged to
 * the peer's links.bgp.max_memory_mb beside rib_link_bytes(). */
#define BGP_REJECTED_BYTES 88u

/* One TCP connection of a session; a session has at most two while a
 * collision is being resolved (ours and the peer's). */
struct bgp_conn {
	int fd;                 /* -1: slot free */
	bool outgoing;          /* we opened it */
	enum bgp_state state;   /* Connect, OpenSent, OpenConfirm, Established */
	uint64_t hold_at_ms;    /* 0: timer stopped */
	uint64_t keepalive_at_ms;
	uint16_t hold_s;        /* negotiated Hold Time, 0 = none */
	struct bgp_open open;   /* the peer's, once its OPEN came */
	uint8_t *rbuf;          /* BGP_CONN_RBUF bytes */
	size_t rlen;
	uint8_t *wbuf;          /* what the socket did not take yet */
	size_t wlen, wcap;
	int werr;               /* a send failed: errno, handled at tick */
};

#define BGP_CONN_RBUF (64u * 1024u)
/* Session ends kept for show bgp neighbors (recent_resets) */
#define BGP_RESETS_KEPT 8u
/* read per socket readiness (conn_input): the loop's timers run between */
#define BGP_READ_CHUNK (16u * 1024u)
#define BGP_CONN_WBUF_MAX (4u * 1024u * 1024u)

/* Why a session is held in Idle (no connect, incoming refused). */
enum bgp_hold_reason {
	BGP_HOLD_NONE = 0,
	BGP_HOLD_BACKOFF,    /* after an error, until idle_until_ms */
	BGP_HOLD_MAX_PREFIX, /* Cease/1 sent, until idle_until_ms */
	BGP_HOLD_BFD,        /* RFC 5882: until BFD is Up again */
	BGP_HOLD_ADMIN,      /* stopped (not used by the config yet) */
};

struct bgp_peer_stats {
	uint64_t msgs_rcvd, msgs_sent;
	uint64_t updates_rcvd, updates_sent;
	uint64_t notifications_sent, notifications_rcvd;
	uint64_t established_count;
	uint64_t rejected[POL_VERDICT_MAX]; /* prefixes, by verdict */
	uint64_t treat_as_withdraw;         /* prefixes withdrawn so */
	uint64_t attrs_discarded;
	/* prefixes of a family not negotiated on the session, ignored */
	uint64_t foreign_af;
	uint64_t max_prefix_hits;
	uint64_t max_memory_hits;  /* Cease/8 for links.bgp.max_memory_mb */
	uint64_t refresh_rcvd, refresh_sent;
	/* hold timer found expired with the peer's bytes unread in the
	 * socket: read first (conn_timers) */
	uint64_t hold_late_reads;
};

/* Maintenance of a link without a flap (RFC 8326): while DRAINING our
 * prefixes go out with GRACEFUL_SHUTDOWN so the provider moves its return
 * traffic to the other links; DRAINED once it has (admin.c decides when),
 * and the link's paths are then least preferred (LOCAL_PREF 0), which
 * takes the link out of the data plane's primary sets. */
enum bgp_drain {
	BGP_DRAIN_NONE = 0,
	BGP_DRAIN_DRAINING,
	BGP_DRAIN_DRAINED,
};
const char *bgp_drain_str(enum bgp_drain d);

/* admin.c's view of a draining link's received traffic (its return
 * traffic), one sample a second. */
struct bgp_drain_watch {
	bool have_prev;
	uint64_t prev_rx;         /* the data plane's rx_packets of the link */
	uint64_t prev_ms;
	uint64_t low_since_ms;    /* at or below the floor since; 0: not */
	bool have_rate;
	uint64_t rate_pps;        /* the last rate measured */
};

struct bgp_speaker;

struct bgp_peer {
	struct bgp_speaker *sp;
	unsigned int link;
	const struct cfg_link *lc;
	/* the peer's address: the link's peer_address, or peer_address6
	 * for the link's second session */
	struct cfg_addr addr;
	/* the families this session carries (RIB_KEEP_AF bits of enum
	 * bgp_af): both on a link's only session, one each when the link
	 * has two; our OPEN offers only these */
	unsigned int afs;
	/* the link's other session, or NULL */
	struct bgp_peer *sibling;
	char name[96];            /* "link1 203.0.113.2", for logs */
	uint16_t port;            /* remote port we connect to: BGP_PORT */
	struct cfg_addr local;    /* our TCP source: the link's address */
	uint16_t hold_cfg_s;      /* the Hold Time we propose */
	enum bgp_state state;     /* as last reported */
	struct bgp_conn out, in;  /* our connection, the peer's */
	struct bgp_conn *est;     /* the Established one, or NULL */
	struct bgp_caps caps;     /* negotiated, valid while est */
	struct bgp_open peer_open; /* last OPEN that reached Established */
	bool have_peer_open;
	bool gr_n_both;           /* RFC 8538 N bit on both sides */

	enum bgp_hold_reason hold;
	uint64_t idle_until_ms;   /* end of BACKOFF / MAX_PREFIX hold */
	uint64_t connect_at_ms;   /* ConnectRetry: next active open */
	unsigned int failures;    /* consecutive, for the backoff */
	uint64_t established_ms;  /* when the session came up, 0 if down */
	uint64_t down_ms;         /* when it last went down */

	/* Graceful restart helper (RFC 4724 §4.2). */
	uint64_t restart_at_ms;   /* restart timer, 0 = stopped */
	uint64_t stale_at_ms;     /* stale path timer after re-establishment */
	size_t stale;             /* paths still marked stale (upper bound) */
	bool eor_rcvd[BGP_AF_MAX];
	/* Prefix-independent convergence: the speaker's link callback was
	 * told the link is down (all its paths flushed) and not yet that
	 * it is back (End-of-RIB, or BGP_PIC_EOR_WAIT_S after Established,
	 * pic_up_at_ms). */
	bool pic_masked;
	uint64_t pic_up_at_ms;
	/* RFC 4724 §4.1: Established while we restart; our UPDATEs and
	 * End-of-RIB wait for bgp_gr_restart_end() */
	bool export_deferred;

	struct ptable *rejected_set; /* prefixes announced but not accepted */
	bool export_warned[BGP_AF_MAX];
	char last_error[400];     /* why the session last went down */
	/* why the last Established session ended (last_error also says
	 * why an attempt after it failed); its time is down_ms */
	char last_reset[400];
	/* the last BGP_RESETS_KEPT ends of an Established session, oldest
	 * first: when, why, and when it was Established again (0: not yet) */
	struct bgp_reset {
		uint64_t down_ms, up_ms;
		char why[96];
	} resets[BGP_RESETS_KEPT];
	unsigned int n_resets; /* in resets[] */
	/* with an RFC 9003 Shutdown Communication, quoted */
	char last_notify_sent[360], last_notify_rcvd[360];
	char last_connect_err[64]; /* logged once until it changes */
	uint64_t warn_at_ms;      /* rate limit of UPDATE warnings */
	unsigned int warn_suppressed;
	struct bgp_peer_stats st;
	/* the BGP_HOLD_MAX_PREFIX hold is for max_memory_mb, not max_prefix */
	bool held_for_memory;

	/* The operator's state ("bgp ADDR shutdown", "link NAME drain"):
	 * runtime only, never in struct twp_config, so a configuration
	 * reload that replaces the config keeps it. */
	bool admin_down;          /* held Idle until bgp_admin_enable() */
	uint64_t admin_since_ms;
	char admin_msg[BGP_SHUTDOWN_MSG_MAX + 1]; /* the RFC 9003 text sent */
	bool bfd_down;            /* BFD said Down (RFC 5882 hold) */
	enum bgp_drain drain;
	uint64_t drain_since_ms;  /* of the current drain state */
	char drain_reason[160];   /* why DRAINED: the return traffic's rate,
				   * or the timeout */
	struct bgp_drain_watch dw;
	/* Return-path steering (links.suspect.steer_return): the links
	 * whose suspicion has us announce on this one without prepend or
	 * MED (and both halves of each prefix for more-specific), and the
	 * strongest of their modes, in force. Runtime only. */
	uint32_t steer_from;
	enum cfg_steer steer;
	uint64_t steer_since_ms;
	uint64_t steers;          /* times steering started here */
};

/* Test and lab knobs; zero means the default. */
struct bgp_opts {
	uint16_t listen_port;      /* 0: BGP_PORT; tests use a free port */
	bool listen_port_any;      /* bind port 0 (tests: kernel picks) */
	struct cfg_addr listen4;   /* family 0: 0.0.0.0 */
	struct cfg_addr listen6;   /* family 0: :: */
	bool no_listen;            /* active only (tests) */
};

/* A pollfd entry's owner, parallel to what bgp_pollfds() filled. */
struct bgp_pollref {
	int fd;
	int kind;                  /* speaker.c REF_*: listener, out, in, closing */
	void *obj;
};

/* at most two sessions per link */
#define BGP_MAX_PEERS (2u * CFG_MAX_LINKS)
#define BGP_CLOSING_MAX (2u * BGP_MAX_PEERS + 8u)

struct bgp_closing {
	int fd;
	uint64_t until_ms;
};

/* UP false: every path of LINK is about to be flushed from the RIB (the
 * session left Established without graceful restart, BFD tore it down,
 * the restart timer ran out); called before the flush. UP true: the
 * session is Established again and its peer sent End-of-RIB for every
 * family (or BGP_PIC_EOR_WAIT_S passed): what it had to say is in the
 * RIB. Once each way per episode. */
typedef void (*bgp_link_cb)(void *arg, unsigned int link, bool up);

struct bgp_speaker {
	const struct twp_config *cfg;
	struct rib *rib;
	struct bgp_opts opts;
	int lfd[2];               /* listeners, IPv4 and IPv6; -1 if none */
	uint16_t listen_port[2];  /* as bound */
	/* peer[L] is link L's first (or only) session; the second
	 * sessions (peer_address6) follow from peer[n_links] on */
	struct bgp_peer peer[BGP_MAX_PEERS];
	unsigned int n_peers;
	/* links masked in the FIB push (link_cb told down, not yet up) */
	uint32_t link_masked;
	/* Connections we answered NOTIFICATION + FIN on, drained until the
	 * peer closes (so our close does not RST the NOTIFICATION away). */
	struct bgp_closing closing[BGP_CLOSING_MAX];
	unsigned int n_closing;
	struct bgp_pollref ref[4u * BGP_MAX_PEERS + BGP_CLOSING_MAX + 2u];
	unsigned int n_ref;
	struct bgp_update *upd;   /* parse scratch (large) */
	uint8_t *txbuf;           /* BGP_MSG_MAX build scratch */
	uint64_t conn_refused;    /* not a configured peer, or held Idle */
	uint64_t refused_log_ms;
	uint64_t now_ms;          /* of the current event */
	/* Restarting speaker (RFC 4724 §3, §4.1), with graceful_restart on:
	 * the F bit of both families in the OPENs sent from now on, and
	 * whether we are restarting (R bit; exports deferred). Set by
	 * twinpathd from the data plane's state (bgp_gr_*()). */
	bool gr_forwarding;
	bool gr_restarting;
	bgp_link_cb link_cb; /* bgp_set_link_cb */
	void *link_cb_arg;
};

uint64_t bgp_now_ms(void);

/* A speaker for every link of CFG (cfg->bgp.enabled), feeding RIB. OPTS
 * may be NULL. Listeners open here (a failure is logged: active opens
 * still work). NULL on ENOMEM. */
struct bgp_speaker *bgp_new(const struct twp_config *cfg, struct rib *rib,
			    const struct bgp_opts *opts);
void bgp_free(struct bgp_speaker *sp);
/* Cease/Administrative Shutdown to every peer (twinpathd exits). */
void bgp_shutdown(struct bgp_speaker *sp);

/* Fills up to MAX pollfds with the speaker's sockets; returns how many. */
unsigned int bgp_pollfds(struct bgp_speaker *sp, struct pollfd *pfd,
			 unsigned int max);
/* Handles the revents of what bgp_pollfds() last filled (same order). */
void bgp_handle(struct bgp_speaker *sp, const struct pollfd *pfd,
		unsigned int n, uint64_t now_ms);
/* Timers: ConnectRetry, Hold, Keepalive, idle holds, GR timers, active
 * opens. Call every loop iteration (cheap). */
void bgp_tick(struct bgp_speaker *sp, uint64_t now_ms);
/* Milliseconds until the next timer (capped at 1000). */
int bgp_next_timeout_ms(const struct bgp_speaker *sp, uint64_t now_ms);

/* RFC 4724 §3: whether the data plane holds forwarding state for the
 * routes of every family (twinpathd: a live twinpath-dp that applied a full
 * sync). Sets the F bit of <IPv4, unicast> and <IPv6, unicast> in the GR
 * capability of the OPENs sent from now on. */
void bgp_gr_set_forwarding(struct bgp_speaker *sp, bool kept);
/* RFC 4724 §4.1: we restarted and the data plane kept forwarding. OPENs
 * carry the R bit; sessions with a peer that advertised graceful restart
 * send no UPDATE and no End-of-RIB until bgp_gr_restart_end(), which twinpathd calls once its route
 * selection is done and pushed (the first full sync). Nothing happens with
 * graceful_restart off. Returns whether restart mode was entered. */
bool bgp_gr_restart_begin(struct bgp_speaker *sp);
/* Ends restart mode: OPENs lose the R bit, and every Established session
 * that waited gets our UPDATEs, then End-of-RIB for each family. */
void bgp_gr_restart_end(struct bgp_speaker *sp);

/* RFC 5882 §3.2: BFD for LINK went Up -> Down (not AdminDown): the
 * session is torn down and held Idle until bgp_bfd_up(). */
void bgp_bfd_down(struct bgp_speaker *sp, unsigned int link);
/* Prefix-independent convergence: CB hears of links down and back
 * (bgp_link_cb). */
void bgp_set_link_cb(struct bgp_speaker *sp, bgp_link_cb cb, void *arg);
void bgp_bfd_up(struct bgp_speaker *sp, unsigned int link);

/* "clear bgp ADDR [soft]": hard = Cease/4 then reconnect at once; soft =
 * ROUTE-REFRESH for each negotiated family and our announcements again.
 * Writes one line into MSG. 0, -ENOENT (no such peer), -ENOTCONN (soft
 * on a session that is not Established). */
int bgp_clear(struct bgp_speaker *sp, const struct cfg_addr *addr, bool soft,
	      char *msg, size_t len);

/* A reload changed LINK's policy (control/reload.c), the session stays:
 * with IN (import rules, local_pref) ROUTE-REFRESH for each negotiated
 * family (RFC 2918; the peer's routes come again through the new import
 * policy, replacing what the RIB holds), with OUT (announce list, prepend,
 * MED, communities) WD[0..N_WD) withdrawn and our prefixes announced
 * again with the new attributes. One line into MSG. 0, -ENOENT (no such
 * link), -ENOTCONN (not Established: nothing to send, the new policy
 * applies when it is). */
int bgp_soft_reset(struct bgp_speaker *sp, unsigned int link, bool in,
		   bool out, const struct cfg_addr *wd, unsigned int n_wd,
		   char *msg, size_t len);

/* "bgp ADDR shutdown [MESSAGE]": Cease/Administrative Shutdown (6/2)
 * with MESSAGE as the RFC 9003 Shutdown Communication (none when NULL or
 * ""), the peer's routes flushed, and the session held Idle (no connect,
 * incoming refused) until bgp_admin_enable(). Writes one line into OUT.
 * 0, -EMSGSIZE (over 255 octets), -EILSEQ (not UTF-8), -EALREADY. */
int bgp_admin_shutdown(struct bgp_peer *p, const char *message, char *out,
		       size_t len);
/* "bgp ADDR enable": the session may start again. 0 or -EALREADY. */
int bgp_admin_enable(struct bgp_peer *p, char *out, size_t len);
/* Moves P's link to drain state D (RFC 8326): entering or leaving
 * DRAINING re-announces our prefixes with or without GRACEFUL_SHUTDOWN
 * (an UPDATE, no session reset); entering DRAINED gives the link's paths
 * LOCAL_PREF 0, leaving it gives them the link's local_pref back. REASON
 * (may be NULL) says why, for logs and show. */
void bgp_drain_set(struct bgp_peer *p, enum bgp_drain d, const char *reason);
/* Link LINK's suspicion (twinpath-dp's link suspicion, through the
 * health map) started (ON) or ended: every other link's session
 * announces our prefixes as the suspected links' steer_return asks, the
 * strongest of them (more-specific over unprepend); where that changes,
 * an UPDATE goes out at once (and the halves are withdrawn when
 * more-specific ends). A session not Established announces so when it
 * is. */
void bgp_steer_set(struct bgp_speaker *sp, unsigned int link, bool on);
const char *bgp_steer_str(enum cfg_steer s);

/* "2026-12-06T10:50:01Z (12 s ago)" for an instant SINCE_MS on
 * bgp_now_ms()'s clock. */
const char *bgp_since_str(uint64_t since_ms, uint64_t now_ms, char *buf,
			  size_t len);

/* The peer of ADDR, or NULL. */
struct bgp_peer *bgp_peer_find(struct bgp_speaker *sp,
			       const struct cfg_addr *addr);
/* Prefixes the peer announced (accepted + rejected by import policy). */
size_t bgp_peer_received(const struct bgp_peer *p);
/* Bytes the peer's routes hold in twinpathd: rib_link_bytes() of its
 * link and its rejected prefixes; links.bgp.max_memory_mb is checked
 * against it after every UPDATE that announces. */
size_t bgp_peer_bytes(const struct bgp_peer *p);

/* Quiet time after which an Established peer that did not advertise
 * graceful restart (so may never send End-of-RIB) counts as converged. */
#define BGP_CONVERGED_QUIET_MS 2000u
/* True once every session is Established and has sent End-of-RIB for each
 * family it negotiated (a peer without the GR capability: once it has been
 * Established BGP_CONVERGED_QUIET_MS). A restarted twinpathd defers its
 * first full sync to the data plane until then (RFC 4724 §4.1's selection
 * deferral), so the routes it pushes are complete, not the first few. */
bool bgp_converged(const struct bgp_speaker *sp, uint64_t now_ms);

/* The FSM without a listener or recv(), for the fuzz target
 * (tests/fuzz/fuzz_bgp.c). bgp_conn_attach() takes FD, a connected stream
 * socket, as P's incoming connection the way an accepted one starts: our
 * OPEN sent, OpenSent. 0, -EBUSY (P has one), -ENOMEM. */
int bgp_conn_attach(struct bgp_peer *p, int fd);
/* BUF[0..LEN) as received on P's connection C: every whole message in it
 * goes through the header check, then its type's handler in C's state,
 * as the poll loop does with what recv() returned. Returns the bytes
 * consumed (a message cut at the end is not), or -1 when C was closed (a
 * NOTIFICATION sent or received). */
long bgp_conn_receive(struct bgp_peer *p, struct bgp_conn *c,
		      const uint8_t *buf, size_t len);
/* CLI (show.c): "show bgp summary|neighbors [ADDR]|routes [PREFIX]" and
 * "clear bgp ADDR [soft]", WORDS[0] being "show" or "clear". SP may be
 * NULL (BGP not enabled). Writes the answer, or "error: ..." and returns
 * -EINVAL. */
int bgp_cli(struct bgp_speaker *sp, char **words, unsigned int n, bool json,
	    FILE *out);

#endif
