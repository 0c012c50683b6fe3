/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The nhrp section: the `ip nhrp ...` commands of the tunnel interface
 * (seed 003 hub and spoke, seed 000 Examples 7-8, 7-9, 7-18, 7-19).
 *
 *   network_id            ip nhrp network-id
 *   holdtime              ip nhrp holdtime (RFC 2332 5.2.3: registration
 *                         refresh at holdtime / 3 unless registration_timeout)
 *   authentication        ip nhrp authentication (cleartext, 8 characters)
 *   map                   ip nhrp map <protocol> <nbma>
 *   map_multicast         ip nhrp map multicast dynamic | <nbma>
 *   nhs                   ip nhrp nhs <protocol>  (its NBMA comes from map)
 *   redirect, shortcut    ip nhrp redirect / shortcut (Phase 3)
 *   no_unique             ip nhrp registration no-unique
 *
 * Static maps can number tens of thousands: duplicates are found by sorting
 * a copy, and the NHS lookups use the sorted copy.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf_priv.h"

static const struct conf_key nhrp_keys[] = {
	{ "network_id" }, { "holdtime" }, { "authentication" }, { "map" },
	{ "map_multicast" }, { "nhs" }, { "redirect" }, { "shortcut" }, { "no_unique" },
	{ "registration_timeout" }, { NULL },
};

static const struct conf_key map_keys[] = { { "protocol", true }, { "nbma", true }, { NULL } };

/* A protocol (overlay) address of a peer: in the tunnel subnet, not ours. */
static int nhrp_check_proto(struct conf_ctx *x, const config_setting_t *s, uint32_t a)
{
	const struct conf_tunnel *t = &x->c->tunnel;
	char p[128], buf[ADDR_STRLEN], net[PREFIX_STRLEN];

	if (!prefix_contains(t->addr, t->plen, a))
		return conf_err(x, s, "%s: %s is outside the tunnel subnet %s",
				conf_setting_path(s, p, sizeof(p)), addr_fmt(a, buf),
				prefix_fmt(t->addr & plen_mask(t->plen), t->plen, net));
	if (a == t->addr)
		return conf_err(x, s, "%s: %s is our own tunnel address",
				conf_setting_path(s, p, sizeof(p)), addr_fmt(a, buf));
	return 0;
}

static int nhrp_check_nbma(struct conf_ctx *x, const config_setting_t *s, uint32_t a)
{
	char p[128], buf[ADDR_STRLEN];

	if (conf_addr_unicast(a))
		return 0;
	return conf_err(x, s, "%s: %s is not a unicast NBMA address",
			conf_setting_path(s, p, sizeof(p)), addr_fmt(a, buf));
}

static int nhrp_load_map(struct conf_ctx *x, const config_setting_t *g, struct conf_nhrp_map *m)
{
	m->line = (int)config_setting_source_line(g);
	if (conf_check_keys(x, g, map_keys) < 0 ||
	    conf_get_addr(x, g, "protocol", &m->proto) < 0 ||
	    conf_get_addr(x, g, "nbma", &m->nbma) < 0 ||
	    nhrp_check_proto(x, config_setting_get_member(g, "protocol"), m->proto) < 0 ||
	    nhrp_check_nbma(x, config_setting_get_member(g, "nbma"), m->nbma) < 0)
		return -1;
	return 0;
}

/* Loads nhrp.map and leaves *sorted (by protocol address) for the NHS
 * lookups; the caller frees it. */
static int nhrp_load_maps(struct conf_ctx *x, const config_setting_t *l,
			  struct conf_dup **sorted)
{
	struct conf_nhrp *nh = &x->c->nhrp;
	char p[128], a[ADDR_STRLEN];
	struct conf_dup *v;
	int n = config_setting_length(l);
	long d;

