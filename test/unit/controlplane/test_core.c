/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Controller core against the fake data plane: event loop timers, full
 * replay content and order (conf/hub.conf, conf/spoke1.conf), controller
 * restart adoption, data plane restart, reload (refused and make-before-
 * break), control ring full.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addr.h"
#include "harness.h"
#include "rewrite.h"
#include "wire/gre.h"

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	ck_assert_msg(addr_parse(s, &a), "bad address %s", s);
	return a;
}

static const struct msg_route *log_route(const struct fakedp *f, int i)
{
	return (const struct msg_route *)f->log[i].body;
}

static void assert_route(const struct fakedp *f, uint8_t table, const char *pfx, uint8_t type,
			 uint8_t port, uint32_t value)
{
	const struct fdp_route *r = fakedp_route(f, table, pfx);

	ck_assert_msg(r, "route %s (table %u) missing", pfx, table);
	ck_assert_msg(r->nh_type == type, "route %s: type %u, expected %u", pfx, r->nh_type, type);
	ck_assert_msg(r->port == port, "route %s: port %u, expected %u", pfx, r->port, port);
	ck_assert_msg(r->value == value, "route %s: value %#x, expected %#x", pfx, r->value, value);
}

/* ---- loop ---- */

static int fired[64], n_fired;

static void timer_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	fired[n_fired++] = (int)(intptr_t)arg;
}

START_TEST(test_loop_timer_order)
{
	struct loop *l = loop_new();
	struct loop_timer t[8];
	/* 1: deadlines, 2: same deadline keeps arming order, 3: cancel, 4: re-arm moves */
	static const int delay[8] = { 30, 10, 20, 10, 0, 50, 40, 10 };
	static const int expect[] = { 4, 1, 3, 2, 0, 6 };
	uint64_t end;

	n_fired = 0;
	for (int i = 0; i < 8; i++) {
		loop_timer_init(&t[i], timer_cb, (void *)(intptr_t)i);
		loop_timer_arm(l, &t[i], (uint64_t)delay[i]);
	}
	loop_timer_cancel(l, &t[7]);
	loop_timer_cancel(l, &t[7]);		/* twice: harmless */
	loop_timer_arm(l, &t[5], 1000);		/* moved out of the window */
	ck_assert_int_eq(loop_timer_count(l), 7);
	end = loop_now_ms() + 45;
	while (loop_now_ms() < end)
		loop_run_once(l, 5);
	loop_run_once(l, 0);
	ck_assert_int_eq(n_fired, 6);
	for (int i = 0; i < 6; i++)
		ck_assert_int_eq(fired[i], expect[i]);
	ck_assert(loop_timer_armed(&t[5]));
	ck_assert(!loop_timer_armed(&t[0]));
	loop_free(l);
}
END_TEST

static void count_cb(struct loop *l, struct loop_timer *t, void *arg)
{
	(void)l;
	(void)t;
	(*(int *)arg)++;
}

/* 100k timers (the NHRP cache's scale): arm, cancel half, all due ones fire once. */
START_TEST(test_loop_timer_scale)
{
	enum { N = 100000 };
	struct loop *l = loop_new();
	struct loop_timer *t = calloc(N, sizeof(*t));
	int count = 0;
	uint64_t start = loop_now_ms();

	for (int i = 0; i < N; i++) {
		loop_timer_init(&t[i], count_cb, &count);
		loop_timer_arm(l, &t[i], (uint64_t)(i * 7919 % 20));
	}
	for (int i = 0; i < N; i += 2)
		loop_timer_cancel(l, &t[i]);
	ck_assert_int_eq(loop_timer_count(l), N / 2);
	while (loop_timer_count(l) && loop_now_ms() - start < 5000)
		loop_run_once(l, 5);
	ck_assert_int_eq(count, N / 2);
	ck_assert_msg(loop_now_ms() - start < 2000, "100k timers took %llu ms",
		      (unsigned long long)(loop_now_ms() - start));
	free(t);
	loop_free(l);
}
END_TEST

/* ---- full replay ---- */

