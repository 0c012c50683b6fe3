/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 address, prefix and MAC text <-> binary (common/addr.c). */
#include <arpa/inet.h>
#include <string.h>

#include "addr.h"
#include "common_tests.h"

static const struct {
	const char *text;
	bool ok;
	uint32_t host;		/* host order, when ok */
} addr_vec[] = {
/* 0 */	{ "0.0.0.0", true, 0x00000000 },
/* 1 */	{ "255.255.255.255", true, 0xffffffff },
/* 2 */	{ "192.0.2.1", true, 0xc0000201 },
/* 3 */	{ "9.1.1.130", true, 0x09010182 },
/* 4 */	{ "", false, 0 },
/* 5 */	{ "1.2.3", false, 0 },
/* 6 */	{ "1.2.3.4.5", false, 0 },
/* 7 */	{ "256.1.1.1", false, 0 },
/* 8 */	{ "1.2.3.4 ", false, 0 },
/* 9 */	{ " 1.2.3.4", false, 0 },
/* 10 */{ "1..2.3", false, 0 },
/* 11 */{ "a.b.c.d", false, 0 },
/* 12 */{ "1.2.3.-4", false, 0 },
/* 13 */{ "1234.1.1.1", false, 0 },
/* 14 */{ "1.2.3.4/24", false, 0 },
/* 15 */{ "1.2.3.", false, 0 },
/* 16 */{ "+1.2.3.4", false, 0 },
};

START_TEST(test_addr_parse)
{
	uint32_t a = 0xdeadbeef;
	bool ok = addr_parse(addr_vec[_i].text, &a);

	ck_assert_msg(ok == addr_vec[_i].ok, "%d \"%s\": %d", _i, addr_vec[_i].text, ok);
	if (ok)
		ck_assert_uint_eq(a, htonl(addr_vec[_i].host));
}
END_TEST

static const struct {
	const char *text;
	bool host_bits;		/* allow_host_bits */
	bool ok;
	uint32_t host;
	uint8_t plen;
} prefix_vec[] = {
/* 0 */	{ "10.0.0.0/8", false, true, 0x0a000000, 8 },
/* 1 */	{ "0.0.0.0/0", false, true, 0, 0 },
/* 2 */	{ "10.0.0.1/32", false, true, 0x0a000001, 32 },
/* 3 */	{ "10.0.0.1/24", true, true, 0x0a000001, 24 },
/* 4 */	{ "10.0.0.1/24", false, false, 0, 0 },
/* 5 */	{ "10.0.0.0/33", true, false, 0, 0 },
/* 6 */	{ "10.0.0.0/", true, false, 0, 0 },
/* 7 */	{ "10.0.0.0/-1", true, false, 0, 0 },
/* 8 */	{ "10.0.0.0/24x", true, false, 0, 0 },
/* 9 */	{ "10.0.0.0", true, false, 0, 0 },
/* 10 */{ "/24", true, false, 0, 0 },
/* 11 */{ "10.0.0.0/+8", true, false, 0, 0 },
/* 12 */{ "10.0.0.256/24", true, false, 0, 0 },
/* 13 */{ "128.0.0.0/1", false, true, 0x80000000, 1 },
/* 14 */{ "192.0.2.255/31", false, false, 0, 0 },
/* 15 */{ "1111.0.0.0000/8", true, false, 0, 0 },
};

START_TEST(test_prefix_parse)
{
	uint32_t a = 0;
	uint8_t plen = 99;
	bool ok = prefix_parse(prefix_vec[_i].text, &a, &plen, prefix_vec[_i].host_bits);

	ck_assert_msg(ok == prefix_vec[_i].ok, "%d \"%s\": %d", _i, prefix_vec[_i].text, ok);
	if (ok) {
		ck_assert_uint_eq(a, htonl(prefix_vec[_i].host));
		ck_assert_uint_eq(plen, prefix_vec[_i].plen);
	}
}
END_TEST

