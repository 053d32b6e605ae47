/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running the parser (daemon/compiler.c) with fake parsers (shell scripts
 * set as the parser) and, where it is installed, the real apparmor_parser:
 * the environment it gets is its own (issue 14, #6), a German locale of
 * the service does not reach it, and its output is bounded while it is
 * written, not after it exits (#11). */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compiler.h"
#include "fileio.h"
#include "macro.h"
#include "parser-error.h"
#include "util.h"

#define REAL_PARSER "/usr/sbin/apparmor_parser"
#define GERMAN_CATALOG "/usr/share/locale/de/LC_MESSAGES/apparmor-parser.mo"

static char dir[] = "/tmp/aalevel-test-compiler.XXXXXX";

static void setup(void) {
        cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void) {
        char cmd[128];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        (void) system(cmd);
}

TestSuite(compiler, .init = setup, .fini = teardown);

/* Writes an executable shell script into the test's directory. */
static char *fake_parser(const char *name, const char *body) {
        char *path, *text;

        cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
        cr_assert(asprintf(&text, "#!/bin/sh\n%s\n", body) > 0);
        cr_assert_eq(write_file_atomic(path, text, strlen(text), 0755), 0);
        free(text);
        return path;
}

static char *write_profile(const char *name, const char *text) {
        char *path;

        cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
        cr_assert_eq(write_file_atomic(path, text, strlen(text), 0644), 0);
        return path;
}

static void run_one(const char *parser, CompileJob *j, size_t output_max) {
        CompileJob *jobs[] = { j };
        CompilerSettings s = {
                .parser = parser,
                .cwd = dir,
                .jobs = 1,
                .output_max = output_max,
        };

        cr_assert_eq(compiler_run(&s, jobs, 1, NULL, NULL), 0);
}

/* The daemon's environment (a German locale, anything else it has) does
 * not reach the parser: it gets PATH and LC_ALL=C, nothing else. */
Test(compiler, parser_environment_is_fixed) {
        _cleanup_free_ char *parser = NULL;
        CompileJob j = { .file = "/dev/null" };

        cr_assert_eq(setenv("LANG", "de_DE.UTF-8", 1), 0);
        cr_assert_eq(setenv("LANGUAGE", "de", 1), 0);
        cr_assert_eq(setenv("LC_MESSAGES", "de_DE.UTF-8", 1), 0);
        cr_assert_eq(setenv("AALEVEL_TEST_SECRET", "1", 1), 0);
        cr_assert_eq(setenv("LD_PRELOAD", "", 1), 0);
        /* the shell's own environment as exec'ed: exactly what it got */
        parser = fake_parser("env-parser", "tr '\\0' '\\n' < /proc/$$/environ | LC_ALL=C sort >&2; exit 1");
        run_one(parser, &j, 0);
        cr_expect_eq(j.status, -EINVAL);
        cr_assert_not_null(j.errors);
        cr_expect_str_eq(j.errors, "LC_ALL=C\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n");
        compile_job_clear(&j);
}

/* A parser that writes far more than the bound is stopped when it passes
 * the bound (by the kernel, as it writes), not when it exits and not
 * when the daemon runs out of memory. Either output. The fake parsers
 * bound themselves (head -c, timeout): the code before the fix read all
 * of it into memory, and an endless writer took the machine down. */
#define FLOOD(what) "timeout 60 yes " what " | head -c 50000000"

Test(compiler, flood_on_stdout_is_stopped, .timeout = 60) {
        _cleanup_free_ char *parser = NULL, *size_file = NULL, *size = NULL;
        CompileJob j = { .file = "/dev/null" };

        /* After the flood, the parser notes how much of it the file the
         * daemon reads (and holds in memory: a memfd) actually got. */
        parser = fake_parser("flood-stdout", "echo starting >&2; " FLOOD("aalevel") "; "
                                             "exec 3>&1; stat -L -c %s /proc/self/fd/3 > \"${0%/*}/size\"");
        run_one(parser, &j, 1024 * 1024);
        cr_assert(asprintf(&size_file, "%s/size", dir) > 0);
        cr_assert_eq(read_full_file(size_file, 64, &size, NULL), 0);
        cr_expect_eq(strtoull(size, NULL, 10), 1024U * 1024U + 1U, "the parser's output held %s bytes", size);
        cr_expect_eq(j.status, -EFBIG, "%d: %s", j.status, strempty(j.errors));
        cr_expect_null(j.blob);
        cr_assert_not_null(j.errors);
        cr_expect(startswith(j.errors, "apparmor_parser wrote more than 1048576 bytes of output and was stopped; "
                                       "it began: starting"), "%s", j.errors);
        /* environmental: never cached as the policy's failure */
        cr_expect_not(parser_errors_blame_policy(j.errors));
        compile_job_clear(&j);
}

Test(compiler, flood_on_stderr_is_stopped, .timeout = 60) {
        _cleanup_free_ char *parser = NULL;
        CompileJob j = { .file = "/dev/null" };

        parser = fake_parser("flood-stderr", FLOOD("'AppArmor parser error at line 1: again'") " >&2; exit 1");
        run_one(parser, &j, 1024 * 1024);
        cr_expect_eq(j.status, -EFBIG, "%d", j.status);
        cr_assert_not_null(j.errors);
        /* what is kept of the flood is bounded too, and ends at a line */
        cr_expect_lt(strlen(j.errors), 1024U * 1024U + 200U);
        cr_expect(endswith(j.errors, "again\n"));
        cr_expect_not(parser_errors_blame_policy(j.errors));
        compile_job_clear(&j);
}

/* A parser that ignores SIGXFSZ gets EFBIG from write() instead and is
 * stopped all the same. */
Test(compiler, flood_ignoring_sigxfsz_is_stopped, .timeout = 60) {
        _cleanup_free_ char *parser = NULL;
        CompileJob j = { .file = "/dev/null" };

        parser = fake_parser("flood-ignoring", "trap '' XFSZ; " FLOOD("aalevel"));
        run_one(parser, &j, 1024 * 1024);
        cr_expect_eq(j.status, -EFBIG, "%d: %s", j.status, strempty(j.errors));
        cr_expect_null(j.blob);
        compile_job_clear(&j);
}

/* Output up to the bound is a binary like any other. */
Test(compiler, output_at_the_bound_is_kept) {
        _cleanup_free_ char *parser = NULL;
        CompileJob j = { .file = "/dev/null" };

        parser = fake_parser("exact", "head -c 65536 /dev/zero | tr '\\0' x");
        run_one(parser, &j, 65536);
        cr_expect_eq(j.status, 0, "%s", strempty(j.errors));
        cr_expect_eq(j.blob_size, 65536U);
        compile_job_clear(&j);

        /* one byte more is too much */
        run_one(parser, &j, 65535);
        cr_expect_eq(j.status, -EFBIG, "%d", j.status);
        compile_job_clear(&j);
}

/* A directory holding the locale de_DE.UTF-8 for LOCPATH, made with
 * localedef once per build tree when the system has none; NULL to use
 * the system's; the test is skipped when neither can be had. */
static const char *german_locale(bool *ret_found) {
        static const char locpath[] = TEST_BUILD_DIR "/tests/unit/locale";
        locale_t l;
        char cmd[2048];

        *ret_found = true;
        l = newlocale(LC_ALL_MASK, "de_DE.UTF-8", (locale_t) 0);
        if (l) {
                freelocale(l);
                return NULL;
        }
        if (access(locpath, F_OK) == 0)
                return locpath;
        if (access("/usr/share/i18n/locales/de_DE", R_OK) < 0) {
                *ret_found = false;
                return NULL;
        }
        (void) mkdir(TEST_BUILD_DIR "/tests/unit", 0755);
        snprintf(cmd, sizeof cmd,
                 "rm -rf '%s.tmp' && mkdir -p '%s.tmp' && "
                 "localedef -i de_DE -f UTF-8 '%s.tmp/de_DE.UTF-8' >/dev/null 2>&1; "
                 "test -d '%s.tmp/de_DE.UTF-8' && mv '%s.tmp' '%s'",
                 locpath, locpath, locpath, locpath, locpath, locpath);
        if (system(cmd) != 0) {
                *ret_found = false;
                return NULL;
        }
        return locpath;
}

/* Under a real German locale (not only LANGUAGE=de, which the C and
 * C.UTF-8 locales ignore) apparmor_parser says "in Zeile 4"; the daemon
 * running in that locale still reads the file and line of the error. */
Test(compiler, german_locale_keeps_file_and_line, .timeout = 300) {
        _cleanup_free_ char *profile = NULL, *cmd = NULL, *german = NULL, *summary = NULL;
        ParserError *e = NULL;
        const char *locpath;
        CompileJob j = {};
        bool found;
        size_t n = 0;
        FILE *f;

        if (access(REAL_PARSER, X_OK) < 0 || access(GERMAN_CATALOG, R_OK) < 0)
                cr_skip_test("no apparmor_parser with German messages here");
        locpath = german_locale(&found);
        if (!found)
                cr_skip_test("no de_DE.UTF-8 locale and no localedef to make one");
        if (locpath)
                cr_assert_eq(setenv("LOCPATH", locpath, 1), 0);
        cr_assert_eq(setenv("LANG", "de_DE.UTF-8", 1), 0);
        cr_assert_eq(unsetenv("LC_ALL"), 0);
        cr_assert_eq(unsetenv("LC_MESSAGES"), 0);

        profile = write_profile("syntax.sd", "profile syntax {\n  /etc/passwd r,\n  /etc/hosts r\n"
                                             "  /etc/group r,\n}\n");
        /* The parser run by hand in this environment does speak German:
         * otherwise the test below would prove nothing. */
        cr_assert(asprintf(&cmd, REAL_PARSER " -Q -K -S '%s' 2>&1 >/dev/null", profile) > 0);
        f = popen(cmd, "r");
        cr_assert_not_null(f);
        cr_assert_geq(read_full_fd(fileno(f), 65536, &german, NULL), 0);
        (void) pclose(f);
        cr_assert(strstr(german, "Zeile 4"), "the parser in de_DE.UTF-8 said: %s", german);

        j.file = profile;
        run_one(REAL_PARSER, &j, 0);
        cr_expect_eq(j.status, -EINVAL);
        cr_assert_not_null(j.errors);
        cr_assert_eq(parser_errors_parse(j.errors, strlen(j.errors), &e, &n), 0);
        summary = parser_errors_summary(e, n);
        cr_expect(parser_errors_blame_policy(j.errors), "%s", j.errors);
        cr_expect(endswith(summary, "syntax.sd:4: missing an end of line character? (entry: /etc/hosts)"), "%s",
                  summary);
        parser_errors_free(e, n);
        compile_job_clear(&j);
}

static char *label_variable(char * const *labels) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        cr_assert_not_null(f);
        cr_assert_eq(compiler_label_variable(f, "aalevel_lower_labels", labels), 0);
        cr_assert_eq(fclose(f), 0);
        return text;
}

/* @{aalevel_lower_labels} of the prelude names the labels exactly: what
 * the parser would read as a pattern is escaped. */
Test(compiler, lower_labels_variable) {
        char *plain[] = { (char *) "aalevelctl", (char *) "admin//&systemd", NULL };
        char *odd[] = { (char *) "a*b{c,d}", (char *) "x\"y#z@{w}", NULL };
        char *none[] = { NULL };
        _cleanup_free_ char *a = NULL, *b = NULL, *c = NULL, *d = NULL;

        a = label_variable(plain);
        cr_expect_str_eq(a, "@{aalevel_lower_labels} = aalevelctl admin//&systemd\n");
        b = label_variable(odd);
        cr_expect_str_eq(b, "@{aalevel_lower_labels} = a\\*b\\{c\\,d\\} x\\\"y\\#z\\@\\{w\\}\n");
        /* an AppArmor variable cannot be empty */
        c = label_variable(none);
        cr_expect_str_eq(c, "@{aalevel_lower_labels} = unconfined\n");
        d = label_variable(NULL);
        cr_expect_str_eq(d, c);
}

/* The shipped profile of PID 1 (level fsp) compiles with the prelude's
 * variable, whatever lower_labels holds. */
Test(compiler, fsp_profile_compiles_with_lower_labels, .timeout = 120) {
        char *sets[][3] = {
                { (char *) "aalevelctl", NULL },
                { (char *) "a*b{c,d}", (char *) "x\"y#z@{w}", NULL },
                { NULL },
        };

        if (access(REAL_PARSER, X_OK) < 0)
                cr_skip_test("no apparmor_parser here");
        for (size_t i = 0; i < ELEMENTSOF(sets); i++) {
                _cleanup_free_ char *prelude = label_variable(sets[i]);
                CompileJob j = {
                        .file = TEST_DATA_DIR "/../../profiles/fsp/usr.lib.systemd.systemd",
                        .prelude = prelude,
                };
                CompileJob *jobs[] = { &j };
                char *include[] = { (char *) "/etc/apparmor.d", NULL };
                CompilerSettings s = { .parser = REAL_PARSER, .cwd = dir, .jobs = 1, .include_path = include };

                cr_assert_eq(compiler_run(&s, jobs, 1, NULL, NULL), 0);
                cr_expect_eq(j.status, 0, "%s: %s", prelude, strempty(j.errors));
                cr_expect_gt(j.blob_size, 0U);
                compile_job_clear(&j);
        }
}
