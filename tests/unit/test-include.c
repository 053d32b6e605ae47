/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The include scanner, with the forms the parser accepts and bad input. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "include.h"
#include "statevars.h"

static IncludeScan *scan(const char *text) {
        IncludeScan *s = NULL;
        cr_assert_eq(include_scan(text, strlen(text), &s), 0);
        return s;
}

Test(include, forms) {
        IncludeScan *s = scan(
                "abi <abi/3.0>,\n"
                "include <tunables/global>\n"
                "#include <tunables/old>\n"
                "profile foo /usr/bin/foo {\n"
                "  include <abstractions/base>\n"
                "  include if exists <local/foo>\n"
                "  #include if exists <local/old>\n"
                "  include \"/etc/apparmor.d/abs\"\n"
                "  include \"rel/path\"\n"
                "  include bare/path\n"
                "  {include <glued>\n"
                "}\n");
        cr_assert_eq(s->n_includes, 10);
        cr_assert_str_eq(s->includes[0].path, "abi/3.0");
        s->includes++;
        cr_assert_str_eq(s->includes[0].path, "tunables/global");
        cr_assert_eq(s->includes[0].kind, INCLUDE_SEARCH);
        cr_assert_eq(s->includes[0].line, 2);
        cr_assert_str_eq(s->includes[1].path, "tunables/old");
        cr_assert(s->includes[3].if_exists);
        cr_assert_str_eq(s->includes[3].path, "local/foo");
        cr_assert(s->includes[4].if_exists);
        cr_assert_eq(s->includes[5].kind, INCLUDE_PATH);
        cr_assert_str_eq(s->includes[5].path, "/etc/apparmor.d/abs");
        cr_assert_str_eq(s->includes[6].path, "rel/path");
        cr_assert_str_eq(s->includes[7].path, "bare/path");
        cr_assert_eq(s->includes[7].kind, INCLUDE_PATH);
        cr_assert_str_eq(s->includes[8].path, "glued");
        cr_assert_not(s->mentions_aalevel);
        s->includes--;
        include_scan_free(s);
}

Test(include, abi_is_a_dependency) {
        IncludeScan *s = scan("abi <abi/3.0>,\nabi \"/etc/abi/x\",\nprofile x { /abi/foo r, }\n");
        cr_assert_eq(s->n_includes, 2);
        cr_assert_str_eq(s->includes[0].path, "abi/3.0");
        cr_assert_eq(s->includes[0].kind, INCLUDE_SEARCH);
        cr_assert_str_eq(s->includes[1].path, "/etc/abi/x");
        include_scan_free(s);
}

Test(include, comments_strings_and_paths_are_not_includes) {
        IncludeScan *s = scan(
                "# include <not/this>\n"
                "#includes are described elsewhere\n"
                "/usr/include/** r,\n"
                "@{lib}/modules/*/build/include/** rix,\n"
                "\"/path with include <x>\" r,\n"
                "/foo r, # include <comment>\n"
                "include\n");
        cr_assert_eq(s->n_includes, 0);
        include_scan_free(s);
}

Test(include, aalevel_symbols) {
        IncludeScan *s = scan("profile x { if $aalevel_strict { deny /etc/x r, } }\n");
        cr_assert(s->mentions_aalevel);
        include_scan_free(s);
        s = scan("profile x { /home/@{aalevel_level}/ r, }\n");
        cr_assert(s->mentions_aalevel);
        include_scan_free(s);
        s = scan("profile x { \"/srv/@{aalevel_level} x/\" r, }\n");
        cr_assert(s->mentions_aalevel);
        include_scan_free(s);
        s = scan("# $aalevel_strict only in a comment\nprofile x { /aalevel_strict r, }\n");
        cr_assert_not(s->mentions_aalevel);
        include_scan_free(s);
}

/* apparmor.d's runtime state variables: a use anywhere but the left side
 * of an assignment; comments and other variables do not count. */
Test(include, state_variables_used) {
        IncludeScan *s = scan("profile x {\n  if \"gnome\" in @{DE} { /g r, }\n  if @{LEVEL} == 1 { }\n"
                              "  if ${FSP} { deny /x r, }\n  /home/@{GPU}x r,\n}\n");
        cr_assert_eq(s->state_uses, (1U << STATE_DE) | (1U << STATE_LEVEL) | (1U << STATE_FSP) | (1U << STATE_GPU));
        include_scan_free(s);
        /* The state file itself: definitions only. */
        s = scan("@{LEVEL} = 0\n@{DE} = gnome\n  @{DM}:=gdm\n@{DS} += x11\n@{GPU} ?= none\n#${FSP} = false\n"
                 "# if \"kde\" in @{DE}\n@{OS_ID}=arch\n");
        cr_assert_eq(s->state_uses, 0, "definitions are no use: %x", s->state_uses);
        include_scan_free(s);
        /* A definition from another: a use of it. */
        s = scan("@{desktop_dirs} = /usr/share/@{DE}\n");
        cr_assert_eq(s->state_uses, 1U << STATE_DE);
        include_scan_free(s);
        /* Not ours: other names, a boolean's sigil on a list, a list's on a boolean. */
        s = scan("profile x { /@{DESKTOP} r, ${DE} /@{FSP} r, @{LEVELS} @{LEVEL r, }\n");
        cr_assert_eq(s->state_uses, 0, "%x", s->state_uses);
        include_scan_free(s);
        s = scan("profile x { \"/srv/@{OS_ID} x\" r, }\n");
        cr_assert_eq(s->state_uses, 1U << STATE_OS_ID);
        include_scan_free(s);
}

Test(include, bad_input) {
        static const char *cases[] = {
                "", "include", "include <", "include <unterminated\nfoo>", "include \"unterminated\n",
                "include if", "include if exists", "include if exists <", "\"unterminated string",
                "#include", "#", "include <>", "include \"\"",
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                IncludeScan *s = scan(cases[i]);
                cr_assert_eq(s->n_includes, 0, "case %zu: %s", i, cases[i]);
                include_scan_free(s);
        }
        /* Binary junk, NUL bytes inside: never crashes, never reads past. */
        char junk[4096];
        srand(1);
        for (int round = 0; round < 200; round++) {
                for (size_t i = 0; i < sizeof junk; i++)
                        junk[i] = (char) (rand() % 4 == 0 ? "include <\">#\n"[rand() % 13] : rand());
                IncludeScan *s = NULL;
                cr_assert_eq(include_scan(junk, (size_t) (rand() % (int) sizeof junk), &s), 0);
                include_scan_free(s);
        }
}
