/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan: a level's units (profile files, per namespace), their keys,
 * what the cache and the state already know of them, compiling what the
 * cache lacks (the level's required profiles and the diff against what is
 * loaded are in diff.c). Nothing here writes to the kernel. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "engine-internal.h"
#include "log.h"
#include "messages.h"
#include "parser-error.h"
#include "strv.h"
#include "tree.h"
#include "users.h"

void failure_clear(UnitFailure *f) {
        free(f->file);
        free(f->name);
        free(f->error_file);
        free(f->message);
        memset(f, 0, sizeof *f);
}

static void unit_clear(Unit *u) {
        free(u->file);
        free(u->ns);
        free(u->name);
        closure_free(u->closure);
        free(u->blob);
        strv_free(u->names);
        failure_clear(&u->failure);
        compile_job_clear(&u->job);
        memset(u, 0, sizeof *u);
}

void units_free(Unit *units, size_t n) {
        for (size_t i = 0; i < n; i++)
                unit_clear(&units[i]);
        free(units);
}
/* ---- failures ---- */

int result_add_failure(EngineResult *res, const UnitFailure *f) {
        UnitFailure *a = realloc(res->failures, sizeof(UnitFailure) * (res->n_failures + 1));
        UnitFailure *c;

        if (!a)
                return -ENOMEM;
        res->failures = a;
        c = &res->failures[res->n_failures];
        *c = (UnitFailure) {
                .file = strdup(f->file),
                .name = f->name ? strdup(f->name) : NULL,
                .error_file = f->error_file ? strdup(f->error_file) : NULL,
                .line = f->line,
                .message = strdup(strempty(f->message)),
        };
        res->n_failures++;
        if (!c->file || !c->message || (f->name && !c->name) || (f->error_file && !c->error_file))
                return -ENOMEM;
        return 0;
}

/* Marks a unit failed with the parser's or our own account. */
int unit_fail(Engine *e, Unit *u, const char *error_file, unsigned line, const char *message) {
        const StateUnit *prev = state_find_unit(e->state, u->file, u->ns);
        int r;

        failure_clear(&u->failure);
        u->failed = true;
        u->failure.file = strdup(u->file);
        u->failure.name = prev && prev->names && prev->names[0] ? strdup(prev->names[0]) : NULL;
        u->failure.error_file = error_file ? strdup(error_file) : NULL;
        u->failure.line = line;
        u->failure.message = strdup(message);
        if (!u->failure.file || !u->failure.message)
                return -ENOMEM;
        if (e->options.failure)
                e->options.failure(&u->failure, e->options.userdata);
        {
                _cleanup_free_ char *f_file = NULL, *f_line = NULL, *f_err = NULL, *where = NULL;
                if (asprintf(&f_file, "PROFILE_FILE=%s", u->file) < 0 ||
                    asprintf(&f_line, "ERROR_LINE=%u", line) < 0 ||
                    asprintf(&f_err, "ERROR_FILE=%s", strempty(error_file)) < 0)
                        return -ENOMEM;
                if (error_file && line > 0)
                        r = asprintf(&where, "%s:%u: ", error_file, line);
                else if (error_file)
                        r = asprintf(&where, "%s: ", error_file);
                else
                        r = asprintf(&where, "%s", "");
                if (r < 0)
                        return -ENOMEM;
                log_struct(LOG_ERR, MESSAGE_ID_PROFILE_FAILED, ((char *[]) { f_file, f_line, f_err, NULL }),
                           "Profile %s failed: %s%s%s", u->file, where, message,
                           prev ? " (its previous version stays loaded)" : "");
        }
        return 0;
}

