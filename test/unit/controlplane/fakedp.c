/* SPDX-License-Identifier: BSD-3-Clause */
/* The fake data plane (see fakedp.h). */
#include "fakedp.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "addr.h"

static void violation(struct fakedp *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->last_violation, sizeof(f->last_violation), fmt, ap);
	va_end(ap);
	f->violations++;
	fprintf(stderr, "fakedp: VIOLATION: %s\n", f->last_violation);
}

int fakedp_start(struct fakedp *f, const struct conf *cf, const struct fakedp_opts *o)
{
	struct shm_layout lay = {
		.n_workers = o && o->n_workers ? o->n_workers : 2,
		.n_ports = cf->n_ifaces,
		.adj_slots = o && o->adj_slots ? o->adj_slots : 64,
		.sa_slots = 16,
		.ctl_entries = o && o->ctl_entries ? o->ctl_entries : 256,
		.reply_entries = 1024,
		.punt_entries = 16,
		.inject_entries = 16,
	};
	struct shm_header *h;
	int err;

	memset(f, 0, sizeof(*f));
	f->grace_polls = 2;
	f->bell_fd = -1;
	conf_path_segment(cf, f->seg_path, sizeof(f->seg_path));
	conf_path_bell(cf, f->bell_path, sizeof(f->bell_path));
	err = shm_create(&f->seg, f->seg_path, cf->instance, &lay);
	if (err)
		return err;
	h = f->seg.hdr;
	for (uint32_t i = 0; i < cf->n_ifaces; i++) {
		struct shm_port *p = shm_port(&f->seg, i);

		snprintf(p->name, sizeof(p->name), "%s", cf->ifaces[i].name);
		snprintf(p->device, sizeof(p->device), "%s", cf->ifaces[i].device);
		p->role = cf->ifaces[i].role;
		p->mac[0] = 0x02;
		p->mac[5] = (uint8_t)(i + 1);
		atomic_store(&p->link_up, 1);
		p->stats.rx_pkts = 100 + i;
	}
	h->tsc_hz = 1000000000ull;
	f->bell_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	atomic_store(&h->dp_state, SHM_DP_WAITING);
	return 0;
}

void fakedp_stop(struct fakedp *f, bool destroy)
{
	if (destroy)
		shm_destroy(&f->seg);
	else
		shm_detach(&f->seg);
	if (f->bell_fd >= 0)
		close(f->bell_fd);
	f->bell_fd = -1;
	free(f->log);
	f->log = NULL;
	f->n_log = f->cap_log = 0;
}

/* ---- model ---- */

static struct fdp_route *route_find(struct fakedp *f, uint8_t table, uint32_t prefix, uint8_t plen)
{
	for (unsigned int i = 0; i < f->n_routes; i++)
		if (f->routes[i].table == table && f->routes[i].prefix == prefix &&
		    f->routes[i].plen == plen)
			return &f->routes[i];
	return NULL;
}

const struct fdp_route *fakedp_route(const struct fakedp *f, uint8_t table, const char *prefix)
{
	uint32_t a;
	uint8_t plen;

	if (!prefix_parse(prefix, &a, &plen, false))
		return NULL;
	return route_find((struct fakedp *)f, table, a, plen);
}

const struct fdp_nbr *fakedp_nbr(const struct fakedp *f, uint16_t port, const char *addr)
{
	uint32_t a;

	if (!addr_parse(addr, &a))
		return NULL;
	for (unsigned int i = 0; i < f->n_nbrs; i++)
		if (f->nbrs[i].port == port && f->nbrs[i].addr == a)
			return &f->nbrs[i];
	return NULL;
}

bool fakedp_slot_live(const struct fakedp *f, uint32_t slot)
{
	return slot < f->seg.hdr->adj_slots &&
	       atomic_load(&shm_adj(&f->seg, slot)->pub) == SHM_PUB_LIVE;
}

unsigned int fakedp_slots_live(const struct fakedp *f)
{
	unsigned int n = 0;

	for (uint32_t i = 0; i < f->seg.hdr->adj_slots; i++)
		n += fakedp_slot_live(f, i);
	return n;
}

