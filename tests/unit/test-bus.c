/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The D-Bus face of the manager, through the daemon's own Bus (bus.c,
 * bus-socket.c, access.c) and Manager: a client on a socketpair whose
 * other end the Bus serves as a connection of its private socket, with
 * the identity given here (as caller_from_socket() would read it). Jobs
 * go to a runner of the test's own (no worker, no kernel). Issue 14 #10:
 * nothing is read from disk for a caller before it is authorized; a
 * user's checks and diffs are counted against that user, whoever else
 * asks. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus.h"
#include "dbus-api.h"
#include "fileio.h"
#include "log.h"
#include "manager.h"
#include "util.h"

static char dir[] = "/tmp/test-bus.XXXXXX";
static Manager *m;
static Bus *b;
static Job *queued[16];
static size_t n_queued;

static void runner_submit(void *userdata, Job *job) {
        cr_assert_lt(n_queued, ELEMENTSOF(queued));
        queued[n_queued++] = job;
}

static bool runner_busy(void *userdata) {
        return n_queued > 0;
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

        log_set_max_level(LOG_CRIT); /* the refusals are expected */
        cr_assert_not_null(mkdtemp(dir));
        write_in("vendor-levels/default.yaml", "mode: keep\n");
        write_in("vendor-levels/strict.yaml", "inherits: default\nmode: enforce\n");
        cr_assert(asprintf(&conf,
                           "[daemon]\npolicy_dir = %1$s/policy\ncache_dir = %1$s/cache\nstate_dir = %1$s/state\n"
                           "runtime_dir = %1$s/run\napparmorfs = %1$s/apparmorfs\nearly_policy_dir = %1$s/early\n"
                           "levels_dir = %1$s/levels\nvendor_levels_dir = %1$s/vendor-levels\n"
                           "[access]\nlower_labels = t-allowed\n", dir) >= 0);
        write_in("aalevel.conf", conf);
        file = path_join(dir, "aalevel.conf");
        cr_assert_eq(manager_new(file, &m), 0);
        manager_set_job_runner(m, &(const JobRunner) { runner_submit, runner_busy, NULL });
        cr_assert_eq(bus_new(m, &b), 0);
}

static void teardown(void) {
        _cleanup_free_ char *cmd = NULL;

        while (n_queued > 0)
                job_free(queued[--n_queued]);
        b = bus_free(b);
        m = manager_free(m);
        if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0)
                (void) !system(cmd);
        strcpy(dir, "/tmp/test-bus.XXXXXX");
}

TestSuite(bus, .init = setup, .fini = teardown, .timeout = 60);

/* A client whose identity, as the daemon took it at connect time, is
 * uid and label (NULL: the label could not be read). */
static sd_bus *connect_as(uid_t uid, const char *label) {
        Caller peer = { .uid = uid, .pid = getpid(), .start_time = 1, .label = label ? strdup(label) : NULL };
        sd_bus *client = NULL;
        int sv[2];

        cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv), 0);
        cr_assert_eq(bus_add_connection(b, sv[0], &peer), 0);
        cr_assert_geq(sd_bus_new(&client), 0);
        cr_assert_geq(sd_bus_set_fd(client, sv[1], sv[1]), 0);
        cr_assert_geq(sd_bus_start(client), 0);
        cr_assert_geq(sd_bus_attach_event(client, m->event, 0), 0);
        return client;
}

typedef struct Reply {
        unsigned calls;
        char error[512];        /* "name: message", empty for a method return */
} Reply;

static int on_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Reply *r = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        r->calls++;
        if (e)
                snprintf(r->error, sizeof r->error, "%s: %s", e->name, strempty(e->message));
        return 0;
}

/* Runs the event loop until r has its answer, at most a number of rounds
 * (not a time: the loop waits 10 ms only when there is nothing to do). */
static void pump(const Reply *r, unsigned rounds) {
        for (unsigned i = 0; i < rounds && (!r || r->calls == 0); i++)
                cr_assert_geq(sd_event_run(m->event, 10 * 1000), 0);
}

static void set_level(sd_bus *client, const char *level, Reply *r) {
        cr_assert_geq(sd_bus_call_method_async(client, NULL, "org.aalevel1", AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE,
                                               "SetLevel", on_reply, r, "sut", level, UINT32_MAX, (uint64_t) 0),
                      0);
}

