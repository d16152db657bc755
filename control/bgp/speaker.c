/* twinpathd's BGP speaker: bgp_new() and the poll loop's entry points
 * (bgp_pollfds, bgp_handle, bgp_tick, bgp_next_timeout_ms) with the
 * timers (RFC 4271 §4.4 hold, §8.2.2 ConnectRetry), shutdown, what BFD
 * says of a session (RFC 5882 §3.2) and the CLI's clear: soft reset
 * (RFC 2918), administrative shutdown (RFC 9003, RFC 8538 §5), drain
 * (RFC 8326). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fsm_int.h"
#include "log.h"
#include "ptable.h"

enum { REF_LISTEN = 0, REF_OUT, REF_IN, REF_CLOSING };

/* ---- the speaker ---- */

/* P: a session of link LINK toward ADDR carrying the families AFS. */
static void peer_init(struct bgp_speaker *sp, struct bgp_peer *p,
		      unsigned int link, const struct cfg_addr *addr,
		      unsigned int afs)
{
	const struct cfg_link *l = &sp->cfg->links[link];
	char a[64];

	p->sp = sp;
	p->link = link;
	p->lc = l;
	p->addr = *addr;
	p->afs = afs;
	p->port = BGP_PORT;
	/* the session's source: our address of the peer's family
	 * (local_address6 beside an IPv4 local_address when the peer is
	 * IPv6), or none for a link-local peer, which the kernel reaches
	 * from our fe80:: address on the interface */
	if (cfg_link_local_for(l, addr) != NULL) {
		p->local = *cfg_link_local_for(l, addr);
	} else {
		memset(&p->local, 0, sizeof(p->local));
		p->local.family = AF_INET6;
	}
	p->hold_cfg_s = l->bgp.hold_time_s;
	p->out.fd = p->in.fd = -1;
	p->state = l->bgp.passive ? BGP_ST_ACTIVE : BGP_ST_IDLE;
	p->connect_at_ms = sp->now_ms;
	snprintf(p->name, sizeof(p->name), "%s %s", l->name,
		 cfg_addr_str(addr, a, sizeof(a)));
}

struct bgp_speaker *bgp_new(const struct twp_config *cfg, struct rib *rib,
			    const struct bgp_opts *opts)
{
	struct bgp_speaker *sp = calloc(1, sizeof(*sp));
	uint16_t port;
	unsigned int i;
	bool fam[2] = {false, false};

	if (sp == NULL)
		return NULL;
	sp->cfg = cfg;
	sp->rib = rib;
	if (opts != NULL)
		sp->opts = *opts;
	sp->lfd[0] = sp->lfd[1] = -1;
	sp->upd = malloc(sizeof(*sp->upd));
	sp->txbuf = malloc(BGP_MSG_MAX);
	if (sp->upd == NULL || sp->txbuf == NULL) {
		bgp_free(sp);
		return NULL;
	}
	sp->now_ms = bgp_now_ms();
	sp->n_peers = cfg->n_links;
	for (i = 0; i < cfg->n_links; i++) {
		const struct cfg_link *l = &cfg->links[i];

		if (l->peer_address6.family == 0) {
			peer_init(sp, &sp->peer[i], i, &l->peer_address,
				  RIB_KEEP_AF(BGP_AF_IPV4) |
				  RIB_KEEP_AF(BGP_AF_IPV6));
		} else {
			struct bgp_peer *p6 = &sp->peer[sp->n_peers++];

			peer_init(sp, &sp->peer[i], i, &l->peer_address,
				  RIB_KEEP_AF(BGP_AF_IPV4));
			peer_init(sp, p6, i, &l->peer_address6,
				  RIB_KEEP_AF(BGP_AF_IPV6));
			sp->peer[i].sibling = p6;
			p6->sibling = &sp->peer[i];
			fam[1] = true;
		}
		fam[l->peer_address.family == AF_INET ? 0 : 1] = true;
	}
	if (sp->opts.no_listen)
		return sp;
	port = sp->opts.listen_port_any ? 0 :
	       sp->opts.listen_port ? sp->opts.listen_port : BGP_PORT;
	for (i = 0; i < 2; i++) {
		int fd;

		if (!fam[i])
			continue;
		fd = open_listener(sp, i == 0 ? AF_INET : AF_INET6,
				   i == 0 ? &sp->opts.listen4 :
					    &sp->opts.listen6, port);
		if (fd < 0)
			log_warn("bgp: cannot listen on %s port %u: %s (only "
				"active opens)", i == 0 ? "IPv4" : "IPv6",
				port, strerror(-fd));
		sp->lfd[i] = fd;
	}
	return sp;
}

