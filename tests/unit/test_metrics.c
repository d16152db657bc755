/* twinpathd's Prometheus endpoint: the exposition text of a given
 * snapshot, line for line, and the HTTP answers of a real
 * libmicrohttpd daemon on the loopback (404, 405, 200). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "metrics.h"

static void fill(struct metrics_ctl *c, struct metrics_dp *dp)
{
	memset(c, 0, sizeof(*c));
	memset(dp, 0, sizeof(*dp));
	c->n_links = 2;
	snprintf(c->link[0].name, sizeof(c->link[0].name), "link1");
	c->link[0].bfd = c->link[0].bfd_known = true;
	c->link[0].bfd_state = 3;
	c->link[0].bfd_up_count = 2;
	c->link[0].bfd_down_count = 1;
	c->link[0].bfd_tx_interval_us = 10000;
	c->link[0].bfd_detect_time_us = 30000;
	c->link[0].bfd_failed = true;
	c->link[0].bfd_last_gap_ns = 31250000;
	c->link[0].live = true;
	c->link[0].bgp = true;
	c->link[0].bgp_established = true;
	c->link[0].bgp_establishments = 3;
	c->link[0].bgp_received = 12;
	c->link[0].bgp_accepted = 10;
	c->link[0].bgp_installed = 9;
	c->link[0].bgp_memory_bytes = 5120;
	c->link[0].bgp_max_memory_hits = 1;
	c->link[0].bfd_dampening = true;
	c->link[0].bfd_damp_held = true;
	c->link[0].bfd_damp_holds = 2;
	c->link[0].fib_routes = 11;
	c->link[0].bgp_state = 5; /* Established */
	snprintf(c->link[1].name, sizeof(c->link[1].name), "link2");
	c->link[1].bfd = c->link[1].bfd_known = true;
	c->link[1].bfd_state = 1;
	c->link[1].bfd_tx_interval_us = 1000000;
	c->link[1].bfd_detect_time_us = 0;
	c->link[1].bgp = true;
	c->link[1].bgp_establishments = 1;
	c->link[1].fib_routes = 1;
	c->link[1].bgp_state = 2; /* Active */
	/* link2 under maintenance: drained, and its session shut down */
	c->link[1].drain = 2;
	c->link[1].admin_down = true;
	/* the monitor: link1 at 1 Gbit/s with its tx warning raised, link2
	 * without a capacity; the tx imbalance above its warning, the rx
	 * one undefined (idle) */
	c->mon.known = true;
	c->mon.active_active = true;
	c->mon.n_links = 2;
	c->mon.link[0].capacity_mbps = 1000;
	c->mon.link[0].known = true;
	c->mon.link[0].bps[MON_RX] = 250e6;
	c->mon.link[0].bps[MON_TX] = 875e6;
	c->mon.link[0].pps[MON_RX] = 31250;
	c->mon.link[0].pps[MON_TX] = 109375.5;
	c->mon.link[0].util[MON_RX] = 0.25;
	c->mon.link[0].util[MON_TX] = 0.875;
	c->mon.link[0].util_warn[MON_TX] = true;
	c->mon.link[1].known = true;
	c->mon.link[1].bps[MON_TX] = 125e6;
	c->mon.link[1].pps[MON_TX] = 15625;
	c->mon.imb[MON_TX].known = true;
	c->mon.imb[MON_TX].value = 0.375;
	c->mon.imb[MON_TX].warn = true;
	c->fib_routes = 12;
	c->fib_groups = 2;
	c->fib_nexthops = 3;
	c->generation_sent = 5;
	c->generation_applied = 4;
	c->outbox = 7;
	c->ring_refusals = 8;
	c->records_rejected = 0;
	c->bgp_fib_errors = 1;
	c->fib_nexthop_table_full = 4;
	c->digest_checks = 41;
	c->digest_mismatches = 2;
	c->digest_unanswered = 3;
	dp->up = true;
	dp->n_ports = 2;
	snprintf(dp->port[0].name, sizeof(dp->port[0].name), "link1");
	dp->port[0].rx_packets = 100;
	dp->port[0].tx_packets = 90;
	dp->port[0].tx_dropped = 1;
	dp->port[0].have_bytes = true;
	dp->port[0].rx_bytes = 6400;
	dp->port[0].tx_bytes = 5760;
	dp->port[0].link_up = true;
	dp->port[0].suspect = true;
	dp->port[0].suspect_state = 1;
	dp->port[0].suspicions = 2;
	dp->port[0].suspect_confirmed = 1;
	dp->port[0].suspect_abstained = 3;
	snprintf(dp->port[1].name, sizeof(dp->port[1].name), "lan");
	dp->port[1].rx_packets = 3;
	dp->n_drops = 2;
	snprintf(dp->drop[0].reason, sizeof(dp->drop[0].reason), "no_route");
	dp->drop[0].count = 4;
	snprintf(dp->drop[1].reason, sizeof(dp->drop[1].reason), "ttl_exceeded");
	dp->have_fib = true;
	dp->fib_generation = 4;
	dp->fib_routes = 12;
	dp->fib_groups = 2;
	dp->fib_nexthops = 3;
	dp->fib_records_failed = 177;
	dp->fib_bulk_pending = 5;
	dp->fib_bulk_flushes = 6;
	dp->fib_bulk_written = 700;
	dp->fib_bulk_failed = 8;
	dp->fib_lookups_retried = 9;
}

