/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Desired state from the configuration and its sync (states in sync.h).
 */
#include "sync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "ctl.h"
#include "log.h"

static const char *const sync_state_names[SYNC__MAX] = {
	[SYNC_DOWN] = "down",
	[SYNC_REFUSED] = "refused",
	[SYNC_REPLAYING] = "replaying",
	[SYNC_SYNCED] = "in sync",
};

const char *sync_state_name(enum sync_state s)
{
	return s < SYNC__MAX ? sync_state_names[s] : "?";
}

static void sync_state_set(struct ctl *c, enum sync_state to)
{
	static const bool ok[SYNC__MAX][SYNC__MAX] = {
		[SYNC_DOWN][SYNC_REFUSED] = true,
		[SYNC_DOWN][SYNC_REPLAYING] = true,
		[SYNC_REFUSED][SYNC_DOWN] = true,
		[SYNC_REPLAYING][SYNC_REPLAYING] = true,	/* retry */
		[SYNC_REPLAYING][SYNC_SYNCED] = true,
		[SYNC_REPLAYING][SYNC_DOWN] = true,
		[SYNC_SYNCED][SYNC_DOWN] = true,
	};

	if (!ok[c->sync.state][to]) {
		log_err("sync: invalid transition %s -> %s", sync_state_name(c->sync.state),
			sync_state_name(to));
		abort();
	}
	log_debug("sync: %s -> %s", sync_state_name(c->sync.state), sync_state_name(to));
	c->sync.state = to;
}

bool sync_can_send(const struct ctl *c)
{
	return c->sync.state == SYNC_REPLAYING || c->sync.state == SYNC_SYNCED;
}

int sync_send_cb(struct ctl *c, uint16_t type, const void *body, uint16_t len, dp_done_cb cb)
{
	int err = dpconn_send(&c->dp, type, body, len, cb, c);

	if (err)
		log_warn("sync: cannot send %s: %s", dp_msg_name(type), strerror(-err));
	return err;
}

int sync_send(struct ctl *c, uint16_t type, const void *body, uint16_t len)
{
	return sync_send_cb(c, type, body, len, NULL);
}

/* ---- desired state from the configuration ---- */

static uint8_t role_table(uint8_t role)
{
	return role == PORT_ROLE_PUBLIC ? RT_UNDERLAY : RT_OVERLAY;
}

static void sync_routes_ifaces(struct ctl *c)
{
	const struct conf *cf = &c->conf;

	for (uint32_t i = 0; i < cf->n_ifaces; i++) {
		const struct conf_iface *f = &cf->ifaces[i];
		uint8_t t = role_table(f->role);
		struct rt_nh conn = { .type = NH_CONNECTED, .port = (uint8_t)i };
		struct rt_nh local = { .type = NH_LOCAL, .port = (uint8_t)i };
		struct rt_nh gw = { .type = NH_GATEWAY, .port = (uint8_t)i, .value = f->gateway };

		if (!f->addr)
			continue;
		rt_set(c, RT_SRC_CONNECTED, t, f->addr, f->plen, &conn);
		rt_set(c, RT_SRC_LOCAL, t, f->addr, 32, &local);
		if (f->gateway)
			rt_set(c, RT_SRC_STATIC, t, 0, 0, &gw);
	}
	if (cf->tunnel.present) {
		struct rt_nh glean = { .type = NH_GLEAN, .port = 0, .value = 0 };
		struct rt_nh local = { .type = NH_LOCAL, .port = cf->tunnel.source };

		rt_set(c, RT_SRC_CONNECTED, RT_OVERLAY, cf->tunnel.addr, cf->tunnel.plen, &glean);
		rt_set(c, RT_SRC_LOCAL, RT_OVERLAY, cf->tunnel.addr, 32, &local);
	}
}

