/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the transports ask the manager, between jobs: the names of its
 * states, its status, its profiles, and the level definitions it holds.
 * Each transport reads these, so that both say the same. */
#include "manager.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hashmap.h"
#include "kernel.h"
#include "strv.h"
#include "util.h"

static const char * const state_names[_MANAGER_STATE_MAX] = {
        [MANAGER_STARTING] = "starting",
        [MANAGER_IDLE] = "idle",
        [MANAGER_COMPILING] = "compiling",
        [MANAGER_LOADING] = "loading",
        [MANAGER_WAITING_CONFIRM] = "waiting-confirm",
        [MANAGER_FAILED] = "failed",
};

const char *manager_state_to_string(ManagerState s) {
        return s >= 0 && s < _MANAGER_STATE_MAX ? state_names[s] : "unknown";
}

unsigned manager_profiles_loaded(const Manager *m) {
        unsigned n = 0;

        assert(m);
        /* A failed file's previous profiles stay loaded: they count. */
        for (size_t i = 0; i < m->n_units; i++)
                n += (unsigned) strv_length(m->units[i].names);
        return n;
}

unsigned manager_profiles_failed(const Manager *m) {
        unsigned n = 0;

        assert(m);
        for (size_t i = 0; i < m->n_units; i++)
                n += m->units[i].failed;
        return n;
}

const char *manager_current_level(const Manager *m) {
        assert(m);
        return m->level ? m->level : "default";
}

const Level *manager_find_level(const Manager *m, const char *name) {
        assert(m);
        assert(name);
        return level_name_is_valid(name) ? level_set_find(m->levels, name) : NULL;
}

const Level *manager_find_level_fresh(Manager *m, const char *name) {
        const Level *l = manager_find_level(m, name);
        usec_t now = now_usec(CLOCK_MONOTONIC);
        LevelSet *levels = NULL;

        if (l || !level_name_is_valid(name))
                return l;
        if (m->last_level_reread != 0 && now - m->last_level_reread < USEC_PER_SEC)
                return NULL;
        m->last_level_reread = now;
        /* Unreadable now: the old ones stay (the watch reloads later). */
        if (level_set_load(m->config->vendor_levels_dir, m->config->levels_dir, &levels) < 0)
                return NULL;
        level_set_free(m->levels);
        m->levels = levels;
        return manager_find_level(m, name);
}

bool manager_is_raise(const Manager *m, const char *level) {
        const char *from[] = { m->level, m->pending_level, m->target, m->confirm_level, m->persisted };

        assert(m);
        assert(level);
        if (!m->ready || !m->level || !manager_find_level(m, level))
                return false;
        if (m->confirm_level && streq(level, m->confirm_level))
                return false;
        for (size_t i = 0; i < ELEMENTSOF(from); i++)
                if (from[i] && !level_set_is_raise(m->levels, from[i], level))
                        return false;
        return true;
}

const char *manager_level_source(const Manager *m) {
        assert(m);
        return m->source ? m->source : "default";
}

const char *manager_revert_level(const Manager *m) {
        assert(m);
        return m->confirm_timer ? strempty(m->confirm_previous) : "";
}

char **manager_errors(const Manager *m) {
        char **all;

        assert(m);
        all = strv_copy(m->errors);
        if (all && m->apply_error && strv_extend(&all, m->apply_error) < 0) {
                strv_free(all);
                all = NULL;
        }
        return all;
}

void manager_profile_rows_free(ManagerProfileRow *rows, size_t n) {
        for (size_t i = 0; i < n; i++)
                free(rows[i].mode);
        free(rows);
}

int manager_list_profiles(const Manager *m, ManagerProfileRow **ret, size_t *ret_n) {
        _cleanup_(hashmap_freep) Hashmap *modes = hashmap_new(free);
        ManagerProfileRow *rows = NULL;
        KernelProfile *profiles = NULL;
        size_t n = 0, n_rows = 0, allocated = 0;

        assert(m);
        assert(ret);
        assert(ret_n);

        if (!modes)
                return -ENOMEM;
        /* The modes the kernel reports, by name. */
        if (kernel_list_profiles_at(m->config->apparmorfs, &profiles, &n) >= 0) {
                for (size_t i = 0; i < n; i++)
                        if (hashmap_put(modes, profiles[i].name, profiles[i].mode) >= 0)
                                profiles[i].mode = NULL;
                kernel_profiles_free(profiles, n);
        }
        for (size_t i = 0; i < m->n_units; i++)
                allocated += MAX(strv_length(m->units[i].names), (size_t) 1);
        rows = calloc(MAX(allocated, (size_t) 1), sizeof(ManagerProfileRow));
        if (!rows)
                return -ENOMEM;
        for (size_t i = 0; i < m->n_units; i++) {
                const UnitStatus *u = &m->units[i];
                if (u->failed && strv_length(u->names) == 0)
                        rows[n_rows++] = (ManagerProfileRow) { .name = "", .file = u->file, .status = "failed",
                                                               .message = strempty(u->error) };
                STRV_FOREACH(name, u->names) {
                        const char *mode = hashmap_get(modes, *name);
                        ManagerProfileRow *row = &rows[n_rows++];
                        *row = (ManagerProfileRow) {
                                .name = *name,
                                .file = u->file,
                                .status = u->failed ? "failed"
                                        : !mode ? "missing"
                                        : strv_contains(m->modified, *name) ? "modified" : "loaded",
                                .message = u->failed ? strempty(u->error) : "",
                        };
                        if (!(row->mode = strdup(strempty(mode)))) {
                                manager_profile_rows_free(rows, n_rows);
                                return -ENOMEM;
                        }
                }
        }
        *ret = rows;
        *ret_n = n_rows;
        return 0;
}
