/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Encrypt then decrypt with every algorithm, mode, encapsulation and
 * sequence number size; the framing of the encrypted packet is checked
 * field by field on the way.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "cksum.h"
#include "esp_test.h"
#include "wire/ipv4.h"

static const struct {
	uint8_t cipher, integ, klen;
	uint8_t block, icv;
} algs[] = {
	/* 1 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, 4, 16 },
	/* 2 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 24, 4, 16 },
	/* 3 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 32, 4, 16 },
	/* 4 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 16, 16, 12 },
	/* 5 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 32, 16, 12 },
	/* 6 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 16, 16, 16 },
	/* 7 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 32, 16, 16 },
	/* 8 */ { SA_CIPHER_NULL, SA_INTEG_HMAC_SHA1_96, 0, 4, 12 },
	/* 9 */ { SA_CIPHER_NULL, SA_INTEG_HMAC_SHA256_128, 0, 4, 16 },
	/* 10 */ { SA_CIPHER_DES_CBC, SA_INTEG_HMAC_SHA1_96, 8, 8, 12 },
	/* 11 */ { SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_SHA256_128, 24, 8, 16 },
	/* 12 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_MD5_96, 16, 16, 12 },
	/* 13 */ { SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_MD5_96, 24, 8, 12 },
};
#define N_ALGS (int)(sizeof(algs) / sizeof(algs[0]))

/* combination index -> algorithm, tunnel, udp, esn */
static void combo(int i, int *a, bool *tun, bool *udp, bool *esn)
{
	*a = i / 8;
	*tun = i & 1;
	*udp = i & 2;
	*esn = i & 4;
}

static uint32_t combo_flags(bool udp, bool esn)
{
	return SA_F_LEGACY | (udp ? SA_F_UDP_ENCAP : 0) | (esn ? SA_F_ESN : 0);
}

/* Field by field: outer IPv4, UDP, ESP header, lengths and alignment. */
static void check_framing(const struct esp_pkt *p, const uint8_t *clear, unsigned int clen,
			  int a, bool tun, bool udp, uint64_t seq, const struct shm_sa *c)
{
	unsigned int outer = tun ? IPV4_HDR_LEN : (clear[0] & 15) * 4u;
	unsigned int ivl = algs[a].cipher == SA_CIPHER_AES_GCM16 ? 8 :
			   algs[a].cipher == SA_CIPHER_AES_CBC ? 16 :
			   algs[a].cipher == SA_CIPHER_NULL ? 0 : 8;
	unsigned int esp = outer + (udp ? 8 : 0), ct, prot = tun ? clen : clen - outer;
	uint32_t v;

	ck_assert(et_ip_csum_ok(p->data));
	ck_assert_uint_eq(p->data[2] << 8 | p->data[3], p->len);
	ck_assert_uint_eq(p->data[9], udp ? IP_PROTO_UDP : IP_PROTO_ESP);
	if (tun) {
		ck_assert_mem_eq(p->data + 12, &c->local, 4);
		ck_assert_mem_eq(p->data + 16, &c->remote, 4);
		ck_assert_uint_eq(p->data[8], 64);
	} else {
		/* the original header, but for length, protocol and checksum */
		ck_assert_mem_eq(p->data + 4, clear + 4, 4);	/* id, DF */
		ck_assert_uint_eq(p->data[8], clear[8]);
		ck_assert_mem_eq(p->data + 12, clear + 12, 8);
	}
	if (udp) {
		ck_assert_uint_eq(p->data[outer] << 8 | p->data[outer + 1], 4500);
		ck_assert_uint_eq(p->data[outer + 2] << 8 | p->data[outer + 3], 4500);
		ck_assert_uint_eq(p->data[outer + 4] << 8 | p->data[outer + 5], p->len - outer);
		ck_assert_uint_eq(p->data[outer + 6] | p->data[outer + 7], 0);
	}
	memcpy(&v, p->data + esp, 4);
	ck_assert_uint_eq(ntohl(v), c->spi);
	memcpy(&v, p->data + esp + 4, 4);
	ck_assert_uint_eq(ntohl(v), (uint32_t)seq);
	ct = p->len - esp - ESP_HDR_LEN - ivl - algs[a].icv;
	ck_assert_uint_eq(ct % algs[a].block, 0);
	ck_assert_uint_ge(ct, prot + 2);
	ck_assert_uint_lt(ct, prot + 2 + algs[a].block);
	ck_assert_uint_eq((ESP_HDR_LEN + ivl + ct) % 4, 0);	/* RFC 4303 2.4 */
}

