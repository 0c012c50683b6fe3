/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP parser (RFC 2332 5): validate the Fixed Part, then walk the
 * Mandatory Part (common header, addresses, CIEs or an embedded packet) and
 * the Extensions Part with bounded buffers, filling struct nhrp_msg with
 * views into the packet.  Every failure leaves through nhrp_fail() with a
 * reason and the octet offset an Error Indication would carry.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "cksum.h"
#include "nhrp_packet.h"

struct nhrp_pctx {
	const uint8_t *pkt;
	struct nhrp_msg *m;
	struct nhrp_parse_err *err;
};

/*
 * Reason -> name and the Error Indication code to answer with (RFC 2332
 * 5.2.7).  Dropped silently, as FRR does: damage that could be transmission
 * (short, pktsz, checksum), packets that are not NHRP version 1 or of an
 * unknown type, and our own limits on CIEs and extensions (an RFC-valid
 * packet may exceed them; no RFC code says so).
 */
static const struct {
	const char *name;
	uint16_t ei_code;
} nhrp_perr_info[NHRP_PERR_MAX] = {
	[NHRP_PERR_OK] = { "ok", 0 },
	[NHRP_PERR_SHORT] = { "shorter than the fixed header", 0 },
	[NHRP_PERR_PKTSZ] = { "bad packet size", 0 },
	[NHRP_PERR_CKSUM] = { "bad checksum", 0 },
	[NHRP_PERR_VERSION] = { "bad version", 0 },
	[NHRP_PERR_TYPE] = { "unknown packet type", 0 },
	[NHRP_PERR_EXTOFF] = { "bad extension offset", NHRP_ERR_PROTOCOL_ERROR },
	[NHRP_PERR_MAND] = { "truncated mandatory part", NHRP_ERR_PROTOCOL_ERROR },
	[NHRP_PERR_CIE] = { "truncated CIE", NHRP_ERR_PROTOCOL_ERROR },
	[NHRP_PERR_CIE_COUNT] = { "too many CIEs", 0 },
	[NHRP_PERR_EXT] = { "truncated extension", NHRP_ERR_PROTOCOL_ERROR },
	[NHRP_PERR_EXT_COUNT] = { "too many extensions", 0 },
	[NHRP_PERR_EXT_CIE] = { "malformed extension CIE", NHRP_ERR_INVALID_EXTENSION },
	[NHRP_PERR_EXT_END] = { "End extension with a value", NHRP_ERR_INVALID_EXTENSION },
};

const char *nhrp_perr_name(enum nhrp_perr reason)
{
	if ((unsigned int)reason >= NHRP_PERR_MAX)
		return "unknown";
	return nhrp_perr_info[reason].name;
}

uint16_t nhrp_perr_ei_code(enum nhrp_perr reason)
{
	if ((unsigned int)reason >= NHRP_PERR_MAX)
		return 0;
	return nhrp_perr_info[reason].ei_code;
}

uint16_t nhrp_checksum(const uint8_t *pkt, size_t len)
{
	return cksum(pkt, len);
}

static int nhrp_fail(struct nhrp_pctx *c, enum nhrp_perr why, size_t offset)
{
	c->err->reason = why;
	c->err->offset = (uint16_t)offset;
	c->err->ei_code = nhrp_perr_ei_code(why);
	return -EBADMSG;
}

/* Offset of b's read position from the fixed header. */
static size_t nhrp_off(const struct nhrp_pctx *c, const struct buf *b)
{
	return (size_t)(buf_data(b) - c->pkt);
}

/* A sub-buffer over pkt[from..to). */
static void nhrp_window(const struct nhrp_pctx *c, struct buf *b, size_t from, size_t to)
{
	buf_init_read(b, c->pkt + from, to - from);
}

static void nhrp_pull_addr(struct buf *b, uint8_t len, struct nhrp_addr *a)
{
	a->p = buf_pull(b, len);
	a->len = len;
}

