/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP packet codec (RFC 2332 + Cisco DMVPN): pure functions, no daemon
 * context, nothing allocated.
 *
 * Parsing is zero-copy: struct nhrp_msg holds the header fields by value and
 * views (pointer + length) into the caller's packet for addresses, extension
 * values and embedded packets, so the packet must outlive the message.
 *
 * Building encodes a struct nhrp_msg.  A parsed message re-encodes byte for
 * byte (unused fields, the type bits of the T/L octets, the u bit of
 * extensions and whatever follows End are all kept), so a forwarding NHS can
 * parse, edit (hop count, append itself to Forward Transit, regenerate
 * authentication) and build.  For a new message:
 *
 *	struct nhrp_msg m;
 *	uint8_t auth[NHRP_CISCO_AUTH_MAX];
 *	int alen = nhrp_cisco_auth_encode(auth, "secret", 6);
 *
 *	nhrp_msg_init(&m, NHRP_REGISTRATION_REQUEST, &nbma, &proto, &nhs_proto);
 *	m.flags = NHRP_REG_FLAG_U | NHRP_REG_FLAG_NAT;
 *	m.reqid = ++reqid;
 *	nhrp_msg_add_cie(&m, &(struct nhrp_cie){ .prefix_len = 32,
 *			 .mtu = 1514, .holdtime = 7200 });
 *	nhrp_msg_add_ext(&m, NHRP_EXT_RESPONDER_ADDRESS, true);
 *	nhrp_msg_add_ext(&m, NHRP_EXT_FORWARD_TRANSIT, true);
 *	nhrp_msg_add_ext(&m, NHRP_EXT_REVERSE_TRANSIT, true);
 *	nhrp_msg_add_ext_raw(&m, NHRP_EXT_AUTHENTICATION, true, auth, alen);
 *	nat = nhrp_msg_add_ext(&m, NHRP_EXT_NAT_ADDRESS, false);
 *	nhrp_ext_add_cie(nat, &(struct nhrp_cie){ .prefix_len = 32, ... });
 *	n = nhrp_build(&m, out, sizeof(out));	(End is appended)
 *
 * Views given to the builder must stay valid until nhrp_build() returns.
 */
#ifndef DMVPN_NHRP_PACKET_H
#define DMVPN_NHRP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"
#include "wire/nhrp.h"

#define NHRP_MAX_CIES 16	/* CIEs in the Mandatory Part */
#define NHRP_MAX_EXTS 16	/* extensions before End */
#define NHRP_MAX_EXT_CIES 8	/* CIEs in one extension (3, 4, 5, 9) */
#define NHRP_HOPCNT_DEFAULT 255	/* Cisco originates with 255; never 0 (FRR#951) */
#define NHRP_CISCO_AUTH_MAX (NHRP_CISCO_AUTH_HDR_LEN + NHRP_CISCO_PASS_MAX)

/* Bytes inside a packet (parse) or the caller's storage (build). */
struct nhrp_view {
	const uint8_t *p;
	uint16_t len;
};

/* An address; its length is the T/L length (NBMA) or the protocol length. */
struct nhrp_addr {
	const uint8_t *p;
	uint8_t len;
};

#define NHRP_ADDR(ptr, n) ((struct nhrp_addr){ .p = (const uint8_t *)(ptr), .len = (n) })

/* RFC 2332 5.2.0.1: Client Information Entry. */
struct nhrp_cie {
	uint8_t code;		/* enum nhrp_cie_code */
	uint8_t prefix_len;	/* 0xff with U per RFC; Cisco sends 32 */
	uint16_t unused;	/* 0 on transmit; kept for exact re-encoding */
	uint16_t mtu;
	uint16_t holdtime;	/* seconds */
	uint8_t nbma_tl_type;	/* type bits of Cli Addr T/L (NHRP_TL_E164) */
	uint8_t nbma_sub_tl_type; /* type bits of Cli SAddr T/L */
	uint8_t pref;
	uint16_t offset;	/* parse: CIE offset from the fixed header */
	struct nhrp_addr nbma;	/* len <= 63 */
	struct nhrp_addr nbma_sub; /* len <= 63 */
	struct nhrp_addr proto;
};

/* RFC 2332 5.3: one extension (End is not in the list, see nhrp_msg). */
struct nhrp_ext {
	uint16_t type;		/* enum nhrp_ext_type, 14 bits */
	bool compulsory;	/* C bit */
	bool unused_bit;	/* u bit as received (must be 0 on transmit) */
	bool has_cies;		/* value is a CIE list: built from cies[] */
	uint8_t ncies;
	uint16_t offset;	/* parse: extension header offset */
	struct nhrp_view val;	/* raw value; built from it unless has_cies */
	struct nhrp_cie cies[NHRP_MAX_EXT_CIES];
};

