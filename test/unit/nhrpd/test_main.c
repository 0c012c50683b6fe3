/* SPDX-License-Identifier: BSD-3-Clause */
/* NHRP engine tests (suite nhrpd): Cisco captures, table tests, the NHC
 * state machine, Phase 2/3 flows and the show output. */
#include <stdlib.h>

#include "log.h"
#include "nhrpd_test.h"

int main(void)
{
	Suite *s = suite_create("nhrpd");
	SRunner *sr;
	int failed;

	log_init("nhrpd-test", getenv("NHRPD_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERR, NULL);
	suite_add_tcase(s, tc_interop());
	suite_add_tcase(s, tc_table());
	suite_add_tcase(s, tc_nhc());
	suite_add_tcase(s, tc_flows());
	suite_add_tcase(s, tc_show());
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
