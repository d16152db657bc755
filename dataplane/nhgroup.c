/* Nexthop and nexthop-group tables (see nhgroup.h): the control-path side,
 * run on the main lcore. Objects are never modified once published. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nhgroup.h"

void nhg_table_init(struct nhg_table *t, uint16_t n_ports,
		    void (*retire)(void *ctx, void *obj), void *retire_ctx)
{
	memset(t, 0, sizeof(*t));
	t->n_ports = n_ports;
	t->retire = retire;
	t->retire_ctx = retire_ctx;
}

/* Only when no reader is left. */
void nhg_table_free(struct nhg_table *t)
{
	unsigned int i;

	for (i = 0; i < NH_MAX; i++) {
		free(t->nh[i]);
		t->nh[i] = NULL;
	}
	for (i = 0; i < NHG_MAX; i++) {
		free(t->grp[i]);
		t->grp[i] = NULL;
	}
	t->n_nexthops = t->n_groups = 0;
	memset(&t->digest, 0, sizeof(t->digest));
}

/* Entry hashes of the digest; 0 (no change when flipped) for none. */
static uint32_t nh_digest(const struct nexthop *nh)
{
	return nh == NULL ? 0 :
	       fib_digest_nexthop(nh->id, nh->port, nh->family, nh->resolved,
				  nh->gateway, nh->mac.addr_bytes);
}

static uint32_t grp_digest(const struct nhgroup *g)
{
	return g == NULL ? 0 :
	       fib_digest_group(g->id, g->n_primary, g->primary, g->n_backup,
				g->backup);
}

static void publish(struct nhg_table *t, void **slot, void *obj,
		    uint32_t *count)
{
	void *old = __atomic_exchange_n(slot, obj, __ATOMIC_ACQ_REL);

	if (old == NULL && obj != NULL)
		(*count)++;
	else if (old != NULL && obj == NULL)
		(*count)--;
	if (old != NULL)
		t->retire(t->retire_ctx, old);
}

/* L2 entries of G's buckets from the nexthops and ports as they are now,
 * into L2: the home member's for each bucket. */
static void fill_l2(const struct nhg_table *t, const struct nhgroup *g,
		    struct nhg_l2 *l2)
{
	struct nhg_l2 member[CHAN_GROUP_MAX_MEMBERS];
	unsigned int b, i;

	if (g->n_primary == 0) {
		memset(l2, 0, NHG_BUCKETS * sizeof(*l2));
		return;
	}
	memset(member, 0, sizeof(member));
	for (i = 0; i < g->n_primary; i++) {
		const struct nexthop *nh = t->nh[g->primary[i]];

		if (nh != NULL)
			nhg_l2_fill(t, nh, &member[i]);
		else
			member[i].nh_id = (uint16_t)g->primary[i];
	}
	for (b = 0; b < NHG_BUCKETS; b++)
		l2[b] = member[g->bucket[b]];
}

static bool names_primary(const struct nhgroup *g, uint32_t nh_id)
{
	unsigned int i;

	for (i = 0; i < g->n_primary; i++)
		if (g->primary[i] == nh_id)
			return true;
	return false;
}

/* Republishes, as new objects, the groups whose L2 entries no longer
 * match the nexthops and ports: those naming nexthop NH_ID as a primary
 * member, or every group for 0. Forwarding lcores may be reading the old
 * ones: they are retired, never written. */
static int refresh_l2(struct nhg_table *t, uint32_t nh_id)
{
	static struct nhg_l2 l2[NHG_BUCKETS];
	struct nhgroup *g;
	unsigned int i;

	for (i = 1; i < NHG_MAX && t->n_groups != 0; i++) {
		const struct nhgroup *old = t->grp[i];

		if (old == NULL || (nh_id != 0 && !names_primary(old, nh_id)))
			continue;
		fill_l2(t, old, l2);
		if (memcmp(l2, old->l2, sizeof(l2)) == 0)
			continue;
		g = malloc(sizeof(*g));
		if (g == NULL)
			return -ENOMEM;
		memcpy(g, old, sizeof(*g));
		memcpy(g->l2, l2, sizeof(l2));
		publish(t, (void **)&t->grp[i], g, &t->n_groups);
	}
	return 0;
}

