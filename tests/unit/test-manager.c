/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The manager without a transport: requests come in through its entry
 * points, jobs go to a runner of the test's own (no worker thread, no
 * kernel), and observers see what a transport would turn into signals.
 * Nothing of the D-Bus code is used. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "fileio.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "util.h"

static char dir[] = "/tmp/test-manager.XXXXXX";
static Manager *m;
static Job *queued[8];
static size_t n_queued;

typedef struct Seen {
        unsigned changed;       /* ManagerProperty bits */
        unsigned level_changed;
        char last_level[64];
} Seen;

static Seen seen[2];

static void on_changed(void *userdata, ManagerProperty changed) {
        ((Seen *) userdata)->changed |= changed;
}

static void on_level_changed(void *userdata, const char *level, const char *previous) {
        Seen *s = userdata;
        s->level_changed++;
        snprintf(s->last_level, sizeof s->last_level, "%s", level);
}

static const ManagerObserver observer = { .properties_changed = on_changed, .level_changed = on_level_changed };

static void runner_submit(void *userdata, Job *job) {
        cr_assert_lt(n_queued, ELEMENTSOF(queued));
        queued[n_queued++] = job;
}

static bool runner_busy(void *userdata) {
        return n_queued > 0;
}

typedef struct Outcome {
        unsigned calls;
        RequestError error;
        char message[128];
} Outcome;

static void on_done(Request *req, RequestError error, const char *message, const EngineResult *result) {
        Outcome *o = req->userdata;
        o->calls++;
        o->error = error;
        snprintf(o->message, sizeof o->message, "%s", strempty(message));
}

static Request *request_for(RequestKind kind, Outcome *o) {
        Request *req = request_new(kind);
        cr_assert_not_null(req);
        req->done = on_done;
        req->userdata = o;
        return req;
}

/* Runs the oldest job as the worker would: applies succeed, or are
 * refused when refuse is set. */
static void run_one(bool refuse) {
        Job *j;

        cr_assert_gt(n_queued, 0);
        j = queued[0];
        memmove(queued, queued + 1, sizeof(Job *) * --n_queued);
        if (j->type == JOB_APPLY || j->type == JOB_CHECK || j->type == JOB_DIFF) {
                j->result = calloc(1, sizeof(EngineResult));
                cr_assert_not_null(j->result);
                j->result->level = strdup(strempty(j->level));
                j->result->ok = !refuse;
                j->result->error = refuse ? strdup("t-one failed to compile") : NULL;
                if (j->type == JOB_APPLY && !refuse)
                        j->applied = strdup(j->level);
        }
        manager_job_done(m, j);
}

static void write_in(const char *name, const char *text) {
        _cleanup_free_ char *p = path_join(dir, name), *d = NULL;
        cr_assert_not_null(p);
        d = strdup(p);
        *strrchr(d, '/') = '\0';
        cr_assert_eq(mkdir_p(d, 0755), 0);
        cr_assert_eq(write_file_atomic(p, text, strlen(text), 0644), 0);
}

static void setup(void) {
        _cleanup_free_ char *conf = NULL, *file = NULL;

        log_set_max_level(LOG_CRIT);
        cr_assert_not_null(mkdtemp(dir));
        write_in("vendor-levels/default.yaml", "mode: keep\n");
        write_in("vendor-levels/strict.yaml", "inherits: default\nmode: enforce\n");
        write_in("vendor-levels/fsp.yaml", "inherits: strict\nconfirm: 120\n");
        cr_assert(asprintf(&conf,
                           "[daemon]\npolicy_dir = %1$s/policy\ncache_dir = %1$s/cache\nstate_dir = %1$s/state\n"
                           "runtime_dir = %1$s/run\napparmorfs = %1$s/apparmorfs\nearly_policy_dir = %1$s/early\n"
                           "levels_dir = %1$s/levels\nvendor_levels_dir = %1$s/vendor-levels\n", dir) >= 0);
        write_in("aalevel.conf", conf);
        file = path_join(dir, "aalevel.conf");
        cr_assert_eq(manager_new(file, &m), 0);
        manager_set_job_runner(m, &(const JobRunner) { runner_submit, runner_busy, NULL });
        manager_add_observer(m, &observer, &seen[0]);
        manager_add_observer(m, &observer, &seen[1]);
}

