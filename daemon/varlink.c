/* SPDX-License-Identifier: GPL-2.0-or-later */
/* org.aalevel.Manager over sd-varlink: the listening socket and its
 * connections (after bus-socket.c), the methods (after bus.c), the
 * progress streamed to calls with more. */
#include "varlink.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <systemd/sd-json.h>
#include <unistd.h>

#include "listen.h"
#include "log.h"
#include "strv.h"
#include "accept-gate.h"
#include "util.h"
#include "varlink-idl.h"

/* The D-Bus socket's gate (accept-gate.h), shared: connections of one
 * uid (root not counted) and connections in all (from the descriptor
 * limit, with a reserve for root) count both sockets together. A
 * connection has at most one call in progress: sd-varlink reads the next
 * only once it is answered. A call with more gets a progress reply only
 * when the last one was read: a client that does not read holds one at
 * most. */

typedef struct VarlinkConnection {
        Varlink *owner;
        sd_varlink *link;
        Caller peer;            /* read from the kernel when it connected */
} VarlinkConnection;

/* A call answered later (after polkit, after its job). */
typedef struct VarlinkCall {
        Varlink *owner;         /* NULL once the Varlink is gone */
        sd_varlink *link;
        bool more;              /* streams progress */
} VarlinkCall;

struct Varlink {
        Manager *manager;
        Bus *bus;               /* its system bus connection, for polkit */
        sd_event *event;
        sd_varlink_server *server;

        int listen_fd;
        AcceptGate *gate;               /* the Bus's, or its own without one */
        AcceptGateMember *gate_member;
        VarlinkConnection **connections;
        size_t n_connections;

        VarlinkCall **calls;            /* answered later, for progress */
        size_t n_calls;
};

/* ---- calls answered later ---- */

static const char * const request_error_names[_REQUEST_ERROR_MAX] = {
        [REQUEST_ERROR_FAILED] = AALEVEL_VARLINK_ERROR_FAILED,
        [REQUEST_ERROR_NO_SUCH_LEVEL] = AALEVEL_VARLINK_ERROR_NO_SUCH_LEVEL,
        [REQUEST_ERROR_NOTHING_PENDING] = AALEVEL_VARLINK_ERROR_NOTHING_PENDING,
        [REQUEST_ERROR_BUSY] = AALEVEL_VARLINK_ERROR_FAILED,
        [REQUEST_ERROR_ACCESS_DENIED] = AALEVEL_VARLINK_ERROR_ACCESS_DENIED,
};

static void varlink_call_free(void *userdata) {
        VarlinkCall *call = userdata;
        Varlink *v;

        if (!call)
                return;
        v = call->owner;
        if (v)
                for (size_t i = 0; i < v->n_calls; i++)
                        if (v->calls[i] == call) {
                                v->calls[i] = v->calls[--v->n_calls];
                                break;
                        }
        sd_varlink_unref(call->link);
        free(call);
}

static int reply_check(sd_varlink *link, RequestKind kind, const EngineResult *res) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *array = NULL;
        int r = 0;

        if (kind == REQUEST_DIFF)
                for (size_t i = 0; r >= 0 && i < res->n_diff; i++)
                        r = sd_json_variant_append_arraybo(
                                        &array, SD_JSON_BUILD_PAIR_STRING("name", res->diff[i].name),
                                        SD_JSON_BUILD_PAIR_STRING("change", res->diff[i].change),
                                        SD_JSON_BUILD_PAIR_STRING("detail", strempty(res->diff[i].detail)),
                                        SD_JSON_BUILD_PAIR_STRING("file", strempty(res->diff[i].file)));
        else
                for (size_t i = 0; r >= 0 && i < res->n_failures; i++) {
                        const UnitFailure *f = &res->failures[i];
                        r = sd_json_variant_append_arraybo(
                                        &array, SD_JSON_BUILD_PAIR_STRING("file", strempty(f->file)),
                                        SD_JSON_BUILD_PAIR_STRING("name", strempty(f->name)),
                                        SD_JSON_BUILD_PAIR_STRING("errorFile", strempty(f->error_file)),
                                        SD_JSON_BUILD_PAIR_UNSIGNED("line", f->line),
                                        SD_JSON_BUILD_PAIR_STRING("message", strempty(f->message)));
                }
        if (r >= 0 && !array)
                r = sd_json_variant_new_array(&array, NULL, 0);
        if (r < 0)
                return sd_varlink_error_errno(link, r);
        if (kind == REQUEST_DIFF)
                return sd_varlink_replybo(link, SD_JSON_BUILD_PAIR_VARIANT("changes", array));
        return sd_varlink_replybo(link, SD_JSON_BUILD_PAIR_UNSIGNED("compiled", res->n_units - res->n_failed),
                                  SD_JSON_BUILD_PAIR_UNSIGNED("failed", res->n_failed),
                                  SD_JSON_BUILD_PAIR_VARIANT("failures", array));
}

