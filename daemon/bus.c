/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.aalevel1.Manager over sd-bus. */
#include "bus-internal.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>

#include "access.h"
#include "dbus-api.h"
#include "fileio.h"
#include "kernel.h"
#include "log.h"
#include "strv.h"
#include "util.h"

#define SYSTEM_BUS_SOCKET "/run/dbus/system_bus_socket"


/* ---- requests and their outcome ---- */

/* What a RequestError is called on D-Bus. */
static const char * const request_error_names[_REQUEST_ERROR_MAX] = {
        [REQUEST_ERROR_FAILED] = AALEVEL_ERROR_FAILED,
        [REQUEST_ERROR_NO_SUCH_LEVEL] = AALEVEL_ERROR_NO_SUCH_LEVEL,
        [REQUEST_ERROR_NOTHING_PENDING] = AALEVEL_ERROR_NOTHING_PENDING,
        [REQUEST_ERROR_BUSY] = AALEVEL_ERROR_FAILED,
        [REQUEST_ERROR_ACCESS_DENIED] = AALEVEL_ERROR_ACCESS_DENIED,
};

static int reply_check(sd_bus_message *message, RequestKind kind, const EngineResult *res) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0 && kind == REQUEST_DIFF) {
                r = sd_bus_message_open_container(reply, 'a', "(ssss)");
                for (size_t i = 0; r >= 0 && i < res->n_diff; i++)
                        r = sd_bus_message_append(reply, "(ssss)", res->diff[i].name, res->diff[i].change,
                                                  res->diff[i].detail, res->diff[i].file);
        } else if (r >= 0) {
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
        if (r >= 0)
                r = sd_bus_send(NULL, reply, NULL);
        if (r < 0)
                return sd_bus_reply_method_errnof(message, -r, "Failed to send the result: %m");
        return 0;
}

/* A call answered later (after polkit, after its job): it counts against
 * its connection's BUS_CALLS_MAX until answered (bus-internal.h). */
typedef struct HeldCall {
        sd_bus_message *message;
        CallCount *count;               /* NULL on the system bus: not counted here */
} HeldCall;

static HeldCall *held_call_new(Bus *b, sd_bus_message *message) {
        Connection *c = connection_of(b, sd_bus_message_get_bus(message));
        HeldCall *h = calloc(1, sizeof(HeldCall));

        if (!h)
                return NULL;
        h->message = sd_bus_message_ref(message);
        if (c) {
                h->count = c->calls;
                h->count->n_ref++;
                h->count->n++;
        }
        return h;
}

static void held_call_free(void *userdata) {
        HeldCall *h = userdata;

        if (!h)
                return;
        if (h->count) {
                assert(h->count->n > 0);
                h->count->n--;
                call_count_unref(h->count);
        }
        sd_bus_message_unref(h->message);
        free(h);
}

/* The manager is done with a request that came as a method call. */
static void on_request_done(Request *req, RequestError error, const char *text, const EngineResult *result) {
        sd_bus_message *message = ((HeldCall *) req->userdata)->message;

        if (error != REQUEST_OK)
                (void) sd_bus_reply_method_errorf(message, request_error_names[error], "%s", strna(text));
        else if (req->kind == REQUEST_CHECK || req->kind == REQUEST_DIFF)
                (void) reply_check(message, req->kind, result);
        else
                (void) sd_bus_reply_method_return(message, NULL);
}

/* A request answered to message once done (request.c fills in who asks). */
static Request *bus_request_new(Bus *b, RequestKind kind, sd_bus_message *message) {
        Request *req = request_new(kind);

        if (!req)
                return NULL;
        req->userdata = held_call_new(b, message);
        if (!req->userdata)
                return request_free(req);
        req->done = on_request_done;
        req->userdata_free = held_call_free;
        return req;
}

/* ---- properties ---- */

static int property_get(sd_bus *bus, const char *path, const char *interface, const char *property,
                        sd_bus_message *reply, void *userdata, sd_bus_error *error) {
        Bus *b = userdata;
        Manager *m = b->manager;

        if (streq(property, "Version"))
                return sd_bus_message_append(reply, "s", PACKAGE_VERSION);
        if (streq(property, "Level"))
                return sd_bus_message_append(reply, "s", strempty(m->level));
        if (streq(property, "PendingLevel"))
                return sd_bus_message_append(reply, "s", strempty(m->pending_level));
        if (streq(property, "State"))
                return sd_bus_message_append(reply, "s", manager_state_to_string(m->state));
        if (streq(property, "LevelSource"))
                return sd_bus_message_append(reply, "s", manager_level_source(m));
        if (streq(property, "RevertLevel"))
                return sd_bus_message_append(reply, "s", manager_revert_level(m));
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
                _cleanup_strv_free_ char **all = manager_errors(m);
                if (!all)
                        return -ENOMEM;
                return sd_bus_message_append_strv(reply, all);
        }
        return -ENOENT;
}

