/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control ring, main lcore side: apply each controller message and
 * acknowledge it on the reply ring (common/msg.h).  Dispatch by table; each
 * handler returns 0, a positive errno, or CONTROL_DEFERRED when the ack must
 * wait for an RCU grace period (unpublish).  A message is consumed only when
 * there is room for its ack, so no acknowledgement is ever lost.
 *
 * Data plane states (segment header, logged by name):
 *   starting -> waiting (ports up, no tables) -> ready (first REPLAY_END)
 *   -> stopping
 */
#include <rte_malloc.h>

#include "addr.h"
#include "dp.h"
#include "log.h"

#define CONTROL_DEFERRED (-1)		/* adjacency unpublish */
#define CONTROL_DEFERRED_SA (-2)	/* SA unpublish */
#define CONTROL_BURST 64
#define DEFER_MAX 4096

struct deferred {
	uint64_t token;
	void (*fn)(struct dp *, uintptr_t);
	uintptr_t arg;
	uint32_t seq;
	uint16_t type;
};

static struct deferred defer_q[DEFER_MAX];
static unsigned int defer_head, defer_tail;	/* FIFO: tokens are monotonic */

static const char *const dp_state_names[] = { "starting", "waiting", "ready", "stopping" };

static void dp_state_set(struct dp *dp, enum shm_dp_state s)
{
	uint32_t old = atomic_exchange(&dp->hdr->dp_state, s);

	if (old != (uint32_t)s)
		log_info("data plane: %s -> %s", dp_state_names[old & 3], dp_state_names[s]);
}

static bool ack_push(struct dp *dp, uint32_t seq, uint16_t type, int status, uint32_t aux)
{
	struct shm_ring *r = shm_ring_get(&dp->seg, SHM_R_RING_REPLY);
	bool was_empty = ring_count(r) == 0;
	struct msg_hdr *h = ring_reserve(r);

	if (h == NULL)
		return false;
	*h = (struct msg_hdr){ .type = MSG_ACK, .len = sizeof(struct msg_ack) };
	*(struct msg_ack *)(h + 1) = (struct msg_ack){
		.seq = seq, .type = type, .status = (uint16_t)status, .aux = aux,
	};
	ring_commit(r);
	if (was_empty)
		bell_ring(dp);
	return true;
}

void control_defer(struct dp *dp, void (*fn)(struct dp *, uintptr_t), uintptr_t arg,
		   uint32_t seq, uint16_t type)
{
	struct deferred *d = &defer_q[defer_tail % DEFER_MAX];

	d->token = rte_rcu_qsbr_start(dp->rcu);
	d->fn = fn;
	d->arg = arg;
	d->seq = seq;
	d->type = type;
	defer_tail++;
}

/* Complete deferred work whose grace period is over, oldest first. */
void control_deferred_poll(struct dp *dp)
{
	while (defer_head != defer_tail) {
		struct deferred *d = &defer_q[defer_head % DEFER_MAX];

		if (rte_rcu_qsbr_check(dp->rcu, d->token, false) != 1)
			return;
		if (d->type && !ack_push(dp, d->seq, d->type, 0, 0))
			return;		/* reply ring full: retry next loop */
		d->fn(dp, d->arg);
		defer_head++;
	}
}

/* ---- handlers ---- */

static int on_hello(struct dp *dp, const void *b, uint32_t *aux)
{
	const struct msg_hello *m = b;

	(void)aux;
	log_info("controller pid %d attached (generation %u)", m->pid, m->gen);
	(void)dp;
	return 0;
}

static int on_replay_begin(struct dp *dp, const void *b, uint32_t *aux)
{
	(void)dp;
	(void)aux;
	log_info("replay generation %u begins", ((const struct msg_gen *)b)->gen);
	return 0;
}

static int on_replay_end(struct dp *dp, const void *b, uint32_t *aux)
{
	uint32_t gen = ((const struct msg_gen *)b)->gen;

	*aux = fib_sweep(dp, gen) + nbr_sweep(dp, gen);
	atomic_store(&dp->hdr->replay_gen, gen);
	log_info("replay generation %u complete: %u stale entries removed", gen, *aux);
	dp_state_set(dp, SHM_DP_READY);
	dp->rx_enabled = true;
	return 0;
}

