/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internals shared by the ESP engine files: the per-thread context, the
 * per-packet scratch of a burst, the algorithm tables.  Not for callers.
 */
#ifndef DMVPN_ESP_PRIV_H
#define DMVPN_ESP_PRIV_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include <intel-ipsec-mb.h>

#include "esp.h"
#include "esp_iv.h"
#include "esp_sa.h"
#include "wire/ipv4.h"

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/*
 * What one packet of a burst keeps between its framing (first pass over the
 * burst) and its cryptography (second pass).  Two passes, not one, because
 * the library's wide loads of octets we just wrote (trailer, nonce, AAD)
 * would wait for our narrow stores to retire: ~20-50 cycles a packet at
 * 64 octets; a burst's worth of framing in between hides that.
 */
struct esp_scratch {
	alignas(64) uint8_t tag[ESP_ICV_MAX + 16];	/* ICV computed by ipsec-mb */
	uint8_t nonce[16];		/* GCM: salt || explicit IV (RFC 4106 4) */
	uint8_t aad[16];		/* GCM: SPI || [seq hi ||] seq lo (RFC 4106 5) */
	uint8_t icv[ESP_ICV_MAX];	/* inbound HMAC + ESN: received ICV, moved away */
	uint8_t *ct;			/* GCM: ciphertext */
	uint8_t *icv_at;		/* where the ICV is (inbound) or goes (outbound) */
	const void *des3_ks[3];		/* 3DES: ipsec-mb wants an array of schedules */
	uint16_t ihl;			/* outer IPv4 header octets (inbound) */
	uint16_t esp_off;		/* ESP header offset from data (inbound) */
	uint16_t ct_len;		/* ciphertext octets */
	uint8_t aad_len;		/* GCM: 8, or 12 with ESN */
	bool icv_moved;			/* icv[] holds the received ICV */
};

struct esp_ctx {
	IMB_MGR *mgr;
	void *mgr_mem;			/* what mgr lives in (wiped at fini) */
	size_t mgr_size;
	IMB_ARCH arch;
	bool validate;			/* submit with ipsec-mb's job checks (tests) */
	uint16_t ip_id;			/* tunnel mode outer IPv4 ID when DF is clear */
	struct esp_iv iv;		/* CBC IV generator */
	struct esp_scratch scratch[ESP_BURST_MAX];
};

struct esp_cipher_info {
	uint8_t imb_mode;		/* IMB_CIPHER_MODE */
	uint8_t iv_len;
	uint8_t align;			/* RFC 4303 2.4: pad to the block, at least 4 */
	uint8_t block;			/* ciphertext is a multiple of this */
	bool legacy;
};

struct esp_integ_info {
	uint8_t imb_hash;		/* IMB_HASH_ALG */
	uint8_t icv_len;
	uint8_t key_len;
	bool legacy;
};

extern const struct esp_cipher_info esp_ciphers[];
extern const struct esp_integ_info esp_integs[];

/* RFC 4303 2.4 default padding content: 1, 2, 3, ... */
extern const uint8_t esp_pad_bytes[256];

/* The manager used for key set-up (one per process, same arch as the
 * threads' managers so GCM key data has the layout they expect). */
IMB_MGR *esp_setup_mgr(void);

static inline bool esp_sa_hmac_esn(const struct esp_sa_hot *h)
{
	return (h->flags & ESP_RT_ESN) && h->cipher != SA_CIPHER_AES_GCM16;
}

/* Cipher and integrity part of a job (CBC or NULL + HMAC), both directions. */
static inline void esp_job_keys(IMB_JOB *job, const struct esp_sa_hot *h,
				struct esp_scratch *s)
{
	job->cipher_mode = esp_ciphers[h->cipher].imb_mode;
	job->key_len_in_bytes = h->key_len;
	job->iv_len_in_bytes = h->iv_len;
	if (h->cipher == SA_CIPHER_3DES_CBC) {
		s->des3_ks[0] = h->keys.cbc.des[0];
		s->des3_ks[1] = h->keys.cbc.des[1];
		s->des3_ks[2] = h->keys.cbc.des[2];
		job->enc_keys = job->dec_keys = s->des3_ks;
	} else {
		job->enc_keys = job->dec_keys = h->keys.cbc.aes;
	}
	job->hash_alg = esp_integs[h->integ].imb_hash;
	job->u.HMAC._hashed_auth_key_xor_ipad = h->keys.cbc.ipad;
	job->u.HMAC._hashed_auth_key_xor_opad = h->keys.cbc.opad;
}


/*
 * AES-GCM goes through ipsec-mb's direct API, one packet at a time: 1.3 has
 * no multi-buffer GCM (a GCM job is processed synchronously inside submit),
 * and a job costs ~20 cycles a packet more (~50 with the library's job
 * validation) for nothing.  in may equal out.
 */
static inline void esp_gcm(IMB_MGR *m, const struct esp_sa_hot *h, bool enc, uint8_t *out,
			   const uint8_t *in, uint64_t len, const uint8_t *nonce,
			   const uint8_t *aad, uint64_t aad_len, uint8_t *tag)
{
	struct gcm_context_data c;
	const struct gcm_key_data *k = &h->keys.gcm;

	if (h->key_len == 16) {
		if (enc)
			IMB_AES128_GCM_ENC(m, k, &c, out, in, len, nonce, aad, aad_len, tag, 16);
		else
			IMB_AES128_GCM_DEC(m, k, &c, out, in, len, nonce, aad, aad_len, tag, 16);
	} else if (h->key_len == 24) {
		if (enc)
			IMB_AES192_GCM_ENC(m, k, &c, out, in, len, nonce, aad, aad_len, tag, 16);
		else
			IMB_AES192_GCM_DEC(m, k, &c, out, in, len, nonce, aad, aad_len, tag, 16);
	} else {
		if (enc)
			IMB_AES256_GCM_ENC(m, k, &c, out, in, len, nonce, aad, aad_len, tag, 16);
		else
			IMB_AES256_GCM_DEC(m, k, &c, out, in, len, nonce, aad, aad_len, tag, 16);
	}
}

