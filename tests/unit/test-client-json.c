/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The JSON writer: escaping, invalid UTF-8, nesting, pretty printing,
 * misuse and write errors. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

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

/* Closes the stream; the caller frees o->buf. */
static char *output_close(Output *o) {
        fclose(o->f);
        return o->buf;
}

static void expect_string(const char *in, size_t n, const char *expect) {
        Output o;
        output_open(&o);
        cr_assert_eq(json_write_string(o.f, in, n), 0);
        char *s = output_close(&o);
        cr_expect_str_eq(s, expect);
        free(s);
}

#define EXPECT_STRING(in, expect) expect_string((in), sizeof(in) - 1, (expect))

Test(json, plain_strings) {
        EXPECT_STRING("", "\"\"");
        EXPECT_STRING("strict", "\"strict\"");
        EXPECT_STRING("/etc/apparmor.d/usr.bin.foo", "\"/etc/apparmor.d/usr.bin.foo\"");
}

Test(json, escapes) {
        EXPECT_STRING("a\"b", "\"a\\\"b\"");
        EXPECT_STRING("a\\b", "\"a\\\\b\"");
        EXPECT_STRING("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
        EXPECT_STRING("\x01\x1f", "\"\\u0001\\u001f\"");
        EXPECT_STRING("\x1b[31m", "\"\\u001b[31m\"");
        EXPECT_STRING("a\0b", "\"a\\u0000b\"");
        /* What JSON does not require to be escaped stays as it is. */
        EXPECT_STRING("/ \x7f '", "\"/ \x7f '\"");
}

Test(json, utf8_passes_through) {
        EXPECT_STRING("\xc3\xa9vince", "\"\xc3\xa9vince\"");
        EXPECT_STRING("\xe2\x80\xa6", "\"\xe2\x80\xa6\"");
        EXPECT_STRING("\xf0\x9f\x98\x80", "\"\xf0\x9f\x98\x80\"");
}

Test(json, invalid_utf8_is_replaced) {
        EXPECT_STRING("\xff", "\"\\ufffd\"");
        EXPECT_STRING("a\x80z", "\"a\\ufffdz\"");
        /* Each byte of a bad sequence is replaced on its own, and what
         * follows it is decoded afresh. */
        EXPECT_STRING("\xc3(", "\"\\ufffd(\"");
        EXPECT_STRING("\xe2\x80", "\"\\ufffd\\ufffd\"");
        EXPECT_STRING("\xc0\xaf", "\"\\ufffd\\ufffd\"");
        EXPECT_STRING("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");
        EXPECT_STRING("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
        EXPECT_STRING("ok\xc3\xa9\xc3", "\"ok\xc3\xa9\\ufffd\"");
}

static char *write_document(JsonFlags flags) {
        Output o;
        JsonWriter w;

        output_open(&o);
        json_writer_init(&w, o.f, flags);
        json_object_begin(&w);
        json_key(&w, "level");
        json_string(&w, "strict");
        json_key(&w, "pending_level");
        json_string_or_null(&w, "");
        json_key(&w, "n");
        json_unsigned(&w, UINT64_MAX);
        json_key(&w, "neg");
        json_signed(&w, INT64_MIN);
        json_key(&w, "ok");
        json_bool(&w, true);
        json_key(&w, "no");
        json_bool(&w, false);
        json_key(&w, "none");
        json_string(&w, NULL);
        json_key(&w, "list");
        json_array_begin(&w);
        json_string(&w, "a");
        json_array_begin(&w);
        json_array_end(&w);
        json_object_begin(&w);
        json_object_end(&w);
        json_null(&w);
        json_array_end(&w);
        json_object_end(&w);
        cr_assert_eq(json_writer_finish(&w), 0);
        return output_close(&o);
}

Test(json, compact_document) {
        char *s = write_document(0);
        cr_expect_str_eq(s, "{\"level\":\"strict\",\"pending_level\":null,\"n\":18446744073709551615,"
                            "\"neg\":-9223372036854775808,\"ok\":true,\"no\":false,\"none\":null,"
                            "\"list\":[\"a\",[],{},null]}\n");
        free(s);
}

Test(json, pretty_document) {
        char *s = write_document(JSON_PRETTY);
        cr_expect_str_eq(s,
                         "{\n"
                         "  \"level\": \"strict\",\n"
                         "  \"pending_level\": null,\n"
                         "  \"n\": 18446744073709551615,\n"
                         "  \"neg\": -9223372036854775808,\n"
                         "  \"ok\": true,\n"
                         "  \"no\": false,\n"
                         "  \"none\": null,\n"
                         "  \"list\": [\n"
                         "    \"a\",\n"
                         "    [],\n"
                         "    {},\n"
                         "    null\n"
                         "  ]\n"
                         "}\n");
        free(s);
}

Test(json, top_level_scalars_and_empty_containers) {
        Output o;
        JsonWriter w;

        output_open(&o);
        json_writer_init(&w, o.f, JSON_PRETTY);
        json_array_begin(&w);
        json_array_end(&w);
        cr_assert_eq(json_writer_finish(&w), 0);
        json_writer_init(&w, o.f, 0);
        json_string(&w, "x");
        cr_assert_eq(json_writer_finish(&w), 0);
        char *s = output_close(&o);
        cr_expect_str_eq(s, "[]\n\"x\"\n");
        free(s);
}

Test(json, keys_are_escaped) {
        Output o;
        JsonWriter w;

        output_open(&o);
        json_writer_init(&w, o.f, 0);
        json_object_begin(&w);
        json_key(&w, "a\"\n\xff");
        json_unsigned(&w, 1);
        json_object_end(&w);
        cr_assert_eq(json_writer_finish(&w), 0);
        char *s = output_close(&o);
        cr_expect_str_eq(s, "{\"a\\\"\\n\\ufffd\":1}\n");
        free(s);
}

Test(json, doubles) {
        Output o;
        JsonWriter w;

        output_open(&o);
        json_writer_init(&w, o.f, 0);
        json_array_begin(&w);
        json_double(&w, 0.5);
        json_double(&w, -2);
        json_double(&w, NAN);
        json_double(&w, INFINITY);
        json_array_end(&w);
        cr_assert_eq(json_writer_finish(&w), 0);
        char *s = output_close(&o);
        cr_expect_str_eq(s, "[0.5,-2,null,null]\n");
        free(s);
}

/* Each misuse is reported by finish, and nothing after it is written. */
static void expect_misuse(void (*steps)(JsonWriter *w)) {
        Output o;
        JsonWriter w;

        output_open(&o);
        json_writer_init(&w, o.f, 0);
        steps(&w);
        cr_expect_eq(json_writer_finish(&w), -EINVAL);
        free(output_close(&o));
}

static void value_without_key(JsonWriter *w) {
        json_object_begin(w);
        json_string(w, "x");
        json_object_end(w);
}

static void key_in_array(JsonWriter *w) {
        json_array_begin(w);
        json_key(w, "x");
        json_array_end(w);
}

static void key_at_top(JsonWriter *w) {
        json_key(w, "x");
}

static void two_keys(JsonWriter *w) {
        json_object_begin(w);
        json_key(w, "a");
        json_key(w, "b");
}

static void key_without_value(JsonWriter *w) {
        json_object_begin(w);
        json_key(w, "a");
        json_object_end(w);
}

static void mismatched_end(JsonWriter *w) {
        json_object_begin(w);
        json_array_end(w);
}

static void unbalanced_end(JsonWriter *w) {
        json_array_end(w);
}

static void unclosed(JsonWriter *w) {
        json_array_begin(w);
}

static void nothing(JsonWriter *w) {
}

static void two_documents(JsonWriter *w) {
        json_null(w);
        json_null(w);
}

Test(json, misuse) {
        expect_misuse(value_without_key);
        expect_misuse(key_in_array);
        expect_misuse(key_at_top);
        expect_misuse(two_keys);
        expect_misuse(key_without_value);
        expect_misuse(mismatched_end);
        expect_misuse(unbalanced_end);
        expect_misuse(unclosed);
        expect_misuse(nothing);
        expect_misuse(two_documents);
}

Test(json, too_deep) {
        Output o;
        JsonWriter w;

        output_open(&o);
        json_writer_init(&w, o.f, 0);
        for (int i = 0; i <= JSON_DEPTH_MAX; i++)
                json_array_begin(&w);
        cr_expect_eq(json_writer_finish(&w), -E2BIG);
        free(output_close(&o));
}

Test(json, buffered_writes_only_complete_documents) {
        Output o;
        JsonWriter w = {};

        output_open(&o);

        /* Abandoned half way: nothing reaches the target. */
        cr_assert_eq(json_writer_init_buffered(&w, o.f, 0), 0);
        json_object_begin(&w);
        json_key(&w, "a");
        json_writer_done(&w);
        json_writer_done(&w); /* twice is harmless */

        cr_assert_eq(json_writer_init_buffered(&w, o.f, 0), 0);
        json_array_begin(&w);
        json_unsigned(&w, 1);
        json_array_end(&w);
        cr_expect_eq(json_writer_finish(&w), 0);
        json_writer_done(&w);

        char *s = output_close(&o);
        cr_expect_str_eq(s, "[1]\n");
        free(s);
}

Test(json, write_error) {
        FILE *f = fopen("/dev/full", "w");
        JsonWriter w;

        cr_assert_not_null(f);
        json_writer_init(&w, f, 0);
        json_string(&w, "something");
        cr_expect_lt(json_writer_finish(&w), 0);
        fclose(f);

        f = fopen("/dev/full", "w");
        cr_assert_not_null(f);
        cr_assert_eq(json_writer_init_buffered(&w, f, 0), 0);
        json_string(&w, "something");
        cr_expect_eq(json_writer_finish(&w), -ENOSPC);
        json_writer_done(&w);
        fclose(f);
}
