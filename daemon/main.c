/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevel: the daemon (no verb), and the one-shot verbs compile and load. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bus.h"
#include "listen.h"
#include "varlink.h"
#include "early-policy.h"
#include "engine.h"
#include "fileio.h"
#include "i18n.h"
#include "log.h"
#include "manager.h"
#include "selection.h"
#include "strv.h"
#include "util.h"

typedef struct Args {
        const char *config_file;
        const char *verb;
        const char *level;
        const char *root;
        const char *features;
        const char *output;
        const char *early;
} Args;

static void help(void) {
        printf(_("Usage: aalevel [OPTIONS]\n"
                 "       aalevel compile --level LEVEL --output DIR [--root DIR] [--features FILE]\n"
                 "       aalevel load [--level LEVEL]\n"
                 "       aalevel load --early-policy DIR\n"
                 "\n"
                 "Makes AppArmor security levels real: without a verb, runs the daemon that\n"
                 "keeps the selected level's policy compiled and loaded.\n"
                 "\n"
                 "Verbs:\n"
                 "  compile          Compile a level offline (for images) into DIR\n"
                 "  load             Load the current level from the cache and exit\n"
                 "\n"
                 "Options:\n"
                 "  -c, --config FILE    Configuration file (default %s)\n"
                 "  -l, --level LEVEL    Level to compile or load\n"
                 "  -r, --root DIR       Read every configured path below DIR (an image)\n"
                 "  -f, --features FILE  Compile for the AppArmor features in FILE\n"
                 "  -o, --output DIR     Where compile writes the policy\n"
                 "  -e, --early-policy DIR  Load the policy cache in DIR (early boot) and exit\n"
                 "  -v, --verbose        Log debugging messages\n"
                 "  -h, --help           Show this help\n"
                 "  -V, --version        Show the version\n"),
               AALEVEL_CONF_FILE);
}

static int parse_args(int argc, char *argv[], Args *a) {
        static const struct option options[] = {
                { "config",   required_argument, NULL, 'c' },
                { "level",    required_argument, NULL, 'l' },
                { "root",     required_argument, NULL, 'r' },
                { "features", required_argument, NULL, 'f' },
                { "output",   required_argument, NULL, 'o' },
                { "early-policy", required_argument, NULL, 'e' },
                { "verbose",  no_argument,       NULL, 'v' },
                { "help",     no_argument,       NULL, 'h' },
                { "version",  no_argument,       NULL, 'V' },
                {}
        };
        int c;

        a->config_file = AALEVEL_CONF_FILE;
        while ((c = getopt_long(argc, argv, "c:l:r:f:o:e:vhV", options, NULL)) >= 0) {
                switch (c) {
                case 'c': a->config_file = optarg; break;
                case 'l': a->level = optarg; break;
                case 'r': {
                        /* The parser runs in the root: it must be absolute. */
                        static char root[PATH_MAX];
                        if (!realpath(optarg, root)) {
                                fprintf(stderr, _("aalevel: --root %s: %s\n"), optarg, strerror(errno));
                                return -EINVAL;
                        }
                        a->root = root;
                        break;
                }
                case 'f': a->features = optarg; break;
                case 'o': a->output = optarg; break;
                case 'e': a->early = optarg; break;
                case 'v': log_set_max_level(LOG_DEBUG); break;
                case 'h': help(); return 0;
                case 'V': printf("aalevel %s\n", PACKAGE_VERSION); return 0;
                default:
                        fprintf(stderr, _("Try 'aalevel --help' for more information.\n"));
                        return -EINVAL;
                }
        }
        if (optind < argc)
                a->verb = argv[optind++];
        if (optind < argc) {
                fprintf(stderr, _("aalevel: unexpected argument '%s'.\n"), argv[optind]);
                return -EINVAL;
        }
        if (a->verb && !streq(a->verb, "compile") && !streq(a->verb, "load")) {
                fprintf(stderr, _("aalevel: unknown verb '%s' (known: compile, load).\n"), a->verb);
                return -EINVAL;
        }
        return 1;
}

/* Progress of the offline verbs: a line per hundred files on a terminal. */
static void print_progress(const char *phase, unsigned done, unsigned total, const char *current, void *userdata) {
        if (!isatty(STDERR_FILENO) || total < 20)
                return;
        if (done == total || done % 50 == 0)
                fprintf(stderr, "\r%s: %u/%u", phase, done, total);
        if (done == total)
                fputc('\n', stderr);
}

