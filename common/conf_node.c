/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The node's own sections: instance, rundir, dataplane, interfaces, tunnel
 * and log.  The data plane needs instance, dataplane and interfaces to start
 * (EAL arguments, devices); the controller pushes the L3 part (addresses,
 * MTUs, gateways, the tunnel) with MSG_PORT_SET and MSG_TUNNEL_SET.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf_priv.h"
#include "log.h"

#define CONF_INSTANCE_MAX 24
#define CONF_LCORE_MAX 1024	/* lcore ids accepted in dataplane.lcores */
#define GRE_IPV4_OVERHEAD 24	/* outer IPv4 20 + GRE 4 (RFC 2784) */
#define GRE_KEY_OVERHEAD 4	/* RFC 2890 key field */

/* ---- instance, rundir --------------------------------------------------- */

int conf_load_instance(struct conf_ctx *x, const config_setting_t *s)
{
	const char *v;

	if (conf_get_cstr(x, config_setting_parent(s), "instance", &v) < 0)
		return -1;
	if (!conf_name_valid(v, CONF_INSTANCE_MAX, false))
		return conf_err(x, s, "instance: '%.40s' must be 1..%d characters of A-Z a-z 0-9 _ -",
				v, CONF_INSTANCE_MAX);
	snprintf(x->c->instance, sizeof(x->c->instance), "%s", v);
	return 0;
}

int conf_load_rundir(struct conf_ctx *x, const config_setting_t *s)
{
	const config_setting_t *root = config_setting_parent(s);

	if (conf_get_str(x, root, "rundir", x->c->rundir, sizeof(x->c->rundir)) < 0)
		return -1;
	if (x->c->rundir[0] != '/')
		return conf_err(x, s, "rundir: '%s' must be an absolute path", x->c->rundir);
	x->rundir = s;
	return 0;
}

/* ---- dataplane ---------------------------------------------------------- */

static const struct conf_key dp_keys[] = {
	{ "lcores" }, { "main_lcore" }, { "workers" }, { "memory_mb" }, { "mbufs" },
	{ "burst" }, { "rx_desc" }, { "tx_desc" }, { "idle" }, { "idle_sleep_max_us" },
	{ "segment_dir" }, { "max_adjacencies" }, { "max_sas" }, { "fib_tbl8" },
	{ "max_routes" }, { "pci" }, { "eal_args" }, { NULL },
};

/* "@cpu" after an lcore (EAL --lcores "lcore@cpu"): skip it, count pinnings. */
static const char *lcores_cpu(const char *s, int *pinned)
{
	int d = 0;

	if (*s != '@')
		return s;
	for (s++; *s >= '0' && *s <= '9' && d < 5; s++, d++)
		;
	*pinned += d > 0 ? 1 : -CONF_LCORE_MAX;
	return s;
}

/* EAL -l syntax ("0,1", "0-3", "0,2-5") into a set; the count, or -1.
 * Single lcores may name their CPU (EAL --lcores: "0@0,1@1,2@1": three
 * lcores on two CPUs, for tests on small machines). */
static int lcores_parse(const char *s, uint8_t set[CONF_LCORE_MAX / 8])
{
	int pinned = 0;

	int count = 0;

	memset(set, 0, CONF_LCORE_MAX / 8);
	for (;;) {
		unsigned int lo = 0, hi;
		int d = 0;

		for (; *s >= '0' && *s <= '9' && d < 5; s++, d++)
			lo = lo * 10 + (unsigned int)(*s - '0');
		if (d == 0 || lo >= CONF_LCORE_MAX)
			return -1;
		hi = lo;
		if (*s == '-') {
			s++;
			for (hi = 0, d = 0; *s >= '0' && *s <= '9' && d < 5; s++, d++)
				hi = hi * 10 + (unsigned int)(*s - '0');
			if (d == 0 || hi >= CONF_LCORE_MAX || hi < lo)
				return -1;
		}
		for (unsigned int i = lo; i <= hi; i++) {
			count += !(set[i / 8] & (1u << (i % 8)));
			set[i / 8] |= (uint8_t)(1u << (i % 8));
		}
		if (hi == lo)
			s = lcores_cpu(s, &pinned);
		if (pinned < 0)
			return -1;
		if (*s == '\0')
			return count;
		if (*s++ != ',')
			return -1;
	}
}

