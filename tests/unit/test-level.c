/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Level files: parsing, bad input with file and line, inheritance. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "fileio.h"
#include "level.h"
#include "strv.h"
#include "util.h"

static Level *parse_ok(const char *name, const char *text) {
        Level *l = NULL;
        char *error = NULL;
        int r = level_parse_string(text, strlen(text), name, &l, &error);
        cr_assert_eq(r, 0, "unexpected error: %s", error ? error : "(none)");
        return l;
}

static void expect_error(const char *name, const char *text, const char *expect) {
        Level *l = NULL;
        char *error = NULL;
        int r = level_parse_string(text, strlen(text), name, &l, &error);
        cr_expect_lt(r, 0, "expected an error for: %s", text);
        cr_expect_not_null(error);
        if (error)
                cr_expect(strstr(error, expect) != NULL, "got '%s', want '%s'", error, expect);
        free(error);
        level_free(l);
}

Test(level, names) {
        cr_assert(level_name_is_valid("strict"));
        cr_assert(level_name_is_valid("strict_server2"));
        cr_assert(!level_name_is_valid("Strict"));
        cr_assert(!level_name_is_valid("2strict"));
        cr_assert(!level_name_is_valid("strict-server"));
        cr_assert(!level_name_is_valid(""));
        cr_assert(!level_name_is_valid(NULL));
}

Test(level, full_file) {
        Level *l = parse_ok("/x/extreme.yaml",
                "description: Everything\n"
                "inherits: fsp\n"
                "profiles:\n"
                "  include: ['*']\n"
                "  exclude: [snap*, 'docker-*']\n"
                "  directories: [/usr/share/aalevel/profiles/extreme]\n"
                "mode: enforce\n"
                "disable: yes\n"
                "force_complain: false\n"
                "requires: [init-systemd]\n"
                "confirm: 120\n"
                "early_policy: true\n"
                "users:\n"
                "  namespace: application\n"
                "  roles:\n"
                "    - user: alice\n"
                "      role: confined_user\n");
        cr_assert_str_eq(l->name, "extreme");
        cr_assert_str_eq(l->inherits, "fsp");
        cr_assert_eq(strv_length(l->exclude), 2);
        cr_assert_eq(l->mode, MODE_ENFORCE);
        cr_assert(l->honour_disable_set && l->honour_disable);
        cr_assert(l->honour_force_complain_set && !l->honour_force_complain);
        cr_assert_eq(l->confirm_sec, 120);
        cr_assert_eq(l->n_users, 1);
        cr_assert_str_eq(l->users[0].role, "confined_user");
        cr_assert_str_eq(l->user_namespace, "application");
        level_free(l);
}

Test(level, empty_file_is_valid) {
        Level *l = parse_ok("plain.yaml", "");
        cr_assert_not(l->include_set);
        level_free(l);
}