/* Failures were logged by the engine as they happened. */
static void report(const EngineResult *res) {
        STRV_FOREACH(w, res->warnings)
                log_warning("%s", *w);
        STRV_FOREACH(e, res->errors)
                log_error("%s.", *e);
}

static int load_config(const Args *a, const char *root, Config **ret_config, LevelSet **ret_levels) {
        _cleanup_free_ char *error = NULL;
        int r;

        r = config_load(a->config_file, root, ret_config, &error);
        if (r < 0)
                return log_error_errno(r, "Invalid configuration: %s", error ? error : strerror(-r));
        r = level_set_load((*ret_config)->vendor_levels_dir, (*ret_config)->levels_dir, ret_levels);
        if (r < 0)
                return log_error_errno(r, "Failed to load the level definitions: %m");
        STRV_FOREACH(e, (*ret_levels)->errors)
                log_error("Level definition left out: %s", *e);
        return 0;
}

static int run_compile(const Args *a) {
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(level_set_freep) LevelSet *levels = NULL;
        _cleanup_(engine_freep) Engine *engine = NULL;
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_free_ char *error = NULL, *kernel_features = NULL;
        EngineOptions options = { .offline = true, .progress = print_progress };
        const char *level;
        int r;

        if (!a->output) {
                log_error("aalevel compile needs --output DIR.");
                return -EINVAL;
        }
        r = load_config(a, a->root, &config, &levels);
        if (r < 0)
                return r;
        level = a->level ? a->level : config->level ? config->level : "default";
        if (!level_set_find(levels, level))
                return log_error_errno(-ENOENT, "Level %s is not defined.", level);

        options.root = a->root;
        options.features_file = a->features;
        if (!options.features_file && !config->features_file) {
                /* Compiling for the machine we run on, when it has AppArmor. */
                _cleanup_(kernel_freep) Kernel *k = NULL;
                if (kernel_open(config->apparmorfs, &k) < 0)
                        return log_error_errno(-EINVAL, "This kernel has no AppArmor: say which kernel to compile for "
                                                        "with --features FILE: a kernel's feature set as one file, as "
                                                        "aalevel writes it on that machine to "
                                                        "<runtime_dir>/kernel-features.");
                kernel_features = path_join(config->cache_dir, "kernel-features");
                if (!kernel_features)
                        return log_oom();
                r = mkdir_p(config->cache_dir, 0755);
                if (r >= 0)
                        r = kernel_write_features(k, kernel_features);
                if (r < 0)
                        return log_error_errno(r, "Failed to write %s: %m", kernel_features);
                options.features_file = kernel_features;
        }

        r = engine_new(config, levels, &options, &engine, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ? error : strerror(-r));
        r = engine_run(engine, level, ENGINE_COMPILE, &res, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to compile level %s: %s", level, error ? error : strerror(-r));
        report(res);
        if (!res->ok)
                return log_error_errno(-EINVAL, "Level %s: %s.", level, res->error);
        free(error);
        error = NULL;
        r = engine_write_policy_cache(engine, a->output, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to write the policy to %s: %s", a->output,
                                       error ? error : strerror(-r));
        {
                /* Written into the image's early policy directory: the
                 * daemon there owns it (and clears it for other levels). */
                char out[PATH_MAX], early[PATH_MAX];
                if (realpath(a->output, out) && realpath(config->early_policy_dir, early) && streq(out, early)) {
                        if (early_policy_mark_owned(early) < 0)
                                log_warning("Cannot mark %s as aalevel's.", early);
                }
        }
        log_info("Level %s: %u profile files, %u compiled, %u from the cache, %u failed; written to %s.", level,
                 res->n_units, res->n_compiled, res->n_cached, res->n_failed, a->output);
        {
                struct rusage ru;
                if (getrusage(RUSAGE_SELF, &ru) >= 0)
                        log_info("Peak memory: aalevel %ld KiB, the largest apparmor_parser run %ld KiB "
                                 "(at most %u run at once).", ru.ru_maxrss, res->max_parser_rss_kb,
                                 config_jobs(config));
        }
        return res->n_failed > 0 ? 1 : 0;
}

/* Early boot, from an initramfs: the policy cache aalevel keeps in the
 * early policy directory, loaded before PID 1 runs, so that PID 1 itself
 * starts confined. No configuration, no parser: only libapparmor. */
static int run_load_early(const char *dir) {
        _cleanup_free_ char *error = NULL;
        int r = policy_cache_load(dir, &error);
        if (r < 0)
                return log_error_errno(r, "Cannot load the early policy: %s", error ? error : strerror(-r));
        log_info("Loaded the early policy from %s.", dir);
        return 0;
}

static int run_load(const Args *a) {
        _cleanup_(config_freep) Config *config = NULL;
        _cleanup_(level_set_freep) LevelSet *levels = NULL;
        _cleanup_(engine_freep) Engine *engine = NULL;
        _cleanup_(engine_result_freep) EngineResult *res = NULL;
        _cleanup_free_ char *error = NULL, *level = NULL, *cmdline = NULL;
        EngineOptions options = { .progress = print_progress };
        LevelSource source;
        bool changed;
        int r;

        if (a->early)
                return run_load_early(a->early);
        if (a->root || a->features || a->output) {
                log_error("aalevel load loads into this machine's kernel: --root, --features and --output "
                          "belong to aalevel compile.");
                return -EINVAL;
        }
        r = load_config(a, NULL, &config, &levels);
        if (r < 0)
                return r;
        r = engine_new(config, levels, &options, &engine, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ? error : strerror(-r));
        cmdline = proc_cmdline_level();
        if (a->level)
                level = strdup(a->level);
        else {
                r = select_level(config, engine_state_mut(engine), cmdline, &level, &source, &changed);
                if (r < 0)
                        return log_oom();
        }
        if (!level)
                return log_oom();
        if (!level_set_find(levels, level)) {
                log_error("Level %s is not defined; loading level default instead.", level);
                if (free_and_strdup(&level, "default") < 0)
                        return log_oom();
        }
        r = engine_run(engine, level, ENGINE_APPLY, &res, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to load level %s: %s", level, error ? error : strerror(-r));
        report(res);
        if (!res->ok)
                return log_error_errno(-EINVAL, "Level %s: %s.", level, res->error);
        log_info("Level %s loaded: %u written to the kernel, %u unchanged, %u removed, %u failed, in %.2fs.", level,
                 res->n_replaced, res->n_unchanged, res->n_removed, res->n_failed,
                 (double) res->duration / USEC_PER_SEC);
        return res->n_failed > 0 ? 1 : 0;
}

static int run_daemon(const Args *a) {
        _cleanup_(manager_freep) Manager *m = NULL;
        /* After the manager, so freed before it: the bus observes it. */
        _cleanup_(bus_freep) Bus *bus = NULL;
#if HAVE_VARLINK
        /* Freed before the bus, whose system bus it asks polkit over. */
        _cleanup_(varlink_freep) Varlink *varlink = NULL;
#endif
        int r;

        r = manager_new(a->config_file, &m);
        if (r < 0)
                return r;
        r = bus_new(m, &bus);
        if (r < 0)
                return log_oom();
        /* Listening before the first job starts: a socket that cannot be
         * had stops the daemon before it touches the kernel. */
        r = bus_listen(bus);
        if (r < 0)
                return r;
#if HAVE_VARLINK
        r = varlink_new(m, bus, &varlink);
        if (r < 0)
                return log_error_errno(r, "Failed to set up Varlink: %m");
        r = varlink_listen(varlink);
        if (r < 0)
                return r;
#endif
        listen_close_unused();
        bus_connect_system(bus);
        r = manager_start(m);
        if (r < 0)
                return r;
        return manager_run(m);
}

int main(int argc, char *argv[]) {
        Args a = {};
        int r;

        /* One malloc arena for every thread: the worker and the load
         * threads would each get their own, which stay mapped and
         * fragmented for the daemon's lifetime; they rarely allocate at
         * the same time. */
        (void) mallopt(M_ARENA_MAX, 1);
        i18n_setup();
        r = parse_args(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? 2 : 0;

        if (!a.verb)
                r = run_daemon(&a);
        else if (streq(a.verb, "compile"))
                r = run_compile(&a);
        else
                r = run_load(&a);
        return r < 0 ? 1 : r;
}
