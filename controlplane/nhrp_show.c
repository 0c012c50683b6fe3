/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * NHRP show commands, IOS layouts (seed 004: show ip nhrp, brief, nhs,
 * traffic, summary; seed 001: the multi-line entry with "Flags: router
 * unique local"), each also in JSON (field names in docs/nhrp.md), and
 * the CLI commands that print them:
 *
 *   show ip nhrp [brief|detail] [A.B.C.D[/LEN]]
 *   show ip nhrp nhs [detail]
 *   show ip nhrp traffic
 *   show ip nhrp summary
 *   show dmvpn [detail]
 *   clear ip nhrp [A.B.C.D[/LEN]] | clear ip nhrp counters
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cli.h"
#include "ctl.h"
#include "nhrp_module.h"
#include "nhrp_priv.h"

/* IOS "00:11:31", "1d02h" past a day. */
static const char *nhrp_hms(uint64_t sec, char *buf, size_t len)
{
	if (sec >= 86400)
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", sec / 86400, sec % 86400 / 3600);
	else
		snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, sec / 3600,
			 sec / 60 % 60, sec % 60);
	return buf;
}

/* Precise kind (JSON "kind"); IOS folds them into static/dynamic/incomplete. */
static const char *nhrp_kind_name(const struct nhrp_cache *c)
{
	static const char *const names[NHRP_C__MAX] = {
		[NHRP_C_STATIC] = "static", [NHRP_C_DYNAMIC] = "registered",
		[NHRP_C_SHORTCUT] = "shortcut", [NHRP_C_ROUTE] = "route",
		[NHRP_C_IMPLICIT] = "implicit", [NHRP_C_INCOMPLETE] = "incomplete",
		[NHRP_C_NEGATIVE] = "negative", [NHRP_C_LOCAL] = "local",
	};

	return c->type < NHRP_C__MAX ? names[c->type] : "?";
}

/* ---- the cache, sorted ---- */

static int nhrp_cmp(const void *a, const void *b)
{
	const struct nhrp_cache *x = *(const struct nhrp_cache *const *)a;
	const struct nhrp_cache *y = *(const struct nhrp_cache *const *)b;
	uint32_t px = ntohl(x->proto), py = ntohl(y->proto);

	if (x->ifi != y->ifi)
		return x->ifi < y->ifi ? -1 : 1;
	if (px != py)
		return px < py ? -1 : 1;
	return x->plen < y->plen ? -1 : x->plen > y->plen;
}

/* Entries matching proto/plen (plen 0 and proto 0: all), sorted. */
static struct nhrp_cache **nhrp_sorted(struct nhrp *n, uint32_t proto, uint8_t plen, size_t *cnt)
{
	struct nhrp_cache **v = malloc(sizeof(*v) * (nhrp_cache_count(n) + 1));
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct nhrp_cache *c;
	size_t k = 0;

	if (!v)
		return NULL;
	while ((c = nhrp_cache_walk(n, &cur, &nx)))
		if (!(proto || plen) || (c->plen >= plen && prefix_contains(proto, plen, c->proto)))
			v[k++] = c;
	qsort(v, k, sizeof(*v), nhrp_cmp);
	*cnt = k;
	return v;
}

/* IOS shows "used" when traffic went through the binding. */
static uint16_t nhrp_show_flags(struct nhrp *n, const struct nhrp_cache *c)
{
	const struct nhrp_io *io = &n->io;
	uint16_t f = c->flags & NHRP_CF__PRINTED;

	if ((c->type == NHRP_C_STATIC || c->type == NHRP_C_DYNAMIC ||
	     c->type == NHRP_C_SHORTCUT) && io->use_stamp &&
	    io->use_stamp(io->arg, n->ifs[c->ifi].c.tunnel, c->proto))
		f |= NHRP_CF_USED;
	return f;
}

/* The NBMA to print: a ROUTE's is its peer's. */
static uint32_t nhrp_show_nbma(const struct nhrp *n, const struct nhrp_cache *c)
{
	const struct nhrp_cache *p;

	if (c->type != NHRP_C_ROUTE)
		return c->nbma;
	p = nhrp_cache_find(n, c->ifi, c->via, NHRP_HOST_PLEN);
	return p ? p->nbma : 0;
}

