/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Golden packets: every NHRP frame of the tcpdump captures in testdata/ is
 * parsed, printed the way tcpdump -v prints it and compared with the
 * capture's .out file, checked field by field against the decodes noted in
 * MANIFEST.md / wire-formats.md, then re-encoded and compared byte for byte.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nhrp_test.h"

#define MAX_FRAMES 32

int nhrp_test_load(const char *name, struct nhrp_frame *frames, size_t max)
{
	char rel[128], path[512];
	int n;

	snprintf(rel, sizeof(rel), "tcpdump/%s", name);
	n = nhrp_pcap_load(nhrp_testdata(rel, path, sizeof(path)), frames, max);
	ck_assert_msg(n > 0, "no NHRP frame in %s", path);
	return n;
}

void nhrp_test_parse(const struct nhrp_frame *f, struct nhrp_msg *m)
{
	struct nhrp_parse_err err;
	int r = nhrp_parse(f->data, f->len, m, &err);

	ck_assert_msg(r == 0, "parse: %s at %u", nhrp_perr_name(err.reason), err.offset);
	ck_assert(m->cksum_ok);
	ck_assert_uint_le(m->pktsz, f->len);
}

void nhrp_test_roundtrip(const struct nhrp_frame *f, const struct nhrp_msg *m)
{
	uint8_t out[NHRP_FRAME_MAX];
	int n = nhrp_build(m, out, sizeof(out));

	ck_assert_int_eq(n, m->pktsz);
	ck_assert_mem_eq(out, f->data, (size_t)n);
}

void nhrp_test_addr(const struct nhrp_addr *a, const char *want)
{
	char txt[INET_ADDRSTRLEN];

	if (!want) {
		ck_assert_uint_eq(a->len, 0);
		return;
	}
	ck_assert_uint_eq(a->len, 4);
	ck_assert_str_eq(inet_ntop(AF_INET, a->p, txt, sizeof(txt)), want);
}

void nhrp_test_cie(const struct nhrp_cie *c, uint8_t code, uint8_t plen, uint16_t mtu,
		   uint16_t hold, const char *nbma, const char *proto)
{
	ck_assert_uint_eq(c->code, code);
	ck_assert_uint_eq(c->prefix_len, plen);
	ck_assert_uint_eq(c->unused, 0);
	ck_assert_uint_eq(c->mtu, mtu);
	ck_assert_uint_eq(c->holdtime, hold);
	ck_assert_uint_eq(c->pref, 0);
	nhrp_test_addr(&c->nbma, nbma);
	ck_assert_uint_eq(c->nbma_sub.len, 0);
	nhrp_test_addr(&c->proto, proto);
}

/* --- tcpdump -v text of a parsed message (print-nhrp.c output format) --- */

static const char *td_type(unsigned int t)
{
	static const char *const n[] = { "?", "res request", "res reply", "reg request",
					 "reg reply", "purge request", "purge reply",
					 "error indication", "traffic indication" };

	return t < 9 ? n[t] : "?";
}

static void td_addr(char *out, size_t size, const char *fmt, const struct nhrp_addr *a)
{
	char txt[INET_ADDRSTRLEN] = "?";
	size_t n = strlen(out);

	if (a->len == 4)
		inet_ntop(AF_INET, a->p, txt, sizeof(txt));
	snprintf(out + n, size - n, fmt, txt);
}

static void td_cat(char *out, size_t size, const char *s)
{
	size_t n = strlen(out);

	snprintf(out + n, size - n, "%s", s);
}

static void td_cie(char *out, size_t size, const struct nhrp_cie *c)
{
	char tmp[96];

	snprintf(tmp, sizeof(tmp), " (code %u, pl %u, mtu %u, htime %u, pref %u", c->code,
		 c->prefix_len, c->mtu, c->holdtime, c->pref);
	td_cat(out, size, tmp);
	if (c->nbma.len)
		td_addr(out, size, ", nbma %s", &c->nbma);
	if (c->proto.len)
		td_addr(out, size, ", proto %s", &c->proto);
	td_cat(out, size, ")");
}

