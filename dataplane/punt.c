/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The slow path between workers, the main lcore and the controller.
 *
 *   worker --slow ring (mbufs: ARP, NHRP)--> main --punt ring--> controller
 *   worker --event ring (struct dp_event)--> main --punt ring--> controller
 *   controller --inject ring--> main --> wire (GRE-encapsulated NHRP)
 *
 * Each worker owns its two rte_rings (single producer, single consumer), so
 * the shared-memory punt ring keeps one producer: the main lcore.  When the
 * main lcore puts something into an empty punt or reply ring it rings the
 * controller's doorbell (a one-byte datagram), so the controller sleeps in
 * epoll instead of polling.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <unistd.h>

#include <rte_ip.h>
#include <rte_malloc.h>

#include "dp.h"
#include "esp_out.h"
#include "log.h"
#include "wire/gre.h"
#include "wire/ipv4.h"

#define SLOW_RING_SIZE 1024
#define EVENT_RING_SIZE 1024
#define MAIN_BURST 32

int punt_init(struct dp *dp)
{
	char name[RTE_RING_NAMESIZE];

	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct worker *w = dp->workers[i];

		snprintf(name, sizeof(name), "slow%u_%d", i, getpid());
		w->slow = rte_ring_create(name, SLOW_RING_SIZE, (int)rte_socket_id(),
					  RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "ev%u_%d", i, getpid());
		w->events = rte_ring_create_elem(name, sizeof(struct dp_event), EVENT_RING_SIZE,
						 (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (!w->slow || !w->events)
			return -ENOMEM;
	}
	dp->bell_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	conf_path_bell(dp->conf, dp->bell_path, sizeof(dp->bell_path));
	return dp->bell_fd < 0 ? -errno : 0;
}

void bell_ring(struct dp *dp)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(dp->bell_path) >= sizeof(sa.sun_path))
		return;
	memcpy(sa.sun_path, dp->bell_path, strlen(dp->bell_path) + 1);
	/* no controller listening: ECONNREFUSED/ENOENT, nothing to do */
	(void)sendto(dp->bell_fd, "!", 1, MSG_DONTWAIT, (struct sockaddr *)&sa, sizeof(sa));
}

void punt_slow(struct worker *w, struct rte_mbuf *m, enum slow_kind kind)
{
	m->hash.usr = kind;
	if (unlikely(rte_ring_sp_enqueue(w->slow, m) != 0)) {
		dp_drop(w, m, DROP_SLOW_RING_FULL);
		return;
	}
	w->stats->punt_pkts++;
}

/* Reserve an entry on the punt ring; NULL and a drop count when full. */
static struct msg_hdr *punt_reserve(struct dp *dp, bool *was_empty)
{
	struct shm_ring *r = shm_ring_get(&dp->seg, SHM_R_RING_PUNT);
	struct msg_hdr *h;

	*was_empty |= ring_count(r) == 0;
	h = ring_reserve(r);
	if (h == NULL)
		dp->main_stats->drops[DROP_PUNT_RING_FULL]++;
	return h;
}

static void punt_commit(struct dp *dp)
{
	ring_commit(shm_ring_get(&dp->seg, SHM_R_RING_PUNT));
}

/* Copy bytes [off, end) of a packet to the punt ring with its metadata
 * (port and outer addresses filled in here). */
static void punt_pkt(struct dp *dp, const struct rte_mbuf *m, uint16_t type, uint32_t off,
		     struct msg_punt_pkt meta, bool *was_empty)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	int idx = m->port < RTE_MAX_ETHPORTS ? dp->port_by_id[m->port] : 0;
	uint32_t len = rte_pktmbuf_pkt_len(m) - off;
	struct msg_punt_pkt *p;
	struct msg_hdr *h;
	const void *d;

	if (rte_pktmbuf_pkt_len(m) < off || len > SHM_PKT_ENTRY_SIZE - sizeof(*h) - sizeof(*p)) {
		dp->main_stats->drops[DROP_PUNT_RING_FULL]++;
		return;
	}
	h = punt_reserve(dp, was_empty);
	if (h == NULL)
		return;
	p = (struct msg_punt_pkt *)(h + 1);
	*h = (struct msg_hdr){ .type = type, .len = (uint16_t)(sizeof(*p) + len) };
	*p = meta;
	p->port = (uint16_t)(idx < 0 ? 0 : idx);
	p->src = ip->src;
	p->dst = ip->dst;
	p->len = (uint16_t)len;
	d = rte_pktmbuf_read(m, off, len, p + 1);
	if (d != (const void *)(p + 1))
		memcpy(p + 1, d, len);
	punt_commit(dp);
}

