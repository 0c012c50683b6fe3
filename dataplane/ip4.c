/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IPv4: the header checks of RFC 1812 5.2.2, then the FIB and the dispatch
 * on the next-hop type.  Packets from a LAN port and packets decapsulated
 * from the tunnel take the same path; `from_tunnel` only enables hairpin
 * detection (a packet leaving on the tunnel it arrived on: the Phase 3
 * redirect trigger).  ICMP errors take their source from the input port
 * (icmp.c).
 */
#include <rte_fib.h>
#include <rte_ip.h>

#include "cksum.h"
#include "dp.h"
#include "wire/ipv4.h"

/* Returns DROP__MAX when the header at `off` is valid. */
enum drop_reason ip4_check(const struct rte_mbuf *m, uint32_t off, bool verify_csum)
{
	const struct ipv4_hdr *ip;
	uint32_t avail = rte_pktmbuf_pkt_len(m) - off, hl, tl, src, dst;

	if (unlikely(rte_pktmbuf_pkt_len(m) < off + IPV4_HDR_LEN ||
		     rte_pktmbuf_data_len(m) < off + IPV4_HDR_LEN))
		return DROP_IP4_TRUNCATED;
	ip = rte_pktmbuf_mtod_offset(m, const struct ipv4_hdr *, off);
	if (unlikely((ip->ver_ihl >> 4) != 4))
		return DROP_IP4_VERSION;
	hl = ipv4_hdr_len(ip);
	if (unlikely(hl < IPV4_HDR_LEN || rte_pktmbuf_data_len(m) < off + hl))
		return DROP_IP4_HDR_LEN;
	tl = rte_be_to_cpu_16(ip->total_len);
	if (unlikely(tl < hl))
		return DROP_IP4_HDR_LEN;
	if (unlikely(tl > avail))
		return DROP_IP4_TRUNCATED;
	if (verify_csum && unlikely(rte_raw_cksum(ip, hl) != 0xffff))
		return DROP_IP4_CHECKSUM;
	src = rte_be_to_cpu_32(ip->src);
	dst = rte_be_to_cpu_32(ip->dst);
	/* RFC 1812 5.3.7: martian sources; 0.0.0.0 is allowed only to us */
	if (unlikely((src >> 28) == 0xe || src == 0xffffffffu || (src >> 24) == 127))
		return DROP_IP4_BAD_SRC;
	if (unlikely(dst == 0 || (dst >> 24) == 127 || ((dst >> 28) == 0xf && dst != 0xffffffffu)))
		return DROP_IP4_MARTIAN_DST;
	return DROP__MAX;
}

static inline void ip4_ttl_dec(struct ipv4_hdr *ip)
{
	/* RFC 1624: TTL is the high byte of its 16-bit word; -1 there is
	 * +0x0100 on the checksum. */
	uint32_t c = (uint32_t)ip->csum + rte_cpu_to_be_16(0x0100);

	ip->csum = (uint16_t)(c + (c >> 16));
	ip->ttl--;
}

static void forward_glean(struct worker *w, struct rte_mbuf *m, uint32_t hint)
{
	const struct glean_hint *g = &g_dp.glean[hint];
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	const struct dp_tunnel *t = dp_tunnel_get(g->tunnel);
	uint32_t nexthop = g->addr ? g->addr : ip->dst;

	/* Resolve (RFC 2332 / seed 000: traffic goes via the hub meanwhile). */
	worker_event(w, DP_EV_MISS, g->tunnel, 0, ip->dst, ip->src, nexthop, 0, NULL, 0);
	if (unlikely(t == NULL || t->nhs_adj == 0 || !g_dp.adj[t->nhs_adj - 1].live)) {
		dp_drop(w, m, DROP_ADJ_INCOMPLETE);
		return;
	}
	gre_encap_send(w, m, &g_dp.adj[t->nhs_adj - 1], t->nhs_adj - 1);
}

static void forward_adj(struct worker *w, struct rte_mbuf *m, uint32_t slot, bool from_tunnel,
			uint32_t in_nbma)
{
	const struct adj_rt *a = &g_dp.adj[slot];

	if (unlikely(!a->live)) {
		dp_drop(w, m, DROP_ADJ_INCOMPLETE);
		return;
	}
	if (from_tunnel) {
		const struct dp_tunnel *t = dp_tunnel_get(a->tunnel);

		if (t && (t->flags & TUN_F_REDIRECT)) {
			const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
			unsigned int len = RTE_MIN(rte_pktmbuf_data_len(m), DP_EV_SAMPLE);

			worker_event(w, DP_EV_HAIRPIN, a->tunnel, 0, ip->src, ip->dst, in_nbma, slot,
				     ip, len);
		}
	}
	gre_encap_send(w, m, a, slot);
}