static void td_line(const struct nhrp_msg *m, char *out, size_t size)
{
	snprintf(out, size, "%s", td_type(m->type));
	if (m->type == NHRP_TRAFFIC_INDICATION)
		td_cat(out, size, m->traffic.code == 0 ?
			", code <NHRP traffic redirect/indirection>" : ", code <?>");
	else if (m->type != NHRP_ERROR_INDICATION)
		snprintf(out + strlen(out), size - strlen(out), ", id %u", m->reqid);
	snprintf(out + strlen(out), size - strlen(out), ", hopcnt %u", m->hopcnt);
	if (m->src_nbma.len)
		td_addr(out, size, ", src nbma %s", &m->src_nbma);
	td_cat(out, size, ", ");
	if (m->src_proto.len)
		td_addr(out, size, "%s ", &m->src_proto);
	td_cat(out, size, "->");
	if (m->dst_proto.len)
		td_addr(out, size, " %s", &m->dst_proto);
	for (unsigned int i = 0; i < m->ncies; i++)
		td_cie(out, size, &m->cies[i]);
}

/* The NHRP lines of a tcpdump .out file, text after "NHRP: ". */
static int td_load_out(const char *name, char lines[][256], int max)
{
	char rel[128], path[512], line[512];
	FILE *fp;
	int n = 0;

	snprintf(rel, sizeof(rel), "tcpdump/%s", name);
	fp = fopen(nhrp_testdata(rel, path, sizeof(path)), "r");
	ck_assert_msg(fp != NULL, "cannot open %s", path);
	while (n < max && fgets(line, sizeof(line), fp)) {
		char *p = strstr(line, "NHRP: ");

		if (!p)
			continue;
		p += strlen("NHRP: ");
		p[strcspn(p, "\n")] = '\0';
		snprintf(lines[n++], 256, "%s", p);
	}
	fclose(fp);
	return n;
}

/* Every frame: parse, same text as tcpdump, byte-exact re-encoding. */
static int check_capture(const char *pcap, const char *out, struct nhrp_frame *f,
			 struct nhrp_msg *msgs)
{
	static char want[MAX_FRAMES][256];
	int n = nhrp_test_load(pcap, f, MAX_FRAMES);
	int nout = td_load_out(out, want, MAX_FRAMES);
	char got[256];

	ck_assert_int_eq(n, nout);
	for (int i = 0; i < n; i++) {
		nhrp_test_parse(&f[i], &msgs[i]);
		td_line(&msgs[i], got, sizeof(got));
		ck_assert_msg(strcmp(got, want[i]) == 0, "%s frame %d:\n got  %s\n want %s",
			      pcap, i + 1, got, want[i]);
		nhrp_test_roundtrip(&f[i], &msgs[i]);
	}
	return n;
}

static struct nhrp_frame frames[MAX_FRAMES];
static struct nhrp_msg msgs[MAX_FRAMES];

static void ck_fixed(const struct nhrp_msg *m, uint8_t type, uint8_t hop, uint16_t pktsz,
		     uint16_t chksum, uint16_t extoff)
{
	ck_assert_uint_eq(m->afn, NHRP_AFN_IPV4);
	ck_assert_uint_eq(m->pro_type, NHRP_PROTO_IPV4);
	ck_assert_uint_eq(m->version, 1);
	ck_assert_uint_eq(m->type, type);
	ck_assert_uint_eq(m->hopcnt, hop);
	ck_assert_uint_eq(m->pktsz, pktsz);
	ck_assert_uint_eq(m->chksum, chksum);
	ck_assert_uint_eq(m->extoff, extoff);
	ck_assert(m->ext_end);
	ck_assert_uint_eq(m->ext_end_type, 0x8000);
	ck_assert_uint_eq(m->ext_trailer.len, 0);
}

