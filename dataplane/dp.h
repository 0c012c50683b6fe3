/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dmvpn-dataplane: shared definitions of the stages.
 *
 * One packet from RX to TX, one file per stage:
 *   worker.c     burst loop: rx, classify, forward, tx flush, adaptive idle
 *   classify.c   Ethernet/ARP/IPv4 checks; public port: GRE/ICMP to us; LAN: to FIB
 *   ip4.c        IPv4 header checks (pure), TTL, the FIB dispatch (ip4_forward)
 *   esp_in.c     ESP / ESP-in-UDP to us: SPI lookup, anti-replay, decrypt, policy
 *   gre.c        decapsulation (key check, NHRP punt) and encapsulation (rewrite)
 *   esp_out.c    encryption of GRE packets for protected adjacencies
 *   sa.c         SA table (published SA slots), SPI hash, lifetimes
 *   adj.c        adjacency runtime table (published slots)
 *   fib.c        overlay FIB (rte_fib DIR24_8) and underlay FIB, next-hop encoding
 *   arp.c        neighbour table and ARP (main lcore)
 *   icmp.c       echo replies, time exceeded, fragmentation needed (RFC 1191)
 *   frag.c       pre-fragmentation of non-DF packets above the tunnel MTU
 *   tx.c         L2 rewrite and per-port transmit buffers
 *   punt.c       worker -> main -> controller (NHRP, events), inject ring
 *   control.c    control ring: apply controller messages, acknowledge, RCU
 *   port.c       ethdev set-up, queues per worker, port counters
 *   eal.c        EAL arguments from the config
 *   main.c       start-up, main lcore loop, shutdown
 */
#ifndef DMVPN_DP_H
#define DMVPN_DP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_ether.h>
#include <rte_hash.h>
#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "conf.h"
#include "msg.h"
#include "shm.h"

#define DP_MAX_BURST 64
#define DP_MAX_RXQ_PER_WORKER 16
#define DP_TX_BUF 64			/* per port and worker; flushed at 32 and per loop */
#define DP_TUNNEL_OVERHEAD 28		/* outer IPv4 20 + GRE with key 8 */
#define DP_ICMP_RATE 200		/* ICMP errors per second per worker */
#define DP_EVENT_HOLDOFF_MS 100		/* same miss/hairpin at most every 100 ms */
#define DP_ESP_Q 64			/* packets queued for the ESP engine per worker */

/* ------------------------------------------------------------------ */
/* Next hops in the overlay FIB: 31 usable bits of a DIR24_8 4-byte entry. */
#define NH_TYPE_SHIFT 27
#define NH_VALUE_MASK ((1u << NH_TYPE_SHIFT) - 1)
#define NH_NONE 7u			/* default: no route */

static inline uint32_t nh_encode(uint32_t type, uint32_t value)
{
	return type << NH_TYPE_SHIFT | (value & NH_VALUE_MASK);
}

static inline uint32_t nh_type(uint64_t nh)
{
	return (uint32_t)nh >> NH_TYPE_SHIFT;
}

static inline uint32_t nh_value(uint64_t nh)
{
	return (uint32_t)nh & NH_VALUE_MASK;
}

/* ------------------------------------------------------------------ */
/* Ports */
struct dp_port {
	char name[CONF_NAME_LEN];
	uint16_t port_id;		/* DPDK port id */
	uint8_t idx;			/* index in the config / segment */
	uint8_t role;			/* enum port_role */
	struct rte_ether_addr mac;
	uint16_t n_rxq, n_txq;
	bool tx_shared;			/* fewer tx queues than lcores: lock */
	rte_spinlock_t txlock[SHM_MAX_WORKERS + 1];
	/* applied L3 state (MSG_PORT_SET), read by workers */
	volatile uint32_t addr;		/* network order */
	volatile uint8_t plen;
	volatile uint16_t mtu;
	volatile bool up;
	struct shm_port *shm;
};

