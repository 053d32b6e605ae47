/* org.aalevel1.Manager over sd-bus. */
#include "bus.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "access.h"
#include "dbus-api.h"
#include "fileio.h"
#include "kernel.h"
#include "log.h"
#include "strv.h"
#include "util.h"

#define SYSTEM_BUS_SOCKET "/run/dbus/system_bus_socket"

/* ---- properties ---- */

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;

        if (streq(property, "Version"))
                return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
        if (streq(property, "Level"))
                return sd_bus_message_append(reply, "s", strempty(m->level));
        if (streq(property, "PendingLevel"))
                return sd_bus_message_append(reply, "s", strempty(m->pending_level));
        if (streq(property, "State"))
                return sd_bus_message_append(reply, "s", manager_state_to_string(m->state));
        if (streq(property, "LevelSource"))
                return sd_bus_message_append(reply, "s", m->source ? m->source : "default");
        if (streq(property, "RevertLevel"))
                return sd_bus_message_append(reply, "s", m->confirm_timer ? strempty(m->confirm_previous) : "");
        if (streq(property, "ConfirmDeadline"))
                return sd_bus_message_append(reply, "t", m->confirm_deadline);
        if (streq(property, "ProfilesLoaded"))
                return sd_bus_message_append(reply, "u", manager_profiles_loaded(m));
        if (streq(property, "ProfilesFailed"))
                return sd_bus_message_append(reply, "u", manager_profiles_failed(m));
        if (streq(property, "ProfilesModified"))
                return sd_bus_message_append(reply, "u", (uint32_t) strv_length(m->modified));
        if (streq(property, "LastReload"))
                return sd_bus_message_append(reply, "t", m->last_reload);
        if (streq(property, "LastReloadDuration"))
                return sd_bus_message_append(reply, "t", m->last_reload_duration);
        if (streq(property, "Errors")) {
                _cleanup_strv_free_ char **all = strv_copy(m->errors);
                if (!all || (m->apply_error && strv_extend(&all, m->apply_error) < 0))
                        return -ENOMEM;
                return sd_bus_message_append_strv(reply, all);
        }
        return -ENOENT;
}

/* ---- methods ---- */

/* Who is calling: the peer of a private-socket connection (NULL on the
 * system bus, where the bus daemon is asked per message). */
static const Caller *peer_of(Manager *m, sd_bus_message *message) {
        sd_bus *bus = sd_bus_message_get_bus(message);
        for (size_t i = 0; i < m->n_connections; i++)
                if (m->connections[i].bus == bus)
                        return &m->connections[i].peer;
        return NULL;
}

/* A change waiting for its authorization: what to do once allowed. */
typedef enum ChangeKind { CHANGE_SET, CHANGE_CONFIRM, CHANGE_RELOAD } ChangeKind;

typedef struct Change {
        Manager *manager;
        ChangeKind kind;
        char *level;
        uint32_t confirm;
        uint64_t flags;
} Change;

static void change_free(Change *c) {
        if (!c)
                return;
        free(c->level);
        free(c);
}

static int run_change(Change *c, sd_bus_message *message, sd_bus_error *error) {
        Manager *m = c->manager;
        bool no_block = c->flags & AALEVEL_FLAG_NO_BLOCK;
        Request *req;
        int r;

        switch (c->kind) {
        case CHANGE_SET:
                /* The level may have gone away while polkit was asked. */
                if (!level_set_find(m->levels, c->level))
                        return sd_bus_error_setf(error, AALEVEL_ERROR_NO_SUCH_LEVEL,
                                                 "Level '%s' is not defined.", c->level);
                req = request_new(REQUEST_SET, no_block ? NULL : message);
                if (!req)
                        return -ENOMEM;
                req->confirm_sec = c->confirm;
                r = manager_set_level(m, c->level, req);
                break;
        case CHANGE_CONFIRM:
                req = request_new(REQUEST_CONFIRM, message);
                if (!req)
                        return -ENOMEM;
                r = manager_confirm(m, req);
                if (r == -ENOENT)
                        return sd_bus_error_set(error, AALEVEL_ERROR_NOTHING_PENDING,
                                                "No level is waiting for confirmation.");
                return r;
        case CHANGE_RELOAD:
                req = request_new(REQUEST_RELOAD, no_block ? NULL : message);
                if (!req)
                        return -ENOMEM;
                r = manager_reload(m, req);
                break;
        default:
                return -EINVAL;
        }
        if (r < 0)
                return r;
        return no_block ? sd_bus_reply_method_return(message, NULL) : 0;
}

