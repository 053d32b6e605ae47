/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An in-memory AppArmor kernel behind the engine's kernel seam (KernelOps
 * in daemon/kernel.h), for tests/unit/test-engine.c: it keeps the loaded
 * profile names with the SHA-1 and SHA-256 of the binary each came in,
 * reports one of them as the kernel does (raw_sha1 before linux 6.3,
 * raw_sha256 since: FakeKernel.sha256), bumps a revision at every change, and logs every
 * write in order ("replace NAME..." and "remove NAME"), so that a test
 * can say exactly what a run did to the kernel. It can also refuse the
 * binaries holding one name, load a profile as someone else would, and
 * check at every write that the state file on disk already owns every
 * name written. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "hashmap.h"
#include "kernel.h"

typedef struct FakeKernel {
        Hashmap *profiles;      /* name → FakeProfile */
        uint64_t revision;
        char **log;             /* every write, in order */
        const char *reject;     /* a name whose binaries the kernel refuses (-EINVAL) */
        const char *state_path; /* when set, checked at every write */
        unsigned unowned_writes; /* writes of a name that state did not own on disk */
        bool sha256;            /* reports raw_sha256 only (linux 6.3 and later), not raw_sha1 */
} FakeKernel;

int fake_kernel_new(FakeKernel **ret_fake, Kernel **ret_kernel);
void fake_kernel_free(FakeKernel *f);

/* A profile loaded by someone else (by hand, snapd, docker); its SHA-256
 * is made up. */
int fake_kernel_load_foreign(FakeKernel *f, const char *name, const char *sha1);
bool fake_kernel_has(const FakeKernel *f, const char *name);
/* Its raw_sha1, NULL when not loaded. */
const char *fake_kernel_sha1(const FakeKernel *f, const char *name);
/* Forgets the log (between the steps of a test). */
void fake_kernel_clear_log(FakeKernel *f);
/* Empties the kernel, as a reboot does. */
void fake_kernel_reboot(FakeKernel *f);
