/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller's connection to the data plane: the shared-memory segment
 * and its four rings, and the doorbell socket.
 *
 * States (one transition function, logged at debug level):
 *
 *   DOWN  -- segment attached, data plane WAITING/READY -->  WAIT
 *   WAIT  -- messages of a previous controller all acked -->  UP   (owner's up() runs)
 *   UP / WAIT -- data plane gone (new inode, file removed, dp_state STOPPING,
 *                heartbeat frozen for SHM_HEARTBEAT_DEAD_MS with dp_pid dead)
 *                --> DOWN (pending messages aborted with -ECONNRESET, owner's down())
 *
 * Timers: dpc_tick every DPCONN_TICK_MS (attach retry, liveness, drain all
 * rings: a safety net for a lost doorbell); a zero-delay kick when fences or
 * punts are left over.
 *
 * Control messages carry an increasing seq; the data plane acks each one on
 * the reply ring (in order, except *_UNPUBLISH after an RCU grace period).
 * When the control ring is full, messages wait in a local FIFO and are
 * pushed as the data plane frees entries.  A fence runs a callback once
 * everything sent before it is acknowledged (make-before-break ordering).
 */
#ifndef DMVPN_CP_DPCONN_H
#define DMVPN_CP_DPCONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hmap.h"
#include "loop.h"
#include "msg.h"
#include "shm.h"

#define DPCONN_TICK_MS 100
#define DPCONN_DRAIN_WAIT_MS 2000	/* wait for a previous controller's acks */
#define DPCONN_PUNT_BUDGET 1024		/* punt entries per drain round */
#define DPCONN_BODY_MAX (SHM_CTL_ENTRY_SIZE - sizeof(struct msg_hdr))

enum dpc_state {
	DPC_DOWN = 0,
	DPC_WAIT = 1,
	DPC_UP = 2,
	DPC__MAX
};

struct dpconn;
struct dp_msg;

/* status: 0 ok; > 0 errno returned by the data plane; -ECONNRESET when the
 * data plane went away before acknowledging. */
typedef void (*dp_done_cb)(struct dpconn *dc, const struct dp_msg *m, int status, void *arg);
typedef void (*dp_fence_cb)(struct dpconn *dc, int status, void *arg);
/* body: len bytes (h->len), valid only during the call */
typedef void (*dp_punt_cb)(struct dpconn *dc, const struct msg_hdr *h, const void *body,
			   void *arg);

struct dp_msg {
	struct dp_msg *next;		/* outstanding FIFO (seq order) */
	struct hnode node;		/* by seq, while in flight */
	uint32_t seq;
	uint16_t type;
	uint16_t len;
	bool in_ring;
	dp_done_cb cb;
	void *arg;
	uint64_t sent_ms;
	uint8_t body[DPCONN_BODY_MAX] __attribute__((aligned(8)));
};

struct dpconn_ops {
	/* attached and ready for messages: replay now */
	void (*up)(struct dpconn *dc, void *arg);
	/* the data plane is gone; everything in flight was aborted */
	void (*down)(struct dpconn *dc, void *arg);
};

struct dpconn_stats {
	uint64_t sent, acked, nacked, aborted, stale_acks;
	uint64_t queued_hwm;
	uint64_t punts, punt_bad, punt_unhandled;
	uint64_t punts_nhrp, punts_ike, punts_events;	/* by type, handled or not */
	uint64_t injects, inject_full;
	uint64_t attaches, losses, bells;
};

struct dp_fence {
	struct dp_fence *next;
	uint32_t seq;			/* fires when every seq <= this is acked */
	dp_fence_cb cb;
	void *arg;
};

struct dpconn {
	struct loop *loop;
	char seg_path[256];
	char bell_path[256];
	struct dpconn_ops ops;
	void *ops_arg;

	enum dpc_state state;
	struct shm_seg seg;
	struct shm_ring *ctl, *reply, *punt, *inject;
	dev_t dev;
	ino_t ino;
	uint64_t epoch;
	dev_t dead_dev;			/* a segment whose data plane died: not re-attached */
	ino_t dead_ino;
	uint64_t hb_last;
	uint64_t hb_change_ms;
	bool hb_warned;
	uint64_t wait_since_ms;
	bool wait_logged;

	uint32_t seq;			/* last seq used */
	struct dp_msg *out_head;	/* outstanding, seq order */
	struct dp_msg **out_tail;
	struct dp_msg *first_queued;	/* first not yet in the ring */
	uint32_t n_queued, n_inflight;
	struct hmap inflight;
	struct dp_fence *fences;	/* seq order */
	struct dp_fence **fence_tail;

	struct {
		dp_punt_cb cb;
		void *arg;
	} punt_h[256];

	int bell_fd;
	struct loop_timer tick;
	struct loop_timer kick;
	struct dpconn_stats st;
};

/* Binds the doorbell (removing a stale socket file) and starts trying to
 * attach every DPCONN_TICK_MS. */
int dpconn_init(struct dpconn *dc, struct loop *l, const char *seg_path, const char *bell_path,
		const struct dpconn_ops *ops, void *arg) __attribute__((warn_unused_result));
/* Detaches without a single message: the data plane keeps forwarding. */
void dpconn_fini(struct dpconn *dc);

static inline bool dpconn_is_up(const struct dpconn *dc)
{
	return dc->state == DPC_UP;
}

/* The attached segment (DPC_WAIT / DPC_UP), else NULL. */
const struct shm_seg *dpconn_seg(const struct dpconn *dc);
struct shm_header *dpconn_hdr(const struct dpconn *dc);
const char *dpc_state_name(enum dpc_state s);
const char *dp_msg_name(uint16_t type);

/* Queue a control message.  -ENOTCONN unless UP, -EMSGSIZE, -ENOMEM. */
int dpconn_send(struct dpconn *dc, uint16_t type, const void *body, uint16_t len,
		dp_done_cb cb, void *arg);
/* cb runs when everything sent so far is acknowledged (or aborted). */
int dpconn_fence(struct dpconn *dc, dp_fence_cb cb, void *arg);
/* Messages not yet acknowledged (queued + in flight). */
uint32_t dpconn_outstanding(const struct dpconn *dc);

/* The NHRP / IKE modules register for MSG_PUNT_NHRP, MSG_EV_ADJ_MISS,
 * MSG_EV_HAIRPIN, MSG_PUNT_IKE, MSG_EV_SA.  One handler per type. */
int dpconn_punt_register(struct dpconn *dc, uint16_t type, dp_punt_cb cb, void *arg);

/* NHRP to send on a tunnel to an NBMA address (dport: peer UDP port behind
 * NAT, 0 = none).  -ENOTCONN, -EMSGSIZE, -ENOBUFS (inject ring full: the
 * protocol's retransmission covers it). */
int dpconn_inject_nhrp(struct dpconn *dc, uint8_t tunnel, uint32_t dst_nbma, uint16_t dport,
		       const void *bytes, size_t len);
int dpconn_inject_ike(struct dpconn *dc, uint8_t tunnel, uint32_t dst, uint16_t sport,
		      uint16_t dport, const void *bytes, size_t len);

/* Process every ring now (the doorbell and the tick call this). */
void dpconn_drain(struct dpconn *dc);
/* Run the attach / liveness check now (tests; the tick calls it). */
void dpconn_poll(struct dpconn *dc);

/* Generation bookkeeping in the segment header. */
void dpconn_gen_set(struct dpconn *dc, uint32_t gen);

#endif
