/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Profile files of the policy tree, as a level selects them. */
#include "tree.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph.h"
#include "strv.h"
#include "util.h"

void profile_tree_free(ProfileTree *t) {
        if (!t)
                return;
        for (size_t i = 0; i < t->n_sources; i++) {
                free(t->sources[i].path);
                free(t->sources[i].name);
        }
        free(t->sources);
        strv_free(t->errors);
        free(t);
}

bool level_selects(const ResolvedLevel *level, const char *name, bool extra) {
        bool included = extra;

        if (!level)
                return true;
        STRV_FOREACH(g, level->include)
                if (fnmatch(*g, name, 0) == 0) {
                        included = true;
                        break;
                }
        if (!included)
                return false;
        STRV_FOREACH(g, level->exclude)
                if (fnmatch(*g, name, 0) == 0)
                        return false;
        return true;
}

static bool exists_in(const char *dir, const char *sub, const char *name) {
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s/%s", dir, sub, name) < 0)
                return false;
        return access(p, F_OK) == 0;
}

static int add_error(ProfileTree *t, const char *path, int error) {
        _cleanup_free_ char *msg = NULL;
        if (asprintf(&msg, "%s: %s", path, error == -ELOOP ? "symlink loop" : strerror(-error)) < 0)
                return -ENOMEM;
        return strv_consume(&t->errors, TAKE_PTR(msg));
}

static int consider(ProfileTree *t, const char *dir, const char *name, bool extra, const ResolvedLevel *level) {
        _cleanup_free_ char *path = NULL, *copy = NULL;
        bool disabled, force_complain;
        ProfileSource *a;
        struct stat st;

        if (policy_name_is_skipped(name))
                return 0;
        path = path_join(dir, name);
        if (!path)
                return -ENOMEM;
        if (stat(path, &st) < 0) {
                int e = -errno;
                /* Vanished since readdir (fine), or a dangling or looping
                 * symlink (reported). */
                if (e != -ENOENT || lstat(path, &st) >= 0)
                        return add_error(t, path, e);
                return 0;
        }
        if (!S_ISREG(st.st_mode))
                return 0; /* disable/, local/, abstractions/... */
        if (!level_selects(level, name, extra))
                return 0;

        disabled = !extra && exists_in(dir, "disable", name);
        force_complain = !extra && exists_in(dir, "force-complain", name);
        if (disabled && (!level || level->honour_disable))
                return 0;
        if (level && !level->honour_force_complain)
                force_complain = false;

        copy = strdup(name);
        if (!copy)
                return -ENOMEM;
        a = realloc(t->sources, sizeof(ProfileSource) * (t->n_sources + 1));
        if (!a)
                return -ENOMEM;
        t->sources = a;
        t->sources[t->n_sources++] = (ProfileSource) {
                .path = TAKE_PTR(path),
                .name = TAKE_PTR(copy),
                .disabled = disabled,
                .force_complain = force_complain,
                .extra = extra,
        };
        return 0;
}

static int scan_dir(ProfileTree *t, const char *dir, bool extra, const ResolvedLevel *level) {
        struct dirent **entries = NULL;
        int n, r = 0;

        n = scandir(dir, &entries, NULL, dirent_cmp_bytes);
        if (n < 0) {
                if (errno == ENOENT)
                        return 0;
                return add_error(t, dir, negative_errno());
        }
        for (int i = 0; i < n; i++) {
                if (r >= 0)
                        r = consider(t, dir, entries[i]->d_name, extra, level);
                free(entries[i]);
        }
        free(entries);
        return r;
}

static int source_cmp(const void *a, const void *b) {
        return strcmp(((const ProfileSource *) a)->path, ((const ProfileSource *) b)->path);
}

int profile_tree_scan(const char *policy_dir, const ResolvedLevel *level, ProfileTree **ret) {
        _cleanup_(profile_tree_freep) ProfileTree *t = NULL;
        int r;

        t = calloc(1, sizeof(ProfileTree));
        if (!t)
                return -ENOMEM;
        r = scan_dir(t, policy_dir, false, level);
        if (r < 0)
                return r;
        STRV_FOREACH(d, level ? level->directories : NULL) {
                r = scan_dir(t, *d, true, level);
                if (r < 0)
                        return r;
        }
        if (t->n_sources > 1)
                qsort(t->sources, t->n_sources, sizeof(ProfileSource), source_cmp);
        *ret = TAKE_PTR(t);
        return 0;
}