/* The interface of a table whose subnet holds addr, or -1. */
static int iface_on_link(const struct conf *cf, uint8_t table, uint32_t addr)
{
	for (uint32_t i = 0; i < cf->n_ifaces; i++) {
		const struct conf_iface *f = &cf->ifaces[i];

		if (f->addr && role_table(f->role) == table && prefix_contains(f->addr, f->plen, addr))
			return (int)i;
	}
	return -1;
}

static bool sync_route_nh(const struct conf *cf, const struct conf_route *r, struct rt_nh *nh)
{
	int port;

	if (r->type == CONF_RT_DROP) {
		*nh = (struct rt_nh){ .type = NH_DROP };
		return true;
	}
	if (r->table == RT_OVERLAY && cf->tunnel.present &&
	    prefix_contains(cf->tunnel.addr, cf->tunnel.plen, r->via)) {
		*nh = (struct rt_nh){ .type = RT_NH_VIA, .port = 0, .value = r->via };
		return true;
	}
	port = iface_on_link(cf, r->table, r->via);
	if (port < 0 && r->table == RT_UNDERLAY && cf->tunnel.present)
		port = cf->tunnel.source;	/* an off-link underlay gateway: the tunnel source port */
	if (port < 0)
		return false;
	*nh = (struct rt_nh){ .type = NH_GATEWAY, .port = (uint8_t)port, .value = r->via };
	return true;
}

static void sync_routes_conf(struct ctl *c)
{
	const struct conf *cf = &c->conf;

	for (uint32_t i = 0; i < cf->n_routes; i++) {
		const struct conf_route *r = &cf->routes[i];
		struct rt_nh nh;
		char p[PREFIX_STRLEN], v[ADDR_STRLEN];

		if (!sync_route_nh(cf, r, &nh)) {
			log_warn("%s:%d: route %s: next hop %s is on no interface of its table; ignored",
				 cf->file, r->line, prefix_fmt(r->prefix, r->plen, p),
				 addr_fmt(r->via, v));
			continue;
		}
		rt_set(c, RT_SRC_STATIC, r->table, r->prefix, r->plen, &nh);
	}
}

static bool conf_is_nhs(const struct conf *cf, uint32_t proto)
{
	for (uint32_t i = 0; i < cf->nhrp.n_nhs; i++)
		if (cf->nhrp.nhs[i] == proto)
			return true;
	return false;
}

static bool conf_is_multicast(const struct conf *cf, uint32_t nbma)
{
	for (uint32_t i = 0; i < cf->nhrp.n_multicast; i++)
		if (cf->nhrp.multicast[i] == nbma)
			return true;
	return false;
}

static const struct conf_nhrp_map *conf_map_find(const struct conf *cf, uint32_t proto)
{
	for (uint32_t i = 0; i < cf->nhrp.n_maps; i++)
		if (cf->nhrp.maps[i].proto == proto)
			return &cf->nhrp.maps[i];
	return NULL;
}

/* `ip nhrp map`: static adjacencies; NHRP-learned entries are left alone. */
static void sync_adj_conf(struct ctl *c)
{
	const struct conf *cf = &c->conf;
	uint32_t cur = 0;
	struct hnode *nx = NULL;
	struct adj *a;

	while ((a = adj_walk(c, &cur, &nx)))
		if ((a->flags & ADJ_F_STATIC) &&
		    (!cf->tunnel.present || a->tunnel != 0 || !conf_map_find(cf, a->overlay)))
			adj_del(c, a);
	if (!cf->tunnel.present)
		return;
	for (uint32_t i = 0; i < cf->nhrp.n_maps; i++) {
		const struct conf_nhrp_map *m = &cf->nhrp.maps[i];
		uint32_t flags = ADJ_F_STATIC;

		if (conf_is_nhs(cf, m->proto))
			flags |= ADJ_F_NHS;
		if (conf_is_multicast(cf, m->nbma))
			flags |= ADJ_F_MULTICAST;
		adj_upsert(c, 0, m->proto, m->nbma, 0, flags, 0, 32);
	}
}

