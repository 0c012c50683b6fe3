/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Malformed packets: a table of edits to good captured packets, each with
 * the reason and the Error Indication offset the parser must report; every
 * truncation of every golden packet; packets with too many CIEs or
 * extensions made by hand.  Inputs live in exactly-sized heap buffers so
 * valgrind and ASan see any read past the end.
 */
#include <stdlib.h>
#include <string.h>

#include "nhrp_test.h"

enum neg_base {
	IOS,		/* ios_nhrp frame 1: odd pktsz 81, End at 77 */
	TRACE_REQ,	/* nhrp-trace frame 2: Resolution Request, extoff 52 */
	TRACE_REP,	/* nhrp-trace frame 4: CIE with addresses at 40, extoff 60 */
};

struct neg_case {
	enum neg_base base;
	uint16_t off;		/* where to write */
	uint8_t width;		/* 0: nothing, 1 or 2 octets */
	uint16_t val;
	int pktsz;		/* >= 0: new ar$pktsz and buffer length */
	bool no_ext;		/* ar$extoff = 0 */
	bool keep_cksum;	/* false: fix the checksum after the edit */
	enum nhrp_perr want;
	int want_off;		/* -1: not checked */
};

static const struct neg_case neg_cases[] = {
	/* 1 */ { IOS, 30, 1, 0x11, -1, false, true, NHRP_PERR_CKSUM, 12 },
	/* 2 */ { IOS, 16, 1, 0, -1, false, false, NHRP_PERR_VERSION, 16 },
	/* 3 */ { IOS, 16, 1, 2, -1, false, false, NHRP_PERR_VERSION, 16 },
	/* 4 */ { IOS, 17, 1, 0, -1, false, false, NHRP_PERR_TYPE, 17 },
	/* 5 */ { IOS, 17, 1, 9, -1, false, false, NHRP_PERR_TYPE, 17 },
	/* 6 */ { IOS, 14, 2, 24, -1, false, false, NHRP_PERR_EXTOFF, 14 }, /* in the 8-octet header */
	/* 7 */ { IOS, 14, 2, 35, -1, false, false, NHRP_PERR_EXTOFF, 14 }, /* in the addresses */
	/* 8 */ { IOS, 14, 2, 82, -1, false, false, NHRP_PERR_EXTOFF, 14 }, /* past pktsz */
	/* 9 */ { IOS, 14, 2, 19, -1, false, false, NHRP_PERR_EXTOFF, 14 }, /* in the fixed part */
	/* 10 */ { IOS, 14, 2, 50, -1, false, false, NHRP_PERR_CIE, 40 },	/* CIE cut by extoff */
	/* 11 */ { IOS, 10, 2, 19, -1, false, false, NHRP_PERR_PKTSZ, 10 },
	/* 12 */ { IOS, 10, 2, 82, -1, false, false, NHRP_PERR_PKTSZ, 10 },
	/* 13 */ { IOS, 0, 0, 0, 78, false, false, NHRP_PERR_EXT, 77 },	/* odd: 1 octet of header */
	/* 14 */ { IOS, 0, 0, 0, 80, false, false, NHRP_PERR_EXT, 77 },	/* End cut after 3 octets */
	/* 15 */ { IOS, 66, 2, 14, -1, false, false, NHRP_PERR_EXT, 66 },	/* auth value past the end */
	/* 16 */ { IOS, 66, 2, 0xffff, -1, false, false, NHRP_PERR_EXT, 66 },
	/* 17 */ { IOS, 66, 2, 10, -1, false, false, NHRP_PERR_EXT, 78 },	/* 3 octets after it */
	/* 18 */ { IOS, 79, 2, 1, 82, false, false, NHRP_PERR_EXT_END, 77 }, /* End with a value */
	/* 19 */ { TRACE_REQ, 52, 2, 0x8000, -1, false, false, NHRP_PERR_OK, -1 }, /* early End */
	/* 20 */ { TRACE_REQ, 54, 2, 4, -1, false, false, NHRP_PERR_EXT_CIE, 56 }, /* 3: 4 octets */
	/* 21 */ { TRACE_REQ, 54, 2, 12, -1, false, false, NHRP_PERR_EXT_CIE, 56 }, /* 3: bad CIE */
	/* 22 */ { TRACE_REQ, 18, 1, 0x3f, -1, false, false, NHRP_PERR_EXTOFF, 14 }, /* shtl 63 */
	/* 23 */ { TRACE_REQ, 20, 1, 200, -1, false, false, NHRP_PERR_EXTOFF, 14 }, /* spl 200 */
	/* 24 */ { TRACE_REP, 50, 1, 5, -1, false, false, NHRP_PERR_CIE, 40 }, /* proto len past extoff */
	/* 25 */ { TRACE_REP, 48, 1, 9, -1, false, false, NHRP_PERR_CIE, 40 }, /* nbma len past extoff */
	/* 26 */ { TRACE_REP, 48, 1, 0, -1, false, false, NHRP_PERR_CIE, 56 }, /* 4 octets left over */
	/* 27 */ { TRACE_REP, 74, 1, 5, -1, false, false, NHRP_PERR_EXT_CIE, 64 }, /* ext CIE proto len */
	/* 28 */ { TRACE_REP, 62, 2, 19, -1, false, false, NHRP_PERR_EXT_CIE, 64 },
	/* 29 */ { TRACE_REP, 62, 2, 0x100, -1, false, false, NHRP_PERR_EXT, 62 },
	/* 30 */ { TRACE_REP, 0, 0, 0, 60, true, false, NHRP_PERR_OK, -1 },	/* no ext part, even */
	/* 31 */ { TRACE_REP, 0, 0, 0, 61, true, false, NHRP_PERR_CIE, 60 },	/* odd: stray octet */
	/* 32 */ { TRACE_REP, 0, 0, 0, 71, true, false, NHRP_PERR_CIE, 60 },	/* odd: 11 of a CIE */
	/* 33 */ { TRACE_REP, 20, 1, 200, 60, true, false, NHRP_PERR_MAND, 28 }, /* addresses */
	/* 34 */ { TRACE_REP, 0, 0, 0, 27, true, false, NHRP_PERR_MAND, 20 },	/* odd: short header */
	/* 35 */ { TRACE_REP, 60, 2, 0xc003, -1, false, false, NHRP_PERR_OK, -1 }, /* u bit kept */
	/* 36 */ { TRACE_REP, 0, 0, 0, 60, false, false, NHRP_PERR_OK, -1 },	/* extoff == pktsz */
	/* 37 */ { TRACE_REP, 14, 2, 134, -1, false, false, NHRP_PERR_CIE, 60 }, /* extoff == pktsz */
};