/* GRE/NHRP from a worker: outer IPv4 + GRE, then the NHRP message. */
static void punt_nhrp(struct dp *dp, struct rte_mbuf *m, bool *was_empty)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	uint32_t hl = ipv4_hdr_len(ip);
	const struct gre_hdr *g = (const struct gre_hdr *)((const uint8_t *)ip + hl);
	bool key = g->flags & rte_cpu_to_be_16(GRE_FLAG_KEY);

	punt_pkt(dp, m, MSG_PUNT_NHRP, hl + (key ? 8 : 4), (struct msg_punt_pkt){
		.sa_in = (m->ol_flags & RTE_MBUF_F_RX_SEC_OFFLOAD) ? m->hash.fdir.hi : 0,
		.key = key ? rte_be_to_cpu_32(((const struct gre_key_hdr *)g)->key) : 0,
	}, was_empty);
}

/* IKE from a worker: outer IPv4 + UDP (+ the 4-octet non-ESP marker on
 * port 4500, RFC 3948 2.2, which the controller does not see). */
static void punt_ike(struct dp *dp, struct rte_mbuf *m, bool *was_empty)
{
	const struct ipv4_hdr *ip = rte_pktmbuf_mtod(m, const struct ipv4_hdr *);
	uint32_t hl = ipv4_hdr_len(ip);
	const struct udp_hdr *u = (const struct udp_hdr *)((const uint8_t *)ip + hl);
	bool natt = u->dport == rte_cpu_to_be_16(4500);

	punt_pkt(dp, m, MSG_PUNT_IKE, hl + sizeof(*u) + (natt ? 4 : 0), (struct msg_punt_pkt){
		.flags = natt ? PUNT_F_NAT_T : 0,
		.sport = rte_be_to_cpu_16(u->sport),
		.dport = rte_be_to_cpu_16(u->dport),
	}, was_empty);
}

static void punt_event(struct dp *dp, const struct dp_event *ev, bool *was_empty)
{
	struct msg_hdr *h;

	switch (ev->kind) {
	case DP_EV_MISS:
		h = punt_reserve(dp, was_empty);
		if (!h)
			return;
		*h = (struct msg_hdr){ .type = MSG_EV_ADJ_MISS, .len = sizeof(struct msg_ev_miss) };
		*(struct msg_ev_miss *)(h + 1) = (struct msg_ev_miss){
			.tunnel = ev->tunnel, .dst = ev->a, .src = ev->b, .nexthop = ev->c,
		};
		punt_commit(dp);
		return;
	case DP_EV_HAIRPIN:
		h = punt_reserve(dp, was_empty);
		if (!h)
			return;
		*h = (struct msg_hdr){ .type = MSG_EV_HAIRPIN,
				       .len = (uint16_t)(sizeof(struct msg_ev_hairpin) + ev->sample_len) };
		*(struct msg_ev_hairpin *)(h + 1) = (struct msg_ev_hairpin){
			.tunnel = ev->tunnel, .sample_len = ev->sample_len, .src = ev->a,
			.dst = ev->b, .in_nbma = ev->c, .out_adj = ev->d,
		};
		memcpy((uint8_t *)(h + 1) + sizeof(struct msg_ev_hairpin), ev->sample, ev->sample_len);
		punt_commit(dp);
		return;
	}
}

