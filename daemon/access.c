/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Authorization of changes. */
#include "access.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/apparmor.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "strv.h"
#include "util.h"

void caller_clear(Caller *c) {
        if (c->pidfd > 0)
                close(c->pidfd);
        free(c->label);
        free(c->sender);
        memset(c, 0, sizeof *c);
}

char *label_strip_mode(const char *raw) {
        _cleanup_free_ char *l = strdup(raw);
        size_t n;

        if (!l)
                return NULL;
        n = strlen(l);
        while (n > 0 && (l[n - 1] == '\n' || l[n - 1] == ' '))
                l[--n] = '\0';
        /* "name (enforce)" → "name"; "unconfined" has no mode. */
        if (n > 0 && l[n - 1] == ')') {
                char *open = strrchr(l, '(');
                if (open && open > l && open[-1] == ' ')
                        open[-1] = '\0';
        }
        return TAKE_PTR(l);
}

bool caller_is_confined(const Caller *c) {
        /* Unknown counts as confined: refusals fail closed. */
        return !c->label || !streq(c->label, "unconfined");
}

bool access_may_lower(const Caller *c, char * const *lower_labels) {
        /* An unknown label is in no list (and must not crash the daemon:
         * a caller gone since it connected has none). */
        return !caller_is_confined(c) || (c->label && strv_contains(lower_labels, c->label));
}

static uint64_t process_start_time(pid_t pid) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        unsigned long long v = 0;
        char *p;

        if (asprintf(&path, "/proc/%ld/stat", (long) pid) < 0 || read_full_file(path, 64 * 1024, &text, NULL) < 0)
                return 0;
        /* Field 22; the command name (field 2) may hold spaces and ')'. */
        p = strrchr(text, ')');
        if (!p)
                return 0;
        p++;
        for (int field = 3; field < 22 && p; field++) {
                p = strchr(p + 1, ' ');
        }
        if (p)
                (void) sscanf(p, " %llu", &v);
        return v;
}

char *process_label(pid_t pid) {
        char *label = NULL, *mode = NULL, *r;

        if (pid <= 0 || aa_gettaskcon(pid, &label, &mode) < 0)
                return NULL;
        r = label_strip_mode(label);
        free(label); /* mode points into label */
        return r;
}

/* Off means nobody is confined by AppArmor: libapparmor says so because
 * the kernel has no AppArmor (ENOSYS) or it was disabled at boot
 * (ECANCELED). Anything else (securityfs not mounted here, the answer not
 * readable) may hide a confined caller, so it is not off. */
static bool apparmor_off(void) {
        if (aa_is_enabled() > 0)
                return false;
        return errno == ENOSYS || errno == ECANCELED;
}

/* with_start_time: read by the PID, only where that PID is held (the
 * private socket's pidfd check follows). */
static int finish_caller(Caller *c, bool with_start_time) {
        if (with_start_time && c->pid > 0)
                c->start_time = process_start_time(c->pid);
        if (!c->label && apparmor_off()) {
                /* AppArmor is off: nobody is confined by it. */
                c->label = strdup("unconfined");
                if (!c->label)
                        return -ENOMEM;
        }
        return 0;
}

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* A pidfd for the process that connected: from the socket where the
 * kernel offers it (6.5 on), else opened by the PID at once. Never 0 to
 * 2 (a Caller's 0 means none). */
static int peer_pidfd(int fd, pid_t pid) {
        int pidfd = -1, moved;
        socklen_t len = sizeof pidfd;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) < 0 || pidfd < 0) {
                pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
                if (pidfd < 0)
                        return negative_errno();
        }
        if (pidfd > 2)
                return pidfd;
        moved = fcntl(pidfd, F_DUPFD_CLOEXEC, 3);
        close(pidfd);
        return moved >= 0 ? moved : negative_errno();
}

/* Whether the process of pidfd still runs (then its PID is still its own). */
static bool pidfd_alive(int pidfd) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        return poll(&p, 1, 0) == 0;
}

