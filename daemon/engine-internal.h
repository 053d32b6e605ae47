/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the engine's stages share, and nothing outside the engine sees:
 * the Unit (one profile file compiled for one namespace, as a run plans,
 * compiles and loads it) and the Engine object itself.
 *
 * The stages, in the order a run goes through them:
 *   plan.c         units, keys, cache look-ups, compiling what the cache
 *                  lacks, the level's required profiles, the diff;
 *   load.c         the kernel transaction: claim, replace (on a pool of
 *                  threads), record, sweep;
 *   early-policy.c the binaries of the last run as a policy cache for
 *                  early boot;
 *   engine.c       the engine's lifetime, engine_run(), status, garbage
 *                  collection. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "engine.h"
#include "statevars.h"
#include "hashmap.h"

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
        char sha256[2 * SHA256_DIGEST_SIZE + 1]; /* of the same binary, "" when not known */
        char **names;
        bool stale;             /* its files changed while it compiled: the
                                 * result was thrown away, compiled again */
        bool failed;
        bool previous;          /* failed, and its last good binary (the state's
                                 * key) stands in for it: loaded when the kernel
                                 * lacks it, written to the early policy */
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
        bool features_from_kernel; /* features_file is our copy of the kernel's */
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
        bool defer_early_policy;
        char *early_policy_level; /* the last APPLY run's level, its early policy deferred */
        bool early_policy_wanted; /* that level's early_policy */
        volatile int cancel;
        unsigned load_done;     /* progress of the load pass, shared by its threads */
        /* apparmor.d's runtime state (statevars.h, runstate.c) */
        bool state_active;      /* the tree has it and the parser can set it: this run sets it */
        char *state_file;       /* aalevel's file in the tree's state.d */
        char *state_text;       /* what it holds since aalevel last wrote (or found) it */
        StateValues detected;   /* what this machine is, as last detected */
        StateValues run_state;  /* what the run's level sets: detected, then the level's */
        bool state_warned;
        bool state_unwritten;   /* the file does not hold run_state: the units using it cannot compile */
};

/* engine.c */
void engine_progress(Engine *e, const char *phase, unsigned done, unsigned total, const char *current);
/* Says why a run or the engine's creation failed, for the caller to log;
 * returns r. */
_printf_(3, 4) int engine_error(char **ret_error, int r, const char *format, ...);
/* Adds to res->errors (what failed once the level was applied). */
_printf_(2, 3) int result_add_error(EngineResult *res, const char *format, ...);
/* Adds to res->warnings. */
_printf_(2, 3) int result_add_warning(EngineResult *res, const char *format, ...);
/* Whether the features file is still what every key of the run names
 * (read now, its digest that of the run's start): 0, or a negative errno
 * with *ret_error saying why (-ESTALE: other features). Our copy of the
 * kernel's is written again when it cannot be read. */
int engine_check_features(Engine *e, char **ret_error);

/* runstate.c */
/* Before a run of level: detects the system, computes the level's values
 * and writes aalevel's state file when they changed (the tree and the
 * parser permitting; else the run sets none, with a warning once). */
int runstate_prepare(Engine *e, const ResolvedLevel *level, EngineResult *res);
/* After a run that did not apply its level (check, diff, refused): the
 * state file holds the applied level's values again. */
void runstate_restore(Engine *e, EngineResult *res);
void runstate_done(Engine *e);

/* plan.c */
int unit_compute_key(Engine *e, Unit *u, const char *prelude);
typedef struct UnitList {
        Unit *units;
        size_t n;
} UnitList;

void failure_clear(UnitFailure *f);
void units_free(Unit *units, size_t n);
void unit_list_done(UnitList *l);
/* The level resolved, its directories below the root, its confined
 * users' policy written: 1 and the level; 0 when the result says why not
 * (res->ok false). */
int plan_level(Engine *e, const char *name, EngineResult *res, ResolvedLevel **ret);
/* The level's units: scanned, looked up in the state and the cache,
 * compiled when the cache lacks them, failures counted in res. */
int plan_units(Engine *e, const ResolvedLevel *level, EngineResult *res, UnitList *ret, usec_t start);
/* Marks a unit failed with the parser's or our own account, and logs it. */
int unit_fail(Engine *e, Unit *u, const char *error_file, unsigned line, const char *message);
/* The binary as the kernel gets it (mode override applied); fills in
 * u->sha1 and u->sha256. res, when given, counts a compile. */
int unit_final_blob(Engine *e, Unit *u, uint8_t **ret, size_t *ret_size, EngineResult *res);
/* A failure into the result (n_failed and failures). */
int result_add_failure(EngineResult *res, const UnitFailure *f);
/* Sets u->sha1 and u->sha256 to those of the binary the kernel gets. */
void unit_set_digests(Unit *u, const void *blob, size_t size);
/* The names the usable units make, as a set. */
Hashmap *produced_names(const Unit *units, size_t n);
int check_requires(Engine *e, const ResolvedLevel *level, Unit *units, size_t n, EngineResult *res);
int compute_diff(Engine *e, Unit *units, size_t n, EngineResult *res);

/* A unit whose binary goes to the kernel and the early policy: compiled,
 * or failed with its last good binary standing in. */
static inline bool unit_usable(const Unit *u) {
        return !u->failed || u->previous;
}

/* load.c */
int load_units(Engine *e, const ResolvedLevel *level, Unit *units, size_t n, EngineResult *res, char **ret_error);
