/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Builder: Cisco's packets rebuilt from scratch with the daemon-facing API
 * must equal the captures byte for byte; a request turned into its reply
 * and a forwarded request likewise; the message types with no capture
 * (Purge, Error Indication) and IPv6 survive build -> parse; errors of
 * nhrp_build(); Cisco authentication; names; the debug dump.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "nhrp_test.h"

static struct nhrp_frame fr[32];
static struct nhrp_msg m, back;
static uint8_t out[2048];

/* Addresses need storage that outlives the message: a small pool. */
static struct nhrp_addr ip4(const char *s)
{
	static uint8_t pool[32][4];
	static unsigned int next;
	uint8_t *a = pool[next++ % 32];

	ck_assert_int_eq(inet_pton(AF_INET, s, a), 1);
	return NHRP_ADDR(a, 4);
}

static void build_eq(const struct nhrp_msg *msg, const struct nhrp_frame *f)
{
	int n = nhrp_build(msg, out, sizeof(out));

	ck_assert_int_eq(n, (int)f->len);
	ck_assert_mem_eq(out, f->data, f->len);
}

static void build_parse(const struct nhrp_msg *msg)
{
	struct nhrp_parse_err err;
	int n = nhrp_build(msg, out, sizeof(out));

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(nhrp_parse(out, (size_t)n, &back, &err), 0);
	ck_assert_uint_eq(back.pktsz, n);
}

/* ios_nhrp.pcap from scratch: IOS registration, auth "CISCO". */
START_TEST(build_ios_from_scratch)
{
	struct nhrp_addr nbma = ip4("10.0.12.2"), src = ip4("192.168.0.2"),
			 dst = ip4("192.168.0.1");
	uint8_t auth[NHRP_CISCO_AUTH_MAX];
	int alen = nhrp_cisco_auth_encode(auth, "CISCO", 5);

	nhrp_test_load("ios_nhrp.pcap", fr, 1);
	nhrp_msg_init(&m, NHRP_REGISTRATION_REQUEST, &nbma, &src, &dst);
	m.flags = NHRP_REG_FLAG_U;
	m.reqid = 5;
	ck_assert_int_eq(nhrp_msg_add_cie(&m, &(struct nhrp_cie){
		.prefix_len = 0xff, .mtu = 1514, .holdtime = 30 }), 0);
	ck_assert_ptr_nonnull(nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER_ADDRESS, true));
	ck_assert_ptr_nonnull(nhrp_msg_add_ext(&m, NHRP_EXT_FORWARD_TRANSIT, true));
	ck_assert_ptr_nonnull(nhrp_msg_add_ext(&m, NHRP_EXT_REVERSE_TRANSIT, true));
	ck_assert_int_eq(alen, 9);
	ck_assert_ptr_nonnull(nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, auth,
						   (uint16_t)alen));
	build_eq(&m, &fr[0]);
}
END_TEST

