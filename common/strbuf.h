/* SPDX-License-Identifier: BSD-3-Clause */
/* Growable text buffer for show output (text and JSON). */
#ifndef DMVPN_STRBUF_H
#define DMVPN_STRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strbuf {
	char *s;
	size_t len;
	size_t cap;
	bool oom;	/* sticky: an append failed */
};

void sb_init(struct strbuf *sb);
void sb_free(struct strbuf *sb);
void sb_reset(struct strbuf *sb);
void sb_append(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A flag word as the names of its set bits, in table order, separated by
 * spaces, into a fixed buffer (snprintf's truncation).  Returns the
 * length written (0: no flag set, buf ""). */
struct flag_name {
	uint32_t f;
	const char *name;
};
size_t flags_fmt(uint32_t flags, const struct flag_name *t, size_t n, char *buf, size_t len);

#endif