Test(level, bad_input) {
        expect_error("a.yaml", "mode: enforce\nmodes: complain\n", "a.yaml:2: unknown key 'modes'");
        expect_error("a.yaml", "mode: strictest\n", "a.yaml:1: 'mode' must be keep, enforce or complain");
        expect_error("a.yaml", "confirm: soon\n", "a.yaml:1: 'confirm' must be a whole number");
        expect_error("a.yaml", "confirm: -5\n", "a.yaml:1: 'confirm'");
        expect_error("a.yaml", "confirm: '60'\n", "a.yaml:1: 'confirm'");
        expect_error("a.yaml", "disable: maybe\n", "a.yaml:1: 'disable' must be true or false");
        expect_error("a.yaml", "disable: 'true'\n", "a.yaml:1: 'disable' must be true or false");
        expect_error("a.yaml", "requires: init\n", "a.yaml:1: 'requires' must be a list");
        expect_error("a.yaml", "description:\n  - a\n", "a.yaml:2: 'description' must be a single value");
        expect_error("a.yaml", "profiles:\n  include: [a/b]\n", "a.yaml:2: 'a/b' in 'profiles.include' is not a file name pattern");
        expect_error("a.yaml", "profiles:\n  directories: [relative]\n", "is not an absolute path");
        expect_error("a.yaml", "profiles:\n  incude: ['*']\n", "a.yaml:2: unknown key 'profiles.incude'");
        expect_error("a.yaml", "name: b\n", "a.yaml:1: name 'b' does not match the file name");
        expect_error("a.yaml", "inherits: a\n", "a.yaml:1: level 'a' cannot inherit from itself");
        expect_error("a.yaml", "inherits: Not-A-Level\n", "a.yaml:1: 'inherits' must name a level");
        expect_error("a.yaml", "mode: enforce\nmode: keep\n", "a.yaml:2: duplicate key 'mode'");
        expect_error("a.yaml", "- just\n- a list\n", "a.yaml:1: a level file must be a mapping");
        expect_error("a.yaml", "mode: [unclosed\n", "a.yaml:");
        expect_error("a.yaml", "a: &x 1\nb: *x\n", "anchors are not supported");
        expect_error("a.yaml", "mode: keep\n---\nmode: keep\n", "a.yaml:3: more than one YAML document");
        expect_error("a.yaml", "users:\n  roles:\n    - user: bob\n", "a.yaml:3: each of users.roles needs both");
        expect_error("a.yaml", "users:\n  roles:\n    - user: 'b:b'\n      role: r\n", "is not a valid user name");
        expect_error("a.yaml", "\t- tab\n", "a.yaml:1: YAML syntax error");
        expect_error("a.yaml", "state:\n  LEVL: 1\n", "a.yaml:2: unknown key 'state.LEVL' (known: LEVEL");
        expect_error("a.yaml", "state:\n  LEVEL: 4\n", "a.yaml:2: 'state.LEVEL' must be 0, 1, 2 or 3");
        expect_error("a.yaml", "state:\n  LEVEL: strict\n", "'state.LEVEL' must be 0, 1, 2 or 3");
        expect_error("a.yaml", "state:\n  LEVEL: [1]\n", "'state.LEVEL' must be 0, 1, 2 or 3");
        expect_error("a.yaml", "state:\n  FSP: maybe\n", "a.yaml:2: 'state.FSP' must be true or false");
        expect_error("a.yaml", "state:\n  DE: 'gnome, /** rwx'\n", "a.yaml:2: 'gnome, /** rwx' in 'state.DE' is not a word");
        expect_error("a.yaml", "state:\n  DE: [gnome, 'a}b']\n", "'a}b' in 'DE' is not a word");
        expect_error("a.yaml", "state:\n  DE: []\n", "a.yaml:2: 'state.DE' must list 1 to 32 words");
        expect_error("a.yaml", "state:\n  DE: {a: b}\n", "'DE' must be a list");
        expect_error("a.yaml", "state: none\n", "a.yaml:1: 'state' must be a mapping");
        expect_error("a.yaml", "state:\n  DE: [none]\n  DE: [kde]\n", "a.yaml:3: duplicate key 'DE'");
        expect_error("Bad-Name.yaml", "", "Bad-Name.yaml:1: a level file must be called NAME.yaml");
        expect_error("noext", "", "must be called NAME.yaml");
        {
                static const char bin[] = "mode: keep\n\0\x01\x02";
                Level *l = NULL;
                char *error = NULL;
                cr_expect_lt(level_parse_string(bin, sizeof(bin) - 1, "a.yaml", &l, &error), 0);
                cr_expect(error && strstr(error, "binary data"), "got %s", error);
                free(error);
        }
        {
                /* Deep nesting must be refused, not recurse without bound. */
                char deep[4096] = "profiles: ";
                for (int i = 0; i < 1000; i++)
                        strcat(deep, "[");
                expect_error("a.yaml", deep, "a.yaml:1:");
        }
}

