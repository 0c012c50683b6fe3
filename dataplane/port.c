/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: any DPDK device (vdev string or PCI address) from the config.
 * Each port gets min(workers, device max) rx queues spread over the workers
 * (RSS on IP when there is more than one), and one tx queue per worker plus
 * one for the main lcore when the device has them; otherwise tx queues are
 * shared under a spinlock (only then: the flag is fixed at start-up).
 */
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>

#include "dp.h"
#include "log.h"

/* The ethdev name of a device string: the vdev name before the first comma,
 * or the PCI address. */
static void device_name(const char *device, char *out, size_t len)
{
	size_t n = strcspn(device, ",");

	if (n >= len)
		n = len - 1;
	memcpy(out, device, n);
	out[n] = '\0';
}

static int port_configure(struct dp *dp, struct dp_port *p, const struct conf_iface *ci)
{
	struct rte_eth_conf ec = { 0 };
	struct rte_eth_dev_info info;
	uint16_t rxd = dp->conf->dp.rx_desc ? dp->conf->dp.rx_desc : 1024;
	uint16_t txd = dp->conf->dp.tx_desc ? dp->conf->dp.tx_desc : 1024;
	int rc;

	rc = rte_eth_dev_info_get(p->port_id, &info);
	if (rc)
		return rc;
	p->n_rxq = (uint16_t)RTE_MIN(dp->n_workers, info.max_rx_queues);
	p->n_txq = (uint16_t)RTE_MIN(dp->n_workers + 1, info.max_tx_queues);
	if (p->n_rxq == 0 || p->n_txq == 0)
		return -ENOTSUP;
	p->tx_shared = p->n_txq < dp->n_workers + 1;
	if (p->n_rxq > 1 && info.flow_type_rss_offloads) {
		ec.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		ec.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
	}
	rc = rte_eth_dev_configure(p->port_id, p->n_rxq, p->n_txq, &ec);
	if (rc)
		return rc;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(p->port_id, &rxd, &txd);
	if (rc)
		return rc;
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(p->port_id, q, rxd, rte_eth_dev_socket_id(p->port_id),
					    NULL, dp->pool);
		if (rc)
			return rc;
	}
	for (uint16_t q = 0; q < p->n_txq; q++) {
		rc = rte_eth_tx_queue_setup(p->port_id, q, txd, rte_eth_dev_socket_id(p->port_id),
					    NULL);
		if (rc)
			return rc;
	}
	for (unsigned int i = 0; i < RTE_DIM(p->txlock); i++)
		rte_spinlock_init(&p->txlock[i]);
	if (ci->mtu && ci->mtu != RTE_ETHER_MTU)
		rte_eth_dev_set_mtu(p->port_id, ci->mtu);	/* best effort on vdevs */
	return 0;
}

static void port_assign_queues(struct dp *dp, struct dp_port *p)
{
	for (uint16_t q = 0; q < p->n_rxq; q++) {
		struct worker *w = dp->workers[q % dp->n_workers];

		if (w->n_rxq < DP_MAX_RXQ_PER_WORKER) {
			w->rxq[w->n_rxq].port = p->idx;
			w->rxq[w->n_rxq].queue = q;
			w->n_rxq++;
		}
	}
	for (unsigned int i = 0; i < dp->n_workers; i++)
		dp->workers[i]->txq[p->idx] = (uint16_t)(i % p->n_txq);
	dp->main_txq[p->idx] = (uint16_t)(dp->n_workers % p->n_txq);
}

static int port_setup(struct dp *dp, unsigned int i)
{
	const struct conf_iface *ci = &dp->conf->ifaces[i];
	struct dp_port *p = &dp->ports[i];
	struct shm_port *sp = shm_port(&dp->seg, i);
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	device_name(ci->device, name, sizeof(name));
	if (rte_eth_dev_get_port_by_name(name, &p->port_id) != 0) {
		log_err("interface %s: no DPDK device '%s' (device string '%s')", ci->name, name,
			ci->device);
		return -ENODEV;
	}
	snprintf(p->name, sizeof(p->name), "%s", ci->name);
	p->idx = (uint8_t)i;
	p->role = ci->role;
	p->shm = sp;
	rc = port_configure(dp, p, ci);
	if (rc) {
		log_err("interface %s (%s): configure failed: %s", ci->name, name, strerror(-rc));
		return rc;
	}
	rte_eth_macaddr_get(p->port_id, &p->mac);
	port_assign_queues(dp, p);
	rc = rte_eth_dev_start(p->port_id);
	if (rc) {
		log_err("interface %s: start failed: %s", ci->name, strerror(-rc));
		return rc;
	}
	snprintf(sp->name, sizeof(sp->name), "%s", ci->name);
	snprintf(sp->device, sizeof(sp->device), "%s", ci->device);
	sp->role = ci->role;
	memcpy(sp->mac, p->mac.addr_bytes, 6);
	sp->dpdk_port = p->port_id;
	sp->n_rxq = p->n_rxq;
	sp->n_txq = p->n_txq;
	log_info("interface %s: %s port %u, %u rx / %u tx queues%s, mac " RTE_ETHER_ADDR_PRT_FMT,
		 ci->name, name, p->port_id, p->n_rxq, p->n_txq,
		 p->tx_shared ? " (shared tx)" : "", RTE_ETHER_ADDR_BYTES(&p->mac));
	return 0;
}

int port_setup_all(struct dp *dp)
{
	for (unsigned int i = 0; i < dp->conf->n_ifaces; i++) {
		int rc = port_setup(dp, i);

		if (rc)
			return rc;
		dp->n_ports++;
	}
	return 0;
}

int port_find_by_id(const struct dp *dp, uint16_t port_id)
{
	for (unsigned int i = 0; i < dp->n_ports; i++)
		if (dp->ports[i].port_id == port_id)
			return (int)i;
	return -1;
}

/* Main lcore, every 100 ms: device counters and link state to the segment. */
void port_stats_export(struct dp *dp)
{
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		struct dp_port *p = &dp->ports[i];
		struct shm_port_stats *s = &p->shm->stats;
		struct rte_eth_stats st;
		struct rte_eth_link link;

		if (rte_eth_stats_get(p->port_id, &st) == 0) {
			s->rx_pkts = st.ipackets;
			s->rx_bytes = st.ibytes;
			s->rx_missed = st.imissed;
			s->rx_errors = st.ierrors;
			s->rx_nombuf = st.rx_nombuf;
			s->tx_pkts = st.opackets;
			s->tx_bytes = st.obytes;
			s->tx_errors = st.oerrors;
		}
		if (rte_eth_link_get_nowait(p->port_id, &link) == 0) {
			atomic_store(&p->shm->link_up, link.link_status);
			atomic_store(&p->shm->link_speed, link.link_speed);
		}
	}
}

void port_close_all(struct dp *dp)
{
	for (unsigned int i = 0; i < dp->n_ports; i++) {
		rte_eth_dev_stop(dp->ports[i].port_id);
		rte_eth_dev_close(dp->ports[i].port_id);
	}
}
