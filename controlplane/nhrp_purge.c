/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Purge Request / Reply (RFC 2332 5.2.5, 5.2.6) and the LOCAL entries
 * that make purges possible.
 *
 * Received: every CIE names a binding (protocol address / prefix length)
 * to forget.  A registration with us is only purged by its client (its
 * protocol address as source, from any NBMA: it may have moved) or from
 * its own NBMA; what we learned from others (shortcuts, implicit,
 * negative) by any authenticated station; static maps and our own
 * prefixes never.  A reply follows unless the N bit is set.
 *
 * Sent:
 *   - by the NHC to its NHSs when it stops (reload without them, NHRP
 *     off, new NBMA address), with the registration's request id (Cisco
 *     matches them; OpenNHRP's "cisco" mode) and N set;
 *   - by an egress to the requesters it answered (LOCAL entries) when its
 *     binding changes.
 *
 * LOCAL entry timer: the last holdtime we granted for the prefix; then
 * nobody can hold our answer any more and the entry goes.
 */
#include <string.h>

#include "addr.h"
#include "log.h"
#include "nhrp_priv.h"

static struct nhrp_local *nhrp_local_of(struct nhrp_cache *c)
{
	return (struct nhrp_local *)(c + 1);
}

static bool nhrp_purge_allowed(const struct nhrp_pkt *p, const struct nhrp_cache *c)
{
	switch (c->type) {
	case NHRP_C_STATIC:
	case NHRP_C_LOCAL:
		return false;
	case NHRP_C_DYNAMIC:
		return p->src_proto == c->proto || p->src_nbma == c->nbma;
	default:
		return true;
	}
}

static void nhrp_purge_cie(struct nhrp_pkt *p, const struct nhrp_cie *ce)
{
	uint32_t proto = ce->proto.len == 4 ? nhrp_addr4(&ce->proto) : p->src_proto;
	uint8_t plen = ce->prefix_len && ce->prefix_len < NHRP_HOST_PLEN ? ce->prefix_len
									 : NHRP_HOST_PLEN;
	struct nhrp_cache *c = nhrp_cache_find(p->n, p->ifi, proto, plen);
	char a[PREFIX_STRLEN];

	if (!c || !nhrp_purge_allowed(p, c))
		return;
	log_debug("nhrp: purged %s (%s)", prefix_fmt(c->proto, c->plen, a),
		  nhrp_cache_type_name(c->type));
	nhrp_stat(p->n, p->ifi, NHRP_ST_PURGED);
	nhrp_cache_del(p->n, c);
}

void nhrp_purge_recv_req(struct nhrp_pkt *p)
{
	struct nhrp *n = p->n;
	const struct nhrp_msg *m = p->m;
	struct nhrp_msg *tx = &n->tx;

	for (unsigned int i = 0; i < m->ncies; i++)
		nhrp_purge_cie(p, &m->cies[i]);
	if (m->flags & NHRP_PURGE_FLAG_N)
		return;
	/* RFC 2332 5.2.6: the request returned as a reply */
	nhrp_msg_init(tx, NHRP_PURGE_REPLY, &m->src_nbma, &m->src_proto, &m->dst_proto);
	tx->flags = m->flags;
	tx->reqid = m->reqid;
	for (unsigned int i = 0; i < m->ncies; i++)
		nhrp_msg_add_cie(tx, &m->cies[i]);
	nhrp_ext_reply_copy(n, p->ifi, m, 0);
	nhrp_send_msg(n, p->ifi, p->src_nbma, p->sport);
}

void nhrp_purge_recv_reply(struct nhrp_pkt *p)
{
	char a[ADDR_STRLEN];

	/* fire and forget (we always set N, except to peers that ignore it) */
	log_debug("nhrp: purge reply from %s, request id %u", addr_fmt(p->src_nbma, a),
		  p->m->reqid);
}

