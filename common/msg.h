/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Messages on the four shared-memory rings.  Every entry starts with a
 * struct msg_hdr; the body follows.  All integers are host order except IPv4
 * addresses, which are network order (as on the wire and in struct in_addr).
 *
 *   control ring (controller -> main lcore)   MSG_HELLO .. MSG_NBR_DEL
 *   reply ring   (main lcore -> controller)   MSG_ACK, one per control message
 *   punt ring    (data plane -> controller)   MSG_PUNT_*, MSG_EV_*
 *   inject ring  (controller -> data plane)   MSG_INJECT_*
 *
 * Acknowledgement: the data plane answers every control message with MSG_ACK
 * carrying the same seq and 0 or a positive errno.  Acks come in order except
 * MSG_*_UNPUBLISH, which waits for an RCU grace period.
 *
 * Replay: MSG_REPLAY_BEGIN(gen) ... state ... MSG_REPLAY_END(gen).  Routes,
 * neighbours and published slots carry the generation that last (re)installed
 * them; at REPLAY_END the data plane removes routes and static neighbours of
 * older generations (mark and sweep), so a restarted controller converges
 * without disturbing entries it re-sends unchanged.  Slots are swept by the
 * controller (it owns their allocation): it unpublishes what it did not adopt.
 */
#ifndef DMVPN_MSG_H
#define DMVPN_MSG_H

#include <stdint.h>

enum msg_type {
	MSG_NONE = 0,
	/* control ring */
	MSG_HELLO = 1,
	MSG_REPLAY_BEGIN = 2,
	MSG_REPLAY_END = 3,
	MSG_PORT_SET = 4,
	MSG_TUNNEL_SET = 5,
	MSG_ADJ_PUBLISH = 6,
	MSG_ADJ_UNPUBLISH = 7,
	MSG_SA_PUBLISH = 8,
	MSG_SA_UNPUBLISH = 9,
	MSG_ROUTE_ADD = 10,
	MSG_ROUTE_DEL = 11,
	MSG_NBR_SET = 12,
	MSG_NBR_DEL = 13,
	MSG_CLEAR_COUNTERS = 14,
	MSG_CTL__MAX,
	/* reply ring */
	MSG_ACK = 64,
	/* punt ring */
	MSG_PUNT_NHRP = 96,
	MSG_PUNT_IKE = 97,
	MSG_EV_ADJ_MISS = 98,
	MSG_EV_HAIRPIN = 99,
	MSG_EV_SA = 100,
	/* inject ring */
	MSG_INJECT_NHRP = 128,
	MSG_INJECT_IKE = 129,
};

struct msg_hdr {
	uint16_t type;		/* enum msg_type */
	uint16_t len;		/* bytes of body after this header */
	uint32_t seq;		/* control: controller's sequence; echoed in MSG_ACK */
};
_Static_assert(sizeof(struct msg_hdr) == 8, "msg_hdr");

struct msg_hello {
	int32_t pid;
	uint32_t gen;
};

struct msg_gen {
	uint32_t gen;
};

#define PORT_F_UP 0x1

struct msg_port {
	uint16_t port;		/* index in the data plane's port table */
	uint8_t plen;
	uint8_t flags;		/* PORT_F_* */
	uint32_t addr;		/* 0 = no address */
	uint16_t mtu;		/* L3 MTU; 0 = 1500 */
	uint16_t reserved;
	uint32_t gen;
};

#define TUN_F_KEY	0x01	/* GRE key present (tunnel key N) */
#define TUN_F_REDIRECT	0x02	/* NHRP redirect: raise hairpin events (Phase 3) */
#define TUN_F_PROTECT	0x04	/* cleartext GRE is refused (tunnel protection) */
#define TUN_F_UP	0x08

struct msg_tunnel {
	uint8_t tunnel;		/* 0 .. SHM_MAX_TUNNELS-1 */
	uint8_t flags;		/* TUN_F_* */
	uint8_t plen;		/* tunnel subnet length */
	uint8_t src_port;	/* public port the tunnel is sourced from */
	uint32_t addr;		/* tunnel (overlay) address */
	uint32_t src;		/* tunnel source: our NBMA address */
	uint32_t key;		/* host order */
	uint16_t mtu;		/* `ip mtu`: largest inner IPv4 packet */
	uint16_t reserved;
	uint32_t nhs_adj;	/* adjacency slot + 1 to send through on a miss; 0 = none */
	uint32_t gen;
};

