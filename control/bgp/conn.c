/* The TCP connections under twinpathd's BGP sessions: peer addresses,
 * per-peer logging, connection buffers and sending, the socket options
 * (RFC 5082 GTSM, RFC 2385 TCP MD5), the OPEN, KEEPALIVE and NOTIFICATION
 * we send (RFC 4271 §4, RFC 8538 §5 Hard Reset) and opening connections:
 * the active connect and the listeners' accept (RFC 4271 §8.2.2, §6.8). */
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
#include <sys/socket.h>
#include <unistd.h>

#include "fsm_int.h"
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
#define CLOSING_MS 1000u

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

uint8_t af_family(unsigned int af)
{
	return af == BGP_AF_IPV4 ? AF_INET : AF_INET6;
}

const char *af_name(unsigned int af)
{
	return af == BGP_AF_IPV4 ? "ipv4" : "ipv6";
}

struct bgp_peer *bgp_peer_find(struct bgp_speaker *sp,
			       const struct cfg_addr *addr)
{
	unsigned int i;

	for (i = 0; sp != NULL && i < sp->n_peers; i++)
		if (cfg_addr_eq(&sp->peer[i].addr, addr))
			return &sp->peer[i];
	return NULL;
}

/* The peer of the link-local address A on the interface of index SCOPE,
 * or NULL: two links may well have peers of the same fe80:: address. */
static struct bgp_peer *peer_find_scoped(struct bgp_speaker *sp,
					 const struct cfg_addr *a,
					 uint32_t scope)
{
	unsigned int i;

	for (i = 0; i < sp->n_peers; i++)
		if (cfg_addr_eq(&sp->peer[i].addr, a) &&
		    if_nametoindex(sp->peer[i].lc->interface) == scope)
			return &sp->peer[i];
	return NULL;
}

size_t bgp_peer_received(const struct bgp_peer *p)
{
	return rib_link_count_af(p->sp->rib, p->link, p->afs) +
	       (p->rejected_set ? ptable_count(p->rejected_set) : 0);
}

/* ---- logging ---- */

void plog(const struct bgp_peer *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg("bgp %s: %s", p->name, msg);
}

/* UPDATE problems come per message: one line per 10 s per peer. */
void pwarn(struct bgp_peer *p, const char *fmt, ...)
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

void conn_free(struct bgp_conn *c)
{
	free(c->rbuf);
	free(c->wbuf);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Sends what waits; a hard error is kept in werr for the tick. */
void conn_flush(struct bgp_conn *c)
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

void conn_send(struct bgp_peer *p, struct bgp_conn *c,
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
void conn_close(struct bgp_speaker *sp, struct bgp_conn *c,
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

void closing_drop(struct bgp_speaker *sp, unsigned int i)
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
	/* RFC 4760: the families this session carries (both, unless the
	 * link has a session per family) */
	o.cap_mp[BGP_AF_IPV4] = (p->afs & RIB_KEEP_AF(BGP_AF_IPV4)) != 0;
	o.cap_mp[BGP_AF_IPV6] = (p->afs & RIB_KEEP_AF(BGP_AF_IPV6)) != 0;
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

void send_keepalive(struct bgp_peer *p, struct bgp_conn *c)
{
	uint8_t buf[BGP_HDR_LEN];
	int len = bgp_keepalive_build(buf, sizeof(buf));

	if (len > 0)
		conn_send(p, c, buf, (size_t)len);
}

void send_notify(struct bgp_peer *p, struct bgp_conn *c,
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
void notify_hard(const struct bgp_peer *p, struct bgp_notify *n)
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

/* ---- opening connections ---- */

void connect_failed(struct bgp_peer *p, const char *err)
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

void start_connect(struct bgp_peer *p)
{
	struct bgp_speaker *sp = p->sp;
	const struct cfg_link *l = p->lc;
	uint8_t fam = p->addr.family;
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
	     (rc = sock_md5(fd, fam, &p->addr, l->bgp.password)) <
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
	sl = sockaddr_of(&p->addr, p->port, &ss);
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

void connect_done(struct bgp_peer *p)
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

void on_accept(struct bgp_speaker *sp, int lfd)
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
		/* a link-local address is one per link (RFC 4007): the
		 * connection must come in on the peer's interface */
		if (p != NULL && cfg_addr_link_local(&a))
			p = peer_find_scoped(sp, &a, ((struct sockaddr_in6 *)
						      &ss)->sin6_scope_id);
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

int open_listener(struct bgp_speaker *sp, uint8_t fam,
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

		if (sp->peer[i].addr.family != fam || l->bgp.password[0] == 0)
			continue;
		rc = sock_md5(fd, fam, &sp->peer[i].addr, l->bgp.password);
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
