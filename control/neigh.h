/* Nexthop MAC addresses from the kernel's neighbour table (netlink):
 * twinpathd runs in the gateway's namespace, where the kernel answers and
 * sends ARP/ND on the same interfaces (XDP passes ARP/ND to it). */
#ifndef TWP_NEIGH_H
#define TWP_NEIGH_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct mnl_socket;

struct neigh_entry {
	char ifname[IFNAMSIZ];
	unsigned int ifindex; /* 0 until the interface exists */
	struct cfg_addr addr;
	uint8_t mac[6];
	bool known;           /* mac valid (kept while the kernel re-probes) */
	uint16_t kstate;      /* last NUD_* state the kernel reported */
};

/* Called when an entry's MAC is learned or changes. */
typedef void (*neigh_cb)(void *arg, unsigned int idx, const uint8_t mac[6]);

struct neigh {
	struct mnl_socket *nl;
	unsigned int seq;
	struct neigh_entry *e;
	unsigned int n, cap;
	neigh_cb cb;
	void *arg;
	bool dump_pending;
};

int neigh_open(struct neigh *n, neigh_cb cb, void *arg);
void neigh_close(struct neigh *n);
/* Watches ADDR on IFNAME; returns the entry index or -errno. */
int neigh_watch(struct neigh *n, const char *ifname,
		const struct cfg_addr *addr);
int neigh_fd(const struct neigh *n);
/* Reads everything the kernel sent; call when neigh_fd() is readable. */
void neigh_input(struct neigh *n);
/* Once a second: look up interfaces, dump if needed, and ask the kernel
 * to resolve what is still unknown (RTM_NEWNEIGH with NTF_USE). */
void neigh_tick(struct neigh *n);
/* Ask for resolution of one entry now (a data-plane neighbour miss). */
void neigh_kick(struct neigh *n, unsigned int idx);

#endif