static uint32_t nhrp_show_via(const struct nhrp_cache *c)
{
	return c->type == NHRP_C_ROUTE ? c->via : c->proto;
}

static uint64_t nhrp_left_s(const struct nhrp *n, const struct nhrp_cache *c)
{
	uint64_t now = nhrp_now_ms(n);

	return c->expires_ms > now ? (c->expires_ms - now + 999) / 1000 : 0;
}

static void nhrp_text_entry(struct nhrp *n, const struct nhrp_cache *c, bool detail,
			    const struct nhrp_show_names *nm, struct strbuf *sb)
{
	char p[PREFIX_STRLEN], v[ADDR_STRLEN], a[ADDR_STRLEN], b[ADDR_STRLEN], t1[32], t2[32];
	char flags[160];
	uint32_t nbma = nhrp_show_nbma(n, c);
	uint64_t age = (nhrp_now_ms(n) - c->created_ms) / 1000;

	nhrp_cache_flags_fmt(nhrp_show_flags(n, c), flags, sizeof(flags));
	sb_printf(sb, "%s via %s\n", prefix_fmt(c->proto, c->plen, p),
		  addr_fmt(nhrp_show_via(c), v));
	if (c->expires_ms)
		sb_printf(sb, "   %s created %s, expire %s\n", nm->tunnel, nhrp_hms(age, t1, sizeof(t1)),
			  nhrp_hms(nhrp_left_s(n, c), t2, sizeof(t2)));
	else
		sb_printf(sb, "   %s created %s, never expire\n", nm->tunnel,
			  nhrp_hms(age, t1, sizeof(t1)));
	sb_printf(sb, "   Type: %s, Flags: %s\n", nhrp_cache_type_name(c->type), flags);
	if (nbma && (c->flags & NHRP_CF_NAT) && c->claimed != nbma)
		sb_printf(sb, "   NBMA address: %s (Claimed NBMA address: %s)\n", addr_fmt(nbma, a),
			  addr_fmt(c->claimed, b));
	else if (nbma)
		sb_printf(sb, "   NBMA address: %s\n", addr_fmt(nbma, a));
	if (c->type == NHRP_C_LOCAL)
		sb_puts(sb, "    (no-socket)\n");
	if (!detail)
		return;
	if (c->port)
		sb_printf(sb, "   NBMA UDP port: %u\n", c->port);
	sb_printf(sb, "   Request ID: %u, holding time %u s, MTU %u%s\n", c->reqid, c->holdtime,
		  c->mtu, c->flags & NHRP_CF_PENDING ? ", resolution pending" : "");
	if (c->type == NHRP_C_LOCAL) {
		const struct nhrp_local_req *r;
		unsigned int k = nhrp_local_requesters(c, &r);

		for (unsigned int i = 0; i < k; i++)
			sb_printf(sb, "   Requester: %s, NBMA %s\n", addr_fmt(r[i].proto, a),
				  addr_fmt(r[i].nbma, b));
	}
}

static void nhrp_json_flags(struct json *j, uint16_t f)
{
	char buf[160], *save = NULL;

	nhrp_cache_flags_fmt(f, buf, sizeof(buf));
	json_arr_open(j, "flags");
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save))
		json_str(j, NULL, w);
	json_arr_close(j);
}

static void nhrp_json_entry(struct nhrp *n, const struct nhrp_cache *c,
			    const struct nhrp_show_names *nm, struct json *j)
{
	uint32_t nbma = nhrp_show_nbma(n, c);

	json_obj_open(j, NULL);
	json_ip4(j, "target", c->proto);
	json_u64(j, "prefix_len", c->plen);
	json_ip4(j, "via", nhrp_show_via(c));
	json_str(j, "interface", nm->tunnel);
	json_str(j, "type", nhrp_cache_type_name(c->type));
	json_str(j, "kind", nhrp_kind_name(c));
	nhrp_json_flags(j, nhrp_show_flags(n, c));
	if (nbma)
		json_ip4(j, "nbma", nbma);
	else
		json_null(j, "nbma");
	if (c->claimed && c->type != NHRP_C_ROUTE)
		json_ip4(j, "claimed_nbma", c->claimed);
	else
		json_null(j, "claimed_nbma");
	json_u64(j, "nbma_port", c->port);
	json_u64(j, "created_age_s", (nhrp_now_ms(n) - c->created_ms) / 1000);
	if (c->expires_ms)
		json_u64(j, "expires_in_s", nhrp_left_s(n, c));
	else
		json_null(j, "expires_in_s");
	json_u64(j, "holdtime", c->holdtime);
	json_u64(j, "mtu", c->mtu);
	json_u64(j, "request_id", c->reqid);
	json_bool(j, "pending", c->flags & NHRP_CF_PENDING);
	json_obj_close(j);
}

