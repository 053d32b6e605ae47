/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Which level wins: kernel command line, a new level= in the
 * configuration, aalevelctl set, defaults. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "conf.h"
#include "selection.h"
#include "state.h"

static Config *conf(const char *level) {
        Config *c = NULL;
        cr_assert_eq(config_new_default(NULL, &c), 0);
        c->level = level ? strdup(level) : NULL;
        return c;
}

static char *pick(Config *c, State *s, const char *cmdline, LevelSource *src, bool *changed) {
        char *l = NULL;
        cr_assert_eq(select_level(c, s, cmdline, &l, src, changed), 0);
        return l;
}

Test(selection, cmdline_parsing) {
        char *l;
        cr_assert_null(cmdline_level("quiet splash"));
        l = cmdline_level("root=/dev/vda aalevel.level=strict quiet");
        cr_assert_str_eq(l, "strict");
        free(l);
        l = cmdline_level("aalevel.level=fsp aalevel.level=default\n");
        cr_assert_str_eq(l, "default");
        free(l);
        cr_assert_null(cmdline_level("aalevel.level=Bad!"));
        cr_assert_null(cmdline_level("aalevel.level="));
        cr_assert_null(cmdline_level("xaalevel.level=strict"));
        cr_assert_null(cmdline_level(""));
}

Test(selection, last_instruction_wins) {
        Config *c = conf("default");
        State *s = state_new();
        LevelSource src;
        bool changed;
        char *l;

        /* First start: the configuration. */
        l = pick(c, s, NULL, &src, &changed);
        cr_assert_str_eq(l, "default");
        cr_assert_eq(src, LEVEL_SOURCE_CONFIG);
        cr_assert(changed);
        free(l);

        /* aalevelctl set strict: persists over restarts. */
        free(s->selected);
        s->selected = strdup("strict");
        l = pick(c, s, NULL, &src, &changed);
        cr_assert_str_eq(l, "strict");
        cr_assert_eq(src, LEVEL_SOURCE_SET);
        cr_assert_not(changed);
        free(l);

        /* The kernel command line wins for one boot, and is not persisted. */
        l = pick(c, s, "default", &src, &changed);
        cr_assert_str_eq(l, "default");
        cr_assert_eq(src, LEVEL_SOURCE_CMDLINE);
        cr_assert_str_eq(s->selected, "strict");
        free(l);

        /* Config management pushes level=fsp: newer than the set. */
        free(c->level);
        c->level = strdup("fsp");
        l = pick(c, s, NULL, &src, &changed);
        cr_assert_str_eq(l, "fsp");
        cr_assert_eq(src, LEVEL_SOURCE_CONFIG);
        cr_assert(changed);
        free(l);

        /* No level anywhere: default. */
        Config *none = conf(NULL);
        State *empty = state_new();
        l = pick(none, empty, NULL, &src, &changed);
        cr_assert_str_eq(l, "default");
        cr_assert_eq(src, LEVEL_SOURCE_DEFAULT);
        free(l);
        config_free(none);
        state_free(empty);
        config_free(c);
        state_free(s);
}
