/* XDP program in front of every twinpath port (first form): what the
 * gateway itself must see (ARP, ND, BGP and ICMP to our own addresses,
 * multicast) goes to the kernel; transit goes to twinpath-dp's AF_XDP
 * socket on the rx queue. BFD answering (RFC 5880/5881) comes later here. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xdp.h"

/* linux/socket.h pulls in libc headers; the two values are ABI. */
#define TWP_AF_INET 2
#define TWP_AF_INET6 10

/* One per port: the af_xdp PMD opens the object per port and puts its
 * socket at the rx queue index. Not pinned, or every port would share one
 * queue table and the PMD's own update would hit the wrong port. */
struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, XDP_XSKS_MAX);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

/* Pinned by name: twinpathd/twinpath-dp fill it once for all ports. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XDP_LOCAL_ADDRS_MAX);
	__type(key, struct xdp_local_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twp_local_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twp_xdp_stats SEC(".maps");

/* Counts the decision and returns it, so every exit is one line. Per-CPU
 * slot: no atomic needed. */
static __always_inline int verdict(enum xdp_stat why, int action)
{
	__u32 key = why;
	__u64 *n = bpf_map_lookup_elem(&twp_xdp_stats, &key);

	if (n)
		*n += 1;
	return action;
}

static __always_inline int is_local(struct xdp_local_key *key)
{
	return bpf_map_lookup_elem(&twp_local_addrs, key) != NULL;
}

static __always_inline int to_socket(struct xdp_md *ctx)
{
	__u32 queue = ctx->rx_queue_index;

	/* bpf_redirect_map's fallback action (flags) would hide the missing
	 * socket from the counters: look it up first so the case is named. */
	if (!bpf_map_lookup_elem(&xsks_map, &queue))
		return verdict(XDP_STAT_NO_SOCKET, XDP_PASS);
	return verdict(XDP_STAT_REDIRECT,
		       bpf_redirect_map(&xsks_map, queue, XDP_PASS));
}

static __always_inline int ipv4(struct xdp_md *ctx, void *l3, void *end)
{
	struct iphdr *ip = l3;
	struct xdp_local_key key = {};
	__u32 dst;

	/* Only the fixed header is read: options are twinpath-dp's concern. */
	if ((void *)(ip + 1) > end)
		return verdict(XDP_STAT_PASS_MALFORMED, XDP_PASS);
	dst = ip->daddr;
	/* 224.0.0.0/4 multicast and the limited broadcast are for the host
	 * (and would never be forwarded by a router anyway). Subnet-directed
	 * broadcasts are not known here; the kernel sees them as transit
	 * misses, which twinpath-dp does not forward either. */
	if ((bpf_ntohl(dst) & 0xf0000000u) == 0xe0000000u ||
	    dst == 0xffffffffu)
		return verdict(XDP_STAT_PASS_MCAST, XDP_PASS);
	/* Set field by field: a constant initializer would become a .rodata
	 * map the af_xdp PMD then has to load as well. */
	key.family = TWP_AF_INET;
	__builtin_memcpy(key.addr, &dst, sizeof(dst));
	if (is_local(&key))
		return verdict(XDP_STAT_PASS_LOCAL, XDP_PASS);
	return to_socket(ctx);
}

static __always_inline int ipv6(struct xdp_md *ctx, void *l3, void *end)
{
	struct ipv6hdr *ip6 = l3;
	struct xdp_local_key key = {};
	__u8 b0, b1;

	if ((void *)(ip6 + 1) > end)
		return verdict(XDP_STAT_PASS_MALFORMED, XDP_PASS);
	b0 = ip6->daddr.in6_u.u6_addr8[0];
	b1 = ip6->daddr.in6_u.u6_addr8[1];
	/* ff00::/8 multicast (ND, MLD) and fe80::/10 link-local: RFC 4291
	 * §2.5.6 forbids forwarding link-local destinations. */
	if (b0 == 0xff || (b0 == 0xfe && (b1 & 0xc0) == 0x80))
		return verdict(XDP_STAT_PASS_MCAST, XDP_PASS);
	key.family = TWP_AF_INET6;
	__builtin_memcpy(key.addr, &ip6->daddr, sizeof(ip6->daddr));
	if (is_local(&key))
		return verdict(XDP_STAT_PASS_LOCAL, XDP_PASS);
	return to_socket(ctx);
}

SEC("xdp")
int twp_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	/* The verifier insists on this comparison before any header read;
	 * the kernel would drop a runt frame too, so pass it and count. */
	if ((void *)(eth + 1) > end)
		return verdict(XDP_STAT_PASS_MALFORMED, XDP_PASS);

	switch (eth->h_proto) {
	case bpf_htons(ETH_P_ARP):
		return verdict(XDP_STAT_PASS_ARP, XDP_PASS);
	case bpf_htons(ETH_P_IP):
		return ipv4(ctx, eth + 1, end);
	case bpf_htons(ETH_P_IPV6):
		return ipv6(ctx, eth + 1, end);
	default:
		/* VLAN, LLDP, ...: not ours to forward in this form. */
		return verdict(XDP_STAT_PASS_OTHER, XDP_PASS);
	}
}

char LICENSE[] SEC("license") = "GPL";
