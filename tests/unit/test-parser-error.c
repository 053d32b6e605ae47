/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apparmor_parser's stderr: the real samples in tests/data/parser-error
 * (12 failures of the apparmor.d tree, crafted errors and warnings) and
 * bad input: binary junk, NULs, huge lines, 10,000 lines, broken numbers. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "macro.h"
#include "parser-error.h"
#include "utf8.h"
#include "util.h"

#define SAMPLE_DIR TEST_DATA_DIR "/parser-error/"
#define TREE "/work/shared/datasets/apparmor.d/tree/"
#define CRAFTED "/tmp/aalevel-parser-error/"

typedef struct Want {
        const char *file;
        unsigned line;
        const char *message;
        bool warning;
} Want;

typedef struct Sample {
        const char *name;
        const char *summary;
        Want want[5];           /* up to the first with message NULL */
} Sample;

#define SYNTAX_ID "syntax error, unexpected TOK_ID, expecting TOK_END_OF_RULE"
#define TREE_ERROR(f, l) \
        { .name = "tree-" f, .summary = TREE f ":" #l ": " SYNTAX_ID, \
          .want = { { TREE f, l, SYNTAX_ID, false } } }
#define XMOD(p) \
        { .name = "tree-" p, .summary = "profile has merged rule with conflicting x modifiers", \
          .want = { { NULL, 0, "profile has merged rule with conflicting x modifiers", false }, \
                    { NULL, 0, "ERROR processing regexs for profile " p ", failed to load", false } } }

