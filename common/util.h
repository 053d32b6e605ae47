/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Small string and number helpers shared by the daemon and the client. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef uint64_t usec_t;
#define USEC_PER_SEC  ((usec_t) 1000000ULL)
#define USEC_PER_MSEC ((usec_t) 1000ULL)

/* "a" + "/" + "b", without doubling slashes; NULL on OOM. */
char *path_join(const char *a, const char *b);
/* True when s starts with prefix; returns the rest or NULL. */
const char *startswith(const char *s, const char *prefix);
bool endswith(const char *s, const char *suffix);

/* Strict number and boolean parsing: the whole string must be consumed. */
int safe_atou(const char *s, unsigned *ret);
int safe_atou64(const char *s, uint64_t *ret);
/* 1 for yes/true/on/1, 0 for no/false/off/0, -EINVAL otherwise. */
int parse_boolean(const char *s);

/* Strips leading and trailing whitespace in place. */
char *strstrip(char *s);

/* Replaces *p with a copy of s (NULL: frees it), as systemd's: 0 when it
 * was equal already (nothing done), 1 when changed, -ENOMEM (then *p is
 * unchanged). */
int free_and_strdup(char **p, const char *s);

usec_t now_usec(int clock);
/* Milliseconds since start, a CLOCK_MONOTONIC time: for timing logs. */
uint64_t msec_since(usec_t start);
