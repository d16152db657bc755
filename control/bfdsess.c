/* BFD sessions from the config into the health map, and their state back
 * out of it: twinpathd configures, the XDP program decides, twinpath-dp
 * transmits (DESIGN.md). The map is pinned by twinpath-dp's XDP loader and
 * recreated whenever twinpath-dp restarts, so it is looked up again every
 * second and the configuration rewritten into each new one. */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <syslog.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "bfdsess.h"
#include "log.h"
#include "xdp.h"

/* The configuration part of struct health_link: everything before the
 * XDP program's state. cfg_gen is the last word of it. */
#define HL_CFG_LEN offsetof(struct health_link, state)
#define HL_CFG_CMP_LEN offsetof(struct health_link, cfg_gen)

const char *bfd_state_name(uint32_t state)
{
	switch (state) {
	case BFD_STATE_ADMIN_DOWN:
		return "AdminDown";
	case BFD_STATE_DOWN:
		return "Down";
	case BFD_STATE_INIT:
		return "Init";
	case BFD_STATE_UP:
		return "Up";
	}
	return "?";
}

/* RFC 5880 §4.1 wording, lower case for log lines. */
const char *bfd_diag_name(uint32_t diag)
{
	switch (diag) {
	case 0:
		return "no diagnostic";
	case 1:
		return "control detection time expired";
	case 2:
		return "echo function failed";
	case 3:
		return "neighbor signaled session down";
	case 4:
		return "forwarding plane reset";
	case 5:
		return "path down";
	case 6:
		return "concatenated path down";
	case 7:
		return "administratively down";
	case 8:
		return "reverse concatenated path down";
	}
	return "unknown diagnostic";
}

const char *bfd_drop_name(unsigned int drop)
{
	static const char *const names[BFD_DROP_MAX] = {
		[BFD_DROP_TTL] = "ttl",
		[BFD_DROP_VERSION] = "version",
		[BFD_DROP_LENGTH] = "length",
		[BFD_DROP_DETECT_MULT] = "detect_mult",
		[BFD_DROP_MULTIPOINT] = "multipoint",
		[BFD_DROP_MY_DISC] = "my_disc",
		[BFD_DROP_YOUR_DISC] = "your_disc",
		[BFD_DROP_YOUR_DISC_ZERO] = "your_disc_zero",
		[BFD_DROP_AUTH] = "auth",
		[BFD_DROP_POLL_FINAL] = "poll_final",
		[BFD_DROP_DISABLED] = "disabled",
		[BFD_DROP_WRONG_IF] = "wrong_if",
		[BFD_DROP_WRONG_SRC] = "wrong_src",
		[BFD_DROP_WRONG_DST] = "wrong_dst",
	};

	return drop < BFD_DROP_MAX && names[drop] ? names[drop] : "?";
}

const char *bfd_down_by(uint32_t diag)
{
	switch (diag) {
	case BFD_DIAG_DETECT_EXPIRED:
		return "local";
	case BFD_DIAG_NEIGHBOR_DOWN:
		return "peer";
	case BFD_DIAG_ADMIN_DOWN:
		return "local admin";
	}
	return "other";
}

const char *bfd_down_who(const struct bfd_session *s, char *buf,
			 size_t len)
{
	uint32_t detect_us = s->last_down_detect_time_us;

	double gap_ms = s->last_down_detect_ns / 1e6;

	if (s->last_down_diag == BFD_DIAG_DETECT_EXPIRED)
		snprintf(buf, len, "our detection timer: no valid packet for "
			 "%.1f ms (detection time %.1f ms)", gap_ms,
			 detect_us / 1e3);
	else if (s->last_down_diag == BFD_DIAG_NEIGHBOR_DOWN)
		/* RFC 5880 §6.8.6: the peer's state field said it; its own
		 * diagnostic says why (1: our packets stopped reaching it) */
		snprintf(buf, len, "the peer: it sent %s with diagnostic '%s' "
			 "(its previous packet %.1f ms before)",
			 bfd_state_name(s->last_down_remote_state),
			 bfd_diag_name(s->last_down_remote_diag), gap_ms);
	else
		snprintf(buf, len, "here: %s",
			 bfd_diag_name(s->last_down_diag));
	return buf;
}

static uint32_t u32_max(uint32_t a, uint32_t b)
{
	return a > b ? a : b;
}