static void teardown(void) {
        _cleanup_free_ char *cmd = NULL;

        while (n_queued > 0)
                job_free(queued[--n_queued]);
        m = manager_free(m);
        memset(seen, 0, sizeof seen);
        if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0)
                (void) system(cmd);
        strcpy(dir, "/tmp/test-manager.XXXXXX");
}

TestSuite(manager, .init = setup, .fini = teardown);

Test(manager, set_level_applies_and_tells_every_observer) {
        Outcome o = {};

        cr_assert_eq(manager_set_level(m, "strict", UINT32_MAX, request_for(REQUEST_SET, &o)), 0);
        cr_assert_eq(n_queued, 1);
        cr_assert_str_eq(queued[0]->level, "strict");
        cr_assert_str_eq(queued[0]->persist_level, "strict"); /* no confirmation: persisted at once */
        cr_assert(seen[0].changed & MANAGER_PROPERTY_PENDING_LEVEL);
        cr_assert_eq(o.calls, 0);

        run_one(false);
        cr_assert_eq(o.calls, 1);
        cr_assert_eq(o.error, REQUEST_OK);
        cr_assert_str_eq(m->level, "strict");
        for (size_t i = 0; i < ELEMENTSOF(seen); i++) {
                cr_assert_eq(seen[i].level_changed, 1);
                cr_assert_str_eq(seen[i].last_level, "strict");
                cr_assert(seen[i].changed & MANAGER_PROPERTY_LEVEL);
        }
}

Test(manager, confirmation_window) {
        Outcome o = {}, c = {};

        /* fsp asks for a confirmation: not persisted until confirmed. */
        cr_assert_eq(manager_set_level(m, "fsp", UINT32_MAX, request_for(REQUEST_SET, &o)), 0);
        cr_assert_null(queued[0]->persist_level);
        run_one(false);
        cr_assert_eq(o.error, REQUEST_OK);
        cr_assert_str_eq(m->pending_level, "fsp");
        cr_assert_eq(m->state, MANAGER_WAITING_CONFIRM);

        cr_assert_eq(manager_confirm(m, request_for(REQUEST_CONFIRM, &c)), 0);
        cr_assert_eq(queued[0]->type, JOB_PERSIST);
        cr_assert_null(m->pending_level);
        run_one(false);
        cr_assert_eq(c.calls, 1);
        cr_assert_eq(c.error, REQUEST_OK);
}

Test(manager, refusals_are_returned_not_completed) {
        Outcome o = {};

        cr_assert_eq(manager_set_level(m, "nope", 0, request_for(REQUEST_SET, &o)), REQUEST_ERROR_NO_SUCH_LEVEL);
        cr_assert_eq(manager_set_level(m, "../strict", 0, request_for(REQUEST_SET, &o)), REQUEST_ERROR_NO_SUCH_LEVEL);
        cr_assert_eq(manager_confirm(m, request_for(REQUEST_CONFIRM, &o)), REQUEST_ERROR_NOTHING_PENDING);
        cr_assert_eq(manager_check(m, "nope", false, request_for(REQUEST_CHECK, &o)), REQUEST_ERROR_NO_SUCH_LEVEL);
        cr_assert_eq(o.calls, 0);
        cr_assert_eq(n_queued, 0);
}

static Request *read_for(bool diff, uid_t uid, Outcome *o) {
        Request *req = request_for(diff ? REQUEST_DIFF : REQUEST_CHECK, o);
        req->uid = uid;
        return req;
}

Test(manager, reads_are_bounded) {
        Outcome o[MANAGER_READS_MAX + 1] = {};

        for (size_t i = 0; i < MANAGER_READS_MAX; i++)
                cr_assert_eq(manager_check(m, "strict", i % 2, read_for(i % 2, 0, &o[i])), 0);
        cr_assert_eq(manager_check(m, "strict", false, read_for(false, 0, &o[MANAGER_READS_MAX])),
                     REQUEST_ERROR_BUSY);
        /* One at a time goes to the runner. */
        cr_assert_eq(n_queued, 1);
        run_one(false);
        cr_assert_eq(o[0].calls, 1);
        cr_assert_eq(n_queued, 1);
        cr_assert_eq(manager_check(m, "strict", false, read_for(false, 0, &o[MANAGER_READS_MAX])), 0);
}

