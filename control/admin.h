/* The operator's maintenance commands: draining a link before work on it
 * (RFC 8326 graceful shutdown, then out of the data plane once the
 * provider's return traffic has moved), and holding a BGP session down
 * with a Cease/Administrative Shutdown carrying an RFC 9003 message. The
 * state lives in the sessions (struct bgp_peer), not in the config. */
#ifndef TWP_ADMIN_H
#define TWP_ADMIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "fsm.h"

struct twpd;

/* When a draining link's return traffic counts as moved. */
struct drain_params {
	uint64_t rx_floor_pps; /* at most this many packets per second ... */
	uint64_t quiet_ms;     /* ... for this long */
	uint64_t timeout_ms;   /* or this long after the drain began */
};

enum drain_verdict {
	DRAIN_WAIT = 0,
	DRAIN_MOVED,   /* the received rate stayed at or below the floor */
	DRAIN_TIMEOUT, /* the bound ran out first */
};

/* One sample of the link's received packets (the data plane's rx
 * counter; HAVE_RX false when the data plane did not answer) at NOW_MS,
 * the drain having begun at SINCE_MS. The rate is measured between two
 * samples; it has stayed low since the start of the first low interval.
 * A counter that went backwards (the data plane restarted) starts over.
 * On MOVED or TIMEOUT, REASON says why in one phrase. Pure: the unit
 * test's subject. */
enum drain_verdict drain_step(struct bgp_drain_watch *w,
			      const struct drain_params *pp, uint64_t since_ms,
			      uint64_t now_ms, bool have_rx, uint64_t rx,
			      char *reason, size_t len);

/* Answers "link NAME drain|undrain", "bgp ADDR shutdown [MESSAGE]",
 * "bgp ADDR enable" and "show links" (REQ is the raw request line, with
 * an optional "json " in front; MESSAGE is the rest of the line). Returns
 * 1 when REQ is none of those (OUT untouched), 0 when answered, -EINVAL
 * with "error: ..." written. */
int admin_cli(struct twpd *d, const char *req, FILE *out);

/* Once a second from twinpathd's loop: reads the draining links' received
 * traffic from the data plane's telemetry and declares them drained. */
void admin_tick(struct twpd *d, uint64_t now_ms);

#endif
