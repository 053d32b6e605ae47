/* SPDX-License-Identifier: GPL-2.0-or-later */
/* load-floor: the floor of loading policy: one process writing every file
 * of a directory of compiled binaries (a policy cache) to the kernel
 * through libapparmor, nothing else. The benchmark's lower bound for
 * `aalevel load`.
 *
 *   load-floor DIR                                                      */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>

int main(int argc, char *argv[]) {
        aa_features *features = NULL;
        aa_kernel_interface *ki = NULL;
        struct dirent **entries;
        int n, dfd, failed = 0, loaded = 0;

        if (argc != 2) {
                fprintf(stderr, "usage: load-floor DIR\n");
                return 2;
        }
        if (aa_features_new_from_kernel(&features) < 0 || aa_kernel_interface_new(&ki, features, NULL) < 0) {
                perror("load-floor: AppArmor");
                return 1;
        }
        dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        n = scandir(argv[1], &entries, NULL, alphasort);
        if (dfd < 0 || n < 0) {
                perror(argv[1]);
                return 1;
        }
        for (int i = 0; i < n; i++) {
                if (entries[i]->d_name[0] != '.') {
                        if (aa_kernel_interface_replace_policy_from_file(ki, dfd, entries[i]->d_name) < 0) {
                                fprintf(stderr, "load-floor: %s: %s\n", entries[i]->d_name, strerror(errno));
                                failed++;
                        } else
                                loaded++;
                }
                free(entries[i]);
        }
        free(entries);
        printf("load-floor: %d loaded, %d failed\n", loaded, failed);
        aa_kernel_interface_unref(ki);
        aa_features_unref(features);
        return failed ? 1 : 0;
}
