/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection to the data plane (see dpconn.h for the states and timers).
 */
#include "dpconn.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

static const char *const dpc_state_names[DPC__MAX] = {
	[DPC_DOWN] = "down",
	[DPC_WAIT] = "waiting",
	[DPC_UP] = "up",
};

const char *dpc_state_name(enum dpc_state s)
{
	return s < DPC__MAX ? dpc_state_names[s] : "?";
}

const char *dp_msg_name(uint16_t type)
{
	static const char *const names[] = {
		[MSG_HELLO] = "HELLO",
		[MSG_REPLAY_BEGIN] = "REPLAY_BEGIN",
		[MSG_REPLAY_END] = "REPLAY_END",
		[MSG_PORT_SET] = "PORT_SET",
		[MSG_TUNNEL_SET] = "TUNNEL_SET",
		[MSG_ADJ_PUBLISH] = "ADJ_PUBLISH",
		[MSG_ADJ_UNPUBLISH] = "ADJ_UNPUBLISH",
		[MSG_SA_PUBLISH] = "SA_PUBLISH",
		[MSG_SA_UNPUBLISH] = "SA_UNPUBLISH",
		[MSG_ROUTE_ADD] = "ROUTE_ADD",
		[MSG_ROUTE_DEL] = "ROUTE_DEL",
		[MSG_NBR_SET] = "NBR_SET",
		[MSG_NBR_DEL] = "NBR_DEL",
		[MSG_CLEAR_COUNTERS] = "CLEAR_COUNTERS",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type])
		return names[type];
	switch (type) {
	case MSG_ACK: return "ACK";
	case MSG_PUNT_NHRP: return "PUNT_NHRP";
	case MSG_PUNT_IKE: return "PUNT_IKE";
	case MSG_EV_ADJ_MISS: return "EV_ADJ_MISS";
	case MSG_EV_HAIRPIN: return "EV_HAIRPIN";
	case MSG_EV_SA: return "EV_SA";
	case MSG_INJECT_NHRP: return "INJECT_NHRP";
	case MSG_INJECT_IKE: return "INJECT_IKE";
	default: return "?";
	}
}

/* Allowed moves; anything else is a bug of ours. */
static void dpc_state_set(struct dpconn *dc, enum dpc_state to)
{
	static const bool ok[DPC__MAX][DPC__MAX] = {
		[DPC_DOWN][DPC_WAIT] = true,
		[DPC_WAIT][DPC_UP] = true,
		[DPC_WAIT][DPC_DOWN] = true,
		[DPC_UP][DPC_DOWN] = true,
	};

	if (!ok[dc->state][to]) {
		log_err("dataplane: invalid transition %s -> %s", dpc_state_name(dc->state),
			dpc_state_name(to));
		abort();
	}
	log_debug("dataplane: %s -> %s", dpc_state_name(dc->state), dpc_state_name(to));
	dc->state = to;
}

