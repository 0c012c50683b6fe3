/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP (RFC 2332) with the Cisco DMVPN additions (draft-detienne-dmvpn:
 * Traffic Indication, NAT flag and NAT Address extension, cleartext
 * authentication).  An NHRP packet is a 20-octet Fixed Part, a Mandatory Part
 * (common header, addresses, CIEs or an embedded packet) and an optional
 * Extensions Part (RFC 2332 5).  All fields are network order.  The codec
 * on top of this is common/nhrp_packet.h.
 */
#ifndef DMVPN_WIRE_NHRP_H
#define DMVPN_WIRE_NHRP_H

#include <stdint.h>

/* RFC 2332 5.1: Fixed Part. */
#define NHRP_FIXED_LEN 20
#define NHRP_MAND_HDR_LEN 8	/* 5.2.0.1: spl, dpl, flags, request id */
#define NHRP_CIE_LEN 12		/* 5.2.0.1: CIE without its addresses */
#define NHRP_EXT_HDR_LEN 4	/* 5.3: type word, length */
#define NHRP_VERSION 1		/* ar$op.version: 1 = RFC 2332 (0 = MARS) */

/* ar$afn: IANA address family numbers (RFC 2332 5.1, seen in captures: 1). */
enum nhrp_afn {
	NHRP_AFN_IPV4 = 0x0001,
	NHRP_AFN_IPV6 = 0x0002,
};

/* ar$pro.type: Ethertype short form (RFC 2332 5.1). */
enum nhrp_proto {
	NHRP_PROTO_IPV4 = 0x0800,
	NHRP_PROTO_IPV6 = 0x86dd,
};

/*
 * ar$shtl / ar$sstl and the CIE's Cli Addr T/L, Cli SAddr T/L (RFC 2332
 * 5.1): bit 7 zero, bit 6 type (0 NSAP, 1 E.164), bits 5-0 the length.
 */
#define NHRP_TL_E164 0x40
#define NHRP_TL_LEN_MASK 0x3f
#define NHRP_TL_TYPE_MASK 0xc0

struct nhrp_fixed_hdr {
	uint16_t afn;		/* ar$afn */
	uint16_t pro_type;	/* ar$pro.type */
	uint8_t pro_snap[5];	/* ar$pro.snap, only for pro.type 0x0080 */
	uint8_t hopcnt;		/* ar$hopcnt */
	uint16_t pktsz;		/* ar$pktsz: whole NHRP packet */
	uint16_t chksum;	/* ar$chksum: RFC 1071 sum over pktsz octets */
	uint16_t extoff;	/* ar$extoff: 0 = no Extensions Part */
	uint8_t version;	/* ar$op.version */
	uint8_t type;		/* ar$op.type, enum nhrp_type */
	uint8_t shtl;		/* source NBMA address type/length */
	uint8_t sstl;		/* source NBMA subaddress type/length */
} __attribute__((packed));
_Static_assert(sizeof(struct nhrp_fixed_hdr) == NHRP_FIXED_LEN, "nhrp_fixed_hdr");

/* ar$op.type: RFC 2332 5.2.1-5.2.7; 8 is Cisco's (draft-detienne-dmvpn). */
enum nhrp_type {
	NHRP_RESOLUTION_REQUEST = 1,
	NHRP_RESOLUTION_REPLY = 2,
	NHRP_REGISTRATION_REQUEST = 3,
	NHRP_REGISTRATION_REPLY = 4,
	NHRP_PURGE_REQUEST = 5,
	NHRP_PURGE_REPLY = 6,
	NHRP_ERROR_INDICATION = 7,
	NHRP_TRAFFIC_INDICATION = 8,
	NHRP_TYPE_MAX = 8,
};

/*
 * RFC 2332 5.2.0.1: common header of the Mandatory Part of types 1-6.  Error
 * Indication (5.2.7) reuses the 8 octets as unused(2) | code(2) | offset(2)
 * and Cisco's Traffic Indication as flags(2) | traffic code(2) | unused(2);
 * the layouts below share the first four octets.
 */
struct nhrp_mand_hdr {
	uint8_t src_proto_len;
	uint8_t dst_proto_len;
	uint16_t flags;
	uint32_t reqid;
} __attribute__((packed));
_Static_assert(sizeof(struct nhrp_mand_hdr) == NHRP_MAND_HDR_LEN, "nhrp_mand_hdr");

struct nhrp_error_hdr {
	uint8_t src_proto_len;
	uint8_t dst_proto_len;
	uint16_t unused;
	uint16_t code;		/* enum nhrp_error_code */
	uint16_t offset;	/* octet offset into the packet in error */
} __attribute__((packed));
_Static_assert(sizeof(struct nhrp_error_hdr) == NHRP_MAND_HDR_LEN, "nhrp_error_hdr");

struct nhrp_traffic_hdr {
	uint8_t src_proto_len;
	uint8_t dst_proto_len;
	uint16_t flags;		/* Cisco sends 0 */
	uint16_t code;		/* enum nhrp_traffic_code */
	uint16_t unused;
} __attribute__((packed));
_Static_assert(sizeof(struct nhrp_traffic_hdr) == NHRP_MAND_HDR_LEN, "nhrp_traffic_hdr");

