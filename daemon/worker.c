/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The worker thread. */
#include "worker.h"

#include <errno.h>
#include <malloc.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "selection.h"
#include "strv.h"
#include "util.h"

typedef struct Queue {
        Job **items;
        size_t n;
} Queue;

struct Worker {
        sd_event *event;
        sd_event_source *source;
        int efd;
        pthread_t thread;
        bool started;

        pthread_mutex_t lock;
        pthread_cond_t cond;
        Queue todo;             /* under lock */
        Queue done;             /* under lock */
        bool running;           /* under lock: a job is being worked on */
        bool quit;              /* under lock */
        /* The latest progress report, under lock; older ones are dropped. */
        bool progress_pending;
        char *progress_phase;
        unsigned progress_done, progress_total;
        char *progress_current;
        /* Failures as they happen, under lock. */
        UnitFailure *failures;
        size_t n_failures;

        /* worker thread only */
        Config *config;
        LevelSet *levels;
        Engine *engine;

        WorkerDone on_done;
        WorkerProgress on_progress;
        WorkerFailure on_failure;
        void *userdata;
};

Job *job_new(JobType type, const char *level) {
        Job *j = calloc(1, sizeof(Job));
        if (!j)
                return NULL;
        j->type = type;
        if (level && !(j->level = strdup(level))) {
                free(j);
                return NULL;
        }
        return j;
}


void job_free(Job *j) {
        if (!j)
                return;
        free(j->level);
        strv_free(j->changed);
        config_free(j->config);
        level_set_free(j->levels);
        free(j->persist_level);
        free(j->cmdline_level);
        free(j->error);
        engine_result_free(j->result);
        free(j->applied);
        free(j->selected);
        free(j->source);
        unit_status_free(j->units, j->n_units);
        strv_free(j->watch);
        free(j->state_file);
        free(j->state_text);
        strv_free(j->modified);
        if (j->userdata && j->userdata_free)
                j->userdata_free(j->userdata);
        free(j);
}

static int queue_push(Queue *q, Job *j) {
        Job **a = realloc(q->items, sizeof(Job *) * (q->n + 1));
        if (!a)
                return -ENOMEM;
        q->items = a;
        q->items[q->n++] = j;
        return 0;
}

static Job *queue_pop(Queue *q) {
        Job *j;
        if (q->n == 0)
                return NULL;
        j = q->items[0];
        memmove(q->items, q->items + 1, sizeof(Job *) * (q->n - 1));
        q->n--;
        return j;
}

static void wake(Worker *w) {
        uint64_t one = 1;
        (void) !write(w->efd, &one, sizeof one);
}

/* ---- on the worker thread ---- */

static void on_engine_progress(const char *phase, unsigned done, unsigned total, const char *current, void *userdata) {
        Worker *w = userdata;
        char *p = strdup(phase), *c = current ? strdup(current) : NULL;

        pthread_mutex_lock(&w->lock);
        free(w->progress_phase);
        free(w->progress_current);
        w->progress_phase = p;
        w->progress_current = c;
        w->progress_done = done;
        w->progress_total = total;
        w->progress_pending = true;
        pthread_mutex_unlock(&w->lock);
        wake(w);
}

static void on_engine_failure(const UnitFailure *f, void *userdata) {
        Worker *w = userdata;
        UnitFailure *a;

        UnitFailure c = {
                .file = strdup(f->file),
                .error_file = f->error_file ? strdup(f->error_file) : NULL,
                .line = f->line,
                .message = strdup(strempty(f->message)),
        };

        if (!c.file || (f->error_file && !c.error_file) || !c.message) {
                /* Out of memory: the failure is in the run's result. */
                free(c.file);
                free(c.error_file);
                free(c.message);
                return;
        }
        pthread_mutex_lock(&w->lock);
        a = realloc(w->failures, sizeof(UnitFailure) * (w->n_failures + 1));
        if (a) {
                w->failures = a;
                w->failures[w->n_failures++] = c;
        } else {
                free(c.file);
                free(c.error_file);
                free(c.message);
        }
        pthread_mutex_unlock(&w->lock);
        wake(w);
}

