/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The content-addressed policy cache. */
#include "cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fileio.h"
#include "hashmap.h"
#include "strv.h"
#include "util.h"

/* An entry: magic, the binary's length (LE64), its SHA-256, its SHA-1
 * under each mode override (keep, enforce, complain; zero when unknown),
 * then the binary. */
#define ENTRY_MAGIC "AALVLBC2"
#define ENTRY_SHA1_OFFSET (8 + 8 + SHA256_DIGEST_SIZE)
#define ENTRY_HEADER_SIZE (ENTRY_SHA1_OFFSET + _MODE_OVERRIDE_MAX * SHA1_DIGEST_SIZE)
#define ENTRY_MAX (256U * 1024U * 1024U)

struct Cache {
        char *dir;
        char *blobs;            /* dir/blobs */
        Hashmap *durations;     /* file → double* */
        bool durations_loaded;
        bool durations_dirty;
};

const char *cache_logical_path(const CacheContext *ctx, const char *path) {
        size_t n = strlen(strempty(ctx->root));
        if (path && n > 0 && strneq(path, ctx->root, n) && (path[n] == '/' || path[n] == '\0'))
                return path[n] ? path + n : "/";
        return path;
}

static void hash_str(Sha256 *s, const char *tag, const char *v) {
        sha256_update(s, tag, strlen(tag) + 1);
        sha256_update(s, strempty(v), strlen(strempty(v)) + 1);
}

void cache_key_compute(const CacheContext *ctx, const Closure *closure, const char *prelude, const char *state,
                       const char *ns, CacheKey *ret) {
        Sha256 s;
        uint8_t flags = (uint8_t) (prelude ? 4 : 0);

        sha256_init(&s);
        hash_str(&s, "aalevel-cache-key", "2");
        hash_str(&s, "parser", ctx->parser_identity);
        sha256_update(&s, ctx->features_digest, sizeof ctx->features_digest);
        sha256_update(&s, ctx->parser_config_digest, sizeof ctx->parser_config_digest);
        STRV_FOREACH(p, ctx->search_path)
                hash_str(&s, "search", cache_logical_path(ctx, *p));
        hash_str(&s, "cwd", cache_logical_path(ctx, ctx->cwd));
        sha256_update(&s, &flags, 1);
        hash_str(&s, "prelude", prelude);
        /* Absent, not empty, for closures that use no state variable:
         * their keys stay what they were before aalevel set any. */
        if (state)
                hash_str(&s, "state", state);
        if (ns)
                hash_str(&s, "namespace", ns);
        hash_str(&s, "file", cache_logical_path(ctx, closure->file));
        sha256_update(&s, closure->digest, sizeof closure->digest);
        sha256_final(&s, ret->bytes);
}

void cache_key_to_hex(const CacheKey *k, char ret[CACHE_KEY_HEX_SIZE]) {
        hex_encode(k->bytes, sizeof k->bytes, ret);
}

