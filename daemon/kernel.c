/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading into and reading from the kernel. */
#include "kernel.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/apparmor.h>
#include <unistd.h>

#include "fileio.h"
#include "util.h"

struct Kernel {
        const KernelOps *ops;
        void *userdata;
        char *apparmorfs;
        /* the running kernel's: */
        aa_features *features;
        aa_kernel_interface *interface;
};

static const KernelOps libapparmor_ops;

int kernel_new(const KernelOps *ops, void *userdata, const char *name, Kernel **ret) {
        _cleanup_(kernel_freep) Kernel *k = NULL;

        assert(ops);
        assert(name);
        assert(ret);
        k = calloc(1, sizeof(Kernel));
        if (!k)
                return -ENOMEM;
        k->ops = ops;
        k->userdata = userdata;
        k->apparmorfs = strdup(name);
        if (!k->apparmorfs)
                return -ENOMEM;
        *ret = TAKE_PTR(k);
        return 0;
}

int kernel_open(const char *apparmorfs, Kernel **ret) {
        _cleanup_(kernel_freep) Kernel *k = NULL;
        _cleanup_free_ char *features = NULL;
        int r;

        r = kernel_new(&libapparmor_ops, NULL, apparmorfs, &k);
        if (r < 0)
                return r;
        k->userdata = k;
        features = path_join(apparmorfs, "features");
        if (!features)
                return -ENOMEM;
        if (aa_features_new(&k->features, AT_FDCWD, features) < 0)
                return negative_errno();
        if (aa_kernel_interface_new(&k->interface, k->features, apparmorfs) < 0)
                return negative_errno();
        *ret = TAKE_PTR(k);
        return 0;
}

void kernel_free(Kernel *k) {
        if (!k)
                return;
        aa_kernel_interface_unref(k->interface);
        aa_features_unref(k->features);
        free(k->apparmorfs);
        free(k);
}

const char *kernel_apparmorfs(const Kernel *k) {
        return k->apparmorfs;
}

static int aa_write_features(void *userdata, const char *path) {
        Kernel *k = userdata;
        _cleanup_free_ char *tmp = NULL;

        if (asprintf(&tmp, "%s.tmp.%ld", path, (long) getpid()) < 0)
                return -ENOMEM;
        (void) unlink(tmp);
        if (aa_features_write_to_file(k->features, AT_FDCWD, tmp) < 0)
                return negative_errno();
        if (rename(tmp, path) < 0) {
                int r = negative_errno();
                (void) unlink(tmp);
                return r;
        }
        return 0;
}

static int aa_replace(void *userdata, const void *blob, size_t size) {
        Kernel *k = userdata;

        if (aa_kernel_interface_replace_policy(k->interface, blob, size) < 0)
                return negative_errno();
        return 0;
}

static int aa_remove(void *userdata, const char *name) {
        Kernel *k = userdata;

        if (aa_kernel_interface_remove_policy(k->interface, name) < 0)
                return negative_errno();
        return 0;
}

void kernel_profiles_free(KernelProfile *p, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(p[i].name);
                free(p[i].mode);
        }
        free(p);
}

static int aa_list_profiles(void *userdata, KernelProfile **ret, size_t *ret_n) {
        Kernel *k = userdata;

        return kernel_list_profiles_at(k->apparmorfs, ret, ret_n);
}

