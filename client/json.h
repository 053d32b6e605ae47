/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small streaming JSON writer for aalevelctl's --json output.
 *
 * Strings are escaped per RFC 8259 (", \ and every byte below 0x20);
 * valid UTF-8 passes through, and each invalid byte becomes U+FFFD, so
 * the output is valid JSON and valid UTF-8 whatever the daemon or the
 * file system hands over. Misuse (a value without a key in an object, a
 * key in an array, unbalanced ends) and write errors are sticky: the
 * writer stops writing and json_writer_finish() reports them once.
 *
 * A buffered writer collects the document in memory and hands it to its
 * target only when json_writer_finish() finds it complete: a command
 * that fails half way prints no half document. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef enum JsonFlags {
        JSON_PRETTY = 1 << 0,   /* indent by two spaces, one value a line */
} JsonFlags;

#define JSON_DEPTH_MAX 16

typedef struct JsonWriter {
        FILE *f;
        FILE *target;           /* buffered: where the document goes */
        char *buffer;
        size_t buffer_size;
        JsonFlags flags;
        unsigned depth;
        /* Per open container: is it an object, and has it a member yet. */
        bool is_object[JSON_DEPTH_MAX];
        bool has_member[JSON_DEPTH_MAX];
        bool after_key;         /* a key was written, its value is due */
        bool done;              /* the top-level value is complete */
        int error;
} JsonWriter;

void json_writer_init(JsonWriter *w, FILE *f, JsonFlags flags);
int json_writer_init_buffered(JsonWriter *w, FILE *target, JsonFlags flags);
/* Ends the output with a newline (and writes a buffered document to its
 * target). 0, or -EINVAL after misuse or an incomplete document, or the
 * negative errno of a failed write. */
int json_writer_finish(JsonWriter *w);
/* Frees a buffered writer's buffer; for _cleanup_, also after finish
 * and on a zero-initialized writer. */
void json_writer_done(JsonWriter *w);

void json_object_begin(JsonWriter *w);
void json_object_end(JsonWriter *w);
void json_array_begin(JsonWriter *w);
void json_array_end(JsonWriter *w);
void json_key(JsonWriter *w, const char *key);

/* NULL writes null. */
void json_string(JsonWriter *w, const char *s);
/* NULL and "" write null: for the API's strings where "" means "none". */
void json_string_or_null(JsonWriter *w, const char *s);
void json_unsigned(JsonWriter *w, uint64_t v);
void json_signed(JsonWriter *w, int64_t v);
/* NaN and the infinities, which JSON cannot express, write null. */
void json_double(JsonWriter *w, double v);
void json_bool(JsonWriter *w, bool b);
void json_null(JsonWriter *w);

/* Writes s (n bytes, NUL bytes included) as a quoted JSON string. */
int json_write_string(FILE *f, const char *s, size_t n);
