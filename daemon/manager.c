/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's top-level object. */
#include "manager.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"
#include "log.h"
#include "manager-config.h"
#include "manager-internal.h"
#include "messages.h"
#include "selection.h"
#include "strv.h"
#include "util.h"

void manager_add_observer(Manager *m, const ManagerObserver *observer, void *userdata) {
        assert(m);
        assert(observer);
        assert(m->n_observers < MANAGER_OBSERVERS_MAX);
        m->observers[m->n_observers].observer = observer;
        m->observers[m->n_observers++].userdata = userdata;
}

void manager_remove_observer(Manager *m, const ManagerObserver *observer, void *userdata) {
        assert(m);
        for (size_t i = 0; i < m->n_observers; i++)
                if (m->observers[i].observer == observer && m->observers[i].userdata == userdata) {
                        memmove(m->observers + i, m->observers + i + 1,
                                sizeof(m->observers[0]) * (m->n_observers - i - 1));
                        m->n_observers--;
                        return;
                }
}

/* Tells every observer that has the member. */
#define NOTIFY(m, member, ...)                                                                        \
        for (size_t _i = 0; _i < (m)->n_observers; _i++)                                              \
                if ((m)->observers[_i].observer->member)                                              \
                        (m)->observers[_i].observer->member((m)->observers[_i].userdata, __VA_ARGS__)

static void notify_changed(Manager *m, ManagerProperty changed) {
        NOTIFY(m, properties_changed, changed);
}

/* Changes a status string, and tells the observer when it did. */
static void set_property(Manager *m, char **field, const char *v, ManagerProperty p) {
        int r = free_and_strdup(field, v);
        if (r < 0)
                log_oom();
        if (r > 0 && p)
                notify_changed(m, p);
}

static int load_configuration(Manager *m, Config **ret_config, LevelSet **ret_levels, char ***ret_errors) {
        return manager_config_load(m->config_file, false, ret_config, ret_levels, ret_errors);
}

/* The worker gets copies of its own: nothing is shared across threads. */
static int copies_for_worker(Manager *m, Config **ret_config, LevelSet **ret_levels) {
        _cleanup_strv_free_ char **errors = NULL;
        int r = manager_config_load(m->config_file, true, ret_config, ret_levels, &errors);
        if (r < 0)
                return r;
        if (!*ret_config) {
                /* The file changed under us into something invalid: use
                 * what the main thread holds, re-read from defaults. */
                return -EINVAL;
        }
        return 0;
}

int manager_new(const char *config_file, Manager **ret) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        assert(config_file);
        assert(ret);
        m = calloc(1, sizeof(Manager));
        if (!m)
                return log_oom();
        m->revision_fd = -1;
        m->state = MANAGER_STARTING;
        m->config_file = strdup(config_file);
        if (!m->config_file)
                return log_oom();

        r = load_configuration(m, &m->config, &m->levels, &m->errors);
        if (r < 0)
                return log_error_errno(r, "Failed to load the configuration: %m");
        if (!m->config) {
                /* A broken configuration at start: run with the built-in
                 * defaults rather than leave the machine without policy. */
                r = config_new_default(NULL, &m->config);
                if (r >= 0)
                        r = level_set_load(m->config->vendor_levels_dir, m->config->levels_dir, &m->levels);
                if (r < 0)
                        return log_oom();
                log_error("Running with the built-in defaults until the configuration is fixed.");
        }
        m->cmdline_level = proc_cmdline_level();

        r = sd_event_default(&m->event);
        if (r < 0)
                return log_error_errno(r, "Failed to create the event loop: %m");
        *ret = TAKE_PTR(m);
        return 0;
}

