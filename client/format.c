/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's human output. */
#include "format.h"

#include <assert.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strv.h"
#include "utf8.h"

#define USEC_PER_MINUTE (60 * USEC_PER_SEC)
#define USEC_PER_HOUR   (60 * USEC_PER_MINUTE)
#define USEC_PER_DAY    (24 * USEC_PER_HOUR)

char *format_timespan(char *buf, size_t size, usec_t t) {
        assert(buf);
        assert(size > 0);

        if (t == 0)
                snprintf(buf, size, "0");
        else if (t < USEC_PER_MSEC)
                snprintf(buf, size, "%" PRIu64 "us", t);
        else if (t < USEC_PER_SEC)
                snprintf(buf, size, "%" PRIu64 "ms", t / USEC_PER_MSEC);
        else if (t < USEC_PER_MINUTE) {
                usec_t ms = (t % USEC_PER_SEC) / USEC_PER_MSEC;
                int digits = 3;

                /* 1.230s is written 1.23s, 5.000s is 5s. */
                while (digits > 0 && ms % 10 == 0) {
                        ms /= 10;
                        digits--;
                }
                if (digits == 0)
                        snprintf(buf, size, "%" PRIu64 "s", t / USEC_PER_SEC);
                else
                        snprintf(buf, size, "%" PRIu64 ".%0*" PRIu64 "s", t / USEC_PER_SEC, digits, ms);
        } else {
                static const struct {
                        usec_t unit;
                        const char *suffix;
                } units[] = {
                        { USEC_PER_DAY,    "d" },
                        { USEC_PER_HOUR,   "h" },
                        { USEC_PER_MINUTE, "min" },
                        { USEC_PER_SEC,    "s" },
                };
                size_t i = 0;

                /* The two largest units that apply: "4min 12s", "3d 4h". */
                while (t < units[i].unit)
                        i++;
                if (t % units[i].unit / units[i + 1].unit == 0)
                        snprintf(buf, size, "%" PRIu64 "%s", t / units[i].unit, units[i].suffix);
                else
                        snprintf(buf, size, "%" PRIu64 "%s %" PRIu64 "%s",
                                 t / units[i].unit, units[i].suffix,
                                 t % units[i].unit / units[i + 1].unit, units[i + 1].suffix);
        }
        return buf;
}

char *format_timestamp(char *buf, size_t size, usec_t t) {
        time_t sec;
        struct tm tm;

        assert(buf);
        if (t == 0)
                return NULL;
        sec = (time_t) (t / USEC_PER_SEC);
        if ((usec_t) sec != t / USEC_PER_SEC || !localtime_r(&sec, &tm))
                return NULL;
        if (strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                return NULL;
        return buf;
}

char *format_location(const char *file, unsigned line) {
        char *s;

        if (line == 0)
                return strdup(file);
        if (asprintf(&s, "%s:%u", file, line) < 0)
                return NULL;
        return s;
}

void fputs_sanitized(const char *s, FILE *out) {
        for (const unsigned char *p = (const unsigned char *) s; *p; p++)
                fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, out);
}

static void put_spaces(size_t n, FILE *out) {
        while (n-- > 0)
                fputc(' ', out);
}

int fields_add(Fields *f, const char *key, const char *value) {
        char **keys, **values;
        char *k, *v;

        assert(f);
        assert(key);
        k = strdup(key);
        v = strdup(strempty(value));
        keys = realloc(f->keys, sizeof(char *) * (f->n + 1));
        if (keys)
                f->keys = keys;
        values = realloc(f->values, sizeof(char *) * (f->n + 1));
        if (values)
                f->values = values;
        if (!k || !v || !keys || !values) {
                free(k);
                free(v);
                return -ENOMEM;
        }
        f->keys[f->n] = k;
        f->values[f->n] = v;
        f->n++;
        return 0;
}

int fields_addf(Fields *f, const char *key, const char *format, ...) {
        _cleanup_free_ char *value = NULL;
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(&value, format, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return fields_add(f, key, value);
}

void fields_print(const Fields *f, FILE *out) {
        size_t width = 0;

        for (size_t i = 0; i < f->n; i++)
                width = MAX(width, utf8_width(f->keys[i]));

        for (size_t i = 0; i < f->n; i++) {
                const char *line = f->values[i];

                put_spaces(width - utf8_width(f->keys[i]), out);
                fputs_sanitized(f->keys[i], out);
                fputc(':', out);
                /* One output line per line of the value, aligned. */
                for (bool first = true;; first = false) {
                        const char *nl = strchr(line, '\n');
                        _cleanup_free_ char *part = strndup(line, nl ? (size_t) (nl - line) : strlen(line));

                        if (!first)
                                put_spaces(width + 1, out);
                        if (part && *part) {
                                fputc(' ', out);
                                fputs_sanitized(part, out);
                        }
                        fputc('\n', out);
                        if (!nl)
                                break;
                        line = nl + 1;
                }
        }
}

void fields_done(Fields *f) {
        for (size_t i = 0; i < f->n; i++) {
                free(f->keys[i]);
                free(f->values[i]);
        }
        free(f->keys);
        free(f->values);
        *f = (Fields) {};
}

struct Table {
        size_t n_columns;
        size_t n_rows;          /* the header included */
        char **cells;           /* n_rows * n_columns */
};

int table_new(size_t n_columns, const char * const *headers, Table **ret) {
        _cleanup_(table_freep) Table *t = NULL;
        int r;

        assert(n_columns > 0);
        t = calloc(1, sizeof(Table));
        if (!t)
                return -ENOMEM;
        t->n_columns = n_columns;
        r = table_add_row(t, headers);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(t);
        return 0;
}

Table *table_free(Table *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_rows * t->n_columns; i++)
                free(t->cells[i]);
        free(t->cells);
        free(t);
        return NULL;
}