static void ck_ext(const struct nhrp_msg *m, unsigned int i, uint16_t type, bool c,
		   uint16_t len, uint8_t ncies)
{
	ck_assert_uint_lt(i, m->nexts);
	ck_assert_uint_eq(m->exts[i].type, type);
	ck_assert_int_eq(m->exts[i].compulsory, c);
	ck_assert_int_eq(m->exts[i].unused_bit, 0);
	ck_assert_uint_eq(m->exts[i].val.len, len);
	ck_assert_uint_eq(m->exts[i].ncies, ncies);
}

static void ck_auth(const struct nhrp_msg *m, unsigned int i, const char *pw)
{
	struct nhrp_view v;

	ck_ext(m, i, NHRP_EXT_AUTHENTICATION, true, 4 + strlen(pw), 0);
	ck_assert_int_eq(nhrp_cisco_auth_password(&m->exts[i], &v), 0);
	ck_assert_uint_eq(v.len, strlen(pw));
	ck_assert_mem_eq(v.p, pw, v.len);
	ck_assert(nhrp_cisco_auth_match(&m->exts[i], pw, strlen(pw)));
}

/* 1: Cisco IOS, keyless GRE, odd pktsz 81, auth "CISCO" length 9. */
START_TEST(golden_ios_nhrp)
{
	const struct nhrp_msg *m = &msgs[0];

	ck_assert_int_eq(check_capture("ios_nhrp.pcap", "ios_nhrp.out", frames, msgs), 1);
	ck_assert(!frames[0].gre_key_present);
	ck_fixed(m, NHRP_REGISTRATION_REQUEST, 255, 81, 0xe8e4, 52);
	ck_assert_uint_eq(m->flags, NHRP_REG_FLAG_U);
	ck_assert_uint_eq(m->reqid, 5);
	nhrp_test_addr(&m->src_nbma, "10.0.12.2");
	nhrp_test_addr(&m->src_proto, "192.168.0.2");
	nhrp_test_addr(&m->dst_proto, "192.168.0.1");
	ck_assert_uint_eq(m->ncies, 1);
	nhrp_test_cie(&m->cies[0], 0, 255, 1514, 30, NULL, NULL);
	ck_assert_uint_eq(m->nexts, 4);
	ck_ext(m, 0, NHRP_EXT_RESPONDER_ADDRESS, true, 0, 0);
	ck_ext(m, 1, NHRP_EXT_FORWARD_TRANSIT, true, 0, 0);
	ck_ext(m, 2, NHRP_EXT_REVERSE_TRANSIT, true, 0, 0);
	ck_auth(m, 3, "CISCO");
	ck_assert_uint_eq(m->exts[3].offset, 64);	/* End follows at 77, odd */
}
END_TEST

/* The NAT extension CIE Cisco puts in registrations: the NHS. */
static void ck_nat_nhs(const struct nhrp_msg *m, unsigned int i, const char *nbma,
		       const char *proto, uint16_t mtu)
{
	ck_ext(m, i, NHRP_EXT_NAT_ADDRESS, false, 20, 1);
	nhrp_test_cie(&m->exts[i].cies[0], 0, 32, mtu, 0, nbma, proto);
}

