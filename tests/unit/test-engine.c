/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The engine against an in-memory kernel (fake-kernel.h), compiling with
 * the host's apparmor_parser: each rule of SPEC.md's "Rules that are never
 * broken" that the engine keeps, proven without booting a kernel. The VM
 * tests (tests/vm/tests/1*.sh) prove the same on a real one.
 *
 * Each test names the place in the engine that keeps its rule: with that
 * line removed, the test fails (checked for each when the test was
 * written, issue 13). The tests of issue 14's findings (#1, #4b, #5,
 * #11) failed on the engine before their fix. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine.h"
#include "fake-kernel.h"
#include "fileio.h"
#include "strv.h"
#include "util.h"

static char dir[] = "/tmp/test-engine.XXXXXX";
static Config *config;
static LevelSet *levels;
static FakeKernel *fake;
static Kernel *kernel;
static Engine *engine;

static char *path(const char *name) {
        char *p = path_join(dir, name);
        cr_assert_not_null(p);
        return p;
}

/* Writes a file, and tells the engine as the daemon's watch would. */
static void write_text(const char *name, const char *text) {
        _cleanup_free_ char *p = path(name);
        cr_assert_eq(write_file_atomic(p, text, strlen(text), 0644), 0, "cannot write %s", p);
        if (engine)
                engine_invalidate(engine, p);
}

/* A profile file NAME declaring profile NAME, in complain mode (so that a
 * level that enforces changes its binary), with extra rules. */
static void write_profile(const char *file, const char *name, const char *rules) {
        _cleanup_free_ char *text = NULL, *rel = NULL;

        cr_assert_geq(asprintf(&text, "profile %s /usr/bin/%s flags=(complain) {\n  /etc/hostname r,\n%s}\n", name,
                               name, rules),
                      0);
        cr_assert_geq(asprintf(&rel, "policy/%s", file), 0);
        write_text(rel, text);
}

static void remove_profile(const char *file) {
        _cleanup_free_ char *rel = NULL, *p = NULL;

        cr_assert_geq(asprintf(&rel, "policy/%s", file), 0);
        p = path(rel);
        cr_assert_eq(unlink(p), 0);
        engine_invalidate(engine, p);
}

/* How many times the parser compiled something (its --version runs are
 * not counted). */
static unsigned parser_runs(void) {
        _cleanup_free_ char *p = path("parser.count"), *text = NULL;
        unsigned n = 0;

        if (read_full_file(p, 1024 * 1024, &text, NULL) < 0)
                return 0;
        for (const char *c = text; *c; c++)
                n += *c == '\n';
        return n;
}

static void open_engine(void) {
        EngineOptions options = { .kernel = kernel };
        _cleanup_free_ char *error = NULL;

        engine_free(engine);
        engine = NULL;
        cr_assert_eq(engine_new(config, levels, &options, &engine, &error), 0, "engine_new: %s", strna(error));
}

static void setup(void) {
        _cleanup_free_ char *conf = NULL, *conf_file = NULL, *parser = NULL, *error = NULL, *data = NULL;
        const char *subdirs[] = { "policy", "cache", "state", "run", "levels", "vendor", "early" };

        cr_assert_not_null(mkdtemp(dir));
        data = realpath(TEST_DATA_DIR, NULL); /* the configuration takes no ".." */
        cr_assert_not_null(data);
        for (size_t i = 0; i < ELEMENTSOF(subdirs); i++) {
                _cleanup_free_ char *p = path(subdirs[i]);
                cr_assert_eq(mkdir(p, 0755), 0);
        }
        cr_assert_geq(asprintf(&parser, "#!/bin/sh\n[ \"$1\" = --version ] || echo run >>'%s/parser.count'\n"
                                        "exec '%s' \"$@\"\n",
                               dir, AALEVEL_APPARMOR_PARSER),
                      0);
        write_text("parser", parser);
        {
                _cleanup_free_ char *p = path("parser");
                cr_assert_eq(chmod(p, 0755), 0);
        }
        write_text("parser.conf", "");
        write_text("vendor/default.yaml", "description: as declared\nmode: keep\n");
        write_text("vendor/strict.yaml", "description: enforced\ninherits: default\nmode: enforce\n");
        write_text("vendor/early.yaml", "description: with early policy\ninherits: default\nearly_policy: true\n");
        write_text("vendor/lvl1.yaml", "description: LEVEL 1\ninherits: default\nstate:\n  LEVEL: 1\n");
        write_text("vendor/lvl2.yaml", "description: LEVEL 2\ninherits: default\nstate:\n  LEVEL: 2\n");
        write_text("vendor/kde.yaml", "description: a KDE desktop\ninherits: default\nstate:\n  DE: [kde]\n");
        write_text("vendor/required.yaml",
                   "description: enforced, t-req required\ninherits: strict\nrequires:\n  - t-req\n");
        cr_assert_geq(asprintf(&conf,
                               "[daemon]\npolicy_dir=%1$s/policy\ncache_dir=%1$s/cache\nstate_dir=%1$s/state\n"
                               "runtime_dir=%1$s/run\napparmorfs=%1$s/no-apparmorfs\nparser=%1$s/parser\n"
                               "parser_config=%1$s/parser.conf\nfeatures_file=%2$s/engine/kernel.features\n"
                               "early_policy_dir=%1$s/early\nlevels_dir=%1$s/levels\n"
                               "vendor_levels_dir=%1$s/vendor\njobs=2\n",
                               dir, data),
                      0);
        write_text("aalevel.conf", conf);
        conf_file = path("aalevel.conf");
        cr_assert_eq(config_load(conf_file, NULL, &config, &error), 0, "config: %s", strna(error));
        cr_assert_eq(level_set_load(config->vendor_levels_dir, config->levels_dir, &levels), 0);
        cr_assert_eq(strv_length(levels->errors), 0, "level definitions: %s", levels->errors[0]);
        cr_assert_eq(fake_kernel_new(&fake, &kernel), 0);
        open_engine();
}

