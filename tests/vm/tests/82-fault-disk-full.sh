#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A full disk under the cache and under the state directory (small tmpfs
# mounts, filled up): a clear error in the log, and nothing lost. With the
# cache full, a changed profile is still compiled and loaded (from memory)
# and compiled again later rather than read back broken. With the state
# directory full, a changed profile is still loaded but a new one is not
# (its name cannot be claimed first), and both are in place once there is
# room again. The foreign profile is never touched.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-a '  /etc/hostname r,'
write_profile "$pd" t-b '  /etc/hostname r,'
load_profile_text foreign 'abi <abi/3.0>,
profile foreign { /etc/hostname r, }'
foreign=$(raw_sha1 foreign)
cache=$TMPDIR/cache state=$TMPDIR/state
mkdir -p "$cache" "$state"
mount -t tmpfs -o size=8m,mode=0700 tmpfs "$cache" || skip "cannot mount a tmpfs"
mount -t tmpfs -o size=1m,mode=0755 tmpfs "$state" || skip "cannot mount a tmpfs"
cleanup() {
	[ -n "${AALEVEL_PID:-}" ] && kill -KILL "$AALEVEL_PID" 2>/dev/null
	umount "$cache" "$state" 2>/dev/null
}
trap cleanup EXIT
test_config "$pd" debounce_ms=50
start_daemon
wait_idle

# fill DIR: write zeros until the file system is full.
fill() {
	/usr/bin/dd if=/dev/zero of="$1/zz-fill" bs=4k 2>/dev/null
	df "$1" | tail -n 1
}

echo "--- cache full"
fill "$cache"
old=$(raw_sha1 t-a) b=$(raw_sha1 t-b)
echo '/srv/cache-full r,' >"$pd/local/t-a"
wait_sha1_change t-a "$old" 20
wait_idle
grep "Cannot write .*t-a to the cache" "$AALEVEL_LOG" || die "no error about the full cache in the log"
assert_contains "$(grep "Cannot write .*t-a to the cache" "$AALEVEL_LOG")" "No space left on device"
assert_eq "$b" "$(raw_sha1 t-b)" "t-b, untouched"
assert_eq 0 "$(status_field profiles_failed)" "failed profiles with a full cache"
assert_profile_mode t-a enforce
loaded_a=$(raw_sha1 t-a)
# Nothing half-written was left in the cache.
find "$cache" -name '*.tmp.*' | grep . && die "temporary files left in the cache"
# A restart with the cache still full compiles t-a again, loads the same.
stop_daemon
start_daemon
wait_idle
assert_eq "$loaded_a" "$(raw_sha1 t-a)" "t-a after a restart with a full cache"
rm -f "$cache"/zz-fill*

echo "--- state directory full"
fill "$state"
old=$(raw_sha1 t-a)
echo '/srv/state-full r,' >"$pd/local/t-a"
wait_sha1_change t-a "$old" 20
wait_idle
grep "Cannot write the state to $state/state" "$AALEVEL_LOG" || die "no error about the full state directory in the log"
assert_contains "$(grep "Cannot write the state to $state/state" "$AALEVEL_LOG" | tail -n 1)" "No space left on device"
# A restart while the state on disk is behind the kernel: t-a's binary is
# the daemon's own, not someone else's.
a=$(raw_sha1 t-a)
stop_daemon
start_daemon
wait_idle
aalevelctl status
aalevelctl profiles
assert_eq "$a" "$(raw_sha1 t-a)" "t-a after a restart with a stale state"
assert_eq 0 "$(status_field profiles_modified)" "profiles reported modified by someone else after a restart with a stale state"
# A new profile: its name cannot be recorded, so it is not loaded. (A
# name of this test's own: earlier tests of the run leave their profiles,
# t-new among them, in the kernel.)
assert_profile_absent t-unclaimed
write_profile "$pd" t-unclaimed '  /etc/hostname r,'
sleep 1
wait_idle
grep "nothing was loaded" "$AALEVEL_LOG" || die "no error about the unrecorded new profile"
assert_profile_absent t-unclaimed
# Nor by the next run: the claim it could not write is not taken as made.
aalevelctl reload >/dev/null 2>&1
wait_idle
grep -q '^claimed' "$state/state" || assert_profile_absent t-unclaimed
assert_profile_loaded t-a
assert_profile_loaded t-b
assert_eq "$foreign" "$(raw_sha1 foreign)" "the foreign binary with a full state directory"
aalevelctl status

echo "--- room again"
rm -f "$state"/zz-fill*
aalevelctl reload || die "reload failed"
wait_idle
assert_profile_loaded t-unclaimed
assert_profile_mode t-a enforce
# The state holds what the kernel has.
for p in t-a t-b t-unclaimed; do
	sha=$(awk -F'\t' -v f="$pd/$p" '$1 == "unit" && $2 == f { print $5 }' "$state/state")
	assert_eq "$sha" "$(raw_sha1 $p)" "the state's binary of $p"
done
grep -q '^claimed' "$state/state" && die "claims left in the state"
n=$(reloads_logged)
aalevelctl reload || die "second reload failed"
assert_eq "$n" "$(reloads_logged)" "reloads that changed something after the disk was freed"
assert_eq "$foreign" "$(raw_sha1 foreign)" "the foreign binary at the end"
stop_daemon
