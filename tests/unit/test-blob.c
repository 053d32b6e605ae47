/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compiled policy: names, validation and the switch to enforce on real
 * apparmor_parser 3.0.8 output (tests/data/blob), and bad input: every
 * truncation, every corrupted byte, hostile lengths and counts. Each call
 * gets a heap copy of exactly the bytes it may read, so that the sanitizer
 * or valgrind catches any read past the end. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blob.h"
#include "fileio.h"
#include "strv.h"

#define BLOB_DIR TEST_DATA_DIR "/blob/"

typedef struct Data {
        uint8_t *d;
        size_t n;
} Data;

static Data load(const char *name) {
        char *d = NULL;
        size_t n = 0;
        int r = read_full_file(name, READ_FULL_FILE_MAX, &d, &n);
        cr_assert_eq(r, 0, "cannot read %s: %s", name, strerror(-r));
        return (Data) { .d = (uint8_t *) d, .n = n };
}

static uint8_t *copy_of(const uint8_t *d, size_t n) {
        /* malloc(0) may give NULL; keep a real, zero-sized-for-us buffer. */
        uint8_t *c = malloc(n > 0 ? n : 1);
        cr_assert_not_null(c);
        if (n > 0)
                memcpy(c, d, n);
        return c;
}

static void expect_names(const char *file, const char * const *want) {
        Data b = load(file);
        char **names = NULL;
        size_t i = 0;

        cr_assert_eq(blob_profile_names(b.d, b.n, &names), 0, "%s", file);
        cr_assert_not_null(names);
        STRV_FOREACH(s, names) {
                cr_assert_not_null(want[i], "%s: unexpected name %s", file, *s);
                cr_expect_str_eq(*s, want[i]);
                i++;
        }
        cr_expect_null(want[i], "%s: missing name %s", file, want[i]);
        strv_free(names);
        free(b.d);
}

Test(blob, names) {
        expect_names(BLOB_DIR "enforce.bin", (const char *[]) { "aalevel-test", NULL });
        expect_names(BLOB_DIR "complain.bin", (const char *[]) { "aalevel-test", NULL });
        expect_names(BLOB_DIR "force-complain.bin", (const char *[]) { "aalevel-test", NULL });
        expect_names(BLOB_DIR "complain-flags.bin", (const char *[]) { "aalevel-flags", NULL });
        /* hat and child are replaced with their parent */
        expect_names(BLOB_DIR "children.bin", (const char *[]) { "aalevel-parent", NULL });
        /* alpha, alpha//hat, alpha//extern, zeta, then the namespaced one */
        expect_names(BLOB_DIR "names.bin", (const char *[]) { "alpha", "zeta", ":ns1:gamma", NULL });
        /* apparmor_parser -n myns */
        expect_names(BLOB_DIR "namespace-n.bin", (const char *[]) { ":myns:aalevel-test", NULL });
}

static const char * const all_blobs[] = {
        "children-enforce.bin", "children.bin", "complain-flags.bin", "complain.bin",
        "enforce-flags.bin", "enforce.bin", "force-complain.bin", "names.bin", "namespace-n.bin",
};

Test(blob, validate_real_output) {
        for (size_t i = 0; i < ELEMENTSOF(all_blobs); i++) {
                _cleanup_free_ char *path = NULL;
                Data b;

                cr_assert_gt(asprintf(&path, "%s%s", BLOB_DIR, all_blobs[i]), 0);
                b = load(path);
                cr_expect_eq(blob_validate(b.d, b.n), 0, "%s", all_blobs[i]);
                free(b.d);
        }
}

