/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The controller's event loop: epoll for file descriptors, and timers on
 * CLOCK_MONOTONIC kept in a binary min-heap (O(log n) arm and cancel, O(1)
 * to find the next deadline), sized for the NHRP module's ~100k cache
 * timers.  Single-threaded: every callback runs on the loop's thread.
 *
 *   struct loop_timer t;
 *   loop_timer_init(&t, on_expire, arg);
 *   loop_timer_arm(loop, &t, 2500);     (re-arming moves the deadline)
 *   loop_timer_cancel(loop, &t);        (harmless when not armed)
 *
 * Timers with the same deadline fire in the order they were armed.  A timer
 * callback may re-arm its own timer or free it (it is unlinked first).
 */
#ifndef DMVPN_CP_LOOP_H
#define DMVPN_CP_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;
struct loop_timer;

typedef void (*loop_fd_cb)(struct loop *l, int fd, uint32_t events, void *arg);
typedef void (*loop_timer_cb)(struct loop *l, struct loop_timer *t, void *arg);

struct loop_timer {
	uint64_t when_ms;	/* deadline, loop_now_ms() clock */
	uint64_t order;		/* ties: arming order */
	uint32_t idx;		/* heap index + 1; 0 = not armed */
	loop_timer_cb cb;
	void *arg;
};

/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t loop_now_ms(void);
/* Tests only: jump the clock forward by ms (process-wide, never back), so
 * protocol timers (NHRP holdtimes, backoff) are tested without sleeping;
 * the timers now due fire at the next loop_run_once(). */
void loop_clock_advance(uint64_t ms);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* events: EPOLLIN / EPOLLOUT ...  One handler per fd. */
int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg)
	__attribute__((warn_unused_result));
int loop_fd_mod(struct loop *l, int fd, uint32_t events);
/* Safe from inside any callback, also for an fd with an event pending in
 * the current batch (it is not dispatched any more). */
void loop_fd_del(struct loop *l, int fd);

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg);
void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t delay_ms);
void loop_timer_arm_at(struct loop *l, struct loop_timer *t, uint64_t when_ms);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);

static inline bool loop_timer_armed(const struct loop_timer *t)
{
	return t->idx != 0;
}

/* Milliseconds until t fires (0 when due), or UINT64_MAX when not armed. */
uint64_t loop_timer_remaining(const struct loop_timer *t);
uint32_t loop_timer_count(const struct loop *l);

/* Runs expired timers, then waits up to max_wait_ms (-1: until the next
 * timer) for fd events and dispatches them.  Returns events handled. */
int loop_run_once(struct loop *l, int max_wait_ms);
/* Until loop_stop(). */
void loop_run(struct loop *l);
void loop_stop(struct loop *l);

#endif
