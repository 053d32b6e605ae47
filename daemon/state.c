/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The persisted state. */
#include "state.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "hashmap.h"
#include "level.h"
#include "strv.h"
#include "util.h"

#define STATE_MAGIC "aalevel-state"
#define STATE_VERSION "4"    /* 3: units without their SHA-256, still read */
#define STATE_MAX (64U * 1024U * 1024U)

State *state_new(void) {
        return calloc(1, sizeof(State));
}

void state_unit_clear(StateUnit *u) {
        free(u->file);
        free(u->ns);
        strv_free(u->names);
        memset(u, 0, sizeof *u);
}

void state_free(State *s) {
        if (!s)
                return;
        free(s->selected);
        free(s->config_level);
        free(s->applied);
        for (size_t i = 0; i < s->n_units; i++)
                state_unit_clear(&s->units[i]);
        free(s->units);
        strv_free(s->claimed);
        hashmap_free(s->index);
        free(s);
}

char *state_escape(const char *s) {
        char *r = malloc(strlen(s) * 4 + 1), *o = r;

        if (!r)
                return NULL;
        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if (*p == '\\') {
                        *o++ = '\\';
                        *o++ = '\\';
                } else if (*p == '\t') {
                        *o++ = '\\';
                        *o++ = 't';
                } else if (*p == '\n') {
                        *o++ = '\\';
                        *o++ = 'n';
                } else if (*p < 0x20 || *p == 0x7f) {
                        o += sprintf(o, "\\x%02x", *p);
                } else
                        *o++ = (char) *p;
        }
        *o = '\0';
        return r;
}

int state_unescape(const char *s, char **ret) {
        _cleanup_free_ char *r = malloc(strlen(s) + 1);
        char *o = r;

        if (!r)
                return -ENOMEM;
        for (const char *p = s; *p; p++) {
                if (*p != '\\') {
                        if ((unsigned char) *p < 0x20 || *p == 0x7f)
                                return -EINVAL;
                        *o++ = *p;
                        continue;
                }
                p++;
                if (*p == '\\')
                        *o++ = '\\';
                else if (*p == 't')
                        *o++ = '\t';
                else if (*p == 'n')
                        *o++ = '\n';
                else if (*p == 'x' && isxdigit((unsigned char) p[1]) && isxdigit((unsigned char) p[2])) {
                        char hex[3] = { p[1], p[2], 0 };
                        unsigned long v = strtoul(hex, NULL, 16);
                        if (v == 0)
                                return -EINVAL; /* a NUL would cut the field */
                        *o++ = (char) v;
                        p += 2;
                } else
                        return -EINVAL;
        }
        *o = '\0';
        *ret = TAKE_PTR(r);
        return 0;
}

static bool is_hex(const char *s, size_t len) {
        if (strlen(s) != len)
                return false;
        for (size_t i = 0; i < len; i++)
                if (!isxdigit((unsigned char) s[i]) || isupper((unsigned char) s[i]))
                        return false;
        return true;
}

static int parse_error(char **ret_error, const char *filename, unsigned line, const char *what) {
        if (ret_error && asprintf(ret_error, "%s:%u: %s", filename, line, what) < 0)
                *ret_error = NULL;
        return -EINVAL;
}

static int set_level_field(char **field, char * const *f, size_t nf) {
        if (nf != 2 || !level_name_is_valid(f[1]))
                return -EINVAL;
        return free_and_strdup(field, f[1]) < 0 ? -ENOMEM : 0;
}

