/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the decryptor must refuse, and that refusing leaves the anti-replay
 * window as it was: every bit of the ESP part flipped, every truncation,
 * wrong SPI, replays, old numbers, bad padding under a valid ICV, wrong
 * next header, encapsulation mismatches, non-ESP traffic.
 */
#include <arpa/inet.h>
#include <stdalign.h>
#include <string.h>

#include "esp_test.h"
#include "wire/ipv4.h"

/* {cipher, integ, key, mode, flags} of the packets we tamper with */
static const struct {
	uint8_t cipher, integ, klen, mode;
	uint32_t flags;
} tsa[] = {
	/* 1 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, SA_MODE_TRANSPORT, 0 },
	/* 2 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 32, SA_MODE_TUNNEL, SA_F_ESN },
	/* 3 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 16, SA_MODE_TRANSPORT, SA_F_UDP_ENCAP },
	/* 4 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 16, SA_MODE_TRANSPORT, SA_F_ESN },
	/* 5 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 32, SA_MODE_TUNNEL, 0 },
	/* 6 */ { SA_CIPHER_NULL, SA_INTEG_HMAC_SHA256_128, 0, SA_MODE_TRANSPORT, SA_F_ESN },
	/* 7 */ { SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_MD5_96, 24, SA_MODE_TRANSPORT, SA_F_LEGACY },
};
#define N_TSA (int)(sizeof(tsa) / sizeof(tsa[0]))

struct good {
	alignas(64) struct esp_sa out;
	alignas(64) struct esp_sa in;
	uint8_t pkt[600];
	unsigned int len;
	unsigned int esp_off;	/* ESP header in pkt */
};

/* A good packet with sequence number 5 (ESN: 2^32 + 5) and an inbound SA
 * that has seen 1..4 (ESN: 2^32 + 1 .. 4); payload 45 gives padding. */
static void make_good(struct good *g, int t, const struct esp_sa_test *hook)
{
	uint64_t base = tsa[t].flags & SA_F_ESN ? 1ull << 32 : 0;
	struct et_buf b;
	struct esp_pkt p;
	struct shm_sa c;

	et_cfg(&c, tsa[t].cipher, tsa[t].integ, tsa[t].klen, tsa[t].mode, tsa[t].flags,
	       0x7000 + (uint32_t)t, (uint8_t)t);
	et_pair(&g->out, &g->in, &c);
	esp_sa_set_seq(&g->out, base + 4);
	esp_sa_set_seq(&g->in, base + 4);
	esp_sa_test_set(&g->out, hook);
	et_pkt(&p, &b, et_gre_packet(&b, 45, 3), &g->out);
	ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_OK);
	ck_assert_uint_le(p.len, sizeof(g->pkt));
	memcpy(g->pkt, p.data, p.len);
	g->len = p.len;
	g->esp_off = (g->pkt[0] & 15) * 4u + (tsa[t].flags & SA_F_UDP_ENCAP ? 8 : 0);
}

static int try_decrypt(struct good *g, const uint8_t *pkt, unsigned int len, struct esp_pkt *p,
		       struct et_buf *b)
{
	et_pkt_copy(p, b, pkt, len, &g->in);
	return esp_decrypt(et_ctx, p);
}

static void window_snapshot(const struct esp_sa *sa, struct replay_window *w,
			    struct replay_bitmap *bm)
{
	*w = sa->hot.rw;
	*bm = sa->hot.bitmap;
}

static void window_same(const struct esp_sa *sa, const struct replay_window *w,
			const struct replay_bitmap *bm)
{
	ck_assert_uint_eq(sa->hot.rw.top, w->top);
	ck_assert_mem_eq(&sa->hot.bitmap, bm, sizeof(*bm));
}

