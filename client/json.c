/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A small streaming JSON writer. */
#include "json.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

void json_writer_init(JsonWriter *w, FILE *f, JsonFlags flags) {
        assert(w);
        assert(f);
        *w = (JsonWriter) { .f = f, .flags = flags };
}

int json_writer_init_buffered(JsonWriter *w, FILE *target, JsonFlags flags) {
        assert(w);
        assert(target);
        *w = (JsonWriter) { .target = target, .flags = flags };
        w->f = open_memstream(&w->buffer, &w->buffer_size);
        return w->f ? 0 : -ENOMEM;
}

void json_writer_done(JsonWriter *w) {
        if (w->target && w->f)
                fclose(w->f);
        free(w->buffer);
        *w = (JsonWriter) {};
}

static void fail(JsonWriter *w, int error) {
        if (w->error == 0)
                w->error = error;
}

static void check_stream(JsonWriter *w) {
        if (ferror(w->f))
                fail(w, errno > 0 ? -errno : -EIO);
}

static void newline_indent(JsonWriter *w, unsigned depth) {
        if (!(w->flags & JSON_PRETTY))
                return;
        fputc('\n', w->f);
        for (unsigned i = 0; i < depth; i++)
                fputs("  ", w->f);
}

/* Everything that precedes a value: the separator, the indentation, and
 * the checks that a value may come here. */
static bool begin_value(JsonWriter *w) {
        if (w->error)
                return false;
        if (w->done) {
                fail(w, -EINVAL); /* a second top-level value */
                return false;
        }
        if (w->depth > 0 && w->is_object[w->depth - 1]) {
                if (!w->after_key) {
                        fail(w, -EINVAL); /* a member needs a key */
                        return false;
                }
                w->after_key = false;
                return true;
        }
        if (w->depth > 0) {
                if (w->has_member[w->depth - 1])
                        fputc(',', w->f);
                w->has_member[w->depth - 1] = true;
                newline_indent(w, w->depth);
        }
        return true;
}

static void end_value(JsonWriter *w) {
        if (w->depth == 0)
                w->done = true;
        check_stream(w);
}

static void begin_container(JsonWriter *w, bool object) {
        if (!begin_value(w))
                return;
        if (w->depth >= JSON_DEPTH_MAX) {
                fail(w, -E2BIG);
                return;
        }
        fputc(object ? '{' : '[', w->f);
        w->is_object[w->depth] = object;
        w->has_member[w->depth] = false;
        w->depth++;
        check_stream(w);
}

static void end_container(JsonWriter *w, bool object) {
        if (w->error)
                return;
        if (w->depth == 0 || w->is_object[w->depth - 1] != object || w->after_key) {
                fail(w, -EINVAL);
                return;
        }
        w->depth--;
        if (w->has_member[w->depth])
                newline_indent(w, w->depth);
        fputc(object ? '}' : ']', w->f);
        end_value(w);
}

void json_object_begin(JsonWriter *w) {
        begin_container(w, true);
}

void json_object_end(JsonWriter *w) {
        end_container(w, true);
}

void json_array_begin(JsonWriter *w) {
        begin_container(w, false);
}

void json_array_end(JsonWriter *w) {
        end_container(w, false);
}

void json_key(JsonWriter *w, const char *key) {
        assert(key);
        if (w->error)
                return;
        if (w->depth == 0 || !w->is_object[w->depth - 1] || w->after_key) {
                fail(w, -EINVAL);
                return;
        }
        if (w->has_member[w->depth - 1])
                fputc(',', w->f);
        w->has_member[w->depth - 1] = true;
        newline_indent(w, w->depth);
        (void) json_write_string(w->f, key, strlen(key));
        fputs(w->flags & JSON_PRETTY ? ": " : ":", w->f);
        w->after_key = true;
        check_stream(w);
}

int json_write_string(FILE *f, const char *s, size_t n) {
        fputc('"', f);
        for (size_t i = 0; i < n;) {
                unsigned char c = (unsigned char) s[i];
                uint32_t codepoint;
                int len;

                switch (c) {
                case '"':  fputs("\\\"", f); i++; continue;
                case '\\': fputs("\\\\", f); i++; continue;
                case '\b': fputs("\\b", f); i++; continue;
                case '\f': fputs("\\f", f); i++; continue;
                case '\n': fputs("\\n", f); i++; continue;
                case '\r': fputs("\\r", f); i++; continue;
                case '\t': fputs("\\t", f); i++; continue;
                default:
                        break;
                }
                if (c < 0x20) {
                        fprintf(f, "\\u%04x", c);
                        i++;
                        continue;
                }
                len = utf8_decode(s + i, n - i, &codepoint);
                if (len < 0) {
                        fputs("\\ufffd", f);
                        i++;
                        continue;
                }
                fwrite(s + i, 1, (size_t) len, f);
                i += (size_t) len;
        }
        fputc('"', f);
        return ferror(f) ? -EIO : 0;
}

void json_string(JsonWriter *w, const char *s) {
        if (!s) {
                json_null(w);
                return;
        }
        if (!begin_value(w))
                return;
        (void) json_write_string(w->f, s, strlen(s));
        end_value(w);
}

void json_string_or_null(JsonWriter *w, const char *s) {
        json_string(w, s && *s ? s : NULL);
}

void json_unsigned(JsonWriter *w, uint64_t v) {
        if (!begin_value(w))
                return;
        fprintf(w->f, "%" PRIu64, v);
        end_value(w);
}

void json_signed(JsonWriter *w, int64_t v) {
        if (!begin_value(w))
                return;
        fprintf(w->f, "%" PRIi64, v);
        end_value(w);
}

void json_double(JsonWriter *w, double v) {
        if (!isfinite(v)) {
                json_null(w);
                return;
        }
        if (!begin_value(w))
                return;
        /* %.17g round-trips; JSON has no locale, so no printf("%g") with
         * a decimal comma: this runs after setlocale(LC_ALL, ""). */
        char buf[64], *comma;
        snprintf(buf, sizeof buf, "%.17g", v);
        comma = strchr(buf, ',');
        if (comma)
                *comma = '.';
        fputs(buf, w->f);
        end_value(w);
}

void json_bool(JsonWriter *w, bool b) {
        if (!begin_value(w))
                return;
        fputs(b ? "true" : "false", w->f);
        end_value(w);
}

void json_null(JsonWriter *w) {
        if (!begin_value(w))
                return;
        fputs("null", w->f);
        end_value(w);
}

int json_writer_finish(JsonWriter *w) {
        if (w->error == 0 && (!w->done || w->depth > 0))
                fail(w, -EINVAL);
        if (w->error == 0) {
                fputc('\n', w->f);
                if (fflush(w->f) != 0 || ferror(w->f))
                        fail(w, errno > 0 ? -errno : -EIO);
        }
        if (w->error == 0 && w->target) {
                errno = 0;
                if (fwrite(w->buffer, 1, w->buffer_size, w->target) != w->buffer_size ||
                    fflush(w->target) != 0)
                        fail(w, errno > 0 ? -errno : -EIO);
        }
        return w->error;
}
