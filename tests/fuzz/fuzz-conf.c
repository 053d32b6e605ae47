/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevel.conf and its drop-ins (config_parse_string). The input up to
 * the first NUL byte is the main file; what follows each NUL is a drop-in
 * applied on top, as config_load() does (at most 4). */
#include <stdio.h>

#include "fuzz.h"
#include "conf.h"
#include "level.h"
#include "strv.h"
#include "util.h"

static void check_config(const Config *c) {
        const char *paths[] = { c->policy_dir, c->cache_dir, c->state_dir, c->runtime_dir, c->apparmorfs,
                                c->parser, c->parser_config, c->early_policy_dir, c->levels_dir,
                                c->vendor_levels_dir };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                FUZZ_ASSERT(paths[i] && paths[i][0] == '/');
        FUZZ_ASSERT(!c->features_file || c->features_file[0] == '/');
        FUZZ_ASSERT(!c->level || level_name_is_valid(c->level));
        STRV_FOREACH(p, c->include_path)
                FUZZ_ASSERT((*p)[0] == '/');
        STRV_FOREACH(l, c->lower_labels)
                FUZZ_ASSERT(!isempty(*l));
        FUZZ_ASSERT(c->jobs <= 256);
        FUZZ_ASSERT(c->compile_timeout_sec >= 1);
        FUZZ_ASSERT(config_jobs(c) >= 1);
        FUZZ_ASSERT(config_same_paths(c, c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(config_freep) Config *c = NULL;
        const uint8_t *p = data, *end = data + size;
        unsigned part = 0;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        if (config_new_default(NULL, &c) < 0)
                return 0;

        while (part < 5) {
                const uint8_t *nul = memchr(p, '\0', (size_t) (end - p));
                const uint8_t *stop = nul ? nul : end;
                _cleanup_free_ char *text = fuzz_strndup(p, (size_t) (stop - p)), *error = NULL;
                char name[32];
                int r;

                if (!text)
                        return 0;
                snprintf(name, sizeof name, part == 0 ? "/fuzz/aalevel.conf" : "/fuzz/aalevel.conf.d/%u.conf", part);
                r = config_parse_string(c, text, name, &error);
                if (r < 0) {
                        /* Errors name the file, and a line unless the whole file failed. */
                        FUZZ_ASSERT(r == -ENOMEM || (error && startswith(error, name)));
                        /* config_load() gives up on the first bad file. */
                        break;
                }
                check_config(c);
                if (!nul)
                        break;
                p = nul + 1;
                part++;
        }
        return 0;
}
