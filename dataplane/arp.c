/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Neighbour table and ARP (RFC 826), main lcore only; workers read entries.
 *
 * States (logged at debug level on every change):
 *   incomplete  no MAC yet; requests every second while referenced
 *   reachable   MAC known, confirmed within NBR_REACHABLE_S
 *   stale       not confirmed lately: a request is sent, the MAC still used
 *   failed      NBR_MAX_PROBES requests unanswered: MAC cleared
 * Static entries (config `neighbors`) are always reachable and never age.
 * An entry lives while something references it (routes, adjacencies) or for
 * NBR_REACHABLE_S after its last confirmation.
 *
 * Indexes come from a lock-free rte_hash (readers never block) whose freed
 * slots are recycled only after an RCU grace period (rte_hash_rcu_qsbr_add).
 */
#include <unistd.h>

#include <rte_arp.h>
#include <rte_cycles.h>
#include <rte_hash.h>
#include <rte_malloc.h>

#include "addr.h"
#include "dp.h"
#include "log.h"

#define NBR_REACHABLE_S 300
#define NBR_RETRY_MS 1000
#define NBR_MAX_PROBES 3
#define NBR_TIMER_SLICE 16	/* the timer visits 1/16 of the table per tick */

static uint8_t nbr_shm_state(const struct nbr *n)
{
	if (!n->in_use)
		return SHM_NBR_FREE;
	if (n->flags & NBR_F_STATIC)
		return SHM_NBR_STATIC;
	if (!(n->mac_state & NBR_VALID))
		return n->probes >= NBR_MAX_PROBES ? SHM_NBR_FAILED : SHM_NBR_INCOMPLETE;
	return n->probes ? SHM_NBR_STALE : SHM_NBR_REACHABLE;
}

static const char *nbr_state(const struct nbr *n)
{
	return shm_nbr_state_name(nbr_shm_state(n));
}

/* Copy entry idx into the segment for `show ip arp` (seqlock writer; the
 * main lcore is the only one). */
static void nbr_mirror(struct dp *dp, uint32_t idx)
{
	const struct nbr *n = &dp->nbr[idx];
	struct shm_nbr *o;
	uint64_t mac = n->mac_state & ~NBR_VALID;
	uint32_t seq;

	if (idx >= dp->hdr->nbr_slots)
		return;
	o = shm_nbr(&dp->seg, idx);
	seq = atomic_load_explicit(&o->seq, memory_order_relaxed);
	atomic_store_explicit(&o->seq, seq + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
	o->addr = n->addr;
	o->port = n->port;
	o->state = nbr_shm_state(n);
	o->probes = n->probes;
	memcpy(o->mac, &mac, 6);
	o->refs = n->refs;
	o->confirmed_tsc = (n->mac_state & NBR_VALID) ? n->confirmed_tsc : 0;
	atomic_store_explicit(&o->seq, seq + 2, memory_order_release);
}

int arp_init(struct dp *dp)
{
	char name[RTE_HASH_NAMESIZE];
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = dp->nbr_max,
		.key_len = sizeof(struct nbr_key),
		.socket_id = (int)rte_socket_id(),
		.extra_flag = RTE_HASH_EXTRA_FLAGS_RW_CONCURRENCY_LF,
	};
	struct rte_hash_rcu_config rcu = { .v = dp->rcu, .mode = RTE_HASH_QSBR_MODE_DQ };

	snprintf(name, sizeof(name), "nbr_%d", getpid());
	dp->nbr = rte_zmalloc("nbr", sizeof(struct nbr) * (dp->nbr_max + 1), RTE_CACHE_LINE_SIZE);
	dp->nbr_hash = rte_hash_create(&hp);
	if (!dp->nbr || !dp->nbr_hash)
		return -ENOMEM;
	return rte_hash_rcu_qsbr_add(dp->nbr_hash, &rcu);
}