static char *tempdir(void) {
        char *d = strdup("/tmp/aalevel-test-level-XXXXXX");
        cr_assert_not_null(mkdtemp(d));
        return d;
}

static void put(const char *dir, const char *name, const char *text) {
        char *p = path_join(dir, name);
        cr_assert_eq(mkdir_p(dir, 0755), 0);
        cr_assert_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
        free(p);
}

Test(level, set_inheritance_override_and_errors) {
        char *d = tempdir(), *vendor = path_join(d, "vendor"), *admin = path_join(d, "admin");
        LevelSet *s = NULL;
        ResolvedLevel *r = NULL;

        put(vendor, "default.yaml", "description: base\nprofiles:\n  exclude: [a*]\n");
        put(vendor, "strict.yaml", "inherits: default\nmode: enforce\nforce_complain: false\nrequires: [x]\n");
        put(vendor, "fsp.yaml", "inherits: strict\nconfirm: 60\nearly_policy: true\nrequires: [y]\n");
        put(vendor, "broken.yaml", "mode: [\n");
        put(vendor, "orphan.yaml", "inherits: nosuchlevel\n");
        put(vendor, "loopa.yaml", "inherits: loopb\n");
        put(vendor, "loopb.yaml", "inherits: loopa\n");
        put(vendor, "child_of_broken.yaml", "inherits: broken\n");
        put(admin, "strict.yaml", "inherits: default\nmode: enforce\nprofiles:\n  exclude: [b*]\n");
        put(admin, "server.yaml", "inherits: fsp\nprofiles:\n  include: [nginx, 'php*']\n");

        cr_assert_eq(level_set_load(vendor, admin, &s), 0);
        cr_assert_not_null(level_set_find(s, "default"));
        cr_assert_not_null(level_set_find(s, "server"));
        cr_assert_null(level_set_find(s, "broken"));
        cr_assert_null(level_set_find(s, "orphan"));
        cr_assert_null(level_set_find(s, "loopa"));
        cr_assert_null(level_set_find(s, "loopb"));
        cr_assert_null(level_set_find(s, "child_of_broken"));
        cr_assert_eq(strv_length(s->errors), 5, "errors: %zu", strv_length(s->errors));
        bool saw_cycle = false, saw_missing = false;
        STRV_FOREACH(e, s->errors) {
                if (strstr(*e, "inheritance cycle: loopa -> loopb -> loopa") ||
                    strstr(*e, "inheritance cycle: loopb -> loopa -> loopb"))
                        saw_cycle = true;
                if (strstr(*e, "orphan.yaml:1: level 'orphan' inherits 'nosuchlevel', which is not defined"))
                        saw_missing = true;
        }
        cr_assert(saw_cycle);
        cr_assert(saw_missing);

        /* The admin's strict replaced the vendor's: no requires x. */
        cr_assert_eq(level_set_resolve(s, "server", &r), 0);
        cr_assert_eq(r->mode, MODE_ENFORCE);
        cr_assert_eq(r->confirm_sec, 60);
        cr_assert(r->early_policy);
        cr_assert(r->honour_force_complain); /* the admin strict does not say */
        cr_assert_eq(strv_length(r->include), 2);
        cr_assert_eq(strv_length(r->exclude), 2); /* a*, b* */
        cr_assert(strv_equal(r->requires, (char *[]) { "y", NULL }));
        cr_assert(strv_equal(r->ancestry, (char *[]) { "server", "fsp", "strict", "default", NULL }));
        resolved_level_free(r);

        cr_assert_eq(level_set_resolve(s, "default", &r), 0);
        cr_assert(strv_equal(r->include, (char *[]) { "*", NULL }));
        cr_assert_eq(r->mode, MODE_KEEP);
        resolved_level_free(r);
        cr_assert_eq(level_set_resolve(s, "nosuch", &r), -ENOENT);

        /* The admin's strict excludes b*, which default loads; server
         * includes only nginx and php*: both unload profiles (#9). */
        cr_assert_not(level_set_is_raise(s, "default", "strict"));
        cr_assert_not(level_set_is_raise(s, "strict", "server"));
        cr_assert(level_set_is_raise(s, "strict", "fsp"));
        cr_assert(level_set_is_raise(s, "strict", "strict"));
        cr_assert_not(level_set_is_raise(s, "fsp", "strict"));
        cr_assert_not(level_set_is_raise(s, "server", "fsp"));

        char **b = level_set_boolean_names(s);
        cr_assert(strv_equal(b, (char *[]) { "default", "extreme", "fsp", "server", "strict", NULL }));
        strv_free(b);
        level_set_free(s);
        free(d); free(vendor); free(admin);
}

