/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ipsec section of the configuration loader (common/conf_ipsec.c):
 * good files with every field checked, every transform with its key
 * lengths, defaults, warnings, wiping, and a numbered table of bad files
 * that must each fail at the right line with the right message.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"

static uint32_t A(const char *s)
{
	uint32_t a = 0;

	ck_assert_msg(addr_parse(s, &a), "bad test address %s", s);
	return a;
}

static void load_ok(const char *text, struct conf *c)
{
	struct conf_error e;
	int rc = conf_load_string(text, "t.conf", c, &e);

	ck_assert_msg(rc == 0, "load failed: %s:%d: %s", e.file, e.line, e.msg);
}

/* Lines 1-7: a public interface without a gateway (so a peer must be on
 * its subnet or behind an underlay route) and a LAN. */
#define IFACES                                                                  \
	"instance = \"t\";\n"                                                   \
	"interfaces = (\n"                                                      \
	"  { name = \"pub\"; device = \"net_null0\"; role = \"public\";\n"     \
	"    address = \"192.0.2.2/24\"; },\n"                                  \
	"  { name = \"lan\"; device = \"net_null1\"; role = \"lan\";\n"        \
	"    address = \"10.0.64.1/24\"; }\n"                                   \
	");\n"
/* line 8: the tunnel, protected by profile "p" */
#define TUN "tunnel = { address = \"10.0.0.2/24\"; source = \"pub\"; key = 999; protection = \"p\"; };\n"
#define TUN_CLEAR "tunnel = { address = \"10.0.0.2/24\"; source = \"pub\"; key = 999; };\n"
/* line 9: ipsec = {, line 10 the transform set, line 11 the profile */
#define HEAD IFACES TUN "ipsec = {\n"
#define TS(x) " transform_set = ( { name = \"t\"; transforms = \"" x "\"; } );\n"
#define PR " profile = ( { name = \"p\"; transform_set = \"t\"; } );\n"
#define GCM HEAD TS("esp-gcm 256") PR
#define L_SA 12		/* first line after GCM */

#define K36 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20212223"
#define K36B "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f40414243"
#define SA_GCM(peer, in, out) \
	" sa = ( { peer = \"" peer "\"; spi_in = " in "; spi_out = " out ";\n" \
	"   cipher_key_in = \"" K36 "\"; cipher_key_out = \"0x" K36B "\"; } );\n"

/* ---- good files ------------------------------------------------------- */

START_TEST(test_full)
{
	struct conf c;
	const struct conf_ipsec *ip;
	const struct conf_ipsec_sa *sa;

	load_ok(HEAD " legacy = false; switch_timeout_ms = 500; drain_ms = 100;\n"
		TS("esp-gcm 256")
		" profile = ( { name = \"p\"; transform_set = \"t\"; lifetime_seconds = 3600;\n"
		"   lifetime_kilobytes = 4608000; lifetime_packets = 100000; soft_percent = 80;\n"
		"   replay_window = 4096; esn = true; udp_encap = true; udp_sport = 4501;\n"
		"   udp_dport = 4502; } );\n"
		SA_GCM("192.0.2.1", "0x1001", "0x2001") "};\n", &c);
	ip = c.ipsec;
	ck_assert_ptr_nonnull(ip);
	ck_assert(!ip->legacy);
	ck_assert_uint_eq(ip->switch_timeout_ms, 500);
	ck_assert_uint_eq(ip->drain_ms, 100);
	ck_assert_uint_eq(ip->n_tsets, 1);
	ck_assert_str_eq(ip->tsets[0].name, "t");
	ck_assert_str_eq(ip->tsets[0].text, "esp-gcm 256");
	ck_assert_uint_eq(ip->tsets[0].cipher, SA_CIPHER_AES_GCM16);
	ck_assert_uint_eq(ip->tsets[0].integ, SA_INTEG_NONE);
	ck_assert_uint_eq(ip->tsets[0].key_len, 32);
	ck_assert_uint_eq(ip->tsets[0].mode, SA_MODE_TRANSPORT);
	ck_assert_uint_eq(ip->n_profiles, 1);
	ck_assert_uint_eq(ip->profiles[0].life_seconds, 3600);
	ck_assert_uint_eq(ip->profiles[0].life_kilobytes, 4608000);
	ck_assert_uint_eq(ip->profiles[0].life_packets, 100000);
	ck_assert_uint_eq(ip->profiles[0].soft_percent, 80);
	ck_assert(ip->profiles[0].replay);
	ck_assert_uint_eq(ip->profiles[0].replay_window, 4096);
	ck_assert(ip->profiles[0].esn);
	ck_assert(ip->profiles[0].udp_encap);
	ck_assert_uint_eq(ip->profiles[0].udp_sport, 4501);
	ck_assert_uint_eq(ip->profiles[0].udp_dport, 4502);
	ck_assert_int_eq(ip->protection, 0);
	ck_assert_uint_eq(ip->n_sas, 1);
	sa = &ip->sas[0];
	ck_assert_uint_eq(sa->peer, A("192.0.2.1"));
	ck_assert_uint_eq(sa->profile, 0);
	ck_assert_uint_eq(sa->spi_in, 0x1001);
	ck_assert_uint_eq(sa->spi_out, 0x2001);
	ck_assert_uint_eq(sa->key_len, 36);
	ck_assert_uint_eq(sa->auth_len, 0);
	for (unsigned int i = 0; i < 36; i++) {
		ck_assert_uint_eq(sa->key_in[i], i);
		ck_assert_uint_eq(sa->key_out[i], 0x20 + i);
	}
	ck_assert_int_eq(sa->line, L_SA + 4);
	ck_assert_uint_eq(ip->n_warnings, 0);
	conf_free(&c);
}
END_TEST

