/* make soak's random loss episodes (bench/soak/run.sh): 5 % of the IP
 * frames on a link, both ways, at its far end (upN eth0), carrier up.
 * The lab has no sch_netem (shared/NOTES.md), so the loss is drawn
 * here: soak_xdp_loss drops frames coming in from the gateway (its
 * AF_XDP frames bypass any qdisc), soak_tc_loss at the clsact egress
 * hook frames going out to it. ARP passes, or the loss would be of the
 * neighbour, not of the packets. BFD and BGP are lost like the rest:
 * that is what a lossy provider link does to them. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* 5 % of 2^32 */
#define LOSS_BELOW 214748365u

static __always_inline int lose(__u16 proto_be)
{
	if (proto_be != bpf_htons(ETH_P_IP) && proto_be != bpf_htons(ETH_P_IPV6))
		return 0;
	return bpf_get_prandom_u32() < LOSS_BELOW;
}

SEC("xdp")
int soak_xdp_loss(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_PASS;
	return lose(eth->h_proto) ? XDP_DROP : XDP_PASS;
}

SEC("tc")
int soak_tc_loss(struct __sk_buff *skb)
{
	return lose((__u16)skb->protocol) ? TC_ACT_SHOT : TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