static void counts_update(struct fakedp *f)
{
	uint64_t n[2] = { 0, 0 };

	for (unsigned int i = 0; i < f->n_routes; i++)
		n[f->routes[i].table & 1]++;
	atomic_store(&f->seg.hdr->routes, n[0]);
	atomic_store(&f->seg.hdr->routes_underlay, n[1]);
	atomic_store(&f->seg.hdr->neighbours, f->n_nbrs);
}

static bool slot_referenced(const struct fakedp *f, uint32_t slot)
{
	for (unsigned int i = 0; i < f->n_routes; i++)
		if (f->routes[i].nh_type == NH_ADJ && f->routes[i].value == slot)
			return true;
	return f->tunnel_set && f->tunnel.nhs_adj == slot + 1;
}

static int do_route_add(struct fakedp *f, const struct msg_route *m)
{
	struct fdp_route *r = route_find(f, m->table, m->prefix, m->plen);
	char p[PREFIX_STRLEN];

	if (m->nh_type == NH_ADJ && !fakedp_slot_live(f, m->value)) {
		violation(f, "route %s to unpublished slot %u", prefix_fmt(m->prefix, m->plen, p),
			  m->value);
		return ENOENT;
	}
	if (!r) {
		if (f->n_routes == FDP_MAX_ROUTES)
			return ENOSPC;
		r = &f->routes[f->n_routes++];
	}
	*r = (struct fdp_route){ .table = m->table, .plen = m->plen, .nh_type = m->nh_type,
				 .port = m->port, .prefix = m->prefix, .value = m->value,
				 .gen = m->gen };
	return 0;
}

static int do_route_del(struct fakedp *f, const struct msg_route *m)
{
	struct fdp_route *r = route_find(f, m->table, m->prefix, m->plen);

	if (!r)
		return ENOENT;
	*r = f->routes[--f->n_routes];
	return 0;
}

static int do_nbr(struct fakedp *f, const struct msg_nbr *m, bool set)
{
	for (unsigned int i = 0; i < f->n_nbrs; i++) {
		if (f->nbrs[i].port != m->port || f->nbrs[i].addr != m->addr)
			continue;
		if (set) {
			memcpy(f->nbrs[i].mac, m->mac, 6);
			f->nbrs[i].gen = m->gen;
		} else {
			f->nbrs[i] = f->nbrs[--f->n_nbrs];
		}
		return 0;
	}
	if (!set)
		return ENOENT;
	if (f->n_nbrs == FDP_MAX_NBRS)
		return ENOSPC;
	f->nbrs[f->n_nbrs++] = (struct fdp_nbr){ .port = m->port, .addr = m->addr, .gen = m->gen };
	memcpy(f->nbrs[f->n_nbrs - 1].mac, m->mac, 6);
	return 0;
}

/* Mark and sweep (msg.h): what the replay did not re-send goes. */
static uint32_t do_replay_end(struct fakedp *f, uint32_t gen)
{
	uint32_t swept = 0;

	for (unsigned int i = 0; i < f->n_routes;) {
		if (f->routes[i].gen < gen) {
			f->routes[i] = f->routes[--f->n_routes];
			swept++;
			f->swept_routes++;
		} else {
			i++;
		}
	}
	for (unsigned int i = 0; i < f->n_nbrs;) {
		if (f->nbrs[i].gen < gen) {
			f->nbrs[i] = f->nbrs[--f->n_nbrs];
			swept++;
			f->swept_nbrs++;
		} else {
			i++;
		}
	}
	atomic_store(&f->seg.hdr->replay_gen, gen);
	atomic_store(&f->seg.hdr->dp_state, SHM_DP_READY);
	return swept;
}

