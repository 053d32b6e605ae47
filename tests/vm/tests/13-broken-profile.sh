#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A profile that stops compiling is reported with its file and line; its
# previous version stays loaded; every other profile still loads.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-break '  /etc/hostname r,'
write_profile "$pd" t-other '  /etc/hostname r,'
test_config "$pd"

aalevel load --level default || die "first load failed"
before=$(raw_sha1 t-break)

# Line 5 of the file gets a syntax error; a new profile arrives too.
write_profile "$pd" t-break '  /etc/hostname r,
  this is not a rule'
write_profile "$pd" t-new '  /etc/hostname r,'
write_profile "$pd" t-other '  /etc/hosts r,'
if out=$(aalevel load --level default 2>&1); then
	die "load succeeded with a broken profile: $out"
fi
echo "$out"
assert_contains "$out" "$pd/t-break:6:" "the error names the file and line"
assert_eq "$before" "$(raw_sha1 t-break)" "t-break keeps its previous binary"
assert_profile_loaded t-new
assert_profile_mode t-other enforce

# Fixing it recovers.
write_profile "$pd" t-break '  /etc/hostname r,
  /etc/hosts r,'
aalevel load --level default || die "load after the fix failed"
[ "$before" != "$(raw_sha1 t-break)" ] || die "t-break was not replaced after the fix"
