/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A client's request to the manager, whatever the transport it came by
 * (D-Bus in bus.c, Varlink in varlink.c): what it asks for, and how the
 * manager tells the transport the outcome once the job behind it is done.
 * The manager answers each request once, through done; the transport
 * keeps its own call to answer in userdata. How a request ended is a
 * RequestError, which each transport maps to its own error names.
 *
 * Each operation that changes something or runs a job has one
 * implementation here, for every transport: request_change() (SetLevel,
 * Confirm, Reload: validation, authorization, then the manager) and
 * request_check() (Check, Diff). The transports only turn their
 * arguments into these calls and the outcome into their replies. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <sys/types.h>

#include "access.h"
#include "engine.h"

typedef struct Manager Manager;

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
        unsigned n_ref;                 /* request_free() drops one; request_ref() adds one */
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
Request *request_ref(Request *r);
/* Drops a reference; the last one frees it (and its userdata). */
Request *request_free(Request *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(Request *, request_free);

/* Tells whoever waits (if anyone) how it ended, then frees the transport's
 * userdata (nothing is left to answer). At most once: later calls do
 * nothing. */
void request_complete(Request *r, RequestError error, const char *message, const EngineResult *result);

/* What a refusal of the manager's entry points (a positive RequestError)
 * says to the caller, the same on every transport: a new string, NULL on
 * OOM. level: the level asked for, or NULL. */
char *request_error_message(RequestError error, const char *level);

/* The options of a change. */
typedef struct ChangeOptions {
        const char *level;      /* REQUEST_SET */
        unsigned confirm_sec;   /* REQUEST_SET: UINT32_MAX the level's own, 0 none */
        bool no_block;          /* answer once accepted, not when done (not for Confirm) */
        bool interactive;       /* polkit may ask the caller for a password */
} ChangeOptions;

/* A change (req->kind: REQUEST_SET, _CONFIRM or _RELOAD) asked by caller
 * (read by the transport from the kernel: access.h), carried out the same
 * for every transport: the level name checked, the caller authorized
 * (root, or polkit over system_bus, which may be NULL; a confined caller
 * may not lower), then handed to the manager. Takes over req. Returns 0
 * when req->done was or will be called once with the outcome (REQUEST_OK
 * right after acceptance with no_block, else when the job is done; an
 * error and its message otherwise); a negative errno when nothing could
 * be started (req freed, done not called). */
int request_change(Manager *m, sd_bus *system_bus, const Caller *caller, Request *req, const ChangeOptions *o);

/* Check or Diff (req->kind: REQUEST_CHECK, _DIFF) of level ("" or NULL:
 * for Check the level in the kernel; for Diff it is no level) for
 * caller, counted against its user's quota. Takes over req; returns as
 * request_change(). */
int request_check(Manager *m, const Caller *caller, Request *req, const char *level);
