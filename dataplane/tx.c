/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Last stage: L2 rewrite and transmit.  Packets arrive here as L3 (data at
 * the IPv4 header); we prepend Ethernet with the next hop's MAC from the
 * neighbour table and buffer per port.  Buffers are flushed when half full
 * and at the end of every loop iteration.
 */
#include <rte_ethdev.h>

#include "dp.h"
#include "wire/eth.h"

static inline void eth_fill(struct rte_ether_hdr *eh, uint64_t mac_state,
			    const struct rte_ether_addr *src)
{
	uint64_t d = mac_state;

	for (int i = 0; i < 6; i++)
		eh->dst_addr.addr_bytes[i] = (uint8_t)(d >> (8 * i));
	rte_ether_addr_copy(src, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
}

void tx_flush(struct worker *w, unsigned int port)
{
	struct tx_buf *b = &w->tx[port];
	struct dp_port *p = &g_dp.ports[port];
	uint16_t q = w->txq[port], sent;

	if (b->n == 0)
		return;
	if (unlikely(p->tx_shared))
		rte_spinlock_lock(&p->txlock[q]);
	sent = rte_eth_tx_burst(p->port_id, q, b->pkts, b->n);
	if (unlikely(p->tx_shared))
		rte_spinlock_unlock(&p->txlock[q]);
	w->stats->tx_pkts += sent;
	if (unlikely(sent < b->n)) {
		w->stats->drops[DROP_TX_FULL] += b->n - sent;
		rte_pktmbuf_free_bulk(&b->pkts[sent], b->n - sent);
	}
	b->n = 0;
}

void tx_flush_all(struct worker *w)
{
	for (unsigned int p = 0; p < g_dp.n_ports; p++)
		tx_flush(w, p);
}

/* Queue an L3 packet to `port` towards neighbour `nbr`. */
void tx_l3(struct worker *w, struct rte_mbuf *m, uint8_t port, uint32_t nbr)
{
	uint64_t ms = __atomic_load_n(&g_dp.nbr[nbr].mac_state, __ATOMIC_RELAXED);
	struct rte_ether_hdr *eh;
	struct tx_buf *b;

	if (unlikely(!(ms & NBR_VALID))) {
		if (nbr >= g_dp.nbr_max)	/* no underlay route: nothing to resolve */
			dp_drop(w, m, DROP_NBR_INCOMPLETE);
		else
			worker_hold(w, m, port, (int32_t)nbr);
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN);
	if (unlikely(eh == NULL)) {
		dp_drop(w, m, DROP_NO_MBUF);
		return;
	}
	eth_fill(eh, ms, &g_dp.ports[port].mac);
	b = &w->tx[port];
	b->pkts[b->n++] = m;
	if (b->n >= DP_TX_BUF / 2)
		tx_flush(w, port);
}

/* Send a packet back to the station it came from on the same port (echo
 * replies to our public address: the underlay FIB is the main lcore's, and
 * the sender's MAC is the right next hop for a reply).  The received
 * Ethernet header is still in the headroom in front of the IPv4 header. */
void tx_reflect(struct worker *w, struct rte_mbuf *m, uint8_t port)
{
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN);
	struct tx_buf *b;

	if (unlikely(eh == NULL)) {
		dp_drop(w, m, DROP_NO_MBUF);
		return;
	}
	rte_ether_addr_copy(&eh->src_addr, &eh->dst_addr);
	rte_ether_addr_copy(&g_dp.ports[port].mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	b = &w->tx[port];
	b->pkts[b->n++] = m;
	if (b->n >= DP_TX_BUF / 2)
		tx_flush(w, port);
}

/* Main lcore transmit on its own queue (shared under the lock if needed). */
uint16_t tx_main(struct dp *dp, uint8_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct dp_port *p = &dp->ports[port];
	uint16_t q = dp->main_txq[port], sent;

	if (p->tx_shared)
		rte_spinlock_lock(&p->txlock[q]);
	sent = rte_eth_tx_burst(p->port_id, q, pkts, n);
	if (p->tx_shared)
		rte_spinlock_unlock(&p->txlock[q]);
	dp->main_stats->tx_pkts += sent;
	if (sent < n) {
		dp->main_stats->drops[DROP_TX_FULL] += n - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], n - sent);
	}
	return sent;
}

/* Main lcore: the packets tx_main_l3() gathered, one burst per port. */
void tx_main_flush(struct dp *dp)
{
	for (unsigned int p = 0; p < dp->n_ports && p < SHM_MAX_PORTS; p++) {
		if (!dp->n_main_tx[p])
			continue;
		tx_main(dp, (uint8_t)p, dp->main_tx[p], dp->n_main_tx[p]);
		dp->n_main_tx[p] = 0;
	}
}

/* Main lcore: send an L3 packet to `nexthop` (an on-link address) on `port`;
 * without a resolved neighbour it waits for ARP (arp_wait), in order.  The
 * packet is gathered with the others of this round and leaves at the next
 * tx_main_flush() (inject_poll() calls it: at most one main loop later). */
void tx_main_l3(struct dp *dp, struct rte_mbuf *m, uint8_t port, uint32_t nexthop)
{
	int32_t idx = nbr_get(dp, port, nexthop, true);
	struct rte_ether_hdr *eh;
	uint64_t ms;

	if (idx < 0) {
		dp->main_stats->drops[DROP_NBR_INCOMPLETE]++;
		rte_pktmbuf_free(m);
		return;
	}
	ms = __atomic_load_n(&dp->nbr[idx].mac_state, __ATOMIC_RELAXED);
	if (!(ms & NBR_VALID)) {
		arp_wait(dp, (uint32_t)idx, m);
		return;
	}
	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN);
	if (!eh) {
		dp->main_stats->drops[DROP_NO_MBUF]++;
		rte_pktmbuf_free(m);
		return;
	}
	eth_fill(eh, ms, &dp->ports[port].mac);
	dp->main_tx[port][dp->n_main_tx[port]++] = m;
	if (dp->n_main_tx[port] == MAIN_TX_BURST)
		tx_main_flush(dp);
}
