/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The worker thread: runs jobs (compile, load, check, diff) one at a time
 * off the event loop, so that the bus stays responsive during a cold
 * compile of a thousand profiles. The main thread submits jobs and is
 * woken through an eventfd, in its sd-event loop, for every progress
 * report and every finished job. The worker owns the Engine and its own
 * copies of the configuration; nothing is shared but the queues. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "conf.h"
#include "engine.h"
#include "level.h"

typedef enum JobType {
        JOB_APPLY,              /* apply a level (switch, or reload of the current one) */
        JOB_CHECK,
        JOB_DIFF,
        JOB_PERSIST,            /* record the selected level in the state */
        JOB_INSPECT,            /* compare the kernel with what we loaded */
} JobType;

typedef struct Job {
        JobType type;
        char *level;
        char **changed;         /* paths to forget before running; NULL: none */
        bool invalidate_all;
        Config *config;         /* new configuration for the worker (taken over), or NULL */
        LevelSet *levels;       /* likewise */
        char *persist_level;    /* JOB_PERSIST, and JOB_APPLY when the switch persists */
        bool unconfirmed;       /* JOB_APPLY: the level awaits confirmation unless it is the
                                 * persisted selection: its early policy waits too */
        bool select_from_config;/* JOB_APPLY at start: decide the level from config and state */
        char *cmdline_level;
        bool collect_garbage;   /* after the job: drop cache entries unused for a month */

        /* filled by the worker */
        int r;
        char *error;            /* when r < 0: why */
        EngineResult *result;
        char *applied;          /* the level in the kernel afterwards */
        char *selected;         /* the persisted selection afterwards */
        char *source;           /* level source */
        UnitStatus *units;      /* snapshot for ListProfiles */
        size_t n_units;
        char **watch;
        char *state_file;       /* aalevel's runtime state file and what it wrote there */
        char *state_text;
        char **modified;        /* owned profiles someone else replaced */
        uint64_t revision;      /* the kernel's policy revision after the job */

        void *userdata;         /* for the submitter: pending bus calls */
        void (*userdata_free)(void *userdata); /* job_free() calls it on userdata */
} Job;

Job *job_new(JobType type, const char *level);
void job_free(Job *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(Job *, job_free);

typedef struct Worker Worker;

typedef void (*WorkerDone)(Job *job, void *userdata);           /* takes over the job */
typedef void (*WorkerProgress)(const char *phase, unsigned done, unsigned total, const char *current,
                               void *userdata);
typedef void (*WorkerFailure)(const char *file, const char *error_file, unsigned line, const char *message,
                              void *userdata);

int worker_new(sd_event *event, Config *config, LevelSet *levels, WorkerDone done, WorkerProgress progress,
               WorkerFailure failure, void *userdata, Worker **ret);
/* Finishes the running job, drops queued ones, joins the thread. */
void worker_free(Worker *w);
DEFINE_TRIVIAL_CLEANUP_FUNC(Worker *, worker_free);

void worker_submit(Worker *w, Job *job);
bool worker_busy(Worker *w);
/* Queued and running jobs. */
unsigned worker_pending(Worker *w);
