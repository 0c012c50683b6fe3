/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Extensions (RFC 2332 5.3) as Cisco uses them: the request set, the
 * reply copy (same order, Responder Address filled, authentication
 * regenerated), the forwarding copy (our CIE appended to the transit
 * record), Cisco cleartext authentication and the NAT address extension.
 *
 * Order: "An NHS MUST NOT change the order of extensions" (5.3): replies
 * and forwarded packets walk the received list in order.
 */
#include <errno.h>
#include <string.h>

#include "nhrp_priv.h"

/* The extensions we understand; any other compulsory one is answered
 * with error 1 by the station that processes the packet (5.3). */
static bool nhrp_ext_known(uint16_t type)
{
	switch (type) {
	case NHRP_EXT_RESPONDER_ADDRESS:
	case NHRP_EXT_FORWARD_TRANSIT:
	case NHRP_EXT_REVERSE_TRANSIT:
	case NHRP_EXT_AUTHENTICATION:
	case NHRP_EXT_VENDOR_PRIVATE:
	case NHRP_EXT_NAT_ADDRESS:
		return true;
	default:
		return false;
	}
}

int nhrp_ext_unknown_compulsory(const struct nhrp_msg *m, uint16_t *offset)
{
	for (unsigned int i = 0; i < m->nexts; i++) {
		const struct nhrp_ext *e = &m->exts[i];

		if (e->compulsory && !nhrp_ext_known(e->type)) {
			*offset = e->offset;
			return e->type;
		}
	}
	return -1;
}

bool nhrp_ext_auth_ok(const struct nhrp *n, unsigned int ifi, const struct nhrp_msg *m)
{
	const struct nhrp_if *nif = &n->ifs[ifi];

	if (!nif->c.auth_len)
		return true;	/* like IOS and FRR: no password configured, none checked */
	return nhrp_cisco_auth_match(nhrp_msg_find_ext_const(m, NHRP_EXT_AUTHENTICATION),
				     nif->c.auth, nif->c.auth_len);
}

/* Ours, regenerated at each hop (RFC 2332 5.3.4; FRR#16480). */
void nhrp_ext_add_auth(struct nhrp *n, unsigned int ifi, struct nhrp_msg *m)
{
	const struct nhrp_if *nif = &n->ifs[ifi];

	if (nif->auth_val_len)
		nhrp_msg_add_ext_raw(m, NHRP_EXT_AUTHENTICATION, true, nif->auth_val,
				     nif->auth_val_len);
}

/* Our CIE for Responder Address and the transit records: Cisco fills MTU
 * and holding time with its own (nhrp-trace frames 3, 4). */
struct nhrp_cie nhrp_ext_self_cie(struct nhrp *n, unsigned int ifi, uint8_t plen)
{
	const struct nhrp_if *nif = &n->ifs[ifi];

	return (struct nhrp_cie){
		.prefix_len = plen,
		.mtu = nif->c.mtu,
		.holdtime = nif->c.holdtime,
		.nbma = nhrp_addr_of(&nif->c.nbma),
		.proto = nhrp_addr_of(&nif->c.proto),
	};
}

/* Cisco's request set (NHRP_registration.pcap, nhrp-trace.pcap): 3, 4, 5
 * empty and compulsory, 7, 9 not compulsory, End.  Returns the NAT
 * extension for the caller's CIEs (NULL when the list is full). */
struct nhrp_ext *nhrp_ext_request_set(struct nhrp *n, unsigned int ifi)
{
	struct nhrp_msg *m = &n->tx;