void bgp_free(struct bgp_speaker *sp)
{
	unsigned int i;

	if (sp == NULL)
		return;
	for (i = 0; i < sp->n_peers; i++) {
		struct bgp_peer *p = &sp->peer[i];

		if (p->out.fd >= 0)
			close(p->out.fd);
		if (p->in.fd >= 0)
			close(p->in.fd);
		conn_free(&p->out);
		conn_free(&p->in);
		if (p->rejected_set != NULL)
			ptable_free(p->rejected_set);
	}
	while (sp->n_closing > 0)
		closing_drop(sp, 0);
	for (i = 0; i < 2; i++)
		if (sp->lfd[i] >= 0)
			close(sp->lfd[i]);
	free(sp->upd);
	free(sp->txbuf);
	free(sp);
}

static void add_ref(struct bgp_speaker *sp, struct pollfd *pfd,
		    unsigned int max, int fd, short events, int kind,
		    void *obj)
{
	if (sp->n_ref >= max ||
	    sp->n_ref >= sizeof(sp->ref) / sizeof(sp->ref[0]))
		return;
	pfd[sp->n_ref] = (struct pollfd){.fd = fd, .events = events};
	sp->ref[sp->n_ref++] = (struct bgp_pollref){.fd = fd, .kind = kind,
						    .obj = obj};
}

static short conn_events(const struct bgp_conn *c)
{
	if (c->state == BGP_ST_CONNECT)
		return POLLOUT;
	return (short)(POLLIN | (c->wlen > 0 ? POLLOUT : 0));
}

unsigned int bgp_pollfds(struct bgp_speaker *sp, struct pollfd *pfd,
			 unsigned int max)
{
	unsigned int i;

	sp->n_ref = 0;
	for (i = 0; i < 2; i++)
		if (sp->lfd[i] >= 0)
			add_ref(sp, pfd, max, sp->lfd[i], POLLIN, REF_LISTEN,
				NULL);
	for (i = 0; i < sp->n_peers; i++) {
		struct bgp_peer *p = &sp->peer[i];

		if (p->out.fd >= 0)
			add_ref(sp, pfd, max, p->out.fd, conn_events(&p->out),
				REF_OUT, p);
		if (p->in.fd >= 0)
			add_ref(sp, pfd, max, p->in.fd, conn_events(&p->in),
				REF_IN, p);
	}
	for (i = 0; i < sp->n_closing; i++)
		add_ref(sp, pfd, max, sp->closing[i].fd, POLLIN, REF_CLOSING,
			NULL);
	return sp->n_ref;
}

static void closing_input(struct bgp_speaker *sp, int fd)
{
	unsigned int i;
	char buf[4096];

	for (i = 0; i < sp->n_closing; i++) {
		if (sp->closing[i].fd != fd)
			continue;
		for (;;) {
			ssize_t n = recv(fd, buf, sizeof(buf), 0);

			if (n > 0)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			closing_drop(sp, i); /* EOF or error: done */
			return;
		}
	}
}

void bgp_handle(struct bgp_speaker *sp, const struct pollfd *pfd,
		unsigned int n, uint64_t now_ms)
{
	unsigned int i;

	sp->now_ms = now_ms;
	for (i = 0; i < n && i < sp->n_ref; i++) {
		const struct bgp_pollref *r = &sp->ref[i];
		struct bgp_peer *p = r->obj;
		struct bgp_conn *c;

		if (pfd[i].revents == 0 || pfd[i].fd != r->fd)
			continue;
		switch (r->kind) {
		case REF_LISTEN:
			on_accept(sp, r->fd);
			break;
		case REF_CLOSING:
			closing_input(sp, r->fd);
			break;
		default:
			c = r->kind == REF_OUT ? &p->out : &p->in;
			if (c->fd != r->fd)
				break; /* closed or replaced meanwhile */
			if (c->state == BGP_ST_CONNECT) {
				connect_done(p);
				break;
			}
			if (pfd[i].revents & POLLOUT)
				conn_flush(c);
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				conn_input(p, c);
		}
	}
}

