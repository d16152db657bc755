/* BGP sessions (control/bgp/fsm.h) against a scripted peer over real TCP
 * on loopback: we are 127.0.0.1, the peer 127.0.0.2. The peer's bytes are
 * built and checked by hand here, not with msg.c, so the wire is tested. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
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

#include "fsm.h"
#include "rib.h"

#define PEER_IP "127.0.0.2"
#define OUR_AS 65001u
#define PEER_AS 35540u
#define TIMEOUT_MS 3000u

static struct twp_config cfg;
static struct rib *rib;
static struct bgp_speaker *sp;

/* One side of the scripted peer: a socket and what it read so far. */
struct tconn {
	int fd;
	uint8_t buf[65536];
	size_t len;
};

static struct tconn pa, pb; /* the peer's connections */
static int plisten = -1;   /* the peer's listener (we connect to it) */
static int plisten6 = -1;  /* the second session's (peer_address6, ::1) */
static const uint8_t *open_extra; /* more capabilities in its OPEN */
static size_t open_extra_len;
static bool gr_off;               /* graceful_restart = false */
static unsigned int rib_links = 1; /* links of the RIB (more: not peers) */
static bool dual_gr;               /* start_dual's peers: graceful restart */

static void addr4(struct cfg_addr *a, const char *s, uint8_t len)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	a->len = len;
	assert_int_equal(inet_pton(AF_INET, s, a->addr), 1);
}

static void config(uint16_t hold_s, uint32_t max_prefix, bool passive)
{
	struct cfg_link *l = &cfg.links[0];

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.instance, sizeof(cfg.instance), "test");
	cfg.local_as = OUR_AS;
	cfg.router_id[0] = 198, cfg.router_id[1] = 18;
	cfg.router_id[2] = 1, cfg.router_id[3] = 1;
	cfg.bgp.enabled = true;
	cfg.bgp.hold_time_s = hold_s;
	cfg.bgp.connect_retry_s = 1;
	cfg.bgp.graceful_restart = !gr_off;
	cfg.bgp.restart_time_s = 120;
	addr4(&cfg.bgp.announce[0], "198.18.0.0", 16);
	cfg.bgp.n_announce = 1;
	cfg.n_links = 1;
	snprintf(l->name, sizeof(l->name), "link1");
	snprintf(l->interface, sizeof(l->interface), "lo");
	/* the link subnet for policy and NEXT_HOP; the TCP source is set
	 * to 127.0.0.1 in start() (peer.local) */
	addr4(&l->local_address, "192.0.2.1", 24);
	addr4(&l->peer_address, PEER_IP, 32);
	l->remote_as = PEER_AS;
	l->local_pref = 100;
	l->bgp.hold_time_s = hold_s;
	l->bgp.passive = passive;
	addr4(&l->bgp.import[0].prefix, "10.0.0.0", 8);
	l->bgp.import[0].ge = 8;
	l->bgp.import[0].le = 32;
	l->bgp.n_import = 1;
	l->bgp.max_prefix = max_prefix;
	l->bgp.max_prefix_restart_s = 60;
}

/* The peer listens on 127.0.0.2 (a free port) and the speaker, which
 * listens on 127.0.0.1 (a free port too), connects there. */
