/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gate in front of the listening sockets (accept-gate.h). */
#include "accept-gate.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

struct AcceptGateMember {
        AcceptGate *gate;
        const char *what;               /* "bus socket": for the log */
        AcceptGateCountFn count;
        void *userdata;
        sd_event_source *listen_source;
};

struct AcceptGate {
        unsigned n_ref;
        sd_event *event;
        size_t max_connections;         /* root_reserve not counted */
        size_t root_reserve;
        unsigned per_uid;               /* connections of one user (root not counted) */
        AcceptGateMember **members;
        size_t n_members;
        sd_event_source *accept_timer;  /* accepting paused */
        usec_t last_refusal;            /* CLOCK_MONOTONIC: refusals are logged once a second */
        unsigned n_refused;             /* since that line */
};

size_t accept_gate_max_connections(void) {
        struct rlimit rl;

        if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
                return 1024;
        if (rl.rlim_cur < 2 * (ACCEPT_GATE_FDS_RESERVED + ACCEPT_GATE_ROOT_RESERVE))
                return rl.rlim_cur / 8;
        return MIN((rl.rlim_cur - ACCEPT_GATE_FDS_RESERVED) / ACCEPT_GATE_FDS_PER_CONNECTION -
                           ACCEPT_GATE_ROOT_RESERVE,
                   (rlim_t) 16384);
}

int accept_gate_new(sd_event *event, size_t max_connections, size_t root_reserve, unsigned per_uid,
                    AcceptGate **ret) {
        AcceptGate *g;

        assert(event);
        assert(ret);

        g = calloc(1, sizeof(AcceptGate));
        if (!g)
                return -ENOMEM;
        *g = (AcceptGate) { .n_ref = 1, .event = sd_event_ref(event), .max_connections = max_connections,
                            .root_reserve = root_reserve, .per_uid = per_uid };
        *ret = g;
        return 0;
}

AcceptGate *accept_gate_ref(AcceptGate *g) {
        if (g)
                g->n_ref++;
        return g;
}

AcceptGate *accept_gate_unref(AcceptGate *g) {
        if (!g || --g->n_ref > 0)
                return NULL;
        /* Every member holds a reference: none is left. */
        assert(g->n_members == 0);
        free(g->members);
        sd_event_source_disable_unref(g->accept_timer);
        sd_event_unref(g->event);
        free(g);
        return NULL;
}

int accept_gate_join(AcceptGate *g, const char *what, AcceptGateCountFn count, void *userdata,
                     AcceptGateMember **ret) {
        AcceptGateMember *m, **a;

        assert(g);
        assert(count);
        assert(ret);

        m = calloc(1, sizeof(AcceptGateMember));
        a = realloc(g->members, sizeof(AcceptGateMember *) * (g->n_members + 1));
        if (a)
                g->members = a;
        if (!m || !a) {
                free(m);
                return -ENOMEM;
        }
        *m = (AcceptGateMember) { .gate = accept_gate_ref(g), .what = what, .count = count, .userdata = userdata };
        g->members[g->n_members++] = m;
        *ret = m;
        return 0;
}

AcceptGateMember *accept_gate_leave(AcceptGateMember *m) {
        AcceptGate *g;

        if (!m)
                return NULL;
        g = m->gate;
        for (size_t i = 0; i < g->n_members; i++)
                if (g->members[i] == m) {
                        g->members[i] = g->members[--g->n_members];
                        break;
                }
        sd_event_source_disable_unref(m->listen_source);
        free(m);
        /* Its connections are gone with it: the others may go on. */
        accept_gate_resume(g);
        accept_gate_unref(g);
        return NULL;
}

int accept_gate_listen(AcceptGateMember *m, int fd, sd_event_io_handler_t handler, void *userdata) {
        assert(m);
        assert(!m->listen_source);
        return sd_event_add_io(m->gate->event, &m->listen_source, fd, EPOLLIN, handler, userdata);
}

size_t accept_gate_connections(AcceptGate *g) {
        return accept_gate_connections_of(g, (uid_t) -1);
}

size_t accept_gate_connections_of(AcceptGate *g, uid_t uid) {
        size_t n = 0;

        for (size_t i = 0; i < g->n_members; i++)
                n += g->members[i]->count(g->members[i]->userdata, uid);
        return n;
}

