/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Watching the files aalevel depends on, with inotify: the directories of
 * every file in every closure (so that a file written in place, renamed
 * over, deleted, recreated or swapped for a symlink is seen), the nearest
 * existing parent of every missing file (so that creating local/ and then
 * local/foo is seen), the configuration and its drop-ins, the level
 * directories. Events are coalesced: the callback runs debounce_ms after
 * the last event of a burst, and at the latest debounce_max_ms after its
 * first, with every path that changed. Editors' swap and backup files are
 * ignored. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "macro.h"

typedef struct Watch Watch;

/* paths: the changed paths (files, or directories created/removed). */
typedef void (*WatchCallback)(char **paths, void *userdata);

int watch_new(sd_event *event, unsigned debounce_ms, unsigned debounce_max_ms, WatchCallback cb, void *userdata,
              Watch **ret);
void watch_free(Watch *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(Watch *, watch_free);

void watch_set_debounce(Watch *w, unsigned debounce_ms, unsigned debounce_max_ms);

/* Watches what is needed to notice changes to every path in paths (files
 * or directories, existing or not). Replaces the previous set. Returns
 * the directories newly watched in *ret_added (may be NULL): something
 * may have changed in them before the watch was in place. */
int watch_update(Watch *w, char * const *paths, char ***ret_added);

/* How many directories are watched; how many bursts were delivered. */
unsigned watch_count(const Watch *w);
unsigned watch_bursts(const Watch *w);

/* Editor swap files, backups, temporary files of atomic writers. */
bool watch_name_is_noise(const char *name);