Manager *manager_free(Manager *m) {
        if (!m)
                return NULL;
        /* The worker first: it may still report to us. */
        worker_free(m->worker);
        watch_free(m->watch);
        sd_event_source_disable_unref(m->confirm_timer);
        sd_event_source_disable_unref(m->revision_source);
        if (m->revision_fd >= 0)
                close(m->revision_fd);
        sd_event_unref(m->event);
        config_free(m->config);
        level_set_free(m->levels);
        strv_free(m->errors);
        free(m->apply_error);
        free(m->config_file);
        free(m->level);
        free(m->target);
        free(m->pending_level);
        free(m->confirm_previous);
        free(m->confirm_level);
        free(m->persisted);
        for (size_t i = 0; i < m->n_waiting_reads; i++)
                job_free(m->waiting_reads[i]);
        free(m->source);
        free(m->cmdline_level);
        unit_status_free(m->units, m->n_units);
        strv_free(m->modified);
        strv_free(m->warnings);
        strv_free(m->engine_watch);
        free(m->state_file);
        free(m->state_text);
        state_values_done(&m->detected);
        free(m);
        return NULL;
}

static void set_state(Manager *m, ManagerState s) {
        if (m->state == s)
                return;
        m->state = s;
        notify_changed(m, MANAGER_PROPERTY_STATE);
}

static void notify_status(Manager *m) {
        (void) sd_notifyf(false, "STATUS=Level %s: %u profiles loaded, %u failed%s%s",
                          m->level ? m->level : "(none)", manager_profiles_loaded(m), manager_profiles_failed(m),
                          m->pending_level ? "; pending " : "", strempty(m->pending_level));
}

/* ---- submitting jobs ---- */

void manager_request_free_void(void *r) {
        request_free(r);
}

void manager_set_job_runner(Manager *m, const JobRunner *runner) {
        assert(m);
        assert(runner && runner->submit && runner->busy);
        m->runner = *runner;
}

bool manager_jobs_busy(Manager *m) {
        return m->runner.busy && m->runner.busy(m->runner.userdata);
}

int manager_submit(Manager *m, Job *job, Request *req) {
        assert(m->runner.submit);
        /* A job still queued when the daemon stops frees its request. */
        job->userdata = req;
        job->userdata_free = manager_request_free_void;
        m->runner.submit(m->runner.userdata, job);
        if (m->state == MANAGER_IDLE || m->state == MANAGER_WAITING_CONFIRM || m->state == MANAGER_FAILED)
                set_state(m, MANAGER_COMPILING);
        return 0;
}

static Job *apply_job(Manager *m, const char *level, bool with_config) {
        Job *j = job_new(JOB_APPLY, level);
        if (!j)
                return NULL;
        if (with_config && copies_for_worker(m, &j->config, &j->levels) == -ENOMEM) {
                job_free(j);
                return NULL;
        }
        return j;
}

static void cancel_confirmation(Manager *m) {
        m->confirm_timer = sd_event_source_disable_unref(m->confirm_timer);
        m->confirm_deadline = 0;
        m->confirm_previous = mfree(m->confirm_previous);
        m->confirm_level = mfree(m->confirm_level);
        m->pending_level = mfree(m->pending_level);
        notify_changed(m, MANAGER_PROPERTY_PENDING_LEVEL | MANAGER_PROPERTY_CONFIRM_DEADLINE |
                                  MANAGER_PROPERTY_REVERT_LEVEL);
}

static int on_confirm_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        Manager *m = userdata;
        _cleanup_free_ char *previous = m->confirm_previous ? strdup(m->confirm_previous) : NULL;
        Request *req;
        Job *j;

        if (!previous)
                return 0;
        {
                _cleanup_free_ char *f_level = NULL, *f_prev = NULL;
                if (asprintf(&f_level, "LEVEL=%s", previous) >= 0 &&
                    asprintf(&f_prev, "PREVIOUS_LEVEL=%s", strna(m->confirm_level)) >= 0)
                        log_struct(LOG_WARNING, MESSAGE_ID_LEVEL_REVERTED, ((char *[]) { f_level, f_prev, NULL }),
                                   "Level %s was not confirmed in time; reverting to level %s.",
                                   strna(m->confirm_level), previous);
        }
        cancel_confirmation(m);
        req = request_new(REQUEST_REVERT);
        j = apply_job(m, previous, false);
        if (free_and_strdup(&m->target, previous) < 0 || !req || !j) {
                request_free(req);
                job_free(j);
                log_oom();
                return 0;
        }
        return manager_submit(m, j, req);
}

static int reload(Manager *m, Request *req, char **changed, bool invalidate_all, bool reread_config);

/* ---- finished jobs ---- */

