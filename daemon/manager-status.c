/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the transports ask the manager, between jobs: the names of its
 * states, its counts of profiles, and the level definitions it holds. */
#include "manager.h"

#include <assert.h>
#include <time.h>

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