static int on_port_set(struct dp *dp, const void *b, uint32_t *aux)
{
	const struct msg_port *m = b;
	struct dp_port *p;
	char a[ADDR_STRLEN];
	bool changed;

	(void)aux;
	if (m->port >= dp->n_ports || m->plen > 32)
		return EINVAL;
	p = &dp->ports[m->port];
	changed = p->addr != m->addr || p->plen != m->plen;
	p->plen = m->plen;
	p->mtu = m->mtu ? m->mtu : RTE_ETHER_MTU;
	p->addr = m->addr;
	p->up = m->flags & PORT_F_UP;
	atomic_store(&p->shm->addr, m->addr);
	atomic_store(&p->shm->plen, m->plen);
	atomic_store(&p->shm->mtu, p->mtu);
	if (changed) {
		log_info("interface %s: address %s/%u mtu %u", p->name, addr_fmt(m->addr, a),
			 m->plen, p->mtu);
		arp_announce(dp, m->port);
	}
	return 0;
}

static void tunnel_free(struct dp *dp, uintptr_t arg)
{
	(void)dp;
	rte_free((void *)arg);
}

static int on_tunnel_set(struct dp *dp, const void *b, uint32_t *aux)
{
	const struct msg_tunnel *m = b;
	struct dp_tunnel *t, *old;
	char a[ADDR_STRLEN], s[ADDR_STRLEN];

	(void)aux;
	if (m->tunnel >= SHM_MAX_TUNNELS || m->src_port >= dp->n_ports ||
	    dp->ports[m->src_port].role != PORT_ROLE_PUBLIC || m->mtu < 68 || m->plen > 32)
		return EINVAL;
	if (m->nhs_adj && (m->nhs_adj > dp->adj_slots || !dp->adj[m->nhs_adj - 1].live))
		return ENOENT;
	t = rte_zmalloc("tunnel", sizeof(*t), RTE_CACHE_LINE_SIZE);
	if (!t)
		return ENOMEM;
	*t = (struct dp_tunnel){
		.idx = m->tunnel, .flags = m->flags, .plen = m->plen, .src_port = m->src_port,
		.addr = m->addr, .src = m->src, .key = m->key, .key_be = rte_cpu_to_be_32(m->key),
		.mtu = m->mtu, .nhs_adj = m->nhs_adj, .gen = m->gen,
	};
	old = __atomic_exchange_n(&dp->tunnels[m->tunnel], t, __ATOMIC_ACQ_REL);
	if (old)
		control_defer(dp, tunnel_free, (uintptr_t)old, 0, 0);
	log_info("tunnel %u: %s/%u source %s key %s%u mtu %u nhs-adj %d flags 0x%x", m->tunnel,
		 addr_fmt(m->addr, a), m->plen, addr_fmt(m->src, s),
		 (m->flags & TUN_F_KEY) ? "" : "none/", m->key, m->mtu, (int)m->nhs_adj - 1, m->flags);
	return 0;
}

static int on_adj_publish(struct dp *dp, const void *b, uint32_t *aux)
{
	const struct msg_slot *m = b;

	(void)aux;
	return adj_publish(dp, m->slot, m->gen);
}

static void adj_finish(struct dp *dp, uintptr_t slot)
{
	adj_unpublish_finish(dp, (uint32_t)slot);
}

static int on_adj_unpublish(struct dp *dp, const void *b, uint32_t *aux)
{
	const struct msg_slot *m = b;
	int rc = adj_unpublish_begin(dp, m->slot);

	(void)aux;
	if (rc)
		return rc;
	*aux = m->slot;
	return CONTROL_DEFERRED;
}

static int on_sa_publish(struct dp *dp, const void *b, uint32_t *aux)
{
	(void)aux;
	return sa_publish(dp, ((const struct msg_slot *)b)->slot);
}

static void sa_finish(struct dp *dp, uintptr_t slot)
{
	sa_unpublish_finish(dp, (uint32_t)slot);
}

static int on_sa_unpublish(struct dp *dp, const void *b, uint32_t *aux)
{
	const struct msg_slot *m = b;
	int rc = sa_unpublish_begin(dp, m->slot);

	if (rc)
		return rc;
	*aux = m->slot;
	return CONTROL_DEFERRED_SA;
}

