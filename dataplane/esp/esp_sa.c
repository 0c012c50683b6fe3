/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Runtime SA: validate a controller slot (struct shm_sa), then precompute.
 * No state machine here: an SA is either live (ESP_RT_LIVE) or wiped.
 */
#include "esp_sa.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <arpa/inet.h>

#include "esp_priv.h"
#include "wire/ipv4.h"

const struct esp_cipher_info esp_ciphers[] = {
	/* RFC 2410; RFC 4303 2.4: the trailer still ends on 4 octets */
	[SA_CIPHER_NULL] = { IMB_CIPHER_NULL, 0, 4, 1, false },
	[SA_CIPHER_AES_CBC] = { IMB_CIPHER_CBC, 16, 16, 16, false },		/* RFC 3602 */
	[SA_CIPHER_AES_GCM16] = { IMB_CIPHER_GCM, 8, 4, 1, false },		/* RFC 4106 */
	[SA_CIPHER_DES_CBC] = { IMB_CIPHER_DES, 8, 8, 8, true },		/* RFC 2405 */
	[SA_CIPHER_3DES_CBC] = { IMB_CIPHER_DES3, 8, 8, 8, true },		/* RFC 2451 */
};
#define ESP_N_CIPHERS (sizeof(esp_ciphers) / sizeof(esp_ciphers[0]))

const struct esp_integ_info esp_integs[] = {
	[SA_INTEG_NONE] = { IMB_AUTH_NULL, 0, 0, false },
	[SA_INTEG_HMAC_SHA1_96] = { IMB_AUTH_HMAC_SHA_1, 12, 20, false },	/* RFC 2404 */
	[SA_INTEG_HMAC_SHA256_128] = { IMB_AUTH_HMAC_SHA_256, 16, 32, false },	/* RFC 4868 2.1.1 */
	[SA_INTEG_HMAC_MD5_96] = { IMB_AUTH_MD5, 12, 16, true },		/* RFC 2403 */
};
#define ESP_N_INTEGS (sizeof(esp_integs) / sizeof(esp_integs[0]))

#define P16(n) n, n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, \
	n + 8, n + 9, n + 10, n + 11, n + 12, n + 13, n + 14, (uint8_t)(n + 15)
/* 1 .. 255 (the last octet, 0, is never used: padding is at most 255) */
const uint8_t esp_pad_bytes[256] = {
	P16(1), P16(17), P16(33), P16(49), P16(65), P16(81), P16(97), P16(113),
	P16(129), P16(145), P16(161), P16(177), P16(193), P16(209), P16(225), P16(241),
};

static bool esp_cipher_key_ok(unsigned int cipher, unsigned int len)
{
	switch (cipher) {
	case SA_CIPHER_NULL:
		return len == 0;
	case SA_CIPHER_AES_CBC:
	case SA_CIPHER_AES_GCM16:
		return len == 16 || len == 24 || len == 32;
	case SA_CIPHER_DES_CBC:
		return len == 8;
	case SA_CIPHER_3DES_CBC:
		return len == 24;
	}
	return false;
}

/* Algorithms and keys.  RFC 4303 3.2 / RFC 8221: no ESP without integrity;
 * an AEAD carries its own, so GCM takes no separate integrity transform. */
static int esp_sa_validate_algs(const struct shm_sa *c)
{
	const uint8_t *k = c->cipher_key;

	if (c->cipher >= ESP_N_CIPHERS || c->integ >= ESP_N_INTEGS)
		return -EINVAL;
	if ((esp_ciphers[c->cipher].legacy || esp_integs[c->integ].legacy) &&
	    !(c->flags & SA_F_LEGACY))
		return -EPERM;
	if ((c->cipher == SA_CIPHER_AES_GCM16) != (c->integ == SA_INTEG_NONE))
		return -EINVAL;
	if (!esp_cipher_key_ok(c->cipher, c->cipher_key_len) ||
	    c->integ_key_len != esp_integs[c->integ].key_len)
		return -EINVAL;
	/* RFC 2451 2.3: K1 = K2 or K2 = K3 is single DES in disguise */
	if (c->cipher == SA_CIPHER_3DES_CBC &&
	    (!memcmp(k, k + 8, 8) || !memcmp(k + 8, k + 16, 8)))
		return -EINVAL;
	return 0;
}

static int esp_sa_validate(const struct shm_sa *c)
{
	uint32_t w = c->replay_window;
	int err = esp_sa_validate_algs(c);

	if (err)
		return err;
	/* RFC 4303 2.1: SPI 0 is never used.  1-255 are reserved for IANA
	 * but seen with manual keying (Linux ip xfrm, DPDK's vectors): taken. */
	if (c->spi == 0)
		return -EINVAL;
	if (c->mode != SA_MODE_TRANSPORT && c->mode != SA_MODE_TUNNEL)
		return -EINVAL;
	if (w && (w < REPLAY_WINDOW_MIN || w > REPLAY_WINDOW_MAX || (w & (w - 1))))
		return -EINVAL;
	if (c->mode == SA_MODE_TUNNEL && !(c->flags & SA_F_INBOUND) &&
	    (!c->local || !c->remote))
		return -EINVAL;
	if ((c->flags & SA_F_UDP_ENCAP) && !(c->flags & SA_F_INBOUND) &&
	    (!c->sport || !c->dport))
		return -EINVAL;
	return 0;
}

