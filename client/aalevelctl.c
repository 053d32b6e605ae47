/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl: the command-line client of the aalevel daemon. main()
 * only wires the modules together: args.c reads the command line,
 * commands*.c do the work over ctl.c's connection. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "address.h"
#include "args.h"
#include "commands.h"
#include "ctl.h"
#include "exit-status.h"
#include "i18n.h"
#include "macro.h"

static void help(void) {
        printf(_("Usage: aalevelctl [OPTIONS] [COMMAND] [LEVEL]\n"
                 "\n"
                 "Show and change the AppArmor security level that the aalevel daemon\n"
                 "keeps in the kernel.\n"
                 "\n"
                 "Commands:\n"
                 "  status             Show the level, the daemon's state and errors (default)\n"
                 "  get                Print the name of the level in the kernel\n"
                 "  set LEVEL          Switch to LEVEL and wait until it is in the kernel\n"
                 "  confirm            Keep a level that waits for confirmation\n"
                 "  list               List the defined levels\n"
                 "  show LEVEL         Show LEVEL as resolved through its inheritance\n"
                 "  profiles           List the profiles aalevel manages, and their state\n"
                 "  diff LEVEL         Show what switching to LEVEL would change\n"
                 "  reload             Reread configuration and policy, apply what changed\n"
                 "  check [LEVEL]      Compile LEVEL (default: the current one), load nothing\n"
                 "\n"
                 "Options (before or after the command):\n"
                 "      --json             Machine-readable output (keys: see aalevelctl(1))\n"
                 "      --socket PATH      The daemon's socket (default: $AALEVEL_SOCKET,\n"
                 "                         or %s)\n"
                 "      --confirm SECONDS  With set: revert unless confirmed within SECONDS\n"
                 "                         (0: no confirmation; default: the level's own)\n"
                 "      --no-block         With set and reload: return once the daemon\n"
                 "                         has accepted the request\n"
                 "  -q, --quiet            No progress and no messages: results and errors\n"
                 "                         only; list prints just the names\n"
                 "  -h, --help             Show this help\n"
                 "  -V, --version          Show the version\n"
                 "\n"
                 "Exit status: 0 success, 1 failure, 2 usage error, 3 daemon unreachable,\n"
                 "4 access denied.\n"),
               AALEVEL_RUNTIME_DIR "/bus");
}

int main(int argc, char *argv[]) {
        _cleanup_free_ char *error = NULL;
        Args args;
        Ctl c;
        int r;

        i18n_setup();

        r = args_parse(argc, argv, &args, &error);
        if (r == -EINVAL) {
                fprintf(stderr, "aalevelctl: %s\n", error);
                fprintf(stderr, _("Run 'aalevelctl --help' for the commands and options.\n"));
                return EXIT_USAGE;
        }
        if (r < 0) {
                fprintf(stderr, "aalevelctl: %s\n", strerror(-r));
                return EXIT_FAILED;
        }
        if (args.help) {
                help();
                return EXIT_OK;
        }
        if (args.version) {
                printf("aalevelctl %s\n", PACKAGE_VERSION);
                return EXIT_OK;
        }

        ctl_init(&c, &args, socket_path_pick(args.socket, getenv("AALEVEL_SOCKET")),
                 isatty(STDOUT_FILENO), isatty(STDERR_FILENO));
        r = commands_run(&c);
        ctl_done(&c);
        if (r < 0) {
                fprintf(stderr, "aalevelctl: %s\n", strerror(-r));
                r = EXIT_FAILED;
        }
        /* Output lost to a full disk or a closed pipe is a failure too. */
        if (fflush(stdout) != 0 || ferror(stdout)) {
                fprintf(stderr, _("aalevelctl: failed to write the output.\n"));
                if (r == EXIT_OK)
                        r = EXIT_FAILED;
        }
        return r;
}
