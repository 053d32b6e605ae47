/* SPDX-License-Identifier: GPL-2.0-or-later */
/* compiler_run()'s pool of parsers, with fake parsers (shell scripts): every
 * job gets its outcome (a binary, a parser error, a crash, a timeout, a
 * parser that cannot run), more jobs than slots all run, and a cancelled
 * run stops its parsers. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compiler.h"
#include "fileio.h"
#include "util.h"

static char dir[] = "/tmp/test-compiler.XXXXXX";

/* A parser that acts on the file it compiles: its last argument. */
static const char parser_text[] =
        "#!/bin/sh\n"
        "for f; do :; done\n"
        "case \"$f\" in\n"
        "*okwait*) while [ ! -s \"${f%okwait}slow.pid\" ]; do sleep 0.01; done; echo x ;;\n"
        "*ok*) printf 'binary of %s' \"$f\" ;;\n"
        "*bad*) echo \"AppArmor parser error for $f in profile $f at line 3: syntax error\" >&2; exit 1 ;;\n"
        "*crash*) kill -SEGV $$ ;;\n"
        "*slow*) echo $$ >\"$f.pid\"; exec sleep 60 ;;\n"
        "esac\n";

static char *in_dir(const char *name) {
        char *p = path_join(dir, name);
        cr_assert_not_null(p);
        return p;
}

static void setup(void) {
        _cleanup_free_ char *parser = NULL;

        cr_assert_not_null(mkdtemp(dir));
        parser = in_dir("parser");
        cr_assert_eq(write_file_atomic(parser, parser_text, strlen(parser_text), 0755), 0);
        cr_assert_eq(chmod(parser, 0755), 0);
}

static void teardown(void) {
        char cmd[64];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        (void) !system(cmd);
}

TestSuite(compiler, .init = setup, .fini = teardown, .timeout = 30);

static void settings(CompilerSettings *s, char *parser, unsigned jobs, unsigned timeout_sec) {
        *s = (CompilerSettings) { .parser = parser, .cwd = "/", .jobs = jobs, .timeout_sec = timeout_sec };
}

Test(compiler, outcomes) {
        _cleanup_free_ char *parser = in_dir("parser"), *ok1 = in_dir("ok1"), *ok2 = in_dir("ok2"),
                            *bad = in_dir("bad"), *crash = in_dir("crash"), *ok3 = in_dir("ok3");
        CompileJob j[5] = { { .file = ok1 }, { .file = bad }, { .file = crash }, { .file = ok2 }, { .file = ok3 } };
        CompileJob *jobs[5] = { &j[0], &j[1], &j[2], &j[3], &j[4] };
        CompilerSettings s;

        settings(&s, parser, 2, 10);
        cr_assert_eq(compiler_run(&s, jobs, 5, NULL, NULL), 0);
        cr_assert_eq(j[0].status, 0);
        cr_assert_eq(j[0].blob_size, strlen("binary of ") + strlen(ok1));
        cr_assert_eq(memcmp(j[0].blob, "binary of ", 10), 0);
        cr_assert_eq(j[1].status, -EINVAL);
        cr_assert_not_null(strstr(j[1].errors, "syntax error"));
        cr_assert_eq(j[2].status, -ECHILD, "a crash: %d", j[2].status);
        cr_assert_eq(j[3].status, 0);
        cr_assert_eq(j[4].status, 0);
        for (size_t i = 0; i < 5; i++)
                compile_job_clear(&j[i]);
}

Test(compiler, timeout) {
        _cleanup_free_ char *parser = in_dir("parser"), *slow = in_dir("slow"), *ok = in_dir("ok");
        CompileJob j[2] = { { .file = slow }, { .file = ok } };
        CompileJob *jobs[2] = { &j[0], &j[1] };
        CompilerSettings s;

        settings(&s, parser, 1, 1);
        cr_assert_eq(compiler_run(&s, jobs, 2, NULL, NULL), 0);
        cr_assert_eq(j[0].status, -ETIME);
        cr_assert_eq(j[1].status, 0, "the job after a timeout still runs");
        compile_job_clear(&j[0]);
        compile_job_clear(&j[1]);
}

Test(compiler, parser_missing) {
        _cleanup_free_ char *parser = in_dir("no-such-parser"), *ok = in_dir("ok");
        CompileJob j = { .file = ok }, *jobs[1] = { &j };
        CompilerSettings s;

        settings(&s, parser, 1, 10);
        cr_assert_eq(compiler_run(&s, jobs, 1, NULL, NULL), 0);
        cr_assert_eq(j.status, -ENOEXEC);
        compile_job_clear(&j);
}

static volatile int cancel;

static void cancel_after_first(CompileJob *job, size_t done, size_t total, void *userdata) {
        cancel = 1;
}

Test(compiler, cancel_stops_parsers) {
        _cleanup_free_ char *parser = in_dir("parser"), *ok = in_dir("okwait"), *slow = in_dir("slow"),
                            *pidfile = in_dir("slow.pid"), *pid_text = NULL;
        /* okwait ends once slow runs (and has said its pid): then the run
         * is cancelled. */
        CompileJob j[2] = { { .file = ok, .expected_seconds = 1 }, { .file = slow } };
        CompileJob *jobs[2] = { &j[0], &j[1] };
        CompilerSettings s;
        unsigned pid;

        settings(&s, parser, 2, 0);
        s.cancel = &cancel;
        cr_assert_eq(compiler_run(&s, jobs, 2, cancel_after_first, NULL), -ECANCELED);
        /* The slow parser was stopped with the run. */
        cr_assert_eq(read_full_file(pidfile, 64, &pid_text, NULL), 0);
        cr_assert_eq(safe_atou(strstrip(pid_text), &pid), 0);
        cr_assert_neq(kill((pid_t) pid, 0), 0, "the parser still runs after the run was cancelled");
        compile_job_clear(&j[0]);
        compile_job_clear(&j[1]);
}
