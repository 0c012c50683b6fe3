/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in commands besides the FIB and adjacency views: show interfaces,
 * show dataplane [drops], show version, reload, debug level.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ctl.h"
#include "log.h"
#include "show_seg.h"

#ifndef DMVPN_VERSION
#define DMVPN_VERSION "unknown"
#endif

static void ctl_view_fill(const struct ctl *c, struct show_ctl_view *v)
{
	const struct dpconn *dc = &c->dp;

	memset(v, 0, sizeof(*v));
	v->pid = getpid();
	v->conn_state = dpc_state_name(dc->state);
	v->sync_state = sync_state_name(c->sync.state);
	v->refused = c->sync.refused;
	v->gen = c->sync.gen;
	v->synced_age_ms = c->sync.state == SYNC_SYNCED ? loop_now_ms() - c->sync.synced_ms : 0;
	if (c->sync.state == SYNC_SYNCED && !v->synced_age_ms)
		v->synced_age_ms = 1;
	v->sent = dc->st.sent;
	v->acked = dc->st.acked;
	v->refused_msgs = dc->st.nacked;
	v->outstanding = dpconn_outstanding(dc);
	v->queued_hwm = dc->st.queued_hwm;
	v->punts = dc->st.punts;
	v->punts_nhrp = dc->st.punts_nhrp;
	v->punts_ike = dc->st.punts_ike;
	v->punts_events = dc->st.punts_events;
	v->punts_unhandled = dc->st.punt_unhandled;
	v->injects = dc->st.injects;
	v->inject_full = dc->st.inject_full;
	v->attaches = dc->st.attaches;
	v->losses = dc->st.losses;
	v->adjacencies = adj_count(c);
	v->slots_used = c->adj.n_used;
	v->routes_overlay = c->rt.n_inst[RT_OVERLAY];
	v->routes_underlay = c->rt.n_inst[RT_UNDERLAY];
}

static void show_src_fill(struct cli_req *req, struct show_src *s, struct show_ctl_view *v)
{
	struct ctl *c = req->ctl;
	struct shm_header *h = dpconn_hdr(&c->dp);

	ctl_view_fill(c, v);
	memset(s, 0, sizeof(*s));
	s->source = "controller";
	s->seg = dpconn_seg(&c->dp);
	s->seg_path = c->dp.seg_path;
	s->conf = &c->conf;
	s->ctl = v;
	s->json = req->json;
	s->out = &req->out;
	s->j = &req->j;
	if (h && atomic_load(&h->heartbeat) != c->dp.hb_last) {
		c->dp.hb_last = atomic_load(&h->heartbeat);
		c->dp.hb_change_ms = loop_now_ms();
	}
	s->hb_age_ms = h ? loop_now_ms() - c->dp.hb_change_ms : 0;
	s->hb_alive = h && s->hb_age_ms < SHM_HEARTBEAT_DEAD_MS;
}

static int cmd_show_interfaces(struct cli_req *req)
{
	struct show_src s;
	struct show_ctl_view v;

	if (req->argc)
		return cli_req_error(req, "show interfaces: no arguments expected");
	show_src_fill(req, &s, &v);
	show_interfaces(&s);
	return 0;
}

static int cmd_show_arp(struct cli_req *req)
{
	struct show_src s;
	struct show_ctl_view v;

	if (req->argc)
		return cli_req_error(req, "show ip arp: no arguments expected");
	show_src_fill(req, &s, &v);
	show_arp(&s);
	return 0;
}

static int cmd_show_dataplane(struct cli_req *req)
{
	struct show_src s;
	struct show_ctl_view v;

	if (req->argc)
		return cli_req_error(req, "show dataplane: unexpected \"%s\"", req->argv[0]);
	show_src_fill(req, &s, &v);
	show_dataplane(&s);
	return 0;
}

static int cmd_show_drops(struct cli_req *req)
{
	struct show_src s;
	struct show_ctl_view v;
	bool all = false;

	for (int i = 0; i < req->argc; i++) {
		if (strcmp(req->argv[i], "--all") && strcmp(req->argv[i], "all"))
			return cli_req_error(req, "show dataplane drops: unexpected \"%s\"",
					     req->argv[i]);
		all = true;
	}
	show_src_fill(req, &s, &v);
	show_dataplane_drops(&s, all);
	return 0;
}