/* The hold timer of C expired at NOW. RFC 4271 §4.4 restarts it on every
 * KEEPALIVE or UPDATE received; one the kernel already holds for us was
 * received, only not read yet, because the loop was late (a host whose
 * CPU went elsewhere for the whole hold time: twinpathd's watchdog,
 * control/loopwatch.c, says so). Read it before calling the peer dead:
 * true when the timer still stands (nothing was waiting, or what was
 * did not restart it), false when the input ran (C was refreshed or
 * closed by it). */
static bool hold_unread(struct bgp_peer *p, struct bgp_conn *c, uint64_t now)
{
	int unread = 0;

	if (ioctl(c->fd, FIONREAD, &unread) < 0 || unread <= 0)
		return true;
	p->st.hold_late_reads++;
	plog(p, "hold timer expired %llu ms ago with %d bytes unread: read "
	     "them first (the loop was late; %llu such reads so far)",
	     (unsigned long long)(now - c->hold_at_ms), unread,
	     (unsigned long long)p->st.hold_late_reads);
	conn_input(p, c);
	return c->fd >= 0 && c->hold_at_ms != 0 && now >= c->hold_at_ms;
}

static void conn_timers(struct bgp_peer *p, struct bgp_conn *c)
{
	uint64_t now = p->sp->now_ms;

	if (c->fd < 0)
		return;
	if (c->werr != 0) {
		char why[96];
		struct bgp_end e = {.why = why, .next = BGP_HOLD_BACKOFF};

		snprintf(why, sizeof(why), "send: %s", strerror(c->werr));
		conn_end(p, c, &e);
		return;
	}
	if (c->state == BGP_ST_CONNECT) {
		/* RFC 4271 §8.2.2: ConnectRetry expired in Connect: drop the
		 * attempt; a new one starts at once */
		if (now >= p->connect_at_ms) {
			connect_failed(p, "timed out");
			conn_close(p->sp, c, false);
			peer_report(p);
		}
		return;
	}
	if (c->hold_at_ms != 0 && now >= c->hold_at_ms &&
	    !hold_unread(p, c, now))
		return; /* what was waiting was read: C is alive or closed */
	if (c->hold_at_ms != 0 && now >= c->hold_at_ms) {
		struct bgp_notify n = {.code = BGP_ERR_HOLD};
		struct bgp_end e = {.why = "hold timer expired (4/0)",
				    .sent = &n, .hold_expired = true,
				    .next = BGP_HOLD_BACKOFF};

		conn_end(p, c, &e);
		return;
	}
	if (c->keepalive_at_ms != 0 && now >= c->keepalive_at_ms &&
	    c->state >= BGP_ST_OPENCONFIRM) {
		send_keepalive(p, c);
		c->keepalive_at_ms = now + c->hold_s * 1000ull / 3;
	}
}

void bgp_tick(struct bgp_speaker *sp, uint64_t now_ms)
{
	unsigned int i;

	sp->now_ms = now_ms;
	for (i = 0; i < sp->n_closing;) {
		if (now_ms >= sp->closing[i].until_ms)
			closing_drop(sp, i);
		else
			i++;
	}
	for (i = 0; i < sp->n_peers; i++) {
		struct bgp_peer *p = &sp->peer[i];

		conn_timers(p, &p->out);
		conn_timers(p, &p->in);
		if (p->restart_at_ms != 0 && now_ms >= p->restart_at_ms) {
			size_t n;

			/* not back in time: every path goes at once */
			peer_link_event(p, false);
			n = peer_sweep_stale(p);

			plog(p, "graceful restart: restart timer expired, %zu "
			     "stale paths swept", n);
			p->restart_at_ms = 0;
			p->stale = 0;
		}
		if (p->stale_at_ms != 0 && now_ms >= p->stale_at_ms) {
			size_t n = peer_sweep_stale(p);

			plog(p, "graceful restart: no End-of-RIB after %u s, "
			     "%zu stale paths swept", BGP_STALEPATH_S, n);
			p->stale_at_ms = 0;
			p->stale = 0;
		}
		if (p->pic_up_at_ms != 0 && now_ms >= p->pic_up_at_ms) {
			plog(p, "no End-of-RIB %u s after Established: the "
			     "link is back in the nexthop groups",
			     BGP_PIC_EOR_WAIT_S);
			peer_link_event(p, true);
		}
		if ((p->hold == BGP_HOLD_BACKOFF ||
		     p->hold == BGP_HOLD_MAX_PREFIX) &&
		    now_ms >= p->idle_until_ms) {
			p->hold = BGP_HOLD_NONE;
			p->connect_at_ms = now_ms;
		}
		if (p->hold == BGP_HOLD_NONE && !p->lc->bgp.passive &&
		    p->out.fd < 0 && p->in.fd < 0 && p->est == NULL &&
		    now_ms >= p->connect_at_ms)
			start_connect(p);
		peer_report(p);
	}
}

