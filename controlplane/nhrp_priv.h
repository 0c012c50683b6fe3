/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP engine internals shared by controlplane/nhrp*.c (the API is nhrp.h).
 *
 * One engine, up to NHRP_MAX_IFS interfaces (tunnels), one cache for all of
 * them: a hash of struct nhrp_cache keyed by (interface, protocol address,
 * prefix length).  An entry is the only per-peer allocation; its one timer
 * (loop.h heap, O(log n)) means, by type:
 *
 *   STATIC      none (ip nhrp map)
 *   DYNAMIC     registration expiry at holdtime (NHS)
 *   SHORTCUT    use check before expiry (refresh if used), then expiry
 *   ROUTE       same, for a subnet shortcut via a SHORTCUT peer
 *   IMPLICIT    expiry (learned from the source of a request we answered)
 *   INCOMPLETE  resolution retransmission (1, 2, 4 s), then NEGATIVE
 *   NEGATIVE    end of the negative-cache hold
 *   LOCAL       expiry of the last requester we answered for this prefix
 *
 * NHC state (per configured NHS) lives in struct nhrp_if, not the cache.
 */
#ifndef DMVPN_CP_NHRP_PRIV_H
#define DMVPN_CP_NHRP_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include "hmap.h"
#include "loop.h"
#include "nhrp.h"
#include "nhrp_packet.h"

#define NHRP_HOST_PLEN 32
#define NHRP_PKT_MAX 2048		/* what we build; inject entries are 4 KiB */
#define NHRP_EI_QUOTE_MAX 1024		/* octets of an offending packet we return */

/* RFC 2332 5.2.3 leaves the retry schedule open; Cisco (nhrp.pcapng) and FRR
 * double from 1-2 s to about a minute. */
#define NHRP_REG_RETRY_MIN_MS 1000
#define NHRP_REG_RETRY_MAX_MS 64000
#define NHRP_NHS_DOWN_TRIES 3		/* unanswered sends before an NHS is down */
#define NHRP_RES_RETRY_MS 1000
#define NHRP_RES_TRIES 3		/* 1 + 2 + 4 s, then negative */
#define NHRP_NEGATIVE_MS 10000		/* negative-cache hold after a NAK / no answer */
#define NHRP_REDIRECT_HOLD_MS 10000	/* one Traffic Indication per (src, dst) per 10 s */
#define NHRP_REDIRECT_SLOTS 4096	/* rate-limit table (direct mapped) */
#define NHRP_TI_QUOTE_LEN 28		/* Cisco quotes IPv4 header + 8 octets (nhrp-trace) */
#define NHRP_LOCAL_REQ_MAX 8		/* requesters remembered per answered prefix */

enum nhrp_cache_type {
	NHRP_C_STATIC = 0,
	NHRP_C_DYNAMIC,
	NHRP_C_SHORTCUT,
	NHRP_C_ROUTE,
	NHRP_C_IMPLICIT,
	NHRP_C_INCOMPLETE,
	NHRP_C_NEGATIVE,
	NHRP_C_LOCAL,
	NHRP_C__MAX
};

/* Flags as IOS prints them (show ip nhrp "Flags:"), plus bookkeeping. */
enum nhrp_cache_flag {
	NHRP_CF_AUTHORITATIVE = 0x0001,
	NHRP_CF_UNIQUE = 0x0002,
	NHRP_CF_REGISTERED = 0x0004,
	NHRP_CF_USED = 0x0008,
	NHRP_CF_ROUTER = 0x0010,
	NHRP_CF_IMPLICIT = 0x0020,
	NHRP_CF_NAT = 0x0040,
	NHRP_CF_LOCAL = 0x0080,
	NHRP_CF_NEGATIVE = 0x0100,
	NHRP_CF_RIB = 0x0200,		/* a shortcut route is installed */
	NHRP_CF_NHO = 0x0400,		/* ... overriding a routed next hop */
	NHRP_CF_MULTICAST = 0x0800,
	NHRP_CF__PRINTED = 0x0fff,
	NHRP_CF_PENDING = 0x1000,	/* a resolution for it is in flight */
	NHRP_CF_INSTALLED = 0x2000,	/* peer_set / route_set done */
	NHRP_CF_REFRESH = 0x4000,	/* INCOMPLETE: refreshes a ROUTE, keep it on failure */
};