/* The manager is done with a request that came as a method call. */
static void on_request_done(Request *req, RequestError error, const char *text, const EngineResult *result) {
        VarlinkCall *call = req->userdata;
        int r;

        if (error != REQUEST_OK)
                r = sd_varlink_errorbo(call->link, request_error_names[error],
                                       SD_JSON_BUILD_PAIR_STRING("message", strna(text)));
        else if ((req->kind == REQUEST_CHECK || req->kind == REQUEST_DIFF) && result)
                r = reply_check(call->link, req->kind, result);
        else
                r = sd_varlink_reply(call->link, NULL);
        if (r < 0)
                log_debug_errno(r, "Cannot answer a Varlink call (the client is gone?): %m");
}

/* A request answered on link once done; with more, it gets progress
 * meanwhile. */
static Request *varlink_request_new(Varlink *v, sd_varlink *link, RequestKind kind, bool more) {
        Request *req = request_new(kind);
        VarlinkCall *call, **a;

        if (!req)
                return NULL;
        call = calloc(1, sizeof(VarlinkCall));
        a = realloc(v->calls, sizeof(VarlinkCall *) * (v->n_calls + 1));
        if (!call || !a) {
                free(call);
                if (a)
                        v->calls = a;
                return request_free(req);
        }
        v->calls = a;
        *call = (VarlinkCall) { .owner = v, .link = sd_varlink_ref(link), .more = more };
        v->calls[v->n_calls++] = call;
        req->userdata = call;
        req->userdata_free = varlink_call_free;
        req->done = on_request_done;
        return req;
}

/* ---- parameters ---- */

/* Optional fields: null or absent leaves the default. */
static int dispatch_opt_uint32(const char *name, sd_json_variant *variant, sd_json_dispatch_flags_t flags,
                               void *userdata) {
        if (sd_json_variant_is_null(variant))
                return 0;
        return sd_json_dispatch_uint32(name, variant, flags, userdata);
}

static int dispatch_opt_bool(const char *name, sd_json_variant *variant, sd_json_dispatch_flags_t flags,
                             void *userdata) {
        if (sd_json_variant_is_null(variant))
                return 0;
        return sd_json_dispatch_stdbool(name, variant, flags, userdata);
}

static int dispatch_opt_string(const char *name, sd_json_variant *variant, sd_json_dispatch_flags_t flags,
                               void *userdata) {
        if (sd_json_variant_is_null(variant))
                return 0;
        return sd_json_dispatch_const_string(name, variant, flags, userdata);
}

typedef struct ChangeParameters {
        const char *level;
        uint32_t confirm;
        bool no_block;
        bool interactive;
} ChangeParameters;

static const sd_json_dispatch_field set_level_fields[] = {
        { "level", SD_JSON_VARIANT_STRING, sd_json_dispatch_const_string, offsetof(ChangeParameters, level),
          SD_JSON_MANDATORY },
        { "confirmSeconds", _SD_JSON_VARIANT_TYPE_INVALID, dispatch_opt_uint32, offsetof(ChangeParameters, confirm), 0 },
        { "noBlock", _SD_JSON_VARIANT_TYPE_INVALID, dispatch_opt_bool, offsetof(ChangeParameters, no_block), 0 },
        { "allowInteractiveAuthentication", _SD_JSON_VARIANT_TYPE_INVALID, dispatch_opt_bool,
          offsetof(ChangeParameters, interactive), 0 },
        {}
};