/* Index of (port, addr), created incomplete if asked (the caller starts
 * resolution with arp_resolve()); -1 if absent or the table is full. */
int32_t nbr_get(struct dp *dp, uint8_t port, uint32_t addr, bool create)
{
	struct nbr_key k = { .addr = addr, .port = port };
	int32_t idx = rte_hash_lookup(dp->nbr_hash, &k);
	char a[ADDR_STRLEN];
	struct nbr *n;

	if (idx >= 0 || !create)
		return idx;
	idx = rte_hash_add_key(dp->nbr_hash, &k);
	if (idx < 0 || (uint32_t)idx >= dp->nbr_max)
		return -1;
	n = &dp->nbr[idx];
	memset(n, 0, sizeof(*n));
	n->addr = addr;
	n->port = port;
	n->in_use = 1;
	n->flags = NBR_F_DYNAMIC;
	n->confirmed_tsc = rte_rdtsc();
	atomic_fetch_add(&dp->hdr->neighbours, 1);
	log_debug("nbr %s port %u: new -> incomplete", addr_fmt(addr, a), port);
	nbr_mirror(dp, (uint32_t)idx);
	return idx;
}

void nbr_ref(struct dp *dp, uint32_t idx)
{
	if (idx < dp->nbr_max)
		dp->nbr[idx].refs++;
}

void nbr_unref(struct dp *dp, uint32_t idx)
{
	if (idx < dp->nbr_max && dp->nbr[idx].refs)
		dp->nbr[idx].refs--;
}

