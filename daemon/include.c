/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Include directives of a policy file. */
#include "include.h"

#include <stdlib.h>
#include <string.h>

#include "statevars.h"

void include_scan_free(IncludeScan *s) {
        if (!s)
                return;
        for (size_t i = 0; i < s->n_includes; i++)
                free(s->includes[i].path);
        free(s->includes);
        free(s);
}

static bool is_space(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Blanks on the same line, for the parts of a directive. */
static const char *skip_blanks(const char *p, const char *end) {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
                p++;
        return p;
}

static bool word_at(const char *p, const char *end, const char *word) {
        size_t n = strlen(word);
        return (size_t) (end - p) >= n && memcmp(p, word, n) == 0 &&
               ((size_t) (end - p) == n || is_space(p[n]));
}

static int add_include(IncludeScan *s, const char *path, size_t len, IncludeKind kind, bool if_exists,
                       unsigned line) {
        IncludeDirective *a;
        char *copy;

        if (len == 0 || memchr(path, '\0', len))
                return 0;
        copy = strndup(path, len);
        if (!copy)
                return -ENOMEM;
        a = realloc(s->includes, sizeof(IncludeDirective) * (s->n_includes + 1));
        if (!a) {
                free(copy);
                return -ENOMEM;
        }
        s->includes = a;
        s->includes[s->n_includes++] = (IncludeDirective) {
                .path = copy, .kind = kind, .if_exists = if_exists, .line = line,
        };
        return 0;
}

/* p points just after the keyword. Returns where scanning continues. */
static const char *parse_directive(IncludeScan *s, const char *p, const char *end, unsigned line, int *r) {
        bool if_exists = false;
        const char *q;

        *r = 0;
        p = skip_blanks(p, end);
        if (word_at(p, end, "if")) {
                q = skip_blanks(p + 2, end);
                if (!word_at(q, end, "exists"))
                        return q; /* "include if" without "exists": the parser's syntax error */
                if_exists = true;
                p = skip_blanks(q + 6, end);
        }
        if (p >= end)
                return p;
        if (*p == '<') {
                q = memchr(p + 1, '>', (size_t) (end - p - 1));
                if (!q || memchr(p + 1, '\n', (size_t) (q - p - 1)))
                        return p + 1;
                *r = add_include(s, p + 1, (size_t) (q - p - 1), INCLUDE_SEARCH, if_exists, line);
                return q + 1;
        }
        if (*p == '"') {
                q = p + 1;
                while (q < end && *q != '"' && *q != '\n')
                        q++;
                if (q >= end || *q != '"')
                        return p + 1;
                *r = add_include(s, p + 1, (size_t) (q - p - 1), INCLUDE_PATH, if_exists, line);
                return q + 1;
        }
        q = p;
        while (q < end && !is_space(*q) && *q != ',')
                q++;
        *r = add_include(s, p, (size_t) (q - p), INCLUDE_PATH, if_exists, line);
        return q;
}

/* A reference to a runtime state variable at p: a use, unless it is
 * the left side of an assignment (the first thing on its line, followed
 * by =, :=, += or ?=), which only defines it. */
static void note_state_reference(IncludeScan *s, const char *text, const char *p, const char *end) {
        size_t len;
        StateVar v = state_var_reference(p, (size_t) (end - p), &len);
        const char *q;

        if (v < 0)
                return;
        for (q = p; q > text && (q[-1] == ' ' || q[-1] == '\t'); q--)
                ;
        if (q == text || q[-1] == '\n') {
                q = skip_blanks(p + len, end);
                if (q < end && (*q == '=' || (end - q >= 2 && strchr(":+?", *q) && q[1] == '=')))
                        return;
        }
        s->state_uses |= UINT32_C(1) << v;
}

int include_scan(const char *text, size_t size, IncludeScan **ret) {
        _cleanup_(include_scan_freep) IncludeScan *s = NULL;
        const char *p = text, *end = text + size;
        unsigned line = 1;
        int r;

        s = calloc(1, sizeof(IncludeScan));
        if (!s)
                return -ENOMEM;

        while (p < end) {
                const char *tok;

                if (is_space(*p)) {
                        if (*p == '\n')
                                line++;
                        p++;
                        continue;
                }
                if (*p == '"') {
                        /* A quoted string: nothing in it is a directive. */
                        for (p++; p < end && *p != '"'; p++) {
                                if (*p == '\\' && p + 1 < end)
                                        p++;
                                if (*p == '{' && end - p > 8 && memcmp(p + 1, "aalevel_", 8) == 0)
                                        s->mentions_aalevel = true;
                                if (*p == '@' || *p == '$')
                                        note_state_reference(s, text, p, end);
                                if (*p == '\n')
                                        line++;
                        }
                        p++;
                        continue;
                }
                tok = p;
                /* Block and rule punctuation glued to a keyword ("{include"). */
                while (tok < end && (*tok == '{' || *tok == '}' || *tok == ','))
                        tok++;
                if (tok < end && *tok == '#') {
                        if (word_at(tok, end, "#include")) {
                                p = parse_directive(s, tok + 8, end, line, &r);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        /* A comment runs to the end of the line. */
                        while (p < end && *p != '\n')
                                p++;
                        continue;
                }
                if (word_at(tok, end, "include")) {
                        p = parse_directive(s, tok + 7, end, line, &r);
                        if (r < 0)
                                return r;
                        continue;
                }
                /* abi <abi/3.0>, reads a file along the include path too. */
                if (word_at(tok, end, "abi") || (end - tok > 4 && memcmp(tok, "abi<", 4) == 0) ||
                    (end - tok > 4 && memcmp(tok, "abi\"", 4) == 0)) {
                        p = parse_directive(s, tok + 3, end, line, &r);
                        if (r < 0)
                                return r;
                        continue;
                }
                while (p < end && !is_space(*p) && *p != '"') {
                        if (!s->mentions_aalevel && *p == 'a' && end - p >= 8 && memcmp(p, "aalevel_", 8) == 0 &&
                            p > text && (p[-1] == '$' || p[-1] == '{'))
                                s->mentions_aalevel = true;
                        if (*p == '@' || *p == '$')
                                note_state_reference(s, text, p, end);
                        p++;
                }
        }
        *ret = TAKE_PTR(s);
        return 0;
}
