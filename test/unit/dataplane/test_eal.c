/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL arguments built from the config: the safety rules of the project
 * (--no-pci unless a PCI device is named, an own --file-prefix, --in-memory)
 * hold for every kind of port list.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "../../../dataplane/dp.h"

static int has(char **argv, int argc, const char *a)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], a) == 0)
			return i;
	return -1;
}

static void conf_two_ports(struct conf *c, const char *dev0, const char *dev1)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->instance, sizeof(c->instance), "hub");
	snprintf(c->ifaces[0].device, sizeof(c->ifaces[0].device), "%s", dev0);
	snprintf(c->ifaces[1].device, sizeof(c->ifaces[1].device), "%s", dev1);
	c->n_ifaces = 2;
}

START_TEST(vdevs_only_means_no_pci)
{
	struct conf c;
	char *argv[64], store[4096];
	int argc;

	conf_two_ports(&c, "net_af_packet0,iface=hub-pub", "net_pcap1,rx_pcap=a.pcap");
	argc = eal_args_build(&c, argv, 64, store, sizeof(store));
	ck_assert_int_gt(argc, 0);
	ck_assert_int_ge(has(argv, argc, "--no-pci"), 0);
	ck_assert_int_lt(has(argv, argc, "-a"), 0);
	ck_assert_int_ge(has(argv, argc, "--file-prefix=dmvpn-hub"), 0);
	ck_assert_int_ge(has(argv, argc, "--in-memory"), 0);
	ck_assert_int_ge(has(argv, argc, "net_af_packet0,iface=hub-pub"), 1);
	ck_assert_str_eq(argv[has(argv, argc, "net_af_packet0,iface=hub-pub") - 1], "--vdev");
	ck_assert_ptr_null(argv[argc]);
}
END_TEST

START_TEST(pci_port_is_allowed_and_nothing_else)
{
	struct conf c;
	char *argv[64], store[4096];
	int argc, i;

	conf_two_ports(&c, "0000:03:00.0", "net_null0");
	argc = eal_args_build(&c, argv, 64, store, sizeof(store));
	ck_assert_int_gt(argc, 0);
	ck_assert_int_lt(has(argv, argc, "--no-pci"), 0);
	i = has(argv, argc, "0000:03:00.0");
	ck_assert_int_ge(i, 1);
	ck_assert_str_eq(argv[i - 1], "-a");
}
END_TEST

START_TEST(pci_detection)
{
	ck_assert(eal_device_is_pci("0000:03:00.0"));
	ck_assert(eal_device_is_pci("03:00.1"));
	ck_assert(!eal_device_is_pci("net_null0"));
	ck_assert(!eal_device_is_pci("net_pcap0,rx_pcap=0000:03:00.0"));
	ck_assert(!eal_device_is_pci(""));
}
END_TEST

START_TEST(overflow_is_refused)
{
	struct conf c;
	char *argv[4], store[4096];

	conf_two_ports(&c, "net_null0", "net_null1");
	ck_assert_int_eq(eal_args_build(&c, argv, 4, store, sizeof(store)), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("eal");
	TCase *tc = tcase_create("args");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, vdevs_only_means_no_pci);
	tcase_add_test(tc, pci_port_is_allowed_and_nothing_else);
	tcase_add_test(tc, pci_detection);
	tcase_add_test(tc, overflow_is_refused);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