START_TEST(test_replay_hub)
{
	struct h h;
	char path[256];
	const struct fakedp *f = &h.dp;
	const struct msg_tunnel *t;

	h_setup(&h);
	h_ctl_start(&h, h_src("conf/hub.conf", path, sizeof(path)), true);
	h_dp_start(&h, NULL);
	ck_assert(run_until(&h, h_synced, 3000));

	/* order: HELLO, REPLAY_BEGIN, ports, tunnel, routes, REPLAY_END */
	ck_assert_int_eq(f->log[0].type, MSG_HELLO);
	ck_assert_int_eq(((const struct msg_hello *)f->log[0].body)->gen, 1);
	ck_assert_int_eq(f->log[1].type, MSG_REPLAY_BEGIN);
	ck_assert_int_eq(((const struct msg_gen *)f->log[1].body)->gen, 1);
	ck_assert_int_eq(f->log[2].type, MSG_PORT_SET);
	ck_assert_int_eq(f->log[3].type, MSG_PORT_SET);
	ck_assert_int_eq(f->log[4].type, MSG_TUNNEL_SET);
	ck_assert_int_eq(f->log[f->n_log - 1].type, MSG_REPLAY_END);
	ck_assert_int_eq(fakedp_count(f, MSG_ROUTE_ADD, 0), 9);
	ck_assert_int_eq(f->n_log, 5 + 9 + 1);
	ck_assert_int_eq(fakedp_count(f, MSG_ADJ_PUBLISH, 0), 0);	/* hub: no static map */

	/* ports */
	ck_assert(f->port_set[0] && f->port_set[1]);
	ck_assert_uint_eq(f->ports[0].addr, ip("192.0.2.1"));
	ck_assert_uint_eq(f->ports[0].plen, 24);
	ck_assert_uint_eq(f->ports[1].addr, ip("10.1.0.1"));
	/* tunnel: seed "tunnel key 999", "ip mtu 1416" */
	t = &f->tunnel;
	ck_assert_uint_eq(t->flags, TUN_F_UP | TUN_F_KEY);
	ck_assert_uint_eq(t->key, 999);
	ck_assert_uint_eq(t->mtu, 1416);
	ck_assert_uint_eq(t->addr, ip("10.0.0.1"));
	ck_assert_uint_eq(t->plen, 24);
	ck_assert_uint_eq(t->src, ip("192.0.2.1"));
	ck_assert_uint_eq(t->src_port, 0);
	ck_assert_uint_eq(t->nhs_adj, 0);

	/* underlay (public port 0) */
	assert_route(f, RT_UNDERLAY, "192.0.2.0/24", NH_CONNECTED, 0, 0);
	assert_route(f, RT_UNDERLAY, "192.0.2.1/32", NH_LOCAL, 0, 0);
	assert_route(f, RT_UNDERLAY, "0.0.0.0/0", NH_GATEWAY, 0, ip("192.0.2.254"));
	/* overlay: LAN, tunnel glean and local, routes via unresolved spokes */
	assert_route(f, RT_OVERLAY, "10.1.0.0/24", NH_CONNECTED, 1, 0);
	assert_route(f, RT_OVERLAY, "10.1.0.1/32", NH_LOCAL, 1, 0);
	assert_route(f, RT_OVERLAY, "10.0.0.0/24", NH_GLEAN, 0, 0);
	assert_route(f, RT_OVERLAY, "10.0.0.1/32", NH_LOCAL, 0, 0);
	assert_route(f, RT_OVERLAY, "10.0.64.0/24", NH_GLEAN, 0, ip("10.0.0.2"));
	assert_route(f, RT_OVERLAY, "10.0.65.0/24", NH_GLEAN, 0, ip("10.0.0.3"));
	ck_assert_int_eq(f->n_routes, 9);
	for (unsigned int i = 0; i < f->n_routes; i++)
		ck_assert_uint_eq(f->routes[i].gen, 1);

	ck_assert_uint_eq(atomic_load(&f->seg.hdr->replay_gen), 1);
	ck_assert_uint_eq(atomic_load(&f->seg.hdr->controller_gen), 1);
	ck_assert_int_eq(atomic_load(&f->seg.hdr->controller_pid), getpid());
	ck_assert_int_eq(f->violations, 0);
	h_teardown(&h);
}
END_TEST

