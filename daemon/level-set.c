/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Sets of levels: the vendor and admin level files of two directories
 * (an admin file replaces the vendor file of the same name), a level
 * resolved through its parents, raising and lowering, and the booleans
 * of the prelude. One level file is level.c's. */
#include "level.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "strv.h"
#include "util.h"

void level_set_free(LevelSet *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_levels; i++)
                level_free(s->levels[i]);
        free(s->levels);
        strv_free(s->errors);
        free(s);
}

static int level_cmp(const void *a, const void *b) {
        return strcmp((*(Level * const *) a)->name, (*(Level * const *) b)->name);
}

const Level *level_set_find(const LevelSet *s, const char *name) {
        Level key = { .name = (char *) name }, *k = &key, **found;

        if (!s || !name || s->n_levels == 0)
                return NULL;
        found = bsearch(&k, s->levels, s->n_levels, sizeof(Level *), level_cmp);
        return found ? *found : NULL;
}

static int yaml_filter(const struct dirent *de) {
        return de->d_name[0] != '.' && endswith(de->d_name, ".yaml");
}

static int add_level(LevelSet *s, Level *l) {
        /* An admin file (loaded second) replaces the vendor file. */
        for (size_t i = 0; i < s->n_levels; i++)
                if (streq(s->levels[i]->name, l->name)) {
                        level_free(s->levels[i]);
                        s->levels[i] = l;
                        return 0;
                }
        Level **a = realloc(s->levels, sizeof(Level *) * (s->n_levels + 1));
        if (!a) {
                level_free(l);
                return -ENOMEM;
        }
        s->levels = a;
        s->levels[s->n_levels++] = l;
        return 0;
}

static int remove_level(LevelSet *s, const char *name) {
        for (size_t i = 0; i < s->n_levels; i++)
                if (streq(s->levels[i]->name, name)) {
                        level_free(s->levels[i]);
                        memmove(s->levels + i, s->levels + i + 1, sizeof(Level *) * (s->n_levels - i - 1));
                        s->n_levels--;
                        return 1;
                }
        return 0;
}

static int load_dir(LevelSet *s, const char *dir, char ***broken) {
        struct dirent **entries = NULL;
        int n, r = 0;

        if (!dir)
                return 0;
        n = scandir(dir, &entries, yaml_filter, dirent_cmp_bytes);
        if (n < 0) {
                _cleanup_free_ char *error = NULL;
                if (errno == ENOENT || errno == ENOTDIR)
                        return 0;
                if (asprintf(&error, "%s: cannot read the directory: %m", dir) < 0)
                        return -ENOMEM;
                return strv_consume(&s->errors, TAKE_PTR(error));
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *path = path_join(dir, entries[i]->d_name), *error = NULL;
                Level *l = NULL;

                free(entries[i]);
                if (r < 0)
                        continue;
                if (!path) {
                        r = -ENOMEM;
                        continue;
                }
                r = level_load_file(path, &l, &error);
                if (r == -ENOMEM)
                        continue;
                if (r < 0) {
                        _cleanup_free_ char *name = level_name_from_filename(path);
                        /* A broken admin file hides the vendor file of the
                         * same name rather than silently falling back. */
                        if (name && level_name_is_valid(name)) {
                                remove_level(s, name);
                                r = strv_extend(broken, name);
                                if (r < 0)
                                        continue;
                        }
                        r = strv_consume(&s->errors, error ? TAKE_PTR(error) : strdup(path));
                        continue;
                }
                r = add_level(s, l);
        }
        free(entries);
        return r;
}