/* Does replacing OLD with NH change what a group's L2 entry says. */
static bool l2_differs(const struct nexthop *old, const struct nexthop *nh)
{
	return old == NULL || old->port != nh->port ||
	       old->resolved != nh->resolved ||
	       !rte_is_same_ether_addr(&old->mac, &nh->mac);
}

int nhg_nexthop_set(struct nhg_table *t, const struct chan_nexthop *in,
		    uint64_t generation)
{
	struct nexthop *nh;
	bool changed;

	if (in->id == 0 || in->id >= NH_MAX || in->port >= t->n_ports)
		return -EINVAL;
	nh = calloc(1, sizeof(*nh));
	if (nh == NULL)
		return -ENOMEM;
	nh->generation = generation;
	nh->id = in->id;
	nh->port = in->port;
	nh->family = in->family;
	nh->resolved = (in->flags & CHAN_NH_F_RESOLVED) != 0;
	memcpy(nh->gateway, in->gateway, sizeof(nh->gateway));
	memcpy(nh->mac.addr_bytes, in->mac, RTE_ETHER_ADDR_LEN);
	/* a full sync sets every nexthop again, mostly unchanged: the
	 * groups are republished only for what they would show */
	changed = l2_differs(t->nh[in->id], nh);
	fib_digest_flip(&t->digest, FIB_DIGEST_NEXTHOPS,
			nh_digest(t->nh[in->id]) ^ nh_digest(nh));
	publish(t, (void **)&t->nh[in->id], nh, &t->n_nexthops);
	return changed ? refresh_l2(t, in->id) : 0;
}

static int unpublish(struct nhg_table *t, void **slot, uint32_t *count)
{
	if (*slot == NULL)
		return -ENOENT;
	publish(t, slot, NULL, count);
	return 0;
}

int nhg_nexthop_del(struct nhg_table *t, uint32_t id)
{
	int rc;

	if (id == 0 || id >= NH_MAX)
		return -EINVAL;
	fib_digest_flip(&t->digest, FIB_DIGEST_NEXTHOPS, nh_digest(t->nh[id]));
	rc = unpublish(t, (void **)&t->nh[id], &t->n_nexthops);
	return rc < 0 ? rc : refresh_l2(t, id);
}

int nhg_port_mac_set(struct nhg_table *t, uint16_t port,
		     const struct rte_ether_addr *mac)
{
	if (port >= NH_PORT_MAX)
		return -EINVAL;
	t->port_mac[port] = *mac;
	return refresh_l2(t, 0);
}

#define NHG_NO_MEMBER 0xffu

/* Home buckets of the N MEMBERS from the previous table OLD_HOME over
 * OLD_MEMBERS (OLD_N of them; 0 for a new group). A member kept (same
 * nexthop id) keeps its buckets, down to its fair share when members are
 * added; the buckets freed go to the members below their share. From
 * nothing this is round-robin: member i owns buckets i, i + n, ... */
