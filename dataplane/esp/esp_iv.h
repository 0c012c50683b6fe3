/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-thread generator of CBC IVs.  RFC 3602 3 / RFC 4303 3.3.2: a CBC IV
 * must be unpredictable to the adversary (a counter or the previous
 * ciphertext block is not: Rogaway's / BEAST-style chosen-plaintext attacks).
 *
 * The IVs are the AES-128-CTR keystream of a key drawn from getrandom() when
 * the thread starts: outputs of a PRP under a secret key on distinct
 * counters, so seeing any number of past IVs says nothing about the next
 * one, and no two IVs of a thread repeat.  The keystream is made in bulk
 * (ESP_IV_POOL octets = 128 AES IVs per refill, one ipsec-mb CTR job of
 * ~0.1 cycle/octet), so an IV costs one 16-octet copy.  A refill happens only
 * between bursts (the manager has no job in flight then).  The key and pool
 * are wiped with the thread context.
 *
 * GCM does not use this: its IV only has to be unique (RFC 4106 3.1, 8.1),
 * see esp_out.c.
 */
#ifndef DMVPN_ESP_IV_H
#define DMVPN_ESP_IV_H

#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include <intel-ipsec-mb.h>

#define ESP_IV_POOL 2048

struct esp_iv {
	alignas(64) uint8_t pool[ESP_IV_POOL];
	uint32_t pos;			/* next unused octet of pool */
	uint32_t reserved;
	uint64_t ctr_hi;		/* random nonce half of the counter block */
	uint64_t ctr_lo;		/* blocks produced so far */
	alignas(16) uint8_t ks[16 * 11];	/* AES-128 encryption schedule */
};

/* Draw the key and fill the pool.  0 or -errno. */
int esp_iv_init(struct esp_iv *iv, IMB_MGR *mgr) __attribute__((warn_unused_result));
/* Refill the pool; the manager must have no job in flight. */
void esp_iv_refill(struct esp_iv *iv, IMB_MGR *mgr);
void esp_iv_wipe(struct esp_iv *iv);

/* Make sure `need` octets can be taken without a refill. */
static inline void esp_iv_reserve(struct esp_iv *iv, IMB_MGR *mgr, unsigned int need)
{
	if (iv->pos + need > ESP_IV_POOL)
		esp_iv_refill(iv, mgr);
}

/* Copy n (16: AES, 8: DES) octets of IV to dst; esp_iv_reserve() made room
 * beforehand.  Constant-size copies: a call to libc's memcpy for 16 octets
 * cost ~60 cycles here (measured, esp_bench). */
static inline void esp_iv_take(struct esp_iv *iv, uint8_t *dst, unsigned int n)
{
	if (n == 16)
		memcpy(dst, iv->pool + iv->pos, 16);
	else
		memcpy(dst, iv->pool + iv->pos, 8);
	iv->pos += n;
}

#endif