/* Every bit from the ESP header to the end of the ICV */
START_TEST(tamper_every_bit)
{
	static struct good g;
	struct replay_window w;
	struct replay_bitmap bm;
	unsigned int n_auth = 0;

	make_good(&g, _i, NULL);
	window_snapshot(&g.in, &w, &bm);
	for (unsigned int bit = g.esp_off * 8; bit < g.len * 8; bit += et_stride()) {
		uint8_t pkt[600];
		struct et_buf b;
		struct esp_pkt p;
		unsigned int off = bit / 8 - g.esp_off;
		int err, want = off < 4 ? ESP_E_BAD_SPI : ESP_E_AUTH;

		memcpy(pkt, g.pkt, g.len);
		pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		err = try_decrypt(&g, pkt, g.len, &p, &b);
		/* a flipped sequence number may also land on one already
		 * seen or left of the window: refused before the ICV */
		if (off >= 4 && off < 8 && (err == ESP_E_TOO_OLD || err == ESP_E_REPLAY))
			want = err;
		ck_assert_msg(err == want, "sa %d bit %u (ESP octet %u): %s", _i + 1, bit, off,
			      esp_err_name(err));
		n_auth += err == ESP_E_AUTH;
		window_same(&g.in, &w, &bm);
	}
	if (et_stride() == 1)
		ck_assert_uint_ge(n_auth, (g.len - g.esp_off - 8) * 8);
	/* and the untouched packet still goes through */
	struct et_buf b;
	struct esp_pkt p;
	ck_assert_int_eq(try_decrypt(&g, g.pkt, g.len, &p, &b), ESP_OK);
}
END_TEST

/* Outer header bits: whatever happens, no crash, and the window only
 * moves when the packet was accepted. */
START_TEST(tamper_outer_header)
{
	static struct good g;
	struct replay_window w;
	struct replay_bitmap bm;
	uint64_t base = tsa[_i].flags & SA_F_ESN ? 1ull << 32 : 0;

	make_good(&g, _i, NULL);
	for (unsigned int bit = 0; bit < g.esp_off * 8; bit++) {
		uint8_t pkt[600];
		struct et_buf b;
		struct esp_pkt p;

		esp_sa_set_seq(&g.in, base + 4);
		window_snapshot(&g.in, &w, &bm);
		memcpy(pkt, g.pkt, g.len);
		pkt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		if (try_decrypt(&g, pkt, g.len, &p, &b) != ESP_OK)
			window_same(&g.in, &w, &bm);
		else
			ck_assert_uint_eq(g.in.hot.rw.top, w.top + 1);
	}
}
END_TEST

/* Every length: (a) the buffer cut, lengths untouched -> truncated;
 * (b) the IPv4 (and UDP) lengths made to agree -> refused all the same */
START_TEST(truncate_every_length)
{
	static struct good g;
	struct replay_window w;
	struct replay_bitmap bm;
	bool udp = tsa[_i].flags & SA_F_UDP_ENCAP;

	make_good(&g, _i, NULL);
	window_snapshot(&g.in, &w, &bm);
	for (unsigned int len = 0; len < g.len; len++) {
		uint8_t pkt[600];
		struct et_buf b;
		struct esp_pkt p;
		int err;

		memcpy(pkt, g.pkt, g.len);
		err = try_decrypt(&g, pkt, len, &p, &b);
		ck_assert_msg(err == ESP_E_TRUNCATED, "len %u: %s", len, esp_err_name(err));
		window_same(&g.in, &w, &bm);
		if (len < IPV4_HDR_LEN)
			continue;
		pkt[2] = (uint8_t)(len >> 8);
		pkt[3] = (uint8_t)len;
		if (udp && len >= IPV4_HDR_LEN + 8) {
			pkt[IPV4_HDR_LEN + 4] = (uint8_t)((len - IPV4_HDR_LEN) >> 8);
			pkt[IPV4_HDR_LEN + 5] = (uint8_t)(len - IPV4_HDR_LEN);
		}
		err = try_decrypt(&g, pkt, len, &p, &b);
		ck_assert_msg(err == ESP_E_TRUNCATED || err == ESP_E_AUTH || err == ESP_E_BAD_LEN ||
			      (udp && err == ESP_E_NOT_ESP),
			      "consistent len %u: %s", len, esp_err_name(err));
		window_same(&g.in, &w, &bm);
	}
}
END_TEST

START_TEST(wrong_spi)
{
	static struct good g, other;
	struct et_buf b;
	struct esp_pkt p;

	make_good(&g, 0, NULL);
	make_good(&other, 1, NULL);
	et_pkt_copy(&p, &b, g.pkt, g.len, &other.in);	/* the lookup got it wrong */
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_E_BAD_SPI);
	et_pkt_copy(&p, &b, g.pkt, g.len, NULL);	/* no SA at all */
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_E_BAD_SPI);
	et_pkt_copy(&p, &b, g.pkt, g.len, &g.out);	/* an outbound SA */
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_E_SA_DEAD);
	ck_assert_int_eq(try_decrypt(&g, g.pkt, g.len, &p, &b), ESP_OK);
}
END_TEST

