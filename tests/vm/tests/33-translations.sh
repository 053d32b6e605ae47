#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# aalevelctl speaks French and German: LANGUAGE=fr aalevelctl --help is
# French (glibc needs a UTF-8 locale for LANGUAGE to count: C.UTF-8 is
# built in), and messages from a command are translated too. trixie's
# glibc 2.41 ignores LANGUAGE under C.UTF-8 as under C: there the image
# has fr_FR.UTF-8 and de_DE.UTF-8 (tests/vm/run --release), the user's case.
. /tests/lib.sh

fr=C.UTF-8 de=C.UTF-8
[ -d /usr/lib/locale/fr_FR.utf8 ] && fr=fr_FR.UTF-8
[ -d /usr/lib/locale/de_DE.utf8 ] && de=de_DE.UTF-8

[ -f /usr/share/locale/fr/LC_MESSAGES/aalevel.mo ] || die "the French catalog is not installed"
out=$(LANG=$fr LANGUAGE=fr "$AALEVELCTL_BIN" --help)
echo "$out" | head -n 3
assert_contains "$out" "Utilisation"
out=$(LANG=$de LANGUAGE=de "$AALEVELCTL_BIN" --help)
echo "$out" | head -n 3
assert_contains "$out" "Aufruf"
out=$(LANG=$fr LANGUAGE=fr "$AALEVELCTL_BIN" --socket /run/nowhere status 2>&1)
echo "$out"
assert_contains "$out" "démon"
out=$(LANG=$fr LANGUAGE=fr "$AALEVEL_BIN" --help)
assert_contains "$out" "Utilisation"