static int unit_fail_from_parser(Engine *e, Unit *u, const char *errors) {
        ParserError *pe = NULL;
        size_t n = 0;
        int r;

        r = parser_errors_parse(strempty(errors), strlen(strempty(errors)), &pe, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (!pe[i].warning) {
                        r = unit_fail(e, u, pe[i].file, pe[i].line, pe[i].message);
                        parser_errors_free(pe, n);
                        return r;
                }
        {
                _cleanup_free_ char *summary = parser_errors_summary(pe, n);
                parser_errors_free(pe, n);
                return unit_fail(e, u, NULL, 0, summary ? summary : "apparmor_parser failed");
        }
}

/* A failure of the machine the parser ran on, not of the profile: said
 * so, with no file and line of the policy, and never remembered. */
static int unit_fail_environment(Engine *e, Unit *u, const char *why) {
        _cleanup_free_ char *msg = NULL;

        if (asprintf(&msg, "not compiled, not a fault of the profile (compiled again at the next run): %s", why) < 0)
                return -ENOMEM;
        return unit_fail(e, u, NULL, 0, msg);
}

/* What the features' failure says, once a run (res may be NULL). */
static int features_failed(Engine *e, Unit *u, const char *why, EngineResult *res) {
        if (res && !res->features_failed) {
                res->features_failed = true;
                if (result_add_error(res, "Cannot compile: %s; profile files that need compiling stay as they "
                                     "were, and are compiled again at the next run", why) < 0)
                        return -ENOMEM;
        }
        return unit_fail_environment(e, u, why);
}

/* A compile failed (errors: the parser's messages, the root taken off).
 * Only the parser's verdict on the policy is cached and reported at its
 * file and line: an error it places in a file and line, or one without a
 * line that names no failure of the machine ("profile has merged rule
 * with conflicting x modifiers"); not remembering those compiled them
 * again at every run. A failure of the machine (memory, disk,
 * permissions in the parser's words; the features file the keys name
 * gone or changed) is never cached: environmental, retried at the next
 * run. A parser that crashed, was stopped or did not run says so, and is
 * not cached either. */
static int compile_failed(Engine *e, Unit *u, const char *errors, EngineResult *res) {
        const CompileJob *j = &u->job;
        _cleanup_free_ char *why = NULL;
        int r;

        r = engine_check_features(e, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return features_failed(e, u, why ? why : strerror(-r), res);
        if (j->status != -EINVAL || !j->errors)
                return unit_fail_from_parser(e, u, errors);
        if (parser_errors_environmental(errors)) {
                ParserError *pe = NULL;
                size_t n = 0;

                if (parser_errors_parse(errors, strlen(errors), &pe, &n) < 0)
                        return -ENOMEM;
                why = parser_errors_summary(pe, n);
                parser_errors_free(pe, n);
                if (!why)
                        return -ENOMEM;
                return unit_fail_environment(e, u, why);
        }
        (void) cache_put_failure(e->cache, &u->key, errors);
        return unit_fail_from_parser(e, u, errors);
}

/* ---- planning ---- */

/* The unit's key: its closure, the level prelude when the closure uses
 * aalevel_ symbols, and the values of the runtime state variables it
 * uses (only those: a closure that uses none compiles once for every
 * level and every desktop). */
int unit_compute_key(Engine *e, Unit *u, const char *prelude) {
        _cleanup_free_ char *state = NULL;

        u->prelude = u->closure->mentions_aalevel;
        if (e->state_active && u->closure->state_uses) {
                state = state_values_key_text(&e->run_state, u->closure->state_uses);
                if (!state)
                        return -ENOMEM;
        }
        cache_key_compute(&e->ctx, u->closure, u->prelude ? prelude : NULL, state, u->ns, &u->key);
        cache_key_to_hex(&u->key, u->key_hex);
        return 0;
}

static int build_units(Engine *e, const ResolvedLevel *level, EngineResult *res, Unit **ret, size_t *ret_n) {
        _cleanup_(profile_tree_freep) ProfileTree *tree = NULL;
        _cleanup_free_ char *prelude = NULL;
        Unit *units;
        int r;

        r = profile_tree_scan(e->config->policy_dir, level, &tree);
        if (r < 0)
                return r;
        r = strv_extend_strv(&res->warnings, tree->errors);
        if (r < 0)
                return r;
        prelude = engine_prelude(e->levels, level, e->config->lower_labels);
        if (!prelude)
                return -ENOMEM;

        /* With a namespace for applications (confined users), every
         * profile of the policy directory is loaded twice: in the root
         * namespace for the system, in that namespace for the users. The
         * level's own directories (roles, mappings) stay in the root. */
        size_t total = tree->n_sources;
        if (level->user_namespace)
                for (size_t i = 0; i < tree->n_sources; i++)
                        total += !tree->sources[i].extra;
        units = calloc(total + 1, sizeof(Unit));
        if (!units)
                return -ENOMEM;
        for (size_t i = 0, k = 0; k < total; k++) {
                const ProfileSource *src;
                Unit *u = &units[k];
                bool in_ns = k >= tree->n_sources;

                if (in_ns)
                        while (tree->sources[i].extra)
                                i++;
                src = &tree->sources[in_ns ? i++ : k];

                u->file = strdup(src->path);
                u->ns = in_ns ? strdup(level->user_namespace) : NULL;
                if (in_ns)
                        r = asprintf(&u->name, "%s@%s", src->name, level->user_namespace);
                else
                        u->name = strdup(src->name);
                if (!u->file || (in_ns && (!u->ns || r < 0)) || !u->name) {
                        units_free(units, total);
                        return -ENOMEM;
                }
                r = include_graph_closure(e->graph, src->path, &u->closure);
                if (r < 0) {
                        units_free(units, total);
                        return r;
                }
                if (!in_ns) {
                        r = strv_extend_strv(&res->warnings, u->closure->warnings);
                        if (r < 0) {
                                units_free(units, total);
                                return r;
                        }
                }
                /* force-complain/ counts only when the level keeps modes. */
                u->override = level->mode != MODE_KEEP ? level->mode
                            : src->force_complain ? MODE_COMPLAIN : MODE_KEEP;
                r = unit_compute_key(e, u, prelude);
                if (r < 0) {
                        units_free(units, total);
                        return r;
                }
                if (log_get_max_level() >= LOG_DEBUG) {
                        char cd[2 * SHA256_DIGEST_SIZE + 1];
                        hex_encode(u->closure->digest, sizeof u->closure->digest, cd);
                        log_debug("%s: key %s (closure %s, %zu deps%s%s, mode %s)", u->file, u->key_hex, cd,
                                  u->closure->n_deps, u->prelude ? ", prelude" : "",
                                  e->state_active && u->closure->state_uses ? ", runtime state" : "",
                                  mode_override_to_string(u->override));
                }
        }
        *ret = units;
        *ret_n = total;
        return 0;
}

static int remember_names(Engine *e, Unit *u) {
        char **copy = strv_copy(u->names);
        if (!copy || hashmap_put(e->names_by_key, u->key_hex, copy) < 0) {
                strv_free(copy);
                return -ENOMEM;
        }
        return 0;
}

/* A fresh binary, checked, into the cache (as declared: the override is
 * applied when loading). */
static int accept_blob(Engine *e, Unit *u, uint8_t *blob, size_t size) {
        uint8_t mode_sha1[_MODE_OVERRIDE_MAX][SHA1_DIGEST_SIZE];
        int r;

        strv_free(u->names);
        u->names = NULL;
        r = blob_profile_names(blob, size, &u->names); /* validates it */
        if (r == -ENOMEM) {
                free(blob);
                return r;
        }
        if (r < 0) {
                free(blob);
                return unit_fail(e, u, NULL, 0, "the parser's output is not valid policy");
        }
        r = remember_names(e, u);
        if (r < 0)
                return r;
        /* Each mode's SHA-1 in the entry: a level with another override
         * then knows without reading the binary whether the kernel has it. */
        r = blob_mode_sha1(blob, size, mode_sha1);
        if (r < 0) {
                free(blob);
                return r;
        }
        r = cache_put(e->cache, &u->key, blob, size, mode_sha1);
        if (r >= 0) {
                u->cached = true;
                free(blob);
        } else {
                /* A full disk must not cost the profile: it is loaded
                 * from memory and compiled again next time. */
                log_warning_errno(r, "Cannot write %s to the cache (%m); it will be compiled again next time.",
                                  u->file);
                u->blob = blob;
                u->blob_size = size;
        }
        return 0;
}

typedef struct CompileCtx {
        Engine *e;
        EngineResult *res;
        unsigned total;
        int r;                  /* the first -ENOMEM */
} CompileCtx;

/* One compile finished: its binary into the cache (and out of memory at
 * once, so that a cold compile holds no more binaries than it runs
 * parsers), or its failure recorded. */
static int compiled(Engine *e, Unit *u, EngineResult *res) {
        CompileJob *j = &u->job;
        int r;

        (void) cache_set_duration(e->cache, cache_logical_path(&e->ctx, u->file), j->seconds);
        if (j->max_rss_kb > res->max_parser_rss_kb)
                res->max_parser_rss_kb = j->max_rss_kb;
        if (j->status != -ECANCELED && !closure_unchanged(u->closure)) {
                /* A file of it changed since its key was computed: the
                 * parser may have read other bytes than the key names.
                 * Neither the binary nor the failure is kept. */
                u->stale = true;
                compile_job_clear(j);
                return 0;
        }
        if (j->status < 0) {
                /* With --root, the image's paths: the cached failure is
                 * what the image's daemon reports. */
                _cleanup_free_ char *errors = parser_errors_strip_root(j->errors, e->root);

                if (!errors)
                        return -ENOMEM;
                return compile_failed(e, u, errors, res);
        }
        res->n_compiled++;
        r = accept_blob(e, u, TAKE_PTR(j->blob), j->blob_size);
        j->blob_size = 0;
        return r;
}

static void on_compiled(CompileJob *job, size_t done, size_t total, void *userdata) {
        CompileCtx *c = userdata;
        Unit *u = container_of(job, Unit, job);
        int r;

        if (c->r >= 0) {
                r = compiled(c->e, u, c->res);
                if (r < 0)
                        c->r = r;
        }
        engine_progress(c->e, "compile", (unsigned) done, c->total, job->file);
}

static int compile_pass(Engine *e, Unit *units, size_t n, EngineResult *res) {
        _cleanup_free_ CompileJob **jobs = NULL;
        CompilerSettings s;
        CompileCtx cctx = { .e = e, .res = res };
        size_t nj = 0;
        int r;

        jobs = calloc(n + 1, sizeof(CompileJob *));
        if (!jobs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                Unit *u = &units[i];
                if (u->failed || u->cached || u->blob || !u->needs_compile)
                        continue;
                /* The parser would read other values of the runtime state
                 * than the key names: the file could not be written. */
                if (e->state_active && e->state_unwritten && u->closure->state_uses) {
                        r = unit_fail_environment(e, u, "the runtime state file cannot be written");
                        if (r < 0)
                                return r;
                        continue;
                }
                u->job.file = u->file;
                u->job.ns = u->ns;
                u->job.prelude = u->prelude ? e->prelude : NULL;
                u->job.expected_seconds = cache_get_duration(e->cache, cache_logical_path(&e->ctx, u->file));
                jobs[nj++] = &u->job;
        }
        if (nj == 0)
                return 0;
        {
                /* The features the keys name, as the parser will read
                 * them: without them no parser runs (each would fail). */
                _cleanup_free_ char *why = NULL;

                r = engine_check_features(e, &why);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        const char *reason = why ? why : strerror(-r);

                        for (size_t i = 0; i < nj; i++) {
                                r = features_failed(e, container_of(jobs[i], Unit, job), reason, res);
                                if (r < 0)
                                        return r;
                        }
                        return 0;
                }
        }

        s = (CompilerSettings) {
                .parser = e->config->parser,
                .parser_config = e->config->parser_config,
                .features_file = e->features_file,
                .include_path = e->search_path,
                .base_dir = e->config->policy_dir,
                .cwd = e->cwd,
                .jobs = config_jobs(e->config),
                .timeout_sec = e->config->compile_timeout_sec,
                .cancel = &e->cancel,
        };
        cctx.total = (unsigned) nj;
        engine_progress(e, "compile", 0, (unsigned) nj, NULL);
        r = compiler_run(&s, jobs, nj, on_compiled, &cctx);
        (void) cache_save_durations(e->cache);
        if (r < 0)
                return r;
        return cctx.r;
}

static int lookup_unit(Engine *e, Unit *u, EngineResult *res);

/* A unit whose files changed while it compiled: its closure read again
 * (what changed only), a new key, looked up afresh. */
static int unit_rekey(Engine *e, Unit *u, EngineResult *res) {
        Closure *c = NULL;
        int r;

        r = include_graph_closure(e->graph, u->file, &c);
        if (r < 0)
                return r;
        closure_free(u->closure);
        u->closure = c;
        r = unit_compute_key(e, u, e->prelude);
        if (r < 0)
                return r;
        strv_free(u->names);
        u->names = NULL;
        u->stale = u->needs_compile = u->cached = u->sha1_known = false;
        compile_job_clear(&u->job);
        r = lookup_unit(e, u, res);
        return r < 0 ? r : 0;
}

/* How often a unit whose files keep changing is compiled again before it
 * counts as failed for this run (the watch brings it back when they
 * settle). */
#define COMPILE_ATTEMPTS_MAX 3

/* Compiles what the cache lacks; what was compiled from files that
 * changed meanwhile is thrown away and compiled again from their new
 * content, so that a key only ever names what was compiled from exactly
 * the bytes it was computed from. */
static int compile_units(Engine *e, Unit *units, size_t n, EngineResult *res) {
        int r;

        for (unsigned attempt = 1;; attempt++) {
                bool any = false;

                r = compile_pass(e, units, n, res);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n; i++)
                        any = any || units[i].stale;
                if (!any)
                        return 0;
                if (attempt < COMPILE_ATTEMPTS_MAX)
                        (void) include_graph_revalidate(e->graph);
                for (size_t i = 0; i < n; i++) {
                        Unit *u = &units[i];

                        if (!u->stale)
                                continue;
                        if (attempt >= COMPILE_ATTEMPTS_MAX) {
                                u->stale = false;
                                r = unit_fail(e, u, NULL, 0, "its files kept changing while it compiled; "
                                              "it is compiled again when they change next");
                        } else {
                                log_debug("%s changed while it compiled; compiling it again.", u->file);
                                r = unit_rekey(e, u, res);
                        }
                        if (r < 0)
                                return r;
                }
        }
}

