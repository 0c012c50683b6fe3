/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Desired routes and their sync (sources and resolution in routes.h).
 */
#include "routes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "log.h"

static const char *const rt_src_names[RT_SRC__MAX] = {
	[RT_SRC_LOCAL] = "local",
	[RT_SRC_CONNECTED] = "connected",
	[RT_SRC_STATIC] = "static",
	[RT_SRC_ADJ] = "nhrp-adjacency",
	[RT_SRC_NHRP] = "nhrp",
};

const char *rt_src_name(enum rt_src s)
{
	return s < RT_SRC__MAX ? rt_src_names[s] : "?";
}

static bool nh_is_via(const struct rt_nh *nh)
{
	return nh->type == RT_NH_VIA || nh->type == RT_NH_VIA_ONLY;
}

static bool nh_equal(const struct rt_nh *a, const struct rt_nh *b)
{
	return a->type == b->type && a->port == b->port && a->value == b->value;
}

static uint32_t rt_hash(uint8_t table, uint32_t prefix, uint8_t plen)
{
	return hash_u32x2(prefix, (uint32_t)table << 8 | plen);
}

static uint32_t via_hash(uint8_t tunnel, uint32_t via)
{
	return hash_u32x2(via, 0x100u | tunnel);
}

void rt_table_init(struct ctl *c)
{
	memset(&c->rt, 0, sizeof(c->rt));
	hmap_init(&c->rt.map);
	hmap_init(&c->rt.via);
}

void rt_table_fini(struct ctl *c)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL, *n;

	while ((n = hmap_walk(&c->rt.map, &cur, &nx))) {
		hmap_remove(&c->rt.map, n);
		free(container_of(n, struct rt_entry, node));
	}
	hmap_fini(&c->rt.map);
	hmap_fini(&c->rt.via);
	c->rt.dirty = NULL;
}

struct rt_entry *rt_find(const struct ctl *c, uint8_t table, uint32_t prefix, uint8_t plen)
{
	uint32_t h;

	prefix &= plen_mask(plen);
	h = rt_hash(table, prefix, plen);
	for (struct hnode *n = hmap_first(&c->rt.map, h); n; n = hmap_next(n, h)) {
		struct rt_entry *e = container_of(n, struct rt_entry, node);

		if (e->table == table && e->prefix == prefix && e->plen == plen)
			return e;
	}
	return NULL;
}

/* Longest installed prefix covering addr (33 hash probes at most). */
struct rt_entry *rt_lpm(const struct ctl *c, uint8_t table, uint32_t addr)
{
	for (int plen = 32; plen >= 0; plen--) {
		struct rt_entry *e = rt_find(c, table, addr, (uint8_t)plen);

		if (e && e->inst_valid)
			return e;
	}
	return NULL;
}

struct rt_entry *rt_walk(const struct ctl *c, uint32_t *cursor, struct hnode **next)
{
	struct hnode *n = hmap_walk(&c->rt.map, cursor, next);

	return n ? container_of(n, struct rt_entry, node) : NULL;
}

static void rt_dirty(struct ctl *c, struct rt_entry *e)
{
	if (e->dirty)
		return;
	e->dirty = true;
	e->dirty_next = c->rt.dirty;
	c->rt.dirty = e;
	sync_kick(c);
}

static struct rt_entry *rt_get(struct ctl *c, uint8_t table, uint32_t prefix, uint8_t plen)
{
	struct rt_entry *e = rt_find(c, table, prefix, plen);

	if (e)
		return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->table = table;
	e->plen = plen;
	e->prefix = prefix & plen_mask(plen);
	hmap_insert(&c->rt.map, &e->node, rt_hash(table, e->prefix, plen));
	return e;
}

static void cand_clear(struct ctl *c, struct rt_cand *k)
{
	if (k->present && nh_is_via(&k->nh))
		hmap_remove(&c->rt.via, &k->via_node);
	k->present = false;
	k->stale = false;
}

void rt_set(struct ctl *c, enum rt_src src, uint8_t table, uint32_t prefix, uint8_t plen,
	    const struct rt_nh *nh)
{
	struct rt_entry *e = rt_get(c, table, prefix, plen);
	struct rt_cand *k;

	if (!e) {
		log_err("routes: out of memory");
		return;
	}
	k = &e->cand[src];
	k->entry = e;
	k->stale = false;
	if (k->present && nh_equal(&k->nh, nh))
		return;
	cand_clear(c, k);
	k->nh = *nh;
	k->present = true;
	if (nh_is_via(nh))
		hmap_insert(&c->rt.via, &k->via_node, via_hash(nh->port, nh->value));
	rt_dirty(c, e);
}

void rt_unset(struct ctl *c, enum rt_src src, uint8_t table, uint32_t prefix, uint8_t plen)
{
	struct rt_entry *e = rt_find(c, table, prefix, plen);

	if (!e || !e->cand[src].present)
		return;
	cand_clear(c, &e->cand[src]);
	rt_dirty(c, e);
}

void rt_via_changed(struct ctl *c, uint8_t tunnel, uint32_t via)
{
	uint32_t h = via_hash(tunnel, via);

	for (struct hnode *n = hmap_first(&c->rt.via, h); n; n = hmap_next(n, h)) {
		struct rt_cand *k = container_of(n, struct rt_cand, via_node);

		if (k->nh.port == tunnel && k->nh.value == via)
			rt_dirty(c, k->entry);
	}
}

