/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The login programs' hats for confined users: what is written, that
 * nothing unchanged is rewritten, that stale files go, and that bad names
 * and missing roles are errors that write nothing; the users section of
 * level files (bad input refused by the parser, with file and line), and
 * the shipped levels fsp and extreme extended with users. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "level.h"
#include "strv.h"
#include "users.h"
#include "util.h"

static char *top, *roles_dir, *gen;

static char *at(const char *dir, const char *name) {
        char *p = path_join(dir, name);
        cr_assert_not_null(p);
        return p;
}

static void put(const char *dir, const char *name, const char *text) {
        _cleanup_free_ char *p = at(dir, name), *parent = strdup(p);
        cr_assert_not_null(parent);
        *strrchr(parent, '/') = '\0';
        cr_assert_eq(mkdir_p(parent, 0755), 0);
        cr_assert_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
}

static char *slurp(const char *dir, const char *name) {
        _cleanup_free_ char *p = at(dir, name);
        char *text = NULL;
        cr_assert_eq(read_full_file(p, READ_FULL_FILE_MAX, &text, NULL), 0, "%s", p);
        return text;
}

static ino_t inode(const char *dir, const char *name) {
        _cleanup_free_ char *p = at(dir, name);
        struct stat st;
        cr_assert_eq(stat(p, &st), 0, "%s", p);
        return st.st_ino;
}

static bool exists(const char *dir, const char *name) {
        _cleanup_free_ char *p = at(dir, name);
        return access(p, F_OK) == 0;
}

static void setup(void) {
        top = strdup("/tmp/aalevel-test-users-XXXXXX");
        cr_assert_not_null(mkdtemp(top));
        roles_dir = at(top, "roles");
        gen = at(top, "state/generated/site");
        put(roles_dir, "confined_user", "abi <abi/3.0>,\nprofile confined_user flags=(attach_disconnected) {\n}\n");
        put(roles_dir, "staff_user", "# staff\nprofile staff_user {\n  /** r,\n}\n");
}

static void teardown(void) {
        char *cmd = NULL;
        cr_assert(asprintf(&cmd, "rm -rf '%s'", top) > 0);
        cr_expect_eq(system(cmd), 0);
        free(cmd);
        free(top);
        free(roles_dir);
        free(gen);
}

/* A level as the parser resolves it; users and roles point into the test. */
static ResolvedLevel level_with(UserRole *users, size_t n, char *ns) {
        static char *dirs[2];
        static char *include[] = { "*", NULL };
        dirs[0] = roles_dir;
        dirs[1] = NULL;
        return (ResolvedLevel) {
                .name = "site",
                .include = include,
                .directories = dirs,
                .users = users,
                .n_users = n,
                .user_namespace = ns,
        };
}

TestSuite(users, .init = setup, .fini = teardown);

Test(users, session_label) {
        _cleanup_free_ char *a = users_session_label("confined_user", NULL);
        _cleanup_free_ char *b = users_session_label("confined_user", "application");
        cr_assert_str_eq(a, "confined_user//&unconfined");
        cr_assert_str_eq(b, "confined_user//&:application://unconfined");
}

