/* twinpathd: loads the deployment file, learns nexthop MACs from the
 * kernel, runs the BGP sessions, pushes nexthops, groups and routes (static
 * and learned) to twinpath-dp over the shm channel, and answers
 * twinpathctl. No DPDK EAL here. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "admin.h"
#include "cli.h"
#include "log.h"
#include "loopwatch.h"
#include "metrics.h"
#include "reload.h"
#include "twinpathd.h"

#define TICK_MS 100
/* BFD's verdicts (the health map) are read at least this often, not
 * only on the tick: a Down tears the link's BGP session down (RFC 5882)
 * and takes the link out of the nexthop groups (prefix-independent
 * convergence) within it. A look is a few loads per link. */
#define BFD_WATCH_MS 10
/* Dirty prefixes decided per loop iteration (about 10 ms): a full table
 * streams into the FIB push without keeping the sessions from their
 * keepalives; as many as a BGP read brings (BGP_READ_CHUNK, 4 k /24s). */
#define RIB_BUDGET 4096
/* Decide no more while this many records wait for the ring: changes then
 * wait (and coalesce) as dirty prefixes in the RIB, not as records. */
#define FIB_BACKLOG_MAX 65536
#define NEIGH_EVERY_TICKS 10 /* resolution retries once a second */
#define BFD_MAP_EVERY_TICKS 10 /* the health map looked up once a second */
/* the /metrics snapshot every tick: a BFD or BGP state change reaches
 * the next scrape at most 100 ms late (a second's delay plus a 1 s
 * scrape interval would miss a 2 s alert budget) */
#define METRICS_EVERY_TICKS 1
#define ADMIN_EVERY_TICKS 10 /* a draining link's traffic once a second */
/* After a restart, the first full sync waits (at most this long) for the
 * nexthop MACs, so it does not replace the data plane's resolved
 * nexthops with unresolved ones: make-before-break. */
#define FIRST_SYNC_WAIT_NS 3000000000ull
/* With BGP it also waits for the sessions to converge (every peer
 * Established and End-of-RIB received, bgp_converged()) and the RIB to be
 * decided, so a data plane that kept forwarding on the last twinpathd's
 * routes is not left with the first few of them: at most this long (a
 * peer that stays down must not freeze the FIB forever). */
#define FIRST_SYNC_BGP_WAIT_NS 30000000000ull

static volatile sig_atomic_t stop_signal;
/* SIGHUP (systemctl reload, logrotate): reload the config file */
static volatile sig_atomic_t reload_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_signal = 1;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: twinpathd --config FILE | --check FILE | "
		"--version\n");
}

static void on_mac(void *arg, unsigned int idx, const uint8_t mac[6])
{
	struct twpd *d = arg;

	if (fibpush_set_mac(d->fp, idx, mac) < 0)
		log_warn("nexthop %u: out of memory queueing its MAC", idx + 1);
}

/* A BGP nexthop other than a link's peer: resolve its MAC like the
 * others (neighbour entry index == nexthop id - 1). */
static int on_new_nexthop(void *arg, const struct fp_nexthop *nh)
{
	struct twpd *d = arg;
	int idx = neigh_watch(&d->neigh, nh->ifname, &nh->gateway);

	if (idx < 0)
		return idx;
	if ((unsigned int)idx != nh->id - 1) {
		log_warn("nexthop %u: neighbour entry %d out of step", nh->id,
			idx);
		return -EINVAL;
	}
	neigh_kick(&d->neigh, (unsigned int)idx);
	return 0;
}

/* The decision process changed PREFIX's nexthop sets. */
static void on_rib_change(void *arg, const struct cfg_addr *prefix,
			  const struct rib_nhset *set)
{
	struct twpd *d = arg;
	int rc = fibpush_bgp_route(d->fp, prefix, set);
	uint64_t now;
	char p[64];

	if (rc >= 0)
		return;
	d->fib_errors++;
	now = bgp_now_ms();
	if (d->fib_error_log_ms != 0 && now - d->fib_error_log_ms < 10000)
		return;
	d->fib_error_log_ms = now;
	log_warn("bgp: route %s not pushed to the data plane: %s (%llu so far)",
		cfg_addr_str(prefix, p, sizeof(p)), strerror(-rc),
		(unsigned long long)d->fib_errors);
}