static int ensure_engine(Worker *w, Job *j) {
        EngineOptions options = {
                .progress = on_engine_progress,
                .failure = on_engine_failure,
                .userdata = w,
        };
        _cleanup_free_ char *error = NULL;
        int r;

        if (j->config || j->levels) {
                Config *old_config = w->config;
                LevelSet *old_levels = w->levels;

                /* Other paths, parser or kernel: a new engine, reading its
                 * state again. Otherwise the engine keeps what it knows. */
                if (j->config && w->engine && !config_same_paths(old_config, j->config)) {
                        Engine *old = w->engine;
                        pthread_mutex_lock(&w->lock);
                        w->engine = NULL;
                        pthread_mutex_unlock(&w->lock);
                        engine_free(old);
                }
                if (j->config)
                        w->config = TAKE_PTR(j->config);
                if (j->levels)
                        w->levels = TAKE_PTR(j->levels);
                if (w->engine)
                        engine_set_config(w->engine, w->config, w->levels);
                if (old_config != w->config)
                        config_free(old_config);
                if (old_levels != w->levels)
                        level_set_free(old_levels);
        }
        if (w->engine)
                return 0;
        {
                Engine *e = NULL;
                r = engine_new(w->config, w->levels, &options, &e, &error);
                pthread_mutex_lock(&w->lock);
                w->engine = e;
                pthread_mutex_unlock(&w->lock);
        }
        if (r < 0) {
                j->error = error ? TAKE_PTR(error) : strdup(strerror(-r));
                return r;
        }
        return 0;
}

static int snapshot(Worker *w, Job *j) {
        const State *s = engine_state(w->engine);

        j->applied = s->applied ? strdup(s->applied) : NULL;
        j->selected = s->selected ? strdup(s->selected) : NULL;
        if ((s->applied && !j->applied) || (s->selected && !j->selected))
                return -ENOMEM;
        /* A new list of units after an apply; otherwise the manager keeps
         * the one it has. */
        (void) engine_take_units(w->engine, &j->units, &j->n_units);
        j->watch = engine_watch_paths(w->engine);
        if (!j->watch)
                return -ENOMEM;
        if (engine_state_file(w->engine, &j->state_file, &j->state_text) < 0)
                return -ENOMEM;
        if (engine_kernel(w->engine))
                (void) kernel_revision(engine_kernel(w->engine), &j->revision);
        return 0;
}

static int inspect(Worker *w, Job *j) {
        _cleanup_(hashmap_freep) Hashmap *hashes = NULL;
        const State *s = engine_state(w->engine);
        int r;

        r = kernel_profile_hashes(engine_kernel(w->engine), &hashes);
        if (r < 0)
                return r;
        j->modified = calloc(1, sizeof(char *));
        if (!j->modified)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_units; i++)
                STRV_FOREACH(name, s->units[i].names) {
                        if (unit_names_are_split(s->units[i].names))
                                break;
                        const char *h = hashmap_get(hashes, *name);
                        if (h && kernel_hash_matches(h, s->units[i].sha1, s->units[i].sha256) == 0 &&
                            strv_extend(&j->modified, *name) < 0)
                                return -ENOMEM;
                }
        return 0;
}