/* Issue 14 #9: inheriting is not raising. A switch raises only when
 * nothing the current level enforces or loads becomes less enforced or
 * unloaded, judged on the resolved levels. */
Test(level, raise_means_nothing_weakened) {
        char *d = tempdir(), *admin = path_join(d, "admin");
        char *text = NULL;
        size_t size = 0;
        LevelSet *s = NULL;

        /* The shipped levels and the shipped strict_server example. */
        cr_assert_eq(read_full_file(TEST_DATA_DIR "/../../etc/examples/strict_server.yaml", 1 << 20, &text, &size), 0);
        put(admin, "strict_server.yaml", text);
        put(admin, "more.yaml", "inherits: strict\nprofiles:\n  directories: [/srv/p]\nrequires: [x]\n");
        put(admin, "more_named.yaml", "inherits: strict\nprofiles:\n  include: ['*', site]\n");
        put(admin, "less.yaml", "inherits: strict\nprofiles:\n  exclude: [usr.sbin.cupsd]\n");
        put(admin, "soft.yaml", "inherits: strict\nmode: complain\n");
        put(admin, "kept.yaml", "inherits: strict\nmode: keep\n");
        put(admin, "narrow.yaml", "inherits: default\nprofiles:\n  include: ['usr.*']\n");
        put(admin, "narrower.yaml", "inherits: narrow\nprofiles:\n  include: ['usr.bin.*', 'usr.sbin.sshd']\n");
        put(admin, "lax.yaml", "inherits: default\ndisable: false\n");
        put(admin, "lax_again.yaml", "inherits: lax\ndisable: true\n");
        put(admin, "fc.yaml", "inherits: default\nforce_complain: false\n");
        put(admin, "fc_again.yaml", "inherits: fc\nforce_complain: true\n");
        put(admin, "boot_off.yaml", "inherits: fsp\nearly_policy: false\n");
        put(admin, "lone.yaml", "mode: enforce\nforce_complain: false\n");
        put(admin, "headless.yaml", "inherits: strict\nstate:\n  DE: [none]\n");
        put(admin, "level_back.yaml", "inherits: fsp\nstate:\n  LEVEL: 1\n");
        put(admin, "fsp_off.yaml", "inherits: fsp\nstate:\n  FSP: false\n");
        cr_assert_eq(level_set_load(TEST_DATA_DIR "/../../levels", admin, &s), 0);
        cr_assert_eq(strv_length(s->errors), 0, "%s", s->errors ? s->errors[0] : "");

        /* The shipped chain raises step by step and at once. */
        cr_assert(level_set_is_raise(s, "default", "strict"));
        cr_assert(level_set_is_raise(s, "strict", "fsp"));
        cr_assert(level_set_is_raise(s, "fsp", "extreme"));
        cr_assert(level_set_is_raise(s, "default", "extreme"));
        cr_assert_not(level_set_is_raise(s, "strict", "default"));
        /* apparmor.d's runtime state: @{LEVEL} no lower, ${FSP} kept, a
         * pinned desktop is another policy, not a stricter one. */
        cr_assert_not(level_set_is_raise(s, "strict", "headless"));
        cr_assert_not(level_set_is_raise(s, "fsp", "level_back"));
        cr_assert_not(level_set_is_raise(s, "fsp", "fsp_off"));
        cr_assert(level_set_is_raise(s, "headless", "headless"));
        cr_assert_not(level_set_is_raise(s, "extreme", "fsp"));

        /* strict_server unloads the desktop profiles strict enforces. */
        cr_assert_not(level_set_is_raise(s, "strict", "strict_server"));
        cr_assert_not(level_set_is_raise(s, "default", "strict_server"));
        cr_assert(level_set_is_raise(s, "strict_server", "strict_server"));
        cr_assert_not(level_set_is_raise(s, "strict_server", "strict"));

        /* A sublevel adding profiles (a directory, a pattern) raises. */
        cr_assert(level_set_is_raise(s, "strict", "more"));
        cr_assert(level_set_is_raise(s, "strict", "more_named"));
        /* Excluding, setting complain or keep, narrowing include: lowering. */
        cr_assert_not(level_set_is_raise(s, "strict", "less"));
        cr_assert_not(level_set_is_raise(s, "strict", "soft"));
        cr_assert_not(level_set_is_raise(s, "default", "soft"));
        cr_assert_not(level_set_is_raise(s, "strict", "kept"));
        cr_assert_not(level_set_is_raise(s, "default", "narrow"));
        cr_assert_not(level_set_is_raise(s, "narrow", "narrower"));
        /* Back to the parent loads more, but drops $aalevel_narrow. */
        cr_assert_not(level_set_is_raise(s, "narrow", "default"));
        /* Leaving disabled profiles out again, or honouring force-complain/
         * again, unloads or softens profiles. */
        cr_assert(level_set_is_raise(s, "default", "lax"));
        cr_assert_not(level_set_is_raise(s, "lax", "lax_again"));
        cr_assert(level_set_is_raise(s, "default", "fc"));
        cr_assert_not(level_set_is_raise(s, "fc", "fc_again"));
        /* Early policy off: lowering. */
        cr_assert_not(level_set_is_raise(s, "fsp", "boot_off"));
        /* Everything enforced, but without strict's $aalevel_strict rules. */
        cr_assert_not(level_set_is_raise(s, "strict", "lone"));
        /* Unknown levels are never a raise. */
        cr_assert_not(level_set_is_raise(s, "strict", "nosuch"));
        cr_assert_not(level_set_is_raise(s, "nosuch", "strict"));

        level_set_free(s);
        free(text); free(d); free(admin);
}