/* A Cisco IOL registration request as the spoke daemon would build it. */
static void build_iol_request(struct nhrp_msg *msg, uint32_t reqid)
{
	static uint8_t auth[NHRP_CISCO_AUTH_MAX];
	struct nhrp_addr nbma = ip4("169.254.100.1"), src = ip4("155.1.0.1"),
			 nhs = ip4("155.1.0.5");
	struct nhrp_ext *nat;

	nhrp_msg_init(msg, NHRP_REGISTRATION_REQUEST, &nbma, &src, &nhs);
	msg->flags = NHRP_REG_FLAG_U | NHRP_REG_FLAG_NAT;
	msg->reqid = reqid;
	nhrp_msg_add_cie(msg, &(struct nhrp_cie){ .prefix_len = 32, .mtu = 17912,
						  .holdtime = 7200 });
	nhrp_msg_add_ext(msg, NHRP_EXT_RESPONDER_ADDRESS, true);
	nhrp_msg_add_ext(msg, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_msg_add_ext(msg, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_msg_add_ext_raw(msg, NHRP_EXT_AUTHENTICATION, true, auth,
			     (uint16_t)nhrp_cisco_auth_encode(auth, "NHRPAUTH", 8));
	/* Cisco NAT extension: one CIE describing the NHS (wire-formats.md 3.2) */
	nat = nhrp_msg_add_ext(msg, NHRP_EXT_NAT_ADDRESS, false);
	ck_assert_ptr_nonnull(nat);
	ck_assert_int_eq(nhrp_ext_add_cie(nat, &(struct nhrp_cie){
		.prefix_len = 32, .mtu = 17912, .nbma = ip4("169.254.100.5"),
		.proto = nhs }), 0);
}

START_TEST(build_registration_from_scratch)
{
	nhrp_test_load("NHRP_registration.pcap", fr, 4);
	build_iol_request(&m, 1);
	build_eq(&m, &fr[0]);
	build_iol_request(&m, 2);
	build_eq(&m, &fr[2]);
}
END_TEST

/* The hub's reply = the request, type 4, Responder Address filled (5.2.4). */
START_TEST(build_reply_from_request)
{
	struct nhrp_ext *resp;

	nhrp_test_load("NHRP_registration.pcap", fr, 4);
	for (int i = 0; i < 4; i += 2) {
		nhrp_test_parse(&fr[i], &m);
		m.type = NHRP_REGISTRATION_REPLY;
		resp = nhrp_msg_find_ext(&m, NHRP_EXT_RESPONDER_ADDRESS);
		ck_assert_ptr_nonnull(resp);
		ck_assert_int_eq(nhrp_ext_add_cie(resp, &(struct nhrp_cie){
			.prefix_len = 32, .mtu = 17912, .holdtime = 7200,
			.nbma = ip4("169.254.100.5"), .proto = ip4("155.1.0.5") }), 0);
		build_eq(&m, &fr[i + 1]);
	}
}
END_TEST

/* A transit NHS: hop count - 1, itself appended to Forward Transit (5.3.2). */
START_TEST(build_forward)
{
	struct nhrp_ext *fwd;

	nhrp_test_load("nhrp-trace.pcap", fr, 4);
	nhrp_test_parse(&fr[1], &m);
	m.hopcnt--;
	fwd = nhrp_msg_find_ext(&m, NHRP_EXT_FORWARD_TRANSIT);
	ck_assert_ptr_nonnull(fwd);
	ck_assert_int_eq(nhrp_ext_add_cie(fwd, &(struct nhrp_cie){
		.mtu = 1514, .holdtime = 7200, .nbma = ip4("192.168.200.1"),
		.proto = ip4("10.255.255.1") }), 0);
	build_eq(&m, &fr[2]);
}
END_TEST

/* Traffic Indication from scratch, quoting the parsed one's data packet. */
START_TEST(build_traffic_indication)
{
	struct nhrp_addr nbma = ip4("192.168.200.1"), src = ip4("10.255.255.1"),
			 dst = ip4("10.255.255.3");
	uint8_t auth[NHRP_CISCO_AUTH_MAX];
	struct nhrp_msg ti;

	nhrp_test_load("nhrp-trace.pcap", fr, 4);
	nhrp_test_parse(&fr[0], &ti);
	nhrp_msg_init_traffic(&m, &nbma, &src, &dst, ti.payload.p, ti.payload.len);
	nhrp_msg_add_ext(&m, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_msg_add_ext(&m, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, auth,
			     (uint16_t)nhrp_cisco_auth_encode(auth, "secret", 6));
	nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDRESS, false);
	build_eq(&m, &fr[0]);
}
END_TEST

/* RFC 2332 5.2.7: loop detected (3), the offending packet quoted, no ext. */
START_TEST(build_error_indication)
{
	struct nhrp_addr nbma = ip4("192.168.200.1"), src = ip4("10.255.255.1"),
			 dst = ip4("10.255.255.3");

	nhrp_test_load("nhrp-trace.pcap", fr, 4);
	nhrp_msg_init_error(&m, NHRP_ERR_LOOP_DETECTED, 52, &nbma, &src, &dst, fr[1].data,
			    (uint16_t)fr[1].len);
	ck_assert_ptr_null(nhrp_msg_add_ext(&m, NHRP_EXT_AUTHENTICATION, true));
	build_parse(&m);
	ck_assert_uint_eq(back.type, NHRP_ERROR_INDICATION);
	ck_assert_uint_eq(back.error.code, 3);
	ck_assert_uint_eq(back.error.offset, 52);
	ck_assert_uint_eq(back.extoff, 0);
	ck_assert(!back.ext_part);
	ck_assert_uint_eq(back.nexts, 0);
	ck_assert_uint_eq(back.pktsz, 20 + 8 + 12 + fr[1].len);
	ck_assert_uint_eq(back.payload.len, fr[1].len);
	ck_assert_mem_eq(back.payload.p, fr[1].data, fr[1].len);
	ck_assert_uint_eq(back.hopcnt, NHRP_HOPCNT_DEFAULT);
}
END_TEST

/*
 * OpenNHRP ends every Error Indication with End and 16 zero octets "for
 * Cisco" (wire-formats.md 2.5): accepted, kept as the trailer, re-encoded.
 */
START_TEST(build_error_indication_opennhrp)
{
	static const uint8_t zeros[16];
	struct nhrp_addr nbma = ip4("192.0.2.1"), src = ip4("10.0.0.1"), dst = ip4("10.0.0.2");
	int n;

	nhrp_test_load("ios_nhrp.pcap", fr, 1);
	nhrp_msg_init_error(&m, NHRP_ERR_AUTH_FAILURE, 64, &nbma, &src, &dst, fr[0].data, 40);
	m.ext_part = true;
	m.ext_end = true;
	m.ext_end_type = NHRP_EXT_COMPULSORY | NHRP_EXT_END;
	m.ext_trailer = (struct nhrp_view){ .p = zeros, .len = sizeof(zeros) };
	build_parse(&m);
	ck_assert_uint_eq(back.pktsz, 20 + 8 + 12 + 40 + 4 + 16);
	ck_assert_uint_eq(back.extoff, 20 + 8 + 12 + 40);
	ck_assert_uint_eq(back.payload.len, 40);
	ck_assert(back.ext_end);
	ck_assert_uint_eq(back.nexts, 0);
	ck_assert_uint_eq(back.ext_trailer.len, 16);
	n = back.pktsz;
	ck_assert_int_eq(nhrp_build(&back, fr[1].data, sizeof(fr[1].data)), n);
	ck_assert_mem_eq(fr[1].data, out, (size_t)n);
}
END_TEST

/* RFC 2332 5.2.5 / 5.2.6: purge of one binding, N flag, reply = request. */
START_TEST(build_purge)
{
	struct nhrp_addr nbma = ip4("192.0.2.1"), src = ip4("10.0.0.1"), dst = ip4("10.0.0.2");

	nhrp_msg_init(&m, NHRP_PURGE_REQUEST, &nbma, &src, &dst);
	m.flags = NHRP_PURGE_FLAG_N;
	m.reqid = 0xdeadbeef;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .prefix_len = 32, .proto = ip4("10.0.0.9") });
	nhrp_msg_add_ext(&m, NHRP_EXT_FORWARD_TRANSIT, true);
	build_parse(&m);
	ck_assert_uint_eq(back.type, NHRP_PURGE_REQUEST);
	ck_assert_uint_eq(back.flags, NHRP_PURGE_FLAG_N);
	ck_assert_uint_eq(back.reqid, 0xdeadbeef);
	ck_assert_uint_eq(back.ncies, 1);
	nhrp_test_cie(&back.cies[0], 0, 32, 0, 0, NULL, "10.0.0.9");
	ck_assert_uint_eq(back.nexts, 1);
	ck_assert_uint_eq(back.extoff, 20 + 8 + 12 + 16);
	m.type = NHRP_PURGE_REPLY;
	build_parse(&m);
	ck_assert_uint_eq(back.type, NHRP_PURGE_REPLY);
	ck_assert_uint_eq(back.reqid, 0xdeadbeef);
}
END_TEST