/* rib_process() will decide PREFIX shortly: the FIB push's entry for it
 * on its way from memory (rib_set_prefetch). */
static void on_rib_prefetch(void *arg, const struct cfg_addr *prefix)
{
	struct twpd *d = arg;

	fibpush_prefetch(d->fp, prefix);
}

/* Prefix-independent convergence (control/fibpush.c): a link whose paths
 * are all about to go leaves the nexthop groups first (a GROUP_SET per
 * group holding it, not a route record per prefix); one whose peer sent
 * End-of-RIB goes back in once the RIB has decided what it sent. */
static void on_link(void *arg, unsigned int link, bool up)
{
	struct twpd *d = arg;
	int rc;

	if (up) {
		d->pic_up |= 1u << link;
		d->pic_up_ms[link] = bgp_now_ms();
		return;
	}
	d->pic_up &= ~(1u << link);
	rc = fibpush_link_down(d->fp, link);
	if (rc < 0)
		log_warn("link %s down: groups not rewritten: %s (a full sync "
			 "repairs)", d->cfg->links[link].name, strerror(-rc));
}

/* Unmasks the links whose End-of-RIB came, once no decision waits (the
 * prefixes the peer announced again then want their group's base, and
 * only those it did not move), or PIC_UP_WAIT_MS after it under
 * unending churn: a prefix decided later costs a record, not a loss. */
#define PIC_UP_WAIT_MS 5000u
static void pic_up_ready(struct twpd *d, uint64_t now_ms)
{
	unsigned int l;
	int rc;

	for (l = 0; d->pic_up != 0 && l < d->cfg->n_links; l++) {
		if (!(d->pic_up >> l & 1u) ||
		    (rib_pending(d->rib) > 0 &&
		     now_ms - d->pic_up_ms[l] < PIC_UP_WAIT_MS))
			continue;
		d->pic_up &= ~(1u << l);
		rc = fibpush_link_up(d->fp, l);
		if (rc < 0)
			log_warn("link %s up: groups not rewritten: %s (a full "
				 "sync repairs)", d->cfg->links[l].name,
				 strerror(-rc));
	}
}

/* RFC 5882 §3.2: BFD tears the link's BGP session down, and lets it come
 * back once Up again. */
/* The data plane suspects LINK (links.suspect.steer_return): the other
 * links announce so that the provider sends the return traffic there. */
static void on_steer(void *arg, unsigned int link, bool on)
{
	struct twpd *d = arg;

	if (d->bgp != NULL)
		bgp_steer_set(d->bgp, link, on);
}

static void on_bfd(void *arg, unsigned int link, bool up)
{
	struct twpd *d = arg;

	if (up)
		bgp_bfd_up(d->bgp, link);
	else
		bgp_bfd_down(d->bgp, link);
}

/* RFC 4724 §3, the F bit: the data plane holds forwarding state for us
 * when a twinpath-dp holds the channel's data role (its lock dies with
 * it) and has applied a full sync. A data plane that starts resets
 * applied_generation to 0 and says hello (dataplane/channel.c), so one
 * that restarted without us, or lost its FIB, reads 0 here until our
 * sync. */
static bool dp_holds_fib(const struct chan *c, uint64_t *gen)
{
	*gen = __atomic_load_n(&c->hdr->applied_generation, __ATOMIC_ACQUIRE);
	return chan_peer_attached(c) && *gen > 0;
}

/* The first full sync is out: our route selection is done, the data plane
 * sweeps what we did not push again at its SYNC_END, and a restart's
 * deferred UPDATEs and End-of-RIB go to the peers (RFC 4724 §4.1). */
static void first_sync(struct twpd *d, const char *why)
{
	fibpush_full_sync(d->fp);
	d->synced = true;
	if (d->bgp == NULL || !d->bgp->gr_restarting)
		return;
	log_msg("graceful restart: first full sync (generation %llu, %s): "
		"the data plane sweeps what it still holds from before the "
		"restart once it is applied; our UPDATEs and End-of-RIB go "
		"out now", (unsigned long long)d->fp->generation, why);
	bgp_gr_restart_end(d->bgp);
}

