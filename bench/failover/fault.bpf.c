/* The failover bench's silent loss (bench/failover/fo_fault.c attaches
 * these at the far end of a link, upN eth0). Both programs read one word,
 * fo_cut: FO_CUT_IN drops every frame coming in from the gateway at XDP,
 * FO_CUT_OUT every frame going out to it at the clsact egress hook. The
 * programs are attached with the word 0 (nothing cut) and the fault is a
 * single write of the word, so both directions die at the same instant
 * and the instant is known to a microsecond: an XDP attach on a veth
 * takes 0.4–16 ms, and when inside that call the new program takes over
 * is not known. fo_xdp_pass goes back on restore: the far end of a gateway
 * port needs some XDP program, or the frames the gateway sends with
 * XDP_TX/AF_XDP never arrive (shared/NOTES.md). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "fo_cut.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} fo_cut SEC(".maps");

static __always_inline __u32 cut(void)
{
	__u32 k = 0, *v = bpf_map_lookup_elem(&fo_cut, &k);

	return v ? *v : 0;
}

SEC("xdp")
int fo_xdp_cut(struct xdp_md *ctx)
{
	(void)ctx;
	return cut() & FO_CUT_IN ? XDP_DROP : XDP_PASS;
}

SEC("xdp")
int fo_xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

SEC("tc")
int fo_tc_cut(struct __sk_buff *skb)
{
	(void)skb;
	return cut() & FO_CUT_OUT ? TC_ACT_SHOT : TC_ACT_OK;
}

/* The two-way traffic's frames through a link (fo_cut.h), counted at the
 * server's interface toward the link's upstream (`fo_fault count-on`). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} fo_count SEC(".maps");

/* the IPv4 TCP or UDP frame's source (SRC true) or destination port in
 * host order, 0 for anything else */
static __always_inline __u16 port_of(struct __sk_buff *skb, int src)
{
	struct iphdr ip;
	__u16 port;

	if (skb->protocol != bpf_htons(ETH_P_IP) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN, &ip, sizeof(ip)) ||
	    (ip.protocol != IPPROTO_TCP && ip.protocol != IPPROTO_UDP) ||
	    ip.frag_off & bpf_htons(0x1fff) ||
	    bpf_skb_load_bytes(skb, ETH_HLEN + ip.ihl * 4 + (src ? 0 : 2),
			       &port, sizeof(port)))
		return 0;
	return bpf_ntohs(port);
}

static __always_inline void count(__u32 k, __u16 port)
{
	__u64 *v;

	if (port < FO_TWOWAY_PORT_LO || port > FO_TWOWAY_PORT_HI)
		return;
	v = bpf_map_lookup_elem(&fo_count, &k);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tc")
int fo_tc_count_in(struct __sk_buff *skb)
{
	count(FO_COUNT_IN, port_of(skb, 1));
	return TC_ACT_OK;
}

SEC("tc")
int fo_tc_count_out(struct __sk_buff *skb)
{
	count(FO_COUNT_OUT, port_of(skb, 0));
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