/* IOS brief: Target Via NBMA Mode Intfc Claimed (seed 004). */
static void nhrp_brief_entry(struct nhrp *n, const struct nhrp_cache *c,
			     const struct nhrp_show_names *nm, struct strbuf *sb)
{
	char p[PREFIX_STRLEN], v[ADDR_STRLEN], a[ADDR_STRLEN], cl[ADDR_STRLEN + 4];
	uint32_t nbma = nhrp_show_nbma(n, c);

	if ((c->flags & NHRP_CF_NAT) && c->claimed && c->claimed != nbma)
		snprintf(cl, sizeof(cl), "%s", addr_fmt(c->claimed, a));
	else
		snprintf(cl, sizeof(cl), "<   >");
	sb_printf(sb, "%-18s %-15s %-15s %-10s %-6s %s\n", prefix_fmt(c->proto, c->plen, p),
		  addr_fmt(nhrp_show_via(c), v), nbma ? addr_fmt(nbma, a) : "-",
		  nhrp_cache_type_name(c->type), nm->tunnel_short, cl);
}

void nhrp_show_cache(struct nhrp *n, enum nhrp_show_fmt fmt, uint32_t proto, uint8_t plen,
		     const struct nhrp_show_names *nm, struct strbuf *sb, struct json *j)
{
	size_t cnt = 0;
	struct nhrp_cache **v = nhrp_sorted(n, proto, plen, &cnt);

	if (j) {
		json_obj_open(j, NULL);
		json_arr_open(j, "entries");
		for (size_t i = 0; v && i < cnt; i++)
			nhrp_json_entry(n, v[i], nm, j);
		json_arr_close(j);
		json_obj_close(j);
	} else if (fmt == NHRP_SHOW_BRIEF) {
		sb_printf(sb, "%-18s %-15s %-15s %-10s %-6s %s\n", "Target", "Via", "NBMA", "Mode",
			  "Intfc", "Claimed");
		for (size_t i = 0; v && i < cnt; i++)
			nhrp_brief_entry(n, v[i], nm, sb);
	} else {
		for (size_t i = 0; v && i < cnt; i++)
			nhrp_text_entry(n, v[i], fmt == NHRP_SHOW_DETAIL, nm, sb);
	}
	free(v);
}

/* ---- nhs ---- */

/* IOS legend: E expecting replies, R responding, W waiting. */
static const char *nhrp_nhs_flags(const struct nhrp_nhs *s)
{
	switch (s->state) {
	case NHRP_NHS_UP:
	case NHRP_NHS_RENEWING:
		return "RE";
	case NHRP_NHS_DOWN:
		return "E";
	default:
		return "W";
	}
}

static void nhrp_nhs_text(struct nhrp *n, const struct nhrp_nhs *s, bool detail, struct strbuf *sb)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN], t[32];
	uint64_t now = nhrp_now_ms(n);

	sb_printf(sb, "%-15s %-3s NBMA Address: %s priority = 0 cluster = 0\n",
		  addr_fmt(s->proto, a), nhrp_nhs_flags(s), addr_fmt(s->nbma, b));
	if (!detail)
		return;
	sb_printf(sb, "  State %s, request ID %u, %" PRIu64 " requests, %" PRIu64
		      " replies, %" PRIu64 " refused\n",
		  nhrp_nhs_state_name(s->state), s->reqid, s->sent, s->replies, s->refused);
	if (s->state == NHRP_NHS_UP || s->state == NHRP_NHS_RENEWING)
		sb_printf(sb, "  Up for %s\n", nhrp_hms((now - s->up_since_ms) / 1000, t, sizeof(t)));
	if (s->last_reply_ms)
		sb_printf(sb, "  Last reply %s ago, code %u (%s)\n",
			  nhrp_hms((now - s->last_reply_ms) / 1000, t, sizeof(t)), s->last_code,
			  nhrp_cie_code_name(s->last_code));
}

