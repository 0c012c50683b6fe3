/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dmvpn-controller context: one per process (tests run several in one
 * process, one after the other).  Owns the loop's subsystems:
 *
 *   dp     connection to the data plane (dpconn.c)
 *   adj    adjacencies and slots (adj.c)
 *   rt     desired routes (routes.c)
 *   sync   config -> desired state, replay, reload (sync.c)
 *   cli    the command socket (cli.c)
 *
 * Protocol modules (NHRP, later IKE) plug in with ctl_module_register():
 * they get the hooks below, register punt handlers on c->dp, CLI commands
 * on c->cli, adjacency listeners, and timers on c->loop.
 */
#ifndef DMVPN_CP_CTL_H
#define DMVPN_CP_CTL_H

#include <stdbool.h>
#include <stdint.h>

#include "adj.h"
#include "conf.h"
#include "dpconn.h"
#include "loop.h"
#include "routes.h"
#include "sync.h"

#define CTL_MAX_MODULES 8

struct ctl;
struct cli;

struct ctl_module {
	const char *name;
	/* A dynamic / shortcut slot (expires in the future) found published
	 * when the controller attached to a running data plane.  It is LIVE
	 * already; the module binds it (a->owner) or calls adj_del(). */
	void (*adj_adopted)(struct ctl *c, struct adj *a, void *arg);
	/* Attached to a data plane, before its adjacency slots are adopted:
	 * take over the module's own slots that adjacencies name (IPsec SAs),
	 * so adopted adjacency images still match. */
	void (*dp_attached)(struct ctl *c, void *arg);
	/* Every replay, before the adjacencies are published: publish what
	 * they name (IPsec SAs: the data plane refuses an adjacency whose
	 * outbound SA it does not have). */
	void (*dp_replay)(struct ctl *c, void *arg);
	/* REPLAY_END acknowledged: the data plane has our whole state. */
	void (*dp_synced)(struct ctl *c, void *arg);
	/* The data plane went away (its slots are gone with it). */
	void (*dp_lost)(struct ctl *c, void *arg);
	/* A reload was applied; c->conf is the new one, old still valid. */
	void (*conf_applied)(struct ctl *c, const struct conf *old, void *arg);
	/* Controller shutdown. */
	void (*fini)(struct ctl *c, void *arg);
};

struct ctl {
	struct loop *loop;
	char conf_path[CONF_PATH_LEN];
	struct conf conf;
	bool debug_forced;		/* -d: debug whatever the config says */
	uint64_t start_ms;
	uint64_t start_realtime_ns;

	struct dpconn dp;
	struct adj_table adj;
	struct rt_table rt;
	struct sync sync;
	struct cli *cli;

	struct {
		const struct ctl_module *m;
		void *arg;
	} mods[CTL_MAX_MODULES];
	unsigned int n_mods;
};

/* Takes ownership of *conf (loaded from conf_path).  Starts attaching to
 * the data plane and serving the CLI (cli_path NULL: no CLI socket). */
int ctl_init(struct ctl *c, struct loop *l, const char *conf_path, struct conf *conf,
	     bool debug_forced) __attribute__((warn_unused_result));
/* Leaves the data plane's tables exactly as they are. */
void ctl_fini(struct ctl *c);

int ctl_module_register(struct ctl *c, const struct ctl_module *m, void *arg);

/* Calls hook `fn` of every module that has it. */
#define CTL_MODULES_CALL(c, fn, ...)                                          \
	do {                                                                   \
		for (unsigned int i_ = 0; i_ < (c)->n_mods; i_++)             \
			if ((c)->mods[i_].m->fn)                               \
				(c)->mods[i_].m->fn((c), ##__VA_ARGS__,        \
						    (c)->mods[i_].arg);        \
	} while (0)

uint64_t ctl_realtime_ns(void);
/* Local NBMA address (tunnel source), network order; 0 = none. */
uint32_t ctl_local_nbma(const struct ctl *c);

#endif
