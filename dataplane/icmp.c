/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP we generate: echo replies to our own addresses, and the errors of
 * forwarding: time exceeded and fragmentation needed (RFC 1191, the
 * next-hop MTU is the tunnel MTU so path MTU discovery works through the
 * tunnel).  Errors follow RFC 1812 4.3.2.7: never about an ICMP error, a
 * non-first fragment, or a multicast/broadcast packet; rate limited per
 * worker (token bucket); as much of the original as fits in 576 octets.
 * The source of an error is the address of the interface the packet came in
 * on: the tunnel address for decapsulated packets, else the LAN port's.
 */
#include <rte_ip.h>

#include "cksum.h"
#include "dp.h"
#include "wire/ipv4.h"

#define ICMP_ERR_MAX_LEN 576

static bool icmp_rate_ok(struct worker *w)
{
	uint64_t per = g_dp.tsc_hz / DP_ICMP_RATE;
	uint64_t earned = per ? (w->now - w->icmp_tokens_tsc) / per : 0;

	if (earned) {
		w->icmp_tokens = (uint32_t)RTE_MIN(w->icmp_tokens + earned, (uint64_t)DP_ICMP_RATE);
		w->icmp_tokens_tsc = w->now;
	}
	if (w->icmp_tokens == 0)
		return false;
	w->icmp_tokens--;
	return true;
}

static bool icmp_error_allowed(const struct ipv4_hdr *ip, uint32_t len)
{
	uint32_t src = rte_be_to_cpu_32(ip->src);
	uint32_t hl = ipv4_hdr_len(ip);

	if (ip->frag & rte_cpu_to_be_16(IPV4_FRAG_OFF_MASK))
		return false;			/* not the first fragment */
	if (src == 0 || (src >> 28) == 0xe)
		return false;
	if (ip->proto == IP_PROTO_ICMP) {
		const struct icmp_hdr *ic = (const struct icmp_hdr *)((const uint8_t *)ip + hl);

		if (len < hl + 1)
			return false;
		if (ic->type != ICMP_ECHO_REQUEST && ic->type != ICMP_ECHO_REPLY)
			return false;	/* never about an ICMP error */
	}
	return true;
}

static uint32_t icmp_src_addr(const struct rte_mbuf *m)
{
	int8_t idx = m->port < RTE_MAX_ETHPORTS ? g_dp.port_by_id[m->port] : -1;
	const struct dp_tunnel *t;

	if (idx < 0)
		return 0;
	if (g_dp.ports[idx].role != PORT_ROLE_PUBLIC)
		return g_dp.ports[idx].addr;
	t = dp_tunnel_get(0);
	return t ? t->addr : 0;
}

void icmp_error(struct worker *w, const struct rte_mbuf *m, uint8_t type, uint8_t code,
		uint16_t mtu)
{
	const struct ipv4_hdr *orig = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	uint32_t olen = rte_pktmbuf_pkt_len(m), qlen, src = icmp_src_addr(m);
	struct rte_mbuf *e;
	struct ipv4_hdr *ip;
	struct icmp_hdr *ic;

	if (!icmp_error_allowed(orig, olen) || src == 0)
		return;
	if (!icmp_rate_ok(w)) {
		w->stats->drops[DROP_ICMP_RATE_LIMIT]++;
		return;
	}
	qlen = RTE_MIN(olen, (uint32_t)(ICMP_ERR_MAX_LEN - sizeof(*ip) - sizeof(*ic)));
	e = rte_pktmbuf_alloc(g_dp.pool);
	if (e == NULL)
		return;
	ip = (struct ipv4_hdr *)rte_pktmbuf_append(e, (uint16_t)(sizeof(*ip) + sizeof(*ic) + qlen));
	if (ip == NULL) {
		rte_pktmbuf_free(e);
		return;
	}
	ic = (struct icmp_hdr *)(ip + 1);
	*ip = (struct ipv4_hdr){
		.ver_ihl = 0x45,
		.total_len = rte_cpu_to_be_16((uint16_t)(sizeof(*ip) + sizeof(*ic) + qlen)),
		.ttl = 64,
		.proto = IP_PROTO_ICMP,
		.src = src,
		.dst = orig->src,
	};
	ip->csum = cksum(ip, sizeof(*ip));
	*ic = (struct icmp_hdr){ .type = type, .code = code };
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED)
		ic->frag.mtu = rte_cpu_to_be_16(mtu);
	{
		const void *q = rte_pktmbuf_read(m, 0, qlen, ic + 1);

		if (q != (void *)(ic + 1))
			memcpy(ic + 1, q, qlen);	/* contiguous: read() did not copy */
	}
	ic->csum = cksum(ic, sizeof(*ic) + qlen);
	e->port = m->port;
	w->stats->icmp_sent++;
	ip4_route_one(w, e);
}

/* Turns an echo request into its reply in place (true), or drops it. */
bool icmp_echo_reply(struct worker *w, struct rte_mbuf *m)
{
	struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, struct ipv4_hdr *);
	uint32_t hl = ipv4_hdr_len(ip), len = rte_pktmbuf_pkt_len(m);
	struct icmp_hdr *ic;
	uint32_t tmp;

	if (len < hl + sizeof(*ic) || rte_pktmbuf_data_len(m) != len ||
	    cksum((uint8_t *)ip + hl, len - hl) != 0) {
		dp_drop(w, m, DROP_ICMP_BAD);
		return false;
	}
	ic = (struct icmp_hdr *)((uint8_t *)ip + hl);
	if (ic->type != ICMP_ECHO_REQUEST || ic->code != 0) {
		dp_drop(w, m, DROP_ICMP_IGNORED);
		return false;
	}
	ic->type = ICMP_ECHO_REPLY;
	ic->csum = cksum_update16(ic->csum, rte_cpu_to_be_16(ICMP_ECHO_REQUEST << 8),
				  rte_cpu_to_be_16(ICMP_ECHO_REPLY << 8));
	tmp = ip->src;
	ip->src = ip->dst;
	ip->dst = tmp;
	ip->ttl = 64;
	ip->tos = 0;
	ip->csum = 0;
	ip->csum = cksum(ip, hl);
	w->stats->icmp_sent++;
	return true;
}
