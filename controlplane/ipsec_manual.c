/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Manually keyed SAs (ipsec.sa): one inbound and one outbound SA per peer
 * NBMA address, protecting GRE between the two NBMA addresses (the DMVPN
 * "IPsec proxy", seeds 000/003).  Every adjacency whose NBMA address is a
 * peer's sends with that peer's outbound SA (adj_set_sa); the SA is
 * published before the adjacency that names it (ipsec.h).
 *
 * Rekey by reload (new keys or SPIs for a peer), make-before-break, per peer:
 *
 *   STABLE --reload--> SWITCHING: new inbound + new outbound published,
 *                      adjacencies still send with the old outbound SA
 *   SWITCHING --the peer sends on our new inbound SA, or
 *               switch_timeout_ms--> DRAINING: adjacencies repointed to the
 *                      new outbound SA, the old one unpublished once no
 *                      adjacency slot names it
 *   DRAINING --drain_ms after the peer's first packet on the new inbound SA
 *              (or after switch_timeout_ms more without one)--> STABLE: the
 *                      old inbound SA unpublished
 *
 * The peer switches on the same evidence (our packets on its new inbound
 * SA), so two nodes reloaded one after the other swap without a loss: the
 * first waits for the second, the second sees the first's new SA.  An
 * inbound SPI kept with new keys cannot coexist with the old SA (one SPI, one
 * SA in the data plane): that inbound SA is replaced break-before-make.
 *
 * Timers: the module's 100 ms tick (ipsec_manual_tick).
 */
#include "ipsec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "log.h"

static const char *const phase_names[] = {
	[IPP_STABLE] = "stable", [IPP_SWITCHING] = "switching", [IPP_DRAINING] = "draining",
};

static void peer_phase_set(struct ipsec_peer *p, enum ipsec_phase to)
{
	char a[ADDR_STRLEN];

	log_info("ipsec peer %s: %s -> %s (generation %u)", addr_fmt(p->nbma, a),
		 phase_names[p->phase], phase_names[to], p->generation);
	p->phase = to;
}

struct ipsec_peer *ipsec_peer_find(const struct ipsec_mod *m, uint32_t nbma)
{
	uint32_t h = hash_u32x2(0x1b5ec, nbma);

	for (struct hnode *n = hmap_first(&m->peers, h); n; n = hmap_next(n, h)) {
		struct ipsec_peer *p = container_of(n, struct ipsec_peer, node);

		if (p->nbma == nbma)
			return p;
	}
	return NULL;
}

/* ---- images ---- */

static void image_keys(struct shm_sa *img, const struct conf_ipsec_tset *t,
		       const struct conf_ipsec_sa *cs, bool inbound)
{
	const uint8_t *k = inbound ? cs->key_in : cs->key_out;

	img->cipher_key_len = t->key_len;
	memcpy(img->cipher_key, k, t->key_len);
	if (t->cipher == SA_CIPHER_AES_GCM16)
		memcpy(&img->salt, k + t->key_len, 4);	/* wire order, as in memory */
	img->integ_key_len = cs->auth_len;
	memcpy(img->integ_key, inbound ? cs->auth_in : cs->auth_out, cs->auth_len);
}

static uint32_t image_flags(const struct conf_ipsec_tset *t, const struct conf_ipsec_profile *pr,
			    bool inbound)
{
	return (inbound ? SA_F_INBOUND : 0) | (pr->esn ? SA_F_ESN : 0) |
	       (pr->udp_encap ? SA_F_UDP_ENCAP : 0) | (pr->replay ? 0 : SA_F_NO_REPLAY) |
	       (t->legacy ? SA_F_LEGACY : 0);
}

void ipsec_manual_image(const struct ctl *c, const struct conf_ipsec_sa *cs, bool inbound,
			struct shm_sa *img)
{
	const struct conf_ipsec *ip = c->conf.ipsec;
	const struct conf_ipsec_profile *pr = &ip->profiles[cs->profile];
	const struct conf_ipsec_tset *t = &ip->tsets[pr->tset];