static void min_at(uint64_t at, uint64_t now, uint64_t *best)
{
	if (at != 0 && at < *best)
		*best = at > now ? at : now;
}

int bgp_next_timeout_ms(const struct bgp_speaker *sp, uint64_t now_ms)
{
	uint64_t best = now_ms + 1000;
	unsigned int i;

	for (i = 0; i < sp->n_closing; i++)
		min_at(sp->closing[i].until_ms, now_ms, &best);
	for (i = 0; i < sp->n_peers; i++) {
		const struct bgp_peer *p = &sp->peer[i];
		const struct bgp_conn *c[2] = {&p->out, &p->in};
		unsigned int k;

		for (k = 0; k < 2; k++) {
			if (c[k]->fd < 0)
				continue;
			if (c[k]->werr != 0)
				return 0;
			if (c[k]->state == BGP_ST_CONNECT)
				min_at(p->connect_at_ms, now_ms, &best);
			min_at(c[k]->hold_at_ms, now_ms, &best);
			min_at(c[k]->keepalive_at_ms, now_ms, &best);
		}
		min_at(p->restart_at_ms, now_ms, &best);
		min_at(p->stale_at_ms, now_ms, &best);
		if (p->hold == BGP_HOLD_BACKOFF ||
		    p->hold == BGP_HOLD_MAX_PREFIX)
			min_at(p->idle_until_ms, now_ms, &best);
		else if (p->hold == BGP_HOLD_NONE && !p->lc->bgp.passive &&
			 p->out.fd < 0 && p->in.fd < 0)
			min_at(p->connect_at_ms ? p->connect_at_ms : now_ms,
			       now_ms, &best);
	}
	return (int)(best - now_ms);
}

void bgp_shutdown(struct bgp_speaker *sp)
{
	struct bgp_notify n = {.code = BGP_ERR_CEASE,
			       .subcode = BGP_ERR_CEASE_SHUTDOWN};
	struct bgp_end e = {.why = "administrative shutdown (6/2, twinpathd "
				   "exits)", .sent = &n, .flush = true,
			    .next = BGP_HOLD_ADMIN};
	unsigned int i;

	if (sp == NULL)
		return;
	sp->now_ms = bgp_now_ms();
	for (i = 0; i < sp->n_peers; i++) {
		struct bgp_peer *p = &sp->peer[i];
		struct bgp_notify pn = n;

		notify_hard(p, &pn); /* RFC 8538 §5: a shutdown is hard */
		e.sent = &pn;
		if (p->est != NULL || p->out.fd >= 0 || p->in.fd >= 0)
			peer_stop(p, &e);
	}
}

/* ---- BFD (RFC 5882) and the CLI's clear ---- */

/* One session of a link BFD took down. */
static void bfd_down_peer(struct bgp_peer *p)
{
	/* RFC 5882 §3.2 says tear the session down, not how. We send
	 * Cease/BFD Down (RFC 9384) before closing: on a one-way or
	 * BFD-only failure the peer learns why at once instead of waiting
	 * for its own detection, and on a dead link it costs nothing. The
	 * routes go at once (no graceful restart: the forwarding path is
	 * what failed). */
	struct bgp_notify n = {.code = BGP_ERR_CEASE,
			       .subcode = BGP_ERR_CEASE_BFD_DOWN};
	struct bgp_end e = {.why = "BFD down (6/10, RFC 5882)", .sent = &n,
			    .flush = true, .next = BGP_HOLD_BFD};

	p->bfd_down = true;
	plog(p, "BFD down: session torn down and held Idle until BFD is Up "
	     "(RFC 5882)");
	if (p->stale > 0) {
		size_t k;

		/* the stale paths go at once: the forwarding path failed */
		peer_link_event(p, false);
		k = peer_sweep_stale(p);

		plog(p, "graceful restart: %zu stale paths swept (BFD down)",
		     k);
		p->stale = 0;
		p->restart_at_ms = p->stale_at_ms = 0;
	}
	peer_stop(p, &e);
}

