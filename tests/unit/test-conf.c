/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevel.conf parsing: good input, every kind of bad input, drop-ins. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "conf.h"
#include "fileio.h"
#include "strv.h"
#include "util.h"

static Config *parse_ok(const char *text) {
        Config *c = NULL;
        char *error = NULL;
        cr_assert_eq(config_new_default(NULL, &c), 0);
        int r = config_parse_string(c, text, "test.conf", &error);
        cr_assert_eq(r, 0, "unexpected error: %s", error ? error : "(none)");
        cr_assert_null(error);
        return c;
}

static char *parse_bad(const char *text) {
        Config *c = NULL;
        char *error = NULL;
        cr_assert_eq(config_new_default(NULL, &c), 0);
        int r = config_parse_string(c, text, "test.conf", &error);
        cr_assert_lt(r, 0, "expected an error for: %s", text);
        cr_assert_not_null(error);
        config_free(c);
        return error;
}

Test(conf, defaults) {
        Config *c = NULL;
        cr_assert_eq(config_new_default(NULL, &c), 0);
        cr_assert_str_eq(c->policy_dir, AALEVEL_POLICY_DIR);
        cr_assert_eq(c->debounce_ms, 250);
        cr_assert_null(c->level);
        cr_assert_gt(config_jobs(c), 0);
        config_free(c);
}

Test(conf, every_key) {
        Config *c = parse_ok(
                "# comment\n"
                "[daemon]\n"
                "level = strict\n"
                "policy_dir = /tmp/pd\n"
                "cache_dir=/tmp/cache\n"
                "  state_dir = /tmp/state\n"
                "runtime_dir = /tmp/run\n"
                "apparmorfs = /tmp/fs\n"
                "parser = /usr/sbin/apparmor_parser\n"
                "jobs = 3\n"
                "debounce_ms = 100\n"
                "early_policy_dir = /tmp/early\n"
                "include_path = /a /b\n"
                "include_path = /c\n"
                "[access]\n"
                "lower_labels = admin_t //foo unconfined\n");
        cr_assert_str_eq(c->level, "strict");
        cr_assert_str_eq(c->policy_dir, "/tmp/pd");
        cr_assert_str_eq(c->state_dir, "/tmp/state");
        cr_assert_eq(c->jobs, 3);
        cr_assert_eq(c->debounce_ms, 100);
        cr_assert_eq(strv_length(c->include_path), 3);
        cr_assert_str_eq(c->include_path[2], "/c");
        cr_assert_eq(strv_length(c->lower_labels), 4, "the default aalevelctl and three more");
        config_free(c);
}

Test(conf, jobs_auto_and_list_reset) {
        Config *c = parse_ok("[daemon]\njobs = auto\ninclude_path = /a\ninclude_path =\n");
        cr_assert_eq(c->jobs, 0);
        cr_assert_eq(strv_length(c->include_path), 0);
        config_free(c);
}

/* The shipped aalevel.conf shows "#features_file=" for the default (unset):
 * uncommented, it was refused as "not an absolute path", and a drop-in
 * could not unset a features_file the main file set. */
Test(conf, features_file_empty_unsets) {
        Config *c = parse_ok("[daemon]\nfeatures_file =\n");
        cr_assert_null(c->features_file);
        cr_assert_eq(config_parse_string(c, "[daemon]\nfeatures_file = /tmp/f\n", "a.conf", NULL), 0);
        cr_assert_str_eq(c->features_file, "/tmp/f");
        cr_assert_eq(config_parse_string(c, "[daemon]\nfeatures_file=\n", "b.conf", NULL), 0);
        cr_assert_null(c->features_file);
        config_free(c);
        /* The other paths have no "unset". */
        free(parse_bad("[daemon]\npolicy_dir =\n"));
}