static void fill_home(uint8_t *home, const uint32_t *members, uint8_t n,
		      const uint8_t *old_home, const uint32_t *old_members,
		      uint8_t old_n)
{
	uint8_t map[CHAN_GROUP_MAX_MEMBERS];
	unsigned int count[CHAN_GROUP_MAX_MEMBERS] = {0};
	unsigned int quota[CHAN_GROUP_MAX_MEMBERS];
	bool taken[CHAN_GROUP_MAX_MEMBERS] = {false};
	unsigned int b, i, j, extra;

	if (n == 0) {
		memset(home, 0, NHG_BUCKETS);
		return;
	}
	/* old index -> new index of the same nexthop, each used once */
	for (j = 0; j < old_n; j++) {
		map[j] = NHG_NO_MEMBER;
		for (i = 0; i < n; i++)
			if (!taken[i] && members[i] == old_members[j]) {
				taken[i] = true;
				map[j] = (uint8_t)i;
				break;
			}
	}
	for (b = 0; b < NHG_BUCKETS; b++) {
		home[b] = old_n != 0 ? map[old_home[b]] : NHG_NO_MEMBER;
		if (home[b] != NHG_NO_MEMBER)
			count[home[b]]++;
	}
	/* Fair shares: NHG_BUCKETS / n each, one more for the NHG_BUCKETS % n
	 * members that hold the most already (fewest moves). */
	for (i = 0; i < n; i++)
		quota[i] = NHG_BUCKETS / n;
	for (extra = NHG_BUCKETS % n; extra > 0; extra--) {
		unsigned int best = n;

		for (i = 0; i < n; i++)
			if (quota[i] == NHG_BUCKETS / n &&
			    (best == n || count[i] > count[best]))
				best = i;
		quota[best]++;
	}
	/* over their share: give up the highest buckets */
	for (b = NHG_BUCKETS; b-- > 0;)
		if (home[b] != NHG_NO_MEMBER &&
		    count[home[b]] > quota[home[b]]) {
			count[home[b]]--;
			home[b] = NHG_NO_MEMBER;
		}
	/* the free buckets, in order, to the member furthest below its share */
	for (b = 0; b < NHG_BUCKETS; b++) {
		unsigned int best = n;

		if (home[b] != NHG_NO_MEMBER)
			continue;
		for (i = 0; i < n; i++)
			if (count[i] < quota[i] &&
			    (best == n || count[i] < count[best]))
				best = i;
		home[b] = (uint8_t)best;
		count[best]++;
	}
}

/* Entries of a bucket's failover order chosen for balance; the ones after
 * matter only with more members dead at once, and rotate instead. */
#define NHG_BALANCED_DEPTH 4u

/* Failover orders over HOME for a set of N members. Entry K of a bucket
 * is used only while its first K members (the dead set S) are all dead,
 * so, up to NHG_BALANCED_DEPTH, it goes to the live member that then has
 * the fewest buckets, counting every bucket whose order is already decided
 * for S. Ties, and the deeper entries, rotate with the bucket so that
 * they spread. Main lcore only: per level at most NHG_BUCKETS dead sets,
 * each costing a pass over the dead members' home buckets. */
static void fill_order(uint8_t (*order)[CHAN_GROUP_MAX_MEMBERS - 1],
		       const uint8_t *home, uint8_t n)
{
	uint32_t prefix[NHG_BUCKETS]; /* members in entries 0..k-1 */
	bool done[NHG_BUCKETS];
	uint8_t by_home[NHG_BUCKETS]; /* buckets sorted by home member */
	unsigned int first[CHAN_GROUP_MAX_MEMBERS + 1] = {0};
	unsigned int b, c, k, m, x;

	memset(order, 0, NHG_BUCKETS * sizeof(*order));
	for (b = 0; b < NHG_BUCKETS; b++) {
		prefix[b] = 1u << home[b];
		first[home[b] + 1]++;
	}
	for (m = 0; m < n; m++)
		first[m + 1] += first[m];
	{
		unsigned int fill[CHAN_GROUP_MAX_MEMBERS];

		memcpy(fill, first, sizeof(fill));
		for (b = 0; b < NHG_BUCKETS; b++)
			by_home[fill[home[b]]++] = (uint8_t)b;
	}
	for (k = 1; k < n; k++) {
		memset(done, 0, sizeof(done));
		for (b = 0; b < NHG_BUCKETS; b++) {
			unsigned int load[CHAN_GROUP_MAX_MEMBERS];
			uint32_t dead = prefix[b];

			if (done[b])
				continue;
			if (k > NHG_BALANCED_DEPTH) {
				for (m = (b + k) % n; (dead >> m) & 1u;
				     m = (m + 1) % n)
					;
				order[b][k - 1] = (uint8_t)m;
				continue;
			}
			for (m = 0; m < n; m++)
				load[m] = (dead >> m) & 1u ? 0 :
					  first[m + 1] - first[m];
			/* Buckets homed on a dead member: who carries each
			 * decided one while DEAD is dead. One with another
			 * prefix of k members has a live one among its
			 * first k. */
			for (m = 0; m < n; m++) {
				if (!((dead >> m) & 1u))
					continue;
				for (x = first[m]; x < first[m + 1]; x++) {
					unsigned int len, e;

					c = by_home[x];
					if (prefix[c] == dead && !done[c])
						continue;
					len = done[c] ? k + 1 : k;
					for (e = 1; e < len; e++) {
						unsigned int o = order[c][e - 1];

						if (!((dead >> o) & 1u)) {
							load[o]++;
							break;
						}
					}
				}
			}
			for (c = b; c < NHG_BUCKETS; c++) {
				unsigned int best = n, r;

				if (prefix[c] != dead || done[c])
					continue;
				for (r = 0; r < n; r++) {
					m = (c + k + r) % n;
					if ((dead >> m) & 1u)
						continue;
					if (best == n || load[m] < load[best])
						best = m;
				}
				order[c][k - 1] = (uint8_t)best;
				load[best]++;
				done[c] = true;
			}
		}
		for (b = 0; b < NHG_BUCKETS; b++)
			prefix[b] |= 1u << order[b][k - 1];
	}
}

