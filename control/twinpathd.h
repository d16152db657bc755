/* twinpathd's state, shared by its main loop and the CLI. */
#ifndef TWP_TWINPATHD_H
#define TWP_TWINPATHD_H

#include <stdbool.h>

#include "bfdsess.h"
#include "chan.h"
#include "config.h"
#include "fibcheck.h"
#include "fibpush.h"
#include "fsm.h"
#include "monitor.h"
#include "neigh.h"
#include "rib.h"

struct twpd {
	const struct twp_config *cfg;
	/* the same, written in place by a reload (control/reload.c) */
	struct twp_config *cfg_live;
	struct chan chan;
	struct fibpush *fp;
	struct neigh neigh;
	struct bfd bfd;
	uint64_t started_ns;
	bool synced; /* the first full sync went out */
	/* BGP (cfg->bgp.enabled), else NULL */
	struct rib *rib;
	struct bgp_speaker *bgp;
	uint64_t fib_errors; /* BGP routes the FIB push refused */
	uint64_t fib_error_log_ms;
	struct monitor *mon; /* link rates (control/monitor.c) */
	struct fibcheck check; /* FIB digest comparison (fibcheck.h) */
	/* Prefix-independent convergence: links whose peer sent End-of-RIB
	 * (bit per link), unmasked in the FIB push once the RIB has decided
	 * what it sent (twinpathd.c pic_up_ready), and since when. */
	uint32_t pic_up;
	uint64_t pic_up_ms[CFG_MAX_LINKS];
};

#endif