START_TEST(test_replay_spoke)
{
	struct h h;
	char path[256];
	const struct fakedp *f = &h.dp;
	const struct shm_adj *s;
	uint8_t rw[ADJ_REWRITE_MAX];
	size_t rwlen;
	int pub, tun2, first_route;
	const struct adj *a;

	h_setup(&h);
	h_ctl_start(&h, h_src("conf/spoke1.conf", path, sizeof(path)), true);
	h_dp_start(&h, NULL);
	ck_assert(run_until(&h, h_synced, 3000));

	/* HELLO, BEGIN, PORT x2, TUNNEL(nhs 0), ADJ_PUBLISH, TUNNEL(nhs), routes, END */
	ck_assert_int_eq(f->log[4].type, MSG_TUNNEL_SET);
	ck_assert_uint_eq(((const struct msg_tunnel *)f->log[4].body)->nhs_adj, 0);
	pub = fakedp_find(f, MSG_ADJ_PUBLISH, 0, 0);
	tun2 = fakedp_find(f, MSG_TUNNEL_SET, 0, 1);
	first_route = fakedp_find(f, MSG_ROUTE_ADD, 0, 0);
	ck_assert_int_eq(pub, 5);
	ck_assert_int_eq(tun2, 6);
	ck_assert_int_gt(first_route, tun2);
	ck_assert_int_eq(fakedp_count(f, MSG_ADJ_PUBLISH, 0), 1);
	ck_assert_int_eq(f->log[f->n_log - 1].type, MSG_REPLAY_END);
	ck_assert_uint_eq(f->tunnel.nhs_adj, 1);	/* slot 0 + 1: the hub */

	/* the static map: 10.0.0.1 -> 192.0.2.1, NHS, multicast */
	ck_assert(fakedp_slot_live(f, 0));
	s = shm_adj(&f->seg, 0);
	ck_assert_uint_eq(s->overlay, ip("10.0.0.1"));
	ck_assert_uint_eq(s->nbma, ip("192.0.2.1"));
	ck_assert_uint_eq(s->local_nbma, ip("198.51.100.2"));
	ck_assert_uint_eq(s->flags, ADJ_F_STATIC | ADJ_F_NHS | ADJ_F_MULTICAST);
	ck_assert_uint_eq(s->key, 999);
	ck_assert_uint_eq(s->has_key, 1);
	ck_assert_uint_eq(s->prefix_len, 32);
	ck_assert_uint_eq(s->gen, 1);
	rwlen = adj_rewrite_build(rw, sizeof(rw), ip("198.51.100.2"), ip("192.0.2.1"), true, 999,
				  GRE_PROTO_IPV4);
	ck_assert_uint_eq(s->rewrite_len, 28);
	ck_assert_uint_eq(rwlen, 28);
	ck_assert_mem_eq(s->rewrite, rw, rwlen);

	a = adj_find(&h.ctl, 0, ip("10.0.0.1"));
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(adj_state_get(&h.ctl, a), ADJ_S_LIVE);
	ck_assert_uint_eq(a->slot, 0);

	assert_route(f, RT_OVERLAY, "10.0.0.1/32", NH_ADJ, 0, 0);
	assert_route(f, RT_OVERLAY, "10.1.0.0/24", NH_ADJ, 0, 0);	/* via the hub */
	assert_route(f, RT_OVERLAY, "10.0.65.0/24", NH_GLEAN, 0, ip("10.0.0.3"));
	assert_route(f, RT_OVERLAY, "10.0.0.0/24", NH_GLEAN, 0, 0);
	assert_route(f, RT_OVERLAY, "10.0.0.2/32", NH_LOCAL, 0, 0);
	assert_route(f, RT_OVERLAY, "10.0.64.0/24", NH_CONNECTED, 1, 0);
	assert_route(f, RT_UNDERLAY, "0.0.0.0/0", NH_GATEWAY, 0, ip("198.51.100.254"));
	ck_assert_int_eq(f->n_routes, 10);
	ck_assert_int_eq(f->violations, 0);
	h_teardown(&h);
}
END_TEST

/* ---- controller restart: adopt, sweep the rest ---- */

struct adopt_seen {
	int n;
	uint32_t overlay;
	uint32_t slot;
	enum adj_state state;
};

static void on_adopted(struct ctl *c, struct adj *a, void *arg)
{
	struct adopt_seen *s = arg;

	s->n++;
	s->overlay = a->overlay;
	s->slot = a->slot;
	s->state = adj_state_get(c, a);
}

static const struct ctl_module adopt_mod = { .name = "test", .adj_adopted = on_adopted };

#define HUB_MAP "{ protocol = \"10.0.0.1\"; nbma = \"192.0.2.1\"; }"
#define EXTRA_MAP ", { protocol = \"10.0.0.5\"; nbma = \"203.0.113.5\"; }"
#define ROUTES_A "{ prefix = \"10.1.0.0/24\"; via = \"10.0.0.1\"; }, " \
		 "{ prefix = \"10.9.0.0/16\"; via = \"10.0.0.1\"; }"