/* #2, #10: a user's checks and diffs are counted; others still get in. */
Test(manager, reads_per_user_quota) {
        Outcome o[4] = {};

        for (size_t i = 0; i < MANAGER_READS_PER_USER; i++)
                cr_assert_eq(manager_check(m, "strict", false, read_for(false, 1000, &o[i])), 0);
        cr_assert_eq(manager_check(m, "strict", true, read_for(true, 1000, &o[2])), REQUEST_ERROR_BUSY);
        cr_assert_eq(manager_check(m, "strict", true, read_for(true, 1001, &o[3])), 0);
        run_one(false);
        /* One of 1000's is done: room for another. */
        cr_assert_eq(manager_check(m, "strict", true, read_for(true, 1000, &o[2])), 0);
}

/* #2: root's switch does not wait behind unprivileged checks; root's
 * check goes before theirs. */
Test(manager, applies_go_before_waiting_reads) {
        Outcome o[4] = {}, s = {};

        cr_assert_eq(manager_check(m, "strict", false, read_for(false, 1000, &o[0])), 0);
        cr_assert_eq(manager_check(m, "strict", false, read_for(false, 1000, &o[1])), 0);
        cr_assert_eq(manager_check(m, "strict", false, read_for(false, 1001, &o[2])), 0);
        cr_assert_eq(manager_check(m, "default", false, read_for(false, 0, &o[3])), 0);
        cr_assert_eq(manager_set_level(m, "strict", 0, request_for(REQUEST_SET, &s)), 0);
        /* The first check runs already; the switch is next. */
        cr_assert_eq(n_queued, 2);
        cr_assert_eq(queued[0]->type, JOB_CHECK);
        cr_assert_eq(queued[1]->type, JOB_APPLY);
        run_one(false);
        run_one(false);
        cr_assert_eq(s.calls, 1);
        /* Then root's check, then the others in order. */
        cr_assert_eq(n_queued, 1);
        cr_assert_str_eq(queued[0]->level, "default");
        run_one(false);
        run_one(false);
        run_one(false);
        cr_assert_eq(n_queued, 0);
        for (size_t i = 0; i < ELEMENTSOF(o); i++)
                cr_assert_eq(o[i].calls, 1);
}

/* #4 (a): a refused later switch leaves the revert armed. */
Test(manager, revert_survives_a_refused_switch) {
        Outcome o = {}, s = {};

        cr_assert_eq(manager_set_level(m, "fsp", UINT32_MAX, request_for(REQUEST_SET, &o)), 0);
        run_one(false);
        cr_assert_not_null(m->confirm_timer);
        cr_assert_eq(manager_set_level(m, "strict", 0, request_for(REQUEST_SET, &s)), 0);
        cr_assert_not_null(m->confirm_timer);
        run_one(true);
        cr_assert_eq(s.error, REQUEST_ERROR_FAILED);
        cr_assert_not_null(m->confirm_timer);
        cr_assert_str_eq(m->pending_level, "fsp");
        cr_assert_str_eq(m->target, "fsp");
        cr_assert_neq(m->confirm_deadline, 0);
        cr_assert_eq(m->state, MANAGER_WAITING_CONFIRM);
}

/* #4 (c): the revert goes before checks waiting. */
Test(manager, revert_goes_before_waiting_reads) {
        Outcome o[2] = {}, s = {}, d = {};

        cr_assert_eq(manager_set_level(m, "default", 0, request_for(REQUEST_SET, &d)), 0);
        run_one(false);
        cr_assert_eq(manager_set_level(m, "fsp", 1, request_for(REQUEST_SET, &s)), 0);
        run_one(false);
        cr_assert_eq(manager_check(m, "strict", false, read_for(false, 1000, &o[0])), 0);
        cr_assert_eq(manager_check(m, "strict", false, read_for(false, 1001, &o[1])), 0);
        cr_assert_eq(n_queued, 1);
        /* The window (1 s) runs out. */
        for (int i = 0; i < 50 && n_queued < 2; i++)
                cr_assert_geq(sd_event_run(m->event, 100 * USEC_PER_MSEC), 0);
        cr_assert_eq(n_queued, 2);
        cr_assert_eq(queued[1]->type, JOB_APPLY);
        cr_assert_str_eq(queued[1]->level, "default");
        cr_assert_null(m->pending_level);
}

/* #3: a caller that may not lower is judged against the strongest of the
 * applied and the pending level, and before the first apply everything
 * counts as lowering. */
