/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging for the controller, dmvpnctl and the data plane's main lcore.
 * Never on a worker's fast path.  State changes are logged at debug level by
 * name ("adj 10.0.0.2: unpublished -> published").
 */
#ifndef DMVPN_LOG_H
#define DMVPN_LOG_H

#include <stdarg.h>

#include "conf.h"

void log_init(const char *prog, int level, const char *file);
void log_set_level(int level);
int log_get_level(void);
int log_level_parse(const char *s);	/* "err".."debug" -> level, -1 if unknown */
const char *log_level_name(int level);

void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)                                          \
	do {                                                    \
		if (log_get_level() >= LOG_LVL_DEBUG)           \
			log_msg(LOG_LVL_DEBUG, __VA_ARGS__);    \
	} while (0)

#endif
