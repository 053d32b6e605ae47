/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A client's request to the manager, whatever the transport it came by
 * (D-Bus in bus.c; Varlink later): what it asks for, and how the manager
 * tells the transport the outcome once the job behind it is done. The
 * manager answers each request once, through done; the transport keeps
 * its own call to answer in userdata. How a request ended is a
 * RequestError, which each transport maps to its own error names. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>

#include "engine.h"

typedef enum RequestKind {
        REQUEST_START,          /* the first apply */
        REQUEST_SET,            /* SetLevel */
        REQUEST_RELOAD,         /* Reload or SIGHUP */
        REQUEST_WATCH,          /* files changed */
        REQUEST_REVERT,         /* confirmation window ran out */
        REQUEST_CONFIRM,
        REQUEST_CHECK,
        REQUEST_DIFF,
        REQUEST_INSPECT,
        _REQUEST_KIND_MAX,
        _REQUEST_KIND_INVALID = -EINVAL,
} RequestKind;

/* The documented ways a request ends without success. The manager's entry
 * points return them as positive values (a negative errno is a failure
 * nobody planned for, out of memory say), and done gets them. */
typedef enum RequestError {
        REQUEST_OK = 0,
        REQUEST_ERROR_FAILED,           /* the job failed, or the change was refused: the message says why */
        REQUEST_ERROR_NO_SUCH_LEVEL,
        REQUEST_ERROR_NOTHING_PENDING,  /* Confirm without a level waiting for it */
        REQUEST_ERROR_BUSY,             /* too many checks and diffs are queued (the caller's, or all) */
        REQUEST_ERROR_ACCESS_DENIED,    /* the caller may not lower the level, judged as the job is queued */
        _REQUEST_ERROR_MAX,
        _REQUEST_ERROR_INVALID = -EINVAL,
} RequestError;

typedef struct Request Request;

/* The outcome: REQUEST_OK, with for Check and Diff the job's result; or an
 * error and a message saying why. Called once, on the main thread. */
typedef void (*RequestDone)(Request *req, RequestError error, const char *message, const EngineResult *result);

struct Request {
        RequestKind kind;
        unsigned confirm_sec;           /* REQUEST_SET */
        char *previous;                 /* REQUEST_SET: the level before */
        /* Who asked, as the transport authorized them. request_new() makes
         * a request of the daemon's own: uid 0, may lower. */
        uid_t uid;                      /* for the per-user quotas of checks and diffs */
        bool may_lower;                 /* REQUEST_SET: unconfined, or a label in lower_labels */

        RequestDone done;               /* NULL: nobody waits for the outcome */
        void *userdata;                 /* the transport's, for done: the call to answer */
        void (*userdata_free)(void *userdata);
};

Request *request_new(RequestKind kind);
Request *request_free(Request *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(Request *, request_free);

/* Tells whoever waits (if anyone) how it ended. At most once: later calls
 * do nothing. */
void request_complete(Request *r, RequestError error, const char *message, const EngineResult *result);