static const sd_json_dispatch_field reload_fields[] = {
        { "noBlock", _SD_JSON_VARIANT_TYPE_INVALID, dispatch_opt_bool, offsetof(ChangeParameters, no_block), 0 },
        { "allowInteractiveAuthentication", _SD_JSON_VARIANT_TYPE_INVALID, dispatch_opt_bool,
          offsetof(ChangeParameters, interactive), 0 },
        {}
};

static const sd_json_dispatch_field confirm_fields[] = {
        { "allowInteractiveAuthentication", _SD_JSON_VARIANT_TYPE_INVALID, dispatch_opt_bool,
          offsetof(ChangeParameters, interactive), 0 },
        {}
};

static const sd_json_dispatch_field no_fields[] = {
        {}
};

/* ---- methods ---- */

static int method_get_status(sd_varlink *link, sd_json_variant *parameters, sd_varlink_method_flags_t flags,
                             void *userdata) {
        VarlinkConnection *c = userdata;
        Manager *m = c->owner->manager;
        _cleanup_strv_free_ char **errors = NULL;
        int r;

        r = sd_varlink_dispatch(link, parameters, no_fields, NULL);
        if (r != 0)
                return r;
        errors = manager_errors(m);
        if (!errors)
                return -ENOMEM;
        return sd_varlink_replybo(
                        link, SD_JSON_BUILD_PAIR_STRING("version", PACKAGE_VERSION),
                        SD_JSON_BUILD_PAIR_STRING("level", strempty(m->level)),
                        SD_JSON_BUILD_PAIR_STRING("pendingLevel", strempty(m->pending_level)),
                        SD_JSON_BUILD_PAIR_STRING("state", manager_state_to_string(m->state)),
                        SD_JSON_BUILD_PAIR_STRING("levelSource", manager_level_source(m)),
                        SD_JSON_BUILD_PAIR_UNSIGNED("confirmDeadline", m->confirm_deadline),
                        SD_JSON_BUILD_PAIR_STRING("revertLevel", manager_revert_level(m)),
                        SD_JSON_BUILD_PAIR_UNSIGNED("profilesLoaded", manager_profiles_loaded(m)),
                        SD_JSON_BUILD_PAIR_UNSIGNED("profilesFailed", manager_profiles_failed(m)),
                        SD_JSON_BUILD_PAIR_UNSIGNED("profilesModified", strv_length(m->modified)),
                        SD_JSON_BUILD_PAIR_UNSIGNED("lastReload", m->last_reload),
                        SD_JSON_BUILD_PAIR_UNSIGNED("lastReloadDuration", m->last_reload_duration),
                        SD_JSON_BUILD_PAIR_STRV("errors", errors));
}

/* A change, authorized and carried out by request_change(); answered
 * later (0: no reply yet, for sd-varlink). */
static int varlink_change(VarlinkConnection *c, sd_varlink *link, sd_varlink_method_flags_t flags, RequestKind kind,
                          const ChangeParameters *p) {
        Varlink *v = c->owner;
        Request *req;
        int r;

        req = varlink_request_new(v, link, kind, flags & SD_VARLINK_METHOD_MORE);
        if (!req)
                return -ENOMEM;
        r = request_change(v->manager, bus_system_bus(v->bus), &c->peer, req,
                           &(ChangeOptions) { .level = p->level, .confirm_sec = p->confirm,
                                              .no_block = p->no_block, .interactive = p->interactive });
        return r < 0 ? r : 0;
}

static int method_set_level(sd_varlink *link, sd_json_variant *parameters, sd_varlink_method_flags_t flags,
                            void *userdata) {
        ChangeParameters p = { .confirm = UINT32_MAX };
        int r;

        r = sd_varlink_dispatch(link, parameters, set_level_fields, &p);
        if (r != 0)
                return r;
        return varlink_change(userdata, link, flags, REQUEST_SET, &p);
}

static int method_confirm(sd_varlink *link, sd_json_variant *parameters, sd_varlink_method_flags_t flags,
                          void *userdata) {
        ChangeParameters p = {};
        int r;

        r = sd_varlink_dispatch(link, parameters, confirm_fields, &p);
        if (r != 0)
                return r;
        return varlink_change(userdata, link, flags, REQUEST_CONFIRM, &p);
}

