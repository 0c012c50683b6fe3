/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NHRP engine (RFC 2332 + Cisco DMVPN): next hop client (NHC) and
 * server (NHS), resolution, purge, error and traffic indications, shortcut
 * expiry.  It knows nothing of the controller: packets come in through
 * nhrp_recv() and data plane events through nhrp_miss() / nhrp_hairpin();
 * everything it does goes out through struct nhrp_io (packets to send,
 * peer bindings and shortcut routes to install, a route lookup, a use
 * stamp per binding).  Timers are loop.h timers on the loop it is given.
 * The controller glue is nhrp_module.c; unit tests drive the engine with
 * captured Cisco packets and a fake nhrp_io.
 *
 *   struct nhrp *n = nhrp_new(loop, &io);
 *   nhrp_if_set(n, 0, &ifconf);          (per tunnel; again on reload)
 *   nhrp_static_set(n, 0, maps, n_maps); (ip nhrp map)
 *   nhrp_recv(n, 0, outer_src, 0, pkt, len);
 *   ...
 *   nhrp_free(n);
 *
 * Addresses are IPv4, network order (as in struct in_addr).
 */
#ifndef DMVPN_CP_NHRP_H
#define DMVPN_CP_NHRP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "loop.h"
#include "strbuf.h"
#include "wire/nhrp.h"

#define NHRP_MAX_IFS 4		/* SHM_MAX_TUNNELS */
#define NHRP_MAX_NHS 8		/* CONF_MAX_NHS */

struct nhrp;
struct nhrp_cache;

/* One NHRP interface (tunnel): `ip nhrp ...` of its IOS configuration. */
struct nhrp_if_conf {
	uint8_t tunnel;			/* data plane tunnel index (for nhrp_io) */
	uint32_t network_id;		/* ip nhrp network-id; 0 = NHRP off */
	uint32_t nbma;			/* our NBMA address (tunnel source); 0 = none yet */
	uint32_t proto;			/* our tunnel (protocol) address */
	uint8_t plen;			/* tunnel subnet length */
	uint16_t mtu;			/* CIE MTU we announce (ip mtu) */
	uint16_t holdtime;		/* ip nhrp holdtime, seconds */
	uint16_t reg_interval;		/* seconds; 0 = holdtime / 3 (RFC 2332 5.2.3) */
	char auth[NHRP_CISCO_PASS_MAX];	/* ip nhrp authentication (cleartext) */
	uint8_t auth_len;		/* 0 = none */
	bool no_unique;			/* ip nhrp registration no-unique */
	bool redirect;			/* ip nhrp redirect: send Traffic Indications */
	bool shortcut;			/* ip nhrp shortcut: act on Traffic Indications */
	bool multicast_dynamic;		/* ip nhrp map multicast dynamic */
	uint8_t n_nhs;
	struct {
		uint32_t proto;		/* ip nhrp nhs <proto> */
		uint32_t nbma;		/* from ip nhrp map <proto> <nbma> */
	} nhs[NHRP_MAX_NHS];
};

struct nhrp_map {
	uint32_t proto;
	uint32_t nbma;
	bool multicast;			/* ip nhrp map multicast <nbma> */
};

/* A binding the data plane should have: overlay /32 (or a registered
 * prefix) -> NBMA (an adjacency). */
#define NHRP_PEER_DYNAMIC	0x01	/* registered with us (ADJ_F_DYNAMIC) */
#define NHRP_PEER_SHORTCUT	0x02	/* learned from a resolution reply */
#define NHRP_PEER_NAT		0x04	/* NBMA is the post-NAT address */
#define NHRP_PEER_UNIQUE	0x08
#define NHRP_PEER_MULTICAST	0x10	/* member of `map multicast dynamic` */

