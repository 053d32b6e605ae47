/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An in-memory AppArmor kernel: see fake-kernel.h. */
#include "fake-kernel.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "fileio.h"
#include "hash.h"
#include "state.h"
#include "strv.h"
#include "util.h"

typedef struct FakeProfile {
        char sha1[2 * SHA1_DIGEST_SIZE + 1];
        char sha256[2 * SHA256_DIGEST_SIZE + 1];
} FakeProfile;

static int log_write(FakeKernel *f, const char *op, char * const *names) {
        _cleanup_free_ char *list = strv_join(names, " "), *line = NULL;

        if (!list || asprintf(&line, "%s %s", op, list) < 0)
                return -ENOMEM;
        return strv_consume(&f->log, TAKE_PTR(line));
}

/* Whether the state file on disk owns every name about to be written. */
static void check_owned(FakeKernel *f, char * const *names) {
        _cleanup_(state_freep) State *s = NULL;
        _cleanup_strv_free_ char **owned = NULL;

        if (!f->state_path)
                return;
        if (state_load(f->state_path, &s, NULL) < 0 || !(owned = state_owned_names(s))) {
                f->unowned_writes++;
                return;
        }
        STRV_FOREACH(n, names)
                if (!strv_contains(owned, *n))
                        f->unowned_writes++;
}

static int put(FakeKernel *f, const char *name, const char *sha1, const char *sha256) {
        FakeProfile *p = calloc(1, sizeof(FakeProfile));
        int r;

        if (!p)
                return -ENOMEM;
        snprintf(p->sha1, sizeof p->sha1, "%s", sha1);
        snprintf(p->sha256, sizeof p->sha256, "%s", sha256);
        (void) hashmap_remove(f->profiles, name);
        r = hashmap_put(f->profiles, name, p);
        if (r < 0)
                free(p);
        return r;
}

/* The engine's load pass writes from several threads at once, as it does
 * to the real kernel: the fake's map and log are guarded, one operation
 * at a time (unguarded, two writes lost an entry of the log now and
 * then, which LeakSanitizer reported). */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

static pthread_mutex_t *fake_lock_take(void) {
        pthread_mutex_lock(&fake_lock);
        return &fake_lock;
}

static void fake_lock_release(pthread_mutex_t **l) {
        if (*l)
                pthread_mutex_unlock(*l);
}

#define FAKE_LOCKED _cleanup_(fake_lock_release) _unused_ pthread_mutex_t *fake_locked = fake_lock_take()

static int fake_replace(void *userdata, const void *blob, size_t size) {
        FAKE_LOCKED;
        FakeKernel *f = userdata;
        _cleanup_strv_free_ char **names = NULL;
        uint8_t digest[SHA1_DIGEST_SIZE], d256[SHA256_DIGEST_SIZE];
        char hex[2 * SHA1_DIGEST_SIZE + 1], hex256[2 * SHA256_DIGEST_SIZE + 1];
        int r;

        r = blob_profile_names(blob, size, &names);
        if (r < 0)
                return r;
        if (f->reject && strv_contains(names, f->reject))
                return -EINVAL;
        check_owned(f, names);
        sha1(blob, size, digest);
        hex_encode(digest, sizeof digest, hex);
        sha256(blob, size, d256);
        hex_encode(d256, sizeof d256, hex256);
        STRV_FOREACH(n, names) {
                r = put(f, *n, hex, hex256);
                if (r < 0)
                        return r;
        }
        f->revision++;
        return log_write(f, "replace", names);
}

static int fake_remove(void *userdata, const char *name) {
        FAKE_LOCKED;
        FakeKernel *f = userdata;

        if (!hashmap_remove(f->profiles, name))
                return -ENOENT;
        f->revision++;
        return log_write(f, "remove", (char *[]) { (char *) name, NULL });
}