static void nhrp_nhs_json(struct nhrp *n, const struct nhrp_nhs *s, struct json *j)
{
	uint64_t now = nhrp_now_ms(n);

	json_obj_open(j, NULL);
	json_ip4(j, "address", s->proto);
	json_ip4(j, "nbma", s->nbma);
	json_str(j, "state", nhrp_nhs_state_name(s->state));
	json_str(j, "flags", nhrp_nhs_flags(s));
	json_bool(j, "up", s->state == NHRP_NHS_UP || s->state == NHRP_NHS_RENEWING);
	json_u64(j, "request_id", s->reqid);
	json_u64(j, "requests", s->sent);
	json_u64(j, "replies", s->replies);
	json_u64(j, "refused", s->refused);
	json_u64(j, "last_code", s->last_code);
	if (s->state == NHRP_NHS_UP || s->state == NHRP_NHS_RENEWING)
		json_u64(j, "up_for_s", (now - s->up_since_ms) / 1000);
	else
		json_null(j, "up_for_s");
	json_obj_close(j);
}

void nhrp_show_nhs(struct nhrp *n, bool detail, const struct nhrp_show_names *nm,
		   struct strbuf *sb, struct json *j)
{
	if (j) {
		json_obj_open(j, NULL);
		json_arr_open(j, "interfaces");
	} else {
		sb_puts(sb, "Legend: E=Expecting replies, R=Responding, W=Waiting\n");
	}
	for (unsigned int i = 0; i < NHRP_MAX_IFS; i++) {
		const struct nhrp_if *nif = &n->ifs[i];

		if (!nif->on)
			continue;
		if (j) {
			json_obj_open(j, NULL);
			json_str(j, "interface", nm->tunnel);
			json_arr_open(j, "nhs");
		} else {
			sb_printf(sb, "%s:\n", nm->tunnel);
		}
		for (unsigned int k = 0; k < nif->c.n_nhs; k++) {
			if (j)
				nhrp_nhs_json(n, &nif->nhs[k], j);
			else
				nhrp_nhs_text(n, &nif->nhs[k], detail, sb);
		}
		if (j) {
			json_arr_close(j);
			json_obj_close(j);
		}
	}
	if (j) {
		json_arr_close(j);
		json_obj_close(j);
	}
}

/* ---- traffic ---- */

static const char *const nhrp_type_words[NHRP_TYPE_MAX + 1] = {
	[1] = "Resolution Request", [2] = "Resolution Reply", [3] = "Registration Request",
	[4] = "Registration Reply", [5] = "Purge Request",    [6] = "Purge Reply",
	[7] = "Error Indication",   [8] = "Traffic Indication",
};

static const char *const nhrp_type_keys[NHRP_TYPE_MAX + 1] = {
	[1] = "resolution_request", [2] = "resolution_reply", [3] = "registration_request",
	[4] = "registration_reply", [5] = "purge_request",    [6] = "purge_reply",
	[7] = "error_indication",   [8] = "traffic_indication",
};

static const struct {
	const char *name, *help;
} nhrp_stat_info[NHRP_ST__MAX] = {
#define NHRP_STAT(nm, text) [NHRP_ST_##nm] = { #nm, text },
#include "nhrp_stats.def"
#undef NHRP_STAT
};

static void nhrp_stat_key(enum nhrp_stat s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; nhrp_stat_info[s].name[i] && i + 1 < len; i++) {
		char ch = nhrp_stat_info[s].name[i];

		buf[i] = ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
	}
	buf[i] = '\0';
}

static uint64_t nhrp_total(const uint64_t *v)
{
	uint64_t t = 0;

	for (unsigned int k = 1; k <= NHRP_TYPE_MAX; k++)
		t += v[k];
	return t;
}

/* seed 004: three per line, "0 Resolution Request 0 Resolution Reply ..." */
static void nhrp_traffic_dir(const char *title, const uint64_t *v, struct strbuf *sb)
{
	sb_printf(sb, "   %s: Total %" PRIu64 "\n", title, nhrp_total(v));
	for (unsigned int k = 1; k <= NHRP_TYPE_MAX; k++)
		sb_printf(sb, "%s%8" PRIu64 " %-21s%s", k % 3 == 1 ? "   " : "", v[k],
			  nhrp_type_words[k], k % 3 == 0 || k == NHRP_TYPE_MAX ? "\n" : "");
}

