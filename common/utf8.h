/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UTF-8 (RFC 3629), the one decoder of the tree: the daemon's parser
 * error reader keeps only valid sequences of apparmor_parser's stderr
 * for D-Bus and the journal, aalevelctl's JSON writer tells valid
 * sequences from invalid bytes, and its tables and progress line need
 * the width of a string in characters, not bytes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the sequence at s (at most n bytes). Returns its length (1 to
 * 4) and sets *ret_codepoint, or -EILSEQ for an invalid, overlong,
 * truncated or surrogate sequence, one past U+10FFFF, or n == 0. */
int utf8_decode(const char *s, size_t n, uint32_t *ret_codepoint);

/* C0 controls, DEL and C1 controls: what a terminal, D-Bus message or
 * journal line must not get as it is. */
static inline bool unichar_is_control(uint32_t c) {
        return c < 0x20 || (c >= 0x7f && c < 0xa0);
}

/* Whether s is valid UTF-8 without any control character (a tab
 * included). */
bool utf8_is_printable(const char *s);

/* The number of characters in s: each valid sequence and each invalid
 * byte counts as one. */
size_t utf8_width(const char *s);

/* The suffix of s that is at most width characters wide, starting on a
 * character boundary. */
const char *utf8_tail(const char *s, size_t width);

/* The length in bytes of the longest prefix of s at most width
 * characters wide, ending on a character boundary. */
size_t utf8_head_length(const char *s, size_t width);