/* RFC 2104: the inner and outer hash states after one block of K ^ pad. */
static void esp_sa_hmac_pads(IMB_MGR *m, struct esp_sa_hot *h, const struct shm_sa *c)
{
	uint8_t blk[64] = { 0 };

	memcpy(blk, c->integ_key, c->integ_key_len);
	for (unsigned int i = 0; i < sizeof(blk); i++)
		blk[i] ^= 0x36;
	if (c->integ == SA_INTEG_HMAC_SHA1_96)
		IMB_SHA1_ONE_BLOCK(m, blk, h->keys.cbc.ipad);
	else if (c->integ == SA_INTEG_HMAC_SHA256_128)
		IMB_SHA256_ONE_BLOCK(m, blk, h->keys.cbc.ipad);
	else
		IMB_MD5_ONE_BLOCK(m, blk, h->keys.cbc.ipad);
	for (unsigned int i = 0; i < sizeof(blk); i++)
		blk[i] ^= 0x36 ^ 0x5c;
	if (c->integ == SA_INTEG_HMAC_SHA1_96)
		IMB_SHA1_ONE_BLOCK(m, blk, h->keys.cbc.opad);
	else if (c->integ == SA_INTEG_HMAC_SHA256_128)
		IMB_SHA256_ONE_BLOCK(m, blk, h->keys.cbc.opad);
	else
		IMB_MD5_ONE_BLOCK(m, blk, h->keys.cbc.opad);
	explicit_bzero(blk, sizeof(blk));
}

/* AES key schedule for the SA's one direction (CBC decrypts with the
 * inverse schedule). */
static void esp_sa_aes_keys(IMB_MGR *m, struct esp_sa_hot *h, const struct shm_sa *c)
{
	alignas(16) uint8_t enc[16 * 15], dec[16 * 15];

	if (c->cipher_key_len == 16)
		IMB_AES_KEYEXP_128(m, c->cipher_key, enc, dec);
	else if (c->cipher_key_len == 24)
		IMB_AES_KEYEXP_192(m, c->cipher_key, enc, dec);
	else
		IMB_AES_KEYEXP_256(m, c->cipher_key, enc, dec);
	memcpy(h->keys.cbc.aes, (c->flags & SA_F_INBOUND) ? dec : enc, sizeof(enc));
	explicit_bzero(enc, sizeof(enc));
	explicit_bzero(dec, sizeof(dec));
}

static void esp_sa_gcm_keys(IMB_MGR *m, struct esp_sa_hot *h, const struct shm_sa *c)
{
	if (c->cipher_key_len == 16)
		IMB_AES128_GCM_PRE(m, c->cipher_key, &h->keys.gcm);
	else if (c->cipher_key_len == 24)
		IMB_AES192_GCM_PRE(m, c->cipher_key, &h->keys.gcm);
	else
		IMB_AES256_GCM_PRE(m, c->cipher_key, &h->keys.gcm);
	/* RFC 4106 8.1: the salt is the 4 octets after the key in KEYMAT;
	 * shm_sa.salt holds them in wire order (like its addresses). */
	memcpy(h->salt, &c->salt, 4);
}

static int esp_sa_keys(struct esp_sa_hot *h, const struct shm_sa *c)
{
	IMB_MGR *m = esp_setup_mgr();

	if (!m)
		return -ENOMEM;
	switch (c->cipher) {
	case SA_CIPHER_AES_GCM16:
		esp_sa_gcm_keys(m, h, c);
		return 0;
	case SA_CIPHER_AES_CBC:
		esp_sa_aes_keys(m, h, c);
		break;
	case SA_CIPHER_DES_CBC:
	case SA_CIPHER_3DES_CBC:
		for (unsigned int i = 0; i < c->cipher_key_len / 8u; i++)
			if (IMB_DES_KEYSCHED(m, h->keys.cbc.des[i], c->cipher_key + 8 * i))
				return -EINVAL;
		break;
	}
	esp_sa_hmac_pads(m, h, c);
	return 0;
}

/* Outer IPv4 header of tunnel mode: the sum of the words that never
 * change (TTL/protocol, addresses), so a packet adds only its own. */
static uint32_t esp_sa_tunnel_sum(const struct shm_sa *c)
{
	uint8_t proto = (c->flags & SA_F_UDP_ENCAP) ? IP_PROTO_UDP : IP_PROTO_ESP;
	uint8_t ttl_proto[2] = { 64, proto };
	uint16_t w;
	uint32_t sum;

	memcpy(&w, ttl_proto, 2);
	sum = w;
	sum += (c->local & 0xffff) + (c->local >> 16);
	sum += (c->remote & 0xffff) + (c->remote >> 16);
	return sum;
}