int level_set_load(const char *vendor_dir, const char *admin_dir, LevelSet **ret) {
        _cleanup_(level_set_freep) LevelSet *s = NULL;
        _cleanup_strv_free_ char **broken = NULL;
        bool changed;
        int r;

        s = calloc(1, sizeof(LevelSet));
        if (!s)
                return -ENOMEM;
        r = load_dir(s, vendor_dir, &broken);
        if (r < 0)
                return r;
        /* Admin files loaded later win; a broken admin file must not leave
         * a stale vendor level of the same name in place. */
        r = load_dir(s, admin_dir, &broken);
        if (r < 0)
                return r;
        STRV_FOREACH(b, broken)
                remove_level(s, *b);
        if (s->n_levels > 1)
                qsort(s->levels, s->n_levels, sizeof(Level *), level_cmp);

        /* Drop levels whose parent is missing or that sit on a cycle, until
         * nothing changes: a child of a dropped level goes too. */
        do {
                changed = false;
                for (size_t i = 0; i < s->n_levels; i++) {
                        Level *l = s->levels[i];
                        _cleanup_free_ char *error = NULL;
                        const Level *cur = l;
                        size_t steps = 0;

                        if (!l->inherits)
                                continue;
                        while (cur && cur->inherits && steps <= s->n_levels) {
                                cur = level_set_find(s, cur->inherits);
                                steps++;
                        }
                        if (!level_set_find(s, l->inherits)) {
                                if (asprintf(&error, "%s:%u: level '%s' inherits '%s', which is %s", l->file,
                                             l->inherits_line, l->name, l->inherits,
                                             strv_contains(broken, l->inherits) ? "broken (see its own error)"
                                                                                 : "not defined") < 0)
                                        return -ENOMEM;
                        } else if (steps > s->n_levels) {
                                /* Name the cycle for the admin. */
                                _cleanup_strv_free_ char **chain = NULL;
                                _cleanup_free_ char *joined = NULL;
                                cur = l;
                                for (size_t k = 0; k <= s->n_levels && cur; k++) {
                                        if (strv_extend(&chain, cur->name) < 0)
                                                return -ENOMEM;
                                        cur = level_set_find(s, cur->inherits);
                                        if (cur == l) {
                                                if (strv_extend(&chain, l->name) < 0)
                                                        return -ENOMEM;
                                                break;
                                        }
                                }
                                joined = strv_join(chain, " -> ");
                                if (!joined || asprintf(&error, "%s:%u: inheritance cycle: %s", l->file,
                                                        l->inherits_line, joined) < 0)
                                        return -ENOMEM;
                        } else
                                continue;
                        r = strv_consume(&s->errors, TAKE_PTR(error));
                        if (r < 0)
                                return r;
                        r = strv_extend(&broken, l->name);
                        if (r < 0)
                                return r;
                        level_free(l);
                        memmove(s->levels + i, s->levels + i + 1, sizeof(Level *) * (s->n_levels - i - 1));
                        s->n_levels--;
                        changed = true;
                        break;
                }
        } while (changed);

        *ret = TAKE_PTR(s);
        return 0;
}

void resolved_level_free(ResolvedLevel *r) {
        if (!r)
                return;
        free(r->name);
        free(r->description);
        strv_free(r->ancestry);
        strv_free(r->include);
        strv_free(r->exclude);
        strv_free(r->directories);
        strv_free(r->requires);
        user_roles_free(r->users, r->n_users);
        free(r->user_namespace);
        for (StateVar i = 0; i < _STATE_VAR_MAX; i++) {
                strv_free(r->state[i]);
                free(r->state_from[i]);
        }
        free(r);
}

