/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `show interfaces`, `show dataplane`, `show dataplane drops` from the
 * segment (see show_seg.h).  Counters are read live: sums may be torn by a
 * packet or two, as every reader of per-worker counters accepts.
 */
#include "show_seg.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "addr.h"

const char *show_role_name(uint8_t role)
{
	switch (role) {
	case PORT_ROLE_PUBLIC: return "public";
	case PORT_ROLE_LAN: return "lan";
	case PORT_ROLE_HOST: return "host";
	default: return "?";
	}
}

const char *show_dp_state_name(uint32_t st)
{
	switch (st) {
	case SHM_DP_STARTING: return "starting";
	case SHM_DP_WAITING: return "waiting for the controller";
	case SHM_DP_READY: return "ready";
	case SHM_DP_STOPPING: return "stopping";
	default: return "?";
	}
}

void show_duration(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;

	if (s >= 86400)
		snprintf(buf, len, "%" PRIu64 "d%02" PRIu64 "h", s / 86400, s % 86400 / 3600);
	else
		snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64, s / 3600,
			 s % 3600 / 60, s % 60);
}

static void show_source_line(const struct show_src *s)
{
	if (s->json) {
		json_str(s->j, "source", s->source);
		return;
	}
	if (s->ctl)
		sb_printf(s->out, "Source: controller (pid %d)\n", s->ctl->pid);
	else
		sb_printf(s->out, "Source: segment %s (controller not reachable)\n",
			  s->seg_path ? s->seg_path : "?");
}

/* ---- show interfaces ---- */

static void show_port_text(const struct show_src *s, unsigned int i, const struct shm_port *p)
{
	char mac[MAC_STRLEN], pfx[PREFIX_STRLEN];
	uint32_t addr = atomic_load(&p->addr);

	sb_printf(s->out, "%.32s is %s, role %s\n", p->name,
		  atomic_load(&p->link_up) ? "up" : "down", show_role_name(p->role));
	sb_printf(s->out, "  Device %.128s (DPDK port %u, %u rx / %u tx queues)\n", p->device,
		  p->dpdk_port, p->n_rxq, p->n_txq);
	sb_printf(s->out, "  Hardware address %s, MTU %u bytes, %u Mbit/s\n", mac_fmt(p->mac, mac),
		  atomic_load(&p->mtu), atomic_load(&p->link_speed));
	if (addr)
		sb_printf(s->out, "  Internet address %s\n",
			  prefix_fmt(addr, (uint8_t)atomic_load(&p->plen), pfx));
	else
		sb_printf(s->out, "  Internet address not set%s\n",
			  s->conf && i < s->conf->n_ifaces && s->conf->ifaces[i].addr ?
				  " (not applied yet)" : "");
	sb_printf(s->out, "  Input: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " errors, %"
		  PRIu64 " missed, %" PRIu64 " no mbuf\n", p->stats.rx_pkts, p->stats.rx_bytes,
		  p->stats.rx_errors, p->stats.rx_missed, p->stats.rx_nombuf);
	sb_printf(s->out, "  Output: %" PRIu64 " packets, %" PRIu64 " bytes, %" PRIu64 " errors\n",
		  p->stats.tx_pkts, p->stats.tx_bytes, p->stats.tx_errors);
}

