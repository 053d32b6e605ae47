/* The engine: plans, compiles, loads. */
#include "engine.h"

#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blob.h"
#include "compiler.h"
#include "fileio.h"
#include "hashmap.h"
#include "log.h"
#include "messages.h"
#include "parser-error.h"
#include "strv.h"
#include "tree.h"
#include "users.h"

typedef struct Unit {
        char *file;
        char *ns;               /* compiled into this policy namespace; NULL: the root one */
        char *name;             /* file name, for the policy cache layout */
        Closure *closure;
        bool prelude;
        ModeOverride override;  /* applied to the cached binary when loading */
        CacheKey key;
        char key_hex[CACHE_KEY_HEX_SIZE];

        bool needs_compile;     /* a cache miss */
        bool cached;            /* the cache has the binary */
        uint8_t *blob;          /* held only when the cache could not take it */
        size_t blob_size;
        bool sha1_known;        /* sha1 is that of the binary with the override applied */
        char sha1[2 * SHA1_DIGEST_SIZE + 1];
        char **names;
        bool failed;
        UnitFailure failure;
        CompileJob job;
        int outcome;            /* of the parallel load pass (Outcome) */
        int outcome_error;
} Unit;

typedef enum Outcome {
        OUTCOME_NONE,           /* left to the engine's own thread */
        OUTCOME_LOADED,
        OUTCOME_UNCHANGED,
        OUTCOME_REJECTED,       /* the kernel refused it */
        OUTCOME_UNREADABLE,     /* its binary could be neither read nor compiled */
} Outcome;

struct Engine {
        char *run_error;        /* why the last engine_run() failed, when it says */
        const Config *config;
        const LevelSet *levels;
        EngineOptions options;
        char *root;
        Kernel *kernel;
        Cache *cache;
        IncludeGraph *graph;
        State *state;
        char *state_path;
        char *features_file;
        char *parser_identity;
        char **search_path;
        char *cwd;
        CacheContext ctx;
        Hashmap *names_by_key;  /* key hex → char** names of that binary */
        uint64_t last_revision; /* after our own last write; 0 unknown */
        UnitStatus *status;
        size_t n_status;
        Unit *units;            /* of the last run, for engine_write_policy_cache() */
        size_t n_units;
        char *prelude;          /* of the level of the current (or last) run */
        volatile int cancel;
        unsigned load_done;     /* progress of the load pass, shared by its threads */
};

static void strv_free_void(void *p) {
        strv_free(p);
}

