/* SPDX-License-Identifier: BSD-3-Clause */
#include "json.h"

#include <stdio.h>

#include "addr.h"

void json_init(struct json *j, struct strbuf *sb)
{
	j->sb = sb;
	j->depth = 0;
	j->first[0] = true;
}

static void put_escaped(struct strbuf *sb, const char *s)
{
	sb_append(sb, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };

			sb_append(sb, e, 2);
		} else if (c < 0x20) {
			sb_printf(sb, "\\u%04x", c);
		} else {
			sb_append(sb, s, 1);
		}
	}
	sb_append(sb, "\"", 1);
}

static void member(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		sb_append(j->sb, ",", 1);
	j->first[j->depth] = false;
	if (key) {
		put_escaped(j->sb, key);
		sb_append(j->sb, ":", 1);
	}
}

static void open_(struct json *j, const char *key, char c)
{
	member(j, key);
	sb_append(j->sb, &c, 1);
	if (j->depth < JSON_MAX_DEPTH - 1)
		j->depth++;
	j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
	sb_append(j->sb, &c, 1);
	if (j->depth > 0)
		j->depth--;
}

void json_obj_open(struct json *j, const char *key) { open_(j, key, '{'); }
void json_obj_close(struct json *j) { close_(j, '}'); }
void json_arr_open(struct json *j, const char *key) { open_(j, key, '['); }
void json_arr_close(struct json *j) { close_(j, ']'); }

void json_str(struct json *j, const char *key, const char *v)
{
	member(j, key);
	put_escaped(j->sb, v ? v : "");
}

void json_u64(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	sb_printf(j->sb, "%llu", (unsigned long long)v);
}

void json_i64(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	sb_printf(j->sb, "%lld", (long long)v);
}

void json_dbl(struct json *j, const char *key, double v)
{
	member(j, key);
	sb_printf(j->sb, "%.6g", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	member(j, key);
	sb_puts(j->sb, v ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	sb_puts(j->sb, "null");
}

void json_ip4(struct json *j, const char *key, uint32_t addr)
{
	char b[ADDR_STRLEN];

	json_str(j, key, addr_fmt(addr, b));
}
