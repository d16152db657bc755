/* BGP sessions of twinpathd: the RFC 4271 §8 FSM per link over
 * non-blocking TCP, collision detection, timers, UPDATE handling into
 * import policy and the RIB, the graceful restart helper (RFC 4724,
 * RFC 8538) and the export of our site prefixes (never learned routes). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fsm.h"
#include "log.h"
#include "ptable.h"

#ifndef IP_MINTTL
#define IP_MINTTL 21
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT 73
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif

#define IPTOS_INTERNETCONTROL 0xc0 /* RFC 4271 does not say; all do it */
#define WARN_INTERVAL_MS 10000u
#define STABLE_MS 60000u /* Established this long resets the backoff */
#define CLOSING_MS 1000u

enum { REF_LISTEN = 0, REF_OUT, REF_IN, REF_CLOSING };

static const char *const state_names[] = {
	[BGP_ST_IDLE] = "Idle",           [BGP_ST_CONNECT] = "Connect",
	[BGP_ST_ACTIVE] = "Active",       [BGP_ST_OPENSENT] = "OpenSent",
	[BGP_ST_OPENCONFIRM] = "OpenConfirm",
	[BGP_ST_ESTABLISHED] = "Established",
};

const char *bgp_state_str(enum bgp_state s)
{
	return (unsigned int)s <= BGP_ST_ESTABLISHED ? state_names[s] : "?";
}

uint64_t bgp_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* bgp_notify_str() plus the RFC 9384 subcode msg.c does not name. */
static const char *notify_str(const struct bgp_notify *n, char *buf,
			      size_t len)
{
	if (n->code == BGP_ERR_CEASE && n->subcode == BGP_ERR_CEASE_BFD_DOWN) {
		snprintf(buf, len, "Cease/BFD Down (6/10)");
		return buf;
	}
	return bgp_notify_str(n->code, n->subcode, buf, len);
}

/* Appends to BUF, for a Cease 6/2 or 6/4 (also inside a Hard Reset),
 * its RFC 9003 Shutdown Communication: ' "text"', or the malformed one
 * as a hex dump (§4: never verbatim). */
static void append_shutdown_msg(const struct bgp_notify *n, char *buf,
				size_t len)
{
	char msg[4 * BGP_SHUTDOWN_MSG_MAX + 4];
	size_t l = strlen(buf);
	int rc = bgp_shutdown_msg_parse(n, msg, sizeof(msg));

	if (rc == 0)
		snprintf(buf + l, len - l, " \"%s\"", msg);
	else if (rc == -EBADMSG)
		snprintf(buf + l, len - l, " (malformed Shutdown "
			 "Communication, RFC 9003 §4: %s)", msg);
}

/* notify_str() with the Shutdown Communication, if any. */
static const char *notify_text(const struct bgp_notify *n, char *buf,
			       size_t len)
{
	notify_str(n, buf, len);
	append_shutdown_msg(n, buf, len);
	return buf;
}

const char *bgp_drain_str(enum bgp_drain d)
{
	return d == BGP_DRAIN_DRAINING ? "draining" :
	       d == BGP_DRAIN_DRAINED ? "drained" : "none";
}

const char *bgp_since_str(uint64_t since_ms, uint64_t now_ms, char *buf,
			  size_t len)
{
	uint64_t age_ms = now_ms > since_ms ? now_ms - since_ms : 0;
	time_t t = time(NULL) - (time_t)(age_ms / 1000u);
	struct tm tm;
	char iso[32];

	gmtime_r(&t, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(buf, len, "%s (%llu s ago)", iso,
		 (unsigned long long)(age_ms / 1000u));
	return buf;
}

/* ---- addresses ---- */

static socklen_t sockaddr_of(const struct cfg_addr *a, uint16_t port,
			     struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	if (a->family == AF_INET6)
		memcpy(&sin6->sin6_addr, a->addr, 16);
	return sizeof(*sin6);
}

/* An IPv6 link-local address means nothing without its interface. */
static void link_scope(struct sockaddr_storage *ss, const char *ifname)
{
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET6 &&
	    IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
		s6->sin6_scope_id = if_nametoindex(ifname);
}

/* The address of SS; a v4-mapped IPv6 one becomes IPv4. */
static void addr_of(const struct sockaddr_storage *ss, struct cfg_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		a->family = AF_INET;
		a->len = 32;
		memcpy(a->addr, &((const struct sockaddr_in *)ss)->sin_addr, 4);
		return;
	}
	const struct in6_addr *in6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (IN6_IS_ADDR_V4MAPPED(in6)) {
		a->family = AF_INET;
		a->len = 32;
		memcpy(a->addr, &in6->s6_addr[12], 4);
		return;
	}
	a->family = AF_INET6;
	a->len = 128;
	memcpy(a->addr, in6, 16);
}

static uint8_t af_family(unsigned int af)
{
	return af == BGP_AF_IPV4 ? AF_INET : AF_INET6;
}

static const char *af_name(unsigned int af)
{
	return af == BGP_AF_IPV4 ? "ipv4" : "ipv6";
}

struct bgp_peer *bgp_peer_find(struct bgp_speaker *sp,
			       const struct cfg_addr *addr)
{
	unsigned int i;

	for (i = 0; sp != NULL && i < sp->n_peers; i++)
		if (cfg_addr_eq(&sp->peer[i].lc->peer_address, addr))
			return &sp->peer[i];
	return NULL;
}

size_t bgp_peer_received(const struct bgp_peer *p)
{
	return rib_link_count(p->sp->rib, p->link) +
	       (p->rejected_set ? ptable_count(p->rejected_set) : 0);
}

/* ---- logging ---- */

static void plog(const struct bgp_peer *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void plog(const struct bgp_peer *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg("bgp %s: %s", p->name, msg);
}

/* UPDATE problems come per message: one line per 10 s per peer. */
static void pwarn(struct bgp_peer *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void pwarn(struct bgp_peer *p, const char *fmt, ...)
{
	uint64_t now = p->sp->now_ms;
	char msg[512];
	va_list ap;

	if (p->warn_at_ms != 0 && now - p->warn_at_ms < WARN_INTERVAL_MS) {
		p->warn_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->warn_suppressed > 0)
		log_warn("bgp %s: %s (and %u more such warnings in the last "
			"%u s)", p->name, msg, p->warn_suppressed,
			WARN_INTERVAL_MS / 1000);
	else
		log_warn("bgp %s: %s", p->name, msg);
	p->warn_at_ms = now;
	p->warn_suppressed = 0;
}

/* ---- connections ---- */

static int conn_init(struct bgp_conn *c, int fd, bool outgoing,
		     enum bgp_state st)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->rbuf = malloc(BGP_CONN_RBUF);
	if (c->rbuf == NULL)
		return -ENOMEM;
	c->fd = fd;
	c->outgoing = outgoing;
	c->state = st;
	return 0;
}

static void conn_free(struct bgp_conn *c)
{
	free(c->rbuf);
	free(c->wbuf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Sends what waits; a hard error is kept in werr for the tick. */
static void conn_flush(struct bgp_conn *c)
{
	while (c->wlen > 0 && c->werr == 0) {
		ssize_t n = send(c->fd, c->wbuf, c->wlen, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->werr = errno;
			return;
		}
		memmove(c->wbuf, c->wbuf + n, c->wlen - (size_t)n);
		c->wlen -= (size_t)n;
	}
}

static void conn_send(struct bgp_peer *p, struct bgp_conn *c,
		      const uint8_t *msg, size_t len)
{
	size_t off = 0;

	if (c->werr != 0)
		return;
	p->st.msgs_sent++;
	if (c->wlen == 0) {
		while (off < len) {
			ssize_t n = send(c->fd, msg + off, len - off,
					 MSG_NOSIGNAL);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				if (errno != EAGAIN && errno != EWOULDBLOCK) {
					c->werr = errno;
					return;
				}
				break;
			}
			off += (size_t)n;
		}
		if (off == len)
			return;
	}
	if (c->wlen + len - off > BGP_CONN_WBUF_MAX) {
		c->werr = ENOBUFS; /* the peer does not read */
		return;
	}
	if (c->wlen + len - off > c->wcap) {
		size_t cap = c->wcap ? c->wcap : 16384;
		uint8_t *nb;

		while (cap < c->wlen + len - off)
			cap *= 2;
		nb = realloc(c->wbuf, cap);
		if (nb == NULL) {
			c->werr = ENOMEM;
			return;
		}
		c->wbuf = nb;
		c->wcap = cap;
	}
	memcpy(c->wbuf + c->wlen, msg + off, len - off);
	c->wlen += len - off;
}

/* NOTIFICATION then FIN; the fd is drained until the peer closes so our
 * close() does not turn into a RST that could discard the NOTIFICATION
 * before the peer read it. */
static void conn_close(struct bgp_speaker *sp, struct bgp_conn *c,
		       bool linger)
{
	if (c->fd < 0)
		return;
	if (linger && c->werr == 0 && c->state != BGP_ST_CONNECT &&
	    sp->n_closing < BGP_CLOSING_MAX) {
		conn_flush(c);
		shutdown(c->fd, SHUT_WR);
		sp->closing[sp->n_closing++] = (struct bgp_closing){
			.fd = c->fd, .until_ms = sp->now_ms + CLOSING_MS};
	} else {
		close(c->fd);
	}
	conn_free(c);
}

static void closing_drop(struct bgp_speaker *sp, unsigned int i)
{
	close(sp->closing[i].fd);
	sp->closing[i] = sp->closing[--sp->n_closing];
}

/* ---- socket options ---- */

/* RFC 5082 GTSM: send with TTL 255 and accept only 255; otherwise the
 * eBGP default TTL 1 (directly connected peer). */
static int sock_ttl(int fd, uint8_t family, bool gtsm)
{
	int ttl = gtsm ? 255 : 1, min = 255;

	if (family == AF_INET) {
		if (setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0 ||
		    (gtsm && setsockopt(fd, IPPROTO_IP, IP_MINTTL, &min,
					sizeof(min)) < 0))
			return -errno;
		return 0;
	}
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
		       sizeof(ttl)) < 0 ||
	    (gtsm && setsockopt(fd, IPPROTO_IPV6, IPV6_MINHOPCOUNT, &min,
				sizeof(min)) < 0))
		return -errno;
	return 0;
}