void sync_conf_apply(struct ctl *c)
{
	static const enum rt_src srcs[] = { RT_SRC_LOCAL, RT_SRC_CONNECTED, RT_SRC_STATIC };

	for (size_t i = 0; i < 3; i++)
		rt_src_mark(c, srcs[i]);
	sync_routes_ifaces(c);
	sync_routes_conf(c);
	for (size_t i = 0; i < 3; i++)
		rt_src_sweep(c, srcs[i]);
	sync_adj_conf(c);
}

/* ---- ports, tunnel, neighbours ---- */

static struct msg_port port_msg(const struct ctl *c, uint32_t i)
{
	const struct conf_iface *f = &c->conf.ifaces[i];

	return (struct msg_port){
		.port = (uint16_t)i,
		.plen = f->addr ? f->plen : 0,
		.flags = PORT_F_UP,
		.addr = f->addr,
		.mtu = f->mtu,
		.gen = c->sync.gen,
	};
}

static void sync_ports(struct ctl *c, bool force)
{
	for (uint32_t i = 0; i < c->conf.n_ifaces && i < SHM_MAX_PORTS; i++) {
		struct msg_port m = port_msg(c, i);
		struct msg_port *old = &c->sync.port_sent[i];

		if (!force && c->sync.port_valid[i] && old->plen == m.plen && old->addr == m.addr &&
		    old->mtu == m.mtu && old->flags == m.flags)
			continue;
		if (sync_send(c, MSG_PORT_SET, &m, sizeof(m)) == 0) {
			*old = m;
			c->sync.port_valid[i] = true;
		}
	}
}

/* The first NHS whose adjacency routes can use (RFC 2332 5.2.1 sends
 * through the configured server), preferring one the NHRP client has not
 * marked down (dual hub: traffic fails over to the NHS that answers). */
static uint32_t tunnel_nhs_slot(const struct ctl *c)
{
	uint32_t fallback = 0;

	for (uint32_t i = 0; i < c->conf.nhrp.n_nhs; i++) {
		const struct adj *a = adj_find(c, 0, c->conf.nhrp.nhs[i]);

		if (!a || !adj_usable(c, a))
			continue;
		if (!(a->nhrp_flags & ADJ_NHRP_NHS_DOWN))
			return a->slot + 1;
		if (!fallback)
			fallback = a->slot + 1;
	}
	return fallback;
}

static struct msg_tunnel tunnel_msg(const struct ctl *c)
{
	const struct conf_tunnel *t = &c->conf.tunnel;

	return (struct msg_tunnel){
		.tunnel = 0,
		.flags = TUN_F_UP | (t->has_key ? TUN_F_KEY : 0) |
			 (c->conf.nhrp.redirect ? TUN_F_REDIRECT : 0) |
			 (t->protection[0] ? TUN_F_PROTECT : 0),
		.plen = t->plen,
		.src_port = t->source,
		.addr = t->addr,
		.src = ctl_local_nbma(c),
		.key = t->has_key ? t->key : 0,
		.mtu = t->mtu,
		.nhs_adj = tunnel_nhs_slot(c),
		.gen = c->sync.gen,
	};
}

static void sync_tunnel(struct ctl *c, bool force)
{
	struct msg_tunnel m;

	if (!c->conf.tunnel.present)
		return;
	m = tunnel_msg(c);
	if (!force && c->sync.tun_valid) {
		struct msg_tunnel o = c->sync.tun_sent;

		o.gen = m.gen;
		if (memcmp(&o, &m, sizeof(m)) == 0)
			return;
	}
	if (sync_send(c, MSG_TUNNEL_SET, &m, sizeof(m)) == 0) {
		c->sync.tun_sent = m;
		c->sync.tun_valid = true;
	}
}

static struct msg_nbr nbr_msg(const struct ctl *c, const struct conf_nbr *n)
{
	struct msg_nbr m = { .port = n->iface, .addr = n->addr, .gen = c->sync.gen };

