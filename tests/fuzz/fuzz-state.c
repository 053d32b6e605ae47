/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state file (state_parse). What parses must survive a round trip:
 * state_format() of it parses again to a state that formats to the very
 * same text, since the daemon rewrites the file after every change. */
#include <stdio.h>

#include "fuzz.h"
#include "state.h"
#include "strv.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(state_freep) State *s = NULL, *again = NULL;
        _cleanup_free_ char *error = NULL, *text = NULL, *text2 = NULL, *error2 = NULL;
        _cleanup_strv_free_ char **owned = NULL;
        size_t text_size = 0, text2_size = 0;
        int r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        /* Escaping of any field survives too. */
        {
                _cleanup_free_ char *field = fuzz_strndup(data, size), *esc = NULL, *back = NULL;
                if (field && field[0]) {
                        esc = state_escape(field);
                        FUZZ_ASSERT(esc);
                        FUZZ_ASSERT(!strchr(esc, '\t') && !strchr(esc, '\n'));
                        FUZZ_ASSERT(state_unescape(esc, &back) == 0 && streq(back, field));
                }
        }
        {
                _cleanup_free_ uint8_t *copy = malloc(size ? size : 1);
                if (!copy)
                        return 0;
                if (size)
                        memcpy(copy, data, size);
                r = state_parse((const char *) copy, size, "/fuzz/state", &s, &error);
        }
        if (r < 0) {
                FUZZ_ASSERT(r == -ENOMEM || (error && startswith(error, "/fuzz/state:")));
                return 0;
        }
        for (size_t i = 0; i < s->n_units; i++) {
                FUZZ_ASSERT(s->units[i].file && s->units[i].file[0] == '/');
                FUZZ_ASSERT(s->units[i].names);
                FUZZ_ASSERT(state_find_unit(s, s->units[i].file, s->units[i].ns) == &s->units[i]);
        }
        owned = state_owned_names(s);
        FUZZ_ASSERT(owned);
        STRV_FOREACH(n, owned)
                FUZZ_ASSERT(state_find_name(s, *n) || strv_contains(s->claimed, *n));

        r = state_format(s, &text, &text_size);
        if (r < 0)
                return 0;
        r = state_parse(text, text_size, "/fuzz/state.formatted", &again, &error2);
        if (r < 0)
                fprintf(stderr, "formatted state does not parse: %s\n--\n%s--\n", strna(error2), text);
        FUZZ_ASSERT(r >= 0);
        r = state_format(again, &text2, &text2_size);
        FUZZ_ASSERT(r >= 0);
        FUZZ_ASSERT(text_size == text2_size && memcmp(text, text2, text_size) == 0);
        FUZZ_ASSERT(again->n_units == s->n_units);
        FUZZ_ASSERT(streq_ptr(again->selected, s->selected) && streq_ptr(again->applied, s->applied) &&
                    streq_ptr(again->config_level, s->config_level));
        FUZZ_ASSERT(strv_length(again->claimed) == strv_length(s->claimed));

        return 0;
}
