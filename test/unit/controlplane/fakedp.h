/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake data plane for the controller's tests: it creates a real segment
 * (shm_create), consumes the control ring, acknowledges every message and
 * applies it to a small in-memory model with the contract's semantics:
 *
 *   routes per table with their generation, published slots, static
 *   neighbours, ports, tunnel; mark-and-sweep at REPLAY_END(gen);
 *   ADJ_UNPUBLISH acknowledged only after `grace_polls` polls (RCU).
 *
 * Anything the controller must never do is counted as a violation and
 * refused like the real data plane would: a route to an unpublished slot,
 * unpublishing a slot a route or the tunnel still uses, publishing a live
 * slot.  Every control message is logged in order for the tests.
 *
 * Driven in-process: the test alternates fakedp_poll() and the
 * controller's loop_run_once().
 */
#ifndef DMVPN_TEST_FAKEDP_H
#define DMVPN_TEST_FAKEDP_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "msg.h"
#include "shm.h"

#define FDP_MAX_ROUTES 256
#define FDP_MAX_NBRS 64
#define FDP_MAX_GRACE 1024

struct fdp_route {
	uint8_t table, plen, nh_type, port;
	uint32_t prefix, value, gen;
};

struct fdp_nbr {
	uint16_t port;
	uint8_t mac[6];
	uint32_t addr, gen;
};

struct fdp_log {
	uint16_t type;
	uint16_t len;
	uint32_t seq;
	uint8_t body[120];
};

struct fakedp_opts {
	uint32_t adj_slots;		/* default 64 */
	uint32_t ctl_entries;		/* default 256 */
	uint32_t n_workers;		/* default 2 */
};

struct fakedp {
	struct shm_seg seg;
	char seg_path[256];
	char bell_path[256];
	int bell_fd;

	struct fdp_route routes[FDP_MAX_ROUTES];
	unsigned int n_routes;
	struct fdp_nbr nbrs[FDP_MAX_NBRS];
	unsigned int n_nbrs;
	struct msg_port ports[SHM_MAX_PORTS];
	bool port_set[SHM_MAX_PORTS];
	struct msg_tunnel tunnel;
	bool tunnel_set;
	uint32_t replay_gen;		/* REPLAY_BEGIN in progress */
	int32_t hello_pid;

	struct fdp_log *log;
	unsigned int n_log, cap_log;

	struct {
		uint32_t seq, slot;
		unsigned int polls_left;
	} grace[FDP_MAX_GRACE];
	unsigned int n_grace;

	/* knobs */
	unsigned int grace_polls;	/* default 2 */
	unsigned int max_per_poll;	/* 0 = everything in the ring */
	bool paused;			/* consume nothing (ring fills up) */
	bool no_heartbeat;
	int refuse_publish;		/* errno for every ADJ_PUBLISH; 0 = accept */

	/* counters */
	unsigned int violations;
	char last_violation[256];
	unsigned int acks, publishes, unpublishes, swept_routes, swept_nbrs;
};

/* Creates <dir>/dmvpn-<instance>.seg with one port per conf interface. */
int fakedp_start(struct fakedp *f, const struct conf *cf, const struct fakedp_opts *o);
/* destroy: remove the file (clean stop); else leave it (a crash). */
void fakedp_stop(struct fakedp *f, bool destroy);
/* One main-lcore iteration: heartbeat, control ring, grace periods, acks,
 * doorbell.  Returns the control messages consumed. */
unsigned int fakedp_poll(struct fakedp *f);

const struct fdp_route *fakedp_route(const struct fakedp *f, uint8_t table, const char *prefix);
const struct fdp_nbr *fakedp_nbr(const struct fakedp *f, uint16_t port, const char *addr);
bool fakedp_slot_live(const struct fakedp *f, uint32_t slot);
unsigned int fakedp_slots_live(const struct fakedp *f);
unsigned int fakedp_count(const struct fakedp *f, uint16_t type, unsigned int from);
/* Index in the log of the n-th (0-based) message of a type from `from`, or -1. */
int fakedp_find(const struct fakedp *f, uint16_t type, unsigned int from, unsigned int nth);
/* Push a punt entry and ring the bell. */
int fakedp_punt(struct fakedp *f, uint16_t type, const void *body, uint16_t len);
/* Take one inject entry (type, body copied to buf); 0 when empty. */
uint16_t fakedp_inject_take(struct fakedp *f, void *buf, size_t cap, uint16_t *len);

#endif
