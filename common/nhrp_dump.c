/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP names (RFC 2332 5.2, 5.3; Cisco additions) and a text dump of a
 * parsed message for debug logs: one line per field, like tcpdump -v.
 */
#include <arpa/inet.h>
#include <stdio.h>

#include "nhrp_packet.h"

#define NHRP_NAME(tab, i) \
	((i) < sizeof(tab) / sizeof((tab)[0]) && (tab)[i] ? (tab)[i] : "unknown")

const char *nhrp_type_name(unsigned int type)
{
	static const char *const names[] = {
		[NHRP_RESOLUTION_REQUEST] = "Resolution Request",
		[NHRP_RESOLUTION_REPLY] = "Resolution Reply",
		[NHRP_REGISTRATION_REQUEST] = "Registration Request",
		[NHRP_REGISTRATION_REPLY] = "Registration Reply",
		[NHRP_PURGE_REQUEST] = "Purge Request",
		[NHRP_PURGE_REPLY] = "Purge Reply",
		[NHRP_ERROR_INDICATION] = "Error Indication",
		[NHRP_TRAFFIC_INDICATION] = "Traffic Indication",
	};

	return NHRP_NAME(names, type);
}

const char *nhrp_ext_name(unsigned int type)
{
	static const char *const names[] = {
		[NHRP_EXT_END] = "End",
		[NHRP_EXT_RESPONDER_ADDRESS] = "Responder Address",
		[NHRP_EXT_FORWARD_TRANSIT] = "Forward Transit NHS Record",
		[NHRP_EXT_REVERSE_TRANSIT] = "Reverse Transit NHS Record",
		[NHRP_EXT_AUTHENTICATION] = "Authentication",
		[NHRP_EXT_VENDOR_PRIVATE] = "Vendor-Private",
		[NHRP_EXT_NAT_ADDRESS] = "Cisco NAT Address",
	};

	return NHRP_NAME(names, type & NHRP_EXT_TYPE_MASK);
}

const char *nhrp_error_name(unsigned int code)
{
	static const char *const names[] = {
		[NHRP_ERR_UNRECOGNIZED_EXTENSION] = "Unrecognized Extension",
		[NHRP_ERR_LOOP_DETECTED] = "NHRP Loop Detected",
		[NHRP_ERR_PROTO_ADDR_UNREACHABLE] = "Protocol Address Unreachable",
		[NHRP_ERR_PROTOCOL_ERROR] = "Protocol Error",
		[NHRP_ERR_SDU_SIZE_EXCEEDED] = "NHRP SDU Size Exceeded",
		[NHRP_ERR_INVALID_EXTENSION] = "Invalid Extension",
		[NHRP_ERR_INVALID_RES_REPLY] = "Invalid NHRP Resolution Reply Received",
		[NHRP_ERR_AUTH_FAILURE] = "Authentication Failure",
		[NHRP_ERR_HOP_COUNT_EXCEEDED] = "Hop Count Exceeded",
	};

	return NHRP_NAME(names, code);
}

const char *nhrp_cie_code_name(unsigned int code)
{
	static const char *const names[] = {
		[NHRP_CIE_SUCCESS] = "Success",
		[NHRP_CIE_ADMIN_PROHIBITED] = "Administratively Prohibited",
		[NHRP_CIE_INSUFFICIENT_RESOURCES] = "Insufficient Resources",
		[NHRP_CIE_NO_BINDING] = "No Binding Exists",
		[NHRP_CIE_BINDING_NOT_UNIQUE] = "Binding Exists But Is Not Unique",
		[NHRP_CIE_ALREADY_REGISTERED] = "Unique Address Already Registered",
	};

	return NHRP_NAME(names, code);
}

/* IPv4 / IPv6 in their usual text, anything else in hex; "-" if empty. */
static void nhrp_dump_addr(struct strbuf *sb, const struct nhrp_addr *a)
{
	char txt[INET6_ADDRSTRLEN];

	if (a->len == 0 || !a->p) {
		sb_puts(sb, "-");
	} else if ((a->len == 4 && inet_ntop(AF_INET, a->p, txt, sizeof(txt))) ||
		   (a->len == 16 && inet_ntop(AF_INET6, a->p, txt, sizeof(txt)))) {
		sb_puts(sb, txt);
	} else {
		for (unsigned int i = 0; i < a->len; i++)
			sb_printf(sb, "%02x", a->p[i]);
	}
}

static void nhrp_dump_hex(struct strbuf *sb, const struct nhrp_view *v, unsigned int max)
{
	for (unsigned int i = 0; i < v->len && i < max; i++)
		sb_printf(sb, "%02x", v->p[i]);
	if (v->len > max)
		sb_puts(sb, "...");
}

static void nhrp_dump_cie(struct strbuf *sb, const char *indent, unsigned int i,
			  const struct nhrp_cie *c)
{
	sb_printf(sb, "%scie[%u]: code %u (%s) prefix %u mtu %u holdtime %u pref %u nbma ",
		  indent, i, c->code, nhrp_cie_code_name(c->code), c->prefix_len, c->mtu,
		  c->holdtime, c->pref);
	nhrp_dump_addr(sb, &c->nbma);
	if (c->nbma_sub.len) {
		sb_puts(sb, " nbma-sub ");
		nhrp_dump_addr(sb, &c->nbma_sub);
	}
	sb_puts(sb, " proto ");
	nhrp_dump_addr(sb, &c->proto);
	sb_puts(sb, "\n");
}

