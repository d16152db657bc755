/* twinpath-dp's numbers on the DPDK telemetry socket
 * (/var/run/dpdk/twinpath-<instance>/dpdk_telemetry.v2): /twinpath/ports,
 * /twinpath/drops, /twinpath/fib, /twinpath/nexthops, /twinpath/bfd,
 * /twinpath/xsk (the kernel's counters of our AF_XDP sockets), and
 * one knob, /twinpath/link_admin,NAME[,up|down]. The keys are an
 * interface: the integration tests and the demo read them. Runs on the
 * telemetry thread: per-lcore counters are summed on read, tables are
 * read under ctl_lock. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_telemetry.h>

#include "dp.h"
#include "log.h"
#include "susflow.h"
#include "xskstat.h"

static uint64_t sum_port(const uint64_t *first, size_t stride_u64,
			 unsigned int n)
{
	uint64_t s = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		s += __atomic_load_n(first + i * stride_u64, __ATOMIC_RELAXED);
	return s;
}

#define SUM(field)                                                        \
	sum_port(&(field), sizeof(struct dp_lcore_stats) / sizeof(uint64_t), \
		 RTE_MAX_LCORE)

static int tel_ports(const char *cmd, const char *params,
		     struct rte_tel_data *out)
{
	struct xsk_counters xsk;
	unsigned int live;
	uint16_t p;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(out);
	for (p = 0; p < dp.n_ports; p++) {
		struct rte_tel_data *port = rte_tel_data_alloc();

		if (port == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(port);
		rte_tel_data_add_dict_u64(port, "index", p);
		rte_tel_data_add_dict_u64(port, "port_id", dp.ports[p].port_id);
		rte_tel_data_add_dict_string(port, "interface",
					     dp.ports[p].ifname);
		rte_tel_data_add_dict_string(port, "device",
					     dp.ports[p].device);
		rte_tel_data_add_dict_u64(port, "rx_packets",
					  SUM(dp.stats[0].rx[p]));
		rte_tel_data_add_dict_u64(port, "tx_packets",
					  SUM(dp.stats[0].tx[p]));
		rte_tel_data_add_dict_u64(port, "tx_dropped",
					  SUM(dp.stats[0].tx_dropped[p]));
		xskstat_port(p, &xsk, &live);
		rte_tel_data_add_dict_u64(port, "xsk_dropped",
					  xsk_counters_dropped(&xsk));
		rte_tel_data_add_dict_u64(port, "mtu", dp.ports[p].mtu);
		rte_tel_data_add_dict_u64(port, "icmp_errors_sent",
					  SUM(dp.stats[0].icmp_tx[p]));
		rte_tel_data_add_dict_u64(port, "link_up", dp.nhg.link_up[p]);
		rte_tel_data_add_dict_u64(port, "admin_up",
					  !dp.nhg.admin_down[p]);
		rte_tel_data_add_dict_container(out, dp.ports[p].name, port, 0);
	}
	return 0;
}

static int tel_drops(const char *cmd, const char *params,
		     struct rte_tel_data *out)
{
	unsigned int r;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(out);
	for (r = 0; r < DROP_MAX; r++)
		rte_tel_data_add_dict_u64(out, dp_drop_names[r],
					  SUM(dp.stats[0].drop[r]));
	return 0;
}

static int tel_icmp(const char *cmd, const char *params,
		    struct rte_tel_data *out)
{
	uint64_t sent = 0;
	uint16_t p;

	(void)cmd;
	(void)params;
	for (p = 0; p < dp.n_ports; p++)
		sent += SUM(dp.stats[0].icmp_tx[p]);
	rte_tel_data_start_dict(out);
	rte_tel_data_add_dict_u64(out, "sent", sent);
	rte_tel_data_add_dict_u64(out, "time_exceeded_sent",
				  SUM(dp.stats[0].icmp_time_exceeded));
	rte_tel_data_add_dict_u64(out, "frag_needed_sent",
				  SUM(dp.stats[0].icmp_frag_needed));
	rte_tel_data_add_dict_u64(out, "net_unreachable_sent",
				  SUM(dp.stats[0].icmp_net_unreachable));
	rte_tel_data_add_dict_u64(out, "icmp6_time_exceeded",
				  SUM(dp.stats[0].icmp6_time_exceeded));
	rte_tel_data_add_dict_u64(out, "icmp6_too_big",
				  SUM(dp.stats[0].icmp6_too_big));
	rte_tel_data_add_dict_u64(out, "icmp6_unreachable",
				  SUM(dp.stats[0].icmp6_unreachable));
	rte_tel_data_add_dict_u64(out, "fragmented",
				  SUM(dp.stats[0].fragmented));
	rte_tel_data_add_dict_u64(out, "rate_limited",
				  SUM(dp.stats[0].icmp_rate_limited));
	rte_tel_data_add_dict_u64(out, "suppressed",
				  SUM(dp.stats[0].icmp_suppressed));
	rte_tel_data_add_dict_u64(out, "per_second_per_port",
				  dp.cfg->dataplane.icmp_errors_per_s);
	rte_tel_data_add_dict_u64(out, "burst", dp.cfg->dataplane.icmp_burst);
	return 0;
}

static const char *const ingress_names[] = {
	[CFG_INGRESS_OFF] = "off",
	[CFG_INGRESS_LOOSE] = "loose",
	[CFG_INGRESS_STRICT] = "strict",
};

/* What the fast path lets through or refuses beyond the header checks
 * (the refused are in /twinpath/drops): IPv4 packets with options let
 * through, the options policy, each port's ingress_filter. */
