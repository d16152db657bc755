/* XDP program in front of every twinpath port: the BFD responder
 * (RFC 5880 asynchronous mode, RFC 5881 single hop) that keeps the health
 * map, then what the gateway itself must see (ARP, ND, BGP and ICMP to our
 * own addresses, multicast) to the kernel, and transit to twinpath-dp's
 * AF_XDP socket on the rx queue. Periodic BFD packets are twinpath-dp's. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "health.h"
#include "xdp.h"

/* linux/socket.h pulls in libc headers; the two values are ABI. */
#define TWP_AF_INET 2
#define TWP_AF_INET6 10
/* Likewise from linux/time.h and errno.h. */
#define TWP_CLOCK_MONOTONIC 1
#define TWP_EBUSY 16
#define TWP_IPPROTO_UDP 17

/* RFC 5880 §4.1: the mandatory section of a control packet. */
struct bfd_ctrl {
	__u8 vers_diag;       /* version (3 bits), diagnostic (5) */
	__u8 flags;           /* state (2 bits), P F C A D M */
	__u8 detect_mult;
	__u8 length;
	__be32 my_disc;
	__be32 your_disc;
	__be32 desired_min_tx_us;
	__be32 required_min_rx_us;
	__be32 required_min_echo_rx_us;
};

#define BFD_VERSION 1
#define BFD_CTRL_LEN 24   /* mandatory section */
#define BFD_AUTH_MIN_LEN 26 /* RFC 5880 §6.8.6: with the A bit */
#define BFD_FLAG_P 0x20
#define BFD_FLAG_F 0x10
#define BFD_FLAG_A 0x04
#define BFD_FLAG_M 0x01

/* Returned by the BFD paths when the packet is not BFD for us after all:
 * the generic host/transit decision takes it. */
#define NOT_BFD (-1)

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

/* The health map (common/health.h): one struct health_map, mmapped by
 * twinpathd (configuration) and twinpath-dp (live mask, periodic packets). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct health_map);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twp_health SEC(".maps");

/* One detection timer per link. A bpf_timer cannot live in an mmapable
 * map, hence its own map; pinned so every port's copy of the program arms
 * the same timer for a session, whichever port its packets come in on. */
struct bfd_timer {
	struct bpf_timer timer;
	__u32 link; /* index into health_map.link */
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEALTH_MAX_LINKS);
	__type(key, __u32);
	__type(value, struct bfd_timer);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} twp_bfd_timers SEC(".maps");

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

static __always_inline struct health_map *health(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&twp_health, &zero);
}

/* A BFD packet as parsed by ipv4()/ipv6(): addresses as four words in
 * network byte order (IPv4 in word 0, the rest zero). */
struct bfd_pkt {
	__u32 family;
	__u32 ttl;       /* TTL or hop limit */
	__u32 local;     /* destination is in twp_local_addrs */
	__u32 src[4];
	__u32 dst[4];
	struct udphdr *udp;
};

static __always_inline int addr_eq(const __u8 *cfg, const __u32 *a,
				   __u32 family)
{
	const __u32 *w = (const void *)cfg;

	if (w[0] != a[0])
		return 0;
	if (family == TWP_AF_INET)
		return 1;
	return w[1] == a[1] && w[2] == a[2] && w[3] == a[3];
}

/* What selects a session (RFC 5880 §6.8.6, RFC 5881 §3). */
struct bfd_key {
	__u32 ifindex;
	__u32 family;
	__u32 your_disc;
};

/* RFC 5880 §6.8.6: a nonzero Your Discriminator selects the session.
 * RFC 5881 §3: otherwise (and for echo packets, which carry none of ours)
 * "the interface over which the packet was received" does: single hop,
 * one session per link and family. Only selects: whether the packet really
 * belongs to the session is bfd_unbound()'s question. Returns the link
 * index, or HEALTH_MAX_LINKS for none. A global function: verified once on
 * its own, so the callers see one unknown index instead of one verifier
 * path per possible link. */
