/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NHRP cache: one hash of entries keyed by (interface, protocol
 * address, prefix length) for registrations, static maps, shortcuts and
 * their routes, pending and negative resolutions and the prefixes we
 * answered for.  Types and what each entry's one timer means are in
 * nhrp_priv.h; the timer callback here dispatches on the type.
 *
 * Static maps are cache entries too (resolution answers from them), but
 * their adjacencies belong to the configuration (sync.c), never to us.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "log.h"
#include "nhrp_priv.h"
#include "strbuf.h"

static const char *const nhrp_type_names[NHRP_C__MAX] = {
	[NHRP_C_STATIC] = "static",
	[NHRP_C_DYNAMIC] = "dynamic",
	[NHRP_C_SHORTCUT] = "dynamic",
	[NHRP_C_ROUTE] = "dynamic",
	[NHRP_C_IMPLICIT] = "dynamic",
	[NHRP_C_INCOMPLETE] = "incomplete",
	[NHRP_C_NEGATIVE] = "incomplete",
	[NHRP_C_LOCAL] = "dynamic",
};

const char *nhrp_cache_type_name(enum nhrp_cache_type t)
{
	return t < NHRP_C__MAX ? nhrp_type_names[t] : "?";
}

/* IOS order and words (seed 004 "authoritative unique registered used"). */
void nhrp_cache_flags_fmt(uint16_t flags, char *buf, size_t len)
{
	static const struct flag_name names[] = {
		{ NHRP_CF_AUTHORITATIVE, "authoritative" }, { NHRP_CF_ROUTER, "router" },
		{ NHRP_CF_IMPLICIT, "implicit" }, { NHRP_CF_UNIQUE, "unique" },
		{ NHRP_CF_REGISTERED, "registered" }, { NHRP_CF_USED, "used" },
		{ NHRP_CF_NAT, "nat" }, { NHRP_CF_LOCAL, "local" },
		{ NHRP_CF_NEGATIVE, "negative" }, { NHRP_CF_RIB, "rib" }, { NHRP_CF_NHO, "nho" },
		{ NHRP_CF_MULTICAST, "multicast" },
	};

	flags_fmt(flags, names, sizeof(names) / sizeof(names[0]), buf, len);
}

static uint32_t nhrp_cache_hash(unsigned int ifi, uint32_t proto, uint8_t plen)
{
	return hash_u32x2(proto, (uint32_t)ifi << 8 | plen);
}

void nhrp_cache_init(struct nhrp *n)
{
	hmap_init(&n->cache);
}

struct nhrp_cache *nhrp_cache_walk(const struct nhrp *n, uint32_t *cursor, struct hnode **next)
{
	struct hnode *h = hmap_walk(&n->cache, cursor, next);

	return h ? container_of(h, struct nhrp_cache, node) : NULL;
}

void nhrp_cache_fini(struct nhrp *n)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct nhrp_cache *c;

	/* no callbacks: the controller's exit leaves the data plane as it is */
	while ((c = nhrp_cache_walk(n, &cur, &nx))) {
		loop_timer_cancel(n->loop, &c->timer);
		hmap_remove(&n->cache, &c->node);
		free(c);
	}
	hmap_fini(&n->cache);
	memset(n->n_type, 0, sizeof(n->n_type));
	memset(n->n_plen, 0, sizeof(n->n_plen));
}

uint32_t nhrp_cache_count(const struct nhrp *n)
{
	return hmap_count(&n->cache);
}

struct nhrp_cache *nhrp_cache_find(const struct nhrp *n, unsigned int ifi, uint32_t proto,
				   uint8_t plen)
{
	uint32_t h;

	if (plen > NHRP_HOST_PLEN)
		return NULL;
	proto &= plen_mask(plen);
	h = nhrp_cache_hash(ifi, proto, plen);
	for (struct hnode *x = hmap_first(&n->cache, h); x; x = hmap_next(x, h)) {
		struct nhrp_cache *c = container_of(x, struct nhrp_cache, node);

		if (c->proto == proto && c->plen == plen && c->ifi == ifi)
			return c;
	}
	return NULL;
}

