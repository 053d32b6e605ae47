/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's top-level object, on the main thread: owns the
 * configuration and level definitions (its own copies), the event loop,
 * the watches, the confirmation timer and the status it reports. All
 * engine work goes to the worker thread (worker.h) as jobs; their results
 * come back as snapshots.
 *
 * It knows no transport: the D-Bus face (bus.h) and any other call the
 * entry points below with a Request (request.h) and read the status
 * fields; the manager tells them of changes through the ManagerObserver
 * each registers. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "engine.h"
#include "level.h"
#include "statevars.h"
#include "request.h"
#include "watch.h"
#include "worker.h"

typedef struct Manager Manager;

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

/* What of the status changed, for the observer: one bit each. */
typedef enum ManagerProperty {
        MANAGER_PROPERTY_LEVEL                = 1 << 0,
        MANAGER_PROPERTY_PENDING_LEVEL        = 1 << 1,
        MANAGER_PROPERTY_STATE                = 1 << 2,
        MANAGER_PROPERTY_LEVEL_SOURCE         = 1 << 3,
        MANAGER_PROPERTY_CONFIRM_DEADLINE     = 1 << 4,
        MANAGER_PROPERTY_REVERT_LEVEL         = 1 << 5,
        MANAGER_PROPERTY_PROFILES_LOADED      = 1 << 6,
        MANAGER_PROPERTY_PROFILES_FAILED      = 1 << 7,
        MANAGER_PROPERTY_PROFILES_MODIFIED    = 1 << 8,
        MANAGER_PROPERTY_LAST_RELOAD          = 1 << 9,
        MANAGER_PROPERTY_LAST_RELOAD_DURATION = 1 << 10,
        MANAGER_PROPERTY_ERRORS               = 1 << 11,
        _MANAGER_PROPERTY_ALL                 = (1 << 12) - 1,
} ManagerProperty;

/* Who shows the manager's state to the world (the bus; another
 * transport alongside it): told of every change as it happens. Any
 * member may be NULL. */
typedef struct ManagerObserver {
        void (*properties_changed)(void *userdata, ManagerProperty changed);
        void (*progress)(void *userdata, const char *phase, unsigned done, unsigned total, const char *current);
        void (*level_changed)(void *userdata, const char *level, const char *previous);
        void (*profile_failed)(void *userdata, const char *file, const char *error_file, unsigned line,
                               const char *message);
} ManagerObserver;

/* Where the jobs run: the worker thread, which manager_start() starts. A
 * test that does not start the manager may run them itself: it hands
 * every submitted job back to manager_job_done(). */
typedef struct JobRunner {
        void (*submit)(void *userdata, Job *job);
        bool (*busy)(void *userdata);
        void *userdata;
} JobRunner;

#define MANAGER_OBSERVERS_MAX 4
/* Checks and diffs waiting or running: all of them, and of one user other
 * than root. */
#define MANAGER_READS_MAX 8
#define MANAGER_READS_PER_USER 2

struct Manager {
        sd_event *event;
        char *config_file;
        Config *config;
        LevelSet *levels;
        char **errors;          /* configuration problems in force (Errors property) */
        char *apply_error;      /* why the last apply failed outright, or NULL */
        usec_t last_level_reread; /* CLOCK_MONOTONIC, by manager_find_level_fresh() */

        Worker *worker;
        JobRunner runner;
        Watch *watch;
        struct {
                const ManagerObserver *observer;
                void *userdata;
        } observers[MANAGER_OBSERVERS_MAX];
        size_t n_observers;

        /* Status, from the last job snapshots. */
        char *level;            /* in the kernel now (Level) */
        char *target;           /* what reloads apply: the pending level, or the level */
        char *pending_level;    /* being applied, or awaiting confirmation */
        char *confirm_previous; /* the level a confirmation timeout reverts to */
        char *confirm_level;    /* the level the confirmation timer runs for (a later switch may be pending) */
        char *persisted;        /* the selection recorded in the state, as the last job saw it */
        char *source;           /* LevelSource */
        ManagerState state;
        bool ready;
        bool reloading;         /* RELOADING=1 was sent */
        UnitStatus *units;
        size_t n_units;
        char **modified;
        char **warnings;
        char **engine_watch;    /* directories the last engine run read */
        char *state_file;       /* aalevel's runtime state file, what it wrote there: */
        char *state_text;       /* the events of its own writes are dropped */
        bool state_active;      /* the tree has apparmor.d's runtime state and aalevel sets it */
        StateValues detected;   /* the system as the last engine run detected it */
        uint64_t last_reload;   /* CLOCK_REALTIME µs */
        uint64_t last_reload_duration;
        uint64_t confirm_deadline; /* CLOCK_REALTIME µs, 0 none */
        sd_event_source *confirm_timer;
        char *cmdline_level;

