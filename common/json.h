/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Streaming JSON writer over a strbuf: the caller opens and closes objects
 * and arrays; commas and string escaping are handled here.
 *
 *   json_obj_open(j, NULL);
 *   json_str(j, "state", "up"); json_u64(j, "packets", n);
 *   json_arr_open(j, "entries"); ... json_arr_close(j);
 *   json_obj_close(j);
 */
#ifndef DMVPN_JSON_H
#define DMVPN_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "strbuf.h"

#define JSON_MAX_DEPTH 16

struct json {
	struct strbuf *sb;
	int depth;
	bool first[JSON_MAX_DEPTH];
};

void json_init(struct json *j, struct strbuf *sb);
/* key is NULL inside arrays and at top level */
void json_obj_open(struct json *j, const char *key);
void json_obj_close(struct json *j);
void json_arr_open(struct json *j, const char *key);
void json_arr_close(struct json *j);
void json_str(struct json *j, const char *key, const char *v);
void json_u64(struct json *j, const char *key, uint64_t v);
void json_i64(struct json *j, const char *key, int64_t v);
void json_dbl(struct json *j, const char *key, double v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
/* IPv4 (network order) as a dotted string */
void json_ip4(struct json *j, const char *key, uint32_t addr);

#endif