static const Sample samples[] = {
        TREE_ERROR("atd", 23),
        XMOD("dpkg-scripts"),
        TREE_ERROR("gnome-desktop-thumbnailers", 45),
        TREE_ERROR("pg_createcluster", 27),
        TREE_ERROR("postgres", 20),
        TREE_ERROR("psql", 18),
        TREE_ERROR("qemu-ga", 13),
        TREE_ERROR("snap", 200),
        /* the error is in an abstraction: that file is blamed */
        { "tree-su-rs", TREE "abstractions/app/sudo-rs:22: " SYNTAX_ID,
          { { TREE "abstractions/app/sudo-rs", 22, SYNTAX_ID, false } } },
        { "tree-sudo-rs", TREE "abstractions/app/sudo-rs:22: " SYNTAX_ID,
          { { TREE "abstractions/app/sudo-rs", 22, SYNTAX_ID, false } } },
        TREE_ERROR("systemd-detect-virt", 44),
        XMOD("umu-bwrap"),

        { "syntax", CRAFTED "syntax.sd:4: missing an end of line character? (entry: /etc/hosts)",
          { { CRAFTED "syntax.sd", 4, "missing an end of line character? (entry: /etc/hosts)", false } } },
        { "unknown-var", "Found reference to variable NOSUCHVAR, but is never declared",
          { { NULL, 0, "Found reference to variable NOSUCHVAR, but is never declared", false } } },
        { "undef-bool", CRAFTED "undef-bool.sd:3: Unset boolean variable $nosuchbool used in if-expression",
          { { CRAFTED "undef-bool.sd", 3, "Unset boolean variable $nosuchbool used in if-expression", false } } },
        { "missing-include", CRAFTED "missing-include.sd:3: Could not open 'abstractions/does-not-exist'",
          { { CRAFTED "missing-include.sd", 3, "Could not open 'abstractions/does-not-exist'", false } } },
        { "unreadable-include", CRAFTED "unreadable-include.sd:3: Could not open 'abstractions/secret'",
          { { CRAFTED "unreadable-include.sd", 3, "Could not open 'abstractions/secret'", false } } },
        { "error-in-include", CRAFTED "abstractions/broken:2: syntax error, unexpected TOK_ID, expecting TOK_MODE",
          { { CRAFTED "abstractions/broken", 2, "syntax error, unexpected TOK_ID, expecting TOK_MODE", false } } },
        /* from stdin: a line but no file, even for an included file */
        { "stdin-absolute-include", "line 1: Could not open '" CRAFTED "no-such-file'",
          { { NULL, 1, "Could not open '" CRAFTED "no-such-file'", false } } },
        { "stdin-include-error", "line 2: syntax error, unexpected TOK_ID, expecting TOK_MODE",
          { { NULL, 2, "syntax error, unexpected TOK_ID, expecting TOK_MODE", false } } },
        { "xmod", "profile xmod: has merged rule /usr/bin/foo with conflicting x modifiers",
          { { NULL, 0, "profile xmod: has merged rule /usr/bin/foo with conflicting x modifiers", false },
            { NULL, 0, "ERROR merging rules for profile xmod, failed to load", false } } },
        { "bad-abi", CRAFTED "bad-abi.sd:1: Could not open 'abi/9.9': No such file or directory",
          { { CRAFTED "bad-abi.sd", 1, "Could not open 'abi/9.9': No such file or directory", false } } },
        { "bad-abi2", CRAFTED "bad-abi2.sd:2: syntax error, unexpected TOK_VALUE, expecting TOK_END_OF_RULE",
          { { CRAFTED "bad-abi2.sd", 2, "syntax error, unexpected TOK_VALUE, expecting TOK_END_OF_RULE", false } } },
        { "bad-cap", CRAFTED "bad-cap.sd:3: Invalid capability sys_nonsense.",
          { { CRAFTED "bad-cap.sd", 3, "Invalid capability sys_nonsense.", false } } },
        { "directory", "dir/syntax.sd:4: missing an end of line character? (entry: /etc/hosts)",
          { { NULL, 0, "Ignoring: 'bad-cap.sd~'", true },
            { "dir/syntax.sd", 4, "missing an end of line character? (entry: /etc/hosts)", false },
            { NULL, 0, "profile xmod: has merged rule /usr/bin/foo with conflicting x modifiers", false },
            { NULL, 0, "ERROR merging rules for profile xmod, failed to load", false } } },
        { "warning-namespace",
          CRAFTED "namespace.sd:7: apparmor_parser: -n myns overriding policy specified namespace :ns1:",
          { { CRAFTED "namespace.sd", 7, "apparmor_parser: -n myns overriding policy specified namespace :ns1:", true } } },
        { "werror-namespace",
          CRAFTED "namespace.sd:7: apparmor_parser: -n myns overriding policy specified namespace :ns1:",
          { { CRAFTED "namespace.sd", 7, "apparmor_parser: -n myns overriding policy specified namespace :ns1:", false } } },
        { "warning-not-enforced", "net.sd:8: profile net network rules not enforced",
          { { "net.sd", 0, "extended network unix socket rules not enforced", true },
            { "net.sd", 0, "dbus rules not enforced", true },
            { "net.sd", 8, "profile net network rules not enforced", true } } },
        { "cache-disabled",
          "Cache read/write disabled: interface file missing. (Kernel needs AppArmor 2.4 compatibility patch.)",
          { { NULL, 0, "Cache read/write disabled: interface file missing. (Kernel needs AppArmor 2.4 compatibility patch.)", true } } },
        /* the hint on the next line joins its message; the last warning is
         * what stopped the parser */
        { "load-without-kernel",
          "Warning: unable to find a suitable fs in /proc/mounts, is it mounted? Use --subdomainfs to override.",
          { { NULL, 0, "Cache read/write disabled: interface file missing. (Kernel needs AppArmor 2.4 compatibility patch.)", true },
            { NULL, 0, "Warning: unable to find a suitable fs in /proc/mounts, is it mounted? Use --subdomainfs to override.", true } } },
        { "cache-setup-failed", "Failed setting up policy cache (" CRAFTED "ro-cache): Permission denied",
          { { NULL, 0, "Failed setting up policy cache (" CRAFTED "ro-cache): Permission denied", false } } },
        /* perror()'s line is not recognised: kept, as an error */
        { "cache-write-failed", "mkstemp: Permission denied",
          { { NULL, 0, "mkstemp: Permission denied", false },
            { CRAFTED "net.sd", 8, "Cache write disabled: Cannot create setup tmp cache file '" CRAFTED
              "cache/6b0d76a2.0/net.sd': Invalid argument", true } } },
        { "killed", "apparmor_parser failed without a message", { { NULL } } },
};

