/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * GRE (RFC 2784) with the Key and Sequence Number extensions (RFC 2890).
 * DMVPN uses a 4-octet base header plus the 4-octet key when `tunnel key`
 * is set: flags word 0x2000, protocol type, key (seed 000, Example 7-17:
 * "20000800000003E7" is K set, IPv4, key 999).
 */
#ifndef DMVPN_WIRE_GRE_H
#define DMVPN_WIRE_GRE_H

#include <stdint.h>

/* RFC 2784 2.1 / RFC 2890 2: first 16 bits, host order after ntohs(). */
#define GRE_FLAG_CSUM 0x8000	/* C: checksum + reserved1 present */
#define GRE_FLAG_ROUTING 0x4000	/* RFC 1701 R bit; must be 0 (RFC 2784 2.3) */
#define GRE_FLAG_KEY 0x2000	/* K: key present (RFC 2890 2.1) */
#define GRE_FLAG_SEQ 0x1000	/* S: sequence number present (RFC 2890 2.2) */
#define GRE_RESERVED0 0x0ff8	/* RFC 2784 2.3: bits 1-12 except K, S */
#define GRE_VERSION_MASK 0x0007	/* RFC 2784 2.3.1: must be 0 */

enum gre_proto {
	GRE_PROTO_KEEPALIVE = 0x0000,	/* Cisco keepalive (inner GRE) */
	GRE_PROTO_IPV4 = 0x0800,
	GRE_PROTO_NHRP = 0x2001,	/* NHRP over GRE (FRR ETH_P_NHRP) */
	GRE_PROTO_IPV6 = 0x86dd,
};

struct gre_hdr {
	uint16_t flags;		/* network order */
	uint16_t proto;		/* network order */
} __attribute__((packed));
_Static_assert(sizeof(struct gre_hdr) == 4, "gre_hdr");

struct gre_key_hdr {
	uint16_t flags;		/* GRE_FLAG_KEY */
	uint16_t proto;
	uint32_t key;
} __attribute__((packed));
_Static_assert(sizeof(struct gre_key_hdr) == 8, "gre_key_hdr");

#endif