static void failure_clear(UnitFailure *f) {
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

static void units_free(Unit *units, size_t n) {
        for (size_t i = 0; i < n; i++)
                unit_clear(&units[i]);
        free(units);
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

int engine_new(const Config *config, const LevelSet *levels, const EngineOptions *options, Engine **ret,
               char **ret_error) {
        _cleanup_(engine_freep) Engine *e = NULL;
        _cleanup_free_ char *features = NULL, *state_error = NULL;
        size_t size;
        int r;

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
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "cannot use the cache directory %s: %s", config->cache_dir,
                                          strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }

        /* The parser's identity is part of every key. When the parser
         * cannot run (missing, broken), the identity it had last time
         * still finds what it compiled: a warm cache loads without it,
         * and only what must be compiled fails. */
        {
                _cleanup_free_ char *id_file = path_join(config->cache_dir, "parser-identity"), *recorded = NULL;
                if (!id_file)
                        return -ENOMEM;
                (void) read_full_file(id_file, 4096, &recorded, NULL);
                r = compiler_identity(config->parser, &e->parser_identity);
                if (r >= 0) {
                        if (!recorded || !streq(recorded, e->parser_identity))
                                (void) write_file_atomic(id_file, e->parser_identity, strlen(e->parser_identity),
                                                         0644);
                } else if (recorded && !isempty(recorded)) {
                        log_error("Cannot run the AppArmor parser %s (%s); loading what its last run compiled, "
                                  "compiling nothing.", config->parser,
                                  r == -ENOEXEC ? "it failed to report its version" : strerror(-r));
                        e->parser_identity = TAKE_PTR(recorded);
                } else {
                        if (ret_error && asprintf(ret_error, "cannot run the AppArmor parser %s: %s", config->parser,
                                                  r == -ENOEXEC ? "it failed to report its version" : strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        }

        if (!e->options.offline) {
                r = kernel_open(config->apparmorfs, &e->kernel);
                if (r < 0) {
                        if (ret_error && asprintf(ret_error, "AppArmor is not available at %s: %s", config->apparmorfs,
                                                  strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        }

        /* The features the parser compiles for: given explicitly, or the
         * running kernel's, written where the parser can read them. */
        if (e->options.features_file)
                e->features_file = strdup(e->options.features_file);
        else if (config->features_file)
                e->features_file = strdup(config->features_file);
        else if (e->kernel) {
                e->features_file = path_join(config->runtime_dir, "kernel-features");
                if (!e->features_file)
                        return -ENOMEM;
                r = mkdir_p(config->runtime_dir, 0755);
                if (r >= 0)
                        r = kernel_write_features(e->kernel, e->features_file);
                if (r < 0) {
                        if (ret_error && asprintf(ret_error, "cannot write the kernel features to %s: %s",
                                                  e->features_file, strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
        } else {
                if (ret_error)
                        *ret_error = strdup("offline compilation needs a features file (--features)");
                return -EINVAL;
        }
        if (!e->features_file)
                return -ENOMEM;
        r = read_full_file(e->features_file, 16 * 1024 * 1024, &features, &size);
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "cannot read the features file %s: %s", e->features_file,
                                          strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        sha256(features, size, e->ctx.features_digest);
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
        *ret = TAKE_PTR(e);
        return 0;
}

void engine_free(Engine *e) {
        if (!e)
                return;
        free(e->run_error);
        free(e->root);
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
        free(e);
}

void engine_set_config(Engine *e, const Config *config, const LevelSet *levels) {
        e->config = config;
        e->levels = levels;
}

void engine_cancel(Engine *e) {
        __atomic_store_n(&e->cancel, 1, __ATOMIC_SEQ_CST);
}

void engine_invalidate(Engine *e, const char *path) {
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

char *engine_prelude(const LevelSet *levels, const ResolvedLevel *level) {
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
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(text);
}

static void progress(Engine *e, const char *phase, unsigned done, unsigned total, const char *current) {
        if (e->options.progress)
                e->options.progress(phase, done, total, current, e->options.userdata);
}

/* ---- failures ---- */

static int add_failure(EngineResult *res, const UnitFailure *f) {
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
static int unit_fail(Engine *e, Unit *u, const char *error_file, unsigned line, const char *message) {
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

/* ---- planning ---- */

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
        prelude = engine_prelude(e->levels, level);
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
                u->prelude = u->closure->mentions_aalevel;
                /* force-complain/ counts only when the level keeps modes. */
                u->override = level->mode != MODE_KEEP ? level->mode
                            : src->force_complain ? MODE_COMPLAIN : MODE_KEEP;
                cache_key_compute(&e->ctx, u->closure, u->prelude ? prelude : NULL, u->ns, &u->key);
                cache_key_to_hex(&u->key, u->key_hex);
                if (log_get_max_level() >= LOG_DEBUG) {
                        char cd[2 * SHA256_DIGEST_SIZE + 1];
                        hex_encode(u->closure->digest, sizeof u->closure->digest, cd);
                        log_debug("%s: key %s (closure %s, %zu deps%s, mode %s)", u->file, u->key_hex, cd,
                                  u->closure->n_deps, u->prelude ? ", prelude" : "",
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

        (void) cache_set_duration(e->cache, u->file, j->seconds);
        if (j->max_rss_kb > res->max_parser_rss_kb)
                res->max_parser_rss_kb = j->max_rss_kb;
        if (j->status < 0) {
                /* Only the parser's verdict on the policy itself is
                 * worth remembering: an error it places in a file and
                 * line, or one without a line that names no failure
                 * of the machine ("profile has merged rule with
                 * conflicting x modifiers"). Not remembering those
                 * compiled them again at every run. */
                if (j->status == -EINVAL && j->errors &&
                    (parser_errors_blame_policy(j->errors) || !parser_errors_environmental(j->errors)))
                        (void) cache_put_failure(e->cache, &u->key, j->errors);
                return unit_fail_from_parser(e, u, j->errors);
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
        progress(c->e, "compile", (unsigned) done, c->total, job->file);
}

static int compile_units(Engine *e, Unit *units, size_t n, EngineResult *res) {
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
                u->job.file = u->file;
                u->job.ns = u->ns;
                u->job.expected_seconds = cache_get_duration(e->cache, u->file);
                jobs[nj++] = &u->job;
        }
        if (nj == 0)
                return 0;

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
        progress(e, "compile", 0, (unsigned) nj, NULL);
        r = compiler_run(&s, jobs, nj, on_compiled, &cctx);
        (void) cache_save_durations(e->cache);
        if (r < 0)
                return r;
        return cctx.r;
}

/* Attaches a prelude to jobs that need it: kept apart so that the
 * prelude string lives as long as the compile. */
static int prepare_jobs(Engine *e, const ResolvedLevel *level, Unit *units, size_t n) {
        char *prelude = engine_prelude(e->levels, level);
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
        if (u->job.status < 0) {
                r = unit_fail_from_parser(e, u, u->job.errors);
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
 * complain flags, would give); fills in u->sha1. */
static int unit_final_blob(Engine *e, Unit *u, uint8_t **ret, size_t *ret_size, EngineResult *res) {
        _cleanup_free_ uint8_t *blob = NULL;
        uint8_t digest[SHA1_DIGEST_SIZE];
        size_t size;
        int r;

        r = unit_blob(e, u, &blob, &size, res);
        if (r < 0)
                return r;
        if (blob_apply_mode(blob, size, u->override) < 0)
                return -EBADMSG;
        sha1(blob, size, digest);
        hex_encode(digest, sizeof digest, u->sha1);
        u->sha1_known = true;
        *ret = TAKE_PTR(blob);
        *ret_size = size;
        return 0;
}

/* The names the units that did not fail make, as a set. */
static Hashmap *produced_names(const Unit *units, size_t n) {
        Hashmap *set = hashmap_new(NULL);
        if (!set)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (!units[i].failed && hashmap_put_strv(set, units[i].names) < 0) {
                        hashmap_free(set);
                        return NULL;
                }
        return set;
}

static bool names_produced(const Unit *units, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (!units[i].failed && strv_contains(units[i].names, name))
                        return true;
        return false;
}

static int check_requires(Engine *e, const ResolvedLevel *level, Unit *units, size_t n, EngineResult *res) {
        _cleanup_strv_free_ char **missing = NULL;

        STRV_FOREACH(req, level->requires)
                if (!names_produced(units, n, *req) && strv_extend(&missing, *req) < 0)
                        return -ENOMEM;
        if (strv_length(missing) == 0)
                return 0;
        {
                _cleanup_free_ char *list = strv_join(missing, ", ");
                res->ok = false;
                if (!list || asprintf(&res->error,
                                      "level %s requires %s, which did not compile; nothing of the level was applied",
                                      level->name, list) < 0)
                        return -ENOMEM;
        }
        return 1;
}

static int add_diff(EngineResult *res, const char *name, const char *change, const char *detail, const char *file) {
        DiffEntry *a = realloc(res->diff, sizeof(DiffEntry) * (res->n_diff + 1));
        if (!a)
                return -ENOMEM;
        res->diff = a;
        res->diff[res->n_diff] = (DiffEntry) {
                .name = strdup(name), .change = strdup(change),
                .detail = strdup(strempty(detail)), .file = strdup(strempty(file)),
        };
        if (!res->diff[res->n_diff].name || !res->diff[res->n_diff].change || !res->diff[res->n_diff].detail ||
            !res->diff[res->n_diff].file)
                return -ENOMEM;
        res->n_diff++;
        return 0;
}

static const char *mode_text(ModeOverride m) {
        return m == MODE_ENFORCE ? "enforce" : m == MODE_COMPLAIN ? "complain" : "as declared";
}

static int compute_diff(Engine *e, Unit *units, size_t n, EngineResult *res) {
        _cleanup_strv_free_ char **owned = state_owned_names(e->state);
        int r;

        if (!owned)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                Unit *u = &units[i];
                const StateUnit *su = state_find_unit(e->state, u->file, u->ns);

                if (u->failed)
                        continue;
                if (!u->sha1_known) {
                        _cleanup_free_ uint8_t *blob = NULL;
                        size_t size;
                        r = unit_final_blob(e, u, &blob, &size, res);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                continue;
                }
                STRV_FOREACH(name, u->names) {
                        const StateUnit *owner = state_find_name(e->state, *name);
                        _cleanup_free_ char *detail = NULL;

                        if (!owner)
                                r = add_diff(res, *name, "add", NULL, u->file);
                        else if (su && streq(su->sha1, u->sha1))
                                continue; /* the same binary: nothing happens to it */
                        else if (su && su->mode != u->override && cache_key_equal(&su->key, &u->key)) {
                                if (asprintf(&detail, "%s -> %s", mode_text(su->mode), mode_text(u->override)) < 0)
                                        return -ENOMEM;
                                r = add_diff(res, *name, "mode", detail, u->file);
                        } else
                                r = add_diff(res, *name, "recompile", mode_text(u->override), u->file);
                        if (r < 0)
                                return r;
                }
        }
        STRV_FOREACH(name, owned)
                if (!names_produced(units, n, *name)) {
                        const StateUnit *owner = state_find_name(e->state, *name);
                        bool still_there = false;
                        /* A failing file keeps its old profiles. */
                        for (size_t i = 0; i < n; i++)
                                if (units[i].failed && owner && streq(units[i].file, owner->file) &&
                                    streq_ptr(units[i].ns, owner->ns))
                                        still_there = true;
                        if (still_there)
                                continue;
                        r = add_diff(res, *name, "remove", NULL, owner ? owner->file : NULL);
                        if (r < 0)
                                return r;
                }
        return 0;
}

/* ---- loading ---- */

/* Writes a unit's binary to the kernel: in one write (the kernel swaps
 * all its profiles at once), or, when a namespace is involved, one entry
 * at a time, since the kernel takes one namespace per write; hats of a
 * namespaced profile get the namespace the parser left out. */
static int load_blob(Engine *e, const uint8_t *blob, size_t size) {
        BlobEntry *entries = NULL;
        size_t n = 0;
        const char *parent_ns = NULL;
        int r;

        r = blob_entries(blob, size, &entries, &n);
        if (r < 0)
                return r;
        if (!blob_entries_need_split(entries, n)) {
                blob_entries_free(entries, n);
                return kernel_replace(e->kernel, blob, size);
        }
        for (size_t i = 0; i < n && r >= 0; i++) {
                const BlobEntry *b = &entries[i];
                bool child = strstr(b->name, "//") != NULL;

                if (!child)
                        parent_ns = b->ns;
                if (child && !b->ns && parent_ns) {
                        _cleanup_free_ uint8_t *piece = NULL;
                        size_t piece_size;
                        r = blob_entry_with_namespace(blob, b, parent_ns, &piece, &piece_size);
                        if (r >= 0)
                                r = kernel_replace(e->kernel, piece, piece_size);
                } else
                        r = kernel_replace(e->kernel, blob + b->offset, b->size);
        }
        blob_entries_free(entries, n);
        return r;
}

bool unit_names_are_split(char * const *names) {
        /* Namespaced names (":ns:name") mean the binary was written entry
         * by entry (load_blob()). */
        STRV_FOREACH(n, names)
                if ((*n)[0] == ':')
                        return true;
        return false;
}

static int kernel_snapshot(Engine *e, Hashmap **ret_loaded, Hashmap **ret_hashes) {
        _cleanup_(hashmap_freep) Hashmap *loaded = hashmap_new(free);
        KernelProfile *profiles = NULL;
        size_t n = 0;
        uint64_t revision = 0;
        int r;

        if (!loaded)
                return -ENOMEM;
        r = kernel_list_profiles(e->kernel, &profiles, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = hashmap_put(loaded, profiles[i].name, TAKE_PTR(profiles[i].mode));
                if (r < 0) {
                        kernel_profiles_free(profiles, n);
                        return r;
                }
        }
        kernel_profiles_free(profiles, n);

        /* Someone else changed policy since our last write (or we do not
         * know: first run after a start): compare what the kernel holds
         * for our names with what we wrote. */
        *ret_hashes = NULL;
        if (kernel_revision(e->kernel, &revision) < 0 || revision != e->last_revision) {
                bool any_owned_loaded = false;
                for (size_t i = 0; i < e->state->n_units && !any_owned_loaded; i++)
                        STRV_FOREACH(name, e->state->units[i].names)
                                if (hashmap_contains(loaded, *name)) {
                                        any_owned_loaded = true;
                                        break;
                                }
                if (any_owned_loaded && kernel_profile_hashes(e->kernel, ret_hashes) < 0)
                        *ret_hashes = NULL;
        }
        *ret_loaded = TAKE_PTR(loaded);
        return 0;
}

static bool unit_needs_load(Engine *e, const Unit *u, Hashmap *loaded, Hashmap *hashes) {
        const StateUnit *su = state_find_unit(e->state, u->file, u->ns);

        if (!su || !streq(su->sha1, u->sha1))
                return true;
        STRV_FOREACH(name, u->names) {
                const char *h;
                if (!hashmap_contains(loaded, *name))
                        return true; /* removed by someone: put it back */
                if (hashes && !unit_names_are_split(u->names) && (h = hashmap_get(hashes, *name)) &&
                    !streq(h, u->sha1))
                        return true; /* replaced by someone: restore ours */
        }
        return false;
}

static int record_unit(Engine *e, const Unit *u) {
        StateUnit su = {};
        int r;

        su.file = strdup(u->file);
        su.ns = u->ns ? strdup(u->ns) : NULL;
        if (u->ns && !su.ns) {
                state_unit_clear(&su);
                return -ENOMEM;
        }
        su.key = u->key;
        su.mode = u->override;
        memcpy(su.sha1, u->sha1, sizeof su.sha1);
        su.names = strv_copy(u->names);
        if (!su.file || !su.names) {
                state_unit_clear(&su);
                return -ENOMEM;
        }
        r = state_set_unit(e->state, &su);
        if (r < 0)
                state_unit_clear(&su);
        return r;
}

typedef enum Todo {
        TODO_NOTHING,
        TODO_LOAD,
        TODO_MAYBE,             /* decided once the final binary is known */
} Todo;

/* The load pass runs on several threads: the kernel unpacks and checks
 * each binary before it takes its namespace lock, so two writers keep two
 * CPUs busy where apparmor_parser keeps one. Each thread takes the next
 * unit that is in the cache: reads and verifies it, applies the mode
 * override, and writes it; everything else (compiling a missing entry,
 * the state, failures) is left to the engine's thread afterwards. */
typedef struct LoadPool {
        Engine *e;
        Unit *units;
        const int *todo;
        size_t n;
        Hashmap *loaded, *hashes;
        unsigned total;
        size_t next;            /* atomic */
} LoadPool;

static void load_fast(LoadPool *p, Unit *u, int todo) {
        Engine *e = p->e;
        _cleanup_free_ uint8_t *blob = NULL;
        uint8_t digest[SHA1_DIGEST_SIZE];
        size_t size;
        int r;

        if (u->blob || !u->cached)
                return; /* compiled, or held in memory: the engine's thread */
        r = cache_get(e->cache, &u->key, &blob, &size);
        if (r == -EBADMSG)
                log_warning("The cache entry for %s was corrupted; compiling it again, never loading it.", u->file);
        if (r < 0)
                return; /* missing or corrupted: compiled on the engine's thread */
        if (blob_apply_mode(blob, size, u->override) < 0)
                return;
        sha1(blob, size, digest);
        hex_encode(digest, sizeof digest, u->sha1);
        u->sha1_known = true;
        if (todo == TODO_MAYBE && !unit_needs_load(e, u, p->loaded, p->hashes))
                u->outcome = OUTCOME_UNCHANGED;
        else {
                r = load_blob(e, blob, size);
                u->outcome = r < 0 ? OUTCOME_REJECTED : OUTCOME_LOADED;
                u->outcome_error = r;
        }
        progress(e, "load", (unsigned) __atomic_add_fetch(&e->load_done, 1, __ATOMIC_SEQ_CST), p->total, u->file);
}

static void *load_thread(void *userdata) {
        LoadPool *p = userdata;

        for (;;) {
                size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_SEQ_CST);
                if (i >= p->n || p->e->cancel)
                        return NULL;
                if (p->todo[i] != TODO_NOTHING && !p->units[i].failed)
                        load_fast(p, &p->units[i], p->todo[i]);
        }
}

static int load_parallel(Engine *e, Unit *units, const void *todo, size_t n, Hashmap *loaded, Hashmap *hashes,
                         unsigned total) {
        LoadPool p = { .e = e, .units = units, .todo = todo, .n = n, .loaded = loaded, .hashes = hashes,
                       .total = total };
        unsigned threads = MIN(config_jobs(e->config), 8u);
        pthread_t tid[8];
        unsigned started = 0;

        e->load_done = 0;
        for (size_t i = 0; i < n; i++)
                units[i].outcome = OUTCOME_NONE;
        if (total == 0)
                return 0;
        /* The calling thread works too. */
        for (unsigned t = 1; t < threads && t < total; t++)
                if (pthread_create(&tid[started], NULL, load_thread, &p) == 0)
                        started++;
        (void) load_thread(&p);
        for (unsigned t = 0; t < started; t++)
                (void) pthread_join(tid[t], NULL);
        return 0;
}

static int load_units(Engine *e, const ResolvedLevel *level, Unit *units, size_t n, EngineResult *res) {
        _cleanup_(hashmap_freep) Hashmap *loaded = NULL, *hashes = NULL, *owned_set = NULL, *produced = NULL,
                                 *current = NULL, *kept_names = NULL;
        _cleanup_free_ int *todo = NULL;
        _cleanup_strv_free_ char **owned = NULL, **claim = NULL;
        unsigned total = 0;
        bool state_changed = false;
        int r;

        usec_t start = now_usec(CLOCK_MONOTONIC);
        r = kernel_snapshot(e, &loaded, &hashes);
        if (r < 0)
                return log_error_errno(r, "Cannot read the loaded policy from %s: %m", kernel_apparmorfs(e->kernel));
        log_debug("Kernel snapshot: %zu profiles%s (%" PRIu64 " ms).", hashmap_size(loaded),
                  hashes ? ", with their hashes" : "", msec_since(start));

        todo = calloc(n + 1, sizeof(int));
        owned = state_owned_names(e->state);
        owned_set = hashmap_new(NULL);
        if (!todo || !owned || !owned_set || hashmap_put_strv(owned_set, owned) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                if (units[i].failed)
                        continue;
                if (!units[i].sha1_known)
                        todo[i] = TODO_MAYBE;
                else if (unit_needs_load(e, &units[i], loaded, hashes))
                        todo[i] = TODO_LOAD;
                else {
                        res->n_unchanged++;
                        continue;
                }
                total++;
                STRV_FOREACH(name, units[i].names)
                        if (!hashmap_contains(owned_set, *name) && strv_extend(&claim, *name) < 0)
                                return -ENOMEM;
        }

        /* Claim the new names before the kernel sees them: a crash after
         * this point still knows they are ours. */
        if (strv_length(claim) > 0) {
                size_t before = strv_length(e->state->claimed);

                r = strv_extend_strv(&e->state->claimed, claim);
                if (r < 0)
                        return r;
                r = engine_save_state(e);
                if (r < 0) {
                        /* The claim is not on disk, so it is not made: the
                         * next run must try to write it again. */
                        for (size_t k = before; e->state->claimed[k]; k++)
                                free(e->state->claimed[k]);
                        e->state->claimed[before] = NULL;
                        if (asprintf(&e->run_error, "Cannot write the state to %s (%s); nothing was loaded",
                                     e->state_path, strerror(-r)) < 0)
                                e->run_error = NULL;
                        return log_error_errno(r, "Cannot write the state to %s (%m); nothing was loaded.",
                                               e->state_path);
                }
        }

        if (total > 0)
                progress(e, "load", 0, total, NULL);
        r = load_parallel(e, units, todo, n, loaded, hashes, total);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                Unit *u = &units[i];

                if (todo[i] == TODO_NOTHING)
                        continue;
                if (u->outcome == OUTCOME_NONE) {
                        /* Left to this thread: not in the cache (compiled
                         * now), a corrupted entry, a binary held in memory. */
                        _cleanup_free_ uint8_t *blob = NULL;
                        size_t size = 0;

                        if (e->cancel)
                                break; /* what is loaded is recorded below */
                        r = unit_final_blob(e, u, &blob, &size, res);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                u->outcome = OUTCOME_UNREADABLE;
                        else if (todo[i] == TODO_MAYBE && !unit_needs_load(e, u, loaded, hashes))
                                u->outcome = OUTCOME_UNCHANGED;
                        else {
                                r = load_blob(e, blob, size);
                                u->outcome = r < 0 ? OUTCOME_REJECTED : OUTCOME_LOADED;
                        }
                        u->outcome_error = r;
                        progress(e, "load", (unsigned) __atomic_add_fetch(&e->load_done, 1, __ATOMIC_SEQ_CST),
                                 total, u->file);
                }

                /* Recorded here, in order, whichever thread did the work. */
                switch (u->outcome) {
                case OUTCOME_LOADED: {
                        _cleanup_free_ char *f_file = NULL;
                        res->n_replaced++;
                        if (asprintf(&f_file, "PROFILE_FILE=%s", u->file) < 0)
                                return -ENOMEM;
                        log_struct(LOG_DEBUG, MESSAGE_ID_PROFILE_LOADED, ((char *[]) { f_file, NULL }),
                                   "Loaded %s.", u->file);
                }
                        _fallthrough_;
                case OUTCOME_UNCHANGED:
                        /* (Unchanged: another key or mode, the very same
                         * binary, which the kernel has already.) */
                        if (u->outcome == OUTCOME_UNCHANGED)
                                res->n_unchanged++;
                        r = record_unit(e, u);
                        if (r < 0)
                                return r;
                        state_changed = true;
                        break;
                case OUTCOME_REJECTED:
                case OUTCOME_UNREADABLE:
                        if (!u->failed) {
                                _cleanup_free_ char *msg = NULL;
                                if (asprintf(&msg, u->outcome == OUTCOME_REJECTED
                                                           ? "the kernel rejected the compiled policy: %s"
                                                           : "cannot read its compiled policy: %s",
                                             strerror(-u->outcome_error)) < 0)
                                        return -ENOMEM;
                                r = unit_fail(e, u, NULL, 0, msg);
                                if (r < 0)
                                        return r;
                        }
                        break;
                }
        }

        if (e->cancel) {
                /* Stopped midway: record what was loaded (claims stay, so
                 * nothing is mistaken for foreign), nothing else. */
                if (state_changed)
                        (void) engine_save_state(e);
                return -ECANCELED;
        }

        /* Units whose key changed but whose binary is the one loaded: record
         * the new key, write nothing. */
        for (size_t i = 0; i < n; i++) {
                StateUnit *su;
                if (todo[i] != TODO_NOTHING || units[i].failed)
                        continue;
                su = state_find_unit(e->state, units[i].file, units[i].ns);
                if (su && (!cache_key_equal(&su->key, &units[i].key) || su->mode != units[i].override)) {
                        su->key = units[i].key;
                        su->mode = units[i].override;
                        state_changed = true;
                }
        }

        /* Remove what we own and the level no longer has. A failed file
         * keeps its old profiles; names made by a current unit stay. */
        produced = produced_names(units, n);
        current = hashmap_new(NULL);
        if (!produced || !current)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *k = state_unit_key(units[i].file, units[i].ns);
                if (!k || hashmap_put(current, k, &units[i]) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < e->state->n_units;) {
                StateUnit *su = &e->state->units[i];
                _cleanup_free_ char *k = state_unit_key(su->file, su->ns);

                if (!k)
                        return -ENOMEM;
                if (hashmap_contains(current, k)) {
                        /* Still a file of the level (failed ones keep their
                         * old profiles); names it made before and makes no
                         * more are swept below. */
                        i++;
                        continue;
                }
                STRV_FOREACH(name, su->names) {
                        if (hashmap_contains(produced, *name))
                                continue;
                        if (hashmap_contains(loaded, *name)) {
                                r = kernel_remove(e->kernel, *name);
                                if (r < 0 && r != -ENOENT) {
                                        log_warning_errno(r, "Cannot remove profile %s: %m", *name);
                                        continue;
                                }
                                /* Gone: the sweep of owned names below
                                 * must not remove it a second time. */
                                (void) hashmap_remove(loaded, *name);
                        }
                        res->n_removed++;
                        {
                                _cleanup_free_ char *f_name = NULL;
                                if (asprintf(&f_name, "PROFILE=%s", *name) < 0)
                                        return -ENOMEM;
                                log_struct(LOG_INFO, MESSAGE_ID_PROFILE_REMOVED, ((char *[]) { f_name, NULL }),
                                           "Removed profile %s (its file %s is no longer part of level %s).",
                                           *name, su->file, level->name);
                        }
                }
                {
                        _cleanup_free_ char *file = strdup(su->file), *ns = su->ns ? strdup(su->ns) : NULL;
                        if (!file || (su->ns && !ns))
                                return -ENOMEM;
                        state_remove_unit(e->state, file, ns);
                }
                state_changed = true;
        }
        /* Names a loaded unit dropped (a profile renamed inside its file),
         * and claimed names that never made it. */
        kept_names = hashmap_new(NULL);
        if (!kept_names)
                return -ENOMEM;
        for (size_t i = 0; i < e->state->n_units; i++)
                if (hashmap_put_strv(kept_names, e->state->units[i].names) < 0)
                        return -ENOMEM;
        STRV_FOREACH(name, owned) {
                if (hashmap_contains(produced, *name) || hashmap_contains(kept_names, *name))
                        continue;
                if (hashmap_contains(loaded, *name)) {
                        r = kernel_remove(e->kernel, *name);
                        if (r >= 0)
                                res->n_removed++;
                }
        }
        if (e->state->claimed) {
                strv_free(e->state->claimed);
                e->state->claimed = NULL;
                state_changed = true;
        }
        if (!e->state->applied || !streq(e->state->applied, level->name)) {
                free(e->state->applied);
                e->state->applied = strdup(level->name);
                if (!e->state->applied)
                        return -ENOMEM;
                state_changed = true;
        }
        if (state_changed) {
                r = engine_save_state(e);
                if (r < 0)
                        log_error_errno(r, "Cannot write the state to %s: %m", e->state_path);
        }
        if (res->n_replaced > 0 || res->n_removed > 0 || e->last_revision == 0)
                (void) kernel_revision(e->kernel, &e->last_revision);
        return 0;
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
        return include_graph_paths(e->graph);
}

bool engine_take_units(Engine *e, UnitStatus **ret, size_t *ret_n) {
        if (!e->status)
                return false;
        *ret = TAKE_PTR(e->status);
        *ret_n = e->n_status;
        e->n_status = 0;
        return true;
}

const char *engine_run_error(const Engine *e) {
        return e->run_error;
}

int engine_run(Engine *e, const char *level_name, EngineMode mode, EngineResult **ret) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_(resolved_level_freep) ResolvedLevel *level = NULL;
        Unit *units = NULL;
        size_t n = 0;
        usec_t start = now_usec(CLOCK_MONOTONIC);
        bool switching;
        int r;

        free(e->run_error);
        e->run_error = NULL;
        res = calloc(1, sizeof(EngineResult));
        if (!res)
                return -ENOMEM;
        res->level = strdup(level_name);
        if (!res->level)
                return -ENOMEM;
        res->ok = true;

        r = level_set_resolve(e->levels, level_name, &level);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                res->ok = false;
                if (asprintf(&res->error, "level %s is not defined", level_name) < 0)
                        return -ENOMEM;
                goto done;
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
        /* Confined users: the login programs' hats for them, generated into
         * a directory of the level (one per level, so that a check or diff
         * of another level leaves the applied one's files alone). state_dir
         * already has the root. The graph forgets those files: they may
         * have just been rewritten. */
        if (level->n_users > 0) {
                _cleanup_free_ char *generated = NULL, *error = NULL;

                if (asprintf(&generated, "%s/generated/%s", e->config->state_dir, level->name) < 0)
                        return -ENOMEM;
                r = users_write_policy(level, generated, &error);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        res->ok = false;
                        res->error = error ? TAKE_PTR(error) : strdup("cannot write the policy of confined users");
                        if (!res->error)
                                return -ENOMEM;
                        goto done;
                }
                for (const char * const *f = users_policy_files; *f; f++) {
                        _cleanup_free_ char *path = path_join(generated, *f);
                        if (!path)
                                return -ENOMEM;
                        include_graph_invalidate(e->graph, path);
                }
                r = strv_extend(&level->directories, generated);
                if (r < 0)
                        return r;
        }
        r = build_units(e, level, res, &units, &n);
        if (r < 0)
                return r;
        res->n_units = (unsigned) n;
        log_debug("Level %s: %zu profile files scanned, closures and keys computed (%" PRIu64
                  " files read so far; %" PRIu64 " ms).",
                  level->name, n, include_graph_reads(e->graph), msec_since(start));
        for (size_t i = 0; i < n; i++) {
                r = lookup_unit(e, &units[i], res);
                if (r < 0)
                        goto fail;
        }
        r = prepare_jobs(e, level, units, n);
        if (r < 0)
                goto fail;
        log_debug("Level %s: cache looked up; %u to compile (%" PRIu64 " ms).", level->name,
                  (unsigned) (n - res->n_cached), msec_since(start));
        r = compile_units(e, units, n, res);
        if (r < 0)
                goto fail;
        log_debug("Level %s: compiled %u (%" PRIu64 " ms).", level->name, res->n_compiled, msec_since(start));

        for (size_t i = 0; i < n; i++)
                if (units[i].failed) {
                        res->n_failed++;
                        r = add_failure(res, &units[i].failure);
                        if (r < 0)
                                goto fail;
                } else
                        res->n_profiles += (unsigned) strv_length(units[i].names);

        switching = !e->state->applied || !streq(e->state->applied, level->name);
        if (mode != ENGINE_APPLY || switching) {
                r = check_requires(e, level, units, n, res);
                if (r < 0)
                        goto fail;
                if (r > 0) {
                        log_error("Refusing level %s: %s.", level->name, res->error);
                        goto done_units;
                }
        }

        if (mode == ENGINE_DIFF) {
                r = compute_diff(e, units, n, res);
                if (r < 0)
                        goto fail;
        } else if (mode == ENGINE_APPLY) {
                r = load_units(e, level, units, n, res);
                if (r < 0)
                        goto fail;
                log_debug("Level %s: loaded (%" PRIu64 " ms).", level->name, msec_since(start));
                r = update_status(e, units, n);
                if (r < 0)
                        goto fail;
                log_debug("Level %s: status (%" PRIu64 " ms).", level->name, msec_since(start));
                /* The units must be in place for the early policy. */
                units_free(e->units, e->n_units);
                e->units = units;
                e->n_units = n;
                units = NULL;
                n = 0;
                r = engine_update_early_policy(e, level->early_policy);
                if (r < 0)
                        log_error_errno(r, "Cannot update the early policy in %s: %m", e->config->early_policy_dir);
                goto done;
        }

done_units:
        if (mode == ENGINE_APPLY || mode == ENGINE_COMPILE) {
                units_free(e->units, e->n_units);
                e->units = units;
                e->n_units = n;
        } else
                units_free(units, n);
done:
        res->duration = now_usec(CLOCK_MONOTONIC) - start;
        *ret = TAKE_PTR(res);
        return 0;

fail:
        units_free(units, n);
        return r;
}

/* The marker that says aalevel owns the policy cache in a directory: only
 * then does it clear it when the level no longer wants early policy. */
#define EARLY_POLICY_MARKER ".aalevel-owned"

static int policy_cache_dirfd(Engine *e, const char *dir, bool create, int *ret) {
        aa_features *features = NULL;
        aa_policy_cache *pc = NULL;
        int fd, r;

        if (create) {
                r = mkdir_p(dir, 0755);
                if (r < 0)
                        return r;
        }
        if (aa_features_new(&features, AT_FDCWD, e->features_file) < 0)
                return negative_errno();
        r = aa_policy_cache_new(&pc, features, AT_FDCWD, dir, create ? 1 : 0);
        aa_features_unref(features);
        if (r < 0)
                return negative_errno();
        fd = aa_policy_cache_dirfd(pc, 0);
        fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
        r = fd < 0 ? negative_errno() : 0;
        aa_policy_cache_unref(pc);
        if (r < 0)
                return r;
        *ret = fd;
        return 0;
}

static bool same_content(int dfd, const char *name, const uint8_t *blob, size_t size) {
        _cleanup_free_ char *old = NULL;
        size_t old_size;
        return read_full_file_at(dfd, name, 256U * 1024U * 1024U, &old, &old_size) >= 0 && old_size == size &&
               memcmp(old, blob, size) == 0;
}

int engine_write_policy_cache(Engine *e, const char *dir) {
        _cleanup_close_ int dfd = -1;
        _cleanup_strv_free_ char **names = NULL;
        int r;

        r = policy_cache_dirfd(e, dir, true, &dfd);
        if (r < 0)
                return r;

        for (size_t i = 0; i < e->n_units; i++) {
                Unit *u = &e->units[i];
                _cleanup_free_ uint8_t *blob = NULL;
                _cleanup_free_ char *tmp = NULL;
                _cleanup_close_ int fd = -1;
                size_t size;

                if (u->failed)
                        continue;
                if (strv_contains(names, u->name))
                        return log_error_errno(-EEXIST, "Two profile files are called %s; the policy cache "
                                                        "layout keeps one file per name.", u->name);
                r = strv_extend(&names, u->name);
                if (r < 0)
                        return r;
                {
                        /* unit_final_blob() hands over a held binary:
                         * keep a copy for the kernel's turn. */
                        uint8_t *held = NULL;
                        if (u->blob) {
                                held = malloc(u->blob_size);
                                if (!held)
                                        return -ENOMEM;
                                memcpy(held, u->blob, u->blob_size);
                        }
                        r = unit_final_blob(e, u, &blob, &size, NULL);
                        if (held) {
                                free(u->blob);
                                u->blob = held;
                        }
                        if (r < 0)
                                return r;
                }
                /* Unchanged files are left alone: nothing written when
                 * nothing changed. */
                if (same_content(dfd, u->name, blob, size))
                        continue;
                if (asprintf(&tmp, ".%s.tmp", u->name) < 0)
                        return -ENOMEM;
                fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd < 0)
                        return negative_errno();
                r = loop_write(fd, blob, size);
                if (r >= 0 && fsync(fd) < 0)
                        r = negative_errno();
                if (r >= 0 && renameat(dfd, tmp, dfd, u->name) < 0)
                        r = negative_errno();
                if (r < 0) {
                        (void) unlinkat(dfd, tmp, 0);
                        return r;
                }
        }

        /* The directory must hold exactly this level: whatever is there is
         * loaded by whoever reads it (systemd at boot). */
        {
                int dup = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
                DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
                struct dirent *de;
                if (!d) {
                        if (dup >= 0)
                                close(dup);
                        return negative_errno();
                }
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' && de->d_type != DT_DIR && !strv_contains(names, de->d_name))
                                (void) unlinkat(dfd, de->d_name, 0);
                closedir(d);
        }
        return 0;
}

/* Removes the directory open as dfd, an empty entry of parent. */
static void remove_subdir(const char *parent, int dfd) {
        struct stat st, sub;
        struct dirent *de;
        DIR *d;

        if (fstat(dfd, &st) < 0 || !(d = opendir(parent)))
                return;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &sub, AT_SYMLINK_NOFOLLOW) >= 0 &&
                    S_ISDIR(sub.st_mode) && sub.st_dev == st.st_dev && sub.st_ino == st.st_ino) {
                        (void) unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
                        break;
                }
        closedir(d);
}

int engine_update_early_policy(Engine *e, bool wanted) {
        _cleanup_free_ char *marker = path_join(e->config->early_policy_dir, EARLY_POLICY_MARKER);
        _cleanup_close_ int dfd = -1;
        int r;

        if (!marker)
                return -ENOMEM;
        if (wanted) {
                r = engine_write_policy_cache(e, e->config->early_policy_dir);
                if (r < 0)
                        return r;
                if (access(marker, F_OK) < 0)
                        return write_file_atomic(marker, "", 0, 0644);
                return 0;
        }
        /* Not wanted: clear it, but only what aalevel put there. */
        if (access(marker, F_OK) < 0)
                return 0;
        r = policy_cache_dirfd(e, e->config->early_policy_dir, false, &dfd);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        {
                int dup = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
                DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
                struct dirent *de;
                if (!d) {
                        if (dup >= 0)
                                close(dup);
                        return negative_errno();
                }
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' && de->d_type != DT_DIR)
                                (void) unlinkat(dfd, de->d_name, 0);
                closedir(d);
        }
        /* The cache directory goes too (libapparmor's <features>.0/ and the
         * .features written with it): once the marker is gone nobody would
         * remove it, not even the package's purge. rmdir leaves it when
         * something else is still in it. */
        (void) unlinkat(dfd, ".features", 0);
        remove_subdir(e->config->early_policy_dir, dfd);
        if (unlink(marker) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

int policy_cache_load(const char *dir, char **ret_error) {
        aa_features *features = NULL;
        aa_policy_cache *pc = NULL;
        aa_kernel_interface *ki = NULL;
        int r = 0;

        if (aa_features_new_from_kernel(&features) < 0) {
                r = negative_errno();
                if (ret_error)
                        *ret_error = strdup("AppArmor is not enabled in this kernel");
                return r;
        }
        if (aa_policy_cache_new(&pc, features, AT_FDCWD, dir, 0) < 0) {
                r = negative_errno();
                if (ret_error && asprintf(ret_error, "no policy for this kernel's features in %s", dir) < 0)
                        *ret_error = NULL;
        } else if (aa_kernel_interface_new(&ki, features, NULL) < 0 || aa_policy_cache_replace_all(pc, ki) < 0) {
                r = negative_errno();
                if (ret_error && asprintf(ret_error, "loading %s failed: %s", dir, strerror(-r)) < 0)
                        *ret_error = NULL;
        }
        aa_kernel_interface_unref(ki);
        aa_policy_cache_unref(pc);
        aa_features_unref(features);
        return r;
}

int engine_collect_garbage(Engine *e, uint64_t max_age_sec, unsigned *ret_removed) {
        _cleanup_strv_free_ char **keep = hashmap_keys_sorted(e->names_by_key);

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
