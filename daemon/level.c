/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A level file: YAML → Level (sets of levels and their resolution are
 * level-set.c's). */
#include "level.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "fileio.h"
#include "strv.h"
#include "util.h"

#define LEVEL_FILE_MAX (1024U * 1024U)
#define YAML_MAX_DEPTH 16
#define YAML_MAX_NODES 100000

static const char * const mode_names[_MODE_OVERRIDE_MAX] = {
        [MODE_KEEP] = "keep",
        [MODE_ENFORCE] = "enforce",
        [MODE_COMPLAIN] = "complain",
};

const char *mode_override_to_string(ModeOverride m) {
        return m >= 0 && m < _MODE_OVERRIDE_MAX ? mode_names[m] : NULL;
}

ModeOverride mode_override_from_string(const char *s) {
        for (int i = 0; i < _MODE_OVERRIDE_MAX; i++)
                if (streq(mode_names[i], s))
                        return (ModeOverride) i;
        return _MODE_OVERRIDE_INVALID;
}

bool level_name_is_valid(const char *name) {
        size_t n;

        /* The name becomes part of the policy variable $aalevel_<name>. */
        if (!name || !islower((unsigned char) name[0]))
                return false;
        n = strlen(name);
        if (n > LEVEL_NAME_MAX)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!islower((unsigned char) name[i]) && !isdigit((unsigned char) name[i]) && name[i] != '_')
                        return false;
        return true;
}

/* ---- A minimal YAML document tree with line numbers ---- */

typedef enum YKind { Y_SCALAR, Y_SEQUENCE, Y_MAPPING } YKind;

typedef struct YNode {
        YKind kind;
        char *value;            /* scalars */
        bool plain;             /* an unquoted scalar: may be a bool or a number */
        unsigned line;          /* 1-based */
        struct YNode **items;   /* sequence items; mapping: key, value, key, value... */
        size_t n_items;
} YNode;

