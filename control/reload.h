/* Reload of twinpathd's config file without a restart (SIGHUP,
 * `twinpathctl reload`): the new file is loaded and validated, compared
 * with the running config, and applied in place only when every
 * difference can be applied live; sessions keep their runtime state and
 * read the new policy. README has the table of what applies live. */
#ifndef TWP_RELOAD_H
#define TWP_RELOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* What changed on a link, as reload_diff() found it. */
#define RELOAD_EXPORT 0x1u /* announce list, prepend, MED, communities */
#define RELOAD_IMPORT 0x2u /* import rules, local_pref: ROUTE-REFRESH */
#define RELOAD_BFD 0x4u    /* BFD timers, multiplier, admin_down */
#define RELOAD_LIMIT 0x8u  /* max_prefix, max_prefix_restart */
#define RELOAD_CAPACITY 0x10u /* capacity_mbps (the link monitor) */

struct reload_plan {
	unsigned int link[CFG_MAX_LINKS]; /* RELOAD_* bits */
	bool connect_retry;               /* bgp.connect_retry */
	bool monitor;                     /* the monitor { } group */
	bool drain;                       /* bgp.drain_* */
	unsigned int n_changes;           /* settings changed, all live */
	unsigned int n_refused;           /* settings that need a restart */
};

/* Compares the running config OLD with NEW (loaded and valid, same
 * path). Returns 0 with PLAN filled when every difference applies live;
 * -EPERM when some need a restart, with one line per such setting in
 * OUT: "reload refused: dataplane.eal_args changed (restart
 * twinpath-dp)". A difference no rule names is refused too ("a setting
 * that cannot be applied live"), so a key added to the config later is
 * never half applied. */
int reload_diff(const struct twp_config *old, const struct twp_config *new,
		struct reload_plan *plan, FILE *out);

struct twpd;

/* Loads D's config file again and applies it when reload_diff() allows:
 * the running config is overwritten in place (every reader keeps its
 * pointer), BGP sessions whose export changed get UPDATEs, those whose
 * import changed a ROUTE-REFRESH, BFD sessions whose timers changed a
 * Poll Sequence (RFC 5880 §6.8.3). Writes what was done, or why nothing
 * was, into OUT: on refusal the first line is "error: reload of FILE
 * refused: the running configuration stays", then the config loader's
 * "FILE:LINE: message" or reload_diff()'s lines. Each line is logged
 * too. 0, -EINVAL (invalid file), -EPERM (needs a restart), -errno. */
int reload_run(struct twpd *d, FILE *out);

#endif