/* RFC 2385 TCP MD5 signature for PEER on FD (a listener or the
 * connecting socket); an empty password removes the key. */
static int sock_md5(int fd, int sock_family, const struct cfg_addr *peer,
		    const char *password)
{
	struct tcp_md5sig md5 = {0};
	size_t len = strlen(password);

	if (len > TCP_MD5SIG_MAXKEYLEN)
		return -EINVAL;
	if (sock_family == AF_INET6 && peer->family == AF_INET) {
		/* v4-mapped on an IPv6 socket */
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&md5.tcpm_addr;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr.s6_addr[10] = 0xff;
		s6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&s6->sin6_addr.s6_addr[12], peer->addr, 4);
	} else {
		sockaddr_of(peer, 0, &md5.tcpm_addr);
	}
	md5.tcpm_keylen = (uint16_t)len;
	memcpy(md5.tcpm_key, password, len);
	if (setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5)) < 0)
		return -errno;
	return 0;
}

static void sock_common(int fd, uint8_t family)
{
	int one = 1, tos = IPTOS_INTERNETCONTROL;

	/* keepalives must not wait behind Nagle */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (family == AF_INET)
		setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
	else
		setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
}

/* ---- messages out ---- */

static void send_open(struct bgp_peer *p, struct bgp_conn *c)
{
	const struct twp_config *cfg = p->sp->cfg;
	struct bgp_open o;
	int len;

	memset(&o, 0, sizeof(o));
	o.version = BGP_VERSION;
	o.asn = cfg->local_as;
	o.hold_time_s = p->hold_cfg_s;
	memcpy(o.bgp_id, cfg->router_id, 4);
	o.cap_mp[BGP_AF_IPV4] = o.cap_mp[BGP_AF_IPV6] = true;
	o.cap_as4 = true;
	o.cap_route_refresh = true;
	if (cfg->bgp.graceful_restart) {
		/* RFC 4724 §3: every family we negotiate is listed, so a
		 * helper keeps our routes when we go; F says whether the
		 * data plane holds forwarding state for them now (it keeps
		 * its FIB across our restart), R that we are restarting and
		 * the peer must not wait for our End-of-RIB. N: RFC 8538. */
		o.cap_gr = true;
		o.gr_notification = true;
		o.gr_restarting = p->sp->gr_restarting;
		o.gr_restart_time_s = cfg->bgp.restart_time_s;
		for (unsigned int af = 0; af < BGP_AF_MAX; af++) {
			o.gr_af[af] = o.cap_mp[af];
			o.gr_af_forwarding[af] = o.cap_mp[af] &&
						 p->sp->gr_forwarding;
		}
	}
	o.any_capability = true;
	len = bgp_open_build(p->sp->txbuf, BGP_MSG_MAX, &o);
	if (len > 0)
		conn_send(p, c, p->sp->txbuf, (size_t)len);
}

static void send_keepalive(struct bgp_peer *p, struct bgp_conn *c)
{
	uint8_t buf[BGP_HDR_LEN];
	int len = bgp_keepalive_build(buf, sizeof(buf));

	if (len > 0)
		conn_send(p, c, buf, (size_t)len);
}

static void send_notify(struct bgp_peer *p, struct bgp_conn *c,
			const struct bgp_notify *n)
{
	char s[sizeof(p->last_notify_sent)];
	int len = bgp_notify_build(p->sp->txbuf, BGP_MSG_MAX, n);

	if (len > 0)
		conn_send(p, c, p->sp->txbuf, (size_t)len);
	p->st.notifications_sent++;
	notify_text(n, s, sizeof(s));
	snprintf(p->last_notify_sent, sizeof(p->last_notify_sent), "%s", s);
	plog(p, "NOTIFICATION sent: %s", s);
}

/* RFC 8538 §5: with the N bit on both sides, a NOTIFICATION after which
 * the peer must not keep our routes goes inside Cease/Hard Reset. */
static void notify_hard(const struct bgp_peer *p, struct bgp_notify *n)
{
	if (!p->gr_n_both || (n->code == BGP_ERR_CEASE &&
			      n->subcode == BGP_ERR_CEASE_HARD_RESET))
		return;
	if (n->data_len + 2u > BGP_NOTIFY_DATA_MAX)
		n->data_len = BGP_NOTIFY_DATA_MAX - 2u;
	memmove(n->data + 2, n->data, n->data_len);
	n->data[0] = n->code;
	n->data[1] = n->subcode;
	n->data_len += 2;
	n->code = BGP_ERR_CEASE;
	n->subcode = BGP_ERR_CEASE_HARD_RESET;
}

/* ---- export (our site prefixes only: no transit) ---- */

/* Announces the link's prefixes of AF (its own bgp.announce, else the
 * top-level one) on P's session; returns how many. */
