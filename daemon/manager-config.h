/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the manager reads of the configuration and what it watches for
 * it: aalevel.conf with its drop-ins and the level definitions (loaded
 * here, with what is rejected logged once), whether a changed path is
 * part of them, and the paths the file watches must cover. Functions of
 * the paths they are given: they hold no state of the manager's. */
#pragma once

#include <stdbool.h>

#include "conf.h"
#include "level.h"

/* Loads config_file and the level definitions it points to. A
 * configuration that is refused is no error: then *ret_config and
 * *ret_levels are NULL and *ret_errors says why (the previous one stays
 * in force). quiet: log nothing (the worker's own copies). */
int manager_config_load(const char *config_file, bool quiet, Config **ret_config, LevelSet **ret_levels,
                        char ***ret_errors);

/* Whether a changed path is part of the configuration (the file, its
 * drop-ins, the level definitions) rather than of the policy; "/" (events
 * were lost) counts as both. */
bool manager_config_has_path(const char *config_file, const Config *config, const char *path);

/* What to watch: the paths the last engine run read (engine_watch), the
 * configuration file and its drop-in directory, the policy directory with
 * its disable/ and force-complain/, both level directories, and the
 * directories of every level. */
int manager_config_watch_paths(const char *config_file, const Config *config, const LevelSet *levels,
                               char * const *engine_watch, char ***ret);
