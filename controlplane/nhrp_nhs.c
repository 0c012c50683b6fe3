/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Next hop server: Registration Request -> cache entry (DYNAMIC) + its
 * adjacency, Registration Reply (RFC 2332 5.2.3, 5.2.4).
 *
 * Timer: the entry's, armed at the registration's holdtime; when it fires
 * (nhrp_nhs_expire) the entry and its adjacency go.  A refresh re-arms it.
 *
 * Cisco interop (NHRP_registration.pcap, NHRP-responder-address.pcap,
 * nhrp.pcapng): the reply is the request with type 4, the CIE codes set,
 * Responder Address filled with our CIE (prefix 32, as IOS 15 does), the
 * other extensions returned in order, the NAT extension echoed plus one
 * CIE with the address we saw when it differs from the claimed one; hop
 * count 255.  A repeated request id is a refresh (a restarted Cisco spoke
 * starts again at 1).
 */
#include "addr.h"
#include "log.h"
#include "nhrp_priv.h"

/* RFC 2332 5.2.3: "the client address information is to be taken from the
 * source information in the common header" when the CIE has none. */
struct nhrp_reg {
	uint32_t proto, claimed, observed;
	uint16_t port, hold, mtu;
	uint8_t plen;
	bool unique, nat;
};

static struct nhrp_reg nhrp_reg_of(const struct nhrp_pkt *p, const struct nhrp_cie *ce)
{
	const struct nhrp_if *nif = p->nif;
	struct nhrp_reg r = {
		.proto = ce->proto.len == 4 ? nhrp_addr4(&ce->proto) : p->src_proto,
		.claimed = ce->nbma.len == 4 ? nhrp_addr4(&ce->nbma) : p->claimed_nbma,
		.observed = p->src_nbma,
		.port = p->sport,
		.hold = ce->holdtime ? ce->holdtime : nif->c.holdtime,
		.mtu = ce->mtu,
		/* 0xff with U per RFC, 32 from IOS 15, 0 from others: all host */
		.plen = ce->prefix_len && ce->prefix_len < NHRP_HOST_PLEN ? ce->prefix_len
									 : NHRP_HOST_PLEN,
		.unique = p->m->flags & NHRP_REG_FLAG_U,
	};

	r.nat = r.observed != r.claimed;
	return r;
}

/* RFC 2332 5.2.4 code 14: a unique registration holds the address against
 * any other NBMA until it expires or is purged. */
static bool nhrp_reg_conflicts(const struct nhrp_cache *c, const struct nhrp_reg *r)
{
	if (c->type == NHRP_C_STATIC)
		return c->nbma != r->claimed && c->nbma != r->observed;
	if (c->type != NHRP_C_DYNAMIC || !(c->flags & NHRP_CF_UNIQUE))
		return false;
	return c->claimed != r->claimed || c->nbma != r->observed;
}

static uint8_t nhrp_reg_refuse(struct nhrp_pkt *p, const struct nhrp_reg *r, const char *why)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	nhrp_stat(p->n, p->ifi, NHRP_ST_UNIQUE_CONFLICT);
	log_info("nhrp: registration of %s from %s refused: %s", addr_fmt(r->proto, a),
		 addr_fmt(r->observed, b), why);
	return NHRP_CIE_ALREADY_REGISTERED;
}

static void nhrp_reg_fill(struct nhrp_pkt *p, struct nhrp_cache *c, const struct nhrp_reg *r)
{
	nhrp_cache_set_type(p->n, c, NHRP_C_DYNAMIC);
	c->nbma = r->observed;
	c->claimed = r->claimed;
	c->port = r->port;
	c->mtu = r->mtu;
	c->reqid = p->m->reqid;
	c->flags = NHRP_CF_AUTHORITATIVE | NHRP_CF_REGISTERED | (c->flags & NHRP_CF_USED);
	if (r->unique)
		c->flags |= NHRP_CF_UNIQUE;
	if (r->nat)
		c->flags |= NHRP_CF_NAT;
	if (p->nif->c.multicast_dynamic)
		c->flags |= NHRP_CF_MULTICAST;	/* ip nhrp map multicast dynamic */
}

