/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adjacencies and adjacency slots (states and make-before-break in adj.h).
 */
#include "adj.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "log.h"
#include "rewrite.h"
#include "strbuf.h"
#include "wire/gre.h"

static const char *const adj_state_names[ADJ_S__MAX] = {
	[ADJ_S_FREE] = "free",
	[ADJ_S_NEW] = "new",
	[ADJ_S_PUBLISHING] = "publishing",
	[ADJ_S_LIVE] = "live",
	[ADJ_S_RETIRING] = "retiring",
	[ADJ_S_UNPUBLISHING] = "unpublishing",
};

const char *adj_state_name(enum adj_state s)
{
	return s < ADJ_S__MAX ? adj_state_names[s] : "?";
}

void adj_flags_fmt(uint32_t flags, char *buf, size_t len)
{
	static const struct flag_name names[] = {
		{ ADJ_F_STATIC, "static" }, { ADJ_F_DYNAMIC, "dynamic" }, { ADJ_F_NHS, "nhs" },
		{ ADJ_F_SHORTCUT, "shortcut" }, { ADJ_F_NAT, "nat" }, { ADJ_F_UNIQUE, "unique" },
		{ ADJ_F_MULTICAST, "multicast" },
	};

	if (!flags_fmt(flags, names, sizeof(names) / sizeof(names[0]), buf, len))
		snprintf(buf, len, "none");
}

/* ---- slot state machine ---- */

static void adj_slot_set(struct ctl *c, uint32_t slot, enum adj_state to)
{
	static const bool ok[ADJ_S__MAX][ADJ_S__MAX] = {
		[ADJ_S_FREE][ADJ_S_NEW] = true,
		[ADJ_S_FREE][ADJ_S_LIVE] = true,		/* adopted */
		[ADJ_S_FREE][ADJ_S_RETIRING] = true,		/* swept */
		[ADJ_S_NEW][ADJ_S_PUBLISHING] = true,
		[ADJ_S_NEW][ADJ_S_FREE] = true,
		[ADJ_S_PUBLISHING][ADJ_S_LIVE] = true,
		[ADJ_S_PUBLISHING][ADJ_S_FREE] = true,		/* refused */
		[ADJ_S_PUBLISHING][ADJ_S_RETIRING] = true,
		[ADJ_S_LIVE][ADJ_S_RETIRING] = true,
		[ADJ_S_RETIRING][ADJ_S_UNPUBLISHING] = true,
		[ADJ_S_RETIRING][ADJ_S_FREE] = true,		/* its publish had failed */
		[ADJ_S_UNPUBLISHING][ADJ_S_FREE] = true,
		[ADJ_S_UNPUBLISHING][ADJ_S_RETIRING] = true,	/* unpublish refused: retry */
	};
	struct adj_slot *s = &c->adj.slots[slot];
	char a[ADDR_STRLEN];

	if (!ok[s->state][to]) {
		log_err("adj %s: invalid transition %s -> %s (slot %u)", addr_fmt(s->overlay, a),
			adj_state_name(s->state), adj_state_name(to), slot);
		abort();
	}
	log_debug("adj %s: %s -> %s (slot %u)", addr_fmt(s->overlay, a), adj_state_name(s->state),
		  adj_state_name(to), slot);
	if (s->state == ADJ_S_FREE)
		c->adj.n_used++;
	else if (to == ADJ_S_FREE)
		c->adj.n_used--;
	s->state = to;
}

static void adj_notify(struct ctl *c, struct adj *a, enum adj_event ev)
{
	for (int i = 0; i < ADJ_MAX_LISTENERS; i++)
		if (c->adj.listeners[i].cb)
			c->adj.listeners[i].cb(c, a, ev, c->adj.listeners[i].arg);
}

int adj_listener_add(struct ctl *c, adj_listener_cb cb, void *arg)
{
	for (int i = 0; i < ADJ_MAX_LISTENERS; i++) {
		if (!c->adj.listeners[i].cb) {
			c->adj.listeners[i].cb = cb;
			c->adj.listeners[i].arg = arg;
			return 0;
		}
	}
	return -ENOSPC;
}

static uint32_t slot_alloc(struct ctl *c)
{
	struct adj_table *t = &c->adj;
	uint32_t slot;

	if (!t->free_count)
		return ADJ_NO_SLOT;
	slot = t->freeq[t->free_head];
	t->free_head = (t->free_head + 1) % t->n_slots;
	t->free_count--;
	return slot;
}

