/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Who the caller is (issue 14 #7): identity from what cannot be recycled.
 * A connecting process that is gone by the time it is looked at gives no
 * label and no start time; an unknown label counts as confined; polkit is
 * not asked about a process without a start time. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
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

/* ---- the system bus (issue 14 #7) ----
 *
 * A bus daemon of the test's own, in a child on a socketpair: it answers
 * Hello, sends the daemon's end one method call from ":1.42", and answers
 * GetConnectionCredentials for it as the scenario says (what dbus-daemon
 * and dbus-broker send: UnixUserID, ProcessID, and the label the sender
 * had when it connected as LinuxSecurityLabel, with its NUL). The
 * daemon's end is the real sd-bus, as the daemon uses it; the caller is
 * built by caller_from_bus_message() and judged by access_check_async(). */
typedef struct BusCreds {
        bool error;             /* the name has no owner (the sender is gone) */
        bool no_uid;
        pid_t pid;
        const char *label;      /* NULL: none given */
} BusCreds;

static void fake_bus_daemon(int fd, const BusCreds *bc) {
        sd_bus *bus = NULL;
        sd_id128_t id;

        if (sd_id128_randomize(&id) < 0 || sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 ||
            sd_bus_set_server(bus, 1, id) < 0 || sd_bus_start(bus) < 0)
                _exit(2);
        for (;;) {
                sd_bus_message *m = NULL;
                int r = sd_bus_process(bus, &m);

                if (r < 0)
                        _exit(0); /* the other end closed */
                if (r == 0) {
                        if (sd_bus_wait(bus, UINT64_MAX) < 0)
                                _exit(0);
                        continue;
                }
                if (!m)
                        continue;
                if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus", "Hello")) {
                        sd_bus_message *call = NULL;

                        if (sd_bus_reply_method_return(m, "s", ":1.1") < 0 ||
                            sd_bus_message_new_method_call(bus, &call, ":1.1", "/org/aalevel1", "org.aalevel1.Manager",
                                                           "SetLevel") < 0 ||
                            sd_bus_message_set_sender(call, ":1.42") < 0 ||
                            sd_bus_message_append(call, "sut", "default", 0, (uint64_t) 0) < 0 ||
                            sd_bus_send(bus, call, NULL) < 0)
                                _exit(3);
                        sd_bus_message_unref(call);
                } else if (sd_bus_message_is_method_call(m, "org.freedesktop.DBus", "GetConnectionCredentials")) {
                        sd_bus_message *reply = NULL;
                        const char *name = NULL;

                        if (sd_bus_message_read(m, "s", &name) < 0)
                                _exit(4);
                        if (bc->error || strcmp(name, ":1.42") != 0) {
                                if (sd_bus_reply_method_errorf(m, "org.freedesktop.DBus.Error.NameHasNoOwner",
                                                               "Could not get owner of name '%s'", name) < 0)
                                        _exit(5);
                        } else if (sd_bus_message_new_method_return(m, &reply) < 0 ||
                                   sd_bus_message_open_container(reply, 'a', "{sv}") < 0 ||
                                   (!bc->no_uid && sd_bus_message_append(reply, "{sv}", "UnixUserID", "u", 0u) < 0) ||
                                   sd_bus_message_append(reply, "{sv}", "ProcessID", "u", (uint32_t) bc->pid) < 0 ||
                                   (bc->label &&
                                    (sd_bus_message_open_container(reply, 'e', "sv") < 0 ||
                                     sd_bus_message_append(reply, "s", "LinuxSecurityLabel") < 0 ||
                                     sd_bus_message_open_container(reply, 'v', "ay") < 0 ||
                                     sd_bus_message_append_array(reply, 'y', bc->label, strlen(bc->label) + 1) < 0 ||
                                     sd_bus_message_close_container(reply) < 0 ||
                                     sd_bus_message_close_container(reply) < 0)) ||
                                   sd_bus_message_close_container(reply) < 0 || sd_bus_send(bus, reply, NULL) < 0)
                                _exit(6);
                        sd_bus_message_unref(reply);
                } else if (sd_bus_message_is_method_call(m, NULL, NULL))
                        (void) sd_bus_reply_method_errorf(m, "org.freedesktop.DBus.Error.UnknownMethod", "no");
                sd_bus_message_unref(m);
        }
}

