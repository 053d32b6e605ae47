/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading the daemon's replies: GetAll's properties (known, unknown,
 * mistyped, missing), any value as JSON or text (GetLevel) and the rows
 * of an array by a table of columns (output.c), replies of the wrong
 * shape included. The messages are built on a bus over a socketpair
 * that never sends. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "output.h"
#include "properties.h"
#include "strv.h"
#include "variant.h"

static sd_bus *bus;
static int peer_fd = -1;

static void bus_setup(void) {
        int fds[2];

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        cr_assert_geq(sd_bus_new(&bus), 0);
        cr_assert_geq(sd_bus_set_fd(bus, fds[0], fds[0]), 0);
        cr_assert_geq(sd_bus_start(bus), 0);
        peer_fd = fds[1];
}

static void bus_teardown(void) {
        /* No flush: it would wait for the authentication the silent
         * peer never answers. */
        sd_bus_close(bus);
        bus = sd_bus_unref(bus);
        close(peer_fd);
}

TestSuite(properties, .init = bus_setup, .fini = bus_teardown);
TestSuite(variant, .init = bus_setup, .fini = bus_teardown);
TestSuite(rows, .init = bus_setup, .fini = bus_teardown);

static sd_bus_message *new_message(void) {
        sd_bus_message *m = NULL;
        cr_assert_geq(sd_bus_message_new_method_call(bus, &m, NULL, "/org/aalevel1", "org.aalevel1.Test", "T"), 0);
        return m;
}

/* Seals m and rewinds it, to read it as if it had been received. */
static sd_bus_message *ready(sd_bus_message *m) {
        cr_assert_geq(sd_bus_message_seal(m, 1, 0), 0);
        cr_assert_geq(sd_bus_message_rewind(m, true), 0);
        return m;
}

Test(properties, every_property) {
        sd_bus_message *m = new_message();
        ManagerProperties p = {};

        cr_assert_geq(sd_bus_message_append(m, "a{sv}", 12,
                                            "Version", "s", "0.1.0",
                                            "Level", "s", "strict",
                                            "PendingLevel", "s", "fsp",
                                            "State", "s", "waiting-confirm",
                                            "LevelSource", "s", "set",
                                            "ConfirmDeadline", "t", UINT64_C(1795305600000000),
                                            "ProfilesLoaded", "u", 120,
                                            "ProfilesFailed", "u", 2,
                                            "ProfilesModified", "u", 1,
                                            "LastReload", "t", UINT64_C(1795305500000000),
                                            "LastReloadDuration", "t", UINT64_C(1234567),
                                            "Errors", "as", 2, "a.yaml:1: bad", "b.yaml:2: worse"), 0);
        cr_assert_eq(manager_properties_parse(ready(m), &p), 0);
        cr_expect_str_eq(p.version, "0.1.0");
        cr_expect_str_eq(p.level, "strict");
        cr_expect_str_eq(p.pending_level, "fsp");
        cr_expect_str_eq(p.state, "waiting-confirm");
        cr_expect_str_eq(p.level_source, "set");
        cr_expect_eq(p.confirm_deadline, UINT64_C(1795305600000000));
        cr_expect_eq(p.profiles_loaded, 120);
        cr_expect_eq(p.profiles_failed, 2);
        cr_expect_eq(p.profiles_modified, 1);
        cr_expect_eq(p.last_reload, UINT64_C(1795305500000000));
        cr_expect_eq(p.last_reload_duration, 1234567);
        cr_expect_eq(strv_length(p.errors), 2);
        cr_expect_str_eq(p.errors[1], "b.yaml:2: worse");
        manager_properties_done(&p);
        cr_expect_null(p.level);
        sd_bus_message_unref(m);
}

Test(properties, an_older_daemon_serves_fewer) {
        sd_bus_message *m = new_message();
        ManagerProperties p = {};

        cr_assert_geq(sd_bus_message_append(m, "a{sv}", 2, "Level", "s", "default", "State", "s", "idle"), 0);
        cr_assert_eq(manager_properties_parse(ready(m), &p), 0);
        cr_expect_str_eq(p.level, "default");
        cr_expect_null(p.pending_level);
        cr_expect_null(p.errors);
        cr_expect_eq(p.confirm_deadline, 0);
        manager_properties_done(&p);
        sd_bus_message_unref(m);
}

