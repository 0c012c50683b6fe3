/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The shared-memory contract between dmvpn-dataplane (creates and owns the
 * segment), dmvpn-controller (maps it read-write) and dmvpnctl (read-only).
 *
 * Layout: a header, then fixed regions whose offsets the header lists:
 *
 *   ports        what the data plane opened, its counters and applied L3 state
 *   adj          adjacency slots    (controller writes while unpublished)
 *   sa           SA slots           (controller writes while unpublished)
 *   ring ctl     controller -> data plane main lcore    (struct msg_*)
 *   ring reply   data plane -> controller: one MSG_ACK per control message
 *   ring punt    data plane -> controller: NHRP, IKE, events
 *   ring inject  controller -> data plane: NHRP and IKE to send
 *   wstats       per worker (+1 for the main lcore): drops per reason, ...
 *   adj_ctr      per worker, per adjacency slot: packets, bytes, last used
 *   sa_ctr       per worker, per SA slot: packets, bytes, errors
 *   nbr          the data plane's neighbour (ARP) table, mirrored for show
 *
 * Ownership rules (DESIGN.md "The shared-memory contract"):
 *  - A slot's controller part is written only while the data plane does not
 *    use it (pub == SHM_PUB_NONE).  Exception: expires_ns and nhrp_flags are
 *    the controller's own bookkeeping (the data plane never reads them), so a
 *    refreshed registration updates them in place.  MSG_*_PUBLISH makes the data plane copy and
 *    validate it into its own runtime table; MSG_*_UNPUBLISH is acknowledged
 *    only after an RCU grace period, so the slot may then be rewritten.
 *  - Counters are per worker: no two lcores write the same cache line.
 *  - Every field has one writer.  Readers of live counters accept torn sums.
 *
 * The data plane picks a fresh epoch at every start; a controller that sees a
 * different epoch (or a stale heartbeat) replays its whole state.
 */
#ifndef DMVPN_SHM_H
#define DMVPN_SHM_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "names.h"
#include "ring.h"

#define SHM_MAGIC 0x3147455350564d44ull	/* "DMVPSEG1" little-endian */
#define SHM_VERSION 2

#define SHM_MAX_PORTS 8
#define SHM_MAX_WORKERS 16
#define SHM_MAX_TUNNELS 4
#define SHM_NAME_LEN 32
#define SHM_DEVICE_LEN 128

/* Heartbeat period of the data plane main lcore; a controller declares the
 * data plane gone after SHM_HEARTBEAT_DEAD_MS without a change. */
#define SHM_HEARTBEAT_MS 10
#define SHM_HEARTBEAT_DEAD_MS 1000

enum shm_region {
	SHM_R_PORTS,
	SHM_R_ADJ,
	SHM_R_SA,
	SHM_R_RING_CTL,
	SHM_R_RING_REPLY,
	SHM_R_RING_PUNT,
	SHM_R_RING_INJECT,
	SHM_R_WSTATS,
	SHM_R_ADJ_CTR,
	SHM_R_SA_CTR,
	SHM_R_NBR,
	SHM_R__MAX
};

enum shm_dp_state {
	SHM_DP_STARTING = 0,	/* segment being built */
	SHM_DP_WAITING = 1,	/* up, waiting for the controller's first replay */
	SHM_DP_READY = 2,	/* forwarding with a complete table set */
	SHM_DP_STOPPING = 3,	/* shutting down; segment about to go */
};

struct shm_header {
	uint64_t magic;
	uint32_t version;
	uint32_t header_size;
	uint64_t size;			/* bytes of the whole segment */
	uint64_t epoch;			/* unique per data plane start */
	uint64_t tsc_hz;
	uint64_t start_tsc;		/* TSC at start_realtime_ns: maps TSC to wall time */
	uint64_t start_realtime_ns;
	int32_t dp_pid;
	uint32_t n_workers;		/* wstats has n_workers + 1 entries (last = main) */
	uint32_t n_ports;
	uint32_t adj_slots;
	uint32_t sa_slots;
	uint32_t nbr_slots;		/* entries of the nbr region */
	char instance[SHM_NAME_LEN];
	struct {
		uint64_t off;
		uint64_t size;
	} region[SHM_R__MAX];

