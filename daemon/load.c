/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel transaction of an APPLY run: the new names are claimed in
 * the state before the kernel sees them, the units whose binary differs
 * from what the kernel holds are replaced in place (on a pool of
 * threads), what was loaded is recorded, and the names aalevel owns that
 * the level no longer has are removed. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "blob.h"
#include "engine-internal.h"
#include "log.h"
#include "messages.h"
#include "strv.h"

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

/* 1 when the unit's binary must be written, 0 when the kernel has it,
 * -ENODATA when that takes the binary's SHA-256, not known yet (the
 * kernel hashes with SHA-256, the unit's comes from a cache entry). */
static int unit_needs_load(Engine *e, const Unit *u, Hashmap *loaded, Hashmap *hashes) {
        const StateUnit *su = state_find_unit(e->state, u->file, u->ns);

        if (!su || !streq(su->sha1, u->sha1))
                return 1;
        STRV_FOREACH(name, u->names) {
                const char *h;
                if (!hashmap_contains(loaded, *name))
                        return 1; /* removed by someone: put it back */
                if (hashes && !unit_names_are_split(u->names) && (h = hashmap_get(hashes, *name))) {
                        int r = kernel_hash_matches(h, u->sha1, u->sha256);
                        if (r == -ENODATA)
                                return r;
                        if (r == 0)
                                return 1; /* replaced by someone: restore ours */
                }
        }
        return 0;
}

/* One more unit done, whichever thread did it. */
static void loaded_one(Engine *e, unsigned total, const char *file) {
        engine_progress(e, "load", (unsigned) __atomic_add_fetch(&e->load_done, 1, __ATOMIC_SEQ_CST), total, file);
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
        unit_set_digests(u, blob, size);
        if (todo == TODO_MAYBE && unit_needs_load(e, u, p->loaded, p->hashes) == 0)
                u->outcome = OUTCOME_UNCHANGED;
        else {
                r = load_blob(e, blob, size);
                u->outcome = r < 0 ? OUTCOME_REJECTED : OUTCOME_LOADED;
                u->outcome_error = r;
        }
        loaded_one(e, p->total, u->file);
}