uint32_t bfd_tx_interval_us(const struct health_link *hl)
{
	uint32_t tx = health_tx_in_force_us(hl);
	uint32_t ours = hl->state == BFD_STATE_UP ?
				tx : u32_max(tx, BFD_SLOW_TX_US);

	return u32_max(ours, hl->remote_min_rx_us);
}

uint32_t bfd_detect_time_us(const struct health_link *hl)
{
	if (hl->detect_time_us != 0)
		return hl->detect_time_us;
	/* RFC 5880 §6.8.4: the remote multiplier times the agreed interval
	 * of the packets we receive. */
	return hl->remote_mult *
	       u32_max(health_rx_in_force_us(hl), hl->remote_min_tx_us);
}

static int random_bytes(void *buf, size_t len)
{
	ssize_t n = getrandom(buf, len, 0);

	return n == (ssize_t)len ? 0 : -EIO;
}

static bool disc_taken(const struct bfd *b, unsigned int upto, uint32_t d)
{
	unsigned int i;

	for (i = 0; i < upto; i++)
		if (b->s[i].local_disc == d)
			return true;
	return false;
}

static bool port_taken(const struct bfd *b, unsigned int upto, uint16_t p)
{
	unsigned int i;

	for (i = 0; i < upto; i++)
		if (b->s[i].src_port == p)
			return true;
	return false;
}

int bfd_init(struct bfd *b, const struct twp_config *cfg, const char *pin)
{
	unsigned int i;
	int rc;

	memset(b, 0, sizeof(*b));
	b->cfg = cfg;
	b->map_fd = -1;
	snprintf(b->pin, sizeof(b->pin), "%s",
		 pin ? pin : XDP_PIN_ROOT "/" HEALTH_MAP_NAME);
	for (i = 0; i < cfg->n_links; i++) {
		struct bfd_session *s = &b->s[i];
		uint32_t r[2];

		if (!cfg->links[i].bfd.enabled)
			continue;
		b->n_enabled++;
		/* RFC 5880 §6.3: nonzero and unique per system; random so a
		 * restart does not reuse a value the peer may still hold. */
		do {
			if ((rc = random_bytes(r, sizeof(r))) < 0)
				return rc;
		} while (r[0] == 0 || disc_taken(b, i, r[0]));
		s->local_disc = r[0];
		/* RFC 5881 §4: source port 49152..65535, unique per session */
		s->src_port = (uint16_t)(BFD_SRC_PORT_MIN + r[1] % 16384u);
		while (port_taken(b, i, s->src_port))
			s->src_port = (uint16_t)(BFD_SRC_PORT_MIN +
						 (s->src_port + 1u -
						  BFD_SRC_PORT_MIN) % 16384u);
		s->ifindex = if_nametoindex(cfg->links[i].interface);
		if (cfg_addr_link_local(&cfg->links[i].peer_address) &&
		    !cfg_if_link_local(cfg->links[i].interface, &s->local_ll))
			log_warn("bfd %s: the peer is link-local and %s has no "
				 "link-local address: the session is not "
				 "configured", cfg->links[i].name,
				 cfg->links[i].interface);
	}
	return 0;
}

/* Our address of the link's BFD session: of the peer's family (RFC 5881
 * §4, the BGP session's), local_address6 beside an IPv4 local_address
 * for an IPv6 peer, our link-local one for a link-local peer; NULL when
 * there is none. */
const struct cfg_addr *bfd_session_local(const struct cfg_link *l,
					 const struct bfd_session *s)
{
	if (cfg_addr_link_local(&l->peer_address))
		return s->local_ll.family == AF_INET6 ? &s->local_ll : NULL;
	return cfg_link_local_for_peer(l);
}

/* The same session (configured, same discriminator), Up, and its Desired
 * Min TX or Required Min RX about to change: RFC 5880 §6.8.3 asks for a
 * Poll Sequence. A change of Detect Mult needs none (§6.8.12). */
static bool timers_change_while_up(const struct health_link *want,
				   const struct health_link *hl)
{
	return hl->cfg_gen != 0 && hl->cfg_enabled && want->cfg_enabled &&
	       hl->local_disc == want->local_disc &&
	       __atomic_load_n(&hl->state, __ATOMIC_RELAXED) == BFD_STATE_UP &&
	       (want->desired_min_tx_us != hl->desired_min_tx_us ||
		want->required_min_rx_us != hl->required_min_rx_us);
}