/* RFC 4106 4 nonce: salt || explicit IV; RFC 4106 5 AAD: SPI || [seq hi ||]
 * seq lo.  Into s, with the ciphertext's place and length. */
static inline void esp_gcm_prep(const struct esp_sa_hot *h, struct esp_scratch *s,
				uint8_t *esp, unsigned int ct_len, uint64_t seq)
{
	uint32_t hi = htonl((uint32_t)(seq >> 32)), lo = htonl((uint32_t)seq);

	memcpy(s->nonce, h->salt, 4);
	memcpy(s->nonce + 4, esp + ESP_HDR_LEN, 8);
	memcpy(s->aad, &h->spi_be, 4);
	if (h->flags & ESP_RT_ESN) {
		memcpy(s->aad + 4, &hi, 4);
		memcpy(s->aad + 8, &lo, 4);
		s->aad_len = 12;
	} else {
		memcpy(s->aad + 4, &lo, 4);
		s->aad_len = 8;
	}
	s->ct = esp + ESP_HDR_LEN + 8;
	s->ct_len = (uint16_t)ct_len;
}

/* Room left around a packet, saturated to what struct esp_pkt can say. */
static inline uint16_t esp_room16(size_t room)
{
	return room > UINT16_MAX ? UINT16_MAX : (uint16_t)room;
}

static inline uint16_t esp_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/*
 * Move an IPv4 header of ihl octets from src to dst (the regions may
 * overlap, either way) and give it a new total length and protocol, the
 * checksum adjusted for both words (RFC 1624 eqn. 3).  The first 20 octets
 * travel in three registers and are stored once: editing a copy in memory
 * would make the final wide load wait for the narrow stores (~15 cycles).
 * Little-endian word layout (x86).
 */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "esp_ip_move() assumes a little-endian CPU"
#endif
static inline void esp_ip_move(uint8_t *dst, const uint8_t *src, unsigned int ihl,
			       unsigned int total_len, uint8_t proto)
{
	uint64_t a, b;			/* octets 0-7 (total length at 2-3), 8-15 (TTL, proto, csum) */
	uint32_t c;			/* octets 16-19 */
	uint16_t old_len, old_tp, new_len, new_tp, csum;

	memcpy(&a, src, 8);
	memcpy(&b, src + 8, 8);
	memcpy(&c, src + 16, 4);
	if (unlikely(ihl > IPV4_HDR_LEN))	/* options */
		memmove(dst + IPV4_HDR_LEN, src + IPV4_HDR_LEN, ihl - IPV4_HDR_LEN);
	old_len = (uint16_t)(a >> 16);
	old_tp = (uint16_t)b;
	csum = (uint16_t)(b >> 16);
	new_len = htons((uint16_t)total_len);
	new_tp = (uint16_t)((old_tp & 0x00ff) | proto << 8);
	csum = esp_fold((uint32_t)(uint16_t)~csum + (uint16_t)~old_len + (uint16_t)~old_tp +
			new_len + new_tp);
	a = (a & ~0xffff0000ull) | (uint64_t)new_len << 16;
	b = (b & ~0xffffffffull) | new_tp | (uint64_t)csum << 16;
	memcpy(dst, &a, 8);
	memcpy(dst + 8, &b, 8);
	memcpy(dst + 16, &c, 4);
}

/* An ICV (12 or 16 octets) from src to dst, without a call into libc. */
static inline void esp_icv_copy(uint8_t *dst, const uint8_t *src, unsigned int icv_len)
{
	if (icv_len == 16) {
		memcpy(dst, src, 16);
	} else {
		memcpy(dst, src, 8);
		memcpy(dst + 8, src + 8, 4);
	}
}

/*
 * With thousands of SAs a packet's SA and key schedule are cache misses
 * (~150-300 cycles each on the development VM).  A burst asks for every
 * SA's first line up front, and each packet, once framed, asks for its key
 * lines: the cryptography runs in the second pass, after the other packets'
 * framing has hidden the latency.
 */
static inline void esp_prefetch_sas(const struct esp_pkt *pkts, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		__builtin_prefetch(pkts[i].sa);
}

static inline void esp_prefetch_keys(const struct esp_sa_hot *h)
{
	const uint8_t *k = (const uint8_t *)&h->keys;
	unsigned int lines = h->cipher == SA_CIPHER_AES_GCM16 ? sizeof(h->keys.gcm) / 64 + 1 : 6;

	for (unsigned int i = 0; i < lines; i++)
		__builtin_prefetch(k + 64 * i);
}

typedef bool (*esp_done_fn)(IMB_JOB *job);

/*
 * Submit nj jobs taken with IMB_GET_NEXT_BURST() and complete them all
 * (submit, then flush what is still in the lanes), calling done() on each.
 * Returns how many done() accepted.  A burst the library refuses as a whole
 * (a bug of ours) completes every job with IMB_STATUS_INVALID_ARGS.
 */
unsigned int esp_run(struct esp_ctx *ctx, IMB_JOB **jobs, unsigned int nj, esp_done_fn done);

#endif