/* ------------------------------------------------------------------ */
/* Tunnel: immutable once published; replaced by pointer swap + RCU. */
struct dp_tunnel {
	uint8_t idx;
	uint8_t flags;			/* TUN_F_* */
	uint8_t plen;
	uint8_t src_port;		/* dp_port index of the tunnel source */
	uint32_t addr;			/* overlay address, network order */
	uint32_t src;			/* NBMA source, network order */
	uint32_t key;			/* host order */
	uint32_t key_be;		/* network order, for the compare on decap */
	uint16_t mtu;			/* largest inner packet */
	uint32_t nhs_adj;		/* slot + 1, 0 = none */
	uint32_t gen;
};

/* ------------------------------------------------------------------ */
/* Adjacency runtime record: the worker's copy of a published slot. */
struct adj_rt {
	uint8_t rewrite[ADJ_REWRITE_MAX];	/* outer IPv4 + GRE(key) */
	uint8_t rewrite_len;
	uint8_t tunnel;
	uint8_t port;			/* public port index */
	uint8_t live;
	uint32_t nbr;			/* underlay neighbour index */
	uint32_t sa_out;		/* SA slot + 1; 0 = cleartext */
	uint32_t nbma;			/* network order */
	uint16_t mtu;			/* largest inner packet */
	uint16_t nbma_port;
	uint32_t refs;			/* routes pointing here (main lcore only) */
	uint32_t gen;
	uint32_t overlay;		/* network order (for events / debugging) */
} __rte_cache_aligned;
_Static_assert(sizeof(struct adj_rt) == 64, "adj_rt is one cache line");

/* ------------------------------------------------------------------ */
/* SA runtime record: the ESP engine's SA plus what the data plane adds. */
#include "esp.h"
#include "esp_sa.h"

struct dp_sa {
	struct esp_sa esp;		/* engine record: hot part first, 64-aligned */
	_Atomic uint64_t seq;		/* outbound: last sequence number handed out */
	uint32_t slot;
	uint32_t refs;			/* adjacencies sending with it (main lcore) */
	int32_t hash_pos;		/* inbound: SPI hash slot freed after RCU */
	uint8_t inbound;
	uint8_t tunnel;
	volatile uint8_t dead;		/* retiring: refuse */
	volatile uint8_t expired;	/* hard lifetime reached: refuse */
};

/* ------------------------------------------------------------------ */
/* Neighbours (ARP).  mac_state: bits 0-47 MAC, bit 48 valid.  Written by
 * the main lcore with one atomic store, read by workers. */
#define NBR_VALID (1ull << 48)
#define NBR_F_STATIC 0x1
#define NBR_F_DYNAMIC 0x2
#define NBR_F_USED 0x4			/* has references (routes, adjacencies) */

struct nbr {
	uint64_t mac_state;
	uint32_t addr;			/* network order */
	uint8_t port;
	uint8_t flags;			/* NBR_F_* */
	uint8_t probes;			/* unanswered requests in a row */
	uint8_t in_use;
	uint32_t refs;
	uint32_t gen;			/* static entries: replay generation */
	uint64_t confirmed_tsc;		/* last reply seen */
	uint64_t probe_tsc;		/* last request sent */
	struct rte_mbuf *held;		/* one L3 packet waiting for the MAC (main lcore) */
};

/* The main lcore's own packets (NHRP and IKE from the controller) waiting
 * for a neighbour's MAC, in the order they were sent (arp_wait). */
#define NBR_WAIT_MAX 32
struct nbr_wait {
	struct rte_mbuf *m;
	uint32_t nbr;			/* index in dp->nbr */
};

/* ------------------------------------------------------------------ */
/* Work handed from workers to the main lcore (through rte_rings). */
enum slow_kind {
	SLOW_ARP = 1,			/* ARP frame received */
	SLOW_NHRP = 2,			/* GRE 0x2001 for us */
	SLOW_IKE = 3,			/* UDP 500, or 4500 with the non-ESP marker */
	SLOW_HOLD = 4,			/* L3 packet waiting for ARP (fdir.hi: see worker_hold) */
};

enum dp_event_kind {
	DP_EV_MISS = 1,			/* glean: resolve an overlay next hop */
	DP_EV_HAIRPIN = 2,		/* packet went back into the tunnel */
};

#define DP_EV_SAMPLE 44			/* IPv4 header + 24 octets of the packet */