/* IPv6 NBMA and protocol addresses: afn 2, pro.type 0x86dd. */
START_TEST(build_ipv6)
{
	static uint8_t a[3][16];
	struct nhrp_addr nbma = NHRP_ADDR(a[0], 16), src = NHRP_ADDR(a[1], 16),
			 dst = NHRP_ADDR(a[2], 16);
	struct strbuf sb;

	inet_pton(AF_INET6, "2001:db8::1", a[0]);
	inet_pton(AF_INET6, "fd00::1", a[1]);
	inet_pton(AF_INET6, "fd00::2", a[2]);
	nhrp_msg_init(&m, NHRP_RESOLUTION_REQUEST, &nbma, &src, &dst);
	m.flags = NHRP_RES_FLAG_Q | NHRP_RES_FLAG_A | NHRP_RES_FLAG_S;
	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .prefix_len = 128, .mtu = 1400,
						 .holdtime = 600 });
	build_parse(&m);
	ck_assert_uint_eq(back.afn, NHRP_AFN_IPV6);
	ck_assert_uint_eq(back.pro_type, NHRP_PROTO_IPV6);
	ck_assert_uint_eq(back.src_nbma.len, 16);
	ck_assert_mem_eq(back.dst_proto.p, a[2], 16);
	sb_init(&sb);
	nhrp_dump(&back, &sb);
	ck_assert_ptr_nonnull(strstr(sb.s, "src nbma: 2001:db8::1\n"));
	ck_assert_ptr_nonnull(strstr(sb.s, "dst proto: fd00::2\n"));
	sb_free(&sb);
}
END_TEST

