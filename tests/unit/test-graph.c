/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Closures: what a profile depends on, including missing files, loops,
 * directory includes, symlinks, bad files; and invalidation. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "graph.h"
#include "strv.h"
#include "util.h"

static char *root;

static void put(const char *rel, const char *text) {
        char *p = path_join(root, rel), *dir = strdup(p);
        *strrchr(dir, '/') = '\0';
        cr_assert_eq(mkdir_p(dir, 0755), 0);
        cr_assert_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
        free(p);
        free(dir);
}

static char *at(const char *rel) {
        return path_join(root, rel);
}

static void setup(void) {
        root = strdup("/tmp/aalevel-test-graph-XXXXXX");
        cr_assert_not_null(mkdtemp(root));
}

static void teardown(void) {
        char *cmd = NULL;
        cr_assert(asprintf(&cmd, "rm -rf '%s'", root) > 0);
        (void) !system(cmd);
        free(cmd);
        free(root);
}

static IncludeGraph *graph(void) {
        IncludeGraph *g = NULL;
        char *search = at("pd");
        cr_assert_eq(include_graph_new((char *[]) { search, NULL }, root, "", &g), 0);
        free(search);
        return g;
}

static const Dep *find_dep(const Closure *c, const char *rel) {
        char *p = at(rel);
        const Dep *d = NULL;
        for (size_t i = 0; i < c->n_deps; i++)
                if (streq(c->deps[i]->path, p))
                        d = c->deps[i];
        free(p);
        return d;
}

TestSuite(graph, .init = setup, .fini = teardown);

Test(graph, closure_with_everything) {
        put("pd/foo", "include <tunables/global>\nprofile foo {\n include <abstractions/base>\n"
                      " include if exists <local/foo>\n include <abstractions/dir.d>\n include \"rel\"\n}\n");
        put("pd/tunables/global", "include <tunables/home>\n");
        put("pd/tunables/home", "@{HOME}=/home/*/\n");
        put("pd/abstractions/base", "/etc/ld.so.cache r,\n include <abstractions/base>\n");
        put("pd/abstractions/dir.d/one", "/one r,\n");
        put("pd/abstractions/dir.d/two~", "garbage(\n");
        put("pd/abstractions/dir.d/sub/three", "garbage(\n");
        put("rel", "$aalevel_strict_ok = true\n/rel r,\n");

        IncludeGraph *g = graph();
        Closure *c = NULL;
        char *foo = at("pd/foo");
        cr_assert_eq(include_graph_closure(g, foo, &c), 0);
        cr_assert_null(c->error);
        cr_assert_not_null(find_dep(c, "pd/foo"));
        cr_assert_eq(find_dep(c, "pd/tunables/home")->type, DEP_FILE);
        cr_assert_eq(find_dep(c, "pd/local/foo")->type, DEP_MISSING);
        cr_assert_eq(find_dep(c, "pd/abstractions/dir.d")->type, DEP_DIR);
        cr_assert_not_null(find_dep(c, "pd/abstractions/dir.d/one"));
        cr_assert_null(find_dep(c, "pd/abstractions/dir.d/two~"));
        cr_assert_null(find_dep(c, "pd/abstractions/dir.d/sub/three"));
        cr_assert_eq(find_dep(c, "rel")->type, DEP_FILE);
        cr_assert(c->mentions_aalevel);
        /* abstractions/base includes itself: the parser skips it, so do we. */
        cr_assert_eq(strv_length(c->warnings), 1);
        cr_assert(strstr(c->warnings[0], "include loop") != NULL);

        /* Creating the missing local override changes the digest. */
        uint8_t before[32];
        memcpy(before, c->digest, 32);
        closure_free(c);
        put("pd/local/foo", "/srv/** r,\n");
        char *local = at("pd/local/foo");
        include_graph_invalidate(g, local);
        cr_assert_eq(include_graph_closure(g, foo, &c), 0);
        cr_assert_eq(find_dep(c, "pd/local/foo")->type, DEP_FILE);
        cr_assert_neq(memcmp(before, c->digest, 32), 0);

        /* Without invalidation nothing is read again. */
        uint64_t reads = include_graph_reads(g);
        Closure *again = NULL;
        cr_assert_eq(include_graph_closure(g, foo, &again), 0);
        cr_assert_eq(include_graph_reads(g), reads);
        cr_assert_eq(memcmp(again->digest, c->digest, 32), 0);
        closure_free(again);

        /* A new file in an included directory changes the digest. */
        memcpy(before, c->digest, 32);
        put("pd/abstractions/dir.d/new", "/new r,\n");
        char *newfile = at("pd/abstractions/dir.d/new");
        include_graph_invalidate(g, newfile);
        closure_free(c);
        cr_assert_eq(include_graph_closure(g, foo, &c), 0);
        cr_assert_not_null(find_dep(c, "pd/abstractions/dir.d/new"));
        cr_assert_neq(memcmp(before, c->digest, 32), 0);

        closure_free(c);
        include_graph_free(g);
        free(foo);
        free(local);
        free(newfile);
}

