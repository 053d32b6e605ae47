/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Detecting the running system's state below a root: os-release, session
 * files, display-manager.service, PCI display controllers. */
#include "sysstate.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "strv.h"
#include "util.h"

#define OS_RELEASE_ETC "/etc/os-release"
#define OS_RELEASE_USR "/usr/lib/os-release"
#define WAYLAND_SESSIONS "/usr/share/wayland-sessions"
#define X_SESSIONS "/usr/share/xsessions"
#define UNIT_DIR "/etc/systemd/system"
#define DISPLAY_MANAGER UNIT_DIR "/display-manager.service"
#define PCI_DEVICES "/sys/bus/pci/devices"

/* What is read is tiny on any real system; the caps only keep a planted
 * monster from costing memory or time. */
#define SYSSTATE_FILE_MAX (64U * 1024U)         /* os-release, a session file */
#define SYSSTATE_ATTR_MAX 4096U                 /* a sysfs attribute */
#define SYSSTATE_LINE_MAX 4096U                 /* longer lines are skipped */
#define SYSSTATE_LINES_MAX 1024U                /* lines read of one file */
#define SYSSTATE_DIR_MAX 1024U                  /* entries looked at in one directory */
#define SYSSTATE_NOTES_MAX 8U                   /* notes kept in one source */
#define SYSSTATE_LINKS_MAX 32U                  /* symlinks followed resolving one path */

/* asprintf() returning the string, NULL when out of memory. */
_printf_(1, 2) static char *strf(const char *fmt, ...) {
        va_list ap;
        char *r;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&r, fmt, ap);
        va_end(ap);
        return n < 0 ? NULL : r;
}

/* A name or value from outside, fit for a source: no control characters
 * (a file name may hold a newline), at most 128 bytes of it. NULL when
 * out of memory. */
static char *printable(const char *s) {
        size_t n = strlen(s), max = 128;
        char *r = malloc(MIN(n, max) * 4 + 4), *o = r;

        if (!r)
                return NULL;
        for (size_t i = 0; i < n && i < max; i++) {
                unsigned char c = (unsigned char) s[i];
                if (c < 0x20 || c == 0x7f || c == '\\')
                        o += sprintf(o, "\\x%02x", c);
                else
                        *o++ = (char) c;
        }
        if (n > max)
                o = stpcpy(o, "...");
        *o = '\0';
        return r;
}

/* Sets a value: words (taken; NULL: unset), sorted and deduplicated here,
 * and the source as vprintf() makes it. Only valid words get here, so
 * state_values_set() fails only for want of memory. */
_printf_(4, 0) static int set_valuev(StateValues *s, StateVar v, char **words, const char *fmt, va_list ap) {
        _cleanup_strv_free_ char **w = words;
        _cleanup_free_ char *source = NULL;

        if (vasprintf(&source, fmt, ap) < 0) {
                source = NULL;
                return -ENOMEM;
        }
        strv_uniq(w);
        return state_values_set(s, v, w, source);
}

/* Words (taken), and the source as printf() makes it. */
_printf_(4, 5) static int set_words(StateValues *s, StateVar v, char **words, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = set_valuev(s, v, words, fmt, ap);
        va_end(ap);
        return r;
}

/* One word, and the source as printf() makes it. */
_printf_(4, 5) static int set_word(StateValues *s, StateVar v, const char *word, const char *fmt, ...) {
        char **w = NULL;
        va_list ap;
        int r;

        if (strv_extend(&w, word) < 0)
                return -ENOMEM;
        va_start(ap, fmt);
        r = set_valuev(s, v, w, fmt, ap);
        va_end(ap);
        return r;
}

/* No words: the tree's own definition stays; the source says why. */
_printf_(3, 4) static int set_unset(StateValues *s, StateVar v, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = set_valuev(s, v, NULL, fmt, ap);
        va_end(ap);
        return r;
}

static const char *why(int r) {
        switch (-r) {
        case EFBIG:
                return "too large";
        case EBADFD:
                return "not a regular file";
        case ELOOP:
                return "too many levels of symbolic links";
        case EBADMSG:
                return "binary data (NUL byte)";
        default:
                return strerror(-r);
        }
}