static void nhrp_dump_fixed(const struct nhrp_msg *m, struct strbuf *sb)
{
	sb_printf(sb, "type: %u (%s)\n", m->type, nhrp_type_name(m->type));
	sb_printf(sb, "afn: 0x%04x\n", m->afn);
	sb_printf(sb, "pro.type: 0x%04x\n", m->pro_type);
	sb_printf(sb, "hopcnt: %u\n", m->hopcnt);
	sb_printf(sb, "pktsz: %u\n", m->pktsz);
	sb_printf(sb, "chksum: 0x%04x%s\n", m->chksum, m->cksum_ok ? " (good)" : "");
	sb_printf(sb, "extoff: %u\n", m->extoff);
	sb_printf(sb, "version: %u\n", m->version);
}

/* RFC 2332 5.2.1-5.2.6 flag letters, and Cisco's NAT bit. */
static void nhrp_dump_flags(const struct nhrp_msg *m, struct strbuf *sb)
{
	static const struct {
		uint16_t bit;
		uint8_t tmin, tmax;
		const char *name;
	} f[] = {
		{ NHRP_RES_FLAG_Q, 1, 2, "Q" }, { NHRP_RES_FLAG_A, 1, 2, "A" },
		{ NHRP_RES_FLAG_D, 1, 2, "D" }, { NHRP_RES_FLAG_U, 1, 2, "U" },
		{ NHRP_RES_FLAG_S, 1, 2, "S" }, { NHRP_RES_FLAG_NAT, 1, 2, "NAT" },
		{ NHRP_REG_FLAG_U, 3, 4, "U" }, { NHRP_REG_FLAG_NAT, 3, 4, "NAT" },
		{ NHRP_PURGE_FLAG_N, 5, 6, "N" },
	};
	bool any = false;

	sb_printf(sb, "flags: 0x%04x", m->flags);
	for (unsigned int i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		if ((m->flags & f[i].bit) && m->type >= f[i].tmin && m->type <= f[i].tmax) {
			sb_printf(sb, "%s%s", any ? " " : " (", f[i].name);
			any = true;
		}
	}
	sb_puts(sb, any ? ")\n" : "\n");
}

static void nhrp_dump_mand_hdr(const struct nhrp_msg *m, struct strbuf *sb)
{
	switch (m->type) {
	case NHRP_ERROR_INDICATION:
		sb_printf(sb, "error: %u (%s) offset %u\n", m->error.code,
			  nhrp_error_name(m->error.code), m->error.offset);
		break;
	case NHRP_TRAFFIC_INDICATION:
		sb_printf(sb, "flags: 0x%04x\n", m->flags);
		sb_printf(sb, "traffic code: %u%s\n", m->traffic.code,
			  m->traffic.code == NHRP_TRAFFIC_REDIRECT ? " (redirect)" : "");
		break;
	default:
		nhrp_dump_flags(m, sb);
		sb_printf(sb, "reqid: %u\n", m->reqid);
		break;
	}
}

static void nhrp_dump_mand(const struct nhrp_msg *m, struct strbuf *sb)
{
	nhrp_dump_mand_hdr(m, sb);
	sb_puts(sb, "src nbma: ");
	nhrp_dump_addr(sb, &m->src_nbma);
	if (m->src_nbma_sub.len) {
		sb_puts(sb, "\nsrc nbma-sub: ");
		nhrp_dump_addr(sb, &m->src_nbma_sub);
	}
	sb_puts(sb, "\nsrc proto: ");
	nhrp_dump_addr(sb, &m->src_proto);
	sb_puts(sb, "\ndst proto: ");
	nhrp_dump_addr(sb, &m->dst_proto);
	sb_puts(sb, "\n");
	for (unsigned int i = 0; i < m->ncies; i++)
		nhrp_dump_cie(sb, "", i, &m->cies[i]);
	if (m->type == NHRP_ERROR_INDICATION || m->type == NHRP_TRAFFIC_INDICATION) {
		sb_printf(sb, "payload: %u octets ", m->payload.len);
		nhrp_dump_hex(sb, &m->payload, 32);
		sb_puts(sb, "\n");
	}
}

static void nhrp_dump_ext(struct strbuf *sb, const struct nhrp_ext *e)
{
	struct nhrp_view pw;

	sb_printf(sb, "ext %u (%s)%s len %u", e->type, nhrp_ext_name(e->type),
		  e->compulsory ? " compulsory" : "", e->val.len);
	if (e->type == NHRP_EXT_AUTHENTICATION && nhrp_cisco_auth_password(e, &pw) == 0) {
		/* Logs are not a place for the password: its length only. */
		sb_printf(sb, " cleartext password (%u octets)", pw.len);
	} else if (!e->has_cies && e->val.len) {
		sb_puts(sb, " value ");
		nhrp_dump_hex(sb, &e->val, 32);
	}
	sb_puts(sb, "\n");
	for (unsigned int i = 0; i < e->ncies && e->has_cies; i++)
		nhrp_dump_cie(sb, "  ", i, &e->cies[i]);
}

void nhrp_dump(const struct nhrp_msg *m, struct strbuf *sb)
{
	nhrp_dump_fixed(m, sb);
	nhrp_dump_mand(m, sb);
	for (unsigned int i = 0; i < m->nexts; i++)
		nhrp_dump_ext(sb, &m->exts[i]);
	if (m->ext_end)
		sb_puts(sb, "ext 0 (End)\n");
	if (m->ext_trailer.len)
		sb_printf(sb, "after End: %u octets ignored\n", m->ext_trailer.len);
}