/* The pure comparison, on resolved levels built by hand. */
Test(level, resolved_raise_patterns) {
        ResolvedLevel a = {
                .include = (char *[]) { "*", NULL }, .exclude = (char *[]) { "gnome-*", NULL },
                .directories = (char *[]) { NULL }, .ancestry = (char *[]) { "a", NULL },
                .mode = MODE_ENFORCE, .honour_disable = true,
        };
        ResolvedLevel b = a;

        b.ancestry = (char *[]) { "b", "a", NULL };
        cr_assert(resolved_level_is_raise(&a, &b));
        b.exclude = (char *[]) { "gnome-shell*", NULL };       /* within gnome-* */
        cr_assert(resolved_level_is_raise(&a, &b));
        b.exclude = (char *[]) { "gnome-shell", "gnome-?", NULL };
        cr_assert(resolved_level_is_raise(&a, &b));
        b.exclude = (char *[]) { "gnome*", NULL };             /* wider */
        cr_assert_not(resolved_level_is_raise(&a, &b));
        b.exclude = (char *[]) { "[g]nome-x", NULL };          /* not provably within */
        cr_assert_not(resolved_level_is_raise(&a, &b));
        b.exclude = a.exclude;
        b.include = (char *[]) { "*x", NULL };
        cr_assert_not(resolved_level_is_raise(&a, &b));
        a.include = (char *[]) { "usr.bin.ls", "usr.sbin.*", NULL };
        b.include = (char *[]) { "usr.*", NULL };
        cr_assert(resolved_level_is_raise(&a, &b));
        cr_assert_not(resolved_level_is_raise(&b, &a));
        b.include = a.include;
        b.mode = MODE_COMPLAIN;
        cr_assert_not(resolved_level_is_raise(&a, &b));
        a.mode = MODE_COMPLAIN;
        cr_assert(resolved_level_is_raise(&a, &b));
        b.mode = MODE_KEEP;
        cr_assert(resolved_level_is_raise(&a, &b));

        /* Confined users keep their roles and namespace. */
        UserRole roles[] = { { "alice", "confined_user" }, { "bob", "staff" } };
        a.users = roles; a.n_users = 1; a.user_namespace = "apps";
        cr_assert_not(resolved_level_is_raise(&a, &b));
        b.users = roles; b.n_users = 2; b.user_namespace = "apps";
        cr_assert(resolved_level_is_raise(&a, &b));
        b.users = roles + 1; b.n_users = 1;
        cr_assert_not(resolved_level_is_raise(&a, &b));
        b.users = roles; b.n_users = 1; b.user_namespace = NULL;
        cr_assert_not(resolved_level_is_raise(&a, &b));
        cr_assert_not(resolved_level_is_raise(NULL, &b));
}