/* Attaches a prelude to jobs that need it: kept apart so that the
 * prelude string lives as long as the compile. */
static int prepare_jobs(Engine *e, const ResolvedLevel *level, Unit *units, size_t n) {
        char *prelude = engine_prelude(e->levels, level, e->config->lower_labels);
        if (!prelude)
                return -ENOMEM;
        free(e->prelude);
        e->prelude = prelude;
        for (size_t i = 0; i < n; i++)
                units[i].job.prelude = units[i].prelude ? prelude : NULL;
        return 0;
}

/* Fills names and sha1 of a unit from what is known without compiling. */
static int lookup_unit(Engine *e, Unit *u, EngineResult *res) {
        const StateUnit *su = state_find_unit(e->state, u->file, u->ns);
        char **names;
        int r;

        if (u->closure->error)
                return unit_fail(e, u, NULL, 0, u->closure->error);
        if (su && cache_key_equal(&su->key, &u->key) && su->mode == u->override) {
                /* Loaded before with this very key and mode. */
                u->names = strv_copy(su->names);
                memcpy(u->sha1, su->sha1, sizeof u->sha1);
                memcpy(u->sha256, su->sha256, sizeof u->sha256);
                u->sha1_known = true;
                /* Presumed in the cache, not looked at (one system call per
                 * profile file at every run): lost from it, it is compiled
                 * again if it must be loaded again (see unit_blob()). */
                u->cached = true;
                if (!u->names)
                        return -ENOMEM;
                res->n_cached++;
                return 1;
        }
        u->sha256[0] = '\0'; /* the cache entry has none: learnt from the binary */
        r = cache_get_sha1(e->cache, &u->key, u->override, u->sha1);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && r != -ENODATA) {
                _cleanup_free_ char *errors = NULL;
                /* Failed before with exactly these inputs: same answer. */
                r = cache_get_failure(e->cache, &u->key, &errors);
                if (r == -ENOMEM)
                        return r;
                if (r >= 0)
                        return unit_fail_from_parser(e, u, errors);
                u->needs_compile = true;
                return 0;
        }
        u->cached = true;
        /* Without the mode's SHA-1 in the entry, it is learnt when the
         * binary is read for loading. */
        u->sha1_known = r >= 0;
        names = hashmap_get(e->names_by_key, u->key_hex);
        if (names) {
                u->names = strv_copy(names);
                if (!u->names)
                        return -ENOMEM;
        } else {
                _cleanup_free_ uint8_t *blob = NULL;
                size_t size;

                r = cache_get(e->cache, &u->key, &blob, &size);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || blob_profile_names(blob, size, &u->names) < 0) {
                        if (r == -EBADMSG)
                                log_warning("The cache entry for %s was corrupted; compiling it again.", u->file);
                        u->cached = false;
                        u->needs_compile = true;
                        return 0;
                }
                r = remember_names(e, u);
                if (r < 0)
                        return r;
        }
        res->n_cached++;
        return 1;
}