/* RFC 2332 5.1: fixed header, packet size, checksum, version, type. */
static int nhrp_pull_fixed(struct nhrp_pctx *c, size_t len, unsigned int flags)
{
	struct nhrp_msg *m = c->m;
	const struct nhrp_fixed_hdr *h;
	struct buf b;

	buf_init_read(&b, c->pkt, len);
	h = buf_pull_type(&b, struct nhrp_fixed_hdr);
	if (!h)
		return nhrp_fail(c, NHRP_PERR_SHORT, len);
	m->afn = ntohs(h->afn);
	m->pro_type = ntohs(h->pro_type);
	memcpy(m->pro_snap, h->pro_snap, sizeof(m->pro_snap));
	m->hopcnt = h->hopcnt;
	m->pktsz = ntohs(h->pktsz);
	m->chksum = ntohs(h->chksum);
	m->extoff = ntohs(h->extoff);
	m->version = h->version;
	m->type = h->type;
	m->src_nbma_tl_type = h->shtl & NHRP_TL_TYPE_MASK;
	m->src_nbma_sub_tl_type = h->sstl & NHRP_TL_TYPE_MASK;
	m->src_nbma.len = h->shtl & NHRP_TL_LEN_MASK;
	m->src_nbma_sub.len = h->sstl & NHRP_TL_LEN_MASK;

	if (m->pktsz < NHRP_FIXED_LEN || m->pktsz > len)
		return nhrp_fail(c, NHRP_PERR_PKTSZ, offsetof(struct nhrp_fixed_hdr, pktsz));
	/* RFC 2332 5.1: a correct packet sums to zero, odd tail padded with 0. */
	m->cksum_ok = nhrp_checksum(c->pkt, m->pktsz) == 0;
	if (!m->cksum_ok && !(flags & NHRP_PARSE_IGNORE_CKSUM))
		return nhrp_fail(c, NHRP_PERR_CKSUM, offsetof(struct nhrp_fixed_hdr, chksum));
	if (m->version != NHRP_VERSION)
		return nhrp_fail(c, NHRP_PERR_VERSION, offsetof(struct nhrp_fixed_hdr, version));
	if (m->type < NHRP_RESOLUTION_REQUEST || m->type > NHRP_TYPE_MAX)
		return nhrp_fail(c, NHRP_PERR_TYPE, offsetof(struct nhrp_fixed_hdr, type));
	/* RFC 2332 5: extoff 0 = no extensions; else it ends the Mandatory Part. */
	if (m->extoff != 0 &&
	    (m->extoff < NHRP_FIXED_LEN + NHRP_MAND_HDR_LEN || m->extoff > m->pktsz))
		return nhrp_fail(c, NHRP_PERR_EXTOFF, offsetof(struct nhrp_fixed_hdr, extoff));
	m->ext_part = m->extoff != 0;
	return 0;
}

/* RFC 2332 5.2.0.1, 5.2.7 and Cisco's Traffic Indication: 8 octets. */
static void nhrp_decode_mand_hdr(struct nhrp_msg *m, const struct nhrp_mand_hdr *h)
{
	const struct nhrp_error_hdr *e = (const struct nhrp_error_hdr *)h;
	const struct nhrp_traffic_hdr *t = (const struct nhrp_traffic_hdr *)h;

	m->src_proto.len = h->src_proto_len;
	m->dst_proto.len = h->dst_proto_len;
	m->flags = ntohs(h->flags);
	switch (m->type) {
	case NHRP_ERROR_INDICATION:
		m->error.code = ntohs(e->code);
		m->error.offset = ntohs(e->offset);
		break;
	case NHRP_TRAFFIC_INDICATION:
		m->traffic.code = ntohs(t->code);
		m->traffic.unused = ntohs(t->unused);
		break;
	default:
		m->reqid = ntohl(h->reqid);
		break;
	}
}

/*
 * Common header and the four addresses inside the Mandatory Part mb.  An
 * extoff that points before the end of the addresses is reported as such.
 */