__noinline __u32 bfd_session_find(const struct bfd_key *k)
{
	struct health_map *h = health();

	if (!h || !k)
		return HEALTH_MAX_LINKS;
	if (k->your_disc) {
		for (__u32 i = 0; i < HEALTH_MAX_LINKS; i++) {
			struct health_link *l = &h->link[i];

			if (l->cfg_enabled && l->local_disc == k->your_disc)
				return i;
		}
	}
	/* An unknown nonzero discriminator too: the link's session is where
	 * BFD_DROP_YOUR_DISC is counted. */
	for (__u32 i = 0; i < HEALTH_MAX_LINKS; i++) {
		struct health_link *l = &h->link[i];

		if (l->cfg_enabled && l->ifindex == k->ifindex &&
		    l->family == k->family)
			return i;
	}
	return HEALTH_MAX_LINKS;
}

static __always_inline __u32 session_find(struct xdp_md *ctx,
					  const struct bfd_pkt *p,
					  __u32 your_disc)
{
	struct bfd_key k = {};

	k.ifindex = ctx->ingress_ifindex;
	k.family = p->family;
	k.your_disc = your_disc;
	return bfd_session_find(&k);
}

/* Is the packet addressed to the session at all? Control packets go to
 * our local address on the link; an echo packet to that address or, the
 * usual choice (RFC 5881 §4: an address that makes us forward it back), to
 * the peer's own. Anything else that is not one of our addresses either is
 * transit that merely uses a BFD port. */
static __always_inline int to_session(const struct health_link *l,
				      const struct bfd_pkt *p, int echo)
{
	if (p->family != l->family)
		return 0;
	return addr_eq(l->local_addr, p->dst, p->family) ||
	       (echo && addr_eq(l->peer_addr, p->dst, p->family));
}

/* RFC 5881 §3/§4: a single-hop session is bound to the interface it runs
 * on and to the addresses at both ends. A packet that names a session (by
 * Your Discriminator, or by arriving on its link) but came in on another
 * interface, from another source or to another of our addresses is not
 * that session's, whatever its TTL: discarded before it can change state,
 * arm a timer or be answered. Returns the reason, or BFD_DROP_MAX when the
 * packet is the session's. */
static __always_inline __u32 bfd_unbound(struct xdp_md *ctx,
					 const struct health_link *l,
					 const struct bfd_pkt *p, int echo)
{
	if (ctx->ingress_ifindex != l->ifindex)
		return BFD_DROP_WRONG_IF;
	if (p->family != l->family || !addr_eq(l->peer_addr, p->src, p->family))
		return BFD_DROP_WRONG_SRC;
	if (!to_session(l, p, echo))
		return BFD_DROP_WRONG_DST;
	return BFD_DROP_MAX;
}

/* Counters shared by every CPU that sees the session's packets (and the
 * timer callback): atomic adds. */
static __always_inline void count(__u64 *n)
{
	__sync_fetch_and_add(n, 1);
}

static __always_inline int bfd_drop(struct health_link *l, enum bfd_drop why)
{
	count(&l->drop[why]);
	return verdict(XDP_STAT_BFD_CONSUMED, XDP_DROP);
}

static __always_inline void live_set(struct health_map *h, __u32 idx)
{
	__sync_fetch_and_or(&h->live_mask, 1ULL << (idx & 63));
}

static __always_inline void live_clear(struct health_map *h, __u32 idx)
{
	__sync_fetch_and_and(&h->live_mask, ~(1ULL << (idx & 63)));
}

/* One place for every state change: timestamps, transition counters and
 * the live bit. KEEP_LIVE: RFC 5882 §3.2, the peer going AdminDown is not
 * a connectivity failure, so the data plane keeps using the link. */
static __always_inline void state_set(struct health_map *h, __u32 idx,
				      __u32 state, __u32 diag, int keep_live,
				      __u64 now)
{
	struct health_link *l = &h->link[idx & (HEALTH_MAX_LINKS - 1)];
	__u32 old = l->state;

	if (old == state)
		return;
	l->state = state;
	l->local_diag = diag;
	l->last_change_ns = now;
	if (state == BFD_STATE_UP) {
		count(&l->up_count);
		live_set(h, idx);
	} else if (old == BFD_STATE_UP && state == BFD_STATE_DOWN) {
		/* who declared it, as it is now: the packets that follow move
		 * the diagnostic and last_rx_ns on at once */
		l->down_diag = diag;
		l->down_remote_state = l->remote_state;
		l->down_remote_diag = l->remote_diag;
		l->down_detect_us = l->detect_time_us;
		l->down_rx_gap_ns = now - l->last_rx_ns;
		l->down_ns = now;
		count(&l->down_count);
		if (!keep_live)
			live_clear(h, idx);
	}
}