int kernel_list_profiles_at(const char *apparmorfs, KernelProfile **ret, size_t *ret_n) {
        _cleanup_free_ char *path = path_join(apparmorfs, "profiles"), *text = NULL;
        KernelProfile *list = NULL;
        size_t n = 0;
        char *line, *save = NULL;
        int fd, r;

        if (!path)
                return -ENOMEM;
        /* A virtual file: stat says 0 bytes, so read it to the end. */
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        r = read_full_fd(fd, 64U * 1024U * 1024U, &text, NULL);
        close(fd);
        if (r < 0)
                return r;

        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *open_paren = strrchr(line, '(');
                KernelProfile *a;
                size_t len;

                /* "NAME (MODE)"; names may hold spaces, modes do not. */
                if (!open_paren || open_paren == line || open_paren[-1] != ' ' || !endswith(line, ")"))
                        continue;
                a = realloc(list, sizeof(KernelProfile) * (n + 1));
                if (!a) {
                        kernel_profiles_free(list, n);
                        return -ENOMEM;
                }
                list = a;
                len = (size_t) (open_paren - 1 - line);
                list[n].name = strndup(line, len);
                list[n].mode = strndup(open_paren + 1, strlen(open_paren + 1) - 1);
                n++;
                if (!list[n - 1].name || !list[n - 1].mode) {
                        kernel_profiles_free(list, n);
                        return -ENOMEM;
                }
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

int kernel_revision_read(int fd, uint64_t *ret) {
        char buf[64];
        ssize_t n;

        /* The kernel's revision file blocks on a second read of the same
         * open file until policy changes; pread at 0 after poll() said it
         * is readable. */
        n = pread(fd, buf, sizeof buf - 1, 0);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return safe_atou64(buf, ret);
}

int kernel_revision_open(Kernel *k) {
        _cleanup_free_ char *path = NULL;
        int fd;

        if (k->ops != &libapparmor_ops)
                return -EOPNOTSUPP;
        path = path_join(k->apparmorfs, "revision");
        if (!path)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        return fd < 0 ? negative_errno() : fd;
}

static int aa_revision(void *userdata, uint64_t *ret) {
        _cleanup_close_ int fd = kernel_revision_open(userdata);
        if (fd < 0)
                return fd;
        return kernel_revision_read(fd, ret);
}

static int read_small(int dirfd, const char *path, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
        ssize_t n;

        if (fd < 0)
                return negative_errno();
        n = read(fd, buf, size - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        return 0;
}

static int aa_profile_hashes(void *userdata, Hashmap **ret) {
        Kernel *k = userdata;
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new(free);
        _cleanup_free_ char *dir = path_join(k->apparmorfs, "policy/profiles");
        DIR *d;
        struct dirent *de;
        int r = 0;

        if (!h || !dir)
                return -ENOMEM;
        d = opendir(dir);
        if (!d)
                return negative_errno();
        while ((de = readdir(d))) {
                char name[4096], sha[128], *v = NULL;
                _cleanup_close_ int pfd = -1;

                if (de->d_name[0] == '.')
                        continue;
                pfd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (pfd < 0)
                        continue;
                if (read_small(pfd, "name", name, sizeof name) < 0)
                        continue;
                if (read_small(pfd, "raw_sha256", sha, sizeof sha) >= 0)
                        v = asprintf(&v, "sha256:%s", sha) < 0 ? NULL : v;
                else if (read_small(pfd, "raw_sha1", sha, sizeof sha) >= 0)
                        v = asprintf(&v, "sha1:%s", sha) < 0 ? NULL : v;
                else
                        continue;
                if (!v) {
                        r = -ENOMEM;
                        break;
                }
                r = hashmap_put(h, name, v);
                if (r < 0) {
                        free(v);
                        break;
                }
        }
        closedir(d);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(h);
        return 0;
}

static const KernelOps libapparmor_ops = {
        .write_features = aa_write_features,
        .replace = aa_replace,
        .remove = aa_remove,
        .list_profiles = aa_list_profiles,
        .revision = aa_revision,
        .profile_hashes = aa_profile_hashes,
};

int kernel_write_features(Kernel *k, const char *path) {
        return k->ops->write_features(k->userdata, path);
}

int kernel_replace(Kernel *k, const void *blob, size_t size) {
        return k->ops->replace(k->userdata, blob, size);
}

int kernel_remove(Kernel *k, const char *name) {
        return k->ops->remove(k->userdata, name);
}

int kernel_list_profiles(Kernel *k, KernelProfile **ret, size_t *ret_n) {
        return k->ops->list_profiles(k->userdata, ret, ret_n);
}

int kernel_revision(Kernel *k, uint64_t *ret) {
        return k->ops->revision(k->userdata, ret);
}

int kernel_profile_hashes(Kernel *k, Hashmap **ret) {
        return k->ops->profile_hashes(k->userdata, ret);
}

int kernel_hash_matches(const char *hash, const char *sha1, const char *sha256) {
        const char *v, *ours;

        if ((v = startswith(hash, "sha256:")))
                ours = sha256;
        else if ((v = startswith(hash, "sha1:")))
                ours = sha1;
        else
                return -EINVAL;
        if (isempty(ours))
                return -ENODATA;
        return streq(v, ours);
}