START_TEST(test_defaults)
{
	struct conf c;
	const struct conf_ipsec_profile *pr;

	load_ok(GCM SA_GCM("192.0.2.1", "256", "4294967295") "};\n", &c);
	ck_assert_uint_eq(c.ipsec->switch_timeout_ms, 10000);
	ck_assert_uint_eq(c.ipsec->drain_ms, 2000);
	pr = &c.ipsec->profiles[0];
	ck_assert_uint_eq(pr->life_seconds, 0);
	ck_assert_uint_eq(pr->life_kilobytes, 0);
	ck_assert_uint_eq(pr->life_packets, 0);
	ck_assert_uint_eq(pr->soft_percent, 90);
	ck_assert(pr->replay);
	ck_assert_uint_eq(pr->replay_window, 1024);
	ck_assert(!pr->esn);
	ck_assert(!pr->udp_encap);
	ck_assert_uint_eq(pr->udp_sport, 4500);
	ck_assert_uint_eq(pr->udp_dport, 4500);
	ck_assert_uint_eq(c.ipsec->sas[0].spi_in, 256);
	ck_assert_uint_eq(c.ipsec->sas[0].spi_out, 4294967295u);
	ck_assert_uint_eq(c.ipsec->sas[0].seq_out_start, 0);
	conf_free(&c);
	/* no section, no protection: nothing */
	load_ok(IFACES TUN_CLEAR, &c);
	ck_assert_ptr_null(c.ipsec);
	conf_free(&c);
}
END_TEST

/* Every transform: its algorithms and the key lengths it wants per direction. */
static const struct {
	const char *transforms;
	uint8_t cipher, integ, key_len, auth_len, mode;
	bool legacy;
} xf[] = {
/* 0 */	{ "esp-gcm", SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, 0, 0, false },
/* 1 */	{ "esp-gcm 128", SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 16, 0, 0, false },
/* 2 */	{ "esp-gcm 192", SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 24, 0, 0, false },
/* 3 */	{ "esp-gcm 256", SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 32, 0, 0, false },
/* 4 */	{ "esp-aes esp-sha-hmac", SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 16, 20, 0, false },
/* 5 */	{ "esp-aes 256 esp-sha-hmac", SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA1_96, 32, 20, 0, false },
/* 6 */	{ "esp-aes 128 esp-sha256-hmac", SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 16, 32, 0, false },
/* 7 */	{ "esp-sha256-hmac esp-aes 256", SA_CIPHER_AES_CBC, SA_INTEG_HMAC_SHA256_128, 32, 32, 0, false },
/* 8 */	{ "esp-null esp-sha256-hmac", SA_CIPHER_NULL, SA_INTEG_HMAC_SHA256_128, 0, 32, 0, false },
/* 9 */	{ "esp-null  esp-sha-hmac", SA_CIPHER_NULL, SA_INTEG_HMAC_SHA1_96, 0, 20, 0, false },
/* 10 */{ "esp-des esp-md5-hmac", SA_CIPHER_DES_CBC, SA_INTEG_HMAC_MD5_96, 8, 16, 0, true },
/* 11 */{ "esp-3des esp-sha-hmac", SA_CIPHER_3DES_CBC, SA_INTEG_HMAC_SHA1_96, 24, 20, 0, true },
/* 12 */{ "esp-aes esp-md5-hmac", SA_CIPHER_AES_CBC, SA_INTEG_HMAC_MD5_96, 16, 16, 0, true },
/* 13 */{ "esp-gcm 256", SA_CIPHER_AES_GCM16, SA_INTEG_NONE, 32, 0, 1, false },
};