static void expect_enforced(const char *from, const char *to, unsigned want_changed) {
        Data a = load(from), b = load(to);
        unsigned changed = 12345;

        cr_assert_eq(a.n, b.n);
        cr_assert_eq(blob_force_enforce(a.d, a.n, &changed), 0, "%s", from);
        cr_expect_eq(changed, want_changed, "%s: %u flips, expected %u", from, changed, want_changed);
        cr_expect(memcmp(a.d, b.d, a.n) == 0, "%s switched to enforce differs from %s", from, to);

        /* a second pass finds nothing left to do */
        cr_assert_eq(blob_force_enforce(a.d, a.n, &changed), 0);
        cr_expect_eq(changed, 0U);
        cr_expect(memcmp(a.d, b.d, a.n) == 0);
        free(a.d);
        free(b.d);
}

Test(blob, force_enforce_equals_compiling_without_complain) {
        expect_enforced(BLOB_DIR "complain.bin", BLOB_DIR "enforce.bin", 1);
        expect_enforced(BLOB_DIR "complain-flags.bin", BLOB_DIR "enforce-flags.bin", 1);
        expect_enforced(BLOB_DIR "children.bin", BLOB_DIR "children-enforce.bin", 2);
        /* apparmor_parser -C: the header bit, not the mode word */
        expect_enforced(BLOB_DIR "force-complain.bin", BLOB_DIR "enforce.bin", 1);
        expect_enforced(BLOB_DIR "enforce.bin", BLOB_DIR "enforce.bin", 0);
        cr_expect_eq(blob_force_enforce(NULL, 0, NULL), -EBADMSG);
}

Test(blob, force_enforce_changed_may_be_null) {
        Data a = load(BLOB_DIR "complain.bin"), b = load(BLOB_DIR "enforce.bin");

        cr_assert_eq(blob_force_enforce(a.d, a.n, NULL), 0);
        cr_expect(memcmp(a.d, b.d, a.n) == 0);
        free(a.d);
        free(b.d);
}

/* The SHA-1 each mode gives is that of the binary the parser writes for
 * it: complain.bin enforced is enforce.bin, enforce.bin under -C is
 * force-complain.bin. A stream no mode can take gives zeros. */
Test(blob, mode_sha1) {
        Data c = load(BLOB_DIR "complain.bin"), e = load(BLOB_DIR "enforce.bin"), f = load(BLOB_DIR "force-complain.bin");
        uint8_t got[_MODE_OVERRIDE_MAX][SHA1_DIGEST_SIZE], want[SHA1_DIGEST_SIZE];
        static const uint8_t zero[SHA1_DIGEST_SIZE] = {};

        cr_assert_eq(blob_mode_sha1(c.d, c.n, got), 0);
        sha1(e.d, e.n, want);
        cr_expect(memcmp(got[MODE_ENFORCE], want, sizeof want) == 0);
        cr_expect(memcmp(got[MODE_KEEP], zero, sizeof zero) == 0, "MODE_KEEP is left to the cache");

        cr_assert_eq(blob_mode_sha1(e.d, e.n, got), 0);
        sha1(f.d, f.n, want);
        cr_expect(memcmp(got[MODE_COMPLAIN], want, sizeof want) == 0);
        sha1(e.d, e.n, want);
        cr_expect(memcmp(got[MODE_ENFORCE], want, sizeof want) == 0, "enforcing an enforce profile changes nothing");

        cr_assert_eq(blob_mode_sha1("garbage", 7, got), 0);
        for (int m = 0; m < _MODE_OVERRIDE_MAX; m++)
                cr_expect(memcmp(got[m], zero, sizeof zero) == 0);
        free(c.d);
        free(e.d);
        free(f.d);
}

/* ---- bad input ---- */

/* Every function refuses the bytes, touches neither the data nor the
 * output parameters. */
static void expect_bad(const uint8_t *d, size_t n, const char *what) {
        uint8_t *c = copy_of(d, n);
        char **names = (char **) (uintptr_t) 0x1;
        unsigned changed = 777;

        cr_expect_eq(blob_validate(c, n), -EBADMSG, "validate accepted %s", what);
        cr_expect_eq(blob_profile_names(c, n, &names), -EBADMSG, "names accepted %s", what);
        cr_expect_eq(names, (char **) (uintptr_t) 0x1, "names touched on failure: %s", what);
        cr_expect_eq(blob_force_enforce(c, n, &changed), -EBADMSG, "enforce accepted %s", what);
        cr_expect_eq(changed, 777U, "changed touched on failure: %s", what);
        cr_expect(n == 0 || memcmp(c, d, n) == 0, "enforce wrote into %s", what);
        free(c);
}

