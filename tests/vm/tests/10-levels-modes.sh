#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# aalevel load applies a level's modes in the kernel: at default, profiles
# keep their declared mode and force-complain/ is honoured; at strict,
# everything is enforced. And the binaries it writes are exactly the
# ones it recorded (the kernel's raw_sha1 matches the state).
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-enforce '  /etc/hostname r,'
write_profile "$pd" t-complain '  /etc/hostname r,' 'flags=(complain)'
write_profile "$pd" t-forced '  /etc/hostname r,'
mkdir -p "$pd/force-complain" "$pd/disable"
ln -s ../t-forced "$pd/force-complain/t-forced"
write_profile "$pd" t-disabled '  /etc/hostname r,'
ln -s ../t-disabled "$pd/disable/t-disabled"
test_config "$pd"

aalevel load --level default || die "aalevel load --level default failed"
assert_profile_mode t-enforce enforce
assert_profile_mode t-complain complain
assert_profile_mode t-forced complain
assert_profile_absent t-disabled

# The state records what the kernel holds.
state=$TMPDIR/state/state
cat "$state"
# unit FILE NAMESPACE KEY SHA1 MODE NAMES...
sha=$(awk -F'\t' '$1 == "unit" && $2 ~ /t-enforce$/ { print $5 }' "$state")
assert_eq "$sha" "$(raw_sha1 t-enforce)" "raw_sha1 of t-enforce"

aalevel load --level strict || die "aalevel load --level strict failed"
assert_profile_mode t-enforce enforce
assert_profile_mode t-complain enforce
assert_profile_mode t-forced enforce
assert_profile_absent t-disabled

aalevel load --level default || die "back to default failed"
assert_profile_mode t-complain complain
assert_profile_mode t-forced complain
