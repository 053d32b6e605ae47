/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state file: round trip, escaping, and every kind of bad input. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"
#include "strv.h"

#define KEY "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
#define SHA "0123456789abcdef0123456789abcdef01234567"
#define SHA256 "00112233445566778899aabbccddeeff00112233445566778899aabbccddee11"

Test(state, round_trip) {
        State *s = state_new(), *t = NULL;
        StateUnit u = {};
        char *text = NULL, *error = NULL;
        size_t size;

        s->selected = strdup("strict");
        s->config_level = strdup("default");
        s->applied = strdup("strict");
        u.file = strdup("/etc/apparmor.d/weird\tname\nwith\\stuff");
        cr_assert_eq(cache_key_from_hex(KEY, &u.key), 0);
        memcpy(u.sha1, SHA, sizeof u.sha1);
        memcpy(u.sha256, SHA256, sizeof u.sha256);
        u.names = strv_copy((char *[]) { "foo", "bar baz", ":ns:x\x01y", NULL });
        u.mode = MODE_ENFORCE;
        cr_assert_eq(state_set_unit(s, &u), 0);
        StateUnit v = { .file = strdup("/etc/apparmor.d/weird\tname\nwith\\stuff"), .ns = strdup("application"),
                        .mode = MODE_KEEP, .names = strv_copy((char *[]) { ":application:foo", NULL }) };
        memcpy(v.sha1, SHA, sizeof v.sha1);
        cr_assert_eq(state_set_unit(s, &v), 0);
        cr_assert_eq(strv_extend(&s->claimed, "pending one"), 0);

        cr_assert_eq(state_format(s, &text, &size), 0);
        cr_assert_eq(state_parse(text, size, "state", &t, &error), 0, "%s", error ? error : "");
        cr_assert_str_eq(t->selected, "strict");
        cr_assert_str_eq(t->config_level, "default");
        cr_assert_eq(t->n_units, 2);
        cr_assert_not_null(state_find_unit(t, "/etc/apparmor.d/weird\tname\nwith\\stuff", "application"));
        cr_assert_str_eq(t->units[0].file, "/etc/apparmor.d/weird\tname\nwith\\stuff");
        cr_assert(strv_equal(t->units[0].names, (char *[]) { "foo", "bar baz", ":ns:x\x01y", NULL }));
        cr_assert_str_eq(t->units[0].sha1, SHA);
        cr_assert_str_eq(t->units[0].sha256, SHA256);
        cr_assert_str_eq(t->units[1].sha256, "", "an unknown SHA-256 came back as one");
        cr_assert_eq(t->units[0].mode, MODE_ENFORCE);
        cr_assert(strv_equal(t->claimed, (char *[]) { "pending one", NULL }));
        cr_assert_not_null(state_find_name(t, "bar baz"));
        char **owned = state_owned_names(t);
        cr_assert_eq(strv_length(owned), 5);
        strv_free(owned);
        state_remove_unit(t, "/etc/apparmor.d/weird\tname\nwith\\stuff", NULL);
        cr_assert_eq(t->n_units, 1);
        cr_assert_str_eq(t->units[0].ns, "application");
        free(text);
        state_free(s);
        state_free(t);
}

/* Version 3 (units without their SHA-256) is still read: the SHA-256
 * is then not known, never made up. */
Test(state, version_3_read) {
        static const char text[] = "aalevel-state\t3\nunit\t/f\t-\t" KEY "\t" SHA "\tkeep\ta\tb\n";
        State *s = NULL;
        char *error = NULL;

        cr_assert_eq(state_parse(text, sizeof text - 1, "state", &s, &error), 0, "%s", error ? error : "");
        cr_assert_eq(s->n_units, 1);
        cr_assert_str_eq(s->units[0].sha1, SHA);
        cr_assert_str_eq(s->units[0].sha256, "");
        cr_assert_eq(s->units[0].mode, MODE_KEEP);
        cr_assert(strv_equal(s->units[0].names, (char *[]) { "a", "b", NULL }));
        state_free(s);
}

Test(state, missing_file_is_empty) {
        State *s = NULL;
        cr_assert_eq(state_load("/nonexistent/state", &s, NULL), 0);
        cr_assert_eq(s->n_units, 0);
        state_free(s);
}

