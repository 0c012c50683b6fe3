/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Known-answer tests from ../shared/testdata: every vector whose algorithm
 * the engine supports is decrypted byte-exact, and re-encrypted (IV and
 * sequence number forced through the test hook) to the same ciphertext and
 * ICV.  Vectors of algorithms we do not carry (CCM, CTR, GMAC, XCBC,
 * HMAC-SHA-384/512, CBC without integrity) are counted as skipped.
 */
#include <arpa/inet.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_test.h"
#include "vecfile.h"
#include "wire/ipv4.h"

struct kat {
	char name[80];
	uint8_t cipher, integ;
	uint8_t key[32], klen;
	uint8_t ikey[64], iklen;
	uint8_t salt[4];
	uint32_t spi;
	uint64_t seq;
	bool esn;
	uint8_t iv[16], ivlen;
	uint8_t outer[60];		/* real outer IPv4 header, or none */
	unsigned int outer_len;
	uint8_t esp[1024];		/* ESP header .. ICV */
	unsigned int esp_len;
	uint8_t inner[1024];
	unsigned int inner_len;
	uint8_t nh;
};

#define KAT_MAX 64
static struct kat kats[KAT_MAX];
static unsigned int n_kats, n_skipped;
static unsigned int n_per_file[3];

static bool hexf(const struct vec_rec *r, const char *k, uint8_t *out, size_t cap, unsigned int *len)
{
	const char *v = vec_get(r, k);
	int n = v ? vec_hex(v, out, cap) : -1;

	if (n < 0)
		return false;
	if (len)
		*len = (unsigned int)n;
	return true;
}

static bool kat_auth(struct kat *k, const char *auth)
{
	if (!strncmp(auth, "none", 4))
		k->integ = SA_INTEG_NONE;
	else if (!strcmp(auth, "SHA256_HMAC"))
		k->integ = SA_INTEG_HMAC_SHA256_128;
	else if (!strcmp(auth, "SHA1_HMAC"))
		k->integ = SA_INTEG_HMAC_SHA1_96;
	else if (!strcmp(auth, "MD5_HMAC"))
		k->integ = SA_INTEG_HMAC_MD5_96;
	else
		return false;
	return true;
}

static bool kat_cipher(struct kat *k, const char *c)
{
	if (!strncmp(c, "AES_GCM", 7) || !strncmp(c, "AES-GCM-16", 10))
		k->cipher = SA_CIPHER_AES_GCM16;
	else if (!strcmp(c, "AES_CBC"))
		k->cipher = SA_CIPHER_AES_CBC;
	else if (!strcmp(c, "3DES_CBC"))
		k->cipher = SA_CIPHER_3DES_CBC;
	else if (!strcmp(c, "DES_CBC"))
		k->cipher = SA_CIPHER_DES_CBC;
	else
		return false;
	return true;
}

/* The ESP part of a full outer packet: after IPv4 (IHL) or a plain IPv6 header. */
static bool kat_split_outer(struct kat *k, const uint8_t *pkt, unsigned int len)
{
	unsigned int off;

	if (len < 40)
		return false;
	if (pkt[0] >> 4 == 4) {
		off = (pkt[0] & 15) * 4u;
		if (pkt[9] != IP_PROTO_ESP)
			return false;
		memcpy(k->outer, pkt, off);
		k->outer_len = off;
	} else {
		off = 40;
		if (pkt[6] != IP_PROTO_ESP)
			return false;
	}
	k->esp_len = len - off;
	memcpy(k->esp, pkt + off, k->esp_len);
	return true;
}

/* dpdk/ipsec_test_vectors.txt */
static bool kat_from_dpdk(struct kat *k, const struct vec_rec *r)
{
	uint8_t pkt[1200];
	unsigned int len;

	if (!kat_cipher(k, vec_get(r, "cipher")) || !kat_auth(k, vec_get(r, "auth")))
		return false;
	if ((k->cipher == SA_CIPHER_AES_GCM16) != (k->integ == SA_INTEG_NONE))
		return false;	/* CBC without integrity: not an SA we allow */
	unsigned int kl, il = 0, sl = 0, ivl;
	if (!hexf(r, "key", k->key, 32, &kl) || !hexf(r, "iv", k->iv, 16, &ivl) ||
	    !hexf(r, "esp_packet", pkt, sizeof(pkt), &len) ||
	    !hexf(r, "inner_packet", k->inner, sizeof(k->inner), &k->inner_len))
		return false;
	hexf(r, "auth_key", k->ikey, 64, &il);
	hexf(r, "salt", k->salt, 4, &sl);
	k->klen = (uint8_t)kl;
	k->iklen = (uint8_t)il;
	k->ivlen = (uint8_t)ivl;
	k->spi = (uint32_t)strtoul(vec_get(r, "spi"), NULL, 16);
	k->seq = strtoull(vec_get(r, "seq"), NULL, 10);
	k->nh = k->inner[0] >> 4 == 4 ? 4 : 41;
	return kat_split_outer(k, pkt, len);
}