	memcpy(m.mac, n->mac, 6);
	return m;
}

static const struct msg_nbr *nbr_sent_find(const struct ctl *c, uint16_t port, uint32_t addr)
{
	for (uint32_t i = 0; i < c->sync.n_nbr_sent; i++)
		if (c->sync.nbr_sent[i].port == port && c->sync.nbr_sent[i].addr == addr)
			return &c->sync.nbr_sent[i];
	return NULL;
}

static bool conf_nbr_has(const struct conf *cf, uint16_t port, uint32_t addr)
{
	for (uint32_t i = 0; i < cf->n_nbrs; i++)
		if (cf->nbrs[i].iface == port && cf->nbrs[i].addr == addr)
			return true;
	return false;
}

/* Static neighbours: delete the removed ones, set new or changed ones. */
static void sync_nbrs(struct ctl *c, bool force)
{
	const struct conf *cf = &c->conf;
	struct msg_nbr *sent = calloc(cf->n_nbrs ? cf->n_nbrs : 1, sizeof(*sent));
	uint32_t n = 0;

	if (!sent)
		return;
	for (uint32_t i = 0; i < c->sync.n_nbr_sent && !force; i++) {
		const struct msg_nbr *o = &c->sync.nbr_sent[i];

		if (!conf_nbr_has(cf, o->port, o->addr))
			sync_send(c, MSG_NBR_DEL, o, sizeof(*o));
	}
	for (uint32_t i = 0; i < cf->n_nbrs; i++) {
		struct msg_nbr m = nbr_msg(c, &cf->nbrs[i]);
		const struct msg_nbr *o = nbr_sent_find(c, m.port, m.addr);

		if ((force || !o || memcmp(o->mac, m.mac, 6)) &&
		    sync_send(c, MSG_NBR_SET, &m, sizeof(m)) < 0)
			continue;
		sent[n++] = m;
	}
	free(c->sync.nbr_sent);
	c->sync.nbr_sent = sent;
	c->sync.n_nbr_sent = n;
}

static void sync_forget_sent(struct ctl *c)
{
	memset(c->sync.port_valid, 0, sizeof(c->sync.port_valid));
	c->sync.tun_valid = false;
	free(c->sync.nbr_sent);
	c->sync.nbr_sent = NULL;
	c->sync.n_nbr_sent = 0;
}

/* ---- flush ---- */

/* Order matters: new slots first (adj_waitq_service), then what points at
 * them (tunnel NHS, routes), then the fence that unpublishes old slots. */
void sync_flush_now(struct ctl *c)
{
	loop_timer_cancel(c->loop, &c->sync.flush);
	if (!sync_can_send(c))
		return;
	adj_waitq_service(c);
	sync_tunnel(c, false);
	rt_flush(c);
	adj_retire_flush(c);
}

static void sync_flush_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	sync_flush_now(arg);
}

void sync_kick(struct ctl *c)
{
	if (!loop_timer_armed(&c->sync.flush))
		loop_timer_arm(c->loop, &c->sync.flush, 0);
}

/* ---- replay ---- */

static void sync_replay(struct ctl *c);

static void sync_replay_done(struct dpconn *dc, const struct dp_msg *m, int status, void *arg)
{
	struct ctl *c = arg;
	const struct msg_gen *g = (const void *)m->body;
	const struct shm_header *h = dpconn_hdr(dc);

	if (status == -ECONNRESET || c->sync.state != SYNC_REPLAYING || g->gen != c->sync.gen)
		return;
	if (status) {
		c->sync.st.replay_failed++;
		log_err("sync: data plane refused REPLAY_END(%u): %s; replaying again in %u ms",
			g->gen, strerror(status), SYNC_RETRY_MS);
		loop_timer_arm(c->loop, &c->sync.retry, SYNC_RETRY_MS);
		return;
	}
	c->sync.st.replays_done++;
	c->sync.epoch = h->epoch;
	c->sync.synced_ms = loop_now_ms();
	sync_state_set(c, SYNC_SYNCED);
	log_info("sync: data plane in sync (generation %u, %u adjacencies, %u+%u routes)",
		 c->sync.gen, adj_count(c), c->rt.n_inst[RT_OVERLAY], c->rt.n_inst[RT_UNDERLAY]);
	CTL_MODULES_CALL(c, dp_synced);
}

