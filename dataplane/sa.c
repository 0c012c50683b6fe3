/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SA table: the runtime copy of each published SA slot.
 *
 *   unpublished --MSG_SA_PUBLISH--> live --hard lifetime--> expired
 *   live/expired --MSG_SA_UNPUBLISH--> retiring --RCU--> unpublished (wiped)
 *
 * Publishing runs esp_sa_init() on the slot (it validates algorithms, key
 * lengths, SPI, window) into a record allocated for it, resumes the
 * sequence number the controller carried over from a previous data plane
 * (shm_sa.seq_out, so a peer's replay window is not hit after our restart),
 * and for an inbound SA adds its SPI to the lock-free SPI hash the workers
 * look up.  Outbound sequence numbers come from one atomic counter per SA
 * (several workers and the main lcore's NHRP may use one SA); inbound SAs
 * stay on one worker because ports hash on the outer addresses only (RSS on
 * IP), so each SA's replay window has a single writer.
 *
 * Every 100 ms the main lcore sums the per-worker counters of the live SAs,
 * mirrors the sequence numbers into the slot, and raises MSG_EV_SA once per
 * event: soft lifetime, hard lifetime (the SA then refuses packets:
 * esp-sa-expired) and sequence numbers near the end of a 32-bit space.
 */
#include <unistd.h>

#include <rte_hash.h>
#include <rte_malloc.h>

#include "dp.h"
#include "esp_sa.h"
#include "log.h"

#define SEQ_HIGH_MARK (UINT32_MAX - (1u << 20))	/* warn 1 Mi packets before the end */
#define SA_SCAN_SLICE 4096

int sa_init(struct dp *dp)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = RTE_MAX(dp->hdr->sa_slots, 64u),
		.key_len = sizeof(uint32_t),
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF |
			      RTE_HASH_EXTRA_FLAGS_NO_FREE_ON_DEL,
	};
	struct rte_hash_parameters np = {
		.name = name,
		.entries = RTE_MAX(dp->adj_slots, 64u),
		.key_len = sizeof(uint32_t),
		.socket_id = (int)rte_socket_id(),
	};

	dp->sa_slots = dp->hdr->sa_slots;
	dp->sa = rte_zmalloc("sa_ptrs", sizeof(struct dp_sa *) * dp->sa_slots, RTE_CACHE_LINE_SIZE);
	snprintf(name, sizeof(name), "spi_%d", getpid());
	dp->spi_hash = rte_hash_create(&hp);
	snprintf(name, sizeof(name), "nbma_%d", getpid());
	dp->nbma_hash = rte_hash_create(&np);
	return dp->sa && dp->spi_hash && dp->nbma_hash ? 0 : -ENOMEM;
}

int sa_publish(struct dp *dp, uint32_t slot)
{
	const struct shm_sa *s;
	struct dp_sa *r;
	int rc;

	if (slot >= dp->sa_slots)
		return EINVAL;
	s = shm_sa(&dp->seg, slot);
	if (dp->sa[slot])
		return EALREADY;
	if (s->state != SHM_SLOT_USED)
		return EINVAL;
	r = rte_zmalloc("sa", sizeof(*r), RTE_CACHE_LINE_SIZE);
	if (!r)
		return ENOMEM;
	rc = esp_sa_init(&r->esp, s);
	if (rc) {
		rte_free(r);
		log_warn("sa %u spi 0x%08x: refused (%s)", slot, s->spi, strerror(-rc));
		return (uint16_t)-rc;
	}
	r->slot = slot;
	r->inbound = s->flags & SA_F_INBOUND;
	r->tunnel = s->tunnel;
	atomic_store(&r->seq, atomic_load(&((struct shm_sa *)s)->seq_out));
	if (r->inbound) {
		uint32_t spi = s->spi;

		if (atomic_load(&((struct shm_sa *)s)->seq_in_top))
			esp_sa_set_seq(&r->esp, atomic_load(&((struct shm_sa *)s)->seq_in_top));
		if (rte_hash_add_key_data(dp->spi_hash, &spi, (void *)(uintptr_t)slot) < 0) {
			esp_sa_wipe(&r->esp);
			rte_free(r);
			return ENOSPC;
		}
	}
	for (unsigned int w = 0; w < dp->n_workers; w++)
		memset(shm_sa_ctr(&dp->seg, w, slot), 0, sizeof(struct shm_sa_ctr));
	atomic_store(&((struct shm_sa *)s)->dp_events, 0);
	__atomic_store_n(&dp->sa[slot], r, __ATOMIC_RELEASE);
	atomic_store(&((struct shm_sa *)s)->pub, SHM_PUB_LIVE);
	atomic_fetch_add(&dp->hdr->sa_live, 1);
	log_debug("sa %u spi 0x%08x %s: unpublished -> live", slot, s->spi,
		  r->inbound ? "in" : "out");
	return 0;
}

/* First half of unpublish: gone from the SPI hash and refused by workers
 * that still hold a pointer; freed after the grace period. */
