/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's human output: durations, dates, fields, tables and the
 * progress line, compared as exact strings. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format.h"
#include "utf8.h"

static void expect_timespan(usec_t t, const char *expect) {
        char buf[FORMAT_TIMESPAN_MAX];
        cr_expect_str_eq(format_timespan(buf, sizeof buf, t), expect, "for %llu", (unsigned long long) t);
}

Test(format, timespan) {
        expect_timespan(0, "0");
        expect_timespan(1, "1us");
        expect_timespan(999, "999us");
        expect_timespan(1000, "1ms");
        expect_timespan(350 * USEC_PER_MSEC + 7, "350ms");
        expect_timespan(USEC_PER_SEC, "1s");
        expect_timespan(1234567, "1.234s");
        expect_timespan(1230000, "1.23s");
        expect_timespan(1200000, "1.2s");
        expect_timespan(5 * USEC_PER_SEC + 999, "5s");
        expect_timespan(59999999, "59.999s");
        expect_timespan(60 * USEC_PER_SEC, "1min");
        expect_timespan(252 * USEC_PER_SEC, "4min 12s");
        expect_timespan(252 * USEC_PER_SEC + 900000, "4min 12s");
        expect_timespan(3600 * USEC_PER_SEC, "1h");
        expect_timespan(3723 * USEC_PER_SEC, "1h 2min");
        expect_timespan(86400 * USEC_PER_SEC, "1d");
        expect_timespan((3 * 86400 + 4 * 3600 + 59) * USEC_PER_SEC, "3d 4h");
        expect_timespan(UINT64_MAX, "213503982d 8h");
}

Test(format, timespan_small_buffer) {
        char buf[4];
        cr_expect_str_eq(format_timespan(buf, sizeof buf, 252 * USEC_PER_SEC), "4mi");
}

Test(format, timestamp) {
        char buf[FORMAT_TIMESTAMP_MAX];

        setenv("TZ", "UTC", 1);
        tzset();
        cr_expect_null(format_timestamp(buf, sizeof buf, 0));
        cr_expect_str_eq(format_timestamp(buf, sizeof buf, 1795305600 * USEC_PER_SEC + 999999),
                         "Sun 2026-11-22 00:00:00 UTC");
        cr_expect_str_eq(format_timestamp(buf, sizeof buf, 1 * USEC_PER_SEC), "Thu 1970-01-01 00:00:01 UTC");
        setenv("TZ", "Europe/Berlin", 1);
        tzset();
        cr_expect_str_eq(format_timestamp(buf, sizeof buf, 1795305600 * USEC_PER_SEC), "Sun 2026-11-22 01:00:00 CET");
        cr_expect_null(format_timestamp(buf, 5, 1795305600 * USEC_PER_SEC));
}

typedef struct Output {
        FILE *f;
        char *buf;
        size_t size;
} Output;

static void output_open(Output *o) {
        o->buf = NULL;
        o->f = open_memstream(&o->buf, &o->size);
        cr_assert_not_null(o->f);
}

static char *output_close(Output *o) {
        fclose(o->f);
        return o->buf;
}

Test(format, fields) {
        Fields f = {};
        Output o;

        cr_assert_eq(fields_add(&f, "Level", "strict"), 0);
        cr_assert_eq(fields_add(&f, "Pending level", ""), 0);
        cr_assert_eq(fields_addf(&f, "Profiles", "%u loaded, %u failed", 3u, 1u), 0);
        cr_assert_eq(fields_add(&f, "Errors", "a.yaml:1: bad\nb.yaml:2: worse"), 0);
        cr_assert_eq(fields_add(&f, "\xc3\x89tat", "idle\x1b[2J"), 0);
        cr_assert_eq(fields_add(&f, "Null", NULL), 0);

        output_open(&o);
        fields_print(&f, o.f);
        char *s = output_close(&o);
        cr_expect_str_eq(s,
                         "        Level: strict\n"
                         "Pending level:\n"
                         "     Profiles: 3 loaded, 1 failed\n"
                         "       Errors: a.yaml:1: bad\n"
                         "               b.yaml:2: worse\n"
                         "         \xc3\x89tat: idle?[2J\n"
                         "         Null:\n");
        free(s);
        fields_done(&f);
        cr_expect_eq(f.n, 0);
        fields_done(&f);
}