const struct nhrp_cache *nhrp_cache_find_const(const struct nhrp *n, unsigned int ifi,
					       uint32_t proto, uint8_t plen)
{
	return nhrp_cache_find(n, ifi, proto, plen);
}

struct nhrp_cache *nhrp_cache_lpm(const struct nhrp *n, unsigned int ifi, uint32_t addr,
				  unsigned int type_mask)
{
	for (int plen = NHRP_HOST_PLEN; plen >= 0; plen--) {
		struct nhrp_cache *c;

		if (!n->n_plen[plen])
			continue;
		c = nhrp_cache_find(n, ifi, addr, (uint8_t)plen);
		if (c && (type_mask & NHRP_TYPE_BIT(c->type)))
			return c;
	}
	return NULL;
}

int nhrp_cache_entry_type(const struct nhrp_cache *c)
{
	return c ? c->type : -1;
}

uint32_t nhrp_cache_entry_nbma(const struct nhrp_cache *c)
{
	return c ? c->nbma : 0;
}

uint16_t nhrp_cache_entry_flags(const struct nhrp_cache *c)
{
	return c ? c->flags : 0;
}

/* ---- timers ---- */

/* Called when an entry's timer fires; what that means depends on its type. */
static void nhrp_cache_timer_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	struct nhrp_cache *c = container_of(t, struct nhrp_cache, timer);
	struct nhrp *n = arg;

	(void)l;
	switch (c->type) {
	case NHRP_C_DYNAMIC:
		nhrp_nhs_expire(n, c);
		break;
	case NHRP_C_SHORTCUT:
	case NHRP_C_ROUTE:
		nhrp_shortcut_timer(n, c);
		break;
	case NHRP_C_INCOMPLETE:
		nhrp_res_timer(n, c);
		break;
	default:		/* IMPLICIT, NEGATIVE, LOCAL: end of their hold */
		nhrp_cache_del(n, c);
		break;
	}
}

void nhrp_cache_arm(struct nhrp *n, struct nhrp_cache *c, uint64_t when_ms)
{
	loop_timer_arm_at(n->loop, &c->timer, when_ms);
}

void nhrp_cache_hold(struct nhrp *n, struct nhrp_cache *c, uint16_t holdtime)
{
	c->holdtime = holdtime;
	c->expires_ms = nhrp_now_ms(n) + (uint64_t)holdtime * 1000u;
	nhrp_cache_arm(n, c, c->expires_ms);
}

/* ---- life of an entry ---- */

static struct nhrp_cache *nhrp_cache_new(struct nhrp *n, unsigned int ifi, uint32_t proto,
					 uint8_t plen, size_t extra)
{
	struct nhrp_cache *c = calloc(1, sizeof(*c) + extra);

	if (!c)
		return NULL;
	c->ifi = (uint8_t)ifi;
	c->plen = plen;
	c->proto = proto & plen_mask(plen);
	c->type = NHRP_C_INCOMPLETE;
	c->created_ms = nhrp_now_ms(n);
	loop_timer_init(&c->timer, nhrp_cache_timer_cb, n);
	hmap_insert(&n->cache, &c->node, nhrp_cache_hash(ifi, c->proto, plen));
	n->n_type[c->type]++;
	n->n_plen[plen]++;
	return c;
}

struct nhrp_cache *nhrp_cache_get(struct nhrp *n, unsigned int ifi, uint32_t proto,
				  uint8_t plen, bool *created)
{
	struct nhrp_cache *c = nhrp_cache_find(n, ifi, proto, plen);

	if (created)
		*created = !c;
	if (c || plen > NHRP_HOST_PLEN)
		return c;
	return nhrp_cache_new(n, ifi, proto, plen, 0);
}

