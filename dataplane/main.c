/* twinpath-dp: the DPDK data plane. `twinpath-dp --config FILE [-- EAL
 * args]`. Checks the host, starts the ports from the config, takes state
 * from twinpathd over the channel and forwards IPv4 until SIGINT/SIGTERM;
 * keeps forwarding on the last state when twinpathd is gone. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_pdump.h>

#include "dp.h"
#include "dpdklog.h"
#include "log.h"
#include "xskstat.h"

/* Carrier loss takes a link out of forwarding within this: every tick
 * (one ethtool ioctl and an ethdev read per port, a few microseconds).
 * A carrier-loss failover is measured in milliseconds (make failover's
 * verdict is 10 ms), so the poll must be well inside it. */
#define LINK_POLL_MS 1u
/* Interface MTUs change by hand (ip link set mtu): checked less often. */
#define MTU_POLL_MS 100u
/* How often twinpathd hears which unresolved nexthops traffic wanted. */
#define NEIGH_MISS_REPORT_MS 100u
/* The kernel's AF_XDP counters: a handful of getsockopts, once a second. */
#define XSK_POLL_MS 1000u
#define CTL_TICK_US 1000u      /* main lcore tick when it does not forward */
/* While channel records wait, the main lcore sleeps this long after each
 * slice of them (CHAN_POLL_SLICE_US, 500 us, dataplane/channel.c): a
 * real-time thread busy more than ~2/3 of its CPU while a normal task
 * waits there lets the kernel's fair server (Linux >= 6.12) stop every
 * real-time thread of that CPU for 50 ms, our BFD tick among them
 * (measured: a SCHED_FIFO loop busy 70 % beside a normal one was stopped
 * 50 ms once a second, at 60 % never). It sleeps as long as the slice
 * took: half the CPU at most, a million routes applied at half the rate
 * rather than a BFD flap. Only when the main lcore is real-time
 * (dataplane.rt_priority > 0, the default): at the default scheduler the
 * kernel's fair sharing does that job, and the slices follow each other. */
#define CTL_BUSY_SLEEP_US 500u
#define CTL_BUSY_SLEEP_MAX_US 2000u
#define CTL_EVERY_BURSTS 64u   /* channel poll interval when it does */

#define DP_DROP_NAME(e, s) [e] = s,
const char *const dp_drop_names[DROP_MAX] = {DP_DROP_REASONS(DP_DROP_NAME)};
#undef DP_DROP_NAME

struct dp dp;
volatile bool dp_quit;

static void on_signal(int sig)
{
	(void)sig;
	__atomic_store_n(&dp_quit, true, __ATOMIC_RELAXED);
}

/* SIGHUP (systemctl reload, logrotate): nothing of twinpath-dp's applies
 * live (ports, EAL, dataplane.* are taken at start; policy and BFD timers
 * are twinpathd's, which reloads them), and its log is stderr, nothing
 * to reopen. Said once per signal, by the main lcore; never an exit. */
static volatile sig_atomic_t hup_count;

static void on_hup(int sig)
{
	(void)sig;
	hup_count++;
}

static void hup_check(const struct dp *d)
{
	static sig_atomic_t seen;

	if (hup_count == seen)
		return;
	seen = hup_count;
	log_msg("SIGHUP: nothing to reload in twinpath-dp (ports, EAL and "
		"dataplane.* of %s apply at start: restart it for those; "
		"policy and BFD timers are twinpathd's: twinpathctl reload); "
		"forwarding goes on", d->cfg->path);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: twinpath-dp --config FILE [--xdp-prog PATH] "
		"[--debug-corrupt] [-- EAL options]\n"
		"       twinpath-dp --version\n");
}

/* Free callback of the defer queue: E holds one retired object pointer. */
static void rcu_free(void *p, void *e, unsigned int n)
{
	unsigned int i;

	(void)p;
	for (i = 0; i < n; i++)
		free(((void **)e)[i]);
}

/* nhg_table's retire: free once every forwarding lcore went quiescent. */
static void rcu_retire(void *ctx, void *obj)
{
	struct dp *d = ctx;

	if (rte_rcu_qsbr_dq_enqueue(d->rcu_dq, &obj) == 0)
		return;
	/* queue full: wait for the grace period here, on the main lcore,
	 * for every forwarding lcore but itself when it forwards too */
	rte_rcu_qsbr_synchronize(d->rcu, d->fwd_lcore == rte_lcore_id() ?
				 rte_lcore_id() : RTE_QSBR_THRID_INVALID);
	free(obj);
}