/* Loads a unit's binary for the kernel: from memory, or from the cache
 * (verified), or, when the entry turns out corrupted, compiled again. */
static int unit_blob(Engine *e, Unit *u, uint8_t **ret, size_t *ret_size, EngineResult *res) {
        CompileJob *jobs[1];
        CompilerSettings s;
        int r;

        if (u->blob) {
                *ret = TAKE_PTR(u->blob);
                *ret_size = u->blob_size;
                return 0;
        }
        r = cache_get(e->cache, &u->key, ret, ret_size);
        if (r != -ENOENT && r != -EBADMSG)
                return r;
        if (u->previous)
                return r; /* the source is not what that key names: never compiled under it */
        if (r == -EBADMSG)
                log_warning("The cache entry for %s was corrupted; compiling it again, never loading it.", u->file);

        compile_job_clear(&u->job);
        u->job = (CompileJob) { .file = u->file, .prelude = u->prelude ? e->prelude : NULL, .ns = u->ns };
        jobs[0] = &u->job;
        s = (CompilerSettings) {
                .parser = e->config->parser, .parser_config = e->config->parser_config,
                .features_file = e->features_file, .include_path = e->search_path,
                .base_dir = e->config->policy_dir, .cwd = e->cwd, .jobs = 1,
                .timeout_sec = e->config->compile_timeout_sec,
        };
        r = compiler_run(&s, jobs, 1, NULL, NULL);
        if (r < 0)
                return r;
        if (!closure_unchanged(u->closure)) {
                /* Not what the key names: nothing kept (see compile_units()). */
                r = unit_fail(e, u, NULL, 0, "its files changed while it compiled; "
                              "it is compiled again at the next reload");
                return r < 0 ? r : -ESTALE;
        }
        if (u->job.status < 0) {
                _cleanup_free_ char *errors = parser_errors_strip_root(u->job.errors, e->root);

                if (!errors)
                        return -ENOMEM;
                r = compile_failed(e, u, errors, res);
                return r < 0 ? r : -EINVAL;
        }
        if (res)
                res->n_compiled++;
        r = accept_blob(e, u, TAKE_PTR(u->job.blob), u->job.blob_size);
        if (r < 0)
                return r;
        if (u->failed)
                return -EINVAL;
        if (u->blob) {
                *ret = TAKE_PTR(u->blob);
                *ret_size = u->blob_size;
                return 0;
        }
        return cache_get(e->cache, &u->key, ret, ret_size);
}

