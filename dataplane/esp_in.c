/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ESP input stage, for packets to our public address with protocol 50 or
 * in UDP 4500 (RFC 3948; classify.c has already taken IKE's non-ESP marker
 * and NAT keepalives out).  Per burst: parse each packet's framing, look the
 * SPIs up in one bulk hash lookup, then the ESP engine checks anti-replay,
 * decrypts and verifies, and updates the window only for packets whose ICV
 * verified (RFC 4303 3.4.3).  A good packet must then be GRE between the
 * SA's addresses (the "IPsec proxy" of DMVPN: the SA protects GRE between
 * the two NBMA addresses; with NAT-T the source is whatever the NAT made of
 * it) and goes on to gre.c marked as protected, with its SA for the
 * controller when it carries NHRP.  Every refusal is a drop with the
 * engine's reason; a refused packet's bytes are never looked at again.
 */
#include <rte_hash.h>

#include "dp.h"
#include "esp_in.h"
#include "esp_sa.h"
#include "wire/ipv4.h"

void esp_in_enqueue(struct worker *w, struct rte_mbuf *m)
{
	struct esp_in_info info;
	int err;

	if (unlikely(m->nb_segs > 1 && rte_pktmbuf_linearize(m) != 0)) {
		dp_drop(w, m, DROP_ESP_NO_ROOM);
		return;
	}
	err = esp_in_parse(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_pkt_len(m), &info);
	if (unlikely(err)) {
		dp_drop(w, m, DROP_ESP_FIRST + err - 1);
		return;
	}
	w->esp_in_spi[w->n_esp_in] = info.spi;
	w->esp_in_m[w->n_esp_in++] = m;
}

static bool esp_in_policy(const struct rte_mbuf *m, const struct esp_sa_cold *sa)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);

	if (ip->proto != IP_PROTO_GRE || ip->dst != sa->local)
		return false;
	return (sa->cfg_flags & SA_F_UDP_ENCAP) || ip->src == sa->remote;
}

static void esp_in_lookup(struct worker *w, uint16_t n)
{
	const void *keys[DP_MAX_BURST];
	void *data[DP_MAX_BURST];
	uint64_t hits = 0;

	for (uint16_t i = 0; i < n; i++)
		keys[i] = &w->esp_in_spi[i];
	rte_hash_lookup_bulk_data(g_dp.spi_hash, keys, n, &hits, data);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = w->esp_in_m[i];
		struct esp_pkt *p = &w->esp_in[i];
		struct dp_sa *r = (hits >> i) & 1 ? g_dp.sa[(uintptr_t)data[i]] : NULL;

		p->data = rte_pktmbuf_mtod(m, uint8_t *);
		p->len = rte_pktmbuf_pkt_len(m);
		p->headroom = rte_pktmbuf_headroom(m);
		p->tailroom = rte_pktmbuf_tailroom(m);
		p->sa = r && !r->dead && !r->expired && r->inbound ? &r->esp : NULL;
		p->err = 0;
		w->esp_in_slot[i] = r ? r->slot : UINT32_MAX;
		/* many SAs: start the burst's misses together (not again for
		 * a run of one SA's packets) */
		if (p->sa && (i == 0 || w->esp_in[i - 1].sa != p->sa)) {
			for (unsigned int l = 0; l < 9; l++)
				rte_prefetch0((const uint8_t *)&r->esp.hot + 64 * l);
			rte_prefetch0(&r->esp.cold);
			rte_prefetch0(&w->sa_ctr[r->slot]);
		}
	}
}

static void esp_in_count_refusal(struct worker *w, uint32_t slot, uint8_t err)
{
	struct shm_sa_ctr *c;

	if (slot == UINT32_MAX)
		return;
	c = &w->sa_ctr[slot];
	if (err == ESP_E_REPLAY || err == ESP_E_TOO_OLD)
		c->replay_drops++;
	else if (err == ESP_E_AUTH)
		c->auth_fails++;
	else
		c->other_drops++;
}

/* Decrypt what was queued during this burst; good packets join the FIB
 * batch through gre_input(). */
void esp_in_flush(struct worker *w, struct dp_port *port, struct rte_mbuf **fwd, uint8_t *fwd_tun,
		  uint32_t *fwd_nbma, uint16_t *nfwd)
{
	uint16_t n = w->n_esp_in;

	if (n == 0)
		return;
	w->n_esp_in = 0;
	esp_in_lookup(w, n);
	esp_decrypt_burst(w->esp, w->esp_in, n);
	for (uint16_t i = 0; i < n; i++) {
		struct esp_pkt *p = &w->esp_in[i];
		struct rte_mbuf *m = w->esp_in_m[i];
		uint32_t slot = w->esp_in_slot[i];
		struct shm_sa_ctr *c;

		if (unlikely(p->err)) {
			bool expired = p->err == ESP_E_BAD_SPI && slot != UINT32_MAX &&
				       g_dp.sa[slot] && g_dp.sa[slot]->expired;

			esp_in_count_refusal(w, slot, p->err);
			dp_drop(w, m, expired ? DROP_ESP_SA_EXPIRED : DROP_ESP_FIRST + p->err - 1);
			continue;
		}
		m->data_off = (uint16_t)(p->data - (uint8_t *)m->buf_addr);
		m->data_len = (uint16_t)p->len;
		m->pkt_len = p->len;
		if (unlikely(ip4_check(m, 0, true) != DROP__MAX ||
			     !esp_in_policy(m, &p->sa->cold))) {
			dp_drop(w, m, DROP_ESP_POLICY);
			continue;
		}
		{	/* tunnel mode: TFC padding after the inner packet (RFC 4303 2.7) */
			uint16_t tl = rte_be_to_cpu_16(rte_pktmbuf_mtod(m, struct ipv4_hdr *)->total_len);

			if (m->pkt_len > tl)
				rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - tl));
		}
		c = &w->sa_ctr[slot];
		c->pkts++;
		c->bytes += p->len;
		c->last_tsc = w->now;
		m->ol_flags |= RTE_MBUF_F_RX_SEC_OFFLOAD;	/* "decrypted here" */
		m->hash.fdir.hi = slot + 1;
		gre_input(w, port, m, 0, fwd, fwd_tun, fwd_nbma, nfwd);
	}
}
