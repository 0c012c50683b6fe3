/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adjacencies: the controller's desired (tunnel, overlay) -> NBMA entries
 * and the segment's adjacency slots that carry them to the data plane.
 *
 * An adjacency (struct adj) is keyed by (tunnel, overlay address).  It owns
 * at most one current slot.  A slot, once published, is never modified: any
 * change of what the data plane copies (NBMA, key, flags, rewrite, ...)
 * takes a new slot, which is published, then the routes are repointed, and
 * only after the data plane acknowledged those is the old slot unpublished
 * (make-before-break).  Unpublish is acknowledged after an RCU grace period;
 * only then does the slot return to the free FIFO.
 *
 * Slot states, one transition function (adj_slot_set), logged at debug
 * level as "adj 10.0.0.2: publishing -> live (slot 5)":
 *
 *   FREE -> NEW -> PUBLISHING -> LIVE -> RETIRING -> UNPUBLISHING -> FREE
 *   PUBLISHING -> FREE          the data plane refused the slot
 *   PUBLISHING -> RETIRING      removed before the publish was acked
 *   RETIRING -> FREE            ... and that publish had failed
 *   FREE -> LIVE                adopted from a running data plane
 *   FREE -> RETIRING            found published but no longer wanted (swept)
 *
 * Routes may use a PUBLISHING slot: the control ring is applied in order, so
 * a route sent after the publish never reaches a slot the data plane lacks.
 * A RETIRING slot waits for a fence (every message sent before it acked).
 */
#ifndef DMVPN_CP_ADJ_H
#define DMVPN_CP_ADJ_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

#include "hmap.h"
#include "shm.h"
#include "loop.h"

struct ctl;

#define ADJ_NO_SLOT UINT32_MAX
#define ADJ_FENCE_HELD UINT32_MAX	/* fence_id of a slot whose unpublish was refused */
#define ADJ_RETRY_MS 200

/* adj.nhrp_flags bit the core reads: the NHRP client found this NHS not
 * responding, so the tunnel's NHS adjacency (where traffic to unresolved
 * next hops goes) should be another NHS (dual hub failover).  The other
 * bits are the NHRP module's own. */
#define ADJ_NHRP_NHS_DOWN 0x80000000u
#define ADJ_MAX_LISTENERS 8

enum adj_state {
	ADJ_S_FREE = 0,
	ADJ_S_NEW,
	ADJ_S_PUBLISHING,
	ADJ_S_LIVE,
	ADJ_S_RETIRING,
	ADJ_S_UNPUBLISHING,
	ADJ_S__MAX
};

struct adj {
	struct hnode node;
	uint8_t tunnel;
	uint8_t prefix_len;		/* 32, or a shortcut's covering prefix */
	uint16_t nbma_port;		/* peer UDP port behind NAT, 0 = none */
	uint32_t overlay;		/* network order */
	uint32_t nbma;			/* network order */
	uint32_t flags;			/* ADJ_F_* */
	uint32_t nhrp_flags;		/* NHRP module bookkeeping, copied into the slot */
	uint32_t sa_out;		/* outbound SA slot + 1; 0 = cleartext */
	uint64_t created_ns;		/* CLOCK_REALTIME */
	uint64_t expires_ns;		/* CLOCK_REALTIME, 0 = never */
	uint32_t slot;			/* current slot or ADJ_NO_SLOT */
	bool failed;			/* the data plane refused its last publish */
	bool waiting;			/* on the wait queue for a free slot */
	TAILQ_ENTRY(adj) wait_link;
	void *owner;			/* the NHRP module's cache entry */
};

struct adj_slot {
	uint8_t state;			/* enum adj_state */
	bool published;			/* the data plane accepted the publish */
	uint32_t overlay;		/* for logs once the adj is gone */
	uint32_t next;			/* retire list */
	uint32_t fence_id;		/* RETIRING: fence it waits for; 0 = none yet */
	struct adj *adj;		/* NULL once retiring */
};

enum adj_event {
	ADJ_EV_ADDED,			/* new entry (not usable yet) */
	ADJ_EV_CHANGED,			/* fields changed (a new slot is on its way) */
	ADJ_EV_LIVE,			/* the data plane acknowledged its slot */
	ADJ_EV_DOWN,			/* lost its slot (refused, data plane gone) */
	ADJ_EV_REMOVED,			/* about to be freed */
};