START_TEST(test_controller_restart_adopts)
{
	struct h h;
	char path[256];
	struct fakedp *f = &h.dp;
	struct adopt_seen seen = { 0 };
	struct fdp_route before[FDP_MAX_ROUTES];
	unsigned int n_before, n0;
	uint32_t s_hub, s_extra, s_short, s_stale;
	struct adj *a;

	h_setup(&h);
	h_spoke_conf(&h, HUB_MAP EXTRA_MAP, ROUTES_A, NULL, path, sizeof(path));
	h_ctl_start(&h, path, false);
	h_dp_start(&h, NULL);
	ck_assert(run_until(&h, h_synced, 3000));
	/* NHRP-learned entries: a shortcut valid 300 s, one without expiry */
	ck_assert_ptr_nonnull(adj_upsert(&h.ctl, 0, ip("10.0.0.3"), ip("203.0.113.2"), 0,
					 ADJ_F_SHORTCUT, 300, 32));
	ck_assert_ptr_nonnull(adj_upsert(&h.ctl, 0, ip("10.0.0.4"), ip("203.0.113.4"), 0,
					 ADJ_F_DYNAMIC, 0, 32));
	ck_assert(run_until(&h, h_synced, 3000));
	s_hub = adj_find(&h.ctl, 0, ip("10.0.0.1"))->slot;
	s_extra = adj_find(&h.ctl, 0, ip("10.0.0.5"))->slot;
	s_short = adj_find(&h.ctl, 0, ip("10.0.0.3"))->slot;
	s_stale = adj_find(&h.ctl, 0, ip("10.0.0.4"))->slot;
	ck_assert_int_eq(fakedp_slots_live(f), 4);
	n_before = f->n_routes;
	memcpy(before, f->routes, sizeof(before));

	/* stop: not a message, nothing removed */
	n0 = f->n_log;
	h_ctl_stop(&h);
	run_for(&h, 50);
	ck_assert_int_eq(f->n_log, n0);
	ck_assert_int_eq(fakedp_slots_live(f), 4);
	ck_assert_int_eq(atomic_load(&f->seg.hdr->controller_pid), 0);

	/* restart without the 10.0.0.5 map */
	h_spoke_conf(&h, HUB_MAP, ROUTES_A, NULL, path, sizeof(path));
	h_ctl_start(&h, path, false);
	ck_assert_int_eq(ctl_module_register(&h.ctl, &adopt_mod, &seen), 0);
	ck_assert(run_until(&h, h_synced, 3000));
	run_until(&h, h_idle, 1000);

	ck_assert_int_eq(fakedp_count(f, MSG_ADJ_PUBLISH, n0), 0);
	ck_assert_int_eq(fakedp_count(f, MSG_ROUTE_DEL, n0), 0);
	ck_assert_int_eq(fakedp_count(f, MSG_ADJ_UNPUBLISH, n0), 2);
	ck_assert_int_gt(fakedp_find(f, MSG_ADJ_UNPUBLISH, n0, 0),
			 fakedp_find(f, MSG_REPLAY_END, n0, 0));
	ck_assert_uint_eq(((const struct msg_gen *)f->log[fakedp_find(f, MSG_REPLAY_BEGIN, n0, 0)].body)->gen, 2);
	/* kept: hub and the shortcut, in the same slots */
	ck_assert(fakedp_slot_live(f, s_hub));
	ck_assert(fakedp_slot_live(f, s_short));
	ck_assert(!fakedp_slot_live(f, s_extra));
	ck_assert(!fakedp_slot_live(f, s_stale));
	a = adj_find(&h.ctl, 0, ip("10.0.0.1"));
	ck_assert_uint_eq(a->slot, s_hub);
	ck_assert_int_eq(adj_state_get(&h.ctl, a), ADJ_S_LIVE);
	ck_assert_int_eq(seen.n, 1);
	ck_assert_uint_eq(seen.overlay, ip("10.0.0.3"));
	ck_assert_uint_eq(seen.slot, s_short);
	ck_assert_int_eq(seen.state, ADJ_S_LIVE);
	ck_assert_ptr_null(adj_find(&h.ctl, 0, ip("10.0.0.4")));
	ck_assert_uint_eq(h.ctl.adj.st.adopted, 2);
	ck_assert_uint_eq(h.ctl.adj.st.swept, 2);
	/* every route re-sent unchanged (not one rewritten), the unwanted swept */
	for (int i = (int)n0; i < (int)f->n_log; i++) {
		const struct msg_route *r = log_route(f, i);

		if (f->log[i].type != MSG_ROUTE_ADD)
			continue;
		for (unsigned int k = 0; k < n_before; k++)
			if (before[k].table == r->table && before[k].prefix == r->prefix &&
			    before[k].plen == r->plen)
				ck_assert_msg(before[k].nh_type == r->nh_type &&
					      before[k].value == r->value,
					      "route %#x/%u rewritten", r->prefix, r->plen);
	}
	ck_assert_ptr_null(fakedp_route(f, RT_OVERLAY, "10.0.0.5/32"));
	ck_assert_ptr_null(fakedp_route(f, RT_OVERLAY, "10.0.0.4/32"));
	assert_route(f, RT_OVERLAY, "10.0.0.3/32", NH_ADJ, 0, s_short);
	assert_route(f, RT_OVERLAY, "10.9.0.0/16", NH_ADJ, 0, s_hub);
	ck_assert_uint_eq(f->swept_routes, 2);
	for (unsigned int i = 0; i < f->n_routes; i++)
		ck_assert_uint_eq(f->routes[i].gen, 2);
	ck_assert_uint_eq(atomic_load(&f->seg.hdr->controller_gen), 2);
	ck_assert_int_eq(f->violations, 0);
	h_teardown(&h);
}
END_TEST

/* ---- data plane restart: full replay into the new segment ---- */

static bool dp_lost(struct h *h)
{
	return h->ctl.sync.state == SYNC_DOWN;
}

/* In sync with the data plane currently running (not the previous one). */
static bool synced_new(struct h *h)
{
	return h_synced(h) && h->ctl.sync.epoch == h->dp.seg.hdr->epoch;
}

