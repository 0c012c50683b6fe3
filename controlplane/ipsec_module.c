/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The IPsec controller module: wires the SA table (ipsec_sa.c) and the
 * manual SAs (ipsec_manual.c) into the controller's hooks.
 *
 *   dp_attached   adopt the running data plane's SA slots (before its
 *                 adjacency slots are adopted: their images name SA slots)
 *   dp_replay     publish every SA without a slot, then bind adjacencies
 *                 (before the replay publishes them)
 *   dp_lost       every SA loses its slot; sequence numbers carried over
 *   conf_applied  ipsec.sa installed / rekeyed / removed; warnings logged
 *   adjacency listener   ADDED / CHANGED: bind to the peer's outbound SA
 *   MSG_EV_SA     soft / hard lifetime, sequence number near overflow
 *
 * Timer: ipsec_tick every IPSEC_TICK_MS (sequence mirror, lifetimes in
 * seconds, retiring slots, rekey phases).
 */
#include "ipsec.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "log.h"

static const char IPSEC_MOD_NAME[] = "ipsec";

struct ipsec_mod *ipsec_mod_get(const struct ctl *c)
{
	for (unsigned int i = 0; i < c->n_mods; i++)
		if (c->mods[i].m->name == IPSEC_MOD_NAME)
			return c->mods[i].arg;
	return NULL;
}

static void ipsec_log_warnings(const struct conf *cf)
{
	for (uint32_t i = 0; cf->ipsec && i < cf->ipsec->n_warnings; i++)
		log_warn("%s", cf->ipsec->warnings[i]);
}

static void ipsec_tick(struct loop *l, struct loop_timer *t, void *arg)
{
	struct ipsec_mod *m = arg;

	ipsec_tab_tick(m);
	ipsec_manual_tick(m);
	loop_timer_arm(l, t, IPSEC_TICK_MS);
}

static void ipsec_dp_attached(struct ctl *c, void *arg)
{
	struct ipsec_mod *m = arg;

	(void)c;
	ipsec_tab_attach(m);
	ipsec_manual_bind_all(m);
}

static void ipsec_dp_replay(struct ctl *c, void *arg)
{
	struct ipsec_mod *m = arg;

	(void)c;
	ipsec_tab_replay(m);
	ipsec_manual_bind_all(m);
}

static void ipsec_dp_lost(struct ctl *c, void *arg)
{
	(void)c;
	ipsec_tab_lost(arg);
}

static void ipsec_conf_applied(struct ctl *c, const struct conf *old, void *arg)
{
	(void)old;
	ipsec_log_warnings(&c->conf);
	ipsec_manual_apply(arg);
}

static void ipsec_adj_adopted(struct ctl *c, struct adj *a, void *arg)
{
	(void)c;
	ipsec_manual_adj_event(arg, a);
}

static void ipsec_fini(struct ctl *c, void *arg)
{
	struct ipsec_mod *m = arg;

	loop_timer_cancel(c->loop, &m->tick);
	ipsec_manual_fini(m);
	hmap_fini(&m->peers);
	ipsec_tab_fini(m);
	free(m);
}

static void ipsec_adj_listener(struct ctl *c, struct adj *a, enum adj_event ev, void *arg)
{
	(void)c;
	if (ev == ADJ_EV_ADDED || ev == ADJ_EV_CHANGED)
		ipsec_manual_adj_event(arg, a);
}

static void ipsec_punt_ev_sa(struct dpconn *dc, const struct msg_hdr *h, const void *body,
			     void *arg)
{
	struct msg_ev_sa ev;

	(void)dc;
	if (h->len < sizeof(ev))
		return;
	memcpy(&ev, body, sizeof(ev));
	ipsec_sa_event(arg, ev.slot, ev.events, ev.pkts, ev.bytes, ev.seq);
}

static const struct ctl_module ipsec_ctl_module = {
	.name = IPSEC_MOD_NAME,
	.adj_adopted = ipsec_adj_adopted,
	.dp_attached = ipsec_dp_attached,
	.dp_replay = ipsec_dp_replay,
	.dp_lost = ipsec_dp_lost,
	.conf_applied = ipsec_conf_applied,
	.fini = ipsec_fini,
};

int ipsec_module_init(struct ctl *c)
{
	struct ipsec_mod *m = calloc(1, sizeof(*m));
	int err;

	if (!m)
		return -ENOMEM;
	m->c = c;
	ipsec_tab_init(m);
	hmap_init(&m->peers);
	err = ctl_module_register(c, &ipsec_ctl_module, m);
	if (err) {
		hmap_fini(&m->peers);
		free(m);
		return err;
	}
	loop_timer_init(&m->tick, ipsec_tick, m);
	err = adj_listener_add(c, ipsec_adj_listener, m);
	if (err)
		return err;	/* registered: freed by the fini hook */
	dpconn_punt_register(&c->dp, MSG_EV_SA, ipsec_punt_ev_sa, m);
	if (c->cli)
		ipsec_show_register(c->cli);
	loop_timer_arm(c->loop, &m->tick, IPSEC_TICK_MS);
	ipsec_log_warnings(&c->conf);
	ipsec_manual_apply(m);
	return 0;
}
