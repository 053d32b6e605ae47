/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's command line: turns argv into an Args and nothing else.
 * Pure (no I/O, no globals, argv untouched), so every command, every
 * option before or after the command, and every kind of bad input is
 * unit-tested. A usage error comes back as -EINVAL plus a translated
 * message saying what is wrong; main() prints it and exits with 2. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum Command {
        COMMAND_STATUS,
        COMMAND_GET,
        COMMAND_SET,
        COMMAND_CONFIRM,
        COMMAND_LIST,
        COMMAND_SHOW,
        COMMAND_PROFILES,
        COMMAND_DIFF,
        COMMAND_RELOAD,
        COMMAND_CHECK,
        _COMMAND_MAX,
        _COMMAND_INVALID = -EINVAL,
} Command;

/* SetLevel's confirm_seconds meaning "the level's own default". */
#define CONFIRM_SECONDS_DEFAULT UINT32_MAX

typedef struct Args {
        Command command;
        /* The LEVEL argument of set, show and diff, and the optional one
         * of check; NULL otherwise. Points into argv. */
        const char *level;
        /* --confirm SECONDS, or CONFIRM_SECONDS_DEFAULT. */
        uint32_t confirm_seconds;
        /* --socket PATH, or NULL. Points into argv. */
        const char *socket;
        bool json;
        bool no_block;
        bool quiet;
        bool help;
        bool version;
} Args;

const char *command_to_string(Command c);
Command command_from_string(const char *s);

/* Parses argv. Returns 0 and fills *ret, or -EINVAL with *ret_error set
 * to a translated message (the caller frees it), or -ENOMEM. With --help
 * or --version anywhere, only the options are checked: the command may
 * be missing or incomplete. */
int args_parse(int argc, char * const argv[], Args *ret, char **ret_error);
