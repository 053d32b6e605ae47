/* SPDX-License-Identifier: GPL-2.0-or-later */
/* aalevelctl's exit codes (SPEC.md), and the return convention that
 * carries them: a function returns 0 on success, a positive exit status
 * once it has told the user what went wrong, or a negative errno for an
 * unexpected failure (out of memory) that main() reports. */
#pragma once

enum {
        EXIT_OK = 0,
        EXIT_FAILED = 1,        /* the operation failed */
        EXIT_USAGE = 2,         /* bad command line */
        EXIT_UNREACHABLE = 3,   /* the daemon cannot be reached */
        EXIT_DENIED = 4,        /* the daemon refused: not allowed */
};
