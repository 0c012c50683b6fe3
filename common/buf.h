/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Bounded buffer with a sticky error flag, after nhrpd's zbuf: a parser pulls
 * several fields and checks once; a builder pushes and checks once.  Nothing
 * here allocates.  An out-of-bounds pull returns NULL (or zero for the typed
 * getters) and sets ->err; every later pull fails too.
 */
#ifndef DMVPN_BUF_H
#define DMVPN_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

struct buf {
	uint8_t *base;	/* start of the storage */
	size_t cap;	/* bytes of storage */
	size_t head;	/* read position (pull) */
	size_t tail;	/* write position (push) / end of readable data */
	bool err;	/* sticky: a pull or push went out of bounds */
};

/* A buffer to read: data[0..len). */
static inline void buf_init_read(struct buf *b, const void *data, size_t len)
{
	b->base = (uint8_t *)(uintptr_t)data;
	b->cap = len;
	b->head = 0;
	b->tail = len;
	b->err = false;
}

/* An empty buffer to write into: storage[0..cap). */
static inline void buf_init_write(struct buf *b, void *storage, size_t cap)
{
	b->base = storage;
	b->cap = cap;
	b->head = 0;
	b->tail = 0;
	b->err = false;
}

static inline size_t buf_len(const struct buf *b)
{
	return b->tail - b->head;
}

static inline const uint8_t *buf_data(const struct buf *b)
{
	return b->base + b->head;
}

/* Take n bytes from the front; NULL (and sticky err) if fewer remain. */
static inline const void *buf_pull(struct buf *b, size_t n)
{
	const uint8_t *p;

	if (b->err || buf_len(b) < n) {
		b->err = true;
		return NULL;
	}
	p = b->base + b->head;
	b->head += n;
	return p;
}

#define buf_pull_type(b, type) ((const type *)buf_pull((b), sizeof(type)))

static inline uint8_t buf_get_u8(struct buf *b)
{
	const uint8_t *p = buf_pull(b, 1);
	return p ? *p : 0;
}

static inline uint16_t buf_get_be16(struct buf *b)
{
	const uint8_t *p = buf_pull(b, 2);
	return p ? (uint16_t)(p[0] << 8 | p[1]) : 0;
}

static inline uint32_t buf_get_be32(struct buf *b)
{
	const uint8_t *p = buf_pull(b, 4);
	return p ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		   (uint32_t)p[2] << 8 | p[3] : 0;
}

/* Split off the next n bytes as a sub-buffer (for length-prefixed parts). */
static inline bool buf_sub(struct buf *b, size_t n, struct buf *sub)
{
	const void *p = buf_pull(b, n);

	buf_init_read(sub, p ? p : b->base, p ? n : 0);
	sub->err = p == NULL;
	return p != NULL;
}

/* Reserve n bytes at the end; NULL (and sticky err) if they do not fit. */
static inline void *buf_push(struct buf *b, size_t n)
{
	uint8_t *p;

	if (b->err || b->cap - b->tail < n) {
		b->err = true;
		return NULL;
	}
	p = b->base + b->tail;
	b->tail += n;
	return p;
}

#define buf_push_type(b, type) ((type *)buf_push((b), sizeof(type)))

static inline void buf_put(struct buf *b, const void *data, size_t n)
{
	void *p = buf_push(b, n);

	if (p && n)
		memcpy(p, data, n);
}

static inline void buf_put_u8(struct buf *b, uint8_t v)
{
	buf_put(b, &v, 1);
}

static inline void buf_put_be16(struct buf *b, uint16_t v)
{
	uint16_t n = htons(v);
	buf_put(b, &n, 2);
}

static inline void buf_put_be32(struct buf *b, uint32_t v)
{
	uint32_t n = htonl(v);
	buf_put(b, &n, 4);
}

/* Offset of the write position from the start of the storage. */
static inline size_t buf_offset(const struct buf *b)
{
	return b->tail;
}

#endif