static int tel_filter(const char *cmd, const char *params,
		      struct rte_tel_data *out)
{
	uint16_t p;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(out);
	rte_tel_data_add_dict_u64(out, "ip_options",
				  SUM(dp.stats[0].ip_options));
	rte_tel_data_add_dict_string(out, "ip_options_policy",
				     dp.filter.options_drop ? "drop"
							    : "forward");
	for (p = 0; p < dp.n_ports; p++)
		rte_tel_data_add_dict_string(out, dp.ports[p].name,
			ingress_names[dp.filter.mode[p]]);
	return 0;
}

static int tel_fib(const char *cmd, const char *params,
		   struct rte_tel_data *out)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(out);
	pthread_mutex_lock(&dp.ctl_lock);
	rte_tel_data_add_dict_u64(out, "generation", dp.applied_generation);
	rte_tel_data_add_dict_u64(out, "routes", dp.n_routes);
	/* in rte_fib: a bulk's held-back changes are not there yet */
	rte_tel_data_add_dict_u64(out, "routes_ipv4",
				  (uint64_t)((int64_t)(dp.n_routes - dp.n_routes6) -
					     fib_bulk_lpm_delta(&dp)));
	rte_tel_data_add_dict_u64(out, "routes_ipv6", dp.n_routes6);
	rte_tel_data_add_dict_u64(out, "nexthops", dp.nhg.n_nexthops);
	rte_tel_data_add_dict_u64(out, "groups", dp.nhg.n_groups);
	rte_tel_data_add_dict_u64(out, "records_applied", dp.records_applied);
	rte_tel_data_add_dict_u64(out, "records_invalid", dp.records_invalid);
	/* valid but refused, as by a full route table */
	rte_tel_data_add_dict_u64(out, "records_failed", dp.records_failed);
	/* IPv4 route changes held back and written in prefix order */
	rte_tel_data_add_dict_u64(out, "bulk_pending", dp.bulk.n);
	rte_tel_data_add_dict_u64(out, "bulk_flushes", dp.bulk.flushes);
	rte_tel_data_add_dict_u64(out, "bulk_written", dp.bulk.written);
	rte_tel_data_add_dict_u64(out, "bulk_failed", dp.bulk.failed);
	/* destinations looked up again after a torn read (dp.h FIB_MISS) */
	rte_tel_data_add_dict_u64(out, "lookups_retried",
				  SUM(dp.stats[0].fib_relookups));
	/* the FIB digest (common/fibdigest.h), as twinpathd compares it */
	rte_tel_data_add_dict_u64(out, "digest_routes",
				  dp.nhg.digest.part[FIB_DIGEST_ROUTES]);
	rte_tel_data_add_dict_u64(out, "digest_groups",
				  dp.nhg.digest.part[FIB_DIGEST_GROUPS]);
	rte_tel_data_add_dict_u64(out, "digest_nexthops",
				  dp.nhg.digest.part[FIB_DIGEST_NEXTHOPS]);
	pthread_mutex_unlock(&dp.ctl_lock);
	return 0;
}

