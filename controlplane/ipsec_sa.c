/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The segment's SA slots seen from the controller (states in ipsec.h).
 *
 * Timers (the module's 100 ms tick, ipsec_tab_tick):
 *  - mirror seq_out / seq_in_top of every live slot into the record, so an
 *    SA replayed into a new data plane resumes where the old one stopped
 *    (outbound: plus IPSEC_SEQ_RESTART_MARGIN for what was sent since);
 *  - lifetimes in seconds (the data plane counts bytes and packets itself
 *    and reports MSG_EV_SA): soft at soft_seconds, hard at life_seconds;
 *  - retiring slots whose adjacencies have gone are unpublished.
 */
#include "ipsec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "log.h"

static const char *const slot_state_names[IPS__MAX] = {
	[IPS_FREE] = "free",
	[IPS_PUBLISHING] = "publishing",
	[IPS_LIVE] = "live",
	[IPS_RETIRING] = "retiring",
	[IPS_UNPUBLISHING] = "unpublishing",
};

const char *ipsec_slot_state_name(enum ipsec_slot_state s)
{
	return s < IPS__MAX ? slot_state_names[s] : "?";
}

const char *ipsec_life_name(enum ipsec_life l)
{
	static const char *const names[] = {
		[IPL_ACTIVE] = "ACTIVE", [IPL_SOFT] = "ACTIVE (soft lifetime reached)",
		[IPL_EXPIRED] = "EXPIRED",
	};

	return l <= IPL_EXPIRED ? names[l] : "?";
}

const char *ipsec_sa_fmt(const struct ipsec_sa *sa, char *buf, size_t len)
{
	char a[ADDR_STRLEN];

	snprintf(buf, len, "peer %s %s spi 0x%08x", addr_fmt(sa->img.remote, a),
		 sa->inbound ? "in" : "out", sa->img.spi);
	return buf;
}

static struct ctl *mctl(const struct ipsec_mod *m)
{
	return m->c;
}

static const struct shm_seg *mseg(const struct ipsec_mod *m)
{
	return dpconn_seg(&m->c->dp);
}

/* ---- slot state machine ---- */

static void slot_set(struct ipsec_mod *m, uint32_t slot, enum ipsec_slot_state to)
{
	static const bool ok[IPS__MAX][IPS__MAX] = {
		[IPS_FREE][IPS_PUBLISHING] = true,
		[IPS_FREE][IPS_LIVE] = true,			/* adopted */
		[IPS_FREE][IPS_RETIRING] = true,		/* swept */
		[IPS_PUBLISHING][IPS_LIVE] = true,
		[IPS_PUBLISHING][IPS_FREE] = true,		/* refused */
		[IPS_PUBLISHING][IPS_RETIRING] = true,
		[IPS_LIVE][IPS_RETIRING] = true,
		[IPS_RETIRING][IPS_UNPUBLISHING] = true,
		[IPS_RETIRING][IPS_FREE] = true,		/* its publish had failed */
		[IPS_UNPUBLISHING][IPS_FREE] = true,
		[IPS_UNPUBLISHING][IPS_RETIRING] = true,	/* EBUSY: again later */
	};
	struct ipsec_slot *s = &m->tab.slots[slot];

	if (!ok[s->state][to]) {
		log_err("ipsec sa 0x%08x: invalid transition %s -> %s (slot %u)", s->spi,
			ipsec_slot_state_name(s->state), ipsec_slot_state_name(to), slot);
		abort();
	}
	log_debug("ipsec sa 0x%08x %s: %s -> %s (slot %u)", s->spi,
		  s->sa ? (s->sa->inbound ? "in" : "out") : "swept",
		  ipsec_slot_state_name(s->state), ipsec_slot_state_name(to), slot);
	s->state = to;
}

/* ---- records ---- */

static uint32_t spi_hash(bool inbound, uint32_t spi)
{
	return hash_u32x2(inbound ? 0x5a1 : 0x5a0, spi);
}

/* The SAs of one (direction, SPI): walk with
 *   for (o = spi_first(m, in, spi); o; o = spi_next(o)) */
static struct ipsec_sa *spi_match(struct hnode *n, bool inbound, uint32_t spi, uint32_t h)
{
	for (; n; n = hmap_next(n, h)) {
		struct ipsec_sa *o = container_of(n, struct ipsec_sa, spi_node);

		if (o->inbound == inbound && o->img.spi == spi)
			return o;
	}
	return NULL;
}

static struct ipsec_sa *spi_first(const struct ipsec_mod *m, bool inbound, uint32_t spi)
{
	uint32_t h = spi_hash(inbound, spi);

	return spi_match(hmap_first(&m->tab.by_spi, h), inbound, spi, h);
}

static struct ipsec_sa *spi_next(const struct ipsec_sa *sa)
{
	uint32_t h = spi_hash(sa->inbound, sa->img.spi);

	return spi_match(hmap_next(&sa->spi_node, h), sa->inbound, sa->img.spi, h);
}

/* Those waiting for sa (`after` only ever names an SA of the same
 * direction and SPI) may go. */
static void sa_release_waiters(struct ipsec_mod *m, const struct ipsec_sa *sa)
{
	for (struct ipsec_sa *o = spi_first(m, sa->inbound, sa->img.spi); o; o = spi_next(o))
		if (o->after == sa)
			o->after = NULL;
}

static void sa_free(struct ipsec_mod *m, struct ipsec_sa *sa)
{
	*sa->pprev = sa->next;
	if (sa->next)
		sa->next->pprev = sa->pprev;
	sa_release_waiters(m, sa);
	hmap_remove(&m->tab.by_spi, &sa->spi_node);
	explicit_bzero(sa, sizeof(*sa));
	free(sa);
}

/* Its slot is free again (or it never had one). */
static void sa_slot_gone(struct ipsec_mod *m, struct ipsec_sa *sa)
{
	sa->slot = IPSEC_NO_SLOT;
	if (sa->withdrawn) {
		sa_free(m, sa);
		return;
	}
	sa_release_waiters(m, sa);
}

static void slot_free(struct ipsec_mod *m, uint32_t slot)
{
	struct ipsec_slot *s = &m->tab.slots[slot];
	struct ipsec_sa *sa = s->sa;
	uint32_t spi = s->spi;

	slot_set(m, slot, IPS_FREE);
	s->sa = NULL;
	s->published = false;
	if (sa)
		sa_slot_gone(m, sa);
	/* SAs that waited for this one (same inbound SPI) go now; any other
	 * SA without a slot (none was free) is retried by the tick */
	for (struct ipsec_sa *o = spi_first(m, true, spi); o; o = spi_next(o))
		if (o->slot == IPSEC_NO_SLOT && !o->after)
			ipsec_sa_sync(m, o);
}

static uint32_t slot_alloc(struct ipsec_mod *m)
{
	struct ipsec_tab *t = &m->tab;

	for (uint32_t k = 0; k < t->n_slots; k++) {
		uint32_t slot = (t->cursor + k) % t->n_slots;

		if (t->slots[slot].state != IPS_FREE ||
		    atomic_load(&shm_sa(mseg(m), slot)->pub) != SHM_PUB_NONE)
			continue;
		t->cursor = (slot + 1) % t->n_slots;
		return slot;
	}
	return IPSEC_NO_SLOT;
}

/* ---- publish ---- */

static void sa_publish_done(struct dpconn *dc, const struct dp_msg *dm, int status, void *arg)
{
	struct ipsec_mod *m = arg;
	const struct msg_slot *ms = (const void *)dm->body;
	struct ipsec_slot *s;
	struct ipsec_sa *sa;
	char b[64];

	(void)dc;
	if (status == -ECONNRESET || ms->slot >= m->tab.n_slots)
		return;
	s = &m->tab.slots[ms->slot];
	if (s->state == IPS_RETIRING) {
		s->published = status == 0;
		return;
	}
	if (s->state != IPS_PUBLISHING)
		return;
	sa = s->sa;
	if (status == 0) {
		s->published = true;
		m->tab.st.published++;
		slot_set(m, ms->slot, IPS_LIVE);
		return;
	}
	m->tab.st.publish_failed++;
	log_err("ipsec %s: the data plane refused the SA: %s", ipsec_sa_fmt(sa, b, sizeof(b)),
		strerror(status));
	sa->failed = true;
	slot_free(m, ms->slot);
}

/* The data plane part of the slot at publish: where the sequence numbers
 * resume (docs/ipsec.md "Restarts"). */
static void sa_slot_write(struct ipsec_mod *m, struct ipsec_sa *sa, uint32_t slot)
{
	struct shm_sa *s = shm_sa(mseg(m), slot);

	sa->img.gen = mctl(m)->sync.gen;
	if (!sa->installed_ns) {
		sa->installed_ns = ctl_realtime_ns();
		sa->installed_ms = loop_now_ms();
	}
	sa->img.created_ns = sa->installed_ns;
	memcpy(s, &sa->img, offsetof(struct shm_sa, pub));
	atomic_store(&s->dp_events, 0);
	atomic_store(&s->seq_out, sa->inbound ? 0 : sa->seq_seen);
	atomic_store(&s->seq_in_top, sa->inbound ? sa->seq_seen : 0);
}

void ipsec_sa_sync(struct ipsec_mod *m, struct ipsec_sa *sa)
{
	struct msg_slot ms;
	uint32_t slot;
	char b[64];

	if (sa->slot != IPSEC_NO_SLOT || sa->withdrawn || sa->failed || sa->after ||
	    !m->tab.n_slots || !sync_can_send(mctl(m)))
		return;
	slot = slot_alloc(m);
	if (slot == IPSEC_NO_SLOT) {
		if (!m->tab.st.no_slot++)
			log_warn("ipsec %s: no free SA slot (%u); waiting",
				 ipsec_sa_fmt(sa, b, sizeof(b)), m->tab.n_slots);
		return;
	}
	sa_slot_write(m, sa, slot);
	ms = (struct msg_slot){ .slot = slot, .gen = mctl(m)->sync.gen };
	if (dpconn_send(&mctl(m)->dp, MSG_SA_PUBLISH, &ms, sizeof(ms), sa_publish_done, m) < 0)
		return;
	m->tab.slots[slot].sa = sa;
	m->tab.slots[slot].spi = sa->img.spi;
	m->tab.slots[slot].published = false;
	slot_set(m, slot, IPS_PUBLISHING);
	sa->slot = slot;
}

struct ipsec_sa *ipsec_sa_add(struct ipsec_mod *m, const struct shm_sa *img, uint64_t seq,
			      void *owner)
{
	struct ipsec_sa *sa = calloc(1, sizeof(*sa));

	if (!sa)
		return NULL;
	memcpy(&sa->img, img, offsetof(struct shm_sa, pub));
	sa->img.state = SHM_SLOT_USED;
	sa->inbound = img->flags & SA_F_INBOUND;
	sa->slot = IPSEC_NO_SLOT;
	sa->seq_seen = seq;
	sa->owner = owner;
	/* the same inbound SPI still in the data plane: it goes first */
	for (struct ipsec_sa *o = sa->inbound ? spi_first(m, true, sa->img.spi) : NULL; o;
	     o = spi_next(o))
		if (o->slot != IPSEC_NO_SLOT)
			sa->after = o;
	sa->next = m->tab.list;
	sa->pprev = &m->tab.list;
	if (sa->next)
		sa->next->pprev = &sa->next;
	m->tab.list = sa;
	hmap_insert(&m->tab.by_spi, &sa->spi_node, spi_hash(sa->inbound, sa->img.spi));
	ipsec_sa_sync(m, sa);
	return sa;
}

/* ---- unpublish ---- */

/* Adjacency slots the controller holds that send with this SA slot. */
static bool slot_adj_refs(const struct ipsec_mod *m, uint32_t slot)
{
	const struct ctl *c = mctl(m);

	for (uint32_t i = 0; i < c->adj.n_slots; i++)
		if (c->adj.slots[i].state != ADJ_S_FREE &&
		    shm_adj(mseg(m), i)->sa_out == slot + 1)
			return true;
	return false;
}

static void sa_unpublish_done(struct dpconn *dc, const struct dp_msg *dm, int status, void *arg)
{
	struct ipsec_mod *m = arg;
	const struct msg_slot *ms = (const void *)dm->body;

	(void)dc;
	if (status == -ECONNRESET || ms->slot >= m->tab.n_slots ||
	    m->tab.slots[ms->slot].state != IPS_UNPUBLISHING)
		return;
	if (status == EBUSY) {
		m->tab.st.unpublish_busy++;
		slot_set(m, ms->slot, IPS_RETIRING);	/* an adjacency still uses it */
		return;
	}
	if (status && status != ENOENT)
		log_err("ipsec sa 0x%08x: unpublish refused: %s (slot %u considered free)",
			m->tab.slots[ms->slot].spi, strerror(status), ms->slot);
	m->tab.st.unpublished++;
	slot_free(m, ms->slot);
}

static void slot_retire_try(struct ipsec_mod *m, uint32_t slot)
{
	struct ipsec_slot *s = &m->tab.slots[slot];
	struct msg_slot ms = { .slot = slot, .gen = mctl(m)->sync.gen };
	bool inbound = s->sa ? s->sa->inbound :
		       (shm_sa(mseg(m), slot)->flags & SA_F_INBOUND);

	if (s->state != IPS_RETIRING || !sync_can_send(mctl(m)))
		return;
	if (!s->published) {
		slot_free(m, slot);	/* never in the data plane */
		return;
	}
	if (!inbound && slot_adj_refs(m, slot))
		return;			/* the tick tries again */
	if (dpconn_send(&mctl(m)->dp, MSG_SA_UNPUBLISH, &ms, sizeof(ms), sa_unpublish_done, m) < 0)
		return;
	slot_set(m, slot, IPS_UNPUBLISHING);
}

void ipsec_sa_del(struct ipsec_mod *m, struct ipsec_sa *sa)
{
	sa->withdrawn = true;
	sa->owner = NULL;
	if (sa->slot == IPSEC_NO_SLOT) {
		sa_free(m, sa);
		return;
	}
	if (m->tab.slots[sa->slot].state == IPS_PUBLISHING ||
	    m->tab.slots[sa->slot].state == IPS_LIVE)
		slot_set(m, sa->slot, IPS_RETIRING);
	slot_retire_try(m, sa->slot);
}

/* ---- queries ---- */

bool ipsec_sa_usable(const struct ipsec_mod *m, const struct ipsec_sa *sa)
{
	uint8_t st;

	if (!sa || sa->slot == IPSEC_NO_SLOT || sa->withdrawn)
		return false;
	st = m->tab.slots[sa->slot].state;
	return st == IPS_PUBLISHING || st == IPS_LIVE;
}

uint32_t ipsec_sa_ref(const struct ipsec_mod *m, const struct ipsec_sa *sa)
{
	return ipsec_sa_usable(m, sa) ? sa->slot + 1 : 0;
}

void ipsec_sa_counters(const struct ipsec_mod *m, const struct ipsec_sa *sa,
		       struct shm_sa_ctr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->slot != IPSEC_NO_SLOT && mseg(m) && m->tab.slots[sa->slot].published)
		shm_sa_ctr_sum(mseg(m), sa->slot, out);
}