static void slot_free(struct ctl *c, uint32_t slot)
{
	struct adj_table *t = &c->adj;

	adj_slot_set(c, slot, ADJ_S_FREE);
	t->slots[slot].adj = NULL;
	t->freeq[(t->free_head + t->free_count) % t->n_slots] = slot;
	t->free_count++;
	if (!TAILQ_EMPTY(&t->waitq))
		sync_kick(c);
}

/* PUBLISHING / LIVE / UNPUBLISHING(refused) -> RETIRING: waits for a fence. */
static void slot_retire(struct ctl *c, uint32_t slot)
{
	struct adj_slot *s = &c->adj.slots[slot];

	adj_slot_set(c, slot, ADJ_S_RETIRING);
	s->adj = NULL;
	s->fence_id = 0;
	s->next = c->adj.retire_head;
	c->adj.retire_head = slot;
	sync_kick(c);
}

/* ---- slot image ---- */

void adj_image(const struct ctl *c, const struct adj *a, struct shm_adj *img)
{
	const struct conf_tunnel *tun = &c->conf.tunnel;

	memset(img, 0, sizeof(*img));
	img->state = SHM_SLOT_USED;
	img->flags = a->flags;
	img->overlay = a->overlay;
	img->nbma = a->nbma;
	img->local_nbma = ctl_local_nbma(c);
	img->has_key = tun->has_key;
	img->key = tun->has_key ? tun->key : 0;
	img->nbma_port = a->nbma_port;
	img->tunnel = a->tunnel;
	img->prefix_len = a->prefix_len;
	img->sa_out = a->sa_out;
	img->gen = c->sync.gen;
	img->rewrite_len = (uint8_t)adj_rewrite_build(img->rewrite, sizeof(img->rewrite),
						      img->local_nbma, a->nbma, tun->has_key,
						      img->key, GRE_PROTO_IPV4);
	img->created_ns = a->created_ns;
	img->expires_ns = a->expires_ns;
	img->nhrp_flags = a->nhrp_flags;
}

/* What the data plane copies; generation, times and bookkeeping excluded. */
static bool image_equal(const struct shm_adj *x, const struct shm_adj *y)
{
	return x->state == y->state && x->flags == y->flags && x->overlay == y->overlay &&
	       x->nbma == y->nbma && x->local_nbma == y->local_nbma &&
	       x->has_key == y->has_key && x->key == y->key && x->nbma_port == y->nbma_port &&
	       x->mtu == y->mtu && x->tunnel == y->tunnel && x->prefix_len == y->prefix_len &&
	       x->sa_out == y->sa_out && x->rewrite_len == y->rewrite_len &&
	       x->rewrite_len <= ADJ_REWRITE_MAX &&
	       memcmp(x->rewrite, y->rewrite, x->rewrite_len) == 0;
}

/* ---- publish / unpublish ---- */

static void adj_publish_done(struct dpconn *dc, const struct dp_msg *m, int status, void *arg)
{
	struct ctl *c = arg;
	const struct msg_slot *ms = (const void *)m->body;
	struct adj_slot *s;
	struct adj *a;

	(void)dc;
	if (status == -ECONNRESET || ms->slot >= c->adj.n_slots)
		return;		/* the whole slot table was reset */
	s = &c->adj.slots[ms->slot];
	if (s->state == ADJ_S_RETIRING) {
		s->published = status == 0;
		return;
	}
	if (s->state != ADJ_S_PUBLISHING)
		return;
	a = s->adj;
	if (status == 0) {
		s->published = true;
		c->adj.st.published++;
		adj_slot_set(c, ms->slot, ADJ_S_LIVE);
		adj_notify(c, a, ADJ_EV_LIVE);
		sync_kick(c);	/* e.g. the tunnel's NHS slot */
		return;
	}
	c->adj.st.publish_failed++;
	slot_free(c, ms->slot);
	a->slot = ADJ_NO_SLOT;
	a->failed = true;
	rt_via_changed(c, a->tunnel, a->overlay);
	adj_notify(c, a, ADJ_EV_DOWN);
	sync_kick(c);
}

static void adj_wait(struct ctl *c, struct adj *a)
{
	char buf[ADDR_STRLEN];

	if (a->waiting)
		return;
	if (!c->adj.st.no_slot++)
		log_warn("adj %s: no free adjacency slot (%u in use); waiting",
			 addr_fmt(a->overlay, buf), c->adj.n_used);
	a->waiting = true;
	TAILQ_INSERT_TAIL(&c->adj.waitq, a, wait_link);
}