static struct nhrp_frame neg_frames[3][4];

static const struct nhrp_frame *neg_base(enum neg_base b)
{
	static const struct { const char *pcap; int frame; } src[] = {
		[IOS] = { "ios_nhrp.pcap", 0 },
		[TRACE_REQ] = { "nhrp-trace.pcap", 1 },
		[TRACE_REP] = { "nhrp-trace.pcap", 3 },
	};

	nhrp_test_load(src[b].pcap, neg_frames[b], 4);
	return &neg_frames[b][src[b].frame];
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void fix_cksum(uint8_t *p, size_t len)
{
	uint16_t s;

	put16(p + 12, 0);
	s = nhrp_checksum(p, len);
	memcpy(p + 12, &s, 2);
}

/* Parse exactly len octets from a heap copy; returns parse's result. */
static int parse_exact(const uint8_t *p, size_t len, struct nhrp_msg *m,
		       struct nhrp_parse_err *err)
{
	uint8_t *copy = malloc(len ? len : 1);
	int r;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, len);
	r = nhrp_parse(copy, len, m, err);
	if (r == 0) {	/* whatever parses must re-encode to the same octets */
		uint8_t out[NHRP_FRAME_MAX];

		ck_assert_int_eq(nhrp_build(m, out, sizeof(out)), m->pktsz);
		ck_assert_mem_eq(out, copy, m->pktsz);
	}
	free(copy);
	return r;
}

START_TEST(neg_table)
{
	const struct neg_case *c = &neg_cases[_i];
	const struct nhrp_frame *f = neg_base(c->base);
	uint8_t pkt[NHRP_FRAME_MAX] = { 0 };
	size_t len = f->len;
	struct nhrp_parse_err err;
	static struct nhrp_msg m;
	int r;

	memcpy(pkt, f->data, f->len);
	if (c->pktsz >= 0) {
		len = (size_t)c->pktsz;
		put16(pkt + 10, (uint16_t)len);
	}
	if (c->no_ext)
		put16(pkt + 14, 0);
	if (c->width == 1)
		pkt[c->off] = (uint8_t)c->val;
	else if (c->width == 2)
		put16(pkt + c->off, c->val);
	if (!c->keep_cksum)
		fix_cksum(pkt, len);
	r = parse_exact(pkt, len, &m, &err);
	ck_assert_msg(err.reason == c->want, "case %d: got %s at %u, want %s", _i + 1,
		      nhrp_perr_name(err.reason), err.offset, nhrp_perr_name(c->want));
	ck_assert_int_eq(r, c->want == NHRP_PERR_OK ? 0 : -EBADMSG);
	if (c->want_off >= 0)
		ck_assert_msg(err.offset == c->want_off, "case %d: offset %u, want %d", _i + 1,
			      err.offset, c->want_off);
	ck_assert_uint_eq(err.ei_code, nhrp_perr_ei_code(c->want));
}
END_TEST