	memset(img, 0, sizeof(*img));
	img->state = SHM_SLOT_USED;
	img->flags = image_flags(t, pr, inbound);
	img->spi = inbound ? cs->spi_in : cs->spi_out;
	img->cipher = t->cipher;
	img->integ = t->integ;
	img->mode = t->mode;
	img->replay_window = pr->replay ? pr->replay_window : 0;
	img->local = ctl_local_nbma(c);
	img->remote = cs->peer;
	img->sport = pr->udp_encap ? pr->udp_sport : 0;
	img->dport = pr->udp_encap ? pr->udp_dport : 0;
	img->life_hard_bytes = pr->life_kilobytes * 1024;
	img->life_soft_bytes = img->life_hard_bytes / 100 * pr->soft_percent;
	img->life_hard_pkts = pr->life_packets;
	img->life_soft_pkts = pr->life_packets * pr->soft_percent / 100;
	image_keys(img, t, cs, inbound);
}

/* ---- adjacencies ---- */

/* The outbound SA adjacencies to this peer send with now. */
static struct ipsec_sa *peer_sending(const struct ipsec_peer *p)
{
	return p->phase == IPP_SWITCHING ? p->old_out : p->out;
}

static uint32_t peer_ref(const struct ipsec_mod *m, const struct ipsec_peer *p)
{
	return p ? ipsec_sa_ref(m, peer_sending(p)) : 0;
}

/* Is slot + 1 `ref` one of ours (a manual SA), so we may take it away? */
static bool ref_is_manual(const struct ipsec_mod *m, uint32_t ref)
{
	const struct ipsec_sa *sa;

	if (!ref || ref > m->tab.n_slots)
		return false;
	sa = m->tab.slots[ref - 1].sa;
	return sa && sa->manual;
}

void ipsec_manual_adj_event(struct ipsec_mod *m, struct adj *a)
{
	struct ipsec_peer *p = ipsec_peer_find(m, a->nbma);
	uint32_t want = peer_ref(m, p);

	if (a->sa_out == want || (!p && !ref_is_manual(m, a->sa_out)))
		return;
	adj_set_sa(m->c, a, want);
}

void ipsec_manual_bind_all(struct ipsec_mod *m)
{
	if (m->applying) {		/* once, at the end of the apply */
		m->bind_pending = true;
		return;
	}
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct adj *a;

	while ((a = adj_walk(m->c, &cur, &nx)))
		ipsec_manual_adj_event(m, a);
}

/* ---- install, switch, remove ---- */

static struct ipsec_sa *peer_sa_add(struct ipsec_mod *m, struct ipsec_peer *p, bool inbound)
{
	const struct conf_ipsec *ip = m->c->conf.ipsec;
	const struct conf_ipsec_profile *pr = &ip->profiles[p->cfg.profile];
	const struct conf_ipsec_tset *t = &ip->tsets[pr->tset];
	struct shm_sa img;
	struct ipsec_sa *sa;
	char a[ADDR_STRLEN];

	ipsec_manual_image(m->c, &p->cfg, inbound, &img);
	sa = ipsec_sa_add(m, &img, inbound ? p->cfg.seq_in_start : p->cfg.seq_out_start, p);
	explicit_bzero(&img, sizeof(img));
	if (!sa) {
		log_err("ipsec peer %s: out of memory for an SA", addr_fmt(p->nbma, a));
		return NULL;
	}
	sa->manual = true;
	snprintf(sa->transform, sizeof(sa->transform), "%s", t->text);
	snprintf(sa->profile, sizeof(sa->profile), "%s", pr->name);
	sa->life_seconds = (uint32_t)pr->life_seconds;
	sa->soft_seconds = (uint32_t)(pr->life_seconds * pr->soft_percent / 100);
	return sa;
}

static void sa_drop(struct ipsec_mod *m, struct ipsec_sa **sap)
{
	if (*sap)
		ipsec_sa_del(m, *sap);
	*sap = NULL;
}

/* SWITCHING -> DRAINING: send with the new outbound SA. */
static void peer_switch(struct ipsec_mod *m, struct ipsec_peer *p, const char *why)
{
	char a[ADDR_STRLEN];

	log_info("ipsec peer %s: sending with the new SA (spi 0x%08x): %s", addr_fmt(p->nbma, a),
		 p->cfg.spi_out, why);
	p->switched_ms = loop_now_ms();
	peer_phase_set(p, IPP_DRAINING);
	ipsec_manual_bind_all(m);	/* repoint before the old one retires */
	sa_drop(m, &p->old_out);
}