static bool seq_before_eq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* A zombie (killed, not reaped yet) is dead for our purposes. */
static bool pid_alive(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool zombie = false;

	if (pid <= 0 || (kill(pid, 0) < 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f && fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ')
		zombie = p[2] == 'Z';
	if (f)
		fclose(f);
	return !zombie;
}

const struct shm_seg *dpconn_seg(const struct dpconn *dc)
{
	return dc->state == DPC_DOWN ? NULL : &dc->seg;
}

struct shm_header *dpconn_hdr(const struct dpconn *dc)
{
	return dc->state == DPC_DOWN ? NULL : dc->seg.hdr;
}

/* ---- outstanding messages and fences ---- */

static void out_unlink(struct dpconn *dc, struct dp_msg *m)
{
	struct dp_msg **pp = &dc->out_head;

	/* almost always the head: acks come in order */
	while (*pp != m)
		pp = &(*pp)->next;
	*pp = m->next;
	if (dc->out_tail == &m->next)
		dc->out_tail = pp;
	if (dc->first_queued == m)
		dc->first_queued = m->next;
}

static void fences_run(struct dpconn *dc, int status)
{
	while (dc->fences) {
		struct dp_fence *f = dc->fences;

		/* a fence waits for every message up to its seq */
		if (status == 0 && dc->out_head && seq_before_eq(dc->out_head->seq, f->seq))
			break;
		dc->fences = f->next;
		if (!dc->fences)
			dc->fence_tail = &dc->fences;
		f->cb(dc, status, f->arg);
		free(f);
	}
}

static void msg_complete(struct dpconn *dc, struct dp_msg *m, int status)
{
	if (m->in_ring) {
		hmap_remove(&dc->inflight, &m->node);
		dc->n_inflight--;
	} else {
		dc->n_queued--;
	}
	out_unlink(dc, m);
	if (m->cb)
		m->cb(dc, m, status, m->arg);
	free(m);
}

static void out_abort_all(struct dpconn *dc)
{
	while (dc->out_head) {
		dc->st.aborted++;
		msg_complete(dc, dc->out_head, -ECONNRESET);
	}
	fences_run(dc, -ECONNRESET);
}

/* Moves queued messages into the control ring while it has room. */
static void queue_push(struct dpconn *dc)
{
	while (dc->first_queued) {
		struct dp_msg *m = dc->first_queued;
		struct msg_hdr *h = ring_reserve(dc->ctl);

		if (!h)
			return;
		h->type = m->type;
		h->len = m->len;
		h->seq = m->seq;
		memcpy(h + 1, m->body, m->len);
		ring_commit(dc->ctl);
		m->in_ring = true;
		m->sent_ms = loop_now_ms();
		dc->first_queued = m->next;
		dc->n_queued--;
		dc->n_inflight++;
		hmap_insert(&dc->inflight, &m->node, m->seq);
	}
}

int dpconn_send(struct dpconn *dc, uint16_t type, const void *body, uint16_t len,
		dp_done_cb cb, void *arg)
{
	struct dp_msg *m;

	if (dc->state != DPC_UP)
		return -ENOTCONN;
	if (len > DPCONN_BODY_MAX || len + sizeof(struct msg_hdr) > dc->ctl->entry_size)
		return -EMSGSIZE;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->seq = ++dc->seq;
	m->type = type;
	m->len = len;
	m->cb = cb;
	m->arg = arg;
	memcpy(m->body, body, len);
	*dc->out_tail = m;
	dc->out_tail = &m->next;
	if (!dc->first_queued)
		dc->first_queued = m;
	dc->n_queued++;
	dc->st.sent++;
	log_debug("dataplane: send %s seq %u", dp_msg_name(type), m->seq);
	queue_push(dc);
	if (dc->n_queued > dc->st.queued_hwm)
		dc->st.queued_hwm = dc->n_queued;
	return 0;
}

int dpconn_fence(struct dpconn *dc, dp_fence_cb cb, void *arg)
{
	struct dp_fence *f;

	if (dc->state != DPC_UP)
		return -ENOTCONN;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->seq = dc->seq;
	f->cb = cb;
	f->arg = arg;
	*dc->fence_tail = f;
	dc->fence_tail = &f->next;
	/* with nothing outstanding it fires from the loop, never re-entrantly */
	loop_timer_arm(dc->loop, &dc->kick, 0);
	return 0;
}

uint32_t dpconn_outstanding(const struct dpconn *dc)
{
	return dc->n_queued + dc->n_inflight;
}

/* ---- rings ---- */

static struct dp_msg *inflight_find(struct dpconn *dc, uint32_t seq)
{
	for (struct hnode *n = hmap_first(&dc->inflight, seq); n; n = hmap_next(n, seq)) {
		struct dp_msg *m = container_of(n, struct dp_msg, node);

		if (m->seq == seq)
			return m;
	}
	return NULL;
}

struct ack_entry {
	struct msg_hdr h;
	struct msg_ack a;
};

static void reply_handle(struct dpconn *dc, const struct ack_entry *e)
{
	struct dp_msg *m;

	if (e->h.type != MSG_ACK || e->h.len < sizeof(e->a)) {
		dc->st.stale_acks++;
		return;
	}
	m = inflight_find(dc, e->a.seq);
	if (!m) {
		dc->st.stale_acks++;
		log_debug("dataplane: ack for unknown seq %u (%s)", e->a.seq,
			  dp_msg_name(e->a.type));
		return;
	}
	dc->st.acked++;
	if (e->a.status) {
		dc->st.nacked++;
		log_warn("dataplane refused %s (seq %u): %s", dp_msg_name(m->type), m->seq,
			 strerror(e->a.status));
	}
	msg_complete(dc, m, e->a.status);
}

static void reply_drain(struct dpconn *dc)
{
	const void *h;

	while (dc->state == DPC_UP && (h = ring_peek(dc->reply))) {
		struct ack_entry e;

		/* copied out: callbacks may send, and the entry is the producer's again */
		memcpy(&e, h, sizeof(e));
		ring_release(dc->reply);
		reply_handle(dc, &e);
	}
}

/* Returns true when entries were left for the next round. */
static bool punt_drain(struct dpconn *dc)
{
	const struct msg_hdr *h;
	unsigned int n = 0;

	while (dc->state == DPC_UP && (h = ring_peek(dc->punt))) {
		if (n++ == DPCONN_PUNT_BUDGET)
			return true;
		dc->st.punts++;
		if (h->type == MSG_PUNT_NHRP)
			dc->st.punts_nhrp++;
		else if (h->type == MSG_PUNT_IKE)
			dc->st.punts_ike++;
		else
			dc->st.punts_events++;
		if (h->len > dc->punt->entry_size - sizeof(*h)) {
			dc->st.punt_bad++;
		} else if (h->type < 256 && dc->punt_h[h->type].cb) {
			/* the handler reads the entry in place; released after it returns */
			dc->punt_h[h->type].cb(dc, h, h + 1, dc->punt_h[h->type].arg);
		} else {
			dc->st.punt_unhandled++;
		}
		if (dc->state == DPC_UP)
			ring_release(dc->punt);
	}
	return false;
}

void dpconn_drain(struct dpconn *dc)
{
	bool more;

	if (dc->state != DPC_UP)
		return;
	reply_drain(dc);
	queue_push(dc);
	fences_run(dc, 0);
	more = punt_drain(dc);
	if (more)
		loop_timer_arm(dc->loop, &dc->kick, 0);
}

int dpconn_punt_register(struct dpconn *dc, uint16_t type, dp_punt_cb cb, void *arg)
{
	if (type >= 256)
		return -EINVAL;
	if (dc->punt_h[type].cb && cb)
		return -EEXIST;
	dc->punt_h[type].cb = cb;
	dc->punt_h[type].arg = arg;
	return 0;
}

static int inject_put(struct dpconn *dc, uint16_t type, const void *sub, size_t sub_len,
		      const void *bytes, size_t len)
{
	struct msg_hdr *h;

	if (dc->state != DPC_UP)
		return -ENOTCONN;
	if (sizeof(*h) + sub_len + len > dc->inject->entry_size)
		return -EMSGSIZE;
	h = ring_reserve(dc->inject);
	if (!h) {
		dc->st.inject_full++;
		return -ENOBUFS;
	}
	h->type = type;
	h->len = (uint16_t)(sub_len + len);
	h->seq = 0;
	memcpy(h + 1, sub, sub_len);
	memcpy((uint8_t *)(h + 1) + sub_len, bytes, len);
	ring_commit(dc->inject);
	dc->st.injects++;
	return 0;
}

int dpconn_inject_nhrp(struct dpconn *dc, uint8_t tunnel, uint32_t dst_nbma, uint16_t dport,
		       const void *bytes, size_t len)
{
	struct msg_inject_nhrp m = {
		.tunnel = tunnel,
		.len = (uint16_t)len,
		.dst = dst_nbma,
		.dport = dport,
	};

	if (len > UINT16_MAX)
		return -EMSGSIZE;
	return inject_put(dc, MSG_INJECT_NHRP, &m, sizeof(m), bytes, len);
}

int dpconn_inject_ike(struct dpconn *dc, uint8_t tunnel, uint32_t dst, uint16_t sport,
		      uint16_t dport, const void *bytes, size_t len)
{
	struct msg_inject_ike m = {
		.tunnel = tunnel,
		.len = (uint16_t)len,
		.dst = dst,
		.sport = sport,
		.dport = dport,
	};

	if (len > UINT16_MAX)
		return -EMSGSIZE;
	return inject_put(dc, MSG_INJECT_IKE, &m, sizeof(m), bytes, len);
}

void dpconn_gen_set(struct dpconn *dc, uint32_t gen)
{
	if (dc->state != DPC_DOWN)
		atomic_store(&dc->seg.hdr->controller_gen, gen);
}

/* ---- attach, liveness, detach ---- */

static void dpc_detach(struct dpconn *dc, const char *why)
{
	bool was_up = dc->state == DPC_UP;

	log_warn("dataplane: lost (%s)", why);
	dc->st.losses++;
	dpc_state_set(dc, DPC_DOWN);
	out_abort_all(dc);
	shm_detach(&dc->seg);
	dc->ctl = dc->reply = dc->punt = dc->inject = NULL;
	if (was_up && dc->ops.down)
		dc->ops.down(dc, dc->ops_arg);
}

static bool seg_geometry_ok(const struct dpconn *dc)
{
	return dc->ctl->entry_size >= sizeof(struct msg_hdr) + sizeof(struct msg_tunnel) &&
	       dc->reply->entry_size >= sizeof(struct ack_entry) &&
	       dc->punt->entry_size > sizeof(struct msg_hdr) &&
	       dc->inject->entry_size > sizeof(struct msg_hdr) + sizeof(struct msg_inject_nhrp);
}

static void dpc_try_attach(struct dpconn *dc)
{
	struct stat st;
	int err = shm_attach(&dc->seg, dc->seg_path, true);

	if (err) {
		if (!dc->wait_logged)
			log_info("dataplane: waiting for segment %s (%s)", dc->seg_path,
				 strerror(-err));
		dc->wait_logged = true;
		return;
	}
	fstat(dc->seg.fd, &st);
	if (st.st_dev == dc->dead_dev && st.st_ino == dc->dead_ino &&
	    !pid_alive(dc->seg.hdr->dp_pid)) {
		shm_detach(&dc->seg);	/* the corpse of a crashed data plane */
		return;
	}
	dc->ctl = shm_ring_get(&dc->seg, SHM_R_RING_CTL);
	dc->reply = shm_ring_get(&dc->seg, SHM_R_RING_REPLY);
	dc->punt = shm_ring_get(&dc->seg, SHM_R_RING_PUNT);
	dc->inject = shm_ring_get(&dc->seg, SHM_R_RING_INJECT);
	if (!seg_geometry_ok(dc)) {
		log_err("dataplane: segment %s has unusable ring geometry", dc->seg_path);
		shm_detach(&dc->seg);
		return;
	}
	dc->dev = st.st_dev;
	dc->ino = st.st_ino;
	dc->epoch = dc->seg.hdr->epoch;
	dc->hb_last = atomic_load(&dc->seg.hdr->heartbeat);
	dc->hb_change_ms = loop_now_ms();
	dc->hb_warned = false;
	dc->wait_since_ms = loop_now_ms();
	dc->wait_logged = false;
	dc->st.attaches++;
	log_info("dataplane: attached %s (epoch %#llx, pid %d)", dc->seg_path,
		 (unsigned long long)dc->epoch, dc->seg.hdr->dp_pid);
	dpc_state_set(dc, DPC_WAIT);
}

/* Returns a reason when the data plane behind the mapping is gone. */
static const char *dpc_lost_reason(struct dpconn *dc)
{
	struct shm_header *h = dc->seg.hdr;
	uint64_t now = loop_now_ms(), hb;
	struct stat st;

	if (stat(dc->seg_path, &st) < 0)
		return "segment removed";
	if (st.st_dev != dc->dev || st.st_ino != dc->ino)
		return "segment replaced (data plane restarted)";
	if (h->epoch != dc->epoch || h->magic != SHM_MAGIC)
		return "segment epoch changed";
	if (atomic_load(&h->dp_state) == SHM_DP_STOPPING)
		return "data plane stopping";
	hb = atomic_load(&h->heartbeat);
	if (hb != dc->hb_last) {
		dc->hb_last = hb;
		dc->hb_change_ms = now;
		dc->hb_warned = false;
		return NULL;
	}
	if (now - dc->hb_change_ms < SHM_HEARTBEAT_DEAD_MS)
		return NULL;
	if (!pid_alive(h->dp_pid)) {
		dc->dead_dev = dc->dev;
		dc->dead_ino = dc->ino;
		return "heartbeat stopped and data plane process gone";
	}
	if (!dc->hb_warned)
		log_warn("dataplane: heartbeat frozen for %llu ms (pid %d still exists)",
			 (unsigned long long)(now - dc->hb_change_ms), h->dp_pid);
	dc->hb_warned = true;
	return NULL;
}

/* WAIT -> UP once the data plane is ready, no other controller is attached
 * and every message of a previous controller has been acknowledged (so no
 * stale ack can match one of our seqs and no old unpublish is in flight). */
static void dpc_wait_step(struct dpconn *dc)
{
	struct shm_header *h = dc->seg.hdr;
	uint32_t st = atomic_load(&h->dp_state);
	int32_t other = atomic_load(&h->controller_pid);
	uint64_t waited = loop_now_ms() - dc->wait_since_ms;
	uint32_t unacked;

	if (st != SHM_DP_WAITING && st != SHM_DP_READY)
		return;
	if (other && other != getpid() && pid_alive(other)) {
		if (!dc->wait_logged)
			log_err("dataplane: controller pid %d is attached; waiting", other);
		dc->wait_logged = true;
		return;
	}
	unacked = atomic_load(&dc->ctl->prod) - atomic_load(&dc->reply->prod);
	if (unacked && waited < DPCONN_DRAIN_WAIT_MS)
		return;
	if (unacked)
		log_warn("dataplane: %u messages of a previous controller never acked", unacked);
	/* acks for the previous controller: not ours */
	while (ring_peek(dc->reply)) {
		ring_release(dc->reply);
		dc->st.stale_acks++;
	}
	dc->seq = atomic_load(&dc->ctl->prod);
	atomic_store(&h->controller_pid, getpid());
	dpc_state_set(dc, DPC_UP);
	if (dc->ops.up)
		dc->ops.up(dc, dc->ops_arg);
}

void dpconn_poll(struct dpconn *dc)
{
	const char *why;

	if (dc->state == DPC_DOWN)
		dpc_try_attach(dc);
	if (dc->state == DPC_DOWN)
		return;
	why = dpc_lost_reason(dc);
	if (why) {
		dpc_detach(dc, why);
		return;
	}
	if (dc->state == DPC_WAIT)
		dpc_wait_step(dc);
	dpconn_drain(dc);
}

static void dpc_tick(struct loop *l, struct loop_timer *t, void *arg)
{
	struct dpconn *dc = arg;

	dpconn_poll(dc);
	loop_timer_arm(l, t, DPCONN_TICK_MS);
}

static void dpc_kick(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	dpconn_drain(arg);
}

static void dpc_bell(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct dpconn *dc = arg;
	char buf[64];

	(void)l;
	(void)events;
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) >= 0)
		dc->st.bells++;
	dpconn_drain(dc);
}