/* Case 18: End at 52 closes the list; the rest is kept as the trailer. */
START_TEST(neg_early_end)
{
	const struct nhrp_frame *f = neg_base(TRACE_REQ);
	uint8_t pkt[NHRP_FRAME_MAX];
	static struct nhrp_msg m;

	memcpy(pkt, f->data, f->len);
	put16(pkt + 52, 0x8000);
	fix_cksum(pkt, f->len);
	ck_assert_int_eq(parse_exact(pkt, f->len, &m, NULL), 0);
	ck_assert_uint_eq(m.nexts, 0);
	ck_assert(m.ext_end);
	ck_assert_uint_eq(m.ext_trailer.len, 86 - 56);
}
END_TEST

/* A bad checksum is its own reason; the caller may parse anyway. */
START_TEST(neg_cksum_ignored)
{
	const struct nhrp_frame *f = neg_base(IOS);
	uint8_t pkt[NHRP_FRAME_MAX];
	struct nhrp_parse_err err;
	static struct nhrp_msg m;

	memcpy(pkt, f->data, f->len);
	pkt[27] ^= 0x01;	/* request id 5 -> 4 */
	ck_assert_int_eq(nhrp_parse(pkt, f->len, &m, &err), -EBADMSG);
	ck_assert_int_eq(err.reason, NHRP_PERR_CKSUM);
	ck_assert_uint_eq(err.ei_code, 0);
	ck_assert_int_eq(nhrp_parse_ex(pkt, f->len, NHRP_PARSE_IGNORE_CKSUM, &m, &err), 0);
	ck_assert(!m.cksum_ok);
	ck_assert_uint_eq(m.reqid, 4);
	ck_assert_uint_eq(m.chksum, 0xe8e4);
}
END_TEST

/* Every prefix of every golden packet: fails cleanly, never reads past it. */
START_TEST(neg_truncate_all)
{
	static const char *const pcaps[] = { "ios_nhrp.pcap", "NHRP_registration.pcap",
					     "NHRP-responder-address.pcap", "nhrp-trace.pcap" };
	static struct nhrp_frame fr[8];
	struct nhrp_parse_err err;
	static struct nhrp_msg m;
	int total = 0;

	for (unsigned int p = 0; p < sizeof(pcaps) / sizeof(pcaps[0]); p++) {
		int n = nhrp_test_load(pcaps[p], fr, 8);

		for (int i = 0; i < n; i++) {
			for (size_t len = 0; len < fr[i].len; len++, total++) {
				ck_assert_int_eq(parse_exact(fr[i].data, len, &m, &err), -EBADMSG);
				ck_assert_int_eq(err.reason, len < NHRP_FIXED_LEN ?
						 NHRP_PERR_SHORT : NHRP_PERR_PKTSZ);
			}
		}
	}
	ck_assert_int_gt(total, 1000);
}
END_TEST

/* Same, but pktsz and checksum follow the cut: the walk itself must stop. */
START_TEST(neg_truncate_consistent)
{
	static struct nhrp_frame fr[8];
	uint8_t pkt[NHRP_FRAME_MAX];
	static struct nhrp_msg m;
	struct nhrp_parse_err err;
	int ok = 0, bad = 0;
	int n = nhrp_test_load("nhrp-trace.pcap", fr, 8);

	for (int i = 0; i < n; i++) {
		for (size_t len = NHRP_FIXED_LEN; len < fr[i].len; len++) {
			memcpy(pkt, fr[i].data, len);
			put16(pkt + 10, (uint16_t)len);
			fix_cksum(pkt, len);
			if (parse_exact(pkt, len, &m, &err) == 0)
				ok++;
			else
				bad++;
		}
	}
	/* Cuts that end on an extension boundary parse (no End); most do not. */
	ck_assert_int_gt(ok, 0);
	ck_assert_int_gt(bad, 10 * ok);
}
END_TEST

