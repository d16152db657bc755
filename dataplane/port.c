/* Ports of twinpath-dp: the EAL command line built from the config (one
 * net_af_xdp vdev per link, then the LAN port; a port whose config names a
 * "device" is that DPDK device instead), what must be true of the host
 * before the PMD attaches its XDP program, port start, the local addresses
 * the XDP program must hand to the kernel, link polling. */
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/sockios.h>

#include <rte_bus_vdev.h>
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_pool_ops.h>

#include "dp.h"
#include "log.h"
#include "health.h"
#include "xdp.h"
#include "xskstat.h"

#define PORT_RX_DESC 1024u
#define PORT_TX_DESC 1024u
#define PORT_POOL_CACHE 256u

/* Absolute path of the XDP program, for the af_xdp vdevs' arguments. */
static char xdp_prog_path[PATH_MAX];

int port_check_bpffs(void)
{
	struct statfs st;

	if (statfs(XDP_PIN_ROOT, &st) < 0 || st.f_type != BPF_FS_MAGIC) {
		log_err("bpffs is not mounted at " XDP_PIN_ROOT
			" (the XDP program pins its maps there): run "
			"'mount -t bpf bpf " XDP_PIN_ROOT "' (or 'make deps')");
		return -ENOENT;
	}
	return 0;
}

static void unpin_stale(const char *map)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", XDP_PIN_ROOT, map);
	if (unlink(path) == 0)
		log_msg("removed stale pin %s", path);
	else if (errno != ENOENT)
		log_warn("cannot remove stale pin %s: %s", path,
			strerror(errno));
}

static void xdp_detach_stale(const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	unsigned int ifindex = if_nametoindex(ifname);

	if (ifindex == 0 || bpf_xdp_query((int)ifindex, 0, &q) < 0)
		return;
	if (q.drv_prog_id != 0 &&
	    bpf_xdp_detach((int)ifindex, XDP_FLAGS_DRV_MODE, NULL) == 0)
		log_msg("%s: detached stale XDP program id %u", ifname,
			q.drv_prog_id);
	if (q.skb_prog_id != 0 &&
	    bpf_xdp_detach((int)ifindex, XDP_FLAGS_SKB_MODE, NULL) == 0)
		log_msg("%s: detached stale XDP program id %u (generic)",
			ifname, q.skb_prog_id);
}

/* A configured address as the port's IPv4 source, 0 if not IPv4. */
static rte_be32_t port_ipv4(const struct cfg_addr *a)
{
	rte_be32_t v = 0;

	if (a->family == AF_INET)
		memcpy(&v, a->addr, sizeof(v));
	return v;
}

/* The port's IPv6 source: address6 when set (beside an IPv4 address),
 * else the address itself when it is IPv6; all zeros when neither. */
static void port_ipv6(const struct cfg_addr *a, const struct cfg_addr *a6,
		      uint8_t *out)
{
	memset(out, 0, 16);
	if (a6->family == AF_INET6)
		memcpy(out, a6->addr, 16);
	else if (a->family == AF_INET6)
		memcpy(out, a->addr, 16);
}

/* ioctl REQ on interface IFNAME with IFR (name filled in here; DATA, if
 * any, as ifr_data), over one socket kept for the process: the main lcore
 * asks about carriers and MTUs on every link poll. 0 or -errno. */
static int if_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr,
		    void *data)
{
	static int fd = -1;

	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(ifr, 0, sizeof(*ifr));
	snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname);
	if (data != NULL)
		ifr->ifr_data = data;
	return ioctl(fd, req, ifr) < 0 ? -errno : 0;
}

/* The largest IP packet PORT sends: an af_xdp port's interface MTU (the
 * kernel's, which the PMD does not report), else the device's; 1500 when
 * neither answers. Read at start and on every link poll. */
