/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The Bus's insides, shared by bus.c (the object, its methods, properties
 * and signals, the system bus) and bus-socket.c (the private socket: its
 * listener, its connections and their limits). Nothing else includes it. */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "accept-gate.h"
#include "bus.h"
#include "util.h"
#include "watch.h"

/* What one client of the private socket may hold of the daemon, after
 * dbus-broker's accounting: messages written for it that it has not read
 * yet, calls of its own still waiting for an answer (its uid's
 * connections, with the Varlink socket's: accept-gate.h). A client over
 * these limits is not read from until it has caught up; one whose unread
 * messages reach BUS_WQUEUE_HARD (signals go to every connection, read or
 * not) is disconnected. */
#define BUS_WQUEUE_SOFT 8
#define BUS_WQUEUE_HARD 256
#define BUS_CALLS_MAX 4

/* A client on the private socket, and who it is (read when it connected).
 * The Bus drives its sd_bus itself (not sd_bus_attach_event()), to stop
 * reading from it while it is over its limits. */
typedef struct Connection Connection;

struct Connection {
        Bus *owner;
        sd_bus *bus;
        Caller peer;
        struct CallCount *calls;        /* its calls answered later (authorization, jobs) */
        sd_event_source *io;
        sd_event_source *timer;
        int io_fd;                      /* a duplicate of the socket, for io */
};

struct Bus {
        Manager *manager;
        sd_event *event;

        /* The private socket's listener and its connections. */
        int listen_fd;
        AcceptGate *gate;               /* shared with the Varlink socket */
        AcceptGateMember *gate_member;
        Connection **connections;
        size_t n_connections;
        uint64_t n_hello;               /* unique names given out on it */

        /* The system bus when it is up; until then, waiting for it. */
        sd_bus *system_bus;
        Watch *system_bus_watch;
};

/* The calls of a connection answered later (after polkit, after their
 * job), against BUS_CALLS_MAX. Shared by the connection and each such
 * call: the connection may be gone, or the whole Bus freed, by the time
 * the call is answered. */
typedef struct CallCount {
        unsigned n_ref;
        unsigned n;
} CallCount;

void call_count_unref(CallCount *c);

/* The connection on the private socket that is bus, or NULL. */
Connection *connection_of(Bus *b, sd_bus *bus);
/* Closes it and forgets it; nothing if bus is none of them. */
void connection_drop(Bus *b, sd_bus *bus);
void connection_free(Connection *c);


/* How many connections of uid ((uid_t) -1: all) the private socket has:
 * what the accept gate counts. */
size_t bus_connections_of_uid(void *userdata, uid_t uid);

/* For the match on org.freedesktop.DBus.Local.Disconnected. */
int bus_on_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *error);

/* Hello and the matches, which busctl sends to any bus. */
extern const sd_bus_vtable bus_fake_vtable[];
