/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The plan's last checks, before anything is written: the profiles the
 * level requires (a switch that lacks one applies nothing), and the diff
 * of the planned units against what the state says is loaded (Diff, and
 * `aalevelctl diff`). Nothing here writes to the kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine-internal.h"
#include "log.h"
#include "messages.h"
#include "strv.h"

static bool names_produced(const Unit *units, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (!units[i].failed && strv_contains(units[i].names, name))
                        return true;
        return false;
}

int check_requires(Engine *e, const ResolvedLevel *level, Unit *units, size_t n, EngineResult *res) {
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

int compute_diff(Engine *e, Unit *units, size_t n, EngineResult *res) {
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