static void on_authorized(sd_bus_message *message, int r, const sd_bus_error *error, void *userdata) {
        Change *c = userdata;
        sd_bus_error e = SD_BUS_ERROR_NULL;

        if (r < 0)
                (void) sd_bus_reply_method_error(message, error);
        else {
                r = run_change(c, message, &e);
                if (r < 0 || sd_bus_error_is_set(&e)) {
                        if (!sd_bus_error_is_set(&e))
                                (void) sd_bus_error_set_errno(&e, r);
                        (void) sd_bus_reply_method_error(message, &e);
                }
        }
        sd_bus_error_free(&e);
        change_free(c);
}

/* Starts the authorization of a change and carries it out when allowed;
 * the reply comes later (1: deferred, for sd-bus). */
static int authorize_change(Manager *m, sd_bus_message *message, AccessChange access, Change *c) {
        sd_bus *bus = sd_bus_message_get_bus(message);
        const Caller *peer = peer_of(m, message);
        int r;

        if (!peer && bus != m->system_bus) {
                change_free(c);
                return sd_bus_reply_method_errorf(message, AALEVEL_ERROR_ACCESS_DENIED, "Unknown connection; refused.");
        }
        c->manager = m;
        r = access_check_async(message, peer, m->system_bus, access, m->config->lower_labels,
                               c->flags & AALEVEL_FLAG_INTERACTIVE, on_authorized, c);
        if (r < 0) {
                change_free(c);
                return r;
        }
        return 1;
}

static Change *change_new(ChangeKind kind, const char *level, uint32_t confirm, uint64_t flags) {
        Change *c = calloc(1, sizeof(Change));
        if (!c)
                return NULL;
        *c = (Change) { .kind = kind, .confirm = confirm, .flags = flags };
        if (level && !(c->level = strdup(level))) {
                free(c);
                return NULL;
        }
        return c;
}

static int method_set_level(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        const char *level;
        uint32_t confirm;
        uint64_t flags;
        Change *c;
        int r;

        r = sd_bus_message_read(message, "sut", &level, &confirm, &flags);
        if (r < 0)
                return r;
        if (flags & ~(AALEVEL_FLAG_NO_BLOCK | AALEVEL_FLAG_INTERACTIVE))
                return sd_bus_error_setf(error, AALEVEL_ERROR_INVALID_ARGS, "Unknown flags 0x%" PRIx64 ".", flags);
        /* A level file written a moment ago, its change not yet seen. Any
         * client may ask for any name, before it is authorized: at most
         * one reread a second. */
        if (level_name_is_valid(level) && !level_set_find(m->levels, level)) {
                static usec_t last = 0;
                usec_t now = now_usec(CLOCK_MONOTONIC);

                if (last == 0 || now - last >= USEC_PER_SEC) {
                        last = now;
                        manager_reread_levels(m);
                }
        }
        if (!level_name_is_valid(level) || !level_set_find(m->levels, level))
                return sd_bus_error_setf(error, AALEVEL_ERROR_NO_SUCH_LEVEL,
                                         "Level '%s' is not defined (aalevelctl list shows the levels).", level);
        c = change_new(CHANGE_SET, level, confirm, flags);
        if (!c)
                return -ENOMEM;
        return authorize_change(m, message,
                                level_set_is_raise(m->levels, m->level ? m->level : "default", level) ? ACCESS_RAISE
                                                                                                       : ACCESS_LOWER,
                                c);
}

