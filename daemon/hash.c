/* SHA-256 and SHA-1 (FIPS 180-4). */
#include "hash.h"

#include <string.h>

static inline uint32_t rotr(uint32_t x, unsigned n) {
        return (x >> n) | (x << (32 - n));
}

static inline uint32_t rotl(uint32_t x, unsigned n) {
        return (x << n) | (x >> (32 - n));
}

static inline uint32_t load_be32(const uint8_t *p) {
        return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16 | (uint32_t) p[2] << 8 | p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v) {
        p[0] = (uint8_t) (v >> 24);
        p[1] = (uint8_t) (v >> 16);
        p[2] = (uint8_t) (v >> 8);
        p[3] = (uint8_t) v;
}

static const uint32_t K256[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static void sha256_block(Sha256 *s, const uint8_t *p) {
        uint32_t w[64], a, b, c, d, e, f, g, h;

        for (int i = 0; i < 16; i++)
                w[i] = load_be32(p + 4 * i);
        for (int i = 16; i < 64; i++) {
                uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
                uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
                w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        a = s->state[0]; b = s->state[1]; c = s->state[2]; d = s->state[3];
        e = s->state[4]; f = s->state[5]; g = s->state[6]; h = s->state[7];
        for (int i = 0; i < 64; i++) {
                uint32_t S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
                uint32_t ch = (e & f) ^ (~e & g);
                uint32_t t1 = h + S1 + ch + K256[i] + w[i];
                uint32_t S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
                uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
                uint32_t t2 = S0 + maj;
                h = g; g = f; f = e; e = d + t1;
                d = c; c = b; b = a; a = t1 + t2;
        }
        s->state[0] += a; s->state[1] += b; s->state[2] += c; s->state[3] += d;
        s->state[4] += e; s->state[5] += f; s->state[6] += g; s->state[7] += h;
}

void sha256_init(Sha256 *s) {
        static const uint32_t iv[8] = {
                0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
        };
        memcpy(s->state, iv, sizeof iv);
        s->length = 0;
        s->buffered = 0;
}

void sha256_update(Sha256 *s, const void *data, size_t size) {
        const uint8_t *p = data;

        s->length += size;
        if (s->buffered > 0) {
                size_t n = 64 - s->buffered;
                if (n > size)
                        n = size;
                memcpy(s->buffer + s->buffered, p, n);
                s->buffered += n;
                p += n;
                size -= n;
                if (s->buffered < 64)
                        return;
                sha256_block(s, s->buffer);
                s->buffered = 0;
        }
        for (; size >= 64; p += 64, size -= 64)
                sha256_block(s, p);
        memcpy(s->buffer, p, size);
        s->buffered = size;
}

/* The padding shared by both: 0x80, zeros, the bit length big-endian. */
#define FINALIZE(s, block)                                                      \
        do {                                                                    \
                uint64_t bits = (s)->length * 8;                                \
                (s)->buffer[(s)->buffered++] = 0x80;                            \
                if ((s)->buffered > 56) {                                       \
                        memset((s)->buffer + (s)->buffered, 0, 64 - (s)->buffered); \
                        block((s), (s)->buffer);                                \
                        (s)->buffered = 0;                                      \
                }                                                               \
                memset((s)->buffer + (s)->buffered, 0, 56 - (s)->buffered);     \
                store_be32((s)->buffer + 56, (uint32_t) (bits >> 32));          \
                store_be32((s)->buffer + 60, (uint32_t) bits);                  \
                block((s), (s)->buffer);                                        \
        } while (0)

void sha256_final(Sha256 *s, uint8_t ret[SHA256_DIGEST_SIZE]) {
        FINALIZE(s, sha256_block);
        for (int i = 0; i < 8; i++)
                store_be32(ret + 4 * i, s->state[i]);
}

void sha256(const void *data, size_t size, uint8_t ret[SHA256_DIGEST_SIZE]) {
        Sha256 s;
        sha256_init(&s);
        sha256_update(&s, data, size);
        sha256_final(&s, ret);
}

static void sha1_block(Sha1 *s, const uint8_t *p) {
        uint32_t w[80], a, b, c, d, e;

        for (int i = 0; i < 16; i++)
                w[i] = load_be32(p + 4 * i);
        for (int i = 16; i < 80; i++)
                w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        a = s->state[0]; b = s->state[1]; c = s->state[2]; d = s->state[3]; e = s->state[4];
        for (int i = 0; i < 80; i++) {
                uint32_t f, k, t;
                if (i < 20) {
                        f = (b & c) | (~b & d);
                        k = 0x5a827999;
                } else if (i < 40) {
                        f = b ^ c ^ d;
                        k = 0x6ed9eba1;
                } else if (i < 60) {
                        f = (b & c) | (b & d) | (c & d);
                        k = 0x8f1bbcdc;
                } else {
                        f = b ^ c ^ d;
                        k = 0xca62c1d6;
                }
                t = rotl(a, 5) + f + e + k + w[i];
                e = d; d = c; c = rotl(b, 30); b = a; a = t;
        }
        s->state[0] += a; s->state[1] += b; s->state[2] += c; s->state[3] += d; s->state[4] += e;
}

void sha1_init(Sha1 *s) {
        s->state[0] = 0x67452301;
        s->state[1] = 0xefcdab89;
        s->state[2] = 0x98badcfe;
        s->state[3] = 0x10325476;
        s->state[4] = 0xc3d2e1f0;
        s->length = 0;
        s->buffered = 0;
}

void sha1_update(Sha1 *s, const void *data, size_t size) {
        const uint8_t *p = data;

        s->length += size;
        if (s->buffered > 0) {
                size_t n = 64 - s->buffered;
                if (n > size)
                        n = size;
                memcpy(s->buffer + s->buffered, p, n);
                s->buffered += n;
                p += n;
                size -= n;
                if (s->buffered < 64)
                        return;
                sha1_block(s, s->buffer);
                s->buffered = 0;
        }
        for (; size >= 64; p += 64, size -= 64)
                sha1_block(s, p);
        memcpy(s->buffer, p, size);
        s->buffered = size;
}

void sha1_final(Sha1 *s, uint8_t ret[SHA1_DIGEST_SIZE]) {
        FINALIZE(s, sha1_block);
        for (int i = 0; i < 5; i++)
                store_be32(ret + 4 * i, s->state[i]);
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
