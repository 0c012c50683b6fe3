/* SPDX-License-Identifier: BSD-3-Clause */
/* Runner of the ESP engine unit tests (suite 'esp' in meson). */
#include <stdio.h>
#include <stdlib.h>

#include "esp_test.h"

int main(void)
{
	SRunner *sr;
	int failed;

	if (esp_thread_init(&et_ctx)) {
		fprintf(stderr, "esp_thread_init failed\n");
		return 1;
	}
	/* every job we build passes the library's own validation */
	esp_thread_validate(et_ctx, true);
	printf("intel-ipsec-mb arch: %s\n", esp_thread_arch(et_ctx));
	sr = srunner_create(replay_suite());
	srunner_add_suite(sr, esp_sa_suite());
	srunner_add_suite(sr, esp_kat_suite());
	srunner_add_suite(sr, esp_roundtrip_suite());
	srunner_add_suite(sr, esp_tamper_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	esp_thread_fini(et_ctx);
	return failed ? 1 : 0;
}