Test(graph, bad_files_are_errors_of_the_closure) {
        IncludeGraph *g = graph();
        Closure *c = NULL;
        char *p;

        put("pd/bin", "include <abstractions/blob>\n");
        put("pd/abstractions/placeholder", "");
        p = at("pd/abstractions/blob");
        cr_assert_eq(write_file_atomic(p, "a\0b", 3, 0644), 0);
        free(p);
        p = at("pd/bin");
        cr_assert_eq(include_graph_closure(g, p, &c), 0);
        cr_assert_not_null(c->error);
        cr_assert(strstr(c->error, "binary data") != NULL, "%s", c->error);
        closure_free(c);
        free(p);

        /* A symlink loop. */
        put("pd/loopy", "include <abstractions/loop1>\n");
        char *l1 = at("pd/abstractions/loop1"), *l2 = at("pd/abstractions/loop2");
        cr_assert_eq(symlink(l2, l1), 0);
        cr_assert_eq(symlink(l1, l2), 0);
        p = at("pd/loopy");
        cr_assert_eq(include_graph_closure(g, p, &c), 0);
        cr_assert_not_null(c->error);
        cr_assert(strstr(c->error, "symlink loop") != NULL, "%s", c->error);
        closure_free(c);
        free(p);
        free(l1);
        free(l2);

        /* The profile file itself missing (vanished between scan and read). */
        p = at("pd/gone");
        cr_assert_eq(include_graph_closure(g, p, &c), 0);
        cr_assert_eq(c->n_deps, 1);
        cr_assert_eq(c->deps[0]->type, DEP_MISSING);
        closure_free(c);
        free(p);

        /* Unreadable (as root this is readable: only checked when not root). */
        if (geteuid() != 0) {
                put("pd/secret", "/x r,\n");
                p = at("pd/secret");
                chmod(p, 0);
                cr_assert_eq(include_graph_closure(g, p, &c), 0);
                cr_assert_not_null(c->error);
                closure_free(c);
                free(p);
        }

        /* A FIFO must not hang the reader. */
        p = at("pd/fifo");
        cr_assert_eq(mkfifo(p, 0644), 0);
        cr_assert_eq(include_graph_closure(g, p, &c), 0);
        cr_assert_not_null(c->error);
        closure_free(c);
        free(p);
        include_graph_free(g);
}

Test(graph, search_path_order_and_symlinks) {
        IncludeGraph *g = NULL;
        char *first = at("first"), *second = at("pd");
        cr_assert_eq(include_graph_new((char *[]) { first, second, NULL }, "/", "", &g), 0);

        put("pd/prof", "include <abstractions/a>\n");
        put("pd/abstractions/a", "/a r,\n");
        put("real/target", "/t r,\n");
        char *link = at("pd/abstractions/b"), *target = at("real/target");
        cr_assert_eq(symlink(target, link), 0);
        put("pd/prof2", "include <abstractions/b>\n");

        Closure *c = NULL;
        char *p = at("pd/prof");
        cr_assert_eq(include_graph_closure(g, p, &c), 0);
        /* The candidate in the first directory is a (missing) dependency. */
        cr_assert_eq(find_dep(c, "first/abstractions/a")->type, DEP_MISSING);
        cr_assert_eq(find_dep(c, "pd/abstractions/a")->type, DEP_FILE);
        closure_free(c);
        free(p);

        p = at("pd/prof2");
        cr_assert_eq(include_graph_closure(g, p, &c), 0);
        char **watched = include_graph_paths(g);
        cr_assert(strv_contains(watched, target), "watch the symlink's target");
        strv_free(watched);
        uint8_t before[32];
        memcpy(before, c->digest, 32);
        closure_free(c);
        put("real/target", "/changed r,\n");
        include_graph_invalidate(g, target);
        cr_assert_eq(include_graph_closure(g, p, &c), 0);
        cr_assert_neq(memcmp(before, c->digest, 32), 0, "editing the target through the link's watch");
        closure_free(c);
        free(p);
        include_graph_free(g);
        free(first); free(second); free(link); free(target);
}