static int method_reload(sd_varlink *link, sd_json_variant *parameters, sd_varlink_method_flags_t flags,
                         void *userdata) {
        ChangeParameters p = {};
        int r;

        r = sd_varlink_dispatch(link, parameters, reload_fields, &p);
        if (r != 0)
                return r;
        return varlink_change(userdata, link, flags, REQUEST_RELOAD, &p);
}

static int method_list_levels(sd_varlink *link, sd_json_variant *parameters, sd_varlink_method_flags_t flags,
                              void *userdata) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *array = NULL;
        VarlinkConnection *c = userdata;
        Manager *m = c->owner->manager;
        int r;

        r = sd_varlink_dispatch(link, parameters, no_fields, NULL);
        if (r != 0)
                return r;
        for (size_t i = 0; i < m->levels->n_levels; i++) {
                const Level *l = m->levels->levels[i];
                r = sd_json_variant_append_arraybo(&array, SD_JSON_BUILD_PAIR_STRING("name", l->name),
                                                   SD_JSON_BUILD_PAIR_STRING("inherits", strempty(l->inherits)),
                                                   SD_JSON_BUILD_PAIR_STRING("description", strempty(l->description)),
                                                   SD_JSON_BUILD_PAIR_STRING("file", strempty(l->file)));
                if (r < 0)
                        return r;
        }
        if (!array && (r = sd_json_variant_new_array(&array, NULL, 0)) < 0)
                return r;
        return sd_varlink_replybo(link, SD_JSON_BUILD_PAIR_VARIANT("levels", array));
}