/* Watch what the last engine run read, and what the configuration itself
 * depends on. Also after a failed job: a directory created in that burst
 * (a new aalevel.conf.d/ holding the bad drop-in) must be watched for its
 * fix to be noticed. */
static void update_watches(Manager *m) {
        _cleanup_strv_free_ char **paths = NULL, **added = NULL;
        int r;

        if (!m->watch || !m->config)
                return;
        r = manager_config_watch_paths(m->config_file, m->config, m->levels, m->engine_watch, &paths);
        if (r >= 0)
                r = watch_update(m->watch, paths, &added);
        if (r < 0)
                log_error_errno(r, "Failed to update the watched directories: %m");
        else if (strv_length(added) > 0 && m->ready) {
                /* A file may have appeared in a new directory before we
                 * watched it: look once more. */
                Request *req = request_new(REQUEST_WATCH);
                if (!req || reload(m, req, added, false, false) < 0)
                        log_oom();
        }
}

static void take_snapshot(Manager *m, Job *j) {
        bool level_changed = !streq_ptr(m->level, j->applied);

        if (j->applied && level_changed)
                set_property(m, &m->level, j->applied, MANAGER_PROPERTY_LEVEL);
        if (j->units) {
                unit_status_free(m->units, m->n_units);
                m->units = TAKE_PTR(j->units);
                m->n_units = j->n_units;
                j->n_units = 0;
        }
        if (j->source)
                set_property(m, &m->source, j->source, MANAGER_PROPERTY_LEVEL_SOURCE);
        if (j->selected && free_and_strdup(&m->persisted, j->selected) < 0)
                log_oom();
        if (j->revision)
                m->revision = j->revision;
        if (j->watch) {
                strv_free(m->engine_watch);
                m->engine_watch = TAKE_PTR(j->watch);
                free(m->state_file);
                free(m->state_text);
                m->state_file = TAKE_PTR(j->state_file);
                m->state_text = TAKE_PTR(j->state_text);
        }
        update_watches(m);
        if (j->result) {
                strv_free(m->warnings);
                m->warnings = strv_copy(j->result->warnings);
        }
        /* Of a run that read the tree: apparmor.d's runtime state, for
         * GetLevel and the status. */
        if (j->result && j->result->n_units > 0) {
                state_values_done(&m->detected);
                m->state_active = j->result->state_active;
                if (m->state_active && state_values_copy(&j->result->detected, &m->detected) < 0)
                        log_oom();
        }
        notify_changed(m, MANAGER_PROPERTY_PROFILES_LOADED | MANAGER_PROPERTY_PROFILES_FAILED);
}

/* A SetLevel with a confirmation window applied: the timer that reverts
 * it unless confirmed. */
static void start_confirmation(Manager *m, const char *applied, Request *req) {
        int r;

        if (free_and_strdup(&m->pending_level, applied) < 0 || free_and_strdup(&m->confirm_level, applied) < 0 ||
            free_and_strdup(&m->confirm_previous, req->previous) < 0)
                log_oom();
        m->confirm_deadline = now_usec(CLOCK_REALTIME) + req->confirm_sec * USEC_PER_SEC;
        m->confirm_timer = sd_event_source_disable_unref(m->confirm_timer);
        r = sd_event_add_time_relative(m->event, &m->confirm_timer, CLOCK_MONOTONIC, req->confirm_sec * USEC_PER_SEC,
                                       0, on_confirm_timeout, m);
        if (r < 0)
                log_error_errno(r, "Failed to arm the confirmation timer: %m");
        log_notice("Level %s applied; it reverts to %s in %u seconds unless confirmed "
                   "(aalevelctl confirm).", applied, strna(req->previous), req->confirm_sec);
        notify_changed(m, MANAGER_PROPERTY_PENDING_LEVEL | MANAGER_PROPERTY_CONFIRM_DEADLINE |
                                  MANAGER_PROPERTY_REVERT_LEVEL);
}

