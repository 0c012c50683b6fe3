/* SPDX-License-Identifier: BSD-3-Clause */
/* Anti-replay window (RFC 4303 3.4.3, RFC 6479) and ESN inference (RFC 4303 A2). */
#include <stdlib.h>
#include <string.h>

#include "esp_test.h"
#include "replay.h"

struct rp {
	struct replay_window w;
	struct replay_bitmap b;
};

/* 1. window sizes: 0 = default, powers of two 64..4096 only */
static const struct {
	uint32_t size;
	int err;
	uint32_t got;
} sizes[] = {
	/* 1 */ { 0, 0, 1024 },
	/* 2 */ { 64, 0, 64 },
	/* 3 */ { 128, 0, 128 },
	/* 4 */ { 1024, 0, 1024 },
	/* 5 */ { 4096, 0, 4096 },
	/* 6 */ { 32, -22, 0 },
	/* 7 */ { 65, -22, 0 },
	/* 8 */ { 1000, -22, 0 },
	/* 9 */ { 8192, -22, 0 },
	/* 10 */ { 3072, -22, 0 },
};

START_TEST(window_sizes)
{
	struct rp r;

	ck_assert_int_eq(replay_init(&r.w, &r.b, sizes[_i].size), sizes[_i].err);
	if (!sizes[_i].err) {
		ck_assert_uint_eq(r.w.size, sizes[_i].got);
		ck_assert_uint_eq(r.w.blocks, 2 * sizes[_i].got / 64);
		ck_assert_uint_eq(r.w.top, 0);
	}
}
END_TEST

/* 2. one window of 64, step by step: {seq, check result, top after update} */
static const struct {
	uint64_t seq;
	int res;
	uint64_t top;
} steps[] = {
	/* 1 */ { 0, REPLAY_OLD, 0 },
	/* 2 */ { 1, REPLAY_OK, 1 },
	/* 3 */ { 1, REPLAY_DUP, 1 },
	/* 4 */ { 2, REPLAY_OK, 2 },
	/* 5 */ { 64, REPLAY_OK, 64 },
	/* 6 */ { 65, REPLAY_OK, 65 },
	/* 7 */ { 1, REPLAY_OLD, 65 },	/* 65 - 1 = 64 = W: out */
	/* 8 */ { 2, REPLAY_DUP, 65 },	/* 63 behind: in, seen */
	/* 9 */ { 3, REPLAY_OK, 65 },	/* in, not seen */
	/* 10 */ { 3, REPLAY_DUP, 65 },
	/* 11 */ { 200, REPLAY_OK, 200 },	/* jump past the whole bitmap */
	/* 12 */ { 136, REPLAY_OLD, 200 },
	/* 13 */ { 137, REPLAY_OK, 200 },	/* bit of an old block was cleared */
	/* 14 */ { 137, REPLAY_DUP, 200 },
	/* 15 */ { 199, REPLAY_OK, 200 },
	/* 16 */ { 200, REPLAY_DUP, 200 },
	/* 17 */ { 201, REPLAY_OK, 201 },
	/* 18 */ { 1000000, REPLAY_OK, 1000000 },
	/* 19 */ { 999937, REPLAY_OK, 1000000 },	/* 63 behind */
	/* 20 */ { 999936, REPLAY_OLD, 1000000 },
};

START_TEST(window_steps)
{
	struct rp r;

	ck_assert_int_eq(replay_init(&r.w, &r.b, 64), 0);
	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int c = replay_check(&r.w, &r.b, steps[i].seq);

		ck_assert_msg(c == steps[i].res, "step %u: seq %llu check %d want %d", i + 1,
			      (unsigned long long)steps[i].seq, c, steps[i].res);
		/* check() changes nothing: same answer twice */
		ck_assert_int_eq(replay_check(&r.w, &r.b, steps[i].seq), c);
		ck_assert_int_eq(replay_update(&r.w, &r.b, steps[i].seq), c);
		ck_assert_msg(r.w.top == steps[i].top, "step %u: top %llu", i + 1,
			      (unsigned long long)r.w.top);
	}
}
END_TEST

/* 3. differential: random traffic against a naive model, every window size */
static int model_check(const uint8_t *seen, uint64_t top, uint32_t w, uint64_t seq)
{
	if (seq == 0)
		return REPLAY_OLD;
	if (seq > top)
		return REPLAY_OK;
	if (top - seq >= w)
		return REPLAY_OLD;
	return seen[seq] ? REPLAY_DUP : REPLAY_OK;
}

