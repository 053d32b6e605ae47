/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's properties (doc/dbus-api.md), read in one GetAll round
 * trip. A property the daemon does not serve (an older daemon) keeps
 * its zero value: "" or 0; one with an unexpected type is skipped. */
#pragma once

#include <stdint.h>
#include <systemd/sd-bus.h>

#include "util.h"

typedef struct ManagerProperties {
        char *version;
        char *level;
        char *pending_level;
        char *state;
        char *level_source;
        usec_t confirm_deadline;        /* CLOCK_REALTIME, 0 when none */
        uint32_t profiles_loaded;
        uint32_t profiles_failed;
        uint32_t profiles_modified;
        usec_t last_reload;             /* CLOCK_REALTIME, 0 when none */
        usec_t last_reload_duration;
        char **errors;
} ManagerProperties;

void manager_properties_done(ManagerProperties *p);

/* Reads GetAll's a{sv} from m. Fills *ret only on success. */
int manager_properties_parse(sd_bus_message *m, ManagerProperties *ret);

/* The seconds left before the pending level reverts, 0 when the
 * deadline has passed; now is CLOCK_REALTIME µs. */
uint64_t confirm_remaining_sec(usec_t deadline, usec_t now);