/* payload sizes 0..70 and 1400, through a pair of SAs */
START_TEST(roundtrip_all)
{
	alignas(64) struct esp_sa out, in;
	bool tun, udp, esn;
	struct shm_sa c;
	int a;

	combo(_i, &a, &tun, &udp, &esn);
	et_cfg(&c, algs[a].cipher, algs[a].integ, algs[a].klen,
	       tun ? SA_MODE_TUNNEL : SA_MODE_TRANSPORT, combo_flags(udp, esn), 0x10000 + _i, (uint8_t)_i);
	et_pair(&out, &in, &c);
	if (esn) {	/* start just below 2^32: the high half must be right */
		esp_sa_set_seq(&out, (1ull << 32) - 40);
		esp_sa_set_seq(&in, (1ull << 32) - 40);
	}
	for (unsigned int n = 0; n <= 71; n++) {
		unsigned int pl = n == 71 ? 1400 : n;
		struct et_buf b;
		uint8_t clear[1500];
		struct esp_pkt p;
		unsigned int len = et_gre_packet(&b, pl, (uint8_t)n);
		uint64_t want = (esn ? (1ull << 32) - 40 : 0) + n + 1;

		memcpy(clear, b.mem + ET_HEAD, len);
		et_pkt(&p, &b, len, &out);
		ck_assert_msg(esp_encrypt(et_ctx, &p) == ESP_OK, "combo %d len %u: %s", _i, pl,
			      esp_err_name(p.err));
		ck_assert_uint_eq(p.seq, want);
		check_framing(&p, clear, len, a, tun, udp, want, &c);
		/* the buffer's two ends did not move */
		ck_assert_ptr_eq(p.data - p.headroom, b.mem);
		ck_assert_ptr_eq(p.data + p.len + p.tailroom, b.mem + ET_BUF);
		p.sa = &in;
		p.seq = 0;
		ck_assert_msg(esp_decrypt(et_ctx, &p) == ESP_OK, "combo %d len %u: %s", _i, pl,
			      esp_err_name(p.err));
		ck_assert_uint_eq(p.seq, want);
		ck_assert_uint_eq(p.next_hdr, tun ? 4 : IP_PROTO_GRE);
		ck_assert_uint_eq(p.len, len);
		ck_assert_mem_eq(p.data, clear, len);
		ck_assert_ptr_eq(p.data - p.headroom, b.mem);
		ck_assert_ptr_eq(p.data + p.len + p.tailroom, b.mem + ET_BUF);
	}
	ck_assert_uint_eq(in.hot.rw.top, (esn ? (1ull << 32) - 40 : 0) + 72);
	esp_sa_wipe(&out);
	esp_sa_wipe(&in);
}
END_TEST

/* A burst of 32 over four SAs of different algorithms, sizes mixed, then
 * decrypted as one burst too; a bad packet in the middle does not disturb
 * its neighbours. */
