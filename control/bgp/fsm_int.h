/* Internal to twinpathd's BGP sessions, not an interface: what the four
 * files behind fsm.h call in one another (conn.c, session.c, export.c,
 * speaker.c). Not installed and included by nothing else; the rest of
 * twinpathd and the tests use fsm.h. */
#ifndef TWP_BGP_FSM_INT_H
#define TWP_BGP_FSM_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fsm.h"

/* How a connection ended: what to tell the peer, what to do with its
 * routes, and what the session does next. */
struct bgp_end {
	const char *why;               /* "hold timer expired (4/0)" */
	const struct bgp_notify *sent; /* NOTIFICATION to send, or NULL */
	const struct bgp_notify *rcvd; /* the one received, or NULL */
	bool hold_expired;
	bool flush;                    /* never keep the routes as stale */
	enum bgp_hold_reason next;     /* NONE: reconnect now */
	uint32_t hold_s;               /* for BGP_HOLD_MAX_PREFIX */
};

/* conn.c: addresses, logging, connections, socket options, messages out,
 * opening connections */
uint8_t af_family(unsigned int af);
const char *af_name(unsigned int af);
void plog(const struct bgp_peer *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pwarn(struct bgp_peer *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void conn_free(struct bgp_conn *c);
void conn_flush(struct bgp_conn *c);
void conn_send(struct bgp_peer *p, struct bgp_conn *c, const uint8_t *msg,
	       size_t len);
void conn_close(struct bgp_speaker *sp, struct bgp_conn *c, bool linger);
void closing_drop(struct bgp_speaker *sp, unsigned int i);
void send_keepalive(struct bgp_peer *p, struct bgp_conn *c);
void send_notify(struct bgp_peer *p, struct bgp_conn *c,
		 const struct bgp_notify *n);
void notify_hard(const struct bgp_peer *p, struct bgp_notify *n);
void connect_failed(struct bgp_peer *p, const char *err);
void start_connect(struct bgp_peer *p);
void connect_done(struct bgp_peer *p);
void on_accept(struct bgp_speaker *sp, int lfd);
int open_listener(struct bgp_speaker *sp, uint8_t fam,
		  const struct cfg_addr *bind_addr, uint16_t port);

/* export.c: our site prefixes */
unsigned int export_af(struct bgp_peer *p, unsigned int af);
unsigned int withdraw_halves_af(struct bgp_peer *p, unsigned int af);
unsigned int withdraw_af(struct bgp_peer *p, unsigned int af,
			 const struct cfg_addr *wd, unsigned int n);
void export_all(struct bgp_peer *p);

/* session.c: the RFC 4271 §8 machine and its message handlers */
const char *notify_text(const struct bgp_notify *n, char *buf, size_t len);
enum bgp_state peer_derive(const struct bgp_peer *p);
void peer_report(struct bgp_peer *p);
/* The link callback (bgp_link_cb), once per way per episode: P's paths
 * are about to be flushed (UP false; the link is masked unless its other
 * session still forwards), or P is back with all it has (UP true; the
 * link is unmasked if it was). */
void peer_link_event(struct bgp_peer *p, bool up);
/* Whether Q (NULL: no) has paths in the RIB that forward. */
bool peer_holds_paths(const struct bgp_peer *q);
/* Masks LINK whatever its sessions (BFD Down takes them all). */
void peer_link_mask(struct bgp_speaker *sp, unsigned int link);
/* Sweeps P's stale paths of the families it carries; how many. */
size_t peer_sweep_stale(struct bgp_peer *p);
void conn_end(struct bgp_peer *p, struct bgp_conn *c,
	      const struct bgp_end *e);
void peer_stop(struct bgp_peer *p, const struct bgp_end *e);
void conn_input(struct bgp_peer *p, struct bgp_conn *c);

#endif
