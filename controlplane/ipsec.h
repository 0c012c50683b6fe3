/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPsec in the controller (docs/ipsec.md): the segment's SA slots, the
 * manually keyed SAs of the configuration, and the show commands.
 *
 *   ipsec_sa.c      SA slots: allocation, publish / unpublish, adoption of
 *                   a running data plane's slots, replay into a new one,
 *                   lifetimes, MSG_EV_SA
 *   ipsec_manual.c  ipsec.sa of the configuration: one inbound + one
 *                   outbound SA per peer, bound to the adjacencies of that
 *                   NBMA address (adj_set_sa), make-before-break rekey
 *   ipsec_show.c    show crypto ipsec sa [peer A.B.C.D], show crypto map
 *   ipsec_module.c  the controller module: hooks, timer, CLI, punts
 *
 * SA slot states (one transition function, logged at debug level as
 * "ipsec sa 0x00001001 in: publishing -> live (slot 3)"):
 *
 *   FREE -> PUBLISHING -> LIVE -> RETIRING -> UNPUBLISHING -> FREE
 *   PUBLISHING -> FREE            the data plane refused it (logged, SA failed)
 *   PUBLISHING -> RETIRING        withdrawn before the publish was acked
 *   FREE -> LIVE                  adopted from a running data plane
 *   UNPUBLISHING -> RETIRING      refused (EBUSY: an adjacency still sends
 *                                 with it): tried again
 *
 * An outbound SA leaves RETIRING only when no adjacency slot the controller
 * holds (in any state but free) names it: the data plane refuses to
 * unpublish an SA an adjacency uses.  The control ring is applied in order,
 * so an adjacency published after its SA's MSG_SA_PUBLISH never reaches a
 * data plane without the SA.
 */
#ifndef DMVPN_CP_IPSEC_H
#define DMVPN_CP_IPSEC_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "hmap.h"
#include "loop.h"
#include "shm.h"

struct ctl;
struct cli;
struct adj;

#define IPSEC_NO_SLOT UINT32_MAX
#define IPSEC_TICK_MS 100
/* Sequence numbers the data plane may have used since it last mirrored
 * seq_out (its 100 ms timer covers 4096 SA slots per round: every 400 ms
 * with the default 16384 slots) and we last read it (every 100 ms):
 * skipped when an outbound SA is replayed into a new data plane, so the
 * peer never sees a number twice.  2^24 covers 1.6 s at 10 Mpps. */
#define IPSEC_SEQ_RESTART_MARGIN (1ull << 24)

enum ipsec_slot_state {
	IPS_FREE = 0,
	IPS_PUBLISHING,
	IPS_LIVE,
	IPS_RETIRING,
	IPS_UNPUBLISHING,
	IPS__MAX
};

/* Lifetime state of an SA, for logs and show. */
enum ipsec_life {
	IPL_ACTIVE = 0,
	IPL_SOFT,		/* soft lifetime reached: rekey due (manual: nothing can) */
	IPL_EXPIRED,		/* hard lifetime reached: the SA refuses packets */
};

/* One SA (one direction) the controller wants in the data plane. */
struct ipsec_sa {
	struct ipsec_sa *next;		/* all SAs (ipsec_tab.list) */
	struct ipsec_sa **pprev;	/* what points at this one: O(1) unlink */
	struct hnode spi_node;		/* ipsec_tab.by_spi, by (direction, SPI) */
	struct shm_sa img;		/* controller part of the slot image: keys, wiped */
	uint32_t slot;			/* current slot or IPSEC_NO_SLOT */
	bool inbound;
	bool withdrawn;			/* owner let go: freed once its slot is free */
	bool failed;			/* the data plane refused the last publish */
	bool manual;			/* owner is an ipsec_peer (ipsec_manual.c) */
	uint8_t life;			/* enum ipsec_life */
	uint32_t dp_events;		/* SA_EV_* reported by the data plane */
	uint64_t installed_ms;		/* loop clock, first publish */
	uint64_t installed_ns;		/* CLOCK_REALTIME, first publish */
	uint64_t seq_seen;		/* last seq_out / seq_in_top read from the slot */
	uint32_t life_seconds;		/* hard, 0 = none (enforced here) */
	uint32_t soft_seconds;
	struct ipsec_sa *after;		/* publish only once this one's slot is free */
	void *owner;			/* ipsec_manual's peer, or (later) IKE's CHILD_SA */
	char transform[64];		/* "esp-gcm 256" for show */
	char profile[CONF_NAME_LEN];
};

struct ipsec_slot {
	uint8_t state;			/* enum ipsec_slot_state */
	bool published;			/* the data plane accepted the publish */
	struct ipsec_sa *sa;		/* NULL for a swept foreign slot */
	uint32_t spi;			/* for logs once the SA is gone */
};

struct ipsec_stats {
	uint64_t published, publish_failed, unpublished, unpublish_busy, adopted, swept;
	uint64_t ev_soft, ev_hard, ev_seq_high, ev_unknown;
	uint64_t no_slot;
};

