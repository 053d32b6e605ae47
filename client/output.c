/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's results as tables of fields. */
#include "output.h"

#include <assert.h>
#include <errno.h>

#include "macro.h"

void json_value(JsonWriter *w, const Value *v) {
        switch (v->type) {
        case VALUE_STRING:
                json_string(w, v->s);
                break;
        case VALUE_STRING_OR_NULL:
                json_string_or_null(w, v->s);
                break;
        case VALUE_UNSIGNED:
                json_unsigned(w, v->u);
                break;
        case VALUE_UNSIGNED_OR_NULL:
                if (v->u > 0)
                        json_unsigned(w, v->u);
                else
                        json_null(w);
                break;
        case VALUE_BOOL:
                json_bool(w, v->b);
                break;
        case VALUE_STRV:
                json_array_begin(w);
                for (char * const *s = v->strv; s && *s; s++)
                        json_string(w, *s);
                json_array_end(w);
                break;
        default:
                json_null(w);
        }
}

void json_fields(JsonWriter *w, const Field *fields, size_t n) {
        for (size_t i = 0; i < n; i++) {
                json_key(w, fields[i].key);
                json_value(w, &fields[i].value);
        }
}

/* Reads one struct into values; 0 at the end of the array. */
static int row_read(sd_bus_message *m, const char *contents, const Column *columns, size_t n, Value *values) {
        int r;

        r = sd_bus_message_enter_container(m, 'r', contents);
        if (r <= 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                uint32_t u;

                values[i] = (Value) { .type = columns[i].type };
                if (columns[i].dbus_type == 's')
                        r = sd_bus_message_read_basic(m, 's', &values[i].s);
                else if (columns[i].dbus_type == 'u') {
                        r = sd_bus_message_read_basic(m, 'u', &u);
                        values[i].u = u;
                }
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 1;
}

int rows_print(sd_bus_message *m, const Column *columns, size_t n_columns, JsonWriter *w,
               RowFunc complete, RowFunc human, void *userdata) {
        char contents[ROW_COLUMNS_MAX + 1] = {};
        Value values[ROW_COLUMNS_MAX];
        size_t k = 0;
        int r;

        assert(n_columns <= ROW_COLUMNS_MAX);
        assert(w || human);
        for (size_t i = 0; i < n_columns; i++)
                if (columns[i].dbus_type != 0)
                        contents[k++] = columns[i].dbus_type;

        r = sd_bus_message_enter_container(m, 'a', NULL);
        if (r < 0)
                return r;
        if (w)
                json_array_begin(w);
        while ((r = row_read(m, contents, columns, n_columns, values)) > 0) {
                if (complete) {
                        r = complete(userdata, values);
                        if (r < 0)
                                return r;
                }
                if (!w) {
                        r = human(userdata, values);
                        if (r < 0)
                                return r;
                        continue;
                }
                json_object_begin(w);
                for (size_t i = 0; i < n_columns; i++)
                        if (columns[i].key) {
                                json_key(w, columns[i].key);
                                json_value(w, &values[i]);
                        }
                json_object_end(w);
        }
        if (r < 0)
                return r;
        if (w)
                json_array_end(w);
        r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 0;
}
