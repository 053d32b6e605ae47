/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Confined users: the login programs' profiles with one hat per user of a
 * level's users.roles (see users.h). */
#include "users.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "strv.h"
#include "tree.h"
#include "util.h"

/* A login program that opens PAM sessions: pam_apparmor changes hat in
 * its process. Paths as on Debian bookworm (merged /usr: the kernel sees
 * /usr/bin/login for /bin/login, util-linux's su, OpenSSH's sshd); the
 * attachment also names the unmerged path. */
typedef struct EntryProgram {
        const char *profile;    /* profile and file name */
        const char *attachment;
        const char *what;
} EntryProgram;

static const EntryProgram entry_programs[] = {
        { "aalevel-login", "/{usr/,}bin/login", "login(1), from getty and the console" },
        { "aalevel-su", "/{usr/,}bin/su", "su(1)" },
        { "aalevel-sshd", "/{usr/,}sbin/sshd", "sshd(8): the session opens in its privileged process" },
};

const char * const users_policy_files[] = {
        "aalevel-login",
        "aalevel-su",
        "aalevel-sshd",
        NULL,
};

/* A role file is small; reading it only checks that it defines the role. */
#define ROLE_FILE_MAX (1024U * 1024U)

static bool is_ascii_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool users_user_name_is_valid(const char *name) {
        /* As the level parser: letters, digits, . _ - $, not starting
         * with -. These are the characters a hat name may hold unquoted. */
        if (isempty(name) || strlen(name) > 64 || name[0] == '-')
                return false;
        for (const char *c = name; *c; c++)
                if (!is_ascii_alnum(*c) && !strchr("._-$", *c))
                        return false;
        return true;
}

bool users_role_name_is_valid(const char *name) {
        /* A profile name: a letter or _, then letters, digits, _ and -.
         * "unconfined" would be no role at all. */
        if (isempty(name) || strlen(name) > 128 || !(is_ascii_alnum(name[0]) || name[0] == '_') ||
            (name[0] >= '0' && name[0] <= '9') || streq(name, "unconfined"))
                return false;
        for (const char *c = name; *c; c++)
                if (!is_ascii_alnum(*c) && *c != '_' && *c != '-')
                        return false;
        return true;
}

char *users_session_label(const char *role, const char *namespace) {
        char *s;
        int r;

        if (namespace)
                r = asprintf(&s, "%s//&:%s://unconfined", role, namespace);
        else
                r = asprintf(&s, "%s//&unconfined", role);
        return r < 0 ? NULL : s;
}

