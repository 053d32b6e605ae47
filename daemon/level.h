/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Level definitions: YAML files (libyaml) in the vendor directory
 * (/usr/share/aalevel/levels) and the admin directory (/etc/aalevel/levels);
 * an admin file replaces the vendor file of the same name. A level may
 * inherit another; resolving a level flattens the chain into the settings
 * the engine uses. Unknown keys, wrong types, cycles, missing parents and
 * names that do not match the file are errors with file and line. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"
#include "statevars.h"

#define LEVEL_NAME_MAX 64

typedef enum ModeOverride {
        MODE_KEEP,              /* as the profile declares */
        MODE_ENFORCE,
        MODE_COMPLAIN,
        _MODE_OVERRIDE_MAX,
        _MODE_OVERRIDE_INVALID = -EINVAL,
} ModeOverride;

const char *mode_override_to_string(ModeOverride m);
ModeOverride mode_override_from_string(const char *s);

typedef struct UserRole {
        char *user;
        char *role;             /* role profile name, e.g. confined_user */
} UserRole;

/* Frees an array of n user roles and their strings. */
void user_roles_free(UserRole *users, size_t n);

/* One level file as written: fields not given are unset (the *_set flags
 * or NULL) so that inheritance can fill them in. */
typedef struct Level {
        char *name;
        char *file;
        unsigned inherits_line; /* for errors about the parent */
        char *description;
        char *inherits;
        char **include;         /* globs over profile file names; NULL: unset */
        bool include_set;
        char **exclude;
        char **directories;     /* extra directories of level-only profiles */
        ModeOverride mode;
        bool mode_set;
        bool honour_disable, honour_disable_set;
        bool honour_force_complain, honour_force_complain_set;
        char **requires;        /* profile names that must compile and load */
        unsigned confirm_sec;
        bool confirm_set;
        bool early_policy, early_policy_set;
        /* confined users (extreme) */
        UserRole *users;
        size_t n_users;
        bool users_set;
        char *user_namespace;   /* policy namespace for application profiles */
        /* state: apparmor.d's runtime state variables pinned (NULL: not) */
        char **state[_STATE_VAR_MAX];
} Level;

/* A level with its inheritance resolved: what the engine works from. */
typedef struct ResolvedLevel {
        char *name;
        char *description;
        char **ancestry;        /* name, parent, grandparent, ... */
        char **include;         /* never NULL: defaults to "*" */
        char **exclude;
        char **directories;
        ModeOverride mode;
        bool honour_disable;
        bool honour_force_complain;
        char **requires;
        unsigned confirm_sec;
        bool early_policy;
        UserRole *users;
        size_t n_users;
        char *user_namespace;
        /* The runtime state the level pins, child over parent (NULL: not
         * pinned), and the level that pinned each. @{LEVEL}, ${FSP} and
         * ${RBAC} always have a value: 0, false and false unless pinned. */
        char **state[_STATE_VAR_MAX];
        char *state_from[_STATE_VAR_MAX];
} ResolvedLevel;

typedef struct LevelSet {
        Level **levels;         /* sorted by name */
        size_t n_levels;
        char **errors;          /* "FILE:LINE: message" for every file left out */
} LevelSet;

bool level_name_is_valid(const char *name);
/* "dir/strict.yaml" → "strict"; NULL when the file name is not NAME.yaml
 * (or out of memory). */
char *level_name_from_filename(const char *filename);

void level_free(Level *l);
DEFINE_TRIVIAL_CLEANUP_FUNC(Level *, level_free);
void resolved_level_free(ResolvedLevel *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(ResolvedLevel *, resolved_level_free);
void level_set_free(LevelSet *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(LevelSet *, level_set_free);

/* Parses one level file's text. filename is used for the name check and
 * in errors. Returns -EINVAL with *ret_error = "FILE:LINE: message". */
int level_parse_string(const char *text, size_t size, const char *filename, Level **ret, char **ret_error);
int level_load_file(const char *path, Level **ret, char **ret_error);

/* Loads both directories (either may be missing). Broken files, and the
 * levels that inherit from them, are left out and listed in errors; the
 * call itself fails only on out-of-memory. */
int level_set_load(const char *vendor_dir, const char *admin_dir, LevelSet **ret);

const Level *level_set_find(const LevelSet *s, const char *name);

/* Flattens a level and its ancestors. -ENOENT for an unknown level. */
int level_set_resolve(const LevelSet *s, const char *name, ResolvedLevel **ret);

/* True when switching from level `from` to level `to` raises the level:
 * nothing `from` enforces or loads becomes less enforced or unloaded.
 * Judged from the resolved levels alone, without the policy tree, and so
 * conservatively (false when it cannot be shown): `to` selects every file
 * `from` selects (its include patterns cover from's, it excludes nothing
 * from did not, it keeps from's directories and, if from loads disabled
 * profiles, loads them too); `to` gives each of them a mode at least as
 * strong (enforce > complain > not loaded: `complain` only after
 * `complain`, `keep` not after `enforce`, nor after `keep` without
 * force-complain/ when it honours force-complain/); `to` inherits `from`
 * (the profiles' $aalevel_ rules of `from` stay true); from's confined
 * users keep their roles and namespace; early policy stays on. requires,
 * confirm and description do not count. Anything else lowers. */
bool resolved_level_is_raise(const ResolvedLevel *from, const ResolvedLevel *to);
/* The same by name; false when either level cannot be resolved. */
bool level_set_is_raise(const LevelSet *s, const char *from, const char *to);

/* The names of every known level plus the four standard ones, sorted:
 * the booleans of the prelude. */
char **level_set_boolean_names(const LevelSet *s);
