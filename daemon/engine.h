/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine: from a level to policy in the kernel. One run
 *
 *   resolves the level, lists its profile files (tree.h), computes each
 *   file's closure (graph.h) and cache key (cache.h), compiles what the
 *   cache lacks (compiler.h), checks the level's required profiles, and
 *   only then touches the kernel: it replaces the profiles whose binary
 *   differs from what it loaded before (or that someone else replaced),
 *   removes the names it owns that the level no longer has, and records
 *   everything in the state (state.h).
 *
 * A level switch is a transaction: a required profile that fails means
 * nothing is applied. A profile that fails to compile or that the kernel
 * rejects keeps its previous version; every other profile still loads.
 * Nothing changed means nothing compiled and nothing written to the
 * kernel. Names aalevel did not load are never touched.
 *
 * The engine blocks; the daemon runs it on a worker thread, the offline
 * verbs (compile, load) call it directly. It never touches the bus. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cache.h"
#include "conf.h"
#include "graph.h"
#include "kernel.h"
#include "level.h"
#include "state.h"
#include "statevars.h"
#include "util.h"

typedef struct Engine Engine;

typedef enum EngineMode {
        ENGINE_APPLY,           /* compile and load */
        ENGINE_CHECK,           /* compile only */
        ENGINE_DIFF,            /* compile only, and compare with what is loaded */
        ENGINE_COMPILE,         /* compile only, for `aalevel compile` */
} EngineMode;

typedef struct UnitFailure {
        char *file;             /* the profile file */
        char *name;             /* a profile name it held before, or NULL */
        char *error_file;       /* where the parser says the error is */
        unsigned line;
        char *message;
} UnitFailure;

typedef struct DiffEntry {
        char *name;
        char *change;           /* add, remove, mode, recompile */
        char *detail;
        char *file;
} DiffEntry;

typedef struct EngineResult {
        char *level;
        bool ok;                /* false: the transaction was refused, error says why */
        char *error;
        unsigned n_units;       /* profile files of the level */
        unsigned n_compiled;    /* compiled now */
        unsigned n_cached;      /* found in the cache */
        unsigned n_failed;
        unsigned n_replaced;    /* kernel writes */
        unsigned n_removed;
        unsigned n_unchanged;   /* already in the kernel as they should be */
        unsigned n_profiles;    /* profile names of the level */
        UnitFailure *failures;
        size_t n_failures;
        DiffEntry *diff;
        size_t n_diff;
        char **warnings;
        char **errors;          /* what failed once the level was applied (the state
                                 * or the early policy not written): for the caller to log */
        usec_t duration;
        long max_parser_rss_kb; /* the largest apparmor_parser run */
        bool features_failed;   /* the features file could not be used: said once in errors */
        bool state_active;      /* the run set apparmor.d's runtime state */
        StateValues detected;   /* then: what the system is, as detected for it */
} EngineResult;