static uint16_t port_mtu(const struct dp_port *port)
{
	struct ifreq ifr;
	uint16_t mtu = RTE_ETHER_MTU;

	if (port->kind != PORT_AF_XDP) {
		if (rte_eth_dev_get_mtu(port->port_id, &mtu) != 0)
			mtu = RTE_ETHER_MTU;
		return mtu;
	}
	if (if_ioctl(port->ifname, SIOCGIFMTU, &ifr, NULL) == 0 &&
	    ifr.ifr_mtu >= 68 && ifr.ifr_mtu <= UINT16_MAX)
		mtu = (uint16_t)ifr.ifr_mtu;
	return mtu;
}

/* Config "device" of twinpath port P, "" for an af_xdp port. */
static const char *port_cfg_device(const struct twp_config *cfg,
				   unsigned int p)
{
	return p == cfg_lan_port(cfg) ? cfg->lan.device : cfg->links[p].device;
}

/* A previous instance killed with -9 leaves its XDP program attached and
 * its maps pinned; the af_xdp PMD then refuses the interface. Device ports
 * never had one: their interface may be any kernel interface's name.
 * Every pin goes, the health map and BFD timers included: a restarted data
 * plane restarts its BFD sessions from Down (fate-sharing), twinpathd
 * writes the session configuration into the new map (it follows the map
 * id), and a pin left by an older build with another layout can never
 * make libbpf refuse the program. */
void port_xdp_recover(const struct twp_config *cfg)
{
	unsigned int i;

	for (i = 0; i < cfg->n_links; i++)
		if (cfg->links[i].device[0] == '\0')
			xdp_detach_stale(cfg->links[i].interface);
	if (cfg->lan.device[0] == '\0')
		xdp_detach_stale(cfg->lan.interface);
	unpin_stale(XDP_MAP_LOCAL_ADDRS);
	unpin_stale(XDP_MAP_STATS);
	unpin_stale(HEALTH_MAP_NAME);
	unpin_stale(HEALTH_TIMER_MAP_NAME);
}

static int argv_add(char ***argv, int *argc, const char *s)
{
	char **a = realloc(*argv, sizeof(char *) * (size_t)(*argc + 2));

	if (a == NULL)
		return -ENOMEM;
	*argv = a;
	a[*argc] = strdup(s);
	if (a[*argc] == NULL)
		return -ENOMEM;
	a[++*argc] = NULL;
	return 0;
}

/* Port table and EAL argv from the config; argv is NULL-terminated.
 * A device starting with "net_" is a virtual device (--vdev), anything
 * else a bus device such as a PCI address (-a, and then no --no-pci). */
