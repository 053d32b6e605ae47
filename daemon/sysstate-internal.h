/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What sysstate.c (the values) and sysstate-detect.c (the detection)
 * share: the paths read, and setting a value. */
#pragma once

#include "macro.h"
#include "sysstate.h"

#define OS_RELEASE_ETC "/etc/os-release"
#define OS_RELEASE_USR "/usr/lib/os-release"
#define WAYLAND_SESSIONS "/usr/share/wayland-sessions"
#define X_SESSIONS "/usr/share/xsessions"
#define UNIT_DIR "/etc/systemd/system"
#define DISPLAY_MANAGER UNIT_DIR "/display-manager.service"
#define PCI_DEVICES "/sys/bus/pci/devices"

/* Sets a value, taking words (NULL: unset; sorted and deduplicated here)
 * and source, both freed on failure: source NULL is -ENOMEM, so that a
 * failed allocation of it can be passed straight in. */
int sysstate_set(SysState *s, SysStateVar v, char **words, char *source);

/* A name or value from outside, fit for a source or an error message: no
 * control characters (a file name may hold a newline), at most 128 bytes
 * of it. NULL when out of memory. */
char *sysstate_printable(const char *s);

/* asprintf() returning the string, NULL when out of memory. */
_printf_(1, 2) char *sysstate_strf(const char *fmt, ...);
