/* Export of our site prefixes on twinpathd's BGP sessions, never learned
 * routes (no transit): the announce, withdrawals after a reload and
 * End-of-RIB (RFC 4724 §2, §4.1), with GRACEFUL_SHUTDOWN while the link
 * is drained (RFC 8326 §4.2). */
#include <errno.h>
#include <string.h>

#include "fsm_int.h"

/* ---- export (our site prefixes only: no transit) ---- */

/* Announces the link's prefixes of AF (its own bgp.announce, else the
 * top-level one) on P's session; returns how many. */
unsigned int export_af(struct bgp_peer *p, unsigned int af)
{
	struct bgp_speaker *sp = p->sp;
	/* the prefixes, then both halves of each while steering */
	struct cfg_addr pfx[3 * CFG_MAX_ANNOUNCE];
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
	if (p->steer == CFG_STEER_MORE_SPECIFIC)
		n += policy_halves(pfx, n, af_family(af), pfx + n,
				   2 * CFG_MAX_ANNOUNCE);
	memset(&a, 0, sizeof(a));
	rc = policy_export(sp->cfg, p->link, af_family(af), &a, aspath,
			   sizeof(aspath));
	/* RFC 2545 §3: beside the global next hop, our link-local one, for
	 * the peer shares the link with us (directly connected eBGP) */
	if (rc == 0 && af_family(af) == AF_INET6)
		cfg_if_link_local(p->lc->interface, &a.nexthop_ll);
	/* another link is suspected (links.suspect.steer_return): the
	 * provider should send our return traffic here */
	if (rc == 0 && p->steer != CFG_STEER_OFF)
		rc = policy_steer(sp->cfg, &a, aspath, sizeof(aspath));
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
 * took them out of the link's announce list, or steering's halves are
 * no longer wanted); returns how many. */
unsigned int withdraw_af(struct bgp_peer *p, unsigned int af,
				const struct cfg_addr *wd, unsigned int n)
{
	struct bgp_speaker *sp = p->sp;
	struct cfg_addr pfx[2 * CFG_MAX_ANNOUNCE];
	struct bgp_attrs none;
	unsigned int k = 0, i;
	int rc;

	for (i = 0; i < n && k < 2 * CFG_MAX_ANNOUNCE; i++)
		if (wd[i].family == af_family(af))
			pfx[k++] = wd[i];
	if (k == 0)
		return 0;
	memset(&none, 0, sizeof(none));
	/* at most 128 prefixes of at most 17 bytes: one UPDATE */
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

/* Withdraws the halves steering announced on P for AF (the mode is no
 * longer more-specific); returns how many. */
unsigned int withdraw_halves_af(struct bgp_peer *p, unsigned int af)
{
	struct cfg_addr halves[2 * CFG_MAX_ANNOUNCE];
	const struct cfg_addr *ann;
	unsigned int n_ann, n;

	ann = policy_announce(p->sp->cfg, p->link, &n_ann);
	n = policy_halves(ann, n_ann, af_family(af), halves,
			  2 * CFG_MAX_ANNOUNCE);
	return withdraw_af(p, af, halves, n);
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
void export_all(struct bgp_peer *p)
{
	unsigned int af;

	for (af = 0; af < BGP_AF_MAX; af++) {
		if (!p->caps.af[af])
			continue;
		export_af(p, af);
		send_eor(p, af);
	}
}