static unsigned int punt_worker(struct dp *dp, struct worker *w, bool *was_empty)
{
	struct rte_mbuf *pkts[MAIN_BURST];
	struct dp_event evs[MAIN_BURST];
	unsigned int n, e;

	n = rte_ring_sc_dequeue_burst(w->slow, (void **)pkts, MAIN_BURST, NULL);
	for (unsigned int i = 0; i < n; i++) {
		if (pkts[i]->hash.usr == SLOW_ARP) {
			arp_input(dp, pkts[i]);
			continue;
		}
		if (pkts[i]->hash.usr == SLOW_HOLD) {
			arp_hold(dp, pkts[i]);
			continue;
		}
		if (pkts[i]->hash.usr == SLOW_IKE)
			punt_ike(dp, pkts[i], was_empty);
		else
			punt_nhrp(dp, pkts[i], was_empty);
		rte_pktmbuf_free(pkts[i]);
	}
	e = rte_ring_sc_dequeue_burst_elem(w->events, evs, sizeof(evs[0]), MAIN_BURST, NULL);
	for (unsigned int i = 0; i < e; i++)
		punt_event(dp, &evs[i], was_empty);
	return n + e;
}

unsigned int punt_main_poll(struct dp *dp)
{
	bool was_empty = false;
	unsigned int n = 0;

	for (unsigned int i = 0; i < dp->n_workers; i++)
		n += punt_worker(dp, dp->workers[i], &was_empty);
	if (n && was_empty)
		bell_ring(dp);
	return n;
}

static void inject_send(struct dp *dp, struct rte_mbuf *m, uint32_t dst)
{
	uint8_t port;
	int32_t nbr = fib_underlay_nbr(dp, dst, &port);

	if (nbr < 0) {
		rte_pktmbuf_free(m);
		dp->main_stats->drops[DROP_NO_ROUTE]++;
		return;
	}
	tx_main_l3(dp, m, port, dp->nbr[nbr].addr);
}

/* NHRP is protected exactly like data to the same NBMA address (the
 * adjacency's outbound SA); a protected tunnel never sends it in clear. */
static int inject_protect(struct dp *dp, const struct dp_tunnel *t, struct rte_mbuf *m,
			  uint32_t dst)
{
	uint32_t sa_out = sa_out_for_nbma(dp, dst);
	struct dp_sa *r = sa_out ? dp->sa[sa_out - 1] : NULL;
	struct esp_pkt p;

	if (!r || r->dead || r->expired || !dp->main_esp) {
		if (!(t->flags & TUN_F_PROTECT))
			return 0;
		dp->main_stats->drops[DROP_ESP_NO_SA_OUT]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	p = (struct esp_pkt){
		.data = rte_pktmbuf_mtod(m, uint8_t *), .len = rte_pktmbuf_pkt_len(m),
		.headroom = rte_pktmbuf_headroom(m), .tailroom = rte_pktmbuf_tailroom(m),
		.sa = &r->esp, .seq = esp_seq_next(&r->seq),
	};
	if (esp_encrypt(dp->main_esp, &p) != 0) {
		dp->main_stats->drops[DROP_ESP_FIRST + p.err - 1]++;
		rte_pktmbuf_free(m);
		return -1;
	}
	m->data_off = (uint16_t)(p.data - (uint8_t *)m->buf_addr);
	m->data_len = (uint16_t)p.len;
	m->pkt_len = p.len;
	return 0;
}

/* IKE from the controller: UDP from the tunnel source; on port 4500 the
 * non-ESP marker goes in front (RFC 3948 2.2).  Never ESP-protected. */
static void inject_ike(struct dp *dp, const struct msg_hdr *h)
{
	const struct msg_inject_ike *in = (const struct msg_inject_ike *)(h + 1);
	bool natt = in->sport == 4500 || in->dport == 4500;
	uint32_t mk = natt ? 4 : 0, hdrlen = IPV4_HDR_LEN + sizeof(struct udp_hdr) + mk;
	const struct dp_tunnel *t;
	struct rte_mbuf *m;
	struct ipv4_hdr *ip;
	struct udp_hdr *u;

	if (h->len < sizeof(*in) || in->len > h->len - sizeof(*in) || in->tunnel >= SHM_MAX_TUNNELS ||
	    !(t = dp_tunnel_get(in->tunnel))) {
		dp->main_stats->drops[DROP_INJECT_BAD]++;
		return;
	}
	m = rte_pktmbuf_alloc(dp->pool);
	if (!m || !(ip = (struct ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)(hdrlen + in->len)))) {
		rte_pktmbuf_free(m);
		dp->main_stats->drops[DROP_NO_MBUF]++;
		return;
	}
	*ip = (struct ipv4_hdr){
		.ver_ihl = 0x45, .ttl = 64, .proto = IP_PROTO_UDP,
		.total_len = rte_cpu_to_be_16((uint16_t)(hdrlen + in->len)),
		.src = t->src, .dst = in->dst,
	};
	ip->csum = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
	u = (struct udp_hdr *)(ip + 1);
	*u = (struct udp_hdr){
		.sport = rte_cpu_to_be_16(in->sport), .dport = rte_cpu_to_be_16(in->dport),
		.len = rte_cpu_to_be_16((uint16_t)(sizeof(*u) + mk + in->len)),
	};
	memset(u + 1, 0, mk);
	memcpy((uint8_t *)(u + 1) + mk, in + 1, in->len);
	inject_send(dp, m, in->dst);
}