static unsigned int export_af(struct bgp_peer *p, unsigned int af)
{
	struct bgp_speaker *sp = p->sp;
	struct cfg_addr pfx[CFG_MAX_ANNOUNCE];
	const struct cfg_addr *ann;
	uint8_t aspath[4 * 64];
	uint32_t comm[CFG_MAX_COMMUNITIES + 1];
	struct bgp_attrs a;
	unsigned int n = 0, n_ann, i, k;
	int rc;

	/* RFC 4724 §4.1: nothing before our route selection is done */
	if (p->export_deferred)
		return 0;
	ann = policy_announce(sp->cfg, p->link, &n_ann);
	for (i = 0; i < n_ann; i++)
		if (ann[i].family == af_family(af))
			pfx[n++] = ann[i];
	if (n == 0)
		return 0;
	memset(&a, 0, sizeof(a));
	rc = policy_export(sp->cfg, p->link, af_family(af), &a, aspath,
			   sizeof(aspath));
	if (rc < 0) {
		if (!p->export_warned[af])
			plog(p, "not announcing %u %s prefix(es): %s", n,
			     af_name(af), rc == -EAFNOSUPPORT ?
			     "the link has no address of that family" :
			     strerror(-rc));
		p->export_warned[af] = true;
		return 0;
	}
	/* RFC 8326 §4.2: while the link is drained for maintenance, every
	 * path we send on it carries GRACEFUL_SHUTDOWN beside the link's
	 * own communities */
	if (p->drain != BGP_DRAIN_NONE &&
	    policy_add_gshut(&a, comm, sizeof(comm) / sizeof(comm[0])) < 0)
		plog(p, "cannot add GRACEFUL_SHUTDOWN: too many communities");
	for (i = 0; i < n; i += k) {
		for (k = n - i;; k = (k + 1) / 2) {
			rc = bgp_update_build(sp->txbuf, BGP_MSG_MAX,
					      af_family(af), &a, pfx + i, k,
					      NULL, 0, p->caps.as4);
			if (rc != -ENOSPC || k == 1)
				break;
		}
		if (rc < 0) {
			plog(p, "cannot build an UPDATE for %s: %s",
			     af_name(af), strerror(-rc));
			return i;
		}
		conn_send(p, p->est, sp->txbuf, (size_t)rc);
		p->st.updates_sent++;
	}
	return n;
}

/* Withdraws the prefixes of AF among WD[0..N) on P's session (a reload
 * took them out of the link's announce list); returns how many. */
static unsigned int withdraw_af(struct bgp_peer *p, unsigned int af,
				const struct cfg_addr *wd, unsigned int n)
{
	struct bgp_speaker *sp = p->sp;
	struct cfg_addr pfx[CFG_MAX_ANNOUNCE];
	struct bgp_attrs none;
	unsigned int k = 0, i;
	int rc;

	for (i = 0; i < n && k < CFG_MAX_ANNOUNCE; i++)
		if (wd[i].family == af_family(af))
			pfx[k++] = wd[i];
	if (k == 0)
		return 0;
	memset(&none, 0, sizeof(none));
	/* at most 64 prefixes of at most 17 bytes: one UPDATE */
	rc = bgp_update_build(sp->txbuf, BGP_MSG_MAX, af_family(af), &none,
			      NULL, 0, pfx, k, p->caps.as4);
	if (rc < 0) {
		plog(p, "cannot build a withdrawal for %s: %s", af_name(af),
		     strerror(-rc));
		return 0;
	}
	conn_send(p, p->est, sp->txbuf, (size_t)rc);
	p->st.updates_sent++;
	return k;
}

static void send_eor(struct bgp_peer *p, unsigned int af)
{
	int len = bgp_eor_build(p->sp->txbuf, BGP_MSG_MAX, (enum bgp_af)af);

	if (len > 0) {
		conn_send(p, p->est, p->sp->txbuf, (size_t)len);
		p->st.updates_sent++;
	}
}

/* Our prefixes, then End-of-RIB, for every family (RFC 4724 §2). */
static void export_all(struct bgp_peer *p)
{
	unsigned int af;

	for (af = 0; af < BGP_AF_MAX; af++) {
		if (!p->caps.af[af])
			continue;
		export_af(p, af);
		send_eor(p, af);
	}
}

/* ---- session state ---- */

static enum bgp_state peer_derive(const struct bgp_peer *p)
{
	enum bgp_state s = BGP_ST_IDLE;

	if (p->est != NULL)
		return BGP_ST_ESTABLISHED;
	if (p->out.fd >= 0 && p->out.state > s)
		s = p->out.state;
	if (p->in.fd >= 0 && p->in.state > s)
		s = p->in.state;
	if (s != BGP_ST_IDLE)
		return s;
	if (p->hold != BGP_HOLD_NONE)
		return BGP_ST_IDLE;
	return BGP_ST_ACTIVE;
}

/* Logs the states that mean progress; the way down is logged with its
 * reason where it happens. */
static void peer_report(struct bgp_peer *p)
{
	enum bgp_state s = peer_derive(p);

	if (s == p->state)
		return;
	if (s >= BGP_ST_OPENSENT && s > p->state)
		plog(p, "%s", bgp_state_str(s));
	p->state = s;
}

static unsigned int backoff_s(const struct bgp_peer *p)
{
	unsigned int s = p->sp->cfg->bgp.connect_retry_s, i;

	if (s == 0)
		s = 1;
	for (i = 1; i < p->failures && s < BGP_BACKOFF_MAX_S; i++)
		s *= 2;
	return s < BGP_BACKOFF_MAX_S ? s : BGP_BACKOFF_MAX_S;
}

/* How a connection ended: what to tell the peer, what to do with its
 * routes, and what the session does next. */
struct bgp_end {
	const char *why;               /* "hold timer expired (4/0)" */
	const struct bgp_notify *sent; /* NOTIFICATION to send, or NULL */
	const struct bgp_notify *rcvd; /* the one received, or NULL */
	bool hold_expired;
	bool flush;                    /* never keep the routes as stale */
	enum bgp_hold_reason next;     /* NONE: reconnect now */
	uint32_t hold_s;               /* for BGP_HOLD_MAX_PREFIX */
};

/* RFC 4724 §4.2 and RFC 8538 §4: keep the routes as stale when the peer
 * can restart gracefully and the session ended without a NOTIFICATION
 * (TCP closed or reset, hold timer expired), or with one that is not a
 * Hard Reset while the N bit was exchanged both ways. */
static bool keep_stale(const struct bgp_peer *p, const struct bgp_end *e)
{
	const struct bgp_notify *n = e->sent ? e->sent : e->rcvd;

	if (!p->sp->cfg->bgp.graceful_restart || !p->est->open.cap_gr ||
	    e->flush)
		return false;
	if (n == NULL || e->hold_expired)
		return true;
	return p->gr_n_both && !(n->code == BGP_ERR_CEASE &&
				 n->subcode == BGP_ERR_CEASE_HARD_RESET);
}

static void session_lost(struct bgp_peer *p, const struct bgp_end *e)
{
	struct bgp_speaker *sp = p->sp;
	const struct bgp_open *o = &p->est->open;
	size_t n, swept;
	unsigned int af, keep = 0;

	if (keep_stale(p, e)) {
		/* only the families the peer said it keeps forwarding for,
		 * and none when it gives itself no time to restart */
		for (af = 0; af < BGP_AF_MAX; af++)
			if (o->gr_af[af] && o->gr_restart_time_s != 0)
				keep |= RIB_KEEP_AF(af);
		swept = rib_peer_down(sp->rib, p->link, keep, &p->stale);
		p->restart_at_ms = p->stale > 0 ?
			sp->now_ms + o->gr_restart_time_s * 1000ull : 0;
		p->stale_at_ms = 0;
		plog(p, "graceful restart: %zu paths kept as stale for %u s "
		     "(peer's restart time)%s", p->stale, o->gr_restart_time_s,
		     swept == 0 ? "" :
		     o->gr_restart_time_s == 0 ?
			     ", the rest flushed (restart time 0)" :
			     ", the rest flushed (families not in its "
			     "graceful restart capability)");
	} else {
		n = rib_peer_flush(sp->rib, p->link);
		p->stale = 0;
		p->restart_at_ms = p->stale_at_ms = 0;
		if (n > 0)
			plog(p, "%zu paths flushed", n);
	}
	if (p->rejected_set != NULL) {
		ptable_free(p->rejected_set);
		p->rejected_set = NULL;
	}
	if (sp->now_ms - p->established_ms >= STABLE_MS)
		p->failures = 0;
	p->est = NULL;
	p->established_ms = 0;
	p->down_ms = sp->now_ms;
	memset(&p->caps, 0, sizeof(p->caps));
}