/* ---- methods ---- */

/* Who is calling: the peer of a private-socket connection, read when it
 * connected; on the system bus, what the bus daemon says of the sender
 * (into storage). NULL: nobody can tell; the error says why. */
static const Caller *caller_of(Bus *b, sd_bus_message *message, Caller *storage, sd_bus_error *error) {
        sd_bus *bus = sd_bus_message_get_bus(message);
        Connection *c = connection_of(b, bus);
        int r;

        if (c)
                return &c->peer;
        if (bus != b->system_bus) {
                sd_bus_error_set(error, AALEVEL_ERROR_ACCESS_DENIED, "Unknown connection; refused.");
                return NULL;
        }
        r = caller_from_bus_message(message, storage);
        if (r < 0) {
                sd_bus_error_setf(error, AALEVEL_ERROR_ACCESS_DENIED, "Cannot tell who is calling (%s); refused.",
                                  strerror(-r));
                return NULL;
        }
        return storage;
}

/* A change (SetLevel, Confirm, Reload), authorized and carried out by
 * request_change(); the reply comes later (1: deferred, for sd-bus). */
static int bus_change(Bus *b, sd_bus_message *message, RequestKind kind, const ChangeOptions *o,
                      sd_bus_error *error) {
        _cleanup_(caller_clear) Caller sender = {};
        const Caller *caller;
        Request *req;
        int r;

        caller = caller_of(b, message, &sender, error);
        if (!caller)
                return -EACCES;
        req = bus_request_new(b, kind, message);
        if (!req)
                return -ENOMEM;
        r = request_change(b->manager, b->system_bus, caller, req, o);
        return r < 0 ? r : 1;
}

static int check_flags(uint64_t flags, sd_bus_error *error) {
        if (flags & ~(AALEVEL_FLAG_NO_BLOCK | AALEVEL_FLAG_INTERACTIVE))
                return sd_bus_error_setf(error, AALEVEL_ERROR_INVALID_ARGS, "Unknown flags 0x%" PRIx64 ".", flags);
        return 0;
}

static int method_set_level(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        const char *level;
        uint32_t confirm;
        uint64_t flags;
        int r;

        r = sd_bus_message_read(message, "sut", &level, &confirm, &flags);
        if (r < 0)
                return r;
        r = check_flags(flags, error);
        if (r < 0)
                return r;
        return bus_change(userdata, message, REQUEST_SET,
                          &(ChangeOptions) { .level = level, .confirm_sec = confirm,
                                             .no_block = flags & AALEVEL_FLAG_NO_BLOCK,
                                             .interactive = flags & AALEVEL_FLAG_INTERACTIVE },
                          error);
}

static int method_confirm(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return bus_change(userdata, message, REQUEST_CONFIRM, &(ChangeOptions) {}, error);
}

static int method_reload(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        uint64_t flags;
        int r;

        r = sd_bus_message_read(message, "t", &flags);
        if (r < 0)
                return r;
        r = check_flags(flags, error);
        if (r < 0)
                return r;
        return bus_change(userdata, message, REQUEST_RELOAD,
                          &(ChangeOptions) { .no_block = flags & AALEVEL_FLAG_NO_BLOCK,
                                             .interactive = flags & AALEVEL_FLAG_INTERACTIVE },
                          error);
}

