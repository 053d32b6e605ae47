/* The kernel side: loading and removing policy through libapparmor's
 * kernel interface (never by running the parser), reading what is loaded
 * (<apparmorfs>/profiles), the policy revision counter, and the SHA-1 the
 * kernel keeps of each profile's raw data (policy/profiles/NAME.N/raw_sha1)
 * so that aalevel can tell its own blob from one someone else loaded. */
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

int kernel_open(const char *apparmorfs, Kernel **ret);
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
 * on; read it again with kernel_revision_read(). */
int kernel_revision_open(Kernel *k);
int kernel_revision_read(int fd, uint64_t *ret);

/* name → raw_sha1 (40 hex chars) of every profile in the root namespace
 * (raw_sha1 missing: kernels
 * without CONFIG_SECURITY_APPARMOR_EXPORT_BINARY). */
int kernel_profile_hashes(Kernel *k, Hashmap **ret);

const char *kernel_apparmorfs(const Kernel *k);
