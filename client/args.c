/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's command line. getopt_long() is not used: it keeps global
 * state, permutes argv and prints its own untranslatable messages; the
 * grammar here is small enough to parse by hand and test exhaustively. */
#include "args.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "macro.h"
#include "util.h"

typedef struct CommandInfo {
        const char *name;
        unsigned min_args;
        unsigned max_args;
} CommandInfo;

static const CommandInfo commands[_COMMAND_MAX] = {
        [COMMAND_STATUS]   = { "status",   0, 0 },
        [COMMAND_GET]      = { "get",      0, 0 },
        [COMMAND_SET]      = { "set",      1, 1 },
        [COMMAND_CONFIRM]  = { "confirm",  0, 0 },
        [COMMAND_LIST]     = { "list",     0, 0 },
        [COMMAND_SHOW]     = { "show",     1, 1 },
        [COMMAND_PROFILES] = { "profiles", 0, 0 },
        [COMMAND_DIFF]     = { "diff",     1, 1 },
        [COMMAND_RELOAD]   = { "reload",   0, 0 },
        [COMMAND_CHECK]    = { "check",    0, 1 },
};

typedef enum Option {
        OPTION_JSON,
        OPTION_SOCKET,
        OPTION_NO_BLOCK,
        OPTION_QUIET,
        OPTION_CONFIRM,
        OPTION_HELP,
        OPTION_VERSION,
        _OPTION_MAX,
} Option;

typedef struct OptionInfo {
        const char *name;       /* without the leading "--" */
        char short_name;        /* 0 when none */
        bool has_value;
} OptionInfo;

static const OptionInfo options[_OPTION_MAX] = {
        [OPTION_JSON]     = { "json",     0,   false },
        [OPTION_SOCKET]   = { "socket",   0,   true },
        [OPTION_NO_BLOCK] = { "no-block", 0,   false },
        [OPTION_QUIET]    = { "quiet",    'q', false },
        [OPTION_CONFIRM]  = { "confirm",  0,   true },
        [OPTION_HELP]     = { "help",     'h', false },
        [OPTION_VERSION]  = { "version",  'V', false },
};

const char *command_to_string(Command c) {
        return c >= 0 && c < _COMMAND_MAX ? commands[c].name : NULL;
}

Command command_from_string(const char *s) {
        for (Command c = 0; c < _COMMAND_MAX; c++)
                if (streq(commands[c].name, s))
                        return c;
        return _COMMAND_INVALID;
}

