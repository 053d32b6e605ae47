/* SPDX-License-Identifier: GPL-2.0-or-later */
/* UTF-8 decoding (common/utf8.c, for the daemon and the client): valid
 * sequences of every length and every kind of invalid one. */
#include <criterion/criterion.h>
#include <errno.h>
#include <string.h>

#include "utf8.h"

static void expect_valid(const char *s, int len, uint32_t codepoint) {
        uint32_t c = 0;
        cr_expect_eq(utf8_decode(s, strlen(s), &c), len, "length of %s", s);
        cr_expect_eq(c, codepoint);
}

static void expect_invalid(const char *s, size_t n) {
        uint32_t c;
        cr_expect_eq(utf8_decode(s, n, &c), -EILSEQ);
}

Test(utf8, valid) {
        expect_valid("a", 1, 'a');
        expect_valid("\x7f", 1, 0x7f);
        expect_valid("\xc3\xa9", 2, 0xe9);
        expect_valid("\xe2\x80\xa6", 3, 0x2026);
        expect_valid("\xef\xbf\xbd", 3, 0xfffd);
        expect_valid("\xf0\x9f\x98\x80", 4, 0x1f600);
        expect_valid("\xf4\x8f\xbf\xbf", 4, 0x10ffff);
}

Test(utf8, invalid) {
        expect_invalid("", 0);
        expect_invalid("\x80", 1);              /* lone continuation */
        expect_invalid("\xbf", 1);
        expect_invalid("\xc3", 1);              /* truncated */
        expect_invalid("\xe2\x80", 2);
        expect_invalid("\xc3\x28", 2);          /* bad continuation */
        expect_invalid("\xc0\xaf", 2);          /* overlong '/' */
        expect_invalid("\xe0\x80\xaf", 3);
        expect_invalid("\xf0\x80\x80\xaf", 4);
        expect_invalid("\xed\xa0\x80", 3);      /* surrogate */
        expect_invalid("\xf4\x90\x80\x80", 4);  /* above U+10FFFF */
        expect_invalid("\xf8\x88\x80\x80\x80", 5);
        expect_invalid("\xff", 1);
        expect_invalid("\xc1\xbf", 2);          /* overlong U+007F */
        expect_invalid("\xe0\x9f\xbf", 3);      /* overlong U+07FF */
        expect_invalid("\xf0\x8f\xbf\xbf", 4);  /* overlong U+FFFF */
        expect_invalid("\xed\xbf\xbf", 3);      /* last surrogate */
        expect_invalid("\xf5\x80\x80\x80", 4);  /* lead byte past U+10FFFF */
        expect_invalid("\xf7\xbf\xbf\xbf", 4);
        expect_invalid("\xf0\x9f\x98", 3);      /* truncated 4-byte */
        expect_invalid("\xf0\x9f\x98\x80", 3);  /* cut by n, not by NUL */
        expect_invalid("\xe2\x80\xa6", 2);
        expect_invalid("\xe2\x28\xa6", 3);      /* bad second byte */
        expect_invalid("\xf0\x9f\x28\x80", 4);  /* bad third byte */
}

Test(utf8, boundaries) {
        expect_valid("\xc2\x80", 2, 0x80);
        expect_valid("\xdf\xbf", 2, 0x7ff);
        expect_valid("\xe0\xa0\x80", 3, 0x800);
        expect_valid("\xed\x9f\xbf", 3, 0xd7ff);
        expect_valid("\xee\x80\x80", 3, 0xe000);
        expect_valid("\xf0\x90\x80\x80", 4, 0x10000);
}

Test(utf8, printable) {
        cr_expect(utf8_is_printable(""));
        cr_expect(utf8_is_printable("caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x98\x80"));
        cr_expect(utf8_is_printable("\xc2\xa0"));             /* NBSP: not a control */
        cr_expect_not(utf8_is_printable("a\tb"));
        cr_expect_not(utf8_is_printable("\x1b[31m"));
        cr_expect_not(utf8_is_printable("\x7f"));
        cr_expect_not(utf8_is_printable("\xc2\x85"));         /* C1 NEL */
        cr_expect_not(utf8_is_printable("\xc2\x9f"));
        cr_expect_not(utf8_is_printable("\xc0\xaf"));         /* overlong */
        cr_expect_not(utf8_is_printable("\xed\xa0\x80"));     /* surrogate */
        cr_expect_not(utf8_is_printable("\xf4\x90\x80\x80")); /* past U+10FFFF */
        cr_expect_not(utf8_is_printable("ok\xe2\x80"));       /* truncated */
        cr_expect_not(utf8_is_printable("\xff"));
}

Test(utf8, width) {
        cr_expect_eq(utf8_width(""), 0);
        cr_expect_eq(utf8_width("abc"), 3);
        cr_expect_eq(utf8_width("\xc3\xa9t\xc3\xa9"), 3);
        cr_expect_eq(utf8_width("\xff\xfe"), 2);
        cr_expect_eq(utf8_width("a\xe2\x80"), 3);
}

Test(utf8, tail_and_head) {
        cr_expect_str_eq(utf8_tail("abcdef", 3), "def");
        cr_expect_str_eq(utf8_tail("abc", 10), "abc");
        cr_expect_str_eq(utf8_tail("abc", 0), "");
        cr_expect_str_eq(utf8_tail("\xc3\xa9t\xc3\xa9", 1), "\xc3\xa9");
        cr_expect_eq(utf8_head_length("\xc3\xa9t\xc3\xa9", 1), 2);
        cr_expect_eq(utf8_head_length("\xc3\xa9t\xc3\xa9", 2), 3);
        cr_expect_eq(utf8_head_length("abc", 10), 3);
        cr_expect_eq(utf8_head_length("abc", 0), 0);
}
