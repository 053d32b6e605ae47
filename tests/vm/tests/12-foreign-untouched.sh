#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A profile loaded by hand with apparmor_parser is never touched by level
# switches: same mode, same binary (raw_sha1), never removed, even when a
# profile file of aalevel's goes away.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-mine '  /etc/hostname r,'
write_profile "$pd" t-going '  /etc/hostname r,'
test_config "$pd"

load_profile_text handmade 'abi <abi/3.0>,
profile handmade flags=(complain) { /etc/hostname r, }'
before=$(raw_sha1 handmade) || die "handmade is not loaded"

for level in default strict default strict; do
	aalevel load --level $level || die "load $level failed"
	assert_profile_mode handmade complain
	assert_eq "$before" "$(raw_sha1 handmade)" "handmade's binary after $level"
done
rm "$pd/t-going"
aalevel load --level default || die "load after removing t-going failed"
assert_profile_absent t-going
assert_profile_loaded t-mine
assert_profile_mode handmade complain
assert_eq "$before" "$(raw_sha1 handmade)" "handmade's binary at the end"
