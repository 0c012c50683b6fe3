/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer harness for the configuration loader (common/conf.h): any text
 * either loads, and frees cleanly, or fails with a message and leaves the
 * struct empty.  Exercises the integer-literal normaliser in conf.c, which
 * follows libconfig's lexer by hand.  Seeds: the files in conf/.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libconfig 1.5 leaks the value of a string token when a syntax error
 * follows it (the input `""` loses one byte): not ours to fix, and our own
 * allocations are still checked. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

static void require(bool ok)
{
	if (!ok)
		abort();
}

static bool conf_is_empty(const struct conf *c)
{
	static const struct conf zero;

	return memcmp(c, &zero, sizeof(zero)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct conf_error err;
	struct conf c;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (conf_load_string(text, "fuzz.conf", &c, &err) == 0) {
		require(c.instance[0] != '\0' && c.n_ifaces >= 1);
		require(c.nhrp.n_nhs <= CONF_MAX_NHS);
		conf_free(&c);
	} else {
		require(conf_is_empty(&c));
		require(err.msg[0] != '\0' && err.line >= 0);
		require(strcmp(err.file, "fuzz.conf") == 0);
	}
	free(text);
	return 0;
}