bool bfd_write_link(const struct cfg_link *l, const struct bfd_session *s,
		    struct health_link *hl)
{
	const struct cfg_addr *local =
		l != NULL ? bfd_session_local(l, s) : NULL;
	struct health_link want;

	memset(&want, 0, sizeof(want));
	if (l != NULL && l->bfd.enabled && local != NULL) {
		want.cfg_enabled = 1;
		want.cfg_admin_down = l->bfd.admin_down;
		want.ifindex = s->ifindex;
		want.family = local->family;
		memcpy(want.local_addr, local->addr, 16);
		memcpy(want.peer_addr, l->peer_address.addr, 16);
		want.local_disc = s->local_disc;
		want.desired_min_tx_us = l->bfd.min_tx_us;
		want.required_min_rx_us = l->bfd.min_rx_us;
		want.detect_mult = l->bfd.multiplier;
		want.src_port = s->src_port;
	}
	/* the Poll Sequence is the running session's, not configuration */
	want.poll_seq = hl->poll_seq;
	want.poll_old_tx_us = hl->poll_old_tx_us;
	want.poll_old_rx_us = hl->poll_old_rx_us;
	if (timers_change_while_up(&want, hl)) {
		if (health_poll_pending(hl)) {
			/* RFC 5880 §6.5: one Poll at a time; the new timers
			 * wait for its Final (bfd_watch() writes them then) */
			want.desired_min_tx_us = hl->desired_min_tx_us;
			want.required_min_rx_us = hl->required_min_rx_us;
		} else {
			/* RFC 5880 §6.8.3: a Poll Sequence, and the values
			 * in force until its Final, published before the
			 * new timers so no reader times packets by a larger
			 * interval without the Poll */
			want.poll_old_tx_us = hl->desired_min_tx_us;
			want.poll_old_rx_us = hl->required_min_rx_us;
			want.poll_seq = hl->poll_seq + 1;
			hl->poll_old_tx_us = want.poll_old_tx_us;
			hl->poll_old_rx_us = want.poll_old_rx_us;
			__atomic_store_n(&hl->poll_seq, want.poll_seq,
					 __ATOMIC_RELEASE);
		}
	}
	if (memcmp(&want, hl, HL_CFG_CMP_LEN) == 0 && hl->cfg_gen != 0)
		return false;
	if (want.cfg_enabled && !hl->cfg_enabled &&
	    hl->state == BFD_STATE_ADMIN_DOWN) {
		/* RFC 5880 §6.8.1: a new session starts in Down, and so does
		 * the remote state as we know it. The XDP program leaves a
		 * disabled entry alone (BFD_DROP_DISABLED), so these words
		 * are ours to set until cfg_enabled is published below: the
		 * periodic packets carry Down, not the 0 (AdminDown) of a
		 * fresh map, until the first packet from the peer. An entry
		 * left in another state by an earlier session keeps it: its
		 * live bit is the XDP program's to clear with it. */
		hl->state = want.cfg_admin_down ? BFD_STATE_ADMIN_DOWN :
						  BFD_STATE_DOWN;
		hl->remote_state = BFD_STATE_DOWN;
		hl->local_diag = want.cfg_admin_down ? BFD_DIAG_ADMIN_DOWN :
						       BFD_DIAG_NONE;
	}
	/* Readers take cfg_gen with an acquire load and then the fields:
	 * the fields first, the generation last, with release. */
	memcpy(hl, &want, HL_CFG_CMP_LEN);
	__atomic_store_n(&hl->cfg_gen,
			 __atomic_load_n(&hl->cfg_gen, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
	return true;
}

/* A session already running in the map for the same link (twinpathd was
 * restarted, twinpath-dp was not): keep its discriminator and port, or
 * the peer's packets would carry a Your Discriminator we no longer own. */
static void adopt_running(struct bfd *b, unsigned int i,
			  const struct health_link *hl)
{
	const struct cfg_link *l = &b->cfg->links[i];
	struct bfd_session *s = &b->s[i];
	const struct cfg_addr *local = bfd_session_local(l, s);
	unsigned int j;

	if (!hl->cfg_enabled || hl->local_disc == 0 ||
	    hl->local_disc == s->local_disc || local == NULL ||
	    hl->family != local->family ||
	    memcmp(hl->local_addr, local->addr, 16) != 0 ||
	    memcmp(hl->peer_addr, l->peer_address.addr, 16) != 0 ||
	    hl->src_port < BFD_SRC_PORT_MIN || hl->src_port > 65535)
		return;
	for (j = 0; j < b->cfg->n_links; j++)
		if (j != i && (b->s[j].local_disc == hl->local_disc ||
			       b->s[j].src_port == hl->src_port))
			return;
	log_msg("bfd %s: keeping discriminator %u and source port %u of the "
		"running session", l->name, hl->local_disc, hl->src_port);
	s->local_disc = hl->local_disc;
	s->src_port = (uint16_t)hl->src_port;
}

void bfd_use_map(struct bfd *b, struct health_map *hm)
{
	unsigned int i, changed = 0;

	b->hm = hm;
	for (i = 0; i < b->cfg->n_links; i++) {
		struct health_link *hl = &hm->link[i];

		if (b->cfg->links[i].bfd.enabled)
			adopt_running(b, i, hl);
		if (bfd_write_link(&b->cfg->links[i], &b->s[i], hl))
			changed++;
		/* state tracking starts again from what this map shows */
		b->s[i].seen = false;
	}
	log_msg("health map: %u BFD sessions (of %u links) configured, %u "
		"entries written", b->n_enabled, b->cfg->n_links, changed);
}

void bfd_detach(struct bfd *b)
{
	if (b->hm != NULL && b->map_len > 0)
		munmap(b->hm, b->map_len);
	if (b->map_fd >= 0)
		close(b->map_fd);
	b->hm = NULL;
	b->map_fd = -1;
	b->map_id = 0;
	b->map_len = 0;
}

int bfd_attach(struct bfd *b)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	long page = sysconf(_SC_PAGESIZE);
	size_t maplen;
	void *p;
	int fd;

	fd = bpf_obj_get(b->pin);
	if (fd < 0) {
		if (b->hm != NULL) {
			log_warn("health map %s gone (twinpath-dp stopped?): "
				"waiting for a new one", b->pin);
			bfd_detach(b);
		}
		return 0;
	}
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len) < 0) {
		close(fd);
		return -errno;
	}
	if (b->hm != NULL && info.id == b->map_id) {
		close(fd);
		return 0;
	}
	if (info.type != BPF_MAP_TYPE_ARRAY || info.max_entries < 1 ||
	    info.value_size < sizeof(struct health_map) ||
	    !(info.map_flags & BPF_F_MMAPABLE)) {
		if (info.id != b->map_id)
			log_err("health map %s (id %u) does not fit the "
				"contract: type %u, value size %u (want %zu), "
				"flags %#x", b->pin, info.id, info.type,
				info.value_size, sizeof(struct health_map),
				info.map_flags);
		bfd_detach(b);
		b->map_id = info.id; /* say it once */
		close(fd);
		return -EPROTO;
	}
	maplen = ((size_t)info.value_size + (size_t)page - 1) &
		 ~((size_t)page - 1);
	p = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int rc = -errno;

		log_err("health map %s: mmap: %s", b->pin, strerror(errno));
		close(fd);
		return rc;
	}
	bfd_detach(b);
	b->map_fd = fd;
	b->map_id = info.id;
	b->map_len = maplen;
	log_msg("health map %s (id %u) attached", b->pin, info.id);
	bfd_use_map(b, p);
	return 1;
}