/* Notes gathered for one source: at most SYSSTATE_NOTES_MAX are kept, the
 * rest counted. */
typedef struct Notes {
        char **l;
        size_t dropped;
} Notes;

static void notes_clear(Notes *n) {
        n->l = (strv_free(n->l), NULL);
        n->dropped = 0;
}

_printf_(2, 3) static int note(Notes *n, const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        if (strv_length(n->l) >= SYSSTATE_NOTES_MAX) {
                n->dropped++;
                return 0;
        }
        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return strv_consume(&n->l, s);
}

static char *notes_join(const Notes *n) {
        _cleanup_free_ char *j = strv_join(n->l, "; ");

        if (!j)
                return NULL;
        if (n->dropped == 0)
                return TAKE_PTR(j);
        return strf("%s; and %zu more", j, n->dropped);
}

/* Takes the line at *p (without its newline) and moves *p past it: 1;
 * 0 for a line longer than SYSSTATE_LINE_MAX, skipped (*ret NULL). */
static int take_line(const char **p, char **ret) {
        const char *start = *p;
        size_t len = strcspn(start, "\n");

        *p += len + (start[len] == '\n');
        if (len > SYSSTATE_LINE_MAX) {
                *ret = NULL;
                return 0;
        }
        *ret = strndup(start, len);
        return *ret ? 1 : -ENOMEM;
}

/* Resolves path (absolute) below root as if root were "/": symlinks are
 * followed (absolute ones from root), ".." stops at root. *ret is the
 * resolved path below root ("/usr/lib/os-release"). */
static int chase_in_root(const char *root, const char *path, char **ret) {
        _cleanup_free_ char *done = strdup(""), *todo = strdup(path);
        unsigned links = 0;

        if (!done || !todo)
                return -ENOMEM;
        for (;;) {
                _cleanup_free_ char *component = NULL, *next = NULL, *full = NULL;
                char *p = todo;
                size_t n;
                struct stat st;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                n = strcspn(p, "/");
                component = strndup(p, n);
                if (!component)
                        return -ENOMEM;
                memmove(todo, p + n, strlen(p + n) + 1);

                if (streq(component, "."))
                        continue;
                if (streq(component, "..")) {
                        char *slash = strrchr(done, '/');
                        if (slash)
                                *slash = '\0';
                        continue;
                }
                next = strf("%s/%s", done, component);
                if (!next)
                        return -ENOMEM;
                full = path_join(root, next);
                if (!full)
                        return -ENOMEM;
                if (lstat(full, &st) < 0)
                        return negative_errno();
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t k;
                        char *t;

                        if (++links > SYSSTATE_LINKS_MAX)
                                return -ELOOP;
                        k = readlink(full, target, sizeof target);
                        if (k < 0)
                                return negative_errno();
                        if ((size_t) k >= sizeof target)
                                return -ENAMETOOLONG;
                        target[k] = '\0';
                        if (target[0] == '/')
                                done[0] = '\0';
                        t = strf("%s/%s", target, todo);
                        if (!t)
                                return -ENOMEM;
                        free(todo);
                        todo = t;
                        continue;
                }
                if (!S_ISDIR(st.st_mode) && todo[strspn(todo, "/")] != '\0')
                        return -ENOTDIR;
                free(done);
                done = TAKE_PTR(next);
        }
        if (isempty(done))
                return free_and_strdup(ret, "/") < 0 ? -ENOMEM : 0;
        *ret = TAKE_PTR(done);
        return 0;
}

/* Reads root+path, symlinks resolved below root; max_size caps it.
 * -EBADMSG for binary data (a NUL byte). */
static int read_in_root(const char *root, const char *path, size_t max_size, char **ret) {
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ char *resolved = NULL, *full = NULL;
        size_t size;
        int r;

        r = chase_in_root(root, path, &resolved);
        if (r < 0)
                return r;
        full = path_join(root, resolved);
        if (!full)
                return -ENOMEM;
        r = read_full_file(full, max_size, &text, &size);
        if (r < 0)
                return r;
        if (memory_has_nul(text, size))
                return -EBADMSG;
        *ret = TAKE_PTR(text);
        return 0;
}

