/* The string helpers of common/util.c. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "macro.h"
#include "util.h"

Test(util, free_and_strdup) {
        _cleanup_free_ char *p = NULL;
        const char *before;

        cr_assert_eq(free_and_strdup(&p, NULL), 0);
        cr_assert_null(p);
        cr_assert_eq(free_and_strdup(&p, "a"), 1);
        cr_assert_str_eq(p, "a");
        before = p;
        cr_assert_eq(free_and_strdup(&p, "a"), 0, "the same string: nothing done");
        cr_assert_eq(p, before);
        cr_assert_eq(free_and_strdup(&p, "b"), 1);
        cr_assert_str_eq(p, "b");
        cr_assert_eq(free_and_strdup(&p, NULL), 1);
        cr_assert_null(p);
}