int port_eal_args(struct dp *d, int extra_argc, char **extra_argv,
		  char ***argv_out)
{
	const struct twp_config *cfg = d->cfg;
	char arg[CFG_DEVICE_MAX + 128];
	char **argv = NULL;
	int argc = 0, rc = 0, i;
	bool any_bus = false;
	uint16_t p;

	d->n_ports = (uint16_t)(cfg->n_links + 1);
	d->n_xdp_ports = 0;
	for (p = 0; p < d->n_ports; p++) {
		struct dp_port *port = &d->ports[p];
		bool lan = p == cfg_lan_port(cfg);

		snprintf(port->name, sizeof(port->name), "%s",
			 lan ? "lan" : cfg->links[p].name);
		snprintf(port->ifname, sizeof(port->ifname), "%s",
			 lan ? cfg->lan.interface : cfg->links[p].interface);
		port->device = port_cfg_device(cfg, p);
		port->ipv4 = port_ipv4(lan ? &cfg->lan.address
					   : &cfg->links[p].local_address);
		port_ipv6(lan ? &cfg->lan.address
			      : &cfg->links[p].local_address,
			  lan ? &cfg->lan.address6
			      : &cfg->links[p].local_address6, port->ipv6);
		if (port->device[0] == '\0') {
			port->kind = PORT_AF_XDP;
			snprintf(port->vdev, sizeof(port->vdev),
				 "net_af_xdp%u", p);
			d->n_xdp_ports++;
			continue;
		}
		port->kind = strncmp(port->device, "net_", 4) == 0 ?
				     PORT_VDEV : PORT_BUS;
		any_bus |= port->kind == PORT_BUS;
		/* the ethdev name is the device name, before its arguments */
		snprintf(port->vdev, sizeof(port->vdev), "%.*s",
			 (int)strcspn(port->device, ","), port->device);
	}
	if (d->n_xdp_ports > 0 &&
	    realpath(cfg->dataplane.xdp_prog, xdp_prog_path) == NULL) {
		rc = -errno;
		log_err("xdp_prog %s: %s (install it with 'meson install', "
			"or name the build's: --xdp-prog build/bpf/bfd.bpf.o)",
			cfg->dataplane.xdp_prog, strerror(-rc));
		return rc;
	}

	rc |= argv_add(&argv, &argc, "twinpath-dp");
	snprintf(arg, sizeof(arg), "--file-prefix=twinpath-%s", cfg->instance);
	rc |= argv_add(&argv, &argc, arg);
	if (!any_bus)
		rc |= argv_add(&argv, &argc, "--no-pci");
	for (p = 0; p < d->n_ports; p++) {
		const struct dp_port *port = &d->ports[p];

		switch (port->kind) {
		case PORT_AF_XDP:
			/* port_attach_xdp, once the lcores are known */
			break;
		case PORT_VDEV:
			snprintf(arg, sizeof(arg), "--vdev=%s", port->device);
			rc |= argv_add(&argv, &argc, arg);
			break;
		case PORT_BUS:
			rc |= argv_add(&argv, &argc, "-a");
			rc |= argv_add(&argv, &argc, port->device);
			break;
		}
	}
	for (i = 0; i < (int)cfg->dataplane.n_eal_args; i++)
		rc |= argv_add(&argv, &argc, cfg->dataplane.eal_args[i]);
	for (i = 0; i < extra_argc; i++)
		rc |= argv_add(&argv, &argc, extra_argv[i]);
	if (rc != 0)
		return -ENOMEM;
	*argv_out = argv;
	return argc;
}

/* Combined channels (queues) the kernel interface has now, -errno when
 * it cannot say (ethtool -l IFNAME). */
static int kernel_combined_channels(const char *ifname, uint32_t *rx_only)
{
	struct ethtool_channels ch = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr;
	int rc = if_ioctl(ifname, SIOCETHTOOL, &ifr, &ch);

	*rx_only = ch.rx_count;
	return rc < 0 ? rc : (int)ch.combined_count;
}

/* After EAL init, when the number of forwarding lcores N is known: one
 * net_af_xdp vdev per af_xdp port with queue_count=N, socket i on the
 * interface's queue i, polled by forwarding lcore i. The PMD (DPDK 22.11)
 * takes its queues from the interface's combined channels, so with N > 1
 * the interface must have N of them (with one, any interface works): a
 * veth has rx/tx channels, never combined ones, and the PMD refuses
 * queue_count 2 there ("Specified queue count 2 is larger than combined
 * queue count 1"), so N > 1 needs a NIC. And every rx queue the kernel
 * delivers to needs its socket: a packet on a queue without one misses
 * the fast path (the XDP program passes it to the kernel, counted
 * no_socket), so an interface with more rx queues than N is refused with
 * the ethtool line that fixes it. */