static int fake_list_profiles(void *userdata, KernelProfile **ret, size_t *ret_n) {
        FAKE_LOCKED;
        FakeKernel *f = userdata;
        _cleanup_strv_free_ char **names = hashmap_keys_sorted(f->profiles);
        KernelProfile *list;
        size_t n = strv_length(names);

        if (!names)
                return -ENOMEM;
        list = calloc(n + 1, sizeof(KernelProfile));
        if (!list)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                list[i].name = strdup(names[i]);
                list[i].mode = strdup("enforce");
                if (!list[i].name || !list[i].mode) {
                        kernel_profiles_free(list, n);
                        return -ENOMEM;
                }
        }
        *ret = list;
        *ret_n = n;
        return 0;
}

static int fake_revision(void *userdata, uint64_t *ret) {
        FAKE_LOCKED;
        FakeKernel *f = userdata;

        *ret = f->revision;
        return 0;
}

static int fake_profile_hashes(void *userdata, Hashmap **ret) {
        FAKE_LOCKED;
        FakeKernel *f = userdata;
        _cleanup_(hashmap_freep) Hashmap *h = hashmap_new(free);
        const char *name;
        void *v;

        if (!h)
                return -ENOMEM;
        for (size_t i = 0; hashmap_iterate(f->profiles, &i, &name, &v);) {
                const FakeProfile *p = v;
                char *sha = NULL;
                if (asprintf(&sha, f->sha256 ? "sha256:%s" : "sha1:%s", f->sha256 ? p->sha256 : p->sha1) < 0)
                        sha = NULL;
                if (!sha || hashmap_put(h, name, sha) < 0) {
                        free(sha);
                        return -ENOMEM;
                }
        }
        *ret = TAKE_PTR(h);
        return 0;
}

/* The features of the tests' kernel: Debian 6.1's, from the tree. */
static int fake_write_features(void *userdata, const char *path) {
        FAKE_LOCKED;
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r;

        r = read_full_file(TEST_DATA_DIR "/engine/kernel.features", 16 * 1024 * 1024, &text, &size);
        if (r < 0)
                return r;
        return write_file_atomic(path, text, size, 0644);
}

static const KernelOps fake_ops = {
        .write_features = fake_write_features,
        .replace = fake_replace,
        .remove = fake_remove,
        .list_profiles = fake_list_profiles,
        .revision = fake_revision,
        .profile_hashes = fake_profile_hashes,
};

int fake_kernel_new(FakeKernel **ret_fake, Kernel **ret_kernel) {
        FakeKernel *f = calloc(1, sizeof(FakeKernel));
        int r;

        if (!f)
                return -ENOMEM;
        f->profiles = hashmap_new(free);
        f->revision = 1;
        if (!f->profiles) {
                fake_kernel_free(f);
                return -ENOMEM;
        }
        r = kernel_new(&fake_ops, f, "fake-apparmorfs", ret_kernel);
        if (r < 0) {
                fake_kernel_free(f);
                return r;
        }
        *ret_fake = f;
        return 0;
}

void fake_kernel_free(FakeKernel *f) {
        if (!f)
                return;
        hashmap_free(f->profiles);
        strv_free(f->log);
        free(f);
}

int fake_kernel_load_foreign(FakeKernel *f, const char *name, const char *sha1) {
        int r = put(f, name, sha1, "f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0");
        if (r >= 0)
                f->revision++;
        return r;
}

bool fake_kernel_has(const FakeKernel *f, const char *name) {
        return hashmap_contains(f->profiles, name);
}

const char *fake_kernel_sha1(const FakeKernel *f, const char *name) {
        FakeProfile *p = hashmap_get(f->profiles, name);
        return p ? p->sha1 : NULL;
}

void fake_kernel_clear_log(FakeKernel *f) {
        strv_free(f->log);
        f->log = NULL;
}

void fake_kernel_reboot(FakeKernel *f) {
        hashmap_free(f->profiles);
        f->profiles = hashmap_new(free);
        f->revision = 1;
        fake_kernel_clear_log(f);
}