/* libapparmor's aa_is_enabled() as the test says (this program is
 * linked with --wrap=aa_is_enabled, tests/local.mk): 1, or 0 with
 * aa_errno; the machine's own answer when aa_fake is false. */
static bool aa_fake;
static int aa_result, aa_errno;

int __real_aa_is_enabled(void);
int __wrap_aa_is_enabled(void);
int __wrap_aa_is_enabled(void) {
        if (!aa_fake)
                return __real_aa_is_enabled();
        errno = aa_errno;
        return aa_result;
}

/* ... and aa_gettaskcon(), the label of a process by its PID: while
 * faking, every process reads as unconfined, and the readings are
 * counted (the system bus path must make none). */
static unsigned taskcon_reads;

int __real_aa_gettaskcon(pid_t target, char **label, char **mode);
int __wrap_aa_gettaskcon(pid_t target, char **label, char **mode);
int __wrap_aa_gettaskcon(pid_t target, char **label, char **mode) {
        if (!aa_fake)
                return __real_aa_gettaskcon(target, label, mode);
        taskcon_reads++;
        *label = strdup("unconfined");
        if (mode)
                *mode = NULL;
        return *label ? (int) strlen(*label) : -1;
}

static void apparmor_on(void) {
        aa_fake = true;
        aa_result = 1;
}

/* The caller of the one call the fake bus daemon sends, as the daemon
 * builds it on the system bus: 0 and *ret filled, or what
 * caller_from_bus_message() failed with. */
static int caller_on_system_bus(const BusCreds *bc, Caller *ret) {
        sd_bus_message *call = NULL;
        sd_bus *bus = NULL;
        int sv[2], r = -EIO, status;
        pid_t child;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
                close(sv[0]);
                fake_bus_daemon(sv[1], bc);
        }
        close(sv[1]);
        cr_assert_geq(sd_bus_new(&bus), 0);
        cr_assert_geq(sd_bus_set_fd(bus, sv[0], sv[0]), 0);
        cr_assert_geq(sd_bus_set_bus_client(bus, 1), 0);
        cr_assert_geq(sd_bus_start(bus), 0);
        /* Until the call arrives (a number of rounds, not a time). */
        for (int i = 0; i < 1000 && !call; i++) {
                sd_bus_message *m = NULL;
                int p = sd_bus_process(bus, &m);

                cr_assert_geq(p, 0, "sd_bus_process: %s", strerror(-p));
                if (m && sd_bus_message_is_method_call(m, "org.aalevel1.Manager", "SetLevel"))
                        call = m;
                else
                        sd_bus_message_unref(m);
                if (p == 0)
                        (void) sd_bus_wait(bus, 100 * 1000);
        }
        cr_assert_not_null(call, "the fake bus daemon's call did not arrive");
        cr_assert_str_eq(sd_bus_message_get_sender(call), ":1.42");
        r = caller_from_bus_message(call, ret);
        sd_bus_message_unref(call);
        sd_bus_flush_close_unref(bus);
        cr_assert_eq(waitpid(child, &status, 0), child);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the fake bus daemon failed (%d)", status);
        return r;
}

/* What the bus daemon says is the caller: uid, PID and the label it took
 * at connect time, the unique name for polkit; nothing read by the PID
 * (here our own, unconfined or, AppArmor off, unreadable: it must not be
 * used either way), no start time. */
Test(access, system_bus_identity_from_the_bus) {
        BusCreds bc = { .pid = getpid(), .label = "t-allowed (enforce)" };
        Caller c = {};
        Done d = {};

        apparmor_on();
        cr_assert_eq(caller_on_system_bus(&bc, &c), 0);
        cr_assert_eq(c.uid, 0);
        cr_assert_eq(c.pid, getpid());
        cr_assert_str_eq(c.label, "t-allowed");
        cr_assert_str_eq(c.sender, ":1.42");
        cr_assert_eq(c.start_time, 0, "a start time read by the PID");
        /* Control: its label is allowed to lower, so root may. */
        cr_assert_eq(access_check_async(&c, NULL, ACCESS_LOWER, (char *[]) { "t-allowed", NULL }, false, on_done, &d), 0);
        cr_assert_eq(d.calls, 1);
        cr_assert_eq(d.r, 0, "%s", strna(d.why));
        caller_clear(&c);
        free(d.why);
}