/* DRAINING -> STABLE: the old inbound SA goes. */
static void peer_drained(struct ipsec_mod *m, struct ipsec_peer *p)
{
	sa_drop(m, &p->old_in);
	sa_drop(m, &p->old_out);
	peer_phase_set(p, IPP_STABLE);
}

static void peer_install(struct ipsec_mod *m, struct ipsec_peer *p)
{
	p->generation++;
	p->in = peer_sa_add(m, p, true);
	p->out = peer_sa_add(m, p, false);
	ipsec_manual_bind_all(m);
}

/* New keys for a running peer: make-before-break (file comment). */
static void peer_rekey(struct ipsec_mod *m, struct ipsec_peer *p, const struct conf_ipsec_sa *cs)
{
	const struct conf_ipsec *ip = m->c->conf.ipsec;
	char a[ADDR_STRLEN];

	if (p->phase == IPP_SWITCHING)
		peer_switch(m, p, "another rekey came first");
	if (p->phase == IPP_DRAINING)
		peer_drained(m, p);
	p->old_in = p->in;
	p->old_out = p->out;
	if (p->old_in && p->old_in->img.spi == cs->spi_in) {
		log_warn("ipsec peer %s: new keys with the same spi_in 0x%08x: the old inbound "
			 "SA goes first (packets in flight are lost; change spi_in for a "
			 "lossless swap)", addr_fmt(p->nbma, a), cs->spi_in);
		sa_drop(m, &p->old_in);
	}
	explicit_bzero(&p->cfg, sizeof(p->cfg));
	p->cfg = *cs;
	p->generation++;
	p->in = peer_sa_add(m, p, true);
	p->out = peer_sa_add(m, p, false);
	p->new_in_seen_ms = 0;
	p->deadline_ms = loop_now_ms() + ip->switch_timeout_ms;
	peer_phase_set(p, IPP_SWITCHING);
	log_info("ipsec peer %s: new SAs in 0x%08x out 0x%08x, switching when the peer uses "
		 "them or in %u ms", addr_fmt(p->nbma, a), cs->spi_in, cs->spi_out,
		 ip->switch_timeout_ms);
	if (!p->old_out || ip->switch_timeout_ms == 0)
		peer_switch(m, p, p->old_out ? "switch_timeout_ms = 0" : "no old SA");
}

static void peer_free(struct ipsec_mod *m, struct ipsec_peer *p)
{
	char a[ADDR_STRLEN];

	log_info("ipsec peer %s: SAs removed", addr_fmt(p->nbma, a));
	hmap_remove(&m->peers, &p->node);
	ipsec_manual_bind_all(m);	/* its adjacencies lose the SA first */
	sa_drop(m, &p->out);
	sa_drop(m, &p->old_out);
	sa_drop(m, &p->in);
	sa_drop(m, &p->old_in);
	explicit_bzero(p, sizeof(*p));
	free(p);
}

/* Same SAs as running: both images and the lifetime in seconds. */
static bool peer_unchanged(struct ipsec_mod *m, const struct ipsec_peer *p,
			   const struct conf_ipsec_sa *cs)
{
	const struct conf_ipsec_profile *pr = &m->c->conf.ipsec->profiles[cs->profile];
	struct shm_sa in, out;
	bool same;

	if (!p->in || !p->out || p->in->life == IPL_EXPIRED || p->out->life == IPL_EXPIRED)
		return false;
	ipsec_manual_image(m->c, cs, true, &in);
	ipsec_manual_image(m->c, cs, false, &out);
	same = ipsec_img_equal(&in, &p->in->img) && ipsec_img_equal(&out, &p->out->img) &&
	       p->in->life_seconds == pr->life_seconds;
	explicit_bzero(&in, sizeof(in));
	explicit_bzero(&out, sizeof(out));
	return same;
}

