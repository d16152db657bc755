/* Prefix-keyed hash table for twinpathd (no EAL, so no rte_hash): open
 * addressing with linear probing, backward-shift deletion (no tombstones,
 * so a table churned for days probes as short as a fresh one), growth at
 * 3/4 load. Keys are stored masked, with their hash, next to the value.
 *
 * Growth is incremental: the table doubles into a new array and every
 * later put that creates an entry, and every del, moves PT_MIGRATE_STEP
 * slots of the old one over, so no single call pays for the whole
 * table (entries move only when one is created or deleted, as before). Growing a million-prefix RIB
 * in one go took 260 ms on the lab machine (and over 500 ms of CPU in
 * twinpathd's loop under load, its watchdog said): a keepalive missed at
 * a 3 s hold time. While growing, a key is in exactly one of the arrays;
 * the old one keeps a moved (or deleted) entry as a tombstone, PT_MOVED,
 * so its probe chains stay whole until it is freed. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <rte_jhash.h>
#include <rte_prefetch.h>

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
#define PT_MOVED 0xffu      /* family of an old slot moved or deleted */
/* Old slots moved per put or del while growing: the new array (twice the
 * size) is at most 3/8 full when growth starts and may take 3/4 of the
 * old capacity in puts before it must grow again; 64 slots per call end
 * the move long before. */
#define PT_MIGRATE_STEP 64u

struct ptable {
	size_t val_size;
	size_t stride;     /* bytes per slot */
	size_t cap;        /* slots, a power of two */
	size_t count;      /* entries, in both arrays while growing */
	uint8_t *slots;
	/* while growing: the previous array, and the next slot of it to
	 * move; NULL otherwise */
	uint8_t *old;
	size_t old_cap, old_pos;
};

/* Slot arrays of PT_HUGE_MIN bytes and more come from mmap with
 * transparent huge pages asked for: a million-prefix table spans
 * tens of MB, and on 4 KiB pages every lookup missed the TLB as well as
 * the caches (a page walk before the miss). Zero-filled as calloc's,
 * faulted in as used. Smaller ones from calloc. */
#define PT_HUGE_MIN (2u << 20)

static uint8_t *slots_alloc(size_t n, size_t stride)
{
	size_t bytes = n * stride;
	void *p;

	if (bytes < PT_HUGE_MIN)
		return calloc(n, stride);
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	/* a hint: without THP (or with it off) the pages stay 4 KiB */
	madvise(p, bytes, MADV_HUGEPAGE);
	return p;
}

static void slots_free(uint8_t *p, size_t n, size_t stride)
{
	if (p == NULL)
		return;
	if (n * stride < PT_HUGE_MIN)
		free(p);
	else
		munmap(p, n * stride);
}

static inline struct pt_slot *slot_at(const struct ptable *t, size_t i)
{
	return (struct pt_slot *)(t->slots + i * t->stride);
}

static inline struct pt_slot *old_at(const struct ptable *t, size_t i)
{
	return (struct pt_slot *)(t->old + i * t->stride);
}

