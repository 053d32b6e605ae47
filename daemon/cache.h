/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The content-addressed policy cache under cache_dir. An entry's key
 * covers everything that decides the binary: the parser (version and
 * executable), the kernel features, the parser's configuration, the
 * include search path and working directory, the level prelude (only for
 * files that use it), and the closure's digest (the content of
 * every file the parser reads, and the absence of every file it would read
 * if it existed). Modification times are never looked at. An entry
 * carries a checksum of its binary: a corrupted entry is detected, dropped
 * and recompiled, never loaded. Entries are written atomically but not
 * fsynced: a torn one after a crash fails its checksum. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "hash.h"
#include "level.h"
#include "macro.h"

typedef struct Cache Cache;

/* What every key of one configuration shares. */
typedef struct CacheContext {
        const char *parser_identity;
        uint8_t features_digest[SHA256_DIGEST_SIZE];
        uint8_t parser_config_digest[SHA256_DIGEST_SIZE];
        char * const *search_path;
        const char *cwd;
        const char *root;       /* stripped from every path: an image's keys match its booted self */
} CacheContext;

typedef struct CacheKey {
        uint8_t bytes[SHA256_DIGEST_SIZE];
} CacheKey;

#define CACHE_KEY_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)

/* The binary cached is the profile as its author declared it; a level's
 * mode override (complain, enforce) is applied when loading, so it is not
 * part of the key: levels that differ only in modes share every entry. */
/* state: the values of the runtime state variables the closure uses
 * (state_values_key_text()), NULL when it uses none. */
void cache_key_compute(const CacheContext *ctx, const Closure *closure, const char *prelude, const char *state,
                       const char *ns, CacheKey *ret);
void cache_key_to_hex(const CacheKey *k, char ret[CACHE_KEY_HEX_SIZE]);
int cache_key_from_hex(const char *s, CacheKey *ret);
bool cache_key_equal(const CacheKey *a, const CacheKey *b);

int cache_open(const char *dir, Cache **ret);
void cache_free(Cache *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Cache *, cache_free);

/* -ENOENT on a miss; -EBADMSG when the entry was corrupted (it is removed). */
int cache_get(Cache *c, const CacheKey *key, uint8_t **ret_blob, size_t *ret_size);
bool cache_has(Cache *c, const CacheKey *key);
/* The SHA-1 of an entry's binary as loaded under a mode override, from
 * its header alone: what the kernel would report as raw_sha1 after
 * loading it, known without reading or changing the binary. -ENODATA when
 * the entry does not know it for that mode. Not verified: cache_get()
 * verifies before anything is loaded. */
int cache_get_sha1(Cache *c, const CacheKey *key, ModeOverride mode, char ret[2 * SHA1_DIGEST_SIZE + 1]);
/* mode_sha1: the SHA-1 of the binary under each mode override (see
 * blob_mode_sha1()); the MODE_KEEP one is computed here, an all-zero one
 * is unknown; NULL for none. -ENOSPC and friends are returned; the caller
 * goes on without caching. */
int cache_put(Cache *c, const CacheKey *key, const uint8_t *blob, size_t size,
              const uint8_t mode_sha1[_MODE_OVERRIDE_MAX][SHA1_DIGEST_SIZE]);
int cache_remove(Cache *c, const CacheKey *key);

/* A parser's refusal is as deterministic as its success: the same key
 * fails the same way, so the error text is cached too and nothing is
 * compiled again until an input changes. Only the parser's own errors are
 * cached, never a crash, a timeout or a missing parser. */
int cache_put_failure(Cache *c, const CacheKey *key, const char *errors);
/* -ENOENT when no failure is recorded. */
int cache_get_failure(Cache *c, const CacheKey *key, char **ret_errors);

/* path as the system it is compiled for names it: below ctx->root (an
 * image's, with `aalevel compile --root`), the part after it; a pointer
 * into path. */
const char *cache_logical_path(const CacheContext *ctx, const char *path);

/* Compile durations of earlier runs, to start the slowest files first;
 * file as cache_logical_path() gives it, so that an image's cache serves
 * the booted system. */
double cache_get_duration(Cache *c, const char *file);
int cache_set_duration(Cache *c, const char *file, double seconds);
int cache_save_durations(Cache *c);

/* Removes every entry whose key is not in keep (hex strings) and that was
 * not read or written for max_age_sec (its access time: reading an entry,
 * even its header, keeps it; 0 removes regardless of age). */
int cache_gc(Cache *c, char * const *keep, uint64_t max_age_sec, unsigned *ret_removed);

const char *cache_dir(const Cache *c);
