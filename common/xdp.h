/* Contract between bfd.bpf.o (XDP, in front of every port) and the C
 * processes: names and layouts of the pinned maps. Included by the BPF
 * program and by twinpath-dp; only fixed-width kernel types here. */
#ifndef TWP_XDP_H
#define TWP_XDP_H

#include <linux/types.h>

/* Maps pinned by name (LIBBPF_PIN_BY_NAME) under the bpffs of the process
 * that loads the program: every port's copy of the program shares them. */
#define XDP_PIN_ROOT "/sys/fs/bpf"
#define XDP_MAP_LOCAL_ADDRS "twp_local_addrs"
#define XDP_MAP_STATS "twp_xdp_stats"
/* Not pinned: one per port, filled by the af_xdp PMD. */
#define XDP_MAP_XSKS "xsks_map"

#define XDP_LOCAL_ADDRS_MAX 256
#define XDP_XSKS_MAX 64

/* Key of twp_local_addrs: an address the gateway itself owns. Packets to
 * it go to the kernel (XDP_PASS); value is the twinpath port index. */
struct xdp_local_key {
	__u8 family; /* AF_INET (2) or AF_INET6 (10) */
	__u8 pad[3];
	__u8 addr[16]; /* network byte order, IPv4 in the first 4 bytes */
};

/* Index of twp_xdp_stats (per-CPU array of __u64): why a packet went
 * where it went. */
enum xdp_stat {
	XDP_STAT_PASS_ARP = 0,    /* ARP: the kernel resolves neighbours */
	XDP_STAT_PASS_LOCAL,      /* to one of our addresses (BGP, ICMP) */
	XDP_STAT_PASS_MCAST,      /* multicast/broadcast, IPv6 link-local */
	XDP_STAT_PASS_OTHER,      /* neither IPv4 nor IPv6 (LLDP, VLAN...) */
	XDP_STAT_PASS_MALFORMED,  /* too short to parse: the kernel counts it */
	XDP_STAT_REDIRECT,        /* transit: to the AF_XDP socket */
	XDP_STAT_NO_SOCKET,       /* transit but no socket on this queue */
	/* BFD (UDP 3784/3785) addressed to us; details per link in the
	 * health map (common/health.h). */
	XDP_STAT_BFD_CONSUMED,    /* control packet of a session: accepted or
				   * discarded (health_link.drop says why) */
	XDP_STAT_BFD_TX,          /* Final to a Poll, or echo reflected */
	XDP_STAT_BFD_NO_SESSION,  /* matches no enabled session: dropped */
	XDP_STAT_MAX,
};

#endif
