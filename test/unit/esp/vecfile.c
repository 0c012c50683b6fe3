/* SPDX-License-Identifier: BSD-3-Clause */
#include "vecfile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *vec_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static char *vec_slurp(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf = NULL;
	long sz;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (sz = ftell(fp)) >= 0 && fseek(fp, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)sz + 1);
		if (buf && fread(buf, 1, (size_t)sz, fp) != (size_t)sz) {
			free(buf);
			buf = NULL;
		} else if (buf) {
			buf[sz] = 0;
		}
	}
	fclose(fp);
	return buf;
}

static int vec_line(struct vec_file *f, char *line)
{
	struct vec_rec *r;
	char *eq;

	line = vec_trim(line);
	if (!*line || *line == '#')
		return 0;
	if (*line == '[') {
		char *end = strchr(line, ']');
		struct vec_rec *nr = realloc(f->recs, (f->n + 1) * sizeof(*nr));

		if (!end || !nr)
			return end ? -ENOMEM : -EINVAL;
		f->recs = nr;
		r = &f->recs[f->n++];
		memset(r, 0, sizeof(*r));
		*end = 0;
		snprintf(r->name, sizeof(r->name), "%s", line + 1);
		return 0;
	}
	eq = strchr(line, '=');
	if (!eq || !f->n || f->recs[f->n - 1].n == VEC_MAX_FIELDS)
		return -EINVAL;
	*eq = 0;
	r = &f->recs[f->n - 1];
	r->key[r->n] = vec_trim(line);
	r->val[r->n] = vec_trim(eq + 1);
	r->n++;
	return 0;
}

int vec_load(struct vec_file *f, const char *path)
{
	char *line, *save = NULL;
	int err = 0;

	memset(f, 0, sizeof(*f));
	f->text = vec_slurp(path);
	if (!f->text)
		return errno ? -errno : -EIO;
	for (line = strtok_r(f->text, "\n", &save); line && !err; line = strtok_r(NULL, "\n", &save))
		err = vec_line(f, line);
	if (err)
		vec_free(f);
	return err;
}

void vec_free(struct vec_file *f)
{
	free(f->recs);
	free(f->text);
	memset(f, 0, sizeof(*f));
}

const char *vec_get(const struct vec_rec *r, const char *key)
{
	for (unsigned int i = 0; i < r->n; i++)
		if (!strcmp(r->key[i], key))
			return r->val[i];
	return NULL;
}

static int vec_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int vec_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = vec_nibble(hex[2 * i]), lo = vec_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(n / 2);
}

const char *vec_path(char *buf, size_t len, const char *rel)
{
	const char *dir = getenv("DMVPN_TESTDATA");

	snprintf(buf, len, "%s/%s", dir ? dir : "../shared/testdata", rel);
	return buf;
}
