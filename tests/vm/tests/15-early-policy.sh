#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Levels with early_policy keep systemd's early policy cache current (the
# layout libapparmor's policy cache reads: <dir>/<features id>.0/ with its
# .features); other levels clear it again, but only if aalevel filled it.
# `aalevel load --early-policy DIR` loads it (early boot).
. /tests/lib.sh

pd=$TMPDIR/pd
early=$TMPDIR/earlypolicy
make_policy_tree "$pd"
write_profile "$pd" t-early '  /etc/hostname r,'
write_profile "$pd" t-early2 '  /etc/hostname r,' 'flags=(complain)'
test_config "$pd" early_policy_dir="$early"

aalevel load --level fsp || die "load fsp failed"
ls -la "$early"/*.0/
[ -f "$early"/*.0/.features ] || die "no .features in the early policy cache"
[ -f "$early"/*.0/t-early ] || die "t-early is not in the early policy cache"
[ -f "$early/.aalevel-owned" ] || die "no ownership marker"
assert_profile_mode t-early2 enforce

# Loading it from scratch, as an initramfs would.
remove_profile t-early
remove_profile t-early2
assert_profile_absent t-early
"$AALEVEL_BIN" load --early-policy "$early" || die "aalevel load --early-policy failed"
assert_profile_mode t-early enforce
assert_profile_mode t-early2 enforce

aalevel load --level default || die "load default failed"
[ -z "$(ls "$early"/*.0/ 2>/dev/null)" ] || die "the early policy cache was not cleared: $(ls "$early"/*.0/)"

# Somebody else's early policy is left alone.
mkdir -p "$TMPDIR/theirs/x.0" && echo keep >"$TMPDIR/theirs/x.0/theirs"
test_config "$pd" early_policy_dir="$TMPDIR/theirs"
aalevel load --level default || die "load default (theirs) failed"
[ -f "$TMPDIR/theirs/x.0/theirs" ] || die "a foreign early policy file was removed"