/* 2: Cisco IOL, GRE key 2, flags U|NAT, prefix 32, auth "NHRPAUTH". */
START_TEST(golden_registration)
{
	static const uint16_t sums[] = { 0x197b, 0x060f, 0x197a, 0x060e };

	ck_assert_int_eq(check_capture("NHRP_registration.pcap", "NHRP_registration.out",
				       frames, msgs), 4);
	for (int i = 0; i < 4; i++) {
		const struct nhrp_msg *m = &msgs[i];
		bool reply = i & 1;

		ck_assert(frames[i].gre_key_present);
		ck_assert_uint_eq(frames[i].gre_key, 2);
		ck_fixed(m, reply ? NHRP_REGISTRATION_REPLY : NHRP_REGISTRATION_REQUEST, 255,
			 reply ? 128 : 108, sums[i], 52);
		ck_assert_uint_eq(m->flags, NHRP_REG_FLAG_U | NHRP_REG_FLAG_NAT);
		ck_assert_uint_eq(m->reqid, (uint32_t)i / 2 + 1);
		nhrp_test_addr(&m->src_nbma, "169.254.100.1");
		nhrp_test_addr(&m->src_proto, "155.1.0.1");
		nhrp_test_addr(&m->dst_proto, "155.1.0.5");
		ck_assert_uint_eq(m->ncies, 1);
		nhrp_test_cie(&m->cies[0], 0, 32, 17912, 7200, NULL, NULL);
		ck_assert_uint_eq(m->nexts, 5);
		ck_ext(m, 0, NHRP_EXT_RESPONDER_ADDRESS, true, reply ? 20 : 0, reply);
		if (reply)
			nhrp_test_cie(&m->exts[0].cies[0], 0, 32, 17912, 7200,
				      "169.254.100.5", "155.1.0.5");
		ck_ext(m, 1, NHRP_EXT_FORWARD_TRANSIT, true, 0, 0);
		ck_ext(m, 2, NHRP_EXT_REVERSE_TRANSIT, true, 0, 0);
		ck_auth(m, 3, "NHRPAUTH");
		ck_nat_nhs(m, 4, "169.254.100.5", "155.1.0.5", 17912);
	}
}
END_TEST

/* 3: flags 0x0002 (U clear); the reply's responder is 155.1.146.6. */
START_TEST(golden_responder_address)
{
	const struct nhrp_msg *m;

	ck_assert_int_eq(check_capture("NHRP-responder-address.pcap",
				       "NHRP-responder-address.out", frames, msgs), 2);
	for (int i = 0; i < 2; i++) {
		m = &msgs[i];
		ck_fixed(m, i ? NHRP_REGISTRATION_REPLY : NHRP_REGISTRATION_REQUEST, 255,
			 i ? 128 : 108, i ? 0x1ac5 : 0xbe3a, 52);
		ck_assert_uint_eq(m->flags, NHRP_REG_FLAG_NAT);
		ck_assert_uint_eq(m->reqid, 300);
		nhrp_test_addr(&m->src_nbma, "155.1.79.2");
		nhrp_test_addr(&m->src_proto, "155.1.0.9");
		nhrp_test_addr(&m->dst_proto, "155.1.0.6");
		ck_auth(m, 3, "NHRPAUTH");
		ck_nat_nhs(m, 4, "6.6.6.6", "155.1.0.6", 17912);
	}
	m = &msgs[1];
	ck_ext(m, 0, NHRP_EXT_RESPONDER_ADDRESS, true, 20, 1);
	/* Cisco: prefix 32 (RFC 5.3.1 says 0), another tunnel's address. */
	nhrp_test_cie(&m->exts[0].cies[0], 0, 32, 17912, 7200, "6.6.6.6", "155.1.146.6");
}
END_TEST