void bgp_bfd_down(struct bgp_speaker *sp, unsigned int link)
{
	unsigned int i;

	if (sp == NULL || link >= sp->cfg->n_links)
		return;
	sp->now_ms = bgp_now_ms();
	/* the link's one BFD session stands for the forwarding path of
	 * both its sessions (a session per family): the link leaves the
	 * groups once, before either flushes */
	if (sp->peer[link].sibling != NULL &&
	    (peer_holds_paths(&sp->peer[link]) ||
	     peer_holds_paths(sp->peer[link].sibling)))
		peer_link_mask(sp, link);
	for (i = 0; i < sp->n_peers; i++)
		if (sp->peer[i].link == link)
			bfd_down_peer(&sp->peer[i]);
}

void bgp_set_link_cb(struct bgp_speaker *sp, bgp_link_cb cb, void *arg)
{
	sp->link_cb = cb;
	sp->link_cb_arg = arg;
}

void bgp_bfd_up(struct bgp_speaker *sp, unsigned int link)
{
	unsigned int i;

	if (sp == NULL || link >= sp->cfg->n_links)
		return;
	sp->now_ms = bgp_now_ms();
	for (i = 0; i < sp->n_peers; i++) {
		struct bgp_peer *p = &sp->peer[i];

		if (p->link != link)
			continue;
		p->bfd_down = false;
		if (p->hold != BGP_HOLD_BFD)
			continue;
		p->hold = BGP_HOLD_NONE;
		p->connect_at_ms = sp->now_ms;
		p->failures = 0;
		plog(p, "BFD up: the session may start again");
		peer_report(p);
	}
}

/* Soft reset of P's Established session: with IN, ROUTE-REFRESH for each
 * negotiated family the peer can refresh (its routes come again through
 * import policy; RFC 2918 §3: only to a peer that advertised it), their
 * names appended to FAMS; with OUT, WD[0..N_WD) withdrawn (prefixes we
 * announce no more), then our announcements again with the attributes of
 * the running config (an implicit replace at the peer, RFC 4271 §3.1).
 * Returns how many prefixes were announced; *WD_SENT (when not NULL) how
 * many withdrawn. */
static unsigned int soft_reset(struct bgp_peer *p, bool in, bool out,
			       const struct cfg_addr *wd, unsigned int n_wd,
			       char *fams, size_t fams_len,
			       unsigned int *wd_sent)
{
	struct bgp_speaker *sp = p->sp;
	unsigned int af, n = 0, gone = 0;

	for (af = 0; af < BGP_AF_MAX; af++) {
		int l;

		if (!p->caps.af[af])
			continue;
		if (in && p->caps.route_refresh &&
		    (l = bgp_refresh_build(sp->txbuf, BGP_MSG_MAX,
					   (enum bgp_af)af)) > 0) {
			conn_send(p, p->est, sp->txbuf, (size_t)l);
			p->st.refresh_sent++;
			snprintf(fams + strlen(fams), fams_len - strlen(fams),
				 " %s", af_name(af));
		}
		if (!out || p->export_deferred)
			continue;
		gone += withdraw_af(p, af, wd, n_wd);
		n += export_af(p, af);
	}
	if (wd_sent != NULL)
		*wd_sent = gone;
	return n;
}

/* bgp_soft_reset() of one session P of the link, its line into MSG. */
static int soft_reset_peer(struct bgp_peer *p, bool in, bool out,
			   const struct cfg_addr *wd, unsigned int n_wd,
			   char *msg, size_t len)
{
	unsigned int n, gone;
	char fams[32] = "";

	if (p->est == NULL) {
		snprintf(msg, len, "%s is %s: the change applies when it is "
			 "Established", p->name, bgp_state_str(peer_derive(p)));
		return -ENOTCONN;
	}
	n = soft_reset(p, in, out, wd, n_wd, fams, sizeof(fams), &gone);
	msg[0] = '\0';
	if (in)
		snprintf(msg, len, "route refresh asked for%s",
			 fams[0] ? fams : " nothing (the peer lacks the "
					  "capability: the import change "
					  "applies to what it sends from now "
					  "on)");
	if (out)
		snprintf(msg + strlen(msg), len - strlen(msg),
			 "%s%u prefix(es) withdrawn, %u announced again",
			 in ? "; " : "", gone, n);
	plog(p, "soft reset (reload): %s", msg);
	return 0;
}