static void adj_publish_new(struct ctl *c, struct adj *a, const struct shm_adj *img)
{
	const struct shm_seg *seg = dpconn_seg(&c->dp);
	uint32_t slot;
	struct shm_adj *s;
	struct msg_slot ms;

	for (;;) {
		slot = slot_alloc(c);
		if (slot == ADJ_NO_SLOT) {
			adj_wait(c, a);
			return;
		}
		s = shm_adj(seg, slot);
		if (atomic_load(&s->pub) == SHM_PUB_NONE)
			break;
		/* published behind our back: never write it; unpublish it instead */
		log_err("adj slot %u is published by the data plane but free here; retiring it",
			slot);
		c->adj.slots[slot].overlay = s->overlay;
		c->adj.slots[slot].published = true;
		slot_retire(c, slot);
	}
	c->adj.slots[slot].overlay = a->overlay;
	c->adj.slots[slot].adj = a;
	c->adj.slots[slot].published = false;
	adj_slot_set(c, slot, ADJ_S_NEW);
	memcpy(s, img, offsetof(struct shm_adj, pub));
	ms = (struct msg_slot){ .slot = slot, .gen = c->sync.gen };
	if (dpconn_send(&c->dp, MSG_ADJ_PUBLISH, &ms, sizeof(ms), adj_publish_done, c) < 0) {
		slot_free(c, slot);
		adj_wait(c, a);
		return;
	}
	adj_slot_set(c, slot, ADJ_S_PUBLISHING);
	a->slot = slot;
	a->failed = false;
}

void adj_sync_one(struct ctl *c, struct adj *a)
{
	struct shm_adj img;

	if (!sync_can_send(c) || !c->adj.n_slots || a->waiting)
		return;
	adj_image(c, a, &img);
	if (a->slot != ADJ_NO_SLOT) {
		if (image_equal(&img, shm_adj(dpconn_seg(&c->dp), a->slot)))
			return;
		slot_retire(c, a->slot);	/* make-before-break: new slot first */
		a->slot = ADJ_NO_SLOT;
	}
	adj_publish_new(c, a, &img);
	rt_via_changed(c, a->tunnel, a->overlay);
	sync_kick(c);
}

void adj_sync_all(struct ctl *c)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct adj *a;

	while ((a = adj_walk(c, &cur, &nx)))
		adj_sync_one(c, a);
}

void adj_waitq_service(struct ctl *c)
{
	uint32_t budget = 0;
	struct adj *a;

	/* bounded: an entry that cannot be sent goes back to the tail */
	TAILQ_FOREACH(a, &c->adj.waitq, wait_link)
		budget++;
	while (budget-- && c->adj.free_count && (a = TAILQ_FIRST(&c->adj.waitq))) {
		TAILQ_REMOVE(&c->adj.waitq, a, wait_link);
		a->waiting = false;
		adj_sync_one(c, a);
	}
}

static void adj_unpublish_done(struct dpconn *dc, const struct dp_msg *m, int status, void *arg)
{
	struct ctl *c = arg;
	const struct msg_slot *ms = (const void *)m->body;

	(void)dc;
	if (status == -ECONNRESET || ms->slot >= c->adj.n_slots ||
	    c->adj.slots[ms->slot].state != ADJ_S_UNPUBLISHING)
		return;
	if (status && status != ENOENT) {
		/* Still in the data plane (EBUSY: a route or the tunnel still
		 * points at it, and what moves them is on its way): try again
		 * later, not in a loop of refusals. */
		if (!c->adj.st.unpublish_refused++)
			log_warn("adj slot %u: data plane refused to unpublish it (%s); "
				 "retrying every %u ms", ms->slot, strerror(status),
				 ADJ_RETRY_MS);
		slot_retire(c, ms->slot);
		c->adj.slots[ms->slot].fence_id = ADJ_FENCE_HELD;
		if (!loop_timer_armed(&c->adj.retry))
			loop_timer_arm(c->loop, &c->adj.retry, ADJ_RETRY_MS);
		return;
	}
	c->adj.st.unpublished++;
	slot_free(c, ms->slot);
}