static int nhrp_pull_mand(struct nhrp_pctx *c, struct buf *mb)
{
	struct nhrp_msg *m = c->m;
	const struct nhrp_mand_hdr *h;
	size_t addr_end;

	h = buf_pull_type(mb, struct nhrp_mand_hdr);
	if (!h)
		return nhrp_fail(c, NHRP_PERR_MAND, NHRP_FIXED_LEN);
	nhrp_decode_mand_hdr(m, h);
	addr_end = NHRP_FIXED_LEN + NHRP_MAND_HDR_LEN + m->src_nbma.len +
		   m->src_nbma_sub.len + m->src_proto.len + m->dst_proto.len;
	if (m->ext_part && m->extoff < addr_end)
		return nhrp_fail(c, NHRP_PERR_EXTOFF, offsetof(struct nhrp_fixed_hdr, extoff));

	nhrp_pull_addr(mb, m->src_nbma.len, &m->src_nbma);
	nhrp_pull_addr(mb, m->src_nbma_sub.len, &m->src_nbma_sub);
	nhrp_pull_addr(mb, m->src_proto.len, &m->src_proto);
	nhrp_pull_addr(mb, m->dst_proto.len, &m->dst_proto);
	if (mb->err)
		return nhrp_fail(c, NHRP_PERR_MAND, NHRP_FIXED_LEN + NHRP_MAND_HDR_LEN);
	return 0;
}

/* RFC 2332 5.2.0.1: one CIE; false if it runs past b. */
static bool nhrp_pull_cie(struct nhrp_pctx *c, struct buf *b, struct nhrp_cie *ce)
{
	const struct nhrp_cie_hdr *h;

	ce->offset = (uint16_t)nhrp_off(c, b);
	h = buf_pull_type(b, struct nhrp_cie_hdr);
	if (!h)
		return false;
	ce->code = h->code;
	ce->prefix_len = h->prefix_len;
	ce->unused = ntohs(h->unused);
	ce->mtu = ntohs(h->mtu);
	ce->holdtime = ntohs(h->holdtime);
	ce->nbma_tl_type = h->cli_addr_tl & NHRP_TL_TYPE_MASK;
	ce->nbma_sub_tl_type = h->cli_saddr_tl & NHRP_TL_TYPE_MASK;
	ce->pref = h->pref;
	nhrp_pull_addr(b, h->cli_addr_tl & NHRP_TL_LEN_MASK, &ce->nbma);
	nhrp_pull_addr(b, h->cli_saddr_tl & NHRP_TL_LEN_MASK, &ce->nbma_sub);
	nhrp_pull_addr(b, h->cli_proto_len, &ce->proto);
	return !b->err;
}

/* CIEs filling b exactly; why = the reason for one that does not fit. */
static int nhrp_pull_cie_list(struct nhrp_pctx *c, struct buf *b, struct nhrp_cie *cies,
			      uint8_t max, uint8_t *n, enum nhrp_perr why)
{
	while (buf_len(b) > 0) {
		size_t at = nhrp_off(c, b);

		if (*n >= max)
			return nhrp_fail(c, NHRP_PERR_CIE_COUNT, at);
		if (!nhrp_pull_cie(c, b, &cies[*n]))
			return nhrp_fail(c, why, at);
		(*n)++;
	}
	return 0;
}

/* What follows the addresses: CIEs (1-6) or the quoted packet (7, 8). */
static int nhrp_pull_mand_body(struct nhrp_pctx *c, struct buf *mb)
{
	struct nhrp_msg *m = c->m;

	switch (m->type) {
	case NHRP_ERROR_INDICATION:
	case NHRP_TRAFFIC_INDICATION:
		m->payload.p = buf_data(mb);
		m->payload.len = (uint16_t)buf_len(mb);
		return 0;
	default:
		return nhrp_pull_cie_list(c, mb, m->cies, NHRP_MAX_CIES, &m->ncies,
					  NHRP_PERR_CIE);
	}
}

static bool nhrp_ext_is_cie_list(uint16_t type)
{
	switch (type) {
	case NHRP_EXT_RESPONDER_ADDRESS:
	case NHRP_EXT_FORWARD_TRANSIT:
	case NHRP_EXT_REVERSE_TRANSIT:
	case NHRP_EXT_NAT_ADDRESS:
		return true;
	default:
		return false;
	}
}