/* No label from the bus daemon (it had none to give, or the sender's was
 * not taken at connect time): unknown, confined, whatever its PID would
 * say now (here every PID reads as unconfined: fails when the label is
 * read by the PID, as before c101cc0); lowering and confirming are
 * refused even to root, with the reason. Fails closed also when AppArmor may be on but cannot be asked
 * (access_apparmor_off() is false then). */
Test(access, system_bus_without_label_fails_closed) {
        BusCreds bc = { .pid = getpid() };
        Caller c = {};
        Done d = {};

        apparmor_on();
        cr_assert_eq(caller_on_system_bus(&bc, &c), 0);
        cr_assert_eq(c.uid, 0);
        cr_assert_eq(taskcon_reads, 0, "the label was read by the PID");
        cr_assert_null(c.label, "label '%s' not from the bus daemon", c.label);
        cr_assert(caller_is_confined(&c));
        cr_assert_eq(access_check_async(&c, NULL, ACCESS_LOWER, (char *[]) { "t-allowed", NULL }, false, on_done, &d), 0);
        cr_assert_eq(d.calls, 1);
        cr_assert_eq(d.r, -EACCES);
        cr_assert_not_null(d.why);
        cr_assert(strstr(d.why, "could not be read"), "%s", d.why);
        caller_clear(&c);
        free(d.why);
}

/* The bus daemon cannot say who it is (the sender gone: no owner; or no
 * uid in its answer): no caller, the daemon refuses (bus.c: caller_of()). */
Test(access, system_bus_unknown_sender_refused) {
        BusCreds gone = { .error = true, .pid = getpid(), .label = "unconfined" };
        BusCreds no_uid = { .no_uid = true, .pid = getpid(), .label = "unconfined" };
        Caller c = {};

        apparmor_on();
        cr_assert_lt(caller_on_system_bus(&gone, &c), 0, "a caller without an owner was built");
        cr_assert_null(c.label);
        cr_assert_lt(caller_on_system_bus(&no_uid, &c), 0, "a caller without a uid was built (uid %ld)", (long) c.uid);
        cr_assert_null(c.label);
}

/* AppArmor counts as off, and a caller without a label as unconfined,
 * only when the kernel has none (ENOSYS) or it was disabled at boot
 * (ECANCELED); not when its answer cannot be had here (securityfs not
 * mounted: ENOENT; not readable: EPERM), where a confined caller would
 * pass for unconfined. Fails before: any failure of aa_is_enabled()
 * counted as off (access.c: apparmor_off()). */
Test(access, apparmor_off_only_when_really_off) {
        static const struct { int e; bool off; } cases[] = {
                { ENOSYS, true }, { ECANCELED, true }, { ENOENT, false }, { EPERM, false }, { EACCES, false },
        };
        BusCreds bc = { .pid = getpid() };

        aa_fake = true;
        aa_result = 0;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Caller c = {};

                aa_errno = cases[i].e;
                cr_assert_eq(caller_on_system_bus(&bc, &c), 0);
                if (cases[i].off)
                        cr_assert_str_eq(strna(c.label), "unconfined", "%s", strerror(cases[i].e));
                else
                        cr_assert_null(c.label, "aa_is_enabled() failing with %s made the caller '%s'",
                                       strerror(cases[i].e), c.label);
                caller_clear(&c);
        }
}

/* ---- polkit's subject for a peer-to-peer caller (issue 16) ----
 *
 * A polkit of the test's own, in a child on a socketpair, answering
 * CheckAuthorization as polkit's polkit_subject_new_for_gvariant_invocation()
 * parses a unix-process subject: polkit 124 and later take "pidfd" (with
 * "uid") when the message carries descriptors, older ones know only "pid"
 * with "start-time" and fail without them. It authorizes the process the
 * test names, writes on report which way it told the process ("pidfd" or
 * "start-time"), and answers an error when it cannot parse the subject. */
typedef enum FakePolkit {
        POLKIT_OLD,     /* 122, 123: bookworm */
        POLKIT_NEW,     /* 124 and later: trixie (126), sid */
} FakePolkit;

static pid_t pid_of_pidfd(int pidfd) {
        char path[64], line[256];
        long pid = 0;
        FILE *f;

        snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
        f = fopen(path, "re");
        if (!f)
                return 0;
        while (fgets(line, sizeof line, f))
                if (sscanf(line, "Pid: %ld", &pid) == 1)
                        break;
        fclose(f);
        return (pid_t) pid;
}