static uint16_t esp_sa_flags(const struct shm_sa *c)
{
	uint16_t f = ESP_RT_LIVE;

	if (c->flags & SA_F_INBOUND)
		f |= ESP_RT_INBOUND;
	if (c->flags & SA_F_ESN)
		f |= ESP_RT_ESN;
	if (c->flags & SA_F_UDP_ENCAP)
		f |= ESP_RT_UDP;
	if (c->flags & SA_F_NO_REPLAY)
		f |= ESP_RT_NO_REPLAY;
	if (c->mode == SA_MODE_TUNNEL)
		f |= ESP_RT_TUNNEL;
	return f;
}

static void esp_sa_cold_init(struct esp_sa_cold *cold, const struct shm_sa *c)
{
	cold->spi = c->spi;
	cold->cfg_flags = c->flags;
	cold->local = c->local;
	cold->remote = c->remote;
	cold->sport = c->sport;
	cold->dport = c->dport;
	cold->mode = c->mode;
	cold->tunnel = c->tunnel;
	cold->window = c->replay_window;
	cold->gen = c->gen;
	cold->life_soft_bytes = c->life_soft_bytes;
	cold->life_hard_bytes = c->life_hard_bytes;
	cold->life_soft_pkts = c->life_soft_pkts;
	cold->life_hard_pkts = c->life_hard_pkts;
}

static int esp_sa_hot_init(struct esp_sa_hot *h, const struct shm_sa *c)
{
	uint16_t ports[2] = { htons(c->sport), htons(c->dport) };
	int err;

	h->spi_be = htonl(c->spi);
	h->flags = esp_sa_flags(c);
	h->cipher = c->cipher;
	h->integ = c->integ;
	h->key_len = c->cipher_key_len;
	h->iv_len = esp_ciphers[c->cipher].iv_len;
	h->icv_len = c->cipher == SA_CIPHER_AES_GCM16 ? 16 : esp_integs[c->integ].icv_len;
	h->next_hdr = c->mode == SA_MODE_TUNNEL ? 4 : IP_PROTO_GRE;
	h->tun_src = c->local;
	h->tun_dst = c->remote;
	h->tun_sum = esp_sa_tunnel_sum(c);
	memcpy(&h->udp_ports, ports, 4);
	err = replay_init(&h->rw, &h->bitmap, c->replay_window);
	if (!err)
		err = esp_sa_keys(h, c);
	/* RFC 4106 3.1 wants a unique IV per key, not an unpredictable one; the
	 * sequence number is unique, XORed with a random mask (Linux seqiv) so
	 * an SA installed again with the same key after a data plane restart,
	 * its counter back at 1, does not repeat the nonces of its first life. */
	if (!err && getrandom(&h->iv_mask, sizeof(h->iv_mask), 0) != sizeof(h->iv_mask))
		err = -EIO;
	return err;
}

int esp_sa_init(struct esp_sa *sa, const struct shm_sa *cfg)
{
	int err;

	memset(sa, 0, sizeof(*sa));
	err = esp_sa_validate(cfg);
	if (!err)
		err = esp_sa_hot_init(&sa->hot, cfg);
	if (err) {
		esp_sa_wipe(sa);
		return err;
	}
	esp_sa_cold_init(&sa->cold, cfg);
	return 0;
}

void esp_sa_wipe(struct esp_sa *sa)
{
	explicit_bzero(sa, sizeof(*sa));
}

void esp_sa_set_seq(struct esp_sa *sa, uint64_t seq)
{
	if (sa->hot.flags & ESP_RT_INBOUND)
		replay_restore(&sa->hot.rw, &sa->hot.bitmap, seq);
	else
		sa->hot.seq_out = seq;
}

void esp_sa_set_next_header(struct esp_sa *sa, uint8_t next_hdr)
{
	sa->hot.next_hdr = next_hdr;
}

unsigned int esp_sa_headroom(const struct esp_sa *sa)
{
	const struct esp_sa_hot *h = &sa->hot;

	return (h->flags & ESP_RT_TUNNEL ? IPV4_HDR_LEN : 0) +
	       (h->flags & ESP_RT_UDP ? 8 : 0) + ESP_HDR_LEN + h->iv_len;
}

unsigned int esp_sa_tailroom(const struct esp_sa *sa, unsigned int protected_len)
{
	unsigned int align = esp_ciphers[sa->hot.cipher].align;
	unsigned int padded = (protected_len + ESP_TRAILER_LEN + align - 1) & ~(align - 1);

	return padded - protected_len + sa->hot.icv_len;
}

void esp_sa_test_set(struct esp_sa *sa, const struct esp_sa_test *t)
{
	if (t && t->what) {
		sa->cold.test = *t;
		sa->hot.flags |= ESP_RT_TEST;
	} else {
		memset(&sa->cold.test, 0, sizeof(sa->cold.test));
		sa->hot.flags &= ~ESP_RT_TEST;
	}
}
