/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevel.conf and its drop-ins. */
#include "conf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "level.h"
#include "strv.h"
#include "util.h"

/* inih reads lines into a fixed buffer of INI_MAX_LINE bytes and splits
 * longer ones silently; we refuse them before inih sees them. */
#define CONFIG_MAX_LINE (INI_MAX_LINE - 2)
#define CONFIG_MAX_SIZE (1024U * 1024U)

void config_free(Config *c) {
        if (!c)
                return;
        free(c->file);
        free(c->root);
        free(c->level);
        free(c->policy_dir);
        free(c->cache_dir);
        free(c->state_dir);
        free(c->runtime_dir);
        free(c->apparmorfs);
        free(c->parser);
        free(c->parser_config);
        strv_free(c->include_path);
        free(c->features_file);
        free(c->early_policy_dir);
        free(c->levels_dir);
        free(c->vendor_levels_dir);
        strv_free(c->lower_labels);
        free(c);
}

int config_new_default(const char *root, Config **ret) {
        _cleanup_(config_freep) Config *c = NULL;

        c = calloc(1, sizeof(Config));
        if (!c)
                return -ENOMEM;
        c->root = strdup(strempty(root));
        c->policy_dir = strdup(AALEVEL_POLICY_DIR);
        c->cache_dir = strdup(AALEVEL_CACHE_DIR);
        c->state_dir = strdup(AALEVEL_STATE_DIR);
        c->runtime_dir = strdup(AALEVEL_RUNTIME_DIR);
        c->apparmorfs = strdup("/sys/kernel/security/apparmor");
        c->parser = strdup(AALEVEL_APPARMOR_PARSER);
        c->parser_config = strdup("/etc/apparmor/parser.conf");
        c->early_policy_dir = strdup("/etc/apparmor/earlypolicy");
        c->levels_dir = strdup(AALEVEL_LEVELS_DIR);
        c->vendor_levels_dir = strdup(AALEVEL_VENDOR_LEVELS_DIR);
        if (!c->root || !c->policy_dir || !c->cache_dir || !c->state_dir || !c->runtime_dir ||
            !c->apparmorfs || !c->parser || !c->parser_config || !c->early_policy_dir ||
            !c->levels_dir || !c->vendor_levels_dir)
                return -ENOMEM;
        /* aalevelctl runs under its own profile (profiles/): the admin's
         * own tool may lower the level; other confined programs may not. */
        if (strv_extend(&c->lower_labels, "aalevelctl") < 0)
                return -ENOMEM;
        c->jobs = 0;
        c->debounce_ms = 250;
        c->debounce_max_ms = 2000;
        c->compile_timeout_sec = 300;
        *ret = TAKE_PTR(c);
        return 0;
}

typedef enum KeyType {
        KEY_PATH,               /* absolute path */
        KEY_PATH_OPTIONAL,      /* absolute path; empty unsets (the documented default) */
        KEY_PATH_LIST,          /* absolute paths, whitespace separated, appended; empty resets */
        KEY_LEVEL,              /* a level name */
        KEY_UINT,
        KEY_JOBS,               /* a number or "auto" */
        KEY_LABEL_LIST,         /* AppArmor labels, appended; empty resets */
} KeyType;

typedef struct KeyDef {
        const char *section;
        const char *name;
        KeyType type;
        size_t offset;
        unsigned min, max;      /* for numbers */
} KeyDef;