static void log_applied(const EngineResult *res) {
        _cleanup_free_ char *f_level = NULL, *f_counts = NULL;

        if (asprintf(&f_level, "LEVEL=%s", res->level) < 0 || asprintf(&f_counts, "REPLACED=%u", res->n_replaced) < 0)
                return;
        log_struct(res->n_replaced || res->n_removed || res->n_failed ? LOG_INFO : LOG_DEBUG, MESSAGE_ID_RELOAD_DONE,
                   ((char *[]) { f_level, f_counts, NULL }),
                   "Level %s in the kernel: %u profile files, %u compiled, %u written to the kernel, "
                   "%u unchanged, %u removed, %u failed, in %.2fs.",
                   res->level, res->n_units, res->n_compiled, res->n_replaced, res->n_unchanged, res->n_removed,
                   res->n_failed, (double) res->duration / USEC_PER_SEC);
}

static void log_level_changed(const char *level, const char *previous) {
        _cleanup_free_ char *f = NULL, *fp = NULL;

        if (asprintf(&f, "LEVEL=%s", level) >= 0 && asprintf(&fp, "PREVIOUS_LEVEL=%s", previous) >= 0)
                log_struct(LOG_NOTICE, MESSAGE_ID_LEVEL_CHANGED, ((char *[]) { f, fp, NULL }),
                           "Security level changed from %s to %s.", previous[0] ? previous : "(none)", level);
}

/* A switch that failed or was refused: an earlier level awaiting
 * confirmation keeps its timer, and stays the way reloads go. */
static void switch_not_applied(Manager *m) {
        if (!m->confirm_timer) {
                cancel_confirmation(m);
                if (free_and_strdup(&m->target, m->level) < 0)
                        log_oom();
                return;
        }
        set_property(m, &m->pending_level, m->confirm_level, MANAGER_PROPERTY_PENDING_LEVEL);
        if (free_and_strdup(&m->target, m->confirm_level) < 0)
                log_oom();
}

/* An apply job that could not run at all: the engine said why, and this
 * is the one place that logs it. */
static void finish_apply_failed(Manager *m, Job *j, Request *req) {
        const char *why = j->error ? j->error : strerror(-j->r);

        log_error("Applying level %s failed: %s", j->level ? j->level : "(selected)", why);
        if (free_and_strdup(&m->apply_error, why) < 0)
                log_oom();
        notify_changed(m, MANAGER_PROPERTY_ERRORS);
        if (req->kind == REQUEST_SET)
                switch_not_applied(m);
        request_complete(req, REQUEST_ERROR_FAILED, why, NULL);
        if (!m->level)
                set_state(m, MANAGER_FAILED);
        update_watches(m);
}

/* A refused transaction: nothing of the new level was applied. */
static void finish_apply_refused(Manager *m, Job *j, Request *req) {
        EngineResult *res = j->result;

        if (req->kind == REQUEST_SET) {
                switch_not_applied(m);
                log_warning("Level %s was not applied: %s", strna(j->level), strna(res->error));
        } else {
                /* No caller to tell (a change on disk, SIGHUP, a revert):
                 * the log and Errors say it. */
                log_error("Reloading level %s was refused: %s; the policy in the kernel stays as it was.",
                          j->level ? j->level : m->level ? m->level : "(selected)", strna(res->error));
                if (free_and_strdup(&m->apply_error, res->error) < 0)
                        log_oom();
                notify_changed(m, MANAGER_PROPERTY_ERRORS);
        }
        request_complete(req, REQUEST_ERROR_FAILED, res->error, NULL);
}

static void finish_apply(Manager *m, Job *j, Request *req) {
        EngineResult *res = j->result;
        char previous[LEVEL_NAME_MAX + 1] = "";

        if (m->level)
                snprintf(previous, sizeof previous, "%s", m->level);

        if (j->r < 0) {
                finish_apply_failed(m, j, req);
                return;
        }
        take_snapshot(m, j);
        if (m->apply_error) {
                m->apply_error = mfree(m->apply_error);
                notify_changed(m, MANAGER_PROPERTY_ERRORS);
        }
        m->last_reload = now_usec(CLOCK_REALTIME);
        m->last_reload_duration = res ? res->duration : 0;
        notify_changed(m, MANAGER_PROPERTY_LAST_RELOAD | MANAGER_PROPERTY_LAST_RELOAD_DURATION);

        if (res && !res->ok) {
                finish_apply_refused(m, j, req);
                return;
        }
        /* What failed once the level was applied: the engine does not log. */
        if (res)
                STRV_FOREACH(e, res->errors)
                        log_error("%s.", *e);
        if (res)
                log_applied(res);
        if (j->applied && !streq(previous, j->applied)) {
                log_level_changed(j->applied, previous);
                NOTIFY(m, level_changed, j->applied, previous);
        }
        if ((!m->target || req->kind == REQUEST_START) && free_and_strdup(&m->target, j->applied) < 0)
                log_oom();

        if (req->kind == REQUEST_SET && req->confirm_sec > 0)
                start_confirmation(m, j->applied, req);
        else if (req->kind == REQUEST_SET)
                cancel_confirmation(m);
        if (req->kind == REQUEST_SET)
                set_property(m, &m->source, "set", MANAGER_PROPERTY_LEVEL_SOURCE);
        request_complete(req, REQUEST_OK, NULL, NULL);
}