struct nhrp_peer {
	uint8_t tunnel;
	uint8_t plen;			/* 32, or a prefix registration's length */
	uint32_t proto;
	uint32_t nbma;
	uint16_t port;			/* UDP port behind NAT-T, 0 = none */
	uint16_t holdtime;		/* seconds, for display (expiry is ours) */
	uint32_t flags;			/* NHRP_PEER_* */
	uint32_t cache_flags;		/* nhrp_flags bookkeeping (restart adoption) */
};

/* What the routing table says about a destination (nhrp_io.route_lookup). */
enum nhrp_route_kind {
	NHRP_ROUTE_NONE = 0,		/* no route (or a null route) */
	NHRP_ROUTE_LOCAL,		/* ours or behind us: we are the egress */
	NHRP_ROUTE_TUNNEL,		/* via an overlay next hop on the tunnel */
};

struct nhrp_route {
	uint8_t kind;			/* enum nhrp_route_kind */
	uint8_t plen;			/* the matching prefix (covering prefix) */
	uint32_t prefix;
	uint32_t via;			/* TUNNEL: overlay next hop */
};

/* The engine's world.  Every callback gets arg.  Any may be NULL. */
struct nhrp_io {
	void *arg;
	/* NHRP packet to nbma (UDP port behind NAT-T, 0 = none) on a tunnel:
	 * GRE with the tunnel key, outer TTL 255, TOS 0xc0.  0 or -errno. */
	int (*send)(void *arg, uint8_t tunnel, uint32_t nbma, uint16_t port,
		    const uint8_t *pkt, size_t len);
	/* Install or update a binding (adjacency), remove it. */
	void (*peer_set)(void *arg, const struct nhrp_peer *p);
	void (*peer_del)(void *arg, uint8_t tunnel, uint32_t proto);
	/* Shortcut route prefix/plen via an overlay next hop (overrides the
	 * routed next hop while the binding exists), remove it. */
	void (*route_set)(void *arg, uint8_t tunnel, uint32_t prefix, uint8_t plen, uint32_t via);
	void (*route_del)(void *arg, uint8_t tunnel, uint32_t prefix, uint8_t plen);
	/* Longest match for dst in the routing table; false = no route. */
	bool (*route_lookup)(void *arg, uint8_t tunnel, uint32_t dst, struct nhrp_route *out);
	/* Changes whenever traffic used the binding (data plane last-used). */
	uint64_t (*use_stamp)(void *arg, uint8_t tunnel, uint32_t proto);
	/* An NHS of this tunnel went up or down. */
	void (*nhs_changed)(void *arg, uint8_t tunnel, uint32_t nhs_proto, bool up);
};

/* ---- lifetime and configuration ---- */

struct nhrp *nhrp_new(struct loop *l, const struct nhrp_io *io);
/* Frees everything without a packet (controller exit: the hub keeps our
 * registration until its holdtime, the data plane keeps forwarding). */
void nhrp_free(struct nhrp *n);
/*
 * Configure interface ifi (0 .. NHRP_MAX_IFS-1).  First call starts it:
 * the NHC registers to every NHS at once.  Later calls apply a reload:
 * NHSs removed are purged, new ones registered; a new NBMA address purges
 * our registrations and registers again; network_id 0 purges and stops.
 */
int nhrp_if_set(struct nhrp *n, unsigned int ifi, const struct nhrp_if_conf *ic);
/* Replace the static entries (ip nhrp map) of ifi. */
int nhrp_static_set(struct nhrp *n, unsigned int ifi, const struct nhrp_map *maps,
		    unsigned int n_maps);
/* NHRP shutdown on ifi: purge our registrations, drop learned entries. */
void nhrp_if_shutdown(struct nhrp *n, unsigned int ifi);
/* The data plane (re)connected: registrations not up are sent now. */
void nhrp_kick(struct nhrp *n);

/* ---- input ---- */

/* An NHRP packet from the tunnel: outer source (the peer's NBMA as seen)
 * and its UDP source port behind NAT-T (0 = none). */
void nhrp_recv(struct nhrp *n, unsigned int ifi, uint32_t src_nbma, uint16_t sport,
	       const uint8_t *pkt, size_t len);