	if (!config_setting_is_list(l))
		return conf_err(x, l, "nhrp.map: must be a list ( { protocol = ...; nbma = ...; }, ... )");
	if (n == 0)
		return 0;
	nh->maps = calloc((size_t)n, sizeof(*nh->maps));
	*sorted = v = calloc((size_t)n, sizeof(*v));
	if (!nh->maps || !v)
		return conf_err(x, l, "nhrp.map: out of memory");
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(l, (unsigned int)i);

		if (nhrp_load_map(x, g, &nh->maps[i]) < 0)
			return -1;
		nh->n_maps = (uint32_t)i + 1;
		v[i] = (struct conf_dup){ .key = ntohl(nh->maps[i].proto), .idx = (uint32_t)i, .s = g };
	}
	d = conf_dup_find(v, nh->n_maps);
	if (d >= 0)
		return conf_err(x, v[d].s, "%s: duplicate map for %s (first at line %u)",
				conf_setting_path(v[d].s, p, sizeof(p)),
				addr_fmt(nh->maps[v[d].idx].proto, a),
				config_setting_source_line(v[d - 1].s));
	return 0;
}

/* One element of map_multicast: "dynamic" or an NBMA address. */
static int nhrp_load_mc_elem(struct conf_ctx *x, const config_setting_t *e, struct conf_dup *v)
{
	struct conf_nhrp *nh = &x->c->nhrp;
	const char *s = config_setting_get_string(e);
	char p[128];
	uint32_t a;

	if (s && strcmp(s, "dynamic") == 0) {
		if (nh->multicast_dynamic)
			return conf_err(x, e, "%s: \"dynamic\" given twice",
					conf_setting_path(e, p, sizeof(p)));
		nh->multicast_dynamic = true;
		return 0;
	}
	if (conf_elem_addr(x, e, &a) < 0 || nhrp_check_nbma(x, e, a) < 0)
		return -1;
	v[nh->n_multicast] = (struct conf_dup){ .key = ntohl(a), .idx = nh->n_multicast, .s = e };
	nh->multicast[nh->n_multicast++] = a;
	return 0;
}

static int nhrp_load_multicast(struct conf_ctx *x, const config_setting_t *s)
{
	struct conf_nhrp *nh = &x->c->nhrp;
	bool single = config_setting_type(s) == CONFIG_TYPE_STRING;
	int n = single ? 1 : config_setting_length(s);
	char p[128], a[ADDR_STRLEN];
	struct conf_dup *v;
	long d;
	int rc = 0;

	if (!single && !config_setting_is_list(s) && !config_setting_is_array(s))
		return conf_err(x, s, "nhrp.map_multicast: must be \"dynamic\" or a list of NBMA addresses");
	if (n == 0)
		return 0;
	nh->multicast = calloc((size_t)n, sizeof(*nh->multicast));
	v = calloc((size_t)n, sizeof(*v));
	if (!nh->multicast || !v) {
		free(v);
		return conf_err(x, s, "nhrp.map_multicast: out of memory");
	}
	for (int i = 0; i < n && rc == 0; i++)
		rc = nhrp_load_mc_elem(x, single ? s : config_setting_get_elem(s, (unsigned int)i), v);
	d = rc == 0 ? conf_dup_find(v, nh->n_multicast) : -1;
	if (d >= 0)
		rc = conf_err(x, v[d].s, "%s: %s is listed twice", conf_setting_path(v[d].s, p, sizeof(p)),
			      addr_fmt(nh->multicast[v[d].idx], a));
	free(v);
	return rc;
}

/* Each NHS is a protocol address whose NBMA a static map gives (the spoke
 * must reach its NHS before it has registered anywhere). */
