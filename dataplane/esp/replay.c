/* SPDX-License-Identifier: BSD-3-Clause */
#include "replay.h"

#include <errno.h>
#include <string.h>

int replay_init(struct replay_window *w, struct replay_bitmap *b, uint32_t size)
{
	if (size == 0)
		size = REPLAY_WINDOW_DEFAULT;
	if (size < REPLAY_WINDOW_MIN || size > REPLAY_WINDOW_MAX || (size & (size - 1)))
		return -EINVAL;
	w->size = size;
	/* RFC 6479 2: one spare block at least; twice the window keeps the
	 * block count a power of two so the index is a mask. */
	w->blocks = 2 * size / 64;
	replay_reset(w, b, 0);
	return 0;
}

void replay_reset(struct replay_window *w, struct replay_bitmap *b, uint64_t top)
{
	memset(b->blk, 0, w->blocks * sizeof(b->blk[0]));
	w->top = top;
	if (top)
		b->blk[(top >> 6) & (w->blocks - 1)] |= 1ull << (top & 63);
}

void replay_restore(struct replay_window *w, struct replay_bitmap *b, uint64_t top)
{
	uint64_t bit = top & 63;

	/* every block "seen"; the blocks ahead of top's are zeroed as the
	 * window enters them (replay_slide), top's own block only up to top */
	memset(b->blk, 0xff, w->blocks * sizeof(b->blk[0]));
	b->blk[(top >> 6) & (w->blocks - 1)] = bit == 63 ? ~0ull : (2ull << bit) - 1;
	w->top = top;
}

/* Zero the blocks the window enters when top moves to new_top. */
static void replay_slide(struct replay_window *w, struct replay_bitmap *b, uint64_t new_top)
{
	uint64_t from = w->top >> 6, n = (new_top >> 6) - from;

	if (n > w->blocks)
		n = w->blocks;
	for (uint64_t i = 1; i <= n; i++)
		b->blk[(from + i) & (w->blocks - 1)] = 0;
	w->top = new_top;
}

int replay_update(struct replay_window *w, struct replay_bitmap *b, uint64_t seq)
{
	int r = replay_check(w, b, seq);

	if (r != REPLAY_OK)
		return r;
	if (seq > w->top)
		replay_slide(w, b, seq);
	b->blk[(seq >> 6) & (w->blocks - 1)] |= 1ull << (seq & 63);
	return REPLAY_OK;
}