Test(properties, unknown_and_mistyped_are_skipped) {
        sd_bus_message *m = new_message();
        ManagerProperties p = {};

        cr_assert_geq(sd_bus_message_append(m, "a{sv}", 5,
                                            "Level", "u", 5,
                                            "NewThing", "a{ss}", 1, "k", "v",
                                            "ProfilesLoaded", "t", UINT64_C(7),
                                            "Errors", "s", "not a list",
                                            "State", "s", "idle"), 0);
        cr_assert_eq(manager_properties_parse(ready(m), &p), 0);
        cr_expect_null(p.level);
        cr_expect_eq(p.profiles_loaded, 0);
        cr_expect_null(p.errors);
        cr_expect_str_eq(p.state, "idle");
        manager_properties_done(&p);
        sd_bus_message_unref(m);
}

Test(properties, a_reply_that_is_not_a_dictionary) {
        sd_bus_message *m = new_message();
        ManagerProperties p = { .level = NULL };

        cr_assert_geq(sd_bus_message_append(m, "s", "nonsense"), 0);
        cr_expect_lt(manager_properties_parse(ready(m), &p), 0);
        cr_expect_null(p.level);
        sd_bus_message_unref(m);
}

Test(properties, confirm_remaining) {
        cr_expect_eq(confirm_remaining_sec(0, 100), 0);
        cr_expect_eq(confirm_remaining_sec(100, 100), 0);
        cr_expect_eq(confirm_remaining_sec(60 * USEC_PER_SEC, 0), 60);
        cr_expect_eq(confirm_remaining_sec(60 * USEC_PER_SEC, 1), 60);
        cr_expect_eq(confirm_remaining_sec(60 * USEC_PER_SEC + 1, 0), 61);
}

/* A GetLevel-like dictionary with every kind of value. */
static sd_bus_message *level_message(void) {
        sd_bus_message *m = new_message();

        cr_assert_geq(sd_bus_message_append(m, "a{sv}", 9,
                                            "name", "s", "fsp",
                                            "ancestry", "as", 2, "fsp", "strict",
                                            "directories", "as", 0,
                                            "disable", "b", 1,
                                            "confirm", "u", 120,
                                            "users", "a(ss)", 2, "alice", "staff_r", "bob", "user_r",
                                            "map", "a{su}", 2, "x", 1, "y\"", 2,
                                            "nested", "v", "x", INT64_C(-5),
                                            "ratio", "d", 0.25), 0);
        return ready(m);
}

Test(variant, json) {
        sd_bus_message *m = level_message();
        char *buf = NULL;
        size_t size;
        FILE *f = open_memstream(&buf, &size);
        JsonWriter w;

        json_writer_init(&w, f, 0);
        cr_assert_eq(variant_to_json(m, &w), 0);
        cr_assert_eq(json_writer_finish(&w), 0);
        fclose(f);
        cr_expect_str_eq(buf,
                         "{\"name\":\"fsp\",\"ancestry\":[\"fsp\",\"strict\"],\"directories\":[],"
                         "\"disable\":true,\"confirm\":120,"
                         "\"users\":[[\"alice\",\"staff_r\"],[\"bob\",\"user_r\"]],"
                         "\"map\":{\"x\":1,\"y\\\"\":2},\"nested\":-5,\"ratio\":0.25}\n");
        free(buf);
        sd_bus_message_unref(m);
}

static char *next_text(sd_bus_message *m) {
        const char *key;
        char *text = NULL;

        cr_assert_gt(sd_bus_message_enter_container(m, 'e', "sv"), 0);
        cr_assert_geq(sd_bus_message_read(m, "s", &key), 0);
        cr_assert_eq(variant_to_text(m, &text), 0);
        cr_assert_geq(sd_bus_message_exit_container(m), 0);
        return text;
}

Test(variant, text) {
        static const char * const expect[] = {
                "fsp",
                "fsp\nstrict",
                "",
                "yes",
                "120",
                "alice staff_r\nbob user_r",
                "x=1\ny\"=2",
                "-5",
                "0.25",
        };
        sd_bus_message *m = level_message();

        cr_assert_geq(sd_bus_message_enter_container(m, 'a', "{sv}"), 0);
        for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
                char *t = next_text(m);
                cr_expect_str_eq(t, expect[i]);
                free(t);
        }
        cr_expect_gt(sd_bus_message_at_end(m, false), 0);
        sd_bus_message_unref(m);
}

Test(variant, nothing_left) {
        sd_bus_message *m = ready(new_message());
        char *text = NULL;
        char *buf = NULL;
        size_t size;
        FILE *f = open_memstream(&buf, &size);
        JsonWriter w;

        json_writer_init(&w, f, 0);
        cr_expect_lt(variant_to_text(m, &text), 0);
        cr_expect_lt(variant_to_json(m, &w), 0);
        fclose(f);
        free(buf);
        sd_bus_message_unref(m);
}