static inline bool live(const struct pt_slot *s)
{
	return s->key.family != 0 && s->key.family != PT_MOVED;
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
	t->slots = slots_alloc(t->cap, t->stride);
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
	slots_free(t->old, t->old_cap, t->stride);
	slots_free(t->slots, t->cap, t->stride);
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

/* While growing: KEY's slot in the old array, or NULL. Tombstones are
 * passed over (the chain goes on past them), never matched. */
static struct pt_slot *probe_old(const struct ptable *t,
				 const struct cfg_addr *key, uint32_t hash)
{
	size_t mask, i;

	if (t->old == NULL)
		return NULL;
	mask = t->old_cap - 1u;
	for (i = hash & mask;; i = (i + 1u) & mask) {
		struct pt_slot *s = old_at(t, i);

		if (s->key.family == 0)
			return NULL;
		if (s->key.family != PT_MOVED && s->hash == hash &&
		    key_eq(&s->key, key))
			return s;
	}
}

/* Moves the old slot S into the new array; its old slot becomes a
 * tombstone. Returns the new slot. */
static struct pt_slot *move_over(struct ptable *t, struct pt_slot *s)
{
	size_t mask = t->cap - 1u, j = s->hash & mask;
	struct pt_slot *n;

	while ((n = slot_at(t, j))->key.family != 0)
		j = (j + 1u) & mask;
	memcpy(n, s, t->stride);
	s->key.family = PT_MOVED;
	return n;
}

/* Moves up to N more old slots; frees the old array once all went. */
static void migrate(struct ptable *t, size_t n)
{
	for (; t->old != NULL && n > 0 && t->old_pos < t->old_cap; n--) {
		if (live(old_at(t, t->old_pos)))
			move_over(t, old_at(t, t->old_pos));
		t->old_pos++;
	}
	if (t->old != NULL && t->old_pos == t->old_cap) {
		slots_free(t->old, t->old_cap, t->stride);
		t->old = NULL;
	}
}

bool ptable_growing(const struct ptable *t)
{
	return t->old != NULL;
}

void *ptable_get(const struct ptable *t, const struct cfg_addr *prefix)
{
	struct cfg_addr key;
	struct pt_slot *s;
	uint32_t hash;

	if (ptable_key(prefix, &key) < 0)
		return NULL;
	hash = key_hash(&key);
	s = probe(t, &key, hash);
	if (s->key.family)
		return slot_val(s);
	s = probe_old(t, &key, hash);
	return s ? slot_val(s) : NULL;
}

/* Starts growing: a new array twice the size; the old one is moved over
 * by migrate(), a step per put or del. */
static int grow(struct ptable *t)
{
	size_t new_cap = t->cap * 2u;
	uint8_t *slots;

	migrate(t, SIZE_MAX); /* never two old arrays (see PT_MIGRATE_STEP) */
	slots = slots_alloc(new_cap, t->stride);
	if (!slots)
		return -ENOMEM;
	t->old = t->slots;
	t->old_cap = t->cap;
	t->old_pos = 0;
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
	/* found where it is: nothing moves unless an entry is created or
	 * deleted (a walk that resumes across calls relies on it) */
	s = probe_old(t, &key, hash);
	if (s != NULL)
		return slot_val(s);
	migrate(t, PT_MIGRATE_STEP);
	if (t->count + 1u > t->cap / 4u * 3u) {
		if (grow(t) < 0) {
			errno = ENOMEM;
			return NULL;
		}
	}
	s = probe(t, &key, hash);
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
	size_t mask, i, j;
	struct cfg_addr key;
	struct pt_slot *s;
	uint32_t hash;

	if (ptable_key(prefix, &key) < 0)
		return -EINVAL;
	hash = key_hash(&key);
	migrate(t, PT_MIGRATE_STEP);
	mask = t->cap - 1u;
	s = probe(t, &key, hash);
	if (s->key.family == 0) {
		s = probe_old(t, &key, hash);
		if (s == NULL)
			return -ENOENT;
		s->key.family = PT_MOVED; /* the old array's chain stays */
		t->count--;
		return 0;
	}
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

void ptable_prefetch(const struct ptable *t, const struct cfg_addr *prefix)
{
	struct cfg_addr key;
	const uint8_t *s;

	if (ptable_key(prefix, &key) < 0)
		return;
	s = (const uint8_t *)slot_at(t, key_hash(&key) & (t->cap - 1u));
	rte_prefetch0(s);
	/* a slot may straddle two cache lines */
	rte_prefetch0(s + t->stride - 1u);
}

size_t ptable_count(const struct ptable *t)
{
	return t->count;
}

void *ptable_next(const struct ptable *t, size_t *cursor,
		  const struct cfg_addr **prefix)
{
	/* the new array's slots, then (while growing) the old one's */
	for (; *cursor < t->cap + (t->old ? t->old_cap : 0); (*cursor)++) {
		struct pt_slot *s = *cursor < t->cap ?
			slot_at(t, *cursor) : old_at(t, *cursor - t->cap);

		if (live(s)) {
			(*cursor)++;
			if (prefix)
				*prefix = &s->key;
			return slot_val(s);
		}
	}
	return NULL;
}