/* RFC 5880 §6.8.4: no valid packet for the detection time while Init or
 * Up -> Down, diagnostic 1. */
static int detect_expired(void *map, __u32 *key, struct bfd_timer *t)
{
	struct health_map *h = health();
	struct health_link *l;
	__u32 idx = *key;
	__u64 now;

	(void)map;
	(void)t;
	if (!h || idx >= HEALTH_MAX_LINKS)
		return 0;
	l = &h->link[idx];
	if (l->state != BFD_STATE_INIT && l->state != BFD_STATE_UP)
		return 0;
	/* A packet on another CPU may have landed while this callback was
	 * already on its way; it re-armed the timer, let that one decide. */
	now = bpf_ktime_get_ns();
	if (now - l->last_rx_ns < (__u64)l->detect_time_us * 1000)
		return 0;
	state_set(h, idx, BFD_STATE_DOWN, BFD_DIAG_DETECT_EXPIRED, 0, now);
	return 0;
}

/* (Re)arm the session's detection timer. Initialised lazily: bpf_timer
 * needs a program to set it up, and the first valid packet is the first
 * moment one runs. The callback is set on every arming so the most recent
 * program copy owns it (a port whose program went away frees its copy). */
static __always_inline void timer_arm(__u32 idx, __u32 detect_us)
{
	struct bfd_timer *t = bpf_map_lookup_elem(&twp_bfd_timers, &idx);
	long err;

	if (!t || !detect_us)
		return;
	t->link = idx;
	err = bpf_timer_init(&t->timer, &twp_bfd_timers, TWP_CLOCK_MONOTONIC);
	if (err && err != -TWP_EBUSY)
		return;
	bpf_timer_set_callback(&t->timer, detect_expired);
	bpf_timer_start(&t->timer, (__u64)detect_us * 1000, 0);
}

static __always_inline __u16 csum_fold(__s64 wsum)
{
	__u32 sum = (__u32)wsum;

	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

static __always_inline void swap_eth(struct ethhdr *eth)
{
	__u8 mac[ETH_ALEN];

	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
}

static __always_inline void swap_ip4(struct iphdr *ip)
{
	__u32 a = ip->saddr;

	ip->saddr = ip->daddr;
	ip->daddr = a;
}

static __always_inline void swap_ip6(struct ipv6hdr *ip6)
{
	struct in6_addr a = ip6->saddr;

	ip6->saddr = ip6->daddr;
	ip6->daddr = a;
}

#define FINAL4_LEN (sizeof(struct ethhdr) + sizeof(struct iphdr) + \
		    sizeof(struct udphdr) + BFD_CTRL_LEN)
#define FINAL6_LEN (sizeof(struct ethhdr) + sizeof(struct ipv6hdr) + \
		    sizeof(struct udphdr) + BFD_CTRL_LEN)

/* Our control packet, from the session state, into B. RFC 5880 §6.8.7 as
 * twinpath-dp builds it, with F set (§6.5: the Final to a Poll). */
static __always_inline void ctrl_fill(struct bfd_ctrl *b,
				      const struct health_link *l)
{
	__u32 tx = l->desired_min_tx_us;

	/* RFC 5880 §6.8.3: at least one second while the session is not Up. */
	if (l->state != BFD_STATE_UP && tx < BFD_SLOW_TX_US)
		tx = BFD_SLOW_TX_US;
	b->vers_diag = (BFD_VERSION << 5) | (l->local_diag & 0x1f);
	b->flags = ((l->state & 3) << 6) | BFD_FLAG_F;
	b->detect_mult = (__u8)l->detect_mult;
	b->length = BFD_CTRL_LEN;
	b->my_disc = bpf_htonl(l->local_disc);
	b->your_disc = bpf_htonl(l->remote_disc);
	b->desired_min_tx_us = bpf_htonl(tx);
	b->required_min_rx_us = bpf_htonl(l->required_min_rx_us);
	/* We never ask for echo packets (we reflect them all the same). */
	b->required_min_echo_rx_us = 0;
}

static __always_inline __u16 src_port(const struct health_link *l)
{
	/* RFC 5881 §4: 49152..65535; a config that says otherwise gets the
	 * lowest allowed port rather than an invalid packet. */
	if (l->src_port < BFD_SRC_PORT_MIN || l->src_port > 65535)
		return BFD_SRC_PORT_MIN;
	return (__u16)l->src_port;
}