static int on_route_add(struct dp *dp, const void *b, uint32_t *aux)
{
	(void)aux;
	return fib_route_add(dp, b);
}

static int on_route_del(struct dp *dp, const void *b, uint32_t *aux)
{
	(void)aux;
	return fib_route_del(dp, b);
}

static int on_nbr_set(struct dp *dp, const void *b, uint32_t *aux)
{
	(void)aux;
	return nbr_static_set(dp, b);
}

static int on_nbr_del(struct dp *dp, const void *b, uint32_t *aux)
{
	(void)aux;
	return nbr_static_del(dp, b);
}

static int on_unsupported(struct dp *dp, const void *b, uint32_t *aux)
{
	(void)dp;
	(void)b;
	(void)aux;
	return ENOTSUP;
}

static const struct {
	const char *name;
	uint16_t size;
	int (*fn)(struct dp *dp, const void *body, uint32_t *aux);
} handlers[MSG_CTL__MAX] = {
	[MSG_HELLO] = { "hello", sizeof(struct msg_hello), on_hello },
	[MSG_REPLAY_BEGIN] = { "replay-begin", sizeof(struct msg_gen), on_replay_begin },
	[MSG_REPLAY_END] = { "replay-end", sizeof(struct msg_gen), on_replay_end },
	[MSG_PORT_SET] = { "port-set", sizeof(struct msg_port), on_port_set },
	[MSG_TUNNEL_SET] = { "tunnel-set", sizeof(struct msg_tunnel), on_tunnel_set },
	[MSG_ADJ_PUBLISH] = { "adj-publish", sizeof(struct msg_slot), on_adj_publish },
	[MSG_ADJ_UNPUBLISH] = { "adj-unpublish", sizeof(struct msg_slot), on_adj_unpublish },
	[MSG_SA_PUBLISH] = { "sa-publish", sizeof(struct msg_slot), on_sa_publish },
	[MSG_SA_UNPUBLISH] = { "sa-unpublish", sizeof(struct msg_slot), on_sa_unpublish },
	[MSG_ROUTE_ADD] = { "route-add", sizeof(struct msg_route), on_route_add },
	[MSG_ROUTE_DEL] = { "route-del", sizeof(struct msg_route), on_route_del },
	[MSG_NBR_SET] = { "nbr-set", sizeof(struct msg_nbr), on_nbr_set },
	[MSG_NBR_DEL] = { "nbr-del", sizeof(struct msg_nbr), on_nbr_del },
	[MSG_CLEAR_COUNTERS] = { "clear-counters", 0, on_unsupported },
};

static void control_one(struct dp *dp, const struct msg_hdr *h)
{
	uint32_t aux = 0;
	int rc;

	if (h->type >= MSG_CTL__MAX || !handlers[h->type].fn) {
		rc = EBADMSG;
	} else if (h->len != handlers[h->type].size) {
		rc = EMSGSIZE;
	} else {
		rc = handlers[h->type].fn(dp, h + 1, &aux);
		if (rc == CONTROL_DEFERRED || rc == CONTROL_DEFERRED_SA) {
			control_defer(dp, rc == CONTROL_DEFERRED ? adj_finish : sa_finish, aux, h->seq,
				      h->type);
			return;
		}
	}
	if (rc)
		log_warn("control %s (seq %u) refused: %s",
			 h->type < MSG_CTL__MAX && handlers[h->type].name ? handlers[h->type].name : "?",
			 h->seq, strerror(rc));
	ack_push(dp, h->seq, h->type, rc, aux);
}

unsigned int control_poll(struct dp *dp)
{
	struct shm_ring *ctl = shm_ring_get(&dp->seg, SHM_R_RING_CTL);
	struct shm_ring *reply = shm_ring_get(&dp->seg, SHM_R_RING_REPLY);
	unsigned int n = 0;
	const struct msg_hdr *h;

	while (n < CONTROL_BURST && (h = ring_peek(ctl)) != NULL) {
		/* room for the ack first, and for the deferred queue */
		if (ring_free(reply) == 0 || defer_tail - defer_head >= DEFER_MAX - 1)
			break;
		control_one(dp, h);
		ring_release(ctl);
		n++;
	}
	return n;
}

void control_state_set(struct dp *dp, enum shm_dp_state s)
{
	dp_state_set(dp, s);
}
