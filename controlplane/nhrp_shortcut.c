/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Shortcuts: what a Resolution Reply installs, and their life.
 *
 *   SHORTCUT  peer /32 -> NBMA: an adjacency (Phase 2: the unresolved
 *             next hop; Phase 3: the egress spoke's tunnel address)
 *   ROUTE     prefix/len via that peer (Phase 3: the covering prefix the
 *             egress answered; Cisco 'H' route / next-hop override)
 *
 * Timer of both, when it fires:
 *   - a quarter of the holdtime before expiry: the use check.  The data
 *     plane's last-used stamp moved since the binding was (re)installed:
 *     the entry is in use and is refreshed (a new Resolution Request; the
 *     reply extends it).  Unused: nothing, it will expire.
 *   - while a refresh is pending: its retransmission (same request id).
 *   - at expiry: removed (adjacency or route purged from the data plane).
 */
#include "addr.h"
#include "log.h"
#include "nhrp_priv.h"

static uint64_t nhrp_shortcut_stamp(const struct nhrp *n, const struct nhrp_cache *c)
{
	const struct nhrp_io *io = &n->io;
	uint32_t peer = c->type == NHRP_C_ROUTE ? c->via : c->proto;

	return io->use_stamp ? io->use_stamp(io->arg, n->ifs[c->ifi].c.tunnel, peer) : 0;
}

/* Holdtime granted by the answer; the use check a quarter before its end. */
static void nhrp_shortcut_arm(struct nhrp *n, struct nhrp_cache *c, uint16_t hold)
{
	uint64_t lead = (uint64_t)hold * 1000u / 4u;

	c->holdtime = hold;
	c->expires_ms = nhrp_now_ms(n) + (uint64_t)hold * 1000u;
	c->use_stamp = nhrp_shortcut_stamp(n, c);
	c->tries = 0;
	nhrp_cache_arm(n, c, c->expires_ms - lead);
}

/* Timer of a SHORTCUT or ROUTE entry (meaning in the file comment). */
void nhrp_shortcut_timer(struct nhrp *n, struct nhrp_cache *c)
{
	uint64_t now = nhrp_now_ms(n), stamp;
	char a[PREFIX_STRLEN];

	if (now >= c->expires_ms) {
		log_debug("nhrp: shortcut %s expired", prefix_fmt(c->proto, c->plen, a));
		nhrp_stat(n, c->ifi, NHRP_ST_SHORTCUT_EXPIRED);
		nhrp_cache_del(n, c);
		return;
	}
	if (nhrp_res_retry_pending(n, c))
		return;
	stamp = nhrp_shortcut_stamp(n, c);
	nhrp_cache_arm(n, c, c->expires_ms);
	if (stamp == c->use_stamp)
		return;		/* unused: let it expire */
	c->use_stamp = stamp;
	c->flags |= NHRP_CF_USED;
	/* used: resolve it again before it goes (a ROUTE: the address that
	 * was asked for, kept in claimed) */
	nhrp_res_start(n, c->ifi, c->type == NHRP_C_ROUTE ? c->claimed : c->proto, true);
}

/* The peer binding of an answer, unless something authoritative (a static
 * map, a registration with us, our own prefix) owns that address. */
static struct nhrp_cache *nhrp_shortcut_peer(struct nhrp_pkt *p, const struct nhrp_cie *ce,
					     uint32_t peer, uint32_t nbma, uint16_t port,
					     uint16_t hold)
{
	struct nhrp *n = p->n;
	struct nhrp_cache *c = nhrp_cache_get(n, p->ifi, peer, NHRP_HOST_PLEN, NULL);
	bool same;

	if (!c) {
		nhrp_stat(n, p->ifi, NHRP_ST_NO_RESOURCES);
		return NULL;
	}
	if (c->type == NHRP_C_STATIC || c->type == NHRP_C_DYNAMIC || c->type == NHRP_C_LOCAL)
		return c;
	same = c->type == NHRP_C_SHORTCUT && c->nbma == nbma && c->port == port;
	nhrp_stat(n, p->ifi, same ? NHRP_ST_SHORTCUT_REFRESHED : NHRP_ST_SHORTCUT_INSTALLED);
	nhrp_cache_set_type(n, c, NHRP_C_SHORTCUT);
	c->nbma = nbma;
	c->port = port;
	c->claimed = ce->nbma.len == 4 ? nhrp_addr4(&ce->nbma) : nbma;
	c->mtu = ce->mtu;
	c->reqid = p->m->reqid;
	c->flags = (c->flags & (NHRP_CF_USED | NHRP_CF_INSTALLED)) | NHRP_CF_ROUTER;
	if (p->m->flags & NHRP_RES_FLAG_A)
		c->flags |= NHRP_CF_AUTHORITATIVE;
	if (p->m->flags & NHRP_RES_FLAG_U)
		c->flags |= NHRP_CF_UNIQUE;
	if (nbma != c->claimed)
		c->flags |= NHRP_CF_NAT;
	nhrp_shortcut_arm(n, c, hold);
	nhrp_cache_install(n, c);
	return c;
}

/* prefix/plen via peer: the route of a subnet answer (Phase 3). */
static void nhrp_shortcut_route(struct nhrp_pkt *p, uint32_t dst, uint8_t plen, uint32_t peer,
				uint16_t hold)
{
	struct nhrp *n = p->n;
	struct nhrp_cache *c = nhrp_cache_get(n, p->ifi, dst, plen, NULL);

	if (!c || !(c->type == NHRP_C_INCOMPLETE || c->type == NHRP_C_NEGATIVE ||
		    c->type == NHRP_C_ROUTE || c->type == NHRP_C_IMPLICIT))
		return;		/* a binding of its own owns the key */
	nhrp_cache_set_type(n, c, NHRP_C_ROUTE);
	c->via = peer;
	c->claimed = dst;	/* what to resolve again on refresh */
	c->nbma = 0;
	c->reqid = p->m->reqid;
	c->flags = (c->flags & (NHRP_CF_USED | NHRP_CF_INSTALLED)) | NHRP_CF_ROUTER |
		   NHRP_CF_RIB | NHRP_CF_NHO;
	nhrp_shortcut_arm(n, c, hold);
	nhrp_cache_install(n, c);
}

void nhrp_shortcut_learn(struct nhrp_pkt *p, const struct nhrp_cie *ce, uint32_t nbma,
			 uint16_t port)
{
	struct nhrp *n = p->n;
	uint32_t dst = p->dst_proto;
	uint32_t peer = ce->proto.len == 4 ? nhrp_addr4(&ce->proto) : dst;
	uint8_t plen = ce->prefix_len && ce->prefix_len < NHRP_HOST_PLEN ? ce->prefix_len
									 : NHRP_HOST_PLEN;
	uint16_t hold = ce->holdtime ? ce->holdtime : p->nif->c.holdtime;
	struct nhrp_cache *pc, *c;
	char a[PREFIX_STRLEN], b[ADDR_STRLEN], d[ADDR_STRLEN];

	pc = nhrp_shortcut_peer(p, ce, peer, nbma, port, hold);
	if (!pc)
		return;
	if (plen < NHRP_HOST_PLEN || peer != dst)
		nhrp_shortcut_route(p, dst, plen, peer, hold);
	log_debug("nhrp: shortcut %s via %s (NBMA %s)", prefix_fmt(dst, plen, a),
		  addr_fmt(peer, b), addr_fmt(nbma, d));
	/* the entry that asked: done (or now the peer / route itself) */
	c = nhrp_cache_find(n, p->ifi, dst, NHRP_HOST_PLEN);
	if (!c)
		return;
	if (c->type == NHRP_C_INCOMPLETE || c->type == NHRP_C_NEGATIVE)
		nhrp_cache_del(n, c);
	else
		c->flags &= (uint16_t)~NHRP_CF_PENDING;
}
