/* The FIB twinpathd computes from the config (nexthops, groups, routes)
 * and its push to twinpath-dp over the channel: full make-before-break
 * sync on start and on the data plane's HELLO, differences afterwards,
 * and an outbox that holds records while the ring is full. */
#ifndef TWP_FIBPUSH_H
#define TWP_FIBPUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "chan.h"
#include "config.h"

#define FP_NEXTHOP_MAX (CFG_MAX_LINKS + CFG_MAX_ROUTES)
#define FP_GROUP_MAX CFG_MAX_ROUTES

struct fp_nexthop {
	uint32_t id;
	uint16_t port;
	char label[CFG_NAME_MAX]; /* link name, or "lan" */
	char ifname[IFNAMSIZ];
	struct cfg_addr gateway;
	uint8_t mac[6];
	bool resolved;
	bool miss_logged;
};

struct fp_group {
	uint32_t id;
	uint8_t n_primary, n_backup;
	uint32_t primary[CHAN_GROUP_MAX_MEMBERS]; /* nexthop ids */
	uint32_t backup[CHAN_GROUP_MAX_MEMBERS];
};

struct fp_route {
	struct cfg_addr prefix;
	uint32_t group_id;
};

struct fibpush {
	struct chan *chan;
	struct fp_nexthop nh[FP_NEXTHOP_MAX]; /* nh[i].id == i + 1 */
	unsigned int n_nh;
	struct fp_group grp[FP_GROUP_MAX];    /* grp[i].id == i + 1 */
	unsigned int n_grp;
	struct fp_route route[CFG_MAX_ROUTES];
	unsigned int n_route;
	uint64_t generation; /* of our last SYNC_BEGIN */
	/* Records refused by a full ring, oldest first. */
	struct chan_rec *outbox;
	size_t ob_head, ob_len, ob_cap;
	bool ob_full_episode;
};

/* Computes nexthops, groups and routes from CFG. 0 or -errno. */
int fibpush_build(struct fibpush *fp, const struct twp_config *cfg,
		  struct chan *chan);
void fibpush_free(struct fibpush *fp);
/* SYNC_BEGIN (generation = hdr->generation + 1), the full state, SYNC_END. */
int fibpush_full_sync(struct fibpush *fp);
/* A nexthop's MAC was learned or changed: NEXTHOP_SET if different. */
int fibpush_set_mac(struct fibpush *fp, unsigned int idx,
		    const uint8_t mac[6]);
/* Sends what waits in the outbox; -ENOBUFS while the ring stays full. */
int fibpush_flush(struct fibpush *fp);
size_t fibpush_queued(const struct fibpush *fp);
bool fibpush_all_resolved(const struct fibpush *fp);
const struct fp_group *fibpush_group(const struct fibpush *fp, uint32_t id);
const struct fp_nexthop *fibpush_nexthop(const struct fibpush *fp,
					 uint32_t id);

#endif
