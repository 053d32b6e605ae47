/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which files are profiles, and how a level selects them. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "strv.h"
#include "tree.h"
#include "util.h"

static char *dir;

static void put(const char *rel, const char *text) {
        char *p = path_join(dir, rel), *d = strdup(p);
        *strrchr(d, '/') = '\0';
        cr_assert_eq(mkdir_p(d, 0755), 0);
        cr_assert_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
        free(p);
        free(d);
}

static bool has(const ProfileTree *t, const char *name) {
        for (size_t i = 0; i < t->n_sources; i++)
                if (streq(t->sources[i].name, name))
                        return true;
        return false;
}

static const ProfileSource *get(const ProfileTree *t, const char *name) {
        for (size_t i = 0; i < t->n_sources; i++)
                if (streq(t->sources[i].name, name))
                        return &t->sources[i];
        return NULL;
}

Test(tree, parser_rules_disable_force_complain_and_globs) {
        ProfileTree *t = NULL;
        ResolvedLevel level = {};
        char *link = NULL, *loop1 = NULL, *loop2 = NULL, *extra = NULL;

        dir = strdup("/tmp/aalevel-test-tree-XXXXXX");
        cr_assert_not_null(mkdtemp(dir));
        put("pd/usr.sbin.foo", "x");
        put("pd/bar", "x");
        put("pd/snap.thing", "x");
        put("pd/.hidden", "x");
        put("pd/README", "x");
        put("pd/old.dpkg-old", "x");
        put("pd/edit~", "x");
        put("pd/abstractions/base", "x");
        put("pd/local/bar", "x");
        put("pd/disable/bar", "x");
        put("pd/force-complain/usr.sbin.foo", "x");
        put("extra/levelonly", "x");
        cr_assert(asprintf(&link, "%s/pd/linked", dir) > 0);
        cr_assert_eq(symlink("usr.sbin.foo", link), 0);
        cr_assert(asprintf(&loop1, "%s/pd/loop1", dir) > 0);
        cr_assert(asprintf(&loop2, "%s/pd/loop2", dir) > 0);
        cr_assert_eq(symlink(loop2, loop1), 0);
        cr_assert_eq(symlink(loop1, loop2), 0);
        cr_assert(asprintf(&extra, "%s/extra", dir) > 0);

        char *pd = path_join(dir, "pd");
        level.include = (char *[]) { "*", NULL };
        level.exclude = (char *[]) { "snap.*", NULL };
        level.directories = (char *[]) { extra, NULL };
        level.honour_disable = true;
        level.honour_force_complain = true;
        cr_assert_eq(profile_tree_scan(pd, &level, &t), 0);
        cr_assert(has(t, "usr.sbin.foo"));
        cr_assert(has(t, "linked"));
        cr_assert(has(t, "levelonly"));
        cr_assert_not(has(t, "bar"), "disabled");
        cr_assert_not(has(t, "snap.thing"), "excluded");
        cr_assert_not(has(t, ".hidden"));
        cr_assert_not(has(t, "README"));
        cr_assert_not(has(t, "old.dpkg-old"));
        cr_assert_not(has(t, "edit~"));
        cr_assert_not(has(t, "abstractions"));
        cr_assert(get(t, "usr.sbin.foo")->force_complain);
        cr_assert(get(t, "levelonly")->extra);
        cr_assert_eq(strv_length(t->errors), 2, "the two looping symlinks are reported");
        cr_assert(strstr(t->errors[0], "symlink loop") != NULL, "%s", t->errors[0]);
        profile_tree_free(t);

        /* A level that ignores disable/ and force-complain/, and selects. */
        level.honour_disable = false;
        level.honour_force_complain = false;
        level.include = (char *[]) { "usr.*", "bar", NULL };
        cr_assert_eq(profile_tree_scan(pd, &level, &t), 0);
        cr_assert(has(t, "bar"));
        cr_assert(get(t, "bar")->disabled);
        cr_assert_not(get(t, "usr.sbin.foo")->force_complain);
        cr_assert_not(has(t, "linked"));
        cr_assert(has(t, "levelonly"), "extra directories ignore include globs");
        profile_tree_free(t);

        /* A missing policy directory is an empty tree. */
        cr_assert_eq(profile_tree_scan("/nonexistent/pd", NULL, &t), 0);
        cr_assert_eq(t->n_sources, 0);
        profile_tree_free(t);
        free(pd); free(link); free(loop1); free(loop2); free(extra);
}
