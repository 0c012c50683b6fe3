/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Show commands that need only the shared-memory segment (and the config
 * when there is one): `show interfaces`, `show dataplane`, `show dataplane
 * drops`.  The controller serves them with its own view added; dmvpnctl
 * renders them itself from a read-only mapping when the controller is
 * unreachable, so drop counters stay visible with the controller dead.
 * Field names are documented in docs/cli.md.
 */
#ifndef DMVPN_CP_SHOW_SEG_H
#define DMVPN_CP_SHOW_SEG_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "json.h"
#include "shm.h"
#include "strbuf.h"

/* The controller's part of `show dataplane` (absent when read offline). */
struct show_ctl_view {
	int pid;
	const char *conn_state;		/* dpconn: down / waiting / up */
	const char *sync_state;		/* down / refused / replaying / in sync */
	const char *refused;		/* why refused, or "" */
	uint32_t gen;
	uint64_t synced_age_ms;		/* 0 = not synced */
	uint64_t sent, acked, refused_msgs, outstanding, queued_hwm;
	uint64_t punts, injects, inject_full, attaches, losses;
	uint64_t punts_nhrp, punts_ike, punts_events, punts_unhandled;
	uint32_t adjacencies, slots_used;
	uint32_t routes_overlay, routes_underlay;
};

struct show_src {
	const char *source;		/* "controller" or "segment" */
	const struct shm_seg *seg;	/* NULL: no data plane attached */
	const char *seg_path;
	const struct conf *conf;	/* NULL when not known */
	const struct show_ctl_view *ctl;	/* NULL when read offline */
	bool hb_alive;			/* heartbeat seen advancing */
	uint64_t hb_age_ms;		/* since it last advanced (as far as known) */
	bool json;
	struct strbuf *out;
	struct json *j;
};

void show_interfaces(const struct show_src *s);
void show_dataplane(const struct show_src *s);
void show_dataplane_drops(const struct show_src *s, bool all);
/* `show ip arp`: the data plane's neighbour table as mirrored in the segment */
void show_arp(const struct show_src *s);

const char *show_role_name(uint8_t role);
const char *show_dp_state_name(uint32_t st);
/* "hh:mm:ss" or "NdNNh" for long durations */
void show_duration(uint64_t ms, char *buf, size_t len);

#endif
