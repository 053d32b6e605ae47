/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apparmor.d's runtime state variables and the values aalevel gives them. */
#include "statevars.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "strv.h"
#include "util.h"

static const char * const names[_STATE_VAR_MAX] = {
        [STATE_LEVEL] = "LEVEL",
        [STATE_FSP] = "FSP",
        [STATE_RBAC] = "RBAC",
        [STATE_OS_FAMILY] = "OS_FAMILY",
        [STATE_OS_ID] = "OS_ID",
        [STATE_OS_VERSION_ID] = "OS_VERSION_ID",
        [STATE_DE] = "DE",
        [STATE_DM] = "DM",
        [STATE_DS] = "DS",
        [STATE_GPU] = "GPU",
};

const char *state_var_to_string(StateVar v) {
        return v >= 0 && v < _STATE_VAR_MAX ? names[v] : NULL;
}

StateVar state_var_from_string(const char *s) {
        if (s)
                for (StateVar v = 0; v < _STATE_VAR_MAX; v++)
                        if (streq(s, names[v]))
                                return v;
        return _STATE_VAR_INVALID;
}

bool state_var_is_boolean(StateVar v) {
        return v == STATE_FSP || v == STATE_RBAC;
}

StateVar state_var_reference(const char *p, size_t len, size_t *ret_len) {
        const char *close;
        size_t n;
        StateVar v;
        char name[16];

        if (len < 4 || (p[0] != '@' && p[0] != '$') || p[1] != '{')
                return _STATE_VAR_INVALID;
        close = memchr(p + 2, '}', MIN(len - 2, sizeof name));
        if (!close)
                return _STATE_VAR_INVALID;
        n = (size_t) (close - (p + 2));
        if (n == 0 || n >= sizeof name)
                return _STATE_VAR_INVALID;
        memcpy(name, p + 2, n);
        name[n] = '\0';
        v = state_var_from_string(name);
        if (v < 0 || (p[0] == '$') != state_var_is_boolean(v))
                return _STATE_VAR_INVALID;
        if (ret_len)
                *ret_len = n + 3;
        return v;
}

bool state_word_is_valid(const char *w) {
        if (isempty(w) || strlen(w) > STATE_WORD_MAX)
                return false;
        for (const char *c = w; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      strchr("._+-", *c)))
                        return false;
        return true;
}

void state_values_done(StateValues *v) {
        if (!v)
                return;
        for (StateVar i = 0; i < _STATE_VAR_MAX; i++) {
                strv_free(v->values[i]);
                v->values[i] = NULL;
                free(v->source[i]);
                v->source[i] = NULL;
        }
}

int state_values_set(StateValues *v, StateVar var, char * const *words, const char *source) {
        char **copy = NULL, *src = NULL;

        assert(var >= 0 && var < _STATE_VAR_MAX);
        /* What is set goes into policy text: checked here once for all. */
        STRV_FOREACH(w, words)
                if (!state_word_is_valid(*w))
                        return -EINVAL;
        if (words) {
                copy = strv_copy(words);
                if (!copy)
                        return -ENOMEM;
        }
        if (source) {
                src = strdup(source);
                if (!src) {
                        strv_free(copy);
                        return -ENOMEM;
                }
        }
        strv_free(v->values[var]);
        free(v->source[var]);
        v->values[var] = copy;
        v->source[var] = src;
        return 0;
}

int state_values_copy(const StateValues *from, StateValues *to) {
        *to = (StateValues) {};
        for (StateVar i = 0; i < _STATE_VAR_MAX; i++) {
                int r = state_values_set(to, i, from->values[i], from->source[i]);
                if (r < 0) {
                        state_values_done(to);
                        return r;
                }
        }
        return 0;
}

bool state_values_equal(const StateValues *a, const StateValues *b) {
        for (StateVar i = 0; i < _STATE_VAR_MAX; i++)
                if (!!a->values[i] != !!b->values[i] ||
                    (a->values[i] && !strv_equal(a->values[i], b->values[i])))
                        return false;
        return true;
}

static void put_value(FILE *f, char * const *words) {
        STRV_FOREACH(w, words)
                fprintf(f, " %s", *w);
}

char *state_values_file_text(const StateValues *v, const char *level) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                return NULL;
        fputs("# Written by aalevel(8) for the level ", f);
        fputs(strempty(level), f);
        fputs(": the runtime state apparmor.d's tunables/multiarch.d/state\n"
              "# expects a program to set. Do not edit: aalevel writes it again. Pin a\n"
              "# value with the 'state' key of a level file (aalevel.level(5)).\n", f);
        for (StateVar i = 0; i < _STATE_VAR_MAX; i++) {
                if (!v->values[i])
                        continue;
                fprintf(f, "%s{%s} :=", state_var_is_boolean(i) ? "$" : "@", names[i]);
                put_value(f, v->values[i]);
                fputc('\n', f);
        }
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(text);
}

char *state_values_key_text(const StateValues *v, uint32_t mask) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f;

        if (mask == 0)
                return NULL;
        f = open_memstream(&text, &size);
        if (!f)
                return NULL;
        for (StateVar i = 0; i < _STATE_VAR_MAX; i++) {
                if (!(mask & (UINT32_C(1) << i)))
                        continue;
                fprintf(f, "%s=", names[i]);
                if (v->values[i])
                        put_value(f, v->values[i]);
                else
                        fputs("(tree)", f);
                fputc('\n', f);
        }
        if (fclose(f) != 0)
                return NULL;
        return TAKE_PTR(text);
}

char *state_var_mask_to_string(uint32_t mask) {
        _cleanup_strv_free_ char **l = NULL;

        for (StateVar i = 0; i < _STATE_VAR_MAX; i++)
                if ((mask & (UINT32_C(1) << i)) && strv_extend(&l, names[i]) < 0)
                        return NULL;
        return l ? strv_join(l, " ") : strdup("");
}

bool state_file_is_own_write(const char *path, const char *own_path, const char *own_text) {
        _cleanup_free_ char *now = NULL;

        if (!path || !own_path || !own_text || !streq(path, own_path))
                return false;
        return read_full_file(path, 65536, &now, NULL) >= 0 && streq(now, own_text);
}
