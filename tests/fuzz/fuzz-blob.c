/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The compiled-policy walker: blob_validate, blob_profile_names,
 * blob_entries (and blob_entry_with_namespace on each entry),
 * blob_force_enforce and blob_force_complain, each on its own copy of the
 * input. A cache entry that passes the checksum is only as safe as this
 * walk: it must never read or write outside the buffer, and what it
 * accepts must stay acceptable after the in-place rewrites. */
#include <stdio.h>

#include "fuzz.h"
#include "blob.h"
#include "strv.h"
#include "util.h"

static uint8_t *copy_of(const uint8_t *data, size_t size) {
        uint8_t *c = malloc(size ? size : 1);
        if (c && size)
                memcpy(c, data, size);
        return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ uint8_t *a = NULL, *b = NULL, *c = NULL;
        _cleanup_strv_free_ char **names = NULL, **names_after = NULL;
        BlobEntry *entries = NULL;
        size_t n_entries = 0;
        unsigned changed = 0;
        int valid, r;

        if (size > FUZZ_INPUT_MAX)
                return 0;
        a = copy_of(data, size);
        if (!a)
                return 0;

        valid = blob_validate(a, size);
        FUZZ_ASSERT(valid == 0 || valid == -EBADMSG);
        FUZZ_ASSERT(memcmp(a, data, size) == 0);

        r = blob_profile_names(a, size, &names);
        FUZZ_ASSERT((r == 0) == (valid == 0) || r == -ENOMEM);
        STRV_FOREACH(n, names)
                FUZZ_ASSERT(!strstr(*n, "//"));

        r = blob_entries(a, size, &entries, &n_entries);
        FUZZ_ASSERT((r == 0) == (valid == 0) || r == -ENOMEM);
        if (r == 0) {
                size_t end = 0;
                for (size_t i = 0; i < n_entries; i++) {
                        const BlobEntry *e = &entries[i];
                        _cleanup_free_ uint8_t *with_ns = NULL;
                        size_t with_ns_size = 0;

                        FUZZ_ASSERT(e->offset == end && e->size > 0 && e->offset + e->size <= size);
                        FUZZ_ASSERT(e->header_end == 0 || (e->header_end > e->offset &&
                                                           e->header_end < e->offset + e->size));
                        FUZZ_ASSERT(e->name);
                        end = e->offset + e->size;
                        if (blob_entry_with_namespace(a, e, "fuzzns", &with_ns, &with_ns_size) == 0) {
                                BlobEntry *pieces = NULL;
                                size_t n_pieces = 0;
                                /* The first entry stands alone (it has the
                                 * version); later ones may rely on an
                                 * earlier header. */
                                if (e->header_end > 0 &&
                                    blob_entries(with_ns, with_ns_size, &pieces, &n_pieces) == 0) {
                                        FUZZ_ASSERT(n_pieces >= 1 && pieces[0].ns && streq(pieces[0].ns, "fuzzns"));
                                        FUZZ_ASSERT(streq(pieces[0].name, e->name));
                                        blob_entries_free(pieces, n_pieces);
                                }
                        }
                }
                FUZZ_ASSERT(end == size);
                (void) blob_entries_need_split(entries, n_entries);
                blob_entries_free(entries, n_entries);
        }

        b = copy_of(data, size);
        if (!b)
                return 0;
        r = blob_force_enforce(b, size, &changed);
        FUZZ_ASSERT((r == 0) == (valid == 0) || r == -ENOMEM);
        if (r == 0) {
                unsigned again = 1;
                /* Still valid, same names, and a second pass finds nothing. */
                FUZZ_ASSERT(blob_validate(b, size) == 0);
                FUZZ_ASSERT(blob_profile_names(b, size, &names_after) == 0);
                FUZZ_ASSERT(strv_equal(names, names_after));
                FUZZ_ASSERT(blob_force_enforce(b, size, &again) == 0 && again == 0);
        } else
                FUZZ_ASSERT(memcmp(b, data, size) == 0);

        c = copy_of(data, size);
        if (!c)
                return 0;
        r = blob_force_complain(c, size);
        FUZZ_ASSERT((r == 0) == (valid == 0) || r == -ENOMEM);
        if (r == 0)
                FUZZ_ASSERT(blob_validate(c, size) == 0);
        else
                FUZZ_ASSERT(memcmp(c, data, size) == 0);
        return 0;
}
