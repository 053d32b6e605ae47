/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bus-flood: a hostile client of the daemon's private socket, for the
 * flood test (tests/vm/tests/34-bus-flood.sh). Bounded by its arguments:
 * it writes at most COUNT calls, holds at most COUNT connections, and
 * exits after HOLD seconds.
 *
 *   bus-flood unread SOCKET COUNT HOLD   one connection: COUNT ListProfiles
 *                                        calls, never a reply read
 *   bus-flood idle SOCKET COUNT HOLD     COUNT authenticated connections
 *                                        that send nothing
 *
 * Prints what it managed: "written N" (calls written whole within 10 s),
 * or "open N refused M" (connections the daemon closed at once). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_CONNECTIONS 5000

static size_t align(size_t n, size_t a) {
        return (n + a - 1) / a * a;
}

/* A header field of type 's' or 'o' at *n of buf. */
static void put_field(uint8_t *buf, size_t *n, uint8_t code, char type, const char *value) {
        uint32_t len = (uint32_t) strlen(value);

        *n = align(*n, 8);
        memset(buf + *n, 0, 8);
        buf[(*n)++] = code;
        buf[(*n)++] = 1;
        buf[(*n)++] = (uint8_t) type;
        buf[(*n)++] = 0;
        memcpy(buf + *n, &len, 4);
        *n += 4;
        memcpy(buf + *n, value, len + 1);
        *n += len + 1;
}

/* A method call without arguments, little-endian, as D-Bus frames it. */
static size_t method_call(uint8_t *buf, uint32_t serial, const char *path, const char *interface,
                          const char *member) {
        size_t n = 16;
        uint32_t zero = 0, fields;

        memset(buf, 0, 512);
        buf[0] = 'l';
        buf[1] = 1; /* METHOD_CALL */
        buf[2] = 0;
        buf[3] = 1;
        memcpy(buf + 4, &zero, 4);
        memcpy(buf + 8, &serial, 4);
        put_field(buf, &n, 1, 'o', path);
        put_field(buf, &n, 2, 's', interface);
        put_field(buf, &n, 3, 's', member);
        fields = (uint32_t) (n - 16);
        memcpy(buf + 12, &fields, 4);
        return align(n, 8);
}

static int connect_to(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        char auth[64], hex[32] = "", uid[16];
        int fd;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        if (connect(fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        snprintf(uid, sizeof uid, "%u", (unsigned) geteuid());
        for (size_t i = 0; uid[i]; i++)
                snprintf(hex + 2 * i, sizeof hex - 2 * i, "%02x", (unsigned char) uid[i]);
        snprintf(auth + 1, sizeof auth - 1, "AUTH EXTERNAL %s\r\nBEGIN\r\n", hex);
        auth[0] = '\0';
        if (write(fd, auth, 1 + strlen(auth + 1)) < 0) {
                close(fd);
                return -errno;
        }
        return fd;
}

static int flood_unread(const char *path, unsigned count) {
        struct timeval tv = { .tv_sec = 10 };
        uint8_t msg[512];
        unsigned written = 0;
        int fd = connect_to(path);

        if (fd < 0) {
                fprintf(stderr, "connect: %s\n", strerror(-fd));
                return -1;
        }
        /* A daemon that stops reading blocks the writes: give up then. */
        (void) setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        for (unsigned i = 0; i < count; i++) {
                /* BUS_FLOOD_INTROSPECT: a bigger reply where the daemon has
                 * no profiles to list (a test outside a VM). */
                size_t n = getenv("BUS_FLOOD_INTROSPECT")
                                   ? method_call(msg, i + 1, "/org/aalevel1", "org.freedesktop.DBus.Introspectable",
                                                 "Introspect")
                                   : method_call(msg, i + 1, "/org/aalevel1", "org.aalevel1.Manager", "ListProfiles");
                size_t done = 0;
                while (done < n) {
                        ssize_t k = write(fd, msg + done, n - done);
                        if (k <= 0)
                                goto out;
                        done += (size_t) k;
                }
                written++;
        }
out:
        printf("written %u\n", written);
        fflush(stdout);
        return fd;
}

static int flood_idle(const char *path, unsigned count, int *fds) {
        struct rlimit rl;
        unsigned open = 0, refused = 0;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
                rl.rlim_cur = rl.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &rl);
        }
        for (unsigned i = 0; i < count; i++) {
                fds[i] = connect_to(path);
                if (fds[i] < 0) {
                        fprintf(stderr, "connection %u: %s\n", i, strerror(-fds[i]));
                        refused++;
                }
        }
        /* A refused connection is closed by the daemon: EOF or a reset. */
        sleep(2);
        for (unsigned i = 0; i < count; i++) {
                struct pollfd p = { .fd = fds[i], .events = POLLIN };
                char c[256];
                if (fds[i] < 0)
                        continue;
                if (poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR) ||
                                            (p.revents & POLLIN && recv(fds[i], c, sizeof c, MSG_DONTWAIT) <= 0))) {
                        refused++;
                        close(fds[i]);
                        fds[i] = -1;
                } else
                        open++;
        }
        printf("open %u refused %u\n", open, refused);
        fflush(stdout);
        return 0;
}

int main(int argc, char *argv[]) {
        static int fds[MAX_CONNECTIONS];
        unsigned count, hold;

        if (argc != 5 || (strcmp(argv[1], "unread") != 0 && strcmp(argv[1], "idle") != 0)) {
                fprintf(stderr, "usage: bus-flood unread|idle SOCKET COUNT HOLD\n");
                return 2;
        }
        count = (unsigned) strtoul(argv[3], NULL, 10);
        hold = (unsigned) strtoul(argv[4], NULL, 10);
        if (count == 0 || count > MAX_CONNECTIONS * 10 || hold > 600) {
                fprintf(stderr, "COUNT must be 1..%u, HOLD at most 600\n", MAX_CONNECTIONS * 10);
                return 2;
        }
        if (strcmp(argv[1], "unread") == 0) {
                if (flood_unread(argv[2], count) < 0)
                        return 1;
        } else {
                if (count > MAX_CONNECTIONS)
                        count = MAX_CONNECTIONS;
                (void) flood_idle(argv[2], count, fds);
        }
        sleep(hold);
        return 0;
}
