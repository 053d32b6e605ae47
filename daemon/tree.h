/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The policy tree: which files are profiles. The same rules as
 * apparmor_parser given a directory (regular files and symlinks to them at
 * the top level; dot files, README and package-manager or editor backups
 * skipped), plus what apparmor.service does with disable/ and
 * force-complain/ (a file of the same name there), plus a level's
 * selection: include and exclude globs over file names, and extra
 * directories of level-only profiles. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "level.h"
#include "macro.h"

typedef struct ProfileSource {
        char *path;             /* absolute */
        char *name;             /* the file name, what globs match */
        bool disabled;          /* disable/NAME exists (policy dir only) */
        bool force_complain;    /* force-complain/NAME exists (policy dir only) */
        bool extra;             /* from one of the level's extra directories */
} ProfileSource;

typedef struct ProfileTree {
        ProfileSource *sources; /* sorted by path */
        size_t n_sources;
        char **errors;          /* entries that could not be examined, "PATH: why" */
} ProfileTree;

void profile_tree_free(ProfileTree *t);
DEFINE_TRIVIAL_CLEANUP_FUNC(ProfileTree *, profile_tree_free);

/* Lists the profile files of policy_dir and of the level's extra
 * directories, keeping those the level selects; disabled files are left
 * out when the level honours disable/, and force_complain is cleared when
 * it does not honour force-complain/. A missing policy_dir is an empty
 * tree. Fails only on -ENOMEM. */
int profile_tree_scan(const char *policy_dir, const ResolvedLevel *level, ProfileTree **ret);

/* Whether a file name of the policy directory is selected by the level's
 * globs (extra directories are subject to exclude only). */
bool level_selects(const ResolvedLevel *level, const char *name, bool extra);