struct nhrp_cache {
	struct hnode node;		/* n->cache */
	struct loop_timer timer;	/* meaning by type (file comment) */
	uint64_t created_ms;		/* loop clock */
	uint64_t expires_ms;		/* loop clock; 0 = never */
	uint64_t use_stamp;		/* nhrp_io.use_stamp at the last check */
	uint32_t proto;			/* host bits zero */
	uint32_t nbma;			/* effective (post-NAT) NBMA; 0 = none */
	uint32_t claimed;		/* NBMA the peer claimed; ROUTE: resolved address */
	uint32_t via;			/* ROUTE: overlay next hop */
	uint32_t reqid;			/* registration / pending resolution */
	uint16_t port;			/* UDP port behind NAT-T */
	uint16_t mtu;
	uint16_t holdtime;		/* seconds, as granted */
	uint16_t flags;			/* enum nhrp_cache_flag */
	uint8_t type;			/* enum nhrp_cache_type */
	uint8_t plen;
	uint8_t ifi;
	uint8_t tries;			/* INCOMPLETE: resolution requests sent */
};	/* LOCAL entries: struct nhrp_local follows */
_Static_assert(sizeof(struct nhrp_cache) <= 112, "nhrp_cache: one 128-byte malloc chunk");

/* Requesters we answered for one of our prefixes (LOCAL entries): we purge
 * them when our binding changes (RFC 2332 5.2.5). */
struct nhrp_local_req {
	uint32_t proto;
	uint32_t nbma;
	uint16_t port;
};

struct nhrp_local {
	uint8_t n;
	struct nhrp_local_req req[NHRP_LOCAL_REQ_MAX];
};

/* NHC per configured NHS: one transition function (nhrp_nhc.c). */
enum nhrp_nhs_state {
	NHRP_NHS_IDLE = 0,		/* not started (no NBMA address yet / off) */
	NHRP_NHS_DOWN,			/* request out, not registered (yet / any more) */
	NHRP_NHS_UP,			/* registered, refresh timer armed */
	NHRP_NHS_RENEWING,		/* refresh out, still up */
	NHRP_NHS__MAX
};

struct nhrp_nhs {
	struct nhrp *n;
	uint8_t ifi;
	uint8_t idx;
	uint8_t state;			/* enum nhrp_nhs_state */
	uint8_t tries;			/* sends of the current request id */
	uint32_t proto, nbma;
	uint32_t reqid;			/* current request (same id on resend) */
	uint32_t retry_ms;		/* backoff, doubled at each resend */
	uint64_t up_since_ms, last_reply_ms;
	uint64_t sent, replies, refused;
	uint8_t last_code;		/* CIE code of the last reply */
	struct loop_timer timer;
};

struct nhrp_if {
	bool on;			/* configured and network_id != 0 */
	struct nhrp_if_conf c;
	uint8_t auth_val[NHRP_CISCO_AUTH_MAX];	/* 00000001 + password (wire value) */
	uint8_t auth_val_len;		/* 0 = no authentication */
	uint32_t nat_nbma;		/* our post-NAT NBMA (registration reply NAT ext) */
	struct nhrp_nhs nhs[NHRP_MAX_NHS];
	uint64_t sent[NHRP_TYPE_MAX + 1], rcvd[NHRP_TYPE_MAX + 1];
	uint64_t st[NHRP_ST__MAX];
};

struct nhrp_redirect_slot {
	uint32_t src, dst;
	uint64_t when_ms;
};

struct nhrp {
	struct loop *loop;
	struct nhrp_io io;
	struct nhrp_if ifs[NHRP_MAX_IFS];
	struct hmap cache;
	uint32_t n_type[NHRP_C__MAX];
	uint32_t n_plen[NHRP_HOST_PLEN + 1];	/* entries per prefix length: LPM skips absent ones */
	uint32_t reqid;			/* last request id used */
	struct nhrp_redirect_slot *redirect;	/* NHRP_REDIRECT_SLOTS, lazily */
	/* scratch: one received and one built message (9.7 KiB each) */
	struct nhrp_msg rx, tx;
	uint8_t txbuf[NHRP_PKT_MAX];
};