Test(blob, empty) {
        expect_bad((const uint8_t *) "", 0, "an empty buffer");
        cr_expect_eq(blob_validate(NULL, 0), -EBADMSG);
        cr_expect_eq(blob_validate(NULL, 10), -EBADMSG);
}

/* Offsets where a stream of several entries may end: each entry starts
 * with its version header. */
static bool is_entry_start(const Data *b, size_t off) {
        static const uint8_t header[] = { 4, 8, 0, 'v', 'e', 'r', 's', 'i', 'o', 'n', 0, 2 };
        return off > 0 && off + sizeof(header) <= b->n && memcmp(b->d + off, header, sizeof(header)) == 0;
}

Test(blob, truncated_at_every_offset) {
        for (size_t i = 0; i < ELEMENTSOF(all_blobs); i++) {
                _cleanup_free_ char *path = NULL;
                size_t boundaries = 0;
                Data b;

                cr_assert_gt(asprintf(&path, "%s%s", BLOB_DIR, all_blobs[i]), 0);
                b = load(path);
                for (size_t n = 0; n < b.n; n++) {
                        uint8_t *c = copy_of(b.d, n);
                        int r = blob_validate(c, n);

                        /* Cut between two whole profiles the stream is still
                         * valid; anywhere else it is not. */
                        if (is_entry_start(&b, n)) {
                                cr_expect_eq(r, 0, "%s cut at entry boundary %zu", all_blobs[i], n);
                                boundaries++;
                        } else
                                cr_expect_eq(r, -EBADMSG, "%s cut at %zu: %d", all_blobs[i], n, r);
                        free(c);
                }
                cr_expect_eq(boundaries, streq(all_blobs[i], "names.bin") ? 4U :
                                         strstr(all_blobs[i], "children") ? 2U : 0U, "%s", all_blobs[i]);
                free(b.d);
        }
}

Test(blob, truncated_names_and_enforce) {
        Data b = load(BLOB_DIR "complain-flags.bin");

        for (size_t n = 0; n < b.n; n++) {
                _cleanup_free_ char *what = NULL;

                cr_assert_gt(asprintf(&what, "complain-flags.bin cut at %zu", n), 0);
                expect_bad(b.d, n, what);
        }
        free(b.d);
}

/* Whatever one byte becomes, the calls return cleanly: 0 or -EBADMSG, and
 * data untouched by a failed switch. */
Test(blob, every_byte_corrupted) {
        static const uint8_t values[] = { 0x00, 0x08, 0xff };
        Data b = load(BLOB_DIR "children.bin");

        for (size_t i = 0; i < b.n; i++)
                for (size_t v = 0; v < ELEMENTSOF(values); v++) {
                        uint8_t *c = copy_of(b.d, b.n), *saved;
                        char **names = NULL;
                        unsigned changed;
                        int r;

                        if (c[i] == values[v]) {
                                free(c);
                                continue;
                        }
                        c[i] = values[v];
                        saved = copy_of(c, b.n);

                        r = blob_validate(c, b.n);
                        cr_assert(r == 0 || r == -EBADMSG, "offset %zu: %d", i, r);
                        cr_assert_eq(blob_profile_names(c, b.n, &names), r, "offset %zu", i);
                        strv_free(names);
                        cr_assert_eq(blob_force_enforce(c, b.n, &changed), r, "offset %zu", i);
                        if (r < 0)
                                cr_assert(memcmp(c, saved, b.n) == 0, "offset %zu: data changed", i);
                        free(saved);
                        free(c);
                }
        free(b.d);
}

