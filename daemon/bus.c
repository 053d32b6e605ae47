/* org.aalevel1.Manager over sd-bus. */
#include "bus.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "dbus-api.h"
#include "fileio.h"
#include "log.h"
#include "strv.h"
#include "util.h"

static int property_get_string(sd_bus *bus, const char *path, const char *interface, const char *property,
                               sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *v = "";

        if (streq(property, "Version"))
                v = PACKAGE_VERSION;
        else if (streq(property, "Level"))
                v = strempty(m->level);
        else if (streq(property, "PendingLevel"))
                v = strempty(m->pending_level);
        else if (streq(property, "State"))
                v = manager_state_to_string(m->state);
        return sd_bus_message_append(reply, "s", v);
}

static const sd_bus_vtable manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Level", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PendingLevel", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get_string, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_VTABLE_END
};

/* busctl and other clients written for a message bus say Hello and add
 * matches before anything else; on our peer-to-peer socket we play that
 * part of the bus: a unique name for Hello, and every signal goes to
 * every connection anyway, so matches need no bookkeeping. */
static int method_hello(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        static uint64_t counter = 0;
        char name[64];

        snprintf(name, sizeof name, ":1.%" PRIu64, ++counter);
        return sd_bus_reply_method_return(message, "s", name);
}

static int method_match(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(message, NULL);
}

static const sd_bus_vtable fake_bus_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Hello", "", "s", method_hello, 0),
        SD_BUS_METHOD("AddMatch", "s", "", method_match, 0),
        SD_BUS_METHOD("RemoveMatch", "s", "", method_match, 0),
        SD_BUS_VTABLE_END
};

static void connection_drop(Manager *m, sd_bus *bus) {
        for (size_t i = 0; i < m->n_connections; i++)
                if (m->connections[i] == bus) {
                        m->connections[i] = m->connections[--m->n_connections];
                        sd_bus_flush_close_unref(bus);
                        return;
                }
}

static int on_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        connection_drop(m, sd_bus_message_get_bus(message));
        return 0;
}

static int on_connection(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        _cleanup_close_ int nfd = -1;
        sd_bus *bus = NULL;
        sd_bus **a;
        sd_id128_t id;
        int r;

        nfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (nfd < 0) {
                if (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED)
                        return 0;
                log_warning_errno(-errno, "Failed to accept a connection on the bus socket: %m");
                return 0;
        }

        r = sd_id128_randomize(&id);
        if (r >= 0)
                r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_fd(bus, nfd, nfd);
        if (r >= 0) {
                TAKE_FD(nfd);
                r = sd_bus_set_server(bus, 1, id);
        }
        if (r >= 0)
                r = sd_bus_set_anonymous(bus, false);
        if (r >= 0)
                r = sd_bus_negotiate_creds(bus, 1, SD_BUS_CREDS_PID | SD_BUS_CREDS_UID | SD_BUS_CREDS_EUID |
                                                   SD_BUS_CREDS_SELINUX_CONTEXT);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, manager_vtable, m);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                             fake_bus_vtable, m);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus.Local", NULL,
                                        "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, m);
        if (r >= 0)
                r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0) {
                a = realloc(m->connections, sizeof(sd_bus *) * (m->n_connections + 1));
                if (!a)
                        r = -ENOMEM;
                else {
                        m->connections = a;
                        m->connections[m->n_connections++] = bus;
                        return 0;
                }
        }
        log_warning_errno(r, "Failed to set up a bus connection: %m");
        sd_bus_flush_close_unref(bus);
        return 0;
}

int bus_listen(Manager *m) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r, n;

        /* Socket activation: systemd passes the listening socket. */
        n = sd_listen_fds(1);
        if (n > 1)
                return log_error_errno(-EINVAL, "Expected at most one socket from systemd, got %d.", n);
        if (n == 1)
                fd = SD_LISTEN_FDS_START;
        else {
                path = path_join(m->config->runtime_dir, "bus");
                if (!path)
                        return log_oom();
                if (strlen(path) >= sizeof(sa.sun_path))
                        return log_error_errno(-ENAMETOOLONG, "Socket path %s is too long.", path);
                strcpy(sa.sun_path, path);

                r = mkdir_p(m->config->runtime_dir, 0755);
                if (r < 0)
                        return log_error_errno(r, "Failed to create %s: %m", m->config->runtime_dir);
                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fd < 0)
                        return log_error_errno(-errno, "Failed to create the bus socket: %m");
                (void) unlink(path);
                if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                        return log_error_errno(-errno, "Failed to bind %s: %m", path);
                /* Everyone may connect and read; changes are checked per call. */
                if (chmod(path, 0666) < 0)
                        return log_error_errno(-errno, "Failed to make %s accessible: %m", path);
                if (listen(fd, SOMAXCONN) < 0)
                        return log_error_errno(-errno, "Failed to listen on %s: %m", path);
        }

        r = sd_event_add_io(m->event, &m->listen_source, fd, EPOLLIN, on_connection, m);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the bus socket: %m");
        m->listen_fd = TAKE_FD(fd);
        return 0;
}

void bus_emit_properties_changed(Manager *m, const char *property, ...) {
        char *names[8] = {};
        size_t n = 0;
        va_list ap;

        va_start(ap, property);
        for (const char *p = property; p && n < ELEMENTSOF(names) - 1; p = va_arg(ap, const char *))
                names[n++] = (char *) p;
        va_end(ap);

        for (size_t i = 0; i < m->n_connections; i++)
                (void) sd_bus_emit_properties_changed_strv(m->connections[i], AALEVEL_OBJECT_PATH,
                                                           AALEVEL_INTERFACE, names);
        if (m->system_bus)
                (void) sd_bus_emit_properties_changed_strv(m->system_bus, AALEVEL_OBJECT_PATH,
                                                           AALEVEL_INTERFACE, names);
}

void bus_close_all(Manager *m) {
        for (size_t i = 0; i < m->n_connections; i++)
                sd_bus_flush_close_unref(m->connections[i]);
        free(m->connections);
        m->connections = NULL;
        m->n_connections = 0;
        m->listen_source = sd_event_source_disable_unref(m->listen_source);
        if (m->listen_fd >= 0)
                close(TAKE_FD(m->listen_fd));
        m->system_bus = sd_bus_flush_close_unref(m->system_bus);
}