static void teardown(void) {
        _cleanup_free_ char *cmd = NULL;

        engine_free(engine);
        engine = NULL;
        kernel_free(kernel);
        fake_kernel_free(fake);
        level_set_free(levels);
        config_free(config);
        if (asprintf(&cmd, "rm -rf '%s'", dir) >= 0)
                (void) !system(cmd);
}

TestSuite(engine, .init = setup, .fini = teardown, .timeout = 120);

static EngineResult *run(const char *level, EngineMode mode) {
        EngineResult *res = NULL;

        _cleanup_free_ char *error = NULL;

        cr_assert_eq(engine_run(engine, level, mode, &res, &error), 0, "engine_run %s: %s", level, strna(error));
        cr_assert_not_null(res);
        return res;
}

/* Applies a level that must apply completely. */
static void apply_ok(const char *level) {
        _cleanup_(engine_result_freep) EngineResult *res = run(level, ENGINE_APPLY);

        cr_assert(res->ok, "level %s: %s", level, strna(res->error));
        cr_assert_eq(res->n_failed, 0, "level %s: %u failed", level, res->n_failed);
}

static bool log_has(const char *prefix) {
        STRV_FOREACH(l, fake->log)
                if (startswith(*l, prefix))
                        return true;
        return false;
}

static char *sha1_of(const char *name) {
        const char *s = fake_kernel_sha1(fake, name);
        cr_assert_not_null(s, "%s is not loaded", name);
        return strdup(s);
}

/* Names are claimed before loading: at every write, the state on disk
 * already owns every name written (load.c: load_units() -> claim()). */
Test(engine, names_claimed_before_loading) {
        _cleanup_free_ char *state = path("state/state");

        fake->state_path = state;
        write_profile("t-a", "t-a", "");
        write_profile("t-b", "t-b", "");
        apply_ok("default");
        cr_assert(fake_kernel_has(fake, "t-a") && fake_kernel_has(fake, "t-b"));
        /* A new file later, in a daemon that keeps its engine. */
        write_profile("t-c", "t-c", "");
        apply_ok("default");
        cr_assert(fake_kernel_has(fake, "t-c"));
        cr_assert_eq(fake->unowned_writes, 0, "%u names written before the state owned them", fake->unowned_writes);
}

/* A switch replaces in place, never removes and re-adds; a profile that
 * moves to another file is replaced too (load.c: sweep_unit(), the names
 * a current unit makes stay). */
Test(engine, replace_never_remove) {
        write_profile("t-a", "t-a", "");
        write_profile("t-b", "t-b", "");
        apply_ok("default");
        fake_kernel_clear_log(fake);

        apply_ok("strict");
        cr_assert(log_has("replace t-a") && log_has("replace t-b"), "the switch changes every binary");
        cr_assert_not(log_has("remove"), "a switch removed a profile");

        /* The file of t-a renamed: the profile stays, replaced. */
        remove_profile("t-a");
        write_profile("t-a-renamed", "t-a", "  /etc/hosts r,\n");
        fake_kernel_clear_log(fake);
        apply_ok("strict");
        cr_assert(log_has("replace t-a"));
        cr_assert_not(log_has("remove"), "a profile that moved to another file was removed");
        cr_assert(fake_kernel_has(fake, "t-a"));
}

/* A profile that fails to compile keeps its previous version; every other
 * profile still loads; the failure names file and line (load.c: sweep(),
 * a failed file of the level keeps its unit). */
Test(engine, failed_compile_keeps_previous) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_free_ char *a_before = NULL, *b_before = NULL, *a_file = path("policy/t-a");
        const StateUnit *su;

        write_profile("t-a", "t-a", "");
        write_profile("t-b", "t-b", "");
        apply_ok("default");
        a_before = sha1_of("t-a");
        b_before = sha1_of("t-b");

        write_profile("t-a", "t-a", "  this is not a rule\n");
        write_profile("t-b", "t-b", "  /etc/hosts r,\n");
        res = run("default", ENGINE_APPLY);
        cr_assert(res->ok);
        cr_assert_eq(res->n_failed, 1);
        cr_assert_str_eq(res->failures[0].file, a_file);
        cr_assert_gt(res->failures[0].line, 0, "the failure has a line");
        cr_assert(fake_kernel_has(fake, "t-a"), "the failed profile was removed");
        cr_assert_str_eq(fake_kernel_sha1(fake, "t-a"), a_before, "the failed profile was replaced");
        cr_assert_str_neq(fake_kernel_sha1(fake, "t-b"), b_before, "the other profile was not loaded");
        su = state_find_unit(engine_state(engine), a_file, NULL);
        cr_assert_not_null(su, "the state forgot the failed file");
        cr_assert_str_eq(su->sha1, a_before);
}

/* ... into an empty kernel too: at boot its last good binary is loaded
 * (plan.c: use_previous(), the state's key stands in for a failed unit;
 * issue 14, finding 5). */
Test(engine, failed_compile_keeps_previous_at_boot) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_free_ char *a_before = NULL;

        write_profile("t-a", "t-a", "");
        write_profile("t-b", "t-b", "");
        apply_ok("default");
        a_before = sha1_of("t-a");

        write_profile("t-a", "t-a", "  this is not a rule\n");
        fake_kernel_reboot(fake);
        open_engine();
        res = run("default", ENGINE_APPLY);
        cr_assert_eq(res->n_failed, 1);
        cr_assert(fake_kernel_has(fake, "t-b"));
        cr_assert(fake_kernel_has(fake, "t-a"), "the failed profile's last good binary was not loaded at boot");
        cr_assert_str_eq(fake_kernel_sha1(fake, "t-a"), a_before);
}

/* The early policy's file for a profile file, read whole; NULL when
 * there is none (libapparmor's layout: early/<features>.N/<name>). */