/* The kernel's policy changed, and not by us. */
static void finish_inspect(Manager *m, Job *j) {
        if (j->r < 0) {
                log_warning("Cannot compare the policy in the kernel with what aalevel loaded: %s",
                            j->error ? j->error : strerror(-j->r));
                return;
        }
        STRV_FOREACH(name, j->modified)
                if (!strv_contains(m->modified, *name)) {
                        _cleanup_free_ char *f = NULL;
                        if (asprintf(&f, "PROFILE=%s", *name) >= 0)
                                log_struct(LOG_WARNING, MESSAGE_ID_MODIFIED_OUTSIDE, ((char *[]) { f, NULL }),
                                           "Profile %s was replaced in the kernel by someone else; "
                                           "aalevel restores it at the next reload.", *name);
                }
        strv_free(m->modified);
        m->modified = TAKE_PTR(j->modified);
        notify_changed(m, MANAGER_PROPERTY_PROFILES_MODIFIED);
}

/* Nothing more to do for now: the state, and systemd, learn it. */
static void settle(Manager *m) {
        set_state(m, m->pending_level ? MANAGER_WAITING_CONFIRM : m->level ? MANAGER_IDLE : MANAGER_FAILED);
        if (!m->ready) {
                m->ready = true;
                (void) sd_notify(false, "READY=1");
                if (m->level)
                        log_info("Level %s is in the kernel; serving on %s/bus.", m->level, m->config->runtime_dir);
                else
                        log_error("No level could be applied (%s); serving on %s/bus.", strna(m->apply_error),
                                  m->config->runtime_dir);
        }
        if (m->reloading) {
                m->reloading = false;
                (void) sd_notify(false, "READY=1");
        }
        notify_status(m);
}

void manager_job_done(Manager *m, Job *j) {
        Request *req;

        assert(m);
        assert(j);
        req = TAKE_PTR(j->userdata);
        assert(req);

        switch (req->kind) {
        case REQUEST_START:
        case REQUEST_SET:
        case REQUEST_RELOAD:
        case REQUEST_WATCH:
        case REQUEST_REVERT:
                finish_apply(m, j, req);
                break;
        case REQUEST_CONFIRM:
                if (j->r < 0) {
                        log_error("Cannot record the confirmed level %s: %s", strna(j->persist_level),
                                  j->error ? j->error : strerror(-j->r));
                        request_complete(req, REQUEST_ERROR_FAILED, j->error ? j->error : "Cannot record the level.",
                                         NULL);
                } else
                        request_complete(req, REQUEST_OK, NULL, NULL);
                break;
        case REQUEST_CHECK:
        case REQUEST_DIFF:
                manager_finish_read(m, j, req);
                break;
        case REQUEST_INSPECT:
                finish_inspect(m, j);
                break;
        default:
                assert(false);
        }
        /* After our own apply the kernel holds what we wrote. */
        if (j->type == JOB_APPLY && j->r >= 0 && !(j->result && !j->result->ok) && req->kind != REQUEST_INSPECT) {
                strv_free(m->modified);
                m->modified = NULL;
        }

        request_free(req);
        job_free(j);
        if (!manager_jobs_busy(m) && !manager_submit_next_read(m))
                settle(m);
}

static void on_job_done(Job *j, void *userdata) {
        manager_job_done(userdata, j);
}

