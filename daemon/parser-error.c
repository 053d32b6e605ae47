/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apparmor_parser's stderr → a short list of errors and warnings. */
#include "parser-error.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "utf8.h"
#include "util.h"

/* Only this much of a line is looked at: enough for a file name of
 * PATH_MAX and a full message, and a single huge line costs no more. */
#define LINE_SCAN_MAX 8192
#define FILE_NAME_MAX 4096

/* A copy of the line that D-Bus and the journal accept as it is: valid
 * UTF-8, no NUL or other control character (each becomes '?', a tab a
 * space), no trailing blanks or CR. */
static char *sanitize_line(const char *s, size_t n) {
        char *out, *o;

        /* Before the replacements, so that CRLF endings do not leave a '?'. */
        while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
                n--;
        out = o = malloc(n + 1);
        if (!out)
                return NULL;
        for (size_t i = 0; i < n;) {
                uint32_t cp = 0;
                int len = utf8_decode(s + i, n - i, &cp);

                if (len < 0) {
                        *o++ = '?';
                        i++;
                } else if (cp == '\t') {
                        *o++ = ' ';
                        i++;
                } else if (unichar_is_control(cp)) {
                        *o++ = '?';
                        i += (size_t) len;
                } else {
                        memcpy(o, s + i, (size_t) len);
                        o += len;
                        i += (size_t) len;
                }
        }
        *o = '\0';
        return out;
}

/* Copies at most max bytes of s, cutting at a character boundary and
 * marking the cut with "...". s is valid UTF-8. */
static char *strndup_ellipsized(const char *s, size_t n, size_t max) {
        char *r;
        size_t cut;

        if (n <= max)
                return strndup(s, n);
        cut = max - 3;
        while (cut > 0 && ((unsigned char) s[cut] & 0xC0) == 0x80)
                cut--;
        r = malloc(cut + 4);
        if (!r)
                return NULL;
        memcpy(r, s, cut);
        memcpy(r + cut, "...", 4);
        return r;
}

/* Digits at *p as an unsigned, moving *p past them. False when there are
 * none or they do not fit: such a line is not trusted as a location. */
static bool parse_uint(const char **p, unsigned *ret) {
        const char *q = *p;
        unsigned v = 0;

        if (*q < '0' || *q > '9')
                return false;
        for (; *q >= '0' && *q <= '9'; q++) {
                if (v > (UINT_MAX - (unsigned) (*q - '0')) / 10)
                        return false;
                v = v * 10 + (unsigned) (*q - '0');
        }
        *p = q;
        *ret = v;
        return true;
}

/* The message after "N:" — the colon may end the line. */
static bool parse_line_colon(const char **p, unsigned *ret_line) {
        const char *q = *p;

        if (!parse_uint(&q, ret_line) || *q != ':')
                return false;
        q++;
        if (*q == ' ')
                q++;
        *p = q;
        return true;
}

typedef struct Parsed {
        const char *file;       /* into the line, or NULL */
        size_t file_len;
        unsigned line;
        const char *message;
        bool warning;
} Parsed;

/* "AppArmor parser error[ for TOP[ in profile FILE]] at line N: MESSAGE" */
static bool parse_error_line(const char *s, Parsed *ret) {
        const char *rest = startswith(s, "AppArmor parser error");

        if (!rest)
                return false;
        /* The first " at line N:" ends the location: names come before the
         * message, and a message may mention lines too. */
        for (const char *at = strstr(rest, " at line "); at; at = strstr(at + 1, " at line ")) {
                const char *q = at + strlen(" at line ");
                const char *top, *in;
                unsigned line;

                if (!parse_line_colon(&q, &line))
                        continue;
                *ret = (Parsed) { .line = line, .message = q };
                if (at == rest)
                        return true;
                top = startswith(rest, " for ");
                if (!top || top >= at)
                        return false;
                /* The file named after "in profile" is where the error is;
                 * TOP is only the file the parser was asked to compile. */
                in = strstr(top, " in profile ");
                if (in && in < at)
                        top = in + strlen(" in profile ");
                ret->file = top;
                ret->file_len = (size_t) (at - top);
                return true;
        }
        return false;
}

/* "Warning from SOURCE (FILE line N): MESSAGE", "Warning from profile NAME
 * (FILE): MESSAGE", and the same with "Warning converted to Error". */
