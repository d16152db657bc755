/* Neighbour resolution over rtnetlink: subscribe to RTNLGRP_NEIGH, dump
 * RTM_GETNEIGH, and for entries still unknown send RTM_NEWNEIGH with
 * NTF_USE, which makes the kernel solicit the address as if a packet
 * were waiting for it (the same trick zebra uses). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "log.h"
#include "neigh.h"

/* States in which the kernel holds a usable link-layer address. */
#define NUD_HAS_MAC (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | \
		     NUD_PERMANENT | NUD_NOARP)

int neigh_open(struct neigh *n, neigh_cb cb, void *arg)
{
	int one = 1, rcvbuf = 1 << 20;

	memset(n, 0, sizeof(*n));
	n->cb = cb;
	n->arg = arg;
	n->seq = (unsigned int)time(NULL);
	n->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (n->nl == NULL)
		return -errno;
	if (mnl_socket_bind(n->nl, 1u << (RTNLGRP_NEIGH - 1),
			    MNL_SOCKET_AUTOPID) < 0) {
		int rc = -errno;

		mnl_socket_close(n->nl);
		n->nl = NULL;
		return rc;
	}
	setsockopt(mnl_socket_get_fd(n->nl), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	/* Errors of our NTF_USE requests are expected (interface down);
	 * do not let one stop the reading of the others. */
	mnl_socket_setsockopt(n->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	n->dump_pending = true;
	return 0;
}

void neigh_close(struct neigh *n)
{
	if (n->nl != NULL)
		mnl_socket_close(n->nl);
	free(n->e);
	memset(n, 0, sizeof(*n));
}

int neigh_fd(const struct neigh *n)
{
	return mnl_socket_get_fd(n->nl);
}

int neigh_watch(struct neigh *n, const char *ifname,
		const struct cfg_addr *addr)
{
	struct neigh_entry *e;

	if (n->n == n->cap) {
		unsigned int cap = n->cap ? n->cap * 2 : 16;

		e = realloc(n->e, cap * sizeof(*e));
		if (e == NULL)
			return -ENOMEM;
		n->e = e;
		n->cap = cap;
	}
	e = &n->e[n->n];
	memset(e, 0, sizeof(*e));
	snprintf(e->ifname, sizeof(e->ifname), "%s", ifname);
	e->addr = *addr;
	e->ifindex = if_nametoindex(ifname);
	/* The kernel may hold the entry already, valid, and then says
	 * nothing more about it until its state changes (NTF_USE on a
	 * REACHABLE entry changes none): read the table at the next tick.
	 * A BGP next hop other than the link's peer (an IPv4 one over an
	 * IPv6 session) waited so up to the kernel's reachable time. */
	n->dump_pending = true;
	return (int)n->n++;
}

static void neigh_send(struct neigh *n, struct nlmsghdr *nlh)
{
	if (mnl_socket_sendto(n->nl, nlh, nlh->nlmsg_len) < 0)
		log_msg("netlink: send %s: %s",
			nlh->nlmsg_type == RTM_GETNEIGH ? "neighbour dump" :
							  "neighbour request",
			strerror(errno));
}

static void neigh_dump(struct neigh *n)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_GETNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = ++n->seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_UNSPEC;
	neigh_send(n, nlh);
	n->dump_pending = false;
}

void neigh_kick(struct neigh *n, unsigned int idx)
{
	struct neigh_entry *e = &n->e[idx];
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;

	if (idx >= n->n || e->ifindex == 0)
		return;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWNEIGH;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
	nlh->nlmsg_seq = ++n->seq;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = e->addr.family;
	ndm->ndm_ifindex = (int)e->ifindex;
	ndm->ndm_state = NUD_NONE;
	ndm->ndm_flags = NTF_USE;
	mnl_attr_put(nlh, NDA_DST, e->addr.family == AF_INET ? 4 : 16,
		     e->addr.addr);
	neigh_send(n, nlh);
}

static int attr_cb(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (mnl_attr_type_valid(attr, NDA_MAX) > 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void neigh_update(struct neigh *n, struct neigh_entry *e,
			 unsigned int idx, uint16_t state, bool deleted,
			 const struct nlattr *lladdr)
{
	char ip[INET6_ADDRSTRLEN];
	const uint8_t *mac;

	e->kstate = deleted ? NUD_NONE : state;
	/* A stale or failed entry keeps its last MAC: liveness is BFD's
	 * job, and forgetting the MAC would only stop forwarding sooner. */
	if (deleted || !(state & NUD_HAS_MAC) || lladdr == NULL ||
	    mnl_attr_get_payload_len(lladdr) != 6)
		return;
	mac = mnl_attr_get_payload(lladdr);
	if (e->known && memcmp(e->mac, mac, 6) == 0)
		return;
	inet_ntop(e->addr.family, e->addr.addr, ip, sizeof(ip));
	log_msg("neighbour %s on %s %s %02x:%02x:%02x:%02x:%02x:%02x", ip,
		e->ifname, e->known ? "changed to" : "is", mac[0], mac[1],
		mac[2], mac[3], mac[4], mac[5]);
	memcpy(e->mac, mac, 6);
	e->known = true;
	if (n->cb != NULL)
		n->cb(n->arg, idx, e->mac);
}

static int msg_cb(const struct nlmsghdr *nlh, void *data)
{
	struct neigh *n = data;
	const struct nlattr *tb[NDA_MAX + 1] = {0};
	const struct ndmsg *ndm;
	const uint8_t *dst;
	unsigned int i;
	size_t dlen;

	if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH)
		return MNL_CB_OK;
	ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ndm), attr_cb, tb) < 0 ||
	    tb[NDA_DST] == NULL)
		return MNL_CB_OK;
	dst = mnl_attr_get_payload(tb[NDA_DST]);
	dlen = mnl_attr_get_payload_len(tb[NDA_DST]);
	for (i = 0; i < n->n; i++) {
		struct neigh_entry *e = &n->e[i];

		if (e->ifindex != (unsigned int)ndm->ndm_ifindex ||
		    e->addr.family != ndm->ndm_family ||
		    dlen != (e->addr.family == AF_INET ? 4u : 16u) ||
		    memcmp(e->addr.addr, dst, dlen) != 0)
			continue;
		neigh_update(n, e, i, ndm->ndm_state,
			     nlh->nlmsg_type == RTM_DELNEIGH, tb[NDA_LLADDR]);
	}
	return MNL_CB_OK;
}

