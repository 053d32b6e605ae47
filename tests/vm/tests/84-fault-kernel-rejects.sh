#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel rejecting a binary: a cache entry whose checksums are right
# (so the cache hands it out) and that aalevel's own check of the binary
# accepts, but that Debian's 6.1 kernel refuses: the policy ABI in its
# header is raised from 7 to 9 (blob_validate() takes ABI 5 to 9, for
# newer kernels; 6.1's policy_unpack.c takes 5 to 8). A level switch that
# loads it: that profile fails with a clear error and keeps its previous
# binary; every other profile switches; the foreign profile is untouched.
. /tests/lib.sh

# From linux 6.2 the kernel takes policy ABI 5 to 9 as aalevel's check
# does: no version both accept and the kernel refuses (trixie's 6.12,
# sid's 7.2). The refusal path is then tested by 6.1 only.
case $(uname -r) in
[0-5].* | 6.[01].* | 6.[01]-*) ;;
*) skip "linux $(uname -r) takes policy ABI 9: no binary aalevel accepts that it refuses by version" ;;
esac

pd=$TMPDIR/pd
make_policy_tree "$pd"
write_profile "$pd" t-a '  /etc/hostname r,' 'flags=(complain)'
write_profile "$pd" t-b '  /etc/hostname r,' 'flags=(complain)'
load_profile_text foreign 'abi <abi/3.0>,
profile foreign { /etc/hostname r, }'
foreign=$(raw_sha1 foreign)
test_config "$pd"
state=$TMPDIR/state/state
start_daemon
wait_idle
a=$(raw_sha1 t-a)

k=$(awk -F'\t' -v f="$pd/t-a" '$1 == "unit" && $2 == f { print $4 }' "$state")
e=$TMPDIR/cache/blobs/$(echo "$k" | cut -c1-2)/$k
[ -f "$e" ] || die "no cache entry for t-a"

# set_bytes FILE OFFSET HEX: overwrite bytes in place.
set_bytes() {
	# shellcheck disable=SC2059 # the format is the bytes
	printf "$(echo "$3" | sed 's/../\\x&/g')" | /usr/bin/dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
# The entry: 8 magic, 8 length, 32 SHA-256, 3 x 20 SHA-1 (as declared,
# enforced, complaining), then the binary, which starts NAME "version"
# (11 bytes), U32 code, then the version word (little-endian; ABI in its
# low 10 bits). The other modes' SHA-1 are left as they were: they only
# say whether the kernel has the binary already, and it has not.
vbyte=$((108 + 12))
abi=$(/usr/bin/dd if="$e" bs=1 skip="$vbyte" count=1 status=none | od -An -tu1 | tr -d ' ')
assert_eq 7 "$abi" "the policy ABI of the cached binary"
set_bytes "$e" "$vbyte" 09
tail -c +109 "$e" >"$TMPDIR/blob"
set_bytes "$e" 16 "$(sha256sum <"$TMPDIR/blob" | cut -d' ' -f1)"
set_bytes "$e" 48 "$(sha1sum <"$TMPDIR/blob" | cut -d' ' -f1)"

aalevelctl set strict
echo "aalevelctl set strict: exit $?"
wait_idle
aalevelctl profiles
out=$(aalevelctl profiles)
assert_contains "$out" "the kernel rejected the compiled policy"
grep "Profile $pd/t-a failed: the kernel rejected the compiled policy" "$AALEVEL_LOG" ||
	die "the log does not show the kernel's refusal"
dmesg | grep -i 'apparmor.*t-a' | tail -n 3
assert_eq "$a" "$(raw_sha1 t-a)" "t-a keeps its previous binary"
assert_profile_mode t-a complain
assert_profile_mode t-b enforce
assert_eq 1 "$(status_field profiles_failed)" "failed profiles"
assert_eq "$foreign" "$(raw_sha1 foreign)" "the foreign binary"
assert_profile_mode foreign enforce

# Fixed by a change of the profile (a new key): loads again.
echo '/srv/fixed r,' >"$pd/local/t-a"
wait_sha1_change t-a "$a" 20
wait_idle
assert_profile_mode t-a enforce
assert_eq 0 "$(status_field profiles_failed)" "failed profiles after the fix"
stop_daemon