static char *early_policy_file(const char *name, size_t *ret_size) {
        _cleanup_free_ char *cmd = NULL, *text = NULL;
        char found[PATH_MAX];
        FILE *f;

        cr_assert_geq(asprintf(&cmd, "find '%s/early' -type f -name '%s'", dir, name), 0);
        f = popen(cmd, "r");
        cr_assert_not_null(f);
        if (!fgets(found, sizeof found, f)) {
                pclose(f);
                return NULL;
        }
        pclose(f);
        found[strcspn(found, "\n")] = 0;
        cr_assert_eq(read_full_file(found, 64 * 1024 * 1024, &text, ret_size), 0);
        return TAKE_PTR(text);
}

/* ... and the early policy keeps its last good version: a run after the
 * failure leaves its file alone (early-policy.c: engine_write_policy_cache()
 * writes every usable unit, plan.c: use_previous()). */
Test(engine, failed_compile_keeps_previous_early_policy) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_free_ char *before = NULL, *after = NULL, *a_before = NULL;
        size_t before_size = 0, after_size = 0;

        write_profile("t-a", "t-a", "");
        write_profile("t-b", "t-b", "");
        apply_ok("early");
        a_before = sha1_of("t-a");
        before = early_policy_file("t-a", &before_size);
        cr_assert_not_null(before, "the early policy has no t-a");

        write_profile("t-a", "t-a", "  this is not a rule\n");
        res = run("early", ENGINE_APPLY);
        cr_assert_eq(res->n_failed, 1);
        after = early_policy_file("t-a", &after_size);
        cr_assert_not_null(after, "a run after the failure deleted the early policy of t-a");
        cr_assert(after_size == before_size && memcmp(after, before, before_size) == 0, "the early policy of t-a changed");
        cr_assert_str_eq(fake_kernel_sha1(fake, "t-a"), a_before);
}

/* A parser that, once (when the file "mutate" exists), compiles another
 * content of policy/t-a than the engine read: the file is replaced by
 * "t-a.other" before the parser runs, and put back after it (with a
 * pause: a later clock tick), as a shell's `>` or an editor would. */
static void parser_mutating(void) {
        _cleanup_free_ char *parser = NULL, *p = path("parser");

        cr_assert_geq(asprintf(&parser,
                               "#!/bin/sh\n[ \"$1\" = --version ] || echo run >>'%1$s/parser.count'\n"
                               "if [ \"$1\" != --version ] && { [ -e '%1$s/mutate.always' ] || rm '%1$s/mutate' 2>/dev/null; }; then\n"
                               "  cp '%1$s/policy/t-a' '%1$s/t-a.good'\n"
                               "  cp '%1$s/t-a.other' '%1$s/policy/t-a'\n"
                               "  '%2$s' \"$@\"; rc=$?\n"
                               "  sleep 0.1; cp '%1$s/t-a.good' '%1$s/policy/t-a'\n"
                               "  exit $rc\n"
                               "fi\n"
                               "exec '%2$s' \"$@\"\n",
                               dir, AALEVEL_APPARMOR_PARSER),
                      0);
        cr_assert_eq(write_file_atomic(p, parser, strlen(parser), 0755), 0);
        write_text("mutate", "");
}

/* What is stored under a key was compiled from exactly the bytes the key
 * names: a file that changes while its compile runs has the result thrown
 * away and is compiled again (plan.c: compiled() -> closure_unchanged(),
 * compile_units(); issue 14, finding 1). Here the parser sees a profile
 * of another name. */
Test(engine, changed_while_compiling_binary_not_kept) {
        write_profile("t-a", "t-a", "");
        write_text("t-a.other", "profile t-other /usr/bin/t-other {\n  /etc/hostname r,\n}\n");
        parser_mutating();
        apply_ok("default");
        cr_assert_eq(parser_runs(), 2, "the file that changed was not compiled again");
        cr_assert(fake_kernel_has(fake, "t-a"), "the binary of what the parser read was loaded");
        cr_assert_not(fake_kernel_has(fake, "t-other"), "the binary of other bytes was loaded");
        /* A restart and a reload trust the cache: it must hold t-a. */
        fake_kernel_reboot(fake);
        open_engine();
        apply_ok("default");
        cr_assert(fake_kernel_has(fake, "t-a") && !fake_kernel_has(fake, "t-other"),
                  "the cache holds the other bytes' binary under t-a's key");
}

/* ... and no failure is cached for content the parser did not see: a
 * half-written file (here, a syntax error) while compiling. */
Test(engine, changed_while_compiling_failure_not_kept) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL;

        write_profile("t-a", "t-a", "");
        write_text("t-a.other", "profile t-a /usr/bin/t-a {\n  this is not a rule\n}\n");
        parser_mutating();
        res = run("default", ENGINE_APPLY);
        cr_assert_eq(res->n_failed, 0, "the failure of bytes the key does not name was reported: %s",
                     res->n_failures > 0 ? res->failures[0].message : "");
        cr_assert(fake_kernel_has(fake, "t-a"));
        fake_kernel_reboot(fake);
        open_engine();
        apply_ok("default");
        cr_assert(fake_kernel_has(fake, "t-a"), "a failure is cached under the good content's key");
}

/* A file that keeps changing (every compile sees other bytes than the
 * key named): after COMPILE_ATTEMPTS_MAX compiles the unit fails for this
 * run, with nothing cached, and its previous version stays loaded; the
 * next run, once the file has settled, compiles and loads it (plan.c:
 * compile_units()). Run under valgrind/LeakSanitizer, it also covers the
 * memory of the attempts given up. */
