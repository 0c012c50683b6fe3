/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Desired state from the configuration, and its sync to the data plane.
 *
 * States (sync_state_set logs "sync: from -> to"):
 *
 *   DOWN      no data plane attached
 *   REFUSED   attached, but its ports differ from the configuration
 *             (restart the data plane with this config); nothing is sent
 *   REPLAYING replay in flight: HELLO, REPLAY_BEGIN(gen), ports, tunnel,
 *             adjacency publishes, routes, neighbours, REPLAY_END(gen)
 *   SYNCED    REPLAY_END acknowledged; changes are sent as they happen
 *
 * Every attach runs the same procedure: slots found published are adopted
 * when they equal a desired adjacency (a restarted controller: no message,
 * not a packet lost), fresh dynamic ones go to the modules, the rest is
 * unpublished after REPLAY_END (when the data plane has swept the routes of
 * older generations that pointed at them).  A new segment simply has no
 * published slot, so the same procedure is a full replay.
 *
 * The generation continues from the segment header's controller_gen, so a
 * restarted controller always replays with a newer one.
 *
 * Timers: sync_flush (zero delay, coalesces changes of one loop round),
 * sync_retry (1 s after a refused REPLAY_END).
 */
#ifndef DMVPN_CP_SYNC_H
#define DMVPN_CP_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "dpconn.h"
#include "loop.h"
#include "msg.h"

struct ctl;

#define SYNC_RETRY_MS 1000

enum sync_state {
	SYNC_DOWN = 0,
	SYNC_REFUSED,
	SYNC_REPLAYING,
	SYNC_SYNCED,
	SYNC__MAX
};

struct sync_stats {
	uint64_t replays, replays_done, replay_failed, reloads, reloads_refused;
};

struct sync {
	enum sync_state state;
	uint32_t gen;			/* generation of the current replay */
	uint64_t epoch;			/* epoch of the data plane we replayed into */
	uint64_t synced_ms;		/* when REPLAY_END was acked */
	char refused[256];		/* why REFUSED */
	struct msg_port port_sent[SHM_MAX_PORTS];
	bool port_valid[SHM_MAX_PORTS];
	struct msg_tunnel tun_sent;
	bool tun_valid;
	struct msg_nbr *nbr_sent;	/* static neighbours as last sent */
	uint32_t n_nbr_sent;
	struct loop_timer flush;
	struct loop_timer retry;
	struct sync_stats st;
};

void sync_init(struct ctl *c);
void sync_fini(struct ctl *c);

/* dpconn callbacks */
void sync_dp_up(struct ctl *c);
void sync_dp_down(struct ctl *c);

/* Messages may be sent (REPLAYING or SYNCED). */
bool sync_can_send(const struct ctl *c);
/* Schedule a flush of pending changes (coalesced, zero delay). */
void sync_kick(struct ctl *c);
/* Flush now: tunnel (NHS slot), routes, then unpublish retired slots. */
void sync_flush_now(struct ctl *c);
const char *sync_state_name(enum sync_state s);

/* Desired state from c->conf: static adjacencies and configured routes. */
void sync_conf_apply(struct ctl *c);
/* Reload c->conf_path; on error fills err ("FILE:LINE: msg"), keeps the
 * running state and returns -1.  Returns the number of control messages
 * the change queued. */
int sync_reload(struct ctl *c, char *err, size_t err_len);

/* Send one control message (cb gets c as arg); logs failures. */
int sync_send(struct ctl *c, uint16_t type, const void *body, uint16_t len);
int sync_send_cb(struct ctl *c, uint16_t type, const void *body, uint16_t len, dp_done_cb cb);

#endif