START_TEST(build_errors)
{
	static uint8_t big[70000], data[65536];
	struct nhrp_addr nbma = ip4("10.0.12.2"), src = ip4("192.168.0.2");
	int n;

	nhrp_test_load("nhrp-trace.pcap", fr, 4);
	nhrp_test_parse(&fr[3], &m);
	n = nhrp_build(&m, out, sizeof(out));
	ck_assert_int_eq(n, 134);
	for (size_t cap = 0; cap < (size_t)n; cap++)	/* 1 */
		ck_assert_int_eq(nhrp_build(&m, out, cap), -ENOSPC);
	ck_assert_int_eq(nhrp_build(NULL, out, sizeof(out)), -EINVAL);	/* 2 */
	m.type = 0;	/* 3 */
	ck_assert_int_eq(nhrp_build(&m, out, sizeof(out)), -EINVAL);
	m.type = 9;	/* 4 */
	ck_assert_int_eq(nhrp_build(&m, out, sizeof(out)), -EINVAL);
	m.type = NHRP_RESOLUTION_REPLY;
	m.src_nbma.len = 64;	/* 5: T/L has 6 bits of length */
	ck_assert_int_eq(nhrp_build(&m, out, sizeof(out)), -EINVAL);
	m.src_nbma.len = 4;
	m.cies[0].proto.p = NULL;	/* 6: a view without storage */
	ck_assert_int_eq(nhrp_build(&m, out, sizeof(out)), -EINVAL);
	nhrp_test_parse(&fr[3], &m);
	m.exts[0].type = NHRP_EXT_END;	/* 7: End is not a list member */
	ck_assert_int_eq(nhrp_build(&m, out, sizeof(out)), -EINVAL);
	nhrp_test_parse(&fr[3], &m);
	m.src_nbma_tl_type = 0x01;	/* 8: type bits only */
	ck_assert_int_eq(nhrp_build(&m, out, sizeof(out)), -EINVAL);
	/* 9: the largest packet there is, a Traffic Indication */
	nhrp_msg_init_traffic(&m, &nbma, &src, &src, data, 65535 - 40);
	ck_assert_int_eq(nhrp_build(&m, big, sizeof(big)), 65535);
	m.payload.len++;	/* 10: one more octet */
	ck_assert_int_eq(nhrp_build(&m, big, sizeof(big)), -EMSGSIZE);
	m.payload.len = 100;	/* 11: EMSGSIZE from the extension part too */
	nhrp_msg_add_ext_raw(&m, NHRP_EXT_VENDOR_PRIVATE, false, data, 65535);
	ck_assert_int_eq(nhrp_build(&m, big, sizeof(big)), -EMSGSIZE);
	/* 12: more CIEs than the parser accepts */
	nhrp_msg_init(&m, NHRP_REGISTRATION_REQUEST, &nbma, &src, &src);
	for (int i = 0; i < NHRP_MAX_CIES; i++)
		ck_assert_int_eq(nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .mtu = 1 }), 0);
	ck_assert_int_eq(nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .mtu = 1 }), -ENOSPC);
	m.ncies++;
	ck_assert_int_eq(nhrp_build(&m, out, sizeof(out)), -EINVAL);
}
END_TEST

