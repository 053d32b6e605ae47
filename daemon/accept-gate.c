/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The gate in front of a listening socket (accept-gate.h). */
#include "accept-gate.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"

int accept_gate_listen(AcceptGate *g, int fd, sd_event_io_handler_t handler, void *userdata) {
        return sd_event_add_io(g->event, &g->listen_source, fd, EPOLLIN, handler, userdata);
}

void accept_gate_resume(AcceptGate *g, size_t n_connections) {
        if (!g->listen_source || n_connections >= g->max_connections + g->root_reserve)
                return;
        g->accept_timer = sd_event_source_disable_unref(g->accept_timer);
        (void) sd_event_source_set_enabled(g->listen_source, SD_EVENT_ON);
}

static int on_accept_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        AcceptGate *g = userdata;

        g->accept_timer = sd_event_source_disable_unref(g->accept_timer);
        (void) sd_event_source_set_enabled(g->listen_source, SD_EVENT_ON);
        return 0;
}

static void accept_pause(AcceptGate *g, size_t n_connections, int error) {
        int r;

        if (error != 0)
                log_warning_errno(error, "Cannot accept connections on the %s (%m); pausing for a second (%zu "
                                  "connections).", g->what, n_connections);
        else
                log_warning("%zu connections to the %s, the most allowed even for root; accepting again when "
                            "one closes.", n_connections, g->what);
        (void) sd_event_source_set_enabled(g->listen_source, SD_EVENT_OFF);
        if (g->accept_timer)
                return;
        r = sd_event_add_time_relative(g->event, &g->accept_timer, CLOCK_MONOTONIC, USEC_PER_SEC, 0,
                                       on_accept_timer, g);
        if (r < 0)
                log_warning_errno(r, "Failed to arm the timer to accept again: %m");
}

/* Refuses a connection it accepted: closed at once (the client sees the
 * connection reset), and said in the log, once a second at most. */
static void refuse(AcceptGate *g, int fd, const Caller *peer, const char *why) {
        usec_t now = now_usec(CLOCK_MONOTONIC);

        close(fd);
        g->n_refused++;
        if (g->last_refusal != 0 && now - g->last_refusal < USEC_PER_SEC)
                return;
        log_warning("Refused a connection to the %s from uid %ld (pid %ld): %s (%u refused in the last "
                    "second).", g->what, (long) peer->uid, (long) peer->pid, why, g->n_refused);
        g->last_refusal = now;
        g->n_refused = 0;
}

int accept_gate_next(AcceptGate *g, int listen_fd, size_t n_connections, AcceptGateCountFn count,
                     void *userdata, Caller *ret_peer) {
        _cleanup_(caller_clear) Caller peer = {};
        int nfd, r;

        if (n_connections >= g->max_connections + g->root_reserve) {
                accept_pause(g, n_connections, 0);
                return -EAGAIN;
        }
        nfd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (nfd < 0) {
                r = -errno;
                if (r == -EMFILE || r == -ENFILE || r == -ENOBUFS || r == -ENOMEM)
                        accept_pause(g, n_connections, r);
                else if (r != -EAGAIN && r != -EINTR && r != -ECONNABORTED)
                        log_warning_errno(r, "Failed to accept a connection on the %s: %m", g->what);
                return -EAGAIN;
        }
        /* Who connected, now, while it is surely the process that did. */
        r = caller_from_socket(nfd, &peer);
        if (r < 0) {
                close(nfd);
                log_warning_errno(r, "Cannot tell who connected to the %s (%m); dropping the connection.",
                                  g->what);
                return -EAGAIN;
        }
        /* Root is not counted: its tools must get through. */
        if (peer.uid != 0 && count(userdata, peer.uid) >= g->per_uid) {
                refuse(g, nfd, &peer, "that user has the most connections allowed open already");
                return -EAGAIN;
        }
        if (peer.uid != 0 && n_connections >= g->max_connections) {
                refuse(g, nfd, &peer, "the most connections allowed are open");
                return -EAGAIN;
        }
        *ret_peer = peer;
        peer = (Caller) {};
        return nfd;
}

void accept_gate_done(AcceptGate *g) {
        g->listen_source = sd_event_source_disable_unref(g->listen_source);
        g->accept_timer = sd_event_source_disable_unref(g->accept_timer);
}