Test(blob, random_bytes) {
        srand(4242);
        for (int round = 0; round < 2000; round++) {
                size_t n = (size_t) (rand() % 600);
                uint8_t *c = malloc(n + 1);

                cr_assert_not_null(c);
                for (size_t i = 0; i < n; i++)
                        c[i] = (uint8_t) rand();
                /* half of them get a valid header, to reach deeper */
                if (round % 2 && n > 27)
                        memcpy(c, "\x04\x08\x00version\x00\x02\x07\x20\x20\x00\x04\x08\x00profile\x00\x07", 27);
                expect_bad(c, n, "random bytes");
                free(c);
        }
}

/* ---- hand-made streams ---- */

typedef struct Buf {
        uint8_t d[8192];
        size_t n;
} Buf;

static void put(Buf *b, const void *p, size_t n) {
        cr_assert_leq(b->n + n, sizeof(b->d));
        memcpy(b->d + b->n, p, n);
        b->n += n;
}
static void put8(Buf *b, uint8_t v) {
        put(b, &v, 1);
}
static void put16(Buf *b, uint16_t v) {
        put8(b, (uint8_t) v);
        put8(b, (uint8_t) (v >> 8));
}
static void put32(Buf *b, uint32_t v) {
        put16(b, (uint16_t) v);
        put16(b, (uint16_t) (v >> 16));
}
static void name(Buf *b, const char *s) {
        put8(b, 4);
        put16(b, (uint16_t) (strlen(s) + 1));
        put(b, s, strlen(s) + 1);
}
static void string(Buf *b, const char *nm, const char *s) {
        if (nm)
                name(b, nm);
        put8(b, 5);
        put16(b, (uint16_t) (strlen(s) + 1));
        put(b, s, strlen(s) + 1);
}
static void u32(Buf *b, const char *nm, uint32_t v) {
        if (nm)
                name(b, nm);
        put8(b, 2);
        put32(b, v);
}
static void open_struct(Buf *b, const char *nm) {
        if (nm)
                name(b, nm);
        put8(b, 7);
}
static void end_struct(Buf *b) {
        put8(b, 8);
}

static void header(Buf *b, uint32_t version, const char *ns) {
        u32(b, "version", version);
        if (ns)
                string(b, "namespace", ns);
}

/* The smallest profile the kernel accepts the framing of. */
static void profile_body(Buf *b, const char *pname, uint32_t mode) {
        open_struct(b, "profile");
        string(b, NULL, pname);
        open_struct(b, "flags");
        u32(b, NULL, 0);
        u32(b, NULL, mode);
        u32(b, NULL, 0);
        end_struct(b);
        u32(b, NULL, 0);
}

static void profile(Buf *b, uint32_t version, const char *ns, const char *pname, uint32_t mode) {
        header(b, version, ns);
        profile_body(b, pname, mode);
        end_struct(b);
}

#define V 0x00202007U

Test(blob, hand_made_valid) {
        Buf b = {};
        char **names = NULL;
        unsigned changed;

        profile(&b, V, NULL, "a", 0);
        /* later headers may leave the version out, the kernel keeps the last */
        profile(&b, V | 0x800, "ns", "b", 0);
        string(&b, "namespace", "ns");
        profile_body(&b, "b//hat", 2);
        end_struct(&b);
        profile(&b, V, NULL, "c", 3);
        cr_assert_eq(blob_validate(b.d, b.n), 0);
        cr_assert_eq(blob_profile_names(b.d, b.n, &names), 0);
        cr_expect_str_eq(names[0], "a");
        cr_expect_str_eq(names[1], ":ns:b");
        cr_expect_str_eq(names[2], "c");
        cr_expect_null(names[3]);
        strv_free(names);

        /* b and b//hat were complain through the header bit; kill (2) and
         * unconfined (3) are kept */
        cr_assert_eq(blob_force_enforce(b.d, b.n, &changed), 0);
        cr_expect_eq(changed, 2U);
        cr_assert_eq(blob_force_enforce(b.d, b.n, &changed), 0);
        cr_expect_eq(changed, 0U);
}