static void show_port_json(const struct show_src *s, unsigned int i, const struct shm_port *p)
{
	struct json *j = s->j;
	char mac[MAC_STRLEN], name[SHM_NAME_LEN + 1], dev[SHM_DEVICE_LEN + 1];

	snprintf(name, sizeof(name), "%.32s", p->name);
	snprintf(dev, sizeof(dev), "%.128s", p->device);
	json_obj_open(j, NULL);
	json_u64(j, "index", i);
	json_str(j, "name", name);
	json_str(j, "device", dev);
	json_str(j, "role", show_role_name(p->role));
	json_str(j, "mac", mac_fmt(p->mac, mac));
	json_bool(j, "link_up", atomic_load(&p->link_up));
	json_u64(j, "speed_mbps", atomic_load(&p->link_speed));
	json_ip4(j, "address", atomic_load(&p->addr));
	json_u64(j, "plen", atomic_load(&p->plen));
	json_u64(j, "mtu", atomic_load(&p->mtu));
	json_u64(j, "rx_packets", p->stats.rx_pkts);
	json_u64(j, "rx_bytes", p->stats.rx_bytes);
	json_u64(j, "rx_errors", p->stats.rx_errors);
	json_u64(j, "rx_missed", p->stats.rx_missed);
	json_u64(j, "rx_nombuf", p->stats.rx_nombuf);
	json_u64(j, "tx_packets", p->stats.tx_pkts);
	json_u64(j, "tx_bytes", p->stats.tx_bytes);
	json_u64(j, "tx_errors", p->stats.tx_errors);
	json_obj_close(j);
}

static void show_tunnel(const struct show_src *s)
{
	const struct conf *cf = s->conf;
	const struct conf_tunnel *t = &cf->tunnel;
	uint32_t src = t->source < cf->n_ifaces ? cf->ifaces[t->source].addr : 0;
	const char *src_name = t->source < cf->n_ifaces ? cf->ifaces[t->source].name : "?";
	char pfx[PREFIX_STRLEN], a[ADDR_STRLEN];

	if (s->json) {
		json_obj_open(s->j, "tunnel");
		json_str(s->j, "name", t->name);
		json_ip4(s->j, "address", t->addr);
		json_u64(s->j, "plen", t->plen);
		json_ip4(s->j, "source", src);
		json_str(s->j, "source_interface", src_name);
		if (t->has_key)
			json_u64(s->j, "key", t->key);
		else
			json_null(s->j, "key");
		json_u64(s->j, "mtu", t->mtu);
		json_str(s->j, "protection", t->protection);
		json_obj_close(s->j);
		return;
	}
	sb_printf(s->out, "%s is up, multipoint GRE\n", t->name);
	sb_printf(s->out, "  Internet address %s, MTU %u bytes\n", prefix_fmt(t->addr, t->plen, pfx),
		  t->mtu);
	sb_printf(s->out, "  Tunnel source %s (%s), destination multipoint", addr_fmt(src, a),
		  src_name);
	if (t->has_key)
		sb_printf(s->out, ", key %u", t->key);
	sb_printf(s->out, "\n  Tunnel protection %s\n",
		  t->protection[0] ? t->protection : "none");
}

void show_interfaces(const struct show_src *s)
{
	unsigned int n = s->seg ? s->seg->hdr->n_ports : 0;

	if (s->json) {
		json_obj_open(s->j, NULL);
		show_source_line(s);
		json_arr_open(s->j, "ports");
	} else {
		show_source_line(s);
		if (!s->seg)
			sb_puts(s->out, "Data plane not attached: no port information\n");
	}
	for (unsigned int i = 0; i < n && i < SHM_MAX_PORTS; i++) {
		if (s->json)
			show_port_json(s, i, shm_port(s->seg, i));
		else
			show_port_text(s, i, shm_port(s->seg, i));
	}
	if (s->json)
		json_arr_close(s->j);
	if (s->conf && s->conf->tunnel.present)
		show_tunnel(s);
	if (s->json)
		json_obj_close(s->j);
}

/* ---- show dataplane ---- */

