/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Glue between the NHRP engine and the controller (nhrp_module.h):
 *
 *   punt ring  MSG_PUNT_NHRP   -> nhrp_recv()
 *              MSG_EV_ADJ_MISS -> nhrp_miss()      (Phase 2)
 *              MSG_EV_HAIRPIN  -> nhrp_hairpin()   (Phase 3)
 *   nhrp_io    send            -> dpconn_inject_nhrp() (GRE + key, TTL 255, TOS 0xc0)
 *              peer_set / del  -> adj_upsert() / adj_del() (never a static map's)
 *              route_set / del -> rt_set() / rt_unset(), RT_SRC_NHRP, RT_NH_VIA_ONLY
 *              route_lookup    -> the desired routes (routes.c), longest match
 *              use_stamp       -> the slot's per-worker last-used TSC
 *              nhs_changed     -> ADJ_NHRP_NHS_DOWN on the NHS's static adjacency
 *   hooks      conf_applied    -> nhrp_if_set(), nhrp_static_set()
 *              adj_adopted     -> nhrp_adopt() (controller restart)
 *              dp_synced       -> nhrp_kick()  (registrations go out now)
 *              fini            -> nhrp_free(): no purge, the hub keeps our
 *                                 registration and the data plane forwards
 *                                 (DESIGN.md: restart without a lost packet)
 *
 * The controller has one tunnel: engine interface 0 is tunnel 0.
 */
#include "nhrp_module.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "ctl.h"
#include "log.h"
#include "nhrp.h"

struct nhrp_mod {
	struct ctl *c;
	struct nhrp *n;
	uint64_t bad_punts;
};

static struct nhrp_mod *nhrp_mod_of(const struct ctl *c)
{
	for (unsigned int i = 0; i < c->n_mods; i++)
		if (c->mods[i].m->name && strcmp(c->mods[i].m->name, "nhrp") == 0)
			return c->mods[i].arg;
	return NULL;
}

struct nhrp *nhrp_module_engine(const struct ctl *c)
{
	struct nhrp_mod *m = nhrp_mod_of(c);

	return m ? m->n : NULL;
}

/* ---- configuration ---- */

static uint32_t nhrp_mod_map_nbma(const struct conf *cf, uint32_t proto)
{
	for (uint32_t i = 0; i < cf->nhrp.n_maps; i++)
		if (cf->nhrp.maps[i].proto == proto)
			return cf->nhrp.maps[i].nbma;
	return 0;
}

static void nhrp_mod_ifconf(const struct ctl *c, struct nhrp_if_conf *ic)
{
	const struct conf *cf = &c->conf;
	size_t alen = strnlen(cf->nhrp.auth, sizeof(cf->nhrp.auth));

	memset(ic, 0, sizeof(*ic));
	if (!cf->tunnel.present)
		return;		/* network_id 0: NHRP off */
	ic->tunnel = 0;
	ic->network_id = cf->nhrp.network_id;
	ic->nbma = ctl_local_nbma(c);
	ic->proto = cf->tunnel.addr;
	ic->plen = cf->tunnel.plen;
	ic->mtu = cf->tunnel.mtu;
	ic->holdtime = cf->nhrp.holdtime > UINT16_MAX ? UINT16_MAX : (uint16_t)cf->nhrp.holdtime;
	ic->reg_interval = cf->nhrp.registration_timeout > UINT16_MAX
				   ? UINT16_MAX : (uint16_t)cf->nhrp.registration_timeout;
	if (alen > sizeof(ic->auth))
		alen = sizeof(ic->auth);
	memcpy(ic->auth, cf->nhrp.auth, alen);
	ic->auth_len = (uint8_t)alen;
	ic->no_unique = cf->nhrp.no_unique;
	ic->redirect = cf->nhrp.redirect;
	ic->shortcut = cf->nhrp.shortcut;
	ic->multicast_dynamic = cf->nhrp.multicast_dynamic;
	for (uint32_t i = 0; i < cf->nhrp.n_nhs && i < NHRP_MAX_NHS; i++) {
		ic->nhs[i].proto = cf->nhrp.nhs[i];
		ic->nhs[i].nbma = nhrp_mod_map_nbma(cf, cf->nhrp.nhs[i]);
		ic->n_nhs++;
	}
}

static void nhrp_mod_statics(struct nhrp_mod *m)
{
	const struct conf *cf = &m->c->conf;
	struct nhrp_map *maps = calloc(cf->nhrp.n_maps ? cf->nhrp.n_maps : 1, sizeof(*maps));

	if (!maps) {
		log_err("nhrp: out of memory for %u static maps", cf->nhrp.n_maps);
		return;
	}
	for (uint32_t i = 0; i < cf->nhrp.n_maps; i++) {
		maps[i].proto = cf->nhrp.maps[i].proto;
		maps[i].nbma = cf->nhrp.maps[i].nbma;
		for (uint32_t k = 0; k < cf->nhrp.n_multicast; k++)
			maps[i].multicast |= cf->nhrp.multicast[k] == maps[i].nbma;
	}
	nhrp_static_set(m->n, 0, maps, cf->tunnel.present ? cf->nhrp.n_maps : 0);
	free(maps);
}

static void nhrp_mod_apply(struct nhrp_mod *m)
{
	struct nhrp_if_conf ic;

	nhrp_mod_ifconf(m->c, &ic);
	nhrp_mod_statics(m);
	if (!ic.network_id)
		nhrp_if_shutdown(m->n, 0);
	if (nhrp_if_set(m->n, 0, &ic) < 0)
		log_err("nhrp: the tunnel's NHRP configuration was refused");
	explicit_bzero(&ic, sizeof(ic));
}

/* ---- nhrp_io ---- */

static int nhrp_mod_send(void *arg, uint8_t tunnel, uint32_t nbma, uint16_t port,
			 const uint8_t *pkt, size_t len)
{
	struct nhrp_mod *m = arg;

	return dpconn_inject_nhrp(&m->c->dp, tunnel, nbma, port, pkt, len);
}

/* The slot's bookkeeping follows a refresh in place (shm.h allows it):
 * a restarted controller adopts only what has not expired. */
static void nhrp_mod_slot_touch(struct ctl *c, const struct adj *a)
{
	const struct shm_seg *seg = dpconn_seg(&c->dp);
	struct shm_adj *s;

	if (!seg || a->slot == ADJ_NO_SLOT || a->slot >= seg->hdr->adj_slots)
		return;
	s = shm_adj(seg, a->slot);
	s->expires_ns = a->expires_ns;
	s->nhrp_flags = a->nhrp_flags;
}

static void nhrp_mod_peer_set(void *arg, const struct nhrp_peer *p)
{
	struct nhrp_mod *m = arg;
	struct ctl *c = m->c;
	struct adj *a = adj_find(c, p->tunnel, p->proto);
	uint32_t flags = p->flags & NHRP_PEER_DYNAMIC ? ADJ_F_DYNAMIC : ADJ_F_SHORTCUT;

	if (a && (a->flags & ADJ_F_STATIC))
		return;		/* ip nhrp map owns it */
	if (p->flags & NHRP_PEER_NAT)
		flags |= ADJ_F_NAT;
	if (p->flags & NHRP_PEER_UNIQUE)
		flags |= ADJ_F_UNIQUE;
	if (p->flags & NHRP_PEER_MULTICAST)
		flags |= ADJ_F_MULTICAST;
	a = adj_upsert(c, p->tunnel, p->proto, p->nbma, p->port, flags, p->holdtime,
		       p->plen ? p->plen : 32);
	if (!a) {
		log_err("nhrp: no memory for the adjacency of a peer");
		return;
	}
	a->owner = m;
	adj_set_nhrp_flags(c, a, p->cache_flags);
	nhrp_mod_slot_touch(c, a);
}

static void nhrp_mod_peer_del(void *arg, uint8_t tunnel, uint32_t proto)
{
	struct nhrp_mod *m = arg;
	struct adj *a = adj_find(m->c, tunnel, proto);

	if (a && !(a->flags & ADJ_F_STATIC))
		adj_del(m->c, a);
}

static void nhrp_mod_route_set(void *arg, uint8_t tunnel, uint32_t prefix, uint8_t plen,
			       uint32_t via)
{
	struct nhrp_mod *m = arg;
	struct rt_nh nh = { .type = RT_NH_VIA_ONLY, .port = tunnel, .value = via };

	rt_set(m->c, RT_SRC_NHRP, RT_OVERLAY, prefix, plen, &nh);
}

static void nhrp_mod_route_del(void *arg, uint8_t tunnel, uint32_t prefix, uint8_t plen)
{
	struct nhrp_mod *m = arg;

	(void)tunnel;
	rt_unset(m->c, RT_SRC_NHRP, RT_OVERLAY, prefix, plen);
}

/* What one routing entry says: our LAN / us (egress), a tunnel next hop,
 * or nothing usable. */
static void nhrp_mod_classify(const struct rt_entry *e, const struct rt_nh *nh, int src,
			      struct nhrp_route *out)
{
	const struct rt_nh *k = &e->cand[src].nh;

	out->prefix = e->prefix;
	out->plen = e->plen;
	switch (nh->type) {
	case NH_LOCAL:
	case NH_CONNECTED:
	case NH_GATEWAY:
		out->kind = NHRP_ROUTE_LOCAL;
		break;
	case NH_ADJ:
	case NH_GLEAN:
		out->kind = NHRP_ROUTE_TUNNEL;
		out->via = (k->type == RT_NH_VIA || k->type == RT_NH_VIA_ONLY) ? k->value
									 : nh->value;
		break;
	default:
		out->kind = NHRP_ROUTE_NONE;
		break;
	}
}

static bool nhrp_mod_route_lookup(void *arg, uint8_t tunnel, uint32_t dst, struct nhrp_route *out)
{
	struct nhrp_mod *m = arg;

	(void)tunnel;
	for (int plen = 32; plen >= 0; plen--) {
		const struct rt_entry *e = rt_find(m->c, RT_OVERLAY, dst, (uint8_t)plen);
		struct rt_nh nh;
		int src;

		if (!e || !rt_resolve(m->c, e, &nh, &src))
			continue;
		nhrp_mod_classify(e, &nh, src, out);
		return out->kind != NHRP_ROUTE_NONE;
	}
	return false;
}

static uint64_t nhrp_mod_use_stamp(void *arg, uint8_t tunnel, uint32_t proto)
{
	struct nhrp_mod *m = arg;
	const struct adj *a = adj_find(m->c, tunnel, proto);
	const struct shm_seg *seg = dpconn_seg(&m->c->dp);
	struct shm_adj_ctr ctr;

	if (!a || !seg || a->slot == ADJ_NO_SLOT || a->slot >= seg->hdr->adj_slots)
		return 0;
	shm_adj_ctr_sum(seg, a->slot, &ctr);
	return ctr.last_tsc ? ctr.last_tsc : ctr.pkts;
}

static void nhrp_mod_nhs_changed(void *arg, uint8_t tunnel, uint32_t nhs_proto, bool up)
{
	struct nhrp_mod *m = arg;
	struct adj *a = adj_find(m->c, tunnel, nhs_proto);
	uint32_t f;

	if (!a)
		return;
	f = up ? a->nhrp_flags & ~ADJ_NHRP_NHS_DOWN : a->nhrp_flags | ADJ_NHRP_NHS_DOWN;
	if (f == a->nhrp_flags)
		return;
	adj_set_nhrp_flags(m->c, a, f);
	nhrp_mod_slot_touch(m->c, a);
	sync_kick(m->c);	/* the tunnel's NHS adjacency (sync.c) */
}

/* ---- punt ring ---- */

static void nhrp_mod_punt_nhrp(struct dpconn *dc, const struct msg_hdr *h, const void *body,
			       void *arg)
{
	struct nhrp_mod *m = arg;
	const struct msg_punt_pkt *pp = body;
	const struct conf_tunnel *t = &m->c->conf.tunnel;

	(void)dc;
	if (h->len < sizeof(*pp) || pp->len > h->len - sizeof(*pp)) {
		m->bad_punts++;
		return;
	}
	if (t->has_key && pp->key != t->key)
		return;		/* another cloud's key: not ours to read */
	nhrp_recv(m->n, pp->tunnel, pp->src, (pp->flags & PUNT_F_NAT_T) ? pp->sport : 0,
		  (const uint8_t *)(pp + 1), pp->len);
}

static void nhrp_mod_punt_miss(struct dpconn *dc, const struct msg_hdr *h, const void *body,
			       void *arg)
{
	struct nhrp_mod *m = arg;
	const struct msg_ev_miss *e = body;

	(void)dc;
	if (h->len < sizeof(*e)) {
		m->bad_punts++;
		return;
	}
	nhrp_miss(m->n, e->tunnel, e->dst, e->src, e->nexthop);
}

static void nhrp_mod_punt_hairpin(struct dpconn *dc, const struct msg_hdr *h, const void *body,
				  void *arg)
{
	struct nhrp_mod *m = arg;
	const struct msg_ev_hairpin *e = body;

	(void)dc;
	if (h->len < sizeof(*e) || e->sample_len > h->len - sizeof(*e)) {
		m->bad_punts++;
		return;
	}
	nhrp_hairpin(m->n, e->tunnel, e->src, e->dst, e->in_nbma, (const uint8_t *)(e + 1),
		     e->sample_len);
}

/* ---- controller hooks ---- */

static void nhrp_mod_adj_adopted(struct ctl *c, struct adj *a, void *arg)
{
	struct nhrp_mod *m = arg;
	uint64_t now = ctl_realtime_ns();
	struct nhrp_peer p = {
		.tunnel = a->tunnel, .plen = a->prefix_len, .proto = a->overlay, .nbma = a->nbma,
		.port = a->nbma_port,
		.flags = a->flags & ADJ_F_DYNAMIC ? NHRP_PEER_DYNAMIC : NHRP_PEER_SHORTCUT,
		.cache_flags = a->nhrp_flags,
	};

	(void)c;
	if (a->expires_ns <= now)
		return;
	a->owner = m;
	nhrp_adopt(m->n, a->tunnel, &p, (uint32_t)((a->expires_ns - now) / 1000000000ull));
}

static void nhrp_mod_dp_synced(struct ctl *c, void *arg)
{
	struct nhrp_mod *m = arg;

	(void)c;
	nhrp_kick(m->n);
}

static void nhrp_mod_conf_applied(struct ctl *c, const struct conf *old, void *arg)
{
	(void)c;
	(void)old;
	nhrp_mod_apply(arg);
}

static void nhrp_mod_fini(struct ctl *c, void *arg)
{
	struct nhrp_mod *m = arg;

	(void)c;
	nhrp_free(m->n);
	free(m);
}

static const struct ctl_module nhrp_ctl_module = {
	.name = "nhrp",
	.adj_adopted = nhrp_mod_adj_adopted,
	.dp_synced = nhrp_mod_dp_synced,
	.conf_applied = nhrp_mod_conf_applied,
	.fini = nhrp_mod_fini,
};

int nhrp_module_init(struct ctl *c)
{
	struct nhrp_mod *m = calloc(1, sizeof(*m));
	struct nhrp_io io = {
		.send = nhrp_mod_send, .peer_set = nhrp_mod_peer_set,
		.peer_del = nhrp_mod_peer_del, .route_set = nhrp_mod_route_set,
		.route_del = nhrp_mod_route_del, .route_lookup = nhrp_mod_route_lookup,
		.use_stamp = nhrp_mod_use_stamp, .nhs_changed = nhrp_mod_nhs_changed,
	};
	int err;

	if (!m)
		return -ENOMEM;
	m->c = c;
	io.arg = m;
	m->n = nhrp_new(c->loop, &io);
	if (!m->n) {
		free(m);
		return -ENOMEM;
	}
	err = ctl_module_register(c, &nhrp_ctl_module, m);
	if (err) {
		nhrp_free(m->n);
		free(m);
		return err;
	}
	dpconn_punt_register(&c->dp, MSG_PUNT_NHRP, nhrp_mod_punt_nhrp, m);
	dpconn_punt_register(&c->dp, MSG_EV_ADJ_MISS, nhrp_mod_punt_miss, m);
	dpconn_punt_register(&c->dp, MSG_EV_HAIRPIN, nhrp_mod_punt_hairpin, m);
	if (c->cli)
		nhrp_show_register(c->cli);
	nhrp_mod_apply(m);
	return 0;
}