/* ietf/esp_rfc3602_mcgrew_gcm_vectors.txt: the GCM records (RFC 3602 ones
 * have no integrity) */
static bool kat_from_ietf(struct kat *k, const struct vec_rec *r)
{
	unsigned int kl, ivl;

	if (!kat_cipher(k, vec_get(r, "cipher")))
		return false;
	if (k->cipher != SA_CIPHER_AES_GCM16)
		return false;
	k->integ = SA_INTEG_NONE;
	if (!hexf(r, "key", k->key, 32, &kl) || !hexf(r, "salt", k->salt, 4, NULL) ||
	    !hexf(r, "iv", k->iv, 16, &ivl) || !hexf(r, "esp", k->esp, sizeof(k->esp), &k->esp_len) ||
	    !hexf(r, "payload", k->inner, sizeof(k->inner), &k->inner_len))
		return false;
	k->klen = (uint8_t)kl;
	k->ivlen = (uint8_t)ivl;
	k->spi = (uint32_t)strtoul(vec_get(r, "spi"), NULL, 16);
	k->seq = strtoull(vec_get(r, "seq"), NULL, 10);
	k->nh = (uint8_t)atoi(vec_get(r, "next_header"));	/* 1: the draft's quirk */
	return true;
}

/* scapy/linux_esp_vectors.txt: the rfc4106 records (keymat = key || salt) */
static bool kat_from_linux(struct kat *k, const struct vec_rec *r)
{
	uint8_t km[36];
	unsigned int kml;
	const char *esn = vec_get(r, "esn_high");

	if (strncmp(vec_get(r, "cipher"), "AES-GCM-16", 10))
		return false;
	k->cipher = SA_CIPHER_AES_GCM16;
	k->integ = SA_INTEG_NONE;
	if (!hexf(r, "keymat", km, sizeof(km), &kml) || kml < 20 ||
	    !hexf(r, "esp_packet", k->esp, sizeof(k->esp), &k->esp_len) ||
	    !hexf(r, "inner_packet", k->inner, sizeof(k->inner), &k->inner_len))
		return false;
	k->klen = (uint8_t)(kml - 4);
	memcpy(k->key, km, k->klen);
	memcpy(k->salt, km + k->klen, 4);
	k->ivlen = 8;
	memcpy(k->iv, k->esp + 8, 8);
	k->spi = (uint32_t)strtoul(vec_get(r, "spi"), NULL, 16);
	k->seq = strtoull(vec_get(r, "seq"), NULL, 10);
	if (esn && strncmp(esn, "none", 4)) {
		k->esn = true;
		k->seq |= strtoull(esn, NULL, 10) << 32;
	}
	k->nh = 4;
	return true;
}

typedef bool (*kat_conv)(struct kat *, const struct vec_rec *);

static void kat_load(const char *rel, kat_conv conv, unsigned int file)
{
	struct vec_file f;
	char path[512];

	if (vec_load(&f, vec_path(path, sizeof(path), rel)))
		return;		/* kat_count fails loudly */
	for (unsigned int i = 0; i < f.n && n_kats < KAT_MAX; i++) {
		struct kat *k = &kats[n_kats];

		memset(k, 0, sizeof(*k));
		snprintf(k->name, sizeof(k->name), "%s:%s", rel, f.recs[i].name);
		if (conv(k, &f.recs[i])) {
			n_kats++;
			n_per_file[file]++;
		} else {
			n_skipped++;
		}
	}
	vec_free(&f);
}

static void kat_cfg(const struct kat *k, struct shm_sa *c, bool inbound)
{
	et_cfg(c, k->cipher, k->integ, k->klen, SA_MODE_TUNNEL,
	       (inbound ? SA_F_INBOUND : 0) | (k->esn ? SA_F_ESN : 0) | SA_F_LEGACY, k->spi, 0);
	memcpy(c->cipher_key, k->key, k->klen);
	memcpy(c->integ_key, k->ikey, k->iklen);
	c->integ_key_len = k->iklen;
	memcpy(&c->salt, k->salt, 4);
	if (k->outer_len) {
		memcpy(&c->local, k->outer + 12, 4);
		memcpy(&c->remote, k->outer + 16, 4);
	}
}