/* Rows (output.c): a Check-like a(sssus) with a computed column. */
static const Column failure_columns[] = {
        { 's', "file", VALUE_STRING },
        { 's', "name", VALUE_STRING_OR_NULL },
        { 'u', "line", VALUE_UNSIGNED },
        { 0,   "late", VALUE_BOOL },
        { 's', NULL,   VALUE_STRING },       /* human output only */
};

static int rows_complete(void *userdata, Value *v) {
        v[3].b = v[2].u > 10;
        return 0;
}

static int rows_count(void *userdata, Value *v) {
        unsigned *n = userdata;

        cr_expect_eq(v[3].b, v[2].u > 10);
        (*n)++;
        return 0;
}

/* rows_print() into a string, or NULL when it fails (*ret_r). */
static char *rows_json(sd_bus_message *m, int *ret_r) {
        char *buf = NULL;
        size_t size;
        FILE *f = open_memstream(&buf, &size);
        JsonWriter w;

        json_writer_init(&w, f, 0);
        *ret_r = rows_print(m, failure_columns, ELEMENTSOF(failure_columns), &w, rows_complete, NULL, NULL);
        if (*ret_r >= 0)
                cr_assert_eq(json_writer_finish(&w), 0);
        fclose(f);
        if (*ret_r < 0) {
                free(buf);
                return NULL;
        }
        return buf;
}

Test(rows, json_and_human) {
        sd_bus_message *m = new_message();
        unsigned n = 0;
        char *json;
        int r;

        cr_assert_geq(sd_bus_message_append(m, "a(ssus)", 2, "a", "", 3, "x", "b\x1b", "n", 12, "y"), 0);
        json = rows_json(ready(m), &r);
        cr_assert_eq(r, 0);
        cr_expect_str_eq(json, "[{\"file\":\"a\",\"name\":null,\"line\":3,\"late\":false},"
                               "{\"file\":\"b\\u001b\",\"name\":\"n\",\"line\":12,\"late\":true}]\n");
        free(json);
        cr_assert_geq(sd_bus_message_rewind(m, true), 0);
        cr_expect_eq(rows_print(m, failure_columns, ELEMENTSOF(failure_columns), NULL, rows_complete, rows_count, &n), 0);
        cr_expect_eq(n, 2);
        sd_bus_message_unref(m);
}

Test(rows, empty) {
        sd_bus_message *m = new_message();
        char *json;
        int r;

        cr_assert_geq(sd_bus_message_append(m, "a(ssus)", 0), 0);
        json = rows_json(ready(m), &r);
        cr_assert_eq(r, 0);
        cr_expect_str_eq(json, "[]\n");
        free(json);
        sd_bus_message_unref(m);
}

/* Replies of another shape fail, whatever was written before. */
Test(rows, bad_shapes) {
        static const char * const bad[] = { "a(ss)", "a(sssus)", "a(suss)", "as", "s", "" };

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                sd_bus_message *m = new_message();
                int r;

                if (streq(bad[i], "a(ss)"))
                        cr_assert_geq(sd_bus_message_append(m, bad[i], 1, "a", "b"), 0);
                else if (streq(bad[i], "a(sssus)"))
                        cr_assert_geq(sd_bus_message_append(m, bad[i], 1, "a", "b", "c", 1, "d"), 0);
                else if (streq(bad[i], "a(suss)"))
                        cr_assert_geq(sd_bus_message_append(m, bad[i], 1, "a", 1, "c", "d"), 0);
                else if (streq(bad[i], "as"))
                        cr_assert_geq(sd_bus_message_append(m, bad[i], 1, "a"), 0);
                else if (streq(bad[i], "s"))
                        cr_assert_geq(sd_bus_message_append(m, bad[i], "a"), 0);
                cr_expect_null(rows_json(ready(m), &r), "shape %s", bad[i]);
                cr_expect_lt(r, 0, "shape %s", bad[i]);
                sd_bus_message_unref(m);
        }
}

static int rows_fail(void *userdata, Value *v) {
        return -ENOTRECOVERABLE;
}

Test(rows, callback_error_passes_through) {
        sd_bus_message *m = new_message();

        cr_assert_geq(sd_bus_message_append(m, "a(ssus)", 1, "a", "", 3, "x"), 0);
        cr_expect_eq(rows_print(ready(m), failure_columns, ELEMENTSOF(failure_columns), NULL, NULL, rows_fail, NULL),
                     -ENOTRECOVERABLE);
        sd_bus_message_unref(m);
}