static void peer_next(struct bgp_peer *p, const struct bgp_end *e)
{
	uint64_t now = p->sp->now_ms;

	/* the operator's shutdown outlasts every other reason to wait */
	if (p->admin_down) {
		p->hold = BGP_HOLD_ADMIN;
		return;
	}
	switch (e->next) {
	case BGP_HOLD_NONE:
		p->hold = BGP_HOLD_NONE;
		p->connect_at_ms = now;
		break;
	case BGP_HOLD_BACKOFF:
		p->failures++;
		p->hold = BGP_HOLD_BACKOFF;
		p->idle_until_ms = now + backoff_s(p) * 1000ull;
		break;
	case BGP_HOLD_MAX_PREFIX:
		p->hold = BGP_HOLD_MAX_PREFIX;
		p->idle_until_ms = now + e->hold_s * 1000ull;
		break;
	case BGP_HOLD_BFD:
	case BGP_HOLD_ADMIN:
		p->hold = e->next;
		break;
	}
}

/* Ends connection C of P as E says. The session goes on if the other
 * connection is alive (collision), otherwise E->next applies. */
static void conn_end(struct bgp_peer *p, struct bgp_conn *c,
		     const struct bgp_end *e)
{
	struct bgp_conn *other = c == &p->out ? &p->in : &p->out;
	bool was_est = c == p->est, was_open = c->state >= BGP_ST_OPENSENT;

	if (c->fd < 0)
		return;
	if (e->sent != NULL && c->state != BGP_ST_CONNECT)
		send_notify(p, c, e->sent);
	if (was_est || (was_open && other->fd < 0)) {
		plog(p, "down: %s", e->why);
		snprintf(p->last_error, sizeof(p->last_error), "%s", e->why);
	}
	if (was_est) {
		struct bgp_reset *r;

		snprintf(p->last_reset, sizeof(p->last_reset), "%s", e->why);
		if (p->n_resets == BGP_RESETS_KEPT)
			memmove(p->resets, p->resets + 1,
				(BGP_RESETS_KEPT - 1) * sizeof(p->resets[0]));
		else
			p->n_resets++;
		r = &p->resets[p->n_resets - 1];
		r->down_ms = p->sp->now_ms;
		r->up_ms = 0;
		snprintf(r->why, sizeof(r->why), "%s", e->why);
		session_lost(p, e);
	}
	conn_close(p->sp, c, e->sent != NULL);
	if (!was_est && was_open && other->fd >= 0)
		plog(p, "closing %s connection: %s",
		     c == &p->out ? "our" : "the peer's", e->why);
	if (other->fd < 0)
		peer_next(p, e);
	peer_report(p);
}

/* Ends every connection of P with the same NOTIFICATION. */
static void peer_stop(struct bgp_peer *p, const struct bgp_end *e)
{
	if (p->est == NULL && p->out.fd < 0 && p->in.fd < 0) {
		peer_next(p, e); /* nothing to close: only what follows */
		peer_report(p);
		return;
	}
	if (p->est != NULL)
		conn_end(p, p->est, e);
	if (p->out.fd >= 0)
		conn_end(p, &p->out, e);
	if (p->in.fd >= 0)
		conn_end(p, &p->in, e);
}

static void conn_error(struct bgp_peer *p, struct bgp_conn *c,
		       const struct bgp_notify *n, const char *what)
{
	char s[96], why[160];
	struct bgp_end e = {.why = why, .sent = n, .next = BGP_HOLD_BACKOFF};

	snprintf(why, sizeof(why), "%s: %s", what, notify_str(n, s, sizeof(s)));
	conn_end(p, c, &e);
}

static void fsm_error(struct bgp_peer *p, struct bgp_conn *c, uint8_t type)
{
	/* RFC 6608: the subcode names the state the message came in */
	struct bgp_notify n = {.code = BGP_ERR_FSM};
	char what[64];

	n.subcode = c->state == BGP_ST_OPENSENT ? BGP_ERR_FSM_OPENSENT :
		    c->state == BGP_ST_OPENCONFIRM ? BGP_ERR_FSM_OPENCONFIRM :
						    BGP_ERR_FSM_ESTABLISHED;
	snprintf(what, sizeof(what), "message type %u in %s", type,
		 bgp_state_str(c->state));
	conn_error(p, c, &n, what);
}

/* ---- Established ---- */

static void session_up(struct bgp_peer *p, struct bgp_conn *c)
{
	struct bgp_speaker *sp = p->sp;
	const struct twp_config *cfg = sp->cfg;
	const struct bgp_open *o = &c->open;
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	struct bgp_conn *other = c == &p->out ? &p->in : &p->out;
	struct rib_peer rp = {.asn = o->asn};
	unsigned int af;
	bool any_mp = false;
	size_t swept = 0;
	char fams[32] = "";

	c->state = BGP_ST_ESTABLISHED;
	p->est = c;
	p->peer_open = *o;
	p->have_peer_open = true;
	memset(&p->caps, 0, sizeof(p->caps));
	p->caps.as4 = o->cap_as4;
	p->caps.route_refresh = o->cap_route_refresh;
	for (af = 0; af < BGP_AF_MAX; af++) {
		p->caps.af[af] = o->cap_mp[af];
		any_mp |= o->cap_mp[af];
	}
	/* RFC 4760 §8 in practice: a peer without any multiprotocol
	 * capability speaks IPv4 unicast only. */
	if (!any_mp)
		p->caps.af[BGP_AF_IPV4] = true;
	p->gr_n_both = cfg->bgp.graceful_restart && o->cap_gr &&
		       o->gr_notification;
	memcpy(rp.router_id, o->bgp_id, 4);
	rp.addr = p->lc->peer_address;
	rp.ibgp = false;
	rib_set_peer(sp->rib, p->link, &rp);
	p->st.established_count++;
	p->established_ms = sp->now_ms;
	if (p->n_resets > 0 && p->resets[p->n_resets - 1].up_ms == 0)
		p->resets[p->n_resets - 1].up_ms = sp->now_ms;
	p->hold = BGP_HOLD_NONE;
	p->last_connect_err[0] = '\0';
	memset(p->eor_rcvd, 0, sizeof(p->eor_rcvd));
	peer_report(p);
	/* RFC 4271 §6.8: the other connection, still waiting for the peer's
	 * OPEN, loses against an Established one */
	if (other->fd >= 0) {
		struct bgp_notify n = {.code = BGP_ERR_CEASE,
				       .subcode = BGP_ERR_CEASE_COLLISION};
		struct bgp_end e = {.why = "connection collision: the session "
				    "is Established on the other connection "
				    "(6/7)", .sent = &n,
				    .next = BGP_HOLD_NONE};

		conn_end(p, other, &e);
	}

	/* RFC 4724 §4.2: back before the restart timer ran out. Stale
	 * routes of a family the peer no longer keeps forwarding state for
	 * (no F bit, not negotiated) go now; the others wait for End-of-RIB
	 * or the stale path timer. */
	if (p->restart_at_ms != 0 || p->stale > 0) {
		p->restart_at_ms = 0;
		for (af = 0; af < BGP_AF_MAX; af++)
			if (!(o->cap_gr && o->gr_af[af] &&
			      o->gr_af_forwarding[af] && p->caps.af[af]))
				swept += rib_sweep_stale(sp->rib, p->link,
							 af_family(af));
		p->stale -= swept < p->stale ? swept : p->stale;
		if (swept > 0)
			plog(p, "graceful restart: %zu stale paths swept "
			     "(forwarding state not kept by the peer)", swept);
		if (p->stale > 0)
			p->stale_at_ms = sp->now_ms + BGP_STALEPATH_S * 1000ull;
	}
	for (af = 0; af < BGP_AF_MAX; af++)
		if (p->caps.af[af])
			snprintf(fams + strlen(fams), sizeof(fams) - strlen(fams),
				 " %s", af_name(af));
	plog(p, "AS %u, hold %u s, keepalive %u s, families%s%s%s%s", o->asn,
	     c->hold_s, c->hold_s / 3, fams[0] ? fams : " none",
	     p->caps.as4 ? ", 4-octet AS" : "",
	     p->caps.route_refresh ? ", route refresh" : "",
	     o->cap_gr ? ", peer graceful restart" : "");
	if (lb->n_import == 0)
		plog(p, "warning: no import rule on this link: no route will "
		     "be accepted (RFC 8212)");
	else
		plog(p, "import policy: %u prefix rule(s), local_pref %u, "
		     "max-prefix %u", lb->n_import, p->lc->local_pref,
		     lb->max_prefix);

	p->export_deferred = false;
	if (sp->gr_restarting && o->cap_gr) {
		/* RFC 4724 §4.1: the restarting speaker defers its route
		 * selection until End-of-RIB from every peer, and sends its
		 * UPDATEs and End-of-RIB after it; the peer keeps our routes
		 * (stale) meanwhile, and the data plane forwards on its FIB.
		 * A peer without the capability is no helper: it flushed
		 * our routes, so waiting would only keep them from it. */
		p->export_deferred = true;
		plog(p, "graceful restart: we are restarting: our UPDATEs and "
		     "End-of-RIB wait for the route selection (RFC 4724 "
		     "§4.1)");
		return;
	}
	export_all(p);
}