/* Whether the first full sync after a restart may replace what the data
 * plane forwards on (see FIRST_SYNC_WAIT_NS, FIRST_SYNC_BGP_WAIT_NS). */
static bool first_sync_ready(struct twpd *d)
{
	uint64_t age = chan_now_ns() - d->started_ns;

	if (!fibpush_all_resolved(d->fp) && age <= FIRST_SYNC_WAIT_NS)
		return false;
	if (d->bgp == NULL)
		return true;
	if (age > FIRST_SYNC_BGP_WAIT_NS) {
		log_warn("bgp: sessions not all converged %llu s after start: "
			"first full sync with what is known",
			(unsigned long long)(age / 1000000000ull));
		return true;
	}
	if (!bgp_converged(d->bgp, bgp_now_ms()) || rib_pending(d->rib) > 0)
		return false;
	log_msg("bgp: every session converged %.1f s after start: first "
		"full sync", (double)age / 1e9);
	return true;
}

static void drain_events(struct twpd *d)
{
	struct chan_event ev[64];
	unsigned int n, i;

	while ((n = chan_recv_events(&d->chan, ev, 64)) > 0) {
		for (i = 0; i < n; i++) {
			if (fibcheck_event(&d->check, d->fp, &ev[i],
					   chan_now_ns() / 1000000u))
				continue;
			switch (ev[i].type) {
			case CHAN_EV_HELLO:
				/* A new data plane has nothing to lose:
				 * sync now, resolved or not. */
				log_msg("data plane pid %u says hello: full "
					"sync", ev[i].pid);
				first_sync(d, "the data plane restarted: its "
					   "forwarding state is lost");
				/* it may have recreated the health map */
				if (d->bfd.n_enabled > 0)
					bfd_attach(&d->bfd);
				break;
			case CHAN_EV_SYNC_DONE:
				log_msg("data plane pid %u applied generation "
					"%llu", ev[i].pid,
					(unsigned long long)ev[i].arg);
				break;
			case CHAN_EV_REC_INVALID:
				log_warn("data plane pid %u rejected record "
					"seq %llu", ev[i].pid,
					(unsigned long long)ev[i].arg);
				break;
			case CHAN_EV_NEIGH_MISS: {
				struct fp_nexthop *nh = ev[i].arg >= 1 &&
					ev[i].arg <= d->fp->n_nh ?
					&d->fp->nh[ev[i].arg - 1] : NULL;

				if (nh == NULL)
					break;
				if (!nh->miss_logged)
					log_msg("nexthop %u (%s) used while "
						"unresolved: asking the kernel",
						nh->id, nh->label);
				nh->miss_logged = true;
				neigh_kick(&d->neigh, nh->id - 1);
				break;
			}
			default:
				log_warn("data plane pid %u: unknown event %u",
					ev[i].pid, ev[i].type);
			}
		}
	}
}

