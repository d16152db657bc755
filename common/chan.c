/* Shared-memory channel between twinpathd and twinpath-dp: a POSIX shm
 * object holding struct chan_header and two rte_ring element rings.
 * Works without the DPDK EAL on both sides. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "chan.h"

/* OFD lock bytes in the shm object: one per role (who is attached) and
 * one serialising the first initialisation. */
#define LOCK_BYTE_INIT 2

static int ofd_lock(int fd, off_t byte, bool wait)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = byte,
		.l_len = 1,
	};

	if (fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl) < 0)
		return -errno;
	return 0;
}

static void ofd_unlock(int fd, off_t byte)
{
	struct flock fl = {
		.l_type = F_UNLCK,
		.l_whence = SEEK_SET,
		.l_start = byte,
		.l_len = 1,
	};

	fcntl(fd, F_OFD_SETLK, &fl);
}

uint64_t chan_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) & ~(a - 1);
}

struct layout {
	size_t c2d_off, d2c_off, size;
};

static int chan_layout(struct layout *l)
{
	ssize_t c2d = rte_ring_get_memsize_elem(sizeof(struct chan_rec),
						CHAN_C2D_SLOTS);
	ssize_t d2c = rte_ring_get_memsize_elem(sizeof(struct chan_event),
						CHAN_D2C_SLOTS);

	if (c2d < 0 || d2c < 0)
		return -EINVAL;
	l->c2d_off = align_up(sizeof(struct chan_header), RTE_CACHE_LINE_SIZE);
	l->d2c_off = align_up(l->c2d_off + (size_t)c2d, RTE_CACHE_LINE_SIZE);
	l->size = align_up(l->d2c_off + (size_t)d2c, 4096);
	return 0;
}

static int chan_init_object(int fd, const char *name, const struct layout *l)
{
	struct chan_header *hdr;
	char ring_name[RTE_RING_NAMESIZE];
	int rc;

	if (ftruncate(fd, (off_t)l->size) < 0)
		return -errno;
	hdr = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (hdr == MAP_FAILED)
		return -errno;
	memset(hdr, 0, l->size);
	hdr->version = CHAN_VERSION;
	hdr->size = l->size;
	hdr->c2d_off = l->c2d_off;
	hdr->d2c_off = l->d2c_off;
	hdr->rec_size = sizeof(struct chan_rec);
	hdr->ev_size = sizeof(struct chan_event);
	snprintf(ring_name, sizeof(ring_name), "c2d-%.20s", name);
	rc = rte_ring_init((struct rte_ring *)((char *)hdr + l->c2d_off),
			   ring_name, CHAN_C2D_SLOTS,
			   RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (rc == 0) {
		snprintf(ring_name, sizeof(ring_name), "d2c-%.20s", name);
		rc = rte_ring_init((struct rte_ring *)((char *)hdr + l->d2c_off),
				   ring_name, CHAN_D2C_SLOTS,
				   RING_F_SP_ENQ | RING_F_SC_DEQ);
	}
	/* The element size is not stored by rte_ring_init: both sides use
	 * the *_elem calls with the size recorded in the header. */
	if (rc == 0)
		__atomic_store_n(&hdr->magic, CHAN_MAGIC, __ATOMIC_RELEASE);
	munmap(hdr, l->size);
	return rc;
}

/* A process killed -9 inside an enqueue or dequeue leaves the ring's head
 * ahead of its tail. The only process of that role is us (we hold its
 * lock), so pulling head back to tail discards the unfinished operation
 * and nothing else. */
static void ring_recover_producer(struct rte_ring *r)
{
	uint32_t tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);

	__atomic_store_n(&r->prod.head, tail, __ATOMIC_RELEASE);
}

static void ring_recover_consumer(struct rte_ring *r)
{
	uint32_t tail = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);

	__atomic_store_n(&r->cons.head, tail, __ATOMIC_RELEASE);
}

