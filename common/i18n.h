/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gettext for user-facing strings. */
#pragma once

#include <libintl.h>
#include <locale.h>

#define _(s) gettext(s)
#define N_(s) (s)

/* Binds the text domain; every program calls it first thing in main(). */
static inline void i18n_setup(void) {
        setlocale(LC_ALL, "");
        bindtextdomain(PACKAGE, LOCALEDIR);
        textdomain(PACKAGE);
}