static void forward_port(struct worker *w, struct rte_mbuf *m, uint8_t port, uint32_t nbr)
{
	const struct dp_port *p = &g_dp.ports[port];
	struct rte_mbuf *frags[64];
	uint16_t nf;

	if (likely(rte_pktmbuf_pkt_len(m) <= p->mtu)) {
		tx_l3(w, m, port, nbr);
		return;
	}
	if (rte_pktmbuf_mtod(m, struct ipv4_hdr *)->frag & rte_cpu_to_be_16(IPV4_FLAG_DF)) {
		icmp_error(w, m, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, p->mtu);
		dp_drop(w, m, DROP_MTU_DF);
		return;
	}
	nf = frag_ip4(w, m, p->mtu, frags, RTE_DIM(frags));
	for (uint16_t i = 0; i < nf; i++)
		tx_l3(w, frags[i], port, nbr);
}

void ip4_forward_one(struct worker *w, struct rte_mbuf *m, uint64_t nh, bool from_tunnel,
		     uint32_t in_nbma)
{
	struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct ipv4_hdr *);
	uint32_t type = nh_type(nh), v = nh_value(nh);
	int32_t idx;

	switch (type) {
	case NH_LOCAL:
		ip4_local(w, m, from_tunnel);
		return;
	case NH_NONE:
		dp_drop(w, m, DROP_NO_ROUTE);
		return;
	case NH_DROP:
		dp_drop(w, m, DROP_ROUTE_DROP);
		return;
	}
	if (unlikely(ip->ttl <= 1)) {
		icmp_error(w, m, ICMP_TIME_EXCEEDED, 0, 0);
		dp_drop(w, m, DROP_TTL_EXPIRED);
		return;
	}
	ip4_ttl_dec(ip);
	switch (type) {
	case NH_ADJ:
		forward_adj(w, m, v, from_tunnel, in_nbma);
		return;
	case NH_GLEAN:
		forward_glean(w, m, v);
		return;
	case NH_GATEWAY:
		forward_port(w, m, g_dp.nbr[v].port, v);
		return;
	case NH_CONNECTED:
		idx = nbr_lookup(&g_dp, (uint8_t)v, ip->dst);
		if (unlikely(idx < 0)) {
			worker_hold(w, m, (uint8_t)v, -1);
			return;
		}
		forward_port(w, m, (uint8_t)v, (uint32_t)idx);
		return;
	default:
		dp_drop(w, m, DROP_NO_ROUTE);
		return;
	}
}

void ip4_forward_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
		       const uint8_t *from_tunnel, const uint32_t *in_nbma)
{
	uint32_t dst[DP_MAX_BURST];
	uint64_t nh[DP_MAX_BURST];

	for (uint16_t i = 0; i < n; i++)
		dst[i] = rte_be_to_cpu_32(rte_pktmbuf_mtod(pkts[i], struct ipv4_hdr *)->dst);
	rte_fib_lookup_bulk(g_dp.fib, dst, nh, n);
	/* With thousands of adjacencies their records and counter rows are
	 * cache misses: start them all before the first is needed. */
	for (uint16_t i = 0; i < n; i++) {
		if (nh_type(nh[i]) == NH_ADJ) {
			rte_prefetch0(&g_dp.adj[nh_value(nh[i])]);
			rte_prefetch0(&w->adj_ctr[nh_value(nh[i])]);
		}
	}
	for (uint16_t i = 0; i < n; i++)
		ip4_forward_one(w, pkts[i], nh[i], from_tunnel[i], in_nbma[i]);
}

/* A packet we generated (ICMP): route it like any other. */
void ip4_route_one(struct worker *w, struct rte_mbuf *m)
{
	uint32_t dst = rte_be_to_cpu_32(rte_pktmbuf_mtod(m, struct ipv4_hdr *)->dst);
	uint64_t nh;

	rte_fib_lookup_bulk(g_dp.fib, &dst, &nh, 1);
	if (nh_type(nh) == NH_LOCAL) {	/* never answer ourselves */
		rte_pktmbuf_free(m);
		return;
	}
	ip4_forward_one(w, m, nh, false, 0);
}

/* Packets to one of our addresses: we answer ping, nothing else.  A ping
 * of a public port's address (from_tunnel false, arrived on a public port)
 * is answered to the station it came from; others are routed. */
void ip4_local(struct worker *w, struct rte_mbuf *m, bool from_tunnel)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	int8_t in = m->port < RTE_MAX_ETHPORTS ? g_dp.port_by_id[m->port] : -1;

	if (ip->frag & rte_cpu_to_be_16(IPV4_FLAG_MF | IPV4_FRAG_OFF_MASK)) {
		dp_drop(w, m, DROP_LOCAL_FRAGMENT);
		return;
	}
	if (ip->proto != IP_PROTO_ICMP) {
		dp_drop(w, m, DROP_LOCAL_PROTO);
		return;
	}
	if (!icmp_echo_reply(w, m))
		return;
	if (!from_tunnel && in >= 0 && g_dp.ports[in].role == PORT_ROLE_PUBLIC &&
	    rte_pktmbuf_headroom(m) >= RTE_ETHER_HDR_LEN)
		tx_reflect(w, m, (uint8_t)in);
	else
		ip4_route_one(w, m);
}
