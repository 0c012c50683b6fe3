/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GRE (RFC 2784) with key (RFC 2890), both directions.
 *
 * Decapsulation: the packet is IPv4 to our tunnel source.  Version must be 0;
 * checksum, routing, strict-route and sequence bits are refused (DMVPN never
 * sends them; RFC 2784 2.3 lets a receiver drop bits 1-5); the key must match
 * the tunnel's (present iff configured).  IPv4 payload goes back to the FIB
 * batch; NHRP (0x2001) goes to the controller with its outer addresses.
 *
 * Encapsulation: the adjacency's prebuilt rewrite (outer IPv4 + GRE + key,
 * seed 000 Example 7-17) is copied in front of the inner packet; only total
 * length, identification, TOS (copied from the inner packet, as IOS does by
 * default) and the checksum change per packet.  Packets above the adjacency
 * MTU are refused with ICMP fragmentation-needed when DF is set (RFC 1191
 * path MTU discovery through the tunnel) and fragmented before encapsulation
 * otherwise (IOS behaviour with `ip mtu`): the receiving host reassembles,
 * never the peer.
 */
#include <rte_ip.h>

#include "dp.h"
#include "wire/gre.h"
#include "wire/ipv4.h"

#define GRE_FLAGS_REFUSED (GRE_FLAG_CSUM | GRE_FLAG_ROUTING | GRE_FLAG_SEQ | 0x0800 | 0x0400)

static enum drop_reason gre_check(const struct dp_tunnel *t, const struct gre_hdr *g,
				  uint32_t avail, uint32_t *hlen)
{
	uint16_t flags = rte_be_to_cpu_16(g->flags);

	if (unlikely(flags & GRE_VERSION_MASK))
		return DROP_GRE_VERSION;
	if (unlikely(flags & GRE_FLAGS_REFUSED))
		return DROP_GRE_FLAGS;
	*hlen = (flags & GRE_FLAG_KEY) ? sizeof(struct gre_key_hdr) : sizeof(struct gre_hdr);
	if (unlikely(avail < *hlen))
		return DROP_GRE_TRUNCATED;
	if (flags & GRE_FLAG_KEY) {
		if (unlikely(!(t->flags & TUN_F_KEY)))
			return DROP_GRE_KEY_UNEXPECTED;
		if (unlikely(((const struct gre_key_hdr *)g)->key != t->key_be))
			return DROP_GRE_KEY_MISMATCH;
	} else if (unlikely(t->flags & TUN_F_KEY)) {
		return DROP_GRE_KEY_MISSING;
	}
	return DROP__MAX;
}

void gre_input(struct worker *w, struct dp_port *p, struct rte_mbuf *m, uint32_t l3off,
	       struct rte_mbuf **fwd, uint8_t *fwd_tun, uint32_t *fwd_nbma, uint16_t *nfwd)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct ipv4_hdr *, l3off);
	const struct dp_tunnel *t = dp_tunnel_get(0);
	uint32_t hl = ipv4_hdr_len(ip), hlen = 0, avail;
	const struct gre_hdr *g;
	enum drop_reason r;
	uint32_t src = ip->src;

	if (unlikely(t == NULL || t->src_port != p->idx || t->src != ip->dst)) {
		dp_drop(w, m, DROP_TUNNEL_DOWN);
		return;
	}
	avail = rte_pktmbuf_data_len(m) - l3off - hl;
	if (unlikely(avail < sizeof(struct gre_hdr))) {
		dp_drop(w, m, DROP_GRE_TRUNCATED);
		return;
	}
	g = (const struct gre_hdr *)((const uint8_t *)ip + hl);
	r = gre_check(t, g, avail, &hlen);
	if (unlikely(r != DROP__MAX)) {
		dp_drop(w, m, r);
		return;
	}
	if (unlikely((t->flags & TUN_F_PROTECT) && !(m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD))) {
		dp_drop(w, m, DROP_ESP_REQUIRED);
		return;
	}
	switch (g->proto) {
	case RTE_BE16(GRE_PROTO_IPV4):
		rte_pktmbuf_adj(m, (uint16_t)(l3off + hl + hlen));
		r = ip4_check(m, 0, true);
		if (unlikely(r != DROP__MAX)) {
			dp_drop(w, m, DROP_GRE_INNER_BAD);
			return;
		}
		{
			uint32_t tl = rte_be_to_cpu_16(rte_pktmbuf_mtod(m, struct ipv4_hdr *)->total_len);

			if (rte_pktmbuf_pkt_len(m) > tl)
				rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - tl));
		}
		w->stats->decap_pkts++;
		fwd[*nfwd] = m;
		fwd_tun[*nfwd] = 1;
		fwd_nbma[*nfwd] = src;
		(*nfwd)++;
		return;
	case RTE_BE16(GRE_PROTO_NHRP):
		punt_slow(w, m, SLOW_NHRP);
		return;
	default:
		dp_drop(w, m, DROP_GRE_PROTO);
		return;
	}
}

