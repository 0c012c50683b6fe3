/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test harness: a temporary run directory, a controller (struct ctl) and a
 * fake data plane in one process, driven by run_until() — poll with a
 * bound, never sleep to order events.
 */
#ifndef DMVPN_TEST_CP_HARNESS_H
#define DMVPN_TEST_CP_HARNESS_H

#include <stdbool.h>

#include "ctl.h"
#include "fakedp.h"

struct h {
	char dir[64];
	char conf_path[128];
	struct loop *loop;
	struct ctl ctl;
	bool ctl_on;
	struct fakedp dp;
	bool dp_on;
};

/* mkdtemp, DMVPN_RUNDIR, loop. */
void h_setup(struct h *h);
/* Stops what runs (controller first, data plane left as is), removes files. */
void h_teardown(struct h *h);

/* Writes dir/name; returns the path (static per call site is fine: copied). */
void h_write(struct h *h, const char *name, const char *text, char *path, size_t len);
/* A spoke configuration with the given nhrp.map entries and routes
 * (libconfig list bodies), sourced in h->dir, instance "cpt". */
void h_spoke_conf(struct h *h, const char *maps, const char *routes, const char *extra,
		  char *path, size_t len);

/* Loads a file; patch_segdir: point dataplane.segment_dir at h->dir (for
 * the project's conf/ files, which keep /dev/shm). */
void h_ctl_start(struct h *h, const char *path, bool patch_segdir);
void h_ctl_stop(struct h *h);
void h_dp_start(struct h *h, const struct fakedp_opts *o);
/* crash: leave the segment file behind. */
void h_dp_stop(struct h *h, bool crash);

bool run_until(struct h *h, bool (*cond)(struct h *), int max_ms);
/* Runs the loop and the data plane for a while (no condition). */
void run_for(struct h *h, int ms);
bool h_synced(struct h *h);		/* in sync and nothing outstanding */
bool h_idle(struct h *h);		/* nothing outstanding */

/* In-process CLI: the reply text (malloc'ed), *status 0 / -1. */
char *h_cli(struct h *h, const char *line, int *status);

/* Project root relative path (tests run from the build dir). */
const char *h_src(const char *rel, char *buf, size_t len);

#endif