static const struct {
	const char *text;
	bool ok;
	uint8_t mac[6];
} mac_vec[] = {
/* 0 */	{ "aa:bb:cc:dd:ee:ff", true, { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff } },
/* 1 */	{ "00:00:5E:00:53:01", true, { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01 } },
/* 2 */	{ "aa:bb:cc:dd:ee", false, { 0 } },
/* 3 */	{ "aa:bb:cc:dd:ee:ff:00", false, { 0 } },
/* 4 */	{ "aa-bb-cc-dd-ee-ff", false, { 0 } },
/* 5 */	{ "aa:bb:cc:dd:ee:fg", false, { 0 } },
/* 6 */	{ "a:bb:cc:dd:ee:fff", false, { 0 } },
/* 7 */	{ " a:bb:cc:dd:ee:ff", false, { 0 } },
/* 8 */	{ "+a:bb:cc:dd:ee:ff", false, { 0 } },
/* 9 */	{ "-1:bb:cc:dd:ee:ff", false, { 0 } },
/* 10 */{ "", false, { 0 } },
/* 11 */{ "aa:bb:cc:dd:ee:f", false, { 0 } },
/* 12 */{ "aabbccddeeff", false, { 0 } },
};

START_TEST(test_mac_parse)
{
	uint8_t mac[6] = { 1, 2, 3, 4, 5, 6 };
	static const uint8_t untouched[6] = { 1, 2, 3, 4, 5, 6 };
	bool ok = mac_parse(mac_vec[_i].text, mac);

	ck_assert_msg(ok == mac_vec[_i].ok, "%d \"%s\": %d", _i, mac_vec[_i].text, ok);
	ck_assert_mem_eq(mac, ok ? mac_vec[_i].mac : untouched, 6);
}
END_TEST

START_TEST(test_fmt)
{
	char a[ADDR_STRLEN], p[PREFIX_STRLEN], m[MAC_STRLEN];
	static const uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0xab, 0xff };

	ck_assert_str_eq(addr_fmt(htonl(0xffffffff), a), "255.255.255.255");
	ck_assert_str_eq(addr_fmt(0, a), "0.0.0.0");
	ck_assert_str_eq(addr_fmt(htonl(0x0901018a), a), "9.1.1.138");
	ck_assert_str_eq(prefix_fmt(htonl(0xffffffff), 32, p), "255.255.255.255/32");
	ck_assert_str_eq(prefix_fmt(htonl(0x0a004000), 24, p), "10.0.64.0/24");
	ck_assert_str_eq(mac_fmt(mac, m), "02:00:5e:10:ab:ff");
}
END_TEST

START_TEST(test_mask_contains)
{
	ck_assert_uint_eq(plen_mask(0), 0);
	ck_assert_uint_eq(plen_mask(1), htonl(0x80000000));
	ck_assert_uint_eq(plen_mask(24), htonl(0xffffff00));
	ck_assert_uint_eq(plen_mask(31), htonl(0xfffffffe));
	ck_assert_uint_eq(plen_mask(32), 0xffffffff);
	ck_assert_uint_eq(plen_mask(40), 0xffffffff);	/* clamped */
	ck_assert(prefix_contains(htonl(0x0a000000), 24, htonl(0x0a0000ff)));
	ck_assert(!prefix_contains(htonl(0x0a000000), 24, htonl(0x0a000100)));
	ck_assert(prefix_contains(0, 0, htonl(0xc0000201)));
	ck_assert(prefix_contains(htonl(0x0a000001), 32, htonl(0x0a000001)));
	ck_assert(!prefix_contains(htonl(0x0a000001), 32, htonl(0x0a000002)));
}
END_TEST

/* Every address and every prefix length survives format -> parse. */
START_TEST(test_roundtrip)
{
	char p[PREFIX_STRLEN];
	uint32_t x = 0x12345678;

	for (unsigned int i = 0; i < 10000; i++) {
		uint32_t a, back;
		uint8_t plen = (uint8_t)(i % 33), bplen;

		x = x * 1103515245u + 12345u;
		a = htonl(x) & plen_mask(plen);
		prefix_fmt(a, plen, p);
		ck_assert_msg(prefix_parse(p, &back, &bplen, false), "%s", p);
		ck_assert_uint_eq(back, a);
		ck_assert_uint_eq(bplen, plen);
	}
}
END_TEST

Suite *addr_suite(void)
{
	Suite *s = suite_create("addr");
	TCase *tc = tcase_create("addr");

	tcase_add_loop_test(tc, test_addr_parse, 0, sizeof(addr_vec) / sizeof(addr_vec[0]));
	tcase_add_loop_test(tc, test_prefix_parse, 0, sizeof(prefix_vec) / sizeof(prefix_vec[0]));
	tcase_add_loop_test(tc, test_mac_parse, 0, sizeof(mac_vec) / sizeof(mac_vec[0]));
	tcase_add_test(tc, test_fmt);
	tcase_add_test(tc, test_mask_contains);
	tcase_add_test(tc, test_roundtrip);
	suite_add_tcase(s, tc);
	return s;
}
