/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Worker lcore: the burst loop.  Run to completion: every packet taken from
 * a queue is forwarded, punted or dropped (with a counter) before the next
 * burst.  After each iteration the worker reports an RCU quiescent state.
 *
 * Adaptive idle (dataplane.idle = "adaptive"): after 256 empty iterations the
 * worker goes RCU-offline and sleeps, doubling the sleep from 8 us up to
 * dataplane.idle_sleep_max_us while nothing arrives, so several instances can
 * share two cores in tests.  "poll" never sleeps (benchmarks).
 */
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_hash_crc.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "dp.h"
#include "esp_thread.h"
#include "log.h"

#define IDLE_SPINS 256
#define IDLE_SLEEP_MIN_US 8

static void worker_sleep(struct worker *w, uint32_t us)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = (long)us * 1000 };

	rte_rcu_qsbr_thread_offline(g_dp.rcu, w->idx);
	nanosleep(&ts, NULL);
	rte_rcu_qsbr_thread_online(g_dp.rcu, w->idx);
	w->stats->sleeps++;
}

/* Hold-off cache so a flow that keeps missing raises one event per
 * DP_EVENT_HOLDOFF_MS, not one per packet. */
static bool event_held_off(struct worker *w, uint32_t key)
{
	unsigned int i = (key ^ (key >> 8) ^ (key >> 16)) & (RTE_DIM(w->ev_cache) - 1);
	uint64_t holdoff = g_dp.tsc_hz / 1000 * DP_EVENT_HOLDOFF_MS;

	if (w->ev_cache[i].key == key && w->now - w->ev_cache[i].tsc < holdoff)
		return true;
	w->ev_cache[i].key = key;
	w->ev_cache[i].tsc = w->now;
	return false;
}

void worker_event(struct worker *w, uint8_t kind, uint8_t tunnel, uint8_t port, uint32_t a,
		  uint32_t b, uint32_t c, uint32_t d, const void *sample, unsigned int sample_len)
{
	struct dp_event ev = {
		.kind = kind, .tunnel = tunnel, .port = port, .a = a, .b = b, .c = c, .d = d,
	};
	uint32_t key = rte_hash_crc_4byte(a, rte_hash_crc_4byte(b, kind));

	if (event_held_off(w, key))
		return;
	if (sample_len > DP_EV_SAMPLE)
		sample_len = DP_EV_SAMPLE;
	if (sample_len)
		memcpy(ev.sample, sample, sample_len);
	ev.sample_len = (uint8_t)sample_len;
	if (rte_ring_sp_enqueue_elem(w->events, &ev, sizeof(ev)) != 0)
		w->stats->drops[DROP_SLOW_RING_FULL]++;
	else
		w->stats->events++;
}

/*
 * A packet whose next hop has no MAC yet: like a host's neighbour queue, the
 * main lcore keeps the latest one per neighbour and sends it when the ARP
 * reply arrives (so the first packet of a flow is not lost).  At most one
 * per neighbour per hold-off period is handed over; the rest are dropped as
 * arp-incomplete.  fdir.hi = neighbour index, or 0x80000000 | port when the
 * destination has no entry yet (the main lcore creates it).
 */
void worker_hold(struct worker *w, struct rte_mbuf *m, uint8_t port, int32_t nbr)
{
	uint32_t tag = nbr >= 0 ? (uint32_t)nbr : 0x80000000u | port;
	uint32_t dst = rte_pktmbuf_mtod(m, const uint32_t *)[4];	/* IPv4 destination */

	if (event_held_off(w, rte_hash_crc_4byte(dst, tag ^ 0x484f4c44))) {
		dp_drop(w, m, DROP_NBR_INCOMPLETE);
		return;
	}
	m->hash.fdir.hi = tag;
	punt_slow(w, m, SLOW_HOLD);
}

static unsigned int worker_poll(struct worker *w)
{
	struct rte_mbuf *pkts[DP_MAX_BURST];
	unsigned int total = 0;

	for (uint16_t i = 0; i < w->n_rxq; i++) {
		struct dp_port *p = &g_dp.ports[w->rxq[i].port];
		uint16_t n = rte_eth_rx_burst(p->port_id, w->rxq[i].queue, pkts, g_dp.burst);

		if (n == 0)
			continue;
		w->stats->rx_pkts += n;
		classify_burst(w, p, pkts, n);
		total += n;
	}
	tx_flush_all(w);
	return total;
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	uint32_t idle = 0, sleep_us = 0;

	/* the engine context is allocated on its own lcore (first touch) */
	if (esp_thread_init(&w->esp) != 0) {
		log_err("worker %u: ESP engine context failed: IPsec disabled on it", w->idx);
		w->esp = NULL;
	}
	rte_rcu_qsbr_thread_register(g_dp.rcu, w->idx);
	rte_rcu_qsbr_thread_online(g_dp.rcu, w->idx);
	/* Nothing to forward with until the controller's first replay. */
	while (!g_dp.quit && !g_dp.rx_enabled) {
		rte_rcu_qsbr_quiescent(g_dp.rcu, w->idx);
		worker_sleep(w, 1000);
	}
	while (!g_dp.quit) {
		uint64_t t0 = rte_rdtsc();
		unsigned int n;

		w->now = t0;
		n = worker_poll(w);
		rte_rcu_qsbr_quiescent(g_dp.rcu, w->idx);
		w->stats->polls++;
		if (n) {
			w->stats->busy_tsc += rte_rdtsc() - t0;
			w->stats->busy_pkts += n;
			idle = 0;
			sleep_us = 0;
			continue;
		}
		w->stats->idle_polls++;
		if (!g_dp.adaptive_idle || ++idle < IDLE_SPINS) {
			rte_pause();
			continue;
		}
		sleep_us = sleep_us ? RTE_MIN(sleep_us * 2, g_dp.idle_sleep_max_us)
				    : IDLE_SLEEP_MIN_US;
		worker_sleep(w, sleep_us);
	}
	tx_flush_all(w);
	rte_rcu_qsbr_thread_offline(g_dp.rcu, w->idx);
	rte_rcu_qsbr_thread_unregister(g_dp.rcu, w->idx);
	if (w->esp)
		esp_thread_fini(w->esp);
	return 0;
}