static void adj_unpublish(struct ctl *c, uint32_t slot)
{
	struct msg_slot ms = { .slot = slot, .gen = c->sync.gen };

	if (!c->adj.slots[slot].published) {
		slot_free(c, slot);	/* the data plane never took it */
		return;
	}
	if (dpconn_send(&c->dp, MSG_ADJ_UNPUBLISH, &ms, sizeof(ms), adj_unpublish_done, c) < 0)
		return;		/* data plane gone: the reset frees it */
	adj_slot_set(c, slot, ADJ_S_UNPUBLISHING);
}

/* Everything sent before the fence is acked: routes no longer use the
 * retiring slots of this batch. */
static void adj_retire_fenced(struct dpconn *dc, int status, void *arg)
{
	struct ctl *c = dc->ops_arg;
	uint32_t id = (uint32_t)(uintptr_t)arg;
	uint32_t *pp = &c->adj.retire_head;

	if (status == -ECONNRESET)
		return;
	/* The acks before the fence may have changed what points at these
	 * slots (a refused publish re-resolves routes and the tunnel's NHS):
	 * send that first, so the data plane never sees the unpublish of a
	 * slot still in use. */
	sync_flush_now(c);
	while (*pp != ADJ_NO_SLOT) {
		uint32_t slot = *pp;
		struct adj_slot *s = &c->adj.slots[slot];

		if (!s->fence_id || s->fence_id > id) {
			pp = &s->next;
			continue;
		}
		*pp = s->next;
		adj_unpublish(c, slot);
	}
}

void adj_retire_flush(struct ctl *c)
{
	uint32_t id = 0;

	for (uint32_t slot = c->adj.retire_head; slot != ADJ_NO_SLOT;
	     slot = c->adj.slots[slot].next) {
		if (c->adj.slots[slot].fence_id)
			continue;
		if (!id)
			id = ++c->adj.fence_seq;
		c->adj.slots[slot].fence_id = id;
	}
	if (id && dpconn_fence(&c->dp, adj_retire_fenced, (void *)(uintptr_t)id) < 0) {
		for (uint32_t slot = c->adj.retire_head; slot != ADJ_NO_SLOT;
		     slot = c->adj.slots[slot].next)
			if (c->adj.slots[slot].fence_id == id)
				c->adj.slots[slot].fence_id = 0;
	}
}

/* ---- the table ---- */

static uint32_t adj_hash(uint8_t tunnel, uint32_t overlay)
{
	return hash_u32x2(tunnel, overlay);
}

struct adj *adj_find(const struct ctl *c, uint8_t tunnel, uint32_t overlay)
{
	uint32_t h = adj_hash(tunnel, overlay);

	for (struct hnode *n = hmap_first(&c->adj.map, h); n; n = hmap_next(n, h)) {
		struct adj *a = container_of(n, struct adj, node);

		if (a->tunnel == tunnel && a->overlay == overlay)
			return a;
	}
	return NULL;
}

struct adj *adj_walk(const struct ctl *c, uint32_t *cursor, struct hnode **next)
{
	struct hnode *n = hmap_walk(&c->adj.map, cursor, next);

	return n ? container_of(n, struct adj, node) : NULL;
}

uint32_t adj_count(const struct ctl *c)
{
	return hmap_count(&c->adj.map);
}

enum adj_state adj_state_get(const struct ctl *c, const struct adj *a)
{
	return a->slot == ADJ_NO_SLOT ? ADJ_S_FREE : c->adj.slots[a->slot].state;
}

bool adj_usable(const struct ctl *c, const struct adj *a)
{
	enum adj_state s = adj_state_get(c, a);

	return s == ADJ_S_PUBLISHING || s == ADJ_S_LIVE;
}

static struct rt_nh adj_route_nh(const struct adj *a)
{
	return (struct rt_nh){ .type = RT_NH_VIA_ONLY, .port = a->tunnel, .value = a->overlay };
}

static struct adj *adj_new(struct ctl *c, uint8_t tunnel, uint32_t overlay, uint8_t prefix_len)
{
	struct adj *a = calloc(1, sizeof(*a));
	struct rt_nh nh;

	if (!a)
		return NULL;
	a->tunnel = tunnel;
	a->overlay = overlay;
	a->prefix_len = prefix_len;
	a->slot = ADJ_NO_SLOT;
	a->created_ns = ctl_realtime_ns();
	hmap_insert(&c->adj.map, &a->node, adj_hash(tunnel, overlay));
	nh = adj_route_nh(a);
	rt_set(c, RT_SRC_ADJ, RT_OVERLAY, overlay, prefix_len, &nh);
	return a;
}