int chan_open(struct chan *c, const char *name, enum chan_role role)
{
	char path[CHAN_NAME_MAX + 2];
	struct layout l;
	struct stat st;
	int fd, rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (name == NULL || name[0] == '\0' || strchr(name, '/') != NULL ||
	    strlen(name) >= CHAN_NAME_MAX)
		return -EINVAL;
	rc = chan_layout(&l);
	if (rc < 0)
		return rc;
	snprintf(path, sizeof(path), "/%s", name);
	fd = shm_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;

	rc = ofd_lock(fd, (off_t)role, false);
	if (rc < 0) {
		close(fd);
		return (rc == -EAGAIN || rc == -EACCES) ? -EBUSY : rc;
	}

	rc = ofd_lock(fd, LOCK_BYTE_INIT, true);
	if (rc < 0)
		goto fail;
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		ofd_unlock(fd, LOCK_BYTE_INIT);
		goto fail;
	}
	if (st.st_size == 0)
		rc = chan_init_object(fd, name, &l);
	else if ((size_t)st.st_size != l.size)
		rc = -EPROTO;
	ofd_unlock(fd, LOCK_BYTE_INIT);
	if (rc < 0)
		goto fail;

	c->hdr = mmap(NULL, l.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (c->hdr == MAP_FAILED) {
		rc = -errno;
		c->hdr = NULL;
		goto fail;
	}
	if (__atomic_load_n(&c->hdr->magic, __ATOMIC_ACQUIRE) != CHAN_MAGIC ||
	    c->hdr->version != CHAN_VERSION || c->hdr->size != l.size ||
	    c->hdr->rec_size != sizeof(struct chan_rec) ||
	    c->hdr->ev_size != sizeof(struct chan_event) ||
	    c->hdr->c2d_off != l.c2d_off || c->hdr->d2c_off != l.d2c_off) {
		rc = -EPROTO;
		munmap(c->hdr, l.size);
		c->hdr = NULL;
		goto fail;
	}
	c->size = l.size;
	c->fd = fd;
	c->role = role;
	c->c2d = (struct rte_ring *)((char *)c->hdr + l.c2d_off);
	c->d2c = (struct rte_ring *)((char *)c->hdr + l.d2c_off);
	snprintf(c->name, sizeof(c->name), "%s", name);

	if (role == CHAN_ROLE_CONTROL) {
		ring_recover_producer(c->c2d);
		ring_recover_consumer(c->d2c);
		c->hdr->cp_pid = (uint32_t)getpid();
	} else {
		ring_recover_consumer(c->c2d);
		ring_recover_producer(c->d2c);
		c->hdr->dp_pid = (uint32_t)getpid();
	}
	chan_heartbeat(c);
	return 0;
fail:
	close(fd);
	return rc;
}

void chan_close(struct chan *c)
{
	if (c->hdr != NULL) {
		if (c->role == CHAN_ROLE_CONTROL)
			c->hdr->cp_pid = 0;
		else
			c->hdr->dp_pid = 0;
		munmap(c->hdr, c->size);
	}
	if (c->fd >= 0)
		close(c->fd); /* releases the role lock */
	c->hdr = NULL;
	c->fd = -1;
}

int chan_unlink(const char *name)
{
	char path[CHAN_NAME_MAX + 2];

	snprintf(path, sizeof(path), "/%s", name);
	if (shm_unlink(path) < 0)
		return -errno;
	return 0;
}

int chan_send(struct chan *c, struct chan_rec *rec)
{
	rec->seq = ++c->seq;
	if (rte_ring_sp_enqueue_elem(c->c2d, rec, sizeof(*rec)) != 0) {
		c->seq--;
		__atomic_fetch_add(&c->hdr->c2d_refused, 1, __ATOMIC_RELAXED);
		return -ENOBUFS;
	}
	return 0;
}

unsigned int chan_send_space(const struct chan *c)
{
	return rte_ring_free_count(c->c2d);
}

unsigned int chan_recv_events(struct chan *c, struct chan_event *ev,
			      unsigned int n)
{
	return rte_ring_sc_dequeue_burst_elem(c->d2c, ev, sizeof(*ev), n, NULL);
}

unsigned int chan_recv(struct chan *c, struct chan_rec *rec, unsigned int n)
{
	return rte_ring_sc_dequeue_burst_elem(c->c2d, rec, sizeof(*rec), n,
					      NULL);
}

int chan_send_event(struct chan *c, uint16_t type, uint64_t arg)
{
	struct chan_event ev = {
		.type = type,
		.pid = (uint32_t)getpid(),
		.arg = arg,
	};

	if (rte_ring_sp_enqueue_elem(c->d2c, &ev, sizeof(ev)) != 0) {
		__atomic_fetch_add(&c->hdr->d2c_refused, 1, __ATOMIC_RELAXED);
		return -ENOBUFS;
	}
	return 0;
}