static void restart_case(bool crash)
{
	struct h h;
	char path[256];
	struct fakedp *f = &h.dp;
	uint64_t epoch;

	h_setup(&h);
	h_spoke_conf(&h, HUB_MAP, ROUTES_A, NULL, path, sizeof(path));
	h_ctl_start(&h, path, false);
	h_dp_start(&h, NULL);
	ck_assert(run_until(&h, h_synced, 3000));
	adj_upsert(&h.ctl, 0, ip("10.0.0.3"), ip("203.0.113.2"), 0, ADJ_F_SHORTCUT, 300, 32);
	ck_assert(run_until(&h, h_synced, 3000));
	epoch = f->seg.hdr->epoch;

	h_dp_stop(&h, crash);
	h_dp_start(&h, NULL);		/* new file, new inode, new epoch */
	ck_assert_uint_ne(f->seg.hdr->epoch, epoch);
	ck_assert(run_until(&h, synced_new, 3000));
	ck_assert_uint_eq(h.ctl.dp.st.losses, 1);
	ck_assert_uint_eq(h.ctl.sync.epoch, f->seg.hdr->epoch);
	/* everything replayed, the NHRP-learned entry included */
	ck_assert_int_eq(f->log[0].type, MSG_HELLO);
	ck_assert_uint_eq(((const struct msg_gen *)f->log[1].body)->gen, 2);
	ck_assert_int_eq(fakedp_count(f, MSG_ADJ_PUBLISH, 0), 2);
	ck_assert_int_eq(fakedp_slots_live(f), 2);
	assert_route(f, RT_OVERLAY, "10.0.0.3/32", NH_ADJ, 0,
		     adj_find(&h.ctl, 0, ip("10.0.0.3"))->slot);
	assert_route(f, RT_OVERLAY, "10.1.0.0/24", NH_ADJ, 0,
		     adj_find(&h.ctl, 0, ip("10.0.0.1"))->slot);
	ck_assert_ptr_nonnull(fakedp_nbr(f, 1, "10.0.64.20"));
	ck_assert_int_eq(f->n_routes, 8 + 2 + 1);	/* base, config routes, 10.0.0.3/32 */
	ck_assert_int_eq(f->violations, 0);
	h_teardown(&h);
}

START_TEST(test_dp_restart_clean)
{
	restart_case(false);
}
END_TEST

START_TEST(test_dp_restart_crash)
{
	restart_case(true);
}
END_TEST

/* Heartbeat frozen and the data plane's pid gone: declared dead, then a
 * fresh data plane gets the full replay. */
START_TEST(test_dp_heartbeat_dead)
{
	struct h h;
	char path[256];
	struct fakedp *f = &h.dp;
	pid_t dead = fork();

	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	h_setup(&h);
	h_spoke_conf(&h, HUB_MAP, ROUTES_A, NULL, path, sizeof(path));
	h_ctl_start(&h, path, false);
	h_dp_start(&h, NULL);
	ck_assert(run_until(&h, h_synced, 3000));
	f->no_heartbeat = true;
	f->seg.hdr->dp_pid = dead;
	ck_assert(run_until(&h, dp_lost, SHM_HEARTBEAT_DEAD_MS + 2000));
	ck_assert_uint_eq(h.ctl.dp.st.losses, 1);
	ck_assert(!adj_usable(&h.ctl, adj_find(&h.ctl, 0, ip("10.0.0.1"))));
	/* the corpse is not re-attached */
	run_for(&h, 300);
	ck_assert_int_eq(h.ctl.dp.state, DPC_DOWN);
	h_dp_stop(&h, true);
	h_dp_start(&h, NULL);
	ck_assert(run_until(&h, synced_new, 3000));
	ck_assert_int_eq(fakedp_count(f, MSG_ADJ_PUBLISH, 0), 1);
	ck_assert_int_eq(f->violations, 0);
	h_teardown(&h);
}
END_TEST

/* ---- reload ---- */

START_TEST(test_reload_refused)
{
	struct h h;
	char path[256], err[512], *out;
	struct fakedp *f = &h.dp;
	struct fdp_route before[FDP_MAX_ROUTES];
	unsigned int n_before, n0;
	int st;

	h_setup(&h);
	h_spoke_conf(&h, HUB_MAP, ROUTES_A, NULL, path, sizeof(path));
	h_ctl_start(&h, path, false);
	h_dp_start(&h, NULL);
	ck_assert(run_until(&h, h_synced, 3000));
	n_before = f->n_routes;
	memcpy(before, f->routes, sizeof(before));
	n0 = f->n_log;

	/* 1: syntax error on line 3 */
	h_write(&h, "cpt.conf", "instance = \"cpt\";\n\nroutes = ( { prefix = ; } );\n", path,
		sizeof(path));
	ck_assert_int_eq(sync_reload(&h.ctl, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "cpt.conf:3:"), "error text: %s", err);
	/* 2: the same through the CLI: error status and the text */
	out = h_cli(&h, "reload", &st);
	ck_assert_int_eq(st, -1);
	ck_assert_msg(strstr(out, "cpt.conf:3:"), "cli error: %s", out);
	free(out);
	/* 3: a device change needs a data plane restart */
	h_spoke_conf(&h, HUB_MAP, ROUTES_A, NULL, path, sizeof(path));
	{
		FILE *fp = fopen(path, "r");
		char text[4096];
		size_t n = fread(text, 1, sizeof(text) - 1, fp);
		char *p;

		fclose(fp);
		text[n] = '\0';
		p = strstr(text, "net_null1");
		ck_assert_ptr_nonnull(p);
		p[8] = '7';
		h_write(&h, "cpt.conf", text, path, sizeof(path));
	}
	ck_assert_int_eq(sync_reload(&h.ctl, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "restart dmvpn-dataplane"), "error text: %s", err);

	run_for(&h, 200);
	ck_assert_int_eq(f->n_log, n0);
	ck_assert_int_eq(f->n_routes, n_before);
	ck_assert_mem_eq(f->routes, before, n_before * sizeof(before[0]));
	ck_assert_uint_eq(h.ctl.sync.st.reloads_refused, 3);
	ck_assert_int_eq(h.ctl.sync.state, SYNC_SYNCED);
	h_teardown(&h);
}
END_TEST