int state_parse(const char *text, size_t size, const char *filename, State **ret, char **ret_error) {
        _cleanup_(state_freep) State *s = NULL;
        const char *p = text, *end = text + size;
        unsigned line = 0;
        bool header = false;
        size_t o = 1;           /* the unit lines' SHA-256 field: none in version 3 */
        int r;

        if (memory_has_nul(text, size))
                return parse_error(ret_error, filename, 1, "binary data (NUL byte) in the state file");
        s = state_new();
        if (!s)
                return -ENOMEM;

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                _cleanup_free_ char *raw = NULL;
                _cleanup_strv_free_ char **f = NULL, **fields = NULL;
                size_t nf;

                if (!eol)
                        eol = end;
                line++;
                raw = strndup(p, (size_t) (eol - p));
                p = eol < end ? eol + 1 : end;
                if (!raw)
                        return -ENOMEM;
                if (isempty(raw))
                        continue;

                /* Split on tabs, keeping empty fields out: none is empty. */
                r = strv_split(raw, "\t", &f);
                if (r < 0)
                        return r;
                fields = calloc(strv_length(f) + 1, sizeof(char *));
                if (!fields)
                        return -ENOMEM;
                nf = 0;
                STRV_FOREACH(i, f) {
                        r = state_unescape(*i, &fields[nf]);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                return parse_error(ret_error, filename, line, "bad escape sequence");
                        nf++;
                }
                if (nf == 0)
                        continue;

                if (!header) {
                        if (nf != 2 || !streq(fields[0], STATE_MAGIC))
                                return parse_error(ret_error, filename, line, "not an aalevel state file");
                        if (streq(fields[1], "3"))
                                o = 0;
                        else if (!streq(fields[1], STATE_VERSION))
                                return parse_error(ret_error, filename, line, "unsupported state file version");
                        header = true;
                        continue;
                }
                if (streq(fields[0], "selected") || streq(fields[0], "config-level") ||
                    streq(fields[0], "applied")) {
                        char **field = streq(fields[0], "selected") ? &s->selected
                                     : streq(fields[0], "applied") ? &s->applied : &s->config_level;
                        r = set_level_field(field, fields, nf);
                        if (r == -ENOMEM)
                                return r;
                        if (r < 0)
                                return parse_error(ret_error, filename, line, "expected a level name");
                } else if (streq(fields[0], "unit")) {
                        StateUnit u = {};
                        const char *ns;
                        if (nf < 6 + o || fields[1][0] != '/' ||
                            cache_key_from_hex(fields[3], &u.key) < 0 || !is_hex(fields[4], 2 * SHA1_DIGEST_SIZE) ||
                            (o && !streq(fields[5], "-") && !is_hex(fields[5], 2 * SHA256_DIGEST_SIZE)) ||
                            (u.mode = mode_override_from_string(fields[5 + o])) < 0)
                                return parse_error(ret_error, filename, line,
                                                   o ? "expected: unit FILE NAMESPACE KEY SHA1 SHA256 MODE NAME..."
                                                     : "expected: unit FILE NAMESPACE KEY SHA1 MODE NAME...");
                        ns = streq(fields[2], "-") ? NULL : fields[2];
                        if (state_find_unit(s, fields[1], ns))
                                return parse_error(ret_error, filename, line, "duplicate unit");
                        u.file = strdup(fields[1]);
                        u.ns = ns ? strdup(ns) : NULL;
                        memcpy(u.sha1, fields[4], sizeof u.sha1);
                        if (o && !streq(fields[5], "-"))
                                memcpy(u.sha256, fields[5], sizeof u.sha256);
                        u.names = calloc(1, sizeof(char *));
                        if (!u.file || (ns && !u.ns) || !u.names || strv_extend_strv(&u.names, fields + 6 + o) < 0) {
                                state_unit_clear(&u);
                                return -ENOMEM;
                        }
                        r = state_set_unit(s, &u);
                        if (r < 0) {
                                state_unit_clear(&u);
                                return r;
                        }
                } else if (streq(fields[0], "claimed")) {
                        if (nf != 2)
                                return parse_error(ret_error, filename, line, "expected: claimed NAME");
                        r = strv_extend(&s->claimed, fields[1]);
                        if (r < 0)
                                return r;
                } else
                        return parse_error(ret_error, filename, line, "unknown record");
        }
        if (!header)
                return parse_error(ret_error, filename, 1, "empty state file");
        *ret = TAKE_PTR(s);
        return 0;
}

