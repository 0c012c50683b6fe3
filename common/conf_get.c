/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loader helpers: errors with file:line, type checks, typed getters and the
 * duplicate finder shared by every section (conf_priv.h).
 */
#include "conf_priv.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"

static size_t path_put(const config_setting_t *s, char *buf, size_t len)
{
	const config_setting_t *p = config_setting_parent(s);
	size_t n;
	int w;

	if (!p)
		return 0;
	n = path_put(p, buf, len);
	if (n >= len)
		return len;
	if (config_setting_is_list(p) || config_setting_is_array(p))
		w = snprintf(buf + n, len - n, "[%d]", config_setting_index(s));
	else
		w = snprintf(buf + n, len - n, "%s%s", n ? "." : "",
			     config_setting_name(s) ? config_setting_name(s) : "?");
	if (w < 0 || (size_t)w >= len - n)
		return len;
	return n + (size_t)w;
}

const char *conf_setting_path(const config_setting_t *s, char *buf, size_t len)
{
	buf[0] = '\0';
	if (s && path_put(s, buf, len) == 0)
		snprintf(buf, len, "top level");
	return buf;
}

int conf_err(struct conf_ctx *x, const config_setting_t *s, const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	va_list ap;

	snprintf(x->err->file, sizeof(x->err->file), "%s", file ? file : x->name);
	x->err->line = s ? (int)config_setting_source_line(s) : 0;
	va_start(ap, fmt);
	vsnprintf(x->err->msg, sizeof(x->err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int conf_need_group(struct conf_ctx *x, const config_setting_t *s)
{
	char p[128];

	if (config_setting_is_group(s))
		return 0;
	return conf_err(x, s, "%s: must be a group { ... }", conf_setting_path(s, p, sizeof(p)));
}

int conf_need_list(struct conf_ctx *x, const config_setting_t *s)
{
	char p[128];

	if (config_setting_is_list(s) || config_setting_is_array(s))
		return 0;
	return conf_err(x, s, "%s: must be a list ( ... ) or array [ ... ]",
			conf_setting_path(s, p, sizeof(p)));
}

static bool key_known(const struct conf_key *keys, const char *name)
{
	for (; keys->name; keys++)
		if (strcmp(keys->name, name) == 0)
			return true;
	return false;
}

int conf_check_keys(struct conf_ctx *x, const config_setting_t *g, const struct conf_key *keys)
{
	int n = config_setting_length(g);
	char p[128];

	if (conf_need_group(x, g) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const config_setting_t *m = config_setting_get_elem(g, (unsigned int)i);

		if (!key_known(keys, config_setting_name(m)))
			return conf_err(x, m, "unknown setting '%s' in %s", config_setting_name(m),
					conf_setting_path(g, p, sizeof(p)));
	}
	for (; keys->name; keys++)
		if (keys->required && !config_setting_get_member(g, keys->name))
			return conf_err(x, g, "%s: missing '%s'", conf_setting_path(g, p, sizeof(p)),
					keys->name);
	return 0;
}

static int get_int64(struct conf_ctx *x, const config_setting_t *g, const char *name,
		     const config_setting_t **sp, long long *v)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char p[128];

	*sp = s;
	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return conf_err(x, s, "%s: must be an integer", conf_setting_path(s, p, sizeof(p)));
	*v = config_setting_get_int64(s);
	return 1;
}

int conf_get_u32(struct conf_ctx *x, const config_setting_t *g, const char *name,
		 uint32_t min, uint32_t max, uint32_t *out)
{
	const config_setting_t *s;
	long long v = 0;
	char p[128];
	int rc = get_int64(x, g, name, &s, &v);

	if (rc <= 0)
		return rc;
	if (v < (long long)min || v > (long long)max)
		return conf_err(x, s, "%s: must be %u..%u (got %lld)",
				conf_setting_path(s, p, sizeof(p)), min, max, v);
	*out = (uint32_t)v;
	return 1;
}

int conf_get_u16(struct conf_ctx *x, const config_setting_t *g, const char *name,
		 uint16_t min, uint16_t max, uint16_t *out)
{
	uint32_t v;
	int rc = conf_get_u32(x, g, name, min, max, &v);

	if (rc == 1)
		*out = (uint16_t)v;
	return rc;
}

int conf_get_bool(struct conf_ctx *x, const config_setting_t *g, const char *name, bool *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char p[128];

	if (!s)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return conf_err(x, s, "%s: must be true or false", conf_setting_path(s, p, sizeof(p)));
	*out = config_setting_get_bool(s);
	return 1;
}

static int need_string(struct conf_ctx *x, const config_setting_t *s)
{
	char p[128];

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return 0;
	return conf_err(x, s, "%s: must be a string \"...\"", conf_setting_path(s, p, sizeof(p)));
}

int conf_get_cstr(struct conf_ctx *x, const config_setting_t *g, const char *name,
		  const char **out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	if (!s)
		return 0;
	if (need_string(x, s) < 0)
		return -1;
	*out = config_setting_get_string(s);
	return 1;
}

int conf_get_str(struct conf_ctx *x, const config_setting_t *g, const char *name,
		 char *buf, size_t cap)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v;
	char p[128];
	size_t n;

	if (!s)
		return 0;
	if (need_string(x, s) < 0)
		return -1;
	v = config_setting_get_string(s);
	n = strlen(v);
	if (n == 0)
		return conf_err(x, s, "%s: must not be empty", conf_setting_path(s, p, sizeof(p)));
	if (n >= cap)
		return conf_err(x, s, "%s: too long (%zu characters, at most %zu)",
				conf_setting_path(s, p, sizeof(p)), n, cap - 1);
	memcpy(buf, v, n + 1);
	return 1;
}

static int addr_of(struct conf_ctx *x, const config_setting_t *s, uint32_t *out)
{
	char p[128];

	if (need_string(x, s) < 0)
		return -1;
	if (!addr_parse(config_setting_get_string(s), out))
		return conf_err(x, s, "%s: '%s' is not an IPv4 address a.b.c.d",
				conf_setting_path(s, p, sizeof(p)), config_setting_get_string(s));
	return 1;
}

int conf_get_addr(struct conf_ctx *x, const config_setting_t *g, const char *name,
		  uint32_t *out)
{
	const config_setting_t *s = config_setting_get_member(g, name);

	return s ? addr_of(x, s, out) : 0;
}

int conf_elem_addr(struct conf_ctx *x, const config_setting_t *e, uint32_t *out)
{
	return addr_of(x, e, out);
}

int conf_get_prefix(struct conf_ctx *x, const config_setting_t *g, const char *name,
		    bool host_bits, uint32_t *addr, uint8_t *plen)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	const char *v;
	char p[128];

	if (!s)
		return 0;
	if (need_string(x, s) < 0)
		return -1;
	v = config_setting_get_string(s);
	if (!prefix_parse(v, addr, plen, true))
		return conf_err(x, s, "%s: '%s' is not a prefix a.b.c.d/len",
				conf_setting_path(s, p, sizeof(p)), v);
	if (!host_bits && (*addr & ~plen_mask(*plen))) {
		char net[PREFIX_STRLEN];

		return conf_err(x, s, "%s: '%s' has host bits set (did you mean %s?)",
				conf_setting_path(s, p, sizeof(p)), v,
				prefix_fmt(*addr & plen_mask(*plen), *plen, net));
	}
	return 1;
}