START_TEST(roundtrip_burst_mixed)
{
	enum { N = 40 };
	struct esp_sa *sa = et_sa_alloc(8);
	static struct et_buf b[N];
	static uint8_t clear[N][1500];
	struct esp_pkt p[N];
	unsigned int len[N];
	struct shm_sa c;

	for (int s = 0; s < 4; s++) {
		int a = (int[]){ 0, 3, 6, 10 }[s];

		et_cfg(&c, algs[a].cipher, algs[a].integ, algs[a].klen, s & 1,
		       combo_flags(s == 2, s == 3), 0x2000 + s, (uint8_t)s);
		et_pair(&sa[s], &sa[4 + s], &c);
	}
	for (int i = 0; i < N; i++) {
		len[i] = et_gre_packet(&b[i], (unsigned int)(i * 37) % 1400, (uint8_t)i);
		memcpy(clear[i], b[i].mem + ET_HEAD, len[i]);
		et_pkt(&p[i], &b[i], len[i], &sa[i % 4]);
	}
	p[5].headroom = 3;	/* refused: no room */
	ck_assert_uint_eq(esp_encrypt_burst(et_ctx, p, N), N - 1);
	ck_assert_uint_eq(p[5].err, ESP_E_NO_ROOM);
	ck_assert_mem_eq(b[5].mem + ET_HEAD, clear[5], len[5]);	/* untouched */
	for (int i = 0; i < N; i++) {
		p[i].sa = &sa[4 + i % 4];
		p[i].seq = 0;
	}
	p[5].sa = NULL;
	ck_assert_uint_eq(esp_decrypt_burst(et_ctx, p, N), N - 1);
	ck_assert_uint_eq(p[5].err, ESP_E_BAD_SPI);
	for (int i = 0; i < N; i++) {
		if (i == 5)
			continue;
		ck_assert_uint_eq(p[i].err, ESP_OK);
		ck_assert_uint_eq(p[i].len, len[i]);
		ck_assert_mem_eq(p[i].data, clear[i], len[i]);
		/* the SA's sequence numbers went up by one per packet */
		ck_assert_uint_eq(p[i].seq, (unsigned int)(i / 4) + 1 - (i % 4 == 1 && i > 5));
	}
	for (int s = 0; s < 8; s++)
		esp_sa_wipe(&sa[s]);
	et_free(sa);
}
END_TEST

/* Without ESN the counter stops at 2^32 - 1 (RFC 4303 3.3.3) */
START_TEST(seq_overflow)
{
	alignas(64) struct esp_sa out, in;
	struct et_buf b;
	struct esp_pkt p;
	struct shm_sa c;

	et_cfg(&c, SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, SA_MODE_TRANSPORT, 0, 0x3000, 1);
	et_pair(&out, &in, &c);
	esp_sa_set_seq(&out, 0xfffffffeull);
	et_pkt(&p, &b, et_gre_packet(&b, 40, 1), &out);
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_OK);
	ck_assert_uint_eq(p.seq, 0xffffffffull);
	for (int i = 0; i < 3; i++) {
		et_pkt(&p, &b, et_gre_packet(&b, 40, 1), &out);
		ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_SEQ_OVERFLOW);
		ck_assert_uint_eq(out.hot.seq_out, 0xffffffffull);
		ck_assert_ptr_eq(p.data, b.mem + ET_HEAD);	/* nothing written */
	}
	/* a caller-provided number beyond 32 bits is refused the same way */
	et_pkt(&p, &b, et_gre_packet(&b, 40, 1), &out);
	p.seq = 1ull << 32;
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_SEQ_OVERFLOW);
	/* with ESN it goes on, and the receiver follows */
	c.flags |= SA_F_ESN;
	et_pair(&out, &in, &c);
	esp_sa_set_seq(&out, 0xfffffffeull);
	esp_sa_set_seq(&in, 0xfffffffeull);
	for (uint64_t want = 0xffffffffull; want < 0x100000003ull; want++) {
		et_pkt(&p, &b, et_gre_packet(&b, 40, 1), &out);
		ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_OK);
		ck_assert_uint_eq(p.seq, want);
		p.sa = &in;
		ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_OK);
		ck_assert_uint_eq(p.seq, want);
	}
}
END_TEST

/* Shared counter: esp_seq_next() numbers are used as given */
START_TEST(seq_shared_counter)
{
	alignas(64) struct esp_sa out, in;
	_Atomic uint64_t ctr = 41;
	struct et_buf b;
	struct esp_pkt p;
	struct shm_sa c;

	et_cfg(&c, SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 16, SA_MODE_TRANSPORT, 0, 0x3001, 1);
	et_pair(&out, &in, &c);
	for (uint64_t want = 42; want < 45; want++) {
		et_pkt(&p, &b, et_gre_packet(&b, 10, 1), &out);
		p.seq = esp_seq_next(&ctr);
		ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_OK);
		ck_assert_uint_eq(p.seq, want);
		ck_assert_uint_eq(out.hot.seq_out, 0);	/* the SA's own counter untouched */
		p.sa = &in;
		ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_OK);
		ck_assert_uint_eq(p.seq, want);
	}
	ck_assert_uint_eq(ctr, 44);
}
END_TEST

