/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session with the daemon: the peer-to-peer connection, method calls
 * that may run for minutes (a cold compile) while Progress and
 * ProfileFailed signals are shown, and the one place where failures
 * become messages and exit codes. Functions follow exit-status.h: 0, a
 * positive exit status once the user has been told, or a negative errno. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "args.h"
#include "json.h"
#include "macro.h"
#include "progress.h"
#include "properties.h"

/* For calls that compile: long enough for any cold compile, short of
 * hanging forever on a wedged daemon. */
#define CALL_TIMEOUT_LONG_USEC (24 * 3600 * USEC_PER_SEC)
/* How long connecting may take, authentication included. */
#define CONNECT_TIMEOUT_USEC (25 * USEC_PER_SEC)
/* sd-bus's default, 25 s: reads and quick changes. */
#define CALL_TIMEOUT_DEFAULT_USEC 0

typedef struct Ctl {
        const Args *args;
        const char *socket_path;
        sd_bus *bus;
        Progress progress;
        /* Show Progress signals: set by the commands that wait for
         * long work; a reading command would otherwise show the progress
         * of someone else's switch. */
        bool show_progress;
        /* Show ProfileFailed signals as warnings (set, reload); check
         * and diff report failures from their reply instead. */
        bool show_profile_failures;
        JsonFlags json_flags;
} Ctl;

void ctl_init(Ctl *c, const Args *args, const char *socket_path, bool stdout_is_tty, bool stderr_is_tty);
void ctl_done(Ctl *c);

/* Connects to the socket; EXIT_UNREACHABLE when nobody answers. */
int ctl_connect(Ctl *c);

/* A method call on the manager's interface, to fill and pass to
 * ctl_call(). */
int ctl_new_call(Ctl *c, const char *member, sd_bus_message **ret);

/* Sends m and waits for the reply, showing progress meanwhile. On
 * failure prints "WHAT: the daemon's message" and a hint, and returns
 * EXIT_DENIED, EXIT_UNREACHABLE or EXIT_FAILED. ret_reply may be NULL. */
_printf_(5, 6)
int ctl_call(Ctl *c, sd_bus_message *m, uint64_t timeout_usec, sd_bus_message **ret_reply,
             const char *what_format, ...);

/* The same for a call whose failure is not the command's: says nothing,
 * returns sd-bus's negative errno. */
int ctl_call_quiet(Ctl *c, sd_bus_message *m, uint64_t timeout_usec, sd_bus_message **ret_reply);

/* For a reply that could not be read (r < 0): tells the user, returns
 * EXIT_FAILED; -ENOMEM passes through. */
int ctl_reply_error(Ctl *c, const char *method, int r);

/* GetAll on the manager's interface. */
int ctl_get_properties(Ctl *c, ManagerProperties *ret);