static void hexkey(char *out, unsigned int n, unsigned int seed)
{
	for (unsigned int i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", (seed * 37 + i * 11 + 1) & 0xff);
	out[2 * n] = '\0';
}

START_TEST(test_transforms)
{
	char text[4096], kin[200], kout[200], ain[200], aout[200], keys[1024] = "";
	bool gcm = xf[_i].cipher == SA_CIPHER_AES_GCM16;
	unsigned int klen = xf[_i].key_len + (gcm ? 4 : 0);
	const struct conf_ipsec_sa *sa;
	struct conf c;

	hexkey(kin, klen, 1);
	hexkey(kout, klen, 2);
	hexkey(ain, xf[_i].auth_len, 3);
	hexkey(aout, xf[_i].auth_len, 4);
	if (klen)
		snprintf(keys, sizeof(keys), "cipher_key_in = \"%s\"; cipher_key_out = \"%s\"; ",
			 kin, kout);
	if (xf[_i].auth_len)
		snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys),
			 "auth_key_in = \"%s\"; auth_key_out = \"%s\"; ", ain, aout);
	snprintf(text, sizeof(text), IFACES "tunnel = { address = \"10.0.0.2/24\"; source = \"pub\";"
		 " key = 999; protection = \"p\"; mtu = 1300; };\nipsec = { legacy = %s;\n"
		 " transform_set = ( { name = \"t\"; transforms = \"%s\"; mode = \"%s\"; } );\n" PR
		 " sa = ( { peer = \"192.0.2.1\"; spi_in = 300; spi_out = 301; %s} );\n};\n",
		 xf[_i].legacy ? "true" : "false", xf[_i].transforms,
		 xf[_i].mode ? "tunnel" : "transport", keys);
	load_ok(text, &c);
	ck_assert_uint_eq(c.ipsec->tsets[0].cipher, xf[_i].cipher);
	ck_assert_uint_eq(c.ipsec->tsets[0].integ, xf[_i].integ);
	ck_assert_uint_eq(c.ipsec->tsets[0].key_len, xf[_i].key_len);
	ck_assert_uint_eq(c.ipsec->tsets[0].mode, xf[_i].mode);
	ck_assert(c.ipsec->tsets[0].legacy == xf[_i].legacy);
	/* a legacy transform is loaded with a warning naming it */
	ck_assert_uint_eq(c.ipsec->n_warnings, xf[_i].legacy ? 1 : 0);
	if (xf[_i].legacy)
		ck_assert_ptr_nonnull(strstr(c.ipsec->warnings[0], "t.conf:10: transform set 't' uses esp-"));
	sa = &c.ipsec->sas[0];
	ck_assert_uint_eq(sa->key_len, klen);
	ck_assert_uint_eq(sa->auth_len, xf[_i].auth_len);
	for (unsigned int i = 0; i < klen; i++)
		ck_assert_uint_eq(sa->key_out[i], (2 * 37 + i * 11 + 1) & 0xff);
	for (unsigned int i = 0; i < xf[_i].auth_len; i++)
		ck_assert_uint_eq(sa->auth_in[i], (3 * 37 + i * 11 + 1) & 0xff);
	conf_free(&c);
}
END_TEST

START_TEST(test_replay_off_and_routes)
{
	struct conf c;

	/* replay = false: window 0 and a warning; the peer is reached through
	 * an underlay route, not the public subnet */
	load_ok(IFACES TUN "routes = ( { prefix = \"198.51.100.0/24\"; via = \"192.0.2.254\";"
		" table = \"underlay\"; } );\nipsec = {\n" TS("esp-gcm 256")
		" profile = ( { name = \"p\"; transform_set = \"t\"; replay = false; } );\n"
		SA_GCM("198.51.100.7", "0x1001", "0x2001") "};\n", &c);
	ck_assert(!c.ipsec->profiles[0].replay);
	ck_assert_uint_eq(c.ipsec->profiles[0].replay_window, 0);
	ck_assert_uint_eq(c.ipsec->n_warnings, 1);
	ck_assert_ptr_nonnull(strstr(c.ipsec->warnings[0], "anti-replay off"));
	ck_assert_uint_eq(c.ipsec->sas[0].peer, A("198.51.100.7"));
	conf_free(&c);
}
END_TEST

