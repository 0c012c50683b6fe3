/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the configuration loader: the load context, error reporting with
 * file:line, typed getters and the per-section loaders.  Only conf*.c include
 * this; a later feature adds a section by writing conf_<section>.c against
 * these helpers and adding one line to conf_sections[] in conf.c.
 *
 * Getters return 1 when the setting is present and valid, 0 when it is
 * absent (the caller keeps its default) and -1 after filling the error.
 */
#ifndef DMVPN_CONF_PRIV_H
#define DMVPN_CONF_PRIV_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct conf_ctx {
	struct conf *c;
	struct conf_error *err;
	const char *name;		/* file name used in errors */
	const config_setting_t *rundir;	/* the rundir setting, NULL if defaulted */
};

/* One allowed member of a group. */
struct conf_key {
	const char *name;
	bool required;
};

/* One top-level setting: its loader and, for sections that own memory kept
 * in conf->ext, how to release it.  Loaders run in table order, whatever the
 * order in the file, so a section may rely on the ones before it. */
struct conf_section {
	const char *name;
	int (*load)(struct conf_ctx *x, const config_setting_t *s);
	void (*free)(struct conf *c);
	bool required;
	bool always;			/* load runs with s = NULL when absent */
};

/* An element for duplicate detection and lookup: sorted by (key, idx). */
struct conf_dup {
	uint64_t key;
	uint32_t idx;			/* position in the list */
	const config_setting_t *s;
};

/* Fill the error with the file and line of s (line 0 when s is NULL or the
 * root) and return -1. */
int conf_err(struct conf_ctx *x, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Dotted path of a setting for messages: "nhrp.map[3].nbma". */
const char *conf_setting_path(const config_setting_t *s, char *buf, size_t len);

/* Type checks; -1 with "<path>: must be a group" and so on. */
int conf_need_group(struct conf_ctx *x, const config_setting_t *s);
int conf_need_list(struct conf_ctx *x, const config_setting_t *s);
/* Every member of group g must be in keys[] (NULL-terminated by name), and
 * every required key present: "unknown setting 'foo' in nhrp". */
int conf_check_keys(struct conf_ctx *x, const config_setting_t *g, const struct conf_key *keys);

int conf_get_u32(struct conf_ctx *x, const config_setting_t *g, const char *name,
		 uint32_t min, uint32_t max, uint32_t *out);
int conf_get_u16(struct conf_ctx *x, const config_setting_t *g, const char *name,
		 uint16_t min, uint16_t max, uint16_t *out);
int conf_get_bool(struct conf_ctx *x, const config_setting_t *g, const char *name, bool *out);
/* A string setting; *out points into the libconfig tree. */
int conf_get_cstr(struct conf_ctx *x, const config_setting_t *g, const char *name,
		  const char **out);
/* A string copied into buf of size cap: 1..cap-1 characters. */
int conf_get_str(struct conf_ctx *x, const config_setting_t *g, const char *name,
		 char *buf, size_t cap);
/* "a.b.c.d" */
int conf_get_addr(struct conf_ctx *x, const config_setting_t *g, const char *name,
		  uint32_t *out);
/* "a.b.c.d/len"; host_bits false for route prefixes. */
int conf_get_prefix(struct conf_ctx *x, const config_setting_t *g, const char *name,
		    bool host_bits, uint32_t *addr, uint8_t *plen);
/* The same for a list element that is itself a string. */
int conf_elem_addr(struct conf_ctx *x, const config_setting_t *e, uint32_t *out);

/* Sort v and return the index in v of the first later duplicate, or -1. */
long conf_dup_find(struct conf_dup *v, size_t n);
/* In a sorted v: the entry with key, or NULL. */
const struct conf_dup *conf_dup_lookup(const struct conf_dup *v, size_t n, uint64_t key);

/* Wipe a secret string held by the libconfig tree once copied. */
void conf_setting_wipe(const config_setting_t *s);

/* Helpers on the config being built. */
bool conf_name_valid(const char *s, size_t max, bool allow_punct);
bool conf_addr_unicast(uint32_t a);
int conf_iface_containing(const struct conf *c, uint32_t a, uint32_t roles);
#define CONF_ROLE_BIT(r) (1u << (r))

/* Section loaders (conf_node.c, conf_nhrp.c). */
int conf_load_instance(struct conf_ctx *x, const config_setting_t *s);
int conf_load_rundir(struct conf_ctx *x, const config_setting_t *s);
int conf_load_dataplane(struct conf_ctx *x, const config_setting_t *s);
int conf_load_interfaces(struct conf_ctx *x, const config_setting_t *s);
int conf_load_tunnel(struct conf_ctx *x, const config_setting_t *s);
int conf_load_nhrp(struct conf_ctx *x, const config_setting_t *s);
int conf_load_routes(struct conf_ctx *x, const config_setting_t *s);
int conf_load_neighbors(struct conf_ctx *x, const config_setting_t *s);
int conf_load_log(struct conf_ctx *x, const config_setting_t *s);
/* conf_ipsec.c: s may be NULL (checks tunnel.protection). */
int conf_load_ipsec(struct conf_ctx *x, const config_setting_t *s);
void conf_free_ipsec(struct conf *c);

#endif
