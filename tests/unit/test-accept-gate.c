/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The accept gate (accept-gate.h): one budget for both listening sockets.
 * Two members stand for the private D-Bus socket and the Varlink socket,
 * each with a listening socket of its own and the connections it accepted
 * (counted by the test, as the transports count theirs). A user holds at
 * most per_uid connections over both; the limit in all counts both; root
 * is not counted against either and has its reserve. Before issue 16 each
 * socket had a gate of its own: a user could hold twice as much. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "accept-gate.h"

#define NOBODY 65534

typedef struct Transport {
        const char *name;
        struct sockaddr_un addr;
        int listen_fd;
        AcceptGateMember *member;
        int fds[64];
        uid_t uids[64];
        size_t n;
} Transport;

static size_t count(void *userdata, uid_t uid) {
        Transport *t = userdata;
        size_t n = 0;

        if (uid == (uid_t) -1)
                return t->n;
        for (size_t i = 0; i < t->n; i++)
                n += t->uids[i] == uid;
        return n;
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        return 0;
}

static void transport_init(Transport *t, AcceptGate *g, const char *name) {
        char dir[] = "/tmp/aalevel-test-gate-XXXXXX";

        *t = (Transport) { .name = name };
        cr_assert_not_null(mkdtemp(dir));
        t->addr = (struct sockaddr_un) { .sun_family = AF_UNIX };
        snprintf(t->addr.sun_path, sizeof t->addr.sun_path, "%s/s", dir);
        t->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        cr_assert_geq(t->listen_fd, 0);
        cr_assert_eq(bind(t->listen_fd, (struct sockaddr *) &t->addr, sizeof t->addr), 0);
        cr_assert_eq(listen(t->listen_fd, 16), 0);
        /* Open to every user, as the daemon's sockets are. */
        cr_assert_eq(chmod(dir, 0755), 0);
        cr_assert_eq(chmod(t->addr.sun_path, 0666), 0);
        cr_assert_eq(accept_gate_join(g, name, count, t, &t->member), 0);
        cr_assert_eq(accept_gate_listen(t->member, t->listen_fd, on_io, t), 0);
}

static void transport_done(Transport *t) {
        for (size_t i = 0; i < t->n; i++)
                close(t->fds[i]);
        t->member = accept_gate_leave(t->member);
        close(t->listen_fd);
        unlink(t->addr.sun_path);
        *strrchr(t->addr.sun_path, '/') = '\0';
        rmdir(t->addr.sun_path);
}

/* A process of uid connects to t (and stays until the test ends: its
 * end of the socket is inherited by nobody else); then the gate is asked
 * for the next connection. Returns what accept_gate_next() returned; an
 * accepted connection is kept in t. */
static int connect_as(Transport *t, uid_t uid) {
        Caller peer = {};
        int status, nfd;
        pid_t pid;

        pid = fork();
        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int fd;

                if (uid != getuid() && setresuid(uid, uid, uid) < 0)
                        _exit(10);
                fd = socket(AF_UNIX, SOCK_STREAM, 0);
                if (fd < 0 || connect(fd, (struct sockaddr *) &t->addr, sizeof t->addr) < 0)
                        _exit(11);
                /* Connected (in the backlog): the gate reads its uid from
                 * the socket; its pidfd is of a process gone, which is
                 * fine here. */
                _exit(0);
        }
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the client failed (%d)", status);
        nfd = accept_gate_next(t->member, t->listen_fd, &peer);
        if (nfd >= 0) {
                cr_assert_eq(peer.uid, uid);
                cr_assert_lt(t->n, ELEMENTSOF(t->fds));
                t->fds[t->n] = nfd;
                t->uids[t->n++] = uid;
        }
        caller_clear(&peer);
        return nfd;
}

static void drop_one(Transport *t, AcceptGate *g) {
        cr_assert_gt(t->n, 0);
        close(t->fds[--t->n]);
        accept_gate_resume(g);
}

/* Run as root (the unit tests are, in the build); a user for the clients. */
static void need_root(void) {
        if (geteuid() != 0)
                cr_skip_test("needs root to connect as other users");
}