/* Ethernet header to the neighbour's (valid) MAC, then out. */
static void nbr_send(struct dp *dp, const struct nbr *n, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh;
	uint64_t v = n->mac_state;

	eh = (struct rte_ether_hdr *)rte_pktmbuf_prepend(m, RTE_ETHER_HDR_LEN);
	if (!eh) {
		dp->main_stats->drops[DROP_NO_MBUF]++;
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(eh->dst_addr.addr_bytes, &v, RTE_ETHER_ADDR_LEN);
	rte_ether_addr_copy(&dp->ports[n->port].mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	tx_main(dp, n->port, &m, 1);
}

/* The main lcore's packets waiting for neighbour n: sent in order (MAC
 * known) or dropped (the entry failed or goes). */
static void nbr_wait_flush(struct dp *dp, const struct nbr *n, bool send)
{
	uint32_t idx = (uint32_t)(n - dp->nbr), k = 0;

	for (uint32_t i = 0; i < dp->n_nbr_wait; i++) {
		struct nbr_wait w = dp->nbr_wait[i];

		if (w.nbr != idx) {
			dp->nbr_wait[k++] = w;
		} else if (send) {
			nbr_send(dp, n, w.m);
		} else {
			dp->main_stats->drops[DROP_NBR_INCOMPLETE]++;
			rte_pktmbuf_free(w.m);
		}
	}
	dp->n_nbr_wait = k;
}

static void nbr_held_drop(struct dp *dp, struct nbr *n)
{
	if (n->held) {
		dp->main_stats->drops[DROP_NBR_INCOMPLETE]++;
		rte_pktmbuf_free(n->held);
		n->held = NULL;
	}
	nbr_wait_flush(dp, n, false);
}

/* The MAC is known: send the packets that waited for it. */
static void nbr_held_send(struct dp *dp, struct nbr *n)
{
	struct rte_mbuf *m = n->held;

	n->held = NULL;
	nbr_wait_flush(dp, n, true);
	if (m)
		nbr_send(dp, n, m);
}

/*
 * A main lcore packet (NHRP or IKE the controller injects) for a neighbour
 * being resolved.  Unlike a worker's (one held per neighbour, the newest),
 * these keep their order: on an NBMA change the purge of the old
 * registration must reach the NHS before the registration from the new
 * address that follows it.  At most NBR_WAIT_MAX for all neighbours, the
 * oldest dropped first.
 */
void arp_wait(struct dp *dp, uint32_t idx, struct rte_mbuf *m)
{
	if (dp->n_nbr_wait == NBR_WAIT_MAX) {
		dp->main_stats->drops[DROP_NBR_INCOMPLETE]++;
		rte_pktmbuf_free(dp->nbr_wait[0].m);
		memmove(&dp->nbr_wait[0], &dp->nbr_wait[1],
			sizeof(dp->nbr_wait[0]) * (NBR_WAIT_MAX - 1));
		dp->n_nbr_wait--;
	}
	dp->nbr_wait[dp->n_nbr_wait++] = (struct nbr_wait){ .m = m, .nbr = idx };
	arp_resolve(dp, idx);
}

/* A worker's packet waiting for ARP (worker_hold): keep the newest. */
void arp_hold(struct dp *dp, struct rte_mbuf *m)
{
	uint32_t tag = m->hash.fdir.hi;
	int32_t idx = (int32_t)tag;
	struct nbr *n;

	if (tag & 0x80000000u) {
		uint8_t port = (uint8_t)(tag & 0xff);
		uint32_t dst = rte_pktmbuf_mtod(m, const uint32_t *)[4];

		idx = port < dp->n_ports ? nbr_get(dp, port, dst, true) : -1;
	}
	if (idx < 0 || (uint32_t)idx >= dp->nbr_max || !dp->nbr[idx].in_use) {
		dp->main_stats->drops[DROP_NBR_INCOMPLETE]++;
		rte_pktmbuf_free(m);
		return;
	}
	n = &dp->nbr[idx];
	nbr_held_drop(dp, n);
	n->held = m;
	if (n->mac_state & NBR_VALID)
		nbr_held_send(dp, n);	/* resolved meanwhile */
	else
		arp_resolve(dp, (uint32_t)idx);
}

static void nbr_delete(struct dp *dp, uint32_t idx)
{
	struct nbr *n = &dp->nbr[idx];
	struct nbr_key k = { .addr = n->addr, .port = n->port };
	char a[ADDR_STRLEN];

	log_debug("nbr %s port %u: %s -> deleted", addr_fmt(n->addr, a), n->port, nbr_state(n));
	nbr_held_drop(dp, n);
	__atomic_store_n(&n->mac_state, 0, __ATOMIC_RELEASE);
	n->in_use = 0;
	rte_hash_del_key(dp->nbr_hash, &k);	/* slot recycled after a grace period */
	atomic_fetch_sub(&dp->hdr->neighbours, 1);
	nbr_mirror(dp, idx);
}

static void nbr_set_mac(struct dp *dp, uint32_t idx, const uint8_t mac[6])
{
	struct nbr *n = &dp->nbr[idx];
	uint64_t v = 0;
	const char *before = nbr_state(n);
	char a[ADDR_STRLEN], m[MAC_STRLEN];

	memcpy(&v, mac, 6);
	v |= NBR_VALID;
	if (n->mac_state != v || n->probes)
		log_debug("nbr %s port %u: %s -> %s (%s)", addr_fmt(n->addr, a), n->port, before,
			  n->flags & NBR_F_STATIC ? "static" : "reachable", mac_fmt(mac, m));
	__atomic_store_n(&n->mac_state, v, __ATOMIC_RELEASE);
	n->probes = 0;
	n->confirmed_tsc = rte_rdtsc();
	nbr_mirror(dp, idx);
	nbr_held_send(dp, n);
}

int nbr_static_set(struct dp *dp, const struct msg_nbr *s)
{
	int32_t idx;

	if (s->port >= dp->n_ports)
		return EINVAL;
	idx = nbr_get(dp, (uint8_t)s->port, s->addr, true);
	if (idx < 0)
		return ENOSPC;
	dp->nbr[idx].flags = NBR_F_STATIC;
	dp->nbr[idx].gen = s->gen;
	nbr_set_mac(dp, (uint32_t)idx, s->mac);
	return 0;
}

int nbr_static_del(struct dp *dp, const struct msg_nbr *s)
{
	int32_t idx = nbr_get(dp, (uint8_t)s->port, s->addr, false);

	if (idx < 0 || !(dp->nbr[idx].flags & NBR_F_STATIC))
		return ENOENT;
	dp->nbr[idx].flags = NBR_F_DYNAMIC;	/* ages out unless confirmed */
	dp->nbr[idx].probes = 0;
	nbr_mirror(dp, (uint32_t)idx);
	return 0;
}

/* REPLAY_END: static entries not re-sent in generation `gen` become dynamic. */
uint32_t nbr_sweep(struct dp *dp, uint32_t gen)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < dp->nbr_max; i++) {
		struct nbr *e = &dp->nbr[i];

		if (e->in_use && (e->flags & NBR_F_STATIC) && (int32_t)(e->gen - gen) < 0) {
			e->flags = NBR_F_DYNAMIC;
			nbr_mirror(dp, i);
			n++;
		}
	}
	return n;
}