/* IVs: CBC from the generator (all different, across pool refills), GCM
 * seq ^ mask (differences equal the sequence differences) */
START_TEST(iv_unique)
{
	enum { N = 400 };
	alignas(64) struct esp_sa cbc, gcm, in;
	static uint8_t ivs[N][16];
	uint64_t g[N];
	struct et_buf b;
	struct esp_pkt p;
	struct shm_sa c;

	et_cfg(&c, SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 16, SA_MODE_TRANSPORT, 0, 0x3002, 1);
	et_pair(&cbc, &in, &c);
	et_cfg(&c, SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, SA_MODE_TRANSPORT, 0, 0x3003, 1);
	et_pair(&gcm, &in, &c);
	for (int i = 0; i < N; i++) {
		et_pkt(&p, &b, et_gre_packet(&b, 10, 1), &cbc);
		ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_OK);
		memcpy(ivs[i], p.data + IPV4_HDR_LEN + ESP_HDR_LEN, 16);
		et_pkt(&p, &b, et_gre_packet(&b, 10, 1), &gcm);
		ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_OK);
		memcpy(&g[i], p.data + IPV4_HDR_LEN + ESP_HDR_LEN, 8);
		g[i] = be64toh(g[i]);
	}
	for (int i = 0; i < N; i++) {
		static const uint8_t zero[16];

		ck_assert(memcmp(ivs[i], zero, 16));
		for (int j = 0; j < i; j++)
			ck_assert(memcmp(ivs[i], ivs[j], 16));
		ck_assert_uint_eq(g[i] ^ g[0], (uint64_t)(i + 1) ^ 1);
	}
	ck_assert_uint_ne(g[0], 1);	/* the mask is not zero (2^-64 flake) */
}
END_TEST

/* Room: exactly enough works, one octet less in front or behind does not */
START_TEST(room_exact)
{
	alignas(64) struct esp_sa out;
	bool tun, udp, esn;
	struct shm_sa c;
	int a;

	combo(_i, &a, &tun, &udp, &esn);
	et_cfg(&c, algs[a].cipher, algs[a].integ, algs[a].klen,
	       tun ? SA_MODE_TUNNEL : SA_MODE_TRANSPORT, combo_flags(udp, esn), 0x4000, 1);
	ck_assert_int_eq(esp_sa_init(&out, &c), 0);
	for (unsigned int pl = 0; pl < 20; pl++) {
		struct et_buf b;
		struct esp_pkt p;
		unsigned int len = et_gre_packet(&b, pl, 1);
		unsigned int head = esp_sa_headroom(&out);
		unsigned int tail = esp_sa_tailroom(&out, tun ? len : len - IPV4_HDR_LEN);

		for (int miss = 0; miss < 3; miss++) {
			et_pkt(&p, &b, len, &out);
			p.headroom = (uint16_t)(head - (miss == 1));
			p.tailroom = (uint16_t)(tail - (miss == 2));
			ck_assert_int_eq(esp_encrypt(et_ctx, &p), miss ? ESP_E_NO_ROOM : ESP_OK);
			if (!miss) {
				ck_assert_uint_eq(p.headroom, 0);
				ck_assert_uint_eq(p.tailroom, 0);
			}
			et_gre_packet(&b, pl, 1);
		}
	}
}
END_TEST

