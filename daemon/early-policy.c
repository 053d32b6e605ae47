/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The early boot policy: the binaries of the last run written as
 * libapparmor's policy cache (which systemd loads before it starts
 * anything, and aalevel's initramfs hook before PID 1 runs), the marker
 * that says aalevel owns such a directory, and loading one. */
#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aa-cleanup.h"
#include "early-policy.h"
#include "engine-internal.h"
#include "fileio.h"
#include "strv.h"

/* The marker that says aalevel owns the policy cache in a directory: only
 * then does it clear it when the level no longer wants early policy. */
#define EARLY_POLICY_MARKER ".aalevel-owned"

static char *marker_path(const char *dir) {
        return path_join(dir, EARLY_POLICY_MARKER);
}

int early_policy_mark_owned(const char *dir) {
        _cleanup_free_ char *marker = marker_path(dir);

        if (!marker)
                return -ENOMEM;
        if (access(marker, F_OK) >= 0)
                return 0;
        return write_file_atomic(marker, "", 0, 0644);
}

static int policy_cache_dirfd(Engine *e, const char *dir, bool create, int *ret) {
        _cleanup_(aa_features_unrefp) aa_features *features = NULL;
        _cleanup_(aa_policy_cache_unrefp) aa_policy_cache *pc = NULL;
        int fd;

        if (create) {
                int r = mkdir_p(dir, 0755);
                if (r < 0)
                        return r;
        }
        if (aa_features_new(&features, AT_FDCWD, e->features_file) < 0 ||
            aa_policy_cache_new(&pc, features, AT_FDCWD, dir, create ? 1 : 0) < 0)
                return negative_errno();
        fd = aa_policy_cache_dirfd(pc, 0);
        fd = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
        if (fd < 0)
                return negative_errno();
        *ret = fd;
        return 0;
}

static bool same_content(int dfd, const char *name, const uint8_t *blob, size_t size) {
        _cleanup_free_ char *old = NULL;
        size_t old_size;
        return read_full_file_at(dfd, name, 256U * 1024U * 1024U, &old, &old_size) >= 0 && old_size == size &&
               memcmp(old, blob, size) == 0;
}

int engine_write_policy_cache(Engine *e, const char *dir, char **ret_error) {
        _cleanup_close_ int dfd = -1;
        _cleanup_strv_free_ char **names = NULL;
        int r;

        assert(e);
        assert(dir);
        r = policy_cache_dirfd(e, dir, true, &dfd);
        if (r < 0)
                return r;

        for (size_t i = 0; i < e->n_units; i++) {
                Unit *u = &e->units[i];
                _cleanup_free_ uint8_t *blob = NULL;
                _cleanup_free_ char *tmp = NULL;
                _cleanup_close_ int fd = -1;
                size_t size;

                if (!unit_usable(u))
                        continue; /* failed with no good version ever */
                if (strv_contains(names, u->name))
                        return engine_error(ret_error, -EEXIST, "two profile files are called %s; the policy "
                                            "cache layout keeps one file per name", u->name);
                r = strv_extend(&names, u->name);
                if (r < 0)
                        return r;
                {
                        /* unit_final_blob() hands over a held binary:
                         * keep a copy for the kernel's turn. */
                        uint8_t *held = NULL;
                        if (u->blob) {
                                held = malloc(u->blob_size);
                                if (!held)
                                        return -ENOMEM;
                                memcpy(held, u->blob, u->blob_size);
                        }
                        r = unit_final_blob(e, u, &blob, &size, NULL);
                        if (held) {
                                free(u->blob);
                                u->blob = held;
                        }
                        if (r < 0)
                                return r;
                }
                /* Unchanged files are left alone: nothing written when
                 * nothing changed. */
                if (same_content(dfd, u->name, blob, size))
                        continue;
                if (asprintf(&tmp, ".%s.tmp", u->name) < 0)
                        return -ENOMEM;
                fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
                if (fd < 0)
                        return negative_errno();
                r = loop_write(fd, blob, size);
                if (r >= 0 && fsync(fd) < 0)
                        r = negative_errno();
                if (r >= 0 && renameat(dfd, tmp, dfd, u->name) < 0)
                        r = negative_errno();
                if (r < 0) {
                        (void) unlinkat(dfd, tmp, 0);
                        return r;
                }
        }

        /* The directory must hold exactly this level: whatever is there is
         * loaded by whoever reads it (systemd at boot). */
        r = dir_remove_files_at(dfd, names, NULL);
        if (r == -ENOMEM)
                return r;
        /* The renames and removals on disk: after a power cut the next
         * boot loads this level, not a mix with the one before. */
        if (fsync(dfd) < 0)
                return negative_errno();
        return 0;
}

