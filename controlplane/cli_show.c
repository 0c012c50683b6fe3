/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in commands: show ip cef, show adjacency, show interfaces, show
 * dataplane [drops], show version, reload, debug level.  Layouts mirror IOS
 * (seed 000, Example 7-17: `show ip cef tunnel 0 detail`, `show adjacency
 * tunnel 0 detail`); JSON field names are in docs/cli.md.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "cli.h"
#include "ctl.h"
#include "log.h"
#include "rewrite.h"
#include "show_seg.h"

#ifndef DMVPN_VERSION
#define DMVPN_VERSION "unknown"
#endif

/* ---- helpers ---- */

static const char *port_name(const struct ctl *c, uint8_t port)
{
	return port < c->conf.n_ifaces ? c->conf.ifaces[port].name : "?";
}

static const char *tunnel_name(const struct ctl *c)
{
	return c->conf.tunnel.name[0] ? c->conf.tunnel.name : "Tunnel0";
}

/* Routes per adjacency slot (IOS "(N)" after the address; dependencies). */
static uint32_t *slot_refs(const struct ctl *c)
{
	uint32_t *refs = calloc(c->adj.n_slots ? c->adj.n_slots : 1, sizeof(*refs));
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct rt_entry *e;

	while (refs && (e = rt_walk(c, &cur, &nx)))
		if (e->inst_valid && e->inst.type == NH_ADJ && e->inst.value < c->adj.n_slots)
			refs[e->inst.value]++;
	return refs;
}

static void adj_counters(const struct ctl *c, uint32_t slot, struct shm_adj_ctr *ctr)
{
	const struct shm_seg *seg = dpconn_seg(&c->dp);

	memset(ctr, 0, sizeof(*ctr));
	if (seg && slot < seg->hdr->adj_slots)
		shm_adj_ctr_sum(seg, slot, ctr);
}

static bool parse_prefix_arg(const char *s, uint32_t *addr, uint8_t *plen, bool *exact)
{
	*exact = strchr(s, '/') != NULL;
	if (*exact)
		return prefix_parse(s, addr, plen, true);
	*plen = 32;
	return addr_parse(s, addr);
}

/* ---- show ip cef ---- */

struct cef_args {
	uint8_t table;
	bool detail;
	bool has_prefix, exact;
	uint32_t addr;
	uint8_t plen;
};

static int cef_args_parse(struct cli_req *req, struct cef_args *a)
{
	memset(a, 0, sizeof(*a));
	for (int i = 0; i < req->argc; i++) {
		if (strcmp(req->argv[i], "detail") == 0)
			a->detail = true;
		else if (strcmp(req->argv[i], "underlay") == 0)
			a->table = RT_UNDERLAY;
		else if (!a->has_prefix && parse_prefix_arg(req->argv[i], &a->addr, &a->plen, &a->exact))
			a->has_prefix = true;
		else
			return cli_req_error(req, "show ip cef: unexpected \"%s\" (usage: show ip cef "
					     "[underlay] [detail] [A.B.C.D[/LEN]])", req->argv[i]);
	}
	if (a->has_prefix)
		a->detail = true;	/* one entry: IOS prints it in detail */
	return 0;
}

static int cef_cmp(const void *x, const void *y)
{
	const struct rt_entry *a = *(const struct rt_entry *const *)x;
	const struct rt_entry *b = *(const struct rt_entry *const *)y;
	uint32_t pa = __builtin_bswap32(a->prefix), pb = __builtin_bswap32(b->prefix);

	if (pa != pb)
		return pa < pb ? -1 : 1;
	return (int)a->plen - (int)b->plen;
}

/* Installed entries of a table, sorted by prefix. */
static struct rt_entry **cef_collect(const struct ctl *c, const struct cef_args *a, size_t *n)
{
	struct rt_entry **v = calloc(hmap_count(&c->rt.map) + 1, sizeof(*v));
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct rt_entry *e;

	*n = 0;
	if (!v)
		return NULL;
	if (a->has_prefix) {
		e = a->exact ? rt_find(c, a->table, a->addr, a->plen) : rt_lpm(c, a->table, a->addr);
		if (e && e->inst_valid)
			v[(*n)++] = e;
		return v;
	}
	while ((e = rt_walk(c, &cur, &nx)))
		if (e->inst_valid && e->table == a->table)
			v[(*n)++] = e;
	qsort(v, *n, sizeof(*v), cef_cmp);
	return v;
}

