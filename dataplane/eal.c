/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EAL arguments from the config.  Safety rules of this project (DESIGN.md):
 * --no-pci unless a PCI device is named (then -a for each, nothing else is
 * probed); a --file-prefix of our own; --in-memory so no hugepage or runtime
 * file survives the process, even a kill -9; no telemetry socket.
 */
#include <stdio.h>
#include <string.h>

#include "dp.h"

/* "0000:03:00.0" or "03:00.0" */
bool eal_device_is_pci(const char *device)
{
	unsigned int dom, bus, dev, fn;
	char end;

	if (sscanf(device, "%x:%x:%x.%x%c", &dom, &bus, &dev, &fn, &end) == 4)
		return true;
	return sscanf(device, "%x:%x.%x%c", &bus, &dev, &fn, &end) == 3;
}

struct argv_builder {
	char **argv;
	int argc, max;
	char *store;
	size_t used, len;
	bool overflow;
};

static void arg(struct argv_builder *b, const char *fmt, const char *s)
{
	int n;

	if (b->argc >= b->max - 1 || b->used >= b->len) {
		b->overflow = true;
		return;
	}
	n = snprintf(b->store + b->used, b->len - b->used, fmt, s);
	if (n < 0 || (size_t)n >= b->len - b->used) {
		b->overflow = true;
		return;
	}
	b->argv[b->argc++] = b->store + b->used;
	b->used += (size_t)n + 1;
}

/* Fills argv (NULL-terminated) from the config; strings live in store.
 * Returns argc, or -1 if argv/store are too small. */
int eal_args_build(const struct conf *c, char **argv, int max, char *store, size_t store_len)
{
	struct argv_builder b = { argv, 0, max, store, 0, store_len, false };
	const struct conf_dataplane *d = &c->dp;
	char mem[16];

	arg(&b, "%s", "dmvpn-dataplane");
	/* "lcore@cpu" pinnings need --lcores (same list otherwise) */
	arg(&b, "%s", strchr(d->lcores, '@') ? "--lcores" : "-l");
	arg(&b, "%s", d->lcores[0] ? d->lcores : "0,1");
	if (d->main_lcore[0]) {
		arg(&b, "%s", "--main-lcore");
		arg(&b, "%s", d->main_lcore);
	}
	arg(&b, "--file-prefix=dmvpn-%s", c->instance);
	arg(&b, "%s", "--in-memory");
	arg(&b, "%s", "--no-telemetry");
	snprintf(mem, sizeof(mem), "%u", d->memory_mb ? d->memory_mb : 256);
	arg(&b, "%s", "-m");
	arg(&b, "%s", mem);
	/* PCI devices: those named as interfaces and those in dataplane.pci.
	 * Only these are probed (-a); with none at all, the PCI bus is off. */
	bool any_pci = d->n_pci > 0;

	for (uint32_t i = 0; i < c->n_ifaces; i++)
		any_pci |= eal_device_is_pci(c->ifaces[i].device);
	if (!any_pci)
		arg(&b, "%s", "--no-pci");
	for (uint32_t i = 0; i < d->n_pci; i++) {
		arg(&b, "%s", "-a");
		arg(&b, "%s", d->pci[i]);
	}
	for (uint32_t i = 0; i < c->n_ifaces; i++) {
		arg(&b, "%s", eal_device_is_pci(c->ifaces[i].device) ? "-a" : "--vdev");
		arg(&b, "%s", c->ifaces[i].device);
	}
	for (uint32_t i = 0; i < d->n_eal_args; i++)
		arg(&b, "%s", d->eal_args[i]);
	if (b.overflow)
		return -1;
	argv[b.argc] = NULL;
	return b.argc;
}