int level_set_resolve(const LevelSet *s, const char *name, ResolvedLevel **ret) {
        _cleanup_(resolved_level_freep) ResolvedLevel *rl = NULL;
        const Level *chain[64];
        size_t n = 0;
        const Level *l;
        int r;

        l = level_set_find(s, name);
        if (!l)
                return -ENOENT;
        for (const Level *cur = l; cur; cur = cur->inherits ? level_set_find(s, cur->inherits) : NULL) {
                if (n >= ELEMENTSOF(chain))
                        return -ELOOP;
                chain[n++] = cur;
        }

        rl = calloc(1, sizeof(ResolvedLevel));
        if (!rl)
                return -ENOMEM;
        rl->name = strdup(l->name);
        rl->description = l->description ? strdup(l->description) : strdup("");
        if (!rl->name || !rl->description)
                return -ENOMEM;
        rl->mode = MODE_KEEP;
        rl->honour_disable = true;
        rl->honour_force_complain = true;

        /* From the root ancestor down, so that children override. */
        for (size_t i = n; i-- > 0;) {
                const Level *c = chain[i];

                if (c->include_set) {
                        strv_free(rl->include);
                        rl->include = strv_copy(c->include);
                        if (!rl->include)
                                return -ENOMEM;
                }
                if ((r = strv_extend_strv(&rl->exclude, c->exclude)) < 0 ||
                    (r = strv_extend_strv(&rl->directories, c->directories)) < 0 ||
                    (r = strv_extend_strv(&rl->requires, c->requires)) < 0)
                        return r;
                if (c->mode_set)
                        rl->mode = c->mode;
                if (c->honour_disable_set)
                        rl->honour_disable = c->honour_disable;
                if (c->honour_force_complain_set)
                        rl->honour_force_complain = c->honour_force_complain;
                if (c->confirm_set)
                        rl->confirm_sec = c->confirm_sec;
                if (c->early_policy_set)
                        rl->early_policy = c->early_policy;
                if (c->users_set) {
                        for (size_t k = 0; k < rl->n_users; k++) {
                                free(rl->users[k].user);
                                free(rl->users[k].role);
                        }
                        free(rl->users);
                        rl->users = NULL;
                        rl->n_users = 0;
                        if (c->n_users > 0) {
                                rl->users = calloc(c->n_users, sizeof(UserRole));
                                if (!rl->users)
                                        return -ENOMEM;
                                for (size_t k = 0; k < c->n_users; k++) {
                                        rl->users[k].user = strdup(c->users[k].user);
                                        rl->users[k].role = strdup(c->users[k].role);
                                        rl->n_users++;
                                        if (!rl->users[k].user || !rl->users[k].role)
                                                return -ENOMEM;
                                }
                        }
                        if (free_and_strdup(&rl->user_namespace, c->user_namespace) < 0)
                                return -ENOMEM;
                }
                for (StateVar v = 0; v < _STATE_VAR_MAX; v++) {
                        if (!c->state[v])
                                continue;
                        strv_free(rl->state[v]);
                        rl->state[v] = strv_copy(c->state[v]);
                        if (!rl->state[v] || free_and_strdup(&rl->state_from[v], c->name) < 0)
                                return -ENOMEM;
                }
        }
        /* The level's own variables always have a value; ${RBAC}, unless
         * pinned, says whether the level confines users. */
        for (StateVar v = STATE_LEVEL; v <= STATE_RBAC; v++)
                if (!rl->state[v]) {
                        r = strv_extend(&rl->state[v], v == STATE_LEVEL ? "0"
                                                       : v == STATE_RBAC && rl->n_users > 0 ? "true" : "false");
                        if (r < 0)
                                return r;
                }
        if (!rl->include) {
                r = strv_extend(&rl->include, "*");
                if (r < 0)
                        return r;
        }
        for (size_t i = 0; i < n; i++) {
                r = strv_extend(&rl->ancestry, chain[i]->name);
                if (r < 0)
                        return r;
        }
        strv_uniq(rl->exclude);
        strv_uniq(rl->directories);
        strv_uniq(rl->requires);
        if (!rl->exclude && !(rl->exclude = calloc(1, sizeof(char *))))
                return -ENOMEM;
        if (!rl->directories && !(rl->directories = calloc(1, sizeof(char *))))
                return -ENOMEM;
        if (!rl->requires && !(rl->requires = calloc(1, sizeof(char *))))
                return -ENOMEM;
        *ret = TAKE_PTR(rl);
        return 0;
}

/* Whether every name pattern a matches, b matches too. Shown from the
 * text alone, so false when unsure: the same pattern, b a literal prefix
 * and a star that a starts with, or a literal name that b matches. */
static bool glob_within(const char *a, const char *b) {
        static const char meta[] = "*?[\\";
        size_t n = strlen(b);

        if (streq(a, b))
                return true;
        if (n > 0 && b[n - 1] == '*' && strcspn(b, meta) == n - 1 && strncmp(a, b, n - 1) == 0)
                return true;
        return a[strcspn(a, meta)] == '\0' && fnmatch(b, a, 0) == 0;
}

/* Every pattern of a lies within one of b. */
static bool globs_within(char * const *a, char * const *b) {
        STRV_FOREACH(i, a) {
                bool found = false;

                STRV_FOREACH(j, b)
                        if (glob_within(*i, *j)) {
                                found = true;
                                break;
                        }
                if (!found)
                        return false;
        }
        return true;
}

/* Every profile gets at `to` a mode at least as strong (enforce, then
 * complain) as at `from`, whatever the profile declares. */