void rt_src_mark(struct ctl *c, enum rt_src src)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct rt_entry *e;

	while ((e = rt_walk(c, &cur, &nx)))
		if (e->cand[src].present)
			e->cand[src].stale = true;
}

void rt_src_sweep(struct ctl *c, enum rt_src src)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct rt_entry *e;

	while ((e = rt_walk(c, &cur, &nx))) {
		if (e->cand[src].present && e->cand[src].stale) {
			cand_clear(c, &e->cand[src]);
			rt_dirty(c, e);
		}
	}
}

/* ---- resolution ---- */

static bool cand_resolve(const struct ctl *c, const struct rt_cand *k, struct rt_nh *out)
{
	const struct adj *a;

	if (!nh_is_via(&k->nh)) {
		*out = k->nh;
		return true;
	}
	a = adj_find(c, k->nh.port, k->nh.value);
	if (a && adj_usable(c, a)) {
		*out = (struct rt_nh){ .type = NH_ADJ, .port = a->tunnel, .value = a->slot };
		return true;
	}
	if (k->nh.type == RT_NH_VIA_ONLY)
		return false;
	*out = (struct rt_nh){ .type = NH_GLEAN, .port = k->nh.port, .value = k->nh.value };
	return true;
}

bool rt_resolve(const struct ctl *c, const struct rt_entry *e, struct rt_nh *out, int *src)
{
	for (int s = 0; s < RT_SRC__MAX; s++) {
		if (e->cand[s].present && cand_resolve(c, &e->cand[s], out)) {
			if (src)
				*src = s;
			return true;
		}
	}
	return false;
}

/* ---- sync ---- */

static struct msg_route rt_msg(const struct ctl *c, const struct rt_entry *e,
			       const struct rt_nh *nh)
{
	return (struct msg_route){
		.table = e->table,
		.plen = e->plen,
		.nh_type = nh ? nh->type : 0,
		.port = nh ? nh->port : 0,
		.prefix = e->prefix,
		.value = nh ? nh->value : 0,
		.gen = c->sync.gen,
	};
}

/* A refused ADD: the route is not installed (unless a newer ADD followed). */
static void rt_add_done(struct dpconn *dc, const struct dp_msg *m, int status, void *arg)
{
	struct ctl *c = arg;
	const struct msg_route *r = (const void *)m->body;
	struct rt_entry *e;
	char p[PREFIX_STRLEN];

	(void)dc;
	if (status == 0 || status == -ECONNRESET)
		return;
	c->rt.st.refused++;
	log_warn("route %s (table %u): refused: %s", prefix_fmt(r->prefix, r->plen, p), r->table,
		 strerror(status));
	e = rt_find(c, r->table, r->prefix, r->plen);
	if (e && e->inst_valid && e->inst.type == r->nh_type && e->inst.value == r->value &&
	    e->inst.port == r->port) {
		struct rt_nh nh;
		bool want;

		/* A refused ADD changes nothing there: whatever the prefix had
		 * before (say, an adjacency slot we are retiring) is still
		 * installed.  Take it out unless we want this very next hop
		 * again (resending that would only be refused again). */
		e->inst_valid = false;
		e->dp_stale = true;
		c->rt.n_inst[e->table & 1]--;
		want = rt_resolve(c, e, &nh, NULL);
		if (!want || nh.type != r->nh_type || nh.value != r->value || nh.port != r->port)
			rt_dirty(c, e);
	}
}

static void rt_entry_sync(struct ctl *c, struct rt_entry *e)
{
	struct rt_nh nh;
	struct msg_route r;
	int src = 0;
	bool want = rt_resolve(c, e, &nh, &src);

	if (want && e->inst_valid && nh_equal(&nh, &e->inst) && e->inst_gen == c->sync.gen)
		return;
	if (!want && !e->inst_valid && !e->dp_stale)
		return;
	r = rt_msg(c, e, want ? &nh : NULL);
	if (sync_send_cb(c, want ? MSG_ROUTE_ADD : MSG_ROUTE_DEL, &r, sizeof(r),
			 want ? rt_add_done : NULL) < 0)
		return;
	if (want && !e->inst_valid)
		c->rt.n_inst[e->table & 1]++;
	else if (!want && e->inst_valid)
		c->rt.n_inst[e->table & 1]--;
	e->dp_stale = false;
	e->inst_valid = want;
	e->inst = want ? nh : (struct rt_nh){ 0 };
	e->inst_src = (uint8_t)src;
	e->inst_gen = c->sync.gen;
	e->version = ++c->rt.version;
	if (want)
		c->rt.st.adds++;
	else
		c->rt.st.dels++;
}

static bool rt_entry_empty(const struct rt_entry *e)
{
	for (int s = 0; s < RT_SRC__MAX; s++)
		if (e->cand[s].present)
			return false;
	return !e->inst_valid && !e->dp_stale;
}

void rt_flush(struct ctl *c)
{
	struct rt_entry *e;

	if (!sync_can_send(c))
		return;
	while ((e = c->rt.dirty)) {
		c->rt.dirty = e->dirty_next;
		e->dirty = false;
		rt_entry_sync(c, e);
		if (rt_entry_empty(e)) {
			hmap_remove(&c->rt.map, &e->node);
			free(e);
		}
	}
}

void rt_forget_installed(struct ctl *c)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct rt_entry *e;

	while ((e = rt_walk(c, &cur, &nx))) {
		e->inst_valid = false;
		e->inst_gen = 0;
		rt_dirty(c, e);
	}
	c->rt.n_inst[0] = c->rt.n_inst[1] = 0;
}