/* The sequence number knobs of the tests take 64-bit values. */
START_TEST(test_seq_start)
{
	struct conf c;

	load_ok(GCM " sa = ( { peer = \"192.0.2.1\"; spi_in = 0x1001; spi_out = 0x2001;\n"
		"   cipher_key_in = \"" K36 "\"; cipher_key_out = \"" K36B "\";\n"
		"   seq_out_start = 4294967290; seq_in_start = 0x100000000; } );\n};\n", &c);
	ck_assert_uint_eq(c.ipsec->sas[0].seq_out_start, 4294967290ull);
	ck_assert_uint_eq(c.ipsec->sas[0].seq_in_start, 0x100000000ull);
	conf_free(&c);
}
END_TEST

/* conf_free wipes the keys (and everything else). */
START_TEST(test_free_wipes)
{
	static const struct conf zero;
	struct conf c;
	struct conf_ipsec *ip;

	load_ok(GCM SA_GCM("192.0.2.1", "0x1001", "0x2001") "};\n", &c);
	ip = c.ipsec;
	ck_assert_uint_eq(ip->sas[0].key_in[5], 5);
	conf_free(&c);
	ck_assert(memcmp(&c, &zero, sizeof(c)) == 0);
	conf_free(&c);	/* twice is harmless */
}
END_TEST

/* ---- bad files -------------------------------------------------------- */

struct bad_case {
	const char *text;
	int line;
	const char *msg;	/* substring of the message */
};

#define SA1 " sa = ( { peer = \"192.0.2.1\"; spi_in = 0x1001; spi_out = 0x2001;\n"
#define KEYS "   cipher_key_in = \"" K36 "\"; cipher_key_out = \"" K36B "\"; } );\n"
#define KEYSE "   cipher_key_in = \"" K36 "\"; cipher_key_out = \"" K36B "\"; }"
#define END "};\n"

