/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet II (IEEE 802.3 clause 3.2.6) and ARP for IPv4 over Ethernet (RFC 826). */
#ifndef DMVPN_WIRE_ETH_H
#define DMVPN_WIRE_ETH_H

#include <stdint.h>

#define ETH_ALEN 6
#define ETH_HDR_LEN 14
#define ETH_MIN_FRAME 60	/* without FCS */

enum eth_type {
	ETH_TYPE_IPV4 = 0x0800,
	ETH_TYPE_ARP = 0x0806,
	ETH_TYPE_VLAN = 0x8100,
	ETH_TYPE_IPV6 = 0x86dd,
};

struct eth_hdr {
	uint8_t dst[ETH_ALEN];
	uint8_t src[ETH_ALEN];
	uint16_t type;		/* network order */
} __attribute__((packed));
_Static_assert(sizeof(struct eth_hdr) == ETH_HDR_LEN, "eth_hdr");

/* RFC 826, for hardware type 1 (Ethernet) and protocol 0x0800. */
enum arp_op {
	ARP_OP_REQUEST = 1,
	ARP_OP_REPLY = 2,
};

struct arp_ipv4 {
	uint16_t htype;		/* 1 */
	uint16_t ptype;		/* 0x0800 */
	uint8_t hlen;		/* 6 */
	uint8_t plen;		/* 4 */
	uint16_t op;
	uint8_t sha[ETH_ALEN];
	uint32_t spa;
	uint8_t tha[ETH_ALEN];
	uint32_t tpa;
} __attribute__((packed));
_Static_assert(sizeof(struct arp_ipv4) == 28, "arp_ipv4");

#endif