	alignas(64) _Atomic uint64_t heartbeat;	/* data plane main lcore, every SHM_HEARTBEAT_MS */
	_Atomic uint32_t dp_state;		/* enum shm_dp_state */
	_Atomic uint32_t replay_gen;		/* generation of the last completed replay */
	_Atomic int32_t controller_pid;		/* written by the controller on attach */
	_Atomic uint32_t controller_gen;	/* written by the controller on attach */
	_Atomic uint64_t adj_live;		/* number of published adjacency slots */
	_Atomic uint64_t sa_live;		/* number of published SA slots */
	_Atomic uint64_t routes;		/* routes in the overlay FIB */
	_Atomic uint64_t routes_underlay;	/* routes in the underlay FIB */
	_Atomic uint64_t neighbours;		/* ARP entries */
};

enum port_role {
	PORT_ROLE_PUBLIC = 0,	/* NBMA / underlay side: GRE, ESP, IKE */
	PORT_ROLE_LAN = 1,	/* protected side */
	PORT_ROLE_HOST = 2,	/* TAP to the kernel ("Tunnel0" for routing daemons) */
};

struct shm_port_stats {
	uint64_t rx_pkts, rx_bytes, rx_missed, rx_errors, rx_nombuf;
	uint64_t tx_pkts, tx_bytes, tx_errors;
};

struct shm_port {
	/* data plane, at start */
	char name[SHM_NAME_LEN];
	char device[SHM_DEVICE_LEN];
	uint8_t role;			/* enum port_role */
	uint8_t mac[6];
	uint8_t reserved0;
	uint16_t dpdk_port;
	uint16_t n_rxq;
	uint16_t n_txq;
	uint16_t reserved1;
	/* data plane, when MSG_PORT_SET is applied */
	_Atomic uint32_t addr;		/* network order; 0 = none */
	_Atomic uint32_t plen;
	_Atomic uint32_t mtu;
	/* data plane main lcore, every 100 ms */
	_Atomic uint32_t link_up;
	_Atomic uint32_t link_speed;	/* Mbit/s */
	alignas(64) struct shm_port_stats stats;
};

/* Adjacency flags (struct shm_adj.flags): where the entry came from. */
#define ADJ_F_STATIC	0x0001	/* `nhrp.map` in the config */
#define ADJ_F_DYNAMIC	0x0002	/* learned from a registration (hub) */
#define ADJ_F_NHS	0x0004	/* the peer is one of our NHS */
#define ADJ_F_SHORTCUT	0x0008	/* learned from a resolution reply */
#define ADJ_F_NAT	0x0010	/* NBMA is a post-NAT address */
#define ADJ_F_UNIQUE	0x0020	/* registered with the unique flag */
#define ADJ_F_MULTICAST	0x0040	/* member of the multicast replication list */

enum shm_slot_state {
	SHM_SLOT_FREE = 0,
	SHM_SLOT_USED = 1,
};

enum shm_pub_state {
	SHM_PUB_NONE = 0,
	SHM_PUB_LIVE = 1,
};

#define ADJ_REWRITE_MAX 32

/*
 * One adjacency: the overlay address of a peer and how to reach it.  The
 * controller fills it and asks for MSG_ADJ_PUBLISH; the data plane copies it
 * into its runtime table.  Fields are network order unless noted.
 */
