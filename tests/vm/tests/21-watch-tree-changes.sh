#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Abstractions, new and deleted profile files, directories created later:
# an abstraction touches every profile that includes it and no other; a
# new file is loaded; a deleted one is removed; local/ created after the
# start is watched.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
rm -rf "$pd/local"
mkdir -p "$pd/abstractions/aalevel-test"
echo '/etc/shared r,' >"$pd/abstractions/aalevel-test/shared"
write_profile "$pd" t-one '  include <abstractions/aalevel-test/shared>'
write_profile "$pd" t-two '  include <abstractions/aalevel-test/shared>'
write_profile "$pd" t-alone '  /etc/hostname r,'
test_config "$pd" debounce_ms=100
start_daemon
wait_idle
one=$(raw_sha1 t-one) two=$(raw_sha1 t-two) alone=$(raw_sha1 t-alone)

echo '/etc/shared-more r,' >>"$pd/abstractions/aalevel-test/shared"
wait_sha1_change t-one "$one"
wait_sha1_change t-two "$two"
wait_idle
assert_eq "$alone" "$(raw_sha1 t-alone)" "a profile not including the abstraction"

write_profile "$pd" t-new '  /etc/hostname r,'
wait_for 10 sh -c "grep -q '^t-new ' $APPARMORFS/profiles" || die "t-new was not loaded"

rm "$pd/t-two"
wait_for 10 sh -c "! grep -q '^t-two ' $APPARMORFS/profiles" || die "t-two was not removed"

# local/ did not exist at the start.
old=$(raw_sha1 t-alone)
mkdir "$pd/local"
echo '/srv/late/** r,' >"$pd/local/t-alone"
wait_sha1_change t-alone "$old"

# A symlink swapped to another target.
echo '/etc/a r,' >"$TMPDIR/over-a"
echo '/etc/b r,' >"$TMPDIR/over-b"
ln -s "$TMPDIR/over-a" "$pd/local/t-one"
settle
old=$(raw_sha1 t-one)
ln -sfn "$TMPDIR/over-b" "$pd/local/t-one"
wait_sha1_change t-one "$old"
# The target edited behind the link (once the daemon watches it: the swap
# handled completely).
settle
old=$(raw_sha1 t-one)
echo '/etc/c r,' >>"$TMPDIR/over-b"
wait_sha1_change t-one "$old"
stop_daemon