static const char want_text[] =
	"# HELP twinpath_bfd_up 1 while the link's BFD session is Up (RFC 5880), else 0\n"
	"# TYPE twinpath_bfd_up gauge\n"
	"twinpath_bfd_up{link=\"link1\"} 1\n"
	"twinpath_bfd_up{link=\"link2\"} 0\n"
	"# HELP twinpath_bfd_state BFD session state: 1 for the current one (RFC 5880 4.1)\n"
	"# TYPE twinpath_bfd_state gauge\n"
	"twinpath_bfd_state{link=\"link1\",state=\"admin_down\"} 0\n"
	"twinpath_bfd_state{link=\"link1\",state=\"down\"} 0\n"
	"twinpath_bfd_state{link=\"link1\",state=\"init\"} 0\n"
	"twinpath_bfd_state{link=\"link1\",state=\"up\"} 1\n"
	"twinpath_bfd_state{link=\"link2\",state=\"admin_down\"} 0\n"
	"twinpath_bfd_state{link=\"link2\",state=\"down\"} 1\n"
	"twinpath_bfd_state{link=\"link2\",state=\"init\"} 0\n"
	"twinpath_bfd_state{link=\"link2\",state=\"up\"} 0\n"
	"# HELP twinpath_bfd_up_transitions_total BFD session transitions to Up\n"
	"# TYPE twinpath_bfd_up_transitions_total counter\n"
	"twinpath_bfd_up_transitions_total{link=\"link1\"} 2\n"
	"twinpath_bfd_up_transitions_total{link=\"link2\"} 0\n"
	"# HELP twinpath_bfd_down_transitions_total BFD session transitions from Up to Down\n"
	"# TYPE twinpath_bfd_down_transitions_total counter\n"
	"twinpath_bfd_down_transitions_total{link=\"link1\"} 1\n"
	"twinpath_bfd_down_transitions_total{link=\"link2\"} 0\n"
	"# HELP twinpath_bfd_tx_interval_seconds Negotiated BFD transmit interval (RFC 5880 6.8.7)\n"
	"# TYPE twinpath_bfd_tx_interval_seconds gauge\n"
	"twinpath_bfd_tx_interval_seconds{link=\"link1\"} 0.01\n"
	"twinpath_bfd_tx_interval_seconds{link=\"link2\"} 1\n"
	"# HELP twinpath_bfd_detection_time_seconds BFD detection time (RFC 5880 6.8.4)\n"
	"# TYPE twinpath_bfd_detection_time_seconds gauge\n"
	"twinpath_bfd_detection_time_seconds{link=\"link1\"} 0.03\n"
	"twinpath_bfd_detection_time_seconds{link=\"link2\"} 0\n"
	"# HELP twinpath_bfd_last_detection_gap_seconds At the last failure: time from the last valid packet to Down\n"
	"# TYPE twinpath_bfd_last_detection_gap_seconds gauge\n"
	"twinpath_bfd_last_detection_gap_seconds{link=\"link1\"} 0.03125\n"
	"# HELP twinpath_link_live 1 while the data plane may forward over the link (health map live bit)\n"
	"# TYPE twinpath_link_live gauge\n"
	"twinpath_link_live{link=\"link1\"} 1\n"
	"twinpath_link_live{link=\"link2\"} 0\n"
	"# HELP twinpath_bgp_established 1 while the link's BGP session is Established\n"
	"# TYPE twinpath_bgp_established gauge\n"
	"twinpath_bgp_established{link=\"link1\"} 1\n"
	"twinpath_bgp_established{link=\"link2\"} 0\n"
	"# HELP twinpath_bgp_state BGP session state: 1 for the current one (RFC 4271 8.2.2)\n"
	"# TYPE twinpath_bgp_state gauge\n"
	"twinpath_bgp_state{link=\"link1\",state=\"idle\"} 0\n"
	"twinpath_bgp_state{link=\"link1\",state=\"connect\"} 0\n"
	"twinpath_bgp_state{link=\"link1\",state=\"active\"} 0\n"
	"twinpath_bgp_state{link=\"link1\",state=\"opensent\"} 0\n"
	"twinpath_bgp_state{link=\"link1\",state=\"openconfirm\"} 0\n"
	"twinpath_bgp_state{link=\"link1\",state=\"established\"} 1\n"
	"twinpath_bgp_state{link=\"link2\",state=\"idle\"} 0\n"
	"twinpath_bgp_state{link=\"link2\",state=\"connect\"} 0\n"
	"twinpath_bgp_state{link=\"link2\",state=\"active\"} 1\n"
	"twinpath_bgp_state{link=\"link2\",state=\"opensent\"} 0\n"
	"twinpath_bgp_state{link=\"link2\",state=\"openconfirm\"} 0\n"
	"twinpath_bgp_state{link=\"link2\",state=\"established\"} 0\n"
	"# HELP twinpath_bgp_establishments_total BGP session transitions to Established\n"
	"# TYPE twinpath_bgp_establishments_total counter\n"
	"twinpath_bgp_establishments_total{link=\"link1\"} 3\n"
	"twinpath_bgp_establishments_total{link=\"link2\"} 1\n"
	"# HELP twinpath_bgp_session_drops_total BGP sessions that left Established\n"
	"# TYPE twinpath_bgp_session_drops_total counter\n"
	"twinpath_bgp_session_drops_total{link=\"link1\"} 2\n"
	"twinpath_bgp_session_drops_total{link=\"link2\"} 1\n"
	"# HELP twinpath_bgp_prefixes_received Prefixes the peer announces (accepted and rejected)\n"
	"# TYPE twinpath_bgp_prefixes_received gauge\n"
	"twinpath_bgp_prefixes_received{link=\"link1\"} 12\n"
	"twinpath_bgp_prefixes_received{link=\"link2\"} 0\n"
	"# HELP twinpath_bgp_prefixes_accepted Prefixes of the peer accepted by import policy\n"
	"# TYPE twinpath_bgp_prefixes_accepted gauge\n"
	"twinpath_bgp_prefixes_accepted{link=\"link1\"} 10\n"
	"twinpath_bgp_prefixes_accepted{link=\"link2\"} 0\n"
	"# HELP twinpath_bgp_prefixes_installed Prefixes whose forwarding set (multipath primary) uses the link's path\n"
	"# TYPE twinpath_bgp_prefixes_installed gauge\n"
	"twinpath_bgp_prefixes_installed{link=\"link1\"} 9\n"
	"twinpath_bgp_prefixes_installed{link=\"link2\"} 0\n"
	"# HELP twinpath_bgp_admin_down 1 while the session is held down by 'bgp ADDR shutdown'\n"
	"# TYPE twinpath_bgp_admin_down gauge\n"
	"twinpath_bgp_admin_down{link=\"link1\"} 0\n"
	"twinpath_bgp_admin_down{link=\"link2\"} 1\n"
	"# HELP twinpath_bgp_memory_bytes Bytes the peer's routes hold (links.bgp.max_memory_mb)\n"
	"# TYPE twinpath_bgp_memory_bytes gauge\n"
	"twinpath_bgp_memory_bytes{link=\"link1\"} 5120\n"
	"twinpath_bgp_memory_bytes{link=\"link2\"} 0\n"
	"# HELP twinpath_bgp_max_memory_hits_total Sessions ended with Cease/Out of Resources for max_memory_mb\n"
	"# TYPE twinpath_bgp_max_memory_hits_total counter\n"
	"twinpath_bgp_max_memory_hits_total{link=\"link1\"} 1\n"
	"twinpath_bgp_max_memory_hits_total{link=\"link2\"} 0\n"
	"# HELP twinpath_bfd_dampening_held 1 while BFD is Up and BGP is held down by dampening\n"
	"# TYPE twinpath_bfd_dampening_held gauge\n"
	"twinpath_bfd_dampening_held{link=\"link1\"} 1\n"
	"# HELP twinpath_bfd_dampening_holds_total BFD Ups whose BGP session was held down by dampening\n"
	"# TYPE twinpath_bfd_dampening_holds_total counter\n"
	"twinpath_bfd_dampening_holds_total{link=\"link1\"} 2\n"
	"# HELP twinpath_link_drain_state Link maintenance (RFC 8326): 0 in use, 1 draining (our routes carry GRACEFUL_SHUTDOWN), 2 drained (out of the primary sets)\n"
	"# TYPE twinpath_link_drain_state gauge\n"
	"twinpath_link_drain_state{link=\"link1\"} 0\n"
	"twinpath_link_drain_state{link=\"link2\"} 2\n"
	"# HELP twinpath_fib_link_routes Routes pushed to the data plane whose primary set forwards over the link\n"
	"# TYPE twinpath_fib_link_routes gauge\n"
	"twinpath_fib_link_routes{link=\"link1\"} 11\n"
	"twinpath_fib_link_routes{link=\"link2\"} 1\n"
	"# HELP twinpath_link_capacity_bytes_per_second The link's ordered bandwidth (links.capacity_mbps)\n"
	"# TYPE twinpath_link_capacity_bytes_per_second gauge\n"
	"twinpath_link_capacity_bytes_per_second{link=\"link1\"} 125000000\n"
	"# HELP twinpath_link_bytes_per_second Bytes per second over the last monitor interval (Ethernet frames as DPDK counts them)\n"
	"# TYPE twinpath_link_bytes_per_second gauge\n"
	"twinpath_link_bytes_per_second{link=\"link1\",direction=\"rx\"} 31250000\n"
	"twinpath_link_bytes_per_second{link=\"link1\",direction=\"tx\"} 109375000\n"
	"twinpath_link_bytes_per_second{link=\"link2\",direction=\"rx\"} 0\n"
	"twinpath_link_bytes_per_second{link=\"link2\",direction=\"tx\"} 15625000\n"
	"# HELP twinpath_link_packets_per_second Packets forwarded per second over the last monitor interval\n"
	"# TYPE twinpath_link_packets_per_second gauge\n"
	"twinpath_link_packets_per_second{link=\"link1\",direction=\"rx\"} 31250\n"
	"twinpath_link_packets_per_second{link=\"link1\",direction=\"tx\"} 109375.5\n"
	"twinpath_link_packets_per_second{link=\"link2\",direction=\"rx\"} 0\n"
	"twinpath_link_packets_per_second{link=\"link2\",direction=\"tx\"} 15625\n"
	"# HELP twinpath_link_utilisation_ratio Rate over the link's capacity, last monitor interval\n"
	"# TYPE twinpath_link_utilisation_ratio gauge\n"
	"twinpath_link_utilisation_ratio{link=\"link1\",direction=\"rx\"} 0.25\n"
	"twinpath_link_utilisation_ratio{link=\"link1\",direction=\"tx\"} 0.875\n"
	"# HELP twinpath_link_utilisation_warning 1 from the interval utilisation reached monitor.utilisation_warn to the one it fell below\n"
	"# TYPE twinpath_link_utilisation_warning gauge\n"
	"twinpath_link_utilisation_warning{link=\"link1\",direction=\"rx\"} 0\n"
	"twinpath_link_utilisation_warning{link=\"link1\",direction=\"tx\"} 1\n"
	"# HELP twinpath_links_imbalance_ratio Largest deviation of a usable link's share of the traffic from its expected share (active/active)\n"
	"# TYPE twinpath_links_imbalance_ratio gauge\n"
	"twinpath_links_imbalance_ratio{direction=\"tx\"} 0.375\n"
	"# HELP twinpath_links_imbalance_warning 1 from the interval the imbalance reached monitor.imbalance_warn to the one it fell below or became undefined\n"
	"# TYPE twinpath_links_imbalance_warning gauge\n"
	"twinpath_links_imbalance_warning{direction=\"rx\"} 0\n"
	"twinpath_links_imbalance_warning{direction=\"tx\"} 1\n"
	"# HELP twinpath_fib_routes Routes twinpathd installs (static and BGP)\n"
	"# TYPE twinpath_fib_routes gauge\n"
	"twinpath_fib_routes 12\n"
	"# HELP twinpath_fib_groups Nexthop groups in use\n"
	"# TYPE twinpath_fib_groups gauge\n"
	"twinpath_fib_groups 2\n"
	"# HELP twinpath_fib_nexthops Nexthops\n"
	"# TYPE twinpath_fib_nexthops gauge\n"
	"twinpath_fib_nexthops 3\n"
	"# HELP twinpath_fib_generation_sent Generation of twinpathd's last full sync\n"
	"# TYPE twinpath_fib_generation_sent gauge\n"
	"twinpath_fib_generation_sent 5\n"
	"# HELP twinpath_fib_generation_applied Generation the data plane confirmed applied\n"
	"# TYPE twinpath_fib_generation_applied gauge\n"
	"twinpath_fib_generation_applied 4\n"
	"# HELP twinpath_fib_push_errors_total BGP routes the FIB push refused\n"
	"# TYPE twinpath_fib_push_errors_total counter\n"
	"twinpath_fib_push_errors_total 1\n"
	"# HELP twinpath_fib_nexthop_table_full_total BGP route changes refused: the nexthop (neighbour) table is full\n"
	"# TYPE twinpath_fib_nexthop_table_full_total counter\n"
	"twinpath_fib_nexthop_table_full_total 4\n"
	"# HELP twinpath_fib_group_table_full_total BGP route changes refused: the nexthop group table is full\n"
	"# TYPE twinpath_fib_group_table_full_total counter\n"
	"twinpath_fib_group_table_full_total 0\n"
	"# HELP twinpath_channel_outbox_records Records waiting for room in the channel ring\n"
	"# TYPE twinpath_channel_outbox_records gauge\n"
	"twinpath_channel_outbox_records 7\n"
	"# HELP twinpath_channel_ring_refusals_total Records the full channel ring refused (kept and retried)\n"
	"# TYPE twinpath_channel_ring_refusals_total counter\n"
	"twinpath_channel_ring_refusals_total 8\n"
	"# HELP twinpath_channel_records_rejected_total Records the data plane rejected as invalid\n"
	"# TYPE twinpath_channel_records_rejected_total counter\n"
	"twinpath_channel_records_rejected_total 0\n"
	"# HELP twinpath_fib_digest_checks_total FIB digest comparisons with the data plane\n"
	"# TYPE twinpath_fib_digest_checks_total counter\n"
	"twinpath_fib_digest_checks_total 41\n"
	"# HELP twinpath_fib_digest_mismatch_total FIB digest comparisons that differed (each repaired by a full sync)\n"
	"# TYPE twinpath_fib_digest_mismatch_total counter\n"
	"twinpath_fib_digest_mismatch_total 2\n"
	"# HELP twinpath_fib_digest_unanswered_total FIB digest questions the data plane did not answer in 30 s\n"
	"# TYPE twinpath_fib_digest_unanswered_total counter\n"
	"twinpath_fib_digest_unanswered_total 3\n"
	"# HELP twinpath_dp_up 1 when the data plane's telemetry answered this scrape\n"
	"# TYPE twinpath_dp_up gauge\n"
	"twinpath_dp_up 1\n"
	"# HELP twinpath_dp_rx_packets_total Packets the data plane received on the port\n"
	"# TYPE twinpath_dp_rx_packets_total counter\n"
	"twinpath_dp_rx_packets_total{link=\"link1\"} 100\n"
	"twinpath_dp_rx_packets_total{link=\"lan\"} 3\n"
	"# HELP twinpath_dp_tx_packets_total Packets the data plane sent on the port\n"
	"# TYPE twinpath_dp_tx_packets_total counter\n"
	"twinpath_dp_tx_packets_total{link=\"link1\"} 90\n"
	"twinpath_dp_tx_packets_total{link=\"lan\"} 0\n"
	"# HELP twinpath_dp_tx_dropped_total Packets the port's transmit queue refused\n"
	"# TYPE twinpath_dp_tx_dropped_total counter\n"
	"twinpath_dp_tx_dropped_total{link=\"link1\"} 1\n"
	"twinpath_dp_tx_dropped_total{link=\"lan\"} 0\n"
	"# HELP twinpath_dp_rx_bytes_total Bytes received on the port (DPDK ethdev statistics)\n"
	"# TYPE twinpath_dp_rx_bytes_total counter\n"
	"twinpath_dp_rx_bytes_total{link=\"link1\"} 6400\n"
	"# HELP twinpath_dp_tx_bytes_total Bytes sent on the port (DPDK ethdev statistics)\n"
	"# TYPE twinpath_dp_tx_bytes_total counter\n"
	"twinpath_dp_tx_bytes_total{link=\"link1\"} 5760\n"
	"# HELP twinpath_dp_link_up 1 while the port has carrier and is admin up\n"
	"# TYPE twinpath_dp_link_up gauge\n"
	"twinpath_dp_link_up{link=\"link1\"} 1\n"
	"twinpath_dp_link_up{link=\"lan\"} 0\n"
	"# HELP twinpath_link_suspect_state Link suspicion: 0 clear, 1 suspected (its flows on the other links), 2 proved alive, flows back after the hold-down\n"
	"# TYPE twinpath_link_suspect_state gauge\n"
	"twinpath_link_suspect_state{link=\"link1\"} 1\n"
	"# HELP twinpath_link_suspicions_total Link suspicions, by outcome: confirmed (BFD went down), cleared (it never did), abstained (evidence agreed, a guard overruled it), all\n"
	"# TYPE twinpath_link_suspicions_total counter\n"
	"twinpath_link_suspicions_total{link=\"link1\",outcome=\"all\"} 2\n"
	"twinpath_link_suspicions_total{link=\"link1\",outcome=\"confirmed\"} 1\n"
	"twinpath_link_suspicions_total{link=\"link1\",outcome=\"cleared\"} 0\n"
	"twinpath_link_suspicions_total{link=\"link1\",outcome=\"abstained\"} 3\n"
	"# HELP twinpath_dp_drops_total Packets the data plane dropped, by reason\n"
	"# TYPE twinpath_dp_drops_total counter\n"
	"twinpath_dp_drops_total{reason=\"no_route\"} 4\n"
	"twinpath_dp_drops_total{reason=\"ttl_exceeded\"} 0\n"
	"# HELP twinpath_dp_fib_generation FIB generation the data plane applied\n"
	"# TYPE twinpath_dp_fib_generation gauge\n"
	"twinpath_dp_fib_generation 4\n"
	"# HELP twinpath_dp_fib_routes Routes in the data plane's FIB\n"
	"# TYPE twinpath_dp_fib_routes gauge\n"
	"twinpath_dp_fib_routes 12\n"
	"# HELP twinpath_dp_fib_groups Nexthop groups in the data plane\n"
	"# TYPE twinpath_dp_fib_groups gauge\n"
	"twinpath_dp_fib_groups 2\n"
	"# HELP twinpath_dp_fib_nexthops Nexthops in the data plane\n"
	"# TYPE twinpath_dp_fib_nexthops gauge\n"
	"twinpath_dp_fib_nexthops 3\n"
	"# HELP twinpath_dp_fib_records_failed_total FIB records the data plane could not apply (a full route table: dataplane.ipv4_routes_max, ipv6_routes_max)\n"
	"# TYPE twinpath_dp_fib_records_failed_total counter\n"
	"twinpath_dp_fib_records_failed_total 177\n"
	"# HELP twinpath_dp_fib_bulk_pending IPv4 route changes the data plane holds back from rte_fib, to write them in prefix order\n"
	"# TYPE twinpath_dp_fib_bulk_pending gauge\n"
	"twinpath_dp_fib_bulk_pending 5\n"
	"# HELP twinpath_dp_fib_bulk_flushes_total Bulks of IPv4 route changes the data plane wrote to rte_fib in prefix order\n"
	"# TYPE twinpath_dp_fib_bulk_flushes_total counter\n"
	"twinpath_dp_fib_bulk_flushes_total 6\n"
	"# HELP twinpath_dp_fib_bulk_written_total Routes written to rte_fib by those bulks\n"
	"# TYPE twinpath_dp_fib_bulk_written_total counter\n"
	"twinpath_dp_fib_bulk_written_total 700\n"
	"# HELP twinpath_dp_fib_bulk_failed_total Routes rte_fib refused when a bulk was written (they left the route table too)\n"
	"# TYPE twinpath_dp_fib_bulk_failed_total counter\n"
	"twinpath_dp_fib_bulk_failed_total 8\n"
	"# HELP twinpath_dp_fib_lookups_retried_total Destinations the fast path looked up again: rte_fib answered a read torn by a route change\n"
	"# TYPE twinpath_dp_fib_lookups_retried_total counter\n"
	"twinpath_dp_fib_lookups_retried_total 9\n";