Test(graph, root_is_left_out_of_digests) {
        IncludeGraph *g1 = NULL, *g2 = NULL;
        Closure *c1 = NULL, *c2 = NULL;
        put("img/etc/apparmor.d/p", "include <abstractions/x>\ninclude <abstractions/d.d>\n");
        put("img/etc/apparmor.d/abstractions/x", "/x r,\n");
        put("img/etc/apparmor.d/abstractions/d.d/one", "/one r,\n");
        put("etc/apparmor.d/p", "include <abstractions/x>\ninclude <abstractions/d.d>\n");
        put("etc/apparmor.d/abstractions/x", "/x r,\n");
        put("etc/apparmor.d/abstractions/d.d/one", "/one r,\n");
        char *s1 = at("img/etc/apparmor.d"), *s2 = at("etc/apparmor.d"), *r1 = at("img");
        char *p1 = at("img/etc/apparmor.d/p"), *p2 = at("etc/apparmor.d/p");
        cr_assert_eq(include_graph_new((char *[]) { s1, NULL }, r1, r1, &g1), 0);
        cr_assert_eq(include_graph_new((char *[]) { s2, NULL }, root, root, &g2), 0);
        cr_assert_eq(include_graph_closure(g1, p1, &c1), 0);
        cr_assert_eq(include_graph_closure(g2, p2, &c2), 0);
        cr_assert_eq(memcmp(c1->digest, c2->digest, 32), 0);
        closure_free(c1); closure_free(c2);
        include_graph_free(g1); include_graph_free(g2);
        free(s1); free(s2); free(r1); free(p1); free(p2);
}

Test(graph, skipped_names) {
        cr_assert(policy_name_is_skipped(".hidden"));
        cr_assert(policy_name_is_skipped("README"));
        cr_assert(policy_name_is_skipped("foo.dpkg-old"));
        cr_assert(policy_name_is_skipped("foo.rpmnew"));
        cr_assert(policy_name_is_skipped("foo~"));
        cr_assert(policy_name_is_skipped("foo.orig"));
        cr_assert(policy_name_is_skipped(""));
        cr_assert_not(policy_name_is_skipped("usr.sbin.foo"));
        cr_assert_not(policy_name_is_skipped("README.md"));
}

/* Closures are memoized: unchanged, the very same closure comes back
 * without reading anything; a change reaches exactly the closures that
 * read the changed path. */
Test(graph, memoized_closures) {
        put("pd/a", "profile a {\n include <abstractions/shared>\n include if exists <local/a>\n}\n");
        put("pd/b", "profile b {\n include <abstractions/shared>\n}\n");
        put("pd/abstractions/shared", "/shared r,\n");
        IncludeGraph *g = graph();
        char *a = at("pd/a"), *b = at("pd/b"), *local = at("pd/local/a"), *shared = at("pd/abstractions/shared");
        Closure *a1 = NULL, *b1 = NULL, *a2 = NULL, *b2 = NULL;

        cr_assert_eq(include_graph_closure(g, a, &a1), 0);
        cr_assert_eq(include_graph_closure(g, b, &b1), 0);
        uint64_t reads = include_graph_reads(g);
        cr_assert_eq(include_graph_closure(g, a, &a2), 0);
        cr_assert_eq(a2, a1, "the memoized closure");
        cr_assert_eq(include_graph_reads(g), reads);
        closure_free(a2);

        /* local/a appears: a is recomputed, b is not. */
        put("pd/local/a", "/srv r,\n");
        include_graph_invalidate(g, local);
        cr_assert_eq(include_graph_closure(g, a, &a2), 0);
        cr_assert_neq(a2, a1);
        cr_assert_neq(memcmp(a2->digest, a1->digest, 32), 0);
        cr_assert_eq(find_dep(a2, "pd/local/a")->type, DEP_FILE);
        cr_assert_eq(include_graph_closure(g, b, &b2), 0);
        cr_assert_eq(b2, b1);
        closure_free(b2);
        /* The old closure stays valid for whoever holds it. */
        cr_assert_eq(find_dep(a1, "pd/local/a")->type, DEP_MISSING);
        closure_free(a1);
        closure_free(a2);

        /* The shared abstraction changes: both are recomputed. */
        put("pd/abstractions/shared", "/shared rw,\n");
        include_graph_invalidate(g, shared);
        cr_assert_eq(include_graph_closure(g, b, &b2), 0);
        cr_assert_neq(b2, b1);
        cr_assert_neq(memcmp(b2->digest, b1->digest, 32), 0);
        closure_free(b1);
        closure_free(b2);

        /* The paths to watch: every path read or looked for. */
        char **paths = include_graph_paths(g);
        cr_assert(strv_contains(paths, local));
        cr_assert(strv_contains(paths, shared));
        strv_free(paths);

        include_graph_free(g);
        free(a); free(b); free(local); free(shared);
}