static void start(uint16_t hold_s, uint32_t max_prefix, bool passive)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct bgp_opts o = {.listen_port_any = true};
	socklen_t sl = sizeof(sin);
	int one = 1;

	config(hold_s, max_prefix, passive);
	pa.fd = pb.fd = -1;
	pa.len = pb.len = 0;
	plisten = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(plisten >= 0);
	setsockopt(plisten, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	inet_pton(AF_INET, PEER_IP, &sin.sin_addr);
	assert_int_equal(bind(plisten, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(plisten, 4), 0);
	assert_int_equal(getsockname(plisten, (struct sockaddr *)&sin, &sl), 0);
	addr4(&o.listen4, "127.0.0.1", 32);
	rib = rib_new(rib_links);
	assert_non_null(rib);
	sp = bgp_new(&cfg, rib, &o);
	assert_non_null(sp);
	assert_true(sp->lfd[0] >= 0);
	sp->peer[0].port = ntohs(sin.sin_port);
	addr4(&sp->peer[0].local, "127.0.0.1", 32);
}

static int teardown(void **state)
{
	(void)state;
	bgp_free(sp);
	sp = NULL;
	rib_free(rib);
	rib = NULL;
	if (pa.fd >= 0)
		close(pa.fd);
	if (pb.fd >= 0)
		close(pb.fd);
	if (plisten >= 0)
		close(plisten);
	if (plisten6 >= 0)
		close(plisten6);
	pa.fd = pb.fd = plisten = plisten6 = -1;
	open_extra = NULL;
	open_extra_len = 0;
	gr_off = false;
	rib_links = 1;
	dual_gr = false;
	return 0;
}

/* Runs the speaker as twinpathd's loop does, for MS milliseconds. */
static void spin(unsigned int ms)
{
	uint64_t end = bgp_now_ms() + ms;

	do {
		struct pollfd pfd[64];
		unsigned int n = bgp_pollfds(sp, pfd, 64);
		int t = bgp_next_timeout_ms(sp, bgp_now_ms());

		if (t > 5)
			t = 5;
		if (poll(pfd, n, t) > 0)
			bgp_handle(sp, pfd, n, bgp_now_ms());
		bgp_tick(sp, bgp_now_ms());
	} while (bgp_now_ms() < end);
}

/* The next whole message on C, into MSG: its length, 0 on EOF, -1 on
 * timeout. The speaker runs meanwhile. */
static int peer_read(struct tconn *c, uint8_t *msg, unsigned int timeout_ms)
{
	uint64_t end = bgp_now_ms() + timeout_ms;

	for (;;) {
		ssize_t n;

		if (c->len >= BGP_HDR_LEN) {
			size_t mlen = (size_t)c->buf[16] << 8 | c->buf[17];

			assert_true(mlen >= BGP_HDR_LEN && mlen <= BGP_MSG_MAX);
			if (c->len >= mlen) {
				memcpy(msg, c->buf, mlen);
				memmove(c->buf, c->buf + mlen, c->len - mlen);
				c->len -= mlen;
				return (int)mlen;
			}
		}
		n = recv(c->fd, c->buf + c->len, sizeof(c->buf) - c->len,
			 MSG_DONTWAIT);
		if (n == 0)
			return 0;
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		if (errno == ECONNRESET)
			return 0;
		assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
		if (bgp_now_ms() >= end)
			return -1;
		spin(5);
	}
}

/* Reads messages until one of TYPE, skipping KEEPALIVEs and UPDATEs
 * (our announcements) but no other type. */
static int peer_expect(struct tconn *c, uint8_t type, uint8_t *msg)
{
	for (;;) {
		int n = peer_read(c, msg, TIMEOUT_MS);

		assert_true(n > 0);
		if (msg[18] == type)
			return n;
		if (msg[18] != BGP_MSG_UPDATE)
			assert_int_equal(msg[18], BGP_MSG_KEEPALIVE);
	}
}

static void expect_notify(struct tconn *c, uint8_t code, uint8_t subcode)
{
	uint8_t msg[BGP_MSG_MAX];

	peer_expect(c, BGP_MSG_NOTIFICATION, msg);
	assert_int_equal(msg[19], code);
	assert_int_equal(msg[20], subcode);
	/* then the speaker closes the connection */
	assert_int_equal(peer_read(c, msg, TIMEOUT_MS), 0);
}

static void peer_send(struct tconn *c, const uint8_t *msg, size_t len)
{
	assert_int_equal(send(c->fd, msg, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void peer_close(struct tconn *c)
{
	close(c->fd);
	c->fd = -1;
	c->len = 0;
}

static size_t hdr(uint8_t *m, size_t len, uint8_t type)
{
	memset(m, 0xff, 16);
	m[16] = (uint8_t)(len >> 8);
	m[17] = (uint8_t)len;
	m[18] = type;
	return len;
}

/* The peer's OPEN: AS, hold time, BGP Identifier, MP IPv4 unicast and
 * 4-octet AS capabilities, then the capabilities in EXTRA. */
static void peer_open_caps(struct tconn *c, uint32_t as, uint16_t hold,
			   const char *id, const uint8_t *extra,
			   size_t extra_len)
{
	uint8_t m[128];
	size_t n = 19;
	struct in_addr ia;

	m[n++] = 4;
	m[n++] = (uint8_t)((as > 65535 ? 23456 : as) >> 8);
	m[n++] = (uint8_t)(as > 65535 ? 23456 : as);
	m[n++] = (uint8_t)(hold >> 8);
	m[n++] = (uint8_t)hold;
	inet_pton(AF_INET, id, &ia);
	memcpy(m + n, &ia, 4);
	n += 4;
	m[n++] = (uint8_t)(14 + extra_len); /* optional parameters length */
	m[n++] = 2;  /* capabilities */
	m[n++] = (uint8_t)(12 + extra_len);
	m[n++] = 1, m[n++] = 4, m[n++] = 0, m[n++] = 1, m[n++] = 0;
	m[n++] = 1; /* MP IPv4 unicast */
	m[n++] = 65, m[n++] = 4;
	m[n++] = (uint8_t)(as >> 24), m[n++] = (uint8_t)(as >> 16);
	m[n++] = (uint8_t)(as >> 8), m[n++] = (uint8_t)as;
	if (extra_len) /* memcpy from NULL is undefined even for 0 bytes */
		memcpy(m + n, extra, extra_len);
	n += extra_len;
	peer_send(c, m, hdr(m, n, BGP_MSG_OPEN));
}

static void peer_open(struct tconn *c, uint32_t as, uint16_t hold,
		      const char *id)
{
	peer_open_caps(c, as, hold, id, NULL, 0);
}

static void peer_keepalive(struct tconn *c)
{
	uint8_t m[19];

	peer_send(c, m, hdr(m, 19, BGP_MSG_KEEPALIVE));
}

/* The speaker's connection to the peer's listener LFD. */
static void peer_accept_on(int lfd, struct tconn *c)
{
	uint64_t end = bgp_now_ms() + TIMEOUT_MS;

	while (bgp_now_ms() < end) {
		c->fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK);
		if (c->fd >= 0)
			return;
		spin(5);
	}
	fail_msg("the speaker did not connect");
}

static void peer_accept(struct tconn *c)
{
	peer_accept_on(plisten, c);
}

/* The peer's connection to the speaker's listener. */
static void peer_connect(struct tconn *c)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct sockaddr_in src = {.sin_family = AF_INET};

	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	inet_pton(AF_INET, PEER_IP, &src.sin_addr);
	assert_int_equal(bind(c->fd, (struct sockaddr *)&src, sizeof(src)), 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	sin.sin_port = htons(sp->listen_port[0]);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&sin, sizeof(sin)),
			 0);
}

/* Finds capability CODE in the OPEN M; returns its value or NULL. */
static const uint8_t *open_cap(const uint8_t *m, uint8_t code,
			       unsigned int nth, uint8_t *len)
{
	size_t optlen = m[28], off = 29, end = 29 + optlen;

	while (off + 2 <= end) {
		size_t plen = m[off + 1], c = off + 2;

		if (m[off] == 2) {
			while (c + 2 <= off + 2 + plen) {
				if (m[c] == code && nth-- == 0) {
					*len = m[c + 1];
					return m + c + 2;
				}
				c += 2u + m[c + 1];
			}
		}
		off += 2 + plen;
	}
	return NULL;
}

/* Connects, checks our OPEN byte by byte, completes the handshake. */
static void establish(uint16_t peer_hold)
{
	uint8_t m[BGP_MSG_MAX], cl;
	const uint8_t *cv;
	int n;

	peer_accept(&pa);
	n = peer_expect(&pa, BGP_MSG_OPEN, m);
	assert_true(n >= 29);
	assert_int_equal(m[19], 4);                        /* version */
	assert_int_equal(m[20] << 8 | m[21], OUR_AS);
	assert_int_equal(m[22] << 8 | m[23], cfg.bgp.hold_time_s);
	assert_memory_equal(m + 24, cfg.router_id, 4);
	assert_int_equal(29 + m[28], n);
	cv = open_cap(m, 1, 0, &cl);                       /* MP IPv4 */
	assert_non_null(cv);
	assert_int_equal(cl, 4);
	assert_memory_equal(cv, "\x00\x01\x00\x01", 4);
	cv = open_cap(m, 1, 1, &cl);                       /* MP IPv6 */
	assert_non_null(cv);
	assert_memory_equal(cv, "\x00\x02\x00\x01", 4);
	cv = open_cap(m, 2, 0, &cl);                       /* route refresh */
	assert_non_null(cv);
	assert_int_equal(cl, 0);
	cv = open_cap(m, 64, 0, &cl);                      /* GR, RFC 4724 */
	assert_non_null(cv);
	/* N bit (RFC 8538), R bit while restarting, restart time 120;
	 * IPv4 and IPv6 unicast with the F bit when forwarding is kept */
	assert_int_equal(cl, 10);
	assert_memory_equal(cv, sp->gr_restarting ? "\xc0\x78" : "\x40\x78",
			    2);
	assert_memory_equal(cv + 2, sp->gr_forwarding ?
			    "\x00\x01\x01\x80\x00\x02\x01\x80" :
			    "\x00\x01\x01\x00\x00\x02\x01\x00", 8);
	cv = open_cap(m, 65, 0, &cl);                      /* 4-octet AS */
	assert_non_null(cv);
	assert_int_equal(cl, 4);
	assert_int_equal((uint32_t)cv[0] << 24 | cv[1] << 16 | cv[2] << 8 |
			 cv[3], OUR_AS);

	peer_open_caps(&pa, PEER_AS, peer_hold, "203.0.113.2", open_extra,
		       open_extra_len);
	peer_expect(&pa, BGP_MSG_KEEPALIVE, m);
	assert_int_equal(sp->peer[0].state, BGP_ST_OPENCONFIRM);
	peer_keepalive(&pa);
	spin(50);
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
}

static void test_bgp_fsm_established_with_our_open_and_export(void **state)
{
	uint8_t m[BGP_MSG_MAX];
	int n;

	(void)state;
	start(90, 0, false);
	establish(30);
	assert_int_equal(sp->peer[0].est->hold_s, 30); /* min(90, 30) */
	assert_true(sp->peer[0].caps.as4);
	assert_true(sp->peer[0].caps.af[BGP_AF_IPV4]);
	assert_false(sp->peer[0].caps.af[BGP_AF_IPV6]);
	/* our prefix: ORIGIN IGP, AS_PATH 65001 (4 octets), NEXT_HOP us */
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_int_equal(m[19] << 8 | m[20], 0);       /* no withdrawn */
	assert_memory_equal(m + n - 3, "\x10\xc6\x12", 3); /* 198.18/16 */
	assert_non_null(memmem(m, (size_t)n, "\x40\x01\x01\x00", 4));
	assert_non_null(memmem(m, (size_t)n,
			       "\x40\x02\x06\x02\x01\x00\x00\xfd\xe9", 9));
	assert_non_null(memmem(m, (size_t)n, "\x40\x03\x04\xc0\x00\x02\x01",
			       7));
	/* then End-of-RIB for IPv4: an empty UPDATE (RFC 4724 §2) */
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_int_equal(n, 23);
}

/* Our OPEN, whole: AS 65001, hold 90, id 198.18.1.1, then one
 * capabilities parameter: MP IPv4, MP IPv6, route refresh, GR_CAP (if
 * any: GR_LEN bytes), 4-octet AS 65001. */
static size_t our_open(uint8_t *m, const uint8_t *gr_cap, size_t gr_len)
{
	static const uint8_t head[] = {
		0x04, 0xfd, 0xe9, 0x00, 0x5a, 198, 18, 1, 1,
	};
	static const uint8_t mp_rr[] = {
		0x01, 0x04, 0x00, 0x01, 0x00, 0x01, /* MP IPv4 unicast */
		0x01, 0x04, 0x00, 0x02, 0x00, 0x01, /* MP IPv6 unicast */
		0x02, 0x00,                         /* route refresh */
	};
	static const uint8_t as4[] = { 0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9 };
	size_t n = 19, caps = sizeof(mp_rr) + gr_len + sizeof(as4);

	memcpy(m + n, head, sizeof(head));
	n += sizeof(head);
	m[n++] = (uint8_t)(caps + 2);
	m[n++] = 2;
	m[n++] = (uint8_t)caps;
	memcpy(m + n, mp_rr, sizeof(mp_rr));
	n += sizeof(mp_rr);
	if (gr_len) /* as in peer_open_caps */
		memcpy(m + n, gr_cap, gr_len);
	n += gr_len;
	memcpy(m + n, as4, sizeof(as4));
	n += sizeof(as4);
	return hdr(m, n, BGP_MSG_OPEN);
}

/* The speaker's first OPEN must be exactly WANT; it then parses into
 * what the speaker meant and builds back into the same bytes. */
static void expect_our_open(const uint8_t *want, size_t want_len)
{
	uint8_t m[BGP_MSG_MAX], again[BGP_MSG_MAX];
	struct bgp_notify err;
	struct bgp_open o;
	int n;

	peer_accept(&pa);
	n = peer_expect(&pa, BGP_MSG_OPEN, m);
	assert_int_equal(n, (int)want_len);
	assert_memory_equal(m, want, want_len);
	memset(&o, 0, sizeof(o));
	assert_int_equal(bgp_open_parse(m, (size_t)n, &o, &err), 0);
	assert_int_equal(o.asn, OUR_AS);
	assert_true(o.cap_mp[BGP_AF_IPV4] && o.cap_mp[BGP_AF_IPV6]);
	assert_int_equal(o.cap_gr, cfg.bgp.graceful_restart);
	if (o.cap_gr) {
		assert_int_equal(o.gr_restarting, sp->gr_restarting);
		assert_true(o.gr_notification);
		assert_int_equal(o.gr_restart_time_s, 120);
		assert_true(o.gr_af[BGP_AF_IPV4] && o.gr_af[BGP_AF_IPV6]);
		assert_int_equal(o.gr_af_forwarding[BGP_AF_IPV4],
				 sp->gr_forwarding);
		assert_int_equal(o.gr_af_forwarding[BGP_AF_IPV6],
				 sp->gr_forwarding);
	}
	assert_int_equal(bgp_open_build(again, sizeof(again), &o), n);
	assert_memory_equal(again, m, (size_t)n);
}

/* RFC 4724 §3, fresh start (no data plane FIB yet): both families listed
 * so a helper keeps our routes if we go, F = 0 (nothing is forwarded on
 * our routes yet), R = 0, N = 1, restart time 120. */
static void test_bgp_fsm_open_gr_fresh_start_lists_families_without_f(
	void **state)
{
	static const uint8_t gr[] = {
		0x40, 0x0a, 0x40, 0x78,
		0x00, 0x01, 0x01, 0x00, 0x00, 0x02, 0x01, 0x00,
	};
	uint8_t want[BGP_MSG_MAX];

	(void)state;
	start(90, 0, false);
	expect_our_open(want, our_open(want, gr, sizeof(gr)));
}

/* Fresh start, but the data plane has applied our FIB since (a session
 * that comes back later): F = 1, still no R. */
static void test_bgp_fsm_open_gr_forwarding_kept_sets_f(void **state)
{
	static const uint8_t gr[] = {
		0x40, 0x0a, 0x40, 0x78,
		0x00, 0x01, 0x01, 0x80, 0x00, 0x02, 0x01, 0x80,
	};
	uint8_t want[BGP_MSG_MAX];

	(void)state;
	start(90, 0, false);
	bgp_gr_set_forwarding(sp, true);
	expect_our_open(want, our_open(want, gr, sizeof(gr)));
}

/* After a restart with the data plane's FIB kept: R = 1, F = 1 for IPv4
 * and IPv6 unicast. */
static void test_bgp_fsm_open_gr_restart_sets_r_and_f(void **state)
{
	static const uint8_t gr[] = {
		0x40, 0x0a, 0xc0, 0x78,
		0x00, 0x01, 0x01, 0x80, 0x00, 0x02, 0x01, 0x80,
	};
	uint8_t want[BGP_MSG_MAX];

	(void)state;
	start(90, 0, false);
	bgp_gr_set_forwarding(sp, true);
	assert_true(bgp_gr_restart_begin(sp));
	expect_our_open(want, our_open(want, gr, sizeof(gr)));
}

/* graceful_restart = false: no GR capability at all, and no restart
 * mode (so nothing is ever deferred). */
static void test_bgp_fsm_open_gr_off_has_no_capability(void **state)
{
	uint8_t want[BGP_MSG_MAX];

	(void)state;
	gr_off = true;
	start(90, 0, false);
	bgp_gr_set_forwarding(sp, true);
	assert_false(bgp_gr_restart_begin(sp));
	expect_our_open(want, our_open(want, NULL, 0));
}

/* The next two messages: our 198.18.0.0/16, then End-of-RIB for IPv4. */
static void expect_our_prefix_then_eor(void)
{
	uint8_t m[BGP_MSG_MAX];
	int n;

	n = peer_read(&pa, m, TIMEOUT_MS);
	assert_int_equal(m[18], BGP_MSG_UPDATE);
	assert_memory_equal(m + n - 3, "\x10\xc6\x12", 3); /* 198.18/16 */
	n = peer_read(&pa, m, TIMEOUT_MS);
	assert_int_equal(m[18], BGP_MSG_UPDATE);
	assert_int_equal(n, 23); /* End-of-RIB IPv4 */
}

/* RFC 4724 §4.1: while restarting, an Established session gets neither
 * UPDATE nor End-of-RIB (the peer keeps our routes stale) until the
 * route selection is done; then our prefix, then End-of-RIB, and later
 * OPENs lose the R bit. */
static void test_bgp_fsm_restart_defers_updates_until_selection(
	void **state)
{
	/* the peer: GR capability, IPv4 listed, so its End-of-RIB counts */
	static const uint8_t peer_gr[] = {
		0x40, 0x06, 0x00, 0x78, 0x00, 0x01, 0x01, 0x80,
	};
	uint8_t m[BGP_MSG_MAX];
	int n;

	(void)state;
	start(90, 0, false);
	bgp_gr_set_forwarding(sp, true);
	assert_true(bgp_gr_restart_begin(sp));
	open_extra = peer_gr;
	open_extra_len = sizeof(peer_gr);
	establish(90);
	assert_false(bgp_converged(sp, bgp_now_ms()));
	assert_true(sp->peer[0].export_deferred);
	/* the peer's End-of-RIB: we converge, still send nothing */
	m[19] = m[20] = m[21] = m[22] = 0;
	peer_send(&pa, m, hdr(m, 23, BGP_MSG_UPDATE));
	assert_int_equal(peer_read(&pa, m, 500), -1);
	assert_true(bgp_converged(sp, bgp_now_ms()));
	bgp_gr_restart_end(sp);
	assert_false(sp->gr_restarting);
	assert_false(sp->peer[0].export_deferred);
	expect_our_prefix_then_eor();
	/* the session drops and comes back: R = 0, F still 1 */
	peer_close(&pa);
	spin(50);
	establish(90);
	n = peer_read(&pa, m, TIMEOUT_MS);
	assert_int_equal(m[18], BGP_MSG_UPDATE);
	assert_memory_equal(m + n - 3, "\x10\xc6\x12", 3);
}

/* A peer without the GR capability is no helper (it flushed our routes
 * when we went): even while we restart it gets them at once. */
static void test_bgp_fsm_restart_does_not_defer_for_a_peer_without_gr(
	void **state)
{
	(void)state;
	start(90, 0, false);
	bgp_gr_set_forwarding(sp, true);
	assert_true(bgp_gr_restart_begin(sp));
	establish(90);
	assert_false(sp->peer[0].export_deferred);
	expect_our_prefix_then_eor();
}

static void test_bgp_fsm_wrong_peer_as_gets_2_2(void **state)
{
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	start(90, 0, false);
	peer_accept(&pa);
	peer_expect(&pa, BGP_MSG_OPEN, m);
	peer_open(&pa, 64999, 90, "203.0.113.2");
	expect_notify(&pa, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS);
	assert_int_equal(sp->peer[0].state, BGP_ST_IDLE); /* backoff */
	assert_int_equal(sp->peer[0].st.notifications_sent, 1);
}

static void test_bgp_fsm_hold_time_1_gets_2_6(void **state)
{
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	start(90, 0, false);
	peer_accept(&pa);
	peer_expect(&pa, BGP_MSG_OPEN, m);
	peer_open(&pa, PEER_AS, 1, "203.0.113.2");
	expect_notify(&pa, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD_TIME);
}

static void test_bgp_fsm_hold_timer_expiry_sends_4_0(void **state)
{
	uint8_t m[BGP_MSG_MAX];
	uint64_t t0;
	int n, keepalives = 0;

	(void)state;
	start(3, 0, false);
	establish(3);
	/* the peer goes silent: keepalives every 1 s, 4/0 after 3 s */
	t0 = bgp_now_ms();
	for (;;) {
		n = peer_read(&pa, m, 5000);
		assert_true(n > 0);
		if (m[18] == BGP_MSG_NOTIFICATION)
			break;
		keepalives += m[18] == BGP_MSG_KEEPALIVE;
	}
	assert_int_equal(m[19], BGP_ERR_HOLD);
	assert_int_equal(m[20], 0);
	assert_true(bgp_now_ms() - t0 >= 2500);
	assert_true(keepalives >= 2);
	assert_int_equal(peer_read(&pa, m, TIMEOUT_MS), 0);
	assert_string_equal(sp->peer[0].last_error, "hold timer expired (4/0)");
}

/* The loop late past the hold time (its CPU went elsewhere) while the
 * peer's KEEPALIVE waits unread in the socket: the timer run reads it
 * first and the session stays up (RFC 4271 §4.4: it was received). With
 * nothing waiting, the next late run expires it: 4/0. */
static void test_bgp_fsm_hold_expiry_reads_unread_input_first(void **state)
{
	uint8_t m[BGP_MSG_MAX];
	struct bgp_peer *p;
	uint64_t late;
	int n;

	(void)state;
	start(3, 0, false);
	establish(3);
	p = &sp->peer[0];
	peer_keepalive(&pa);
	usleep(20000); /* in the speaker's socket; nothing reads it */
	late = p->est->hold_at_ms + 2000;
	bgp_tick(sp, late);
	assert_int_equal(p->st.hold_late_reads, 1);
	assert_int_equal(p->state, BGP_ST_ESTABLISHED);
	assert_non_null(p->est);
	assert_int_equal(p->est->hold_at_ms, late + 3000);
	{
		char *show[] = {"show", "bgp", "neighbors"};
		char buf[8192], want[96];
		FILE *f = fmemopen(buf, sizeof(buf), "w");

		assert_non_null(f);
		assert_int_equal(bgp_cli(sp, show, 3, true, f), 0);
		fclose(f);
		snprintf(want, sizeof(want), "\"established_at_ms\":%llu,"
			 "\"down_at_ms\":null,\"last_reset\":null,",
			 (unsigned long long)p->established_ms);
		assert_true(p->established_ms > 0);
		assert_non_null(strstr(buf, want));
	}
	/* nothing waits now: expired, and said so */
	bgp_tick(sp, late + 3000);
	for (;;) {
		n = peer_read(&pa, m, TIMEOUT_MS);
		assert_true(n > 0);
		if (m[18] == BGP_MSG_NOTIFICATION)
			break; /* after our UPDATEs and KEEPALIVEs */
	}
	assert_int_equal(m[19], BGP_ERR_HOLD);
	assert_int_equal(m[20], 0);
	assert_int_equal(p->st.hold_late_reads, 1);
	assert_string_equal(p->last_error, "hold timer expired (4/0)");
	/* the count, and when the session came and went (CLOCK_MONOTONIC
	 * ms, to line up with show bfd's change_ns) */
	{
		char *show[] = {"show", "bgp", "neighbors"};
		char buf[8192], want[160];
		FILE *f = fmemopen(buf, sizeof(buf), "w");

		assert_non_null(f);
		assert_int_equal(bgp_cli(sp, show, 3, true, f), 0);
		fclose(f);
		assert_non_null(strstr(buf, "\"hold_late_reads\":1,"));
		snprintf(want, sizeof(want), "\"established_at_ms\":null,"
			 "\"down_at_ms\":%llu,\"last_reset\":\"hold timer "
			 "expired (4/0)\",",
			 (unsigned long long)(late + 3000));
		assert_non_null(strstr(buf, want));
		snprintf(want, sizeof(want), "\"recent_resets\":[{"
			 "\"down_at_ms\":%llu,\"reason\":\"hold timer "
			 "expired (4/0)\",\"established_again_at_ms\":null}]",
			 (unsigned long long)(late + 3000));
		assert_non_null(strstr(buf, want));
		/* the text: its UTC time and age whole, "ago" once */
		f = fmemopen(buf, sizeof(buf), "w");
		assert_non_null(f);
		assert_int_equal(bgp_cli(sp, show, 3, false, f), 0);
		fclose(f);
		assert_non_null(strstr(buf, "Z (0 s ago): hold timer expired "
					    "(4/0)\n  Hold time"));
		assert_null(strstr(buf, "ago ago"));
	}
}

/* RFC 4271 §6.8: both open a connection; the one the speaker with the
 * higher BGP Identifier opened stays, the other gets Cease/7. */
static void collision(const char *peer_id, bool ours_wins)
{
	uint8_t m[BGP_MSG_MAX];

	start(90, 0, false);
	peer_accept(&pa);                  /* ours */
	peer_expect(&pa, BGP_MSG_OPEN, m);
	peer_connect(&pb);                 /* the peer's */
	peer_expect(&pb, BGP_MSG_OPEN, m);
	peer_open(&pa, PEER_AS, 90, peer_id);
	peer_expect(&pa, BGP_MSG_KEEPALIVE, m); /* ours in OpenConfirm */
	peer_open(&pb, PEER_AS, 90, peer_id);   /* collision */
	if (ours_wins) {
		expect_notify(&pb, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION);
		peer_keepalive(&pa);
		spin(50);
		assert_ptr_equal(sp->peer[0].est, &sp->peer[0].out);
	} else {
		peer_expect(&pb, BGP_MSG_KEEPALIVE, m);
		expect_notify(&pa, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION);
		peer_keepalive(&pb);
		spin(50);
		assert_ptr_equal(sp->peer[0].est, &sp->peer[0].in);
	}
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
	assert_int_equal(sp->peer[0].st.established_count, 1);
}

static void test_bgp_fsm_collision_higher_peer_id_keeps_its_connection(
	void **state)
{
	(void)state;
	collision("203.0.113.2", false); /* > 198.18.1.1 */
}

static void test_bgp_fsm_collision_higher_own_id_keeps_ours(void **state)
{
	(void)state;
	collision("10.0.0.2", true);
}

/* An UPDATE announcing N /24s in 10.0.0.0/8 via the peer. */
static size_t update_prefixes(uint8_t *m, unsigned int n)
{
	static const uint8_t attrs[] = {
		0x40, 1, 1, 0,                              /* ORIGIN IGP */
		0x40, 2, 6, 2, 1, 0, 0, 0x8a, 0xd4,         /* AS_PATH 35540 */
		0x40, 3, 4, 192, 0, 2, 2,                   /* NEXT_HOP */
	};
	size_t len = 19;
	unsigned int i;

	m[len++] = 0, m[len++] = 0;
	m[len++] = 0, m[len++] = sizeof(attrs);
	memcpy(m + len, attrs, sizeof(attrs));
	len += sizeof(attrs);
	for (i = 0; i < n; i++) {
		m[len++] = 24;
		m[len++] = 10, m[len++] = 0, m[len++] = (uint8_t)i;
	}
	return hdr(m, len, BGP_MSG_UPDATE);
}

static void test_bgp_fsm_max_prefix_sends_cease_1_and_flushes(void **state)
{
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	start(90, 3, false);
	establish(90);
	peer_send(&pa, m, update_prefixes(m, 3));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 3);
	assert_int_equal(bgp_peer_received(&sp->peer[0]), 3);
	peer_send(&pa, m, update_prefixes(m, 4));
	expect_notify(&pa, BGP_ERR_CEASE, BGP_ERR_CEASE_MAX_PREFIX);
	assert_int_equal(rib_link_count(rib, 0), 0);
	assert_int_equal(sp->peer[0].hold, BGP_HOLD_MAX_PREFIX);
	assert_int_equal(sp->peer[0].state, BGP_ST_IDLE);
	/* held Idle: its new connection is refused */
	peer_connect(&pb);
	assert_int_equal(peer_read(&pb, m, TIMEOUT_MS), 0);
}