/* LOCAL entries carry their requester list after the entry. */
struct nhrp_cache *nhrp_cache_get_local(struct nhrp *n, unsigned int ifi, uint32_t proto,
					uint8_t plen)
{
	struct nhrp_cache *c = nhrp_cache_find(n, ifi, proto, plen);

	if (c)
		return c->type == NHRP_C_LOCAL ? c : NULL;
	c = nhrp_cache_new(n, ifi, proto, plen, sizeof(struct nhrp_local));
	if (c)
		nhrp_cache_set_type(n, c, NHRP_C_LOCAL);
	return c;
}

void nhrp_cache_set_type(struct nhrp *n, struct nhrp_cache *c, enum nhrp_cache_type t)
{
	if (c->type == t)
		return;
	n->n_type[c->type]--;
	n->n_type[t]++;
	c->type = (uint8_t)t;
}

static struct nhrp_peer nhrp_cache_peer(const struct nhrp *n, const struct nhrp_cache *c)
{
	struct nhrp_peer p = {
		.tunnel = n->ifs[c->ifi].c.tunnel,
		.plen = c->plen,
		.proto = c->proto,
		.nbma = c->nbma,
		.port = c->port,
		.holdtime = c->holdtime,
		.cache_flags = (uint32_t)c->type << 16 | (c->flags & NHRP_CF__PRINTED),
	};

	p.flags = c->type == NHRP_C_DYNAMIC ? NHRP_PEER_DYNAMIC : NHRP_PEER_SHORTCUT;
	if (c->flags & NHRP_CF_NAT)
		p.flags |= NHRP_PEER_NAT;
	if (c->flags & NHRP_CF_UNIQUE)
		p.flags |= NHRP_PEER_UNIQUE;
	if (c->flags & NHRP_CF_MULTICAST)
		p.flags |= NHRP_PEER_MULTICAST;
	return p;
}

void nhrp_cache_install(struct nhrp *n, struct nhrp_cache *c)
{
	const struct nhrp_io *io = &n->io;

	switch (c->type) {
	case NHRP_C_DYNAMIC:
	case NHRP_C_SHORTCUT: {
		struct nhrp_peer p = nhrp_cache_peer(n, c);

		if (io->peer_set)
			io->peer_set(io->arg, &p);
		break;
	}
	case NHRP_C_ROUTE:
		if (io->route_set)
			io->route_set(io->arg, n->ifs[c->ifi].c.tunnel, c->proto, c->plen, c->via);
		break;
	default:
		return;
	}
	c->flags |= NHRP_CF_INSTALLED;
}

/* What the data plane has of it goes (adjacency or route). */
static void nhrp_cache_uninstall(struct nhrp *n, struct nhrp_cache *c)
{
	const struct nhrp_io *io = &n->io;
	uint8_t tunnel = n->ifs[c->ifi].c.tunnel;

	if (!(c->flags & NHRP_CF_INSTALLED))
		return;
	c->flags &= (uint16_t)~NHRP_CF_INSTALLED;
	if (c->type == NHRP_C_ROUTE) {
		if (io->route_del)
			io->route_del(io->arg, tunnel, c->proto, c->plen);
	} else if (io->peer_del) {
		io->peer_del(io->arg, tunnel, c->proto);
	}
}

void nhrp_cache_del(struct nhrp *n, struct nhrp_cache *c)
{
	nhrp_cache_uninstall(n, c);
	loop_timer_cancel(n->loop, &c->timer);
	hmap_remove(&n->cache, &c->node);
	n->n_type[c->type]--;
	n->n_plen[c->plen]--;
	/* ROUTE entries through a SHORTCUT that goes stay: their route is
	 * RT_NH_VIA_ONLY, so it falls back to the routed next hop, and they
	 * expire unused (no cascade: walkers may delete while walking) */
	free(c);
}

