/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The include graph: every policy file aalevel has read, with its content
 * digest and its include directives, memoized by path, and the closure of
 * a profile file computed from it: every file the parser reads for it,
 * every path it would read if it existed (a missing `include if exists
 * <local/foo>` is a dependency: creating the file must trigger a
 * recompile), and every directory whose listing it reads. A change to a
 * path invalidates that path's node; closures are recomputed from the
 * memo, so only changed files are read again.
 *
 * Include loops end, as apparmor_parser 3.0.8 ends them, by skipping a
 * file already being included (reported as a warning); symlink loops,
 * unreadable, huge or binary files are errors of the closure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "hash.h"
#include "macro.h"

typedef struct IncludeGraph IncludeGraph;

typedef enum DepType {
        DEP_FILE,               /* read */
        DEP_MISSING,            /* would be read if it existed */
        DEP_DIR,                /* a directory include: its listing */
        DEP_ERROR,              /* could not be read: the closure is unusable */
} DepType;

typedef struct Dep {
        char *path;
        DepType type;
        int error;              /* DEP_ERROR: negative errno, or -EBADMSG for binary data */
        uint8_t digest[SHA256_DIGEST_SIZE];
} Dep;

/* Shared: the graph memoizes closures, and a closure points at the
 * graph's nodes. Drop a reference with closure_free(). */
typedef struct Closure {
        unsigned n_ref;
        char *file;             /* the profile file */
        Dep **deps;             /* sorted by path, unique; the file itself included */
        size_t n_deps;
        bool mentions_aalevel;  /* some file of the closure uses aalevel_ symbols */
        uint32_t state_uses;    /* the runtime state variables its files use (statevars.h) */
        bool state_file;        /* it reads aalevel's own state file */
        char *error;            /* "PATH: why" for the first DEP_ERROR, or NULL */
        char **warnings;        /* include loops and the like */
        uint8_t digest[SHA256_DIGEST_SIZE]; /* over every dep: path, type, digest */
} Closure;

Closure *closure_ref(Closure *c);
void closure_free(Closure *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Closure *, closure_free);

/* Whether every file of the closure is still what was read for it (the
 * key computed from it names its content): its status is the one taken
 * before the read (device, inode, size, mode, times), and, for a file
 * changed within a few seconds of that read, its content digest too;
 * missing paths still missing. Called after a compile: false means the
 * parser may have read other bytes, and its result must not be kept
 * under the closure's key. */
bool closure_unchanged(const Closure *c);

/* search_path: the directories <...> includes are looked up in, in order.
 * cwd: what relative "..." includes are relative to (the parser's working
 * directory, which the compiler sets to the same). root: the prefix of an
 * image's tree ("" for /); digests cover paths without it, so that a
 * closure computed for an image has the digest it has inside the image. */
int include_graph_new(char * const *search_path, const char *cwd, const char *root, IncludeGraph **ret);
void include_graph_free(IncludeGraph *g);
DEFINE_TRIVIAL_CLEANUP_FUNC(IncludeGraph *, include_graph_free);

/* aalevel's own state file (statevars.h), NULL for none: its content, and
 * its directory existing for it alone, count in no closure's digest (the
 * cache key covers the values a closure uses instead). Forgets everything
 * when it changes. */
int include_graph_set_managed(IncludeGraph *g, const char *path);

/* Fails only on -ENOMEM; problems with the files are in the closure. */
int include_graph_closure(IncludeGraph *g, const char *file, Closure **ret);

/* Forgets what is known about path (it changed on disk) and about its
 * directory's listing. */
void include_graph_invalidate(IncludeGraph *g, const char *path);
/* Forgets everything. */
void include_graph_invalidate_all(IncludeGraph *g);
/* Forgets what changed on disk since it was read, judged by each path's
 * status (device, inode, size, mode, modification and change times, of
 * the path and of what it links to): what a full reload needs, without
 * reading the unchanged tree again. A file read within a few seconds of
 * its last change is read again whatever its status says, so a write in
 * the same clock tick as the read is never missed. Returns how many paths
 * were forgotten. */
unsigned include_graph_revalidate(IncludeGraph *g);
/* Drops the memoized closures (their nodes stay). */
void include_graph_forget_closures(IncludeGraph *g);
/* Every path the graph has read or looked for, and the real paths behind
 * symlinks: what to watch. Sorted. NULL when out of memory. */
char **include_graph_paths(const IncludeGraph *g);

/* How many files were read from disk since the graph was made. */
uint64_t include_graph_reads(const IncludeGraph *g);

/* Same rules as libapparmor's _aa_is_blacklisted() (dot files, README,
 * package manager and editor backups): names the parser skips in a
 * directory. */
bool policy_name_is_skipped(const char *name);