/* the ESP bytes behind an outer IPv4 header, the vector's own if it has one */
static unsigned int kat_packet(const struct kat *k, uint8_t *out)
{
	struct ipv4_hdr ip = {
		.ver_ihl = 0x45, .ttl = 64, .proto = IP_PROTO_ESP,
		.src = htonl(0xc0000202), .dst = htonl(0xc0000201),
	};

	if (k->outer_len) {
		memcpy(out, k->outer, k->outer_len);
	} else {
		ip.total_len = htons(IPV4_HDR_LEN + k->esp_len);
		memcpy(out, &ip, IPV4_HDR_LEN);
	}
	unsigned int ol = k->outer_len ? k->outer_len : IPV4_HDR_LEN;
	memcpy(out + ol, k->esp, k->esp_len);
	return ol + k->esp_len;
}

START_TEST(kat_decrypt)
{
	const struct kat *k = &kats[_i];
	alignas(64) struct esp_sa sa;
	uint8_t pkt[1200];
	struct et_buf b;
	struct esp_pkt p;
	struct shm_sa c;
	unsigned int len = kat_packet(k, pkt);

	kat_cfg(k, &c, true);
	ck_assert_int_eq(esp_sa_init(&sa, &c), 0);
	esp_sa_set_next_header(&sa, 0);	/* next header asserted below */
	if (k->esn)
		esp_sa_set_seq(&sa, k->seq & ~0xffffffffull);
	et_pkt_copy(&p, &b, pkt, len, &sa);
	ck_assert_msg(esp_decrypt(et_ctx, &p) == ESP_OK, "%s: %s", k->name, esp_err_name(p.err));
	ck_assert_uint_eq(p.len, k->inner_len);
	ck_assert_mem_eq(p.data, k->inner, k->inner_len);
	ck_assert_uint_eq(p.next_hdr, k->nh);
	ck_assert_uint_eq(p.seq, k->seq);
	ck_assert_uint_eq(sa.hot.rw.top, k->seq);
	esp_sa_wipe(&sa);
}
END_TEST

START_TEST(kat_encrypt)
{
	const struct kat *k = &kats[_i];
	struct esp_sa_test t = { .what = ESP_TEST_IV };
	alignas(64) struct esp_sa sa;
	struct et_buf b;
	struct esp_pkt p;
	struct shm_sa c;

	if (k->inner[0] >> 4 != 4)
		return;		/* IPv6 inner packets: we carry IPv4 only */
	kat_cfg(k, &c, false);
	ck_assert_int_eq(esp_sa_init(&sa, &c), 0);
	memcpy(t.iv, k->iv, k->ivlen);
	if (k->nh != 4) {
		t.what |= ESP_TEST_NH;
		t.next_hdr = k->nh;
	}
	esp_sa_test_set(&sa, &t);
	et_pkt_copy(&p, &b, k->inner, k->inner_len, &sa);
	p.seq = k->seq;
	ck_assert_msg(esp_encrypt(et_ctx, &p) == ESP_OK, "%s: %s", k->name, esp_err_name(p.err));
	ck_assert_uint_eq(p.len, IPV4_HDR_LEN + k->esp_len);
	ck_assert_msg(!memcmp(p.data + IPV4_HDR_LEN, k->esp, k->esp_len), "%s: ESP differs", k->name);
	/* our own outer header: length, protocol, addresses, checksum */
	ck_assert_uint_eq(p.data[0], 0x45);
	ck_assert_uint_eq(p.data[9], IP_PROTO_ESP);
	ck_assert_uint_eq(p.data[2] << 8 | p.data[3], p.len);
	ck_assert(et_ip_csum_ok(p.data));
	ck_assert_mem_eq(p.data + 12, &c.local, 4);
	ck_assert_mem_eq(p.data + 16, &c.remote, 4);
	esp_sa_wipe(&sa);
}
END_TEST

/* Nothing applicable may disappear silently (a moved file, a renamed field). */
START_TEST(kat_count)
{
	ck_assert_uint_eq(n_per_file[0], 12);	/* DPDK: GCM x5, CBC+SHA256 x2, +MD5, DES/3DES x4 */
	ck_assert_uint_eq(n_per_file[1], 2);	/* draft-mcgrew GCM 128/256 */
	ck_assert_uint_eq(n_per_file[2], 2);	/* Linux rfc4106, with and without ESN */
	ck_assert_uint_eq(n_skipped, 12 + 2 + 4);
}
END_TEST

Suite *esp_kat_suite(void)
{
	Suite *s = suite_create("esp_kat");
	TCase *tc = tcase_create("vectors");

	n_kats = n_skipped = 0;
	kat_load("dpdk/ipsec_test_vectors.txt", kat_from_dpdk, 0);
	kat_load("ietf/esp_rfc3602_mcgrew_gcm_vectors.txt", kat_from_ietf, 1);
	kat_load("scapy/linux_esp_vectors.txt", kat_from_linux, 2);
	tcase_add_test(tc, kat_count);
	tcase_add_loop_test(tc, kat_decrypt, 0, (int)n_kats);
	tcase_add_loop_test(tc, kat_encrypt, 0, (int)n_kats);
	suite_add_tcase(s, tc);
	return s;
}