/* ---- attach, replay, loss ---- */

/* The controller-owned part of two images, generation and times aside. */
bool ipsec_img_equal(const struct shm_sa *a, const struct shm_sa *b)
{
	struct shm_sa x, y;
	bool eq;

	memcpy(&x, a, offsetof(struct shm_sa, pub));
	memcpy(&y, b, offsetof(struct shm_sa, pub));
	x.gen = y.gen = 0;
	x.created_ns = y.created_ns = 0;
	eq = memcmp(&x, &y, offsetof(struct shm_sa, pub)) == 0;
	explicit_bzero(&x, sizeof(x));
	explicit_bzero(&y, sizeof(y));
	return eq;
}

static void slot_adopt(struct ipsec_mod *m, uint32_t slot, const struct shm_sa *s)
{
	struct ipsec_slot *is = &m->tab.slots[slot];

	for (struct ipsec_sa *sa = spi_first(m, s->flags & SA_F_INBOUND, s->spi); sa;
	     sa = spi_next(sa)) {
		if (sa->slot != IPSEC_NO_SLOT || sa->withdrawn || !ipsec_img_equal(&sa->img, s))
			continue;
		is->sa = sa;
		is->spi = s->spi;
		is->published = true;
		slot_set(m, slot, IPS_LIVE);
		sa->slot = slot;
		sa->installed_ns = s->created_ns;
		sa->installed_ms = loop_now_ms() - (ctl_realtime_ns() - s->created_ns) / 1000000;
		m->tab.st.adopted++;
		return;
	}
	/* not ours any more: unpublished once no adjacency names it */
	is->spi = s->spi;
	is->published = true;
	slot_set(m, slot, IPS_RETIRING);
	m->tab.st.swept++;
}