Test(manager, confined_switch_judged_against_strongest) {
        Outcome a = {}, b = {}, c = {}, d = {};
        Request *req;

        req = request_for(REQUEST_SET, &a);
        req->may_lower = false;
        cr_assert_eq(manager_set_level(m, "strict", 0, req), REQUEST_ERROR_ACCESS_DENIED);
        cr_assert_null(m->pending_level);

        cr_assert_eq(manager_set_level(m, "default", 0, request_for(REQUEST_SET, &b)), 0);
        run_one(false);
        /* Root switches to fsp; while it is on its way, strict is no raise. */
        cr_assert_eq(manager_set_level(m, "fsp", 0, request_for(REQUEST_SET, &c)), 0);
        req = request_for(REQUEST_SET, &d);
        req->may_lower = false;
        cr_assert_eq(manager_set_level(m, "strict", 0, req), REQUEST_ERROR_ACCESS_DENIED);
        cr_assert_str_eq(m->pending_level, "fsp");
        run_one(false);
        cr_assert_str_eq(m->level, "fsp");
        cr_assert(manager_is_raise(m, "fsp") == true);
        cr_assert(manager_is_raise(m, "strict") == false);
        cr_assert(manager_is_raise(m, "nope") == false);
}

/* #9: inheriting is not raising. A confined caller at strict may not
 * switch to a sublevel that unloads profiles strict enforces; one that
 * only adds profiles is a raise. */
Test(manager, confined_switch_to_weaker_sublevel_refused) {
        Outcome a = {}, b = {}, c = {};
        Request *req;

        write_in("levels/strict_server.yaml", "inherits: strict\nprofiles:\n  exclude: ['gnome-*']\n");
        write_in("levels/strict_site.yaml", "inherits: strict\nprofiles:\n  directories: [/srv/site]\n");
        cr_assert_not_null(manager_find_level_fresh(m, "strict_server"));
        cr_assert_not_null(manager_find_level(m, "strict_site"));

        cr_assert_eq(manager_set_level(m, "strict", 0, request_for(REQUEST_SET, &a)), 0);
        run_one(false);
        cr_assert_str_eq(m->level, "strict");
        cr_assert(manager_is_raise(m, "strict_site") == true);
        cr_assert(manager_is_raise(m, "strict_server") == false);
        req = request_for(REQUEST_SET, &b);
        req->may_lower = false;
        cr_assert_eq(manager_set_level(m, "strict_server", 0, req), REQUEST_ERROR_ACCESS_DENIED);
        cr_assert_null(m->pending_level);
        req = request_for(REQUEST_SET, &c);
        req->may_lower = false;
        cr_assert_eq(manager_set_level(m, "strict_site", 0, req), 0);
        cr_assert_str_eq(m->pending_level, "strict_site");
}

/* #10: re-setting a level that awaits confirmation is no raise. */
Test(manager, resetting_pending_level_is_no_raise) {
        Outcome o = {};

        cr_assert_eq(manager_set_level(m, "fsp", UINT32_MAX, request_for(REQUEST_SET, &o)), 0);
        run_one(false);
        cr_assert_str_eq(m->pending_level, "fsp");
        cr_assert(manager_is_raise(m, "fsp") == false);
}

Test(manager, refused_switch_fails_the_request_once) {
        Outcome o = {};

        cr_assert_eq(manager_set_level(m, "strict", 0, request_for(REQUEST_SET, &o)), 0);
        run_one(true);
        cr_assert_eq(o.calls, 1);
        cr_assert_eq(o.error, REQUEST_ERROR_FAILED);
        cr_assert_str_eq(o.message, "t-one failed to compile");
        cr_assert_null(m->level);
        cr_assert_null(m->pending_level);
        cr_assert_eq(seen[0].level_changed, 0);
}

Test(manager, removed_observer_hears_nothing) {
        Outcome o = {};

        manager_remove_observer(m, &observer, &seen[1]);
        manager_remove_observer(m, &observer, &seen[1]); /* not there: nothing */
        cr_assert_eq(manager_set_level(m, "strict", 0, request_for(REQUEST_SET, &o)), 0);
        run_one(false);
        cr_assert_eq(seen[0].level_changed, 1);
        cr_assert_eq(seen[1].level_changed, 0);
        cr_assert_eq(seen[1].changed, 0);
}

Test(request, completes_at_most_once) {
        Outcome o = {};
        Request *req = request_for(REQUEST_RELOAD, &o);

        request_complete(req, REQUEST_ERROR_FAILED, "why", NULL);
        request_complete(req, REQUEST_OK, NULL, NULL);
        cr_assert_eq(o.calls, 1);
        cr_assert_eq(o.error, REQUEST_ERROR_FAILED);
        request_free(req);
}