/* Removes the directory open as dfd, an empty entry of parent. */
static void remove_subdir(const char *parent, int dfd) {
        struct stat st, sub;
        struct dirent *de;
        DIR *d;

        if (fstat(dfd, &st) < 0 || !(d = opendir(parent)))
                return;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &sub, AT_SYMLINK_NOFOLLOW) >= 0 &&
                    S_ISDIR(sub.st_mode) && sub.st_dev == st.st_dev && sub.st_ino == st.st_ino) {
                        (void) unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
                        break;
                }
        closedir(d);
}

int engine_update_early_policy(Engine *e, bool wanted, char **ret_error) {
        _cleanup_free_ char *marker = NULL;
        _cleanup_close_ int dfd = -1;
        int r;

        assert(e);
        marker = marker_path(e->config->early_policy_dir);
        if (!marker)
                return -ENOMEM;
        if (wanted) {
                r = engine_write_policy_cache(e, e->config->early_policy_dir, ret_error);
                if (r < 0)
                        return r;
                return early_policy_mark_owned(e->config->early_policy_dir);
        }
        /* Not wanted: clear it, but only what aalevel put there. */
        if (access(marker, F_OK) < 0)
                return 0;
        r = policy_cache_dirfd(e, e->config->early_policy_dir, false, &dfd);
        if (r < 0)
                return r == -ENOENT ? 0 : r;
        r = dir_remove_files_at(dfd, NULL, NULL);
        if (r == -ENOMEM)
                return r;
        /* The cache directory goes too (libapparmor's <features>.0/ and the
         * .features written with it): once the marker is gone nobody would
         * remove it, not even the package's purge. rmdir leaves it when
         * something else is still in it. */
        (void) unlinkat(dfd, ".features", 0);
        if (fsync(dfd) < 0)
                return negative_errno();
        remove_subdir(e->config->early_policy_dir, dfd);
        if (unlink(marker) < 0 && errno != ENOENT)
                return negative_errno();
        /* The removals on disk: a power cut must not bring the early
         * policy of a level that no longer wants it back at boot. */
        return fsync_directory(e->config->early_policy_dir);
}

int policy_cache_load(const char *dir, char **ret_error) {
        _cleanup_(aa_features_unrefp) aa_features *features = NULL;
        _cleanup_(aa_policy_cache_unrefp) aa_policy_cache *pc = NULL;
        _cleanup_(aa_kernel_interface_unrefp) aa_kernel_interface *ki = NULL;
        int r = 0;

        if (aa_features_new_from_kernel(&features) < 0) {
                r = negative_errno();
                if (ret_error)
                        *ret_error = strdup("AppArmor is not enabled in this kernel");
                return r;
        }
        if (aa_policy_cache_new(&pc, features, AT_FDCWD, dir, 0) < 0) {
                r = negative_errno();
                if (ret_error && asprintf(ret_error, "no policy for this kernel's features in %s", dir) < 0)
                        *ret_error = NULL;
        } else if (aa_kernel_interface_new(&ki, features, NULL) < 0 || aa_policy_cache_replace_all(pc, ki) < 0) {
                r = negative_errno();
                if (ret_error && asprintf(ret_error, "loading %s failed: %s", dir, strerror(-r)) < 0)
                        *ret_error = NULL;
        }
        return r;
}