Test(users, writes_one_profile_per_login_program_with_a_hat_per_user) {
        UserRole users[] = { { "alice", "confined_user" }, { "bob", "staff_user" } };
        ResolvedLevel l = level_with(users, 2, NULL);
        char *error = NULL;

        cr_assert_eq(users_write_policy(&l, gen, &error), 0, "%s", strna(error));
        cr_assert_null(error);
        for (const char * const *f = users_policy_files; *f; f++) {
                _cleanup_free_ char *text = slurp(gen, *f), *head = NULL;
                cr_assert(asprintf(&head, "profile %s /{usr/,}", *f) > 0);
                cr_assert_not_null(strstr(text, head), "%s", text);
                cr_assert_not_null(strstr(text, "\n  ^alice {\n"), "%s", text);
                cr_assert_not_null(strstr(text, "/** Px -> confined_user//&unconfined,\n"), "%s", text);
                cr_assert_not_null(strstr(text, "\n  ^bob {\n"), "%s", text);
                cr_assert_not_null(strstr(text, "/** Px -> staff_user//&unconfined,\n"), "%s", text);
                /* Users without a hat: children stacked with the program's
                 * profile; the programs that change hat, alone. */
                cr_assert(strstr(text, "/** Pix -> &aalevel-"), "%s", text);
                cr_assert_not_null(strstr(text, "/{usr/,}bin/su Pix,\n"), "%s", text);
                /* The permissive rules, in the profile and in each hat. */
                cr_assert_not_null(strstr(text, " {\n  /{,**} rwlkm,\n  capability,\n  signal,\n  ptrace,\n"
                                                "  unix,\n  dbus,\n\n"), "%s", text);
                cr_assert_not_null(strstr(text, "^alice {\n    /{,**} rwlkm,\n    capability,\n    signal,\n"
                                                "    ptrace,\n    unix,\n    dbus,\n    /** Px"), "%s", text);
        }
        {
                _cleanup_free_ char *login = slurp(gen, "aalevel-login"), *sshd = slurp(gen, "aalevel-sshd");
                cr_assert_not_null(strstr(login, "profile aalevel-login /{usr/,}bin/login "));
                cr_assert_not_null(strstr(sshd, "profile aalevel-sshd /{usr/,}sbin/sshd "));
                cr_assert_not_null(strstr(login, "for the level site "));
        }
}

Test(users, namespace_in_the_transition) {
        UserRole users[] = { { "alice", "confined_user" } };
        ResolvedLevel l = level_with(users, 1, "application");
        char *error = NULL;
        _cleanup_free_ char *text = NULL;

        cr_assert_eq(users_write_policy(&l, gen, &error), 0, "%s", strna(error));
        text = slurp(gen, "aalevel-su");
        cr_assert_not_null(strstr(text, "/** Px -> confined_user//&:application://unconfined,\n"), "%s", text);
}

Test(users, unchanged_files_are_not_rewritten_and_stale_ones_go) {
        UserRole users[] = { { "alice", "confined_user" }, { "bob", "staff_user" } };
        ResolvedLevel l = level_with(users, 2, NULL);
        char *error = NULL;
        ino_t login, su;
        _cleanup_free_ char *sub = at(gen, "keep.d");

        cr_assert_eq(users_write_policy(&l, gen, &error), 0);
        login = inode(gen, "aalevel-login");
        su = inode(gen, "aalevel-su");
        put(gen, "aalevel-login.tmp.4242", "left by a crash");
        put(gen, "old-user", "stale");
        put(gen, ".hidden", "not ours to judge");
        cr_assert_eq(mkdir_p(sub, 0755), 0);

        /* Nothing changed: the same inodes (write_file_atomic renames a new
         * file into place), the stray files gone. */
        cr_assert_eq(users_write_policy(&l, gen, &error), 0);
        cr_assert_eq(inode(gen, "aalevel-login"), login);
        cr_assert_eq(inode(gen, "aalevel-su"), su);
        cr_assert_not(exists(gen, "aalevel-login.tmp.4242"));
        cr_assert_not(exists(gen, "old-user"));
        cr_assert(exists(gen, ".hidden"));
        cr_assert(exists(gen, "keep.d"));

        /* bob is no longer configured: his hats go, alice's stay. */
        l.n_users = 1;
        cr_assert_eq(users_write_policy(&l, gen, &error), 0);
        {
                _cleanup_free_ char *text = slurp(gen, "aalevel-login");
                cr_assert_not_null(strstr(text, "^alice {"));
                cr_assert_null(strstr(text, "^bob"), "%s", text);
                cr_assert_neq(inode(gen, "aalevel-login"), login);
        }

        /* No users at all: our files go. */
        l.n_users = 0;
        cr_assert_eq(users_write_policy(&l, gen, &error), 0);
        for (const char * const *f = users_policy_files; *f; f++)
                cr_assert_not(exists(gen, *f), "%s", *f);
        cr_assert(exists(gen, ".hidden"));
}