static int method_confirm(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        Change *c = change_new(CHANGE_CONFIRM, NULL, 0, 0);

        if (!c)
                return -ENOMEM;
        return authorize_change(m, message, ACCESS_OTHER, c);
}

static int method_reload(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        uint64_t flags;
        Change *c;
        int r;

        r = sd_bus_message_read(message, "t", &flags);
        if (r < 0)
                return r;
        if (flags & ~(AALEVEL_FLAG_NO_BLOCK | AALEVEL_FLAG_INTERACTIVE))
                return sd_bus_error_setf(error, AALEVEL_ERROR_INVALID_ARGS, "Unknown flags 0x%" PRIx64 ".", flags);
        c = change_new(CHANGE_RELOAD, NULL, 0, flags);
        if (!c)
                return -ENOMEM;
        return authorize_change(m, message, ACCESS_OTHER, c);
}

static int method_list_levels(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Manager *m = userdata;
        int r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ssss)");
        for (size_t i = 0; r >= 0 && i < m->levels->n_levels; i++) {
                const Level *l = m->levels->levels[i];
                r = sd_bus_message_append(reply, "(ssss)", l->name, strempty(l->inherits), strempty(l->description),
                                          l->file);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int append_entry_strv(sd_bus_message *reply, const char *key, char **l) {
        int r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", key);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', "as");
        if (r >= 0)
                r = sd_bus_message_append_strv(reply, l);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int method_get_level(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(resolved_level_freep) ResolvedLevel *rl = NULL;
        Manager *m = userdata;
        const Level *l;
        const char *name;
        int r;

        r = sd_bus_message_read(message, "s", &name);
        if (r < 0)
                return r;
        l = level_set_find(m->levels, name);
        if (!l || level_set_resolve(m->levels, name, &rl) < 0)
                return sd_bus_error_setf(error, AALEVEL_ERROR_NO_SUCH_LEVEL, "Level '%s' is not defined.", name);

        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}", "name", "s", rl->name, "description", "s",
                                          rl->description, "file", "s", l->file);
        if (r >= 0)
                r = append_entry_strv(reply, "ancestry", rl->ancestry);
        if (r >= 0)
                r = append_entry_strv(reply, "include", rl->include);
        if (r >= 0)
                r = append_entry_strv(reply, "exclude", rl->exclude);
        if (r >= 0)
                r = append_entry_strv(reply, "directories", rl->directories);
        if (r >= 0)
                r = append_entry_strv(reply, "requires", rl->requires);
        if (r >= 0)
                r = sd_bus_message_append(reply, "{sv}{sv}{sv}{sv}{sv}{sv}", "mode", "s",
                                          mode_override_to_string(rl->mode), "disable", "b", rl->honour_disable,
                                          "force_complain", "b", rl->honour_force_complain, "confirm", "u",
                                          rl->confirm_sec, "early_policy", "b", rl->early_policy, "namespace", "s",
                                          strempty(rl->user_namespace));
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", "users");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', "a(ss)");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(ss)");
        for (size_t i = 0; r >= 0 && i < rl->n_users; i++)
                r = sd_bus_message_append(reply, "(ss)", rl->users[i].user, rl->users[i].role);
        for (int k = 0; k < 4 && r >= 0; k++)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_list_profiles(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(hashmap_freep) Hashmap *modes = hashmap_new(free);
        Manager *m = userdata;
        KernelProfile *profiles = NULL;
        size_t n = 0;
        int r;

        if (!modes)
                return -ENOMEM;
        if (kernel_list_profiles_at(m->config->apparmorfs, &profiles, &n) >= 0) {
                for (size_t i = 0; i < n; i++)
                        if (hashmap_put(modes, profiles[i].name, profiles[i].mode) >= 0)
                                profiles[i].mode = NULL;
                kernel_profiles_free(profiles, n);
        }

        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sssss)");
        for (size_t i = 0; r >= 0 && i < m->n_units; i++) {
                const UnitStatus *u = &m->units[i];
                if (u->failed && strv_length(u->names) == 0)
                        r = sd_bus_message_append(reply, "(sssss)", "", "", u->file, "failed", strempty(u->error));
                STRV_FOREACH(name, u->names) {
                        const char *mode = hashmap_get(modes, *name);
                        const char *status = u->failed ? "failed"
                                           : !mode ? "missing"
                                           : strv_contains(m->modified, *name) ? "modified" : "loaded";
                        if (r >= 0)
                                r = sd_bus_message_append(reply, "(sssss)", *name, strempty(mode), u->file, status,
                                                          u->failed ? strempty(u->error) : "");
                }
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_check(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        bool diff = streq(sd_bus_message_get_member(message), "Diff");
        const char *level;
        Request *req;
        int r;

        r = sd_bus_message_read(message, "s", &level);
        if (r < 0)
                return r;
        if (isempty(level) && !diff)
                level = m->level ? m->level : "default";
        if (!level_name_is_valid(level) || !level_set_find(m->levels, level))
                return sd_bus_error_setf(error, AALEVEL_ERROR_NO_SUCH_LEVEL, "Level '%s' is not defined.", level);
        req = request_new(diff ? REQUEST_DIFF : REQUEST_CHECK, message);
        if (!req)
                return -ENOMEM;
        r = manager_check(m, level, req, diff);
        if (r == -EBUSY)
                return sd_bus_error_set(error, AALEVEL_ERROR_FAILED,
                                        "Too many checks and diffs are waiting already; try again later.");
        return r < 0 ? r : 1;
}

void bus_reply_check(Manager *m, Job *j, Request *req) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        EngineResult *res = j->result;
        int r;

        if (!req->message)
                return;
        if (j->r < 0 || !res) {
                (void) sd_bus_reply_method_errorf(req->message, AALEVEL_ERROR_FAILED, "%s",
                                                  j->error ? j->error : strerror(-j->r));
                return;
        }
        r = sd_bus_message_new_method_return(req->message, &reply);
        if (r < 0)
                goto fail;
        if (req->kind == REQUEST_DIFF) {
                r = sd_bus_message_open_container(reply, 'a', "(ssss)");
                for (size_t i = 0; r >= 0 && i < res->n_diff; i++)
                        r = sd_bus_message_append(reply, "(ssss)", res->diff[i].name, res->diff[i].change,
                                                  res->diff[i].detail, res->diff[i].file);
        } else {
                r = sd_bus_message_append(reply, "uu", res->n_units - res->n_failed, res->n_failed);
                if (r >= 0)
                        r = sd_bus_message_open_container(reply, 'a', "(sssus)");
                for (size_t i = 0; r >= 0 && i < res->n_failures; i++) {
                        const UnitFailure *f = &res->failures[i];
                        r = sd_bus_message_append(reply, "(sssus)", f->file, strempty(f->name),
                                                  strempty(f->error_file), f->line, strempty(f->message));
                }
        }
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0 && !res->ok && req->kind == REQUEST_DIFF) {
                (void) sd_bus_reply_method_errorf(req->message, AALEVEL_ERROR_FAILED, "%s", res->error);
                return;
        }
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        if (r >= 0)
                return;