/* The binary as the kernel gets it: the cached one with the level's mode
 * override applied (what apparmor_parser -C, or the source without its
 * complain flags, would give); fills in u->sha1 and u->sha256. */
void unit_set_digests(Unit *u, const void *blob, size_t size) {
        uint8_t d1[SHA1_DIGEST_SIZE], d256[SHA256_DIGEST_SIZE];

        sha1(blob, size, d1);
        hex_encode(d1, sizeof d1, u->sha1);
        sha256(blob, size, d256);
        hex_encode(d256, sizeof d256, u->sha256);
        u->sha1_known = true;
}

int unit_final_blob(Engine *e, Unit *u, uint8_t **ret, size_t *ret_size, EngineResult *res) {
        _cleanup_free_ uint8_t *blob = NULL;
        size_t size;
        int r;

        r = unit_blob(e, u, &blob, &size, res);
        if (r < 0)
                return r;
        if (blob_apply_mode(blob, size, u->override) < 0)
                return -EBADMSG;
        unit_set_digests(u, blob, size);
        *ret = TAKE_PTR(blob);
        *ret_size = size;
        return 0;
}

/* The names the usable units make, as a set: a failed unit's last good
 * binary keeps its names. */
Hashmap *produced_names(const Unit *units, size_t n) {
        Hashmap *set = hashmap_new(NULL);
        if (!set)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (unit_usable(&units[i]) && hashmap_put_strv(set, units[i].names) < 0) {
                        hashmap_free(set);
                        return NULL;
                }
        return set;
}