static void expect_refused(UserRole *users, size_t n, char *ns, const char *part) {
        ResolvedLevel l = level_with(users, n, ns);
        char *error = NULL;

        cr_assert_eq(users_write_policy(&l, gen, &error), -EINVAL, "accepted (%s)", part);
        cr_assert_not_null(error);
        cr_assert_not_null(strstr(error, part), "'%s' not in: %s", part, error);
        cr_assert_not_null(strstr(error, "level site"), "%s", error);
        free(error);
        cr_assert_not(exists(gen, "aalevel-login"), "wrote something for: %s", part);
}

Test(users, bad_input_writes_nothing) {
        expect_refused((UserRole[]) { { "alice", "nobody_role" } }, 1, NULL, "role nobody_role of user alice has no profile");
        expect_refused((UserRole[]) { { "alice", "staff_user" }, { "alice", "confined_user" } }, 2, NULL,
                       "user alice is given twice");
        /* Policy text cannot come in through a name. */
        expect_refused((UserRole[]) { { "alice {\n  /** rwlkmix,\n}\nprofile x", "confined_user" } }, 1, NULL,
                       "not a valid user name");
        expect_refused((UserRole[]) { { "alice,", "confined_user" } }, 1, NULL, "not a valid user name");
        expect_refused((UserRole[]) { { "-alice", "confined_user" } }, 1, NULL, "not a valid user name");
        expect_refused((UserRole[]) { { "", "confined_user" } }, 1, NULL, "not a valid user name");
        expect_refused((UserRole[]) { { "al ice", "confined_user" } }, 1, NULL, "not a valid user name");
        expect_refused((UserRole[]) { { "\xc3\xa9lise", "confined_user" } }, 1, NULL, "not a valid user name");
        expect_refused((UserRole[]) { { "alice", "confined_user//&unconfined" } }, 1, NULL, "not a valid role name");
        expect_refused((UserRole[]) { { "alice", "unconfined" } }, 1, NULL, "not a valid role name");
        expect_refused((UserRole[]) { { "alice", "1role" } }, 1, NULL, "not a valid role name");
        expect_refused((UserRole[]) { { "alice", "confined_user" } }, 1, "app:x", "not a valid policy namespace");
        expect_refused((UserRole[]) { { "alice", "confined_user" } }, 1, "app //", "not a valid policy namespace");
}

Test(users, role_file_must_define_the_role) {
        put(roles_dir, "fake_user", "profile fake_user_2 {\n}\n# profile fake_user\n");
        expect_refused((UserRole[]) { { "alice", "fake_user" } }, 1, NULL, "does not define the profile fake_user");
}

Test(users, excluded_role_is_an_error) {
        UserRole users[] = { { "alice", "staff_user" } };
        ResolvedLevel l = level_with(users, 1, NULL);
        char *exclude[] = { "staff_*", NULL };
        char *error = NULL;

        l.exclude = exclude;
        cr_assert_eq(users_write_policy(&l, gen, &error), -EINVAL);
        cr_assert_not_null(strstr(error, "excluded"), "%s", error);
        free(error);
}

Test(users, unusual_but_valid_user_names) {
        UserRole users[] = { { "host$", "confined_user" }, { "a.b-c_d", "confined_user" } };
        ResolvedLevel l = level_with(users, 2, NULL);
        char *error = NULL;
        _cleanup_free_ char *text = NULL;

        cr_assert_eq(users_write_policy(&l, gen, &error), 0, "%s", strna(error));
        text = slurp(gen, "aalevel-login");
        cr_assert_not_null(strstr(text, "\n  ^host$ {\n"));
        cr_assert_not_null(strstr(text, "\n  ^a.b-c_d {\n"));
}

Test(users, write_failure_is_reported_with_the_path) {
        UserRole users[] = { { "alice", "confined_user" } };
        ResolvedLevel l = level_with(users, 1, NULL);
        char *error = NULL;

        /* A file where the directory should be. */
        put(top, "state/generated", "x");
        cr_assert_lt(users_write_policy(&l, gen, &error), 0);
        cr_assert_not_null(error);
        cr_assert_not_null(strstr(error, "state/generated"), "%s", error);
        free(error);
}

