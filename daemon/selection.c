/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which level is selected. */
#include "selection.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "level.h"
#include "util.h"

static const char * const source_names[_LEVEL_SOURCE_MAX] = {
        [LEVEL_SOURCE_DEFAULT] = "default",
        [LEVEL_SOURCE_CONFIG] = "config",
        [LEVEL_SOURCE_SET] = "set",
        [LEVEL_SOURCE_CMDLINE] = "kernel-cmdline",
};

const char *level_source_to_string(LevelSource s) {
        return s >= 0 && s < _LEVEL_SOURCE_MAX ? source_names[s] : NULL;
}

char *cmdline_level(const char *cmdline) {
        const char *p = cmdline;
        char *found = NULL;

        /* The last occurrence wins, as for other kernel parameters. */
        while (p && *p) {
                const char *v;
                size_t n;

                p += strspn(p, " \t\n");
                n = strcspn(p, " \t\n");
                if ((v = startswith(p, "aalevel.level=")) && (size_t) (v - p) < n + 1) {
                        char *c = strndup(v, n - (size_t) (v - p));
                        if (c && level_name_is_valid(c)) {
                                free(found);
                                found = c;
                        } else
                                free(c);
                }
                p += n;
        }
        return found;
}

char *proc_cmdline_level(void) {
        _cleanup_free_ char *text = NULL;
        const char *e = getenv("AALEVEL_CMDLINE");

        if (e)
                return cmdline_level(e);
        if (read_full_file("/proc/cmdline", 64 * 1024, &text, NULL) < 0)
                return NULL;
        return cmdline_level(text);
}

int select_level(const Config *config, State *state, const char *cmdline, char **ret_level, LevelSource *ret_source,
                 bool *ret_changed) {
        const char *level;
        LevelSource source;
        bool changed = false;
        int r;

        /* A configuration level= we have not seen yet is the newest
         * instruction: it replaces an earlier `aalevelctl set`. */
        if (config->level && (!state->config_level || !streq(state->config_level, config->level))) {
                if ((r = state_set_config_level(state, config->level)) < 0 ||
                    (r = state_set_selected(state, config->level)) < 0)
                        return r;
                changed = true;
        } else if (!config->level && state->config_level) {
                r = state_set_config_level(state, NULL);
                if (r < 0)
                        return r;
                changed = true;
        }

        if (cmdline) {
                level = cmdline;
                source = LEVEL_SOURCE_CMDLINE;
        } else if (state->selected) {
                level = state->selected;
                source = config->level && streq(config->level, state->selected) ? LEVEL_SOURCE_CONFIG
                                                                                  : LEVEL_SOURCE_SET;
        } else if (config->level) {
                level = config->level;
                source = LEVEL_SOURCE_CONFIG;
        } else {
                level = "default";
                source = LEVEL_SOURCE_DEFAULT;
        }
        *ret_level = strdup(level);
        if (!*ret_level)
                return -ENOMEM;
        *ret_source = source;
        *ret_changed = changed;
        return 0;
}
