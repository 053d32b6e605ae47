/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Detecting the running system's part of apparmor.d's runtime state
 * (statevars.h): the OS family, ID and version (os-release), the desktop
 * environments and display servers (session files), the display manager
 * (display-manager.service) and the GPU vendors (PCI display
 * controllers). Each value is a list of words plus a source saying where
 * it came from, or why there is none.
 *
 * Detection reads below a root ("/" on the running system, an image's
 * root or a test's directory), with every file, line and directory
 * listing capped. Bad input never fails the detection: the value it would
 * have given falls back, with the reason as its source. The words end up
 * in AppArmor policy text, so only valid words (state_word_is_valid())
 * are ever taken; anything else is refused, never injected. */
#pragma once

#include "statevars.h"

/* Detects the state of the system below root (NULL or "" for "/") into a
 * new *ret that sets only the detected variables (STATE_OS_FAMILY to
 * STATE_GPU), each with its source; words are sorted, without
 * duplicates, and NULL where the tree's own definition is to stay. Fails
 * only with -ENOMEM, *ret then untouched. */
int sysstate_detect(const char *root, StateValues *ret);

/* What to watch (files and directories, existing or not, below root) for
 * a change that may change the detection: both os-release files, the two
 * session directories, display-manager.service. The PCI devices are not
 * in it (sysfs gives no inotify events). */
char **sysstate_watch_paths(const char *root);