/* The generated text compiles, when this machine has the parser and
 * Debian's tunables (the test does not depend on them otherwise). */
Test(users, generated_profiles_compile) {
        UserRole users[] = { { "alice", "confined_user" }, { "host$", "staff_user" } };
        ResolvedLevel l = level_with(users, 2, "application");
        const char *parser = AALEVEL_APPARMOR_PARSER;
        char *error = NULL;

        if (access(parser, X_OK) < 0 || access("/etc/apparmor.d/abi/kernel-5.4-vanilla", R_OK) < 0 ||
            access("/etc/apparmor.d/tunables/global", R_OK) < 0)
                cr_skip_test("no %s or no /etc/apparmor.d of apparmor 3.0", parser);
        cr_assert_eq(users_write_policy(&l, gen, &error), 0, "%s", strna(error));
        for (const char * const *f = users_policy_files; *f; f++) {
                _cleanup_free_ char *path = at(gen, *f), *cmd = NULL;
                int status;
                cr_assert(asprintf(&cmd, "'%s' -QTK '%s' >/dev/null 2>&1", parser, path) > 0);
                status = system(cmd);
                cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s does not compile", path);
        }
}

/* The users section of a level file is outside input too: what the level
 * parser refuses never reaches users_write_policy, with file and line. */
static void expect_level_error(const char *text, const char *part) {
        Level *l = NULL;
        char *error = NULL;

        cr_expect_lt(level_parse_string(text, strlen(text), "/etc/aalevel/levels/site.yaml", &l, &error), 0,
                     "accepted: %s", text);
        cr_expect_not_null(error, "no error for: %s", text);
        if (error) {
                cr_expect_not_null(strstr(error, part), "'%s' not in: %s", part, error);
                cr_expect_not_null(strstr(error, "site.yaml:"), "no file and line in: %s", error);
        }
        free(error);
        level_free(l);
}

Test(users, level_file_bad_users_section) {
        expect_level_error("users: alice\n", "users");
        expect_level_error("users:\n  - alice\n", "users");
        expect_level_error("users:\n  roles: alice\n", "users.roles");
        expect_level_error("users:\n  roles:\n    - alice\n", "users.roles");
        expect_level_error("users:\n  roles:\n    - [alice, confined_user]\n", "users.roles");
        expect_level_error("users:\n  roles:\n    - { role: confined_user }\n", "needs both");
        expect_level_error("users:\n  roles:\n    - { user: alice, role: confined_user, group: staff }\n",
                           "unknown key 'group'");
        expect_level_error("users:\n  role:\n    - { user: alice, role: confined_user }\n",
                           "unknown key 'users.role'");
        expect_level_error("users:\n  roles:\n    - { user: alice, user: bob, role: confined_user }\n", "duplicate");
        expect_level_error("users:\n  roles:\n    - { user: [alice], role: confined_user }\n", "user");
        expect_level_error("users:\n  roles:\n    - { user: alice, role: { name: x } }\n", "role");
        /* Names that would be policy text in the generated hats. */
        expect_level_error("users:\n  roles:\n    - { user: 'alice {', role: confined_user }\n",
                           "not a valid user name");
        expect_level_error("users:\n  roles:\n    - { user: \"al\\nice\", role: confined_user }\n",
                           "not a valid user name");
        expect_level_error("users:\n  roles:\n    - { user: '-alice', role: confined_user }\n",
                           "not a valid user name");
        expect_level_error("users:\n  roles:\n    - { user: '', role: confined_user }\n", "user");
        expect_level_error("users:\n  roles:\n    - { user: alice, role: 'confined_user//&unconfined' }\n",
                           "not a valid role profile name");
        expect_level_error("users:\n  roles:\n    - { user: alice, role: '1role' }\n", "not a valid role profile name");
        expect_level_error("users:\n  roles:\n    - { user: alice, role: 'a,b' }\n", "not a valid role profile name");
        expect_level_error("users:\n  namespace: ':application:'\n", "users.namespace");
        expect_level_error("users:\n  namespace: [application]\n", "users.namespace");
        expect_level_error("users:\n  namespace: 'app lication'\n", "users.namespace");
}

