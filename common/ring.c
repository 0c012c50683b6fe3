/* SPDX-License-Identifier: BSD-3-Clause */
#include "ring.h"

#include <errno.h>

int ring_init(struct shm_ring *r, uint32_t entries, uint32_t entry_size)
{
	if (entries == 0 || (entries & (entries - 1)) || entry_size < 8 || entry_size % 8)
		return -EINVAL;
	r->entries = entries;
	r->entry_size = entry_size;
	r->magic = RING_MAGIC;
	atomic_store(&r->prod, 0);
	atomic_store(&r->cons, 0);
	return 0;
}

bool ring_valid(const struct shm_ring *r, size_t region_size)
{
	if (region_size < sizeof(*r) || r->magic != RING_MAGIC)
		return false;
	if (r->entries == 0 || (r->entries & (r->entries - 1)) ||
	    r->entry_size < 8 || r->entry_size % 8)
		return false;
	return ring_bytes(r->entries, r->entry_size) <= region_size;
}
