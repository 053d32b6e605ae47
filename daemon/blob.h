/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Compiled AppArmor policy: the binary that `apparmor_parser -S` writes,
 * the parser cache keeps and aa_kernel_interface_replace_policy() hands to
 * the kernel (security/apparmor/policy_unpack.c unpacks it). aalevel reads
 * it to learn which profiles a cache entry replaces, to refuse a corrupted
 * entry before the kernel sees it, and to turn complain profiles into
 * enforce ones without running the parser again.
 *
 * The format, as apparmor_parser 3.0.8 writes it (checked on its output for
 * the whole apparmor.d tree and against the kernel and parser sources):
 *
 * - A stream of typed elements, integers little-endian: U8=0, U16=1, U32=2,
 *   U64=3 (code then value); NAME=4 and STRING=5 (u16 length counting the
 *   trailing NUL, then the bytes); BLOB=6 (u32 length, bytes); STRUCT=7 and
 *   STRUCTEND=8; LIST=9 and LISTEND=10; ARRAY=11 (u16 entry count) and
 *   ARRAYEND=12. A NAME tags the element that follows it. The parser's
 *   enum also has OFFSET=13, but nothing writes it and the kernel does not
 *   know it, so it is refused here.
 * - One entry per profile, each with its own header: NAME "version" U32
 *   (0x00202007 from 3.0.8: kernel ABI in the low 10 bits, 7 here; bit
 *   0x800 is the force-complain flag that `apparmor_parser -C` sets), then
 *   NAME "namespace" STRING when the profile lives in a policy namespace,
 *   then NAME "profile" STRUCT, an unnamed STRING with the name, ...,
 *   STRUCTEND. Several profiles in one source file are several entries
 *   back to back, not one header for all: sorted by name, profiles in
 *   namespaces after the others. The kernel requires the version in the
 *   first header only.
 * - Hats (`^hat {}`) and child profiles (nested `profile bar {}` or
 *   `profile foo//bar {}`) are flattened: each is an entry of its own
 *   named "foo//hat", right after its parent. Hats have bit 1 set in the
 *   first flags word. The kernel replaces children together with their
 *   parent, so blob_profile_names() leaves them out.
 * - `profile :ns:foo {}` and `apparmor_parser -n ns` both give the
 *   "namespace" header element and a bare "foo" as the name (the kernel
 *   calls it ":ns:foo"; `apparmor_parser -N` prints ":ns://foo"). The hat
 *   entries of a namespaced profile carry no "namespace" element, and the
 *   kernel's verify_header() keeps only the last header's namespace for a
 *   whole write: such a stream, or one mixing namespaces, is not loaded
 *   where its names say when sent in one piece.
 * - NAME "flags" STRUCT holds three unnamed U32: hat bit, mode, audit. Mode
 *   0 is enforce, 1 complain, 2 kill, 3 unconfined; newer kernels add 4
 *   (user). A complain profile and the same profile without the flag
 *   compile to streams that differ in this one word.
 * - File and policy rules are DFAs in BLOBs named "aadfa". The blob starts
 *   with zero padding that aligns the DFA to 8 bytes (the kernel takes
 *   length % 8 as the padding), then the big-endian table set: magic
 *   0x1B5E783D, header size, total size, flags, "notflex", then tables of
 *   u16 id, u16 element size (1, 2 or 4), u32, u32 element count, data
 *   padded to 8 bytes, which fill the DFA exactly. An xmatch DFA for the
 *   attachment comes before "flags"; "policydb" is a STRUCT holding one.
 *
 * All functions return 0 or a negative errno: -EBADMSG for a stream the
 * kernel would refuse or that does not look like parser output. None reads
 * outside [data, data + size), whatever the bytes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hash.h"
#include "level.h"

/* The profiles an entry replaces, as the kernel names them: "name", or
 * ":ns:name" for a profile in a policy namespace, in stream order. Hats
 * and child profiles are not listed. -EBADMSG when blob_validate() would
 * fail. The vector is never NULL on success, but may be empty (a file
 * declaring only "foo//bar"). */
int blob_profile_names(const void *data, size_t size, char ***ret_names);

/* Switches every profile, hats and child profiles included, that the
 * kernel would put in complain mode (mode word 1, or the force-complain
 * bit in its header) to the mode it declares otherwise, in place, and
 * clears the force-complain bit in every header. *ret_changed (may be
 * NULL) counts the profiles that left complain mode. The whole stream is
 * validated before the first byte is written, so on -EBADMSG data is
 * untouched. */
int blob_force_enforce(void *data, size_t size, unsigned *ret_changed);

/* Sets the force-complain bit in every header, in place: exactly what
 * `apparmor_parser -C` produces for the same source. -EBADMSG (and data
 * untouched) on a malformed stream. */
int blob_force_complain(void *data, size_t size);

/* The binary as a level's mode override loads it, in place: nothing for
 * MODE_KEEP, else blob_force_enforce() or blob_force_complain(). */
int blob_apply_mode(void *data, size_t size, ModeOverride mode);

/* The SHA-1 of the binary under each mode override but MODE_KEEP (left
 * zero), what the kernel reports as raw_sha1 once it is loaded so; a mode
 * the binary cannot take is left zero too. -ENOMEM only. */
int blob_mode_sha1(const void *data, size_t size, uint8_t ret[_MODE_OVERRIDE_MAX][SHA1_DIGEST_SIZE]);

/* Whole-stream validation: every element well formed and inside the
 * buffer, containers balanced, array entry counts consistent, headers with
 * a version the kernel accepts (ABI 5 to 9), every profile with a name and
 * a flags struct, every DFA's tables filling it exactly, and at least one
 * profile. Refuses a truncated or corrupted cache entry before it reaches
 * the kernel; it does not replace the kernel's own checks of the DFAs'
 * contents. */
int blob_validate(const void *data, size_t size);

/* One profile entry of a stream: its bytes [offset, offset + size), the
 * end of its version element (0 when it has none), its name (children as
 * "parent//child") and namespace (NULL: none in its header). */
typedef struct BlobEntry {
        size_t offset;
        size_t size;
        size_t header_end;
        char *name;
        char *ns;
} BlobEntry;

/* Every entry, in stream order; validates the stream first. */
int blob_entries(const void *data, size_t size, BlobEntry **ret, size_t *ret_n);
void blob_entries_free(BlobEntry *e, size_t n);

/* Whether the stream must be loaded one entry at a time: the kernel takes
 * one namespace per write (the last header's), so any namespace in it
 * means entries are written separately. */
bool blob_entries_need_split(const BlobEntry *e, size_t n);

/* A copy of entry e with a namespace element added to its header: the
 * parser writes hats of a namespaced profile without one, and alone they
 * would land in the root namespace. */
int blob_entry_with_namespace(const void *data, const BlobEntry *e, const char *ns, uint8_t **ret,
                              size_t *ret_size);