static int method_list_levels(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Bus *b = userdata;
        Manager *m = b->manager;
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

/* "state" a(sass): apparmor.d's runtime state as the level sets it,
 * (variable, words, where they came from); only where the tree has it. */
static int append_entry_state(sd_bus_message *reply, const StateValues *detected, const ResolvedLevel *rl) {
        _cleanup_(state_values_done) StateValues v = {};
        int r;

        r = engine_state_for_level(detected, rl, &v);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'e', "sv");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", "state");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'v', "a(sass)");
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sass)");
        for (StateVar i = 0; r >= 0 && i < _STATE_VAR_MAX; i++) {
                if (!v.values[i] && !v.source[i])
                        continue;
                r = sd_bus_message_open_container(reply, 'r', "sass");
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", state_var_to_string(i));
                if (r >= 0)
                        r = sd_bus_message_append_strv(reply, v.values[i] ?: (char *[]) { NULL });
                if (r >= 0)
                        r = sd_bus_message_append(reply, "s", strempty(v.source[i]));
                if (r >= 0)
                        r = sd_bus_message_close_container(reply);
        }
        for (int k = 0; k < 3 && r >= 0; k++)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int method_get_level(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(resolved_level_freep) ResolvedLevel *rl = NULL;
        Bus *b = userdata;
        Manager *m = b->manager;
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
        for (int k = 0; k < 3 && r >= 0; k++)
                r = sd_bus_message_close_container(reply);
        if (r >= 0 && m->state_active)
                r = append_entry_state(reply, &m->detected, rl);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_list_profiles(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        Bus *b = userdata;
        ManagerProfileRow *rows = NULL;
        size_t n = 0;
        int r;

        r = manager_list_profiles(b->manager, &rows, &n);
        if (r < 0)
                return r;
        r = sd_bus_message_new_method_return(message, &reply);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "(sssss)");
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_bus_message_append(reply, "(sssss)", rows[i].name, rows[i].mode, rows[i].file, rows[i].status,
                                          rows[i].message);
        manager_profile_rows_free(rows, n);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_check(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        _cleanup_(caller_clear) Caller sender = {};
        Bus *b = userdata;
        bool diff = streq(sd_bus_message_get_member(message), "Diff");
        const Caller *caller;
        const char *level;
        Request *req;
        int r;

        r = sd_bus_message_read(message, "s", &level);
        if (r < 0)
                return r;
        caller = caller_of(b, message, &sender, error);
        if (!caller)
                return -EACCES;
        req = bus_request_new(b, diff ? REQUEST_DIFF : REQUEST_CHECK, message);
        if (!req)
                return -ENOMEM;
        r = request_check(b->manager, caller, req, level);
        return r < 0 ? r : 1;
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
        Bus *b = userdata;
        char name[64];

        snprintf(name, sizeof name, ":1.%" PRIu64, ++b->n_hello);
        return sd_bus_reply_method_return(message, "s", name);
}

static int method_match(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        return sd_bus_reply_method_return(message, NULL);
}

const sd_bus_vtable bus_fake_vtable[] = {
        SD_BUS_VTABLE_START(0),
        SD_BUS_METHOD("Hello", "", "s", method_hello, 0),
        SD_BUS_METHOD("AddMatch", "s", "", method_match, 0),
        SD_BUS_METHOD("RemoveMatch", "s", "", method_match, 0),
        SD_BUS_VTABLE_END
};

int bus_on_disconnected(sd_bus_message *message, void *userdata, sd_bus_error *error) {
        Bus *b = userdata;
        sd_bus *bus = sd_bus_message_get_bus(message);

        if (bus == b->system_bus) {
                log_info("The system bus went away; serving on the private socket only.");
                b->system_bus = sd_bus_flush_close_unref(b->system_bus);
                bus_connect_system(b);
                return 0;
        }
        connection_drop(b, bus);
        return 0;
}

/* ---- the system bus ---- */

static int try_system_bus(Bus *b) {
        sd_bus *bus = NULL;
        int r;

        if (b->system_bus)
                return 0;
        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_set_exit_on_disconnect(bus, false);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, bus_manager_vtable, b);
        if (r >= 0)
                r = sd_bus_match_signal(bus, NULL, "org.freedesktop.DBus.Local", NULL, "org.freedesktop.DBus.Local",
                                        "Disconnected", bus_on_disconnected, b);
        if (r >= 0)
                r = sd_bus_request_name(bus, AALEVEL_BUS_NAME, 0);
        if (r >= 0)
                r = sd_bus_attach_event(bus, b->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                sd_bus_flush_close_unref(bus);
                return r;
        }
        b->system_bus = bus;
        log_info("Serving %s on the system bus too.", AALEVEL_BUS_NAME);
        return 0;
}

static void on_system_bus_socket(char **paths, void *userdata) {
        Bus *b = userdata;

        if (try_system_bus(b) >= 0 && b->system_bus_watch) {
                watch_free(b->system_bus_watch);
                b->system_bus_watch = NULL;
        }
}

AcceptGate *bus_accept_gate(Bus *b) {
        return b ? b->gate : NULL;
}