/* NHRP from the controller: GRE-encapsulate like data (tunnel key, outer
 * TTL 255 and TOS 0xc0 as Cisco does) and send to the NBMA address. */
static void inject_nhrp(struct dp *dp, const struct msg_hdr *h)
{
	const struct msg_inject_nhrp *in = (const struct msg_inject_nhrp *)(h + 1);
	const struct dp_tunnel *t;
	uint32_t glen, hdrlen;
	struct rte_mbuf *m;
	struct ipv4_hdr *ip;
	struct gre_key_hdr *g;

	if (h->len < sizeof(*in) || in->len > h->len - sizeof(*in) || in->tunnel >= SHM_MAX_TUNNELS ||
	    !(t = dp_tunnel_get(in->tunnel))) {
		dp->main_stats->drops[DROP_INJECT_BAD]++;
		return;
	}
	glen = (t->flags & TUN_F_KEY) ? 8 : 4;
	hdrlen = IPV4_HDR_LEN + glen;
	m = rte_pktmbuf_alloc(dp->pool);
	if (!m || !(ip = (struct ipv4_hdr *)rte_pktmbuf_append(m, (uint16_t)(hdrlen + in->len)))) {
		rte_pktmbuf_free(m);
		dp->main_stats->drops[DROP_NO_MBUF]++;
		return;
	}
	*ip = (struct ipv4_hdr){
		.ver_ihl = 0x45, .tos = 0xc0, .ttl = 255, .proto = IP_PROTO_GRE,
		.total_len = rte_cpu_to_be_16((uint16_t)(hdrlen + in->len)),
		.src = t->src, .dst = in->dst,
	};
	ip->csum = rte_ipv4_cksum((const struct rte_ipv4_hdr *)ip);
	g = (struct gre_key_hdr *)(ip + 1);
	g->flags = rte_cpu_to_be_16(glen == 8 ? GRE_FLAG_KEY : 0);
	g->proto = rte_cpu_to_be_16(GRE_PROTO_NHRP);
	if (glen == 8)
		g->key = t->key_be;
	memcpy((uint8_t *)ip + hdrlen, in + 1, in->len);
	if (inject_protect(dp, t, m, in->dst) != 0)
		return;
	inject_send(dp, m, in->dst);
}

unsigned int inject_poll(struct dp *dp)
{
	struct shm_ring *r = shm_ring_get(&dp->seg, SHM_R_RING_INJECT);
	unsigned int n = 0;
	const struct msg_hdr *h;

	while (n < MAIN_BURST && (h = ring_peek(r)) != NULL) {
		if (h->len > r->entry_size - sizeof(*h))
			dp->main_stats->drops[DROP_INJECT_BAD]++;
		else if (h->type == MSG_INJECT_NHRP)
			inject_nhrp(dp, h);
		else if (h->type == MSG_INJECT_IKE)
			inject_ike(dp, h);
		else
			dp->main_stats->drops[DROP_INJECT_BAD]++;
		ring_release(r);
		n++;
	}
	tx_main_flush(dp);	/* one tx burst for the round, not one per packet */
	return n;
}
