/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The running system's state, as apparmor.d's tunables/multiarch.d/state
 * expects "a program at runtime" to set it: the OS family, ID and version
 * (os-release), the desktop environments and display servers (session
 * files), the display manager (display-manager.service) and the GPU
 * vendors (PCI display controllers). Each value is a list of words plus a
 * source saying where it came from, or why there is none.
 *
 * Detection reads below a root ("/" on the running system, an image's
 * root or a test's directory), with every file, line and directory
 * listing capped. Bad input never fails the detection: the value it would
 * have given falls back, with the reason as its source. The words end up
 * in AppArmor policy text, so only plain words ([A-Za-z0-9._-]) are ever
 * taken; anything else is refused, never injected. */
#pragma once

#include <errno.h>
#include <stdbool.h>

#include "macro.h"

typedef enum SysStateVar {
        SYSSTATE_OS_FAMILY,     /* apt, pacman, zypper */
        SYSSTATE_OS_ID,         /* os-release ID */
        SYSSTATE_OS_VERSION_ID, /* os-release VERSION_ID */
        SYSSTATE_DE,            /* gnome, kde, xfce, cosmic, none */
        SYSSTATE_DM,            /* gdm, sddm, lightdm, none */
        SYSSTATE_DS,            /* wayland, x11, none */
        SYSSTATE_GPU,           /* nvidia, amd, intel, none */
        _SYSSTATE_VAR_MAX,
        _SYSSTATE_VAR_INVALID = -EINVAL,
} SysStateVar;

typedef struct SysStateValue {
        char **words;           /* sorted, no duplicates; NULL: unset (not rendered) */
        char *source;           /* where the words came from, or why there are none */
} SysStateValue;

typedef struct SysState {
        SysStateValue values[_SYSSTATE_VAR_MAX];
} SysState;

/* The longest word taken; a word is 1 to this many of [A-Za-z0-9._-]. */
#define SYSSTATE_WORD_MAX 64U

/* "OS_FAMILY", "DE", ...: the variable's name in the policy, without @{}. */
const char *sysstate_var_to_string(SysStateVar v) _pure_;
/* Takes "DE" or "@{DE}". */
SysStateVar sysstate_var_from_string(const char *s) _pure_;

bool sysstate_word_is_valid(const char *w) _pure_;

/* Detects the state of the system below root (NULL or "" for "/").
 * Fails only with -ENOMEM; every value is set or has its reason. */
int sysstate_detect(const char *root, SysState **ret);

SysState *sysstate_new(void);
void sysstate_free(SysState *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(SysState *, sysstate_free);
SysState *sysstate_copy(const SysState *s);

/* The value of one variable by name ("DE" or "@{DE}"), NULL for a name
 * that is not one of them. */
const SysStateValue *sysstate_get(const SysState *s, const char *name);

/* Whether the words are the same (the sources may differ: what the policy
 * sees is the same). */
bool sysstate_equal(const SysState *a, const SysState *b);
/* The names ("DE", ...) of the variables whose words differ, in the order
 * of SysStateVar; an empty vector when none does. a or b NULL: all. */
int sysstate_changed(const SysState *a, const SysState *b, char ***ret);

/* Pins a variable to words (from a level file): every word must be valid
 * and there must be at least one. The source becomes "level LEVEL". On
 * -EINVAL, *ret_error (may be NULL) says what is wrong; s is unchanged on
 * any failure. */
int sysstate_pin(SysState *s, const char *name, char * const *words, const char *level, char **ret_error);

/* The AppArmor 5.0 text overriding the tree's definitions, one line per
 * set variable, in the order of SysStateVar: "@{DE} := gnome kde\n".
 * Unset variables are left out (the tree's own definition stays; the
 * 5.0 parser refuses an empty ":="). The text must come after the tree's
 * "@{DE} = ..." (tunables/multiarch.d/state.d/ does): the parser refuses
 * a "=" of a variable already set by ":=", and the 4.x parsers know no
 * ":=" at all. -EINVAL when a word is not plain (never so for values
 * set by this module). */
int sysstate_render(const SysState *s, char **ret);

/* What to watch (files and directories, existing or not, below root) for
 * a change that may change the detection: both os-release files, the two
 * session directories, display-manager.service. The PCI devices are not
 * in it (sysfs gives no inotify events). */
char **sysstate_watch_paths(const char *root);