static int bell_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);	/* stale from a previous run */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0660) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int dpconn_init(struct dpconn *dc, struct loop *l, const char *seg_path, const char *bell_path,
		const struct dpconn_ops *ops, void *arg)
{
	int err;

	memset(dc, 0, sizeof(*dc));
	dc->loop = l;
	dc->seg.fd = -1;
	dc->bell_fd = -1;
	snprintf(dc->seg_path, sizeof(dc->seg_path), "%s", seg_path);
	snprintf(dc->bell_path, sizeof(dc->bell_path), "%s", bell_path);
	if (ops)
		dc->ops = *ops;
	dc->ops_arg = arg;
	dc->out_tail = &dc->out_head;
	dc->fence_tail = &dc->fences;
	hmap_init(&dc->inflight);
	loop_timer_init(&dc->tick, dpc_tick, dc);
	loop_timer_init(&dc->kick, dpc_kick, dc);
	dc->bell_fd = bell_open(bell_path);
	if (dc->bell_fd < 0) {
		log_err("dataplane: doorbell %s: %s", bell_path, strerror(-dc->bell_fd));
		return dc->bell_fd;
	}
	err = loop_fd_add(l, dc->bell_fd, EPOLLIN, dpc_bell, dc);
	if (err) {
		close(dc->bell_fd);
		unlink(bell_path);
		return err;
	}
	loop_timer_arm(l, &dc->tick, 0);
	return 0;
}

void dpconn_fini(struct dpconn *dc)
{
	loop_timer_cancel(dc->loop, &dc->tick);
	loop_timer_cancel(dc->loop, &dc->kick);
	if (dc->state != DPC_DOWN) {
		struct shm_header *h = dc->seg.hdr;

		/* Only our own bookkeeping: the tables stay as they are. */
		if (atomic_load(&h->controller_pid) == getpid())
			atomic_store(&h->controller_pid, 0);
		dc->state = DPC_DOWN;
		shm_detach(&dc->seg);
	}
	/* No callbacks: the owner is going away with us. */
	while (dc->out_head) {
		struct dp_msg *m = dc->out_head;

		dc->out_head = m->next;
		free(m);
	}
	while (dc->fences) {
		struct dp_fence *f = dc->fences;

		dc->fences = f->next;
		free(f);
	}
	hmap_fini(&dc->inflight);
	if (dc->bell_fd >= 0) {
		loop_fd_del(dc->loop, dc->bell_fd);
		close(dc->bell_fd);
		unlink(dc->bell_path);
	}
}