Test(level, broken_admin_file_hides_vendor_file) {
        char *d = tempdir(), *vendor = path_join(d, "vendor"), *admin = path_join(d, "admin");
        LevelSet *s = NULL;
        put(vendor, "strict.yaml", "mode: enforce\n");
        put(admin, "strict.yaml", "mode: nonsense\n");
        cr_assert_eq(level_set_load(vendor, admin, &s), 0);
        cr_assert_null(level_set_find(s, "strict"));
        cr_assert_eq(strv_length(s->errors), 1);
        level_set_free(s);
        free(d); free(vendor); free(admin);
}

Test(level, missing_directories) {
        LevelSet *s = NULL;
        cr_assert_eq(level_set_load("/nonexistent/a", "/nonexistent/b", &s), 0);
        cr_assert_eq(s->n_levels, 0);
        cr_assert_eq(strv_length(s->errors), 0);
        level_set_free(s);
}

/* A file near the size cap with tens of thousands of keys or list items:
 * found by timing (the duplicate-key check compared every pair, lists grew
 * one counted item at a time): ~6 s and ~2 s of the daemon's main thread,
 * and every GetLevel call paid the list cost again when resolving. These
 * tests check the result on such inputs; they assert no time (a Criterion
 * timeout of 3 s aborted them under ASan on a loaded host): speed is
 * measured, not asserted. */
/* head, then n times prefix NUMBER suffix, then tail. */
static char *repeat(const char *head, const char *prefix, const char *suffix, unsigned n, const char *tail) {
        size_t size = strlen(head) + strlen(tail) + (size_t) n * (strlen(prefix) + strlen(suffix) + 12) + 1, o;
        char *s = malloc(size);
        cr_assert_not_null(s);
        o = (size_t) sprintf(s, "%s", head);
        for (unsigned i = 0; i < n; i++)
                o += (size_t) sprintf(s + o, "%s%u%s", prefix, i, suffix);
        sprintf(s + o, "%s", tail);
        return s;
}

Test(level, many_keys_fast) {
        char *text = repeat("", "k", ": 1\n", 49000, "k7: 2\n"), *error = NULL;
        Level *l = NULL;
        cr_assert_lt(level_parse_string(text, strlen(text), "a.yaml", &l, &error), 0);
        /* The duplicate is found first; the line is the second k7's. */
        cr_assert_str_eq(error, "a.yaml:49001: duplicate key 'k7' in the level file");
        free(error);
        free(text);
}