struct nhrp_msg {
	/* Fixed Part (RFC 2332 5.1) */
	uint16_t afn;		/* enum nhrp_afn */
	uint16_t pro_type;	/* enum nhrp_proto */
	uint8_t pro_snap[5];
	uint8_t hopcnt;
	uint16_t pktsz;		/* parse only: the builder computes it */
	uint16_t chksum;	/* parse only: as received */
	uint16_t extoff;	/* parse only: the builder computes it */
	uint8_t version;	/* NHRP_VERSION */
	uint8_t type;		/* enum nhrp_type */
	uint8_t src_nbma_tl_type;	/* type bits of ar$shtl */
	uint8_t src_nbma_sub_tl_type;	/* type bits of ar$sstl */
	bool cksum_ok;		/* parse: checksum verified */

	/* Mandatory Part (RFC 2332 5.2) */
	uint16_t flags;		/* enum nhrp_*_flag; Error Indication: unused */
	union {
		uint32_t reqid;		/* types 1-6 */
		struct {
			uint16_t code;	/* enum nhrp_error_code */
			uint16_t offset;
		} error;		/* type 7 (5.2.7) */
		struct {
			uint16_t code;	/* enum nhrp_traffic_code */
			uint16_t unused;
		} traffic;		/* type 8 (Cisco) */
	};
	struct nhrp_addr src_nbma;	/* len <= 63 */
	struct nhrp_addr src_nbma_sub;	/* len <= 63 */
	struct nhrp_addr src_proto;
	struct nhrp_addr dst_proto;
	uint8_t ncies;
	struct nhrp_cie cies[NHRP_MAX_CIES];	/* types 1-6 */
	struct nhrp_view payload;	/* 7: packet in error; 8: data packet */

	/* Extensions Part (RFC 2332 5.3) */
	bool ext_part;		/* ar$extoff != 0 */
	uint8_t nexts;
	struct nhrp_ext exts[NHRP_MAX_EXTS];	/* wire order, End excluded */
	bool ext_end;		/* the list is closed by End */
	uint16_t ext_end_type;	/* End's type word, 0x8000 as sent */
	struct nhrp_view ext_trailer;	/* after End up to pktsz: ignored */
};

/* Why a packet was rejected. */
enum nhrp_perr {
	NHRP_PERR_OK = 0,
	NHRP_PERR_SHORT,	/* fewer octets than the fixed header */
	NHRP_PERR_PKTSZ,	/* ar$pktsz < 20 or beyond the buffer */
	NHRP_PERR_CKSUM,	/* bad checksum (RFC 2332 5.1) */
	NHRP_PERR_VERSION,	/* ar$op.version != 1 */
	NHRP_PERR_TYPE,		/* ar$op.type not 1-8 */
	NHRP_PERR_EXTOFF,	/* ar$extoff inside the mandatory header or past pktsz */
	NHRP_PERR_MAND,		/* mandatory header or addresses past the Mandatory Part */
	NHRP_PERR_CIE,		/* a CIE past the Mandatory Part */
	NHRP_PERR_CIE_COUNT,	/* more CIEs than NHRP_MAX_CIES / NHRP_MAX_EXT_CIES */
	NHRP_PERR_EXT,		/* extension header or value past the packet */
	NHRP_PERR_EXT_COUNT,	/* more than NHRP_MAX_EXTS extensions */
	NHRP_PERR_EXT_CIE,	/* malformed CIE list in extension 3, 4, 5 or 9 */
	NHRP_PERR_EXT_END,	/* End extension with a value */
	NHRP_PERR_MAX
};

struct nhrp_parse_err {
	enum nhrp_perr reason;
	uint16_t offset;	/* octet offset from the fixed header (ar$erroff) */
	uint16_t ei_code;	/* Error Indication code to answer with; 0 = drop silently */
};

/* nhrp_parse_ex() flags */
#define NHRP_PARSE_IGNORE_CKSUM 0x1	/* parse anyway; see m->cksum_ok */

/*
 * Validate and interpret pkt[0..len): the NHRP packet without link/GRE
 * encapsulation.  Octets after ar$pktsz are ignored (Ethernet padding).
 * Returns 0, or -EBADMSG with *err filled (err may be NULL); *m is then
 * incomplete.  Unknown extensions are kept raw: whether a compulsory one
 * asks for Error Indication "Unrecognized Extension" is the caller's call.
 */
int nhrp_parse(const uint8_t *pkt, size_t len, struct nhrp_msg *m,
	       struct nhrp_parse_err *err) __attribute__((warn_unused_result));