/* Accepted once; again -> replay; in one burst twice -> the second refused */
START_TEST(replayed)
{
	static struct good g;
	static struct et_buf b[3];
	struct esp_pkt p[3];

	make_good(&g, _i, NULL);
	ck_assert_int_eq(try_decrypt(&g, g.pkt, g.len, &p[0], &b[0]), ESP_OK);
	ck_assert_int_eq(try_decrypt(&g, g.pkt, g.len, &p[0], &b[0]), ESP_E_REPLAY);
	make_good(&g, _i, NULL);
	for (int i = 0; i < 3; i++)
		et_pkt_copy(&p[i], &b[i], g.pkt, g.len, &g.in);
	ck_assert_uint_eq(esp_decrypt_burst(et_ctx, p, 3), 1);
	ck_assert_int_eq(p[0].err, ESP_OK);
	ck_assert_int_eq(p[1].err, ESP_E_REPLAY);
	ck_assert_int_eq(p[2].err, ESP_E_REPLAY);
}
END_TEST

/* Window of 64: after 200, 136 is too old and 137 is fine */
START_TEST(too_old)
{
	alignas(64) struct esp_sa out, in;
	static uint8_t pkt[3][300];
	unsigned int len[3];
	struct et_buf b;
	struct esp_pkt p;
	struct shm_sa c;
	const uint64_t seqs[3] = { 200, 136, 137 };

	et_cfg(&c, SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, SA_MODE_TRANSPORT, 0, 0x7100, 1);
	c.replay_window = 64;
	et_pair(&out, &in, &c);
	for (int i = 0; i < 3; i++) {
		et_pkt(&p, &b, et_gre_packet(&b, 30, 1), &out);
		p.seq = seqs[i];
		ck_assert_int_eq(esp_encrypt(et_ctx, &p), ESP_OK);
		memcpy(pkt[i], p.data, p.len);
		len[i] = p.len;
	}
	et_pkt_copy(&p, &b, pkt[0], len[0], &in);
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_OK);
	et_pkt_copy(&p, &b, pkt[1], len[1], &in);
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_E_TOO_OLD);
	ck_assert_uint_eq(p.seq, 136);
	et_pkt_copy(&p, &b, pkt[2], len[2], &in);
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_OK);
	ck_assert_uint_eq(in.hot.rw.top, 200);
	/* SA_F_NO_REPLAY takes them all, any number of times */
	c.flags |= SA_F_NO_REPLAY | SA_F_INBOUND;
	ck_assert_int_eq(esp_sa_init(&in, &c), 0);
	for (int r = 0; r < 2; r++)
		for (int i = 0; i < 3; i++) {
			et_pkt_copy(&p, &b, pkt[i], len[i], &in);
			ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_OK);
		}
	ck_assert_uint_eq(in.hot.rw.top, 200);
}
END_TEST

/* Bad padding under a valid ICV (made by the encryptor's test hook): the
 * packet is authentic, so the window moves (RFC 4303 3.4.3), but it is
 * refused.  {hook, expected result} per algorithm. */
START_TEST(bad_padding)
{
	static const struct esp_sa_test hooks[] = {
		{ .what = ESP_TEST_PAD, .pad_xor = 0x80 },	/* content not 1, 2, 3 */
		{ .what = ESP_TEST_PADLEN, .padlen = 250 },	/* longer than the ciphertext */
		{ .what = ESP_TEST_PAD, .pad_extra = 16 },	/* longer but right: fine */
		{ .what = ESP_TEST_NH, .next_hdr = 59 },	/* no next header: dummy */
		{ .what = ESP_TEST_NH, .next_hdr = 50 },
	};
	static const int want[] = { ESP_E_BAD_PAD, ESP_E_BAD_PAD, ESP_OK,
				    ESP_E_NEXT_HDR, ESP_E_NEXT_HDR };

	for (unsigned int h = 0; h < sizeof(hooks) / sizeof(hooks[0]); h++) {
		static struct good g;
		struct et_buf b;
		struct esp_pkt p;
		uint64_t top;

		make_good(&g, _i, &hooks[h]);
		top = g.in.hot.rw.top;
		/* 45 + 8 (GRE) [+ 20] + 2 octets leave at least one of padding */
		ck_assert_msg(try_decrypt(&g, g.pkt, g.len, &p, &b) == want[h], "sa %d hook %u: %s",
			      _i + 1, h, esp_err_name(p.err));
		ck_assert_uint_eq(g.in.hot.rw.top, top + 1);
	}
}
END_TEST

