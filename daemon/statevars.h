/* SPDX-License-Identifier: GPL-2.0-or-later */
/* apparmor.d's runtime state (tunables/multiarch.d/state, abi 5): the
 * variables that file says "are expected to be configured by a program at
 * runtime", and the values aalevel gives them. aalevel writes them, with
 * AppArmor 5.0's override operator, into a file of its own in the
 * directory that state file includes last (tunables/multiarch.d/state.d),
 * never into the tree's own files; a package upgrade of the tree does not
 * ship that directory.
 *
 * The value of a variable comes from the level (@{LEVEL}, ${FSP},
 * ${RBAC}), from detection (sysstate.h: the OS, desktops, display
 * manager and servers, GPUs) or from a level file's pin (state: in
 * aalevel.level(5)), which wins. Only profiles whose include closure
 * uses a variable (include.h) are compiled again when its value
 * changes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef enum StateVar {
        STATE_LEVEL,            /* @{LEVEL}: 0 default, 1 strict, 2 fsp, 3 extreme */
        STATE_FSP,              /* ${FSP} */
        STATE_RBAC,             /* ${RBAC} */
        STATE_OS_FAMILY,        /* @{OS_FAMILY}: apt, pacman, zypper */
        STATE_OS_ID,            /* @{OS_ID}: os-release ID */
        STATE_OS_VERSION_ID,    /* @{OS_VERSION_ID} */
        STATE_DE,               /* @{DE}: desktops installed */
        STATE_DM,               /* @{DM}: the display manager */
        STATE_DS,               /* @{DS}: display servers available */
        STATE_GPU,              /* @{GPU}: PCI display vendors */
        _STATE_VAR_MAX,
        _STATE_VAR_INVALID = -EINVAL,
} StateVar;

#define STATE_VAR_MASK_ALL ((UINT32_C(1) << _STATE_VAR_MAX) - 1)

/* The file, relative to the policy directory, that declares the state,
 * and the directory it includes last, where aalevel's file goes. */
#define STATE_TUNABLE "tunables/multiarch.d/state"
#define STATE_DIR_INCLUDE "tunables/multiarch.d/state.d"
#define STATE_FILE_NAME "aalevel"

const char *state_var_to_string(StateVar v);      /* "LEVEL" */
StateVar state_var_from_string(const char *s);
bool state_var_is_boolean(StateVar v);            /* ${FSP}, ${RBAC} */
/* Recognizes a reference at p, which points at '@' or '$': "@{DE}" or
 * "${FSP}" (the sigil must match the kind). The variable, or
 * _STATE_VAR_INVALID; *ret_len is the reference's length. */
StateVar state_var_reference(const char *p, size_t len, size_t *ret_len);

/* The one check of what may go into policy text as a value, whatever its
 * origin (detection, a level file's pin): a word of 1 to STATE_WORD_MAX
 * of [A-Za-z0-9._+-]. Nothing else: no blank, quote, comma, brace, glob
 * or '@'/'$' that could end the value or start a rule or a variable.
 * '+' is allowed: os-release's VERSION_ID may in principle carry one
 * (a version such as "1.0+deb13"), and AppArmor takes it as a literal
 * character in a path; '+' is no AARE operator. */
#define STATE_WORD_MAX 64U
bool state_word_is_valid(const char *w) _pure_;

/* Every word held is valid (state_values_set() sees to it). */
typedef struct StateValues {
        char **values[_STATE_VAR_MAX];  /* NULL: not set (the tree's own value stays) */
        char *source[_STATE_VAR_MAX];   /* where the value came from or why there is none, for status */
} StateValues;

void state_values_done(StateValues *v);
int state_values_copy(const StateValues *from, StateValues *to);
/* Replaces one value (a copy of words; NULL: not set) and its source.
 * -EINVAL, v unchanged, when a word is not valid. */
int state_values_set(StateValues *v, StateVar var, char * const *words, const char *source);
bool state_values_equal(const StateValues *a, const StateValues *b);

/* The file aalevel writes into state.d: every value set, each as
 * "@{DE} := gnome kde" or "${FSP} := true". */
char *state_values_file_text(const StateValues *v, const char *level);
/* What a cache key covers: the values of the variables in mask only,
 * "NAME=word word\n" in the enum's order; NULL (no text) when mask is 0. */
char *state_values_key_text(const StateValues *v, uint32_t mask);
/* "DE DS" for a mask: for logs. */
char *state_var_mask_to_string(uint32_t mask);

/* Whether path is aalevel's state file (own_path) and holds own_text, what
 * aalevel wrote: the event of its own write, not a change to act on (after
 * a Check or a Diff of another level the file is written twice). A file
 * edited, replaced or removed by someone else is a change. */
bool state_file_is_own_write(const char *path, const char *own_path, const char *own_text);