/* A Poll answered at once (RFC 5880 §6.5): the packet becomes our control
 * packet with F set, back out of the port it came in on (XDP_TX). Anything
 * past the mandatory section (UDP padding) is cut first. */
static __always_inline int final_send(struct xdp_md *ctx, struct health_link *l,
				      __u32 family)
{
	__u32 want = family == TWP_AF_INET ? FINAL4_LEN : FINAL6_LEN;
	__u64 have = bpf_xdp_get_buff_len(ctx);
	void *data, *end;
	struct udphdr *udp;
	struct bfd_ctrl *b;
	__s64 sum;

	if (have > want && bpf_xdp_adjust_tail(ctx, (int)want - (int)have))
		return bfd_drop(l, BFD_DROP_LENGTH);
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	if (data + want > end)
		return bfd_drop(l, BFD_DROP_LENGTH);

	if (family == TWP_AF_INET) {
		struct iphdr *ip = data + sizeof(struct ethhdr);
		struct {
			__be32 src, dst;
			__u8 zero, proto;
			__be16 len;
		} ph = {};

		if (data + FINAL4_LEN > end)
			return bfd_drop(l, BFD_DROP_LENGTH);
		swap_eth(data);
		swap_ip4(ip);
		ip->ttl = BFD_TTL; /* RFC 5881 §5 */
		ip->tot_len = bpf_htons(FINAL4_LEN - sizeof(struct ethhdr));
		ip->check = 0;
		ip->check = csum_fold(bpf_csum_diff(0, 0, (void *)ip,
						    sizeof(*ip), 0));
		udp = (void *)(ip + 1);
		ph.src = ip->saddr;
		ph.dst = ip->daddr;
		ph.proto = TWP_IPPROTO_UDP;
		ph.len = bpf_htons(sizeof(*udp) + BFD_CTRL_LEN);
		sum = bpf_csum_diff(0, 0, (void *)&ph, sizeof(ph), 0);
	} else {
		struct ipv6hdr *ip6 = data + sizeof(struct ethhdr);
		struct {
			struct in6_addr src, dst;
			__be32 len;
			__u8 zero[3], next;
		} ph = {};

		if (data + FINAL6_LEN > end)
			return bfd_drop(l, BFD_DROP_LENGTH);
		swap_eth(data);
		swap_ip6(ip6);
		ip6->hop_limit = BFD_TTL; /* RFC 5881 §5 */
		ip6->payload_len = bpf_htons(sizeof(*udp) + BFD_CTRL_LEN);
		udp = (void *)(ip6 + 1);
		ph.src = ip6->saddr;
		ph.dst = ip6->daddr;
		ph.len = bpf_htonl(sizeof(*udp) + BFD_CTRL_LEN);
		ph.next = TWP_IPPROTO_UDP;
		sum = bpf_csum_diff(0, 0, (void *)&ph, sizeof(ph), 0);
	}
	udp->source = bpf_htons(src_port(l));
	udp->dest = bpf_htons(BFD_CTRL_PORT);
	udp->len = bpf_htons(sizeof(*udp) + BFD_CTRL_LEN);
	udp->check = 0;
	b = (void *)(udp + 1);
	ctrl_fill(b, l);
	/* IPv4 could send 0; IPv6 must not (RFC 8200 §8.1): one rule for
	 * both. 0 computed is sent as 0xffff (RFC 768). */
	sum = bpf_csum_diff(0, 0, (void *)udp, sizeof(*udp) + BFD_CTRL_LEN,
			    (__u32)sum);
	udp->check = csum_fold(sum) ?: 0xffff;
	count(&l->finals_sent);
	return verdict(XDP_STAT_BFD_TX, XDP_TX);
}

/* The session's binding to its link (RFC 5881 §3), RFC 5880 §6.8.6 in
 * order, then the state machine. */