START_TEST(window_vs_model)
{
	static const uint32_t wsz[] = { 64, 128, 256, 512, 1024, 2048, 4096 };
	uint32_t w = wsz[_i];
	unsigned int max = 40000;
	uint8_t *seen = calloc(max + 1, 1);
	uint64_t top = 0;
	struct rp r;

	srandom(6479 + _i);
	ck_assert_int_eq(replay_init(&r.w, &r.b, w), 0);
	for (unsigned int n = 0; n < 200000 / (et_stride() > 1 ? 10 : 1); n++) {
		/* mostly near the top, sometimes jumps, sometimes far behind */
		long d = random() % (3 * (long)w) - 2 * (long)w;
		uint64_t seq = (int64_t)top + d < 0 ? 0 : (uint64_t)((int64_t)top + d);
		int want, got;

		if (random() % 100 == 0)
			seq = top + random() % (4 * w);
		if (seq > max)
			seq = max;
		want = model_check(seen, top, w, seq);
		got = replay_update(&r.w, &r.b, seq);
		ck_assert_msg(got == want, "w %u seq %llu top %llu: got %d want %d", w,
			      (unsigned long long)seq, (unsigned long long)top, got, want);
		if (want == REPLAY_OK) {
			seen[seq] = 1;
			if (seq > top)
				top = seq;
		}
		ck_assert_uint_eq(r.w.top, top);
	}
	free(seen);
}
END_TEST

/* 4. in order to 5000 with W = 1024, then everything in the window is a duplicate */
START_TEST(window_slide_1024)
{
	struct rp r;

	ck_assert_int_eq(replay_init(&r.w, &r.b, 1024), 0);
	for (uint64_t s = 1; s <= 5000; s++)
		ck_assert_int_eq(replay_update(&r.w, &r.b, s), REPLAY_OK);
	for (uint64_t s = 5000 - 1023; s <= 5000; s++)
		ck_assert_int_eq(replay_check(&r.w, &r.b, s), REPLAY_DUP);
	ck_assert_int_eq(replay_check(&r.w, &r.b, 5000 - 1024), REPLAY_OLD);
	ck_assert_int_eq(replay_check(&r.w, &r.b, 5001), REPLAY_OK);
}
END_TEST

/* 5. W = 4096: a shuffled window's worth arrives once each, then again */
START_TEST(window_shuffle_4096)
{
	enum { W = 4096, BASE = 100000 };
	uint32_t *order = malloc(W * sizeof(*order));
	struct rp r;

	ck_assert_int_eq(replay_init(&r.w, &r.b, W), 0);
	ck_assert_int_eq(replay_update(&r.w, &r.b, BASE + W), REPLAY_OK);
	for (uint32_t i = 0; i < W; i++)
		order[i] = i;
	srandom(4096);
	for (uint32_t i = W - 1; i > 0; i--) {
		uint32_t j = (uint32_t)random() % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < W; i++) {
		uint64_t s = BASE + 1 + order[i];	/* BASE+1 .. BASE+W */
		int want = s == BASE + W ? REPLAY_DUP : REPLAY_OK;

		ck_assert_int_eq(replay_update(&r.w, &r.b, s), want);
	}
	for (uint32_t i = 0; i < W; i++)
		ck_assert_int_eq(replay_check(&r.w, &r.b, BASE + 1 + i), REPLAY_DUP);
	ck_assert_int_eq(replay_check(&r.w, &r.b, BASE), REPLAY_OLD);
	free(order);
}
END_TEST

/* 6. RFC 4303 A2.2 inference: {top, W, received low 32 bits, 64-bit result} */
static const struct {
	uint64_t top;
	uint32_t w;
	uint32_t seql;
	uint64_t seq;
} infer[] = {
	/* Case A: the window is inside one subspace */
	/* 1 */ { 1000, 64, 1001, 1001 },
	/* 2 */ { 1000, 64, 937, 937 },
	/* 3 */ { 1000, 64, 936, (1ull << 32) + 936 },	/* below the window: next subspace */
	/* 4 */ { 0xfffffff6, 64, 5, (1ull << 32) + 5 },	/* just wrapped */
	/* 5 */ { 0xfffffff6, 64, 0xfffffff0, 0xfffffff0 },
	/* 6 */ { (7ull << 32) + 500, 1024, 400, (7ull << 32) + 400 },
	/* Case B: the window spans two subspaces */
	/* 7 */ { (1ull << 32) + 5, 64, 0xfffffff0, 0xfffffff0 },	/* late, old subspace */
	/* 8 */ { (1ull << 32) + 5, 64, 3, (1ull << 32) + 3 },
	/* 9 */ { (1ull << 32) + 5, 64, 0x100, (1ull << 32) + 0x100 },
	/* 10 */ { (1ull << 32) + 5, 64, 0xffffffc6, 0xffffffc6 },	/* window bottom */
	/* 11 */ { (1ull << 32) + 5, 64, 0xffffffc5, (1ull << 32) + 0xffffffc5 },
	/* 12 */ { (1ull << 32), 1024, 1, (1ull << 32) + 1 },	/* the Linux ESN vector */
	/* invalid: below 0 or past 2^64 */
	/* 13 */ { 5, 64, 0xfffffff0, 0 },
	/* 14 */ { 0, 1024, 0xffffffff, 0 },
	/* 15 */ { 0xfffffffffffffff0ull, 64, 5, 0 },
};