static const char *nh_type_name(uint8_t t)
{
	switch (t) {
	case NH_DROP: return "drop";
	case NH_ADJ: return "adjacency";
	case NH_GATEWAY: return "gateway";
	case NH_CONNECTED: return "attached";
	case NH_GLEAN: return "glean";
	case NH_LOCAL: return "receive";
	default: return "?";
	}
}

/* Next-hop address and interface of an installed entry ("" when none). */
static void cef_nh(const struct ctl *c, const struct rt_entry *e, char *nh, const char **ifname)
{
	const struct rt_nh *n = &e->inst;

	nh[0] = '\0';
	*ifname = "";
	switch (n->type) {
	case NH_ADJ:
		if (n->value < c->adj.n_slots)
			addr_fmt(c->adj.slots[n->value].overlay, nh);
		*ifname = tunnel_name(c);
		break;
	case NH_GATEWAY:
		addr_fmt(n->value, nh);
		*ifname = port_name(c, n->port);
		break;
	case NH_CONNECTED:
		*ifname = port_name(c, n->port);
		break;
	case NH_GLEAN:
		if (n->value)
			addr_fmt(n->value, nh);
		*ifname = tunnel_name(c);
		break;
	case NH_LOCAL:
		*ifname = e->table == RT_OVERLAY && c->conf.tunnel.present &&
				  e->prefix == c->conf.tunnel.addr ? tunnel_name(c) :
				  port_name(c, n->port);
		break;
	default:
		*ifname = "Null0";
	}
}

static void cef_line(const struct ctl *c, struct strbuf *o, const struct rt_entry *e)
{
	char pfx[PREFIX_STRLEN], nh[ADDR_STRLEN + 8];
	const char *ifn, *col;

	cef_nh(c, e, nh, &ifn);
	switch (e->inst.type) {
	case NH_CONNECTED: col = "attached"; break;
	case NH_LOCAL: col = "receive"; break;
	case NH_DROP: col = "drop"; break;
	case NH_GLEAN:
		if (!e->inst.value) {
			col = "attached";
			break;
		}
		strcat(nh, " (glean)");
		col = nh;
		break;
	default: col = nh;
	}
	sb_printf(o, "%-20s %-22s %s\n", prefix_fmt(e->prefix, e->plen, pfx), col, ifn);
}

static void cef_detail(const struct ctl *c, struct strbuf *o, const struct rt_entry *e,
		       const uint32_t *refs)
{
	char pfx[PREFIX_STRLEN], nh[ADDR_STRLEN];
	const char *ifn;
	struct shm_adj_ctr ctr;
	uint32_t deps = 0;

	cef_nh(c, e, nh, &ifn);
	sb_printf(o, "%s, version %u, epoch %u", prefix_fmt(e->prefix, e->plen, pfx), e->version,
		  e->inst_gen);
	if (e->inst.type == NH_CONNECTED || (e->inst.type == NH_GLEAN && !e->inst.value))
		sb_puts(o, ", attached, connected");
	else if (e->inst.type == NH_ADJ && e->inst_src == RT_SRC_ADJ)
		sb_puts(o, ", connected");
	else if (e->inst.type == NH_LOCAL)
		sb_puts(o, ", receive");
	sb_puts(o, "\n");
	if (e->inst.type == NH_ADJ) {
		adj_counters(c, e->inst.value, &ctr);
		sb_printf(o, "  %" PRIu64 " packets, %" PRIu64 " bytes\n", ctr.pkts, ctr.bytes);
		if (refs && e->inst_src == RT_SRC_ADJ && refs[e->inst.value])
			deps = refs[e->inst.value] - 1;
	}
	switch (e->inst.type) {
	case NH_ADJ:
		sb_printf(o, "  via %s, %s, %u dependencies\n    next hop %s, %s\n    valid adjacency\n",
			  nh, ifn, deps, nh, ifn);
		break;
	case NH_GATEWAY:
		sb_printf(o, "  via %s, %s, 0 dependencies\n    next hop %s, %s\n", nh, ifn, nh, ifn);
		break;
	case NH_CONNECTED:
		sb_printf(o, "  via %s, 0 dependencies\n    attached to %s\n", ifn, ifn);
		break;
	case NH_GLEAN:
		if (e->inst.value)
			sb_printf(o, "  via %s, %s, 0 dependencies\n    next hop %s, %s\n"
				  "    glean adjacency (next hop not resolved)\n", nh, ifn, nh, ifn);
		else
			sb_printf(o, "  via %s, 0 dependencies\n    valid glean adjacency\n", ifn);
		break;
	case NH_LOCAL:
		sb_printf(o, "  receive for %s\n", ifn);
		break;
	default:
		sb_puts(o, "  drop (null route)\n");
	}
}

