/* The daemon's top-level object, on the main thread: owns the
 * configuration and level definitions (its own copies), the event loop,
 * the bus servers, the watches, the confirmation timer and the status the
 * bus reports. All engine work goes to the worker thread (worker.h) as
 * jobs; their results come back as snapshots. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "access.h"
#include "conf.h"
#include "engine.h"
#include "level.h"
#include "watch.h"
#include "worker.h"

typedef struct Manager Manager;

/* A client on the private socket, and who it is (read when it connected). */
typedef struct Connection {
        sd_bus *bus;
        Caller peer;
} Connection;

typedef enum ManagerState {
        MANAGER_STARTING,
        MANAGER_IDLE,
        MANAGER_COMPILING,
        MANAGER_LOADING,
        MANAGER_WAITING_CONFIRM,
        MANAGER_FAILED,
        _MANAGER_STATE_MAX,
        _MANAGER_STATE_INVALID = -EINVAL,
} ManagerState;

const char *manager_state_to_string(ManagerState s);

/* What a job was submitted for, so that its result reaches the right
 * place. */
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
} RequestKind;

typedef struct Request {
        RequestKind kind;
        sd_bus_message *message;        /* a deferred method call to answer, or NULL */
        unsigned confirm_sec;           /* REQUEST_SET */
        char *previous;                 /* REQUEST_SET: the level before */
} Request;

struct Manager {
        sd_event *event;
        char *config_file;
        Config *config;
        LevelSet *levels;
        char **errors;          /* configuration problems in force (Errors property) */
        char *apply_error;      /* why the last apply failed outright, or NULL */

        Worker *worker;
        Watch *watch;

        /* Status, from the last job snapshots. */
        char *level;            /* in the kernel now (Level) */
        char *target;           /* what reloads apply: the pending level, or the level */
        char *pending_level;    /* being applied, or awaiting confirmation */
        char *confirm_previous; /* the level a confirmation timeout reverts to */
        char *source;           /* LevelSource */
        ManagerState state;
        bool ready;
        bool reloading;         /* RELOADING=1 was sent */
        UnitStatus *units;
        size_t n_units;
        char **modified;
        char **warnings;
        char **engine_watch;    /* directories the last engine run read */
        uint64_t last_reload;   /* CLOCK_REALTIME µs */
        uint64_t last_reload_duration;
        uint64_t confirm_deadline; /* CLOCK_REALTIME µs, 0 none */
        sd_event_source *confirm_timer;
        char *cmdline_level;

        /* The kernel's policy revision, to notice changes by others. */
        int revision_fd;
        sd_event_source *revision_source;
        uint64_t revision;      /* after our own last write */

        /* D-Bus: the private socket's listener and its connections, and
         * the system bus when it is up. */
        int listen_fd;
        sd_event_source *listen_source;
        Connection *connections;
        size_t n_connections;
        sd_bus *system_bus;
        Watch *system_bus_watch;        /* waiting for the system bus to come up */
        usec_t last_progress;
        usec_t last_extend;     /* EXTEND_TIMEOUT_USEC sent while starting */
        unsigned queued_reads;  /* Check and Diff jobs queued or running */
};

int manager_new(const char *config_file, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

int manager_start(Manager *m);
int manager_run(Manager *m);

/* Entry points for the bus methods. They take over req (and its message
 * reference) and answer it when the job is done. */
int manager_set_level(Manager *m, const char *level, Request *req);
int manager_confirm(Manager *m, Request *req);
int manager_reload(Manager *m, Request *req);
/* -EBUSY when too many checks and diffs are queued already. */
int manager_check(Manager *m, const char *level, Request *req, bool diff);
unsigned manager_queued_reads(Manager *m);

Request *request_new(RequestKind kind, sd_bus_message *message);
void request_free(Request *r);

/* Reads the level definitions again, keeping the old ones when the new
 * ones cannot be read (the watch will reload properly later). */
void manager_reread_levels(Manager *m);

/* Profiles aalevel has in the kernel for the current level. */
unsigned manager_profiles_loaded(const Manager *m);
unsigned manager_profiles_failed(const Manager *m);