static int dup_cmp(const void *a, const void *b)
{
	const struct conf_dup *l = a, *r = b;

	if (l->key != r->key)
		return l->key < r->key ? -1 : 1;
	return l->idx < r->idx ? -1 : l->idx > r->idx;
}

/* O(n log n): configs with tens of thousands of static maps load at once. */
long conf_dup_find(struct conf_dup *v, size_t n)
{
	long first = -1;

	if (n > 1)
		qsort(v, n, sizeof(*v), dup_cmp);
	/* Report the duplicate that comes first in the file. */
	for (size_t i = 1; i < n; i++)
		if (v[i].key == v[i - 1].key && (first < 0 || v[i].idx < v[first].idx))
			first = (long)i;
	return first;
}

const struct conf_dup *conf_dup_lookup(const struct conf_dup *v, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && v[lo].key == key ? &v[lo] : NULL;
}

void conf_setting_wipe(const config_setting_t *s)
{
	const char *v;

	if (!s || config_setting_type(s) != CONFIG_TYPE_STRING)
		return;
	v = config_setting_get_string(s);
	/* The tree owns a malloc'ed copy; config_destroy() frees without wiping. */
	if (v)
		explicit_bzero((char *)v, strlen(v));
}

bool conf_name_valid(const char *s, size_t max, bool allow_punct)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (; *s; s++) {
		char ch = *s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')
			continue;
		if (allow_punct && (ch == '.' || ch == '/' || ch == ':'))
			continue;
		return false;
	}
	return true;
}

/* Not 0.0.0.0, not 127/8, not multicast, class E or broadcast. */
bool conf_addr_unicast(uint32_t a)
{
	uint32_t h = ntohl(a);

	return h != 0 && (h >> 24) != 127 && (h >> 28) < 0xe;
}

int conf_iface_containing(const struct conf *c, uint32_t a, uint32_t roles)
{
	for (uint32_t i = 0; i < c->n_ifaces; i++) {
		const struct conf_iface *f = &c->ifaces[i];

		if ((roles & CONF_ROLE_BIT(f->role)) && f->addr &&
		    prefix_contains(f->addr, f->plen, a))
			return (int)i;
	}
	return -1;
}