static void on_job_progress(const char *phase, unsigned done, unsigned total, const char *current, void *userdata) {
        Manager *m = userdata;
        usec_t now = now_usec(CLOCK_MONOTONIC);

        set_state(m, streq(phase, "load") ? MANAGER_LOADING : MANAGER_COMPILING);
        /* A cold compile of a big tree takes minutes: as long as it moves
         * on, systemd should not give up on the start. */
        if (!m->ready && now - m->last_extend >= 10 * USEC_PER_SEC) {
                m->last_extend = now;
                (void) sd_notify(false, "EXTEND_TIMEOUT_USEC=60000000");
        }
        /* Ten a second is plenty for a progress bar. */
        if (done != 0 && done != total && now - m->last_progress < 100 * USEC_PER_MSEC)
                return;
        m->last_progress = now;
        NOTIFY(m, progress, phase, done, total, current);
}

static void on_job_failure(const char *file, const char *error_file, unsigned line, const char *message,
                           void *userdata) {
        Manager *m = userdata;

        NOTIFY(m, profile_failed, file, error_file, line, message);
}

/* ---- requests ---- */

static unsigned level_confirm(Manager *m, const char *level) {
        _cleanup_(resolved_level_freep) ResolvedLevel *r = NULL;
        if (level_set_resolve(m->levels, level, &r) < 0)
                return 0;
        return r->confirm_sec;
}

int manager_set_level(Manager *m, const char *level, unsigned confirm_sec, Request *req_in) {
        _cleanup_(request_freep) Request *req = req_in;
        Job *j;

        assert(m);
        assert(level);
        assert(req && req->kind == REQUEST_SET);

        /* The caller is authorized now: a level written a moment ago may
         * be read (or one may have gone away meanwhile). */
        if (!manager_find_level_fresh(m, level))
                return REQUEST_ERROR_NO_SUCH_LEVEL;
        /* Judged again, against everything queued before it: the worker
         * runs the jobs in this order. */
        if (!req->may_lower && !manager_is_raise(m, level)) {
                log_warning("Refused to switch to level %s for a confined caller: it does not raise the level "
                            "from %s (applied), %s (pending), %s (recorded).", level, strna(m->level),
                            strna(m->pending_level), strna(m->persisted));
                return REQUEST_ERROR_ACCESS_DENIED;
        }
        /* The level before this request: what a missing confirmation
         * returns to. A second switch during a window keeps the first
         * confirmed level as the way back, and the window's timer runs on
         * until this switch is in the kernel. */
        if (free_and_strdup(&req->previous, m->confirm_previous ? m->confirm_previous : m->level) < 0)
                return -ENOMEM;
        req->confirm_sec = confirm_sec == UINT32_MAX ? level_confirm(m, level) : confirm_sec;
        if (free_and_strdup(&m->pending_level, level) < 0 || free_and_strdup(&m->target, level) < 0)
                return -ENOMEM;
        notify_changed(m, MANAGER_PROPERTY_PENDING_LEVEL);

        /* With the definitions as they are now (the level may be new). */
        j = apply_job(m, level, true);
        if (!j)
                return -ENOMEM;
        /* Persisted at once unless it must be confirmed first: a reboot
         * during the window comes back at the previous level. */
        if (req->confirm_sec == 0 && !(j->persist_level = strdup(level))) {
                job_free(j);
                return -ENOMEM;
        }
        j->unconfirmed = req->confirm_sec > 0;
        return manager_submit(m, j, TAKE_PTR(req));
}

int manager_confirm(Manager *m, Request *req_in) {
        _cleanup_(request_freep) Request *req = req_in;
        Job *j;

        assert(m);
        assert(req && req->kind == REQUEST_CONFIRM);

        if (!m->confirm_timer || !m->confirm_level)
                return REQUEST_ERROR_NOTHING_PENDING;
        j = job_new(JOB_PERSIST, m->confirm_level);
        if (!j || !(j->persist_level = strdup(m->confirm_level))) {
                job_free(j);
                return -ENOMEM;
        }
        log_notice("Level %s confirmed.", m->confirm_level);
        if (streq_ptr(m->pending_level, m->confirm_level))
                cancel_confirmation(m);
        else {
                /* A later switch is on its way: it stays pending. */
                m->confirm_timer = sd_event_source_disable_unref(m->confirm_timer);
                m->confirm_deadline = 0;
                m->confirm_previous = mfree(m->confirm_previous);
                m->confirm_level = mfree(m->confirm_level);
                notify_changed(m, MANAGER_PROPERTY_CONFIRM_DEADLINE | MANAGER_PROPERTY_REVERT_LEVEL);
        }
        return manager_submit(m, j, TAKE_PTR(req));
}