START_TEST(build_cisco_auth)
{
	uint8_t v[NHRP_CISCO_AUTH_MAX];
	struct nhrp_ext e = { .type = NHRP_EXT_AUTHENTICATION, .compulsory = true };
	static const uint8_t want[] = { 0, 0, 0, 1, 's', 'e', 'c', 'r', 'e', 't' };

	ck_assert_int_eq(nhrp_cisco_auth_encode(v, "secret", 6), 10);	/* 1 */
	ck_assert_mem_eq(v, want, sizeof(want));
	ck_assert_int_eq(nhrp_cisco_auth_encode(v, "12345678", 8), 12);	/* 2: max */
	ck_assert_int_eq(nhrp_cisco_auth_encode(v, "123456789", 9), -EINVAL);	/* 3 */
	ck_assert_int_eq(nhrp_cisco_auth_encode(v, "", 0), -EINVAL);	/* 4 */
	e.val = (struct nhrp_view){ .p = want, .len = sizeof(want) };
	ck_assert(nhrp_cisco_auth_match(&e, "secret", 6));	/* 5 */
	ck_assert(!nhrp_cisco_auth_match(&e, "secreT", 6));	/* 6 */
	ck_assert(!nhrp_cisco_auth_match(&e, "secre", 5));	/* 7: prefix */
	ck_assert(!nhrp_cisco_auth_match(&e, "secret1", 7));	/* 8 */
	e.val.len = 3;	/* 9: shorter than the type */
	ck_assert(!nhrp_cisco_auth_match(&e, "", 0));
	e.val = (struct nhrp_view){ .p = (const uint8_t *)"\0\0\0\2secret", .len = 10 };
	ck_assert(!nhrp_cisco_auth_match(&e, "secret", 6));	/* 10: not cleartext */
	e.val = (struct nhrp_view){ .p = want, .len = sizeof(want) };
	e.type = NHRP_EXT_VENDOR_PRIVATE;	/* 11: not an auth extension */
	ck_assert(!nhrp_cisco_auth_match(&e, "secret", 6));
	ck_assert(!nhrp_cisco_auth_match(NULL, "secret", 6));	/* 12 */
}
END_TEST

START_TEST(build_names)
{
	ck_assert_str_eq(nhrp_type_name(1), "Resolution Request");
	ck_assert_str_eq(nhrp_type_name(7), "Error Indication");
	ck_assert_str_eq(nhrp_type_name(8), "Traffic Indication");
	ck_assert_str_eq(nhrp_type_name(0), "unknown");
	ck_assert_str_eq(nhrp_type_name(9), "unknown");
	ck_assert_str_eq(nhrp_ext_name(0x8000), "End");
	ck_assert_str_eq(nhrp_ext_name(9), "Cisco NAT Address");
	ck_assert_str_eq(nhrp_ext_name(1), "unknown");
	ck_assert_str_eq(nhrp_ext_name(0x3fff), "unknown");
	ck_assert_str_eq(nhrp_error_name(3), "NHRP Loop Detected");	/* not FRR's 2 */
	ck_assert_str_eq(nhrp_error_name(2), "unknown");
	ck_assert_str_eq(nhrp_error_name(11), "Authentication Failure");
	ck_assert_str_eq(nhrp_error_name(15), "Hop Count Exceeded");
	ck_assert_str_eq(nhrp_error_name(16), "unknown");
	ck_assert_str_eq(nhrp_cie_code_name(12), "No Binding Exists");	/* not FRR's 11 */
	ck_assert_str_eq(nhrp_cie_code_name(11), "unknown");
	ck_assert_str_eq(nhrp_cie_code_name(14), "Unique Address Already Registered");
	ck_assert_str_eq(nhrp_cie_code_name(255), "unknown");
	ck_assert_str_eq(nhrp_perr_name(NHRP_PERR_CKSUM), "bad checksum");
	ck_assert_str_eq(nhrp_perr_name(NHRP_PERR_MAX), "unknown");
	ck_assert_uint_eq(nhrp_perr_ei_code(NHRP_PERR_EXT_CIE), NHRP_ERR_INVALID_EXTENSION);
	ck_assert_uint_eq(nhrp_perr_ei_code(NHRP_PERR_CIE), NHRP_ERR_PROTOCOL_ERROR);
	ck_assert_uint_eq(nhrp_perr_ei_code(NHRP_PERR_CKSUM), 0);
	for (int i = 1; i < NHRP_PERR_MAX; i++)
		ck_assert_str_ne(nhrp_perr_name(i), "unknown");
}
END_TEST

