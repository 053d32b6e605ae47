/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The D-Bus face of the manager: org.aalevel1.Manager (doc/dbus-api.md)
 * on the private socket <runtime_dir>/bus (peer to peer, usable at early
 * boot) and on the system bus when it is up. The Bus owns the listening
 * socket and every connection; it turns method calls into the manager's
 * requests (manager.h), answers them when the manager says they are done,
 * and turns what the manager tells its observer into signals. */
#pragma once

#include <systemd/sd-bus.h>

#include "access.h"
#include "manager.h"

typedef struct Bus Bus;

/* Serves m, which must outlive the Bus, and observes it. */
int bus_new(Manager *m, Bus **ret);
Bus *bus_free(Bus *b);
DEFINE_TRIVIAL_CLEANUP_FUNC(Bus *, bus_free);

/* Binds <runtime_dir>/bus (or takes the socket systemd passed). */
int bus_listen(Bus *b);
/* Connects to the system bus now, or as soon as its socket appears. */
void bus_connect_system(Bus *b);
/* Serves a client on the private socket: fd is its connected socket and
 * peer who it is (both taken over, also on failure). */
int bus_add_connection(Bus *b, int fd, Caller *peer);

/* The gate in front of the private socket, which the Varlink socket
 * shares (accept-gate.h: one budget for both). */
struct AcceptGate *bus_accept_gate(Bus *b);

/* The system bus connection while it is up, else NULL: polkit is asked
 * over it, for every transport. */
sd_bus *bus_system_bus(Bus *b);

/* The introspection XML, for the documentation test. */
extern const sd_bus_vtable bus_manager_vtable[];