static void nhrp_traffic_json_dir(const char *key, const uint64_t *v, struct json *j)
{
	json_obj_open(j, key);
	json_u64(j, "total", nhrp_total(v));
	for (unsigned int k = 1; k <= NHRP_TYPE_MAX; k++)
		json_u64(j, nhrp_type_keys[k], v[k]);
	json_obj_close(j);
}

static void nhrp_traffic_if(const struct nhrp_if *nif, const struct nhrp_show_names *nm,
			    struct strbuf *sb, struct json *j)
{
	char key[48];

	if (j) {
		json_obj_open(j, NULL);
		json_str(j, "interface", nm->tunnel);
		nhrp_traffic_json_dir("sent", nif->sent, j);
		nhrp_traffic_json_dir("rcvd", nif->rcvd, j);
		json_obj_open(j, "counters");
		for (unsigned int s = 0; s < NHRP_ST__MAX; s++) {
			nhrp_stat_key(s, key, sizeof(key));
			json_u64(j, key, nif->st[s]);
		}
		json_obj_close(j);
		json_obj_close(j);
		return;
	}
	sb_printf(sb, "%s\n", nm->tunnel);
	nhrp_traffic_dir("Sent", nif->sent, sb);
	nhrp_traffic_dir("Rcvd", nif->rcvd, sb);
	for (unsigned int s = 0; s < NHRP_ST__MAX; s++)
		if (nif->st[s])
			sb_printf(sb, "   %8" PRIu64 " %s\n", nif->st[s], nhrp_stat_info[s].help);
}

void nhrp_show_traffic(struct nhrp *n, const struct nhrp_show_names *nm, struct strbuf *sb,
		       struct json *j)
{
	if (j) {
		json_obj_open(j, NULL);
		json_arr_open(j, "interfaces");
	}
	for (unsigned int i = 0; i < NHRP_MAX_IFS; i++)
		if (n->ifs[i].on)
			nhrp_traffic_if(&n->ifs[i], nm, sb, j);
	if (j) {
		json_arr_close(j);
		json_obj_close(j);
	}
}

/* ---- summary ---- */

void nhrp_show_summary(struct nhrp *n, struct strbuf *sb, struct json *j)
{
	const uint32_t *t = n->n_type;
	uint32_t total = nhrp_cache_count(n);
	uint64_t bytes = (uint64_t)total * sizeof(struct nhrp_cache) +
			 (uint64_t)t[NHRP_C_LOCAL] * sizeof(struct nhrp_local);
	uint32_t dyn = t[NHRP_C_DYNAMIC] + t[NHRP_C_SHORTCUT] + t[NHRP_C_ROUTE] +
		       t[NHRP_C_IMPLICIT] + t[NHRP_C_LOCAL];
	uint32_t inc = t[NHRP_C_INCOMPLETE] + t[NHRP_C_NEGATIVE];

	if (j) {
		json_obj_open(j, NULL);
		json_u64(j, "entries", total);
		json_u64(j, "bytes", bytes);
		json_u64(j, "static", t[NHRP_C_STATIC]);
		json_u64(j, "dynamic", dyn);
		json_u64(j, "incomplete", inc);
		json_u64(j, "registered", t[NHRP_C_DYNAMIC]);
		json_u64(j, "shortcut", t[NHRP_C_SHORTCUT]);
		json_u64(j, "route", t[NHRP_C_ROUTE]);
		json_u64(j, "implicit", t[NHRP_C_IMPLICIT]);
		json_u64(j, "local", t[NHRP_C_LOCAL]);
		json_u64(j, "negative", t[NHRP_C_NEGATIVE]);
		json_obj_close(j);
		return;
	}
	sb_printf(sb, "IP NHRP cache %u %s, %" PRIu64 " bytes\n", total,
		  total == 1 ? "entry" : "entries", bytes);
	sb_printf(sb, "    %u static  %u dynamic  %u incomplete\n", t[NHRP_C_STATIC], dyn, inc);
	sb_printf(sb, "    %u registered  %u shortcut  %u route  %u implicit  %u local  %u negative\n",
		  t[NHRP_C_DYNAMIC], t[NHRP_C_SHORTCUT], t[NHRP_C_ROUTE], t[NHRP_C_IMPLICIT],
		  t[NHRP_C_LOCAL], t[NHRP_C_NEGATIVE]);
}

