/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The adjacency rewrite (common/rewrite.c) against the IOS adjacency table
 * of seed 000 Example 7-17 (spoke-1-west, tunnel key 999):
 *
 *   IP Tunnel0 9.0.0.1(5)   4500000000000000FF2FA74109010182
 *                           0901010A20000800000003E7
 *   IP Tunnel0 9.0.0.3(5)   4500000000000000FF2FA6C509010182
 *                           0901018620000800000003E7
 */
#include <arpa/inet.h>
#include <string.h>

#include "cksum.h"
#include "common_tests.h"
#include "rewrite.h"
#include "shm.h"

static const struct {
	uint32_t src, dst;	/* host order */
	const char *ios;	/* as IOS prints it */
} seed_vec[] = {
/* 0 */	{ 0x09010182, 0x0901010a, "4500000000000000FF2FA74109010182\n0901010A20000800000003E7" },
/* 1 */	{ 0x09010182, 0x09010186, "4500000000000000FF2FA6C509010182\n0901018620000800000003E7" },
};

START_TEST(test_seed_7_17)
{
	uint8_t rw[ADJ_REWRITE_MAX], want[32];
	char hex[128];
	size_t wlen = test_unhex(seed_vec[_i].ios, want, sizeof(want));
	size_t len = adj_rewrite_build(rw, sizeof(rw), htonl(seed_vec[_i].src),
				       htonl(seed_vec[_i].dst), true, 999, 0x0800);

	ck_assert_uint_eq(wlen, 28);
	ck_assert_uint_eq(len, 28);
	ck_assert_mem_eq(rw, want, 28);
	adj_rewrite_hex(rw, len, hex, sizeof(hex));
	ck_assert_str_eq(hex, seed_vec[_i].ios);
}
END_TEST

START_TEST(test_no_key)
{
	uint8_t rw[ADJ_REWRITE_MAX], want[24];
	size_t len = adj_rewrite_build(rw, sizeof(rw), htonl(0xc6336402), htonl(0xc0000201),
				       false, 999, 0x0800);

	test_unhex("45000000 00000000 ff2f0000 c6336402 c0000201 00000800", want, sizeof(want));
	ck_assert_uint_eq(len, 24);
	ck_assert_mem_eq(rw, want, 10);			/* up to the checksum */
	ck_assert_mem_eq(rw + 12, want + 12, 12);	/* addresses, GRE without K */
	ck_assert_uint_eq(cksum(rw, 20), 0);		/* header checksum verifies */
}
END_TEST

START_TEST(test_gre_proto_and_cap)
{
	uint8_t rw[ADJ_REWRITE_MAX];

	/* NHRP rides GRE protocol 0x2001 (wire-formats.md 1) */
	ck_assert_uint_eq(adj_rewrite_build(rw, sizeof(rw), htonl(1), htonl(2), true, 0xfffffffe,
					    0x2001), 28);
	ck_assert_uint_eq(rw[22], 0x20);
	ck_assert_uint_eq(rw[23], 0x01);
	ck_assert_uint_eq(rw[24], 0xff);
	ck_assert_uint_eq(rw[27], 0xfe);
	ck_assert_uint_eq(adj_rewrite_build(rw, 27, htonl(1), htonl(2), true, 1, 0x0800), 0);
	ck_assert_uint_eq(adj_rewrite_build(rw, 28, htonl(1), htonl(2), true, 1, 0x0800), 28);
	ck_assert_uint_eq(adj_rewrite_build(rw, 23, htonl(1), htonl(2), false, 1, 0x0800), 0);
	ck_assert_uint_eq(adj_rewrite_build(rw, 24, htonl(1), htonl(2), false, 1, 0x0800), 24);
}
END_TEST

/* A short output buffer truncates, never overflows. */
START_TEST(test_hex_cap)
{
	uint8_t rw[ADJ_REWRITE_MAX];
	char hex[8];
	size_t len = adj_rewrite_build(rw, sizeof(rw), htonl(1), htonl(2), true, 1, 0x0800);

	memset(hex, 'x', sizeof(hex));
	adj_rewrite_hex(rw, len, hex, 5);
	ck_assert_str_eq(hex, "45");
	ck_assert_uint_eq((uint8_t)hex[5], 'x');
	adj_rewrite_hex(rw, len, hex, 0);
	ck_assert_uint_eq((uint8_t)hex[0], '4');	/* untouched */
}
END_TEST

Suite *rewrite_suite(void)
{
	Suite *s = suite_create("rewrite");
	TCase *tc = tcase_create("rewrite");

	tcase_add_loop_test(tc, test_seed_7_17, 0, sizeof(seed_vec) / sizeof(seed_vec[0]));
	tcase_add_test(tc, test_no_key);
	tcase_add_test(tc, test_gre_proto_and_cap);
	tcase_add_test(tc, test_hex_cap);
	suite_add_tcase(s, tc);
	return s;
}