/* Purge Request: Responder Address, transit records, authentication, End. */
static void nhrp_purge_send(struct nhrp *n, unsigned int ifi, const uint32_t *dst_proto,
			    uint32_t reqid, bool no_reply, const struct nhrp_cie *ce,
			    uint32_t nbma, uint16_t port)
{
	struct nhrp_msg *tx = &n->tx;

	nhrp_tx_init(n, ifi, NHRP_PURGE_REQUEST, dst_proto);
	tx->flags = no_reply ? NHRP_PURGE_FLAG_N : 0;
	tx->reqid = reqid;
	nhrp_msg_add_cie(tx, ce);
	nhrp_msg_add_ext(tx, NHRP_EXT_RESPONDER_ADDRESS, true);
	nhrp_msg_add_ext(tx, NHRP_EXT_FORWARD_TRANSIT, true);
	nhrp_msg_add_ext(tx, NHRP_EXT_REVERSE_TRANSIT, true);
	nhrp_ext_add_auth(n, ifi, tx);
	nhrp_send_msg(n, ifi, nbma, port);
}

void nhrp_purge_send_self(struct nhrp *n, unsigned int ifi, uint32_t nbma, uint32_t dst_proto,
			  uint32_t reqid, bool no_reply)
{
	const struct nhrp_if *nif = &n->ifs[ifi];
	struct nhrp_cie ce = {
		.prefix_len = NHRP_HOST_PLEN,
		.mtu = nif->c.mtu,
		.nbma = nhrp_addr_of(&nif->c.nbma),
		.proto = nhrp_addr_of(&nif->c.proto),
	};

	nhrp_purge_send(n, ifi, &dst_proto, reqid, no_reply, &ce, nbma, 0);
}

void nhrp_purge_local(struct nhrp *n, struct nhrp_cache *c)
{
	const struct nhrp_if *nif = &n->ifs[c->ifi];
	struct nhrp_local *l = nhrp_local_of(c);
	struct nhrp_cie ce = {
		.prefix_len = c->plen,
		.mtu = nif->c.mtu,
		.nbma = nhrp_addr_of(&nif->c.nbma),
		.proto = nhrp_addr_of(&c->proto),
	};

	for (unsigned int i = 0; i < l->n; i++)
		nhrp_purge_send(n, c->ifi, &l->req[i].proto, nhrp_reqid_next(n), true, &ce,
				l->req[i].nbma, l->req[i].port);
}

/* We answered for prefix/plen to a requester: remember it (seed 001's
 * "Flags: router unique local" entry). */
void nhrp_local_note(struct nhrp *n, unsigned int ifi, uint32_t prefix, uint8_t plen,
		     uint32_t req_proto, uint32_t req_nbma, uint16_t req_port, uint16_t hold)
{
	struct nhrp_cache *c = nhrp_cache_get_local(n, ifi, prefix, plen);
	struct nhrp_local *l;
	unsigned int i;

	if (!c)
		return;
	l = nhrp_local_of(c);
	for (i = 0; i < l->n && l->req[i].proto != req_proto; i++)
		;
	if (i == NHRP_LOCAL_REQ_MAX) {
		/* full: the oldest requester is forgotten (it expires anyway) */
		memmove(&l->req[0], &l->req[1], sizeof(l->req[0]) * (NHRP_LOCAL_REQ_MAX - 1));
		i = NHRP_LOCAL_REQ_MAX - 1;
	} else if (i == l->n) {
		l->n++;
	}
	l->req[i] = (struct nhrp_local_req){ .proto = req_proto, .nbma = req_nbma,
					     .port = req_port };
	c->nbma = n->ifs[ifi].c.nbma;
	c->flags = NHRP_CF_ROUTER | NHRP_CF_UNIQUE | NHRP_CF_LOCAL;
	nhrp_cache_hold(n, c, hold);
}

unsigned int nhrp_local_requesters(const struct nhrp_cache *c, const struct nhrp_local_req **r)
{
	const struct nhrp_local *l = (const struct nhrp_local *)(c + 1);

	if (c->type != NHRP_C_LOCAL)
		return 0;
	*r = l->req;
	return l->n;
}
