#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# The lib.sh helpers behave, including their failure messages.
# shellcheck source=SCRIPTDIR/../lib.sh
. /tests/lib.sh

# A failing assertion exits with status 1 and says what was wrong.
out=$( (assert_eq a b "thing") 2>&1) && die "assert_eq a b succeeded"
assert_eq "FAIL: thing: expected 'a', got 'b'" "$out" "assert_eq message"
(assert_contains "hello world" "lo wo") || die "assert_contains missed a substring"

# The revision file: a fresh read never blocks, even before any policy load
# (where a plain read would), and it grows with each load.
r0=$(kernel_revision)
case $r0 in '' | *[!0-9]*) die "kernel_revision printed '$r0'" ;; esac
load_profile_text 'vmtest lib/odd.name' 'abi <abi/3.0>,
profile "vmtest lib/odd.name" flags=(complain) {
}'
r1=$(kernel_revision)
r2=$(kernel_revision)
[ "$r1" -gt "$r0" ] || die "revision did not grow: $r0 -> $r1"
assert_eq "$r1" "$r2" "revision read twice"

# Names with spaces and regex characters are matched literally.
assert_profile_mode 'vmtest lib/odd.name' complain
assert_profile_absent 'vmtest lib/odd'
assert_profile_absent 'vmtest lib/odd.nam.'
out=$( (assert_profile_mode 'vmtest lib/odd.name' enforce) 2>&1) && die "wrong mode accepted"
assert_contains "$out" "in mode 'complain', expected 'enforce'"

# run_confined without aa-exec: the profile applies to the program.
load_profile_text vmtest-lib 'abi <abi/3.0>,
profile vmtest-lib {
  /{usr/,}{bin,sbin}/** mrix,
  /{usr/,}lib{,64}/** mr,
  owner /proc/*/attr/{apparmor/,}current r,
}'
label=$(run_confined vmtest-lib cat /proc/self/attr/current)
assert_eq "vmtest-lib (enforce)" "$label" "label with aa-exec"
mv /usr/bin/aa-exec /usr/bin/aa-exec.off
label=$(run_confined vmtest-lib cat /proc/self/attr/current)
mv /usr/bin/aa-exec.off /usr/bin/aa-exec
assert_eq "vmtest-lib (enforce)" "$label" "label without aa-exec"

remove_profile 'vmtest lib/odd.name'
remove_profile vmtest-lib
assert_profile_absent vmtest-lib

# wait_for retries until the condition holds, and gives up in time.
(sleep 0.5 && : >"$TMPDIR/flag") &
wait_for 5 test -e "$TMPDIR/flag" || die "wait_for missed the flag"
wait_for 1 test -e "$TMPDIR/never" && die "wait_for invented a file"

# write_daemon_config: defaults, and KEY=VALUE replaces in place.
AALEVEL_CONF=$TMPDIR/c.conf
write_daemon_config level=strict debounce_ms=5 early_policy_dir=/x
assert_eq 1 "$(grep -c '^level = strict$' "$AALEVEL_CONF")" "level override"
assert_eq 0 "$(grep -c '^level = default$' "$AALEVEL_CONF")" "default level replaced"
assert_eq 1 "$(grep -c '^early_policy_dir = /x$' "$AALEVEL_CONF")" "early_policy_dir override"
assert_eq 1 "$(grep -c '^runtime_dir = /run/aalevel$' "$AALEVEL_CONF")" "runtime_dir default"
assert_eq "[daemon]" "$(head -n 1 "$AALEVEL_CONF")" "section header"
cat "$AALEVEL_CONF"