/* links.bgp.max_memory_mb: the UPDATE that takes the peer's routes past
 * its share, and not the one before, gets Cease/Out of Resources (RFC
 * 4486 §4, 6/8); its routes are flushed and the session held Idle, while
 * another link's routes stay. */
static void test_bgp_fsm_max_memory_sends_cease_8_and_flushes_only_it(
	void **state)
{
	struct bgp_attrs other;
	struct cfg_addr o1, o2;
	uint8_t m[BGP_MSG_MAX];
	size_t one;

	(void)state;
	rib_links = 2;
	start(90, 0, false);
	/* link 1's routes, as another session would have left them */
	memset(&other, 0, sizeof(other));
	other.present = BGP_ATTR_P(BGP_ATTR_ORIGIN) |
			BGP_ATTR_P(BGP_ATTR_NEXT_HOP);
	addr4(&other.nexthop, "192.0.2.3", 32);
	addr4(&o1, "10.0.0.0", 24);
	addr4(&o2, "10.9.0.0", 16);
	assert_int_equal(rib_update(rib, 1, &o1, &other), 0);
	assert_int_equal(rib_update(rib, 1, &o2, &other), 0);
	establish(90);
	peer_send(&pa, m, update_prefixes(m, 1));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 1);
	/* a path and its attribute set; room for exactly two more paths */
	one = bgp_peer_bytes(&sp->peer[0]);
	assert_true(one > 160u);
	cfg.links[0].bgp.max_memory_bytes = one + 2u * 160u;
	peer_send(&pa, m, update_prefixes(m, 3));
	spin(50);
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
	assert_int_equal(rib_link_count(rib, 0), 3);
	assert_int_equal(bgp_peer_bytes(&sp->peer[0]), one + 2u * 160u);
	assert_int_equal(sp->peer[0].st.max_memory_hits, 0);
	peer_send(&pa, m, update_prefixes(m, 4));
	expect_notify(&pa, BGP_ERR_CEASE, BGP_ERR_CEASE_RESOURCES);
	assert_int_equal(sp->peer[0].st.max_memory_hits, 1);
	assert_int_equal(sp->peer[0].st.max_prefix_hits, 0);
	assert_int_equal(rib_link_count(rib, 0), 0);
	assert_int_equal(rib_link_bytes(rib, 0), 0);
	assert_int_equal(rib_link_count(rib, 1), 2);
	assert_int_equal(sp->peer[0].hold, BGP_HOLD_MAX_PREFIX);
	assert_true(sp->peer[0].held_for_memory);
	assert_int_equal(sp->peer[0].state, BGP_ST_IDLE);
	assert_string_equal(sp->peer[0].last_notify_sent,
			    "Cease/Out of Resources (6/8)");
	/* held Idle: its new connection is refused */
	peer_connect(&pb);
	assert_int_equal(peer_read(&pb, m, TIMEOUT_MS), 0);
}

static void test_bgp_fsm_import_policy_counts_rejections(void **state)
{
	static const uint8_t upd[] = {
		0, 0, 0, 20,
		0x40, 1, 1, 0,
		0x40, 2, 6, 2, 1, 0, 0, 0x8a, 0xd4,
		0x40, 3, 4, 192, 0, 2, 2,
		24, 198, 51, 100,               /* no import rule matches */
		16, 10, 1,                      /* accepted */
	};
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	start(90, 0, false);
	establish(90);
	memcpy(m + 19, upd, sizeof(upd));
	peer_send(&pa, m, hdr(m, 19 + sizeof(upd), BGP_MSG_UPDATE));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 1);
	assert_int_equal(sp->peer[0].st.rejected[POL_REJECT_PREFIX], 1);
	assert_int_equal(bgp_peer_received(&sp->peer[0]), 2);
	/* the rejected one withdrawn: only counted as received no more */
	memcpy(m + 19, "\x00\x04\x18\xc6\x33\x64\x00\x00", 8);
	peer_send(&pa, m, hdr(m, 27, BGP_MSG_UPDATE));
	spin(50);
	assert_int_equal(bgp_peer_received(&sp->peer[0]), 1);
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
}

static void test_bgp_fsm_malformed_attribute_list_gets_3_1(void **state)
{
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	start(90, 0, false);
	establish(90);
	/* Total Path Attribute Length 100 in a 23-octet UPDATE */
	m[19] = 0, m[20] = 0, m[21] = 0, m[22] = 100;
	peer_send(&pa, m, hdr(m, 23, BGP_MSG_UPDATE));
	expect_notify(&pa, BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_LIST);
	assert_int_equal(sp->peer[0].est, NULL);
}

