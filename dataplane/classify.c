/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * First stage after rx: Ethernet, then IPv4 checks, then by port role:
 *  - LAN / host port: every valid IPv4 packet goes to the FIB (ip4.c);
 *  - public port: only packets to the port's own address are ours: ESP and
 *    ESP-in-UDP 4500 go to esp_in.c (decrypted ones continue to gre.c), GRE
 *    to gre.c (which hands decapsulated IPv4 back to the FIB batch), IKE
 *    (UDP 500, or 4500 with the non-ESP marker, RFC 3948 2.2) to the
 *    controller, NAT keepalives are consumed, ICMP echo is answered, the rest
 *    is dropped with a reason (DESIGN.md "Tunnel -> LAN").
 * ARP goes to the main lcore.  From here on a packet's data starts at its
 * IPv4 header (the Ethernet header is removed and rebuilt by tx.c).
 */
#include <rte_ip.h>

#include "dp.h"
#include "wire/ipv4.h"

#define IKE_PORT 500
#define NATT_PORT 4500

static inline bool l2_for_us(const struct rte_ether_hdr *eh, const struct dp_port *p)
{
	return rte_is_same_ether_addr(&eh->dst_addr, &p->mac) ||
	       rte_is_multicast_ether_addr(&eh->dst_addr);
}

/* IPv4 destination class we never forward (RFC 1812 5.3.7 / 4.2.2.11). */
static inline bool ip4_dst_multicast(uint32_t dst)
{
	uint32_t h = rte_be_to_cpu_32(dst);

	return (h >> 28) == 0xe || h == 0xffffffffu;
}

/* Trim Ethernet padding: the IPv4 total length is authoritative. */
static inline void ip4_trim(struct rte_mbuf *m)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	uint32_t tl = rte_be_to_cpu_16(ip->total_len);

	if (rte_pktmbuf_pkt_len(m) > tl)
		rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) - tl));
}

/* RFC 3948: UDP 4500 carries ESP (SPI != 0), IKE (non-ESP marker 0) or a
 * one-octet 0xFF keepalive; UDP 500 carries IKE. */
static void udp_input(struct worker *w, struct rte_mbuf *m)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	uint32_t hl = ipv4_hdr_len(ip), len = rte_pktmbuf_pkt_len(m);
	const struct udp_hdr *u;
	const uint8_t *pl;
	uint32_t plen;

	if (unlikely(len < hl + sizeof(*u) || rte_pktmbuf_data_len(m) < hl + sizeof(*u) + 4)) {
		if (len == hl + sizeof(*u) + 1 && rte_pktmbuf_data_len(m) >= len &&
		    rte_pktmbuf_mtod_offset(m, const uint8_t *, hl + sizeof(*u))[0] == 0xff) {
			dp_drop(w, m, DROP_NAT_KEEPALIVE);
			return;
		}
		dp_drop(w, m, DROP_LOCAL_PROTO);
		return;
	}
	u = (const struct udp_hdr *)((const uint8_t *)ip + hl);
	pl = (const uint8_t *)(u + 1);
	plen = len - hl - sizeof(*u);
	if (u->dport == rte_cpu_to_be_16(NATT_PORT)) {
		if (pl[0] | pl[1] | pl[2] | pl[3])
			esp_in_enqueue(w, m);
		else
			punt_slow(w, m, SLOW_IKE);
		return;
	}
	if (u->dport == rte_cpu_to_be_16(IKE_PORT) && plen > 0) {
		punt_slow(w, m, SLOW_IKE);
		return;
	}
	dp_drop(w, m, DROP_LOCAL_PROTO);
}

static void public_input(struct worker *w, struct dp_port *p, struct rte_mbuf *m,
			 struct rte_mbuf **fwd, uint8_t *fwd_tun, uint32_t *fwd_nbma,
			 uint16_t *nfwd)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);

	if (unlikely(ip->dst != p->addr || p->addr == 0)) {
		dp_drop(w, m, DROP_UNDERLAY_NOT_FOR_US);
		return;
	}
	if (unlikely(ip->frag & rte_cpu_to_be_16(IPV4_FLAG_MF | IPV4_FRAG_OFF_MASK))) {
		dp_drop(w, m, DROP_LOCAL_FRAGMENT);
		return;
	}
	switch (ip->proto) {
	case IP_PROTO_GRE:
		gre_input(w, p, m, 0, fwd, fwd_tun, fwd_nbma, nfwd);
		break;
	case IP_PROTO_ESP:
		esp_in_enqueue(w, m);
		break;
	case IP_PROTO_UDP:
		udp_input(w, m);
		break;
	case IP_PROTO_ICMP:
		ip4_local(w, m, false);
		break;
	default:
		dp_drop(w, m, DROP_LOCAL_PROTO);
		break;
	}
}

void classify_burst(struct worker *w, struct dp_port *p, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *fwd[DP_MAX_BURST];
	uint8_t fwd_tun[DP_MAX_BURST];
	uint32_t fwd_nbma[DP_MAX_BURST];
	uint16_t nfwd = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const struct rte_ether_hdr *eh;
		enum drop_reason r;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)) {
			dp_drop(w, m, DROP_RUNT);
			continue;
		}
		eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
		if (unlikely(eh->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))) {
			if (eh->ether_type == rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP))
				punt_slow(w, m, SLOW_ARP);
			else
				dp_drop(w, m, DROP_ETHERTYPE);
			continue;
		}
		if (unlikely(!l2_for_us(eh, p))) {
			dp_drop(w, m, DROP_L2_NOT_FOR_US);
			continue;
		}
		rte_pktmbuf_adj(m, RTE_ETHER_HDR_LEN);
		r = ip4_check(m, 0, true);
		if (unlikely(r != DROP__MAX)) {
			dp_drop(w, m, r);
			continue;
		}
		ip4_trim(m);
		if (p->role == PORT_ROLE_PUBLIC) {
			public_input(w, p, m, fwd, fwd_tun, fwd_nbma, &nfwd);
			continue;
		}
		if (unlikely(ip4_dst_multicast(rte_pktmbuf_mtod(m, struct ipv4_hdr *)->dst))) {
			dp_drop(w, m, DROP_IP4_MULTICAST);
			continue;
		}
		fwd[nfwd] = m;
		fwd_tun[nfwd] = 0;
		fwd_nbma[nfwd] = 0;
		nfwd++;
	}
	esp_in_flush(w, p, fwd, fwd_tun, fwd_nbma, &nfwd);
	if (nfwd)
		ip4_forward_burst(w, fwd, nfwd, fwd_tun, fwd_nbma);
	esp_out_flush(w);
}