static int reload(Manager *m, Request *req_in, char **changed, bool invalidate_all, bool reread_config) {
        _cleanup_(request_freep) Request *req = req_in;
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(level_set_freep) LevelSet *levels = NULL;
        _cleanup_strv_free_ char **errors = NULL;
        _cleanup_(job_freep) Job *j = NULL;
        bool config_level_changed = false;
        int r;

        if (reread_config) {
                r = load_configuration(m, &config, &levels, &errors);
                if (r < 0)
                        return r;
                strv_free(m->errors);
                m->errors = TAKE_PTR(errors);
                notify_changed(m, MANAGER_PROPERTY_ERRORS);
        }

        j = job_new(JOB_APPLY, NULL);
        if (!j)
                return -ENOMEM;
        if (config) {
                config_level_changed = !streq_ptr(config->level, m->config->level);
                if (m->watch && (config->debounce_ms != m->config->debounce_ms ||
                                 config->debounce_max_ms != m->config->debounce_max_ms))
                        watch_set_debounce(m->watch, config->debounce_ms, config->debounce_max_ms);
                config_free(m->config);
                m->config = TAKE_PTR(config);
                level_set_free(m->levels);
                m->levels = TAKE_PTR(levels);
                if (copies_for_worker(m, &j->config, &j->levels) == -ENOMEM)
                        return -ENOMEM;
        }
        j->changed = strv_copy(changed);
        j->invalidate_all = invalidate_all;
        if (config_level_changed) {
                /* Config management changed level=: the newest
                 * instruction, also over a switch awaiting confirmation. */
                log_notice("level= changed in the configuration to %s.", strna(m->config->level));
                if (m->pending_level)
                        cancel_confirmation(m);
                j->select_from_config = true;
                j->cmdline_level = NULL;
                m->target = mfree(m->target);
        } else {
                j->level = strdup(m->target ? m->target : manager_current_level(m));
                if (!j->level)
                        return -ENOMEM;
                /* A reload during a confirmation window (the worker
                 * knows whether the level is the persisted one). */
                j->unconfirmed = m->pending_level != NULL;
        }
        return manager_submit(m, TAKE_PTR(j), TAKE_PTR(req));
}

int manager_reload(Manager *m, Request *req) {
        assert(m);
        assert(req && (req->kind == REQUEST_RELOAD));
        return reload(m, req, NULL, true, true);
}

static void on_files_changed(char **paths, void *userdata) {
        Manager *m = userdata;
        Request *req;
        bool config = false;
        int r;

        /* Only aalevel's own write of the runtime state file (twice after
         * a Check or a Diff of another level): nothing to do. */
        if (strv_length(paths) == 1 && state_file_is_own_write(paths[0], m->state_file, m->state_text)) {
                log_debug("%s changed: aalevel's own write.", paths[0]);
                return;
        }
        req = request_new(REQUEST_WATCH);
        if (!req) {
                log_oom();
                return;
        }
        STRV_FOREACH(p, paths)
                if (manager_config_has_path(m->config_file, m->config, *p)) {
                        config = true;
                        break;
                }
        log_debug("%zu paths changed, first %s%s.", strv_length(paths), paths[0],
                  config ? "; the configuration changed" : "");
        r = reload(m, req, paths, strv_contains(paths, "/"), config);
        if (r < 0)
                log_error_errno(r, "Failed to reload after changes: %m");
}

/* ---- signals and the kernel's revision ---- */

static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        (void) sd_notify(false, "STOPPING=1");
        log_info("Stopping; the policy in the kernel stays loaded.");
        return sd_event_exit(m->event, 0);
}