struct dp_event {
	uint8_t kind;			/* enum dp_event_kind */
	uint8_t tunnel;
	uint8_t port;
	uint8_t sample_len;
	uint32_t a;			/* dst / src / nbr index / address */
	uint32_t b;
	uint32_t c;
	uint32_t d;
	uint8_t sample[DP_EV_SAMPLE];	/* hairpin: start of the data packet */
};
_Static_assert(sizeof(struct dp_event) == 64, "dp_event");

/* NH_GLEAN target.  Entries 0..SHM_MAX_TUNNELS-1 are "the destination
 * itself on tunnel t"; others name an unresolved overlay next hop. */
struct glean_hint {
	uint32_t addr;			/* network order; 0 = the packet's destination */
	uint8_t tunnel;
	uint8_t reserved[3];
	uint32_t refs;
};

/* ------------------------------------------------------------------ */
/* Per-worker context, owned by one lcore (l3fwd lcore_conf style). */
struct tx_buf {
	uint16_t n;
	struct rte_mbuf *pkts[DP_TX_BUF];
};

struct worker {
	unsigned int idx;		/* 0 .. n_workers-1 (RCU thread id) */
	unsigned int lcore;
	uint16_t n_rxq;
	struct {
		uint8_t port;		/* dp_port index */
		uint16_t queue;
	} rxq[DP_MAX_RXQ_PER_WORKER];
	uint16_t txq[SHM_MAX_PORTS];	/* our tx queue on each port */
	struct tx_buf tx[SHM_MAX_PORTS];
	struct shm_wstats *stats;
	struct shm_adj_ctr *adj_ctr;	/* this worker's row */
	struct shm_sa_ctr *sa_ctr;	/* this worker's row */
	struct esp_ctx *esp;		/* ESP engine context (intel-ipsec-mb manager) */
	uint16_t n_esp_out, n_esp_in;
	struct esp_pkt esp_out[DP_ESP_Q];
	struct rte_mbuf *esp_out_m[DP_ESP_Q];
	uint32_t esp_out_adj[DP_ESP_Q];
	struct esp_pkt esp_in[DP_MAX_BURST];
	struct rte_mbuf *esp_in_m[DP_MAX_BURST];
	uint32_t esp_in_spi[DP_MAX_BURST];
	uint32_t esp_in_slot[DP_MAX_BURST];
	struct rte_ring *slow;		/* to main: packets (ARP, NHRP) */
	struct rte_ring *events;	/* to main: struct dp_event */
	uint64_t now;			/* TSC at the start of the burst */
	uint16_t ip_id;			/* outer IPv4 identification */
	/* ICMP error token bucket */
	uint64_t icmp_tokens_tsc;
	uint32_t icmp_tokens;
	/* event hold-off: direct-mapped cache of recent (kind, a, b) */
	struct {
		uint32_t key;
		uint64_t tsc;
	} ev_cache[256];
} __rte_cache_aligned;

/* ------------------------------------------------------------------ */
#define MAIN_TX_BURST 32		/* main lcore packets gathered per port (tx_main_l3) */

/* The process: one per instance. */
struct dp {
	struct conf *conf;
	struct shm_seg seg;
	struct shm_header *hdr;
	unsigned int n_workers;
	unsigned int n_ports;
	struct dp_port ports[SHM_MAX_PORTS];
	struct worker *workers[SHM_MAX_WORKERS];
	unsigned int main_lcore;
	struct shm_wstats *main_stats;	/* wstats[n_workers] */
	int8_t port_by_id[RTE_MAX_ETHPORTS];	/* DPDK port id -> dp_port index */
	struct rte_mempool *pool;
	struct rte_rcu_qsbr *rcu;
	struct dp_tunnel *volatile tunnels[SHM_MAX_TUNNELS];
	struct adj_rt *adj;		/* adj_slots entries */
	uint32_t adj_slots;
	struct rte_fib *fib;		/* overlay: read by workers */
	struct rte_fib *fib_ul;		/* underlay: main lcore only */
	struct nbr *nbr;		/* neighbour table */
	uint32_t nbr_max;		/* nbr[nbr_max] is the never-valid sentinel */
	struct rte_hash *nbr_hash;	/* (addr, port) -> index, lock-free readers */
	struct nbr_wait nbr_wait[NBR_WAIT_MAX];	/* main lcore only, oldest first */
	uint32_t n_nbr_wait;
	struct glean_hint *glean;	/* NH_GLEAN value -> (tunnel, overlay next hop) */
	uint32_t glean_max;
	struct route_tab *routes;	/* mirror of both FIBs: generations, references */
	uint16_t main_txq[SHM_MAX_PORTS];
	/* tx_main_l3() gathers, tx_main_flush() sends one burst per port:
	 * on af_packet each burst costs a system call */
	struct rte_mbuf *main_tx[SHM_MAX_PORTS][MAIN_TX_BURST];
	uint16_t n_main_tx[SHM_MAX_PORTS];
	uint64_t tsc_hz;
	bool adaptive_idle;
	uint32_t idle_sleep_max_us;
	uint32_t burst;
	volatile bool quit;
	volatile bool rx_enabled;	/* set at the first READY */
	int bell_fd;			/* datagram socket for the controller doorbell */
	struct dp_sa **sa;		/* SA slot -> runtime record, NULL unless live */
	uint32_t sa_slots;
	struct rte_hash *spi_hash;	/* inbound SPI -> SA slot, lock-free readers */
	struct rte_hash *nbma_hash;	/* NBMA -> adjacency slot + 1 (main lcore) */
	struct esp_ctx *main_esp;	/* the main lcore's engine context (NHRP) */
	char bell_path[CONF_PATH_LEN];
};