START_TEST(build_dump)
{
	static const char *const lines[] = {
		"type: 2 (Resolution Reply)\n", "hopcnt: 255\n", "pktsz: 134\n",
		"chksum: 0x659b (good)\n", "extoff: 60\n", "flags: 0xf802 (Q A D U S NAT)\n",
		"reqid: 5\n",
		"src nbma: 192.168.200.3\n", "src proto: 10.255.255.3\n",
		"dst proto: 10.255.255.2\n",
		"cie[0]: code 0 (Success) prefix 32 mtu 1514 holdtime 7200 pref 0 "
		"nbma 192.168.200.2 proto 10.255.255.2\n",
		"ext 3 (Responder Address) compulsory len 20\n",
		"  cie[0]: code 0 (Success) prefix 0 mtu 1514 holdtime 7200 pref 0 "
		"nbma 192.168.200.2 proto 10.255.255.2\n",
		"ext 7 (Authentication) compulsory len 10 cleartext password (6 octets)\n",
		"ext 9 (Cisco NAT Address) len 0\n", "ext 0 (End)\n",
	};
	struct strbuf sb;

	nhrp_test_load("nhrp-trace.pcap", fr, 4);
	nhrp_test_parse(&fr[3], &m);
	sb_init(&sb);
	nhrp_dump(&m, &sb);
	for (unsigned int i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		ck_assert_msg(strstr(sb.s, lines[i]), "missing: %s in\n%s", lines[i], sb.s);
	ck_assert_ptr_null(strstr(sb.s, "secret"));	/* never the password */
	sb_reset(&sb);
	nhrp_test_parse(&fr[0], &m);
	nhrp_dump(&m, &sb);
	ck_assert_ptr_nonnull(strstr(sb.s, "traffic code: 0 (redirect)\n"));
	ck_assert_ptr_nonnull(strstr(sb.s, "payload: 28 octets 45000064"));
	sb_reset(&sb);
	nhrp_test_parse(&fr[1], &m);
	nhrp_dump(&m, &sb);
	ck_assert_ptr_nonnull(strstr(sb.s, "flags: 0xc802 (Q A S NAT)\n"));
	sb_reset(&sb);
	m.flags = 0x0400;	/* no known bit */
	nhrp_dump(&m, &sb);
	ck_assert_ptr_nonnull(strstr(sb.s, "flags: 0x0400\n"));
	sb_free(&sb);
}
END_TEST

TCase *nhrp_tc_build(void)
{
	TCase *tc = tcase_create("build");

	tcase_add_test(tc, build_ios_from_scratch);
	tcase_add_test(tc, build_registration_from_scratch);
	tcase_add_test(tc, build_reply_from_request);
	tcase_add_test(tc, build_forward);
	tcase_add_test(tc, build_traffic_indication);
	tcase_add_test(tc, build_error_indication);
	tcase_add_test(tc, build_error_indication_opennhrp);
	tcase_add_test(tc, build_purge);
	tcase_add_test(tc, build_ipv6);
	tcase_add_test(tc, build_errors);
	tcase_add_test(tc, build_cisco_auth);
	tcase_add_test(tc, build_names);
	tcase_add_test(tc, build_dump);
	return tc;
}
