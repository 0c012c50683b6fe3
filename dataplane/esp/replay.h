/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inbound anti-replay window (RFC 4303 3.4.3) kept as an RFC 6479 bitmap of
 * 64-bit blocks, with the ESN high-half inference of RFC 4303 Appendix A2.
 *
 * The window accepts the `size` sequence numbers (top - size, top]; anything
 * newer than top slides it.  The bitmap holds twice the window (rounded to
 * whole blocks, a power of two of them) so that sliding only zeroes the
 * blocks it enters, never shifts (RFC 6479 2).
 *
 * check() and update() are separate on purpose: ESP checks before it spends
 * cycles on decryption and updates only after the ICV verified (RFC 4303
 * 3.4.3); update() checks again, so two copies of one packet in the same
 * burst cannot both pass.
 *
 * The split header/bitmap lets the SA keep the 16-byte header in its first
 * cache line and the bitmap further away: a packet touches the header and
 * one bitmap line.
 */
#ifndef DMVPN_REPLAY_H
#define DMVPN_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_WINDOW_DEFAULT 1024
#define REPLAY_WINDOW_MIN 64
#define REPLAY_WINDOW_MAX 4096
#define REPLAY_BLOCKS_MAX (2 * REPLAY_WINDOW_MAX / 64)

enum replay_result {
	REPLAY_OK = 0,
	REPLAY_DUP = 1,		/* inside the window, already seen */
	REPLAY_OLD = 2,		/* left of the window (or sequence number 0) */
};

struct replay_window {
	uint64_t top;		/* highest sequence number accepted; 0 = none */
	uint32_t size;		/* W: power of two, REPLAY_WINDOW_MIN..MAX */
	uint32_t blocks;	/* bitmap blocks in use: 2 * W / 64 */
};
_Static_assert(sizeof(struct replay_window) == 16, "replay_window");

struct replay_bitmap {
	uint64_t blk[REPLAY_BLOCKS_MAX];
};

/* size 0 = REPLAY_WINDOW_DEFAULT; -EINVAL unless a power of two in range. */
int replay_init(struct replay_window *w, struct replay_bitmap *b, uint32_t size)
	__attribute__((warn_unused_result));

/* Forget everything and make `top` the highest number seen (0 = none);
 * the numbers below it in the window count as not received. */
void replay_reset(struct replay_window *w, struct replay_bitmap *b, uint64_t top);

/* Restore a window after a restart (shm_sa.seq_in_top): `top` and every
 * number below it count as received.  What arrived between the last mirror
 * of top and the restart is unknown; treating the whole window below top as
 * seen refuses replays of it, at the price of a late, reordered packet from
 * before the restart (it would be dropped as a replay). */
void replay_restore(struct replay_window *w, struct replay_bitmap *b, uint64_t top);

/*
 * RFC 4303 Appendix A2.2: the 64-bit sequence number of a packet that
 * carried only the low 32 bits, guessed from the window.  0 when the guess
 * falls below the first subspace or above the last (never valid).
 */
static inline uint64_t replay_esn_infer(const struct replay_window *w, uint32_t seql)
{
	uint32_t tl = (uint32_t)w->top, th = (uint32_t)(w->top >> 32);
	uint32_t bottom = tl - w->size + 1;	/* modulo 2^32 */
	uint64_t sh;

	if (tl >= w->size - 1)			/* Case A: window in one subspace */
		sh = seql >= bottom ? th : (uint64_t)th + 1;
	else					/* Case B: window spans two */
		sh = seql >= bottom ? (uint64_t)th - 1 : th;
	if (sh > UINT32_MAX)			/* below 0 or above 2^64 - 1 */
		return 0;
	return sh << 32 | seql;
}

static inline int replay_check(const struct replay_window *w, const struct replay_bitmap *b,
			       uint64_t seq)
{
	uint64_t blk;

	if (seq == 0)
		return REPLAY_OLD;
	if (seq > w->top)
		return REPLAY_OK;
	if (w->top - seq >= w->size)
		return REPLAY_OLD;
	blk = b->blk[(seq >> 6) & (w->blocks - 1)];
	return blk >> (seq & 63) & 1 ? REPLAY_DUP : REPLAY_OK;
}

/* Check again, then mark seq seen and slide the window if it is new. */
int replay_update(struct replay_window *w, struct replay_bitmap *b, uint64_t seq);

/* SA_F_NO_REPLAY: keep top moving (ESN inference) without any bookkeeping. */
static inline void replay_advance(struct replay_window *w, uint64_t seq)
{
	if (seq > w->top)
		w->top = seq;
}

#endif
