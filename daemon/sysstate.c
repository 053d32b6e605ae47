/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The system state's values: names, words, comparison, pins, the policy
 * text. The detection is sysstate-detect.c. */
#include "sysstate.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strv.h"
#include "sysstate-internal.h"
#include "util.h"

static const char * const var_names[_SYSSTATE_VAR_MAX] = {
        [SYSSTATE_OS_FAMILY] = "OS_FAMILY",
        [SYSSTATE_OS_ID] = "OS_ID",
        [SYSSTATE_OS_VERSION_ID] = "OS_VERSION_ID",
        [SYSSTATE_DE] = "DE",
        [SYSSTATE_DM] = "DM",
        [SYSSTATE_DS] = "DS",
        [SYSSTATE_GPU] = "GPU",
};

const char *sysstate_var_to_string(SysStateVar v) {
        if (v < 0 || v >= _SYSSTATE_VAR_MAX)
                return NULL;
        return var_names[v];
}

SysStateVar sysstate_var_from_string(const char *s) {
        size_t n;

        if (!s)
                return _SYSSTATE_VAR_INVALID;
        n = strlen(s);
        if (n > 3 && startswith(s, "@{") && s[n - 1] == '}') {
                s += 2;
                n -= 3;
        }
        for (SysStateVar v = 0; v < _SYSSTATE_VAR_MAX; v++)
                if (strlen(var_names[v]) == n && strneq(var_names[v], s, n))
                        return v;
        return _SYSSTATE_VAR_INVALID;
}

bool sysstate_word_is_valid(const char *w) {
        size_t n = 0;

        if (isempty(w))
                return false;
        for (const char *p = w; *p; p++, n++)
                if (n >= SYSSTATE_WORD_MAX ||
                    !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '.' || *p == '_' || *p == '-'))
                        return false;
        return true;
}

SysState *sysstate_new(void) {
        return calloc(1, sizeof(SysState));
}

static void value_clear(SysStateValue *v) {
        v->words = (strv_free(v->words), NULL);
        v->source = mfree(v->source);
}

void sysstate_free(SysState *s) {
        if (!s)
                return;
        for (size_t i = 0; i < _SYSSTATE_VAR_MAX; i++)
                value_clear(&s->values[i]);
        free(s);
}

SysState *sysstate_copy(const SysState *s) {
        _cleanup_(sysstate_freep) SysState *c = sysstate_new();

        if (!c)
                return NULL;
        for (size_t i = 0; i < _SYSSTATE_VAR_MAX; i++) {
                if (s->values[i].words) {
                        c->values[i].words = strv_copy(s->values[i].words);
                        if (!c->values[i].words)
                                return NULL;
                }
                if (s->values[i].source) {
                        c->values[i].source = strdup(s->values[i].source);
                        if (!c->values[i].source)
                                return NULL;
                }
        }
        return TAKE_PTR(c);
}

const SysStateValue *sysstate_get(const SysState *s, const char *name) {
        SysStateVar v = sysstate_var_from_string(name);

        if (v < 0)
                return NULL;
        return &s->values[v];
}

bool sysstate_equal(const SysState *a, const SysState *b) {
        if (a == b)
                return true;
        if (!a || !b)
                return false;
        for (size_t i = 0; i < _SYSSTATE_VAR_MAX; i++)
                if (!strv_equal(a->values[i].words, b->values[i].words))
                        return false;
        return true;
}

int sysstate_changed(const SysState *a, const SysState *b, char ***ret) {
        _cleanup_strv_free_ char **l = calloc(1, sizeof(char *));

        if (!l)
                return -ENOMEM;
        for (SysStateVar v = 0; v < _SYSSTATE_VAR_MAX; v++)
                if (!a || !b || !strv_equal(a->values[v].words, b->values[v].words))
                        if (strv_extend(&l, var_names[v]) < 0)
                                return -ENOMEM;
        *ret = TAKE_PTR(l);
        return 0;
}

char *sysstate_printable(const char *s) {
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

int sysstate_set(SysState *s, SysStateVar v, char **words, char *source) {
        _cleanup_strv_free_ char **w = words;
        _cleanup_free_ char *src = source;

        if (!src)
                return -ENOMEM;
        strv_uniq(w);
        value_clear(&s->values[v]);
        s->values[v].words = TAKE_PTR(w);
        s->values[v].source = TAKE_PTR(src);
        return 0;
}

char *sysstate_strf(const char *fmt, ...) {
        va_list ap;
        char *r;
        int n;

        va_start(ap, fmt);
        n = vasprintf(&r, fmt, ap);
        va_end(ap);
        return n < 0 ? NULL : r;
}

int sysstate_pin(SysState *s, const char *name, char * const *words, const char *level, char **ret_error) {
        _cleanup_strv_free_ char **copy = NULL;
        _cleanup_free_ char *shown = NULL;
        SysStateVar v;

        assert(s);
        assert(level);
        v = sysstate_var_from_string(name);
        if (v < 0) {
                shown = sysstate_printable(strempty(name));
                if (ret_error)
                        *ret_error = shown ? sysstate_strf("unknown state variable '%s' (known: OS_FAMILY, "
                                                           "OS_ID, OS_VERSION_ID, DE, DM, DS, GPU)", shown)
                                           : NULL;
                return shown ? -EINVAL : -ENOMEM;
        }
        if (strv_length(words) == 0) {
                if (ret_error)
                        *ret_error = sysstate_strf("%s: no words (pin it to none if that is meant)", var_names[v]);
                return -EINVAL;
        }
        STRV_FOREACH(w, words)
                if (!sysstate_word_is_valid(*w)) {
                        shown = sysstate_printable(*w);
                        if (!shown)
                                return -ENOMEM;
                        if (ret_error)
                                *ret_error = sysstate_strf("%s: '%s' is not a plain word "
                                                           "(1 to %u of A-Z a-z 0-9 . _ -)",
                                                           var_names[v], shown, SYSSTATE_WORD_MAX);
                        return -EINVAL;
                }
        copy = strv_copy(words);
        if (!copy)
                return -ENOMEM;
        return sysstate_set(s, v, TAKE_PTR(copy), sysstate_strf("level %s", level));
}

int sysstate_render(const SysState *s, char **ret) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;

        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        for (SysStateVar v = 0; v < _SYSSTATE_VAR_MAX; v++) {
                if (!s->values[v].words)
                        continue;
                fprintf(f, "@{%s} :=", var_names[v]);
                STRV_FOREACH(w, s->values[v].words) {
                        /* Set by this module only, but what goes into policy is checked here once more. */
                        if (!sysstate_word_is_valid(*w)) {
                                fclose(f);
                                return -EINVAL;
                        }
                        fprintf(f, " %s", *w);
                }
                fputc('\n', f);
        }
        if (fclose(f) != 0 || !text)
                return -ENOMEM;
        *ret = TAKE_PTR(text);
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
