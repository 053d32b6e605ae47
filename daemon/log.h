/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Logging for the daemon: to the journal (with structured fields and
 * MESSAGE_IDs) when stderr is connected to it, else to stderr.
 *
 * The convention of the whole daemon: functions return 0 or a negative
 * errno; a caller that decides to report an error does it in one line,
 *         return log_error_errno(r, "Failed to load %s: %m", path);
 * which logs (with %m expanding to the error) and returns r. Library-like
 * modules (parsers, the cache, the plan) do not log; the caller decides. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

#include "macro.h"

void log_set_max_level(int level);
int log_get_max_level(void);
/* Tells the logger how to call the program in stderr lines. */
void log_set_ident(const char *ident);
/* Forces stderr output even when the journal is reachable (tests). */
void log_force_stderr(bool b);

int log_internal(int level, int error, const char *file, int line, const char *func,
                 const char *format, ...) _printf_(6, 7);

/* A structured entry: MESSAGE from format, MESSAGE_ID and extra fields,
 * each "KEY=value" (NULL-terminated strv), for the journal catalog. */
int log_struct_internal(int level, int error, const char *message_id, char * const *fields,
                        const char *file, int line, const char *func,
                        const char *format, ...) _printf_(8, 9);

#define log_full_errno(level, error, ...) \
        log_internal((level), (error), __FILE__, __LINE__, __func__, __VA_ARGS__)
#define log_debug(...)   log_full_errno(LOG_DEBUG, 0, __VA_ARGS__)
#define log_info(...)    log_full_errno(LOG_INFO, 0, __VA_ARGS__)
#define log_notice(...)  log_full_errno(LOG_NOTICE, 0, __VA_ARGS__)
#define log_warning(...) log_full_errno(LOG_WARNING, 0, __VA_ARGS__)
#define log_error(...)   log_full_errno(LOG_ERR, 0, __VA_ARGS__)
#define log_debug_errno(e, ...)   log_full_errno(LOG_DEBUG, (e), __VA_ARGS__)
#define log_warning_errno(e, ...) log_full_errno(LOG_WARNING, (e), __VA_ARGS__)
#define log_error_errno(e, ...)   log_full_errno(LOG_ERR, (e), __VA_ARGS__)
#define log_oom() log_error_errno(-ENOMEM, "Out of memory.")

#define log_struct(level, message_id, fields, ...) \
        log_struct_internal((level), 0, (message_id), (fields), __FILE__, __LINE__, __func__, __VA_ARGS__)
