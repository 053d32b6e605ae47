/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The include scanner (include_scan) on policy text. */
#include <stdio.h>

#include "fuzz.h"
#include "include.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(include_scan_freep) IncludeScan *s = NULL;
        unsigned lines = 1;
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        /* Out of the caller's buffer: an exact-size copy, so that ASan
         * sees any read past the end. */
        {
                _cleanup_free_ uint8_t *copy = malloc(size ? size : 1);
                if (!copy)
                        return 0;
                if (size)
                        memcpy(copy, data, size);
                r = include_scan((const char *) copy, size, &s);
        }
        FUZZ_ASSERT(r == 0 || r == -ENOMEM);
        if (r < 0)
                return 0;
        for (size_t i = 0; i < size; i++)
                if (data[i] == '\n')
                        lines++;
        for (size_t i = 0; i < s->n_includes; i++) {
                const IncludeDirective *d = &s->includes[i];
                FUZZ_ASSERT(d->path && d->path[0] != '\0');
                FUZZ_ASSERT(d->line >= 1 && d->line <= lines);
                FUZZ_ASSERT(d->kind == INCLUDE_SEARCH || d->kind == INCLUDE_PATH);
                FUZZ_ASSERT(!strchr(d->path, '\n'));
                if (i > 0)
                        FUZZ_ASSERT(d->line >= s->includes[i - 1].line);
        }
        return 0;
}