void bfd_refresh_ifindex(struct bfd *b)
{
	unsigned int i;

	for (i = 0; i < b->cfg->n_links; i++) {
		const struct cfg_link *l = &b->cfg->links[i];
		uint32_t idx;

		if (!l->bfd.enabled)
			continue;
		idx = if_nametoindex(l->interface);
		if (idx == b->s[i].ifindex)
			continue;
		b->s[i].ifindex = idx;
		if (b->hm != NULL &&
		    bfd_write_link(l, &b->s[i], &b->hm->link[i]))
			log_msg("bfd %s: interface %s is now index %u", l->name,
				l->interface, idx);
	}
}

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* RFC 5882 §3.2: the peer going AdminDown is not a failure, and neither
 * is our own admin down: no teardown for those. */
static bool down_is_failure(uint32_t state, uint32_t diag,
			    uint32_t remote_state)
{
	if (state == BFD_STATE_ADMIN_DOWN || diag == BFD_DIAG_ADMIN_DOWN)
		return false;
	if (diag == BFD_DIAG_NEIGHBOR_DOWN &&
	    remote_state == BFD_STATE_ADMIN_DOWN)
		return false;
	return true;
}

/* ---- dampening (links.bfd.dampening) ---- */

/* A failure: the next Up waits longer (doubled, from initial_hold_ms, at
 * most max_hold_ms); a hold running is cut short, BGP stays down. */
