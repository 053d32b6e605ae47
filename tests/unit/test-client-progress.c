/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Progress output: which mode for which terminal and options, what the
 * plain lines say, and that the bar is erased before other output. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress.h"

Test(progress, mode_pick) {
        cr_expect_eq(progress_mode_pick(true, false, true), PROGRESS_NONE);
        cr_expect_eq(progress_mode_pick(true, true, false), PROGRESS_NONE);
        cr_expect_eq(progress_mode_pick(false, false, true), PROGRESS_BAR);
        cr_expect_eq(progress_mode_pick(false, true, true), PROGRESS_BAR);
        cr_expect_eq(progress_mode_pick(false, false, false), PROGRESS_LINES);
        cr_expect_eq(progress_mode_pick(false, true, false), PROGRESS_NONE);
}

Test(progress, phase_labels) {
        cr_expect_str_eq(progress_phase_label("compile"), "Compiling");
        cr_expect_str_eq(progress_phase_label("load"), "Loading");
        cr_expect_str_eq(progress_phase_label("verify"), "verify");
}

static char *run(ProgressMode mode) {
        char *buf = NULL;
        size_t size;
        FILE *f = open_memstream(&buf, &size);
        Progress p;

        cr_assert_not_null(f);
        progress_init(&p, mode, f);
        for (unsigned i = 1; i <= 20; i++)
                progress_update(&p, "compile", i, 20, "/etc/apparmor.d/x");
        progress_update(&p, "load", 1, 3, "/etc/apparmor.d/y");
        progress_update(&p, "load", 3, 3, "/etc/apparmor.d/y");
        progress_update(&p, "other", 5, 0, "");
        progress_done(&p);
        fclose(f);
        return buf;
}

Test(progress, none) {
        char *s = run(PROGRESS_NONE);
        cr_expect_str_eq(s, "");
        free(s);
}

Test(progress, lines_per_tenth) {
        char *s = run(PROGRESS_LINES);
        cr_expect_str_eq(s,
                         "Compiling 1/20\n"
                         "Compiling 2/20\n"
                         "Compiling 4/20\n"
                         "Compiling 6/20\n"
                         "Compiling 8/20\n"
                         "Compiling 10/20\n"
                         "Compiling 12/20\n"
                         "Compiling 14/20\n"
                         "Compiling 16/20\n"
                         "Compiling 18/20\n"
                         "Compiling 20/20\n"
                         "Loading 1/3\n"
                         "Loading 3/3\n"
                         "other 5\n");
        free(s);
}

Test(progress, bar_redraws_in_place_and_is_erased) {
        char *s = run(PROGRESS_BAR);

        /* No newline ever: one line, redrawn after carriage returns, and
         * blank at the end. */
        cr_expect_null(strchr(s, '\n'));
        cr_expect_eq(s[0], '\r');
        cr_expect(strstr(s, "Compiling   5% [=>") != NULL, "%s", s);
        cr_expect(strstr(s, "Loading 100% [====================] 3/3") != NULL, "%s", s);
        size_t n = strlen(s);
        cr_assert_gt(n, 2);
        cr_expect_eq(s[n - 1], '\r');
        cr_expect_eq(s[n - 2], ' ');
        free(s);
}

Test(progress, clear_without_bar_writes_nothing) {
        char *buf = NULL;
        size_t size;
        FILE *f = open_memstream(&buf, &size);
        Progress p;

        progress_init(&p, PROGRESS_BAR, f);
        progress_clear(&p);
        progress_done(&p);
        fclose(f);
        cr_expect_str_eq(buf, "");
        free(buf);
}