extern struct dp g_dp;

static inline const struct dp_tunnel *dp_tunnel_get(unsigned int t)
{
	return __atomic_load_n(&g_dp.tunnels[t], __ATOMIC_ACQUIRE);
}

static inline void dp_drop(struct worker *w, struct rte_mbuf *m, enum drop_reason r)
{
	w->stats->drops[r]++;
	rte_pktmbuf_free(m);
}

/* ---- eal.c ---- */
int eal_args_build(const struct conf *c, char **argv, int max, char *store, size_t store_len);
bool eal_device_is_pci(const char *device);

/* ---- port.c ---- */
int port_setup_all(struct dp *dp);
void port_stats_export(struct dp *dp);
void port_close_all(struct dp *dp);
int port_find_by_id(const struct dp *dp, uint16_t port_id);

/* ---- worker.c ---- */
int worker_main(void *arg);
void worker_event(struct worker *w, uint8_t kind, uint8_t tunnel, uint8_t port, uint32_t a,
		  uint32_t b, uint32_t c, uint32_t d, const void *sample, unsigned int sample_len);
void worker_hold(struct worker *w, struct rte_mbuf *m, uint8_t port, int32_t nbr);

/* ---- classify.c ---- */
void classify_burst(struct worker *w, struct dp_port *p, struct rte_mbuf **pkts, uint16_t n);

/* ---- ip4.c ---- */
enum drop_reason ip4_check(const struct rte_mbuf *m, uint32_t off, bool verify_csum);
void ip4_forward_burst(struct worker *w, struct rte_mbuf **pkts, uint16_t n,
		       const uint8_t *from_tunnel, const uint32_t *in_nbma);
void ip4_forward_one(struct worker *w, struct rte_mbuf *m, uint64_t nh, bool from_tunnel,
		     uint32_t in_nbma);
void ip4_route_one(struct worker *w, struct rte_mbuf *m);
void ip4_local(struct worker *w, struct rte_mbuf *m, bool from_tunnel);

/* ---- gre.c ---- */
void gre_input(struct worker *w, struct dp_port *p, struct rte_mbuf *m, uint32_t l3off,
	       struct rte_mbuf **fwd, uint8_t *fwd_tun, uint32_t *fwd_nbma, uint16_t *nfwd);
void gre_encap_send(struct worker *w, struct rte_mbuf *m, const struct adj_rt *a,
		    uint32_t slot);

/* ---- adj.c ---- */
int adj_publish(struct dp *dp, uint32_t slot, uint32_t gen);
int adj_unpublish_begin(struct dp *dp, uint32_t slot);
void adj_unpublish_finish(struct dp *dp, uint32_t slot);
void adj_resolve_all(struct dp *dp);

/* ---- fib.c ---- */
int fib_init(struct dp *dp);
int fib_route_add(struct dp *dp, const struct msg_route *r);
int fib_route_del(struct dp *dp, const struct msg_route *r);
uint32_t fib_sweep(struct dp *dp, uint32_t gen);
int32_t fib_underlay_nbr(struct dp *dp, uint32_t addr, uint8_t *port);