struct shm_adj {
	/* controller-owned, written only while pub == SHM_PUB_NONE */
	uint32_t state;			/* enum shm_slot_state */
	uint32_t flags;			/* ADJ_F_* */
	uint32_t overlay;		/* tunnel (protocol) address */
	uint32_t nbma;			/* peer NBMA (underlay) address */
	uint32_t local_nbma;		/* our NBMA (tunnel source) */
	uint32_t key;			/* host order; meaningful with has_key */
	uint16_t nbma_port;		/* host order; peer UDP port behind NAT, 0 = none */
	uint16_t mtu;			/* host order; 0 = the tunnel's */
	uint8_t tunnel;
	uint8_t prefix_len;		/* 32, or a shortcut's covering prefix */
	uint8_t has_key;
	uint8_t rewrite_len;		/* bytes of rewrite[] used */
	uint32_t sa_out;		/* outbound SA slot + 1; 0 = cleartext */
	uint32_t gen;			/* controller generation that wrote it */
	uint8_t rewrite[ADJ_REWRITE_MAX];	/* outer IPv4 + GRE(key), adj_rewrite_build() */
	uint64_t created_ns;		/* CLOCK_REALTIME */
	uint64_t expires_ns;		/* CLOCK_REALTIME; 0 = never (updated in place) */
	uint32_t nhrp_flags;		/* controller bookkeeping (updated in place) */
	uint32_t reserved[3];
	/* data plane-owned */
	_Atomic uint32_t pub;		/* enum shm_pub_state */
	uint32_t reserved_dp[5];
};
_Static_assert(sizeof(struct shm_adj) == 128, "shm_adj is two cache lines");

/* SA slots: the IKE issue and the manual-key config install them. */
enum sa_cipher {
	SA_CIPHER_NULL = 0,
	SA_CIPHER_AES_CBC = 1,
	SA_CIPHER_AES_GCM16 = 2,	/* RFC 4106, ICV 16 */
	SA_CIPHER_DES_CBC = 3,		/* legacy switch only */
	SA_CIPHER_3DES_CBC = 4,		/* legacy switch only */
};

enum sa_integ {
	SA_INTEG_NONE = 0,
	SA_INTEG_HMAC_SHA1_96 = 1,	/* RFC 2404 */
	SA_INTEG_HMAC_SHA256_128 = 2,	/* RFC 4868 */
	SA_INTEG_HMAC_MD5_96 = 3,	/* RFC 2403, legacy switch only */
};

enum sa_mode {
	SA_MODE_TRANSPORT = 0,		/* ESP over the GRE packet (DMVPN default) */
	SA_MODE_TUNNEL = 1,		/* outer IPv4 + ESP + GRE packet */
};

#define SA_F_INBOUND	0x0001
#define SA_F_ESN	0x0002	/* RFC 4303 2.2.1 extended sequence numbers */
#define SA_F_UDP_ENCAP	0x0004	/* RFC 3948 ESP-in-UDP */
#define SA_F_NO_REPLAY	0x0008	/* anti-replay check off (benchmarks only) */
#define SA_F_LEGACY	0x0010	/* DES/3DES/MD5 allowed */

#define SA_KEY_MAX 32
#define SA_AUTH_KEY_MAX 64

struct shm_sa {
	/* controller-owned, written only while pub == SHM_PUB_NONE */
	uint32_t state;			/* enum shm_slot_state */
	uint32_t flags;			/* SA_F_* */
	uint32_t spi;			/* host order */
	uint8_t cipher;			/* enum sa_cipher */
	uint8_t integ;			/* enum sa_integ */
	uint8_t mode;			/* enum sa_mode */
	uint8_t tunnel;
	uint8_t cipher_key_len;
	uint8_t integ_key_len;
	uint16_t replay_window;		/* inbound: 0 = default (1024), up to 4096 */
	uint32_t salt;			/* GCM: the 4 octets after the key (RFC 4106 8.1) */
	uint32_t local;			/* network order: our NBMA address */
	uint32_t remote;		/* network order: peer NBMA address */
	uint16_t sport;			/* host order, UDP encap */
	uint16_t dport;
	uint32_t gen;
	uint64_t life_soft_bytes, life_hard_bytes;	/* 0 = none */
	uint64_t life_soft_pkts, life_hard_pkts;
	uint64_t created_ns;
	uint32_t peer_id;		/* controller bookkeeping (IKE SA) */
	uint32_t reserved0;
	uint8_t cipher_key[SA_KEY_MAX];
	uint8_t integ_key[SA_AUTH_KEY_MAX];
	/* data plane-owned */
	alignas(64) _Atomic uint32_t pub;	/* enum shm_pub_state */
	_Atomic uint32_t dp_events;		/* SA_EV_* already raised */
	_Atomic uint64_t seq_out;		/* outbound: last sequence number used */
	_Atomic uint64_t seq_in_top;		/* inbound: highest sequence accepted */
	uint64_t reserved_dp[5];
};
_Static_assert(sizeof(struct shm_sa) == 256, "shm_sa is four cache lines");