static void fake_polkit(int fd, FakePolkit kind, pid_t pid, uint64_t start_time, int report) {
        sd_bus *bus = NULL;
        sd_id128_t id;

        signal(SIGPIPE, SIG_IGN);
        if (sd_id128_randomize(&id) < 0 || sd_bus_new(&bus) < 0 || sd_bus_set_fd(bus, fd, fd) < 0 ||
            sd_bus_set_server(bus, 1, id) < 0 || sd_bus_negotiate_fds(bus, 1) < 0 || sd_bus_start(bus) < 0)
                _exit(2);
        for (;;) {
                sd_bus_message *m = NULL;
                const char *kind_s = NULL, *key, *contents, *how = NULL;
                bool has_pidfd = false, has_pid = false, has_start = false, has_uid = false, ok = false;
                uint32_t s_pid = 0;
                uint64_t s_start = 0;
                int32_t s_uid = -1;
                int s_pidfd = -1, r;
                char type;

                r = sd_bus_process(bus, &m);
                if (r < 0)
                        _exit(0);
                if (r == 0) {
                        if (sd_bus_wait(bus, UINT64_MAX) < 0)
                                _exit(0);
                        continue;
                }
                if (!m)
                        continue;
                if (!sd_bus_message_is_method_call(m, "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization")) {
                        sd_bus_message_unref(m);
                        continue;
                }
                if (sd_bus_message_enter_container(m, 'r', "sa{sv}") < 0 || sd_bus_message_read(m, "s", &kind_s) < 0 ||
                    strcmp(kind_s, "unix-process") != 0 || sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
                        _exit(3);
                while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                        if (sd_bus_message_read(m, "s", &key) < 0 ||
                            sd_bus_message_peek_type(m, &type, &contents) < 0 || type != 'v')
                                _exit(4);
                        if (streq(key, "pidfd") && streq(contents, "h"))
                                has_pidfd = sd_bus_message_read(m, "v", "h", &s_pidfd) >= 0;
                        else if (streq(key, "pid") && streq(contents, "u"))
                                has_pid = sd_bus_message_read(m, "v", "u", &s_pid) >= 0;
                        else if (streq(key, "start-time") && streq(contents, "t"))
                                has_start = sd_bus_message_read(m, "v", "t", &s_start) >= 0;
                        else if (streq(key, "uid") && streq(contents, "i"))
                                has_uid = sd_bus_message_read(m, "v", "i", &s_uid) >= 0;
                        else if (sd_bus_message_skip(m, "v") < 0)
                                _exit(5);
                        if (sd_bus_message_exit_container(m) < 0)
                                _exit(6);
                }
                if (r < 0)
                        _exit(7);
                if (kind == POLKIT_NEW && has_pidfd && has_uid) {
                        how = "pidfd";
                        ok = pid_of_pidfd(s_pidfd) == pid;
                } else if (has_pid && has_start) {
                        how = "start-time";
                        ok = (pid_t) s_pid == pid && s_start == start_time;
                }
                if (!how) {
                        if (sd_bus_reply_method_errorf(m, "org.freedesktop.PolicyKit1.Error.Failed",
                                                       "Error parsing unix-process subject: No key with name 'pid'") < 0)
                                _exit(8);
                        how = "error";
                } else if (sd_bus_reply_method_return(m, "(bba{ss})", ok, 0, 0) < 0)
                        _exit(9);
                /* One write: the test reads one line. */
                (void) dprintf(report, "%s\n", how);
                sd_bus_message_unref(m);
        }
}

/* Asks the fake polkit (of kind, authorizing pid with start_time) about
 * c: the decision in *d, how polkit told the process in ret_how. */
