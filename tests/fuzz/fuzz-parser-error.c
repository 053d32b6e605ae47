/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apparmor_parser's stderr (parser_errors_parse, parser_errors_summary,
 * parser_errors_blame_policy): whatever a crashed, killed or confused
 * parser may print. Every message must come out as valid UTF-8 without
 * control characters (it goes on D-Bus and into the journal as is). */
#include <stdbool.h>
#include <stdio.h>

#include "fuzz.h"
#include "parser-error.h"
#include "utf8.h"

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
                FUZZ_ASSERT(e[i].message && utf8_is_printable(e[i].message));
                FUZZ_ASSERT(strlen(e[i].message) <= PARSER_ERROR_MESSAGE_MAX);
                FUZZ_ASSERT(!e[i].file || (e[i].file[0] && utf8_is_printable(e[i].file)));
        }
        summary = parser_errors_summary(e, n);
        FUZZ_ASSERT(summary && utf8_is_printable(summary));
        free(summary);
        parser_errors_free(e, n);

        text = fuzz_strndup(data, size);
        if (text) {
                (void) parser_errors_blame_policy(text);
                free(text);
        }
        return 0;
}