void bgp_gr_set_forwarding(struct bgp_speaker *sp, bool kept)
{
	sp->gr_forwarding = kept;
}

bool bgp_gr_restart_begin(struct bgp_speaker *sp)
{
	if (!sp->cfg->bgp.graceful_restart)
		return false;
	sp->gr_restarting = true;
	return true;
}

void bgp_gr_restart_end(struct bgp_speaker *sp)
{
	unsigned int i;

	if (!sp->gr_restarting)
		return;
	sp->gr_restarting = false;
	sp->now_ms = bgp_now_ms();
	for (i = 0; i < sp->n_peers; i++) {
		struct bgp_peer *p = &sp->peer[i];

		if (!p->export_deferred)
			continue;
		p->export_deferred = false;
		if (p->est == NULL)
			continue;
		plog(p, "graceful restart: route selection done: our "
		     "UPDATEs and End-of-RIB now");
		export_all(p);
	}
}

/* ---- UPDATE ---- */

static void prefix_withdraw(struct bgp_peer *p, const struct cfg_addr *pfx)
{
	if (p->rejected_set != NULL && ptable_del(p->rejected_set, pfx) == 0)
		return;
	rib_withdraw(p->sp->rib, p->link, pfx);
}

static void prefix_reject(struct bgp_peer *p, const struct cfg_addr *pfx,
			  enum pol_verdict v)
{
	uint8_t *val;

	p->st.rejected[v]++;
	rib_withdraw(p->sp->rib, p->link, pfx);
	if (p->rejected_set == NULL)
		p->rejected_set = ptable_new(1, 1024);
	if (p->rejected_set != NULL &&
	    (val = ptable_put(p->rejected_set, pfx, NULL)) != NULL)
		*val = (uint8_t)v;
}

static void max_prefix_exceeded(struct bgp_peer *p, uint8_t family)
{
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	struct bgp_notify n = {.code = BGP_ERR_CEASE,
			       .subcode = BGP_ERR_CEASE_MAX_PREFIX};
	struct bgp_end e = {.sent = &n, .flush = true,
			    .next = BGP_HOLD_MAX_PREFIX,
			    .hold_s = lb->max_prefix_restart_s};
	char why[128];
	uint32_t max = htonl(lb->max_prefix);
	uint16_t afi = htons(family == AF_INET ? BGP_AFI_IPV4 : BGP_AFI_IPV6);

	/* RFC 4486 §4: AFI, SAFI and the upper bound as data */
	memcpy(n.data, &afi, 2);
	n.data[2] = BGP_SAFI_UNICAST;
	memcpy(n.data + 3, &max, 4);
	n.data_len = 7;
	notify_hard(p, &n);
	p->st.max_prefix_hits++;
	p->held_for_memory = false;
	plog(p, "max-prefix %u exceeded (%zu accepted): session down, idle "
	     "for %u s", lb->max_prefix, rib_link_count(p->sp->rib, p->link),
	     lb->max_prefix_restart_s);
	snprintf(why, sizeof(why), "max-prefix %u exceeded (6/1)",
		 lb->max_prefix);
	e.why = why;
	peer_stop(p, &e);
}

size_t bgp_peer_bytes(const struct bgp_peer *p)
{
	size_t n = rib_link_bytes(p->sp->rib, p->link);

	if (p->rejected_set != NULL)
		n += ptable_count(p->rejected_set) * BGP_REJECTED_BYTES;
	return n;
}

/* links.bgp.max_memory_mb: the peer's routes hold more than its share.
 * RFC 4486 §4 "Out of Resources" is the Cease for it; the session goes
 * down as for max-prefix (routes flushed, Idle for max_prefix_restart)
 * and the other sessions keep theirs. */
static void max_memory_exceeded(struct bgp_peer *p)
{
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	struct bgp_notify n = {.code = BGP_ERR_CEASE,
			       .subcode = BGP_ERR_CEASE_RESOURCES};
	struct bgp_end e = {.sent = &n, .flush = true,
			    .next = BGP_HOLD_MAX_PREFIX,
			    .hold_s = lb->max_prefix_restart_s};
	unsigned long long max = (unsigned long long)lb->max_memory_bytes;
	char why[128], lim[32];

	/* the config says MiB; a test may set any number of bytes */
	if (max % (1u << 20) == 0)
		snprintf(lim, sizeof(lim), "%llu MiB", max >> 20);
	else
		snprintf(lim, sizeof(lim), "%llu bytes", max);

	notify_hard(p, &n);
	p->st.max_memory_hits++;
	plog(p, "max-memory %s exceeded (%zu bytes held by %zu accepted "
	     "prefixes): Cease/Out of Resources, session down, idle for %u s",
	     lim, bgp_peer_bytes(p),
	     rib_link_count(p->sp->rib, p->link), lb->max_prefix_restart_s);
	snprintf(why, sizeof(why), "max-memory %s exceeded (6/8)", lim);
	e.why = why;
	peer_stop(p, &e);
	p->held_for_memory = true;
}

static void end_of_rib(struct bgp_peer *p, unsigned int af)
{
	size_t swept = 0;
	bool all = true;
	unsigned int i;

	p->eor_rcvd[af] = true;
	if (p->stale == 0) {
		plog(p, "End-of-RIB %s received", af_name(af));
		return;
	}
	/* RFC 4724 §4.2: what is still stale of this family is gone */
	swept = rib_sweep_stale(p->sp->rib, p->link, af_family(af));
	p->stale -= swept < p->stale ? swept : p->stale;
	for (i = 0; i < BGP_AF_MAX; i++)
		if (p->caps.af[i] && !p->eor_rcvd[i])
			all = false;
	if (all) {
		p->stale = 0;
		p->stale_at_ms = 0;
	}
	plog(p, "End-of-RIB %s received: %zu stale paths swept", af_name(af),
	     swept);
}

