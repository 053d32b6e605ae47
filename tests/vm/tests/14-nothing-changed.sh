#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Nothing changed means nothing compiled and nothing written to the
# kernel: the policy revision stays where it was.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
for p in t-a t-b t-c; do write_profile "$pd" $p '  /etc/hostname r,'; done
test_config "$pd"

aalevel load --level default || die "first load failed"
rev=$(kernel_revision) || exit 1
out=$(aalevel load --level default 2>&1) || die "second load failed: $out"
echo "$out"
assert_contains "$out" "0 written to the kernel"
assert_eq "$rev" "$(kernel_revision)" "the revision after a load with nothing changed"
