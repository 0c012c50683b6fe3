/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Adjacencies: the runtime copy of each published slot.
 *
 *   unpublished --MSG_ADJ_PUBLISH--> live --MSG_ADJ_UNPUBLISH--> retiring
 *   retiring --RCU grace period--> unpublished (acknowledged: slot reusable)
 *
 * Publishing validates the controller's slot (the rewrite must be an IPv4 +
 * GRE header from our tunnel source to the slot's NBMA address, with a good
 * template checksum and the tunnel's key) and copies it, so a bad or later
 * modified slot can never reach a worker.  The underlay neighbour (gateway or
 * the NBMA address itself when on-link) is resolved here and again whenever
 * the underlay routes change.
 */
#include <rte_malloc.h>

#include "addr.h"
#include "cksum.h"
#include "dp.h"
#include "log.h"
#include "wire/gre.h"
#include "wire/ipv4.h"

static int adj_validate(struct dp *dp, const struct shm_adj *s, const struct dp_tunnel *t)
{
	const struct ipv4_hdr *ip = (const struct ipv4_hdr *)s->rewrite;
	const struct gre_key_hdr *g = (const struct gre_key_hdr *)(s->rewrite + IPV4_HDR_LEN);
	bool key = t->flags & TUN_F_KEY;
	size_t want = IPV4_HDR_LEN + (key ? 8 : 4);

	if (s->state != SHM_SLOT_USED || s->rewrite_len != want || s->nbma == 0)
		return EINVAL;
	if (ip->ver_ihl != 0x45 || ip->proto != IP_PROTO_GRE || ip->total_len || ip->id ||
	    ip->src != t->src || ip->dst != s->nbma || ip->ttl == 0 || cksum(ip, IPV4_HDR_LEN))
		return EINVAL;
	if (g->flags != rte_cpu_to_be_16(key ? GRE_FLAG_KEY : 0) ||
	    g->proto != rte_cpu_to_be_16(GRE_PROTO_IPV4) || (key && g->key != t->key_be))
		return EINVAL;
	if (s->sa_out) {
		const struct dp_sa *sa = s->sa_out <= dp->sa_slots ? dp->sa[s->sa_out - 1] : NULL;

		if (!sa || sa->inbound || sa->dead)
			return ENOENT;		/* publish the outbound SA first */
	} else if (t->flags & TUN_F_PROTECT) {
		return EPERM;			/* protected tunnel: no cleartext peer */
	}
	return 0;
}

static void adj_resolve(struct dp *dp, uint32_t slot)
{
	struct adj_rt *a = &dp->adj[slot];
	uint8_t port = a->port;
	int32_t nbr = fib_underlay_nbr(dp, a->nbma, &port);
	uint32_t old = a->nbr;

	if (nbr < 0) {
		nbr = (int32_t)dp->nbr_max;	/* sentinel: never valid */
		port = a->port;
	}
	if ((uint32_t)nbr == old && port == a->port)
		return;
	nbr_ref(dp, (uint32_t)nbr);
	/* port then neighbour: a worker reading between the two stores sends
	 * one packet to the old neighbour's MAC, never to a wrong port's */
	a->port = port;
	__atomic_store_n(&a->nbr, (uint32_t)nbr, __ATOMIC_RELEASE);
	nbr_unref(dp, old);
}

int adj_publish(struct dp *dp, uint32_t slot, uint32_t gen)
{
	const struct shm_adj *s;
	const struct dp_tunnel *t;
	struct adj_rt *a;
	char o[ADDR_STRLEN], n[ADDR_STRLEN];
	int rc;

	if (slot >= dp->adj_slots)
		return EINVAL;
	s = shm_adj(&dp->seg, slot);
	a = &dp->adj[slot];
	if (a->live)
		return EALREADY;
	if (s->tunnel >= SHM_MAX_TUNNELS || !(t = dp_tunnel_get(s->tunnel)))
		return ENOENT;
	rc = adj_validate(dp, s, t);
	if (rc)
		return rc;
	memset(a, 0, sizeof(*a));
	memcpy(a->rewrite, s->rewrite, s->rewrite_len);
	a->rewrite_len = s->rewrite_len;
	a->tunnel = s->tunnel;
	a->port = t->src_port;
	a->nbma = s->nbma;
	a->nbma_port = s->nbma_port;
	a->overlay = s->overlay;
	a->sa_out = s->sa_out;
	a->mtu = s->mtu && s->mtu < t->mtu ? s->mtu : t->mtu;
	a->gen = gen;
	a->nbr = dp->nbr_max;
	adj_resolve(dp, slot);
	for (unsigned int w = 0; w < dp->n_workers; w++)
		memset(shm_adj_ctr(&dp->seg, w, slot), 0, sizeof(struct shm_adj_ctr));
	if (a->sa_out)
		dp->sa[a->sa_out - 1]->refs++;
	sa_nbma_set(dp, a->nbma, slot);
	rte_smp_wmb();
	a->live = 1;
	atomic_store(&shm_adj(&dp->seg, slot)->pub, SHM_PUB_LIVE);
	atomic_fetch_add(&dp->hdr->adj_live, 1);
	log_debug("adj %u %s nbma %s: unpublished -> live", slot, addr_fmt(a->overlay, o),
		  addr_fmt(a->nbma, n));
	return 0;
}

/* First half of unpublish: workers stop finding it.  The caller defers
 * adj_unpublish_finish() past an RCU grace period. */
int adj_unpublish_begin(struct dp *dp, uint32_t slot)
{
	struct adj_rt *a;
	char o[ADDR_STRLEN];

	if (slot >= dp->adj_slots)
		return EINVAL;
	a = &dp->adj[slot];
	if (!a->live)
		return ENOENT;
	if (a->refs)
		return EBUSY;		/* routes still point here: controller bug */
	for (unsigned int t = 0; t < SHM_MAX_TUNNELS; t++) {
		const struct dp_tunnel *tun = dp_tunnel_get(t);

		if (tun && tun->nhs_adj == slot + 1)
			return EBUSY;
	}
	a->live = 0;
	log_debug("adj %u %s: live -> retiring", slot, addr_fmt(a->overlay, o));
	return 0;
}

void adj_unpublish_finish(struct dp *dp, uint32_t slot)
{
	struct adj_rt *a = &dp->adj[slot];
	char o[ADDR_STRLEN];

	log_debug("adj %u %s: retiring -> unpublished", slot, addr_fmt(a->overlay, o));
	nbr_unref(dp, a->nbr);
	if (a->sa_out && dp->sa[a->sa_out - 1])
		dp->sa[a->sa_out - 1]->refs--;
	sa_nbma_del(dp, a->nbma, slot);
	memset(a, 0, sizeof(*a));
	atomic_store(&shm_adj(&dp->seg, slot)->pub, SHM_PUB_NONE);
	atomic_fetch_sub(&dp->hdr->adj_live, 1);
}

/* Underlay routes changed: re-resolve every live adjacency. */
void adj_resolve_all(struct dp *dp)
{
	for (uint32_t s = 0; s < dp->adj_slots; s++)
		if (dp->adj[s].live)
			adj_resolve(dp, s);
}