_printf_(2, 3)
static int usage_error(char **ret_error, const char *format, ...) {
        va_list ap;
        int r;

        va_start(ap, format);
        r = vasprintf(ret_error, format, ap);
        va_end(ap);
        if (r < 0) {
                *ret_error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

/* Edit distance counting a swap of neighbours as one edit (optimal
 * string alignment): "lsit" is one edit from "list", two from "set". */
static size_t edit_distance(const char *a, const char *b) {
        enum { N = 32 };
        size_t la = strlen(a), lb = strlen(b), d[N][N];

        if (la >= N || lb >= N)
                return SIZE_MAX;
        for (size_t i = 0; i <= la; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;

                        d[i][j] = MIN(MIN(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                                d[i][j] = MIN(d[i][j], d[i - 2][j - 2] + 1);
                }
        return d[la][lb];
}

static const char *closest(const char *s, const char * const *candidates, size_t n) {
        const char *best = NULL;
        size_t best_distance = 3; /* suggest only close matches */

        for (size_t i = 0; i < n; i++) {
                size_t d = edit_distance(s, candidates[i]);
                if (d < best_distance) {
                        best = candidates[i];
                        best_distance = d;
                }
        }
        return best;
}

static int unknown_command(const char *s, char **ret_error) {
        const char *names[_COMMAND_MAX], *guess;

        for (Command c = 0; c < _COMMAND_MAX; c++)
                names[c] = commands[c].name;
        guess = closest(s, names, ELEMENTSOF(names));
        if (guess)
                return usage_error(ret_error, _("Unknown command '%s'. Did you mean '%s'?"), s, guess);
        return usage_error(ret_error, _("Unknown command '%s'."), s);
}

static int unknown_long_option(const char *name, size_t len, char **ret_error) {
        _cleanup_free_ char *s = strndup(name, len);
        const char *names[_OPTION_MAX], *guess;

        if (!s)
                return -ENOMEM;
        for (Option o = 0; o < _OPTION_MAX; o++)
                names[o] = options[o].name;
        guess = closest(s, names, ELEMENTSOF(names));
        if (guess)
                return usage_error(ret_error, _("Unknown option '--%s'. Did you mean '--%s'?"), s, guess);
        return usage_error(ret_error, _("Unknown option '--%s'."), s);
}

static int apply_option(Args *a, Option o, const char *value, bool *confirm_given, char **ret_error) {
        unsigned seconds;

        switch (o) {
        case OPTION_JSON:
                a->json = true;
                return 0;
        case OPTION_SOCKET:
                if (isempty(value))
                        return usage_error(ret_error, _("Option '--socket' needs a path, not an empty string."));
                a->socket = value;
                return 0;
        case OPTION_NO_BLOCK:
                a->no_block = true;
                return 0;
        case OPTION_QUIET:
                a->quiet = true;
                return 0;
        case OPTION_CONFIRM:
                /* UINT32_MAX itself means "the level's default" on the bus. */
                if (safe_atou(value, &seconds) < 0 || seconds >= CONFIRM_SECONDS_DEFAULT)
                        return usage_error(ret_error,
                                           _("Invalid value '%s' for '--confirm': expected a number of seconds from 0 to %u."),
                                           value, CONFIRM_SECONDS_DEFAULT - 1);
                a->confirm_seconds = seconds;
                *confirm_given = true;
                return 0;
        case OPTION_HELP:
                a->help = true;
                return 0;
        case OPTION_VERSION:
                a->version = true;
                return 0;
        default:
                abort();
        }
}

/* "--name", "--name=value" or "--name value"; *i moves past what was used. */
static int parse_long_option(Args *a, int argc, char * const argv[], int *i, bool *confirm_given,
                             char **ret_error) {
        const char *arg = argv[*i] + 2, *eq = strchr(arg, '=');
        size_t len = eq ? (size_t) (eq - arg) : strlen(arg);

        for (Option o = 0; o < _OPTION_MAX; o++) {
                const char *value = NULL;

                if (strlen(options[o].name) != len || !strneq(options[o].name, arg, len))
                        continue;
                if (!options[o].has_value) {
                        if (eq)
                                return usage_error(ret_error, _("Option '--%s' takes no value."), options[o].name);
                } else if (eq)
                        value = eq + 1;
                else if (*i + 1 < argc)
                        value = argv[++*i];
                else
                        return usage_error(ret_error, _("Option '--%s' needs a value."), options[o].name);
                return apply_option(a, o, value, confirm_given, ret_error);
        }
        return unknown_long_option(arg, len, ret_error);
}

/* "-q", or several at once: "-qV". */
static int parse_short_options(Args *a, const char *arg, bool *confirm_given, char **ret_error) {
        for (const char *p = arg + 1; *p; p++) {
                Option o;

                for (o = 0; o < _OPTION_MAX; o++)
                        if (options[o].short_name == *p)
                                break;
                if (o == _OPTION_MAX)
                        return usage_error(ret_error, _("Unknown option '-%c'."), *p);
                assert(!options[o].has_value); /* no short option takes a value */
                (void) apply_option(a, o, NULL, confirm_given, ret_error);
        }
        return 0;
}

int args_parse(int argc, char * const argv[], Args *ret, char **ret_error) {
        Args a = {
                .command = COMMAND_STATUS,
                .confirm_seconds = CONFIRM_SECONDS_DEFAULT,
        };
        const char *positional[3];
        unsigned n_positional = 0;
        bool confirm_given = false, options_done = false;
        const CommandInfo *info;
        int r;

        *ret_error = NULL;

        /* Options may come before or after the command and its argument:
         * collect the positional arguments and parse everything else. */
        for (int i = 1; i < argc; i++) {
                const char *arg = argv[i];

                if (!options_done && streq(arg, "--")) {
                        options_done = true;
                        continue;
                }
                if (!options_done && startswith(arg, "--"))
                        r = parse_long_option(&a, argc, argv, &i, &confirm_given, ret_error);
                else if (!options_done && arg[0] == '-' && arg[1] != '\0')
                        r = parse_short_options(&a, arg, &confirm_given, ret_error);
                else {
                        /* One more than any command takes, to name the extra one. */
                        if (n_positional < ELEMENTSOF(positional))
                                positional[n_positional++] = arg;
                        r = 0;
                }
                if (r < 0)
                        return r;
        }

        if (a.help || a.version) {
                *ret = a;
                return 0;
        }

        if (n_positional > 0) {
                a.command = command_from_string(positional[0]);
                if (a.command < 0)
                        return unknown_command(positional[0], ret_error);
        }
        info = &commands[a.command];

        if (n_positional > 0 && n_positional - 1 < info->min_args)
                return usage_error(ret_error, _("The command '%s' needs a level name, for example 'aalevelctl %s strict'."),
                                   info->name, info->name);
        if (n_positional > 0 && n_positional - 1 > info->max_args) {
                if (info->max_args == 0)
                        return usage_error(ret_error, _("The command '%s' takes no argument, but '%s' was given."),
                                           info->name, positional[1]);
                return usage_error(ret_error, _("Too many arguments for '%s': '%s' was not expected."),
                                   info->name, positional[info->max_args + 1]);
        }
        if (info->max_args > 0 && n_positional > 1) {
                a.level = positional[1];
                if (isempty(a.level))
                        return usage_error(ret_error, _("The level name must not be empty."));
        }
        if (confirm_given && a.command != COMMAND_SET)
                return usage_error(ret_error, _("Option '--confirm' only applies to 'set'."));

        *ret = a;
        return 0;
}