static int method_list_profiles(sd_varlink *link, sd_json_variant *parameters, sd_varlink_method_flags_t flags,
                                void *userdata) {
        _cleanup_(sd_json_variant_unrefp) sd_json_variant *array = NULL;
        VarlinkConnection *c = userdata;
        ManagerProfileRow *rows = NULL;
        size_t n = 0;
        int r;

        r = sd_varlink_dispatch(link, parameters, no_fields, NULL);
        if (r != 0)
                return r;
        r = manager_list_profiles(c->owner->manager, &rows, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = sd_json_variant_append_arraybo(&array, SD_JSON_BUILD_PAIR_STRING("name", rows[i].name),
                                                   SD_JSON_BUILD_PAIR_STRING("mode", rows[i].mode),
                                                   SD_JSON_BUILD_PAIR_STRING("file", rows[i].file),
                                                   SD_JSON_BUILD_PAIR_STRING("status", rows[i].status),
                                                   SD_JSON_BUILD_PAIR_STRING("message", rows[i].message));
        manager_profile_rows_free(rows, n);
        if (r >= 0 && !array)
                r = sd_json_variant_new_array(&array, NULL, 0);
        if (r < 0)
                return r;
        return sd_varlink_replybo(link, SD_JSON_BUILD_PAIR_VARIANT("profiles", array));
}

static int method_check(sd_varlink *link, sd_json_variant *parameters, sd_varlink_method_flags_t flags,
                        void *userdata, bool diff) {
        const sd_json_dispatch_field fields[] = {
                { "level", diff ? SD_JSON_VARIANT_STRING : _SD_JSON_VARIANT_TYPE_INVALID,
                  diff ? sd_json_dispatch_const_string : dispatch_opt_string, 0, diff ? SD_JSON_MANDATORY : 0 },
                {}
        };
        VarlinkConnection *c = userdata;
        Varlink *v = c->owner;
        const char *level = NULL;
        Request *req;
        int r;

        r = sd_varlink_dispatch(link, parameters, fields, &level);
        if (r != 0)
                return r;
        req = varlink_request_new(v, link, diff ? REQUEST_DIFF : REQUEST_CHECK, flags & SD_VARLINK_METHOD_MORE);
        if (!req)
                return -ENOMEM;
        r = request_check(v->manager, &c->peer, req, level);
        return r < 0 ? r : 0;
}

static int method_diff(sd_varlink *link, sd_json_variant *parameters, sd_varlink_method_flags_t flags,
                       void *userdata) {
        return method_check(link, parameters, flags, userdata, true);
}

static int method_check_level(sd_varlink *link, sd_json_variant *parameters, sd_varlink_method_flags_t flags,
                              void *userdata) {
        return method_check(link, parameters, flags, userdata, false);
}

/* ---- progress: what the manager tells its observer ---- */

static void on_progress(void *userdata, const char *phase, unsigned done, unsigned total, const char *current) {
        Varlink *v = userdata;

        for (size_t i = 0; i < v->n_calls; i++) {
                VarlinkCall *call = v->calls[i];
                int events;
                if (!call->more)
                        continue;
                /* The last progress reply not read yet: this one is dropped. */
                events = sd_varlink_get_events(call->link);
                if (events < 0 || (events & POLLOUT))
                        continue;
                (void) sd_varlink_notifybo(call->link,
                                           SD_JSON_BUILD_PAIR_OBJECT("progress",
                                                                     SD_JSON_BUILD_PAIR_STRING("phase", phase),
                                                                     SD_JSON_BUILD_PAIR_UNSIGNED("done", done),
                                                                     SD_JSON_BUILD_PAIR_UNSIGNED("total", total),
                                                                     SD_JSON_BUILD_PAIR_STRING("current",
                                                                                               strempty(current))));
        }
}

static const ManagerObserver varlink_observer = {
        .progress = on_progress,
};

/* ---- connections ---- */

static void connection_free(VarlinkConnection *c) {
        if (!c)
                return;
        if (c->link) {
                sd_varlink_set_userdata(c->link, NULL);
                sd_varlink_close_unref(c->link);
        }
        caller_clear(&c->peer);
        free(c);
}

static void on_disconnect(sd_varlink_server *server, sd_varlink *link, void *userdata) {
        Varlink *v = userdata;
        VarlinkConnection *c = sd_varlink_get_userdata(link);

        for (size_t i = 0; c && i < v->n_connections; i++)
                if (v->connections[i] == c) {
                        v->connections[i] = v->connections[--v->n_connections];
                        /* sd-varlink closes it itself. */
                        sd_varlink_set_userdata(c->link, NULL);
                        c->link = sd_varlink_unref(c->link);
                        connection_free(c);
                        accept_gate_resume(v->gate);
                        return;
                }
}

int varlink_add_connection(Varlink *v, int fd, Caller *peer) {
        VarlinkConnection *c, **a;
        int r;

        assert(v);
        assert(fd >= 0);
        assert(peer);

        c = calloc(1, sizeof(VarlinkConnection));
        a = realloc(v->connections, sizeof(VarlinkConnection *) * (v->n_connections + 1));
        if (a)
                v->connections = a;
        if (!c || !a) {
                free(c);
                close(fd);
                caller_clear(peer);
                return -ENOMEM;
        }
        c->owner = v;
        c->peer = *peer;
        *peer = (Caller) {};
        r = sd_varlink_server_add_connection(v->server, fd, &c->link);
        if (r < 0) {
                close(fd);
                connection_free(c);
                return r;
        }
        sd_varlink_ref(c->link);
        sd_varlink_set_userdata(c->link, c);
        v->connections[v->n_connections++] = c;
        return 0;
}

static size_t connections_of_uid(void *userdata, uid_t uid) {
        Varlink *v = userdata;
        size_t n = 0;

        if (uid == (uid_t) -1)
                return v->n_connections;
        for (size_t i = 0; i < v->n_connections; i++)
                n += v->connections[i]->peer.uid == uid;
        return n;
}

static int on_connection(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Varlink *v = userdata;
        _cleanup_(caller_clear) Caller peer = {};
        int nfd, r;

        nfd = accept_gate_next(v->gate_member, fd, &peer);
        if (nfd < 0)
                return 0;
        r = varlink_add_connection(v, nfd, &peer);
        if (r < 0)
                log_warning_errno(r, "Failed to set up a Varlink connection: %m");
        return 0;
}

int varlink_listen(Varlink *v) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;
        int r;

        assert(v);
        assert(v->listen_fd < 0);

        path = path_join(v->manager->config->runtime_dir, AALEVEL_VARLINK_SOCKET);
        if (!path)
                return log_oom();
        fd = listen_unix(path, "Varlink socket");
        if (fd < 0)
                return fd;
        r = accept_gate_listen(v->gate_member, fd, on_connection, v);
        if (r < 0)
                return log_error_errno(r, "Failed to watch the Varlink socket: %m");
        v->listen_fd = TAKE_FD(fd);
        return 0;
}

