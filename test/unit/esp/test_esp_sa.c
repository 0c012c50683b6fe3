/* SPDX-License-Identifier: BSD-3-Clause */
/* esp_sa_init(): what it accepts, what it precomputes, wiping. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdalign.h>
#include <string.h>

#include "esp_test.h"

enum { T = SA_MODE_TUNNEL, X = SA_MODE_TRANSPORT };

/* {cipher, integ, key len, integ key len (-1: the algorithm's), mode, flags, spi, window, err} */
static const struct {
	uint8_t cipher, integ, klen;
	int ilen;
	uint8_t mode;
	uint32_t flags, spi;
	uint16_t window;
	int err;
} cfgs[] = {
	/* 1 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, -1, X, 0, 0x1000, 0, 0 },
	/* 2 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 24, -1, X, 0, 0x1000, 0, 0 },
	/* 3 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 32, -1, T, SA_F_INBOUND, 0x1000, 4096, 0 },
	/* 4 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 20, -1, X, 0, 0x1000, 0, -EINVAL },
	/* 5 */ { SA_CIPHER_AES_GCM16, SA_INTEG_HMAC_SHA1_96, 16, -1, X, 0, 0x1000, 0, -EINVAL },
	/* 6 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 16, -1, X, 0, 0x1000, 0, 0 },
	/* 7 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 32, -1, T, SA_F_UDP_ENCAP, 0x1000, 0, 0 },
	/* 8 */ { SA_CIPHER_AES_CBC, SA_INTEG_NONE, 16, -1, X, 0, 0x1000, 0, -EINVAL },
	/* 9 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 16, 16, X, 0, 0x1000, 0, -EINVAL },
	/* 10 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 16, 20, X, 0, 0x1000, 0, -EINVAL },
	/* 11 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 15, -1, X, 0, 0x1000, 0, -EINVAL },
	/* 12 */ { SA_CIPHER_NULL, SA_INTEG_HMAC_SHA256_128, 0, -1, X, 0, 0x1000, 0, 0 },
	/* 13 */ { SA_CIPHER_NULL, SA_INTEG_NONE, 0, -1, X, 0, 0x1000, 0, -EINVAL },
	/* 14 */ { SA_CIPHER_NULL, SA_INTEG_HMAC_SHA1_96, 16, -1, X, 0, 0x1000, 0, -EINVAL },
	/* 15 */ { SA_CIPHER_DES_CBC, SA_INTEG_HMAC_SHA1_96, 8, -1, X, 0, 0x1000, 0, -EPERM },
	/* 16 */ { SA_CIPHER_DES_CBC, SA_INTEG_HMAC_SHA1_96, 8, -1, X, SA_F_LEGACY, 0x1000, 0, 0 },
	/* 17 */ { SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_SHA256_128, 24, -1, X, 0, 0x1000, 0, -EPERM },
	/* 18 */ { SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_SHA256_128, 24, -1, X, SA_F_LEGACY, 0x1000, 0, 0 },
	/* 19 */ { SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_SHA256_128, 16, -1, X, SA_F_LEGACY, 0x1000, 0, -EINVAL },
	/* 20 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_MD5_96, 16, -1, X, 0, 0x1000, 0, -EPERM },
	/* 21 */ { SA_CIPHER_AES_CBC, SA_INTEG_HMAC_MD5_96, 16, -1, X, SA_F_LEGACY, 0x1000, 0, 0 },
	/* 22 */ { 9, SA_INTEG_NONE, 16, -1, X, 0, 0x1000, 0, -EINVAL },
	/* 23 */ { SA_CIPHER_AES_CBC, 9, 16, 20, X, 0, 0x1000, 0, -EINVAL },
	/* 24 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, -1, 2, 0, 0x1000, 0, -EINVAL },
	/* 25 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, -1, X, 0, 0, 0, -EINVAL },
	/* 26 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, -1, X, 0, 1, 0, 0 },
	/* 27 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, -1, X, 0, 256, 0, 0 },
	/* 28 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, -1, X, SA_F_INBOUND, 0x1000, 64, 0 },
	/* 29 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, -1, X, SA_F_INBOUND, 0x1000, 32, -EINVAL },
	/* 30 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, -1, X, SA_F_INBOUND, 0x1000, 1000, -EINVAL },
	/* 31 */ { SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, -1, X, SA_F_INBOUND, 0x1000, 8192, -EINVAL },
};