/* At most RTE_TEL_MAX_DICT_ENTRIES nexthops fit in one answer. */
static int tel_nexthops(const char *cmd, const char *params,
			struct rte_tel_data *out)
{
	unsigned int id, n = 0;
	char key[16], addr[64];
	int rc = 0;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(out);
	pthread_mutex_lock(&dp.ctl_lock);
	for (id = 1; id < NH_MAX && n < RTE_TEL_MAX_DICT_ENTRIES; id++) {
		const struct nexthop *nh = dp.nhg.nh[id];
		struct rte_tel_data *e;
		struct cfg_addr gw;

		if (nh == NULL)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL) {
			rc = -ENOMEM;
			break;
		}
		memset(&gw, 0, sizeof(gw));
		gw.family = nh->family;
		gw.len = nh->family == AF_INET ? 32 : 128;
		memcpy(gw.addr, nh->gateway, sizeof(gw.addr));
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_u64(e, "port", nh->port);
		rte_tel_data_add_dict_string(e, "gateway",
					     cfg_addr_str(&gw, addr,
							  sizeof(addr)));
		snprintf(addr, sizeof(addr), RTE_ETHER_ADDR_PRT_FMT,
			 RTE_ETHER_ADDR_BYTES(&nh->mac));
		rte_tel_data_add_dict_string(e, "mac", addr);
		rte_tel_data_add_dict_u64(e, "resolved", nh->resolved);
		snprintf(key, sizeof(key), "%u", id);
		rte_tel_data_add_dict_container(out, key, e, 0);
		n++;
	}
	pthread_mutex_unlock(&dp.ctl_lock);
	return rc;
}

static const char *bfd_state_name(uint32_t s)
{
	static const char *const names[] = {"admin_down", "down", "init",
					    "up"};

	return s < RTE_DIM(names) ? names[s] : "invalid";
}

/* Per BFD-configured link: the session as the XDP program sees it and
 * what this process sent. Ages in ms, -1 (as u64 max) when never. */
/* Link suspicion (suspect.h) of link I into its /twinpath/bfd entry E
 * (suspect { } needs bfd { }): read while the main lcore writes, word
 * by word, as the counters are. */
static void suspect_dict(struct rte_tel_data *e, unsigned int i,
			 uint64_t now_ns)
{
	static const char *const kinds[SUSPECT_KINDS] = {
		"suspect_peak_silence_milli", "suspect_peak_unanswered_milli",
		"suspect_peak_distress_milli", "suspect_peak_bfd_late_milli",
	};
	const struct suspect_link *l;
	uint64_t w;
	unsigned int k;
	char ev[64];

	if (i >= dp.suspect.n_links || !dp.suspect.link[i].p.enabled)
		return;
	l = &dp.suspect.link[i];
	w = suspect_window_ns(l);
	rte_tel_data_add_dict_string(e, "suspect_state",
				     suspect_state_name(l->state));
	rte_tel_data_add_dict_string(e, "suspect_evidence",
		suspect_ev_names(l->evidence, ev, sizeof(ev)));
	rte_tel_data_add_dict_string(e, "suspect_raised_by",
		suspect_ev_names(l->raised_by, ev, sizeof(ev)));
	rte_tel_data_add_dict_u64(e, "suspect_since_ms",
		l->since_ns != 0 && now_ns > l->since_ns ?
		(now_ns - l->since_ns) / 1000000 : 0);
	rte_tel_data_add_dict_u64(e, "suspect_rx_pps", (uint64_t)l->rate_pps);
	rte_tel_data_add_dict_u64(e, "suspect_window_ms",
				  w == UINT64_MAX ? 0 : w / 1000000);
	rte_tel_data_add_dict_u64(e, "suspect_hold_ms", l->hold_ns / 1000000);
	rte_tel_data_add_dict_u64(e, "suspicions", l->suspicions);
	rte_tel_data_add_dict_u64(e, "suspect_confirmed", l->confirmed);
	rte_tel_data_add_dict_u64(e, "suspect_cleared", l->cleared);
	rte_tel_data_add_dict_u64(e, "suspect_abstained", l->abstained);
	/* how close the evidence came (suspect.h, SUSPECT_RATIO_CAP), in
	 * thousandths (DPDK 22.11's telemetry has no doubles); the peak's
	 * time is CLOCK_MONOTONIC, 0 while it is 0 */
	rte_tel_data_add_dict_u64(e, "suspect_score_milli",
				  (uint64_t)(l->score * 1000.0 + 0.5));
	rte_tel_data_add_dict_u64(e, "suspect_peak_score_milli",
				  (uint64_t)(l->peak_score * 1000.0 + 0.5));
	rte_tel_data_add_dict_string(e, "suspect_peak_pair",
		suspect_ev_names(l->peak_pair, ev, sizeof(ev)));
	rte_tel_data_add_dict_u64(e, "suspect_peak_ns", l->peak_ns);
	for (k = 0; k < SUSPECT_KINDS; k++)
		rte_tel_data_add_dict_u64(e, kinds[k],
			(uint64_t)(l->ratio_peak[k] * 1000.0 + 0.5));
	/* the main lcore's own holes (suspect.h), the same for every link */
	rte_tel_data_add_dict_u64(e, "suspect_late_ticks",
				  dp.suspect.late_ticks);
	/* the sampled flows (susflow.h), also the same for every link:
	 * packets noted, entries taken over, and records the forwarding
	 * lcores could not put in their full rings */
	if (dp.flows != NULL) {
		rte_tel_data_add_dict_u64(e, "suspect_flows_noted",
					  dp.flows->noted);
		rte_tel_data_add_dict_u64(e, "suspect_flows_replaced",
					  dp.flows->replaced);
	}
	rte_tel_data_add_dict_u64(e, "suspect_flows_dropped",
				  SUM(dp.stats[0].susflow_dropped));
}

