/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compiling: runs apparmor_parser (which has no library API) once per
 * profile file, several at a time, and collects each binary and the
 * parser's complaints. A file that needs the level prelude is compiled
 * from standard input as the prelude followed by `include "/abs/file"`,
 * which gives the same binary as the file itself when it mentions no
 * aalevel_ symbol. The slowest files start first (known durations from
 * earlier runs), so that a long tail does not leave cores idle.
 *
 * The parser gets an environment of its own, PATH and LC_ALL=C and nothing
 * of the daemon's, so that its messages are the English ones
 * parser-error.c reads, whatever the locale of the service; and a limit
 * on what it writes, enforced by the kernel as it writes (RLIMIT_FSIZE on
 * its output files), so that a runaway parser cannot fill the daemon's
 * memory before it is stopped. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef struct CompilerSettings {
        const char *parser;             /* apparmor_parser */
        const char *parser_config;      /* passed as --config-file when it exists */
        const char *features_file;      /* --kernel-features; NULL: the parser asks the kernel */
        char * const *include_path;     /* -I, in order */
        const char *base_dir;           /* -b */
        const char *cwd;                /* relative "..." includes resolve against it */
        unsigned jobs;
        unsigned timeout_sec;
        size_t output_max;              /* bytes of stdout or stderr a parser may write; 0: 256 MiB */
        const volatile int *cancel;     /* when it becomes non-zero: stop the parsers, -ECANCELED */
} CompilerSettings;

typedef struct CompileJob {
        /* what to compile */
        const char *file;
        const char *prelude;            /* NULL: compile the file itself */
        const char *ns;                 /* -n: into this policy namespace; NULL: the root one */
        bool force_complain;            /* -C */
        double expected_seconds;        /* scheduling hint, 0 when unknown */

        /* what came out */
        int status;                     /* 0, or negative errno: -EINVAL parser error, -ETIME timeout,
                                         * -ECHILD crashed, -EFBIG stopped for writing more than
                                         * output_max, -ENOEXEC could not run the parser */
        uint8_t *blob;
        size_t blob_size;
        char *errors;                   /* the parser's stderr, or our account of what went wrong */
        double seconds;
        long max_rss_kb;
} CompileJob;

void compile_job_clear(CompileJob *j);

/* The argument vector run for a job, for logs and for the differential
 * tests (which run the same command by hand). */
char **compiler_argv(const CompilerSettings *s, const CompileJob *j);

/* Runs every job; each job's status says how it went. Called with the
 * index of a finished job as they finish. Fails only when it cannot work
 * at all (-ENOMEM, no file descriptors). */
typedef void (*CompileProgress)(CompileJob *job, size_t done, size_t total, void *userdata);
int compiler_run(const CompilerSettings *s, CompileJob **jobs, size_t n, CompileProgress progress, void *userdata);

/* Writes "@{NAME} = LABEL...\n" to the prelude: the labels escaped for
 * the parser, so that "deny change_profile -> @{NAME}," names exactly
 * them; "unconfined" when there is none (an AppArmor variable cannot be
 * empty). */
int compiler_label_variable(FILE *f, const char *name, char * const *labels);

/* `apparmor_parser --version`'s first line plus a digest of the
 * executable: part of every cache key. */
int compiler_identity(const char *parser, char **ret);
