/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The content-addressed cache: keys cover what they must, entries are
 * checked, corruption is detected, durations persist. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cache.h"
#include "fileio.h"
#include "graph.h"
#include "util.h"

static Closure *fake_closure(const char *file, uint8_t fill) {
        Closure *c = calloc(1, sizeof(Closure));
        c->file = strdup(file);
        memset(c->digest, fill, sizeof c->digest);
        return c;
}

Test(cache, keys_cover_their_inputs) {
        char *search[] = { "/etc/apparmor.d", NULL };
        CacheContext ctx = { .parser_identity = "AppArmor parser version 3.0.8", .search_path = search, .cwd = "/" };
        Closure *a = fake_closure("/etc/apparmor.d/foo", 1), *b = fake_closure("/etc/apparmor.d/foo", 2);
        CacheKey k1, k2;

        cache_key_compute(&ctx, a, NULL, NULL, NULL, &k1);
        cache_key_compute(&ctx, a, NULL, NULL, NULL, &k2);
        cr_assert(cache_key_equal(&k1, &k2));
        cache_key_compute(&ctx, b, NULL, NULL, NULL, &k2);
        cr_assert_not(cache_key_equal(&k1, &k2), "closure content");
        cache_key_compute(&ctx, a, "$aalevel_strict = true\n", NULL, NULL, &k2);
        cr_assert_not(cache_key_equal(&k1, &k2), "prelude");
        cache_key_compute(&ctx, a, NULL, NULL, "application", &k2);
        cr_assert_not(cache_key_equal(&k1, &k2), "namespace");
        cache_key_compute(&ctx, a, NULL, "DE= gnome\n", NULL, &k2);
        cr_assert_not(cache_key_equal(&k1, &k2), "state values used");
        cache_key_compute(&ctx, a, NULL, "DE= kde\n", NULL, &k1);
        cr_assert_not(cache_key_equal(&k1, &k2), "another value");
        cache_key_compute(&ctx, a, NULL, NULL, NULL, &k1);
        ctx.features_digest[0] = 1;
        cache_key_compute(&ctx, a, NULL, NULL, NULL, &k2);
        cr_assert_not(cache_key_equal(&k1, &k2), "features");
        ctx.features_digest[0] = 0;
        ctx.parser_identity = "AppArmor parser version 3.1.0";
        cache_key_compute(&ctx, a, NULL, NULL, NULL, &k2);
        cr_assert_not(cache_key_equal(&k1, &k2), "parser");

        /* An image's root is not part of the key. */
        char *isearch[] = { "/img/etc/apparmor.d", NULL };
        CacheContext ictx = { .parser_identity = "AppArmor parser version 3.0.8", .search_path = isearch,
                              .cwd = "/img", .root = "/img" };
        Closure *ia = fake_closure("/img/etc/apparmor.d/foo", 1);
        cache_key_compute(&ictx, ia, NULL, NULL, NULL, &k2);
        cr_assert(cache_key_equal(&k1, &k2));

        char hex[CACHE_KEY_HEX_SIZE];
        CacheKey back;
        cache_key_to_hex(&k1, hex);
        cr_assert_eq(cache_key_from_hex(hex, &back), 0);
        cr_assert(cache_key_equal(&k1, &back));
        cr_assert_lt(cache_key_from_hex("xyz", &back), 0);
        cr_assert_lt(cache_key_from_hex(NULL, &back), 0);
        hex[5] = 'G';
        cr_assert_lt(cache_key_from_hex(hex, &back), 0);
        closure_free(a); closure_free(b); closure_free(ia);
}