/* Controller start or a new segment, before the adjacencies are adopted:
 * take over the slots that match a wanted SA, sweep the others. */
void ipsec_tab_attach(struct ipsec_mod *m)
{
	const struct shm_seg *seg = mseg(m);
	struct ipsec_tab *t = &m->tab;

	free(t->slots);
	t->n_slots = 0;
	t->cursor = 0;
	t->slots = calloc(seg->hdr->sa_slots ? seg->hdr->sa_slots : 1, sizeof(*t->slots));
	if (!t->slots) {
		log_err("ipsec: cannot allocate %u SA slots", seg->hdr->sa_slots);
		return;
	}
	t->n_slots = seg->hdr->sa_slots;
	for (uint32_t slot = 0; slot < t->n_slots; slot++) {
		const struct shm_sa *s = shm_sa(seg, slot);

		if (s->state == SHM_SLOT_USED && atomic_load(&s->pub) == SHM_PUB_LIVE)
			slot_adopt(m, slot, s);
	}
}

/* In the replay, before the adjacencies: every SA without a slot. */
void ipsec_tab_replay(struct ipsec_mod *m)
{
	for (struct ipsec_sa *sa = m->tab.list; sa; sa = sa->next)
		ipsec_sa_sync(m, sa);
}

/* The data plane went away with its slots.  An outbound SA that was live
 * there goes on from its last mirrored number plus a margin. */
