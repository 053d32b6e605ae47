/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The names of the D-Bus API (SPEC.md): shared by the daemon that serves
 * it and the client that calls it, so the two cannot drift apart. */
#pragma once

#define AALEVEL_BUS_NAME        "org.aalevel1"
#define AALEVEL_OBJECT_PATH     "/org/aalevel1"
#define AALEVEL_INTERFACE       "org.aalevel1.Manager"

/* Errors the daemon returns; the client maps them to exit codes. */
#define AALEVEL_ERROR_ACCESS_DENIED     "org.aalevel1.Error.AccessDenied"
#define AALEVEL_ERROR_NO_SUCH_LEVEL     "org.aalevel1.Error.NoSuchLevel"
#define AALEVEL_ERROR_FAILED            "org.aalevel1.Error.Failed"
#define AALEVEL_ERROR_NOTHING_PENDING   "org.aalevel1.Error.NothingPending"
#define AALEVEL_ERROR_INVALID_ARGS      "org.aalevel1.Error.InvalidArgs"

/* Flags of SetLevel and Reload. */
#define AALEVEL_FLAG_NO_BLOCK   (UINT64_C(1) << 0)
/* polkit may ask the user to authenticate (the client runs on a terminal). */
#define AALEVEL_FLAG_INTERACTIVE (UINT64_C(1) << 1)