static void test_bgp_fsm_unexpected_update_in_opensent_gets_5_1(
	void **state)
{
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	start(90, 0, false);
	peer_accept(&pa);
	peer_expect(&pa, BGP_MSG_OPEN, m);
	peer_keepalive(&pa);
	expect_notify(&pa, BGP_ERR_FSM, BGP_ERR_FSM_OPENSENT);
}

static void test_bgp_fsm_passive_accepts_only_the_configured_peer(
	void **state)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	uint8_t m[BGP_MSG_MAX];
	int fd;

	(void)state;
	start(90, 0, true);
	/* from 127.0.0.3: not a peer, closed at once */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	inet_pton(AF_INET, "127.0.0.3", &sin.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
	sin.sin_port = htons(sp->listen_port[0]);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	pb.fd = fd;
	assert_int_equal(peer_read(&pb, m, TIMEOUT_MS), 0);
	assert_int_equal(sp->conn_refused, 1);
	/* the configured peer gets our OPEN; passive: no connect of ours */
	close(pb.fd);
	pb.fd = -1;
	pb.len = 0;
	peer_connect(&pb);
	peer_expect(&pb, BGP_MSG_OPEN, m);
	assert_int_equal(accept4(plisten, NULL, NULL, SOCK_NONBLOCK), -1);
}

/* An Established session with two paths from the peer, which advertises
 * graceful restart (IPv4, F bit) when GR is set. */
static void established_with_two_paths(bool gr)
{
	static const uint8_t gr_cap[] = {64, 6, 0x00, 120, 0, 1, 1, 0x80};
	uint8_t m[BGP_MSG_MAX];

	open_extra = gr ? gr_cap : NULL;
	open_extra_len = gr ? sizeof(gr_cap) : 0;
	start(90, 0, false);
	establish(90);
	peer_send(&pa, m, update_prefixes(m, 2));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 2);
}

/* RFC 4724 §4.2 helper: the peer (GR capability, IPv4 with the F bit)
 * drops TCP: its paths stay, stale; back with the F bit still set, what
 * it announces again is fresh and End-of-RIB sweeps the rest. */
static void test_bgp_fsm_graceful_restart_keeps_stale_until_end_of_rib(
	void **state)
{
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	established_with_two_paths(true);
	peer_close(&pa);
	spin(50);
	assert_null(sp->peer[0].est);
	assert_int_equal(sp->peer[0].stale, 2);
	assert_int_not_equal(sp->peer[0].restart_at_ms, 0);
	assert_int_equal(rib_link_count(rib, 0), 2); /* kept */
	/* it comes back (our reconnect after the 1 s backoff) */
	establish(90);
	assert_int_equal(sp->peer[0].restart_at_ms, 0);
	assert_int_equal(sp->peer[0].stale, 2);
	peer_send(&pa, m, update_prefixes(m, 1)); /* 10.0.0.0/24 again */
	m[19] = m[20] = m[21] = m[22] = 0;
	peer_send(&pa, m, hdr(m, 23, BGP_MSG_UPDATE)); /* End-of-RIB */
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 1);
	assert_int_equal(sp->peer[0].stale, 0);
}

/* Without the GR capability a drop flushes at once. */
static void test_bgp_fsm_drop_without_graceful_restart_flushes(void **state)
{
	(void)state;
	established_with_two_paths(false);
	peer_close(&pa);
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 0);
	assert_int_equal(sp->peer[0].stale, 0);
	/* a close with our UPDATEs unread is a reset */
	assert_true(strcmp(sp->peer[0].last_error,
			   "connection closed by the peer") == 0 ||
		    strcmp(sp->peer[0].last_error,
			   "receive: Connection reset by peer") == 0);
}

/* RFC 5882 §3.2: BFD Down tears the session down (Cease/BFD Down, RFC
 * 9384), flushes even a GR peer's paths and holds Idle until BFD Up. */
static void test_bgp_fsm_bfd_down_tears_down_and_holds_idle(void **state)
{
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	established_with_two_paths(true);
	bgp_bfd_down(sp, 0);
	expect_notify(&pa, BGP_ERR_CEASE, BGP_ERR_CEASE_BFD_DOWN);
	peer_close(&pa);
	assert_int_equal(rib_link_count(rib, 0), 0);
	assert_int_equal(sp->peer[0].hold, BGP_HOLD_BFD);
	spin(1500); /* longer than ConnectRetry: still no attempt */
	assert_int_equal(accept4(plisten, NULL, NULL, SOCK_NONBLOCK), -1);
	peer_connect(&pb);                /* and the peer is refused */
	assert_int_equal(peer_read(&pb, m, TIMEOUT_MS), 0);
	bgp_bfd_up(sp, 0);
	establish(90);
	assert_int_equal(sp->peer[0].st.established_count, 2);
	/* on record: when and why it ended, when it was back */
	assert_int_equal(sp->peer[0].n_resets, 1);
	assert_string_equal(sp->peer[0].resets[0].why,
			    "BFD down (6/10, RFC 5882)");
	assert_int_equal(sp->peer[0].resets[0].down_ms, sp->peer[0].down_ms);
	assert_int_equal(sp->peer[0].resets[0].up_ms,
			 sp->peer[0].established_ms);
	assert_true(sp->peer[0].resets[0].up_ms -
			    sp->peer[0].resets[0].down_ms >= 1500);
}

/* The link callback (prefix-independent convergence): each call with
 * the link, the direction, and the link's paths in the RIB at that
 * moment (down must come before the flush). */
static struct {
	unsigned int n, link[4], paths[4];
	bool up[4];
} lev;

static void on_link_event(void *arg, unsigned int link, bool up)
{
	assert_ptr_equal(arg, &lev);
	assert_true(lev.n < 4);
	lev.link[lev.n] = link;
	lev.up[lev.n] = up;
	lev.paths[lev.n] = (unsigned int)rib_link_count(rib, link);
	lev.n++;
}

/* A drop without graceful restart: down once, before the RIB flushes the
 * two paths; back, the peer announces one and End-of-RIB: up once. */
static void test_bgp_fsm_link_cb_down_before_flush_up_at_end_of_rib(
	void **state)
{
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	memset(&lev, 0, sizeof(lev));
	established_with_two_paths(false);
	bgp_set_link_cb(sp, on_link_event, &lev);
	peer_close(&pa);
	spin(50);
	assert_int_equal(lev.n, 1);
	assert_int_equal(lev.link[0], 0);
	assert_false(lev.up[0]);
	assert_int_equal(lev.paths[0], 2);
	assert_true(sp->peer[0].pic_masked);
	establish(90);
	assert_int_equal(lev.n, 1); /* Established is not enough */
	assert_int_not_equal(sp->peer[0].pic_up_at_ms, 0);
	peer_send(&pa, m, update_prefixes(m, 1));
	m[19] = m[20] = m[21] = m[22] = 0;
	peer_send(&pa, m, hdr(m, 23, BGP_MSG_UPDATE)); /* End-of-RIB */
	spin(50);
	assert_int_equal(lev.n, 2);
	assert_true(lev.up[1]);
	assert_int_equal(lev.paths[1], 1);
	assert_false(sp->peer[0].pic_masked);
	assert_int_equal(sp->peer[0].pic_up_at_ms, 0);
	/* End-of-RIB again (a route refresh): nothing more */
	peer_send(&pa, m, hdr(m, 23, BGP_MSG_UPDATE));
	spin(50);
	assert_int_equal(lev.n, 2);
}

/* Graceful restart keeps the paths (stale): no down. BFD down then sweeps
 * them: down, before they go. Back without End-of-RIB: up when the wait
 * for it ends (its deadline brought forward here). */
static void test_bgp_fsm_link_cb_not_for_stale_paths_bfd_down_and_no_eor(
	void **state)
{
	(void)state;
	memset(&lev, 0, sizeof(lev));
	established_with_two_paths(true);
	bgp_set_link_cb(sp, on_link_event, &lev);
	peer_close(&pa);
	spin(50);
	assert_int_equal(sp->peer[0].stale, 2);
	assert_int_equal(lev.n, 0);
	bgp_bfd_down(sp, 0);
	assert_int_equal(lev.n, 1);
	assert_false(lev.up[0]);
	assert_int_equal(lev.paths[0], 2);
	assert_int_equal(rib_link_count(rib, 0), 0);
	bgp_bfd_up(sp, 0);
	establish(90);
	assert_int_equal(lev.n, 1);
	sp->peer[0].pic_up_at_ms = bgp_now_ms();
	spin(50);
	assert_int_equal(lev.n, 2);
	assert_true(lev.up[1]);
	assert_false(sp->peer[0].pic_masked);
}

/* clear bgp ADDR: Cease/4, then at once a new session. */
static void test_bgp_fsm_clear_sends_cease_4_and_reconnects(void **state)
{
	struct cfg_addr a;
	char msg[256];

	(void)state;
	start(90, 0, false);
	establish(90);
	addr4(&a, PEER_IP, 32);
	assert_int_equal(bgp_clear(sp, &a, false, msg, sizeof(msg)), 0);
	expect_notify(&pa, BGP_ERR_CEASE, BGP_ERR_CEASE_RESET);
	peer_close(&pa);
	establish(90);
	addr4(&a, "127.0.0.9", 32);
	assert_int_equal(bgp_clear(sp, &a, false, msg, sizeof(msg)), -ENOENT);
}

/* The last BGP_RESETS_KEPT ends of a session are kept, oldest first:
 * nine clears keep the last eight, each with when it went and came back. */
static void test_bgp_fsm_recent_resets_keeps_the_last_8(void **state)
{
	uint64_t down[BGP_RESETS_KEPT + 1];
	struct bgp_peer *p;
	struct cfg_addr a;
	char msg[256];
	unsigned int i;

	(void)state;
	start(90, 0, false);
	establish(90);
	p = &sp->peer[0];
	addr4(&a, PEER_IP, 32);
	for (i = 0; i < BGP_RESETS_KEPT + 1; i++) {
		spin(3); /* distinct milliseconds */
		assert_int_equal(bgp_clear(sp, &a, false, msg, sizeof(msg)),
				 0);
		down[i] = p->down_ms;
		expect_notify(&pa, BGP_ERR_CEASE, BGP_ERR_CEASE_RESET);
		peer_close(&pa);
		establish(90);
		assert_int_equal(p->resets[p->n_resets - 1].up_ms,
				 p->established_ms);
	}
	assert_int_equal(p->n_resets, BGP_RESETS_KEPT);
	for (i = 0; i < BGP_RESETS_KEPT; i++) {
		assert_int_equal(p->resets[i].down_ms, down[i + 1]);
		assert_true(p->resets[i].up_ms >= p->resets[i].down_ms);
		assert_string_equal(p->resets[i].why,
				    "administrative reset (6/4, clear bgp)");
	}
}

/* A reload changed what link1 announces (control/reload.c): 198.18/16
 * no more, 198.19/16 with prepend 1 instead. The session stays; the
 * peer gets the withdrawal, then the new prefix with AS_PATH 65001 65001
 * (RFC 4271 §3.1: an implicit replace for what stays). */
static void test_bgp_fsm_soft_reset_out_withdraws_then_announces(
	void **state)
{
	struct cfg_addr wd;
	uint8_t m[BGP_MSG_MAX];
	char msg[256];
	int n;

	(void)state;
	start(90, 0, false);
	establish(90);
	expect_our_prefix_then_eor();
	addr4(&wd, "198.18.0.0", 16);
	addr4(&cfg.bgp.announce[0], "198.19.0.0", 16);
	cfg.links[0].bgp.prepend = 1;
	assert_int_equal(bgp_soft_reset(sp, 0, false, true, &wd, 1, msg,
					sizeof(msg)), 0);
	assert_string_equal(msg, "1 prefix(es) withdrawn, 1 announced again");
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_int_equal(n, 19 + 2 + 3 + 2);            /* withdrawn only */
	assert_memory_equal(m + 19, "\x00\x03\x10\xc6\x12\x00\x00", 7);
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_int_equal(m[19] << 8 | m[20], 0);
	assert_memory_equal(m + n - 3, "\x10\xc6\x13", 3); /* 198.19/16 */
	assert_non_null(memmem(m, (size_t)n, "\x40\x02\x0a\x02\x02"
			       "\x00\x00\xfd\xe9\x00\x00\xfd\xe9", 13));
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
	assert_int_equal(sp->peer[0].st.established_count, 1);
	/* nothing else went out: no End-of-RIB, no NOTIFICATION */
	assert_int_equal(peer_read(&pa, m, 200), -1);
}

