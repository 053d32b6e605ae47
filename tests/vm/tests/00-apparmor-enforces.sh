#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The kernel enforces a profile loaded with apparmor_parser: under it an
# allowed read works and a read the profile does not grant is denied by
# AppArmor (the same read works unconfined, and the kernel logs the denial).
# shellcheck source=SCRIPTDIR/../lib.sh
. /tests/lib.sh

echo allowed >/tmp/allowed
echo secret >/tmp/denied
assert_eq secret "$(cat /tmp/denied)" "unconfined read of /tmp/denied"

rev0=$(kernel_revision) || exit 1
load_profile_text vmtest-read '
abi <abi/3.0>,
profile vmtest-read {
  /{usr/,}{bin,sbin}/** mrix,
  /{usr/,}lib{,64}/** mr,
  owner /proc/*/attr/{apparmor/,}current r,
  /tmp/allowed r,
}'
assert_profile_mode vmtest-read enforce
rev1=$(kernel_revision) || exit 1
[ "$rev1" -gt "$rev0" ] || die "policy revision did not grow on load: $rev0 -> $rev1"

assert_eq "vmtest-read (enforce)" "$(run_confined vmtest-read cat /proc/self/attr/current)" "label under the profile"
assert_eq allowed "$(run_confined vmtest-read cat /tmp/allowed)" "confined read of /tmp/allowed"

if out=$(run_confined vmtest-read cat /tmp/denied 2>&1); then
	die "confined read of /tmp/denied succeeded: $out"
fi
assert_contains "$out" "Permission denied" "error of the denied read"
assert_denied_logged vmtest-read /tmp/denied

remove_profile vmtest-read
assert_profile_absent vmtest-read