Test(engine, keeps_changing_fails_then_recovers) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_free_ char *before = NULL;

        write_profile("t-a", "t-a", "");
        apply_ok("default");
        before = sha1_of("t-a");
        write_profile("t-a", "t-a", "  /srv/new r,\n");
        write_text("t-a.other", "profile t-a /usr/bin/t-a {\n  /srv/other r,\n}\n");
        parser_mutating();
        write_text("mutate.always", "");
        res = run("default", ENGINE_APPLY);
        cr_assert_eq(res->n_failed, 1, "a file that kept changing was not reported failed");
        cr_assert_eq(parser_runs(), 1 + 3, "not compiled exactly three times: %u", parser_runs() - 1);
        cr_assert_eq(res->n_failures, 1);
        cr_assert(strstr(res->failures[0].message, "kept changing"), "%s", res->failures[0].message);
        cr_assert_str_eq(fake_kernel_sha1(fake, "t-a"), before, "the previous version of t-a did not stay loaded");
        /* Settled: compiled and loaded. */
        {
                _cleanup_free_ char *p = path("mutate.always");
                cr_assert_eq(unlink(p), 0);
        }
        apply_ok("default");
        cr_assert_str_neq(fake_kernel_sha1(fake, "t-a"), before, "the settled file was not loaded");
}

/* The early policy follows confirmed levels only: a reboot during the
 * confirmation window boots the last confirmed level (engine.c:
 * early_policy_after_apply(), engine_commit_early_policy(); the worker
 * defers for a SetLevel with a confirmation window; issue 14, finding
 * 4b). */
Test(engine, unconfirmed_level_no_early_policy) {
        _cleanup_free_ char *first = NULL, *confirmed = NULL, *after = NULL;
        _cleanup_free_ char *error = NULL;
        size_t first_size = 0, confirmed_size = 0, after_size = 0;

        write_profile("t-a", "t-a", "");
        apply_ok("default");
        /* Into a level with early policy, unconfirmed: nothing written. */
        engine_defer_early_policy(engine, true);
        apply_ok("early");
        cr_assert_null(early_policy_file("t-a", NULL), "an unconfirmed level's early policy was written");
        /* Confirmed: written. Another level's confirmation does nothing. */
        cr_assert_eq(engine_commit_early_policy(engine, "default", &error), 0);
        cr_assert_null(early_policy_file("t-a", NULL));
        cr_assert_eq(engine_commit_early_policy(engine, "early", &error), 0, "%s", strna(error));
        first = early_policy_file("t-a", &first_size);
        cr_assert_not_null(first, "the confirmed level's early policy was not written");

        /* From the confirmed level, an unconfirmed switch (strict, no
         * early policy) leaves it as it was; the revert (confirmed) too. */
        apply_ok("strict");
        confirmed = early_policy_file("t-a", &confirmed_size);
        cr_assert_not_null(confirmed, "an unconfirmed level cleared the confirmed one's early policy");
        cr_assert(confirmed_size == first_size && memcmp(confirmed, first, first_size) == 0);
        engine_defer_early_policy(engine, false);
        apply_ok("early");
        after = early_policy_file("t-a", &after_size);
        cr_assert(after && after_size == first_size && memcmp(after, first, first_size) == 0);
        cr_assert_eq(engine_commit_early_policy(engine, "early", &error), 0, "nothing deferred: nothing to do");
}

#define FOREIGN_SHA1 "0123456789abcdef0123456789abcdef01234567"

/* Nothing aalevel did not load is ever replaced or removed, across
 * switches and files going away (load.c: sweep() removes only the names
 * the state owns). */
Test(engine, foreign_untouched) {
        const char *foreign[] = { "snap.foo.bar", "docker-default", "handmade" };

        for (size_t i = 0; i < ELEMENTSOF(foreign); i++)
                cr_assert_eq(fake_kernel_load_foreign(fake, foreign[i], FOREIGN_SHA1), 0);
        write_profile("t-a", "t-a", "");
        write_profile("t-b", "t-b", "");
        apply_ok("default");
        apply_ok("strict");
        apply_ok("default");
        remove_profile("t-b");
        apply_ok("default");
        cr_assert(log_has("remove t-b"), "aalevel's own profile was not removed with its file");
        open_engine(); /* a restart: the kernel's revision is unknown */
        apply_ok("strict");

        for (size_t i = 0; i < ELEMENTSOF(foreign); i++) {
                cr_assert(fake_kernel_has(fake, foreign[i]), "%s was removed", foreign[i]);
                cr_assert_str_eq(fake_kernel_sha1(fake, foreign[i]), FOREIGN_SHA1, "%s was replaced", foreign[i]);
                STRV_FOREACH(l, fake->log)
                        cr_assert_null(strstr(*l, foreign[i]), "%s was written: %s", foreign[i], *l);
        }
}

/* ... and a profile file declaring a name aalevel did not load is refused
 * with an error naming the file and the profile; the name is never
 * claimed (load.c: decide() -> refuse_foreign(); issue 14, finding 11). */
Test(engine, foreign_name_in_a_file_refused) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_free_ char *docker_file = path("policy/t-docker");

        cr_assert_eq(fake_kernel_load_foreign(fake, "docker-default", FOREIGN_SHA1), 0);
        write_profile("t-a", "t-a", "");
        apply_ok("default");
        write_profile("t-docker", "docker-default", "");
        res = run("default", ENGINE_APPLY);
        cr_assert_eq(res->n_failed, 1);
        cr_assert_not_null(strstr(res->failures[0].message, "docker-default"));
        cr_assert_str_eq(res->failures[0].file, docker_file);
        cr_assert(fake_kernel_has(fake, "t-a"), "the other profile was not loaded");
        cr_assert_null(state_find_name(engine_state(engine), "docker-default"), "the foreign name was claimed");
        cr_assert_str_eq(fake_kernel_sha1(fake, "docker-default"), FOREIGN_SHA1);
        remove_profile("t-docker");
        apply_ok("default");
        cr_assert(fake_kernel_has(fake, "docker-default"));
        cr_assert_str_eq(fake_kernel_sha1(fake, "docker-default"), FOREIGN_SHA1);
}

/* Before any level was applied (aalevel installed on a running system,
 * where apparmor.service loaded this tree; or a lost state file), the
 * tree's own names in the kernel are adopted and replaced, as
 * apparmor.service would: refusing them would leave the whole tree
 * unmanaged. Names no file declares stay untouched all the same. */
