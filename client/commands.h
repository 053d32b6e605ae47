/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's commands, one function each. They take the connected
 * session and return per exit-status.h; commands_run() connects and
 * runs the one the command line names. */
#pragma once

#include "ctl.h"
#include "output.h"

int commands_run(Ctl *c);

/* commands-status.c: the daemon's state. */
int command_status(Ctl *c);
int command_get(Ctl *c);
int command_profiles(Ctl *c);

/* commands-levels.c: the defined levels. */
int command_list(Ctl *c);
int command_show(Ctl *c);

/* commands-change.c: changing the level. */
int command_set(Ctl *c);
int command_confirm(Ctl *c);
int command_reload(Ctl *c);

/* commands-compile.c: compiling without loading. */
int command_diff(Ctl *c);
int command_check(Ctl *c);

/* commands.c: shared by the files above. A buffered JSON writer on
 * stdout, so that a failing command prints no half document. */
/* apparmor.d's runtime state in GetLevel's "state" a(sass), from the
 * array on: lines into *ret_text, or JSON objects to w. */
int level_state_print(sd_bus_message *m, JsonWriter *w, char **ret_text);
/* The runtime state of a level, by GetLevel: 1 when the daemon gave one,
 * 0 when none (no state in the tree, an older daemon), or an error. */
int level_state_of(Ctl *c, const char *level, JsonWriter *w, char **ret_text);
int json_begin(Ctl *c, JsonWriter *w);
/* Ends the JSON document: EXIT_FAILED when stdout failed. */
int json_end(JsonWriter *w);
/* A JSON document that is one object of these fields. */
int json_print_fields(Ctl *c, const Field *fields, size_t n);
/* A JSON document that is the array of rows of m (rows_print()). */
int json_print_rows(Ctl *c, sd_bus_message *m, const Column *columns, size_t n_columns, RowFunc complete,
                    void *userdata);