int caller_from_socket(int fd, Caller *ret) {
        Caller c = { .uid = (uid_t) -1 };
        struct ucred cred;
        socklen_t len = sizeof cred;
        char *label = NULL, *mode = NULL;
        int r, pidfd;

        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
                return negative_errno();
        c.uid = cred.uid;
        c.pid = cred.pid;
        pidfd = peer_pidfd(fd, c.pid);
        if (aa_getpeercon(fd, &label, &mode) >= 0 && !isempty(label)) {
                c.label = label_strip_mode(label);
                free(label); /* mode points into label */
        } else {
                free(label);
                /* No label on the socket (no AF_UNIX mediation in this
                 * kernel): the connecting process's, read now, and kept
                 * only if that process still runs after the reading (its
                 * pidfd says so), so the PID was not someone else's. */
                if (pidfd >= 0)
                        c.label = process_label(c.pid);
        }
        if (pidfd == -ENOSYS) {
                /* No pidfds at all (a kernel before 5.3, or valgrind,
                 * which does not know pidfd_open): the process's start
                 * time, read before and after what is read by its PID,
                 * stands for the pidfd. */
                bool from_socket = c.label;
                uint64_t before = process_start_time(c.pid);

                if (!c.label && before > 0)
                        c.label = process_label(c.pid);
                r = finish_caller(&c, true);
                if (r >= 0 && (before == 0 || c.start_time != before)) {
                        if (!from_socket)
                                c.label = mfree(c.label);
                        c.start_time = 0;
                }
        } else {
                r = finish_caller(&c, true);
                if (r >= 0 && (pidfd < 0 || !pidfd_alive(pidfd))) {
                        /* Gone already: nothing read by its PID can be
                         * trusted. Unknown counts as confined; polkit is
                         * not asked. */
                        c.label = mfree(c.label);
                        c.start_time = 0;
                } else if (r >= 0) {
                        /* Kept: polkit is asked about the process by it. */
                        c.pidfd = pidfd;
                        pidfd = -1;
                }
        }
        if (pidfd >= 0)
                close(pidfd);
        if (r < 0) {
                caller_clear(&c);
                return r;
        }
        *ret = c;
        return 0;
}

int caller_from_bus_message(sd_bus_message *m, Caller *ret) {
        Caller c = { .uid = (uid_t) -1 };
        sd_bus_creds *creds = NULL;
        const char *context = NULL, *sender = sd_bus_message_get_sender(m);
        pid_t pid = 0;
        int r;

        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID | SD_BUS_CREDS_SELINUX_CONTEXT, &creds);
        if (r < 0)
                return r;
        r = sd_bus_creds_get_euid(creds, &c.uid);
        if (r >= 0 && sd_bus_creds_get_pid(creds, &pid) >= 0)
                c.pid = pid;
        if (r >= 0 && sd_bus_creds_get_selinux_context(creds, &context) >= 0 && !isempty(context))
                c.label = label_strip_mode(context);
        sd_bus_creds_unref(creds);
        /* Only the label the bus daemon took when the sender connected:
         * one read now by its PID may be another process's (the sender
         * gone, its PID reused). Without it the caller counts as
         * confined (finish_caller() knows when AppArmor is off). No
         * start time either, for the same reason: polkit is asked about
         * the unique bus name, which is never given out again; without
         * one, polkit is not asked. */
        if (r >= 0 && sender && !(c.sender = strdup(sender)))
                r = -ENOMEM;
        if (r >= 0)
                r = finish_caller(&c, false);
        if (r < 0) {
                caller_clear(&c);
                return r;
        }
        *ret = c;
        return 0;
}

typedef struct PolkitQuery {
        AccessDone done;
        void *userdata;
} PolkitQuery;

#define NOT_PRIVILEGED "Changing the security level needs root or the polkit authorization " AALEVEL_POLKIT_ACTION "."

static int on_polkit_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        PolkitQuery *q = userdata;
        int r, authorized = 0, challenge = 0;

        if (sd_bus_message_is_method_error(reply, NULL)) {
                log_debug("polkit could not be asked: %s", sd_bus_message_get_error(reply)->message);
                r = -EACCES;
        } else {
                r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
                if (r >= 0)
                        r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
                r = r >= 0 && authorized ? 0 : -EACCES;
        }
        q->done(r, r < 0 ? NOT_PRIVILEGED : NULL, q->userdata);
        free(q);
        return 0;
}

/* The unix-process subject of a peer-to-peer caller (access.h): its
 * pidfd for polkit 124 and later, its PID and start time for the older
 * ones, which ignore the pidfd; the pidfd alone when the start time is
 * unknown (an older polkit then fails for want of a PID: refused). */
