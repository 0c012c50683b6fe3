/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the NHRP codec (common/nhrp_packet.h).  Properties:
 * the parser never reads out of bounds; whatever parses re-encodes to the
 * same octets (the checksum field aside when the input's was wrong, and
 * modulo the two encodings of a zero one's complement sum); the re-encoded
 * packet parses again with a good checksum and encodes identically.
 * Also run without libFuzzer by replay_main.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nhrp_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CK_OFF 12	/* ar$chksum */

static void require(bool ok)
{
	if (!ok)
		abort();
}

/* 0x0000 and 0xffff are both "zero" to a one's complement sum. */
static bool nhrp_cksum_equiv(const uint8_t *a, const uint8_t *b)
{
	uint16_t x = (uint16_t)(a[0] << 8 | a[1]), y = (uint16_t)(b[0] << 8 | b[1]);

	return x == y || ((x == 0 || x == 0xffff) && (y == 0 || y == 0xffff));
}

static void nhrp_fuzz_views(const struct nhrp_msg *m)
{
	struct strbuf sb;
	struct nhrp_view pw;

	for (unsigned int i = 0; i < m->nexts; i++)
		if (nhrp_cisco_auth_password(&m->exts[i], &pw) == 0)
			require(pw.len + 4u == m->exts[i].val.len);
	sb_init(&sb);
	nhrp_dump(m, &sb);
	require(!sb.oom);
	sb_free(&sb);
}

/* The strict parse agrees: same verdict, or "bad checksum" instead of ok. */
static void nhrp_fuzz_strict(const uint8_t *data, size_t size, int r,
			     const struct nhrp_parse_err *lax, bool cksum_ok)
{
	static struct nhrp_msg m;
	struct nhrp_parse_err err;
	int rs = nhrp_parse(data, size, &m, &err);

	if (r == 0)
		require(cksum_ok ? rs == 0 : err.reason == NHRP_PERR_CKSUM);
	else if (lax->reason <= NHRP_PERR_PKTSZ)	/* found before the checksum */
		require(rs == r && err.reason == lax->reason);
	else
		require(rs == r && (err.reason == lax->reason || err.reason == NHRP_PERR_CKSUM));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nhrp_msg m, again;
	static uint8_t out[65536], out2[65536];
	struct nhrp_parse_err err;
	int n, n2, r;

	r = nhrp_parse_ex(data, size, NHRP_PARSE_IGNORE_CKSUM, &m, &err);
	nhrp_fuzz_strict(data, size, r, &err, r == 0 && m.cksum_ok);
	if (r != 0) {
		require(r == -EBADMSG);
		require(err.reason > NHRP_PERR_OK && err.reason < NHRP_PERR_MAX);
		require(err.offset <= size);	/* where octets are missing: at most size */
		return 0;
	}
	require(m.pktsz <= size && m.pktsz >= NHRP_FIXED_LEN);
	nhrp_fuzz_views(&m);

	n = nhrp_build(&m, out, sizeof(out));
	require(n == m.pktsz);
	require(memcmp(out, data, CK_OFF) == 0);
	require(memcmp(out + CK_OFF + 2, data + CK_OFF + 2, (size_t)n - CK_OFF - 2) == 0);
	if (m.cksum_ok)
		require(nhrp_cksum_equiv(out + CK_OFF, data + CK_OFF));

	require(nhrp_parse(out, (size_t)n, &again, &err) == 0 && again.cksum_ok);
	n2 = nhrp_build(&again, out2, sizeof(out2));
	require(n2 == n && memcmp(out, out2, (size_t)n) == 0);
	return 0;
}
