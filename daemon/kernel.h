/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel side: loading and removing policy through libapparmor's
 * kernel interface (never by running the parser), reading what is loaded
 * (<apparmorfs>/profiles), the policy revision counter, and the hash the
 * kernel keeps of the raw data each profile came in (policy/profiles/NAME.N/
 * raw_sha1 before linux 6.3, raw_sha256 since) so that aalevel can tell its
 * own blob from one someone else loaded.
 *
 * Everything the engine asks of the kernel goes through one table of
 * operations (KernelOps): libapparmor's and apparmorfs (kernel_open()) in
 * the daemon, an in-memory kernel in the tests (tests/unit/fake-kernel.c),
 * so that the engine's promises are proven without booting one. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hashmap.h"
#include "macro.h"

typedef struct Kernel Kernel;

typedef struct KernelProfile {
        char *name;
        char *mode;             /* enforce, complain, kill, unconfined, ... */
} KernelProfile;

/* What a kernel does for aalevel; userdata is the implementation's. The
 * functions below call these, with their meaning. */
typedef struct KernelOps {
        int (*write_features)(void *userdata, const char *path);
        int (*replace)(void *userdata, const void *blob, size_t size);
        int (*remove)(void *userdata, const char *name);
        int (*list_profiles)(void *userdata, KernelProfile **ret, size_t *ret_n);
        int (*revision)(void *userdata, uint64_t *ret);
        int (*profile_hashes)(void *userdata, Hashmap **ret);
} KernelOps;

/* The running kernel, through libapparmor and apparmorfs. */
int kernel_open(const char *apparmorfs, Kernel **ret);
/* A kernel behind other operations (the tests' fake); name stands for
 * the apparmorfs path in messages. */
int kernel_new(const KernelOps *ops, void *userdata, const char *name, Kernel **ret);
void kernel_free(Kernel *k);
DEFINE_TRIVIAL_CLEANUP_FUNC(Kernel *, kernel_free);

/* The kernel's feature set, as the parser reads it, written to path. */
int kernel_write_features(Kernel *k, const char *path);

/* Replaces (or adds) every profile of the blob in one write: the kernel
 * swaps them in place, so confined processes stay confined. */
int kernel_replace(Kernel *k, const void *blob, size_t size);
/* Removes one profile by its fully qualified name. */
int kernel_remove(Kernel *k, const char *name);

/* Everything loaded, from <apparmorfs>/profiles. */
int kernel_list_profiles(Kernel *k, KernelProfile **ret, size_t *ret_n);
int kernel_list_profiles_at(const char *apparmorfs, KernelProfile **ret, size_t *ret_n);
void kernel_profiles_free(KernelProfile *p, size_t n);

/* The policy revision (bumped by every change). */
int kernel_revision(Kernel *k, uint64_t *ret);
/* A file descriptor that poll() reports readable when the revision moves
 * on; read it again with kernel_revision_read(). The running kernel only
 * (-EOPNOTSUPP otherwise). */
int kernel_revision_open(Kernel *k);
int kernel_revision_read(int fd, uint64_t *ret);

/* name → the kernel's hash of the whole blob each profile of the root
 * namespace came in, with its algorithm: "sha256:HEX" (raw_sha256, linux
 * 6.3 and later) or "sha1:HEX" (raw_sha1, older kernels). A profile with
 * neither is left out (kernels without CONFIG_SECURITY_APPARMOR_EXPORT_BINARY). */
int kernel_profile_hashes(Kernel *k, Hashmap **ret);
/* Whether hash (as above) is the kernel's for the blob of these digests
 * (lowercase hex; NULL or "": not known): 1 it is, 0 it is not, -ENODATA
 * when the digest of the kernel's algorithm is not known, -EINVAL when
 * the algorithm is not one of these. */
int kernel_hash_matches(const char *hash, const char *sha1, const char *sha256);

const char *kernel_apparmorfs(const Kernel *k);
