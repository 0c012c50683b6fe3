/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP builder (RFC 2332 5): check a struct nhrp_msg, then push it into a
 * bounded buffer field by field and patch ar$pktsz, ar$extoff and ar$chksum
 * last.  Also the helpers that fill a message for the daemon and the Cisco
 * cleartext authentication value.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "nhrp_packet.h"

static bool nhrp_addr_ok(const struct nhrp_addr *a, unsigned int max)
{
	return a->len <= max && (a->len == 0 || a->p != NULL);
}

static bool nhrp_tl_type_ok(uint8_t t)
{
	return (t & ~NHRP_TL_TYPE_MASK) == 0;
}

static bool nhrp_cie_ok(const struct nhrp_cie *c)
{
	return nhrp_addr_ok(&c->nbma, NHRP_TL_LEN_MASK) &&
	       nhrp_addr_ok(&c->nbma_sub, NHRP_TL_LEN_MASK) &&
	       nhrp_addr_ok(&c->proto, UINT8_MAX) &&
	       nhrp_tl_type_ok(c->nbma_tl_type) && nhrp_tl_type_ok(c->nbma_sub_tl_type);
}

static bool nhrp_view_ok(const struct nhrp_view *v)
{
	return v->len == 0 || v->p != NULL;
}

static bool nhrp_ext_ok(const struct nhrp_ext *e)
{
	if (e->type > NHRP_EXT_TYPE_MASK || e->type == NHRP_EXT_END)
		return false;
	if (!e->has_cies)
		return nhrp_view_ok(&e->val);
	if (e->ncies > NHRP_MAX_EXT_CIES)
		return false;
	for (unsigned int i = 0; i < e->ncies; i++)
		if (!nhrp_cie_ok(&e->cies[i]))
			return false;
	return true;
}

/* What the wire cannot carry or the parser would not give back. */
static bool nhrp_msg_ok(const struct nhrp_msg *m)
{
	if (m->type < NHRP_RESOLUTION_REQUEST || m->type > NHRP_TYPE_MAX)
		return false;
	if (!nhrp_addr_ok(&m->src_nbma, NHRP_TL_LEN_MASK) ||
	    !nhrp_addr_ok(&m->src_nbma_sub, NHRP_TL_LEN_MASK) ||
	    !nhrp_addr_ok(&m->src_proto, UINT8_MAX) || !nhrp_addr_ok(&m->dst_proto, UINT8_MAX) ||
	    !nhrp_tl_type_ok(m->src_nbma_tl_type) || !nhrp_tl_type_ok(m->src_nbma_sub_tl_type))
		return false;
	if (m->ncies > NHRP_MAX_CIES || m->nexts > NHRP_MAX_EXTS)
		return false;
	for (unsigned int i = 0; i < m->ncies; i++)
		if (!nhrp_cie_ok(&m->cies[i]))
			return false;
	for (unsigned int i = 0; i < m->nexts; i++)
		if (!nhrp_ext_ok(&m->exts[i]))
			return false;
	if (!m->ext_part && (m->nexts || m->ext_end || m->ext_trailer.len))
		return false;
	return nhrp_view_ok(&m->payload) && nhrp_view_ok(&m->ext_trailer);
}

static void nhrp_put_addr(struct buf *b, const struct nhrp_addr *a)
{
	buf_put(b, a->p, a->len);
}

static void nhrp_put_view(struct buf *b, const struct nhrp_view *v)
{
	buf_put(b, v->p, v->len);
}

/* Store a 16-bit value at off, already pushed. */
static void nhrp_patch16(struct buf *b, size_t off, uint16_t v)
{
	b->base[off] = (uint8_t)(v >> 8);
	b->base[off + 1] = (uint8_t)v;
}

static void nhrp_put_fixed(struct buf *b, const struct nhrp_msg *m)
{
	struct nhrp_fixed_hdr *h = buf_push_type(b, struct nhrp_fixed_hdr);

	if (!h)
		return;
	h->afn = htons(m->afn);
	h->pro_type = htons(m->pro_type);
	memcpy(h->pro_snap, m->pro_snap, sizeof(h->pro_snap));
	h->hopcnt = m->hopcnt;
	h->pktsz = 0;		/* patched by nhrp_finish() */
	h->chksum = 0;
	h->extoff = 0;
	h->version = m->version;
	h->type = m->type;
	h->shtl = m->src_nbma_tl_type | m->src_nbma.len;
	h->sstl = m->src_nbma_sub_tl_type | m->src_nbma_sub.len;
}

