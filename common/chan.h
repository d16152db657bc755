/* Mapping of the channel of channel.h, shared by twinpathd and twinpath-dp.
 * Neither side needs the DPDK EAL: the rings are rte_ring element rings
 * initialised inside the shared mapping. */
#ifndef TWP_CHAN_H
#define TWP_CHAN_H

#include <stdbool.h>
#include <stddef.h>

#include "channel.h"

struct rte_ring;

struct chan {
	struct chan_header *hdr;
	struct rte_ring *c2d; /* records, control -> data */
	struct rte_ring *d2c; /* events, data -> control */
	size_t size;
	int fd;
	enum chan_role role;
	uint32_t seq;
	char name[CHAN_NAME_MAX];
};

/* Open (creating and initialising on first use) the channel NAME, a POSIX
 * shm name without the leading slash, in ROLE. Only one process per role
 * may hold a channel: a second one gets -EBUSY. Returns 0 or -errno;
 * -EPROTO means the object exists with another layout or version. */
int chan_open(struct chan *c, const char *name, enum chan_role role);
void chan_close(struct chan *c);
int chan_unlink(const char *name);

/* Control side. -ENOBUFS when the ring is full: nothing was written and
 * hdr->c2d_refused was incremented; the caller keeps the record and
 * retries (back-pressure, never loss). Stamps rec->seq. */
int chan_send(struct chan *c, struct chan_rec *rec);
/* Free record slots right now. */
unsigned int chan_send_space(const struct chan *c);
/* Up to N events; returns how many. */
unsigned int chan_recv_events(struct chan *c, struct chan_event *ev,
			      unsigned int n);

/* Data side. Up to N records; returns how many. */
unsigned int chan_recv(struct chan *c, struct chan_rec *rec, unsigned int n);
/* -ENOBUFS when full (hdr->d2c_refused incremented). */
int chan_send_event(struct chan *c, uint16_t type, uint64_t arg);

/* Whether a process holds the other role right now (its role lock, which
 * the kernel drops when that process dies, however it dies). */
bool chan_peer_attached(const struct chan *c);

/* Either side: store now (CLOCK_MONOTONIC ns) in this role's heartbeat. */
void chan_heartbeat(struct chan *c);
uint64_t chan_now_ns(void);

/* Checks a received record's fields (type, family, lengths, member counts,
 * ids below the given limits). Returns 0 or -EINVAL. */
int chan_rec_validate(const struct chan_rec *rec, uint32_t nexthop_max,
		      uint32_t group_max);

const char *chan_rec_type_name(uint16_t type);

#endif
