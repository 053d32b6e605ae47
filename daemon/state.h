/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What aalevel remembers across restarts, in <state_dir>/state: the level
 * selected with `aalevelctl set`, the configuration's level= when last
 * seen (to tell which instruction came last), the level last applied,
 * and every unit it loaded: the profile file, its cache key, the SHA-1 of
 * the blob written to the kernel and the profile names it held. During a
 * transaction the names about to be loaded are recorded first
 * ("claimed"), so that after a crash at any moment aalevel still knows
 * every name it may have put in the kernel, and never mistakes its own
 * profile for a foreign one or the reverse.
 *
 * The file is text, one record per line, tab-separated, with C-style
 * escapes for tabs, newlines, backslashes and control characters; it is
 * written atomically (temporary file, fsync, rename). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cache.h"
#include "level.h"
#include "macro.h"

typedef struct StateUnit {
        char *file;
        char *ns;               /* policy namespace it was compiled into, NULL: the root one */
        CacheKey key;
        ModeOverride mode;      /* the override applied when it was loaded */
        char sha1[2 * SHA1_DIGEST_SIZE + 1];
        char sha256[2 * SHA256_DIGEST_SIZE + 1]; /* of the same binary (raw_sha256); "" not known */
        char **names;
} StateUnit;

typedef struct State {
        char *selected;         /* from `aalevelctl set`; NULL when never set */
        char *config_level;     /* aalevel.conf's level= when last seen; NULL when unset */
        char *applied;          /* the level last applied completely */
        StateUnit *units;
        size_t n_units;
        char **claimed;         /* names a transaction in progress may load */
        struct Hashmap *index;  /* "NS\x1fFILE" → position + 1, built on demand;
                                 * add and remove units only with the functions below */
} State;

State *state_new(void);
void state_free(State *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(State *, state_free);

/* -EINVAL with *ret_error "FILE:LINE: what" for a malformed file. */
int state_parse(const char *text, size_t size, const char *filename, State **ret, char **ret_error);
/* A missing file is an empty state. */
int state_load(const char *path, State **ret, char **ret_error);
int state_format(const State *s, char **ret, size_t *ret_size);
int state_save(const State *s, const char *path);

/* A unit is a profile file compiled for one namespace (NULL: the root). */
const StateUnit *state_find_unit(const State *s, const char *file, const char *ns);
/* A unit's identity as one string (its namespace and file), as the index
 * has it; NULL when out of memory. */
char *state_unit_key(const char *file, const char *ns);
/* The unit that loaded this profile name, or NULL. */
const StateUnit *state_find_name(const State *s, const char *name);
/* Every name aalevel owns: of every unit, and claimed ones. Sorted. */
char **state_owned_names(const State *s);

/* Only the functions below change a State: the engine, the worker and
 * the level selection call them. When out of memory they return -ENOMEM
 * and leave the state as it was. */

/* The levels: 0 when the field already says so, 1 when changed (level
 * NULL: unset). */
int state_set_selected(State *s, const char *level);
int state_set_config_level(State *s, const char *level);
int state_set_applied(State *s, const char *level);

/* Names a transaction is about to load, recorded (and saved) before the
 * kernel sees them; names must not be claimed or owned already. */
int state_claim(State *s, char * const *names);
/* Takes back a claim that could not be saved. */
void state_unclaim(State *s, char * const *names);
/* The transaction is over: true when there were claims to drop. */
bool state_clear_claims(State *s);

/* Records a unit as loaded (everything copied); sha256 NULL or "" when
 * not known. */
int state_record_unit(State *s, const char *file, const char *ns, const CacheKey *key, ModeOverride mode,
                      const char *sha1, const char *sha256, char * const *names);
/* The same binary under a new key or mode: true when something changed. */
bool state_update_unit_key(State *s, const char *file, const char *ns, const CacheKey *key, ModeOverride mode);

/* Adds or replaces the unit of (u->file, u->ns), taking over u's contents. */
int state_set_unit(State *s, StateUnit *u);
void state_remove_unit(State *s, const char *file, const char *ns);
void state_unit_clear(StateUnit *u);

/* Escaping of one field, exposed for the tests. */
char *state_escape(const char *s);
int state_unescape(const char *s, char **ret);
