/* SPDX-License-Identifier: BSD-3-Clause */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "dmvpn";
static int log_level = LOG_LVL_INFO;
static FILE *log_out;

static const char *const level_names[] = { "err", "warn", "info", "debug" };

void log_init(const char *prog, int level, const char *file)
{
	log_prog = prog;
	log_level = level;
	log_out = NULL;
	if (file && *file) {
		log_out = fopen(file, "a");
		if (log_out)
			setvbuf(log_out, NULL, _IOLBF, 0);
	}
}

void log_set_level(int level)
{
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

const char *log_level_name(int level)
{
	return level >= 0 && level < 4 ? level_names[level] : "?";
}

void log_msg(int level, const char *fmt, ...)
{
	FILE *out = log_out ? log_out : stderr;
	struct timespec ts;
	struct tm tm;
	char when[32];
	va_list ap;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	flockfile(out);
	fprintf(out, "%s.%03ld %s[%d] %s: ", when, ts.tv_nsec / 1000000, log_prog, getpid(),
		level_names[level]);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	funlockfile(out);
}