/* Prepend the rewrite and fix the per-packet fields of the outer header. */
static inline int gre_encap_one(struct worker *w, struct rte_mbuf *m, const struct adj_rt *a)
{
	const struct ipv4_hdr *in = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	uint16_t inner_len = (uint16_t)rte_pktmbuf_pkt_len(m);
	uint8_t tos = in->tos;
	struct ipv4_hdr *out;
	uint32_t sum;

	out = (struct ipv4_hdr *)rte_pktmbuf_prepend(m, a->rewrite_len);
	if (unlikely(out == NULL))
		return -1;
	if (likely(a->rewrite_len == DP_TUNNEL_OVERHEAD))
		memcpy(out, a->rewrite, DP_TUNNEL_OVERHEAD);
	else
		memcpy(out, a->rewrite, a->rewrite_len);
	out->tos = tos;
	out->total_len = rte_cpu_to_be_16(inner_len + a->rewrite_len);
	out->id = rte_cpu_to_be_16(w->ip_id++);
	/* The template checksum covers tos = length = id = 0: add the new
	 * words (RFC 1624 eqn. 3 with m = 0). */
	sum = (uint16_t)~out->csum;
	sum += (uint32_t)tos << 8;	/* tos is the low-address byte of word 0 */
	sum += out->total_len;
	sum += out->id;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	out->csum = (uint16_t)~sum;
	return 0;
}

static void gre_send_one(struct worker *w, struct rte_mbuf *m, const struct adj_rt *a,
			 uint32_t slot)
{
	struct shm_adj_ctr *c;

	if (unlikely(gre_encap_one(w, m, a) != 0)) {
		dp_drop(w, m, DROP_NO_MBUF);
		return;
	}
	c = &w->adj_ctr[slot];
	c->pkts++;
	c->bytes += rte_pktmbuf_pkt_len(m);
	c->last_tsc = w->now;
	w->stats->encap_pkts++;
	if (a->sa_out) {
		esp_out_enqueue(w, m, a, slot);
		return;
	}
	tx_l3(w, m, a->port, a->nbr);
}

void gre_encap_send(struct worker *w, struct rte_mbuf *m, const struct adj_rt *a,
		    uint32_t slot)
{
	struct rte_mbuf *frags[64];
	uint16_t nf;

	if (likely(rte_pktmbuf_pkt_len(m) <= a->mtu)) {
		gre_send_one(w, m, a, slot);
		return;
	}
	if (rte_pktmbuf_mtod(m, struct ipv4_hdr *)->frag & rte_cpu_to_be_16(IPV4_FLAG_DF)) {
		/* RFC 1191 4: report the tunnel MTU as the next-hop MTU */
		icmp_error(w, m, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, a->mtu);
		dp_drop(w, m, DROP_MTU_DF);
		return;
	}
	nf = frag_ip4(w, m, a->mtu, frags, RTE_DIM(frags));
	for (uint16_t i = 0; i < nf; i++)
		gre_send_one(w, frags[i], a, slot);
}