static void check_sample(const Sample *s) {
        _cleanup_free_ char *path = NULL, *text = NULL, *summary = NULL;
        ParserError *e = NULL;
        size_t size = 0, n = 0, want_n = 0;
        int r;

        cr_assert_gt(asprintf(&path, "%s%s.txt", SAMPLE_DIR, s->name), 0);
        r = read_full_file(path, READ_FULL_FILE_MAX, &text, &size);
        cr_assert_eq(r, 0, "%s: %s", path, strerror(-r));
        cr_assert_eq(parser_errors_parse(text, size, &e, &n), 0, "%s", s->name);

        while (want_n < ELEMENTSOF(s->want) && s->want[want_n].message)
                want_n++;
        cr_assert_eq(n, want_n, "%s: %zu entries, expected %zu", s->name, n, want_n);
        for (size_t i = 0; i < n; i++) {
                const Want *w = &s->want[i];

                if (w->file)
                        cr_expect_str_eq(strempty(e[i].file), w->file, "%s[%zu]", s->name, i);
                else
                        cr_expect_null(e[i].file, "%s[%zu]: file %s", s->name, i, e[i].file);
                cr_expect_eq(e[i].line, w->line, "%s[%zu]", s->name, i);
                cr_expect_str_eq(e[i].message, w->message, "%s[%zu]", s->name, i);
                cr_expect_eq(e[i].warning, w->warning, "%s[%zu]", s->name, i);
        }

        summary = parser_errors_summary(e, n);
        cr_assert_not_null(summary);
        cr_expect_str_eq(summary, s->summary, "%s", s->name);
        parser_errors_free(e, n);
}

Test(parser_error, real_samples) {
        for (size_t i = 0; i < ELEMENTSOF(samples); i++)
                check_sample(&samples[i]);
}

/* ---- helpers for bad input ---- */

/* Parses, checks what holds for any input, and hands the list back. */
static ParserError *parse_checked(const char *text, size_t size, size_t *ret_n) {
        ParserError *e = NULL;
        size_t n = 99999;
        char *summary;

        /* a heap copy of exactly size bytes: any over-read shows */
        char *copy = malloc(size > 0 ? size : 1);
        cr_assert_not_null(copy);
        if (size > 0)
                memcpy(copy, text, size);
        cr_assert_eq(parser_errors_parse(copy, size, &e, &n), 0);
        free(copy);

        cr_assert_leq(n, (size_t) PARSER_ERRORS_MAX);
        cr_assert(n == 0 || e);
        for (size_t i = 0; i < n; i++) {
                cr_assert_not_null(e[i].message);
                cr_assert_leq(strlen(e[i].message), (size_t) PARSER_ERROR_MESSAGE_MAX);
                cr_assert(utf8_is_printable(e[i].message), "entry %zu: not clean UTF-8", i);
                cr_assert(!e[i].file || (*e[i].file && utf8_is_printable(e[i].file)));
        }
        summary = parser_errors_summary(e, n);
        cr_assert_not_null(summary);
        cr_assert(utf8_is_printable(summary));
        free(summary);
        *ret_n = n;
        return e;
}

static ParserError *parse_str(const char *text, size_t *ret_n) {
        return parse_checked(text, strlen(text), ret_n);
}

Test(parser_error, empty) {
        ParserError *e = (ParserError *) (uintptr_t) 0x1;
        size_t n = 5;
        char *s;

        cr_assert_eq(parser_errors_parse(NULL, 0, &e, &n), 0);
        cr_expect_null(e);
        cr_expect_eq(n, 0U);
        cr_assert_eq(parser_errors_parse("\n\n  \n\r\n", 6, &e, &n), 0);
        cr_expect_eq(n, 0U);
        s = parser_errors_summary(NULL, 0);
        cr_expect_str_eq(s, "apparmor_parser failed without a message");
        free(s);
        parser_errors_free(NULL, 0);
}

Test(parser_error, binary_junk) {
        srand(77);
        for (int round = 0; round < 500; round++) {
                size_t size = (size_t) (rand() % 5000), n;
                char *junk = malloc(size + 1);
                ParserError *e;

                cr_assert_not_null(junk);
                for (size_t i = 0; i < size; i++)
                        junk[i] = (char) rand();
                e = parse_checked(junk, size, &n);
                parser_errors_free(e, n);
                free(junk);
        }
}

Test(parser_error, nul_bytes_and_invalid_utf8) {
        static const char text[] =
                "AppArmor parser error for /a in profile /b\0c at line 3: bad\0thing\n"
                "caf\xc3\xa9 \xff\xfe \xc0\xaf \xed\xa0\x80 \x1b[31mred\x1b[0m\ttab\r\n";
        ParserError *e;
        size_t n;

        e = parse_checked(text, sizeof(text) - 1, &n);
        cr_assert_eq(n, 2U);
        cr_expect_str_eq(e[0].file, "/b?c");
        cr_expect_eq(e[0].line, 3U);
        cr_expect_str_eq(e[0].message, "bad?thing");
        /* é kept; lone bytes, overlong and surrogate forms, escapes gone */
        cr_expect_str_eq(e[1].message, "caf\xc3\xa9 ?? ?? ??? ?[31mred?[0m tab");
        cr_expect_null(e[1].file);
        parser_errors_free(e, n);
}