Test(level, long_lists_fast) {
        char *text = repeat("profiles:\n  exclude: [", "p", ", ", 90000, "last]\n"), *error = NULL;
        Level *l = NULL;
        LevelSet s = {};
        ResolvedLevel *r = NULL;
        cr_assert_eq(level_parse_string(text, strlen(text), "/x/strict.yaml", &l, &error), 0);
        cr_assert_eq(strv_length(l->exclude), 90001);
        s.levels = &l;
        s.n_levels = 1;
        for (int i = 0; i < 10; i++) {
                cr_assert_eq(level_set_resolve(&s, "strict", &r), 0);
                cr_assert_eq(strv_length(r->exclude), 90001);
                resolved_level_free(r);
        }
        level_free(l);
        free(text);
}

/* The state key: each variable inherited unless the level sets it, the
 * level's own three always set, and who set each. */
Test(level, state_inherited_per_variable) {
        char *d = tempdir(), *admin = path_join(d, "admin");
        LevelSet *s = NULL;
        ResolvedLevel *r = NULL;

        put(admin, "server.yaml", "inherits: strict\nstate:\n  DE: none\n  GPU: [intel, amd]\n");
        put(admin, "server_fsp.yaml", "inherits: server\nstate:\n  LEVEL: 2\n  FSP: yes\n");
        put(admin, "roles.yaml", "inherits: strict\nusers:\n  roles:\n    - user: bob\n      role: confined_user\n");
        cr_assert_eq(level_set_load(TEST_DATA_DIR "/../../levels", admin, &s), 0);
        cr_assert_eq(strv_length(s->errors), 0, "%s", s->errors ? s->errors[0] : "");

        cr_assert_eq(level_set_resolve(s, "server_fsp", &r), 0);
        cr_assert_str_eq(r->state[STATE_LEVEL][0], "2");
        cr_assert_str_eq(r->state_from[STATE_LEVEL], "server_fsp");
        cr_assert_str_eq(r->state[STATE_FSP][0], "true");
        cr_assert_str_eq(r->state[STATE_RBAC][0], "false");
        cr_assert_null(r->state_from[STATE_RBAC], "RBAC is nobody's: the default");
        cr_assert_str_eq(r->state[STATE_DE][0], "none");
        cr_assert_str_eq(r->state_from[STATE_DE], "server");
        cr_assert_eq(strv_length(r->state[STATE_GPU]), 2);
        cr_assert_null(r->state[STATE_OS_ID], "not pinned: detected");
        resolved_level_free(r);

        /* A level that confines users: ${RBAC} true without saying so. */
        cr_assert_eq(level_set_resolve(s, "roles", &r), 0);
        cr_assert_str_eq(r->state[STATE_RBAC][0], "true");
        cr_assert_null(r->state_from[STATE_RBAC]);
        resolved_level_free(r);

        /* The shipped levels: @{LEVEL} 0 to 3, ${FSP} from fsp on, ${RBAC} at extreme. */
        static const struct { const char *name, *level, *fsp, *rbac; } shipped[] = {
                { "default", "0", "false", "false" }, { "strict", "1", "false", "false" },
                { "fsp", "2", "true", "false" }, { "extreme", "3", "true", "true" },
        };
        for (size_t i = 0; i < ELEMENTSOF(shipped); i++) {
                cr_assert_eq(level_set_resolve(s, shipped[i].name, &r), 0);
                cr_assert_str_eq(r->state[STATE_LEVEL][0], shipped[i].level, "%s", shipped[i].name);
                cr_assert_str_eq(r->state[STATE_FSP][0], shipped[i].fsp, "%s", shipped[i].name);
                cr_assert_str_eq(r->state[STATE_RBAC][0], shipped[i].rbac, "%s", shipped[i].name);
                resolved_level_free(r);
        }
        level_set_free(s);
        free(admin);
        free(d);
}