static void peer_apply(struct ipsec_mod *m, const struct conf_ipsec_sa *cs)
{
	struct ipsec_peer *p = ipsec_peer_find(m, cs->peer);

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			log_err("ipsec: out of memory for a peer");
			return;
		}
		p->nbma = cs->peer;
		p->cfg = *cs;
		hmap_insert(&m->peers, &p->node, hash_u32x2(0x1b5ec, p->nbma));
		p->mark = true;
		peer_install(m, p);
		return;
	}
	p->mark = true;
	if (peer_unchanged(m, p, cs)) {
		p->cfg.line = cs->line;
		return;
	}
	peer_rekey(m, p, cs);
}

/* Config loaded or reloaded: install, rekey, remove. */
void ipsec_manual_apply(struct ipsec_mod *m)
{
	const struct conf_ipsec *ip = m->c->conf.ipsec;
	uint32_t cur = 0;
	struct hnode *n, *nx = NULL;

	/* Installing, rekeying or removing a peer repoints the adjacencies
	 * (bind_all walks them all): once for the whole file, not per peer,
	 * or loading N peers is O(N^2).  The SAs that lose their adjacencies
	 * meanwhile wait for it: an outbound SA is unpublished only once no
	 * adjacency slot names it (ipsec_sa.c). */
	m->applying = true;
	for (uint32_t i = 0; ip && i < ip->n_sas; i++)
		peer_apply(m, &ip->sas[i]);
	while ((n = hmap_walk(&m->peers, &cur, &nx))) {
		struct ipsec_peer *p = container_of(n, struct ipsec_peer, node);

		if (!p->mark)
			peer_free(m, p);
		else
			p->mark = false;
	}
	m->applying = false;
	m->bind_pending = false;
	ipsec_manual_bind_all(m);
}

/* ---- timers ---- */

static void peer_tick(struct ipsec_mod *m, struct ipsec_peer *p, uint64_t now)
{
	const struct conf_ipsec *ip = m->c->conf.ipsec;
	struct shm_sa_ctr ctr;

	if (p->phase == IPP_STABLE || !p->in)
		return;
	if (!p->new_in_seen_ms) {
		ipsec_sa_counters(m, p->in, &ctr);
		if (ctr.pkts)
			p->new_in_seen_ms = now;
	}
	if (p->phase == IPP_SWITCHING) {
		if (p->new_in_seen_ms)
			peer_switch(m, p, "the peer sends with its new SA");
		else if (now >= p->deadline_ms)
			peer_switch(m, p, "switch_timeout_ms passed");
		return;
	}
	if ((p->new_in_seen_ms && now >= p->new_in_seen_ms + (ip ? ip->drain_ms : 0) &&
	     now >= p->switched_ms + (ip ? ip->drain_ms : 0)) ||
	    now >= p->switched_ms + (ip ? ip->switch_timeout_ms + ip->drain_ms : 0))
		peer_drained(m, p);
}

void ipsec_manual_tick(struct ipsec_mod *m)
{
	uint64_t now = loop_now_ms();
	uint32_t cur = 0;
	struct hnode *n, *nx = NULL;

	while ((n = hmap_walk(&m->peers, &cur, &nx)))
		peer_tick(m, container_of(n, struct ipsec_peer, node), now);
}

void ipsec_manual_sa_expired(struct ipsec_mod *m, struct ipsec_sa *sa)
{
	struct ipsec_peer *p = sa->owner;
	struct ipsec_sa **slots[4];

	if (!p || !sa->manual)
		return;
	slots[0] = &p->in;
	slots[1] = &p->out;
	slots[2] = &p->old_in;
	slots[3] = &p->old_out;
	for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
		if (*slots[i] != sa)
			continue;
		*slots[i] = NULL;
		ipsec_manual_bind_all(m);	/* adjacencies let go of it first */
		ipsec_sa_del(m, sa);
		return;
	}
}

void ipsec_manual_fini(struct ipsec_mod *m)
{
	uint32_t cur = 0;
	struct hnode *n, *nx = NULL;

	while ((n = hmap_walk(&m->peers, &cur, &nx))) {
		struct ipsec_peer *p = container_of(n, struct ipsec_peer, node);

		hmap_remove(&m->peers, &p->node);
		explicit_bzero(p, sizeof(*p));
		free(p);
	}
}