static __always_inline int bfd_ctrl_rx(struct xdp_md *ctx, struct bfd_pkt *p,
				       void *end)
{
	struct health_map *h = health();
	struct udphdr *udp = p->udp;
	struct bfd_ctrl *b = (void *)(udp + 1);
	struct health_link *l;
	__u32 idx, your = 0, udp_len, rstate, state, detect_us, agreed, why;
	__u64 now, detect;
	__u8 flags;

	if (!h)
		return NOT_BFD;
	if ((void *)(b + 1) <= end)
		your = bpf_ntohl(b->your_disc);
	idx = session_find(ctx, p, your);
	if (idx >= HEALTH_MAX_LINKS) {
		if (!p->local)
			return NOT_BFD; /* not to us: transit like any UDP */
		return verdict(XDP_STAT_BFD_NO_SESSION, XDP_DROP);
	}
	l = &h->link[idx];
	if (!p->local && !to_session(l, p, 0))
		return NOT_BFD;
	why = bfd_unbound(ctx, l, p, 0);
	if (why < BFD_DROP_MAX)
		return bfd_drop(l, why);

	/* RFC 5881 §5 (GTSM): only a directly connected peer can send 255. */
	if (p->ttl != BFD_TTL)
		return bfd_drop(l, BFD_DROP_TTL);
	/* "If the version number is not correct (1), discard." */
	if ((void *)b + 1 <= end && (*(__u8 *)b >> 5) != BFD_VERSION)
		return bfd_drop(l, BFD_DROP_VERSION);
	/* "If the Length field is less than the minimum correct value (24 if
	 * the A bit is clear, or 26 if the A bit is set), discard." The UDP
	 * length must also fit the frame, or nothing below is trustworthy. */
	if ((void *)(b + 1) > end)
		return bfd_drop(l, BFD_DROP_LENGTH);
	udp_len = bpf_ntohs(udp->len);
	if (udp_len < sizeof(*udp) + BFD_CTRL_LEN || (void *)udp + udp_len > end)
		return bfd_drop(l, BFD_DROP_LENGTH);
	flags = b->flags;
	if (b->length < BFD_CTRL_LEN ||
	    ((flags & BFD_FLAG_A) && b->length < BFD_AUTH_MIN_LEN))
		return bfd_drop(l, BFD_DROP_LENGTH);
	/* "If the Length field is greater than the payload of the
	 * encapsulating protocol, discard." */
	if (b->length > udp_len - sizeof(*udp))
		return bfd_drop(l, BFD_DROP_LENGTH);
	/* "If the Detect Mult field is zero, discard." */
	if (!b->detect_mult)
		return bfd_drop(l, BFD_DROP_DETECT_MULT);
	/* "If the Multipoint (M) bit is nonzero, discard." */
	if (flags & BFD_FLAG_M)
		return bfd_drop(l, BFD_DROP_MULTIPOINT);
	/* "If the My Discriminator field is zero, discard." */
	if (!b->my_disc)
		return bfd_drop(l, BFD_DROP_MY_DISC);
	rstate = flags >> 6;
	/* "If the Your Discriminator field is nonzero, it MUST be used to
	 * select the session ... If no session is found, discard." Counted
	 * on the session of the link it arrived on. */
	if (your && your != l->local_disc)
		return bfd_drop(l, BFD_DROP_YOUR_DISC);
	/* "If the Your Discriminator field is zero and the State field is not
	 * Down or AdminDown, discard." */
	if (!your && rstate != BFD_STATE_DOWN && rstate != BFD_STATE_ADMIN_DOWN)
		return bfd_drop(l, BFD_DROP_YOUR_DISC_ZERO);
	/* "If the A bit is set and no authentication is in use, discard." */
	if (flags & BFD_FLAG_A)
		return bfd_drop(l, BFD_DROP_AUTH);
	/* RFC 5880 §4.1/§6.5: P and F are never set together. */
	if ((flags & BFD_FLAG_P) && (flags & BFD_FLAG_F))
		return bfd_drop(l, BFD_DROP_POLL_FINAL);

	/* "Set bfd.RemoteDiscr to My Discriminator", RemoteSessionState,
	 * RemoteMinRxInterval; the peer's Desired Min TX and multiplier give
	 * the detection time (§6.8.4). */
	now = bpf_ktime_get_ns();
	l->remote_disc = bpf_ntohl(b->my_disc);
	l->remote_state = rstate;
	l->remote_min_rx_us = bpf_ntohl(b->required_min_rx_us);
	l->remote_min_tx_us = bpf_ntohl(b->desired_min_tx_us);
	l->remote_mult = b->detect_mult;
	l->remote_diag = b->vers_diag & 0x1f;
	/* RFC 5880 §6.8.6: "If the Final (F) bit is set, terminate the
	 * Poll Sequence" of ours (twinpathd's poll_seq, common/health.h):
	 * from this packet on the changed timers are in force. */
	if ((flags & BFD_FLAG_F) && health_poll_pending(l)) {
		l->poll_final_seq = l->poll_seq;
		count(&l->polls_ended);
	}
	/* RFC 5880 §6.8.3: a reduced Required Min RX counts only once the
	 * Poll that announces it has ended */
	agreed = health_rx_in_force_us(l);
	if (l->remote_min_tx_us > agreed)
		agreed = l->remote_min_tx_us;
	detect = (__u64)b->detect_mult * agreed;
	detect_us = detect > 0xffffffffULL ? 0xffffffffU : (__u32)detect;
	l->detect_time_us = detect_us;

	/* "If bfd.SessionState is AdminDown, discard the packet." */
	if (l->cfg_admin_down) {
		/* Entered here (XDP runs only on packets). Not a failure: the
		 * live bit is left as it was (RFC 5882 §3.2 by analogy). */
		state_set(h, idx, BFD_STATE_ADMIN_DOWN, BFD_DIAG_ADMIN_DOWN, 1,
			  now);
		/* A fresh session already reads AdminDown (0): say why. */
		l->local_diag = BFD_DIAG_ADMIN_DOWN;
		return bfd_drop(l, BFD_DROP_DISABLED);
	}
	/* Out of AdminDown (also a fresh session: the map starts at 0). The
	 * session is a failure detector again: not live until Up. */
	if (l->state == BFD_STATE_ADMIN_DOWN) {
		state_set(h, idx, BFD_STATE_DOWN, BFD_DIAG_NONE, 0, now);
		live_clear(h, idx);
	}

	state = l->state;
	if (rstate == BFD_STATE_ADMIN_DOWN) {
		/* "If received state is AdminDown: if bfd.SessionState is not
		 * Down, set bfd.LocalDiag to 3 and bfd.SessionState to Down."
		 * RFC 5882 §3.2: not a failure, keep the live bit. */
		if (state != BFD_STATE_DOWN)
			state_set(h, idx, BFD_STATE_DOWN,
				  BFD_DIAG_NEIGHBOR_DOWN, 1, now);
	} else {
		if (state == BFD_STATE_DOWN) {
			if (rstate == BFD_STATE_DOWN)
				state_set(h, idx, BFD_STATE_INIT,
					  BFD_DIAG_NONE, 0, now);
			else if (rstate == BFD_STATE_INIT)
				state_set(h, idx, BFD_STATE_UP,
					  BFD_DIAG_NONE, 0, now);
		} else if (state == BFD_STATE_INIT) {
			if (rstate == BFD_STATE_INIT || rstate == BFD_STATE_UP)
				state_set(h, idx, BFD_STATE_UP,
					  BFD_DIAG_NONE, 0, now);
		} else if (rstate == BFD_STATE_DOWN) {
			/* Up: "If received State is Down, set bfd.LocalDiag
			 * to 3 and bfd.SessionState to Down." */
			state_set(h, idx, BFD_STATE_DOWN,
				  BFD_DIAG_NEIGHBOR_DOWN, 0, now);
		}
		/* The peer is back from AdminDown: a live bit kept for it
		 * stands only while the session is Up. */
		if (l->state != BFD_STATE_UP)
			live_clear(h, idx);
	}

	l->last_rx_ns = now;
	count(&l->rx_valid);
	timer_arm(idx, detect_us);

	/* "If the Poll (P) bit is set, send a BFD Control packet to the remote
	 * system with the Poll (P) bit clear, and the Final (F) bit set." */
	if (flags & BFD_FLAG_P)
		return final_send(ctx, l, p->family);
	return verdict(XDP_STAT_BFD_CONSUMED, XDP_DROP);
}