int nhg_group_set(struct nhg_table *t, const struct chan_group *in,
		  uint64_t generation)
{
	const struct nhgroup *old;
	struct nhgroup *g;
	unsigned int i;

	if (in->id == 0 || in->id >= NHG_MAX ||
	    in->n_primary > CHAN_GROUP_MAX_MEMBERS ||
	    in->n_backup > CHAN_GROUP_MAX_MEMBERS)
		return -EINVAL;
	for (i = 0; i < in->n_primary; i++)
		if (in->primary[i] == 0 || in->primary[i] >= NH_MAX)
			return -EINVAL;
	for (i = 0; i < in->n_backup; i++)
		if (in->backup[i] == 0 || in->backup[i] >= NH_MAX)
			return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (g == NULL)
		return -ENOMEM;
	g->generation = generation;
	g->id = in->id;
	g->n_primary = in->n_primary;
	g->n_backup = in->n_backup;
	memcpy(g->primary, in->primary, sizeof(g->primary));
	memcpy(g->backup, in->backup, sizeof(g->backup));
	/* Only this lcore writes the table: the old group stays valid here. */
	old = t->grp[in->id];
	fill_home(g->bucket, g->primary, g->n_primary,
		  old != NULL ? old->bucket : NULL,
		  old != NULL ? old->primary : NULL,
		  old != NULL ? old->n_primary : 0);
	fill_home(g->backup_bucket, g->backup, g->n_backup,
		  old != NULL ? old->backup_bucket : NULL,
		  old != NULL ? old->backup : NULL,
		  old != NULL ? old->n_backup : 0);
	fill_order(g->order, g->bucket, g->n_primary);
	fill_order(g->backup_order, g->backup_bucket, g->n_backup);
	fill_l2(t, g, g->l2);
	fib_digest_flip(&t->digest, FIB_DIGEST_GROUPS,
			grp_digest(old) ^ grp_digest(g));
	publish(t, (void **)&t->grp[in->id], g, &t->n_groups);
	return 0;
}

int nhg_group_del(struct nhg_table *t, uint32_t id)
{
	if (id == 0 || id >= NHG_MAX)
		return -EINVAL;
	fib_digest_flip(&t->digest, FIB_DIGEST_GROUPS, grp_digest(t->grp[id]));
	return unpublish(t, (void **)&t->grp[id], &t->n_groups);
}

int nhg_sweep(struct nhg_table *t, uint64_t generation)
{
	unsigned int i;
	bool swept = false;

	/* Groups first: they name nexthops. */
	for (i = 1; i < NHG_MAX; i++)
		if (t->grp[i] != NULL && t->grp[i]->generation < generation) {
			fib_digest_flip(&t->digest, FIB_DIGEST_GROUPS,
					grp_digest(t->grp[i]));
			publish(t, (void **)&t->grp[i], NULL, &t->n_groups);
		}
	for (i = 1; i < NH_MAX; i++)
		if (t->nh[i] != NULL && t->nh[i]->generation < generation) {
			fib_digest_flip(&t->digest, FIB_DIGEST_NEXTHOPS,
					nh_digest(t->nh[i]));
			publish(t, (void **)&t->nh[i], NULL, &t->n_nexthops);
			swept = true;
		}
	/* a fresh group may still name a swept nexthop */
	return swept ? refresh_l2(t, 0) : 0;
}
