/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 (the cache's content addresses) and SHA-1 (what the kernel
 * reports in policy/profiles/NAME/raw_sha1 for the blob it was given, so
 * that aalevel can tell its own blob from one loaded by someone else).
 * The hashing is nettle's (bench/hash.md: the fastest with the SHA
 * extensions of the CPU, and the lightest of the libraries that have
 * them); these wrappers keep the digests and the interface aalevel had
 * with its own FIPS 180-4 code. */
#pragma once

#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stddef.h>
#include <stdint.h>

/* nettle names its functions nettle_sha256_init() and so on, with
 * macros for the short names: those are aalevel's own. */
#undef sha256_init
#undef sha256_update
#undef sha256_digest
#undef sha1_init
#undef sha1_update
#undef sha1_digest

/* SHA256_DIGEST_SIZE (32) and SHA1_DIGEST_SIZE (20) are nettle's. */

typedef struct Sha256 {
        struct sha256_ctx ctx;
} Sha256;

typedef struct Sha1 {
        struct sha1_ctx ctx;
} Sha1;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t size);
void sha256_final(Sha256 *s, uint8_t ret[SHA256_DIGEST_SIZE]);
void sha256(const void *data, size_t size, uint8_t ret[SHA256_DIGEST_SIZE]);

void sha1_init(Sha1 *s);
void sha1_update(Sha1 *s, const void *data, size_t size);
void sha1_final(Sha1 *s, uint8_t ret[SHA1_DIGEST_SIZE]);
void sha1(const void *data, size_t size, uint8_t ret[SHA1_DIGEST_SIZE]);

/* Lowercase hex; ret must hold 2 * size + 1 bytes. */
void hex_encode(const uint8_t *data, size_t size, char *ret);