/* RFC 2332 5.2.0.1 / 5.2.7 / Cisco Traffic Indication: 8 octets. */
static void nhrp_put_mand_hdr(struct buf *b, const struct nhrp_msg *m)
{
	buf_put_u8(b, m->src_proto.len);
	buf_put_u8(b, m->dst_proto.len);
	buf_put_be16(b, m->flags);
	switch (m->type) {
	case NHRP_ERROR_INDICATION:
		buf_put_be16(b, m->error.code);
		buf_put_be16(b, m->error.offset);
		break;
	case NHRP_TRAFFIC_INDICATION:
		buf_put_be16(b, m->traffic.code);
		buf_put_be16(b, m->traffic.unused);
		break;
	default:
		buf_put_be32(b, m->reqid);
		break;
	}
}

static void nhrp_put_cie(struct buf *b, const struct nhrp_cie *c)
{
	struct nhrp_cie_hdr *h = buf_push_type(b, struct nhrp_cie_hdr);

	if (!h)
		return;
	h->code = c->code;
	h->prefix_len = c->prefix_len;
	h->unused = htons(c->unused);
	h->mtu = htons(c->mtu);
	h->holdtime = htons(c->holdtime);
	h->cli_addr_tl = c->nbma_tl_type | c->nbma.len;
	h->cli_saddr_tl = c->nbma_sub_tl_type | c->nbma_sub.len;
	h->cli_proto_len = c->proto.len;
	h->pref = c->pref;
	nhrp_put_addr(b, &c->nbma);
	nhrp_put_addr(b, &c->nbma_sub);
	nhrp_put_addr(b, &c->proto);
}

static void nhrp_put_mand(struct buf *b, const struct nhrp_msg *m)
{
	nhrp_put_mand_hdr(b, m);
	nhrp_put_addr(b, &m->src_nbma);
	nhrp_put_addr(b, &m->src_nbma_sub);
	nhrp_put_addr(b, &m->src_proto);
	nhrp_put_addr(b, &m->dst_proto);
	if (m->type == NHRP_ERROR_INDICATION || m->type == NHRP_TRAFFIC_INDICATION) {
		nhrp_put_view(b, &m->payload);
		return;
	}
	for (unsigned int i = 0; i < m->ncies; i++)
		nhrp_put_cie(b, &m->cies[i]);
}

static uint16_t nhrp_ext_word(const struct nhrp_ext *e)
{
	return e->type | (e->compulsory ? NHRP_EXT_COMPULSORY : 0) |
	       (e->unused_bit ? NHRP_EXT_UNUSED_BIT : 0);
}

/* RFC 2332 5.3: header, value (unpadded: Cisco auth has odd lengths). */
static int nhrp_put_ext(struct buf *b, const struct nhrp_ext *e)
{
	size_t hdr = buf_offset(b), vlen;

	buf_put_be16(b, nhrp_ext_word(e));
	buf_put_be16(b, 0);
	if (e->has_cies) {
		for (unsigned int i = 0; i < e->ncies; i++)
			nhrp_put_cie(b, &e->cies[i]);
	} else {
		nhrp_put_view(b, &e->val);
	}
	if (b->err)
		return -ENOSPC;
	vlen = buf_offset(b) - hdr - NHRP_EXT_HDR_LEN;
	if (vlen > UINT16_MAX)
		return -EMSGSIZE;
	nhrp_patch16(b, hdr + offsetof(struct nhrp_ext_hdr, length), (uint16_t)vlen);
	return 0;
}

static int nhrp_put_exts(struct buf *b, const struct nhrp_msg *m)
{
	for (unsigned int i = 0; i < m->nexts; i++) {
		int r = nhrp_put_ext(b, &m->exts[i]);

		if (r < 0)
			return r;
	}
	if (m->ext_end) {
		buf_put_be16(b, m->ext_end_type);
		buf_put_be16(b, 0);
	}
	nhrp_put_view(b, &m->ext_trailer);
	return b->err ? -ENOSPC : 0;
}