Test(blob, only_children_gives_empty_list) {
        Buf b = {};
        char **names = NULL;

        profile(&b, V, NULL, "foo//bar", 1);
        cr_assert_eq(blob_profile_names(b.d, b.n, &names), 0);
        cr_assert_not_null(names);
        cr_expect_null(names[0]);
        strv_free(names);
}

Test(blob, bad_headers) {
        Buf b;

        b = (Buf) {};
        header(&b, V, NULL);
        expect_bad(b.d, b.n, "a header without a profile");

        b = (Buf) {};
        profile_body(&b, "a", 0);
        end_struct(&b);
        expect_bad(b.d, b.n, "a first profile without version");

        b = (Buf) {};
        profile(&b, 0x00202004, NULL, "a", 0);
        expect_bad(b.d, b.n, "ABI 4");

        b = (Buf) {};
        profile(&b, 0x0020200a, NULL, "a", 0);
        expect_bad(b.d, b.n, "ABI 10");

        b = (Buf) {};
        profile(&b, V, "", "a", 0);
        expect_bad(b.d, b.n, "an empty namespace");

        b = (Buf) {};
        profile(&b, V, NULL, "", 0);
        expect_bad(b.d, b.n, "an empty profile name");

        b = (Buf) {};
        profile(&b, V, NULL, "a", 5);
        expect_bad(b.d, b.n, "mode 5");

        b = (Buf) {};
        profile(&b, V, NULL, "a", 0);
        u32(&b, NULL, 1);
        expect_bad(b.d, b.n, "a stray element after the profile");
}

Test(blob, bad_structure) {
        Buf b;

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        expect_bad(b.d, b.n, "a profile never closed");

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        open_struct(&b, "x");
        end_struct(&b);
        end_struct(&b);
        end_struct(&b);
        expect_bad(b.d, b.n, "one STRUCTEND too many");

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        put8(&b, 9);            /* LIST */
        end_struct(&b);         /* closed by STRUCTEND */
        end_struct(&b);
        expect_bad(b.d, b.n, "a LIST closed by STRUCTEND");

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        put8(&b, 12);           /* ARRAYEND without ARRAY */
        end_struct(&b);
        expect_bad(b.d, b.n, "ARRAYEND without ARRAY");

        b = (Buf) {};
        header(&b, V, NULL);
        open_struct(&b, "profile");
        string(&b, NULL, "a");
        u32(&b, NULL, 0);
        end_struct(&b);
        expect_bad(b.d, b.n, "a profile without flags");

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        open_struct(&b, "flags");
        u32(&b, NULL, 0);
        u32(&b, NULL, 0);
        u32(&b, NULL, 0);
        end_struct(&b);
        end_struct(&b);
        expect_bad(b.d, b.n, "two flags structs");

        b = (Buf) {};
        header(&b, V, NULL);
        open_struct(&b, "profile");
        string(&b, NULL, "a");
        open_struct(&b, "flags");
        u32(&b, NULL, 0);
        u32(&b, NULL, 0);
        end_struct(&b);
        end_struct(&b);
        expect_bad(b.d, b.n, "flags with two words");

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        for (int i = 0; i < 1000; i++)
                open_struct(&b, NULL);
        for (int i = 0; i < 1000; i++)
                end_struct(&b);
        end_struct(&b);
        expect_bad(b.d, b.n, "structs nested 1000 deep");

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        put8(&b, 13);           /* OFFSET: the parser knows it, the kernel does not */
        put32(&b, 0);
        end_struct(&b);
        expect_bad(b.d, b.n, "an OFFSET element");
}