int bgp_soft_reset(struct bgp_speaker *sp, unsigned int link, bool in,
		   bool out, const struct cfg_addr *wd, unsigned int n_wd,
		   char *msg, size_t len)
{
	struct bgp_peer *p;
	char two[512];
	int rc, rc2;

	if (link >= sp->cfg->n_links)
		return -ENOENT;
	p = &sp->peer[link];
	sp->now_ms = bgp_now_ms();
	rc = soft_reset_peer(p, in, out, wd, n_wd, msg, len);
	if (p->sibling == NULL)
		return rc;
	/* a session per family: each says its own, both in MSG */
	rc2 = soft_reset_peer(p->sibling, in, out, wd, n_wd, two,
			      sizeof(two));
	snprintf(msg + strlen(msg), len - strlen(msg), "; %s: %s",
		 p->sibling->name, two);
	return rc == 0 || rc2 == 0 ? 0 : rc;
}

int bgp_clear(struct bgp_speaker *sp, const struct cfg_addr *addr, bool soft,
	      char *msg, size_t len)
{
	struct bgp_peer *p = bgp_peer_find(sp, addr);
	unsigned int n = 0;
	char fams[32] = "";

	if (p == NULL) {
		snprintf(msg, len, "no BGP neighbor with that address");
		return -ENOENT;
	}
	sp->now_ms = bgp_now_ms();
	if (soft) {
		if (p->est == NULL) {
			snprintf(msg, len, "%s is %s, not Established", p->name,
				 bgp_state_str(peer_derive(p)));
			return -ENOTCONN;
		}
		n = soft_reset(p, true, true, NULL, 0, fams, sizeof(fams),
			       NULL);
		plog(p, "soft reset (clear bgp soft): route refresh asked "
		     "for%s, %u prefix(es) announced again",
		     fams[0] ? fams : " nothing (peer lacks the capability)",
		     n);
		snprintf(msg, len, "soft reset of %s: route refresh asked "
			 "for%s, %u prefix(es) announced again", p->name,
			 fams[0] ? fams : " nothing (no route refresh "
					  "capability)", n);
		return 0;
	}
	struct bgp_notify nt = {.code = BGP_ERR_CEASE,
				.subcode = BGP_ERR_CEASE_RESET};
	struct bgp_end e = {.why = "administrative reset (6/4, clear bgp)",
			    .sent = &nt, .flush = true,
			    .next = BGP_HOLD_NONE};
	bool had = p->est != NULL || p->out.fd >= 0 || p->in.fd >= 0;

	if (p->hold == BGP_HOLD_BFD) {
		snprintf(msg, len, "%s is held Idle while BFD is down: "
			 "nothing to clear", p->name);
		return 0;
	}
	if (p->admin_down) {
		snprintf(msg, len, "%s is administratively down (shutdown): "
			 "nothing to clear; 'bgp ADDR enable' starts it", p->name);
		return 0;
	}
	notify_hard(p, &nt);
	p->failures = 0;
	plog(p, "administrative reset (clear bgp)");
	peer_stop(p, &e);
	snprintf(msg, len, "cleared %s: %s, reconnecting", p->name,
		 had ? "Cease/Administrative Reset sent" : "no session was up");
	return 0;
}