/* Data plane glean miss: a packet to dst needed the unresolved next hop
 * nexthop (Phase 2: resolve it; meanwhile traffic goes via the NHS). */
void nhrp_miss(struct nhrp *n, unsigned int ifi, uint32_t dst, uint32_t src, uint32_t nexthop);
/* Data plane hairpin: a packet src -> dst from NBMA in_nbma left on the
 * tunnel it came from (Phase 3: Traffic Indication to its sender).
 * sample = the data packet from its IPv4 header on. */
void nhrp_hairpin(struct nhrp *n, unsigned int ifi, uint32_t src, uint32_t dst,
		  uint32_t in_nbma, const uint8_t *sample, size_t len);
/* A binding found in the data plane after a controller restart. */
void nhrp_adopt(struct nhrp *n, unsigned int ifi, const struct nhrp_peer *p,
		uint32_t remaining_s);

/* ---- operations (CLI) ---- */

/* clear ip nhrp [prefix]: learned entries (not static, not our NHS
 * registrations); plen 0 with proto 0 = all.  Returns entries removed. */
unsigned int nhrp_clear(struct nhrp *n, uint32_t proto, uint8_t plen);
void nhrp_counters_clear(struct nhrp *n);

/* ---- show (nhrp_show.c): text into sb, or JSON into j when j != NULL ---- */

enum nhrp_show_fmt {
	NHRP_SHOW_NORMAL,
	NHRP_SHOW_BRIEF,
	NHRP_SHOW_DETAIL,
};

struct nhrp_show_names {
	const char *tunnel;		/* "Tunnel0" */
	const char *tunnel_short;	/* "Tu0" */
};

void nhrp_show_cache(struct nhrp *n, enum nhrp_show_fmt fmt, uint32_t proto, uint8_t plen,
		     const struct nhrp_show_names *nm, struct strbuf *sb, struct json *j);
void nhrp_show_nhs(struct nhrp *n, bool detail, const struct nhrp_show_names *nm,
		   struct strbuf *sb, struct json *j);
void nhrp_show_traffic(struct nhrp *n, const struct nhrp_show_names *nm, struct strbuf *sb,
		       struct json *j);
void nhrp_show_summary(struct nhrp *n, struct strbuf *sb, struct json *j);
void nhrp_show_dmvpn(struct nhrp *n, bool detail, const struct nhrp_show_names *nm,
		     struct strbuf *sb, struct json *j);

/* ---- counters (tests, show) ---- */

enum nhrp_stat {
#define NHRP_STAT(name, text) NHRP_ST_##name,
#include "nhrp_stats.def"
#undef NHRP_STAT
	NHRP_ST__MAX
};

uint64_t nhrp_stat_get(const struct nhrp *n, unsigned int ifi, enum nhrp_stat s);
/* Packets of a type (1..8) sent / received on ifi. */
uint64_t nhrp_sent(const struct nhrp *n, unsigned int ifi, unsigned int type);
uint64_t nhrp_rcvd(const struct nhrp *n, unsigned int ifi, unsigned int type);
/* Entries in the cache (all interfaces), and the bytes they take. */
uint32_t nhrp_cache_count(const struct nhrp *n);

/* NHS state of our i-th NHS on ifi, for tests: true when registered. */
bool nhrp_nhs_is_up(const struct nhrp *n, unsigned int ifi, unsigned int i);

/* Lookup for tests and the glue: the entry for proto/plen (exact). */
const struct nhrp_cache *nhrp_cache_find_const(const struct nhrp *n, unsigned int ifi,
					       uint32_t proto, uint8_t plen);
/* enum nhrp_cache_type of an entry and its NBMA (tests). */
int nhrp_cache_entry_type(const struct nhrp_cache *c);
uint32_t nhrp_cache_entry_nbma(const struct nhrp_cache *c);
uint16_t nhrp_cache_entry_flags(const struct nhrp_cache *c);

#endif