/* RFC 2332 5.2.1 / 5.2.2: Resolution Request and Reply flags. */
enum nhrp_res_flag {
	NHRP_RES_FLAG_Q = 0x8000,	/* requester is a router */
	NHRP_RES_FLAG_A = 0x4000,	/* authoritative (wanted / given) */
	NHRP_RES_FLAG_D = 0x2000,	/* reply: destination is stable */
	NHRP_RES_FLAG_U = 0x1000,	/* uniqueness */
	NHRP_RES_FLAG_S = 0x0800,	/* source binding is stable */
	NHRP_RES_FLAG_NAT = 0x0002,	/* Cisco: NAT capable (not RFC) */
};

/* RFC 2332 5.2.3 / 5.2.4: Registration Request and Reply flags. */
enum nhrp_reg_flag {
	NHRP_REG_FLAG_U = 0x8000,	/* unique registration */
	NHRP_REG_FLAG_NAT = 0x0002,	/* Cisco: NAT capable (not RFC) */
};

/* RFC 2332 5.2.5 / 5.2.6: Purge Request and Reply flags. */
enum nhrp_purge_flag {
	NHRP_PURGE_FLAG_N = 0x8000,	/* no reply expected */
};

/* RFC 2332 5.2.0.1: Client Information Entry, addresses follow. */
struct nhrp_cie_hdr {
	uint8_t code;		/* enum nhrp_cie_code */
	uint8_t prefix_len;
	uint16_t unused;
	uint16_t mtu;
	uint16_t holdtime;	/* seconds */
	uint8_t cli_addr_tl;	/* client NBMA address type/length */
	uint8_t cli_saddr_tl;	/* client NBMA subaddress type/length */
	uint8_t cli_proto_len;
	uint8_t pref;
} __attribute__((packed));
_Static_assert(sizeof(struct nhrp_cie_hdr) == NHRP_CIE_LEN, "nhrp_cie_hdr");

/*
 * RFC 2332 5.2.2 / 5.2.4: CIE codes.  12 is RFC 2332 and Wireshark; FRR and
 * OpenNHRP say 11 for "no binding" (wire-formats.md 2.6).
 */
enum nhrp_cie_code {
	NHRP_CIE_SUCCESS = 0,
	NHRP_CIE_ADMIN_PROHIBITED = 4,
	NHRP_CIE_INSUFFICIENT_RESOURCES = 5,
	NHRP_CIE_NO_BINDING = 12,
	NHRP_CIE_BINDING_NOT_UNIQUE = 13,
	NHRP_CIE_ALREADY_REGISTERED = 14,
};

/*
 * RFC 2332 5.2.7: Error Indication codes.  Loop Detected is 3 as in the RFC,
 * Wireshark and tcpdump; FRR and OpenNHRP say 2 (wire-formats.md 2.5).
 */
enum nhrp_error_code {
	NHRP_ERR_UNRECOGNIZED_EXTENSION = 1,
	NHRP_ERR_LOOP_DETECTED = 3,
	NHRP_ERR_PROTO_ADDR_UNREACHABLE = 6,
	NHRP_ERR_PROTOCOL_ERROR = 7,
	NHRP_ERR_SDU_SIZE_EXCEEDED = 8,
	NHRP_ERR_INVALID_EXTENSION = 9,
	NHRP_ERR_INVALID_RES_REPLY = 10,
	NHRP_ERR_AUTH_FAILURE = 11,
	NHRP_ERR_HOP_COUNT_EXCEEDED = 15,
};

/* Cisco Traffic Indication code (draft-detienne-dmvpn; tcpdump print-nhrp.c). */
enum nhrp_traffic_code {
	NHRP_TRAFFIC_REDIRECT = 0,
};

/* RFC 2332 5.3: extension header; Length counts the value only. */
struct nhrp_ext_hdr {
	uint16_t type;		/* C | u | type(14) */
	uint16_t length;
} __attribute__((packed));
_Static_assert(sizeof(struct nhrp_ext_hdr) == NHRP_EXT_HDR_LEN, "nhrp_ext_hdr");

#define NHRP_EXT_COMPULSORY 0x8000	/* C: RFC 2332 5.3 */
#define NHRP_EXT_UNUSED_BIT 0x4000	/* u: must be zero on transmit */
#define NHRP_EXT_TYPE_MASK 0x3fff

/* RFC 2332 5.3.0-5.3.5; 9 is Cisco's (FRR NHRP_EXTENSION_NAT_ADDRESS). */
enum nhrp_ext_type {
	NHRP_EXT_END = 0,
	NHRP_EXT_RESPONDER_ADDRESS = 3,	/* 5.3.1: one CIE, the responder */
	NHRP_EXT_FORWARD_TRANSIT = 4,	/* 5.3.2: one CIE per transit NHS */
	NHRP_EXT_REVERSE_TRANSIT = 5,	/* 5.3.3: same, on replies */
	NHRP_EXT_AUTHENTICATION = 7,	/* 5.3.4; Cisco: cleartext, below */
	NHRP_EXT_VENDOR_PRIVATE = 8,	/* 5.3.5: OUI(3) + data */
	NHRP_EXT_NAT_ADDRESS = 9,	/* Cisco NAT address: CIE list, C=0 */
};

/*
 * Cisco authentication value (wire-formats.md 3.1): 4-octet type 1 =
 * cleartext, then the password, 1-8 octets, no padding.
 */
enum nhrp_cisco_auth_type {
	NHRP_CISCO_AUTH_CLEARTEXT = 1,
};

#define NHRP_CISCO_AUTH_HDR_LEN 4
#define NHRP_CISCO_PASS_MAX 8

#endif
