#!/bin/sh
# aalevelctl speaks French and German: LANGUAGE=fr aalevelctl --help is
# French (glibc needs a UTF-8 locale for LANGUAGE to count: C.UTF-8 is
# built in), and messages from a command are translated too.
. /tests/lib.sh

[ -f /usr/share/locale/fr/LC_MESSAGES/aalevel.mo ] || die "the French catalog is not installed"
out=$(LANG=C.UTF-8 LANGUAGE=fr "$AALEVELCTL_BIN" --help)
echo "$out" | head -n 3
assert_contains "$out" "Utilisation"
out=$(LANG=C.UTF-8 LANGUAGE=de "$AALEVELCTL_BIN" --help)
echo "$out" | head -n 3
assert_contains "$out" "Aufruf"
out=$(LANG=C.UTF-8 LANGUAGE=fr "$AALEVELCTL_BIN" --socket /run/nowhere status 2>&1)
echo "$out"
assert_contains "$out" "démon"
out=$(LANG=C.UTF-8 LANGUAGE=fr "$AALEVEL_BIN" --help)
assert_contains "$out" "Utilisation"