/* ---- show dmvpn ---- */

struct nhrp_dmvpn_row {
	const struct nhrp_cache *c;
	uint32_t nbma;
};

static int nhrp_row_cmp(const void *a, const void *b)
{
	const struct nhrp_dmvpn_row *x = a, *y = b;
	uint32_t nx = ntohl(x->nbma), ny = ntohl(y->nbma);
	uint32_t px = ntohl(x->c->proto), py = ntohl(y->c->proto);

	if (nx != ny)
		return nx < ny ? -1 : 1;
	return px < py ? -1 : px > py;
}

static const struct nhrp_nhs *nhrp_nhs_of(const struct nhrp *n, const struct nhrp_cache *c)
{
	const struct nhrp_if *nif = &n->ifs[c->ifi];

	for (unsigned int k = 0; k < nif->c.n_nhs; k++)
		if (nif->nhs[k].proto == c->proto && c->plen == NHRP_HOST_PLEN)
			return &nif->nhs[k];
	return NULL;
}

/* IOS: UP, or NHRP while NHRP has not completed (incomplete, NHS silent). */
static const char *nhrp_row_state(const struct nhrp *n, const struct nhrp_cache *c,
				  uint64_t *updn_s)
{
	const struct nhrp_nhs *s = nhrp_nhs_of(n, c);
	uint64_t now = nhrp_now_ms(n);

	*updn_s = (now - c->created_ms) / 1000;
	if (c->type == NHRP_C_INCOMPLETE || c->type == NHRP_C_NEGATIVE)
		return "NHRP";
	if (!s)
		return "UP";
	if (s->state == NHRP_NHS_UP || s->state == NHRP_NHS_RENEWING) {
		*updn_s = (now - s->up_since_ms) / 1000;
		return "UP";
	}
	return "NHRP";
}

static void nhrp_row_attrs(const struct nhrp_cache *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s",
		 c->type == NHRP_C_STATIC ? "S"
		 : c->type == NHRP_C_INCOMPLETE || c->type == NHRP_C_NEGATIVE ? "I" : "D",
		 c->flags & NHRP_CF_NAT ? "N" : "", c->type == NHRP_C_ROUTE ? "T1" : "",
		 c->flags & NHRP_CF_NHO ? "T2" : "");
}

static struct nhrp_dmvpn_row *nhrp_dmvpn_rows(struct nhrp *n, unsigned int ifi, size_t *cnt)
{
	struct nhrp_dmvpn_row *v = malloc(sizeof(*v) * (nhrp_cache_count(n) + 1));
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct nhrp_cache *c;
	size_t k = 0;

	while (v && (c = nhrp_cache_walk(n, &cur, &nx))) {
		if (c->ifi != ifi || c->type == NHRP_C_IMPLICIT || c->type == NHRP_C_LOCAL)
			continue;
		v[k].c = c;
		v[k++].nbma = nhrp_show_nbma(n, c);
	}
	if (v)
		qsort(v, k, sizeof(*v), nhrp_row_cmp);
	*cnt = k;
	return v;
}

static const char *nhrp_dmvpn_type(const struct nhrp *n, unsigned int ifi)
{
	if (!n->ifs[ifi].c.n_nhs)
		return "Hub";
	return n->n_type[NHRP_C_DYNAMIC] ? "Hub/Spoke" : "Spoke";
}

static void nhrp_dmvpn_legend(struct strbuf *sb)
{
	sb_puts(sb, "Legend: Attrb --> S - Static, D - Dynamic, I - Incomplete\n"
		    "        N - NATed, L - Local, X - No Socket\n"
		    "        T1 - Route Installed, T2 - Nexthop-override\n"
		    "        # Ent --> Number of NHRP entries with same NBMA peer\n"
		    "        NHS Status: E --> Expecting Replies, R --> Responding, W --> Waiting\n"
		    "        UpDn Time --> Up or Down Time for a Tunnel\n"
		    "==========================================================================\n\n");
}

