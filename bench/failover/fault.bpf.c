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
#include <linux/pkt_cls.h>
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

char LICENSE[] SEC("license") = "GPL";
