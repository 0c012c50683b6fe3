/* SPDX-License-Identifier: BSD-3-Clause */
#include "loop.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAX_EVENTS 64

struct loop_fd {
	loop_fd_cb cb;
	void *arg;
};

struct loop {
	int epfd;
	bool stop;
	struct loop_fd **fds;		/* indexed by fd */
	int n_fds;
	struct loop_timer **heap;	/* min-heap on (when_ms, order) */
	uint32_t heap_len, heap_cap;
	uint64_t order;
};

/* Tests only: how far loop_clock_advance() moved the clock. */
static uint64_t loop_clock_offset_ms;

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u +
	       loop_clock_offset_ms;
}

void loop_clock_advance(uint64_t ms)
{
	loop_clock_offset_ms += ms;
}

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	return l;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->n_fds; i++)
		free(l->fds[i]);
	free(l->fds);
	free(l->heap);
	close(l->epfd);
	free(l);
}

/* ---- file descriptors ---- */

static int loop_fd_slot(struct loop *l, int fd)
{
	if (fd < l->n_fds)
		return 0;
	int n = fd + 16;
	struct loop_fd **f = realloc(l->fds, (size_t)n * sizeof(*f));

	if (!f)
		return -ENOMEM;
	memset(f + l->n_fds, 0, (size_t)(n - l->n_fds) * sizeof(*f));
	l->fds = f;
	l->n_fds = n;
	return 0;
}

int loop_fd_add(struct loop *l, int fd, uint32_t events, loop_fd_cb cb, void *arg)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };
	struct loop_fd *h;

	if (fd < 0)
		return -EINVAL;
	if (loop_fd_slot(l, fd) < 0)
		return -ENOMEM;
	if (l->fds[fd])
		return -EEXIST;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->cb = cb;
	h->arg = arg;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		int err = -errno;

		free(h);
		return err;
	}
	l->fds[fd] = h;
	return 0;
}

int loop_fd_mod(struct loop *l, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0 ? -errno : 0;
}

void loop_fd_del(struct loop *l, int fd)
{
	if (fd < 0 || fd >= l->n_fds || !l->fds[fd])
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
	free(l->fds[fd]);
	l->fds[fd] = NULL;
}

/* ---- timers: binary min-heap ---- */

static bool timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
	return a->when_ms < b->when_ms || (a->when_ms == b->when_ms && a->order < b->order);
}

static void heap_set(struct loop *l, uint32_t i, struct loop_timer *t)
{
	l->heap[i] = t;
	t->idx = i + 1;
}

static void heap_up(struct loop *l, uint32_t i)
{
	struct loop_timer *t = l->heap[i];

	while (i > 0) {
		uint32_t p = (i - 1) / 2;

		if (!timer_before(t, l->heap[p]))
			break;
		heap_set(l, i, l->heap[p]);
		i = p;
	}
	heap_set(l, i, t);
}

static void heap_down(struct loop *l, uint32_t i)
{
	struct loop_timer *t = l->heap[i];

	for (;;) {
		uint32_t c = 2 * i + 1;

		if (c >= l->heap_len)
			break;
		if (c + 1 < l->heap_len && timer_before(l->heap[c + 1], l->heap[c]))
			c++;
		if (!timer_before(l->heap[c], t))
			break;
		heap_set(l, i, l->heap[c]);
		i = c;
	}
	heap_set(l, i, t);
}

void loop_timer_init(struct loop_timer *t, loop_timer_cb cb, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->cb = cb;
	t->arg = arg;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	uint32_t i;
	struct loop_timer *last;

	if (!t->idx)
		return;
	i = t->idx - 1;
	t->idx = 0;
	last = l->heap[--l->heap_len];
	if (i == l->heap_len)
		return;
	heap_set(l, i, last);
	heap_up(l, i);
	heap_down(l, last->idx - 1);
}

void loop_timer_arm_at(struct loop *l, struct loop_timer *t, uint64_t when_ms)
{
	loop_timer_cancel(l, t);
	if (l->heap_len == l->heap_cap) {
		uint32_t cap = l->heap_cap ? l->heap_cap * 2 : 256;
		struct loop_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h)
			abort();	/* a lost timer would silently stall a protocol */
		l->heap = h;
		l->heap_cap = cap;
	}
	t->when_ms = when_ms;
	t->order = l->order++;
	l->heap[l->heap_len] = t;
	heap_up(l, l->heap_len++);
}

void loop_timer_arm(struct loop *l, struct loop_timer *t, uint64_t delay_ms)
{
	loop_timer_arm_at(l, t, loop_now_ms() + delay_ms);
}

uint64_t loop_timer_remaining(const struct loop_timer *t)
{
	uint64_t now = loop_now_ms();

	if (!t->idx)
		return UINT64_MAX;
	return t->when_ms > now ? t->when_ms - now : 0;
}

uint32_t loop_timer_count(const struct loop *l)
{
	return l->heap_len;
}

/* Fires every timer due now; timers armed by callbacks for "now" run in
 * the next round so a zero-delay re-arm cannot starve fd events. */
static int loop_timers_run(struct loop *l)
{
	uint64_t now = loop_now_ms();
	uint64_t limit = l->order;
	int n = 0;

	while (l->heap_len && l->heap[0]->when_ms <= now && l->heap[0]->order < limit) {
		struct loop_timer *t = l->heap[0];

		loop_timer_cancel(l, t);
		t->cb(l, t, t->arg);
		n++;
	}
	return n;
}

static int loop_wait_ms(const struct loop *l, int max_wait_ms)
{
	uint64_t now, when;

	if (!l->heap_len)
		return max_wait_ms;
	now = loop_now_ms();
	when = l->heap[0]->when_ms;
	if (when <= now)
		return 0;
	if (max_wait_ms >= 0 && (uint64_t)max_wait_ms < when - now)
		return max_wait_ms;
	return when - now > 60000 ? 60000 : (int)(when - now);
}

int loop_run_once(struct loop *l, int max_wait_ms)
{
	struct epoll_event ev[LOOP_MAX_EVENTS];
	int n = loop_timers_run(l);
	int k = epoll_wait(l->epfd, ev, LOOP_MAX_EVENTS, n ? 0 : loop_wait_ms(l, max_wait_ms));

	for (int i = 0; i < k; i++) {
		int fd = ev[i].data.fd;

		/* looked up per event: an earlier callback may have removed it */
		if (fd < l->n_fds && l->fds[fd])
			l->fds[fd]->cb(l, fd, ev[i].events, l->fds[fd]->arg);
	}
	return n + (k > 0 ? k : 0);
}

void loop_run(struct loop *l)
{
	l->stop = false;
	while (!l->stop)
		loop_run_once(l, -1);
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}