int bgp_admin_shutdown(struct bgp_peer *p, const char *message, char *out,
		       size_t len)
{
	struct bgp_speaker *sp = p->sp;
	struct bgp_notify n = {.code = BGP_ERR_CEASE,
			       .subcode = BGP_ERR_CEASE_SHUTDOWN};
	struct bgp_end e = {.sent = &n, .flush = true,
			    .next = BGP_HOLD_ADMIN};
	char why[sizeof(p->last_error)];
	bool had = p->est != NULL || p->out.fd >= 0 || p->in.fd >= 0;
	int rc;

	if (message == NULL)
		message = "";
	if (p->admin_down) {
		snprintf(out, len, "%s is already administratively down "
			 "(since %llu s)", p->name, (unsigned long long)
			 ((bgp_now_ms() - p->admin_since_ms) / 1000u));
		return -EALREADY;
	}
	/* RFC 9003 §2: a length octet and at most 255 octets of UTF-8; a
	 * session without one sends the 6/2 with no data at all */
	if (message[0] != '\0') {
		rc = bgp_shutdown_msg_build(&n, message);
		if (rc == -EMSGSIZE) {
			snprintf(out, len, "shutdown message is %zu octets: "
				 "at most %u (RFC 9003 §2)", strlen(message),
				 BGP_SHUTDOWN_MSG_MAX);
			return rc;
		}
		if (rc < 0) {
			snprintf(out, len, "shutdown message is not UTF-8 "
				 "(RFC 9003 §2)");
			return rc;
		}
	}
	sp->now_ms = bgp_now_ms();
	p->admin_down = true;
	p->admin_since_ms = sp->now_ms;
	snprintf(p->admin_msg, sizeof(p->admin_msg), "%s", message);
	/* RFC 8538 §5: an administrative shutdown is a Hard Reset: the peer
	 * must not keep our routes as stale */
	notify_hard(p, &n);
	snprintf(why, sizeof(why), "administrative shutdown (6/2%s%s%s)",
		 message[0] ? ": \"" : "", message, message[0] ? "\"" : "");
	e.why = why;
	plog(p, "administrative shutdown%s%s%s: held Idle until enabled",
	     message[0] ? " \"" : "", message, message[0] ? "\"" : "");
	peer_stop(p, &e);
	snprintf(out, len, "%s shut down: %s; held Idle (no connect, incoming "
		 "refused) until 'bgp ADDR enable'", p->name,
		 had ? "Cease/Administrative Shutdown sent" :
		       "no session was up");
	return 0;
}

int bgp_admin_enable(struct bgp_peer *p, char *out, size_t len)
{
	struct bgp_speaker *sp = p->sp;

	if (!p->admin_down) {
		snprintf(out, len, "%s is not administratively down", p->name);
		return -EALREADY;
	}
	sp->now_ms = bgp_now_ms();
	p->admin_down = false;
	p->admin_msg[0] = '\0';
	p->failures = 0;
	/* RFC 5882 §3.2: BFD still Down keeps it Idle until BFD is Up */
	p->hold = p->bfd_down ? BGP_HOLD_BFD : BGP_HOLD_NONE;
	p->connect_at_ms = sp->now_ms;
	plog(p, "enabled after %llu s administratively down%s",
	     (unsigned long long)((sp->now_ms - p->admin_since_ms) / 1000u),
	     p->bfd_down ? ": held Idle while BFD is down" : "");
	p->admin_since_ms = 0;
	peer_report(p);
	snprintf(out, len, "%s enabled: %s", p->name, p->bfd_down ?
		 "held Idle until BFD is Up" : p->lc->bgp.passive ?
		 "waiting for the peer (passive)" : "connecting");
	return 0;
}

static const char *const steer_name[] = {"off", "unprepend",
					 "more-specific"};

void bgp_steer_set(struct bgp_speaker *sp, unsigned int link, bool on)
{
	const struct twp_config *cfg = sp->cfg;
	unsigned int i, l, af, n;

	if (link >= cfg->n_links)
		return;
	sp->now_ms = bgp_now_ms();
	for (i = 0; i < sp->n_peers; i++) {
		struct bgp_peer *p = &sp->peer[i];
		enum cfg_steer old = p->steer, mode = CFG_STEER_OFF;

		if (p->link == link)
			continue;
		if (on)
			p->steer_from |= 1u << link;
		else
			p->steer_from &= ~(1u << link);
		for (l = 0; l < cfg->n_links; l++)
			if ((p->steer_from >> l & 1u) &&
			    cfg->links[l].suspect.steer_return > mode)
				mode = cfg->links[l].suspect.steer_return;
		if (mode == old)
			continue;
		p->steer = mode;
		if (old == CFG_STEER_OFF) {
			p->steer_since_ms = sp->now_ms;
			p->steers++;
		}
		n = 0;
		for (af = 0; p->est != NULL && !p->export_deferred &&
			     af < BGP_AF_MAX; af++) {
			if (!p->caps.af[af])
				continue;
			if (old == CFG_STEER_MORE_SPECIFIC)
				withdraw_halves_af(p, af);
			n += export_af(p, af);
		}
		if (p->est == NULL || p->export_deferred)
			plog(p, "return path: %s from the session's start "
			     "(links.suspect.steer_return)",
			     bgp_steer_str(mode));
		else if (mode != CFG_STEER_OFF)
			plog(p, "return path: link %s suspected: %u prefix(es) "
			     "announced here %s (links.suspect.steer_return)",
			     cfg->links[link].name, n,
			     mode == CFG_STEER_MORE_SPECIFIC ?
			     "without prepend or MED, with both halves of each"
			     : "without prepend or MED");
		else
			plog(p, "return path: no link suspected any more: %u "
			     "prefix(es) announced as configured again%s", n,
			     old == CFG_STEER_MORE_SPECIFIC ?
			     ", the halves withdrawn" : "");
	}
}

