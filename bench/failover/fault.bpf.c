/* The failover bench's silent loss (bench/failover/fo_fault.c attaches
 * these at the far end of a link, upN eth0): every frame in is dropped at
 * XDP, every frame out at the clsact egress hook, so the link is dead in
 * both directions while its carrier stays up. fo_pass goes back on restore:
 * the far end of a gateway port needs some XDP program, or the frames the
 * gateway sends with XDP_TX/AF_XDP never arrive (shared/NOTES.md). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int fo_xdp_drop(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

SEC("xdp")
int fo_xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

SEC("tc")
int fo_tc_shot(struct __sk_buff *skb)
{
	(void)skb;
	return TC_ACT_SHOT;
}

char LICENSE[] SEC("license") = "GPL";