/* links.suspect.steer_return (bgp_steer_set): with link2 suspected,
 * link1's session announces our prefix again without its prepend and
 * MED (unprepend), or with both halves of it too (more-specific); once
 * link2 is clear, the halves are withdrawn and the prefix goes out as
 * configured. An implicit replace each time: the session stays. */
static void test_bgp_fsm_steer_return_reannounces(void **state)
{
	static const char path3[] = "\x40\x02\x0e\x02\x03\x00\x00\xfd\xe9"
				    "\x00\x00\xfd\xe9\x00\x00\xfd\xe9";
	static const char path1[] = "\x40\x02\x06\x02\x01\x00\x00\xfd\xe9";
	static const char med50[] = "\x80\x04\x04\x00\x00\x00\x32";
	struct bgp_peer *p;
	uint8_t m[BGP_MSG_MAX];
	int n;

	(void)state;
	start(90, 0, false);
	cfg.links[0].bgp.prepend = 2;
	cfg.links[0].bgp.has_med = true;
	cfg.links[0].bgp.med = 50;
	establish(90);
	p = &sp->peer[0];
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_non_null(memmem(m, (size_t)n, path3, sizeof(path3) - 1));
	assert_non_null(memmem(m, (size_t)n, med50, sizeof(med50) - 1));
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_int_equal(n, 23); /* End-of-RIB */
	/* a second link, whose session is not this test's, suspected */
	cfg.n_links = 2;
	snprintf(cfg.links[1].name, sizeof(cfg.links[1].name), "link2");
	cfg.links[1].suspect.enabled = true;
	cfg.links[1].suspect.steer_return = CFG_STEER_UNPREPEND;
	bgp_steer_set(sp, 1, true);
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_non_null(memmem(m, (size_t)n, path1, sizeof(path1) - 1));
	assert_null(memmem(m, (size_t)n, "\x80\x04\x04", 3));
	assert_memory_equal(m + n - 3, "\x10\xc6\x12", 3); /* 198.18/16 */
	assert_int_equal(p->steer, CFG_STEER_UNPREPEND);
	assert_int_equal(p->steers, 1);
	/* said again: nothing changes, nothing is sent */
	bgp_steer_set(sp, 1, true);
	assert_int_equal(peer_read(&pa, m, 200), -1);
	bgp_steer_set(sp, 1, false);
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_non_null(memmem(m, (size_t)n, path3, sizeof(path3) - 1));
	assert_non_null(memmem(m, (size_t)n, med50, sizeof(med50) - 1));
	assert_int_equal(p->steer, CFG_STEER_OFF);

	cfg.links[1].suspect.steer_return = CFG_STEER_MORE_SPECIFIC;
	bgp_steer_set(sp, 1, true);
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_non_null(memmem(m, (size_t)n, path1, sizeof(path1) - 1));
	/* 198.18/16, 198.18.0/17, 198.18.128/17 */
	assert_memory_equal(m + n - 11, "\x10\xc6\x12\x11\xc6\x12\x00"
			    "\x11\xc6\x12\x80", 11);
	bgp_steer_set(sp, 1, false);
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_int_equal(n, 19 + 2 + 8 + 2);              /* withdrawn only */
	assert_memory_equal(m + 19, "\x00\x08\x11\xc6\x12\x00\x11\xc6\x12"
			    "\x80\x00\x00", 12);
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_non_null(memmem(m, (size_t)n, path3, sizeof(path3) - 1));
	assert_memory_equal(m + n - 3, "\x10\xc6\x12", 3);
	assert_int_equal(p->steers, 2);
	assert_int_equal(p->state, BGP_ST_ESTABLISHED);
	assert_int_equal(p->st.established_count, 1);
	assert_int_equal(p->st.notifications_sent, 0);
	assert_int_equal(peer_read(&pa, m, 200), -1);
}

/* An import change asks ROUTE-REFRESH (RFC 2918) for each negotiated
 * family of a peer that advertised the capability. */
static void test_bgp_fsm_soft_reset_in_asks_route_refresh(void **state)
{
	static const uint8_t rr_cap[] = {2, 0};
	uint8_t m[BGP_MSG_MAX];
	char msg[256];
	int n;

	(void)state;
	open_extra = rr_cap;
	open_extra_len = sizeof(rr_cap);
	start(90, 0, false);
	establish(90);
	expect_our_prefix_then_eor();
	assert_int_equal(bgp_soft_reset(sp, 0, true, false, NULL, 0, msg,
					sizeof(msg)), 0);
	assert_string_equal(msg, "route refresh asked for ipv4");
	n = peer_expect(&pa, BGP_MSG_ROUTE_REFRESH, m);
	assert_int_equal(n, 23);
	assert_memory_equal(m + 19, "\x00\x01\x00\x01", 4); /* IPv4 unicast */
	assert_int_equal(sp->peer[0].st.refresh_sent, 1);
	assert_int_equal(peer_read(&pa, m, 200), -1);
	assert_int_equal(bgp_soft_reset(sp, 1, true, false, NULL, 0, msg,
					sizeof(msg)), -ENOENT);
}

/* RFC 2918 §3: none to a peer without the capability; the answer says
 * what that means for the import change. */
static void test_bgp_fsm_soft_reset_in_without_capability_says_so(
	void **state)
{
	uint8_t m[BGP_MSG_MAX];
	char msg[256];

	(void)state;
	start(90, 0, false);
	establish(90);
	expect_our_prefix_then_eor();
	assert_int_equal(bgp_soft_reset(sp, 0, true, false, NULL, 0, msg,
					sizeof(msg)), 0);
	assert_string_equal(msg, "route refresh asked for nothing (the peer "
				 "lacks the capability: the import change "
				 "applies to what it sends from now on)");
	assert_int_equal(peer_read(&pa, m, 200), -1);
	assert_int_equal(sp->peer[0].st.refresh_sent, 0);
}

/* bgp ADDR shutdown MESSAGE: Cease/Administrative Shutdown with the
 * RFC 9003 Shutdown Communication, byte for byte; the paths flushed; the
 * session held Idle (no connect, the peer refused) across clear bgp and
 * BFD coming back; "enable" brings it up again. */
static void test_bgp_fsm_shutdown_sends_6_2_message_and_holds_idle(
	void **state)
{
	const uint8_t want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x1e, 0x03, 6, 2, 8, 'm', 'a', 'i', 'n', 't', ' ', '4', '2',
	};
	struct bgp_peer *p;
	struct cfg_addr a;
	uint8_t m[BGP_MSG_MAX];
	char out[512];
	int n;

	(void)state;
	established_with_two_paths(false);
	p = &sp->peer[0];
	assert_int_equal(bgp_admin_shutdown(p, "maint 42", out, sizeof(out)),
			 0);
	assert_string_equal(out, "link1 " PEER_IP " shut down: Cease/"
			    "Administrative Shutdown sent; held Idle (no "
			    "connect, incoming refused) until 'bgp ADDR "
			    "enable'");
	n = peer_expect(&pa, BGP_MSG_NOTIFICATION, m);
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
	assert_int_equal(peer_read(&pa, m, TIMEOUT_MS), 0);
	peer_close(&pa);
	assert_int_equal(rib_link_count(rib, 0), 0);
	assert_string_equal(p->last_notify_sent, "Cease/Administrative "
			    "Shutdown (6/2) \"maint 42\"");
	assert_string_equal(p->last_error, "administrative shutdown (6/2: "
			    "\"maint 42\")");
	assert_int_equal(p->hold, BGP_HOLD_ADMIN);
	assert_int_equal(p->state, BGP_ST_IDLE);
	assert_true(p->admin_down);
	assert_string_equal(p->admin_msg, "maint 42");
	assert_int_equal(bgp_admin_shutdown(p, "again", out, sizeof(out)),
			 -EALREADY);
	addr4(&a, PEER_IP, 32);
	assert_int_equal(bgp_clear(sp, &a, false, out, sizeof(out)), 0);
	assert_string_equal(out, "link1 " PEER_IP " is administratively down "
			    "(shutdown): nothing to clear; 'bgp ADDR enable' "
			    "starts it");
	{
		char *sum[] = {"show", "bgp", "summary"};
		char buf[4096];
		FILE *f = fmemopen(buf, sizeof(buf), "w");

		assert_non_null(f);
		assert_int_equal(bgp_cli(sp, sum, 3, false, f), 0);
		fclose(f);
		assert_non_null(strstr(buf, " Idle (Admin) "));
	}
	bgp_bfd_down(sp, 0);
	bgp_bfd_up(sp, 0);
	assert_int_equal(p->hold, BGP_HOLD_ADMIN);
	spin(1500); /* longer than ConnectRetry: still no attempt */
	assert_int_equal(accept4(plisten, NULL, NULL, SOCK_NONBLOCK), -1);
	peer_connect(&pb);                /* and the peer is refused */
	assert_int_equal(peer_read(&pb, m, TIMEOUT_MS), 0);
	assert_int_equal(bgp_admin_enable(p, out, sizeof(out)), 0);
	assert_string_equal(out, "link1 " PEER_IP " enabled: connecting");
	assert_false(p->admin_down);
	establish(90);
	assert_int_equal(p->st.established_count, 2);
	assert_int_equal(bgp_admin_enable(p, out, sizeof(out)), -EALREADY);
}

/* RFC 8538 §5: with the N bit on both sides the shutdown goes inside a
 * Hard Reset, the Shutdown Communication after the inner 6/2. */
static void test_bgp_fsm_shutdown_with_n_bit_is_hard_reset(void **state)
{
	static const uint8_t gr_n[] = {64, 6, 0x40, 120, 0, 1, 1, 0x80};
	const uint8_t want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x1a, 0x03, 6, 9, 6, 2, 2, 'o', 'k',
	};
	uint8_t m[BGP_MSG_MAX];
	char out[512];

	(void)state;
	open_extra = gr_n;
	open_extra_len = sizeof(gr_n);
	start(90, 0, false);
	establish(90);
	assert_true(sp->peer[0].gr_n_both);
	assert_int_equal(bgp_admin_shutdown(&sp->peer[0], "ok", out,
					    sizeof(out)), 0);
	assert_int_equal(peer_expect(&pa, BGP_MSG_NOTIFICATION, m),
			 sizeof(want));
	assert_memory_equal(m, want, sizeof(want));
	assert_string_equal(sp->peer[0].last_notify_sent,
			    "Cease/Hard Reset (6/9) \"ok\"");
}

/* A message RFC 9003 does not allow is refused and nothing happens to
 * the session; with no message the 6/2 has no data at all. */
static void test_bgp_fsm_shutdown_bad_message_refused_none_sends_no_data(
	void **state)
{
	uint8_t m[BGP_MSG_MAX];
	char text[300], out[512];

	(void)state;
	start(90, 0, false);
	establish(90);
	memset(text, 'x', 256);
	text[256] = '\0';
	assert_int_equal(bgp_admin_shutdown(&sp->peer[0], text, out,
					    sizeof(out)), -EMSGSIZE);
	assert_string_equal(out, "shutdown message is 256 octets: at most 255 "
			    "(RFC 9003 §2)");
	assert_int_equal(bgp_admin_shutdown(&sp->peer[0], "\xc3", out,
					    sizeof(out)), -EILSEQ);
	assert_false(sp->peer[0].admin_down);
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
	assert_int_equal(bgp_admin_shutdown(&sp->peer[0], "", out,
					    sizeof(out)), 0);
	assert_int_equal(peer_expect(&pa, BGP_MSG_NOTIFICATION, m), 21);
	assert_int_equal(m[19], 6);
	assert_int_equal(m[20], 2);
}

/* A peer's Cease 6/2 with a Shutdown Communication is shown with its
 * text; a malformed one (length past the data) as a hex dump (RFC 9003
 * §4). */