static void check(sd_bus *client, const char *level, Reply *r) {
        cr_assert_geq(sd_bus_call_method_async(client, NULL, "org.aalevel1", AALEVEL_OBJECT_PATH, AALEVEL_INTERFACE,
                                               "Check", on_reply, r, "s", level),
                      0);
}

/* #10: SetLevel with a level the daemon does not know yet reads the level
 * directories again only for a caller it has authorized: an unprivileged
 * user, or a confined root process (an unknown level counts as lowering),
 * is refused with nothing read (bus.c: method_set_level() judges with the
 * definitions in memory; manager_set_level() rereads, after on_authorized()).
 * Fails when the reread moves before the authorization (E9: the level
 * appears in the manager's set, last_level_reread is set). */
Test(bus, unknown_level_not_read_before_authorization) {
        struct { uid_t uid; const char *label; } refused[] = {
                { 1000, "unconfined" }, /* no polkit here: only root may change */
                { 0, "t-confined" },    /* confined, not in lower_labels */
                { 0, NULL },            /* label unknown: confined */
        };
        Reply root = {};
        sd_bus *client;

        /* Written after the daemon read its levels. */
        write_in("vendor-levels/newlevel.yaml", "inherits: strict\n");
        for (size_t i = 0; i < ELEMENTSOF(refused); i++) {
                Reply r = {};

                client = connect_as(refused[i].uid, refused[i].label);
                set_level(client, "newlevel", &r);
                pump(&r, 500);
                cr_assert_eq(r.calls, 1, "no answer");
                cr_assert_not_null(strstr(r.error, "AccessDenied"), "uid %ld label %s: %s", (long) refused[i].uid,
                                   strna(refused[i].label), r.error);
                cr_assert_eq(m->last_level_reread, 0, "the level files were read for uid %ld label %s before it was "
                             "authorized", (long) refused[i].uid, strna(refused[i].label));
                cr_assert_null(manager_find_level(m, "newlevel"), "the new level was read for an unauthorized caller");
                cr_assert_eq(n_queued, 0);
                sd_bus_flush_close_unref(client);
        }

        /* Authorized (root, unconfined): read, and the switch queued. */
        client = connect_as(0, "unconfined");
        set_level(client, "newlevel", &root);
        for (unsigned i = 0; i < 500 && n_queued == 0 && root.calls == 0; i++)
                cr_assert_geq(sd_event_run(m->event, 10 * 1000), 0);
        cr_assert_eq(root.calls, 0, "answered: %s", root.error);
        cr_assert_neq(m->last_level_reread, 0);
        cr_assert_not_null(manager_find_level(m, "newlevel"));
        cr_assert_eq(n_queued, 1);
        cr_assert_str_eq(queued[0]->level, "newlevel");
        sd_bus_flush_close_unref(client);
}

/* #2, #10: a user's checks and diffs count against that user, as the bus
 * identified them (not the connection, not root): a third from the same
 * uid on another connection is refused, another user and root get in. */
Test(bus, checks_counted_per_user) {
        sd_bus *a = connect_as(1000, "unconfined"), *a2 = connect_as(1000, "unconfined"),
               *other = connect_as(1001, "unconfined"), *root = connect_as(0, "unconfined");
        Reply r[5] = {};

        check(a, "strict", &r[0]);
        check(a2, "strict", &r[1]);
        pump(NULL, 20);
        check(a2, "strict", &r[2]);
        pump(&r[2], 500);
        cr_assert_eq(r[2].calls, 1, "the user's third check was not refused");
        cr_assert_not_null(strstr(r[2].error, "org.aalevel1.Error"), "%s", r[2].error);
        check(other, "strict", &r[3]);
        check(root, "strict", &r[4]);
        pump(NULL, 20);
        /* The first two, the other user's and root's wait for the worker. */
        cr_assert_eq(r[0].calls + r[1].calls + r[3].calls + r[4].calls, 0, "%s%s%s%s", r[0].error, r[1].error,
                     r[3].error, r[4].error);
        sd_bus_flush_close_unref(a);
        sd_bus_flush_close_unref(a2);
        sd_bus_flush_close_unref(other);
        sd_bus_flush_close_unref(root);
}