bool chan_peer_attached(const struct chan *c)
{
	struct flock fl = {
		.l_type = F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = c->role == CHAN_ROLE_CONTROL ? CHAN_ROLE_DATA :
							  CHAN_ROLE_CONTROL,
		.l_len = 1,
	};

	/* an OFD lock of another open file description conflicts with
	 * ours even within one process, so this also sees a peer role
	 * opened by the same process (tests) */
	if (fcntl(c->fd, F_OFD_GETLK, &fl) < 0)
		return false;
	return fl.l_type != F_UNLCK;
}

void chan_heartbeat(struct chan *c)
{
	uint64_t now = chan_now_ns();

	if (c->role == CHAN_ROLE_CONTROL)
		__atomic_store_n(&c->hdr->cp_heartbeat_ns, now, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&c->hdr->dp_heartbeat_ns, now, __ATOMIC_RELAXED);
}

static bool family_ok(uint8_t family, uint8_t len)
{
	return (family == AF_INET && len <= 32) ||
	       (family == AF_INET6 && len <= 128);
}

int chan_rec_validate(const struct chan_rec *rec, uint32_t nexthop_max,
		      uint32_t group_max)
{
	unsigned int i;

	switch (rec->type) {
	case CHAN_REC_SYNC_BEGIN:
	case CHAN_REC_SYNC_END:
		return rec->generation != 0 ? 0 : -EINVAL;
	case CHAN_REC_NEXTHOP_SET:
		if (rec->u.nh.id == 0 || rec->u.nh.id >= nexthop_max ||
		    !family_ok(rec->u.nh.family, 0))
			return -EINVAL;
		return 0;
	case CHAN_REC_NEXTHOP_DEL:
		return (rec->u.id != 0 && rec->u.id < nexthop_max) ? 0 : -EINVAL;
	case CHAN_REC_GROUP_SET:
		if (rec->u.grp.id == 0 || rec->u.grp.id >= group_max ||
		    rec->u.grp.n_primary > CHAN_GROUP_MAX_MEMBERS ||
		    rec->u.grp.n_backup > CHAN_GROUP_MAX_MEMBERS)
			return -EINVAL;
		for (i = 0; i < rec->u.grp.n_primary; i++)
			if (rec->u.grp.primary[i] == 0 ||
			    rec->u.grp.primary[i] >= nexthop_max)
				return -EINVAL;
		for (i = 0; i < rec->u.grp.n_backup; i++)
			if (rec->u.grp.backup[i] == 0 ||
			    rec->u.grp.backup[i] >= nexthop_max)
				return -EINVAL;
		return 0;
	case CHAN_REC_GROUP_DEL:
		return (rec->u.id != 0 && rec->u.id < group_max) ? 0 : -EINVAL;
	case CHAN_REC_ROUTE_ADD:
		if (rec->u.route.group_id == 0 ||
		    rec->u.route.group_id >= group_max)
			return -EINVAL;
		/* fall through */
	case CHAN_REC_ROUTE_DEL:
		return family_ok(rec->u.route.family, rec->u.route.len) ?
			       0 : -EINVAL;
	case CHAN_REC_DIGEST:
		return 0; /* any id: twinpathd's own numbering */
	default:
		return -EINVAL;
	}
}

const char *chan_rec_type_name(uint16_t type)
{
	static const char *const names[CHAN_REC_TYPE_MAX] = {
		[CHAN_REC_SYNC_BEGIN] = "sync-begin",
		[CHAN_REC_SYNC_END] = "sync-end",
		[CHAN_REC_NEXTHOP_SET] = "nexthop-set",
		[CHAN_REC_NEXTHOP_DEL] = "nexthop-del",
		[CHAN_REC_GROUP_SET] = "group-set",
		[CHAN_REC_GROUP_DEL] = "group-del",
		[CHAN_REC_ROUTE_ADD] = "route-add",
		[CHAN_REC_ROUTE_DEL] = "route-del",
		[CHAN_REC_DIGEST] = "digest",
	};

	if (type < CHAN_REC_TYPE_MAX && names[type] != NULL)
		return names[type];
	return "unknown";
}
