/* The FIB digest twinpathd and twinpath-dp both keep, so that they can
 * tell, cheaply and often, whether they still hold the same FIB (issue 14
 * item 6). Three 32-bit words, one per table: routes (prefix, length,
 * group id), groups (id, primary and backup member lists) and nexthops
 * (id, port, family, gateway, resolved, MAC). Each is the XOR of a
 * per-entry hash, which makes it independent of the order entries came in
 * and incremental: adding or removing an entry flips its hash in or out,
 * replacing one flips the old out and the new in, O(1) per change, never
 * a walk of the table. Keys are unique within a table (a prefix, a group
 * id, a nexthop id), so no two entries cancel. Header-only over
 * rte_jhash, so both processes hash the same fields with the same code
 * (twinpathd has no EAL; rte_jhash needs none). */
#ifndef TWP_FIBDIGEST_H
#define TWP_FIBDIGEST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_jhash.h>

#define FIB_DIGEST_SEED_ROUTE 0x74777072u /* "twpr" */
#define FIB_DIGEST_SEED_GROUP 0x74777067u /* "twpg" */
#define FIB_DIGEST_SEED_NH 0x7477706eu    /* "twpn" */

enum fib_digest_part {
	FIB_DIGEST_ROUTES = 0,
	FIB_DIGEST_GROUPS,
	FIB_DIGEST_NEXTHOPS,
	FIB_DIGEST_PARTS,
};

struct fib_digest {
	uint32_t part[FIB_DIGEST_PARTS]; /* enum fib_digest_part */
};

static inline const char *fib_digest_part_name(unsigned int p)
{
	static const char *const names[FIB_DIGEST_PARTS] = {
		[FIB_DIGEST_ROUTES] = "routes",
		[FIB_DIGEST_GROUPS] = "groups",
		[FIB_DIGEST_NEXTHOPS] = "nexthops",
	};

	return p < FIB_DIGEST_PARTS ? names[p] : "unknown";
}

/* Adds an entry's hash H to PART, or removes it: the same operation. */
static inline void fib_digest_flip(struct fib_digest *d,
				   enum fib_digest_part part, uint32_t h)
{
	d->part[part] ^= h;
}

/* A route: PREFIX (16 bytes, network order, masked to LEN, as both sides
 * key their tables) of FAMILY -> GROUP_ID. */
static inline uint32_t fib_digest_route(uint8_t family, uint8_t len,
					const uint8_t *prefix,
					uint32_t group_id)
{
	uint32_t w[6];

	w[0] = (uint32_t)family << 8 | len;
	w[1] = group_id;
	memcpy(&w[2], prefix, 16);
	return rte_jhash_32b(w, 6, FIB_DIGEST_SEED_ROUTE);
}

/* A group: its id and both member lists in their order (the order places
 * the members in the buckets). */
static inline uint32_t fib_digest_group(uint32_t id, uint8_t n_primary,
					const uint32_t *primary,
					uint8_t n_backup,
					const uint32_t *backup)
{
	uint32_t h = rte_jhash_2words(id, (uint32_t)n_primary << 8 | n_backup,
				      FIB_DIGEST_SEED_GROUP);

	h = rte_jhash_32b(primary, n_primary, h);
	return rte_jhash_32b(backup, n_backup, h);
}

/* A nexthop; its MAC counts only when RESOLVED (twinpathd sends zeros
 * otherwise, and an unresolved MAC is never used). */
static inline uint32_t fib_digest_nexthop(uint32_t id, uint16_t port,
					  uint8_t family, bool resolved,
					  const uint8_t *gateway,
					  const uint8_t *mac)
{
	uint32_t w[8] = {0};

	w[0] = id;
	w[1] = (uint32_t)port << 16 | (uint32_t)family << 8 | resolved;
	memcpy(&w[2], gateway, 16);
	if (resolved)
		memcpy(&w[6], mac, 6);
	return rte_jhash_32b(w, 8, FIB_DIGEST_SEED_NH);
}

#endif