static void set_accepting(AcceptGate *g, bool on) {
        for (size_t i = 0; i < g->n_members; i++)
                if (g->members[i]->listen_source)
                        (void) sd_event_source_set_enabled(g->members[i]->listen_source,
                                                           on ? SD_EVENT_ON : SD_EVENT_OFF);
}

void accept_gate_resume(AcceptGate *g) {
        if (!g->accept_timer || accept_gate_connections(g) >= g->max_connections + g->root_reserve)
                return;
        g->accept_timer = sd_event_source_disable_unref(g->accept_timer);
        set_accepting(g, true);
}

static int on_accept_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        AcceptGate *g = userdata;

        g->accept_timer = sd_event_source_disable_unref(g->accept_timer);
        set_accepting(g, true);
        return 0;
}

/* No socket is read until a connection closes or a second has passed:
 * out of descriptors (error), or all the connections allowed are open. */
static void accept_pause(AcceptGateMember *m, size_t n_connections, int error) {
        AcceptGate *g = m->gate;
        int r;

        if (error != 0)
                log_warning_errno(error, "Cannot accept connections on the %s (%m); pausing for a second (%zu "
                                  "connections).", m->what, n_connections);
        else
                log_warning("%zu connections to the daemon's sockets, the most allowed even for root; accepting "
                            "again when one closes.", n_connections);
        set_accepting(g, false);
        if (g->accept_timer)
                return;
        r = sd_event_add_time_relative(g->event, &g->accept_timer, CLOCK_MONOTONIC, USEC_PER_SEC, 0,
                                       on_accept_timer, g);
        if (r < 0) {
                log_warning_errno(r, "Failed to arm the timer to accept again: %m");
                /* Never stay deaf: accept again (and pause again) now. */
                set_accepting(g, true);
        }
}

/* Refuses a connection it accepted: closed at once (the client sees the
 * connection reset), and said in the log, once a second at most. */
static void refuse(AcceptGateMember *m, int fd, const Caller *peer, const char *why) {
        AcceptGate *g = m->gate;
        usec_t now = now_usec(CLOCK_MONOTONIC);

        close(fd);
        g->n_refused++;
        if (g->last_refusal != 0 && now - g->last_refusal < USEC_PER_SEC)
                return;
        log_warning("Refused a connection to the %s from uid %ld (pid %ld): %s (%u refused in the last "
                    "second).", m->what, (long) peer->uid, (long) peer->pid, why, g->n_refused);
        g->last_refusal = now;
        g->n_refused = 0;
}

int accept_gate_next(AcceptGateMember *m, int listen_fd, Caller *ret_peer) {
        _cleanup_(caller_clear) Caller peer = {};
        AcceptGate *g = m->gate;
        size_t n = accept_gate_connections(g);
        int nfd, r;

        if (n >= g->max_connections + g->root_reserve) {
                accept_pause(m, n, 0);
                return -EAGAIN;
        }
        nfd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (nfd < 0) {
                r = -errno;
                if (r == -EMFILE || r == -ENFILE || r == -ENOBUFS || r == -ENOMEM)
                        accept_pause(m, n, r);
                else if (r != -EAGAIN && r != -EINTR && r != -ECONNABORTED)
                        log_warning_errno(r, "Failed to accept a connection on the %s: %m", m->what);
                return -EAGAIN;
        }
        /* Who connected, now, while it is surely the process that did. */
        r = caller_from_socket(nfd, &peer);
        if (r < 0) {
                close(nfd);
                log_warning_errno(r, "Cannot tell who connected to the %s (%m); dropping the connection.",
                                  m->what);
                return -EAGAIN;
        }
        /* Root is not counted: its tools must get through. */
        if (peer.uid != 0 && accept_gate_connections_of(g, peer.uid) >= g->per_uid) {
                refuse(m, nfd, &peer, "that user has the most connections allowed open already");
                return -EAGAIN;
        }
        if (peer.uid != 0 && n >= g->max_connections) {
                refuse(m, nfd, &peer, "the most connections allowed are open");
                return -EAGAIN;
        }
        *ret_peer = peer;
        peer = (Caller) {};
        return nfd;
}