int state_load(const char *path, State **ret, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = read_full_file(path, STATE_MAX, &text, &size);
        if (r == -ENOENT) {
                *ret = state_new();
                return *ret ? 0 : -ENOMEM;
        }
        if (r < 0) {
                if (ret_error && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        return state_parse(text, size, path, ret, ret_error);
}

static int put_fields(FILE *f, const char *first, ...) {
        va_list ap;
        const char *v;
        bool tab = false;

        va_start(ap, first);
        for (v = first; v; v = va_arg(ap, const char *)) {
                _cleanup_free_ char *e = state_escape(v);
                if (!e) {
                        va_end(ap);
                        return -ENOMEM;
                }
                fprintf(f, "%s%s", tab ? "\t" : "", e);
                tab = true;
        }
        va_end(ap);
        fputc('\n', f);
        return 0;
}

int state_format(const State *s, char **ret, size_t *ret_size) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;
        int r = 0;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        fprintf(f, "%s\t%s\n", STATE_MAGIC, STATE_VERSION);
        if (s->selected)
                r = put_fields(f, "selected", s->selected, NULL);
        if (r >= 0 && s->config_level)
                r = put_fields(f, "config-level", s->config_level, NULL);
        if (r >= 0 && s->applied)
                r = put_fields(f, "applied", s->applied, NULL);
        for (size_t i = 0; r >= 0 && i < s->n_units; i++) {
                const StateUnit *u = &s->units[i];
                char hex[CACHE_KEY_HEX_SIZE];
                _cleanup_free_ char *file = state_escape(u->file), *ns = state_escape(u->ns ? u->ns : "-");

                cache_key_to_hex(&u->key, hex);
                if (!file || !ns) {
                        r = -ENOMEM;
                        break;
                }
                fprintf(f, "unit\t%s\t%s\t%s\t%s\t%s\t%s", file, ns, hex, u->sha1, isempty(u->sha256) ? "-" : u->sha256,
                        mode_override_to_string(u->mode));
                STRV_FOREACH(n, u->names) {
                        _cleanup_free_ char *e = state_escape(*n);
                        if (!e) {
                                r = -ENOMEM;
                                break;
                        }
                        fprintf(f, "\t%s", e);
                }
                fputc('\n', f);
        }
        STRV_FOREACH(c, s->claimed)
                if (r >= 0)
                        r = put_fields(f, "claimed", *c, NULL);
        if (fclose(f) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        *ret = TAKE_PTR(text);
        *ret_size = size;
        return 0;
}

int state_save(const State *s, const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = state_format(s, &text, &size);
        if (r < 0)
                return r;
        return write_file_atomic(path, text, size, 0644);
}

char *state_unit_key(const char *file, const char *ns) {
        char *k;
        if (asprintf(&k, "%s\x1f%s", strempty(ns), file) < 0)
                return NULL;
        return k;
}

/* Builds the index of units by file and namespace; false when out of
 * memory (lookups are then linear). */
static bool index_build(State *s) {
        if (s->index)
                return true;
        s->index = hashmap_new(NULL);
        if (!s->index)
                return false;
        for (size_t i = 0; i < s->n_units; i++) {
                _cleanup_free_ char *k = state_unit_key(s->units[i].file, s->units[i].ns);
                if (!k || hashmap_put(s->index, k, (void *) (uintptr_t) (i + 1)) < 0) {
                        hashmap_free(s->index);
                        s->index = NULL;
                        return false;
                }
        }
        return true;
}

static StateUnit *find_unit(State *s, const char *file, const char *ns) {
        if (s->n_units > 8 && index_build(s)) {
                _cleanup_free_ char *k = state_unit_key(file, ns);
                if (k) {
                        uintptr_t pos = (uintptr_t) hashmap_get(s->index, k);
                        return pos > 0 ? &s->units[pos - 1] : NULL;
                }
        }
        for (size_t i = 0; i < s->n_units; i++)
                if (streq(s->units[i].file, file) && streq_ptr(s->units[i].ns, ns))
                        return &s->units[i];
        return NULL;
}

const StateUnit *state_find_unit(const State *s, const char *file, const char *ns) {
        /* The index is a cache of the array: building it changes nothing
         * a reader of the state can see. */
        return find_unit((State *) s, file, ns);
}

const StateUnit *state_find_name(const State *s, const char *name) {
        for (size_t i = 0; i < s->n_units; i++)
                if (strv_contains(s->units[i].names, name))
                        return &s->units[i];
        return NULL;
}

char **state_owned_names(const State *s) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));

        if (!l)
                return NULL;
        for (size_t i = 0; i < s->n_units; i++)
                if (strv_extend_strv(&l, s->units[i].names) < 0)
                        return NULL;
        if (strv_extend_strv(&l, s->claimed) < 0)
                return NULL;
        strv_uniq(l);
        return TAKE_PTR(l);
}