static void cef_json(const struct ctl *c, struct json *j, const struct rt_entry *e,
		     const uint32_t *refs)
{
	char pfx[PREFIX_STRLEN], nh[ADDR_STRLEN];
	const char *ifn;
	struct shm_adj_ctr ctr;

	cef_nh(c, e, nh, &ifn);
	json_obj_open(j, NULL);
	json_str(j, "prefix", prefix_fmt(e->prefix, e->plen, pfx));
	json_str(j, "type", nh_type_name(e->inst.type));
	if (nh[0])
		json_str(j, "next_hop", nh);
	else
		json_null(j, "next_hop");
	json_str(j, "interface", ifn);
	json_str(j, "source", rt_src_name(e->inst_src));
	json_u64(j, "version", e->version);
	json_u64(j, "epoch", e->inst_gen);
	if (e->inst.type == NH_ADJ) {
		adj_counters(c, e->inst.value, &ctr);
		json_u64(j, "slot", e->inst.value);
		json_u64(j, "packets", ctr.pkts);
		json_u64(j, "bytes", ctr.bytes);
		json_u64(j, "adjacency_refs", refs ? refs[e->inst.value] : 0);
	}
	json_obj_close(j);
}

static int cmd_show_ip_cef(struct cli_req *req)
{
	const struct ctl *c = req->ctl;
	struct cef_args a;
	struct rt_entry **v;
	uint32_t *refs;
	size_t n;

	if (cef_args_parse(req, &a))
		return -1;
	v = cef_collect(c, &a, &n);
	refs = slot_refs(c);
	if (!v || !refs) {
		free(v);
		free(refs);
		return cli_req_error(req, "out of memory");
	}
	if (req->json) {
		json_obj_open(&req->j, NULL);
		json_str(&req->j, "table", a.table == RT_OVERLAY ? "overlay" : "underlay");
		json_str(&req->j, "sync", sync_state_name(c->sync.state));
		json_u64(&req->j, "adjacencies", adj_count(c));
		json_arr_open(&req->j, "routes");
		for (size_t i = 0; i < n; i++)
			cef_json(c, &req->j, v[i], refs);
		json_arr_close(&req->j);
		json_obj_close(&req->j);
	} else if (a.detail) {
		if (!a.has_prefix)
			sb_printf(&req->out, "Adjacency Table has %u adjacencies\n", adj_count(c));
		for (size_t i = 0; i < n; i++)
			cef_detail(c, &req->out, v[i], refs);
	} else {
		sb_printf(&req->out, "%-20s %-22s %s\n", "Prefix", "Next Hop", "Interface");
		for (size_t i = 0; i < n; i++)
			cef_line(c, &req->out, v[i]);
	}
	if (a.has_prefix && !n && !req->json)
		sb_puts(&req->out, "%Prefix not found\n");
	if (c->sync.state != SYNC_SYNCED && !req->json)
		sb_printf(&req->out, "%% Data plane %s: installed state may be incomplete\n",
			  sync_state_name(c->sync.state));
	free(v);
	free(refs);
	return 0;
}

/* ---- show adjacency ---- */

static int adj_cmp(const void *x, const void *y)
{
	const struct adj *a = *(const struct adj *const *)x;
	const struct adj *b = *(const struct adj *const *)y;
	uint32_t oa = __builtin_bswap32(a->overlay), ob = __builtin_bswap32(b->overlay);

	if (a->tunnel != b->tunnel)
		return (int)a->tunnel - (int)b->tunnel;
	return oa < ob ? -1 : oa > ob;
}

