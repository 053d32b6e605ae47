/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SHA-256 and SHA-1 against the FIPS 180 test vectors. */
#include <criterion/criterion.h>
#include <string.h>

#include "hash.h"

static void check256(const char *in, size_t n, const char *want) {
        uint8_t d[SHA256_DIGEST_SIZE];
        char hex[2 * SHA256_DIGEST_SIZE + 1];
        sha256(in, n, d);
        hex_encode(d, sizeof d, hex);
        cr_assert_str_eq(hex, want);
}

static void check1(const char *in, size_t n, const char *want) {
        uint8_t d[SHA1_DIGEST_SIZE];
        char hex[2 * SHA1_DIGEST_SIZE + 1];
        sha1(in, n, d);
        hex_encode(d, sizeof d, hex);
        cr_assert_str_eq(hex, want);
}

Test(hash, sha256_vectors) {
        check256("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        check256("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        check256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
                 "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(hash, sha1_vectors) {
        check1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        check1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
        check1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
               "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

Test(hash, million_a_in_odd_pieces) {
        static char block[1000];
        Sha256 s;
        Sha1 t;
        uint8_t d[32];
        char hex[65];

        memset(block, 'a', sizeof block);
        sha256_init(&s);
        sha1_init(&t);
        for (size_t done = 0, step = 1; done < 1000000; step = step % 997 + 1) {
                size_t n = done + step > 1000000 ? 1000000 - done : step;
                sha256_update(&s, block, n);
                sha1_update(&t, block, n);
                done += n;
        }
        sha256_final(&s, d);
        hex_encode(d, 32, hex);
        cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        sha1_final(&t, d);
        hex_encode(d, 20, hex);
        cr_assert_str_eq(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}