Test(blob, names_not_followed_by_an_element) {
        Buf b;

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        name(&b, "dangling");
        expect_bad(b.d, b.n, "a NAME at the end");

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        name(&b, "x");
        end_struct(&b);
        expect_bad(b.d, b.n, "a NAME before STRUCTEND");

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        name(&b, "x");
        name(&b, "y");
        u32(&b, NULL, 1);
        end_struct(&b);
        expect_bad(b.d, b.n, "a NAME before a NAME");

        b = (Buf) {};
        header(&b, V, NULL);
        profile_body(&b, "a", 0);
        put8(&b, 4);
        put16(&b, 3);
        put(&b, "a\0b", 3);     /* no trailing NUL */
        u32(&b, NULL, 1);
        end_struct(&b);
        expect_bad(b.d, b.n, "a NAME without its NUL");
}

Test(blob, lengths_past_the_end) {
        Buf base = {}, b;

        header(&base, V, NULL);
        profile_body(&base, "a", 0);

        b = base;
        put8(&b, 5);
        put16(&b, 0xffff);
        put(&b, "x", 2);
        end_struct(&b);
        expect_bad(b.d, b.n, "a STRING longer than the stream");

        b = base;
        put8(&b, 5);
        put16(&b, 0);
        end_struct(&b);
        expect_bad(b.d, b.n, "a STRING of length 0");

        b = base;
        put8(&b, 6);
        put32(&b, 0xffffffff);
        put(&b, "abc", 3);
        end_struct(&b);
        expect_bad(b.d, b.n, "a BLOB of 4 GiB");

        b = base;
        put8(&b, 6);
        put32(&b, 2);
        expect_bad(b.d, b.n, "a BLOB one byte short");

        b = base;
        put8(&b, 4);
        put16(&b, 0xfff0);
        put(&b, "abc", 4);
        expect_bad(b.d, b.n, "a NAME longer than the stream");

        b = base;
        put8(&b, 3);
        put32(&b, 0);
        expect_bad(b.d, b.n, "a U64 cut in half");
}

Test(blob, array_counts) {
        Buf base = {}, b;

        header(&base, V, NULL);
        profile_body(&base, "a", 0);
        open_struct(&base, "xtable");

        b = base;
        put8(&b, 11);
        put16(&b, 2);
        string(&b, NULL, "/x");
        string(&b, NULL, "/y");
        put8(&b, 12);
        end_struct(&b);
        end_struct(&b);
        cr_expect_eq(blob_validate(b.d, b.n), 0, "a proper array");

        b = base;
        put8(&b, 11);
        put16(&b, 0xffff);
        string(&b, NULL, "/x");
        put8(&b, 12);
        end_struct(&b);
        end_struct(&b);
        expect_bad(b.d, b.n, "an array claiming 65535 entries");

        b = base;
        put8(&b, 11);
        put16(&b, 2);
        string(&b, NULL, "/x");
        string(&b, NULL, "/y");
        string(&b, NULL, "/z");
        put8(&b, 12);
        end_struct(&b);
        end_struct(&b);
        expect_bad(b.d, b.n, "3 elements for 2 entries");

        b = base;
        put8(&b, 11);
        put16(&b, 0);
        string(&b, NULL, "/x");
        put8(&b, 12);
        end_struct(&b);
        end_struct(&b);
        expect_bad(b.d, b.n, "elements in an empty array");

        b = base;
        put8(&b, 11);
        put16(&b, 1);
        string(&b, NULL, "/x");
        end_struct(&b);
        end_struct(&b);
        expect_bad(b.d, b.n, "an array closed by STRUCTEND");
}

/* Offset of the first DFA in a stream: just after the magic's padding. */
static size_t first_dfa(const Data *b) {
        static const uint8_t tag[] = { 4, 6, 0, 'a', 'a', 'd', 'f', 'a', 0, 6 };
        for (size_t i = 0; i + sizeof(tag) + 4 <= b->n; i++)
                if (memcmp(b->d + i, tag, sizeof(tag)) == 0) {
                        size_t len = b->d[i + 10] | (size_t) b->d[i + 11] << 8;
                        return i + sizeof(tag) + 4 + (len & 7);
                }
        cr_assert_fail("no DFA");
        return 0;
}