#define SA_EV_SOFT	0x1
#define SA_EV_HARD	0x2
#define SA_EV_SEQ_HIGH	0x4

/* Per-lcore counters; the last entry is the main lcore's. */
struct shm_wstats {
	alignas(64) uint64_t drops[DROP__MAX];
	uint64_t rx_pkts;		/* taken from the ports */
	uint64_t tx_pkts;		/* handed to the ports */
	uint64_t encap_pkts;		/* LAN -> tunnel */
	uint64_t decap_pkts;		/* tunnel -> LAN */
	uint64_t punt_pkts;		/* to the controller */
	uint64_t events;		/* miss / hairpin events raised */
	uint64_t icmp_sent;		/* ICMP errors and echo replies generated */
	uint64_t fragments;		/* fragments made (pre-fragmentation) */
	uint64_t busy_tsc;		/* TSC spent on iterations that moved packets */
	uint64_t busy_pkts;		/* packets in those iterations */
	uint64_t polls;
	uint64_t idle_polls;
	uint64_t sleeps;
};

struct shm_adj_ctr {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t last_tsc;		/* TSC of the last packet sent through it */
	uint64_t reserved;
};

struct shm_sa_ctr {
	uint64_t pkts;
	uint64_t bytes;
	uint64_t replay_drops;
	uint64_t auth_fails;
	uint64_t other_drops;
	uint64_t last_tsc;
	uint64_t reserved[2];
};

/* Neighbour states (struct shm_nbr.state), as `show ip arp` names them. */
enum shm_nbr_state {
	SHM_NBR_FREE = 0,
	SHM_NBR_INCOMPLETE = 1,		/* no MAC yet, requests sent */
	SHM_NBR_REACHABLE = 2,		/* MAC confirmed lately */
	SHM_NBR_STALE = 3,		/* MAC in use, being confirmed again */
	SHM_NBR_FAILED = 4,		/* requests unanswered, MAC cleared */
	SHM_NBR_STATIC = 5,		/* the config's `neighbors` */
};

/* "incomplete", "reachable", ... ("free" for SHM_NBR_FREE, "?" otherwise). */
const char *shm_nbr_state_name(uint8_t state);

/*
 * One neighbour as the data plane's main lcore (its only writer) last wrote
 * it: on every change and when its ageing timer visits it.  Readers retry
 * while seq is odd or changed under them (a seqlock).
 */
struct shm_nbr {
	_Atomic uint32_t seq;
	uint32_t addr;			/* network order */
	uint8_t port;
	uint8_t state;			/* enum shm_nbr_state */
	uint8_t probes;			/* unanswered requests in a row */
	uint8_t reserved0;
	uint8_t mac[6];
	uint16_t reserved1;
	uint32_t refs;			/* routes and adjacencies using it */
	uint64_t confirmed_tsc;		/* last reply (0 = never) */
};
_Static_assert(sizeof(struct shm_nbr) == 32, "shm_nbr is 32 bytes");

/* A mapped segment. */
struct shm_seg {
	struct shm_header *hdr;
	size_t size;
	int fd;
	bool writable;
	char path[256];
};

