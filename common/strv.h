/* SPDX-License-Identifier: GPL-2.0-or-later */
/* NULL-terminated string vectors (char **), the list type of the whole
 * tree. Functions that grow a vector return -ENOMEM on failure and leave
 * the vector as it was. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "macro.h"

void strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)

size_t strv_length(char * const *l);
bool strv_contains(char * const *l, const char *s);

/* Appends s, taking ownership of it (freed on failure too). */
int strv_consume(char ***l, char *s);
/* Appends a copy of s. */
int strv_extend(char ***l, const char *s);
/* Appends copies of every string of other. */
int strv_extend_strv(char ***l, char * const *other);
char **strv_copy(char * const *l);

/* Splits on any of the separator characters, dropping empty fields. */
int strv_split(const char *s, const char *separators, char ***ret);
char *strv_join(char * const *l, const char *separator);
void strv_sort(char **l);
/* Sorts and drops duplicates. */
void strv_uniq(char **l);
bool strv_equal(char * const *a, char * const *b);

/* scandir() comparator in byte order (alphasort() follows the locale). */
struct dirent;
int dirent_cmp_bytes(const struct dirent **a, const struct dirent **b);

#define STRV_FOREACH(s, l) for (char * const *s = (l); s && *s; s++)