/* ---- arp.c ---- */
int arp_init(struct dp *dp);
int32_t nbr_get(struct dp *dp, uint8_t port, uint32_t addr, bool create);
void nbr_ref(struct dp *dp, uint32_t idx);
void nbr_unref(struct dp *dp, uint32_t idx);
int nbr_static_set(struct dp *dp, const struct msg_nbr *n);
int nbr_static_del(struct dp *dp, const struct msg_nbr *n);
uint32_t nbr_sweep(struct dp *dp, uint32_t gen);
void arp_input(struct dp *dp, struct rte_mbuf *m);
void arp_resolve(struct dp *dp, uint32_t idx);
void arp_timer(struct dp *dp, uint64_t now);
void arp_announce(struct dp *dp, unsigned int port);
void arp_hold(struct dp *dp, struct rte_mbuf *m);
void arp_wait(struct dp *dp, uint32_t idx, struct rte_mbuf *m);


/* ---- icmp.c ---- */
void icmp_error(struct worker *w, const struct rte_mbuf *m, uint8_t type, uint8_t code,
		uint16_t mtu);
bool icmp_echo_reply(struct worker *w, struct rte_mbuf *m);

/* ---- frag.c ---- */
uint16_t frag_ip4(struct worker *w, struct rte_mbuf *m, uint16_t mtu, struct rte_mbuf **out,
		  uint16_t max);

/* ---- tx.c ---- */
void tx_l3(struct worker *w, struct rte_mbuf *m, uint8_t port, uint32_t nbr);
void tx_reflect(struct worker *w, struct rte_mbuf *m, uint8_t port);
void tx_flush(struct worker *w, unsigned int port);
void tx_flush_all(struct worker *w);
uint16_t tx_main(struct dp *dp, uint8_t port, struct rte_mbuf **pkts, uint16_t n);
void tx_main_flush(struct dp *dp);
void tx_main_l3(struct dp *dp, struct rte_mbuf *m, uint8_t port, uint32_t nexthop);

/* ---- punt.c ---- */
int punt_init(struct dp *dp);
void punt_slow(struct worker *w, struct rte_mbuf *m, enum slow_kind kind);
unsigned int punt_main_poll(struct dp *dp);
unsigned int inject_poll(struct dp *dp);
void bell_ring(struct dp *dp);

/* ---- sa.c / esp_in.c / esp_out.c ---- */
int sa_init(struct dp *dp);
int sa_publish(struct dp *dp, uint32_t slot);
int sa_unpublish_begin(struct dp *dp, uint32_t slot);
void sa_unpublish_finish(struct dp *dp, uint32_t slot);
void sa_timer(struct dp *dp);
void sa_nbma_set(struct dp *dp, uint32_t nbma, uint32_t adj_slot);
void sa_nbma_del(struct dp *dp, uint32_t nbma, uint32_t adj_slot);
uint32_t sa_out_for_nbma(struct dp *dp, uint32_t nbma);
void esp_out_enqueue(struct worker *w, struct rte_mbuf *m, const struct adj_rt *a, uint32_t slot);
void esp_out_flush(struct worker *w);
void esp_in_enqueue(struct worker *w, struct rte_mbuf *m);
void esp_in_flush(struct worker *w, struct dp_port *port, struct rte_mbuf **fwd, uint8_t *fwd_tun,
		  uint32_t *fwd_nbma, uint16_t *nfwd);

/* ---- control.c ---- */
unsigned int control_poll(struct dp *dp);
void control_deferred_poll(struct dp *dp);
void control_defer(struct dp *dp, void (*fn)(struct dp *, uintptr_t), uintptr_t arg,
		   uint32_t seq, uint16_t type);

/* Worker-side neighbour lookup (lock-free reader of the main lcore's hash). */
struct nbr_key {
	uint32_t addr;
	uint32_t port;
};

static inline int32_t nbr_lookup(struct dp *dp, uint8_t port, uint32_t addr)
{
	struct nbr_key k = { .addr = addr, .port = port };

	return rte_hash_lookup(dp->nbr_hash, &k);
}

#endif