/* Sizing chosen by the data plane. */
struct shm_layout {
	uint32_t n_workers;
	uint32_t n_ports;
	uint32_t adj_slots;
	uint32_t sa_slots;
	uint32_t nbr_slots;
	uint32_t ctl_entries, reply_entries, punt_entries, inject_entries;
};

#define SHM_CTL_ENTRY_SIZE 128
#define SHM_REPLY_ENTRY_SIZE 32
#define SHM_PKT_ENTRY_SIZE 4096

/* Segment file of an instance: <dir>/dmvpn-<instance>.seg */
int shm_path(char *buf, size_t len, const char *dir, const char *instance);

/* Data plane: create (replacing any old file) and lay out a fresh segment. */
int shm_create(struct shm_seg *seg, const char *path, const char *instance,
	       const struct shm_layout *lay) __attribute__((warn_unused_result));
/* Controller (writable) or dmvpnctl (read-only): map an existing segment and
 * check magic, version and region bounds. */
int shm_attach(struct shm_seg *seg, const char *path, bool writable)
	__attribute__((warn_unused_result));
void shm_detach(struct shm_seg *seg);
/* Data plane: unmap and remove the file. */
void shm_destroy(struct shm_seg *seg);

static inline void *shm_region(const struct shm_seg *seg, enum shm_region r)
{
	return (uint8_t *)seg->hdr + seg->hdr->region[r].off;
}

static inline struct shm_port *shm_port(const struct shm_seg *seg, unsigned int i)
{
	return (struct shm_port *)shm_region(seg, SHM_R_PORTS) + i;
}

static inline struct shm_adj *shm_adj(const struct shm_seg *seg, uint32_t slot)
{
	return (struct shm_adj *)shm_region(seg, SHM_R_ADJ) + slot;
}

static inline struct shm_sa *shm_sa(const struct shm_seg *seg, uint32_t slot)
{
	return (struct shm_sa *)shm_region(seg, SHM_R_SA) + slot;
}

static inline struct shm_ring *shm_ring_get(const struct shm_seg *seg, enum shm_region r)
{
	return (struct shm_ring *)shm_region(seg, r);
}

static inline struct shm_wstats *shm_wstats(const struct shm_seg *seg, unsigned int lcore_idx)
{
	return (struct shm_wstats *)shm_region(seg, SHM_R_WSTATS) + lcore_idx;
}

static inline struct shm_adj_ctr *shm_adj_ctr(const struct shm_seg *seg,
					      unsigned int worker, uint32_t slot)
{
	return (struct shm_adj_ctr *)shm_region(seg, SHM_R_ADJ_CTR) +
	       (size_t)worker * seg->hdr->adj_slots + slot;
}

static inline struct shm_sa_ctr *shm_sa_ctr(const struct shm_seg *seg,
					    unsigned int worker, uint32_t slot)
{
	return (struct shm_sa_ctr *)shm_region(seg, SHM_R_SA_CTR) +
	       (size_t)worker * seg->hdr->sa_slots + slot;
}

static inline struct shm_nbr *shm_nbr(const struct shm_seg *seg, uint32_t idx)
{
	return (struct shm_nbr *)shm_region(seg, SHM_R_NBR) + idx;
}

/* A consistent copy of neighbour idx (seqlock read); false if it changed
 * under every try. */
bool shm_nbr_read(const struct shm_seg *seg, uint32_t idx, struct shm_nbr *out);

/* Sum of one adjacency's counters over all workers (a reader's view). */
void shm_adj_ctr_sum(const struct shm_seg *seg, uint32_t slot, struct shm_adj_ctr *out);
void shm_sa_ctr_sum(const struct shm_seg *seg, uint32_t slot, struct shm_sa_ctr *out);
/* Sum of all lcores' counters. */
void shm_wstats_sum(const struct shm_seg *seg, struct shm_wstats *out);

/* Wall-clock nanoseconds of a data plane TSC value (0 stays 0). */
uint64_t shm_tsc_to_realtime_ns(const struct shm_header *h, uint64_t tsc);

#endif
