/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Varlink face of the manager (libsystemd 257 or later): interface
 * org.aalevel.Manager (doc/varlink-api.md) on the socket
 * <runtime_dir>/org.aalevel.Manager, beside the D-Bus face (bus.h) and
 * built like it: the Varlink object owns the listening socket and every
 * connection, reads who connected from the kernel when they connect
 * (access.h), holds them to the same limits, turns method calls into the
 * same requests (request.h) and answers them when the manager says they
 * are done; progress goes to the calls that asked for more. Only the
 * marshalling is its own. */
#pragma once

#include "bus.h"
#include "manager.h"

typedef struct Varlink Varlink;

#if HAVE_VARLINK
#include <systemd/sd-varlink.h>

/* Serves m (which must outlive it) and observes it; polkit is asked over
 * bus's system bus connection (bus may be NULL: then only root changes). */
int varlink_new(Manager *m, Bus *bus, Varlink **ret);
Varlink *varlink_free(Varlink *v);
DEFINE_TRIVIAL_CLEANUP_FUNC(Varlink *, varlink_free);

/* Binds <runtime_dir>/org.aalevel.Manager, or takes systemd's socket on
 * that path. */
int varlink_listen(Varlink *v);
/* Serves a client: fd is its connected socket, peer who it is (both
 * taken over, also on failure). For the fuzz target and tests. */
int varlink_add_connection(Varlink *v, int fd, Caller *peer);
#endif
