/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hash-bench: CPU time of SHA-256 and SHA-1 over the files aalevel
 * hashes (profile files, compiled binaries), for the hand-written
 * FIPS 180-4 code aalevel had and the libraries Debian ships. The files
 * are read into memory first; each run hashes every file once, one-shot
 * per file as the daemon does; the median of the runs is reported.
 *
 * Usage: hash-bench RUNS FILE... (bench/hash-bench.sh builds and runs
 * it). The hand-written code comes in as byhand_sha256()/byhand_sha1(),
 * the old daemon/hash.c compiled with its names prefixed. */
#define OPENSSL_API_COMPAT 30000
#include <gcrypt.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <sha1.h>
#include <sha2.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void byhand_sha256(const void *data, size_t size, uint8_t ret[32]);
void byhand_sha1(const void *data, size_t size, uint8_t ret[20]);

typedef struct File {
        uint8_t *data;
        size_t size;
} File;

typedef void (*HashFn)(const void *data, size_t size, uint8_t *ret);

static void nettle256(const void *data, size_t size, uint8_t *ret) {
        struct sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, size, data);
        sha256_digest(&c, SHA256_DIGEST_SIZE, ret);
}

static void nettle1(const void *data, size_t size, uint8_t *ret) {
        struct sha1_ctx c;
        sha1_init(&c);
        sha1_update(&c, size, data);
        sha1_digest(&c, SHA1_DIGEST_SIZE, ret);
}

static void openssl_evp256(const void *data, size_t size, uint8_t *ret) {
        EVP_Digest(data, size, ret, NULL, EVP_sha256(), NULL);
}

static void openssl_evp1(const void *data, size_t size, uint8_t *ret) {
        EVP_Digest(data, size, ret, NULL, EVP_sha1(), NULL);
}

static void openssl_oneshot256(const void *data, size_t size, uint8_t *ret) {
        SHA256(data, size, ret);
}

static void openssl_oneshot1(const void *data, size_t size, uint8_t *ret) {
        SHA1(data, size, ret);
}

static void gcrypt256(const void *data, size_t size, uint8_t *ret) {
        gcry_md_hash_buffer(GCRY_MD_SHA256, ret, data, size);
}

static void gcrypt1(const void *data, size_t size, uint8_t *ret) {
        gcry_md_hash_buffer(GCRY_MD_SHA1, ret, data, size);
}

static void libmd256(const void *data, size_t size, uint8_t *ret) {
        SHA2_CTX c;
        SHA256Init(&c);
        SHA256Update(&c, data, size);
        SHA256Final(ret, &c);
}

static void libmd1(const void *data, size_t size, uint8_t *ret) {
        SHA1_CTX c;
        SHA1Init(&c);
        SHA1Update(&c, data, size);
        SHA1Final(ret, &c);
}

static const struct {
        const char *name;
        HashFn sha256, sha1;
} libs[] = {
        { "hash.c (by hand)",          byhand_sha256,      byhand_sha1 },
        { "nettle",                    nettle256,          nettle1 },
        { "OpenSSL libcrypto (EVP)",   openssl_evp256,     openssl_evp1 },
        { "OpenSSL libcrypto SHA256()", openssl_oneshot256, openssl_oneshot1 },
        { "libgcrypt",                 gcrypt256,          gcrypt1 },
        { "libmd",                     libmd256,           libmd1 },
};

static double cpu_seconds(void) {
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b) {
        double x = *(const double *) a, y = *(const double *) b;
        return (x > y) - (x < y);
}

/* The median CPU time of runs passes of fn over every file; *check is a
 * digest of the digests, to compare the libraries' results. */
static double measure(HashFn fn, size_t digest_size, const File *files, size_t n, int runs, uint8_t check[32]) {
        double t[runs];
        uint8_t d[32];

        for (int r = 0; r < runs; r++) {
                double start = cpu_seconds();
                memset(check, 0, 32);
                for (size_t i = 0; i < n; i++) {
                        fn(files[i].data, files[i].size, d);
                        for (size_t k = 0; k < digest_size; k++)
                                check[k] ^= d[k];
                }
                t[r] = cpu_seconds() - start;
        }
        qsort(t, (size_t) runs, sizeof t[0], compare_double);
        return runs % 2 ? t[runs / 2] : (t[runs / 2 - 1] + t[runs / 2]) / 2;
}

static int read_file(const char *path, File *ret) {
        FILE *f = fopen(path, "re");
        long size;

        if (!f)
                return -1;
        if (fseek(f, 0, SEEK_END) < 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) < 0) {
                fclose(f);
                return -1;
        }
        ret->size = (size_t) size;
        ret->data = malloc(ret->size ? ret->size : 1);
        if (!ret->data || fread(ret->data, 1, ret->size, f) != ret->size) {
                fclose(f);
                return -1;
        }
        fclose(f);
        return 0;
}

int main(int argc, char *argv[]) {
        size_t n = 0, total = 0;
        File *files;
        int runs;

        if (argc < 3 || (runs = atoi(argv[1])) < 1) {
                fprintf(stderr, "Usage: %s RUNS FILE...\n", argv[0]);
                return 2;
        }
        if (!gcry_check_version(GCRYPT_VERSION))
                return 1;
        gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);

        files = calloc((size_t) argc, sizeof *files);
        if (!files)
                return 1;
        for (int i = 2; i < argc; i++) {
                if (read_file(argv[i], &files[n]) < 0) {
                        perror(argv[i]);
                        return 1;
                }
                total += files[n++].size;
        }
        printf("%zu files, %zu bytes, %d runs, median CPU time\n", n, total, runs);
        printf("| library | SHA-256 ms | SHA-256 MB/s | SHA-1 ms | SHA-1 MB/s |\n|---|---:|---:|---:|---:|\n");

        uint8_t ref256[32], ref1[32];
        for (size_t l = 0; l < sizeof libs / sizeof libs[0]; l++) {
                uint8_t c256[32], c1[32];
                double t256 = measure(libs[l].sha256, 32, files, n, runs, c256);
                double t1 = measure(libs[l].sha1, 20, files, n, runs, c1);

                if (l == 0) {
                        memcpy(ref256, c256, 32);
                        memcpy(ref1, c1, 32);
                } else if (memcmp(ref256, c256, 32) || memcmp(ref1, c1, 32)) {
                        fprintf(stderr, "%s: digests differ from hash.c's\n", libs[l].name);
                        return 1;
                }
                printf("| %s | %.2f | %.0f | %.2f | %.0f |\n", libs[l].name, t256 * 1e3, total / t256 / 1e6, t1 * 1e3,
                       total / t1 / 1e6);
        }
        return 0;
}