/* The main lcore plus one lcore per worker must be in the lcore list. */
static int dp_check_lcores(struct conf_ctx *x, const config_setting_t *g)
{
	const struct conf_dataplane *dp = &x->c->dp;
	const char *list = dp->lcores[0] ? dp->lcores : "0,1";
	const config_setting_t *ls = config_setting_get_member(g, "lcores");
	const config_setting_t *ws = config_setting_get_member(g, "workers");
	uint8_t set[CONF_LCORE_MAX / 8];
	int n = lcores_parse(list, set);
	unsigned int main_id;

	if (n < 0)
		return conf_err(x, ls, "dataplane.lcores: '%s' is not an lcore list like \"0,1\" or \"0-3\"",
				list);
	if ((uint32_t)n < dp->workers + 1)
		return conf_err(x, ws ? ws : ls ? ls : g,
				"dataplane.workers: %u worker(s) and the main lcore need %u lcores, lcores \"%s\" has %d",
				dp->workers, dp->workers + 1, list, n);
	if (dp->main_lcore[0]) {
		const config_setting_t *ms = config_setting_get_member(g, "main_lcore");
		char *end;
		unsigned long v = strtoul(dp->main_lcore, &end, 10);

		main_id = (unsigned int)v;
		if (*end || dp->main_lcore[0] < '0' || dp->main_lcore[0] > '9' ||
		    v >= CONF_LCORE_MAX || !(set[main_id / 8] & (1u << (main_id % 8))))
			return conf_err(x, ms, "dataplane.main_lcore: '%s' is not one of lcores \"%s\"",
					dp->main_lcore, list);
	}
	return 0;
}

static int dp_load_strings(struct conf_ctx *x, const config_setting_t *g, const char *name,
			   char *base, size_t width, uint32_t max, uint32_t *n)
{
	const config_setting_t *l = config_setting_get_member(g, name);
	char p[128];
	int len;

	if (!l)
		return 0;
	if (conf_need_list(x, l) < 0)
		return -1;
	len = config_setting_length(l);
	if ((uint32_t)len > max)
		return conf_err(x, l, "dataplane.%s: at most %u entries (got %d)", name, max, len);
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(l, (unsigned int)i);
		const char *v = config_setting_get_string(e);

		if (!v || !*v || strlen(v) >= width)
			return conf_err(x, e, "%s: must be a string of 1..%zu characters",
					conf_setting_path(e, p, sizeof(p)), width - 1);
		memcpy(base + (size_t)i * width, v, strlen(v) + 1);
	}
	*n = (uint32_t)len;
	return 0;
}

static int dp_load_idle(struct conf_ctx *x, const config_setting_t *g)
{
	const char *v;
	int rc = conf_get_cstr(x, g, "idle", &v);

	if (rc <= 0)
		return rc;
	if (strcmp(v, "adaptive") == 0)
		x->c->dp.adaptive_idle = true;
	else if (strcmp(v, "poll") == 0)
		x->c->dp.adaptive_idle = false;
	else
		return conf_err(x, config_setting_get_member(g, "idle"),
				"dataplane.idle: '%s' must be \"adaptive\" or \"poll\"", v);
	return 1;
}