Test(parser_error, extremely_long_lines) {
        size_t big = 4 * 1024 * 1024, n;
        char *text = malloc(big + 200);
        ParserError *e;
        size_t len;

        cr_assert_not_null(text);
        /* a location, then a message of megabytes */
        len = (size_t) sprintf(text, "AppArmor parser error for /x in profile /y at line 7: ");
        memset(text + len, 'm', big);
        len += big;
        e = parse_checked(text, len, &n);
        cr_assert_eq(n, 1U);
        cr_expect_str_eq(e[0].file, "/y");
        cr_expect_eq(e[0].line, 7U);
        cr_expect_eq(strlen(e[0].message), (size_t) PARSER_ERROR_MESSAGE_MAX);
        cr_expect(endswith(e[0].message, "mmm..."));
        parser_errors_free(e, n);

        /* one line of junk, no newline at all; a multibyte character at the cut */
        for (size_t i = 0; i + 1 < big; i += 2) {
                text[i] = '\xc3';
                text[i + 1] = '\xa9';
        }
        e = parse_checked(text, big, &n);
        cr_assert_eq(n, 1U);
        cr_expect(!e[0].warning);
        cr_expect(endswith(e[0].message, "\xc3\xa9..."));
        parser_errors_free(e, n);

        /* a file name too long to be one */
        len = (size_t) sprintf(text, "AppArmor parser error for /x in profile /");
        memset(text + len, 'f', 6000);
        len += 6000;
        len += (size_t) sprintf(text + len, " at line 7: msg");
        e = parse_checked(text, len, &n);
        cr_assert_eq(n, 1U);
        cr_expect_null(e[0].file);
        cr_expect_eq(e[0].line, 0U);
        cr_expect(startswith(e[0].message, "AppArmor parser error for /x"));
        parser_errors_free(e, n);
        free(text);
}

Test(parser_error, ten_thousand_lines) {
        size_t cap = 10000 * 64, len = 0, n;
        char *text = malloc(cap);
        ParserError *e;
        char *s;

        cr_assert_not_null(text);
        for (int i = 0; i < 10000; i++)
                len += (size_t) snprintf(text + len, cap - len,
                                         "AppArmor parser error for /p%d at line %d: error %d\n", i, i + 1, i);
        e = parse_checked(text, len, &n);
        /* 98 kept, then a note on the rest */
        cr_assert_eq(n, (size_t) PARSER_ERRORS_MAX - 1);
        cr_expect_str_eq(e[0].file, "/p0");
        cr_expect_str_eq(e[97].message, "error 97");
        cr_expect(e[n - 1].warning);
        cr_expect_str_eq(e[n - 1].message, "9902 more lines of apparmor_parser output not shown");
        s = parser_errors_summary(e, n);
        cr_expect_str_eq(s, "/p0:1: error 0");
        free(s);
        parser_errors_free(e, n);

        /* 10,000 warnings hide no error coming after them */
        len = 0;
        for (int i = 0; i < 10000; i++)
                len += (size_t) snprintf(text + len, cap - len, "Ignoring: 'f%d~'\n", i);
        len += (size_t) snprintf(text + len, cap - len, "AppArmor parser error at line 5: late\nmore\n");
        e = parse_checked(text, len, &n);
        cr_assert_eq(n, (size_t) PARSER_ERRORS_MAX);
        cr_expect(e[0].warning);
        cr_expect(!e[n - 2].warning);
        cr_expect_str_eq(e[n - 2].message, "late");
        cr_expect_str_eq(e[n - 1].message, "9903 more lines of apparmor_parser output not shown");
        s = parser_errors_summary(e, n);
        cr_expect_str_eq(s, "line 5: late");
        free(s);
        parser_errors_free(e, n);
        free(text);
}