static int rcu_init(struct dp *d)
{
	size_t sz = rte_rcu_qsbr_get_memsize(RTE_MAX_LCORE);
	struct rte_rcu_qsbr_dq_parameters p = {
		.name = "twp_rcu_dq",
		.flags = RTE_RCU_QSBR_DQ_MT_UNSAFE,
		.size = 2 * (NH_MAX + NHG_MAX),
		.esize = sizeof(void *),
		.trigger_reclaim_limit = 1024,
		.max_reclaim_size = 2 * (NH_MAX + NHG_MAX),
		.free_fn = rcu_free,
		.p = d,
	};

	d->rcu = rte_zmalloc("twp_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (d->rcu == NULL || rte_rcu_qsbr_init(d->rcu, RTE_MAX_LCORE) != 0)
		return -ENOMEM;
	p.v = d->rcu;
	d->rcu_dq = rte_rcu_qsbr_dq_create(&p);
	if (d->rcu_dq == NULL)
		return -ENOMEM;
	return 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The main lcore's periodic work (only the main lcore calls this).
 * Returns true when channel records are waiting: no sleep before the
 * next tick then. */
static bool ctl_tick(struct dp *d)
{
	static uint64_t next_link_poll, next_mtu_poll, next_miss_report,
		next_xsk_poll;
	uint64_t now = rte_get_tsc_cycles();
	bool busy = false;

	/* never wait for telemetry: try again next tick */
	if (pthread_mutex_trylock(&d->ctl_lock) == 0) {
		busy = channel_poll(d);
		pthread_mutex_unlock(&d->ctl_lock);
	}
	health_tick(d);
	health_suspect_tick(d);
	hup_check(d);
	if (now >= next_link_poll) {
		bool mtu = now >= next_mtu_poll;

		port_link_poll(d, mtu);
		next_link_poll = now + rte_get_tsc_hz() / 1000 * LINK_POLL_MS;
		if (mtu)
			next_mtu_poll = now + rte_get_tsc_hz() / 1000 *
						MTU_POLL_MS;
	}
	if (now >= next_miss_report) {
		channel_report_neigh_miss(d);
		next_miss_report = now + rte_get_tsc_hz() / 1000 *
					 NEIGH_MISS_REPORT_MS;
	}
	if (now >= next_xsk_poll) {
		xskstat_poll(d, mono_ns(), false);
		next_xsk_poll = now + rte_get_tsc_hz() / 1000 * XSK_POLL_MS;
	}
	return busy;
}

static void log_totals(const struct dp *d)
{
	uint64_t rx = 0, tx = 0, dropped = 0;
	unsigned int l, p, r;

	for (l = 0; l < RTE_MAX_LCORE; l++) {
		for (p = 0; p < d->n_ports; p++) {
			rx += d->stats[l].rx[p];
			tx += d->stats[l].tx[p];
		}
		for (r = 0; r < DROP_MAX; r++)
			dropped += d->stats[l].drop[r];
	}
	log_msg("totals: rx %lu, tx %lu, dropped %lu", (unsigned long)rx,
		(unsigned long)tx, (unsigned long)dropped);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"xdp-prog", required_argument, NULL, 'x'},
		{"debug-corrupt", no_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	static struct twp_config cfg;
	const char *config_path = NULL, *xdp_prog = NULL;
	char err[512], **eal_argv;
	unsigned int i, bursts = 0;
	bool pdump_on = false, debug_corrupt = false;
	int c, eal_argc, rc, status = 1;

	log_init("twinpath-dp");
	if (dpdklog_init() < 0)
		log_warn("DPDK's log lines keep their own stream");
	while ((c = getopt_long(argc, argv, "c:hVx:", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("twinpath-dp %s\n", TWP_VERSION);
			return 0;
		case 'x':
			xdp_prog = optarg;
			break;
		case 'D':
			debug_corrupt = true;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (config_path == NULL) {
		usage(stderr);
		return 2;
	}
	if (cfg_load(&cfg, config_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	/* the build tree's object for a run from a checkout (tests/lab.sh);
	 * an installed twinpath-dp finds its own by default */
	if (xdp_prog != NULL &&
	    snprintf(cfg.dataplane.xdp_prog, sizeof(cfg.dataplane.xdp_prog),
		     "%s", xdp_prog) >= (int)sizeof(cfg.dataplane.xdp_prog)) {
		fprintf(stderr, "twinpath-dp: --xdp-prog: path too long\n");
		return 2;
	}
	dp.cfg = &cfg;
	dp.health_fd = -1;
	pthread_mutex_init(&dp.ctl_lock, NULL);

	/* getopt stopped at "--" (optind is past it) or at the end */
	eal_argc = port_eal_args(&dp, argc - optind, argv + optind, &eal_argv);
	if (eal_argc < 0)
		return 1;
	if (dp.n_xdp_ports > 0) {
		if (port_check_bpffs() < 0)
			return 1;
		port_xdp_recover(&cfg);
	}
	log_msg("starting: instance %s, %u links + lan, config %s",
		cfg.instance, cfg.n_links, cfg.path);
	signal(SIGHUP, on_hup);
	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		log_err("EAL init failed: %s", rte_strerror(rte_errno));
		return 1;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	fwd_lcores_pick(&dp);
	/* dpdk-dumpcap --file-prefix=twinpath-<instance> attaches to us */
	if (rte_pdump_init() < 0)
		log_warn("pdump: %s: dpdk-dumpcap will not capture",
			rte_strerror(rte_errno));
	else
		pdump_on = true;
	if (rcu_init(&dp) < 0) {
		log_err("rcu: %s", rte_strerror(rte_errno));
		goto out;
	}
	nhg_table_init(&dp.nhg, dp.n_ports, rcu_retire, &dp);
	if (fib_init(&dp) < 0 || port_attach_xdp(&dp) < 0 ||
	    port_setup_all(&dp) < 0 || port_local_addrs_insert(&dp) < 0 ||
	    health_init(&dp) < 0 || fwd_frag_init(&dp) < 0 ||
	    filter_init(&dp) < 0)
		goto out;
	fwd_mtu_update(&dp);
	if (health_suspect_init(&dp) < 0)
		goto out;
	/* every forwarding lcore is an RCU reader, online from here */
	for (i = 0; i < dp.n_fwd_lcores; i++)
		if (fwd_init_lcore(&dp, dp.fwd_lcores[i]) < 0)
			goto out;
	telemetry_init(debug_corrupt);
	if (channel_init(&dp) < 0)
		goto out;

	if (dp.fwd_lcore != rte_get_main_lcore()) {
		for (i = 0; i < dp.n_fwd_lcores; i++)
			rte_eal_remote_launch(fwd_loop, &dp, dp.fwd_lcores[i]);
		/* the BFD tick: at 10 ms x 3 a tick that wakes 20 ms late on
		 * a loaded host is a flap at the peer (RFC 5880 §6.8.7).
		 * It sleeps between ticks and the channel work it does is
		 * sliced, each slice followed by a sleep as long, so the
		 * rest of the host keeps the core (CTL_BUSY_SLEEP_US). */
		fwd_sched_rt(cfg.dataplane.rt_priority, "main lcore");
		log_msg("main lcore %u: channel, link polling, telemetry; "
			"%u forwarding lcores", rte_get_main_lcore(),
			dp.n_fwd_lcores);
		while (!__atomic_load_n(&dp_quit, __ATOMIC_RELAXED)) {
			uint64_t t0 = rte_get_tsc_cycles(), us;

			if (!ctl_tick(&dp)) {
				rte_delay_us_sleep(CTL_TICK_US);
				continue;
			}
			/* the sleep below is for a real-time main lcore
			 * (CTL_BUSY_SLEEP_US); at the default scheduler
			 * (rt_priority 0) the kernel shares the core by
			 * itself, and the records go at full speed */
			if (cfg.dataplane.rt_priority == 0)
				continue;
			/* as long as the slice took (a burst of records
			 * may overrun it), within [500 us, 2 ms] */
			us = (rte_get_tsc_cycles() - t0) * 1000000u /
			     rte_get_tsc_hz();
			rte_delay_us_sleep((unsigned int)RTE_MIN(
				RTE_MAX(us, (uint64_t)CTL_BUSY_SLEEP_US),
				(uint64_t)CTL_BUSY_SLEEP_MAX_US));
		}
		rte_eal_mp_wait_lcore();
	} else {
		log_msg("single lcore %u: forwarding, channel every %u bursts",
			dp.fwd_lcore, CTL_EVERY_BURSTS);
		while (!__atomic_load_n(&dp_quit, __ATOMIC_RELAXED)) {
			fwd_burst(&dp, dp.fwd_lcore);
			if (++bursts % CTL_EVERY_BURSTS == 0)
				ctl_tick(&dp);
		}
		rte_rcu_qsbr_thread_offline(dp.rcu, dp.fwd_lcore);
	}
	log_msg("stopping");
	status = 0;
out:
	__atomic_store_n(&dp_quit, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	log_totals(&dp);
	/* the kernel's last word on our sockets, before they close */
	xskstat_poll(&dp, mono_ns(), true);
	xskstat_log_totals(&dp);
	health_close(&dp);
	health_suspect_free(&dp);
	port_close_all(&dp);
	channel_close(&dp);
	/* no reader is left: free what is retired, then what is live */
	if (dp.rcu_dq != NULL)
		rte_rcu_qsbr_dq_delete(dp.rcu_dq);
	nhg_table_free(&dp.nhg);
	if (dp.fib != NULL)
		fib_free(&dp);
	filter_free(&dp);
	if (pdump_on)
		rte_pdump_uninit();
	rte_eal_cleanup();
	log_msg("stopped");
	return status;
}