static void run_job(Worker *w, Job *j) {
        usec_t start = now_usec(CLOCK_MONOTONIC);
        State *state;
        int r;

        r = ensure_engine(w, j);
        if (r < 0)
                goto finish;
        state = engine_state_mut(w->engine);
        STRV_FOREACH(p, j->changed)
                engine_invalidate(w->engine, *p);
        if (j->invalidate_all)
                engine_revalidate(w->engine);

        if (j->type == JOB_APPLY && j->select_from_config) {
                LevelSource source;
                bool changed;
                free(j->level);
                j->level = NULL;
                r = select_level(w->config, state, j->cmdline_level, &j->level, &source, &changed);
                if (r < 0)
                        goto finish;
                if (!level_set_find(w->levels, j->level)) {
                        log_error("The selected level %s is not defined; applying level default instead.", j->level);
                        source = LEVEL_SOURCE_DEFAULT;
                        r = free_and_strdup(&j->level, "default");
                        if (r < 0)
                                goto finish;
                }
                j->source = strdup(level_source_to_string(source));
                if (!j->source) {
                        r = -ENOMEM;
                        goto finish;
                }
                if (changed)
                        (void) engine_save_state(w->engine);
        }

        switch (j->type) {
        case JOB_APPLY:
        case JOB_CHECK:
        case JOB_DIFF:
                /* The next boot must come back at the last confirmed
                 * level: an unconfirmed one's early policy waits for
                 * the confirmation (JOB_PERSIST). */
                engine_defer_early_policy(w->engine, j->type == JOB_APPLY && j->unconfirmed && !j->persist_level &&
                                                             !streq_ptr(j->level, state->selected));
                r = engine_run(w->engine, j->level,
                               j->type == JOB_APPLY ? ENGINE_APPLY : j->type == JOB_CHECK ? ENGINE_CHECK : ENGINE_DIFF,
                               &j->result, &j->error);
                if (r < 0) {
                        if (!j->error)
                                j->error = strdup(strerror(-r));
                        goto finish;
                }
                if (j->type == JOB_APPLY && j->result->ok && j->persist_level) {
                        r = state_set_selected(state, j->persist_level);
                        if (r >= 0)
                                r = engine_save_state(w->engine);
                        if (r < 0)
                                log_error_errno(r, "Cannot record the selected level: %m");
                        r = 0;
                }
                break;
        case JOB_PERSIST:
                r = state_set_selected(state, j->persist_level);
                if (r >= 0)
                        r = engine_save_state(w->engine);
                if (r < 0) {
                        j->error = strdup(strerror(-r));
                        goto finish;
                }
                /* Confirmed: its early policy now. */
                r = engine_commit_early_policy(w->engine, j->persist_level, &j->error);
                if (r < 0) {
                        if (!j->error)
                                j->error = strdup(strerror(-r));
                        goto finish;
                }
                break;
        case JOB_INSPECT:
                r = inspect(w, j);
                if (r < 0) {
                        j->error = strdup(strerror(-r));
                        goto finish;
                }
                break;
        }
        if (j->collect_garbage) {
                unsigned removed = 0;
                if (engine_collect_garbage(w->engine, 30 * 24 * 3600, &removed) >= 0 && removed > 0)
                        log_info("Removed %u cache entries unused for 30 days.", removed);
        }
        r = snapshot(w, j);
finish:
        j->r = r;
        log_debug("Job done in %" PRIu64 " ms.", msec_since(start));
}

