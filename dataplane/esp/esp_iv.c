/* SPDX-License-Identifier: BSD-3-Clause */
#include "esp_iv.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static int esp_iv_random(void *buf, size_t len)
{
	ssize_t r = getrandom(buf, len, 0);

	if (r < 0)
		return -errno;
	return (size_t)r == len ? 0 : -EIO;
}

int esp_iv_init(struct esp_iv *iv, IMB_MGR *mgr)
{
	alignas(16) uint8_t key[16], dec[16 * 11];
	int err;

	memset(iv, 0, sizeof(*iv));
	err = esp_iv_random(key, sizeof(key));
	if (!err)
		err = esp_iv_random(&iv->ctr_hi, sizeof(iv->ctr_hi));
	if (!err)
		IMB_AES_KEYEXP_128(mgr, key, iv->ks, dec);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(dec, sizeof(dec));
	if (err)
		return err;
	esp_iv_refill(iv, mgr);
	return 0;
}

/*
 * One CTR job over the whole pool.  The counter block is ctr_hi || ctr_lo,
 * ctr_lo a multiple of the pool's block count, so however many low bits the
 * library increments, one refill never reaches the blocks of another.
 */
void esp_iv_refill(struct esp_iv *iv, IMB_MGR *mgr)
{
	alignas(16) uint8_t ctr[16];
	uint64_t hi = htobe64(iv->ctr_hi), lo = htobe64(iv->ctr_lo);
	IMB_JOB *job;

	memcpy(ctr, &hi, 8);
	memcpy(ctr + 8, &lo, 8);
	memset(iv->pool, 0, ESP_IV_POOL);
	job = IMB_GET_NEXT_JOB(mgr);
	job->cipher_mode = IMB_CIPHER_CNTR;
	job->cipher_direction = IMB_DIR_ENCRYPT;
	job->chain_order = IMB_ORDER_CIPHER_HASH;
	job->hash_alg = IMB_AUTH_NULL;
	job->enc_keys = job->dec_keys = iv->ks;
	job->key_len_in_bytes = 16;
	job->src = iv->pool;
	job->dst = iv->pool;
	job->cipher_start_src_offset_in_bytes = 0;
	job->msg_len_to_cipher_in_bytes = ESP_IV_POOL;
	job->iv = ctr;
	job->iv_len_in_bytes = 16;
	job->user_data = NULL;
	IMB_SUBMIT_JOB(mgr);
	while (IMB_FLUSH_JOB(mgr))
		;
	/* A zero pool would be the most predictable IV there is: if the
	 * library refused the job, take the kernel's randomness instead. */
	if (job->status != IMB_STATUS_COMPLETED &&
	    esp_iv_random(iv->pool, ESP_IV_POOL) != 0)
		abort();
	iv->ctr_lo += ESP_IV_POOL / 16;
	iv->pos = 0;
}

void esp_iv_wipe(struct esp_iv *iv)
{
	explicit_bzero(iv, sizeof(*iv));
}
