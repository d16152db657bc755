/* Prefix-keyed hash table for twinpathd (no EAL, so no rte_hash): open
 * addressing with linear probing, backward-shift deletion (no tombstones,
 * so a table churned for days probes as short as a fresh one), growth at
 * 3/4 load. Keys are stored masked, with their hash, next to the value. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_jhash.h>

#include "ptable.h"

/* One slot: the hash (so growing and deleting never rehash), the masked
 * key (family 0 = empty slot), then the value at a multiple of 8. */
struct pt_slot {
	uint32_t hash;
	struct cfg_addr key;
};

#define PT_VAL_OFF ((sizeof(struct pt_slot) + 7u) & ~(size_t)7u)
#define PT_MIN_CAP 16u
#define PT_SEED 0x7477706eu /* "twpn" */

struct ptable {
	size_t val_size;
	size_t stride;     /* bytes per slot */
	size_t cap;        /* slots, a power of two */
	size_t count;
	uint8_t *slots;
};

static inline struct pt_slot *slot_at(const struct ptable *t, size_t i)
{
	return (struct pt_slot *)(t->slots + i * t->stride);
}

static inline void *slot_val(struct pt_slot *s)
{
	return (uint8_t *)s + PT_VAL_OFF;
}

int ptable_key(const struct cfg_addr *prefix, struct cfg_addr *key)
{
	unsigned int width = cfg_family_bits(prefix->family), nbytes;

	if (width == 0 || prefix->len > width)
		return -EINVAL;
	memset(key, 0, sizeof(*key));
	key->family = prefix->family;
	key->len = prefix->len;
	nbytes = prefix->len / 8u;
	memcpy(key->addr, prefix->addr, nbytes);
	if (prefix->len % 8u)
		key->addr[nbytes] = prefix->addr[nbytes] &
				    (uint8_t)(0xffu << (8u - prefix->len % 8u));
	return 0;
}

/* Over family, len and the address bytes the length covers. rte_jhash
 * reads a 4-aligned key in whole words, up to 3 bytes past its length:
 * for a /121../128 that is 2 bytes past the struct (found by fuzz_bgp,
 * ASan). A zero-padded copy gives the same hash without that. */
static inline uint32_t key_hash(const struct cfg_addr *key)
{
	uint32_t w[(sizeof(*key) + 3u) / 4u] = {0};
	uint32_t n = 2u + (key->len + 7u) / 8u;

	if (n > sizeof(*key)) /* ptable_key() made it: len <= 128 */
		n = sizeof(*key);
	memcpy(w, key, n);
	return rte_jhash(w, n, PT_SEED);
}

static inline bool key_eq(const struct cfg_addr *a, const struct cfg_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static size_t cap_for(size_t n)
{
	size_t cap = PT_MIN_CAP;

	while (n > cap / 4u * 3u)
		cap *= 2u;
	return cap;
}

struct ptable *ptable_new(size_t val_size, size_t hint)
{
	struct ptable *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->val_size = val_size;
	t->stride = (PT_VAL_OFF + val_size + 7u) & ~(size_t)7u;
	t->cap = cap_for(hint);
	t->slots = calloc(t->cap, t->stride);
	if (!t->slots) {
		free(t);
		return NULL;
	}
	return t;
}

void ptable_free(struct ptable *t)
{
	if (!t)
		return;
	free(t->slots);
	free(t);
}

/* The slot holding KEY, or the empty slot where it would go. */
static struct pt_slot *probe(const struct ptable *t,
			     const struct cfg_addr *key, uint32_t hash)
{
	size_t mask = t->cap - 1u, i = hash & mask;

	for (;;) {
		struct pt_slot *s = slot_at(t, i);

		if (s->key.family == 0 ||
		    (s->hash == hash && key_eq(&s->key, key)))
			return s;
		i = (i + 1u) & mask;
	}
}

void *ptable_get(const struct ptable *t, const struct cfg_addr *prefix)
{
	struct cfg_addr key;
	struct pt_slot *s;

	if (ptable_key(prefix, &key) < 0)
		return NULL;
	s = probe(t, &key, key_hash(&key));
	return s->key.family ? slot_val(s) : NULL;
}

static int grow(struct ptable *t)
{
	size_t new_cap = t->cap * 2u, mask = new_cap - 1u, i;
	uint8_t *slots = calloc(new_cap, t->stride);

	if (!slots)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++) {
		struct pt_slot *s = slot_at(t, i);
		size_t j;

		if (s->key.family == 0)
			continue;
		j = s->hash & mask;
		while (((struct pt_slot *)(slots + j * t->stride))->key.family)
			j = (j + 1u) & mask;
		memcpy(slots + j * t->stride, s, t->stride);
	}
	free(t->slots);
	t->slots = slots;
	t->cap = new_cap;
	return 0;
}

void *ptable_put(struct ptable *t, const struct cfg_addr *prefix,
		 bool *created)
{
	struct cfg_addr key;
	struct pt_slot *s;
	uint32_t hash;

	if (created)
		*created = false;
	if (ptable_key(prefix, &key) < 0) {
		errno = EINVAL;
		return NULL;
	}
	hash = key_hash(&key);
	s = probe(t, &key, hash);
	if (s->key.family)
		return slot_val(s);
	if (t->count + 1u > t->cap / 4u * 3u) {
		if (grow(t) < 0) {
			errno = ENOMEM;
			return NULL;
		}
		s = probe(t, &key, hash);
	}
	s->hash = hash;
	s->key = key;
	memset(slot_val(s), 0, t->val_size);
	t->count++;
	if (created)
		*created = true;
	return slot_val(s);
}

int ptable_del(struct ptable *t, const struct cfg_addr *prefix)
{
	size_t mask = t->cap - 1u, i, j;
	struct cfg_addr key;
	struct pt_slot *s;

	if (ptable_key(prefix, &key) < 0)
		return -EINVAL;
	s = probe(t, &key, key_hash(&key));
	if (s->key.family == 0)
		return -ENOENT;
	i = (size_t)((uint8_t *)s - t->slots) / t->stride;
	/* Backward shift: pull each following entry of the run into the hole
	 * unless its home slot lies cyclically in (hole, entry]. */
	for (j = (i + 1u) & mask;; j = (j + 1u) & mask) {
		struct pt_slot *n = slot_at(t, j);
		size_t home;

		if (n->key.family == 0)
			break;
		home = n->hash & mask;
		if (((j - home) & mask) >= ((j - i) & mask)) {
			memcpy(slot_at(t, i), n, t->stride);
			i = j;
		}
	}
	memset(slot_at(t, i), 0, t->stride);
	t->count--;
	return 0;
}

size_t ptable_count(const struct ptable *t)
{
	return t->count;
}

void *ptable_next(const struct ptable *t, size_t *cursor,
		  const struct cfg_addr **prefix)
{
	for (; *cursor < t->cap; (*cursor)++) {
		struct pt_slot *s = slot_at(t, *cursor);

		if (s->key.family) {
			(*cursor)++;
			if (prefix)
				*prefix = &s->key;
			return slot_val(s);
		}
	}
	return NULL;
}