Test(cache, put_get_corrupt_gc) {
        char dir[] = "/tmp/aalevel-test-cache-XXXXXX";
        Cache *c = NULL;
        CacheKey k = {}, k2 = {};
        uint8_t *blob = NULL;
        size_t size = 0;
        char sha[41], hex[CACHE_KEY_HEX_SIZE];

        cr_assert_not_null(mkdtemp(dir));
        cr_assert_eq(cache_open(dir, &c), 0);
        k.bytes[0] = 0xab;
        k2.bytes[0] = 0xcd;
        cr_assert_eq(cache_get(c, &k, &blob, &size), -ENOENT);
        cr_assert_eq(cache_put(c, &k, (const uint8_t *) "hello", 5, NULL), 0);
        cr_assert_eq(cache_put(c, &k2, (const uint8_t *) "other", 5, NULL), 0);
        cr_assert(cache_has(c, &k));
        cr_assert_eq(cache_get(c, &k, &blob, &size), 0);
        cr_assert_eq(size, 5);
        cr_assert_eq(memcmp(blob, "hello", 5), 0);
        free(blob);
        cr_assert_eq(cache_get_sha1(c, &k, MODE_KEEP, sha), 0);
        cr_assert_str_eq(sha, "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
        cr_assert_eq(cache_get_sha1(c, &k, MODE_ENFORCE, sha), -ENODATA, "not given: unknown");

        /* The other modes' SHA-1 as given; the binary's own is computed. */
        uint8_t modes[_MODE_OVERRIDE_MAX][SHA1_DIGEST_SIZE] = {};
        memset(modes[MODE_KEEP], 0x11, SHA1_DIGEST_SIZE);
        memset(modes[MODE_ENFORCE], 0xee, SHA1_DIGEST_SIZE);
        cr_assert_eq(cache_put(c, &k2, (const uint8_t *) "other", 5, modes), 0);
        cr_assert_eq(cache_get_sha1(c, &k2, MODE_ENFORCE, sha), 0);
        cr_assert_str_eq(sha, "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
        cr_assert_eq(cache_get_sha1(c, &k2, MODE_COMPLAIN, sha), -ENODATA);
        cr_assert_eq(cache_get_sha1(c, &k2, MODE_KEEP, sha), 0);
        cr_assert_str_neq(sha, "1111111111111111111111111111111111111111");

        /* Flip one byte of the stored binary: detected, removed. */
        cache_key_to_hex(&k, hex);
        char *path = NULL;
        cr_assert(asprintf(&path, "%s/blobs/%.2s/%s", dir, hex, hex) > 0);
        FILE *f = fopen(path, "r+");
        fseek(f, -1, SEEK_END);
        fputc('X', f);
        fclose(f);
        cr_assert_eq(cache_get(c, &k, &blob, &size), -EBADMSG);
        cr_assert_not(cache_has(c, &k));

        /* Truncated, empty, garbage entries. */
        const char *bad[] = { "", "AALVLBC2", "garbage that is not an entry at all, long enough to pass sizes..." };
        for (size_t i = 0; i < 3; i++) {
                cr_assert_eq(write_file_atomic(path, bad[i], strlen(bad[i]), 0600), 0);
                cr_assert_eq(cache_get(c, &k, &blob, &size), -EBADMSG, "case %zu", i);
        }

        /* Durations survive a reopen. */
        cr_assert_eq(cache_set_duration(c, "/etc/apparmor.d/slow", 42.5), 0);
        cr_assert_eq(cache_save_durations(c), 0);
        cache_free(c);
        cr_assert_eq(cache_open(dir, &c), 0);
        cr_assert_float_eq(cache_get_duration(c, "/etc/apparmor.d/slow"), 42.5, 0.01);
        cr_assert_float_eq(cache_get_duration(c, "/unknown"), 0, 0.01);

        /* GC keeps what it is told to keep. */
        cr_assert_eq(cache_put(c, &k, (const uint8_t *) "hello", 5, NULL), 0);
        unsigned removed = 0;
        cache_key_to_hex(&k, hex);
        cr_assert_eq(cache_gc(c, (char *[]) { hex, NULL }, 3600, &removed), 0);
        cr_assert_eq(removed, 0, "a fresh entry is kept");
        cr_assert_eq(cache_gc(c, (char *[]) { hex, NULL }, 0, &removed), 0);
        cr_assert_eq(removed, 1);
        cr_assert(cache_has(c, &k));
        cr_assert_not(cache_has(c, &k2));
        cache_free(c);
        free(path);
}
