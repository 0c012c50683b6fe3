/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Single-producer single-consumer ring of fixed-size entries, for shared
 * memory between two processes (no DPDK: the controller never links it).
 *
 *   producer: e = ring_reserve(r); fill e (<= entry_size bytes); ring_commit(r);
 *   consumer: e = ring_peek(r); use e; ring_release(r);
 *
 * prod and cons are free-running 32-bit counters on separate cache lines;
 * entries = prod - cons.  The producer publishes with a release store after
 * filling the entry; the consumer reads prod with acquire, so it sees the
 * entry complete.  Either side may crash and restart: its index lives in the
 * ring, and an entry reserved but not committed is simply overwritten.
 */
#ifndef DMVPN_RING_H
#define DMVPN_RING_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shm_ring {
	uint32_t entries;	/* power of two */
	uint32_t entry_size;	/* bytes, multiple of 8 */
	uint32_t magic;
	uint32_t reserved[13];
	alignas(64) _Atomic uint32_t prod;
	alignas(64) _Atomic uint32_t cons;
	alignas(64) uint8_t data[];
};

#define RING_MAGIC 0x52494e47u	/* "RING" */

static inline size_t ring_bytes(uint32_t entries, uint32_t entry_size)
{
	return sizeof(struct shm_ring) + (size_t)entries * entry_size;
}

/* Lay out a ring in zeroed memory. entries must be a power of two. */
int ring_init(struct shm_ring *r, uint32_t entries, uint32_t entry_size);

/* Check a ring found in a mapped segment before trusting its geometry. */
bool ring_valid(const struct shm_ring *r, size_t region_size);

static inline uint32_t ring_count(const struct shm_ring *r)
{
	return atomic_load_explicit(&r->prod, memory_order_acquire) -
	       atomic_load_explicit(&r->cons, memory_order_acquire);
}

static inline uint32_t ring_free(const struct shm_ring *r)
{
	return r->entries - ring_count(r);
}

static inline void *ring_entry(struct shm_ring *r, uint32_t idx)
{
	return r->data + (size_t)(idx & (r->entries - 1)) * r->entry_size;
}

/* Producer: the next free entry, or NULL when the ring is full. */
static inline void *ring_reserve(struct shm_ring *r)
{
	uint32_t prod = atomic_load_explicit(&r->prod, memory_order_relaxed);
	uint32_t cons = atomic_load_explicit(&r->cons, memory_order_acquire);

	if (prod - cons >= r->entries)
		return NULL;
	return ring_entry(r, prod);
}

static inline void ring_commit(struct shm_ring *r)
{
	uint32_t prod = atomic_load_explicit(&r->prod, memory_order_relaxed);

	atomic_store_explicit(&r->prod, prod + 1, memory_order_release);
}

/* Consumer: the oldest entry, or NULL when the ring is empty. */
static inline void *ring_peek(struct shm_ring *r)
{
	uint32_t cons = atomic_load_explicit(&r->cons, memory_order_relaxed);
	uint32_t prod = atomic_load_explicit(&r->prod, memory_order_acquire);

	if (cons == prod)
		return NULL;
	return ring_entry(r, cons);
}

static inline void ring_release(struct shm_ring *r)
{
	uint32_t cons = atomic_load_explicit(&r->cons, memory_order_relaxed);

	atomic_store_explicit(&r->cons, cons + 1, memory_order_release);
}

#endif
