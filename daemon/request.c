/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Requests to the manager, independent of the transport, and the one
 * implementation of each operation that every transport calls. */
#include "request.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "level.h"
#include "log.h"
#include "manager.h"
#include "util.h"

Request *request_new(RequestKind kind) {
        Request *r;

        assert(kind >= 0 && kind < _REQUEST_KIND_MAX);

        r = calloc(1, sizeof(Request));
        if (!r)
                return NULL;
        r->n_ref = 1;
        r->kind = kind;
        r->uid = 0;
        r->may_lower = true;
        return r;
}

Request *request_ref(Request *r) {
        assert(r && r->n_ref > 0);
        r->n_ref++;
        return r;
}

Request *request_free(Request *r) {
        if (!r)
                return NULL;
        assert(r->n_ref > 0);
        if (--r->n_ref > 0)
                return NULL;
        if (r->userdata_free)
                r->userdata_free(r->userdata);
        free(r->previous);
        free(r);
        return NULL;
}

void request_complete(Request *r, RequestError error, const char *message, const EngineResult *result) {
        RequestDone done;

        assert(r);
        assert(error >= 0 && error < _REQUEST_ERROR_MAX);

        done = TAKE_PTR(r->done);
        if (!done)
                return;
        done(r, error, message, result);
        /* Answered: the transport's call is no longer held. */
        if (r->userdata_free)
                r->userdata_free(r->userdata);
        r->userdata = NULL;
        r->userdata_free = NULL;
}

char *request_error_message(RequestError error, const char *level) {
        char *s = NULL;
        int r;

        switch (error) {
        case REQUEST_ERROR_NO_SUCH_LEVEL:
                r = asprintf(&s, "Level '%s' is not defined.", strempty(level));
                break;
        case REQUEST_ERROR_NOTHING_PENDING:
                r = asprintf(&s, "No level is waiting for confirmation.");
                break;
        case REQUEST_ERROR_BUSY:
                r = asprintf(&s, "Too many checks and diffs are waiting already; try again later.");
                break;
        case REQUEST_ERROR_ACCESS_DENIED:
                r = asprintf(&s, "A caller confined by AppArmor may not lower the security level: '%s' is not "
                             "above the level applied, pending or recorded.", strempty(level));
                break;
        default:
                r = asprintf(&s, "The request failed.");
                break;
        }
        return r < 0 ? NULL : s;
}

/* Answers req with the refusal r (a positive RequestError) and drops it. */
static void refuse(Request *req, int r, const char *level) {
        _cleanup_free_ char *text = request_error_message(r, level);

        request_complete(req, r, text ? text : "Out of memory.", NULL);
        request_free(req);
}

/* Hands req to the manager's entry point for its kind. req is answered
 * in every case: by the manager, or here with its refusal. */
static void submit(Manager *m, Request *req_in, const char *level, unsigned confirm_sec, bool no_block) {
        _cleanup_(request_freep) Request *req = req_in;
        int r;

        /* The manager frees the request it refuses without answering it:
         * a second reference keeps it for the answer. */
        request_ref(req);
        switch (req->kind) {
        case REQUEST_SET:
                r = manager_set_level(m, level, confirm_sec, req);
                break;
        case REQUEST_CONFIRM:
                r = manager_confirm(m, req);
                break;
        case REQUEST_RELOAD:
                r = manager_reload(m, req);
                break;
        case REQUEST_CHECK:
        case REQUEST_DIFF:
                r = manager_check(m, level, req->kind == REQUEST_DIFF, req);
                break;
        default:
                assert(false);
                request_free(req);
                r = -EINVAL;
                break;
        }
        if (r < 0) {
                _cleanup_free_ char *text = NULL;
                if (asprintf(&text, "The request failed: %s.", strerror(-r)) < 0)
                        text = NULL;
                request_complete(req, REQUEST_ERROR_FAILED, text ? text : "The request failed.", NULL);
        } else if (r > 0)
                refuse(TAKE_PTR(req), r, level);
        else if (no_block)
                /* Accepted: the caller does not wait for the job. */
                request_complete(req, REQUEST_OK, NULL, NULL);
}

/* A change waiting for its authorization. */
typedef struct Change {
        Manager *manager;
        Request *req;
        char *level;
        unsigned confirm_sec;
        bool no_block;
} Change;

static void change_free(Change *c) {
        if (!c)
                return;
        request_free(c->req);
        free(c->level);
        free(c);
}

static void on_authorized(int r, const char *why, void *userdata) {
        Change *c = userdata;

        if (r < 0)
                request_complete(c->req, REQUEST_ERROR_ACCESS_DENIED, strna(why), NULL);
        else
                submit(c->manager, TAKE_PTR(c->req), c->level, c->confirm_sec, c->no_block);
        change_free(c);
}

int request_change(Manager *m, sd_bus *system_bus, const Caller *caller, Request *req_in, const ChangeOptions *o) {
        _cleanup_(request_freep) Request *req = req_in;
        Change *c;
        AccessChange access;
        int r;

        assert(m);
        assert(caller);
        assert(req);
        assert(o);
        assert(req->kind == REQUEST_SET || req->kind == REQUEST_CONFIRM || req->kind == REQUEST_RELOAD);

        if (req->kind == REQUEST_SET && !level_name_is_valid(o->level)) {
                _cleanup_free_ char *text = NULL;
                if (asprintf(&text, "Level '%s' is not defined (aalevelctl list shows the levels).",
                             strempty(o->level)) < 0)
                        return -ENOMEM;
                request_complete(req, REQUEST_ERROR_NO_SUCH_LEVEL, text, NULL);
                return 0;
        }
        /* Judged with the definitions in memory: no file is read for a
         * caller not yet authorized. A level not known yet counts as
         * lowering; the manager reads the definitions again, and judges
         * again, once the caller is allowed. Confirming ends the safety
         * net of a switch: like lowering. Reloading changes no level by
         * itself. */
        access = req->kind == REQUEST_RELOAD ? ACCESS_OTHER
               : req->kind == REQUEST_SET && manager_is_raise(m, o->level) ? ACCESS_RAISE
               : ACCESS_LOWER;
        req->uid = caller->uid;
        req->may_lower = access_may_lower(caller, m->config->lower_labels);

        c = calloc(1, sizeof(Change));
        if (!c)
                return -ENOMEM;
        *c = (Change) { .manager = m, .confirm_sec = o->confirm_sec,
                        .no_block = o->no_block && req->kind != REQUEST_CONFIRM };
        if (req->kind == REQUEST_SET && !(c->level = strdup(o->level))) {
                free(c);
                return -ENOMEM;
        }
        c->req = TAKE_PTR(req);
        r = access_check_async(caller, system_bus, access, m->config->lower_labels, o->interactive, on_authorized,
                               c);
        if (r < 0) {
                c->req->done = NULL; /* nothing was started: the transport answers */
                change_free(c);
                return r;
        }
        return 0;
}

int request_check(Manager *m, const Caller *caller, Request *req, const char *level) {
        assert(m);
        assert(caller);
        assert(req);
        assert(req->kind == REQUEST_CHECK || req->kind == REQUEST_DIFF);

        if (isempty(level) && req->kind == REQUEST_CHECK)
                level = manager_current_level(m);
        /* Who asks: each user's checks and diffs are counted. */
        req->uid = caller->uid;
        submit(m, req, strempty(level), 0, false);
        return 0;
}