static void ask_fake_polkit(const Caller *c, FakePolkit kind, pid_t pid, uint64_t start_time, Done *d,
                            char ret_how[static 32]) {
        sd_bus *bus = NULL;
        int sv[2], report[2], status;
        ssize_t n;
        pid_t child;

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
        cr_assert_eq(pipe2(report, O_CLOEXEC), 0);
        child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
                close(sv[0]);
                close(report[0]);
                fake_polkit(sv[1], kind, pid, start_time, report[1]);
        }
        close(sv[1]);
        close(report[1]);
        cr_assert_geq(sd_bus_new(&bus), 0);
        cr_assert_geq(sd_bus_set_fd(bus, sv[0], sv[0]), 0);
        cr_assert_geq(sd_bus_negotiate_fds(bus, 1), 0);
        cr_assert_geq(sd_bus_start(bus), 0);
        *d = (Done) {};
        cr_assert_eq(access_check_async(c, bus, ACCESS_RAISE, NULL, false, on_done, d), 0);
        for (int i = 0; i < 1000 && d->calls == 0; i++)
                if (sd_bus_process(bus, NULL) == 0)
                        (void) sd_bus_wait(bus, 100 * 1000);
        cr_assert_eq(d->calls, 1, "no answer from the fake polkit");
        sd_bus_flush_close_unref(bus);
        n = read(report[0], ret_how, 31);
        ret_how[n > 0 ? n - 1 : 0] = '\0';
        close(report[0]);
        cr_assert_eq(waitpid(child, &status, 0), child);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the fake polkit failed (%d)", status);
}

/* A caller of the private or the Varlink socket is told to polkit by the
 * pidfd held since it connected where polkit takes one (124 on), by its
 * start time where it does not (bookworm's 122), in one question; with
 * no start time, only a polkit that takes the pidfd can say yes (an
 * older one fails: refused). Before issue 16 the subject had no pidfd
 * (polkit 126 was told the process by its start time), and polkit was
 * not asked at all without a start time. */
Test(access, polkit_subject_pidfd_or_start_time) {
        struct sockaddr_un addr;
        int lfd = listen_socket(&addr), hold[2], fd, pidfd;
        uint64_t start_time;
        char how[32];
        Caller c = {};
        Done d = {};
        pid_t pid;

        cr_assert_eq(pipe(hold), 0);
        pid = connect_child(&addr, false, hold[0]);
        fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        cr_assert_geq(fd, 0);
        cr_assert_eq(caller_from_socket(fd, &c), 0);
        cr_assert_gt(c.pidfd, 2, "no pidfd kept for the caller (%d)", c.pidfd);
        cr_assert_eq(pid_of_pidfd(c.pidfd), pid, "the caller's pidfd is not the connecting process's");
        start_time = start_time_of(pid);
        cr_assert_eq(c.start_time, start_time);
        c.uid = 1000; /* not root: polkit is asked */

        ask_fake_polkit(&c, POLKIT_NEW, pid, start_time, &d, how);
        cr_assert_str_eq(how, "pidfd");
        cr_assert_eq(d.r, 0, "%s", strna(d.why));
        free(d.why);
        ask_fake_polkit(&c, POLKIT_OLD, pid, start_time, &d, how);
        cr_assert_str_eq(how, "start-time");
        cr_assert_eq(d.r, 0, "%s", strna(d.why));
        free(d.why);
        /* Another process's start time: refused by either. */
        ask_fake_polkit(&c, POLKIT_OLD, pid, start_time + 1, &d, how);
        cr_assert_eq(d.r, -EACCES);
        free(d.why);

        /* No start time: the pidfd alone. */
        c.start_time = 0;
        ask_fake_polkit(&c, POLKIT_NEW, pid, start_time, &d, how);
        cr_assert_str_eq(how, "pidfd");
        cr_assert_eq(d.r, 0, "%s", strna(d.why));
        free(d.why);
        ask_fake_polkit(&c, POLKIT_OLD, pid, start_time, &d, how);
        cr_assert_str_eq(how, "error");
        cr_assert_eq(d.r, -EACCES, "an older polkit said yes without a PID and start time");
        free(d.why);

        /* No pidfd (pidfd_open ENOSYS): the start time, for either. */
        c.start_time = start_time;
        pidfd = c.pidfd;
        c.pidfd = 0;
        ask_fake_polkit(&c, POLKIT_NEW, pid, start_time, &d, how);
        cr_assert_str_eq(how, "start-time");
        cr_assert_eq(d.r, 0, "%s", strna(d.why));
        free(d.why);
        c.pidfd = pidfd;

        caller_clear(&c);
        cr_assert_eq(fcntl(pidfd, F_GETFD), -1, "caller_clear() left the pidfd open");
        cr_assert_eq(write(hold[1], "x", 1), 1);
        cr_assert_eq(waitpid(pid, NULL, 0), pid);
        close(fd);
        close(lfd);
        remove_socket(&addr);
}