static void nhrp_dmvpn_row(struct nhrp *n, const struct nhrp_dmvpn_row *v, size_t i, size_t cnt,
			   struct strbuf *sb, struct json *j)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN], t[32], attrs[16], ent[24] = "";
	uint64_t updn;
	const char *state = nhrp_row_state(n, v[i].c, &updn);
	size_t same = 0;

	if (i == 0 || v[i - 1].nbma != v[i].nbma) {
		for (size_t k = i; k < cnt && v[k].nbma == v[i].nbma; k++)
			same++;
		snprintf(ent, sizeof(ent), "%zu", same);
	}
	nhrp_row_attrs(v[i].c, attrs, sizeof(attrs));
	if (j) {
		json_obj_open(j, NULL);
		if (v[i].nbma)
			json_ip4(j, "nbma", v[i].nbma);
		else
			json_null(j, "nbma");
		json_ip4(j, "tunnel", v[i].c->proto);
		json_u64(j, "prefix_len", v[i].c->plen);
		json_str(j, "state", state);
		json_u64(j, "updn_s", updn);
		json_str(j, "attributes", attrs);
		json_obj_close(j);
		return;
	}
	sb_printf(sb, " %5s %15s %15s %5s %8s %5s\n", ent,
		  v[i].nbma ? addr_fmt(v[i].nbma, a) : "UNKNOWN", addr_fmt(v[i].c->proto, b), state,
		  nhrp_hms(updn, t, sizeof(t)), attrs);
}

void nhrp_show_dmvpn(struct nhrp *n, bool detail, const struct nhrp_show_names *nm,
		     struct strbuf *sb, struct json *j)
{
	(void)detail;
	if (j) {
		json_obj_open(j, NULL);
		json_arr_open(j, "interfaces");
	} else {
		nhrp_dmvpn_legend(sb);
	}
	for (unsigned int i = 0; i < NHRP_MAX_IFS; i++) {
		size_t cnt = 0;
		struct nhrp_dmvpn_row *v;

		if (!n->ifs[i].on)
			continue;
		v = nhrp_dmvpn_rows(n, i, &cnt);
		if (j) {
			json_obj_open(j, NULL);
			json_str(j, "interface", nm->tunnel);
			json_str(j, "type", nhrp_dmvpn_type(n, i));
			json_arr_open(j, "peers");
		} else {
			sb_printf(sb, "Interface: %s, IPv4 NHRP Details\nType:%s, NHRP Peers:%zu,\n\n",
				  nm->tunnel, nhrp_dmvpn_type(n, i), cnt);
			sb_puts(sb, " # Ent  Peer NBMA Addr Peer Tunnel Add State  UpDn Tm Attrb\n"
				    " ----- --------------- --------------- ----- -------- -----\n");
		}
		for (size_t k = 0; v && k < cnt; k++)
			nhrp_dmvpn_row(n, v, k, cnt, sb, j);
		if (j) {
			json_arr_close(j);
			json_obj_close(j);
		}
		free(v);
	}
	if (j) {
		json_arr_close(j);
		json_obj_close(j);
	}
}

/* ---- CLI ---- */

static struct nhrp *nhrp_cli_engine(struct cli_req *req)
{
	struct nhrp *n = nhrp_module_engine(req->ctl);

	if (!n)
		cli_req_error(req, "NHRP is not running");
	return n;
}

static struct nhrp_show_names nhrp_cli_names(const struct cli_req *req, char *shrt, size_t len)
{
	const char *t = req->ctl->conf.tunnel.name[0] ? req->ctl->conf.tunnel.name : "Tunnel0";
	const char *digits = t + strcspn(t, "0123456789");

	/* IOS "Tu0" for "Tunnel0" */
	snprintf(shrt, len, "%.2s%s", t, digits);
	return (struct nhrp_show_names){ .tunnel = t, .tunnel_short = shrt };
}

/* "A.B.C.D" (host) or "A.B.C.D/LEN"; false when the word is neither. */
static bool nhrp_cli_prefix(const char *w, uint32_t *a, uint8_t *plen)
{
	if (strchr(w, '/'))
		return prefix_parse(w, a, plen, true);
	*plen = 32;
	return addr_parse(w, a);
}

