/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the common library: addr, cksum, rewrite, ring. */
#include <stdlib.h>

#include "common_tests.h"

static int hex_nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

size_t test_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*hex) {
		int hi, lo;

		if (*hex == ' ' || *hex == '\n') {
			hex++;
			continue;
		}
		hi = hex_nibble(hex[0]);
		lo = hi < 0 ? -1 : hex_nibble(hex[1]);
		ck_assert_msg(lo >= 0 && n < cap, "bad test hex at \"%s\"", hex);
		out[n++] = (uint8_t)(hi << 4 | lo);
		hex += 2;
	}
	return n;
}

int main(void)
{
	SRunner *sr = srunner_create(addr_suite());
	int failed;

	srunner_add_suite(sr, cksum_suite());
	srunner_add_suite(sr, rewrite_suite());
	srunner_add_suite(sr, ring_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