static struct rte_mbuf *arp_build(struct dp *dp, uint8_t port, uint16_t op,
				  const struct rte_ether_addr *tha, uint32_t tpa,
				  const struct rte_ether_addr *dst)
{
	struct dp_port *p = &dp->ports[port];
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->pool);
	struct rte_ether_hdr *eh;
	struct rte_arp_hdr *ah;

	if (!m)
		return NULL;
	eh = (struct rte_ether_hdr *)rte_pktmbuf_append(m, sizeof(*eh) + sizeof(*ah));
	if (!eh) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	ah = (struct rte_arp_hdr *)(eh + 1);
	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&p->mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&p->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = p->addr;
	rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	ah->arp_data.arp_tip = tpa;
	/* pad to the 60-octet minimum: some peers (and pcap checks) expect it */
	if (rte_pktmbuf_append(m, RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN - m->pkt_len))
		memset(rte_pktmbuf_mtod_offset(m, uint8_t *, sizeof(*eh) + sizeof(*ah)), 0,
		       RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN - sizeof(*eh) - sizeof(*ah));
	return m;
}

static void arp_send(struct dp *dp, uint8_t port, uint16_t op, const struct rte_ether_addr *tha,
		     uint32_t tpa, const struct rte_ether_addr *dst)
{
	struct rte_mbuf *m;

	if (dp->ports[port].addr == 0)
		return;			/* no address to speak from yet */
	m = arp_build(dp, port, op, tha, tpa, dst);
	if (m)
		tx_main(dp, port, &m, 1);
}

void arp_resolve(struct dp *dp, uint32_t idx)
{
	static const struct rte_ether_addr bcast = { .addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;
	struct nbr *n = &dp->nbr[idx];
	uint64_t now = rte_rdtsc();

	if (idx >= dp->nbr_max || !n->in_use || (n->flags & NBR_F_STATIC))
		return;
	if (n->probe_tsc && now - n->probe_tsc < dp->tsc_hz / 1000 * NBR_RETRY_MS / 4)
		return;			/* at most 4 requests per second per entry */
	n->probe_tsc = now;
	arp_send(dp, n->port, RTE_ARP_OP_REQUEST, &zero, n->addr, &bcast);
}

void arp_announce(struct dp *dp, unsigned int port)
{
	static const struct rte_ether_addr bcast = { .addr_bytes = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	static const struct rte_ether_addr zero;

	/* gratuitous ARP: sender and target are our address */
	arp_send(dp, (uint8_t)port, RTE_ARP_OP_REQUEST, &zero, dp->ports[port].addr, &bcast);
}

static bool arp_valid(const struct rte_mbuf *m, const struct rte_arp_hdr **out)
{
	const struct rte_arp_hdr *ah;

	if (rte_pktmbuf_data_len(m) < sizeof(struct rte_ether_hdr) + sizeof(*ah))
		return false;
	ah = rte_pktmbuf_mtod_offset(m, const struct rte_arp_hdr *, sizeof(struct rte_ether_hdr));
	if (ah->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != 4)
		return false;
	if (ah->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) &&
	    ah->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REPLY))
		return false;
	if (rte_is_multicast_ether_addr(&ah->arp_data.arp_sha))
		return false;
	*out = ah;
	return true;
}

