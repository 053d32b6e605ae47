/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine's lifetime, a run from level to kernel (engine_run(), the
 * stages are in plan.c, load.c and early-policy.c), the status it hands
 * to the manager, and the cache's garbage collection. */
#include "engine.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compiler.h"
#include "engine-internal.h"
#include "sysstate.h"
#include "fileio.h"
#include "log.h"
#include "strv.h"

static void strv_free_void(void *p) {
        strv_free(p);
}

void unit_status_free(UnitStatus *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(s[i].file);
                strv_free(s[i].names);
                free(s[i].error);
        }
        free(s);
}

void engine_result_free(EngineResult *r) {
        if (!r)
                return;
        free(r->level);
        free(r->error);
        for (size_t i = 0; i < r->n_failures; i++)
                failure_clear(&r->failures[i]);
        free(r->failures);
        for (size_t i = 0; i < r->n_diff; i++) {
                free(r->diff[i].name);
                free(r->diff[i].change);
                free(r->diff[i].detail);
                free(r->diff[i].file);
        }
        free(r->diff);
        strv_free(r->warnings);
        strv_free(r->errors);
        state_values_done(&r->detected);
        free(r);
}

/* Digest of the parser's configuration and of the files it names (Debian
 * pins the policy features there): they change the binaries. */
static void parser_config_digest(const char *path, uint8_t ret[SHA256_DIGEST_SIZE]) {
        _cleanup_free_ char *text = NULL;
        Sha256 s;
        char *line, *save = NULL;

        sha256_init(&s);
        if (path && read_full_file(path, 1024 * 1024, &text, NULL) >= 0) {
                sha256_update(&s, text, strlen(text));
                for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                        char *v = strchr(line, '=');
                        _cleanup_free_ char *data = NULL;
                        size_t size;

                        if (line[0] == '#' || !v)
                                continue;
                        v = strstrip(v + 1);
                        if (v[0] != '/')
                                continue;
                        if (read_full_file(v, 16 * 1024 * 1024, &data, &size) >= 0)
                                sha256_update(&s, data, size);
                        else
                                sha256_update(&s, v, strlen(v)); /* a directory, or missing */
                }
        }
        sha256_final(&s, ret);
}

int engine_error(char **ret_error, int r, const char *format, ...) {
        va_list ap;

        if (ret_error) {
                va_start(ap, format);
                if (vasprintf(ret_error, format, ap) < 0)
                        *ret_error = NULL;
                va_end(ap);
        }
        return r;
}

static int add_message(char ***l, const char *format, va_list ap) {
        char *msg;

        if (vasprintf(&msg, format, ap) < 0)
                return -ENOMEM;
        return strv_consume(l, msg);
}

int result_add_error(EngineResult *res, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = add_message(&res->errors, format, ap);
        va_end(ap);
        return r;
}

int result_add_warning(EngineResult *res, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = add_message(&res->warnings, format, ap);
        va_end(ap);
        return r;
}

static const char *parser_error_text(int r) {
        return r == -ENOEXEC ? "it failed to report its version" : strerror(-r);
}

/* The parser's identity is part of every key. When the parser cannot run
 * (missing, broken), the identity it had last time still finds what it
 * compiled: a warm cache loads without it, and only what must be compiled
 * fails. */
static int find_parser_identity(Engine *e, char **ret_error) {
        const Config *config = e->config;
        _cleanup_free_ char *id_file = path_join(config->cache_dir, "parser-identity"), *recorded = NULL;
        int r;

        if (!id_file)
                return -ENOMEM;
        (void) read_full_file(id_file, 4096, &recorded, NULL);
        r = compiler_identity(config->parser, &e->parser_identity);
        if (r >= 0) {
                if (!recorded || !streq(recorded, e->parser_identity))
                        (void) write_file_atomic(id_file, e->parser_identity, strlen(e->parser_identity), 0644);
                return 0;
        }
        if (isempty(recorded))
                return engine_error(ret_error, r, "cannot run the AppArmor parser %s: %s", config->parser,
                                    parser_error_text(r));
        log_error("Cannot run the AppArmor parser %s (%s); loading what its last run compiled, compiling nothing.",
                  config->parser, parser_error_text(r));
        e->parser_identity = TAKE_PTR(recorded);
        return 0;
}

