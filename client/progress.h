/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the user sees while the daemon works: Progress signals drawn as
 * one updating line on a terminal, as a few plain lines otherwise, or
 * nothing at all. Always on stderr, so stdout stays clean for output
 * that scripts read. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "util.h"

typedef enum ProgressMode {
        PROGRESS_NONE,
        PROGRESS_LINES,         /* a line per phase and per tenth done */
        PROGRESS_BAR,           /* one line redrawn in place */
        _PROGRESS_MODE_MAX,
        _PROGRESS_MODE_INVALID = -EINVAL,
} ProgressMode;

typedef struct Progress {
        ProgressMode mode;
        FILE *out;
        char *phase;            /* the phase of the last update */
        unsigned tenths;        /* PROGRESS_LINES: the last tenth printed */
        size_t drawn_width;     /* PROGRESS_BAR: what is on the line now */
        usec_t last_draw;
} Progress;

/* --quiet shows nothing; a terminal on stderr gets the bar; otherwise
 * plain lines, except with --json, whose consumers are programs. */
ProgressMode progress_mode_pick(bool quiet, bool json, bool stderr_is_tty);

void progress_init(Progress *p, ProgressMode mode, FILE *out);
void progress_update(Progress *p, const char *phase, unsigned done, unsigned total, const char *current);
/* Erases the bar, so that other output starts on a clean line. */
void progress_clear(Progress *p);
void progress_done(Progress *p);

/* "compile" → "Compiling", "load" → "Loading", translated; other phases
 * as they are. */
const char *progress_phase_label(const char *phase);
