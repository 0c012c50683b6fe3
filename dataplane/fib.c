/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Two FIBs, both owned by the data plane (DESIGN.md: slots are data, indexes
 * belong to the data plane):
 *  - overlay: rte_fib DIR24_8 with 4-byte next hops, read by the workers;
 *  - underlay: rte_fib RIB-only ("dummy"), read by the main lcore only, to
 *    find how to reach an NBMA address (adjacency publish, NHRP inject).
 * Next hops are encoded as type << 27 | value (dp.h).  A mirror of every
 * route keeps its generation (for the replay sweep) and the references it
 * holds (adjacency, neighbour, glean hint), released when the route goes.
 * rte_fib_add() over an existing prefix replaces the next hop in place, so a
 * re-pointed route never has a gap.
 */
#include <unistd.h>

#include <rte_fib.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "addr.h"
#include "dp.h"
#include "log.h"

struct route_key {
	uint32_t prefix;	/* network order, masked */
	uint8_t plen;
	uint8_t table;
	uint16_t reserved;
};

struct route {
	struct msg_route msg;	/* as last installed */
	uint32_t nh;		/* encoded */
	uint8_t in_use;
};

struct route_tab {
	struct rte_hash *h;
	struct route *r;
	uint32_t max;
};

static uint32_t glean_hint_get(struct dp *dp, uint8_t tunnel, uint32_t addr)
{
	uint32_t free_idx = 0;

	if (addr == 0)
		return tunnel;		/* fixed entries 0..SHM_MAX_TUNNELS-1 */
	for (uint32_t i = SHM_MAX_TUNNELS; i < dp->glean_max; i++) {
		struct glean_hint *g = &dp->glean[i];

		if (g->refs && g->addr == addr && g->tunnel == tunnel) {
			g->refs++;
			return i;
		}
		if (!g->refs && !free_idx)
			free_idx = i;
	}
	if (!free_idx)
		return UINT32_MAX;
	/* a freed hint may still be read by a worker that looked it up just
	 * before: it then raises a miss for the old address, which is harmless */
	dp->glean[free_idx].addr = addr;
	dp->glean[free_idx].tunnel = tunnel;
	dp->glean[free_idx].refs = 1;
	return free_idx;
}

int fib_init(struct dp *dp)
{
	const struct conf_dataplane *c = &dp->conf->dp;
	struct rte_fib_conf ov = {
		.type = RTE_FIB_DIR24_8,
		.default_nh = nh_encode(NH_NONE, 0),
		.max_routes = (int)(c->max_routes ? c->max_routes : 65536),
		.dir24_8 = { .nh_sz = RTE_FIB_DIR24_8_4B, .num_tbl8 = c->fib_tbl8 ? c->fib_tbl8 : 4096 },
	};
	struct rte_fib_conf ul = {
		.type = RTE_FIB_DUMMY,
		.default_nh = nh_encode(NH_NONE, 0),
		.max_routes = 4096,
	};
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.key_len = sizeof(struct route_key),
		.socket_id = (int)rte_socket_id(),
	};

	dp->routes = rte_zmalloc("routes", sizeof(*dp->routes), 0);
	if (!dp->routes)
		return -ENOMEM;
	dp->routes->max = (uint32_t)ov.max_routes + (uint32_t)ul.max_routes;
	hp.entries = dp->routes->max;
	snprintf(name, sizeof(name), "rt_%d", getpid());
	dp->routes->h = rte_hash_create(&hp);
	dp->routes->r = rte_zmalloc("route", sizeof(struct route) * dp->routes->max, 0);
	snprintf(name, sizeof(name), "fo_%d", getpid());
	dp->fib = rte_fib_create(name, (int)rte_socket_id(), &ov);
	snprintf(name, sizeof(name), "fu_%d", getpid());
	dp->fib_ul = rte_fib_create(name, (int)rte_socket_id(), &ul);
	dp->glean_max = 4096;
	dp->glean = rte_zmalloc("glean", sizeof(struct glean_hint) * dp->glean_max, 0);
	if (!dp->routes->h || !dp->routes->r || !dp->fib || !dp->fib_ul || !dp->glean)
		return -ENOMEM;
	for (uint8_t t = 0; t < SHM_MAX_TUNNELS; t++) {
		dp->glean[t].tunnel = t;
		dp->glean[t].refs = 1;	/* permanent */
	}
	return 0;
}

/* Take the references a route needs and encode its next hop. */
static int route_nh_acquire(struct dp *dp, const struct msg_route *r, uint32_t *nh)
{
	int32_t idx;
	uint32_t hint;

	switch (r->nh_type) {
	case NH_DROP:
	case NH_LOCAL:
		*nh = nh_encode(r->nh_type, 0);
		return 0;
	case NH_ADJ:
		if (r->table != RT_OVERLAY || r->value >= dp->adj_slots || !dp->adj[r->value].live)
			return ENOENT;
		dp->adj[r->value].refs++;
		*nh = nh_encode(NH_ADJ, r->value);
		return 0;
	case NH_GATEWAY:
		if (r->port >= dp->n_ports || r->value == 0)
			return EINVAL;
		idx = nbr_get(dp, r->port, r->value, true);
		if (idx < 0)
			return ENOSPC;
		nbr_ref(dp, (uint32_t)idx);
		arp_resolve(dp, (uint32_t)idx);
		*nh = nh_encode(NH_GATEWAY, (uint32_t)idx);
		return 0;
	case NH_CONNECTED:
		if (r->port >= dp->n_ports)
			return EINVAL;
		*nh = nh_encode(NH_CONNECTED, r->port);
		return 0;
	case NH_GLEAN:
		if (r->table != RT_OVERLAY || r->port >= SHM_MAX_TUNNELS)
			return EINVAL;
		hint = glean_hint_get(dp, r->port, r->value);
		if (hint == UINT32_MAX)
			return ENOSPC;
		*nh = nh_encode(NH_GLEAN, hint);
		return 0;
	}
	return EINVAL;
}