struct adj *adj_upsert(struct ctl *c, uint8_t tunnel, uint32_t overlay, uint32_t nbma,
		       uint16_t nbma_port, uint32_t flags, uint32_t holdtime_s,
		       uint8_t prefix_len)
{
	struct adj *a = adj_find(c, tunnel, overlay);
	bool added = !a, changed;

	if (prefix_len == 0 || prefix_len > 32)
		prefix_len = 32;
	if (!a && !(a = adj_new(c, tunnel, overlay, prefix_len)))
		return NULL;
	changed = added || a->nbma != nbma || a->nbma_port != nbma_port || a->flags != flags ||
		  a->prefix_len != prefix_len;
	if (a->prefix_len != prefix_len) {
		struct rt_nh nh = adj_route_nh(a);

		rt_unset(c, RT_SRC_ADJ, RT_OVERLAY, overlay, a->prefix_len);
		rt_set(c, RT_SRC_ADJ, RT_OVERLAY, overlay, prefix_len, &nh);
	}
	a->nbma = nbma;
	a->nbma_port = nbma_port;
	a->flags = flags;
	a->prefix_len = prefix_len;
	a->expires_ns = holdtime_s ? ctl_realtime_ns() + holdtime_s * 1000000000ull : 0;
	if (changed) {
		adj_notify(c, a, added ? ADJ_EV_ADDED : ADJ_EV_CHANGED);
		adj_sync_one(c, a);
	}
	return a;
}

void adj_set_sa(struct ctl *c, struct adj *a, uint32_t sa_out)
{
	if (a->sa_out == sa_out)
		return;
	a->sa_out = sa_out;
	adj_notify(c, a, ADJ_EV_CHANGED);
	adj_sync_one(c, a);
}

void adj_set_nhrp_flags(struct ctl *c, struct adj *a, uint32_t nhrp_flags)
{
	(void)c;
	a->nhrp_flags = nhrp_flags;	/* bookkeeping: goes out with the next publish */
}

void adj_del(struct ctl *c, struct adj *a)
{
	adj_notify(c, a, ADJ_EV_REMOVED);
	if (a->waiting)
		TAILQ_REMOVE(&c->adj.waitq, a, wait_link);
	if (a->slot != ADJ_NO_SLOT)
		slot_retire(c, a->slot);
	rt_unset(c, RT_SRC_ADJ, RT_OVERLAY, a->overlay, a->prefix_len);
	hmap_remove(&c->adj.map, &a->node);
	rt_via_changed(c, a->tunnel, a->overlay);
	free(a);
	sync_kick(c);
}

bool adj_remove(struct ctl *c, uint8_t tunnel, uint32_t overlay)
{
	struct adj *a = adj_find(c, tunnel, overlay);

	if (a)
		adj_del(c, a);
	return a != NULL;
}

/* ---- slot table lifetime ---- */

/* The hold-off of refused unpublishes is over: they wait for a fence again. */
static void adj_retry_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	struct ctl *c = arg;

	(void)l;
	(void)t;
	for (uint32_t slot = c->adj.retire_head; slot != ADJ_NO_SLOT;
	     slot = c->adj.slots[slot].next)
		if (c->adj.slots[slot].fence_id == ADJ_FENCE_HELD)
			c->adj.slots[slot].fence_id = 0;
	sync_kick(c);
}

void adj_table_init(struct ctl *c)
{
	memset(&c->adj, 0, sizeof(c->adj));
	hmap_init(&c->adj.map);
	TAILQ_INIT(&c->adj.waitq);
	c->adj.retire_head = ADJ_NO_SLOT;
	loop_timer_init(&c->adj.retry, adj_retry_cb, c);
}

/* Every adjacency loses its slot (the segment is gone or new). */
static void adj_slots_drop(struct ctl *c)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct adj *a;

	while ((a = adj_walk(c, &cur, &nx))) {
		bool had = a->slot != ADJ_NO_SLOT;

		a->slot = ADJ_NO_SLOT;
		if (a->waiting)
			TAILQ_REMOVE(&c->adj.waitq, a, wait_link);
		a->waiting = false;
		if (had)
			adj_notify(c, a, ADJ_EV_DOWN);
	}
	free(c->adj.slots);
	free(c->adj.freeq);
	c->adj.slots = NULL;
	c->adj.freeq = NULL;
	c->adj.n_slots = c->adj.free_count = c->adj.free_head = c->adj.n_used = 0;
	c->adj.retire_head = ADJ_NO_SLOT;
}

void adj_slots_detach(struct ctl *c)
{
	adj_slots_drop(c);
}