/* RFC 3948: a UDP SA takes only UDP-encapsulated ESP and the reverse;
 * IKE's non-ESP marker and NAT keepalives are not ESP */
START_TEST(encap_mismatch)
{
	static struct good plain, udp;
	uint8_t pkt[600];
	struct et_buf b;
	struct esp_pkt p;
	struct esp_in_info info;

	make_good(&plain, 0, NULL);
	make_good(&udp, 2, NULL);
	et_pkt_copy(&p, &b, udp.pkt, udp.len, &plain.in);
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_E_BAD_SPI);	/* SPI checked first */
	plain.in.hot.spi_be = udp.in.hot.spi_be;
	et_pkt_copy(&p, &b, udp.pkt, udp.len, &plain.in);
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_E_ENCAP);
	udp.in.hot.spi_be = htonl(0x7000);
	et_pkt_copy(&p, &b, plain.pkt, plain.len, &udp.in);
	ck_assert_int_eq(esp_decrypt(et_ctx, &p), ESP_E_ENCAP);
	/* non-ESP marker, keepalive, TCP */
	memcpy(pkt, udp.pkt, udp.len);
	memset(pkt + 28, 0, 4);
	ck_assert_int_eq(esp_in_parse(pkt, udp.len, &info), ESP_E_NOT_ESP);
	pkt[2] = 0;
	pkt[3] = 29;
	pkt[24] = 0;
	pkt[25] = 9;
	pkt[28] = 0xff;
	ck_assert_int_eq(esp_in_parse(pkt, 29, &info), ESP_E_NOT_ESP);
	memcpy(pkt, plain.pkt, plain.len);
	pkt[9] = 6;
	ck_assert_int_eq(esp_in_parse(pkt, plain.len, &info), ESP_E_NOT_ESP);
	pkt[9] = 50;
	pkt[6] |= 0x20;			/* a fragment */
	ck_assert_int_eq(esp_in_parse(pkt, plain.len, &info), ESP_E_NOT_ESP);
	pkt[6] &= ~0x20;
	ck_assert_int_eq(esp_in_parse(pkt, plain.len, &info), ESP_OK);
	ck_assert_uint_eq(info.spi, 0x7000);
	ck_assert_uint_eq(info.seq, 5);
	ck_assert_uint_eq(info.esp_off, 20);
	ck_assert_uint_eq(info.esp_len, plain.len - 20);
	ck_assert(!info.udp);
}
END_TEST

/* CBC: a ciphertext that is not whole blocks (ICV lengths made to agree) */
START_TEST(cbc_bad_length)
{
	static struct good g;
	uint8_t pkt[600];
	struct et_buf b;
	struct esp_pkt p;
	unsigned int len;

	make_good(&g, 4, NULL);		/* AES-CBC + SHA-256, tunnel */
	len = g.len + 5;
	memcpy(pkt, g.pkt, g.len);
	memset(pkt + g.len, 0, 5);
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	ck_assert_int_eq(try_decrypt(&g, pkt, len, &p, &b), ESP_E_BAD_LEN);
}
END_TEST

Suite *esp_tamper_suite(void)
{
	Suite *s = suite_create("esp_tamper");
	TCase *tc = tcase_create("tamper");

	tcase_add_loop_test(tc, tamper_every_bit, 0, N_TSA);
	tcase_add_loop_test(tc, tamper_outer_header, 0, N_TSA);
	tcase_add_loop_test(tc, truncate_every_length, 0, N_TSA);
	tcase_add_test(tc, wrong_spi);
	tcase_add_loop_test(tc, replayed, 0, N_TSA);
	tcase_add_test(tc, too_old);
	tcase_add_loop_test(tc, bad_padding, 0, N_TSA);
	tcase_add_test(tc, encap_mismatch);
	tcase_add_test(tc, cbc_bad_length);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
