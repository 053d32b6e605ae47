#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# A corrupted cache entry (a byte flipped in the binary, or the entry cut
# short as by a crash mid-write): detected by its checksum, logged,
# removed and compiled again; never loaded: the kernel gets exactly the
# binary a good entry gives.
. /tests/lib.sh

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-a '  /etc/hostname r,' 'flags=(complain)'
write_profile "$pd" t-b '  /etc/hostname r,' 'flags=(complain)'
test_config "$pd"
state=$TMPDIR/state/state
start_daemon
wait_idle

# The good binaries at both levels (levels differing in modes share the
# cache entry; the mode is applied when loading, so a switch reads it).
aalevelctl set strict || die "set strict failed"
good_a=$(raw_sha1 t-a) good_b=$(raw_sha1 t-b)
aalevelctl set default || die "set default failed"

# entry NAME: the cache file of the profile file NAME (key: field 4).
entry() {
	_k=$(awk -F'\t' -v f="$pd/$1" '$1 == "unit" && $2 == f { print $4 }' "$state")
	[ -n "$_k" ] || die "no unit for $1 in the state"
	_e=$TMPDIR/cache/blobs/$(echo "$_k" | cut -c1-2)/$_k
	[ -f "$_e" ] || die "no cache entry $_e"
	echo "$_e"
}
ea=$(entry t-a) eb=$(entry t-b)
size=$(wc -c <"$ea")
echo "t-a's entry: $ea ($size bytes)"

# Flip one byte in the middle of t-a's binary (after the 108-byte header).
off=$((108 + (size - 108) / 2))
byte=$(/usr/bin/dd if="$ea" bs=1 skip="$off" count=1 status=none | od -An -tu1 | tr -d ' ')
# shellcheck disable=SC2059 # the format is the byte's octal escape, built on purpose
printf "\\$(printf '%03o' $((byte ^ 0x55)))" | /usr/bin/dd of="$ea" bs=1 seek="$off" conv=notrunc status=none
# Cut t-b's entry short.
/usr/bin/dd if="$eb" of="$eb.cut" bs=1 count=$(($(wc -c <"$eb") - 100)) status=none
mv "$eb.cut" "$eb"
rev=$(kernel_revision) || exit 1

aalevelctl set strict || die "set strict with corrupted entries failed"
wait_idle
grep "cache entry for $pd/t-a was corrupted" "$AALEVEL_LOG" || die "the corrupted entry of t-a is not logged"
grep "cache entry for $pd/t-b was corrupted" "$AALEVEL_LOG" || die "the cut entry of t-b is not logged"
assert_eq "$good_a" "$(raw_sha1 t-a)" "t-a's binary in the kernel"
assert_eq "$good_b" "$(raw_sha1 t-b)" "t-b's binary in the kernel"
assert_profile_mode t-a enforce
assert_eq 0 "$(status_field profiles_failed)" "failed profiles"
# Exactly two writes (one per profile): nothing broken went in first.
assert_eq $((rev + 2)) "$(kernel_revision)" "the policy revision"
# Compiled again and cached again, whole.
[ "$(wc -c <"$ea")" = "$size" ] || die "t-a's entry was not written again"
aalevelctl set default || die "set default failed"
assert_profile_mode t-a complain
stop_daemon