int port_attach_xdp(struct dp *d)
{
	unsigned int n = d->n_fwd_lcores;
	char args[PATH_MAX + IFNAMSIZ + 96];
	uint32_t rx_only = 0;
	uint16_t p;
	int rc;

	for (p = 0; p < d->n_ports; p++) {
		const struct dp_port *port = &d->ports[p];

		if (port->kind != PORT_AF_XDP)
			continue;
		rc = kernel_combined_channels(port->ifname, &rx_only);
		if (n > 1 && rc < (int)n) {
			log_msg("port %s: %u forwarding lcores need %u "
				"combined channels on %s (one AF_XDP "
				"queue each), it has %d%s; fix: "
				"'ethtool -L %s combined %u' (a veth "
				"has rx/tx channels only, %u rx: use "
				"one worker lcore, e.g. eal_args "
				"[\"-l\", \"0-1\"])",
				port->name, n, n, port->ifname,
				rc < 0 ? 0 : rc,
				rc < 0 ? " (ethtool -l fails)" : "",
				port->ifname, n, rx_only);
			return -EINVAL;
		}
		if (rc >= 0 && (uint32_t)rc + rx_only > n) {
			log_msg("port %s: %s has %u rx queues (%d combined, "
				"%u rx only) and twinpath-dp opens an AF_XDP "
				"socket on %u (one per forwarding lcore): what "
				"the kernel puts on the others would miss the "
				"fast path; fix: 'ethtool -L %s %s %u'%s",
				port->name, port->ifname, (uint32_t)rc + rx_only,
				rc, rx_only, n, port->ifname,
				rc > 0 ? "combined" : "rx", n,
				rc > 0 ? "" : " (a veth: its peer's tx "
					      "queues too, the kernel "
					      "checks it for XDP)");
			return -EINVAL;
		}
		snprintf(args, sizeof(args),
			 "iface=%s,start_queue=0,queue_count=%u,xdp_prog=%s",
			 port->ifname, n, xdp_prog_path);
		rc = rte_eal_hotplug_add("vdev", port->vdev, args);
		if (rc < 0) {
			log_err("port %s: cannot attach %s,%s: %s", port->name,
				port->vdev, args, rte_strerror(-rc));
			return rc;
		}
	}
	return 0;
}

/* Ethdev of a port: by name, else (a PCI address written another way,
 * "01:00.0") the first ethdev matching the device string. */
static int port_find(struct dp_port *port)
{
	struct rte_dev_iterator it;
	uint16_t id;

	if (rte_eth_dev_get_port_by_name(port->vdev, &port->port_id) == 0)
		return 0;
	if (port->kind == PORT_AF_XDP)
		return -ENODEV;
	RTE_ETH_FOREACH_MATCHING_DEV(id, port->device, &it) {
		port->port_id = id;
		rte_eth_iterator_cleanup(&it);
		return 0;
	}
	return -ENODEV;
}

/* A port's mbuf pool. DPDK 22.11's af_xdp PMD registers its port's pool
 * as the socket's UMEM from the first memory chunk's address for
 * populated_size x object size bytes: it assumes one chunk with a uniform
 * stride. In IOVA-as-PA mode rte_pktmbuf_pool_create() lays a large pool
 * out in one chunk per 2 MB hugepage when physical memory is fragmented,
 * each chunk ending in a few unused bytes, so the last objects of the
 * pool lie past the UMEM's end (11 of 16 383 on the lab's hosts). The
 * kernel refuses a descriptor there: the frame is never sent, and the
 * socket's transmit stalled for seconds each time the pool's rotation
 * reached them (a BFD flap at 10 ms x 3 every ~16 000 packets of a
 * link). An af_xdp pool therefore asks for no IOVA contiguity (the
 * kernel copies or maps the UMEM itself, no device DMAs to it by IOVA),
 * which makes DPDK lay it out in one virtually contiguous chunk, and is
 * refused if it still is not. */
struct rte_mempool *port_pool_create(const char *name, uint32_t n,
				     int socket, bool af_xdp)
{
	struct rte_pktmbuf_pool_private priv = {
		.mbuf_data_room_size = RTE_MBUF_DEFAULT_BUF_SIZE,
		.mbuf_priv_size = 0,
	};
	struct rte_mempool *mp;
	int rc;

	if (!af_xdp)
		return rte_pktmbuf_pool_create(name, n, PORT_POOL_CACHE, 0,
					       RTE_MBUF_DEFAULT_BUF_SIZE,
					       socket);
	mp = rte_mempool_create_empty(name, n, sizeof(struct rte_mbuf) +
				      RTE_MBUF_DEFAULT_BUF_SIZE,
				      PORT_POOL_CACHE, sizeof(priv), socket,
				      RTE_MEMPOOL_F_NO_IOVA_CONTIG);
	if (mp == NULL)
		return NULL;
	rc = rte_mempool_set_ops_byname(mp, rte_mbuf_best_mempool_ops(),
					NULL);
	if (rc == 0) {
		rte_pktmbuf_pool_init(mp, &priv);
		rc = rte_mempool_populate_default(mp);
		rc = rc < 0 ? rc : 0;
	}
	if (rc == 0 && mp->nb_mem_chunks != 1) {
		log_msg("mempool %s: %u memory chunks; the af_xdp UMEM needs "
			"one virtually contiguous area: reserve more or larger "
			"hugepages", name, mp->nb_mem_chunks);
		rc = -ENOMEM;
	}
	if (rc < 0) {
		rte_mempool_free(mp);
		rte_errno = -rc;
		return NULL;
	}
	rte_mempool_obj_iter(mp, rte_pktmbuf_init, NULL);
	return mp;
}