/* RFC 2332 5.3: End closes the list; the rest up to pktsz is kept raw. */
static int nhrp_take_end(struct nhrp_pctx *c, struct buf *xb, uint16_t word,
			 const struct buf *val, size_t at)
{
	struct nhrp_msg *m = c->m;

	if (buf_len(val) != 0)
		return nhrp_fail(c, NHRP_PERR_EXT_END, at);
	m->ext_end = true;
	m->ext_end_type = word;
	m->ext_trailer.p = buf_data(xb);
	m->ext_trailer.len = (uint16_t)buf_len(xb);
	return 0;
}

static int nhrp_take_ext(struct nhrp_pctx *c, uint16_t word, struct buf *val, size_t at)
{
	struct nhrp_msg *m = c->m;
	struct nhrp_ext *e;

	if (m->nexts >= NHRP_MAX_EXTS)
		return nhrp_fail(c, NHRP_PERR_EXT_COUNT, at);
	e = &m->exts[m->nexts++];
	e->type = word & NHRP_EXT_TYPE_MASK;
	e->compulsory = word & NHRP_EXT_COMPULSORY;
	e->unused_bit = word & NHRP_EXT_UNUSED_BIT;
	e->offset = (uint16_t)at;
	e->val.p = buf_data(val);
	e->val.len = (uint16_t)buf_len(val);
	e->has_cies = nhrp_ext_is_cie_list(e->type);
	e->ncies = 0;
	if (!e->has_cies)
		return 0;
	return nhrp_pull_cie_list(c, val, e->cies, NHRP_MAX_EXT_CIES, &e->ncies,
				  NHRP_PERR_EXT_CIE);
}

/* RFC 2332 5.3: C | u | type(14), length, value; until End or pktsz. */
static int nhrp_pull_exts(struct nhrp_pctx *c, struct buf *xb)
{
	while (buf_len(xb) > 0) {
		size_t at = nhrp_off(c, xb);
		const struct nhrp_ext_hdr *h = buf_pull_type(xb, struct nhrp_ext_hdr);
		struct buf val;
		uint16_t word;
		int r;

		if (!h)
			return nhrp_fail(c, NHRP_PERR_EXT, at);
		word = ntohs(h->type);
		if (!buf_sub(xb, ntohs(h->length), &val))
			return nhrp_fail(c, NHRP_PERR_EXT, at + offsetof(struct nhrp_ext_hdr, length));
		if ((word & NHRP_EXT_TYPE_MASK) == NHRP_EXT_END)
			return nhrp_take_end(c, xb, word, &val, at);
		r = nhrp_take_ext(c, word, &val, at);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Zero everything but the CIE arrays (10 KiB we need not touch): entries
 * past ncies are not part of the message.
 */
static void nhrp_msg_clear(struct nhrp_msg *m)
{
	memset(m, 0, offsetof(struct nhrp_msg, cies));
	m->payload = (struct nhrp_view){ 0 };
	m->ext_part = false;
	m->nexts = 0;
	m->ext_end = false;
	m->ext_end_type = 0;
	m->ext_trailer = (struct nhrp_view){ 0 };
}

int nhrp_parse_ex(const uint8_t *pkt, size_t len, unsigned int flags,
		  struct nhrp_msg *m, struct nhrp_parse_err *err)
{
	struct nhrp_parse_err dummy;
	struct nhrp_pctx c = { .pkt = pkt, .m = m, .err = err ? err : &dummy };
	struct buf mb, xb;
	size_t mand_end;
	int r;

	nhrp_msg_clear(m);
	*c.err = (struct nhrp_parse_err){ 0 };
	if (!pkt)
		len = 0;

	r = nhrp_pull_fixed(&c, len, flags);
	if (r < 0)
		return r;
	mand_end = m->ext_part ? m->extoff : m->pktsz;
	nhrp_window(&c, &mb, NHRP_FIXED_LEN, mand_end);
	r = nhrp_pull_mand(&c, &mb);
	if (r == 0)
		r = nhrp_pull_mand_body(&c, &mb);
	if (r < 0 || !m->ext_part)
		return r;
	nhrp_window(&c, &xb, m->extoff, m->pktsz);
	return nhrp_pull_exts(&c, &xb);
}

int nhrp_parse(const uint8_t *pkt, size_t len, struct nhrp_msg *m, struct nhrp_parse_err *err)
{
	return nhrp_parse_ex(pkt, len, 0, m, err);
}