static char *render(const struct metrics_ctl *c, const struct metrics_dp *dp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	metrics_render(c, dp, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void test_metrics_exposition_exact_lines(void **state)
{
	static struct metrics_ctl c;
	static struct metrics_dp dp;
	char *text;

	(void)state;
	fill(&c, &dp);
	text = render(&c, &dp);
	assert_string_equal(text, want_text);
	free(text);
}

/* A link with a session per family (links.peer_address6): each BGP
 * family has a series per session, labelled by peer as well; the link's
 * other families keep the link label alone. */
static void test_metrics_second_session_labelled_by_peer(void **state)
{
	static struct metrics_ctl c;
	static struct metrics_dp dp;
	char *text;

	(void)state;
	fill(&c, &dp);
	snprintf(c.link[0].peer, sizeof(c.link[0].peer), "203.0.113.2");
	c.link2[0] = c.link[0];
	snprintf(c.link2[0].peer, sizeof(c.link2[0].peer), "2001:db8:1::2");
	c.link2[0].bgp_established = false;
	c.link2[0].bgp_state = 3; /* OpenSent */
	c.link2[0].bgp_accepted = 7;
	text = render(&c, &dp);
	assert_non_null(strstr(text,
		"twinpath_bgp_established{link=\"link1\",peer=\"203.0.113.2\"} 1\n"
		"twinpath_bgp_established{link=\"link1\",peer=\"2001:db8:1::2\"} 0\n"
		"twinpath_bgp_established{link=\"link2\"} 0\n"));
	assert_non_null(strstr(text,
		"twinpath_bgp_state{link=\"link1\",peer=\"2001:db8:1::2\","
		"state=\"opensent\"} 1\n"));
	assert_non_null(strstr(text,
		"twinpath_bgp_prefixes_accepted{link=\"link1\",peer=\"2001:db8:1::2\"} 7\n"));
	/* not a BGP family: the link alone, once */
	assert_non_null(strstr(text, "twinpath_bfd_up{link=\"link1\"} 1\n"));
	assert_null(strstr(text, "twinpath_bfd_up{link=\"link1\",peer"));
	free(text);
}

/* Without the data plane: twinpath_dp_up 0 is the last family. */
static void test_metrics_no_data_plane_ends_at_dp_up(void **state)
{
	static struct metrics_ctl c;
	static struct metrics_dp dp;
	const char *tail = "# TYPE twinpath_dp_up gauge\ntwinpath_dp_up 0\n";
	char *text;

	(void)state;
	fill(&c, &dp);
	dp.up = false;
	text = render(&c, &dp);
	assert_true(strlen(text) > strlen(tail));
	assert_string_equal(text + strlen(text) - strlen(tail), tail);
	assert_null(strstr(text, "twinpath_dp_rx_packets_total"));
	free(text);
}

/* One HTTP/1.0 request to 127.0.0.1:PORT (libmicrohttpd answers as
 * HTTP/1.1); the status line into LINE, the body into BODY. */
static void http(uint16_t port, const char *req, char *line, size_t len,
		 char *body, size_t blen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET,
				 .sin_port = htons(port)};
	static char resp[1 << 16];
	size_t got = 0;
	ssize_t n;
	char *eol, *sep;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	while (got < sizeof(resp) - 1 &&
	       (n = recv(fd, resp + got, sizeof(resp) - 1 - got, 0)) > 0)
		got += (size_t)n;
	resp[got] = '\0';
	close(fd);
	eol = strstr(resp, "\r\n");
	assert_non_null(eol);
	snprintf(line, len, "%.*s", (int)(eol - resp), resp);
	sep = strstr(resp, "\r\n\r\n");
	assert_non_null(sep);
	snprintf(body, blen, "%s", sep + 4);
}

/* A free loopback port: bind port 0, read it, let it go. */
static uint16_t free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t sl = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return ntohs(sa.sin_port);
}