static void test_bgp_fsm_received_shutdown_communication_shown(void **state)
{
	uint8_t m[64];
	size_t n;

	(void)state;
	start(90, 0, false);
	establish(90);
	n = hdr(m, 19 + 2 + 1 + 11, BGP_MSG_NOTIFICATION);
	memcpy(m + 19, "\x06\x02\x0bgoing \"down", 14);
	peer_send(&pa, m, n);
	spin(50);
	assert_string_equal(sp->peer[0].last_notify_rcvd,
			    "Cease/Administrative Shutdown (6/2) "
			    "\"going \\x22down\"");
	assert_string_equal(sp->peer[0].last_error,
			    "NOTIFICATION received: Cease/Administrative "
			    "Shutdown (6/2) \"going \\x22down\"");
	peer_close(&pa);
	establish(90); /* after the 1 s backoff */
	n = hdr(m, 19 + 2 + 3, BGP_MSG_NOTIFICATION);
	memcpy(m + 19, "\x06\x04\x09\x61\x62", 5);
	peer_send(&pa, m, n);
	spin(50);
	assert_string_equal(sp->peer[0].last_notify_rcvd,
			    "Cease/Administrative Reset (6/4) (malformed "
			    "Shutdown Communication, RFC 9003 §4: 09 61 62)");
}

struct lp_seen {
	unsigned int n;
	uint32_t min, max;
};

static int lp_of_link0(void *arg, const struct cfg_addr *prefix,
		       const struct rib_path_view *paths, unsigned int n)
{
	struct lp_seen *s = arg;
	unsigned int i;

	(void)prefix;
	for (i = 0; i < n; i++) {
		uint32_t lp = paths[i].attrs->local_pref;

		if (paths[i].link != 0)
			continue;
		assert_true(paths[i].attrs->present &
			    BGP_ATTR_P(BGP_ATTR_LOCAL_PREF));
		s->min = s->n == 0 || lp < s->min ? lp : s->min;
		s->max = s->n == 0 || lp > s->max ? lp : s->max;
		s->n++;
	}
	return 0;
}

static void expect_link_lp(unsigned int n, uint32_t lp)
{
	struct lp_seen s = {0};

	rib_walk(rib, NULL, lp_of_link0, &s);
	assert_int_equal(s.n, n);
	assert_int_equal(s.min, lp);
	assert_int_equal(s.max, lp);
}

/* link NAME drain (RFC 8326): our prefix again with GRACEFUL_SHUTDOWN
 * after the link's community, on the same session (no NOTIFICATION, no
 * reset); drained, the link's paths, old and new, get LOCAL_PREF 0;
 * restored, the prefix again without it and LOCAL_PREF 100. */
static void test_bgp_fsm_drain_reannounces_gshut_without_reset(void **state)
{
	uint8_t m[BGP_MSG_MAX];
	struct bgp_peer *p;
	int n;

	(void)state;
	start(90, 0, false);
	cfg.links[0].bgp.communities[0] = 7224u << 16 | 7100u;
	cfg.links[0].bgp.n_communities = 1;
	establish(90);
	p = &sp->peer[0];
	expect_our_prefix_then_eor();
	peer_send(&pa, m, update_prefixes(m, 2));
	spin(50);
	expect_link_lp(2, 100);
	bgp_drain_set(p, BGP_DRAIN_DRAINING, NULL);
	n = peer_read(&pa, m, TIMEOUT_MS);
	assert_int_equal(m[18], BGP_MSG_UPDATE);
	assert_non_null(memmem(m, (size_t)n, "\xc0\x08\x08\x1c\x38\x1b\xbc"
			       "\xff\xff\x00\x00", 11));
	assert_memory_equal(m + n - 3, "\x10\xc6\x12", 3); /* 198.18/16 */
	expect_link_lp(2, 100); /* ours moves only once drained */
	bgp_drain_set(p, BGP_DRAIN_DRAINED, "test");
	expect_link_lp(2, 0);
	peer_send(&pa, m, update_prefixes(m, 3));
	spin(50);
	expect_link_lp(3, 0);
	assert_string_equal(p->drain_reason, "test");
	bgp_drain_set(p, BGP_DRAIN_NONE, NULL);
	n = peer_read(&pa, m, TIMEOUT_MS);
	assert_int_equal(m[18], BGP_MSG_UPDATE);
	assert_non_null(memmem(m, (size_t)n, "\xc0\x08\x04\x1c\x38\x1b\xbc",
			       7));
	assert_null(memmem(m, (size_t)n, "\xff\xff\x00\x00", 4));
	expect_link_lp(3, 100);
	assert_int_equal(p->state, BGP_ST_ESTABLISHED);
	assert_int_equal(p->st.established_count, 1);
	assert_int_equal(p->st.notifications_sent, 0);
}

/* twinpathctl's BGP words (bgp_cli): a neighbor is an address, so an
 * address with a shorter length is refused with the message, never
 * taken for the neighbor; the full-width form and the bare one work. */
static void test_bgp_fsm_cli_neighbor_is_an_address(void **state)
{
	char *bad_show[] = {"show", "bgp", "neighbors", PEER_IP "/24"};
	char *good_show[] = {"show", "bgp", "neighbors", PEER_IP "/32"};
	char *bad_clear[] = {"clear", "bgp", PEER_IP "/8"};
	char *bad_text[] = {"clear", "bgp", "192.0.2.x"};
	char buf[8192];
	FILE *f;

	(void)state;
	start(90, 0, false);
	f = fmemopen(buf, sizeof(buf), "w");
	assert_non_null(f);
	assert_int_equal(bgp_cli(sp, bad_show, 4, false, f), -EINVAL);
	fflush(f);
	assert_string_equal(buf, "error: no BGP neighbor " PEER_IP "/24\n");
	rewind(f);
	assert_int_equal(bgp_cli(sp, good_show, 4, false, f), 0);
	fflush(f);
	assert_non_null(strstr(buf, PEER_IP));
	rewind(f);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(bgp_cli(sp, bad_clear, 3, false, f), -EINVAL);
	fflush(f);
	assert_string_equal(buf, "error: not an address: " PEER_IP "/8\n");
	rewind(f);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(bgp_cli(sp, bad_text, 3, false, f), -EINVAL);
	fflush(f);
	assert_string_equal(buf, "error: not an address: 192.0.2.x\n");
	fclose(f);
}

/* ---- next hops of a mixed UPDATE, confederation segments from an
 * eBGP peer, long AS paths in show bgp routes ---- */

/* The one path of PREFIX in the RIB, for the tests below. */
struct one_path {
	bool found;
	struct cfg_addr nexthop, nexthop_ll;
};

static int one_path_cb(void *arg, const struct cfg_addr *prefix,
		       const struct rib_path_view *paths, unsigned int n)
{
	struct one_path *o = arg;

	(void)prefix;
	assert_int_equal(n, 1);
	o->found = true;
	o->nexthop = paths[0].attrs->nexthop;
	o->nexthop_ll = paths[0].attrs->nexthop_ll;
	return 1;
}

static void rib_noop_cb(void *arg, const struct cfg_addr *prefix,
			const struct rib_nhset *set)
{
	(void)arg, (void)prefix, (void)set;
}

/* RFC 4760 §3: an UPDATE with the IPv4 NLRI field and an IPv6
 * MP_REACH_NLRI. 10.1.0.0/16 takes NEXT_HOP 192.0.2.2, not the IPv6 next
 * hop (which the policy would take as given). */
static void test_bgp_fsm_ipv4_nlri_beside_mp_reach_v6_takes_next_hop(
	void **state)
{
	static const uint8_t mp_v6[] = {1, 4, 0, 2, 0, 1};
	static const uint8_t upd[] = {
		0, 0, 0, 0x31,
		0x80, 0x0e, 0x1a, 0x00, 0x02, 0x01, 0x10,     /* MP_REACH */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
		0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8,           /* 2001:db8::/32 */
		0x40, 1, 1, 0,
		0x40, 2, 6, 2, 1, 0, 0, 0x8a, 0xd4,
		0x40, 3, 4, 192, 0, 2, 2,
		16, 10, 1,
	};
	struct cfg_addr want = {0}, f = {0};
	struct one_path o = {0};
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	open_extra = mp_v6;
	open_extra_len = sizeof(mp_v6);
	start(90, 0, false);
	establish(90);
	assert_true(sp->peer[0].caps.af[BGP_AF_IPV6]);
	memcpy(m + 19, upd, sizeof(upd));
	peer_send(&pa, m, hdr(m, 19 + sizeof(upd), BGP_MSG_UPDATE));
	spin(50);
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
	assert_int_equal(rib_link_count(rib, 0), 1);
	addr4(&f, "10.1.0.0", 16);
	rib_walk(rib, &f, one_path_cb, &o);
	assert_true(o.found);
	addr4(&want, "192.0.2.2", 32);
	assert_memory_equal(&o.nexthop, &want, sizeof(want));
	assert_int_equal(o.nexthop_ll.family, 0);
}

/* start() with the session over IPv6 (issue 16): the peer is ::1 beside
 * our IPv4 local_address and our local_address6 2001:db8:1::1/64, and we
 * announce 2001:db8:ff::/48 besides 198.18.0.0/16. The speaker picks
 * local_address6 as the session's source (checked, then replaced by ::1
 * to bind on loopback). */
static void start6(void)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	struct bgp_opts o = {.listen_port_any = true};
	struct cfg_link *l = &cfg.links[0];
	socklen_t sl = sizeof(sin6);
	int one = 1;

	config(90, 0, false);
	memset(&l->local_address6, 0, sizeof(l->local_address6));
	l->local_address6.family = AF_INET6;
	l->local_address6.len = 64;
	inet_pton(AF_INET6, "2001:db8:1::1", l->local_address6.addr);
	memset(&l->peer_address, 0, sizeof(l->peer_address));
	l->peer_address.family = AF_INET6;
	l->peer_address.len = 128;
	inet_pton(AF_INET6, "::1", l->peer_address.addr);
	cfg.bgp.announce[1] = l->local_address6;
	cfg.bgp.announce[1].len = 48;
	inet_pton(AF_INET6, "2001:db8:ff::", cfg.bgp.announce[1].addr);
	cfg.bgp.n_announce = 2;
	pa.fd = pb.fd = -1;
	pa.len = pb.len = 0;
	plisten = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 0);
	assert_true(plisten >= 0);
	setsockopt(plisten, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin6.sin6_addr = in6addr_loopback;
	assert_int_equal(bind(plisten, (struct sockaddr *)&sin6,
			      sizeof(sin6)), 0);
	assert_int_equal(listen(plisten, 4), 0);
	assert_int_equal(getsockname(plisten, (struct sockaddr *)&sin6, &sl),
			 0);
	o.listen6 = l->peer_address;
	rib = rib_new(rib_links);
	assert_non_null(rib);
	sp = bgp_new(&cfg, rib, &o);
	assert_non_null(sp);
	assert_true(sp->lfd[1] >= 0);
	assert_true(cfg_addr_eq(&sp->peer[0].local, &l->local_address6));
	sp->peer[0].port = ntohs(sin6.sin6_port);
	sp->peer[0].local = l->peer_address;
}

/* RFC 4760 §3, RFC 2545 §3: a session over IPv6 carries both families,
 * each announced with our address of that family on the link (IPv4 in
 * the NLRI field with NEXT_HOP local_address, IPv6 in MP_REACH_NLRI
 * with local_address6; lo has no link-local address, so 16 octets), and
 * the peer's IPv4 routes with an IPv4 NEXT_HOP on the link's IPv4
 * subnet are accepted. */
static void test_bgp_fsm_ipv6_session_carries_both_families(void **state)
{
	static const uint8_t mp_v6[] = {1, 4, 0, 2, 0, 1};
	static const uint8_t nh6[] = {
		0x80, 0x0e, 0x1c, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00, 0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff,
	};
	uint8_t m[BGP_MSG_MAX];
	int n;

	(void)state;
	open_extra = mp_v6;
	open_extra_len = sizeof(mp_v6);
	start6();
	establish(90);
	assert_true(sp->peer[0].caps.af[BGP_AF_IPV4]);
	assert_true(sp->peer[0].caps.af[BGP_AF_IPV6]);
	/* IPv4: NEXT_HOP 192.0.2.1, 198.18.0.0/16, then End-of-RIB */
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_memory_equal(m + n - 3, "\x10\xc6\x12", 3);
	assert_non_null(memmem(m, (size_t)n, "\x40\x03\x04\xc0\x00\x02\x01",
			       7));
	assert_int_equal(peer_expect(&pa, BGP_MSG_UPDATE, m), 23);
	/* IPv6: MP_REACH_NLRI, next hop 2001:db8:1::1, 2001:db8:ff::/48 */
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_non_null(memmem(m, (size_t)n, nh6, sizeof(nh6)));
	assert_null(memmem(m, (size_t)n, "\x40\x03\x04", 3)); /* no NEXT_HOP */
	peer_send(&pa, m, update_prefixes(m, 2));
	spin(50);
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
	assert_int_equal(rib_link_count(rib, 0), 2);
}

