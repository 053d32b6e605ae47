/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Progress of the daemon's long work, on stderr. */
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>

#include "format.h"
#include "i18n.h"
#include "macro.h"

/* Redraw the bar at most this often: a cold compile sends thousands of
 * signals, and a terminal over ssh should not have to draw them all. */
#define REDRAW_INTERVAL_USEC (50 * USEC_PER_MSEC)

ProgressMode progress_mode_pick(bool quiet, bool json, bool stderr_is_tty) {
        if (quiet)
                return PROGRESS_NONE;
        if (stderr_is_tty)
                return PROGRESS_BAR;
        return json ? PROGRESS_NONE : PROGRESS_LINES;
}

void progress_init(Progress *p, ProgressMode mode, FILE *out) {
        *p = (Progress) { .mode = mode, .out = out };
}

const char *progress_phase_label(const char *phase) {
        if (streq(phase, "compile"))
                return _("Compiling");
        if (streq(phase, "load"))
                return _("Loading");
        return phase;
}

static size_t terminal_width(FILE *f) {
        struct winsize ws = {};
        unsigned columns;

        if (ioctl(fileno(f), TIOCGWINSZ, &ws) >= 0 && ws.ws_col > 0)
                return ws.ws_col;
        if (safe_atou(getenv("COLUMNS"), &columns) >= 0 && columns > 0)
                return columns;
        return 80;
}

static void draw_bar(Progress *p, const char *label, unsigned done, unsigned total, const char *current) {
        char line[1024];
        size_t width, w;

        /* One column less than the terminal: writing the last column
         * makes some terminals wrap. */
        width = terminal_width(p->out) - 1;
        if (format_progress_line(line, sizeof line, label, done, total, current, width) < 0)
                return;
        w = strlen(line); /* an upper bound of the width, enough to erase */
        fputc('\r', p->out);
        fputs(line, p->out);
        for (size_t i = w; i < p->drawn_width; i++)
                fputc(' ', p->out);
        p->drawn_width = MAX(w, p->drawn_width);
        fflush(p->out);
}

void progress_update(Progress *p, const char *phase, unsigned done, unsigned total, const char *current) {
        bool new_phase = !p->phase || !streq(p->phase, phase);
        const char *label = progress_phase_label(phase);
        usec_t now;

        if (p->mode == PROGRESS_NONE)
                return;
        if (new_phase) {
                free(p->phase);
                p->phase = strdup(phase);
                p->tenths = 0;
        }

        if (p->mode == PROGRESS_LINES) {
                unsigned tenths = total > 0 ? (unsigned) ((uint64_t) MIN(done, total) * 10 / total) : 0;

                if (!new_phase && tenths <= p->tenths)
                        return;
                p->tenths = tenths;
                if (total > 0)
                        fprintf(p->out, "%s %u/%u\n", label, MIN(done, total), total);
                else
                        fprintf(p->out, "%s %u\n", label, done);
                fflush(p->out);
                return;
        }

        now = now_usec(CLOCK_MONOTONIC);
        if (!new_phase && done < total && now < p->last_draw + REDRAW_INTERVAL_USEC)
                return;
        p->last_draw = now;
        draw_bar(p, label, done, total, current);
}

void progress_clear(Progress *p) {
        if (p->mode != PROGRESS_BAR || p->drawn_width == 0)
                return;
        fputc('\r', p->out);
        for (size_t i = 0; i < p->drawn_width; i++)
                fputc(' ', p->out);
        fputc('\r', p->out);
        fflush(p->out);
        p->drawn_width = 0;
}

void progress_done(Progress *p) {
        progress_clear(p);
        free(p->phase);
        p->phase = NULL;
}