/* Sorted names of a directory below root, dot files left out, at most
 * SYSSTATE_DIR_MAX looked at (*ret_truncated then set). */
static int list_in_root(const char *root, const char *path, char ***ret, bool *ret_truncated) {
        _cleanup_free_ char *resolved = NULL, *full = NULL;
        _cleanup_strv_free_ char **l = NULL;
        DIR *d;
        struct dirent *de;
        unsigned n = 0;
        int r;

        *ret_truncated = false;
        r = chase_in_root(root, path, &resolved);
        if (r < 0)
                return r;
        full = path_join(root, resolved);
        if (!full)
                return -ENOMEM;
        d = opendir(full);
        if (!d)
                return negative_errno();
        r = 0;
        while ((errno = 0, de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                if (++n > SYSSTATE_DIR_MAX) {
                        *ret_truncated = true;
                        break;
                }
                r = strv_extend(&l, de->d_name);
                if (r < 0)
                        break;
        }
        if (r == 0 && !de && errno != 0)
                r = negative_errno();
        closedir(d);
        if (r < 0)
                return r;
        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        strv_sort(l);
        *ret = TAKE_PTR(l);
        return 0;
}

/* ---- os-release ---- */

/* An os-release value as a shell reads it: '...' literally, "..." with
 * \ escaping $ " \ ` and newline, unquoted text with \ escaping any
 * character, up to a blank; after a blank only a comment may follow.
 * -EINVAL for an unterminated quote or a second word. */
static int shell_unquote(const char *s, char **ret) {
        _cleanup_free_ char *r = malloc(strlen(s) + 1);
        char *o = r;
        const char *p = s;

        if (!r)
                return -ENOMEM;
        while (*p && *p != ' ' && *p != '\t') {
                if (*p == '\'') {
                        const char *e = strchr(p + 1, '\'');
                        if (!e)
                                return -EINVAL;
                        memcpy(o, p + 1, (size_t) (e - p - 1));
                        o += e - p - 1;
                        p = e + 1;
                } else if (*p == '"') {
                        for (p++; *p != '"'; p++) {
                                if (!*p)
                                        return -EINVAL;
                                if (*p == '\\' && p[1] && strchr("$\"\\`", p[1]))
                                        p++;
                                *o++ = *p;
                        }
                        p++;
                } else if (*p == '\\') {
                        if (!p[1])
                                return -EINVAL;
                        *o++ = p[1];
                        p += 2;
                } else if (strchr("$`;&|<>()", *p))
                        return -EINVAL; /* shell syntax, not a value */
                else
                        *o++ = *p++;
        }
        p += strspn(p, " \t");
        if (*p && *p != '#')
                return -EINVAL;
        *o = '\0';
        *ret = TAKE_PTR(r);
        return 0;
}

enum {
        OS_ID,
        OS_ID_LIKE,
        OS_VERSION_ID,
        _OS_KEY_MAX,
};

static const char * const os_keys[_OS_KEY_MAX] = {
        [OS_ID] = "ID",
        [OS_ID_LIKE] = "ID_LIKE",
        [OS_VERSION_ID] = "VERSION_ID",
};

typedef struct OsRelease {
        char *value[_OS_KEY_MAX];
        unsigned bad_line[_OS_KEY_MAX];         /* the last assignment was garbled, at this line */
} OsRelease;

static void os_release_clear(OsRelease *o) {
        for (size_t i = 0; i < _OS_KEY_MAX; i++)
                o->value[i] = mfree(o->value[i]);
}

/* Takes the keys we want from os-release text; as in a shell, the last
 * assignment wins. A line that is not KEY=VALUE is skipped. */
static int os_release_parse(const char *text, OsRelease *o) {
        const char *p = text;

        for (unsigned line = 1; *p && line <= SYSSTATE_LINES_MAX; line++) {
                _cleanup_free_ char *l = NULL, *value = NULL;
                const char *eq, *key;
                int k, r;

                r = take_line(&p, &l);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                key = l + strspn(l, " \t");
                eq = strchr(key, '=');
                if (!eq)
                        continue;
                for (k = 0; k < _OS_KEY_MAX; k++)
                        if ((size_t) (eq - key) == strlen(os_keys[k]) && strneq(key, os_keys[k], (size_t) (eq - key)))
                                break;
                if (k == _OS_KEY_MAX)
                        continue;
                r = shell_unquote(eq + 1, &value);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || memchr(value, '\n', strlen(value))) {
                        o->value[k] = mfree(o->value[k]);
                        o->bad_line[k] = line;
                        continue;
                }
                free(o->value[k]);
                o->value[k] = TAKE_PTR(value);
                o->bad_line[k] = 0;
        }
        return 0;
}

