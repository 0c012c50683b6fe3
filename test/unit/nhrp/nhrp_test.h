/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the NHRP unit tests: test cases and small assertion helpers. */
#ifndef DMVPN_TEST_NHRP_TEST_H
#define DMVPN_TEST_NHRP_TEST_H

#include <check.h>
#include <errno.h>

#include "nhrp_packet.h"
#include "nhrp_pcap.h"

TCase *nhrp_tc_golden(void);
TCase *nhrp_tc_negative(void);
TCase *nhrp_tc_build(void);

/* Load a capture from testdata/tcpdump/ (asserts it has frames). */
int nhrp_test_load(const char *name, struct nhrp_frame *frames, size_t max);
/* Parse a frame, asserting success and a good checksum. */
void nhrp_test_parse(const struct nhrp_frame *f, struct nhrp_msg *m);
/* Re-encode m and compare with the first pktsz octets of f. */
void nhrp_test_roundtrip(const struct nhrp_frame *f, const struct nhrp_msg *m);
/* "a.b.c.d", or NULL for an empty address. */
void nhrp_test_addr(const struct nhrp_addr *a, const char *want);
void nhrp_test_cie(const struct nhrp_cie *c, uint8_t code, uint8_t plen, uint16_t mtu,
		   uint16_t hold, const char *nbma, const char *proto);

#endif
