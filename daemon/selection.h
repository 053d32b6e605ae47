/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which level is selected: the last instruction wins. The kernel command
 * line (aalevel.level=NAME) overrides everything for one boot (rescue); a
 * change of level= in aalevel.conf (config management) applies at once;
 * `aalevelctl set` applies at once and persists. The state remembers the
 * configuration's level= as last seen, so that after a restart a changed
 * configuration is recognised as the newer instruction. */
#pragma once

#include "conf.h"
#include "state.h"

typedef enum LevelSource {
        LEVEL_SOURCE_DEFAULT,
        LEVEL_SOURCE_CONFIG,
        LEVEL_SOURCE_SET,
        LEVEL_SOURCE_CMDLINE,
        _LEVEL_SOURCE_MAX,
        _LEVEL_SOURCE_INVALID = -EINVAL,
} LevelSource;

const char *level_source_to_string(LevelSource s);

/* The value of aalevel.level= on a kernel command line, or NULL. */
char *cmdline_level(const char *cmdline);
/* Reads /proc/cmdline (or $AALEVEL_CMDLINE, for tests). */
char *proc_cmdline_level(void);

/* Decides the level; updates state->config_level and state->selected when
 * the configuration's level= is new. *ret_changed says whether the state
 * must be saved. */
int select_level(const Config *config, State *state, const char *cmdline_level, char **ret_level,
                 LevelSource *ret_source, bool *ret_changed);