/* per_uid over both sockets: 2 on the bus socket and 1 on the Varlink
 * socket make 3, the most; a fourth is refused on either; another user
 * and root still get in; one closing lets the user in again. */
Test(accept_gate, per_user_limit_counts_both_sockets) {
        _cleanup_(accept_gate_unrefp) AcceptGate *g = NULL;
        sd_event *e = NULL;
        Transport bus, varlink;

        need_root();
        cr_assert_geq(sd_event_default(&e), 0);
        cr_assert_eq(accept_gate_new(e, 100, 4, 3, &g), 0);
        transport_init(&bus, g, "bus socket");
        transport_init(&varlink, g, "Varlink socket");

        cr_assert_geq(connect_as(&bus, NOBODY), 0);
        cr_assert_geq(connect_as(&bus, NOBODY), 0);
        cr_assert_geq(connect_as(&varlink, NOBODY), 0);
        cr_assert_eq(accept_gate_connections_of(g, NOBODY), 3);
        cr_assert_lt(connect_as(&varlink, NOBODY), 0, "a fourth connection of one user (on the other socket)");
        cr_assert_lt(connect_as(&bus, NOBODY), 0, "a fourth connection of one user");
        cr_assert_eq(accept_gate_connections(g), 3);
        cr_assert_geq(connect_as(&varlink, NOBODY - 1), 0, "another user was refused");
        cr_assert_geq(connect_as(&bus, 0), 0, "root was refused");
        drop_one(&bus, g); /* root's */
        drop_one(&bus, g); /* one of nobody's */
        cr_assert_geq(connect_as(&varlink, NOBODY), 0, "the user is not let in again after a connection closed");

        transport_done(&bus);
        transport_done(&varlink);
        sd_event_unref(e);
}

/* The limit in all counts both sockets; root gets its reserve beyond it,
 * then accepting pauses on both (nothing accepted, the client waits in
 * the backlog) until a connection closes. */
Test(accept_gate, total_limit_counts_both_sockets) {
        _cleanup_(accept_gate_unrefp) AcceptGate *g = NULL;
        sd_event *e = NULL;
        Transport bus, varlink;
        Caller peer = {};
        int waiting;

        need_root();
        cr_assert_geq(sd_event_default(&e), 0);
        cr_assert_eq(accept_gate_new(e, 4, 2, 10, &g), 0);
        transport_init(&bus, g, "bus socket");
        transport_init(&varlink, g, "Varlink socket");

        cr_assert_geq(connect_as(&bus, NOBODY), 0);
        cr_assert_geq(connect_as(&bus, NOBODY - 1), 0);
        cr_assert_geq(connect_as(&varlink, NOBODY), 0);
        cr_assert_geq(connect_as(&varlink, NOBODY - 2), 0);
        cr_assert_eq(accept_gate_connections(g), 4);
        cr_assert_lt(connect_as(&varlink, NOBODY - 3), 0, "a fifth user's connection, beyond the limit in all");
        cr_assert_lt(connect_as(&bus, NOBODY - 3), 0, "a fifth user's connection, beyond the limit in all");
        /* Root's reserve, on either socket. */
        cr_assert_geq(connect_as(&bus, 0), 0, "root was refused within its reserve");
        cr_assert_geq(connect_as(&varlink, 0), 0, "root was refused within its reserve");
        cr_assert_eq(accept_gate_connections(g), 6);
        /* Full even for root: paused; the client waits. */
        cr_assert_lt(connect_as(&bus, 0), 0);
        cr_assert_eq(accept_gate_connections(g), 6);
        drop_one(&varlink, g);
        waiting = accept_gate_next(bus.member, bus.listen_fd, &peer);
        cr_assert_geq(waiting, 0, "root's waiting connection was not accepted once one closed");
        cr_assert_eq(peer.uid, 0);
        caller_clear(&peer);
        close(waiting);

        transport_done(&bus);
        transport_done(&varlink);
        sd_event_unref(e);
}