/* One CIE of the request: its code in the reply. */
static uint8_t nhrp_nhs_register(struct nhrp_pkt *p, const struct nhrp_cie *ce)
{
	struct nhrp_reg r = nhrp_reg_of(p, ce);
	struct nhrp_cache *c;
	bool created, refresh;

	if (!r.proto || nhrp_is_ours(p->n, p->ifi, r.proto))
		return nhrp_reg_refuse(p, &r, "our own address");
	c = nhrp_cache_find(p->n, p->ifi, r.proto, r.plen);
	if (c && nhrp_reg_conflicts(c, &r))
		return nhrp_reg_refuse(p, &r, "unique address registered by another NBMA");
	if (c && c->type == NHRP_C_STATIC)
		return NHRP_CIE_SUCCESS;	/* the map says the same: nothing to learn */
	if (c && c->type == NHRP_C_LOCAL)
		return nhrp_reg_refuse(p, &r, "a prefix of ours");
	c = nhrp_cache_get(p->n, p->ifi, r.proto, r.plen, &created);
	if (!c) {
		nhrp_stat(p->n, p->ifi, NHRP_ST_NO_RESOURCES);
		return NHRP_CIE_INSUFFICIENT_RESOURCES;
	}
	refresh = !created && c->type == NHRP_C_DYNAMIC && c->nbma == r.observed;
	nhrp_reg_fill(p, c, &r);
	nhrp_cache_hold(p->n, c, r.hold);
	nhrp_cache_install(p->n, c);
	nhrp_stat(p->n, p->ifi, NHRP_ST_REG_ACCEPTED);
	if (refresh)
		nhrp_stat(p->n, p->ifi, NHRP_ST_REG_REFRESHED);
	if (r.nat)
		nhrp_stat(p->n, p->ifi, NHRP_ST_NAT_DETECTED);
	return NHRP_CIE_SUCCESS;
}

/* NAT extension: the request's CIEs back, and the address we saw for each
 * registered client that claimed another one (wire-formats.md 3.2). */
static void nhrp_nhs_reply_nat(struct nhrp_pkt *p)
{
	struct nhrp_ext *nat = nhrp_msg_find_ext(&p->n->tx, NHRP_EXT_NAT_ADDRESS);
	const struct nhrp_msg *m = p->m;
	struct nhrp_cie ce;

	if (!nat || !nat->has_cies || p->src_nbma == p->claimed_nbma)
		return;
	ce = (struct nhrp_cie){
		.prefix_len = NHRP_HOST_PLEN,
		.mtu = m->ncies ? m->cies[0].mtu : p->nif->c.mtu,
		.nbma = nhrp_addr_of(&p->src_nbma),
		.proto = m->src_proto,
	};
	nhrp_ext_add_cie(nat, &ce);
}

void nhrp_nhs_recv_reg_req(struct nhrp_pkt *p)
{
	struct nhrp *n = p->n;
	const struct nhrp_msg *m = p->m;
	struct nhrp_msg *tx = &n->tx;

	/* RFC 2332 5.2.4: the reply keeps the request's header */
	nhrp_msg_init(tx, NHRP_REGISTRATION_REPLY, &m->src_nbma, &m->src_proto, &m->dst_proto);
	tx->flags = m->flags;
	tx->reqid = m->reqid;
	for (unsigned int i = 0; i < m->ncies; i++) {
		struct nhrp_cie ce = m->cies[i];

		ce.code = nhrp_nhs_register(p, &m->cies[i]);
		nhrp_msg_add_cie(tx, &ce);
	}
	nhrp_ext_reply_copy(n, p->ifi, m, NHRP_HOST_PLEN);
	nhrp_nhs_reply_nat(p);
	/* to where it came from: behind NAT that is the only way back */
	nhrp_send_msg(n, p->ifi, p->src_nbma, p->sport);
}

/* Timer: the registration's holdtime ran out without a refresh. */
void nhrp_nhs_expire(struct nhrp *n, struct nhrp_cache *c)
{
	char a[ADDR_STRLEN];

	log_debug("nhrp: registration of %s expired", addr_fmt(c->proto, a));
	nhrp_stat(n, c->ifi, NHRP_ST_REG_EXPIRED);
	nhrp_cache_del(n, c);
}