/* 4: Traffic Indication -> Resolution Request -> forwarded -> Reply. */
START_TEST(golden_trace)
{
	static const uint8_t quoted[28] = {
		0x45, 0x00, 0x00, 0x64, 0x00, 0x05, 0x00, 0x00, 0xff, 0x01, 0xa7, 0x8f,
		0x0a, 0xff, 0xff, 0x03, 0x0a, 0xff, 0xff, 0x02, 0x08, 0x00, 0x32, 0x5b,
		0x00, 0x01, 0x00, 0x00 };
	const struct nhrp_msg *m = &msgs[0];

	ck_assert_int_eq(check_capture("nhrp-trace.pcap", "nhrp-trace.out", frames, msgs), 4);
	ck_assert_uint_eq(frames[0].gre_key, 1000);
	ck_fixed(m, NHRP_TRAFFIC_INDICATION, 255, 98, 0xd9d0, 68);
	ck_assert_uint_eq(m->flags, 0);
	ck_assert_uint_eq(m->traffic.code, NHRP_TRAFFIC_REDIRECT);
	ck_assert_uint_eq(m->traffic.unused, 0);
	nhrp_test_addr(&m->src_nbma, "192.168.200.1");
	nhrp_test_addr(&m->src_proto, "10.255.255.1");
	nhrp_test_addr(&m->dst_proto, "10.255.255.3");
	ck_assert_uint_eq(m->ncies, 0);
	ck_assert_uint_eq(m->payload.len, sizeof(quoted));
	ck_assert_mem_eq(m->payload.p, quoted, sizeof(quoted));
	ck_assert_uint_eq(m->nexts, 4);
	ck_ext(m, 0, NHRP_EXT_FORWARD_TRANSIT, true, 0, 0);
	ck_ext(m, 1, NHRP_EXT_REVERSE_TRANSIT, true, 0, 0);
	ck_auth(m, 2, "secret");
	ck_ext(m, 3, NHRP_EXT_NAT_ADDRESS, false, 0, 0);

	for (int i = 1; i < 3; i++) {
		m = &msgs[i];
		ck_fixed(m, NHRP_RESOLUTION_REQUEST, i == 1 ? 255 : 254, i == 1 ? 86 : 106,
			 i == 1 ? 0xaa37 : 0xed5a, 52);
		ck_assert_uint_eq(m->flags, NHRP_RES_FLAG_Q | NHRP_RES_FLAG_A |
					    NHRP_RES_FLAG_S | NHRP_RES_FLAG_NAT);
		ck_assert_uint_eq(m->reqid, 5);
		nhrp_test_addr(&m->src_nbma, "192.168.200.3");
		nhrp_test_addr(&m->src_proto, "10.255.255.3");
		nhrp_test_addr(&m->dst_proto, "10.255.255.2");
		nhrp_test_cie(&m->cies[0], 0, 0, 1514, 7200, NULL, NULL);
		ck_assert_uint_eq(m->nexts, 5);
		ck_ext(m, 0, NHRP_EXT_RESPONDER_ADDRESS, true, 0, 0);
		ck_ext(m, 1, NHRP_EXT_FORWARD_TRANSIT, true, i == 1 ? 0 : 20, i == 1 ? 0 : 1);
		ck_ext(m, 2, NHRP_EXT_REVERSE_TRANSIT, true, 0, 0);
		ck_auth(m, 3, "secret");
		ck_ext(m, 4, NHRP_EXT_NAT_ADDRESS, false, 0, 0);
	}
	/* frame 3: the hub appended itself to Forward Transit (RFC 5.3.2) */
	nhrp_test_cie(&msgs[2].exts[1].cies[0], 0, 0, 1514, 7200, "192.168.200.1",
		      "10.255.255.1");

	m = &msgs[3];
	ck_fixed(m, NHRP_RESOLUTION_REPLY, 255, 134, 0x659b, 60);
	ck_assert_uint_eq(m->flags, 0xf802);
	ck_assert_uint_eq(m->reqid, 5);
	nhrp_test_addr(&m->src_nbma, "192.168.200.3");
	nhrp_test_addr(&m->dst_proto, "10.255.255.2");
	ck_assert_uint_eq(m->ncies, 1);
	nhrp_test_cie(&m->cies[0], 0, 32, 1514, 7200, "192.168.200.2", "10.255.255.2");
	ck_ext(m, 0, NHRP_EXT_RESPONDER_ADDRESS, true, 20, 1);
	nhrp_test_cie(&m->exts[0].cies[0], 0, 0, 1514, 7200, "192.168.200.2", "10.255.255.2");
	ck_ext(m, 1, NHRP_EXT_FORWARD_TRANSIT, true, 20, 1);
	nhrp_test_cie(&m->exts[1].cies[0], 0, 0, 1514, 7200, "192.168.200.1", "10.255.255.1");
	ck_ext(m, 2, NHRP_EXT_REVERSE_TRANSIT, true, 0, 0);
	ck_auth(m, 3, "secret");
	ck_ext(m, 4, NHRP_EXT_NAT_ADDRESS, false, 0, 0);
}
END_TEST

