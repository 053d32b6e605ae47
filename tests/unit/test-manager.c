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

Test(manager, reads_are_bounded) {
        Outcome o[5] = {};

        for (size_t i = 0; i < 4; i++)
                cr_assert_eq(manager_check(m, "strict", i % 2, request_for(i % 2 ? REQUEST_DIFF : REQUEST_CHECK, &o[i])),
                             0);
        cr_assert_eq(manager_check(m, "strict", false, request_for(REQUEST_CHECK, &o[4])), REQUEST_ERROR_BUSY);
        run_one(false);
        cr_assert_eq(o[0].calls, 1);
        cr_assert_eq(manager_check(m, "strict", false, request_for(REQUEST_CHECK, &o[4])), 0);
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
