/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The early boot policy: libapparmor's policy cache layout (a
 * <features id>.0/ directory with its .features) that systemd's PID 1
 * loads from /etc/apparmor/earlypolicy before it starts anything, and
 * aalevel's initramfs hook before PID 1 runs. A directory holds aalevel's
 * policy only when it carries aalevel's marker: only then does aalevel
 * clear it when the level no longer wants early policy. The engine fills
 * it (engine_write_policy_cache(), engine_update_early_policy() in
 * engine.h). */
#pragma once

/* Marks dir as aalevel's (the offline compile into an image's early
 * policy directory does, so that the daemon there owns it). */
int early_policy_mark_owned(const char *dir);

/* Loads a policy cache directory (the layout above) into the running
 * kernel: early boot, from an initramfs, before PID 1 runs. */
int policy_cache_load(const char *dir, char **ret_error);