void neigh_input(struct neigh *n)
{
	char buf[1 << 16];

	for (;;) {
		ssize_t len = mnl_socket_recvfrom(n->nl, buf, sizeof(buf));

		if (len < 0) {
			if (errno == ENOBUFS) {
				/* We missed notifications: read the table
				 * again rather than trust what we have. */
				log_warn("netlink: receive buffer overrun, "
					"dumping neighbours again");
				n->dump_pending = true;
				continue;
			}
			if (errno != EAGAIN && errno != EINTR)
				log_warn("netlink: receive: %s",
					strerror(errno));
			return;
		}
		/* seq/portid 0: accept replies and notifications alike;
		 * NLMSG_ERROR of a request (e.g. interface down) is not
		 * fatal, the next tick asks again. */
		mnl_cb_run(buf, (size_t)len, 0, 0, msg_cb, n);
	}
}

void neigh_tick(struct neigh *n)
{
	unsigned int i;

	for (i = 0; i < n->n; i++) {
		struct neigh_entry *e = &n->e[i];
		unsigned int idx = if_nametoindex(e->ifname);

		if (idx != e->ifindex) {
			if (idx == 0)
				log_warn("interface %s is gone", e->ifname);
			e->ifindex = idx;
			n->dump_pending = true;
		}
	}
	if (n->dump_pending)
		neigh_dump(n);
	for (i = 0; i < n->n; i++)
		if (!n->e[i].known || !(n->e[i].kstate & NUD_HAS_MAC))
			neigh_kick(n, i);
}