static int tel_bfd(const char *cmd, const char *params,
		   struct rte_tel_data *out)
{
	const struct health_map *h = dp.health;
	struct timespec ts;
	uint64_t now_ns, live;
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(out);
	if (h == NULL)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	live = __atomic_load_n(&h->live_mask, __ATOMIC_RELAXED);
	for (i = 0; i < dp.cfg->n_links && i < HEALTH_MAX_LINKS; i++) {
		const struct health_link *hl = &h->link[i];
		const struct health_tx *tx = &dp.bfd_tx[i];
		struct rte_tel_data *e;
		uint64_t rx = hl->last_rx_ns;

		if (!dp.cfg->links[i].bfd.enabled && !hl->cfg_enabled)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL)
			return -ENOMEM;
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_u64(e, "enabled", hl->cfg_enabled);
		rte_tel_data_add_dict_string(e, "state",
					     bfd_state_name(hl->state));
		rte_tel_data_add_dict_string(e, "remote_state",
					     bfd_state_name(hl->remote_state));
		rte_tel_data_add_dict_u64(e, "local_disc", hl->local_disc);
		rte_tel_data_add_dict_u64(e, "remote_disc", hl->remote_disc);
		rte_tel_data_add_dict_u64(e, "tx_packets", hl->tx_packets);
		rte_tel_data_add_dict_u64(e, "rx_valid", hl->rx_valid);
		rte_tel_data_add_dict_u64(e, "last_rx_age_ms",
			rx != 0 && now_ns >= rx ? (now_ns - rx) / 1000000 :
						  UINT64_MAX);
		rte_tel_data_add_dict_u64(e, "live", (live >> i) & 1);
		rte_tel_data_add_dict_u64(e, "tx_unresolved",
					  __atomic_load_n(&tx->unresolved,
							  __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(e, "tx_link_down",
					  __atomic_load_n(&tx->link_down,
							  __ATOMIC_RELAXED));
		rte_tel_data_add_dict_u64(e, "tx_dropped",
					  SUM(dp.stats[0].bfd_tx_dropped[i]) +
					  tx->no_mbuf + tx->ring_full);
		suspect_dict(e, i, now_ns);
		rte_tel_data_add_dict_container(out, dp.cfg->links[i].name, e,
						0);
	}
	return 0;
}

static void xsk_counters_dict(struct rte_tel_data *e,
			      const struct xsk_counters *c)
{
	rte_tel_data_add_dict_u64(e, "xsk_tx_invalid", c->tx_invalid);
	rte_tel_data_add_dict_u64(e, "xsk_rx_invalid", c->rx_invalid);
	rte_tel_data_add_dict_u64(e, "xsk_rx_dropped", c->rx_dropped);
	rte_tel_data_add_dict_u64(e, "xsk_rx_ring_full", c->rx_ring_full);
	rte_tel_data_add_dict_u64(e, "xsk_dropped", xsk_counters_dropped(c));
	/* events, no drops: not in xsk_dropped */
	rte_tel_data_add_dict_u64(e, "xsk_fill_empty", c->fill_empty);
	rte_tel_data_add_dict_u64(e, "xsk_tx_ring_empty", c->tx_ring_empty);
}

/* /twinpath/xsk: per af_xdp port, the kernel's counters of its AF_XDP
 * sockets summed over its queues (read by the main lcore once a second),
 * the sockets found and alive. /twinpath/xsk,NAME: port NAME per queue. */
static int tel_xsk(const char *cmd, const char *params,
		   struct rte_tel_data *out)
{
	struct xsk_sock_info si;
	struct xsk_counters c;
	unsigned int live, n, i;
	char key[16];
	uint16_t p;