int table_add_row(Table *t, const char * const *cells) {
        char **c;

        c = realloc(t->cells, sizeof(char *) * (t->n_rows + 1) * t->n_columns);
        if (!c)
                return -ENOMEM;
        t->cells = c;
        for (size_t i = 0; i < t->n_columns; i++) {
                c[t->n_rows * t->n_columns + i] = strdup(isempty(cells[i]) ? "-" : cells[i]);
                if (!c[t->n_rows * t->n_columns + i]) {
                        while (i-- > 0)
                                free(c[t->n_rows * t->n_columns + i]);
                        return -ENOMEM;
                }
        }
        t->n_rows++;
        return 0;
}

size_t table_rows(const Table *t) {
        return t->n_rows - 1;
}

void table_print(const Table *t, FILE *out) {
        _cleanup_free_ size_t *widths = calloc(t->n_columns, sizeof(size_t));

        if (!widths)
                return;
        for (size_t row = 0; row < t->n_rows; row++)
                for (size_t col = 0; col < t->n_columns; col++)
                        widths[col] = MAX(widths[col], utf8_width(t->cells[row * t->n_columns + col]));

        for (size_t row = 0; row < t->n_rows; row++)
                for (size_t col = 0; col < t->n_columns; col++) {
                        const char *cell = t->cells[row * t->n_columns + col];

                        fputs_sanitized(cell, out);
                        if (col + 1 == t->n_columns)
                                fputc('\n', out);
                        else
                                put_spaces(widths[col] - utf8_width(cell) + 2, out);
                }
}

typedef struct Buffer {
        char *p;
        size_t size, used;
        size_t width;           /* in characters */
        bool overflow;
} Buffer;

_printf_(2, 3)
static void buffer_printf(Buffer *b, const char *format, ...) {
        va_list ap;
        int n;

        va_start(ap, format);
        n = vsnprintf(b->p + b->used, b->size - b->used, format, ap);
        va_end(ap);
        if (n < 0 || (size_t) n >= b->size - b->used) {
                b->overflow = true;
                return;
        }
        b->width += utf8_width(b->p + b->used);
        b->used += (size_t) n;
}

int format_progress_line(char *buf, size_t size, const char *label, unsigned done, unsigned total,
                         const char *current, size_t width) {
        enum { BAR_WIDTH = 20 };
        char counts[32];
        Buffer b = { .p = buf, .size = size };
        size_t counts_width;

        assert(buf);
        assert(size > 0);
        buf[0] = '\0';

        if (total > 0)
                snprintf(counts, sizeof counts, " %u/%u", MIN(done, total), total);
        else
                snprintf(counts, sizeof counts, " %u", done);
        counts_width = strlen(counts);

        buffer_printf(&b, "%s", label);
        if (total > 0) {
                unsigned percent = (unsigned) ((uint64_t) MIN(done, total) * 100 / total);

                buffer_printf(&b, " %3u%%", percent);
                /* The bar only when it leaves some room for the file name. */
                if (b.width + BAR_WIDTH + 3 + counts_width + 16 <= width) {
                        unsigned filled = (unsigned) ((uint64_t) MIN(done, total) * BAR_WIDTH / total);
                        char bar[BAR_WIDTH + 1];

                        for (unsigned i = 0; i < BAR_WIDTH; i++)
                                bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
                        bar[BAR_WIDTH] = '\0';
                        buffer_printf(&b, " [%s]", bar);
                }
        }
        buffer_printf(&b, "%s", counts);

        if (!isempty(current) && b.width + 2 < width) {
                size_t room = width - b.width - 1;

                if (utf8_width(current) <= room)
                        buffer_printf(&b, " %s", current);
                else
                        buffer_printf(&b, " \u2026%s", utf8_tail(current, room - 1));
        }

        if (b.overflow)
                return -ENOBUFS;
        /* Control characters would break the single line. */
        for (char *p = buf; *p; p++)
                if ((unsigned char) *p < 0x20 || *p == 0x7f)
                        *p = '?';
        /* A terminal too narrow even for the counts: cut, never wrap. */
        if (b.width > width)
                buf[utf8_head_length(buf, width)] = '\0';
        return 0;
}