void unit_list_done(UnitList *l) {
        units_free(l->units, l->n);
        *l = (UnitList) {};
}

/* Confined users: the login programs' hats for them, generated into a
 * directory of the level (one per level, so that a check or diff of
 * another level leaves the applied one's files alone). state_dir already
 * has the root. The graph forgets those files: they may have just been
 * rewritten. */
static int plan_users(Engine *e, ResolvedLevel *level, EngineResult *res) {
        _cleanup_free_ char *generated = NULL, *error = NULL;
        int r;

        if (asprintf(&generated, "%s/generated/%s", e->config->state_dir, level->name) < 0)
                return -ENOMEM;
        r = users_write_policy(level, generated, &error);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                res->ok = false;
                res->error = error ? TAKE_PTR(error) : strdup("cannot write the policy of confined users");
                return res->error ? 0 : -ENOMEM;
        }
        for (const char * const *f = users_policy_files; *f; f++) {
                _cleanup_free_ char *path = path_join(generated, *f);
                if (!path)
                        return -ENOMEM;
                include_graph_invalidate(e->graph, path);
        }
        r = strv_extend(&level->directories, generated);
        return r < 0 ? r : 1;
}

int plan_level(Engine *e, const char *name, EngineResult *res, ResolvedLevel **ret) {
        _cleanup_(resolved_level_freep) ResolvedLevel *level = NULL;
        int r;

        r = level_set_resolve(e->levels, name, &level);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                res->ok = false;
                return asprintf(&res->error, "level %s is not defined", name) < 0 ? -ENOMEM : 0;
        }
        /* A level's own directories are read below the root too. */
        if (!isempty(e->root))
                for (char **d = level->directories; d && *d; d++) {
                        char *p = path_join(e->root, *d);
                        if (!p)
                                return -ENOMEM;
                        free(*d);
                        *d = p;
                }
        if (level->n_users > 0) {
                r = plan_users(e, level, res);
                if (r <= 0)
                        return r;
        }
        *ret = TAKE_PTR(level);
        return 1;
}

