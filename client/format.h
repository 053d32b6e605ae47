/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's human output: durations, dates, aligned "Key: value"
 * fields, tables and the progress line. Nothing here talks to the daemon
 * or looks at the terminal: functions write into a buffer or a FILE the
 * caller passes, so tests compare exact strings. Control characters in
 * values (a hostile file name) are shown as '?', never sent to the
 * terminal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "macro.h"
#include "util.h"

/* "0", "15us", "350ms", "1.234s", "4min 12s", "2h 5min", "3d 4h". */
#define FORMAT_TIMESPAN_MAX 64
char *format_timespan(char *buf, size_t size, usec_t t);

/* A CLOCK_REALTIME time in µs as a local date, "Sun 2026-11-22 14:03:05
 * CET"; NULL when t is 0 or not representable. */
#define FORMAT_TIMESTAMP_MAX 96
char *format_timestamp(char *buf, size_t size, usec_t t);

/* Fields: "Key: value" lines, keys right-aligned on the colon; a value
 * with newlines continues on aligned lines below. */
typedef struct Fields {
        char **keys;
        char **values;
        size_t n;
} Fields;

int fields_add(Fields *f, const char *key, const char *value);
_printf_(3, 4) int fields_addf(Fields *f, const char *key, const char *format, ...);
void fields_print(const Fields *f, FILE *out);
void fields_done(Fields *f);

/* Tables: a header line and rows, columns two spaces apart, the last
 * column not padded. An empty or NULL cell shows as "-". */
typedef struct Table Table;

int table_new(size_t n_columns, const char * const *headers, Table **ret);
Table *table_free(Table *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(Table *, table_free);
/* cells holds n_columns strings, copied. */
int table_add_row(Table *t, const char * const *cells);
size_t table_rows(const Table *t);
void table_print(const Table *t, FILE *out);

/* The progress line: "Compiling  42% [========>           ] 123/290
 * …/usr.bin.firefox", at most width characters wide. The bar is left
 * out when there is no room, and current is cut on the left. total 0
 * means unknown: no percentage and no bar. */
int format_progress_line(char *buf, size_t size, const char *label, unsigned done, unsigned total,
                         const char *current, size_t width);

/* "FILE:LINE", or "FILE" when line is 0 (unknown); NULL on OOM. */
char *format_location(const char *file, unsigned line);

/* Writes s with control characters replaced by '?'. */
void fputs_sanitized(const char *s, FILE *out);