static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata) {
        Manager *m = userdata;
        Request *req = request_new(REQUEST_RELOAD);
        int r;

        log_info("Reloading (SIGHUP).");
        m->reloading = true;
        (void) sd_notify(false, "RELOADING=1");
        r = req ? manager_reload(m, req) : -ENOMEM;
        if (r < 0)
                log_error_errno(r, "Failed to reload: %m");
        return 0;
}

static int on_revision(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Manager *m = userdata;
        uint64_t rev = 0;
        Request *req;
        Job *j;

        if (kernel_revision_read(fd, &rev) < 0)
                return 0;
        /* Our own writes move it too: judge after our jobs are done. */
        if (manager_jobs_busy(m) || rev == m->revision)
                return 0;
        m->revision = rev;
        req = request_new(REQUEST_INSPECT);
        j = job_new(JOB_INSPECT, NULL);
        if (!req || !j) {
                request_free(req);
                job_free(j);
                return 0;
        }
        return manager_submit(m, j, req);
}

static void watch_revision(Manager *m) {
        _cleanup_free_ char *path = path_join(m->config->apparmorfs, "revision");
        int r;

        if (!path)
                return;
        m->revision_fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (m->revision_fd < 0) {
                log_warning_errno(-errno, "Cannot watch %s; changes by others go unnoticed: %m", path);
                return;
        }
        (void) kernel_revision_read(m->revision_fd, &m->revision);
        r = sd_event_add_io(m->event, &m->revision_source, m->revision_fd, EPOLLIN | EPOLLPRI, on_revision, m);
        if (r < 0)
                log_warning_errno(r, "Cannot watch %s: %m", path);
}

static void worker_submit_job(void *userdata, Job *job) {
        worker_submit(userdata, job);
}

static bool worker_is_busy(void *userdata) {
        return worker_busy(userdata);
}

int manager_start(Manager *m) {
        _cleanup_(config_freep) Config *wconfig = NULL;
        _cleanup_(level_set_freep) LevelSet *wlevels = NULL;
        Request *req;
        Job *j;
        sigset_t mask;
        int r;

        assert(m);
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return log_error_errno(-errno, "Failed to block signals: %m");
        r = sd_event_add_signal(m->event, NULL, SIGTERM, on_sigterm, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGINT, on_sigterm, m);
        if (r >= 0)
                r = sd_event_add_signal(m->event, NULL, SIGHUP, on_sighup, m);
        if (r < 0)
                return log_error_errno(r, "Failed to handle signals: %m");

        r = watch_new(m->event, m->config->debounce_ms, m->config->debounce_max_ms, on_files_changed, m, &m->watch);
        if (r < 0)
                return log_error_errno(r, "Failed to set up file watches: %m");

        /* The worker's own copies (the main thread's may be defaults
         * after a broken configuration: then use those). */
        r = copies_for_worker(m, &wconfig, &wlevels);
        if (r == -ENOMEM)
                return log_oom();
        if (r < 0) {
                r = config_new_default(NULL, &wconfig);
                if (r >= 0)
                        r = level_set_load(wconfig->vendor_levels_dir, wconfig->levels_dir, &wlevels);
                if (r < 0)
                        return log_oom();
        }
        r = worker_new(m->event, TAKE_PTR(wconfig), TAKE_PTR(wlevels), on_job_done, on_job_progress, on_job_failure,
                       m, &m->worker);
        if (r < 0)
                return log_error_errno(r, "Failed to start the worker thread: %m");
        if (!m->runner.submit)
                manager_set_job_runner(m, &(const JobRunner) { worker_submit_job, worker_is_busy, m->worker });

        watch_revision(m);

        req = request_new(REQUEST_START);
        j = job_new(JOB_APPLY, NULL);
        if (!req || !j) {
                request_free(req);
                job_free(j);
                return log_oom();
        }
        j->select_from_config = true;
        j->collect_garbage = true;
        if (m->cmdline_level && !(j->cmdline_level = strdup(m->cmdline_level))) {
                request_free(req);
                job_free(j);
                return log_oom();
        }
        if (m->cmdline_level)
                log_notice("Level %s from the kernel command line, for this boot.", m->cmdline_level);
        return manager_submit(m, j, req);
}

int manager_run(Manager *m) {
        assert(m);
        return sd_event_loop(m->event);
}
