/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevel.conf: the daemon's configuration (INI, read with libinih), plus
 * the drop-ins FILE.d/NAME.conf applied in lexical order. Every path the
 * daemon touches is configurable here, so tests and image builds run
 * against any tree. Unknown sections and keys, bad values, binary data
 * and over-long lines are errors naming the file and line. */
#pragma once

#include <stdbool.h>

#include "macro.h"

typedef struct Config {
        char *file;                     /* the main file, as given */
        char *root;                     /* --root: prefix of every path below, "" for / */

        /* [daemon] */
        char *level;                    /* level=, NULL when unset */
        char *policy_dir;
        char *cache_dir;
        char *state_dir;
        char *runtime_dir;
        char *apparmorfs;
        char *parser;
        char *parser_config;            /* apparmor_parser's own parser.conf */
        char **include_path;            /* the parser's -I search path; empty: policy_dir */
        char *features_file;            /* compile for these features, not the kernel's */
        char *early_policy_dir;
        char *levels_dir;               /* admin level definitions */
        char *vendor_levels_dir;        /* vendor level definitions */
        unsigned jobs;                  /* parallel compiles; 0: one per CPU */
        unsigned debounce_ms;
        unsigned debounce_max_ms;
        unsigned compile_timeout_sec;

        /* [access] */
        char **lower_labels;            /* AppArmor labels allowed to lower the level */
} Config;

void config_free(Config *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Config *, config_free);

/* Built-in defaults (SPEC.md paths) below root ("" or NULL for /). */
int config_new_default(const char *root, Config **ret);

/* Reads root+path (a missing main file means defaults) and its drop-ins.
 * On a parse error returns -EINVAL (or another negative errno) and sets
 * *ret_error to "FILE:LINE: what is wrong". */
int config_load(const char *path, const char *root, Config **ret, char **ret_error);

/* Parses one INI text into c; exposed for the unit tests and the fuzzer. */
int config_parse_string(Config *c, const char *text, const char *filename, char **ret_error);

/* Whether two configurations name the same files, parser and kernel, so
 * that what was computed for one (the include graph, the cache, the
 * state) holds for the other. */
bool config_same_paths(const Config *a, const Config *b);

/* Resolved number of parallel compile jobs. */
unsigned config_jobs(const Config *c);

/* root + path, for a path read from the configuration. */
char *config_root_path(const Config *c, const char *path);