static const char *os_family_of(const char *id) {
        static const struct {
                const char *prefix;     /* "x*": a prefix, else exact */
                const char *family;
        } table[] = {
                { "debian", "apt" },     { "ubuntu", "apt" },     { "devuan", "apt" },
                { "raspbian", "apt" },   { "linuxmint", "apt" },  { "pop", "apt" },
                { "kali", "apt" },       { "arch", "pacman" },    { "archarm", "pacman" },
                { "manjaro*", "pacman" }, { "endeavouros", "pacman" }, { "artix", "pacman" },
                { "opensuse*", "zypper" }, { "suse", "zypper" }, { "sles*", "zypper" },
                { "sled", "zypper" },    { "sle-micro", "zypper" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                size_t n = strlen(table[i].prefix);
                if (table[i].prefix[n - 1] == '*' ? strneq(id, table[i].prefix, n - 1) : streq(id, table[i].prefix))
                        return table[i].family;
        }
        return NULL;
}

static int detect_os_value(StateValues *s, StateVar v, const OsRelease *o, int key, const char *file) {
        const char *value = o->value[key];

        if (!value && o->bad_line[key] > 0)
                return set_unset(s, v, "unset (%s line %u: %s is not a valid assignment)", file, o->bad_line[key],
                                 os_keys[key]);
        if (!value)
                return set_unset(s, v, "unset (%s has no %s)", file, os_keys[key]);
        if (!state_word_is_valid(value))
                return set_unset(s, v, "unset (%s %s refused: not a word of A-Z a-z 0-9 . _ + -)", file,
                                 os_keys[key]);
        return set_word(s, v, value, "%s %s", file, os_keys[key]);
}

static int detect_os(StateValues *s, const char *root) {
        _cleanup_(os_release_clear) OsRelease o = {};
        _cleanup_free_ char *text = NULL;
        _cleanup_strv_free_ char **like = NULL;
        const char *file = OS_RELEASE_ETC;
        int r;

        r = read_in_root(root, file, SYSSTATE_FILE_MAX, &text);
        if (r == -ENOENT) {
                file = OS_RELEASE_USR;
                r = read_in_root(root, file, SYSSTATE_FILE_MAX, &text);
        }
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                _cleanup_free_ char *reason = r == -ENOENT
                        ? strf("neither %s nor %s exists", OS_RELEASE_ETC, OS_RELEASE_USR)
                        : strf("%s: %s", file, why(r));
                if (!reason)
                        return -ENOMEM;
                for (StateVar v = STATE_OS_FAMILY; v <= STATE_OS_VERSION_ID; v++) {
                        r = set_unset(s, v, "unset (%s)", reason);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        r = os_release_parse(text, &o);
        if (r < 0)
                return r;
        r = detect_os_value(s, STATE_OS_ID, &o, OS_ID, file);
        if (r < 0)
                return r;
        r = detect_os_value(s, STATE_OS_VERSION_ID, &o, OS_VERSION_ID, file);
        if (r < 0)
                return r;

        /* The family: from ID, else the first of ID_LIKE that names one. */
        if (o.value[OS_ID] && state_word_is_valid(o.value[OS_ID]) && os_family_of(o.value[OS_ID]))
                return set_word(s, STATE_OS_FAMILY, os_family_of(o.value[OS_ID]), "%s ID %s", file,
                                o.value[OS_ID]);
        if (o.value[OS_ID_LIKE]) {
                r = strv_split(o.value[OS_ID_LIKE], " \t", &like);
                if (r < 0)
                        return r;
                STRV_FOREACH(w, like)
                        if (state_word_is_valid(*w) && os_family_of(*w))
                                return set_word(s, STATE_OS_FAMILY, os_family_of(*w), "%s ID_LIKE %s", file,
                                                *w);
        }
        return set_unset(s, STATE_OS_FAMILY,
                         "unset (%s: neither ID nor ID_LIKE names a distribution of apt, pacman or zypper)", file);
}

/* ---- sessions: DE and DS ---- */

enum {
        DE_GNOME,
        DE_KDE,
        DE_XFCE,
        DE_COSMIC,
        _DE_MAX,
};

static const char * const de_words[_DE_MAX] = {
        [DE_GNOME] = "gnome",
        [DE_KDE] = "kde",
        [DE_XFCE] = "xfce",
        [DE_COSMIC] = "cosmic",
};

/* A session file's name: gnome*.desktop (gnome-xorg, gnome-classic),
 * plasma*.desktop (plasmawayland, plasmax11), kde*.desktop, xfce*,
 * cosmic*. */
static int de_of_file_name(const char *name) {
        static const struct {
                const char *prefix;
                int de;
        } table[] = {
                { "gnome", DE_GNOME },   { "plasma", DE_KDE },     { "kde", DE_KDE },
                { "xfce", DE_XFCE },     { "cosmic", DE_COSMIC },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (strncasecmp(name, table[i].prefix, strlen(table[i].prefix)) == 0)
                        return (int) table[i].de;
        return -1;
}

/* A DesktopNames entry (XDG_CURRENT_DESKTOP's names): GNOME,
 * GNOME-Classic, GNOME-Flashback, KDE, XFCE, COSMIC. */
static int de_of_desktop_name(const char *name) {
        if (strcasecmp(name, "GNOME") == 0 || strncasecmp(name, "GNOME-", 6) == 0)
                return DE_GNOME;
        if (strcasecmp(name, "KDE") == 0)
                return DE_KDE;
        if (strcasecmp(name, "XFCE") == 0)
                return DE_XFCE;
        if (strcasecmp(name, "COSMIC") == 0)
                return DE_COSMIC;
        return -1;
}

/* Sets found[de] for every name of DesktopNames= in the [Desktop Entry]
 * group of a session file's text. Ubuntu writes "ubuntu:GNOME": ':'
 * separates too. */
static int desktop_names(const char *text, bool found[static _DE_MAX]) {
        const char *p = text;
        bool in_entry = false;

        for (unsigned line = 1; *p && line <= SYSSTATE_LINES_MAX; line++) {
                _cleanup_free_ char *l = NULL;
                _cleanup_strv_free_ char **names = NULL;
                const char *v;
                char *s;
                int r;

                r = take_line(&p, &l);
                if (r < 0)
                        return r;
                if (r == 0)
                        continue;
                s = strstrip(l);
                if (s[0] == '[') {
                        in_entry = streq(s, "[Desktop Entry]");
                        continue;
                }
                if (!in_entry || !(v = startswith(s, "DesktopNames")))
                        continue;
                v += strspn(v, " \t");
                if (*v != '=')
                        continue;
                r = strv_split(v + 1, ";: \t", &names);
                if (r < 0)
                        return r;
                STRV_FOREACH(n, names) {
                        int de = de_of_desktop_name(*n);
                        if (de >= 0)
                                found[de] = true;
                }
        }
        return 0;
}

typedef struct Sessions {
        const char *first_file[_DE_MAX];        /* the file that showed each DE first */
        char **files;                           /* every session file, as paths below root */
        char *first_wayland, *first_x11;        /* the first session file of each kind */
        Notes problems;
} Sessions;

static void sessions_clear(Sessions *ss) {
        strv_free(ss->files);
        free(ss->first_wayland);
        free(ss->first_x11);
        notes_clear(&ss->problems);
        memset(ss, 0, sizeof *ss);
}

static int scan_sessions(const char *root, const char *dir, char **ret_first, Sessions *ss) {
        _cleanup_strv_free_ char **names = NULL;
        bool truncated;
        int r;

        r = list_in_root(root, dir, &names, &truncated);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return note(&ss->problems, "%s: %s", dir, why(r));
        if (truncated) {
                r = note(&ss->problems, "%s: only the first %u entries looked at", dir, SYSSTATE_DIR_MAX);
                if (r < 0)
                        return r;
        }

        STRV_FOREACH(name, names) {
                _cleanup_free_ char *path = NULL, *text = NULL, *shown = NULL;
                bool found[_DE_MAX] = {};
                int de;

                if (!endswith(*name, ".desktop"))
                        continue;
                path = strf("%s/%s", dir, *name);
                if (!path)
                        return -ENOMEM;
                shown = printable(path);
                if (!shown)
                        return -ENOMEM;
                r = read_in_root(root, path, SYSSTATE_FILE_MAX, &text);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        /* Not a session (a directory, a broken link): skipped. */
                        r = note(&ss->problems, "%s: %s", shown, why(r));
                        if (r < 0)
                                return r;
                        continue;
                }
                de = de_of_file_name(*name);
                if (de >= 0)
                        found[de] = true;
                r = desktop_names(text, found);
                if (r < 0)
                        return r;

                r = strv_extend(&ss->files, shown);
                if (r < 0)
                        return r;
                if (!*ret_first) {
                        *ret_first = strdup(shown);
                        if (!*ret_first)
                                return -ENOMEM;
                }
                for (size_t i = 0; i < _DE_MAX; i++)
                        if (found[i] && !ss->first_file[i])
                                ss->first_file[i] = ss->files[strv_length(ss->files) - 1];
        }
        return 0;
}

static int detect_sessions(StateValues *s, const char *root) {
        _cleanup_(sessions_clear) Sessions ss = {};
        _cleanup_strv_free_ char **de = NULL, **ds = NULL;
        _cleanup_(notes_clear) Notes de_src = {}, ds_src = {};
        _cleanup_free_ char *problems = NULL, *de_text = NULL, *ds_text = NULL;
        const char *sep;
        int r;

        r = scan_sessions(root, WAYLAND_SESSIONS, &ss.first_wayland, &ss);
        if (r < 0)
                return r;
        r = scan_sessions(root, X_SESSIONS, &ss.first_x11, &ss);
        if (r < 0)
                return r;
        problems = notes_join(&ss.problems);
        if (!problems)
                return -ENOMEM;
        sep = isempty(problems) ? "" : "; ";

        for (size_t i = 0; i < _DE_MAX; i++)
                if (ss.first_file[i] &&
                    (strv_extend(&de, de_words[i]) < 0 || note(&de_src, "%s: %s", de_words[i], ss.first_file[i]) < 0))
                        return -ENOMEM;
        if (ss.first_wayland &&
            (strv_extend(&ds, "wayland") < 0 || note(&ds_src, "wayland: %s", ss.first_wayland) < 0))
                return -ENOMEM;
        if (ss.first_x11 && (strv_extend(&ds, "x11") < 0 || note(&ds_src, "x11: %s", ss.first_x11) < 0))
                return -ENOMEM;
        de_text = notes_join(&de_src);
        ds_text = notes_join(&ds_src);
        if (!de_text || !ds_text)
                return -ENOMEM;

        if (de)
                r = set_words(s, STATE_DE, TAKE_PTR(de), "%s%s%s", de_text, sep, problems);
        else
                r = set_word(s, STATE_DE, "none", "default (no gnome, kde, xfce or cosmic session in %s or %s%s%s)",
                             WAYLAND_SESSIONS, X_SESSIONS, sep, problems);
        if (r < 0)
                return r;
        if (ds)
                return set_words(s, STATE_DS, TAKE_PTR(ds), "%s", ds_text);
        return set_word(s, STATE_DS, "none", "default (no session file in %s or %s%s%s)", WAYLAND_SESSIONS,
                        X_SESSIONS, sep, problems);
}

/* ---- the display manager ---- */

static const char *dm_of_unit(const char *unit) {
        static const struct {
                const char *unit, *dm;
        } table[] = {
                { "gdm.service", "gdm" },         { "gdm3.service", "gdm" },
                { "sddm.service", "sddm" },       { "lightdm.service", "lightdm" },
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if (streq(unit, table[i].unit))
                        return table[i].dm;
        return NULL;
}

static int detect_dm(StateValues *s, const char *root) {
        _cleanup_free_ char *dir = NULL, *link = NULL, *full = NULL, *resolved = NULL, *shown = NULL;
        _cleanup_free_ char *target_path = NULL;
        char target[PATH_MAX];
        const char *unit, *dm;
        struct stat st;
        ssize_t k;
        int r;

        /* The link itself is not followed: its target names the unit. */
        r = chase_in_root(root, UNIT_DIR, &dir);
        if (r == -ENOMEM)
                return r;
        if (r == -ENOENT)
                return set_word(s, STATE_DM, "none", "default (no %s)", DISPLAY_MANAGER);
        if (r < 0)
                return set_word(s, STATE_DM, "none", "default (%s: %s)", UNIT_DIR, why(r));
        link = strf("%s/display-manager.service", dir);
        if (!link)
                return -ENOMEM;
        full = path_join(root, link);
        if (!full)
                return -ENOMEM;
        if (lstat(full, &st) < 0) {
                if (errno == ENOENT)
                        return set_word(s, STATE_DM, "none", "default (no %s)", DISPLAY_MANAGER);
                return set_word(s, STATE_DM, "none", "default (%s: %s)", DISPLAY_MANAGER, why(-errno));
        }
        if (!S_ISLNK(st.st_mode))
                return set_word(s, STATE_DM, "none", "default (%s is not a symlink to a display manager's unit)",
                                DISPLAY_MANAGER);
        k = readlink(full, target, sizeof target);
        if (k < 0)
                return set_word(s, STATE_DM, "none", "default (%s: %s)", DISPLAY_MANAGER, why(-errno));
        if ((size_t) k >= sizeof target)
                return set_word(s, STATE_DM, "none", "default (%s: %s)", DISPLAY_MANAGER, why(-ENAMETOOLONG));
        target[k] = '\0';
        shown = printable(target);
        if (!shown)
                return -ENOMEM;

        unit = strrchr(target, '/');
        unit = unit ? unit + 1 : target;
        if (streq(target, "/dev/null"))
                return set_word(s, STATE_DM, "none", "default (display-manager.service is masked)");

        /* The link must lead somewhere, resolved below root like the rest. */
        target_path = target[0] == '/' ? strdup(target) : strf("%s/%s", dir, target);
        if (!target_path)
                return -ENOMEM;
        r = chase_in_root(root, target_path, &resolved);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return set_word(s, STATE_DM, "none", "default (display-manager.service -> %s: broken link: %s)",
                                shown, why(r));

        dm = dm_of_unit(unit);
        if (!dm)
                return set_word(s, STATE_DM, "none",
                                "default (display-manager.service -> %s: not gdm, sddm or lightdm)", shown);
        return set_word(s, STATE_DM, dm, "display-manager.service -> %s", unit);
}

/* ---- GPU: the vendors of PCI display controllers ---- */

static const char *gpu_of_vendor(const char *vendor) {
        if (strcasecmp(vendor, "0x10de") == 0)
                return "nvidia";
        if (strcasecmp(vendor, "0x1002") == 0)
                return "amd";
        if (strcasecmp(vendor, "0x8086") == 0)
                return "intel";
        return NULL;
}

static bool pci_address_is_valid(const char *s) {
        return !isempty(s) && strlen(s) <= 32 && s[strspn(s, "0123456789abcdefABCDEF:.")] == '\0';
}

/* A sysfs attribute: "0x" and hex digits, lower-cased. */
static int read_hex_attr(const char *root, const char *dev, const char *attr, char **ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        char *v;
        int r;

        path = strf("%s/%s/%s", PCI_DEVICES, dev, attr);
        if (!path)
                return -ENOMEM;
        r = read_in_root(root, path, SYSSTATE_ATTR_MAX, &text);
        if (r < 0)
                return r;
        v = strstrip(text);
        if (!startswith(v, "0x") || v[2] == '\0' || v[2 + strspn(v + 2, "0123456789abcdefABCDEF")] != '\0' ||
            strlen(v) > 18)
                return -EINVAL;
        for (char *c = v; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        return free_and_strdup(ret, v) < 0 ? -ENOMEM : 0;
}

static int detect_gpu(StateValues *s, const char *root) {
        _cleanup_strv_free_ char **devices = NULL, **gpu = NULL;
        _cleanup_(notes_clear) Notes found = {}, other = {};
        _cleanup_free_ char *src = NULL, *problems = NULL;
        const char *sep;
        bool truncated;
        int r;

        r = list_in_root(root, PCI_DEVICES, &devices, &truncated);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return set_word(s, STATE_GPU, "none", "default (%s: %s)", PCI_DEVICES,
                                r == -ENOENT ? "does not exist" : why(r));
        if (truncated && note(&other, "only the first %u PCI devices looked at", SYSSTATE_DIR_MAX) < 0)
                return -ENOMEM;

        STRV_FOREACH(dev, devices) {
                _cleanup_free_ char *class = NULL, *vendor = NULL;
                const char *g;

                if (!pci_address_is_valid(*dev))
                        continue;
                r = read_hex_attr(root, *dev, "class", &class);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (note(&other, "PCI %s class %s", *dev, r == -EINVAL ? "not a number" : why(r)) < 0)
                                return -ENOMEM;
                        continue;
                }
                /* Class 0x03: display controller (VGA, XGA, 3D, other). */
                if (!startswith(class, "0x03") || strlen(class) != 8)
                        continue;
                r = read_hex_attr(root, *dev, "vendor", &vendor);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (note(&other, "PCI %s vendor %s", *dev, r == -EINVAL ? "not a number" : why(r)) < 0)
                                return -ENOMEM;
                        continue;
                }
                g = gpu_of_vendor(vendor);
                if (!g) {
                        if (note(&other, "PCI %s vendor %s: not nvidia, amd or intel", *dev, vendor) < 0)
                                return -ENOMEM;
                        continue;
                }
                if (strv_extend(&gpu, g) < 0 || note(&found, "PCI %s vendor %s", *dev, vendor) < 0)
                        return -ENOMEM;
        }

        problems = notes_join(&other);
        src = notes_join(&found);
        if (!problems || !src)
                return -ENOMEM;
        sep = isempty(problems) ? "" : "; ";
        if (!gpu)
                return set_word(s, STATE_GPU, "none", "default (no nvidia, amd or intel PCI display controller%s%s)",
                                sep, problems);
        return set_words(s, STATE_GPU, TAKE_PTR(gpu), "%s%s%s", src, sep, problems);
}

int sysstate_detect(const char *root, StateValues *ret) {
        _cleanup_(state_values_done) StateValues s = {};
        int r;

        assert(ret);
        if (isempty(root))
                root = "/";
        r = detect_os(&s, root);
        if (r < 0)
                return r;
        r = detect_sessions(&s, root);
        if (r < 0)
                return r;
        r = detect_dm(&s, root);
        if (r < 0)
                return r;
        r = detect_gpu(&s, root);
        if (r < 0)
                return r;
        *ret = s;
        s = (StateValues) {};
        return 0;
}

char **sysstate_watch_paths(const char *root) {
        static const char * const paths[] = {
                OS_RELEASE_ETC, OS_RELEASE_USR, WAYLAND_SESSIONS, X_SESSIONS, DISPLAY_MANAGER,
        };
        _cleanup_strv_free_ char **l = NULL;

        if (isempty(root))
                root = "/";
        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (strv_consume(&l, path_join(root, paths[i])) < 0)
                        return NULL;
        return TAKE_PTR(l);
}
