/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 (RFC 791), ICMP (RFC 792, RFC 1191) and UDP (RFC 768) headers. */
#ifndef DMVPN_WIRE_IPV4_H
#define DMVPN_WIRE_IPV4_H

#include <stdint.h>

#define IPV4_HDR_LEN 20
#define IPV4_MAX_HDR_LEN 60

enum ip_proto {
	IP_PROTO_ICMP = 1,
	IP_PROTO_TCP = 6,
	IP_PROTO_UDP = 17,
	IP_PROTO_GRE = 47,
	IP_PROTO_ESP = 50,
};

/* RFC 791 3.1: flags and fragment offset, host order after ntohs(). */
#define IPV4_FLAG_DF 0x4000
#define IPV4_FLAG_MF 0x2000
#define IPV4_FRAG_OFF_MASK 0x1fff

struct ipv4_hdr {
	uint8_t ver_ihl;	/* version 4 << 4 | header length in 32-bit words */
	uint8_t tos;
	uint16_t total_len;
	uint16_t id;
	uint16_t frag;		/* flags | fragment offset */
	uint8_t ttl;
	uint8_t proto;
	uint16_t csum;
	uint32_t src;
	uint32_t dst;
} __attribute__((packed));
_Static_assert(sizeof(struct ipv4_hdr) == IPV4_HDR_LEN, "ipv4_hdr");

static inline unsigned int ipv4_hdr_len(const struct ipv4_hdr *ip)
{
	return (ip->ver_ihl & 0x0f) * 4u;
}

/* RFC 792 */
enum icmp_type {
	ICMP_ECHO_REPLY = 0,
	ICMP_DEST_UNREACH = 3,
	ICMP_ECHO_REQUEST = 8,
	ICMP_TIME_EXCEEDED = 11,
};

enum icmp_unreach_code {
	ICMP_NET_UNREACH = 0,
	ICMP_HOST_UNREACH = 1,
	ICMP_PROTO_UNREACH = 2,
	ICMP_PORT_UNREACH = 3,
	ICMP_FRAG_NEEDED = 4,	/* RFC 1191 4: next-hop MTU in the low 16 bits */
};

struct icmp_hdr {
	uint8_t type;
	uint8_t code;
	uint16_t csum;
	union {
		struct {
			uint16_t id;
			uint16_t seq;
		} echo;
		struct {
			uint16_t unused;
			uint16_t mtu;
		} frag;
		uint32_t unused;
	};
} __attribute__((packed));
_Static_assert(sizeof(struct icmp_hdr) == 8, "icmp_hdr");

struct udp_hdr {
	uint16_t sport;
	uint16_t dport;
	uint16_t len;
	uint16_t csum;
} __attribute__((packed));
_Static_assert(sizeof(struct udp_hdr) == 8, "udp_hdr");

#endif