/* The features the parser compiles for: given explicitly, or the running
 * kernel's, written where the parser can read them. Their digest goes in
 * every key. */
static int find_features(Engine *e, char **ret_error) {
        const Config *config = e->config;
        _cleanup_free_ char *features = NULL;
        size_t size;
        int r;

        if (e->options.features_file)
                e->features_file = strdup(e->options.features_file);
        else if (config->features_file)
                e->features_file = strdup(config->features_file);
        else if (e->kernel) {
                e->features_from_kernel = true;
                e->features_file = path_join(config->runtime_dir, "kernel-features");
                if (!e->features_file)
                        return -ENOMEM;
                r = mkdir_p(config->runtime_dir, 0755);
                if (r >= 0)
                        r = kernel_write_features(e->kernel, e->features_file);
                if (r < 0)
                        return engine_error(ret_error, r, "cannot write the kernel features to %s: %s",
                                            e->features_file, strerror(-r));
        } else
                return engine_error(ret_error, -EINVAL, "offline compilation needs a features file (--features)");
        if (!e->features_file)
                return -ENOMEM;
        r = read_full_file(e->features_file, 16 * 1024 * 1024, &features, &size);
        if (r < 0)
                return engine_error(ret_error, r, "cannot read the features file %s: %s", e->features_file,
                                    strerror(-r));
        sha256(features, size, e->ctx.features_digest);
        return 0;
}

/* The features file's digest now; our copy of the kernel's written again
 * when it cannot be read. */
static int features_digest(Engine *e, uint8_t digest[static SHA256_DIGEST_SIZE]) {
        _cleanup_free_ char *features = NULL;
        size_t size;
        int r;

        r = read_full_file(e->features_file, 16 * 1024 * 1024, &features, &size);
        if (r < 0 && r != -ENOMEM && e->features_from_kernel && e->kernel) {
                /* Our copy went away (the runtime directory cleaned):
                 * the kernel still has them. */
                r = mkdir_p(e->config->runtime_dir, 0755);
                if (r >= 0)
                        r = kernel_write_features(e->kernel, e->features_file);
                if (r >= 0)
                        r = read_full_file(e->features_file, 16 * 1024 * 1024, &features, &size);
        }
        if (r < 0)
                return r;
        sha256(features, size, digest);
        return 0;
}

int engine_check_features(Engine *e, char **ret_error) {
        uint8_t digest[SHA256_DIGEST_SIZE];
        int r;

        r = features_digest(e, digest);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return engine_error(ret_error, r, "the kernel features file %s cannot be read (%s)", e->features_file,
                                    strerror(-r));
        if (memcmp(digest, e->ctx.features_digest, sizeof digest) != 0)
                return engine_error(ret_error, -ESTALE, "the kernel features file %s changed during the run",
                                    e->features_file);
        return 0;
}

/* At the start of a run: the keys name the features as they are now (a
 * configured file replaced: everything is compiled for the new ones).
 * Unreadable, the digest stays: the compile pass says why it cannot. */
static void refresh_features(Engine *e) {
        uint8_t digest[SHA256_DIGEST_SIZE];

        if (features_digest(e, digest) < 0 || memcmp(digest, e->ctx.features_digest, sizeof digest) == 0)
                return;
        log_notice("The kernel features in %s changed; profiles are compiled for the new ones.", e->features_file);
        memcpy(e->ctx.features_digest, digest, sizeof digest);
}

static int load_state(Engine *e) {
        _cleanup_free_ char *state_error = NULL;
        int r;

        if (e->options.offline)
                e->state = state_new();
        else {
                r = state_load(e->state_path, &e->state, &state_error);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        /* Unreadable state: start empty. Nothing is
                         * removed then (nothing is known to be ours);
                         * the level is loaded again by replacing. */
                        log_error("Ignoring the state file: %s. aalevel will reload its profiles and remove none.",
                                  state_error ? state_error : strerror(-r));
                        e->state = state_new();
                }
        }
        if (!e->state)
                return -ENOMEM;
        for (size_t i = 0; i < e->state->n_units; i++) {
                const StateUnit *u = &e->state->units[i];
                char hex[CACHE_KEY_HEX_SIZE];
                char **names = strv_copy(u->names);

                cache_key_to_hex(&u->key, hex);
                if (!names || hashmap_put(e->names_by_key, hex, names) < 0) {
                        strv_free(names);
                        return -ENOMEM;
                }
        }
        return 0;
}