/* The shipped levels, as an admin extends them: a level inheriting extreme
 * with users resolves to fsp's and extreme's requirements and directories,
 * the shipped role file defines confined_user, and the users of the child
 * replace (not add to) those of a parent. */
static char *source_dir(const char *what) {
        char *p = NULL;
        cr_assert(asprintf(&p, "%s/../../%s", TEST_DATA_DIR, what) > 0);
        return p;
}

Test(users, shipped_extreme_with_users) {
        _cleanup_free_ char *vendor = source_dir("levels"), *admin = at(top, "levels"), *error = NULL;
        _cleanup_free_ char *profiles = source_dir("profiles");
        _cleanup_(level_set_freep) LevelSet *set = NULL;
        _cleanup_(resolved_level_freep) ResolvedLevel *site = NULL, *child = NULL;
        _cleanup_free_ char *text = NULL;

        put(admin, "extreme_site.yaml",
            "inherits: extreme\n"
            "users:\n"
            "  roles:\n"
            "    - { user: alice, role: confined_user }\n"
            "    - { user: bob, role: confined_user }\n");
        put(admin, "extreme_child.yaml",
            "inherits: extreme_site\n"
            "users:\n"
            "  namespace: application\n"
            "  roles:\n"
            "    - { user: carol, role: confined_user }\n");
        cr_assert_eq(level_set_load(vendor, admin, &set), 0);
        cr_assert_eq(strv_length(set->errors), 0, "%s", set->errors ? set->errors[0] : "");
        cr_assert_eq(level_set_resolve(set, "extreme_site", &site), 0);
        cr_assert(strv_contains(site->requires, "systemd"));
        cr_assert(strv_contains(site->requires, "confined_user"));
        cr_assert(site->early_policy);
        cr_assert_eq(site->confirm_sec, 120);
        cr_assert_eq(site->mode, MODE_ENFORCE);
        cr_assert_eq(site->n_users, 2);
        cr_assert_null(site->user_namespace);

        /* The shipped directories, found in the source tree. */
        for (char **d = site->directories; d && *d; d++) {
                const char *prefix = "/usr/share/aalevel/profiles/";
                char *p = NULL;
                cr_assert(startswith(*d, prefix), "%s", *d);
                cr_assert(asprintf(&p, "%s/%s", profiles, *d + strlen(prefix)) > 0);
                free(*d);
                *d = p;
        }
        cr_assert_eq(strv_length(site->directories), 2);
        cr_assert_eq(users_write_policy(site, gen, &error), 0, "%s", strna(error));
        text = slurp(gen, "aalevel-su");
        cr_assert_not_null(strstr(text, "\n  ^alice {\n"), "%s", text);
        cr_assert_not_null(strstr(text, "\n  ^bob {\n"), "%s", text);
        cr_assert_not_null(strstr(text, "for the level extreme_site "), "%s", text);

        cr_assert_eq(level_set_resolve(set, "extreme_child", &child), 0);
        cr_assert_eq(child->n_users, 1);
        cr_assert_str_eq(child->users[0].user, "carol");
        cr_assert_str_eq(child->user_namespace, "application");
}

/* A role file that is not a small text file: refused, not read whole. */
Test(users, role_file_too_big_or_not_a_file) {
        _cleanup_free_ char *big = at(roles_dir, "big_user"), *dir = at(roles_dir, "dir_user");
        FILE *f = fopen(big, "w");

        cr_assert_not_null(f);
        fputs("profile big_user {\n", f);
        for (int i = 0; i < 100000; i++)
                fputs("  # padding\n", f);
        fputs("}\n", f);
        cr_assert_eq(fclose(f), 0);
        expect_refused((UserRole[]) { { "alice", "big_user" } }, 1, NULL, "cannot read");
        cr_assert_eq(mkdir_p(dir, 0755), 0);
        expect_refused((UserRole[]) { { "alice", "dir_user" } }, 1, NULL, "role dir_user of user alice has no profile");
}
