/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A string-keyed hash map (open addressing). Keys are copied; values are
 * borrowed unless a free function is given at creation. Used for the
 * include graph (path → node) and the state (profile name → record). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

typedef struct Hashmap Hashmap;
typedef void (*HashmapFreeFunc)(void *value);

Hashmap *hashmap_new(HashmapFreeFunc free_value);
void hashmap_free(Hashmap *h);
DEFINE_TRIVIAL_CLEANUP_FUNC(Hashmap *, hashmap_free);

/* Inserts or replaces (freeing the old value). -ENOMEM on failure, and
 * then value is not taken over. */
int hashmap_put(Hashmap *h, const char *key, void *value);
void *hashmap_get(const Hashmap *h, const char *key);
bool hashmap_contains(const Hashmap *h, const char *key);
/* Removes and frees the value; returns whether the key was there. */
bool hashmap_remove(Hashmap *h, const char *key);
/* Removes and returns the value without freeing it. */
void *hashmap_steal(Hashmap *h, const char *key);
size_t hashmap_size(const Hashmap *h);

/* Iteration: i starts at 0; returns false at the end. Do not modify the
 * map while iterating. */
bool hashmap_iterate(const Hashmap *h, size_t *i, const char **ret_key, void **ret_value);

/* The keys, sorted. NULL on OOM. */
char **hashmap_keys_sorted(const Hashmap *h);

/* Used as a set: puts every string of l as a key (value 1). -ENOMEM on
 * failure. */
int hashmap_put_strv(Hashmap *h, char * const *l);