Test(engine, first_apply_adopts_the_trees_names) {
        cr_assert_eq(fake_kernel_load_foreign(fake, "t-a", FOREIGN_SHA1), 0);
        cr_assert_eq(fake_kernel_load_foreign(fake, "docker-default", FOREIGN_SHA1), 0);
        write_profile("t-a", "t-a", "");
        apply_ok("default");
        cr_assert_str_neq(fake_kernel_sha1(fake, "t-a"), FOREIGN_SHA1, "t-a was not replaced from its file");
        cr_assert_not_null(state_find_name(engine_state(engine), "t-a"));
        cr_assert_str_eq(fake_kernel_sha1(fake, "docker-default"), FOREIGN_SHA1);
        cr_assert_null(state_find_name(engine_state(engine), "docker-default"));
}

/* A level switch is a transaction: a required profile that fails means
 * nothing of the new level is applied (engine.c: engine_run(), a refused
 * level goes no further). */
Test(engine, switch_is_transaction) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_free_ char *a_before = NULL;

        write_profile("t-a", "t-a", "");
        write_profile("t-req", "t-req", "");
        apply_ok("default");
        a_before = sha1_of("t-a");

        write_profile("t-req", "t-req", "  this is not a rule\n");
        fake_kernel_clear_log(fake);
        res = run("required", ENGINE_APPLY);
        cr_assert_not(res->ok, "a level whose required profile failed was applied");
        cr_assert_not_null(res->error);
        cr_assert_not_null(strstr(res->error, "t-req"), "the refusal names the profile: %s", res->error);
        cr_assert_null(fake->log, "the refused level wrote to the kernel: %s", fake->log ? fake->log[0] : "");
        cr_assert_str_eq(fake_kernel_sha1(fake, "t-a"), a_before);
        cr_assert_str_eq(engine_state(engine)->applied, "default");
}

/* A profile of aalevel's replaced by hand (apparmor_parser -r of another
 * binary under its name) is restored by the next run, in the same daemon
 * and after a restart, on a kernel reporting raw_sha1 and on one reporting
 * raw_sha256 only (linux 6.3 and later, where aalevel once saw no hash at
 * all and never restored it); nothing is written when nobody touched the
 * kernel (load.c: unit_needs_load(); kernel.c: kernel_hash_matches()). */
static void replaced_by_hand(bool sha256) {
        _cleanup_free_ char *a_before = NULL;

        fake->sha256 = sha256;
        write_profile("t-a", "t-a", "");
        write_profile("t-b", "t-b", "");
        apply_ok("default");
        a_before = sha1_of("t-a");
        for (int restart = 0; restart < 2; restart++) {
                cr_assert_eq(fake_kernel_load_foreign(fake, "t-a", FOREIGN_SHA1), 0);
                if (restart)
                        open_engine();
                fake_kernel_clear_log(fake);
                apply_ok("default");
                cr_assert_str_eq(fake_kernel_sha1(fake, "t-a"), a_before, "t-a, replaced by hand, was not restored");
                cr_assert_not_null(fake->log);
                cr_assert_str_eq(fake->log[0], "replace t-a");
                cr_assert_null(fake->log[1], "written too: %s", fake->log[1]);

                open_engine();
                fake_kernel_clear_log(fake);
                apply_ok("default");
                cr_assert_null(fake->log, "written to an untouched kernel: %s", fake->log ? fake->log[0] : "");
        }
}

Test(engine, replaced_by_hand_raw_sha1) {
        replaced_by_hand(false);
}

Test(engine, replaced_by_hand_raw_sha256) {
        replaced_by_hand(true);
}

/* Nothing changed means nothing compiled and nothing written to the
 * kernel, in a daemon that keeps its engine and after a restart
 * (load.c: unit_needs_load(); plan.c: lookup_unit()). */
Test(engine, nothing_changed_nothing_done) {
        _cleanup_free_ char *state = path("state/state");
        struct stat before, after;
        unsigned runs;

        write_profile("t-a", "t-a", "");
        write_profile("t-b", "t-b", "");
        apply_ok("strict");
        runs = parser_runs();
        cr_assert_eq(runs, 2, "the first run compiles each file once");
        cr_assert_eq(stat(state, &before), 0);

        for (int restart = 0; restart < 2; restart++) {
                _cleanup_(engine_result_freep) EngineResult *res = NULL;

                if (restart)
                        open_engine();
                fake_kernel_clear_log(fake);
                res = run("strict", ENGINE_APPLY);
                cr_assert(res->ok);
                cr_assert_eq(res->n_compiled, 0);
                cr_assert_eq(parser_runs(), runs, "the parser ran");
                cr_assert_eq(res->n_replaced + res->n_removed, 0);
                cr_assert_null(fake->log, "written to the kernel: %s", fake->log ? fake->log[0] : "");
                cr_assert_eq(stat(state, &after), 0);
                cr_assert_eq(before.st_ino, after.st_ino, "the state was written again");
        }
}

/* ---- the early policy's durability (issue 14, finding 11) ----
 *
 * This program is linked with --wrap=fsync,rename,renameat,unlink,unlinkat
 * (tests/local.mk): every such call of the engine's and the common code's
 * is logged here, in order, with the path it acts on ("rename P",
 * "unlink P", and "fsync D" for a directory D), while fs_logging is set. */
static char **fs_log;
static bool fs_logging;

int __real_fsync(int fd);
int __real_rename(const char *old, const char *new);
int __real_renameat(int olddirfd, const char *old, int newdirfd, const char *new);
int __real_unlink(const char *p);
int __real_unlinkat(int dirfd, const char *name, int flags);
int __wrap_fsync(int fd);
int __wrap_rename(const char *old, const char *new);
int __wrap_renameat(int olddirfd, const char *old, int newdirfd, const char *new);
int __wrap_unlink(const char *p);
int __wrap_unlinkat(int dirfd, const char *name, int flags);

