/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Static routes (`ip route`) and static neighbours (`arp`).  Next hops are
 * checked against what the node is connected to, so a route that could
 * never resolve is refused at load time rather than silently unreachable.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf_priv.h"
#include "msg.h"

/* ---- routes ------------------------------------------------------------- */

static const struct conf_key route_keys[] = {
	{ "prefix", true }, { "via" }, { "drop" }, { "table" }, { NULL },
};

static const char *const table_names[] = {
	[RT_OVERLAY] = "overlay",
	[RT_UNDERLAY] = "underlay",
};

static int route_load_table(struct conf_ctx *x, const config_setting_t *g, struct conf_route *r)
{
	const config_setting_t *ts;
	const char *v;
	char p[128];
	int rc = conf_get_cstr(x, g, "table", &v);

	r->table = RT_OVERLAY;
	if (rc <= 0)
		return rc;
	for (uint8_t t = 0; t < sizeof(table_names) / sizeof(table_names[0]); t++) {
		if (strcmp(v, table_names[t]) == 0) {
			r->table = t;
			return 0;
		}
	}
	ts = config_setting_get_member(g, "table");
	return conf_err(x, ts, "%s: '%s' must be \"overlay\" or \"underlay\"",
			conf_setting_path(ts, p, sizeof(p)), v);
}

/*
 * Overlay next hops are tunnel peers (resolved by NHRP) or hosts on a LAN;
 * underlay next hops are routers on a public segment (the NBMA network).
 */
static int route_check_via(struct conf_ctx *x, const config_setting_t *g, const struct conf_route *r)
{
	const config_setting_t *vs = config_setting_get_member(g, "via");
	const struct conf *c = x->c;
	const struct conf_tunnel *t = &c->tunnel;
	bool own;
	int i;
	char p[128];

	if (r->table == RT_OVERLAY && t->present && prefix_contains(t->addr, t->plen, r->via)) {
		own = r->via == t->addr;
	} else {
		uint32_t roles = r->table == RT_OVERLAY ?
			CONF_ROLE_BIT(PORT_ROLE_LAN) | CONF_ROLE_BIT(PORT_ROLE_HOST) :
			CONF_ROLE_BIT(PORT_ROLE_PUBLIC);

		i = conf_iface_containing(c, r->via, roles);
		if (i < 0)
			return conf_err(x, vs, "%s: %s is not inside %s",
					conf_setting_path(vs, p, sizeof(p)),
					config_setting_get_string(vs),
					r->table == RT_OVERLAY ?
					"the tunnel subnet or a lan/host interface subnet" :
					"a public interface subnet");
		own = r->via == c->ifaces[i].addr;
	}
	if (own)
		return conf_err(x, vs, "%s: %s is our own address",
				conf_setting_path(vs, p, sizeof(p)), config_setting_get_string(vs));
	return 0;
}

static int route_load(struct conf_ctx *x, const config_setting_t *g, struct conf_route *r)
{
	bool drop = false;
	char p[128];
	int has_via, has_drop;

	r->line = (int)config_setting_source_line(g);
	if (conf_check_keys(x, g, route_keys) < 0 ||
	    conf_get_prefix(x, g, "prefix", false, &r->prefix, &r->plen) < 0 ||
	    route_load_table(x, g, r) < 0)
		return -1;
	has_via = conf_get_addr(x, g, "via", &r->via);
	has_drop = conf_get_bool(x, g, "drop", &drop);
	if (has_via < 0 || has_drop < 0)
		return -1;
	if (has_via && drop)
		return conf_err(x, g, "%s: either via or drop = true, not both",
				conf_setting_path(g, p, sizeof(p)));
	if (!has_via && !drop)
		return conf_err(x, g, "%s: needs via = \"a.b.c.d\" or drop = true",
				conf_setting_path(g, p, sizeof(p)));
	r->type = drop ? CONF_RT_DROP : CONF_RT_VIA;
	return drop ? 0 : route_check_via(x, g, r);
}

static int routes_check_dup(struct conf_ctx *x, const config_setting_t *l)
{
	const struct conf *c = x->c;
	struct conf_dup *v = calloc(c->n_routes, sizeof(*v));
	char p[128], a[PREFIX_STRLEN];
	long d;
	int rc = 0;

	if (!v)
		return conf_err(x, l, "routes: out of memory");
	for (uint32_t i = 0; i < c->n_routes; i++) {
		const struct conf_route *r = &c->routes[i];

		v[i] = (struct conf_dup){
			.key = (uint64_t)r->table << 40 | (uint64_t)r->plen << 32 | ntohl(r->prefix),
			.idx = i,
			.s = config_setting_get_elem(l, i),
		};
	}
	d = conf_dup_find(v, c->n_routes);
	if (d >= 0) {
		const struct conf_route *r = &c->routes[v[d].idx];

		rc = conf_err(x, v[d].s, "%s: duplicate route %s in table %s (first at line %u)",
			      conf_setting_path(v[d].s, p, sizeof(p)),
			      prefix_fmt(r->prefix, r->plen, a), table_names[r->table],
			      config_setting_source_line(v[d - 1].s));
	}
	free(v);
	return rc;
}

