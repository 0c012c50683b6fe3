/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resolution Request / Reply (RFC 2332 5.2.1, 5.2.2, 5.3.2, 5.3.3).
 *
 * Requester (nhrp_res_start: an adjacency miss, a Traffic Indication or a
 * shortcut refresh): an INCOMPLETE entry for the address, a request to the
 * NHS, resent with the same id after 1, 2 s; no answer after
 * NHRP_RES_TRIES or a NAK -> NEGATIVE for NHRP_NEGATIVE_MS (misses for it
 * are ignored meanwhile).  Its timer is the entry's (nhrp_res_timer).
 *
 * Responder / transit (nhrp_res_recv_req), in this order:
 *   - the destination is ours, or routed to our LAN: we are the egress;
 *     we answer directly to the requester with our CIE and the covering
 *     prefix (Cisco nhrp-trace frame 4, flags Q A D U S NAT);
 *   - a Phase 2 hub (no redirect) answers from its cache: a registration
 *     or a static map (seed 000: the hub answers with SPOKE-2's address);
 *     a Phase 3 hub forwards to the registered client, who answers with
 *     its own prefix (nhrp-trace frame 3);
 *   - else forward along the routing table to the next hop's NBMA: hop
 *     count - 1 (an exhausted one: error 15), our CIE appended to Forward
 *     Transit (ours already in it: loop, error 3), authentication
 *     regenerated, the requester's post-NAT address added to the NAT
 *     extension when it came to us from behind NAT;
 *   - else NAK, CIE code 12 ("no binding", RFC number, not FRR's 11).
 * Replies not for us travel on toward their requester (Reverse Transit).
 */
#include <errno.h>
#include <stddef.h>

#include "addr.h"
#include "log.h"
#include "nhrp_priv.h"

enum nhrp_res_action {
	NHRP_RES_NAK = 0,
	NHRP_RES_EGRESS,
	NHRP_RES_CACHE,
	NHRP_RES_FORWARD,
};

struct nhrp_res_plan {
	enum nhrp_res_action act;
	const struct nhrp_cache *c;	/* CACHE: the binding */
	uint32_t prefix;		/* EGRESS: covering prefix */
	uint8_t plen;
	uint32_t nbma;			/* FORWARD: next hop */
	uint16_t port;
};

/* ---- requester ---- */

static void nhrp_res_send(struct nhrp *n, unsigned int ifi, struct nhrp_cache *c,
			  const struct nhrp_nhs *s)
{
	const struct nhrp_if *nif = &n->ifs[ifi];
	struct nhrp_msg *tx = &n->tx;
	struct nhrp_ext *nat;
	/* nhrp-trace frame 2: prefix 0, our MTU and holding time, no address */
	struct nhrp_cie ce = { .mtu = nif->c.mtu, .holdtime = nif->c.holdtime };

	nhrp_tx_init(n, ifi, NHRP_RESOLUTION_REQUEST, &c->proto);
	tx->flags = NHRP_RES_FLAG_Q | NHRP_RES_FLAG_A | NHRP_RES_FLAG_S | NHRP_RES_FLAG_NAT;
	tx->reqid = c->reqid;
	nhrp_msg_add_cie(tx, &ce);
	nat = nhrp_ext_request_set(n, ifi);
	if (nat && nif->nat_nbma) {
		/* our post-NAT address, learned from the registration reply */
		struct nhrp_cie me = { .prefix_len = NHRP_HOST_PLEN, .mtu = nif->c.mtu,
				       .nbma = nhrp_addr_of(&nif->nat_nbma),
				       .proto = nhrp_addr_of(&nif->c.proto) };

		nhrp_ext_add_cie(nat, &me);
	}
	c->tries++;
	nhrp_send_msg(n, ifi, s->nbma, 0);
}

static uint64_t nhrp_res_retry_ms(const struct nhrp_cache *c)
{
	/* 1, 2, 4 s: the same request id each time (RFC 2332 5.2.0.1) */
	return (uint64_t)NHRP_RES_RETRY_MS << (c->tries > 1 ? c->tries - 1 : 0);
}

/* Send (or resend) the request of entry c; false when there is no NHS. */
static bool nhrp_res_transmit(struct nhrp *n, struct nhrp_cache *c)
{
	struct nhrp_nhs *s = nhrp_nhc_pick(n, c->ifi);
	uint64_t when;

	if (!s) {
		nhrp_stat(n, c->ifi, NHRP_ST_NO_NHS);
		return false;
	}
	nhrp_res_send(n, c->ifi, c, s);
	when = nhrp_now_ms(n) + nhrp_res_retry_ms(c);
	if (c->type != NHRP_C_INCOMPLETE && c->expires_ms && c->expires_ms < when)
		when = c->expires_ms;	/* a refreshing shortcut still expires on time */
	nhrp_cache_arm(n, c, when);
	return true;
}

int nhrp_res_start(struct nhrp *n, unsigned int ifi, uint32_t dst, bool refresh)
{
	struct nhrp_cache *c = nhrp_cache_find(n, ifi, dst, NHRP_HOST_PLEN);
	bool created = false;

	if (!nhrp_nhc_pick(n, ifi)) {
		nhrp_stat(n, ifi, NHRP_ST_NO_NHS);
		return -ENOENT;
	}
	if (c) {
		switch (c->type) {
		case NHRP_C_SHORTCUT:
		case NHRP_C_ROUTE:
			/* resolved: only its use check asks again (a miss
			 * racing the adjacency's publication does not) */
			if (!refresh || (c->flags & NHRP_CF_PENDING))
				return -EALREADY;
			break;
		case NHRP_C_IMPLICIT:	/* learned, not installed: resolve it */
			nhrp_cache_set_type(n, c, NHRP_C_INCOMPLETE);
			break;
		default:		/* pending, negative, or authoritative already */
			return -EALREADY;
		}
	} else {
		c = nhrp_cache_get(n, ifi, dst, NHRP_HOST_PLEN, &created);
		if (!c) {
			nhrp_stat(n, ifi, NHRP_ST_NO_RESOURCES);
			return -ENOMEM;
		}
	}
	if (c->type == NHRP_C_INCOMPLETE)
		c->flags = refresh && created ? NHRP_CF_REFRESH : 0;
	c->flags |= NHRP_CF_PENDING;
	c->reqid = nhrp_reqid_next(n);
	c->tries = 0;
	nhrp_res_transmit(n, c);
	return 0;
}

/* NAK or silence: negative for a while; a refreshing shortcut just keeps
 * its remaining holdtime. */
static void nhrp_res_failed(struct nhrp *n, struct nhrp_cache *c)
{
	c->flags &= (uint16_t)~NHRP_CF_PENDING;
	if (c->type != NHRP_C_INCOMPLETE) {
		nhrp_cache_arm(n, c, c->expires_ms);
		return;
	}
	if (c->flags & NHRP_CF_REFRESH) {
		nhrp_cache_del(n, c);
		return;
	}
	nhrp_cache_set_type(n, c, NHRP_C_NEGATIVE);
	c->flags = NHRP_CF_NEGATIVE;
	c->expires_ms = nhrp_now_ms(n) + NHRP_NEGATIVE_MS;
	nhrp_cache_arm(n, c, c->expires_ms);
}

/* Timer of an INCOMPLETE entry: resend, or give up. */
void nhrp_res_timer(struct nhrp *n, struct nhrp_cache *c)
{
	if (c->tries >= NHRP_RES_TRIES) {
		char a[ADDR_STRLEN];

		log_debug("nhrp: resolution of %s: no answer", addr_fmt(c->proto, a));
		nhrp_stat(n, c->ifi, NHRP_ST_RES_TIMEOUT);
		nhrp_res_failed(n, c);
		return;
	}
	if (!nhrp_res_transmit(n, c))
		nhrp_res_failed(n, c);
}

/* A PENDING shortcut's timer before expiry: resend or stop trying. */
bool nhrp_res_retry_pending(struct nhrp *n, struct nhrp_cache *c)
{
	if (!(c->flags & NHRP_CF_PENDING))
		return false;
	if (c->tries >= NHRP_RES_TRIES || !nhrp_res_transmit(n, c))
		nhrp_res_failed(n, c);
	return true;
}

/* A packet to dst needed the unresolved tunnel next hop nexthop (0: the
 * destination itself is on the tunnel subnet): resolve it (Phase 2).
 * Pending and negative entries make repeated misses free. */
void nhrp_miss(struct nhrp *n, unsigned int ifi, uint32_t dst, uint32_t src, uint32_t nexthop)
{
	uint32_t target = nexthop ? nexthop : dst;

	(void)src;
	if (ifi >= NHRP_MAX_IFS || !n->ifs[ifi].on || !target || nhrp_is_ours(n, ifi, target))
		return;
	nhrp_res_start(n, ifi, target, false);
}

/* ---- responder ---- */

/* Where a reply to this request goes: straight back when it came from the
 * requester (behind NAT too), else to its post-NAT address if a hub added
 * one, else to the address it claims. */
static uint32_t nhrp_res_requester(const struct nhrp_pkt *p, uint16_t *port)
{
	const struct nhrp_ext *fwd = nhrp_msg_find_ext_const(p->m, NHRP_EXT_FORWARD_TRANSIT);
	uint32_t nat;

	*port = 0;
	if (!fwd || !fwd->ncies) {
		*port = p->sport;
		return p->src_nbma;
	}
	nat = nhrp_ext_nat_nbma(p->m, p->src_proto);
	return nat ? nat : p->claimed_nbma;
}

/* The request's source, remembered (not installed: the reverse path
 * resolves on its own, seed 000) for show and for the purge of LOCAL. */
static void nhrp_res_note_requester(struct nhrp_pkt *p, uint32_t nbma, uint16_t port)
{
	const struct nhrp_msg *m = p->m;
	uint16_t hold = m->ncies && m->cies[0].holdtime ? m->cies[0].holdtime
							: p->nif->c.holdtime;
	bool created;
	struct nhrp_cache *c = nhrp_cache_find(p->n, p->ifi, p->src_proto, NHRP_HOST_PLEN);

	if (c && c->type != NHRP_C_IMPLICIT)
		return;
	c = nhrp_cache_get(p->n, p->ifi, p->src_proto, NHRP_HOST_PLEN, &created);
	if (!c)
		return;
	nhrp_cache_set_type(p->n, c, NHRP_C_IMPLICIT);
	c->nbma = nbma;
	c->port = port;
	c->claimed = p->claimed_nbma;
	c->mtu = m->ncies ? m->cies[0].mtu : 0;
	c->flags = NHRP_CF_ROUTER | NHRP_CF_IMPLICIT | (nbma != c->claimed ? NHRP_CF_NAT : 0);
	nhrp_cache_hold(p->n, c, hold);
}

static void nhrp_res_send_reply(struct nhrp_pkt *p, const struct nhrp_cie *ce, uint16_t flags,
				bool self)
{
	struct nhrp *n = p->n;
	const struct nhrp_msg *m = p->m;
	struct nhrp_msg *tx = &n->tx;
	uint16_t port;
	uint32_t to = nhrp_res_requester(p, &port);

	/* RFC 2332 5.2.2: header addresses as in the request, answer in the CIE */
	nhrp_msg_init(tx, NHRP_RESOLUTION_REPLY, &m->src_nbma, &m->src_proto, &m->dst_proto);
	tx->flags = flags;
	tx->reqid = m->reqid;
	nhrp_msg_add_cie(tx, ce);
	/* Responder Address prefix 0: RFC 5.3.1 and nhrp-trace frame 4 */
	nhrp_ext_reply_copy(n, p->ifi, m, 0);
	if (self && p->nif->nat_nbma) {
		struct nhrp_ext *nat = nhrp_msg_find_ext(tx, NHRP_EXT_NAT_ADDRESS);
		struct nhrp_cie me = { .prefix_len = NHRP_HOST_PLEN, .mtu = p->nif->c.mtu,
				       .nbma = nhrp_addr_of(&p->nif->nat_nbma),
				       .proto = nhrp_addr_of(&p->nif->c.proto) };

		if (nat && nat->has_cies)
			nhrp_ext_add_cie(nat, &me);
	}
	if (nhrp_send_msg(n, p->ifi, to, port) == 0 && ce->code == NHRP_CIE_SUCCESS)
		nhrp_stat(n, p->ifi, NHRP_ST_RES_ANSWERED);
	if (self)
		nhrp_res_note_requester(p, to, port);
}

static uint16_t nhrp_res_reply_flags(const struct nhrp_msg *m, bool unique)
{
	/* Cisco nhrp-trace frame 4: request 0xc802 -> reply 0xf802 */
	return (m->flags & (NHRP_RES_FLAG_Q | NHRP_RES_FLAG_S)) | NHRP_RES_FLAG_A |
	       NHRP_RES_FLAG_D | (unique ? NHRP_RES_FLAG_U : 0) | NHRP_RES_FLAG_NAT;
}

static void nhrp_res_answer_egress(struct nhrp_pkt *p, uint32_t prefix, uint8_t plen)
{
	struct nhrp_if *nif = p->nif;
	struct nhrp_cie ce = {
		.prefix_len = plen,
		.mtu = nif->c.mtu,
		.holdtime = nif->c.holdtime,
		.nbma = nhrp_addr_of(&nif->c.nbma),
		.proto = nhrp_addr_of(&nif->c.proto),
	};
	uint16_t port;
	uint32_t to = nhrp_res_requester(p, &port);

	nhrp_local_note(p->n, p->ifi, prefix, plen, p->src_proto, to, port, nif->c.holdtime);
	nhrp_res_send_reply(p, &ce, nhrp_res_reply_flags(p->m, true), true);
}

/* The holding time is the registration's, not what is left of it: the
 * client refreshes it, and a shortcut to it lives on its own use checks
 * (FRR answers with its holdtime too). */
static void nhrp_res_answer_cache(struct nhrp_pkt *p, const struct nhrp_cache *c)
{
	struct nhrp_cie ce = {
		.prefix_len = c->plen,
		.mtu = c->mtu ? c->mtu : p->nif->c.mtu,
		.holdtime = c->holdtime ? c->holdtime : p->nif->c.holdtime,
		.nbma = nhrp_addr_of(&c->nbma),
		.proto = nhrp_addr_of(&c->proto),
	};

	nhrp_res_send_reply(p, &ce, nhrp_res_reply_flags(p->m, c->flags & NHRP_CF_UNIQUE), false);
}

static void nhrp_res_nak(struct nhrp_pkt *p)
{
	const struct nhrp_msg *m = p->m;
	struct nhrp_cie ce = m->ncies ? m->cies[0] : (struct nhrp_cie){ 0 };

	ce.code = NHRP_CIE_NO_BINDING;	/* 12 (RFC 2332 5.2.2; FRR says 11) */
	nhrp_stat(p->n, p->ifi, NHRP_ST_RES_NAK);
	nhrp_res_send_reply(p, &ce, m->flags & (NHRP_RES_FLAG_Q | NHRP_RES_FLAG_S), false);
}

/* Registrations and static maps of any interface in the same NHRP
 * network (network-id) answer for each other, never across networks. */
static const struct nhrp_cache *nhrp_res_cache(const struct nhrp_pkt *p, uint32_t dst)
{
	const unsigned int types = NHRP_TYPE_BIT(NHRP_C_STATIC) | NHRP_TYPE_BIT(NHRP_C_DYNAMIC);
	const struct nhrp_cache *c = nhrp_cache_lpm(p->n, p->ifi, dst, types);

	for (unsigned int i = 0; !c && i < NHRP_MAX_IFS; i++)
		if (i != p->ifi && p->n->ifs[i].on &&
		    p->n->ifs[i].c.network_id == p->nif->c.network_id)
			c = nhrp_cache_lpm(p->n, i, dst, types);
	return c;
}

/* The NBMA of an overlay next hop on this interface. */
static const struct nhrp_cache *nhrp_res_binding(const struct nhrp_pkt *p, uint32_t proto)
{
	const struct nhrp_cache *c = nhrp_cache_find(p->n, p->ifi, proto, NHRP_HOST_PLEN);

	return c && (NHRP_BINDING_TYPES & NHRP_TYPE_BIT(c->type)) && c->nbma ? c : NULL;
}

static void nhrp_res_plan_forward(const struct nhrp_pkt *p, const struct nhrp_cache *nh,
				  struct nhrp_res_plan *pl)
{
	/* never back to where it came from: that is a NAK, not a loop */
	if (!nh || (nh->nbma == p->src_nbma && nh->port == p->sport))
		return;
	pl->act = NHRP_RES_FORWARD;
	pl->nbma = nh->nbma;
	pl->port = nh->port;
}

static void nhrp_res_plan(const struct nhrp_pkt *p, struct nhrp_res_plan *pl)
{
	const struct nhrp_io *io = &p->n->io;
	uint32_t dst = p->dst_proto;
	struct nhrp_route r = { 0 };
	const struct nhrp_cache *c;

	*pl = (struct nhrp_res_plan){ .act = NHRP_RES_NAK };
	if (nhrp_is_ours(p->n, p->ifi, dst)) {
		*pl = (struct nhrp_res_plan){ .act = NHRP_RES_EGRESS, .prefix = dst,
					      .plen = NHRP_HOST_PLEN };
		return;
	}
	c = nhrp_res_cache(p, dst);
	if (c && (c->type == NHRP_C_STATIC || !p->nif->c.redirect)) {
		*pl = (struct nhrp_res_plan){ .act = NHRP_RES_CACHE, .c = c };
		return;
	}
	if (c && c->ifi == p->ifi) {	/* Phase 3: the client answers for itself */
		nhrp_res_plan_forward(p, c, pl);
		return;
	}
	if (!io->route_lookup || !io->route_lookup(io->arg, p->nif->c.tunnel, dst, &r))
		return;
	if (r.kind == NHRP_ROUTE_LOCAL)
		*pl = (struct nhrp_res_plan){ .act = NHRP_RES_EGRESS, .prefix = r.prefix,
					      .plen = r.plen };
	else if (r.kind == NHRP_ROUTE_TUNNEL)
		nhrp_res_plan_forward(p, nhrp_res_binding(p, r.via ? r.via : dst), pl);
}

/* The requester is behind NAT and nobody said so yet: add what we saw
 * (Cisco: "the hub adds a NAT extension before forwarding", FRR#8240). */
static void nhrp_res_forward_nat(struct nhrp_pkt *p)
{
	const struct nhrp_ext *fwd = nhrp_msg_find_ext_const(p->m, NHRP_EXT_FORWARD_TRANSIT);
	struct nhrp_ext *nat;
	struct nhrp_cie ce;

	if ((fwd && fwd->ncies) || p->src_nbma == p->claimed_nbma ||
	    nhrp_ext_nat_nbma(p->m, p->src_proto))
		return;
	nat = nhrp_msg_find_ext(&p->n->tx, NHRP_EXT_NAT_ADDRESS);
	if (!nat)
		nat = nhrp_msg_add_ext(&p->n->tx, NHRP_EXT_NAT_ADDRESS, false);
	if (!nat || !nat->has_cies)
		return;
	ce = (struct nhrp_cie){ .prefix_len = NHRP_HOST_PLEN,
				.mtu = p->m->ncies ? p->m->cies[0].mtu : 0,
				.nbma = nhrp_addr_of(&p->src_nbma), .proto = p->m->src_proto };
	nhrp_ext_add_cie(nat, &ce);
}

/* Hop count, loop check, our transit CIE; requests and replies alike. */
static bool nhrp_res_relay(struct nhrp_pkt *p, uint16_t transit, uint32_t nbma, uint16_t port)
{
	struct nhrp *n = p->n;
	const struct nhrp_msg *m = p->m;

	/* RFC 2332 5.1: forwarding would send hop count 0, which we never do */
	if (m->hopcnt <= 1) {
		nhrp_stat(n, p->ifi, NHRP_ST_HOP_EXCEEDED);
		nhrp_err_send(p, NHRP_ERR_HOP_COUNT_EXCEEDED, offsetof(struct nhrp_fixed_hdr, hopcnt));
		return false;
	}
	if (nhrp_ext_transit_has(n, p->ifi, m, transit)) {
		nhrp_stat(n, p->ifi, NHRP_ST_LOOP);
		nhrp_err_send(p, NHRP_ERR_LOOP_DETECTED,
			      nhrp_msg_find_ext_const(m, transit)->offset);
		return false;
	}
	n->tx = *m;
	n->tx.hopcnt = (uint8_t)(m->hopcnt - 1);
	if (nhrp_ext_forward_copy(n, p->ifi, m, transit) < 0) {
		nhrp_stat(n, p->ifi, NHRP_ST_HOP_EXCEEDED);	/* transit record full */
		nhrp_err_send(p, NHRP_ERR_HOP_COUNT_EXCEEDED, offsetof(struct nhrp_fixed_hdr, hopcnt));
		return false;
	}
	if (m->type == NHRP_RESOLUTION_REQUEST)
		nhrp_res_forward_nat(p);
	return nhrp_send_msg(n, p->ifi, nbma, port) == 0;
}

void nhrp_res_recv_req(struct nhrp_pkt *p)
{
	struct nhrp_res_plan pl;
	uint16_t off;

	if (nhrp_is_ours(p->n, p->ifi, p->src_proto)) {
		nhrp_stat(p->n, p->ifi, NHRP_ST_RX_OWN);
		return;
	}
	nhrp_res_plan(p, &pl);
	/* the responder must understand every compulsory extension (5.3);
	 * a transit NHS passes them on */
	if (pl.act != NHRP_RES_FORWARD && nhrp_ext_unknown_compulsory(p->m, &off) >= 0) {
		nhrp_stat(p->n, p->ifi, NHRP_ST_UNKNOWN_EXT);
		nhrp_err_send(p, NHRP_ERR_UNRECOGNIZED_EXTENSION, off);
		return;
	}
	switch (pl.act) {
	case NHRP_RES_EGRESS:
		nhrp_res_answer_egress(p, pl.prefix, pl.plen);
		break;
	case NHRP_RES_CACHE:
		nhrp_res_answer_cache(p, pl.c);
		break;
	case NHRP_RES_FORWARD:
		if (nhrp_res_relay(p, NHRP_EXT_FORWARD_TRANSIT, pl.nbma, pl.port))
			nhrp_stat(p->n, p->ifi, NHRP_ST_RES_FORWARDED);
		break;
	default:
		nhrp_res_nak(p);
		break;
	}
}

/* ---- replies ---- */

/* A reply for someone else: on toward the requester (RFC 2332 5.3.3). */
static void nhrp_res_reply_forward(struct nhrp_pkt *p)
{
	const struct nhrp_cache *c = nhrp_res_binding(p, p->src_proto);
	uint32_t nbma = c ? c->nbma : nhrp_ext_nat_nbma(p->m, p->src_proto);
	uint16_t port = c ? c->port : 0;

	if (!nbma)
		nbma = p->claimed_nbma;
	if (nbma == p->src_nbma)
		return;		/* it came from there */
	if (nhrp_res_relay(p, NHRP_EXT_REVERSE_TRANSIT, nbma, port))
		nhrp_stat(p->n, p->ifi, NHRP_ST_REPLY_FORWARDED);
}

/* The NBMA to reach the answer at: the NAT extension's address for it,
 * or what we saw when the answer came straight from a NATed responder
 * that does not know its outside address, else the CIE's. */
static uint32_t nhrp_res_peer_nbma(const struct nhrp_pkt *p, const struct nhrp_cie *ce,
				   uint32_t peer, uint16_t *port)
{
	const struct nhrp_ext *rev = nhrp_msg_find_ext_const(p->m, NHRP_EXT_REVERSE_TRANSIT);
	const struct nhrp_ext *rsp = nhrp_msg_find_ext_const(p->m, NHRP_EXT_RESPONDER_ADDRESS);
	uint32_t nat = nhrp_ext_nat_nbma(p->m, peer), cie = nhrp_addr4(&ce->nbma);
	bool direct = !rev || !rev->ncies;
	bool from_peer = rsp && rsp->ncies && nhrp_addr4(&rsp->cies[0].proto) == peer;

	*port = 0;
	if (nat)
		return nat;
	if (direct && from_peer && cie != p->src_nbma) {
		*port = p->sport;
		return p->src_nbma;
	}
	return cie;
}

void nhrp_res_recv_reply(struct nhrp_pkt *p)
{
	struct nhrp_cache *c;
	const struct nhrp_cie *ce;
	uint32_t nbma, peer;
	uint16_t off, port;

	if (!nhrp_is_ours(p->n, p->ifi, p->src_proto)) {
		nhrp_res_reply_forward(p);
		return;
	}
	if (nhrp_ext_unknown_compulsory(p->m, &off) >= 0) {
		nhrp_stat(p->n, p->ifi, NHRP_ST_UNKNOWN_EXT);
		nhrp_err_send(p, NHRP_ERR_UNRECOGNIZED_EXTENSION, off);
		return;
	}
	c = nhrp_cache_find(p->n, p->ifi, p->dst_proto, NHRP_HOST_PLEN);
	if (!c || !(c->flags & NHRP_CF_PENDING) || c->reqid != p->m->reqid) {
		nhrp_stat(p->n, p->ifi, NHRP_ST_RES_UNSOLICITED);
		return;
	}
	ce = p->m->ncies ? &p->m->cies[0] : NULL;
	peer = ce && ce->proto.len == 4 ? nhrp_addr4(&ce->proto) : p->dst_proto;
	nbma = ce ? nhrp_res_peer_nbma(p, ce, peer, &port) : 0;
	if (!ce || ce->code != NHRP_CIE_SUCCESS || !nbma || nhrp_is_ours(p->n, p->ifi, peer)) {
		char a[ADDR_STRLEN];

		log_debug("nhrp: resolution of %s refused: %s", addr_fmt(p->dst_proto, a),
			  ce ? nhrp_cie_code_name(ce->code) : "no CIE");
		nhrp_res_failed(p->n, c);
		return;
	}
	nhrp_shortcut_learn(p, ce, nbma, port);
}