static char *fd_path(int fd) {
        char link[64], target[PATH_MAX];
        ssize_t n;

        if (fd == AT_FDCWD)
                return getcwd(target, sizeof target) ? strdup(target) : NULL;
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        n = readlink(link, target, sizeof target - 1);
        if (n < 0)
                return NULL;
        target[n] = '\0';
        return strdup(target);
}

static void fs_record(const char *what, int dirfd, const char *name) {
        _cleanup_free_ char *d = NULL, *entry = NULL;

        if (!fs_logging)
                return;
        if (name && name[0] == '/')
                cr_assert_geq(asprintf(&entry, "%s %s", what, name), 0);
        else {
                d = fd_path(dirfd);
                if (!d)
                        return;
                cr_assert_geq(asprintf(&entry, "%s %s%s%s", what, d, name ? "/" : "", strempty(name)), 0);
        }
        cr_assert_geq(strv_consume(&fs_log, TAKE_PTR(entry)), 0);
}

int __wrap_fsync(int fd) {
        struct stat st;

        if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
                fs_record("fsync", fd, NULL);
        return __real_fsync(fd);
}

int __wrap_rename(const char *old, const char *new) {
        int r = __real_rename(old, new);
        if (r == 0)
                fs_record("rename", AT_FDCWD, new);
        return r;
}

int __wrap_renameat(int olddirfd, const char *old, int newdirfd, const char *new) {
        int r = __real_renameat(olddirfd, old, newdirfd, new);
        if (r == 0)
                fs_record("rename", newdirfd, new);
        return r;
}

int __wrap_unlink(const char *p) {
        int r = __real_unlink(p);
        if (r == 0)
                fs_record("unlink", AT_FDCWD, p);
        return r;
}

int __wrap_unlinkat(int dirfd, const char *name, int flags) {
        int r = __real_unlinkat(dirfd, name, flags);
        if (r == 0)
                fs_record("unlink", dirfd, name);
        return r;
}

/* Every entry made or removed below the early policy's directory since
 * the log began is followed by an fsync of the directory holding it;
 * returns how many there were. */
static unsigned assert_early_changes_synced(void) {
        _cleanup_free_ char *early = path("early");
        unsigned n = 0;

        for (size_t i = 0; fs_log && fs_log[i]; i++) {
                const char *p = strchr(fs_log[i], ' ') + 1;
                _cleanup_free_ char *d = NULL, *want = NULL;
                bool synced = false;

                if (startswith(fs_log[i], "fsync ") || !startswith(p, early))
                        continue;
                d = strndup(p, strrchr(p, '/') - p);
                cr_assert_not_null(d);
                cr_assert_geq(asprintf(&want, "fsync %s", d), 0);
                for (size_t k = i + 1; fs_log[k] && !synced; k++)
                        synced = streq(fs_log[k], want);
                cr_assert(synced, "%s: the directory %s was not synced after it", fs_log[i], d);
                n++;
        }
        strv_free(fs_log);
        fs_log = NULL;
        return n;
}

/* The early policy is durable across a power cut: its files' renames and
 * removals, and the removal of its directory, are each followed by an
 * fsync of the directory they are in (early-policy.c:
 * engine_write_policy_cache(), engine_update_early_policy(); issue 14,
 * finding 11). Fails with any of those fsyncs removed. */
Test(engine, early_policy_changes_synced) {
        write_profile("t-a", "t-a", "");
        write_profile("t-b", "t-b", "");
        fs_logging = true;
        apply_ok("early");
        cr_assert_geq(assert_early_changes_synced(), 2, "the early policy's files were not written");
        {
                _cleanup_free_ char *b = early_policy_file("t-b", NULL);
                cr_assert_not_null(b);
        }

        /* One file rewritten, one removed. */
        write_profile("t-a", "t-a", "  /etc/hosts r,\n");
        remove_profile("t-b");
        apply_ok("early");
        cr_assert_null(early_policy_file("t-b", NULL));
        cr_assert_geq(assert_early_changes_synced(), 2, "the rewrite and the removal were not seen");

        /* A level without early policy clears it: files, directory, marker. */
        apply_ok("default");
        cr_assert_null(early_policy_file("t-a", NULL));
        cr_assert_geq(assert_early_changes_synced(), 3, "the early policy was not cleared");
        fs_logging = false;
}

/* Files under the cache directory whose name ends in suffix. */
static unsigned cache_files_ending(const char *suffix) {
        _cleanup_free_ char *cmd = NULL;
        char line[PATH_MAX];
        unsigned n = 0;
        FILE *f;

        cr_assert_geq(asprintf(&cmd, "find '%s/cache' -type f -name '*%s'", dir, suffix), 0);
        f = popen(cmd, "r");
        cr_assert_not_null(f);
        while (fgets(line, sizeof line, f))
                n++;
        pclose(f);
        return n;
}

/* The kernel features file missing when the parser runs ("Failed to load
 * kernel features from ...: No such file or directory") is this machine's
 * failure, not the profile's: it is reported as such (not at the
 * profile's file, an error of the run naming the features file), nothing
 * is cached, and the next run compiles again (plan.c: compiled(),
 * engine_check_features(); parser-error.c). Failed before: the message
 * was cached as the profile's failure (a .failed entry), so the file
 * stayed failed after the features were back. */