void ipsec_tab_lost(struct ipsec_mod *m)
{
	struct ipsec_sa *sa = m->tab.list, *next;

	for (; sa; sa = next) {
		next = sa->next;
		if (sa->slot != IPSEC_NO_SLOT && !sa->inbound && m->tab.slots[sa->slot].published)
			sa->seq_seen += IPSEC_SEQ_RESTART_MARGIN;
		sa->slot = IPSEC_NO_SLOT;
		sa->after = NULL;
		if (sa->withdrawn)
			sa_free(m, sa);
	}
	free(m->tab.slots);
	m->tab.slots = NULL;
	m->tab.n_slots = 0;
}

/* ---- the tick ---- */

static void sa_life_tick(struct ipsec_mod *m, struct ipsec_sa *sa, uint64_t now)
{
	uint64_t age_s = (now - sa->installed_ms) / 1000;
	char b[64];

	if (!sa->installed_ms || sa->withdrawn)
		return;
	if (sa->soft_seconds && age_s >= sa->soft_seconds && sa->life == IPL_ACTIVE) {
		sa->life = IPL_SOFT;
		log_warn("ipsec %s: soft lifetime reached (%u s): manually keyed, nothing can "
			 "rekey it: configure new keys", ipsec_sa_fmt(sa, b, sizeof(b)),
			 sa->soft_seconds);
	}
	if (sa->life_seconds && age_s >= sa->life_seconds && sa->life != IPL_EXPIRED) {
		sa->life = IPL_EXPIRED;
		log_err("ipsec %s: hard lifetime reached (%u s): SA withdrawn",
			ipsec_sa_fmt(sa, b, sizeof(b)), sa->life_seconds);
		ipsec_manual_sa_expired(m, sa);
	}
}