/* What the encryptor refuses to protect */
START_TEST(bad_input)
{
	alignas(64) struct esp_sa out, tun, in;
	struct et_buf b;
	struct esp_pkt p;
	struct shm_sa c;
	unsigned int len;

	et_cfg(&c, SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, SA_MODE_TRANSPORT, 0, 0x5000, 1);
	et_pair(&out, &in, &c);
	c.mode = SA_MODE_TUNNEL;
	ck_assert_int_eq(esp_sa_init(&tun, &c), 0);
	len = et_gre_packet(&b, 20, 1);
	et_pkt(&p, &b, len, &out);
	b.mem[ET_HEAD] = 0x65;		/* IPv6 */
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_BAD_IP);
	b.mem[ET_HEAD] = 0x44;		/* IHL 4 */
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_BAD_IP);
	b.mem[ET_HEAD] = 0x45;
	p.len = len - 1;		/* total length beyond the buffer */
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_BAD_IP);
	p.len = 10;
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_BAD_IP);
	p.len = len;
	b.mem[ET_HEAD + 6] |= 0x20;	/* MF: a fragment, transport mode */
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_BAD_IP);
	p.sa = &tun;			/* tunnel mode carries fragments */
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_OK);
	et_pkt(&p, &b, et_gre_packet(&b, 20, 1), &in);
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_SA_DEAD);	/* inbound SA */
	p.sa = NULL;
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_SA_DEAD);
	esp_sa_wipe(&out);
	p.sa = &out;
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_SA_DEAD);
	/* 65535 is the most IPv4 can say */
	static struct {
		uint8_t mem[70000];
	} big;
	struct ipv4_hdr *ip = (struct ipv4_hdr *)(big.mem + 64);
	memcpy(ip, b.mem + ET_HEAD, IPV4_HDR_LEN);
	ip->total_len = htons(65500);
	memset(&p, 0, sizeof(p));
	p.data = big.mem + 64;
	p.len = 65500;
	p.headroom = 64;
	p.tailroom = 4000;
	p.sa = &tun;
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_E_TOO_BIG);
}
END_TEST

/* Transport mode keeps IPv4 options in place; Ethernet padding is ignored */
START_TEST(options_and_trailing_bytes)
{
	alignas(64) struct esp_sa out, in;
	uint8_t clear[200];
	struct et_buf b;
	struct esp_pkt p;
	struct shm_sa c;
	unsigned int len = et_gre_packet(&b, 30, 9);
	uint8_t *ip = b.mem + ET_HEAD;

	et_cfg(&c, SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 16, SA_MODE_TRANSPORT, 0, 0x5001, 1);
	et_pair(&out, &in, &c);
	/* IHL 6: four octets of options (NOP NOP NOP EOL) */
	memmove(ip + 24, ip + 20, len - 20);
	memcpy(ip + 20, "\x01\x01\x01\x00", 4);
	len += 4;
	ip[0] = 0x46;
	ip[2] = (uint8_t)(len >> 8);
	ip[3] = (uint8_t)len;
	ip[10] = ip[11] = 0;
	uint16_t cs = cksum(ip, 24);
	memcpy(ip + 10, &cs, 2);
	memcpy(clear, ip, len);
	et_pkt(&p, &b, len + 6, &out);	/* six octets of Ethernet padding */
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_OK);
	ck_assert_uint_eq(p.data[0], 0x46);
	ck_assert_mem_eq(p.data + 20, "\x01\x01\x01\x00", 4);
	ck_assert(et_ip_csum_ok(p.data));
	ck_assert_uint_eq(p.data[24] << 24 | p.data[25] << 16 | p.data[26] << 8 | p.data[27], 0x5001);
	p.sa = &in;
	p.len += 6;			/* and again on the way in */
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_OK);
	ck_assert_uint_eq(p.len, len);
	ck_assert_mem_eq(p.data, clear, len);
}
END_TEST

Suite *esp_roundtrip_suite(void)
{
	Suite *s = suite_create("esp_roundtrip");
	TCase *tc = tcase_create("roundtrip");

	tcase_add_loop_test(tc, roundtrip_all, 0, N_ALGS * 8);
	tcase_add_test(tc, roundtrip_burst_mixed);
	tcase_add_test(tc, seq_overflow);
	tcase_add_test(tc, seq_shared_counter);
	tcase_add_test(tc, iv_unique);
	tcase_add_loop_test(tc, room_exact, 0, N_ALGS * 8);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, options_and_trailing_bytes);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