/* ---- a session per family on one link (links.peer_address6) ---- */

/* Link 1 with peer_address 127.0.0.2 (IPv4 unicast, connection pa) and
 * peer_address6 ::1 (IPv6 unicast, connection pb), the scripted peers
 * listening on free ports; an IPv6 import rule and announcement. */
static void start_dual(void)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	struct cfg_link *l = &cfg.links[0];
	socklen_t sl = sizeof(sin6);
	int one = 1;

	start(90, 0, false); /* the IPv4 side as every test has it */
	bgp_free(sp);
	rib_free(rib);
	memset(&l->local_address6, 0, sizeof(l->local_address6));
	l->local_address6.family = AF_INET6;
	l->local_address6.len = 64;
	inet_pton(AF_INET6, "2001:db8:1::1", l->local_address6.addr);
	l->peer_address6 = l->local_address6;
	l->peer_address6.len = 128;
	inet_pton(AF_INET6, "::1", l->peer_address6.addr);
	l->bgp.import[1] = l->bgp.import[0];
	l->bgp.import[1].prefix = l->local_address6;
	l->bgp.import[1].prefix.len = 32;
	inet_pton(AF_INET6, "2001:db8::", l->bgp.import[1].prefix.addr);
	l->bgp.import[1].ge = 32;
	l->bgp.import[1].le = 64;
	l->bgp.n_import = 2;
	cfg.bgp.announce[1] = l->local_address6;
	cfg.bgp.announce[1].len = 48;
	inet_pton(AF_INET6, "2001:db8:ff::", cfg.bgp.announce[1].addr);
	cfg.bgp.n_announce = 2;
	plisten6 = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			  0);
	assert_true(plisten6 >= 0);
	setsockopt(plisten6, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	sin6.sin6_addr = in6addr_loopback;
	assert_int_equal(bind(plisten6, (struct sockaddr *)&sin6,
			      sizeof(sin6)), 0);
	assert_int_equal(listen(plisten6, 4), 0);
	assert_int_equal(getsockname(plisten6, (struct sockaddr *)&sin6, &sl),
			 0);
	{
		struct sockaddr_in sin;
		struct bgp_opts o = {.listen_port_any = true};
		uint16_t port4;

		sl = sizeof(sin);
		assert_int_equal(getsockname(plisten, (struct sockaddr *)&sin,
					     &sl), 0);
		port4 = ntohs(sin.sin_port);
		addr4(&o.listen4, "127.0.0.1", 32);
		o.listen6 = l->peer_address6;
		rib = rib_new(rib_links);
		assert_non_null(rib);
		sp = bgp_new(&cfg, rib, &o);
		assert_non_null(sp);
		sp->peer[0].port = port4;
		addr4(&sp->peer[0].local, "127.0.0.1", 32);
	}
	assert_int_equal(sp->n_peers, 2);
	assert_ptr_equal(sp->peer[0].sibling, &sp->peer[1]);
	assert_ptr_equal(sp->peer[1].sibling, &sp->peer[0]);
	assert_int_equal(sp->peer[1].link, 0);
	assert_true(cfg_addr_eq(&sp->peer[1].local, &l->local_address6));
	sp->peer[1].port = ntohs(sin6.sin6_port);
	sp->peer[1].local = l->peer_address6;
}

static void peer_accept6(struct tconn *c)
{
	peer_accept_on(plisten6, c);
}

/* Our OPEN on C offers AF's multiprotocol capability alone (RFC 4760),
 * and graceful restart for AF alone (RFC 4724 §3). */
static void expect_open_one_family(struct tconn *c, const char *mp)
{
	uint8_t m[BGP_MSG_MAX], cl;
	const uint8_t *cv;

	peer_expect(c, BGP_MSG_OPEN, m);
	cv = open_cap(m, 1, 0, &cl);
	assert_non_null(cv);
	assert_memory_equal(cv, mp, 4);
	assert_null(open_cap(m, 1, 1, &cl));
	if (gr_off)
		return;
	cv = open_cap(m, 64, 0, &cl);
	assert_non_null(cv);
	assert_int_equal(cl, 6);
	assert_memory_equal(cv + 2, mp, 2);
	assert_int_equal(cv[4], 1);
}

/* The scripted peers' OPENs: the IPv6 one's offers IPv6 beside the
 * IPv4 every OPEN of theirs has; with dual_gr both advertise graceful
 * restart for their family (F bit, 120 s). */
static const uint8_t dual_caps6[] = {1, 4, 0, 2, 0, 1,
				     64, 6, 0x00, 120, 0, 2, 1, 0x80};
static const uint8_t dual_gr4[] = {64, 6, 0x00, 120, 0, 1, 1, 0x80};

/* The IPv6 session alone Established (its peer's connection pb). */
static void establish_dual6(void)
{
	uint8_t m[BGP_MSG_MAX];

	peer_accept6(&pb);
	expect_open_one_family(&pb, "\x00\x02\x00\x01");
	peer_open_caps(&pb, PEER_AS, 90, "203.0.113.2", dual_caps6,
		       dual_gr ? sizeof(dual_caps6) : 6);
	peer_expect(&pb, BGP_MSG_KEEPALIVE, m);
	peer_keepalive(&pb);
	spin(50);
	assert_int_equal(sp->peer[1].state, BGP_ST_ESTABLISHED);
}

/* Both sessions Established; each peer's OPEN offers IPv4 (and the
 * IPv6 one IPv6 too: the session takes what both offered). */
static void establish_dual(void)
{
	uint8_t m[BGP_MSG_MAX];

	peer_accept(&pa);
	expect_open_one_family(&pa, "\x00\x01\x00\x01");
	peer_open_caps(&pa, PEER_AS, 90, "203.0.113.2",
		       dual_gr ? dual_gr4 : NULL, dual_gr ? sizeof(dual_gr4) : 0);
	peer_expect(&pa, BGP_MSG_KEEPALIVE, m);
	peer_keepalive(&pa);
	establish_dual6();
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
}

/* The IPv6 peer's UPDATE: 2001:db8:100:I::/64 for I < N, next hop
 * 2001:db8:1::2 in MP_REACH_NLRI. */
static size_t update_prefixes6(uint8_t *m, unsigned int n)
{
	static const uint8_t attrs[] = {
		0x40, 1, 1, 0,                              /* ORIGIN IGP */
		0x40, 2, 6, 2, 1, 0, 0, 0x8a, 0xd4,         /* AS_PATH 35540 */
	};
	static const uint8_t mp_head[] = {
		0, 2, 1, 16,                                /* AFI, SAFI, nh */
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0,                                          /* reserved */
	};
	size_t len = 19, alen;
	unsigned int i;

	alen = sizeof(attrs) + 3 + sizeof(mp_head) + n * 9u;
	m[len++] = 0, m[len++] = 0;
	m[len++] = (uint8_t)(alen >> 8), m[len++] = (uint8_t)alen;
	memcpy(m + len, attrs, sizeof(attrs));
	len += sizeof(attrs);
	m[len++] = 0x80, m[len++] = 14;
	m[len++] = (uint8_t)(sizeof(mp_head) + n * 9u);
	memcpy(m + len, mp_head, sizeof(mp_head));
	len += sizeof(mp_head);
	for (i = 0; i < n; i++) {
		m[len++] = 64;
		m[len++] = 0x20, m[len++] = 0x01, m[len++] = 0x0d;
		m[len++] = 0xb8, m[len++] = 0x01, m[len++] = 0x00;
		m[len++] = 0, m[len++] = (uint8_t)i;
	}
	return hdr(m, len, BGP_MSG_UPDATE);
}

/* RFC 4760: with peer_address6 each session of the link offers and
 * carries its family alone: our IPv4 prefix to the IPv4 peer, our IPv6
 * prefix to the IPv6 one, each peer's routes of its family into the RIB
 * on the link; an IPv4 prefix from the IPv6 session is ignored and
 * counted (it would replace the IPv4 session's path, the RIB being
 * keyed by link). */
static void test_bgp_fsm_dual_session_one_family_each(void **state)
{
	static const uint8_t nh6[] = {
		0x80, 0x0e, 0x1c, 0x00, 0x02, 0x01, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x00, 0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0xff,
	};
	unsigned int v4 = RIB_KEEP_AF(BGP_AF_IPV4), v6 = RIB_KEEP_AF(BGP_AF_IPV6);
	uint8_t m[BGP_MSG_MAX];
	int n;

	(void)state;
	start_dual();
	establish_dual();
	assert_true(sp->peer[0].caps.af[BGP_AF_IPV4]);
	assert_false(sp->peer[0].caps.af[BGP_AF_IPV6]);
	assert_false(sp->peer[1].caps.af[BGP_AF_IPV4]);
	assert_true(sp->peer[1].caps.af[BGP_AF_IPV6]);
	/* IPv4 session: 198.18.0.0/16, End-of-RIB IPv4 (23 octets) */
	n = peer_expect(&pa, BGP_MSG_UPDATE, m);
	assert_memory_equal(m + n - 3, "\x10\xc6\x12", 3);
	assert_int_equal(peer_expect(&pa, BGP_MSG_UPDATE, m), 23);
	/* IPv6 session: 2001:db8:ff::/48, then End-of-RIB IPv6 (an empty
	 * MP_UNREACH_NLRI, 29 octets); never the IPv4 prefix */
	n = peer_expect(&pb, BGP_MSG_UPDATE, m);
	assert_non_null(memmem(m, (size_t)n, nh6, sizeof(nh6)));
	assert_int_equal(peer_expect(&pb, BGP_MSG_UPDATE, m), 29);
	peer_send(&pa, m, update_prefixes(m, 2));
	peer_send(&pb, m, update_prefixes6(m, 3));
	spin(50);
	assert_int_equal(rib_link_count_af(rib, 0, v4), 2);
	assert_int_equal(rib_link_count_af(rib, 0, v6), 3);
	assert_int_equal(bgp_peer_received(&sp->peer[0]), 2);
	assert_int_equal(bgp_peer_received(&sp->peer[1]), 3);
	/* an IPv4 prefix over the IPv6 session: ignored, counted */
	peer_send(&pb, m, update_prefixes(m, 1));
	spin(50);
	assert_int_equal(sp->peer[1].st.foreign_af, 1);
	assert_int_equal(rib_link_count_af(rib, 0, v4), 2);
	assert_int_equal(sp->peer[1].state, BGP_ST_ESTABLISHED);
	/* again with an AS_PATH that does not start with the peer's AS
	 * (treat-as-withdraw): the prefix is ignored as well, never
	 * withdrawn from the link (the IPv4 session's path) */
	n = (int)update_prefixes(m, 1);
	assert_memory_equal(m + 32, "\x00\x00\x8a\xd4", 4);
	m[34] = 0xfb, m[35] = 0xf4; /* AS_PATH 64500 */
	peer_send(&pb, m, (size_t)n);
	spin(50);
	assert_int_equal(sp->peer[1].st.foreign_af, 2);
	assert_int_equal(sp->peer[1].st.treat_as_withdraw, 0);
	assert_int_equal(rib_link_count_af(rib, 0, v4), 2);
	assert_int_equal(sp->peer[1].state, BGP_ST_ESTABLISHED);
	/* the IPv6 session goes: its family only */
	peer_close(&pb);
	spin(50);
	assert_int_equal(sp->peer[1].state == BGP_ST_ESTABLISHED, false);
	assert_int_equal(rib_link_count_af(rib, 0, v6), 0);
	assert_int_equal(rib_link_count_af(rib, 0, v4), 2);
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
}

/* RFC 4724 with a session per family: each session down keeps its
 * family's paths stale; the IPv6 session back first sweeps what it does
 * not keep of its own family, never the IPv4 session's stale paths. */
static void test_bgp_fsm_dual_session_gr_keeps_the_other_familys_stale(
	void **state)
{
	unsigned int v4 = RIB_KEEP_AF(BGP_AF_IPV4), v6 = RIB_KEEP_AF(BGP_AF_IPV6);
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	dual_gr = true;
	start_dual();
	establish_dual();
	peer_send(&pa, m, update_prefixes(m, 2));
	peer_send(&pb, m, update_prefixes6(m, 1));
	spin(50);
	peer_close(&pa);
	peer_close(&pb);
	spin(50);
	assert_int_equal(sp->peer[0].stale, 2);
	assert_int_equal(sp->peer[1].stale, 1);
	assert_int_equal(rib_link_count(rib, 0), 3);
	sp->peer[1].connect_at_ms = 0;
	sp->peer[1].hold = BGP_HOLD_NONE;
	establish_dual6();
	/* the IPv6 peer keeps forwarding (F): its stale path waits for
	 * End-of-RIB; the IPv4 session's two are untouched */
	assert_int_equal(sp->peer[1].stale, 1);
	assert_int_equal(sp->peer[0].stale, 2);
	assert_int_equal(rib_link_count_af(rib, 0, v4), 2);
	assert_int_equal(rib_link_count_af(rib, 0, v6), 1);
}