static bool parse_warning_from_line(const char *s, Parsed *ret) {
        const char *rest, *close, *open = NULL, *paren, *q;
        bool warning = true;
        size_t paren_len;

        rest = startswith(s, "Warning converted to Error from ");
        if (rest)
                warning = false;
        else
                rest = startswith(s, "Warning from ");
        if (!rest)
                return false;

        close = strstr(rest, "): ");
        if (!close)
                close = endswith(rest, "):") ? rest + strlen(rest) - 2 : NULL;
        if (!close)
                return false;
        for (const char *p = rest; (p = strstr(p, " (")) && p < close; p++)
                open = p;
        if (!open)
                return false;

        *ret = (Parsed) { .warning = warning, .message = close[2] ? close + 3 : close + 2 };
        paren = open + 2;
        paren_len = (size_t) (close - paren);

        /* A trailing "line N" inside the parentheses is the location. */
        q = close;
        while (q > paren && q[-1] >= '0' && q[-1] <= '9')
                q--;
        if (q < close && q - paren >= 5 && strneq(q - 5, "line ", 5) &&
            (q - 5 == paren || q[-6] == ' ')) {
                const char *digits = q;

                if (!parse_uint(&q, &ret->line))
                        return false;
                paren_len = digits - 5 == paren ? 0 : (size_t) (digits - 6 - paren);
        }

        if (paren_len > 0) {
                ret->file = paren;
                ret->file_len = paren_len;
        } else if (!startswith(rest, "profile ")) {
                /* "(line N)": the parser had no current file; SOURCE is it. */
                ret->file = rest;
                ret->file_len = (size_t) (open - rest);
        }
        return true;
}

/* Lines the parser prints that do not stop the compile. */
static bool is_plain_warning(const char *s) {
        const char *colon;

        if (startswith(s, "Warning") || startswith(s, "Ignoring: ") ||
            startswith(s, "Cache read/write disabled") || startswith(s, "Cache: ") ||
            streq(s, "xattr attachment conditional ignored"))
                return true;
        /* "apparmor_parser: Warning capping number of jobs ..." */
        colon = strstr(s, ": Warning");
        return colon && !memchr(s, ' ', (size_t) (colon - s));
}

/* Hints the parser prints on the line after a message. */
static bool is_continuation(const char *s) {
        return startswith(s, "Use --");
}

static void parser_error_done(ParserError *e) {
        free(e->file);
        free(e->message);
        *e = (ParserError) {};
}

void parser_errors_free(ParserError *e, size_t n) {
        if (!e)
                return;
        for (size_t i = 0; i < n; i++)
                parser_error_done(&e[i]);
        free(e);
}

static int parse_line(const char *s, ParserError *ret) {
        _cleanup_free_ char *file = NULL, *message = NULL;
        Parsed p = {};

        if (!parse_error_line(s, &p) && !parse_warning_from_line(s, &p))
                /* Unknown lines are kept whole, as errors: better a raw
                 * line in the status than a failure with no reason. */
                p = (Parsed) { .message = s, .warning = is_plain_warning(s) };

        if (p.file_len > FILE_NAME_MAX)
                p = (Parsed) { .message = s, .warning = p.warning };
        if (p.file && p.file_len > 0) {
                file = strndup(p.file, p.file_len);
                if (!file)
                        return -ENOMEM;
        }
        message = strndup_ellipsized(p.message, strlen(p.message), PARSER_ERROR_MESSAGE_MAX);
        if (!message)
                return -ENOMEM;

        *ret = (ParserError) {
                .file = TAKE_PTR(file),
                .line = p.line,
                .message = TAKE_PTR(message),
                .warning = p.warning,
        };
        return 0;
}

static int append_to_message(ParserError *e, const char *s) {
        _cleanup_free_ char *joined = NULL;
        char *m;

        if (asprintf(&joined, "%s %s", e->message, s) < 0)
                return -ENOMEM;
        m = strndup_ellipsized(joined, strlen(joined), PARSER_ERROR_MESSAGE_MAX);
        if (!m)
                return -ENOMEM;
        free(e->message);
        e->message = m;
        return 0;
}

typedef struct ErrorList {
        ParserError *items;
        size_t n;
} ErrorList;

static void error_list_done(ErrorList *l) {
        parser_errors_free(l->items, l->n);
}

