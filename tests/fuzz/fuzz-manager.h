/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The daemon's own Manager for the transport fuzz targets (fuzz-bus.c,
 * fuzz-varlink.c), without a kernel, a worker thread or a compiler: a
 * configuration and level files written to a temporary directory, and a
 * JobRunner that answers each job at once with a made-up result through
 * manager_job_done(), as the worker's results come back. Static
 * functions, included by each target (each is built from its one source
 * file); FUZZ_MANAGER_TMPL, defined before the include, names the
 * directory (mkdtemp() template). */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "fileio.h"
#include "level.h"
#include "log.h"
#include "manager.h"
#include "strv.h"
#include "util.h"

static char *dir;               /* the configuration, levels and apparmorfs of the run */
static char *config_file;
static uint8_t mode;            /* byte 0 of the input */

/* ---- the job runner: answers every job at once ---- */

static Job *queued[64];
static size_t n_queued;

static void runner_submit(void *userdata, Job *job) {
        /* More than the manager lets through (four reads) plus changes. */
        FUZZ_ASSERT(n_queued < ELEMENTSOF(queued));
        if (job->type == JOB_CHECK || job->type == JOB_DIFF)
                FUZZ_ASSERT(level_name_is_valid(job->level));
        queued[n_queued++] = job;
}

static bool runner_busy(void *userdata) {
        return n_queued > 0;
}

static char *xstrdup(const char *s) {
        char *c = strdup(s);
        if (!c)
                abort();
        return c;
}

static void *xcalloc(size_t n, size_t size) {
        void *p = calloc(n, size);
        if (!p)
                abort();
        return p;
}

static char **empty_strv(void) {
        return xcalloc(1, sizeof(char *));
}

static EngineResult *made_up_result(const char *level) {
        EngineResult *res = xcalloc(1, sizeof(EngineResult));

        *res = (EngineResult) { .level = xstrdup(strempty(level)), .ok = !(mode & 0x40),
                                .error = xstrdup("t-one failed"), .n_units = 3, .n_failed = 1, .n_replaced = 1,
                                .duration = 1500 };
        res->failures = xcalloc(1, sizeof(UnitFailure));
        res->failures[0] = (UnitFailure) { .file = xstrdup("/etc/apparmor.d/t-one"),
                                           .error_file = xstrdup("/etc/apparmor.d/local/t-one"), .line = 2,
                                           .message = xstrdup("syntax error") };
        res->n_failures = 1;
        res->diff = xcalloc(1, sizeof(DiffEntry));
        res->diff[0] = (DiffEntry) { .name = xstrdup("t-two"), .change = xstrdup("mode"),
                                     .detail = xstrdup("complain -> enforce"),
                                     .file = xstrdup("/etc/apparmor.d/t-two") };
        res->n_diff = 1;
        return res;
}

/* What the worker would fill in. */
static void run_job(Job *j) {
        if (mode & 0x80) {
                j->r = -EIO;
                j->error = xstrdup("Cannot read the loaded policy: Input/output error");
                return;
        }
        switch (j->type) {
        case JOB_APPLY:
                j->result = made_up_result(j->level ? j->level : "default");
                if (j->result->ok)
                        j->applied = xstrdup(j->level ? j->level : "default");
                j->source = xstrdup("set");
                break;
        case JOB_CHECK:
        case JOB_DIFF:
                j->result = made_up_result(j->level);
                break;
        case JOB_INSPECT:
                j->modified = empty_strv();
                break;
        case JOB_PERSIST:
                break;
        }
}

static void finish_jobs(Manager *m) {
        while (n_queued > 0) {
                Job *j = queued[0];
                memmove(queued, queued + 1, sizeof(Job *) * --n_queued);
                run_job(j);
                manager_job_done(m, j);
        }
}

/* ---- the daemon's files, once ---- */