static const struct bad_case bad[] = {
/* 0 */	{ HEAD " legasy = true;\n" END, 10, "unknown setting 'legasy' in ipsec" },
/* 1 */	{ HEAD TS("esp-aes esp-sha512-hmac") END, 10, "unknown transform 'esp-sha512-hmac'" },
/* 2 */	{ HEAD TS("esp-null 256 esp-sha-hmac") END, 10, "key size 256 only after esp-aes or esp-gcm" },
/* 3 */	{ HEAD TS("esp-aes esp-gcm") END, 10, "two encryption transforms (esp-aes, esp-gcm)" },
/* 4 */	{ HEAD TS("esp-gcm esp-sha-hmac") END, 10, "esp-gcm carries its own integrity (RFC 4106): no esp-sha-hmac" },
/* 5 */	{ HEAD TS("esp-aes 256") END, 10, "esp-aes needs an integrity transform" },
/* 6 */	{ HEAD TS("esp-sha-hmac") END, 10, "no encryption transform (esp-null for none)" },
/* 7 */	{ HEAD TS("esp-des esp-md5-hmac") END, 10, "esp-des is a legacy transform (broken): set ipsec.legacy = true" },
/* 8 */	{ HEAD " transform_set = ( { name = \"t\"; transforms = \"esp-gcm\";\n mode = \"beet\"; } );\n" END, 11, "mode: 'beet' must be \"transport\" or \"tunnel\"" },
/* 9 */	{ HEAD " transform_set = ( { name = \"t\"; transforms = \"esp-gcm\"; },\n { name = \"t\"; transforms = \"esp-gcm 256\"; } );\n" END, 11, "duplicate transform set 't' (first at line 10)" },
/* 10 */{ HEAD TS("esp-gcm") " profile = ( { name = \"p\"; transform_set = \"u\"; } );\n" END, 11, "ipsec.profile[0].transform_set: unknown transform set 'u'" },
/* 11 */{ HEAD TS("esp-gcm") " profile = ( { name = \"p\"; transform_set = \"t\"; replay_window = 1000; } );\n" END, 11, "replay_window: 1000 must be a power of two, 64..4096" },
/* 12 */{ HEAD TS("esp-gcm") " profile = ( { name = \"p\"; transform_set = \"t\"; replay_window = 0; } );\n" END, 11, "0 turns anti-replay off: say replay = false" },
/* 13 */{ HEAD TS("esp-gcm") " profile = ( { name = \"p\"; transform_set = \"t\"; replay = false; replay_window = 64; } );\n" END, 11, "replay = false turns anti-replay off: no window" },
/* 14 */{ HEAD TS("esp-gcm") " profile = ( { name = \"p\"; transform_set = \"t\"; soft_percent = 100; } );\n" END, 11, "soft_percent: must be 1..99 (got 100)" },
/* 15 */{ HEAD TS("esp-gcm") " profile = ( { name = \"p\"; transform_set = \"t\"; udp_dport = 4500; } );\n" END, 11, "udp_dport: UDP ports only with udp_encap = true" },
/* 16 */{ HEAD TS("esp-gcm") " profile = ( { name = \"q\"; transform_set = \"t\"; } );\n" END, 8, "tunnel.protection: unknown profile 'p'" },
/* 17 */{ IFACES TUN, 8, "tunnel.protection: unknown profile 'p' (no ipsec section)" },
/* 18 */{ IFACES TUN_CLEAR "ipsec = {\n" TS("esp-gcm 256") PR SA1 KEYS END, 12, "ipsec.sa: manual SAs need tunnel.protection" },
/* 19 */{ GCM SA1 "   cipher_key_in = \"00zz\"; cipher_key_out = \"" K36B "\"; } );\n" END, 13, "ipsec.sa[0].cipher_key_in: not hex" },
/* 20 */{ GCM SA1 "   cipher_key_in = \"" K36 "\"; cipher_key_out = \"00112233\"; } );\n" END, 13, "cipher_key_out: 4 octets, the transform needs 36 (esp-gcm 256: 32-octet key + 4-octet salt)" },
/* 21 */{ GCM SA1 "   cipher_key_in = \"" K36 "\"; } );\n" END, 12, "ipsec.sa[0]: missing 'cipher_key_out' (36 octets" },
/* 22 */{ GCM SA1 "   auth_key_in = \"00\";\n" KEYS END, 13, "ipsec.sa[0].auth_key_in: the transform takes no such key" },
/* 23 */{ GCM " sa = ( { peer = \"192.0.2.1\"; spi_in = 0x1001; spi_out = 0x2001;\n" KEYSE ",\n { peer = \"192.0.2.3\"; spi_in = 4097; spi_out = 0x2002;\n" KEYS END, 14, "ipsec.sa[1].spi_in: duplicate SPI 0x00001001 (first at line 12)" },
/* 24 */{ GCM " sa = ( { peer = \"192.0.2.1\"; spi_in = 0x1001; spi_out = 0x2001;\n" KEYSE ",\n { peer = \"192.0.2.1\"; spi_in = 0x1002; spi_out = 0x2002;\n" KEYS END, 14, "ipsec.sa[1]: second SA for peer 192.0.2.1 (first at line 12)" },
/* 25 */{ GCM " sa = ( { peer = \"192.0.2.1\"; profile = \"x\"; spi_in = 0x1001; spi_out = 0x2001;\n" KEYS END, 12, "ipsec.sa[0].profile: unknown profile 'x'" },
/* 26 */{ GCM " sa = ( { peer = \"198.51.100.1\"; spi_in = 0x1001; spi_out = 0x2001;\n" KEYS END, 12, "ipsec.sa[0].peer: 198.51.100.1 is outside every underlay route" },
/* 27 */{ GCM " sa = ( { peer = \"192.0.2.2\"; spi_in = 0x1001; spi_out = 0x2001;\n" KEYS END, 12, "ipsec.sa[0].peer: 192.0.2.2 is our own address" },
/* 28 */{ GCM " sa = ( { peer = \"192.0.2.1\"; spi_in = 255; spi_out = 0x2001;\n" KEYS END, 12, "ipsec.sa[0].spi_in: must be 256..4294967295 (got 255)" },
/* 29 */{ HEAD " legacy = true;\n" TS("esp-3des esp-sha-hmac") PR
	  " sa = ( { peer = \"192.0.2.1\"; spi_in = 0x1001; spi_out = 0x2001;\n"
	  "   cipher_key_in = \"0123456789abcdef0123456789abcdef23456789abcdef01\";\n"
	  "   cipher_key_out = \"0123456789abcdef23456789abcdef01456789abcdef0123\";\n"
	  "   auth_key_in = \"000102030405060708090a0b0c0d0e0f10111213\";\n"
	  "   auth_key_out = \"000102030405060708090a0b0c0d0e0f10111213\"; } );\n" END,
	  14, "cipher_key_in: 3DES key with K1 = K2 or K2 = K3 is single DES (RFC 2451 2.3)" },
/* 30 */{ IFACES "tunnel = { address = \"10.0.0.2/24\"; source = \"pub\"; key = 999;\n"
	  " protection = \"p\"; mtu = 1472; };\nipsec = {\n"
	  " transform_set = ( { name = \"t\"; transforms = \"esp-aes esp-sha256-hmac\"; mode = \"tunnel\"; } );\n"
	  " profile = ( { name = \"p\"; transform_set = \"t\"; udp_encap = true; } );\n" END,
	  9, "profile 'p' (esp-aes esp-sha256-hmac, tunnel mode, UDP): tunnel.mtu 1472 makes 1572-octet packets on 'pub' (mtu 1500): tunnel.mtu at most 1394" },
/* 31 */{ GCM " sa = ( { peer = \"224.0.0.5\"; spi_in = 0x1001; spi_out = 0x2001;\n" KEYS END, 12, "ipsec.sa[0].peer: 224.0.0.5 is not a unicast NBMA address" },
/* 32 */{ HEAD TS("esp-gcm") " profile = ( { name = \"p\"; transform_set = \"t\"; },\n { name = \"p\"; transform_set = \"t\"; } );\n" END, 12, "duplicate profile 'p' (first at line 11)" },
/* 33 */{ GCM " sa = ( { peer = \"192.0.2.1\"; spi_in = 0x1001;\n" KEYS END, 12, "ipsec.sa[0]: missing 'spi_out'" },
/* 34 */{ HEAD " transform_set = ( { name = \"t\";\n transforms = \"esp-aes 256 esp-sha-hmac esp-aes 256 esp-sha-hmac esp-aes 256 esp-sha\"; } );\n" END, 11, "transforms: too long" },
/* 35 */{ GCM " sa = { peer = \"192.0.2.1\"; };\n" END, 12, "ipsec.sa: must be a list" },
/* 36 */{ HEAD " transform_set = ( { name = \"t s\"; transforms = \"esp-gcm\"; } );\n" END, 10, "ipsec.transform_set[0].name: 't s' may use" },
/* 37 */{ GCM SA1 "   cipher_key_in = \"" K36 "\"; cipher_key_out = \"" K36B "\"; seq_out_start = -1; } );\n" END, 13, "seq_out_start: must not be negative" },
/* 38 */{ HEAD " switch_timeout_ms = 3600001;\n" END, 10, "ipsec.switch_timeout_ms: must be 0..3600000 (got 3600001)" },
};

