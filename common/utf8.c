/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UTF-8 decoding (RFC 3629): the one validator of the daemon, the
 * client and the tests. */
#include "utf8.h"

#include <errno.h>
#include <string.h>

int utf8_decode(const char *s, size_t n, uint32_t *ret_codepoint) {
        const unsigned char *p = (const unsigned char *) s;
        uint32_t c, min;
        size_t len;

        if (n == 0)
                return -EILSEQ;
        if (p[0] < 0x80) {
                *ret_codepoint = p[0];
                return 1;
        }
        if ((p[0] & 0xe0) == 0xc0) {
                len = 2;
                c = p[0] & 0x1f;
                min = 0x80;
        } else if ((p[0] & 0xf0) == 0xe0) {
                len = 3;
                c = p[0] & 0x0f;
                min = 0x800;
        } else if ((p[0] & 0xf8) == 0xf0) {
                len = 4;
                c = p[0] & 0x07;
                min = 0x10000;
        } else
                return -EILSEQ; /* a continuation byte, or 0xf8 and up */

        if (n < len)
                return -EILSEQ;
        for (size_t i = 1; i < len; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return -EILSEQ;
                c = (c << 6) | (p[i] & 0x3f);
        }
        if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
                return -EILSEQ;
        *ret_codepoint = c;
        return (int) len;
}

bool utf8_is_printable(const char *s) {
        size_t n = strlen(s);

        for (size_t i = 0; i < n;) {
                uint32_t c;
                int r = utf8_decode(s + i, n - i, &c);

                if (r < 0 || unichar_is_control(c))
                        return false;
                i += (size_t) r;
        }
        return true;
}

static size_t char_length(const char *s, size_t n) {
        uint32_t c;
        int r = utf8_decode(s, n, &c);
        return r > 0 ? (size_t) r : 1;
}

size_t utf8_width(const char *s) {
        size_t n = strlen(s), width = 0;

        for (size_t i = 0; i < n; i += char_length(s + i, n - i))
                width++;
        return width;
}

const char *utf8_tail(const char *s, size_t width) {
        size_t n = strlen(s), total = utf8_width(s), i = 0;

        while (total > width) {
                i += char_length(s + i, n - i);
                total--;
        }
        return s + i;
}

size_t utf8_head_length(const char *s, size_t width) {
        size_t n = strlen(s), i = 0;

        for (size_t w = 0; w < width && i < n; w++)
                i += char_length(s + i, n - i);
        return i;
}
