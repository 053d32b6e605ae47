/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 and SHA-1 through nettle, which picks the SHA extensions of
 * the CPU when it has them. */
#include "hash.h"

#include <assert.h>
#include <nettle/version.h>

static_assert(SHA256_DIGEST_SIZE == 32 && SHA1_DIGEST_SIZE == 20, "the cache's header holds digests of these sizes");

void sha256_init(Sha256 *s) {
        nettle_sha256_init(&s->ctx);
}

void sha256_update(Sha256 *s, const void *data, size_t size) {
        nettle_sha256_update(&s->ctx, size, data);
}

/* nettle 4 dropped the length argument of the digest functions. */
#if NETTLE_VERSION_MAJOR >= 4
#  define DIGEST(f, ctx, size, ret) f(ctx, ret)
#else
#  define DIGEST(f, ctx, size, ret) f(ctx, size, ret)
#endif

void sha256_final(Sha256 *s, uint8_t ret[SHA256_DIGEST_SIZE]) {
        DIGEST(nettle_sha256_digest, &s->ctx, SHA256_DIGEST_SIZE, ret);
}

void sha256(const void *data, size_t size, uint8_t ret[SHA256_DIGEST_SIZE]) {
        Sha256 s;

        sha256_init(&s);
        sha256_update(&s, data, size);
        sha256_final(&s, ret);
}

void sha1_init(Sha1 *s) {
        nettle_sha1_init(&s->ctx);
}

void sha1_update(Sha1 *s, const void *data, size_t size) {
        nettle_sha1_update(&s->ctx, size, data);
}

void sha1_final(Sha1 *s, uint8_t ret[SHA1_DIGEST_SIZE]) {
        DIGEST(nettle_sha1_digest, &s->ctx, SHA1_DIGEST_SIZE, ret);
}

void sha1(const void *data, size_t size, uint8_t ret[SHA1_DIGEST_SIZE]) {
        Sha1 s;

        sha1_init(&s);
        sha1_update(&s, data, size);
        sha1_final(&s, ret);
}

void hex_encode(const uint8_t *data, size_t size, char *ret) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < size; i++) {
                ret[2 * i] = digits[data[i] >> 4];
                ret[2 * i + 1] = digits[data[i] & 15];
        }
        ret[2 * size] = '\0';
}
