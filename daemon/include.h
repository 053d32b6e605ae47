/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The include scanner: finds the include directives of one policy file as
 * apparmor_parser's lexer sees them (`include`, `#include`, `include if
 * exists`, `<path>` searched along the include path, `"path"` or a bare
 * path relative to the parser's working directory; and `abi <path>,`,
 * which reads a file the same way), and whether the file
 * mentions an aalevel_ symbol (then it needs the level prelude). It only
 * reads text; resolving paths is the include graph's job (graph.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef enum IncludeKind {
        INCLUDE_SEARCH,         /* <path>: looked up along the include path */
        INCLUDE_PATH,           /* "path" or path: absolute, or relative to the working directory */
} IncludeKind;

typedef struct IncludeDirective {
        char *path;
        IncludeKind kind;
        bool if_exists;
        unsigned line;
} IncludeDirective;

typedef struct IncludeScan {
        IncludeDirective *includes;
        size_t n_includes;
        bool mentions_aalevel;  /* uses $aalevel_* or @{aalevel_*} outside comments */
        uint32_t state_uses;    /* the runtime state variables (statevars.h) it uses, 1 << StateVar */
} IncludeScan;

void include_scan_free(IncludeScan *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(IncludeScan *, include_scan_free);

/* Never fails on any input but for -ENOMEM; malformed directives (no
 * target, unterminated <...> or "...") are skipped: the parser will report
 * them when it compiles the file. */
int include_scan(const char *text, size_t size, IncludeScan **ret);