/* RFC 5880 §6.4 / RFC 5881 §4: an echo packet is the peer's own to loop
 * back through our forwarding path; reflected as it came, only the L2 and
 * L3 addresses swapped (swapping keeps both checksums valid). Only on a
 * link that runs a session, from the session's peer, to our address on the
 * link or to the peer's own (bfd_unbound): the responder reflects for its
 * peer, not for whoever reaches one of our addresses. */
static __always_inline int bfd_echo_rx(struct xdp_md *ctx, struct bfd_pkt *p,
				       void *l3, void *end)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	struct health_map *h = health();
	struct health_link *l;
	__u32 idx, why;

	if (!h)
		return NOT_BFD;
	idx = session_find(ctx, p, 0);
	if (idx >= HEALTH_MAX_LINKS) {
		if (!p->local)
			return NOT_BFD;
		return verdict(XDP_STAT_BFD_NO_SESSION, XDP_DROP);
	}
	l = &h->link[idx];
	if (!p->local && !to_session(l, p, 1))
		return NOT_BFD;
	why = bfd_unbound(ctx, l, p, 1);
	if (why < BFD_DROP_MAX)
		return bfd_drop(l, why);
	if (l->cfg_admin_down)
		return bfd_drop(l, BFD_DROP_DISABLED);
	if ((void *)(eth + 1) > end) /* known already; for the verifier */
		return NOT_BFD;
	swap_eth(eth);
	if (p->family == TWP_AF_INET)
		swap_ip4(l3);
	else
		swap_ip6(l3);
	count(&l->echo_reflected);
	return verdict(XDP_STAT_BFD_TX, XDP_TX);
}

