/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's results as tables of fields, written by one printer. A
 * command describes its --json result as an array of Fields (a key and a
 * typed value) instead of a sequence of writer calls, and the rows of a
 * reply (an array of D-Bus structs: levels, profiles, changes, failures)
 * as an array of Columns: rows_print() reads each row by that table and
 * writes it as a JSON object, or hands it to the command's human output
 * (a table, a list of names, groups). What "" and 0 mean in the API
 * (none) is said once per field, by its type. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "json.h"

typedef enum ValueType {
        VALUE_NULL,
        VALUE_STRING,           /* NULL is null, "" stays "" */
        VALUE_STRING_OR_NULL,   /* NULL and "" are null: the API's "none" */
        VALUE_UNSIGNED,
        VALUE_UNSIGNED_OR_NULL, /* 0 is null: a time that has not come */
        VALUE_BOOL,
        VALUE_STRV,             /* an array of strings */
        _VALUE_TYPE_MAX,
} ValueType;

typedef struct Value {
        ValueType type;
        union {
                const char *s;
                uint64_t u;
                bool b;
                char * const *strv;
        };
} Value;

#define VALUE_NULL_INIT { .type = VALUE_NULL }
#define VALUE_STR(v) { .type = VALUE_STRING, .s = (v) }
#define VALUE_STR_OR_NULL(v) { .type = VALUE_STRING_OR_NULL, .s = (v) }
#define VALUE_UINT(v) { .type = VALUE_UNSIGNED, .u = (v) }
#define VALUE_UINT_OR_NULL(v) { .type = VALUE_UNSIGNED_OR_NULL, .u = (v) }
/* v when cond holds, else null (v is evaluated either way). */
#define VALUE_UINT_IF(cond, v) { .type = (cond) ? VALUE_UNSIGNED : VALUE_NULL, .u = (v) }
#define VALUE_BOOL(v) { .type = VALUE_BOOL, .b = (v) }
#define VALUE_STRV(v) { .type = VALUE_STRV, .strv = (v) }

typedef struct Field {
        const char *key;
        Value value;
} Field;

void json_value(JsonWriter *w, const Value *v);
/* The fields as members of the object being written. */
void json_fields(JsonWriter *w, const Field *fields, size_t n);

/* One member of a reply's structs, in order: its D-Bus type ('s' or 'u';
 * 0 for a value the command computes, not read from the reply), its
 * JSON key (NULL: human output only) and its JSON type. */
typedef struct Column {
        char dbus_type;
        const char *key;
        ValueType type;
} Column;

#define ROW_COLUMNS_MAX 8

/* Called once per row with the row's values (values[i] for columns[i]),
 * for the columns of dbus_type 0 to be filled (complete) or for human
 * output (human). */
typedef int (*RowFunc)(void *userdata, Value *values);

/* Reads an array of structs of columns from m. With w, writes it as a
 * JSON array of objects (after complete); without, calls human for each
 * row. 0, or a negative errno: sd-bus's for a reply of another shape,
 * or what a RowFunc returned. */
int rows_print(sd_bus_message *m, const Column *columns, size_t n_columns, JsonWriter *w,
               RowFunc complete, RowFunc human, void *userdata);
