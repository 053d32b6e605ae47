/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The helpers of common/util.c and common/fileio.c. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
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

Test(fileio, dir_remove_files_at) {
        char dir[] = "/tmp/test-util.XXXXXX", cmd[64];
        const char *files[] = { "a", "keep", ".dot", "b" };
        _cleanup_free_ char *failed = NULL;
        int dfd;

        cr_assert_not_null(mkdtemp(dir));
        dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(dfd, 0);
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                int fd = openat(dfd, files[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
                cr_assert_geq(fd, 0);
                close(fd);
        }
        cr_assert_eq(mkdirat(dfd, "sub", 0755), 0);
        cr_assert_eq(symlinkat("sub", dfd, "link"), 0);

        cr_assert_eq(dir_remove_files_at(dfd, (char *[]) { "keep", NULL }, &failed), 0);
        cr_assert_null(failed);
        cr_assert_eq(faccessat(dfd, "keep", F_OK, 0), 0, "a kept file was removed");
        cr_assert_eq(faccessat(dfd, ".dot", F_OK, 0), 0, "a dot file was removed");
        cr_assert_eq(faccessat(dfd, "sub", F_OK, 0), 0, "a directory was removed");
        cr_assert_neq(faccessat(dfd, "a", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        cr_assert_neq(faccessat(dfd, "b", F_OK, AT_SYMLINK_NOFOLLOW), 0);
        cr_assert_neq(faccessat(dfd, "link", F_OK, AT_SYMLINK_NOFOLLOW), 0, "a symlink to a directory stayed");
        cr_assert_eq(dir_remove_files_at(dfd, NULL, NULL), 0, "a second sweep");
        cr_assert_neq(faccessat(dfd, "keep", F_OK, 0), 0);
        cr_assert_eq(dir_remove_files_at(-1, NULL, NULL), -EBADF, "not a directory");
        close(dfd);
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        (void) !system(cmd);
}