Test(state, bad_input) {
        struct { const char *text; const char *want; } cases[] = {
                { "", "state:1: empty state file" },
                { "garbage\n", "state:1: not an aalevel state file" },
                { "aalevel-state\t2\n", "unsupported state file version" },
                { "aalevel-state\t3\nselected\tNot A Level\n", "state:2: expected a level name" },
                { "aalevel-state\t3\nselected\n", "state:2: expected a level name" },
                { "aalevel-state\t3\nfrobnicate\tx\n", "state:2: unknown record" },
                { "aalevel-state\t3\nunit\trelative\t-\t" KEY "\t" SHA "\tkeep\tfoo\n", "state:2: expected: unit" },
                { "aalevel-state\t3\nunit\t/f\t-\tnothex\t" SHA "\tfoo\n", "state:2: expected: unit" },
                { "aalevel-state\t3\nunit\t/f\t-\t" KEY "\tABCDEF\tfoo\n", "state:2: expected: unit" },
                { "aalevel-state\t3\nunit\t/f\t-\t" KEY "\n", "state:2: expected: unit" },
                { "aalevel-state\t3\nunit\t/f\t-\t" KEY "\t" SHA "\tsideways\tfoo\n", "state:2: expected: unit" },
                { "aalevel-state\t3\nunit\t/f\t-\t" KEY "\t" SHA "\tkeep\ta\nunit\t/f\t-\t" KEY "\t" SHA "\tkeep\tb\n", "state:3: duplicate unit" },
                { "aalevel-state\t3\nclaimed\ta\\qb\n", "state:2: bad escape" },
                { "aalevel-state\t3\nclaimed\ta\\x00b\n", "state:2: bad escape" },
                { "aalevel-state\t3\nclaimed\ta\\x4\n", "state:2: bad escape" },
                { "aalevel-state\t3\nclaimed\ta\\\n", "state:2: bad escape" },
                { "aalevel-state\t3\nclaimed\n", "state:2: expected: claimed NAME" },
                { "aalevel-state\t3\nclaimed\ta\x01\n", "state:2: bad escape" },
                { "aalevel-state\t5\n", "unsupported state file version" },
                { "aalevel-state\t4\nunit\t/f\t-\t" KEY "\t" SHA "\tkeep\tfoo\n", "state:2: expected: unit" },
                { "aalevel-state\t4\nunit\t/f\t-\t" KEY "\t" SHA "\t" SHA "\tkeep\tfoo\n", "state:2: expected: unit" },
                { "aalevel-state\t4\nunit\t/f\t-\t" KEY "\t" SHA "\tabc\tkeep\tfoo\n", "state:2: expected: unit" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                State *s = NULL;
                char *error = NULL;
                cr_expect_eq(state_parse(cases[i].text, strlen(cases[i].text), "state", &s, &error), -EINVAL,
                             "case %zu", i);
                cr_expect(error && strstr(error, cases[i].want), "case %zu: got '%s', want '%s'", i, error,
                          cases[i].want);
                free(error);
                state_free(s);
        }
        {
                static const char bin[] = "aalevel-state\t3\n\0\0";
                State *s = NULL;
                char *error = NULL;
                cr_assert_eq(state_parse(bin, sizeof bin - 1, "state", &s, &error), -EINVAL);
                cr_assert(strstr(error, "binary data"));
                free(error);
        }
}

/* A unit with very many names (a file of many profiles) on one line:
 * splitting the line counted the list again for every field, quadratic
 * (seconds for 100,000 names). Found by timing, with the fuzzing. The
 * test checks the result on such a line and asserts no time. */
Test(state, many_names_fast) {
        const unsigned n = 100000;
        size_t size = 256 + (size_t) n * 8, o;
        char *text = malloc(size), *error = NULL;
        State *s = NULL;

        cr_assert_not_null(text);
        o = (size_t) sprintf(text, "aalevel-state\t3\nunit\t/f\t-\t" KEY "\t" SHA "\tkeep");
        for (unsigned i = 0; i < n; i++)
                o += (size_t) sprintf(text + o, "\tp%u", i);
        text[o++] = '\n';
        cr_assert_eq(state_parse(text, o, "state", &s, &error), 0, "%s", error ? error : "");
        cr_assert_eq(strv_length(s->units[0].names), n);
        state_free(s);
        free(text);
}

Test(state, operations) {
        State *s = state_new();
        CacheKey key, other;
        char **owned;

        cr_assert_eq(cache_key_from_hex(KEY, &key), 0);
        other = key;
        other.bytes[0] ^= 1;

        cr_assert_eq(state_set_applied(s, "strict"), 1);
        cr_assert_eq(state_set_applied(s, "strict"), 0, "the same level: nothing changed");
        cr_assert_eq(state_set_selected(s, "fsp"), 1);
        cr_assert_eq(state_set_config_level(s, NULL), 0);
        cr_assert_str_eq(s->applied, "strict");
        cr_assert_str_eq(s->selected, "fsp");

        /* A claim, taken back when it could not be saved, and made again. */
        cr_assert_eq(state_claim(s, (char *[]) { "old", NULL }), 0);
        cr_assert_eq(state_claim(s, (char *[]) { "a", "b", NULL }), 0);
        state_unclaim(s, (char *[]) { "a", "b", NULL });
        cr_assert(strv_equal(s->claimed, (char *[]) { "old", NULL }));
        cr_assert_eq(state_claim(s, (char *[]) { "a", NULL }), 0);

        cr_assert_eq(state_record_unit(s, "/p/a", NULL, &key, MODE_KEEP, SHA, NULL, (char *[]) { "a", NULL }), 0);
        owned = state_owned_names(s);
        cr_assert(strv_equal(owned, (char *[]) { "a", "old", NULL }));
        strv_free(owned);
        cr_assert(state_clear_claims(s));
        cr_assert_not(state_clear_claims(s));
        cr_assert_not_null(state_find_name(s, "a"));
        cr_assert_null(state_find_name(s, "old"));

        cr_assert_not(state_update_unit_key(s, "/p/a", NULL, &key, MODE_KEEP));
        cr_assert(state_update_unit_key(s, "/p/a", NULL, &other, MODE_KEEP));
        cr_assert(state_update_unit_key(s, "/p/a", NULL, &other, MODE_COMPLAIN));
        cr_assert_not(state_update_unit_key(s, "/p/b", NULL, &other, MODE_COMPLAIN), "no such unit");
        cr_assert(cache_key_equal(&state_find_unit(s, "/p/a", NULL)->key, &other));
        cr_assert_eq(state_find_unit(s, "/p/a", NULL)->mode, MODE_COMPLAIN);
        state_free(s);
}