Test(blob, broken_dfa) {
        Data b = load(BLOB_DIR "enforce.bin");
        size_t dfa = first_dfa(&b);
        uint8_t *c;

        cr_assert_eq(b.d[dfa], 0x1B, "magic where the kernel looks for it");
        cr_assert_eq(b.d[dfa - 1], 0, "this DFA is padded");

        c = copy_of(b.d, b.n);
        c[dfa] = 0x1C;
        expect_bad(c, b.n, "a DFA with a wrong magic");
        free(c);

        c = copy_of(b.d, b.n);
        c[dfa - 1] = 0x1B;      /* padding not zero */
        expect_bad(c, b.n, "DFA padding that is not zero");
        free(c);

        c = copy_of(b.d, b.n);
        c[dfa + 4] = 0x7f;      /* header size past the DFA */
        expect_bad(c, b.n, "a DFA header larger than the DFA");
        free(c);

        c = copy_of(b.d, b.n);
        c[dfa + 24 + 11] += 8;  /* first table eight entries longer */
        expect_bad(c, b.n, "DFA tables that do not fill it");
        free(c);

        c = copy_of(b.d, b.n);
        c[dfa + 24 + 3] = 3;    /* element width 3 */
        expect_bad(c, b.n, "a DFA table of 3-byte elements");
        free(c);
        free(b.d);
}

Test(blob, entries_and_namespaces) {
        Data b = load(BLOB_DIR "names.bin");
        BlobEntry *e = NULL;
        size_t n = 0, total = 0;

        cr_assert_eq(blob_entries(b.d, b.n, &e, &n), 0);
        /* alpha, alpha//hat, alpha//extern, zeta, :ns1:gamma */
        cr_assert_eq(n, 5);
        for (size_t i = 0; i < n; i++) {
                cr_assert_gt(e[i].header_end, e[i].offset, "entry %zu has its own version header", i);
                cr_assert_eq(e[i].offset, total, "entries are back to back");
                total += e[i].size;
                /* Every entry is a valid stream by itself. */
                cr_assert_eq(blob_validate(b.d + e[i].offset, e[i].size), 0, "entry %zu alone", i);
        }
        cr_assert_eq(total, b.n);
        cr_assert_str_eq(e[4].name, "gamma");
        cr_assert_str_eq(e[4].ns, "ns1");
        cr_assert_null(e[0].ns);
        cr_assert(blob_entries_need_split(e, n));

        /* A hat given a namespace: still valid, and named into it. */
        uint8_t *piece = NULL;
        size_t size = 0;
        char **names = NULL;
        cr_assert_str_eq(e[1].name, "alpha//hat");
        cr_assert_eq(blob_entry_with_namespace(b.d, &e[1], "ns1", &piece, &size), 0);
        cr_assert_eq(blob_validate(piece, size), 0);
        BlobEntry *pe = NULL;
        size_t pn = 0;
        cr_assert_eq(blob_entries(piece, size, &pe, &pn), 0);
        cr_assert_eq(pn, 1);
        cr_assert_str_eq(pe[0].ns, "ns1");
        cr_assert_str_eq(pe[0].name, "alpha//hat");
        blob_entries_free(pe, pn);
        cr_assert_eq(blob_profile_names(piece, size, &names), 0);
        strv_free(names);
        free(piece);
        cr_assert_eq(blob_entry_with_namespace(b.d, &e[4], "ns1", &piece, &size), -EINVAL,
                     "an entry that has a namespace already");
        blob_entries_free(e, n);

        /* No namespace: one write. */
        Data plain = load(BLOB_DIR "children.bin");
        cr_assert_eq(blob_entries(plain.d, plain.n, &e, &n), 0);
        cr_assert_not(blob_entries_need_split(e, n));
        blob_entries_free(e, n);
        free(plain.d);
        free(b.d);

        /* Bad input. */
        cr_assert_eq(blob_entries("junk", 4, &e, &n), -EBADMSG);
}
