/* Trivial XDP_PASS program for the lab: attached to the peer veth of every
 * gateway port, since on this kernel frames the gateway sends with XDP_TX
 * or from an AF_XDP socket reach a veth peer only when the peer runs XDP. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