/* BFD checks run before the generic local-address PASS: control and echo
 * packets to us never reach the kernel. */
static __always_inline int bfd_rx(struct xdp_md *ctx, struct bfd_pkt *p,
				  void *l3, void *end)
{
	struct udphdr *udp = p->udp;

	if ((void *)(udp + 1) > end)
		return NOT_BFD;
	if (udp->dest == bpf_htons(BFD_CTRL_PORT))
		return bfd_ctrl_rx(ctx, p, end);
	if (udp->dest == bpf_htons(BFD_ECHO_PORT))
		return bfd_echo_rx(ctx, p, l3, end);
	return NOT_BFD;
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
	key.family = TWP_AF_INET;
	__builtin_memcpy(key.addr, &dst, sizeof(dst));
	/* BFD: UDP without options or fragments (RFC 5881 packets have
	 * neither); anything else takes the generic path. */
	if (ip->protocol == TWP_IPPROTO_UDP && ip->ihl == 5 &&
	    !(ip->frag_off & bpf_htons(0x3fff))) {
		struct bfd_pkt p = {};
		int ret;

		p.family = TWP_AF_INET;
		p.ttl = ip->ttl;
		p.src[0] = ip->saddr;
		p.dst[0] = dst;
		p.udp = (void *)(ip + 1);
		p.local = is_local(&key);
		ret = bfd_rx(ctx, &p, ip, end);
		if (ret != NOT_BFD)
			return ret;
	}
	/* 224.0.0.0/4 multicast and the limited broadcast are for the host
	 * (and would never be forwarded by a router anyway). Subnet-directed
	 * broadcasts are not known here; the kernel sees them as transit
	 * misses, which twinpath-dp does not forward either. */
	if ((bpf_ntohl(dst) & 0xf0000000u) == 0xe0000000u ||
	    dst == 0xffffffffu)
		return verdict(XDP_STAT_PASS_MCAST, XDP_PASS);
	/* key was set field by field above: a constant initializer would
	 * become a .rodata map the af_xdp PMD then has to load as well. */
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
	key.family = TWP_AF_INET6;
	__builtin_memcpy(key.addr, &ip6->daddr, sizeof(ip6->daddr));
	/* BFD: UDP right after the fixed header (RFC 5881 packets carry no
	 * extension headers). Before the link-local test: single-hop BFD may
	 * run between link-local addresses. */
	if (ip6->nexthdr == TWP_IPPROTO_UDP) {
		struct bfd_pkt p = {};
		int ret;

		p.family = TWP_AF_INET6;
		p.ttl = ip6->hop_limit;
		__builtin_memcpy(p.src, &ip6->saddr, sizeof(p.src));
		__builtin_memcpy(p.dst, &ip6->daddr, sizeof(p.dst));
		p.udp = (void *)(ip6 + 1);
		p.local = is_local(&key);
		ret = bfd_rx(ctx, &p, ip6, end);
		if (ret != NOT_BFD)
			return ret;
	}
	b0 = ip6->daddr.in6_u.u6_addr8[0];
	b1 = ip6->daddr.in6_u.u6_addr8[1];
	/* ff00::/8 multicast (ND, MLD) and fe80::/10 link-local: RFC 4291
	 * §2.5.6 forbids forwarding link-local destinations. */
	if (b0 == 0xff || (b0 == 0xfe && (b1 & 0xc0) == 0x80))
		return verdict(XDP_STAT_PASS_MCAST, XDP_PASS);
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