const char *bgp_steer_str(enum cfg_steer s)
{
	return (unsigned int)s < 3 ? steer_name[s] : "?";
}

/* Our prefixes to Q again for a drain state change from OLD to D (the
 * GRACEFUL_SHUTDOWN community on or off); how many. */
static unsigned int drain_export(struct bgp_peer *q, enum bgp_drain old,
				 enum bgp_drain d)
{
	unsigned int af, n = 0;

	if ((old == BGP_DRAIN_NONE || d == BGP_DRAIN_NONE) && q->est != NULL)
		for (af = 0; af < BGP_AF_MAX; af++)
			if (q->caps.af[af])
				n += export_af(q, af);
	return n;
}

void bgp_drain_set(struct bgp_peer *p, enum bgp_drain d, const char *reason)
{
	struct bgp_speaker *sp = p->sp;
	enum bgp_drain old = p->drain;
	struct bgp_peer *q = p->sibling;
	unsigned int n = 0;
	long k = 0;

	if (d == old)
		return;
	sp->now_ms = bgp_now_ms();
	p->drain = d;
	p->drain_since_ms = sp->now_ms;
	memset(&p->dw, 0, sizeof(p->dw));
	snprintf(p->drain_reason, sizeof(p->drain_reason), "%s",
		 reason ? reason : "");
	/* RFC 8326 §4.2: our paths least preferred on the provider's side
	 * (GRACEFUL_SHUTDOWN) from the start; theirs on ours once drained
	 * (the link's paths, both families) */
	if (d == BGP_DRAIN_DRAINED)
		k = rib_link_set_local_pref(sp->rib, p->link,
					    POL_DRAIN_LOCAL_PREF);
	else if (old == BGP_DRAIN_DRAINED)
		k = rib_link_set_local_pref(sp->rib, p->link,
					    p->lc->local_pref);
	if (k < 0)
		plog(p, "drain: LOCAL_PREF of the link's paths: %s",
		     strerror((int)-k));
	n = drain_export(p, old, d);
	/* a session per family: the link drains as one, its other session
	 * follows this one's state (admin.c watches the first) */
	if (q != NULL && q->drain != d) {
		enum bgp_drain qold = q->drain;

		q->drain = d;
		q->drain_since_ms = sp->now_ms;
		memset(&q->dw, 0, sizeof(q->dw));
		snprintf(q->drain_reason, sizeof(q->drain_reason), "%s",
			 reason ? reason : "");
		n += drain_export(q, qold, d);
	}
	if (d == BGP_DRAIN_DRAINING)
		plog(p, "drain: %u prefix(es) announced again with "
		     "GRACEFUL_SHUTDOWN 65535:0 (RFC 8326); the link leaves "
		     "the data plane once the return traffic has moved", n);
	else if (d == BGP_DRAIN_DRAINED)
		plog(p, "drained (%s): %ld path(s) of the link now LOCAL_PREF "
		     "%u, least preferred", reason ? reason : "",
		     k > 0 ? k : 0, POL_DRAIN_LOCAL_PREF);
	else
		plog(p, "restored: %u prefix(es) announced again without "
		     "GRACEFUL_SHUTDOWN%s", n, old == BGP_DRAIN_DRAINED ?
		     ", the link's paths back to their LOCAL_PREF" : "");
}

bool bgp_converged(const struct bgp_speaker *sp, uint64_t now_ms)
{
	unsigned int i, af;

	for (i = 0; i < sp->n_peers; i++) {
		const struct bgp_peer *p = &sp->peer[i];

		if (p->est == NULL)
			return false;
		if (!p->est->open.cap_gr) {
			if (now_ms - p->established_ms < BGP_CONVERGED_QUIET_MS)
				return false;
			continue;
		}
		for (af = 0; af < BGP_AF_MAX; af++)
			if (p->caps.af[af] && !p->eor_rcvd[af])
				return false;
	}
	return true;
}
