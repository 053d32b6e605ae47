/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The session with the daemon. */
#include "ctl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "address.h"
#include "dbus-api.h"
#include "exit-status.h"
#include "format.h"
#include "i18n.h"

void ctl_init(Ctl *c, const Args *args, const char *socket_path, bool stdout_is_tty, bool stderr_is_tty) {
        *c = (Ctl) {
                .args = args,
                .socket_path = socket_path,
                .json_flags = stdout_is_tty ? JSON_PRETTY : 0,
        };
        progress_init(&c->progress, progress_mode_pick(args->quiet, args->json, stderr_is_tty), stderr);
}

void ctl_done(Ctl *c) {
        progress_done(&c->progress);
        /* No flush: every call has had its reply, so nothing is queued,
         * and flushing a connection that never got ready would wait for
         * sd-bus's authentication timeout. */
        c->bus = sd_bus_close_unref(c->bus);
}

static int daemon_unreachable(Ctl *c, int error) {
        progress_clear(&c->progress);
        fprintf(stderr, _("Cannot reach the aalevel daemon at %s: %s. Is aalevel.service running?\n"),
                c->socket_path, strerror(-error));
        return EXIT_UNREACHABLE;
}

static int on_progress(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Ctl *c = userdata;
        const char *phase, *current;
        uint32_t done, total;

        if (!c->show_progress)
                return 0;
        if (sd_bus_message_read(m, "suus", &phase, &done, &total, &current) < 0)
                return 0; /* a malformed signal is not worth failing the call */
        progress_update(&c->progress, phase, done, total, current);
        return 0;
}

static int on_profile_failed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Ctl *c = userdata;
        const char *file, *error_file, *message;
        _cleanup_free_ char *location = NULL;
        uint32_t line;

        if (!c->show_profile_failures || c->args->quiet)
                return 0;
        if (sd_bus_message_read(m, "ssus", &file, &error_file, &line, &message) < 0)
                return 0;
        location = format_location(isempty(error_file) ? file : error_file, line);
        if (!location)
                return -ENOMEM;
        progress_clear(&c->progress);
        if (isempty(error_file) || streq(error_file, file))
                fprintf(stderr, _("Warning: %s: %s. Its previous version stays loaded.\n"), location, message);
        else
                fprintf(stderr, _("Warning: %s: %s (profile file %s). Its previous version stays loaded.\n"),
                        location, message, file);
        return 0;
}

/* sd-bus starts the timeouts of calls only once the connection is
 * authenticated, and gives authentication 90 s: without this, a daemon
 * that accepts connections but never answers would hang us that long. */
static int wait_ready(Ctl *c, sd_bus *bus) {
        usec_t deadline = now_usec(CLOCK_MONOTONIC) + CONNECT_TIMEOUT_USEC;
        int r, k;

        for (;;) {
                usec_t now;

                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        return daemon_unreachable(c, r);
                k = sd_bus_is_ready(bus);
                if (k < 0)
                        return daemon_unreachable(c, k);
                if (k > 0)
                        return 0;
                if (r > 0)
                        continue;
                now = now_usec(CLOCK_MONOTONIC);
                if (now >= deadline) {
                        fprintf(stderr, _("The aalevel daemon at %s accepted the connection but did not answer. Is it stuck? "
                                          "'systemctl status aalevel.service' may tell.\n"),
                                c->socket_path);
                        return EXIT_UNREACHABLE;
                }
                r = sd_bus_wait(bus, deadline - now);
                if (r < 0 && r != -EINTR)
                        return daemon_unreachable(c, r);
        }
}

int ctl_connect(Ctl *c) {
        _cleanup_(sd_bus_close_unrefp) sd_bus *bus = NULL;
        _cleanup_free_ char *address = NULL;
        int r;

        r = bus_address_from_path(c->socket_path, &address);
        if (r < 0)
                return r;
        r = sd_bus_new(&bus);
        if (r < 0)
                return r;
        r = sd_bus_set_address(bus, address);
        if (r < 0)
                return daemon_unreachable(c, r);
        /* Peer to peer: no Hello, and the matches below stay local. */
        r = sd_bus_set_bus_client(bus, false);
        if (r < 0)
                return r;
        r = sd_bus_start(bus);
        if (r < 0)
                return daemon_unreachable(c, r);
        r = wait_ready(c, bus);
        if (r != 0)
                return r;

        r = sd_bus_match_signal(bus, NULL, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, "Progress",
                                on_progress, c);
        if (r < 0)
                return r;
        r = sd_bus_match_signal(bus, NULL, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, "ProfileFailed",
                                on_profile_failed, c);
        if (r < 0)
                return r;

        c->bus = TAKE_PTR(bus);
        return 0;
}

int ctl_new_call(Ctl *c, const char *member, sd_bus_message **ret) {
        return sd_bus_message_new_method_call(c->bus, ret, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, member);
}

static bool errno_is_disconnect(int r) {
        return r == -ECONNRESET || r == -ENOTCONN || r == -EPIPE || r == -ECONNREFUSED || r == -ESHUTDOWN;
}

/* Prints msg, adding a full stop unless it already ends a sentence. */
static void print_sentence(const char *what, const char *msg) {
        size_t n = strlen(msg);

        fprintf(stderr, "%s: %s%s\n", what, msg, n > 0 && strchr(".!?", msg[n - 1]) ? "" : ".");
}