	nhrp_msg_add_ext(m, NHRP_EXT_RESPONDER_ADDRESS, true);
	nhrp_msg_add_ext(m, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_msg_add_ext(m, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_ext_add_auth(n, ifi, m);
	return nhrp_msg_add_ext(m, NHRP_EXT_NAT_ADDRESS, false);
}

static struct nhrp_ext *nhrp_ext_copy(struct nhrp_msg *m, const struct nhrp_ext *src)
{
	struct nhrp_ext *e = nhrp_msg_add_ext_raw(m, src->type, src->compulsory, NULL, 0);

	if (e) {
		*e = *src;
		e->unused_bit = false;	/* u: zero on transmit (5.3) */
	}
	return e;
}

/* Authentication: ours when configured, else the received value returned
 * unchanged like any extension we do not regenerate. */
static void nhrp_ext_copy_auth(struct nhrp *n, unsigned int ifi, const struct nhrp_ext *src)
{
	if (n->ifs[ifi].auth_val_len)
		nhrp_ext_add_auth(n, ifi, &n->tx);
	else
		nhrp_ext_copy(&n->tx, src);
}

void nhrp_ext_reply_copy(struct nhrp *n, unsigned int ifi, const struct nhrp_msg *req,
			 uint8_t responder_plen)
{
	for (unsigned int i = 0; i < req->nexts; i++) {
		const struct nhrp_ext *src = &req->exts[i];
		struct nhrp_ext *e;

		switch (src->type) {
		case NHRP_EXT_RESPONDER_ADDRESS: {
			/* 5.3.1: one CIE, the responder (Cisco prefix: see callers) */
			struct nhrp_cie me = nhrp_ext_self_cie(n, ifi, responder_plen);

			e = nhrp_msg_add_ext(&n->tx, src->type, src->compulsory);
			if (e)
				nhrp_ext_add_cie(e, &me);
			break;
		}
		case NHRP_EXT_AUTHENTICATION:
			nhrp_ext_copy_auth(n, ifi, src);
			break;
		default:	/* transit records, NAT, vendor-private, unknown: as received */
			nhrp_ext_copy(&n->tx, src);
			break;
		}
	}
}

int nhrp_ext_forward_copy(struct nhrp *n, unsigned int ifi, const struct nhrp_msg *in,
			  uint16_t transit)
{
	struct nhrp_cie me = nhrp_ext_self_cie(n, ifi, 0);

	/* the builder takes the list from scratch: n->tx was copied from in */
	n->tx.nexts = 0;
	n->tx.ext_part = false;
	n->tx.ext_end = false;
	n->tx.ext_trailer = (struct nhrp_view){ 0 };
	for (unsigned int i = 0; i < in->nexts; i++) {
		const struct nhrp_ext *src = &in->exts[i];
		struct nhrp_ext *e;

		if (src->type == NHRP_EXT_AUTHENTICATION) {
			nhrp_ext_copy_auth(n, ifi, src);
			continue;
		}
		e = nhrp_ext_copy(&n->tx, src);
		/* 5.3.2 / 5.3.3: a transit NHS appends itself */
		if (e && transit && src->type == transit && nhrp_ext_add_cie(e, &me) < 0)
			return -ENOSPC;
	}
	if (in->ext_part && !in->nexts) {
		n->tx.ext_part = true;	/* an empty list: End only */
		n->tx.ext_end = in->ext_end;
		n->tx.ext_end_type = in->ext_end_type;
	}
	return 0;
}

bool nhrp_ext_transit_has(const struct nhrp *n, unsigned int ifi, const struct nhrp_msg *m,
			  uint16_t type)
{
	const struct nhrp_ext *e = nhrp_msg_find_ext_const(m, type);
	const struct nhrp_if *nif = &n->ifs[ifi];

	for (unsigned int i = 0; e && i < e->ncies; i++) {
		uint32_t proto = nhrp_addr4(&e->cies[i].proto);

		if (proto && proto == nif->c.proto)
			return true;
	}
	return false;
}

uint32_t nhrp_ext_nat_nbma(const struct nhrp_msg *m, uint32_t proto)
{
	const struct nhrp_ext *e = nhrp_msg_find_ext_const(m, NHRP_EXT_NAT_ADDRESS);

	for (unsigned int i = 0; e && i < e->ncies; i++)
		if (nhrp_addr4(&e->cies[i].proto) == proto && nhrp_addr4(&e->cies[i].nbma))
			return nhrp_addr4(&e->cies[i].nbma);
	return 0;
}