/* A failed unit's last good binary stands in for it: the key the state
 * recorded when it was last loaded, when the cache still has that binary.
 * The unit stays failed (reported, and no required profile), but its
 * binary is loaded whenever the kernel lacks it (an empty kernel at boot)
 * and written to the early policy. */
static int use_previous(Engine *e, Unit *u) {
        const StateUnit *su = state_find_unit(e->state, u->file, u->ns);
        char sha1[2 * SHA1_DIGEST_SIZE + 1];
        char **names;
        int r;

        if (!su || strv_length(su->names) == 0)
                return 0;
        r = cache_get_sha1(e->cache, &su->key, u->override, sha1);
        if (r == -ENOMEM)
                return r;
        if (r < 0 && r != -ENODATA)
                return 0; /* not in the cache any more: nothing to stand in */
        names = strv_copy(su->names);
        if (!names)
                return -ENOMEM;
        strv_free(u->names);
        u->names = names;
        u->key = su->key;
        cache_key_to_hex(&u->key, u->key_hex);
        u->sha1_known = r >= 0;
        if (u->sha1_known)
                memcpy(u->sha1, sha1, sizeof u->sha1);
        u->sha256[0] = '\0'; /* learnt from the binary if needed */
        u->cached = true;
        u->needs_compile = false;
        free(u->blob);
        u->blob = NULL;
        u->previous = true;
        return 0;
}

int plan_units(Engine *e, const ResolvedLevel *level, EngineResult *res, UnitList *ret, usec_t start) {
        _cleanup_(unit_list_done) UnitList l = {};
        int r;

        r = build_units(e, level, res, &l.units, &l.n);
        if (r < 0)
                return r;
        res->n_units = (unsigned) l.n;
        log_debug("Level %s: %zu profile files scanned, closures and keys computed (%" PRIu64
                  " files read so far; %" PRIu64 " ms).",
                  level->name, l.n, include_graph_reads(e->graph), msec_since(start));
        for (size_t i = 0; i < l.n; i++) {
                r = lookup_unit(e, &l.units[i], res);
                if (r < 0)
                        return r;
        }
        r = prepare_jobs(e, level, l.units, l.n);
        if (r < 0)
                return r;
        log_debug("Level %s: cache looked up; %u to compile (%" PRIu64 " ms).", level->name,
                  (unsigned) (l.n - res->n_cached), msec_since(start));
        r = compile_units(e, l.units, l.n, res);
        if (r < 0)
                return r;
        log_debug("Level %s: compiled %u (%" PRIu64 " ms).", level->name, res->n_compiled, msec_since(start));

        for (size_t i = 0; i < l.n; i++)
                if (l.units[i].failed) {
                        r = use_previous(e, &l.units[i]);
                        if (r < 0)
                                return r;
                        res->n_failed++;
                        r = result_add_failure(res, &l.units[i].failure);
                        if (r < 0)
                                return r;
                } else
                        res->n_profiles += (unsigned) strv_length(l.units[i].names);
        *ret = l;
        l = (UnitList) {};
        return 0;
}