_printf_(2, 3) static int fail(char **ret_error, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(ret_error, fmt, ap);
        va_end(ap);
        if (r < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

/* Whether a line of text starts with "profile NAME" followed by a blank
 * or "{": a role file defines its role by name (roles have no attachment).
 * Comments and other words before it do not count. */
static bool defines_profile(const char *text, const char *name) {
        size_t n = strlen(name);

        for (const char *line = text; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                const char *q = line + strspn(line, " \t");
                if (!strneq(q, "profile", strlen("profile")))
                        continue;
                q += strlen("profile");
                if (*q != ' ' && *q != '\t')
                        continue;
                q += strspn(q, " \t");
                if (strneq(q, name, n) && q[n] != '\0' && strchr(" \t\n{", q[n]))
                        return true;
        }
        return false;
}

/* The role's profile file: a file named after the role in one of the
 * level's directories, selected by the level and defining the profile. */
static int check_role(const ResolvedLevel *level, const UserRole *u, char **ret_error) {
        _cleanup_free_ char *dirs = NULL;

        STRV_FOREACH(d, level->directories) {
                _cleanup_free_ char *path = path_join(*d, u->role), *text = NULL;
                struct stat st;
                int r;

                if (!path)
                        return -ENOMEM;
                if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
                        continue;
                if (!level_selects(level, u->role, true))
                        return fail(ret_error, "level %s: the role %s of user %s is excluded by profiles.exclude",
                                    level->name, u->role, u->user);
                r = read_full_file(path, ROLE_FILE_MAX, &text, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        return fail(ret_error, "level %s: cannot read %s, the profile of role %s: %s", level->name,
                                    path, u->role, strerror(-r));
                if (!defines_profile(text, u->role))
                        return fail(ret_error, "level %s: %s does not define the profile %s (role of user %s)",
                                    level->name, path, u->role, u->user);
                return 0;
        }
        dirs = strv_join(level->directories, ", ");
        if (!dirs)
                return -ENOMEM;
        return fail(ret_error,
                    "level %s: the role %s of user %s has no profile: no file %s in the level's directories (%s)",
                    level->name, u->role, u->user, u->role, isempty(dirs) ? "none" : dirs);
}

static int check_users(const ResolvedLevel *level, char **ret_error) {
        if (level->user_namespace && !users_role_name_is_valid(level->user_namespace))
                return fail(ret_error, "level %s: '%s' is not a valid policy namespace name", level->name,
                            level->user_namespace);
        for (size_t i = 0; i < level->n_users; i++) {
                const UserRole *u = &level->users[i];
                int r;

                if (!users_user_name_is_valid(u->user))
                        return fail(ret_error, "level %s: '%s' is not a valid user name", level->name,
                                    strna(u->user));
                if (!users_role_name_is_valid(u->role))
                        return fail(ret_error, "level %s: '%s' is not a valid role name (user %s)", level->name,
                                    strna(u->role), u->user);
                for (size_t j = 0; j < i; j++)
                        if (streq(level->users[j].user, u->user))
                                return fail(ret_error, "level %s: user %s is given twice in users.roles",
                                            level->name, u->user);
                r = check_role(level, u, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* What a login program does for every user, in its profile and in the
 * hats: it runs as root before and after the session (PAM modules,
 * utmp, the terminal, signals to the session, logind over D-Bus), so it is
 * as permissive as PID 1's profile of the level fsp; what confines the
 * user is the role the session is started in. */
/* What the login programs' profile and its hats allow, as permissive as
 * the profile systemd of the level fsp. */
static const char * const permissive_rules[] = {
        "/{,**} rwlkm,", "capability,", "signal,", "ptrace,", "unix,", "dbus,", NULL,
};

/* The rules, one per line, indented for a profile or a hat. */
static char *rules_at(const char *indent) {
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                return NULL;
        for (const char * const *r = permissive_rules; *r; r++)
                fprintf(f, "%s%s\n", indent, *r);
        if (fclose(f) != 0) {
                free(text);
                return NULL;
        }
        return text;
}

static char *entry_profile_text(const EntryProgram *p, const ResolvedLevel *level) {
        _cleanup_free_ char *hats = NULL, *rules = rules_at("  "), *hat_rules = rules_at("    ");
        char *text = NULL;
        size_t hats_size = 0;
        FILE *f;

        if (!rules || !hat_rules)
                return NULL;
        f = open_memstream(&hats, &hats_size);
        if (!f)
                return NULL;
        for (size_t i = 0; i < level->n_users; i++) {
                const UserRole *u = &level->users[i];
                _cleanup_free_ char *target = users_session_label(u->role, level->user_namespace);

                if (!target) {
                        fclose(f);
                        return NULL;
                }
                fprintf(f,
                        "\n"
                        "  # %s: role %s. The login program's own work after\n"
                        "  # pam_open_session runs in this hat; what it executes, the session,\n"
                        "  # in the role.\n"
                        "  ^%s {\n"
                        "%s"
                        "    /** Px -> %s,\n"
                        "    # Helpers of PAM modules stay in the hat.\n"
                        "    /{usr/,}sbin/{unix_chkpwd,mkhomedir_helper} ix,\n"
                        "  }\n",
                        u->user, u->role, u->user, hat_rules, target);
        }
        if (fclose(f) != 0)
                return NULL;

        if (asprintf(&text,
                     "# Generated by aalevel for the level %s from its users.roles; rewritten\n"
                     "# whenever they change: do not edit (see aalevel.level(5), \"extreme\").\n"
                     "#\n"
                     "# The profile of %s.\n"
                     "# pam_apparmor (order=user) changes to the hat named after the user; a\n"
                     "# configured user's session starts in the hat's exec transition, stacked\n"
                     "# with the role. Users without a hat stay in this profile, as permissive\n"
                     "# as the profile systemd of the level fsp: their programs run under their\n"
                     "# own profile stacked with this one, or this one; the programs that change\n"
                     "# hat or whose label aalevel checks run under their own profile alone.\n"
                     "abi <abi/kernel-5.4-vanilla>,\n"
                     "\n"
                     "include <tunables/global>\n"
                     "\n"
                     "profile %s %s flags=(attach_disconnected,mediate_deleted) {\n"
                     "%s"
                     "\n"
                     "  /** Pix -> &%s,\n"
                     "  /{usr/,}bin/login Pix,\n"
                     "  /{usr/,}bin/su Pix,\n"
                     "  /{usr/,}sbin/sshd Pix,\n"
                     "  /{usr/,}bin/aalevelctl Pix,\n"
                     "%s"
                     "}\n",
                     level->name, p->what, p->profile, p->attachment, rules, p->profile,
                     strempty(hats)) < 0)
                return NULL;
        return text;
}

static bool same_content(const char *path, const char *text) {
        _cleanup_free_ char *old = NULL;
        size_t size;

        return read_full_file(path, READ_FULL_FILE_MAX, &old, &size) >= 0 && size == strlen(text) &&
               memcmp(old, text, size) == 0;
}

static int write_error(char **ret_error, const char *what, const char *path, int r) {
        if (r == -ENOMEM)
                return r;
        if (asprintf(ret_error, "cannot %s %s: %s", what, path, strerror(-r)) < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return r;
}

/* Everything in dir but our files, dot files and directories goes: files
 * of users no longer configured were in the same files, and anything else
 * (a temporary file left by a crash) would be read as a profile. */
static int remove_others(const char *dir, char * const *keep, char **ret_error) {
        _cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        _cleanup_free_ char *failed = NULL, *path = NULL;
        int r;

        if (dfd < 0)
                return errno == ENOENT ? 0 : write_error(ret_error, "list", dir, negative_errno());
        r = dir_remove_files_at(dfd, keep, &failed);
        if (r >= 0 || r == -ENOMEM)
                return r;
        path = path_join(dir, failed);
        if (!path)
                return -ENOMEM;
        return write_error(ret_error, "remove", path, r);
}

int users_write_policy(const ResolvedLevel *level, const char *dir, char **ret_error) {
        _cleanup_free_ char *error = NULL;
        _cleanup_strv_free_ char **keep = NULL;
        int r;

        assert(level);
        assert(dir);
        assert(ret_error);

        r = check_users(level, &error);
        if (r < 0) {
                *ret_error = TAKE_PTR(error);
                return r;
        }
        if (level->n_users > 0) {
                r = mkdir_p(dir, 0755);
                if (r < 0)
                        return write_error(ret_error, "create", dir, r);
                for (size_t i = 0; i < ELEMENTSOF(entry_programs); i++) {
                        const EntryProgram *p = &entry_programs[i];
                        _cleanup_free_ char *path = path_join(dir, p->profile), *text = NULL;

                        text = entry_profile_text(p, level);
                        if (!path || !text || strv_extend(&keep, p->profile) < 0)
                                return -ENOMEM;
                        if (same_content(path, text))
                                continue;
                        r = write_file_atomic(path, text, strlen(text), 0644);
                        if (r < 0)
                                return write_error(ret_error, "write", path, r);
                }
        }
        return remove_others(dir, keep, ret_error);
}