void adj_slots_attach(struct ctl *c, uint32_t n_slots)
{
	adj_slots_drop(c);
	c->adj.slots = calloc(n_slots ? n_slots : 1, sizeof(*c->adj.slots));
	c->adj.freeq = calloc(n_slots ? n_slots : 1, sizeof(*c->adj.freeq));
	if (!c->adj.slots || !c->adj.freeq) {
		log_err("adj: cannot allocate %u slots", n_slots);
		free(c->adj.slots);
		free(c->adj.freeq);
		c->adj.slots = NULL;
		c->adj.freeq = NULL;
		return;
	}
	c->adj.n_slots = n_slots;
}

static void adj_freeq_build(struct ctl *c)
{
	for (uint32_t i = 0; i < c->adj.n_slots; i++)
		if (c->adj.slots[i].state == ADJ_S_FREE)
			c->adj.freeq[c->adj.free_count++] = i;
}

static void adj_adopt(struct ctl *c, struct adj *a, uint32_t slot, const struct shm_adj *s)
{
	struct adj_slot *as = &c->adj.slots[slot];

	as->overlay = a->overlay;
	as->adj = a;
	as->published = true;
	adj_slot_set(c, slot, ADJ_S_LIVE);
	a->slot = slot;
	a->created_ns = s->created_ns;	/* uptime survives the controller restart */
	c->adj.st.adopted++;
}

/* A registration or shortcut still valid: rebuild the adjacency from the slot. */
static struct adj *adj_from_slot(struct ctl *c, const struct shm_adj *s)
{
	struct adj *a = adj_new(c, s->tunnel, s->overlay, s->prefix_len ? s->prefix_len : 32);

	if (!a)
		return NULL;
	a->nbma = s->nbma;
	a->nbma_port = s->nbma_port;
	a->flags = s->flags;
	a->nhrp_flags = s->nhrp_flags;
	a->sa_out = s->sa_out;
	a->expires_ns = s->expires_ns;
	a->created_ns = s->created_ns;
	return a;
}

static void adj_adopt_slot(struct ctl *c, uint32_t slot, const struct shm_adj *s, uint64_t now)
{
	struct adj *a = adj_find(c, s->tunnel, s->overlay);
	struct shm_adj img;
	bool dynamic = !a && (s->flags & (ADJ_F_DYNAMIC | ADJ_F_SHORTCUT)) &&
		       !(s->flags & ADJ_F_STATIC) && s->expires_ns > now;

	if (dynamic)
		a = adj_from_slot(c, s);
	if (a && a->slot == ADJ_NO_SLOT) {
		adj_image(c, a, &img);
		if (image_equal(&img, s))
			adj_adopt(c, a, slot, s);
	}
	if (!a || a->slot != slot) {
		struct adj_slot *as = &c->adj.slots[slot];

		as->overlay = s->overlay;
		as->published = true;
		adj_slot_set(c, slot, ADJ_S_RETIRING);	/* unpublished after REPLAY_END */
		as->fence_id = 0;
		as->next = c->adj.retire_head;
		c->adj.retire_head = slot;
		c->adj.st.swept++;
	}
	if (dynamic && a) {
		c->adj.st.adopted_dynamic++;
		CTL_MODULES_CALL(c, adj_adopted, a);
	}
}

void adj_adopt_scan(struct ctl *c)
{
	const struct shm_seg *seg = dpconn_seg(&c->dp);
	uint64_t now = ctl_realtime_ns();

	for (uint32_t slot = 0; seg && slot < c->adj.n_slots; slot++) {
		const struct shm_adj *s = shm_adj(seg, slot);

		/* USED but not published: a publish that never happened; ours to reuse */
		if (s->state != SHM_SLOT_USED || atomic_load(&s->pub) != SHM_PUB_LIVE)
			continue;
		adj_adopt_slot(c, slot, s, now);
	}
	adj_freeq_build(c);
}

void adj_table_fini(struct ctl *c)
{
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct adj *a;

	if (c->loop)
		loop_timer_cancel(c->loop, &c->adj.retry);
	while ((a = adj_walk(c, &cur, &nx))) {
		hmap_remove(&c->adj.map, &a->node);
		free(a);
	}
	hmap_fini(&c->adj.map);
	free(c->adj.slots);
	free(c->adj.freeq);
	c->adj.slots = NULL;
	c->adj.freeq = NULL;
	c->adj.n_slots = 0;
}
