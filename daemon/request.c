/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Requests to the manager, independent of the transport. */
#include "request.h"

#include <assert.h>
#include <stdlib.h>

Request *request_new(RequestKind kind) {
        Request *r;

        assert(kind >= 0 && kind < _REQUEST_KIND_MAX);

        r = calloc(1, sizeof(Request));
        if (!r)
                return NULL;
        r->kind = kind;
        r->uid = 0;
        r->may_lower = true;
        return r;
}

Request *request_free(Request *r) {
        if (!r)
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
        if (done)
                done(r, error, message, result);
}
