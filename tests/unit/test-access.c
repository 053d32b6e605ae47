/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who the caller is (issue 14 #7): identity from what cannot be recycled.
 * A connecting process that is gone by the time it is looked at gives no
 * label and no start time; an unknown label counts as confined; polkit is
 * not asked about a process without a start time. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access.h"
#include "util.h"

typedef struct Done {
        int calls;
        int r;
        char *why;
} Done;

static void on_done(int r, const char *why, void *userdata) {
        Done *d = userdata;

        d->calls++;
        d->r = r;
        free(d->why);
        d->why = why ? strdup(why) : NULL;
}

/* A listening socket at a fresh path, its address in *ret_addr. */
static int listen_socket(struct sockaddr_un *ret_addr) {
        char dir[] = "/tmp/aalevel-test-access-XXXXXX";
        int fd;

        cr_assert_not_null(mkdtemp(dir));
        *ret_addr = (struct sockaddr_un) { .sun_family = AF_UNIX };
        snprintf(ret_addr->sun_path, sizeof ret_addr->sun_path, "%s/s", dir);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        cr_assert_geq(fd, 0);
        cr_assert_eq(bind(fd, (struct sockaddr *) ret_addr, sizeof *ret_addr), 0);
        cr_assert_eq(listen(fd, 4), 0);
        return fd;
}

static void remove_socket(struct sockaddr_un *addr) {
        cr_assert_eq(unlink(addr->sun_path), 0);
        *strrchr(addr->sun_path, '/') = '\0';
        cr_assert_eq(rmdir(addr->sun_path), 0);
}

/* A child connects; then exits (exit) or waits for a byte on hold. */
static pid_t connect_child(const struct sockaddr_un *addr, bool exit_at_once, int hold) {
        pid_t pid = fork();

        cr_assert_geq(pid, 0);
        if (pid == 0) {
                int fd = socket(AF_UNIX, SOCK_STREAM, 0);
                char c;

                if (fd < 0 || connect(fd, (const struct sockaddr *) addr, sizeof *addr) < 0)
                        _exit(1);
                if (!exit_at_once)
                        (void) !read(hold, &c, 1);
                _exit(0);
        }
        return pid;
}

static uint64_t start_time_of(pid_t pid) {
        char path[64], buf[4096], *p;
        unsigned long long v = 0;
        FILE *f;
        size_t n;

        snprintf(path, sizeof path, "/proc/%ld/stat", (long) pid);
        f = fopen(path, "re");
        cr_assert_not_null(f);
        n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        p = strrchr(buf, ')');
        cr_assert_not_null(p);
        p++;
        for (int field = 3; field < 22 && p; field++)
                p = strchr(p + 1, ' ');
        cr_assert_not_null(p);
        cr_assert_eq(sscanf(p, " %llu", &v), 1);
        return v;
}

/* The connecting process still runs: its label and start time are read. */
Test(access, caller_alive_is_read) {
        struct sockaddr_un addr;
        int lfd = listen_socket(&addr), hold[2], fd;
        Caller c = {};
        pid_t pid;

        cr_assert_eq(pipe(hold), 0);
        pid = connect_child(&addr, false, hold[0]);
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        cr_assert_geq(fd, 0);
        cr_assert_eq(caller_from_socket(fd, &c), 0);
        cr_assert_eq(c.pid, pid);
        cr_assert_eq(c.uid, getuid());
        cr_assert_eq(c.start_time, start_time_of(pid));
        cr_assert_not_null(c.label); /* its own, or "unconfined" with AppArmor off */
        cr_assert_null(c.sender);
        caller_clear(&c);
        cr_assert_eq(write(hold[1], "x", 1), 1);
        cr_assert_eq(waitpid(pid, NULL, 0), pid);
        close(fd);
        close(lfd);
        remove_socket(&addr);
}

/* The connecting process is gone (a zombie, so its PID and /proc entry
 * are still there to be misread; a recycled PID would be read the same
 * way): nothing read by its PID is kept. Fails before c101cc0: the label
 * and the start time were read by PID, so a later process holding the PID
 * was judged, and asked about to polkit, in the caller's place. */
Test(access, caller_gone_gives_nothing) {
        struct sockaddr_un addr;
        int lfd = listen_socket(&addr), fd;
        siginfo_t si = {};
        Caller c = {};
        pid_t pid;

        pid = connect_child(&addr, true, -1);
        /* Exited, not reaped. */
        cr_assert_eq(waitid(P_PID, (id_t) pid, &si, WEXITED | WNOWAIT), 0);
        cr_assert_eq(si.si_status, 0);
        cr_assert_gt(start_time_of(pid), 0);
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        cr_assert_geq(fd, 0);
        cr_assert_eq(caller_from_socket(fd, &c), 0);
        cr_assert_eq(c.pid, pid);
        cr_assert_null(c.label, "label '%s' read by the PID of a process that is gone", c.label);
        cr_assert_eq(c.start_time, 0);
        cr_assert(caller_is_confined(&c));
        caller_clear(&c);
        cr_assert_eq(waitpid(pid, NULL, 0), pid);
        close(fd);
        close(lfd);
        remove_socket(&addr);
}

/* An unknown label counts as confined: even root may not lower, and is
 * told why; raising stays open to root. */
Test(access, unknown_label_fails_closed) {
        Caller c = { .uid = 0, .pid = 1 };
        Done d = {};

        cr_assert(caller_is_confined(&c));
        cr_assert_not(access_may_lower(&c, (char *[]) { "aalevelctl", NULL }));
        cr_assert_eq(access_check_async(&c, NULL, ACCESS_LOWER, (char *[]) { "aalevelctl", NULL }, false, on_done, &d), 0);
        cr_assert_eq(d.calls, 1);
        cr_assert_eq(d.r, -EACCES);
        cr_assert_not_null(d.why);
        cr_assert(strstr(d.why, "could not be read"), "%s", d.why);
        cr_assert_eq(access_check_async(&c, NULL, ACCESS_RAISE, NULL, false, on_done, &d), 0);
        cr_assert_eq(d.calls, 2);
        cr_assert_eq(d.r, 0);
        free(d.why);
}

/* A bus whose other end is ours: polkit "asked" on it is a message queued
 * (the call stays pending until the bus closes). */
static sd_bus *pair_bus(int *ret_other) {
        sd_bus *bus = NULL;
        int sv[2];

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        cr_assert_geq(sd_bus_new(&bus), 0);
        cr_assert_geq(sd_bus_set_fd(bus, sv[0], sv[0]), 0);
        cr_assert_geq(sd_bus_start(bus), 0);
        *ret_other = sv[1];
        return bus;
}

/* polkit is never asked about a process without a start time (it would
 * check whichever process holds the PID): refused at once. Fails before
 * c101cc0: the question was sent with start-time 0. */
Test(access, polkit_not_asked_without_start_time) {
        Caller c = { .uid = 1000, .pid = getpid(), .label = (char *) "unconfined" };
        Done d = {};
        sd_bus *bus;
        int other;

        bus = pair_bus(&other);
        cr_assert_eq(access_check_async(&c, bus, ACCESS_RAISE, NULL, false, on_done, &d), 0);
        cr_assert_eq(d.calls, 1, "polkit was asked about pid %ld with start time 0", (long) c.pid);
        cr_assert_eq(d.r, -EACCES);

        /* With a start time it is asked (pending), then the bus goes. */
        c.start_time = start_time_of(getpid());
        free(d.why);
        d = (Done) {};
        cr_assert_eq(access_check_async(&c, bus, ACCESS_RAISE, NULL, false, on_done, &d), 0);
        cr_assert_eq(d.calls, 0);
        close(other);
        for (int i = 0; i < 100 && d.calls == 0; i++)
                if (sd_bus_process(bus, NULL) == 0)
                        (void) sd_bus_wait(bus, 100 * 1000);
        cr_assert_eq(d.calls, 1);
        cr_assert_eq(d.r, -EACCES);
        free(d.why);
        sd_bus_flush_close_unref(bus);
}