static void *worker_main(void *userdata) {
        Worker *w = userdata;

        pthread_mutex_lock(&w->lock);
        for (;;) {
                Job *j;

                while (!w->quit && w->todo.n == 0)
                        pthread_cond_wait(&w->cond, &w->lock);
                if (w->quit)
                        break;
                j = queue_pop(&w->todo);
                w->running = true;
                pthread_mutex_unlock(&w->lock);

                run_job(w, j);
                /* A run reads and frees megabytes of binaries: give the
                 * pages back, so that the daemon is small while idle. */
                (void) malloc_trim(0);

                pthread_mutex_lock(&w->lock);
                w->running = false;
                if (queue_push(&w->done, j) < 0) {
                        log_oom();
                        /* Its request belongs to the main thread: leaked. */
                        j->userdata_free = NULL;
                        job_free(j);
                }
                pthread_mutex_unlock(&w->lock);
                wake(w);
                pthread_mutex_lock(&w->lock);
        }
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

/* ---- on the main thread ---- */

static int on_wake(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Worker *w = userdata;
        uint64_t v;
        Queue done = {};
        UnitFailure *failures;
        size_t n_failures;
        bool have_progress;
        char *phase = NULL, *current = NULL;
        unsigned pd = 0, pt = 0;

        (void) !read(w->efd, &v, sizeof v);

        pthread_mutex_lock(&w->lock);
        done = w->done;
        w->done = (Queue) {};
        failures = w->failures;
        n_failures = w->n_failures;
        w->failures = NULL;
        w->n_failures = 0;
        have_progress = w->progress_pending;
        if (have_progress) {
                phase = TAKE_PTR(w->progress_phase);
                current = TAKE_PTR(w->progress_current);
                pd = w->progress_done;
                pt = w->progress_total;
                w->progress_pending = false;
        }
        pthread_mutex_unlock(&w->lock);

        for (size_t i = 0; i < n_failures; i++) {
                if (w->on_failure)
                        w->on_failure(failures[i].file, failures[i].error_file, failures[i].line,
                                      failures[i].message, w->userdata);
                free(failures[i].file);
                free(failures[i].error_file);
                free(failures[i].message);
        }
        free(failures);
        if (have_progress && w->on_progress && phase)
                w->on_progress(phase, pd, pt, current, w->userdata);
        free(phase);
        free(current);
        for (size_t i = 0; i < done.n; i++)
                w->on_done(done.items[i], w->userdata);
        free(done.items);
        return 0;
}

int worker_new(sd_event *event, Config *config, LevelSet *levels, WorkerDone done, WorkerProgress progress,
               WorkerFailure failure, void *userdata, Worker **ret) {
        _cleanup_(worker_freep) Worker *w = NULL;
        int r;

        w = calloc(1, sizeof(Worker));
        if (!w)
                return -ENOMEM;
        w->efd = -1;
        pthread_mutex_init(&w->lock, NULL);
        pthread_cond_init(&w->cond, NULL);
        w->event = sd_event_ref(event);
        w->config = config;
        w->levels = levels;
        w->on_done = done;
        w->on_progress = progress;
        w->on_failure = failure;
        w->userdata = userdata;

        w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (w->efd < 0)
                return negative_errno();
        r = sd_event_add_io(event, &w->source, w->efd, EPOLLIN, on_wake, w);
        if (r < 0)
                return r;
        r = -pthread_create(&w->thread, NULL, worker_main, w);
        if (r < 0)
                return r;
        w->started = true;
        *ret = TAKE_PTR(w);
        return 0;
}

void worker_free(Worker *w) {
        if (!w)
                return;
        if (w->started) {
                pthread_mutex_lock(&w->lock);
                w->quit = true;
                /* A cold compile can take minutes: stop it. */
                if (w->running && w->engine)
                        engine_cancel(w->engine);
                pthread_cond_signal(&w->cond);
                pthread_mutex_unlock(&w->lock);
                pthread_join(w->thread, NULL);
        }
        for (size_t i = 0; i < w->todo.n; i++)
                job_free(w->todo.items[i]);
        free(w->todo.items);
        for (size_t i = 0; i < w->done.n; i++)
                job_free(w->done.items[i]);
        free(w->done.items);
        for (size_t i = 0; i < w->n_failures; i++) {
                free(w->failures[i].file);
                free(w->failures[i].error_file);
                free(w->failures[i].message);
        }
        free(w->failures);
        free(w->progress_phase);
        free(w->progress_current);
        engine_free(w->engine);
        config_free(w->config);
        level_set_free(w->levels);
        sd_event_source_disable_unref(w->source);
        if (w->efd >= 0)
                close(w->efd);
        sd_event_unref(w->event);
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->cond);
        free(w);
}

void worker_submit(Worker *w, Job *job) {
        pthread_mutex_lock(&w->lock);
        if (queue_push(&w->todo, job) < 0) {
                pthread_mutex_unlock(&w->lock);
                job->r = -ENOMEM;
                w->on_done(job, w->userdata);
                return;
        }
        pthread_cond_signal(&w->cond);
        pthread_mutex_unlock(&w->lock);
}

bool worker_busy(Worker *w) {
        bool b;
        pthread_mutex_lock(&w->lock);
        b = w->running || w->todo.n > 0;
        pthread_mutex_unlock(&w->lock);
        return b;
}

unsigned worker_pending(Worker *w) {
        unsigned n;
        pthread_mutex_lock(&w->lock);
        n = (unsigned) w->todo.n + (w->running ? 1 : 0);
        pthread_mutex_unlock(&w->lock);
        return n;
}