static void show_dp_ctl_text(const struct show_src *s)
{
	const struct show_ctl_view *v = s->ctl;
	char d[32];

	sb_printf(s->out, "Controller: pid %d, connection %s, %s", v->pid, v->conn_state,
		  v->sync_state);
	if (v->synced_age_ms) {
		show_duration(v->synced_age_ms, d, sizeof(d));
		sb_printf(s->out, " for %s", d);
	}
	sb_printf(s->out, ", generation %u\n", v->gen);
	if (v->refused && *v->refused)
		sb_printf(s->out, "  Not syncing: %s\n", v->refused);
	sb_printf(s->out, "  Messages: %" PRIu64 " sent, %" PRIu64 " acked, %" PRIu64
		  " refused, %" PRIu64 " outstanding (queue high-water %" PRIu64 ")\n", v->sent,
		  v->acked, v->refused_msgs, v->outstanding, v->queued_hwm);
	sb_printf(s->out, "  Punted %" PRIu64 ", injected %" PRIu64 " (%" PRIu64
		  " ring full), attached %" PRIu64 " times, lost %" PRIu64 " times\n", v->punts,
		  v->injects, v->inject_full, v->attaches, v->losses);
	sb_printf(s->out, "  Punts by type: NHRP %" PRIu64 ", IKE %" PRIu64 ", events %" PRIu64
		  ", unhandled %" PRIu64 "\n", v->punts_nhrp, v->punts_ike, v->punts_events,
		  v->punts_unhandled);
	sb_printf(s->out, "  Desired: %u adjacencies (%u slots in use), %u overlay + %u underlay "
		  "routes installed\n", v->adjacencies, v->slots_used, v->routes_overlay,
		  v->routes_underlay);
}

static void show_dp_ctl_json(const struct show_src *s)
{
	const struct show_ctl_view *v = s->ctl;
	struct json *j = s->j;

	json_obj_open(j, "controller");
	json_i64(j, "pid", v->pid);
	json_str(j, "connection", v->conn_state);
	json_str(j, "sync", v->sync_state);
	json_bool(j, "in_sync", strcmp(v->sync_state, "in sync") == 0);
	json_str(j, "refused", v->refused ? v->refused : "");
	json_u64(j, "generation", v->gen);
	json_u64(j, "synced_age_ms", v->synced_age_ms);
	json_u64(j, "messages_sent", v->sent);
	json_u64(j, "messages_acked", v->acked);
	json_u64(j, "messages_refused", v->refused_msgs);
	json_u64(j, "messages_outstanding", v->outstanding);
	json_u64(j, "queue_high_water", v->queued_hwm);
	json_u64(j, "punts", v->punts);
	json_u64(j, "punts_nhrp", v->punts_nhrp);
	json_u64(j, "punts_ike", v->punts_ike);
	json_u64(j, "punts_events", v->punts_events);
	json_u64(j, "punts_unhandled", v->punts_unhandled);
	json_u64(j, "injects", v->injects);
	json_u64(j, "inject_ring_full", v->inject_full);
	json_u64(j, "attaches", v->attaches);
	json_u64(j, "losses", v->losses);
	json_u64(j, "adjacencies", v->adjacencies);
	json_u64(j, "slots_used", v->slots_used);
	json_u64(j, "routes_overlay", v->routes_overlay);
	json_u64(j, "routes_underlay", v->routes_underlay);
	json_obj_close(j);
}

