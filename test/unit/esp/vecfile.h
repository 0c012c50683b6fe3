/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reader for the plain-text vector files of ../shared/testdata
 * (dpdk/ipsec_test_vectors.txt, ietf/esp_rfc3602_mcgrew_gcm_vectors.txt,
 * scapy/linux_esp_vectors.txt):
 *
 *   # comment
 *   [record_name]
 *   key = value        (value may be empty; hex strings without separators)
 */
#ifndef DMVPN_TEST_VECFILE_H
#define DMVPN_TEST_VECFILE_H

#include <stddef.h>
#include <stdint.h>

#define VEC_MAX_FIELDS 32

struct vec_rec {
	char name[64];
	unsigned int n;
	char *key[VEC_MAX_FIELDS];
	char *val[VEC_MAX_FIELDS];
};

struct vec_file {
	struct vec_rec *recs;
	unsigned int n;
	char *text;		/* the file, keys and values point into it */
};

/* 0 or -errno; a malformed line (no '=' outside a comment) is -EINVAL. */
int vec_load(struct vec_file *f, const char *path);
void vec_free(struct vec_file *f);

/* The value of key, or NULL. */
const char *vec_get(const struct vec_rec *r, const char *key);

/* Hex string to bytes: the count, or -1 (odd length, bad digit, > cap). */
int vec_hex(const char *hex, uint8_t *out, size_t cap);

/* $DMVPN_TESTDATA/rel into buf (the directory meson passes). */
const char *vec_path(char *buf, size_t len, const char *rel);

#endif