Test(parser_error, broken_locations) {
        static const struct {
                const char *text;
                const char *file;
                unsigned line;
                const char *message;
        } cases[] = {
                /* "at line" without a number: the raw line */
                { "AppArmor parser error for /a in profile /b at line : x", NULL, 0,
                  "AppArmor parser error for /a in profile /b at line : x" },
                { "AppArmor parser error for /a at line x: y", NULL, 0, "AppArmor parser error for /a at line x: y" },
                { "AppArmor parser error at line", NULL, 0, "AppArmor parser error at line" },
                /* overflowing unsigned: not a location */
                { "AppArmor parser error for /a at line 4294967296: big", NULL, 0,
                  "AppArmor parser error for /a at line 4294967296: big" },
                { "AppArmor parser error for /a at line 99999999999999999999999: big", NULL, 0,
                  "AppArmor parser error for /a at line 99999999999999999999999: big" },
                { "AppArmor parser error for /a at line 4294967295: max", "/a", 4294967295U, "max" },
                /* a later, well-formed " at line N:" is the location */
                { "AppArmor parser error for /a at line x at line 2: m", "/a at line x", 2, "m" },
                /* the message may mention lines itself */
                { "AppArmor parser error for /a at line 2: at line 9: m", "/a", 2, "at line 9: m" },
                { "AppArmor parser error for /a at line 2:", "/a", 2, "" },
                /* cut off by a kill in the middle of the line */
                { "AppArmor parser error for /a in profile /b at li", NULL, 0,
                  "AppArmor parser error for /a in profile /b at li" },
                { "Warning from /a (/a line 99999999999): w", NULL, 0, "Warning from /a (/a line 99999999999): w" },
                { "Warning from /a (line 3): w", "/a", 3, "w" },
                { "Warning from profile p (line 3): w", NULL, 3, "w" },
                { "Warning from /a (/b): w", "/b", 0, "w" },
                { "Warning from /a", NULL, 0, "Warning from /a" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ParserError *e;
                size_t n;

                e = parse_str(cases[i].text, &n);
                cr_assert_eq(n, 1U, "case %zu", i);
                if (cases[i].file)
                        cr_expect_str_eq(strempty(e[0].file), cases[i].file, "case %zu", i);
                else
                        cr_expect_null(e[0].file, "case %zu: %s", i, e[0].file);
                cr_expect_eq(e[0].line, cases[i].line, "case %zu", i);
                cr_expect_str_eq(e[0].message, cases[i].message, "case %zu", i);
                parser_errors_free(e, n);
        }
}

Test(parser_error, classification) {
        ParserError *e;
        size_t n;

        e = parse_str("apparmor_parser: Warning capping number of jobs to 8 * # of cpus == '16'\n"
                      "Warning failed to write cache: /x\n"
                      "Use --subdomainfs to override.\n"
                      "xattr attachment conditional ignored\n"
                      "Cache: failed to add read only location '/y', does not contain valid cache directory for the specified feature set\n"
                      "apparmor_parser: Unable to replace \"foo\".  Profile doesn't conform to protocol\n"
                      "Use --subdomainfs to override.\n",
                      &n);
        cr_assert_eq(n, 5U);
        for (size_t i = 0; i < 4; i++)
                cr_expect(e[i].warning, "entry %zu", i);
        cr_expect_str_eq(e[1].message, "Warning failed to write cache: /x Use --subdomainfs to override.");
        cr_expect(!e[4].warning);
        cr_expect(endswith(e[4].message, "protocol Use --subdomainfs to override."));
        parser_errors_free(e, n);

        /* a hint with nothing before it stands on its own */
        e = parse_str("Use --subdomainfs to override.\n", &n);
        cr_assert_eq(n, 1U);
        cr_expect_str_eq(e[0].message, "Use --subdomainfs to override.");
        parser_errors_free(e, n);
}

Test(parser_error, summary_forms) {
        ParserError e[] = {
                { .message = (char *) "w", .warning = true, .file = (char *) "/w", .line = 1 },
                { .message = (char *) "only file", .file = (char *) "/f" },
                { .message = (char *) "only line", .line = 4 },
                { .message = (char *) "bare" },
        };
        char *s;

        s = parser_errors_summary(e, 2);
        cr_expect_str_eq(s, "/f: only file");
        free(s);
        s = parser_errors_summary(e + 2, 1);
        cr_expect_str_eq(s, "line 4: only line");
        free(s);
        s = parser_errors_summary(e + 3, 1);
        cr_expect_str_eq(s, "bare");
        free(s);
        s = parser_errors_summary(e, 1);
        cr_expect_str_eq(s, "/w:1: w");
        free(s);
}

/* Which complaints without a line are remembered as the policy's fault
 * (the failure cache) and which may be the machine's. */
Test(parser_error, environmental) {
        cr_expect_not(parser_errors_environmental("profile has merged rule with conflicting x modifiers\n"
                                                  "ERROR processing regexs for profile umu-bwrap, failed to load\n"));
        cr_expect(parser_errors_environmental("Unable to open /tmp/x: Permission denied\n"));
        cr_expect(parser_errors_environmental("Memory allocation error: Cannot allocate memory\n"));
        cr_expect(parser_errors_environmental("write failed: No space left on device\n"));
        cr_expect(parser_errors_environmental("apparmor_parser failed without a message"));
        cr_expect(parser_errors_environmental(NULL));
        cr_expect_not(parser_errors_environmental(""));
}

/* What the parser prints when the machine, not the policy, failed it
 * (issue 14, #6): never a verdict on the policy, so never cached, even
 * with a file and line in front. The messages are apparmor_parser 3.0.8's
 * own (its message catalogue, bison's, flex's, libstdc++'s) and glibc's
 * strerror texts the parser appends. */
Test(parser_error, environmental_never_blames_policy) {
        static const char * const machine[] = {
                "Memory allocation error.",
                "Error: Could not allocate memory.",
                "Couldn't merge entries. Out of Memory",
                "Memory Allocation Error: Unable to remove ^/x",
                "apparmor_parser: Could not allocate memory for subdomainbase mount point",
                "Failed to allocate memory: Cannot allocate memory",
                "Error: Out of memory.",
                "memory exhausted",
                "out of dynamic memory in yy_create_buffer()",
                "terminate called after throwing an instance of 'std::bad_alloc'",
                "Unable to open /etc/apparmor.d/x - Too many open files",
                "Unable to open /etc/apparmor.d/x - Too many open files in system",
                "Could not open '/etc/apparmor.d/x': Resource temporarily unavailable",
                "Unable to open /etc/apparmor.d/x - Permission denied",
                "Unable to open /etc/apparmor.d/x - Input/output error",
                "Unable to open /etc/apparmor.d/x - Stale file handle",
                /* the features file gone, as apparmor_parser 3.0.8 says it */
                "Failed to load kernel features from '/run/aalevel/kernel-features': No such file or directory",
        };

        for (size_t i = 0; i < ELEMENTSOF(machine); i++) {
                _cleanup_free_ char *located = NULL;

                cr_expect(parser_errors_environmental(machine[i]), "%s", machine[i]);
                cr_expect_not(parser_errors_blame_policy(machine[i]), "%s", machine[i]);
                /* yyerror() puts them after the file and line it was at */
                cr_assert(asprintf(&located, "AppArmor parser error for /etc/apparmor.d/x in profile "
                                   "/etc/apparmor.d/x at line 3: %s\n", machine[i]) > 0);
                cr_expect(parser_errors_environmental(located), "%s", located);
                cr_expect_not(parser_errors_blame_policy(located), "%s", located);
        }

        /* the policy's own faults stay blamed, and remembered */
        cr_expect(parser_errors_blame_policy("AppArmor parser error for /etc/apparmor.d/x in profile "
                                             "/etc/apparmor.d/x at line 4: missing an end of line character? "
                                             "(entry: /etc/hosts)\n"));
        cr_expect_not(parser_errors_environmental("AppArmor parser error for /x at line 4: Could not open "
                                                  "'abstractions/nosuch'\n"));
}

/* aalevel compile --root: what is cached for the image names its paths. */
Test(parser_error, strip_root) {
        static const struct { const char *root, *in, *out; } cases[] = {
                { "/b/root", "AppArmor parser error for /b/root/etc/apparmor.d/atd in profile "
                             "/b/root/etc/apparmor.d/atd at line 23: syntax error\n",
                  "AppArmor parser error for /etc/apparmor.d/atd in profile /etc/apparmor.d/atd at line 23: "
                  "syntax error\n" },
                { "/b/root/", "Warning from /b/root/etc/x (/b/root/etc/y line 2): z", "Warning from /etc/x (/etc/y line 2): z" },
                { "/b/root", "/b/root/etc/x:1: '/b/root/a'", "/etc/x:1: '/a'" },
                /* not a path below the root */
                { "/b/root", "/b/rooty/x /x/b/root/y /b/root", "/b/rooty/x /x/b/root/y /b/root" },
                { "/b/root", "", "" },
                { "", "/b/root/x", "/b/root/x" },
                { "/", "/etc/x", "/etc/x" },
                { NULL, "/etc/x", "/etc/x" },
        };

        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *s = parser_errors_strip_root(cases[i].in, cases[i].root);
                cr_expect_str_eq(s, cases[i].out, "root %s: %s", cases[i].root, cases[i].in);
        }
        {
                _cleanup_free_ char *s = parser_errors_strip_root(NULL, "/b/root");
                cr_expect_str_eq(s, "");
        }
}