static struct adj **adj_collect(const struct ctl *c, bool has_addr, uint32_t addr, size_t *n)
{
	struct adj **v = calloc(adj_count(c) + 1, sizeof(*v));
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct adj *a;

	*n = 0;
	if (!v)
		return NULL;
	while ((a = adj_walk(c, &cur, &nx)))
		if (!has_addr || a->overlay == addr)
			v[(*n)++] = a;
	qsort(v, *n, sizeof(*v), adj_cmp);
	return v;
}

static const char *adj_state_text(const struct ctl *c, const struct adj *a)
{
	if (a->slot != ADJ_NO_SLOT)
		return adj_state_name(adj_state_get(c, a));
	if (a->failed)
		return "refused";
	if (!sync_can_send(c))
		return "pending";
	return a->waiting ? "no-slot" : "pending";
}

/* "00:01:02 ago" / "in 00:04:58" / "never" */
static void when_fmt(uint64_t ns, uint64_t now, bool future, char *buf, size_t len)
{
	char d[32];

	if (!ns) {
		snprintf(buf, len, "never");
		return;
	}
	if (future) {
		show_duration(ns > now ? (ns - now) / 1000000 : 0, d, sizeof(d));
		snprintf(buf, len, ns > now ? "in %s" : "%s ago (expired)", d);
	} else {
		show_duration(now > ns ? (now - ns) / 1000000 : 0, d, sizeof(d));
		snprintf(buf, len, "%s ago", d);
	}
}

struct adj_view {
	const struct shm_adj *slot;	/* NULL without a slot */
	struct shm_adj_ctr ctr;
	uint64_t last_used_ns;
	uint32_t refs;
};

static void adj_view_get(const struct ctl *c, const struct adj *a, const uint32_t *refs,
			 struct adj_view *v)
{
	const struct shm_seg *seg = dpconn_seg(&c->dp);

	memset(v, 0, sizeof(*v));
	if (a->slot == ADJ_NO_SLOT || !seg)
		return;
	v->slot = shm_adj(seg, a->slot);
	shm_adj_ctr_sum(seg, a->slot, &v->ctr);
	v->last_used_ns = shm_tsc_to_realtime_ns(seg->hdr, v->ctr.last_tsc);
	v->refs = refs ? refs[a->slot] : 0;
}

#define ADJ_INDENT "                                   "

static void adj_detail_text(const struct ctl *c, struct strbuf *o, const struct adj *a,
			    const struct adj_view *v)
{
	uint64_t now = ctl_realtime_ns();
	char nbma[ADDR_STRLEN], flags[96], hex[3 * ADJ_REWRITE_MAX], t1[48], t2[48];

	sb_printf(o, ADJ_INDENT "%" PRIu64 " packets, %" PRIu64 " bytes\n", v->ctr.pkts,
		  v->ctr.bytes);
	if (v->slot) {
		adj_rewrite_hex(v->slot->rewrite, v->slot->rewrite_len, hex, sizeof(hex));
		for (char *line = strtok(hex, "\n"); line; line = strtok(NULL, "\n"))
			sb_printf(o, ADJ_INDENT "%s\n", line);
	}
	adj_flags_fmt(a->flags, flags, sizeof(flags));
	sb_printf(o, ADJ_INDENT "NBMA %s", addr_fmt(a->nbma, nbma));
	if (a->nbma_port)
		sb_printf(o, ":%u", a->nbma_port);
	sb_printf(o, ", flags %s\n", flags);
	if (a->slot != ADJ_NO_SLOT)
		sb_printf(o, ADJ_INDENT "slot %u, state %s, epoch %u\n", a->slot,
			  adj_state_text(c, a), v->slot ? v->slot->gen : 0);
	else
		sb_printf(o, ADJ_INDENT "no slot, state %s\n", adj_state_text(c, a));
	when_fmt(a->created_ns, now, false, t1, sizeof(t1));
	when_fmt(a->expires_ns, now, true, t2, sizeof(t2));
	sb_printf(o, ADJ_INDENT "created %s, expires %s\n", t1, t2);
	when_fmt(v->last_used_ns, now, false, t1, sizeof(t1));
	sb_printf(o, ADJ_INDENT "last used %s\n", t1);
}

