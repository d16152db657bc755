/* Silent loss for the lab: attached to the far end of a gateway link
 * (instead of xdp_pass) it drops every frame arriving there, including
 * those twinpath-dp sends from its AF_XDP socket, which bypass the qdisc
 * that `tc qdisc replace ... pfifo limit 0` empties. Carrier stays up. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