int state_set_unit(State *s, StateUnit *u) {
        StateUnit *existing = find_unit(s, u->file, u->ns), *a;

        if (existing) {
                state_unit_clear(existing);
                *existing = *u;
                memset(u, 0, sizeof *u);
                return 0;
        }
        a = realloc(s->units, sizeof(StateUnit) * (s->n_units + 1));
        if (!a)
                return -ENOMEM;
        s->units = a;
        if (s->index) {
                _cleanup_free_ char *k = state_unit_key(u->file, u->ns);
                if (!k || hashmap_put(s->index, k, (void *) (uintptr_t) (s->n_units + 1)) < 0) {
                        hashmap_free(s->index);
                        s->index = NULL;
                }
        }
        s->units[s->n_units++] = *u;
        memset(u, 0, sizeof *u);
        return 0;
}

void state_remove_unit(State *s, const char *file, const char *ns) {
        StateUnit *u = find_unit(s, file, ns);
        size_t i, last;

        if (!u)
                return;
        i = (size_t) (u - s->units);
        last = s->n_units - 1;
        if (s->index) {
                _cleanup_free_ char *k = state_unit_key(u->file, u->ns), *lk = state_unit_key(s->units[last].file,
                                                                                  s->units[last].ns);
                bool ok = k && lk;
                if (ok) {
                        (void) hashmap_remove(s->index, k);
                        if (i != last && hashmap_put(s->index, lk, (void *) (uintptr_t) (i + 1)) < 0)
                                ok = false;
                }
                if (!ok) {
                        hashmap_free(s->index);
                        s->index = NULL;
                }
        }
        state_unit_clear(u);
        /* The last unit takes its place: the order of units means nothing. */
        if (i != last)
                s->units[i] = s->units[last];
        s->n_units--;
}

int state_set_selected(State *s, const char *level) {
        return free_and_strdup(&s->selected, level);
}

int state_set_config_level(State *s, const char *level) {
        return free_and_strdup(&s->config_level, level);
}

int state_set_applied(State *s, const char *level) {
        return free_and_strdup(&s->applied, level);
}

int state_claim(State *s, char * const *names) {
        return strv_extend_strv(&s->claimed, names);
}

void state_unclaim(State *s, char * const *names) {
        size_t k = 0;

        if (!s->claimed)
                return;
        for (size_t i = 0; s->claimed[i]; i++)
                if (strv_contains(names, s->claimed[i]))
                        free(s->claimed[i]);
                else
                        s->claimed[k++] = s->claimed[i];
        s->claimed[k] = NULL;
}

bool state_clear_claims(State *s) {
        if (!s->claimed)
                return false;
        strv_free(s->claimed);
        s->claimed = NULL;
        return true;
}

int state_record_unit(State *s, const char *file, const char *ns, const CacheKey *key, ModeOverride mode,
                      const char *sha1, const char *sha256, char * const *names) {
        StateUnit u = {
                .file = strdup(file),
                .ns = ns ? strdup(ns) : NULL,
                .key = *key,
                .mode = mode,
                .names = strv_copy(names),
        };
        int r;

        assert(strlen(sha1) == sizeof u.sha1 - 1);
        assert(isempty(sha256) || strlen(sha256) == sizeof u.sha256 - 1);
        if (!u.file || (ns && !u.ns) || !u.names) {
                state_unit_clear(&u);
                return -ENOMEM;
        }
        memcpy(u.sha1, sha1, sizeof u.sha1);
        if (!isempty(sha256))
                memcpy(u.sha256, sha256, sizeof u.sha256);
        r = state_set_unit(s, &u);
        if (r < 0)
                state_unit_clear(&u);
        return r;
}

bool state_update_unit_key(State *s, const char *file, const char *ns, const CacheKey *key, ModeOverride mode) {
        StateUnit *u = find_unit(s, file, ns);

        if (!u || (cache_key_equal(&u->key, key) && u->mode == mode))
                return false;
        u->key = *key;
        u->mode = mode;
        return true;
}