static int nhrp_load_nhs_elem(struct conf_ctx *x, const config_setting_t *e,
			      const struct conf_dup *maps, uint32_t n_maps)
{
	struct conf_nhrp *nh = &x->c->nhrp;
	char p[128], buf[ADDR_STRLEN];
	uint32_t a;

	if (conf_elem_addr(x, e, &a) < 0 || nhrp_check_proto(x, e, a) < 0)
		return -1;
	for (uint32_t j = 0; j < nh->n_nhs; j++)
		if (nh->nhs[j] == a)
			return conf_err(x, e, "%s: nhs %s is listed twice",
					conf_setting_path(e, p, sizeof(p)), addr_fmt(a, buf));
	if (!conf_dup_lookup(maps, n_maps, ntohl(a)))
		return conf_err(x, e, "nhs %s has no nhrp.map (NBMA unknown)", addr_fmt(a, buf));
	nh->nhs[nh->n_nhs++] = a;
	return 0;
}

static int nhrp_load_nhs(struct conf_ctx *x, const config_setting_t *s,
			 const struct conf_dup *maps)
{
	bool single = config_setting_type(s) == CONFIG_TYPE_STRING;
	int n = single ? 1 : config_setting_length(s);
	uint32_t n_maps = x->c->nhrp.n_maps;

	if (!single && !config_setting_is_list(s) && !config_setting_is_array(s))
		return conf_err(x, s, "nhrp.nhs: must be a list of protocol addresses");
	if (n > CONF_MAX_NHS)
		return conf_err(x, s, "nhrp.nhs: at most %d servers (got %d)", CONF_MAX_NHS, n);
	for (int i = 0; i < n; i++)
		if (nhrp_load_nhs_elem(x, single ? s : config_setting_get_elem(s, (unsigned int)i),
				       maps, n_maps) < 0)
			return -1;
	return 0;
}

static int nhrp_load_scalars(struct conf_ctx *x, const config_setting_t *g)
{
	struct conf_nhrp *nh = &x->c->nhrp;
	const config_setting_t *auth = config_setting_get_member(g, "authentication");
	const config_setting_t *rt = config_setting_get_member(g, "registration_timeout");
	int rc;

	if (conf_get_u32(x, g, "network_id", 1, UINT32_MAX, &nh->network_id) < 0 ||
	    conf_get_u32(x, g, "holdtime", 1, 65535, &nh->holdtime) < 0 ||
	    conf_get_bool(x, g, "redirect", &nh->redirect) < 0 ||
	    conf_get_bool(x, g, "shortcut", &nh->shortcut) < 0 ||
	    conf_get_bool(x, g, "no_unique", &nh->no_unique) < 0 ||
	    conf_get_u32(x, g, "registration_timeout", 1, 65535, &nh->registration_timeout) < 0)
		return -1;
	/* Cisco sends the password in clear in the authentication extension
	 * (wire-formats.md 3.1); IOS truncates at 8, we refuse instead. */
	rc = conf_get_str(x, g, "authentication", nh->auth, sizeof(nh->auth));
	conf_setting_wipe(auth);
	if (rc < 0)
		return -1;
	if (rt && nh->registration_timeout >= nh->holdtime)
		return conf_err(x, rt, "nhrp.registration_timeout: %u must be less than holdtime %u",
				nh->registration_timeout, nh->holdtime);
	return 0;
}

int conf_load_nhrp(struct conf_ctx *x, const config_setting_t *g)
{
	const config_setting_t *maps = config_setting_get_member(g, "map");
	const config_setting_t *mc = config_setting_get_member(g, "map_multicast");
	const config_setting_t *nhs = config_setting_get_member(g, "nhs");
	struct conf_dup *sorted = NULL;
	int rc = -1;

	if (conf_check_keys(x, g, nhrp_keys) < 0)
		return -1;
	if (!x->c->tunnel.present)
		return conf_err(x, g, "nhrp: needs a tunnel section (ip nhrp is a tunnel interface command)");
	if (nhrp_load_scalars(x, g) < 0)
		return -1;
	if ((!maps || nhrp_load_maps(x, maps, &sorted) == 0) &&
	    (!mc || nhrp_load_multicast(x, mc) == 0) &&
	    (!nhs || nhrp_load_nhs(x, nhs, sorted) == 0))
		rc = 0;
	free(sorted);
	return rc;
}