void engine_result_free(EngineResult *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(EngineResult *, engine_result_free);

typedef void (*EngineProgress)(const char *phase, unsigned done, unsigned total, const char *current,
                               void *userdata);
/* Called for every failure as it happens (the daemon signals it). */
typedef void (*EngineFailure)(const UnitFailure *f, void *userdata);

typedef struct EngineOptions {
        bool offline;           /* no kernel (aalevel compile) */
        Kernel *kernel;         /* borrowed, instead of the running kernel (the tests' fake) */
        const char *features_file; /* overrides the configuration and the kernel */
        const char *root;       /* relative includes resolve below it */
        EngineProgress progress;
        EngineFailure failure;
        void *userdata;
} EngineOptions;

/* config and levels are borrowed and must outlive the engine (or be
 * replaced with engine_set_config()). */
int engine_new(const Config *config, const LevelSet *levels, const EngineOptions *options, Engine **ret,
               char **ret_error);
void engine_free(Engine *e);
DEFINE_TRIVIAL_CLEANUP_FUNC(Engine *, engine_free);

void engine_set_config(Engine *e, const Config *config, const LevelSet *levels);

/* Runs the level. Returns a negative errno only when the engine cannot
 * work at all (out of memory, the loaded policy cannot be read, the claims
 * cannot be written: nothing was loaded), with *ret_error saying why when
 * it knows more than the number; everything else, including a refused
 * transaction, is in the result. The engine logs events (a profile
 * failed, loaded, removed), never its errors: the caller logs them, once. */
int engine_run(Engine *e, const char *level, EngineMode mode, EngineResult **ret, char **ret_error);

/* Asks a run in progress (on another thread) to stop as soon as it can:
 * running parsers are killed, nothing more is loaded; what was loaded is
 * recorded. The run returns -ECANCELED. */
void engine_cancel(Engine *e);

/* A file changed on disk: forget what is known about it. */
void engine_invalidate(Engine *e, const char *path);
/* Before a full reload: forgets every file whose status changed on disk
 * since it was read (see include_graph_revalidate()). */
void engine_revalidate(Engine *e);

/* The level prelude: booleans for every known level, @{aalevel_level},
 * @{aalevel_lower_labels} (the labels that may lower the level). */
char *engine_prelude(const LevelSet *levels, const ResolvedLevel *level, char * const *lower_labels);

/* apparmor.d's runtime state of a level: the detected values, then the
 * level's own (@{LEVEL}, ${FSP}, ${RBAC}) and its pins, each with where
 * it came from. */
int engine_state_for_level(const StateValues *detected, const ResolvedLevel *level, StateValues *ret);
/* aalevel's runtime state file and what it holds since aalevel last
 * wrote (or found) it there, copies; both NULL when there is none. */
int engine_state_file(Engine *e, char **ret_path, char **ret_text);

const State *engine_state(const Engine *e);
State *engine_state_mut(Engine *e);
int engine_save_state(Engine *e);

/* Every path the runs so far depended on (files, missing files,
 * directories) and the real paths behind symlinks: what the daemon
 * watches. A new list, NULL when out of memory. */
char **engine_watch_paths(const Engine *e);

typedef struct UnitStatus {
        char *file;
        char **names;
        bool failed;
        char *error;            /* "FILE:LINE: message" */
} UnitStatus;

void unit_status_free(UnitStatus *s, size_t n);

/* The units of the last APPLY run, for ListProfiles, handed over once
 * (the daemon keeps one copy, the manager's): false when there is no new
 * list since the last call. */
bool engine_take_units(Engine *e, UnitStatus **ret, size_t *ret_n);

/* Writes the units' binaries of the last COMPILE/APPLY run into dir in
 * the layout of libapparmor's policy cache (<dir>/<features id>.0/ with
 * its .features), which systemd's early policy loading reads. Both
 * functions return -errno, with *ret_error saying why when they know more
 * than the number. */
int engine_write_policy_cache(Engine *e, const char *dir, char **ret_error);

/* For a level with early_policy: the last APPLY run's binaries into
 * early_policy_dir (systemd's /etc/apparmor/earlypolicy, which PID 1 loads
 * before it starts anything), writing only what changed. For any other
 * level: clear it again, if aalevel filled it. */
int engine_update_early_policy(Engine *e, bool wanted, char **ret_error);

/* The early policy follows confirmed levels only: PID 1 loads it at the
 * next boot, and a reboot during a confirmation window must come back at
 * the last confirmed level. While deferred, APPLY runs leave the early
 * policy as it is and remember their level; engine_commit_early_policy()
 * then writes (or clears) it for that level once it is confirmed, and does
 * nothing when the last APPLY run was of another level or not deferred. */
void engine_defer_early_policy(Engine *e, bool defer);
int engine_commit_early_policy(Engine *e, const char *level, char **ret_error);

/* Drops cache entries that neither the state nor this run of the engine
 * refers to and that nobody used for max_age_sec. */
int engine_collect_garbage(Engine *e, uint64_t max_age_sec, unsigned *ret_removed);

/* NULL offline. */
Kernel *engine_kernel(Engine *e);

/* Whether a unit with these profile names was written entry by entry
 * (namespaces): the kernel's raw_sha1 then covers one entry, not the
 * whole binary. */
bool unit_names_are_split(char * const *names);