#define N_BAD ((int)(sizeof(bad) / sizeof(bad[0])))

START_TEST(test_bad)
{
	static const struct conf zero;
	const struct bad_case *bc = &bad[_i];
	struct conf c;
	struct conf_error e;
	int rc;

	memset(&c, 0xa5, sizeof(c));	/* must come back empty */
	rc = conf_load_string(bc->text, "bad.conf", &c, &e);
	ck_assert_msg(rc == -1, "case %d loaded", _i);
	ck_assert_msg(memcmp(&c, &zero, sizeof(c)) == 0, "case %d: *out not empty", _i);
	ck_assert_msg(strstr(e.msg, bc->msg) != NULL, "case %d: message \"%s\", want \"%s\"", _i,
		      e.msg, bc->msg);
	ck_assert_msg(e.line == bc->line, "case %d: line %d, want %d (%s)", _i, e.line, bc->line,
		      e.msg);
	ck_assert_str_eq(e.file, "bad.conf");
}
END_TEST

static Suite *conf_ipsec_suite(void)
{
	Suite *s = suite_create("conf-ipsec");
	TCase *tc = tcase_create("good");
	TCase *tb = tcase_create("bad");

	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_defaults);
	tcase_add_loop_test(tc, test_transforms, 0, (int)(sizeof(xf) / sizeof(xf[0])));
	tcase_add_test(tc, test_replay_off_and_routes);
	tcase_add_test(tc, test_seq_start);
	tcase_add_test(tc, test_free_wipes);
	suite_add_tcase(s, tc);
	tcase_add_loop_test(tb, test_bad, 0, N_BAD);
	suite_add_tcase(s, tb);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_ipsec_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