static void show_dp_seg_text(const struct show_src *s, const struct shm_wstats *w)
{
	const struct shm_header *h = s->seg->hdr;

	sb_printf(s->out, "Data plane: %s, pid %d, epoch %#" PRIx64 ", heartbeat ",
		  show_dp_state_name(atomic_load(&h->dp_state)), h->dp_pid, h->epoch);
	if (s->hb_alive)
		sb_printf(s->out, "%" PRIu64 " ms ago\n", s->hb_age_ms);
	else
		sb_printf(s->out, "stalled for %" PRIu64 " ms\n", s->hb_age_ms);
	sb_printf(s->out, "Instance %.32s, segment %s (%" PRIu64 " bytes)\n", h->instance,
		  s->seg_path ? s->seg_path : "?", h->size);
	sb_printf(s->out, "Workers %u, ports %u\n", h->n_workers, h->n_ports);
	sb_printf(s->out, "Adjacency slots %" PRIu64 " published / %u, SA slots %" PRIu64
		  " published / %u\n", atomic_load(&h->adj_live), h->adj_slots,
		  atomic_load(&h->sa_live), h->sa_slots);
	sb_printf(s->out, "Routes %" PRIu64 " overlay, %" PRIu64 " underlay, neighbours %" PRIu64
		  "\n", atomic_load(&h->routes), atomic_load(&h->routes_underlay),
		  atomic_load(&h->neighbours));
	sb_printf(s->out, "Replay generation %u (controller generation %u), controller pid %d\n",
		  atomic_load(&h->replay_gen), atomic_load(&h->controller_gen),
		  atomic_load(&h->controller_pid));
	sb_printf(s->out, "Packets: rx %" PRIu64 ", tx %" PRIu64 ", encap %" PRIu64 ", decap %"
		  PRIu64 ", punted %" PRIu64 ", events %" PRIu64 ", ICMP sent %" PRIu64
		  ", fragments %" PRIu64 "\n", w->rx_pkts, w->tx_pkts, w->encap_pkts,
		  w->decap_pkts, w->punt_pkts, w->events, w->icmp_sent, w->fragments);
}

/* Per-lcore counters (workers, then the main lcore): what a benchmark
 * needs to compute cycles per packet (busy_tsc / busy_packets deltas) and
 * what a test needs to see which lcore moved. */
static void show_dp_lcores_json(const struct show_src *s)
{
	const struct shm_header *h = s->seg->hdr;
	struct json *j = s->j;

	json_arr_open(j, "lcores");
	for (uint32_t l = 0; l <= h->n_workers && l <= SHM_MAX_WORKERS; l++) {
		const struct shm_wstats *w = shm_wstats(s->seg, l);
		char name[24];

		if (l == h->n_workers)
			snprintf(name, sizeof(name), "main");
		else
			snprintf(name, sizeof(name), "worker%u", l);
		json_obj_open(j, NULL);
		json_str(j, "name", name);
		json_u64(j, "rx_packets", w->rx_pkts);
		json_u64(j, "tx_packets", w->tx_pkts);
		json_u64(j, "encap_packets", w->encap_pkts);
		json_u64(j, "decap_packets", w->decap_pkts);
		json_u64(j, "punt_packets", w->punt_pkts);
		json_u64(j, "events", w->events);
		json_u64(j, "icmp_sent", w->icmp_sent);
		json_u64(j, "fragments", w->fragments);
		json_u64(j, "busy_tsc", w->busy_tsc);
		json_u64(j, "busy_packets", w->busy_pkts);
		json_u64(j, "polls", w->polls);
		json_u64(j, "idle_polls", w->idle_polls);
		json_u64(j, "sleeps", w->sleeps);
		json_obj_close(j);
	}
	json_arr_close(j);
}