START_TEST(sa_init_table)
{
	alignas(64) struct esp_sa sa;
	struct shm_sa c;
	int err;

	et_cfg(&c, cfgs[_i].cipher, SA_INTEG_NONE, cfgs[_i].klen, cfgs[_i].mode, cfgs[_i].flags,
	       cfgs[_i].spi, 1);
	c.integ = cfgs[_i].integ;
	c.integ_key_len = cfgs[_i].ilen >= 0 ? (uint8_t)cfgs[_i].ilen :
			  cfgs[_i].integ == SA_INTEG_HMAC_SHA1_96 ? 20 :
			  cfgs[_i].integ == SA_INTEG_HMAC_SHA256_128 ? 32 :
			  cfgs[_i].integ == SA_INTEG_HMAC_MD5_96 ? 16 : 0;
	c.replay_window = cfgs[_i].window;
	memset(&sa, 0x5a, sizeof(sa));
	err = esp_sa_init(&sa, &c);
	ck_assert_msg(err == cfgs[_i].err, "line %d: got %d want %d", _i + 1, err, cfgs[_i].err);
	if (err) {
		/* a refused SA is left wiped, never half-built */
		ck_assert_uint_eq(sa.hot.flags, 0);
		ck_assert_uint_eq(sa.hot.spi_be, 0);
		return;
	}
	ck_assert(sa.hot.flags & ESP_RT_LIVE);
	ck_assert_uint_eq(sa.hot.spi_be, htonl(cfgs[_i].spi));
	ck_assert_uint_eq(!!(sa.hot.flags & ESP_RT_INBOUND), !!(cfgs[_i].flags & SA_F_INBOUND));
	ck_assert_uint_eq(sa.hot.rw.size, cfgs[_i].window ? cfgs[_i].window : 1024);
}
END_TEST

/* 3DES with K1 = K2 or K2 = K3 is single DES (RFC 2451 2.3) */
START_TEST(sa_3des_degenerate)
{
	alignas(64) struct esp_sa sa;
	struct shm_sa c;

	et_cfg(&c, SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_SHA1_96, 24, X, SA_F_LEGACY, 0x1000, 1);
	memcpy(c.cipher_key + 8, c.cipher_key, 8);
	ck_assert_int_eq(esp_sa_init(&sa, &c), -EINVAL);
	et_cfg(&c, SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_SHA1_96, 24, X, SA_F_LEGACY, 0x1000, 1);
	memcpy(c.cipher_key + 16, c.cipher_key + 8, 8);
	ck_assert_int_eq(esp_sa_init(&sa, &c), -EINVAL);
}
END_TEST