enum route_table {
	RT_OVERLAY = 0,		/* LAN + tunnel (the FIB the workers use) */
	RT_UNDERLAY = 1,	/* public side: how to reach NBMA addresses */
};

enum route_nh_type {
	NH_DROP = 0,		/* null route */
	NH_ADJ = 1,		/* value = adjacency slot */
	NH_GATEWAY = 2,		/* value = gateway IPv4 on port `port` */
	NH_CONNECTED = 3,	/* on-link on port `port`: ARP for the destination */
	NH_GLEAN = 4,		/* tunnel subnet / unresolved tunnel next hop: value = next-hop
				   overlay address or 0 for "the destination itself" */
	NH_LOCAL = 5,		/* one of our addresses */
};

struct msg_route {
	uint8_t table;		/* enum route_table */
	uint8_t plen;
	uint8_t nh_type;	/* enum route_nh_type */
	uint8_t port;		/* NH_GATEWAY / NH_CONNECTED; tunnel index for NH_GLEAN */
	uint32_t prefix;
	uint32_t value;		/* see enum route_nh_type */
	uint32_t gen;
};

struct msg_slot {
	uint32_t slot;
	uint32_t gen;
};

struct msg_nbr {
	uint16_t port;
	uint8_t mac[6];
	uint32_t addr;
	uint32_t gen;
};

struct msg_ack {
	uint32_t seq;		/* of the control message acknowledged */
	uint16_t type;		/* its type */
	uint16_t status;	/* 0 or a positive errno */
	uint32_t aux;		/* type-specific (e.g. swept entries at REPLAY_END) */
	uint32_t reserved;
};

/* A packet for the controller.  Followed by the packet bytes (NHRP message
 * without GRE, or the IKE payload without UDP / non-ESP marker). */
#define PUNT_F_NAT_T	0x01	/* arrived in UDP (port fields valid) */

struct msg_punt_pkt {
	uint16_t port;		/* data plane port index */
	uint8_t tunnel;
	uint8_t flags;		/* PUNT_F_* */
	uint32_t src;		/* outer IPv4 source (the peer's NBMA as seen) */
	uint32_t dst;		/* outer IPv4 destination (ours) */
	uint16_t sport;		/* UDP ports, host order */
	uint16_t dport;
	uint32_t sa_in;		/* inbound SA slot + 1 that protected it; 0 = cleartext */
	uint32_t key;		/* GRE key seen, host order */
	uint16_t len;		/* bytes that follow */
	uint16_t reserved;
};

/* Adjacency miss (glean): a packet needed an unresolved tunnel next hop. */
struct msg_ev_miss {
	uint8_t tunnel;
	uint8_t reserved[3];
	uint32_t dst;		/* the data packet's destination */
	uint32_t src;		/* the data packet's source */
	uint32_t nexthop;	/* the unresolved overlay next hop (== dst when on-link) */
};

/* Hairpin: a packet left on the tunnel it arrived on (Phase 3 redirect trigger). */
struct msg_ev_hairpin {
	uint8_t tunnel;
	uint8_t reserved;
	uint16_t sample_len;	/* bytes of the data packet that follow (<= 64) */
	uint32_t src;		/* inner source: the spoke to tell */
	uint32_t dst;		/* inner destination */
	uint32_t in_nbma;	/* outer source it came from */
	uint32_t out_adj;	/* adjacency slot it left through */
};

struct msg_ev_sa {
	uint32_t slot;
	uint32_t events;	/* SA_EV_* */
	uint64_t bytes;
	uint64_t pkts;
	uint64_t seq;
};

/* Send an NHRP packet: the data plane adds GRE (tunnel key, 0x2001), the
 * outer IPv4 header (TTL 255, TOS 0xc0 like Cisco), protects it like data to
 * the same NBMA address, and transmits it.  Followed by the NHRP bytes. */
struct msg_inject_nhrp {
	uint8_t tunnel;
	uint8_t reserved;
	uint16_t len;
	uint32_t dst;		/* NBMA destination */
	uint16_t dport;		/* peer UDP port behind NAT; 0 = none */
	uint16_t reserved2;
};

/* Send an IKE datagram from the tunnel source.  Followed by the IKE bytes;
 * with dport/sport 4500 the data plane prepends the non-ESP marker. */
struct msg_inject_ike {
	uint8_t tunnel;
	uint8_t reserved;
	uint16_t len;
	uint32_t dst;
	uint16_t sport;
	uint16_t dport;
};

#endif