static int unhex(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

int cache_key_from_hex(const char *s, CacheKey *ret) {
        CacheKey k;

        if (!s || strlen(s) != 2 * SHA256_DIGEST_SIZE)
                return -EINVAL;
        for (size_t i = 0; i < SHA256_DIGEST_SIZE; i++) {
                int hi = unhex(s[2 * i]), lo = unhex(s[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EINVAL;
                k.bytes[i] = (uint8_t) (hi << 4 | lo);
        }
        *ret = k;
        return 0;
}

bool cache_key_equal(const CacheKey *a, const CacheKey *b) {
        return memcmp(a->bytes, b->bytes, sizeof a->bytes) == 0;
}

int cache_open(const char *dir, Cache **ret) {
        _cleanup_(cache_freep) Cache *c = NULL;
        int r;

        c = calloc(1, sizeof(Cache));
        if (!c)
                return -ENOMEM;
        c->dir = strdup(dir);
        c->blobs = path_join(dir, "blobs");
        c->durations = hashmap_new(free);
        if (!c->dir || !c->blobs || !c->durations)
                return -ENOMEM;
        r = mkdir_p(c->blobs, 0700);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

void cache_free(Cache *c) {
        if (!c)
                return;
        free(c->dir);
        free(c->blobs);
        hashmap_free(c->durations);
        free(c);
}

const char *cache_dir(const Cache *c) {
        return c->dir;
}

static char *entry_path(Cache *c, const CacheKey *key) {
        char hex[CACHE_KEY_HEX_SIZE];
        char *p;

        cache_key_to_hex(key, hex);
        if (asprintf(&p, "%s/%.2s/%s", c->blobs, hex, hex) < 0)
                return NULL;
        return p;
}

static void put_le64(uint8_t *p, uint64_t v) {
        for (int i = 0; i < 8; i++)
                p[i] = (uint8_t) (v >> (8 * i));
}

static uint64_t get_le64(const uint8_t *p) {
        uint64_t v = 0;
        for (int i = 0; i < 8; i++)
                v |= (uint64_t) p[i] << (8 * i);
        return v;
}

int cache_get(Cache *c, const CacheKey *key, uint8_t **ret_blob, size_t *ret_size) {
        _cleanup_free_ char *path = entry_path(c, key), *data = NULL;
        uint8_t digest[SHA256_DIGEST_SIZE];
        uint8_t *blob;
        size_t size;
        uint64_t len;
        int r;

        if (!path)
                return -ENOMEM;
        r = read_full_file(path, ENTRY_MAX, &data, &size);
        if (r == -ENOENT)
                return -ENOENT;
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                goto corrupt;
        if (size < ENTRY_HEADER_SIZE || memcmp(data, ENTRY_MAGIC, 8) != 0)
                goto corrupt;
        len = get_le64((const uint8_t *) data + 8);
        if (len == 0 || len != size - ENTRY_HEADER_SIZE)
                goto corrupt;
        sha256(data + ENTRY_HEADER_SIZE, len, digest);
        if (memcmp(digest, data + 16, SHA256_DIGEST_SIZE) != 0)
                goto corrupt;

        blob = malloc(len);
        if (!blob)
                return -ENOMEM;
        memcpy(blob, data + ENTRY_HEADER_SIZE, len);
        *ret_blob = blob;
        *ret_size = len;
        return 0;

corrupt:
        (void) unlink(path);
        return -EBADMSG;
}

int cache_get_sha1(Cache *c, const CacheKey *key, ModeOverride mode, char ret[2 * SHA1_DIGEST_SIZE + 1]) {
        static const uint8_t zero[SHA1_DIGEST_SIZE] = {};
        _cleanup_free_ char *path = entry_path(c, key);
        _cleanup_close_ int fd = -1;
        uint8_t header[ENTRY_HEADER_SIZE];
        ssize_t n;

        if (!path)
                return -ENOMEM;
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return negative_errno();
        n = pread(fd, header, sizeof header, 0);
        if (n < 0)
                return negative_errno();
        if ((size_t) n < sizeof header || memcmp(header, ENTRY_MAGIC, 8) != 0)
                return -EBADMSG;
        if (mode < 0 || mode >= _MODE_OVERRIDE_MAX)
                return -EINVAL;
        if (memcmp(header + ENTRY_SHA1_OFFSET + mode * SHA1_DIGEST_SIZE, zero, SHA1_DIGEST_SIZE) == 0)
                return -ENODATA;
        hex_encode(header + ENTRY_SHA1_OFFSET + mode * SHA1_DIGEST_SIZE, SHA1_DIGEST_SIZE, ret);
        return 0;
}

bool cache_has(Cache *c, const CacheKey *key) {
        _cleanup_free_ char *path = entry_path(c, key);
        return path && access(path, F_OK) == 0;
}

int cache_put(Cache *c, const CacheKey *key, const uint8_t *blob, size_t size,
              const uint8_t mode_sha1[_MODE_OVERRIDE_MAX][SHA1_DIGEST_SIZE]) {
        _cleanup_free_ char *path = entry_path(c, key), *tmp = NULL, *dir = NULL;
        _cleanup_close_ int fd = -1;
        uint8_t header[ENTRY_HEADER_SIZE];
        int r;

        if (!path)
                return -ENOMEM;
        dir = strndup(path, strrchr(path, '/') - path);
        if (!dir || asprintf(&tmp, "%s.tmp.%ld", path, (long) getpid()) < 0)
                return -ENOMEM;
        r = mkdir_p(dir, 0700);
        if (r < 0)
                return r;

        memset(header, 0, sizeof header);
        memcpy(header, ENTRY_MAGIC, 8);
        put_le64(header + 8, size);
        sha256(blob, size, header + 16);
        sha1(blob, size, header + ENTRY_SHA1_OFFSET + MODE_KEEP * SHA1_DIGEST_SIZE);
        for (int m = 0; mode_sha1 && m < _MODE_OVERRIDE_MAX; m++)
                if (m != MODE_KEEP)
                        memcpy(header + ENTRY_SHA1_OFFSET + m * SHA1_DIGEST_SIZE, mode_sha1[m], SHA1_DIGEST_SIZE);

        fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return negative_errno();
        r = loop_write(fd, header, sizeof header);
        if (r >= 0)
                r = loop_write(fd, blob, size);
        if (r >= 0 && close(TAKE_FD(fd)) < 0)
                r = negative_errno();
        if (r >= 0 && rename(tmp, path) < 0)
                r = negative_errno();
        if (r < 0)
                (void) unlink(tmp);
        return r;
}

static char *failure_path(Cache *c, const CacheKey *key) {
        _cleanup_free_ char *p = entry_path(c, key);
        char *f;
        if (!p || asprintf(&f, "%s.failed", p) < 0)
                return NULL;
        return f;
}

int cache_put_failure(Cache *c, const CacheKey *key, const char *errors) {
        _cleanup_free_ char *path = failure_path(c, key), *dir = NULL;
        int r;

        if (!path)
                return -ENOMEM;
        dir = strndup(path, strrchr(path, '/') - path);
        if (!dir)
                return -ENOMEM;
        r = mkdir_p(dir, 0700);
        if (r < 0)
                return r;
        return write_file_atomic(path, errors, strlen(errors), 0600);
}

int cache_get_failure(Cache *c, const CacheKey *key, char **ret_errors) {
        _cleanup_free_ char *path = failure_path(c, key);
        if (!path)
                return -ENOMEM;
        return read_full_file(path, 1024 * 1024, ret_errors, NULL);
}

int cache_remove(Cache *c, const CacheKey *key) {
        _cleanup_free_ char *path = entry_path(c, key);
        if (!path)
                return -ENOMEM;
        if (unlink(path) < 0 && errno != ENOENT)
                return negative_errno();
        return 0;
}

/* The durations file: one "SECONDS<TAB>PATH" per line. Bad lines are
 * ignored: it is only a scheduling hint. */
static void load_durations(Cache *c) {
        _cleanup_free_ char *path = path_join(c->dir, "durations"), *text = NULL;
        char *line, *save = NULL;

        c->durations_loaded = true;
        if (!path || read_full_file(path, 16U * 1024U * 1024U, &text, NULL) < 0)
                return;
        for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char *tab = strchr(line, '\t'), *end;
                double *d, v;

                if (!tab)
                        continue;
                *tab = '\0';
                v = strtod(line, &end);
                if (*end || v < 0 || v > 1e6)
                        continue;
                d = malloc(sizeof(double));
                if (!d)
                        return;
                *d = v;
                if (hashmap_put(c->durations, tab + 1, d) < 0)
                        free(d);
        }
}

double cache_get_duration(Cache *c, const char *file) {
        double *d;
        if (!c->durations_loaded)
                load_durations(c);
        d = hashmap_get(c->durations, file);
        return d ? *d : 0;
}

int cache_set_duration(Cache *c, const char *file, double seconds) {
        double *d;
        if (!c->durations_loaded)
                load_durations(c);
        d = malloc(sizeof(double));
        if (!d)
                return -ENOMEM;
        *d = seconds;
        c->durations_dirty = true;
        if (hashmap_put(c->durations, file, d) < 0) {
                free(d);
                return -ENOMEM;
        }
        return 0;
}

int cache_save_durations(Cache *c) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_strv_free_ char **keys = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        if (!c->durations_dirty)
                return 0;
        path = path_join(c->dir, "durations");
        keys = hashmap_keys_sorted(c->durations);
        if (!path || !keys)
                return -ENOMEM;
        f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        STRV_FOREACH(k, keys)
                if (!strchr(*k, '\n'))
                        fprintf(f, "%.3f\t%s\n", *(double *) hashmap_get(c->durations, *k), *k);
        if (fclose(f) != 0)
                return -ENOMEM;
        r = write_file_atomic(path, text, size, 0600);
        if (r >= 0)
                c->durations_dirty = false;
        return r;
}

int cache_gc(Cache *c, char * const *keep, uint64_t max_age_sec, unsigned *ret_removed) {
        _cleanup_(hashmap_freep) Hashmap *k = hashmap_new(NULL);
        DIR *top;
        struct dirent *de;
        unsigned removed = 0;

        if (!k || hashmap_put_strv(k, keep) < 0)
                return -ENOMEM;
        top = opendir(c->blobs);
        if (!top)
                return negative_errno();
        while ((de = readdir(top))) {
                _cleanup_free_ char *sub = NULL;
                DIR *d;
                struct dirent *e;

                if (de->d_name[0] == '.')
                        continue;
                sub = path_join(c->blobs, de->d_name);
                if (!sub || !(d = opendir(sub)))
                        continue;
                while ((e = readdir(d))) {
                        char base[CACHE_KEY_HEX_SIZE];
                        if (e->d_name[0] == '.')
                                continue;
                        memcpy(base, e->d_name, MIN(strlen(e->d_name), sizeof base - 1) + 1);
                        base[sizeof base - 1] = '\0';
                        if (hashmap_contains(k, base))
                                continue;
                        if (max_age_sec > 0) {
                                struct stat st;
                                time_t used;
                                if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                                        continue;
                                used = MAX(st.st_atime, st.st_mtime);
                                if ((uint64_t) (time(NULL) - used) < max_age_sec)
                                        continue;
                        }
                        if (unlinkat(dirfd(d), e->d_name, 0) >= 0)
                                removed++;
                }
                closedir(d);
        }
        closedir(top);
        if (ret_removed)
                *ret_removed = removed;
        return 0;
}