Test(engine, features_missing_not_cached) {
        _cleanup_(engine_result_freep) EngineResult *res = NULL, *again = NULL;
        _cleanup_free_ char *features = path("features"), *text = NULL, *cmd = NULL;
        EngineOptions options = { .kernel = kernel, .features_file = features };
        _cleanup_free_ char *error = NULL, *before = NULL;
        size_t size;

        cr_assert_eq(read_full_file(TEST_DATA_DIR "/engine/kernel.features", 16 * 1024 * 1024, &text, &size), 0);
        cr_assert_eq(write_file_atomic(features, text, size, 0644), 0);
        engine_free(engine);
        engine = NULL;
        cr_assert_eq(engine_new(config, levels, &options, &engine, &error), 0, "engine_new: %s", strna(error));
        write_profile("t-a", "t-a", "");
        apply_ok("default");
        before = sha1_of("t-a");

        /* Gone while the daemon runs (its runtime directory cleaned, a
         * configured file on a mount that went away). */
        cr_assert_eq(unlink(features), 0);
        write_profile("t-a", "t-a", "  /etc/hosts r,\n");
        res = run("default", ENGINE_APPLY);
        cr_assert_eq(res->n_failed, 1);
        cr_assert_null(res->failures[0].error_file, "blamed on %s:%u: %s", res->failures[0].error_file,
                       res->failures[0].line, res->failures[0].message);
        cr_assert_not_null(strstr(res->failures[0].message, "not a fault of the profile"), "%s",
                           res->failures[0].message);
        cr_assert_not_null(res->errors, "no error of the run");
        cr_assert_not_null(strstr(res->errors[0], features), "%s", res->errors[0]);
        cr_assert_eq(cache_files_ending(".failed"), 0, "the failure was cached");
        cr_assert_str_eq(fake_kernel_sha1(fake, "t-a"), before, "the previous version did not stay");

        /* Back: the next run compiles it. */
        cr_assert_eq(write_file_atomic(features, text, size, 0644), 0);
        again = run("default", ENGINE_APPLY);
        cr_assert_eq(again->n_failed, 0, "still failed: %s", again->n_failures ? again->failures[0].message : "");
        cr_assert_str_neq(fake_kernel_sha1(fake, "t-a"), before, "the new version was not loaded");
}

/* The daemon's own copy of the kernel's features (no features_file
 * configured: <runtime_dir>/kernel-features, written at the engine's
 * start) removed while it runs: written again from the kernel at the
 * next compile, and the profile compiles (engine.c:
 * engine_check_features()). Failed before: every compile failed, as the
 * profile's fault, cached, until a restart. */
Test(engine, kernel_features_copy_written_again) {
        _cleanup_free_ char *copy = path("run/kernel-features"), *before = NULL;

        config->features_file = mfree(config->features_file);
        open_engine();
        cr_assert_eq(access(copy, F_OK), 0, "the kernel's features were not written");
        write_profile("t-a", "t-a", "");
        apply_ok("default");
        before = sha1_of("t-a");

        cr_assert_eq(unlink(copy), 0);
        write_profile("t-a", "t-a", "  /etc/hosts r,\n");
        apply_ok("default");
        cr_assert_str_neq(fake_kernel_sha1(fake, "t-a"), before, "the new version was not loaded");
        cr_assert_eq(access(copy, F_OK), 0);
        cr_assert_eq(cache_files_ending(".failed"), 0);
}

/* A configured features file replaced while the daemon runs: the next
 * run's keys name the new features, so every profile is compiled for
 * them (engine.c: refresh_features()). Failed before: the keys kept the
 * digest of the engine's start, and a profile compiled for other features
 * was taken from the cache as if for these. */
Test(engine, features_changed_compiled_for_them) {
        _cleanup_free_ char *features = path("features"), *text = NULL, *changed = NULL;
        EngineOptions options = { .kernel = kernel, .features_file = features };
        _cleanup_free_ char *error = NULL;
        unsigned runs;
        size_t size;

        cr_assert_eq(read_full_file(TEST_DATA_DIR "/engine/kernel.features", 16 * 1024 * 1024, &text, &size), 0);
        cr_assert_eq(write_file_atomic(features, text, size, 0644), 0);
        engine_free(engine);
        engine = NULL;
        cr_assert_eq(engine_new(config, levels, &options, &engine, &error), 0, "engine_new: %s", strna(error));
        write_profile("t-a", "t-a", "");
        apply_ok("default");
        runs = parser_runs();

        /* Other bytes (a newline more: the parser reads the same). */
        cr_assert_geq(asprintf(&changed, "%s\n", text), 0);
        cr_assert_eq(write_file_atomic(features, changed, strlen(changed), 0644), 0);
        apply_ok("default");
        cr_assert_eq(parser_runs(), runs + 1, "not compiled for the new features");
        apply_ok("default");
        cr_assert_eq(parser_runs(), runs + 1, "compiled again with nothing changed");
}

/* Whether the parser is AppArmor 5.0's or later: := and conditionals on
 * variables, which apparmor.d's runtime state needs. */
static bool parser_sets_state(void) {
        _cleanup_free_ char *cmd = NULL;
        char line[256] = "";
        unsigned major = 0;
        FILE *f;

        cr_assert_geq(asprintf(&cmd, "'%s' --version", AALEVEL_APPARMOR_PARSER), 0);
        f = popen(cmd, "r");
        cr_assert_not_null(f);
        if (!fgets(line, sizeof line, f))
                line[0] = '\0';
        pclose(f);
        return sscanf(line, "AppArmor parser version %u", &major) == 1 && major >= 5;
}

static void write_state_profile(const char *name, const char *rules) {
        _cleanup_free_ char *text = NULL, *rel = NULL;

        cr_assert_geq(asprintf(&text, "include <tunables/multiarch.d/state>\nprofile %s /usr/bin/%s {\n"
                                      "  /etc/hostname r,\n%s}\n", name, name, rules), 0);
        cr_assert_geq(asprintf(&rel, "policy/%s", name), 0);
        write_text(rel, text);
}

static bool state_file_has(const char *line) {
        _cleanup_free_ char *p = path("policy/tunables/multiarch.d/state.d/aalevel"), *text = NULL;

        cr_assert_geq(read_full_file(p, 65536, &text, NULL), 0, "no %s", p);
        return strstr(text, line) != NULL;
}