/* 0, or -1 when the connection was closed. */
static int handle_update(struct bgp_peer *p, struct bgp_conn *c,
			 const uint8_t *msg, size_t len)
{
	struct bgp_speaker *sp = p->sp;
	struct bgp_update *u = sp->upd;
	const struct cfg_link_bgp *lb = &p->lc->bgp;
	struct bgp_notify err;
	const char *bad = NULL;
	unsigned int i;

	if (bgp_update_parse(msg, len, &p->caps, u, &err) < 0) {
		conn_error(p, c, &err, "malformed UPDATE");
		return -1;
	}
	p->st.updates_rcvd++;
	if (u->n_discarded > 0) {
		p->st.attrs_discarded += u->n_discarded;
		pwarn(p, "UPDATE: %s (attribute discarded, RFC 7606)",
		      u->warning);
	}
	if (u->treat_as_withdraw) {
		p->st.treat_as_withdraw += u->n_withdrawn;
		pwarn(p, "UPDATE: %s: %u prefix(es) treated as withdrawn "
		      "(RFC 7606)", u->warning, u->n_withdrawn);
	}
	if (u->n_nlri > 0) {
		/* RFC 4271 §6.3: the leftmost AS of an eBGP path is the
		 * peer's; RFC 7606 §7.2 makes a bad AS_PATH (and an empty one
		 * from an external peer) treat-as-withdraw. */
		if (u->attrs.aspath_len == 0)
			bad = "empty AS_PATH from an eBGP peer";
		else if (bgp_aspath_has_confed(u->attrs.aspath,
					       u->attrs.aspath_len))
			/* RFC 5065 §5.1: a malformed AS_PATH (RFC 7606
			 * §7.2) from a peer outside our confederation,
			 * which every peer of ours is */
			bad = "AS_CONFED_SEQUENCE or AS_CONFED_SET from an "
			      "eBGP peer (RFC 5065 §5.1)";
		else if (bgp_aspath_first(u->attrs.aspath,
					  u->attrs.aspath_len) !=
			 p->lc->remote_as)
			bad = "AS_PATH does not start with the peer's AS "
			      "(RFC 4271 §6.3)";
		if (bad != NULL) {
			char path[128];

			p->st.treat_as_withdraw += u->n_nlri;
			pwarn(p, "UPDATE: %s (path \"%s\"): %u prefix(es) "
			      "treated as withdrawn (RFC 7606)", bad,
			      bgp_aspath_str(u->attrs.aspath,
					     u->attrs.aspath_len, path,
					     sizeof(path)), u->n_nlri);
			for (i = 0; i < u->n_nlri; i++)
				prefix_withdraw(p, &u->nlri[i]);
			u->n_nlri = 0;
		}
	}
	for (i = 0; i < u->n_withdrawn; i++)
		prefix_withdraw(p, &u->withdrawn[i]);
	for (i = 0; i < u->n_nlri; i++) {
		struct bgp_attrs a = u->attrs;
		enum pol_verdict v;
		int rc;

		/* RFC 4760 §3: the prefixes of the IPv4 NLRI field take
		 * NEXT_HOP, never MP_REACH_NLRI's next hop */
		if (i >= u->nlri_field_first) {
			a.nexthop = u->nexthop_v4;
			memset(&a.nexthop_ll, 0, sizeof(a.nexthop_ll));
		}
		v = policy_import(sp->cfg, p->link, &u->nlri[i], &a);

		if (v != POL_ACCEPT) {
			prefix_reject(p, &u->nlri[i], v);
			continue;
		}
		if (p->rejected_set != NULL)
			ptable_del(p->rejected_set, &u->nlri[i]);
		if (p->drain == BGP_DRAIN_DRAINED)
			policy_drained(&a);
		rc = rib_update(sp->rib, p->link, &u->nlri[i], &a);
		if (rc < 0)
			pwarn(p, "RIB: %s", strerror(-rc));
	}
	if (u->n_nlri > 0 && lb->max_prefix > 0 &&
	    rib_link_count(sp->rib, p->link) > lb->max_prefix) {
		max_prefix_exceeded(p, u->nlri[0].family);
		return -1;
	}
	if (u->n_nlri > 0 && lb->max_memory_bytes > 0 &&
	    bgp_peer_bytes(p) > lb->max_memory_bytes) {
		max_memory_exceeded(p);
		return -1;
	}
	if (u->eor && u->eor_af < BGP_AF_MAX)
		end_of_rib(p, u->eor_af);
	return 0;
}

/* ---- OPEN, NOTIFICATION, ROUTE-REFRESH ---- */

static int handle_open(struct bgp_peer *p, struct bgp_conn *c,
		       const uint8_t *msg, size_t len)
{
	struct bgp_speaker *sp = p->sp;
	const struct twp_config *cfg = sp->cfg;
	struct bgp_conn *other = c == &p->out ? &p->in : &p->out;
	struct bgp_notify err;
	struct bgp_open o;
	uint64_t now = sp->now_ms;

	if (bgp_open_parse(msg, len, &o, &err) < 0) {
		conn_error(p, c, &err, "bad OPEN");
		return -1;
	}
	if (o.asn != p->lc->remote_as) {
		/* RFC 4271 §6.2: Bad Peer AS */
		char what[96];

		memset(&err, 0, sizeof(err));
		err.code = BGP_ERR_OPEN;
		err.subcode = BGP_ERR_OPEN_PEER_AS;
		snprintf(what, sizeof(what), "OPEN from AS %u, expected %u",
			 o.asn, p->lc->remote_as);
		conn_error(p, c, &err, what);
		return -1;
	}
	c->open = o;
	c->hold_s = o.hold_time_s < p->hold_cfg_s ? o.hold_time_s :
						      p->hold_cfg_s;

	/* RFC 4271 §6.8 connection collision: an OPEN on one connection
	 * while the other is in OpenConfirm (so the peer's BGP Identifier is
	 * known). The connection opened by the speaker with the higher
	 * Identifier stays (RFC 6286 §2.3: the higher AS on a tie). An
	 * attempt still in Connect is simply given up. */
	if (other->fd >= 0 && other->state == BGP_ST_CONNECT) {
		conn_close(sp, other, false);
	} else if (other->fd >= 0 && other->state >= BGP_ST_OPENCONFIRM) {
		uint32_t local_id, remote_id;
		bool peer_dominant, keep_new;
		struct bgp_notify n = {.code = BGP_ERR_CEASE,
				       .subcode = BGP_ERR_CEASE_COLLISION};
		struct bgp_end e = {.sent = &n, .next = BGP_HOLD_NONE};

		memcpy(&local_id, cfg->router_id, 4);
		memcpy(&remote_id, o.bgp_id, 4);
		local_id = ntohl(local_id);
		remote_id = ntohl(remote_id);
		peer_dominant = local_id < remote_id ||
				(local_id == remote_id &&
				 cfg->local_as < o.asn);
		keep_new = other->state != BGP_ST_ESTABLISHED &&
			   peer_dominant == !c->outgoing;
		e.why = peer_dominant ? "connection collision: the peer's "
					"BGP Identifier is higher (6/7)" :
					"connection collision: ours is "
					"higher (6/7)";
		conn_end(p, keep_new ? other : c, &e);
		if (!keep_new)
			return -1;
	}
	send_keepalive(p, c);
	c->state = BGP_ST_OPENCONFIRM;
	c->hold_at_ms = c->hold_s ? now + c->hold_s * 1000ull : 0;
	c->keepalive_at_ms = c->hold_s ? now + c->hold_s * 1000ull / 3 : 0;
	peer_report(p);
	return 0;
}

static int handle_notify(struct bgp_peer *p, struct bgp_conn *c,
			 const uint8_t *msg, size_t len)
{
	struct bgp_notify n;
	struct bgp_end e = {.rcvd = &n, .next = BGP_HOLD_BACKOFF};
	char s[sizeof(p->last_notify_rcvd)], why[sizeof(p->last_error)];

	if (bgp_notify_parse(msg, len, &n) < 0) {
		memset(&n, 0, sizeof(n));
		snprintf(s, sizeof(s), "(too short)");
	} else {
		notify_str(&n, s, sizeof(s));
	}
	p->st.notifications_rcvd++;
	if (n.code == BGP_ERR_CEASE && n.subcode == BGP_ERR_CEASE_HARD_RESET &&
	    n.data_len >= 2) {
		struct bgp_notify inner = {.code = n.data[0],
					   .subcode = n.data[1]};
		char si[96];

		snprintf(s + strlen(s), sizeof(s) - strlen(s), " [%s]",
			 notify_str(&inner, si, sizeof(si)));
	}
	/* RFC 9003: the peer's Shutdown Communication, for the operator */
	append_shutdown_msg(&n, s, sizeof(s));
	snprintf(p->last_notify_rcvd, sizeof(p->last_notify_rcvd), "%s", s);
	plog(p, "NOTIFICATION received: %s", s);
	snprintf(why, sizeof(why), "NOTIFICATION received: %s", s);
	e.why = why;
	conn_end(p, c, &e);
	return -1;
}

static int handle_refresh(struct bgp_peer *p, struct bgp_conn *c,
			  const uint8_t *msg, size_t len)
{
	struct bgp_notify err;
	enum bgp_af af;
	int rc = bgp_refresh_parse(msg, len, &af, &err);

	if (rc == -EBADMSG) {
		conn_error(p, c, &err, "bad ROUTE-REFRESH");
		return -1;
	}
	p->st.refresh_rcvd++;
	/* RFC 2918 §4: an AFI/SAFI we did not advertise is ignored */
	if (rc < 0 || !p->caps.af[af])
		return 0;
	plog(p, "ROUTE-REFRESH %s received: %u prefix(es) announced again",
	     af_name(af), export_af(p, af));
	return 0;
}

