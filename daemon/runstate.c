/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine's side of apparmor.d's runtime state (statevars.h): before
 * each run, what this machine is (sysstate.h) and what the run's level
 * says, written where the tree's tunables/multiarch.d/state includes it
 * last. One file, the applied level's values between runs, so that a
 * hand-run apparmor_parser (or apparmor.service, at a boot without
 * aalevel) sees what aalevel loaded. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine-internal.h"
#include "fileio.h"
#include "log.h"
#include "strv.h"
#include "sysstate.h"
#include "util.h"

void runstate_done(Engine *e) {
        free(e->state_file);
        e->state_file = NULL;
        free(e->state_text);
        e->state_text = NULL;
        state_values_done(&e->detected);
        state_values_done(&e->run_state);
}

/* "AppArmor parser version 5.0.2" → 5; 0 when it does not say. */
static unsigned parser_major(const char *identity) {
        const char *v = identity ? strstr(identity, "version ") : NULL;
        unsigned major = 0;

        if (!v)
                return 0;
        for (v += strlen("version "); *v >= '0' && *v <= '9' && major < 1000; v++)
                major = major * 10 + (unsigned) (*v - '0');
        return major;
}

/* The directory of the search path that holds the state tunable, as the
 * parser finds <tunables/multiarch.d/state>: the first. */
static char *find_state_tree(Engine *e) {
        STRV_FOREACH(d, e->search_path) {
                _cleanup_free_ char *p = path_join(*d, STATE_TUNABLE);
                if (p && access(p, F_OK) == 0)
                        return strdup(*d);
        }
        return NULL;
}

/* The level's values over the detected ones. */
int engine_state_for_level(const StateValues *detected, const ResolvedLevel *level, StateValues *ret) {
        int r = state_values_copy(detected, ret);
        if (r < 0)
                return r;
        for (StateVar v = 0; v < _STATE_VAR_MAX; v++) {
                _cleanup_free_ char *source = NULL;

                if (!level->state[v])
                        continue;
                if (level->state_from[v])
                        r = asprintf(&source, "level %s", level->state_from[v]);
                else if (v == STATE_RBAC && level->n_users > 0)
                        r = asprintf(&source, "level %s confines users", level->name);
                else
                        r = asprintf(&source, "aalevel's default: no level of %s sets it", level->name);
                if (r < 0 || state_values_set(ret, v, level->state[v], source) < 0) {
                        state_values_done(ret);
                        return -ENOMEM;
                }
        }
        return 0;
}

static int write_state_file(Engine *e, const char *level_name) {
        _cleanup_free_ char *text = state_values_file_text(&e->run_state, level_name), *old = NULL, *dir = NULL;
        char *slash;
        int r;

        if (!text)
                return -ENOMEM;
        if (read_full_file(e->state_file, 65536, &old, NULL) >= 0 && streq(old, text)) {
                free(e->state_text);
                e->state_text = TAKE_PTR(text);
                return 0;
        }
        dir = strdup(e->state_file);
        if (!dir)
                return -ENOMEM;
        slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        r = mkdir_p(dir, 0755);
        if (r >= 0)
                r = write_file_atomic(e->state_file, text, strlen(text), 0644);
        if (r < 0)
                return r;
        log_debug("Wrote %s for level %s.", e->state_file, level_name);
        include_graph_invalidate(e->graph, e->state_file);
        free(e->state_text);
        e->state_text = TAKE_PTR(text);
        return 0;
}

int engine_state_file(Engine *e, char **ret_path, char **ret_text) {
        _cleanup_free_ char *p = NULL, *t = NULL;

        if (e->state_file && e->state_text) {
                p = strdup(e->state_file);
                t = strdup(e->state_text);
                if (!p || !t)
                        return -ENOMEM;
        }
        *ret_path = TAKE_PTR(p);
        *ret_text = TAKE_PTR(t);
        return 0;
}

int runstate_prepare(Engine *e, const ResolvedLevel *level, EngineResult *res) {
        _cleanup_free_ char *tree = NULL, *file = NULL;
        StateValues detected = {};
        int r;

        tree = find_state_tree(e);
        if (!tree) {
                e->state_active = false;
                return 0;
        }
        if (parser_major(e->parser_identity) < 5) {
                e->state_active = false;
                if (!e->state_warned) {
                        e->state_warned = true;
                        r = result_add_warning(res, "%s/%s: apparmor.d's runtime state needs AppArmor 5.0's parser to be set; "
                                         "%s cannot, so its values stay as the tree ships them",
                                         tree, STATE_TUNABLE, e->config->parser);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        file = path_join(tree, STATE_DIR_INCLUDE "/" STATE_FILE_NAME);
        if (!file)
                return -ENOMEM;
        if (!streq_ptr(file, e->state_file)) {
                r = include_graph_set_managed(e->graph, file);
                if (r < 0)
                        return r;
                free(e->state_file);
                e->state_file = TAKE_PTR(file);
                free(e->state_text);
                e->state_text = NULL;
        }

        r = sysstate_detect(e->root, &detected);
        if (r < 0)
                return r;
        state_values_done(&e->detected);
        e->detected = detected;
        state_values_done(&e->run_state);
        r = engine_state_for_level(&e->detected, level, &e->run_state);
        if (r < 0)
                return r;
        e->state_active = true;

        r = write_state_file(e, level->name);
        e->state_unwritten = r < 0;
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                /* The keys name the level's values: what the cache has
                 * under them loads; what would compile from the file as it
                 * is fails, and keeps its previous version (plan.c). */
                return result_add_warning(res, "Cannot write %s (%s): profiles that use the runtime state and are not "
                                   "cached for these values are not compiled", e->state_file, strerror(-r));
        return 0;
}

void runstate_restore(Engine *e, EngineResult *res) {
        _cleanup_(resolved_level_freep) ResolvedLevel *applied = NULL;
        StateValues values = {};
        int r;

        if (!e->state_active || !e->state->applied)
                return;
        if (level_set_resolve(e->levels, e->state->applied, &applied) < 0)
                return;
        if (engine_state_for_level(&e->detected, applied, &values) < 0)
                return;
        state_values_done(&e->run_state);
        e->run_state = values;
        r = write_state_file(e, applied->name);
        if (r < 0)
                (void) result_add_warning(res, "Cannot write %s back for level %s: %s", e->state_file,
                                    applied->name, strerror(-r));
}