static int do_publish(struct fakedp *f, const struct msg_slot *m)
{
	struct shm_adj *a;
	uint8_t rw[ADJ_REWRITE_MAX];

	if (m->slot >= f->seg.hdr->adj_slots)
		return EINVAL;
	if (f->refuse_publish)
		return f->refuse_publish;	/* e.g. EPERM: cleartext on a protected tunnel */
	a = shm_adj(&f->seg, m->slot);
	if (atomic_load(&a->pub) == SHM_PUB_LIVE) {
		violation(f, "publish of live slot %u", m->slot);
		return EEXIST;
	}
	if (a->state != SHM_SLOT_USED || a->rewrite_len < 24 || a->rewrite_len > ADJ_REWRITE_MAX)
		return EINVAL;
	memcpy(rw, a->rewrite, a->rewrite_len);	/* "copy into the runtime table" */
	atomic_store(&a->pub, SHM_PUB_LIVE);
	atomic_fetch_add(&f->seg.hdr->adj_live, 1);
	f->publishes++;
	return 0;
}

/* Returns -1 when the ack is deferred to the end of a grace period. */
static int do_unpublish(struct fakedp *f, uint32_t seq, const struct msg_slot *m)
{
	if (!fakedp_slot_live(f, m->slot))
		return ENOENT;
	if (slot_referenced(f, m->slot)) {
		violation(f, "unpublish of slot %u still in use", m->slot);
		return EBUSY;
	}
	if (f->n_grace == FDP_MAX_GRACE)
		return EAGAIN;
	f->grace[f->n_grace].seq = seq;
	f->grace[f->n_grace].slot = m->slot;
	f->grace[f->n_grace].polls_left = f->grace_polls;
	f->n_grace++;
	return -1;
}

static int apply(struct fakedp *f, const struct msg_hdr *h, uint32_t *aux)
{
	const void *b = h + 1;

	switch (h->type) {
	case MSG_HELLO:
		f->hello_pid = ((const struct msg_hello *)b)->pid;
		return 0;
	case MSG_REPLAY_BEGIN:
		f->replay_gen = ((const struct msg_gen *)b)->gen;
		return 0;
	case MSG_REPLAY_END:
		if (((const struct msg_gen *)b)->gen != f->replay_gen)
			return EINVAL;
		*aux = do_replay_end(f, f->replay_gen);
		return 0;
	case MSG_PORT_SET: {
		const struct msg_port *p = b;
		struct shm_port *sp;

		if (p->port >= f->seg.hdr->n_ports)
			return EINVAL;
		f->ports[p->port] = *p;
		f->port_set[p->port] = true;
		sp = shm_port(&f->seg, p->port);
		atomic_store(&sp->addr, p->addr);
		atomic_store(&sp->plen, p->plen);
		atomic_store(&sp->mtu, p->mtu);
		return 0;
	}
	case MSG_TUNNEL_SET: {
		const struct msg_tunnel *t = b;

		if (t->nhs_adj && !fakedp_slot_live(f, t->nhs_adj - 1))
			violation(f, "tunnel NHS slot %u not published", t->nhs_adj - 1);
		f->tunnel = *t;
		f->tunnel_set = true;
		return 0;
	}
	case MSG_ADJ_PUBLISH: return do_publish(f, b);
	case MSG_ADJ_UNPUBLISH: return do_unpublish(f, h->seq, b);
	case MSG_ROUTE_ADD: return do_route_add(f, b);
	case MSG_ROUTE_DEL: return do_route_del(f, b);
	case MSG_NBR_SET: return do_nbr(f, b, true);
	case MSG_NBR_DEL: return do_nbr(f, b, false);
	default: return EINVAL;
	}
}

static bool ack_push(struct fakedp *f, uint32_t seq, uint16_t type, int status, uint32_t aux)
{
	struct shm_ring *r = shm_ring_get(&f->seg, SHM_R_RING_REPLY);
	struct msg_hdr *h = ring_reserve(r);
	struct msg_ack *a;

	if (!h)
		return false;
	h->type = MSG_ACK;
	h->len = sizeof(*a);
	h->seq = seq;
	a = (struct msg_ack *)(h + 1);
	*a = (struct msg_ack){ .seq = seq, .type = type, .status = (uint16_t)status, .aux = aux };
	ring_commit(r);
	f->acks++;
	return true;
}