int nhrp_parse_ex(const uint8_t *pkt, size_t len, unsigned int flags,
		  struct nhrp_msg *m, struct nhrp_parse_err *err)
	__attribute__((warn_unused_result));

/*
 * Encode m into out[0..cap); computes ar$pktsz, ar$extoff and ar$chksum.
 * Returns the packet length, -ENOSPC if cap is too small, -EMSGSIZE above
 * 65535 octets, -EINVAL for an inconsistent message.  out must not overlap
 * the views in m.
 */
int nhrp_build(const struct nhrp_msg *m, uint8_t *out, size_t cap)
	__attribute__((warn_unused_result));

/*
 * A fresh message: version 1, hop count NHRP_HOPCNT_DEFAULT, afn and
 * pro.type from the address lengths (4: IPv4, 16: IPv6), no CIE, no
 * extension.  Any address may be NULL (length 0).
 */
void nhrp_msg_init(struct nhrp_msg *m, enum nhrp_type type,
		   const struct nhrp_addr *src_nbma, const struct nhrp_addr *src_proto,
		   const struct nhrp_addr *dst_proto);
/*
 * RFC 2332 5.2.7: an Error Indication about pkt (the packet in error, as much
 * of it as the caller wants to return); src = the station that saw the
 * error, dst = the sender of the offending packet.  No extensions.
 */
void nhrp_msg_init_error(struct nhrp_msg *m, enum nhrp_error_code code, uint16_t offset,
			 const struct nhrp_addr *src_nbma, const struct nhrp_addr *src_proto,
			 const struct nhrp_addr *dst_proto, const uint8_t *pkt, uint16_t len);
/* Cisco Traffic Indication (code redirect) quoting the data packet. */
void nhrp_msg_init_traffic(struct nhrp_msg *m, const struct nhrp_addr *src_nbma,
			   const struct nhrp_addr *src_proto, const struct nhrp_addr *dst_proto,
			   const uint8_t *data, uint16_t len);

/* Append a CIE (copied) to the Mandatory Part; 0 or -ENOSPC. */
int nhrp_msg_add_cie(struct nhrp_msg *m, const struct nhrp_cie *c);
/*
 * Append an empty extension (a CIE list for 3, 4, 5, 9); End follows the
 * list when built.  NULL if the list is full or m is an Error Indication
 * (RFC 2332 5.2.7: "no extensions may be added").
 */
struct nhrp_ext *nhrp_msg_add_ext(struct nhrp_msg *m, uint16_t type, bool compulsory);
/* Same, with a raw value (authentication, vendor-private, unknown). */
struct nhrp_ext *nhrp_msg_add_ext_raw(struct nhrp_msg *m, uint16_t type, bool compulsory,
				      const void *val, uint16_t len);
/* Append a CIE (copied) to a CIE-list extension; 0 or -ENOSPC. */
int nhrp_ext_add_cie(struct nhrp_ext *e, const struct nhrp_cie *c);
/* First extension of that type, or NULL. */
struct nhrp_ext *nhrp_msg_find_ext(struct nhrp_msg *m, uint16_t type);
const struct nhrp_ext *nhrp_msg_find_ext_const(const struct nhrp_msg *m, uint16_t type);

/* RFC 2332 5.1 checksum over len octets, network order (store as is). */
uint16_t nhrp_checksum(const uint8_t *pkt, size_t len);

/*
 * Cisco cleartext authentication (wire-formats.md 3.1).  encode writes
 * 00000001 + password into out and returns the value length (5-12), or
 * -EINVAL for an empty password or one over 8 octets.  The caller wipes out
 * (explicit_bzero) when done.
 */
int nhrp_cisco_auth_encode(uint8_t out[NHRP_CISCO_AUTH_MAX], const void *pw, size_t len);
/* The password inside a type-1 value; -EINVAL if the value is not one. */
int nhrp_cisco_auth_password(const struct nhrp_ext *e, struct nhrp_view *pw);
/* true if e is a cleartext value with exactly this password (constant time). */
bool nhrp_cisco_auth_match(const struct nhrp_ext *e, const void *pw, size_t len);

const char *nhrp_type_name(unsigned int type);
const char *nhrp_ext_name(unsigned int type);
const char *nhrp_error_name(unsigned int code);
const char *nhrp_cie_code_name(unsigned int code);
const char *nhrp_perr_name(enum nhrp_perr reason);
/* Error Indication code suggested for a parse failure, 0 = drop silently. */
uint16_t nhrp_perr_ei_code(enum nhrp_perr reason);

/* One line per field, for debug logs (like tcpdump -v). */
void nhrp_dump(const struct nhrp_msg *m, struct strbuf *sb);

#endif
