/* SPDX-License-Identifier: BSD-3-Clause */
#include "hmap.h"

#include <stdlib.h>

#define HMAP_MIN_BUCKETS 64

void hmap_init(struct hmap *m)
{
	m->buckets = NULL;
	m->mask = 0;
	m->count = 0;
}

void hmap_fini(struct hmap *m)
{
	free(m->buckets);
	hmap_init(m);
}

/* Doubles the bucket array; on allocation failure the map keeps working
 * with longer chains. */
static void hmap_grow(struct hmap *m)
{
	uint32_t nb = m->buckets ? (m->mask + 1) * 2 : HMAP_MIN_BUCKETS;
	struct hnode **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (uint32_t i = 0; m->buckets && i <= m->mask; i++) {
		struct hnode *n = m->buckets[i], *next;

		for (; n; n = next) {
			next = n->next;
			n->next = b[n->hash & (nb - 1)];
			b[n->hash & (nb - 1)] = n;
		}
	}
	free(m->buckets);
	m->buckets = b;
	m->mask = nb - 1;
}

void hmap_insert(struct hmap *m, struct hnode *n, uint32_t hash)
{
	struct hnode **head;

	if (!m->buckets || m->count > m->mask)
		hmap_grow(m);
	if (!m->buckets)
		abort();	/* first allocation failed: nothing to fall back on */
	head = &m->buckets[hash & m->mask];
	n->hash = hash;
	n->next = *head;
	*head = n;
	m->count++;
}

void hmap_remove(struct hmap *m, struct hnode *n)
{
	struct hnode **pp = &m->buckets[n->hash & m->mask];

	for (; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			n->next = NULL;
			m->count--;
			return;
		}
	}
}

struct hnode *hmap_first(const struct hmap *m, uint32_t hash)
{
	struct hnode *n;

	if (!m->buckets)
		return NULL;
	for (n = m->buckets[hash & m->mask]; n && n->hash != hash; n = n->next)
		;
	return n;
}

struct hnode *hmap_next(const struct hnode *n, uint32_t hash)
{
	for (n = n->next; n && n->hash != hash; n = n->next)
		;
	return (struct hnode *)n;
}

struct hnode *hmap_walk(const struct hmap *m, uint32_t *cursor, struct hnode **next)
{
	struct hnode *n = *next;

	if (!m->buckets)
		return NULL;
	while (!n && *cursor <= m->mask)
		n = m->buckets[(*cursor)++];
	*next = n ? n->next : NULL;
	return n;
}