/* 5: pcapng, 25 frames; after the restart request id 1 repeats. */
START_TEST(golden_pcapng)
{
	static const uint32_t ids[25] = { 21, 21, 22, 22, 1, 1, 2, 2, 1, 1, 1, 1, 1,
					  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	int n = check_capture("nhrp.pcapng", "nhrp.out", frames, msgs);

	ck_assert_int_eq(n, 25);
	for (int i = 0; i < n; i++) {
		const struct nhrp_msg *m = &msgs[i];
		bool reply = m->type == NHRP_REGISTRATION_REPLY;
		bool hub14 = m->dst_proto.p[1] == 65;	/* 10.65.0.1 via 100.1.0.14 */

		ck_assert(!frames[i].gre_key_present);
		ck_assert_uint_eq(m->reqid, ids[i]);
		ck_assert_uint_eq(m->flags, NHRP_REG_FLAG_U | NHRP_REG_FLAG_NAT);
		ck_assert_uint_eq(m->pktsz, reply ? 124 : 104);
		ck_assert_uint_eq(m->extoff, 52);
		nhrp_test_addr(&m->src_nbma, "100.1.2.27");
		nhrp_test_cie(&m->cies[0], 0, 32, 17916, 7200, NULL, NULL);
		ck_auth(m, 3, "OTUS");
		ck_nat_nhs(m, 4, hub14 ? "100.1.0.14" : "100.1.0.15",
			   hub14 ? "10.65.0.1" : "10.64.0.1", 17916);
		if (reply)
			nhrp_test_cie(&m->exts[0].cies[0], 0, 32, 17916, 7200,
				      hub14 ? "100.1.0.14" : "100.1.0.15",
				      hub14 ? "10.65.0.1" : "10.64.0.1");
	}
}
END_TEST

/* 6: fuzzer-made NHRP in IP protocol 54: rejected with a reason. */
START_TEST(golden_pb_nhrp_1)
{
	struct nhrp_parse_err err;
	struct nhrp_msg m;

	ck_assert_int_eq(nhrp_test_load("pb_nhrp_1.pcap", frames, MAX_FRAMES), 1);
	ck_assert_uint_eq(frames[0].ip_proto, 54);
	ck_assert_int_eq(nhrp_parse(frames[0].data, frames[0].len, &m, &err), -EBADMSG);
	ck_assert_int_ne(err.reason, NHRP_PERR_OK);
	/* pktsz 0x7bff is far past the 44 octets there are */
	ck_assert_int_eq(err.reason, NHRP_PERR_PKTSZ);
	ck_assert_uint_eq(err.offset, 10);
	ck_assert_uint_eq(err.ei_code, 0);
	/* without the size check it still fails cleanly */
	ck_assert_int_eq(nhrp_parse_ex(frames[0].data, frames[0].len, NHRP_PARSE_IGNORE_CKSUM,
				       &m, &err), -EBADMSG);
}
END_TEST

/* Octets after pktsz (Ethernet padding) are ignored and not re-encoded. */
START_TEST(golden_trailing_bytes)
{
	struct nhrp_frame *f = &frames[0];
	struct nhrp_msg m;

	nhrp_test_load("ios_nhrp.pcap", frames, MAX_FRAMES);
	memset(f->data + f->len, 0xa5, 5);
	f->len += 5;
	nhrp_test_parse(f, &m);
	ck_assert_uint_eq(m.pktsz, 81);
	nhrp_test_roundtrip(f, &m);
}
END_TEST

TCase *nhrp_tc_golden(void)
{
	TCase *tc = tcase_create("golden");

	tcase_add_test(tc, golden_ios_nhrp);
	tcase_add_test(tc, golden_registration);
	tcase_add_test(tc, golden_responder_address);
	tcase_add_test(tc, golden_trace);
	tcase_add_test(tc, golden_pcapng);
	tcase_add_test(tc, golden_pb_nhrp_1);
	tcase_add_test(tc, golden_trailing_bytes);
	return tc;
}

int main(void)
{
	Suite *s = suite_create("nhrp");
	SRunner *sr;
	int failed;

	suite_add_tcase(s, nhrp_tc_golden());
	suite_add_tcase(s, nhrp_tc_negative());
	suite_add_tcase(s, nhrp_tc_build());
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