START_TEST(test_reload_make_before_break)
{
	struct h h;
	char path[256], *out;
	struct fakedp *f = &h.dp;
	unsigned int n0;
	uint32_t s0, s1;
	int pub, unpub, st;

	h_setup(&h);
	h_spoke_conf(&h, HUB_MAP, ROUTES_A, NULL, path, sizeof(path));
	h_ctl_start(&h, path, false);
	h_dp_start(&h, NULL);
	ck_assert(run_until(&h, h_synced, 3000));
	s0 = adj_find(&h.ctl, 0, ip("10.0.0.1"))->slot;
	n0 = f->n_log;

	/* the hub moved to 192.0.2.9; 10.9/16 replaced by a null route 10.7/16;
	 * a new static neighbour */
	h_spoke_conf(&h, "{ protocol = \"10.0.0.1\"; nbma = \"192.0.2.9\"; }",
		     "{ prefix = \"10.1.0.0/24\"; via = \"10.0.0.1\"; }, "
		     "{ prefix = \"10.7.0.0/16\"; drop = true; }",
		     NULL, path, sizeof(path));
	out = h_cli(&h, "reload", &st);
	ck_assert_int_eq(st, 0);
	ck_assert_msg(strstr(out, "acknowledged by the data plane"), "reload: %s", out);
	free(out);
	run_until(&h, h_idle, 2000);

	s1 = adj_find(&h.ctl, 0, ip("10.0.0.1"))->slot;
	ck_assert_uint_ne(s1, s0);
	pub = fakedp_find(f, MSG_ADJ_PUBLISH, n0, 0);
	unpub = fakedp_find(f, MSG_ADJ_UNPUBLISH, n0, 0);
	ck_assert_int_ge(pub, 0);
	ck_assert_int_ge(unpub, 0);
	ck_assert_uint_eq(((const struct msg_slot *)f->log[pub].body)->slot, s1);
	ck_assert_uint_eq(((const struct msg_slot *)f->log[unpub].body)->slot, s0);
	/* make before break: publish, then every repoint, then unpublish */
	for (int i = (int)n0; i < (int)f->n_log; i++) {
		if (f->log[i].type == MSG_ROUTE_ADD && log_route(f, i)->nh_type == NH_ADJ) {
			ck_assert_int_gt(i, pub);
			ck_assert_int_lt(i, unpub);
			ck_assert_uint_eq(log_route(f, i)->value, s1);
		}
		if (f->log[i].type == MSG_TUNNEL_SET) {
			ck_assert_int_gt(i, pub);
			ck_assert_int_lt(i, unpub);
		}
	}
	ck_assert_int_eq(fakedp_count(f, MSG_ROUTE_ADD, n0), 3);	/* /32, 10.1/24, 10.7/16 */
	ck_assert_int_eq(fakedp_count(f, MSG_ROUTE_DEL, n0), 1);	/* 10.9/16 */
	ck_assert_uint_eq(f->tunnel.nhs_adj, s1 + 1);
	ck_assert(fakedp_slot_live(f, s1));
	ck_assert(!fakedp_slot_live(f, s0));
	ck_assert_uint_eq(shm_adj(&f->seg, s1)->nbma, ip("192.0.2.9"));
	assert_route(f, RT_OVERLAY, "10.0.0.1/32", NH_ADJ, 0, s1);
	assert_route(f, RT_OVERLAY, "10.1.0.0/24", NH_ADJ, 0, s1);
	assert_route(f, RT_OVERLAY, "10.7.0.0/16", NH_DROP, 0, 0);
	ck_assert_ptr_null(fakedp_route(f, RT_OVERLAY, "10.9.0.0/16"));
	ck_assert_int_eq(f->violations, 0);
	/* the old slot is reusable once unpublished */
	ck_assert_int_eq(h.ctl.adj.slots[s0].state, ADJ_S_FREE);
	h_teardown(&h);
}
END_TEST

