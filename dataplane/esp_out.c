/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP output stage: GRE packets for a protected adjacency are queued here
 * after encapsulation (gre.c) and encrypted together, up to a burst at a
 * time, by the ESP engine (dataplane/esp: intel-ipsec-mb), then handed to
 * tx.c.  Transport mode over GRE is the DMVPN default; tunnel mode and
 * RFC 3948 UDP encapsulation are per SA (the engine builds those headers).
 * Sequence numbers: one atomic counter per SA, shared by every lcore that
 * sends with it (RFC 4303 3.3.3: unique per SA), drawn at flush in queue
 * order, one atomic add per run of packets of one SA.
 *
 * With thousands of SAs each packet's SA is a cache miss (its first line,
 * the key schedule and GHASH powers, the sequence counter, the counter
 * row): enqueue only starts those loads; the burst is numbered and
 * encrypted once they are in (BENCHMARKS.md section 2).
 */
#include "dp.h"
#include "esp_out.h"
#include "esp_sa.h"

void esp_out_flush(struct worker *w)
{
	uint16_t n = w->n_esp_out;

	if (n == 0)
		return;
	w->n_esp_out = 0;
	/* sequence numbers now that the counters' lines are in: one atomic
	 * add per run of packets of one SA, in queue order */
	for (uint16_t i = 0, j; i < n; i = j) {
		struct dp_sa *r = container_of(w->esp_out[i].sa, struct dp_sa, esp);
		uint64_t seq;

		for (j = i + 1; j < n && w->esp_out[j].sa == w->esp_out[i].sa; j++)
			;
		seq = esp_seq_take(&r->seq, j - i);
		for (uint16_t k = i; k < j; k++)
			w->esp_out[k].seq = seq++;
	}
	esp_encrypt_burst(w->esp, w->esp_out, n);
	for (uint16_t i = 0; i < n; i++) {
		struct esp_pkt *p = &w->esp_out[i];
		struct rte_mbuf *m = w->esp_out_m[i];
		const struct adj_rt *a = &g_dp.adj[w->esp_out_adj[i]];
		struct shm_sa_ctr *c = &w->sa_ctr[a->sa_out - 1];

		if (unlikely(p->err)) {
			c->other_drops++;
			dp_drop(w, m, DROP_ESP_FIRST + p->err - 1);
			continue;
		}
		m->data_off = (uint16_t)(p->data - (uint8_t *)m->buf_addr);
		m->data_len = (uint16_t)p->len;
		m->pkt_len = p->len;
		c->pkts++;
		c->bytes += p->len;
		c->last_tsc = w->now;
		tx_l3(w, m, a->port, a->nbr);
	}
}

/* Queue an encapsulated packet (data at the outer IPv4 header). */
void esp_out_enqueue(struct worker *w, struct rte_mbuf *m, const struct adj_rt *a, uint32_t slot)
{
	struct dp_sa *r = g_dp.sa[a->sa_out - 1];
	struct esp_pkt *p;

	if (unlikely(r == NULL || r->dead)) {
		dp_drop(w, m, DROP_ESP_NO_SA_OUT);
		return;
	}
	if (unlikely(r->expired)) {
		dp_drop(w, m, DROP_ESP_SA_EXPIRED);
		return;
	}
	if (unlikely(m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0)) {
		dp_drop(w, m, DROP_ESP_NO_ROOM);
		return;
	}
	/* line 0 (SPI, salt, flags), the first 8 lines of keys (AES round
	 * keys, the low GHASH powers), the sequence counter, the counters;
	 * not again for a run of packets of one SA (measured: 11 prefetches
	 * of lines already in L1 cost ~30 cycles a packet) */
	if (w->n_esp_out == 0 || w->esp_out[w->n_esp_out - 1].sa != &r->esp) {
		for (unsigned int l = 0; l < 9; l++)
			rte_prefetch0((const uint8_t *)&r->esp.hot + 64 * l);
		rte_prefetch0(&r->seq);
		rte_prefetch0(&w->sa_ctr[a->sa_out - 1]);
	}
	p = &w->esp_out[w->n_esp_out];
	p->data = rte_pktmbuf_mtod(m, uint8_t *);
	p->len = rte_pktmbuf_pkt_len(m);
	p->headroom = rte_pktmbuf_headroom(m);
	p->tailroom = rte_pktmbuf_tailroom(m);
	p->sa = &r->esp;
	p->seq = 0;		/* esp_out_flush() draws it */
	p->err = 0;
	w->esp_out_m[w->n_esp_out] = m;
	w->esp_out_adj[w->n_esp_out] = slot;
	if (++w->n_esp_out == DP_ESP_Q)
		esp_out_flush(w);
}