/* Past the racy window, with what was read racy read again: from here
 * nothing is changed. */
static void settle(IncludeGraph *g, const char *p) {
        Closure *c = NULL;

        sleep(3);
        (void) include_graph_revalidate(g);
        cr_assert_eq(include_graph_closure(g, p, &c), 0);
        closure_free(c);
        cr_assert_eq(include_graph_revalidate(g), 0);
}

/* A full reload reads again only what changed on disk, judged by each
 * path's status; a file changed just before it was read is always read
 * again. */
Test(graph, revalidate, .timeout = 30) {
        put("pd/p", "profile p {\n include <abstractions/x>\n include if exists <local/p>\n include <abstractions/d>\n}\n");
        put("pd/abstractions/x", "/x r,\n");
        put("pd/abstractions/d/one", "/one r,\n");
        IncludeGraph *g = graph();
        char *p = at("pd/p"), *x = at("pd/abstractions/x");
        Closure *c1 = NULL, *c2 = NULL;

        /* Just written: racy, so not trusted by status. */
        cr_assert_eq(include_graph_closure(g, p, &c1), 0);
        cr_assert_gt(include_graph_revalidate(g), 0);
        closure_free(c1);

        sleep(3);
        cr_assert_eq(include_graph_closure(g, p, &c1), 0);
        uint64_t reads = include_graph_reads(g);
        cr_assert_eq(include_graph_revalidate(g), 0, "nothing changed");
        cr_assert_eq(include_graph_closure(g, p, &c2), 0);
        cr_assert_eq(c2, c1);
        cr_assert_eq(include_graph_reads(g), reads, "nothing read again");
        closure_free(c2);

        /* Content changed in place (same size). */
        put("pd/abstractions/x", "/y r,\n");
        cr_assert_eq(include_graph_revalidate(g), 1);
        cr_assert_eq(include_graph_closure(g, p, &c2), 0);
        cr_assert_neq(memcmp(c2->digest, c1->digest, 32), 0);
        closure_free(c1);
        c1 = c2;

        /* An older file renamed over it: another inode. */
        settle(g, p);
        put("old", "/old r,\n");
        char *old = at("old");
        struct timespec past[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
        cr_assert_eq(utimensat(AT_FDCWD, old, past, 0), 0);
        cr_assert_eq(rename(old, x), 0);
        cr_assert_gt(include_graph_revalidate(g), 0);
        cr_assert_eq(include_graph_closure(g, p, &c2), 0);
        cr_assert_not_null(find_dep(c2, "pd/abstractions/x"));
        cr_assert_neq(memcmp(c2->digest, c1->digest, 32), 0);
        closure_free(c1);
        c1 = c2;

        /* A missing file appears; a file appears in an included directory. */
        settle(g, p);
        put("pd/local/p", "/srv r,\n");
        put("pd/abstractions/d/two", "/two r,\n");
        cr_assert_gt(include_graph_revalidate(g), 0);
        cr_assert_eq(include_graph_closure(g, p, &c2), 0);
        cr_assert_eq(find_dep(c2, "pd/local/p")->type, DEP_FILE);
        cr_assert_not_null(find_dep(c2, "pd/abstractions/d/two"));
        closure_free(c1);
        closure_free(c2);

        include_graph_free(g);
        free(p); free(x); free(old);
}