static void adj_json(const struct ctl *c, struct json *j, const struct adj *a,
		     const struct adj_view *v)
{
	char flags[96], hex[3 * ADJ_REWRITE_MAX], *save = NULL;

	json_obj_open(j, NULL);
	json_str(j, "interface", tunnel_name(c));
	json_ip4(j, "address", a->overlay);
	json_u64(j, "prefix_len", a->prefix_len);
	json_u64(j, "refs", v->refs);
	json_ip4(j, "nbma", a->nbma);
	json_u64(j, "nbma_port", a->nbma_port);
	adj_flags_fmt(a->flags, flags, sizeof(flags));
	json_arr_open(j, "flags");
	for (char *f = strtok_r(flags, " ", &save); a->flags && f; f = strtok_r(NULL, " ", &save))
		json_str(j, NULL, f);
	json_arr_close(j);
	if (a->slot != ADJ_NO_SLOT)
		json_u64(j, "slot", a->slot);
	else
		json_null(j, "slot");
	json_str(j, "state", adj_state_text(c, a));
	json_u64(j, "epoch", v->slot ? v->slot->gen : 0);
	json_u64(j, "packets", v->ctr.pkts);
	json_u64(j, "bytes", v->ctr.bytes);
	hex[0] = '\0';
	if (v->slot) {
		adj_rewrite_hex(v->slot->rewrite, v->slot->rewrite_len, hex, sizeof(hex));
		for (char *p = hex, *q = hex;; p++)
			if (*p != '\n' && !(*q++ = *p))
				break;
	}
	json_str(j, "rewrite", hex);
	json_u64(j, "created_ns", a->created_ns);
	json_u64(j, "expires_ns", a->expires_ns);
	json_u64(j, "last_used_ns", v->last_used_ns);
	json_obj_close(j);
}

static int cmd_show_adjacency(struct cli_req *req)
{
	const struct ctl *c = req->ctl;
	bool detail = false, has_addr = false;
	uint32_t addr = 0, *refs;
	struct adj **v;
	size_t n;

	for (int i = 0; i < req->argc; i++) {
		if (strcmp(req->argv[i], "detail") == 0)
			detail = true;
		else if (!has_addr && addr_parse(req->argv[i], &addr))
			has_addr = true;
		else
			return cli_req_error(req, "show adjacency: unexpected \"%s\" (usage: show "
					     "adjacency [detail] [A.B.C.D])", req->argv[i]);
	}
	v = adj_collect(c, has_addr, addr, &n);
	refs = slot_refs(c);
	if (!v || !refs) {
		free(v);
		free(refs);
		return cli_req_error(req, "out of memory");
	}
	if (req->json) {
		json_obj_open(&req->j, NULL);
		json_arr_open(&req->j, "adjacencies");
	} else {
		sb_printf(&req->out, "%-8s %-25s %s\n", "Protocol", "Interface", "Address");
	}
	for (size_t i = 0; i < n; i++) {
		struct adj_view av;
		char a[ADDR_STRLEN];

		adj_view_get(c, v[i], refs, &av);
		if (req->json) {
			adj_json(c, &req->j, v[i], &av);
			continue;
		}
		sb_printf(&req->out, "%-8s %-25s %s(%u)\n", "IP", tunnel_name(c),
			  addr_fmt(v[i]->overlay, a), av.refs);
		if (detail)
			adj_detail_text(c, &req->out, v[i], &av);
	}
	if (req->json) {
		json_arr_close(&req->j);
		json_obj_close(&req->j);
	}
	free(v);
	free(refs);
	return 0;
}

void cli_show_register(struct cli *cli)
{
	cli_register(cli, "show ip cef", cmd_show_ip_cef,
		     "[underlay] [detail] [A.B.C.D[/LEN]]: the FIB as installed in the data plane");
	cli_register(cli, "show adjacency", cmd_show_adjacency,
		     "[detail] [A.B.C.D]: tunnel adjacencies, rewrite, counters");
}