static void show_dp_seg_json(const struct show_src *s, const struct shm_wstats *w)
{
	const struct shm_header *h = s->seg->hdr;
	struct json *j = s->j;
	char inst[SHM_NAME_LEN + 1];
	char epoch[24];

	snprintf(inst, sizeof(inst), "%.32s", h->instance);
	snprintf(epoch, sizeof(epoch), "%#" PRIx64, h->epoch);
	json_obj_open(j, "dataplane");
	json_str(j, "state", show_dp_state_name(atomic_load(&h->dp_state)));
	json_i64(j, "pid", h->dp_pid);
	json_str(j, "epoch", epoch);
	json_bool(j, "heartbeat_alive", s->hb_alive);
	json_u64(j, "heartbeat_age_ms", s->hb_age_ms);
	json_str(j, "instance", inst);
	json_str(j, "segment", s->seg_path ? s->seg_path : "");
	json_u64(j, "segment_bytes", h->size);
	json_u64(j, "workers", h->n_workers);
	json_u64(j, "ports", h->n_ports);
	json_u64(j, "adj_slots", h->adj_slots);
	json_u64(j, "adj_published", atomic_load(&h->adj_live));
	json_u64(j, "sa_slots", h->sa_slots);
	json_u64(j, "sa_published", atomic_load(&h->sa_live));
	json_u64(j, "routes_overlay", atomic_load(&h->routes));
	json_u64(j, "routes_underlay", atomic_load(&h->routes_underlay));
	json_u64(j, "neighbours", atomic_load(&h->neighbours));
	json_u64(j, "replay_generation", atomic_load(&h->replay_gen));
	json_u64(j, "controller_generation", atomic_load(&h->controller_gen));
	json_i64(j, "controller_pid", atomic_load(&h->controller_pid));
	json_u64(j, "rx_packets", w->rx_pkts);
	json_u64(j, "tx_packets", w->tx_pkts);
	json_u64(j, "encap_packets", w->encap_pkts);
	json_u64(j, "decap_packets", w->decap_pkts);
	json_u64(j, "punt_packets", w->punt_pkts);
	json_u64(j, "events", w->events);
	json_u64(j, "icmp_sent", w->icmp_sent);
	json_u64(j, "fragments", w->fragments);
	json_u64(j, "tsc_hz", h->tsc_hz);
	show_dp_lcores_json(s);
	json_obj_close(j);
}

void show_dataplane(const struct show_src *s)
{
	struct shm_wstats w;

	if (s->seg)
		shm_wstats_sum(s->seg, &w);
	if (s->json) {
		json_obj_open(s->j, NULL);
		show_source_line(s);
		if (s->seg)
			show_dp_seg_json(s, &w);
		else
			json_null(s->j, "dataplane");
		if (s->ctl)
			show_dp_ctl_json(s);
		json_obj_close(s->j);
		return;
	}
	show_source_line(s);
	if (s->seg)
		show_dp_seg_text(s, &w);
	else
		sb_printf(s->out, "Data plane: not attached (segment %s)\n",
			  s->seg_path ? s->seg_path : "?");
	if (s->ctl)
		show_dp_ctl_text(s);
}

/* ---- show dataplane drops ---- */

static void show_drop_json(const struct show_src *s, unsigned int d, uint64_t total)
{
	const struct shm_header *h = s->seg->hdr;

	json_obj_open(s->j, NULL);
	json_str(s->j, "name", drop_name(d));
	json_u64(s->j, "packets", total);
	json_str(s->j, "help", drop_help(d));
	json_arr_open(s->j, "per_lcore");
	for (uint32_t l = 0; l <= h->n_workers; l++)
		json_u64(s->j, NULL, shm_wstats(s->seg, l)->drops[d]);
	json_arr_close(s->j);
	json_obj_close(s->j);
}

void show_dataplane_drops(const struct show_src *s, bool all)
{
	struct shm_wstats w;
	uint64_t total = 0;

	if (s->json) {
		json_obj_open(s->j, NULL);
		show_source_line(s);
	} else {
		show_source_line(s);
	}
	if (!s->seg) {
		if (s->json) {
			json_null(s->j, "drops");
			json_obj_close(s->j);
		} else {
			sb_puts(s->out, "Data plane not attached: no counters\n");
		}
		return;
	}
	shm_wstats_sum(s->seg, &w);
	if (s->json) {
		json_arr_open(s->j, "lcores");
		for (uint32_t l = 0; l < s->seg->hdr->n_workers; l++) {
			char name[24];

			snprintf(name, sizeof(name), "worker%u", l);
			json_str(s->j, NULL, name);
		}
		json_str(s->j, NULL, "main");
		json_arr_close(s->j);
		json_arr_open(s->j, "drops");
	} else {
		sb_printf(s->out, "%-24s %14s  %s\n", "Drop reason", "Packets", "Description");
	}
	for (unsigned int d = 0; d < DROP__MAX; d++) {
		total += w.drops[d];
		if (!all && !w.drops[d])
			continue;
		if (s->json)
			show_drop_json(s, d, w.drops[d]);
		else
			sb_printf(s->out, "%-24s %14" PRIu64 "  %s\n", drop_name(d), w.drops[d],
				  drop_help(d));
	}
	if (s->json) {
		json_arr_close(s->j);
		json_u64(s->j, "total", total);
		json_obj_close(s->j);
	} else {
		sb_printf(s->out, "%-24s %14" PRIu64 "\n", "total", total);
	}
}