int conf_load_dataplane(struct conf_ctx *x, const config_setting_t *g)
{
	struct conf_dataplane *dp = &x->c->dp;

	if (conf_check_keys(x, g, dp_keys) < 0 ||
	    conf_get_str(x, g, "lcores", dp->lcores, sizeof(dp->lcores)) < 0 ||
	    conf_get_str(x, g, "main_lcore", dp->main_lcore, sizeof(dp->main_lcore)) < 0 ||
	    conf_get_u32(x, g, "workers", 1, SHM_MAX_WORKERS, &dp->workers) < 0 ||
	    conf_get_u32(x, g, "memory_mb", 64, 65536, &dp->memory_mb) < 0 ||
	    conf_get_u32(x, g, "mbufs", 512, 1u << 24, &dp->mbufs) < 0 ||
	    conf_get_u32(x, g, "burst", 1, 256, &dp->burst) < 0 ||
	    conf_get_u32(x, g, "rx_desc", 64, 16384, &dp->rx_desc) < 0 ||
	    conf_get_u32(x, g, "tx_desc", 64, 16384, &dp->tx_desc) < 0 ||
	    dp_load_idle(x, g) < 0 ||
	    conf_get_u32(x, g, "idle_sleep_max_us", 0, 100000, &dp->idle_sleep_max_us) < 0 ||
	    conf_get_str(x, g, "segment_dir", dp->segment_dir, sizeof(dp->segment_dir)) < 0 ||
	    conf_get_u32(x, g, "max_adjacencies", 16, 1u << 20, &dp->max_adjacencies) < 0 ||
	    conf_get_u32(x, g, "max_sas", 16, 1u << 20, &dp->max_sas) < 0 ||
	    conf_get_u32(x, g, "fib_tbl8", 16, 1u << 20, &dp->fib_tbl8) < 0 ||
	    conf_get_u32(x, g, "max_routes", 16, 1u << 24, &dp->max_routes) < 0 ||
	    dp_load_strings(x, g, "pci", &dp->pci[0][0], sizeof(dp->pci[0]), CONF_MAX_PCI,
			    &dp->n_pci) < 0 ||
	    dp_load_strings(x, g, "eal_args", &dp->eal_args[0][0], sizeof(dp->eal_args[0]),
			    CONF_MAX_EAL_ARGS, &dp->n_eal_args) < 0)
		return -1;
	if (dp->segment_dir[0] != '/')
		return conf_err(x, config_setting_get_member(g, "segment_dir"),
				"dataplane.segment_dir: '%s' must be an absolute path", dp->segment_dir);
	return dp_check_lcores(x, g);
}

/* ---- interfaces --------------------------------------------------------- */

static const struct conf_key iface_keys[] = {
	{ "name", true }, { "device", true }, { "role", true },
	{ "address" }, { "mtu" }, { "gateway" }, { NULL },
};

static const char *const role_names[] = {
	[PORT_ROLE_PUBLIC] = "public",
	[PORT_ROLE_LAN] = "lan",
	[PORT_ROLE_HOST] = "host",
};

static int iface_load_role(struct conf_ctx *x, const config_setting_t *g, struct conf_iface *f)
{
	const config_setting_t *rs;
	const char *v;
	char p[128];

	if (conf_get_cstr(x, g, "role", &v) < 0)
		return -1;
	for (uint8_t r = 0; r < sizeof(role_names) / sizeof(role_names[0]); r++) {
		if (strcmp(v, role_names[r]) == 0) {
			f->role = r;
			return 0;
		}
	}
	rs = config_setting_get_member(g, "role");
	return conf_err(x, rs, "%s: '%s' must be \"public\", \"lan\" or \"host\"",
			conf_setting_path(rs, p, sizeof(p)), v);
}

/* An interface (or tunnel) address: not the network or broadcast address. */
static bool host_addr_valid(uint32_t a, uint8_t plen)
{
	uint32_t host = a & ~plen_mask(plen);

	if (!conf_addr_unicast(a) || plen == 0)
		return false;
	return plen > 30 || (host != 0 && host != ~plen_mask(plen));
}

static int iface_load_addr(struct conf_ctx *x, const config_setting_t *g, struct conf_iface *f)
{
	const config_setting_t *as = config_setting_get_member(g, "address");
	const config_setting_t *gs = config_setting_get_member(g, "gateway");
	char a[PREFIX_STRLEN], p[128];
	int rc = conf_get_prefix(x, g, "address", true, &f->addr, &f->plen);

	if (rc < 0)
		return -1;
	if (rc == 0 && f->role != PORT_ROLE_HOST)
		return conf_err(x, g, "%s: missing 'address' (needed for role %s)",
				conf_setting_path(g, p, sizeof(p)), role_names[f->role]);
	if (rc == 1 && !host_addr_valid(f->addr, f->plen))
		return conf_err(x, as, "%s: %s is not a host address of its subnet",
				conf_setting_path(as, p, sizeof(p)), prefix_fmt(f->addr, f->plen, a));
	rc = conf_get_addr(x, g, "gateway", &f->gateway);
	if (rc <= 0)
		return rc;
	if (!f->addr)
		return conf_err(x, gs, "%s: a gateway needs an address",
				conf_setting_path(gs, p, sizeof(p)));
	if (!prefix_contains(f->addr, f->plen, f->gateway) || f->gateway == f->addr)
		return conf_err(x, gs, "%s: %s is not another address of %s",
				conf_setting_path(gs, p, sizeof(p)), config_setting_get_string(gs),
				prefix_fmt(f->addr & plen_mask(f->plen), f->plen, a));
	return 0;
}