int sa_unpublish_begin(struct dp *dp, uint32_t slot)
{
	struct dp_sa *r;

	if (slot >= dp->sa_slots || !(r = dp->sa[slot]))
		return ENOENT;
	if (r->refs)
		return EBUSY;	/* an adjacency still sends with it */
	if (r->inbound) {
		uint32_t spi = shm_sa(&dp->seg, slot)->spi;
		int32_t pos = rte_hash_del_key(dp->spi_hash, &spi);

		r->hash_pos = pos;
	}
	r->dead = 1;
	log_debug("sa %u: live -> retiring", slot);
	return 0;
}

void sa_unpublish_finish(struct dp *dp, uint32_t slot)
{
	struct dp_sa *r = dp->sa[slot];
	struct shm_sa *s = shm_sa(&dp->seg, slot);

	if (!r)
		return;
	if (r->inbound && r->hash_pos >= 0)
		rte_hash_free_key_with_position(dp->spi_hash, r->hash_pos);
	atomic_store(&s->seq_out, atomic_load(&r->seq));
	dp->sa[slot] = NULL;
	esp_sa_wipe(&r->esp);
	rte_free(r);
	atomic_store(&s->pub, SHM_PUB_NONE);
	atomic_fetch_sub(&dp->hdr->sa_live, 1);
	log_debug("sa %u: retiring -> unpublished (keys wiped)", slot);
}

/* NBMA -> adjacency, for NHRP the controller injects by NBMA address. */
void sa_nbma_set(struct dp *dp, uint32_t nbma, uint32_t adj_slot)
{
	rte_hash_add_key_data(dp->nbma_hash, &nbma, (void *)(uintptr_t)(adj_slot + 1));
}

void sa_nbma_del(struct dp *dp, uint32_t nbma, uint32_t adj_slot)
{
	void *v;

	if (rte_hash_lookup_data(dp->nbma_hash, &nbma, &v) >= 0 &&
	    (uintptr_t)v == adj_slot + 1)
		rte_hash_del_key(dp->nbma_hash, &nbma);
}

/* Outbound SA slot + 1 protecting traffic to `nbma`, 0 = none. */
uint32_t sa_out_for_nbma(struct dp *dp, uint32_t nbma)
{
	void *v;

	if (rte_hash_lookup_data(dp->nbma_hash, &nbma, &v) < 0)
		return 0;
	return dp->adj[(uintptr_t)v - 1].sa_out;
}

static void sa_event(struct dp *dp, const struct dp_sa *r, uint32_t ev, const struct shm_sa_ctr *c)
{
	struct shm_ring *ring = shm_ring_get(&dp->seg, SHM_R_RING_PUNT);
	bool was_empty = ring_count(ring) == 0;
	struct msg_hdr *h = ring_reserve(ring);

	if (!h) {
		dp->main_stats->drops[DROP_PUNT_RING_FULL]++;
		return;
	}
	*h = (struct msg_hdr){ .type = MSG_EV_SA, .len = sizeof(struct msg_ev_sa) };
	*(struct msg_ev_sa *)(h + 1) = (struct msg_ev_sa){
		.slot = r->slot, .events = ev, .bytes = c->bytes, .pkts = c->pkts,
		.seq = atomic_load(&r->seq),
	};
	ring_commit(ring);
	if (was_empty)
		bell_ring(dp);
}

static void sa_check(struct dp *dp, struct dp_sa *r)
{
	struct shm_sa *s = shm_sa(&dp->seg, r->slot);
	const struct esp_sa_cold *cold = &r->esp.cold;
	uint32_t done = atomic_load(&s->dp_events), ev = 0;
	uint64_t seq = r->inbound ? 0 : atomic_load(&r->seq);
	struct shm_sa_ctr c;

	shm_sa_ctr_sum(&dp->seg, r->slot, &c);
	if (r->inbound)
		atomic_store(&s->seq_in_top, r->esp.hot.rw.top);
	else
		atomic_store(&s->seq_out, seq);
	if ((cold->life_soft_bytes && c.bytes >= cold->life_soft_bytes) ||
	    (cold->life_soft_pkts && c.pkts >= cold->life_soft_pkts))
		ev |= SA_EV_SOFT;
	if ((cold->life_hard_bytes && c.bytes >= cold->life_hard_bytes) ||
	    (cold->life_hard_pkts && c.pkts >= cold->life_hard_pkts))
		ev |= SA_EV_HARD;
	if (!r->inbound && !(cold->cfg_flags & SA_F_ESN) && seq >= SEQ_HIGH_MARK)
		ev |= SA_EV_SEQ_HIGH;
	ev &= ~done;
	if (!ev)
		return;
	if (ev & SA_EV_HARD) {
		r->expired = 1;
		log_info("sa %u spi 0x%08x: live -> expired (hard lifetime)", r->slot, cold->spi);
	}
	atomic_store(&s->dp_events, done | ev);
	sa_event(dp, r, ev, &c);
}

/* Main lcore, every 100 ms: a slice of the table. */
void sa_timer(struct dp *dp)
{
	static uint32_t cursor;
	uint32_t n = RTE_MIN(dp->sa_slots, (uint32_t)SA_SCAN_SLICE);

	for (uint32_t k = 0; k < n; k++) {
		struct dp_sa *r = dp->sa[cursor];

		if (r && !r->dead)
			sa_check(dp, r);
		if (++cursor >= dp->sa_slots)
			cursor = 0;
	}
}