/* The data plane refuses the new slot (as it refuses a cleartext adjacency
 * on a protected tunnel, EPERM): routes sent towards it are refused too,
 * and the data plane keeps what the prefixes had, the old slot.  The
 * controller must take those routes out (DEL, or a glean ADD), move the
 * tunnel's NHS away, and only then unpublish the old slot: once, not in a
 * loop of EBUSY refusals. */
START_TEST(test_reload_publish_refused)
{
	struct h h;
	char path[256], *out;
	struct fakedp *f = &h.dp;
	const struct fdp_route *r;
	const struct adj *a;
	unsigned int n0;
	uint32_t s0;
	int st;

	h_setup(&h);
	h_spoke_conf(&h, HUB_MAP, ROUTES_A, NULL, path, sizeof(path));
	h_ctl_start(&h, path, false);
	h_dp_start(&h, NULL);
	ck_assert(run_until(&h, h_synced, 3000));
	s0 = adj_find(&h.ctl, 0, ip("10.0.0.1"))->slot;
	ck_assert_uint_eq(f->tunnel.nhs_adj, s0 + 1);
	n0 = f->n_log;

	f->refuse_publish = EPERM;
	h_spoke_conf(&h, "{ protocol = \"10.0.0.1\"; nbma = \"192.0.2.9\"; }", ROUTES_A, NULL,
		     path, sizeof(path));
	out = h_cli(&h, "reload", &st);
	free(out);
	run_for(&h, 1000);

	a = adj_find(&h.ctl, 0, ip("10.0.0.1"));
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->slot, ADJ_NO_SLOT);
	ck_assert(a->failed);
	ck_assert_int_eq(fakedp_count(f, MSG_ADJ_PUBLISH, n0), 1);
	/* nothing in the data plane points at the old slot any more */
	ck_assert_ptr_null(fakedp_route(f, RT_OVERLAY, "10.0.0.1/32"));
	r = fakedp_route(f, RT_OVERLAY, "10.1.0.0/24");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->nh_type, NH_GLEAN);
	r = fakedp_route(f, RT_OVERLAY, "10.9.0.0/16");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->nh_type, NH_GLEAN);
	ck_assert_uint_eq(f->tunnel.nhs_adj, 0);
	/* the old slot unpublished exactly once, never refused */
	ck_assert(!fakedp_slot_live(f, s0));
	ck_assert_int_eq(fakedp_count(f, MSG_ADJ_UNPUBLISH, n0), 1);
	ck_assert_uint_eq(h.ctl.adj.st.unpublish_refused, 0);
	ck_assert_int_eq(h.ctl.adj.slots[s0].state, ADJ_S_FREE);
	ck_assert_msg(!strstr(f->last_violation, "still in use"), "%s", f->last_violation);
	h_teardown(&h);
}
END_TEST

/* ---- control ring full ---- */

START_TEST(test_ring_full_queues)
{
	struct h h;
	char path[256], routes[4096];
	struct fakedp *f = &h.dp;
	struct fakedp_opts o = { .ctl_entries = 8 };
	size_t len = 0;

	for (int i = 0; i < 40; i++)
		len += (size_t)snprintf(routes + len, sizeof(routes) - len,
					"%s{ prefix = \"10.%d.0.0/16\"; via = \"10.0.0.1\"; }",
					i ? ", " : "", 100 + i);
	h_setup(&h);
	h_spoke_conf(&h, HUB_MAP, routes, NULL, path, sizeof(path));
	h_ctl_start(&h, path, false);
	h_dp_start(&h, &o);
	f->paused = true;
	run_for(&h, 300);
	ck_assert_int_eq(h.ctl.sync.state, SYNC_REPLAYING);
	ck_assert_uint_eq(h.ctl.dp.n_inflight, 8);
	ck_assert_uint_gt(h.ctl.dp.n_queued, 40);
	ck_assert_uint_eq(h.ctl.dp.st.queued_hwm, h.ctl.dp.n_queued);
	f->paused = false;
	f->max_per_poll = 3;
	ck_assert(run_until(&h, h_synced, 5000));
	ck_assert_uint_eq(h.ctl.dp.st.acked, h.ctl.dp.st.sent);
	ck_assert_uint_eq(h.ctl.dp.st.nacked, 0);
	ck_assert_uint_eq(f->acks, h.ctl.dp.st.sent);
	for (unsigned int i = 1; i < f->n_log; i++)
		ck_assert_uint_eq(f->log[i].seq, f->log[i - 1].seq + 1);
	ck_assert_int_eq(f->log[f->n_log - 1].type, MSG_REPLAY_END);
	ck_assert_int_eq(f->n_routes, 8 + 40);	/* interfaces and tunnel: 8 */
	assert_route(f, RT_OVERLAY, "10.139.0.0/16", NH_ADJ, 0, 0);
	ck_assert_int_eq(f->violations, 0);
	h_teardown(&h);
}
END_TEST