static void route_nh_release(struct dp *dp, uint32_t nh)
{
	uint32_t v = nh_value(nh);

	switch (nh_type(nh)) {
	case NH_ADJ:
		if (dp->adj[v].refs)
			dp->adj[v].refs--;
		break;
	case NH_GATEWAY:
		nbr_unref(dp, v);
		break;
	case NH_GLEAN:
		if (v >= SHM_MAX_TUNNELS && dp->glean[v].refs)
			dp->glean[v].refs--;
		break;
	}
}

static void route_log(const char *what, const struct msg_route *r)
{
	char p[PREFIX_STRLEN], v[ADDR_STRLEN];

	log_debug("route %s %s: %s nh-type %u value %s port %u gen %u",
		  r->table == RT_OVERLAY ? "overlay" : "underlay",
		  prefix_fmt(r->prefix, r->plen, p), what, r->nh_type,
		  r->nh_type == NH_ADJ ? "slot" : addr_fmt(r->value, v), r->port, r->gen);
}

int fib_route_add(struct dp *dp, const struct msg_route *m)
{
	struct msg_route r = *m;
	struct route_key k = { 0 };
	struct rte_fib *fib;
	struct route *e;
	uint32_t nh;
	int32_t pos;
	int rc;

	if (r.plen > 32 || r.table > RT_UNDERLAY)
		return EINVAL;
	r.prefix &= plen_mask(r.plen);
	k = (struct route_key){ .prefix = r.prefix, .plen = r.plen, .table = r.table };
	rc = route_nh_acquire(dp, &r, &nh);
	if (rc)
		return rc;
	fib = r.table == RT_OVERLAY ? dp->fib : dp->fib_ul;
	pos = rte_hash_lookup(dp->routes->h, &k);
	if (pos < 0)
		pos = rte_hash_add_key(dp->routes->h, &k);
	if (pos < 0 || rte_fib_add(fib, rte_be_to_cpu_32(r.prefix), r.plen, nh) != 0) {
		route_nh_release(dp, nh);
		return ENOSPC;
	}
	e = &dp->routes->r[pos];
	if (e->in_use)
		route_nh_release(dp, e->nh);	/* after the replacement is live */
	else
		atomic_fetch_add(r.table == RT_OVERLAY ? &dp->hdr->routes : &dp->hdr->routes_underlay, 1);
	e->msg = r;
	e->nh = nh;
	e->in_use = 1;
	route_log("installed", &r);
	if (r.table == RT_UNDERLAY)
		adj_resolve_all(dp);
	return 0;
}

static void route_remove(struct dp *dp, int32_t pos)
{
	struct route *e = &dp->routes->r[pos];
	struct route_key k = { .prefix = e->msg.prefix, .plen = e->msg.plen, .table = e->msg.table };

	rte_fib_delete(e->msg.table == RT_OVERLAY ? dp->fib : dp->fib_ul,
		       rte_be_to_cpu_32(e->msg.prefix), e->msg.plen);
	route_nh_release(dp, e->nh);
	route_log("removed", &e->msg);
	atomic_fetch_sub(e->msg.table == RT_OVERLAY ? &dp->hdr->routes : &dp->hdr->routes_underlay,
			 1);
	e->in_use = 0;
	rte_hash_del_key(dp->routes->h, &k);
}

int fib_route_del(struct dp *dp, const struct msg_route *m)
{
	struct route_key k = { .prefix = m->prefix & plen_mask(m->plen), .plen = m->plen,
			       .table = m->table };
	int32_t pos = rte_hash_lookup(dp->routes->h, &k);
	bool underlay = m->table == RT_UNDERLAY;

	if (pos < 0)
		return ENOENT;
	route_remove(dp, pos);
	if (underlay)
		adj_resolve_all(dp);
	return 0;
}

/* REPLAY_END: remove routes older than `gen` (mark and sweep). */
uint32_t fib_sweep(struct dp *dp, uint32_t gen)
{
	uint32_t n = 0;
	bool underlay = false;

	for (uint32_t i = 0; i < dp->routes->max; i++) {
		struct route *e = &dp->routes->r[i];

		if (!e->in_use || (int32_t)(e->msg.gen - gen) >= 0)
			continue;
		underlay |= e->msg.table == RT_UNDERLAY;
		route_remove(dp, (int32_t)i);
		n++;
	}
	if (underlay)
		adj_resolve_all(dp);
	return n;
}

/* Underlay next hop of an NBMA address: the neighbour to send to (created
 * and resolving if new), or -1 when there is no route. */
int32_t fib_underlay_nbr(struct dp *dp, uint32_t addr, uint8_t *port)
{
	uint32_t h = rte_be_to_cpu_32(addr);
	uint64_t nh;

	rte_fib_lookup_bulk(dp->fib_ul, &h, &nh, 1);
	switch (nh_type(nh)) {
	case NH_GATEWAY:
		*port = dp->nbr[nh_value(nh)].port;
		return (int32_t)nh_value(nh);
	case NH_CONNECTED: {
		int32_t idx;

		*port = (uint8_t)nh_value(nh);
		idx = nbr_get(dp, *port, addr, true);
		if (idx >= 0)
			arp_resolve(dp, (uint32_t)idx);
		return idx;
	}
	default:
		return -1;
	}
}
