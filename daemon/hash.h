/* SHA-256 (the cache's content addresses) and SHA-1 (what the kernel
 * reports in policy/profiles/NAME/raw_sha1 for the blob it was given, so
 * that aalevel can tell its own blob from one loaded by someone else).
 * Plain implementations of FIPS 180-4: no library in the dependency set
 * offers them. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA1_DIGEST_SIZE 20

typedef struct Sha256 {
        uint32_t state[8];
        uint64_t length;
        uint8_t buffer[64];
        size_t buffered;
} Sha256;

typedef struct Sha1 {
        uint32_t state[5];
        uint64_t length;
        uint8_t buffer[64];
        size_t buffered;
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
