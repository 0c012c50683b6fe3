/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Desired routes (overlay and underlay tables) and their sync.
 *
 * Each prefix has one candidate next hop per source; the best source
 * present wins (IOS administrative distance order):
 *
 *   LOCAL      our addresses (/32, "receive")
 *   CONNECTED  interface and tunnel subnets
 *   NHRP       routes the NHRP module adds (shortcut prefixes): they
 *              override the routed next hop of the same prefix while their
 *              adjacency is usable (Cisco Phase 3 "next-hop override", the
 *              % / H routes), and fall back to it when it is not
 *   STATIC     config routes and interface gateways
 *   ADJ        one per adjacency: overlay/prefix_len -> that adjacency
 *
 * A candidate may name an overlay next hop on a tunnel (RT_NH_VIA) instead
 * of a data plane next hop: it resolves to NH_ADJ(slot) while an adjacency
 * for that address is usable, else to NH_GLEAN(tunnel, via) — or to no
 * route at all with RT_NH_VIA_ONLY (the adjacency /32s).  Such candidates
 * are indexed by (tunnel, via), so an adjacency change re-resolves exactly
 * the routes through it.
 *
 * Changes mark entries dirty; rt_flush() sends ROUTE_ADD / ROUTE_DEL for
 * the entries whose resolved next hop differs from what was installed
 * (or was installed by an older replay generation).
 */
#ifndef DMVPN_CP_ROUTES_H
#define DMVPN_CP_ROUTES_H

#include <stdbool.h>
#include <stdint.h>

#include "hmap.h"
#include "msg.h"

struct ctl;

enum rt_src {
	RT_SRC_LOCAL = 0,
	RT_SRC_CONNECTED,
	RT_SRC_NHRP,		/* before STATIC: next-hop override (above) */
	RT_SRC_STATIC,
	RT_SRC_ADJ,
	RT_SRC__MAX
};

/* Pseudo next-hop types (beyond enum route_nh_type) for candidates. */
#define RT_NH_VIA 0x80		/* port = tunnel, value = overlay next hop; glean if unresolved */
#define RT_NH_VIA_ONLY 0x81	/* the same, but no route while unresolved */

struct rt_nh {
	uint8_t type;		/* enum route_nh_type or RT_NH_VIA* */
	uint8_t port;
	uint32_t value;
};

struct rt_entry;

struct rt_cand {
	struct hnode via_node;	/* in rt_table.via while type is RT_NH_VIA* */
	struct rt_entry *entry;
	struct rt_nh nh;
	bool present;
	bool stale;		/* reload: not seen in the new config yet */
};

struct rt_entry {
	struct hnode node;
	uint8_t table;		/* enum route_table */
	uint8_t plen;
	uint32_t prefix;	/* network order, host bits zero */
	struct rt_cand cand[RT_SRC__MAX];
	struct rt_nh inst;	/* as installed (sent and not refused) */
	bool inst_valid;
	bool dirty;
	bool dp_stale;		/* an ADD was refused: the data plane may still hold
				 * an older route for the prefix (DEL it if unwanted) */
	uint8_t inst_src;	/* source of the installed candidate */
	uint32_t inst_gen;
	uint32_t version;	/* FIB version of the last change (show ip cef) */
	struct rt_entry *dirty_next;
};

struct rt_stats {
	uint64_t adds, dels, refused;
};

struct rt_table {
	struct hmap map;
	struct hmap via;		/* rt_cand by (tunnel, via) */
	struct rt_entry *dirty;
	uint32_t version;
	uint32_t n_inst[2];		/* installed per table */
	struct rt_stats st;
};

void rt_table_init(struct ctl *c);
void rt_table_fini(struct ctl *c);

/* Set / remove one source's candidate for a prefix (host bits are masked). */
void rt_set(struct ctl *c, enum rt_src src, uint8_t table, uint32_t prefix, uint8_t plen,
	    const struct rt_nh *nh);
void rt_unset(struct ctl *c, enum rt_src src, uint8_t table, uint32_t prefix, uint8_t plen);
/* An adjacency (tunnel, overlay) became usable or stopped being usable. */
void rt_via_changed(struct ctl *c, uint8_t tunnel, uint32_t via);

/* Reload: mark every candidate of src stale; rt_set clears the mark;
 * rt_src_sweep removes what is still stale. */
void rt_src_mark(struct ctl *c, enum rt_src src);
void rt_src_sweep(struct ctl *c, enum rt_src src);

/* Send what changed (only while the data plane is replaying or in sync). */
void rt_flush(struct ctl *c);
/* New data plane (or controller restart): nothing is known to be installed. */
void rt_forget_installed(struct ctl *c);

/* Installed view for show commands. */
struct rt_entry *rt_find(const struct ctl *c, uint8_t table, uint32_t prefix, uint8_t plen);
struct rt_entry *rt_lpm(const struct ctl *c, uint8_t table, uint32_t addr);
struct rt_entry *rt_walk(const struct ctl *c, uint32_t *cursor, struct hnode **next);
/* The best candidate resolved to a data plane next hop; false = no route. */
bool rt_resolve(const struct ctl *c, const struct rt_entry *e, struct rt_nh *out, int *src);
const char *rt_src_name(enum rt_src s);

#endif