/* The context of one received packet. */
struct nhrp_pkt {
	struct nhrp *n;
	unsigned int ifi;
	struct nhrp_if *nif;
	uint32_t src_nbma;		/* outer source as seen */
	uint16_t sport;
	const uint8_t *raw;
	size_t len;
	struct nhrp_msg *m;		/* n->rx */
	uint32_t src_proto, dst_proto;	/* from the header */
	uint32_t claimed_nbma;		/* header source NBMA */
};

/* ---- nhrp.c ---- */
uint32_t nhrp_reqid_next(struct nhrp *n);
uint64_t nhrp_now_ms(const struct nhrp *n);
/* Build n->tx and send it; counts per type; asserts hop count != 0. */
int nhrp_send_msg(struct nhrp *n, unsigned int ifi, uint32_t nbma, uint16_t port);
void nhrp_stat(struct nhrp *n, unsigned int ifi, enum nhrp_stat s);
uint32_t nhrp_addr4(const struct nhrp_addr *a);
struct nhrp_addr nhrp_addr_of(const uint32_t *a);
/* n->tx = a fresh message of type from us (src NBMA/proto ours) to dst. */
void nhrp_tx_init(struct nhrp *n, unsigned int ifi, enum nhrp_type type, const uint32_t *dst);
/* true when proto is one of our protocol addresses on ifi. */
bool nhrp_is_ours(const struct nhrp *n, unsigned int ifi, uint32_t proto);

/* ---- nhrp_cache.c ---- */
void nhrp_cache_init(struct nhrp *n);
void nhrp_cache_fini(struct nhrp *n);
struct nhrp_cache *nhrp_cache_find(const struct nhrp *n, unsigned int ifi, uint32_t proto,
				   uint8_t plen);
/* Longest entry of a usable type covering addr (33 probes at most). */
struct nhrp_cache *nhrp_cache_lpm(const struct nhrp *n, unsigned int ifi, uint32_t addr,
				  unsigned int type_mask);
/* Entry for the key, created (type INCOMPLETE, nothing installed) if absent. */
struct nhrp_cache *nhrp_cache_get(struct nhrp *n, unsigned int ifi, uint32_t proto,
				  uint8_t plen, bool *created);
/* A LOCAL entry (with its requester list), NULL if the key holds another type. */
struct nhrp_cache *nhrp_cache_get_local(struct nhrp *n, unsigned int ifi, uint32_t proto,
					uint8_t plen);
void nhrp_cache_set_type(struct nhrp *n, struct nhrp_cache *c, enum nhrp_cache_type t);
/* Uninstall (peer_del / route_del) and free. */
void nhrp_cache_del(struct nhrp *n, struct nhrp_cache *c);
/* Install or update the binding of a DYNAMIC / SHORTCUT entry. */
void nhrp_cache_install(struct nhrp *n, struct nhrp_cache *c);
void nhrp_cache_arm(struct nhrp *n, struct nhrp_cache *c, uint64_t when_ms);
/* Expiry at now + holdtime seconds (and the timer, unless later re-armed). */
void nhrp_cache_hold(struct nhrp *n, struct nhrp_cache *c, uint16_t holdtime);
const char *nhrp_cache_type_name(enum nhrp_cache_type t);
void nhrp_cache_flags_fmt(uint16_t flags, char *buf, size_t len);
struct nhrp_cache *nhrp_cache_walk(const struct nhrp *n, uint32_t *cursor, struct hnode **next);
#define NHRP_TYPE_BIT(t) (1u << (t))
#define NHRP_BINDING_TYPES (NHRP_TYPE_BIT(NHRP_C_STATIC) | NHRP_TYPE_BIT(NHRP_C_DYNAMIC) | \
			    NHRP_TYPE_BIT(NHRP_C_SHORTCUT))

/* ---- nhrp_ext.c ---- */
/* Cisco's request set 3, 4, 5, 7, 9, End on n->tx; returns the NAT
 * extension (empty) for the caller's CIEs. */
struct nhrp_ext *nhrp_ext_request_set(struct nhrp *n, unsigned int ifi);
/* Copy the request's extensions into n->tx in order, regenerating
 * authentication and filling Responder Address (RFC 2332 5.3). */
void nhrp_ext_reply_copy(struct nhrp *n, unsigned int ifi, const struct nhrp_msg *req,
			 uint8_t responder_plen);
/* Copy the extensions of a packet being forwarded, regenerate auth,
 * append our CIE to transit record `transit` (4 or 5; 0 = none). */
