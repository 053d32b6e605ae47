/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The private socket: its listener and its connections, each driven by
 * the Bus itself and held to the limits of bus-internal.h. */
#include "bus-internal.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "dbus-api.h"
#include "fileio.h"
#include "listen.h"
#include "log.h"

void call_count_unref(CallCount *c) {
        if (c && --c->n_ref == 0)
                free(c);
}

Connection *connection_of(Bus *b, sd_bus *bus) {
        for (size_t i = 0; i < b->n_connections; i++)
                if (b->connections[i]->bus == bus)
                        return b->connections[i];
        return NULL;
}

void connection_free(Connection *c) {
        if (!c)
                return;
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->timer);
        if (c->io_fd >= 0)
                close(c->io_fd);
        /* Never flushed: sd_bus_flush() waits for a client that may
         * never read. */
        sd_bus_close_unref(c->bus);
        caller_clear(&c->peer);
        call_count_unref(c->calls);
        free(c);
}

void connection_drop(Bus *b, sd_bus *bus) {
        for (size_t i = 0; i < b->n_connections; i++)
                if (b->connections[i]->bus == bus) {
                        Connection *c = b->connections[i];
                        b->connections[i] = b->connections[--b->n_connections];
                        connection_free(c);
                        /* A descriptor is free again. */
                        accept_gate_resume(b->gate);
                        return;
                }
}

/* Over its limits: its replies are not read, or it waits for answers
 * enough already. Not read from until that changes. */
static bool connection_paused(Connection *c) {
        uint64_t n = 0;

        (void) sd_bus_get_n_queued_write(c->bus, &n);
        return n >= BUS_WQUEUE_SOFT || c->calls->n >= BUS_CALLS_MAX;
}

/* Before each poll: what to wait for on the socket (no POLLIN while
 * paused), and sd-bus's own deadline (authentication, say). */
static int connection_prepare(sd_event_source *s, void *userdata) {
        Connection *c = userdata;
        uint64_t until = 0, n = 0;
        int events, r;

        (void) sd_bus_get_n_queued_write(c->bus, &n);
        if (n >= BUS_WQUEUE_HARD) {
                log_warning("Disconnecting a client of uid %ld (pid %ld): it does not read its messages "
                            "(%" PRIu64 " waiting).", (long) c->peer.uid, (long) c->peer.pid, n);
                connection_drop(c->owner, c->bus);
                return 0;
        }
        events = sd_bus_get_events(c->bus);
        if (events < 0) {
                /* Closed: the next round sends Disconnected. */
                events = 0;
                until = 0;
                r = 1;
        } else {
                if (connection_paused(c))
                        events &= ~POLLIN;
                r = sd_bus_get_timeout(c->bus, &until);
        }
        (void) sd_event_source_set_io_events(c->io, (uint32_t) events);
        if (r > 0) {
                (void) sd_event_source_set_time(c->timer, until);
                (void) sd_event_source_set_enabled(c->timer, SD_EVENT_ONESHOT);
        } else
                (void) sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
        return 0;
}

static void connection_process(Connection *c) {
        Bus *b = c->owner;
        sd_bus *bus = c->bus;
        int r;

        /* May drop c (Disconnected): c is not touched after it. */
        r = sd_bus_process(bus, NULL);
        if (r < 0) {
                log_debug_errno(r, "A bus connection failed: %m");
                connection_drop(b, bus);
        }
}

static int connection_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        connection_process(userdata);
        return 0;
}

static int connection_time(sd_event_source *s, uint64_t usec, void *userdata) {
        connection_process(userdata);
        return 0;
}

size_t bus_connections_of_uid(void *userdata, uid_t uid) {
        Bus *b = userdata;
        size_t n = 0;

        if (uid == (uid_t) -1)
                return b->n_connections;
        for (size_t i = 0; i < b->n_connections; i++)
                n += b->connections[i]->peer.uid == uid;
        return n;
}

static int connection_attach(Bus *b, Connection *c) {
        int r;

        /* Watched through a descriptor of our own: sd-bus closes its own
         * when the connection ends, and a watched descriptor closed under
         * sd-event leaves a stale epoll entry behind (a forked parser may
         * hold the socket a moment longer). */
        c->io_fd = fcntl(sd_bus_get_fd(c->bus), F_DUPFD_CLOEXEC, 3);
        if (c->io_fd < 0)
                return -errno;
        r = sd_event_add_io(b->event, &c->io, c->io_fd, 0, connection_io, c);
        if (r >= 0)
                r = sd_event_source_set_prepare(c->io, connection_prepare);
        if (r >= 0)
                r = sd_event_add_time(b->event, &c->timer, CLOCK_MONOTONIC, 0, 0, connection_time, c);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->timer, SD_EVENT_OFF);
        return r;
}

int bus_add_connection(Bus *b, int fd_in, Caller *peer) {
        _cleanup_close_ int fd = fd_in;
        Connection *c, **a;
        sd_id128_t id;
        int r;

        assert(b);
        assert(fd_in >= 0);
        assert(peer);

        c = calloc(1, sizeof(Connection));
        if (!c || !(c->calls = calloc(1, sizeof(CallCount)))) {
                free(c);
                caller_clear(peer);
                return -ENOMEM;
        }
        c->owner = b;
        c->io_fd = -1;
        c->calls->n_ref = 1;
        c->peer = *peer;
        *peer = (Caller) {};

        r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_new(&c->bus);
        if (r >= 0)
                r = sd_bus_set_fd(c->bus, fd, fd);
        if (r >= 0) {
                TAKE_FD(fd);
                r = sd_bus_set_server(c->bus, 1, id);
        }
        if (r >= 0)
                r = sd_bus_set_anonymous(c->bus, false);
        if (r >= 0)
                r = sd_bus_add_object_vtable(c->bus, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE,
                                             bus_manager_vtable, b);
        if (r >= 0)
                r = sd_bus_add_object_vtable(c->bus, NULL, "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                             bus_fake_vtable, b);
        if (r >= 0)
                r = sd_bus_match_signal(c->bus, NULL, "org.freedesktop.DBus.Local", NULL,
                                        "org.freedesktop.DBus.Local", "Disconnected", bus_on_disconnected, b);
        if (r >= 0)
                r = sd_bus_start(c->bus);
        if (r >= 0)
                r = connection_attach(b, c);
        if (r >= 0) {
                a = realloc(b->connections, sizeof(Connection *) * (b->n_connections + 1));
                if (a) {
                        b->connections = a;
                        b->connections[b->n_connections++] = c;
                        return 0;
                }
                r = -ENOMEM;
        }
        connection_free(c);
        return r;
}

static int on_connection(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Bus *b = userdata;
        _cleanup_(caller_clear) Caller peer = {};
        int nfd, r;

        nfd = accept_gate_next(b->gate_member, fd, &peer);
        if (nfd < 0)
                return 0;
        r = bus_add_connection(b, nfd, &peer);
        if (r < 0)
                log_warning_errno(r, "Failed to set up a bus connection: %m");
        return 0;
}

int bus_listen(Bus *b) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        assert(b);
        assert(b->listen_fd < 0);

        /* systemd's (aalevel.socket), or bound here. */
        path = path_join(b->manager->config->runtime_dir, "bus");
        if (!path)
                return log_oom();
        fd = listen_unix(path, "bus socket");
        if (fd < 0)
                return fd;

        r = accept_gate_listen(b->gate_member, fd, on_connection, b);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the bus socket: %m");
        b->listen_fd = TAKE_FD(fd);
        return 0;
}
