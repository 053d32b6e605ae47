/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gate in front of the listening sockets, one for every transport
 * (the private D-Bus socket, the Varlink socket), so that one budget
 * holds across them: a user cannot hold twice as much by using both. Who
 * connected, read at once; per-user and total limits over the connections
 * of all the transports, root not counted and with a reserve of its own;
 * accepting paused on every socket while no descriptor is to be had, or
 * all the connections allowed are open, until one closes or a second has
 * passed (clients wait in the listen backlog meanwhile); refusals logged
 * once a second. Each transport owns its connections and tells the gate
 * how many it has. */
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <systemd/sd-event.h>

#include "access.h"
#include "util.h"

typedef struct AcceptGate AcceptGate;
typedef struct AcceptGateMember AcceptGateMember;

/* The daemon's budget, for both sockets together: connections of one
 * user (root not counted); connections beyond the limit in all, for root
 * only (the admin's tools get through a flood of many users);
 * descriptors kept for the worker (parser pipes, cache files, the policy
 * tree) whatever the clients do; descriptors a connection may take (on
 * the private socket: the socket, a duplicate to watch it by, the
 * caller's pidfd; on the Varlink socket one fewer). */
#define ACCEPT_GATE_PER_UID 32
#define ACCEPT_GATE_ROOT_RESERVE 64
#define ACCEPT_GATE_FDS_RESERVED 256
#define ACCEPT_GATE_FDS_PER_CONNECTION 3

/* The connections in all (root's reserve not counted) that the
 * descriptor limit allows. */
size_t accept_gate_max_connections(void);

/* How many of the transport's connections belong to uid; all of them
 * for (uid_t) -1. */
typedef size_t (*AcceptGateCountFn)(void *userdata, uid_t uid);

/* max_connections: in all, root_reserve not counted (root gets that many
 * more); per_uid: of one user, root not counted. */
int accept_gate_new(sd_event *event, size_t max_connections, size_t root_reserve, unsigned per_uid,
                    AcceptGate **ret);
AcceptGate *accept_gate_ref(AcceptGate *g);
AcceptGate *accept_gate_unref(AcceptGate *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(AcceptGate *, accept_gate_unref);

/* A transport joins the gate (what: "bus socket", for the log): its
 * connections count from now on, whether they came through the gate or
 * not. The member holds a reference on the gate. */
int accept_gate_join(AcceptGate *g, const char *what, AcceptGateCountFn count, void *userdata,
                     AcceptGateMember **ret);
/* Leaves the gate (stops watching its socket). */
AcceptGateMember *accept_gate_leave(AcceptGateMember *m);

/* Watches the member's listening socket fd (kept by the caller) with
 * handler. */
int accept_gate_listen(AcceptGateMember *m, int fd, sd_event_io_handler_t handler, void *userdata);

/* From the listening socket's handler: accepts one connection when the
 * limits allow. Returns its descriptor and fills ret_peer; or a negative
 * errno when there is nothing to add (paused, refused and closed, or
 * dropped: each already logged). */
int accept_gate_next(AcceptGateMember *m, int listen_fd, Caller *ret_peer);

/* A connection of any member closed: accepting goes on if it was paused. */
void accept_gate_resume(AcceptGate *g);

/* The connections of all the members, and of uid. */
size_t accept_gate_connections(AcceptGate *g);
size_t accept_gate_connections_of(AcceptGate *g, uid_t uid);