/* pktsz, extoff, then the checksum over the finished packet (RFC 2332 5.1). */
static int nhrp_finish(struct buf *b, size_t extoff)
{
	size_t len = buf_offset(b);
	uint16_t sum;

	if (b->err)
		return -ENOSPC;
	if (len > UINT16_MAX)
		return -EMSGSIZE;
	nhrp_patch16(b, offsetof(struct nhrp_fixed_hdr, pktsz), (uint16_t)len);
	nhrp_patch16(b, offsetof(struct nhrp_fixed_hdr, extoff), (uint16_t)extoff);
	sum = nhrp_checksum(b->base, len);	/* network order */
	memcpy(b->base + offsetof(struct nhrp_fixed_hdr, chksum), &sum, sizeof(sum));
	return (int)len;
}

int nhrp_build(const struct nhrp_msg *m, uint8_t *out, size_t cap)
{
	struct buf b;
	size_t extoff = 0;
	int r;

	if (!m || !out || !nhrp_msg_ok(m))
		return -EINVAL;
	buf_init_write(&b, out, cap);
	nhrp_put_fixed(&b, m);
	nhrp_put_mand(&b, m);
	if (b.err)
		return -ENOSPC;
	if (m->ext_part) {
		extoff = buf_offset(&b);
		if (extoff > UINT16_MAX)
			return -EMSGSIZE;
		r = nhrp_put_exts(&b, m);
		if (r < 0)
			return r;
	}
	return nhrp_finish(&b, extoff);
}

static uint16_t nhrp_afn_for(uint8_t len)
{
	return len == 16 ? NHRP_AFN_IPV6 : NHRP_AFN_IPV4;
}

static uint16_t nhrp_proto_for(uint8_t len)
{
	return len == 16 ? NHRP_PROTO_IPV6 : NHRP_PROTO_IPV4;
}

void nhrp_msg_init(struct nhrp_msg *m, enum nhrp_type type,
		   const struct nhrp_addr *src_nbma, const struct nhrp_addr *src_proto,
		   const struct nhrp_addr *dst_proto)
{
	memset(m, 0, sizeof(*m));
	m->type = type;
	m->version = NHRP_VERSION;
	m->hopcnt = NHRP_HOPCNT_DEFAULT;
	if (src_nbma)
		m->src_nbma = *src_nbma;
	if (src_proto)
		m->src_proto = *src_proto;
	if (dst_proto)
		m->dst_proto = *dst_proto;
	m->afn = nhrp_afn_for(m->src_nbma.len);
	m->pro_type = nhrp_proto_for(m->src_proto.len ? m->src_proto.len : m->dst_proto.len);
}

void nhrp_msg_init_error(struct nhrp_msg *m, enum nhrp_error_code code, uint16_t offset,
			 const struct nhrp_addr *src_nbma, const struct nhrp_addr *src_proto,
			 const struct nhrp_addr *dst_proto, const uint8_t *pkt, uint16_t len)
{
	nhrp_msg_init(m, NHRP_ERROR_INDICATION, src_nbma, src_proto, dst_proto);
	m->error.code = code;
	m->error.offset = offset;
	m->payload = (struct nhrp_view){ .p = pkt, .len = len };
}

void nhrp_msg_init_traffic(struct nhrp_msg *m, const struct nhrp_addr *src_nbma,
			   const struct nhrp_addr *src_proto, const struct nhrp_addr *dst_proto,
			   const uint8_t *data, uint16_t len)
{
	nhrp_msg_init(m, NHRP_TRAFFIC_INDICATION, src_nbma, src_proto, dst_proto);
	m->traffic.code = NHRP_TRAFFIC_REDIRECT;
	m->payload = (struct nhrp_view){ .p = data, .len = len };
}

int nhrp_msg_add_cie(struct nhrp_msg *m, const struct nhrp_cie *c)
{
	if (m->ncies >= NHRP_MAX_CIES)
		return -ENOSPC;
	m->cies[m->ncies++] = *c;
	return 0;
}

