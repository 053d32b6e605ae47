/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's command line: every command, options before and after
 * the command, and every kind of bad input. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
#include "macro.h"

#define ARGV(...) ((char *[]) { "aalevelctl", __VA_ARGS__, NULL })
#define ARGC(argv) ({ int _n = 0; while ((argv)[_n]) _n++; _n; })

static Args parse_ok(char **argv) {
        Args a;
        char *error = NULL;
        int r = args_parse(ARGC(argv), argv, &a, &error);
        cr_assert_eq(r, 0, "unexpected error: %s", error ? error : "(none)");
        cr_assert_null(error);
        return a;
}

static void parse_bad(char **argv, const char *expect) {
        Args a = { .command = COMMAND_GET };
        char *error = NULL;
        int r = args_parse(ARGC(argv), argv, &a, &error);
        cr_expect_eq(r, -EINVAL, "expected a usage error for %s", argv[1]);
        cr_assert_not_null(error);
        cr_expect(strstr(error, expect) != NULL, "got '%s', want '%s'", error, expect);
        cr_expect_eq(a.command, COMMAND_GET, "*ret was touched on failure");
        free(error);
}

Test(args, no_command_is_status) {
        char *argv[] = { "aalevelctl", NULL };
        Args a = parse_ok(argv);
        cr_expect_eq(a.command, COMMAND_STATUS);
        cr_expect_null(a.level);
        cr_expect_null(a.socket);
        cr_expect_eq(a.confirm_seconds, CONFIRM_SECONDS_DEFAULT);
        cr_expect(!a.json && !a.quiet && !a.no_block && !a.help && !a.version);
}