static void sync_gen_next(struct ctl *c)
{
	const struct shm_header *h = dpconn_hdr(&c->dp);
	uint32_t seen = atomic_load(&h->controller_gen);

	c->sync.gen = (seen > c->sync.gen ? seen : c->sync.gen) + 1;
	dpconn_gen_set(&c->dp, c->sync.gen);
}

/* HELLO, REPLAY_BEGIN, ports, tunnel, adjacencies, routes, neighbours,
 * REPLAY_END; slots not adopted are unpublished once REPLAY_END is acked. */
static void sync_replay(struct ctl *c)
{
	struct msg_hello hello = { .pid = getpid(), .gen = c->sync.gen };
	struct msg_gen g = { .gen = c->sync.gen };

	sync_state_set(c, SYNC_REPLAYING);
	c->sync.st.replays++;
	log_info("sync: replay generation %u (%u adjacencies, %u adopted)", c->sync.gen,
		 adj_count(c), c->adj.n_used);
	sync_send(c, MSG_HELLO, &hello, sizeof(hello));
	sync_send(c, MSG_REPLAY_BEGIN, &g, sizeof(g));
	sync_ports(c, true);
	sync_tunnel(c, true);
	CTL_MODULES_CALL(c, dp_replay);	/* SAs before the adjacencies naming them */
	adj_sync_all(c);
	sync_tunnel(c, false);	/* the NHS slot, now that it is published */
	rt_flush(c);
	sync_nbrs(c, true);
	sync_send_cb(c, MSG_REPLAY_END, &g, sizeof(g), sync_replay_done);
	adj_retire_flush(c);
}

static void sync_retry_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	struct ctl *c = arg;

	(void)l;
	(void)t;
	if (c->sync.state != SYNC_REPLAYING)
		return;
	sync_gen_next(c);
	rt_forget_installed(c);
	sync_replay(c);
}

/* The data plane's ports must be the configuration's interfaces, in order. */
static bool sync_ports_match(struct ctl *c, const struct shm_seg *seg)
{
	const struct conf *cf = &c->conf;

	if (seg->hdr->n_ports != cf->n_ifaces) {
		snprintf(c->sync.refused, sizeof(c->sync.refused),
			 "data plane has %u ports, configuration %u interfaces", seg->hdr->n_ports,
			 cf->n_ifaces);
		return false;
	}
	for (uint32_t i = 0; i < cf->n_ifaces; i++) {
		const struct shm_port *p = shm_port(seg, i);

		if (strncmp(p->name, cf->ifaces[i].name, SHM_NAME_LEN) == 0 &&
		    p->role == cf->ifaces[i].role)
			continue;
		snprintf(c->sync.refused, sizeof(c->sync.refused),
			 "port %u is %.32s (role %u) in the data plane, %s (role %u) in the configuration",
			 i, p->name, p->role, cf->ifaces[i].name, cf->ifaces[i].role);
		return false;
	}
	return true;
}

void sync_dp_up(struct ctl *c)
{
	const struct shm_seg *seg = dpconn_seg(&c->dp);

	if (!sync_ports_match(c, seg)) {
		log_err("sync: refusing to sync: %s (restart the data plane with %s)",
			c->sync.refused, c->conf_path);
		sync_state_set(c, SYNC_REFUSED);
		return;
	}
	c->sync.refused[0] = '\0';
	sync_gen_next(c);
	adj_slots_attach(c, seg->hdr->adj_slots);
	CTL_MODULES_CALL(c, dp_attached);	/* SA slots the adjacency images name */
	adj_adopt_scan(c);
	rt_forget_installed(c);
	sync_forget_sent(c);
	sync_replay(c);
}