/* ---- the object ---- */

int varlink_new(Manager *m, Bus *bus, Varlink **ret) {
        _cleanup_(varlink_freep) Varlink *v = NULL;
        int r;

        assert(m);
        assert(ret);

        v = calloc(1, sizeof(Varlink));
        if (!v)
                return -ENOMEM;
        *v = (Varlink) { .manager = m, .bus = bus, .event = sd_event_ref(m->event), .listen_fd = -1,
                         .gate = accept_gate_ref(bus_accept_gate(bus)) };
        if (!v->gate) {
                r = accept_gate_new(m->event, accept_gate_max_connections(), ACCEPT_GATE_ROOT_RESERVE,
                                    ACCEPT_GATE_PER_UID, &v->gate);
                if (r < 0)
                        return r;
        }
        r = accept_gate_join(v->gate, "Varlink socket", connections_of_uid, v, &v->gate_member);
        if (r >= 0)
                r = sd_varlink_server_new(&v->server, 0);
        if (r >= 0)
                r = sd_varlink_server_set_info(v->server, "aalevel", "aalevel (AppArmor security levels)",
                                               PACKAGE_VERSION, PACKAGE_URL);
        if (r >= 0)
                r = sd_varlink_server_set_description(v->server, "aalevel");
        if (r >= 0)
                r = sd_varlink_server_add_interface(v->server, &vl_interface_org_aalevel_Manager);
        if (r >= 0)
                r = sd_varlink_server_bind_method_many(
                                v->server,
                                AALEVEL_VARLINK_INTERFACE ".GetStatus", method_get_status,
                                AALEVEL_VARLINK_INTERFACE ".SetLevel", method_set_level,
                                AALEVEL_VARLINK_INTERFACE ".Confirm", method_confirm,
                                AALEVEL_VARLINK_INTERFACE ".Reload", method_reload,
                                AALEVEL_VARLINK_INTERFACE ".ListLevels", method_list_levels,
                                AALEVEL_VARLINK_INTERFACE ".ListProfiles", method_list_profiles,
                                AALEVEL_VARLINK_INTERFACE ".Diff", method_diff,
                                AALEVEL_VARLINK_INTERFACE ".Check", method_check_level);
        if (r >= 0)
                r = sd_varlink_server_bind_disconnect(v->server, on_disconnect);
        /* The limits are ours (on_connection()); sd-varlink's own would
         * count root too. */
        if (r >= 0)
                r = sd_varlink_server_set_connections_max(v->server,
                                                          (unsigned) (accept_gate_max_connections() +
                                                                      ACCEPT_GATE_ROOT_RESERVE + 1));
        if (r >= 0)
                r = sd_varlink_server_attach_event(v->server, v->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return r;
        sd_varlink_server_set_userdata(v->server, v);
        manager_add_observer(m, &varlink_observer, v);
        *ret = TAKE_PTR(v);
        return 0;
}

Varlink *varlink_free(Varlink *v) {
        if (!v)
                return NULL;
        manager_remove_observer(v->manager, &varlink_observer, v);
        v->gate_member = accept_gate_leave(v->gate_member);
        v->gate = accept_gate_unref(v->gate);
        /* Calls still waiting for their job: answered into the void. */
        for (size_t i = 0; i < v->n_calls; i++)
                v->calls[i]->owner = NULL;
        free(v->calls);
        for (size_t i = 0; i < v->n_connections; i++)
                connection_free(v->connections[i]);
        free(v->connections);
        if (v->server) {
                (void) sd_varlink_server_shutdown(v->server);
                sd_varlink_server_unref(v->server);
        }
        if (v->listen_fd >= 0)
                close(v->listen_fd);
        sd_event_unref(v->event);
        free(v);
        return NULL;
}