/* apparmor.d's runtime state (issue 17, runstate.c): aalevel writes the
 * level's values into the tree's state.d, and only profiles whose closure
 * uses a variable whose value changed compile again (plan.c:
 * unit_compute_key(), graph.c: the state file in no digest); a check of
 * another level leaves the file at the applied level's values
 * (runstate_restore()). Needs AppArmor 5.0's parser: the release roots of
 * sid run it (tools/release-build --check sid). */
Test(engine, runtime_state_recompiles_only_users) {
        _cleanup_free_ char *none0 = NULL, *level0 = NULL, *de0 = NULL, *none1 = NULL, *level1 = NULL, *de1 = NULL;
        unsigned runs;

        if (!parser_sets_state())
                cr_skip_test("needs AppArmor 5.0's apparmor_parser (:=, if on variables)");
        {
                _cleanup_free_ char *d = path("policy/tunables/multiarch.d");
                cr_assert_eq(mkdir_p(d, 0755), 0);
        }
        write_text("policy/tunables/multiarch.d/state",
                   "@{LEVEL} = 0\n@{DE} = gnome\n# @{LEVEL} in a comment\n"
                   "include if exists <tunables/multiarch.d/state.d>\n");
        write_state_profile("t-none", "");
        write_state_profile("t-level", "  if @{LEVEL} == 1 {\n    /etc/level1 r,\n  }\n");
        write_state_profile("t-de", "  if \"kde\" in @{DE} {\n    /etc/kde r,\n  }\n");

        apply_ok("default");
        cr_assert_eq(parser_runs(), 3);
        cr_assert(state_file_has("@{LEVEL} := 0\n"));
        none0 = sha1_of("t-none"), level0 = sha1_of("t-level"), de0 = sha1_of("t-de");

        runs = parser_runs();
        apply_ok("lvl1");
        cr_assert_eq(parser_runs() - runs, 1, "only t-level uses @{LEVEL}: %u compiled", parser_runs() - runs);
        cr_assert(state_file_has("@{LEVEL} := 1\n"));
        none1 = sha1_of("t-none"), level1 = sha1_of("t-level"), de1 = sha1_of("t-de");
        cr_assert_str_eq(none0, none1);
        cr_assert_str_eq(de0, de1);
        cr_assert_str_neq(level0, level1, "@{LEVEL} 1 adds a rule");

        /* A check of the kde level compiles t-de only, and leaves lvl1's
         * values in the file. */
        runs = parser_runs();
        {
                _cleanup_(engine_result_freep) EngineResult *res = run("kde", ENGINE_CHECK);
                cr_assert(res->ok);
                cr_assert(res->state_active);
        }
        cr_assert_eq(parser_runs() - runs, 1, "only t-de uses @{DE}: %u compiled", parser_runs() - runs);
        cr_assert(state_file_has("@{LEVEL} := 1\n"));
        cr_assert_not(state_file_has("kde"));
        /* Its two writes are aalevel's own (the manager's watch drops
         * their events); a file edited by hand, another path, are not. */
        {
                _cleanup_free_ char *p = path("policy/tunables/multiarch.d/state.d/aalevel"), *text = NULL,
                                    *other = path("policy/tunables/multiarch.d/state"), *own = NULL, *own_text = NULL;

                cr_assert_eq(engine_state_file(engine, &own, &own_text), 0);
                cr_assert_str_eq(own, p);
                cr_assert(state_file_is_own_write(p, own, own_text));
                cr_assert_not(state_file_is_own_write(other, own, own_text));
                cr_assert_geq(read_full_file(p, 65536, &text, NULL), 0);
                cr_assert_str_eq(text, own_text);
                write_text("policy/tunables/multiarch.d/state.d/aalevel", "@{LEVEL} := 3\n");
                cr_assert_not(state_file_is_own_write(p, own, own_text), "a file edited by hand is a change");
                cr_assert_eq(unlink(p), 0);
                cr_assert_not(state_file_is_own_write(p, own, own_text), "a file removed is a change");
                write_text("policy/tunables/multiarch.d/state.d/aalevel", text);
                cr_assert(state_file_is_own_write(p, own, own_text));
        }

        /* Back: everything cached. */
        runs = parser_runs();
        apply_ok("default");
        cr_assert_eq(parser_runs(), runs);
        cr_assert(state_file_has("@{LEVEL} := 0\n"));

        /* The file cannot be written (state.d is not a directory): what
         * needs compiling for values the file does not hold fails, and
         * keeps its previous version; the rest loads (runstate.c,
         * plan.c: compile_pass()). */
        {
                _cleanup_free_ char *cmd = NULL;
                _cleanup_(engine_result_freep) EngineResult *res = NULL;
                _cleanup_free_ char *before = sha1_of("t-level"), *after = NULL;

                cr_assert_geq(asprintf(&cmd, "rm -rf '%s/policy/tunables/multiarch.d/state.d'", dir), 0);
                cr_assert_eq(system(cmd), 0);
                write_text("policy/tunables/multiarch.d/state.d", "# not a directory\n");
                runs = parser_runs();
                res = run("lvl2", ENGINE_APPLY);
                cr_assert(res->ok, "%s", strna(res->error));
                /* state.d made a file is in every closure: t-none compiles
                 * again (it uses no state), the two users cannot. */
                cr_assert_eq(res->n_failed, 2, "%u failed", res->n_failed);
                for (size_t i = 0; i < res->n_failures; i++)
                        cr_assert((strstr(res->failures[i].file, "t-level") || strstr(res->failures[i].file, "t-de")) &&
                                          strstr(res->failures[i].message, "runtime state file cannot be written"),
                                  "%s: %s", res->failures[i].file, res->failures[i].message);
                cr_assert_eq(parser_runs() - runs, 1, "t-none only compiled");
                after = sha1_of("t-level");
                cr_assert_str_eq(before, after, "t-level keeps its previous version");
                {
                        bool said = false;
                        STRV_FOREACH(w, res->warnings)
                                said = said || strstr(*w, "Cannot write");
                        cr_assert(said, "no warning about the state file");
                }
        }
}