unsigned int nhrp_clear(struct nhrp *n, uint32_t proto, uint8_t plen)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct nhrp_cache *c;
	unsigned int k = 0;

	while ((c = nhrp_cache_walk(n, &cur, &nx))) {
		if (c->type == NHRP_C_STATIC || c->type == NHRP_C_LOCAL)
			continue;
		if ((proto || plen) && !(c->plen >= plen && prefix_contains(proto, plen, c->proto)))
			continue;
		nhrp_cache_del(n, c);
		k++;
	}
	return k;
}

/* A binding found published after a controller restart: the entry comes
 * back with what the slot kept (type and flags in nhrp_flags, the time
 * left); the adjacency is already there.  A shortcut adopted this way
 * expires at its time without a use check. */
void nhrp_adopt(struct nhrp *n, unsigned int ifi, const struct nhrp_peer *p,
		uint32_t remaining_s)
{
	enum nhrp_cache_type t = (enum nhrp_cache_type)(p->cache_flags >> 16);
	uint8_t plen;
	bool created;
	struct nhrp_cache *c;

	if (ifi >= NHRP_MAX_IFS || !remaining_s)
		return;
	if (t != NHRP_C_DYNAMIC && t != NHRP_C_SHORTCUT)
		t = (p->flags & NHRP_PEER_DYNAMIC) ? NHRP_C_DYNAMIC : NHRP_C_SHORTCUT;
	plen = p->plen && p->plen < NHRP_HOST_PLEN ? p->plen : NHRP_HOST_PLEN;
	c = nhrp_cache_get(n, ifi, p->proto, plen, &created);
	if (!c || !created)
		return;
	nhrp_cache_set_type(n, c, t);
	c->nbma = p->nbma;
	c->claimed = p->nbma;
	c->port = p->port;
	c->flags = (uint16_t)(p->cache_flags & NHRP_CF__PRINTED) | NHRP_CF_INSTALLED;
	c->use_stamp = n->io.use_stamp ? n->io.use_stamp(n->io.arg, p->tunnel, p->proto) : 0;
	c->tries = 0;
	nhrp_cache_hold(n, c, remaining_s > UINT16_MAX ? UINT16_MAX : (uint16_t)remaining_s);
	c->holdtime = p->holdtime ? p->holdtime : c->holdtime;
}

/* ip nhrp map: the STATIC entries of ifi become exactly maps (mark, set,
 * sweep).  A learned entry for a mapped address turns static; its
 * adjacency is the configuration's from now on. */
int nhrp_static_set(struct nhrp *n, unsigned int ifi, const struct nhrp_map *maps,
		    unsigned int n_maps)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct nhrp_cache *c;

	if (ifi >= NHRP_MAX_IFS)
		return -EINVAL;
	while ((c = nhrp_cache_walk(n, &cur, &nx)))
		if (c->ifi == ifi && c->type == NHRP_C_STATIC)
			c->tries = 1;	/* mark */
	for (unsigned int i = 0; i < n_maps; i++) {
		c = nhrp_cache_get(n, ifi, maps[i].proto, NHRP_HOST_PLEN, NULL);
		if (!c)
			return -ENOMEM;
		if (c->type == NHRP_C_LOCAL)
			continue;
		nhrp_cache_uninstall(n, c);
		loop_timer_cancel(n->loop, &c->timer);
		nhrp_cache_set_type(n, c, NHRP_C_STATIC);
		c->nbma = c->claimed = maps[i].nbma;
		c->port = 0;
		c->expires_ms = 0;
		c->holdtime = 0;
		c->tries = 0;
		c->flags = NHRP_CF_AUTHORITATIVE | (maps[i].multicast ? NHRP_CF_MULTICAST : 0);
	}
	cur = 0;
	nx = NULL;
	while ((c = nhrp_cache_walk(n, &cur, &nx)))
		if (c->ifi == ifi && c->type == NHRP_C_STATIC && c->tries)
			nhrp_cache_del(n, c);
	return 0;
}