static int port_setup(struct dp *d, uint16_t p)
{
	struct dp_port *port = &d->ports[p];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = PORT_RX_DESC, nb_txd = PORT_TX_DESC;
	char pool_name[RTE_MEMPOOL_NAMESIZE];
	int socket, rc;
	uint16_t q;

	rc = port_find(port);
	if (rc < 0) {
		log_msg("port %s (%s): no ethdev %s", port->name,
			port->kind == PORT_AF_XDP ? port->ifname : port->device,
			port->vdev);
		return rc;
	}
	socket = rte_eth_dev_socket_id(port->port_id);
	if (socket < 0)
		socket = (int)rte_socket_id();
	/* One pool per port: the af_xdp PMD turns its port's pool into that
	 * socket's UMEM. */
	snprintf(pool_name, sizeof(pool_name), "twp_pool%u", p);
	port->pool = port_pool_create(pool_name, d->cfg->dataplane.mbufs,
				      socket, port->kind == PORT_AF_XDP);
	if (port->pool == NULL) {
		log_err("port %s: mempool of %u mbufs: %s", port->name,
			d->cfg->dataplane.mbufs, rte_strerror(rte_errno));
		return -rte_errno;
	}
	rc = rte_eth_dev_info_get(port->port_id, &info);
	if (rc < 0)
		return rc;
	/* One queue each way per forwarding lcore when the driver has
	 * them: net_pcap without rx_pcap has no rx queue. A port without tx
	 * never carries a nexthop (its link stays down); one without rx is
	 * not polled. Fewer rx queues than lcores: only the first lcores
	 * poll the port. Fewer tx queues: an lcore would have nowhere to
	 * send to the port (a queue has one writer), so refuse. */
	port->has_rx = info.max_rx_queues > 0;
	port->has_tx = info.max_tx_queues > 0;
	port->n_rxq = (uint16_t)RTE_MIN(info.max_rx_queues, d->n_fwd_lcores);
	port->n_txq = (uint16_t)RTE_MIN(info.max_tx_queues, d->n_fwd_lcores);
	if (port->has_tx && port->n_txq < d->n_fwd_lcores) {
		log_msg("port %s (%s): the driver has %u tx queues, the %u "
			"forwarding lcores need one each: run fewer worker "
			"lcores (eal_args -l) or give the device more queues",
			port->name, port->device, info.max_tx_queues,
			d->n_fwd_lcores);
		return -EINVAL;
	}
	memset(&conf, 0, sizeof(conf));
	/* Several rx queues: spread flows by RSS when the driver hashes
	 * (af_xdp: the NIC's RSS in the kernel decides the queue). */
	if (port->n_rxq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP);
	}
	/* No offload is needed (checksums are checked and fixed in
	 * software); whatever is asked stays within what the driver has:
	 * net_pcap/net_null/net_ring have none. */
	conf.rxmode.offloads &= info.rx_offload_capa;
	conf.txmode.offloads &= info.tx_offload_capa;
	rc = rte_eth_dev_configure(port->port_id, port->n_rxq, port->n_txq,
				   &conf);
	if (rc == 0)
		rc = rte_eth_dev_adjust_nb_rx_tx_desc(port->port_id, &nb_rxd,
						      &nb_txd);
	for (q = 0; rc == 0 && q < port->n_rxq; q++) {
		/* the PMD creates queue q's AF_XDP socket here: its kernel
		 * counters (xskstat.c) know it by that */
		if (port->kind == PORT_AF_XDP)
			xskstat_mark();
		rc = rte_eth_rx_queue_setup(port->port_id, q, nb_rxd,
					    (unsigned int)socket, NULL,
					    port->pool);
		if (rc == 0 && port->kind == PORT_AF_XDP)
			xskstat_claim(d, p, q);
	}
	for (q = 0; rc == 0 && q < port->n_txq; q++)
		rc = rte_eth_tx_queue_setup(port->port_id, q, nb_txd,
					    (unsigned int)socket, NULL);
	if (rc == 0)
		rc = rte_eth_dev_start(port->port_id);
	if (rc < 0) {
		log_err("port %s (%s): setup failed: %s", port->name,
			port->kind == PORT_AF_XDP ? port->ifname : port->device,
			rte_strerror(-rc));
		return rc;
	}
	port->started = true;
	port->mtu = port_mtu(port);
	port->tx_multi_seg =
		(info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS) != 0;
	rte_eth_macaddr_get(port->port_id, &port->mac);
	/* the source MAC in the groups' precomputed L2 entries */
	nhg_port_mac_set(&d->nhg, p, &port->mac);
	log_msg("port %u %s: %s %s, ethdev %u (%s), mac "
		RTE_ETHER_ADDR_PRT_FMT ", mtu %u, %u rx/%u tx queues%s%s%s", p,
		port->name,
		port->kind == PORT_AF_XDP ? "interface" : "device",
		port->kind == PORT_AF_XDP ? port->ifname : port->device,
		port->port_id, info.driver_name,
		RTE_ETHER_ADDR_BYTES(&port->mac), port->mtu, port->n_rxq,
		port->n_txq,
		conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? " (RSS)" : "",
		port->has_rx ? "" : ", no rx queue",
		port->has_tx ? "" : ", no tx queue");
	return 0;
}