#define FIELD(f) offsetof(Config, f)
static const KeyDef keys[] = {
        { "daemon", "level",               KEY_LEVEL,      FIELD(level) },
        { "daemon", "policy_dir",          KEY_PATH,       FIELD(policy_dir) },
        { "daemon", "cache_dir",           KEY_PATH,       FIELD(cache_dir) },
        { "daemon", "state_dir",           KEY_PATH,       FIELD(state_dir) },
        { "daemon", "runtime_dir",         KEY_PATH,       FIELD(runtime_dir) },
        { "daemon", "apparmorfs",          KEY_PATH,       FIELD(apparmorfs) },
        { "daemon", "parser",              KEY_PATH,       FIELD(parser) },
        { "daemon", "parser_config",       KEY_PATH,       FIELD(parser_config) },
        { "daemon", "include_path",        KEY_PATH_LIST,  FIELD(include_path) },
        { "daemon", "features_file",       KEY_PATH_OPTIONAL, FIELD(features_file) },
        { "daemon", "early_policy_dir",    KEY_PATH,       FIELD(early_policy_dir) },
        { "daemon", "levels_dir",          KEY_PATH,       FIELD(levels_dir) },
        { "daemon", "vendor_levels_dir",   KEY_PATH,       FIELD(vendor_levels_dir) },
        { "daemon", "jobs",                KEY_JOBS,       FIELD(jobs), 1, 256 },
        { "daemon", "debounce_ms",         KEY_UINT,       FIELD(debounce_ms), 0, 60000 },
        { "daemon", "debounce_max_ms",     KEY_UINT,       FIELD(debounce_max_ms), 0, 600000 },
        { "daemon", "compile_timeout_sec", KEY_UINT,       FIELD(compile_timeout_sec), 1, 86400 },
        { "access", "lower_labels",        KEY_LABEL_LIST, FIELD(lower_labels) },
};

typedef struct ParseState {
        Config *config;
        char *error;            /* the first error, without file and line */
        unsigned error_line;
        unsigned line;          /* lines seen so far, to date the error */
} ParseState;

static int set_error(ParseState *s, const char *fmt, ...) _printf_(2, 3);
static int set_error(ParseState *s, const char *fmt, ...) {
        va_list ap;

        if (!s->error) {
                s->error_line = s->line;
                va_start(ap, fmt);
                if (vasprintf(&s->error, fmt, ap) < 0)
                        s->error = NULL;
                va_end(ap);
        }
        return 0; /* tells inih this line is bad */
}

static bool label_is_valid(const char *l) {
        /* A label as the kernel prints it: no whitespace or control
         * characters; the mode suffix " (enforce)" is not part of it. */
        if (isempty(l) || strlen(l) > 4096)
                return false;
        for (const char *p = l; *p; p++)
                if ((unsigned char) *p <= ' ' || *p == 0x7f)
                        return false;
        return true;
}

static int apply_list(char ***field, const char *value, bool paths, ParseState *s, const char *name) {
        _cleanup_strv_free_ char **l = NULL;

        if (isempty(value)) {
                strv_free(*field);
                *field = NULL;
                return 1;
        }
        if (strv_split(value, " \t", &l) < 0)
                return set_error(s, "out of memory");
        STRV_FOREACH(i, l) {
                if (paths && (*i)[0] != '/')
                        return set_error(s, "%s: '%s' is not an absolute path", name, *i);
                if (!paths && !label_is_valid(*i))
                        return set_error(s, "%s: '%s' is not a valid AppArmor label", name, *i);
        }
        if (strv_extend_strv(field, l) < 0)
                return set_error(s, "out of memory");
        return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value) {
        ParseState *s = user;
        const KeyDef *k = NULL;
        bool section_known = false;

        for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
                if (!streq(keys[i].section, section))
                        continue;
                section_known = true;
                if (streq(keys[i].name, name)) {
                        k = &keys[i];
                        break;
                }
        }
        if (!section_known)
                return set_error(s, "unknown section [%s]", section);
        if (!k)
                return set_error(s, "unknown key '%s' in section [%s]", name, section);

        void *field = (char *) s->config + k->offset;
        switch (k->type) {
        case KEY_PATH_OPTIONAL:
                /* "features_file =", as the shipped aalevel.conf shows it
                 * commented out: unset, not an error. */
                if (isempty(value)) {
                        (void) free_and_strdup(field, NULL);
                        return 1;
                }
                _fallthrough_;
        case KEY_PATH:
                if (value[0] != '/')
                        return set_error(s, "%s: '%s' is not an absolute path", name, value);
                if (strstr(value, "/../") || endswith(value, "/.."))
                        return set_error(s, "%s: '%s' must not contain '..'", name, value);
                if (free_and_strdup(field, value) < 0)
                        return set_error(s, "out of memory");
                return 1;
        case KEY_LEVEL:
                if (isempty(value)) {
                        (void) free_and_strdup(field, NULL);
                        return 1;
                }
                if (!level_name_is_valid(value))
                        return set_error(s, "level: '%s' is not a valid level name "
                                 "(lowercase letters, digits and '_', starting with a letter)", value);
                if (free_and_strdup(field, value) < 0)
                        return set_error(s, "out of memory");
                return 1;
        case KEY_JOBS:
                if (streq(value, "auto") || streq(value, "0")) {
                        *(unsigned *) field = 0;
                        return 1;
                }
                _fallthrough_;
        case KEY_UINT: {
                unsigned u;
                if (safe_atou(value, &u) < 0 || u < k->min || u > k->max)
                        return set_error(s, "%s: '%s' is not a number between %u and %u%s", name, value,
                                         k->min, k->max, k->type == KEY_JOBS ? ", or 'auto'" : "");
                *(unsigned *) field = u;
                return 1;
        }
        case KEY_PATH_LIST:
                return apply_list((char ***) field, value, true, s, name);
        case KEY_LABEL_LIST:
                return apply_list((char ***) field, value, false, s, name);
        }
        return set_error(s, "internal error");
}