typedef void (*adj_listener_cb)(struct ctl *c, struct adj *a, enum adj_event ev, void *arg);

struct adj_stats {
	uint64_t published, publish_failed, unpublished, adopted, adopted_dynamic, swept;
	uint64_t no_slot, unpublish_refused;
};

struct adj_table {
	struct hmap map;
	struct adj_slot *slots;
	uint32_t n_slots;		/* 0 while no segment is attached */
	uint32_t *freeq;		/* FIFO of free slots: a freed slot is reused last */
	uint32_t free_head, free_count;
	uint32_t retire_head;		/* RETIRING slots, ADJ_NO_SLOT-terminated */
	uint32_t fence_seq;
	struct loop_timer retry;	/* refused unpublishes are tried again */
	uint32_t n_used;		/* slots not FREE */
	TAILQ_HEAD(, adj) waitq;	/* adjacencies without a slot */
	struct {
		adj_listener_cb cb;
		void *arg;
	} listeners[ADJ_MAX_LISTENERS];
	struct adj_stats st;
};

void adj_table_init(struct ctl *c);
void adj_table_fini(struct ctl *c);

/* ---- API for the NHRP module ---- */

/* Create or update the entry for (tunnel, overlay).  holdtime_s 0 = never
 * expires.  A change of anything the data plane uses republishes it
 * make-before-break; a refreshed holdtime alone only moves expires_ns. */
struct adj *adj_upsert(struct ctl *c, uint8_t tunnel, uint32_t overlay, uint32_t nbma,
		       uint16_t nbma_port, uint32_t flags, uint32_t holdtime_s,
		       uint8_t prefix_len);
/* Remove by key; false when absent.  Routes are repointed first. */
bool adj_remove(struct ctl *c, uint8_t tunnel, uint32_t overlay);
void adj_del(struct ctl *c, struct adj *a);
struct adj *adj_find(const struct ctl *c, uint8_t tunnel, uint32_t overlay);
/* Every adjacency; the returned one may be deleted before the next call. */
struct adj *adj_walk(const struct ctl *c, uint32_t *cursor, struct hnode **next);
/*   uint32_t cur = 0; struct hnode *nx = NULL; struct adj *a;
 *   while ((a = adj_walk(c, &cur, &nx))) ...   */
uint32_t adj_count(const struct ctl *c);

/* The state of its current slot (FREE when it has none). */
enum adj_state adj_state_get(const struct ctl *c, const struct adj *a);
/* Routes may point at it (slot PUBLISHING or LIVE). */
bool adj_usable(const struct ctl *c, const struct adj *a);
int adj_listener_add(struct ctl *c, adj_listener_cb cb, void *arg);
/* Fields the NHRP / IKE modules own; republishes when they change. */
void adj_set_sa(struct ctl *c, struct adj *a, uint32_t sa_out);
void adj_set_nhrp_flags(struct ctl *c, struct adj *a, uint32_t nhrp_flags);

const char *adj_state_name(enum adj_state s);
/* "static nhs" ... for show output */
void adj_flags_fmt(uint32_t flags, char *buf, size_t len);

/* ---- used by sync.c ---- */

/* Publish entries without a slot, republish those whose slot differs from
 * the desired image.  Needs the data plane in replay or sync. */
void adj_sync_one(struct ctl *c, struct adj *a);
void adj_sync_all(struct ctl *c);
/* New segment: n_slots FREE, every adjacency loses its slot. */
void adj_slots_attach(struct ctl *c, uint32_t n_slots);
void adj_slots_detach(struct ctl *c);
/* Controller (re)start against a running data plane: adopt matching slots,
 * hand fresh dynamic ones to the modules, mark the rest RETIRING. */
void adj_adopt_scan(struct ctl *c);
/* Put a fence behind everything sent so far; retiring slots then unpublish. */
void adj_retire_flush(struct ctl *c);
/* Give freed slots to adjacencies waiting for one. */
void adj_waitq_service(struct ctl *c);
/* Desired slot image of an adjacency (controller-owned part only). */
void adj_image(const struct ctl *c, const struct adj *a, struct shm_adj *img);

#endif