int port_setup_all(struct dp *d)
{
	uint16_t p;
	int rc;

	for (p = 0; p < d->n_ports; p++) {
		rc = port_setup(d, p);
		if (rc < 0)
			return rc;
	}
	xskstat_check(d);
	port_link_poll(d, true);
	return 0;
}

/* Address A (nothing when unset: an absent address6) of port PORT,
 * named NAME, into the map at FD. 0 or -errno. */
static int local_addr_insert(int fd, const struct cfg_addr *a, uint32_t port,
			     const char *name)
{
	struct xdp_local_key k;
	char buf[64];
	int rc;

	if (a->family == 0)
		return 0;
	memset(&k, 0, sizeof(k));
	k.family = a->family;
	memcpy(k.addr, a->addr, sizeof(k.addr));
	rc = bpf_map_update_elem(fd, &k, &port, BPF_ANY) < 0 ? -errno : 0;
	log_msg("local address %s (%s)%s", cfg_addr_str(a, buf, sizeof(buf)),
		name, rc == 0 ? "" : ": insert failed");
	return rc;
}

/* After the ports start: the PMD has loaded the program and libbpf has
 * pinned its maps. Our own addresses on af_xdp ports, IPv6 ones too, go
 * to the kernel (BGP, ARP and ND replies to us, ping); device ports have
 * no XDP in front. */
int port_local_addrs_insert(struct dp *d)
{
	const struct twp_config *cfg = d->cfg;
	char path[PATH_MAX];
	uint16_t p;
	int fd, rc = 0;

	if (d->n_xdp_ports == 0)
		return 0;
	snprintf(path, sizeof(path), "%s/%s", XDP_PIN_ROOT,
		 XDP_MAP_LOCAL_ADDRS);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		rc = -errno;
		log_warn("%s: %s (does the XDP program pin it?)", path,
			strerror(-rc));
		return rc;
	}
	/* links in config order, then the LAN port */
	for (p = 0; p < d->n_ports && rc == 0; p++) {
		bool lan = p == cfg_lan_port(cfg);

		if (d->ports[p].kind != PORT_AF_XDP)
			continue;
		rc = local_addr_insert(fd, lan ? &cfg->lan.address
					       : &cfg->links[p].local_address,
				       p, d->ports[p].name);
		if (rc == 0)
			rc = local_addr_insert(fd,
				lan ? &cfg->lan.address6
				    : &cfg->links[p].local_address6,
				p, d->ports[p].name);
	}
	close(fd);
	return rc;
}