        /* The kernel's policy revision, to notice changes by others. */
        int revision_fd;
        sd_event_source *revision_source;
        uint64_t revision;      /* after our own last write */

        usec_t last_progress;
        usec_t last_extend;     /* EXTEND_TIMEOUT_USEC sent while starting */
        /* Check and Diff: anyone may ask, and each compiles. They wait
         * here, not in the runner's queue, and go to the runner one at a
         * time, when it has nothing else to do: applies, reverts and the
         * rest never queue behind them. Root's go first. */
        unsigned queued_reads;  /* Check and Diff jobs waiting or running */
        uid_t read_uids[MANAGER_READS_MAX]; /* whose, for the quota per user */
        Job *waiting_reads[MANAGER_READS_MAX];
        size_t n_waiting_reads;
};

int manager_new(const char *config_file, Manager **ret);
Manager *manager_free(Manager *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(Manager *, manager_free);

/* Each transport observes the manager: at most MANAGER_OBSERVERS_MAX at
 * a time, each (observer, userdata) once. Removing one that is not there
 * does nothing. */
void manager_add_observer(Manager *m, const ManagerObserver *observer, void *userdata);
void manager_remove_observer(Manager *m, const ManagerObserver *observer, void *userdata);
/* Before manager_start() or instead of it (then jobs run nowhere else). */
void manager_set_job_runner(Manager *m, const JobRunner *runner);
/* A job the runner finished (taken over). */
void manager_job_done(Manager *m, Job *j);

int manager_start(Manager *m);
int manager_run(Manager *m);

/* The entry points for clients. Each takes over req: when it returns 0,
 * req->done is called once the job is done; otherwise req is freed
 * without a call, and the return value says why: a positive RequestError
 * (REQUEST_ERROR_NO_SUCH_LEVEL, _NOTHING_PENDING, _BUSY) or a negative
 * errno. confirm_sec: UINT32_MAX for the level's own. */
int manager_set_level(Manager *m, const char *level, unsigned confirm_sec, Request *req);
int manager_confirm(Manager *m, Request *req);
int manager_reload(Manager *m, Request *req);
int manager_check(Manager *m, const char *level, bool diff, Request *req);

/* Whether switching to level raises it from every level the machine is
 * at or on its way to: the one applied, the one pending (being applied or
 * awaiting confirmation) and the one recorded for the next boot. While
 * these are not known yet (after the start, before the first apply), and
 * for a level not defined, it does not. Re-setting a level that awaits
 * confirmation does not either (it would end the safety net). */
bool manager_is_raise(const Manager *m, const char *level);

/* The level a Check without a level name is about: the one in the kernel,
 * or "default". */
const char *manager_current_level(const Manager *m);
/* The definition of the level called name, or NULL (also for a name that
 * is not valid). */
const Level *manager_find_level(const Manager *m, const char *name);
/* Likewise, but a name not known makes it read the definitions again
 * first (a file written a moment ago, its change not yet seen), at most
 * once a second: any client may ask for any name. */
const Level *manager_find_level_fresh(Manager *m, const char *name);

/* Profiles aalevel has in the kernel for the current level. */
unsigned manager_profiles_loaded(const Manager *m);
unsigned manager_profiles_failed(const Manager *m);

/* The status as the transports report it (the D-Bus properties, Varlink's
 * GetStatus): where the selection came from ("default" when nothing said);
 * the level a missing confirmation returns to ("" when nothing waits);
 * the configuration problems in force and why the last apply failed, as
 * a new strv (NULL on OOM). */
const char *manager_level_source(const Manager *m);
const char *manager_revert_level(const Manager *m);
char **manager_errors(const Manager *m);

/* A profile aalevel manages for the current level (ListProfiles). The
 * strings but mode point into the manager: valid until it changes. */
typedef struct ManagerProfileRow {
        const char *name;       /* "" for a failed file that never loaded */
        char *mode;             /* as the kernel reports it, "" when not there */
        const char *file;
        const char *status;     /* loaded, failed, modified, missing */
        const char *message;    /* FILE:LINE: error of a failed file, else "" */
} ManagerProfileRow;

int manager_list_profiles(const Manager *m, ManagerProfileRow **ret, size_t *ret_n);
void manager_profile_rows_free(ManagerProfileRow *rows, size_t n);