static int append_process_subject(sd_bus_message *call, const Caller *c, bool with_pidfd) {
        int r;

        r = sd_bus_message_open_container(call, 'r', "sa{sv}");
        if (r >= 0)
                r = sd_bus_message_append(call, "s", "unix-process");
        if (r >= 0)
                r = sd_bus_message_open_container(call, 'a', "{sv}");
        if (r >= 0 && with_pidfd)
                r = sd_bus_message_append(call, "{sv}", "pidfd", "h", c->pidfd);
        if (r >= 0 && c->start_time > 0)
                r = sd_bus_message_append(call, "{sv}{sv}", "pid", "u", (uint32_t) c->pid, "start-time", "t",
                                          c->start_time);
        /* polkit takes a pidfd only with a uid, an int32 here. */
        if (r >= 0)
                r = sd_bus_message_append(call, "{sv}", "uid", "i", (int32_t) c->uid);
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        if (r >= 0)
                r = sd_bus_message_close_container(call);
        return r;
}

static int polkit_check_async(sd_bus *system_bus, const Caller *c, bool interactive, AccessDone done,
                              void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL;
        bool with_pidfd;
        PolkitQuery *q;
        int r;

        /* The pidfd only where the bus passes descriptors (the system bus
         * does: dbus-daemon, dbus-broker). */
        with_pidfd = !c->sender && c->pidfd > 0 && sd_bus_can_send(system_bus, SD_BUS_TYPE_UNIX_FD) > 0;
        /* A process polkit cannot tell from a later one with its PID: no. */
        if (!c->sender && c->start_time == 0 && !with_pidfd)
                return -EACCES;
        r = sd_bus_message_new_method_call(system_bus, &call, "org.freedesktop.PolicyKit1",
                                           "/org/freedesktop/PolicyKit1/Authority",
                                           "org.freedesktop.PolicyKit1.Authority", "CheckAuthorization");
        if (r < 0)
                return r;
        if (c->sender)
                r = sd_bus_message_append(call, "(sa{sv})", "system-bus-name", 1, "name", "s", c->sender);
        else
                r = append_process_subject(call, c, with_pidfd);
        if (c->sender)
                log_debug("Asking polkit about the bus name %s (pid %ld).", c->sender, (long) c->pid);
        else
                log_debug("Asking polkit about pid %ld by its %s.", (long) c->pid,
                          !with_pidfd ? "start time" : c->start_time > 0 ? "pidfd and start time" : "pidfd alone");
        /* Flag 1: AllowUserInteraction (an agent may ask for a password). */
        if (r >= 0)
                r = sd_bus_message_append(call, "sa{ss}us", AALEVEL_POLKIT_ACTION, 0, interactive ? 1u : 0u, "");
        if (r < 0)
                return r;
        q = calloc(1, sizeof(PolkitQuery));
        if (!q)
                return -ENOMEM;
        *q = (PolkitQuery) { .done = done, .userdata = userdata };
        /* A password prompt may take a while: five minutes. */
        r = sd_bus_call_async(system_bus, NULL, call, on_polkit_reply, q, 300 * 1000000ULL);
        if (r < 0)
                free(q);
        return r;
}

int access_check_async(const Caller *c, sd_bus *system_bus, AccessChange change, char * const *lower_labels,
                       bool interactive, AccessDone done, void *userdata) {
        _cleanup_free_ char *why = NULL;

        assert(c);
        assert(done);

        log_debug("Caller uid %ld pid %ld label '%s'%s%s.", (long) c->uid, (long) c->pid, strna(c->label),
                  c->sender ? " on the system bus as " : "", strempty(c->sender));

        /* The confined caller's rule first: no password can lift it. */
        if (change == ACCESS_LOWER && !access_may_lower(c, lower_labels)) {
                log_warning("Refused to lower the level for pid %ld, confined by AppArmor as '%s' "
                            "(not listed in [access] lower_labels).", (long) c->pid, c->label ? c->label : "(unknown)");
                if (asprintf(&why,
                             "A caller confined by AppArmor ('%s') may not lower the security level; "
                             "allow its label in [access] lower_labels of aalevel.conf if it must.",
                             c->label ? c->label : "its label could not be read") < 0)
                        return -ENOMEM;
                done(-EACCES, why, userdata);
                return 0;
        }
        if (c->uid == 0) {
                done(0, NULL, userdata);
                return 0;
        }
        if (system_bus && polkit_check_async(system_bus, c, interactive, done, userdata) >= 0)
                return 0;
        done(-EACCES, NOT_PRIVILEGED, userdata);
        return 0;
}
