/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gate in front of a listening socket, shared by the transports (the
 * private D-Bus socket, the Varlink socket): who connected, read at once;
 * per-user and total limits, root not counted and with a reserve of its
 * own; accepting paused while no descriptor is to be had, or all the
 * connections allowed are open, until one closes or a second has passed
 * (clients wait in the listen backlog meanwhile); refusals logged once a
 * second. The transport owns the connections and counts them. */
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "access.h"
#include "util.h"

typedef struct AcceptGate {
        const char *what;               /* "bus socket": for the log */
        sd_event *event;
        sd_event_source *listen_source;
        sd_event_source *accept_timer;  /* accepting paused: out of descriptors */
        size_t max_connections;         /* root_reserve not counted */
        size_t root_reserve;
        unsigned per_uid;               /* connections of one user (root not counted) */
        usec_t last_refusal;            /* CLOCK_MONOTONIC: refusals are logged once a second */
        unsigned n_refused;             /* since that line */
} AcceptGate;

/* How many of the transport's connections belong to uid. */
typedef unsigned (*AcceptGateCountFn)(void *userdata, uid_t uid);

/* Watches the listening socket fd (kept by the caller) with handler. */
int accept_gate_listen(AcceptGate *g, int fd, sd_event_io_handler_t handler, void *userdata);

/* From the listening socket's handler: accepts one connection when the
 * limits allow, with n_connections open now. Returns its descriptor and
 * fills ret_peer; or a negative errno when there is nothing to add
 * (paused, refused and closed, or dropped: each already logged). */
int accept_gate_next(AcceptGate *g, int listen_fd, size_t n_connections, AcceptGateCountFn count,
                     void *userdata, Caller *ret_peer);

/* A connection closed: accepting goes on if it was paused. */
void accept_gate_resume(AcceptGate *g, size_t n_connections);

void accept_gate_done(AcceptGate *g);