static void log_add(struct fakedp *f, const struct msg_hdr *h)
{
	if (f->n_log == f->cap_log) {
		unsigned int cap = f->cap_log ? f->cap_log * 2 : 256;
		struct fdp_log *l = realloc(f->log, cap * sizeof(*l));

		if (!l)
			abort();
		f->log = l;
		f->cap_log = cap;
	}
	f->log[f->n_log].type = h->type;
	f->log[f->n_log].len = h->len;
	f->log[f->n_log].seq = h->seq;
	memcpy(f->log[f->n_log].body, h + 1, h->len < 120 ? h->len : 120);
	f->n_log++;
}

static void grace_step(struct fakedp *f)
{
	for (unsigned int i = 0; i < f->n_grace;) {
		if (f->grace[i].polls_left--) {
			i++;
			continue;
		}
		atomic_store(&shm_adj(&f->seg, f->grace[i].slot)->pub, SHM_PUB_NONE);
		atomic_fetch_sub(&f->seg.hdr->adj_live, 1);
		f->unpublishes++;
		ack_push(f, f->grace[i].seq, MSG_ADJ_UNPUBLISH, 0, 0);
		f->grace[i] = f->grace[--f->n_grace];
	}
}

static void bell(struct fakedp *f)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(f->bell_path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, f->bell_path, strlen(f->bell_path) + 1);
	sendto(f->bell_fd, "!", 1, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa));
}

unsigned int fakedp_poll(struct fakedp *f)
{
	struct shm_ring *ctl = shm_ring_get(&f->seg, SHM_R_RING_CTL);
	struct shm_ring *reply = shm_ring_get(&f->seg, SHM_R_RING_REPLY);
	bool was_empty = ring_count(reply) == 0;
	unsigned int n = 0;
	const struct msg_hdr *h;

	if (!f->no_heartbeat)
		atomic_fetch_add(&f->seg.hdr->heartbeat, 1);
	grace_step(f);
	while (!f->paused && (!f->max_per_poll || n < f->max_per_poll) && ring_free(reply) &&
	       (h = ring_peek(ctl))) {
		uint32_t aux = 0;
		int st;

		log_add(f, h);
		st = apply(f, h, &aux);
		if (st >= 0)
			ack_push(f, h->seq, h->type, st, aux);
		ring_release(ctl);
		n++;
	}
	counts_update(f);
	if (was_empty && ring_count(reply))
		bell(f);
	return n;
}

unsigned int fakedp_count(const struct fakedp *f, uint16_t type, unsigned int from)
{
	unsigned int n = 0;

	for (unsigned int i = from; i < f->n_log; i++)
		n += f->log[i].type == type;
	return n;
}

int fakedp_find(const struct fakedp *f, uint16_t type, unsigned int from, unsigned int nth)
{
	for (unsigned int i = from; i < f->n_log; i++)
		if (f->log[i].type == type && nth-- == 0)
			return (int)i;
	return -1;
}

int fakedp_punt(struct fakedp *f, uint16_t type, const void *body, uint16_t len)
{
	struct shm_ring *r = shm_ring_get(&f->seg, SHM_R_RING_PUNT);
	struct msg_hdr *h = ring_reserve(r);

	if (!h || len + sizeof(*h) > r->entry_size)
		return -ENOBUFS;
	h->type = type;
	h->len = len;
	h->seq = 0;
	memcpy(h + 1, body, len);
	ring_commit(r);
	bell(f);
	return 0;
}

uint16_t fakedp_inject_take(struct fakedp *f, void *buf, size_t cap, uint16_t *len)
{
	struct shm_ring *r = shm_ring_get(&f->seg, SHM_R_RING_INJECT);
	const struct msg_hdr *h = ring_peek(r);
	uint16_t type;

	if (!h)
		return 0;
	type = h->type;
	*len = h->len;
	memcpy(buf, h + 1, h->len < cap ? h->len : cap);
	ring_release(r);
	return type;
}
