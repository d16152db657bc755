/* A hash table keyed by prefix (struct cfg_addr: family, len, address),
 * values of a fixed size stored inline. twinpathd has no EAL, so no
 * rte_hash; the hash function is DPDK's header-only rte_jhash. Linear
 * probing with backward-shift deletion; grows at 3/4 load, a step at a
 * time (no call moves more than a few dozen entries). Holds the
 * RIB's million prefixes and the FIB push's route table. */
#ifndef TWP_PTABLE_H
#define TWP_PTABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct ptable;

/* VAL_SIZE bytes per value; room for HINT entries before the first grow.
 * NULL on ENOMEM. */
struct ptable *ptable_new(size_t val_size, size_t hint);
void ptable_free(struct ptable *t);
/* The value of PREFIX, or NULL. Only the first len bits of the address
 * count (host bits are ignored). */
void *ptable_get(const struct ptable *t, const struct cfg_addr *prefix);
/* The value of PREFIX, created zero-filled when absent (then *CREATED is
 * true). NULL on ENOMEM. Value pointers stay valid until the next
 * ptable_put or ptable_del. */
void *ptable_put(struct ptable *t, const struct cfg_addr *prefix,
		 bool *created);
/* 0, or -ENOENT. */
int ptable_del(struct ptable *t, const struct cfg_addr *prefix);
/* A hint: PREFIX will be looked up soon. Starts loading the slot its
 * hash points at (a table of a million prefixes is far larger than the
 * caches, so each lookup is a miss to memory), so that a caller walking
 * a batch can prefetch a few entries ahead and have the misses overlap.
 * Changes nothing. */
void ptable_prefetch(const struct ptable *t, const struct cfg_addr *prefix);
size_t ptable_count(const struct ptable *t);
/* True while a growth is being moved over, a step per put that creates
 * an entry and per del. */
bool ptable_growing(const struct ptable *t);
/* KEY = PREFIX as the table stores it: host bits past len cleared.
 * 0, or -EINVAL for a family other than AF_INET/AF_INET6 or a length
 * beyond its width. */
int ptable_key(const struct cfg_addr *prefix, struct cfg_addr *key);
/* Iteration: start with *CURSOR = 0; returns the next value and sets
 * *PREFIX, or NULL at the end. The table must not change meanwhile. */
void *ptable_next(const struct ptable *t, size_t *cursor,
		  const struct cfg_addr **prefix);

#endif
