/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The SPSC ring (common/ring.h): geometry checks, full and empty, index
 * wraparound (ring slots and the 32-bit counters), and two threads moving
 * a million sequenced entries in order.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "common_tests.h"
#include "ring.h"

static struct shm_ring *ring_new(uint32_t entries, uint32_t entry_size)
{
	size_t bytes = ring_bytes(entries, entry_size);
	struct shm_ring *r = aligned_alloc(64, (bytes + 63) & ~(size_t)63);

	ck_assert_ptr_nonnull(r);
	memset(r, 0, bytes);
	ck_assert_int_eq(ring_init(r, entries, entry_size), 0);
	return r;
}

static const struct {
	uint32_t entries, entry_size;
	int rc;
} init_vec[] = {
/* 0 */	{ 8, 8, 0 },
/* 1 */	{ 1, 64, 0 },
/* 2 */	{ 0, 64, -EINVAL },
/* 3 */	{ 12, 64, -EINVAL },
/* 4 */	{ 8, 4, -EINVAL },
/* 5 */	{ 8, 12, -EINVAL },
/* 6 */	{ 1u << 31, 8, 0 },	/* geometry only: nothing is touched past the header */
};

START_TEST(test_init)
{
	struct shm_ring r;

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(ring_init(&r, init_vec[_i].entries, init_vec[_i].entry_size),
			 init_vec[_i].rc);
}
END_TEST

START_TEST(test_valid)
{
	struct shm_ring *r = ring_new(16, 64);
	size_t bytes = ring_bytes(16, 64);

	ck_assert(ring_valid(r, bytes));
	ck_assert(!ring_valid(r, bytes - 1));		/* region too small */
	ck_assert(!ring_valid(r, sizeof(*r) - 1));
	r->entries = 24;
	ck_assert(!ring_valid(r, 1 << 20));		/* not a power of two */
	r->entries = 16;
	r->entry_size = 60;
	ck_assert(!ring_valid(r, 1 << 20));		/* not a multiple of 8 */
	r->entry_size = 64;
	r->magic = 0;
	ck_assert(!ring_valid(r, bytes));
	free(r);
}
END_TEST

START_TEST(test_full_empty)
{
	struct shm_ring *r = ring_new(8, 16);
	uint64_t *e;

	ck_assert_ptr_null(ring_peek(r));
	ck_assert_uint_eq(ring_free(r), 8);
	for (uint64_t i = 0; i < 8; i++) {
		e = ring_reserve(r);
		ck_assert_ptr_nonnull(e);
		*e = i;
		ring_commit(r);
	}
	ck_assert_ptr_null(ring_reserve(r));	/* full */
	ck_assert_uint_eq(ring_count(r), 8);
	ck_assert_uint_eq(ring_free(r), 0);
	/* reserve without commit is not visible and not counted */
	e = ring_peek(r);
	ck_assert_uint_eq(*e, 0);
	ring_release(r);
	e = ring_reserve(r);
	ck_assert_ptr_nonnull(e);
	*e = 8;
	ck_assert_uint_eq(ring_count(r), 7);
	ring_commit(r);
	for (uint64_t i = 1; i <= 8; i++) {
		e = ring_peek(r);
		ck_assert_ptr_nonnull(e);
		ck_assert_uint_eq(*e, i);
		ring_release(r);
	}
	ck_assert_ptr_null(ring_peek(r));	/* empty */
	ck_assert_uint_eq(ring_count(r), 0);
	free(r);
}
END_TEST

/* Counters start just below 2^32 so both the slot index and the 32-bit
 * counters wrap while entries are in flight. */
START_TEST(test_wraparound)
{
	struct shm_ring *r = ring_new(4, 8);
	uint64_t next_in = 0, next_out = 0;

	atomic_store(&r->prod, UINT32_MAX - 5);
	atomic_store(&r->cons, UINT32_MAX - 5);
	for (int round = 0; round < 64; round++) {
		uint64_t *e;

		/* fill to full, then drain a varying number */
		while ((e = ring_reserve(r)) != NULL) {
			*e = next_in++;
			ring_commit(r);
		}
		ck_assert_uint_eq(ring_count(r), 4);
		for (int k = 0; k <= round % 4; k++) {
			e = ring_peek(r);
			ck_assert_ptr_nonnull(e);
			ck_assert_uint_eq(*e, next_out++);
			ring_release(r);
		}
	}
	ck_assert_uint_lt(atomic_load(&r->prod), 1000);	/* it did wrap */
	ck_assert_uint_eq(next_in - next_out, ring_count(r));
	free(r);
}
END_TEST

#define SPSC_N 1000000u

struct spsc_entry {
	uint64_t seq;
	uint64_t pad[6];
	uint64_t check;		/* ~seq: a torn entry shows */
};

static void *spsc_producer(void *arg)
{
	struct shm_ring *r = arg;

	for (uint64_t i = 0; i < SPSC_N; i++) {
		struct spsc_entry *e;

		while ((e = ring_reserve(r)) == NULL)
			sched_yield();
		e->seq = i;
		e->check = ~i;
		ring_commit(r);
	}
	return NULL;
}

START_TEST(test_two_threads)
{
	struct shm_ring *r = ring_new(256, sizeof(struct spsc_entry));
	uint64_t bad = 0, next = 0;
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, spsc_producer, r), 0);
	while (next < SPSC_N) {
		struct spsc_entry *e = ring_peek(r);

		if (!e) {
			sched_yield();
			continue;
		}
		if (e->seq != next || e->check != ~next)
			bad++;
		next++;
		ring_release(r);
	}
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_uint_eq(bad, 0);
	ck_assert_ptr_null(ring_peek(r));
	ck_assert_uint_eq(atomic_load(&r->prod), SPSC_N);
	free(r);
}
END_TEST

Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("ring");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_init, 0, sizeof(init_vec) / sizeof(init_vec[0]));
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_full_empty);
	tcase_add_test(tc, test_wraparound);
	tcase_add_test(tc, test_two_threads);
	suite_add_tcase(s, tc);
	return s;
}
