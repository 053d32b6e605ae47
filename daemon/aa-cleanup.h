/* SPDX-License-Identifier: GPL-2.0-or-later */
/* _cleanup_() for libapparmor's reference-counted objects (features,
 * policy cache, kernel interface): one unref each, whichever way the
 * function returns. */
#pragma once

#include <sys/apparmor.h>

#include "macro.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(aa_features *, aa_features_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(aa_policy_cache *, aa_policy_cache_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(aa_kernel_interface *, aa_kernel_interface_unref);