/* ---- show ip arp ---- */

static void nbr_port_name(const struct show_src *s, uint8_t port, char *buf, size_t len)
{
	if (port < s->seg->hdr->n_ports)
		snprintf(buf, len, "%.32s", shm_port(s->seg, port)->name);
	else
		snprintf(buf, len, "port%u", port);
}

void show_arp(const struct show_src *s)
{
	const struct shm_header *h;
	struct timespec ts;
	uint64_t now_ns, count = 0;

	if (s->json)
		json_obj_open(s->j, NULL);
	show_source_line(s);
	if (!s->seg) {
		if (s->json) {
			json_null(s->j, "neighbours");
			json_obj_close(s->j);
		} else {
			sb_puts(s->out, "Data plane not attached: no neighbour table\n");
		}
		return;
	}
	h = s->seg->hdr;
	clock_gettime(CLOCK_REALTIME, &ts);
	now_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	if (s->json)
		json_arr_open(s->j, "neighbours");
	else
		sb_printf(s->out, "%-16s %-9s %-17s %-10s %6s %4s  %s\n", "Address", "Age",
			  "Hardware Addr", "State", "Probes", "Refs", "Interface");
	for (uint32_t i = 0; i < h->nbr_slots; i++) {
		struct shm_nbr n;
		char a[ADDR_STRLEN], mac[MAC_STRLEN], port[SHM_NAME_LEN + 8], age[24];
		uint64_t conf_ns, age_ms = 0;
		bool has_mac;

		if (!shm_nbr_read(s->seg, i, &n) || n.state == SHM_NBR_FREE)
			continue;
		count++;
		has_mac = n.state == SHM_NBR_REACHABLE || n.state == SHM_NBR_STALE ||
			  n.state == SHM_NBR_STATIC;
		conf_ns = shm_tsc_to_realtime_ns(h, n.confirmed_tsc);
		if (conf_ns && now_ns > conf_ns)
			age_ms = (now_ns - conf_ns) / 1000000;
		nbr_port_name(s, n.port, port, sizeof(port));
		if (s->json) {
			json_obj_open(s->j, NULL);
			json_ip4(s->j, "address", n.addr);
			json_str(s->j, "interface", port);
			json_u64(s->j, "port", n.port);
			if (has_mac)
				json_str(s->j, "mac", mac_fmt(n.mac, mac));
			else
				json_null(s->j, "mac");
			json_str(s->j, "state", shm_nbr_state_name(n.state));
			if (conf_ns && n.state != SHM_NBR_STATIC)
				json_u64(s->j, "age_ms", age_ms);
			else
				json_null(s->j, "age_ms");
			json_u64(s->j, "probes", n.probes);
			json_u64(s->j, "refs", n.refs);
			json_obj_close(s->j);
			continue;
		}
		if (conf_ns && n.state != SHM_NBR_STATIC)
			show_duration(age_ms, age, sizeof(age));
		else
			snprintf(age, sizeof(age), "-");
		sb_printf(s->out, "%-16s %-9s %-17s %-10s %6u %4u  %s\n", addr_fmt(n.addr, a), age,
			  has_mac ? mac_fmt(n.mac, mac) : "Incomplete", shm_nbr_state_name(n.state),
			  n.probes, n.refs, port);
	}
	if (s->json) {
		json_arr_close(s->j);
		json_u64(s->j, "count", count);
		json_obj_close(s->j);
	} else {
		sb_printf(s->out, "%" PRIu64 " neighbour%s\n", count, count == 1 ? "" : "s");
	}
}