static void ynode_free(YNode *n) {
        if (!n)
                return;
        for (size_t i = 0; i < n->n_items; i++)
                ynode_free(n->items[i]);
        free(n->items);
        free(n->value);
        free(n);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(YNode *, ynode_free);

typedef struct YParser {
        yaml_parser_t parser;
        const char *filename;
        char *error;
        size_t nodes;
} YParser;

static int yerror(YParser *p, unsigned line, const char *fmt, ...) _printf_(3, 4);
static int yerror(YParser *p, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        if (p->error)
                return -EINVAL;
        va_start(ap, fmt);
        if (vasprintf(&msg, fmt, ap) < 0)
                msg = NULL;
        va_end(ap);
        if (!msg || asprintf(&p->error, "%s:%u: %s", p->filename, line, msg) < 0)
                p->error = NULL;
        return -EINVAL;
}

static int next_event(YParser *p, yaml_event_t *e) {
        if (!yaml_parser_parse(&p->parser, e))
                return yerror(p, (unsigned) p->parser.problem_mark.line + 1, "YAML syntax error: %s%s%s",
                              strna(p->parser.problem),
                              p->parser.context ? " " : "", strempty(p->parser.context));
        return 0;
}

static int parse_node(YParser *p, yaml_event_t *first, unsigned depth, YNode **ret);

static int parse_children(YParser *p, YNode *n, yaml_event_type_t end, unsigned depth) {
        size_t allocated = 0;

        for (;;) {
                yaml_event_t e;
                YNode *child = NULL;
                YNode **items;
                int r;

                r = next_event(p, &e);
                if (r < 0)
                        return r;
                if (e.type == end) {
                        yaml_event_delete(&e);
                        return 0;
                }
                r = parse_node(p, &e, depth + 1, &child);
                yaml_event_delete(&e);
                if (r < 0)
                        return r;
                /* Doubling: one realloc per child is quadratic where
                 * realloc copies (ASan's does, always). */
                if (n->n_items == allocated) {
                        allocated = allocated ? allocated * 2 : 8;
                        items = realloc(n->items, sizeof(YNode *) * allocated);
                        if (!items) {
                                ynode_free(child);
                                return -ENOMEM;
                        }
                        n->items = items;
                }
                n->items[n->n_items++] = child;
        }
}

static int parse_node(YParser *p, yaml_event_t *e, unsigned depth, YNode **ret) {
        _cleanup_(ynode_freep) YNode *n = NULL;
        unsigned line = (unsigned) e->start_mark.line + 1;
        int r;

        if (depth > YAML_MAX_DEPTH)
                return yerror(p, line, "nested too deeply (more than %d levels)", YAML_MAX_DEPTH);
        if (++p->nodes > YAML_MAX_NODES)
                return yerror(p, line, "too many YAML nodes (more than %d)", YAML_MAX_NODES);

        n = calloc(1, sizeof(YNode));
        if (!n)
                return -ENOMEM;
        n->line = line;

        switch (e->type) {
        case YAML_SCALAR_EVENT:
                if (e->data.scalar.anchor)
                        return yerror(p, line, "YAML anchors are not supported in level files");
                if (memchr(e->data.scalar.value, '\0', e->data.scalar.length))
                        return yerror(p, line, "NUL character in a value");
                n->kind = Y_SCALAR;
                n->value = strndup((const char *) e->data.scalar.value, e->data.scalar.length);
                if (!n->value)
                        return -ENOMEM;
                n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                break;
        case YAML_SEQUENCE_START_EVENT:
                if (e->data.sequence_start.anchor)
                        return yerror(p, line, "YAML anchors are not supported in level files");
                n->kind = Y_SEQUENCE;
                r = parse_children(p, n, YAML_SEQUENCE_END_EVENT, depth);
                if (r < 0)
                        return r;
                break;
        case YAML_MAPPING_START_EVENT:
                if (e->data.mapping_start.anchor)
                        return yerror(p, line, "YAML anchors are not supported in level files");
                n->kind = Y_MAPPING;
                r = parse_children(p, n, YAML_MAPPING_END_EVENT, depth);
                if (r < 0)
                        return r;
                break;
        case YAML_ALIAS_EVENT:
                return yerror(p, line, "YAML aliases are not supported in level files");
        default:
                return yerror(p, line, "unexpected YAML event");
        }
        *ret = TAKE_PTR(n);
        return 0;
}

/* Parses exactly one document; an empty file is an empty mapping. */
static int parse_document(YParser *p, const char *text, size_t size, YNode **ret) {
        _cleanup_(ynode_freep) YNode *root = NULL;
        yaml_event_t e;
        int r;

        yaml_parser_set_input_string(&p->parser, (const unsigned char *) text, size);
        for (;;) {
                r = next_event(p, &e);
                if (r < 0)
                        return r;
                switch (e.type) {
                case YAML_STREAM_START_EVENT:
                case YAML_DOCUMENT_START_EVENT:
                case YAML_DOCUMENT_END_EVENT:
                        break;
                case YAML_STREAM_END_EVENT:
                        yaml_event_delete(&e);
                        if (!root) {
                                root = calloc(1, sizeof(YNode));
                                if (!root)
                                        return -ENOMEM;
                                root->kind = Y_MAPPING;
                                root->line = 1;
                        }
                        *ret = TAKE_PTR(root);
                        return 0;
                default:
                        if (root) {
                                unsigned line = (unsigned) e.start_mark.line + 1;
                                yaml_event_delete(&e);
                                return yerror(p, line, "more than one YAML document in a level file");
                        }
                        r = parse_node(p, &e, 0, &root);
                        if (r < 0) {
                                yaml_event_delete(&e);
                                return r;
                        }
                }
                yaml_event_delete(&e);
        }
}

/* ---- From the tree to a Level ---- */

static const char *kind_name(YKind k) {
        return k == Y_SCALAR ? "a single value" : k == Y_SEQUENCE ? "a list" : "a mapping";
}

static int want_kind(YParser *p, const YNode *n, YKind k, const char *key) {
        if (n->kind != k)
                return yerror(p, n->line, "'%s' must be %s, not %s", key, kind_name(k), kind_name(n->kind));
        return 0;
}

static int get_string(YParser *p, const YNode *n, const char *key, char **field) {
        int r = want_kind(p, n, Y_SCALAR, key);
        if (r < 0)
                return r;
        r = free_and_strdup(field, n->value);
        return r < 0 ? r : 0;
}

static int get_bool(YParser *p, const YNode *n, const char *key, bool *field, bool *set) {
        int r = want_kind(p, n, Y_SCALAR, key), b;
        if (r < 0)
                return r;
        b = n->plain ? parse_boolean(n->value) : -EINVAL;
        if (b < 0)
                return yerror(p, n->line, "'%s' must be true or false, not '%s'", key, n->value);
        *field = b;
        *set = true;
        return 0;
}

static int get_uint(YParser *p, const YNode *n, const char *key, unsigned max, unsigned *field, bool *set) {
        unsigned u;
        int r = want_kind(p, n, Y_SCALAR, key);
        if (r < 0)
                return r;
        if (!n->plain || safe_atou(n->value, &u) < 0 || u > max)
                return yerror(p, n->line, "'%s' must be a whole number from 0 to %u, not '%s'", key, max, n->value);
        *field = u;
        *set = true;
        return 0;
}

typedef bool (*ItemCheck)(const char *s);

static int get_list(YParser *p, const YNode *n, const char *key, ItemCheck check, const char *what, char ***field) {
        _cleanup_strv_free_ char **l = NULL;
        int r = want_kind(p, n, Y_SEQUENCE, key);
        if (r < 0)
                return r;
        /* Sized at once: appending one by one is quadratic in the list. */
        l = calloc(n->n_items + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n->n_items; i++) {
                const YNode *item = n->items[i];
                if (item->kind != Y_SCALAR)
                        return yerror(p, item->line, "items of '%s' must be single values, not %s", key,
                                      kind_name(item->kind));
                if (check && !check(item->value))
                        return yerror(p, item->line, "'%s' in '%s' is not %s", item->value, key, what);
                l[i] = strdup(item->value);
                if (!l[i])
                        return -ENOMEM;
        }
        strv_free(*field);
        *field = TAKE_PTR(l);
        return 0;
}

static bool is_glob(const char *s) {
        return !isempty(s) && !strchr(s, '/') && strlen(s) <= 255;
}

static bool is_abs_path(const char *s) {
        return s[0] == '/' && !strstr(s, "/../") && !endswith(s, "/..");
}

static bool is_profile_name(const char *s) {
        if (isempty(s) || strlen(s) > 4096)
                return false;
        for (const char *c = s; *c; c++)
                if ((unsigned char) *c < ' ')
                        return false;
        return true;
}

static bool is_user_name(const char *s) {
        /* What Debian's adduser accepts, loosely: no separators, no control. */
        if (isempty(s) || strlen(s) > 64 || s[0] == '-')
                return false;
        for (const char *c = s; *c; c++)
                if (!isalnum((unsigned char) *c) && !strchr("._-$", *c))
                        return false;
        return true;
}

static bool is_identifier(const char *s) {
        if (isempty(s) || strlen(s) > 128 || !(isalpha((unsigned char) s[0]) || s[0] == '_'))
                return false;
        for (const char *c = s; *c; c++)
                if (!isalnum((unsigned char) *c) && *c != '_' && *c != '-')
                        return false;
        return true;
}

static int key_cmp(const void *a, const void *b) {
        const YNode *x = *(const YNode * const *) a, *y = *(const YNode * const *) b;
        int c = strcmp(x->value, y->value);
        /* Equal keys in file order (items are allocated in that order too,
         * but the line is what the error names). */
        return c != 0 ? c : x->line < y->line ? -1 : x->line > y->line;
}

/* Finds duplicate keys in a mapping, which YAML forbids and which would
 * otherwise silently pick one of the values. Sorted, not compared pairwise:
 * a file of tens of thousands of keys must not stall the daemon. The
 * duplicate reported is the first one in the file. */
static int check_mapping(YParser *p, const YNode *m, const char *where) {
        _cleanup_free_ const YNode **keys = NULL;
        const YNode *dup = NULL;
        size_t n = m->n_items / 2;

        if (m->n_items % 2 != 0)
                return yerror(p, m->line, "malformed mapping in %s", where);
        for (size_t i = 0; i < m->n_items; i += 2)
                if (m->items[i]->kind != Y_SCALAR)
                        return yerror(p, m->items[i]->line, "keys in %s must be plain words", where);
        if (n < 2)
                return 0;
        keys = malloc(sizeof(YNode *) * n);
        if (!keys)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                keys[i] = m->items[2 * i];
        qsort(keys, n, sizeof(YNode *), key_cmp);
        for (size_t i = 1; i < n; i++)
                if (streq(keys[i]->value, keys[i - 1]->value) && (!dup || keys[i]->line < dup->line))
                        dup = keys[i];
        if (dup)
                return yerror(p, dup->line, "duplicate key '%s' in %s", dup->value, where);
        return 0;
}

static int parse_profiles(YParser *p, const YNode *m, Level *l) {
        int r = want_kind(p, m, Y_MAPPING, "profiles");
        if (r < 0)
                return r;
        r = check_mapping(p, m, "'profiles'");
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_items; i += 2) {
                const char *k = m->items[i]->value;
                const YNode *v = m->items[i + 1];

                if (streq(k, "include")) {
                        r = get_list(p, v, "profiles.include", is_glob, "a file name pattern", &l->include);
                        l->include_set = true;
                } else if (streq(k, "exclude"))
                        r = get_list(p, v, "profiles.exclude", is_glob, "a file name pattern", &l->exclude);
                else if (streq(k, "directories"))
                        r = get_list(p, v, "profiles.directories", is_abs_path, "an absolute path", &l->directories);
                else
                        r = yerror(p, m->items[i]->line,
                                   "unknown key 'profiles.%s' (known: include, exclude, directories)", k);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_users(YParser *p, const YNode *m, Level *l) {
        int r = want_kind(p, m, Y_MAPPING, "users");
        if (r < 0)
                return r;
        r = check_mapping(p, m, "'users'");
        if (r < 0)
                return r;
        l->users_set = true;
        for (size_t i = 0; i < m->n_items; i += 2) {
                const char *k = m->items[i]->value;
                const YNode *v = m->items[i + 1];

                if (streq(k, "namespace")) {
                        r = get_string(p, v, "users.namespace", &l->user_namespace);
                        if (r >= 0 && !is_identifier(l->user_namespace))
                                r = yerror(p, v->line, "'users.namespace' must be a policy namespace name, not '%s'",
                                           l->user_namespace);
                } else if (streq(k, "roles")) {
                        r = want_kind(p, v, Y_SEQUENCE, "users.roles");
                        if (r < 0)
                                return r;
                        for (size_t j = 0; j < v->n_items; j++) {
                                const YNode *e = v->items[j];
                                _cleanup_free_ char *user = NULL, *role = NULL;
                                UserRole *a;

                                r = want_kind(p, e, Y_MAPPING, "users.roles[]");
                                if (r < 0)
                                        return r;
                                r = check_mapping(p, e, "'users.roles'");
                                if (r < 0)
                                        return r;
                                for (size_t q = 0; q < e->n_items; q += 2) {
                                        const char *ek = e->items[q]->value;
                                        if (streq(ek, "user"))
                                                r = get_string(p, e->items[q + 1], "user", &user);
                                        else if (streq(ek, "role"))
                                                r = get_string(p, e->items[q + 1], "role", &role);
                                        else
                                                r = yerror(p, e->items[q]->line,
                                                           "unknown key '%s' in users.roles (known: user, role)", ek);
                                        if (r < 0)
                                                return r;
                                }
                                if (!user || !role)
                                        return yerror(p, e->line, "each of users.roles needs both 'user' and 'role'");
                                if (!is_user_name(user))
                                        return yerror(p, e->line, "'%s' is not a valid user name", user);
                                if (!is_identifier(role))
                                        return yerror(p, e->line, "'%s' is not a valid role profile name", role);
                                a = realloc(l->users, sizeof(UserRole) * (l->n_users + 1));
                                if (!a)
                                        return -ENOMEM;
                                l->users = a;
                                l->users[l->n_users++] = (UserRole) { TAKE_PTR(user), TAKE_PTR(role) };
                        }
                } else
                        r = yerror(p, m->items[i]->line, "unknown key 'users.%s' (known: namespace, roles)", k);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* state: {LEVEL: 1, FSP: true, DE: [none], OS_ID: debian} */
static int parse_state(YParser *p, const YNode *m, Level *l) {
        int r = want_kind(p, m, Y_MAPPING, "state");
        if (r < 0)
                return r;
        r = check_mapping(p, m, "'state'");
        if (r < 0)
                return r;
        for (size_t i = 0; i < m->n_items; i += 2) {
                const char *k = m->items[i]->value;
                const YNode *v = m->items[i + 1];
                _cleanup_strv_free_ char **words = NULL;
                StateVar var = state_var_from_string(k);
                unsigned u;

                if (var < 0)
                        return yerror(p, m->items[i]->line,
                                      "unknown key 'state.%s' (known: LEVEL, FSP, RBAC, OS_FAMILY, OS_ID, "
                                      "OS_VERSION_ID, DE, DM, DS, GPU)", k);
                if (var == STATE_LEVEL) {
                        if (v->kind != Y_SCALAR || !v->plain || safe_atou(v->value, &u) < 0 || u > 3)
                                return yerror(p, v->line, "'state.LEVEL' must be 0, 1, 2 or 3 (default, strict, "
                                              "fsp, extreme), not %s", v->kind == Y_SCALAR ? v->value : kind_name(v->kind));
                        r = strv_extend(&words, v->value);
                } else if (state_var_is_boolean(var)) {
                        int b = v->kind == Y_SCALAR && v->plain ? parse_boolean(v->value) : -EINVAL;
                        if (b < 0)
                                return yerror(p, v->line, "'state.%s' must be true or false, not %s", k,
                                              v->kind == Y_SCALAR ? v->value : kind_name(v->kind));
                        r = strv_extend(&words, b ? "true" : "false");
                } else if (v->kind == Y_SCALAR) {
                        if (!state_word_is_valid(v->value))
                                return yerror(p, v->line, "'%s' in 'state.%s' is not a word (letters, digits, "
                                              "'.', '_', '+', '-'; at most 64)", v->value, k);
                        r = strv_extend(&words, v->value);
                } else {
                        r = get_list(p, v, k, state_word_is_valid, "a word (letters, digits, '.', '_', '+', '-')",
                                     &words);
                        if (r >= 0 && (strv_length(words) == 0 || strv_length(words) > 32))
                                return yerror(p, v->line, "'state.%s' must list 1 to 32 words", k);
                }
                if (r < 0)
                        return r;
                strv_free(l->state[var]);
                l->state[var] = TAKE_PTR(words);
        }
        return 0;
}

static int level_from_tree(YParser *p, const YNode *root, Level *l) {
        int r;

        if (root->kind != Y_MAPPING)
                return yerror(p, root->line, "a level file must be a mapping of keys to values, not %s",
                              kind_name(root->kind));
        r = check_mapping(p, root, "the level file");
        if (r < 0)
                return r;

        for (size_t i = 0; i < root->n_items; i += 2) {
                const char *k = root->items[i]->value;
                const YNode *v = root->items[i + 1];

                if (streq(k, "name")) {
                        r = want_kind(p, v, Y_SCALAR, "name");
                        if (r >= 0 && !streq(v->value, l->name))
                                r = yerror(p, v->line, "name '%s' does not match the file name (expected '%s')",
                                           v->value, l->name);
                } else if (streq(k, "description"))
                        r = get_string(p, v, "description", &l->description);
                else if (streq(k, "inherits")) {
                        r = get_string(p, v, "inherits", &l->inherits);
                        l->inherits_line = v->line;
                        if (r >= 0 && !level_name_is_valid(l->inherits))
                                r = yerror(p, v->line, "'inherits' must name a level, not '%s'", l->inherits);
                        else if (r >= 0 && streq(l->inherits, l->name))
                                r = yerror(p, v->line, "level '%s' cannot inherit from itself", l->name);
                } else if (streq(k, "profiles"))
                        r = parse_profiles(p, v, l);
                else if (streq(k, "mode")) {
                        r = want_kind(p, v, Y_SCALAR, "mode");
                        if (r >= 0) {
                                l->mode = mode_override_from_string(v->value);
                                if (l->mode < 0)
                                        r = yerror(p, v->line, "'mode' must be keep, enforce or complain, not '%s'",
                                                   v->value);
                                l->mode_set = true;
                        }
                } else if (streq(k, "disable"))
                        r = get_bool(p, v, "disable", &l->honour_disable, &l->honour_disable_set);
                else if (streq(k, "force_complain"))
                        r = get_bool(p, v, "force_complain", &l->honour_force_complain,
                                     &l->honour_force_complain_set);
                else if (streq(k, "requires"))
                        r = get_list(p, v, "requires", is_profile_name, "a profile name", &l->requires);
                else if (streq(k, "confirm"))
                        r = get_uint(p, v, "confirm", 86400, &l->confirm_sec, &l->confirm_set);
                else if (streq(k, "early_policy"))
                        r = get_bool(p, v, "early_policy", &l->early_policy, &l->early_policy_set);
                else if (streq(k, "users"))
                        r = parse_users(p, v, l);
                else if (streq(k, "state"))
                        r = parse_state(p, v, l);
                else
                        r = yerror(p, root->items[i]->line,
                                   "unknown key '%s' (known: name, description, inherits, profiles, mode, disable, "
                                   "force_complain, requires, confirm, early_policy, users, state)", k);
                if (r < 0)
                        return r;
        }
        return 0;
}

void user_roles_free(UserRole *users, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(users[i].user);
                free(users[i].role);
        }
        free(users);
}

void level_free(Level *l) {
        if (!l)
                return;
        free(l->name);
        free(l->file);
        free(l->description);
        free(l->inherits);
        strv_free(l->include);
        strv_free(l->exclude);
        strv_free(l->directories);
        strv_free(l->requires);
        user_roles_free(l->users, l->n_users);
        free(l->user_namespace);
        for (StateVar i = 0; i < _STATE_VAR_MAX; i++)
                strv_free(l->state[i]);
        free(l);
}

char *level_name_from_filename(const char *filename) {
        const char *base = strrchr(filename, '/');
        size_t n;

        base = base ? base + 1 : filename;
        if (!endswith(base, ".yaml"))
                return NULL;
        n = strlen(base) - strlen(".yaml");
        return strndup(base, n);
}

int level_parse_string(const char *text, size_t size, const char *filename, Level **ret, char **ret_error) {
        _cleanup_(level_freep) Level *l = NULL;
        _cleanup_(ynode_freep) YNode *root = NULL;
        YParser p = { .filename = filename };
        int r;

        l = calloc(1, sizeof(Level));
        if (!l)
                return -ENOMEM;
        l->name = level_name_from_filename(filename);
        l->file = strdup(filename);
        if (!l->file)
                return -ENOMEM;
        if (!l->name || !level_name_is_valid(l->name)) {
                if (ret_error && asprintf(ret_error,
                                          "%s:1: a level file must be called NAME.yaml, NAME made of lowercase "
                                          "letters, digits and '_', starting with a letter (at most %d)",
                                          filename, LEVEL_NAME_MAX) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        if (memory_has_nul(text, size)) {
                if (ret_error && asprintf(ret_error, "%s:1: binary data (NUL byte) in a level file", filename) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }

        if (!yaml_parser_initialize(&p.parser))
                return -ENOMEM;
        r = parse_document(&p, text, size, &root);
        yaml_parser_delete(&p.parser);
        if (r >= 0)
                r = level_from_tree(&p, root, l);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(p.error);
                free(p.error);
                return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

int level_load_file(const char *path, Level **ret, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = read_full_file(path, LEVEL_FILE_MAX, &text, &size);
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "%s:1: cannot read: %s", path,
                                          r == -EFBIG ? "file too large" : strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        return level_parse_string(text, size, path, ret, ret_error);
}