static bool modes_within(const ResolvedLevel *from, const ResolvedLevel *to) {
        switch (to->mode) {
        case MODE_ENFORCE:
                return true;
        case MODE_COMPLAIN:
                return from->mode == MODE_COMPLAIN;
        default:
                /* keep: as declared, or complain when in force-complain/ and
                 * that is honoured; from `enforce` that weakens some. */
                return from->mode == MODE_COMPLAIN ||
                       (from->mode == MODE_KEEP && (from->honour_force_complain || !to->honour_force_complain));
        }
}

static bool users_within(const ResolvedLevel *from, const ResolvedLevel *to) {
        if (from->user_namespace && !streq_ptr(from->user_namespace, to->user_namespace))
                return false;
        for (size_t i = 0; i < from->n_users; i++) {
                bool found = false;

                for (size_t k = 0; k < to->n_users && !found; k++)
                        found = streq(from->users[i].user, to->users[k].user) &&
                                streq(from->users[i].role, to->users[k].role);
                if (!found)
                        return false;
        }
        return true;
}

static bool strv_within(char * const *a, char * const *b) {
        STRV_FOREACH(i, a)
                if (!strv_contains((char **) b, *i))
                        return false;
        return true;
}

/* apparmor.d's runtime state: @{LEVEL} no lower, ${FSP} and ${RBAC}
 * not turned off, every other pin the same (a profile's rules under
 * another desktop or OS are not shown to be stricter). */
static bool state_within(const ResolvedLevel *from, const ResolvedLevel *to) {
        for (StateVar v = 0; v < _STATE_VAR_MAX; v++) {
                char * const *a = from->state[v], * const *b = to->state[v];

                if (v == STATE_LEVEL) {
                        if (a && b && a[0] && b[0] && strcmp(b[0], a[0]) < 0)
                                return false;
                } else if (state_var_is_boolean(v)) {
                        if (a && a[0] && streq(a[0], "true") && !(b && b[0] && streq(b[0], "true")))
                                return false;
                } else if (!!a != !!b || (a && !strv_equal((char **) a, (char **) b)))
                        return false;
        }
        return true;
}

bool resolved_level_is_raise(const ResolvedLevel *from, const ResolvedLevel *to) {
        if (!from || !to)
                return false;
        /* What `from` loads, `to` loads: its patterns and directories, no
         * exclusion of its own, no disabled profile left out again. */
        if (!globs_within(from->include, to->include) || !globs_within(to->exclude, from->exclude) ||
            !strv_within(from->directories, to->directories) || (!from->honour_disable && to->honour_disable))
                return false;
        /* In a mode at least as strong. */
        if (!modes_within(from, to))
                return false;
        /* The profiles' $aalevel_NAME rules of `from` stay active: `to`
         * inherits `from` (its ancestry holds all of from's). */
        if (!strv_within(from->ancestry, to->ancestry))
                return false;
        /* Confined users stay confined, in the same roles. */
        if (!users_within(from, to))
                return false;
        /* PID 1 stays confined from boot on. */
        if (from->early_policy && !to->early_policy)
                return false;
        return state_within(from, to);
}

bool level_set_is_raise(const LevelSet *s, const char *from, const char *to) {
        _cleanup_(resolved_level_freep) ResolvedLevel *a = NULL, *b = NULL;

        if (!from || !to)
                return false;
        /* A level that cannot be resolved (unknown, out of memory): lowering. */
        if (level_set_resolve(s, from, &a) < 0 || level_set_resolve(s, to, &b) < 0)
                return false;
        return resolved_level_is_raise(a, b);
}

char **level_set_boolean_names(const LevelSet *s) {
        static const char * const standard[] = { "default", "strict", "fsp", "extreme" };
        _cleanup_strv_free_ char **l = NULL;

        l = calloc(1, sizeof(char *));
        if (!l)
                return NULL;
        for (size_t i = 0; i < ELEMENTSOF(standard); i++)
                if (strv_extend(&l, standard[i]) < 0)
                        return NULL;
        for (size_t i = 0; s && i < s->n_levels; i++)
                if (strv_extend(&l, s->levels[i]->name) < 0)
                        return NULL;
        strv_uniq(l);
        return TAKE_PTR(l);
}
