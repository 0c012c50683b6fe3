/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Error Indication (RFC 2332 5.2.7).
 *
 * Sent to the station a bad packet came from (its NBMA as seen): source =
 * us, destination protocol = the offender's source, the offending packet
 * quoted (up to NHRP_EI_QUOTE_MAX octets) with the error offset into it.
 * Never in answer to an Error Indication.  Codes are the RFC's: loop
 * detected is 3 and the unknown-address NAK is CIE code 12 (FRR and
 * OpenNHRP say 2 and 11).
 *
 * Cisco quirk (OpenNHRP nhrp_packet.c, years in production against IOS):
 * IOS wants an Extensions Part on an Error Indication, even though the
 * RFC allows none: End followed by 16 zero octets, "or it'll barf out
 * spurious errors".  No extension is added, only End and the padding.
 * Hop count 255 ("cisco returns 255", FRR comment), never 0.
 */
#include "addr.h"
#include "log.h"
#include "nhrp_priv.h"

static const uint8_t nhrp_ei_padding[16];

void nhrp_err_send(struct nhrp_pkt *p, enum nhrp_error_code code, uint16_t offset)
{
	struct nhrp *n = p->n;
	const struct nhrp_if *nif = p->nif;
	struct nhrp_msg *tx = &n->tx;
	struct nhrp_addr nbma = nhrp_addr_of(&nif->c.nbma);
	struct nhrp_addr me = nhrp_addr_of(&nif->c.proto);
	struct nhrp_addr dst = nhrp_addr_of(&p->src_proto);
	size_t quote = p->len;

	if (p->m->type == NHRP_ERROR_INDICATION || !p->src_nbma)
		return;
	if (p->m->pktsz >= NHRP_FIXED_LEN && p->m->pktsz < quote)
		quote = p->m->pktsz;	/* not the link padding */
	if (quote > NHRP_EI_QUOTE_MAX)
		quote = NHRP_EI_QUOTE_MAX;
	nhrp_msg_init_error(tx, code, offset, &nbma, &me, &dst, p->raw, (uint16_t)quote);
	tx->ext_part = true;
	tx->ext_end = true;
	tx->ext_end_type = NHRP_EXT_COMPULSORY | NHRP_EXT_END;
	tx->ext_trailer = (struct nhrp_view){ .p = nhrp_ei_padding,
					      .len = sizeof(nhrp_ei_padding) };
	nhrp_send_msg(n, p->ifi, p->src_nbma, p->sport);
}

/* What the quoted packet was: our registration request makes the NHS
 * down (like a refusal); the rest is logged and counted. */
void nhrp_err_recv(struct nhrp_pkt *p)
{
	struct nhrp *n = p->n;
	const struct nhrp_msg *m = p->m;
	struct nhrp_msg *q = &n->tx;	/* scratch: nothing is being sent */
	char a[ADDR_STRLEN];

	nhrp_stat(n, p->ifi, NHRP_ST_ERR_RCVD);
	log_info("nhrp: error indication from %s: %s (code %u, offset %u)",
		 addr_fmt(p->src_nbma, a), nhrp_error_name(m->error.code), m->error.code,
		 m->error.offset);
	if (nhrp_parse_ex(m->payload.p, m->payload.len, NHRP_PARSE_IGNORE_CKSUM, q, NULL) < 0)
		return;
	if (q->type == NHRP_REGISTRATION_REQUEST && q->src_proto.len == 4 &&
	    nhrp_is_ours(n, p->ifi, nhrp_addr4(&q->src_proto)))
		nhrp_nhc_error(n, p->ifi, q->reqid, m->error.code);
}