static void test_metrics_http_get_404_405(void **state)
{
	static struct twp_config cfg;
	static struct metrics m;
	static struct metrics_ctl c;
	static struct metrics_dp dp;
	static char body[1 << 16];
	char line[128], req[256];
	uint16_t port = free_port();
	char *text;

	(void)state;
	snprintf(cfg.instance, sizeof(cfg.instance), "no-such-instance");
	cfg.control.metrics_addr.family = AF_INET;
	cfg.control.metrics_addr.len = 32;
	memcpy(cfg.control.metrics_addr.addr, (uint8_t[]){127, 0, 0, 1}, 4);
	cfg.control.metrics_port = port;
	assert_int_equal(metrics_start(&m, &cfg, NULL), 0);
	assert_non_null(m.mhd);
	fill(&c, &dp);
	metrics_publish(&m, &c);

	http(port, "GET /metrics HTTP/1.0\r\n\r\n", line, sizeof(line), body,
	     sizeof(body));
	assert_string_equal(line, "HTTP/1.1 200 OK");
	/* no data plane of that instance: the snapshot, then dp_up 0 */
	dp.up = false;
	text = render(&c, &dp);
	assert_string_equal(body, text);
	free(text);

	http(port, "GET / HTTP/1.0\r\n\r\n", line, sizeof(line), body,
	     sizeof(body));
	assert_string_equal(line, "HTTP/1.1 404 Not Found");
	assert_string_equal(body, "not found: only /metrics is served\n");
	snprintf(req, sizeof(req), "POST /metrics HTTP/1.0\r\n"
		 "Content-Length: 0\r\n\r\n");
	http(port, req, line, sizeof(line), body, sizeof(body));
	assert_string_equal(line, "HTTP/1.1 405 Method Not Allowed");
	assert_string_equal(body, "method not allowed: GET /metrics\n");
	metrics_stop(&m);
	assert_null(m.mhd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_exposition_exact_lines),
		cmocka_unit_test(test_metrics_second_session_labelled_by_peer),
		cmocka_unit_test(test_metrics_no_data_plane_ends_at_dp_up),
		cmocka_unit_test(test_metrics_http_get_404_405),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