sd_bus *bus_system_bus(Bus *b) {
        return b ? b->system_bus : NULL;
}

void bus_connect_system(Bus *b) {
        int r;

        assert(b);
        if (try_system_bus(b) >= 0)
                return;
        /* Not up yet (early boot): connect when its socket appears. */
        if (b->system_bus_watch)
                return;
        r = watch_new(b->event, 0, 0, on_system_bus_socket, b, &b->system_bus_watch);
        if (r >= 0)
                r = watch_update(b->system_bus_watch, (char *[]) { (char *) SYSTEM_BUS_SOCKET, NULL }, NULL);
        if (r < 0)
                log_debug_errno(r, "Cannot wait for the system bus: %m");
}

/* ---- signals: what the manager tells its observer ---- */

static void for_each_bus(Bus *b, void (*f)(sd_bus *bus, void *data), void *data) {
        for (size_t i = 0; i < b->n_connections; i++)
                f(b->connections[i]->bus, data);
        if (b->system_bus)
                f(b->system_bus, data);
}

static void emit_props(sd_bus *bus, void *data) {
        (void) sd_bus_emit_properties_changed_strv(bus, AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE, data);
}

/* The property of each ManagerProperty bit, in the vtable's order. */
static const char * const property_names[] = {
        "Level", "PendingLevel", "State", "LevelSource", "ConfirmDeadline", "RevertLevel", "ProfilesLoaded",
        "ProfilesFailed", "ProfilesModified", "LastReload", "LastReloadDuration", "Errors",
};

static void on_properties_changed(void *userdata, ManagerProperty changed) {
        char *names[ELEMENTSOF(property_names) + 1] = {};
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(property_names); i++)
                if (changed & (1u << i))
                        names[n++] = (char *) property_names[i];
        if (n > 0)
                for_each_bus(userdata, emit_props, names);
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

static void on_progress(void *userdata, const char *phase, unsigned done, unsigned total, const char *current) {
        SignalArgs a = { .member = "Progress", .s1 = phase, .s2 = current, .u1 = done, .u2 = total };
        for_each_bus(userdata, emit_signal, &a);
}

static void on_level_changed(void *userdata, const char *level, const char *previous) {
        SignalArgs a = { .member = "LevelChanged", .s1 = level, .s2 = previous };
        for_each_bus(userdata, emit_signal, &a);
}

static void on_profile_failed(void *userdata, const char *file, const char *error_file, unsigned line,
                              const char *message) {
        SignalArgs a = { .member = "ProfileFailed", .s1 = file, .s2 = error_file, .u1 = line, .s3 = message };
        for_each_bus(userdata, emit_signal, &a);
}

static const ManagerObserver bus_observer = {
        .properties_changed = on_properties_changed,
        .progress = on_progress,
        .level_changed = on_level_changed,
        .profile_failed = on_profile_failed,
};

/* ---- the object ---- */

int bus_new(Manager *m, Bus **ret) {
        Bus *b;
        int r;

        assert(m);
        assert(ret);

        b = calloc(1, sizeof(Bus));
        if (!b)
                return -ENOMEM;
        *b = (Bus) { .manager = m, .event = sd_event_ref(m->event), .listen_fd = -1 };
        r = accept_gate_new(m->event, accept_gate_max_connections(), ACCEPT_GATE_ROOT_RESERVE, ACCEPT_GATE_PER_UID,
                            &b->gate);
        if (r >= 0)
                r = accept_gate_join(b->gate, "bus socket", bus_connections_of_uid, b, &b->gate_member);
        if (r < 0) {
                accept_gate_unref(b->gate);
                sd_event_unref(b->event);
                free(b);
                return r;
        }
        manager_add_observer(m, &bus_observer, b);
        *ret = b;
        return 0;
}

Bus *bus_free(Bus *b) {
        if (!b)
                return NULL;
        manager_remove_observer(b->manager, &bus_observer, b);
        b->gate_member = accept_gate_leave(b->gate_member);
        b->gate = accept_gate_unref(b->gate);
        for (size_t i = 0; i < b->n_connections; i++)
                connection_free(b->connections[i]);
        free(b->connections);
        if (b->listen_fd >= 0)
                close(b->listen_fd);
        sd_bus_flush_close_unref(b->system_bus);
        watch_free(b->system_bus_watch);
        sd_event_unref(b->event);
        free(b);
        return NULL;
}