	(void)cmd;
	rte_tel_data_start_dict(out);
	if (params != NULL && params[0] != '\0') {
		for (p = 0; p < dp.n_ports; p++)
			if (strcmp(dp.ports[p].name, params) == 0)
				break;
		if (p == dp.n_ports)
			return -EINVAL;
		for (i = 0; xskstat_get(i, &si); i++) {
			struct rte_tel_data *e;

			if (si.port != p)
				continue;
			e = rte_tel_data_alloc();
			if (e == NULL)
				return -ENOMEM;
			rte_tel_data_start_dict(e);
			rte_tel_data_add_dict_u64(e, "ifindex", si.ifindex);
			rte_tel_data_add_dict_u64(e, "live", si.fd >= 0);
			xsk_counters_dict(e, &si.total);
			snprintf(key, sizeof(key), "%u", si.queue);
			rte_tel_data_add_dict_container(out, key, e, 0);
		}
		return 0;
	}
	for (p = 0; p < dp.n_ports; p++) {
		struct rte_tel_data *e;

		if (dp.ports[p].kind != PORT_AF_XDP)
			continue;
		e = rte_tel_data_alloc();
		if (e == NULL)
			return -ENOMEM;
		n = xskstat_port(p, &c, &live);
		rte_tel_data_start_dict(e);
		rte_tel_data_add_dict_string(e, "interface", dp.ports[p].ifname);
		rte_tel_data_add_dict_u64(e, "queues", RTE_MAX(dp.ports[p].n_rxq,
							      (uint16_t)1));
		rte_tel_data_add_dict_u64(e, "sockets", n);
		rte_tel_data_add_dict_u64(e, "sockets_live", live);
		xsk_counters_dict(e, &c);
		rte_tel_data_add_dict_container(out, dp.ports[p].name, e, 0);
	}
	return 0;
}

/* /twinpath/link_admin,NAME[,up|down]: takes a port out of forwarding
 * (down) or gives it back (up); without a verb only reports. */
static int tel_link_admin(const char *cmd, const char *params,
			  struct rte_tel_data *out)
{
	char name[CFG_NAME_MAX + 8];
	const char *verb;
	size_t n;
	uint16_t p;

	(void)cmd;
	if (params == NULL)
		return -EINVAL;
	n = strcspn(params, ",");
	if (n >= sizeof(name))
		return -EINVAL;
	memcpy(name, params, n);
	name[n] = '\0';
	verb = params[n] == ',' ? params + n + 1 : "";
	for (p = 0; p < dp.n_ports; p++)
		if (strcmp(dp.ports[p].name, name) == 0)
			break;
	if (p == dp.n_ports)
		return -EINVAL;
	if (strcmp(verb, "down") == 0 || strcmp(verb, "up") == 0) {
		uint8_t down = verb[0] == 'd';

		if (dp.nhg.admin_down[p] != down)
			log_msg("port %s: admin %s (telemetry)", name, verb);
		dp.nhg.admin_down[p] = down;
	} else if (verb[0] != '\0') {
		return -EINVAL;
	}
	rte_tel_data_start_dict(out);
	rte_tel_data_add_dict_string(out, "port", name);
	rte_tel_data_add_dict_u64(out, "admin_up", !dp.nhg.admin_down[p]);
	return 0;
}

/* /twinpath/debug_corrupt,route_del,PREFIX/LEN: deletes a route from
 * the FIB behind twinpathd's back, as a lost record or a bug would, so
 * that a test sees the FIB self-check (control/fibcheck.h) find and
 * repair it. Registered only under --debug-corrupt. */
static int tel_debug_corrupt(const char *cmd, const char *params,
			     struct rte_tel_data *out)
{
	static const char verb[] = "route_del,";
	struct chan_route r = {0};
	struct cfg_addr p;
	char text[64];
	uint32_t n;
	int rc;