/* RFC 5492 §3: the IPv6 session's peer offers IPv4 unicast alone:
 * nothing in common, OPEN Message Error/Unsupported Capability (2/7). */
static void test_bgp_fsm_dual_session_no_common_family_gets_2_7(
	void **state)
{
	(void)state;
	start_dual();
	peer_accept6(&pb);
	expect_open_one_family(&pb, "\x00\x02\x00\x01");
	peer_open(&pb, PEER_AS, 90, "203.0.113.2");
	expect_notify(&pb, BGP_ERR_OPEN, BGP_ERR_OPEN_CAPABILITY);
	assert_string_equal(sp->peer[1].last_error,
			    "no address family in common: this session "
			    "carries ipv6 only, the peer offered ipv4: OPEN "
			    "Message Error/Unsupported Capability (2/7)");
}

/* A session per family, prefix-independent convergence: one session
 * going leaves the link in the groups (the other still forwards; its
 * family's paths go one by one); the last one going masks the link,
 * before its flush; the first back with End-of-RIB unmasks it. BFD
 * Down (one BFD session per link) masks the link once, before either
 * session's flush, and takes both down. */
static void test_bgp_fsm_dual_session_link_cb(void **state)
{
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	memset(&lev, 0, sizeof(lev));
	gr_off = true;
	start_dual();
	establish_dual();
	bgp_set_link_cb(sp, on_link_event, &lev);
	peer_send(&pa, m, update_prefixes(m, 2));
	peer_send(&pb, m, update_prefixes6(m, 1));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 3);
	peer_close(&pb);
	spin(50);
	assert_int_equal(lev.n, 0);
	assert_false(sp->peer[1].pic_masked);
	assert_int_equal(rib_link_count(rib, 0), 2);
	peer_close(&pa);
	spin(50);
	assert_int_equal(lev.n, 1);
	assert_false(lev.up[0]);
	assert_int_equal(lev.paths[0], 2);
	assert_true(sp->peer[0].pic_masked);
	assert_true(sp->peer[1].pic_masked);
	/* the IPv6 session back first, with End-of-RIB: link up */
	sp->peer[1].connect_at_ms = sp->peer[0].connect_at_ms = 0;
	sp->peer[1].hold = sp->peer[0].hold = BGP_HOLD_NONE;
	establish_dual();
	assert_int_equal(lev.n, 1);
	memset(m, 0, sizeof(m));
	m[19] = 0, m[20] = 0, m[21] = 0, m[22] = 6;
	m[23] = 0x80, m[24] = 15, m[25] = 3, m[26] = 0, m[27] = 2, m[28] = 1;
	peer_send(&pb, m, hdr(m, 29, BGP_MSG_UPDATE)); /* End-of-RIB v6 */
	spin(50);
	assert_int_equal(lev.n, 2);
	assert_true(lev.up[1]);
	assert_false(sp->peer[0].pic_masked);
	assert_false(sp->peer[1].pic_masked);
	/* BFD Down with both Established: one down, both flushed after */
	peer_send(&pa, m, update_prefixes(m, 2));
	peer_send(&pb, m, update_prefixes6(m, 1));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 3);
	bgp_bfd_down(sp, 0);
	assert_int_equal(lev.n, 3);
	assert_false(lev.up[2]);
	assert_int_equal(lev.paths[2], 3);
	assert_int_equal(rib_link_count(rib, 0), 0);
	assert_int_equal(sp->peer[0].hold, BGP_HOLD_BFD);
	assert_int_equal(sp->peer[1].hold, BGP_HOLD_BFD);
	bgp_bfd_up(sp, 0);
	assert_int_equal(sp->peer[0].hold, BGP_HOLD_NONE);
	assert_int_equal(sp->peer[1].hold, BGP_HOLD_NONE);
}

/* RFC 5065 §5.1, RFC 7606 §7.2: AS_CONFED_SEQUENCE from an eBGP peer
 * makes the AS_PATH malformed: treat-as-withdraw, counted, the session
 * stays up. Without it the same path is accepted. */
static void test_bgp_fsm_confed_segment_from_ebgp_peer_is_treat_as_withdraw(
	void **state)
{
	static const uint8_t upd[] = {
		0, 0, 0, 0x1a,
		0x40, 1, 1, 0,
		0x40, 2, 12, 3, 1, 0, 0, 0xfd, 0xe8,          /* (65000) */
		2, 1, 0, 0, 0x8a, 0xd4,                       /* 35540 */
		0x40, 3, 4, 192, 0, 2, 2,
		16, 10, 2,
	};
	static const uint8_t upd_set[] = {
		0, 0, 0, 0x1a,
		0x40, 1, 1, 0,
		0x40, 2, 12, 2, 1, 0, 0, 0x8a, 0xd4,          /* 35540 */
		4, 1, 0, 0, 0xfd, 0xe8,                       /* [65000] */
		0x40, 3, 4, 192, 0, 2, 2,
		16, 10, 2,
	};
	static const uint8_t good[] = {
		0, 0, 0, 0x14,
		0x40, 1, 1, 0,
		0x40, 2, 6, 2, 1, 0, 0, 0x8a, 0xd4,
		0x40, 3, 4, 192, 0, 2, 2,
		16, 10, 2,
	};
	uint8_t m[BGP_MSG_MAX];

	(void)state;
	start(90, 0, false);
	establish(90);
	memcpy(m + 19, good, sizeof(good));
	peer_send(&pa, m, hdr(m, 19 + sizeof(good), BGP_MSG_UPDATE));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 1);
	/* the same prefix with a confederation segment: withdrawn */
	memcpy(m + 19, upd, sizeof(upd));
	peer_send(&pa, m, hdr(m, 19 + sizeof(upd), BGP_MSG_UPDATE));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 0);
	assert_int_equal(sp->peer[0].st.treat_as_withdraw, 1);
	memcpy(m + 19, upd_set, sizeof(upd_set));
	peer_send(&pa, m, hdr(m, 19 + sizeof(upd_set), BGP_MSG_UPDATE));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 0);
	assert_int_equal(sp->peer[0].st.treat_as_withdraw, 2);
	assert_int_equal(sp->peer[0].state, BGP_ST_ESTABLISHED);
}

/* show bgp routes prints a path of 200 ASNs (2,194 characters) whole,
 * in text and in JSON */
static void test_bgp_fsm_show_routes_prints_a_long_as_path_whole(
	void **state)
{
	char *text[] = {"show", "bgp", "routes"};
	char *json[] = {"show", "bgp", "routes", "10.3.0.0/16"};
	static char out[16384], path[4096], want[16384];
	uint8_t m[BGP_MSG_MAX];
	size_t n = 19, pl = 0;
	FILE *f;

	(void)state;
	start(90, 0, false);
	establish(90);
	m[n++] = 0, m[n++] = 0;
	m[n++] = 0x03, m[n++] = 0x31;                 /* 817 octets */
	memcpy(m + n, "\x40\x01\x01\x00", 4);         /* ORIGIN IGP */
	n += 4;
	memcpy(m + n, "\x50\x02\x03\x22\x02\xc8", 6); /* AS_PATH, 802 */
	n += 6;
	for (unsigned int i = 0; i < 200; i++) {
		uint32_t asn = i == 0 ? PEER_AS : 4200000000u + i;

		m[n++] = (uint8_t)(asn >> 24), m[n++] = (uint8_t)(asn >> 16);
		m[n++] = (uint8_t)(asn >> 8), m[n++] = (uint8_t)asn;
		pl += (size_t)snprintf(path + pl, sizeof(path) - pl, "%s%u",
				       i ? " " : "", asn);
	}
	memcpy(m + n, "\x40\x03\x04\xc0\x00\x02\x02", 7); /* NEXT_HOP */
	n += 7;
	m[n++] = 16, m[n++] = 10, m[n++] = 3;
	assert_int_equal(n, 19 + 4 + 817 + 3);
	assert_int_equal(pl, 2194);
	peer_send(&pa, m, hdr(m, n, BGP_MSG_UPDATE));
	spin(50);
	assert_int_equal(rib_link_count(rib, 0), 1);
	rib_process(rib, 100, rib_noop_cb, NULL);

	f = fmemopen(out, sizeof(out), "w");
	assert_non_null(f);
	assert_int_equal(bgp_cli(sp, text, 3, false, f), 0);
	fclose(f);
	snprintf(want, sizeof(want),
		 "Status codes: * valid, > best, = multipath, b backup, "
		 "S stale\n"
		 "     Network                  Next Hop           Link     "
		 "       MED  LocPrf Path\n"
		 "*>  10.3.0.0/16              192.0.2.2          link1    "
		 "               100 %s i\n"
		 "\n1 prefix(es)\n", path);
	assert_string_equal(out, want);

	f = fmemopen(out, sizeof(out), "w");
	assert_non_null(f);
	assert_int_equal(bgp_cli(sp, json, 4, true, f), 0);
	fclose(f);
	snprintf(want, sizeof(want),
		 "{\"routes\":[{\"prefix\":\"10.3.0.0/16\",\"paths\":["
		 "{\"link\":\"link1\",\"peer\":\"" PEER_IP "\","
		 "\"nexthop\":\"192.0.2.2\",\"as_path\":\"%s\","
		 "\"origin\":\"IGP\",\"med\":null,\"local_pref\":100,"
		 "\"communities\":[],\"aggregator\":null,"
		 "\"atomic_aggregate\":false,\"role\":\"best\","
		 "\"stale\":false}]}]}\n",
		 path);
	assert_string_equal(out, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			test_bgp_fsm_established_with_our_open_and_export,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_open_gr_fresh_start_lists_families_without_f,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_open_gr_forwarding_kept_sets_f, teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_open_gr_restart_sets_r_and_f, teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_open_gr_off_has_no_capability, teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_restart_defers_updates_until_selection,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_restart_does_not_defer_for_a_peer_without_gr,
			teardown),
		cmocka_unit_test_teardown(test_bgp_fsm_wrong_peer_as_gets_2_2,
					  teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_cli_neighbor_is_an_address, teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_shutdown_sends_6_2_message_and_holds_idle,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_shutdown_with_n_bit_is_hard_reset,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_shutdown_bad_message_refused_none_sends_no_data,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_received_shutdown_communication_shown,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_drain_reannounces_gshut_without_reset,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_steer_return_reannounces, teardown),
		cmocka_unit_test_teardown(test_bgp_fsm_hold_time_1_gets_2_6,
					  teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_hold_timer_expiry_sends_4_0, teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_hold_expiry_reads_unread_input_first,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_recent_resets_keeps_the_last_8, teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_collision_higher_peer_id_keeps_its_connection,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_collision_higher_own_id_keeps_ours,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_max_prefix_sends_cease_1_and_flushes,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_max_memory_sends_cease_8_and_flushes_only_it,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_import_policy_counts_rejections, teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_malformed_attribute_list_gets_3_1,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_unexpected_update_in_opensent_gets_5_1,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_passive_accepts_only_the_configured_peer,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_graceful_restart_keeps_stale_until_end_of_rib,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_drop_without_graceful_restart_flushes,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_bfd_down_tears_down_and_holds_idle,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_link_cb_down_before_flush_up_at_end_of_rib,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_link_cb_not_for_stale_paths_bfd_down_and_no_eor,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_dual_session_one_family_each, teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_dual_session_gr_keeps_the_other_familys_stale,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_dual_session_no_common_family_gets_2_7,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_dual_session_link_cb,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_clear_sends_cease_4_and_reconnects,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_soft_reset_out_withdraws_then_announces,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_soft_reset_in_asks_route_refresh,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_soft_reset_in_without_capability_says_so,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_ipv4_nlri_beside_mp_reach_v6_takes_next_hop,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_ipv6_session_carries_both_families,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_confed_segment_from_ebgp_peer_is_treat_as_withdraw,
			teardown),
		cmocka_unit_test_teardown(
			test_bgp_fsm_show_routes_prints_a_long_as_path_whole,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