static int cmd_show_version(struct cli_req *req)
{
	const struct ctl *c = req->ctl;
	char up[32];

	show_duration(loop_now_ms() - c->start_ms, up, sizeof(up));
	if (req->json) {
		json_obj_open(&req->j, NULL);
		json_str(&req->j, "version", DMVPN_VERSION);
		json_str(&req->j, "config", c->conf_path);
		json_str(&req->j, "instance", c->conf.instance);
		json_i64(&req->j, "pid", getpid());
		json_u64(&req->j, "uptime_ms", loop_now_ms() - c->start_ms);
		json_str(&req->j, "log_level", log_level_name(log_get_level()));
		json_obj_close(&req->j);
		return 0;
	}
	sb_printf(&req->out, "dmvpn-controller %s\n", DMVPN_VERSION);
	sb_printf(&req->out, "Configuration %s, instance %s\n", c->conf_path, c->conf.instance);
	sb_printf(&req->out, "Uptime %s, pid %d, log level %s\n", up, getpid(),
		  log_level_name(log_get_level()));
	sb_printf(&req->out, "Data plane connection %s, %s (generation %u)\n",
		  dpc_state_name(c->dp.state), sync_state_name(c->sync.state), c->sync.gen);
	return 0;
}

/* ---- reload: replies once the data plane acknowledged the change ---- */

static void reload_reply(struct cli_req *req, int messages, const char *tail)
{
	if (req->json) {
		json_obj_open(&req->j, NULL);
		json_str(&req->j, "result", "applied");
		json_i64(&req->j, "messages", messages);
		json_str(&req->j, "dataplane", tail);
		json_obj_close(&req->j);
	} else {
		sb_printf(&req->out, "configuration reloaded: %d control messages, %s\n", messages,
			  tail);
	}
}

static void reload_fenced(struct dpconn *dc, int status, void *arg)
{
	struct cli_req *req = arg;
	int messages = (int)(intptr_t)req->cli_private;

	(void)dc;
	reload_reply(req, messages, status ? "data plane went away before acknowledging" :
					     "acknowledged by the data plane");
	cli_req_done(req, 0);
}

static int cmd_reload(struct cli_req *req)
{
	struct ctl *c = req->ctl;
	int n;

	if (req->argc)
		return cli_req_error(req, "reload: no arguments expected");
	n = sync_reload(c, req->err, sizeof(req->err));
	if (n < 0)
		return -1;
	if (!sync_can_send(c)) {
		reload_reply(req, n, "data plane not in sync (applied at the next replay)");
		return 0;
	}
	req->cli_private = (void *)(intptr_t)n;
	if (dpconn_fence(&c->dp, reload_fenced, req) < 0) {
		reload_reply(req, n, "not acknowledged");
		return 0;
	}
	return CLI_ASYNC;
}

static int cmd_debug_level(struct cli_req *req)
{
	int lvl;

	if (req->argc == 0) {
		sb_printf(&req->out, "log level %s\n", log_level_name(log_get_level()));
		return 0;
	}
	lvl = log_level_parse(req->argv[0]);
	if (req->argc != 1 || lvl < 0)
		return cli_req_error(req, "debug level: expected one of err, warn, info, debug");
	log_set_level(lvl);
	log_info("log level set to %s from the CLI", log_level_name(lvl));
	if (req->json) {
		json_obj_open(&req->j, NULL);
		json_str(&req->j, "log_level", log_level_name(lvl));
		json_obj_close(&req->j);
	} else {
		sb_printf(&req->out, "log level %s\n", log_level_name(lvl));
	}
	return 0;
}

void cli_builtin_register(struct cli *cli)
{
	cli_show_register(cli);
	cli_register(cli, "show interfaces", cmd_show_interfaces,
		     "ports of the data plane and the tunnel interface");
	cli_register(cli, "show ip arp", cmd_show_arp,
		     "the data plane's neighbour (ARP) table: address, MAC, state, age");
	cli_register(cli, "show dataplane", cmd_show_dataplane,
		     "data plane state, heartbeat, slots, replay generation, sync");
	cli_register(cli, "show dataplane drops", cmd_show_drops,
		     "[--all]: drop counters by reason, summed over lcores");
	cli_register(cli, "show version", cmd_show_version, "version, configuration, uptime");
	cli_register(cli, "reload", cmd_reload,
		     "load the configuration file again and apply the differences");
	cli_register(cli, "debug level", cmd_debug_level, "[err|warn|info|debug]: log level");
}
