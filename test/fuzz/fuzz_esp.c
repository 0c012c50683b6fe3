/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness of the ESP engine (dataplane/esp).
 *
 * Input: [SA selector] [mode] [packet...], mode % 3:
 *   0  the packet is handed to esp_in_parse() and esp_decrypt() as received
 *      (framing, lengths, anti-replay, ICV over garbage): never accepted;
 *   1  the packet is an IPv4 packet to protect: esp_encrypt(), and if the
 *      engine took it, esp_decrypt() with the peer SA must give it back
 *      octet for octet;
 *   2  as 1, but one bit of the ESP part (chosen by the first two octets)
 *      is flipped before decryption: must be refused.
 * A broken expectation is an abort().
 * Every buffer is allocated to its exact size (room included) so ASan sees
 * the first octet read or written out of bounds.
 */
#include <stdalign.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "esp.h"
#include "esp_in.h"
#include "esp_out.h"
#include "esp_sa.h"
#include "esp_thread.h"
#include "shm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_ROOM 64

static const struct {
	uint8_t cipher, integ, klen, ilen, mode;
	uint32_t flags;
} fz_sas[] = {
	{ SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, 0, SA_MODE_TRANSPORT, 0 },
	{ SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 32, 0, SA_MODE_TUNNEL, SA_F_ESN },
	{ SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 16, 20, SA_MODE_TRANSPORT, SA_F_UDP_ENCAP },
	{ SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 32, 32, SA_MODE_TUNNEL, SA_F_ESN | SA_F_UDP_ENCAP },
	{ SA_CIPHER_NULL, SA_INTEG_HMAC_SHA256_128, 0, 32, SA_MODE_TRANSPORT, SA_F_NO_REPLAY },
	{ SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_MD5_96, 24, 16, SA_MODE_TRANSPORT, SA_F_LEGACY | SA_F_ESN },
};
#define FZ_N (sizeof(fz_sas) / sizeof(fz_sas[0]))

static struct esp_ctx *fz_ctx;
static struct esp_sa *fz_out, *fz_in;

static int fz_init(void)
{
	struct shm_sa c;

	if (esp_thread_init(&fz_ctx))
		return -1;
	esp_thread_validate(fz_ctx, true);
	fz_out = aligned_alloc(64, FZ_N * sizeof(*fz_out));
	fz_in = aligned_alloc(64, FZ_N * sizeof(*fz_in));
	if (!fz_out || !fz_in)
		return -1;
	for (unsigned int i = 0; i < FZ_N; i++) {
		memset(&c, 0, sizeof(c));
		c.spi = 0x100 + i;
		c.cipher = fz_sas[i].cipher;
		c.integ = fz_sas[i].integ;
		c.cipher_key_len = fz_sas[i].klen;
		c.integ_key_len = fz_sas[i].ilen;
		c.mode = fz_sas[i].mode;
		c.flags = fz_sas[i].flags;
		for (unsigned int k = 0; k < SA_KEY_MAX; k++)
			c.cipher_key[k] = (uint8_t)(k * 7 + i + 1);
		for (unsigned int k = 0; k < SA_AUTH_KEY_MAX; k++)
			c.integ_key[k] = (uint8_t)(k * 3 + i);
		c.local = 0x0102000a;
		c.remote = 0x0202000a;
		c.sport = c.dport = 4500;
		if (esp_sa_init(&fz_out[i], &c))
			return -1;
		c.flags |= SA_F_INBOUND;
		if (esp_sa_init(&fz_in[i], &c))
			return -1;
		esp_sa_set_next_header(&fz_in[i], 0);	/* whatever protocol came in */
	}
	return 0;
}

/* An exact-size buffer: FZ_ROOM, the packet, room behind. */
static uint8_t *fz_buf(struct esp_pkt *p, const uint8_t *pkt, size_t len, size_t tail,
		       struct esp_sa *sa)
{
	uint8_t *b = malloc(FZ_ROOM + len + tail);

	if (!b)
		abort();
	memcpy(b + FZ_ROOM, pkt, len);
	memset(b + FZ_ROOM + len, 0xa5, tail);
	memset(p, 0, sizeof(*p));
	p->data = b + FZ_ROOM;
	p->len = (uint32_t)len;
	p->headroom = FZ_ROOM;
	p->tailroom = (uint16_t)tail;
	p->sa = sa;
	return b;
}

static void fz_decrypt(unsigned int sel, const uint8_t *pkt, size_t len)
{
	struct esp_in_info info;
	struct esp_pkt p;
	uint8_t *b = fz_buf(&p, pkt, len, 0, &fz_in[sel]);

	(void)esp_in_parse(p.data, p.len, &info);
	if (esp_decrypt(fz_ctx, &p) == ESP_OK)
		abort();	/* garbage never authenticates */
	free(b);
}

/*
 * The round trip gives the packet back, except that RFC 1624's incremental
 * update may turn a header checksum of 0xffff into 0x0000: the same number
 * in one's complement (and never a correct IPv4 checksum to begin with).
 */
static bool fz_same(const uint8_t *a, const uint8_t *b, unsigned int len)
{
	uint16_t x, y;

	if (!memcmp(a, b, len))
		return true;
	if (len < 20 || memcmp(a, b, 10) || memcmp(a + 12, b + 12, len - 12))
		return false;
	memcpy(&x, a + 10, 2);
	memcpy(&y, b + 10, 2);
	return (uint16_t)(x ^ y) == 0xffff && (x == 0 || y == 0);
}

/* flip: 0 none, else 1 + the bit to flip counted from the ESP header */
static void fz_roundtrip(unsigned int sel, const uint8_t *pkt, size_t len, unsigned int flip)
{
	struct esp_in_info info;
	struct esp_pkt p, q;
	uint8_t *b = fz_buf(&p, pkt, len, ESP_TAILROOM_MAX, &fz_out[sel]), *c;
	unsigned int tot, bit;
	int err;

	if (esp_encrypt(fz_ctx, &p) != ESP_OK) {
		free(b);
		return;
	}
	tot = (unsigned int)pkt[2] << 8 | pkt[3];	/* the engine took it: a valid IPv4 length */
	c = fz_buf(&q, p.data, p.len, 0, &fz_in[sel]);
	if (flip) {
		if (esp_in_parse(q.data, q.len, &info) != ESP_OK)
			abort();
		bit = (flip - 1) % (info.esp_len * 8u);
		q.data[info.esp_off + bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	err = esp_decrypt(fz_ctx, &q);
	if (flip ? err == ESP_OK : (err != ESP_OK || q.len != tot || !fz_same(q.data, pkt, tot)))
		abort();
	free(c);
	free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;

	if (!ready)
		ready = fz_init() ? -1 : 1;
	if (ready < 0)
		abort();
	if (size < 2 || size > 4000)
		return 0;
	switch (data[1] % 3) {
	case 0:
		fz_decrypt(data[0] % FZ_N, data + 2, size - 2);
		break;
	case 1:
		fz_roundtrip(data[0] % FZ_N, data + 2, size - 2, 0);
		break;
	default:
		fz_roundtrip(data[0] % FZ_N, data + 2, size - 2, 1 + (data[0] >> 3 | data[1] << 5));
		break;
	}
	return 0;
}