	(void)cmd;
	if (params == NULL || strncmp(params, verb, sizeof(verb) - 1) != 0 ||
	    cfg_parse_prefix(params + sizeof(verb) - 1, &p) < 0)
		return -EINVAL;
	r.family = p.family;
	r.len = p.len;
	memcpy(r.prefix, p.addr, sizeof(r.prefix));
	pthread_mutex_lock(&dp.ctl_lock);
	rc = fib_route_del(&dp, &r);
	n = dp.n_routes;
	pthread_mutex_unlock(&dp.ctl_lock);
	log_warn("debug_corrupt: route %s deleted behind twinpathd's back: %s",
		cfg_addr_str(&p, text, sizeof(text)),
		rc == 0 ? "done" : strerror(-rc));
	rte_tel_data_start_dict(out);
	rte_tel_data_add_dict_string(out, "route_del", text);
	rte_tel_data_add_dict_int(out, "rc", rc);
	rte_tel_data_add_dict_u64(out, "routes", n);
	return 0;
}

/* Help texts must stay under RTE_TEL_MAX_STRING_LEN or registration
 * fails. */
int telemetry_init(bool debug_corrupt)
{
	int rc = 0;

	if (debug_corrupt) {
		rc |= rte_telemetry_register_cmd("/twinpath/debug_corrupt",
			tel_debug_corrupt,
			"Tests only (--debug-corrupt). Params: "
			"route_del,PREFIX/LEN. Deletes the route behind "
			"twinpathd's back");
		log_warn("--debug-corrupt: /twinpath/debug_corrupt can "
			"damage the FIB (tests only)");
	}

	rc |= rte_telemetry_register_cmd("/twinpath/ports", tel_ports,
		"Per port: index, port_id, interface, rx/tx packets, "
		"tx_dropped, xsk_dropped, icmp_errors_sent, link_up");
	rc |= rte_telemetry_register_cmd("/twinpath/icmp", tel_icmp,
		"ICMP errors sent (Time Exceeded, Frag Needed, Net "
		"Unreachable), rate_limited, suppressed, fragmented");
	rc |= rte_telemetry_register_cmd("/twinpath/drops", tel_drops,
		"Dropped packets by reason, summed over lcores");
	rc |= rte_telemetry_register_cmd("/twinpath/filter", tel_filter,
		"ip_options (IPv4 with options forwarded), the options "
		"policy, each port's ingress_filter");
	rc |= rte_telemetry_register_cmd("/twinpath/fib", tel_fib,
		"Applied generation, routes (and per family), nexthops, "
		"groups, records, FIB digest");
	rc |= rte_telemetry_register_cmd("/twinpath/nexthops", tel_nexthops,
		"Nexthops by id: port, gateway, mac, resolved");
	rc |= rte_telemetry_register_cmd("/twinpath/bfd", tel_bfd,
		"Per BFD link: state, remote_state, discriminators, tx/rx "
		"counts, last_rx_age_ms, live; suspect_* with suspect { }");
	rc |= rte_telemetry_register_cmd("/twinpath/xsk", tel_xsk,
		"Per af_xdp port (params: NAME for per queue): the kernel's "
		"AF_XDP counters, xsk_tx_invalid etc., xsk_dropped");
	rc |= rte_telemetry_register_cmd("/twinpath/link_admin",
		tel_link_admin,
		"Params: NAME[,up|down]. Port out of or back into "
		"forwarding; returns admin_up");
	if (rc != 0)
		log_err("telemetry: registering commands failed");
	return rc != 0 ? -EINVAL : 0;
}