/* The af_xdp PMD reports its link up whatever the interface does: ask
 * the kernel for the carrier too. ETHTOOL_GLINK first: the driver's
 * netif_carrier_ok() at this instant. IFF_RUNNING follows the operstate
 * that the kernel's linkwatch sets, which it may hold back up to a
 * second for an interface that is not a stacked one (a NIC); it is the
 * fallback for drivers without get_link. -1 when unknown. */
static int kernel_carrier(const char *ifname)
{
	struct ethtool_value ev = {.cmd = ETHTOOL_GLINK};
	struct ifreq ifr;

	if (if_ioctl(ifname, SIOCETHTOOL, &ifr, &ev) == 0)
		return ev.data != 0;
	if (if_ioctl(ifname, SIOCGIFFLAGS, &ifr, NULL) < 0)
		return -1;
	return (ifr.ifr_flags & IFF_RUNNING) != 0;
}

/* Main lcore, every LINK_POLL_MS (the MTUs too when MTU_TOO, every
 * MTU_POLL_MS): the forwarding lcores read link_up.
 * Device ports: the driver's link status alone. */
/* Carrier back after a loss counts only once it has stayed up this long
 * (carrier-delay up, as routers do): a flapping carrier does not pull
 * flows back and forth, and on a veth the peer is ready to receive (the
 * af_xdp PMD's tx kick spins while a peer's ring is full). Loss counts at
 * once. */
#define LINK_UP_HOLD_MS 200u

void port_link_poll(struct dp *d, bool mtu_too)
{
	struct rte_eth_link link;
	uint64_t now = rte_get_tsc_cycles();
	bool mtu_changed = false;
	uint16_t p, mtu;

	for (p = 0; p < d->n_ports; p++) {
		struct dp_port *port = &d->ports[p];
		uint8_t up;

		if (!d->ports[p].started)
			continue;
		/* an interface's MTU may change under us (ip link set mtu) */
		mtu = mtu_too ? port_mtu(port) : port->mtu;
		if (mtu != port->mtu) {
			log_msg("port %s: mtu %u -> %u", port->name, port->mtu,
				mtu);
			__atomic_store_n(&port->mtu, mtu, __ATOMIC_RELAXED);
			mtu_changed = true;
		}
		memset(&link, 0, sizeof(link));
		if (rte_eth_link_get_nowait(d->ports[p].port_id, &link) < 0)
			continue;
		up = link.link_status == RTE_ETH_LINK_UP && d->ports[p].has_tx &&
		     (d->ports[p].kind != PORT_AF_XDP ||
		      kernel_carrier(d->ports[p].ifname) != 0);
		if (!up) {
			port->went_down = port->went_down || d->nhg.link_up[p];
			port->up_hold_until_tsc = 0;
		} else if (port->went_down && !d->nhg.link_up[p]) {
			if (port->up_hold_until_tsc == 0)
				port->up_hold_until_tsc = now + rte_get_tsc_hz() /
					1000 * LINK_UP_HOLD_MS;
			if (now < port->up_hold_until_tsc)
				continue; /* still holding down */
		}
		if (d->nhg.link_up[p] != up)
			log_msg("port %s (%s): link %s", d->ports[p].name,
				d->ports[p].kind == PORT_AF_XDP ?
					d->ports[p].ifname : d->ports[p].device,
				up ? "up" : "down");
		d->nhg.link_up[p] = up;
	}
	if (mtu_changed)
		fwd_mtu_update(d);
}

/* Stop and close: the PMD detaches its XDP program from the interface. */
void port_close_all(struct dp *d)
{
	uint16_t p;

	for (p = 0; p < d->n_ports; p++) {
		if (!d->ports[p].started)
			continue;
		rte_eth_dev_stop(d->ports[p].port_id);
		rte_eth_dev_close(d->ports[p].port_id);
		d->ports[p].started = false;
	}
}