/* One whole message (header checked). 0, or -1 when C was closed. */
static int handle_msg(struct bgp_peer *p, struct bgp_conn *c, uint8_t type,
		      const uint8_t *msg, size_t len)
{
	uint64_t now = p->sp->now_ms;

	p->st.msgs_rcvd++;
	if (type == BGP_MSG_NOTIFICATION)
		return handle_notify(p, c, msg, len);
	/* RFC 4271 §4.4: every KEEPALIVE or UPDATE restarts the Hold Timer */
	if (c->state >= BGP_ST_OPENCONFIRM && c->hold_s)
		c->hold_at_ms = now + c->hold_s * 1000ull;
	switch (c->state) {
	case BGP_ST_OPENSENT:
		if (type != BGP_MSG_OPEN)
			break;
		return handle_open(p, c, msg, len);
	case BGP_ST_OPENCONFIRM:
		if (type != BGP_MSG_KEEPALIVE)
			break;
		session_up(p, c);
		return 0;
	case BGP_ST_ESTABLISHED:
		if (type == BGP_MSG_KEEPALIVE)
			return 0;
		if (type == BGP_MSG_UPDATE)
			return handle_update(p, c, msg, len);
		if (type == BGP_MSG_ROUTE_REFRESH)
			return handle_refresh(p, c, msg, len);
		break;
	default:
		break;
	}
	fsm_error(p, c, type);
	return -1;
}

long bgp_conn_receive(struct bgp_peer *p, struct bgp_conn *c,
		      const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (len - off >= BGP_HDR_LEN) {
		struct bgp_notify err;
		uint16_t mlen;
		uint8_t type;

		if (bgp_hdr_check(buf + off, len - off, &mlen, &type,
				  &err) < 0) {
			conn_error(p, c, &err, "bad message header");
			return -1;
		}
		if (len - off < mlen)
			break;
		if (handle_msg(p, c, type, buf + off, mlen) < 0)
			return -1; /* C was closed */
		off += mlen;
	}
	return (long)off;
}

static void conn_input(struct bgp_peer *p, struct bgp_conn *c)
{
	/* One read of at most BGP_READ_CHUNK per readiness: the loop runs
	 * the timers between two, and a full table arriving (about 2 us of
	 * parsing, policy and RIB per prefix) must not keep it from them.
	 * Four 64 KB reads were 150 ms of CPU in one go, and on a host
	 * whose other core was busy the loop then went 2.3 s between
	 * keepalives (control/loopwatch.c said so): a hold-timer flap at
	 * 3 s. 16 KB is about 10 ms; the next iteration goes on. */
	size_t room = BGP_CONN_RBUF - c->rlen;
	ssize_t n = recv(c->fd, c->rbuf + c->rlen,
			 room < BGP_READ_CHUNK ? room : BGP_READ_CHUNK,
			 0);
	long off;

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR &&
		       errno != EWOULDBLOCK)) {
		char why[96];
		struct bgp_end e = {.why = why,
				    .next = BGP_HOLD_BACKOFF};

		if (n == 0)
			snprintf(why, sizeof(why),
				 "connection closed by the peer");
		else
			snprintf(why, sizeof(why), "receive: %s",
				 strerror(errno));
		conn_end(p, c, &e);
		return;
	}
	if (n < 0)
		return;
	c->rlen += (size_t)n;
	off = bgp_conn_receive(p, c, c->rbuf, c->rlen);
	if (off < 0)
		return; /* C was closed */
	memmove(c->rbuf, c->rbuf + off, c->rlen - (size_t)off);
	c->rlen -= (size_t)off;
}

/* ---- opening connections ---- */

static void connect_failed(struct bgp_peer *p, const char *err)
{
	if (strcmp(p->last_connect_err, err) != 0)
		plog(p, "connect: %s (retrying every %u s)", err,
		     p->sp->cfg->bgp.connect_retry_s);
	snprintf(p->last_connect_err, sizeof(p->last_connect_err), "%s", err);
}

static void conn_opened(struct bgp_peer *p, struct bgp_conn *c)
{
	c->state = BGP_ST_OPENSENT;
	send_open(p, c);
	/* RFC 4271 §8.2.2: a large Hold Timer until the OPEN comes */
	c->hold_at_ms = p->sp->now_ms + BGP_OPEN_HOLD_S * 1000ull;
	c->keepalive_at_ms = 0;
	peer_report(p);
}

static void start_connect(struct bgp_peer *p)
{
	struct bgp_speaker *sp = p->sp;
	const struct cfg_link *l = p->lc;
	uint8_t fam = l->peer_address.family;
	struct sockaddr_storage ss;
	struct cfg_addr local = p->local;
	socklen_t sl;
	int fd, one = 1, rc;

	p->connect_at_ms = sp->now_ms +
			   sp->cfg->bgp.connect_retry_s * 1000ull;
	fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		connect_failed(p, strerror(errno));
		return;
	}
	sock_common(fd, fam);
	if ((rc = sock_ttl(fd, fam, l->bgp.ttl_security)) < 0 ||
	    (l->bgp.password[0] != '\0' &&
	     (rc = sock_md5(fd, fam, &l->peer_address, l->bgp.password)) <
		     0)) {
		char e[64];

		snprintf(e, sizeof(e), "%s: %s", rc == -ENOPROTOOPT ||
			 rc == -ENOENT ? "TCP MD5" : "socket option",
			 strerror(-rc));
		connect_failed(p, e);
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
	local.len = fam == AF_INET ? 32 : 128;
	sl = sockaddr_of(&local, 0, &ss);
	link_scope(&ss, l->interface);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		char e[64];

		snprintf(e, sizeof(e), "bind to our address: %s",
			 strerror(errno));
		connect_failed(p, e);
		close(fd);
		return;
	}
	sl = sockaddr_of(&l->peer_address, p->port, &ss);
	link_scope(&ss, l->interface);
	if (conn_init(&p->out, fd, true, BGP_ST_CONNECT) < 0) {
		close(fd);
		return;
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		conn_opened(p, &p->out);
		return;
	}
	if (errno != EINPROGRESS) {
		connect_failed(p, strerror(errno));
		conn_close(sp, &p->out, false);
		return;
	}
	peer_report(p);
}