int conf_load_routes(struct conf_ctx *x, const config_setting_t *l)
{
	struct conf *c = x->c;
	int n;

	if (!config_setting_is_list(l))
		return conf_err(x, l, "routes: must be a list ( { ... }, ... )");
	n = config_setting_length(l);
	if (n == 0)
		return 0;
	c->routes = calloc((size_t)n, sizeof(*c->routes));
	if (!c->routes)
		return conf_err(x, l, "routes: out of memory");
	for (int i = 0; i < n; i++) {
		if (route_load(x, config_setting_get_elem(l, (unsigned int)i), &c->routes[i]) < 0)
			return -1;
		c->n_routes = (uint32_t)i + 1;
	}
	return routes_check_dup(x, l);
}

/* ---- neighbors ---------------------------------------------------------- */

static const struct conf_key nbr_keys[] = {
	{ "address", true }, { "mac", true }, { "interface", true }, { NULL },
};

static int nbr_load_iface(struct conf_ctx *x, const config_setting_t *g, struct conf_nbr *nb)
{
	const config_setting_t *is = config_setting_get_member(g, "interface");
	const config_setting_t *as = config_setting_get_member(g, "address");
	const struct conf_iface *f;
	const char *v;
	char p[128];
	int i;

	if (conf_get_cstr(x, g, "interface", &v) < 0)
		return -1;
	i = conf_iface_find(x->c, v);
	if (i < 0)
		return conf_err(x, is, "%s: unknown interface '%s'",
				conf_setting_path(is, p, sizeof(p)), v);
	f = &x->c->ifaces[i];
	nb->iface = (uint8_t)i;
	if (!f->addr || !prefix_contains(f->addr, f->plen, nb->addr) || nb->addr == f->addr)
		return conf_err(x, as, "%s: %s is not a neighbour on interface '%s'",
				conf_setting_path(as, p, sizeof(p)), config_setting_get_string(as),
				f->name);
	return 0;
}

static int nbr_load(struct conf_ctx *x, const config_setting_t *g, struct conf_nbr *nb)
{
	const config_setting_t *ms = config_setting_get_member(g, "mac");
	const char *mac;
	char p[128];

	nb->line = (int)config_setting_source_line(g);
	if (conf_check_keys(x, g, nbr_keys) < 0 ||
	    conf_get_addr(x, g, "address", &nb->addr) < 0 ||
	    conf_get_cstr(x, g, "mac", &mac) < 0)
		return -1;
	/* a unicast station address: not zero, group bit clear */
	if (!mac_parse(mac, nb->mac) || (nb->mac[0] & 1) ||
	    !(nb->mac[0] | nb->mac[1] | nb->mac[2] | nb->mac[3] | nb->mac[4] | nb->mac[5]))
		return conf_err(x, ms, "%s: '%s' is not a unicast MAC aa:bb:cc:dd:ee:ff",
				conf_setting_path(ms, p, sizeof(p)), mac);
	return nbr_load_iface(x, g, nb);
}

static int nbrs_check_dup(struct conf_ctx *x, const config_setting_t *l)
{
	const struct conf *c = x->c;
	struct conf_dup *v = calloc(c->n_nbrs, sizeof(*v));
	char p[128], a[ADDR_STRLEN];
	long d;
	int rc = 0;

	if (!v)
		return conf_err(x, l, "neighbors: out of memory");
	for (uint32_t i = 0; i < c->n_nbrs; i++)
		v[i] = (struct conf_dup){
			.key = (uint64_t)c->nbrs[i].iface << 32 | ntohl(c->nbrs[i].addr),
			.idx = i,
			.s = config_setting_get_elem(l, i),
		};
	d = conf_dup_find(v, c->n_nbrs);
	if (d >= 0)
		rc = conf_err(x, v[d].s, "%s: duplicate neighbour %s (first at line %u)",
			      conf_setting_path(v[d].s, p, sizeof(p)),
			      addr_fmt(c->nbrs[v[d].idx].addr, a),
			      config_setting_source_line(v[d - 1].s));
	free(v);
	return rc;
}

int conf_load_neighbors(struct conf_ctx *x, const config_setting_t *l)
{
	struct conf *c = x->c;
	int n;

	if (!config_setting_is_list(l))
		return conf_err(x, l, "neighbors: must be a list ( { ... }, ... )");
	n = config_setting_length(l);
	if (n == 0)
		return 0;
	c->nbrs = calloc((size_t)n, sizeof(*c->nbrs));
	if (!c->nbrs)
		return conf_err(x, l, "neighbors: out of memory");
	for (int i = 0; i < n; i++) {
		if (nbr_load(x, config_setting_get_elem(l, (unsigned int)i), &c->nbrs[i]) < 0)
			return -1;
		c->n_nbrs = (uint32_t)i + 1;
	}
	return nbrs_check_dup(x, l);
}