/* Everything inih would misread is refused here with the line number:
 * NUL bytes, over-long lines. Leading whitespace is dropped, so that an
 * indented key is a key and not inih's continuation of the previous
 * value. */
static int preprocess(const char *text, char **ret, unsigned *ret_bad_line, const char **ret_why) {
        _cleanup_free_ char *out = NULL;
        const char *p = text;
        char *o;
        unsigned line = 1;

        out = malloc(strlen(text) + 1);
        if (!out)
                return -ENOMEM;
        o = out;
        while (*p) {
                const char *eol = strchrnul(p, '\n');
                const char *start = p;

                while (start < eol && (*start == ' ' || *start == '\t'))
                        start++;
                if (eol - start > CONFIG_MAX_LINE) {
                        *ret_bad_line = line;
                        *ret_why = "line too long";
                        return -EINVAL;
                }
                for (const char *c = start; c < eol; c++)
                        if ((unsigned char) *c < ' ' && *c != '\t' && *c != '\r') {
                                *ret_bad_line = line;
                                *ret_why = "control character or binary data";
                                return -EINVAL;
                        }
                memcpy(o, start, (size_t) (eol - start));
                o += eol - start;
                if (*eol == '\n') {
                        *o++ = '\n';
                        eol++;
                }
                p = eol;
                line++;
        }
        *o = '\0';
        *ret = TAKE_PTR(out);
        return 0;
}

/* inih's line reader, counting lines so that the handler knows where it is. */
typedef struct LineReader {
        const char *p;
        ParseState *state;
} LineReader;

static char *read_line(char *buf, int size, void *stream) {
        LineReader *lr = stream;
        size_t n;

        if (!*lr->p)
                return NULL;
        n = strcspn(lr->p, "\n");
        if (lr->p[n] == '\n')
                n++;
        if (n > (size_t) size - 1)
                n = (size_t) size - 1; /* cannot happen: preprocess() capped lines */
        memcpy(buf, lr->p, n);
        buf[n] = '\0';
        lr->p += n;
        lr->state->line++;
        return buf;
}

int config_parse_string(Config *c, const char *text, const char *filename, char **ret_error) {
        _cleanup_free_ char *clean = NULL;
        ParseState s = { .config = c };
        LineReader lr = { .state = &s };
        unsigned bad_line = 0;
        const char *why = NULL;
        int r;

        r = preprocess(text, &clean, &bad_line, &why);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "%s:%u: %s", filename, bad_line, why) < 0)
                        *ret_error = NULL;
                return r;
        }
        lr.p = clean;
        r = ini_parse_stream(read_line, &lr, handler, &s);
        if (r != 0) {
                if (ret_error) {
                        /* inih reports the first bad line; our message
                         * belongs to it only if the handler failed there. */
                        bool ours = s.error && (int) s.error_line == r;
                        if (r < 0)
                                r = asprintf(ret_error, "%s: cannot be parsed", filename);
                        else
                                r = asprintf(ret_error, "%s:%d: %s", filename, r,
                                             ours ? s.error : "syntax error (expected [section] or key = value)");
                        if (r < 0)
                                *ret_error = NULL;
                }
                free(s.error);
                return -EINVAL;
        }
        return 0;
}