int parser_errors_parse(const char *text, size_t size, ParserError **ret, size_t *ret_n) {
        _cleanup_(error_list_done) ErrorList l = {};
        size_t pos = 0, omitted = 0;
        bool have_error = false, previous_kept = false;
        int r;

        assert(text || size == 0);

        while (pos < size) {
                _cleanup_free_ char *s = NULL;
                const char *start = text + pos, *eol;
                size_t len;
                ParserError e;

                eol = memchr(start, '\n', size - pos);
                len = eol ? (size_t) (eol - start) : size - pos;
                pos += len + (eol ? 1 : 0);

                /* Past the cap only a first error is still worth keeping. */
                if (l.n >= PARSER_ERRORS_MAX - 2 && have_error) {
                        omitted++;
                        previous_kept = false;
                        continue;
                }

                s = sanitize_line(start, MIN(len, (size_t) LINE_SCAN_MAX));
                if (!s)
                        return -ENOMEM;
                if (isempty(s))
                        continue;

                if (is_continuation(s) && previous_kept) {
                        r = append_to_message(&l.items[l.n - 1], s);
                        if (r < 0)
                                return r;
                        continue;
                }

                r = parse_line(s, &e);
                if (r < 0)
                        return r;
                if (l.n >= PARSER_ERRORS_MAX - 2 && (e.warning || l.n >= PARSER_ERRORS_MAX - 1)) {
                        parser_error_done(&e);
                        omitted++;
                        previous_kept = false;
                        continue;
                }

                if (!l.items) {
                        l.items = calloc(PARSER_ERRORS_MAX, sizeof(ParserError));
                        if (!l.items) {
                                parser_error_done(&e);
                                return -ENOMEM;
                        }
                }
                l.items[l.n++] = e;
                have_error = have_error || !e.warning;
                previous_kept = true;
        }

        if (omitted > 0) {
                char *m;

                if (asprintf(&m, "%zu more line%s of apparmor_parser output not shown",
                             omitted, omitted == 1 ? "" : "s") < 0)
                        return -ENOMEM;
                l.items[l.n++] = (ParserError) { .message = m, .warning = true };
        }

        *ret = TAKE_PTR(l.items);
        *ret_n = l.n;
        l.n = 0;
        return 0;
}

char *parser_errors_summary(const ParserError *e, size_t n) {
        const ParserError *pick = NULL;
        char *s;
        int r;

        for (size_t i = 0; i < n && !pick; i++)
                if (!e[i].warning)
                        pick = &e[i];
        /* A parser that failed with warnings only (no kernel interface, a
         * cache it could not set up) stopped on the last one. */
        if (!pick && n > 0)
                pick = &e[n - 1];
        if (!pick)
                return strdup("apparmor_parser failed without a message");

        if (pick->file && pick->line > 0)
                r = asprintf(&s, "%s:%u: %s", pick->file, pick->line, pick->message);
        else if (pick->file)
                r = asprintf(&s, "%s: %s", pick->file, pick->message);
        else if (pick->line > 0)
                r = asprintf(&s, "line %u: %s", pick->line, pick->message);
        else
                return strdup(pick->message);
        return r < 0 ? NULL : s;
}

/* What apparmor_parser 3.0.8 (and glibc's strerror, bison, flex and
 * libstdc++ inside it) print when the machine failed it: memory,
 * descriptors, disk, permissions. Compared without regard to case,
 * in the C locale the parser runs in (compiler.c). A profile line the
 * parser quotes ("(entry: ...)") may contain one of these by chance: that
 * failure is then only compiled again, never wrongly remembered. */
static const char * const environmental_words[] = {
        /* memory */
        "Cannot allocate memory", "Could not allocate memory", "Failed to allocate memory",
        "Memory allocation error", "Out of memory", "memory exhausted", "out of dynamic memory",
        "bad_alloc", "allocation failed", "Bad memory address",
        /* descriptors, processes, buffers */
        "Too many open files", "Resource temporarily unavailable", "No buffer space available",
        "Interrupted system call",
        /* disk */
        "No space left on device", "Disk quota exceeded", "Input/output error", "Read-only file system",
        "Stale file handle", "File too large",
        /* permissions (a confined or unprivileged parser) */
        "Permission denied", "Operation not permitted",
        /* the features it compiles for, which the machine provides
         * ("Failed to load kernel features from '...': ...") */
        "Failed to load kernel features",
        /* our own accounts: a parser that said nothing, or too much */
        "failed without a message", "bytes of output and was stopped",
};

bool parser_errors_environmental(const char *text) {
        if (!text)
                return true;
        for (size_t i = 0; i < ELEMENTSOF(environmental_words); i++)
                if (strcasestr(text, environmental_words[i]))
                        return true;
        return false;
}

bool parser_errors_blame_policy(const char *text) {
        ParserError *e = NULL;
        size_t n = 0;
        bool blame = false;

        /* "AppArmor parser error for F at line 3: Memory allocation error."
         * has a line, and is still the machine's failure. */
        if (parser_errors_environmental(text))
                return false;
        if (parser_errors_parse(text, strlen(text), &e, &n) < 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!e[i].warning && e[i].line > 0) {
                        blame = true;
                        break;
                }
        parser_errors_free(e, n);
        return blame;
}

static bool path_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               (c != '\0' && strchr("/._-+@~", c));
}

char *parser_errors_strip_root(const char *text, const char *root) {
        size_t n = strlen(strempty(root)), k = 0;
        const char *p = strempty(text);
        char *out;

        while (n > 0 && root[n - 1] == '/')
                n--;
        out = malloc(strlen(p) + 1);
        if (!out)
                return NULL;
        for (size_t i = 0; p[i]; ) {
                if (n > 0 && (i == 0 || !path_char(p[i - 1])) && strneq(p + i, root, n) && p[i + n] == '/')
                        i += n;
                out[k++] = p[i++];
        }
        out[k] = '\0';
        return out;
}