/* RFC 826 "Packet reception": merge the sender if known; add it if we are
 * the target; answer requests for our address. */
void arp_input(struct dp *dp, struct rte_mbuf *m)
{
	int idx = m->port < RTE_MAX_ETHPORTS ? dp->port_by_id[m->port] : -1;
	const struct rte_arp_hdr *ah;
	struct dp_port *p;
	bool for_us;
	int32_t n;

	if (idx < 0 || !arp_valid(m, &ah)) {
		dp->main_stats->drops[DROP_ARP_BAD]++;
		rte_pktmbuf_free(m);
		return;
	}
	p = &dp->ports[idx];
	for_us = p->addr && ah->arp_data.arp_tip == p->addr;
	n = ah->arp_data.arp_sip ? nbr_get(dp, (uint8_t)idx, ah->arp_data.arp_sip, for_us) : -1;
	if (n >= 0 && !(dp->nbr[n].flags & NBR_F_STATIC))
		nbr_set_mac(dp, (uint32_t)n, ah->arp_data.arp_sha.addr_bytes);
	if (for_us && ah->arp_opcode == rte_cpu_to_be_16(RTE_ARP_OP_REQUEST))
		arp_send(dp, (uint8_t)idx, RTE_ARP_OP_REPLY, &ah->arp_data.arp_sha,
			 ah->arp_data.arp_sip, &ah->arp_data.arp_sha);
	else if (!for_us && n < 0)
		dp->main_stats->drops[DROP_ARP_NOT_FOR_US]++;
	rte_pktmbuf_free(m);
}

static void arp_age_one(struct dp *dp, uint32_t i, uint64_t now)
{
	struct nbr *n = &dp->nbr[i];
	uint64_t reach = dp->tsc_hz * NBR_REACHABLE_S;
	uint64_t retry = dp->tsc_hz / 1000 * NBR_RETRY_MS;
	char a[ADDR_STRLEN];

	if (!n->in_use || (n->flags & NBR_F_STATIC))
		return;
	if (now - n->confirmed_tsc < reach && (n->mac_state & NBR_VALID))
		return;
	if (n->refs == 0 && now - n->confirmed_tsc >= reach) {
		nbr_delete(dp, i);
		return;
	}
	if (now - n->probe_tsc < retry)
		return;
	if (n->probes < 255)
		n->probes++;
	if (n->probes >= NBR_MAX_PROBES)
		nbr_held_drop(dp, n);	/* nobody answers: do not keep it */
	if (n->probes == NBR_MAX_PROBES && (n->mac_state & NBR_VALID)) {
		log_debug("nbr %s port %u: stale -> failed", addr_fmt(n->addr, a), n->port);
		__atomic_store_n(&n->mac_state, 0, __ATOMIC_RELEASE);
		nbr_held_drop(dp, n);
	}
	arp_resolve(dp, i);
}

/* Main lcore, every 100 ms: age a slice of the table. */
void arp_timer(struct dp *dp, uint64_t now)
{
	static uint32_t cursor;
	uint32_t slice = dp->nbr_max / NBR_TIMER_SLICE + 1;

	for (uint32_t k = 0; k < slice; k++) {
		arp_age_one(dp, cursor, now);
		if (dp->nbr[cursor].in_use)
			nbr_mirror(dp, cursor);	/* probes and refs, at most 1.6 s old */
		cursor = (cursor + 1) % dp->nbr_max;
	}
}