static int parse_file(Config *c, const char *path, bool must_exist, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = read_full_file(path, CONFIG_MAX_SIZE, &text, &size);
        if (r == -ENOENT && !must_exist)
                return 0;
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "%s: %s", path,
                                          r == -EFBIG ? "file too large" : strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        if (memory_has_nul(text, size)) {
                if (ret_error && asprintf(ret_error, "%s: binary data (NUL byte) in a configuration file", path) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        return config_parse_string(c, text, path, ret_error);
}

static int dropin_filter(const struct dirent *de) {
        return de->d_name[0] != '.' && endswith(de->d_name, ".conf");
}

static int prefix_root(const char *root, char **field) {
        char *p;
        if (isempty(root) || !*field)
                return 0;
        p = path_join(root, *field);
        if (!p)
                return -ENOMEM;
        free(*field);
        *field = p;
        return 0;
}

int config_load(const char *path, const char *root, Config **ret, char **ret_error) {
        _cleanup_(config_freep) Config *c = NULL;
        _cleanup_free_ char *full = NULL, *dropin_dir = NULL;
        struct dirent **entries = NULL;
        int r, n;

        r = config_new_default(root, &c);
        if (r < 0)
                return r;
        c->file = strdup(path);
        full = isempty(root) ? strdup(path) : path_join(root, path);
        if (!c->file || !full)
                return -ENOMEM;

        r = parse_file(c, full, false, ret_error);
        if (r < 0)
                return r;

        if (asprintf(&dropin_dir, "%s.d", full) < 0)
                return -ENOMEM;
        n = scandir(dropin_dir, &entries, dropin_filter, dirent_cmp_bytes);
        if (n < 0 && errno != ENOENT && errno != ENOTDIR) {
                r = negative_errno();
                if (ret_error && asprintf(ret_error, "%s: %s", dropin_dir, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *p = path_join(dropin_dir, entries[i]->d_name);
                if (!p)
                        r = -ENOMEM;
                else if (r >= 0)
                        r = parse_file(c, p, true, ret_error);
                free(entries[i]);
        }
        free(entries);
        if (r < 0)
                return r;

        /* Every configured path is read below the root of an image. */
        char **paths[] = { &c->policy_dir, &c->cache_dir, &c->state_dir, &c->runtime_dir,
                           &c->parser_config, &c->features_file, &c->early_policy_dir,
                           &c->levels_dir, &c->vendor_levels_dir };
        for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
                r = prefix_root(root, paths[i]);
                if (r < 0)
                        return r;
        }
        for (char **i = c->include_path; i && *i; i++) {
                r = prefix_root(root, i);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(c);
        return 0;
}

unsigned config_jobs(const Config *c) {
        long n;
        if (c->jobs > 0)
                return c->jobs;
        n = sysconf(_SC_NPROCESSORS_ONLN);
        return n > 0 ? (unsigned) n : 1;
}

char *config_root_path(const Config *c, const char *path) {
        return isempty(c->root) ? strdup(path) : path_join(c->root, path);
}

bool config_same_paths(const Config *a, const Config *b) {
        return streq_ptr(a->root, b->root) && streq_ptr(a->policy_dir, b->policy_dir) &&
               streq_ptr(a->cache_dir, b->cache_dir) && streq_ptr(a->state_dir, b->state_dir) &&
               streq_ptr(a->runtime_dir, b->runtime_dir) && streq_ptr(a->apparmorfs, b->apparmorfs) &&
               streq_ptr(a->parser, b->parser) && streq_ptr(a->parser_config, b->parser_config) &&
               streq_ptr(a->features_file, b->features_file) &&
               streq_ptr(a->early_policy_dir, b->early_policy_dir) && strv_equal(a->include_path, b->include_path);
}