Test(format, table) {
        Table *t = NULL;
        Output o;

        cr_assert_eq(table_new(3, (const char *[]) { "NAME", "INHERITS", "DESCRIPTION" }, &t), 0);
        cr_expect_eq(table_rows(t), 0);
        cr_assert_eq(table_add_row(t, (const char *[]) { "default", "", "Least privilege" }), 0);
        cr_assert_eq(table_add_row(t, (const char *[]) { "str\xc3\xa9", "default", NULL }), 0);
        cr_assert_eq(table_add_row(t, (const char *[]) { "a\tb", "x", "last column is not padded" }), 0);
        cr_expect_eq(table_rows(t), 3);

        output_open(&o);
        table_print(t, o.f);
        char *s = output_close(&o);
        cr_expect_str_eq(s,
                         "NAME     INHERITS  DESCRIPTION\n"
                         "default  -         Least privilege\n"
                         "str\xc3\xa9     default   -\n"
                         "a?b      x         last column is not padded\n");
        free(s);
        table_free(t);
}

Test(format, table_header_only) {
        Table *t = NULL;
        Output o;

        cr_assert_eq(table_new(1, (const char *[]) { "NAME" }, &t), 0);
        output_open(&o);
        table_print(t, o.f);
        char *s = output_close(&o);
        cr_expect_str_eq(s, "NAME\n");
        free(s);
        cr_expect_null(table_free(t));
        cr_expect_null(table_free(NULL));
}

static char *progress(const char *label, unsigned done, unsigned total, const char *current, size_t width) {
        static char buf[512];
        cr_assert_eq(format_progress_line(buf, sizeof buf, label, done, total, current, width), 0);
        cr_expect_leq(utf8_width(buf), width, "'%s' is wider than %zu", buf, width);
        return buf;
}

Test(format, progress_line) {
        cr_expect_str_eq(progress("Compiling", 0, 20, "/etc/apparmor.d/a", 79),
                         "Compiling   0% [>                   ] 0/20 /etc/apparmor.d/a");
        cr_expect_str_eq(progress("Compiling", 10, 20, "/etc/apparmor.d/a", 79),
                         "Compiling  50% [==========>         ] 10/20 /etc/apparmor.d/a");
        cr_expect_str_eq(progress("Loading", 20, 20, "", 79),
                         "Loading 100% [====================] 20/20");
        /* More done than total (a confused daemon) stays at 100 %. */
        cr_expect_str_eq(progress("Loading", 25, 20, NULL, 79),
                         "Loading 100% [====================] 20/20");
        /* Unknown total: no percentage, no bar. */
        cr_expect_str_eq(progress("Compiling", 7, 0, "x", 79), "Compiling 7 x");
}

Test(format, progress_line_cuts_the_file_name_on_the_left) {
        cr_expect_str_eq(progress("Compiling", 1, 3, "/etc/apparmor.d/usr.bin.firefox", 60),
                         "Compiling  33% [======>             ] 1/3 \xe2\x80\xa6" "d/usr.bin.firefox");
        /* Widths count characters, not bytes. */
        cr_expect_str_eq(progress("Compilation", 1, 3, "/etc/apparmor.d/\xc3\xa9vince", 59),
                         "Compilation  33% [======>             ] 1/3 \xe2\x80\xa6" "armor.d/\xc3\xa9vince");
}

Test(format, progress_line_narrow_terminals) {
        /* No room for the bar and a file name: the bar goes first. */
        cr_expect_str_eq(progress("Compiling", 1, 3, "/etc/apparmor.d/usr.bin.firefox", 40),
                         "Compiling  33% 1/3 \xe2\x80\xa6or.d/usr.bin.firefox");
        cr_expect_str_eq(progress("Compiling", 1, 3, "/x", 20), "Compiling  33% 1/3");
        /* Not even room for the counts: cut, never wrap. */
        cr_expect_str_eq(progress("Compiling", 1, 3, "/x", 10), "Compiling ");
        cr_expect_str_eq(progress("Compiling", 1, 3, "/x", 0), "");
}

Test(format, progress_line_control_characters) {
        cr_expect_str_eq(progress("Compiling", 1, 0, "a\nb\x1b", 79), "Compiling 1 a?b?");
}

Test(format, progress_line_small_buffer) {
        char buf[8];
        cr_expect_eq(format_progress_line(buf, sizeof buf, "Compiling", 1, 3, "x", 79), -ENOBUFS);
}

Test(format, sanitized) {
        Output o;
        output_open(&o);
        fputs_sanitized("a\x1b[31mb\x7f\n\xc3\xa9", o.f);
        char *s = output_close(&o);
        cr_expect_str_eq(s, "a?[31mb??\xc3\xa9");
        free(s);
}

Test(format, location) {
        char *s = format_location("/etc/apparmor.d/a", 12);
        cr_expect_str_eq(s, "/etc/apparmor.d/a:12");
        free(s);
        s = format_location("/etc/apparmor.d/a", 0);
        cr_expect_str_eq(s, "/etc/apparmor.d/a");
        free(s);
}
