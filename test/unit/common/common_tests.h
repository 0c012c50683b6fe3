/* SPDX-License-Identifier: BSD-3-Clause */
/* Suites of the common library tests; test_common.c runs them all. */
#ifndef DMVPN_TEST_COMMON_H
#define DMVPN_TEST_COMMON_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

Suite *addr_suite(void);
Suite *cksum_suite(void);
Suite *rewrite_suite(void);
Suite *ring_suite(void);

/* "4500 0000..." (spaces ignored) -> bytes; returns the length. */
size_t test_unhex(const char *hex, uint8_t *out, size_t cap);

#endif
