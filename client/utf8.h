/* UTF-8 decoding for aalevelctl's output: the JSON writer needs to tell
 * valid sequences from invalid bytes, and the tables and the progress
 * line need the width of a string in characters, not bytes. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Decodes the sequence at s (at most n bytes; n > 0). Returns its length
 * (1 to 4) and sets *ret_codepoint, or -EILSEQ for an invalid, overlong,
 * truncated or surrogate sequence. */
int utf8_decode(const char *s, size_t n, uint32_t *ret_codepoint);

/* The number of characters in s: each valid sequence and each invalid
 * byte counts as one. */
size_t utf8_width(const char *s);

/* The suffix of s that is at most width characters wide, starting on a
 * character boundary. */
const char *utf8_tail(const char *s, size_t width);

/* The length in bytes of the longest prefix of s at most width
 * characters wide, ending on a character boundary. */
size_t utf8_head_length(const char *s, size_t width);