int engine_new(const Config *config, const LevelSet *levels, const EngineOptions *options, Engine **ret,
               char **ret_error) {
        _cleanup_(engine_freep) Engine *e = NULL;
        int r;

        assert(config);
        assert(levels);
        assert(ret);

        e = calloc(1, sizeof(Engine));
        if (!e)
                return -ENOMEM;
        e->config = config;
        e->levels = levels;
        if (options)
                e->options = *options;
        e->root = strdup(strempty(e->options.root ? e->options.root : config->root));
        e->cwd = isempty(e->root) ? strdup("/") : strdup(e->root);
        e->names_by_key = hashmap_new(strv_free_void);
        e->state_path = path_join(config->state_dir, "state");
        if (!e->root || !e->cwd || !e->names_by_key || !e->state_path)
                return -ENOMEM;
        e->search_path = strv_length(config->include_path) > 0 ? strv_copy(config->include_path)
                                                               : strv_copy((char *[]) { config->policy_dir, NULL });
        if (!e->search_path)
                return -ENOMEM;

        r = cache_open(config->cache_dir, &e->cache);
        if (r < 0)
                return engine_error(ret_error, r, "cannot use the cache directory %s: %s", config->cache_dir,
                                    strerror(-r));
        r = find_parser_identity(e, ret_error);
        if (r < 0)
                return r;
        if (e->options.kernel)
                e->kernel = e->options.kernel;
        else if (!e->options.offline) {
                r = kernel_open(config->apparmorfs, &e->kernel);
                if (r < 0)
                        return engine_error(ret_error, r, "AppArmor is not available at %s: %s", config->apparmorfs,
                                            strerror(-r));
        }
        r = find_features(e, ret_error);
        if (r < 0)
                return r;
        parser_config_digest(config->parser_config, e->ctx.parser_config_digest);
        e->ctx.parser_identity = e->parser_identity;
        if (log_get_max_level() >= LOG_DEBUG) {
                char fd[2 * SHA256_DIGEST_SIZE + 1], pd[2 * SHA256_DIGEST_SIZE + 1];
                hex_encode(e->ctx.features_digest, SHA256_DIGEST_SIZE, fd);
                hex_encode(e->ctx.parser_config_digest, SHA256_DIGEST_SIZE, pd);
                log_debug("Cache context: parser '%s', features %s (%s), parser config %s (%s), root '%s'",
                          e->parser_identity, fd, e->features_file, pd, strna(config->parser_config), e->root);
        }
        e->ctx.search_path = e->search_path;
        e->ctx.cwd = e->cwd;
        e->ctx.root = e->root;

        r = include_graph_new(e->search_path, e->cwd, e->root, &e->graph);
        if (r < 0)
                return r;
        r = load_state(e);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(e);
        return 0;
}

void engine_free(Engine *e) {
        if (!e)
                return;
        runstate_done(e);
        free(e->root);
        if (e->kernel != e->options.kernel)
                kernel_free(e->kernel);
        cache_free(e->cache);
        include_graph_free(e->graph);
        state_free(e->state);
        free(e->state_path);
        free(e->features_file);
        free(e->parser_identity);
        strv_free(e->search_path);
        free(e->cwd);
        hashmap_free(e->names_by_key);
        unit_status_free(e->status, e->n_status);
        units_free(e->units, e->n_units);
        free(e->prelude);
        free(e->early_policy_level);
        free(e);
}

void engine_set_config(Engine *e, const Config *config, const LevelSet *levels) {
        assert(e);
        assert(config);
        assert(levels);
        e->config = config;
        e->levels = levels;
}

void engine_cancel(Engine *e) {
        assert(e);
        __atomic_store_n(&e->cancel, 1, __ATOMIC_SEQ_CST);
}

void engine_invalidate(Engine *e, const char *path) {
        assert(e);
        assert(path);
        include_graph_invalidate(e->graph, path);
}

void engine_revalidate(Engine *e) {
        unsigned n = include_graph_revalidate(e->graph);
        log_debug("Reload: %u paths changed on disk since they were read.", n);
}

const State *engine_state(const Engine *e) {
        return e->state;
}

