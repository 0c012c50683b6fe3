/* SPDX-License-Identifier: BSD-3-Clause */
/* Internet checksum (common/cksum.h): RFC 1071, odd lengths, RFC 1624. */
#include <arpa/inet.h>
#include <string.h>

#include "cksum.h"
#include "common_tests.h"

/* cksum() is in network order: store it as is and compare the bytes. */
static void ck_bytes(uint16_t c, uint8_t hi, uint8_t lo)
{
	uint8_t b[2];

	memcpy(b, &c, 2);
	ck_assert_msg(b[0] == hi && b[1] == lo, "checksum %02x%02x, want %02x%02x", b[0], b[1],
		      hi, lo);
}

static const struct {
	const char *hex;
	uint8_t hi, lo;
} vec[] = {
/* 0 */	{ "", 0xff, 0xff },
/* 1 */	{ "ab", 0x54, 0xff },				/* odd: ab00 */
/* 2 */	{ "0001f203f4f5f6f7", 0x22, 0x0d },		/* RFC 1071 3: sum ddf2 */
/* 3 */	{ "0001f203f4f5f6f7ab", 0x77, 0x0c },		/* + odd byte: ddf2 + ab00 */
/* 4 */	{ "ffff", 0x00, 0x00 },
/* 5 */	{ "4500000000000000ff2f000009010182 0901010a", 0xa7, 0x41 },	/* seed 000 7-17 */
/* 6 */	{ "4500000000000000ff2f000009010182 09010186", 0xa6, 0xc5 },
};

START_TEST(test_vectors)
{
	uint8_t buf[64];
	size_t n = test_unhex(vec[_i].hex, buf, sizeof(buf));

	ck_bytes(cksum(buf, n), vec[_i].hi, vec[_i].lo);
}
END_TEST

/*
 * wire-formats.md 2.8: an 81-octet NHRP Registration Request with the Cisco
 * authentication extension (tcpdump ios_nhrp.pcap), checksum 0xe8e4.  Odd
 * length: the last octet is summed as if followed by 0x00 (RFC 2332 5.1).
 */
static const char nhrp_odd[] =
	"00010800 00000000 00ff0051 e8e40034 01030400 04048000 00000005 0a000c02"
	"c0a80002 c0a80001 00ff0000 05ea001e 00000000 80030000 80040000 80050000"
	"80070009 00000001 43495343 4f800000 00";

START_TEST(test_nhrp_odd_length)
{
	uint8_t pkt[96];
	size_t n = test_unhex(nhrp_odd, pkt, sizeof(pkt));

	ck_assert_uint_eq(n, 81);
	ck_assert_uint_eq(cksum(pkt, n), 0);	/* a receiver sums to zero */
	pkt[12] = pkt[13] = 0;			/* ar$chksum */
	ck_bytes(cksum(pkt, n), 0xe8, 0xe4);	/* a sender computes e8e4 */
	/* Partial sums: even-sized pieces first, the odd tail last. */
	ck_bytes(cksum_finish(cksum_partial(pkt + 40, 41, cksum_partial(pkt, 40, 0))), 0xe8, 0xe4);
	ck_bytes(cksum_finish(cksum_partial(pkt + 2, 79, cksum_partial(pkt, 2, 0))), 0xe8, 0xe4);
	/* The padding byte is 0x00, not whatever follows in memory. */
	pkt[81] = 0xff;
	ck_bytes(cksum(pkt, n), 0xe8, 0xe4);
}
END_TEST

/* Every length and alignment the 8-byte loop can meet agrees with a plain
 * 16-bit reference sum. */
START_TEST(test_lengths_alignments)
{
	uint8_t buf[80];
	uint32_t x = 1;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len + off <= sizeof(buf); len++) {
			uint32_t s = 0;
			uint16_t ref;

			for (size_t k = 0; k < len; k += 2)
				s += (uint32_t)buf[off + k] << 8 | (k + 1 < len ? buf[off + k + 1] : 0);
			while (s >> 16)
				s = (s & 0xffff) + (s >> 16);
			ref = htons((uint16_t)~s);
			ck_assert_msg(cksum(buf + off, len) == ref, "off %zu len %zu", off, len);
		}
	}
}
END_TEST

/* RFC 1624 eqn. 3 gives what a full recomputation gives (TTL decrement and
 * arbitrary word changes in an IPv4 header). */
START_TEST(test_update16)
{
	uint8_t hdr[20];
	uint32_t x = 7;

	test_unhex("4500005c 1c460000 ff2f0000 c6336402 c0000201", hdr, sizeof(hdr));
	for (int i = 0; i < 20000; i++) {
		uint16_t c, old, nw, inc;
		size_t w;

		c = cksum(hdr, 20);
		memcpy(hdr + 10, &c, 2);
		x = x * 1103515245u + 12345u;
		w = i % 2 ? 4 : (x >> 8) % 10;	/* word 5 is the checksum itself */
		if (w == 5)
			w = 4;
		memcpy(&old, hdr + 2 * w, 2);
		nw = i % 2 ? htons((uint16_t)(ntohs(old) - 0x100)) : (uint16_t)(x >> 16);
		memcpy(hdr + 2 * w, &nw, 2);
		inc = cksum_update16(c, old, nw);
		memset(hdr + 10, 0, 2);
		ck_assert_msg(cksum(hdr, 20) == inc || (cksum(hdr, 20) == 0xffff && inc == 0) ||
			      (cksum(hdr, 20) == 0 && inc == 0xffff),
			      "step %d: full %04x incremental %04x", i, cksum(hdr, 20), inc);
		memcpy(hdr + 10, &inc, 2);
		ck_assert_uint_eq(cksum(hdr, 20), 0);	/* still verifies */
		memset(hdr + 10, 0, 2);
	}
}
END_TEST

Suite *cksum_suite(void)
{
	Suite *s = suite_create("cksum");
	TCase *tc = tcase_create("cksum");

	tcase_add_loop_test(tc, test_vectors, 0, sizeof(vec) / sizeof(vec[0]));
	tcase_add_test(tc, test_nhrp_odd_length);
	tcase_add_test(tc, test_lengths_alignments);
	tcase_add_test(tc, test_update16);
	suite_add_tcase(s, tc);
	return s;
}
