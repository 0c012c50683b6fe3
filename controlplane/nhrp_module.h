/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The NHRP engine as a controller module (nhrp_module.c): configuration
 * from c->conf, packets and events from the data plane's punt ring,
 * packets out through the inject ring, bindings as adjacencies, shortcut
 * routes as RT_SRC_NHRP routes, CLI commands (nhrp_show.c).
 */
#ifndef DMVPN_CP_NHRP_MODULE_H
#define DMVPN_CP_NHRP_MODULE_H

struct ctl;
struct cli;
struct nhrp;

/* After ctl_init(): registers the module, its punt handlers, adjacency
 * listener and CLI commands, and starts NHRP from the configuration. */
int nhrp_module_init(struct ctl *c) __attribute__((warn_unused_result));
/* The engine of a controller, or NULL. */
struct nhrp *nhrp_module_engine(const struct ctl *c);
/* show ip nhrp ..., show dmvpn, clear ip nhrp (nhrp_show.c). */
void nhrp_show_register(struct cli *cli);

#endif