State *engine_state_mut(Engine *e) {
        return e->state;
}

Kernel *engine_kernel(Engine *e) {
        return e->kernel;
}

int engine_save_state(Engine *e) {
        int r = mkdir_p(e->config->state_dir, 0755);
        if (r < 0)
                return r;
        return state_save(e->state, e->state_path);
}

char *engine_prelude(const LevelSet *levels, const ResolvedLevel *level, char * const *lower_labels) {
        _cleanup_strv_free_ char **names = level_set_boolean_names(levels);
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (!names)
                return NULL;
        f = open_memstream(&text, &size);
        if (!f)
                return NULL;
        fprintf(f, "# aalevel prelude: level %s\n", level->name);
        STRV_FOREACH(n, names)
                fprintf(f, "$aalevel_%s = %s\n", *n, strv_contains(level->ancestry, *n) ? "true" : "false");
        fprintf(f, "@{aalevel_level} = %s\n", level->name);
        (void) compiler_label_variable(f, "aalevel_lower_labels", lower_labels);
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(text);
}

void engine_progress(Engine *e, const char *phase, unsigned done, unsigned total, const char *current) {
        if (e->options.progress)
                e->options.progress(phase, done, total, current, e->options.userdata);
}

static int update_status(Engine *e, Unit *units, size_t n) {
        UnitStatus *st = calloc(n + 1, sizeof(UnitStatus));

        if (!st)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                const Unit *u = &units[i];
                const StateUnit *su = state_find_unit(e->state, u->file, u->ns);

                st[i].file = strdup(u->file);
                st[i].failed = u->failed;
                st[i].names = strv_copy(u->failed ? (su ? su->names : (char *[]) { NULL }) : u->names);
                if (u->failed) {
                        const char *f = u->failure.error_file ? u->failure.error_file : u->file;
                        int k = u->failure.line > 0 ?
                                asprintf(&st[i].error, "%s:%u: %s", f, u->failure.line,
                                         strempty(u->failure.message)) :
                                asprintf(&st[i].error, "%s: %s", f, strempty(u->failure.message));
                        if (k < 0)
                                st[i].error = NULL;
                }
                if (!st[i].file || !st[i].names) {
                        unit_status_free(st, i + 1);
                        return -ENOMEM;
                }
        }
        unit_status_free(e->status, e->n_status);
        e->status = st;
        e->n_status = n;
        return 0;
}

/* What to watch: every path the include graph read or looked for. Made
 * when asked, not kept: the daemon holds one copy, the manager's. */
char **engine_watch_paths(const Engine *e) {
        _cleanup_strv_free_ char **l = include_graph_paths(e->graph), **detect = NULL;

        /* What the runtime state is detected from: a desktop installed,
         * the display manager switched. */
        if (l && e->state_active) {
                detect = sysstate_watch_paths(isempty(e->root) ? NULL : e->root);
                if (!detect || strv_extend_strv(&l, detect) < 0)
                        return NULL;
        }
        return TAKE_PTR(l);
}

bool engine_take_units(Engine *e, UnitStatus **ret, size_t *ret_n) {
        assert(e);
        assert(ret);
        assert(ret_n);
        if (!e->status)
                return false;
        *ret = TAKE_PTR(e->status);
        *ret_n = e->n_status;
        e->n_status = 0;
        return true;
}

/* The units of a run that engine_write_policy_cache() and the early
 * policy read: kept by the engine until the next such run. */
static void keep_units(Engine *e, UnitList *l) {
        units_free(e->units, e->n_units);
        e->units = TAKE_PTR(l->units);
        e->n_units = l->n;
        l->n = 0;
}

static int apply(Engine *e, const ResolvedLevel *level, UnitList *l, EngineResult *res, usec_t start,
                 char **ret_error) {
        int r;

        r = load_units(e, level, l->units, l->n, res, ret_error);
        if (r < 0)
                return r;
        log_debug("Level %s: loaded (%" PRIu64 " ms).", level->name, msec_since(start));
        r = update_status(e, l->units, l->n);
        if (r < 0)
                return r;
        log_debug("Level %s: status (%" PRIu64 " ms).", level->name, msec_since(start));
        return 0;
}