void sync_dp_down(struct ctl *c)
{
	loop_timer_cancel(c->loop, &c->sync.retry);
	if (c->sync.state != SYNC_DOWN)
		sync_state_set(c, SYNC_DOWN);
	adj_slots_detach(c);
	rt_forget_installed(c);
	sync_forget_sent(c);
	CTL_MODULES_CALL(c, dp_lost);
}

/* ---- reload ---- */

static int reload_check(const struct conf *o, const struct conf *n, char *err, size_t len)
{
	if (strcmp(o->instance, n->instance) || strcmp(o->rundir, n->rundir) ||
	    strcmp(o->dp.segment_dir, n->dp.segment_dir)) {
		snprintf(err, len, "%s: instance, rundir and dataplane.segment_dir cannot change "
			 "on reload (restart)", n->file);
		return -1;
	}
	if (o->n_ifaces != n->n_ifaces) {
		snprintf(err, len, "%s: interfaces added or removed: restart dmvpn-dataplane "
			 "and the controller to apply", n->file);
		return -1;
	}
	for (uint32_t i = 0; i < n->n_ifaces; i++) {
		const struct conf_iface *a = &o->ifaces[i], *b = &n->ifaces[i];

		if (strcmp(a->name, b->name) || strcmp(a->device, b->device) || a->role != b->role) {
			snprintf(err, len, "%s:%d: interface %s: name, device or role changed: "
				 "restart dmvpn-dataplane to apply", n->file, b->line, b->name);
			return -1;
		}
	}
	return 0;
}

static void reload_refused(struct ctl *c, const char *err)
{
	c->sync.st.reloads_refused++;
	log_err("reload refused: %s", err);
}

int sync_reload(struct ctl *c, char *err, size_t err_len)
{
	uint64_t sent0 = c->dp.st.sent;
	struct conf_error ce;
	struct conf nc, old;

	c->sync.st.reloads++;
	if (conf_load(c->conf_path, &nc, &ce) != 0) {
		if (ce.line > 0)
			snprintf(err, err_len, "%s:%d: %s", ce.file, ce.line, ce.msg);
		else
			snprintf(err, err_len, "%s: %s", ce.file, ce.msg);
		reload_refused(c, err);
		return -1;
	}
	if (reload_check(&c->conf, &nc, err, err_len)) {
		conf_free(&nc);
		reload_refused(c, err);
		return -1;
	}
	old = c->conf;
	c->conf = nc;
	if (!c->debug_forced)
		log_set_level(c->conf.log.level);
	if (sync_can_send(c)) {
		sync_ports(c, false);
		sync_tunnel(c, false);
		sync_nbrs(c, false);
	}
	sync_conf_apply(c);
	adj_sync_all(c);	/* tunnel key or source changed: new rewrites */
	CTL_MODULES_CALL(c, conf_applied, &old);
	conf_free(&old);
	sync_flush_now(c);
	log_info("reload: %s applied (%llu control messages)", c->conf_path,
		 (unsigned long long)(c->dp.st.sent - sent0));
	return (int)(c->dp.st.sent - sent0);
}

/* ---- lifetime ---- */

void sync_init(struct ctl *c)
{
	memset(&c->sync, 0, sizeof(c->sync));
	loop_timer_init(&c->sync.flush, sync_flush_cb, c);
	loop_timer_init(&c->sync.retry, sync_retry_cb, c);
}

void sync_fini(struct ctl *c)
{
	loop_timer_cancel(c->loop, &c->sync.flush);
	loop_timer_cancel(c->loop, &c->sync.retry);
	free(c->sync.nbr_sent);
	c->sync.nbr_sent = NULL;
}