struct nhrp_ext *nhrp_msg_add_ext_raw(struct nhrp_msg *m, uint16_t type, bool compulsory,
				      const void *val, uint16_t len)
{
	struct nhrp_ext *e;

	if (m->nexts >= NHRP_MAX_EXTS || m->type == NHRP_ERROR_INDICATION ||
	    type == NHRP_EXT_END || type > NHRP_EXT_TYPE_MASK)
		return NULL;
	e = &m->exts[m->nexts++];
	memset(e, 0, sizeof(*e));
	e->type = type;
	e->compulsory = compulsory;
	e->val = (struct nhrp_view){ .p = val, .len = len };
	/* RFC 2332 5.3: the list ends with End, C set. */
	m->ext_part = true;
	m->ext_end = true;
	m->ext_end_type = NHRP_EXT_COMPULSORY | NHRP_EXT_END;
	return e;
}

struct nhrp_ext *nhrp_msg_add_ext(struct nhrp_msg *m, uint16_t type, bool compulsory)
{
	struct nhrp_ext *e = nhrp_msg_add_ext_raw(m, type, compulsory, NULL, 0);

	if (e)
		e->has_cies = type == NHRP_EXT_RESPONDER_ADDRESS ||
			      type == NHRP_EXT_FORWARD_TRANSIT ||
			      type == NHRP_EXT_REVERSE_TRANSIT || type == NHRP_EXT_NAT_ADDRESS;
	return e;
}

int nhrp_ext_add_cie(struct nhrp_ext *e, const struct nhrp_cie *c)
{
	if (!e->has_cies || e->ncies >= NHRP_MAX_EXT_CIES)
		return -ENOSPC;
	e->cies[e->ncies++] = *c;
	return 0;
}

const struct nhrp_ext *nhrp_msg_find_ext_const(const struct nhrp_msg *m, uint16_t type)
{
	for (unsigned int i = 0; i < m->nexts; i++)
		if (m->exts[i].type == type)
			return &m->exts[i];
	return NULL;
}

struct nhrp_ext *nhrp_msg_find_ext(struct nhrp_msg *m, uint16_t type)
{
	return (struct nhrp_ext *)(uintptr_t)nhrp_msg_find_ext_const(m, type);
}

int nhrp_cisco_auth_encode(uint8_t out[NHRP_CISCO_AUTH_MAX], const void *pw, size_t len)
{
	if (len == 0 || len > NHRP_CISCO_PASS_MAX || !pw)
		return -EINVAL;
	out[0] = out[1] = out[2] = 0;
	out[3] = NHRP_CISCO_AUTH_CLEARTEXT;
	memcpy(out + NHRP_CISCO_AUTH_HDR_LEN, pw, len);
	return (int)(NHRP_CISCO_AUTH_HDR_LEN + len);
}

int nhrp_cisco_auth_password(const struct nhrp_ext *e, struct nhrp_view *pw)
{
	static const uint8_t cleartext[NHRP_CISCO_AUTH_HDR_LEN] = { 0, 0, 0,
								   NHRP_CISCO_AUTH_CLEARTEXT };

	if (!e || e->type != NHRP_EXT_AUTHENTICATION || e->val.len < NHRP_CISCO_AUTH_HDR_LEN ||
	    memcmp(e->val.p, cleartext, sizeof(cleartext)) != 0)
		return -EINVAL;
	pw->p = e->val.p + NHRP_CISCO_AUTH_HDR_LEN;
	pw->len = e->val.len - NHRP_CISCO_AUTH_HDR_LEN;
	return 0;
}

/* FRR compares the whole value; so do we, without an early exit. */
bool nhrp_cisco_auth_match(const struct nhrp_ext *e, const void *pw, size_t len)
{
	const uint8_t *want = pw;
	struct nhrp_view got;
	uint8_t diff = 0;

	if (nhrp_cisco_auth_password(e, &got) < 0 || got.len != len || (len && !pw))
		return false;
	for (size_t i = 0; i < len; i++)
		diff |= got.p[i] ^ want[i];
	return diff == 0;
}