int nhrp_ext_forward_copy(struct nhrp *n, unsigned int ifi, const struct nhrp_msg *in,
			  uint16_t transit);
void nhrp_ext_add_auth(struct nhrp *n, unsigned int ifi, struct nhrp_msg *m);
/* The extension type of an unknown compulsory extension, or -1. */
int nhrp_ext_unknown_compulsory(const struct nhrp_msg *m, uint16_t *offset);
/* Authentication as configured on ifi (no auth configured: anything goes). */
bool nhrp_ext_auth_ok(const struct nhrp *n, unsigned int ifi, const struct nhrp_msg *m);
/* Our own CIE (transit records, responder address). */
struct nhrp_cie nhrp_ext_self_cie(struct nhrp *n, unsigned int ifi, uint8_t plen);
/* Transit record ext contains our address (loop, RFC 2332 5.3.2). */
bool nhrp_ext_transit_has(const struct nhrp *n, unsigned int ifi, const struct nhrp_msg *m,
			  uint16_t type);
/* NBMA in the NAT extension for proto, or 0. */
uint32_t nhrp_ext_nat_nbma(const struct nhrp_msg *m, uint32_t proto);

/* ---- message handlers (one file per family) ---- */
void nhrp_nhs_recv_reg_req(struct nhrp_pkt *p);
void nhrp_nhs_expire(struct nhrp *n, struct nhrp_cache *c);
void nhrp_nhc_start(struct nhrp *n, unsigned int ifi);
void nhrp_nhc_stop(struct nhrp *n, unsigned int ifi, bool purge);
void nhrp_nhc_recv_reg_reply(struct nhrp_pkt *p);
/* An Error Indication quoting our registration request reqid. */
void nhrp_nhc_error(struct nhrp *n, unsigned int ifi, uint32_t reqid, uint16_t code);
struct nhrp_nhs *nhrp_nhc_pick(struct nhrp *n, unsigned int ifi);
const char *nhrp_nhs_state_name(enum nhrp_nhs_state s);
void nhrp_res_recv_req(struct nhrp_pkt *p);
void nhrp_res_recv_reply(struct nhrp_pkt *p);
/* Resolve dst (Phase 2 next hop / Phase 3 destination); refresh: keep
 * existing shortcut state on failure.  0, or -errno (nothing sent). */
int nhrp_res_start(struct nhrp *n, unsigned int ifi, uint32_t dst, bool refresh);
void nhrp_res_timer(struct nhrp *n, struct nhrp_cache *c);
/* A SHORTCUT / ROUTE with a refresh in flight: resend or give up; false
 * when none is pending. */
bool nhrp_res_retry_pending(struct nhrp *n, struct nhrp_cache *c);
void nhrp_shortcut_timer(struct nhrp *n, struct nhrp_cache *c);
/* Reply CIE accepted for requested dst: install the binding (+ route). */
void nhrp_shortcut_learn(struct nhrp_pkt *p, const struct nhrp_cie *ce, uint32_t nbma,
			 uint16_t port);
void nhrp_purge_recv_req(struct nhrp_pkt *p);
void nhrp_purge_recv_reply(struct nhrp_pkt *p);
/* Purge Request for our own proto to nbma (reqid: Cisco matches it with
 * the registration's); no_reply sets N. */
void nhrp_purge_send_self(struct nhrp *n, unsigned int ifi, uint32_t nbma, uint32_t dst_proto,
			  uint32_t reqid, bool no_reply);
/* Tell the requesters we answered for a LOCAL entry that it changed. */
void nhrp_purge_local(struct nhrp *n, struct nhrp_cache *c);
/* The requesters of a LOCAL entry (0 for other types). */
unsigned int nhrp_local_requesters(const struct nhrp_cache *c, const struct nhrp_local_req **r);
void nhrp_local_note(struct nhrp *n, unsigned int ifi, uint32_t prefix, uint8_t plen,
		     uint32_t req_proto, uint32_t req_nbma, uint16_t req_port, uint16_t hold);
void nhrp_err_send(struct nhrp_pkt *p, enum nhrp_error_code code, uint16_t offset);
void nhrp_err_recv(struct nhrp_pkt *p);
void nhrp_redirect_recv(struct nhrp_pkt *p);

#endif