/* Names, DPDK devices and subnets must differ between interfaces. */
static int iface_check_unique(struct conf_ctx *x, const config_setting_t *g, uint32_t i)
{
	const struct conf_iface *f = &x->c->ifaces[i];
	size_t dlen = strcspn(f->device, ",");
	char p[128];

	for (uint32_t j = 0; j < i; j++) {
		const struct conf_iface *o = &x->c->ifaces[j];
		uint8_t plen = f->plen < o->plen ? f->plen : o->plen;

		if (strcmp(o->name, f->name) == 0)
			return conf_err(x, config_setting_get_member(g, "name"),
					"duplicate interface name '%s' (first at line %d)", f->name,
					o->line);
		if (strcspn(o->device, ",") == dlen && strncmp(o->device, f->device, dlen) == 0)
			return conf_err(x, config_setting_get_member(g, "device"),
					"%s: device '%.*s' is already used by interface '%s'",
					conf_setting_path(g, p, sizeof(p)), (int)dlen, f->device, o->name);
		if (f->addr && o->addr && prefix_contains(f->addr, plen, o->addr))
			return conf_err(x, config_setting_get_member(g, "address"),
					"%s: subnet overlaps interface '%s'",
					conf_setting_path(g, p, sizeof(p)), o->name);
	}
	return 0;
}

static int iface_load(struct conf_ctx *x, const config_setting_t *g, uint32_t i)
{
	struct conf_iface *f = &x->c->ifaces[i];
	char p[128];

	f->mtu = 1500;
	f->line = (int)config_setting_source_line(g);
	if (conf_check_keys(x, g, iface_keys) < 0 ||
	    conf_get_str(x, g, "name", f->name, sizeof(f->name)) < 0 ||
	    conf_get_str(x, g, "device", f->device, sizeof(f->device)) < 0 ||
	    iface_load_role(x, g, f) < 0 ||
	    conf_get_u16(x, g, "mtu", 576, 9000, &f->mtu) < 0 ||
	    iface_load_addr(x, g, f) < 0)
		return -1;
	if (!conf_name_valid(f->name, sizeof(f->name) - 1, true))
		return conf_err(x, config_setting_get_member(g, "name"),
				"%s: name '%s' may use A-Z a-z 0-9 _ - . / : only",
				conf_setting_path(g, p, sizeof(p)), f->name);
	return iface_check_unique(x, g, i);
}

int conf_load_interfaces(struct conf_ctx *x, const config_setting_t *l)
{
	int n;

	if (!config_setting_is_list(l))
		return conf_err(x, l, "interfaces: must be a list ( { ... }, ... )");
	n = config_setting_length(l);
	if (n < 1 || n > SHM_MAX_PORTS)
		return conf_err(x, l, "interfaces: 1..%d interfaces (got %d)", SHM_MAX_PORTS, n);
	for (int i = 0; i < n; i++) {
		if (iface_load(x, config_setting_get_elem(l, (unsigned int)i), (uint32_t)i) < 0)
			return -1;
		x->c->n_ifaces = (uint32_t)i + 1;
	}
	return 0;
}

/* ---- tunnel ------------------------------------------------------------- */

static const struct conf_key tunnel_keys[] = {
	{ "name" }, { "address", true }, { "source", true }, { "key" }, { "mtu" },
	{ "protection" }, { NULL },
};

static int tunnel_load_source(struct conf_ctx *x, const config_setting_t *g)
{
	const config_setting_t *s = config_setting_get_member(g, "source");
	struct conf_tunnel *t = &x->c->tunnel;
	const char *v;
	int i;

	if (conf_get_cstr(x, g, "source", &v) < 0)
		return -1;
	i = conf_iface_find(x->c, v);
	if (i < 0)
		return conf_err(x, s, "tunnel.source: no interface named '%s'", v);
	if (x->c->ifaces[i].role != PORT_ROLE_PUBLIC)
		return conf_err(x, s, "tunnel.source: interface '%s' has role %s, must be public", v,
				role_names[x->c->ifaces[i].role]);
	t->source = (uint8_t)i;
	return 0;
}