static void damp_failure(struct bfd *b, unsigned int i, uint64_t failures)
{
	const struct cfg_bfd *c = &b->cfg->links[i].bfd;
	struct bfd_session *s = &b->s[i];

	if (!c->dampening)
		return;
	if (s->damp_held) {
		s->damp_held = false;
		s->damp_holds_cut++;
	}
	s->damp_decay_ns = 0;
	for (; failures > 0; failures--)
		s->damp_hold_ms = s->damp_hold_ms == 0 ?
			c->damp_initial_hold_ms :
			(s->damp_hold_ms > c->damp_max_hold_ms / 2u ?
				c->damp_max_hold_ms : s->damp_hold_ms * 2u);
}

/* BFD is Up and BGP may follow: at once, or after the hold. */
static void damp_up(struct bfd *b, unsigned int i, uint64_t now_ns)
{
	const struct cfg_bfd *c = &b->cfg->links[i].bfd;
	struct bfd_session *s = &b->s[i];

	if (s->damp_held)
		return; /* already waiting: the hold is not restarted */
	if (!c->dampening || s->damp_hold_ms == 0) {
		if (b->bgp_cb != NULL)
			b->bgp_cb(b->bgp_arg, i, true);
		return;
	}
	s->damp_held = true;
	s->damp_until_ns = now_ns + (uint64_t)s->damp_hold_ms * 1000000u;
	s->damp_holds++;
	log_notice("bfd %s: Up, BGP held down %u ms more (dampening: %llu "
		   "failures so far, at most %u ms)", b->cfg->links[i].name,
		   s->damp_hold_ms,
		   (unsigned long long)s->bgp_teardowns_requested,
		   c->damp_max_hold_ms);
}

/* Every tick: ends a hold that has passed (the session Up: BGP follows
 * it now) and decays the next hold while the session stays Up. */
static void damp_tick(struct bfd *b, unsigned int i, uint64_t now_ns)
{
	const struct cfg_bfd *c = &b->cfg->links[i].bfd;
	struct bfd_session *s = &b->s[i];

	if (s->damp_held && now_ns >= s->damp_until_ns) {
		s->damp_held = false;
		s->damp_decay_ns = now_ns + (uint64_t)c->damp_decay_s *
						    1000000000u;
		log_notice("bfd %s: dampening hold of %u ms over: BGP session "
			   "may re-establish", b->cfg->links[i].name,
			   s->damp_hold_ms);
		if (b->bgp_cb != NULL)
			b->bgp_cb(b->bgp_arg, i, true);
	}
	/* RFC 5882 §3.2 wants a flapping session kept out, a stable one
	 * let back: each decay_s Up halves the next hold */
	while (!s->damp_held && s->damp_decay_ns != 0 &&
	       now_ns >= s->damp_decay_ns) {
		s->damp_hold_ms /= 2u;
		if (!c->dampening || s->damp_hold_ms < c->damp_initial_hold_ms) {
			s->damp_hold_ms = 0;
			s->damp_decay_ns = 0;
		} else {
			s->damp_decay_ns += (uint64_t)c->damp_decay_s *
					    1000000000u;
		}
	}
}

uint64_t bfd_damp_left_ms(const struct bfd_session *s, uint64_t now_ns)
{
	if (!s->damp_held || now_ns >= s->damp_until_ns)
		return 0;
	return (s->damp_until_ns - now_ns + 999999u) / 1000000u;
}

/* The session left Up other than by a failure (AdminDown): a hold
 * running ends, BGP is not told Up; the next Up starts it again. */
static void damp_not_up(struct bfd_session *s)
{
	s->damp_held = false;
	s->damp_decay_ns = 0;
}