static int report_failure(Ctl *c, int r, const sd_bus_error *error, const char *what) {
        progress_clear(&c->progress);

        if (sd_bus_error_is_set(error) &&
            sd_bus_error_has_names(error, AALEVEL_ERROR_ACCESS_DENIED, SD_BUS_ERROR_ACCESS_DENIED)) {
                print_sentence(what, error->message ?: error->name);
                /* The daemon's own error says which rule refused; a
                 * generic D-Bus denial needs the explanation. */
                if (!sd_bus_error_has_name(error, AALEVEL_ERROR_ACCESS_DENIED))
                        fprintf(stderr, _("Changing the level needs root or polkit's authorization for org.aalevel1.set-level, "
                                          "and a process confined by AppArmor may only raise the level.\n"));
                return EXIT_DENIED;
        }

        /* The daemon went away mid-call: sd-bus fails the call with a
         * synthetic NoReply and closes the connection. */
        if (sd_bus_is_open(c->bus) <= 0 || (!sd_bus_error_is_set(error) && errno_is_disconnect(r))) {
                fprintf(stderr, _("%s: lost the connection to the aalevel daemon at %s. Is aalevel.service running?\n"),
                        what, c->socket_path);
                return EXIT_UNREACHABLE;
        }

        if (!sd_bus_error_is_set(error)) {
                print_sentence(what, strerror(-r));
                return EXIT_FAILED;
        }

        /* Connected, but no answer within the timeout: a daemon that
         * does not answer is as good as unreachable. */
        if (sd_bus_error_has_name(error, SD_BUS_ERROR_NO_REPLY)) {
                fprintf(stderr, _("%s: the aalevel daemon at %s did not answer in time. Is it stuck? "
                                  "'systemctl status aalevel.service' may tell.\n"),
                        what, c->socket_path);
                return EXIT_UNREACHABLE;
        }

        print_sentence(what, error->message ?: error->name);
        if (sd_bus_error_has_name(error, AALEVEL_ERROR_NO_SUCH_LEVEL))
                fprintf(stderr, _("Run 'aalevelctl list' to see the defined levels.\n"));
        else if (sd_bus_error_has_names(error, SD_BUS_ERROR_UNKNOWN_METHOD, SD_BUS_ERROR_UNKNOWN_PROPERTY,
                                        SD_BUS_ERROR_UNKNOWN_INTERFACE, SD_BUS_ERROR_UNKNOWN_OBJECT))
                fprintf(stderr, _("The daemon at %s does not offer this; is it an older version of aalevel?\n"),
                        c->socket_path);
        return EXIT_FAILED;
}

typedef struct PendingCall {
        sd_bus_message *reply;
} PendingCall;

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PendingCall *p = userdata;

        p->reply = sd_bus_message_ref(m);
        return 0;
}

/* Waits for the reply while dispatching everything else that arrives:
 * sd_bus_call() would hold the signals back until it returns. */
static int call_and_wait(Ctl *c, sd_bus_message *m, uint64_t timeout_usec, sd_bus_error *error,
                         sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        PendingCall p = {};
        int r;

        r = sd_bus_call_async(c->bus, &slot, m, on_reply, &p, timeout_usec);
        if (r < 0)
                return r;
        for (;;) {
                r = sd_bus_process(c->bus, NULL);
                if (r < 0)
                        return r;
                /* Checked after every step: sd_bus_process() may return 0
                 * after dispatching the reply (a timeout's synthetic one). */
                if (p.reply)
                        break;
                if (r > 0)
                        continue;
                r = sd_bus_wait(c->bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        return r;
        }
        progress_clear(&c->progress);

        if (sd_bus_message_is_method_error(p.reply, NULL)) {
                r = sd_bus_error_copy(error, sd_bus_message_get_error(p.reply));
                sd_bus_message_unref(p.reply);
                return r < 0 ? r : -EIO;
        }
        *ret_reply = p.reply;
        return 0;
}

int ctl_call(Ctl *c, sd_bus_message *m, uint64_t timeout_usec, sd_bus_message **ret_reply,
             const char *what_format, ...) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *what = NULL;
        sd_bus_message *reply = NULL;
        va_list ap;
        int r, k;

        r = call_and_wait(c, m, timeout_usec, &error, &reply);
        if (r >= 0) {
                if (ret_reply)
                        *ret_reply = reply;
                else
                        sd_bus_message_unref(reply);
                return 0;
        }
        if (r == -ENOMEM && !sd_bus_error_is_set(&error))
                return r;

        va_start(ap, what_format);
        k = vasprintf(&what, what_format, ap);
        va_end(ap);
        if (k < 0)
                return -ENOMEM;
        return report_failure(c, r, &error, what);
}

int ctl_call_quiet(Ctl *c, sd_bus_message *m, uint64_t timeout_usec, sd_bus_message **ret_reply) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        return call_and_wait(c, m, timeout_usec, &error, ret_reply);
}

int ctl_reply_error(Ctl *c, const char *method, int r) {
        if (r == -ENOMEM)
                return r;
        progress_clear(&c->progress);
        fprintf(stderr, _("The daemon's reply to %s is not in the form this aalevelctl expects (%s). "
                          "Are the daemon and aalevelctl of the same version?\n"),
                method, strerror(-r));
        return EXIT_FAILED;
}

int ctl_get_properties(Ctl *c, ManagerProperties *ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL, *reply = NULL;
        int r;

        r = sd_bus_message_new_method_call(c->bus, &m, NULL, AALEVEL_OBJECT_PATH,
                                           "org.freedesktop.DBus.Properties", "GetAll");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "s", AALEVEL_INTERFACE);
        if (r < 0)
                return r;
        r = ctl_call(c, m, CALL_TIMEOUT_DEFAULT_USEC, &reply, _("Cannot read the daemon's status"));
        if (r != 0)
                return r;
        r = manager_properties_parse(reply, ret);
        return r < 0 ? ctl_reply_error(c, "GetAll", r) : 0;
}