static const char * const level_texts[][2] = {
        { "default.yaml", "description: Profiles as declared\nmode: keep\n" },
        { "extreme.yaml", "inherits: fsp\nusers:\n  namespace: app\n  roles:\n    - user: alice\n      role: confined_user\n" },
        { "fsp.yaml", "inherits: strict\nconfirm: 120\nearly_policy: true\n" },
        { "strict.yaml", "inherits: default\nmode: enforce\nforce_complain: false\nrequires: [t-one]\n" },
        { "strict_server.yaml", "inherits: strict\nprofiles:\n  exclude: ['snap*']\n" },
};

static void write_in(const char *subdir, const char *name, const char *text) {
        _cleanup_free_ char *d = path_join(dir, subdir), *p = NULL;

        if (!d || mkdir_p(d, 0755) < 0 || !(p = path_join(d, name)) ||
            write_file_atomic(p, text, strlen(text), 0644) < 0)
                abort();
}

static void setup(void) {
        char tmpl[] = FUZZ_MANAGER_TMPL;
        _cleanup_free_ char *conf = NULL;

        log_set_max_level(LOG_CRIT); /* the refusals are expected */
        if (!mkdtemp(tmpl))
                abort();
        dir = xstrdup(tmpl);
        for (size_t i = 0; i < ELEMENTSOF(level_texts); i++)
                write_in("vendor-levels", level_texts[i][0], level_texts[i][1]);
        /* A broken one, for the Errors property. */
        write_in("levels", "broken.yaml", "mode: [\n");
        write_in("apparmorfs", "profiles", "t-one (enforce)\nt-two (complain)\nforeign (enforce)\n");
        if (asprintf(&conf,
                     "[daemon]\n"
                     "policy_dir = %1$s/policy\ncache_dir = %1$s/cache\nstate_dir = %1$s/state\n"
                     "runtime_dir = %1$s/run\napparmorfs = %1$s/apparmorfs\nearly_policy_dir = %1$s/early\n"
                     "levels_dir = %1$s/levels\nvendor_levels_dir = %1$s/vendor-levels\n"
                     "[access]\nlower_labels = allowed_label\n", dir) < 0)
                abort();
        write_in("etc", "aalevel.conf", conf);
        config_file = path_join(dir, "etc/aalevel.conf");
        if (!config_file)
                abort();
}

static void teardown(void) {
        if (dir) {
                _cleanup_free_ char *cmd = NULL;
                if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0)
                        (void) system(cmd);
        }
        free(dir);
        free(config_file);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
        setup();
        atexit(teardown);
        return 0;
}

/* The status the handlers read, as after the first apply: two profile
 * files loaded, one failed, one profile replaced by someone else. */
static void fill_status(Manager *m) {
        m->units = xcalloc(3, sizeof(UnitStatus));
        m->units[0] = (UnitStatus) { .file = xstrdup("/etc/apparmor.d/t-one"), .names = empty_strv() };
        m->units[1] = (UnitStatus) { .file = xstrdup("/etc/apparmor.d/t-two"), .names = empty_strv() };
        m->units[2] = (UnitStatus) { .file = xstrdup("/etc/apparmor.d/t-bad"), .failed = true,
                                     .error = xstrdup("/etc/apparmor.d/t-bad:3: syntax error") };
        m->n_units = 3;
        if (strv_extend(&m->units[0].names, "t-one") < 0 || strv_extend(&m->units[1].names, "t-two") < 0 ||
            strv_extend(&m->modified, "t-two") < 0)
                abort();
        if (mode & 8)
                m->level = xstrdup("strict");
        m->state = (mode & 0x20) ? MANAGER_IDLE : MANAGER_STARTING;
}

/* A switch to fsp that waits for its confirmation, as SetLevel makes it. */
static void pend_confirmation(Manager *m) {
        Request *req = request_new(REQUEST_SET);

        if (!req || manager_set_level(m, "fsp", 3600, req) < 0)
                abort();
        finish_jobs(m);
}