Test(conf, bad_input) {
        struct { const char *text, *expect; } cases[] = {
                { "[daemon]\nlevell = strict\n", "test.conf:2: unknown key 'levell'" },
                { "[deamon]\nlevel = strict\n", "test.conf:2: unknown section [deamon]" },
                { "[daemon]\nlevel = Strict!\n", "test.conf:2: level: 'Strict!' is not a valid level name" },
                { "[daemon]\njobs = many\n", "test.conf:2: jobs: 'many' is not a number" },
                { "[daemon]\njobs = 0x10\n", "test.conf:2: jobs:" },
                { "[daemon]\njobs = 99999999999999999999\n", "test.conf:2: jobs:" },
                { "[daemon]\ndebounce_ms = -1\n", "test.conf:2: debounce_ms:" },
                { "[daemon]\npolicy_dir = relative/dir\n", "test.conf:2: policy_dir: 'relative/dir' is not an absolute path" },
                { "[daemon]\npolicy_dir = /etc/../x\n", "test.conf:2: policy_dir:" },
                { "[daemon]\ninclude_path = /a b\n", "test.conf:2: include_path: 'b' is not an absolute path" },
                { "[daemon\nlevel = x\n", "test.conf:1: syntax error" },
                { "level = strict\n", "test.conf:1: unknown section []" },
                { "[daemon]\nthis line has no equals sign\n", "test.conf:2: syntax error" },
                { "[daemon]\nlevel = a\x01z\n", "test.conf:2: control character" },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *e = parse_bad(cases[i].text);
                cr_expect(strstr(e, cases[i].expect) != NULL, "case %zu: got '%s', want '%s'", i, e, cases[i].expect);
                free(e);
        }
}

Test(conf, long_line_refused) {
        char text[1024] = "[daemon]\npolicy_dir = /";
        memset(text + strlen(text), 'a', 500);
        strcat(text, "\n");
        char *e = parse_bad(text);
        cr_expect(strstr(e, "test.conf:2: line too long") != NULL, "got %s", e);
        free(e);
}

static char *make_tempdir(void) {
        char *d = strdup("/tmp/aalevel-test-conf-XXXXXX");
        cr_assert_not_null(mkdtemp(d));
        return d;
}

static void write_text(const char *dir, const char *name, const char *text) {
        char *p = path_join(dir, name);
        cr_assert_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
        free(p);
}

Test(conf, load_with_dropins_in_order) {
        char *d = make_tempdir(), *main_file = path_join(d, "aalevel.conf"), *dropins = NULL;
        Config *c = NULL;
        char *error = NULL;

        cr_assert(asprintf(&dropins, "%s.d", main_file) > 0);
        cr_assert_eq(mkdir(dropins, 0755), 0);
        write_text(d, "aalevel.conf", "[daemon]\nlevel = default\njobs = 2\n");
        write_text(dropins, "50-fleet.conf", "[daemon]\nlevel = strict\n");
        write_text(dropins, "10-early.conf", "[daemon]\nlevel = fsp\njobs = 4\n");
        write_text(dropins, "ignored.txt", "garbage");
        write_text(dropins, ".hidden.conf", "garbage");
        cr_assert_eq(config_load(main_file, NULL, &c, &error), 0, "%s", error ? error : "");
        cr_assert_str_eq(c->level, "strict");
        cr_assert_eq(c->jobs, 4);
        config_free(c);

        write_text(dropins, "60-broken.conf", "[daemon]\nnope = 1\n");
        cr_assert_lt(config_load(main_file, NULL, &c, &error), 0);
        cr_assert(strstr(error, "60-broken.conf:2: unknown key 'nope'") != NULL, "got %s", error);
        free(error);
        error = NULL;

        {
                static const char binary[] = "[daemon]\0level=x\n";
                char *p = path_join(dropins, "60-broken.conf");
                cr_assert_eq(write_file_atomic(p, binary, sizeof(binary) - 1, 0644), 0);
                free(p);
        }
        cr_assert_lt(config_load(main_file, NULL, &c, &error), 0);
        cr_assert(strstr(error, "binary data") != NULL, "got %s", error);
        free(error);
        free(d); free(main_file); free(dropins);
}

Test(conf, missing_main_file_is_defaults_and_root_prefixes) {
        Config *c = NULL;
        char *error = NULL;
        cr_assert_eq(config_load("/nonexistent/aalevel.conf", "/img", &c, &error), 0);
        cr_assert_str_eq(c->policy_dir, "/img" AALEVEL_POLICY_DIR);
        cr_assert_str_eq(c->apparmorfs, "/sys/kernel/security/apparmor");
        config_free(c);
}

Test(conf, directory_as_config_is_an_error) {
        Config *c = NULL;
        char *error = NULL;
        cr_assert_lt(config_load("/tmp", NULL, &c, &error), 0);
        cr_assert_not_null(error);
        free(error);
}
