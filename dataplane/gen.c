/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in traffic generator for benchmarks (`generator` section), in the
 * spirit of VPP's packet-generator: the main lcore keeps the receive ring of
 * a net_ring port full of copies of the packets of a pcap file, in file
 * order, round and round.  The worker then receives from a plain rte_ring,
 * so its per-packet cost is measured without a pcap or NIC driver in the way
 * (net_pcap infinite_rx alone costs ~230 cycles per 64-byte packet here).
 *
 * `--vdev net_ringN` creates one ring per queue named ETH_RXTX<q>_<dev>,
 * used for both directions; the generator is its only producer as long as
 * nothing is transmitted on that port (true for the LAN -> tunnel
 * benchmark; a packet sent there would be received again).
 */
#include <pcap/pcap.h>

#include <rte_malloc.h>

#include "dp.h"
#include "log.h"

#define GEN_BURST 128
#define GEN_MAX_PKTS (1u << 20)

struct gen_pkt {
	uint32_t off;		/* into gen.data */
	uint16_t len;
};

struct gen {
	struct rte_ring *ring;
	uint16_t port_id;
	uint32_t n, next;
	struct gen_pkt *pkts;
	uint8_t *data;
	uint64_t sent;
};

static int gen_load(struct gen *g, const char *file)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *p;
	size_t used = 0, cap = 1 << 20;
	pcap_t *pc = pcap_open_offline(file, err);

	if (!pc) {
		log_err("generator: %s: %s", file, err);
		return -ENOENT;
	}
	g->pkts = rte_zmalloc("gen_pkts", sizeof(*g->pkts) * GEN_MAX_PKTS, 0);
	g->data = rte_malloc("gen_data", cap, RTE_CACHE_LINE_SIZE);
	while (g->pkts && g->data && g->n < GEN_MAX_PKTS && pcap_next_ex(pc, &h, &p) == 1) {
		if (h->caplen < RTE_ETHER_HDR_LEN || h->caplen > RTE_MBUF_DEFAULT_DATAROOM)
			continue;
		if (used + h->caplen > cap) {
			uint8_t *d = rte_realloc(g->data, cap * 2, RTE_CACHE_LINE_SIZE);

			if (!d)
				break;
			g->data = d;
			cap *= 2;
		}
		memcpy(g->data + used, p, h->caplen);
		g->pkts[g->n].off = (uint32_t)used;
		g->pkts[g->n].len = (uint16_t)h->caplen;
		used += h->caplen;
		g->n++;
	}
	pcap_close(pc);
	return g->n ? 0 : -EINVAL;
}

int gen_init(struct dp *dp)
{
	const struct conf_generator *c = &dp->conf->generator;
	const struct conf_iface *ci;
	char name[RTE_RING_NAMESIZE + 16], dev[RTE_RING_NAMESIZE];
	struct gen *g;

	if (!c->present)
		return 0;
	ci = &dp->conf->ifaces[c->iface];
	g = rte_zmalloc("gen", sizeof(*g), 0);
	if (!g)
		return -ENOMEM;
	snprintf(dev, sizeof(dev), "%.*s", (int)strcspn(ci->device, ","), ci->device);
	snprintf(name, sizeof(name), "ETH_RXTX0_%s", dev);
	g->ring = rte_ring_lookup(name);
	g->port_id = dp->ports[c->iface].port_id;
	if (!g->ring) {
		log_err("generator: no ring %s for interface %s", name, ci->name);
		return -ENODEV;
	}
	if (gen_load(g, c->pcap))
		return -EINVAL;
	/* frames are addressed to the port, whatever MAC the file has */
	for (uint32_t i = 0; i < g->n; i++)
		memcpy(g->data + g->pkts[i].off, dp->ports[c->iface].mac.addr_bytes, RTE_ETHER_ADDR_LEN);
	dp->gen = g;
	log_info("generator: %u packets from %s into %s", g->n, c->pcap, ci->name);
	return 0;
}

/* Main lcore: top the ring up; returns non-zero while generating. */
unsigned int gen_poll(struct dp *dp)
{
	struct gen *g = dp->gen;
	struct rte_mbuf *m[GEN_BURST];
	unsigned int n;

	if (!g || !dp->rx_enabled)
		return 0;
	n = RTE_MIN(rte_ring_free_count(g->ring), (unsigned int)GEN_BURST);
	if (n == 0 || rte_pktmbuf_alloc_bulk(dp->pool, m, n) != 0)
		return 1;
	for (unsigned int i = 0; i < n; i++) {
		const struct gen_pkt *p = &g->pkts[g->next];

		if (++g->next == g->n)
			g->next = 0;
		rte_memcpy(rte_pktmbuf_mtod(m[i], void *), g->data + p->off, p->len);
		m[i]->data_len = p->len;
		m[i]->pkt_len = p->len;
		m[i]->port = g->port_id;
	}
	if (rte_ring_enqueue_bulk(g->ring, (void **)m, n, NULL) != n) {
		rte_pktmbuf_free_bulk(m, n);
		return 1;
	}
	g->sent += n;
	return n;
}
