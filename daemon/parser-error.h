/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Reading apparmor_parser's stderr: when a profile does not compile,
 * aalevel reports the file and line the parser blamed, in its status and
 * in the journal, instead of a wall of text.
 *
 * What apparmor_parser 3.0.8 prints (samples in tests/data/parser-error):
 *
 *   AppArmor parser error for TOP in profile FILE at line N: MESSAGE
 *       TOP is the file named on the command line, FILE the file the
 *       error is in (an include, or TOP itself): FILE is the one reported.
 *   AppArmor parser error for TOP at line N: MESSAGE
 *   AppArmor parser error at line N: MESSAGE
 *       policy read from stdin: no file at all, even when the error is in
 *       an included file, and N is that file's line.
 *   Warning from TOP (FILE line N): MESSAGE
 *   Warning from profile NAME (FILE): MESSAGE
 *   Warning converted to Error from ...        (--Werror; an error)
 *   Warning..., Ignoring: 'x~', Cache read/write disabled: ...
 *       (other warnings, no file)
 *   profile NAME: has merged rule PATH with conflicting x modifiers
 *   ERROR merging rules for profile NAME, failed to load
 *   Found reference to variable NAME, but is never declared
 *       (errors found after parsing: no file, no line)
 *
 * A crashed or killed parser may print nothing, or stop in the middle of
 * a line. Text is made valid UTF-8 without control characters, so any
 * entry can go out on D-Bus or into the journal as it is. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define PARSER_ERRORS_MAX 100
#define PARSER_ERROR_MESSAGE_MAX 1024   /* bytes, without the NUL */

typedef struct ParserError {
        char *file;             /* NULL when the parser named none */
        unsigned line;          /* 0 when unknown */
        char *message;
        bool warning;
} ParserError;

/* Splits the parser's stderr (size bytes; NULs and invalid UTF-8 are
 * replaced) into errors and warnings, in order. A line not recognised
 * becomes an error with file NULL and line 0 carrying the line's text:
 * nothing is dropped silently. At most PARSER_ERRORS_MAX entries: past
 * that, the first error is still kept if none was seen yet, and a last
 * warning entry says how many lines were left out. Messages are cut to
 * PARSER_ERROR_MESSAGE_MAX bytes. Fails only with -ENOMEM; empty text
 * gives *ret = NULL, *ret_n = 0. */
int parser_errors_parse(const char *text, size_t size, ParserError **ret, size_t *ret_n);

void parser_errors_free(ParserError *e, size_t n);

/* True when apparmor_parser's complaint names a failure of the machine it
 * ran on (memory, disk, permissions, descriptors) rather than of the
 * policy: such a failure may go away by itself and is never remembered.
 * The parser runs in the C locale (compiler.c), so its English words are
 * what is looked for. NULL counts as such a failure. */
bool parser_errors_environmental(const char *text);

/* Whether the text is the parser's verdict on the policy: an error it
 * places in a file and line, and no sign of an environmental failure
 * (which the parser reports at the line it was reading, too). */
bool parser_errors_blame_policy(const char *text);

/* One line for the status and the journal: "FILE:LINE: message" for the
 * first error that is not a warning ("FILE: message" or "message" when the
 * parser gave less); the last warning when there are only warnings;
 * "apparmor_parser failed without a message" when there is nothing. NULL
 * on out-of-memory. */
char *parser_errors_summary(const ParserError *e, size_t n);

/* The parser's stderr as the image sees it, for `aalevel compile --root`:
 * a copy of text with the root prefix taken off every path that starts
 * with root + "/" (at the start of the text or after a character that
 * cannot be in a path, so "/x/ROOT/a" stays), "ROOT/etc/x:3" becoming
 * "/etc/x:3". root NULL, "" or "/" gives an unchanged copy. NULL on
 * out-of-memory. */
char *parser_errors_strip_root(const char *text, const char *root);