static int nhrp_cli_show(struct cli_req *req)
{
	struct nhrp *n = nhrp_cli_engine(req);
	enum nhrp_show_fmt fmt = NHRP_SHOW_NORMAL;
	uint32_t a = 0;
	uint8_t plen = 0;
	char shrt[16];
	struct nhrp_show_names nm;

	if (!n)
		return -1;
	for (int i = 0; i < req->argc; i++) {
		if (cli_arg_is(req, i, "brief"))
			fmt = NHRP_SHOW_BRIEF;
		else if (cli_arg_is(req, i, "detail"))
			fmt = NHRP_SHOW_DETAIL;
		else if (!nhrp_cli_prefix(req->argv[i], &a, &plen))
			return cli_req_error(req, "unknown argument \"%s\" (brief, detail, "
					     "A.B.C.D[/LEN])", req->argv[i]);
	}
	nm = nhrp_cli_names(req, shrt, sizeof(shrt));
	nhrp_show_cache(n, fmt, a, plen, &nm, &req->out, req->json ? &req->j : NULL);
	return 0;
}

static int nhrp_cli_nhs(struct cli_req *req)
{
	struct nhrp *n = nhrp_cli_engine(req);
	char shrt[16];
	struct nhrp_show_names nm;

	if (!n)
		return -1;
	nm = nhrp_cli_names(req, shrt, sizeof(shrt));
	nhrp_show_nhs(n, cli_arg_is(req, 0, "detail"), &nm, &req->out, req->json ? &req->j : NULL);
	return 0;
}

static int nhrp_cli_traffic(struct cli_req *req)
{
	struct nhrp *n = nhrp_cli_engine(req);
	char shrt[16];
	struct nhrp_show_names nm;

	if (!n)
		return -1;
	nm = nhrp_cli_names(req, shrt, sizeof(shrt));
	nhrp_show_traffic(n, &nm, &req->out, req->json ? &req->j : NULL);
	return 0;
}

static int nhrp_cli_summary(struct cli_req *req)
{
	struct nhrp *n = nhrp_cli_engine(req);

	if (!n)
		return -1;
	nhrp_show_summary(n, &req->out, req->json ? &req->j : NULL);
	return 0;
}

static int nhrp_cli_dmvpn(struct cli_req *req)
{
	struct nhrp *n = nhrp_cli_engine(req);
	char shrt[16];
	struct nhrp_show_names nm;

	if (!n)
		return -1;
	nm = nhrp_cli_names(req, shrt, sizeof(shrt));
	nhrp_show_dmvpn(n, cli_arg_is(req, 0, "detail"), &nm, &req->out,
			req->json ? &req->j : NULL);
	return 0;
}

static int nhrp_cli_clear(struct cli_req *req)
{
	struct nhrp *n = nhrp_cli_engine(req);
	uint32_t a = 0;
	uint8_t plen = 0;
	unsigned int k;

	if (!n)
		return -1;
	if (cli_arg_is(req, 0, "counters")) {
		nhrp_counters_clear(n);
		if (req->json) {
			json_obj_open(&req->j, NULL);
			json_str(&req->j, "result", "counters cleared");
			json_obj_close(&req->j);
		} else {
			sb_puts(&req->out, "NHRP counters cleared\n");
		}
		return 0;
	}
	if (req->argc && !nhrp_cli_prefix(req->argv[0], &a, &plen))
		return cli_req_error(req, "unknown argument \"%s\" (A.B.C.D[/LEN], counters)",
				     req->argv[0]);
	k = nhrp_clear(n, a, plen);
	if (req->json) {
		json_obj_open(&req->j, NULL);
		json_u64(&req->j, "cleared", k);
		json_obj_close(&req->j);
	} else {
		sb_printf(&req->out, "%u NHRP %s cleared\n", k, k == 1 ? "entry" : "entries");
	}
	return 0;
}

void nhrp_show_register(struct cli *cli)
{
	cli_register(cli, "show ip nhrp", nhrp_cli_show,
		     "[brief|detail] [A.B.C.D[/LEN]]: NHRP cache");
	cli_register(cli, "show ip nhrp nhs", nhrp_cli_nhs, "[detail]: next hop servers");
	cli_register(cli, "show ip nhrp traffic", nhrp_cli_traffic,
		     "NHRP packets sent and received per type, errors");
	cli_register(cli, "show ip nhrp summary", nhrp_cli_summary, "NHRP cache summary");
	cli_register(cli, "show dmvpn", nhrp_cli_dmvpn, "DMVPN peers");
	cli_register(cli, "clear ip nhrp", nhrp_cli_clear,
		     "[A.B.C.D[/LEN] | counters]: learned NHRP entries (or counters)");
}