/* The early policy after an APPLY run: updated for a confirmed level;
 * for an unconfirmed one left as it is (the next boot keeps the confirmed
 * level's), the level remembered for engine_commit_early_policy(). */
static int early_policy_after_apply(Engine *e, const ResolvedLevel *level, EngineResult *res) {
        _cleanup_free_ char *error = NULL;
        int r;

        e->early_policy_level = mfree(e->early_policy_level);
        if (e->defer_early_policy) {
                e->early_policy_level = strdup(level->name);
                e->early_policy_wanted = level->early_policy;
                return e->early_policy_level ? 0 : -ENOMEM;
        }
        r = engine_update_early_policy(e, level->early_policy, &error);
        if (r < 0 && result_add_error(res, "Cannot update the early policy in %s: %s", e->config->early_policy_dir,
                                      error ? error : strerror(-r)) < 0)
                return -ENOMEM;
        return 0;
}

int engine_run(Engine *e, const char *level_name, EngineMode mode, EngineResult **ret, char **ret_error) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_(resolved_level_freep) ResolvedLevel *level = NULL;
        _cleanup_(unit_list_done) UnitList l = {};
        usec_t start = now_usec(CLOCK_MONOTONIC);
        bool switching, refused = false;
        int r;

        assert(e);
        assert(level_name);
        assert(ret);

        res = calloc(1, sizeof(EngineResult));
        if (!res)
                return -ENOMEM;
        res->level = strdup(level_name);
        if (!res->level)
                return -ENOMEM;
        res->ok = true;

        refresh_features(e);
        r = plan_level(e, level_name, res, &level);
        if (r < 0)
                return r;
        if (r > 0) {
                r = runstate_prepare(e, level, res);
                if (r < 0)
                        return r;
                r = plan_units(e, level, res, &l, start);
                if (r < 0)
                        return r;
                switching = !e->state->applied || !streq(e->state->applied, level->name);
                if (mode != ENGINE_APPLY || switching) {
                        r = check_requires(e, level, l.units, l.n, res);
                        if (r < 0)
                                return r;
                        refused = r > 0;
                }
                if (!refused && mode == ENGINE_DIFF)
                        r = compute_diff(e, l.units, l.n, res);
                else if (!refused && mode == ENGINE_APPLY)
                        r = apply(e, level, &l, res, start, ret_error);
                if (r < 0)
                        return r;
                if (mode == ENGINE_APPLY || mode == ENGINE_COMPILE)
                        keep_units(e, &l);
                /* The units must be in place for the early policy. */
                if (!refused && mode == ENGINE_APPLY) {
                        r = early_policy_after_apply(e, level, res);
                        if (r < 0)
                                return r;
                }
                /* The tree's state file names what is loaded, not what
                 * was only compiled. */
                if (mode == ENGINE_CHECK || mode == ENGINE_DIFF || refused)
                        runstate_restore(e, res);
                res->state_active = e->state_active;
                if (e->state_active && state_values_copy(&e->detected, &res->detected) < 0)
                        return -ENOMEM;
        }
        res->duration = now_usec(CLOCK_MONOTONIC) - start;
        *ret = TAKE_PTR(res);
        return 0;
}

void engine_defer_early_policy(Engine *e, bool defer) {
        assert(e);
        e->defer_early_policy = defer;
}

int engine_commit_early_policy(Engine *e, const char *level, char **ret_error) {
        _cleanup_free_ char *deferred = NULL;

        assert(e);
        assert(level);
        if (!e->early_policy_level || !streq(e->early_policy_level, level))
                return 0;
        deferred = TAKE_PTR(e->early_policy_level);
        return engine_update_early_policy(e, e->early_policy_wanted, ret_error);
}

int engine_collect_garbage(Engine *e, uint64_t max_age_sec, unsigned *ret_removed) {
        _cleanup_strv_free_ char **keep = NULL;

        assert(e);
        keep = hashmap_keys_sorted(e->names_by_key);
        if (!keep)
                return -ENOMEM;
        for (size_t i = 0; i < e->state->n_units; i++) {
                char hex[CACHE_KEY_HEX_SIZE];
                cache_key_to_hex(&e->state->units[i].key, hex);
                if (strv_extend(&keep, hex) < 0)
                        return -ENOMEM;
        }
        return cache_gc(e->cache, keep, max_age_sec, ret_removed);
}

