/* aalevel: the daemon (no verb), and the one-shot verbs compile and load. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "log.h"
#include "manager.h"
#include "util.h"

typedef struct Args {
        const char *config_file;
        const char *verb;
        const char *level;
        const char *root;
        const char *features;
        const char *output;
} Args;

static void help(void) {
        printf(_("Usage: aalevel [OPTIONS]\n"
                 "       aalevel compile --level LEVEL --output DIR [--root DIR] [--features FILE]\n"
                 "       aalevel load [--level LEVEL]\n"
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
                { "verbose",  no_argument,       NULL, 'v' },
                { "help",     no_argument,       NULL, 'h' },
                { "version",  no_argument,       NULL, 'V' },
                {}
        };
        int c;

        a->config_file = AALEVEL_CONF_FILE;
        while ((c = getopt_long(argc, argv, "c:l:r:f:o:vhV", options, NULL)) >= 0) {
                switch (c) {
                case 'c': a->config_file = optarg; break;
                case 'l': a->level = optarg; break;
                case 'r': a->root = optarg; break;
                case 'f': a->features = optarg; break;
                case 'o': a->output = optarg; break;
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

static int run_daemon(const Args *a) {
        _cleanup_(manager_freep) Manager *m = NULL;
        int r;

        r = manager_new(a->config_file, &m);
        if (r < 0)
                return r;
        r = manager_start(m);
        if (r < 0)
                return r;
        return manager_run(m);
}

int main(int argc, char *argv[]) {
        Args a = {};
        int r;

        i18n_setup();
        r = parse_args(argc, argv, &a);
        if (r <= 0)
                return r < 0 ? 2 : 0;

        if (!a.verb)
                r = run_daemon(&a);
        else {
                log_error("The verb '%s' is not available in this build yet.", a.verb);
                r = -EOPNOTSUPP;
        }
        return r < 0 ? 1 : 0;
}