/* ---- adjacency removal and slot exhaustion ---- */

static bool adj_live_10_0_0_7(struct h *h)
{
	const struct adj *a = adj_find(&h->ctl, 0, ip("10.0.0.7"));

	return a && adj_state_get(&h->ctl, a) == ADJ_S_LIVE && h_idle(h);
}

START_TEST(test_adj_remove_and_exhaustion)
{
	struct h h;
	char path[256];
	struct fakedp *f = &h.dp;
	struct fakedp_opts o = { .adj_slots = 4 };
	uint32_t s3;
	unsigned int n0;
	int unpub, glean = -1;
	struct adj *a7;

	h_setup(&h);
	h_spoke_conf(&h, HUB_MAP, "{ prefix = \"10.0.65.0/24\"; via = \"10.0.0.3\"; }", NULL, path,
		     sizeof(path));
	h_ctl_start(&h, path, false);
	h_dp_start(&h, &o);
	ck_assert(run_until(&h, h_synced, 3000));
	/* slots: hub + 3 learned = all 4; the fifth waits */
	adj_upsert(&h.ctl, 0, ip("10.0.0.3"), ip("203.0.113.3"), 0, ADJ_F_SHORTCUT, 300, 32);
	adj_upsert(&h.ctl, 0, ip("10.0.0.4"), ip("203.0.113.4"), 0, ADJ_F_DYNAMIC, 300, 32);
	adj_upsert(&h.ctl, 0, ip("10.0.0.5"), ip("203.0.113.5"), 0, ADJ_F_DYNAMIC, 300, 32);
	a7 = adj_upsert(&h.ctl, 0, ip("10.0.0.7"), ip("203.0.113.7"), 0, ADJ_F_DYNAMIC, 300, 32);
	ck_assert(run_until(&h, h_synced, 3000));
	ck_assert_int_eq(fakedp_slots_live(f), 4);
	ck_assert(a7->waiting);
	ck_assert_int_eq(adj_state_get(&h.ctl, a7), ADJ_S_FREE);
	ck_assert_uint_eq(h.ctl.adj.st.no_slot, 1);
	ck_assert_ptr_null(fakedp_route(f, RT_OVERLAY, "10.0.0.7/32"));
	s3 = adj_find(&h.ctl, 0, ip("10.0.0.3"))->slot;
	assert_route(f, RT_OVERLAY, "10.0.65.0/24", NH_ADJ, 0, s3);

	/* removal: routes through it fall back to glean before the unpublish */
	n0 = f->n_log;
	ck_assert(adj_remove(&h.ctl, 0, ip("10.0.0.3")));
	ck_assert(!adj_remove(&h.ctl, 0, ip("10.0.0.3")));
	ck_assert(run_until(&h, adj_live_10_0_0_7, 3000));
	unpub = fakedp_find(f, MSG_ADJ_UNPUBLISH, n0, 0);
	for (int i = (int)n0; i < unpub; i++)
		if (f->log[i].type == MSG_ROUTE_ADD &&
		    ((const struct msg_route *)f->log[i].body)->nh_type == NH_GLEAN)
			glean = i;
	ck_assert_int_ge(glean, 0);
	ck_assert_int_lt(fakedp_find(f, MSG_ROUTE_DEL, n0, 0), unpub);	/* 10.0.0.3/32 */
	ck_assert_uint_eq(((const struct msg_slot *)f->log[unpub].body)->slot, s3);
	/* the freed slot went to the waiting adjacency, after the grace period */
	ck_assert_uint_eq(a7->slot, s3);
	ck_assert_int_gt(fakedp_find(f, MSG_ADJ_PUBLISH, n0, 0), unpub);
	assert_route(f, RT_OVERLAY, "10.0.0.7/32", NH_ADJ, 0, s3);
	assert_route(f, RT_OVERLAY, "10.0.65.0/24", NH_GLEAN, 0, ip("10.0.0.3"));
	ck_assert_ptr_null(fakedp_route(f, RT_OVERLAY, "10.0.0.3/32"));
	ck_assert_int_eq(f->violations, 0);
	h_teardown(&h);
}
END_TEST

static Suite *core_suite(void)
{
	Suite *s = suite_create("controlplane-core");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_loop_timer_order);
	tcase_add_test(tc, test_loop_timer_scale);
	tcase_add_test(tc, test_replay_hub);
	tcase_add_test(tc, test_replay_spoke);
	tcase_add_test(tc, test_controller_restart_adopts);
	tcase_add_test(tc, test_dp_restart_clean);
	tcase_add_test(tc, test_dp_restart_crash);
	tcase_add_test(tc, test_dp_heartbeat_dead);
	tcase_add_test(tc, test_reload_refused);
	tcase_add_test(tc, test_reload_publish_refused);
	tcase_add_test(tc, test_reload_make_before_break);
	tcase_add_test(tc, test_ring_full_queues);
	tcase_add_test(tc, test_adj_remove_and_exhaustion);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(core_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