static void *load_thread(void *userdata) {
        LoadPool *p = userdata;

        for (;;) {
                size_t i = __atomic_fetch_add(&p->next, 1, __ATOMIC_SEQ_CST);
                if (i >= p->n || p->e->cancel)
                        return NULL;
                if (p->todo[i] != TODO_NOTHING && unit_usable(&p->units[i]))
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

/* One APPLY run's kernel transaction. */
typedef struct Transaction {
        Engine *e;
        const ResolvedLevel *level;
        Unit *units;
        size_t n;
        EngineResult *res;
        Hashmap *loaded;        /* name → mode: the kernel before the run */
        Hashmap *hashes;        /* name → the kernel's hash, when someone else may have written */
        Hashmap *produced;      /* names the units that did not fail make */
        int *todo;              /* Todo, per unit */
        unsigned total;         /* units to load or to look at */
        char **owned;           /* every name aalevel owned before the run */
        bool state_changed;
} Transaction;

static void transaction_done(Transaction *t) {
        hashmap_free(t->loaded);
        hashmap_free(t->hashes);
        hashmap_free(t->produced);
        free(t->todo);
        strv_free(t->owned);
}

/* A unit declaring a name the kernel has and aalevel does not own: that
 * profile was loaded by someone else (snap.*, docker-default, by hand),
 * and claiming the name would let aalevel replace it, and remove it with
 * the file. The file is refused; the foreign profile stays as it is. */
static int refuse_foreign(Transaction *t, Unit *u, Hashmap *owned_set) {
        _cleanup_free_ char *msg = NULL;
        int r;

        /* Until a level has been applied once (aalevel's first start, on a
         * system where apparmor.service loaded this tree, or a state file
         * that was lost), the tree's names in the kernel were loaded from
         * the tree itself: they are adopted, as apparmor.service would
         * replace them. From then on, a name aalevel did not load is
         * another program's or loaded by hand, and stays. */
        if (!t->e->state->applied)
                return 0;
        STRV_FOREACH(name, u->names) {
                if (hashmap_contains(owned_set, *name) || !hashmap_contains(t->loaded, *name))
                        continue;
                if (asprintf(&msg, "declares profile %s, which is loaded but not by aalevel (another program's "
                             "or loaded by hand); the file is refused and %s stays as it is",
                             *name, *name) < 0)
                        return -ENOMEM;
                r = unit_fail(t->e, u, u->file, 0, msg);
                if (r < 0)
                        return r;
                t->res->n_failed++;
                t->res->n_profiles -= MIN(t->res->n_profiles, (unsigned) strv_length(u->names));
                r = result_add_failure(t->res, &u->failure);
                return r < 0 ? r : 1;
        }
        return 0;
}

/* What each unit needs, and the names the kernel is about to see for the
 * first time. */
static int decide(Transaction *t, char ***ret_claim) {
        _cleanup_(hashmap_freep) Hashmap *owned_set = hashmap_new(NULL);
        _cleanup_strv_free_ char **claim = NULL;

        t->todo = calloc(t->n + 1, sizeof(int));
        t->owned = state_owned_names(t->e->state);
        if (!t->todo || !t->owned || !owned_set || hashmap_put_strv(owned_set, t->owned) < 0)
                return -ENOMEM;
        for (size_t i = 0; i < t->n; i++) {
                Unit *u = &t->units[i];
                int r;

                if (!unit_usable(u))
                        continue;
                r = refuse_foreign(t, u, owned_set);
                if (r < 0)
                        return r;
                if (r > 0)
                        continue;
                r = u->sha1_known ? unit_needs_load(t->e, u, t->loaded, t->hashes) : -ENODATA;
                if (r == -ENODATA)
                        t->todo[i] = TODO_MAYBE;
                else if (r > 0)
                        t->todo[i] = TODO_LOAD;
                else {
                        t->res->n_unchanged++;
                        continue;
                }
                t->total++;
                STRV_FOREACH(name, u->names)
                        if (!hashmap_contains(owned_set, *name) && strv_extend(&claim, *name) < 0)
                                return -ENOMEM;
        }
        *ret_claim = TAKE_PTR(claim);
        return 0;
}

/* Claims the new names before the kernel sees them: a crash after this
 * point still knows they are ours. */
static int claim(Transaction *t, char **names, char **ret_error) {
        Engine *e = t->e;
        int r;

        if (strv_length(names) == 0)
                return 0;
        r = state_claim(e->state, names);
        if (r < 0)
                return r;
        r = engine_save_state(e);
        if (r < 0) {
                /* The claim is not on disk, so it is not made: the next run
                 * must try to write it again. */
                state_unclaim(e->state, names);
                return engine_error(ret_error, r, "Cannot write the state to %s (%s); nothing was loaded",
                                    e->state_path, strerror(-r));
        }
        return 0;
}

/* A unit the load threads left to this thread: not in the cache (compiled
 * now), a corrupted entry, a binary held in memory. */
static int load_slow(Transaction *t, size_t i) {
        _cleanup_free_ uint8_t *blob = NULL;
        Unit *u = &t->units[i];
        size_t size = 0;
        int r;

        r = unit_final_blob(t->e, u, &blob, &size, t->res);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                u->outcome = OUTCOME_UNREADABLE;
        else if (t->todo[i] == TODO_MAYBE && unit_needs_load(t->e, u, t->loaded, t->hashes) == 0)
                u->outcome = OUTCOME_UNCHANGED;
        else {
                r = load_blob(t->e, blob, size);
                u->outcome = r < 0 ? OUTCOME_REJECTED : OUTCOME_LOADED;
        }
        u->outcome_error = r;
        loaded_one(t->e, t->total, u->file);
        return 0;
}

/* A unit's outcome into the result and the state, in order, whichever
 * thread did the work. */
static int record_outcome(Transaction *t, Unit *u) {
        _cleanup_free_ char *msg = NULL, *f_file = NULL;
        int r;

        switch (u->outcome) {
        case OUTCOME_LOADED:
                t->res->n_replaced++;
                if (asprintf(&f_file, "PROFILE_FILE=%s", u->file) < 0)
                        return -ENOMEM;
                log_struct(LOG_DEBUG, MESSAGE_ID_PROFILE_LOADED, ((char *[]) { f_file, NULL }), "Loaded %s.",
                           u->file);
                break;
        case OUTCOME_UNCHANGED:
                /* Another key or mode, the very same binary, which the
                 * kernel has already. */
                t->res->n_unchanged++;
                break;
        case OUTCOME_REJECTED:
        case OUTCOME_UNREADABLE:
                if (u->failed)
                        return 0;
                if (asprintf(&msg, u->outcome == OUTCOME_REJECTED ? "the kernel rejected the compiled policy: %s"
                                                                  : "cannot read its compiled policy: %s",
                             strerror(-u->outcome_error)) < 0)
                        return -ENOMEM;
                return unit_fail(t->e, u, NULL, 0, msg);
        default:
                return 0;
        }
        r = state_record_unit(t->e->state, u->file, u->ns, &u->key, u->override, u->sha1, u->sha256, u->names);
        if (r < 0)
                return r;
        t->state_changed = true;
        return 0;
}

/* Units whose key changed but whose binary is the one loaded: the new key
 * is recorded, nothing written. */
static void record_new_keys(Transaction *t) {
        for (size_t i = 0; i < t->n; i++) {
                const Unit *u = &t->units[i];

                if (t->todo[i] == TODO_NOTHING && !u->failed &&
                    state_update_unit_key(t->e->state, u->file, u->ns, &u->key, u->override))
                        t->state_changed = true;
        }
}

/* The names of a unit that is no longer part of the level go, but those a
 * current unit makes; then the unit is forgotten. */
static int sweep_unit(Transaction *t, const StateUnit *su) {
        _cleanup_free_ char *file = NULL, *ns = NULL;
        int r;

        STRV_FOREACH(name, su->names) {
                _cleanup_free_ char *f_name = NULL;

                if (hashmap_contains(t->produced, *name))
                        continue;
                if (hashmap_contains(t->loaded, *name)) {
                        r = kernel_remove(t->e->kernel, *name);
                        if (r < 0 && r != -ENOENT) {
                                log_warning_errno(r, "Cannot remove profile %s: %m", *name);
                                continue;
                        }
                        /* Gone: the sweep of owned names must not remove it
                         * a second time. */
                        (void) hashmap_remove(t->loaded, *name);
                }
                t->res->n_removed++;
                if (asprintf(&f_name, "PROFILE=%s", *name) < 0)
                        return -ENOMEM;
                log_struct(LOG_INFO, MESSAGE_ID_PROFILE_REMOVED, ((char *[]) { f_name, NULL }),
                           "Removed profile %s (its file %s is no longer part of level %s).", *name, su->file,
                           t->level->name);
        }
        file = strdup(su->file);
        ns = su->ns ? strdup(su->ns) : NULL;
        if (!file || (su->ns && !ns))
                return -ENOMEM;
        state_remove_unit(t->e->state, file, ns);
        t->state_changed = true;
        return 0;
}

/* Removes what aalevel owns and the level no longer has. A failed file
 * keeps its old profiles; names made by a current unit stay. */
static int sweep(Transaction *t) {
        _cleanup_(hashmap_freep) Hashmap *current = hashmap_new(NULL), *kept_names = hashmap_new(NULL);
        State *s = t->e->state;
        int r;

        t->produced = produced_names(t->units, t->n);
        if (!t->produced || !current || !kept_names)
                return -ENOMEM;
        for (size_t i = 0; i < t->n; i++) {
                _cleanup_free_ char *k = state_unit_key(t->units[i].file, t->units[i].ns);
                if (!k || hashmap_put(current, k, &t->units[i]) < 0)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < s->n_units;) {
                _cleanup_free_ char *k = state_unit_key(s->units[i].file, s->units[i].ns);

                if (!k)
                        return -ENOMEM;
                if (hashmap_contains(current, k)) {
                        /* Still a file of the level (failed ones keep their
                         * old profiles); names it made before and makes no
                         * more are swept below. */
                        i++;
                        continue;
                }
                r = sweep_unit(t, &s->units[i]);
                if (r < 0)
                        return r;
        }
        /* Names a loaded unit dropped (a profile renamed inside its file),
         * and claimed names that never made it. */
        for (size_t i = 0; i < s->n_units; i++)
                if (hashmap_put_strv(kept_names, s->units[i].names) < 0)
                        return -ENOMEM;
        STRV_FOREACH(name, t->owned) {
                if (hashmap_contains(t->produced, *name) || hashmap_contains(kept_names, *name))
                        continue;
                if (hashmap_contains(t->loaded, *name) && kernel_remove(t->e->kernel, *name) >= 0)
                        t->res->n_removed++;
        }
        return 0;
}

/* The transaction is over: no claims left, the level applied. */
static int commit(Transaction *t) {
        Engine *e = t->e;
        int r;

        if (state_clear_claims(e->state))
                t->state_changed = true;
        r = state_set_applied(e->state, t->level->name);
        if (r < 0)
                return r;
        if (r > 0)
                t->state_changed = true;
        if (t->state_changed) {
                r = engine_save_state(e);
                if (r < 0 && result_add_error(t->res, "Cannot write the state to %s: %s", e->state_path,
                                              strerror(-r)) < 0)
                        return -ENOMEM;
        }
        if (t->res->n_replaced > 0 || t->res->n_removed > 0 || e->last_revision == 0)
                (void) kernel_revision(e->kernel, &e->last_revision);
        return 0;
}

int load_units(Engine *e, const ResolvedLevel *level, Unit *units, size_t n, EngineResult *res, char **ret_error) {
        _cleanup_(transaction_done) Transaction t = { .e = e, .level = level, .units = units, .n = n, .res = res };
        _cleanup_strv_free_ char **new_names = NULL;
        usec_t start = now_usec(CLOCK_MONOTONIC);
        int r;

        r = kernel_snapshot(e, &t.loaded, &t.hashes);
        if (r < 0)
                return engine_error(ret_error, r, "Cannot read the loaded policy from %s: %s",
                                    kernel_apparmorfs(e->kernel), strerror(-r));
        log_debug("Kernel snapshot: %zu profiles%s (%" PRIu64 " ms).", hashmap_size(t.loaded),
                  t.hashes ? ", with their hashes" : "", msec_since(start));

        r = decide(&t, &new_names);
        if (r < 0)
                return r;
        r = claim(&t, new_names, ret_error);
        if (r < 0)
                return r;

        if (t.total > 0)
                engine_progress(e, "load", 0, t.total, NULL);
        r = load_parallel(e, units, t.todo, n, t.loaded, t.hashes, t.total);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                if (t.todo[i] == TODO_NOTHING)
                        continue;
                if (units[i].outcome == OUTCOME_NONE) {
                        if (e->cancel)
                                break; /* what is loaded is recorded below */
                        r = load_slow(&t, i);
                        if (r < 0)
                                return r;
                }
                r = record_outcome(&t, &units[i]);
                if (r < 0)
                        return r;
        }
        if (e->cancel) {
                /* Stopped midway: record what was loaded (claims stay, so
                 * nothing is mistaken for foreign), nothing else. */
                if (t.state_changed)
                        (void) engine_save_state(e);
                return -ECANCELED;
        }

        record_new_keys(&t);
        r = sweep(&t);
        if (r < 0)
                return r;
        return commit(&t);
}