void ipsec_tab_tick(struct ipsec_mod *m)
{
	const struct shm_seg *seg = mseg(m);
	uint64_t now = loop_now_ms();
	struct ipsec_sa *sa, *next;

	for (sa = m->tab.list; sa; sa = next) {
		next = sa->next;
		if (seg && sa->slot != IPSEC_NO_SLOT && m->tab.slots[sa->slot].published) {
			const struct shm_sa *s = shm_sa(seg, sa->slot);

			sa->seq_seen = sa->inbound ? atomic_load(&s->seq_in_top) :
						     atomic_load(&s->seq_out);
		}
		sa_life_tick(m, sa, now);
	}
	for (uint32_t slot = 0; slot < m->tab.n_slots; slot++)
		if (m->tab.slots[slot].state == IPS_RETIRING)
			slot_retire_try(m, slot);
	for (sa = m->tab.list; sa; sa = sa->next)
		ipsec_sa_sync(m, sa);
}

/* ---- data plane events (MSG_EV_SA) ---- */

void ipsec_sa_event(struct ipsec_mod *m, uint32_t slot, uint32_t events, uint64_t pkts,
		    uint64_t bytes, uint64_t seq)
{
	struct ipsec_sa *sa = slot < m->tab.n_slots ? m->tab.slots[slot].sa : NULL;
	char b[64];

	if (!sa) {
		m->tab.st.ev_unknown++;
		log_debug("ipsec: event 0x%x for SA slot %u we do not hold", events, slot);
		return;
	}
	sa->dp_events |= events;
	ipsec_sa_fmt(sa, b, sizeof(b));
	if (events & SA_EV_SOFT) {
		m->tab.st.ev_soft++;
		if (sa->life == IPL_ACTIVE)
			sa->life = IPL_SOFT;
		log_warn("ipsec %s: soft lifetime reached (%llu packets, %llu bytes): manually "
			 "keyed, nothing can rekey it: configure new keys", b,
			 (unsigned long long)pkts, (unsigned long long)bytes);
	}
	if (events & SA_EV_HARD) {
		m->tab.st.ev_hard++;
		sa->life = IPL_EXPIRED;
		log_err("ipsec %s: hard lifetime reached (%llu packets, %llu bytes): the data "
			"plane refuses it (esp-sa-expired) until new keys are configured", b,
			(unsigned long long)pkts, (unsigned long long)bytes);
	}
	if (events & SA_EV_SEQ_HIGH) {
		m->tab.st.ev_seq_high++;
		log_err("ipsec %s: sequence number %llu near the end of its 32-bit space (no "
			"ESN): it stops at 4294967295; configure new keys", b,
			(unsigned long long)seq);
	}
}

/* ---- lifetime of the table ---- */

void ipsec_tab_init(struct ipsec_mod *m)
{
	memset(&m->tab, 0, sizeof(m->tab));
	hmap_init(&m->tab.by_spi);
}

void ipsec_tab_fini(struct ipsec_mod *m)
{
	struct ipsec_sa *sa = m->tab.list, *next;

	for (; sa; sa = next) {
		next = sa->next;
		explicit_bzero(sa, sizeof(*sa));
		free(sa);
	}
	m->tab.list = NULL;
	hmap_fini(&m->tab.by_spi);
	free(m->tab.slots);
	m->tab.slots = NULL;
	m->tab.n_slots = 0;
}