/* `ip mtu` is the largest inner packet: it must fit the source interface
 * with the outer IPv4 + GRE (+ key) around it, or every full-size packet
 * would need fragmenting after encapsulation. */
static int tunnel_check_mtu(struct conf_ctx *x, const config_setting_t *g)
{
	const config_setting_t *ms = config_setting_get_member(g, "mtu");
	const struct conf_tunnel *t = &x->c->tunnel;
	const struct conf_iface *src = &x->c->ifaces[t->source];
	unsigned int max = src->mtu - GRE_IPV4_OVERHEAD - (t->has_key ? GRE_KEY_OVERHEAD : 0);

	if (t->mtu <= max)
		return 0;
	return conf_err(x, ms ? ms : g,
			"tunnel.mtu: %u%s does not fit '%s' (mtu %u): at most %u with IPv4 + GRE%s",
			t->mtu, ms ? "" : " (default)", src->name, src->mtu, max,
			t->has_key ? " + key" : "");
}

static int tunnel_check_subnet(struct conf_ctx *x, const config_setting_t *g)
{
	const config_setting_t *as = config_setting_get_member(g, "address");
	const struct conf_tunnel *t = &x->c->tunnel;
	char a[PREFIX_STRLEN];

	if (t->plen < 1 || t->plen > 30 || !host_addr_valid(t->addr, t->plen))
		return conf_err(x, as, "tunnel.address: %s must be a host address in a /1../30 subnet",
				prefix_fmt(t->addr, t->plen, a));
	for (uint32_t i = 0; i < x->c->n_ifaces; i++) {
		const struct conf_iface *f = &x->c->ifaces[i];
		uint8_t plen = f->plen < t->plen ? f->plen : t->plen;

		if (f->addr && prefix_contains(f->addr, plen, t->addr))
			return conf_err(x, as, "tunnel.address: subnet overlaps interface '%s'",
					f->name);
	}
	return 0;
}

int conf_load_tunnel(struct conf_ctx *x, const config_setting_t *g)
{
	struct conf_tunnel *t = &x->c->tunnel;
	int rc;

	t->present = true;
	t->line = (int)config_setting_source_line(g);
	if (conf_check_keys(x, g, tunnel_keys) < 0 ||
	    conf_get_str(x, g, "name", t->name, sizeof(t->name)) < 0 ||
	    conf_get_prefix(x, g, "address", true, &t->addr, &t->plen) < 0 ||
	    tunnel_check_subnet(x, g) < 0 ||
	    tunnel_load_source(x, g) < 0)
		return -1;
	rc = conf_get_u32(x, g, "key", 0, UINT32_MAX, &t->key);
	if (rc < 0)
		return -1;
	t->has_key = rc == 1;
	if (conf_get_u16(x, g, "mtu", 576, 9000, &t->mtu) < 0 ||
	    conf_get_str(x, g, "protection", t->protection, sizeof(t->protection)) < 0)
		return -1;
	if (!conf_name_valid(t->name, sizeof(t->name) - 1, true))
		return conf_err(x, config_setting_get_member(g, "name"),
				"tunnel.name: '%s' may use A-Z a-z 0-9 _ - . / : only", t->name);
	return tunnel_check_mtu(x, g);
}

/* ---- log ---------------------------------------------------------------- */

static const struct conf_key log_keys[] = { { "level" }, { "file" }, { NULL } };

int conf_load_log(struct conf_ctx *x, const config_setting_t *g)
{
	const char *v;
	int rc, lvl;

	if (conf_check_keys(x, g, log_keys) < 0 ||
	    conf_get_str(x, g, "file", x->c->log.file, sizeof(x->c->log.file)) < 0)
		return -1;
	rc = conf_get_cstr(x, g, "level", &v);
	if (rc <= 0)
		return rc;
	lvl = log_level_parse(v);
	if (lvl < 0)
		return conf_err(x, config_setting_get_member(g, "level"),
				"log.level: '%s' must be \"err\", \"warn\", \"info\" or \"debug\"", v);
	x->c->log.level = (uint8_t)lvl;
	return 0;
}