static void watch_link(struct bfd *b, unsigned int i, uint64_t now_ns)
{
	const char *name = b->cfg->links[i].name;
	struct bfd_session *s = &b->s[i];
	struct health_link *hl = &b->hm->link[i];
	uint32_t state = LOAD(hl->state), diag = LOAD(hl->local_diag);
	uint32_t rstate = LOAD(hl->remote_state);
	uint64_t ups = LOAD(hl->up_count), downs = LOAD(hl->down_count);
	uint64_t last_rx = LOAD(hl->last_rx_ns);
	uint64_t changed = LOAD(hl->last_change_ns);
	uint64_t failures = 0;
	bool failure;

	/* bfd_write_link() starts a new session in Down; an entry that
	 * still reads all zero (written by an older twinpathd) would be
	 * AdminDown: it is a session that is Down. */
	if (state == BFD_STATE_ADMIN_DOWN && changed == 0 && ups == 0 &&
	    !b->cfg->links[i].bfd.admin_down)
		state = BFD_STATE_DOWN;

	if (!s->seen) {
		s->seen = true;
		s->state = state;
		s->up_count = ups;
		s->down_count = downs;
		log_msg("bfd %s: %s (local discriminator %u, source port %u)",
			name, bfd_state_name(state), s->local_disc,
			s->src_port);
		if (state == BFD_STATE_UP)
			damp_up(b, i, now_ns);
		return;
	}
	if (state == s->state && ups == s->up_count && downs == s->down_count)
		return;
	failure = down_is_failure(state, diag, rstate);
	if (state != s->state) {
		if (state == BFD_STATE_UP)
			log_notice("bfd %s: %s -> Up (remote discriminator %u)%s",
				name, bfd_state_name(s->state),
				LOAD(hl->remote_disc),
				s->bgp_teardowns_requested &&
				!(b->cfg->links[i].bfd.dampening &&
				  s->damp_hold_ms) ?
					": BGP session may re-establish" : "");
		else if (state == BFD_STATE_DOWN &&
			 rstate == BFD_STATE_ADMIN_DOWN &&
			 diag == BFD_DIAG_NEIGHBOR_DOWN)
			log_notice("bfd %s: %s -> Down (%s: remote AdminDown, "
				"not a failure)", name, bfd_state_name(s->state),
				bfd_diag_name(diag));
		else
			/* a link out of forwarding is what an operator
			 * looks for (journalctl -p warning) */
			log_prio(state == BFD_STATE_DOWN ? LOG_WARNING
							 : LOG_NOTICE,
				 "bfd %s: %s -> %s (%s)", name,
				 bfd_state_name(s->state), bfd_state_name(state),
				 bfd_diag_name(diag));
	}
	/* The XDP program counts every Up -> Down; a flap shorter than a
	 * tick shows only there. */
	if (downs > s->down_count)
		failures = downs - s->down_count;
	else if (s->state == BFD_STATE_UP && state == BFD_STATE_DOWN)
		failures = 1;
	if (downs > s->down_count + 1 ||
	    (downs > s->down_count && state == BFD_STATE_UP))
		log_msg("bfd %s: %llu Up -> Down transitions since the last "
			"look", name,
			(unsigned long long)(downs - s->down_count));
	if (failures > 0) {
		char who[192];

		if (LOAD(hl->down_ns) != 0) {
			/* as the XDP program saw it at that instant */
			s->last_down_ns = LOAD(hl->down_ns);
			s->last_down_detect_ns = LOAD(hl->down_rx_gap_ns);
			s->last_down_diag = LOAD(hl->down_diag);
			s->last_down_remote_state =
				LOAD(hl->down_remote_state);
			s->last_down_remote_diag = LOAD(hl->down_remote_diag);
			s->last_down_detect_time_us =
				LOAD(hl->down_detect_us);
		} else {
			s->last_down_ns = changed;
			s->last_down_detect_ns = changed > last_rx &&
				last_rx != 0 ? changed - last_rx : 0;
			s->last_down_diag = diag;
			s->last_down_remote_state = rstate;
			s->last_down_remote_diag = LOAD(hl->remote_diag);
			s->last_down_detect_time_us = bfd_detect_time_us(hl);
		}
		s->recent[s->n_recent++ % BFD_DOWN_HISTORY] =
			(struct bfd_down_rec){.ns = s->last_down_ns,
					      .detect_ns = s->last_down_detect_ns,
					      .diag = s->last_down_diag};
		/* who declared it, and our own transmit jitter beside it:
		 * a late packet of ours is what a peer's timer sees */
		log_msg("bfd %s: Down declared by %s; our largest gap between "
			"sent packets in the last minute %.1f ms (interval "
			"%.1f ms)", name,
			bfd_down_who(s, who, sizeof(who)),
			LOAD(hl->tx_gap_max_ns) / 1e6,
			LOAD(hl->tx_gap_interval_us) / 1e3);
		if (failure) {
			s->bgp_teardowns_requested += failures;
			s->last_teardown_ns = now_ns;
			log_msg("bfd %s: BGP session teardown requested "
				"(RFC 5882%s), %llu so far; Down "
				"%.1f ms after the last valid packet", name,
				b->bgp_cb ? "" : "; BGP not running",
				(unsigned long long)s->bgp_teardowns_requested,
				s->last_down_detect_ns / 1e6);
			damp_failure(b, i, failures);
			if (b->bgp_cb != NULL)
				b->bgp_cb(b->bgp_arg, i, false);
		}
	}
	/* the last failure on record ends when the session is Up again */
	if (state == BFD_STATE_UP && s->n_recent > 0 &&
	    s->recent[(s->n_recent - 1) % BFD_DOWN_HISTORY].up_ns == 0)
		s->recent[(s->n_recent - 1) % BFD_DOWN_HISTORY].up_ns = changed;
	/* Up again (or a flap shorter than a tick, already Up): BGP may
	 * start again */
	if (state == BFD_STATE_UP &&
	    (s->state != BFD_STATE_UP || (failures > 0 && failure)))
		damp_up(b, i, now_ns);
	else if (state != BFD_STATE_UP)
		damp_not_up(s);
	s->state = state;
	s->up_count = ups;
	s->down_count = downs;
}

