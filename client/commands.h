/* aalevelctl's commands, one function each. They take the connected
 * session and return per exit-status.h; commands_run() connects and
 * runs the one the command line names. */
#pragma once

#include "ctl.h"

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
int json_begin(Ctl *c, JsonWriter *w);
/* Ends the JSON document: EXIT_FAILED when stdout failed. */
int json_end(JsonWriter *w);
/* Writes the keys of status that set and reload repeat in their JSON. */
void json_confirm_fields(JsonWriter *w, const ManagerProperties *p, usec_t now);
