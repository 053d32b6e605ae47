/* apparmor_parser's stderr (parser_errors_parse, parser_errors_summary,
 * parser_errors_blame_policy): whatever a crashed, killed or confused
 * parser may print. Every message must come out as valid UTF-8 without
 * control characters (it goes on D-Bus and into the journal as is). */
#include <stdbool.h>
#include <stdio.h>

#include "fuzz.h"
#include "parser-error.h"

static bool valid_text(const char *s) {
        const unsigned char *u = (const unsigned char *) s;

        while (*u) {
                size_t len;
                uint32_t cp;

                if (*u < 0x80) {
                        if (*u < 0x20 || *u == 0x7f)
                                return false;
                        u++;
                        continue;
                }
                if (*u >= 0xC2 && *u <= 0xDF)
                        len = 2, cp = *u & 0x1F;
                else if (*u >= 0xE0 && *u <= 0xEF)
                        len = 3, cp = *u & 0x0F;
                else if (*u >= 0xF0 && *u <= 0xF4)
                        len = 4, cp = *u & 0x07;
                else
                        return false;
                for (size_t i = 1; i < len; i++) {
                        if ((u[i] & 0xC0) != 0x80)
                                return false;
                        cp = cp << 6 | (u[i] & 0x3F);
                }
                if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
                    (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp < 0xA0))
                        return false;
                u += len;
        }
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ParserError *e = NULL;
        size_t n = 0;
        char *summary, *text;
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        {
                uint8_t *copy = malloc(size ? size : 1);
                if (!copy)
                        return 0;
                if (size)
                        memcpy(copy, data, size);
                r = parser_errors_parse((const char *) copy, size, &e, &n);
                free(copy);
        }
        FUZZ_ASSERT(r == 0 || r == -ENOMEM);
        if (r < 0)
                return 0;
        FUZZ_ASSERT(n <= PARSER_ERRORS_MAX);
        for (size_t i = 0; i < n; i++) {
                FUZZ_ASSERT(e[i].message && valid_text(e[i].message));
                FUZZ_ASSERT(strlen(e[i].message) <= PARSER_ERROR_MESSAGE_MAX);
                FUZZ_ASSERT(!e[i].file || (e[i].file[0] && valid_text(e[i].file)));
        }
        summary = parser_errors_summary(e, n);
        FUZZ_ASSERT(summary && valid_text(summary));
        free(summary);
        parser_errors_free(e, n);

        text = fuzz_strndup(data, size);
        if (text) {
                (void) parser_errors_blame_policy(text);
                free(text);
        }
        return 0;
}