/* tunnel mode outbound needs its addresses, UDP encapsulation its ports */
START_TEST(sa_tunnel_udp_need_addresses)
{
	alignas(64) struct esp_sa sa;
	struct shm_sa c;

	et_cfg(&c, SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, T, 0, 0x1000, 1);
	c.remote = 0;
	ck_assert_int_eq(esp_sa_init(&sa, &c), -EINVAL);
	c.flags |= SA_F_INBOUND;	/* inbound does not build headers */
	ck_assert_int_eq(esp_sa_init(&sa, &c), 0);
	et_cfg(&c, SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, X, SA_F_UDP_ENCAP, 0x1000, 1);
	c.dport = 0;
	ck_assert_int_eq(esp_sa_init(&sa, &c), -EINVAL);
}
END_TEST

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* keys are expanded, not copied raw; wipe leaves nothing */
START_TEST(sa_wipe)
{
	alignas(64) struct esp_sa sa;
	struct shm_sa c;

	et_cfg(&c, SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 16, X, 0, 0x1000, 3);
	ck_assert_int_eq(esp_sa_init(&sa, &c), 0);
	ck_assert(!all_zero(sa.hot.keys.cbc.aes, sizeof(sa.hot.keys.cbc.aes)));
	ck_assert(!all_zero(sa.hot.keys.cbc.ipad, 32));
	/* the first round key of AES is the key itself: encryption schedule */
	ck_assert_mem_eq(sa.hot.keys.cbc.aes, c.cipher_key, 16);
	esp_sa_wipe(&sa);
	ck_assert(all_zero(&sa, sizeof(sa)));
}
END_TEST

/* room: exact figures per SA, and the worst case constants */
START_TEST(sa_room)
{
	alignas(64) struct esp_sa sa;
	struct shm_sa c;

	et_cfg(&c, SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 16, T, SA_F_UDP_ENCAP, 0x1000, 3);
	ck_assert_int_eq(esp_sa_init(&sa, &c), 0);
	ck_assert_uint_eq(esp_sa_headroom(&sa), 20 + 8 + 8 + 16);
	ck_assert_uint_eq(esp_sa_headroom(&sa), ESP_HEADROOM_MAX);
	ck_assert_uint_eq(esp_sa_tailroom(&sa, 14), 2 + 16);	/* 14 + 2 = 16 */
	ck_assert_uint_eq(esp_sa_tailroom(&sa, 15), 17 + 16);	/* worst: 15 pad */
	ck_assert_uint_eq(esp_sa_tailroom(&sa, 15), ESP_TAILROOM_MAX);
	et_cfg(&c, SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, X, 0, 0x1000, 3);
	ck_assert_int_eq(esp_sa_init(&sa, &c), 0);
	ck_assert_uint_eq(esp_sa_headroom(&sa), 16);
	ck_assert_uint_eq(esp_sa_tailroom(&sa, 100), 2 + 2 + 16);
	ck_assert_uint_eq(esp_sa_tailroom(&sa, 102), 2 + 16);
}
END_TEST

/* the thread context reports the architecture it picked */
START_TEST(thread_arch)
{
	const char *arch = esp_thread_arch(et_ctx);

	ck_assert_str_ne(arch, "unknown");
	ck_assert_str_ne(arch, "none");
	ck_assert_str_ne(arch, "no-aesni");
}
END_TEST

START_TEST(err_names)
{
	ck_assert_str_eq(esp_err_name(ESP_OK), "ok");
	ck_assert_str_eq(esp_err_name(ESP_E_AUTH), "esp-auth-failed");
	ck_assert_str_eq(esp_err_name(ESP_E_REPLAY), "esp-replay");
	ck_assert_str_eq(esp_err_name(ESP_E__MAX), "esp-unknown");
	for (unsigned int e = 0; e < ESP_E__MAX; e++) {
		ck_assert_ptr_nonnull(esp_err_name(e));
		ck_assert_ptr_nonnull(esp_err_desc(e));
	}
}
END_TEST

Suite *esp_sa_suite(void)
{
	Suite *s = suite_create("esp_sa");
	TCase *tc = tcase_create("init");

	tcase_add_loop_test(tc, sa_init_table, 0, sizeof(cfgs) / sizeof(cfgs[0]));
	tcase_add_test(tc, sa_3des_degenerate);
	tcase_add_test(tc, sa_tunnel_udp_need_addresses);
	tcase_add_test(tc, sa_wipe);
	tcase_add_test(tc, sa_room);
	tcase_add_test(tc, thread_arch);
	tcase_add_test(tc, err_names);
	suite_add_tcase(s, tc);
	return s;
}
