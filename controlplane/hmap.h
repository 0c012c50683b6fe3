/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Intrusive chained hash map (the controller's tables: adjacencies, routes,
 * pending control messages).  The caller embeds a struct hnode, computes the
 * hash and compares keys itself while walking one chain:
 *
 *   for (n = hmap_first(m, h); n; n = hmap_next(n, h)) { e = container_of(...); ... }
 *
 * The bucket array doubles when the map holds more entries than buckets,
 * so lookups stay O(1) at 100k entries.
 */
#ifndef DMVPN_CP_HMAP_H
#define DMVPN_CP_HMAP_H

#include <stddef.h>
#include <stdint.h>

#ifndef container_of
#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))
#endif

struct hnode {
	struct hnode *next;
	uint32_t hash;
};

struct hmap {
	struct hnode **buckets;
	uint32_t mask;		/* buckets - 1 */
	uint32_t count;
};

void hmap_init(struct hmap *m);
/* Frees the bucket array only: the entries belong to the caller. */
void hmap_fini(struct hmap *m);
void hmap_insert(struct hmap *m, struct hnode *n, uint32_t hash);
void hmap_remove(struct hmap *m, struct hnode *n);

/* The chain of one hash value (other hashes in the bucket are skipped). */
struct hnode *hmap_first(const struct hmap *m, uint32_t hash);
struct hnode *hmap_next(const struct hnode *n, uint32_t hash);

/* Every entry, in no particular order.  *cursor starts at 0.  Removing the
 * returned entry before the next call is allowed. */
struct hnode *hmap_walk(const struct hmap *m, uint32_t *cursor, struct hnode **next);

static inline uint32_t hmap_count(const struct hmap *m)
{
	return m->count;
}

/* Mixes two 32-bit words (murmur3 finaliser). */
static inline uint32_t hash_u32x2(uint32_t a, uint32_t b)
{
	uint64_t k = ((uint64_t)a << 32 | b) * 0xff51afd7ed558ccdull;

	k ^= k >> 33;
	k *= 0xc4ceb9fe1a85ec53ull;
	k ^= k >> 33;
	return (uint32_t)k;
}

#endif