/* Registration Request with empty CIEs and extensions, made by hand. */
static size_t make_many(uint8_t *p, unsigned int ncie, unsigned int next, unsigned int ext_cies)
{
	static const uint8_t head[] = { 0, 1, 8, 0, 0, 0, 0, 0, 0, 255, 0, 0, 0, 0, 0, 0,
					1, 3, 4, 0, 4, 4, 0x80, 0, 0, 0, 0, 7, 10, 0, 0, 1,
					192, 168, 0, 1, 192, 168, 0, 2 };
	size_t len = sizeof(head), extoff = 0;

	memcpy(p, head, len);
	memset(p + len, 0, ncie * NHRP_CIE_LEN);	/* code 0, no addresses */
	len += ncie * NHRP_CIE_LEN;
	if (next) {
		extoff = len;
		for (unsigned int i = 0; i < next; i++) {
			unsigned int n = i == 0 ? ext_cies : 0;

			put16(p + len, NHRP_EXT_COMPULSORY | NHRP_EXT_FORWARD_TRANSIT);
			put16(p + len + 2, (uint16_t)(n * NHRP_CIE_LEN));
			memset(p + len + 4, 0, n * NHRP_CIE_LEN);
			len += 4 + n * NHRP_CIE_LEN;
		}
		put16(p + len, NHRP_EXT_COMPULSORY | NHRP_EXT_END);
		put16(p + len + 2, 0);
		len += 4;
	}
	put16(p + 10, (uint16_t)len);
	put16(p + 14, (uint16_t)extoff);
	fix_cksum(p, len);
	return len;
}

START_TEST(neg_limits)
{
	static const struct {
		unsigned int ncie, next, ext_cies;
		enum nhrp_perr want;
		int want_off;
	} t[] = {
		/* 1 */ { NHRP_MAX_CIES, 0, 0, NHRP_PERR_OK, -1 },
		/* 2 */ { NHRP_MAX_CIES + 1, 0, 0, NHRP_PERR_CIE_COUNT, 40 + 16 * 12 },
		/* 3 */ { 1, NHRP_MAX_EXTS, 0, NHRP_PERR_OK, -1 },
		/* 4 */ { 1, NHRP_MAX_EXTS + 1, 0, NHRP_PERR_EXT_COUNT, 52 + 16 * 4 },
		/* 5 */ { 1, 1, NHRP_MAX_EXT_CIES, NHRP_PERR_OK, -1 },
		/* 6 */ { 1, 1, NHRP_MAX_EXT_CIES + 1, NHRP_PERR_CIE_COUNT, 56 + 8 * 12 },
		/* 7 */ { 0, 0, 0, NHRP_PERR_OK, -1 },
	};
	static uint8_t pkt[4096];
	struct nhrp_parse_err err;
	static struct nhrp_msg m;

	for (unsigned int i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t len = make_many(pkt, t[i].ncie, t[i].next, t[i].ext_cies);

		parse_exact(pkt, len, &m, &err);
		ck_assert_msg(err.reason == t[i].want, "limit %u: %s", i + 1,
			      nhrp_perr_name(err.reason));
		if (t[i].want_off >= 0)
			ck_assert_uint_eq(err.offset, t[i].want_off);
		if (t[i].want == NHRP_PERR_OK) {
			ck_assert_uint_eq(m.ncies, t[i].ncie);
			ck_assert_uint_eq(m.nexts, t[i].next);
			if (t[i].next)
				ck_assert_uint_eq(m.exts[0].ncies, t[i].ext_cies);
		}
	}
}
END_TEST

START_TEST(neg_null)
{
	struct nhrp_parse_err err;
	static struct nhrp_msg m;

	ck_assert_int_eq(nhrp_parse(NULL, 100, &m, &err), -EBADMSG);
	ck_assert_int_eq(err.reason, NHRP_PERR_SHORT);
	ck_assert_int_eq(nhrp_parse((const uint8_t *)"", 0, &m, NULL), -EBADMSG);
}
END_TEST

TCase *nhrp_tc_negative(void)
{
	TCase *tc = tcase_create("negative");

	tcase_add_loop_test(tc, neg_table, 0, sizeof(neg_cases) / sizeof(neg_cases[0]));
	tcase_add_test(tc, neg_early_end);
	tcase_add_test(tc, neg_cksum_ignored);
	tcase_add_test(tc, neg_truncate_all);
	tcase_add_test(tc, neg_truncate_consistent);
	tcase_add_test(tc, neg_limits);
	tcase_add_test(tc, neg_null);
	return tc;
}
