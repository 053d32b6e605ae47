/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The driver of a fuzz target without libFuzzer: runs each file given (a
 * directory: each file in it, sorted) through LLVMFuzzerTestOneInput once.
 * `make check` uses it to replay the corpus and every crash ever found
 * under the normal (or sanitizer) build, with gcc. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"
#include "fileio.h"
#include "strv.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

static int run_file(const char *path) {
        _cleanup_free_ char *data = NULL;
        size_t size = 0;
        int r;

        r = read_full_file(path, 64U * 1024U * 1024U, &data, &size);
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                return r;
        }
        (void) LLVMFuzzerTestOneInput((const uint8_t *) data, size);
        return 0;
}

static int run_path(const char *path, unsigned *n) {
        struct dirent **entries = NULL;
        struct stat st;
        int k, r = 0;

        if (stat(path, &st) < 0) {
                fprintf(stderr, "%s: %m\n", path);
                return -errno;
        }
        if (!S_ISDIR(st.st_mode)) {
                (*n)++;
                return run_file(path);
        }
        k = scandir(path, &entries, NULL, alphasort);
        if (k < 0) {
                fprintf(stderr, "%s: %m\n", path);
                return -errno;
        }
        for (int i = 0; i < k; i++) {
                if (entries[i]->d_name[0] != '.' && r >= 0) {
                        _cleanup_free_ char *p = path_join(path, entries[i]->d_name);
                        if (!p)
                                r = -ENOMEM;
                        else if (stat(p, &st) >= 0 && S_ISREG(st.st_mode)) {
                                (*n)++;
                                r = run_file(p);
                        }
                }
                free(entries[i]);
        }
        free(entries);
        return r;
}

int main(int argc, char *argv[]) {
        unsigned n = 0;

        if (LLVMFuzzerInitialize)
                (void) LLVMFuzzerInitialize(&argc, &argv);
        for (int i = 1; i < argc; i++)
                if (run_path(argv[i], &n) < 0)
                        return EXIT_FAILURE;
        printf("%s: %u input%s replayed\n", argv[0], n, n == 1 ? "" : "s");
        return EXIT_SUCCESS;
}