fail:
        (void) sd_bus_reply_method_errnof(req->message, -r, "Failed to send the result: %m");
}

const sd_bus_vtable bus_manager_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_PROPERTY("Version", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_CONST),
        SD_BUS_PROPERTY("Level", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("PendingLevel", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("State", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LevelSource", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ConfirmDeadline", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("RevertLevel", "s", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ProfilesLoaded", "u", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ProfilesFailed", "u", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("ProfilesModified", "u", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastReload", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("LastReloadDuration", "t", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_PROPERTY("Errors", "as", property_get, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
        SD_BUS_METHOD_WITH_NAMES("SetLevel", "sut", SD_BUS_PARAM(level) SD_BUS_PARAM(confirm_seconds)
                                 SD_BUS_PARAM(flags), "", , method_set_level, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD("Confirm", "", "", method_confirm, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Reload", "t", SD_BUS_PARAM(flags), "", , method_reload,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListLevels", "", , "a(ssss)", SD_BUS_PARAM(levels), method_list_levels,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("GetLevel", "s", SD_BUS_PARAM(level), "a{sv}", SD_BUS_PARAM(definition),
                                 method_get_level, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("ListProfiles", "", , "a(sssss)", SD_BUS_PARAM(profiles), method_list_profiles,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Diff", "s", SD_BUS_PARAM(level), "a(ssss)", SD_BUS_PARAM(changes), method_check,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES("Check", "s", SD_BUS_PARAM(level), "uua(sssus)",
                                 SD_BUS_PARAM(compiled) SD_BUS_PARAM(failed) SD_BUS_PARAM(failures), method_check,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_SIGNAL_WITH_NAMES("Progress", "suus", SD_BUS_PARAM(phase) SD_BUS_PARAM(done) SD_BUS_PARAM(total)
                                 SD_BUS_PARAM(current), 0),
        SD_BUS_SIGNAL_WITH_NAMES("LevelChanged", "ss", SD_BUS_PARAM(level) SD_BUS_PARAM(previous), 0),
        SD_BUS_SIGNAL_WITH_NAMES("ProfileFailed", "ssus", SD_BUS_PARAM(file) SD_BUS_PARAM(error_file)
                                 SD_BUS_PARAM(line) SD_BUS_PARAM(message), 0),
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

/* ---- the private socket ---- */

static void connection_drop(Manager *m, sd_bus *bus) {
        for (size_t i = 0; i < m->n_connections; i++)
                if (m->connections[i].bus == bus) {
                        caller_clear(&m->connections[i].peer);
                        m->connections[i] = m->connections[--m->n_connections];
                        sd_bus_flush_close_unref(bus);
                        return;
                }
}

static int on_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        sd_bus *bus = sd_bus_message_get_bus(message);

        if (bus == m->system_bus) {
                log_info("The system bus went away; serving on the private socket only.");
                m->system_bus = sd_bus_flush_close_unref(m->system_bus);
                bus_connect_system(m);
                return 0;
        }
        connection_drop(m, bus);
        return 0;
}

static int on_connection(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        _cleanup_close_ int nfd = -1;
        _cleanup_(caller_clear) Caller peer = {};
        sd_bus *bus = NULL;
        Connection *a;
        sd_id128_t id;
        int r;

        nfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (nfd < 0) {
                if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
                        log_warning_errno(-errno, "Failed to accept a connection on the bus socket: %m");
                return 0;
        }

        /* Who connected, now, while it is surely the process that did. */
        r = caller_from_socket(nfd, &peer);
        if (r < 0) {
                log_warning_errno(r, "Cannot tell who connected to the bus socket (%m); dropping the connection.");
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
                r = sd_bus_add_object_vtable(bus, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, bus_manager_vtable,
                                             m);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                             fake_bus_vtable, m);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus.Local", NULL, "org.freedesktop.DBus.Local",
                                        "Disconnected", on_disconnected, m);
        if (r >= 0)
                r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0) {
                a = realloc(m->connections, sizeof(Connection) * (m->n_connections + 1));
                if (!a)
                        r = -ENOMEM;
                else {
                        m->connections = a;
                        m->connections[m->n_connections++] = (Connection) { .bus = bus, .peer = peer };
                        peer = (Caller) {};
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

/* ---- the system bus ---- */

static int try_system_bus(Manager *m) {
        sd_bus *bus = NULL;
        int r;

        if (m->system_bus)
                return 0;
        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(bus, false);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, bus_manager_vtable, m);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus.Local", NULL, "org.freedesktop.DBus.Local",
                                        "Disconnected", on_disconnected, m);
        if (r >= 0)
                r = sd_bus_request_name(bus, AALEVEL_BUS_NAME, 0);
        if (r >= 0)
                r = sd_bus_attach_event(bus, m->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                sd_bus_flush_close_unref(bus);
                return r;
        }
        m->system_bus = bus;
        log_info("Serving %s on the system bus too.", AALEVEL_BUS_NAME);
        return 0;
}

static void on_system_bus_socket(char **paths, void *userdata) {
        Manager *m = userdata;
        if (try_system_bus(m) >= 0 && m->system_bus_watch) {
                watch_free(m->system_bus_watch);
                m->system_bus_watch = NULL;
        }
}

void bus_connect_system(Manager *m) {
        int r;

        if (try_system_bus(m) >= 0)
                return;
        /* Not up yet (early boot): connect when its socket appears. */
        if (m->system_bus_watch)
                return;
        r = watch_new(m->event, 0, 0, on_system_bus_socket, m, &m->system_bus_watch);
        if (r >= 0)
                r = watch_update(m->system_bus_watch, (char *[]) { (char *) SYSTEM_BUS_SOCKET, NULL }, NULL);
        if (r < 0)
                log_debug_errno(r, "Cannot wait for the system bus: %m");
}

/* ---- signals ---- */

static void for_each_bus(Manager *m, void (*f)(sd_bus *bus, void *data), void *data) {
        for (size_t i = 0; i < m->n_connections; i++)
                f(m->connections[i].bus, data);
        if (m->system_bus)
                f(m->system_bus, data);
}

static void emit_props(sd_bus *bus, void *data) {
        (void) sd_bus_emit_properties_changed_strv(bus, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, data);
}

void bus_emit_properties_changed(Manager *m, const char *property, ...) {
        char *names[16] = {};
        size_t n = 0;
        va_list ap;

        va_start(ap, property);
        for (const char *p = property; p && n < ELEMENTSOF(names) - 1; p = va_arg(ap, const char *))
                names[n++] = (char *) p;
        va_end(ap);
        for_each_bus(m, emit_props, names);
}

typedef struct SignalArgs {
        const char *member;
        const char *s1, *s2, *s3;
        unsigned u1, u2;
} SignalArgs;

static void emit_signal(sd_bus *bus, void *data) {
        const SignalArgs *a = data;

        if (streq(a->member, "Progress"))
                (void) sd_bus_emit_signal(bus, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, "Progress", "suus", a->s1,
                                          a->u1, a->u2, strempty(a->s2));
        else if (streq(a->member, "LevelChanged"))
                (void) sd_bus_emit_signal(bus, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, "LevelChanged", "ss", a->s1,
                                          strempty(a->s2));
        else
                (void) sd_bus_emit_signal(bus, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, "ProfileFailed", "ssus",
                                          a->s1, strempty(a->s2), a->u1, strempty(a->s3));
}

void bus_emit_progress(Manager *m, const char *phase, unsigned done, unsigned total, const char *current) {
        SignalArgs a = { .member = "Progress", .s1 = phase, .s2 = current, .u1 = done, .u2 = total };
        for_each_bus(m, emit_signal, &a);
}

void bus_emit_level_changed(Manager *m, const char *level, const char *previous) {
        SignalArgs a = { .member = "LevelChanged", .s1 = level, .s2 = previous };
        for_each_bus(m, emit_signal, &a);
}

void bus_emit_profile_failed(Manager *m, const char *file, const char *error_file, unsigned line,
                             const char *message) {
        SignalArgs a = { .member = "ProfileFailed", .s1 = file, .s2 = error_file, .u1 = line, .s3 = message };
        for_each_bus(m, emit_signal, &a);
}

void bus_close_all(Manager *m) {
        for (size_t i = 0; i < m->n_connections; i++) {
                sd_bus_flush_close_unref(m->connections[i].bus);
                caller_clear(&m->connections[i].peer);
        }
        free(m->connections);
        m->connections = NULL;
        m->n_connections = 0;
        m->listen_source = sd_event_source_disable_unref(m->listen_source);
        if (m->listen_fd >= 0)
                close(TAKE_FD(m->listen_fd));
        m->system_bus = sd_bus_flush_close_unref(m->system_bus);
        watch_free(m->system_bus_watch);
        m->system_bus_watch = NULL;
}
