/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What every fuzz target shares: the libFuzzer entry point, and a copy of
 * the input with a terminating NUL for the parsers that take C strings. A
 * target is a libFuzzer program when built by tests/fuzz/run (clang,
 * -fsanitize=fuzzer) and a replayer of files (standalone.c) in
 * `make check`, where its corpus and regression cases run as a test. */
#pragma once

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional; the standalone driver calls it when the target defines it. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Inputs are capped so that one case stays fast: the parsers cap real
 * files far below this anyway. */
#define FUZZ_INPUT_MAX (256U * 1024U)

/* A NUL-terminated copy of the input; NULL only when out of memory. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s)
                return NULL;
        if (size > 0)
                memcpy(s, data, size);
        s[size] = '\0';
        return s;
}

/* A check of an invariant: a finding, so the fuzzer must see a crash. */
#define FUZZ_ASSERT(cond)                                                                       \
        do {                                                                                    \
                if (!(cond)) {                                                                  \
                        fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__, __LINE__, #cond); \
                        abort();                                                                \
                }                                                                               \
        } while (0)