struct ipsec_tab {
	struct ipsec_slot *slots;
	uint32_t n_slots;		/* 0 while no segment is attached */
	uint32_t cursor;		/* next slot to try */
	struct ipsec_sa *list;
	struct hmap by_spi;		/* ipsec_sa by (direction, SPI): same-SPI
					 * ordering and adoption without a walk */
	struct ipsec_stats st;
};

enum ipsec_phase {
	IPP_STABLE = 0,
	IPP_SWITCHING,			/* new SAs in, sending on the old outbound */
	IPP_DRAINING,			/* sending on the new one, old inbound kept */
};

/* A peer with manually keyed SAs (ipsec.sa). */
struct ipsec_peer {
	struct hnode node;
	uint32_t nbma;			/* network order */
	struct conf_ipsec_sa cfg;	/* as configured (keys: wiped on free) */
	struct ipsec_sa *in, *out;	/* current generation */
	struct ipsec_sa *old_in, *old_out;	/* previous generation during a switch */
	uint8_t phase;			/* enum ipsec_phase */
	uint64_t deadline_ms;		/* SWITCHING: switch at the latest; DRAINING: drop old in */
	uint64_t switched_ms;		/* DRAINING: when we switched */
	uint64_t new_in_seen_ms;	/* first packet seen on the new inbound SA, 0 = none */
	uint32_t generation;		/* 1 at the first install, +1 per rekey */
	bool mark;			/* reload: still configured */
};

struct ipsec_mod {
	struct ctl *c;
	struct ipsec_tab tab;
	struct hmap peers;		/* ipsec_peer by NBMA */
	struct loop_timer tick;
	bool applying;			/* in ipsec_manual_apply: bind once at the end */
	bool bind_pending;
};

/* ---- ipsec_module.c ---- */
int ipsec_module_init(struct ctl *c) __attribute__((warn_unused_result));
struct ipsec_mod *ipsec_mod_get(const struct ctl *c);

/* ---- ipsec_sa.c ---- */
void ipsec_tab_init(struct ipsec_mod *m);
void ipsec_tab_fini(struct ipsec_mod *m);
/* A new SA from its image (copied); published when the data plane is in
 * replay or sync (else at the next replay). */
struct ipsec_sa *ipsec_sa_add(struct ipsec_mod *m, const struct shm_sa *img, uint64_t seq,
			      void *owner);
/* Withdraw: unpublished make-before-break (outbound: once no adjacency
 * slot names it); the record is freed when its slot is free. */
void ipsec_sa_del(struct ipsec_mod *m, struct ipsec_sa *sa);
/* Publish when possible (no slot yet, data plane can take messages). */
void ipsec_sa_sync(struct ipsec_mod *m, struct ipsec_sa *sa);
/* Slot + 1 for adj_set_sa() when the SA is usable (publishing or live), 0 otherwise. */
uint32_t ipsec_sa_ref(const struct ipsec_mod *m, const struct ipsec_sa *sa);
bool ipsec_sa_usable(const struct ipsec_mod *m, const struct ipsec_sa *sa);
/* Summed per-worker counters of its slot (zeros without one). */
void ipsec_sa_counters(const struct ipsec_mod *m, const struct ipsec_sa *sa,
		       struct shm_sa_ctr *out);
/* Attach / detach / replay hooks and the 100 ms tick. */
void ipsec_tab_attach(struct ipsec_mod *m);
void ipsec_tab_replay(struct ipsec_mod *m);
void ipsec_tab_lost(struct ipsec_mod *m);
void ipsec_tab_tick(struct ipsec_mod *m);
void ipsec_sa_event(struct ipsec_mod *m, uint32_t slot, uint32_t events, uint64_t pkts,
		    uint64_t bytes, uint64_t seq);
/* The controller-owned parts are equal, generation and creation time aside. */
bool ipsec_img_equal(const struct shm_sa *a, const struct shm_sa *b);
const char *ipsec_slot_state_name(enum ipsec_slot_state s);
const char *ipsec_life_name(enum ipsec_life l);
/* "peer 198.51.100.2 in spi 0x00001001" for logs */
const char *ipsec_sa_fmt(const struct ipsec_sa *sa, char *buf, size_t len);

/* ---- ipsec_manual.c ---- */
void ipsec_manual_apply(struct ipsec_mod *m);
void ipsec_manual_tick(struct ipsec_mod *m);
void ipsec_manual_bind_all(struct ipsec_mod *m);
void ipsec_manual_adj_event(struct ipsec_mod *m, struct adj *a);
void ipsec_manual_fini(struct ipsec_mod *m);
/* An SA's hard lifetime in seconds ended: withdraw it (adjacencies first). */
void ipsec_manual_sa_expired(struct ipsec_mod *m, struct ipsec_sa *sa);
struct ipsec_peer *ipsec_peer_find(const struct ipsec_mod *m, uint32_t nbma);
/* Fills img from a configured SA (direction by `inbound`). */
void ipsec_manual_image(const struct ctl *c, const struct conf_ipsec_sa *cs, bool inbound,
			struct shm_sa *img);

/* ---- ipsec_show.c ---- */
void ipsec_show_register(struct cli *cli);

#endif