static void connect_done(struct bgp_peer *p)
{
	int err = 0;
	socklen_t el = sizeof(err);

	if (getsockopt(p->out.fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
		err = errno;
	if (err == EINPROGRESS)
		return;
	if (err != 0) {
		connect_failed(p, strerror(err));
		conn_close(p->sp, &p->out, false);
		peer_report(p);
		return;
	}
	p->last_connect_err[0] = '\0';
	conn_opened(p, &p->out);
}

static void refuse(struct bgp_speaker *sp, int fd, const struct cfg_addr *a,
		   const char *why)
{
	char s[64];

	sp->conn_refused++;
	close(fd);
	/* at most one line a second: a scan must not flood the log */
	if (sp->refused_log_ms != 0 && sp->now_ms - sp->refused_log_ms < 1000)
		return;
	sp->refused_log_ms = sp->now_ms;
	log_warn("bgp: connection from %s refused: %s (%llu refused so far)",
		cfg_addr_str(a, s, sizeof(s)), why,
		(unsigned long long)sp->conn_refused);
}

static void on_accept(struct bgp_speaker *sp, int lfd)
{
	unsigned int k;

	for (k = 0; k < 8; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct bgp_peer *p;
		struct cfg_addr a;
		int fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		addr_of(&ss, &a);
		p = bgp_peer_find(sp, &a);
		if (p == NULL) {
			refuse(sp, fd, &a, "not a configured peer");
			continue;
		}
		if (p->hold == BGP_HOLD_MAX_PREFIX || p->hold == BGP_HOLD_BFD ||
		    p->hold == BGP_HOLD_ADMIN) {
			refuse(sp, fd, &a, p->hold == BGP_HOLD_BFD ?
			       "session held Idle while BFD is down" :
			       p->hold == BGP_HOLD_MAX_PREFIX ?
			       (p->held_for_memory ?
				"session held Idle after max-memory" :
				"session held Idle after max-prefix") :
			       "session administratively down");
			continue;
		}
		if (p->est != NULL) {
			if (sp->cfg->bgp.graceful_restart &&
			    p->est->open.cap_gr) {
				/* RFC 4724 §4.2: a new connection while
				 * Established means the peer restarted */
				struct bgp_end e = {
					.why = "peer restarted (new connection "
					       "while Established)",
					.next = BGP_HOLD_NONE};

				conn_end(p, p->est, &e);
			} else {
				/* RFC 4271 §6.8: a collision with an
				 * Established session closes the new one */
				uint8_t buf[BGP_HDR_LEN + 2];
				struct bgp_notify n = {
					.code = BGP_ERR_CEASE,
					.subcode = BGP_ERR_CEASE_COLLISION};
				int len = bgp_notify_build(buf, sizeof(buf), &n);

				if (len > 0 && send(fd, buf, (size_t)len,
						    MSG_NOSIGNAL) < 0)
					len = 0;
				refuse(sp, fd, &a, "the session is Established "
				       "(Cease/7 sent)");
				continue;
			}
		}
		if (p->in.fd >= 0) {
			refuse(sp, fd, &a, "the peer already has a "
			       "connection in progress");
			continue;
		}
		sock_common(fd, a.family);
		if (sock_ttl(fd, a.family, p->lc->bgp.ttl_security) < 0 ||
		    conn_init(&p->in, fd, false, BGP_ST_OPENSENT) < 0) {
			refuse(sp, fd, &a, "socket setup failed");
			continue;
		}
		if (p->hold == BGP_HOLD_BACKOFF)
			p->hold = BGP_HOLD_NONE;
		conn_opened(p, &p->in);
	}
}

int bgp_conn_attach(struct bgp_peer *p, int fd)
{
	int rc;

	if (p->in.fd >= 0)
		return -EBUSY;
	rc = conn_init(&p->in, fd, false, BGP_ST_OPENSENT);
	if (rc < 0)
		return rc;
	conn_opened(p, &p->in);
	return 0;
}

static int open_listener(struct bgp_speaker *sp, uint8_t fam,
			 const struct cfg_addr *bind_addr, uint16_t port)
{
	struct sockaddr_storage ss;
	struct cfg_addr any = {.family = fam};
	socklen_t sl;
	unsigned int i;
	int fd, one = 1, rc;
	char s[64];

	if (bind_addr->family == fam)
		any = *bind_addr;
	any.len = fam == AF_INET ? 32 : 128;
	fd = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fam == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	sl = sockaddr_of(&any, port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 16) < 0) {
		rc = -errno;
		close(fd);
		return rc;
	}
	/* RFC 2385: the listener needs every peer's key, or the SYNs of a
	 * peer that signs them are dropped */
	for (i = 0; i < sp->n_peers; i++) {
		const struct cfg_link *l = sp->peer[i].lc;

		if (l->peer_address.family != fam || l->bgp.password[0] == 0)
			continue;
		rc = sock_md5(fd, fam, &l->peer_address, l->bgp.password);
		if (rc < 0)
			log_warn("bgp %s: TCP MD5 key on the listener: %s",
				sp->peer[i].name, strerror(-rc));
	}
	sl = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		sp->listen_port[fam == AF_INET ? 0 : 1] = ntohs(
			fam == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port :
			((struct sockaddr_in6 *)&ss)->sin6_port);
	log_msg("bgp: listening on %s port %u",
		cfg_addr_str(&any, s, sizeof(s)),
		sp->listen_port[fam == AF_INET ? 0 : 1]);
	return fd;
}

/* ---- the speaker ---- */

struct bgp_speaker *bgp_new(const struct twp_config *cfg, struct rib *rib,
			    const struct bgp_opts *opts)
{
	struct bgp_speaker *sp = calloc(1, sizeof(*sp));
	uint16_t port;
	unsigned int i;
	char a[64];
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
		struct bgp_peer *p = &sp->peer[i];

		p->sp = sp;
		p->link = i;
		p->lc = &cfg->links[i];
		p->port = BGP_PORT;
		p->local = p->lc->local_address;
		p->hold_cfg_s = p->lc->bgp.hold_time_s;
		p->out.fd = p->in.fd = -1;
		p->state = p->lc->bgp.passive ? BGP_ST_ACTIVE : BGP_ST_IDLE;
		p->connect_at_ms = sp->now_ms;
		snprintf(p->name, sizeof(p->name), "%s %s", p->lc->name,
			 cfg_addr_str(&p->lc->peer_address, a, sizeof(a)));
		fam[p->lc->peer_address.family == AF_INET ? 0 : 1] = true;
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
			size_t n = rib_sweep_stale(sp->rib, p->link, 0);

			plog(p, "graceful restart: restart timer expired, %zu "
			     "stale paths swept", n);
			p->restart_at_ms = 0;
			p->stale = 0;
		}
		if (p->stale_at_ms != 0 && now_ms >= p->stale_at_ms) {
			size_t n = rib_sweep_stale(sp->rib, p->link, 0);

			plog(p, "graceful restart: no End-of-RIB after %u s, "
			     "%zu stale paths swept", BGP_STALEPATH_S, n);
			p->stale_at_ms = 0;
			p->stale = 0;
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

void bgp_bfd_down(struct bgp_speaker *sp, unsigned int link)
{
	struct bgp_peer *p;
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

	if (sp == NULL || link >= sp->n_peers)
		return;
	p = &sp->peer[link];
	sp->now_ms = bgp_now_ms();
	p->bfd_down = true;
	plog(p, "BFD down: session torn down and held Idle until BFD is Up "
	     "(RFC 5882)");
	if (p->stale > 0) {
		size_t k = rib_sweep_stale(sp->rib, p->link, 0);

		plog(p, "graceful restart: %zu stale paths swept (BFD down)",
		     k);
		p->stale = 0;
		p->restart_at_ms = p->stale_at_ms = 0;
	}
	peer_stop(p, &e);
}

void bgp_bfd_up(struct bgp_speaker *sp, unsigned int link)
{
	struct bgp_peer *p;

	if (sp == NULL || link >= sp->n_peers)
		return;
	p = &sp->peer[link];
	p->bfd_down = false;
	if (p->hold != BGP_HOLD_BFD)
		return;
	sp->now_ms = bgp_now_ms();
	p->hold = BGP_HOLD_NONE;
	p->connect_at_ms = sp->now_ms;
	p->failures = 0;
	plog(p, "BFD up: the session may start again");
	peer_report(p);
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

int bgp_soft_reset(struct bgp_speaker *sp, unsigned int link, bool in,
		   bool out, const struct cfg_addr *wd, unsigned int n_wd,
		   char *msg, size_t len)
{
	struct bgp_peer *p;
	unsigned int n, gone;
	char fams[32] = "";

	if (link >= sp->n_peers)
		return -ENOENT;
	p = &sp->peer[link];
	sp->now_ms = bgp_now_ms();
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

void bgp_drain_set(struct bgp_peer *p, enum bgp_drain d, const char *reason)
{
	struct bgp_speaker *sp = p->sp;
	enum bgp_drain old = p->drain;
	unsigned int af, n = 0;
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
	 * (GRACEFUL_SHUTDOWN) from the start; theirs on ours once drained */
	if (d == BGP_DRAIN_DRAINED)
		k = rib_link_set_local_pref(sp->rib, p->link,
					    POL_DRAIN_LOCAL_PREF);
	else if (old == BGP_DRAIN_DRAINED)
		k = rib_link_set_local_pref(sp->rib, p->link,
					    p->lc->local_pref);
	if (k < 0)
		plog(p, "drain: LOCAL_PREF of the link's paths: %s",
		     strerror((int)-k));
	if ((old == BGP_DRAIN_NONE || d == BGP_DRAIN_NONE) && p->est != NULL)
		for (af = 0; af < BGP_AF_MAX; af++)
			if (p->caps.af[af])
				n += export_af(p, af);
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