/* Timers of LINK that bfd_write_link() held back while a Poll ran (a
 * reload during a Poll): written, with a Poll of their own, once the
 * peer's Final ended the running one. */
static void write_deferred(struct bfd *b, unsigned int i)
{
	const struct cfg_link *l = &b->cfg->links[i];
	struct health_link *hl = &b->hm->link[i];

	if (health_poll_pending(hl) ||
	    (LOAD(hl->desired_min_tx_us) == l->bfd.min_tx_us &&
	     LOAD(hl->required_min_rx_us) == l->bfd.min_rx_us))
		return;
	if (bfd_write_link(l, &b->s[i], hl))
		log_msg("bfd %s: timers held back during a Poll Sequence "
			"written: Desired Min TX %u us, Required Min RX %u us%s",
			l->name, l->bfd.min_tx_us, l->bfd.min_rx_us,
			health_poll_pending(hl) ? " (Poll Sequence started)" :
						  "");
}

/* Link I's suspicion (twinpath-dp's, in the health map) and the return
 * path: steered away from a suspected link, until the suspicion ends
 * with the session Up (suspect.h's hold counts as suspected: its flows
 * are still away). The suspicion's own changes are twinpath-dp's to log
 * (health.c); only what twinpathd does about them is logged here. */
static void watch_suspect(struct bfd *b, unsigned int i)
{
	const struct cfg_link *l = &b->cfg->links[i];
	struct bfd_session *s = &b->s[i];
	uint32_t st = LOAD(b->hm->link[i].suspect_state);
	bool steer;

	s->suspect_state = st;
	if (!l->suspect.enabled || l->suspect.steer_return == CFG_STEER_OFF)
		return;
	steer = st == 1 || st == 2 ||
		(s->steering && s->state != BFD_STATE_UP);
	if (steer == s->steering)
		return;
	s->steering = steer;
	log_msg("bfd %s: return path %s", l->name, steer ?
		"steered to the other links (links.suspect.steer_return)" :
		"no longer steered: the link is clear and Up");
	if (b->steer_cb != NULL)
		b->steer_cb(b->steer_arg, i, steer);
}

void bfd_watch(struct bfd *b, uint64_t now_ns)
{
	unsigned int i;

	if (b->hm == NULL)
		return;
	for (i = 0; i < b->cfg->n_links; i++)
		if (b->cfg->links[i].bfd.enabled) {
			watch_link(b, i, now_ns);
			damp_tick(b, i, now_ns);
			write_deferred(b, i);
			watch_suspect(b, i);
		}
}