Test(args, every_command) {
        static const struct {
                const char *name;
                Command command;
                const char *level;
        } cases[] = {
                { "status", COMMAND_STATUS, NULL },
                { "get", COMMAND_GET, NULL },
                { "confirm", COMMAND_CONFIRM, NULL },
                { "list", COMMAND_LIST, NULL },
                { "profiles", COMMAND_PROFILES, NULL },
                { "reload", COMMAND_RELOAD, NULL },
                { "check", COMMAND_CHECK, NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                Args a = parse_ok(ARGV((char *) cases[i].name));
                cr_expect_eq(a.command, cases[i].command, "%s", cases[i].name);
                cr_expect_null(a.level, "%s", cases[i].name);
                cr_expect_str_eq(command_to_string(a.command), cases[i].name);
        }

        Args a = parse_ok(ARGV("set", "strict"));
        cr_expect_eq(a.command, COMMAND_SET);
        cr_expect_str_eq(a.level, "strict");
        a = parse_ok(ARGV("show", "fsp"));
        cr_expect_eq(a.command, COMMAND_SHOW);
        cr_expect_str_eq(a.level, "fsp");
        a = parse_ok(ARGV("diff", "extreme"));
        cr_expect_eq(a.command, COMMAND_DIFF);
        cr_expect_str_eq(a.level, "extreme");
        a = parse_ok(ARGV("check", "strict"));
        cr_expect_eq(a.command, COMMAND_CHECK);
        cr_expect_str_eq(a.level, "strict");
}

Test(args, command_names) {
        for (Command c = 0; c < _COMMAND_MAX; c++)
                cr_expect_eq(command_from_string(command_to_string(c)), c);
        cr_expect_eq(command_from_string("nope"), _COMMAND_INVALID);
        cr_expect_null(command_to_string(_COMMAND_MAX));
        cr_expect_null(command_to_string(_COMMAND_INVALID));
}

Test(args, options_before_and_after) {
        Args a = parse_ok(ARGV("--json", "status"));
        cr_expect(a.json);
        cr_expect_eq(a.command, COMMAND_STATUS);
        a = parse_ok(ARGV("status", "--json"));
        cr_expect(a.json);
        cr_expect_eq(a.command, COMMAND_STATUS);

        a = parse_ok(ARGV("--confirm", "60", "set", "fsp"));
        cr_expect_eq(a.confirm_seconds, 60);
        cr_expect_str_eq(a.level, "fsp");
        a = parse_ok(ARGV("set", "--confirm", "60", "fsp"));
        cr_expect_eq(a.confirm_seconds, 60);
        cr_expect_str_eq(a.level, "fsp");
        a = parse_ok(ARGV("set", "fsp", "--confirm=0", "--no-block", "--socket", "/tmp/s", "-q"));
        cr_expect_eq(a.confirm_seconds, 0);
        cr_expect(a.no_block);
        cr_expect(a.quiet);
        cr_expect_str_eq(a.socket, "/tmp/s");
        cr_expect_str_eq(a.level, "fsp");
        a = parse_ok(ARGV("--socket=/run/x/bus", "list", "--quiet"));
        cr_expect_str_eq(a.socket, "/run/x/bus");
        cr_expect(a.quiet);
        cr_expect_eq(a.command, COMMAND_LIST);
}

Test(args, last_value_wins) {
        Args a = parse_ok(ARGV("--socket", "/a", "--socket", "/b", "get"));
        cr_expect_str_eq(a.socket, "/b");
        a = parse_ok(ARGV("set", "x", "--confirm", "5", "--confirm", "7"));
        cr_expect_eq(a.confirm_seconds, 7);
}

Test(args, largest_confirm) {
        Args a = parse_ok(ARGV("set", "x", "--confirm", "4294967294"));
        cr_expect_eq(a.confirm_seconds, 4294967294u);
}

Test(args, double_dash_ends_options) {
        Args a = parse_ok(ARGV("show", "--", "--weird-level"));
        cr_expect_eq(a.command, COMMAND_SHOW);
        cr_expect_str_eq(a.level, "--weird-level");
        a = parse_ok(ARGV("--", "get"));
        cr_expect_eq(a.command, COMMAND_GET);
}

Test(args, short_options) {
        Args a = parse_ok(ARGV("-q", "list"));
        cr_expect(a.quiet);
        a = parse_ok(ARGV("-h"));
        cr_expect(a.help);
        a = parse_ok(ARGV("-V"));
        cr_expect(a.version);
        a = parse_ok(ARGV("-qh"));
        cr_expect(a.quiet && a.help);
}

Test(args, help_and_version_skip_the_command_checks) {
        Args a = parse_ok(ARGV("--help"));
        cr_expect(a.help);
        a = parse_ok(ARGV("set", "--help"));
        cr_expect(a.help);
        a = parse_ok(ARGV("frobnicate", "--help"));
        cr_expect(a.help);
        a = parse_ok(ARGV("--version", "get", "extra"));
        cr_expect(a.version);
        /* An unknown option is still an error. */
        parse_bad(ARGV("--help", "--bogus"), "Unknown option '--bogus'");
}

Test(args, unknown_command) {
        parse_bad(ARGV("frobnicate"), "Unknown command 'frobnicate'.");
        parse_bad(ARGV("stauts"), "Did you mean 'status'?");
        parse_bad(ARGV("lsit"), "Did you mean 'list'?");
        parse_bad(ARGV("-"), "Unknown command '-'");
        parse_bad(ARGV(""), "Unknown command ''");
        parse_bad(ARGV("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), "Unknown command");
}

Test(args, unknown_option) {
        parse_bad(ARGV("--bogus"), "Unknown option '--bogus'.");
        parse_bad(ARGV("status", "--jsno"), "Did you mean '--json'?");
        parse_bad(ARGV("--sock=/x"), "Did you mean '--socket'?");
        parse_bad(ARGV("-x", "status"), "Unknown option '-x'");
        parse_bad(ARGV("-qx"), "Unknown option '-x'");
}

Test(args, missing_and_extra_arguments) {
        parse_bad(ARGV("set"), "The command 'set' needs a level name");
        parse_bad(ARGV("show"), "The command 'show' needs a level name");
        parse_bad(ARGV("diff", "--json"), "The command 'diff' needs a level name");
        parse_bad(ARGV("set", "a", "b"), "'b' was not expected");
        parse_bad(ARGV("check", "a", "b"), "'b' was not expected");
        parse_bad(ARGV("get", "x"), "The command 'get' takes no argument, but 'x' was given");
        parse_bad(ARGV("status", "x", "y", "z"), "but 'x' was given");
        parse_bad(ARGV("set", ""), "must not be empty");
        parse_bad(ARGV("check", ""), "must not be empty");
}

Test(args, option_values) {
        parse_bad(ARGV("--socket"), "Option '--socket' needs a value");
        parse_bad(ARGV("get", "--socket="), "needs a path");
        parse_bad(ARGV("set", "x", "--confirm"), "Option '--confirm' needs a value");
        parse_bad(ARGV("--json=yes", "get"), "Option '--json' takes no value");
        parse_bad(ARGV("--quiet=", "get"), "Option '--quiet' takes no value");
}

Test(args, bad_confirm) {
        static const char * const bad[] = {
                "abc", "", "-1", "+5", " 5", "5s", "1.5", "0x10", "4294967295", "99999999999999999999",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                parse_bad(ARGV("set", "fsp", "--confirm", (char *) bad[i]), "Invalid value");
        parse_bad(ARGV("get", "--confirm", "5"), "only applies to 'set'");
        parse_bad(ARGV("--confirm=5", "status"), "only applies to 'set'");
}