START_TEST(esn_infer)
{
	struct replay_window w = { .top = infer[_i].top, .size = infer[_i].w,
				   .blocks = 2 * infer[_i].w / 64 };

	ck_assert_msg(replay_esn_infer(&w, infer[_i].seql) == infer[_i].seq,
		      "vector %d: got %llx", _i + 1,
		      (unsigned long long)replay_esn_infer(&w, infer[_i].seql));
}
END_TEST

/* 7. ESN traffic across 2^32 with only the low 32 bits on the wire */
START_TEST(esn_wrap)
{
	struct rp r;
	uint64_t start = (1ull << 32) - 3000;

	ck_assert_int_eq(replay_init(&r.w, &r.b, 1024), 0);
	replay_reset(&r.w, &r.b, start - 1);
	for (uint64_t s = start; s < start + 6000; s++) {
		uint64_t got = replay_esn_infer(&r.w, (uint32_t)s);

		ck_assert_uint_eq(got, s);
		ck_assert_int_eq(replay_update(&r.w, &r.b, got), REPLAY_OK);
		/* a replay of a number 500 back, across the wrap too */
		if (s - start > 500) {
			uint64_t old = replay_esn_infer(&r.w, (uint32_t)(s - 500));

			ck_assert_uint_eq(old, s - 500);
			ck_assert_int_eq(replay_check(&r.w, &r.b, old), REPLAY_DUP);
		}
	}
	ck_assert_uint_eq(r.w.top, start + 5999);
	ck_assert_uint_gt(r.w.top, 1ull << 32);
}
END_TEST

/* 8. reset: the restored top counts as received */
START_TEST(window_reset)
{
	struct rp r;

	ck_assert_int_eq(replay_init(&r.w, &r.b, 128), 0);
	ck_assert_int_eq(replay_update(&r.w, &r.b, 50), REPLAY_OK);
	replay_reset(&r.w, &r.b, 7000);
	ck_assert_uint_eq(r.w.top, 7000);
	ck_assert_int_eq(replay_check(&r.w, &r.b, 7000), REPLAY_DUP);
	ck_assert_int_eq(replay_check(&r.w, &r.b, 6999), REPLAY_OK);
	ck_assert_int_eq(replay_check(&r.w, &r.b, 7000 - 128), REPLAY_OLD);
	ck_assert_int_eq(replay_check(&r.w, &r.b, 50), REPLAY_OLD);
	replay_reset(&r.w, &r.b, 0);
	ck_assert_int_eq(replay_check(&r.w, &r.b, 50), REPLAY_OK);
}
END_TEST

/* 9. restore after a restart: top and the whole window below it count as
 * received; numbers above top are new, and the blocks ahead start empty */
START_TEST(window_restore)
{
	static const uint64_t tops[] = { 7000, 7039, 7040, 7103, 63, 64, 5 };

	for (unsigned int i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
		struct rp r;
		uint64_t t = tops[i];

		ck_assert_int_eq(replay_init(&r.w, &r.b, 128), 0);
		replay_restore(&r.w, &r.b, t);
		ck_assert_uint_eq(r.w.top, t);
		for (uint64_t s = t > 127 ? t - 127 : 1; s <= t; s++)
			ck_assert_int_eq(replay_check(&r.w, &r.b, s), REPLAY_DUP);
		if (t > 128)
			ck_assert_int_eq(replay_check(&r.w, &r.b, t - 128), REPLAY_OLD);
		/* a jump ahead: the skipped numbers are not "seen" */
		ck_assert_int_eq(replay_update(&r.w, &r.b, t + 3), REPLAY_OK);
		ck_assert_int_eq(replay_check(&r.w, &r.b, t + 1), REPLAY_OK);
		ck_assert_int_eq(replay_check(&r.w, &r.b, t + 2), REPLAY_OK);
		ck_assert_int_eq(replay_check(&r.w, &r.b, t + 3), REPLAY_DUP);
		ck_assert_int_eq(replay_update(&r.w, &r.b, t + 100), REPLAY_OK);
		for (uint64_t s = t + 4; s < t + 100; s++)
			ck_assert_int_eq(replay_check(&r.w, &r.b, s), REPLAY_OK);
		ck_assert_int_eq(replay_check(&r.w, &r.b, t), t + 100 - t < 128 ?
				 REPLAY_DUP : REPLAY_OLD);
	}
}
END_TEST

Suite *replay_suite(void)
{
	Suite *s = suite_create("replay");
	TCase *tc = tcase_create("window");

	tcase_add_loop_test(tc, window_sizes, 0, sizeof(sizes) / sizeof(sizes[0]));
	tcase_add_test(tc, window_steps);
	tcase_add_test(tc, window_restore);
	tcase_add_loop_test(tc, window_vs_model, 0, 7);
	tcase_add_test(tc, window_slide_1024);
	tcase_add_test(tc, window_shuffle_4096);
	tcase_add_loop_test(tc, esn_infer, 0, sizeof(infer) / sizeof(infer[0]));
	tcase_add_test(tc, esn_wrap);
	tcase_add_test(tc, window_reset);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