static int run(struct twp_config *cfg)
{
	struct itimerspec its = {
		.it_interval = {.tv_nsec = TICK_MS * 1000000L},
		.it_value = {.tv_nsec = TICK_MS * 1000000L},
	};
	struct sigaction sa = {.sa_handler = on_signal};
	struct sigaction sa_hup = {.sa_handler = on_hup};
	struct twpd d = {.cfg = cfg, .cfg_live = cfg};
	static struct metrics m;  /* large; one per process */
	static struct monitor mon;
	static struct metrics_ctl mctl;
	/* the timer, netlink, the CLI, then the BGP sockets */
	struct pollfd pfd[2 + 1 + CLI_MAX_CLIENTS +
			  sizeof(((struct bgp_speaker *)0)->ref) /
			      sizeof(struct bgp_pollref)];
	unsigned int i, ticks = 0, n_bgp = 0, n_cli = 0;
	static struct cli_server cli;
	uint64_t gen;
	int tfd = -1, lfd = -1, rc, timeout;
	bool decide;
	struct loopwatch lw = {0};
	struct lw_sample lws;
	char lwmsg[512];

	d.started_ns = chan_now_ns();
	cli_server_init(&cli, -1); /* no client fds to close on an early exit */
	fibcheck_init(&d.check, cfg->control.fib_check_interval_s * 1000u);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa_hup, NULL);
	signal(SIGPIPE, SIG_IGN);

	rc = bfd_init(&d.bfd, cfg, NULL);
	if (rc < 0) {
		log_err("bfd: no random numbers: %s", strerror(-rc));
		return 1;
	}
	rc = chan_open(&d.chan, cfg->instance, CHAN_ROLE_CONTROL);
	if (rc < 0) {
		log_err("channel %s: %s%s", cfg->instance, strerror(-rc),
			rc == -EBUSY ? " (another twinpathd runs this "
				       "instance)" : "");
		return 1;
	}
	d.fp = calloc(1, sizeof(*d.fp));
	if (d.fp == NULL || fibpush_build(d.fp, cfg, &d.chan) < 0) {
		log_err("out of memory");
		goto out;
	}
	rc = neigh_open(&d.neigh, on_mac, &d);
	if (rc < 0) {
		log_err("netlink: %s", strerror(-rc));
		goto out;
	}
	for (i = 0; i < d.fp->n_nh; i++) {
		const struct fp_nexthop *nh = &d.fp->nh[i];

		/* neighbour entry i is nexthop id i + 1 */
		if (neigh_watch(&d.neigh, nh->ifname, &nh->gateway) < 0) {
			log_err("out of memory");
			goto out;
		}
		if (d.neigh.e[i].ifindex == 0)
			log_warn("interface %s does not exist (yet): nexthop "
				"%u waits for it", nh->ifname, nh->id);
	}
	if (cfg->bgp.enabled) {
		fibpush_set_nh_cb(d.fp, on_new_nexthop, &d);
		d.rib = rib_new(cfg->n_links);
		d.bgp = d.rib ? bgp_new(cfg, d.rib, NULL) : NULL;
		if (d.bgp == NULL) {
			log_err("bgp: out of memory");
			goto out;
		}
		d.bfd.bgp_cb = on_bfd;
		d.bfd.bgp_arg = &d;
		d.bfd.steer_cb = on_steer;
		d.bfd.steer_arg = &d;
		bgp_set_link_cb(d.bgp, on_link, &d);
		rib_set_prefetch(d.rib, on_rib_prefetch, &d);
	}
	if (dp_holds_fib(&d.chan, &gen)) {
		/* RFC 4724 §4.1: twinpath-dp kept forwarding on the last
		 * twinpathd's FIB; nothing reaches it before our first full
		 * sync (fibpush sends no difference before it), which waits
		 * for the sessions to converge, and its SYNC_END sweeps the
		 * rest (make-before-break). */
		log_msg("data plane pid %u holds FIB generation %llu: it keeps "
			"forwarding on it; nothing is withdrawn from it before "
			"our first full sync", d.chan.hdr->dp_pid,
			(unsigned long long)gen);
		if (d.bgp != NULL) {
			bgp_gr_set_forwarding(d.bgp, true);
			if (bgp_gr_restart_begin(d.bgp))
				log_msg("bgp: graceful restart (RFC 4724): "
					"restarting speaker: OPENs with R=1 "
					"and F=1 for IPv4 and IPv6 unicast, "
					"restart time %u s; route selection "
					"waits for End-of-RIB from every peer "
					"(at most %llu s)",
					cfg->bgp.restart_time_s,
					FIRST_SYNC_BGP_WAIT_NS / 1000000000ull);
		}
	} else if (d.bgp != NULL && cfg->bgp.graceful_restart) {
		log_msg("bgp: graceful restart (RFC 4724): fresh start (no "
			"data plane with a FIB): OPENs with R=0 and F=0 until "
			"the data plane holds our FIB");
	}
	lfd = cli_listen(cfg->control.socket);
	if (lfd < 0) {
		log_err("control socket %s: %s", cfg->control.socket,
			strerror(-lfd));
		goto out;
	}
	d.mon = &mon;
	rc = monitor_start(&mon, cfg);
	if (rc < 0) {
		log_msg("monitor: %s", strerror(-rc));
		goto out;
	}
	rc = metrics_start(&m, cfg, &mon);
	if (rc < 0) {
		log_err("metrics_listen %s: %s", cfg->control.metrics_listen,
			strerror(-rc));
		goto out;
	}
	metrics_collect(&d, &mctl);
	metrics_publish(&m, &mctl);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0) {
		log_err("timerfd: %s", strerror(errno));
		goto out;
	}
	log_msg("instance %s: %u links, %u nexthops, %u groups, %zu routes; "
		"channel %s, control socket %s, metrics %s%s", cfg->instance,
		cfg->n_links, d.fp->n_nh, d.fp->n_grp,
		fibpush_route_count(d.fp), d.chan.name, cfg->control.socket,
		m.mhd ? cfg->control.metrics_listen : "off",
		d.bgp ? "; BGP on every link" : "");

	/* Make-before-break from the first moment: a data plane that kept
	 * forwarding while we were gone keeps doing so until our SYNC_END,
	 * which is sent once the MACs are known (or after a bounded wait). */
	neigh_tick(&d.neigh);
	if (d.bfd.n_enabled > 0)
		bfd_attach(&d.bfd);

	lw_sample_now(&lw, &lws);
	lw_init(&lw, LW_WARN_MS * 1000000ull, &lws);
	pfd[0] = (struct pollfd){.fd = tfd, .events = POLLIN};
	pfd[1] = (struct pollfd){.fd = neigh_fd(&d.neigh), .events = POLLIN};
	cli.lfd = lfd;
	while (!stop_signal) {
		if (reload_signal) {
			FILE *null = fopen("/dev/null", "w");

			/* the answer goes to the log (reload_run logs it) */
			reload_signal = 0;
			log_msg("SIGHUP: reloading %s", cfg->path);
			if (null != NULL) {
				reload_run(&d, null);
				fclose(null);
			}
		}
		/* BGP sockets change every iteration; timers are checked every
		 * iteration, which wakes at their next deadline at the latest. While routes wait to
		 * be decided or pushed, only look at the sockets and go on.
		 * The control socket's clients too: none of them can make
		 * the loop wait (control/cli.c). */
		n_cli = cli_pollfds(&cli, pfd + 2, 1 + CLI_MAX_CLIENTS);
		if (d.bgp != NULL)
			n_bgp = bgp_pollfds(d.bgp, pfd + 2 + n_cli,
					    sizeof(pfd) / sizeof(pfd[0]) - 2 -
						    n_cli);
		decide = d.rib != NULL && rib_pending(d.rib) > 0 &&
			 fibpush_queued(d.fp) < FIB_BACKLOG_MAX;
		timeout = -1;
		if (decide)
			timeout = 0;
		else if (fibpush_queued(d.fp) > 0)
			timeout = 1; /* the data plane drains the ring */
		/* the BGP timers' next deadline (a keepalive, a hold timer,
		 * a connect retry), not the next 100 ms tick: a keepalive
		 * leaves when it is due */
		if (d.bgp != NULL && timeout != 0) {
			int t = bgp_next_timeout_ms(d.bgp, bgp_now_ms());

			if (timeout < 0 || t < timeout)
				timeout = t;
		}
		if (d.bfd.n_enabled > 0 &&
		    (timeout < 0 || timeout > BFD_WATCH_MS))
			timeout = BFD_WATCH_MS;
		lw_phase(&lw, LW_TOP, chan_now_ns());
		if (poll(pfd, 2 + n_cli + n_bgp, timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll: %s", strerror(errno));
			break;
		}
		lw_phase(&lw, LW_POLL, chan_now_ns());
		if (d.bfd.n_enabled > 0) {
			/* a Down's teardown flushes the link's paths here (a
			 * full table: hundreds of ms): BFD's work, the tick's
			 * phase, not the neighbour input's */
			bfd_watch(&d.bfd, chan_now_ns());
			lw_phase(&lw, LW_TICK, chan_now_ns());
		}
		if (pfd[1].revents)
			neigh_input(&d.neigh);
		lw_phase(&lw, LW_NEIGH, chan_now_ns());
		cli_handle(&cli, &d, pfd + 2, n_cli, bgp_now_ms());
		lw_phase(&lw, LW_CLI, chan_now_ns());
		if (d.bgp != NULL) {
			uint64_t now = bgp_now_ms();

			bgp_handle(d.bgp, pfd + 2 + n_cli, n_bgp, now);
			lw_phase(&lw, LW_BGP_IN, chan_now_ns());
			/* the time the timers see is now, not before the
			 * input: a long input must not delay a keepalive */
			now = bgp_now_ms();
			bgp_tick(d.bgp, now);
			lw_sample_now(&lw, &lws);
			if (lw_timers_ran(&lw, &lws, lwmsg, sizeof(lwmsg)))
				log_warn("%s", lwmsg);
			if (fibpush_queued(d.fp) < FIB_BACKLOG_MAX)
				rib_process(d.rib, RIB_BUDGET, on_rib_change,
					    &d);
			if (d.pic_up != 0)
				pic_up_ready(&d, now);
			lw_phase(&lw, LW_RIB, chan_now_ns());
			if (fibpush_queued(d.fp) > 0)
				fibpush_flush(d.fp);
			lw_phase(&lw, LW_FIB, chan_now_ns());
		}
		if (pfd[0].revents) {
			uint64_t expirations;

			if (read(tfd, &expirations, sizeof(expirations)) < 0)
				continue;
			chan_heartbeat(&d.chan);
			drain_events(&d);
			if (!d.synced && first_sync_ready(&d))
				first_sync(&d, "route selection done");
			if (d.bgp != NULL)
				bgp_gr_set_forwarding(d.bgp,
						      dp_holds_fib(&d.chan, &gen));
			fibpush_flush(d.fp);
			if (fibcheck_tick(&d.check, d.fp,
					  chan_now_ns() / 1000000u) < 0)
				log_warn("fib digest check: out of memory");
			if (++ticks % NEIGH_EVERY_TICKS == 0)
				neigh_tick(&d.neigh);
			if (d.bfd.n_enabled > 0 &&
			    ticks % BFD_MAP_EVERY_TICKS == 0) {
				bfd_refresh_ifindex(&d.bfd);
				bfd_attach(&d.bfd);
			}
			bfd_watch(&d.bfd, chan_now_ns());
			if (ticks % ADMIN_EVERY_TICKS == 0)
				admin_tick(&d, bgp_now_ms());
			/* the scraper reads this copy on its own thread */
			if (m.mhd != NULL && ticks % METRICS_EVERY_TICKS == 0) {
				metrics_collect(&d, &mctl);
				metrics_publish(&m, &mctl);
			}
			lw_phase(&lw, LW_TICK, chan_now_ns());
		}
	}
	lw_close(&lw);
	if (stop_signal)
		log_msg("signal %d: exiting", (int)stop_signal);
	bgp_shutdown(d.bgp);
out:
	metrics_stop(&m);
	monitor_stop(&mon);
	bgp_free(d.bgp);
	if (d.rib != NULL)
		rib_free(d.rib);
	if (tfd >= 0)
		close(tfd);
	cli_server_close(&cli);
	if (lfd >= 0) {
		close(lfd);
		unlink(cfg->control.socket);
	}
	bfd_detach(&d.bfd);
	if (d.neigh.nl != NULL)
		neigh_close(&d.neigh);
	if (d.fp != NULL) {
		fibpush_free(d.fp);
		free(d.fp);
	}
	chan_close(&d.chan);
	return stop_signal ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check", required_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	static struct twp_config cfg; /* large: not on the stack */
	const char *path = NULL;
	bool check = false;
	char err[1024];
	int opt;

	log_init("twinpathd");
	while ((opt = getopt_long(argc, argv, "c:k:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
		case 'k':
			if (path != NULL) {
				usage(stderr);
				return 2;
			}
			path = optarg;
			check = opt == 'k';
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("twinpathd %s\n", TWP_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (path == NULL || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (cfg_load(&cfg, path, err, sizeof(err)) < 0) {
		/* the bare FILE:LINE line, so editors and tests can use it */
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (check) {
		printf("%s: ok (instance %s, %u links, %u static routes)\n",
		       path, cfg.instance, cfg.n_links, cfg.n_routes);
		return 0;
	}
	return run(&cfg);
}
